"""How hard a PIN or a password is to guess, as a 0-4 meter the learner can watch.

Not a cryptographic estimate: it teaches the habits the volunteers teach. A PIN that repeats,
counts up or down, or is one of the codes everyone tries is weak. A password is judged by the rule
the learner will meet first, VNeID's: 8 to 20 characters with upper and lower case, a digit and a
symbol, and no accents (with Telex or VNI typing on, an accented letter is not typed the same way
twice). A password the rule refuses never reads as strong; one it accepts is strong, and very
strong when it is built from three or more different words only the learner understands.
"""
import string

COMMON_PINS = {"123456", "654321", "111111", "000000", "123123", "112233", "121212", "666666",
               "888888", "999999", "1234", "0000", "1111", "1212", "7777", "12345678", "11111111"}
VNEID_LENGTH = range(8, 21)
SYMBOLS = frozenset(string.punctuation)


def _counts_by_one(digits: str) -> bool:
    steps = {int(b) - int(a) for a, b in zip(digits, digits[1:])}
    return steps in ({1}, {-1})


def pin_strength(pin: str) -> int:
    """0 (guessed at once) to 4 (hard to guess) for a PIN of digits."""
    if not pin.isdigit():
        return 0
    if pin in COMMON_PINS or len(set(pin)) == 1 or _counts_by_one(pin):
        return 0
    if len(set(pin)) <= 2 or pin[: len(pin) // 2] == pin[len(pin) // 2:]:
        return 1
    return min(4, 2 + (len(pin) >= 6) + (len(set(pin)) >= 5))


def _rules_met(password: str) -> int:
    """How many of VNeID's five demands are met: long enough, upper case, lower case, digit, symbol."""
    return sum((len(password) >= VNEID_LENGTH.start,
                any(c.isupper() for c in password),
                any(c.islower() for c in password),
                any(c.isdigit() for c in password),
                any(c in SYMBOLS for c in password)))


def vneid_accepts(password: str) -> bool:
    """Whether VNeID's rule takes this password: 8-20 plain (unaccented) characters with upper and
    lower case, a digit and a symbol, and no spaces."""
    return (password.isascii() and password.isprintable() and " " not in password
            and len(password) in VNEID_LENGTH and _rules_met(password) == 5)


def passphrase_strength(words: list[str]) -> int:
    """0 to 4 for a password built from tiles, typed one after another without spaces (as it is
    typed on a phone): under VNeID's rule at most 2, the more demands met the higher; accepted 3;
    accepted and made of three or more different words 4."""
    password = "".join(words)
    if not password.isascii() or len(password) > VNEID_LENGTH.stop - 1:
        return 0
    if not vneid_accepts(password):
        return max(0, _rules_met(password) - 2)
    distinct_words = {word.lower() for word in words if word.isalpha()}
    return 4 if len(distinct_words) >= 3 else 3
