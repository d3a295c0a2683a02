"""Wi-Fi for the technician screen, through NetworkManager's ``nmcli`` (Raspberry Pi OS Bookworm's own).

The technician scans the venue's ``WIFI:`` QR code (the format phones' cameras understand, parsed by
``kiosk.qr``) or picks a network from ``scan()`` and types the password; ``connect()`` hands it to
NetworkManager, which keeps it across reboots. Every nmcli call goes through a ``Runner``, the seam
the tests replace. Text from a QR code or from nmcli is untrusted: names and passwords are checked
for length and control characters before they reach nmcli (as separate arguments, never a shell),
and nmcli's terse output is parsed with its escaping (``\\:`` inside a field).

Networks differ in how NetworkManager joins them (its settings reference, 802-11-wireless-security):
WPA and WPA2/3 personal by ``device wifi connect … password`` (key-mgmt wpa-psk or sae, chosen by
NetworkManager from the scan); WEP by a profile of its own with ``key-mgmt none`` and the key in
``wep-key0`` (``wep-key-type`` 1: 5 or 13 characters, or 10 or 26 hexadecimal digits), which
``device wifi connect`` does not set up reliably; enterprise (802.1X) networks need a user name
and a certificate policy a technician's screen cannot give, so they are refused in words.

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


WPA, WEP, ENTERPRISE, OPEN = "WPA", "WEP", "802.1X", ""
WEP_KEY_LENGTHS = (5, 13)  # characters; or twice as many hexadecimal digits


@dataclass(frozen=True)
class WifiCode:
    ssid: str
    password: str
    security: str  # WPA, WEP, ENTERPRISE or OPEN
    hidden: bool = False


@dataclass(frozen=True)
class Network:
    ssid: str
    signal: int  # 0–100
    security: str  # WPA, WEP, ENTERPRISE or OPEN

    @property
    def secured(self) -> bool:
        return self.security != OPEN


def security_of(nmcli_security: str) -> str:
    """nmcli's SECURITY column ("WPA1 WPA2", "WPA2 802.1X", "WEP", "--") as how the kiosk joins."""
    words = nmcli_security.upper().split()
    if "802.1X" in words:
        return ENTERPRISE
    if any(word.startswith("WPA") for word in words):
        return WPA
    return WEP if "WEP" in words else OPEN


def _check_ssid(ssid: str) -> str:
    if not ssid or len(ssid.encode()) > MAX_SSID_BYTES or any(ord(c) < 32 or ord(c) == 127 for c in ssid):
        raise WifiError(_("This Wi-Fi name cannot be used (1 to 32 letters, no control characters)."))
    return ssid


def _check_password(password: str, security: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise WifiError(_("This Wi-Fi password has characters that cannot be typed."))
    if security == WPA and not (8 <= len(password) <= 63 or (len(password) == 64 and _is_hex(password))):
        raise WifiError(_("A WPA Wi-Fi password has 8 to 63 characters."))
    if security == WEP and not (len(password) in WEP_KEY_LENGTHS and password.isascii()
                                or len(password) in (2 * n for n in WEP_KEY_LENGTHS) and _is_hex(password)):
        raise WifiError(_("A WEP Wi-Fi password has 5 or 13 characters, or 10 or 26 digits and letters A to F."))
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
    security = OPEN if kind in ("", "NOPASS") or not password else (WEP if kind == WEP else WPA)
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
        network = Network(ssid, min(100, int(fields[1])), security_of(fields[2]))
        if ssid not in best or network.signal > best[ssid].signal:
            best[ssid] = network
    return sorted(best.values(), key=lambda n: -n.signal)[:MAX_NETWORKS]


def current_network(runner: Runner = run_nmcli) -> str | None:
    """The name of the Wi-Fi network the kiosk is on now, or None (from NetworkManager's last scan: instant)."""
    done = runner(["--terse", "--escape", "yes", "--fields", "ACTIVE,SSID", "device", "wifi", "list", "--rescan", "no"])
    if done.returncode != 0:
        raise WifiError(_explain(done))
    for line in done.stdout.splitlines()[:1000]:
        fields = split_terse(line)
        if len(fields) == 2 and fields[0] == "yes":
            try:
                return _check_ssid(fields[1])
            except WifiError:
                return None
    return None


def connect(code: WifiCode, runner: Runner = run_nmcli) -> str:
    """Join the network (NetworkManager keeps it for the next boots); the message to show."""
    ssid = _check_ssid(code.ssid)
    if code.security == ENTERPRISE:
        raise WifiError(_("This network asks for a user name as well as a password (a company network): the kiosk "
                          "cannot join it. Choose another network."))
    if code.security == WEP:
        _join_wep(ssid, _check_password(code.password, WEP), code.hidden, runner)
    else:
        argv = ["--wait", str(NMCLI_TIMEOUT_S - 5), "device", "wifi", "connect", ssid]
        if code.security:
            argv += ["password", _check_password(code.password, code.security)]
        if code.hidden:
            argv += ["hidden", "yes"]
        _run(runner, argv)
    return _("Connected to the Wi-Fi network {name}.").format(name=code.ssid)


def _join_wep(ssid: str, key: str, hidden: bool, runner: Runner) -> None:
    """A WEP profile (key-mgmt none, the key in wep-key0), replacing an earlier one of the same name, then up;
    a profile that does not come up is removed, so a wrong key is not kept."""
    runner(["connection", "delete", "id", ssid])  # an earlier try's profile; none is fine
    _run(runner, ["connection", "add", "type", "wifi", "con-name", ssid, "ssid", ssid, "wifi-sec.key-mgmt", "none",
                  "wifi-sec.wep-key-type", "1", "wifi-sec.wep-key0", key, *(["wifi.hidden", "yes"] if hidden else [])])
    try:
        _run(runner, ["--wait", str(NMCLI_TIMEOUT_S - 5), "connection", "up", "id", ssid])
    except WifiError:
        runner(["connection", "delete", "id", ssid])
        raise


def _run(runner: Runner, argv: list[str]) -> None:
    done = runner(argv)
    if done.returncode != 0:
        raise WifiError(_explain(done))


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
