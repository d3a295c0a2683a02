"""Sync on loopback, on SQLite (WAL) and on PostgreSQL, printed in one run.

For each database:
- drain: one kiosk sends a 10,000-record backlog from a real outbox (fsync'd acks) to the server;
- ingest: the server's rate in records per second for batches of 500 posted by 4 senders at once
  (bodies prepared beforehand, so the senders cost little), against the raw rate of inserting the
  same rows (as the server builds them) with SQLAlchemy Core ``executemany`` into the same
  database, 500 per transaction; the median of 3 alternating rounds of 10,000 each (target ratio ≥ 0.5);
- latency: p50 and p99 of request time while 50 kiosks push batches of 100 at once.

The server runs as ``ward-server serve`` in its own process (one uvicorn worker), as on a ward's
machine. The PostgreSQL cluster is a throw-away one with fsync off (``tests.postgres``); SQLite runs
with ``synchronous=FULL`` as in production. Run: ``.venv/bin/python bench/sync.py``.
"""
import concurrent.futures
import datetime as dt
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from sync.client import SyncClient, enroll, push_pending  # noqa: E402
from sync.credentials import Credentials  # noqa: E402
from sync.outbox import Outbox  # noqa: E402
from sync.records import Record, RecordDraft  # noqa: E402
from sync.server import identity  # noqa: E402
from sync.server.db import StoredRecord, make_engine, make_sessions  # noqa: E402
from sync.server.ingest import record_row  # noqa: E402
from sync.server.migrate import upgrade  # noqa: E402
from tests.harness import free_port  # noqa: E402
from tests.postgres import TemporaryPostgres  # noqa: E402

BACKLOG = 10_000
INGEST_RECORDS = 10_000
ROUNDS = 3
SENDERS = 4
KIOSKS = 50
REQUESTS_PER_KIOSK = 10
LATENCY_BATCH = 100


def drafts(device_id: str, count: int, start_seq: int = 1) -> list[Record]:
    draft = RecordDraft(device_id=device_id, venue_id="ca-phe-luka", type="step_answered", lesson_id="ma-otp-la-bi-mat",
                        learner="anon-0123456789abcdef0123456789abcdef",
                        payload={"step_id": "otp-la", "answer": "gui-nham", "correct": False, "attempt": 1})
    fields = draft.model_dump(exclude={"id"})
    return [Record(**fields, seq=start_seq + i) for i in range(count)]


def body(records: list[Record]) -> bytes:
    return gzip.compress(json.dumps({"records": [r.model_dump(mode="json") for r in records]}).encode(), compresslevel=5)


class ServerProcess:
    """``ward-server serve`` on a free loopback port, in its own process."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.url = f"http://127.0.0.1:{free_port()}"
        self.sessions = make_sessions(make_engine(database_url))

    def __enter__(self) -> "ServerProcess":
        port = self.url.rsplit(":", 1)[1]
        self._process = subprocess.Popen(
            [sys.executable, "-m", "sync.server.cli", "--database", self.database_url, "serve", "--port", port,
             "--rate", "1000", "--burst", "1000"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=Path(__file__).resolve().parent.parent)
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{self.url}/healthz", timeout=1).raise_for_status()
                return self
            except requests.RequestException:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    raise RuntimeError("the ward server did not start")
                time.sleep(0.1)

    def __exit__(self, *exc_info) -> None:
        self._process.terminate()
        self._process.wait(30)

    def enroll(self, device_id: str) -> Credentials:
        with self.sessions() as session:
            token = identity.create_enrollment(session, "Cà phê Luka")
        return enroll(self.url, token, device_id)


def auth(credentials: Credentials) -> dict[str, str]:
    return {"Authorization": f"Bearer {credentials.device_id}.{credentials.secret}", "Content-Type": "application/json",
            "Content-Encoding": "gzip"}


def bench_drain(server: ServerProcess, folder: Path) -> float:
    credentials = server.enroll("bench-drain")
    filler = Outbox(folder / "outbox", fsync=False)  # filling is not what is measured
    draft = drafts("bench-drain", 1)[0]
    for _ in range(BACKLOG):
        filler.append(RecordDraft(**draft.model_dump(exclude={"id", "seq"})))
    del filler
    outbox = Outbox(folder / "outbox")
    started = time.perf_counter()
    result = push_pending(outbox, SyncClient(credentials))
    elapsed = time.perf_counter() - started
    assert result.accepted == BACKLOG and outbox.stats().pending == 0
    return elapsed


def server_rate(server: ServerProcess, device_id: str) -> float:
    """Records per second the server stores, batches of 500 from SENDERS senders at once."""
    credentials = server.enroll(device_id)
    records = drafts(device_id, INGEST_RECORDS)
    bodies = [body(records[i:i + 500]) for i in range(0, INGEST_RECORDS, 500)]
    http = [requests.Session() for _ in range(SENDERS)]

    def send(index: int) -> None:
        response = http[index % SENDERS].post(f"{server.url}/api/v1/records", data=bodies[index],
                                              headers=auth(credentials), timeout=60)
        response.raise_for_status()
        assert {r["status"] for r in response.json()["results"]} == {"accepted"}

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(SENDERS) as pool:
        list(pool.map(send, range(len(bodies))))
    return INGEST_RECORDS / (time.perf_counter() - started)


def raw_rate(server: ServerProcess, device_id: str) -> float:
    """Records per second for the same rows through SQLAlchemy Core executemany, 500 per transaction."""
    server.enroll(device_id)
    now = dt.datetime.now(dt.timezone.utc)
    rows = [record_row(r, None, now) for r in drafts(device_id, INGEST_RECORDS)]
    engine = make_engine(server.database_url)
    started = time.perf_counter()
    for start in range(0, INGEST_RECORDS, 500):
        with engine.begin() as connection:
            connection.execute(insert(StoredRecord), rows[start:start + 500])
    elapsed = time.perf_counter() - started
    engine.dispose()
    return INGEST_RECORDS / elapsed


def bench_ingest(server: ServerProcess) -> tuple[float, float]:
    """Median (server, raw) records/s over ROUNDS alternating rounds, so a busy moment hits both alike."""
    rounds = [(server_rate(server, f"bench-ingest{i}"), raw_rate(server, f"bench-raw{i}")) for i in range(ROUNDS)]
    return statistics.median(r[0] for r in rounds), statistics.median(r[1] for r in rounds)


def bench_latency(server: ServerProcess) -> tuple[float, float]:
    """p50 and p99 request time, in ms, with KIOSKS kiosks pushing at once."""
    kiosks = [server.enroll(f"bench-kiosk{i:02d}") for i in range(KIOSKS)]
    plans = [[body(batch) for batch in (lambda rs: [rs[j:j + LATENCY_BATCH] for j in range(0, len(rs), LATENCY_BATCH)])(
        drafts(k.device_id, REQUESTS_PER_KIOSK * LATENCY_BATCH))] for k in kiosks]
    barrier = threading.Barrier(KIOSKS)
    latencies: list[float] = []
    lock = threading.Lock()

    def kiosk(index: int) -> None:
        http, mine = requests.Session(), []
        barrier.wait()
        for payload in plans[index]:
            started = time.perf_counter()
            http.post(f"{server.url}/api/v1/records", data=payload, headers=auth(kiosks[index]),
                      timeout=120).raise_for_status()
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(KIOSKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cuts = statistics.quantiles(latencies, n=100)
    return cuts[49] * 1000, cuts[98] * 1000


def run(name: str, database_url: str, folder: Path) -> None:
    upgrade(database_url)
    with ServerProcess(database_url) as server:
        drain = bench_drain(server, folder)
        server_rate, raw_rate = bench_ingest(server)
        p50, p99 = bench_latency(server)
    print(f"{name}:")
    print(f"  drain a {BACKLOG:,}-record backlog, one kiosk: {drain:.1f} s ({BACKLOG / drain:,.0f} records/s)")
    print(f"  ingest: server {server_rate:,.0f} records/s, raw Core executemany {raw_rate:,.0f} records/s, "
          f"ratio {server_rate / raw_rate:.2f} (target >= 0.5)")
    print(f"  {KIOSKS} kiosks pushing {LATENCY_BATCH}-record batches at once: p50 {p50:.0f} ms, p99 {p99:.0f} ms")


def main() -> None:
    print(f"sync benchmark on loopback, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        run("SQLite (WAL, synchronous=FULL)", f"sqlite:///{tmp}/ward.sqlite3", Path(tmp) / "sqlite")
        with TemporaryPostgres() as cluster:
            run("PostgreSQL (throw-away cluster, fsync off)", cluster.new_database(), Path(tmp) / "postgresql")


if __name__ == "__main__":
    main()
