"""What can go wrong with sync, as kinds a person can act on, and the errors that carry them.

A technician at a kiosk needs "the ward server cannot be reached at https://…: check the network
or the address", not "ConnectionError". So every failure the client sees is sorted into a ``Kind``
with the one thing it concerns (an address, a file, a count), and ``Problem.sentence()`` says it in
plain English for logs and the ``sync-health.json`` that ``kiosk doctor`` reads. The kiosk shows
the same sentences in its own language (``kiosk.sync_problems``): this package never imports the
kiosk, so the sentences are marked with a local ``N_`` and ``babel.cfg`` extracts this file into
the kiosk's catalog. The exception name and its details stay in ``detail``, for the log only.

This module imports no HTTP library: the kiosk reads a status before sync starts.
"""
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    BROKEN_OFF = "broken_off"
    UNTRUSTED_CERTIFICATE = "untrusted_certificate"
    CA_BUNDLE_UNREADABLE = "ca_bundle_unreadable"
    INSECURE_URL = "insecure_url"
    SERVER_ERROR = "server_error"
    BUSY = "busy"
    GARBLED = "garbled"
    TOKEN_REFUSED = "token_refused"
    CODE_REFUSED = "code_refused"
    COPIED_CARD = "copied_card"
    RECORDS_REFUSED = "records_refused"
    STORAGE = "storage"
    UNEXPECTED = "unexpected"


def N_(message: str) -> str:
    """Marks a sentence for the kiosk's gettext catalog; the kiosk translates it where it shows it."""
    return message


# ``{url}``, ``{path}`` and ``{count}`` all stand for the problem's ``subject``.
ENGLISH: dict[Kind, str] = {
    Kind.UNREACHABLE: N_("The ward server cannot be reached at {url}: check the network or the address."),
    Kind.TIMEOUT: N_("The ward server at {url} did not answer in time: the network is slow or the server is "
                     "overloaded; the kiosk will try again."),
    Kind.BROKEN_OFF: N_("The connection to the ward server at {url} broke off: the network is unreliable; "
                        "the kiosk will try again."),
    Kind.UNTRUSTED_CERTIFICATE: N_("The ward server's certificate is not trusted: check server_ca_bundle "
                                   "(the ward's certificate file) and the kiosk's clock."),
    Kind.CA_BUNDLE_UNREADABLE: N_("The ward's certificate file {path} (setting server_ca_bundle) is missing or "
                                  "unreadable: copy the file there or correct the setting."),
    Kind.INSECURE_URL: N_("The server address {url} uses plain http, which would send the kiosk's secret "
                          "unprotected: use the https address."),
    Kind.SERVER_ERROR: N_("The ward server at {url} has an internal problem; the kiosk will try again. "
                          "If it lasts, tell the ward."),
    Kind.BUSY: N_("The ward server is busy and asked the kiosk to wait; it will try again later."),
    Kind.GARBLED: N_("The ward server's answer was cut short or garbled; the kiosk will try again."),
    Kind.TOKEN_REFUSED: N_("The ward server no longer accepts this kiosk: enroll it again with a new code from the ward."),
    Kind.CODE_REFUSED: N_("The ward server refused this code: it has expired or was already used, or this kiosk "
                          "is still enrolled. Ask the ward for a new code."),
    Kind.COPIED_CARD: N_("This kiosk is a copy of another kiosk's memory card: it must be enrolled again."),
    Kind.RECORDS_REFUSED: N_("The ward server refused {count} results; they are kept on this kiosk. Tell the ward."),
    Kind.STORAGE: N_("The kiosk's stored results could not be read or written; sync keeps trying. "
                     "If it lasts, tell a technician."),
    Kind.UNEXPECTED: N_("Sync met an unexpected problem and keeps trying. If it lasts, tell a technician."),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong, with what it concerns (``subject``) and, for the log, the technical ``detail``."""

    kind: Kind
    subject: str = ""
    detail: str = ""

    def sentence(self) -> str:
        """The plain English sentence for this problem."""
        return ENGLISH[self.kind].format(url=self.subject, path=self.subject, count=self.subject)

    def __str__(self) -> str:
        return self.sentence() + (f" [{self.detail}]" if self.detail else "")


class SyncError(Exception):
    """A failure of sync that carries its ``Problem``; ``str()`` is the plain sentence plus the detail."""

    def __init__(self, problem: Problem, retry_after: float | None = None) -> None:
        super().__init__(str(problem))
        self.problem = problem
        self.retry_after = retry_after


class ServerUnavailable(SyncError):
    """No usable answer this time (no connection, timeout, 5xx, 429, garbled reply): try again later."""


class NeedsEnrollment(SyncError):
    """The server refused this kiosk's token (401/403): retrying will not help."""


class EnrollmentFailed(SyncError):
    """The server refused the enrollment code: retrying will not help."""


class SetupProblem(SyncError):
    """A setting makes sync impossible (a missing CA file, a plain-http address): a person must fix it."""


def describe(exc: BaseException, detail_prefix: str = "") -> Problem:
    """The problem behind any exception: its own for a ``SyncError``, else STORAGE or UNEXPECTED."""
    if isinstance(exc, SyncError):
        return exc.problem
    kind = Kind.STORAGE if isinstance(exc, (OSError, ValueError, RecursionError)) else Kind.UNEXPECTED
    return Problem(kind, detail=f"{detail_prefix}{exc.__class__.__name__}: {str(exc)[:200]}")
