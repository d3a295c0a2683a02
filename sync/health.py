"""``sync-health.json``: what ``kiosk doctor`` and a watchdog read to see that sync is alive and well.

The sync worker rewrites it (atomically) whenever what it says changes, and at least once a minute
while its thread runs, so a stale ``alive_at`` means the thread is stuck or dead even when the
state still looks fine. ``alive_monotonic`` and ``boot_id`` let a reader on the same boot judge the
age without trusting the wall clock (a Pi has no clock battery). Nothing about learners is in it.
"""
import json
from pathlib import Path
from typing import Any

from sync.atomic_storage import write_atomically

FILE_NAME = "sync-health.json"
ALIVE_EVERY_S = 60.0  # the worker refreshes the file at least this often
STALE_AFTER_S = 3 * ALIVE_EVERY_S  # older than this: the sync thread is not running
MAX_BYTES = 64 * 1024


def health_path(data_dir: Path) -> Path:
    return Path(data_dir) / FILE_NAME


def write_health(data_dir: Path, health: dict[str, Any]) -> None:
    """Replace the health file with ``health`` (JSON-ready values)."""
    path = health_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps({**health, "stale_after_s": STALE_AFTER_S}, indent=1, sort_keys=True).encode())


def read_health(data_dir: Path) -> dict[str, Any] | None:
    """The last health the worker wrote, or None when there is none or it cannot be read."""
    try:
        with open(health_path(data_dir), "rb") as handle:
            document = json.loads(handle.read(MAX_BYTES + 1))
    except (OSError, ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None
