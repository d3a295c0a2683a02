"""The ward server's settings, each declared once: type, default, environment variable, description.

Read from ``WARD_*`` environment variables (``WARD_SESSION_HOURS=4``); ``ward-server --settings``
lists them all, as ``kiosk --settings`` does for the kiosk.
"""
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "WARD_"


class WardSettings(BaseSettings):
    """What a ward technician may change without touching code."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore")

    database_url: str = Field("sqlite:///var/ward.sqlite3", description="SQLAlchemy URL of the ward database")
    bundle_key_file: Path | None = Field(None, description="master key of the kiosks' USB bundle keys (default: beside the SQLite file)")
    releases_dir: Path | None = Field(None, description="folder of the kiosk releases published with `ward-server release add` (default: beside the SQLite file, else var/releases)")
    public_url: str | None = Field(None, description="the address kiosks use to reach this server, put in enrollment codes (default: the address the dashboard was opened at)")
    enrollment_hours: float = Field(72, gt=0, le=24 * 30, description="how long an enrollment code from the dashboard stays valid")
    session_hours: float = Field(8, gt=0, le=24 * 7, description="how long a staff sign-in lasts")
    sign_in_burst: int = Field(5, ge=1, le=100, description="wrong passwords allowed at once per account and per address")
    sign_in_per_minute: float = Field(1, gt=0, le=60, description="wrong passwords allowed per minute after the burst")
    secure_cookies: bool = Field(False, description="mark sign-in cookies HTTPS-only (set when serving HTTPS)")
    language: str = Field("vi", pattern="^(vi|en)$", description="the dashboard's language when the browser asks for none")
    figures_max_age_s: float = Field(30, ge=0, le=3600, description="the overview's figures are brought up to date in the background when older than this (checking for new records reads every kiosk's record count)")
    silent_after_hours: float = Field(24, gt=0, description="a kiosk not heard from for longer is highlighted")


def describe_settings() -> str:
    """A technician-readable list of every setting."""
    return "\n".join(f"{name} ({PREFIX}{name.upper()}, default {field.default}): {field.description}"
                     for name, field in WardSettings.model_fields.items())
