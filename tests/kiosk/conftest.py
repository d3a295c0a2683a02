"""Fixtures for kiosk UI tests: a replay camera that shows printed practice cards."""
from pathlib import Path

import pytest

from kiosk.qr.cards import qr_png
from kiosk.qr.practice import CARDS


@pytest.fixture(scope="session")
def qr_camera(tmp_path_factory) -> str:
    """The ``camera`` setting for a replay camera looping over every practice card's code."""
    folder: Path = tmp_path_factory.mktemp("practice-cards")
    for number, card in enumerate(CARDS, 1):
        (folder / f"{number:02d}-{card.id}.png").write_bytes(qr_png(card.payload, scale=6))
    return f"replay:{folder}"
