"""The learner's screens on the real app under Xvfb, driven by touch: one layout, calm feedback,
QR lessons that finish without a card or a camera, progress on the list and the end screen."""
from kivy.uix.image import Image
from PIL import Image as PILImage

from kiosk.config import KioskConfig
from kiosk.i18n import _
from kiosk.qr.practice import DISTRUST, NO_CARD, SHOW_CARD, TRUST, card_by_id
from kiosk.services import KioskServices
from kiosk.widgets.common import PanelSide, VerdictMark
from kiosk.widgets.drills import PhoneDrill, PhoneElementButton
from kiosk.widgets.practice_card import PracticeCard
from lessons.schema import ExplainStep
from tests.lesson_driver import SOLVERS, Play, open_lesson, play_lesson
from tests.ui import everything, find, run_kiosk, screen_name, shown_texts, tap

BAR_WORDS = (_("Exit lesson"), _("Read aloud"))


def kiosk(tmp_path, camera: str = "picamera2") -> KioskServices:
    return KioskServices(KioskConfig(data_dir=tmp_path / "kiosk", camera=camera))


def start(app):
    tap(find(_("Touch here to start")))
    yield 0.4


def go_to_step(app, kind: str):
    """Play through the lesson, right at once, until a step of ``kind`` is shown."""
    player = app.root.get_screen("player")
    while player.run.step.kind != kind:
        step = player.run.step
        if isinstance(step, ExplainStep):
            tap(find(_("Continue")))
            yield 0.2
        else:
            yield from SOLVERS[type(step)](app, step, Play(wrong_first=False))


def bar_places(app) -> dict[str, tuple[int, int]]:
    """Where the bar's two fixed buttons are, in window pixels."""
    return {text: tuple(map(round, find(text).to_window(*find(text).pos))) for text in BAR_WORDS}


def marks() -> list[VerdictMark]:
    return [w for w in everything() if isinstance(w, VerdictMark) and w.opacity > 0 and w.parent.opacity > 0]


def test_feedback_keeps_the_phone_in_view_with_a_tick_or_a_cross_and_the_bar_in_place(tmp_path):
    services = kiosk(tmp_path)

    def script(app):
        yield from start(app)
        yield from open_lesson(app, services.lessons[0])
        places = bar_places(app)
        yield from go_to_step(app, "tap")
        assert bar_places(app) == places, "the bar is where it was on the explanation"
        player = app.root.get_screen("player")
        step = player.run.step
        wrong = next(e for e in step.phone.elements if e.id != step.correct)
        tap(find(wrong.label))
        yield 0.3
        assert player.verdict == "wrong" and find("Bác thử lại nhé.") and find(_("Try again"))
        assert [m.verdict for m in marks()] == ["wrong"]
        assert "Chưa đúng." not in shown_texts()
        assert isinstance(player.drill, PhoneDrill) and player.drill.get_root_window() is not None, "the phone stays"
        ringed = [b.value for b in player.drill.ids.elements.children if isinstance(b, PhoneElementButton) and b.marked]
        assert ringed == [step.correct], "the right place is shown on the phone"
        assert bar_places(app) == places
        tap(find(wrong.label))  # the phone is still: a tap on it answers nothing
        yield 0.2
        assert player.phase == "feedback" and player.verdict == "wrong"
        tap(find(_("Try again")))
        yield 0.2
        tap(find(next(e.label for e in step.phone.elements if e.id == step.correct)))
        yield 0.3
        assert player.verdict == "right" and find(_("That's right!")) and [m.verdict for m in marks()] == ["right"]
        side = next(w for w in everything() if isinstance(w, PanelSide))
        assert side.still and player.drill.parent is side

    run_kiosk(services, script)


def test_a_hold_drill_offers_its_tap_instead_in_the_bar_and_it_counts_as_the_hold(tmp_path):
    services = kiosk(tmp_path)

    def script(app):
        yield from start(app)
        yield from open_lesson(app, services.lessons[0])
        places = bar_places(app)
        player = app.root.get_screen("player")
        while player.run.step.kind != "tap" or player.run.step.gesture != "hold":
            yield from go_to_step(app, "tap") if player.run.step.kind != "tap" else SOLVERS[type(player.run.step)](
                app, player.run.step, Play(wrong_first=False))
        assert bar_places(app) == places
        instead = find(_("Tap instead"))
        drill_box = player.drill.to_window(*player.drill.pos)
        assert instead.to_window(*instead.pos)[0] < drill_box[0], "in the bar, beside the phone"
        tap(instead)
        yield 0.3
        assert player.phase == "feedback" and player.verdict == "right"
        assert _("Tap instead") not in shown_texts() and find(_("Continue"))

    run_kiosk(services, script)


def test_a_keypad_keeps_the_bar_in_place_with_what_is_typed_beside_done(tmp_path):
    """Lesson 5's PIN step: the keys under the words, "Xong" where "Tiếp tục" was, the step and the dots in the bar."""
    services = kiosk(tmp_path)

    def place(widget) -> tuple[int, int]:
        return tuple(map(round, widget.to_window(*widget.pos)))

    def script(app):
        yield from start(app)
        yield from open_lesson(app, services.lessons[4])
        places, main = bar_places(app), place(find(_("Continue")))
        yield from go_to_step(app, "keypad")
        player = app.root.get_screen("player")
        assert bar_places(app) == places and place(find(_("Done"))) == main and find(_("Done")).primary
        progress, leave = find(player.progress), find(_("Exit lesson"))
        assert progress.to_window(progress.x, progress.y)[1] < leave.to_window(leave.x, leave.top)[1], "in the bar"
        for digit in "1111":
            tap(find(digit))
            yield 0.05
        assert any(text.startswith("• • • • _ _") for text in shown_texts()), "the dots in the bar"
        tap(find(_("Erase")))
        yield 0.05
        for digit in "111":
            tap(find(digit))
            yield 0.05
        tap(find(_("Done")))
        yield 0.3
        assert player.verdict == "wrong" and bar_places(app) == places
        assert "1" not in shown_texts() and _("Erase") not in shown_texts(), "the keys leave with the answer"
        tap(find(_("Try again")))
        yield 0.2
        assert find(_("Erase")) and any(text.startswith("_ _ _ _ _ _") for text in shown_texts())
        for digit in "482915":
            tap(find(digit))
            yield 0.05
        tap(find(_("Done")))
        yield 0.3
        assert player.verdict == "right" and bar_places(app) == places and place(find(_("Continue"))) == main

    run_kiosk(services, script)


def test_a_qr_lesson_finishes_without_a_card(tmp_path):
    table = tmp_path / "table"
    table.mkdir()
    PILImage.new("RGB", (640, 480), (150, 130, 110)).save(table / "no-card.png")  # the camera sees no card
    services = kiosk(tmp_path, f"replay:{table}")

    def script(app):
        yield from start(app)
        lesson = next(i for i, lesson in enumerate(services.lessons, 1) if any(s.kind == "qr" for s in lesson.steps))
        yield from open_lesson(app, services.lessons[lesson - 1])
        yield from go_to_step(app, "qr")
        step = app.root.get_screen("player").run.step
        tap(find(_("Open the camera")))
        yield 0.3
        tap(find(_(NO_CARD)))
        yield 0.3
        drill = app.root.get_screen("qr_practice")
        card = card_by_id(step.card) if step.card else drill.card
        assert drill.phase == "question" and drill.card is card
        shown = next(w for w in everything() if isinstance(w, PracticeCard))
        assert shown.card is card and shown.texture is not None and shown.height > 0
        assert any(isinstance(w, Image) and w.texture is shown.texture for w in shown.walk())
        assert find(_(card.caption)) and find(_("Card number {number}").format(number=drill_number(card)))
        tap(find(_(TRUST) if card.trust else _(DISTRUST)))
        yield 0.3
        player = app.root.get_screen("player")
        assert screen_name(app) == "player" and player.verdict == "right"
        tap(find(_("Continue")))
        yield 0.3
        assert player.run.step is not step

    run_kiosk(services, script)


def drill_number(card) -> int:
    from kiosk.qr.practice import card_number

    return card_number(card)


def test_a_qr_lesson_finishes_without_a_camera(tmp_path):
    services = kiosk(tmp_path, f"replay:{tmp_path / 'no-camera'}")

    def script(app):
        yield from start(app)
        lesson = next(i for i, lesson in enumerate(services.lessons, 1) if any(s.kind == "qr" for s in lesson.steps))
        yield from open_lesson(app, services.lessons[lesson - 1])
        yield from go_to_step(app, "qr")
        tap(find(_("Open the camera")))
        yield 0.3
        drill = app.root.get_screen("qr_practice")
        assert drill.phase == "no_camera"
        assert find("Máy này chưa có máy ảnh. Bác xem thẻ trên màn hình nhé.")
        assert find(_("Exit lesson")) and find(_(SHOW_CARD)), "a way on, not only the way out"
        tap(find(_(SHOW_CARD)))
        yield 0.3
        card = drill.card
        tap(find(_(DISTRUST) if card.trust else _(TRUST)))  # wrong first: the lesson lets the learner try again
        yield 0.3
        player = app.root.get_screen("player")
        assert player.verdict == "wrong" and find("Bác thử lại nhé.")
        tap(find(_("Try again")))
        yield 0.2
        tap(find(_("Open the camera")))
        yield 0.3
        tap(find(_(SHOW_CARD)))
        yield 0.3
        tap(find(_(TRUST) if card.trust else _(DISTRUST)))
        yield 0.3
        assert player.verdict == "right"

    run_kiosk(services, script)


def test_the_list_ticks_what_was_done_and_suggests_the_next_lesson_and_the_end_offers_it_again(tmp_path, qr_camera):
    services = kiosk(tmp_path, qr_camera)
    first = services.lessons[0]

    def script(app):
        yield from start(app)
        listing = app.root.get_screen("lesson_list")
        assert any(text.startswith(_("Choose a lesson")) for text in shown_texts()) and find("1") and find(first.title)
        buttons = {b.lesson_id: b for b in listing.ids.grid.children}
        assert buttons[first.id].suggested and not buttons[first.id].done
        yield from play_lesson(app, first, Play(wrong_first=False))
        assert any("Bác làm đúng cả 6 câu ngay lần đầu. Giỏi lắm!" in text for text in shown_texts())
        assert find(_("Remember:") + "\n" + app.root.get_screen("done").recap)
        assert not [t for t in shown_texts() if "chờ gửi" in t or "đăng ký" in t], "no sync line for learners"
        tap(find(_("Repeat this lesson")))
        yield 0.3
        player = app.root.get_screen("player")
        assert screen_name(app) == "player" and player.run.lesson is first and player.run.number == 1
        tap(find(_("Exit lesson")))
        yield 0.3
        buttons = {b.lesson_id: b for b in listing.ids.grid.children}
        assert buttons[first.id].done and not buttons[first.id].suggested
        assert buttons[services.lessons[1].id].suggested
        assert find(f"Đã học 1 bài. Nên học tiếp: bài 2.   Trang 1/{listing.pages}")
        ticks = [m for m in marks() if m.verdict == "right"]
        assert len(ticks) == 1

    run_kiosk(services, script)
