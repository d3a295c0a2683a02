"""Debian's Chromium driven by Playwright, for the dashboard's tests and screenshots (no browser download)."""
import re
from contextlib import contextmanager
from typing import Iterator

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Page, url: str, username: str, password: str) -> None:
    """Sign in through the form, as a person would."""
    page.goto(f"{url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")


def number(page: Page, selector: str) -> int:
    """A figure on the page as an int (the page groups thousands with dots in Vietnamese)."""
    return int(re.sub(r"[^0-9]", "", page.inner_text(selector)))
