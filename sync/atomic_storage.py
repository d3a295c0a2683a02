"""A TinyDB storage that never leaves a half-written file behind, and the one place the outbox fsyncs.

TinyDB's JSONStorage rewrites its file in place, so a power cut mid-write can leave JSON that no
longer parses. This storage writes a temporary file, fsyncs it, renames it over the old one and
fsyncs the folder, so after a crash the file holds either the old or the new content, whole. The
folder fsync is what makes the rename itself durable: without it ext4 may forget a rename that was
still in its journal when the power went. For the same reason a folder it creates is followed by
an fsync of its parent.

Every fsync waits for the medium. On a Raspberry Pi's SD card that typically costs milliseconds
to tens of milliseconds, far more than the write itself, and it is the same cost whatever the
file's size; that is why the outbox keeps its files small rather than skipping fsyncs.

The seam: every fsync goes through :meth:`AtomicJSONStorage.sync`, and the outbox writes its
other files and folders through the storage class's class methods. A test hands the outbox a
subclass whose ``sync`` fails as a full or broken card would, instead of patching ``os.fsync`` for
the whole process.
"""
import json
import os
from pathlib import Path
from typing import Any, Callable

from tinydb.storages import Storage

TEMP_SUFFIX = ".tmp"

Sync = Callable[[int], None]


def fsync_folder(folder: Path, sync: Sync = os.fsync) -> None:
    """Make renames, creations and removals in ``folder`` durable."""
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        sync(handle)
    finally:
        os.close(handle)


def write_atomically(path: Path, data: bytes, sync: Sync | None = os.fsync) -> None:
    """Replace ``path`` with ``data`` so a crash leaves either the old or the new file.

    On any failure (a full disk included) the temporary file is removed and ``path`` is untouched.
    ``sync=None`` keeps the atomic rename but not the durability; only benchmarks use it.
    """
    temp = path.with_name(path.name + TEMP_SUFFIX)
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                sync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if sync:
        fsync_folder(path.parent, sync)


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

    @staticmethod
    def sync(fd: int) -> None:
        """Flush one open file or folder to the medium; every fsync of the outbox passes here."""
        os.fsync(fd)

    @classmethod
    def sync_folder(cls, folder: Path) -> None:
        fsync_folder(folder, cls.sync)

    @classmethod
    def replace(cls, path: Path, data: bytes, fsync: bool = True) -> None:
        """Write a whole file atomically, durable when ``fsync``."""
        write_atomically(path, data, cls.sync if fsync else None)

    @classmethod
    def make_folder(cls, folder: Path, fsync: bool = True) -> None:
        """Create ``folder`` and missing parents, each made durable by an fsync of its parent."""
        missing = [f for f in (folder, *folder.parents) if not f.is_dir()]
        for created in reversed(missing):
            try:
                created.mkdir()
            except FileExistsError:
                if not created.is_dir():
                    raise
            if fsync:
                cls.sync_folder(created.parent)

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
        self.replace(self.path, raw, self.fsync)
        self._data, self.size = data, len(raw)

    def close(self) -> None:
        self._data = None
