"""Wi-Fi for the technician screen, through NetworkManager's ``nmcli`` (Raspberry Pi OS Bookworm's own).

The technician scans the venue's ``WIFI:`` QR code (the format phones' cameras understand, parsed by
``kiosk.qr``) or picks a network from ``scan()`` and types the password; ``connect()`` hands it to
NetworkManager, which keeps it across reboots. Every nmcli call goes through a ``Runner``, the seam
the tests replace. Text from a QR code or from nmcli is untrusted: names and passwords are checked
for length and control characters before they reach nmcli (as separate arguments, never a shell),
and nmcli's terse output is parsed with its escaping (``\\:`` inside a field).

Messages are in the kiosk's language (``kiosk.i18n``): this module is Kivy-free, the staff screen
shows them.
"""
import subprocess
from dataclasses import dataclass
from typing import Callable, Sequence

from kiosk.i18n import _
from kiosk.qr.escaped import parse_items
from kiosk.qr.wifi import looks_like_wifi

MAX_SSID_BYTES = 32
NMCLI_TIMEOUT_S = 45
MAX_NETWORKS = 50

Runner = Callable[[Sequence[str]], subprocess.CompletedProcess]


def run_nmcli(argv: Sequence[str]) -> subprocess.CompletedProcess:
    return subprocess.run(["nmcli", *argv], capture_output=True, text=True, timeout=NMCLI_TIMEOUT_S)


class WifiError(Exception):
    """Why the kiosk could not join; ``str()`` is for the technician, in the kiosk's language."""


@dataclass(frozen=True)
class WifiCode:
    ssid: str
    password: str
    security: str  # "WPA", "WEP" or "" (open)
    hidden: bool = False


@dataclass(frozen=True)
class Network:
    ssid: str
    signal: int  # 0–100
    secured: bool


def _check_ssid(ssid: str) -> str:
    if not ssid or len(ssid.encode()) > MAX_SSID_BYTES or any(ord(c) < 32 or ord(c) == 127 for c in ssid):
        raise WifiError(_("This Wi-Fi name cannot be used (1 to 32 letters, no control characters)."))
    return ssid


def _check_password(password: str, security: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise WifiError(_("This Wi-Fi password has characters that cannot be typed."))
    if security == "WPA" and not (8 <= len(password) <= 63 or (len(password) == 64 and _is_hex(password))):
        raise WifiError(_("A WPA Wi-Fi password has 8 to 63 characters."))
    return password


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in text)


def parse_wifi_code(text: str) -> WifiCode:
    """A ``WIFI:T:WPA;S:name;P:password;H:true;;`` code; WifiError when it is not a usable one."""
    if not looks_like_wifi(text) or len(text) > 512:
        raise WifiError(_("This QR code is not a Wi-Fi code."))
    items = parse_items(text[5:])
    kind = items.get("T", "").upper()
    password = items.get("P", "")
    security = "" if kind in ("", "NOPASS") or not password else ("WEP" if kind == "WEP" else "WPA")
    ssid = _check_ssid(items.get("S", ""))
    return WifiCode(ssid, _check_password(password, security) if security else "", security,
                    items.get("H", "").lower() == "true")


def split_terse(line: str) -> list[str]:
    """One line of ``nmcli --terse --escape yes`` output: fields split at unescaped colons."""
    fields, current, escaped = [], [], False
    for char in line:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ":":
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
    fields.append("".join(current))
    return fields


def scan(runner: Runner = run_nmcli) -> list[Network]:
    """The networks in range, strongest first, each name once; [] when NetworkManager cannot scan."""
    done = runner(["--terse", "--escape", "yes", "--fields", "SSID,SIGNAL,SECURITY", "device", "wifi", "list",
                   "--rescan", "yes"])
    if done.returncode != 0:
        raise WifiError(_explain(done))
    best: dict[str, Network] = {}
    for line in done.stdout.splitlines()[:1000]:
        fields = split_terse(line)
        if len(fields) != 3 or not fields[1].isdigit():
            continue
        try:
            ssid = _check_ssid(fields[0])
        except WifiError:
            continue  # hidden networks (no name) and garbage are not offered
        network = Network(ssid, min(100, int(fields[1])), fields[2].strip() not in ("", "--"))
        if ssid not in best or network.signal > best[ssid].signal:
            best[ssid] = network
    return sorted(best.values(), key=lambda n: -n.signal)[:MAX_NETWORKS]


def connect(code: WifiCode, runner: Runner = run_nmcli) -> str:
    """Join the network (NetworkManager keeps it for the next boots); the message to show."""
    argv = ["--wait", str(NMCLI_TIMEOUT_S - 5), "device", "wifi", "connect", _check_ssid(code.ssid)]
    if code.security:
        argv += ["password", _check_password(code.password, code.security)]
    if code.hidden:
        argv += ["hidden", "yes"]
    done = runner(argv)
    if done.returncode != 0:
        raise WifiError(_explain(done))
    return _("Connected to the Wi-Fi network {name}.").format(name=code.ssid)


def _explain(done: subprocess.CompletedProcess) -> str:
    """nmcli's exit codes (nmcli(1), EXIT STATUS) as what the technician can do."""
    error = (done.stderr or "").lower()
    if done.returncode == 4 and ("secrets" in error or "password" in error or "802-1x" in error):
        return _("The Wi-Fi password is wrong. Check it and try again.")
    return {
        3: _("The Wi-Fi network did not answer in time. Move closer to it or try again."),
        4: _("The kiosk could not join this Wi-Fi network. Check the password and try again."),
        8: _("NetworkManager is not running. Restart the kiosk, or run: sudo systemctl start NetworkManager."),
        10: _("This Wi-Fi network is not in range. Check its name, or move closer."),
    }.get(done.returncode, _("Wi-Fi could not be set up (nmcli exit code {code}).").format(code=done.returncode))
