"""The staff PIN's lockout and the staff actions, without a window."""
from kiosk.config import KioskConfig
from kiosk.services import KioskServices
from kiosk.staff import LOCKOUT_S, MAX_TRIES, PinGate, usb_folders


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_right_pin_opens_and_a_wrong_one_does_not():
    gate = PinGate("2468", FakeClock())
    assert gate.check("1111") == "wrong" and gate.tries_left == MAX_TRIES - 1
    assert gate.check("2468") == "open" and gate.tries_left == MAX_TRIES


def test_five_wrong_pins_lock_for_five_minutes_even_against_the_right_pin():
    clock = FakeClock()
    gate = PinGate("2468", clock)
    assert [gate.check("0000") for _ in range(MAX_TRIES)] == ["wrong"] * (MAX_TRIES - 1) + ["locked"]
    assert gate.check("2468") == "locked" and gate.minutes_left() == 5
    clock.now += LOCKOUT_S - 61
    assert gate.check("2468") == "locked" and gate.minutes_left() == 2
    clock.now += 61
    assert gate.minutes_left() == 0
    assert gate.check("2468") == "open"


def test_after_a_lockout_a_full_round_of_tries_is_allowed_again():
    clock = FakeClock()
    gate = PinGate("2468", clock)
    for _ in range(MAX_TRIES):
        gate.check("0000")
    clock.now += LOCKOUT_S
    assert [gate.check("0000") for _ in range(MAX_TRIES)][-2:] == ["wrong", "locked"]


def test_no_pin_set_opens_nothing():
    gate = PinGate(None, FakeClock())
    assert not gate.configured
    assert gate.check("") == "no_pin" and gate.check("0000") == "no_pin"


def test_the_pin_setting_has_no_default_and_takes_only_digits(tmp_path):
    assert KioskConfig().staff_pin is None
    assert KioskConfig(staff_pin="0042").staff_pin == "0042"
    from kiosk.config import load_config

    loaded = load_config(tmp_path / "none.toml", {"KIOSK_STAFF_PIN": "12ab"})
    assert loaded.config.staff_pin is None and any("staff_pin" in p for p in loaded.problems)


def test_usb_folders_prefer_the_setting_else_mounted_sticks(tmp_path):
    stick = tmp_path / "media" / "pi" / "STICK"
    stick.mkdir(parents=True)
    assert usb_folders(tmp_path / "set") == [tmp_path / "set"]
    assert usb_folders(None, (str(tmp_path / "media" / "*" / "*"),)) == [stick]
    assert usb_folders(None, (str(tmp_path / "nothing" / "*" / "*"),)) == []


def test_export_refuses_when_not_enrolled(tmp_path):
    services = KioskServices(KioskConfig(data_dir=tmp_path / "kiosk", usb_export_dir=tmp_path / "usb"))
    outcome = services.staff.export()
    assert not outcome.ok and "KIOSK" not in outcome.message
    assert not (tmp_path / "usb").exists()
