"""The admin's lesson packs: upload a pack (a zip of its folder), see it validated, publish it.

An upload is untrusted: a zip of at most ``MAX_FILES`` files and ``MAX_UNPACKED`` bytes, whose names
are plain relative paths of ordinary characters (the rule of ``sync.packs``), unpacked into a folder
of its own beside the served pack. ``lessons.validate`` then lists each problem, shown in the
viewer's language (``pack_problems``). A valid,
signed pack is published by copying it over the served folder (all kiosks) or over one venue's
folder (``PackSource.venue_folder``), swapped in by renames so a kiosk never downloads half a pack.
"""
import re
import secrets
import shutil
import zipfile
from pathlib import Path, PurePosixPath

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from lessons.signing import read_signature
from lessons.validate import validate_pack
from sync.packs import MAX_FILES, MAX_NAME_PARTS, NAME_PART
from sync.server.web.deps import DB, UPLOAD_LIMIT, Admin, Board, Posted
from sync.server.web.pack_problems import describe
from sync.server.web.pages import venues_of
from sync.server.web.render import page

router = APIRouter(include_in_schema=False)
MAX_UNPACKED = 200 * 2**20
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")


class BadUpload(ValueError):
    """The zip cannot be a pack folder; ``reason`` (a msgid of the ward catalog) with ``params`` says why."""

    def __init__(self, reason: str, **params) -> None:
        super().__init__(reason % params)
        self.reason, self.params = reason, params

    def words(self, gettext) -> str:
        return gettext(self.reason) % self.params


def unpack(archive: Path, into: Path) -> Path:
    """Unpack the zip at ``archive`` into ``into``; returns the pack folder (the top folder when the
    zip holds one folder). Raises BadUpload for anything that is not a plain, bounded folder of files."""
    try:
        with zipfile.ZipFile(archive) as found:
            members = [m for m in found.infolist() if not m.is_dir()]
            if not members or len(members) > MAX_FILES:
                raise BadUpload("the zip holds no file or more than %(files)s", files=MAX_FILES)
            if sum(m.file_size for m in members) > MAX_UNPACKED:
                raise BadUpload("the zip unpacks to more than 200 MB")
            for member in members:
                parts = PurePosixPath(member.filename).parts
                if (not 1 <= len(parts) <= MAX_NAME_PARTS or not all(NAME_PART.fullmatch(p) for p in parts)
                        or member.external_attr >> 28 == 0o12):  # a symbolic link
                    raise BadUpload("the zip holds a file name a pack may not have: %(name)r", name=member.filename[:80])
                target = into.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with found.open(member) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out, 2**20)
                    if out.tell() > member.file_size:
                        raise BadUpload("the zip is damaged (a file is longer than it says)")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError) as exc:
        if isinstance(exc, BadUpload):
            raise
        raise BadUpload("the file is not a zip this server can read") from None
    return unpack_root(into)


def _uploads(board: Board) -> Path:
    if board.packs.folder is None:
        raise HTTPException(409, "this server was started without --packs FOLDER, so it has no pack to publish to")
    return board.packs.folder.with_name(board.packs.folder.name + "-uploads")


def publish(source: Path, target: Path) -> None:
    """Put a copy of ``source`` at ``target``, replacing what was there by two renames."""
    staging = target.with_name(f".{target.name}.new")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging)
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


@router.get("/packs")
def packs(request: Request, board: Board, user: Admin, session: DB) -> Response:
    return page(request, board, user, "packs.html", venues=venues_of(session), served=board.packs.folder)


@router.post("/packs", max_body_size=UPLOAD_LIMIT + 64 * 1024)
async def upload(request: Request, board: Board, user: Admin, session: DB, form: Posted) -> Response:
    file = form.get("file")
    if file is None or isinstance(file, str):
        raise HTTPException(422, "choose the pack's zip file")
    upload_id = secrets.token_hex(16)
    folder = _uploads(board) / upload_id
    folder.mkdir(parents=True)
    archive = folder.with_suffix(".zip")
    data = await file.read(UPLOAD_LIMIT + 1)
    if len(data) > UPLOAD_LIMIT:
        raise HTTPException(413, "the file is too large")
    archive.write_bytes(data)
    try:
        report = validate_pack(unpack(archive, folder))
        problems = [describe(found, report.folder, user.language, user.gettext) for found in report.problems]
    except BadUpload as exc:
        report, problems = None, [exc.words(user.gettext)]
    finally:
        archive.unlink(missing_ok=True)
    signed = report is not None and report.signature.startswith("signed")
    return page(request, board, user, "packs.html", 200 if report and report.ok else 422, venues=venues_of(session),
                served=board.packs.folder, report=report, problems=problems, signed=signed,
                signed_by=read_signature(report.folder)[0]["key_id"] if signed else None,
                upload_id=upload_id if report and report.ok and signed else None)


@router.post("/packs/publish")
def publish_upload(request: Request, board: Board, user: Admin, session: DB, form: Posted) -> Response:
    upload_id, venue = str(form.get("upload", "")), str(form.get("venue", ""))[:64]
    folder = _uploads(board) / upload_id
    if not UPLOAD_ID.match(upload_id) or not folder.is_dir():
        raise HTTPException(404, "no such upload: upload the pack again")
    report = validate_pack(unpack_root(folder))
    if not report.ok or not report.signature.startswith("signed"):
        raise HTTPException(422, "the pack is no longer valid: upload it again")
    if venue and venue not in {v.id for v in venues_of(session)}:
        raise HTTPException(422, "no such venue")
    target = board.packs.venue_folder(venue) if venue else board.packs.folder
    target.parent.mkdir(parents=True, exist_ok=True)
    publish(report.folder, target)
    shutil.rmtree(folder, ignore_errors=True)
    return page(request, board, user, "packs.html", venues=venues_of(session), served=board.packs.folder,
                published=(report.pack.info.id, report.pack.info.version, venue))


def unpack_root(folder: Path) -> Path:
    """The pack folder inside an unpacked upload (itself, or its one sub-folder)."""
    entries = list(folder.iterdir())
    return entries[0] if not any(folder.glob("*.yaml")) and len(entries) == 1 and entries[0].is_dir() else folder
