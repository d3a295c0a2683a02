"""The kiosk's outbox: learning records queued on disk until the ward server has them.

Records are appended by the UI thread and read and acknowledged by the sync worker, so every
operation takes one lock. The outbox owns the per-device ``seq`` counter and writes it in the same
atomic step as the record, so a crash can neither repeat a seq nor lose a record whose ``append``
returned.
"""
import errno
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from tinydb import Query, TinyDB

from sync.atomic_storage import AtomicJSONStorage
from sync.records import Record, RecordDraft


class OutboxFull(OSError):
    """The data partition is full: the record was not stored."""


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    acked: int
    quarantined: int
    oldest_pending_age_s: float | None
    bytes_on_disk: int


class Outbox:
    """A durable queue of records: ``append``, ``pending``, ``ack``, ``quarantine``, ``stats``."""

    def __init__(self, path: str | Path) -> None:
        self.folder = Path(path)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = TinyDB(self.folder / "outbox.json", storage=AtomicJSONStorage)
        # No query cache: append writes both tables in one storage write, behind TinyDB's back.
        self._records = self._db.table("records", cache_size=0)
        self._meta = self._db.table("meta", cache_size=0)

    def _last_seq(self) -> int:
        meta = self._meta.get(doc_id=1)
        return meta["last_seq"] if meta else 0

    def append(self, draft: RecordDraft) -> Record:
        """Store ``draft`` with the next seq; when this returns, the record survives a power cut."""
        with self._lock:
            record = Record(**draft.model_dump(), seq=self._last_seq() + 1)
            docs = self._db.storage.read() or {}
            docs.setdefault("meta", {})["1"] = {"last_seq": record.seq}
            docs.setdefault("records", {})[str(record.seq)] = {
                "state": "pending", "queued_at": time.time(), "record": record.model_dump(mode="json"),
            }
            try:
                self._db.storage.write(docs)
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    raise OutboxFull(errno.ENOSPC, "no space left to store the record") from exc
                raise
            return record

    def pending(self, limit: int = 500) -> list[Record]:
        """The oldest records not yet acknowledged, at most ``limit``."""
        with self._lock:
            docs = sorted(self._records.search(Query().state == "pending"), key=lambda d: d.doc_id)
            return [Record.model_validate(doc["record"]) for doc in docs[:limit]]

    def _set_state(self, ids: Iterable[uuid.UUID | str], state: str, **extra: str) -> None:
        wanted = {str(i) for i in ids}
        with self._lock:
            self._records.update({"state": state, **extra}, Query().record.id.one_of(sorted(wanted)))

    def ack(self, ids: Iterable[uuid.UUID | str]) -> None:
        """Mark records as safely held by the server; they are never sent again."""
        self._set_state(ids, "acked")

    def quarantine(self, ids: Iterable[uuid.UUID | str], reason: str) -> None:
        """Set aside records the server refused, with its reason, so they are not retried forever."""
        self._set_state(ids, "quarantined", reason=reason)

    def stats(self) -> OutboxStats:
        with self._lock:
            docs = self._records.all()
            pending = [d for d in docs if d["state"] == "pending"]
            oldest = min((d["queued_at"] for d in pending), default=None)
            return OutboxStats(
                pending=len(pending),
                acked=sum(d["state"] == "acked" for d in docs),
                quarantined=sum(d["state"] == "quarantined" for d in docs),
                oldest_pending_age_s=None if oldest is None else max(0.0, time.time() - oldest),
                bytes_on_disk=sum(p.stat().st_size for p in self.folder.glob("*") if p.is_file()),
            )
