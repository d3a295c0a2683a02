"""kiosk-update installs only signed releases, and a release that never reports READY is switched
back by kiosk-boot-check after three starts, the way kiosk.service runs them."""
import json
import os
import socket
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

from deploy.update import Layout, ReleaseRefused, install_release, main, read_release, unpack, venv_installer
from lessons.signing import generate_keypair, load_public_key
from tests.helpers import signed_release

BOOT_CHECK = Path(__file__).resolve().parents[2] / "deploy/kiosk-boot-check.sh"
READY_KIOSK = f"""#!{sys.executable}
import os, socket
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
"""
BROKEN_KIOSK = "#!/bin/sh\necho 'ImportError: a broken release' >&2\nexit 1\n"


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, list]:
    private, public = generate_keypair(tmp_path / "release-key")
    return private, [load_public_key(public)]


def fake_installer(program: str):
    """Stands in for venv + pip: the release's kiosk is ``program``."""

    def install(target: Path, _wheels: Path, _version: str) -> None:
        kiosk = target / "venv/bin/kiosk"
        kiosk.parent.mkdir(parents=True)
        kiosk.write_text(program)
        kiosk.chmod(0o755)

    return install


def boot_check(layout: Layout, action: str) -> None:
    env = {**os.environ, "BDHVS_APP": str(layout.app), "BDHVS_STATE": str(layout.state)}
    subprocess.run(["bash", str(BOOT_CHECK), action], env=env, check=True, capture_output=True, timeout=10)


def start_like_systemd(layout: Layout, timeout_s: float = 5) -> bool:
    """One start of kiosk.service: ExecStartPre, ExecStart with NOTIFY_SOCKET, ExecStartPost on READY."""
    boot_check(layout, "start")
    with tempfile.TemporaryDirectory() as short, socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        path = os.path.join(short, "notify")
        sock.bind(path)
        sock.settimeout(timeout_s)
        kiosk = subprocess.Popen([str(layout.link("current") / "venv/bin/kiosk")], env={**os.environ, "NOTIFY_SOCKET": path},
                                 stderr=subprocess.DEVNULL)
        try:
            ready = sock.recv(64) == b"READY=1"
        except TimeoutError:
            ready = False
        kiosk.wait(10)
    if ready:
        boot_check(layout, "ready")
    return ready


def test_a_release_that_never_becomes_ready_is_switched_back_after_three_starts(tmp_path: Path, keys) -> None:
    private, trusted = keys
    layout = Layout(app=tmp_path / "opt", state=tmp_path / "data/update")
    install_release(signed_release(tmp_path, private, "1.0.0"), trusted, layout, fake_installer(READY_KIOSK))
    assert start_like_systemd(layout)

    install_release(signed_release(tmp_path, private, "1.1.0"), trusted, layout, fake_installer(BROKEN_KIOSK))
    assert (layout.version_of("current"), layout.version_of("previous")) == ("1.1.0", "1.0.0")
    starts = [start_like_systemd(layout, timeout_s=1) for _ in range(3)]  # the broken one never says READY
    assert starts == [False, False, False] and start_like_systemd(layout)  # the fourth start is the old release
    assert layout.version_of("current") == "1.0.0"
    assert layout.version_of("previous") is None  # never bounces back to the broken one
    assert (layout.state / "failed-release").read_text().strip() == "1.1.0"
    assert not (layout.state / "start-attempts").exists()  # READY cleared the count
    assert start_like_systemd(layout)


def test_a_ready_release_resets_the_count(tmp_path: Path, keys) -> None:
    private, trusted = keys
    layout = Layout(app=tmp_path / "opt", state=tmp_path / "data/update")
    install_release(signed_release(tmp_path, private, "2.0"), trusted, layout, fake_installer(READY_KIOSK))
    for _ in range(5):
        assert start_like_systemd(layout)
    assert layout.version_of("current") == "2.0"


def test_a_changed_wheel_or_an_unknown_key_is_refused_before_installing(tmp_path: Path, keys) -> None:
    private, trusted = keys
    folder = signed_release(tmp_path, private, "3.0")
    layout = Layout(app=tmp_path / "opt", state=tmp_path / "state")
    other_private, _ = generate_keypair(tmp_path / "someone-else")
    with pytest.raises(ReleaseRefused, match="signature"):
        install_release(signed_release(tmp_path, other_private, "3.1"), trusted, layout, fake_installer(READY_KIOSK))
    wheel_file = next((folder / "wheels").glob("*.whl"))
    wheel_file.write_bytes(wheel_file.read_bytes() + b"tampered")
    with pytest.raises(ReleaseRefused, match="signature"):
        install_release(folder, trusted, layout, fake_installer(READY_KIOSK))
    assert not layout.link("current").exists()


def test_rollback_by_hand_and_status(tmp_path: Path, keys, capsys) -> None:
    private, trusted = keys
    layout = Layout(app=tmp_path / "opt", state=tmp_path / "state")
    for version in ("1", "2"):
        install_release(signed_release(tmp_path, private, version), trusted, layout, fake_installer(READY_KIOSK))
    assert main(["rollback"], layout=layout, runner=lambda _c: None) == 0
    assert main(["status", "--json"], layout=layout) == 0
    found = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert found["current"] == "1" and found["installed"] == ["1", "2"]
    assert main(["rollback"], layout=layout) == 1  # nothing before "1"


def test_a_release_archive_with_a_link_is_refused(tmp_path: Path, keys) -> None:
    private, _ = keys
    folder = signed_release(tmp_path, private, "4.0")
    archive = tmp_path / "release.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(folder, arcname=folder.name)
        link = tarfile.TarInfo(f"{folder.name}/wheels/evil")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/shadow"
        tar.addfile(link)
    (tmp_path / "scratch").mkdir()
    with pytest.raises(ReleaseRefused, match="links"):
        unpack(str(archive), tmp_path / "scratch")


def test_a_tar_release_installs_into_a_real_venv_and_reports_its_version(tmp_path: Path, keys) -> None:
    """The real installer: a venv seeing the system's packages, pip with no index, the release's wheel."""
    private, trusted = keys
    folder = signed_release(tmp_path, private, "5.0.1")
    archive = tmp_path / "bdhvs-release-5.0.1.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(folder, arcname=folder.name)
    (tmp_path / "scratch").mkdir()
    unpacked = unpack(str(archive), tmp_path / "scratch")
    assert read_release(unpacked, trusted) == "5.0.1"
    layout = Layout(app=tmp_path / "opt", state=tmp_path / "state")
    install_release(unpacked, trusted, layout, venv_installer())
    python = layout.link("current") / "venv/bin/python"
    # What sync.heartbeat.app_version() reads in the running release:
    done = subprocess.run([str(python), "-c", "from importlib import metadata; print(metadata.version('bdhvs-kiosk'))"],
                          capture_output=True, text=True, check=True, timeout=30, cwd=tmp_path)
    assert done.stdout.strip() == "5.0.1"
