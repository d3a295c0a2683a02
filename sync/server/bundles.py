"""``ward-server import``: storing a kiosk's USB bundle with the same idempotency as the network."""
from pathlib import Path

from sqlalchemy.orm import Session

from sync.bundle import BadBundle, read_bundle, write_receipt
from sync.server.db import Device
from sync.server.ingest import MAX_BATCH, RecordResult, store_batch


def import_bundle(session: Session, path: Path) -> tuple[Path, list[RecordResult]]:
    """Verify and store the bundle at ``path``, write its receipt beside it; returns both.

    A bundle that does not verify, or from a revoked device, raises BadBundle and changes nothing.
    """
    def key_for(device_id: str) -> str | None:
        device = session.get(Device, device_id)
        return device.secret_hash if device is not None else None

    bundle = read_bundle(path, key_for)
    device = session.get(Device, bundle.device_id)
    if device.revoked_at is not None:
        raise BadBundle(f"{path} comes from device {device.id}, which is revoked: enroll it again and export anew")
    results: list[RecordResult] = []
    for start in range(0, len(bundle.records), MAX_BATCH):
        results += store_batch(session, device, bundle.records[start:start + MAX_BATCH])
    receipt = write_receipt(path, bundle, [r.as_json() for r in results], device.secret_hash)
    return receipt, results
