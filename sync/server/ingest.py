"""Storing a batch of records exactly once each.

The database's primary key on the record id decides, not a read-then-write check, so two copies of
the same batch arriving at once still store each record once. A record whose id is already stored
is a ``duplicate`` when its content is the same (a resend: fine) and ``rejected`` when it differs.
"""
import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sync.records import Record
from sync.server.db import Device, StoredRecord

Status = Literal["accepted", "duplicate", "rejected"]


class RecordResult(BaseModel):
    id: str | None
    status: Status
    reason: str | None = None


def content_hash(record: Record) -> str:
    canonical = json.dumps(record.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _row(record: Record) -> dict[str, Any]:
    data = record.model_dump(mode="json")
    data["boot_id"], data["device_time"] = str(record.boot_id), record.device_time
    return {**data, "id": str(record.id), "content_hash": content_hash(record)}


def _insert_ignoring_conflicts(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """Insert ``rows``; returns the ids actually inserted (conflicts are skipped, not errors)."""
    dialect = {"sqlite": sqlite, "postgresql": postgresql}[session.get_bind().dialect.name]
    statement = dialect.insert(StoredRecord).on_conflict_do_nothing().returning(StoredRecord.id)
    return {row.id for row in session.execute(statement, rows)} if rows else set()


def store_batch(session: Session, device: Device, raw_records: list[Any]) -> list[RecordResult]:
    """Validate and store each raw record for ``device``; one result per record, in order."""
    results: list[RecordResult | None] = [None] * len(raw_records)
    valid: dict[str, tuple[int, Record]] = {}
    for index, raw in enumerate(raw_records):
        raw_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
        try:
            record = Record.model_validate(raw)
        except ValidationError as exc:
            reason = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
            results[index] = RecordResult(id=raw_id, status="rejected", reason=f"invalid: {reason}")
            continue
        if record.device_id != device.id:
            results[index] = RecordResult(id=str(record.id), status="rejected", reason="device_id is not this device")
        elif str(record.id) in valid:
            results[index] = RecordResult(id=str(record.id), status="duplicate")
        else:
            valid[str(record.id)] = (index, record)

    inserted = _insert_ignoring_conflicts(session, [_row(record) for _, record in valid.values()])
    clashes = [record_id for record_id in valid if record_id not in inserted]
    stored = dict(session.execute(
        select(StoredRecord.id, StoredRecord.content_hash).where(StoredRecord.id.in_(clashes))
    ).all()) if clashes else {}
    session.commit()

    for record_id, (index, record) in valid.items():
        if record_id in inserted:
            results[index] = RecordResult(id=record_id, status="accepted")
        elif stored.get(record_id) == content_hash(record):
            results[index] = RecordResult(id=record_id, status="duplicate")
        elif record_id in stored:
            results[index] = RecordResult(id=record_id, status="rejected", reason="this id is already stored with other content")
        else:
            results[index] = RecordResult(id=record_id, status="rejected", reason=f"seq {record.seq} is already used by another record")
    return results
