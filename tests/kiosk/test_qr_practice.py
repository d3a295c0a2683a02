"""The QR drill on the real app under Xvfb, driven by touch, with the replay camera showing printed cards.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python -m pytest -q tests/kiosk/test_qr_practice.py
"""
import threading
import time

from kiosk.camera.base import CAMERA_STOPPED
from kiosk.config import KioskConfig
from kiosk.i18n import _
from kiosk.qr.practice import ANOTHER, CARDS, DISTRUST, NO_CARD, PROMPT, SHOW_CARD, TRUST, ask_for
from kiosk.services import KioskServices
from tests.helpers import card_frame
from tests.ui import find, queued_records, run_kiosk, screen_name, shown_texts, tap, until

CARD = {card.id: card for card in CARDS}


def kiosk(tmp_path, camera: str, **overrides) -> KioskServices:
    return KioskServices(KioskConfig(data_dir=tmp_path / "kiosk", camera=camera, **overrides))


def replay(tmp_path, *cards) -> str:
    folder = tmp_path / "camera"
    folder.mkdir()
    for i, card in enumerate(cards):
        card_frame(card.payload).save(folder / f"{i}.png")
    return f"replay:{folder}"


def open_drill(app):
    tap(find(_("Touch here to start")))
    yield 0.2
    # No menu entry opens the drill yet; a lesson's QR step (or this) does.
    app.show("qr_practice")
    yield 0.2


def wait_for_phase(screen, phase: str, timeout: float = 15):
    """Until the screen is in ``phase`` and has been laid out in it: no finger taps a button not yet drawn."""
    yield from until(lambda: screen.phase == phase, timeout)


def camera_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.endswith("-reader") or t.name == "qr-scan"]


def test_a_changed_receiver_card_is_spotted_graded_and_recorded_without_its_payload(tmp_path):
    card = CARD["luka-receiver"]
    services = kiosk(tmp_path, replay(tmp_path, card))

    def script(app):
        yield from open_drill(app)
        screen = app.root.get_screen("qr_practice")
        yield from wait_for_phase(screen, "question")
        assert find("Bác có tin mã này không?")
        inside = find(screen.inside).text
        assert inside.splitlines() == ["Người nhận: NGUYEN VAN TUAN", "Số tiền: 25.000 đ", "Nội dung: Ca phe Luka"]
        assert screen.kind_title == "Mã chuyển tiền VietQR" and screen.kind_title in screen.spoken()  # read aloud
        tap(find(_(DISTRUST)))
        yield 0.2
        assert screen.phase == "feedback"
        assert find("Đúng rồi!") and find(_(card.explanation))
        tap(find(_(ANOTHER)))
        yield 0.5
        assert screen.phase == "scanning" and find(_(PROMPT)), "the card just answered waits a moment"
        assert screen.inside == "" and screen.feedback == ""
        tap(find(_("Exit lesson")))
        yield 0.3
        assert screen_name(app) == "lesson_list"
        assert camera_threads() == []

    run_kiosk(services, script)
    drills = [r.payload for r in queued_records(services) if r.type == "qr_scanned"]
    assert drills == [{"card": "luka-receiver", "trusted": False, "correct": True}]
    stored = b"".join(p.read_bytes() for p in services.config.outbox_dir.rglob("*") if p.is_file())
    assert b"qr_scanned" in stored
    assert b"NGUYEN VAN TUAN" not in stored and b"0000007654321" not in stored and b"00020101" not in stored


def test_a_wrong_choice_gets_kind_specific_words_and_another_try(tmp_path):
    card = CARD["sticker-50k"]
    services = kiosk(tmp_path, replay(tmp_path, card))

    def script(app):
        yield from open_drill(app)
        screen = app.root.get_screen("qr_practice")
        yield from wait_for_phase(screen, "question")
        assert screen.inside == "Trang sẽ mở: nhan-qua-50k.test"
        tap(find(_(TRUST)))
        yield 0.2
        assert find("Bác thử lại nhé.") and find("Mã này không nên tin. " + _(card.explanation))
        tap(find(_(ANOTHER)))
        yield from wait_for_phase(screen, "question", timeout=10)  # the same card, shown again after a pause
        tap(find(_(DISTRUST)))
        yield 0.2
        assert find("Đúng rồi!")

    run_kiosk(services, script)
    assert [r.payload for r in queued_records(services) if r.type == "qr_scanned"] == [
        {"card": "sticker-50k", "trusted": True, "correct": False},
        {"card": "sticker-50k", "trusted": False, "correct": True}]


def test_a_code_that_is_not_a_practice_card_is_explained_but_not_graded(tmp_path):
    folder = tmp_path / "camera"
    folder.mkdir()
    card_frame("WIFI:T:nopass;S:Free Wifi;;").save(folder / "open.png")
    services = kiosk(tmp_path, f"replay:{folder}")

    def script(app):
        yield from open_drill(app)
        screen = app.root.get_screen("qr_practice")
        yield from wait_for_phase(screen, "other")
        assert find("Thông tin mạng Wi-Fi")
        assert find(screen.warning).text.startswith("Mạng Wi-Fi này không có mật khẩu")
        assert "Tên mạng: Free Wifi" in screen.inside
        tap(find(_(ANOTHER)))
        yield 0.3
        assert screen.phase == "scanning"

    run_kiosk(services, script)
    assert [r for r in queued_records(services) if r.type == "qr_scanned"] == []


def test_a_missing_camera_is_said_kindly_and_the_card_on_screen_is_offered(tmp_path):
    services = kiosk(tmp_path, f"replay:{tmp_path / 'no-camera-here'}")

    def script(app):
        yield from open_drill(app)
        screen = app.root.get_screen("qr_practice")
        assert screen.phase == "no_camera"
        assert find("Máy này chưa có máy ảnh. Bác xem thẻ trên màn hình nhé.")
        assert "kỹ thuật viên" not in " ".join(shown_texts()), "the technician's words stay off the learner's screen"
        tap(find(_(SHOW_CARD)))
        yield 0.2
        assert screen.phase == "question" and screen.on_screen
        assert find("Thẻ số 1") and find(_(CARDS[0].caption)) and find("Bác có tin mã này không?")
        tap(find(_(TRUST)))
        yield 0.2
        assert find("Đúng rồi!")
        tap(find(_(ANOTHER)))  # the next card, on the screen again
        yield 0.2
        assert screen.phase == "question" and find("Thẻ số 2")
        tap(find(_("Exit lesson")))
        yield 0.3
        assert screen_name(app) == "lesson_list"
        tap(find(services.lessons[0].title))
        yield 0.3
        assert screen_name(app) == "player"

    run_kiosk(services, script)
    assert [r.payload for r in queued_records(services) if r.type == "qr_scanned"] == [
        {"card": "luka-ok", "trusted": True, "correct": True}]


def test_without_a_card_the_lesson_shows_its_card_on_screen_and_asks_the_same_question(tmp_path):
    services = kiosk(tmp_path, replay(tmp_path, CARD["cafe-wifi"]))
    results = []

    def script(app):
        yield from open_drill(app)
        screen = app.root.get_screen("qr_practice")
        screen.start_drill(card="luka-receiver", on_result=lambda *r: results.append(r))
        yield from wait_for_phase(screen, "scanning")
        tap(find(_(NO_CARD)))
        yield 0.2
        assert screen.phase == "question" and screen.card is CARD["luka-receiver"]
        assert screen.inside.startswith("Người nhận: NGUYEN VAN TUAN") and find("Thẻ số 2")
        tap(find(_(DISTRUST)))
        yield 0.2
        assert results == [("luka-receiver", True, _(CARD["luka-receiver"].explanation))]
        assert camera_threads() != [], "the camera is still open for the next try"

    run_kiosk(services, script)


def test_a_camera_that_stops_mid_drill_shows_a_message_not_a_crash(tmp_path):
    camera = replay(tmp_path, CARD["cafe-wifi"])
    services = kiosk(tmp_path, camera)

    def script(app):
        yield from open_drill(app)
        screen = app.root.get_screen("qr_practice")
        yield from wait_for_phase(screen, "question")
        tap(find(_(TRUST)))
        yield 0.2
        for picture in (tmp_path / "camera").iterdir():
            picture.unlink()  # the camera now gives nothing usable
        tap(find(_(ANOTHER)))
        yield from wait_for_phase(screen, "no_camera", timeout=20)
        assert find(_(CAMERA_STOPPED)) and find(_(SHOW_CARD))
        tap(find(_("Exit lesson")))
        yield 0.3
        assert screen_name(app) == "lesson_list"

    run_kiosk(services, script)


def test_a_lesson_step_asks_for_its_card_and_gets_the_verdict_back(tmp_path):
    services = kiosk(tmp_path, replay(tmp_path, CARD["luka-receiver"], CARD["luka-ok"]))
    results, left = [], []

    def script(app):
        yield from open_drill(app)
        screen = app.root.get_screen("qr_practice")
        screen.start_drill(card="luka-ok", on_result=lambda *r: results.append(r), on_leave=lambda: left.append(1))
        yield from wait_for_phase(screen, "question")
        assert screen.inside.startswith("Người nhận: TRAN THI MAI")
        tap(find(_(TRUST)))
        yield 0.2
        assert results == [("luka-ok", True, _(CARD["luka-ok"].explanation))]
        tap(find(_("Exit lesson")))
        yield 0.2
        assert left == [1]

    run_kiosk(services, script)


def test_the_wrong_card_for_a_lesson_is_named(tmp_path):
    services = kiosk(tmp_path, replay(tmp_path, CARD["luka-receiver"]))

    def script(app):
        yield from open_drill(app)
        screen = app.root.get_screen("qr_practice")
        screen.start_drill(card="luka-ok")
        deadline = time.monotonic() + 10
        while screen.prompt == ask_for(CARD["luka-ok"]):
            assert time.monotonic() < deadline
            yield 0.1
        assert find(ask_for(CARD["luka-ok"], CARD["luka-receiver"]))
        assert screen.phase == "scanning"

    run_kiosk(services, script)


def test_walking_away_wipes_the_drill_and_releases_the_camera(tmp_path):
    services = kiosk(tmp_path, replay(tmp_path, CARD["luka-ok"]), idle_prompt_s=3, idle_countdown_s=1)

    def script(app):
        yield from open_drill(app)
        screen = app.root.get_screen("qr_practice")
        yield from wait_for_phase(screen, "question")
        services.touched()  # the card was answered just now; from here the learner walks away
        yield from until(lambda: screen_name(app) == "welcome", timeout_s=10)
        assert "qr_practice" not in app.root.screen_names
        assert camera_threads() == []

    run_kiosk(services, script)
