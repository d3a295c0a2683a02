"""The built-in curriculum (issues 3 and 12): twenty-one lessons in order, each Learn → Practice → Check.

These tests hold the content to the shape the kiosk and the volunteers rely on: short
explanations, never more than two in a row before the learner does something (issue 11), each
with a picture; at least one drill on a simulated phone or keypad, then a short check; the main
points and one thing to try on the learner's own phone at the end; every drill kind used more than
once; text in NFC; and no phone number or web address a learner could copy and call or visit,
except the public service numbers, the National Public Service Portal and the look-alike
addresses lesson 07 teaches to spot (those use the reserved ``.test`` domain, RFC 2606, so they
can never reach a real site).
"""
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from lessons.pack import BUILTIN_PACKS, Pack, load_pack
from lessons.schema import ChoiceStep, ExplainStep, KeypadStep, Lesson, ShareStep, TapStep
from lessons.validate import check_pictures

LESSON_IDS = [
    "lam-quen-man-hinh-cam-ung",
    "cai-ung-dung-chinh-thong",
    "quet-ma-qr-an-toan",
    "chuyen-khoan-bang-vietqr",
    "ma-otp-la-bi-mat",
    "cuoc-goi-gia-danh-cong-an",
    "tin-nhan-va-duong-link-la",
    "bao-ve-thong-tin-ca-nhan",
    "mat-khau-va-khi-quen-mat-khau",
    "dang-nhap-bang-van-tay-khuon-mat",
    "vneid-va-dich-vu-cong",
    "vssid-va-vi-dien-tu",
    "lo-bi-lua-thi-lam-gi",
    "zalo-an-toan",
    "goi-video-voi-con-chau",
    "tai-khoan-va-doi-dien-thoai",
    "dich-vu-cong-truc-tuyen",
    "y-te-so",
    "kiem-tra-tien-vao-ra",
    "mua-sam-va-ung-dung-dau-tu",
    "vi-dien-tu-va-tien-dien",
]
DRILL_KINDS = ("tap", "order", "share", "keypad", "qr")
LANGUAGES = ("vi", "en")

# Look-alike addresses lesson 07 shows on purpose, and the only places they may appear.
LOOKALIKE_LESSON = "tin-nhan-va-duong-link-la"
LOOKALIKE_STEP_KINDS = {"tap", "choice"}
LOOKALIKE_ADDRESSES = {"baohiemxahoi-vn.test", "vietcornbank-xacthuc.test", "hoanthue-etax.test"}
# The public service numbers the lessons teach (sources in the content team's CONTENT-FACTS.md): police 113,
# scam reports 156, HCMC's citizen line 1022, VNeID's line and EVNHCMC's.
# The one real address a lesson names: the National Public Service Portal (lesson 17).
OFFICIAL_ADDRESSES = {("dich-vu-cong-truc-tuyen", "dichvucong.gov.vn")}
ALLOWED_PHONE_NUMBERS = {"113", "156", "1022", "1900 0368", "1900 545454"}

# Keys whose values are ids or settings, not words a learner reads.
NOT_TEXT = {"id", "kind", "correct", "style", "gesture", "mode", "card", "expected", "image", "picture", "icon"}

URL = re.compile(
    r"(?i)(?:https?://|www\.)\S+"
    r"|(?<![\w.])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*"
    r"\.(?:vn|com|net|org|info|biz|edu|gov|top|vip|xyz|site|online|app|io|me|cc|link|click|shop|store|test)"
    r"(?![\w-])(?:/\S*)?"
)
# Vietnamese numbers: mobiles and landlines start with 0 or +84 (10-11 digits), hotlines with
# 1800/1900, and the short public numbers 111-119, 156 (spam reports) and 5656. Digits may be
# grouped with spaces, dots or dashes. Money ("10.000.000 đ"), OTPs and dates never start so.
PHONE = re.compile(
    r"(?<![\w.,])(?:"
    r"(?:\+84|0)[ .-]?\d(?:[ .-]?\d){7,9}"
    r"|1[89]00(?:[ .-]?\d){4,6}"
    r"|11\d|156|5656"
    r")(?![\w.,]?\d)"
)


def builtin(language: str) -> Pack:
    return load_pack(BUILTIN_PACKS / language)


def texts(value: object, where: tuple = ()):
    """Every string a learner reads in a dumped lesson, with where it is."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_TEXT:
                yield from texts(item, where + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from texts(item, where + (index,))
    elif isinstance(value, str):
        yield where, value


def lesson_texts(lesson: Lesson):
    """(step kind or None for the lesson's own fields, where, text) for every text of a lesson."""
    for where, text in texts(lesson.model_dump(mode="json")):
        kind = lesson.steps[where[1]].kind if where[0] == "steps" else None
        yield kind, where, text


def is_drill(step) -> bool:
    return step.kind in DRILL_KINDS


@pytest.fixture(scope="module")
def vi() -> Pack:
    return builtin("vi")


def test_the_vietnamese_pack_has_the_lessons_of_the_issues_in_order(vi):
    assert vi.info.language == "vi"
    assert len(vi.lessons) >= 18
    assert [lesson.id for lesson in vi.lessons] == LESSON_IDS
    files = sorted(p.name for p in (BUILTIN_PACKS / "vi").glob("*.yaml") if p.name != "pack.yaml")
    assert files == [f"{number:02d}-{lesson_id}.yaml" for number, lesson_id in enumerate(LESSON_IDS, 1)]


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_each_lesson_is_learn_and_practise_then_a_short_check(vi, lesson_id):
    """Learn → Practice → Check: it opens with an explanation, explanations alternate with the
    drills and questions that use them, and it ends with one or two questions."""
    steps = vi.lesson(lesson_id).steps
    kinds = [step.kind for step in steps]
    check = len(steps)
    while check > 0 and isinstance(steps[check - 1], ChoiceStep):
        check -= 1
    assert isinstance(steps[0], ExplainStep), f"{lesson_id}: start by explaining ({kinds})"
    assert any(is_drill(step) for step in steps[:check]), f"{lesson_id}: practise on a phone or keypad ({kinds})"
    assert 1 <= len(steps) - check <= 2, f"{lesson_id}: end with one or two choice questions ({kinds})"
    assert sum(isinstance(step, ExplainStep) for step in steps) >= 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_lesson_ends_with_its_main_points_and_one_thing_to_try_at_home(language):
    """The end screen says up to three main points; the last is a task on the learner's own phone."""
    at_home = {"vi": "Ở nhà, Bác thử:", "en": "At home, try:"}[language]
    for lesson in builtin(language).lessons:
        assert 2 <= len(lesson.recap) <= 3, lesson.id
        assert lesson.recap[-1].startswith(at_home), lesson.id
        assert sum(point.startswith(at_home) for point in lesson.recap) == 1, lesson.id


def test_every_passphrase_keypad_can_build_a_password_vneid_accepts(vi):
    """Lesson 9's tiles must make a password VNeID takes (issue 12), typed without spaces."""
    from itertools import permutations

    from lessons.strength import vneid_accepts

    for lesson in vi.lessons:
        for step in lesson.steps:
            if isinstance(step, KeypadStep) and step.mode == "passphrase":
                assert all(word.isascii() for word in step.words), (lesson.id, step.id)
                assert any(vneid_accepts("".join(tiles)) for count in range(2, 6)
                           for tiles in permutations(step.words, count)), (lesson.id, step.id)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_more_than_two_explanations_in_a_row_before_the_learner_does_something(language):
    for lesson in builtin(language).lessons:
        kinds = "".join("e" if isinstance(step, ExplainStep) else "x" for step in lesson.steps)
        assert "eee" not in kinds, f"{lesson.id}: three explanations in a row ({kinds})"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_explanation_has_a_picture_shared_by_both_languages(language, vi):
    pack = builtin(language)
    assert check_pictures(pack) == []
    for lesson, ours in zip(pack.lessons, vi.lessons):
        assert [step.picture for step in lesson.steps] == [step.picture for step in ours.steps], lesson.id
        assert all(step.picture for step in lesson.steps if isinstance(step, ExplainStep)), lesson.id


def test_every_picture_has_its_svg_source_and_is_listed_with_its_licence():
    from lessons import PICTURES

    sources = (PICTURES / "SOURCES.md").read_text(encoding="utf-8")
    for png in sorted(PICTURES.glob("*.png")):
        assert (PICTURES / "src" / png.with_suffix(".svg").name).is_file(), png.name
        row = next(line for line in sources.splitlines() if line.startswith(f"| {png.name} |"))
        assert "drawn for this project" in row and "CC0 1.0" in row


def test_every_drill_kind_is_used_at_least_twice(vi):
    used = Counter(step.kind for lesson in vi.lessons for step in lesson.steps)
    assert {kind: used[kind] for kind in DRILL_KINDS if used[kind] < 2} == {}


def test_every_wrong_place_on_a_phone_screen_says_what_is_wrong_with_it(vi):
    silent = [(lesson.id, step.id, element.id) for lesson in vi.lessons for step in lesson.steps
              if isinstance(step, TapStep) for element in step.phone.elements
              if element.id != step.correct and not element.feedback]
    assert silent == []


def test_share_steps_have_cards_to_share_and_cards_to_keep(vi):
    for lesson in vi.lessons:
        for step in lesson.steps:
            if isinstance(step, ShareStep):
                assert {card.share for card in step.cards} == {True, False}, (lesson.id, step.id)


def test_an_otp_to_type_is_shown_in_its_step(vi):
    keypads = [step for lesson in vi.lessons for step in lesson.steps if isinstance(step, KeypadStep)]
    assert {step.mode for step in keypads} == {"pin", "passphrase"}
    for step in keypads:
        if step.expected:
            assert step.expected in step.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_pack_file_is_utf8_nfc(language):
    paths = sorted((BUILTIN_PACKS / language).glob("*.yaml"))
    assert len(paths) == 1 + len(LESSON_IDS)
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert text == unicodedata.normalize("NFC", text), path.name


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_loaded_text_is_nfc(language):
    for lesson in builtin(language).lessons:
        for _kind, where, text in lesson_texts(lesson):
            assert text == unicodedata.normalize("NFC", text), (lesson.id, where)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_phone_number_but_the_public_service_numbers(language):
    found = [(lesson.id, where, number) for lesson in builtin(language).lessons
             for _kind, where, text in lesson_texts(lesson)
             for number in PHONE.findall(text) if number not in ALLOWED_PHONE_NUMBERS]
    assert found == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_web_addresses_are_only_lesson_07s_look_alikes_in_its_screens_and_questions(language):
    seen = set()
    for lesson in builtin(language).lessons:
        for kind, where, text in lesson_texts(lesson):
            for match in URL.finditer(text):
                address = match.group(0)
                if (lesson.id, address.lower()) in OFFICIAL_ADDRESSES:
                    continue
                assert (lesson.id, kind, address.lower()) in {
                    (LOOKALIKE_LESSON, k, a) for k in LOOKALIKE_STEP_KINDS for a in LOOKALIKE_ADDRESSES
                }, f"{language} {lesson.id} {where}: address {address!r} is not an allowed look-alike"
                seen.add(address.lower())
    assert seen == LOOKALIKE_ADDRESSES, "lesson 07 should show every look-alike it is allowed"
    assert all(address.endswith(".test") for address in LOOKALIKE_ADDRESSES)


@pytest.mark.parametrize(("text", "numbers"), [
    ("Gọi 0909 123 456 ngay", ["0909 123 456"]),
    ("số 0909.123.456", ["0909.123.456"]),
    ("+84 909 123 456", ["+84 909 123 456"]),
    ("tổng đài 1900 1234", ["1900 1234"]),
    ("gọi 114 hay 115", ["114", "115"]),
    ("soạn tin gửi 5656", ["5656"]),
    ("gọi 113", ["113"]),
    ("chuyển 10.000.000 đ, mã OTP 739158, hạn 31/12/2026, lúc 21:47, 25.000 đ", []),
])
def test_the_phone_number_pattern(text, numbers):
    assert PHONE.findall(text) == numbers


@pytest.mark.parametrize(("text", "addresses"), [
    ("vào https://example.org/a nhé", ["https://example.org/a"]),
    ("tại vietcornbank-xacthuc.test để", ["vietcornbank-xacthuc.test"]),
    ("trang dichvucong.gov.vn", ["dichvucong.gov.vn"]),
    ("đuôi lạ như .top, .vip; tệp VNeID-mucdo2.apk; nhận 50.000đ; Wi-Fi", []),
])
def test_the_web_address_pattern(text, addresses):
    assert [m.group(0) for m in URL.finditer(text)] == addresses


def skeleton(value: object) -> object:
    """A dumped lesson without the words a translation rewrites: ids, kinds, answers, settings."""
    if isinstance(value, dict):
        return {key: skeleton(item) for key, item in value.items()
                if key in NOT_TEXT - {"image"} or key in {"options", "elements", "items", "cards", "steps",
                                                          "phone", "share", "length", "min_strength", "columns"}}
    if isinstance(value, list):
        return [skeleton(item) for item in value]
    return value


def test_the_english_pack_mirrors_the_vietnamese_one(vi):
    en = builtin("en")
    assert (en.info.id, en.info.version, en.info.language) == (vi.info.id, vi.info.version, "en")
    assert [lesson.id for lesson in en.lessons] == LESSON_IDS
    vi_files = sorted(p.name for p in Path(vi.path).glob("*.yaml"))
    assert sorted(p.name for p in Path(en.path).glob("*.yaml")) == vi_files
    for ours, theirs in zip(vi.lessons, en.lessons):
        assert skeleton(theirs.model_dump(mode="json")) == skeleton(ours.model_dump(mode="json")), ours.id
        for step, translated in zip(ours.steps, theirs.steps):
            if isinstance(step, KeypadStep):
                assert len(translated.words) == len(step.words), (ours.id, step.id)
