"""The sync state the kiosk shows, apart from the worker so the screen can read it before sync starts."""
import datetime as dt
from dataclasses import dataclass
from typing import Literal

State = Literal["not_enrolled", "waiting", "synced", "offline", "needs_enrollment"]


@dataclass(frozen=True)
class SyncStatus:
    """What the kiosk shows in its small sync line."""

    state: State
    pending: int
    last_sync: dt.datetime | None = None
