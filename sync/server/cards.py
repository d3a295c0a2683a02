"""Learner cards at the ward: each card's lesson progress, derived from the records the ward holds, and lost cards.

Progress is never stored apart from the records: a card has done a lesson when a ``lesson_completed``
record names it, and it stopped at the last step it answered in a lesson it has not finished. Each
card carries when the ward last heard of it, so a kiosk can tell the ward's stop from its own newer one. A
lost card is a row saying which card replaces it; the replacement then owns the lost card's records,
so the learner loses nothing, and kiosks that pull the lost list refuse the old card.
"""
import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.learner_ids import is_learner_id
from sync.server.db import LostCard, StoredRecord, aware, utcnow
from sync.server.rollup import when

MAX_CARDS = 20_000  # a ward's cards; beyond it the most recently active are served
MAX_CHAIN = 50      # a card lost and replaced this many times over is damage, not a learner


class CardRefused(ValueError):
    """Why a lost-card request cannot be done, in words for ward staff."""


@dataclass
class CardProgress:
    done: set[str] = field(default_factory=set)
    stopped: tuple[str, str] | None = None  # (lesson id, step id)
    last_seen: dt.datetime | None = None    # the card's last record, as the ward best knows its time

    def as_json(self) -> dict:
        """Lesson progress only: the lessons done, the last step answered, and when the ward last heard of the
        card (Unix milliseconds), so a kiosk keeps its own stop when it is the later one."""
        stopped = {"lesson_id": self.stopped[0], "step_id": self.stopped[1]} if self.stopped else None
        return {"done": sorted(self.done), "stopped": stopped, "at": int(aware(self.last_seen).timestamp() * 1000)}


def is_card(value: object) -> bool:
    return is_learner_id(value) and value.startswith("card-")


def replacements(session: Session) -> dict[str, str]:
    """lost card id -> the card that carries its progress now (followed to the end of the chain)."""
    direct = {card: new for card, new in session.execute(select(LostCard.card_id, LostCard.new_card_id))}
    resolved = {}
    for card in direct:
        current, hops = card, 0
        while current in direct and hops < MAX_CHAIN:
            current, hops = direct[current], hops + 1
        resolved[card] = current
    return resolved


def progress(session: Session) -> dict[str, CardProgress]:
    """Every active card's progress, the most recently active first, at most MAX_CARDS."""
    moved = replacements(session)
    cards: dict[str, CardProgress] = {}
    rows = session.execute(
        select(StoredRecord.learner, StoredRecord.type, StoredRecord.lesson_id, StoredRecord.payload, when())
        .where(StoredRecord.learner.like("card-%"), StoredRecord.type.in_(("lesson_completed", "step_answered")))
        .order_by(when(), StoredRecord.id))
    for learner, kind, lesson_id, payload, happened in rows:
        card = cards.setdefault(moved.get(learner, learner), CardProgress())
        card.last_seen = happened
        if kind == "lesson_completed" and lesson_id:
            card.done.add(lesson_id)
            if card.stopped and card.stopped[0] == lesson_id:
                card.stopped = None
        elif lesson_id and isinstance(payload, dict) and isinstance(payload.get("step_id"), str):
            card.stopped = (lesson_id, payload["step_id"])
    active = sorted(cards.items(), key=lambda item: item[1].last_seen, reverse=True)[:MAX_CARDS]
    return dict(active)


def lost_ids(session: Session) -> list[str]:
    return sorted(session.scalars(select(LostCard.card_id)))


def mark_lost(session: Session, card_id: str, new_card_id: str) -> None:
    """Mark ``card_id`` lost and give its progress to ``new_card_id``; saying the same again changes nothing."""
    if not is_card(card_id) or not is_card(new_card_id):
        raise CardRefused("both must be learner card ids (card-… or the short code printed on the card)")
    if card_id == new_card_id:
        raise CardRefused("the new card must be another card")
    existing = session.get(LostCard, card_id)
    if existing is not None:
        if existing.new_card_id == new_card_id:
            return
        raise CardRefused(f"{card_id} is already marked lost, replaced by {existing.new_card_id}")
    if session.get(LostCard, new_card_id) is not None:
        raise CardRefused(f"{new_card_id} is itself a lost card; give a new card")
    session.add(LostCard(card_id=card_id, new_card_id=new_card_id, lost_at=utcnow()))
    session.commit()
