"""With the ward server down the kiosk keeps teaching and queueing; the backlog drains once it is back."""
import time

from kiosk.i18n import _
from kiosk.services import KioskServices
from tests.lesson_driver import Play, play_lesson
from tests.ui import find, run_kiosk, screen_name, shown_texts, tap


def test_lessons_work_offline_and_the_backlog_drains_later(enrolled_config, ward_server):
    ward_server.stop()
    services = KioskServices(enrolled_config)
    lesson = services.lessons[0]

    def script(app):
        tap(find(_("Touch here to start")))
        yield 0.2
        yield from play_lesson(app, lesson, Play(wrong_first=False))
        yield 1.0
        pending = services.outbox.stats().pending
        assert pending > 0 and services.sync.status.state == "offline"
        app.refresh_status()  # the sync line is for staff: the learner sees none of it
        assert app.sync_text == _("Not sent yet") + " · " + _("{count} waiting").format(count=pending)
        assert app.sync_text not in shown_texts()
        tap(find(_("Finish")))
        yield 0.2
        assert screen_name(app) == "welcome"
        ward_server.start()
        deadline = time.monotonic() + 20
        while services.outbox.stats().pending and time.monotonic() < deadline:
            yield 0.2
        assert services.outbox.stats().pending == 0

    run_kiosk(services, script)
    stored = ward_server.records()
    assert stored[0].type == "session_started" and stored[-1].type == "session_ended"
    assert [r.seq for r in stored] == list(range(1, len(stored) + 1))
    assert services.sync.status.state == "synced"
