"""Storing a batch of records exactly once each.

The database's primary key on the record id decides, not a read-then-write check, so two copies of
the same batch arriving at once still store each record once. A record whose id is already stored
is a ``duplicate`` when its content is the same (a resend: fine) and ``rejected`` when it differs.
The seq of a record refused as invalid is noted, so ``ward-server audit`` can tell a refusal (the
kiosk set the record aside) from a loss.
"""
import datetime as dt
import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.records import Record
from sync.server.clock import DeviceClock, anchors, note_anchor, rebase
from sync.server.db import Device, RejectedSeq, StoredRecord, insert, utcnow

Status = Literal["accepted", "duplicate", "rejected"]
MAX_BATCH = 500  # records per request or per bundle chunk, as in sync.records.Batch


class RecordResult(BaseModel):
    id: str | None
    status: Status
    reason: str | None = None


def content_hash(record: Record) -> str:
    canonical = json.dumps(record.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _row(record: Record, anchor: float | None, received_at: dt.datetime) -> dict[str, Any]:
    data = record.model_dump(mode="json")
    data["boot_id"], data["device_time"] = str(record.boot_id), record.device_time
    data["rebased_time"], data["time_basis"] = rebase(record.device_time, record.monotonic_s, anchor, received_at)
    return {**data, "id": str(record.id), "content_hash": content_hash(record), "received_at": received_at}


def _insert_ignoring_conflicts(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """Insert ``rows``; returns the ids actually inserted (conflicts are skipped, not errors)."""
    statement = insert(session, StoredRecord).on_conflict_do_nothing().returning(StoredRecord.id)
    return {row.id for row in session.execute(statement, rows)} if rows else set()


def _validate(device: Device, raw: Any) -> Record | RecordResult:
    """The record, or the reason it is refused."""
    raw_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    try:
        record = Record.model_validate(raw)
    except ValidationError as exc:
        reason = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
        return RecordResult(id=raw_id, status="rejected", reason=f"invalid: {reason}"[:300])
    if record.device_id != device.id:
        return RecordResult(id=str(record.id), status="rejected", reason="device_id is not this device")
    return record


def _refused_seq(device: Device, raw: Any, result: RecordResult, received_at: dt.datetime) -> dict[str, Any] | None:
    """The rejected_seqs row for a refused record of this device whose seq can be read, else None."""
    seq = raw.get("seq") if isinstance(raw, dict) and raw.get("device_id") == device.id else None
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq < 2**31:
        return None
    record_id = result.id if result.id and len(result.id) <= 36 else None
    return {"device_id": device.id, "seq": seq, "record_id": record_id, "reason": result.reason,
            "received_at": received_at}


def store_batch(session: Session, device: Device, raw_records: list[Any], clock: DeviceClock | None = None,
                received_at: dt.datetime | None = None) -> list[RecordResult]:
    """Validate and store each raw record for ``device``; one result per record, in order.

    ``clock`` is the kiosk's boot id and monotonic time when it sent the batch (None for a USB
    bundle): with the receipt time it anchors that boot, so records can be re-based.
    """
    received_at = received_at or utcnow()
    results: list[RecordResult | None] = [None] * len(raw_records)
    valid: dict[str, tuple[int, Record]] = {}
    refusals: list[dict[str, Any]] = []
    for index, raw in enumerate(raw_records):
        checked = _validate(device, raw)
        if isinstance(checked, RecordResult):
            results[index] = checked
            if (refusal := _refused_seq(device, raw, checked, received_at)) is not None:
                refusals.append(refusal)
        elif str(checked.id) in valid:
            results[index] = RecordResult(id=str(checked.id), status="duplicate")
        else:
            valid[str(checked.id)] = (index, checked)

    if clock is not None:
        note_anchor(session, device.id, clock, received_at)
    known = anchors(session, device.id, {str(record.boot_id) for _, record in valid.values()})
    rows = [_row(record, known.get(str(record.boot_id)), received_at) for _, record in valid.values()]
    hashes = {row["id"]: row["content_hash"] for row in rows}
    inserted = _insert_ignoring_conflicts(session, rows)
    if refusals:
        session.execute(insert(session, RejectedSeq).on_conflict_do_nothing(), refusals)
    clashes = [record_id for record_id in valid if record_id not in inserted]
    stored = dict(session.execute(
        select(StoredRecord.id, StoredRecord.content_hash).where(StoredRecord.id.in_(clashes))
    ).all()) if clashes else {}
    session.commit()

    for record_id, (index, record) in valid.items():
        if record_id in inserted:
            results[index] = RecordResult(id=record_id, status="accepted")
        elif stored.get(record_id) == hashes[record_id]:
            results[index] = RecordResult(id=record_id, status="duplicate")
        elif record_id in stored:
            results[index] = RecordResult(id=record_id, status="rejected", reason="this id is already stored with other content")
        else:
            results[index] = RecordResult(id=record_id, status="rejected", reason=f"seq {record.seq} is already used by another record")
    return results
