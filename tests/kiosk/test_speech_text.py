"""The narration's text normaliser: each class of text a lesson holds comes out in the words a
Southern listener expects, and no input makes it raise or leave a digit for espeak-ng to misread."""
import re
import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.speech_text import Normaliser, digit_words, number_words, speech_text
from lessons.pack import BUILTIN_PACKS, load_pack
from lessons.pronunciation import PronunciationTable, is_vietnamese_syllable, load_table, spoken_texts

EXAMPLES = {
    "dates": [
        ("1/7/2024", "ngày một tháng bảy năm hai ngàn không trăm hai mươi tư"),
        ("Từ 1/1/2025, ngân hàng", "Từ ngày một tháng một năm hai ngàn không trăm hai mươi lăm, ngân hàng"),
        ("từ ngày 01/04/2025", "từ ngày một tháng tư năm hai ngàn không trăm hai mươi lăm"),
        ("31-12-2026", "ngày ba mươi mốt tháng mười hai năm hai ngàn không trăm hai mươi sáu"),
        ("7/2024", "tháng bảy năm hai ngàn không trăm hai mươi tư"),
        ("hạn 15/8", "hạn ngày mười lăm tháng tám"),
        ("Thẻ 1/3", "Thẻ một trên ba"),
        ("32/13/2024", "ba mươi hai, mười ba, hai ngàn không trăm hai mươi tư"),
    ],
    "amounts": [
        ("25.000 đ", "hai mươi lăm ngàn đồng"),
        ("25.000đ", "hai mươi lăm ngàn đồng"),
        ("25.000 VNĐ", "hai mươi lăm ngàn đồng"),
        ("1.050.000 đồng", "một triệu không trăm năm mươi ngàn đồng"),
        ("50k", "năm mươi ngàn"),
        ("2,5 triệu", "hai phẩy năm triệu"),
        ("0,05", "không phẩy không năm"),
        ("năm 2024", "năm hai ngàn không trăm hai mươi tư"),
        ("105 người", "một trăm lẻ năm người"),
        ("6 chữ số", "sáu chữ số"),
        ("8–20 ký tự", "tám đến hai mươi ký tự"),
        ("thứ 4, tháng 4", "thứ tư, tháng tư"),
    ],
    "phones and hotlines": [
        ("113", "một một ba"),
        ("Bác gọi 1022.", "Bác gọi một không hai hai."),
        ("0912 345 678", "không chín một hai, ba bốn năm, sáu bảy tám"),
        ("+84 912 345 678", "cộng tám bốn, chín một hai, ba bốn năm, sáu bảy tám"),
        ("18001234", "một tám không không một hai ba bốn"),
        ("1900 0368", "một chín không không, không ba sáu tám"),
        ("*123#", "sao một hai ba thăng"),
        ("mã OTP là 739158.", "mã ô tê pê là bảy ba chín một năm tám."),
        ("gọi số 456", "gọi số bốn năm sáu"),
    ],
    "abbreviations and names": [
        ("OTP", "ô tê pê"),
        ("VNeID", "vê en e ai đi"),
        ("mã QR", "mã cu a"),
        ("Zalo", "da lô"),
        ("Wi-Fi", "oai phai"),
        ("CH Play (Google Play)", "xê hát pờ lây (gu gồ pờ lây)"),
        ("Link và link", "linh và linh"),
        ("PIN và pin", "pin và pin"),
        ("CA PHE LUKA", "CA PHE lu ca"),
        ("Người nhận: NGUYEN VAN TUAN, tien", "Người nhận: NGUYÊN VAN TUAN, tiên"),
        ("XYZW", "ích i dài dét vê kép"),
    ],
    "addresses": [
        ("dichvucong.gov.vn", "dịch vụ công chấm gốp chấm vê en"),
        ("https://dichvucong.gov.vn", "dịch vụ công chấm gốp chấm vê en"),
        ("tại vietcornbank-xacthuc.test.", "tại việt xê ô e rờ en nờ banh gạch ngang xác thực chấm tét."),
        ("đuôi lạ như .top, .vip.", "đuôi lạ như chấm tóp, chấm víp."),
        ("VNeID-mucdo2.apk", "vê en e ai đi gạch ngang mức độ hai chấm a pê ca"),
        ("ab@gmail.com", "a bê a còng gờ meo chấm com"),
        ("TP.HCM", "thành phố Hồ Chí Minh"),
    ],
    "times and percentages": [
        ("8:30", "tám giờ ba mươi"),
        ("8h30", "tám giờ ba mươi"),
        ("từ 7h đến 17h05", "từ bảy giờ đến mười bảy giờ năm phút"),
        ("50%", "năm mươi phần trăm"),
        ("12,5 %", "mười hai phẩy năm phần trăm"),
    ],
    "text and pauses": [
        ("Xin chào Bác.", "Xin chào Bác."),
        ("Đọc mã cho họ\nKhông đưa mã", "Đọc mã cho họ. Không đưa mã"),
        ("  Bác   cúp máy.\n", "Bác cúp máy."),
        ("١٢٣ và ²", "một trăm hai mươi ba và hai"),
        ('ghi "Nhận 50.000đ".', 'ghi "Nhận năm mươi ngàn đồng".'),
        ('gọi "CSKH Ngân hàng"', 'gọi "chăm sóc khách hàng Ngân hàng"'),
        ("định danh mức2", "định danh mức hai"),
    ],
}


@pytest.mark.parametrize("text, spoken", [pair for pairs in EXAMPLES.values() for pair in pairs],
                         ids=[f"{kind}: {text}" for kind, pairs in EXAMPLES.items() for text, _ in pairs])
def test_each_class_of_text_is_read_as_a_listener_expects(text, spoken):
    assert speech_text(text) == spoken


@pytest.mark.parametrize("number, words", [
    (0, "không"), (5, "năm"), (15, "mười lăm"), (21, "hai mươi mốt"), (24, "hai mươi tư"), (55, "năm mươi lăm"),
    (101, "một trăm lẻ một"), (1005, "một ngàn không trăm lẻ năm"), (2024, "hai ngàn không trăm hai mươi tư"),
    (10_001, "mười ngàn không trăm lẻ một"), (1_000_500, "một triệu năm trăm"),
    (2_000_000_000, "hai tỷ"), (3_000_000_000_000, "ba ngàn tỷ"),
    (5_003_002_000_000, "năm ngàn không trăm lẻ ba tỷ không trăm lẻ hai triệu"),
])
def test_numbers_in_words_southern_style(number, words):
    assert number_words(number) == words


UNITS = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5, "sáu": 6,
         "bảy": 7, "tám": 8, "chín": 9}


def read_back(words: str) -> int:
    """A listener's reading of Vietnamese number words (the inverse of number_words)."""
    total = below_a_billion = 0
    hundreds = tens = unit = 0
    for word in words.split():
        if word in UNITS:
            unit = UNITS[word]
        elif word == "mười":
            tens = 1
        elif word in ("mươi", "trăm"):
            tens, hundreds = (unit, hundreds) if word == "mươi" else (tens, unit)
            unit = 0
        elif word in ("ngàn", "triệu", "tỷ"):
            group = hundreds * 100 + tens * 10 + unit
            hundreds = tens = unit = 0
            if word == "tỷ":
                total, below_a_billion = total + (below_a_billion + group) * 1_000_000_000, 0
            else:
                below_a_billion += group * (1000 if word == "ngàn" else 1_000_000)
        else:
            assert word == "lẻ", word
    return total + below_a_billion + hundreds * 100 + tens * 10 + unit


@given(st.integers(min_value=0, max_value=10 ** 15 - 1))
def test_every_number_reads_back_to_itself(number):
    words = number_words(number)
    assert not re.search(r"[0-9]", words)
    assert read_back(words) == number, words


def test_digits_one_by_one():
    assert digit_words("0912") == "không chín một hai"


# Pieces that make the rules' edges meet: digits, separators, currency marks, address parts, table entries.
PIECES = st.sampled_from(["0", "1", "9", "12", "113", "2024", "25.000", "1.000.000", ",", ".", "/", ":", "-", "–",
                          "%", "đ", "VNĐ", "h", "k", "*", "#", "+84", " ", "\n", "@", "https://", "gov", "vn",
                          "OTP", "Wi-Fi", "ABC", "Bác", "ngày", "gọi", "mã", "thứ", "²", "٣", "１"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(PIECES, max_size=40).map("".join)))
def test_no_text_makes_it_raise_or_leaves_a_digit(text):
    spoken = speech_text(text)
    assert not any(char.isdigit() for char in spoken), spoken


def test_a_long_hostile_text_is_read_in_linear_time():
    text = ("1" * 5000) + ("a-" * 5000) + ("9." * 5000) + ("x" * 5000 + ".") + ("*1" * 5000)
    started = time.thread_time()  # CPU time: a busy machine slows the clock on the wall, not the work
    spoken = speech_text(text)
    assert time.thread_time() - started < 2.0
    assert not any(char.isdigit() for char in spoken)


def test_every_reading_in_the_table_is_vietnamese_the_voice_can_say():
    table = load_table()
    for key, reading in table.readings.items():
        assert all(is_vietnamese_syllable(word) for word in reading.split()), (key, reading)
        assert speech_text(key) == reading, key


def test_a_table_given_to_the_normaliser_is_the_one_it_reads():
    table = PronunciationTable(readings={"Meet": "mít", "cskh": "chăm sóc khách hàng"}, hotlines=frozenset({"999"}))
    say = Normaliser(table)
    assert say("Google Meet, CSKH 999") == "Google mít, chăm sóc khách hàng chín chín chín"
    assert Normaliser(PronunciationTable(readings={}, hotlines=frozenset()))("Bác gọi OTP") == "Bác gọi ô tê pê"


def test_the_vietnamese_lessons_are_spoken_in_vietnamese_words_only():
    """Every word the voice gets from the real lessons is a Vietnamese syllable or a letter's name:
    nothing is left for espeak-ng to spell or hand to its English voice."""
    texts = [text for lesson in load_pack(BUILTIN_PACKS / "vi").lessons for _, text in spoken_texts(lesson)]
    assert len(texts) > 200
    for text in texts:
        spoken = speech_text(text)
        assert not re.search(r"[0-9]", spoken), spoken
        strange = [w for w in re.findall(r"[^\W\d_]+", spoken) if len(w) > 1 and not is_vietnamese_syllable(w)]
        assert not strange, (text, spoken)


def test_the_command_prints_exactly_what_is_spoken():
    text = "Từ 1/1/2025, gọi 113 hoặc vào dichvucong.gov.vn, trả 25.000 đ, mã OTP."
    result = subprocess.run([sys.executable, "-m", "kiosk.narration", "text", text],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == speech_text(text) + "\n"
    assert result.stdout == ("Từ ngày một tháng một năm hai ngàn không trăm hai mươi lăm, gọi một một ba hoặc vào "
                             "dịch vụ công chấm gốp chấm vê en, trả hai mươi lăm ngàn đồng, mã ô tê pê.\n")
