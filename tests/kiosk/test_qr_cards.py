"""The printable practice cards: a real PDF whose printed codes read back as the catalogue's payloads,
and the drill's grading of each card."""
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kiosk.i18n import _
from kiosk.qr.decode import decode
from kiosk.qr.cards import CARD_H, CARD_W, card_position, make_pdf
from kiosk.qr.engines import ZbarEngine
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
    for words in ("Cà phê Luka", "QUÉT MÃ NHẬN 50.000đ", "Wi-Fi Cà phê Luka", "Thẻ số 6", "Cà phê sữa đá: 25.000đ"):
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
