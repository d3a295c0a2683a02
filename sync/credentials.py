"""What enrollment gives a kiosk, saved on its data partition.

Kept apart from the HTTP client so the kiosk can read it at start-up without importing requests.
"""
import hashlib
import logging
import os
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from sync.atomic_storage import TEMP_SUFFIX, fsync_folder

log = logging.getLogger(__name__)
MAX_FILE_BYTES = 64 * 1024


def secret_digest(secret: str) -> str:
    """SHA-256 of a random token or secret: what the ward server stores instead of the value.

    Both ends compute it: the server to check a bearer token, and the kiosk and server to key the
    MACs of USB bundles and their receipts (``sync.bundle``).
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically and durably with a file only this user can read, from its first byte
    (a secret must never sit in a world-readable temporary file, even for a moment)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + TEMP_SUFFIX)
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(handle, 0o600)
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
        os.fsync(handle)
    except BaseException:
        os.close(handle)
        temp.unlink(missing_ok=True)
        raise
    os.close(handle)
    os.replace(temp, path)
    fsync_folder(path.parent)


class Credentials(BaseModel):
    """What enrollment gives a kiosk; stored with file mode 0600 because the secret is in it.

    The kiosk made ``secret`` itself (the server only ever saw its hash); ``bundle_key`` is the
    ward's key for this device's USB bundles and receipts.
    """

    server_url: str = Field(max_length=200)
    device_id: str = Field(max_length=64)
    secret: str = Field(max_length=200)
    venue_id: str = Field(max_length=64)
    name: str = Field(max_length=200)
    bundle_key: str = Field(pattern=r"^[0-9a-f]{64}$")

    def save(self, path: Path) -> None:
        write_private(path, self.model_dump_json(indent=1).encode())

    @classmethod
    def load(cls, path: Path) -> "Credentials | None":
        """The saved credentials, or None when this kiosk is not enrolled.

        A damaged or outdated file (one from before USB bundles had their own key, say) also gives
        None, with a log line: the kiosk then asks to be enrolled instead of failing to start.
        """
        try:
            with open(path, "rb") as handle:
                return cls.model_validate_json(handle.read(MAX_FILE_BYTES + 1))
        except FileNotFoundError:
            return None
        except (OSError, ValidationError) as exc:
            log.error("credentials: %s cannot be used (%s); this kiosk must be enrolled again", path, exc)
            return None
