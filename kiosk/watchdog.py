"""Telling systemd the kiosk is alive: READY once the first screen is drawn, then a health ping.

kiosk.service is ``Type=notify`` with ``WatchdogSec=``: systemd restarts the kiosk when the pings
stop. They are sent from the Kivy clock, so a frozen UI sends none; and a tick sends one only
while the sync worker's thread is alive, so a dead worker (records would pile up unseen) also
gets the unit restarted. The watchdog is a health check, not a timer.

sd_notify goes through a maintained library: python3-systemd from Debian (what install.sh puts
in the venv via ``--system-site-packages``) or ``cysystemd`` from PyPI. With neither, or outside
systemd (no ``NOTIFY_SOCKET``), the notifier does nothing, so the desktop and the tests run the
same code.
"""
import logging
import os
import time
from typing import Callable, Protocol

log = logging.getLogger(__name__)

SYNC_START_GRACE_S = 60.0  # the worker starts after the first frame; it must be running by then


class Notifier(Protocol):
    def notify(self, state: str) -> None: ...


class NullNotifier:
    """No systemd to tell: outside the unit, or no sd_notify library installed."""

    def notify(self, state: str) -> None:
        return None


class _LibraryNotifier:
    def __init__(self, send: Callable[[str], object]) -> None:
        self._send = send

    def notify(self, state: str) -> None:
        self._send(state)


def system_notifier(environ: dict[str, str] | None = None) -> Notifier:
    """The sd_notify of python3-systemd or cysystemd; a no-op when not run by systemd."""
    environ = os.environ if environ is None else environ
    if not environ.get("NOTIFY_SOCKET"):
        return NullNotifier()
    try:
        from systemd import daemon  # python3-systemd (Debian)

        return _LibraryNotifier(daemon.notify)
    except ImportError:
        pass
    try:
        from cysystemd.daemon import Notification, notify  # cysystemd (PyPI)

        def send(state: str) -> None:
            name, _, value = state.partition("=")
            kind = Notification[name]
            notify(kind, None if kind.value.constant is not None else value)

        return _LibraryNotifier(send)
    except ImportError:
        log.error("watchdog: NOTIFY_SOCKET is set but neither python3-systemd nor cysystemd is installed; "
                  "systemd will not see the kiosk start (apt install python3-systemd)")
        return NullNotifier()


def interval_from_environment(configured_s: float, environ: dict[str, str] | None = None) -> float:
    """Ping at least twice per ``WatchdogSec=`` (systemd passes it as ``WATCHDOG_USEC``)."""
    environ = os.environ if environ is None else environ
    try:
        limit_s = int(environ.get("WATCHDOG_USEC", "0")) / 1_000_000 / 2
    except ValueError:
        limit_s = 0
    return min(configured_s, limit_s) if limit_s > 0 else configured_s


class Watchdog:
    """``ready()`` once after the first frame, ``tick()`` from the UI clock every ``interval_s``.

    ``worker`` returns the sync worker, or None before it has started (allowed for
    ``SYNC_START_GRACE_S`` after READY, since it starts once the first screen is up).
    """

    def __init__(self, notifier: Notifier, worker: Callable[[], object | None], interval_s: float = 10,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.notifier = notifier
        self.worker = worker
        self.interval_s = interval_s
        self.clock = clock
        self._ready_at: float | None = None
        self._unhealthy_reason = ""

    def ready(self) -> None:
        if self._ready_at is None:
            self._ready_at = self.clock()
            self.notifier.notify("READY=1")
            self.notifier.notify("STATUS=first screen shown")

    def healthy(self) -> tuple[bool, str]:
        """Whether the sync worker runs; the reason when not."""
        worker = self.worker()
        if worker is None:
            if self._ready_at is not None and self.clock() - self._ready_at <= SYNC_START_GRACE_S:
                return True, ""
            return False, "the sync worker never started"
        if not worker_alive(worker):
            return False, "the sync worker's thread has died"
        return True, ""

    def tick(self, _dt: float = 0) -> None:
        """Called by the Kivy clock: ping only when the worker is healthy."""
        if self._ready_at is None:
            return
        ok, reason = self.healthy()
        if ok:
            self.notifier.notify("WATCHDOG=1")
        elif reason != self._unhealthy_reason:
            log.error("watchdog: %s; no more pings, systemd will restart the kiosk", reason)
            self.notifier.notify(f"STATUS={reason}")
        self._unhealthy_reason = reason


def worker_alive(worker: object) -> bool:
    """The worker's public ``alive`` when it has one, else its thread's state."""
    alive = getattr(worker, "alive", None)
    if alive is not None:
        return bool(alive() if callable(alive) else alive)
    thread = getattr(worker, "_thread", None)
    return thread is not None and thread.is_alive()


def for_services(services) -> Watchdog:
    """The kiosk's watchdog: systemd's notifier, the services' sync worker, the configured interval."""
    return Watchdog(system_notifier(), lambda: services.sync,
                    interval_from_environment(services.config.watchdog_interval_s))
