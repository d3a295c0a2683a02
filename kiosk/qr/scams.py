"""Words that scams aimed at older people use, matched without diacritics or case.

From police warnings (see ``/work/shared/CONTENT-FACTS.md``): "50.000đ" stickers and "scan for
your refund" codes promise money; callers named "CSKH Ngân hàng" or posing as police ask for OTPs.
Text is folded to plain lower-case ASCII words first, so "Nhận 50.000đ", "nhan-50k" and
"NHẬN QUÀ" all match.
"""
import re
import unicodedata

PRIZE = ("nhan tien", "nhan qua", "qua tang", "tang qua", "trung thuong", "hoan tien", "tien thuong",
         "nhan thuong", "mien phi", "li xi", "50 k", "100 k", "200 k", "500 k", "50 000", "100 000", "500 000")
SECRETS = ("otp", "mat khau", "ma xac thuc", "ma xac nhan", "password")
AUTHORITIES = ("cskh", "ngan hang", "cong an", "toa an", "vien kiem sat", "bao hiem xa hoi", "bhxh",
               "cham soc khach hang", "tong dai", "police", "bank")


def fold(text: str) -> str:
    """" Nhận QUÀ-50.000đ " → "nhan qua 50 000 d": no accents, lower case, words and numbers apart."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.findall(r"[a-z]+|[0-9]+", text))


def _mentions(text: str, phrases: tuple[str, ...]) -> bool:
    folded = f" {fold(text)} "
    return any(f" {phrase} " in folded for phrase in phrases)


def promises_money(text: str) -> bool:
    return _mentions(text, PRIZE)


def asks_for_secret(text: str) -> bool:
    return _mentions(text, SECRETS)


def poses_as_authority(name: str) -> bool:
    return _mentions(name, AUTHORITIES)
