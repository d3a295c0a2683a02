"""The QR drill's practice cards, and grading of the learner's "trust it / don't trust it" answer.

The drill's own words go through the kiosk's gettext catalog (``N_`` here, ``_`` where shown); the
cards' titles and explanations are content, printed and spoken in Vietnamese. Volunteers print the cards (``python -m kiosk.qr cards``); the learner holds one up, the kiosk
recognises it by its exact payload, shows what is inside, and grades the choice. Only the card id
and the answer are recorded, never the payload.

The cards copy real scams from police warnings: a café's payment code covered by a stranger's,
a code edited after printing, a bank look-alike link, the yellow "nhận 50.000đ" sticker that
installs an app. Their links use the reserved ``.test`` domain (RFC 2606) and their account
numbers are placeholders, so a phone that scans a printed card can never reach a real site or a
real person's account.
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
WRONG = N_("Not quite.")
WANT_CARD = N_("This lesson uses card number {number} ({title}). Please hold card number {number} up to the camera.")
SHOWN_CARD = N_("This is card number {number}. ")

LUKA_BIN = "970436"  # Vietcombank, from the VietQR bank list
LUKA_ACCOUNT = "0000001234567"
LUKA_PRICE = "25000"


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


_LUKA = _vietqr(LUKA_ACCOUNT, "CA PHE LUKA", LUKA_PRICE)


@dataclass(frozen=True)
class Card:
    id: str
    payload: str
    title: str        # printed large on the card
    caption: str      # printed small under the code
    trust: bool       # the right answer
    explanation: str  # why, said after the learner answers
    sticker: bool = False  # printed on yellow, like the stickers left on motorbikes


CARDS: tuple[Card, ...] = (
    Card("luka-ok", _LUKA, "Cà phê Luka", "Cà phê sữa đá: 25.000đ", True,
         "Mã đúng chuẩn VietQR, số kiểm tra khớp. Người nhận là CA PHE LUKA, đúng tên quán, và số tiền "
         "25.000 đ đúng giá. Khi chuyển thật, Bác vẫn đọc lại tên người nhận trong ứng dụng ngân hàng."),
    Card("luka-receiver", _vietqr("0000007654321", "NGUYEN VAN TUAN", LUKA_PRICE), "Cà phê Luka",
         "Cà phê sữa đá: 25.000đ", False,
         "Mã hợp lệ, nhưng người nhận là NGUYEN VAN TUAN chứ không phải quán Cà phê Luka. Kẻ gian hay dán "
         "mã của mình đè lên mã của quán. Đừng chuyển; hãy báo cho chủ quán."),
    Card("luka-broken", _tampered(_LUKA, "5405" + LUKA_PRICE, "5406250000"), "Cà phê Luka",
         "Cà phê sữa đá: 25.000đ", False,
         "Mã này đã bị sửa hoặc hỏng: số kiểm tra ở cuối mã không khớp, và số tiền đã thành 250.000 đ. "
         "Đừng chuyển tiền theo mã này; hỏi lại người bán."),
    Card("bank-lookalike", "https://vietcornbank-xacthuc.test/dang-nhap", "Vietcombank",
         "Cập nhật thông tin tài khoản để tránh bị khóa", False,
         "Tên trang là “vietcornbank”, chữ “rn” giả làm chữ “m”: đây không phải Vietcombank. Trang thật là "
         "vietcombank.com.vn. Ngân hàng không bao giờ gửi mã QR bắt Bác đăng nhập."),
    Card("sticker-50k", "http://nhan-qua-50k.test/nhan-tien.apk", "QUÉT MÃ NHẬN 50.000đ",
         "Quà tặng tri ân khách hàng", False,
         "Mã này tải về một ứng dụng lạ (tệp .apk) qua trang không được bảo vệ. Những miếng dán “nhận "
         "50.000đ” là để cài phần mềm đọc trộm tin nhắn và mã OTP. Đừng quét, đừng cài.", sticker=True),
    Card("cafe-wifi", "WIFI:T:WPA;S:Cà phê Luka;P:lukacafe2025;;", "Wi-Fi Cà phê Luka",
         "Quét để vào mạng Wi-Fi của quán", True,
         "Đây là mạng Wi-Fi của quán, có mật khẩu. Dùng để đọc tin, xem video được. Khi chuyển tiền, "
         "dùng mạng di động (4G) của Bác vẫn an toàn hơn."),
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
    text = _(WANT_CARD).format(number=card_number(wanted), title=wanted.title)
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
        return Verdict(True, _(RIGHT), card.explanation)
    hint = _("This code can be trusted. ") if card.trust else _("This code should not be trusted. ")
    return Verdict(False, _(WRONG), hint + card.explanation)
