"""The strength meter teaches the right habits: guessable PINs are weak, and a password reads as
strong only when VNeID would accept it (8-20 characters, upper and lower case, a digit, a symbol,
no accents)."""
import pytest
from hypothesis import given, strategies as st

from lessons.strength import passphrase_strength, pin_strength, vneid_accepts


@pytest.mark.parametrize("pin", ["123456", "654321", "000000", "111111", "345678", "121212", "12a456"])
def test_guessable_pins_are_weak(pin):
    assert pin_strength(pin) <= 1


@pytest.mark.parametrize("pin", ["482915", "730264", "58203917"])
def test_unpatterned_pins_are_strong(pin):
    assert pin_strength(pin) >= 3


@pytest.mark.parametrize("password", ["TrangSong75@", "MeoHoa!2024", "Ab1!Ab1!", "A" * 17 + "b1!"])
def test_vneid_accepts_its_rule(password):
    assert vneid_accepts(password)


@pytest.mark.parametrize(("password", "why"), [
    ("Ab1!Ab1", "7 characters"),
    ("A" * 18 + "b1!", "21 characters"),
    ("trangsong75@", "no upper case"),
    ("TRANGSONG75@", "no lower case"),
    ("TrangSong@!", "no digit"),
    ("TrangSong75", "no symbol"),
    ("TrăngSông75@", "accents"),
    ("Trang Song 75@", "spaces"),
])
def test_vneid_refuses_what_breaks_its_rule(password, why):
    assert not vneid_accepts(password), why


def test_the_meter_climbs_towards_a_password_vneid_accepts():
    assert passphrase_strength(["Trang"]) == 0
    assert passphrase_strength(["Trang", "Song"]) == 1
    assert passphrase_strength(["Trang", "Song", "75"]) == 2
    assert passphrase_strength(["Trang", "Song", "75", "@"]) == 3
    assert passphrase_strength(["Trang", "Song", "Meo", "75", "@"]) == 4


def test_accents_and_too_long_passwords_never_read_as_strong():
    """The old lesson's passphrase of accented words is exactly what VNeID refuses."""
    assert passphrase_strength(["trăng", "sông", "mèo", "xôi"]) == 0
    assert passphrase_strength(["Trăng", "Sông", "75", "@"]) == 0
    assert passphrase_strength(["Trang", "Song", "Meo", "Xoi", "Hoa", "75", "@"]) == 0


@given(st.lists(st.text(max_size=12), max_size=8))
def test_the_meter_is_strong_exactly_when_vneid_accepts(words):
    strength = passphrase_strength(words)
    assert 0 <= strength <= 4
    assert (strength >= 3) == vneid_accepts("".join(words))
