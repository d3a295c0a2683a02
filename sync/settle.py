"""Acting on the server's per-record answers, whether they came over HTTP or in a USB receipt.

``accepted`` and ``duplicate`` both mean the ward holds the record: it is acked. ``rejected``
means it never will: the record is quarantined with the reason, so it is not sent forever.
"""
import uuid
from dataclasses import dataclass, field
from typing import Iterable

from sync.outbox import Outbox


class UnknownAnswer(ValueError):
    """An answer with a status this kiosk does not know; nothing of its batch was settled."""


@dataclass
class PushResult:
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, other: "PushResult") -> None:
        self.accepted += other.accepted
        self.duplicate += other.duplicate
        self.rejected += other.rejected
        self.reasons += other.reasons


def settle(outbox: Outbox, answers: Iterable[tuple[uuid.UUID | str, dict]]) -> PushResult:
    """Ack or quarantine each record id by the server's answer for it."""
    result, done, refused = PushResult(), [], {}
    for record_id, answer in answers:
        status = answer.get("status") if isinstance(answer, dict) else None
        if status in ("accepted", "duplicate"):
            done.append(record_id)
            setattr(result, status, getattr(result, status) + 1)
        elif status == "rejected":
            refused[record_id] = str(answer.get("reason") or "rejected")
        else:
            raise UnknownAnswer(f"unknown status {status!r} in the server's answer")
    outbox.ack(done)
    for record_id, reason in refused.items():
        outbox.quarantine([record_id], reason)
        result.reasons.append(reason)
    result.rejected += len(refused)
    return result
