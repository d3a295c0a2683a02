"""The kiosk window's settings, given to Kivy before its window opens.

Kivy reads its DPI and argument handling from the environment, and its window size from its
Config, when the window is first created: so this runs before ``kiosk.app`` is imported.
"""
import os

from kiosk.config import KioskConfig


def prepare_window(config: KioskConfig) -> None:
    """Size, DPI and input for the kiosk's screen; Escape does not quit (it is a public kiosk)."""
    os.environ.setdefault("KIVY_DPI", str(config.screen_dpi))
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config

    width, height = config.window_pixels
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if config.fullscreen else "0")
    Config.set("graphics", "rotation", str(config.display_rotation))
    for name in Config.options("input"):
        Config.remove_option("input", name)
    for name, provider in config.input_providers.items():
        Config.set("input", name, provider)
    Config.set("kivy", "exit_on_escape", "0")
    # The technician's "type the code" field needs keys on a kiosk with no keyboard plugged in.
    Config.set("kivy", "keyboard_mode", "systemanddock")
