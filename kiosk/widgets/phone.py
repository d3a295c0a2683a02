"""The simulated phone: a portrait phone the learner recognises, and the pictures beside each step.

``Phone`` is the frame (rounded body, status bar with time, signal and battery, Android's ◁ ○ □
or the iPhone's home bar); what it shows goes in its content area. ``SCREENS`` are look-alikes of
the apps the lessons teach (a store page, a bank transfer, an SMS thread …), drawn by us with the
Material Icons font, never a real logo. ``StepPicture`` shows a step's ``picture``: one of those
screens in a phone, or an illustration from ``lessons/pictures``.

What the learner must read is ≥ 18 pt text; the status bar's clock and the navigation glyphs are
part of the drawing (a real phone's proportions), like the small print inside an illustration.
A screen shown as a picture has no touch targets: only drills take touches. Layout is in ``phone.kv``.
"""
from pathlib import Path

from kivy.core.text import Label as CoreLabel
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ColorProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.widgets import icons, theme
from kiosk.widgets.common import Body  # noqa: F401 - phone.kv builds on Body
from lessons import PICTURES

PHONE_PREFIX = "phone:"
# Picture ids of the phone screens and the kv rule that draws each.
SCREENS = {
    "home": "HomeScreen", "store-page": "StorePageScreen", "bank-transfer": "BankTransferScreen",
    "sms-thread": "SmsThreadScreen", "otp-sms": "OtpSmsScreen", "otp-entry": "OtpEntryScreen",
    "incoming-call": "IncomingCallScreen", "vneid-login": "VneidLoginScreen", "vneid-home": "VneidHomeScreen",
    "settings-fingerprint": "SettingsFingerprintScreen", "face-verify": "FaceVerifyScreen",
    "insurance-card": "InsuranceCardScreen",
}


class Icon(Label):
    """A Material icon by name, on a ``tile`` of colour when it has one; blank (never a box of
    tofu) where the font is not installed."""

    icon = StringProperty("")
    tile = ColorProperty((0, 0, 0, 0))

    def on_icon(self, _widget, name: str) -> None:
        if icons.available() and name:
            self.font_name = icons.ICON_FONT
            self.text = icons.icon_text(name)
        else:
            self.text = ""


class FakeButton(Label):
    """Text drawn as a phone's button on a picture: it looks pressable but takes no touches."""

    fill = ColorProperty(theme.PRIMARY)


class AppTile(BoxLayout):
    """An app on a home screen: its icon on a coloured tile, its name under it."""

    icon = StringProperty("apps")
    tile = ColorProperty(theme.PRIMARY)
    name = StringProperty("")


class IconRow(BoxLayout):
    """A row of a phone's list: an icon tile and its words."""

    icon = StringProperty("apps")
    tile = ColorProperty(theme.PRIMARY)
    text = StringProperty("")


class StatusStrip(Widget):
    """The status bar's clock and signal, Wi-Fi and battery, drawn at a real phone's size."""

    clock = StringProperty("9:41")
    clock_texture = ObjectProperty(None, allownone=True)
    icons_texture = ObjectProperty(None, allownone=True)

    def on_height(self, _widget, height: float) -> None:
        size = height * 0.8
        self.clock_texture = _texture(self.clock, size, "Roboto", bold=True)
        self.icons_texture = None
        if icons.available():
            glyphs = "".join(icons.icon_text(name) for name in ("signal_cellular_4_bar", "wifi", "battery_full"))
            self.icons_texture = _texture(glyphs, size, icons.ICON_FONT)


def _texture(text: str, size: float, font: str, bold: bool = False):
    label = CoreLabel(text=text, font_size=size, font_name=font, bold=bold, color=(0.106, 0.106, 0.106, 1))
    label.refresh()
    return label.texture


class NavStrip(Widget):
    """Android's ◁ ○ □ or the iPhone's home bar, drawn (a picture: they take no touches)."""

    variant = OptionProperty("android", options=["android", "iphone"])


class Phone(BoxLayout):
    """A portrait phone frame; ``show`` puts a screen in it, and so does a child given in kv.

    ``compact`` drops the status and navigation strips: a drill whose three 20 mm rows need the
    whole height of the 7-inch screen keeps its targets whole rather than its clock."""

    variant = OptionProperty("android", options=["android", "iphone"])
    compact = BooleanProperty(False)
    _framed = False

    def add_widget(self, widget, *args, **kwargs):
        if self._framed:  # the frame is built (the navigation strip comes last): this is the screen
            return self.ids.content.add_widget(widget, *args, **kwargs)
        super().add_widget(widget, *args, **kwargs)
        self._framed = isinstance(widget, NavStrip)

    def show(self, screen: Widget) -> None:
        content = self.ids.content
        content.clear_widgets()
        content.add_widget(screen)


def phone_screen(name: str) -> Widget:
    """A fresh widget of phone screen ``name`` (a key of ``SCREENS``)."""
    return Factory.get(SCREENS[name])()


class StepPicture(AnchorLayout):
    """A step's picture scaled to its box: ``phone:<screen>`` in a phone, or an illustration file
    from ``lessons/pictures`` (else from the pack folder ``pack_dir``). Unknown names show nothing,
    so a pack from a newer ward never breaks the step."""

    picture = StringProperty("")
    pack_dir = ObjectProperty(None, allownone=True)
    variant = OptionProperty("android", options=["android", "iphone"])

    def on_kv_post(self, _base) -> None:
        self.bind(picture=self._show, pack_dir=self._show)
        self._show()

    def _show(self, *_args) -> None:
        self.clear_widgets()
        name = self.picture
        if name.startswith(PHONE_PREFIX) and name[len(PHONE_PREFIX):] in SCREENS:
            phone = Factory.PicturePhone(variant=self.variant)
            phone.show(phone_screen(name[len(PHONE_PREFIX):]))
            self.add_widget(phone)
        elif name and not name.startswith(PHONE_PREFIX):
            path = illustration_path(name, self.pack_dir)
            if path is not None:
                self.add_widget(Factory.Illustration(source=str(path)))


def illustration_path(name: str, pack_dir: Path | None) -> Path | None:
    """The rendered illustration ``name``: the shared pictures first, then the pack's own."""
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    for folder in (PICTURES, pack_dir):
        if folder is not None and (Path(folder) / name).is_file():
            return Path(folder) / name
    return None


Builder.load_file(str(Path(__file__).with_name("phone.kv")))
