"""Contact cards: vCard (``BEGIN:VCARD`` … ``END:VCARD``) and the shorter ``MECARD:`` form.

Saving a contact is harmless in itself; the danger is a name that poses as a bank's customer care
or the police ("CSKH Ngân hàng"), which then shows up on the phone when a scammer calls.
"""
from kiosk.qr.escaped import parse_items
from kiosk.qr.report import Report
from kiosk.qr.scams import poses_as_authority

MAX_LINES = 200


def looks_like_contact(text: str) -> bool:
    head = text[:12].upper()
    return head.startswith(("BEGIN:VCARD", "MECARD:"))


def _vcard(text: str) -> dict[str, list[str]]:
    """Properties by upper-case name (parameters dropped), continuation lines joined."""
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n")[:MAX_LINES]:
        if line[:1] in (" ", "\t") and lines:
            lines[-1] += line[1:]
        else:
            lines.append(line)
    properties: dict[str, list[str]] = {}
    for line in lines:
        head, colon, value = line.partition(":")
        if colon:
            name = head.split(";")[0].split(".")[-1].strip().upper()
            value = value.replace("\\n", " ").replace("\\,", ",").replace("\\;", ";")
            properties.setdefault(name, []).append(value.strip())
    return properties


def _mecard(text: str) -> dict[str, list[str]]:
    items = parse_items(text[len("MECARD:"):])
    return {key: [value] for key, value in items.items()}


def inspect_contact(text: str) -> Report:
    report = Report("contact")
    properties = _mecard(text) if text[:7].upper() == "MECARD:" else _vcard(text)
    first = {key: values[0] for key, values in properties.items() if values and values[0]}
    name = first.get("FN") or " ".join(part for part in first.get("N", "").replace(",", ";").split(";")[::-1] if part)
    phones = [p for p in properties.get("TEL", []) if p]
    report.details = {"name": name, "phones": phones, "emails": properties.get("EMAIL", []),
                      "organisation": first.get("ORG", ""), "url": first.get("URL", "")}
    report.add("name", name or "?", big=True)
    for phone in phones[:3]:
        report.add("phone", phone, big=True)
    for key, field in (("EMAIL", "email"), ("ORG", "organisation")):
        if key in first:
            report.add(field, first[key])
    if poses_as_authority(f"{name} {first.get('ORG', '')}"):
        report.warn("impersonation", name=name or first.get("ORG", ""))
    else:
        report.warn("contact")
    return report
