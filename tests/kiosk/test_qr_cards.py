"""The printable practice cards: a real PDF whose printed codes read back as the catalogue's payloads,
and the drill's grading of each card."""
import binascii
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kiosk.i18n import _
from kiosk.qr.decode import decode
from kiosk.qr.cards import CARD_H, CARD_W, card_position, make_pdf
from kiosk.qr.emv import parse_tlv
from kiosk.qr.engines import ZbarEngine
from kiosk.qr.banks import bank_for
from kiosk.qr.practice import CARDS, ask_for, card_by_id, card_number, grade, recognise

DPI = 150


def render(pdf: Path, out_prefix: Path) -> Image.Image:
    """Page 1 as the printer would see it, through poppler's pdftoppm (Debian poppler-utils)."""
    assert shutil.which("pdftoppm"), "pdftoppm is missing: apt-get install poppler-utils"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-f", "1", "-l", "1", str(pdf), str(out_prefix)], check=True)
    return Image.open(next(out_prefix.parent.glob(out_prefix.name + "*.png"))).convert("L")


@pytest.fixture(scope="module")
def sheet(tmp_path_factory) -> tuple[Path, Image.Image]:
    folder = tmp_path_factory.mktemp("cards")
    pdf = make_pdf(folder / "cards.pdf")
    return pdf, render(pdf, folder / "page")


def test_the_pdf_is_one_a4_page(sheet):
    pdf, page = sheet
    assert pdf.read_bytes().startswith(b"%PDF")
    assert abs(page.width - 210 / 25.4 * DPI) <= 2 and abs(page.height - 297 / 25.4 * DPI) <= 2


@pytest.mark.parametrize("engines", [None, (ZbarEngine(),)], ids=["all engines", "zbar only"])
def test_every_printed_card_reads_back_as_its_payload(sheet, engines):
    _pdf, page = sheet
    px = DPI / 25.4
    for index, card in enumerate(CARDS):
        left, top = card_position(index)
        crop = page.crop((round(left * px), round(top * px), round((left + CARD_W) * px), round((top + CARD_H) * px)))
        texts = [code.text for code in decode(np.asarray(crop), engines)]
        assert texts == [card.payload], card.id
        assert recognise(texts[0]) is card


def test_vietnamese_text_is_in_the_pdf(sheet):
    pdf, _page = sheet
    assert shutil.which("pdftotext"), "pdftotext is missing: apt-get install poppler-utils"
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    text = text.replace("\u00a0", " ")
    for words in ("Cà phê Luka", "QUÉT MÃ NHẬN 50.000đ", "Wi-Fi Cà phê Luka", "Thẻ số 6", "Chủ tài khoản: TRAN THI MAI",
                  "Cà phê sữa đá: 25.000 đ"):
        assert words in text


def test_cards_cover_the_scams_in_the_issue():
    assert [c.id for c in CARDS] == ["luka-ok", "luka-receiver", "luka-broken", "bank-lookalike", "sticker-50k",
                                     "cafe-wifi"]
    assert [c.trust for c in CARDS] == [True, False, False, False, False, True]
    assert len({c.payload for c in CARDS}) == len(CARDS)
    assert CARDS[4].sticker and not any(c.sticker for c in CARDS if c.id != "sticker-50k")


@pytest.mark.parametrize("card", CARDS, ids=[c.id for c in CARDS])
def test_grading_is_specific_and_kind(card):
    right, wrong = grade(card, card.trust), grade(card, not card.trust)
    explanation = _(card.explanation)
    assert explanation != card.explanation, "the explanation is said in the kiosk's language"
    assert right.correct and right.heading == "Đúng rồi!" and right.feedback == explanation
    assert not wrong.correct and wrong.heading == "Bác thử lại nhé."
    assert wrong.feedback == ("Mã này tin được. " if card.trust else "Mã này không nên tin. ") + explanation


def test_recognition_is_exact_and_lesson_prompts_name_the_card_number():
    assert recognise(CARDS[0].payload + "\n") is CARDS[0]
    assert recognise(CARDS[0].payload[:-1]) is None
    assert card_by_id("cafe-wifi") is CARDS[5] and card_by_id("nope") is None
    assert card_number(CARDS[2]) == 3
    assert ask_for(CARDS[0]) == "Bài này dùng thẻ số 1 (Cà phê Luka). Bác hãy đưa thẻ số 1 lên trước máy ảnh."
    assert ask_for(CARDS[0], CARDS[1]).startswith("Đây là thẻ số 2. Bài này dùng thẻ số 1")


def test_the_counter_cards_teach_lesson_4s_check_with_valid_vietqr_codes():
    """Lesson 4: a small shop is often paid into its owner's account, so the name to check is the one
    printed at the counter. The honest card and the covered one are both well-formed VietQR codes with
    a right checksum; only the name inside tells them apart."""
    counter = {c.id: c for c in CARDS if c.id.startswith("luka-")}
    for card in counter.values():
        caption = _(card.caption)
        assert caption.replace("\u00a0", " ").splitlines() == ["Chủ tài khoản: TRAN THI MAI", "Cà phê sữa đá: 25.000 đ"]
        assert "TRAN\u00a0THI\u00a0MAI" in caption, "the name never breaks across lines"
    fields = {}
    for card_id in ("luka-ok", "luka-receiver"):
        payload = counter[card_id].payload
        parsed = parse_tlv(payload)
        assert parsed.problem is None, card_id
        top = {f.id: f for f in parsed.fields}
        assert [f.id for f in parsed.fields] == ["00", "01", "38", "53", "54", "58", "59", "60", "62", "63"]
        assert (top["00"].value, top["01"].value, top["53"].value, top["58"].value) == ("01", "12", "704", "VN")
        napas = top["38"]
        assert napas.child("00").value == "A000000727" and napas.child("02").value == "QRIBFTTA"
        assert bank_for(napas.child("01").child("00").value).short_name == "Vietcombank"
        assert top["54"].value == "25000" and len(top["59"].value) <= 25
        # field 63: CRC-16/CCITT-FALSE over everything before its value, checked with the standard library
        assert payload[-8:-4] == "6304" and payload[-4:] == f"{binascii.crc_hqx(payload[:-4].encode(), 0xFFFF):04X}"
        fields[card_id] = top["59"].value
    assert fields == {"luka-ok": "TRAN THI MAI", "luka-receiver": "NGUYEN VAN TUAN"}
    broken = counter["luka-broken"].payload
    assert broken[-4:] != f"{binascii.crc_hqx(broken[:-4].encode(), 0xFFFF):04X}" and "TRAN THI MAI" in broken
    ok, receiver = _(counter["luka-ok"].explanation), _(counter["luka-receiver"].explanation)
    assert "TRAN THI MAI" in ok and "chủ quán" in ok, "the honest card says small shops use the owner's name"
    assert "NGUYEN VAN TUAN" in receiver and "TRAN THI MAI" in receiver and "tài khoản của ai" in receiver
    assert "không phải quán" not in receiver, "a person's name is not what gives the covered code away"
