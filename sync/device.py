"""This kiosk's identity: a device id made once on first start, and the venue it was enrolled at.

The id exists before enrollment so records queued on day one already carry it; enrollment asks
the server to register that same id, so nothing queued has to be rewritten.
"""
import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from sync.atomic_storage import write_atomically

UNASSIGNED_VENUE = "unassigned"


@dataclass(frozen=True)
class DeviceIdentity:
    device_id: str
    venue_id: str = UNASSIGNED_VENUE


def _path(data_dir: Path) -> Path:
    return Path(data_dir) / "device.json"


def load_or_create_device(data_dir: Path) -> DeviceIdentity:
    """The saved identity, or a new one saved now (a corrupt file is replaced, keeping its id if it can)."""
    path = _path(data_dir)
    try:
        return DeviceIdentity(**json.loads(path.read_text()))
    except FileNotFoundError:
        pass
    except (OSError, ValueError, TypeError) as exc:
        raise RuntimeError(f"the device identity file {path} is damaged ({exc}); a technician must restore it") from exc
    identity = DeviceIdentity(device_id=f"kiosk-{secrets.token_hex(4)}")
    save_device(data_dir, identity)
    return identity


def save_device(data_dir: Path, identity: DeviceIdentity) -> None:
    path = _path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps(asdict(identity)).encode())
