"""Records and kiosks for the sync tests: valid records of one device, and enrolled kiosks with their own outbox."""
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sync.client import SyncClient, enroll
from sync.credentials import Credentials
from sync.outbox import Outbox
from sync.records import Record, RecordDraft


def make_draft(device_id: str, **changes) -> RecordDraft:
    fields = dict(device_id=device_id, venue_id="ca-phe-luka", type="step_answered", lesson_id="ma-otp-la-bi-mat",
                  learner="anon-0123456789abcdef0123456789abcdef",
                  payload={"step_id": "otp-la", "answer": "gui-nham", "correct": False, "attempt": 1})
    return RecordDraft(**{**fields, **changes})


def make_records(device_id: str, count: int, start_seq: int = 1, **changes) -> list[Record]:
    return [Record(**make_draft(device_id, **changes).model_dump(), seq=start_seq + i) for i in range(count)]


@dataclass
class Kiosk:
    """A simulated kiosk: a real outbox on disk and credentials enrolled at a real ward server."""

    credentials: Credentials
    outbox: Outbox

    @property
    def device_id(self) -> str:
        return self.credentials.device_id

    def queue(self, count: int, **changes) -> list[str]:
        return [str(self.outbox.append(make_draft(self.device_id, **changes)).id) for _ in range(count)]

    def client(self, server_url: str | None = None, **options) -> SyncClient:
        """A client for this kiosk, talking to ``server_url`` (a proxy, say) instead of where it enrolled."""
        credentials = self.credentials.model_copy(update={"server_url": server_url} if server_url else {})
        return SyncClient(credentials, **options)


def enroll_kiosk(server, folder: Path, device_id: str, **outbox_options) -> Kiosk:
    credentials = enroll(server.url, server.enrollment_token(), device_id)
    return Kiosk(credentials, Outbox(folder / device_id, **outbox_options))


def at(year: int, *args: int) -> dt.datetime:
    return dt.datetime(year, *args, tzinfo=dt.timezone.utc)
