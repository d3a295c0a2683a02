"""A logged-in kiosk sending hostile records: each bad record is refused on its own with a reason from
a fixed vocabulary, the good ones beside it are stored, and the server never answers 500."""
import itertools
import json
import re
import uuid

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import strategies as st
from sqlalchemy import func, insert, select
from sqlalchemy.exc import DataError, IntegrityError

from lessons.signing import sign_pack

from sync.client import enroll
from sync.learner_ids import new_card_id
from sync.server.db import BootAnchor, RejectedSeq, StoredRecord, utcnow
from sync.server.ingest import record_row
from tests.harness import WardServer
from tests.helpers import write_pack
from tests.sync.factory import make_records

REASONS = re.compile(r"(invalid field: [a-z_]+|invalid record: (unknown field|not an object)|unknown lesson|unknown step|"
                     r"venue is not this device's|device_id is not this device|seq [0-9]+ is already used by another record|"
                     r"this id is already stored with other content)")
NAME_AND_PHONE = "Nguyễn Văn An 0912345678"
SEQS = itertools.count(1)  # the server fixture lives across hypothesis examples: each record gets a seq of its own


@pytest.fixture
def kiosk(ward_server):
    return enroll(ward_server.url, ward_server.enrollment_token(), "kiosk-hostile01")


def post(ward_server, kiosk, body: bytes | str, path: str = "/api/v1/records", **headers) -> requests.Response:
    return requests.post(f"{ward_server.url}{path}", data=body, timeout=30, headers={
        "Authorization": f"Bearer {kiosk.device_id}.{kiosk.secret}", "Content-Type": "application/json", **headers})


def good(kiosk, seq: int) -> dict:
    return make_records(kiosk.device_id, 1, start_seq=seq)[0].model_dump(mode="json")


HOSTILE_VALUES = st.one_of(
    st.integers(min_value=2**31, max_value=2**70), st.integers(max_value=0),
    st.sampled_from([1e308, -1.0, float("inf"), float("nan"), 10 * 366 * 86400.0, True, None, [], {}, "", "\x00",
                     "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:00", "2026-12-01T10:00:00+99:00",
                     "2026-12-01T10:00:00+15:00", "2026-12-01T10:00:00", "card-0912345678", "card-nguyenvanan",
                     "079123456789", "nguyen-van-an", NAME_AND_PHONE, "anon-0123", "x" * 100_000]),
    st.text(max_size=30),
    st.recursive(st.none() | st.integers() | st.text(max_size=5),
                 lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
                 max_leaves=30),
)
FIELDS = ["id", "device_id", "seq", "type", "lesson_id", "payload", "learner", "venue_id", "device_time", "boot_id",
          "monotonic_s", NAME_AND_PHONE, "payload.step_id", "payload.answer", "payload.attempt", f"payload.{NAME_AND_PHONE}",
          "payload.step_id\x00"]


def spoil(record: dict, field: str, value) -> dict:
    spoiled = {**record, "payload": dict(record["payload"])}
    if field.startswith("payload."):
        spoiled["payload"][field.removeprefix("payload.")] = value
    else:
        spoiled[field] = value
    return spoiled


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spoils=st.lists(st.tuples(st.sampled_from(FIELDS), HOSTILE_VALUES), min_size=1, max_size=4))
def test_hostile_records_are_refused_one_by_one_and_the_good_ones_stored(ward_server, kiosk, spoils):
    records = [spoil(good(kiosk, next(SEQS)), field, value) for field, value in spoils]
    good_one = good(kiosk, next(SEQS))
    response = post(ward_server, kiosk, json.dumps({"records": [*records, good_one]}, allow_nan=True))
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert results[-1] == {"id": good_one["id"], "status": "accepted", "reason": None}
    for result in results[:-1]:
        assert result["status"] in ("accepted", "rejected")
        if result["status"] == "rejected":
            assert REASONS.fullmatch(result["reason"]), result["reason"]
    with ward_server.sessions() as session:
        assert all(REASONS.fullmatch(reason) for reason in session.scalars(select(RejectedSeq.reason)))


@pytest.mark.parametrize("learner", ["card-0912345678", "card-nguyenvanan", "card-nguyenvan0", NAME_AND_PHONE])
def test_a_learner_is_an_anonymous_or_card_id_only(ward_server, kiosk, learner):
    results = post(ward_server, kiosk, json.dumps({"records": [{**good(kiosk, 1), "learner": learner},
                                                               {**good(kiosk, 2), "learner": new_card_id()}]})).json()
    assert [r["status"] for r in results["results"]] == ["rejected", "accepted"]
    assert results["results"][0]["reason"] == "invalid field: learner"


@pytest.mark.parametrize("field, value", [
    ("lesson_id", "079123456789"), ("lesson_id", "nguyen-van-an"), ("payload.step_id", "079123456789"),
    ("payload.step_id", "nguyen-van-an"), ("payload.answer", "so-0912345678"), (f"payload.{NAME_AND_PHONE}", 1),
    (NAME_AND_PHONE, "x"),
])
def test_ids_hold_no_numbers_or_names_and_reasons_echo_nothing(ward_server, kiosk, field, value):
    response = post(ward_server, kiosk, json.dumps({"records": [spoil(good(kiosk, 5), field, value)]}))
    [result] = response.json()["results"]
    assert result["status"] == "rejected" and REASONS.fullmatch(result["reason"])
    assert "0912345678" not in response.text and "079123456789" not in response.text and "Nguy" not in response.text
    with ward_server.sessions() as session:
        [(seq, reason)] = session.execute(select(RejectedSeq.seq, RejectedSeq.reason)).all()
    assert seq == 5 and reason == result["reason"]


def test_something_that_is_not_a_record_is_refused_as_such(ward_server, kiosk):
    results = post(ward_server, kiosk, json.dumps({"records": [7, [], "record", None, good(kiosk, 1)]})).json()
    assert [r["reason"] for r in results["results"]] == ["invalid record: not an object"] * 4 + [None]


def test_a_qr_card_id_holds_no_phone_number(ward_server, kiosk):
    scan = {**good(kiosk, 1), "type": "qr_scanned", "lesson_id": None,
            "payload": {"card": "sdt-0912345678", "trusted": False, "correct": True}}
    [result] = post(ward_server, kiosk, json.dumps({"records": [scan]})).json()["results"]
    assert result == {"id": scan["id"], "status": "rejected", "reason": "invalid field: payload"}


def test_a_record_under_another_venue_is_refused(ward_server, kiosk):
    results = post(ward_server, kiosk, json.dumps({"records": [{**good(kiosk, 1), "venue_id": "nha-van-hoa"},
                                                               {**good(kiosk, 2), "venue_id": "unassigned"}]})).json()
    assert [(r["status"], r["reason"]) for r in results["results"]] == [
        ("rejected", "venue is not this device's"), ("accepted", None)]  # queued before enrollment: no venue yet


def test_a_body_nested_too_deeply_is_refused_whole(ward_server, kiosk):
    for depth in (40, 100_000):
        body = '{"records": [' + "[" * depth + "]" * depth + "]}"
        assert post(ward_server, kiosk, body).status_code == 422
    assert post(ward_server, kiosk, "[" * 3000, path="/api/v1/enroll").status_code in (400, 422)
    assert ward_server.record_count() == 0


@pytest.mark.parametrize("monotonic", ["1e300", "-5", "inf", "nan", "315576001", "1" * 400])
def test_an_absurd_monotonic_header_never_becomes_a_clock_anchor(ward_server, kiosk, monotonic):
    boot = str(uuid.uuid4())
    beat = {"app_version": "0.1.0", "pending": 1, "quarantined": 0, "last_sync": None, "free_disk_bytes": 10**9,
            "under_voltage": None, "device_time": "1970-01-01T00:10:00+00:00"}
    assert post(ward_server, kiosk, json.dumps(beat), "/api/v1/heartbeat",
                **{"X-Boot-Id": boot, "X-Monotonic": monotonic}).status_code == 204
    assert post(ward_server, kiosk, json.dumps({"records": [good(kiosk, 1)]}),
                **{"X-Boot-Id": boot, "X-Monotonic": monotonic}).status_code == 200
    with ward_server.sessions() as session:
        assert session.scalar(select(func.count()).select_from(BootAnchor)) == 0


@pytest.mark.parametrize("version, status", [("0.1.0", 204), ("unknown", 204), ("1.2.3rc1.dev20261201+g1a2b", 204),
                                             (NAME_AND_PHONE, 422), ("0912345678 call me", 422), ("x" * 41, 422)])
def test_the_heartbeat_version_is_a_version_not_free_text(ward_server, kiosk, version, status):
    beat = {"app_version": version, "pending": 0, "quarantined": 0, "last_sync": None, "free_disk_bytes": None,
            "under_voltage": None, "device_time": "2026-12-01T10:00:00+07:00"}
    response = post(ward_server, kiosk, json.dumps(beat), "/api/v1/heartbeat")
    assert response.status_code == status
    assert "Nguy" not in response.text and "0912345678" not in response.text


def test_lessons_of_the_served_pack_are_known_and_others_are_not(database_url, tmp_path):
    pack = write_pack(tmp_path / "ward-pack")
    sign_pack(pack, Ed25519PrivateKey.generate())
    server = WardServer(database_url, packs_dir=pack).start()
    try:
        kiosk = enroll(server.url, server.enrollment_token(), "kiosk-served01")
        served = {**good(kiosk, 1), "lesson_id": "bai-thu", "payload": {**good(kiosk, 1)["payload"], "step_id": "cau-1"}}
        wrong_step = {**served, "id": str(uuid.uuid4()), "seq": 2, "payload": {**served["payload"], "step_id": "otp-la"}}
        unknown = {**good(kiosk, 3), "lesson_id": "bai-khong-co"}
        results = post(server, kiosk, json.dumps({"records": [served, wrong_step, unknown, good(kiosk, 4)]})).json()
        assert [(r["status"], r["reason"]) for r in results["results"]] == [
            ("accepted", None), ("rejected", "unknown step"), ("rejected", "unknown lesson"), ("accepted", None)]
    finally:
        server.stop()


def test_the_schema_itself_bounds_seq_to_32_bits(ward_server, kiosk):
    """Both databases refuse a seq a 32-bit column cannot hold, whatever the code in front of them does."""
    row = record_row(make_records(kiosk.device_id, 1)[0], None, utcnow())
    with ward_server.sessions() as session:
        for seq in (2**31, 0):
            with pytest.raises((IntegrityError, DataError)):  # PostgreSQL: out of INTEGER range; SQLite: the CHECK
                session.execute(insert(StoredRecord), {**row, "seq": seq})
            session.rollback()
