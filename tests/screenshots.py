"""``make screenshots``: every kiosk screen rendered to PNG, in states that show real content.

Run under Xvfb: ``python -m tests.screenshots OUT_DIR``. The app is driven by the same touch
events as the UI tests, so what the pictures show is what a learner gets.
"""
import shutil
import sys
import tempfile
from pathlib import Path

from tests.ui import find, run_kiosk, tap  # first: it sets the window size before Kivy opens one

from kivy.core.window import Window  # noqa: E402

from kiosk.config import KioskConfig  # noqa: E402
from kiosk.i18n import _  # noqa: E402
from kiosk.services import KioskServices  # noqa: E402
from lessons.schema import ChoiceStep  # noqa: E402


def save(out: Path, name: str) -> None:
    """Window.screenshot numbers its files; rename to a stable name."""
    shot = Path(Window.screenshot(name=str(out / f"{name}.png")))
    shot.replace(out / f"{name}.png")
    print(out / f"{name}.png")


def tour(out: Path, services: KioskServices):
    lesson = services.lessons[0]
    question = next(step for step in lesson.steps if isinstance(step, ChoiceStep))

    def script(app):
        yield 0.5
        save(out, "01-welcome")
        tap(find(_("Touch here to start")))
        yield 0.3
        save(out, "02-lesson-list")
        tap(find(lesson.title))
        yield 0.3
        save(out, "03-player-explain")
        while not isinstance(app.root.get_screen("player").run.step, ChoiceStep):
            tap(find(_("Continue")))
            yield 0.2
        save(out, "04-player-question")
        tap(find(next(o.text for o in question.options if o.id != question.correct)))
        yield 0.3
        save(out, "05-player-wrong")
        tap(find(next(o.text for o in question.options if o.id == question.correct)))
        yield 0.3
        save(out, "06-player-right")
        while app.root.current == "player":
            screen = app.root.get_screen("player")
            step = screen.run.step
            if isinstance(step, ChoiceStep) and not screen.run.can_continue:
                tap(find(next(o.text for o in step.options if o.id == step.correct)))
                yield 0.2
            tap(find(_("Continue")))
            yield 0.2
        yield 0.3
        save(out, "07-done")
        services.idle.prompt_after_s = 0
        yield 1.0
        save(out, "08-idle-prompt")

    return script


def main(out_dir: str = "build/screenshots") -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="kiosk-screens-"))
    try:
        services = KioskServices(KioskConfig(data_dir=data))
        run_kiosk(services, tour(out, services))
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
