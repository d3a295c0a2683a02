"""The pages every signed-in staff member may open: sign-in, the campaign overview and its CSV
exports, and the kiosks' health."""
import csv
import datetime as dt
import io
import math
import secrets

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from sync.server import identity, stats
from sync.server.audit import audit
from sync.server.charts import bar_chart, line_chart, responsive
from sync.server.db import aware, utcnow
from sync.server.web import auth
from sync.server.web.models import Venue
from sync.server.web.deps import DB, SESSION_COOKIE, Anyone, Board, Posted, Staff
from sync.server.web.render import page

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "ward_login_csrf"
MAX_DAYS = 731


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _sign_in_page(request: Request, board: Board, anyone: Anyone, status: int = 200, error: str = "") -> Response:
    token = secrets.token_urlsafe(32)
    response = page(request, board, anyone, "login.html", status, error=error, login_csrf=token)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=board.settings.secure_cookies, path="/login")
    return response


@router.get("/login")
def sign_in_form(request: Request, board: Board, anyone: Anyone) -> Response:
    return _sign_in_page(request, board, anyone)


@router.post("/login")
async def sign_in(request: Request, board: Board, anyone: Anyone, session: DB) -> Response:
    form = await request.form()
    _ = anyone.gettext
    if not auth.same_token(request.cookies.get(LOGIN_CSRF_COOKIE), form.get("csrf")):
        return _sign_in_page(request, board, anyone, 403, _("The sign-in form had expired. Please try again."))
    username, password = str(form.get("username", ""))[:64].strip().lower(), str(form.get("password", ""))
    keys = ((board.by_account, username), (board.by_address, _address(request)))
    waits = [wait for limiter, key in keys if (wait := limiter.waiting(key)) is not None]
    if waits:
        minutes = max(1, math.ceil(max(waits) / 60))
        return _sign_in_page(request, board, anyone, 429,
                             _("Too many wrong passwords. Please wait %(minutes)s minutes and try again.") % {"minutes": minutes})
    account = auth.check_password(session, username, password)
    if account is None:
        for limiter, key in keys:
            limiter.retry_after(key)
        return _sign_in_page(request, board, anyone, 401, _("The user name or password is wrong."))
    token = auth.open_session(session, account, board.settings.session_hours)
    response = RedirectResponse("/overview", status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=int(board.settings.session_hours * 3600), httponly=True,
                        samesite="lax", secure=board.settings.secure_cookies)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def sign_out(request: Request, session: DB, _form: Posted) -> Response:
    auth.close_session(session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(_viewer: Staff) -> Response:
    return RedirectResponse("/overview", status_code=303)


def _period(session: DB, start: str | None, end: str | None) -> stats.Period:
    """The period asked for, else the campaign's; 400 for dates that are not dates or a span too long."""
    today = (utcnow() + stats.WARD_OFFSET).date()
    default = stats.default_period(session, today)
    try:
        period = stats.Period(dt.date.fromisoformat(start) if start else default.start,
                              dt.date.fromisoformat(end) if end else default.end)
    except ValueError:
        raise HTTPException(400, "start and end are dates (YYYY-MM-DD)") from None
    if period.end < period.start or (period.end - period.start).days >= MAX_DAYS:
        raise HTTPException(400, f"the end follows the start, at most {MAX_DAYS} days later")
    return period


@router.get("/overview")
def overview(request: Request, board: Board, staff: Staff, session: DB,
             start: str | None = None, end: str | None = None) -> Response:
    _ = staff.gettext
    period = _period(session, start, end)
    kept = board.figures.get(session, period)
    tables = kept.tables
    campaign = stats.campaign(session)
    daily = tables["daily"]
    chart = responsive(line_chart, [row[0] for row in daily.rows],
                       {_("Lessons started"): [row[1] for row in daily.rows],
                        _("Lessons completed"): [row[2] for row in daily.rows]},
                       target=campaign.daily_target if campaign else None, target_label=_("Daily target"),
                       title=_("Lessons started and completed per day"))
    areas = responsive(bar_chart, [(row[0], row[3]) for row in tables["khu_pho"].rows], title=_("Lessons completed per khu phố"))
    totals = {"learners": kept.learners,
              "started": sum(row[1] for row in daily.rows), "completed": sum(row[2] for row in daily.rows)}
    return page(request, board, staff, "overview.html", period=period, tables=tables, chart=chart,
                areas=areas, totals=totals, campaign=campaign, as_of=kept.as_of,
                query=f"start={period.start.isoformat()}&end={period.end.isoformat()}")


@router.get("/export/{table}.csv")
def export(table: str, board: Board, staff: Staff, session: DB, start: str | None = None, end: str | None = None) -> Response:
    """The table behind one chart or list, for the period, as the overview shows it (UTF-8 with BOM for Excel)."""
    if table not in stats.TABLES:
        raise HTTPException(404, "no such table")
    period = _period(session, start, end)
    found = board.figures.get(session, period).tables[table]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([staff.gettext(column) for column in found.columns])
    writer.writerows(found.rows)
    name = f"{table}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@router.get("/devices")
def devices(request: Request, board: Board, staff: Staff, session: DB) -> Response:
    now = utcnow()
    silent_after = dt.timedelta(hours=board.settings.silent_after_hours)
    audits = {report.device_id: report for report in audit(session)}
    rows = []
    for device in identity.devices(session):
        beat = device.heartbeat or {}
        seen = aware(device.last_heartbeat_at) if device.last_heartbeat_at else None
        report = audits.get(device.id)
        rows.append({
            "device": device, "beat": beat, "seen": seen, "revoked": device.revoked_at is not None,
            "silent": device.revoked_at is None and (seen is None or now - seen > silent_after),
            "missing": sum(last - first + 1 for first, last in report.missing) if report else 0,
            "free_mb": beat["free_disk_bytes"] // 2**20 if isinstance(beat.get("free_disk_bytes"), int) else None,
        })
    rows.sort(key=lambda row: (row["revoked"], not row["silent"], row["device"].name))
    return page(request, board, staff, "devices.html", rows=rows, venues=venues_of(session))


def venues_of(session: DB) -> list[Venue]:
    return list(session.scalars(select(Venue).order_by(Venue.name)))
