"""What enrollment gives a kiosk, saved on its data partition.

Kept apart from the HTTP client so the kiosk can read it at start-up without importing requests.
"""
import hashlib
import os
from pathlib import Path

from pydantic import BaseModel

from sync.atomic_storage import write_atomically


def secret_digest(secret: str) -> str:
    """SHA-256 of a random token or secret: what the ward server stores instead of the value.

    Both ends compute it: the server to check a bearer token, and the kiosk and server to key the
    MACs of USB bundles and their receipts (``sync.bundle``).
    """
    return hashlib.sha256(secret.encode()).hexdigest()


class Credentials(BaseModel):
    """What enrollment gives a kiosk; stored with file mode 0600 because the secret is in it."""

    server_url: str
    device_id: str
    secret: str
    venue_id: str
    name: str

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, self.model_dump_json(indent=1).encode())
        os.chmod(path, 0o600)

    @classmethod
    def load(cls, path: Path) -> "Credentials | None":
        """The saved credentials, or None when this kiosk is not enrolled."""
        try:
            return cls.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            return None
