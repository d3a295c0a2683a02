"""Wi-Fi on the technician screen, by touch: the venue's WIFI: QR code held up to the camera, or a
network chosen from those in range with its password typed; NetworkManager (a fake nmcli) gets the
right command, and every answer, a wrong password included, comes back in words."""
from kiosk.config import KioskConfig
from kiosk.i18n import _
from kiosk.services import KioskServices
from kiosk.staff import StaffDesk
from tests.helpers import WRONG_PASSWORD, FakeNmcli, card_frame
from tests.ui import STAFF_PIN, assert_big_targets, assert_nothing_overlaps, find, open_staff, run_kiosk, shown, tap, until

SCAN = "".join(f"Quán {number}:{90 - number * 5}:WPA2\n" for number in range(1, 8)) + "Thư viện:20:\n"


def kiosk(config: KioskConfig, nmcli: FakeNmcli, **changes) -> KioskServices:
    services = KioskServices(config.model_copy(update={"staff_pin": STAFF_PIN, **changes}))
    services.staff = StaffDesk(services, nmcli=nmcli)
    return services


def open_wifi(app):
    yield from open_staff(app)
    tap(find(_("Wi-Fi")))
    yield 0.2


def screen(app):
    return app.root.get_screen("staff_wifi")


def test_scanning_the_venues_wifi_code_joins_it(kiosk_config, tmp_path):
    camera = tmp_path / "camera"
    camera.mkdir()
    card_frame("https://zalo.me/g/abc123").save(camera / "01-not-wifi.png")  # held up first by mistake
    card_frame("WIFI:T:WPA;S:Cà phê Luka;P:ca phe\\;sua;;").save(camera / "02-wifi.png")
    nmcli = FakeNmcli()
    services = kiosk(kiosk_config, nmcli, camera=f"replay:{camera}")

    def script(app):
        yield from open_wifi(app)
        assert_big_targets()
        assert_nothing_overlaps()
        tap(find(_("Scan the Wi-Fi code")))
        yield from until(lambda: shown(_("Connected to the Wi-Fi network {name}.").format(name="Cà phê Luka")))
        assert screen(app).phase == "home" and not screen(app).failed
        assert nmcli.changes() == [["--wait", "40", "device", "wifi", "connect", "Cà phê Luka", "password", "ca phe;sua"]]

    run_kiosk(services, script)


def test_a_wrong_password_is_said_and_the_right_one_then_joins(kiosk_config):
    nmcli = FakeNmcli(4, stderr=WRONG_PASSWORD, networks=SCAN)
    services = kiosk(kiosk_config, nmcli)

    def type_password(app, password):
        screen(app).ids.password.insert_text(password)
        tap(find(_("Connect")))
        yield 0.1

    def script(app):
        yield from open_wifi(app)
        tap(find(_("Choose a network")))
        yield from until(lambda: screen(app).phase == "list")
        yield 0.2  # the networks' buttons are laid out
        assert shown(_("Choose the venue's network ({page}/{pages}):").format(page=1, pages=2))
        assert_big_targets()
        assert_nothing_overlaps()
        tap(find(_("Next page")))
        yield 0.2
        assert find("Thư viện\n" + _("weak signal")), "the eighth network is on the second page"
        tap(find("Quán 7\n" + _("fair signal")))
        yield 0.2
        assert screen(app).phase == "password" and shown(_("The password of {name}:").format(name="Quán 7"))
        assert_big_targets()
        yield from type_password(app, "sai mat khau")
        yield from until(lambda: screen(app).phase == "home")
        assert shown(_("The Wi-Fi password is wrong. Check it and try again.")) and screen(app).failed
        assert nmcli.changes()[-1] == ["--wait", "40", "device", "wifi", "connect", "Quán 7", "password", "sai mat khau"]
        assert screen(app).ids.password.text == "", "a password is never left on a public screen"

        nmcli.answer = (0, "", "")
        tap(find(_("Choose a network")))
        yield from until(lambda: screen(app).phase == "list")
        yield 0.2  # the networks' buttons are laid out
        tap(find("Quán 1\n" + _("strong signal")))
        yield 0.2
        yield from type_password(app, "short")
        yield from until(lambda: screen(app).phase == "home")
        assert shown(_("A WPA Wi-Fi password has 8 to 63 characters.")), "said before NetworkManager is asked"
        assert len([call for call in nmcli.changes() if "connect" in call]) == 1

        tap(find(_("Choose a network")))
        yield from until(lambda: screen(app).phase == "list")
        yield 0.2  # the networks' buttons are laid out
        tap(find("Quán 1\n" + _("strong signal")))
        yield 0.2
        yield from type_password(app, "matkhau-dung")
        yield from until(lambda: shown(_("Connected to the Wi-Fi network {name}.").format(name="Quán 1")))
        assert nmcli.changes()[-1] == ["--wait", "40", "device", "wifi", "connect", "Quán 1", "password", "matkhau-dung"]

    run_kiosk(services, script)


def test_an_open_network_joins_without_asking_a_password(kiosk_config):
    nmcli = FakeNmcli(networks=SCAN)
    services = kiosk(kiosk_config, nmcli)

    def script(app):
        yield from open_wifi(app)
        tap(find(_("Choose a network")))
        yield from until(lambda: screen(app).phase == "list")
        yield 0.2  # the networks' buttons are laid out
        tap(find(_("Next page")))
        yield 0.2
        tap(find("Thư viện\n" + _("weak signal")))
        yield from until(lambda: shown(_("Connected to the Wi-Fi network {name}.").format(name="Thư viện")))
        assert nmcli.changes()[-1] == ["--wait", "40", "device", "wifi", "connect", "Thư viện"]

    run_kiosk(services, script)


def test_the_screen_says_which_network_the_kiosk_is_on(kiosk_config):
    nmcli = FakeNmcli(current="Cà phê Luka")
    services = kiosk(kiosk_config, nmcli)

    def script(app):
        yield from open_wifi(app)
        yield from until(lambda: shown(_("The kiosk is on the Wi-Fi network {name}.").format(name="Cà phê Luka")))
        assert_big_targets()
        assert_nothing_overlaps()
        assert nmcli.changes() == [], "asking which network is on changes nothing"

    run_kiosk(services, script)


def test_a_wep_network_is_joined_with_its_own_profile_and_a_company_network_refused(kiosk_config):
    nmcli = FakeNmcli(networks="Quán cũ:70:WEP\nCông ty:60:WPA2 802.1X\n")
    services = kiosk(kiosk_config, nmcli)

    def script(app):
        yield from open_wifi(app)
        yield from until(lambda: shown(_("The kiosk is not on a Wi-Fi network.")))
        tap(find(_("Choose a network")))
        yield from until(lambda: screen(app).phase == "list")
        yield 0.2  # the networks' buttons are laid out
        tap(find("Công ty\n" + _("strong signal")))
        yield from until(lambda: screen(app).phase == "home")
        assert shown(_("This network asks for a user name as well as a password (a company network): the kiosk "
                       "cannot join it. Choose another network.")) and screen(app).failed
        assert nmcli.changes() == [["--terse", "--escape", "yes", "--fields", "SSID,SIGNAL,SECURITY", "device", "wifi",
                                    "list", "--rescan", "yes"]]

        tap(find(_("Choose a network")))
        yield from until(lambda: screen(app).phase == "list")
        yield 0.2
        tap(find("Quán cũ\n" + _("strong signal")))
        yield 0.2
        assert screen(app).phase == "password"
        screen(app).ids.password.insert_text("abcde")
        nmcli.current = "Quán cũ"
        tap(find(_("Connect")))
        yield from until(lambda: shown(_("The kiosk is on the Wi-Fi network {name}.").format(name="Quán cũ")))
        assert shown(_("Connected to the Wi-Fi network {name}.").format(name="Quán cũ"))
        assert nmcli.changes()[-2:] == [
            ["connection", "add", "type", "wifi", "con-name", "Quán cũ", "ssid", "Quán cũ", "wifi-sec.key-mgmt", "none",
             "wifi-sec.wep-key-type", "1", "wifi-sec.wep-key0", "abcde"],
            ["--wait", "40", "connection", "up", "id", "Quán cũ"]]

    run_kiosk(services, script)


def test_without_networkmanager_or_networks_the_desk_says_what_to_do(kiosk_config):
    def missing(argv):
        raise FileNotFoundError("nmcli")

    services = KioskServices(kiosk_config)
    desk = StaffDesk(services, nmcli=missing)
    networks, outcome = desk.wifi_networks()
    assert networks == [] and not outcome.ok and "NetworkManager" in outcome.message
    assert not desk.join_wifi_code("WIFI:T:WPA;S:Luka;P:12345678;;").ok
    networks, outcome = StaffDesk(services, nmcli=FakeNmcli(networks="")).wifi_networks()
    assert outcome.message == _("No Wi-Fi network is in range. Move the kiosk closer, or scan the venue's Wi-Fi QR code.")
    assert StaffDesk(services, nmcli=FakeNmcli(10)).join_wifi_code("WIFI:S:Luka;;").message == _(
        "This Wi-Fi network is not in range. Check its name, or move closer.")
    services.stop()
