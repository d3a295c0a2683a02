"""The kiosk's side of sync protocol v1, over requests.

The transport is a ``requests.Session`` passed in, which is the seam for tests and for a ward CA
bundle. Errors are sorted into the two things the kiosk can act on: the server is unreachable for
now (retry later, keep everything) or the server no longer knows this kiosk (stop, re-enroll).
"""
import gzip
import json
from dataclasses import dataclass, field

import requests

from sync.credentials import Credentials
from sync.outbox import Outbox
from sync.records import Record

MAX_BATCH_RECORDS = 500
MAX_BATCH_BYTES = 1_000_000


class ServerUnavailable(Exception):
    """No usable answer this time (no connection, timeout, 5xx, garbled reply): try again later."""


class NeedsEnrollment(Exception):
    """The server refused this kiosk's token (401/403): retrying will not help."""


def _call(http: requests.Session, method: str, url: str, timeout: float, **kwargs) -> requests.Response:
    try:
        response = http.request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        raise ServerUnavailable(f"{method} {url}: {exc.__class__.__name__}") from exc
    if response.status_code in (401, 403):
        raise NeedsEnrollment(f"{method} {url}: {response.status_code} {response.text[:200]}")
    if response.status_code >= 500 or response.status_code in (408, 429):
        raise ServerUnavailable(f"{method} {url}: HTTP {response.status_code}")
    return response


class EnrollmentFailed(Exception):
    """The server refused the enrollment code; the message says why, for the technician."""


def enroll(server_url: str, token: str, device_id: str, http: requests.Session | None = None,
           timeout: float = 15) -> Credentials:
    """Spend a one-time enrollment token on ``device_id``; returns this kiosk's new credentials."""
    base = server_url.rstrip("/")
    try:
        response = _call(http or requests.Session(), "POST", f"{base}/api/v1/enroll", timeout,
                         json={"token": token, "device_id": device_id})
    except NeedsEnrollment as exc:
        raise EnrollmentFailed(str(exc)) from None
    if response.status_code >= 400:
        raise EnrollmentFailed(f"HTTP {response.status_code}: {response.text[:200]}")
    return Credentials(server_url=base, **response.json())


@dataclass
class PushResult:
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)


class SyncClient:
    """Sends records for one enrolled kiosk."""

    def __init__(self, credentials: Credentials, http: requests.Session | None = None, timeout: float = 15) -> None:
        self.credentials = credentials
        self.http = http or requests.Session()
        self.timeout = timeout

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credentials.device_id}.{self.credentials.secret}"}

    def send_batch(self, records: list[Record]) -> list[dict]:
        """POST one batch gzipped; returns the server's per-record results, in order."""
        body = gzip.compress(json.dumps({"records": [r.model_dump(mode="json") for r in records]}).encode())
        response = _call(self.http, "POST", f"{self.credentials.server_url}/api/v1/records", self.timeout,
                         data=body, headers={**self._headers(), "Content-Type": "application/json",
                                             "Content-Encoding": "gzip"})
        try:
            response.raise_for_status()
            results = response.json()["results"]
        except (requests.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise ServerUnavailable(f"unusable answer to a batch: HTTP {response.status_code}") from exc
        if len(results) != len(records):
            raise ServerUnavailable("the server answered for a different number of records")
        return results


def take_batch(records: list[Record]) -> list[Record]:
    """The longest prefix of ``records`` that fits the protocol's 500-record, 1 MB batch."""
    size, batch = 2, []
    for record in records[:MAX_BATCH_RECORDS]:
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
    while batch := take_batch(outbox.pending(MAX_BATCH_RECORDS)):
        answers = client.send_batch(batch)
        done, refused = [], {}
        for record, answer in zip(batch, answers):
            status = answer.get("status")
            if status in ("accepted", "duplicate"):
                done.append(record.id)
                setattr(result, status, getattr(result, status) + 1)
            elif status == "rejected":
                refused[record.id] = str(answer.get("reason") or "rejected")
            else:
                raise ServerUnavailable(f"unknown status {status!r} in the server's answer")
        outbox.ack(done)
        for record_id, reason in refused.items():
            outbox.quarantine([record_id], reason)
            result.reasons.append(reason)
        result.rejected += len(refused)
    return result
