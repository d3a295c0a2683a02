"""Re-basing kiosk times onto the server's clock.

A Raspberry Pi has no clock battery: until the network sets it, its clock starts at 1970 or, with
fake-hwclock, at the time of the last shutdown, which looks plausible and is wrong. Its monotonic
clock, though, counts steadily from boot whatever the wall clock does. So every request carries
the kiosk's boot id and monotonic time at sending; the server's receipt time minus that monotonic
time places the whole boot in real time (an anchor), and any record of that boot is re-based as
``anchor + monotonic_s``, to within the network delay.

A boot that never reached the server (the kiosk was restarted offline, or its records came on a
USB stick) has no anchor: its records keep their device time when it is plausible (after the
product existed and not ahead of the receipt), and have no re-based time otherwise.
"""
import datetime as dt
import math
import uuid
from dataclasses import dataclass
from typing import Mapping

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from sync.records import MAX_MONOTONIC_S
from sync.server.db import BootAnchor, insert

BOOT_HEADER = "X-Boot-Id"
MONOTONIC_HEADER = "X-Monotonic"
PLAUSIBLE_FROM = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
AHEAD_TOLERANCE = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class DeviceClock:
    """The kiosk's boot id and monotonic seconds when it sent a request."""

    boot_id: str
    monotonic_s: float

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> "DeviceClock | None":
        """The clock a request declares, or None when its headers are missing, malformed or absurd.

        An absurd monotonic time (negative, not finite, more than ten years of uptime) is ignored, never
        kept: an anchor is kept for good, so one bad header would misplace that boot's records forever.
        """
        try:
            boot_id = str(uuid.UUID(headers.get(BOOT_HEADER, "")[:64]))
            monotonic_s = float(headers.get(MONOTONIC_HEADER, "")[:32])
        except ValueError:
            return None
        plausible = math.isfinite(monotonic_s) and 0 <= monotonic_s <= MAX_MONOTONIC_S
        return cls(boot_id, monotonic_s) if plausible else None


def note_anchor(session: Session, device_id: str, clock: DeviceClock, received_at: dt.datetime) -> float:
    """Remember where ``clock``'s boot sits in real time, keeping the tightest estimate seen; returns it."""
    offset = received_at.timestamp() - clock.monotonic_s
    statement = insert(session, BootAnchor).values(device_id=device_id, boot_id=clock.boot_id, offset_s=offset,
                                                   seen_at=received_at)
    return session.execute(statement.on_conflict_do_update(
        index_elements=[BootAnchor.device_id, BootAnchor.boot_id],
        set_={"offset_s": case((statement.excluded.offset_s < BootAnchor.offset_s, statement.excluded.offset_s),
                               else_=BootAnchor.offset_s)},
    ).returning(BootAnchor.offset_s)).scalar_one()


def anchors(session: Session, device_id: str, boot_ids: set[str]) -> dict[str, float]:
    """The known anchors of ``boot_ids``: boot id -> epoch seconds at monotonic zero."""
    if not boot_ids:
        return {}
    return dict(session.execute(select(BootAnchor.boot_id, BootAnchor.offset_s).where(
        BootAnchor.device_id == device_id, BootAnchor.boot_id.in_(boot_ids))).all())


def rebase(device_time: dt.datetime, monotonic_s: float, anchor: float | None,
           received_at: dt.datetime) -> tuple[dt.datetime | None, str | None]:
    """The best real time for a record and what it rests on: ``monotonic``, ``device_clock`` or nothing."""
    if anchor is not None:
        try:
            return dt.datetime.fromtimestamp(anchor + monotonic_s, dt.timezone.utc), "monotonic"
        except (OverflowError, OSError, ValueError):
            pass  # an absurd anchor kept before anchors were bounded: fall back to the device clock
    if PLAUSIBLE_FROM <= device_time <= received_at + AHEAD_TOLERANCE:
        return device_time.astimezone(dt.timezone.utc), "device_clock"
    return None, None
