"""The background sync worker: pushes the outbox whenever the ward server answers.

It runs on its own thread so the learner's screen never waits on the network. After a failure it
waits with exponential backoff and full jitter (so a ward's kiosks coming back after a power cut do
not all knock at once), and at least as long as a 429's ``Retry-After`` asks. A new record wakes it
at once while sync works, but never cuts a backoff short: against a down server a busy kiosk would
otherwise knock once a record. When part of a push went through, the backoff starts again from the
bottom. A refused token (401/403) stops it: it sends nothing more, however many records are queued,
until ``use_client`` hands it the credentials of a new enrollment.

After a successful push it also sends a heartbeat every ``heartbeat_interval_s`` and, when given a
``PackInstaller``, asks for a newer lesson pack every ``packs_interval_s``, and with it, when given a
``CardSink``, the ward's learner card progress; none may stop the records from flowing, so their
failures are only logged.

No error ends the thread. Damage that appears in the outbox after it opened, a garbled answer or a
bad pack fails one round; the problem is logged once (not every round), shown in the status in
plain words, and the next round tries again. ``sync-health.json`` (``sync.health``) tells
``kiosk doctor`` and the watchdog that the thread is alive and what it last saw.

Time is injectable (``clock``, ``wall_clock``, ``waiter``, ``rng``), so tests count attempts over
simulated minutes without sleeping.
"""
import datetime as dt
import logging
import os
import random
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Protocol

from sync.client import NeedsEnrollment, ServerUnavailable, SyncClient, push_pending
from sync.health import ALIVE_EVERY_S, write_health
from sync.heartbeat import collect_heartbeat
from sync.outbox import Outbox
from sync.packs import PackInstaller
from sync.problems import Kind, Problem, describe
from sync.records import current_boot_id
from sync.settle import PushResult
from sync.status import SyncStatus

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 1.0
LOOP_PAUSE_S = 5.0  # after an error in the loop itself, so it can never spin


def wait_on(event: threading.Event, timeout: float) -> bool:
    """The real waiter: sleep until ``event`` is set or ``timeout`` passes."""
    return event.wait(timeout)


class Backoff:
    """Exponential backoff with full jitter, never shorter than what a ``Retry-After`` asked."""

    def __init__(self, max_s: float, rng: random.Random, base_s: float = BACKOFF_BASE_S) -> None:
        self.max_s = max_s
        self.base_s = base_s
        self.rng = rng
        self.failures = 0

    def failed(self, retry_after: float | None = None) -> float:
        """Count a failure; the seconds to wait before the next try."""
        self.failures += 1
        ceiling = min(self.max_s, self.base_s * 2 ** min(self.failures, 32))
        return max(self.rng.uniform(0, ceiling), retry_after or 0.0)

    def reset(self) -> None:
        self.failures = 0


class CardSink(Protocol):
    """Where the ward's card progress goes (kiosk.card_progress.CardProgressStore): sync never imports the kiosk."""

    etag: str | None

    def apply_ward(self, etag: str, document: dict) -> None: ...


class SyncWorker:
    """Pushes ``outbox`` through ``client`` on a daemon thread until ``stop``.

    Without a client it waits for ``use_client``; ``problem`` says why (a copied memory card, say),
    and then the state is ``needs_enrollment``. ``health_dir`` is where ``sync-health.json`` goes.
    """

    def __init__(self, outbox: Outbox, client: SyncClient | None, interval_s: float = 30,
                 backoff_max_s: float = 300, on_change: Callable[[SyncStatus], None] = lambda s: None,
                 heartbeat_interval_s: float = 300, packs: PackInstaller | None = None,
                 packs_interval_s: float = 3600, *, cards: CardSink | None = None, problem: Problem | None = None,
                 health_dir: Path | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone(),
                 waiter: Callable[[threading.Event, float], bool] = wait_on,
                 rng: random.Random | None = None) -> None:
        self.outbox = outbox
        self.client = client
        self.interval_s = interval_s
        self.on_change = on_change
        self.heartbeat_interval_s = heartbeat_interval_s
        self.packs = packs
        self.packs_interval_s = packs_interval_s
        self.cards = cards
        self.health_dir = health_dir
        self.clock = clock
        self.wall_clock = wall_clock
        self.waiter = waiter
        self.backoff = Backoff(backoff_max_s, rng or random.Random())
        self._next_at = 0.0  # clock time of the next round
        self._due = {"heartbeat": 0.0, "packs": 0.0, "cards": 0.0}  # clock time each chore is next due
        self._logged: dict[str, tuple[Kind, str]] = {}  # the problem last logged, per part of a round
        self._last_round: tuple[dt.datetime, float] | None = None
        self._health: tuple[dict[str, Any], float] | None = None  # what was last written, and when
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._asked = self._answered = 0  # send_now requests made, and those whose round has ended
        self._round_ended = threading.Condition()
        state = "not_enrolled" if client is None else "waiting"
        if client is None and problem is not None:
            state = "needs_enrollment"
        self._status = SyncStatus(state, 0, problem=problem)
        self._status = replace(self._status, **self._counts())
        self._thread = threading.Thread(target=self.run, name="sync-worker", daemon=True)

    @property
    def status(self) -> SyncStatus:
        with self._lock:
            return self._status

    def _set(self, **changes) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)
            status = self._status
        self.on_change(status)

    def _counts(self) -> dict[str, int]:
        """Pending, refused and set-aside counts from the outbox; none when it cannot say."""
        try:
            stats = self.outbox.stats()
            return {"pending": stats.pending, "refused": stats.quarantined, "set_aside": stats.set_aside_records}
        except Exception as exc:  # damage: the round that meets it reports it
            log.debug("sync: outbox counts unavailable (%s)", exc)
            return {}

    def start(self) -> "SyncWorker":
        self._thread.start()
        return self

    def wake(self) -> None:
        """A new record was queued: refresh the pending count, and send now unless backing off."""
        self._set(**self._counts())
        self._wake.set()

    def use_client(self, client: SyncClient) -> None:
        """Sync with new credentials (after re-enrollment) and resume at once."""
        self.client = client
        self.backoff.reset()
        self._next_at = 0.0
        self._set(state="waiting", problem=None, **self._counts())
        self._wake.set()

    def send_now(self, timeout_s: float) -> SyncStatus | None:
        """A technician asked: run a round at once, even during a backoff, and wait for its end.

        The status after it, or None when it did not end within ``timeout_s``. Without a client,
        or with a refused token, the status comes back at once: there is nothing to try.
        """
        with self._round_ended:
            self._asked += 1
            ticket = self._asked
        self._wake.set()
        with self._round_ended:
            if not self._round_ended.wait_for(lambda: self._answered >= ticket, timeout_s):
                return None
        return self.status

    def stop(self, timeout: float = 5) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._write_health(running=False)

    def run(self) -> None:
        """The worker's loop, in the calling thread, until ``stop``; ``start`` runs it on its own thread."""
        while not self._stop.is_set():
            try:
                self._step()
            except Exception as exc:  # noqa: BLE001 - the loop itself must never die
                self._log_once("loop", describe(exc), exc)
                self._wait(LOOP_PAUSE_S)

    def _step(self) -> None:
        asked = self._asked
        if self.client is None or self.status.state == "needs_enrollment":
            if asked == self._answered:
                self._wait(ALIVE_EVERY_S)
        else:
            now = self.clock()
            if now >= self._next_at or asked > self._answered:
                self.sync_once()
            elif self._wait(min(self._next_at - now, ALIVE_EVERY_S)) and self.backoff.failures == 0:
                self._next_at = 0.0  # a new record goes at once while sync works
        if asked > self._answered:
            with self._round_ended:
                self._answered = asked
                self._round_ended.notify_all()
        self._write_health()

    def _wait(self, timeout: float) -> bool:
        woke = self.waiter(self._wake, max(0.0, timeout))
        self._wake.clear()
        return woke

    def sync_once(self) -> bool:
        """One push of everything pending, then any chore that is due; True when the server took it all.

        Never raises: whatever fails is shown in the status and schedules the next try.
        """
        client = self.client
        if client is None:
            return False
        progress = PushResult()
        try:
            if self.outbox.stats().pending:
                push_pending(self.outbox, client, progress)
            self._succeeded(pushed=bool(progress.accepted or progress.duplicate or progress.rejected))
            self._chores(client)
        except NeedsEnrollment as exc:
            self._log_once("push", exc.problem, exc, logging.WARNING)
            if self.client is client:  # not re-enrolled meanwhile
                self._set(state="needs_enrollment", problem=exc.problem, **self._counts())
            return False
        except Exception as exc:  # noqa: BLE001 - one bad round must not end sync
            problem, offline = describe(exc), isinstance(exc, ServerUnavailable)
            self._log_once("push", problem, exc, logging.WARNING if offline else logging.ERROR)
            if progress.accepted or progress.duplicate or progress.rejected:
                self.backoff.reset()  # part went through: the link works, try again soon
            self._next_at = self.clock() + self.backoff.failed(getattr(exc, "retry_after", None))
            self._set(state="offline" if offline else "error", problem=problem, **self._counts())
            return False
        finally:
            self._last_round = (self.wall_clock(), self.clock())
        return True

    def _succeeded(self, pushed: bool) -> None:
        if self._logged.pop("push", None):
            log.info("sync: the ward server takes records again")
        self.backoff.reset()
        self._next_at = self.clock() + self.interval_s
        counts = self._counts()
        last_sync = self.wall_clock() if pushed else self.status.last_sync
        refused = counts.get("refused", self.status.refused)
        if refused:
            state, problem = "refused", Problem(Kind.RECORDS_REFUSED, str(refused))
        else:
            state, problem = ("synced" if last_sync else "waiting"), None
        self._set(state=state, problem=problem, last_sync=last_sync, **counts)

    def _log_once(self, part: str, problem: Problem, exc: BaseException, level: int = logging.ERROR) -> None:
        """Log ``problem`` unless it is the one last logged for ``part``: a down server is one line, not one a round."""
        key = (problem.kind, problem.subject)
        if self._logged.get(part) == key:
            return
        self._logged[part] = key
        unexpected = problem.kind in (Kind.STORAGE, Kind.UNEXPECTED)
        log.log(level, "sync: %s", problem, exc_info=exc if unexpected else None)

    def _chores(self, client: SyncClient) -> None:
        """The heartbeat, the pack check and the card progress, when due. A refused token still propagates."""
        now = self.clock()
        if now >= self._due["heartbeat"]:
            self._due["heartbeat"] = now + self.heartbeat_interval_s
            self._chore("heartbeat", lambda: client.send_heartbeat(collect_heartbeat(
                self.outbox, self.status.last_sync, self.packs.etag if self.packs is not None else None)))
        if self.packs is not None and now >= self._due["packs"]:
            self._due["packs"] = now + self.packs_interval_s
            self._chore("pack update", lambda: self._update_pack(client, self.packs))
        if self.cards is not None and now >= self._due["cards"]:
            self._due["cards"] = now + self.packs_interval_s
            self._chore("card progress", lambda: self._update_cards(client, self.cards))

    @staticmethod
    def _update_pack(client: SyncClient, packs: PackInstaller) -> None:
        body = client.get_pack(packs.etag)
        if body is not None:
            packs.install(body)

    @staticmethod
    def _update_cards(client: SyncClient, cards: CardSink) -> None:
        found = client.get_cards(cards.etag)
        if found is not None:
            cards.apply_ward(*found)

    def _chore(self, name: str, action: Callable[[], object]) -> None:
        try:
            action()
        except NeedsEnrollment:
            raise
        except Exception as exc:  # noqa: BLE001 - a chore never stops the records
            self._log_once(name, describe(exc), exc, logging.WARNING)
        else:
            self._logged.pop(name, None)

    def _write_health(self, running: bool = True) -> None:
        """Rewrite ``sync-health.json`` when its state, counts or problem changed, or after a minute to
        show the thread is alive (the round times alone do not make it write: an SD card wears)."""
        if self.health_dir is None:
            return
        status = self.status
        facts: dict[str, Any] = {
            "running": running, "state": status.state, "pending": status.pending, "refused": status.refused,
            "set_aside": status.set_aside, "problem": status.problem.sentence() if status.problem else None,
            "problem_kind": status.problem.kind.value if status.problem else None,
            "problem_subject": status.problem.subject if status.problem else None,
            "last_sync": status.last_sync.isoformat() if status.last_sync else None,
        }
        now = self.clock()
        if self._health is not None and self._health[0] == facts and now - self._health[1] < ALIVE_EVERY_S:
            return
        rounds = {"last_round_at": self._last_round[0].isoformat() if self._last_round else None,
                  "last_round_monotonic": self._last_round[1] if self._last_round else None}
        try:
            write_health(self.health_dir, {**facts, **rounds, "alive_at": self.wall_clock().isoformat(),
                                           "alive_monotonic": now, "boot_id": str(current_boot_id()),
                                           "pid": os.getpid()})
        except OSError as exc:
            self._log_once("health", describe(exc), exc, logging.WARNING)
            return
        self._health = (facts, now)
