"""The background sync worker: pushes the outbox whenever the ward server answers.

It runs on its own thread so the learner's screen never waits on the network. After a failure it
waits with exponential backoff and full jitter (so a ward's kiosks coming back after a power cut do
not all knock at once), and at least as long as a 429's ``Retry-After`` asks. A refused token
(401/403) stops it: it sends nothing more, however many records are queued, until ``use_client``
hands it the credentials of a new enrollment.

After a successful push it also sends a heartbeat every ``heartbeat_interval_s`` and, when given a
``PackInstaller``, asks for a newer lesson pack every ``packs_interval_s``; neither may stop the
records from flowing, so their failures are only logged.
"""
import datetime as dt
import logging
import random
import threading
import time
from dataclasses import replace
from typing import Callable

from sync.client import NeedsEnrollment, ServerUnavailable, SyncClient, push_pending
from sync.heartbeat import collect_heartbeat
from sync.outbox import Outbox
from sync.packs import PackInstaller
from sync.status import SyncStatus

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 1.0


class SyncWorker:
    """Pushes ``outbox`` through ``client`` on a daemon thread until ``stop``."""

    def __init__(self, outbox: Outbox, client: SyncClient | None, interval_s: float = 30,
                 backoff_max_s: float = 300, on_change: Callable[[SyncStatus], None] = lambda s: None,
                 heartbeat_interval_s: float = 300, packs: PackInstaller | None = None,
                 packs_interval_s: float = 3600) -> None:
        self.outbox = outbox
        self.client = client
        self.interval_s = interval_s
        self.backoff_max_s = backoff_max_s
        self.on_change = on_change
        self.heartbeat_interval_s = heartbeat_interval_s
        self.packs = packs
        self.packs_interval_s = packs_interval_s
        self._due = {"heartbeat": 0.0, "packs": 0.0}  # monotonic time each chore is next due
        self._retry_after = 0.0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._status = SyncStatus("not_enrolled" if client is None else "waiting", outbox.stats().pending)
        self._thread = threading.Thread(target=self._run, name="sync-worker", daemon=True)

    @property
    def status(self) -> SyncStatus:
        with self._lock:
            return self._status

    def _set(self, **changes) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)
            status = self._status
        self.on_change(status)

    def start(self) -> "SyncWorker":
        self._thread.start()
        return self

    def wake(self) -> None:
        """Try now: a new record was queued. Also refreshes the pending count."""
        self._set(pending=self.outbox.stats().pending)
        self._wake.set()

    def use_client(self, client: SyncClient) -> None:
        """Sync with new credentials (after re-enrollment) and resume at once."""
        self.client = client
        self._set(state="waiting", pending=self.outbox.stats().pending)
        self._wake.set()

    def stop(self, timeout: float = 5) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def sync_once(self) -> bool:
        """One push of everything pending, then any chore that is due; True when the server took it all."""
        client = self.client
        if client is None:
            return False
        try:
            if self.outbox.stats().pending:
                push_pending(self.outbox, client)
                self._set(state="synced", pending=self.outbox.stats().pending,
                          last_sync=dt.datetime.now().astimezone())
            self._chores(client)
        except ServerUnavailable as exc:
            log.info("sync: server unavailable (%s)", exc)
            self._retry_after = exc.retry_after or 0.0
            self._set(state="offline", pending=self.outbox.stats().pending)
            return False
        except NeedsEnrollment as exc:
            log.warning("sync: the server refused this kiosk's token, re-enrollment needed (%s)", exc)
            if self.client is client:  # not re-enrolled meanwhile
                self._set(state="needs_enrollment", pending=self.outbox.stats().pending)
            return False
        except OSError as exc:
            log.error("sync: the outbox could not be updated (%s)", exc)
            self._set(pending=self.outbox.stats().pending)
            return False
        return True

    def _chores(self, client: SyncClient) -> None:
        """The heartbeat and the pack check, when due. A refused token still propagates."""
        now = time.monotonic()
        if now >= self._due["heartbeat"]:
            self._due["heartbeat"] = now + self.heartbeat_interval_s
            self._chore("heartbeat", lambda: client.send_heartbeat(collect_heartbeat(self.outbox, self.status.last_sync)))
        if self.packs is not None and now >= self._due["packs"]:
            self._due["packs"] = now + self.packs_interval_s
            self._chore("pack update", lambda: self._update_pack(client, self.packs))

    @staticmethod
    def _update_pack(client: SyncClient, packs: PackInstaller) -> None:
        body = client.get_pack(packs.etag)
        if body is not None:
            packs.install(body)

    @staticmethod
    def _chore(name: str, action: Callable[[], object]) -> None:
        try:
            action()
        except ServerUnavailable as exc:
            log.info("sync: %s not done this time (%s)", name, exc)
        except OSError as exc:
            log.error("sync: %s failed (%s)", name, exc)

    def _delay(self, failures: int) -> float:
        if failures == 0:
            return self.interval_s
        jitter = random.uniform(0, min(self.backoff_max_s, BACKOFF_BASE_S * 2 ** failures))
        return max(jitter, self._retry_after)

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            if self.status.state in ("not_enrolled", "needs_enrollment"):
                self._wake.wait()
                self._wake.clear()
                continue
            self._retry_after = 0.0
            failures = 0 if self.sync_once() else failures + 1
            self._wake.wait(self._delay(failures))
            self._wake.clear()
