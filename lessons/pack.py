"""Loading a lesson pack from a folder: ``pack.yaml`` plus one YAML file per lesson.

A pack is accepted whole or not at all, so the kiosk can keep its last good pack when a new one is
broken. Errors name the file and the position inside it, for the volunteer who wrote it.
"""
import hashlib
import stat
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from lessons import BUILTIN_PACKS  # noqa: F401 - re-exported: callers find the built-in packs beside load_pack
from lessons.problems import PackProblem, from_validation, problem
from lessons.schema import Lesson, PackInfo
from lessons.text import nfc


@dataclass(frozen=True)
class Pack:
    """A validated pack, with a hash of its content so two kiosks can tell they hold the same."""

    info: PackInfo
    lessons: tuple[Lesson, ...]
    content_hash: str
    path: Path

    def lesson(self, lesson_id: str) -> Lesson:
        return next(lesson for lesson in self.lessons if lesson.id == lesson_id)


class PackError(Exception):
    """The pack cannot be used; ``problems`` lists every reason found."""

    def __init__(self, problems: list[PackProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def unsafe_entries(folder: Path) -> list[PackProblem]:
    """Every symbolic link or special file (a pipe, a device) under ``folder``, each named.

    A pack holds plain files only: a link would make ``validate``, ``sign`` and the ward server
    read and hand out whatever it points at (``/etc/shadow``, say), and a pipe would hang them.
    """
    problems = []
    for path in sorted(Path(folder).rglob("*")):
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            problems.append(problem(path, "", "symlink"))
        elif not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            problems.append(problem(path, "", "special_file"))
    return problems


UNREADABLE = object()
# libyaml's safe loader when PyYAML was built with it: several times faster, which the kiosk's
# start-up (every lesson file is read and validated) feels on a Raspberry Pi.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path, problems: list[PackProblem]) -> object:
    """The file's data in NFC, or UNREADABLE after noting why in ``problems``."""
    try:
        return yaml.load(nfc(path.read_text(encoding="utf-8")), Loader=SAFE_LOADER)
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(problem(path, "", "unreadable_file", detail=str(exc)))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.append(problem(path, where, "bad_yaml", detail=str(getattr(exc, "problem", exc))))
    return UNREADABLE


def _load(model: type, path: Path, problems: list[PackProblem]):
    """``path`` read and validated as ``model``, or None with the reasons added to ``problems``."""
    data = _read_yaml(path, problems)
    if data is UNREADABLE:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems += [from_validation(path, error) for error in exc.errors()]
    return None


def load_pack(folder: Path) -> Pack:
    """Read and validate the pack in ``folder``; raise PackError listing every problem."""
    folder = Path(folder)
    problems = unsafe_entries(folder)
    if problems:  # nothing is read through a link
        raise PackError(problems)
    info_file = folder / "pack.yaml"
    info = _load(PackInfo, info_file, problems) if info_file.exists() else None
    if not info_file.exists():
        problems.append(problem(info_file, "", "no_pack_yaml"))
    lessons: list[Lesson] = []
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "pack.yaml":
            continue
        lesson = _load(Lesson, path, problems)
        if lesson is not None:
            lessons.append(lesson)
            digest.update(lesson.model_dump_json().encode())
    if not lessons and not problems:
        problems.append(problem(folder, "", "no_lessons"))
    ids = [lesson.id for lesson in lessons]
    for repeated in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(problem(folder, "", "lesson_id_repeated", lesson=repeated))
    if problems:
        raise PackError(problems)
    return Pack(info=info, lessons=tuple(lessons), content_hash=digest.hexdigest(), path=folder)
