"""Under-voltage on a Raspberry Pi: the most common cause of a kiosk's corrupt SD card and odd reboots.

The Pi's firmware keeps a "throttled" bit field: bit 0 means the supply is under-voltage now and
bit 16 that it has been since boot (a weak phone charger or a long thin cable; the red power LED
flickers). Recent kernels show the field in sysfs; older Raspberry Pi OS images only through
``vcgencmd get_throttled``, which prints ``throttled=0x50005``. Off a Pi neither exists, and the
answer is None ("cannot tell"), never False.
"""
import subprocess
from pathlib import Path

THROTTLED_SYSFS = Path("/sys/devices/platform/soc/soc:firmware/get_throttled")
UNDER_VOLTAGE_NOW = 1 << 0
UNDER_VOLTAGE_SINCE_BOOT = 1 << 16


def parse_throttled(text: str) -> bool | None:
    """Whether a throttled field (``throttled=0x50005``, ``0x50005`` or ``50005``) reports under-voltage."""
    value = text.strip().rpartition("=")[2]
    try:
        bits = int(value, 16)
    except ValueError:
        return None
    return bool(bits & (UNDER_VOLTAGE_NOW | UNDER_VOLTAGE_SINCE_BOOT))


def under_voltage(sysfs: Path = THROTTLED_SYSFS, vcgencmd: str = "vcgencmd") -> bool | None:
    """True when the Pi has seen under-voltage since boot; None when this is not a Pi or it cannot tell."""
    try:
        return parse_throttled(sysfs.read_text())
    except OSError:
        pass
    try:
        done = subprocess.run([vcgencmd, "get_throttled"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return parse_throttled(done.stdout) if done.returncode == 0 else None
