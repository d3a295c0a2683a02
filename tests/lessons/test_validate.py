"""``python -m lessons validate`` on broken packs: the exit status, and for each problem the file,
the line inside it and what is wrong, as a volunteer would read them."""
import os
import subprocess
from pathlib import Path

import pytest

from lessons.pack import BUILTIN_PACKS
from tests.helpers import LESSON, LESSON_FILE, write_pack
from tests.helpers import run_lessons_cli as run_cli

def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("ERROR ")]


def assert_errors(result: subprocess.CompletedProcess, file: Path, *expected: tuple[str, str]) -> None:
    """Exit status 1 and one error line per (position, problem), each naming the file, then the
    position, then the problem in words."""
    assert result.returncode == 1, result.stdout + result.stderr
    lines = error_lines(result)
    assert len(lines) == len(expected), lines
    for line, (where, problem) in zip(lines, expected):
        prefix = f"ERROR {file}: {where}: " if where else f"ERROR {file}: "
        assert line.startswith(prefix + problem), line


BROKEN_LESSONS = {
    "unknown drill kind": (LESSON.replace("kind: choice", "kind: dance"), [("line 9, steps.1", "Input tag 'dance' found using 'kind' does not match")]),
    "answer that points at nothing": (LESSON.replace("correct: dung", "correct: khong-co"),
                                      [("line 9, steps.1.choice", "correct answer 'khong-co' is not one of the options")]),
    "text over the screen's budget": (LESSON.replace("Bác chọn câu nào?", "Bác chọn câu nào? " * 9),
                                      [("line 11, steps.1.choice.text", "String should have at most 150 characters")]),
    "unknown field": (LESSON.replace("    correct: dung\n", "    correct: dung\n    colour: red\n"),
                      [("line 13, steps.1.choice.colour", "Extra inputs are not permitted")]),
    "broken YAML": (LESSON.replace("Bác chọn câu nào?", "Bác chọn: câu nào?"),
                    [("line 11, column 19", "not valid YAML (mapping values are not allowed")]),
}


@pytest.mark.parametrize("kind", BROKEN_LESSONS)
def test_a_broken_lesson_is_named_with_file_line_and_problem(tmp_path, kind):
    lesson, expected = BROKEN_LESSONS[kind]
    folder = write_pack(tmp_path / "vi", lesson)
    assert_errors(run_cli("validate", folder), folder / LESSON_FILE, *expected)


def test_an_image_missing_from_the_pack_folder(tmp_path):
    folder = write_pack(tmp_path / "vi")
    (folder / "hinh.png").unlink()
    assert_errors(run_cli("validate", folder), folder / LESSON_FILE,
                  ("line 8, steps.0.image", "image 'hinh.png' does not exist in the pack folder"))


def test_a_missing_pack_yaml(tmp_path):
    folder = write_pack(tmp_path / "vi")
    (folder / "pack.yaml").unlink()
    assert_errors(run_cli("validate", folder), folder / "pack.yaml", ("", "missing: every pack needs a pack.yaml"))


def test_a_path_without_packs(tmp_path):
    assert_errors(run_cli("validate", tmp_path), tmp_path, ("", "holds no lesson pack"))
    assert_errors(run_cli("validate", tmp_path / "nowhere"), tmp_path / "nowhere", ("", "does not exist"))


def test_a_pack_changed_after_signing(tmp_path):
    folder = write_pack(tmp_path / "vi")
    assert run_cli("keygen", tmp_path / "ward").returncode == 0
    assert run_cli("sign", folder, "--key", tmp_path / "ward.key").returncode == 0
    (folder / "hinh.png").write_bytes(b"\x89PNG\r\n\x1a\nchanged")
    assert_errors(run_cli("validate", folder), folder / "hinh.png", ("", "changed since the pack was signed"))


ENGLISH = (LESSON.replace("Bài thử", "A try").replace("Một bài để thử.", "A lesson to try.")
           .replace("Xin chào Bác.", "Hello.").replace("Bác chọn câu nào?", "Which one?"))
BROKEN_TRANSLATIONS = {
    "a step missing": (ENGLISH.split("  - kind: choice")[0],
                       [("line 4, steps", "step 'cau-1' of the vi pack has no translation here")]),
    "another correct answer": (ENGLISH.replace("correct: dung", "correct: sai"),
                               [("line 12, steps.1.correct", "correct is 'sai' here but 'dung' in the vi pack")]),
    "another step kind": (ENGLISH.replace("kind: explain", "kind: qr").replace("    image: hinh.png\n", ""),
                          [("line 5, steps.0.kind", "kind is 'qr' here but 'explain' in the vi pack")]),
    "an option renamed": (ENGLISH.replace("id: sai", "id: wrong"),
                          [("line 13, steps.1.options", "option 'sai' of the vi pack has no translation here"),
                           ("line 13, steps.1.options", "option 'wrong' is not in the vi pack")]),
    "steps in another order": ("\n".join(ENGLISH.splitlines()[:4] + ENGLISH.splitlines()[8:] + ENGLISH.splitlines()[4:8]) + "\n",
                               [("line 4, steps", "steps are in another order than in the vi pack (gioi-thieu, cau-1)")]),
}


@pytest.mark.parametrize("kind", BROKEN_TRANSLATIONS)
def test_a_translation_that_departs_from_the_vietnamese_pack(tmp_path, kind):
    english, expected = BROKEN_TRANSLATIONS[kind]
    write_pack(tmp_path / "packs" / "vi")
    en = write_pack(tmp_path / "packs" / "en", english, language="en")
    result = run_cli("validate", tmp_path / "packs")
    assert_errors(result, en / LESSON_FILE, *expected)
    assert f"OK {tmp_path / 'packs' / 'vi'}: thu (vi)" in result.stdout


def test_a_lesson_missing_from_a_translation_and_an_extra_one(tmp_path):
    vi = write_pack(tmp_path / "vi")
    (vi / "02-bai-hai.yaml").write_text(LESSON.replace("id: bai-thu", "id: bai-hai"), encoding="utf-8")
    en = write_pack(tmp_path / "en", ENGLISH, language="en")
    (en / "03-bai-ba.yaml").write_text(ENGLISH.replace("id: bai-thu", "id: bai-ba"), encoding="utf-8")
    result = run_cli("validate", vi, en)
    assert result.returncode == 1
    assert error_lines(result) == [
        f"ERROR {en}: lesson 'bai-hai' ({vi / '02-bai-hai.yaml'}) has no translation in this pack",
        f"ERROR {en / '03-bai-ba.yaml'}: line 1, id: lesson 'bai-ba' is not in the vi pack {vi}",
    ]


def test_a_faithful_translation_passes_with_a_summary_per_pack(tmp_path):
    write_pack(tmp_path / "vi")
    write_pack(tmp_path / "en", ENGLISH, language="en")
    result = run_cli("validate", tmp_path)
    assert result.returncode == 0, result.stdout
    summaries = [line for line in result.stdout.splitlines() if line.startswith("OK ")]
    assert [line.split(":")[0] for line in summaries] == [f"OK {tmp_path / 'en'}", f"OK {tmp_path / 'vi'}"]
    assert "thu (en) version 1, 1 lesson, 2 steps, hash " in summaries[0] and summaries[0].endswith(", unsigned")


def test_every_problem_of_several_packs_is_listed(tmp_path):
    good = write_pack(tmp_path / "good")
    bad = write_pack(tmp_path / "bad", LESSON.replace("correct: dung", "correct: khong-co").replace("kind: explain", "kind: nhay"))
    result = run_cli("validate", good, bad)
    assert result.returncode == 1
    assert len(error_lines(result)) == 2 and f"OK {good}:" in result.stdout
    assert result.stdout.splitlines()[-1] == "2 pack(s) checked: 1 valid, 1 with problems; 2 problem(s) in all"


def test_the_real_packs_validate():
    result = run_cli("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    packs = sorted(path.parent for path in BUILTIN_PACKS.glob("*/pack.yaml"))
    assert [line.split(":")[0] for line in result.stdout.splitlines() if line.startswith("OK ")] == [f"OK {p}" for p in packs]


def test_a_symbolic_link_or_a_pipe_in_a_pack_is_refused_by_name(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not lesson content")
    folder = write_pack(tmp_path / "pack")
    (folder / "hinh.png").unlink()
    (folder / "hinh.png").symlink_to(secret)
    (folder / "extra").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(folder / "pipe")
    result = run_cli("validate", folder)
    assert result.returncode == 1
    assert error_lines(result) == [
        f"ERROR {folder / 'extra'}: is a symbolic link; a pack holds only plain files: copy the file itself into the pack folder",
        f"ERROR {folder / 'hinh.png'}: is a symbolic link; a pack holds only plain files: copy the file itself into the pack folder",
        f"ERROR {folder / 'pipe'}: is not a plain file (a pipe or a device); remove it from the pack"]
    assert "not lesson content" not in result.stdout
