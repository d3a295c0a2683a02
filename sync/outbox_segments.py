"""The outbox's segment files: their names, their documents, and how one is read back and checked.

A segment is a small TinyDB database (``AtomicJSONStorage``) holding the records of one seq range.
Its name carries that range, ``seg-<first>-<last>.json``, reserved when the segment is created: the
outbox fills a segment up to ``last`` before it starts the next one. So even a segment that can no
longer be read still says which seqs it may have used, and the seq counter can step past them.

Each document is keyed by the record's seq and holds ``state`` (``pending``, ``acked`` or
``rejected``), ``queued_at`` (wall-clock seconds), the record as JSON, and ``acked_at`` or
``reason`` once the server answered.
"""
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.atomic_storage import AtomicJSONStorage
from sync.records import Record

TABLE = "records"
STATES = ("pending", "acked", "rejected")
_NAME = re.compile(r"^seg-(\d{12})-(\d{12})\.json$")


class CorruptSegment(ValueError):
    """A segment file parsed as JSON but is not what the outbox writes."""


def segment_name(first: int, last: int) -> str:
    """The file name of the segment reserved for seqs ``first`` to ``last``."""
    return f"seg-{first:012d}-{last:012d}.json"


def seq_range(path: Path) -> tuple[int, int] | None:
    """The seq range a segment file's name reserves, or None for a file that is not a segment."""
    match = _NAME.match(path.name)
    return (int(match[1]), int(match[2])) if match else None


def pending_doc(record: Record, queued_at: float | None = None) -> dict[str, Any]:
    """The document a newly queued record is stored as."""
    return {"state": "pending", "queued_at": time.time() if queued_at is None else queued_at,
            "record": record.model_dump(mode="json")}


@dataclass(eq=False)
class Segment:
    """What the outbox remembers of one segment file, so it never re-reads files to count."""

    folder: Path
    first: int
    last: int
    pending: dict[int, float] = field(default_factory=dict)  # seq -> queued_at, in seq order
    acked: int = 0
    rejected: int = 0
    top: int = 0  # the highest seq stored; 0 while the segment has no file yet
    acked_at: float = 0.0  # when its latest record was acked
    size: int = 0

    @property
    def path(self) -> Path:
        return self.folder / segment_name(self.first, self.last)


def read_segment(path: Path) -> tuple[Segment, dict[str, int]]:
    """Parse and check one segment file; returns it and the ids of its pending records.

    Raises ValueError (JSON or :class:`CorruptSegment`) for a file that cannot be trusted, OSError
    for one that cannot be read. Record contents are validated later, when they are sent.
    """
    first, last = seq_range(path)
    storage = AtomicJSONStorage(path)
    data = storage.read()
    docs = data.get(TABLE) if isinstance(data, dict) else None
    if not isinstance(docs, dict) or not docs:
        raise CorruptSegment(f"{path.name}: no '{TABLE}' table")
    segment = Segment(path.parent, first, last, size=storage.size)
    ids: dict[str, int] = {}
    for seq, doc in sorted((_seq(path, key, first, last), doc) for key, doc in docs.items()):
        record_id = _check(path, seq, doc)
        segment.top = seq
        if doc["state"] == "pending":
            segment.pending[seq] = doc["queued_at"]
            ids[record_id] = seq
        elif doc["state"] == "acked":
            segment.acked += 1
            segment.acked_at = max(segment.acked_at, doc.get("acked_at", 0.0))
        else:
            segment.rejected += 1
    return segment, ids


def _seq(path: Path, key: str, first: int, last: int) -> int:
    if not key.isdigit() or not first <= int(key) <= last:
        raise CorruptSegment(f"{path.name}: document {key!r} is outside the segment's seq range")
    return int(key)


def _check(path: Path, seq: int, doc: Any) -> str:
    """The record id of a well-formed document; CorruptSegment otherwise."""
    record = doc.get("record") if isinstance(doc, dict) else None
    if (not isinstance(record, dict) or doc.get("state") not in STATES or record.get("seq") != seq
            or not isinstance(record.get("id"), str) or not isinstance(doc.get("queued_at"), (int, float))
            or not isinstance(doc.get("acked_at", 0.0), (int, float))):
        raise CorruptSegment(f"{path.name}: document {seq} is malformed")
    return record["id"]
