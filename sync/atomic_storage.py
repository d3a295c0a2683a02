"""A TinyDB storage that never leaves a half-written file behind.

TinyDB's JSONStorage rewrites its file in place, so a power cut mid-write can leave JSON that no
longer parses. This storage writes a temporary file, fsyncs it, renames it over the old one and
fsyncs the folder, so after a crash the file holds either the old or the new content, whole. The
folder fsync is what makes the rename itself durable: without it ext4 may forget a rename that was
still in its journal when the power went.

Every fsync waits for the medium. On a Raspberry Pi's SD card that typically costs milliseconds
to tens of milliseconds, far more than the write itself, and it is the same cost whatever the
file's size; that is why the outbox keeps its files small rather than skipping fsyncs.
"""
import json
import os
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

TEMP_SUFFIX = ".tmp"


def fsync_folder(folder: Path) -> None:
    """Make renames, creations and removals in ``folder`` durable."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def write_atomically(path: Path, data: bytes, fsync: bool = True) -> None:
    """Replace ``path`` with ``data`` so a crash leaves either the old or the new file.

    On any failure (a full disk included) the temporary file is removed and ``path`` is untouched.
    ``fsync=False`` keeps the atomic rename but not the durability; only benchmarks use it.
    """
    temp = path.with_name(path.name + TEMP_SUFFIX)
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if fsync:
        fsync_folder(path.parent)


class AtomicJSONStorage(Storage):
    """JSON storage for TinyDB written with :func:`write_atomically`.

    It keeps the data it last read or wrote, so a small database that is written often (an outbox
    segment) is parsed once, not on every insert. That is only sound while this object is the file's
    one writer; after a failed write it forgets the copy and reads the disk again. ``size`` is the
    file's length in bytes as last read or written.
    """

    def __init__(self, path: str | Path, fsync: bool = True) -> None:
        self.path = Path(path)
        self.fsync = fsync
        self.size = 0
        self._data: dict[str, dict[str, Any]] | None = None

    def read(self) -> dict[str, dict[str, Any]] | None:
        if self._data is None:
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                return None
            self._data = json.loads(raw) if raw else None
            self.size = len(raw)
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self._data = None
        raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        write_atomically(self.path, raw, self.fsync)
        self._data, self.size = data, len(raw)

    def close(self) -> None:
        self._data = None
