"""The staff PIN's lockout and the staff actions, without a window."""
import json

import pytest

from kiosk.config import KioskConfig, load_config
from kiosk.i18n import _
from kiosk.pin_gate import LOCKOUTS_S, MAX_TRIES, STATE_FILE, PinGate, weak_pin_reason
from kiosk.services import KioskServices
from kiosk.staff import usb_folders

LOCKOUT_S = LOCKOUTS_S[0]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0  # wall-clock seconds

    def __call__(self) -> float:
        return self.now


def lock(gate: PinGate) -> list[str]:
    return [gate.check("9713") for _ in range(MAX_TRIES)]


def test_the_right_pin_opens_and_a_wrong_one_does_not():
    gate = PinGate("2468", clock=FakeClock())
    assert gate.check("1111") == "wrong" and gate.tries_left == MAX_TRIES - 1
    assert gate.check("2468") == "open" and gate.tries_left == MAX_TRIES


def test_five_wrong_pins_lock_for_five_minutes_even_against_the_right_pin():
    clock = FakeClock()
    gate = PinGate("2468", clock=clock)
    assert lock(gate) == ["wrong"] * (MAX_TRIES - 1) + ["locked"]
    assert gate.check("2468") == "locked" and gate.minutes_left() == 5
    clock.now += LOCKOUT_S - 61
    assert gate.check("2468") == "locked" and gate.minutes_left() == 2
    clock.now += 61
    assert gate.minutes_left() == 0
    assert gate.check("2468") == "open"


def test_each_lockout_in_a_row_lasts_longer_up_to_a_day_and_the_right_pin_starts_over():
    clock = FakeClock()
    gate = PinGate("2468", clock=clock)
    waits = []
    for _ in range(7):
        assert lock(gate)[-2:] == ["wrong", "locked"]
        waits.append(gate.minutes_left())
        clock.now += gate.seconds_left()
    assert waits == [5, 15, 60, 240, 1440, 1440, 1440]
    assert gate.check("2468") == "open"
    lock(gate)
    assert gate.minutes_left() == 5


def test_the_lockout_survives_a_restart_and_wrong_tries_are_not_forgotten(tmp_path):
    clock, state = FakeClock(), tmp_path / "data" / STATE_FILE
    gate = PinGate("2468", state, clock)
    lock(gate)
    clock.now += LOCKOUT_S
    lock(gate)  # the second lockout: 15 minutes
    restarted = PinGate("2468", state, clock)
    assert restarted.check("2468") == "locked" and restarted.minutes_left() == 15
    assert json.loads(state.read_text())["lockouts"] == 2
    clock.now += 15 * 60
    assert [restarted.check("9713") for _ in range(3)] == ["wrong"] * 3
    again = PinGate("2468", state, clock)
    assert again.tries_left == MAX_TRIES - 3
    assert [again.check("9713") for _ in range(2)] == ["wrong", "locked"] and again.minutes_left() == 60


def test_a_clock_set_back_after_a_restart_waits_no_longer_than_the_lockout(tmp_path):
    clock, state = FakeClock(), tmp_path / STATE_FILE
    lock(PinGate("2468", state, clock))
    clock.now -= 30 * 24 * 3600  # a Pi without a clock battery starts at an old time
    assert PinGate("2468", state, clock).minutes_left() == 5


@pytest.mark.parametrize("content", ["{", "[]", '{"wrong": 99, "lockouts": 0, "locked_until": 0}',
                                     '{"wrong": 0, "lockouts": 0, "locked_until": NaN}', "[" * 100_000])
def test_a_damaged_lockout_file_locks_rather_than_giving_fresh_tries(tmp_path, content):
    state = tmp_path / STATE_FILE
    state.write_text(content)
    gate = PinGate("2468", state, FakeClock())
    assert gate.check("2468") == "locked" and gate.minutes_left() == 5


@pytest.mark.parametrize("pin", ["0000", "1111", "1234", "4321", "123456", "654321", "8901", "1212", "123123", "999999"])
def test_pins_anyone_would_try_are_refused_when_the_settings_are_read(pin, tmp_path):
    assert weak_pin_reason(pin)
    loaded = load_config(tmp_path / "none.toml", {"KIOSK_STAFF_PIN": pin})
    assert loaded.config.staff_pin is None
    [problem] = [p for p in loaded.problems if "staff_pin" in p]
    assert "refused" in problem and pin not in problem  # the log never shows the PIN


@pytest.mark.parametrize("pin", ["2468", "1975", "2024", "0042", "80417263"])
def test_pins_without_a_pattern_are_accepted(pin):
    assert weak_pin_reason(pin) is None and KioskConfig(staff_pin=pin).staff_pin == pin


def test_no_pin_set_opens_nothing():
    gate = PinGate(None, clock=FakeClock())
    assert not gate.configured
    assert gate.check("") == "no_pin" and gate.check("0000") == "no_pin"


def test_the_pin_setting_has_no_default_and_takes_only_digits(tmp_path):
    assert KioskConfig().staff_pin is None
    assert KioskConfig(staff_pin="0042").staff_pin == "0042"
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



def test_send_now_sends_at_once_what_would_wait_an_hour(kiosk_config, ward_server):
    from sync.health import health_path
    from sync.records import RecordDraft
    from tests.helpers import enroll_kiosk, wait_for

    enroll_kiosk(kiosk_config, ward_server)
    services = KioskServices(kiosk_config.model_copy(update={"sync_interval_s": 3600}))
    services.start()
    try:
        wait_for(lambda: health_path(kiosk_config.data_dir).exists())  # its first round is over
        device = services.device
        for _record in range(2):  # stored without waking sync, which next sends in an hour
            services.outbox.append(RecordDraft(type="session_started", payload={}, device_id=device.device_id,
                                               venue_id=device.venue_id))
        outcome = services.staff.send_now(timeout_s=30)
        assert outcome.ok and outcome.message == _("Everything has been sent to the ward.")
        assert ward_server.record_count() == 2
    finally:
        services.stop()
