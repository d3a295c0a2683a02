"""The "KEY:value;KEY:value;;" layout that WIFI:, MECARD: and MATMSG: QR payloads share.

In it a backslash makes the next character literal, so a network called "Quán; Luka" is written
"Quán\\; Luka". Returns keys in upper case; the first value wins when a key repeats.
"""
MAX_ITEMS = 64


def parse_items(body: str) -> dict[str, str]:
    items: dict[str, str] = {}
    current: list[str] = []
    escaped = False
    for char in body + ";":
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ";":
            key, colon, value = "".join(current).partition(":")
            if colon:
                items.setdefault(key.strip().upper(), value)
            current = []
            if len(items) >= MAX_ITEMS:
                break
        else:
            current.append(char)
    return items
