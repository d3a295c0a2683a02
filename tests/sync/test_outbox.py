"""The outbox on real files: seq, states, retention, stats, recovery, a full disk and threads."""
import errno
import json
import logging
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from sync.atomic_storage import TEMP_SUFFIX
from sync.outbox import QUARANTINE, Outbox, OutboxFull
from tests.helpers import draft, on_disk


def fill(outbox: Outbox, count: int) -> list[str]:
    return [str(outbox.append(draft("step_answered")).id) for _ in range(count)]


def segment_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("seg-*.json"))


def test_append_numbers_records_and_pending_gives_the_oldest_first(tmp_path):
    outbox = Outbox(tmp_path, segment_records=4)
    records = [outbox.append(draft()) for _ in range(10)]
    assert [r.seq for r in records] == list(range(1, 11))
    assert outbox.pending(limit=6) == records[:6]
    assert len(segment_files(tmp_path)) == 3
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
    for reopened in (outbox, Outbox(tmp_path, segment_records=3)):
        assert [str(r.id) for r in reopened.pending()] == [ids[3], ids[5], ids[6]]
        stats = reopened.stats()
        assert (stats.pending, stats.acked, stats.quarantined) == (3, 3, 1)
    states = {row.id: row.state for row in on_disk(tmp_path)}
    assert [states[i] for i in ids] == ["acked"] * 3 + ["pending", "rejected", "pending", "pending"]
    rejected = json.loads(segment_files(tmp_path)[1].read_text())["records"]["5"]
    assert rejected["reason"] == "invalid payload"


def test_seq_never_repeats_after_everything_is_acked_and_pruned(tmp_path):
    outbox = Outbox(tmp_path, segment_records=4, retention_s=0)
    ids = fill(outbox, 10)
    outbox.ack(ids)
    assert len(segment_files(tmp_path)) == 1  # only the newest segment, which keeps the counter
    assert Outbox(tmp_path, segment_records=4).append(draft()).seq == 11
    assert Outbox(tmp_path, segment_records=4, retention_s=0).append(draft()).seq == 12


def test_acked_segments_stay_until_the_retention_has_passed(tmp_path):
    outbox = Outbox(tmp_path, segment_records=4, retention_s=3600)
    outbox.ack(fill(outbox, 12))
    assert len(segment_files(tmp_path)) == 3 and outbox.stats().acked == 12
    later = Outbox(tmp_path, segment_records=4, retention_s=0.2)
    assert later.stats().acked == 12
    time.sleep(0.25)
    later.ack([])  # any ack looks for segments past their retention
    assert later.stats().acked == 4 and len(segment_files(tmp_path)) == 1


def test_a_segment_holding_a_rejected_record_is_kept(tmp_path):
    outbox = Outbox(tmp_path, segment_records=2, retention_s=0)
    ids = fill(outbox, 6)
    outbox.quarantine([ids[0]], "refused")
    outbox.ack(ids[1:])
    assert [p.name.split("-")[1] for p in segment_files(tmp_path)] == ["000000000001", "000000000005"]
    assert outbox.stats().quarantined == 1


def test_stats_count_age_and_bytes(tmp_path):
    outbox = Outbox(tmp_path, segment_records=4)
    assert outbox.stats().oldest_pending_age_s is None and outbox.stats().bytes_on_disk == 0
    ids = fill(outbox, 6)
    time.sleep(0.2)
    outbox.ack(ids[:1])
    stats = outbox.stats()
    assert (stats.pending, stats.acked, stats.segments) == (5, 1, 2)
    assert 0.2 <= stats.oldest_pending_age_s < 5
    assert stats.bytes_on_disk == sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file())


def test_leftover_temporary_files_are_removed_at_open(tmp_path, caplog):
    ids = fill(Outbox(tmp_path, segment_records=4), 6)
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


@pytest.mark.parametrize("damage", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_an_unreadable_segment_is_quarantined_and_the_rest_keeps_working(tmp_path, caplog, damage):
    ids = fill(Outbox(tmp_path, segment_records=4), 12)
    middle = segment_files(tmp_path)[1]
    middle.write_text(damage(middle.read_text()), encoding="latin-1")
    with caplog.at_level(logging.ERROR, logger="sync.outbox"):
        outbox = Outbox(tmp_path, segment_records=4)
    assert middle.name in caplog.text and QUARANTINE in caplog.text
    assert (tmp_path / QUARANTINE / middle.name).exists() and not middle.exists()
    assert [str(r.id) for r in outbox.pending()] == ids[:4] + ids[8:]
    stats = outbox.stats()
    assert stats.quarantined_segments == 1 and stats.pending == 8
    assert stats.bytes_on_disk == sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file())
    assert outbox.append(draft()).seq == 13
    outbox.ack(ids[:4])
    assert Outbox(tmp_path, segment_records=4).stats().quarantined_segments == 1


def test_a_segment_repeating_a_pending_record_is_quarantined(tmp_path, caplog):
    ids = fill(Outbox(tmp_path, segment_records=2), 4)
    second = segment_files(tmp_path)[1]
    second.write_text(second.read_text().replace(ids[2], ids[0]))
    with caplog.at_level(logging.ERROR, logger="sync.outbox"):
        outbox = Outbox(tmp_path, segment_records=2)
    assert "already pending" in caplog.text
    assert [str(r.id) for r in outbox.pending()] == ids[:2]
    assert outbox.stats().quarantined_segments == 1


def test_a_damaged_newest_segment_cannot_make_seq_repeat(tmp_path):
    fill(Outbox(tmp_path, segment_records=4), 6)  # the newest segment holds 5 and 6 of 5..8
    newest = segment_files(tmp_path)[-1]
    newest.write_text("{")
    assert Outbox(tmp_path, segment_records=4).append(draft()).seq == 9  # past the whole reserved range
    assert Outbox(tmp_path, segment_records=4).append(draft()).seq == 10


def test_a_damaged_record_inside_valid_json_is_rejected_not_stalling_sync(tmp_path, caplog):
    ids = fill(Outbox(tmp_path), 3)
    segment = segment_files(tmp_path)[0]
    segment.write_text(segment.read_text().replace('"kiosk-test"', '"KIOSK TEST!"', 1))
    outbox = Outbox(tmp_path)
    with caplog.at_level(logging.ERROR, logger="sync.outbox"):
        assert [str(r.id) for r in outbox.pending()] == ids[1:]
    assert "damaged" in caplog.text
    assert outbox.stats().quarantined == 1
    assert [str(r.id) for r in Outbox(tmp_path).pending()] == ids[1:]


class SmallDisk:
    """A data partition of ``capacity`` bytes around one folder, by an injected ENOSPC.

    The fsync of a temporary file fails once the folder holds more than ``capacity`` bytes, the
    temporary file included, as a real disk fails a write it has no room for.
    """

    def __init__(self, folder: Path, monkeypatch) -> None:
        self.folder = folder
        self.capacity: int | None = None
        real_fsync = os.fsync

        def fsync(fd: int) -> None:
            name = os.readlink(f"/proc/self/fd/{fd}")
            if self.capacity is not None and name.endswith(TEMP_SUFFIX) and self.used() > self.capacity:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)
            real_fsync(fd)

        monkeypatch.setattr(os, "fsync", fsync)

    def used(self) -> int:
        return sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())


@pytest.fixture
def small_disk(tmp_path, monkeypatch) -> SmallDisk:
    return SmallDisk(tmp_path, monkeypatch)


def test_a_full_disk_first_removes_acked_records_however_recent(tmp_path, small_disk):
    outbox = Outbox(tmp_path, segment_records=4, retention_s=3600)
    ids = fill(outbox, 12)
    outbox.ack(ids[:8])
    small_disk.capacity = small_disk.used() + 100  # no room for another segment
    record = outbox.append(draft())
    assert record.seq == 13
    stats = outbox.stats()
    assert (stats.pending, stats.acked) == (5, 0)
    assert [str(r.id) for r in Outbox(tmp_path, segment_records=4).pending()] == ids[8:] + [str(record.id)]


def test_a_full_disk_with_nothing_to_remove_refuses_the_record_and_damages_nothing(tmp_path, small_disk):
    outbox = Outbox(tmp_path, segment_records=4)
    ids = fill(outbox, 6)
    before = {p.name: p.read_bytes() for p in segment_files(tmp_path)}
    small_disk.capacity = small_disk.used()
    with pytest.raises(OutboxFull) as refused:
        outbox.append(draft())
    assert isinstance(refused.value, OSError) and refused.value.errno == errno.ENOSPC
    assert {p.name: p.read_bytes() for p in segment_files(tmp_path)} == before
    assert not list(tmp_path.glob("*" + TEMP_SUFFIX))
    assert outbox.stats().pending == 6
    small_disk.capacity = None  # a technician made room
    assert outbox.append(draft()).seq == 7  # the refused record took no seq
    assert [str(r.id) for r in Outbox(tmp_path, segment_records=4).pending()][:6] == ids


def test_a_disk_filled_with_pending_records_can_still_drain(tmp_path, small_disk, caplog):
    outbox = Outbox(tmp_path, segment_records=4, retention_s=3600)
    ids = fill(outbox, 14)
    small_disk.capacity = small_disk.used()
    acked = []
    while batch := outbox.pending(limit=10):  # larger than a segment, as sync's batches are
        outbox.ack([r.id for r in batch])
        acked += [str(r.id) for r in batch]
    assert "instead of rewriting it" in caplog.text  # completed segments went without a rewrite
    assert acked == ids
    assert outbox.stats().pending == 0 and Outbox(tmp_path, segment_records=4).stats().pending == 0
    assert outbox.append(draft()).seq == 15


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
    reopened = Outbox(tiny_tmpfs / "outbox", segment_records=16)
    assert [str(r.id) for r in reopened.pending(limit=10**6)] == stored
    while batch := reopened.pending(limit=50):
        reopened.ack([r.id for r in batch])
    assert reopened.append(draft()).seq == len(stored) + 1


def test_a_failure_after_the_rename_cannot_make_seq_repeat(tmp_path, monkeypatch):
    outbox = Outbox(tmp_path)
    first = outbox.append(draft())
    real_fsync = os.fsync

    def folder_fsync_fails_once(fd: int) -> None:
        if os.path.isdir(os.readlink(f"/proc/self/fd/{fd}")):
            monkeypatch.setattr(os, "fsync", real_fsync)
            raise OSError(errno.EIO, "I/O error")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", folder_fsync_fails_once)
    with pytest.raises(OSError):
        outbox.append(draft())  # its file was renamed into place; only its durability is unknown
    assert outbox.append(draft()).seq == 3
    rows = on_disk(tmp_path)
    assert [row.seq for row in rows] == [1, 2, 3] and rows[0].id == str(first.id)
    assert len(Outbox(tmp_path).pending()) == outbox.stats().pending == 3


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
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and writing.is_set():
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
    assert len(appended) > 100
    assert [r.seq for r in appended] == list(range(1, len(appended) + 1))
    assert acked | rejected == {str(r.id) for r in appended} and not acked & rejected
    for view in (outbox, Outbox(tmp_path, segment_records=16)):
        stats = view.stats()
        assert (stats.pending, stats.acked, stats.quarantined) == (0, len(acked), len(rejected))
    rows = on_disk(tmp_path)
    assert sorted(row.seq for row in rows) == list(range(1, len(appended) + 1))
    assert {row.id for row in rows if row.state == "acked"} == acked
