"""The card entrance's keypad and reading, without a window: every printable short code can be typed with the
keys offered (and nothing else), a scanned text is a card, some other code, or a lost card, and no text a
camera might read (or anyone type) makes the reading raise."""
from hypothesis import given, settings, strategies as st

from kiosk.card_entry import CHECK_ONLY, CODE_LENGTH, PAGES, card_id_in, keys_on, pages_for, read_card, shown_code
from kiosk.card_progress import CardProgressStore
from sync.learner_ids import card_short_code, new_card_id


def test_every_code_can_be_typed_with_the_keys_offered_and_only_those():
    for _card in range(300):
        card = new_card_id()
        code, typed = card_short_code(card).replace("-", ""), ""
        for char in code:
            offered = {key for page in pages_for(typed) for key in keys_on(page, typed)}
            assert char in offered
            assert (CHECK_ONLY in pages_for(typed)) == (len(typed) == CODE_LENGTH - 1)
            assert not offered & set("ILO") and ("U" in offered) == (len(typed) == CODE_LENGTH - 1)
            typed += char
        assert card_id_in(typed) == card and not any(keys_on(page, typed) for page in PAGES)


def test_the_code_is_shown_as_printed_with_blanks_to_come():
    assert shown_code("") == "____-____-___"
    assert shown_code("7MCZ76") == "7MCZ-76__-___"
    assert shown_code("7MCZ76P7K61") == "7MCZ-76P7-K61"


def test_a_reading_is_a_card_to_open_another_code_or_a_lost_card(tmp_path):
    cards = CardProgressStore.in_data_dir(tmp_path)
    kept, lost = new_card_id(), new_card_id()
    cards.merge_from_ward({}, [lost])
    assert read_card(kept, cards).card_id == kept and read_card(kept, cards).verdict == "open"
    assert read_card(" " + card_short_code(kept).lower() + "\n", cards).card_id == kept
    assert read_card(card_short_code(lost), cards).verdict == "lost"
    for other in ("https://vi.wikipedia.org", "0912345678", "Nguyễn Văn A", kept[:-1], "", "card-" + "0" * 11):
        assert read_card(other, cards).verdict == "not_a_card"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_scanned_or_typed_text_is_read_without_raising(text):
    found = card_id_in(text)
    assert found is None or found.startswith("card-") and len(found) == 16
