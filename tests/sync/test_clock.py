"""Kiosk times re-based on the server: a clock that starts in 1970, a boot that never met the server."""
import datetime as dt
import gzip
import json
import time
import uuid

import pytest
import requests

from sync.records import Record
from sync.server.db import aware
from tests.sync.factory import at, enroll_kiosk, make_draft

NOW = dt.datetime.now


def stored_times(ward_server) -> dict[str, tuple[dt.datetime | None, str | None]]:
    return {r.id: (r.rebased_time and aware(r.rebased_time), r.time_basis) for r in ward_server.records()}


@pytest.fixture
def kiosk(ward_server, tmp_path):
    return enroll_kiosk(ward_server, tmp_path, "kiosk-clock001")


def test_a_clock_that_starts_in_1970_is_rebased_from_the_monotonic_clock(ward_server, kiosk):
    ago_s = min(3600.0, time.monotonic() / 2)  # made a while ago in this boot; the Pi never got the time
    record = kiosk.outbox.append(make_draft(kiosk.device_id, device_time=at(1970, 1, 1, 1, 0),
                                            monotonic_s=time.monotonic() - ago_s))
    kiosk.client().send_batch([record])
    rebased, basis = stored_times(ward_server)[str(record.id)]
    assert basis == "monotonic"
    assert abs((NOW(dt.timezone.utc) - rebased).total_seconds() - ago_s) < 5


def test_a_plausible_clock_is_still_corrected_by_the_monotonic_clock(ward_server, kiosk):
    """fake-hwclock starts the Pi at its last shutdown: plausible, and wrong by days."""
    record = kiosk.outbox.append(make_draft(kiosk.device_id, device_time=NOW(dt.timezone.utc) - dt.timedelta(days=3),
                                            monotonic_s=time.monotonic() - 60))
    kiosk.client().send_batch([record])
    rebased, basis = stored_times(ward_server)[str(record.id)]
    assert basis == "monotonic" and abs((rebased - NOW(dt.timezone.utc)).total_seconds() - -60) < 5


def post_raw(ward_server, kiosk, path: str, document: dict, boot_id: str, monotonic: str) -> requests.Response:
    return requests.post(f"{ward_server.url}{path}", data=gzip.compress(json.dumps(document).encode()), timeout=10,
                         headers={"Authorization": f"Bearer {kiosk.device_id}.{kiosk.credentials.secret}",
                                  "Content-Encoding": "gzip", "X-Boot-Id": boot_id, "X-Monotonic": monotonic})


def test_a_boot_that_never_met_the_server_keeps_a_plausible_device_time_or_has_none(ward_server, kiosk):
    earlier_boot = uuid.uuid4()
    unset = kiosk.outbox.append(make_draft(kiosk.device_id, boot_id=earlier_boot, device_time=at(1970, 1, 1, 0, 3),
                                           monotonic_s=180))
    plausible = kiosk.outbox.append(make_draft(kiosk.device_id, boot_id=earlier_boot, device_time=at(2026, 11, 20, 9),
                                               monotonic_s=200))
    answer = post_raw(ward_server, kiosk, "/api/v1/records",
                      {"records": [r.model_dump(mode="json") for r in (unset, plausible)]}, "not-a-uuid", "nan")
    assert [r["status"] for r in answer.json()["results"]] == ["accepted", "accepted"]
    times = stored_times(ward_server)
    assert times[str(unset.id)] == (None, None)
    assert times[str(plausible.id)] == (at(2026, 11, 20, 9), "device_clock")


def test_an_anchor_learned_from_a_heartbeat_rebases_that_boots_records_sent_later(ward_server, kiosk):
    """The kiosk said hello during an earlier boot, then its records came after a reboot (or on a stick)."""
    earlier_boot = str(uuid.uuid4())
    beat = {"app_version": "0.1.0", "pending": 1, "quarantined": 0, "last_sync": None, "free_disk_bytes": 10**9,
            "under_voltage": True, "device_time": "1970-01-01T00:10:00+00:00"}
    assert post_raw(ward_server, kiosk, "/api/v1/heartbeat", beat, earlier_boot, "600.0").status_code == 204
    record: Record = kiosk.outbox.append(make_draft(kiosk.device_id, boot_id=earlier_boot,
                                                    device_time=at(1970, 1, 1, 0, 9), monotonic_s=540))
    kiosk.client().send_batch([record])  # sent from a later boot
    rebased, basis = stored_times(ward_server)[str(record.id)]
    assert basis == "monotonic" and abs((NOW(dt.timezone.utc) - rebased).total_seconds() - 60) < 5


def test_an_absurd_anchor_already_kept_falls_back_to_the_device_clock():
    """Anchors kept before headers were bounded may be anything; re-basing on one must not fail the batch."""
    from sync.server.clock import rebase
    received = NOW(dt.timezone.utc)
    for anchor in (-1e300, 1e300, float("inf")):
        assert rebase(at(2026, 11, 20, 9), 60.0, anchor, received) == (at(2026, 11, 20, 9), "device_clock")
