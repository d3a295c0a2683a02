"""The kiosk's outbox: learning records queued on disk until the ward server has them.

Records live in small TinyDB segment files (see ``sync.outbox_segments``), each written atomically
(temporary file, fsync, rename, fsync of the folder). An append rewrites only the newest segment,
so it costs the same with 100 or 100,000 records waiting, where one TinyDB file would be rewritten
whole on every insert. When ``append`` returns, the record and its seq have reached the disk.

The seq counter is the highest seq on disk. It cannot go back: the newest segment is never
pruned, and a segment's file name reserves its seq range, so even a segment too damaged to read
still tells the counter which seqs it may have used.

States: ``pending`` -> ``acked`` (the server has it) or ``rejected`` (the server refused it; kept
with its reason, never sent again). "Sent" is deliberately not written down: a record sent but not
acked must be sent again after a crash or a dropped connection anyway (the server recognises its
id as a duplicate), and recording it would cost an fsync'd rewrite of every segment in a batch
before each send. Acked segments are removed once ``retention_s`` has passed since their last ack;
the Pi's clock may jump when the network sets it, which at worst prunes early or late.

A full disk: acked segments are removed whatever their age and the write is tried once more; if
that fails too, :class:`OutboxFull` is raised and no file was changed. Acks on a full disk remove
a segment they fully acknowledge rather than rewrite it, so a kiosk whose card filled up with
pending records can still drain.

Recovery at open: leftover temporary files are removed; a segment that cannot be read or parsed is
moved to ``quarantine/`` with a log line and counted in ``stats()``; the rest keeps working.

Threads: the UI thread appends while the sync worker reads and acks. One lock guards the index and
the files; ``ack`` and ``quarantine`` take it one segment at a time, so an append waits for at most
one segment write. One process owns a folder at a time: the index lives in memory.

Memory: the index holds, per pending record, its id, seq and queue time (about 200 bytes), and at
most ``OPEN_SEGMENTS`` parsed segments; it is built by reading every segment once at open.
"""
import bisect
import errno
import itertools
import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from pydantic import ValidationError
from tinydb import TinyDB
from tinydb.table import Document, Table

from sync.atomic_storage import TEMP_SUFFIX, AtomicJSONStorage, fsync_folder
from sync.outbox_segments import TABLE, CorruptSegment, Segment, pending_doc, read_segment, seq_range
from sync.records import Record, RecordDraft

log = logging.getLogger(__name__)

QUARANTINE = "quarantine"
OPEN_SEGMENTS = 8  # parsed segments kept in memory: the newest plus the oldest few a batch reads
DAMAGED = "damaged on the kiosk's disk"


class OutboxFull(OSError):
    """The data partition is full even after removing acknowledged records: nothing was stored."""


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    acked: int  # acked records still kept for the retention period
    quarantined: int  # records the server rejected, kept with its reason
    oldest_pending_age_s: float | None
    bytes_on_disk: int
    quarantined_segments: int = 0  # unreadable segment files set aside in quarantine/
    segments: int = 0


class Outbox:
    """A durable queue of records: ``append``, ``pending``, ``ack``, ``quarantine``, ``stats``.

    ``segment_records`` trades append cost (a segment is rewritten whole) against file count;
    ``fsync=False`` exists only so the benchmark can show what durability costs.
    """

    def __init__(self, path: str | Path, *, segment_records: int = 128, retention_s: float = 7 * 24 * 3600,
                 fsync: bool = True) -> None:
        if segment_records < 1:
            raise ValueError("segment_records must be at least 1")
        self.folder = Path(path)
        self.segment_records = segment_records
        self.retention_s = retention_s
        self.fsync = fsync
        self._lock = threading.RLock()
        self._segments: dict[int, Segment] = {}  # by first seq, oldest first
        self._pending_ids: dict[str, int] = {}  # record id -> seq, for every pending record
        self._dbs: OrderedDict[int, TinyDB] = OrderedDict()
        self._last_seq = 0
        self._quarantined_files = 0
        self._quarantined_bytes = 0
        self._recover()

    # Opening

    def _recover(self) -> None:
        """Open the folder as a crash or a damaged card left it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for temp in self.folder.glob("*" + TEMP_SUFFIX):
            log.warning("outbox: removing %s, left by an interrupted write", temp.name)
            temp.unlink()
        for path in sorted(p for p in self.folder.iterdir() if seq_range(p)):
            try:
                self._adopt(*read_segment(path))
            except (OSError, ValueError) as exc:
                self._set_aside(path, exc)
        reserved = [0]
        for path in (self.folder / QUARANTINE).glob("*"):
            self._quarantined_files += 1
            self._quarantined_bytes += path.stat().st_size
            reserved.append((seq_range(path) or (0, 0))[1])
        self._last_seq = max(reserved + [segment.top for segment in self._segments.values()])
        self._prune()

    def _adopt(self, segment: Segment, ids: dict[str, int]) -> None:
        if ids.keys() & self._pending_ids.keys():
            raise CorruptSegment(f"{segment.path.name}: holds records already pending in another segment")
        self._segments[segment.first] = segment
        self._pending_ids.update(ids)

    def _set_aside(self, path: Path, problem: Exception) -> None:
        quarantine = self.folder / QUARANTINE
        quarantine.mkdir(exist_ok=True)
        os.replace(path, quarantine / path.name)
        self._sync(quarantine)
        self._sync(self.folder)
        log.error("outbox: %s cannot be read (%s); moved to %s/ for a technician, its records are not sent",
                  path.name, problem, QUARANTINE)

    # The public interface

    def append(self, draft: RecordDraft) -> Record:
        """Store ``draft`` with the next seq; when this returns, the record survives a power cut.

        Raises OutboxFull when the disk has no room even after pruning acked records, ValueError
        when a record with the same id is already pending.
        """
        with self._lock:
            record = Record(**draft.model_dump(), seq=self._last_seq + 1)
            key = str(record.id)
            if key in self._pending_ids:
                raise ValueError(f"record {key} is already queued")
            segment = self._head()
            if segment is None or record.seq > segment.last:
                segment = Segment(self.folder, record.seq, record.seq + self.segment_records - 1)
            doc = pending_doc(record)

            def insert(table: Table) -> None:
                if record.seq > segment.top:  # not already on disk from a write that failed late
                    table.insert(Document(doc, doc_id=record.seq))

            self._with_room(lambda: self._write(segment, insert))
            self._segments.setdefault(segment.first, segment)
            segment.pending[record.seq] = doc["queued_at"]
            segment.top = record.seq
            self._pending_ids[key] = record.seq
            self._last_seq = record.seq
            return record

    def pending(self, limit: int = 500, after_seq: int = 0) -> list[Record]:
        """The oldest records not yet acknowledged or rejected, at most ``limit``, oldest first.

        ``after_seq`` skips records up to that seq, so a caller can page through a long queue.
        A stored record that no longer validates (a damaged card can flip bytes inside valid JSON)
        is rejected here with a log line, so it cannot stall sync.
        """
        with self._lock:
            while True:
                records, damaged = [], []
                for doc in self._pending_docs(limit, after_seq):
                    try:
                        records.append(Record.model_validate(doc["record"]))
                    except ValidationError as exc:
                        log.error("outbox: record %s is damaged and will not be sent: %s", doc.doc_id, exc)
                        damaged.append(doc["record"]["id"])
                if not damaged:
                    return records
                self.quarantine(damaged, DAMAGED)

    def iter_pending(self, batch: int = 500) -> Iterator[list[Record]]:
        """Every pending record, oldest first, in lists of at most ``batch``.

        The lock is held only while one batch is read, so appends go on between batches, and only
        one batch is in memory at a time: a USB export of 100,000 records neither freezes the kiosk
        nor fills its memory. Records appended meanwhile come in a later batch.
        """
        after_seq = 0
        while records := self.pending(batch, after_seq):
            yield records
            after_seq = records[-1].seq

    def ack(self, ids: Iterable[uuid.UUID | str]) -> None:
        """Mark records as safely held by the server; they are never pending again."""
        self._settle(ids, lambda: {"state": "acked", "acked_at": time.time()})

    def quarantine(self, ids: Iterable[uuid.UUID | str], reason: str) -> None:
        """Set aside records the server refused, with its reason, so they are not retried forever."""
        self._settle(ids, lambda: {"state": "rejected", "reason": reason})

    def stats(self) -> OutboxStats:
        """Counts from the in-memory index; no file is read."""
        with self._lock:
            segments = self._segments.values()
            oldest = next((next(iter(s.pending.values())) for s in segments if s.pending), None)
            return OutboxStats(
                pending=len(self._pending_ids),
                acked=sum(s.acked for s in segments),
                quarantined=sum(s.rejected for s in segments),
                oldest_pending_age_s=None if oldest is None else max(0.0, time.time() - oldest),
                bytes_on_disk=sum(s.size for s in segments) + self._quarantined_bytes,
                quarantined_segments=self._quarantined_files,
                segments=len(self._segments),
            )

    # Reading and writing segments

    def _head(self) -> Segment | None:
        """The newest segment: the one appends go to, and the one that keeps the seq counter."""
        return next(reversed(self._segments.values()), None)

    def _db(self, segment: Segment) -> TinyDB:
        db = self._dbs.pop(segment.first, None)
        if db is None:
            db = TinyDB(segment.path, storage=AtomicJSONStorage, fsync=self.fsync)
        self._dbs[segment.first] = db
        while len(self._dbs) > OPEN_SEGMENTS:
            self._dbs.popitem(last=False)
        return db

    def _pending_docs(self, limit: int, after_seq: int = 0) -> list[Document]:
        docs: list[Document] = []
        for segment in self._segments.values():
            if len(docs) >= limit:
                break
            if segment.pending and segment.last > after_seq:
                later = (seq for seq in segment.pending if seq > after_seq)
                seqs = list(itertools.islice(later, limit - len(docs)))
                found = self._db(segment).table(TABLE, cache_size=0).get(doc_ids=seqs) if seqs else []
                docs.extend(sorted(found, key=lambda doc: doc.doc_id))
        return docs

    def _write(self, segment: Segment, change: Callable[[Table], Any]) -> None:
        """Apply ``change`` to the segment's table, written atomically; on failure re-read the disk."""
        db = self._db(segment)
        try:
            change(db.table(TABLE, cache_size=0))
        except OSError:
            self._reload(segment)
            raise
        segment.size = db.storage.size

    def _reload(self, segment: Segment) -> None:
        """Make the index match the disk after a failed write.

        Almost always the file is unchanged. But if the rename went through and only the folder's
        fsync failed, the new content is there, and the seq counter must step past it.
        """
        self._dbs.pop(segment.first, None)
        for key in [k for k, seq in self._pending_ids.items() if segment.first <= seq <= segment.last]:
            del self._pending_ids[key]
        if not segment.path.exists():  # a new segment whose first write failed
            self._segments.pop(segment.first, None)
            return
        fresh, ids = read_segment(segment.path)
        vars(segment).update(vars(fresh))
        self._segments[segment.first] = segment
        self._pending_ids.update(ids)
        self._last_seq = max(self._last_seq, segment.top)

    def _with_room(self, write: Callable[[], None]) -> None:
        """Run ``write``; on a full disk prune every acked segment and try once more."""
        try:
            write()
            return
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
        log.warning("outbox: the disk is full; removing acknowledged records to make room")
        self._prune(force=True)
        try:
            write()
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
            raise OutboxFull(errno.ENOSPC, "the data partition is full: nothing was written") from exc

    # Acknowledging and pruning

    def _settle(self, ids: Iterable[uuid.UUID | str], fields: Callable[[], dict[str, Any]]) -> None:
        """Move pending records out of ``pending``, one segment (one lock hold) at a time."""
        wanted = {str(i) for i in ids}
        with self._lock:
            found = self._locate(wanted)
        for first, records in found.items():
            with self._lock:
                self._settle_segment(first, records, fields())
        with self._lock:
            self._prune()

    def _locate(self, keys: set[str]) -> dict[int, dict[str, int]]:
        """Pending records among ``keys``, grouped by their segment's first seq, oldest first."""
        firsts = list(self._segments)
        found: dict[int, dict[str, int]] = {}
        for key in keys:
            seq = self._pending_ids.get(key)
            if seq is not None:
                found.setdefault(firsts[bisect.bisect_right(firsts, seq) - 1], {})[key] = seq
        return dict(sorted(found.items()))

    def _settle_segment(self, first: int, records: dict[str, int], fields: dict[str, Any]) -> None:
        segment = self._segments.get(first)
        records = {key: seq for key, seq in records.items() if self._pending_ids.get(key) == seq}
        if segment is None or not records:  # settled by another thread meanwhile
            return
        seqs = list(records.values())
        try:
            self._with_room(lambda: self._write(segment, lambda table: table.update(fields, doc_ids=seqs)))
        except OutboxFull:
            if not self._can_drop(segment, seqs, fields):
                raise
            log.warning("outbox: the disk is full; removing %s, now all acknowledged, instead of rewriting it",
                        segment.path.name)
            self._remove(segment)
            self._sync(self.folder)
        for key, seq in records.items():
            del self._pending_ids[key]
            del segment.pending[seq]
        if fields["state"] == "acked":
            segment.acked += len(seqs)
            segment.acked_at = fields["acked_at"]
        else:
            segment.rejected += len(seqs)

    def _can_drop(self, segment: Segment, seqs: list[int], fields: dict[str, Any]) -> bool:
        """Whether this ack leaves ``segment`` with nothing but acked records, and it may go."""
        return (fields["state"] == "acked" and not segment.rejected and len(seqs) == len(segment.pending)
                and segment is not self._head())

    def _prune(self, force: bool = False) -> None:
        """Remove segments whose records are all acked, past the retention (any age when ``force``).

        The newest segment stays whatever its state: its file name and records keep the seq counter.
        """
        head, now = self._head(), time.time()
        done = [s for s in self._segments.values() if s is not head and not s.pending and not s.rejected
                and (force or now - s.acked_at >= self.retention_s)]
        for segment in done:
            self._remove(segment)
        if done:
            self._sync(self.folder)
            log.info("outbox: removed %d acknowledged segment(s)", len(done))

    def _remove(self, segment: Segment) -> None:
        self._dbs.pop(segment.first, None)
        segment.path.unlink(missing_ok=True)
        del self._segments[segment.first]

    def _sync(self, folder: Path) -> None:
        if self.fsync:
            fsync_folder(folder)
