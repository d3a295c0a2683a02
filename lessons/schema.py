"""The lesson pack schema: what a lesson, a step and a drill may contain.

Packs are data written by volunteers, so every model forbids unknown fields (a typo is an error,
not a silently ignored key) and the loader stores every text in NFC. Text limits are the screen's budget: what fits at
18 pt on the 7-inch 800×480 display (an option in two lines of its button, a question beside
three options).
"""
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from lessons.problems import KINDS

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
# A step's picture: a phone screen the kiosk draws ("phone:sms-thread") or a rendered illustration
# from lessons/pictures ("qr-sticker-motorbike.png"); see lessons/pictures/SOURCES.md.
Picture = Annotated[str, Field(pattern=r"^(phone:[a-z0-9][a-z0-9-]{0,40}|[a-z0-9][a-z0-9-]{0,60}\.png)$")]
PHONE_PICTURE = "phone:"
# The phone screens the kiosk draws (kiosk/widgets/phone.py has one look-alike for each).
PHONE_SCREENS = frozenset({
    "home", "store-page", "bank-transfer", "sms-thread", "otp-sms", "otp-entry", "incoming-call",
    "vneid-login", "vneid-home", "settings-fingerprint", "face-verify", "insurance-card",
})


def Text(budget: int) -> type:
    """Non-empty text of at most ``budget`` characters: what fits its place on the 7-inch screen."""
    return Annotated[str, Field(min_length=1, max_length=budget)]


class Strict(BaseModel):
    """Base for pack models: unknown keys are errors (the loader has already made text NFC)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class StepBase(Strict):
    """What every step has: an id, and the picture shown beside its text (an explanation needs
    one: the validator refuses a step with neither a picture nor a drill)."""

    id: Slug
    picture: Picture | None = None


class ExplainStep(StepBase):
    """A short explanation the learner reads (or hears) before going on. Its picture is
    ``picture``, or ``image``: a PNG only this pack has, in the pack folder."""

    kind: Literal["explain"]
    text: Text(200)
    image: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]*\.png$")


class Option(Strict):
    """One answer of a multiple-choice question, with the feedback that answer earns."""

    id: Slug
    text: Text(40)
    feedback: Text(130)


class ChoiceStep(StepBase):
    """A multiple-choice question; a wrong answer may be retried."""

    kind: Literal["choice"]
    text: Text(150)
    options: list[Option] = Field(min_length=2, max_length=3)
    correct: Slug

    @model_validator(mode="after")
    def _correct_names_an_option(self) -> "ChoiceStep":
        ids = [option.id for option in self.options]
        _unique(ids, "option")
        if self.correct not in ids:
            raise _refused("correct_not_an_option", correct=self.correct, ids=ids)
        return self


class Feedback(Strict):
    """Kind, specific words for a right and for a wrong answer (a wrong one may be retried)."""

    right: Text(130)
    wrong: Text(130)


class PhoneElement(Strict):
    """Something on a simulated phone screen: an app icon, a button, a row, a link or a message."""

    id: Slug
    label: Text(28)
    style: Literal["app", "button", "row", "link", "field"] = "button"
    icon: str | None = Field(None, pattern=r"^[a-z0-9_]{1,40}$", description="a Material Icons name, for an app")
    feedback: str | None = Field(None, max_length=130, description="what tapping this teaches, if not the step's wrong feedback")


class PhoneScreen(Strict):
    """A phone screen we draw ourselves (never a screenshot of a real app)."""

    title: Text(30)
    message: str | None = Field(None, max_length=100, description="a text shown on the screen, such as an SMS")
    elements: list[PhoneElement] = Field(min_length=2, max_length=6)
    columns: int = Field(1, ge=1, le=3)

    @property
    def rows(self) -> int:
        return -(-len(self.elements) // self.columns)

    @model_validator(mode="after")
    def _fits_the_screen(self) -> "PhoneScreen":
        _unique([e.id for e in self.elements], "element")
        if self.rows > 3 - bool(self.message):
            raise _refused("too_many_rows", elements=len(self.elements), columns=self.columns, rows=self.rows)
        if self.message and self.rows > 1 and len(self.message) > 40:
            raise _refused("message_too_long")
        if self.columns > 1 and any(len(e.label) > 12 for e in self.elements):
            raise _refused("label_too_long")
        return self


class TapStep(StepBase):
    """Tap (or hold, or swipe) the right place on a simulated phone screen.

    Hold and swipe are drills only: the kiosk always offers a single-tap alternative.
    """

    kind: Literal["tap"]
    text: Text(150)
    phone: PhoneScreen
    correct: Slug
    gesture: Literal["tap", "hold", "swipe"] = "tap"
    target_mm: int = Field(20, ge=16, le=20, description="height of the phone's elements: lesson 1 shrinks "
                           "them toward a real phone's, never under DESIGN.md's 16 mm floor")
    feedback: Feedback

    @model_validator(mode="after")
    def _correct_is_on_screen(self) -> "TapStep":
        ids = [e.id for e in self.phone.elements]
        if self.correct not in ids:
            raise _refused("correct_not_on_screen", correct=self.correct, ids=ids)
        if self.gesture != "tap" and self.phone.rows > 2 - bool(self.phone.message):
            raise _refused("gesture_too_many_rows")
        return self


class OrderItem(Strict):
    id: Slug
    text: Text(40)


class OrderStep(StepBase):
    """Put steps in order by tapping the next one each time (no dragging). Items are listed in
    the right order; the kiosk offers the remaining ones in a shuffled order."""

    kind: Literal["order"]
    text: Text(100)
    items: list[OrderItem] = Field(min_length=3, max_length=6)
    feedback: Feedback

    @model_validator(mode="after")
    def _ids_unique(self) -> "OrderStep":
        _unique([i.id for i in self.items], "item")
        return self


class ShareCard(Strict):
    id: Slug
    text: Text(60)
    share: bool
    feedback: Text(130)


class ShareStep(StepBase):
    """"Share or not" cards, one at a time: may this be given to someone who asks?"""

    kind: Literal["share"]
    text: Text(100)
    cards: list[ShareCard] = Field(min_length=2, max_length=6)

    @model_validator(mode="after")
    def _ids_unique(self) -> "ShareStep":
        _unique([c.id for c in self.cards], "card")
        return self


class KeypadStep(StepBase):
    """Type on an on-screen keypad: a PIN (digits) or a passphrase built from word tiles, with a
    strength meter. With ``expected`` the learner must type exactly that (an OTP shown in a
    simulated message); without it, the entry must reach ``min_strength``."""

    kind: Literal["keypad"]
    text: Text(60)
    mode: Literal["pin", "passphrase"]
    expected: str | None = Field(None, pattern=r"^[0-9]{4,8}$")
    length: int = Field(6, ge=4, le=8, description="digits in a PIN")
    words: list[Annotated[str, Field(min_length=1, max_length=12)]] = Field(default_factory=list, max_length=8)
    min_strength: int = Field(3, ge=1, le=4)
    feedback: Feedback

    @model_validator(mode="after")
    def _mode_fits(self) -> "KeypadStep":
        if self.mode == "passphrase" and (len(self.words) < 4 or self.expected):
            raise _refused("passphrase_words")
        if self.mode == "pin" and self.words:
            raise _refused("pin_has_words")
        if self.expected and len(self.expected) != self.length:
            raise _refused("expected_length", digits=len(self.expected), length=self.length)
        return self


class QrStep(StepBase):
    """Hold a printed practice card up to the camera, then say whether to trust it."""

    kind: Literal["qr"]
    text: Text(150)
    card: Slug | None = Field(None, description="a practice card id; any card when absent")


Step = Annotated[Union[ExplainStep, ChoiceStep, TapStep, OrderStep, ShareStep, KeypadStep, QrStep],
                 Field(discriminator="kind")]


def _refused(code: str, **params) -> PydanticCustomError:
    """A schema rule broken, as pydantic's error of type ``code`` (a kind of ``lessons.problems``) with its
    English words and ``params``, so the dashboard can say it in Vietnamese."""
    return PydanticCustomError(code, KINDS[code] % params, params)


def _unique(ids: list[str], what: str) -> None:
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise _refused("ids_repeat", what=what, ids=", ".join(repeated))


class Lesson(Strict):
    """One lesson: a title, a one-line summary for the list, and its steps in order."""

    id: Slug
    title: Text(40)
    summary: Text(140)
    steps: list[Step] = Field(min_length=1)
    recap: list[Text(90)] = Field(default_factory=list, max_length=3,
                                  description="the main points, said on the end screen (else the last explanations' first sentences)")

    @model_validator(mode="after")
    def _step_ids_unique(self) -> "Lesson":
        _unique([step.id for step in self.steps], "step")
        return self


class PackInfo(Strict):
    """The pack's own ``pack.yaml``: which pack, which version, which language."""

    id: Slug
    version: int = Field(ge=1)
    language: Literal["vi", "en"]
    title: str = Field(min_length=1)
