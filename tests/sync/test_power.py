"""The under-voltage adapter: the Pi's firmware field when there is one, None elsewhere."""
import pytest

from sync.power import parse_throttled, under_voltage


@pytest.mark.parametrize("text, expected", [
    ("throttled=0x0\n", False),
    ("throttled=0x50005\n", True),  # under-voltage now and since boot, plus throttling
    ("throttled=0x50000\n", True),  # under-voltage since boot, not now
    ("0x1", True),
    ("20000\n", False),  # sysfs form, no prefix: throttling occurred, no under-voltage
    ("garbage", None),
])
def test_the_throttled_field_is_read(text, expected):
    assert parse_throttled(text) is expected


def test_sysfs_is_read_first(tmp_path):
    field = tmp_path / "get_throttled"
    field.write_text("50005\n")
    assert under_voltage(sysfs=field, vcgencmd=str(tmp_path / "no-vcgencmd")) is True


def test_vcgencmd_is_the_fallback(tmp_path):
    tool = tmp_path / "vcgencmd"
    tool.write_text("#!/bin/sh\necho throttled=0x0\n")
    tool.chmod(0o755)
    assert under_voltage(sysfs=tmp_path / "missing", vcgencmd=str(tool)) is False


def test_off_a_pi_the_answer_is_none(tmp_path):
    assert under_voltage(sysfs=tmp_path / "missing", vcgencmd=str(tmp_path / "no-vcgencmd")) is None
