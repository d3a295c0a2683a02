"""Inside the emulated Pi (``make pi-test``): start the installed kiosk the way kiosk.service does and
wait for its READY=1, which it sends once its first screen is drawn.

systemd's part is played here: ExecStartPre (the boot check), ExecStart as the ``kiosk`` user with
the unit's environment and a NOTIFY_SOCKET, ExecStartPost on READY. The screen is Xvfb instead of
KMS/DRM (no GPU in the emulator), so SDL draws to X11. Standard library only: this runs on the
Pi's own python3, outside the kiosk's venv.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

BOOT_CHECK = "/usr/local/lib/bdhvs/kiosk-boot-check"
KIOSK = "/opt/bdhvs/current/venv/bin/kiosk"


def main(timeout_s: float) -> int:
    subprocess.run([BOOT_CHECK, "start"], check=True)
    xvfb = subprocess.Popen(["Xvfb", ":42", "-screen", "0", "800x480x24", "-nolisten", "tcp"], stderr=subprocess.DEVNULL)
    folder = tempfile.mkdtemp(prefix="notify-")
    os.chmod(folder, 0o755)
    path = os.path.join(folder, "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(path)
        os.chmod(path, 0o666)  # the kiosk runs as its own user
        environment = {"PATH": "/usr/bin:/bin", "HOME": "/var/lib/bdhvs/kiosk", "LANG": "C.UTF-8",
                       "DISPLAY": ":42", "KIVY_WINDOW": "sdl2", "SDL_VIDEODRIVER": "x11", "SDL_AUDIODRIVER": "dummy",
                       "KIVY_NO_ARGS": "1", "KIVY_LOG_MODE": "PYTHON", "KIOSK_CONFIG": "/etc/bdhvs/kiosk.toml",
                       "KIVY_HOME": "/var/lib/bdhvs/kiosk/kivy", "NOTIFY_SOCKET": path}
        started = time.monotonic()
        kiosk = subprocess.Popen(["runuser", "-u", "kiosk", "--", "env", *[f"{k}={v}" for k, v in environment.items()],
                                  KIOSK])
        print(f"   kiosk started (pid {kiosk.pid}); waiting up to {timeout_s:.0f} s for READY=1", flush=True)
        ready = False
        deadline = started + timeout_s
        while not ready and time.monotonic() < deadline and kiosk.poll() is None:
            sock.settimeout(min(5.0, max(0.1, deadline - time.monotonic())))
            try:
                ready = b"READY=1" in sock.recv(4096).split(b"\n")
            except TimeoutError:
                continue
        took = time.monotonic() - started
        if ready:
            subprocess.run([BOOT_CHECK, "ready"], check=True)
            print(f"   READY=1 after {took:.1f} s: the kiosk drew its first frame in the emulated Pi", flush=True)
        else:
            print(f"   no READY=1 after {took:.1f} s (kiosk exit code {kiosk.poll()})", file=sys.stderr, flush=True)
        kiosk.terminate()
        try:
            kiosk.wait(60)
        except subprocess.TimeoutExpired:
            kiosk.kill()
    xvfb.terminate()
    return 0 if ready else 1


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]) if len(sys.argv) > 1 else 600))
