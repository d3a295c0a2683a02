"""The kiosk's outbox: learning records queued on disk until the ward server has them.

Records live in small TinyDB segment files (see ``sync.outbox_segments``), each written atomically
(temporary file, fsync, rename, fsync of the folder). An append rewrites only the newest segment,
so it costs the same with 100 or 100,000 records waiting, where one TinyDB file would be rewritten
whole on every insert. When ``append`` returns, the record and its seq have reached the disk. The
folders the outbox creates (its own, ``quarantine/``, ``rejected/``) are made durable too, by an
fsync of their parent.

One owner: the index lives in memory, so two programs writing one folder would undo each other's
appends and acks. The outbox holds an exclusive ``flock`` on ``outbox.lock`` for its whole life
(``close()`` or the end of a ``with`` block releases it, as does the end of the process, kill -9
included); a second opener, in this process or another, gets :class:`OutboxLocked` before anything
in the folder is touched.

The seq counter never goes back. ``state.json`` (written atomically, fsync'd) keeps the seq range
reserved by the newest segment ever created; it is written once per new segment, so appends stay
flat. At open the next seq comes after the highest of: the records on disk, the ranges named by
files in ``quarantine/`` and ``rejected/``, and the counter's range when its segment is gone. So
losing the newest segment file, or all of them, cannot make a seq repeat.

States: ``pending`` -> ``acked`` (the server has it) or ``rejected`` (the server refused it; kept
with its reason, never sent again). "Sent" is deliberately not written down: a record sent but not
acked must be sent again after a crash or a dropped connection anyway (the server recognises its
id as a duplicate), and recording it would cost an fsync'd rewrite of every segment in a batch
before each send. A segment with nothing pending is removed once ``retention_s`` has passed since
its last ack (time from the injected ``clock``; a segment with no acked record at all goes at once);
its rejected records first move to a compact file in ``rejected/``, so one refused record does not
keep a segment forever. The newest segment always stays: appends go there. The Pi's clock may jump
when the network sets it, which at worst prunes early or late.

A full disk: segments with nothing pending are removed whatever their age (fully acked ones first,
to make room for moving rejected records out) and the write is tried once more; if that fails too,
:class:`OutboxFull` is raised and no file was changed. Acks on a full disk remove a segment they
fully acknowledge rather than rewrite it, so a kiosk whose card filled up can still drain.

At open, temporary files left by an interrupted write are removed. Damage, found at open or later:
a segment that does not read back as written is salvaged: every document still intact stays (pending ones are still sent), the
damaged original is copied to ``quarantine/`` for a technician, the file is rewritten with what was
saved, and one log line says how many records were saved and how many set aside. A record that
parses but no longer validates is rejected with the reason ``DAMAGED``. ``pending``, ``ack`` and
``quarantine`` never raise for a damaged file, and each piece of damage is logged once.
``stats()`` counts set-aside records and damaged files.

Seams, as TinyDB has them: ``storage`` is the storage class of every segment and also makes the
outbox's folders and other files, so every fsync goes through it; ``clock`` gives the wall-clock
time. Fault tests pass their own instead of patching ``os.fsync`` or sleeping.

Threads: the UI thread appends while the sync worker reads and acks. One lock guards the index and
the files; ``ack`` and ``quarantine`` take it one segment at a time and ``iter_pending`` one batch
at a time, so an append waits for at most one segment write or one batch read.

Memory: the index holds, per pending record, its id, seq and queue time (about 200 bytes), and at
most ``OPEN_SEGMENTS`` parsed segments; it is built by reading every segment once at open.
"""
import bisect
import errno
import fcntl
import itertools
import json
import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from pydantic import ValidationError
from tinydb import TinyDB
from tinydb.table import Document, Table

from sync.atomic_storage import TEMP_SUFFIX, AtomicJSONStorage
from sync.outbox_segments import (DAMAGED, TABLE, CorruptSegment, Salvage, Segment, doc_problem, encode,
                                  index_segment, pending_doc, read_docs, seq_range)

if TYPE_CHECKING:  # imported where records are made: opening the outbox (at the kiosk's start) needs no models
    from sync.records import Record, RecordDraft

log = logging.getLogger(__name__)

QUARANTINE = "quarantine"  # damaged segment files, as found, for a technician
REJECTED = "rejected"  # the rejected records of pruned segments, one small file per segment
LOCK_FILE = "outbox.lock"
STATE_FILE = "state.json"
OPEN_SEGMENTS = 8  # parsed segments kept in memory: the newest plus the oldest few a batch reads
_STATE_LIMIT = 2**53  # larger numbers in state.json are damage, not a counter


class OutboxFull(OSError):
    """The data partition is full even after removing acknowledged records: nothing was stored."""


class OutboxLocked(RuntimeError):
    """Another program (or another ``Outbox`` in this one) owns the folder."""

    def __init__(self, folder: Path, pid: int | None) -> None:
        self.folder, self.pid = folder, pid
        super().__init__(f"the outbox in {folder} is in use by another program (pid {pid or 'unknown'}): "
                         "stop the kiosk first, or use `kiosk-sync` while it is stopped")


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    acked: int  # acked records still kept for the retention period
    quarantined: int  # rejected records (by the server, or found damaged here), kept with the reason
    oldest_pending_age_s: float | None
    bytes_on_disk: int
    quarantined_segments: int = 0  # damaged segment files kept in quarantine/
    segments: int = 0
    set_aside_records: int = 0  # records never to be sent because their stored copy broke (unreadable or invalid)


class Outbox:
    """A durable queue of records: ``append``, ``pending``, ``iter_pending``, ``ack``, ``quarantine``, ``stats``.

    ``segment_records`` trades append cost (a segment is rewritten whole) against file count;
    ``fsync=False`` exists only so the benchmark can show what durability costs. ``storage`` is an
    :class:`AtomicJSONStorage` (sub)class; ``clock`` returns wall-clock seconds.
    """

    def __init__(self, path: str | Path, *, segment_records: int = 128, retention_s: float = 7 * 24 * 3600,
                 fsync: bool = True, storage: type[AtomicJSONStorage] = AtomicJSONStorage,
                 clock: Callable[[], float] = time.time) -> None:
        if segment_records < 1:
            raise ValueError("segment_records must be at least 1")
        self.folder = Path(path)
        self.segment_records = segment_records
        self.retention_s = retention_s
        self.fsync = fsync
        self._storage = storage
        self._clock = clock
        self._lock = threading.RLock()
        self._lock_fd: int | None = None
        self._segments: dict[int, Segment] = {}  # by first seq, oldest first
        self._pending_ids: dict[str, int] = {}  # record id -> seq, for every pending record
        self._dbs: OrderedDict[int, TinyDB] = OrderedDict()
        self._last_seq = 0
        self._reserved = (0, 0)  # the seq range of the newest segment ever created, as state.json holds it
        self._lost = 0  # records lost to damage that no file counts any more
        self._state_failing = False
        self._quarantined: dict[str, int] = {}  # file name in quarantine/ -> bytes
        self._rejected: dict[str, tuple[int, int, int]] = {}  # file in rejected/ -> (records, damaged, bytes)
        self._other_bytes = 0  # the lock and state files
        self._stuck: set[int] = set()  # segments whose rejected records could not be moved out
        storage.make_folder(self.folder, fsync)
        self._own()
        try:
            self._recover()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Release the folder for another owner; this object must not be used afterwards."""
        lock, handle = getattr(self, "_lock", None), getattr(self, "_lock_fd", None)
        if lock is None or handle is None:
            return
        with lock:
            self._dbs.clear()
            self._lock_fd = None
            os.close(handle)  # closing the descriptor releases the flock

    __del__ = close

    def __enter__(self) -> "Outbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Opening

    def _own(self) -> None:
        """Take the folder's lock before anything in it is read or removed."""
        handle = os.open(self.folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 20, 0).decode("ascii", "replace").strip()
            os.close(handle)
            raise OutboxLocked(self.folder, int(holder) if holder.isdigit() else None) from None
        except BaseException:
            os.close(handle)
            raise
        mark = f"{os.getpid()}\n".encode()
        os.ftruncate(handle, 0)
        os.pwrite(handle, mark, 0)
        self._lock_fd, self._other_bytes = handle, len(mark)

    def _recover(self) -> None:
        """Open the folder as a crash or a damaged card left it."""
        for folder in (self.folder, self.folder / QUARANTINE, self.folder / REJECTED):
            for temp in folder.glob("*" + TEMP_SUFFIX):
                log.warning("outbox: removing %s, left by an interrupted write", temp.name)
                temp.unlink()
        self._read_state()
        reserved = [0]
        for path in sorted((self.folder / QUARANTINE).glob("seg-*")):
            self._quarantined[path.name] = path.lstat().st_size
        segments = sorted(p for p in self.folder.iterdir() if seq_range(p))
        for path in sorted((self.folder / REJECTED).glob("seg-*.json")):
            reserved.append(seq_range(path)[1])
            if (self.folder / path.name).exists():  # a move cut short: the segment still holds them
                path.unlink()
            else:
                self._count_rejected(path)
        for path in segments:
            self._load(path)
        reserved += [(seq_range(Path(name), exact=False) or (0, 0))[1] for name in self._quarantined]
        first, last = self._reserved
        if first and first not in self._segments:  # the newest segment is gone: skip its whole range
            reserved.append(last)
        self._last_seq = max(reserved + [segment.top for segment in self._segments.values()])
        head = self._head()
        if head and head.last > self._reserved[1]:  # created just before a crash or a failed state write
            self._save_state(head)
        self._prune()

    def _read_state(self) -> None:
        path = self.folder / STATE_FILE
        try:
            raw = path.read_bytes()
            state = json.loads(raw)
            first, last = state["reserved"]
            set_aside = state["set_aside_records"]
            if not all(isinstance(n, int) and 0 <= n < _STATE_LIMIT for n in (first, last, set_aside)):
                raise ValueError("numbers out of range")
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("outbox: %s is damaged (%s); the seq counter is rebuilt from the file names", STATE_FILE, exc)
            return
        self._reserved, self._lost, self._other_bytes = (first, last), set_aside, self._other_bytes + len(raw)

    def _save_state(self, head: Segment | None = None) -> None:
        """Write the counter (the newest segment's range) and the set-aside count; a failure is logged once."""
        if head is not None:
            self._reserved = max(self._reserved, (head.first, head.last), key=lambda r: r[1])
        raw = json.dumps({"reserved": list(self._reserved), "set_aside_records": self._lost}).encode()
        path = self.folder / STATE_FILE
        old = path.stat().st_size if path.exists() else 0
        try:
            self._storage.replace(path, raw, self.fsync)
        except OSError as exc:
            if not self._state_failing:
                log.error("outbox: cannot write %s (%s); will try again with the next segment", STATE_FILE, exc)
            self._state_failing = True
            return
        self._state_failing = False
        self._other_bytes += len(raw) - old

    def _count_rejected(self, path: Path) -> None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            log.error("outbox: cannot read %s/%s (%s)", REJECTED, path.name, exc)
            return
        docs = read_docs(path, raw).docs
        damaged = sum(doc.get("reason") == DAMAGED for doc in docs.values())
        self._rejected[path.name] = (len(docs), damaged, len(raw))

    def _load(self, path: Path, expected: dict[int, str] | None = None, cause: str | None = None) -> None:
        """Read one segment file into the index, salvaging what is damaged.

        ``expected`` (seq -> id of the records the index holds as pending) is given when a segment
        that broke after open is read again: a record that no longer matches is set aside.
        """
        first = seq_range(path)[0]
        old = self._segments.get(first)
        self._dbs.pop(first, None)
        for seq in (expected or {}):
            self._pending_ids.pop(expected[seq], None)
        try:
            raw: bytes | None = path.read_bytes()
            found = read_docs(path, raw)
        except OSError as exc:
            if isinstance(exc, FileNotFoundError) and expected is None:  # a new segment whose first write failed
                self._segments.pop(first, None)
                return
            raw, found = None, Salvage({}, len(expected or {}), f"cannot be read ({exc.strerror or exc})")
        problems = [found.problem] if found.problem else []
        taken = [seq for seq, doc in found.docs.items() if doc["state"] == "pending" and (
            doc["record"]["id"] in self._pending_ids
            or (expected is not None and expected.get(seq) != doc["record"]["id"]))]
        for seq in taken:
            del found.docs[seq]
        if taken:
            problems.append(f"{len(taken)} record(s) changed or already pending in another segment")
        if expected is not None:
            kept = {seq for seq, doc in found.docs.items() if doc["state"] == "pending"}
            lost = len(expected.keys() - kept)
            if lost and not problems:
                problems.append(cause or "records changed after they were written")
        else:
            lost = found.lost + len(taken)
        size = len(raw or b"")
        if problems:
            size = self._set_aside(path, raw, found.docs, lost, "; ".join(problems))
        if size is None or not found.docs:
            self._segments.pop(first, None)
            return
        segment, ids = index_segment(path, found.docs, size)
        if old is not None:
            vars(old).update(vars(segment))
            segment = old
        self._segments[first] = segment
        self._pending_ids.update(ids)
        self._last_seq = max(self._last_seq, segment.top)

    def _set_aside(self, path: Path, raw: bytes | None, docs: dict[int, dict[str, Any]], lost: int,
                   problem: str) -> int | None:
        """Keep the damaged original in quarantine/, rewrite ``path`` with ``docs``; the new size, or None."""
        quarantine = self.folder / QUARANTINE
        size: int | None = None
        try:
            self._storage.make_folder(quarantine, self.fsync)
            name = self._quarantine_name(path.name, raw)
            if raw is None and path.exists():  # unreadable: move it whole
                os.replace(path, quarantine / name)
                self._sync(quarantine)
            elif raw is not None and name not in self._quarantined:
                self._storage.replace(quarantine / name, raw, self.fsync)
            if (quarantine / name).exists():
                self._quarantined[name] = (quarantine / name).lstat().st_size
            if docs:
                data = encode(docs)
                self._storage.replace(path, data, self.fsync)
                size = len(data)
            else:
                path.unlink(missing_ok=True)
                self._sync(self.folder)
        except OSError as exc:
            pending = sum(doc["state"] == "pending" for doc in docs.values())
            self._lost += lost + pending
            self._save_state()
            log.error("outbox: %s is damaged (%s) and cannot be set aside (%s); none of its %d readable "
                      "record(s) will be sent until a technician looks at it", path.name, problem, exc, len(docs))
            return None
        self._lost += lost
        if lost:
            self._save_state()
        log.error("outbox: %s is damaged (%s): %d record(s) saved, %d set aside; the damaged file is kept in "
                  "%s/ for a technician", path.name, problem, len(docs), lost, QUARANTINE)
        return size

    def _quarantine_name(self, name: str, raw: bytes | None) -> str:
        """A free name in quarantine/ for ``name`` (or the one already holding these bytes)."""
        for number in itertools.count(1):
            candidate = name if number == 1 else f"{name}.{number}"
            if candidate not in self._quarantined:
                return candidate
            if raw is not None and (self.folder / QUARANTINE / candidate).read_bytes() == raw:
                return candidate
        raise AssertionError("unreachable")

    # The public interface

    def append(self, draft: "RecordDraft") -> "Record":
        """Store ``draft`` with the next seq; when this returns, the record survives a power cut.

        Raises OutboxFull when the disk has no room even after pruning acked records, ValueError
        when a record with the same id is already pending.
        """
        from sync.records import Record

        with self._lock:
            self._check_open()
            record = Record(**draft.model_dump(), seq=self._last_seq + 1)
            key = str(record.id)
            if key in self._pending_ids:
                raise ValueError(f"record {key} is already queued")
            segment = self._head()
            if segment is not None and record.seq <= segment.last and not self._readable(segment):
                segment = self._head()  # set aside and rewritten, or gone
            if segment is None or record.seq > segment.last:
                segment = Segment(self.folder, record.seq, record.seq + self.segment_records - 1)
            doc = pending_doc(record, self._clock())

            def insert(table: Table) -> None:
                if record.seq > segment.top:  # not already on disk from a write that failed late
                    table.insert(Document(doc, doc_id=record.seq))

            self._with_room(lambda: self._write(segment, insert))
            self._segments.setdefault(segment.first, segment)
            segment.pending[record.seq] = doc["queued_at"]
            segment.top = record.seq
            self._pending_ids[key] = record.seq
            self._last_seq = record.seq
            if segment.last > self._reserved[1]:
                self._save_state(segment)
            return record

    def pending(self, limit: int = 500, after_seq: int = 0) -> "list[Record]":
        """The oldest records not yet acknowledged or rejected, at most ``limit``, oldest first.

        ``after_seq`` skips records up to that seq, so a caller can page through a long queue.
        Damage found on the way is set aside (see the module's docstring), never raised.
        """
        with self._lock:
            self._check_open()
            records: list[Record] = []
            for segment in list(self._segments.values()):
                if len(records) >= limit:
                    break
                if segment.pending and segment.last > after_seq:
                    records += self._read_pending(segment, limit - len(records), after_seq)
            return records

    def iter_pending(self, batch: int = 500) -> "Iterator[list[Record]]":
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
        self._settle(ids, lambda: {"state": "acked", "acked_at": self._clock()})

    def quarantine(self, ids: Iterable[uuid.UUID | str], reason: str) -> None:
        """Set aside records the server refused, with its reason, so they are not retried forever."""
        self._settle(ids, lambda: {"state": "rejected", "reason": reason})

    def stats(self) -> OutboxStats:
        """Counts from the in-memory index; no file is read."""
        with self._lock:
            segments = self._segments.values()
            oldest = next((next(iter(s.pending.values())) for s in segments if s.pending), None)
            moved = self._rejected.values()
            return OutboxStats(
                pending=len(self._pending_ids),
                acked=sum(s.acked for s in segments),
                quarantined=sum(s.rejected for s in segments) + sum(r[0] for r in moved),
                oldest_pending_age_s=None if oldest is None else max(0.0, self._clock() - oldest),
                bytes_on_disk=(sum(s.size for s in segments) + sum(self._quarantined.values())
                               + sum(r[2] for r in moved) + self._other_bytes),
                quarantined_segments=len(self._quarantined),
                segments=len(self._segments),
                set_aside_records=self._lost + sum(s.damaged for s in segments) + sum(r[1] for r in moved),
            )

    # Reading and writing segments

    def _check_open(self) -> None:
        if self._lock_fd is None:
            raise RuntimeError(f"the outbox in {self.folder} was closed")

    def _head(self) -> Segment | None:
        """The newest segment: the one appends go to."""
        return next(reversed(self._segments.values()), None)

    def _db(self, segment: Segment) -> TinyDB:
        db = self._dbs.pop(segment.first, None)
        if db is None:
            db = TinyDB(segment.path, storage=self._storage, fsync=self.fsync)
        self._dbs[segment.first] = db
        while len(self._dbs) > OPEN_SEGMENTS:
            self._dbs.popitem(last=False)
        return db

    def _table(self, segment: Segment) -> dict[str, Any]:
        """The segment's documents as its storage holds them; raises OSError or ValueError if it broke."""
        data = self._db(segment).storage.read()
        table = data.get(TABLE) if isinstance(data, dict) else None
        if not isinstance(table, dict):
            raise CorruptSegment("the file is missing or holds no records")
        return table

    def _expected(self, segment: Segment) -> dict[int, str]:
        """seq -> id of the segment's pending records (a scan of the index: only on damage)."""
        return {seq: key for key, seq in self._pending_ids.items() if seq in segment.pending}

    def _readable(self, segment: Segment) -> bool:
        """Whether the segment still reads back; if not, salvage it now and say so."""
        try:
            self._table(segment)
            return True
        except (OSError, ValueError) as exc:
            self._load(segment.path, self._expected(segment), f"broke after it was written: {exc}")
            return False

    def _docs_of(self, segment: Segment, seqs: list[int]) -> list[dict[str, Any]] | None:
        """The documents of these pending seqs, or None if the file broke or one of them no longer
        reads back exactly as the index knows it."""
        try:
            table = self._table(segment)
        except (OSError, ValueError):
            return None
        docs = [table.get(str(seq)) for seq in seqs]
        for seq, doc in zip(seqs, docs):
            if doc_problem(seq, doc) or doc["state"] != "pending" or self._pending_ids.get(doc["record"]["id"]) != seq:
                return None
        return docs

    def _read_pending(self, segment: Segment, limit: int, after_seq: int) -> "list[Record]":
        """Up to ``limit`` pending records of one segment after ``after_seq``, setting aside damage.

        Each round that finds damage takes it out of the index, so a few rounds end it; a card that
        keeps changing under the outbox loses the segment from the index rather than loop.
        """
        from sync.records import Record

        for _ in range(4):
            if self._segments.get(segment.first) is not segment:
                return []  # set aside whole
            seqs = list(itertools.islice((seq for seq in segment.pending if seq > after_seq), limit))
            docs = self._docs_of(segment, seqs) if seqs else []
            if docs is None:
                self._load(segment.path, self._expected(segment), "a record changed after it was written")
                continue
            records, invalid = [], {}
            for seq, doc in zip(seqs, docs):
                try:
                    records.append(Record.model_validate(doc["record"]))
                except ValidationError as exc:
                    log.error("outbox: record %d is damaged and will not be sent: %s", seq, exc)
                    invalid[doc["record"]["id"]] = seq
            if not invalid:
                return records
            self._reject_damaged(segment, invalid)
        self._forget(segment, "keeps changing on the card")
        return []

    def _forget(self, segment: Segment, problem: str) -> None:
        """Drop a segment from the index without touching its file: the last resort for a failing card."""
        lost = self._expected(segment)
        for key in lost.values():
            del self._pending_ids[key]
        self._segments.pop(segment.first, None)
        self._dbs.pop(segment.first, None)
        self._lost += len(lost)
        self._save_state()
        log.error("outbox: %s %s; its %d pending record(s) are set aside", segment.path.name, problem, len(lost))

    def _reject_damaged(self, segment: Segment, records: dict[str, int]) -> None:
        """Reject records that no longer validate; if even that cannot be written, drop them from the index."""
        try:
            self._settle_segment(segment.first, records, {"state": "rejected", "reason": DAMAGED})
        except OSError as exc:
            log.error("outbox: cannot mark %d damaged record(s) of %s (%s); they are set aside",
                      len(records), segment.path.name, exc)
            for key, seq in records.items():
                if self._pending_ids.get(key) == seq:
                    del self._pending_ids[key]
                    segment.pending.pop(seq, None)
                    self._lost += 1

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
        for key in [k for k, seq in self._pending_ids.items() if segment.first <= seq <= segment.last]:
            del self._pending_ids[key]
        self._load(segment.path)

    def _with_room(self, write: Callable[[], None]) -> None:
        """Run ``write``; on a full disk prune every segment with nothing pending and try once more."""
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
            self._check_open()
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
        if segment is not None and records and self._docs_of(segment, list(records.values())) is None:
            self._load(segment.path, self._expected(segment), "a record changed after it was written")
            segment = self._segments.get(first)
            records = {key: seq for key, seq in records.items() if self._pending_ids.get(key) == seq}
        if segment is None or not records:  # settled by another thread meanwhile, or set aside
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
            segment.damaged += len(seqs) if fields["reason"] == DAMAGED else 0

    def _can_drop(self, segment: Segment, seqs: list[int], fields: dict[str, Any]) -> bool:
        """Whether this ack leaves ``segment`` with nothing but acked records, and it may go."""
        return (fields["state"] == "acked" and not segment.rejected and len(seqs) == len(segment.pending)
                and segment is not self._head())

    def _prune(self, force: bool = False) -> None:
        """Remove segments with nothing pending, past the retention (any age when ``force``).

        Fully acked segments go first, so a full disk has room for the rejected records of the
        others to move to rejected/. The newest segment stays whatever its state: it is where
        appends go, and the counter in state.json names it.
        """
        head, now = self._head(), self._clock()
        done = sorted((s for s in self._segments.values() if s is not head and not s.pending
                       and (force or now - s.acked_at >= self.retention_s)), key=lambda s: s.rejected > 0)
        removed = 0
        for segment in done:
            if not segment.rejected or self._move_rejected(segment):
                self._remove(segment)  # at once: on a full disk the next move needs the room
                removed += 1
        if removed:
            self._sync(self.folder)
            log.info("outbox: removed %d segment(s) with nothing left to send", removed)

    def _move_rejected(self, segment: Segment) -> bool:
        """Copy a segment's rejected records to rejected/ so the segment can go; False if they stay."""
        try:
            table = self._table(segment)
        except (OSError, ValueError) as exc:
            self._load(segment.path, {}, f"broke after it was written: {exc}")
            return False
        docs = {int(key): doc for key, doc in table.items() if isinstance(doc, dict) and doc.get("state") == "rejected"}
        damaged = sum(doc.get("reason") == DAMAGED for doc in docs.values())
        data = encode(docs)
        try:
            self._storage.make_folder(self.folder / REJECTED, self.fsync)
            self._storage.replace(self.folder / REJECTED / segment.path.name, data, self.fsync)
        except OSError as exc:
            if segment.first not in self._stuck:  # logged once; tried again at every prune
                log.warning("outbox: cannot move the %d rejected record(s) out of %s (%s); it stays for now",
                            len(docs), segment.path.name, exc)
            self._stuck.add(segment.first)
            return False
        self._rejected[segment.path.name] = (len(docs), damaged, len(data))
        return True

    def _remove(self, segment: Segment) -> None:
        self._dbs.pop(segment.first, None)
        segment.path.unlink(missing_ok=True)
        del self._segments[segment.first]

    def _sync(self, folder: Path) -> None:
        if self.fsync:
            self._storage.sync_folder(folder)
