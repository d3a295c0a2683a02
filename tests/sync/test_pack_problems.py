"""The packs page says each pack problem in Vietnamese: every kind the validator knows has its words in ward.po."""
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from lessons.problems import KINDS, PYDANTIC_KINDS, PackProblem, from_validation
from lessons.schema import Lesson, PackInfo
from lessons.validate import validate_pack
from sync.server.web.i18n import translation
from sync.server.web.pack_problems import LANGUAGE_NAMES, WORDS, describe, words
from tests.helpers import LESSON, LESSON_FILE, write_pack

VI = translation("vi").gettext
PLACEHOLDER = re.compile(r"%\((\w+)\)[sr]")
# Broken lessons, one per kind of mistake a volunteer makes: (what replaces what in LESSON, the kind expected).
BROKEN = [
    ("correct: dung", "correct: khong-co", "correct_not_an_option"),
    ("id: cau-1", "id: Câu 1", "not_an_id"),
    ("id: cau-1", "id: gioi-thieu", "ids_repeat"),
    ("title: Bài thử", "title: " + "Bài thử rất dài " * 4, "text_too_long"),
    ("title: Bài thử", "title: ''", "text_empty"),
    ("summary: Một bài để thử.", "summary: [một, hai]", "not_text"),
    ("summary: Một bài để thử.", "", "missing_field"),
    ("summary: Một bài để thử.", "summary: Một bài để thử.\ntieu_de: nhầm", "unknown_field"),
    ("kind: choice", "kind: hoi", "unknown_step_kind"),
    ("- kind: choice\n    id: cau-1", "- id: cau-1", "step_kind_missing"),
    ("image: hinh.png", "image: Hinh.PNG", "not_an_image_name"),
    ("image: hinh.png", "image: hinh.png\n    picture: 'ảnh'", "not_a_picture_name"),
    ("image: hinh.png", "image: khong-co.png", "image_missing"),
    ("image: hinh.png", "picture: phone:may-bay", "unknown_phone_screen"),
    ("image: hinh.png", "picture: khong-co.png", "picture_missing"),
    ("\n    image: hinh.png", "", "no_picture"),
    ("      - {id: sai, text: Câu sai, feedback: Chưa đúng.}\n", "", "too_few_items"),
    ("steps:", "recap: một\nsteps:", "not_a_list"),
    ("text: Xin chào Bác.", "text: Mở ứng dụng Grbtzk.", "unsayable_word"),
    ("id: bai-thu", "- id: bai-thu", "bad_yaml"),
]


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("code", sorted(KINDS))
def test_every_problem_kind_has_vietnamese_words_with_the_same_parameters(code):
    """Fails for a new kind in lessons.problems.KINDS until its Vietnamese is in ward.po."""
    english = KINDS[code]
    vietnamese = VI(english)
    assert vietnamese != english, f"{code}: no Vietnamese in kiosk/locale/vi/LC_MESSAGES/ward.po for {english!r}"
    assert unicodedata.is_normalized("NFC", vietnamese)
    assert _placeholders(vietnamese) == _placeholders(english)


def test_the_words_inside_problems_and_where_they_are_have_vietnamese_too():
    for english in [*(word for values in WORDS.values() for word in values if word not in LANGUAGE_NAMES),
                    *LANGUAGE_NAMES.values(), "or", "the pack", "line %(line)s", "line %(line)s, column %(column)s"]:
        assert VI(english) != english, english


def test_each_pydantic_error_type_is_a_kind():
    assert set(PYDANTIC_KINDS.values()) <= KINDS.keys()
    with pytest.raises(ValueError):
        PackProblem(LESSON_FILE, "", "a problem of no kind", "no-such-kind")


@pytest.mark.parametrize("old, new, code", BROKEN, ids=[case[2] for case in BROKEN])
def test_a_broken_pack_is_told_in_vietnamese_and_in_the_validators_english(tmp_path, old, new, code):
    assert LESSON.count(old) >= 1
    folder = write_pack(tmp_path / "thu", LESSON.replace(old, new, 1))
    report = validate_pack(folder)
    assert code in [found.code for found in report.problems], [str(found) for found in report.problems]
    for found in report.problems:
        assert found.code not in ("invalid_value", "pattern_mismatch"), found  # each mistake has words of its own
        vietnamese = describe(found, folder, "vi", VI)
        assert vietnamese.startswith(LESSON_FILE) and str(tmp_path) not in vietnamese
        assert words(found, "vi", VI) != found.message and unicodedata.is_normalized("NFC", vietnamese)
        assert words(found, "en", VI) == found.message  # an English page says what the CLI says


def test_where_a_problem_is_is_said_in_vietnamese(tmp_path):
    folder = write_pack(tmp_path / "thu", LESSON.replace("correct: dung", "correct: khong-co"))
    (found,) = validate_pack(folder).problems
    assert describe(found, folder, "vi", VI) == (
        f"{LESSON_FILE}, dòng 9 (steps.1.choice): đáp án đúng “khong-co” không nằm trong các lựa chọn “dung”, “sai”")
    assert describe(found, folder, "en", lambda text: text) == (
        f"{LESSON_FILE}, line 9 (steps.1.choice): correct answer 'khong-co' is not one of the options ['dung', 'sai']")


JSON = st.recursive(st.none() | st.booleans() | st.integers(-5, 300) | st.text(max_size=90),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(
                        ["id", "kind", "text", "title", "options", "correct", "steps", "phone", "elements", "x"]),
                        inner, max_size=5), max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([Lesson, PackInfo]), st.dictionaries(st.sampled_from(
    ["id", "title", "summary", "steps", "recap", "version", "language", "extra"]), JSON, max_size=6))
def test_whatever_a_volunteer_writes_every_problem_has_vietnamese_words(model, data):
    try:
        model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            found = from_validation(LESSON_FILE, error)
            assert found.code != "invalid_value", error
            assert words(found, "vi", VI) != found.message, error
