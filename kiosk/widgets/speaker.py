"""Playing narration: speech is synthesized on a worker thread, then played on the Kivy clock.

The first reading of a step may take a moment (espeak-ng writing its WAV); later readings come
from the narrator's cache. A newer request replaces an older one so taps never queue up speech.
"""
import logging
import threading
from pathlib import Path
from typing import Protocol

from kivy.clock import Clock
from kivy.core.audio import Sound, SoundLoader

log = logging.getLogger(__name__)


class Narrator(Protocol):
    def wav_for(self, text: str) -> Path | None: ...


class Speaker:
    """Reads texts aloud through ``narrator`` at the technician's ``volume``."""

    def __init__(self, narrator: Narrator, volume: float) -> None:
        self.narrator = narrator
        self.volume = volume
        self._sound: Sound | None = None
        self._latest = 0

    def speak(self, text: str) -> None:
        self._latest += 1
        request = self._latest
        threading.Thread(target=self._synthesize, args=(text, request), daemon=True, name="narration").start()

    def _synthesize(self, text: str, request: int) -> None:
        path = self.narrator.wav_for(text)
        if path is not None:
            Clock.schedule_once(lambda _dt: self._play(path, request))

    def _play(self, path: Path, request: int) -> None:
        if request != self._latest:
            return
        if self._sound is not None:
            self._sound.stop()
        self._sound = SoundLoader.load(str(path))
        if self._sound is None:
            log.warning("narration: no audio output could play %s", path)
            return
        self._sound.volume = self.volume
        self._sound.play()

    def stop(self) -> None:
        self._latest += 1
        if self._sound is not None:
            self._sound.stop()
