"""``ward-server device add|list|revoke`` and ``kiosk-sync enroll``: from the ward's QR code to a working kiosk."""
import json
import stat

import numpy as np
import pytest
from PIL import Image

from kiosk.qr.decode import decode
from kiosk.sync_cli import main as kiosk_sync
from sync.client import NeedsEnrollment, push_pending
from sync.credentials import Credentials
from sync.enrollment_code import parse_enrollment_code
from sync.outbox import Outbox
from sync.server.cli import main as ward_server_cli
from sync.server.db import make_engine
from tests.harness import free_port
from tests.sync.factory import Kiosk


def test_the_enrollment_qr_code_enrolls_a_kiosk_and_revoke_stops_it(ward_server, kiosk_config, monkeypatch,
                                                                    tmp_path, capsys):
    png = tmp_path / "luka.png"
    database = ["--database", ward_server.database_url]
    assert ward_server_cli([*database, "device", "add", "Cà phê Luka", "--url", ward_server.url, "--png", str(png)]) == 0
    printed = capsys.readouterr().out
    assert "Cà phê Luka" in printed and "▀" in printed  # the QR code, drawn in the terminal
    assert stat.S_IMODE(png.stat().st_mode) == 0o600

    [scanned] = decode(np.asarray(Image.open(png).convert("L")))  # what the technician screen's camera reads
    code = parse_enrollment_code(scanned.text)
    assert code.url == ward_server.url and code.venue == "Cà phê Luka"

    settings = tmp_path / "kiosk.toml"
    settings.write_text(f'data_dir = "{kiosk_config.data_dir}"\n')
    monkeypatch.setenv("KIOSK_CONFIG", str(settings))
    assert kiosk_sync(["enroll", scanned.text]) == 0
    credentials = Credentials.load(kiosk_config.credentials_file)
    assert stat.S_IMODE(kiosk_config.credentials_file.stat().st_mode) == 0o600
    assert kiosk_sync(["enroll", scanned.text]) == 1  # one use only
    assert capsys.readouterr().err.startswith("kiosk-sync: ")

    kiosk = Kiosk(credentials, Outbox(kiosk_config.outbox_dir))
    kiosk.queue(3)
    assert push_pending(kiosk.outbox, kiosk.client()).accepted == 3
    assert ward_server_cli([*database, "device", "list"]) == 0
    assert f"{credentials.device_id}\tCà phê Luka\tactive" in capsys.readouterr().out

    assert ward_server_cli([*database, "device", "revoke", credentials.device_id]) == 0
    kiosk.queue(1)
    with pytest.raises(NeedsEnrollment):
        push_pending(kiosk.outbox, kiosk.client())
    assert ward_server_cli([*database, "device", "revoke", "kiosk-nobody"]) == 1


def test_device_add_json_for_scripts(ward_server, tmp_path, capsys):
    png = tmp_path / "code.png"
    assert ward_server_cli(["--database", ward_server.database_url, "device", "add", "Nhà văn hoá khu phố 3",
                            "--url", "https://ward7.example.vn/", "--json", "--png", str(png)]) == 0
    line = json.loads(capsys.readouterr().out)
    assert parse_enrollment_code(line["code"]).token == line["token"] and line["url"] == "https://ward7.example.vn"
    assert png.exists()


@pytest.mark.parametrize("command", [["audit"], ["serve"], ["device", "list"]])
@pytest.mark.parametrize("where", ["postgresql", "sqlite"])
def test_an_unreachable_database_gets_one_plain_line_and_exit_2(tmp_path, capsys, command, where):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    url = (f"postgresql+psycopg://ward:hunter2@127.0.0.1:{free_port()}/ward" if where == "postgresql"
           else f"sqlite:///{blocker}/ward.sqlite3")
    assert ward_server_cli(["--database", url, *command]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert "Traceback" not in captured.err and "hunter2" not in captured.err
    assert captured.err.startswith("ward-server: cannot open the database ") and "then try again" in captured.err


def test_the_sqlite_database_syncs_every_commit_to_disk(tmp_path):
    """synchronous=FULL: a record the ward acknowledged survives a power cut (the kiosk has deleted its copy)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'ward.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    engine.dispose()


def test_a_bundle_key_file_that_cannot_be_made_is_one_plain_line_at_start(tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("WARD_BUNDLE_KEY_FILE", str(blocker / "ward-bundle.key"))
    assert ward_server_cli(["--database", f"sqlite:///{tmp_path / 'ward.sqlite3'}", "serve"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ward-server: cannot ") and "bundle key file" in err and "--bundle-key-file" in err
    assert len(err.splitlines()) == 1


def test_the_commands_take_their_defaults_from_the_ward_settings(tmp_path, capsys, monkeypatch):
    """WARD_DATABASE_URL and WARD_BUNDLE_KEY_FILE are read once, by the settings object, for every command."""
    monkeypatch.setenv("WARD_DATABASE_URL", f"sqlite:///{tmp_path / 'from-env.sqlite3'}")
    monkeypatch.setenv("WARD_BUNDLE_KEY_FILE", str(tmp_path / "from-env.key"))
    assert ward_server_cli(["device", "list"]) == 0
    assert (tmp_path / "from-env.sqlite3").exists()
    monkeypatch.setenv("WARD_SESSION_HOURS", "eight")
    assert ward_server_cli(["device", "list"]) == 2
    err = capsys.readouterr().err
    assert "session_hours" in err and "Traceback" not in err and len(err.splitlines()) == 1
