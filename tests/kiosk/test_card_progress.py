"""Card progress on the kiosk: kept across restarts in a real file, merged with the ward's (the later stop wins),
lost cards refused, and a damaged or hostile file never stops the kiosk nor loses the good entries."""
import json

from hypothesis import given, settings, strategies as st

from kiosk.card_progress import FILE_NAME, CardProgressStore, Progress, Stop, WardCard, now_ms
from sync.learner_ids import new_anon_id, new_card_id


def just_now(progress: Progress) -> Progress:
    """``progress`` once its time is seen to be this moment (within a second), without its time."""
    assert 0 <= now_ms() - progress.at <= 1000
    return progress.model_copy(update={"at": 0})


def test_progress_survives_a_restart(tmp_path):
    card = new_card_id()
    store = CardProgressStore.in_data_dir(tmp_path)
    assert store.progress(card) == Progress()
    store.lesson_done(card, "bai-mot")
    store.stopped_at(card, "bai-hai", "cau-4")
    again = CardProgressStore.in_data_dir(tmp_path)
    assert just_now(again.progress(card)) == Progress(done=frozenset({"bai-mot"}), stopped=Stop(lesson="bai-hai", step="cau-4"))
    again.lesson_done(card, "bai-hai")
    assert just_now(CardProgressStore.in_data_dir(tmp_path).progress(card)) == Progress(done=frozenset({"bai-mot", "bai-hai"}))
    assert not list(tmp_path.glob("*.tmp"))


def test_the_file_holds_only_progress(tmp_path):
    card = new_card_id()
    CardProgressStore.in_data_dir(tmp_path).stopped_at(card, "bai-mot", "gioi-thieu")
    data = json.loads((tmp_path / FILE_NAME).read_text())
    at = data["cards"][card]["at"]
    assert 0 <= now_ms() - at <= 1000
    assert data == {"cards": {card: {"done": [], "stopped": {"lesson": "bai-mot", "step": "gioi-thieu"}, "at": at}},
                    "lost": [], "etag": None}


def test_ward_progress_merges_and_lost_cards_are_refused(tmp_path):
    kept, lost = new_card_id(), new_card_id()
    store = CardProgressStore.in_data_dir(tmp_path)
    store.stopped_at(kept, "bai-ba", "cau-2")
    store.lesson_done(lost, "bai-mot")
    earlier = store.progress(kept).at - 60_000
    store.merge_from_ward({kept: WardCard(done=["bai-mot"], at=earlier), lost: WardCard(done=["bai-hai"], at=earlier),
                           "nonsense": WardCard(done=["x"], at=earlier)}, [lost, "not-a-card"])
    again = CardProgressStore.in_data_dir(tmp_path)
    assert just_now(again.progress(kept)) == Progress(done=frozenset({"bai-mot"}), stopped=Stop(lesson="bai-ba", step="cau-2"))
    assert again.progress(lost) is None and lost not in again.cards and again.lost == {lost}
    for bad in (lost, new_anon_id(), "card-nope"):
        try:
            again.stopped_at(bad, "bai-mot", "cau-1")
        except ValueError:
            continue
        raise AssertionError(f"{bad} was allowed to learn")


def test_one_damaged_entry_is_dropped_alone(tmp_path):
    good, bad = new_card_id(), new_card_id()
    (tmp_path / FILE_NAME).write_text(json.dumps({"cards": {
        good: {"done": ["bai-mot"], "stopped": None},
        bad: {"done": ["Nguyễn Văn A"], "stopped": None},
        "card-0912345678x": {"done": []},
    }, "lost": ["x", 3]}))
    store = CardProgressStore.in_data_dir(tmp_path)
    assert store.cards == {good: Progress(done=frozenset({"bai-mot"}))} and store.lost == set()


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.binary(max_size=200), st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=16), inner, max_size=4),
    max_leaves=12).map(lambda value: json.dumps(value).encode())))
def test_any_file_content_loads_without_raising(tmp_path_factory, content):
    folder = tmp_path_factory.mktemp("hostile")
    (folder / FILE_NAME).write_bytes(content)
    store = CardProgressStore.in_data_dir(folder)
    assert all(card.startswith("card-") for card in store.cards)


def test_a_hostile_ward_answer_is_merged_card_by_card(tmp_path):
    good, lost = new_card_id(), new_card_id()
    store = CardProgressStore.in_data_dir(tmp_path)
    store.apply_ward("abc", {"cards": {good: {"done": ["bai-mot"], "at": 7}, new_card_id(): {"done": [{"x": 1}], "at": 7},
                                      new_card_id(): {"done": ["Nguyễn Văn A"]}, new_card_id(): "x"},
                             "lost": [lost, 7]})
    store.apply_ward("def", {"cards": [], "lost": "x"})
    again = CardProgressStore.in_data_dir(tmp_path)
    assert again.cards == {good: Progress(done=frozenset({"bai-mot"}), at=7)} and again.lost == {lost}
    assert again.etag == "def"


def test_the_later_stop_wins_whichever_kiosk_made_it(tmp_path):
    here, there, finished, same, fresh = (new_card_id() for _ in range(5))
    store = CardProgressStore.in_data_dir(tmp_path)
    for card in (here, there, finished, same):
        store.stopped_at(card, "bai-mot", "cau-1")
    at = {card: store.progress(card).at for card in (here, there, finished, same)}

    def ward(when: int, stopped: tuple[str, str] | None = ("bai-hai", "cau-3"), done=("bai-khac",)) -> dict:
        return {"done": list(done), "at": when,
                "stopped": stopped and {"lesson_id": stopped[0], "step_id": stopped[1]}}

    store.apply_ward("e1", {"cards": {here: ward(at[here] - 3_600_000),   # this kiosk saw the card last
                                      there: ward(at[there] + 60_000),    # another kiosk did, later
                                      finished: ward(at[finished] + 60_000, None, ("bai-mot",)),  # and finished it
                                      same: ward(at[same]),               # the same moment: ours stays
                                      fresh: ward(1_000)},                # never seen here
                            "lost": []})
    again = CardProgressStore.in_data_dir(tmp_path)
    mine = Stop(lesson="bai-mot", step="cau-1")
    assert again.progress(here) == Progress(done=frozenset({"bai-khac"}), stopped=mine, at=at[here])
    assert again.progress(there) == Progress(done=frozenset({"bai-khac"}), stopped=Stop(lesson="bai-hai", step="cau-3"),
                                             at=at[there] + 60_000)
    assert again.progress(finished) == Progress(done=frozenset({"bai-mot"}), at=at[finished] + 60_000)
    assert again.progress(same).stopped == mine
    assert again.progress(fresh) == Progress(done=frozenset({"bai-khac"}), stopped=Stop(lesson="bai-hai", step="cau-3"), at=1_000)


def test_a_hostile_ward_card_is_skipped_alone(tmp_path):
    good = new_card_id()
    store = CardProgressStore.in_data_dir(tmp_path)
    hostile = [{"done": ["bai-mot"], "at": "hôm qua"}, {"done": "bai-mot", "at": 5}, {"done": ["bai-mot"]},
               {"done": [], "at": 5, "stopped": {"lesson_id": "bai-hai", "step_id": "Nguyễn Văn A"}},
               {"done": [], "at": 5, "stopped": "bai-hai"}, {"done": [], "at": True}, {"done": [], "at": -1}]
    store.apply_ward("e", {"cards": {good: {"done": [], "at": 5, "stopped": {"lesson_id": "bai-hai", "step_id": "cau-2"}},
                                     **{new_card_id(): entry for entry in hostile}}, "lost": []})
    assert CardProgressStore.in_data_dir(tmp_path).cards == {
        good: Progress(stopped=Stop(lesson="bai-hai", step="cau-2"), at=5)}


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=16), inner, max_size=4),
                    max_leaves=12)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from([new_card_id() for _ in range(3)] + ["x"]), st.one_of(JSON, st.fixed_dictionaries(
    {"done": st.lists(st.sampled_from(["bai-mot", "Nguyễn Văn A", ""]), max_size=3), "at": JSON,
     "stopped": st.one_of(JSON, st.fixed_dictionaries({"lesson_id": JSON, "step_id": JSON}))})), max_size=4), JSON)
def test_any_ward_answer_merges_without_raising(tmp_path_factory, cards, lost):
    store = CardProgressStore.in_data_dir(tmp_path_factory.mktemp("ward"))
    store.apply_ward("e", {"cards": cards, "lost": lost})
    assert all(card.startswith("card-") and progress.done <= {"bai-mot"} for card, progress in store.cards.items())
