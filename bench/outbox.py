"""Append cost of the segmented outbox against TinyDB's default JSONStorage, measured in one run.

    python bench/outbox.py [--dir FOLDER] [--samples N]

Both stores fsync every write (JSONStorage does too), so the ratios compare like with like. Backlogs
are written straight to disk before timing, because filling 100,000 records one append at a time
would measure the filling, not the append. On a Pi, pass ``--dir`` on the SD card's data
partition: its fsync dominates and the absolute times grow, while the ratios are what to compare.

The outbox's own seq counter (``state.json``, fsync'd) is written once per new segment, one append
in 128, so it can show in the p99 but not in the median.

Targets: append at 100,000 pending <= 2x append at 100 pending; at 10,000 pending >= 10x faster than
the default storage.
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable

import psutil
from tinydb import TinyDB

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sync.atomic_storage import AtomicJSONStorage  # noqa: E402
from sync.outbox import Outbox  # noqa: E402
from sync.outbox_segments import TABLE, pending_doc, segment_name  # noqa: E402
from sync.records import Record, RecordDraft  # noqa: E402

OUTBOX_SIZES = (100, 10_000, 50_000, 100_000)
DEFAULT_SIZES = (100, 10_000, 50_000)
SEGMENT_RECORDS = 128


def draft() -> RecordDraft:
    """A typical record: an answered lesson step."""
    return RecordDraft(device_id="kiosk-bench", venue_id="ward-bench", type="step_answered",
                       lesson_id="zalo-send-photo", learner="anon-7f3a9c2e1b7f3a9c2e1b7f3a9c2e1b00",
                       payload={"step_id": "pick-photo", "answer": "gallery", "correct": True, "attempt": 1})


def docs(first: int, last: int, template: dict) -> dict[str, dict]:
    """Pending documents for seqs ``first``..``last``, each with its own id."""
    return {str(seq): {**template, "record": {**template["record"], "id": str(uuid.uuid4()), "seq": seq}}
            for seq in range(first, last + 1)}


def prefill_outbox(folder: Path, count: int) -> None:
    """Write ``count`` pending records as full segments, one file at a time to keep memory flat."""
    template = pending_doc(Record(**draft().model_dump(), seq=1), time.time())
    for first in range(1, count + 1, SEGMENT_RECORDS):
        last = first + SEGMENT_RECORDS - 1
        storage = AtomicJSONStorage(folder / segment_name(first, last), fsync=False)
        storage.write({TABLE: docs(first, min(last, count), template)})


def prefill_default(path: Path, count: int) -> None:
    template = pending_doc(Record(**draft().model_dump(), seq=1), time.time())
    path.write_text(json.dumps({"_default": docs(1, count, template)}))


def timed(action: Callable[[], object], samples: int) -> list[float]:
    """Milliseconds per call of ``action``, ``samples`` times."""
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def bench_outbox(root: Path, count: int, samples: int, fsync: bool) -> dict:
    folder = root / f"outbox-{count}-{fsync}"
    folder.mkdir()
    prefill_outbox(folder, count)
    os.sync()  # the backlog's pages reach the disk now, not inside the first timed fsync
    rss_before = psutil.Process().memory_info().rss
    start = time.perf_counter()
    outbox = Outbox(folder, segment_records=SEGMENT_RECORDS, fsync=fsync)
    open_s = time.perf_counter() - start
    drafts = iter([draft() for _ in range(samples)])
    times = timed(lambda: outbox.append(next(drafts)), samples)
    rss_growth_mb = (psutil.Process().memory_info().rss - rss_before) / 2**20
    assert outbox.stats().pending == count + samples
    del outbox
    shutil.rmtree(folder)
    return {"times": times, "open_s": open_s, "rss_growth_mb": rss_growth_mb}


def bench_default(root: Path, count: int, samples: int) -> list[float]:
    path = root / f"default-{count}.json"
    prefill_default(path, count)
    db = TinyDB(path)
    doc = pending_doc(Record(**draft().model_dump(), seq=count + 1), time.time())
    times = timed(lambda: db.insert(doc), samples)
    db.close()
    path.unlink()
    return times


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help="where to write (default: a temporary folder)")
    parser.add_argument("--samples", type=int, default=500, help="timed appends per backlog size")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="outbox-bench-", dir=args.dir))
    try:
        run(root, args.samples)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run(root: Path, samples: int) -> None:
    print(f"outbox append, segments of {SEGMENT_RECORDS} records, {samples} appends per size, in {root}")
    print(f"{'pending':>8} {'fsync':>5} {'median ms':>10} {'p99 ms':>8} {'open s':>7} {'RSS +MB':>8}")
    outbox = {}
    for fsync in (True, False):
        for count in OUTBOX_SIZES:
            result = bench_outbox(root, count, samples, fsync)
            median, p99 = summary(result["times"])
            outbox[count, fsync] = median, p99
            print(f"{count:>8} {'on' if fsync else 'off':>5} {median:>10.3f} {p99:>8.3f} "
                  f"{result['open_s']:>7.2f} {result['rss_growth_mb']:>8.1f}")
    print(f"peak RSS after the outbox runs: {peak_rss_mb():.0f} MB")

    default_samples = {100: samples, 10_000: 30, 50_000: 10}
    print("\nTinyDB default JSONStorage insert (fsync on), backlog written directly")
    print(f"{'stored':>8} {'n':>4} {'median ms':>10} {'p99 ms':>8} {'vs outbox (median)':>19}")
    default = {}
    for count in DEFAULT_SIZES:
        median, p99 = default[count] = summary(bench_default(root, count, default_samples[count]))
        print(f"{count:>8} {default_samples[count]:>4} {median:>10.3f} {p99:>8.3f} "
              f"{median / outbox[count, True][0]:>18.1f}x")
    print(f"peak RSS after all runs: {peak_rss_mb():.0f} MB")

    flat = outbox[100_000, True][0] / outbox[100, True][0]
    flat_p99 = outbox[100_000, True][1] / outbox[100, True][1]
    faster = default[10_000][0] / outbox[10_000, True][0]
    print(f"\nflatness: median at 100,000 / at 100 = {flat:.2f}x (p99 {flat_p99:.2f}x), target <= 2x: "
          f"{'met' if flat <= 2 else 'NOT met'}")
    print(f"speed-up at 10,000 over the default storage = {faster:.0f}x, target >= 10x: "
          f"{'met' if faster >= 10 else 'NOT met'}")
    print(f"fsync cost at 100,000: median {outbox[100_000, True][0]:.3f} ms on vs {outbox[100_000, False][0]:.3f} ms off")


if __name__ == "__main__":
    main()
