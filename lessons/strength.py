"""How hard a PIN or a passphrase is to guess, as a 0-4 meter the learner can watch.

Not a cryptographic estimate: it teaches the habits the volunteers teach. A PIN that repeats,
counts up or down, or is one of the codes everyone tries is weak; a passphrase gets stronger with
each different word and with a number in it, which is what makes it both strong and memorable.
"""
COMMON_PINS = {"123456", "654321", "111111", "000000", "123123", "112233", "121212", "666666",
               "888888", "999999", "1234", "0000", "1111", "1212", "7777", "12345678", "11111111"}


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


def passphrase_strength(words: list[str]) -> int:
    """0 to 4 for a passphrase made of word tiles: different words count, a number adds one."""
    distinct = {word.lower() for word in words}
    has_number = any(word.isdigit() for word in distinct)
    word_count = len([w for w in distinct if not w.isdigit()])
    return max(0, min(4, word_count - 1 + (has_number and word_count >= 3)))
