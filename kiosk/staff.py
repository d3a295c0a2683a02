"""What the volunteer and technician screens do, in plain Python so tests can drive it without a window.

``PinGate`` (``kiosk.pin_gate``) guards the staff screens: the PIN comes only from the settings
(there is no default PIN), and wrong tries lock the keypad for ever longer, across restarts.
``StaffDesk`` holds the staff actions: joining Wi-Fi, enrolling from the ward's code, the self-test
(``kiosk doctor``'s checks), sending now, carrying records to the ward on a USB stick when there is
no network, and a support bundle of scrubbed logs for the ward's technician. Each answers in the
kiosk's language, because the person reading is at the kiosk, not at a log. Each may block (on
the network, NetworkManager, the camera or a slow stick): the screens call them off the UI thread.

What touches the machine comes in through seams (``nmcli``, ``machine``, ``commands``) so tests
can play NetworkManager, the doctor's view of the hardware and the journal.
"""
import glob
import logging
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from kiosk import doctor, support_bundle, wifi
from kiosk.i18n import _
from kiosk.pin_gate import STATE_FILE, PinGate
from sync.bundle import BadBundle, NothingToExport, Progress, apply_receipt, export_bundle, receipts_in
from sync.enrollment_code import BadEnrollmentCode

if TYPE_CHECKING:
    from kiosk.services import KioskServices

log = logging.getLogger(__name__)

USB_MOUNTS = ("/media/*/*", "/run/media/*/*")  # where desktop automounters put a USB stick


def grouped(number: int) -> str:
    """12000 as "12.000", the way Vietnamese writes numbers."""
    return f"{number:,}".replace(",", ".")


@dataclass(frozen=True)
class Outcome:
    """What a staff action did, as one message for the screen."""

    ok: bool
    message: str


def usb_folders(setting: Path | None, patterns: tuple[str, ...] = USB_MOUNTS) -> list[Path]:
    """Where a bundle can go: the ``usb_export_dir`` setting if set, else every mounted stick."""
    if setting is not None:
        return [setting]
    return [Path(p) for pattern in patterns for p in sorted(glob.glob(pattern)) if Path(p).is_dir()]


def _wifi_failure(exc: Exception) -> str:
    """nmcli's answer in words; nmcli missing or hanging is NetworkManager's problem."""
    if isinstance(exc, wifi.WifiError):
        return str(exc)
    if isinstance(exc, subprocess.TimeoutExpired):
        return _("The Wi-Fi network did not answer in time. Move closer to it or try again.")
    return _("NetworkManager is not running. Restart the kiosk, or run: sudo systemctl start NetworkManager.")


class StaffDesk:
    """The staff actions on one kiosk's services; they change the running kiosk, not only its files."""

    def __init__(self, services: "KioskServices", clock: Callable[[], float] = time.time,
                 nmcli: wifi.Runner = wifi.run_nmcli, machine: doctor.Machine | None = None,
                 commands: support_bundle.Runner = support_bundle.run_command) -> None:
        self.services = services
        config = services.config
        self.gate = PinGate(config.staff_pin, config.data_dir / STATE_FILE, clock)
        self.nmcli = nmcli
        self.machine = machine
        self.commands = commands

    # Wi-Fi, through NetworkManager.
    def wifi_networks(self) -> tuple[list[wifi.Network], Outcome | None]:
        """The networks in range, strongest first; with an outcome to show when there are none."""
        try:
            networks = wifi.scan(self.nmcli)
        except (wifi.WifiError, OSError, subprocess.SubprocessError) as exc:
            log.warning("staff: Wi-Fi scan failed: %s", exc)
            return [], Outcome(False, _wifi_failure(exc))
        if not networks:
            return [], Outcome(False, _("No Wi-Fi network is in range. Move the kiosk closer, or scan the "
                                        "venue's Wi-Fi QR code."))
        return networks, None

    def current_wifi(self) -> str | None:
        """The network the kiosk is on now; None when it is on none, or NetworkManager cannot say."""
        try:
            return wifi.current_network(self.nmcli)
        except (wifi.WifiError, OSError, subprocess.SubprocessError) as exc:
            log.warning("staff: the current Wi-Fi network is unknown: %s", exc)
            return None

    def join_wifi_code(self, text: str) -> Outcome:
        """Join the network of a scanned ``WIFI:`` code."""
        try:
            code = wifi.parse_wifi_code(text)
        except wifi.WifiError as exc:
            return Outcome(False, str(exc))
        return self.join_wifi(code)

    def join_wifi(self, code: wifi.WifiCode) -> Outcome:
        """Hand the network and its password to NetworkManager, which keeps them for the next starts."""
        try:
            message = wifi.connect(code, self.nmcli)
        except (wifi.WifiError, OSError, subprocess.SubprocessError) as exc:
            log.warning("staff: joining the Wi-Fi network failed: %s", exc)
            return Outcome(False, _wifi_failure(exc))
        log.info("staff: joined the Wi-Fi network %r", code.ssid)
        if self.services.sync is not None:
            self.services.sync.wake()  # what waited for a network can go now
        return Outcome(True, message)

    # The self-test, sending now, the support bundle.
    def self_test(self) -> list[doctor.Finding]:
        """``kiosk doctor``'s checks on the running kiosk (the camera is free: no screen holds it)."""
        return doctor.run_checks(self.services.config, self.machine)

    def send_now(self, timeout_s: float = 90) -> Outcome:
        """Send the waiting results now, even while sync is waiting before its next try."""
        services = self.services
        if services.credentials is None or services.sync is None:
            return Outcome(False, _("This kiosk is not enrolled yet: enroll it first, then send."))
        refused_before = services.outbox.stats().quarantined
        status = services.sync.send_now(timeout_s)
        if status is None:
            return Outcome(False, _("The ward server is taking too long to answer. Results are kept; "
                                    "the kiosk keeps trying by itself."))
        if status.problem is not None and status.state != "refused":
            return Outcome(False, services.sync_problem_text(status) or services.sync_text(status))
        if status.refused > refused_before:
            return Outcome(False, _("{count} results were refused by the ward.").format(
                count=grouped(status.refused - refused_before)))
        if status.pending:
            return Outcome(False, _("{count} results are still waiting; the kiosk keeps sending them.").format(
                count=grouped(status.pending)))
        return Outcome(True, _("Everything has been sent to the ward."))

    def write_support_bundle(self, findings: list[doctor.Finding] | None = None) -> Outcome:
        """The scrubbed logs and the self-test's findings, zipped onto the USB stick."""
        folders = usb_folders(self.services.config.usb_export_dir)
        if not folders:
            return Outcome(False, _("No USB stick found. Plug one in, wait a moment and try again."))
        try:
            path = support_bundle.write_bundle(self.services.config, folders[0], self.services.device.device_id,
                                               self.commands, findings)
        except OSError as exc:
            log.error("staff: support bundle to %s failed: %s", folders[0], exc)
            return Outcome(False, _("Could not write to the USB stick. Check that it is not full or locked."))
        log.info("staff: support bundle written to %s", path)
        return Outcome(True, _("The support file {name} is on the USB stick. Give it to the ward's "
                               "technician.").format(name=path.name))

    def enroll(self, text: str) -> Outcome:
        """Enroll with a scanned or typed code, then sync with the new credentials at once.

        Blocks on the network: call it off the UI thread.
        """
        from kiosk.sync_problems import enrollment_failure_text, problem_text
        from sync.enrollment import enroll_kiosk
        from sync.enrollment_code import InsecureServerUrl
        from sync.problems import Kind, Problem, SyncError, describe

        services = self.services
        config = services.config
        try:
            enrolled = enroll_kiosk(config.data_dir, text, config.credentials_file, ca_bundle=config.server_ca_bundle)
        except InsecureServerUrl as exc:
            log.warning("staff: %s", exc)
            return Outcome(False, problem_text(Problem(Kind.INSECURE_URL, exc.url)))
        except BadEnrollmentCode as exc:
            log.warning("staff: not an enrollment code: %s", exc)
            return Outcome(False, _("This is not a kiosk enrollment code. Use the code from the ward, "
                                    "or type the server address and the token with a space between them."))
        except SyncError as exc:
            log.warning("staff: enrollment failed: %s", exc)
            return Outcome(False, enrollment_failure_text(exc))
        except Exception as exc:  # noqa: BLE001 - the screen must always get an answer, never stay busy
            log.warning("staff: enrollment failed: %s", exc, exc_info=True)
            return Outcome(False, problem_text(describe(exc)))
        credentials = enrolled.credentials
        services.device, services.credentials, services.sync_problem = enrolled.device, credentials, None
        if services.sync is not None:
            services.sync.use_client(services.sync_client())
        log.info("staff: enrolled as %s at %s (%s)", credentials.device_id, credentials.name, credentials.server_url)
        return Outcome(True, _("Enrolled at {venue}. Results will now be sent to the ward.").format(venue=credentials.name))

    def export(self, progress: Progress | None = None) -> Outcome:
        """Take in the ward's receipts found on the stick, then write the records still waiting to it.

        ``progress(done, total)`` follows the writing; it can take a minute with a long queue, so
        call this off the UI thread (learners' records keep being stored meanwhile).
        """
        services = self.services
        if services.credentials is None:
            return Outcome(False, _("This kiosk is not enrolled yet: enroll it first, then export."))
        folders = usb_folders(services.config.usb_export_dir)
        if not folders:
            return Outcome(False, _("No USB stick found. Plug one in, wait a moment and try again."))
        folder = folders[0]
        held, refused = self._apply_receipts(folder)
        received = _("The ward's receipt settled {count} results.").format(count=grouped(held)) + "\n" if held else ""
        if refused:
            received += _("{count} files on the stick are not receipts this kiosk can use and were skipped.").format(
                count=refused) + "\n"
        try:
            path, count = export_bundle(services.outbox, services.credentials, folder, progress)
        except NothingToExport:
            return Outcome(True, received + _("Nothing is waiting to be sent."))
        except (BadBundle, OSError) as exc:
            log.error("staff: export to %s failed: %s", folder, exc)
            return Outcome(False, received + _("Could not write to the USB stick. Check that it is not full or locked."))
        log.info("staff: wrote %d records to %s", count, path)
        return Outcome(True, received + _("Wrote {count} results to {folder}. Take the stick to the ward, "
                                          "then bring back its receipt.").format(count=grouped(count), folder=folder))

    def _apply_receipts(self, folder: Path) -> tuple[int, int]:
        """Settle what the ward's receipts in ``folder`` answer; returns how many records that took
        off the waiting list (a receipt seen before changes nothing) and how many files were refused,
        each logged with its reason."""
        outbox = self.services.outbox
        before, refused = outbox.stats().pending, 0
        for receipt in receipts_in(folder):
            try:
                apply_receipt(receipt, outbox, self.services.credentials)
            except BadBundle as exc:
                log.warning("staff: receipt refused: %s", exc)
                refused += 1
        return max(0, before - outbox.stats().pending), refused
