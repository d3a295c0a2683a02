"""Checking lesson packs before they reach a kiosk, with every problem named for the volunteer.

``load_pack`` already refuses what the schema forbids (an unknown drill kind, an answer that points
at nothing, text over the screen's budget, unknown fields, broken YAML). This module adds what a
single lesson file cannot know: pictures that are not in the folder, translations that drifted
from the Vietnamese pack, and a signature that no longer matches. Every check returns
``PackProblem`` values (``lessons.problems``: a kind code, its parameters, English words) with a
line number, so the CLI, the kiosk and the ward server report alike.
"""
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lessons.pack import Pack, PackError, PackProblem, load_pack
from lessons.problems import problem
from lessons.pronunciation import check_pronunciation
from lessons import PICTURES
from lessons.schema import PHONE_PICTURE, PHONE_SCREENS, ExplainStep, Lesson
from lessons.signing import SIGNATURE_FILE, check_unchanged, read_signature, verify_pack

REFERENCE_LANGUAGE = "vi"
# Fields a translation rewrites; everything else (ids, kinds, answers, settings) must match the reference.
TRANSLATED_FIELDS = frozenset({"text", "title", "summary", "feedback", "label", "message", "words", "image", "recap"})


@dataclass
class PackReport:
    """What validating one pack folder found: the pack when it loads, and every problem."""

    folder: Path
    pack: Pack | None = None
    problems: list[PackProblem] = field(default_factory=list)
    signature: str = "unsigned"

    @property
    def ok(self) -> bool:
        return self.pack is not None and not self.problems

    def summary(self) -> str:
        """One line for a valid pack: what it is and which content it holds."""
        info, lessons = self.pack.info, self.pack.lessons
        steps = sum(len(lesson.steps) for lesson in lessons)
        return (f"OK {self.folder}: {info.id} ({info.language}) version {info.version}, "
                f"{_count(len(lessons), 'lesson')}, {_count(steps, 'step')}, "
                f"hash {self.pack.content_hash[:12]}, {self.signature}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def validate_paths(paths: Iterable[Path],
                   trusted_keys: Sequence[Ed25519PublicKey] = ()) -> tuple[list[PackReport], list[PackProblem]]:
    """Validate every pack found under ``paths`` and the translations among them.

    Returns one report per pack folder, and the problems that belong to no pack (a path that
    does not exist or holds no pack).
    """
    folders, stray = find_packs(paths)
    reports = [validate_pack(folder, trusted_keys) for folder in folders]
    for reference, translation in _translation_pairs(reports):
        translation.problems += check_translation(reference.pack, translation.pack)
    return reports, stray


def find_packs(paths: Iterable[Path]) -> tuple[list[Path], list[PackProblem]]:
    """Each path is a pack folder (it holds .yaml files) or a folder of pack folders."""
    folders: list[Path] = []
    problems: list[PackProblem] = []
    for path in map(Path, paths):
        if not path.is_dir():
            problems.append(problem(path, "", "not_a_folder" if path.exists() else "does_not_exist"))
        elif _holds_yaml(path):
            folders.append(path)
        else:
            inner = [child for child in sorted(path.iterdir()) if child.is_dir() and _holds_yaml(child)]
            if not inner:
                problems.append(problem(path, "", "no_pack_here"))
            folders += inner
    return folders, problems


def _holds_yaml(folder: Path) -> bool:
    return any(folder.glob("*.yaml"))


def validate_pack(folder: Path, trusted_keys: Sequence[Ed25519PublicKey] = ()) -> PackReport:
    """Load the pack in ``folder`` and check its pictures and its signature.

    With ``trusted_keys`` the pack must be signed by one of them; without, a signature file that
    is present must still match the files (the signer is then not checked).
    """
    folder = Path(folder)
    pack, problems = check_content(folder)
    signature, signature_problems = _check_signature(folder, trusted_keys)
    # A link is refused by both checks; name it once.
    return PackReport(folder, pack, problems + [p for p in signature_problems if p not in problems], signature)


def check_content(folder: Path) -> tuple[Pack | None, list[PackProblem]]:
    """The pack's lessons and pictures, signature aside (what must hold before signing)."""
    try:
        pack = load_pack(folder)
    except PackError as exc:
        return None, [_with_line(found) for found in exc.problems]
    spoken = check_pronunciation(pack.info.language, _lesson_files(pack))
    return pack, check_images(pack) + check_pictures(pack) + [_with_line(found) for found in spoken]


def _check_signature(folder: Path, trusted_keys: Sequence[Ed25519PublicKey]) -> tuple[str, list[PackProblem]]:
    if not trusted_keys and not (folder / SIGNATURE_FILE).exists():
        return "unsigned", []
    problems = verify_pack(folder, trusted_keys) if trusted_keys else check_unchanged(folder)
    if problems:
        return "signature refused", problems
    key = read_signature(folder)[0]["key_id"]
    if trusted_keys:
        return f"signed by trusted key {key}", []
    return f"signed by key {key} (not checked against a trusted key)", []


def check_images(pack: Pack) -> list[PackProblem]:
    """Every picture a step names must be a file in the pack folder (the kiosk shows nothing else)."""
    return [
        _problem(path, ("steps", index, "image"), "image_missing", image=step.image)
        for lesson, path in _lesson_files(pack)
        for index, step in enumerate(lesson.steps)
        if isinstance(step, ExplainStep) and step.image and not (pack.path / step.image).is_file()
    ]


def check_pictures(pack: Pack, pictures: Path = PICTURES) -> list[PackProblem]:
    """Every step shows something beside its text: a drill, or a picture that exists (a phone
    screen the kiosk draws, or an illustration rendered into ``pictures``)."""
    problems = []
    for lesson, path in _lesson_files(pack):
        for index, step in enumerate(lesson.steps):
            where = ("steps", index, "picture")
            if step.picture is None:
                if isinstance(step, ExplainStep) and not step.image:
                    problems.append(_problem(path, ("steps", index), "no_picture", step=step.id))
            elif step.picture.startswith(PHONE_PICTURE):
                if step.picture.removeprefix(PHONE_PICTURE) not in PHONE_SCREENS:
                    problems.append(_problem(path, where, "unknown_phone_screen", picture=step.picture,
                                             screens=", ".join(sorted(PHONE_SCREENS))))
            elif not (pictures / step.picture).is_file():
                problems.append(_problem(path, where, "picture_missing", picture=step.picture, folder=str(pictures)))
    return problems


def has_picture(step) -> bool:
    """Whether the step shows a picture or a drill beside its text (what ``check_pictures`` asks)."""
    return step.picture is not None or not isinstance(step, ExplainStep) or bool(step.image)


def check_translation(reference: Pack, translation: Pack) -> list[PackProblem]:
    """Compare a translated pack with the reference one: same lessons, same ids, same structure.

    Texts may differ; ids, step kinds, correct answers, card verdicts and drill settings may not,
    because records and the ward server's reports name steps and answers by id.
    """
    language = reference.info.language
    theirs = {lesson.id: (lesson, path) for lesson, path in _lesson_files(translation)}
    ours = {lesson.id: (lesson, path) for lesson, path in _lesson_files(reference)}
    problems = [problem(translation.path, "", "lesson_untranslated", lesson=lesson_id, lesson_file=str(path))
                for lesson_id, (_, path) in ours.items() if lesson_id not in theirs]
    problems += [_problem(path, ("id",), "lesson_not_in_reference", lesson=lesson_id, language=language,
                          reference=str(reference.path))
                 for lesson_id, (_, path) in theirs.items() if lesson_id not in ours]
    for lesson, _ in ours.values():
        if lesson.id in theirs:
            translated, path = theirs[lesson.id]
            problems += [_problem(path, where, code, **params) for where, code, params in
                         _differences(_skeleton(lesson.model_dump(mode="json")),
                                      _skeleton(translated.model_dump(mode="json")), (), language)]
    return problems


def _translation_pairs(reports: list[PackReport]) -> Iterator[tuple[PackReport, PackReport]]:
    """(reference, translation) for each loaded pack that shares its id with a Vietnamese pack."""
    by_id: dict[str, list[PackReport]] = defaultdict(list)
    for report in reports:
        if report.pack is not None:
            by_id[report.pack.info.id].append(report)
    for group in by_id.values():
        reference = next((r for r in group if r.pack.info.language == REFERENCE_LANGUAGE), None)
        if reference is not None:
            yield from ((reference, r) for r in group if r.pack.info.language != REFERENCE_LANGUAGE)


def _lesson_files(pack: Pack) -> list[tuple[Lesson, Path]]:
    """Each lesson with the file it came from (``load_pack`` reads lesson files in sorted order)."""
    files = [path for path in sorted(pack.path.glob("*.yaml")) if path.name != "pack.yaml"]
    return list(zip(pack.lessons, files))


def _skeleton(value: object) -> object:
    """``value`` without the fields a translation rewrites."""
    if isinstance(value, dict):
        return {key: _skeleton(item) for key, item in value.items() if key not in TRANSLATED_FIELDS}
    if isinstance(value, list):
        return [_skeleton(item) for item in value]
    return value


def _differences(ours: object, theirs: object, where: tuple, language: str) -> Iterator[tuple[tuple, str, dict]]:
    """Where the translation's skeleton departs from the reference's, as (path in the translation, kind, params)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        if ours.get("kind") != theirs.get("kind"):
            yield where + ("kind",), "kind_differs", {"theirs": theirs.get("kind"), "ours": ours.get("kind"), "language": language}
            return
        for key in ours:
            yield from _differences(ours[key], theirs.get(key), where + (key,), language)
    elif _is_id_list(ours) and _is_id_list(theirs):
        yield from _list_differences(ours, theirs, where, language)
    elif ours != theirs:
        yield where, "value_differs", {"field": where[-1], "theirs": theirs, "ours": ours, "language": language}


def _is_id_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) and "id" in item for item in value)


def _list_differences(ours: list[dict], theirs: list[dict], where: tuple, language: str) -> Iterator[tuple[tuple, str, dict]]:
    """Steps, options, elements, items or cards: the same ids, in the same order, each alike."""
    what = str(where[-1]).removesuffix("s")
    our_ids, their_ids = [item["id"] for item in ours], [item["id"] for item in theirs]
    for missing in (i for i in our_ids if i not in their_ids):
        yield where, "item_untranslated", {"what": what, "id": missing, "language": language}
    for extra in (i for i in their_ids if i not in our_ids):
        yield where, "item_not_in_reference", {"what": what, "id": extra, "language": language}
    if [i for i in our_ids if i in their_ids] != [i for i in their_ids if i in our_ids]:
        yield where, "items_reordered", {"what": what, "language": language, "order": ", ".join(our_ids)}
    for item in ours:
        if item["id"] in their_ids:
            index = their_ids.index(item["id"])
            yield from _differences(item, theirs[index], where + (index,), language)


def _problem(file: Path, where: Sequence[str | int], code: str, **params) -> PackProblem:
    return _with_line(problem(file, ".".join(map(str, where)), code, **params))


def _with_line(found: PackProblem) -> PackProblem:
    """Prefix a schema path ("steps.3.options.1.text") with its line in the YAML file, for the volunteer."""
    if not found.where or found.where.startswith("line ") or found.file.suffix != ".yaml":
        return found
    line = _line_of(found.file, found.where.split("."))
    return replace(found, where=f"line {line}, {found.where}") if line else found


def _line_of(file: Path, parts: Sequence[str]) -> int | None:
    """The line of the deepest YAML node the path reaches; parts that name no key (the schema's
    step-kind tags, a missing field) are skipped."""
    try:
        node = yaml.compose(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    line = None
    for part in parts:
        if isinstance(node, yaml.MappingNode):
            found = next(((key, value) for key, value in node.value if key.value == part), None)
            if found:
                line, node = found[0].start_mark.line + 1, found[1]
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
            line = node.start_mark.line + 1
    return line
