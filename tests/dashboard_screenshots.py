"""Screenshots of the ward dashboard, on a desk screen and a phone, with a generated campaign.

Run: ``.venv/bin/python -m tests.dashboard_screenshots build/screenshots/dashboard`` (``make screenshots``).
"""
import sys
import tempfile
from pathlib import Path

from sync.server.web import auth
from tests.browser import PHONE, chromium, sign_in
from tests.campaign import generate
from tests.harness import WardServer

ADMIN = ("lan", "mật khẩu của Lan 2026")
PAGES = ("overview", "devices", "venues", "packs", "accounts", "bundles")
SCREENS = {"desk": {"width": 1280, "height": 800}, "phone": PHONE}


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ward-screens-") as tmp:
        server = WardServer(f"sqlite:///{tmp}/ward.sqlite3")
        generate(server.engine, devices=9, records=9000, days=21, khu_pho=8)
        with server.sessions() as session:
            auth.create_account(session, *ADMIN, "admin")
        server.start()
        try:
            with chromium() as browser:
                for screen, viewport in SCREENS.items():
                    page = browser.new_context(viewport=viewport, locale="vi-VN").new_page()
                    page.goto(f"{server.url}/login")
                    page.screenshot(path=folder / f"{screen}-login.png", full_page=True)
                    sign_in(page, server.url, *ADMIN)
                    for name in PAGES:
                        page.goto(f"{server.url}/{name}")
                        page.screenshot(path=folder / f"{screen}-{name}.png", full_page=True)
                    page.goto(f"{server.url}/devices")
                    page.click("form[action='/devices/enroll'] button")
                    page.screenshot(path=folder / f"{screen}-enroll.png", full_page=True)
                    page.goto(f"{server.url}/overview?lang=en")
                    page.screenshot(path=folder / f"{screen}-overview-en.png", full_page=True)
                    page.goto(f"{server.url}/overview?lang=vi")
                    page.context.close()
        finally:
            server.stop()
    print(f"dashboard screenshots in {folder}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "build/screenshots/dashboard"))
