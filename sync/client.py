"""The kiosk's side of sync protocol v1, over requests.

The transport is a ``requests.Session`` passed in, which is the seam for tests. Certificates are
always verified, against the ward's own CA bundle when it has one (``ca_bundle``, passed to
requests as ``verify=`` on every call, so an environment variable cannot override it). Errors are
sorted into the two things the kiosk can act on: the server is unreachable for now (retry later,
keep everything; a 429 also says how long to wait) or the server no longer knows this kiosk (stop,
re-enroll).

Every authenticated request carries this boot's id and monotonic clock, so the server can place
records made before the kiosk's clock was set (``sync.server.clock``).
"""
import gzip
import json
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

import requests

from sync.credentials import Credentials
from sync.heartbeat import Heartbeat
from sync.outbox import Outbox
from sync.records import Record, current_boot_id
from sync.settle import PushResult, UnknownAnswer, settle

MAX_BATCH_RECORDS = 500
MAX_BATCH_BYTES = 1_000_000
MAX_PACK_BYTES = 50_000_000


class ServerUnavailable(Exception):
    """No usable answer this time (no connection, timeout, 5xx, 429, garbled reply): try again later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NeedsEnrollment(Exception):
    """The server refused this kiosk's token (401/403): retrying will not help."""


class EnrollmentFailed(Exception):
    """The server refused the enrollment code; the message says why, for the technician."""


def _retry_after(response: requests.Response) -> float | None:
    """``Retry-After`` in seconds, given as a number or an HTTP date."""
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _call(http: requests.Session, method: str, url: str, timeout: float, verify: bool | str,
          **kwargs) -> requests.Response:
    try:
        response = http.request(method, url, timeout=timeout, verify=verify, **kwargs)
    except requests.RequestException as exc:
        raise ServerUnavailable(f"{method} {url}: {exc.__class__.__name__}") from exc
    if response.status_code in (401, 403):
        raise NeedsEnrollment(f"{method} {url}: {response.status_code} {response.text[:200]}")
    if response.status_code == 429:
        raise ServerUnavailable(f"{method} {url}: HTTP 429, too many requests", _retry_after(response))
    if response.status_code >= 500 or response.status_code == 408:
        raise ServerUnavailable(f"{method} {url}: HTTP {response.status_code}")
    return response


def _verify(ca_bundle: Path | None) -> bool | str:
    return str(ca_bundle) if ca_bundle else True


def enroll(server_url: str, token: str, device_id: str, http: requests.Session | None = None,
           timeout: float = 15, ca_bundle: Path | None = None) -> Credentials:
    """Spend a one-time enrollment token on ``device_id``; returns this kiosk's new credentials."""
    base = server_url.rstrip("/")
    try:
        response = _call(http or requests.Session(), "POST", f"{base}/api/v1/enroll", timeout, _verify(ca_bundle),
                         json={"token": token, "device_id": device_id})
    except NeedsEnrollment as exc:
        raise EnrollmentFailed(str(exc)) from None
    if response.status_code >= 400:
        raise EnrollmentFailed(f"HTTP {response.status_code}: {response.text[:200]}")
    return Credentials(server_url=base, **response.json())


class SyncClient:
    """Talks to the ward server for one enrolled kiosk.

    ``batch_records`` may be lowered below the protocol's 500 for a link so poor that a big batch
    rarely gets through whole.
    """

    def __init__(self, credentials: Credentials, http: requests.Session | None = None, timeout: float = 15,
                 ca_bundle: Path | None = None, batch_records: int = MAX_BATCH_RECORDS) -> None:
        if not 1 <= batch_records <= MAX_BATCH_RECORDS:
            raise ValueError(f"batch_records must be 1 to {MAX_BATCH_RECORDS}")
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
        try:
            response.raise_for_status()
            results = response.json()["results"]
        except (requests.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise ServerUnavailable(f"unusable answer to a batch: HTTP {response.status_code}") from exc
        if not isinstance(results, list) or len(results) != len(records):
            raise ServerUnavailable("the server answered for a different number of records")
        return results

    def send_heartbeat(self, beat: Heartbeat) -> None:
        response = self._post_json("/api/v1/heartbeat", beat.model_dump(mode="json"))
        if response.status_code >= 400:
            raise ServerUnavailable(f"the heartbeat was refused: HTTP {response.status_code} {response.text[:200]}")

    def get_pack(self, etag: str | None) -> bytes | None:
        """The server's signed lesson pack document, or None when it is the one we hold (or there is none)."""
        headers = {"If-None-Match": f'"{etag}"'} if etag else {}
        response = self._request("GET", "/api/v1/packs", headers=headers, stream=True)
        with response:
            if response.status_code in (304, 404):
                return None
            if response.status_code != 200:
                raise ServerUnavailable(f"unusable answer to a pack request: HTTP {response.status_code}")
            body = bytearray()
            try:
                for chunk in response.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > MAX_PACK_BYTES:
                        raise ServerUnavailable("the lesson pack download is larger than 50 MB")
            except requests.RequestException as exc:
                raise ServerUnavailable(f"the lesson pack download broke off ({exc.__class__.__name__})") from exc
            return bytes(body)


def take_batch(records: list[Record], max_records: int = MAX_BATCH_RECORDS) -> list[Record]:
    """The longest prefix of ``records`` that fits in ``max_records`` and the protocol's 1 MB."""
    size, batch = 2, []
    for record in records[:max_records]:
        size += len(record.model_dump_json()) + 1
        if batch and size > MAX_BATCH_BYTES:
            break
        batch.append(record)
    return batch


def push_pending(outbox: Outbox, client: SyncClient) -> PushResult:
    """Send every pending record; ack accepted and duplicates, quarantine rejected ones.

    Raises ServerUnavailable or NeedsEnrollment part-way; what was acked stays acked.
    """
    result = PushResult()
    while batch := take_batch(outbox.pending(client.batch_records), client.batch_records):
        answers = client.send_batch(batch)
        try:
            result.add(settle(outbox, ((record.id, answer) for record, answer in zip(batch, answers))))
        except UnknownAnswer as exc:
            raise ServerUnavailable(str(exc)) from None
    return result
