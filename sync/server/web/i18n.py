"""The dashboard's language: Vietnamese by default, English on request, through the kiosk's gettext catalogs.

The texts are in the ``ward`` domain of ``kiosk/locale`` (so one Babel setup serves both). The
language is ``?lang=`` when given (remembered in a cookie), else the cookie, else the browser's
Accept-Language, else the setting.
"""
import gettext
from functools import lru_cache

from fastapi import Request

from kiosk.i18n import LOCALE_DIR

DOMAIN = "ward"
LANGUAGES = ("vi", "en")
COOKIE = "ward_lang"


@lru_cache(maxsize=None)
def translation(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, [language], fallback=True)


def _from_header(header: str) -> str | None:
    """The first of our languages in an Accept-Language header, by its q weight."""
    weighted = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        try:
            q = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            q = 0.0
        language = tag.strip().lower()[:2]
        if language in LANGUAGES and q > 0:
            weighted.append((-q, position, language))
    return min(weighted)[2] if weighted else None


def choose_language(request: Request, default: str) -> str:
    for candidate in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return _from_header(request.headers.get("accept-language", "")) or default
