"""Codes that start a call, a text message or an e-mail: ``tel:``, ``SMSTO:``/``sms:``, ``mailto:``/``MATMSG:``.

A call to a 1900 number is charged at a premium; a text to a 4–5 digit short code can subscribe
the phone to a paid service; an SMS that carries an OTP hands over a bank login.
"""
import re
from urllib.parse import parse_qs, unquote

from kiosk.qr.escaped import parse_items
from kiosk.qr.report import Report
from kiosk.qr.scams import asks_for_secret, promises_money

_DIGITS = re.compile(r"[^\d+]")


def kind_of(text: str) -> str | None:
    """"phone", "sms", "email" or None."""
    head = text[:7].lower()
    if head.startswith("tel:"):
        return "phone"
    if head.startswith(("smsto:", "sms:", "mms:", "mmsto:")):
        return "sms"
    if head.startswith(("mailto:", "matmsg:")):
        return "email"
    return None


def _explain_number(report: Report, number: str) -> None:
    digits = _DIGITS.sub("", number)
    for prefix in ("+84", "0084"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
    if digits.startswith("1900"):
        report.warn("premium", number=number)
    elif digits.startswith(("+", "00")):
        report.warn("foreign", number=number)


def inspect_phone(text: str) -> Report:
    report = Report("phone")
    number = unquote(text[4:]).split(";")[0].strip()
    report.details = {"number": number}
    report.add("phone", number, big=True)
    _explain_number(report, number)
    report.warn("call", number=number)
    return report


def inspect_sms(text: str) -> Report:
    report = Report("sms")
    scheme, _, rest = text.partition(":")
    if scheme.lower().endswith("to"):          # SMSTO:number:body
        number, _, body = rest.partition(":")
    else:                                      # sms:number?body=...
        number, _, query = rest.partition("?")
        body = parse_qs(query).get("body", [""])[0]
    number = unquote(number).strip()
    report.details = {"number": number, "body": body}
    report.add("to", number, big=True)
    report.add("message", body, big=True)
    if asks_for_secret(body):
        report.warn("otp")
    if promises_money(body):
        report.warn("prize_bait")
    if number.isdigit() and len(number) <= 5:
        report.warn("short_code", number=number)
    else:
        _explain_number(report, number)
    report.warn("sms", number=number)
    return report


def inspect_email(text: str) -> Report:
    report = Report("email")
    if text[:7].upper() == "MATMSG:":
        items = parse_items(text[7:])
        address, subject, body = items.get("TO", ""), items.get("SUB", ""), items.get("BODY", "")
    else:
        address, _, query = text[7:].partition("?")
        fields = parse_qs(query)
        subject, body = fields.get("subject", [""])[0], fields.get("body", [""])[0]
        address = unquote(address)
    report.details = {"to": address, "subject": subject, "body": body}
    report.add("to", address, big=True)
    report.add("message", f"{subject}\n{body}".strip(), big=True)
    if asks_for_secret(subject + " " + body):
        report.warn("otp")
    report.warn("email", address=address)
    return report
