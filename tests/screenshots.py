"""``make screenshots``: every screen of every lesson rendered to PNG, as a learner gets them.

Run under Xvfb: ``python -m tests.screenshots OUT_DIR``; ``KIOSK_TEST_WIDTH``, ``KIOSK_TEST_HEIGHT``
and ``KIVY_DPI`` choose the screen (800×480 at 133 dpi by default). The app is driven by the same
touch events as the UI tests, so what the pictures show is what a learner gets. One folder per
lesson of the Vietnamese pack (and of the test pack that holds one drill of each kind) holds each
step, each feedback (a wrong answer first, then the right one), the camera drill and the end
screen; ``00-kiosk`` holds the welcome screen, the lesson list before and after a lesson, the QR
drill without a card and without a camera, the inactivity question and the staff screens.
"""
import os
import shutil
import sys
import tempfile
from pathlib import Path

from tests.ui import VOLUNTEER_PIN, find, run_kiosk, tap, technician_tour, volunteer_tour  # first: it sets the window size before Kivy opens one

from kivy.core.window import Window  # noqa: E402
from PIL import Image  # noqa: E402

from kiosk.config import KioskConfig  # noqa: E402
from kiosk.i18n import _  # noqa: E402
from kiosk.qr.practice import NO_CARD, SHOW_CARD  # noqa: E402
from kiosk.services import KioskServices  # noqa: E402
from lessons.pack import BUILTIN_PACKS  # noqa: E402
from tests.helpers import write_card_images  # noqa: E402
from tests.lesson_driver import PAUSE, Play, play_lesson  # noqa: E402

DRILL_PACK = Path(__file__).resolve().parent / "fixtures" / "drill-pack"
STAFF_PIN = "4826"


def save(path: Path) -> None:
    """Window.screenshot numbers its files; rename to a stable name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shot = Path(Window.screenshot(name=str(path)))
    shot.replace(path)
    print(path)


def lesson_tour(folder: Path):
    """Hooks for ``play_lesson`` that save every step, feedback and camera question."""
    count = {"shot": 0}

    def shot(app, what: str):
        yield 0.3
        count["shot"] += 1
        save(folder / f"{count['shot']:02d}-{what}.png")

    def on_step(app, run):
        yield from shot(app, f"step-{run.number:02d}-{run.step.kind}")

    def on_feedback(app):
        screen = app.root.get_screen("player")
        yield from shot(app, f"step-{screen.run.number:02d}-feedback-{screen.verdict}")

    def on_camera_question(app):
        yield from shot(app, f"step-{app.root.get_screen('player').run.number:02d}-camera")

    return Play(wrong_first=True, on_feedback=on_feedback, on_camera_question=on_camera_question), on_step


def tour(out: Path, services: KioskServices, kiosk_shots: bool):
    def script(app):
        yield 0.5
        if kiosk_shots:
            save(out / "00-kiosk" / "01-welcome.png")
        for number, lesson in enumerate(services.lessons, 1):
            tap(find(_("Touch here to start")))
            yield 0.4
            if kiosk_shots and number == 1:
                save(out / "00-kiosk" / "02-lesson-list.png")
            folder = out / f"{services.pack.info.id}-{number:02d}-{lesson.id}"
            play, on_step = lesson_tour(folder)
            yield from play_lesson(app, lesson, play, on_step=on_step)
            yield 0.3
            save(folder / "99-done.png")
            if kiosk_shots and number == 1:
                tap(find(_("Another lesson")))
                yield 0.3
                save(out / "00-kiosk" / "03-lesson-list-one-done.png")
                app.show("done")
                yield PAUSE
            tap(find(_("Finish")))
            yield 0.3
        if kiosk_shots:
            yield from kiosk_tour(out / "00-kiosk", app, services)

    return script


def kiosk_tour(out: Path, app, services: KioskServices):
    """The QR drill's other paths, the inactivity question and the staff screens."""
    tap(find(_("Touch here to start")))
    yield 0.3
    table = Path(tempfile.mkdtemp(prefix="kiosk-table-"))
    Image.new("RGB", (640, 480), (150, 130, 110)).save(table / "table.png")  # no card held up yet
    services.config = services.config.model_copy(update={"camera": f"replay:{table}"})
    app.show("qr_practice")
    yield 0.5
    save(out / "10-qr-scanning.png")
    tap(find(_(NO_CARD)))
    yield 0.3
    save(out / "11-qr-card-on-screen.png")
    services.config = services.config.model_copy(update={"camera": f"replay:{table / 'no-camera-here'}"})
    app.show("lesson_list")
    yield PAUSE
    app.show("qr_practice")
    yield 0.3
    save(out / "12-qr-no-camera.png")
    tap(find(_(SHOW_CARD)))
    yield 0.3
    save(out / "13-qr-no-camera-card.png")
    app.end_session("left")
    yield 0.3
    tap(find(_("For volunteers")))
    yield 0.3
    for digit in STAFF_PIN[:2]:
        tap(find(digit))
    yield PAUSE
    save(out / "30-staff-pin.png")
    for digit in STAFF_PIN[2:]:
        tap(find(digit))
    tap(find(_("Done")))
    yield PAUSE
    save(out / "31-staff.png")
    shots = iter(range(32, 100))

    def look(name):
        yield 0.3
        save(out / f"{next(shots)}-{name}.png")

    yield from technician_tour(app, services, look)
    tap(find(_("Back to the start")))
    yield PAUSE
    yield from volunteer_tour(app, services, look)
    tap(find(_("Touch here to start")))
    services.idle.prompt_after_s = 0
    yield 1.0
    save(out / "20-idle-prompt.png")


def main(out_dir: str = "build/screenshots") -> int:
    out = Path(out_dir)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for pack, kiosk_shots in ((DRILL_PACK, True), (BUILTIN_PACKS / "vi", False)):
        data = Path(tempfile.mkdtemp(prefix="kiosk-screens-"))
        try:
            camera = f"replay:{write_card_images(data / 'cards')}"
            services = KioskServices(KioskConfig(data_dir=data, pack_dir=pack, camera=camera, staff_pin=STAFF_PIN,
                                                 volunteer_pin=VOLUNTEER_PIN,
                                                 screen_dpi=float(os.environ["KIVY_DPI"])))
            run_kiosk(services, tour(out, services, kiosk_shots), timeout_s=900)
        finally:
            shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
