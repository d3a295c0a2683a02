"""``python -m lessons``: the tools volunteers and ward staff run on lesson packs.

    validate [PATH ...] [--trust KEY ...]   check packs (default: the built-in packs)
    keygen OUT_PREFIX                       make the ward's ed25519 key pair
    sign PACK --key KEY                     sign a pack that validates
    stats PACK                              one JSON object: lessons, steps, drills, pictures

Exit status: 0 when all is well, 1 when a pack has problems (each printed with its file and
position), 2 for a usage error such as an unreadable key.
"""
import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from lessons.pack import BUILTIN_PACKS, PackError, PackProblem, load_pack
from lessons.schema import ExplainStep
from lessons.signing import (KeyFileError, generate_keypair, key_id, load_private_key, load_public_key,
                             public_key_text, sign_pack)
from lessons.validate import check_content, has_picture, validate_paths


class UsageError(Exception):
    """A problem with what the user typed rather than with a pack."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lessons", description="Tools for lesson packs.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    validate = commands.add_parser("validate", help="check lesson packs and print what is wrong")
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                          help=f"a pack folder or a folder of pack folders (default: {BUILTIN_PACKS})")
    validate.add_argument("--trust", action="append", default=[], type=Path, metavar="KEY",
                          help="a trusted public key (PEM or base64); when given, every pack must be signed by one")
    validate.set_defaults(run=_validate)
    keygen = commands.add_parser("keygen", help="make a key pair: OUT_PREFIX.key (secret) and OUT_PREFIX.pub")
    keygen.add_argument("prefix", type=Path, metavar="OUT_PREFIX")
    keygen.set_defaults(run=_keygen)
    sign = commands.add_parser("sign", help="sign a pack folder (it must validate first)")
    sign.add_argument("pack", type=Path, metavar="PACK")
    sign.add_argument("--key", required=True, type=Path, help="the ward's private key (PEM or base64)")
    sign.set_defaults(run=_sign)
    stats = commands.add_parser("stats", help="print one JSON object counting a pack's lessons, steps, drills and pictures")
    stats.add_argument("pack", type=Path, metavar="PACK")
    stats.set_defaults(run=_stats)
    return parser


def _stats(args: argparse.Namespace) -> int:
    """Counts for a pack that loads (even one the validator would refuse, so its author sees
    how far it is): ``steps_without_picture`` are the steps showing neither a picture nor a drill."""
    try:
        pack = load_pack(args.pack)
    except PackError as exc:
        _print_problems(exc.problems)
        return 1
    steps = [step for lesson in pack.lessons for step in lesson.steps]
    kinds = Counter(step.kind for step in steps)
    print(json.dumps({
        "pack": pack.info.id, "language": pack.info.language, "version": pack.info.version,
        "lessons": len(pack.lessons), "steps": len(steps),
        "explanations": kinds["explain"], "drills": len(steps) - kinds["explain"] - kinds["choice"],
        "questions": kinds["choice"], "kinds": dict(sorted(kinds.items())),
        "steps_with_picture": sum(step.picture is not None for step in steps),
        "steps_without_picture": sum(not has_picture(step) for step in steps),
        "most_explanations_in_a_row": max(_explanation_runs(pack), default=0),
    }, ensure_ascii=False))
    return 0


def _explanation_runs(pack):
    """The length of every run of explanation steps, lesson by lesson."""
    for lesson in pack.lessons:
        run = 0
        for step in lesson.steps:
            run = run + 1 if isinstance(step, ExplainStep) else 0
            yield run


def _validate(args: argparse.Namespace) -> int:
    keys = [_read_key(load_public_key, path) for path in args.trust]
    reports, problems = validate_paths(args.paths or [BUILTIN_PACKS], keys)
    for report in reports:
        if report.ok:
            print(report.summary())
        problems += report.problems
    _print_problems(problems)
    bad = sum(not report.ok for report in reports)
    print(f"{len(reports)} pack(s) checked: {len(reports) - bad} valid, {bad} with problems"
          + (f"; {len(problems)} problem(s) in all" if problems else ""))
    return 1 if problems else 0


def _keygen(args: argparse.Namespace) -> int:
    try:
        key_path, pub_path = generate_keypair(args.prefix)
    except OSError as exc:
        raise UsageError(str(exc)) from exc
    public_key = load_public_key(pub_path)
    print(f"private key: {key_path} (keep it secret, on the ward's signing computer only)")
    print(f"public key:  {pub_path} (give it to the kiosks and the ward server)")
    print(f"key id {key_id(public_key)}, public key in base64: {public_key_text(public_key)}")
    return 0


def _sign(args: argparse.Namespace) -> int:
    private_key = _read_key(load_private_key, args.key)
    pack, problems = check_content(args.pack)
    if problems:
        _print_problems(problems)
        print(f"not signed: {args.pack} has {len(problems)} problem(s)")
        return 1
    signature = sign_pack(args.pack, private_key)
    print(f"signed {args.pack}: {pack.info.id} ({pack.info.language}) version {pack.info.version}, "
          f"{len(signature['files'])} files, key {signature['key_id']}, hash {signature['content_hash'][:12]}")
    return 0


def _read_key(load, path: Path):
    try:
        return load(path)
    except (OSError, KeyFileError) as exc:
        raise UsageError(f"cannot use key {path}: {exc}") from exc


def _print_problems(problems: list[PackProblem]) -> None:
    for problem in problems:
        print(f"ERROR {problem}")


if __name__ == "__main__":
    sys.exit(main())
