"""Fixtures every test folder shares: a real ward server on loopback and a kiosk enrolled to it."""
import os
from pathlib import Path

import pytest
from hypothesis import settings

# Hypothesis's 200 ms per example is a timing test in disguise: a busy CI machine stalls a thread that long.
settings.register_profile("kiosk", deadline=None)
settings.load_profile("kiosk")

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
os.environ.setdefault("KIVY_DPI", "133")

from kiosk.config import KioskConfig  # noqa: E402
from tests.harness import WardServer  # noqa: E402
from tests.helpers import enroll_kiosk, write_card_images  # noqa: E402


@pytest.fixture
def ward_server(tmp_path: Path):
    server = WardServer(f"sqlite:///{tmp_path / 'ward.sqlite3'}").start()
    yield server
    server.stop()


@pytest.fixture
def kiosk_config(tmp_path: Path) -> KioskConfig:
    return KioskConfig(data_dir=tmp_path / "kiosk", sync_interval_s=0.2, sync_backoff_max_s=0.5)


@pytest.fixture
def enrolled_config(kiosk_config: KioskConfig, ward_server: WardServer) -> KioskConfig:
    enroll_kiosk(kiosk_config, ward_server)
    return kiosk_config


@pytest.fixture(scope="session")
def qr_camera(tmp_path_factory) -> str:
    """The ``camera`` setting for a replay camera looping over every printed practice card."""
    return f"replay:{write_card_images(tmp_path_factory.mktemp('practice-cards'))}"


def pytest_collection_modifyitems(items: list) -> None:
    """The accessibility walks run last. They take minutes in their own processes, and a Kivy window
    left idle that long in this process has made the next in-process UI test hang."""
    items.sort(key=lambda item: item.module.__name__.endswith("test_accessibility"))
