"""The admin's uploads: a USB bundle from a venue without network."""
import tempfile
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from sync.bundle import BUNDLE_SUFFIX, BadBundle
from sync.server.bundles import import_bundle
from sync.server.keys import BundleKeyError
from sync.server.web.deps import DB, UPLOAD_LIMIT, Admin, Board, Posted
from sync.server.web.render import page

router = APIRouter(include_in_schema=False)


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
        path = await _save(form, Path(folder), "upload" + BUNDLE_SUFFIX)
        try:
            _receipt, results = import_bundle(session, path, board.bundle_keys)
        except (BadBundle, BundleKeyError) as exc:
            return page(request, board, user, "bundles.html", 422, error=str(exc).replace(str(path), "the file"))
    counts = {status: sum(r.status == status for r in results) for status in ("accepted", "duplicate", "rejected")}
    reasons = sorted({r.reason for r in results if r.status == "rejected" and r.reason})[:10]
    return page(request, board, user, "bundles.html", counts=counts, reasons=reasons)
