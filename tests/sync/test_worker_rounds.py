"""The sync worker's rounds on simulated time: backoff that new records cannot cut short, Retry-After,
a failed round that never ends the thread, and the health file ``kiosk doctor`` reads."""
import json
import logging
import random
import threading
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.client import ServerUnavailable, SyncClient
from sync.credentials import Credentials
from sync.health import read_health
from sync.outbox import Outbox
from sync.packs import PackInstaller
from sync.problems import Kind, Problem
from sync.worker import SyncWorker
from tests.harness import free_port
from tests.sync.factory import make_draft

DEVICE = "kiosk-rounds01"
SIMULATED_S = 60


def credentials(url: str) -> Credentials:
    return Credentials(server_url=url, device_id=DEVICE, secret="s" * 43, venue_id="ca-phe-luka", name="Cà phê Luka",
                       bundle_key="0" * 64)


class CountingClient(SyncClient):
    """A real client that counts its push attempts."""

    attempts = 0

    def send_batch(self, records):
        self.attempts += 1
        return super().send_batch(records)


class ScriptedWard:
    """A stand-in for ``SyncClient``: each push raises the next of ``failures`` (None: accepts), then accepts."""

    def __init__(self, failures=(), pack: bytes | None = None, batch_records: int = 500) -> None:
        self.credentials = credentials("https://ward7.example.vn")
        self.failures = list(failures)
        self.pack = pack
        self.batch_records = batch_records
        self.attempts = 0

    def send_batch(self, records):
        self.attempts += 1
        failure = self.failures.pop(0) if self.failures else None
        if failure is not None:
            raise failure
        return [{"status": "accepted"} for _ in records]

    def send_heartbeat(self, beat) -> None:
        pass

    def get_pack(self, etag):
        return self.pack


class SimulatedMinute:
    """Drives a worker's loop in the test's thread on simulated time: a learner queues a record every
    second (each one wakes the worker), and after ``SIMULATED_S`` the worker is stopped."""

    def __init__(self, outbox: Outbox) -> None:
        self.now = 0.0
        self.outbox = outbox
        self.next_record = 1.0
        self.worker: SyncWorker | None = None

    def clock(self) -> float:
        return self.now

    def wait(self, event: threading.Event, timeout: float) -> bool:
        if event.is_set():
            return True
        if self.now >= SIMULATED_S:
            self.worker.stop()
            return True
        if self.next_record <= self.now + timeout:
            self.now = self.next_record
            self.next_record += 1
            self.outbox.append(make_draft(DEVICE))
            self.worker.wake()
            return True
        self.now += timeout
        return False

    def run(self, client, **options) -> SyncWorker:
        self.worker = SyncWorker(self.outbox, client, interval_s=30, backoff_max_s=300, clock=self.clock,
                                 waiter=self.wait, rng=random.Random(7), **options)
        self.worker.run()
        return self.worker


@pytest.fixture
def outbox(tmp_path) -> Outbox:
    outbox = Outbox(tmp_path / "outbox")
    outbox.append(make_draft(DEVICE))
    return outbox


def test_new_records_do_not_cut_the_backoff_short_against_a_down_server(outbox):
    client = CountingClient(credentials(f"http://127.0.0.1:{free_port()}"), timeout=1)
    worker = SimulatedMinute(outbox).run(client)
    print(f"\npush attempts against a down server in {SIMULATED_S} simulated s, a record every second: {client.attempts}")
    assert 2 <= client.attempts <= 10  # exponential backoff with jitter; it was one a record before
    assert worker.status.state == "offline" and worker.status.pending == SIMULATED_S + 1
    assert worker.status.problem.kind == Kind.UNREACHABLE and client.credentials.server_url in worker.status.problem.sentence()


def test_retry_after_is_honoured_whatever_the_learners_do(outbox):
    ward = ScriptedWard([ServerUnavailable(Problem(Kind.BUSY), retry_after=25)] * 100)
    SimulatedMinute(outbox).run(ward)
    assert ward.attempts == 3  # at 0 s, after 25 s, after 50 s


def test_while_sync_works_a_new_record_goes_at_once(outbox):
    ward = ScriptedWard()
    worker = SimulatedMinute(outbox).run(ward)
    assert ward.attempts >= SIMULATED_S - 1 and worker.status.state == "synced" and worker.status.pending == 0


def test_a_push_that_got_part_through_resets_the_backoff(tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    for _ in range(3):
        outbox.append(make_draft(DEVICE))
    down = ServerUnavailable(Problem(Kind.UNREACHABLE, "https://ward7.example.vn"))
    ward = ScriptedWard([down] * 5 + [None, down], batch_records=1)
    worker = SyncWorker(outbox, ward, rng=random.Random(1))
    for _ in range(5):
        assert not worker.sync_once()
    assert worker.backoff.failures == 5
    assert not worker.sync_once()  # the first batch went through, the second did not
    assert worker.backoff.failures == 1 and outbox.stats().pending == 2


@pytest.mark.parametrize("damage", [ValueError("Expecting value: line 1 column 1"), RecursionError("maximum depth"),
                                    json.JSONDecodeError("Expecting value", "{", 0), KeyError("records")])
def test_a_failing_round_is_logged_once_shown_and_the_thread_goes_on(outbox, tmp_path, caplog, damage):
    pending = outbox.pending
    broken = {"rounds": 4}

    def damaged(*args, **kwargs):
        if broken["rounds"]:
            broken["rounds"] -= 1
            raise damage
        return pending(*args, **kwargs)

    outbox.pending = damaged
    seen = []
    worker = SyncWorker(outbox, ScriptedWard(), interval_s=0.01, backoff_max_s=0.02, health_dir=tmp_path,
                        on_change=seen.append).start()
    deadline = time.monotonic() + 10
    while outbox.stats().pending and time.monotonic() < deadline:
        time.sleep(0.01)
    alive = worker._thread.is_alive()
    worker.stop()
    assert alive and outbox.stats().pending == 0 and worker.status.state == "synced"
    problems = [s.problem for s in seen if s.state == "error"]
    assert problems and problems[0].kind == (Kind.UNEXPECTED if isinstance(damage, KeyError) else Kind.STORAGE)
    logged = [r for r in caplog.records if r.name == "sync.worker" and r.levelno >= logging.ERROR]
    assert len(logged) == 1, "a repeated error is logged once"


def test_the_health_file_says_what_the_worker_last_saw_and_that_it_is_alive(outbox, tmp_path):
    clock = {"now": 1000.0}
    down = ServerUnavailable(Problem(Kind.UNREACHABLE, "https://ward7.example.vn"))
    worker = SyncWorker(outbox, ScriptedWard([down]), health_dir=tmp_path, clock=lambda: clock["now"])
    assert read_health(tmp_path) is None
    worker.sync_once()
    worker._write_health()
    health = read_health(tmp_path)
    assert health["state"] == "offline" and health["pending"] == 1 and health["running"]
    assert health["problem_kind"] == "unreachable" and "https://ward7.example.vn" in health["problem"]
    assert health["last_round_monotonic"] == 1000.0 and health["stale_after_s"] >= 60
    clock["now"] += 30
    worker._write_health()
    assert read_health(tmp_path)["alive_monotonic"] == 1000.0, "nothing changed within a minute: not rewritten"
    clock["now"] += 31
    worker._write_health()
    assert read_health(tmp_path)["alive_monotonic"] == 1061.0, "rewritten each minute to show the thread lives"
    worker.sync_once()
    worker._write_health()
    health = read_health(tmp_path)
    assert health["state"] == "synced" and health["pending"] == 0 and health["problem"] is None and health["last_sync"]
    worker.stop()
    assert read_health(tmp_path)["running"] is False


@pytest.mark.parametrize("body", [b'{"format": 1, "files": {"a\\u0000b": "AA=="}}',
                                  b'{"format": 1, "files": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"])
def test_a_malformed_pack_download_is_refused_and_records_keep_flowing(outbox, tmp_path, body, caplog):
    installer = PackInstaller(tmp_path / "pack", [Ed25519PrivateKey.generate().public_key()])
    worker = SyncWorker(outbox, ScriptedWard(pack=body), packs=installer, packs_interval_s=0)
    assert worker.sync_once() and worker.status.state == "synced"
    outbox.append(make_draft(DEVICE))
    assert worker.sync_once() and outbox.stats().pending == 0
    assert installer.etag is None and not installer.folder.exists()
    assert "lesson pack was refused" in caplog.text
