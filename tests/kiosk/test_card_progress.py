"""Card progress on the kiosk: kept across restarts in a real file, merged with the ward's, lost cards refused,
and a damaged or hostile file never stops the kiosk nor loses the good entries."""
import json

from hypothesis import given, settings, strategies as st

from kiosk.card_progress import FILE_NAME, CardProgressStore, Progress, Stop
from sync.learner_ids import new_anon_id, new_card_id


def test_progress_survives_a_restart(tmp_path):
    card = new_card_id()
    store = CardProgressStore.in_data_dir(tmp_path)
    assert store.progress(card) == Progress()
    store.lesson_done(card, "bai-mot")
    store.stopped_at(card, "bai-hai", 4)
    again = CardProgressStore.in_data_dir(tmp_path)
    assert again.progress(card) == Progress(done=frozenset({"bai-mot"}), stopped=Stop(lesson="bai-hai", step=4))
    again.lesson_done(card, "bai-hai")
    assert CardProgressStore.in_data_dir(tmp_path).progress(card) == Progress(done=frozenset({"bai-mot", "bai-hai"}))
    assert not list(tmp_path.glob("*.tmp"))


def test_the_file_holds_only_progress(tmp_path):
    card = new_card_id()
    CardProgressStore.in_data_dir(tmp_path).stopped_at(card, "bai-mot", 0)
    data = json.loads((tmp_path / FILE_NAME).read_text())
    assert data == {"cards": {card: {"done": [], "stopped": {"lesson": "bai-mot", "step": 0}}}, "lost": [], "etag": None}


def test_ward_progress_merges_and_lost_cards_are_refused(tmp_path):
    kept, lost = new_card_id(), new_card_id()
    store = CardProgressStore.in_data_dir(tmp_path)
    store.stopped_at(kept, "bai-ba", 2)
    store.lesson_done(lost, "bai-mot")
    store.merge_from_ward({kept: ["bai-mot"], lost: ["bai-hai"], "nonsense": ["x"]}, [lost, "not-a-card"])
    again = CardProgressStore.in_data_dir(tmp_path)
    assert again.progress(kept) == Progress(done=frozenset({"bai-mot"}), stopped=Stop(lesson="bai-ba", step=2))
    assert again.progress(lost) is None and lost not in again.cards and again.lost == {lost}
    for bad in (lost, new_anon_id(), "card-nope"):
        try:
            again.stopped_at(bad, "bai-mot", 1)
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
    store.apply_ward("abc", {"cards": {good: {"done": ["bai-mot"]}, new_card_id(): {"done": [{"x": 1}]},
                                      new_card_id(): {"done": ["Nguyễn Văn A"]}, new_card_id(): "x"},
                             "lost": [lost, 7]})
    store.apply_ward("def", {"cards": [], "lost": "x"})
    again = CardProgressStore.in_data_dir(tmp_path)
    assert again.cards == {good: Progress(done=frozenset({"bai-mot"}))} and again.lost == {lost}
    assert again.etag == "def"
