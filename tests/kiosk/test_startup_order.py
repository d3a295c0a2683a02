"""The welcome screen is drawn (and systemd hears READY) before the lessons, sync and speech start.

Nothing the welcome screen does not need stands in front of the first frame (bench/startup.py).
"""
from kivy.app import App

from kiosk.config import KioskConfig
from kiosk.i18n import _
from kiosk.services import KioskServices
from tests.ui import find, run_kiosk, screen_name


def test_services_start_only_after_the_welcome_screen_is_drawn(tmp_path, monkeypatch):
    services = KioskServices(KioskConfig(data_dir=tmp_path, narration=False))
    seen_at_start: list[tuple[bool, bool]] = []
    start = services.start

    def start_and_note(**kwargs) -> None:
        seen_at_start.append((App.get_running_app().watchdog._ready_at is not None, services._pack_chosen))
        start(**kwargs)

    monkeypatch.setattr(services, "start", start_and_note)

    def script(app):
        assert screen_name(app) == "welcome" and find(_("Touch here to start"))
        yield 0

    run_kiosk(services, script)
    (drawn_before, pack_read_before), = seen_at_start
    assert drawn_before, "the welcome screen was drawn (READY) before the services started"
    assert not pack_read_before, "the lesson pack is read after the first frame, not before it"
    assert services.sync is not None and services.lessons, "then sync runs and the lesson list has the pack's lessons"
