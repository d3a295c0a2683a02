"""The simulated phone (issue 11): drills drawn and touched inside a portrait phone, every phone
screen fitting the 7-inch 800×480 screen, pictures that load, and icons the font has.

The widgets run in a real Kivy window under Xvfb at the 7-inch profile and are driven by touch
events through Kivy's input pipeline (``UnitTestTouch``).
"""
from pathlib import Path

from tests.ui import tap  # noqa: F401 - first: fixes the window's size and DPI before Kivy opens it
from tests.lesson_driver import hold, swipe

import pytest
from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.metrics import mm
from kivy.tests.common import UnitTestTouch
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from kiosk.i18n import _
from kiosk.widgets import icons
from kiosk.widgets.drills import OrderDrill, PhoneDrill, PhoneElementButton, ShareDrill
from kiosk.widgets.phone import SCREENS, Phone, StepPicture
from lessons import PICTURES
from lessons.engine import LessonRun
from lessons.pack import BUILTIN_PACKS, load_pack
from lessons.schema import PHONE_SCREENS, TapStep

DRILL_PACK = Path(__file__).resolve().parents[1] / "fixtures" / "drill-pack"
# The drill column of the 7-inch screen: about 66 mm wide, the screen's height less a margin.
COLUMN = (mm(66), Window.height - mm(4))


class Host(App):
    """A bare window showing ``widget`` in a box the size of the player's drill column."""

    def __init__(self, widget, script) -> None:
        super().__init__()
        self.widget, self.script, self.errors = widget, script, []

    def build(self):
        root = BoxLayout(padding=(0, mm(2)))
        box = BoxLayout(size_hint=(None, None), size=COLUMN)
        box.add_widget(self.widget)
        root.add_widget(box)
        return root

    def on_start(self) -> None:
        steps = self.script()

        def step(_dt) -> None:
            try:
                Clock.schedule_once(step, next(steps))
            except StopIteration:
                self.stop()
            except BaseException as exc:  # noqa: BLE001 - raised again by show()
                self.errors.append(exc)
                self.stop()

        Clock.schedule_once(step, 0.3)


def show(widget, script) -> None:
    host = Host(widget, script)
    host.run()
    for leftover in list(Window.children):
        Window.remove_widget(leftover)
    if host.errors:
        raise host.errors[0]


def drill_for(pack: Path, step_id: str, answers: list, kind=PhoneDrill):
    lesson = next(lesson for lesson in load_pack(pack).lessons if any(s.id == step_id for s in lesson.steps))
    run = LessonRun(lesson)
    while run.step.id != step_id:
        run._index += 1  # noqa: SLF001 - jump straight to the drill under test
    drill = kind(run=run, answer_to=answers.append)
    drill.refresh()
    return drill


def element(drill: PhoneDrill, label: str) -> PhoneElementButton:
    return next(button for button in drill.ids.elements.children if button.text == label)


def inside_phone(widget) -> bool:
    while widget is not None and widget is not Window and not isinstance(widget, Phone):
        widget = widget.parent
    return isinstance(widget, Phone)


def window_box(widget):
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


def test_a_tap_drill_is_touched_on_the_phone_and_answers_what_was_touched():
    answers = []
    drill = drill_for(BUILTIN_PACKS / "vi", "tap-cham-may-anh", answers)

    def script():
        yield 0.3
        camera, phone_app = element(drill, "Máy ảnh"), element(drill, "Điện thoại")
        assert inside_phone(camera) and camera.icon == "photo_camera"
        tap(phone_app)
        yield 0.1
        tap(camera)
        yield 0.1

    show(drill, script)
    assert answers == ["dien-thoai", "may-anh"]


def test_a_hold_drill_counts_only_a_hold_and_names_a_tap_instead():
    answers = []
    drill = drill_for(BUILTIN_PACKS / "vi", "tap-cham-giu-tin-nhan", answers)

    def script():
        yield 0.3
        advert = element(drill, "Quảng cáo")
        tap(advert)
        yield 0.1
        assert answers == [] and drill.hint, "a quick tap is not a hold: a hint, no answer"
        yield from hold(advert)
        assert answers == ["tin-quang-cao"]
        assert drill.instead == _("Tap instead"), "the screen's bar offers the one-tap alternative"

    show(drill, script)
    assert answers == ["tin-quang-cao"]


def test_a_swipe_drill_counts_a_slide_across_the_photo():
    answers = []
    drill = drill_for(BUILTIN_PACKS / "vi", "tap-vuot-anh", answers)

    def script():
        yield 0.3
        yield from swipe(element(drill, "Ảnh cháu nội"))

    show(drill, script)
    assert answers == ["tam-anh"]


def test_the_right_element_can_be_ringed_for_the_feedback():
    drill = drill_for(BUILTIN_PACKS / "vi", "tap-cham-may-anh", [])

    def script():
        yield 0.2
        drill.mark_correct()
        assert [b.value for b in drill.ids.elements.children if b.marked] == ["may-anh"]

    show(drill, script)


def on_glass(drill, widget) -> bool:
    glass, box = window_box(drill.ids.frame.ids.phone.ids.content), window_box(widget)
    return box[1] >= glass[1] - 1 and box[3] <= glass[3] + 1


def test_an_order_drill_is_put_in_order_on_the_phone():
    run_answers = []
    drill = drill_for(BUILTIN_PACKS / "vi", "ket-thuc-dung", [], OrderDrill)
    drill.answer_to = lambda value: (run_answers.append(value), drill.run.answer(value), drill.refresh())

    def script():
        yield 0.3
        for item in drill.run.step.items:
            button = next(b for b in drill.ids.buttons.children if b.value == item.id)
            assert inside_phone(button) and on_glass(drill, button) and button.height >= mm(20) - 1
            tap(button)
            yield 0.15

    show(drill, script)
    assert run_answers == [item.id for item in drill.run.step.items]


def test_a_share_card_arrives_on_the_phone_and_is_answered_there():
    answers = []
    drill = drill_for(BUILTIN_PACKS / "vi", "nguoi-la-xin", answers, ShareDrill)

    def script():
        yield 0.3
        bubble = next(w for w in drill.walk() if getattr(w, "text", "") == drill.run.card.text)
        keep = next(w for w in drill.walk() if getattr(w, "text", "") == _("Do not share"))
        assert inside_phone(bubble) and inside_phone(keep) and on_glass(drill, keep)
        tap(keep)
        yield 0.1

    show(drill, script)
    assert answers == ["keep"]


PACKS = {"vi": BUILTIN_PACKS / "vi", "en": BUILTIN_PACKS / "en", "drill-pack": DRILL_PACK}


@pytest.mark.parametrize("pack", PACKS.values(), ids=PACKS.keys())
def test_every_target_of_every_phone_drill_is_on_the_glass_big_enough_and_apart(pack):
    """At 800×480, the 7-inch screen: what does not fit there fits nowhere."""
    steps = [step.id for lesson in load_pack(pack).lessons for step in lesson.steps if isinstance(step, TapStep)]
    column = BoxLayout()

    def script():
        for step_id in steps:
            column.clear_widgets()
            drill = drill_for(pack, step_id, [])
            column.add_widget(drill)
            yield 0.15
            glass = window_box(drill.ids.frame.ids.phone.ids.content)
            boxes = [window_box(b) for b in drill.ids.elements.children]
            target = mm(drill.run.step.target_mm)
            for box in boxes:
                assert box[1] >= glass[1] - 1 and box[3] <= glass[3] + 1, f"{step_id}: an element is cut off by the phone"
                assert min(box[2] - box[0], box[3] - box[1]) >= target - 1, f"{step_id}: an element is too small"
            for i, a in enumerate(boxes):
                for b in boxes[i + 1:]:
                    assert max(b[0] - a[2], a[0] - b[2], b[1] - a[3], a[1] - b[3]) >= mm(5) - 1, f"{step_id}: too close"

    show(column, script)


def test_the_phone_screens_are_the_ones_the_schema_names():
    assert set(SCREENS) == PHONE_SCREENS


@pytest.mark.parametrize("variant", ["android", "iphone"])
def test_every_phone_screen_fits_its_phone_and_takes_no_touches(variant):
    picture = StepPicture(variant=variant)

    def script():
        for name in sorted(SCREENS):
            picture.picture = f"phone:{name}"
            yield 0.15
            phone = picture.children[0]
            glass = window_box(phone.ids.content)
            assert phone.height > phone.width, f"{name}: a phone stands upright"
            for widget in phone.ids.content.walk(restrict=True):
                assert not isinstance(widget, ButtonBehavior), f"{name}: a picture takes no touches"
                if getattr(widget, "text", "") and widget.opacity:
                    box = window_box(widget)
                    assert box[1] >= glass[1] - 1 and box[3] <= glass[3] + 1, f"{name}: {widget.text!r} does not fit"

    show(picture, script)


def test_an_illustration_picture_shows_the_rendered_png_and_an_unknown_one_nothing():
    shown = StepPicture(picture="qr-sticker-motorbike.png")
    unknown = StepPicture(picture="phone:no-such-screen")
    escape = StepPicture(picture="../pictures/qr-sticker-motorbike.png")
    images = [child for child in shown.children if isinstance(child, Image)]
    assert len(images) == 1 and Path(images[0].source) == PICTURES / "qr-sticker-motorbike.png"
    assert unknown.children == [] and escape.children == []


def test_every_icon_a_pack_names_is_in_the_font():
    assert icons.available(), "make setup installs fonts-material-design-icons-iconfont"
    named = {element.icon for pack in (BUILTIN_PACKS / "vi", DRILL_PACK) for lesson in load_pack(pack).lessons
             for step in lesson.steps if isinstance(step, TapStep) for element in step.phone.elements if element.icon}
    assert named and named <= set(icons.CODEPOINTS)
