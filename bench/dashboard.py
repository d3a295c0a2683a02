"""The campaign overview with 100 kiosks and 1 million records, on SQLite and on PostgreSQL.

A generated campaign (``tests.campaign``: 100 days, 53 khu phố, 100 venues) is written straight
into a fresh database; a real ward server (``tests.harness.WardServer``) then serves the overview
to a signed-in client, after a first roll-up (``sync.server.rollup``, timed apart). Printed
for each database: the first roll-up's time (every kiosk's records at once, as after an upgrade),
the median time of 5 page loads (the target is under 1 s), the first of them apart (it computes
every table; the others get the kept figures, ``sync.server.web.figures``), and each overview
query's own time, the slowest first.
Run: ``.venv/bin/python bench/dashboard.py [RECORDS]``.
"""
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sync.server import rollup, stats  # noqa: E402
from sync.server.web import auth  # noqa: E402
from tests.campaign import generate  # noqa: E402
from tests.harness import WardServer  # noqa: E402
from tests.postgres import TemporaryPostgres  # noqa: E402

DEVICES, DAYS, KHU_PHO, LOADS = 100, 100, 53, 5
ACCOUNT = ("bench", "a long benchmark password")


def query_times(server: WardServer) -> list[tuple[float, str]]:
    """Each overview query on its own, in seconds, the slowest first."""
    times = []
    with server.sessions() as session:
        began = time.perf_counter()
        rollup.refresh(session)
        times.append((time.perf_counter() - began, "roll-up check (nothing new)"))
        period = stats.default_period(session, None)
        for name, query in [*stats.TABLES.items(), ("learners_reached", stats.learners_reached)]:
            began = time.perf_counter()
            query(session, period)
            times.append((time.perf_counter() - began, name))
    return sorted(times, reverse=True)


def run(label: str, url: str, records: int) -> None:
    server = WardServer(url)
    began = time.perf_counter()
    generate(server.engine, devices=DEVICES, records=records, days=DAYS, khu_pho=KHU_PHO, track=False)
    written = time.perf_counter() - began
    with server.sessions() as session:
        auth.create_account(session, *ACCOUNT, "staff")
    with server.sessions() as session:
        began = time.perf_counter()
        rollup.refresh(session)
        rolled = time.perf_counter() - began
    server.start()
    try:
        client = requests.Session()
        form = client.get(f"{server.url}/login", timeout=30)
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        client.post(f"{server.url}/login", data={"csrf": csrf, "username": ACCOUNT[0], "password": ACCOUNT[1]},
                    allow_redirects=False, timeout=30).raise_for_status()
        loads = []
        for _ in range(LOADS):
            began = time.perf_counter()
            page = client.get(f"{server.url}/overview", timeout=120)
            loads.append(time.perf_counter() - began)
            assert page.status_code == 200 and 'id="learners"' in page.text, page.status_code
        queries = query_times(server)
    finally:
        server.stop()
    median = statistics.median(loads)
    print(f"{label}: {records:,} records from {DEVICES} kiosks (written in {written:.0f} s)")
    print(f"  first roll-up (every kiosk's records, set-based, {rollup.DEVICES_PER_ROUND} kiosks per round): {rolled:.1f} s")
    print(f"  overview page: median {median * 1000:.0f} ms of {LOADS} loads "
          f"({'under' if median < 1 else 'OVER'} the 1 s target); the first, computing every table: "
          f"{loads[0] * 1000:.0f} ms ({'under' if loads[0] < 1 else 'OVER'})")
    print(f"  slowest query: {queries[0][1]} {queries[0][0] * 1000:.0f} ms; then "
          + ", ".join(f"{name} {seconds * 1000:.0f} ms" for seconds, name in queries[1:]))


def main() -> None:
    records = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(f"dashboard benchmark, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        run("SQLite (WAL)", f"sqlite:///{tmp}/ward.sqlite3", records)
        with TemporaryPostgres() as cluster:
            run("PostgreSQL (throw-away cluster, fsync off)", cluster.new_database(), records)


if __name__ == "__main__":
    main()
