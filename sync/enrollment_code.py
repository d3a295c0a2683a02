"""The enrollment code: what the ward's QR code holds, and what a technician may type instead.

One small JSON object, ``{"bdhvs":"enroll","v":1,"url":"https://…","token":"…","venue":"…"}``,
short enough for a QR code a phone-sized kiosk camera reads at arm's length. The kiosk's technician
screen scans it (or takes "URL TOKEN" typed by hand) and calls ``parse_enrollment_code``; whatever
was scanned is untrusted, so every field is checked and any problem is one clear ValueError.

The address must be https: the kiosk's secret and its learners' records travel over it. Plain
http is accepted only to this machine itself (loopback), for tests and a ward server on the kiosk.
"""
import ipaddress
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

KIND = "bdhvs"
VERSION = 1


class BadEnrollmentCode(ValueError):
    """Not an enrollment code this kiosk understands; the message says why, for the technician."""


@dataclass(frozen=True)
class EnrollmentCode:
    url: str
    token: str
    venue: str = ""

    def text(self) -> str:
        """The QR code's payload."""
        return json.dumps({KIND: "enroll", "v": VERSION, "url": self.url, "token": self.token, "venue": self.venue},
                          ensure_ascii=False, separators=(",", ":"))


class InsecureServerUrl(BadEnrollmentCode):
    """A plain-http server address that does not point at this machine itself."""

    def __init__(self, url: str) -> None:
        super().__init__(f"the server address {url} uses plain http, which would send the kiosk's secret "
                         "unprotected: use the https address")
        self.url = url


def is_loopback(host: str | None) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ::1: addresses that never leave this machine."""
    if host is None:
        return False
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_secure_url(url: str) -> str:
    """``url`` itself when it is https, or http to loopback; else InsecureServerUrl."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise BadEnrollmentCode(f"{url!r} is not a server address (https://…)") from None
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host)):
        return url
    raise InsecureServerUrl(url)


def _check_url(url: object) -> str:
    if not isinstance(url, str) or len(url) > 200:
        raise BadEnrollmentCode("the server address is missing or too long")
    try:
        parts = urlsplit(url.strip())
        usable = parts.scheme in ("https", "http") and parts.hostname and not parts.query and not parts.fragment
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        usable = False
    if not usable or not url.isprintable() or any(c.isspace() for c in url.strip()):
        raise BadEnrollmentCode(f"{url!r} is not a server address (https://…)")
    return require_secure_url(url.strip().rstrip("/"))


def _check_token(token: object) -> str:
    if not isinstance(token, str) or not 8 <= len(token.strip()) <= 200 or not token.strip().isascii() \
            or any(c.isspace() for c in token.strip()):
        raise BadEnrollmentCode("the enrollment token is missing or malformed")
    return token.strip()


def parse_enrollment_code(text: str) -> EnrollmentCode:
    """The code in a scanned QR payload, or in "SERVER_URL TOKEN" typed by hand.

    Raises BadEnrollmentCode for anything else.
    """
    text = text.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            raise BadEnrollmentCode("the code is damaged (not valid JSON)") from None
        if not isinstance(data, dict) or data.get(KIND) != "enroll":
            raise BadEnrollmentCode("this QR code is not a kiosk enrollment code")
        if data.get("v") != VERSION:
            raise BadEnrollmentCode(f"enrollment code version {data.get('v')!r} is not supported")
        venue = data.get("venue", "")
        if not isinstance(venue, str) or len(venue) > 120:
            raise BadEnrollmentCode("the venue name is malformed")
        return EnrollmentCode(_check_url(data.get("url")), _check_token(data.get("token")), venue)
    words = text.split()
    if len(words) != 2:
        raise BadEnrollmentCode("expected the scanned code, or the server address and the token separated by a space")
    return EnrollmentCode(_check_url(words[0]), _check_token(words[1]))
