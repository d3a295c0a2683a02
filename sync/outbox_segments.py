"""The outbox's segment files: their names, their documents, and how one is read back, checked and salvaged.

A segment is a small TinyDB database (``AtomicJSONStorage``) holding the records of one seq range.
Its name carries that range, ``seg-<first>-<last>.json``, reserved when the segment is created: the
outbox fills a segment up to ``last`` before it starts the next one. So even a segment that can no
longer be read still says which seqs it may have used, and the seq counter can step past them.

Each document is keyed by the record's seq and holds ``state`` (``pending``, ``acked`` or
``rejected``), ``queued_at`` (wall-clock seconds), the record as JSON, and ``acked_at`` or
``reason`` once the server answered.

Salvage: an SD card that fails tends to flip or lose a few bytes, not a whole file. When a segment
does not parse as a whole, every document whose own bytes are intact is still recovered: each
``"<seq>":{`` in the text is tried as the start of a document and decoded on its own
(``json.JSONDecoder.raw_decode``), and only documents that decode to exactly what the outbox writes
are kept. The outbox keeps those pending and sets aside only the rest.
"""
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.records import Record

TABLE = "records"
STATES = ("pending", "acked", "rejected")
DAMAGED = "damaged on the kiosk's disk"  # the reason of a record rejected because its stored copy broke
_NAME = re.compile(r"^seg-(\d{12})-(\d{12})\.json")
_DOC_START = re.compile(r'"(\d{1,12})"\s*:\s*\{')
_FIELDS = {"state", "queued_at", "record", "acked_at", "reason"}
_DECODER = json.JSONDecoder()


class CorruptSegment(ValueError):
    """A segment file parsed as JSON but is not what the outbox writes."""


def segment_name(first: int, last: int) -> str:
    """The file name of the segment reserved for seqs ``first`` to ``last``."""
    return f"seg-{first:012d}-{last:012d}.json"


def seq_range(path: Path, exact: bool = True) -> tuple[int, int] | None:
    """The seq range a segment file's name reserves, or None for a file that is not a segment.

    ``exact=False`` also reads names with a suffix, as copies set aside in quarantine may have.
    """
    match = _NAME.match(path.name)
    if not match or (exact and match.end() != len(path.name)):
        return None
    return int(match[1]), int(match[2])


def pending_doc(record: "Record", queued_at: float) -> dict[str, Any]:
    """The document a newly queued record is stored as."""
    return {"state": "pending", "queued_at": queued_at, "record": record.model_dump(mode="json")}


@dataclass(eq=False)
class Segment:
    """What the outbox remembers of one segment file, so it never re-reads files to count."""

    folder: Path
    first: int
    last: int
    pending: dict[int, float] = field(default_factory=dict)  # seq -> queued_at, in seq order
    acked: int = 0
    rejected: int = 0
    damaged: int = 0  # of the rejected: records whose stored copy broke (reason DAMAGED)
    top: int = 0  # the highest seq stored; 0 while the segment has no file yet
    acked_at: float = 0.0  # when its latest record was acked
    size: int = 0

    @property
    def path(self) -> Path:
        return self.folder / segment_name(self.first, self.last)


@dataclass
class Salvage:
    """What could be read of one segment file."""

    docs: dict[int, dict[str, Any]]  # the well-formed documents by seq, in seq order
    lost: int = 0  # documents seen but unreadable (an estimate when the JSON itself is broken)
    problem: str | None = None  # what was wrong, None for a sound file


def doc_problem(seq: int, doc: Any) -> str | None:
    """Why a stored document is not what the outbox writes for ``seq``, or None if it is."""
    record = doc.get("record") if isinstance(doc, dict) else None
    if (not isinstance(record, dict) or not _FIELDS.issuperset(doc) or doc.get("state") not in STATES
            or record.get("seq") != seq or not _is_canonical_uuid(record.get("id"))
            or not _is_number(doc.get("queued_at")) or not _is_number(doc.get("acked_at", 0.0))
            or not isinstance(doc.get("reason", ""), str)):
        return f"document {seq} is malformed"
    return None


def _is_canonical_uuid(value: Any) -> bool:
    """Ids are keyed as ``str(UUID)`` writes them; any other spelling could never be acked."""
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def read_docs(path: Path, raw: bytes) -> Salvage:
    """Every well-formed document of the segment file ``path`` whose content is ``raw``."""
    first, last = seq_range(path)
    docs: dict[int, dict[str, Any]] = {}
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # not JSON (UnicodeDecodeError is a ValueError too)
        problem = f"not valid JSON ({exc})"
    else:
        table = data.get(TABLE) if isinstance(data, dict) else None
        problems = [] if isinstance(table, dict) and table else [f"no '{TABLE}' table"]
        for key, doc in (table.items() if isinstance(table, dict) else ()):
            seq = int(key) if key.isdigit() else -1
            problem = f"document {key!r} is outside the segment's seq range" if not first <= seq <= last \
                else doc_problem(seq, doc)
            if problem:
                problems.append(problem)
            else:
                docs[seq] = doc
        if not problems:
            return Salvage(dict(sorted(docs.items())))
        problem = "; ".join(problems[:3])
    # A damaged key may also have hidden an intact document (JSON keeps the last of two equal keys).
    scanned, seen = _scan(raw.decode("utf-8", "replace"), first, last)
    docs = {**scanned, **docs}
    return Salvage(dict(sorted(docs.items())), len(seen - docs.keys()), problem)


def _scan(text: str, first: int, last: int) -> tuple[dict[int, dict[str, Any]], set[int]]:
    """Decode each document of a broken file on its own: the good ones (the first good copy of a seq
    wins) and every seq that looked like the start of a document."""
    docs: dict[int, dict[str, Any]] = {}
    seen: set[int] = set()
    for match in _DOC_START.finditer(text):
        seq = int(match[1])
        if not first <= seq <= last:
            continue
        seen.add(seq)
        try:
            doc, _ = _DECODER.raw_decode(text, match.end() - 1)
        except (ValueError, RecursionError):
            continue
        if seq not in docs and doc_problem(seq, doc) is None:
            docs[seq] = doc
    return docs, seen


def index_segment(path: Path, docs: dict[int, dict[str, Any]], size: int) -> tuple[Segment, dict[str, int]]:
    """The in-memory summary of a segment holding ``docs``, and the ids of its pending records."""
    first, last = seq_range(path)
    segment = Segment(path.parent, first, last, size=size)
    ids: dict[str, int] = {}
    for seq, doc in docs.items():
        segment.top = max(segment.top, seq)
        if doc["state"] == "pending":
            segment.pending[seq] = doc["queued_at"]
            ids[doc["record"]["id"]] = seq
        elif doc["state"] == "acked":
            segment.acked += 1
            segment.acked_at = max(segment.acked_at, doc.get("acked_at", 0.0))
        else:
            segment.rejected += 1
            segment.damaged += doc.get("reason") == DAMAGED
    return segment, ids


def encode(docs: dict[int, dict[str, Any]]) -> bytes:
    """A segment file's bytes, as ``AtomicJSONStorage`` writes them."""
    return json.dumps({TABLE: {str(seq): doc for seq, doc in docs.items()}},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")
