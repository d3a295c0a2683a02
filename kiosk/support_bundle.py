"""A support bundle for the ward's technician: the kiosk's logs and checks in one zip on a USB stick,
with anything personal or secret removed first.

A kiosk at a venue has nobody who can read a log, so the staff screen writes this to a stick and
the technician reads it at the ward office. It holds the kiosk's and the kernel's journal for this
boot and the one before (the boot before a crash is the interesting one), ``kiosk doctor``'s
findings, the sync worker's ``sync-health.json``, the release status and the settings. Before
anything is written, every line goes through ``scrub``: device secrets and tokens, Wi-Fi and staff
passwords, learner ids, phone numbers, e-mail addresses and long digit runs (ID-card and bank
numbers) are replaced by a label. Everything is bounded in size: a log that grew wild cannot
fill the stick. Commands go through a ``Runner`` seam for the tests.
"""
import datetime as dt
import io
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Callable, Sequence

from kiosk.config import DEFAULT_CONFIG_FILE, KioskConfig

MAX_LOG_LINES = 20_000
MAX_FILE_BYTES = 2_000_000
Runner = Callable[[Sequence[str]], str | None]

# Order matters: secrets first (a token may contain digits), then people, then numbers.
SCRUBS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"(?i)\b(bearer)\s+[^\s\"',;]+"), r"\1 [secret]"),
    (re.compile(r"(?i)\b(secret|token|password|passwd|psk|pin|staff_pin|bundle_key|authorization)"
                r"(\"?\s*[:=]\s*\"?)[^\s\"',;}]+"), r"\1\2[secret]"),
    (re.compile(r"(?i)(WIFI:[^\n]*?\bP:)(?:\\.|[^;\\\n])*"), r"\1[secret]"),
    (re.compile(r"\b(?:anon|card)-[0-9A-Za-z]{4,40}\b"), "[learner]"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"(?<![\w.])(?:\+84|0084|0)(?:[\s.-]?\d){8,10}(?!\d)"), "[phone]"),
    (re.compile(r"(?<![\w.:-])\d{9,}(?![\w.:-])"), "[number]"),
)


def scrub(text: str) -> str:
    """``text`` with secrets and anything that could name a person replaced by a label."""
    for pattern, label in SCRUBS:
        text = pattern.sub(label, text)
    return text


def run_command(argv: Sequence[str]) -> str | None:
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=60, errors="replace")
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _bounded(text: str) -> str:
    lines = text.splitlines()[-MAX_LOG_LINES:]
    body = "\n".join(lines) + "\n"
    return body[-MAX_FILE_BYTES:]


def _read(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_FILE_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None


def collect(config: KioskConfig, runner: Runner = run_command, findings: list | None = None,
            settings_file: Path | None = None) -> dict[str, str]:
    """The bundle's files (name -> scrubbed text); a source that cannot be read is named as such.
    ``findings`` are ``kiosk doctor``'s, when the screen has just run the checks; the settings are
    read from ``settings_file``, by default the file the kiosk read (``KIOSK_CONFIG``)."""
    from sync.health import health_path

    settings_file = settings_file or Path(os.environ.get("KIOSK_CONFIG", DEFAULT_CONFIG_FILE))

    journal = ["journalctl", "--no-pager", "-o", "short-iso", "-n", str(MAX_LOG_LINES)]
    sources: dict[str, str | None] = {
        "kiosk-journal-this-boot.txt": runner([*journal, "-b", "0", "-u", "kiosk.service"]),
        "kiosk-journal-previous-boot.txt": runner([*journal, "-b", "-1", "-u", "kiosk.service"]),
        "kernel-this-boot.txt": runner([*journal, "-b", "0", "-k"]),
        "releases.txt": runner(["kiosk-update", "status"]),
        "system.txt": runner(["uname", "-a"]),
        "sync-health.json": _read(health_path(config.data_dir)),
        "settings.toml": _read(settings_file),
    }
    if findings is not None:
        from kiosk.doctor import as_json

        sources["doctor.json"] = json.dumps(as_json(findings), ensure_ascii=False, indent=1)
    return {name: scrub(_bounded(text)) if text is not None else "(could not be read on this kiosk)\n"
            for name, text in sources.items()}


def write_bundle(config: KioskConfig, folder: Path, device_id: str, runner: Runner = run_command,
                 findings: list | None = None, settings_file: Path | None = None,
                 now: dt.datetime | None = None) -> Path:
    """Write ``bdhvs-support-<device>-<UTC time>.zip`` into ``folder`` (the USB stick); its path."""
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    safe_device = re.sub(r"[^0-9A-Za-z-]", "", device_id)[:40] or "kiosk"
    target = Path(folder) / f"bdhvs-support-{safe_device}-{stamp}.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in collect(config, runner, findings, settings_file).items():
            archive.writestr(name, text)
    staged = target.with_suffix(".zip.part")
    staged.write_bytes(buffer.getvalue())
    staged.replace(target)
    return target
