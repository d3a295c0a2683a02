"""Loading packs: every problem is named with its file and position; a good pack is kept aside;
every step shows a picture or a drill, and ``python -m lessons stats`` counts them."""
import json
import unicodedata
from pathlib import Path

import pytest

from lessons.pack import BUILTIN_PACKS, PackError, load_pack
from lessons.store import choose_pack
from lessons.validate import check_pictures
from tests.helpers import run_lessons_cli

PACK_INFO = "id: thu\nversion: 1\nlanguage: vi\ntitle: Thử\n"
LESSON = """id: bai-thu
title: Bài thử
summary: Một bài để thử.
steps:
  - kind: choice
    id: cau-1
    text: Chọn một.
    correct: {correct}
    options:
      - {{id: a, text: A, feedback: Đúng.}}
      - {{id: b, text: B, feedback: Sai.}}
"""


def write_pack(folder: Path, lesson: str, info: str = PACK_INFO) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text(info, encoding="utf-8")
    (folder / "01-bai-thu.yaml").write_text(lesson, encoding="utf-8")
    return folder


def test_a_valid_pack_loads_with_a_stable_content_hash(tmp_path):
    first = load_pack(write_pack(tmp_path / "a", LESSON.format(correct="a")))
    second = load_pack(write_pack(tmp_path / "b", LESSON.format(correct="a")))
    assert first.content_hash == second.content_hash
    assert [lesson.id for lesson in first.lessons] == ["bai-thu"]


def test_an_answer_that_points_at_nothing_is_named(tmp_path):
    with pytest.raises(PackError) as error:
        load_pack(write_pack(tmp_path, LESSON.format(correct="c")))
    [problem] = error.value.problems
    assert problem.file.name == "01-bai-thu.yaml"
    assert problem.where == "steps.0.choice" and "'c' is not one of the options" in problem.message


def test_broken_yaml_is_reported_with_its_line(tmp_path):
    with pytest.raises(PackError) as error:
        load_pack(write_pack(tmp_path, "id: bai-thu\nsteps: [\n"))
    assert error.value.problems[0].where.startswith("line ")


def test_an_unknown_step_kind_and_a_missing_pack_yaml_are_both_reported(tmp_path):
    folder = write_pack(tmp_path, LESSON.format(correct="a").replace("kind: choice", "kind: dance"))
    (folder / "pack.yaml").unlink()
    with pytest.raises(PackError) as error:
        load_pack(folder)
    messages = " | ".join(str(p) for p in error.value.problems)
    assert "pack.yaml" in messages and "dance" in messages


def test_decomposed_vietnamese_is_stored_composed(tmp_path):
    decomposed = unicodedata.normalize("NFD", LESSON.format(correct="a"))
    pack = load_pack(write_pack(tmp_path, decomposed))
    assert pack.lessons[0].title == unicodedata.normalize("NFC", "Bài thử")


def test_a_broken_pack_falls_back_to_the_last_good_copy(tmp_path):
    folder = write_pack(tmp_path / "pack", LESSON.format(correct="a"))
    keep = tmp_path / "keep"
    assert choose_pack(folder, keep).pack.lessons[0].id == "bai-thu"
    write_pack(folder, LESSON.format(correct="zzz"))
    choice = choose_pack(folder, keep)
    assert choice.pack is not None and choice.pack.lessons[0].id == "bai-thu"
    assert choice.problems and "zzz" in choice.problems[0]


def test_the_builtin_pack_is_nfc():
    for path in (BUILTIN_PACKS / "vi").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert text == unicodedata.normalize("NFC", text), path


def test_a_phone_drill_may_shrink_its_targets_but_never_under_16_mm(tmp_path):
    tap_step = """id: bai-thu
title: Bài thử
summary: Một bài để thử.
steps:
  - kind: tap
    id: cham
    text: Chạm vào nút.
    target_mm: {size}
    correct: a
    feedback: {{right: Đúng., wrong: Sai.}}
    phone:
      title: Máy
      elements: [{{id: a, label: A}}, {{id: b, label: B}}]
"""
    assert load_pack(write_pack(tmp_path / "ok", tap_step.format(size=16))).lessons[0].steps[0].target_mm == 16
    with pytest.raises(PackError) as error:
        load_pack(write_pack(tmp_path / "small", tap_step.format(size=15)))
    assert "greater than or equal to 16" in str(error.value)


EXPLAIN_ONLY = """id: bai-thu
title: Bài thử
summary: Một bài để thử.
steps:
  - kind: explain
    id: co-hinh
    picture: {picture}
    text: Bước có hình.
  - kind: explain
    id: khong-hinh
    text: Bước không có hình cũng không có bài tập.
"""


def test_a_step_with_neither_a_picture_nor_a_drill_is_refused_with_its_file_and_line(tmp_path):
    folder = write_pack(tmp_path / "p", EXPLAIN_ONLY.format(picture="phone:home"))
    problems = [str(p) for p in check_pictures(load_pack(folder))]
    assert problems == [f"{folder / '01-bai-thu.yaml'}: line 9, steps.1: step 'khong-hinh' has neither a picture "
                        "nor a drill: add picture: phone:<screen> or an illustration from lessons/pictures"]


@pytest.mark.parametrize(("picture", "message"), [
    ("phone:may-bay", "phone screen 'phone:may-bay' is not one the kiosk draws"),
    ("khong-co.png", "picture 'khong-co.png' is not in"),
])
def test_a_picture_that_does_not_exist_is_named(tmp_path, picture, message):
    folder = write_pack(tmp_path / "p", EXPLAIN_ONLY.format(picture=picture))
    problems = [str(p) for p in check_pictures(load_pack(folder))]
    assert len(problems) == 2 and "line 7, steps.0.picture: " + message in problems[0]


def test_a_picture_name_cannot_leave_the_pictures_folder(tmp_path):
    with pytest.raises(PackError, match="picture"):
        load_pack(write_pack(tmp_path / "p", EXPLAIN_ONLY.format(picture="../../etc/passwd.png")))


def test_stats_prints_one_json_object_counting_lessons_steps_drills_and_pictures(tmp_path):
    folder = write_pack(tmp_path / "p", EXPLAIN_ONLY.format(picture="qr-sticker-motorbike.png"))
    result = run_lessons_cli("stats", folder)
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert {key: stats[key] for key in ("lessons", "steps", "drills", "steps_without_picture")} == {
        "lessons": 1, "steps": 2, "drills": 0, "steps_without_picture": 1}
    assert stats["most_explanations_in_a_row"] == 2


def test_stats_of_the_builtin_packs_find_a_picture_or_a_drill_on_every_step():
    for language in ("vi", "en"):
        stats = json.loads(run_lessons_cli("stats", BUILTIN_PACKS / language).stdout)
        assert stats["lessons"] >= 18 and stats["drills"] >= 20 and stats["steps_without_picture"] == 0
        assert stats["steps"] == stats["explanations"] + stats["drills"] + stats["questions"]


def test_stats_of_a_broken_pack_says_why_and_fails(tmp_path):
    result = run_lessons_cli("stats", write_pack(tmp_path / "p", "steps: [\n"))
    assert result.returncode == 1 and "ERROR" in result.stdout
