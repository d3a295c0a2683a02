"""Small helpers that several test modules share: one place, so no test file imports another.

Bigger harnesses have their own modules (``tests.harness`` for the ward server, ``tests.faultproxy``,
``tests.postgres``, ``tests.ui``); what is here is the small stuff: records, card pictures, packs.
"""
import base64
import datetime as dt
import hashlib
import io
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Callable, NamedTuple

from PIL import Image

from deploy.update import build_release
from kiosk.config import KioskConfig
from kiosk.doctor import CameraProbe, Machine
from kiosk.qr.cards import qr_png
from kiosk.qr.practice import CARDS
from sync import enrollment
from sync.enrollment_code import EnrollmentCode
from sync.outbox_segments import encode, pending_doc, segment_name
from sync.records import RecordDraft
from tests.faultproxy import FaultProxy

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
QR_SAMPLES = FIXTURES / "qr-samples" / "photos"


def wait_for(condition: Callable[[], object], timeout: float = 10) -> None:
    """Poll ``condition`` until it is true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# The ward and the kiosk

def enroll_kiosk(config: KioskConfig, server) -> str:
    """Enroll the kiosk whose data lives in ``config.data_dir`` with ``server`` (a ``tests.harness.WardServer``),
    as ``kiosk-sync enroll`` does; returns its device id."""
    code = EnrollmentCode(server.url, server.enrollment_token())
    return enrollment.enroll_kiosk(config.data_dir, code, config.credentials_file).device.device_id


# Records and the outbox's files

def draft(kind: str = "heartbeat") -> RecordDraft:
    """A small valid record draft."""
    payload = {"step_id": "s1", "answer": "a", "correct": True, "attempt": 1} if kind == "step_answered" else {}
    return RecordDraft(device_id="kiosk-test", venue_id="ward-test", type=kind, payload=payload)


class Row(NamedTuple):
    id: str
    seq: int
    state: str


def write_pending_segments(folder: Path, records: list, per_segment: int = 128, damaged: set[int] = frozenset()) -> Path:
    """An outbox folder holding ``records`` (``sync.records.Record``, seqs from 1) pending, written as
    the outbox writes its segments, which is much faster than appending a long queue one by one.
    The seqs in ``damaged`` are stored broken, as a failing memory card leaves them."""
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for first in range(1, len(records) + 1, per_segment):
        docs = {r.seq: pending_doc(r, now) for r in records[first - 1:first - 1 + per_segment]}
        for seq in damaged & docs.keys():
            docs[seq]["state"] = "broken"
        (folder / segment_name(first, first + per_segment - 1)).write_bytes(encode(docs))
    return folder


def on_disk(folder: Path) -> list[Row]:
    """Every record in the outbox's segment files, read straight from disk."""
    rows = []
    for path in sorted(folder.glob("seg-*.json")):
        for key, doc in json.loads(path.read_text())["records"].items():
            rows.append(Row(doc["record"]["id"], int(key), doc["state"]))
    return rows


# NetworkManager

class FakeNmcli:
    """Plays nmcli for ``kiosk.wifi``: records each argv and answers with the given exit code and
    output; ``networks`` (terse ``SSID:SIGNAL:SECURITY`` lines) answers a scan, when given, and
    ``current`` (a network's name) the question which network the kiosk is on, when given."""

    STATUS = "ACTIVE,SSID"  # the fields kiosk.wifi.current_network asks for

    def __init__(self, returncode: int = 0, stdout: str = "", stderr: str = "", networks: str | None = None,
                 current: str | None = None) -> None:
        self.calls: list[list[str]] = []
        self.answer = (returncode, stdout, stderr)
        self.networks = networks
        self.current = current

    def __call__(self, argv) -> subprocess.CompletedProcess:
        self.calls.append(list(argv))
        if self.current is not None and self.STATUS in argv:
            escaped = self.current.replace("\\", "\\\\").replace(":", "\\:")
            code, out, err = 0, f"no:Hàng xóm\nyes:{escaped}\n", ""
        elif self.networks is not None and "list" in argv and self.STATUS not in argv:
            code, out, err = 0, self.networks, ""
        else:
            code, out, err = self.answer
        return subprocess.CompletedProcess(["nmcli", *argv], code, out, err)

    def changes(self) -> list[list[str]]:
        """The calls that change something (joining, profiles), not the questions which network is on."""
        return [call for call in self.calls if self.STATUS not in call]


WRONG_PASSWORD = "Error: Connection activation failed: (7) Secrets were required, but not provided.\n"


# The doctor's view of a machine

class BrokenMachine(Machine):
    """A unit with a loose touch cable, a busy camera, a weak charger and a failing SD card."""

    def environ(self):
        return {"DISPLAY": ":0"}

    def input_devices(self):
        return ""

    def camera(self, setting, seconds):
        time.sleep(0.5)  # a real camera takes seconds to say it is busy
        return CameraProbe(error="Camera __init__ sequence did not complete: camera in use by another process")

    def throttled(self):
        return "throttled=0x50005"

    def kernel_log(self):
        return "[ 12.3] mmc0: timeout waiting for hardware interrupt\n"

    def now(self):
        return dt.datetime(2026, 3, 2, 2, 30, tzinfo=dt.timezone.utc)


# Pictures of QR codes

def card_frame(payload: str, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A camera-sized picture of a code lying on a brown table."""
    code = Image.open(io.BytesIO(qr_png(payload, scale=4))).convert("RGB")
    frame = Image.new("RGB", size, (150, 130, 110))
    frame.paste(code, ((size[0] - code.width) // 2, (size[1] - code.height) // 2))
    return frame


def write_card_images(folder: Path) -> Path:
    """One PNG per practice card's code in ``folder``, in card order; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, card in enumerate(CARDS, 1):
        (folder / f"{number:02d}-{card.id}.png").write_bytes(qr_png(card.payload, scale=6))
    return folder


def write_learner_card_frames(folder: Path, count: int = 1) -> tuple[list[str], list[Path]]:
    """Camera frames of new printed learner cards: the sheet ``python -m kiosk.qr learner-cards`` makes, rendered
    by poppler as a printer would, each card cut out and laid on a table. Returns the cards' ids and frames."""
    from kiosk.qr.learner_cards import CARD_H, CARD_W, PER_PAGE, card_position, make_learner_cards

    assert 1 <= count <= PER_PAGE
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / "sheet.pdf"
    ids = make_learner_cards(pdf, count)
    dpi, px = 100, 100 / 25.4
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(pdf), str(folder / "sheet")], check=True)
    sheet = Image.open(folder / "sheet.png").convert("RGB")
    frames = []
    for index in range(count):
        left, top = card_position(index)
        card = sheet.crop((round(left * px), round(top * px), round((left + CARD_W) * px), round((top + CARD_H) * px)))
        frame = Image.new("RGB", (640, 480), (150, 130, 110))
        frame.paste(card, ((640 - card.width) // 2, (480 - card.height) // 2))
        frames.append(folder / f"card-{index + 1:02d}.png")
        frame.save(frames[-1])
    (folder / "sheet.png").unlink()
    pdf.unlink()
    return ids, frames


# Lesson packs

PACK_INFO = "id: thu\nversion: 1\nlanguage: {language}\ntitle: Thử\n"
# Line numbers in tests/lessons/test_validate.py refer to this text.
LESSON = """\
id: bai-thu
title: Bài thử
summary: Một bài để thử.
steps:
  - kind: explain
    id: gioi-thieu
    text: Xin chào Bác.
    image: hinh.png
  - kind: choice
    id: cau-1
    text: Bác chọn câu nào?
    correct: dung
    options:
      - {id: dung, text: Câu đúng, feedback: Đúng rồi.}
      - {id: sai, text: Câu sai, feedback: Chưa đúng.}
"""
LESSON_FILE = "01-bai-thu.yaml"


def write_pack(folder: Path, lesson: str = LESSON, language: str = "vi") -> Path:
    """A small valid pack (one lesson with a picture) in ``folder``, with ``lesson`` as its lesson."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text(PACK_INFO.format(language=language), encoding="utf-8")
    (folder / LESSON_FILE).write_text(lesson, encoding="utf-8")
    (folder / "hinh.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return folder


def run_lessons_cli(*args: object) -> subprocess.CompletedProcess:
    """``python -m lessons ARGS`` from the repository's root."""
    return subprocess.run([sys.executable, "-m", "lessons", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


# The network

class ScriptedProxy(FaultProxy):
    """A ``FaultProxy`` that plays the given faults in order, then passes every request."""

    def __init__(self, upstream_port: int, faults: list[str], delay_s: float = 2.0) -> None:
        super().__init__(upstream_port, fault_rate=0, delay_s=delay_s)
        self.script = list(faults)

    def _choose(self) -> str:
        with self._lock:
            fault = self.script.pop(0) if self.script else "pass"
            self.counts[fault] += 1
            return fault


# Kiosk releases

def kiosk_wheel(folder: Path, version: str) -> Path:
    """A minimal real wheel named bdhvs-kiosk, as pip builds them (METADATA, WHEEL, RECORD)."""
    info = f"bdhvs_kiosk-{version}.dist-info"
    files = {f"{info}/METADATA": f"Metadata-Version: 2.1\nName: bdhvs-kiosk\nVersion: {version}\n",
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
             "bdhvs_release_marker.py": f"VERSION = {version!r}\n"}
    record = [f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b'=').decode()},{len(text)}"
              for name, text in files.items()] + [f"{info}/RECORD,,"]
    path = folder / f"bdhvs_kiosk-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in {**files, f"{info}/RECORD": "\n".join(record) + "\n"}.items():
            archive.writestr(name, text)
    return path


def signed_release(folder: Path, private_key: Path, version: str) -> Path:
    """A release folder as ``kiosk-update build`` makes it, signed with ``private_key``, under ``folder``/out."""
    wheels = folder / f"wheels-{version}"
    wheels.mkdir(parents=True)
    return build_release([kiosk_wheel(wheels, version)], version, private_key, folder / "out")
