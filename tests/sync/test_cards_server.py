"""Learner cards at the ward, on SQLite and PostgreSQL: progress derived from the records kiosks send, served to
kiosks with an ETag, and a lost card's progress moved to its new card by ``ward-server card lost``."""
import time

import requests

from sync.client import push_pending
from sync.learner_ids import card_short_code, new_card_id
from sync.server import cards
from sync.server.cli import main as ward_server_cli
from sync.server.db import make_engine, make_sessions
from sync.server.migrate import upgrade
from tests.sync.factory import enroll_kiosk

LESSON = "ma-otp-la-bi-mat"


def answered(step_id: str, correct: bool = True) -> dict:
    return dict(type="step_answered", lesson_id=LESSON,
                payload={"step_id": step_id, "answer": "gui-nham", "correct": correct, "attempt": 1})


def completed() -> dict:
    return dict(type="lesson_completed", lesson_id=LESSON, payload={"questions": 2, "first_try_correct": 1})


def test_card_progress_reaches_another_kiosk_and_follows_a_lost_card(ward_server, tmp_path):
    first, second = enroll_kiosk(ward_server, tmp_path, "kiosk-a0001"), enroll_kiosk(ward_server, tmp_path, "kiosk-b0001")
    finished, halfway, anonymous = new_card_id(), new_card_id(), "anon-0123456789abcdef0123456789abcdef"
    first.queue(1, learner=finished, **answered("otp-la"))
    first.queue(1, learner=finished, **completed())
    first.queue(1, learner=halfway, **answered("otp-la"))
    first.queue(1, learner=anonymous, **completed())
    push_pending(first.outbox, first.client())

    etag, document = second.client().get_cards(None)
    at = {card: entry.pop("at") for card, entry in document["cards"].items()}
    assert document == {"cards": {finished: {"done": [LESSON], "stopped": None},
                                  halfway: {"done": [], "stopped": {"lesson_id": LESSON, "step_id": "otp-la"}}},
                        "lost": []}
    assert all(abs(when / 1000 - time.time()) < 60 for when in at.values())  # when the ward last heard of each
    assert second.client().get_cards(etag) is None

    replacement = new_card_id()
    database = ["--database", ward_server.database_url]
    assert ward_server_cli([*database, "card", "lost", card_short_code(finished).lower(), "--new", replacement]) == 0
    assert ward_server_cli([*database, "card", "lost", finished, "--new", replacement]) == 0  # said twice: no change
    assert ward_server_cli([*database, "card", "lost", finished, "--new", new_card_id()]) == 1
    assert ward_server_cli([*database, "card", "lost", "Nguyễn Văn A", "--new", replacement]) == 1
    new_etag, document = second.client().get_cards(etag)
    assert new_etag != etag and document["lost"] == [finished]
    assert document["cards"][replacement] == {"done": [LESSON], "stopped": None, "at": at[finished]}
    assert finished not in document["cards"]


def test_lost_card_rules(database_url):
    upgrade(database_url)
    with make_sessions(make_engine(database_url))() as session:
        old, new, newer = new_card_id(), new_card_id(), new_card_id()
        cards.mark_lost(session, old, new)
        cards.mark_lost(session, new, newer)
        assert cards.replacements(session) == {old: newer, new: newer}
        for lost, given in ((newer, newer), (newer, old), ("anon-0123456789abcdef0123456789abcdef", newer)):
            try:
                cards.mark_lost(session, lost, given)
            except cards.CardRefused:
                continue
            raise AssertionError(f"{lost} -> {given} was allowed")
        assert cards.lost_ids(session) == sorted([old, new])


def test_card_progress_needs_a_device_token(ward_server):
    assert requests.get(f"{ward_server.url}/api/v1/cards", timeout=5).status_code == 401


def test_a_second_kiosk_pulls_card_progress_with_the_packs_and_refuses_a_lost_card(ward_server, tmp_path):
    from kiosk.card_progress import CardProgressStore
    from sync.worker import SyncWorker

    first, second = enroll_kiosk(ward_server, tmp_path, "kiosk-a0002"), enroll_kiosk(ward_server, tmp_path, "kiosk-b0002")
    card, replacement = new_card_id(), new_card_id()
    first.queue(1, learner=card, **completed())
    store = CardProgressStore.in_data_dir(tmp_path / "second-data")
    assert SyncWorker(first.outbox, first.client()).sync_once()
    worker = SyncWorker(second.outbox, second.client(), cards=store)
    assert worker.sync_once()
    assert CardProgressStore.in_data_dir(tmp_path / "second-data").progress(card).done == {LESSON}

    assert ward_server_cli(["--database", ward_server.database_url, "card", "lost", card, "--new", replacement]) == 0
    worker._due["cards"] = 0.0  # the next pack check is due
    assert worker.sync_once()
    again = CardProgressStore.in_data_dir(tmp_path / "second-data")
    assert again.progress(card) is None and again.progress(replacement).done == {LESSON}
