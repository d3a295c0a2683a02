"""An A4 sheet of learner cards: a QR code of a fresh card id, its short code in large print, and how to use it.

A card holds nothing but a random pseudonymous id (sync/learner_ids.py): no name, no phone number,
so a card found on the street tells nobody anything, and a lost one is replaced by a volunteer
without losing the learner's progress. The short code is printed large for learners whose eyes or
whose camera cannot read the QR code; its check character catches a mistyped code.
"""
import io
import time
from pathlib import Path

from fpdf import FPDF

from kiosk.i18n import N_, _
from kiosk.qr.cards import grid_position, qr_png, write_sheet
from sync.learner_ids import card_short_code, new_card_id

COLUMNS, ROWS = 2, 4
PER_PAGE = COLUMNS * ROWS
CARD_W, CARD_H = 92, 66    # mm
QR_SIZE = 40               # mm; a card id is short, so its modules are large
MAX_COUNT = 1000           # a volunteer prints a class's worth; more is a typo
TITLE = N_("Learner card")
HOW_TO = N_("Scan this card at the learning kiosk to continue your lessons. No password needed. "
            "If you lose the card, tell a volunteer.")
SHEET_TITLE = N_("Learner cards")
FOOTER = "Bình Dân Học Vụ Số"  # the programme's name, the same in every language


def _draw_card(pdf: FPDF, card_id: str, left: float, top: float) -> None:
    pdf.set_draw_color(120, 120, 120)
    with pdf.local_context():
        pdf.set_dash_pattern(dash=2, gap=2)
        pdf.rect(left, top, CARD_W, CARD_H, style="D")
    pdf.image(io.BytesIO(qr_png(card_id)), x=left + 3, y=top + 3, w=QR_SIZE, h=QR_SIZE)
    text_left, text_w = left + QR_SIZE + 5, CARD_W - QR_SIZE - 8
    pdf.set_xy(text_left, top + 5)
    pdf.set_font("Roboto", "B", 13)
    pdf.cell(text_w, 6, _(TITLE), align="L")
    pdf.set_xy(text_left, top + 13)
    pdf.set_font("Roboto", "", 10)
    pdf.multi_cell(text_w, 4.6, _(HOW_TO), align="L")
    pdf.set_xy(left + 3, top + QR_SIZE + 5)
    pdf.set_font("Roboto", "B", 22)
    pdf.cell(CARD_W - 6, 10, card_short_code(card_id), align="C")
    pdf.set_xy(left + 3, top + CARD_H - 7)
    pdf.set_font("Roboto", "", 7)
    pdf.cell(CARD_W - 6, 4, FOOTER, align="C")


def card_position(index: int) -> tuple[float, float]:
    """Top-left corner (mm) of card ``index`` on its page."""
    return grid_position(index, COLUMNS, ROWS, CARD_W, CARD_H)


def make_learner_cards(out: Path, count: int) -> list[str]:
    """Write ``count`` new cards to ``out`` (eight per A4 page) and return their ids in print order."""
    if not 1 <= count <= MAX_COUNT:
        raise ValueError(f"count must be between 1 and {MAX_COUNT}")
    ids = [new_card_id() for _index in range(count)]
    write_sheet(out, _(SHEET_TITLE), ids, PER_PAGE, card_position, _draw_card)
    return ids


def print_to_folder(folders: list[Path], count: int = PER_PAGE) -> tuple[Path, list[str]] | None:
    """A page of new cards as a PDF on the first of ``folders`` (a USB stick), named by the time so none is
    overwritten; None when there is no folder. For the volunteer screen, which prints them elsewhere."""
    if not folders:
        return None
    out = folders[0] / f"the-hoc-{time.strftime('%Y%m%d-%H%M%S')}.pdf"
    return out, make_learner_cards(out, count)
