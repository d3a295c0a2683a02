"""What ``make run`` starts: a ward server on 127.0.0.1 and a kiosk enrolled to it.

Everything lives under ``./var/`` (the server's SQLite file, the kiosk's data folder), so a second
run picks up where the first stopped. With no display the kiosk runs on a virtual screen (Xvfb),
and with no camera the QR drill shows the practice cards through the replay camera, each said in
one line. Ctrl-C stops the kiosk, then the server, then the virtual screen.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

VAR = Path("var").resolve()
PORT = int(os.environ.get("WARD_PORT", "8765"))
SERVER_URL = f"http://127.0.0.1:{PORT}"
VENUE = "Cà phê Luka"
BIN = Path(sys.executable).parent


def wait_for_server(process: subprocess.Popen, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{SERVER_URL}/healthz", timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    return False


def ensure_enrolled(env: dict[str, str]) -> None:
    """Enroll the local kiosk once; later runs reuse its credentials."""
    if (Path(env["KIOSK_DATA_DIR"]) / "enrollment.json").exists():
        return
    added = subprocess.run([BIN / "ward-server", "--database", env["WARD_DATABASE_URL"], "device", "add", VENUE,
                            "--url", SERVER_URL, "--png", VAR / "enrollment.png", "--json"], env=env, check=True, capture_output=True, text=True)
    token = json.loads(added.stdout)["token"]
    subprocess.run([BIN / "kiosk-sync", "enroll", SERVER_URL, token], env=env, check=True)


def start_virtual_screen(env: dict[str, str]) -> subprocess.Popen | None:
    """With no display, start Xvfb in its own session (so Ctrl-C reaches the kiosk first) and point
    ``env`` at it; returns None when there is a display already."""
    if any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")):
        return None
    if not shutil.which("Xvfb"):
        print("No display here and no Xvfb: install the xvfb package or run `make run` from a desktop session.")
        raise SystemExit(2)
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            pass_fds=(write_end,), start_new_session=True, stderr=subprocess.DEVNULL)
    os.close(write_end)
    with os.fdopen(read_end) as numbers:
        env["DISPLAY"] = f":{numbers.readline().strip()}"
    print(f"No display here: the kiosk runs on a virtual screen (Xvfb {env['DISPLAY']}); "
          "`make screenshots` shows its screens as PNGs.")
    return xvfb


def choose_camera() -> str:
    """A laptop's webcam for the QR drill; with none, the replay camera showing the practice cards
    one after another, so a newcomer sees the drill work (said in one line)."""
    if Path("/dev/video0").exists():
        return "opencv:0"
    from kiosk.qr.cards import qr_png
    from kiosk.qr.practice import CARDS

    cards = VAR / "practice-cards"
    cards.mkdir(exist_ok=True)
    for number, card in enumerate(CARDS, 1):
        (cards / f"{number:02d}-{card.id}.png").write_bytes(qr_png(card.payload, scale=6))
    print(f"No camera here: the QR drill uses the replay camera, which shows the {len(CARDS)} practice cards "
          f"one after another ({cards}). Set KIOSK_CAMERA to use another camera.")
    return f"replay:{cards}"


def main() -> int:
    VAR.mkdir(exist_ok=True)
    env = {**os.environ,
           "WARD_DATABASE_URL": os.environ.get("WARD_DATABASE_URL", f"sqlite:///{VAR / 'ward.sqlite3'}"),
           "KIOSK_DATA_DIR": os.environ.get("KIOSK_DATA_DIR", str(VAR / "kiosk")),
           "KIOSK_WINDOW_SIZE": os.environ.get("KIOSK_WINDOW_SIZE", "800x480")}
    if "KIOSK_CAMERA" not in os.environ:
        env["KIOSK_CAMERA"] = choose_camera()
    server = subprocess.Popen([BIN / "ward-server", "serve", "--port", str(PORT)], env=env)
    kiosk = xvfb = None
    try:
        if not wait_for_server(server):
            print(f"The ward server did not start on {SERVER_URL} (is the port in use? set WARD_PORT).", file=sys.stderr)
            return 1
        print(f"Ward server: {SERVER_URL} (database {env['WARD_DATABASE_URL']})")
        ensure_enrolled(env)
        xvfb = start_virtual_screen(env)
        kiosk = subprocess.Popen([BIN / "kiosk"], env=env)
        return kiosk.wait()
    except KeyboardInterrupt:
        print("\nStopping the kiosk and the ward server.")
        return 0
    except subprocess.CalledProcessError as exc:
        print(f"Enrollment failed ({exc}); see the lines above.", file=sys.stderr)
        return 1
    finally:
        for process in (kiosk, server, xvfb):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()


if __name__ == "__main__":
    sys.exit(main())
