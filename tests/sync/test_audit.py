"""``ward-server audit``: seq ranges the ward does not hold, with refused records told apart from losses."""
import json

import requests

from sync.client import SyncClient, enroll
from sync.server.audit import audit
from sync.server.cli import main as ward_server_cli
from tests.sync.factory import make_records


def test_audit_lists_missing_seq_ranges_and_refusals(ward_server, capsys):
    whole = enroll(ward_server.url, ward_server.enrollment_token("Nhà văn hoá"), "kiosk-whole001")
    holey = enroll(ward_server.url, ward_server.enrollment_token(), "kiosk-holey001")
    SyncClient(whole).send_batch(make_records(whole.device_id, 6, venue_id="nha-van-hoa"))
    records = make_records(holey.device_id, 10)
    SyncClient(holey).send_batch([r for r in records if r.seq not in (4, 5, 8)])
    invalid = {**records[7].model_dump(mode="json"), "payload": {"phone": "0901234567"}}
    answer = requests.post(f"{ward_server.url}/api/v1/records", json={"records": [invalid]}, timeout=10,
                           headers={"Authorization": f"Bearer {holey.device_id}.{holey.secret}"}).json()
    assert answer["results"][0]["status"] == "rejected"

    with ward_server.sessions() as session:
        reports = {r.device_id: r for r in audit(session)}
    assert reports["kiosk-whole001"].missing == [] and reports["kiosk-whole001"].records == 6
    assert reports["kiosk-holey001"].missing == [(4, 5)] and reports["kiosk-holey001"].refused == [8]
    assert reports["kiosk-holey001"].highest_seq == 10 and reports["kiosk-holey001"].missing_count == 2

    assert ward_server_cli(["--database", ward_server.database_url, "audit"]) == 1
    out = capsys.readouterr().out
    assert "kiosk-holey001 (Cà phê Luka): 7 records up to seq 10, missing 4-5, refused 1" in out
    assert "kiosk-whole001 (Nhà văn hoá): 6 records up to seq 6, missing none" in out
    assert ward_server_cli(["--database", ward_server.database_url, "audit", "--json"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {line["device_id"]: line["missing"] for line in lines}["kiosk-holey001"] == [[4, 5]]


def test_a_gap_at_the_start_is_found(ward_server):
    credentials = enroll(ward_server.url, ward_server.enrollment_token(), "kiosk-late0001")
    SyncClient(credentials).send_batch(make_records(credentials.device_id, 3, start_seq=4))
    with ward_server.sessions() as session:
        [report] = audit(session)
    assert report.missing == [(1, 3)]


def test_a_cloned_kiosks_seq_collisions_are_refused_counted_and_fail_the_audit(ward_server, capsys):
    """A second Pi booted from a copy of a working kiosk's SD card numbers its records as the first one does."""
    original = enroll(ward_server.url, ward_server.enrollment_token(), "kiosk-clone001")
    SyncClient(original).send_batch(make_records(original.device_id, 5))
    answers = SyncClient(original).send_batch(make_records(original.device_id, 5))  # the copy: new ids, same seqs
    assert [a["reason"] for a in answers] == [f"seq {seq} is already used by another record" for seq in range(1, 6)]

    with ward_server.sessions() as session:
        [report] = audit(session)
    assert report.collisions == [1, 2, 3, 4, 5] and report.refused == [1, 2, 3, 4, 5] and report.missing == []
    assert ward_server_cli(["--database", ward_server.database_url, "audit"]) == 1
    line = capsys.readouterr().out
    assert "5 records up to seq 5, missing none, refused 5 (5 because their seq is another record's" in line
    assert "copy" in line
