"""Storing a batch of records exactly once each.

The database's primary key on the record id decides, not a read-then-write check, so two copies of
the same batch arriving at once still store each record once: the batch goes in as one
``INSERT … ON CONFLICT DO NOTHING`` executemany (the driver's fast path on both SQLite and
PostgreSQL). When its row count says every row went in, every record is ``accepted``; otherwise
one SELECT reads back what the table holds for those ids. A row carrying this request's receipt
time was inserted by this request (``accepted``); any other row with the same content is a resend
(``duplicate``: fine) and one with other content is ``rejected``. The seq
of a refused record is noted, so ``ward-server audit`` can tell a refusal (the kiosk set the record
aside) from a loss, and a seq taken by another record (a cloned SD card) from both.

Each bad record is refused on its own, never by failing the batch, and its reason comes from a
fixed vocabulary ("invalid field: learner"): nothing the sender wrote is echoed or stored.
"""
import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from sync.device import UNASSIGNED_VENUE
from sync.records import Record
from sync.server.catalog import LessonCatalog, builtin_catalog
from sync.server.clock import DeviceClock, anchors, note_anchor, rebase
from sync.server.db import Device, RejectedSeq, StoredRecord, aware, insert, utcnow

Status = Literal["accepted", "duplicate", "rejected"]
MAX_BATCH = 500  # records per request or per bundle chunk, as in sync.records.Batch
RECORD_FIELDS = frozenset(Record.model_fields)
SEQ_TAKEN = "is already used by another record"  # the reason's tail when a cloned kiosk reuses seqs


@dataclass(frozen=True, slots=True)
class RecordResult:
    """The answer for one record. A plain dataclass: a batch makes 500 of them, and they go straight to JSON."""

    id: str | None
    status: Status
    reason: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {"id": self.id, "status": self.status, "reason": self.reason}


def content_hash(data: dict[str, Any]) -> str:
    """SHA-256 of a record's JSON form (``model_dump(mode="json")``), keys sorted."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def record_row(record: Record, anchor: float | None, received_at: dt.datetime) -> dict[str, Any]:
    """The ``records`` table row for ``record``, re-based on its boot's ``anchor`` when known."""
    data = record.model_dump(mode="json")
    row = {**data, "device_time": record.device_time.astimezone(dt.timezone.utc), "content_hash": content_hash(data),
           "received_at": received_at}
    row["rebased_time"], row["time_basis"] = rebase(record.device_time, record.monotonic_s, anchor, received_at)
    return row


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert the rows whose id and (device, seq) are not taken yet; returns how many went in.

    On PostgreSQL the batch goes as one JSON parameter that the server unpacks itself
    (``json_populate_recordset``): one short statement instead of psycopg binding every value of
    every row in Python, which made the driver, not the database, the bottleneck. SQLite's
    ``executemany`` is already a loop in C (and unpacking JSON there measured slower).
    """
    if session.get_bind().dialect.name != "postgresql":
        return session.execute(insert(session, StoredRecord).on_conflict_do_nothing(), rows).rowcount
    columns = ", ".join(rows[0])
    statement = text(f"INSERT INTO records ({columns}) SELECT {columns} "
                     "FROM json_populate_recordset(NULL::records, :rows) ON CONFLICT DO NOTHING")
    return session.execute(statement, {"rows": json.dumps(rows, default=dt.datetime.isoformat)}).rowcount


def _uuid_or_none(value: Any) -> str | None:
    try:
        return str(uuid.UUID(value)) if isinstance(value, str) and len(value) <= 36 else None
    except ValueError:
        return None


def invalid_reason(exc: ValidationError) -> str:
    """A reason naming the first bad field from the schema's own list; never the sender's text."""
    error = exc.errors()[0]
    loc = error["loc"]
    if not loc:  # the whole record: not an object, or its payload does not match its type
        return "invalid field: payload" if error["type"] == "value_error" else "invalid record: not an object"
    if isinstance(loc[0], str) and loc[0] in RECORD_FIELDS:
        return f"invalid field: {loc[0]}"
    return "invalid record: unknown field"


def _validate(device: Device, raw: Any, catalog: LessonCatalog) -> Record | RecordResult:
    """The record, or the reason it is refused."""
    raw_id = _uuid_or_none(raw.get("id")) if isinstance(raw, dict) else None
    try:
        record = Record.model_validate(raw)
    except ValidationError as exc:
        return RecordResult(id=raw_id, status="rejected", reason=invalid_reason(exc))
    reason = None
    if record.device_id != device.id:
        reason = "device_id is not this device"
    elif record.venue_id not in (device.venue_id, UNASSIGNED_VENUE):  # records queued before enrollment are unassigned
        reason = "venue is not this device's"
    elif record.lesson_id is not None and not catalog.has_lesson(record.lesson_id):
        reason = "unknown lesson"
    elif "step_id" in record.payload and not catalog.has_step(record.lesson_id or "", record.payload["step_id"]):
        reason = "unknown step"
    return record if reason is None else RecordResult(id=str(record.id), status="rejected", reason=reason)


def _refused_seq(device: Device, raw: Any, result: RecordResult, received_at: dt.datetime) -> dict[str, Any] | None:
    """The rejected_seqs row for a refused record of this device whose seq can be read, else None."""
    seq = raw.get("seq") if isinstance(raw, dict) and raw.get("device_id") == device.id else None
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq < 2**31:
        return None
    return {"device_id": device.id, "seq": seq, "record_id": result.id, "reason": result.reason,
            "received_at": received_at}


def _outcome(row: dict[str, Any], held: tuple[str, dt.datetime] | None, received_at: dt.datetime) -> RecordResult:
    """What became of ``row``, from what the table holds under its id after the insert."""
    if held is None:
        return RecordResult(id=row["id"], status="rejected", reason=f"seq {row['seq']} {SEQ_TAKEN}")
    stored_hash, stored_at = held
    if stored_hash != row["content_hash"]:
        return RecordResult(id=row["id"], status="rejected", reason="this id is already stored with other content")
    return RecordResult(id=row["id"], status="accepted" if aware(stored_at) == received_at else "duplicate")


def store_batch(session: Session, device: Device, raw_records: list[Any], clock: DeviceClock | None = None,
                received_at: dt.datetime | None = None, catalog: LessonCatalog | None = None) -> list[RecordResult]:
    """Validate and store each raw record for ``device``; one result per record, in order.

    ``clock`` is the kiosk's boot id and monotonic time when it sent the batch (None for a USB
    bundle): with the receipt time it anchors that boot, so records can be re-based. ``catalog``
    is the lessons the ward knows (the built-in packs when not given).
    """
    catalog = catalog or builtin_catalog()
    received_at = received_at or utcnow()
    results: list[RecordResult | None] = [None] * len(raw_records)
    valid: dict[str, tuple[int, Record]] = {}
    refusals: list[dict[str, Any]] = []
    for index, raw in enumerate(raw_records):
        checked = _validate(device, raw, catalog)
        if isinstance(checked, RecordResult):
            results[index] = checked
            if (refusal := _refused_seq(device, raw, checked, received_at)) is not None:
                refusals.append(refusal)
        elif (record_id := str(checked.id)) in valid:
            results[index] = RecordResult(id=record_id, status="duplicate")
        else:
            valid[record_id] = (index, checked)

    boots = {str(record.boot_id) for _, record in valid.values()}
    known = {clock.boot_id: note_anchor(session, device.id, clock, received_at)} if clock is not None else {}
    known |= anchors(session, device.id, boots - known.keys())
    rows = [record_row(record, known.get(str(record.boot_id)), received_at) for _, record in valid.values()]
    all_new, held = True, {}
    if rows:
        all_new = _insert_new(session, rows) == len(rows)
    if not all_new:  # some ids (or seqs) were there already: read back what the table holds for them
        held = {record_id: (stored_hash, stored_at) for record_id, stored_hash, stored_at in session.execute(
            select(StoredRecord.id, StoredRecord.content_hash, StoredRecord.received_at)
            .where(StoredRecord.id.in_(list(valid))))}
    for row, (index, _) in zip(rows, valid.values()):
        results[index] = result = (RecordResult(id=row["id"], status="accepted") if all_new
                                   else _outcome(row, held.get(row["id"]), received_at))
        if row["id"] not in held and result.status == "rejected":  # its seq is another record's: a cloned kiosk
            refusals.append({"device_id": device.id, "seq": row["seq"], "record_id": row["id"],
                             "reason": result.reason, "received_at": received_at})
    if refusals:
        session.execute(insert(session, RejectedSeq).on_conflict_do_nothing(), refusals)
    session.commit()
    return results
