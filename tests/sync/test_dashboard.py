"""The staff dashboard in a real Chromium against a real ward server on 127.0.0.1, with a generated campaign."""
import csv
import io
import shutil

import pytest
import requests
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from lessons.signing import sign_pack
from sync.bundle import apply_receipt, export_bundle
from sync.credentials import secret_digest
from sync.enrollment_code import parse_enrollment_code
from sync.server.db import Device, StoredRecord
from sync.server.ratelimit import RateLimiter
from sync.server.web import auth
from sync.server.web.models import Venue
from tests.browser import PHONE, chromium, number, sign_in
from tests.campaign import generate
from tests.harness import WardServer
from tests.helpers import LESSON, write_pack
from tests.sync.factory import enroll_kiosk

ADMIN, STAFF = ("lan", "mật khẩu của Lan 2026"), ("minh", "mật khẩu của Minh 2026")


@pytest.fixture(scope="module")
def ward(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ward")
    server = WardServer(f"sqlite:///{folder}/ward.sqlite3", packs_dir=folder / "served-pack")
    server.truth = generate(server.engine, devices=6, records=3000, days=10)
    with server.sessions() as session:
        auth.create_account(session, *ADMIN, "admin")
        auth.create_account(session, *STAFF, "staff")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    with chromium() as found:
        yield found


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, locale="vi-VN")
    yield context.new_page()
    context.close()


def test_overview_shows_what_the_database_holds(ward, page):
    sign_in(page, ward.url, *STAFF)
    page.wait_for_url("**/overview")
    with ward.sessions() as session:
        learners = session.scalar(select(func.count(func.distinct(StoredRecord.learner))))
        started = session.scalar(select(func.count()).where(StoredRecord.type == "session_started"))
        completed = session.scalar(select(func.count()).where(StoredRecord.type == "lesson_completed"))
    assert (learners, started, completed) == (len(ward.truth.learners), sum(ward.truth.started.values()),
                                              sum(ward.truth.completed.values()))
    assert (number(page, "#learners"), number(page, "#started"), number(page, "#completed")) == (learners, started, completed)
    assert "Tổng quan" in page.title()  # Vietnamese by default
    points = page.locator(".chart-wide svg.chart polyline.series-0").get_attribute("points").split()
    assert len(points) == 10 and page.locator(".chart-wide svg.chart line.target:not(.key)").count() == 1
    assert page.locator(".chart-wide svg.chart").first.bounding_box()["height"] > 100
    assert not page.locator(".chart-narrow svg.chart").first.is_visible()


def test_csv_has_the_numbers_of_the_page(ward, page):
    sign_in(page, ward.url, *STAFF)
    with page.expect_download() as download:
        page.click("a[href^='/export/daily.csv']")
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert rows[0] == ["Ngày", "Số bài đã bắt đầu", "Số bài đã hoàn thành"]
    by_day = {day.isoformat(): (ward.truth.started[day], ward.truth.completed[day]) for day in ward.truth.started}
    assert {row[0]: (int(row[1]), int(row[2])) for row in rows[1:] if row[1] != "0"} == by_day
    assert sum(int(row[2]) for row in rows[1:]) == number(page, "#completed")


def test_enrollment_qr_on_screen_enrolls_a_kiosk(ward, page, tmp_path):
    sign_in(page, ward.url, *ADMIN)
    page.goto(f"{ward.url}/devices")
    page.select_option("form[action='/devices/enroll'] select", label="Điểm học 2")
    page.click("form[action='/devices/enroll'] button")
    shot = tmp_path / "qr.png"
    page.locator("#enrollment-qr svg").screenshot(path=shot)
    found = zxingcpp.read_barcodes(Image.open(shot))
    code = parse_enrollment_code(found[0].text)
    assert code.url == ward.url and code.venue == "Điểm học 2"
    answer = requests.post(f"{ward.url}/api/v1/enroll", timeout=10, json={
        "token": code.token, "device_id": "kiosk-from-qr", "secret_hash": secret_digest("s" * 32)})
    assert answer.status_code == 200 and answer.json()["venue_id"] == "diem-hoc-2"
    page.goto(f"{ward.url}/devices")
    expect(page.locator("td", has_text="kiosk-from-qr")).to_have_count(1)


def test_staff_cannot_reach_admin_pages(ward, page):
    sign_in(page, ward.url, *STAFF)
    page.wait_for_url("**/overview")
    assert page.locator("nav a[href='/venues']").count() == 0
    csrf = page.locator("form[action='/logout'] input[name=csrf]").get_attribute("value")
    for path in ("/venues", "/accounts", "/bundles"):
        assert page.goto(f"{ward.url}{path}").status == 403
    refused = page.request.post(f"{ward.url}/venues", form={"csrf": csrf, "name": "Quán của nhân viên"})
    assert refused.status == 403
    with ward.sessions() as session:
        assert session.get(Venue, "quan-cua-nhan-vien") is None


def test_a_form_without_its_csrf_token_is_refused(ward, page, tmp_path):
    sign_in(page, ward.url, *ADMIN)
    page.wait_for_url("**/overview")
    assert page.request.post(f"{ward.url}/venues", form={"name": "Quán không token"}).status == 403
    assert page.request.post(f"{ward.url}/venues", form={"name": "Quán không token", "csrf": "x" * 43}).status == 403
    with ward.sessions() as session:
        assert session.get(Venue, "quan-khong-token") is None
    page.goto(f"{ward.url}/venues")
    (csv_file := tmp_path / "khu-pho.csv").write_text("Tên\nKhu phố Mới 1\nKhu phố Mới 2\n", encoding="utf-8")
    page.set_input_files("form[action='/khu-pho'] input[type=file]", csv_file)
    page.click("form[action='/khu-pho'] button")
    expect(page.locator(".list .tag", has_text="Khu phố Mới")).to_have_count(2)
    page.fill("form[action='/venues'] input[name=name]", "Quán có token")
    page.click("form[action='/venues'] button")
    expect(page.locator("td", has_text="Quán có token")).to_have_count(1)


def test_pages_fit_a_phone(ward, browser):
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    sign_in(page, ward.url, *ADMIN)
    for path in ("/overview", "/devices", "/venues", "/accounts", "/bundles", "/overview?lang=en"):
        page.goto(f"{ward.url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at a phone's width"
    assert page.locator("h1").inner_text() == "Campaign overview"
    context.close()


def test_wrong_password_is_refused_then_rate_limited(ward, page):
    board = ward.app.state.dashboard
    try:
        for attempt in range(board.settings.sign_in_burst):
            sign_in(page, ward.url, ADMIN[0], "not the password")
            expect(page.locator("[role=alert]")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
        sign_in(page, ward.url, *ADMIN)  # even the right password waits now
        expect(page.locator("[role=alert]")).to_contain_text("Sai mật khẩu quá nhiều lần")
        assert page.url.endswith("/login")
    finally:
        fresh = (board.settings.sign_in_per_minute / 60, board.settings.sign_in_burst)
        board.by_account, board.by_address = RateLimiter(*fresh), RateLimiter(*fresh)


def _zipped_pack(folder, lesson: str = LESSON, signed: bool = True):
    pack = write_pack(folder / "thu", lesson)
    if signed:
        sign_pack(pack, Ed25519PrivateKey.generate())
    return shutil.make_archive(str(folder / "thu"), "zip", folder, "thu")


def _kiosk_at(ward, venue: str, device_id: str) -> dict:
    secret = device_id * 3
    requests.post(f"{ward.url}/api/v1/enroll", timeout=10, json={
        "token": ward.enrollment_token(venue), "device_id": device_id, "secret_hash": secret_digest(secret)}
                  ).raise_for_status()
    return {"Authorization": f"Bearer {device_id}.{secret}"}


def test_a_pack_is_validated_then_published_to_one_venue(ward, page, tmp_path):
    sign_in(page, ward.url, *ADMIN)
    page.goto(f"{ward.url}/packs")
    broken = tmp_path / "broken"
    page.set_input_files("input[type=file]", _zipped_pack(broken, LESSON.replace("correct: dung", "correct: khong-co")))
    page.click("form[action='/packs'] button")
    expect(page.locator("#pack-problems li").first).to_have_text(  # in the validator's words, said in Vietnamese
        "01-bai-thu.yaml, dòng 9 (steps.1.choice): đáp án đúng “khong-co” không nằm trong các lựa chọn “dung”, “sai”")
    expect(page.locator("form[action='/packs/publish']")).to_have_count(0)
    page.set_input_files("input[type=file]", _zipped_pack(tmp_path / "good"))
    page.click("form[action='/packs'] button")
    expect(page.locator("#pack-report")).to_be_visible()
    page.select_option("form[action='/packs/publish'] select", label="Điểm học 3")
    page.click("form[action='/packs/publish'] button")
    expect(page.locator("#published")).to_contain_text("thu")
    there, elsewhere = _kiosk_at(ward, "Điểm học 3", "kiosk-at-3"), _kiosk_at(ward, "Điểm học 4", "kiosk-at-4")
    served = requests.get(f"{ward.url}/api/v1/packs", headers=there, timeout=10)
    assert served.status_code == 200 and "pack.yaml" in served.json()["files"]
    assert requests.get(f"{ward.url}/api/v1/packs", headers=elsewhere, timeout=10).status_code == 404


def test_a_usb_bundle_upload_says_what_it_added_and_gives_the_receipt(ward, page, tmp_path):
    kiosk = enroll_kiosk(ward, tmp_path, "kiosk-usb-web1")
    kiosk.queue(40)
    bundle, _count = export_bundle(kiosk.outbox, kiosk.credentials, tmp_path / "usb")
    sign_in(page, ward.url, *ADMIN)
    page.goto(f"{ward.url}/bundles")
    page.set_input_files("input[type=file]", bundle)
    page.click("form[action='/bundles'] button")
    expect(page.locator("#accepted")).to_have_text("40")
    with page.expect_download() as download:
        page.click("#receipt")
    receipt = tmp_path / "usb" / download.value.suggested_filename
    download.value.save_as(receipt)
    assert apply_receipt(receipt, kiosk.outbox, kiosk.credentials).accepted == 40
    assert kiosk.outbox.stats().pending == 0
    page.goto(f"{ward.url}/bundles")
    page.set_input_files("input[type=file]", bundle)
    page.click("form[action='/bundles'] button")
    expect(page.locator("#duplicate")).to_have_text("40")


def test_an_admin_moves_a_kiosk_to_a_venue_and_revokes_it(ward, page):
    headers = _kiosk_at(ward, "Điểm học 5", "kiosk-to-move")
    sign_in(page, ward.url, *ADMIN)
    page.goto(f"{ward.url}/devices")
    row = page.locator("tr", has=page.locator("td", has_text="kiosk-to-move"))
    row.locator("form[action$='/venue'] select").select_option(label="Điểm học 6")
    row.locator("form[action$='/venue'] button").click()
    expect(page.locator("tr", has=page.locator("td", has_text="kiosk-to-move")).locator("td").nth(1)).to_have_text("Điểm học 6")
    with ward.sessions() as session:
        assert session.get(Device, "kiosk-to-move").venue_id == "diem-hoc-6"
    page.locator("tr", has=page.locator("td", has_text="kiosk-to-move")).locator("form[action$='/revoke'] button").click()
    expect(page.locator("tr.revoked td", has_text="kiosk-to-move")).to_have_count(1)
    assert requests.get(f"{ward.url}/api/v1/packs", headers=headers, timeout=10).status_code == 401


def test_an_admin_marks_a_learner_card_lost_by_its_short_code(ward, page):
    from sync.learner_ids import card_short_code, new_card_id
    from sync.server import cards

    lost, replacement = new_card_id(), new_card_id()
    sign_in(page, ward.url, *ADMIN)
    page.goto(f"{ward.url}/cards")
    page.fill("input[name=card]", card_short_code(lost).lower())
    page.fill("input[name=new_card]", card_short_code(replacement).replace("-", " "))
    page.locator("form[action='/cards/lost'] button").click()
    expect(page.locator("td", has_text=card_short_code(lost))).to_have_count(1)
    with ward.sessions() as session:
        assert cards.replacements(session)[lost] == replacement
    page.fill("input[name=card]", card_short_code(replacement))
    page.fill("input[name=new_card]", card_short_code(replacement))
    page.locator("form[action='/cards/lost'] button").click()
    expect(page.locator("[role=alert]")).to_contain_text("another card")
