"""The real kiosk, started as systemd starts it, says READY=1 after its first frame and then pings.

systemd's side is played by a datagram socket at NOTIFY_SOCKET, which is all sd_notify talks to.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

pytest.importorskip("cysystemd", reason="sd_notify comes from cysystemd here (python3-systemd on the Pi)")


def messages(sock: socket.socket, until: float) -> list[str]:
    got = []
    while time.monotonic() < until:
        sock.settimeout(max(0.05, until - time.monotonic()))
        try:
            got += sock.recv(4096).decode().splitlines()
        except TimeoutError:
            break
        if got.count("WATCHDOG=1") >= 2:
            break
    return got


@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs a display (make test runs under Xvfb)")
def test_the_kiosk_reports_ready_then_pings_the_watchdog(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text("")
    with tempfile.TemporaryDirectory(prefix="notify") as short:  # a socket path must stay under 108 bytes
        path = str(Path(short) / "notify")
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.bind(path)
            env = {**os.environ, "NOTIFY_SOCKET": path, "KIOSK_CONFIG": str(tmp_path / "kiosk.toml"),
                   "KIOSK_DATA_DIR": str(tmp_path / "data"), "KIOSK_WATCHDOG_INTERVAL_S": "0.5",
                   "KIOSK_NARRATION": "false", "SDL_AUDIODRIVER": "dummy"}
            kiosk = subprocess.Popen([sys.executable, "-m", "kiosk.cli"], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                got = messages(sock, time.monotonic() + 60)
            finally:
                kiosk.terminate()
                _, stderr = kiosk.communicate(timeout=30)
    assert "READY=1" in got, stderr.decode()[-2000:]
    assert got.index("READY=1") < got.index("WATCHDOG=1")
    assert got.count("WATCHDOG=1") >= 2
    assert kiosk.returncode == 0
