"""The pronunciation table kept with the lessons, and the validator's check that every narrated word can be said.

espeak-ng's Vietnamese voice reads Vietnamese syllables by rule. Anything else it spells letter by
letter ("Google" becomes "đê o o đê e lờ e"), hands to its English voice in mid-sentence ("Zalo",
"link", "app") or says as one odd syllable ("OTP"). The kiosk's narration (``kiosk/speech_text.py``)
reads such words from ``pronunciation.yaml`` beside this module; this module loads that table and,
for ``python -m lessons validate``, names every word of a Vietnamese pack's narrated texts that is
neither a Vietnamese syllable nor in the table, so its reading is added before the pack reaches a
kiosk. Numbers, dates and web addresses are not words here: the narration reads them by rule, and
a web address is checked part by part.
"""
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import yaml

from lessons.pack import PackProblem
from lessons.problems import problem
from lessons.schema import Lesson
from lessons.text import nfc

TABLE_FILE = Path(__file__).with_name("pronunciation.yaml")
# The fields of a step the kiosk reads aloud: its text, option and card texts, and every feedback
# (besides the lesson's title and main points).
SPOKEN_FIELDS = frozenset({"text", "feedback", "right", "wrong"})

# Vowel groups of Vietnamese syllables, written without marks: names in bank apps and on QR codes
# come without them ("NGUYEN VAN TUAN"), and the narration restores the marks espeak-ng needs.
_NUCLEI = sorted(set("""a e i o u y ai ao au ay eo eu ia ie iu oa oe oi oo ua ue ui uo uy uu ye ieu oai oao oay oeo
    uay uoi uou uya uye uyu yeu""".split()), key=len, reverse=True)
VIETNAMESE_SYLLABLE = re.compile(
    rf"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?(?:{'|'.join(_NUCLEI)})(?:ch|nh|ng|[cmnpt])?")
LETTERS = re.compile(r"[^\W\d_]+")
# Where a table entry may start and end: not inside a word, a web address or an e-mail address.
_BEFORE, _AFTER = r"(?<![\w.@])", r"(?!\w|[.@][A-Za-z0-9])"


def is_vietnamese_syllable(word: str) -> bool:
    """Whether espeak-ng's Vietnamese rules can read ``word`` as one syllable (marks optional)."""
    return VIETNAMESE_SYLLABLE.fullmatch(without_marks(word.lower())) is not None


def without_marks(text: str) -> str:
    """``text`` with no tone or vowel marks, and d for đ: "Đường" becomes "Duong"."""
    bare = "".join(char for char in unicodedata.normalize("NFD", text) if not unicodedata.combining(char))
    return bare.replace("đ", "d").replace("Đ", "D")


@dataclass(frozen=True)
class PronunciationTable:
    """Readings of words and phrases, and the service numbers read digit by digit."""

    readings: dict[str, str]
    hotlines: frozenset[str]

    def reading(self, word: str) -> str | None:
        """The reading of ``word``: its exact entry, or the entry of its lower-case form."""
        return self.readings.get(word) or self._any_case.get(word.lower())

    @cached_property
    def _any_case(self) -> dict[str, str]:
        return {key: value for key, value in self.readings.items() if key == key.lower()}

    @cached_property
    def pattern(self) -> str:
        """A regular expression matching any entry as a whole word (longest first)."""
        keys = sorted(self.readings, key=len, reverse=True)
        if not keys:
            return r"(?!)"  # an empty table matches nothing
        alternatives = "|".join(f"(?i:{re.escape(key)})" if key == key.lower() else re.escape(key) for key in keys)
        return f"{_BEFORE}(?:{alternatives}){_AFTER}"

    def unsayable(self, text: str) -> list[str]:
        """The words of ``text`` that espeak-ng would spell or read in English: neither in the table
        nor a Vietnamese syllable (a lone letter is fine: espeak-ng says its name)."""
        rest = re.sub(self.pattern, " ", nfc(text))
        return [word for word in LETTERS.findall(rest)
                if len(word) > 1 and self.reading(word) is None and not is_vietnamese_syllable(word)]


@lru_cache(maxsize=4)
def load_table(path: Path = TABLE_FILE) -> PronunciationTable:
    """Read the table (NFC, so keys match the packs' NFC text)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return PronunciationTable(readings={nfc(str(key)): nfc(str(value)) for key, value in data["words"].items()},
                              hotlines=frozenset(str(number) for number in data["hotlines"]))


def check_pronunciation(language: str, lessons: Iterable[tuple[Lesson, Path]]) -> list[PackProblem]:
    """Each word of a Vietnamese pack's narrated texts that the narration cannot say, once per text."""
    if language != "vi":
        return []  # the kiosk narrates only in Vietnamese
    table = load_table()
    problems = []
    for lesson, path in lessons:
        for where, text in spoken_texts(lesson):
            for word in dict.fromkeys(table.unsayable(text)):
                problems.append(problem(path, ".".join(map(str, where)), "unsayable_word", word=word, table=TABLE_FILE.name))
    return problems


def spoken_texts(lesson: Lesson) -> Iterator[tuple[tuple, str]]:
    """(where in the lesson, text) for every text of ``lesson`` the kiosk reads aloud."""
    for key, value in lesson.model_dump(mode="json").items():
        if key == "title":
            yield (key,), value
        elif key == "recap":
            yield from (((key, index), point) for index, point in enumerate(value))
        else:
            yield from _spoken_texts(value, (key,))


def _spoken_texts(value: object, where: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SPOKEN_FIELDS and isinstance(item, str):
                yield where + (key,), item
            else:
                yield from _spoken_texts(item, where + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _spoken_texts(item, where + (index,))
