"""Images of the printed practice cards, for a replay camera in tests and screenshots."""
from pathlib import Path

from kiosk.qr.cards import qr_png
from kiosk.qr.practice import CARDS


def write_card_images(folder: Path) -> Path:
    """One PNG per practice card's code in ``folder``, in card order; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, card in enumerate(CARDS, 1):
        (folder / f"{number:02d}-{card.id}.png").write_bytes(qr_png(card.payload, scale=6))
    return folder
