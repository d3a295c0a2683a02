"""``make screenshots``: every kiosk screen rendered to PNG, in states that show real content.

Run under Xvfb: ``python -m tests.screenshots OUT_DIR``; ``KIOSK_TEST_WIDTH``, ``KIOSK_TEST_HEIGHT``
and ``KIVY_DPI`` choose the screen (800×480 at 133 dpi by default). The app is driven by the same touch
events as the UI tests, so what the pictures show is what a learner gets: the welcome screen, the
lesson list, one screen of each drill kind and of each feedback, the well-done screen, the
inactivity question, and the staff PIN and staff screens. The drill screens come from a test pack holding one drill of each kind.
"""
import os
import shutil
import sys
import tempfile
from pathlib import Path

from tests.ui import find, run_kiosk, tap  # first: it sets the window size before Kivy opens one

from kivy.core.window import Window  # noqa: E402

from kiosk.config import KioskConfig  # noqa: E402
from kiosk.i18n import _  # noqa: E402
from kiosk.services import KioskServices  # noqa: E402
from tests.lesson_driver import PAUSE, Play, play_lesson  # noqa: E402
from tests.helpers import write_card_images  # noqa: E402

DRILL_PACK = Path(__file__).resolve().parent / "fixtures" / "drill-pack"
STAFF_PIN = "2468"


def save(out: Path, name: str) -> None:
    """Window.screenshot numbers its files; rename to a stable name."""
    shot = Path(Window.screenshot(name=str(out / f"{name}.png")))
    shot.replace(out / f"{name}.png")
    print(out / f"{name}.png")


def tour(out: Path, services: KioskServices):
    lesson = services.lessons[0]
    seen: set[str] = set()

    def each_step(app, run):
        kind = run.step.kind + {"tap": lambda s: "-" + s.gesture, "keypad": lambda s: "-" + s.mode}.get(run.step.kind, lambda s: "")(run.step)
        if kind not in seen:
            seen.add(kind)
            yield PAUSE
            save(out, f"10-step-{run.number:02d}-{kind}")
        if run.step.kind == "qr":
            tap(find(_("Open the camera")))
            drill = app.root.get_screen("qr_practice")
            while drill.phase != "question":
                yield 0.1
            save(out, "11-qr-camera-question")
            tap(find(_("Exit lesson")))
            yield PAUSE
        if run.number == 2:  # one wrong answer, to show the feedback screen
            wrong = next(e for e in run.step.phone.elements if e.id != run.step.correct)
            tap(find(wrong.label))
            yield 0.3
            save(out, "20-feedback-wrong")
            tap(find(_("Try again")))
            yield PAUSE

    def first_right(app):
        if app.root.get_screen("player").verdict == "right" and "feedback-right" not in seen:
            seen.add("feedback-right")
            yield PAUSE
            save(out, "21-feedback-right")

    def script(app):
        yield 0.5
        save(out, "01-welcome")
        tap(find(_("Touch here to start")))
        yield 0.3
        save(out, "02-lesson-list")
        yield from play_lesson(app, lesson, Play(wrong_first=False, on_feedback=first_right), on_step=each_step)
        yield 0.3
        save(out, "30-done")
        services.idle.prompt_after_s = 0
        yield 1.0
        save(out, "31-idle-prompt")
        app.end_session("idle")
        yield 0.3
        tap(find(_("For volunteers")))
        yield 0.3
        for digit in STAFF_PIN[:2]:
            tap(find(digit))
        yield PAUSE
        save(out, "40-staff-pin")
        for digit in STAFF_PIN[2:]:
            tap(find(digit))
        tap(find(_("Done")))
        yield PAUSE
        save(out, "41-staff")

    return script


def main(out_dir: str = "build/screenshots") -> int:
    out = Path(out_dir)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    data = Path(tempfile.mkdtemp(prefix="kiosk-screens-"))
    try:
        camera = f"replay:{write_card_images(data / 'cards')}"
        services = KioskServices(KioskConfig(data_dir=data, pack_dir=DRILL_PACK, camera=camera, staff_pin=STAFF_PIN,
                                             screen_dpi=float(os.environ["KIVY_DPI"])))
        run_kiosk(services, tour(out, services))
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
