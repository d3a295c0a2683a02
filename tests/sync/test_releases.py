"""The ward publishes a signed kiosk release (``ward-server release add``) and serves it to enrolled
kiosks only; ``kiosk-update fetch`` installs it from a real ward server on 127.0.0.1, and refuses a
release changed on the server or signed with a key it does not trust."""
import json
import tarfile
from pathlib import Path

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from deploy.update import Layout, main as kiosk_update
from lessons.signing import generate_keypair, load_private_key, sign_pack
from sync.client import enroll
from sync.releases import MAX_RELEASE_BYTES, ReleaseManifest, ReleaseRefused, file_sha256
from sync.server.cli import main as ward_server
from tests.harness import WardServer
from tests.helpers import signed_release


@pytest.fixture
def ward(tmp_path: Path):
    server = WardServer(f"sqlite:///{tmp_path / 'ward.sqlite3'}", releases_dir=tmp_path / "releases").start()
    yield server
    server.stop()


@pytest.fixture
def kiosk(tmp_path: Path, ward: WardServer, monkeypatch) -> Layout:
    """An enrolled kiosk trusting ``release-key``, whose releases live under the test's folder."""
    _private, public = generate_keypair(tmp_path / "release-key")
    data = tmp_path / "kiosk"
    data.mkdir()
    enroll(ward.url, ward.enrollment_token(), "kiosk-releases1").save(data / "enrollment.json")
    config = tmp_path / "kiosk.toml"
    config.write_text(f'data_dir = "{data}"\nupdate_public_key = "{public}"\n')
    monkeypatch.setenv("KIOSK_CONFIG", str(config))
    return Layout(app=tmp_path / "opt", state=tmp_path / "state")


def publish(tmp_path: Path, ward: WardServer, folder: Path, *extra: str) -> int:
    return ward_server(["--database", ward.database_url, "--releases", str(tmp_path / "releases"),
                        "release", "add", str(folder), *extra])


def installed(target: Path, _wheels: Path, version: str) -> None:
    """Stands in for venv + pip (tests/deploy/test_update.py runs the real one)."""
    (target / "venv").mkdir(parents=True)
    (target / "venv/version").write_text(version)


def fetch(layout: Layout) -> int:
    return kiosk_update(["fetch", "--no-restart"], layout=layout, installer=installed)


def test_kiosk_update_takes_the_release_the_ward_published(tmp_path: Path, ward: WardServer, kiosk: Layout, capsys) -> None:
    assert fetch(kiosk) == 0  # nothing published yet
    assert "no new release" in capsys.readouterr().out
    first = signed_release(tmp_path, tmp_path / "release-key.key", "1.4.0")
    assert publish(tmp_path, ward, first, "--key", str(tmp_path / "release-key.pub")) == 0
    assert "published 1.4.0" in capsys.readouterr().out
    assert fetch(kiosk) == 0
    assert kiosk.version_of("current") == "1.4.0"
    assert (kiosk.link("current") / "venv/version").read_text() == "1.4.0"
    assert "1.4.0 installed and current from the next start" in capsys.readouterr().out

    assert fetch(kiosk) == 0  # the one running: nothing downloaded again
    assert "1.4.0 stays" in capsys.readouterr().out
    assert publish(tmp_path, ward, signed_release(tmp_path, tmp_path / "release-key.key", "1.5.0")) == 0
    assert fetch(kiosk) == 0
    assert (kiosk.version_of("current"), kiosk.version_of("previous")) == ("1.5.0", "1.4.0")
    assert publish(tmp_path, ward, first) == 0  # the same release again is fine, and offered again
    assert ward_server(["--database", ward.database_url, "--releases", str(tmp_path / "releases"), "release", "list"]) == 0
    assert capsys.readouterr().out.splitlines()[-2].startswith("offered\t1.4.0")


def test_a_release_changed_on_the_ward_server_is_refused(tmp_path: Path, ward: WardServer, kiosk: Layout, capsys) -> None:
    assert publish(tmp_path, ward, signed_release(tmp_path, tmp_path / "release-key.key", "2.0.0")) == 0
    shelf = tmp_path / "releases"
    archive = shelf / "2.0.0.tar"
    archive.write_bytes(archive.read_bytes()[:-1024] + b"x" * 1024)  # cut or swapped on the way: not what the manifest says
    assert fetch(kiosk) == 1
    assert "does not match its manifest" in capsys.readouterr().err
    # A wheel swapped on the server, with a manifest that matches the swapped archive: the signature refuses it.
    unpacked = tmp_path / "swapped"
    with tarfile.open(shelf / "2.0.0.tar") as tar:
        tar.extractall(unpacked, filter="data")
    wheel = next(unpacked.glob("*/wheels/*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"planted")
    with tarfile.open(archive, "w") as tar:
        tar.add(next(unpacked.iterdir()), arcname="bdhvs-release-2.0.0")
    manifest = json.loads((shelf / "2.0.0.json").read_text())
    (shelf / "2.0.0.json").write_text(json.dumps({**manifest, "size": archive.stat().st_size, "sha256": file_sha256(archive)}))
    assert fetch(kiosk) == 1
    assert "signature does not verify" in capsys.readouterr().err
    assert kiosk.version_of("current") is None and not (kiosk.releases / "2.0.0").exists()


def test_a_release_signed_with_another_key_is_not_even_downloaded(tmp_path: Path, ward: WardServer, kiosk: Layout,
                                                                  capsys) -> None:
    stranger, _ = generate_keypair(tmp_path / "stranger")
    assert publish(tmp_path, ward, signed_release(tmp_path, stranger, "3.0.0")) == 0
    (tmp_path / "releases/3.0.0.tar").unlink()  # had the kiosk asked for it, the download would fail otherwise
    assert fetch(kiosk) == 1
    assert "which this kiosk does not trust" in capsys.readouterr().err


def test_only_enrolled_kiosks_get_releases(tmp_path: Path, ward: WardServer, kiosk: Layout) -> None:
    assert publish(tmp_path, ward, signed_release(tmp_path, tmp_path / "release-key.key", "4.0.0")) == 0
    for path in ("/api/v1/releases/latest", "/api/v1/releases/4.0.0"):
        assert requests.get(f"{ward.url}{path}", timeout=10).status_code == 401
        assert requests.get(f"{ward.url}{path}", headers={"Authorization": "Bearer kiosk-x.wrong"}, timeout=10).status_code == 401
    token = json.loads((tmp_path / "kiosk/enrollment.json").read_text())
    headers = {"Authorization": f"Bearer {token['device_id']}.{token['secret']}"}
    answer = requests.get(f"{ward.url}/api/v1/releases/latest", headers=headers, timeout=10)
    assert ReleaseManifest.model_validate_json(answer.content).version == "4.0.0"
    assert requests.get(f"{ward.url}/api/v1/releases/3.9.0", headers=headers, timeout=10).status_code == 404
    assert requests.get(f"{ward.url}/api/v1/releases/..%2Fward.sqlite3", headers=headers, timeout=10).status_code in (404, 422)
    assert ward_server(["--database", ward.database_url, "device", "revoke", token["device_id"]]) == 0
    assert fetch(kiosk) == 1  # a revoked kiosk: refused like any unknown token


def test_the_ward_publishes_only_what_still_matches_its_signature(tmp_path: Path, ward: WardServer, capsys) -> None:
    private, _ = generate_keypair(tmp_path / "release-key")
    folder = signed_release(tmp_path, private, "5.0.0")
    (folder / "wheels/extra.whl").write_bytes(b"added after signing")
    assert publish(tmp_path, ward, folder) == 1
    assert "not published" in capsys.readouterr().err
    (folder / "wheels/extra.whl").unlink()
    stranger, _ = generate_keypair(tmp_path / "stranger")
    assert publish(tmp_path, ward, signed_release(tmp_path / "s", stranger, "5.0.0"), "--key",
                   str(tmp_path / "release-key.pub")) == 1  # --key: only the ward's own
    assert publish(tmp_path, ward, folder) == 0
    rebuilt = signed_release(tmp_path / "t", private, "5.0.0")
    (rebuilt / "wheels/dependency.whl").write_bytes(b"a dependency added")
    sign_pack(rebuilt, load_private_key(private))
    assert publish(tmp_path, ward, rebuilt) == 1  # the same version, another build
    assert "published already with other contents" in capsys.readouterr().err
    assert publish(tmp_path, ward, signed_release(tmp_path / "u", private, "5.0-beta")) == 1  # no heartbeat could report it
    assert not (tmp_path / "no-such-release.tar").exists()
    assert publish(tmp_path, ward, tmp_path / "no-such-release.tar") == 1


@given(st.one_of(st.binary(max_size=600), st.dictionaries(st.sampled_from(sorted(ReleaseManifest.model_fields)),
                                                          st.one_of(st.integers(), st.text(max_size=80)), max_size=7)
                 .map(lambda d: json.dumps(d).encode())))
def test_any_manifest_answer_is_a_manifest_or_a_refusal(body: bytes) -> None:
    """What the ward server answers is untrusted: a manifest the kiosk can act on, or one plain refusal."""
    try:
        manifest = ReleaseManifest.parse(body)
    except ReleaseRefused as exc:
        assert "manifest" in str(exc)
        return
    assert 0 < manifest.size <= MAX_RELEASE_BYTES and len(manifest.sha256) == 64
