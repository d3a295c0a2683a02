"""The background sync worker: pushes the outbox whenever the ward server answers.

It runs on its own thread so the learner's screen never waits on the network. After a failure it
waits with exponential backoff and full jitter (so a ward's kiosks coming back after a power cut do
not all knock at once); a refused token stops it until the kiosk is enrolled again.
"""
import datetime as dt
import logging
import random
import threading
from dataclasses import replace
from typing import Callable

from sync.client import NeedsEnrollment, ServerUnavailable, SyncClient, push_pending
from sync.outbox import Outbox
from sync.status import SyncStatus

log = logging.getLogger(__name__)

class SyncWorker:
    """Pushes ``outbox`` through ``client`` on a daemon thread until ``stop``."""

    def __init__(self, outbox: Outbox, client: SyncClient | None, interval_s: float = 30,
                 backoff_max_s: float = 300, on_change: Callable[[SyncStatus], None] = lambda s: None) -> None:
        self.outbox = outbox
        self.client = client
        self.interval_s = interval_s
        self.backoff_max_s = backoff_max_s
        self.on_change = on_change
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

    def stop(self, timeout: float = 5) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def sync_once(self) -> bool:
        """One push of everything pending; True when the server took it all."""
        if self.client is None:
            return False
        if not self.outbox.stats().pending:
            return True
        try:
            push_pending(self.outbox, self.client)
        except ServerUnavailable as exc:
            log.info("sync: server unavailable (%s)", exc)
            self._set(state="offline", pending=self.outbox.stats().pending)
            return False
        except NeedsEnrollment as exc:
            log.warning("sync: the server refused this kiosk's token, re-enrollment needed (%s)", exc)
            self._set(state="needs_enrollment", pending=self.outbox.stats().pending)
            return False
        except OSError as exc:
            log.error("sync: the outbox could not be updated (%s)", exc)
            self._set(pending=self.outbox.stats().pending)
            return False
        self._set(state="synced", pending=self.outbox.stats().pending,
                  last_sync=dt.datetime.now().astimezone())
        return True

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            if self.status.state in ("not_enrolled", "needs_enrollment"):
                self._wake.wait()
                self._wake.clear()
                continue
            failures = 0 if self.sync_once() else failures + 1
            delay = self.interval_s if failures == 0 else random.uniform(0, min(self.backoff_max_s, 2 ** failures))
            self._wake.wait(delay)
            self._wake.clear()
