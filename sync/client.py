"""The kiosk's side of sync protocol v1, over requests.

The transport is a ``requests.Session`` passed in, which is the seam for tests. Certificates are
always verified, against the ward's own CA bundle when it has one (``ca_bundle``, passed to
requests as ``verify=`` on every call, so an environment variable cannot override it). Errors are
sorted into what the kiosk can act on: the server is unreachable for now (``ServerUnavailable``:
retry later, keep everything; a 429 also says how long to wait), the server no longer knows this
kiosk (``NeedsEnrollment``: stop, re-enroll) or a setting makes sync impossible (``SetupProblem``: a
CA file that is missing, a plain-http address). Each carries a ``sync.problems.Problem`` that says
what is wrong in plain words, instead of an exception's name.

Every authenticated request carries this boot's id and monotonic clock, so the server can place
records made before the kiosk's clock was set (``sync.server.clock``).
"""
import gzip
import hashlib
import json
import logging
import os
import secrets
import time
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import requests
import urllib3
from pydantic import ValidationError

from sync.credentials import Credentials, secret_digest
from sync.enrollment_code import BadEnrollmentCode, require_secure_url
from sync.heartbeat import Heartbeat
from sync.outbox import Outbox
from sync.problems import (EnrollmentFailed, Kind, NeedsEnrollment, Problem, ServerUnavailable, SetupProblem,
                           SyncError)
from sync.records import Record, current_boot_id
from sync.releases import MAX_MANIFEST_BYTES
from sync.settle import PushResult, UnknownAnswer, settle

__all__ = ["EnrollmentFailed", "NeedsEnrollment", "ServerUnavailable", "SetupProblem", "SyncClient", "SyncError",
           "enroll", "push_pending", "request_problem", "secure_url", "take_batch"]

log = logging.getLogger(__name__)

MAX_BATCH_RECORDS = 500
MAX_BATCH_BYTES = 1_000_000
MAX_PACK_BYTES = 50_000_000
MAX_CARDS_BYTES = 8_000_000  # the ward serves at most 20 000 cards' lesson progress
MAX_RETRY_AFTER_S = 24 * 3600.0


def _retry_after(response: requests.Response) -> float | None:
    """``Retry-After`` in seconds, given as a number or an HTTP date (at most a day: a hostile or
    broken answer must not silence a kiosk for good)."""
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return min(float(value[:6]), MAX_RETRY_AFTER_S)
    try:
        return min(max(0.0, parsedate_to_datetime(value).timestamp() - time.time()), MAX_RETRY_AFTER_S)
    except (TypeError, ValueError, OverflowError):
        return None


def server_of(url: str) -> str:
    """The server part of a request's URL (``https://host:port``): what a technician can check."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else url


def request_problem(exc: requests.RequestException, url: str) -> Problem:
    """What a failed request means, in the terms a technician acts on."""
    detail = f"{exc.__class__.__name__}: {str(exc)[:300]}"
    cause = exc.args[0] if exc.args else None
    if isinstance(exc, requests.exceptions.SSLError):
        kind = Kind.UNTRUSTED_CERTIFICATE
    elif isinstance(exc, requests.exceptions.ConnectTimeout):
        kind = Kind.UNREACHABLE
    elif isinstance(exc, requests.exceptions.Timeout):
        kind = Kind.TIMEOUT
    elif isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)) \
            or isinstance(cause, urllib3.exceptions.ProtocolError):
        kind = Kind.BROKEN_OFF
    else:
        kind = Kind.UNREACHABLE
    return Problem(kind, server_of(url), detail)


def _garbled(url: str, detail: str) -> ServerUnavailable:
    """An answer the kiosk cannot use (cut short, not JSON, for other records): try again later."""
    return ServerUnavailable(Problem(Kind.GARBLED, server_of(url), detail))


def _call(http: requests.Session, method: str, url: str, timeout: float, verify: bool | str,
          **kwargs) -> requests.Response:
    if isinstance(verify, str) and not (os.path.isfile(verify) and os.access(verify, os.R_OK)):
        raise SetupProblem(Problem(Kind.CA_BUNDLE_UNREADABLE, verify))
    try:
        response = http.request(method, url, timeout=timeout, verify=verify, **kwargs)
    except requests.RequestException as exc:
        raise ServerUnavailable(request_problem(exc, url)) from exc
    except OSError as exc:  # requests raises a bare OSError for a CA file it cannot load
        raise SetupProblem(Problem(Kind.CA_BUNDLE_UNREADABLE, str(verify), str(exc)[:300])) from exc
    if response.status_code in (401, 403):
        detail = f"{method} {url}: HTTP {response.status_code} {response.text[:200]}"
        raise NeedsEnrollment(Problem(Kind.TOKEN_REFUSED, server_of(url), detail))
    if response.status_code == 429:
        raise ServerUnavailable(Problem(Kind.BUSY, server_of(url), "HTTP 429"), _retry_after(response))
    if response.status_code >= 500 or response.status_code == 408:
        detail = f"{method} {url}: HTTP {response.status_code}"
        raise ServerUnavailable(Problem(Kind.SERVER_ERROR, server_of(url), detail))
    return response


def _verify(ca_bundle: Path | None) -> bool | str:
    return str(ca_bundle) if ca_bundle else True


def secure_url(url: str) -> str:
    """``url`` without its trailing slash; SetupProblem when it is plain http to another machine."""
    try:
        return require_secure_url(url.rstrip("/"))
    except BadEnrollmentCode as exc:
        raise SetupProblem(Problem(Kind.INSECURE_URL, url, str(exc))) from None


def _json_object(response: requests.Response) -> dict:
    try:
        document = response.json()
    except (ValueError, RecursionError) as exc:
        raise _garbled(response.url, exc.__class__.__name__) from None
    if not isinstance(document, dict):
        raise _garbled(response.url, "not a JSON object")
    return document


def enroll(server_url: str, token: str, device_id: str, secret: str | None = None,
           http: requests.Session | None = None, timeout: float = 15, ca_bundle: Path | None = None) -> Credentials:
    """One enrollment request: register ``device_id`` with the hash of ``secret`` and spend ``token``.

    Retry-safe when the same ``secret`` is sent again (``sync.enrollment`` keeps it for that);
    without one a new secret is made, which suits only callers that never retry (tests, benchmarks).
    """
    base = secure_url(server_url)
    secret = secret or secrets.token_urlsafe(32)
    url = f"{base}/api/v1/enroll"
    try:
        response = _call(http or requests.Session(), "POST", url, timeout, _verify(ca_bundle),
                         json={"token": token, "device_id": device_id, "secret_hash": secret_digest(secret)})
    except NeedsEnrollment as exc:
        raise EnrollmentFailed(Problem(Kind.CODE_REFUSED, base, exc.problem.detail)) from None
    if response.status_code >= 400:
        raise EnrollmentFailed(Problem(Kind.CODE_REFUSED, base, f"HTTP {response.status_code}: {response.text[:200]}"))
    answer = _json_object(response)
    try:
        credentials = Credentials(server_url=base, secret=secret, device_id=answer.get("device_id"),
                                  venue_id=answer.get("venue_id"), name=answer.get("name"),
                                  bundle_key=answer.get("bundle_key"))
    except ValidationError as exc:
        raise _garbled(url, f"enrollment answer: {exc.errors()[0]['msg']}") from None
    if credentials.device_id != device_id:
        raise _garbled(url, "the answer is for another device")
    return credentials


class SyncClient:
    """Talks to the ward server for one enrolled kiosk.

    ``batch_records`` may be lowered below the protocol's 500 for a link so poor that a big batch
    rarely gets through whole.
    """

    def __init__(self, credentials: Credentials, http: requests.Session | None = None, timeout: float = 15,
                 ca_bundle: Path | None = None, batch_records: int = MAX_BATCH_RECORDS) -> None:
        if not 1 <= batch_records <= MAX_BATCH_RECORDS:
            raise ValueError(f"batch_records must be 1 to {MAX_BATCH_RECORDS}")
        secure_url(credentials.server_url)
        self.credentials = credentials
        self.http = http or requests.Session()
        self.timeout = timeout
        self.verify = _verify(ca_bundle)
        self.batch_records = batch_records

    def _request(self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.credentials.device_id}.{self.credentials.secret}",
                   "X-Boot-Id": str(current_boot_id()), "X-Monotonic": f"{time.monotonic():.3f}", **(headers or {})}
        return _call(self.http, method, f"{self.credentials.server_url}{path}", self.timeout, self.verify,
                     headers=headers, **kwargs)

    def _post_json(self, path: str, document: dict) -> requests.Response:
        return self._request("POST", path, data=gzip.compress(json.dumps(document).encode(), compresslevel=5),
                             headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})

    def send_batch(self, records: list[Record]) -> list[dict]:
        """POST one batch gzipped; returns the server's per-record results, in order."""
        response = self._post_json("/api/v1/records", {"records": [r.model_dump(mode="json") for r in records]})
        if response.status_code != 200:
            raise _garbled(response.url, f"a batch was answered HTTP {response.status_code}")
        results = _json_object(response).get("results")
        if not isinstance(results, list) or len(results) != len(records):
            raise _garbled(response.url, "an answer for a different number of records")
        return results

    def send_heartbeat(self, beat: Heartbeat) -> None:
        response = self._post_json("/api/v1/heartbeat", beat.model_dump(mode="json"))
        if response.status_code >= 400:
            raise _garbled(response.url, f"a heartbeat was answered HTTP {response.status_code} {response.text[:100]}")

    def get_pack(self, etag: str | None) -> bytes | None:
        """The server's signed lesson pack document, or None when it is the one we hold (or there is none)."""
        found = self._get_tagged("/api/v1/packs", etag, MAX_PACK_BYTES, "a lesson pack")
        return found and found[1]

    def get_cards(self, etag: str | None) -> tuple[str, dict] | None:
        """(ETag, ``{"cards": {card id: {"done", "stopped", "at"}}, "lost": [...]}``) from the ward, or None when unchanged.

        The document is only checked to be an object here; each card in it is checked where it is used.
        """
        found = self._get_tagged("/api/v1/cards", etag, MAX_CARDS_BYTES, "card progress")
        if found is None:
            return None
        try:
            document = json.loads(found[1])
        except (ValueError, RecursionError) as exc:
            raise _garbled(self.credentials.server_url, f"card progress: {exc.__class__.__name__}") from None
        if not isinstance(document, dict):
            raise _garbled(self.credentials.server_url, "card progress is not a JSON object")
        return found[0], document

    def get_release(self) -> bytes | None:
        """The manifest of the ward's newest kiosk release (``sync.releases.ReleaseManifest``), or None when it has none."""
        found = self._get_tagged("/api/v1/releases/latest", None, MAX_MANIFEST_BYTES, "a release manifest")
        return found and found[1]

    def download_release(self, version: str, target: Path, size: int, sha256: str) -> None:
        """Stream release ``version``'s archive into ``target``; ServerUnavailable unless it is exactly
        ``size`` bytes with that SHA-256 (a cut-short or swapped download is never unpacked)."""
        # identity: a release's wheels are compressed already, and gzip would cost the ward server's CPU
        response = self._request("GET", f"/api/v1/releases/{version}", headers={"Accept-Encoding": "identity"},
                                 stream=True)
        with response, target.open("wb") as out:
            if response.status_code != 200:
                raise _garbled(response.url, f"the release archive was answered HTTP {response.status_code}")
            digest, written = hashlib.sha256(), 0
            try:
                for chunk in response.iter_content(1 << 16):
                    written += len(chunk)
                    if written > size:
                        raise _garbled(response.url, "the release archive is longer than its manifest says")
                    digest.update(chunk)
                    out.write(chunk)
            except requests.RequestException as exc:
                raise ServerUnavailable(request_problem(exc, response.url)) from exc
        if written != size or digest.hexdigest() != sha256:
            raise _garbled(response.url, "the release archive does not match its manifest")

    def _get_tagged(self, path: str, etag: str | None, limit: int, what: str) -> tuple[str, bytes] | None:
        """GET ``path`` with If-None-Match: (its ETag unquoted, its body of at most ``limit`` bytes), or None
        when unchanged or absent."""
        headers = {"If-None-Match": f'"{etag}"'} if etag else {}
        response = self._request("GET", path, headers=headers, stream=True)
        with response:
            if response.status_code in (304, 404):
                return None
            if response.status_code != 200:
                raise _garbled(response.url, f"{what} was answered HTTP {response.status_code}")
            body = bytearray()
            try:
                for chunk in response.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > limit:
                        raise _garbled(response.url, f"{what} over {limit // 1_000_000} MB")
            except requests.RequestException as exc:
                raise ServerUnavailable(request_problem(exc, response.url)) from exc
            return response.headers.get("ETag", "").strip('"'), bytes(body)


def take_batch(records: list[Record], max_records: int = MAX_BATCH_RECORDS) -> list[Record]:
    """The longest prefix of ``records`` that fits in ``max_records`` and the protocol's 1 MB."""
    size, batch = 2, []
    for record in records[:max_records]:
        size += len(record.model_dump_json()) + 1
        if batch and size > MAX_BATCH_BYTES:
            break
        batch.append(record)
    return batch


def push_pending(outbox: Outbox, client: SyncClient, result: PushResult | None = None) -> PushResult:
    """Send every pending record; ack accepted and duplicates, quarantine rejected ones.

    Raises ServerUnavailable or NeedsEnrollment part-way; what was acked stays acked, and is counted
    in ``result`` when the caller passed one (the worker resets its backoff when part went through).
    Records the server refused are logged once per batch, with how many and why.
    """
    result = PushResult() if result is None else result
    while batch := take_batch(outbox.pending(client.batch_records), client.batch_records):
        answers = client.send_batch(batch)
        try:
            settled = settle(outbox, ((record.id, answer) for record, answer in zip(batch, answers)))
        except UnknownAnswer as exc:
            raise ServerUnavailable(Problem(Kind.GARBLED, client.credentials.server_url, str(exc))) from None
        if settled.rejected:
            log.warning("sync: the ward server refused %d of %d records in a batch (%s); they are kept, not sent again",
                        settled.rejected, len(batch), "; ".join(sorted(set(settled.reasons)))[:300])
        result.add(settled)
    return result
