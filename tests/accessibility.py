"""The accessibility walk: every screen of every lesson, measured against DESIGN.md's numbers.

``python -m tests.accessibility WIDTHxHEIGHT DPI [PACK…]`` opens the kiosk at that size and DPI
(one process per screen profile: Kivy fixes both when its window opens), touches through every
lesson (wrong answers first, so the feedback screens are measured too) and, on every screen,
measures each visible touch target (≥ 20 mm; a phone drill's shrinking targets ≥ their size, never < 16 mm; ≥ 5 mm from the next, inside the window), each
visible text (≥ 18 pt) and each text's contrast against the background actually drawn behind it
(≥ 7:1, from the rendered pixels). Prints one line per problem and exits 1 if there is any.
"""
import logging
import os
import sys
import tempfile
from pathlib import Path

SIZE, DPI = sys.argv[1], sys.argv[2]
os.environ["KIOSK_TEST_WIDTH"], os.environ["KIOSK_TEST_HEIGHT"] = SIZE.split("x")
os.environ["KIVY_DPI"] = DPI

from tests.ui import VOLUNTEER_PIN, everything, run_kiosk, tap, find, technician_tour, volunteer_tour  # noqa: E402  (sets the window size first)

from kivy.app import App  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.uix.behaviors import ButtonBehavior  # noqa: E402
from kivy.uix.label import Label  # noqa: E402
from kivy.uix.modalview import ModalView  # noqa: E402
from PIL import Image  # noqa: E402

from kiosk.config import KioskConfig  # noqa: E402
from kiosk.i18n import _  # noqa: E402
from kiosk.services import KioskServices  # noqa: E402
from kiosk.widgets.drills import PhoneElementButton  # noqa: E402
from tests.lesson_driver import PAUSE, Play, play_lesson  # noqa: E402
from tests.helpers import write_card_images  # noqa: E402

logging.getLogger("PIL").setLevel(logging.INFO)
MM = float(DPI) / 25.4
STAFF_PIN = "4826"
MIN_TARGET_MM, MIN_DRILL_TARGET_MM, MIN_GAP_MM, MIN_TEXT_PT, MIN_CONTRAST = 20, 16, 5, 18, 7.0
problems: list[str] = []
screens_measured = 0


def visible(widget) -> bool:
    while widget is not None and widget is not Window:
        if widget.opacity == 0:
            return False
        widget = widget.parent
    return True


def window_box(widget) -> tuple[float, float, float, float]:
    x0, y0 = widget.to_window(widget.x, widget.y)
    return x0, y0, x0 + widget.width, y0 + widget.height


def gap_mm(a, b) -> float:
    dx = max(b[0] - a[2], a[0] - b[2], 0)
    dy = max(b[1] - a[3], a[1] - b[3], 0)
    return max(dx, dy) / MM if dx == 0 or dy == 0 else (dx ** 2 + dy ** 2) ** 0.5 / MM


def luminance(rgb) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def background_behind(pixels: Image.Image, label: Label) -> tuple[float, float, float]:
    """The colour drawn most around the label's text: the background the eye reads it on."""
    x0, y0, x1, y1 = window_box(label)
    height = pixels.height
    box = (max(0, int(x0)), max(0, int(height - y1)), min(pixels.width, int(x1)), min(height, int(height - y0)))
    if box[2] - box[0] < 2 or box[3] - box[1] < 2:
        return None
    crop = pixels.crop(box)
    _count, colour = max(crop.getcolors(maxcolors=crop.width * crop.height))  # a bound that sizes its table to the crop
    return tuple(c / 255 for c in colour[:3])


def on_top() -> list:
    """The widgets a learner can see and reach: those of an open modal view, else all."""
    modals = [child for child in Window.children if isinstance(child, ModalView)]
    return list(modals[0].walk(restrict=True)) if modals else list(everything())


def drill_target_mm(widget) -> float:
    """20 mm, except the elements of a phone drill that shrinks them on purpose (never under 16)."""
    if isinstance(widget, PhoneElementButton):
        return max(MIN_DRILL_TARGET_MM, App.get_running_app().root.get_screen("player").run.step.target_mm)
    return MIN_TARGET_MM


def label_of(widget) -> str:
    """What a target says: its text, or its title (a lesson button), or its kind."""
    return getattr(widget, "text", None) or getattr(widget, "title", None) or type(widget).__name__


def measure(where: str) -> None:
    """Check every visible target and text on the screen as drawn now."""
    global screens_measured
    screens_measured += 1
    shot = Path(Window.screenshot(name=str(Path(tempfile.mkdtemp()) / "screen.png")))
    pixels = Image.open(shot).convert("RGB")
    widgets = on_top()
    targets = [w for w in widgets if isinstance(w, ButtonBehavior) and visible(w) and not w.disabled]
    boxes = [(w, window_box(w)) for w in targets]
    for widget, box in boxes:
        name = f"{where}: button {label_of(widget)!r}"
        size = min(widget.width, widget.height) / MM
        smallest = drill_target_mm(widget)
        if size < smallest - 0.05:
            problems.append(f"{name} is {size:.1f} mm, under {smallest} mm")
        if box[0] < -1 or box[1] < -1 or box[2] > Window.width + 1 or box[3] > Window.height + 1:
            problems.append(f"{name} reaches outside the screen")
    for index, (first, a) in enumerate(boxes):
        for second, b in boxes[index + 1:]:
            if gap_mm(a, b) < MIN_GAP_MM - 0.05:
                problems.append(f"{where}: buttons {label_of(first)!r} and {label_of(second)!r} are {gap_mm(a, b):.1f} mm apart")
    for label in (w for w in widgets if isinstance(w, Label) and w.text.strip() and visible(w)):
        name = f"{where}: text {label.text[:30]!r}"
        points = label.font_size * 72 / float(DPI)
        if points < MIN_TEXT_PT - 0.05:
            problems.append(f"{name} is {points:.1f} pt, under {MIN_TEXT_PT} pt")
        x0, y0, x1, y1 = window_box(label)
        if y0 < -1 or y1 > Window.height + 1:
            problems.append(f"{name} is cut off by the screen's edge")
        behind = background_behind(pixels, label)
        if behind is not None and contrast(label.color, behind) < MIN_CONTRAST:
            problems.append(f"{name} has contrast {contrast(label.color, behind):.1f}:1 on its background")
    shot.unlink()


def walk(services: KioskServices):
    def on_step(app, run):
        yield PAUSE
        measure(f"{run.lesson.id} step {run.number} ({run.step.kind})")

    def on_feedback(app):
        yield PAUSE
        screen = app.root.get_screen("player")
        measure(f"{screen.run.lesson.id} step {screen.run.number} feedback ({screen.verdict})")

    def on_camera_question(app):
        yield PAUSE
        measure(f"{app.root.get_screen('player').run.lesson.id} camera drill question")

    def script(app):
        yield 0.5
        measure("welcome")
        for lesson in services.lessons:
            tap(find(_("Touch here to start")))
            yield PAUSE
            measure("lesson list")
            yield from play_lesson(app, lesson, Play(wrong_first=True, on_feedback=on_feedback,
                                                         on_camera_question=on_camera_question), on_step=on_step)
            yield PAUSE
            measure(f"{lesson.id} done")
            tap(find(_("Finish")))
            yield PAUSE
        tap(find(_("For volunteers")))
        yield PAUSE
        for digit in STAFF_PIN:
            tap(find(digit))
        yield PAUSE
        measure("staff PIN")
        tap(find(_("Done")))
        yield PAUSE
        measure("staff screen")

        def look(name):
            yield PAUSE
            measure(name)

        yield from technician_tour(app, services, look)
        tap(find(_("Back to the start")))
        yield PAUSE
        yield from volunteer_tour(app, services, look)
        tap(find(_("Touch here to start")))
        services.idle.prompt_after_s = 0
        yield 1.0
        measure("inactivity question")

    return script


def main(packs: list[str]) -> int:
    for pack in packs:
        data = Path(tempfile.mkdtemp(prefix="kiosk-a11y-"))
        camera = f"replay:{write_card_images(data / 'cards')}"
        services = KioskServices(KioskConfig(data_dir=data, pack_dir=Path(pack), screen_dpi=float(DPI), camera=camera,
                                             staff_pin=STAFF_PIN, volunteer_pin=VOLUNTEER_PIN))
        if not services.lessons:
            problems.append(f"pack {pack} did not load")
            continue
        run_kiosk(services, walk(services), timeout_s=1200)
    for problem in problems:
        print(problem)
    print(f"{SIZE} at {DPI} dpi: {screens_measured} screens measured, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    from lessons.pack import BUILTIN_PACKS

    sys.exit(main(sys.argv[3:] or [str(BUILTIN_PACKS / "vi")]))
