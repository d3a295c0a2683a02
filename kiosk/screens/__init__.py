"""The kiosk's screens, one ``.py`` and one ``.kv`` each, imported when first shown.

Importing a screen's module loads its ``.kv`` rules, so a screen that is never shown costs nothing
at start-up.
"""
import importlib

from kivy.uix.screenmanager import Screen

SCREENS = {
    "welcome": "kiosk.screens.welcome:WelcomeScreen",
    "lesson_list": "kiosk.screens.lesson_list:LessonListScreen",
    "player": "kiosk.screens.player:PlayerScreen",
    "done": "kiosk.screens.done:DoneScreen",
    "qr_practice": "kiosk.screens.qr_practice:QrPracticeScreen",
    "staff_pin": "kiosk.screens.staff_pin:StaffPinScreen",
    "staff": "kiosk.screens.staff:StaffHomeScreen",
    "staff_wifi": "kiosk.screens.staff_wifi:StaffWifiScreen",
    "staff_selftest": "kiosk.screens.staff_selftest:StaffSelfTestScreen",
    "volunteer_pin": "kiosk.screens.volunteer_pin:VolunteerPinScreen",
    "volunteer": "kiosk.screens.volunteer:VolunteerScreen",
    "card_entry": "kiosk.screens.card_entry:CardEntryScreen",
}


def make_screen(name: str) -> Screen:
    module, _, cls = SCREENS[name].partition(":")
    return getattr(importlib.import_module(module), cls)(name=name)
