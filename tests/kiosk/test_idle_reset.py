"""The inactivity reset on the real app: ask, then wipe and go home; a touch keeps the session."""
from kiosk.config import KioskConfig
from kiosk.i18n import _
from kiosk.services import KioskServices
from kiosk.widgets.common import IdlePrompt
from tests.ui import everything, find, run_kiosk, screen_name, tap, until


def prompt_shown() -> bool:
    return any(isinstance(w, IdlePrompt) for w in everything())


def quick_idle(tmp_path, **overrides) -> KioskServices:
    return KioskServices(KioskConfig(data_dir=tmp_path / "kiosk", idle_prompt_s=1.5, idle_countdown_s=2, **overrides))


def start_and_open_a_lesson(app, services):
    tap(find(_("Touch here to start")))
    yield 0.4
    tap(find(services.lessons[0].title))
    yield 0.2
    assert screen_name(app) == "player"


def test_no_answer_wipes_the_session_and_returns_to_welcome(tmp_path):
    services = quick_idle(tmp_path)

    def script(app):
        yield from start_and_open_a_lesson(app, services)
        learner = services.session.learner
        assert not prompt_shown()
        yield from until(prompt_shown, timeout_s=10)
        yield 0.3  # the prompt has opened (it fades in)
        assert screen_name(app) == "player" and find(_("Are you still learning?"))
        yield from until(lambda: screen_name(app) == "welcome" and not prompt_shown(), timeout_s=10)  # it fades out
        assert services.session is None
        assert app.root.screen_names == ["welcome"], "the lesson's screen state must be wiped"
        ended = [r for r in services.outbox.pending() if r.type == "session_ended"]
        assert [(r.learner, r.payload["reason"]) for r in ended] == [(learner, "idle")]

    run_kiosk(services, script)


def test_a_touch_on_the_prompt_keeps_the_session(tmp_path):
    services = quick_idle(tmp_path)

    def script(app):
        yield from start_and_open_a_lesson(app, services)
        learner = services.session.learner
        yield from until(prompt_shown, timeout_s=10)
        yield 0.3  # the prompt has opened (it fades in)
        tap(find(_("Yes, I am still learning")))
        yield 0.5
        assert not prompt_shown()
        yield 1.5
        assert screen_name(app) == "player" and services.session.learner == learner

    run_kiosk(services, script)


def test_touches_while_learning_keep_the_prompt_away(tmp_path):
    services = quick_idle(tmp_path)

    def script(app):
        yield from start_and_open_a_lesson(app, services)
        text = find(services.lessons[0].steps[0].text)
        for _half_second in range(10):  # 5 s, well past the 1.5 s prompt, a touch every half second
            tap(text)
            yield 0.5
            assert not prompt_shown()
        assert screen_name(app) == "player" and services.session is not None

    run_kiosk(services, script)


def test_volunteer_mode_has_no_inactivity_reset(tmp_path):
    services = quick_idle(tmp_path, volunteer_mode=True)

    def script(app):
        yield from start_and_open_a_lesson(app, services)
        yield 4.0
        assert not prompt_shown() and screen_name(app) == "player"

    run_kiosk(services, script)
