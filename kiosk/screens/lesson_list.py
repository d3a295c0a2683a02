"""The lesson list: numbered lessons, a few per page turned with buttons (no scrolling gestures).

What this learner has done carries a tick, and the lesson to do next is the one strong blue
button, on the page shown first; an older learner then never wonders where they were. Progress
comes from the session behind ``kiosk.session.Progress``, so a learner card can supply it later.
"""
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import AliasProperty, BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import _
from kiosk.session import NoProgress, Progress
from kiosk.widgets.common import KioskScreen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

PER_PAGE = 4


class LessonButton(ButtonBehavior, BoxLayout):
    """One lesson: its number (or a tick once done) and its title; the suggested one is blue."""

    lesson_id = StringProperty("")
    number = NumericProperty(0)
    title = StringProperty("")
    done = BooleanProperty(False)
    suggested = BooleanProperty(False)


class LessonListScreen(KioskScreen):
    page = NumericProperty(0)
    lessons = ObjectProperty(())
    progress: Progress = ObjectProperty(NoProgress())

    def _pages(self) -> int:
        return max(1, -(-len(self.lessons) // PER_PAGE))

    pages = AliasProperty(_pages, bind=["lessons"])

    def _suggested(self) -> str | None:
        return self.progress.suggest([lesson.id for lesson in self.lessons])

    suggested = AliasProperty(_suggested, bind=["lessons", "progress"])

    def _header(self) -> str:
        done = sum(self.progress.has_done(lesson.id) for lesson in self.lessons)
        if not done or self.suggested is None:
            return _("Choose a lesson") if not done else _("You have done every lesson. Well done!")
        number = next(n for n, lesson in enumerate(self.lessons, 1) if lesson.id == self.suggested)
        return _("Lessons done: {done}. Next: lesson {number}.").format(done=done, number=number)

    header = AliasProperty(_header, bind=["lessons", "progress"])

    def on_pre_enter(self, *_args) -> None:
        services = App.get_running_app().services
        self.lessons = services.lessons
        self.progress = services.session or NoProgress()
        self.property("progress").dispatch(self)  # the same session, with one more lesson done
        ids = [lesson.id for lesson in self.lessons]
        self.page = ids.index(self.suggested) // PER_PAGE if self.suggested in ids else 0
        self.fill()
        App.get_running_app().step_shown("\n".join([self.header, *self._shown_titles()]), aloud=False)

    def on_page(self, *_args) -> None:
        self.fill()

    def _shown_titles(self) -> list[str]:
        start = self.page * PER_PAGE
        return [f"{n}. {lesson.title}" for n, lesson in enumerate(self.lessons[start:start + PER_PAGE], start + 1)]

    def fill(self) -> None:
        grid = self.ids.grid
        grid.clear_widgets()
        start = self.page * PER_PAGE
        for number, lesson in enumerate(self.lessons[start:start + PER_PAGE], start + 1):
            grid.add_widget(LessonButton(lesson_id=lesson.id, number=number, title=lesson.title,
                                         done=self.progress.has_done(lesson.id), suggested=lesson.id == self.suggested,
                                         on_release=lambda button: self.open_lesson(button.lesson_id)))

    def turn(self, step: int) -> None:
        self.page = max(0, min(self.pages - 1, self.page + step))

    def open_lesson(self, lesson_id: str) -> None:
        app = App.get_running_app()
        app.show("player").play(app.services.start_lesson(lesson_id))

    def go_home(self) -> None:
        App.get_running_app().end_session("left")
