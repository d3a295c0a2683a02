"""The validator names every narrated word of a Vietnamese pack that the narration cannot say, and
the pronunciation table's matching rules."""
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons.pronunciation import PronunciationTable, is_vietnamese_syllable, load_table
from lessons.text import nfc
from tests.helpers import LESSON, LESSON_FILE, write_pack
from tests.helpers import run_lessons_cli as run_cli


def test_a_word_neither_vietnamese_nor_in_the_table_is_named_with_its_line(tmp_path):
    lesson = (LESSON.replace("Xin chào Bác.", "Bác mở Google Hangouts, bấm Join và nhập mã OTP 123456.")
              .replace("feedback: Chưa đúng.", "feedback: Chưa đúng. Hỏi CSKH hoặc xem trên TikTok hay Qwrt."))
    folder = write_pack(tmp_path / "vi", lesson)
    result = run_cli("validate", folder)
    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stdout.splitlines() if line.startswith("ERROR ")]
    prefix = f"ERROR {folder / LESSON_FILE}: "
    assert [line.removeprefix(prefix).split(": ")[0] for line in errors] == [
        "line 7, steps.0.text", "line 7, steps.0.text", "line 15, steps.1.options.1.feedback"]
    assert ["'Hangouts'" in errors[0], "'Join'" in errors[1], "'Qwrt'" in errors[2]] == [True, True, True]
    assert errors[0].endswith("narration cannot say 'Hangouts': espeak-ng would spell it letter by letter or read it "
                              "in English; add its reading to pronunciation.yaml")


def test_the_title_and_the_main_points_are_checked_too(tmp_path):
    lesson = LESSON.replace("title: Bài thử", "title: Bài Hangouts").replace("steps:", "recap: [Bấm Join]\nsteps:")
    result = run_cli("validate", write_pack(tmp_path / "vi", lesson))
    assert [line.split(": ")[1] for line in result.stdout.splitlines() if line.startswith("ERROR ")] == [
        "line 2, title", "line 4, recap.0"]


def test_an_english_pack_is_not_checked(tmp_path):
    folder = write_pack(tmp_path / "en", LESSON.replace("Xin chào Bác.", "Open Google Meet."), language="en")
    assert run_cli("validate", folder).returncode == 0


def test_vietnamese_syllables_with_or_without_marks():
    assert all(map(is_vietnamese_syllable, ["Bác", "nghiêng", "khuyến", "quốc", "gì", "CA", "PHE", "đường", "pin",
                                               "NGUYEN", "tien", "duong"]))
    assert not any(map(is_vietnamese_syllable, ["OTP", "Zalo", "app", "link", "Google", "test", "rn", "VNeID"]))


def test_lower_case_entries_match_any_case_and_capitalised_ones_only_themselves():
    table = PronunciationTable(readings={"link": "linh", "OTP": "ô tê pê"}, hotlines=frozenset())
    assert [table.reading(word) for word in ("link", "Link", "LINK", "OTP", "Otp")] == ["linh"] * 3 + ["ô tê pê", None]
    assert table.unsayable("Bấm Link, nhập OTP và Otp, chữ m thành rn.") == ["Otp", "rn"]


def test_the_table_holds_the_readings_the_issue_asks_for():
    table = load_table()
    assert {word: table.reading(word) for word in ("OTP", "VNeID", "QR", "Wi-Fi", "Zalo", "gov", "vn")} == {
        "OTP": "ô tê pê", "VNeID": "vê en e ai đi", "QR": "cu a", "Wi-Fi": "oai phai", "Zalo": "da lô",
        "gov": "gốp", "vn": "vê en"}
    assert {"113", "114", "115", "1022"} <= table.hotlines


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_checked_without_raising(text):
    unsayable = load_table().unsayable(text)
    assert all(len(word) > 1 and word in nfc(text) for word in unsayable)
