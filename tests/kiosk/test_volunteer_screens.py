"""The volunteer's entrance on the real app, by touch: its own PIN and lockout (apart from the technician's),
starting a class (no inactivity reset), a new learner and a demonstration joining it, learners swapping in by
their cards (scanned, or typed on the card entrance's keypad), the needs-help flag after three wrong answers
touched on one step, and ending the class with a summary on screen and as a record."""
from kiosk.config import KioskConfig
from kiosk.i18n import _
from kiosk.services import VOLUNTEER_LOCKOUT_FILE, KioskServices
from sync.learner_ids import card_short_code, new_card_id
from kiosk.screens.card_entry import LOST
from kiosk.widgets import theme
from tests.helpers import write_learner_card_frames, write_pack
from tests.ui import (STAFF_PIN, VOLUNTEER_PIN, assert_big_targets, find, queued_records, run_kiosk, screen_name, shown,
                      tap, type_card_code, type_pin, until)


def kiosk(config: KioskConfig, **changes) -> KioskServices:
    return KioskServices(config.model_copy(update={"staff_pin": STAFF_PIN, "volunteer_pin": VOLUNTEER_PIN, **changes}))


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
        assert (_("Demo") + ": " + _("choosing a lesson")) in app.root.get_screen("volunteer").details
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


def test_learners_swap_in_by_scanning_or_typing_their_card_and_a_lost_card_is_refused(kiosk_config, tmp_path):
    cards, frames = write_learner_card_frames(tmp_path / "camera", count=2)  # printed cards held up to the camera
    typed, lost = new_card_id(), new_card_id()
    services = kiosk(kiosk_config)
    first, second = services.lessons[1], services.lessons[2]
    services.cards.stopped_at(cards[0], first.id, first.steps[2].id)
    services.cards.lesson_done(cards[1], services.lessons[0].id)
    services.cards.stopped_at(cards[1], second.id, second.steps[1].id)
    services.cards.lesson_done(typed, services.lessons[0].id)
    services.cards.merge_from_ward({}, [lost])  # reported lost at the ward, then synced

    def script(app):
        yield from open_volunteer(app)
        tap(find(_("Start a class")))
        yield 0.2
        for card, frame, lesson, number in ((cards[0], frames[0], first, 3), (cards[1], frames[1], second, 2)):
            services.config = services.config.model_copy(update={"camera": f"replay:{frame}"})  # this learner's card
            if screen_name(app) != "volunteer":
                yield from open_volunteer(app)
            tap(find(_("Scan a card")))
            yield from until(lambda: screen_name(app) == "lesson_list")
            yield 0.3
            assert services.session.learner == card and services.session.suggest([each.id for each in services.lessons]) == lesson.id
            tap(find(lesson.title))
            yield 0.3
            assert app.root.get_screen("player").run.number == number  # each continues where their card stopped
            app.end_session("left")
            yield 0.2

        yield from open_volunteer(app)
        tap(find(_("Type a card code")))
        yield 0.2
        yield from type_card_code(card_short_code(lost))
        assert shown(_(LOST)) and services.session is None
        tap(find(_("Back")))  # back to the volunteer screen, the class still on
        yield 0.2
        assert screen_name(app) == "volunteer" and services.volunteer_class is not None
        tap(find(_("Type a card code")))
        yield 0.2
        yield from type_card_code(card_short_code(typed))  # typed on the keypad, key by key
        yield 0.3
        assert screen_name(app) == "lesson_list" and services.session.learner == typed
        assert services.session.has_done(services.lessons[0].id)
        assert set(services.volunteer_class.learners) == {*cards, typed}

    run_kiosk(services, script)


def test_three_wrong_answers_on_one_step_raise_the_needs_help_flag(kiosk_config, tmp_path):
    services = kiosk(kiosk_config, pack_dir=write_pack(tmp_path / "pack"))  # "Bài thử": a word, then a question

    def script(app):
        yield from open_volunteer(app)
        tap(find(_("Start a class")))
        yield 0.2
        tap(find(_("New learner")))
        yield 0.3
        tap(find("Bài thử"))
        yield 0.3
        tap(find(_("Continue")))
        yield 0.3
        for _attempt in range(3):
            assert not services.volunteer_class.learners[services.session.learner].needs_help
            tap(find("Câu sai"))
            yield 0.3
            assert app.root.get_screen("player").verdict == "wrong"
            tap(find(_("Try again")))
            yield 0.3
        tap(find(_("Exit lesson")))
        yield 0.3
        tap(find(_("Leave")))
        yield 0.3
        yield from open_volunteer(app)
        yield 0.6  # the live view refreshes twice a second
        line = _("Learner {number}").format(number=1) + ": " + "Bài thử · cau-1  ⚑ " + _("needs help")
        assert line in app.root.get_screen("volunteer").details and shown(line)
        assert find(app.root.get_screen("volunteer").details).color == list(theme.WRONG)

    run_kiosk(services, script)


def test_learner_cards_are_printed_to_the_usb_stick(kiosk_config, tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    services = kiosk(kiosk_config, usb_export_dir=stick)

    def script(app):
        yield from open_volunteer(app)
        tap(find(_("Print cards")))
        yield from until(lambda: app.root.get_screen("volunteer").phase == "home")
        [pdf] = stick.glob("the-hoc-*.pdf")
        assert pdf.read_bytes().startswith(b"%PDF")
        assert app.root.get_screen("volunteer").message == _(
            "{count} new learner cards are on the USB stick ({name}). Print them and cut along the dashed lines."
        ).format(count=8, name=pdf.name)

    run_kiosk(services, script)
