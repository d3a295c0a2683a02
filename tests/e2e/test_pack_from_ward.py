"""A lesson pack signed by the ward reaches the kiosk through sync and is shown from the next start."""
import shutil
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.services import KioskServices
from lessons.pack import BUILTIN_PACKS
from lessons.signing import public_key_text, sign_pack
from tests.helpers import enroll_kiosk
from tests.harness import WardServer


def test_a_signed_pack_from_the_ward_is_installed_and_shown_next_start(kiosk_config, tmp_path):
    ward_key = Ed25519PrivateKey.generate()
    pack = tmp_path / "ward-pack"
    shutil.copytree(BUILTIN_PACKS / "vi", pack)
    first = sorted(pack.glob("0*.yaml"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("title: Làm quen màn hình cảm ứng",
                                                              "title: Làm quen với màn hình"), encoding="utf-8")
    sign_pack(pack, ward_key)
    server = WardServer(f"sqlite:///{tmp_path / 'ward.sqlite3'}", packs_dir=pack).start()
    try:
        enroll_kiosk(kiosk_config, server)
        key_file = tmp_path / "ward.pub"
        key_file.write_text(public_key_text(ward_key.public_key()))
        config = kiosk_config.model_copy(update={"pack_public_key": key_file})
        services = KioskServices(config)
        assert services.lessons[0].title == "Làm quen màn hình cảm ứng"
        services.start()
        services.begin_session()
        deadline = time.monotonic() + 20
        while not config.downloaded_pack.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        services.stop()
    finally:
        server.stop()
    assert config.downloaded_pack.exists(), "the worker installed the ward's pack"
    assert KioskServices(config).lessons[0].title == "Làm quen với màn hình"
