"""The ward server's API on a real server on 127.0.0.1: enrollment, idempotent ingest, refusals."""
import gzip
import json

import pytest
import requests

from sync.client import Credentials, SyncClient, enroll
from sync.credentials import secret_digest
from tests.sync.factory import make_records


@pytest.fixture
def credentials(ward_server) -> Credentials:
    return enroll(ward_server.url, ward_server.enrollment_token(), "kiosk-test0001")


def post(ward_server, credentials: Credentials | None, body: bytes, **headers) -> requests.Response:
    auth = {"Authorization": f"Bearer {credentials.device_id}.{credentials.secret}"} if credentials else {}
    return requests.post(f"{ward_server.url}/api/v1/records", data=body, timeout=10,
                         headers={"Content-Type": "application/json", **auth, **headers})


def test_enrollment_registers_the_kiosks_own_secret_only_hashed(ward_server, credentials):
    assert credentials.device_id == "kiosk-test0001"
    assert credentials.venue_id == "ca-phe-luka" and credentials.name == "Cà phê Luka"
    with ward_server.sessions() as session:
        from sync.server.db import Device
        device = session.get(Device, "kiosk-test0001")
        assert device.secret_hash == secret_digest(credentials.secret) and credentials.secret not in device.secret_hash


def test_an_enrollment_token_works_once(ward_server):
    token = ward_server.enrollment_token()
    enroll(ward_server.url, token, "kiosk-first001")
    response = requests.post(f"{ward_server.url}/api/v1/enroll", timeout=10,
                             json={"token": token, "device_id": "kiosk-other001", "secret_hash": "ab" * 32})
    assert response.status_code == 403


def test_the_same_batch_twice_stores_each_record_once(ward_server, credentials):
    client = SyncClient(credentials)
    records = make_records(credentials.device_id, 20)
    first = client.send_batch(records)
    second = client.send_batch(records)
    assert [r["status"] for r in first] == ["accepted"] * 20
    assert [r["status"] for r in second] == ["duplicate"] * 20
    assert ward_server.record_count() == 20
    assert sorted(r.seq for r in ward_server.records()) == list(range(1, 21))


def test_same_id_with_other_content_is_rejected_not_overwritten(ward_server, credentials):
    client = SyncClient(credentials)
    original = make_records(credentials.device_id, 1)[0]
    client.send_batch([original])
    changed = original.model_copy(update={"payload": {**original.payload, "correct": True}})
    [result] = client.send_batch([changed])
    assert result["status"] == "rejected" and "other content" in result["reason"]
    [stored] = ward_server.records()
    assert stored.payload["correct"] is False


@pytest.mark.parametrize("body", [
    b"this is not json",
    b'{"records": "nope"}',
    b'{"records": []}',
    b'[1, 2, 3]',
    json.dumps({"records": [{}] * 501}).encode(),
    b'{"records": [], "extra": 1}',
])
def test_a_malformed_batch_gets_422_and_stores_nothing(ward_server, credentials, body):
    response = post(ward_server, credentials, body)
    assert response.status_code == 422
    assert ward_server.record_count() == 0


def test_invalid_records_in_a_batch_are_rejected_one_by_one(ward_server, credentials):
    good = make_records(credentials.device_id, 1)[0].model_dump(mode="json")
    name_in_payload = {**make_records(credentials.device_id, 1, start_seq=2)[0].model_dump(mode="json"),
                       "payload": {"full_name": "Nguyễn Văn A"}}
    response = post(ward_server, credentials, json.dumps({"records": [good, name_in_payload, {"id": 3}]}).encode())
    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == ["accepted", "rejected", "rejected"]
    assert ward_server.record_count() == 1


def test_records_for_another_device_are_rejected(ward_server, credentials):
    [result] = SyncClient(credentials).send_batch(make_records("kiosk-someone-else", 1))
    assert result["status"] == "rejected"
    assert ward_server.record_count() == 0


@pytest.mark.parametrize("authorization", [None, "Bearer ", "Bearer kiosk-test0001.wrong-secret", "Basic abc"])
def test_a_request_without_a_valid_device_token_gets_401(ward_server, credentials, authorization):
    body = json.dumps({"records": [r.model_dump(mode="json") for r in make_records(credentials.device_id, 1)]}).encode()
    headers = {"Authorization": authorization} if authorization else {}
    response = post(ward_server, None, body, **headers)
    assert response.status_code == 401
    assert ward_server.record_count() == 0


def test_a_revoked_device_gets_401(ward_server, credentials):
    from sync.server import identity
    with ward_server.sessions() as session:
        assert identity.revoke(session, credentials.device_id)
    body = json.dumps({"records": [r.model_dump(mode="json") for r in make_records(credentials.device_id, 1)]}).encode()
    assert post(ward_server, credentials, body).status_code == 401


def test_gzip_bodies_are_read_and_oversized_ones_refused(ward_server, credentials):
    records = make_records(credentials.device_id, 3)
    body = gzip.compress(json.dumps({"records": [r.model_dump(mode="json") for r in records]}).encode())
    assert post(ward_server, credentials, body, **{"Content-Encoding": "gzip"}).status_code == 200
    bomb = gzip.compress(b'{"records": [' + b" " * (5 * 1024 * 1024) + b"]}")
    assert post(ward_server, credentials, bomb, **{"Content-Encoding": "gzip"}).status_code == 413
    assert post(ward_server, credentials, b"x" * (3 * 1024 * 1024)).status_code == 413
    assert ward_server.record_count() == 3


def test_healthz(ward_server):
    assert requests.get(f"{ward_server.url}/healthz", timeout=5).json() == {"status": "ok"}


def test_copies_of_a_batch_arriving_at_once_store_each_record_once(ward_server, credentials):
    from concurrent.futures import ThreadPoolExecutor

    records = make_records(credentials.device_id, 300)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: SyncClient(credentials).send_batch(records), range(4)))
    assert ward_server.record_count() == 300
    for index in range(300):
        assert sorted(a[index]["status"] for a in answers) == ["accepted", "duplicate", "duplicate", "duplicate"]


def test_a_batch_mixing_new_and_resent_records_says_which_is_which(ward_server, credentials):
    client = SyncClient(credentials)
    records = make_records(credentials.device_id, 10)
    client.send_batch(records[::2])
    assert [r["status"] for r in client.send_batch(records)] == ["duplicate", "accepted"] * 5
    assert ward_server.record_count() == 10
