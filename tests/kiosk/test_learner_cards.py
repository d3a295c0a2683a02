"""Printed learner cards: the CLI's PDF decodes back to exactly the ids it reports, short codes included."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kiosk.qr.decode import decode
from kiosk.qr.engines import ZbarEngine
from kiosk.qr.learner_cards import CARD_H, CARD_W, PER_PAGE, card_position, make_learner_cards
from sync.learner_ids import card_short_code, is_learner_id, parse_short_code

DPI = 150
REPO = Path(__file__).resolve().parents[2]


def render(pdf: Path, folder: Path) -> list[Image.Image]:
    """Every page as a printer would see it, through poppler's pdftoppm."""
    assert shutil.which("pdftoppm"), "pdftoppm is missing: apt-get install poppler-utils"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(folder / "page")], check=True)
    return [Image.open(path).convert("L") for path in sorted(folder.glob("page*.png"))]


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("learner-cards")
    out = folder / "cards.pdf"
    result = subprocess.run([sys.executable, "-m", "kiosk.qr", "learner-cards", "--count", "10", "--out", str(out)],
                            cwd=REPO, check=True, capture_output=True, text=True)
    return out, json.loads(result.stdout)["cards"]


def test_every_printed_code_decodes_to_a_reported_id(printed, tmp_path):
    pdf, ids = printed
    assert len(ids) == len(set(ids)) == 10 and all(is_learner_id(i) and i.startswith("card-") for i in ids)
    pages = render(pdf, tmp_path)
    assert len(pages) == 2
    px = DPI / 25.4
    read = []
    for index in range(len(ids)):
        left, top = card_position(index)
        page = pages[index // PER_PAGE]
        crop = page.crop((round(left * px), round(top * px), round((left + CARD_W) * px), round((top + CARD_H) * px)))
        read += [code.text for code in decode(np.asarray(crop), (ZbarEngine(),))]
    assert read == ids


def test_short_codes_and_vietnamese_instructions_are_printed(printed):
    pdf, ids = printed
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    text = " ".join(text.split())  # the instructions wrap inside the card
    assert "Không cần mật khẩu." in text and "Mất thẻ thì báo tình nguyện viên." in text
    for card_id in ids:
        assert card_short_code(card_id) in text
        assert parse_short_code(card_short_code(card_id).lower().replace("-", " ")) == card_id


def test_count_is_bounded(tmp_path):
    with pytest.raises(ValueError):
        make_learner_cards(tmp_path / "x.pdf", 0)
    result = subprocess.run([sys.executable, "-m", "kiosk.qr", "learner-cards", "--count", "100000", "--out",
                             str(tmp_path / "x.pdf")], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 2 and not (tmp_path / "x.pdf").exists()
