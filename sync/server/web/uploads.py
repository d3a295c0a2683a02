"""The admin's uploads: a USB bundle from a venue without network, and the receipt to take back.

The receipt (``ward-server import`` writes it beside the bundle) is what lets the kiosk drop the
records the ward now holds; the dashboard keeps it under a random id beside the bundle key file
for the admin to download and copy onto the stick.
"""
import re
import secrets
import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response

from sync.bundle import BUNDLE_SUFFIX, BadBundle
from sync.server.bundles import import_bundle
from sync.server.keys import BundleKeyError
from sync.server.web.deps import DB, UPLOAD_LIMIT, Admin, Board, Posted
from sync.server.web.render import page

router = APIRouter(include_in_schema=False)
RECEIPT_ID = re.compile(r"^[0-9a-f]{32}$")
KEPT_RECEIPTS = 200


def _receipts(board: Board) -> Path:
    return board.bundle_keys.path.parent / "bundle-receipts"


def _keep(board: Board, receipt: Path) -> str:
    """Keep ``receipt`` for download; returns its id (the oldest beyond ``KEPT_RECEIPTS`` are dropped)."""
    folder = _receipts(board)
    kept = sorted(folder.iterdir(), key=lambda path: path.stat().st_mtime) if folder.is_dir() else []
    for old in kept[:max(0, len(kept) - KEPT_RECEIPTS + 1)]:
        shutil.rmtree(old, ignore_errors=True)
    receipt_id = secrets.token_hex(16)
    (folder / receipt_id).mkdir(parents=True)
    shutil.copyfile(receipt, folder / receipt_id / receipt.name)
    return receipt_id


async def _save(form, folder: Path, name: str) -> Path:
    """The uploaded file of the form's ``file`` field, saved as ``folder/name`` (bounded in size)."""
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise HTTPException(422, "choose a file to upload")
    data = await upload.read(UPLOAD_LIMIT + 1)
    if len(data) > UPLOAD_LIMIT:
        raise HTTPException(413, "the file is too large")
    path = folder / name
    path.write_bytes(data)
    return path


@router.get("/bundles")
def bundles(request: Request, board: Board, user: Admin) -> Response:
    return page(request, board, user, "bundles.html")


@router.post("/bundles", max_body_size=UPLOAD_LIMIT + 64 * 1024)
async def import_uploaded_bundle(request: Request, board: Board, user: Admin, session: DB, form: Posted) -> Response:
    """Store the records of one uploaded bundle, as ``ward-server import`` does, and say what it added."""
    with tempfile.TemporaryDirectory(prefix="ward-bundle-") as folder:
        path = await _save(form, Path(folder), _bundle_name(form.get("file")))
        try:
            receipt, results = import_bundle(session, path, board.bundle_keys, board.packs.catalog())
        except (BadBundle, BundleKeyError) as exc:
            return page(request, board, user, "bundles.html", 422, error=str(exc).replace(str(path), "the file"))
        receipt_id = _keep(board, receipt)
    counts = {status: sum(r.status == status for r in results) for status in ("accepted", "duplicate", "rejected")}
    reasons = sorted({r.reason for r in results if r.status == "rejected" and r.reason})[:10]
    return page(request, board, user, "bundles.html", counts=counts, reasons=reasons, receipt_id=receipt_id)


def _bundle_name(upload) -> str:
    """The uploaded bundle's own name when it is a plain bundle name (the receipt is named after it)."""
    name = getattr(upload, "filename", None) or ""
    return name if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,120}", name) and name.endswith(BUNDLE_SUFFIX) \
        else "upload" + BUNDLE_SUFFIX


@router.get("/bundles/receipts/{receipt_id}")
def receipt(receipt_id: str, board: Board, _user: Admin) -> Response:
    found = list((_receipts(board) / receipt_id).glob("*")) if RECEIPT_ID.match(receipt_id) else []
    if not found:
        raise HTTPException(404, "no such receipt: import the bundle again to get one")
    return FileResponse(found[0], media_type="application/json", filename=found[0].name)
