"""The ward's master key for USB bundles, kept in a file outside the database.

A kiosk's USB bundles and the ward's receipts are MAC'd with a key per device. If that key could be
derived from what the database holds (the secret's hash), a copy of the database would be enough
to forge any kiosk's bundles. So each device's key is an HMAC of its id under 32 random bytes that
live only in this file (mode 0600, made on first use); the kiosk gets its key once, at enrollment.
Back the file up with the database: without it, kiosks must enroll again before their bundles verify.
"""
import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_BYTES = 32
WHERE = "give a path this user may write with --bundle-key-file or WARD_BUNDLE_KEY_FILE"


class BundleKeyError(Exception):
    """The master key file cannot be read or made; the message says which file and why."""


class BundleKeys:
    """``for_device(device_id)``: the hex key that device's bundles and receipts are MAC'd with."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._master: bytes | None = None

    def ensure(self) -> "BundleKeys":
        """Read or make the master key now, so a file that cannot be used is reported at start, not at
        the first enrollment; raises BundleKeyError."""
        self._key()
        return self

    def for_device(self, device_id: str) -> str:
        return hmac.new(self._key(), b"bundle\n" + device_id.encode(), hashlib.sha256).hexdigest()

    def _key(self) -> bytes:
        if self._master is None:
            self._master = self._read() or self._create()
        return self._master

    def _read(self) -> bytes | None:
        try:
            text = self.path.read_text().strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            why = getattr(exc, "strerror", None) or exc
            raise BundleKeyError(f"cannot read the bundle key file {self.path} ({why}); {WHERE}") from None
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) != KEY_BYTES:
            raise BundleKeyError(f"the bundle key file {self.path} is damaged: restore it from the ward's backup")
        return key

    def _create(self) -> bytes:
        """A new key, written aside and linked into place, so two processes starting at once share one."""
        key = secrets.token_bytes(KEY_BYTES)
        staging = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(key.hex() + "\n")
                file.flush()
                os.fsync(file.fileno())
            os.link(staging, self.path)
        except FileExistsError:
            return self._read()
        except OSError as exc:
            raise BundleKeyError(f"cannot create the bundle key file {self.path} ({exc.strerror}); {WHERE}") from None
        finally:
            staging.unlink(missing_ok=True)
        return key


def default_key_file(database_url: str) -> Path:
    """Beside the SQLite file when there is one (``var/ward-bundle.key`` for the default), else ``var/``."""
    if database_url.startswith("sqlite:///") and database_url != "sqlite:///:memory:":
        return Path(database_url.removeprefix("sqlite:///")).parent / "ward-bundle.key"
    return Path("var/ward-bundle.key")
