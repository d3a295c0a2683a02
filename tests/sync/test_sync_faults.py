"""Every record reaches the ward exactly once, whatever the network does (all on loopback).

Several simulated kiosks (real outboxes on disk, real ``SyncWorker``s) keep recording while they
push through ``FaultProxy``, which drops, resets, delays, truncates, fails and replays requests at
random; one of them has a clock that starts in 1970. Then: a server restart in the middle of a
sync, and a revoked kiosk that must stop, say so, and resume once enrolled again.
"""
import datetime as dt
import threading
import time
from pathlib import Path

from sync.client import enroll
from sync.server import identity
from sync.server.audit import audit
from sync.server.db import aware
from sync.worker import SyncWorker
from tests.faultproxy import FAULTS, FaultProxy
from tests.sync.factory import Kiosk, at, enroll_kiosk

KIOSKS = 5
CHUNKS, CHUNK = 12, 100  # records each kiosk queues while it syncs: 1,200 per kiosk
BATCH = 50  # small batches: more requests, so more faults
TIMEOUT_S = 1.0


def wait_until(condition, timeout_s: float, step_s: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(step_s)
    return True


def worker_for(kiosk: Kiosk, url: str, **options) -> SyncWorker:
    client = kiosk.client(url, timeout=TIMEOUT_S, batch_records=BATCH)
    return SyncWorker(kiosk.outbox, client, interval_s=0.05, backoff_max_s=0.2, heartbeat_interval_s=1, **options)


def assert_held_exactly_once(ward_server, expected: dict[str, set[str]]) -> None:
    stored = ward_server.records()
    assert len(stored) == sum(map(len, expected.values())), "a record is missing or stored twice"
    for device_id, ids in expected.items():
        mine = [r for r in stored if r.device_id == device_id]
        assert {r.id for r in mine} == ids
        assert [r.seq for r in mine] == list(range(1, len(ids) + 1))
    with ward_server.sessions() as session:
        assert [(r.device_id, r.missing) for r in audit(session) if r.missing] == []


def test_records_arrive_exactly_once_through_drops_resets_timeouts_5xx_and_replays(ward_server, tmp_path: Path):
    proxy = FaultProxy(ward_server.port, fault_rate=0.5, delay_s=TIMEOUT_S * 1.5, seed=6).start()
    kiosks = [enroll_kiosk(ward_server, tmp_path, f"kiosk-fault{i:02d}") for i in range(KIOSKS)]
    expected: dict[str, set[str]] = {k.device_id: set() for k in kiosks}
    workers = [worker_for(k, proxy.url).start() for k in kiosks]

    unset_clock = kiosks[0].device_id  # a Pi that never got the time: its records say 1970

    def record(kiosk: Kiosk, worker: SyncWorker) -> None:
        clock = {"device_time": at(1970, 1, 1, 0, 5)} if kiosk.device_id == unset_clock else {}
        for _ in range(CHUNKS):
            expected[kiosk.device_id].update(kiosk.queue(CHUNK, **clock))
            worker.wake()
            time.sleep(0.1)

    began = dt.datetime.now(dt.timezone.utc)
    started = time.monotonic()
    writers = [threading.Thread(target=record, args=pair) for pair in zip(kiosks, workers)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    drained = wait_until(lambda: all(k.outbox.stats().pending == 0 for k in kiosks), 240)
    elapsed = time.monotonic() - started
    for worker in workers:
        worker.stop()
    proxy.stop()

    total = KIOSKS * CHUNKS * CHUNK
    print(f"\nfault injection: {KIOSKS} kiosks, {total} records, {proxy.requests} requests in {elapsed:.1f} s; "
          + ", ".join(f"{fault} {proxy.counts[fault]}" for fault in FAULTS))
    assert drained, f"outboxes not drained: {[k.outbox.stats().pending for k in kiosks]}"
    assert all(k.outbox.stats().quarantined == 0 for k in kiosks)
    assert all(proxy.counts[fault] > 0 for fault in FAULTS), proxy.counts
    assert_held_exactly_once(ward_server, expected)
    ended = dt.datetime.now(dt.timezone.utc)
    for stored in (r for r in ward_server.records() if r.device_id == unset_clock):
        assert stored.time_basis == "monotonic"
        assert began - dt.timedelta(seconds=5) <= aware(stored.rebased_time) <= ended


def test_a_server_restart_in_the_middle_of_a_sync_loses_and_doubles_nothing(ward_server, tmp_path: Path):
    kiosk = enroll_kiosk(ward_server, tmp_path, "kiosk-restart01")
    ids = set(kiosk.queue(4000))  # enough that a fast machine is still sending when the server goes
    worker = worker_for(kiosk, ward_server.url).start()
    assert wait_until(lambda: ward_server.record_count() >= 300, 60)
    ward_server.stop(abrupt=True)
    assert kiosk.outbox.stats().pending > 0, "the sync finished before the restart; queue more records"
    time.sleep(0.5)
    ward_server.start()
    assert wait_until(lambda: kiosk.outbox.stats().pending == 0, 60)
    worker.stop()
    assert_held_exactly_once(ward_server, {kiosk.device_id: ids})


def test_a_revoked_kiosk_stops_says_so_and_resumes_when_enrolled_again(ward_server, tmp_path: Path):
    kiosk = enroll_kiosk(ward_server, tmp_path, "kiosk-revoked01")
    proxy = FaultProxy(ward_server.port, fault_rate=0).start()  # only to count the requests
    ids = set(kiosk.queue(10))
    worker = worker_for(kiosk, proxy.url).start()
    assert wait_until(lambda: kiosk.outbox.stats().pending == 0, 30)
    with ward_server.sessions() as session:
        identity.revoke(session, kiosk.device_id)

    ids |= set(kiosk.queue(5))
    worker.wake()
    assert wait_until(lambda: worker.status.state == "needs_enrollment", 30)
    requests_when_refused = proxy.requests
    for _ in range(5):  # the learner keeps going: new records wake the worker, which must not retry
        ids |= set(kiosk.queue(1))
        worker.wake()
        time.sleep(0.1)
    assert proxy.requests == requests_when_refused
    assert worker.status.state == "needs_enrollment" and worker.status.pending == 10

    credentials = enroll(ward_server.url, ward_server.enrollment_token(), kiosk.device_id)
    worker.use_client(Kiosk(credentials, kiosk.outbox).client(proxy.url, timeout=TIMEOUT_S))
    assert wait_until(lambda: kiosk.outbox.stats().pending == 0, 30)
    assert worker.status.state == "synced"
    worker.stop()
    proxy.stop()
    assert_held_exactly_once(ward_server, {kiosk.device_id: ids})
