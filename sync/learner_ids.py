"""Learner ids: the only two forms a record's ``learner`` may take, so it can never hold a name or number.

- an anonymous session: ``anon-`` + 32 lower-case hex digits (a uuid4), made when someone walks up;
- a printed card: ``card-`` + 10 random Crockford base32 characters + 1 check character.

Crockford's alphabet leaves out i, l, o and u, which are easily confused with 1, 0 and v when an
older learner or a volunteer reads the short code off a card. The check character is Crockford's
mod-37 check symbol over the 10 characters' values, so a mistyped code is caught instead of
opening someone else's progress. A card id never holds a run of 7 or more digits, so a phone or
ID-card number with a check character added is not a card id either.
"""
import re
import secrets
import uuid

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
CHECK_SYMBOLS = ALPHABET + "*~$=u"
CARD_LENGTH = 10
_ANON = re.compile(r"anon-[0-9a-f]{32}")
_CARD = re.compile(rf"card-([{ALPHABET}]{{{CARD_LENGTH}}})([{re.escape(CHECK_SYMBOLS)}])")
# What people confuse when they type a code: Crockford decodes o as 0 and i, l as 1.
_LONG_NUMBER = re.compile(r"[0-9]{7}")
_TYPED = str.maketrans({"o": "0", "i": "1", "l": "1"})


def check_symbol(body: str) -> str:
    """Crockford's mod-37 check symbol of ``body`` (characters from ALPHABET)."""
    value = 0
    for char in body:
        value = value * 32 + ALPHABET.index(char)
    return CHECK_SYMBOLS[value % 37]


def new_anon_id() -> str:
    return f"anon-{uuid.uuid4().hex}"


def new_card_id() -> str:
    while True:
        body = "".join(secrets.choice(ALPHABET) for _ in range(CARD_LENGTH))
        code = body + check_symbol(body)
        if not _LONG_NUMBER.search(code):  # the check character counts: it is printed too
            return f"card-{code}"


def is_learner_id(value: object) -> bool:
    """True for an anonymous session id or a card id whose check character is right."""
    if not isinstance(value, str):
        return False
    if _ANON.fullmatch(value):
        return True
    card = _CARD.fullmatch(value)
    return card is not None and check_symbol(card[1]) == card[2] and not _LONG_NUMBER.search(card[1])


def card_short_code(card_id: str) -> str:
    """``card-…`` -> ``"XXXX-XXXX-XXX"``: the code printed under the QR code for people to type."""
    if not is_learner_id(card_id) or not card_id.startswith("card-"):
        raise ValueError("not a card id")
    code = card_id.removeprefix("card-").upper()
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def parse_short_code(text: str) -> str | None:
    """The card id a typed short code stands for, or None when it is not one (or its check fails).

    Tolerant of what people do: any case, spaces and dashes anywhere, o for 0, i or l for 1.
    """
    if not isinstance(text, str) or len(text) > 40:
        return None
    plain = re.sub(r"[\s-]+", "", text).lower()
    body, check = plain[:CARD_LENGTH].translate(_TYPED), plain[CARD_LENGTH:]
    if check in ("o", "i", "l"):
        check = check.translate(_TYPED)
    card_id = f"card-{body}{check}"
    return card_id if len(plain) == CARD_LENGTH + 1 and is_learner_id(card_id) else None
