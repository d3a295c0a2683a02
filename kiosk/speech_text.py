"""What the narration says for a lesson text: words a Vietnamese listener expects, for everything
espeak-ng would misread.

espeak-ng's Southern voice reads "1/7/2024" as "một bảy hai ngàn không trăm hai mươi bốn", the
hotline "113" as "một trăm mười ba", "25.000 đ" as "hai mươi lăm ngàn không trăm" and a stray
letter, "OTP" as one syllable and "dichvucong.gov.vn" half in English. So before a text is rendered
it is rewritten once, left to right, by the first rule that matches at each place:

- web and e-mail addresses part by part ("dịch vụ công chấm gốp chấm vê en"; "https://" dropped);
- the pronunciation table kept with the lessons (``lessons/pronunciation.yaml``: OTP, Zalo, banks);
- dates ("ngày một tháng bảy năm hai ngàn không trăm hai mươi tư"), times ("tám giờ ba mươi"),
  percentages, amounts of money ("hai mươi lăm ngàn đồng"), ranges ("tám đến hai mươi");
- phone numbers, hotlines, codes and USSD strings digit by digit ("một một ba", "sao một hai ba thăng");
  a bare number is a code when it starts with 0, has five digits or more, is a known hotline, or
  follows a word such as "gọi", "số", "mã"; otherwise it is a quantity;
- other all-capital abbreviations letter by letter with Vietnamese letter names, and Vietnamese
  written without marks, as bank apps show names ("NGUYEN VAN TUAN"), with the marks the voice needs.

Numbers follow Southern usage ("ngàn", "lẻ", "hai mươi tư") with Vietnamese separators: "." groups
thousands and "," marks decimals. num2words reads each group of three digits; the groups are
joined here because its Vietnamese module drops the "không trăm" of an inner group ("hai nghìn lẻ
hai mươi bốn"). The output never holds a digit, whatever the input. No Kivy here.
"""
import re
import unicodedata
from functools import lru_cache
from typing import Callable

from lessons.pronunciation import PronunciationTable, is_vietnamese_syllable, load_table
from lessons.text import nfc

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
MAX_AMOUNT_DIGITS = 15  # longer numbers are codes, read digit by digit
LETTER_NAMES = {
    "a": "a", "b": "bê", "c": "xê", "d": "đê", "đ": "đê", "e": "e", "f": "ép", "g": "giê", "h": "hát", "i": "i",
    "j": "gi", "k": "ca", "l": "e lờ", "m": "em mờ", "n": "en nờ", "o": "ô", "p": "pê", "q": "qui", "r": "e rờ",
    "s": "ét", "t": "tê", "u": "u", "v": "vê", "w": "vê kép", "x": "ích", "y": "i dài", "z": "dét",
}
ADDRESS_MARKS = {".": "chấm", "/": "gạch chéo", "-": "gạch ngang", "_": "gạch dưới", "@": "a còng", ":": "hai chấm",
                 "?": "chấm hỏi", "=": "bằng", "&": "và", "#": "thăng", "%": "phần trăm", "+": "cộng", "~": "ngã"}
# A bare number right after one of these words is a number to dial or type, read digit by digit.
CODE_WORDS = frozenset({"số", "gọi", "đài", "hotline", "nóng", "mã", "otp", "pin", "khẩu", "bấm", "nhắn"})
# Words before a day/month ("từ 1/7") that make it a date rather than "một trên bảy".
DATE_WORDS = frozenset({"ngày", "từ", "đến", "tới", "trước", "sau", "hạn", "mùng"})

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_NUMBER = r"[0-9]{1,3}(?:,[0-9]{3}){2,}|[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?|[0-9]+(?:,[0-9]+)?"
_NUMBER_EDGE = r"(?<![0-9.,])", r"(?![0-9]|[.,][0-9])"
_DATE_EDGE = r"(?<![0-9/.-])", r"(?![0-9]|[/-][0-9])"


class Normaliser:
    """Rewrites a text into what espeak-ng's Vietnamese voice should say, using ``table``."""

    def __init__(self, table: PronunciationTable) -> None:
        self.table = table
        before, after = _NUMBER_EDGE
        date_before, date_after = _DATE_EDGE
        rules: list[tuple[str, Callable[[re.Match], str]]] = [
            (rf"(?<![\w.@/])(?:(?i:https?)://)?(?:[A-Za-z0-9._%+-]{{1,64}}@)?(?:{_LABEL}\.)+[a-z]{{2,24}}(?![\w-])"
             r"(?:/[A-Za-z0-9._~%/?#=&+-]*[A-Za-z0-9/])?", self._address),
            (r"(?<![\w.])\.[a-z]{2,10}(?!\w|\.\w)", self._address),  # "đuôi .top"
            (table.pattern, lambda m: table.reading(m.group())),
            (rf"{date_before}[0-9]{{1,2}}(?P<separator>[/-])[0-9]{{1,2}}(?P=separator)[0-9]{{4}}{date_after}", self._date),
            (rf"{date_before}[0-9]{{1,2}}/[0-9]{{4}}{date_after}", self._date),
            (rf"{date_before}[0-9]{{1,2}}/[0-9]{{1,2}}{date_after}", self._day_month),
            (r"(?<![0-9:])(?:[01]?[0-9]|2[0-4])(?::[0-5][0-9]|h(?:[0-5][0-9])?)(?![\w:])", self._time),
            (rf"{before}(?:{_NUMBER}) ?%", lambda m: f"{self._quantity(m.group()[:-1].strip())} phần trăm"),
            (rf"{before}(?:{_NUMBER}) ?(?:VNĐ|VND|vnđ|vnd|đồng|đ)(?!\w)", self._money),
            (rf"{before}(?:{_NUMBER}) ?k(?!\w)", lambda m: f"{self._quantity(m.group()[:-1].strip())} ngàn"),
            (r"(?<![0-9+])(?:\+84[ .]?|0)[0-9](?:[ .-]?[0-9]){7,9}(?![0-9])", self._digit_groups),
            (r"(?<![0-9])1[89]00(?:[ .]?[0-9]){4,6}(?![0-9])", self._digit_groups),
            (r"[*#](?:[0-9]+[*#])*[0-9]+#?", self._digit_groups),
            (rf"{before}(?:{_NUMBER}) ?[–—-] ?(?:{_NUMBER}){after}", self._range),
            (rf"{before}[0-9]+/[0-9]+{after}", lambda m: " trên ".join(map(self._quantity, m.group().split("/")))),
            (rf"{before}(?:{_NUMBER}){after}", self._number),
            (r"(?<![\w.@])[A-Za-zĐ]{2,}(?!\w)", self._latin_word),
        ]
        self._handlers = {f"rule{index}": handler for index, (_, handler) in enumerate(rules)}
        self._pattern = re.compile("|".join(f"(?P<rule{index}>{pattern})" for index, (pattern, _) in enumerate(rules)))

    def __call__(self, text: str) -> str:
        text = _plain_digits(nfc(text))
        text = re.sub(r"(?<![.!?:;,…])[ \t]*\n\s*", ". ", text.strip())  # a line that ends without a stop still pauses
        spoken = self._pattern.sub(lambda match: _apart(match, self._handlers[match.lastgroup](match)), text)
        spoken = re.sub(r"[0-9]+", lambda match: _apart(match, digit_words(match.group())), spoken)  # inside a word
        return " ".join(spoken.split())

    # Rules

    def _address(self, match: re.Match) -> str:
        address = re.sub(r"^(?i:https?)://", "", match.group())
        words = []
        for piece in re.findall(r"[A-Za-z]+|[0-9]+|.", address):
            if piece.isdigit():
                words.append(digit_words(piece))
            elif piece.isalpha():
                words.append(self.table.reading(piece) or (_with_vowel_marks(piece) if is_vietnamese_syllable(piece)
                                                            else spell(piece)))
            elif piece in ADDRESS_MARKS:
                words.append(ADDRESS_MARKS[piece])
        return " ".join(words)

    @staticmethod
    def _latin_word(match: re.Match) -> str:
        """A word without marks: Vietnamese written bare ("NGUYEN VAN TUAN") gets the marks the voice
        needs; an abbreviation is spelled; any other word is left to espeak-ng."""
        word = match.group()
        if is_vietnamese_syllable(word):
            return _with_vowel_marks(word)
        return spell(word) if word.isupper() and len(word) <= 8 else word

    def _date(self, match: re.Match) -> str:
        numbers = [int(n) for n in re.findall(r"[0-9]+", match.group())]
        *day, month, year = numbers
        if not 1 <= month <= 12 or (day and not 1 <= day[0] <= 31):
            return ", ".join(map(number_words, numbers))
        words = f"tháng {_month(month)} năm {number_words(year)}"
        if day:
            words = f"{number_words(day[0])} {words}"
            return words if _previous_words(match)[-1:] == ["ngày"] else f"ngày {words}"
        return words

    def _day_month(self, match: re.Match) -> str:
        day, month = (int(n) for n in match.group().split("/"))
        previous = _previous_words(match)[-1:]
        if not (1 <= day <= 31 and 1 <= month <= 12 and previous and previous[0] in DATE_WORDS):
            return f"{number_words(day)} trên {number_words(month)}"
        words = f"{number_words(day)} tháng {_month(month)}"
        return words if previous[0] in ("ngày", "mùng") else f"ngày {words}"

    def _time(self, match: re.Match) -> str:
        hour, *minutes = (int(n) for n in re.findall(r"[0-9]+", match.group()))
        minute = minutes[0] if minutes else 0
        if not minute:
            return f"{number_words(hour)} giờ"
        return f"{number_words(hour)} giờ {number_words(minute)}" + (" phút" if minute < 10 else "")

    def _money(self, match: re.Match) -> str:
        number = re.match(_NUMBER, match.group()).group()
        return f"{self._quantity(number)} đồng"

    def _range(self, match: re.Match) -> str:
        low, high = re.findall(_NUMBER, match.group())
        return f"{self._quantity(low)} đến {self._quantity(high)}"

    def _number(self, match: re.Match) -> str:
        number = match.group()
        if number.isdigit() and self._is_code(number, _previous_words(match)):
            return digit_words(number)
        previous = _previous_words(match)[-1:]
        if previous == ["thứ"] and number in ("1", "4"):
            return {"1": "nhất", "4": "tư"}[number]
        if previous == ["tháng"] and number == "4":
            return "tư"
        return self._quantity(number)

    def _is_code(self, digits: str, previous: list[str]) -> bool:
        return (digits in self.table.hotlines or (len(digits) > 1 and digits[0] == "0") or len(digits) >= 5
                or (len(digits) >= 3 and any(word in CODE_WORDS for word in previous)))

    def _digit_groups(self, match: re.Match) -> str:
        """Digits in the groups they are written in, a short pause between groups."""
        marks = {"+": "cộng", "*": "sao", "#": "thăng"}
        spoken, after_digits = [], False
        for part in re.findall(r"[0-9]+|[+*#]", match.group()):
            spoken.append((", " if part.isdigit() and after_digits else " ") + (marks.get(part) or digit_words(part)))
            after_digits = part.isdigit()
        return "".join(spoken).strip()

    @staticmethod
    def _quantity(number: str) -> str:
        """An amount as Vietnamese writes it: "25.000" (thousands), "2,5" (decimal), "1,000,000"."""
        if number.count(",") > 1:
            whole, fraction = number.replace(",", ""), ""
        else:
            whole, _, fraction = number.replace(".", "").partition(",")
        words = number_words(int(whole)) if len(whole) <= MAX_AMOUNT_DIGITS else digit_words(whole)
        if not fraction:
            return words
        if len(fraction) <= 2 and not fraction.startswith("0"):
            return f"{words} phẩy {number_words(int(fraction))}"
        return f"{words} phẩy {digit_words(fraction)}"


def number_words(number: int) -> str:
    """A whole number in words, Southern style: 2024 "hai ngàn không trăm hai mươi tư", 5003 tỷ
    "năm ngàn không trăm lẻ ba tỷ"; from a million billion on, digit by digit."""
    if number >= 10 ** MAX_AMOUNT_DIGITS:
        return digit_words(str(number))
    billions, rest = divmod(number, 1_000_000_000)
    if not billions:
        return _below_a_billion(rest, inner=False) or DIGITS[0]
    words = f"{number_words(billions)} tỷ"
    return f"{words} {_below_a_billion(rest, inner=True)}" if rest else words


def _below_a_billion(number: int, inner: bool) -> str:
    """Millions, thousands and units; after a higher part a group keeps its hundreds ("không trăm lẻ năm")."""
    words = []
    for scale, group in zip(("triệu", "ngàn", ""), (number // 1_000_000, number // 1000 % 1000, number % 1000)):
        if not group:
            continue
        said = _hundreds(group)
        if (words or inner) and group < 100:
            said = f"không trăm {said}" if group >= 10 else f"không trăm lẻ {said}"
        words.append(f"{said} {scale}".rstrip())
    return " ".join(words)


@lru_cache(maxsize=1000)
def _hundreds(group: int) -> str:
    """0-999 by num2words ("một trăm lẻ năm", "hai mươi mốt"), with the Southern "tư" after "mươi"."""
    from num2words import num2words  # it imports all its languages (50 ms): paid at the first number, not at start-up
    return num2words(group, lang="vi").replace("mươi bốn", "mươi tư")


def digit_words(digits: str) -> str:
    """Digits one by one: "113" "một một ba"."""
    return " ".join(DIGITS[int(digit)] for digit in digits)


def spell(word: str) -> str:
    """A word letter by letter with Vietnamese letter names: "SMS" "ét em mờ ét"."""
    return " ".join(LETTER_NAMES.get(letter, letter) for letter in word.lower())


def _with_vowel_marks(word: str) -> str:
    """Vietnamese has no bare "ie" or "ye" (only iê, yê): without the mark espeak-ng takes "nguyen"
    or "tien" for English."""
    return re.sub(r"([iyIY])([eE])", lambda m: m.group(1) + ("ê" if m.group(2) == "e" else "Ê"), word)


def _apart(match: re.Match, words: str) -> str:
    """``words`` in place of the match, kept apart from letters or digits touching it ("mucdo2")."""
    before = match.string[match.start() - 1:match.start()]
    after = match.string[match.end():match.end() + 1]
    return f"{' ' if before.isalnum() else ''}{words}{' ' if after.isalnum() else ''}"


def _month(month: int) -> str:
    return "tư" if month == 4 else number_words(month)


def _previous_words(match: re.Match) -> list[str]:
    """The two words before the match, in lower case: the context that tells a code from a quantity."""
    return re.findall(r"[^\W\d_]+", match.string[max(0, match.start() - 40):match.start()].lower())[-2:]


def _plain_digits(text: str) -> str:
    """Every digit of any script as an ASCII digit ("１２", "٣", "²"), so the rules see them all."""
    return "".join(str(unicodedata.digit(char)) if char.isdigit() else char for char in text)


@lru_cache(maxsize=1)
def _normaliser() -> Normaliser:
    return Normaliser(load_table())


def speech_text(text: str) -> str:
    """What the narration says for ``text``, with the pronunciation table kept with the lessons."""
    return _normaliser()(text)
