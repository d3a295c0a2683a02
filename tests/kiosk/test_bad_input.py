"""Bad input never stops the kiosk: a broken config, a corrupt lesson file, a full disk, no server."""
import errno
from pathlib import Path

import pytest

from kiosk.config import KioskConfig, load_config
from kiosk.i18n import _, use_language
from kiosk.services import NOTICE_DISK_FULL, NOTICE_PACK, NOTICE_SETTINGS, KioskServices
from lessons.pack import BUILTIN_PACKS
from sync.client import Credentials
from sync.outbox import OutboxFull
from tests.harness import free_port


@pytest.fixture(autouse=True)
def vietnamese():
    use_language("vi")


def test_a_broken_config_file_falls_back_to_defaults_with_a_message(tmp_path):
    broken = tmp_path / "kiosk.toml"
    broken.write_text("idle_prompt_s = [unclosed\n")
    loaded = load_config(broken, environ={})
    assert loaded.config == KioskConfig()
    assert len(loaded.problems) == 1 and "cannot be read" in loaded.problems[0]


def test_a_bad_value_keeps_the_good_ones(tmp_path):
    config_file = tmp_path / "kiosk.toml"
    config_file.write_text('idle_prompt_s = -5\nlanguage = "en"\nscreen_dpi = 160\n')
    loaded = load_config(config_file, environ={"KIOSK_SCREEN_DPI": "149"})
    assert loaded.config.idle_prompt_s == 120 and loaded.config.language == "en"
    assert loaded.config.screen_dpi == 149
    assert any("idle_prompt_s" in p for p in loaded.problems)


def test_a_missing_config_file_named_explicitly_is_reported(tmp_path):
    loaded = load_config(environ={"KIOSK_CONFIG": str(tmp_path / "nowhere.toml")})
    assert loaded.problems and "does not exist" in loaded.problems[0]


def test_config_problems_show_in_vietnamese_to_staff(tmp_path):
    services = KioskServices(KioskConfig(data_dir=tmp_path), ["config file x cannot be read"])
    assert _(NOTICE_SETTINGS) == "Cài đặt của máy đang bị lỗi, máy tạm dùng cài đặt mặc định. Xin báo kỹ thuật viên."
    assert services.notices == [NOTICE_SETTINGS]


def copy_pack(to: Path) -> Path:
    to.mkdir(parents=True)
    for source in (BUILTIN_PACKS / "vi").glob("*.yaml"):
        (to / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return to


def test_a_corrupt_lesson_file_keeps_the_last_good_pack(tmp_path):
    pack = copy_pack(tmp_path / "pack")
    config = KioskConfig(data_dir=tmp_path / "data", pack_dir=pack)
    first = KioskServices(config)
    assert first.lessons and not first.notices
    lesson_file = next(p for p in pack.glob("*.yaml") if p.name != "pack.yaml")
    lesson_file.write_bytes(lesson_file.read_bytes()[:200] + b"\n  - kind: [broken")
    first.stop()  # one owner per outbox folder: the first run ends before the next starts
    second = KioskServices(config)
    assert [lesson.id for lesson in second.lessons] == [lesson.id for lesson in first.lessons]
    assert second.notices == [NOTICE_PACK]


def test_a_corrupt_pack_with_nothing_kept_shows_no_lessons_and_says_so(tmp_path):
    pack = copy_pack(tmp_path / "pack")
    (pack / "pack.yaml").write_text("id: [")
    services = KioskServices(KioskConfig(data_dir=tmp_path / "data", pack_dir=pack))
    assert services.lessons == ()
    assert _(services.notices[0]) == "Máy chưa có bài học nào để hiển thị. Xin báo kỹ thuật viên."


def test_a_full_disk_keeps_the_lesson_going_and_tells_staff(tmp_path, monkeypatch):
    services = KioskServices(KioskConfig(data_dir=tmp_path))
    services.begin_session()
    stored_before = services.outbox.stats().pending

    def full(_draft):
        raise OutboxFull(errno.ENOSPC, "no space left to store the record")

    monkeypatch.setattr(services.outbox, "append", full)
    run = services.start_lesson(services.lessons[0].id)
    run.next()
    assert run.number == 2
    services.end_session("left")
    assert services.notices == [NOTICE_DISK_FULL]
    assert _(NOTICE_DISK_FULL).startswith("Bộ nhớ đầy")
    monkeypatch.undo()
    assert services.outbox.stats().pending == stored_before


def test_an_unreachable_server_reads_as_not_sent_yet(tmp_path):
    config = KioskConfig(data_dir=tmp_path)
    Credentials(server_url=f"http://127.0.0.1:{free_port()}", device_id="kiosk-abc123", secret="s" * 20,
                venue_id="ca-phe-luka", name="Cà phê Luka", bundle_key="0" * 64).save(config.credentials_file)
    services = KioskServices(config)
    services.begin_session()
    assert services.sync_text() == "Chưa gửi được · 1 chờ gửi"
    services.start()
    assert services.sync.sync_once() is False
    services.stop()
    assert services.sync.status.state == "offline"
    assert services.sync_text() == "Chưa gửi được · 1 chờ gửi"
    assert (config.credentials_file.stat().st_mode & 0o777) == 0o600
