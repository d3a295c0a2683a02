"""``inspect(payload)``: what a QR code contains and what to watch for, for any input at all.

A QR payload is untrusted input held up by a stranger: it may be binary, not UTF-8, far too long,
or a payment code with a broken field tree. Every parser behind this stays linear and bounded
(input capped at ``MAX_CHARS``, TLV nesting at three levels), so a call takes well under a
millisecond for real codes and a few at most for the largest; a bug in a parser is logged and
shown as "unreadable", never raised into the screen that asked.
"""
import logging
import re
import unicodedata

from kiosk.qr.contacts import inspect_contact, looks_like_contact
from kiosk.qr.engines import bytes_to_text
from kiosk.qr.links import inspect_link, looks_like_link
from kiosk.qr.messages import inspect_email, inspect_phone, inspect_sms, kind_of
from kiosk.qr.report import Report
from kiosk.qr.scams import asks_for_secret, poses_as_authority, promises_money
from kiosk.qr.vietqr import inspect_emv, looks_like_emv
from kiosk.qr.wifi import inspect_wifi, looks_like_wifi

log = logging.getLogger(__name__)

MAX_CHARS = 8192  # a QR code holds at most 7,089 characters (numeric mode, version 40)
BINARY_SHARE = 0.1  # more control characters than this and it is data, not text
_URL_IN_TEXT = re.compile(r"(?:https?://|www\.)[^\s<>\"']{1,2000}", re.IGNORECASE)
_MESSAGES = {"phone": inspect_phone, "sms": inspect_sms, "email": inspect_email}
_ROUTES = ((looks_like_emv, inspect_emv), (looks_like_wifi, inspect_wifi),
           (looks_like_contact, inspect_contact), (looks_like_link, inspect_link))


def inspect(payload: str | bytes) -> dict:
    """The kind, the fields to show and the warnings, as JSON-ready data. Never raises."""
    try:
        return inspect_report(payload).as_dict()
    except Exception:  # noqa: BLE001 - untrusted input must never take the drill screen down
        log.exception("inspect failed on a %s payload", type(payload).__name__)
        report = Report("binary")
        report.warn("binary")
        return report.as_dict()


def inspect_report(payload: str | bytes) -> Report:
    text, too_long = _as_text(payload)
    report = _route(text)
    report.details["length"] = len(text)
    if too_long:
        report.warn("too_long")
    return report


def _as_text(payload: str | bytes) -> tuple[str, bool]:
    if isinstance(payload, (bytes, bytearray, memoryview)):
        raw = bytes(payload[:MAX_CHARS * 4])
        text = bytes_to_text(raw)
    elif isinstance(payload, str):
        text = payload
    else:
        text = str(payload)
    too_long = len(text) > MAX_CHARS
    # Lone surrogates cannot be encoded (for the checksum) or shown; '?' stands in for them.
    text = text[:MAX_CHARS].encode("utf-8", "replace").decode("utf-8")
    return text, too_long


def _route(text: str) -> Report:
    stripped = text.strip()
    if not stripped:
        report = Report("empty")
        report.warn("empty")
        return report
    if _is_binary(stripped):
        report = Report("binary")
        report.warn("binary")
        return report
    message = kind_of(stripped)
    if message:
        return _MESSAGES[message](stripped)
    for looks, inspect_kind in _ROUTES:
        if looks(stripped):
            return inspect_kind(stripped)
    return inspect_text(stripped)


def _is_binary(text: str) -> bool:
    control = sum(1 for c in text if unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn") and c not in "\t\r\n")
    return control > BINARY_SHARE * len(text)


def inspect_text(text: str) -> Report:
    """Plain text: shown as it is, with any link inside it checked like a scanned link."""
    report = Report("text")
    report.add("text", text, big=True)
    if promises_money(text):
        report.warn("prize_bait")
    if asks_for_secret(text):
        report.warn("otp")
    if poses_as_authority(text) and (promises_money(text) or asks_for_secret(text)):
        report.warn("impersonation", name=text[:60])
    url = _URL_IN_TEXT.search(text)
    if url:
        linked = inspect_link(url.group(0))
        report.details["link"] = linked.details
        for warning in linked.warnings:
            if warning["level"] != "info" and warning["code"] not in report.codes:
                report.warnings.append(warning)
    if not report.warnings:
        report.warn("plain_text")
    return report
