"""One owner per outbox folder: a second program is refused with a clear message and touches nothing."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sync.atomic_storage import TEMP_SUFFIX
from sync.outbox import Outbox, OutboxLocked
from tests.helpers import draft

ROOT = Path(__file__).resolve().parents[2]
SECOND = """
import sys
from sync.outbox import Outbox, OutboxLocked
from tests.helpers import draft
try:
    outbox = Outbox(sys.argv[1])
except OutboxLocked as refused:
    print(refused)
    sys.exit(3)
print(outbox.append(draft()).seq)
"""


def second_program(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", SECOND, str(folder)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def test_a_second_program_is_refused_and_touches_nothing(tmp_path):
    outbox = Outbox(tmp_path)
    outbox.append(draft())
    in_progress = tmp_path / ("seg-000000000129-000000000256.json" + TEMP_SUFFIX)
    in_progress.write_bytes(b'{"records":')  # as if the owner were halfway through a write
    refused = second_program(tmp_path)
    assert refused.returncode == 3, refused.stderr
    assert refused.stdout.strip() == (f"the outbox in {tmp_path} is in use by another program (pid {os.getpid()}): "
                                      "stop the kiosk first, or use `kiosk-sync` while it is stopped")
    assert in_progress.exists()
    assert outbox.append(draft()).seq == 2
    in_progress.unlink()
    outbox.close()
    allowed = second_program(tmp_path)
    assert (allowed.returncode, allowed.stdout.strip()) == (0, "3"), allowed.stderr


def test_one_process_cannot_open_a_folder_twice_and_closing_hands_it_over(tmp_path):
    with Outbox(tmp_path) as first:
        first.append(draft())
        with pytest.raises(OutboxLocked) as refused:
            Outbox(tmp_path)
        assert refused.value.pid == os.getpid() and isinstance(refused.value, RuntimeError)
    with pytest.raises(RuntimeError, match="closed"):
        first.append(draft())
    with Outbox(tmp_path) as second:
        assert second.append(draft()).seq == 2
