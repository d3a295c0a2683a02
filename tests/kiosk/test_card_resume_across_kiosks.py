"""A learner card resumes at the step where it stopped, at another kiosk: two kiosks with their own data, one real
ward server on 127.0.0.1 between them, the card's progress going through the ward's ``GET /api/v1/cards``.

The learner stops at step 2 at the first kiosk, resumes there at the second, goes on and stops at step 3; back at
the first kiosk (whose own stop is older) the card resumes at step 3, and finishing there is known everywhere."""
import pytest

from kiosk.config import KioskConfig
from kiosk.services import KioskServices
from sync.learner_ids import card_short_code, new_card_id
from sync.worker import SyncWorker
from tests.harness import WardServer
from tests.helpers import LESSON, enroll_kiosk, write_pack

# The test pack's lesson with a third step, so a stop in the middle means something.
LESSON_THREE_STEPS = LESSON + """\
  - kind: choice
    id: cau-2
    text: Còn câu này?
    correct: dung
    options:
      - {id: dung, text: Câu đúng, feedback: Đúng rồi.}
      - {id: sai, text: Câu sai, feedback: Chưa đúng.}
"""


@pytest.fixture
def ward_server(tmp_path):
    """The ward, knowing the kiosks' lesson (it refuses records of lessons it does not know)."""
    server = WardServer(f"sqlite:///{tmp_path / 'ward.sqlite3'}", packs_dir=write_pack(tmp_path / "pack", LESSON_THREE_STEPS))
    yield server.start()
    server.stop()


def kiosk_at(ward_server, tmp_path, name: str) -> KioskServices:
    config = KioskConfig(data_dir=tmp_path / name, pack_dir=tmp_path / "pack")
    enroll_kiosk(config, ward_server)
    return KioskServices(config)


def sync(services: KioskServices) -> None:
    """One round of the kiosk's sync worker: records up, then the ward's card progress down."""
    assert SyncWorker(services.outbox, services.sync_client(), cards=services.cards).sync_once()


def test_a_card_resumes_at_its_step_on_another_kiosk(ward_server, tmp_path):
    first, second = kiosk_at(ward_server, tmp_path, "kiosk-a"), kiosk_at(ward_server, tmp_path, "kiosk-b")
    card = new_card_id()

    first.begin_card_session(card)
    run = first.start_lesson("bai-thu")
    run.next()
    run.answer("sai")  # step 2, not right yet: the learner leaves here
    first.end_session("left")
    sync(first)

    sync(second)
    session = second.begin_card_session(card_short_code(card))  # typed at the second kiosk
    assert session.stopped == ("bai-thu", "cau-1") and session.suggest(["bai-thu"]) == "bai-thu"
    run = second.start_lesson("bai-thu")
    assert run.number == 2
    run.answer("dung")
    run.next()
    run.answer("sai")  # step 3 now
    second.end_session("left")
    sync(second)

    sync(first)
    session = first.begin_card_session(card)
    assert session.stopped == ("bai-thu", "cau-2")
    run = first.start_lesson("bai-thu")
    assert run.number == 3
    run.answer("dung")
    run.next()
    first.end_session("left")
    sync(first)

    sync(second)
    for kiosk in (first, second):
        progress = kiosk.cards.progress(card)
        assert progress.done == {"bai-thu"} and progress.stopped is None
        kiosk.stop()
