"""Reading lesson steps aloud in Vietnamese, with no network.

Many older learners read slowly; hearing a step while reading it is what lets them follow alone.
The kiosk is offline, so speech comes from espeak-ng (Debian package ``espeak-ng``), which ships
Northern, Central and Southern Vietnamese voices; the default is the Southern one
(``vi-vn-x-south``: "v" and "d" spoken as [j], final "n"/"ng" merged) for learners in Ho Chi Minh
City, at 145 words a minute instead of espeak-ng's brisk 175.

The engine is given what ``kiosk.speech_text`` makes of a text: numbers, dates, hotlines,
abbreviations and web addresses in the words a listener expects (``python -m kiosk.narration text
"…"`` prints it). Each text is rendered once to a WAV file in a cache folder, named by a hash of
those spoken words, the voice, the rate and the engine's version, so a new espeak-ng, a new setting
or a new reading in the pronunciation table never replays a stale clip. The folder has a size
cap; the least recently used clips go first (a cache hit refreshes a clip's time). The
technician's volume is applied by the player (``Narrator.volume``), so changing it renders
nothing again.

Narration is a help, never a requirement: a missing or failing engine or a full disk gives None
and one English log line, and the step stays silent text. No Kivy here: playback is the screens'.
"""
import argparse
import hashlib
import io
import itertools
import logging
import os
import shutil
import subprocess
import threading
import wave
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Iterable

from kiosk.config import KioskConfig

log = logging.getLogger(__name__)

ENGINE = "espeak-ng"
ENGINE_TIMEOUT_S = 20.0


class EngineError(Exception):
    """The speech engine ran but gave no usable sound."""


class Narrator:
    """Turns step texts into cached WAV files; every method is safe from a worker thread."""

    def __init__(self, cache_dir: Path, voice: str = "vi-vn-x-south", rate: int = 145, volume: float = 0.8,
                 cache_bytes: int = 50_000_000, engine: str = ENGINE) -> None:
        self.cache_dir = Path(cache_dir)
        self.voice = voice
        self.rate = rate
        self.volume = min(max(volume, 0.0), 1.0)
        self.cache_bytes = cache_bytes
        self.engine = engine
        self._binary: str | None = None
        self._version: str | None = None
        self._unavailable = False
        self._lock = threading.Lock()
        self._generations = itertools.count(1)
        self._generation = 0
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="narration")

    @classmethod
    def from_config(cls, config: KioskConfig) -> "Narrator":
        return cls(config.data_dir / "narration-cache", voice=config.narration_voice, rate=config.narration_rate,
                   volume=config.narration_volume, cache_bytes=config.narration_cache_mb * 1_000_000)

    def wav_for(self, text: str) -> Path | None:
        """The WAV file that reads ``text`` aloud, rendered now on a cache miss (so call it off the
        UI thread); None when narration cannot be had."""
        from kiosk.speech_text import speech_text  # here, not at kiosk start: it reads the pronunciation table

        text = speech_text(text)
        version = self._engine_version() if text else None
        if version is None:
            return None
        path = self.cache_dir / f"{self._cache_key(text, version)}.wav"
        if _touch(path):
            return path
        with self._lock:
            if _touch(path):  # another thread rendered it while this one waited
                return path
            return self._render(text, path)

    def available(self) -> bool:
        """Whether the speech engine runs here (asked once; later calls cost nothing)."""
        return self._engine_version() is not None

    def _cache_key(self, text: str, version: str) -> str:
        """Everything that changes the sound names the file, so a stale clip is never played."""
        return hashlib.sha256("\0".join((text, self.voice, str(self.rate), version)).encode()).hexdigest()[:32]

    def prepare(self, texts: Iterable[str]) -> Future:
        """Render a lesson's texts in the background so the replay button answers at once.

        A newer call supersedes the older one: the learner has moved on to another lesson.
        """
        self._generation = generation = next(self._generations)
        return self._worker.submit(self._prepare, list(texts), generation)

    def _prepare(self, texts: list[str], generation: int) -> None:
        for text in texts:
            if generation != self._generation:
                return
            self.wav_for(text)

    def close(self) -> None:
        """Stop background rendering (the clip being rendered finishes)."""
        self._generation = next(self._generations)
        self._worker.shutdown(wait=False, cancel_futures=True)

    def _engine_version(self) -> str | None:
        """The engine's version line, asked once; None (logged once) when the engine cannot run."""
        if self._version is None and not self._unavailable:
            with self._lock:
                if self._version is None and not self._unavailable:
                    self._version = self._ask_version()
                    self._unavailable = self._version is None
        return self._version

    def _ask_version(self) -> str | None:
        self._binary = shutil.which(self.engine)
        if self._binary is None:
            log.warning("narration off: speech engine %r not found; steps are shown as text only", self.engine)
            return None
        try:
            result = subprocess.run([self._binary, "--version"], capture_output=True, text=True,
                                    timeout=ENGINE_TIMEOUT_S, check=True)
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("narration off: speech engine %s does not run (%s); steps are shown as text only",
                        self._binary, exc)
            return None
        return result.stdout.strip()

    def _render(self, text: str, path: Path) -> Path | None:
        try:
            clip = self._speak(text)
        except (OSError, subprocess.SubprocessError, EngineError, wave.Error, EOFError) as exc:
            log.warning("narration: %s failed on a %d-character text with voice %s (%s); the step stays silent",
                        self.engine, len(text), self.voice, exc)
            return None
        try:
            _store(clip, path)
        except OSError as exc:
            log.warning("narration: cannot write a clip to %s (%s); the step stays silent", self.cache_dir, exc)
            return None
        self._evict(keep=path)
        return path

    def _speak(self, text: str) -> bytes:
        """Run the engine; the WAV it speaks, with a header that tells the true length.

        espeak-ng writing to a pipe cannot seek back, so its header claims about 2 GB of sound;
        only the format is kept and the header is written afresh.
        """
        command = [self._binary, "-v", self.voice, "-s", str(self.rate), "-b", "1", "--stdin", "--stdout"]
        result = subprocess.run(command, input=text.encode(errors="replace"), capture_output=True, timeout=ENGINE_TIMEOUT_S)
        if result.returncode != 0:
            raise EngineError(f"exit status {result.returncode}: {result.stderr.decode(errors='replace').strip()}")
        with wave.open(io.BytesIO(result.stdout)) as sound:
            params, frames = sound.getparams(), sound.readframes(sound.getnframes())
        if not frames:
            raise EngineError("the engine produced no sound")
        clip = io.BytesIO()
        with wave.open(clip, "wb") as out:
            out.setparams(params)
            out.writeframes(frames)
        return clip.getvalue()

    def _evict(self, keep: Path) -> None:
        """Delete the least recently used files until the cache fits its cap (never the new clip)."""
        files = sorted(_files_with_age(self.cache_dir))
        total = sum(size for _, size, _ in files)
        for _, size, path in files:
            if total <= self.cache_bytes:
                return
            if path == keep:
                continue
            try:
                path.unlink(missing_ok=True)
            except OSError:
                continue  # the cap is a target; a file that will not go never stops narration
            total -= size


def _touch(path: Path) -> bool:
    """Whether ``path`` exists, marking it as just used for eviction."""
    try:
        os.utime(path)
    except OSError:
        return path.is_file()  # a clip on a read-only disk still plays
    return True


def _files_with_age(folder: Path) -> list[tuple[float, int, Path]]:
    """(mtime, size, path) of each file in ``folder``; files that vanish meanwhile are skipped."""
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return found
    for entry in entries:
        try:
            if entry.is_file():
                stat = entry.stat()
                found.append((stat.st_mtime, stat.st_size, Path(entry.path)))
        except OSError:
            continue
    return found


def _store(clip: bytes, path: Path) -> None:
    """Write the clip atomically: a half-written file is never played or kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{threading.get_ident()}.part")
    try:
        partial.write_bytes(clip)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m kiosk.narration text "…"``: print exactly what the narration says for a text."""
    parser = argparse.ArgumentParser(prog="python -m kiosk.narration", description="Kiosk narration tools.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    text = commands.add_parser("text", help="print the words espeak-ng is given for TEXT (numbers, dates, "
                                            "abbreviations and addresses spelled out)")
    text.add_argument("text", nargs="+", metavar="TEXT")
    args = parser.parse_args(argv)
    from kiosk.speech_text import speech_text

    print(speech_text(" ".join(args.text)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
