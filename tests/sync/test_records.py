"""The record schema keeps personal data out: typed payloads, pseudonymous learners, no extra fields."""
import datetime as dt

import pytest
from pydantic import ValidationError

from sync.learner_ids import new_card_id
from sync.records import Record, RecordDraft

BASE = {"device_id": "kiosk-abc123", "venue_id": "ca-phe-luka"}


@pytest.mark.parametrize("changes", [
    {"type": "step_answered", "payload": {"step_id": "a", "answer": "b", "correct": True, "attempt": 1, "name": "Bà Lan"}},
    {"type": "session_started", "payload": {"phone": "0901234567"}},
    {"type": "session_started", "learner": "Nguyễn Văn A"},
    {"type": "session_started", "learner": "079123456789"},
    {"type": "session_started", "full_name": "Nguyễn Văn A"},
    {"type": "qr_scanned", "payload": {"card": "vietqr-dung", "trusted": True, "correct": True, "text": "000201..."}},
    {"type": "session_started", "device_time": dt.datetime(2026, 1, 1)},
    {"type": "no_such_type"},
])
def test_personal_or_untyped_data_is_refused(changes):
    with pytest.raises(ValidationError):
        RecordDraft(**BASE, **changes)


def test_a_record_round_trips_through_json_unchanged():
    draft = RecordDraft(**BASE, type="lesson_completed", lesson_id="ma-otp-la-bi-mat", learner=new_card_id(),
                        payload={"questions": 2, "first_try_correct": 1})
    record = Record(**draft.model_dump(), seq=7)
    assert Record.model_validate_json(record.model_dump_json()) == record
    assert record.boot_id and record.monotonic_s >= 0 and record.device_time.tzinfo is not None
