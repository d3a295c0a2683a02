"""Kiosk settings, each declared once with its type, default, environment variable and meaning.

Values come from the defaults, then the TOML file (``KIOSK_CONFIG``, default
``/etc/bdhvs/kiosk.toml``), then ``KIOSK_<NAME>`` environment variables. A broken file or a bad
value never stops the kiosk: that value falls back to its default and the problem is kept in
``problems`` so the log says it in English and the screen tells the technician in Vietnamese.
``kiosk doctor --settings`` prints this table for technicians.
"""
import os
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kiosk.pin_gate import weak_pin_reason
from lessons import BUILTIN_PACKS

DEFAULT_CONFIG_FILE = Path("/etc/bdhvs/kiosk.toml")


class KioskConfig(BaseModel):
    """Every setting a technician can change. The field description is the documentation."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    data_dir: Path = Field(Path("/var/lib/bdhvs"), description="Where the outbox, enrollment and caches live (the data partition).")
    pack_dir: Path | None = Field(None, description="The lesson pack shown to learners; by default the built-in pack in the kiosk's language.")
    language: str = Field("vi", pattern="^(vi|en)$", description="Language of the kiosk's own texts: vi or en.")
    screen_dpi: float = Field(133.0, gt=50, lt=600, description="Dots per inch of the screen; 133 for the official 7-inch 800×480 display. Sizes in mm and pt depend on it.")
    window_size: str = Field("800x480", pattern=r"^\d{3,4}x\d{3,4}$", description="Window size in pixels when not full screen.")
    fullscreen: bool = Field(False, description="Fill the whole screen (on the kiosk itself).")
    idle_prompt_s: float = Field(120, gt=0, description="Seconds without a touch before asking “Bác còn học tiếp không?”.")
    idle_countdown_s: float = Field(60, gt=0, description="Seconds the question waits before the session is wiped.")
    volunteer_mode: bool = Field(False, description="Volunteer-led session: no inactivity reset.")
    sync_interval_s: float = Field(30, gt=0, description="Seconds between sync attempts while connected.")
    sync_backoff_max_s: float = Field(300, gt=0, description="Longest wait between sync attempts while the server does not answer.")
    server_ca_bundle: Path | None = Field(None, description="PEM file of the ward's own certificate authority, when its server's HTTPS certificate is not from a public one; certificates are always verified.")
    pack_public_key: Path | None = Field(None, description="The ward's public key (PEM or base64) for signed lesson packs; the kiosk downloads packs from the ward server only when it is set.")
    narration: bool = Field(True, description="Offer reading steps aloud.")
    narration_voice: str = Field("vi-vn-x-south", pattern=r"^[A-Za-z0-9][A-Za-z0-9_+-]*$", description="espeak-ng voice that reads steps aloud: vi-vn-x-south (Southern, for Ho Chi Minh City), vi-vn-x-central or vi (Northern); `espeak-ng --voices=vi` lists them.")
    narration_rate: int = Field(145, ge=80, le=300, description="Speaking rate in words per minute; 145 is unhurried for older listeners (espeak-ng's own default is 175).")
    narration_volume: float = Field(0.8, ge=0.0, le=1.0, description="Narration volume, from 0.0 (silent) to 1.0 (full).")
    narration_cache_mb: int = Field(50, ge=1, description="Megabytes of rendered narration kept on disk; the least recently used clips are deleted beyond this.")
    camera: str = Field("picamera2", pattern=r"^(picamera2|opencv(:\d+)?|replay:.+)$", description="Camera for the QR drill: picamera2 (the Pi camera connector), opencv or opencv:N (USB webcam /dev/videoN), or replay:PATH (a folder of images or a video, looped; demos and tests).")
    staff_pin: str | None = Field(None, pattern=r"^\d{4,12}$", description="PIN (4 to 12 digits) for the volunteer and technician screen; there is no default: until it is set, that screen stays closed. PINs anyone tries first (0000, 1234, 4321, 1212, 123456) are refused.")
    volunteer_pin: str | None = Field(None, pattern=r"^\d{4,12}$", description="PIN (4 to 12 digits) for the volunteer screen (classes, learner cards), separate from the technician's staff_pin; until it is set, that screen stays closed. The same easy PINs are refused.")
    class_idle_end_s: float = Field(1800, ge=60, le=8 * 3600, description="Seconds without a touch after which a class left open ends by itself and the kiosk returns to walk-up mode.")
    usb_export_dir: Path | None = Field(None, description="Folder the volunteer screen writes USB bundles to; by default the first USB stick mounted under /media or /run/media.")
    display_rotation: int = Field(0, description="Degrees the picture is turned (0, 90, 180 or 270), for a screen mounted in portrait or upside down; touches are turned with it.")
    watchdog_interval_s: float = Field(10, gt=0, le=60, description="Seconds between the health pings to systemd's watchdog (kiosk.service's WatchdogSec= must be at least twice this).")
    update_public_key: Path | None = Field(None, description="Public key (PEM or base64) that signs kiosk releases; kiosk-update installs only releases it verifies. By default the lesson packs' key.")

    @field_validator("staff_pin", "volunteer_pin")
    @classmethod
    def _guessable_pin(cls, pin: str | None) -> str | None:
        reason = pin and weak_pin_reason(pin)
        if reason:
            raise ValueError(f"this PIN is refused because {reason}; choose 4 to 12 digits without a pattern")
        return pin

    @field_validator("display_rotation")
    @classmethod
    def _quarter_turn(cls, degrees: int) -> int:
        if degrees not in (0, 90, 180, 270):
            raise ValueError("must be 0, 90, 180 or 270")
        return degrees

    @property
    def input_providers(self) -> dict[str, str]:
        """Kivy's ``[input]`` section: exactly one touch provider, so a tap never arrives twice.

        Straight on KMS/DRM (``SDL_VIDEODRIVER=kmsdrm``) SDL also turns each touch into a mouse
        click, so the kernel's touch device is read through hidinput alone and Kivy's mouse
        provider is left out. Under X or Wayland the mouse provider is the only one. No provider
        gets a ``rotation`` of its own: since Kivy 2.1 every touch is turned with the window's
        ``rotation`` (``MotionEvent.scale_for_screen``), so a second one would turn it twice.
        """
        if os.environ.get("SDL_VIDEODRIVER") == "kmsdrm":
            return {"touch": "probesysfs,provider=hidinput"}
        return {"mouse": "mouse,disable_multitouch"}

    @property
    def window_pixels(self) -> tuple[int, int]:
        width, height = self.window_size.split("x")
        return int(width), int(height)

    @property
    def downloaded_pack(self) -> Path:
        """Where a pack from the ward server is kept once its signature verified."""
        return self.data_dir / "packs" / "from-ward"

    @property
    def lesson_pack(self) -> Path:
        """The pack to show: set by hand, else the ward's latest, else the built-in one."""
        if self.pack_dir:
            return self.pack_dir
        return self.downloaded_pack if self.downloaded_pack.exists() else BUILTIN_PACKS / self.language

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def credentials_file(self) -> Path:
        return self.data_dir / "enrollment.json"


class LoadedConfig(BaseModel):
    config: KioskConfig
    source: Path
    problems: list[str]


def load_config(path: Path | None = None, environ: dict[str, str] | None = None) -> LoadedConfig:
    """Read the settings; never raises for a missing or broken file or a bad value."""
    environ = os.environ if environ is None else environ
    explicit = path is not None or "KIOSK_CONFIG" in environ
    source = Path(path or environ.get("KIOSK_CONFIG", DEFAULT_CONFIG_FILE))
    problems: list[str] = []
    values: dict[str, object] = {}
    try:
        values = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if explicit:
            problems.append(f"config file {source} does not exist; using defaults")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"config file {source} cannot be read ({exc}); using defaults")
    for name in KioskConfig.model_fields:
        env_name = f"KIOSK_{name.upper()}"
        if env_name in environ:
            values[name] = environ[env_name]
    unknown = sorted(set(values) - set(KioskConfig.model_fields))
    if unknown:
        problems.append(f"config file {source} has unknown settings: {', '.join(unknown)}")
    try:
        return LoadedConfig(config=KioskConfig(**values), source=source, problems=problems)
    except ValidationError as exc:
        bad = {str(error["loc"][0]) for error in exc.errors()}
        problems += [f"setting {error['loc'][0]}: {error['msg']}; using the default" for error in exc.errors()]
        good = {k: v for k, v in values.items() if k not in bad}
        return LoadedConfig(config=KioskConfig(**good), source=source, problems=problems)


def describe_settings() -> str:
    """A technician-readable table of every setting."""
    lines = []
    for name, field in KioskConfig.model_fields.items():
        lines.append(f"{name} (KIOSK_{name.upper()}, default {field.default}): {field.description}")
    return "\n".join(lines)
