"""Presenting a learner card: scan its QR code with the camera, or type its short code on a big keypad.

The one way in for a card, from the welcome screen (a walk-up learner) and from the volunteer
screen (learners swapping in during a class); either way a card that may learn here opens a
session that continues its progress, straight to the lesson list. What cannot open is said kindly
and plainly, with a way on: a code typed wrong (its check character catches it) is shown back to
compare with the card; a card reported lost is refused with the reassurance that its lessons are
kept on the new one; no camera offers typing. Phases: ``scan`` (live picture beside what to do),
``type`` (the keypad of ``kiosk.card_entry``) and ``said`` (one message with its ways on).

No session is open while a card is being presented, so, like a staff screen, this one goes back
to the start by itself when left alone, the camera released.
"""
import io
from pathlib import Path

from kivy.app import App
from kivy.core.image import Image as CoreImage
from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.relativelayout import RelativeLayout
from kivy.uix.widget import Widget

from kiosk.card_entry import CODE_LENGTH, keys_on, pages_for, read_card, shown_code
from kiosk.i18n import N_, _
from kiosk.qr.cards import qr_png
from kiosk.screens.code_scanning import CodeScanning
from kiosk.screens.staff_pin import StaffScreen
from kiosk.widgets.camera_preview import CameraPreview  # noqa: F401 - used in the .kv rules
from kiosk.widgets.common import BigButton

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

KEY_SLOTS = 12  # two rows of six above the row of page keys: what fits 800×480 with 20 mm keys

HOLD_UP = N_("Hold your learner card up to the camera")
HOLD_STILL = N_("Turn the QR code towards the camera and hold it still for a moment.")
NOT_A_CARD = N_("That is not a learner card. Please hold up the QR code printed on your learner card.")
NO_CAMERA = N_("The camera is not working right now. Please type the code printed under the QR code on your card.")
WRONG_CODE = N_("The code {code} is not quite right. Please look at each letter on the card and type it again.")
LOST = N_("This card was reported lost, so it can no longer be used. Please ask a volunteer for a new card: "
          "your lessons are kept on it.")


# The example card drawn to show where the code is. Its check character is wrong on purpose: typing the example
# opens nobody's progress.
SAMPLE_CODE = "7MCZ-76P7-K62"


def sample_qr() -> Texture:
    texture = CoreImage(io.BytesIO(qr_png("card-" + SAMPLE_CODE.replace("-", "").lower(), scale=4)), ext="png").texture
    texture.mag_filter = "nearest"
    return texture


class CardPicture(RelativeLayout):
    """A learner card as printed, its short code ringed: where to look for the code to type."""

    qr = ObjectProperty(None, allownone=True)
    code = StringProperty(SAMPLE_CODE)

    def on_kv_post(self, _base) -> None:
        self.qr = sample_qr()


class CardEntryScreen(CodeScanning, StaffScreen):
    phase = OptionProperty("scan", options=["scan", "type", "said"])
    said = StringProperty("")          # the message of the ``said`` phase
    point_to_code = BooleanProperty(False)  # where to find the code: a card is drawn beside the message
    camera_works = BooleanProperty(True)
    typed = StringProperty("")
    page = StringProperty("0–9")
    pages = ListProperty()
    key_height = NumericProperty(0)  # the keys share the height the code above them leaves (≥ 20 mm)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.back_to = "welcome"

    def open(self, typing: bool = False, back_to: str = "welcome") -> None:
        """Start presenting a card: by camera, or on the keypad; "Back" returns to ``back_to``."""
        self.back_to, self.camera_works = back_to, True
        self.start_typing() if typing else self.start_scanning()

    # The camera.
    def start_scanning(self) -> None:
        self.phase = "scan"
        if self.scan(_(HOLD_STILL)):
            App.get_running_app().step_shown(_(HOLD_UP) + "\n" + _(HOLD_STILL), aloud=False)

    def code_seen(self, text: str) -> bool:
        if self.phase != "scan":
            return False
        if self._present(text) or self.phase == "said":
            return True
        self.scan_hint = _(NOT_A_CARD)
        return False

    def camera_failed(self, message: str) -> None:
        self.camera_works = False
        self._say(_(NO_CAMERA), point_to_code=True)

    # The keypad.
    def start_typing(self) -> None:
        self.stop_camera()
        self.typed, self.page, self.phase = "", "0–9", "type"
        self._fill()

    def show_page(self, page: str) -> None:
        self.page = page
        self._fill()

    def key(self, char: str) -> None:
        self.typed = (self.typed + char)[:CODE_LENGTH]
        if len(self.typed) == CODE_LENGTH:
            if not self._present(self.typed) and self.phase == "type":
                self._say(_(WRONG_CODE).format(code=shown_code(self.typed)))
            return
        self._fill()

    def erase(self) -> None:
        self.typed = self.typed[:-1]
        self._fill()

    def _fill(self) -> None:
        """The keys that may come next on the page shown, and the page keys (the check symbols' only when due)."""
        self.pages = pages_for(self.typed)
        if self.page not in self.pages:
            self.page = self.pages[0]
        grid = self.ids.keypad
        grid.clear_widgets()
        keys = keys_on(self.page, self.typed)
        for char in keys:
            grid.add_widget(BigButton(text=char, font_size=self.ids.code.font_size, min_height=self.key_height,
                                      on_release=lambda button: self.key(button.text)))
        for _blank in range(KEY_SLOTS - len(keys)):
            grid.add_widget(Widget(size_hint_y=None, height=self.key_height))

    def on_key_height(self, *_args) -> None:
        if self.phase == "type":
            self._fill()

    # Either way.
    def _present(self, text: str) -> bool:
        """Open the card's session if it may learn here (True); a lost card is said instead."""
        services = App.get_running_app().services
        reading = read_card(text, services.cards)
        if reading.verdict == "lost":
            self._say(_(LOST))
        if reading.verdict != "open":
            return False
        services.begin_card_session(reading.card_id)
        App.get_running_app().show("lesson_list")
        return True

    def _say(self, message: str, point_to_code: bool = False) -> None:
        self.stop_camera()
        self.said, self.point_to_code, self.phase = message, point_to_code, "said"
        App.get_running_app().step_shown(message)

    def back(self) -> None:
        self.stop_camera()
        App.get_running_app().show(self.back_to)

    def close(self) -> None:
        """Left alone: back to the start, the camera released."""
        self.stop_camera()
        App.get_running_app().end_session("idle")
