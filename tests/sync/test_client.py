"""The sync client against a real ward server: TLS with a ward CA, batch limits, 429, heartbeats."""
import datetime as dt
import ipaddress
import time
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sync.client import MAX_BATCH_BYTES, ServerUnavailable, SyncClient, enroll, take_batch
from sync.heartbeat import collect_heartbeat
from sync.problems import Kind, Problem
from sync.server.db import Device
from sync.worker import SyncWorker
from tests.harness import WardServer
from tests.helpers import wait_for
from tests.sync.factory import enroll_kiosk, make_records


def _certificate(subject: str, key, issuer_name, issuer_key, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(issuer_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                        critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def ward_ca(tmp_path_factory) -> tuple[Path, Path, Path]:
    """A ward's own CA and a server certificate for 127.0.0.1: (ca bundle, certificate, key)."""
    folder = tmp_path_factory.mktemp("tls")
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Phường 7 kiosk CA")])
    ca = _certificate("Phường 7 kiosk CA", ca_key, ca_name, ca_key, ca=True)
    server = _certificate("127.0.0.1", server_key, ca_name, ca_key, ca=False)
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
    return paths


def test_tls_is_verified_against_the_wards_ca_bundle(database_url, ward_ca):
    ca_bundle, certificate, key = ward_ca
    server = WardServer(database_url, tls=(certificate, key)).start()
    try:
        with pytest.raises(ServerUnavailable, match="SSLError") as untrusted:
            enroll(server.url, server.enrollment_token(), "kiosk-tls00001")
        assert untrusted.value.problem.kind == Kind.UNTRUSTED_CERTIFICATE
        assert "server_ca_bundle" in untrusted.value.problem.sentence()
        credentials = enroll(server.url, server.enrollment_token(), "kiosk-tls00001", ca_bundle=ca_bundle)
        [answer] = SyncClient(credentials, ca_bundle=ca_bundle).send_batch(make_records(credentials.device_id, 1))
        assert answer["status"] == "accepted"
        with pytest.raises(ServerUnavailable, match="SSLError"):
            SyncClient(credentials).send_batch(make_records(credentials.device_id, 1, start_seq=2))
    finally:
        server.stop()


def test_a_batch_stops_at_500_records_or_1_mb():
    small = make_records("kiosk-test0001", 600)
    assert len(take_batch(small)) == 500 and len(take_batch(small, 50)) == 50
    # Valid records are under 1 kB, so only an oversized one (unvalidated copy) can reach the byte limit.
    big = [r.model_copy(update={"payload": {"step_id": "x" * 10_000}}) for r in small]
    batch = take_batch(big)
    assert 90 <= len(batch) < 100 and sum(len(r.model_dump_json()) + 1 for r in batch) <= MAX_BATCH_BYTES


def test_too_many_requests_get_429_with_retry_after(database_url):
    server = WardServer(database_url, rate_per_s=0.2, burst=2).start()
    try:
        client = SyncClient(enroll(server.url, server.enrollment_token(), "kiosk-busy0001"))
        client.send_batch(make_records("kiosk-busy0001", 1))
        client.send_batch(make_records("kiosk-busy0001", 1, start_seq=2))
        with pytest.raises(ServerUnavailable, match="429") as refused:
            client.send_batch(make_records("kiosk-busy0001", 1, start_seq=3))
        assert 1 <= refused.value.retry_after <= 5
        assert server.record_count() == 2
    finally:
        server.stop()


class RateLimitedClient:
    """Answers every batch with a 429 asking to wait ``retry_after`` seconds."""

    batch_records = 500

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        self.calls = 0

    def send_batch(self, records):
        self.calls += 1
        raise ServerUnavailable(Problem(Kind.BUSY, detail="HTTP 429"), retry_after=self.retry_after)


def test_the_worker_waits_as_long_as_retry_after_asks(tmp_path):
    from sync.outbox import Outbox
    from tests.sync.factory import make_draft

    outbox = Outbox(tmp_path / "outbox")
    outbox.append(make_draft("kiosk-busy0001"))
    client = RateLimitedClient(retry_after=30)
    worker = SyncWorker(outbox, client, interval_s=0.01, backoff_max_s=0.05).start()
    wait_for(lambda: client.calls >= 1 and worker.status.state == "offline")
    time.sleep(0.5)  # ten times the longest backoff: without Retry-After it would have tried again
    worker.stop()
    assert client.calls == 1


def test_a_heartbeat_tells_the_ward_how_the_kiosk_is(ward_server, tmp_path):
    kiosk = enroll_kiosk(ward_server, tmp_path, "kiosk-beat0001")
    kiosk.queue(3)
    last_sync = dt.datetime(2026, 11, 20, 8, 30, tzinfo=dt.timezone.utc)
    kiosk.client().send_heartbeat(collect_heartbeat(kiosk.outbox, last_sync))
    with ward_server.sessions() as session:
        device = session.get(Device, kiosk.device_id)
        beat = device.heartbeat
    assert device.last_heartbeat_at is not None
    assert beat["pending"] == 3 and beat["quarantined"] == 0 and beat["free_disk_bytes"] > 0
    assert dt.datetime.fromisoformat(beat["last_sync"]) == last_sync
    assert beat["under_voltage"] is None and beat["app_version"]


def test_a_malformed_heartbeat_gets_422(ward_server, tmp_path):
    kiosk = enroll_kiosk(ward_server, tmp_path, "kiosk-beat0002")
    response = requests.post(f"{ward_server.url}/api/v1/heartbeat", json={"pending": -1}, timeout=5,
                             headers={"Authorization": f"Bearer {kiosk.device_id}.{kiosk.credentials.secret}"})
    assert response.status_code == 422


def test_the_worker_sends_heartbeats_after_syncing(ward_server, tmp_path):
    kiosk = enroll_kiosk(ward_server, tmp_path, "kiosk-beat0003")
    kiosk.queue(2)
    worker = SyncWorker(kiosk.outbox, kiosk.client(), interval_s=0.05, heartbeat_interval_s=60).start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with ward_server.sessions() as session:
            if session.get(Device, kiosk.device_id).heartbeat:
                break
        time.sleep(0.05)
    worker.stop()
    with ward_server.sessions() as session:
        assert session.get(Device, kiosk.device_id).heartbeat["pending"] == 0
