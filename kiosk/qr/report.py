"""The result of inspecting one QR payload: what it is, what is inside, and what to watch for.

Plain data that turns into JSON (``as_dict``), so the CLI prints it and the drill screen shows it
without either knowing how a payload was parsed.
"""
import unicodedata
from dataclasses import dataclass, field

from kiosk.qr.words import LABELS, LEVELS, TITLES, WARNINGS

MAX_SHOWN = 300  # characters of one value shown on screen; the kiosk's screen is small


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def shown(text: str) -> str:
    """A value made fit for the screen: NFC, control characters as spaces, cut to ``MAX_SHOWN``."""
    text = "".join(" " if unicodedata.category(c)[0] == "C" and c not in "\n" else c for c in text[:MAX_SHOWN + 1])
    text = nfc(text).strip()
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 1] + "…"


@dataclass
class Report:
    kind: str
    fields: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    def add(self, key: str, value: str, big: bool = False) -> None:
        """A line for the screen: ``LABELS[key]`` and the value; ``big`` ones are shown in large text."""
        self.fields.append({"key": key, "label": LABELS[key], "value": shown(value), "big": big})

    def warn(self, code: str, **values: str) -> None:
        level, text = WARNINGS[code]
        if all(w["code"] != code for w in self.warnings):
            self.warnings.append({"code": code, "level": level,
                                  "text": text.format(**{k: shown(v) for k, v in values.items()})})

    @property
    def codes(self) -> set[str]:
        return {w["code"] for w in self.warnings}

    @property
    def verdict(self) -> str:
        """The most serious warning's level: "info" (nothing wrong seen), "caution" or "danger"."""
        return max((w["level"] for w in self.warnings), key=LEVELS.index, default="info")

    def as_dict(self) -> dict:
        order = sorted(self.warnings, key=lambda w: -LEVELS.index(w["level"]))
        return {"kind": self.kind, "title": TITLES[self.kind], "verdict": self.verdict,
                "fields": self.fields, "warnings": order, "details": self.details}
