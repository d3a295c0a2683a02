"""Display rotation is one setting, given to Kivy for the picture and the touches alike, with one
touch provider only (a second one is the known double-tap fault of Kivy on a Pi)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import KioskConfig, load_config

SHOW_KIVY_CONFIG = """
import json
from kiosk.config import load_config
from kiosk.widgets.window import prepare_window
prepare_window(load_config().config)
from kivy.config import Config
print(json.dumps({"rotation": Config.get("graphics", "rotation"), "input": dict(Config.items("input"))}))
"""


def kivy_config(tmp_path: Path, **environ: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("SDL_VIDEODRIVER", "DISPLAY")}
    env.update({"KIVY_HOME": str(tmp_path / "kivy"), "KIVY_NO_ARGS": "1", "KIOSK_CONFIG": str(tmp_path / "none.toml"), **environ})
    done = subprocess.run([sys.executable, "-c", SHOW_KIVY_CONFIG], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_on_kms_the_kernel_touch_device_is_the_only_provider_and_turns_with_the_picture(tmp_path: Path) -> None:
    found = kivy_config(tmp_path, SDL_VIDEODRIVER="kmsdrm", KIOSK_DISPLAY_ROTATION="90")
    assert found == {"rotation": "90", "input": {"touch": "probesysfs,provider=hidinput"}}


def test_on_a_desktop_the_mouse_is_the_only_provider(tmp_path: Path) -> None:
    found = kivy_config(tmp_path, KIOSK_DISPLAY_ROTATION="270")
    assert found == {"rotation": "270", "input": {"mouse": "mouse,disable_multitouch"}}


@pytest.mark.parametrize("value", ["45", "-90", "portrait"])
def test_a_rotation_that_is_not_a_quarter_turn_falls_back_to_0_with_a_problem(value: str) -> None:
    loaded = load_config(environ={"KIOSK_DISPLAY_ROTATION": value})
    assert loaded.config.display_rotation == 0
    assert any("display_rotation" in problem for problem in loaded.problems)


def test_the_setting_is_read_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text("display_rotation = 180\n")
    assert load_config(tmp_path / "kiosk.toml", environ={}).config == KioskConfig(display_rotation=180)
