"""``ward-server audit``: per kiosk, which seqs the ward does not hold, which is how it knows nothing was lost.

Every kiosk numbers its records 1, 2, 3, … and never reuses a number, so a seq missing below the
highest one received is a record still on its way or lost. Seqs the server refused are listed
apart: the kiosk set those records aside and will not send them again. A refused seq that the ward
also holds under another record is a collision: two kiosks number their records as one, which is
what a cloned SD card does, and its records are refused until the copy is enrolled as a kiosk of its own. Records at the end
of the range that have not arrived yet cannot be seen from here; the kiosk's last heartbeat says
how many were still waiting.
"""
import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from sync.server.db import Device, RejectedSeq, StoredRecord


@dataclass
class DeviceAudit:
    device_id: str
    name: str
    revoked: bool
    records: int = 0
    highest_seq: int = 0
    missing: list[tuple[int, int]] = field(default_factory=list)  # inclusive ranges
    refused: list[int] = field(default_factory=list)
    collisions: list[int] = field(default_factory=list)  # refused seqs another record holds (a cloned kiosk)
    pending_at_heartbeat: int | None = None
    last_heartbeat_at: dt.datetime | None = None

    @property
    def missing_count(self) -> int:
        return sum(last - first + 1 for first, last in self.missing)


def _without(ranges: list[tuple[int, int]], refused: set[int]) -> list[tuple[int, int]]:
    """``ranges`` with the refused seqs taken out (refusals are few, so walking the seqs is fine)."""
    out: list[tuple[int, int]] = []
    for first, last in ranges:
        start = first
        for seq in sorted(s for s in refused if first <= s <= last):
            if start < seq:
                out.append((start, seq - 1))
            start = seq + 1
        if start <= last:
            out.append((start, last))
    return out


def audit(session: Session) -> list[DeviceAudit]:
    """Every device, with its record count, highest seq and the seq ranges the ward does not hold."""
    reports = {d.id: DeviceAudit(d.id, d.name, d.revoked_at is not None, last_heartbeat_at=d.last_heartbeat_at,
                                 pending_at_heartbeat=(d.heartbeat or {}).get("pending"))
               for d in session.scalars(select(Device).order_by(Device.created_at))}
    for device_id, count, highest in session.execute(
            select(StoredRecord.device_id, func.count(), func.max(StoredRecord.seq)).group_by(StoredRecord.device_id)):
        reports[device_id].records, reports[device_id].highest_seq = count, highest
    previous = func.lag(StoredRecord.seq, 1, 0).over(partition_by=StoredRecord.device_id, order_by=StoredRecord.seq)
    steps = select(StoredRecord.device_id, StoredRecord.seq, previous.label("previous")).subquery()
    gaps: dict[str, list[tuple[int, int]]] = {}
    for device_id, seq, before in session.execute(
            select(steps.c.device_id, steps.c.seq, steps.c.previous).where(steps.c.seq - steps.c.previous > 1)
            .order_by(steps.c.device_id, steps.c.seq)):
        gaps.setdefault(device_id, []).append((before + 1, seq - 1))
    refused: dict[str, set[int]] = {}
    for device_id, seq in session.execute(select(RejectedSeq.device_id, RejectedSeq.seq)):
        refused.setdefault(device_id, set()).add(seq)
    collided: dict[str, list[int]] = {}
    for device_id, seq in session.execute(
            select(RejectedSeq.device_id, RejectedSeq.seq).join(StoredRecord, and_(
                StoredRecord.device_id == RejectedSeq.device_id, StoredRecord.seq == RejectedSeq.seq))
            .order_by(RejectedSeq.device_id, RejectedSeq.seq)):
        collided.setdefault(device_id, []).append(seq)
    for device_id, report in reports.items():
        report.collisions = collided.get(device_id, [])
        mine = refused.get(device_id, set())
        report.refused = sorted(mine)
        report.missing = _without(gaps.get(device_id, []), mine)
    return list(reports.values())


def describe(report: DeviceAudit) -> str:
    """One line for a technician, for example ``kiosk-1a2b (Cà phê Luka): 1200 records up to seq 1203, missing 17-19``."""
    state = " [revoked]" if report.revoked else ""
    missing = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in report.missing) or "none"
    line = f"{report.device_id} ({report.name}){state}: {report.records} records up to seq {report.highest_seq}, missing {missing}"
    if report.refused:
        line += f", refused {len(report.refused)}"
    if report.collisions:
        line += (f" ({len(report.collisions)} because their seq is another record's: is this kiosk a copy of another's"
                 " SD card? Revoke it and enroll the copy as a kiosk of its own)")
    if report.pending_at_heartbeat is not None:
        line += f", {report.pending_at_heartbeat} waiting on the kiosk at its last heartbeat"
    return line
