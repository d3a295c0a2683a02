"""A TinyDB storage that never leaves a half-written file behind.

TinyDB's JSONStorage rewrites its file in place, so a power cut mid-write can leave JSON that no
longer parses. This storage writes a temporary file, fsyncs it, renames it over the old one and
fsyncs the folder, so after a crash the file holds either the old or the new content, whole.
"""
import json
import os
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

TEMP_SUFFIX = ".tmp"


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so a crash leaves either the old or the new file."""
    temp = path.with_name(path.name + TEMP_SUFFIX)
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


class AtomicJSONStorage(Storage):
    """JSON storage for TinyDB written with :func:`write_atomically`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return json.loads(text) if text else None

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        write_atomically(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    def close(self) -> None:
        pass
