"""The volunteer's entrance on the real app, by touch: its own PIN and lockout (apart from the technician's),
starting a class (no inactivity reset), a new learner and a demonstration joining it, and ending it with a
summary on screen and as a record."""
from kiosk.config import KioskConfig
from kiosk.i18n import _
from kiosk.services import VOLUNTEER_LOCKOUT_FILE, KioskServices
from tests.ui import STAFF_PIN, assert_big_targets, find, queued_records, run_kiosk, screen_name, shown, tap, type_pin

VOLUNTEER_PIN = "3579"


def kiosk(config: KioskConfig) -> KioskServices:
    return KioskServices(config.model_copy(update={"staff_pin": STAFF_PIN, "volunteer_pin": VOLUNTEER_PIN}))


def open_volunteer(app, pin: str = VOLUNTEER_PIN):
    tap(find(_("For volunteers")))
    yield 0.2
    tap(find(_("Volunteer")))
    yield 0.2
    assert screen_name(app) == "volunteer_pin" and shown(_("Type the volunteer PIN, then press Done."))
    yield from type_pin(pin)


def test_the_volunteer_pin_locks_on_its_own(kiosk_config):
    services = kiosk(kiosk_config)

    def script(app):
        yield from open_volunteer(app, STAFF_PIN)  # the technician's PIN does not open the volunteer screen
        for _try in range(4):
            yield from type_pin("1111")
        assert screen_name(app) == "volunteer_pin"
        assert shown(_("Too many wrong PINs. Try again in {minutes} minutes.").format(minutes=5))
        assert services.staff.gate.tries_left == 5
        assert_big_targets()

    run_kiosk(services, script)
    assert (kiosk_config.data_dir / VOLUNTEER_LOCKOUT_FILE).exists()


def test_a_class_starts_takes_learners_and_ends_with_a_summary(kiosk_config):
    services = kiosk(kiosk_config)

    def script(app):
        yield from open_volunteer(app)
        assert screen_name(app) == "volunteer" and shown(_("No class is on. Start one when your learners arrive."))
        tap(find(_("Start a class")))
        yield 0.2
        assert not services.idle.enabled and services.volunteer_class is not None
        tap(find(_("Demonstrate")))
        yield 0.3
        assert screen_name(app) == "lesson_list" and services.session.demo
        app.end_session("left")
        yield 0.2
        yield from open_volunteer(app)
        tap(find(_("New learner")))
        yield 0.3
        assert screen_name(app) == "lesson_list" and not services.session.demo
        app.end_session("left")
        yield 0.2
        yield from open_volunteer(app)
        assert shown(_("Demo") + ": " + _("choosing a lesson"))
        tap(find(_("End the class")))
        yield 0.3
        assert services.idle.enabled and services.volunteer_class is None
        assert shown(_("No class is on. Start one when your learners arrive.") + "\n" + _(
            "Class ended: {learners} learners, {lessons} lessons completed, {steps} steps where someone needed help."
        ).format(learners=1, lessons=0, steps=0))

    run_kiosk(services, script)
    records = queued_records(services)
    assert [r.payload for r in records if r.type == "class_summary"] == [
        {"learners": 1, "lessons_completed": 0, "troubled_steps": []}]
    assert [r.payload for r in records if r.type == "session_started"] == [{"demo": True}, {}]
