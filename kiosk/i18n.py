"""The kiosk's own texts through gettext catalogs (Babel-managed, ``kiosk/locale``).

Messages are written in English in the code and translated in ``locale/vi``; Vietnamese is the
default. Lesson content is not here: it lives in the lesson packs, already in its language.
"""
import gettext
import logging
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "kiosk"
log = logging.getLogger(__name__)

_translation: gettext.NullTranslations = gettext.NullTranslations()


def use_language(language: str) -> None:
    """Switch every later ``_()`` to ``language`` ("vi" or "en")."""
    global _translation
    try:
        _translation = gettext.translation(DOMAIN, LOCALE_DIR, [language])
    except OSError:
        if language != "en":
            log.error("no compiled %s catalog in %s (run `make`); showing English", language, LOCALE_DIR)
        _translation = gettext.NullTranslations()


def _(message: str) -> str:
    """The translation of ``message`` in the current language."""
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; translate it with ``_`` where shown."""
    return message


use_language("vi")
