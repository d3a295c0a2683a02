"""The watchdog pings systemd only while the UI clock runs and the sync worker is alive."""
import sys
import types
from pathlib import Path

from kiosk.watchdog import NullNotifier, Watchdog, interval_from_environment, system_notifier
from sync.outbox import Outbox
from sync.worker import SyncWorker


class RecordingNotifier:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def notify(self, state: str) -> None:
        self.sent.append(state)

    def pings(self) -> int:
        return self.sent.count("WATCHDOG=1")


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeUIClock:
    """Kivy's Clock.schedule_interval, advanced by hand; ``stalled`` is a frozen UI thread."""

    def __init__(self, time: FakeTime) -> None:
        self.time = time
        self.stalled = False
        self.intervals: list[tuple[float, float, object]] = []

    def schedule_interval(self, callback, interval: float) -> None:
        self.intervals.append((interval, self.time.now + interval, callback))

    def run_for(self, seconds: float, step: float = 0.5) -> None:
        end = self.time.now + seconds
        while self.time.now < end:
            self.time.now += step
            if self.stalled:
                continue
            for index, (interval, due, callback) in enumerate(self.intervals):
                if self.time.now >= due:
                    callback(step)
                    self.intervals[index] = (interval, due + interval, callback)


def started_worker(tmp_path: Path) -> SyncWorker:
    return SyncWorker(Outbox(tmp_path / "outbox"), client=None).start()


def running_watchdog(tmp_path: Path, worker) -> tuple[Watchdog, RecordingNotifier, FakeUIClock]:
    time, notifier = FakeTime(), RecordingNotifier()
    clock = FakeUIClock(time)
    watchdog = Watchdog(notifier, lambda: worker, interval_s=10, clock=time)
    watchdog.ready()
    clock.schedule_interval(watchdog.tick, watchdog.interval_s)
    return watchdog, notifier, clock


def test_ready_is_sent_once_then_a_ping_per_interval(tmp_path: Path) -> None:
    worker = started_worker(tmp_path)
    watchdog, notifier, clock = running_watchdog(tmp_path, worker)
    watchdog.ready()
    clock.run_for(60)
    assert notifier.sent.count("READY=1") == 1
    assert notifier.pings() == 6
    worker.stop()


def test_pings_stop_while_the_ui_clock_stalls(tmp_path: Path) -> None:
    worker = started_worker(tmp_path)
    _watchdog, notifier, clock = running_watchdog(tmp_path, worker)
    clock.run_for(30)
    before = notifier.pings()
    clock.stalled = True
    clock.run_for(120)
    assert notifier.pings() == before  # systemd's WatchdogSec= runs out and restarts the unit
    worker.stop()


def test_pings_stop_when_the_sync_worker_dies(tmp_path: Path) -> None:
    worker = started_worker(tmp_path)
    _watchdog, notifier, clock = running_watchdog(tmp_path, worker)
    clock.run_for(30)
    before = notifier.pings()
    worker.stop()  # the real thread ends, as it would after an uncaught error
    clock.run_for(60)
    assert notifier.pings() == before
    assert "STATUS=the sync worker's thread has died" in notifier.sent


def test_a_worker_that_never_starts_stops_the_pings_after_the_grace(tmp_path: Path) -> None:
    _watchdog, notifier, clock = running_watchdog(tmp_path, None)
    clock.run_for(50)
    assert notifier.pings() == 5
    clock.run_for(60)
    assert notifier.pings() == 6
    assert "STATUS=the sync worker never started" in notifier.sent


def test_no_ping_before_the_first_frame(tmp_path: Path) -> None:
    notifier = RecordingNotifier()
    Watchdog(notifier, lambda: None).tick()
    assert notifier.sent == []


def test_the_notifier_is_a_no_op_outside_systemd() -> None:
    assert isinstance(system_notifier({}), NullNotifier)


def test_the_notifier_uses_python3_systemd_when_run_by_systemd(monkeypatch) -> None:
    sent: list[str] = []
    package = types.ModuleType("systemd")
    package.daemon = types.SimpleNamespace(notify=sent.append)
    monkeypatch.setitem(sys.modules, "systemd", package)
    system_notifier({"NOTIFY_SOCKET": "/run/systemd/notify"}).notify("READY=1")
    assert sent == ["READY=1"]


def test_the_interval_is_at_most_half_of_watchdog_sec() -> None:
    assert interval_from_environment(10, {"WATCHDOG_USEC": "8000000"}) == 4
    assert interval_from_environment(10, {"WATCHDOG_USEC": "30000000"}) == 10
    assert interval_from_environment(10, {}) == 10
