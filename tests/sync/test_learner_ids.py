"""Learner ids: anonymous session ids and card ids with a check character that catches a typo."""
import re

from hypothesis import given
from hypothesis import strategies as st

from sync.learner_ids import (ALPHABET, CHECK_SYMBOLS, card_short_code, check_symbol, is_learner_id, new_anon_id, new_card_id,
                              parse_short_code)

card_bodies = st.text(alphabet=ALPHABET, min_size=10, max_size=10)


def test_new_ids_have_the_agreed_forms():
    assert re.fullmatch(r"anon-[0-9a-f]{32}", new_anon_id()) and is_learner_id(new_anon_id())
    cards = {new_card_id() for _ in range(2000)}
    assert len(cards) == 2000 and all(re.fullmatch(r"card-[0-9a-hjkmnp-tv-z]{10}[0-9a-hjkmnp-tv-z*~$=u]", c) for c in cards)
    assert all(is_learner_id(c) and not re.search(r"[0-9]{7}", c) for c in cards)


def test_names_and_numbers_are_not_learner_ids():
    for text in ["card-0912345678", "card-nguyenvanan", "079123456789", "nguyen-van-an", "Nguyễn Văn An",
                 "anon-0123456789abcdef", "card-" + "0912345678" + check_symbol("0912345678"), "", None, 12]:
        assert not is_learner_id(text)


@given(card_bodies, st.integers(0, 10), st.sampled_from(CHECK_SYMBOLS))
def test_one_wrong_character_is_caught(body, position, other):
    card = f"{body}{check_symbol(body)}"
    typo = card[:position] + other + card[position + 1:]
    if typo != card:
        assert not is_learner_id(f"card-{typo}")


@given(card_bodies, st.integers(0, 8))
def test_two_swapped_neighbours_are_caught(body, position):
    swapped = body[:position] + body[position + 1] + body[position] + body[position + 2:]
    if swapped != body:
        assert check_symbol(swapped) != check_symbol(body)


def test_the_short_code_is_read_back_however_it_is_typed():
    card = new_card_id()
    code = card_short_code(card)
    assert re.fullmatch(r"[0-9A-Z*~$=]{4}-[0-9A-Z*~$=]{4}-[0-9A-Z*~$=]{3}", code)
    for typed in [code, code.lower(), code.replace("-", ""), " ".join(code.replace("-", "")),
                  code.replace("0", "O").replace("1", "I"), code.replace("1", "l")]:
        assert parse_short_code(typed) == card


@given(st.text(max_size=60))
def test_any_typed_text_gives_a_card_id_or_none(text):
    found = parse_short_code(text)
    assert found is None or is_learner_id(found) and found.startswith("card-")
