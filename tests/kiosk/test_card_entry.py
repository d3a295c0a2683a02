"""A walk-up learner presents their card on the welcome screen, by touch on the real app: scanned (the replay
camera plays a printed card) or typed on the big keypad, it continues that card's progress (the lessons done
ticked, the lesson it stopped in suggested and opened at its step). A code typed wrong, a card reported lost,
a QR code that is not a learner card and a kiosk without a camera are each said kindly, with a way on; left
alone, the entrance goes back to the start by itself."""
from kivy.metrics import mm

from kiosk.card_entry import card_id_in
from kiosk.i18n import _
from kiosk.screens.card_entry import HOLD_UP, LOST, NO_CAMERA, NOT_A_CARD, SAMPLE_CODE, WRONG_CODE
from kiosk.services import KioskServices
from sync.learner_ids import card_short_code, new_card_id
from tests.helpers import card_frame, write_learner_card_frames
from tests.ui import (CARD_ENTRANCE, assert_big_targets, assert_nothing_overlaps, everything, find,
                      queued_records, run_kiosk, screen_name, shown, tap, type_card_code, until)


def with_progress(services: KioskServices, card: str) -> tuple[str, int]:
    """Give ``card`` the first lesson done and a stop at the third step of the second; returns that lesson and
    the step's number."""
    first, second = services.lessons[0], services.lessons[1]
    services.cards.lesson_done(card, first.id)
    services.cards.stopped_at(card, second.id, second.steps[2].id)
    return second.id, 3


def assert_continues(app, services: KioskServices, card: str, lesson_id: str, number: int):
    """The lesson list shows the card's progress; its suggested lesson opens at the step where it stopped."""
    yield 0.3  # the list is laid out
    assert screen_name(app) == "lesson_list" and services.session.learner == card
    listing = app.root.get_screen("lesson_list")
    buttons = {button.lesson_id: button for button in listing.ids.grid.children}
    assert buttons[services.lessons[0].id].done and buttons[lesson_id].suggested
    assert shown(_("Lessons done: {done}. Next: lesson {number}.").format(done=1, number=2))
    tap(buttons[lesson_id])
    yield 0.3
    assert screen_name(app) == "player" and app.root.get_screen("player").run.number == number


def assert_gaps() -> None:
    """DESIGN.md: the buttons on screen keep 5 mm between them."""
    boxes = [(w.text, *w.to_window(w.x, w.y), w.width, w.height) for w in everything()
             if getattr(w, "on_release", None) and not w.disabled and w.opacity > 0 and w.x > -1000 and w.height]
    for index, (text, x, y, width, height) in enumerate(boxes):
        for other, x2, y2, width2, height2 in boxes[index + 1:]:
            apart = max(x2 - (x + width), x - (x2 + width2), y2 - (y + height), y - (y2 + height2))
            assert apart >= mm(5) - 1, f"{text!r} and {other!r} are {apart / mm(1):.1f} mm apart"


def test_a_walk_up_learner_scans_their_card_and_continues_its_progress(kiosk_config, tmp_path):
    [card], [frame] = write_learner_card_frames(tmp_path / "camera")
    services = KioskServices(kiosk_config.model_copy(update={"camera": f"replay:{frame}"}))
    lesson_id, number = with_progress(services, card)

    def script(app):
        assert_big_targets()
        visited = []  # each screen shown and whether a session was open then: the scan may take a single frame
        app.root.bind(current=lambda _manager, name: visited.append((name, services.session is not None)))
        tap(find(CARD_ENTRANCE))
        yield from until(lambda: screen_name(app) == "lesson_list")
        assert visited[:2] == [("card_entry", False), ("lesson_list", True)]  # the card, not the tap, opened it
        yield from assert_continues(app, services, card, lesson_id, number)

    run_kiosk(services, script)
    assert [r.learner for r in queued_records(services) if r.type == "session_started"] == [card]


def test_a_typed_code_continues_its_progress_and_mistakes_are_said_kindly(kiosk_config, tmp_path):
    card, lost = new_card_id(), new_card_id()
    services = KioskServices(kiosk_config.model_copy(update={"camera": f"replay:{tmp_path / 'no-camera-here'}"}))
    lesson_id, number = with_progress(services, card)
    services.cards.merge_from_ward({}, [lost])  # reported lost at the ward, then synced
    code = card_short_code(card)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")

    def script(app):
        tap(find(CARD_ENTRANCE))
        yield 0.3
        assert find(_(NO_CAMERA)) and not shown(_("Scan the card"))  # no camera: typing is offered
        assert find(SAMPLE_CODE) and card_id_in(SAMPLE_CODE) is None  # where the code is, on a card that opens nothing
        assert_big_targets()
        assert_nothing_overlaps()
        tap(find(_("Type the card's code")))
        yield 0.2
        assert_big_targets()
        assert_gaps()
        assert_nothing_overlaps()
        yield from type_card_code(wrong)
        yield 0.2
        assert find(_(WRONG_CODE).format(code=wrong)) and services.session is None
        assert_big_targets()
        assert_nothing_overlaps()
        tap(find(_("Type the card's code")))
        yield 0.2
        yield from type_card_code(card_short_code(lost))
        yield 0.2
        assert find(_(LOST)) and services.session is None
        assert_big_targets()
        assert_nothing_overlaps()
        tap(find(_("Type the card's code")))
        yield 0.2
        yield from type_card_code(code[:3])
        tap(find(_("Erase")))
        yield 0.05
        yield from type_card_code(code[2:])
        yield 0.2
        yield from assert_continues(app, services, card, lesson_id, number)

    run_kiosk(services, script)


def test_a_code_that_is_not_a_card_is_said_and_back_returns_to_the_start(kiosk_config, tmp_path):
    folder = tmp_path / "camera"
    folder.mkdir()
    card_frame("https://vi.wikipedia.org").save(folder / "not-a-card.png")
    services = KioskServices(kiosk_config.model_copy(update={"camera": f"replay:{folder}"}))

    def script(app):
        tap(find(CARD_ENTRANCE))
        yield from until(lambda: shown(_(NOT_A_CARD)))
        assert find(_(HOLD_UP)) and screen_name(app) == "card_entry"
        assert_big_targets()
        assert_nothing_overlaps()
        tap(find(_("Back")))
        yield 0.2
        assert screen_name(app) == "welcome" and services.session is None

    run_kiosk(services, script)


def test_left_alone_the_entrance_goes_back_to_the_start_and_releases_the_camera(kiosk_config, qr_camera):
    services = KioskServices(kiosk_config.model_copy(update={"camera": qr_camera, "idle_prompt_s": 0.5,
                                                             "idle_countdown_s": 0.5}))

    def script(app):
        tap(find(CARD_ENTRANCE))
        yield 0.2
        entrance = app.root.get_screen("card_entry")
        assert entrance._worker is not None  # the camera runs
        yield from until(lambda: screen_name(app) == "welcome", timeout_s=15)
        assert entrance._worker is None and not app.root.has_screen("card_entry")

    run_kiosk(services, script)
