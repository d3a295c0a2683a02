"""EMVCo merchant-presented QR payloads (the format VietQR uses): TLV fields and the checksum.

A payload is a run of fields, each a 2-digit ID, a 2-digit length and that many characters. Some
IDs hold further fields inside (templates): 26–51 merchant accounts (VietQR uses 38), 62
additional data, 64 language, 80–99 unreserved; inside VietQR's 38, field 01 (the beneficiary)
holds the bank BIN and the account. The last field is 63, the CRC-16/CCITT-FALSE
(polynomial 0x1021, initial 0xFFFF) of everything before its value, "6304" included, written as
four upper-case hex digits.

Parsing never raises: a payload that does not follow the rules gives a ``problem`` and whatever
fields came before it. Only those templates are opened, so nesting is at most three levels deep
(38 → 01 → 00) whatever the input, and every loop step consumes at least four characters.
"""
from dataclasses import dataclass, field

TEMPLATE_IDS = frozenset({f"{n:02d}" for n in (*range(26, 52), 62, 64, *range(80, 100))})
NAPAS_ACCOUNT_ID = "38"
BENEFICIARY_ID = "01"


@dataclass
class Tlv:
    """One field; ``children`` is filled for templates whose value parsed as fields."""

    id: str
    value: str
    children: list["Tlv"] = field(default_factory=list)

    def child(self, tag: str) -> "Tlv | None":
        return next((c for c in self.children if c.id == tag), None)

    def as_dict(self) -> dict:
        out: dict = {"id": self.id, "value": self.value}
        if self.children:
            out["children"] = [c.as_dict() for c in self.children]
        return out


@dataclass
class Parsed:
    fields: list[Tlv]
    problem: str | None = None  # English, for logs and tests; the screen shows its own words

    def get(self, tag: str) -> Tlv | None:
        return next((f for f in self.fields if f.id == tag), None)


def parse_tlv(text: str, parent: str | None = None) -> Parsed:
    """Split ``text`` (the value of field ``parent``, or a whole payload) into fields and templates."""
    fields: list[Tlv] = []
    position = 0
    while position < len(text):
        head = text[position:position + 4]
        if len(head) < 4 or not head.isascii() or not head.isdigit():
            return Parsed(fields, f"bad field header {head!r} at {position}")
        length = int(head[2:])
        value = text[position + 4:position + 4 + length]
        if len(value) < length:
            return Parsed(fields, f"field {head[:2]} at {position} is cut short")
        tlv = Tlv(head[:2], value)
        fields.append(tlv)
        if _is_template(tlv.id, parent):
            inner = parse_tlv(value, tlv.id)
            tlv.children = inner.fields  # what parsed before a problem is still shown
            if inner.problem:
                return Parsed(fields, f"inside field {tlv.id}: {inner.problem}")
        position += 4 + length
    return Parsed(fields)


def _is_template(tag: str, parent: str | None) -> bool:
    if parent is None:
        return tag in TEMPLATE_IDS
    return parent == NAPAS_ACCOUNT_ID and tag == BENEFICIARY_ID


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc_table()


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final xor."""
    crc = 0xFFFF
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC_TABLE[(crc >> 8) ^ byte]
    return crc


def crc_of(payload_before_value: str) -> str:
    """The four hex digits field 63 must hold, for a payload ending in "6304"."""
    return f"{crc16_ccitt_false(payload_before_value.encode('utf-8')):04X}"


def check_crc(payload: str) -> bool | None:
    """True/False when the payload ends in a 63 field, None when it has none."""
    if len(payload) < 8 or payload[-8:-4] != "6304":
        return None
    return payload[-4:].upper() == crc_of(payload[:-4])


def build(fields: list[tuple[str, str | list]]) -> str:
    """An EMV payload from (id, value-or-subfields) pairs, with its checksum added (for cards, tests)."""
    body = "".join(_encode(tag, value) for tag, value in fields) + "6304"
    return body + crc_of(body)


def _encode(tag: str, value: str | list) -> str:
    text = value if isinstance(value, str) else "".join(_encode(t, v) for t, v in value)
    if len(text) > 99:
        raise ValueError(f"field {tag} is longer than 99 characters")
    return f"{tag}{len(text):02d}{text}"
