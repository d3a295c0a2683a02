"""Wi-Fi codes (``WIFI:T:WPA;S:name;P:password;;``, the format phones' cameras understand).

An open network (no password, ``T:nopass``) is flagged: anyone nearby can watch what goes over it,
so it is no place for banking. WEP is flagged as broken.
"""
from kiosk.i18n import _
from kiosk.qr.escaped import parse_items
from kiosk.qr.report import Report
from kiosk.qr.words import OPEN_NETWORK

SECURITY = {"WPA": "WPA/WPA2", "WPA2": "WPA2", "WPA3": "WPA3", "SAE": "WPA3", "WEP": "WEP"}


def looks_like_wifi(text: str) -> bool:
    return text[:5].upper() == "WIFI:"


def inspect_wifi(text: str) -> Report:
    report = Report("wifi")
    items = parse_items(text[5:])
    name, password = items.get("S", ""), items.get("P", "")
    security = items.get("T", "").upper()
    is_open = security in ("", "NOPASS") or not password
    report.details = {"ssid": name, "security": security or "nopass", "hidden": items.get("H", "").lower() == "true",
                      "open": is_open}
    report.add("network", name or "?", big=True)
    report.add("password", _(OPEN_NETWORK) if is_open else password, big=True)
    report.add("security", _(OPEN_NETWORK) if is_open else SECURITY.get(security, security))
    if not name:
        report.warn("wifi_bad")
    if is_open:
        report.warn("wifi_open")
    elif security == "WEP":
        report.warn("wifi_wep")
    else:
        report.warn("wifi_ok")
    return report
