"""The sync state the kiosk shows, apart from the worker so the screen can read it before sync starts."""
import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sync.problems import Problem

# "refused": everything was sent but the ward refused some records; "error": something on the kiosk
# (its stored results, say) stops sync this round. Neither may look like "synced".
State = Literal["not_enrolled", "waiting", "synced", "offline", "needs_enrollment", "refused", "error"]


@dataclass(frozen=True)
class SyncStatus:
    """What the kiosk shows in its small sync line and on the staff screen."""

    state: State
    pending: int
    last_sync: dt.datetime | None = None
    refused: int = 0  # records the ward refused, kept on the kiosk with the reason
    set_aside: int = 0  # records the outbox set aside because their file was damaged
    problem: Problem | None = None  # what is wrong now, in plain words (``Problem.sentence()``)
