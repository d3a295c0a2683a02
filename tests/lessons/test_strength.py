"""The strength meter teaches the right habits."""
import pytest

from lessons.strength import passphrase_strength, pin_strength


@pytest.mark.parametrize("pin", ["123456", "654321", "000000", "111111", "345678", "121212", "12a456"])
def test_guessable_pins_are_weak(pin):
    assert pin_strength(pin) <= 1


@pytest.mark.parametrize("pin", ["482915", "730264", "58203917"])
def test_unpatterned_pins_are_strong(pin):
    assert pin_strength(pin) >= 3


def test_a_passphrase_grows_with_different_words_and_a_number():
    assert passphrase_strength(["meo"]) == 0
    assert passphrase_strength(["meo", "meo", "meo"]) == 0
    assert passphrase_strength(["meo", "xanh", "cho"]) == 2
    assert passphrase_strength(["meo", "xanh", "cho", "1975"]) == 3
    assert passphrase_strength(["meo", "xanh", "cho", "song", "1975"]) == 4
