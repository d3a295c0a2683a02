"""What every dashboard route depends on, as FastAPI dependencies a test may override.

The app holds one ``Dashboard`` (``app.state.dashboard``); routes get the database session, the
signed-in viewer (or a redirect to the sign-in page), the admin check and the CSRF-checked form
through ``Depends``.
"""
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Callable, Iterator

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData

from sync.server.api.packsource import PackSource
from sync.server.keys import BundleKeys
from sync.server.ratelimit import RateLimiter
from sync.server.rollup import WARD_OFFSET
from sync.server.settings import WardSettings
from sync.server.web import auth
from sync.server.web.figures import FigureKeeper
from sync.server.web.i18n import choose_language, translation
from sync.server.web.models import StaffAccount, StaffSession

SESSION_COOKIE = "ward_session"
TEMPLATES = Path(__file__).parent / "templates"


class SignInNeeded(Exception):
    """No valid sign-in: the browser is sent to the sign-in page."""


class NotAllowed(Exception):
    """Signed in, but the page or form is not for this role, or the form lacks its CSRF token."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Dashboard:
    sessions: sessionmaker
    settings: WardSettings
    bundle_keys: BundleKeys
    packs: PackSource
    templates: Jinja2Templates
    by_account: RateLimiter
    by_address: RateLimiter
    figures: FigureKeeper


def make_dashboard(sessions: sessionmaker, settings: WardSettings, bundle_keys: BundleKeys, packs: PackSource) -> Dashboard:
    per_s = settings.sign_in_per_minute / 60
    templates = Jinja2Templates(directory=TEMPLATES)
    templates.env.filters["num"] = number
    templates.env.filters["ward_time"] = ward_time
    return Dashboard(sessions, settings, bundle_keys, packs, templates,
                     RateLimiter(per_s, settings.sign_in_burst), RateLimiter(per_s, settings.sign_in_burst),
                     FigureKeeper(sessions, settings.figures_max_age_s))


@pass_context
def number(context, value: int) -> str:
    """A count as the page's language writes it: 1.422 in Vietnamese, 1,422 in English."""
    return f"{value:,}".replace(",", "." if context.get("lang", "vi") == "vi" else ",")


def ward_time(moment: dt.datetime | str | None) -> str:
    """A moment as ward staff read it: day/month and time in the ward (UTC+7); "—" when unknown or garbled."""
    try:
        moment = dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    except ValueError:
        return "—"
    if moment is None:
        return "—"
    moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
    return (moment.astimezone(dt.timezone.utc) + WARD_OFFSET).strftime("%d/%m/%Y %H:%M")


def dashboard(request: Request) -> Dashboard:
    return request.app.state.dashboard


Board = Annotated[Dashboard, Depends(dashboard)]


def db(board: Board) -> Iterator[Session]:
    with board.sessions() as session:
        yield session


DB = Annotated[Session, Depends(db)]


@dataclass
class Viewer:
    """Who is looking, in which language."""

    account: StaffAccount | None
    sign_in: StaffSession | None
    language: str
    gettext: Callable[[str], str]

    @property
    def is_admin(self) -> bool:
        return self.account is not None and self.account.role == "admin"


def language(request: Request, board: Board) -> Viewer:
    chosen = choose_language(request, board.settings.language)
    return Viewer(None, None, chosen, translation(chosen).gettext)


Anyone = Annotated[Viewer, Depends(language)]


def viewer(request: Request, session: DB, anyone: Anyone) -> Viewer:
    found = auth.signed_in(session, request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise SignInNeeded()
    anyone.account, anyone.sign_in = found
    return anyone


Staff = Annotated[Viewer, Depends(viewer)]


def admin(staff: Staff) -> Viewer:
    if not staff.is_admin:
        raise NotAllowed("Only an admin account may open this page.")
    return staff


Admin = Annotated[Viewer, Depends(admin)]


async def posted_form(request: Request, user: Staff) -> FormData:
    """The posted form, refused unless it carries this sign-in's CSRF token."""
    form = await request.form(max_part_size=UPLOAD_LIMIT)
    if not auth.same_token(user.sign_in.csrf_token, form.get("csrf")):
        raise NotAllowed("This form has expired or did not come from this dashboard. Open the page again and retry.")
    return form


UPLOAD_LIMIT = 50 * 1024 * 1024
Posted = Annotated[FormData, Depends(posted_form)]
