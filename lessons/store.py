"""Choosing the pack the kiosk shows, and keeping the last good one.

A pack can arrive broken (a volunteer's typo, a cut-off download, a USB stick pulled too soon).
The kiosk must keep teaching, so a pack that loads is copied aside as "last good", and a broken
one is refused with its problems listed while the last good copy is shown instead.
"""
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from lessons.pack import Pack, PackError, load_pack

log = logging.getLogger(__name__)


@dataclass
class PackChoice:
    """The pack to show (None when none at all loads) and what went wrong on the way."""

    pack: Pack | None
    problems: list[str] = field(default_factory=list)


def choose_pack(wanted: Path, keep_dir: Path) -> PackChoice:
    """Load ``wanted``; on failure fall back to the copy kept in ``keep_dir``."""
    last_good = keep_dir / "last-good"
    try:
        pack = load_pack(wanted)
    except PackError as exc:
        problems = [f"lesson pack {wanted} refused: {problem}" for problem in exc.problems]
        for problem in problems:
            log.error(problem)
    else:
        _keep(pack, last_good)
        return PackChoice(pack)
    try:
        return PackChoice(load_pack(last_good), problems)
    except PackError:
        log.error("no last good lesson pack in %s either", last_good)
        return PackChoice(None, problems)


def _keep(pack: Pack, last_good: Path) -> None:
    """Copy ``pack`` to ``last_good`` unless the same content is already there. The content hash is
    kept beside the copy, not in it, so the copy still verifies against the pack's signature."""
    marker = last_good.with_name(last_good.name + ".content-hash")
    try:
        if marker.read_text() == pack.content_hash:
            return
    except OSError:
        pass
    staging = last_good.with_name(last_good.name + ".new")
    try:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(pack.path, staging)
        shutil.rmtree(last_good, ignore_errors=True)
        staging.rename(last_good)
        marker.write_text(pack.content_hash)
    except OSError as exc:
        log.warning("could not keep a copy of the lesson pack in %s (%s)", last_good, exc)
