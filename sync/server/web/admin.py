"""The admin's pages: enroll, revoke and move kiosks; the ward's khu phố, venues and campaign; lost learner
cards; accounts.

Every change is a POST carrying the sign-in's CSRF token (``Posted``) from an admin (``Admin``);
each answers with a redirect back to its page (so a reload does not post twice) or with the page
and a message saying what was wrong.
"""
import csv
import datetime as dt
import io

import segno
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from lessons.text import nfc
from sync.enrollment_code import EnrollmentCode
from sync.learner_ids import card_short_code, parse_short_code
from sync.server import cards, identity, stats
from sync.server.db import Device, LostCard
from sync.server.web import auth
from sync.server.web.deps import DB, Admin, Board, Posted
from sync.server.web.models import ROLES, Campaign, KhuPho, Venue
from sync.server.web.pages import venues_of
from sync.server.web.render import page

router = APIRouter(include_in_schema=False)
MAX_NAME = 120
MAX_KHU_PHO = 500


def _back(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


def _name(value: object) -> str:
    """A venue or khu phố name from a form: NFC, trimmed, printable, bounded; 422 otherwise."""
    name = nfc(str(value or "")).strip()
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise HTTPException(422, f"a name has 1 to {MAX_NAME} printable characters")
    return name


def _venue(session: DB, venue_id: object) -> Venue:
    found = session.get(Venue, str(venue_id or "")[:64])
    if found is None:
        raise HTTPException(422, "no such venue: add it on the venues page first")
    return found


@router.post("/devices/enroll")
def enroll(request: Request, board: Board, user: Admin, session: DB, form: Posted) -> Response:
    """A one-time enrollment code for a kiosk at the chosen venue, as a QR code to scan off the screen."""
    venue = _venue(session, form.get("venue"))
    token = identity.create_enrollment(session, venue.name, board.settings.enrollment_hours)
    url = (board.settings.public_url or str(request.base_url)).rstrip("/")
    code = EnrollmentCode(url, token, venue.name)
    qr = segno.make(code.text(), error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff", omitsize=True)
    return page(request, board, user, "enroll.html", venue=venue, qr=qr, code=code,
                hours=board.settings.enrollment_hours)


@router.post("/devices/{device_id}/revoke")
def revoke(device_id: str, _user: Admin, session: DB, _form: Posted) -> Response:
    if not identity.revoke(session, device_id[:80]):
        raise HTTPException(404, "no such kiosk")
    return _back("/devices")


@router.post("/devices/{device_id}/venue")
def move(device_id: str, _user: Admin, session: DB, form: Posted) -> Response:
    device = session.get(Device, device_id[:80])
    if device is None:
        raise HTTPException(404, "no such kiosk")
    venue = _venue(session, form.get("venue"))
    device.venue_id, device.name = venue.id, venue.name
    session.commit()
    return _back("/devices")


@router.get("/venues")
def venues(request: Request, board: Board, user: Admin, session: DB) -> Response:
    return page(request, board, user, "venues.html", venues=venues_of(session),
                khu_pho=list(session.scalars(select(KhuPho).order_by(KhuPho.name))),
                campaign=stats.campaign(session))


@router.post("/venues")
def add_venue(_user: Admin, session: DB, form: Posted) -> Response:
    name = _name(form.get("name"))
    area = str(form.get("khu_pho") or "") or None
    if area is not None and session.get(KhuPho, area[:64]) is None:
        raise HTTPException(422, "no such khu phố")
    venue = session.get(Venue, identity.slugify(name)) or Venue(id=identity.slugify(name))
    venue.name, venue.khu_pho_id = name, area
    session.merge(venue)
    session.commit()
    return _back("/venues")


def read_khu_pho_csv(data: bytes) -> list[str]:
    """The names in the ward's khu phố list: the first column of a CSV (UTF-8, a header row allowed);
    422 naming the line when a name is unusable."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HTTPException(422, "the file is not UTF-8 text (save the sheet as CSV UTF-8)") from None
    names: list[str] = []
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise HTTPException(422, f"the file is not CSV ({exc})") from None
    for number, row in enumerate(rows, start=1):
        if not row or not row[0].strip() or (number == 1 and row[0].strip().lower() in ("name", "tên", "khu phố", "khu pho")):
            continue
        try:
            names.append(_name(row[0]))
        except HTTPException:
            raise HTTPException(422, f"line {number}: a name has 1 to {MAX_NAME} printable characters") from None
        if len(names) > MAX_KHU_PHO:
            raise HTTPException(422, f"the list holds more than {MAX_KHU_PHO} khu phố")
    if not names:
        raise HTTPException(422, "the file holds no names")
    return names


@router.post("/khu-pho", max_body_size=1024 * 1024 + 64 * 1024)
async def load_khu_pho(_user: Admin, session: DB, form: Posted) -> Response:
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise HTTPException(422, "choose the CSV file of the ward's khu phố")
    for name in read_khu_pho_csv(await upload.read(1024 * 1024)):
        session.merge(KhuPho(id=identity.slugify(name), name=name))
    session.commit()
    return _back("/venues")


@router.post("/campaign")
def set_campaign(_user: Admin, session: DB, form: Posted) -> Response:
    try:
        starts, ends = dt.date.fromisoformat(str(form.get("starts_on"))), dt.date.fromisoformat(str(form.get("ends_on")))
        target = int(str(form.get("daily_target") or "0"))
    except ValueError:
        raise HTTPException(422, "the dates are YYYY-MM-DD and the target a whole number") from None
    if not starts <= ends <= starts + dt.timedelta(days=730) or not 0 <= target <= 1_000_000:
        raise HTTPException(422, "the campaign ends after it starts, within two years, with a target of 0 or more")
    session.merge(Campaign(id=1, starts_on=starts, ends_on=ends, daily_target=target))
    session.commit()
    return _back("/venues")


def _lost_cards_page(request: Request, board: Board, user: Admin, session: DB, status: int = 200,
                     error: str | None = None) -> Response:
    lost = [(card_short_code(row.card_id), card_short_code(row.new_card_id), row.lost_at)
            for row in session.scalars(select(LostCard).order_by(LostCard.lost_at.desc()).limit(500))]
    return page(request, board, user, "cards.html", status, lost=lost, error=error)


@router.get("/cards")
def lost_cards(request: Request, board: Board, user: Admin, session: DB) -> Response:
    return _lost_cards_page(request, board, user, session)


@router.post("/cards/lost")
def mark_card_lost(request: Request, board: Board, user: Admin, session: DB, form: Posted) -> Response:
    """A learner lost their card: the old one is refused by kiosks once they sync, its progress moves to the new one."""
    lost, new = (parse_short_code(str(form.get(name) or "")[:40]) for name in ("card", "new_card"))
    try:
        cards.mark_lost(session, lost or "", new or "")
    except cards.CardRefused as exc:
        return _lost_cards_page(request, board, user, session, 422, error=str(exc))
    return _back("/cards")


@router.get("/accounts")
def accounts(request: Request, board: Board, user: Admin, session: DB) -> Response:
    return page(request, board, user, "accounts.html", accounts=auth.accounts(session), roles=ROLES)


@router.post("/accounts")
def add_account(request: Request, board: Board, user: Admin, session: DB, form: Posted) -> Response:
    try:
        auth.create_account(session, str(form.get("username", "")), str(form.get("password", "")),
                            str(form.get("role", "")))
    except auth.AccountRefused as exc:
        return page(request, board, user, "accounts.html", 422, accounts=auth.accounts(session), roles=ROLES,
                    error=str(exc))
    return _back("/accounts")
