"""Narration: real espeak-ng renders valid WAV files once per text; anything wrong means silence and
a log line, never an exception."""
import errno
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
import unicodedata
import wave
from pathlib import Path

import pytest

import kiosk.speech_text
from kiosk import narration
from kiosk.config import KioskConfig, load_config
from kiosk.narration import Narrator
from kiosk.speech_text import speech_text

STEP = ("Ngân hàng, công an hay nhà mạng không bao giờ gọi điện hỏi mã OTP. "
        "Người nào hỏi mã OTP của Bác đều là kẻ lừa đảo. Bác hãy cúp máy và tự gọi tổng đài.")
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (make debs)")


class EngineRuns:
    """Counts the speech engine's synthesis runs by wrapping subprocess.run."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.texts: list[bytes] = []
        real_run = subprocess.run

        def run(command, *args, **kwargs):
            if "--stdin" in command:
                self.texts.append(kwargs.get("input"))
            return real_run(command, *args, **kwargs)

        monkeypatch.setattr(narration.subprocess, "run", run)

    @property
    def count(self) -> int:
        return len(self.texts)


@pytest.fixture
def runs(monkeypatch) -> EngineRuns:
    return EngineRuns(monkeypatch)


@pytest.fixture
def narrator(tmp_path):
    narrator = Narrator(tmp_path / "cache")
    yield narrator
    narrator.close()


def fake_engine(folder: Path, body: str) -> Path:
    """An executable that answers --version like espeak-ng and runs ``body`` (Python) to speak."""
    script = folder / "fake-espeak"
    script.write_text(f"#!{sys.executable}\nimport sys, io, time, wave\n"
                      f"if sys.argv[1:] == ['--version']:\n    print('fake 1.0'); sys.exit(0)\n{body}\n")
    script.chmod(0o755)
    return script


# Speaks 1000 silent frames, so every clip has the same size and cache caps are exact; it first
# sleeps as many milliseconds as the rate, so a test can make it slow.
FIXED_CLIP = """\
text = sys.stdin.read()
time.sleep(float(sys.argv[sys.argv.index('-s') + 1]) / 1000)
out = io.BytesIO()
with wave.open(out, 'wb') as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050); w.writeframes(bytes(2000))
sys.stdout.buffer.write(out.getvalue())
"""
CLIP_BYTES = 44 + 2000


@needs_espeak
def test_a_step_becomes_a_valid_wav_of_a_plausible_length(narrator):
    path = narrator.wav_for(STEP)
    assert path is not None and path.parent == narrator.cache_dir and path.suffix == ".wav"
    with wave.open(str(path)) as clip:
        frames, seconds = clip.getnframes(), clip.getnframes() / clip.getframerate()
        assert frames > 0 and clip.getnchannels() == 1 and clip.getsampwidth() == 2
        assert len(clip.readframes(frames)) == frames * 2, "the header's length matches the sound"
    spoken = len(STEP.split()) / narrator.rate * 60
    assert spoken / 2 < seconds < spoken * 2, (seconds, spoken)


@needs_espeak
def test_a_typical_step_is_rendered_quickly(narrator):
    assert len(STEP) == 150
    started = time.perf_counter()
    assert narrator.wav_for(STEP) is not None
    assert time.perf_counter() - started < 5.0  # 0.1 s here on a quiet machine


@needs_espeak
def test_a_second_call_hits_the_cache(tmp_path, narrator, runs):
    first = narrator.wav_for(STEP)
    content, inode = first.read_bytes(), first.stat().st_ino
    assert narrator.wav_for(STEP) == first and runs.count == 1
    assert first.read_bytes() == content and first.stat().st_ino == inode
    after_restart = Narrator(narrator.cache_dir)
    assert after_restart.wav_for(STEP) == first and runs.count == 1
    after_restart.close()


@needs_espeak
def test_different_texts_and_settings_give_different_files(tmp_path, narrator):
    other_rate = Narrator(narrator.cache_dir, rate=120)
    paths = {narrator.wav_for("Xin chào Bác."), narrator.wav_for("Bác cúp máy."), other_rate.wav_for("Xin chào Bác.")}
    assert len(paths) == 3 and None not in paths
    other_rate.close()


@needs_espeak
def test_composed_and_decomposed_text_share_one_file(narrator, runs):
    composed = narrator.wav_for(unicodedata.normalize("NFC", STEP))
    decomposed = narrator.wav_for(unicodedata.normalize("NFD", STEP) + "\n")
    assert composed == decomposed and runs.count == 1
    assert runs.texts[0] == speech_text(STEP).encode()


@needs_espeak
def test_the_engine_is_given_the_spoken_words_and_they_name_the_clip(narrator, runs):
    assert narrator.wav_for("Gọi 113, mã OTP.") == narrator.wav_for("Gọi một một ba, mã ô tê pê.")
    assert runs.texts == ["Gọi một một ba, mã ô tê pê.".encode()]


def test_a_new_reading_is_rendered_afresh_not_replayed(tmp_path, monkeypatch, runs):
    fixed = Narrator(tmp_path / "cache", rate=0, engine=str(fake_engine(tmp_path, FIXED_CLIP)))
    old = fixed.wav_for("mã OTP")
    monkeypatch.setattr(kiosk.speech_text, "speech_text", lambda text: "mã ô tê pê, đọc khác")  # the table changed
    new = fixed.wav_for("mã OTP")
    assert new != old and runs.count == 2 and runs.texts[-1] == "mã ô tê pê, đọc khác".encode()
    fixed.close()


def clip_seconds(path: Path) -> float:
    with wave.open(str(path)) as clip:
        return clip.getnframes() / clip.getframerate()


@needs_espeak
@pytest.mark.parametrize("text, syllables", [("1/7/2024", 12), ("113", 3), ("25.000 đ", 5), ("OTP", 3),
                                             ("dichvucong.gov.vn", 8)])
def test_the_issues_examples_last_as_long_as_their_words(narrator, text, syllables):
    """About a third of a second a syllable at 145 words a minute: nothing spelled letter by letter."""
    assert len(speech_text(text).split()) == syllables
    seconds = clip_seconds(narrator.wav_for(text))
    assert 0.15 * syllables < seconds < 0.5 * syllables + 0.5, seconds


def test_the_command_line_prints_the_spoken_words():
    result = subprocess.run([sys.executable, "-m", "kiosk.narration", "text", "Gọi", "113"],
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (0, "Gọi một một ba\n")


@needs_espeak
def test_threads_asking_for_the_same_step_render_it_once(narrator, runs):
    results: list[Path | None] = []
    threads = [threading.Thread(target=lambda: results.append(narrator.wav_for(STEP))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and results[0] is not None and runs.count == 1


@needs_espeak
def test_prepare_renders_a_lesson_in_the_background(narrator, runs):
    texts = ["Bước một.", "Bước hai.", "Bước ba."]
    narrator.prepare(texts).result(timeout=30)
    assert runs.count == 3
    assert all(narrator.wav_for(text) for text in texts) and runs.count == 3


def test_a_newer_lesson_supersedes_the_one_being_prepared(tmp_path, runs):
    slow = Narrator(tmp_path / "cache", rate=200, engine=str(fake_engine(tmp_path, FIXED_CLIP)))  # 0.2 s a clip
    old = slow.prepare([f"Bài cũ, bước {n}." for n in range(10)])
    new = slow.prepare(["Bài mới."])
    old.result(timeout=30)
    new.result(timeout=30)
    assert runs.texts[-1] == "Bài mới.".encode() and runs.count <= 3
    slow.close()


@pytest.mark.parametrize("engine", ["/nonexistent/espeak-ng", "espeak-ng"])
def test_a_missing_engine_means_silence_and_one_log_line(tmp_path, monkeypatch, caplog, engine):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without espeak-ng
    silent = Narrator(tmp_path / "cache", engine=engine)
    with caplog.at_level(logging.WARNING, logger="kiosk.narration"):
        assert silent.wav_for(STEP) is None and silent.wav_for("Bước hai.") is None
    [record] = caplog.records
    assert record.getMessage() == f"narration off: speech engine {engine!r} not found; steps are shown as text only"
    silent.close()


@pytest.mark.parametrize("body, reason", [
    ("sys.stderr.write('boom'); sys.exit(3)", "exit status 3: boom"),
    ("sys.stdout.write('not a wave')", "file does not start with RIFF id"),
    ("out = io.BytesIO()\nwith wave.open(out, 'wb') as w:\n    w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050)\n"
     "sys.stdout.buffer.write(out.getvalue())", "the engine produced no sound"),
], ids=["fails", "garbage", "no sound"])
def test_a_failing_engine_means_silence_and_a_log_line(tmp_path, caplog, body, reason):
    broken = Narrator(tmp_path / "cache", engine=str(fake_engine(tmp_path, body)))
    with caplog.at_level(logging.WARNING, logger="kiosk.narration"):
        assert broken.wav_for(STEP) is None
    [record] = caplog.records
    assert record.getMessage().startswith("narration: ") and reason in record.getMessage()
    assert not list((tmp_path / "cache").glob("*"))
    broken.close()


@needs_espeak
def test_an_unknown_voice_means_silence_and_a_log_line(tmp_path, caplog):
    unknown = Narrator(tmp_path / "cache", voice="xx-khong-co")
    with caplog.at_level(logging.WARNING, logger="kiosk.narration"):
        assert unknown.wav_for(STEP) is None
    assert "voice does not exist" in caplog.records[0].getMessage()
    unknown.close()


def test_a_full_disk_means_silence_and_no_partial_file(tmp_path, monkeypatch, caplog):
    full = Narrator(tmp_path / "cache", engine=str(fake_engine(tmp_path, FIXED_CLIP)))

    def no_space(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(narration.os, "replace", no_space)
    with caplog.at_level(logging.WARNING, logger="kiosk.narration"):
        assert full.wav_for(STEP) is None
    [record] = caplog.records
    assert record.getMessage() == f"narration: cannot write a clip to {tmp_path / 'cache'} ([Errno 28] No space left on device); the step stays silent"
    assert not list((tmp_path / "cache").glob("*"))
    full.close()


def test_a_cache_folder_that_cannot_be_made_means_silence(tmp_path, caplog):
    (tmp_path / "file").write_text("")
    blocked = Narrator(tmp_path / "file" / "cache", engine=str(fake_engine(tmp_path, FIXED_CLIP)))
    with caplog.at_level(logging.WARNING, logger="kiosk.narration"):
        assert blocked.wav_for(STEP) is None
    assert "cannot write a clip" in caplog.records[0].getMessage()
    blocked.close()


def test_the_cache_stays_under_its_cap_dropping_the_least_recently_used(tmp_path):
    capped = Narrator(tmp_path / "cache", rate=0, cache_bytes=3 * CLIP_BYTES, engine=str(fake_engine(tmp_path, FIXED_CLIP)))
    a, b, c = (capped.wav_for(text) for text in ("a", "b", "c"))
    for age, path in enumerate((a, b, c)):
        os.utime(path, (1_000_000 + age, 1_000_000 + age))
    assert capped.wav_for("a") == a  # a hit makes "a" the most recently used
    d = capped.wav_for("d")
    assert sorted(p.name for p in capped.cache_dir.iterdir()) == sorted(p.name for p in (a, c, d))
    assert sum(p.stat().st_size for p in capped.cache_dir.iterdir()) <= capped.cache_bytes
    capped.close()


def test_settings_come_from_the_kiosk_config(tmp_path):
    config = KioskConfig(data_dir=tmp_path, narration_voice="vi", narration_rate=130, narration_volume=0.5,
                         narration_cache_mb=10)
    configured = Narrator.from_config(config)
    assert (configured.voice, configured.rate, configured.volume, configured.cache_bytes) == ("vi", 130, 0.5, 10_000_000)
    assert configured.cache_dir.parent == tmp_path
    configured.close()
    defaults = KioskConfig()
    assert (defaults.narration_voice, defaults.narration_rate, defaults.narration_volume, defaults.narration_cache_mb) == \
        ("vi-vn-x-south", 145, 0.8, 50)


def test_the_technician_sets_narration_by_environment_and_a_bad_value_falls_back(tmp_path):
    loaded = load_config(tmp_path / "none.toml", environ={"KIOSK_NARRATION_VOICE": "vi-vn-x-central",
                                                         "KIOSK_NARRATION_RATE": "130", "KIOSK_NARRATION_VOLUME": "1.5"})
    config = loaded.config
    assert (config.narration_voice, config.narration_rate, config.narration_volume) == ("vi-vn-x-central", 130, 0.8)
    assert any(problem.startswith("setting narration_volume:") for problem in loaded.problems)
