"""The server side of retry-safe enrollment: a token is spent once, on one kiosk's own secret, and a
retry of that same enrollment gets the same answer; failed attempts from one address are slowed down."""
import secrets
import stat
import threading
from collections import Counter

import pytest
import requests

from sync.credentials import secret_digest
from sync.server import identity
from sync.server.db import Device
from sync.server.keys import BundleKeyError, BundleKeys


def enroll_body(token: str, device_id: str, secret: str) -> dict:
    return {"token": token, "device_id": device_id, "secret_hash": secret_digest(secret)}


def post_enroll(ward_server, body: dict) -> requests.Response:
    return requests.post(f"{ward_server.url}/api/v1/enroll", json=body, timeout=10)


def test_a_retry_of_the_same_enrollment_gets_the_same_answer(ward_server):
    token, secret = ward_server.enrollment_token(), secrets.token_urlsafe(32)
    first = post_enroll(ward_server, enroll_body(token, "kiosk-retry001", secret))
    again = post_enroll(ward_server, enroll_body(token, "kiosk-retry001", secret))
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() == {"device_id": "kiosk-retry001", "venue_id": "ca-phe-luka",
                                            "name": "Cà phê Luka",
                                            "bundle_key": ward_server.bundle_keys.for_device("kiosk-retry001")}
    assert "secret" not in first.json()
    other_secret = post_enroll(ward_server, enroll_body(token, "kiosk-retry001", secrets.token_urlsafe(32)))
    other_device = post_enroll(ward_server, enroll_body(token, "kiosk-retry002", secret))
    assert other_secret.status_code == other_device.status_code == 403
    assert "already used" in other_device.json()["detail"]

    with ward_server.sessions() as session:
        assert session.get(Device, "kiosk-retry001").secret_hash == secret_digest(secret)
        assert session.get(Device, "kiosk-retry002") is None
        identity.revoke(session, "kiosk-retry001")
    assert post_enroll(ward_server, enroll_body(token, "kiosk-retry001", secret)).status_code == 403  # revoked: no more


def test_racing_clients_spend_a_token_exactly_once(ward_server):
    token = ward_server.enrollment_token()
    secret = secrets.token_urlsafe(32)
    bodies = [enroll_body(token, f"kiosk-race{i:04d}", secrets.token_urlsafe(32)) for i in range(12)]
    bodies += [enroll_body(token, "kiosk-twin0001", secret)] * 4  # one kiosk retrying while the others race
    start = threading.Barrier(len(bodies))
    answers: list[requests.Response] = [None] * len(bodies)

    def attempt(index: int) -> None:
        start.wait()
        answers[index] = post_enroll(ward_server, bodies[index])

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    winners = {answer.json()["device_id"] for answer in answers if answer.status_code == 200}
    assert len(winners) == 1
    assert set(Counter(answer.status_code for answer in answers)) <= {200, 403}
    with ward_server.sessions() as session:
        assert [device.id for device in identity.devices(session)] == list(winners)


def test_the_bundle_key_comes_from_a_master_key_file_outside_the_database(ward_server):
    token, secret = ward_server.enrollment_token(), secrets.token_urlsafe(32)
    answer = post_enroll(ward_server, enroll_body(token, "kiosk-keys0001", secret)).json()
    key_file = ward_server.bundle_keys.path
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(bytes.fromhex(key_file.read_text())) == 32
    with ward_server.sessions() as session:
        device = session.get(Device, "kiosk-keys0001")
        assert answer["bundle_key"] not in (device.secret_hash, secret_digest(device.secret_hash))
    assert answer["bundle_key"] != ward_server.bundle_keys.for_device("kiosk-keys0002")


def test_wrong_codes_and_tokens_from_one_address_are_slowed_down(ward_server):
    wrong = enroll_body("not-a-real-token", "kiosk-guess001", "x")
    with requests.Session() as http:
        codes = Counter(http.post(f"{ward_server.url}/api/v1/enroll", json=wrong, timeout=10).status_code
                        for _ in range(150))
        tokens = Counter(http.get(f"{ward_server.url}/api/v1/packs", timeout=10,
                                  headers={"Authorization": "Bearer kiosk-guess001.wrong"}).status_code
                         for _ in range(150))
        refused = http.post(f"{ward_server.url}/api/v1/enroll", json=wrong, timeout=10)
    assert codes[429] + tokens[429] >= 250 and set(codes) | set(tokens) <= {401, 403, 429}
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_kiosks_enrolling_properly_are_not_slowed_down(ward_server):
    """A technician setting up a whole ward from one laptop enrolls more kiosks than the failure burst."""
    with ward_server.sessions() as session:
        tokens = [identity.create_enrollment(session, "Cà phê Luka") for _ in range(25)]
    assert {post_enroll(ward_server, enroll_body(t, f"kiosk-fine{i:04d}", "s")).status_code
            for i, t in enumerate(tokens)} == {200}


def test_a_damaged_master_key_file_is_refused_not_replaced(tmp_path):
    key_file = tmp_path / "ward-bundle.key"
    first = BundleKeys(key_file).for_device("kiosk-a")
    assert BundleKeys(key_file).for_device("kiosk-a") == first  # the same key after a restart
    key_file.write_bytes(b"\xff\xfe not a key")
    with pytest.raises(BundleKeyError, match="damaged|cannot read"):
        BundleKeys(key_file).for_device("kiosk-a")
