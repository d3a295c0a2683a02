"""What goes over the wire between a kiosk and the ward, beyond ``sync.records`` and ``sync.heartbeat``."""
from typing import Any, Literal

from pydantic import BaseModel, Field

from sync.heartbeat import Heartbeat

VERSION_PATTERN = r"^(unknown|[0-9]{1,6}(\.[0-9]{1,8}){0,3}((a|b|rc)[0-9]{1,6})?(\.post[0-9]{1,8})?(\.dev[0-9]{1,14})?(\+[a-z0-9]{1,16}(\.[a-z0-9]{1,16}){0,2})?)$"


class EnrollRequest(BaseModel):
    token: str = Field(min_length=8, max_length=200)
    device_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,63}$")
    secret_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 hex of the secret the kiosk made")


class EnrollResponse(BaseModel):
    device_id: str
    venue_id: str
    name: str
    bundle_key: str = Field(description="HMAC key (hex) for this kiosk's USB bundles and their receipts")


class HeartbeatBody(Heartbeat):
    """The heartbeat as the server takes it: the version is a version, not free text."""

    app_version: str = Field(max_length=40, pattern=VERSION_PATTERN)


class RecordResultBody(BaseModel):
    id: str | None
    status: Literal["accepted", "duplicate", "rejected"]
    reason: str | None


class RecordResults(BaseModel):
    results: list[RecordResultBody]


class Problem(BaseModel):
    detail: str | list[dict[str, Any]]


class CardStop(BaseModel):
    lesson_id: str
    step_id: str


class CardLessons(BaseModel):
    done: list[str] = Field(description="lesson ids this card has finished")
    stopped: CardStop | None = Field(description="the last step it answered in a lesson not finished yet")
    at: int = Field(description="when the ward last heard of this card's progress (Unix time in milliseconds)")


class CardsResponse(BaseModel):
    """Lesson progress per learner card, and the cards that may no longer open a session: nothing else."""

    cards: dict[str, CardLessons]
    lost: list[str]
