"""An A4 sheet of the practice cards for volunteers to print and cut: six cards, 2 × 3.

fpdf2 writes the PDF (pure Python, small); segno makes each QR code as a PNG with a four-module
quiet zone and error correction level M or better, so a card still reads after some wear. Text is
in the kiosk's language (the gettext catalog), set in Roboto, the font Kivy ships and the kiosk's screen uses, which has every Vietnamese
diacritic; it is found inside the installed Kivy package, which is not imported.
"""
import importlib.util
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import segno
from fpdf import FPDF

from kiosk.i18n import N_, _
from kiosk.qr.practice import CARDS, Card, card_number

PAGE_W, PAGE_H = 210, 297  # mm, A4
COLUMNS, ROWS = 2, 3
PER_PAGE = COLUMNS * ROWS
T = TypeVar("T")
CARD_W, CARD_H = 92, 90    # mm
QR_SIZE = 52               # mm; at 300 dpi a module of the densest card is still > 0.8 mm
STICKER_YELLOW = (255, 214, 0)
NUMBER = N_("Card number {number}")
FOOTER = N_("QR scanning practice card · Bình Dân Học Vụ Số")
SHEET_TITLE = N_("QR scanning practice cards")


def _font_dir() -> Path:
    spec = importlib.util.find_spec("kivy")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the Roboto font comes with Kivy, which is not installed")
    return Path(spec.submodule_search_locations[0]) / "data" / "fonts"


def qr_png(payload: str, scale: int = 12) -> bytes:
    """The card's QR code as PNG bytes; UTF-8 without an ECI marker, which phones read best."""
    code = segno.make_qr(payload, error="m", encoding="utf-8" if not payload.isascii() else None)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def _draw_card(pdf: FPDF, card: Card, left: float, top: float) -> None:
    if card.sticker:
        pdf.set_fill_color(*STICKER_YELLOW)
        pdf.rect(left, top, CARD_W, CARD_H, style="F")
    pdf.set_draw_color(120, 120, 120)
    with pdf.local_context():
        pdf.set_dash_pattern(dash=2, gap=2)
        pdf.rect(left, top, CARD_W, CARD_H, style="D")
    pdf.set_xy(left + 3, top + 4)
    pdf.set_font("Roboto", "B", 17)
    pdf.cell(CARD_W - 6, 8, _(card.title), align="C")
    pdf.image(io.BytesIO(qr_png(card.payload)), x=left + (CARD_W - QR_SIZE) / 2, y=top + 14, w=QR_SIZE, h=QR_SIZE)
    pdf.set_xy(left + 4, top + 14 + QR_SIZE + 2)
    pdf.set_font("Roboto", "", 11)
    pdf.multi_cell(CARD_W - 8, 5, _(card.caption), align="C")
    pdf.set_xy(left + 3, top + CARD_H - 12)
    pdf.set_font("Roboto", "B", 11)
    pdf.cell(CARD_W - 6, 5, _(NUMBER).format(number=card_number(card)), align="C")
    pdf.set_xy(left + 3, top + CARD_H - 6.5)
    pdf.set_font("Roboto", "", 7)
    pdf.cell(CARD_W - 6, 4, _(FOOTER), align="C")


def new_sheet(title: str) -> FPDF:
    """An empty A4 document with the Roboto faces registered, for any sheet of cards to print."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_author("Bình Dân Học Vụ Số")
    pdf.set_auto_page_break(False)
    fonts = _font_dir()
    pdf.add_font("Roboto", "", str(fonts / "Roboto-Regular.ttf"))
    pdf.add_font("Roboto", "B", str(fonts / "Roboto-Bold.ttf"))
    return pdf


def make_pdf(out: Path, cards: tuple[Card, ...] = CARDS) -> Path:
    """Write the sheet(s) to ``out``: six cards per A4 page."""
    write_sheet(out, _(SHEET_TITLE), cards, PER_PAGE, card_position, _draw_card)
    return out


def write_sheet(out: Path, title: str, items: Sequence[T], per_page: int,
                position: Callable[[int], tuple[float, float]], draw: Callable[[FPDF, T, float, float], None]) -> None:
    """The loop both card sheets share: a new A4 page every ``per_page`` cards, each drawn at its place."""
    pdf = new_sheet(title)
    for index, item in enumerate(items):
        if index % per_page == 0:
            pdf.add_page()
        draw(pdf, item, *position(index))
    pdf.output(str(out))


def card_position(index: int) -> tuple[float, float]:
    """Top-left corner (mm) of card ``index`` on its page: cards fill rows left to right."""
    return grid_position(index, COLUMNS, ROWS, CARD_W, CARD_H)


def grid_position(index: int, columns: int, rows: int, width: float, height: float) -> tuple[float, float]:
    """Top-left corner (mm) of cell ``index`` in a page-sized grid, equal margins around every cell."""
    margin_x = (PAGE_W - columns * width) / (columns + 1)
    margin_y = (PAGE_H - rows * height) / (rows + 1)
    per_page = columns * rows
    column, row = index % per_page % columns, index % per_page // columns
    return margin_x + column * (width + margin_x), margin_y + row * (height + margin_y)
