"""The lesson pack schema: what a lesson, a step and a drill may contain.

Packs are data written by volunteers, so every model forbids unknown fields (a typo is an error,
not a silently ignored key) and the loader stores every text in NFC. Text limits are the screen's budget: what fits at
18 pt on the 7-inch 800×480 display (an option in two lines of its button, a question beside
three options).
"""
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


class Strict(BaseModel):
    """Base for pack models: unknown keys are errors (the loader has already made text NFC)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ExplainStep(Strict):
    """A short explanation the learner reads (or hears) before going on."""

    kind: Literal["explain"]
    id: Slug
    text: str = Field(min_length=1, max_length=200)


class Option(Strict):
    """One answer of a multiple-choice question, with the feedback that answer earns."""

    id: Slug
    text: str = Field(min_length=1, max_length=40)
    feedback: str = Field(min_length=1, max_length=130)


class ChoiceStep(Strict):
    """A multiple-choice question; a wrong answer may be retried."""

    kind: Literal["choice"]
    id: Slug
    text: str = Field(min_length=1, max_length=150)
    options: list[Option] = Field(min_length=2, max_length=3)
    correct: Slug

    @model_validator(mode="after")
    def _correct_names_an_option(self) -> "ChoiceStep":
        ids = [option.id for option in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError("option ids must be unique")
        if self.correct not in ids:
            raise ValueError(f"correct answer {self.correct!r} is not one of the options {ids}")
        return self


Step = Annotated[Union[ExplainStep, ChoiceStep], Field(discriminator="kind")]


class Lesson(Strict):
    """One lesson: a title, a one-line summary for the list, and its steps in order."""

    id: Slug
    title: str = Field(min_length=1, max_length=40)
    summary: str = Field(min_length=1, max_length=140)
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _step_ids_unique(self) -> "Lesson":
        ids = [step.id for step in self.steps]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"step ids repeat: {', '.join(duplicates)}")
        return self


class PackInfo(Strict):
    """The pack's own ``pack.yaml``: which pack, which version, which language."""

    id: Slug
    version: int = Field(ge=1)
    language: Literal["vi", "en"]
    title: str = Field(min_length=1)
