"""Reading a long queue in batches, as the USB export does: oldest first, appends going on between batches."""
import threading

from sync.outbox import Outbox
from tests.helpers import draft


def test_iter_pending_yields_every_pending_record_oldest_first_in_batches(tmp_path):
    outbox = Outbox(tmp_path, segment_records=16)
    records = [outbox.append(draft()) for _ in range(250)]
    outbox.ack([records[3].id, records[100].id])
    expected = [r for i, r in enumerate(records) if i not in (3, 100)]
    batches = list(outbox.iter_pending(batch=100))
    assert [len(b) for b in batches] == [100, 100, 48]
    assert [r for b in batches for r in b] == expected
    assert outbox.pending(limit=5, after_seq=200) == records[200:205]


def test_appends_go_on_between_batches(tmp_path):
    outbox = Outbox(tmp_path, segment_records=16)
    for _ in range(60):
        outbox.append(draft())
    stream = outbox.iter_pending(batch=25)
    first = next(stream)
    appended = []
    writer = threading.Thread(target=lambda: appended.append(outbox.append(draft())))
    writer.start()
    writer.join(5)
    assert appended and appended[0].seq == 61  # the stream held no lock while paused
    rest = [r for batch in stream for r in batch]
    assert [r.seq for r in first + rest] == list(range(1, 62))
