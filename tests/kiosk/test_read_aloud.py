"""Each step is read aloud when shown, "Đọc to" reads it again, and no speech engine means no button."""
from pathlib import Path

from kiosk.config import KioskConfig
from kiosk.i18n import _
from kiosk.services import KioskServices
from kiosk.widgets import speaker
from tests.ui import find, run_kiosk, shown_texts, tap, until

DRILL_PACK = Path(__file__).resolve().parents[1] / "fixtures" / "drill-pack"


def open_first_lesson(app, services):
    tap(find(_("Touch here to start")))
    yield 0.8  # the speech engine is checked once the first screen is up
    tap(find(services.lessons[0].title))
    yield 0.3


def test_a_step_is_read_when_shown_and_again_on_request(tmp_path, monkeypatch):
    services = KioskServices(KioskConfig(data_dir=tmp_path, pack_dir=DRILL_PACK))
    played: list[Path] = []
    load = speaker.SoundLoader.load
    monkeypatch.setattr(speaker.SoundLoader, "load", lambda path: played.append(Path(path)) or load(path))
    first_clip = None

    def script(app):
        nonlocal first_clip
        yield from open_first_lesson(app, services)
        first_clip = services.narrator.wav_for(services.lessons[0].steps[0].text)
        yield from until(lambda: played, timeout_s=20)
        assert played == [first_clip], "the step is read aloud when it is shown"
        tap(find(_("Read aloud")))
        yield from until(lambda: len(played) == 2, timeout_s=20)
        assert played == [first_clip, first_clip], "Đọc to reads the same step again, from the cache"

    run_kiosk(services, script)
    assert first_clip is not None and first_clip.stat().st_size > 1000


def test_with_narration_off_there_is_no_read_aloud_button(tmp_path):
    services = KioskServices(KioskConfig(data_dir=tmp_path, pack_dir=DRILL_PACK, narration=False))

    def script(app):
        yield from open_first_lesson(app, services)
        assert services.lessons[0].steps[0].text in shown_texts()
        assert _("Read aloud") not in shown_texts()

    run_kiosk(services, script)
