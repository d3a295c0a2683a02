"""The QR drill's practice cards, and grading of the learner's "trust it / don't trust it" answer.

The drill's own words and the cards' titles, captions and explanations go through the kiosk's
gettext catalog (``N_`` here, ``_`` where shown or printed). Volunteers print the cards (``python -m kiosk.qr cards``); the learner holds one up, the kiosk
recognises it by its exact payload, shows what is inside, and grades the choice. Only the card id
and the answer are recorded, never the payload.

The cards copy real scams from police warnings: a café's payment code covered by a stranger's,
a code edited after printing, a bank look-alike link, the yellow "nhận 50.000đ" sticker that
installs an app. As lesson 4 teaches, the café is paid into its owner's own account, as most small
shops are: its counter cards print the holder's name, TRAN THI MAI, and the honest code carries
that name; the code stuck over it carries another person's, NGUYEN VAN TUAN, the card to stop at.
Their links use the reserved ``.test`` domain (RFC 2606) and their account numbers are
placeholders, so a phone that scans a printed card can never reach a real site or a real person's
account.
"""
from dataclasses import dataclass

from kiosk.i18n import N_, _
from kiosk.qr.emv import build

TITLE = N_("QR scanning practice")
PROMPT = N_("Please hold a practice card up to the camera")
HOLD_STILL = N_("Hold the card still, about a hand's span from the camera.")
QUESTION = N_("Do you trust this code?")
TRUST = N_("Trust it")
DISTRUST = N_("Do not trust it")
ANOTHER = N_("Try another card")
NOT_A_CARD = N_("This is not a practice card: the kiosk only shows what the code holds.")
RIGHT = N_("That's right!")
WRONG = N_("Let's try again.")
NO_CARD = N_("No card")
SHOW_CARD = N_("See the card")
WANT_CARD = N_("This lesson uses card number {number} ({title}). Please hold card number {number} up to the camera.")
SHOWN_CARD = N_("This is card number {number}. ")

LUKA_BIN = "970436"  # Vietcombank, from the VietQR bank list
LUKA_ACCOUNT = "0000001234567"
LUKA_PRICE = "25000"
LUKA_HOLDER = "TRAN THI MAI"  # the owner, printed on the counter card as on a real café's stand
STRANGER = "NGUYEN VAN TUAN"  # the name in the code stuck over the café's


def _vietqr(account: str, receiver: str, amount: str) -> str:
    return build([
        ("00", "01"), ("01", "12"),
        ("38", [("00", "A000000727"), ("01", [("00", LUKA_BIN), ("01", account)]), ("02", "QRIBFTTA")]),
        ("53", "704"), ("54", amount), ("58", "VN"), ("59", receiver), ("60", "HO CHI MINH"),
        ("62", [("08", "Ca phe Luka")]),
    ])


def _tampered(payload: str, old: str, new: str) -> str:
    """``payload`` with ``old`` replaced after the checksum was made, as someone editing it would."""
    return payload.replace(old, new, 1)


_LUKA = _vietqr(LUKA_ACCOUNT, LUKA_HOLDER, LUKA_PRICE)


@dataclass(frozen=True)
class Card:
    id: str
    payload: str
    title: str        # printed large on the card (a gettext message, or a name)
    caption: str      # printed small under the code (a gettext message)
    trust: bool       # the right answer
    explanation: str  # why, said after the learner answers (a gettext message)
    sticker: bool = False  # printed on yellow, like the stickers left on motorbikes


# Titles, captions and explanations are gettext messages (translated where shown and printed);
# "Cà phê Luka" and "Vietcombank" are names and stay as they are.
# The three counter cards look alike on purpose: the same title, and the holder's name and price
# printed under the code, which the learner compares with what the code holds. No-break spaces keep
# the name, and the price with its đ, on one line however narrow the card is drawn.
COUNTER_CAPTION = N_("Account holder: TRAN\u00a0THI\u00a0MAI\nIced milk coffee: 25,000\u00a0đ")
CARDS: tuple[Card, ...] = (
    Card("luka-ok", _LUKA, "Cà phê Luka", COUNTER_CAPTION, True,
         N_("A proper VietQR code at the right price, 25,000 đ. The receiver TRAN THI MAI is the account "
            "holder printed on the card: small shops are often paid into the owner's account. When you pay "
            "for real, still compare this name with the one at the counter.")),
    Card("luka-receiver", _vietqr("0000007654321", STRANGER, LUKA_PRICE), "Cà phê Luka", COUNTER_CAPTION, False,
         N_("The code is valid, but the receiver is NGUYEN VAN TUAN, while the card prints TRAN THI MAI as "
            "the account holder. Someone may have stuck their own code over the shop's. Do not pay; ask the "
            "seller whose account it is.")),
    Card("luka-broken", _tampered(_LUKA, "5405" + LUKA_PRICE, "5406250000"), "Cà phê Luka", COUNTER_CAPTION,
         False,
         N_("This code was changed or damaged: the check number at its end does not match, and the amount "
            "became 250,000 đ. Do not pay with this code; ask the seller again.")),
    Card("bank-lookalike", "https://vietcornbank-xacthuc.test/dang-nhap", "Vietcombank",
         N_("Update your account details to avoid it being locked"), False,
         N_("The site is called “vietcornbank”: the letters “rn” pretend to be an “m”. This is not "
            "Vietcombank, whose site is vietcombank.com.vn. A bank never sends a QR code asking you to sign in.")),
    Card("sticker-50k", "http://nhan-qua-50k.test/nhan-tien.apk", N_("SCAN TO GET 50,000 đ"),
         N_("A thank-you gift for our customers"), False,
         N_("This code downloads an unknown app (an .apk file) from an unprotected site. “Get 50,000 đ” "
            "stickers are there to install software that reads your messages and OTP codes. Do not scan, "
            "do not install."), sticker=True),
    Card("cafe-wifi", "WIFI:T:WPA;S:Cà phê Luka;P:lukacafe2025;;", N_("Cà phê Luka Wi-Fi"),
         N_("Scan to join the café's Wi-Fi"), True,
         N_("This is the café's Wi-Fi, with a password. It is fine for reading news and watching videos. "
            "When you send money, your own mobile data (4G) is still safer.")),
)
_BY_PAYLOAD = {card.payload: card for card in CARDS}


def recognise(payload: str) -> Card | None:
    """The practice card whose code holds exactly ``payload``, if any."""
    return _BY_PAYLOAD.get(payload.strip())


def card_by_id(card_id: str | None) -> Card | None:
    return next((card for card in CARDS if card.id == card_id), None)


def card_number(card: Card) -> int:
    """The number printed on the card ("Thẻ số 2"): the three Luka cards look alike on purpose."""
    return CARDS.index(card) + 1


def ask_for(wanted: Card, shown: Card | None = None) -> str:
    """What to say when a lesson needs one particular card (and another, ``shown``, was held up)."""
    text = _(WANT_CARD).format(number=card_number(wanted), title=_(wanted.title))
    return _(SHOWN_CARD).format(number=card_number(shown)) + text if shown else text


@dataclass(frozen=True)
class Verdict:
    correct: bool
    heading: str
    feedback: str


def grade(card: Card, trusted: bool) -> Verdict:
    """Kind words either way: what was right or wrong about the choice, then why."""
    correct = trusted == card.trust
    if correct:
        return Verdict(True, _(RIGHT), _(card.explanation))
    hint = _("This code can be trusted. ") if card.trust else _("This code should not be trusted. ")
    return Verdict(False, _(WRONG), hint + _(card.explanation))
