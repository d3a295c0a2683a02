"""Presenting a learner card, in plain Python: what was scanned or typed, and the keypad for the short code.

A card's QR code holds its id (``card-…``); the short code printed under it (``7MCZ-76P7-K61``) is
for learners whose eyes, or whose kiosk's camera, cannot read the QR code. Typing it on a touch
screen needs 32 letters and digits, and the last (check) character can also be one of ``* ~ $ = U``.
With 20 mm keys 5 mm apart, 18 keys fit the 7-inch 800×480 screen, so the keys come in pages
(digits, A–K, M–Z, and the check symbols shown only when the last character is due), each page
key in the same place every time. The card never holds I, L, O or U before its check character,
so the keypad has none of them there.
"""
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sync.learner_ids import ALPHABET, CARD_LENGTH, CHECK_SYMBOLS, is_learner_id, parse_short_code

if TYPE_CHECKING:
    from kiosk.card_progress import CardProgressStore

CODE_LENGTH = CARD_LENGTH + 1
MAX_TEXT = 40  # a card id or a short code is far shorter; a longer scan is some other code

# Page name -> its keys, upper-case as printed on the card.
PAGES = {"0–9": "0123456789", "A–K": "ABCDEFGHJK", "M–Z": "MNPQRSTVWXYZ", "* ~ $ = U": "*~$=U"}
CHECK_ONLY = "* ~ $ = U"  # the page of characters only a check character can be


def card_id_in(text: str) -> str | None:
    """The card id a scanned QR code (the id itself) or a typed short code stands for; None for anything else."""
    text = text.strip()[:MAX_TEXT]
    return text if is_learner_id(text) and text.startswith("card-") else parse_short_code(text)


Verdict = Literal["open", "not_a_card", "lost"]


@dataclass(frozen=True)
class Reading:
    verdict: Verdict
    card_id: str | None = None


def read_card(text: str, cards: "CardProgressStore") -> Reading:
    """Whether ``text`` opens a card's session here: a card id not reported lost (a card never seen starts fresh)."""
    card_id = card_id_in(text)
    if card_id is None:
        return Reading("not_a_card")
    return Reading("lost", card_id) if cards.progress(card_id) is None else Reading("open", card_id)


def pages_for(typed: str) -> list[str]:
    """The page keys to offer: the check symbols' page only when the check character is the one to type."""
    return [page for page in PAGES if page != CHECK_ONLY or len(typed) == CARD_LENGTH]


def keys_on(page: str, typed: str) -> str:
    """The keys of ``page`` that may come next after ``typed`` (none once the code is complete)."""
    if len(typed) >= CODE_LENGTH or page not in pages_for(typed):
        return ""
    allowed = (CHECK_SYMBOLS if len(typed) == CARD_LENGTH else ALPHABET).upper()
    return "".join(key for key in PAGES[page] if key in allowed)


def shown_code(typed: str) -> str:
    """``typed`` as the card prints it, with a blank for each character still to come: ``7MCZ-76P_-___``."""
    padded = typed.ljust(CODE_LENGTH, "_")
    return f"{padded[:4]}-{padded[4:8]}-{padded[8:]}"
