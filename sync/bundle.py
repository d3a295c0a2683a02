"""USB bundles: the kiosk's pending records carried to the ward on a stick, and the receipt carried back.

A bundle holds the same records with the same ids as the network would send, so the ward stores
them with the same idempotency, and importing a bundle twice changes nothing. The ward writes a
receipt beside the bundle; when the stick comes back, the kiosk acks what the receipt says the
ward holds (or the records go as duplicates on the next sync, whichever comes first).

Both files are signed with HMAC-SHA256 keyed by the SHA-256 of the device secret, which is exactly
what the ward already stores for authentication (``sync.credentials.secret_digest``). HMAC rather
than ed25519, because the kiosk and the ward already share that key: nothing new to generate,
enroll or keep safe, and kiosks need no crypto library beyond the standard one. What it costs: the
key sits in the ward database, so whoever can read that database could forge a bundle; whoever can
read it can also write records into it directly, so that adds nothing to what they could do. A
stick carried by a volunteer cannot forge or alter records without the key, and a changed bundle
is refused with its reason. The receipt's MAC lets the kiosk trust it before forgetting records.
"""
import datetime as dt
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from sync.atomic_storage import write_atomically
from sync.credentials import Credentials, secret_digest
from sync.outbox import Outbox
from sync.records import Record
from sync.settle import PushResult, settle

FORMAT = 1
BUNDLE_SUFFIX = ".bundle.json"
RECEIPT_SUFFIX = ".receipt.json"


class BadBundle(ValueError):
    """A bundle or receipt that cannot be trusted or read; the message says why."""


def _canonical(document: dict) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _mac(key: str, kind: str, document: dict) -> str:
    """The MAC of ``document`` as a ``kind`` ("bundle" or "receipt"), so one can never pass for the other."""
    return hmac.new(key.encode(), kind.encode() + b"\n" + _canonical(document), hashlib.sha256).hexdigest()


def _write_signed(path: Path, kind: str, document: dict, key: str) -> Path:
    """Write atomically and fsync: a volunteer may pull the stick the moment the command returns."""
    write_atomically(path, _canonical({kind: document, "mac": _mac(key, kind, document)}))
    return path


def _read_signed(path: Path, kind: str, key_for: Callable[[str], str | None]) -> dict:
    """The verified ``kind`` document in ``path``; ``key_for(device_id)`` gives the MAC key or None."""
    try:
        outer = json.loads(Path(path).read_bytes())
        document, mac = outer[kind], outer["mac"]
        device_id = document["device_id"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadBundle(f"{path} is not a readable {kind} ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(document, dict) or not isinstance(mac, str) or document.get("format") != FORMAT:
        raise BadBundle(f"{path} is not a {kind} of format {FORMAT}")
    key = key_for(device_id) if isinstance(device_id, str) else None
    if key is None:
        raise BadBundle(f"{path} comes from device {device_id!r}, which is not known here")
    if not hmac.compare_digest(mac, _mac(key, kind, document)):
        raise BadBundle(f"{path} was altered after it was written, or not written by device {device_id}: "
                        "its signature does not match")
    return document


@dataclass(frozen=True)
class Bundle:
    id: str
    device_id: str
    records: list[Any]  # raw, as in a batch: the ward validates each one


def export_bundle(outbox: Outbox, credentials: Credentials, folder: Path) -> tuple[Path, int]:
    """Write every pending record to a new signed bundle in ``folder``; returns its path and record count.

    The records stay pending until a receipt or a sync says the ward holds them.
    """
    records: list[Record] = outbox.pending(max(1, outbox.stats().pending))
    if not records:
        raise BadBundle("nothing is waiting to be sent: no bundle written")
    now = dt.datetime.now(dt.timezone.utc)
    document = {"format": FORMAT, "id": str(uuid.uuid4()), "device_id": credentials.device_id,
                "created_at": now.isoformat(), "records": [r.model_dump(mode="json") for r in records]}
    name = f"bdhvs-{credentials.device_id}-{now:%Y%m%d-%H%M%S}-{records[0].seq}-{records[-1].seq}{BUNDLE_SUFFIX}"
    folder.mkdir(parents=True, exist_ok=True)
    return _write_signed(folder / name, "bundle", document, secret_digest(credentials.secret)), len(records)


def read_bundle(path: Path, key_for: Callable[[str], str | None]) -> Bundle:
    """The verified bundle at ``path``; BadBundle with the reason when it cannot be trusted."""
    document = _read_signed(path, "bundle", key_for)
    if not isinstance(document.get("records"), list) or not isinstance(document.get("id"), str):
        raise BadBundle(f"{path} holds no record list")
    return Bundle(document["id"], document["device_id"], document["records"])


def receipt_path(bundle_path: Path) -> Path:
    name = bundle_path.name.removesuffix(BUNDLE_SUFFIX)
    return bundle_path.with_name(name + RECEIPT_SUFFIX)


def write_receipt(bundle_path: Path, bundle: Bundle, results: list[dict], key: str) -> Path:
    """The ward's answer for each record of ``bundle``, signed with the same key, beside the bundle."""
    document = {"format": FORMAT, "bundle_id": bundle.id, "device_id": bundle.device_id,
                "imported_at": dt.datetime.now(dt.timezone.utc).isoformat(), "results": results}
    return _write_signed(receipt_path(bundle_path), "receipt", document, key)


def apply_receipt(path: Path, outbox: Outbox, credentials: Credentials) -> PushResult:
    """Ack (or quarantine) this kiosk's records as a verified receipt says; BadBundle when it is not one."""
    mine = secret_digest(credentials.secret)
    document = _read_signed(path, "receipt", lambda device: mine if device == credentials.device_id else None)
    results = document.get("results")
    if not isinstance(results, list):
        raise BadBundle(f"{path} holds no results")
    return settle(outbox, ((r["id"], r) for r in results if isinstance(r, dict) and isinstance(r.get("id"), str)))
