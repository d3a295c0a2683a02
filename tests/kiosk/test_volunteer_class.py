"""Learner cards and a volunteer's class through the kiosk's services (no window): a card continues its own
progress after a restart, a lost card is refused, an unknown one starts fresh, three wrong answers raise the
needs-help flag, demo runs stay out of the class summary, and the inactivity reset is off only during a class."""
from kiosk.config import KioskConfig
from kiosk.services import KioskServices
from sync.learner_ids import card_short_code, new_card_id
from tests.helpers import write_pack
from tests.ui import queued_records


def services_at(tmp_path) -> KioskServices:
    pack = tmp_path / "pack"
    if not pack.exists():
        write_pack(pack)
    return KioskServices(KioskConfig(data_dir=tmp_path / "kiosk", pack_dir=pack))


def test_a_card_continues_where_it_stopped_after_a_restart(tmp_path):
    card = new_card_id()
    services = services_at(tmp_path)
    session = services.begin_card_session(card)  # scanned: the QR code holds the id
    assert session.learner == card and not session.has_done("bai-thu")
    run = services.start_lesson("bai-thu")
    run.next()
    run.answer("sai")
    services.end_session("left")
    services.stop()

    again = services_at(tmp_path)
    session = again.begin_card_session(card_short_code(card).lower().replace("-", " "))  # typed
    assert session.learner == card and session.stopped == ("bai-thu", "cau-1")
    assert again.lessons[0].id == "bai-thu" and session.suggest(["bai-thu"]) == "bai-thu"
    run = again.start_lesson("bai-thu")
    assert run.number == 2
    run.answer("dung")
    run.next()
    assert again.cards.progress(card).done == {"bai-thu"} and again.cards.progress(card).stopped is None
    again.stop()


def test_lost_unknown_and_wrong_cards(tmp_path):
    services = services_at(tmp_path)
    lost, unknown = new_card_id(), new_card_id()
    services.cards.merge_from_ward({}, [lost])
    assert services.begin_card_session(lost) is None and services.begin_card_session(card_short_code(lost)) is None
    assert services.begin_card_session("Nguyễn Văn A") is None and services.begin_card_session("card-0000000000x") is None
    fresh = services.begin_card_session(unknown)
    assert fresh.learner == unknown and fresh.stopped is None and not fresh.done_before
    services.stop()


def test_a_class_flags_who_needs_help_and_sums_up_without_the_demo(tmp_path):
    services = services_at(tmp_path)
    assert services.idle.enabled
    found = services.start_class()
    assert not services.idle.enabled

    services.begin_session(demo=True)  # the volunteer shows how it works
    run = services.start_lesson("bai-thu")
    run.next()
    for _ in range(3):
        run.answer("sai")

    first, second = new_card_id(), new_card_id()
    services.begin_card_session(first)
    run = services.start_lesson("bai-thu")
    run.next()
    for tries in range(1, 4):
        run.answer("sai")
        assert found.learners[first].needs_help == (tries == 3)
    assert (found.learners[first].lesson_id, found.learners[first].step_id) == ("bai-thu", "cau-1")
    run.answer("dung")
    assert not found.learners[first].needs_help
    run.next()

    services.begin_card_session(second)
    services.start_lesson("bai-thu").next()

    summary = services.end_class()
    assert summary == {"learners": 2, "lessons_completed": 1,
                       "troubled_steps": [{"lesson_id": "bai-thu", "step_id": "cau-1"}]}
    assert services.idle.enabled and services.volunteer_class is None and services.session is None
    services.stop()
    records = queued_records(services)
    assert [r.payload for r in records if r.type == "class_summary"] == [summary]
    assert [r.payload for r in records if r.type == "session_started"] == [{"demo": True}, {}, {}]


def test_a_class_left_open_is_forgotten_after_the_set_time():
    from kiosk.volunteer_class import VolunteerClass

    now = [0.0]
    found = VolunteerClass(idle_end_s=600, clock=lambda: now[0])
    now[0] = 599
    assert not found.forgotten()
    found.touch()
    now[0] = 1198
    assert not found.forgotten()
    now[0] = 1199
    assert found.forgotten()


def test_services_end_a_forgotten_class_and_walk_up_mode_returns(tmp_path):
    services = services_at(tmp_path)
    found = services.start_class()
    now = [0.0]
    found.clock = lambda: now[0]
    services.touched()
    now[0] = services.config.class_idle_end_s - 1
    assert not services.end_forgotten_class()
    now[0] += 1
    assert services.end_forgotten_class() and services.volunteer_class is None and services.idle.enabled
    services.stop()
    assert [r.type for r in queued_records(services)] == ["class_summary"]
