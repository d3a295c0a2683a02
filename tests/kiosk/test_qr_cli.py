"""``python -m kiosk.qr``: scan prints JSON lines and exits 0 or 2; inspect prints JSON; cards writes a PDF."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from kiosk.qr.practice import CARDS

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "fixtures" / "qr-samples" / "photos"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk.qr", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120)


def lines(result: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_scan_prints_one_json_line_per_image(tmp_path):
    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((200, 200), 255, np.uint8)).save(blank)
    images = [SAMPLES / "1.png", SAMPLES / "#1314.webp", blank]
    result = run("scan", *map(str, images))
    assert result.returncode == 0, result.stderr
    out = lines(result)
    assert [o["path"] for o in out] == [str(p) for p in images]
    assert out[0]["codes"] == [{"text": (SAMPLES / "1.txt").read_text("utf-8"), "kind": "text"}]
    assert out[1]["codes"][0]["text"] == (SAMPLES / "#1314.txt").read_text("utf-8")
    assert out[2]["codes"] == []
    assert all(isinstance(o["ms"], float) and o["ms"] >= 0 for o in out)


def test_scan_names_the_kind_of_each_code(tmp_path):
    from kiosk.qr.cards import qr_png

    path = tmp_path / "card.png"
    path.write_bytes(qr_png(CARDS[4].payload))
    (code,) = lines(run("scan", str(path)))[0]["codes"]
    assert code == {"text": CARDS[4].payload, "kind": "link"}


def test_scan_exits_2_for_an_unreadable_file_and_still_scans_the_rest(tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    result = run("scan", str(broken), str(tmp_path / "missing.jpg"), str(SAMPLES / "1.png"))
    assert result.returncode == 2
    assert f"cannot read {broken} as an image" in result.stderr
    assert f"cannot read {tmp_path / 'missing.jpg'} as an image" in result.stderr
    assert [o["path"] for o in lines(result)] == [str(SAMPLES / "1.png")]


def test_inspect_prints_the_report_as_json():
    result = run("inspect", CARDS[2].payload)
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["kind"] == "vietqr" and report["verdict"] == "danger"
    assert report["warnings"][0]["text"].startswith("Mã này đã bị sửa hoặc hỏng")


def test_inspect_reads_stdin_and_survives_garbage():
    report = json.loads(run("inspect", "-", stdin="WIFI:T:nopass;S:Quán;;").stdout)
    assert report["kind"] == "wifi" and report["warnings"][0]["code"] == "wifi_open"
    assert json.loads(run("inspect", "\x01\x02\x03\x04").stdout)["kind"] == "binary"


def test_cards_writes_the_pdf(tmp_path):
    out = tmp_path / "cards.pdf"
    result = run("cards", "--out", str(out))
    assert result.returncode == 0 and result.stdout.strip() == str(out)
    assert out.read_bytes().startswith(b"%PDF") and out.stat().st_size > 20_000
