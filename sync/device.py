"""This kiosk's identity: a device id made once on first start, the venue it was enrolled at, and the
hardware it belongs to.

The id exists before enrollment so records queued on day one already carry it; enrollment asks
the server to register that same id, so nothing queued has to be rewritten.

Technicians set up kiosks by cloning a working SD card. A clone carries the original's device id,
its seq counter and its enrollment, so every record it makes collides with the original's at the
ward. The identity therefore remembers a fingerprint of the hardware it was made on, read from
what stays with the board, never from the card: on a Raspberry Pi the SoC's serial number
(``/sys/firmware/devicetree/base/serial-number``, or the ``Serial`` line of ``/proc/cpuinfo``);
elsewhere the firmware's product UUID when it is readable (root only on most PCs), else the
permanent MAC address of the board's own first network interface (not a virtual or USB one). ``/etc/machine-id`` is on the card,
so a clone copies it: it is not used. When the fingerprint at start differs from the saved one,
this card is a copy: ``start_device`` gives it a new id, sets the copied outbox folder aside (its
records are the original's: they are kept on the card but never sent), drops the copied
enrollment, and remembers ``copied_from`` until the kiosk is enrolled again.
"""
import hashlib
import json
import logging
import os
import secrets
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable

from sync.atomic_storage import write_atomically

log = logging.getLogger(__name__)

UNASSIGNED_VENUE = "unassigned"
MAX_FILE_BYTES = 4096
PENDING_ENROLLMENT_FILE = "enrollment-pending.json"

Fingerprint = Callable[[], str | None]


@dataclass(frozen=True)
class DeviceIdentity:
    device_id: str
    venue_id: str = UNASSIGNED_VENUE
    fingerprint: str | None = None  # of the hardware this identity belongs to (``hardware_fingerprint``)
    copied_from: str | None = None  # the device id this card was cloned from, until enrolled again


def _read_small(path: Path, limit: int = MAX_FILE_BYTES) -> str | None:
    try:
        with open(path, "rb") as handle:
            return handle.read(limit).decode("ascii", "replace")
    except OSError:
        return None


def _pi_serial(root: Path) -> str | None:
    serial = (_read_small(root / "sys/firmware/devicetree/base/serial-number") or "").strip("\0 \n")
    if serial:
        return serial
    for line in (_read_small(root / "proc/cpuinfo", 256 * 1024) or "").splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "Serial" and value.strip().strip("0"):
            return value.strip()
    return None


def _first_mac(root: Path) -> str | None:
    """The permanent MAC of the board's own network interface: virtual ones (docker0, bridges, veth)
    and made-up addresses change from boot to boot, and a USB adapter can move to another kiosk."""
    net = root / "sys/class/net"
    try:
        names = sorted(p.name for p in net.iterdir())
    except OSError:
        return None
    candidates = []
    for name in names:
        where = os.path.realpath(net / name)
        permanent = (_read_small(net / name / "addr_assign_type") or "0").strip() == "0"
        mac = (_read_small(net / name / "address") or "").strip().lower()
        if name != "lo" and "/virtual/" not in where and permanent and mac.strip("0:"):
            candidates.append(("/usb" in where, name, mac))
    return min(candidates)[2] if candidates else None


def hardware_fingerprint(root: Path = Path("/")) -> str | None:
    """A hash naming this board (see the module's docstring), or None when nothing identifies it."""
    for source, read in (("pi-serial", _pi_serial),
                         ("product-uuid", lambda r: (_read_small(r / "sys/class/dmi/id/product_uuid") or "").strip()),
                         ("mac", _first_mac)):
        value = read(root)
        if value:
            return f"{source}:" + hashlib.sha256(f"{source}\n{value}".encode()).hexdigest()[:32]
    return None


def _path(data_dir: Path) -> Path:
    return Path(data_dir) / "device.json"


def _new_identity(fingerprint: str | None) -> DeviceIdentity:
    return DeviceIdentity(device_id=f"kiosk-{secrets.token_hex(4)}", fingerprint=fingerprint)


def load_device(data_dir: Path) -> DeviceIdentity | None:
    """The saved identity, None when there is none; RuntimeError when its file is damaged."""
    path = _path(data_dir)
    text = _read_small(path)
    if text is None:
        if path.exists():
            raise RuntimeError(f"the device identity file {path} cannot be read; a technician must restore it")
        return None
    try:
        identity = DeviceIdentity(**json.loads(text))
        if not all(isinstance(value, (str, type(None))) for value in asdict(identity).values()):
            raise TypeError("a field is not text")
        return identity
    except (ValueError, TypeError) as exc:
        raise RuntimeError(f"the device identity file {path} is damaged ({exc}); a technician must restore it") from exc


def load_or_create_device(data_dir: Path, fingerprint: Fingerprint = hardware_fingerprint) -> DeviceIdentity:
    """The saved identity, or a new one for this hardware saved now. It does not look for a copy:
    only ``start_device`` does, at start, where the outbox is not open yet."""
    identity = load_device(data_dir)
    if identity is None:
        identity = _new_identity(fingerprint())
        save_device(data_dir, identity)
    return identity


def start_device(data_dir: Path, outbox_dir: Path, credentials_file: Path,
                 fingerprint: Fingerprint = hardware_fingerprint) -> DeviceIdentity:
    """The identity to run under, after checking this card was not cloned from another kiosk.

    Call it before the outbox is opened. An identity saved before fingerprints existed adopts this
    hardware's; when no fingerprint can be read now, nothing is judged.
    """
    identity = load_device(data_dir)
    here = fingerprint()
    if identity is None:
        identity = _new_identity(here)
    elif identity.fingerprint is None and here is not None:
        identity = replace(identity, fingerprint=here)
    elif here is None or identity.fingerprint == here:
        return identity
    else:
        identity = _set_copy_aside(identity, Path(data_dir), Path(outbox_dir), Path(credentials_file), here)
    save_device(data_dir, identity)
    return identity


def _set_copy_aside(copied: DeviceIdentity, data_dir: Path, outbox_dir: Path, credentials_file: Path,
                    here: str) -> DeviceIdentity:
    original = copied.copied_from or copied.device_id
    identity = replace(_new_identity(here), copied_from=original)
    aside = None
    if outbox_dir.exists():
        aside = outbox_dir.with_name(f"{outbox_dir.name}-copied-from-{copied.device_id}")
        number = 1
        while aside.exists():
            number += 1
            aside = outbox_dir.with_name(f"{outbox_dir.name}-copied-from-{copied.device_id}-{number}")
        outbox_dir.rename(aside)
    credentials_file.unlink(missing_ok=True)
    (data_dir / PENDING_ENROLLMENT_FILE).unlink(missing_ok=True)
    log.warning("device: this memory card was cloned from kiosk %s (the hardware differs): it is now %s and must "
                "be enrolled again%s", original, identity.device_id,
                f"; the copied records stay unsent in {aside}" if aside else "")
    return identity


def save_device(data_dir: Path, identity: DeviceIdentity) -> None:
    path = _path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps(asdict(identity)).encode())
