"""The one enrollment path, used by ``kiosk-sync enroll``, the technician screen and the tests.

Enrollment must be safe to retry: on a venue's Wi-Fi the server's answer is often lost on the way
back, after the server already spent the code. So the kiosk makes its secret itself, before the
first try, and keeps it in ``enrollment-pending.json`` (mode 0600) until an answer arrives. Every
retry, even from a new process after a crash or a second ``kiosk-sync enroll``, sends the same
device id and the same secret's hash, and the server answers a repeat of a spent code with the same
result (contract "Enrollment v1" in the lead's notes). The secret itself never travels.
"""
import logging
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

import requests
from pydantic import BaseModel, Field, ValidationError

from sync.client import enroll
from sync.credentials import Credentials, write_private
from sync.device import PENDING_ENROLLMENT_FILE, DeviceIdentity, load_or_create_device, save_device
from sync.enrollment_code import EnrollmentCode, parse_enrollment_code

log = logging.getLogger(__name__)


class PendingEnrollment(BaseModel):
    """The secret a kiosk will register, kept until the server confirmed it."""

    device_id: str = Field(max_length=64)
    secret: str = Field(min_length=32, max_length=200)


@dataclass(frozen=True)
class Enrolled:
    credentials: Credentials
    device: DeviceIdentity


def pending_secret(data_dir: Path, device_id: str) -> str:
    """The secret to register for ``device_id``: the one kept from an earlier try, else a new one kept now."""
    path = Path(data_dir) / PENDING_ENROLLMENT_FILE
    try:
        with open(path, "rb") as handle:
            pending = PendingEnrollment.model_validate_json(handle.read(4096))
        if pending.device_id == device_id:
            return pending.secret
    except FileNotFoundError:
        pass
    except (OSError, ValidationError) as exc:
        log.warning("enrollment: %s is damaged (%s); starting with a new secret", path, exc)
    pending = PendingEnrollment(device_id=device_id, secret=secrets.token_urlsafe(32))
    write_private(path, pending.model_dump_json().encode())
    return pending.secret


def enroll_kiosk(data_dir: Path, code: str | EnrollmentCode, credentials_file: Path, *,
                 ca_bundle: Path | None = None, http: requests.Session | None = None,
                 timeout: float = 15) -> Enrolled:
    """Enroll the kiosk whose identity lives in ``data_dir`` with a scanned or typed ``code``.

    Saves the credentials to ``credentials_file`` and the venue in the identity. Raises
    BadEnrollmentCode for a code that is not one, and the ``sync.problems.SyncError`` kinds for the
    rest; a ``ServerUnavailable`` can always be retried with the same code.
    """
    code = parse_enrollment_code(code) if isinstance(code, str) else code
    device = load_or_create_device(data_dir)
    secret = pending_secret(data_dir, device.device_id)
    credentials = enroll(code.url, code.token, device.device_id, secret, http=http, timeout=timeout,
                         ca_bundle=ca_bundle)
    credentials.save(Path(credentials_file))
    device = replace(device, venue_id=credentials.venue_id, copied_from=None)
    save_device(data_dir, device)
    (Path(data_dir) / PENDING_ENROLLMENT_FILE).unlink(missing_ok=True)
    log.info("enrollment: enrolled as %s at %s (%s)", credentials.device_id, credentials.name, credentials.server_url)
    return Enrolled(credentials, device)
