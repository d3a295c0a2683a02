"""The kiosk's heartbeat: how a ward technician sees, without a visit, that a kiosk is alive and well.

It says what version runs, how much waits to be sent, how much the ward refused (``quarantined``)
and the outbox set aside as damaged (``set_aside``), when sync last worked, how much disk is left and
whether the power supply sags. It carries nothing about learners.
"""
import datetime as dt
import shutil
from importlib import metadata

from pydantic import BaseModel, ConfigDict, Field

from sync.outbox import Outbox
from sync.power import under_voltage

DISTRIBUTION = "bdhvs-kiosk"


class Heartbeat(BaseModel):
    """The body of ``POST /api/v1/heartbeat``."""

    model_config = ConfigDict(extra="forbid")

    app_version: str = Field(max_length=40)
    pending: int = Field(ge=0)
    quarantined: int = Field(ge=0)  # records the ward refused, kept on the kiosk
    set_aside: int = Field(0, ge=0)  # records set aside because their outbox file was damaged
    pack_version: str | None = Field(None, pattern=r"^[0-9a-f]{8,64}$")  # the installed pack's content hash
    last_sync: dt.datetime | None
    free_disk_bytes: int | None = Field(ge=0)
    under_voltage: bool | None
    device_time: dt.datetime


def app_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"


def collect_heartbeat(outbox: Outbox, last_sync: dt.datetime | None, pack_version: str | None = None) -> Heartbeat:
    """A heartbeat for this kiosk now; free disk is that of the outbox's partition, ``pack_version`` the
    content hash of the lesson pack the ward sent (None while the kiosk shows its built-in one)."""
    stats = outbox.stats()
    try:
        free = shutil.disk_usage(outbox.folder).free
    except OSError:
        free = None
    return Heartbeat(app_version=app_version(), pending=stats.pending, quarantined=stats.quarantined,
                     set_aside=stats.set_aside_records, pack_version=pack_version,
                     last_sync=last_sync, free_disk_bytes=free, under_voltage=under_voltage(),
                     device_time=dt.datetime.now(dt.timezone.utc))
