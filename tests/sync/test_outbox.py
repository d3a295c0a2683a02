"""The outbox on real files: seq, states, retention, stats, recovery, a full disk and threads.

Faults come in through the outbox's seams: a storage class whose fsync fails as a full or broken
card would, and a clock the test moves; nothing here patches ``os.fsync`` or sleeps.
"""
import errno
import json
import logging
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from sync.atomic_storage import TEMP_SUFFIX, AtomicJSONStorage
from sync.outbox import QUARANTINE, REJECTED, STATE_FILE, Outbox, OutboxFull
from tests.helpers import draft, on_disk


def fill(outbox: Outbox, count: int) -> list[str]:
    return [str(outbox.append(draft("step_answered")).id) for _ in range(count)]


def filled(folder: Path, count: int, **options) -> list[str]:
    """Queue ``count`` records in an outbox that is closed again, as a kiosk that was stopped."""
    with Outbox(folder, **options) as outbox:
        return fill(outbox, count)


def segment_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("seg-*.json"))


def files_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_append_numbers_records_and_pending_gives_the_oldest_first(tmp_path):
    outbox = Outbox(tmp_path, segment_records=4)
    records = [outbox.append(draft()) for _ in range(10)]
    assert [r.seq for r in records] == list(range(1, 11))
    assert outbox.pending(limit=6) == records[:6]
    assert len(segment_files(tmp_path)) == 3
    outbox.close()
    assert Outbox(tmp_path, segment_records=4).pending() == records


def test_a_pending_id_cannot_be_queued_twice(tmp_path):
    outbox = Outbox(tmp_path)
    same = draft()
    outbox.append(same)
    with pytest.raises(ValueError, match="already queued"):
        outbox.append(same)
    assert outbox.stats().pending == 1


def test_acked_and_rejected_records_never_come_back_as_pending(tmp_path):
    outbox = Outbox(tmp_path, segment_records=3)
    ids = fill(outbox, 7)
    outbox.ack(ids[:3] + ["not-a-queued-id"])
    outbox.quarantine([ids[4]], "invalid payload")
    outbox.ack([ids[4]])  # already rejected: stays rejected
    for reopen in (False, True):
        if reopen:
            outbox.close()
            outbox = Outbox(tmp_path, segment_records=3)
        assert [str(r.id) for r in outbox.pending()] == [ids[3], ids[5], ids[6]]
        stats = outbox.stats()
        assert (stats.pending, stats.acked, stats.quarantined) == (3, 3, 1)
    states = {row.id: row.state for row in on_disk(tmp_path)}
    assert [states[i] for i in ids] == ["acked"] * 3 + ["pending", "rejected", "pending", "pending"]
    rejected = json.loads(segment_files(tmp_path)[1].read_text())["records"]["5"]
    assert rejected["reason"] == "invalid payload"


def test_seq_never_repeats_after_everything_is_acked_and_pruned(tmp_path):
    outbox = Outbox(tmp_path, segment_records=4, retention_s=0)
    ids = fill(outbox, 10)
    outbox.ack(ids)
    assert len(segment_files(tmp_path)) == 1  # only the newest segment: appends go there
    outbox.close()
    with Outbox(tmp_path, segment_records=4) as reopened:
        assert reopened.append(draft()).seq == 11
    with Outbox(tmp_path, segment_records=4, retention_s=0) as reopened:
        assert reopened.append(draft()).seq == 12


def test_acked_segments_stay_until_the_retention_has_passed(tmp_path):
    clock = Clock()
    outbox = Outbox(tmp_path, segment_records=4, retention_s=3600, clock=clock)
    outbox.ack(fill(outbox, 12))
    assert len(segment_files(tmp_path)) == 3 and outbox.stats().acked == 12
    clock.now += 3599
    outbox.ack([])  # any ack looks for segments past their retention
    assert outbox.stats().acked == 12
    clock.now += 1
    outbox.ack([])
    assert outbox.stats().acked == 4 and len(segment_files(tmp_path)) == 1


def test_a_rejected_record_moves_out_so_its_segment_can_go(tmp_path):
    clock = Clock()
    outbox = Outbox(tmp_path, segment_records=2, retention_s=3600, clock=clock)
    ids = fill(outbox, 6)
    outbox.quarantine([ids[0]], "refused")
    outbox.ack(ids[1:])
    assert len(segment_files(tmp_path)) == 3  # within the retention everything stays
    clock.now += 3600
    outbox.ack([])
    assert [p.name.split("-")[1] for p in segment_files(tmp_path)] == ["000000000005"]
    [moved] = (tmp_path / REJECTED).iterdir()
    kept = json.loads(moved.read_text())["records"]
    assert list(kept) == ["1"] and kept["1"]["reason"] == "refused" and kept["1"]["record"]["id"] == ids[0]
    stats = outbox.stats()
    assert (stats.quarantined, stats.segments, stats.bytes_on_disk) == (1, 1, files_size(tmp_path))
    outbox.close()
    with Outbox(tmp_path, segment_records=2) as reopened:
        assert reopened.stats().quarantined == 1 and reopened.append(draft()).seq == 7


def test_stats_count_age_and_bytes(tmp_path):
    clock = Clock()
    outbox = Outbox(tmp_path, segment_records=4, clock=clock)
    assert outbox.stats().oldest_pending_age_s is None and outbox.stats().bytes_on_disk == files_size(tmp_path)
    ids = fill(outbox, 6)
    clock.now += 90
    outbox.ack(ids[:1])
    stats = outbox.stats()
    assert (stats.pending, stats.acked, stats.segments, stats.set_aside_records) == (5, 1, 2, 0)
    assert stats.oldest_pending_age_s == 90
    assert stats.bytes_on_disk == files_size(tmp_path)


def test_leftover_temporary_files_are_removed_at_open(tmp_path, caplog):
    ids = filled(tmp_path, 6, segment_records=4)
    newest = segment_files(tmp_path)[-1]
    (tmp_path / (newest.name + TEMP_SUFFIX)).write_text('{"records": {"5": ')  # a rewrite cut short
    (tmp_path / ("seg-000000000009-000000000012.json" + TEMP_SUFFIX)).write_bytes(b"")  # a new segment cut short
    with caplog.at_level(logging.WARNING, logger="sync.outbox"):
        outbox = Outbox(tmp_path, segment_records=4)
    assert not list(tmp_path.glob("*" + TEMP_SUFFIX))
    assert caplog.text.count("interrupted write") == 2
    assert [str(r.id) for r in outbox.pending()] == ids
    assert outbox.append(draft()).seq == 7


CORRUPTIONS = {
    "cut short": lambda text: text[: len(text) // 2],
    "not JSON": lambda text: "\x00\xff garbage",
    "empty": lambda text: "",
    "a list": lambda text: "[]",
    "unknown state": lambda text: text.replace('"pending"', '"lost"', 1),
    "seq outside the name's range": lambda text: text.replace('"5":', '"99":', 1),
    "record seq differs from its key": lambda text: text.replace('"seq":5', '"seq":6', 1),
}


def intact_seqs(original: str, damaged: str) -> list[int]:
    """The seqs whose document, as written, is still byte for byte in ``damaged``."""
    docs = json.loads(original)["records"]
    return [int(seq) for seq, doc in docs.items()
            if f'"{seq}":{json.dumps(doc, ensure_ascii=False, separators=(",", ":"))}' in damaged]


@pytest.mark.parametrize("damage", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_damaged_segment_keeps_what_still_parses_and_sets_aside_the_rest(tmp_path, caplog, damage):
    ids = filled(tmp_path, 12, segment_records=4)
    middle = segment_files(tmp_path)[1]
    original = middle.read_text()
    middle.write_text(damage(original), encoding="latin-1")
    damaged = middle.read_bytes()
    saved = intact_seqs(original, damage(original))
    with caplog.at_level(logging.ERROR, logger="sync.outbox"):
        outbox = Outbox(tmp_path, segment_records=4)
    assert f"{middle.name} is damaged" in caplog.text and f"{len(saved)} record(s) saved" in caplog.text
    assert (tmp_path / QUARANTINE / middle.name).read_bytes() == damaged  # the original, for a technician
    assert middle.exists() == bool(saved)
    assert [str(r.id) for r in outbox.pending()] == ids[:4] + [ids[seq - 1] for seq in saved] + ids[8:]
    stats = outbox.stats()
    assert stats.quarantined_segments == 1 and stats.pending == 8 + len(saved)
    assert stats.set_aside_records <= 4 - len(saved)
    assert stats.bytes_on_disk == files_size(tmp_path)
    assert outbox.append(draft()).seq == 13
    outbox.ack(ids[:4])
    outbox.close()
    with Outbox(tmp_path, segment_records=4) as reopened:
        assert reopened.stats().quarantined_segments == 1
        assert reopened.stats().set_aside_records == stats.set_aside_records


def test_a_segment_repeating_a_pending_record_sets_aside_only_the_repeat(tmp_path, caplog):
    ids = filled(tmp_path, 4, segment_records=2)
    second = segment_files(tmp_path)[1]
    second.write_text(second.read_text().replace(ids[2], ids[0]))
    with caplog.at_level(logging.ERROR, logger="sync.outbox"):
        outbox = Outbox(tmp_path, segment_records=2)
    assert "already pending" in caplog.text and "1 record(s) saved, 1 set aside" in caplog.text
    assert [str(r.id) for r in outbox.pending()] == ids[:2] + ids[3:]
    stats = outbox.stats()
    assert (stats.quarantined_segments, stats.set_aside_records) == (1, 1)


def test_a_damaged_newest_segment_cannot_make_seq_repeat(tmp_path):
    filled(tmp_path, 6, segment_records=4)  # the newest segment holds 5 and 6 of 5..8
    newest = segment_files(tmp_path)[-1]
    newest.write_text("{")
    with Outbox(tmp_path, segment_records=4) as reopened:
        assert reopened.append(draft()).seq == 9  # past the whole reserved range
    with Outbox(tmp_path, segment_records=4) as reopened:
        assert reopened.append(draft()).seq == 10


@pytest.mark.parametrize("lost", ["the newest segment", "every segment"])
def test_the_seq_counter_survives_losing_segment_files(tmp_path, lost):
    filled(tmp_path, 6, segment_records=4)  # 1..4 and 5..6 of 5..8
    for path in segment_files(tmp_path)[-1:] if lost == "the newest segment" else segment_files(tmp_path):
        path.unlink()
    with Outbox(tmp_path, segment_records=4) as reopened:
        assert reopened.append(draft()).seq == 9
    with Outbox(tmp_path, segment_records=4) as reopened:
        assert reopened.append(draft()).seq == 10


def test_a_damaged_counter_file_is_rebuilt_from_the_segments(tmp_path, caplog):
    filled(tmp_path, 6, segment_records=4)
    (tmp_path / STATE_FILE).write_text('{"reserved": [1e400')
    with caplog.at_level(logging.ERROR, logger="sync.outbox"), Outbox(tmp_path, segment_records=4) as reopened:
        assert reopened.append(draft()).seq == 7
    assert f"{STATE_FILE} is damaged" in caplog.text
    assert json.loads((tmp_path / STATE_FILE).read_text())["reserved"] == [5, 8]


def test_the_counter_is_written_once_per_segment_not_per_append(tmp_path):
    writes = []

    class Counting(AtomicJSONStorage):
        @classmethod
        def replace(cls, path, data, fsync=True):
            writes.append(path.name)
            super().replace(path, data, fsync)

    with Outbox(tmp_path, segment_records=4, storage=Counting) as outbox:
        fill(outbox, 12)
    assert writes.count(STATE_FILE) == 3 and len(writes) == 15


def test_the_folders_the_outbox_creates_are_made_durable(tmp_path):
    synced = []

    class Recording(AtomicJSONStorage):
        @staticmethod
        def sync(fd: int) -> None:
            synced.append(Path(os.readlink(f"/proc/self/fd/{fd}")))
            os.fsync(fd)

    folder = tmp_path / "data" / "outbox"
    with Outbox(folder, segment_records=2, storage=Recording) as outbox:
        assert synced[:2] == [tmp_path, tmp_path / "data"]  # each new folder's entry in its parent
        fill(outbox, 4)
    (segment_files(folder)[0]).write_text("{")
    synced.clear()
    Outbox(folder, segment_records=2, storage=Recording).close()
    assert folder in synced and (folder / QUARANTINE).is_dir()
    assert synced.index(folder) < synced.index(folder / QUARANTINE)  # quarantine/ made durable before use


def test_a_damaged_record_inside_valid_json_is_rejected_not_stalling_sync(tmp_path, caplog):
    ids = filled(tmp_path, 3)
    segment = segment_files(tmp_path)[0]
    segment.write_text(segment.read_text().replace('"kiosk-test"', '"KIOSK TEST!"', 1))
    outbox = Outbox(tmp_path)
    with caplog.at_level(logging.ERROR, logger="sync.outbox"):
        assert [str(r.id) for r in outbox.pending()] == ids[1:]
    assert "damaged" in caplog.text
    stats = outbox.stats()
    assert stats.quarantined == 1 and stats.set_aside_records == 1
    outbox.close()
    assert [str(r.id) for r in Outbox(tmp_path).pending()] == ids[1:]


def small_disk(folder: Path) -> type[AtomicJSONStorage]:
    """A storage class for a data partition of ``capacity`` bytes around ``folder``, by an injected ENOSPC.

    The fsync of a temporary file fails once the folder holds more than ``capacity`` bytes, the
    temporary file included, as a real disk fails a write it has no room for.
    """

    class SmallDisk(AtomicJSONStorage):
        capacity: int | None = None

        @staticmethod
        def sync(fd: int) -> None:
            name = os.readlink(f"/proc/self/fd/{fd}")
            if SmallDisk.capacity is not None and name.endswith(TEMP_SUFFIX) and files_size(folder) > SmallDisk.capacity:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)
            os.fsync(fd)

    return SmallDisk


def test_a_full_disk_first_removes_acked_records_however_recent(tmp_path):
    disk = small_disk(tmp_path)
    outbox = Outbox(tmp_path, segment_records=4, retention_s=3600, storage=disk)
    ids = fill(outbox, 12)
    outbox.ack(ids[:8])
    disk.capacity = files_size(tmp_path) + 100  # no room for another segment
    record = outbox.append(draft())
    assert record.seq == 13
    stats = outbox.stats()
    assert (stats.pending, stats.acked) == (5, 0)
    outbox.close()
    assert [str(r.id) for r in Outbox(tmp_path, segment_records=4).pending()] == ids[8:] + [str(record.id)]


def test_a_full_disk_moves_rejected_records_out_however_recent(tmp_path):
    disk = small_disk(tmp_path)
    outbox = Outbox(tmp_path, segment_records=4, retention_s=3600, storage=disk)
    ids = fill(outbox, 11)
    outbox.quarantine([ids[1], ids[5]], "refused")
    outbox.ack(ids[:8])
    one_doc = len(json.dumps(json.loads(segment_files(tmp_path)[0].read_text())["records"]["2"]))
    disk.capacity = files_size(tmp_path) + one_doc * 3 // 2  # room for one rejected record, not for a rewrite
    record = outbox.append(draft())
    assert record.seq == 12
    stats = outbox.stats()
    assert (stats.pending, stats.acked, stats.quarantined, stats.segments) == (4, 0, 2, 1)
    assert sorted(p.name for p in (tmp_path / REJECTED).iterdir()) == [
        "seg-000000000001-000000000004.json", "seg-000000000005-000000000008.json"]
    outbox.close()
    with Outbox(tmp_path, segment_records=4) as reopened:
        assert [str(r.id) for r in reopened.pending()] == ids[8:] + [str(record.id)]
        assert reopened.stats().quarantined == 2


def test_a_full_disk_with_nothing_to_remove_refuses_the_record_and_damages_nothing(tmp_path):
    disk = small_disk(tmp_path)
    outbox = Outbox(tmp_path, segment_records=4, storage=disk)
    ids = fill(outbox, 6)
    before = {p.name: p.read_bytes() for p in segment_files(tmp_path)}
    disk.capacity = files_size(tmp_path)
    with pytest.raises(OutboxFull) as refused:
        outbox.append(draft())
    assert isinstance(refused.value, OSError) and refused.value.errno == errno.ENOSPC
    assert {p.name: p.read_bytes() for p in segment_files(tmp_path)} == before
    assert not list(tmp_path.glob("*" + TEMP_SUFFIX))
    assert outbox.stats().pending == 6
    disk.capacity = None  # a technician made room
    assert outbox.append(draft()).seq == 7  # the refused record took no seq
    outbox.close()
    assert [str(r.id) for r in Outbox(tmp_path, segment_records=4).pending()][:6] == ids


def test_a_disk_filled_with_pending_records_can_still_drain(tmp_path, caplog):
    disk = small_disk(tmp_path)
    outbox = Outbox(tmp_path, segment_records=4, retention_s=3600, storage=disk)
    ids = fill(outbox, 14)
    disk.capacity = files_size(tmp_path)
    acked = []
    while batch := outbox.pending(limit=10):  # larger than a segment, as sync's batches are
        outbox.ack([r.id for r in batch])
        acked += [str(r.id) for r in batch]
    assert "instead of rewriting it" in caplog.text  # completed segments went without a rewrite
    assert acked == ids
    assert outbox.stats().pending == 0
    assert outbox.append(draft()).seq == 15
    outbox.close()
    assert Outbox(tmp_path, segment_records=4).stats().pending == 1


@pytest.fixture
def tiny_tmpfs(tmp_path):
    """A real 64 KiB tmpfs, where the kernel itself says ENOSPC (needs root; skipped otherwise)."""
    mount_point = tmp_path / "tmpfs"
    mount_point.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=True)


def test_a_real_full_filesystem(tiny_tmpfs):
    outbox = Outbox(tiny_tmpfs / "outbox", segment_records=16)
    stored = []
    with pytest.raises(OutboxFull):
        while True:
            stored.append(str(outbox.append(draft("step_answered")).id))
    assert len(stored) > 20
    outbox.close()
    reopened = Outbox(tiny_tmpfs / "outbox", segment_records=16)
    assert [str(r.id) for r in reopened.pending(limit=10**6)] == stored
    while batch := reopened.pending(limit=50):
        reopened.ack([r.id for r in batch])
    assert reopened.append(draft()).seq == len(stored) + 1
    reopened.close()


def test_a_failure_after_the_rename_cannot_make_seq_repeat(tmp_path):
    failing = []

    class FolderFsyncFails(AtomicJSONStorage):
        @staticmethod
        def sync(fd: int) -> None:
            if failing and os.path.isdir(os.readlink(f"/proc/self/fd/{fd}")):
                failing.clear()
                raise OSError(errno.EIO, "I/O error")
            os.fsync(fd)

    outbox = Outbox(tmp_path, storage=FolderFsyncFails)
    first = outbox.append(draft())
    failing.append(True)
    with pytest.raises(OSError):
        outbox.append(draft())  # its file was renamed into place; only its durability is unknown
    assert outbox.append(draft()).seq == 3
    rows = on_disk(tmp_path)
    assert [row.seq for row in rows] == [1, 2, 3] and rows[0].id == str(first.id)
    assert outbox.stats().pending == 3
    outbox.close()
    assert len(Outbox(tmp_path).pending()) == 3


def test_appending_while_another_thread_reads_and_acks(tmp_path):
    outbox = Outbox(tmp_path, segment_records=16, retention_s=3600)
    appended, acked, rejected, errors = [], set(), set(), []
    writing = threading.Event()
    writing.set()

    def guarded(work):
        def run():
            try:
                work()
            except Exception as exc:  # reported in the main thread
                errors.append(exc)
                writing.clear()
        return threading.Thread(target=run)

    def write():
        while len(appended) < 150 and writing.is_set():  # a count, not a time: a busy disk only slows it
            appended.append(outbox.append(draft()))
        writing.clear()

    def settle():
        while writing.is_set() or outbox.stats().pending:
            batch = outbox.pending(limit=25)
            rejects = {str(r.id) for r in batch[::7]}
            oks = {str(r.id) for r in batch} - rejects
            outbox.ack(oks)
            outbox.quarantine(rejects, "refused")
            acked.update(oks)
            rejected.update(rejects)
            outbox.stats()

    threads = [guarded(write), guarded(settle)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert len(appended) == 150
    assert [r.seq for r in appended] == list(range(1, len(appended) + 1))
    assert acked | rejected == {str(r.id) for r in appended} and not acked & rejected
    for reopen in (False, True):
        if reopen:
            outbox.close()
            outbox = Outbox(tmp_path, segment_records=16)
        stats = outbox.stats()
        assert (stats.pending, stats.acked, stats.quarantined) == (0, len(acked), len(rejected))
    rows = on_disk(tmp_path) + on_disk(tmp_path / REJECTED)  # a segment with only rejected records moves at once
    assert sorted(row.seq for row in rows) == list(range(1, len(appended) + 1))
    assert {row.id for row in rows if row.state == "acked"} == acked
