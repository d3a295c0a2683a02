"""The learning record: the one schema the kiosk writes and the ward server stores.

A record says what a learner did, never who they are: the learner is a random session id or a
printed pseudonymous card, payloads are small typed models with no free text, and no field can
hold a name, a phone number, an ID-card number or a camera frame.

A Raspberry Pi has no clock battery, so ``device_time`` may be 1970 until the network sets the
clock; ``boot_id`` + ``monotonic_s`` let the server re-base such times later.
"""
import datetime as dt
import time
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
LearnerId = Annotated[str, Field(pattern=r"^(anon|card)-[a-z0-9]{6,32}$")]
RecordType = Literal["session_started", "session_ended", "step_answered", "lesson_completed", "qr_scanned", "heartbeat"]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoPayload(Payload):
    pass


class SessionEnded(Payload):
    reason: Literal["idle", "finished", "left"]


class StepAnswered(Payload):
    step_id: Slug
    answer: Slug
    correct: bool
    attempt: int = Field(ge=1, le=1000)


class LessonCompleted(Payload):
    questions: int = Field(ge=0, le=1000)
    first_try_correct: int = Field(ge=0, le=1000)


class QrScanned(Payload):
    card: Slug
    trusted: bool
    correct: bool


PAYLOADS: dict[str, type[Payload]] = {
    "session_started": NoPayload,
    "session_ended": SessionEnded,
    "step_answered": StepAnswered,
    "lesson_completed": LessonCompleted,
    "qr_scanned": QrScanned,
    "heartbeat": NoPayload,
}


class RecordDraft(BaseModel):
    """A record before the outbox gives it its per-device ``seq``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    device_id: Slug
    type: RecordType
    lesson_id: Slug | None = None
    payload: dict = Field(default_factory=dict)
    learner: LearnerId | None = None
    venue_id: Slug
    device_time: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    boot_id: uuid.UUID = Field(default_factory=lambda: current_boot_id())
    monotonic_s: float = Field(default_factory=time.monotonic, ge=0)

    @model_validator(mode="after")
    def _payload_matches_type(self) -> "RecordDraft":
        PAYLOADS[self.type].model_validate(self.payload)
        if self.device_time.tzinfo is None:
            raise ValueError("device_time must carry a timezone")
        return self


class Record(RecordDraft):
    """A record as queued and sent: ``seq`` counts from 1 per device and never repeats."""

    seq: int = Field(ge=1)


class Batch(BaseModel):
    """The body of ``POST /api/v1/records``."""

    model_config = ConfigDict(extra="forbid")

    records: list[Record] = Field(min_length=1, max_length=500)


@lru_cache(maxsize=1)
def current_boot_id() -> uuid.UUID:
    """The kernel's id for this boot; falls back to a per-process id off Linux."""
    try:
        return uuid.UUID(Path("/proc/sys/kernel/random/boot_id").read_text().strip())
    except (OSError, ValueError):
        return uuid.uuid4()
