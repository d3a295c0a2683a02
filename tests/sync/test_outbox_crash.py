"""kill -9 at random moments: every record whose append returned is still there, exactly once.

A child process appends, acks and rejects records in a loop on a real outbox, writing what each call
returned to a side log, and is SIGKILLed after a random delay. After every kill the outbox is
opened again (recovery included) and checked against the log and the files on disk.

The side log is written with plain ``os.write``: SIGKILL ends the process but not the kernel, so
what reached the page cache survives it. This test therefore covers crashes of the program, not
power loss; the fsyncs that guard against power loss are what the atomic storage adds on top.

This module imports no pytest and no test helpers at top level so the child starts quickly (it
starts 240 times); the parent's checks import them where they run.
"""
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from sync.outbox import REJECTED, Outbox
from sync.records import RecordDraft

TRIALS = 240
TRIALS_PER_OUTBOX = 20  # a fresh outbox now and then keeps each reopen small and the test quick
SEGMENT_RECORDS = 8  # small, so kills land while segments are created, rewritten and pruned
MAX_KILL_DELAY_S = 0.04
ROOT = Path(__file__).resolve().parents[2]
CHILD = "import sys; from tests.sync.test_outbox_crash import child; child(*sys.argv[1:])"


def child(folder: str, log_path: str, seed: str, retention_s: str) -> None:
    """The victim: append, ack and reject at random until killed, logging every call that returned."""
    rng = random.Random(int(seed))
    outbox = Outbox(folder, segment_records=SEGMENT_RECORDS, retention_s=float(retention_s))
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def note(*words: object) -> None:
        os.write(log, (" ".join(map(str, words)) + "\n").encode())

    print("ready", flush=True)
    while True:
        roll = rng.random()
        if roll < 0.6:
            record = outbox.append(RecordDraft(device_id="kiosk-test", venue_id="ward-test", type="heartbeat"))
            note("appended", record.id, record.seq)
            continue
        ids = [str(r.id) for r in outbox.pending(rng.randint(1, 12)) if rng.random() < 0.8]
        verb = "acked" if roll < 0.93 else "rejected"
        note(verb + "?", *ids)  # may have happened, if the kill comes before the line below
        if verb == "acked":
            outbox.ack(ids)
        else:
            outbox.quarantine(ids, "refused in the crash test")
        note(verb, *ids)


class Log(NamedTuple):
    appended: dict[str, int]
    seqs: Counter
    started: dict[str, set[str]]
    done: dict[str, set[str]]


def read_log(path: Path) -> Log:
    appended, seqs = {}, Counter()
    started = {"acked": set(), "rejected": set()}
    done = {"acked": set(), "rejected": set()}
    lines = path.read_text().split("\n")[:-1] if path.exists() else []  # the last piece may be cut off
    for verb, *words in (line.split() for line in lines):
        if verb == "appended":
            appended[words[0]] = int(words[1])
            seqs[int(words[1])] += 1
        elif verb.endswith("?"):
            started[verb[:-1]].update(words)
        else:
            done[verb].update(words)
    return Log(appended, seqs, started, done)


def check(folder: Path, log_path: Path, retention_s: float) -> Counter:
    """Reopen the outbox after a kill; count every way it disagrees with what the child was told."""
    from tests.helpers import Row, on_disk

    outbox = Outbox(folder, segment_records=SEGMENT_RECORDS, retention_s=retention_s)
    log, rows = read_log(log_path), on_disk(folder) + on_disk(folder / REJECTED)
    where = {row.id: row for row in rows}
    handed_over = log.started["acked"] | log.started["rejected"]
    pending_api = {str(r.id) for r in outbox.pending(limit=10**9)}
    problems = Counter(
        duplicate_ids=len(rows) - len(where),
        duplicate_seqs=len(rows) - len({row.seq for row in rows}),
        repeated_seqs=sum(n - 1 for n in log.seqs.values()),
        lost=sum(1 for i, seq in log.appended.items()
                 if i not in handed_over and where.get(i) != Row(i, seq, "pending")),
        lost_acked_in_retention=sum(1 for i in log.appended if retention_s and i not in where),
        acked_pending=sum(1 for i in log.done["acked"] if i in pending_api or getattr(where.get(i), "state", "") == "pending"),
        rejected_not_kept=sum(1 for i in log.done["rejected"] if getattr(where.get(i), "state", "") != "rejected"),
        index_differs_from_disk=len(pending_api ^ {row.id for row in rows if row.state == "pending"}),
        temp_files_after_open=len(list(folder.glob("*.tmp"))),
        quarantined_segments=outbox.stats().quarantined_segments,
        set_aside_records=outbox.stats().set_aside_records,
    )
    outbox.close()
    return +problems


def kill_at_random(folder: Path, log_path: Path, seed: int, retention_s: float, delay_s: float) -> None:
    with open(log_path.with_suffix(".stderr"), "w") as stderr:
        victim = subprocess.Popen([sys.executable, "-c", CHILD, str(folder), str(log_path), str(seed), str(retention_s)],
                                  cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True)
        ready = victim.stdout.readline()
        time.sleep(delay_s)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        victim.stdout.close()
    assert ready == "ready\n" and victim.returncode == -signal.SIGKILL, \
        log_path.with_suffix(".stderr").read_text()


def test_records_survive_kill_9_at_random_moments(tmp_path: Path, capsys) -> None:
    rng = random.Random()
    problems, temp_files = Counter(), 0
    for trial in range(TRIALS):
        group = trial // TRIALS_PER_OUTBOX
        folder, log_path = tmp_path / f"outbox-{group}", tmp_path / f"log-{group}"
        retention_s = 0.0 if group % 2 else 3600.0  # odd outboxes prune acked segments at once
        kill_at_random(folder, log_path, trial, retention_s, rng.uniform(0, MAX_KILL_DELAY_S))
        temp_files += len(list(folder.glob("*.tmp")))
        problems += check(folder, log_path, retention_s)
    logs = [read_log(path) for path in tmp_path.glob("log-*[0-9]")]
    with capsys.disabled():
        print(f"\noutbox crash test: {TRIALS} kill -9 trials, "
              f"{sum(len(log.appended) for log in logs)} appends returned, "
              f"{sum(len(log.done['acked']) for log in logs)} acked, "
              f"{sum(len(log.done['rejected']) for log in logs)} rejected, "
              f"{temp_files} interrupted writes cleaned up; losses {problems['lost']}, "
              f"other problems {dict(problems - Counter(lost=problems['lost'])) or 0}")
    assert not problems
    assert sum(len(log.appended) for log in logs) > TRIALS  # the kills did not all land before any work
