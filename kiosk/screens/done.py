"""The end of a lesson: kind words about the score, the lesson's main points, and what next.

The score is worded as praise ("Bác làm đúng 4 trên 5 câu ngay lần đầu. Giỏi lắm!"), never as a
mark out of ten, and follows the lesson's title in one paragraph (the title bold, the praise in
green): as two paragraphs they took a line more than the 7-inch screen has beside the main point. The main points are the lesson's ``recap`` or, in a pack without one, the first
sentence of its last explanations. "Học lại bài này" plays the same lesson again at once.
"""
import re
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.metrics import mm
from kivy.properties import AliasProperty, ObjectProperty
from kivy.utils import escape_markup, get_hex_from_color

from kiosk.i18n import _
from kiosk.widgets import theme
from kiosk.widgets.common import KioskScreen
from lessons.engine import LessonRun
from lessons.schema import ExplainStep, Lesson

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

RECAP_CHARS = 90  # a point longer than this is a paragraph, not a point to remember
ROOMY_MM = 110  # a screen this tall has room for three points; the 7-inch one (92 mm) for one


def main_points(lesson: Lesson, most: int) -> list[str]:
    """What to remember from ``lesson``: up to ``most`` short sentences."""
    if lesson.recap:
        return list(lesson.recap[:most])
    explanations = [step.text for step in lesson.steps if isinstance(step, ExplainStep)]
    firsts = [re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0] for text in explanations]
    return [point for point in firsts if len(point) <= RECAP_CHARS][-most:]


def score_words(right: int, total: int) -> str:
    """Praise for what went well; with few right at the first try, praise for the work done."""
    if total == 0:
        return _("Well done!")
    if right == total:
        return _("You got all {total} questions right at the first try. Well done!").format(total=total)
    if 2 * right >= total:
        return _("You got {right} of {total} questions right at the first try. Well done!").format(right=right, total=total)
    return _("You worked through all {total} questions. Each try makes the next one easier.").format(total=total)


class DoneScreen(KioskScreen):
    run: LessonRun | None = ObjectProperty(None, allownone=True)

    def _title(self) -> str:
        return _("You have finished “{title}”.").format(title=self.run.lesson.title) if self.run else ""

    title = AliasProperty(_title, bind=["run"])

    def _score(self) -> str:
        return score_words(self.run.first_try_correct, self.run.questions) if self.run else ""

    score = AliasProperty(_score, bind=["run"])

    def _praise(self) -> str:
        """The title in bold, then the score in green, as one marked-up paragraph."""
        if self.run is None:
            return ""
        return (f"[b]{escape_markup(self.title)}[/b] "
                f"[color={get_hex_from_color(theme.RIGHT)}]{escape_markup(self.score)}[/color]")

    praise = AliasProperty(_praise, bind=["run"])

    def _recap(self) -> str:
        if self.run is None:
            return ""
        most = 3 if self.height >= mm(ROOMY_MM) else 1
        return "\n".join(f"•  {point}" for point in main_points(self.run.lesson, most))

    recap = AliasProperty(_recap, bind=["run", "height"])

    def celebrate(self, run: LessonRun) -> None:
        self.run = run
        App.get_running_app().step_shown("\n".join([self.title, self.score, _("Remember:"), self.recap]))

    def again(self) -> None:
        """"Học lại bài này": the same lesson from its first step."""
        app = App.get_running_app()
        app.show("player").play(app.services.start_lesson(self.run.lesson.id))

    def another(self) -> None:
        App.get_running_app().show("lesson_list")

    def finish(self) -> None:
        App.get_running_app().end_session("finished")
