"""A generated ward campaign, written straight into a ward database: khu phố, venues, kiosks, learners' records.

For the dashboard's browser tests, its screenshots and ``bench/dashboard.py``. The generator
counts what it writes on its own (``Truth``), so a test compares the dashboard against numbers
that did not come from the dashboard's queries.
"""
import datetime as dt
import hashlib
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from sync.learner_ids import new_anon_id, new_card_id
from sync.server.db import Device, StoredRecord
from sync.server.identity import slugify
from sync.server.web.models import Campaign, KhuPho, Venue

WARD_OFFSET = dt.timedelta(hours=7)
LESSONS = ("l01-zalo-an-toan", "l02-vneid", "l03-ma-qr", "l04-chuyen-khoan", "l05-otp")
KHU_PHO = [f"Khu phố {n}" for n in range(1, 54)]
CHUNK = 5000


@dataclass
class Truth:
    """What was written, counted as it was written."""

    learners: set[str] = field(default_factory=set)
    started: Counter = field(default_factory=Counter)  # ward day -> lessons started
    completed: Counter = field(default_factory=Counter)
    records: int = 0


def generate(engine: Engine, *, devices: int = 8, records: int = 4000, days: int = 14, khu_pho: int = 6,
             start: dt.date | None = None, daily_target: int = 40, seed: int = 7, track: bool = True) -> Truth:
    """Write a campaign of ``days`` days from ``start`` (default: ending today in the ward) with about
    ``records`` records over ``devices`` kiosks, one venue each, spread over ``khu_pho`` khu phố."""
    rng = random.Random(seed)
    today = (dt.datetime.now(dt.timezone.utc) + WARD_OFFSET).date()
    start = start or today - dt.timedelta(days=days - 1)
    areas = [(slugify(name), name) for name in KHU_PHO[:khu_pho]]
    venue_names = [f"Điểm học {n + 1}" for n in range(devices)] + ["Nhà văn hoá chưa có máy"]
    truth = Truth()
    with engine.begin() as connection:
        connection.execute(insert(KhuPho), [{"id": key, "name": name} for key, name in areas])
        connection.execute(insert(Venue), [{"id": slugify(name), "name": name, "khu_pho_id": areas[n % len(areas)][0]}
                                           for n, name in enumerate(venue_names)])
        connection.execute(insert(Campaign), [{"id": 1, "starts_on": start, "ends_on": start + dt.timedelta(days=days - 1),
                                               "daily_target": daily_target}])
        now = dt.datetime.now(dt.timezone.utc)
        connection.execute(insert(Device), [{
            "id": f"kiosk-{n:04d}", "name": venue_names[n], "venue_id": slugify(venue_names[n]), "secret_hash": "0" * 64,
            "created_at": now, "last_heartbeat_at": now - dt.timedelta(hours=rng.choice((1, 2, 30))),
            "heartbeat": {"app_version": "0.1.0", "pending": rng.randint(0, 40), "quarantined": 0, "set_aside": 0,
                          "pack_version": rng.choice(("3f9a2c1e7b", "a41d09c2ee")),
                          "last_sync": now.isoformat(), "free_disk_bytes": rng.randint(200, 9000) * 2**20,
                          "under_voltage": rng.random() < 0.1, "device_time": now.isoformat()}}
            for n in range(devices)])
        per_device = max(1, records // devices)
        for n in range(devices):
            rows = _device_records(rng, f"kiosk-{n:04d}", slugify(venue_names[n]), per_device, start, days,
                                   truth if track else None)
            for first in range(0, len(rows), CHUNK):
                connection.execute(insert(StoredRecord), rows[first:first + CHUNK])
            truth.records += len(rows)
    return truth


def _device_records(rng: random.Random, device: str, venue: str, count: int, start: dt.date, days: int,
                    truth: Truth | None) -> list[dict]:
    rows: list[dict] = []
    learners = [new_card_id() if rng.random() < 0.4 else new_anon_id() for _ in range(max(3, count // 60))]
    boot = str(uuid.uuid4())

    def add(kind: str, lesson: str, learner: str, when: dt.datetime, payload: dict) -> None:
        rows.append({"id": str(uuid.UUID(int=rng.getrandbits(128))), "device_id": device, "seq": len(rows) + 1,
                     "type": kind, "lesson_id": lesson, "payload": payload, "learner": learner, "venue_id": venue,
                     "device_time": when, "boot_id": boot, "monotonic_s": float(len(rows)), "received_at": when,
                     "content_hash": hashlib.sha256(f"{device}{len(rows)}".encode()).hexdigest(),
                     "rebased_time": when, "time_basis": "device_clock"})

    while len(rows) < count:
        day = start + dt.timedelta(days=rng.randrange(days))
        when = (dt.datetime.combine(day, dt.time(rng.randint(7, 20), rng.randrange(60)), dt.timezone.utc)
                - WARD_OFFSET)
        lesson, learner = rng.choice(LESSONS), rng.choice(learners)
        add("session_started", lesson, learner, when, {})
        steps, leaves_at = rng.randint(3, 8), rng.randint(1, 12)
        for step in range(1, steps + 1):
            when += dt.timedelta(seconds=rng.randint(10, 90))
            correct = rng.random() < 0.7 + 0.03 * step
            add("step_answered", lesson, learner, when,
                {"step_id": f"buoc-{step}", "answer": "dung" if correct else "sai", "correct": correct, "attempt": 1})
            if step == leaves_at:
                break
        finished = leaves_at > steps
        add("lesson_completed" if finished else "session_ended", lesson, learner, when + dt.timedelta(seconds=5),
            {"questions": steps, "first_try_correct": steps} if finished else {"reason": "left"})
        if truth is not None:
            truth.learners.add(learner)
            truth.started[day] += 1
            if finished:
                truth.completed[day] += 1
    return rows
