"""What a VietQR (EMVCo merchant-presented) payment code says: who gets the money, how much, why.

Field meanings follow NAPAS's VietQR profile of EMVCo: 01 is 11 for a static code (the payer types
the amount) and 12 for a dynamic one; 38 holds the NAPAS GUID A000000727, the beneficiary (BIN
and account or card number) and the service code (QRIBFTTA to an account, QRIBFTTC to a card);
53 currency (704 = đồng), 54 amount, 58 country, 59/60 merchant name and city, 62 additional data
whose 08 is the purpose of the transfer. The checksum decides whether anything was changed.
"""
import re

from kiosk.i18n import _
from kiosk.qr.banks import bank_for
from kiosk.qr.emv import Parsed, Tlv, check_crc, parse_tlv
from kiosk.qr.report import Report
from kiosk.qr.words import DYNAMIC_CODE, NO_AMOUNT, NO_NAME, STATIC_CODE

NAPAS_GUID = "A000000727"
VND = "704"
SERVICES = {"QRIBFTTA": "account", "QRIBFTTC": "card"}
ADDITIONAL_DATA = {"01": "bill_number", "02": "mobile_number", "03": "store_label", "04": "loyalty_number",
                   "05": "reference_label", "06": "customer_label", "07": "terminal_label",
                   "08": "purpose", "09": "consumer_data_request"}
_AMOUNT = re.compile(r"\d{1,13}(\.\d{1,2})?")


def looks_like_emv(text: str) -> bool:
    """EMVCo payloads open with field 00 = "01" (payload format indicator)."""
    return text.startswith("000201")


def format_amount(amount: str) -> str:
    """"25000" → "25.000 đ", the way prices are written in Vietnam."""
    whole, _, cents = amount.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{grouped},{cents} đ" if cents else f"{grouped} đ"


def _value(node: Tlv | Parsed | None, tag: str) -> str | None:
    if node is None:
        return None
    found = node.get(tag) if isinstance(node, Parsed) else node.child(tag)
    return found.value if found is not None else None


def inspect_emv(text: str) -> Report:
    parsed = parse_tlv(text)
    account = parsed.get("38")
    napas = _value(account, "00") == NAPAS_GUID
    report = Report("vietqr" if napas else "emv")
    crc_ok = check_crc(text)
    beneficiary = account.child("01") if account is not None else None
    additional = parsed.get("62")
    details = {
        "crc_ok": crc_ok,
        "problem": parsed.problem,
        "point_of_initiation": _value(parsed, "01"),
        "bin": _value(beneficiary, "00"),
        "account": _value(beneficiary, "01"),
        "service": _value(account, "02"),
        "merchant_category": _value(parsed, "52"),
        "currency": _value(parsed, "53"),
        "amount": _value(parsed, "54"),
        "country": _value(parsed, "58"),
        "merchant_name": _value(parsed, "59"),
        "city": _value(parsed, "60"),
        "additional": {ADDITIONAL_DATA.get(c.id, c.id): c.value for c in additional.children} if additional else {},
        "tlv": [f.as_dict() for f in parsed.fields],
    }
    report.details = details
    _explain_integrity(report, parsed, crc_ok, napas)
    _explain_transfer(report, details)
    return report


def _explain_integrity(report: Report, parsed: Parsed, crc_ok: bool | None, napas: bool) -> None:
    if crc_ok is None:
        report.warn("no_crc")
    elif not crc_ok:
        report.warn("bad_crc")
    if parsed.problem:
        report.warn("malformed")
    if not napas:
        report.warn("not_napas")


def _explain_transfer(report: Report, details: dict) -> None:
    name = details["merchant_name"]
    report.add("receiver", name or _(NO_NAME), big=True)
    if not name:
        report.warn("no_receiver_name")
    amount = details["amount"]
    if amount is None:
        report.add("amount", _(NO_AMOUNT), big=True)
        report.warn("no_amount")
    elif _AMOUNT.fullmatch(amount):
        report.add("amount", format_amount(amount), big=True)
    else:
        report.add("amount", amount, big=True)
        report.warn("bad_amount", amount=amount)
    purpose = details["additional"].get("purpose")
    if purpose:
        report.add("note", purpose, big=True)
    bin_code = details["bin"]
    if bin_code:
        bank = bank_for(bin_code)
        report.add("bank", f"{bank.short_name} ({bank.name})" if bank else bin_code)
        if bank is None:
            report.warn("unknown_bank", bin=bin_code)
    if details["account"]:
        report.add("card" if SERVICES.get(details["service"]) == "card" else "account", details["account"])
    elif report.kind == "vietqr":
        report.warn("no_account")
    if details["currency"] not in (None, VND):
        report.warn("not_vnd", currency=details["currency"])
    initiation = details["point_of_initiation"]
    if initiation in ("11", "12"):
        report.add("code_type", _(STATIC_CODE) if initiation == "11" else _(DYNAMIC_CODE))
    if details["city"]:
        report.add("city", details["city"])
    report.warn("check_receiver")
