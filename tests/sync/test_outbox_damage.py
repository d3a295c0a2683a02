"""Damage to the outbox's files: found after open, it is set aside once and never raised; at any time,
every record whose stored bytes are intact is kept (hypothesis)."""
import json
import logging
import tempfile
import uuid
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.outbox import QUARANTINE, Outbox
from tests.helpers import draft


def reopened_with(folder: Path, count: int, **options) -> tuple[Outbox, list[str]]:
    """An outbox holding ``count`` records, closed and opened again so no segment is cached."""
    with Outbox(folder, **options) as outbox:
        ids = [str(outbox.append(draft()).id) for _ in range(count)]
    return Outbox(folder, **options), ids


def segment(folder: Path, number: int) -> Path:
    return sorted(folder.glob("seg-*.json"))[number]


def errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_segment_that_breaks_after_open_is_salvaged_once_not_raised(tmp_path, caplog):
    outbox, ids = reopened_with(tmp_path, 12, segment_records=4)
    middle = segment(tmp_path, 1)
    text = middle.read_text()
    middle.write_text(text[: text.index('"7":{')])  # 5 and 6 intact, 7 and 8 gone
    with caplog.at_level(logging.ERROR, logger="sync.outbox"):
        assert [str(r.id) for r in outbox.pending()] == ids[:6] + ids[8:]
        assert [str(r.id) for r in outbox.pending()] == ids[:6] + ids[8:]
    [line] = errors(caplog)
    assert middle.name in line and "2 record(s) saved, 2 set aside" in line
    assert (tmp_path / QUARANTINE / middle.name).read_text() == text[: text.index('"7":{')]
    outbox.ack(ids[:6] + ids[8:])
    stats = outbox.stats()
    assert (stats.pending, stats.set_aside_records, stats.quarantined_segments) == (0, 2, 1)
    outbox.close()
    with Outbox(tmp_path, segment_records=4) as again:
        assert again.stats().pending == 0 and again.stats().set_aside_records == 2
        assert again.append(draft()).seq == 13


def test_a_record_whose_id_changed_after_open_is_set_aside_without_looping(tmp_path, caplog):
    outbox, ids = reopened_with(tmp_path, 8, segment_records=4)
    second = segment(tmp_path, 1)
    second.write_text(second.read_text().replace(ids[5], str(uuid.uuid4())))
    with caplog.at_level(logging.ERROR, logger="sync.outbox"):
        batch = outbox.pending()
        assert [str(r.id) for r in batch] == ids[:5] + ids[6:]
        outbox.ack([r.id for r in batch])
        assert outbox.pending() == []
    assert len(errors(caplog)) == 1 and outbox.stats().set_aside_records == 1


def test_ack_and_quarantine_survive_files_that_broke_or_vanished(tmp_path, caplog):
    outbox, ids = reopened_with(tmp_path, 12, segment_records=4)
    segment(tmp_path, 0).write_text("{")
    vanished = segment(tmp_path, 1)
    vanished.unlink()
    with caplog.at_level(logging.ERROR, logger="sync.outbox"):
        outbox.ack(ids[:4])  # nothing left to ack: set aside as unreadable
        outbox.quarantine(ids[4:6], "refused")
        outbox.ack(ids[:6])
        assert [str(r.id) for r in outbox.pending()] == ids[8:]
    assert len(errors(caplog)) == 2
    stats = outbox.stats()
    assert (stats.pending, stats.set_aside_records, stats.quarantined) == (4, 8, 0)
    assert outbox.append(draft()).seq == 13
    outbox.close()


def test_the_newest_segment_breaking_after_open_does_not_stop_appends(tmp_path):
    outbox, ids = reopened_with(tmp_path, 6, segment_records=4)
    segment(tmp_path, 1).write_bytes(b"\x00" * 40)
    record = outbox.append(draft())
    assert record.seq == 7
    assert [str(r.id) for r in outbox.pending()] == ids[:4] + [str(record.id)]
    outbox.close()
    with Outbox(tmp_path, segment_records=4) as again:
        assert again.append(draft()).seq == 9  # past the range the damaged segment reserved


def intact_docs(original: bytes) -> dict[int, bytes]:
    """Each document's bytes as written, by seq."""
    docs = json.loads(original)["records"]
    return {int(seq): f'"{seq}":{json.dumps(doc, ensure_ascii=False, separators=(",", ":"))}'.encode()
            for seq, doc in docs.items()}


DAMAGE = st.one_of(
    st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=4)
    .map(lambda flips: ("flip", flips)),
    st.floats(0, 1).map(lambda cut: ("cut", cut)),
    st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=8)).map(lambda insert: ("insert", insert)),
)


def damaged(original: bytes, damage: tuple) -> bytes:
    kind, how = damage
    if kind == "cut":
        return original[: int(how * len(original))]
    if kind == "insert":
        at = int(how[0] * len(original))
        return original[:at] + how[1] + original[at:]
    data = bytearray(original)
    for where, byte in how:
        data[int(where * len(data))] = byte
    return bytes(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damage=DAMAGE, records=st.integers(1, 6))
def test_random_damage_never_loses_an_intact_record_and_open_never_raises(damage, records):
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        with Outbox(folder, segment_records=8, fsync=False) as outbox:
            ids = [str(outbox.append(draft("step_answered")).id) for _ in range(records)]
        path = segment(folder, 0)
        original = path.read_bytes()
        broken = damaged(original, damage)
        path.write_bytes(broken)
        intact = {seq for seq, doc in intact_docs(original).items() if doc in broken}
        with Outbox(folder, segment_records=8, fsync=False) as outbox:
            pending = outbox.pending()
            seqs = [r.seq for r in pending]
            assert set(seqs) >= intact and len(set(seqs)) == len(seqs)
            assert {str(r.id) for r in pending if r.seq in intact} == {ids[seq - 1] for seq in intact}
            outbox.ack([r.id for r in pending])
            assert outbox.append(draft()).seq > records
        with Outbox(folder, segment_records=8, fsync=False) as outbox:
            assert outbox.pending() == outbox.pending()[:1] and outbox.stats().pending == 1


def test_an_id_spelt_differently_counts_as_damage(tmp_path):
    """A flipped bit can turn a hex digit into its capital: such an id could never be acked."""
    with Outbox(tmp_path) as outbox:
        ids = [str(outbox.append(draft()).id) for _ in range(3)]
    path = segment(tmp_path, 0)
    path.write_text(path.read_text().replace(ids[1], ids[1].upper()))
    with Outbox(tmp_path) as outbox:
        outbox.ack([r.id for r in outbox.pending()])
        assert outbox.stats().pending == 0
