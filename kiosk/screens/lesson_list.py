"""The lesson list: big buttons, a few per page, turned with buttons (no scrolling gestures)."""
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import NumericProperty, StringProperty

from kiosk.widgets.common import BigButton, KioskScreen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

PER_PAGE = 4


class LessonButton(BigButton):
    lesson_id = StringProperty("")


class LessonListScreen(KioskScreen):
    page = NumericProperty(0)
    pages = NumericProperty(1)

    def on_pre_enter(self, *args) -> None:
        lessons = App.get_running_app().services.lessons
        self.pages = max(1, -(-len(lessons) // PER_PAGE))
        self.page = min(self.page, self.pages - 1)
        self.fill()

    def on_page(self, *args) -> None:
        self.fill()

    def fill(self) -> None:
        grid = self.ids.grid
        grid.clear_widgets()
        lessons = App.get_running_app().services.lessons
        for lesson in lessons[self.page * PER_PAGE:(self.page + 1) * PER_PAGE]:
            grid.add_widget(LessonButton(text=lesson.title, lesson_id=lesson.id))

    def turn(self, step: int) -> None:
        self.page = max(0, min(self.pages - 1, self.page + step))

    def open_lesson(self, lesson_id: str) -> None:
        app = App.get_running_app()
        app.show("player").play(app.services.start_lesson(lesson_id))

    def go_home(self) -> None:
        App.get_running_app().end_session("left")
