"""The learning record: the one schema the kiosk writes and the ward server stores.

A record says what a learner did, never who they are: the learner is a random session id or a
printed pseudonymous card, payloads are small typed models with no free text, and no field can
hold a name, a phone number, an ID-card number or a camera frame.

Ids are the project's own formats only: learners come from ``sync.learner_ids``, and lesson, step,
answer and card ids are short slugs that may not hold a run of 7 or more digits (a phone or
ID-card number). Every number and time is bounded, so a hostile kiosk cannot make the server
overflow: ``seq`` fits a 32-bit column on both databases, ``monotonic_s`` is at most ten years,
and a time zone offset is one that exists on Earth (at most 14 hours).

A Raspberry Pi has no clock battery, so ``device_time`` may be 1970 until the network sets the
clock; ``boot_id`` + ``monotonic_s`` let the server re-base such times later.
"""
import datetime as dt
import re
import time
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sync.learner_ids import is_learner_id

MAX_SEQ = 2**31 - 1  # a signed 32-bit INTEGER on both databases
MAX_MONOTONIC_S = 10 * 365.25 * 24 * 3600  # ten years of uptime
MAX_UTC_OFFSET = dt.timedelta(hours=14)  # the widest real offset (Kiribati, UTC+14)
EARLIEST, LATEST = dt.datetime(1900, 1, 1, tzinfo=dt.timezone.utc), dt.datetime(2200, 1, 1, tzinfo=dt.timezone.utc)
_LONG_NUMBER = re.compile(r"[0-9]{7}")


def _no_long_number(value: str) -> str:
    if _LONG_NUMBER.search(value):
        raise ValueError("an id may not hold a run of 7 or more digits")
    return value


def _learner_id(value: str) -> str:
    if not is_learner_id(value):
        raise ValueError("not a learner id (anon-… or card-… with its check character)")
    return value


Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
ContentId = Annotated[Slug, AfterValidator(_no_long_number)]  # lesson, step, answer and card ids
LearnerId = Annotated[str, Field(max_length=48), AfterValidator(_learner_id)]
RecordType = Literal["session_started", "session_ended", "step_answered", "lesson_completed", "qr_scanned", "heartbeat",
                     "class_summary"]


class Payload(BaseModel):
    """Strict: the stored payload is exactly what was validated (no "true" for true, no 1.0 for 1)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class NoPayload(Payload):
    pass


class SessionStarted(Payload):
    """``demo``: a volunteer showing how the kiosk works, not a learner; the ward does not count it."""

    demo: bool = False


class SessionEnded(Payload):
    reason: Literal["idle", "finished", "left"]


class StepAnswered(Payload):
    step_id: ContentId
    answer: ContentId
    correct: bool
    attempt: int = Field(ge=1, le=1000)


class LessonCompleted(Payload):
    questions: int = Field(ge=0, le=1000)
    first_try_correct: int = Field(ge=0, le=1000)


class QrScanned(Payload):
    card: ContentId
    trusted: bool
    correct: bool


class TroubledStep(Payload):
    lesson_id: ContentId
    step_id: ContentId


class ClassSummary(Payload):
    """What a volunteer's class ("buổi học") came to: counts and the steps that needed help, nobody's name."""

    learners: int = Field(ge=0, le=1000)
    lessons_completed: int = Field(ge=0, le=10_000)
    troubled_steps: list[TroubledStep] = Field(default_factory=list, max_length=50)


PAYLOADS: dict[str, type[Payload]] = {
    "session_started": SessionStarted,
    "session_ended": SessionEnded,
    "step_answered": StepAnswered,
    "lesson_completed": LessonCompleted,
    "qr_scanned": QrScanned,
    "heartbeat": NoPayload,
    "class_summary": ClassSummary,
}


class RecordDraft(BaseModel):
    """A record before the outbox gives it its per-device ``seq``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    device_id: Slug
    type: RecordType
    lesson_id: ContentId | None = None
    payload: dict = Field(default_factory=dict)
    learner: LearnerId | None = None
    venue_id: Slug
    device_time: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    boot_id: uuid.UUID = Field(default_factory=lambda: current_boot_id())
    monotonic_s: float = Field(default_factory=time.monotonic, ge=0, le=MAX_MONOTONIC_S, allow_inf_nan=False)

    @field_validator("device_time")
    @classmethod
    def _real_time(cls, value: dt.datetime) -> dt.datetime:
        offset = value.utcoffset()
        if offset is None:
            raise ValueError("device_time must carry a timezone")
        if abs(offset) > MAX_UTC_OFFSET or not EARLIEST <= value < LATEST:
            raise ValueError("device_time is out of range")
        return value

    @model_validator(mode="after")
    def _payload_matches_type(self) -> "RecordDraft":
        try:
            PAYLOADS[self.type].model_validate(self.payload)
        except ValidationError as exc:
            problem = exc.errors()[0]
            raise ValueError(f"payload does not fit {self.type}: {problem['msg']}") from None
        return self


class Record(RecordDraft):
    """A record as queued and sent: ``seq`` counts from 1 per device and never repeats."""

    seq: int = Field(ge=1, le=MAX_SEQ)


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
