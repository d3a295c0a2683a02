"""The USB export of a long queue: streamed in batches, in little memory, while appends go on.

Memory is the process's peak resident size while exporting (Linux's VmHWM, reset just before):
tracemalloc would measure the same but make the export six times slower."""
import re
import threading
import time
import uuid
from pathlib import Path

from sync.bundle import export_bundle, read_bundle
from sync.credentials import Credentials
from sync.outbox import Outbox
from tests.helpers import write_pending_segments
from tests.sync.factory import make_draft, make_records

PENDING = 100_000
PER_SEGMENT = 1000
KEY = "7a" * 32
STATUS = Path("/proc/self/status")


def memory_kb(field: str) -> int:
    return int(re.search(rf"{field}:\s+(\d+) kB", STATUS.read_text())[1])


def reset_peak_memory() -> None:
    """Start Linux's count of this process's peak memory (VmHWM) again from its present size."""
    Path("/proc/self/clear_refs").write_text("5")


def test_exporting_100000_records_streams_in_little_memory_and_appends_go_on(tmp_path):
    first = make_records("kiosk-usb00001", 1)[0]  # the others are copies: validating 100,000 takes seconds
    queue = [first.model_copy(update={"id": uuid.uuid4(), "seq": seq}) for seq in range(1, PENDING + 1)]
    write_pending_segments(tmp_path / "outbox", queue, PER_SEGMENT)
    outbox = Outbox(tmp_path / "outbox", segment_records=PER_SEGMENT, fsync=False)
    assert outbox.stats().pending == PENDING
    credentials = Credentials(server_url="https://ward.example", device_id="kiosk-usb00001", secret="s" * 43,
                              venue_id="ca-phe-luka", name="Cà phê Luka", bundle_key=KEY)
    seen: list[tuple[int, int]] = []
    halfway = threading.Event()
    append_took: list[float] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done >= PENDING // 2:
            halfway.set()

    def append_meanwhile() -> None:
        halfway.wait(60)
        started = time.monotonic()
        outbox.append(make_draft("kiosk-usb00001"))
        append_took.append(time.monotonic() - started)

    learner = threading.Thread(target=append_meanwhile)
    learner.start()
    reset_peak_memory()
    before = memory_kb("VmRSS")
    path, count = export_bundle(outbox, credentials, tmp_path / "usb", progress)
    grew_mb = (memory_kb("VmHWM") - before) / 1024
    learner.join(10)

    assert grew_mb < 60, f"the export took {grew_mb:.0f} MB"  # a few batches, not the whole queue (430 MB before)
    assert append_took and append_took[0] < 2.0, append_took  # not held until the export ends
    assert count in (PENDING, PENDING + 1) and seen[-1] == (count, max(PENDING, count))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen) and len(seen) >= PENDING // 500
    records = read_bundle(path, lambda device: KEY).records
    assert [r["seq"] for r in records] == list(range(1, count + 1))
    assert path.name.endswith(f"-1-{count}.bundle.json")
