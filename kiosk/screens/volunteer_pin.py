"""The volunteer's PIN keypad: the staff keypad's layout and lockout, with the volunteer's own PIN and state file."""
from kivy.app import App

from kiosk.i18n import _
from kiosk.screens.staff_pin import StaffPinScreen


class VolunteerPinScreen(StaffPinScreen):
    target = "volunteer"
    other = "staff_pin"

    def make_gate(self):
        return App.get_running_app().services.volunteer_gate

    def heading(self) -> str:
        return _("Volunteer PIN")

    def other_label(self) -> str:
        return _("Technician")

    def prompt(self) -> str:
        return _("Type the volunteer PIN, then press Done.")

    def no_pin_message(self) -> str:
        return _("No volunteer PIN is set on this kiosk. A technician must set a KIOSK_VOLUNTEER_PIN "
                 "that is hard to guess.")
