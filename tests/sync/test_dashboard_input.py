"""The dashboard's parsers of uploaded files and its console commands: hostile input is one refusal in words."""
import io
import zipfile

import pytest
from fastapi import HTTPException
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.server.cli import main
from sync.server.db import make_engine, make_sessions
from sync.server.settings import WardSettings
from sync.server.web import auth
from sync.server.web.admin import MAX_NAME, read_khu_pho_csv
from sync.server.web.packs import BadUpload, unpack


def test_khu_pho_csv_takes_the_first_column_and_skips_a_header():
    data = "Tên,Ghi chú\nKhu phố 1,x\n\n Khu pho\u0302\u0301 2 \n".encode("utf-8-sig")
    assert read_khu_pho_csv(data) == ["Khu phố 1", "Khu phố 2"]  # NFC, trimmed


@pytest.mark.parametrize("data", [b"", b"\xff\xfe\x00", "Tên\n".encode(), ("x" * (MAX_NAME + 1)).encode(),
                                  b"ok\nbad\x07name\n", "\n".join(f"kp {n}" for n in range(600)).encode()])
def test_unusable_khu_pho_lists_are_refused_in_words(data):
    with pytest.raises(HTTPException) as refused:
        read_khu_pho_csv(data)
    assert refused.value.status_code == 422 and refused.value.detail


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000) | st.text(max_size=500).map(str.encode))
def test_any_bytes_give_names_or_one_refusal(data):
    try:
        names = read_khu_pho_csv(data)
    except HTTPException as exc:
        assert exc.status_code == 422
        return
    assert names and all(0 < len(name) <= MAX_NAME and name.isprintable() for name in names)


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("files", [{"../evil.yaml": b"x"}, {"/etc/passwd": b"x"}, {"a/.hidden": b"x"}, {}])
def test_a_zip_with_names_a_pack_may_not_have_is_refused(tmp_path, files):
    (tmp_path / "up.zip").write_bytes(_zip(files))
    with pytest.raises(BadUpload):
        unpack(tmp_path / "up.zip", tmp_path / "out")
    assert not (tmp_path / "evil.yaml").exists()


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_unpack_or_are_one_refusal(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("zip")
    (folder / "up.zip").write_bytes(data)
    (folder / "out").mkdir()
    try:
        unpack(folder / "up.zip", folder / "out")
    except BadUpload:
        pass


def test_admin_create_makes_the_first_account_and_refuses_a_short_password(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path}/ward.sqlite3"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["--database", url, "admin", "create", "lan", "--password-stdin"]) == 1
    assert "10 to 200 characters" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["--database", url, "admin", "create", "Lan", "--password-stdin"]) == 0
    engine = make_engine(url)
    with make_sessions(engine)() as session:
        assert auth.check_password(session, "lan", "a long enough password").role == "admin"
        assert auth.check_password(session, "lan", "a long enough passwor") is None
        assert auth.check_password(session, "nobody", "a long enough password") is None
    engine.dispose()


def test_settings_lists_every_setting_with_its_variable(capsys):
    assert main(["--settings"]) == 0
    listed = capsys.readouterr().out
    assert all(f"WARD_{name.upper()}" in listed for name in WardSettings.model_fields)
