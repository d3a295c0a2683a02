"""Every lesson of the Vietnamese pack can be finished by touch, wrong answers tried first."""
import pytest

from kiosk.config import KioskConfig
from kiosk.i18n import _
from kiosk.services import KioskServices
from lessons.pack import BUILTIN_PACKS, load_pack
from tests.lesson_driver import Play, play_lesson
from tests.ui import find, queued_records, run_kiosk, tap

LESSONS = load_pack(BUILTIN_PACKS / "vi").lessons


@pytest.mark.parametrize("lesson_id", [lesson.id for lesson in LESSONS])
def test_a_lesson_can_be_finished_by_touch(tmp_path, qr_camera, lesson_id):
    services = KioskServices(KioskConfig(data_dir=tmp_path, camera=qr_camera))
    lesson = next(lesson for lesson in services.lessons if lesson.id == lesson_id)

    def script(app):
        tap(find(_("Touch here to start")))
        yield 0.2
        yield from play_lesson(app, lesson, Play(wrong_first=True))
        assert services.session.completed == [lesson_id]

    run_kiosk(services, script)
    kinds = [r.type for r in queued_records(services)]
    assert kinds[0] == "session_started" and kinds[-1] == "lesson_completed"
