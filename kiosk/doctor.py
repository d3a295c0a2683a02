"""``kiosk doctor``: is this unit fit to be left at a venue? Each check gives a plain verdict and the fix.

The checks are what goes wrong with kiosks in cafés and cultural houses, most common first: a
loose cable (screen, touch, camera), a camera held by another program, a full or failing SD card
(the kernel logs ``mmc0`` timeouts, ``EXT4-fs error`` and ``I/O error`` long before it dies), a
clock that was never set (a Pi has no clock battery), a weak phone charger (the firmware's
throttled flags), and sync: the ward server unreachable, the token refused, records piling up or
set aside because their file was damaged.

Everything the checks read from the machine goes through ``Machine``, so each check runs against
fakes in the tests. A running kiosk holds the outbox's lock; then the queue is read from the sync
worker's ``sync-health.json`` instead. Verdicts are in the kiosk's language (``kiosk.i18n``);
``ok``, ``warn`` (worth a look), ``fail`` (not fit: exit code 1) and ``skip`` (cannot be told here).
"""
import datetime as dt
import errno
import os
import re
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Literal

from kiosk.config import KioskConfig
from kiosk.i18n import _

Status = Literal["ok", "warn", "fail", "skip"]
MIN_FREE_BYTES = 200 * 1024 * 1024  # below this the outbox soon cannot store a record
LOW_FREE_BYTES = 1024 * 1024 * 1024
EARLIEST_SANE = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
LATEST_SANE = dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)
CARD_SECONDS = 6.0
STALE_SYNC = dt.timedelta(days=2)
SD_ERRORS = re.compile(r"mmc\d+: .*(error|timeout|timed out)|mmcblk\d+.*error|EXT4-fs error|I/O error", re.IGNORECASE)
UNDER_VOLTAGE, SLOWED = (1 << 0) | (1 << 16), (1 << 1) | (1 << 2) | (1 << 3) | (1 << 17) | (1 << 18) | (1 << 19)


@dataclass(frozen=True)
class Finding:
    check: str
    status: Status
    verdict: str
    fix: str = ""


@dataclass(frozen=True)
class CameraProbe:
    """What the camera did in a few seconds: an error text, whether a frame came, the codes read."""

    error: str | None = None
    frames: int = 0
    codes: tuple[str, ...] = ()


class Machine:
    """The doctor's view of this machine; tests replace any method."""

    def environ(self) -> dict[str, str]:
        return dict(os.environ)

    def drm_connectors(self) -> dict[str, str]:
        """Display connectors (``card1-HDMI-A-1``) and their status (``connected``)."""
        found = {}
        for status in Path("/sys/class/drm").glob("card*-*/status"):
            try:
                found[status.parent.name] = status.read_text().strip()
            except OSError:
                continue
        return found

    def input_devices(self) -> str:
        try:
            return Path("/proc/bus/input/devices").read_text(errors="replace")
        except OSError:
            return ""

    def camera(self, setting: str, seconds: float) -> CameraProbe:
        """Open the camera, read frames for up to ``seconds``, decode them, close it."""
        from kiosk.camera.base import CameraError
        from kiosk.camera.factory import open_camera
        from kiosk.qr.decode import decode

        try:
            camera = open_camera(setting)
            camera.start()
        except CameraError as exc:
            return CameraProbe(error=str(exc))
        frames, codes, number = 0, [], 0
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline and not codes:
                frame = camera.wait_newer(number, timeout=min(1.0, max(0.05, deadline - time.monotonic())))
                if frame is None:
                    if camera.error is not None:
                        return CameraProbe(error=str(camera.error), frames=frames)
                    continue
                frames, number = frames + 1, frame.number
                codes = [code.text for code in decode(frame.grey)]
        finally:
            camera.stop()
        return CameraProbe(frames=frames, codes=tuple(codes))

    def write_probe(self, folder: Path) -> None:
        """Write, flush to the card and remove a small file: what the outbox does for every record."""
        probe = folder / ".doctor-write-test"
        with open(probe, "wb") as out:
            out.write(b"kiosk doctor\n")
            out.flush()
            os.fsync(out.fileno())
        probe.unlink()

    def free_bytes(self, folder: Path) -> int:
        return shutil.disk_usage(folder).free

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc)

    def throttled(self) -> str | None:
        """The firmware's throttled field as text, or None off a Pi (the sources ``sync.power`` reads)."""
        from sync.power import THROTTLED_SYSFS

        try:
            return THROTTLED_SYSFS.read_text()
        except OSError:
            pass
        return _command(["vcgencmd", "get_throttled"])

    def kernel_log(self) -> str | None:
        """This boot's kernel messages, or None when this user may not read them."""
        return _command(["journalctl", "-k", "-b", "-q", "--no-pager", "-o", "cat"]) or _command(["dmesg"])

    def ward_answer(self, config: KioskConfig):
        """None when the ward server answered and accepted the token; else the sync error."""
        from sync.client import SyncClient
        from sync.credentials import Credentials
        from sync.packs import content_hash
        from sync.problems import SyncError

        credentials = Credentials.load(config.credentials_file)
        try:
            client = SyncClient(credentials, timeout=10, ca_bundle=config.server_ca_bundle)
            client.get_pack(content_hash(config.downloaded_pack) if config.downloaded_pack.exists() else None)
        except SyncError as exc:
            return exc
        return None

    def enrolled_server(self, config: KioskConfig) -> str | None:
        from sync.credentials import Credentials

        credentials = Credentials.load(config.credentials_file)
        return credentials.server_url if credentials else None

    def sync_health(self, config: KioskConfig) -> dict | None:
        from sync.health import read_health

        return read_health(config.data_dir)

    def outbox_counts(self, config: KioskConfig) -> dict | None:
        """Pending and set-aside counts from the outbox itself, or None while the kiosk holds it."""
        from sync.outbox import Outbox, OutboxLocked

        if not config.outbox_dir.is_dir():
            return {"pending": 0, "set_aside": 0, "refused": 0}  # nothing recorded yet
        try:
            with Outbox(config.outbox_dir) as outbox:
                stats = outbox.stats()
        except OutboxLocked:
            return None
        return {"pending": stats.pending, "set_aside": stats.set_aside_records + stats.quarantined_segments,
                "refused": stats.quarantined}

    def boot_id(self) -> str:
        from sync.records import current_boot_id

        return str(current_boot_id())

    def monotonic(self) -> float:
        return time.monotonic()


def _command(argv: list[str]) -> str | None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=15)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def check_display(config: KioskConfig, machine: Machine) -> Finding:
    environ = machine.environ()
    if environ.get("SDL_VIDEODRIVER") != "kmsdrm" and (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
        return Finding("display", "ok", _("A desktop screen is in use."))
    connected = sorted(name.partition("-")[2] for name, state in machine.drm_connectors().items() if state == "connected")
    if connected:
        return Finding("display", "ok", _("Screen found: {names}.").format(names=", ".join(connected)))
    return Finding("display", "fail", _("No screen is connected."),
                   _("Check the screen's cable (the ribbon cable of the 7-inch display, or the HDMI cable in the "
                     "port next to the power) and that the screen has power, then restart the kiosk."))


def check_touch(config: KioskConfig, machine: Machine) -> Finding:
    """A touch screen reports absolute axes and INPUT_PROP_DIRECT (bit 1 of its PROP field)."""
    names = []
    for block in machine.input_devices().split("\n\n"):
        name = re.search(r'^N: Name="(.*)"$', block, re.MULTILINE)
        prop = re.search(r"^B: PROP=([0-9a-fA-F]+)$", block, re.MULTILINE)
        if name and prop and re.search(r"^B: ABS=", block, re.MULTILINE) and int(prop.group(1), 16) & 0b10:
            names.append(name.group(1))
    if names:
        return Finding("touch", "ok", _("Touch screen found: {names}.").format(names=", ".join(names)))
    return Finding("touch", "fail", _("No touch screen found."),
                   _("Check the touch cable: the USB cable of an HDMI touch screen, or the ribbon cable of the "
                     "7-inch display; then restart the kiosk."))


def camera_findings(config: KioskConfig, machine: Machine, seconds: float = CARD_SECONDS) -> list[Finding]:
    """The camera gives frames, and a printed practice card held up to it decodes."""
    from kiosk.qr.practice import card_number, recognise

    probe = machine.camera(config.camera, seconds)
    if probe.error is not None:
        detail = probe.error.lower()
        if any(word in detail for word in ("in use", "busy", "acquire")):
            camera = Finding("camera", "fail", _("The camera is in use by another program."),
                             _("Leave the QR practice on the kiosk's screen, or stop the other program using the "
                               "camera (sudo systemctl stop kiosk, then check again)."))
        elif "could not start" in detail or "did not complete" in detail:
            camera = Finding("camera", "fail", _("The camera was found but failed to start."),
                             _("Switch the kiosk off, push the camera's ribbon cable straight into both "
                               "connectors, switch it on and check again."))
        else:
            camera = Finding("camera", "fail", _("No camera found."),
                             _("Check the camera's cable; for a USB webcam set camera = \"opencv\" in "
                               "/etc/bdhvs/kiosk.toml."))
        return [camera, Finding("test_card", "skip", _("The test card cannot be tried without a camera."))]
    if probe.frames == 0:
        return [Finding("camera", "fail", _("The camera started but sends no pictures."),
                        _("Restart the kiosk; if that does not help, replace the camera's cable.")),
                Finding("test_card", "skip", _("The test card cannot be tried without pictures."))]
    camera = Finding("camera", "ok", _("The camera sends pictures."))
    cards = [card for card in map(recognise, probe.codes) if card is not None]
    if cards:
        return [camera, Finding("test_card", "ok", _("Practice card {number} was read.").format(number=card_number(cards[0])))]
    return [camera, Finding("test_card", "warn", _("No practice card was read."),
                            _("Hold a printed practice card about 20 cm in front of the camera, in good light, "
                              "and check again."))]


def check_storage(config: KioskConfig, machine: Machine) -> Finding:
    try:
        machine.write_probe(config.data_dir)
        free = machine.free_bytes(config.data_dir)
    except OSError as exc:
        if exc.errno == errno.EROFS:
            return Finding("storage", "fail", _("The data partition is read-only."),
                           _("The SD card may be failing, or the read-only setting covers it: run "
                             "sudo deploy/install.sh --read-only on --data-device DEV again, or replace the SD card."))
        if exc.errno == errno.ENOSPC:
            free = 0
        else:
            return Finding("storage", "fail", _("Results cannot be written to {folder} ({error}).").format(
                folder=config.data_dir, error=exc.strerror or exc), _("Check that the data partition is mounted "
                                                                       "and belongs to the kiosk user."))
    megabytes = free // (1024 * 1024)
    if free < MIN_FREE_BYTES:
        return Finding("storage", "fail", _("Only {mb} MB are free on the data partition.").format(mb=megabytes),
                       _("Export the results to a USB stick on the staff screen, then free space or use a larger SD card."))
    if free < LOW_FREE_BYTES:
        return Finding("storage", "warn", _("Only {mb} MB are free on the data partition.").format(mb=megabytes),
                       _("Plan to free space or to use a larger SD card."))
    return Finding("storage", "ok", _("The data partition is writable, {mb} MB free.").format(mb=megabytes))


def check_clock(config: KioskConfig, machine: Machine) -> Finding:
    now = machine.now()
    if EARLIEST_SANE <= now < LATEST_SANE:
        return Finding("clock", "ok", _("The clock is set: {time}.").format(time=now.strftime("%Y-%m-%d %H:%M UTC")))
    return Finding("clock", "fail", _("The clock is wrong: it shows {date}.").format(date=now.strftime("%Y-%m-%d")),
                   _("Connect the kiosk to the network so it sets its clock (a Raspberry Pi has no clock battery); "
                     "the ward corrects the times of results made meanwhile."))


def check_power(config: KioskConfig, machine: Machine) -> Finding:
    text = machine.throttled()
    value = (text or "").strip().rpartition("=")[2]
    try:
        bits = int(value, 16)
    except ValueError:
        return Finding("power", "skip", _("Not a Raspberry Pi: the power supply cannot be checked here."))
    if bits & UNDER_VOLTAGE:
        return Finding("power", "fail", _("The power supply is too weak (under-voltage since the last start)."),
                       _("Use the official Raspberry Pi power supply and its own short cable, not a phone charger: "
                         "a weak supply damages the SD card."))
    if bits & SLOWED:
        return Finding("power", "warn", _("The Raspberry Pi slowed itself down (too hot or too little power)."),
                       _("Give it air: a case with vents or a fan, away from sun and cooking."))
    return Finding("power", "ok", _("The power supply is good."))


def check_sd_card(config: KioskConfig, machine: Machine) -> Finding:
    log = machine.kernel_log()
    if log is None:
        return Finding("sd_card", "skip", _("The kernel log cannot be read here: run sudo kiosk doctor."))
    errors = [line.strip() for line in log.splitlines() if SD_ERRORS.search(line)]
    if errors:
        return Finding("sd_card", "fail", _("The kernel log shows {count} storage errors, for example: {line}").format(
            count=len(errors), line=errors[0][:160]),
            _("Export the results to a USB stick on the staff screen, then replace the SD card with a new "
              "good-quality one and install the kiosk again."))
    return Finding("sd_card", "ok", _("No SD card errors since the last start."))


def check_ward(config: KioskConfig, machine: Machine) -> Finding:
    server = machine.enrolled_server(config)
    if server is None:
        return Finding("ward", "fail", _("This kiosk is not enrolled with the ward server."),
                       _("Scan the ward's enrollment QR code on the staff screen, or run kiosk-sync enroll CODE."))
    problem = machine.ward_answer(config)
    if problem is None:
        return Finding("ward", "ok", _("The ward server {url} answers and accepts this kiosk.").format(url=server))
    from kiosk.sync_problems import problem_text
    from sync.problems import NeedsEnrollment

    fix = (_("Enroll the kiosk again with a new code from the ward.") if isinstance(problem, NeedsEnrollment)
           else _("Check the Wi-Fi or the network cable, and that the ward server is on."))
    return Finding("ward", "fail", problem_text(problem), fix)


def _queue(config: KioskConfig, machine: Machine) -> tuple[dict | None, bool]:
    """(counts, whether they come from a running kiosk's health file)."""
    health = machine.sync_health(config)
    if health and health.get("running") and health.get("boot_id") == machine.boot_id():
        age = machine.monotonic() - float(health.get("alive_monotonic", 0))
        if 0 <= age <= float(health.get("stale_after_s", 180)):
            return health, True
    counts = machine.outbox_counts(config)
    if counts is not None and health:
        counts["last_sync"] = health.get("last_sync")
    return counts, False


def queue_findings(config: KioskConfig, machine: Machine) -> list[Finding]:
    counts, live = _queue(config, machine)
    if counts is None:
        return [Finding("records", "fail", _("The kiosk is running but its sync has stopped reporting."),
                        _("Restart the kiosk: sudo systemctl restart kiosk."))]
    pending, set_aside = int(counts.get("pending", 0)), int(counts.get("set_aside", 0))
    last = counts.get("last_sync")
    last_sync = dt.datetime.fromisoformat(last) if isinstance(last, str) else None
    when = last_sync.astimezone().strftime("%Y-%m-%d %H:%M") if last_sync else _("never")
    verdict = _("{count} results waiting to be sent; last sent: {when}.").format(count=pending, when=when)
    stale = pending and (last_sync is None or machine.now() - last_sync > STALE_SYNC)
    findings = [Finding("records", "warn" if stale else "ok", verdict,
                        _("Check the connection to the ward server, or take the results on a USB stick.") if stale else "")]
    if live and counts.get("problem_kind"):
        from kiosk.sync_problems import problem_text
        from sync.problems import Kind, Problem

        said = problem_text(Problem(Kind(counts["problem_kind"]), str(counts.get("problem_subject") or "")))
        findings[0] = Finding("records", "warn", f"{verdict} {said}", findings[0].fix)
    if set_aside:
        findings.append(Finding("set_aside", "warn", _("{count} results were set aside because their file on the "
                                                       "SD card was damaged.").format(count=set_aside),
                                _("They cannot be sent; the SD card is wearing out: plan to replace it.")))
    else:
        findings.append(Finding("set_aside", "ok", _("No results were set aside.")))
    return findings


Check = Callable[[KioskConfig, Machine], "Finding | list[Finding]"]
CHECKS: tuple[Check, ...] = (check_display, check_touch, camera_findings, check_storage, check_clock, check_power,
                             check_sd_card, check_ward, queue_findings)


def run_checks(config: KioskConfig, machine: Machine | None = None, checks: tuple[Check, ...] = CHECKS) -> list[Finding]:
    """Every check's findings; a check that breaks is itself a failed finding, never a crash."""
    machine = machine or Machine()
    findings: list[Finding] = []
    for check in checks:
        try:
            found = check(config, machine)
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others
            found = Finding(check.__name__.removeprefix("check_"), "fail",
                            _("This check could not run ({error}).").format(error=f"{exc.__class__.__name__}: {exc}"[:200]))
        findings += found if isinstance(found, list) else [found]
    return findings


def fit(findings: list[Finding]) -> bool:
    return not any(finding.status == "fail" for finding in findings)


def report(findings: list[Finding]) -> str:
    """The human report: one line per check, the fix indented under it, the overall verdict last."""
    marks = {"ok": "✓", "warn": "!", "fail": "✗", "skip": "–"}
    lines = []
    for finding in findings:
        lines.append(f"{marks[finding.status]} {finding.verdict}")
        if finding.fix and finding.status in ("warn", "fail"):
            lines.append(f"    → {finding.fix}")
    lines.append(_("This kiosk is fit to be used.") if fit(findings) else _("This kiosk needs attention before it is used."))
    return "\n".join(lines)


def as_json(findings: list[Finding]) -> dict:
    return {"fit": fit(findings), "checks": [asdict(finding) for finding in findings]}
