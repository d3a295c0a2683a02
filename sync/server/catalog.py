"""The lessons and steps the ward knows, so a record can only name a lesson or step that exists.

A lesson or step id that is not in any pack the ward knows is not a typo to keep: it is a field a
sender could fill with anything (a name, a phone number). The catalog is the built-in packs
(``lessons/packs/*``) plus the pack the server hands out to its kiosks.
"""
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from lessons import BUILTIN_PACKS
from lessons.pack import PackError, load_pack

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LessonCatalog:
    """lesson id -> the ids of its steps."""

    lessons: dict[str, frozenset[str]]

    def has_lesson(self, lesson_id: str) -> bool:
        return lesson_id in self.lessons

    def has_step(self, lesson_id: str, step_id: str) -> bool:
        return step_id in self.lessons.get(lesson_id, ())

    @classmethod
    def from_folders(cls, folders: Iterable[Path]) -> "LessonCatalog":
        """Every lesson of the packs in ``folders``; a pack that does not load adds nothing (and is logged)."""
        lessons: dict[str, set[str]] = {}
        for folder in folders:
            try:
                pack = load_pack(folder)
            except PackError as exc:
                log.warning("lesson pack %s left out of the catalog: %s", folder, exc.problems[0])
                continue
            for lesson in pack.lessons:
                lessons.setdefault(lesson.id, set()).update(step.id for step in lesson.steps)
        return cls({lesson_id: frozenset(steps) for lesson_id, steps in lessons.items()})

    def merged(self, other: "LessonCatalog") -> "LessonCatalog":
        keys = self.lessons.keys() | other.lessons.keys()
        return LessonCatalog({k: self.lessons.get(k, frozenset()) | other.lessons.get(k, frozenset()) for k in keys})


@lru_cache(maxsize=1)
def builtin_catalog() -> LessonCatalog:
    return LessonCatalog.from_folders(sorted(p for p in BUILTIN_PACKS.iterdir() if (p / "pack.yaml").is_file()))
