"""The welcome screen: the first touch opens an anonymous learner session; a learner card has its own way
in beside it (scan or type it: ``card_entry``); staff go through a PIN."""
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder

from kiosk.widgets.common import KioskScreen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class WelcomeScreen(KioskScreen):
    def begin(self) -> None:
        app = App.get_running_app()
        app.services.begin_session()
        app.show("lesson_list")

    def present_card(self) -> None:
        """A learner with a card: scan it or type its code, then continue its progress."""
        App.get_running_app().show("card_entry").open()

    def open_staff(self) -> None:
        """The staff entrance: the PIN screen, without opening a learner session."""
        App.get_running_app().show("staff_pin")
