"""Where each learner card is in its lessons, kept on the kiosk so a learner continues where they stopped.

Only progress is kept: the lessons a card has finished, where it stopped (lesson id and step
id) and when that last changed. A card id is a random pseudonym (sync/learner_ids.py), so the file says nothing about
anyone. The ward's copy of progress (pulled with the packs) is merged in: its lessons done are
added, and its stop replaces this kiosk's when the ward heard of the card after this kiosk last
saw it (the learner went on at another kiosk), so the same card resumes at that step here. The
ward's list of lost cards is kept, so a lost card opens no session here once the kiosk has synced.

The sync worker merges the ward's copy on its thread while the screens write on theirs, so every
change holds the store's lock. The file lives in the data directory and is rewritten atomically: after a power cut it holds the
old or the new progress, whole. It is read as hostile: bounded in size, and one damaged card entry
is dropped alone with a log line, the others kept.
"""
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sync.atomic_storage import write_atomically
from sync.learner_ids import is_learner_id
from sync.records import ContentId

log = logging.getLogger(__name__)

FILE_NAME = "card-progress.json"
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_CARDS = 20_000
MAX_LESSONS = 500  # per card; packs hold a few dozen lessons


class Stop(BaseModel):
    """Where a card stopped: the lesson and the step it was on."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    lesson: ContentId
    step: ContentId


class Progress(BaseModel):
    """A card's progress, and when it last changed (Unix milliseconds; 0: never here) to tell it from the ward's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    done: frozenset[ContentId] = Field(default=frozenset(), max_length=MAX_LESSONS)
    stopped: Stop | None = None
    at: int = Field(default=0, ge=0, lt=2**50, strict=True)


def now_ms() -> int:
    return int(time.time() * 1000)


class WardStop(BaseModel):
    model_config = ConfigDict(frozen=True, strict=True)

    lesson_id: ContentId
    step_id: ContentId


class WardCard(BaseModel):
    """One card as ``GET /api/v1/cards`` serves it: lessons done, the last step answered, and when the ward last
    heard of the card (Unix milliseconds)."""

    model_config = ConfigDict(frozen=True, strict=True)

    done: list[ContentId] = Field(max_length=MAX_LESSONS)
    stopped: WardStop | None = None
    at: int = Field(ge=0, lt=2**50)


@dataclass
class CardProgressStore:
    """Every card's progress on this kiosk, saved after each change."""

    path: Path
    cards: dict[str, Progress] = field(default_factory=dict)
    lost: set[str] = field(default_factory=set)
    etag: str | None = None  # of the ward's card progress last merged, so an unchanged one is not sent again
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> "CardProgressStore":
        return cls.load(data_dir / FILE_NAME)

    @classmethod
    def load(cls, path: Path) -> "CardProgressStore":
        """The saved progress; a missing file is none yet, a damaged one is logged and read as far as it goes."""
        store = cls(path)
        try:
            with open(path, "rb") as handle:
                data = json.loads(handle.read(MAX_FILE_BYTES + 1)[:MAX_FILE_BYTES])
            cards, lost = data.get("cards", {}), data.get("lost", [])
            if not isinstance(cards, dict) or not isinstance(lost, list):
                raise ValueError("not a progress file")
        except FileNotFoundError:
            return store
        except (OSError, ValueError, AttributeError, RecursionError) as exc:
            log.error("cards: the progress file %s cannot be read (%s); cards start afresh", path, exc)
            return store
        store.lost = {card for card in lost[:MAX_CARDS] if _is_card(card)}
        etag = data.get("etag")
        store.etag = etag if isinstance(etag, str) and len(etag) <= 64 else None
        for card_id, entry in list(cards.items())[:MAX_CARDS]:
            try:
                if not _is_card(card_id):
                    raise ValueError("not a card id")
                store.cards[card_id] = Progress.model_validate(entry)
            except (ValueError, ValidationError) as exc:
                log.error("cards: one damaged entry in %s is dropped (%s)", path, str(exc).splitlines()[0])
        return store

    def progress(self, card_id: str) -> Progress | None:
        """The card's progress; None for a lost card, which may not open a session."""
        if card_id in self.lost:
            return None
        return self.cards.get(card_id, Progress())

    def stopped_at(self, card_id: str, lesson_id: str, step_id: str) -> None:
        self._update(card_id, stopped=Stop(lesson=lesson_id, step=step_id))

    def lesson_done(self, card_id: str, lesson_id: str) -> None:
        with self._lock:
            current = self.cards.get(card_id, Progress())
            stopped = None if current.stopped and current.stopped.lesson == lesson_id else current.stopped
            self._update(card_id, done=current.done | {lesson_id}, stopped=stopped)

    def apply_ward(self, etag: str, document: dict) -> None:
        """Merge ``GET /api/v1/cards``'s answer: each card's lessons done and where it stopped, and the lost
        cards. Read as hostile: a malformed card is skipped alone."""
        cards, lost = document.get("cards"), document.get("lost")
        ward = {}
        for card_id, entry in list(cards.items() if isinstance(cards, dict) else ())[:MAX_CARDS]:
            try:
                ward[card_id] = WardCard.model_validate(entry)
            except ValidationError:
                log.warning("cards: the ward's progress of one card is not lesson progress; it is skipped")
        with self._lock:
            self.etag = etag[:64] or None
            self.merge_from_ward(ward, lost[:MAX_CARDS] if isinstance(lost, list) else [])

    def merge_from_ward(self, ward: dict[str, WardCard], lost: Iterable[str]) -> None:
        """Add the lessons the ward knows a card finished (at any kiosk); take the ward's stop (none, when the
        lesson was finished) when the ward heard of the card after this kiosk's stop; forget the lost cards."""
        with self._lock:
            self.lost |= {card for card in lost if _is_card(card)}
            for card_id, theirs in ward.items():
                if not _is_card(card_id) or card_id in self.lost:
                    continue
                ours = self.cards.get(card_id, Progress())
                stopped, at = ours.stopped, ours.at
                if theirs.at > ours.at:
                    stopped, at = theirs.stopped and Stop(lesson=theirs.stopped.lesson_id, step=theirs.stopped.step_id), theirs.at
                self.cards[card_id] = Progress(done=ours.done | frozenset(theirs.done), stopped=stopped, at=at)
            for card_id in self.lost & self.cards.keys():
                del self.cards[card_id]
            self._save()

    def _update(self, card_id: str, **changes) -> None:
        if not _is_card(card_id) or card_id in self.lost:
            raise ValueError("not a card that may learn here")
        with self._lock:
            current = self.cards.get(card_id, Progress())
            self.cards[card_id] = Progress.model_validate({**current.model_dump(), **changes, "at": now_ms()})
            self._save()

    def _save(self) -> None:
        """Write everything; a failed write keeps the progress in memory and says so."""
        data = {"cards": {card: {"done": sorted(p.done), "stopped": p.stopped and p.stopped.model_dump(), "at": p.at}
                          for card, p in self.cards.items()},
                "lost": sorted(self.lost), "etag": self.etag}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, json.dumps(data, sort_keys=True).encode())
        except OSError as exc:
            log.error("cards: progress cannot be saved to %s (%s); it holds until the kiosk restarts", self.path, exc)


def _is_card(value: object) -> bool:
    return is_learner_id(value) and value.startswith("card-")
