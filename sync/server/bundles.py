"""``ward-server import``: storing a kiosk's USB bundle with the same idempotency as the network.

Bundles are verified with the device's key from ``BundleKeys`` (a master key outside the database),
so a copy of the database cannot forge one. Every failure of one bundle, a hostile file included,
is a ``BadBundle`` with its reason, so the command goes on with the next.
"""
from pathlib import Path

from sqlalchemy.orm import Session

from sync.bundle import BadBundle, ReceiptNotWritten, read_bundle, write_receipt
from sync.server.catalog import LessonCatalog
from sync.server.db import Device
from sync.server.ingest import MAX_BATCH, RecordResult, store_batch
from sync.server.keys import BundleKeys


def import_bundle(session: Session, path: Path, keys: BundleKeys,
                  catalog: LessonCatalog | None = None) -> tuple[Path, list[RecordResult]]:
    """Verify and store the bundle at ``path``, write its receipt beside it; returns both.

    ``catalog`` holds the lessons a record may name (the served packs'; the built-in ones by default),
    as for records that come over the network.

    A bundle that does not verify, or from a revoked device, raises BadBundle and changes nothing.
    When only the receipt cannot be written, the records are stored and ReceiptNotWritten says so:
    importing the bundle again writes it (the records come back as duplicates).
    """
    def key_for(device_id: str) -> str | None:
        return keys.for_device(device_id) if session.get(Device, device_id) is not None else None

    bundle = read_bundle(path, key_for)
    device = session.get(Device, bundle.device_id)
    if device.revoked_at is not None:
        raise BadBundle(f"{path} comes from device {device.id}, which is revoked: enroll it again and export anew")
    results: list[RecordResult] = []
    for start in range(0, len(bundle.records), MAX_BATCH):
        results += store_batch(session, device, bundle.records[start:start + MAX_BATCH], catalog=catalog)
    try:
        receipt = write_receipt(path, bundle, [r.as_json() for r in results], keys.for_device(device.id))
    except OSError as exc:
        raise ReceiptNotWritten(f"{path}: {len(results)} records stored, but the receipt cannot be written "
                                f"beside it ({exc.strerror}); make the stick writable and import it again") from None
    return receipt, results
