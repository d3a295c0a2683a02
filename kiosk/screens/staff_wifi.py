"""The technician's Wi-Fi screen: join the venue's network by its ``WIFI:`` QR code, or by choosing it.

Most venues have the QR code phones use to join (printed at the counter, or shown by the owner's
phone in Zalo or the phone's settings): scanning it is quicker and safer than typing a password
on a public screen. Without one, the technician picks the network from those in range and types
the password on the on-screen keyboard; it is never shown. NetworkManager keeps the network for
the next starts (``kiosk.staff.StaffDesk.join_wifi``). Scanning the air and joining each take
seconds, so they run off the UI thread and the screen always comes back with a message in words.
The screen says which network the kiosk is on, asked again after every try.
"""
from pathlib import Path

from kivy.app import App
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import AliasProperty, BooleanProperty, ListProperty, NumericProperty, OptionProperty, StringProperty

from kiosk.i18n import _
from kiosk.screens.staff_tasks import StaffTaskScreen
from kiosk.staff import Outcome
from kiosk.widgets.camera_preview import CameraPreview  # noqa: F401 - used in the .kv rules
from kiosk.qr.wifi import looks_like_wifi
from kiosk.wifi import ENTERPRISE, OPEN, Network, WifiCode

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

NETWORKS_PER_PAGE = 4  # two across, two down: what fits 800×480 with 20 mm buttons
SHOWN_NAME_CHARS = 20  # what one line of such a button holds at 18 pt


def network_label(network: Network) -> str:
    """A network's button: its name (a long one shortened in the middle) and how strong it is."""
    name = network.ssid
    if len(name) > SHOWN_NAME_CHARS:
        half = SHOWN_NAME_CHARS // 2 - 1
        name = f"{name[:half]}…{name[-half:]}"
    strength = (_("strong signal") if network.signal >= 60 else _("fair signal") if network.signal >= 35
                else _("weak signal"))
    return f"{name}\n{strength}"


class StaffWifiScreen(StaffTaskScreen):
    phase = OptionProperty("home", options=["home", "scan", "list", "password", "busy"])
    message = StringProperty("")
    failed = BooleanProperty(False)
    busy_text = StringProperty("")
    networks = ListProperty([])
    page = NumericProperty(0)
    chosen = StringProperty("")
    current = StringProperty("")  # the network the kiosk is on, "" for none
    pages = AliasProperty(lambda self: max(1, -(-len(self.networks) // NETWORKS_PER_PAGE)), bind=["networks"])

    def on_pre_enter(self, *_args) -> None:
        self.phase, self.message = "home", ""
        self._ask_current()

    def _ask_current(self) -> None:
        self.in_background("staff-wifi-current", self.services.staff.current_wifi, self._current_found)

    def _current_found(self, name) -> None:
        self.current = name if isinstance(name, str) else ""

    def back(self) -> None:
        App.get_running_app().show("staff")

    def cancel(self) -> None:
        self.stop_camera()
        self.ids.password.focus = False
        self.phase = "home"

    # A WIFI: QR code.
    def scan_code(self) -> None:
        self.message = ""
        if self.scan(_("Hold the venue's Wi-Fi QR code in front of the camera.")):
            self.phase = "scan"

    def code_seen(self, text: str) -> bool:
        if self.phase != "scan":
            return False
        if not looks_like_wifi(text):
            self.scan_hint = _("This QR code is not a Wi-Fi code. Use the code phones join the venue's Wi-Fi with.")
            return False
        desk = self.services.staff
        self._busy(_("Joining the Wi-Fi network, please wait…"))
        self.in_background("staff-wifi-code", lambda: desk.join_wifi_code(text), self._show)
        return True

    def camera_failed(self, message: str) -> None:
        self._show(Outcome(False, message + " " + _("Choose the network instead.")))

    # Choosing a network.
    def list_networks(self) -> None:
        self._busy(_("Looking for Wi-Fi networks…"))
        self.in_background("staff-wifi-scan", self.services.staff.wifi_networks, self._listed)

    def _listed(self, found) -> None:
        if isinstance(found, Outcome):  # an unforeseen error
            self._show(found)
            return
        networks, outcome = found
        if outcome is not None:
            self._show(outcome)
            return
        self.networks, self.page = networks, 0
        self._fill_page()
        self.phase = "list"

    def turn_page(self, step: int) -> None:
        self.page = max(0, min(self.pages - 1, self.page + step))
        self._fill_page()

    def _fill_page(self) -> None:
        grid = self.ids.networks
        grid.clear_widgets()
        first = self.page * NETWORKS_PER_PAGE
        for network in self.networks[first:first + NETWORKS_PER_PAGE]:
            grid.add_widget(Factory.NetworkButton(text=network_label(network),
                                                  on_release=lambda _b, n=network: self.choose(n)))

    def choose(self, network: Network) -> None:
        self.chosen = network.ssid
        if network.security in (OPEN, ENTERPRISE):  # nothing to type, or nothing typing can do: said by join
            self.join("")
            return
        self.phase = "password"
        self.ids.password.text = ""
        self.ids.password.focus = True

    def join(self, password: str) -> None:
        network = next((n for n in self.networks if n.ssid == self.chosen), None)
        if network is None:
            return
        if network.security not in (OPEN, ENTERPRISE) and not password:
            return
        self.ids.password.focus = False
        self.ids.password.text = ""
        code = WifiCode(network.ssid, password, network.security)
        desk = self.services.staff
        self._busy(_("Joining {name}, please wait…").format(name=network.ssid))
        self.in_background("staff-wifi-join", lambda: desk.join_wifi(code), self._show)

    def _busy(self, text: str) -> None:
        self.message, self.busy_text, self.phase = "", text, "busy"

    def _show(self, outcome: Outcome) -> None:
        self.failed, self.message = not outcome.ok, outcome.message
        self.phase = "home"
        self._ask_current()
