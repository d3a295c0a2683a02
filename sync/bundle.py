"""USB bundles: the kiosk's pending records carried to the ward on a stick, and the receipt carried back.

A bundle holds the same records with the same ids as the network would send, so the ward stores
them with the same idempotency, and importing a bundle twice changes nothing. The ward writes a
receipt beside the bundle; when the stick comes back, the kiosk acks what the receipt says the
ward holds (or the records go as duplicates on the next sync, whichever comes first).

Both files are signed with HMAC-SHA256 under the device's bundle key: the ward derives it from a
master key kept in a file outside its database (``sync.server.keys``) and gave it to the kiosk at
enrollment (``Credentials.bundle_key``). So neither a stick carried by a volunteer nor a copy of
the ward database is enough to forge or alter records, and a changed file is refused with its
reason. The receipt's MAC lets the kiosk trust it before forgetting records.

A bundle is ``{"bundle": DOCUMENT, "mac": HEX}`` in canonical JSON (sorted keys, no spaces), the
MAC taken over ``b"bundle\\n"`` and the document's canonical bytes. Since ``records`` is the
document's last key, the kiosk can write it piece by piece, one batch of records at a time, and
MAC the same bytes as they go out: a queue of 100,000 records is exported in the memory of one
batch, while the learner screens keep appending. The ward reads the whole file and checks it.

A USB stick comes from anywhere, so every file on it is hostile until its MAC checks: only regular
files are read, never through a link, never a pipe or a device, never more than a size limit, and
bounded nesting; each bad file is refused alone with its reason. Files are written to a temporary
name created exclusively (``O_EXCL|O_NOFOLLOW``), so a link planted on the stick is never written
through, then renamed into place and fsynced, since the stick may be pulled the moment we return.
"""
import datetime as dt
import errno
import hashlib
import hmac
import json
import os
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from pydantic import TypeAdapter, ValidationError

from sync.atomic_storage import fsync_folder
from sync.credentials import Credentials
from sync.outbox import Outbox
from sync.records import Slug
from sync.settle import PushResult, UnknownAnswer, settle

FORMAT = 1
BUNDLE_SUFFIX = ".bundle.json"
RECEIPT_SUFFIX = ".receipt.json"
MAX_BUNDLE_BYTES = 64 * 2**20  # about 160,000 records of 400 bytes; the rest go in the next bundle
MAX_RECEIPT_BYTES = 16 * 2**20  # an answer is about 80 bytes per record of the largest bundle
MAX_RECEIPTS = 200  # receipts taken in from one stick at a time
EXPORT_BATCH = 500
_READ_CHUNK = 2**20

Progress = Callable[[int, int], None]
_DEVICE_ID = TypeAdapter(Slug)  # a record's device id: checked before the id reaches a database query


class BadBundle(ValueError):
    """A bundle or receipt that cannot be trusted or read; the message says why."""


class NothingToExport(BadBundle):
    """No record is waiting: no bundle was written."""


class ReceiptNotWritten(BadBundle):
    """The bundle's records were stored, but its receipt could not be written to the stick."""


def _canonical(document: Any) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _mac(key: str, kind: str) -> "hmac.HMAC":
    """A MAC for a ``kind`` ("bundle" or "receipt") document, so one can never pass for the other."""
    return hmac.new(key.encode(), kind.encode() + b"\n", hashlib.sha256)


# Reading from a stick

def read_untrusted(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes; BadBundle otherwise.

    ``O_NOFOLLOW`` refuses a link, ``O_NONBLOCK`` keeps a named pipe from hanging the open, and the
    size is checked before reading and again while reading (a file may grow meanwhile).
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BadBundle(f"{path} is a symbolic link, not a file: refused") from None
        raise BadBundle(f"{path} cannot be opened ({exc.strerror})") from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise BadBundle(f"{path} is not a regular file (a folder, a pipe or a device): refused")
        if info.st_size > limit:
            raise BadBundle(f"{path} is {info.st_size} bytes, more than the {limit} a file of this kind can be")
        chunks, size = [], 0
        while chunk := os.read(handle, _READ_CHUNK):
            size += len(chunk)
            if size > limit:
                raise BadBundle(f"{path} grew past the {limit} bytes a file of this kind can be")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise BadBundle(f"{path} cannot be read ({exc.strerror})") from None
    finally:
        os.close(handle)


def _read_signed(path: Path, kind: str, limit: int, key_for: Callable[[str], str | None]) -> dict:
    """The verified ``kind`` document in ``path``; ``key_for(device_id)`` gives the MAC key or None."""
    data = read_untrusted(path, limit)
    try:
        outer = json.loads(data)
        document, mac = outer[kind], outer["mac"]
        device_id = document["device_id"]
        canonical = _canonical(document)
    except RecursionError:
        raise BadBundle(f"{path} is nested too deeply to be a {kind}") from None
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise BadBundle(f"{path} is not a readable {kind} ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(document, dict) or not isinstance(mac, str) or document.get("format") != FORMAT:
        raise BadBundle(f"{path} is not a {kind} of format {FORMAT}")
    key = key_for(device_id) if _is_device_id(device_id) else None
    if key is None:
        raise BadBundle(f"{path} comes from device {device_id!r:.80}, which is not known here")
    expected = _mac(key, kind)
    expected.update(canonical)
    if not hmac.compare_digest(mac.encode(errors="replace"), expected.hexdigest().encode()):
        raise BadBundle(f"{path} was altered after it was written, or not written by device {device_id}: "
                        "its signature does not match")
    return document


def _is_device_id(value: Any) -> bool:
    try:
        _DEVICE_ID.validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


# Writing to a stick

def _write_exclusively(folder: Path, pieces: Iterable[bytes], name: Callable[[], str]) -> Path:
    """Write ``pieces`` to a new file in ``folder``, then rename it to ``name()`` and fsync; returns its path.

    The temporary file is created with ``O_EXCL|O_NOFOLLOW``: whatever was planted on the stick
    (a link to a kiosk file, say) makes the write fail instead of going through it. The rename
    replaces a link at the final name itself, never its target. ``name`` is asked once every
    piece is written (a bundle's name says its last seq). On failure nothing is left behind.
    """
    temp = folder / f".bdhvs-{uuid.uuid4().hex}.tmp"
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        with os.fdopen(handle, "wb", buffering=_READ_CHUNK) as out:
            for piece in pieces:
                out.write(piece)
            out.flush()
            os.fsync(out.fileno())
        path = folder / name()
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_folder(folder)
    return path


def _write_signed(path: Path, kind: str, document: dict, key: str) -> Path:
    mac = _mac(key, kind)
    mac.update(_canonical(document))
    return _write_exclusively(path.parent, [_canonical({kind: document, "mac": mac.hexdigest()})], lambda: path.name)


@dataclass(frozen=True)
class Bundle:
    id: str
    device_id: str
    records: list[Any]  # raw, as in a batch: the ward validates each one


def export_bundle(outbox: Outbox, credentials: Credentials, folder: Path,
                  progress: Progress | None = None) -> tuple[Path, int]:
    """Write the pending records to a new signed bundle in ``folder``; returns its path and record count.

    Reads the outbox one batch at a time (appends go on meanwhile) and calls ``progress(done,
    total)`` after each. A queue larger than ``MAX_BUNDLE_BYTES`` fills one bundle and leaves the
    rest for the next. The records stay pending until a receipt or a sync says the ward holds them.
    """
    total = outbox.stats().pending
    if not total:
        raise NothingToExport("nothing is waiting to be sent: no bundle written")
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc)
    head = {"format": FORMAT, "id": str(uuid.uuid4()), "device_id": credentials.device_id, "created_at": now.isoformat()}
    mac = _mac(credentials.bundle_key, "bundle")
    seqs: list[int] = []  # of every record written, in order

    def pieces() -> Iterable[bytes]:
        """The file's bytes in order; the document's are MAC'd on the way."""
        yield b'{"bundle":'
        opening = _canonical(head)[:-1] + b',"records":['  # "records" sorts after every other key
        mac.update(opening)
        yield opening
        size = len(opening) + 100  # 100: the closing bytes and the MAC
        for batch in outbox.iter_pending(EXPORT_BATCH):
            lines = [_canonical(record.model_dump(mode="json")) for record in batch]
            fits = len(lines)
            for index, line in enumerate(lines):
                size += len(line) + 1
                if size > MAX_BUNDLE_BYTES:
                    fits = index
                    break
            if fits:
                piece = (b"," if seqs else b"") + b",".join(lines[:fits])
                mac.update(piece)
                yield piece
                seqs.extend(record.seq for record in batch[:fits])
                if progress is not None:
                    progress(len(seqs), max(total, len(seqs)))
            if fits < len(lines):
                break
        mac.update(b"]}")
        yield b']},"mac":"' + mac.hexdigest().encode() + b'"}'

    def name() -> str:
        if not seqs:  # every record was acked by a sync meanwhile
            raise NothingToExport("nothing is waiting to be sent: no bundle written")
        return f"bdhvs-{credentials.device_id}-{now:%Y%m%d-%H%M%S}-{seqs[0]}-{seqs[-1]}{BUNDLE_SUFFIX}"

    return _write_exclusively(folder, pieces(), name), len(seqs)


def read_bundle(path: Path, key_for: Callable[[str], str | None]) -> Bundle:
    """The verified bundle at ``path``; BadBundle with the reason when it cannot be trusted."""
    document = _read_signed(path, "bundle", MAX_BUNDLE_BYTES, key_for)
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


def receipts_in(folder: Path) -> list[Path]:
    """The receipts in ``folder`` to take in, oldest name first, at most ``MAX_RECEIPTS``."""
    return sorted(folder.glob("*" + RECEIPT_SUFFIX))[:MAX_RECEIPTS]


def apply_receipt(path: Path, outbox: Outbox, credentials: Credentials) -> PushResult:
    """Ack (or quarantine) this kiosk's records as a verified receipt says; BadBundle when it is not one."""
    mine = credentials.bundle_key
    document = _read_signed(path, "receipt", MAX_RECEIPT_BYTES,
                            lambda device: mine if device == credentials.device_id else None)
    results = document.get("results")
    if not isinstance(results, list):
        raise BadBundle(f"{path} holds no results")
    try:
        return settle(outbox, ((r["id"], r) for r in results if isinstance(r, dict) and isinstance(r.get("id"), str)))
    except UnknownAnswer as exc:
        raise BadBundle(f"{path}: {exc}; nothing of it was taken in") from None
