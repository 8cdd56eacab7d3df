"""A TA edits a rubric (session 26): the mistakes of that edit are named before anything is graded."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.rubric import RubricError, load_rubric

RUBRIC = """\
version: 1
name: quiz
defaults:
  dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 1}
parts:
  - function: rnn_cell_forward
    outputs:
      - {name: a_next, path: "[0]", weight: 2}
      - {name: cache, path: "[2]", check: CHECK}
    cases:
      - {visibility: public, seed: 1, points: 5}
"""


def test_a_misspelt_check_kind_is_named_at_its_line_with_the_kind_meant(tmp_path: Path):
    path = tmp_path / "quiz.yaml"
    path.write_text(RUBRIC.replace("CHECK", "alclose"), encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    message = str(info.value)
    assert message.startswith(f"{path}:9: unknown check 'alclose'"), message
    assert "did you mean 'allclose'?" in message, message
    assert "(known: allclose, exact, shape, structure)" in message, message


def test_a_check_kind_nothing_like_a_known_one_gets_no_guess(tmp_path: Path):
    path = tmp_path / "quiz.yaml"
    path.write_text(RUBRIC.replace("CHECK", "zzz"), encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert "did you mean" not in str(info.value)
    assert f"{path}:9: unknown check 'zzz'" in str(info.value)


def test_renaming_a_part_renames_its_case_ids_as_docs_rubrics_md_says(tmp_path: Path):
    """A TA renamed a gradebook column (name: rnn_cell) and grade.py refused the fixtures; the
    page said only that inserting a case changes ids. It now says renaming a part does too."""
    path = tmp_path / "quiz.yaml"
    path.write_text(RUBRIC.replace("CHECK", "allclose"), encoding="utf-8")
    assert [c.id for p in load_rubric(path).parts for c in p.cases] == ["rnn_cell_forward/public-1"]
    path.write_text(RUBRIC.replace("CHECK", "allclose").replace(
        "  - function: rnn_cell_forward\n", "  - function: rnn_cell_forward\n    name: rnn_cell\n"),
        encoding="utf-8")
    assert [c.id for p in load_rubric(path).parts for c in p.cases] == ["rnn_cell/public-1"]
    page = (Path(__file__).resolve().parent.parent / "docs" / "rubrics.md").read_text(encoding="utf-8")
    assert "renaming a part (its `name:`) does" in " ".join(page.split())


def test_a_single_name_where_a_list_belongs_is_shown_as_the_list_to_write(tmp_path: Path):
    """depends: rnn_cell_forward (no brackets) was refused as 'must be a list' without saying
    what was read or how to write it."""
    text = RUBRIC.replace("CHECK", "allclose").replace(
        "  - function: rnn_cell_forward\n", "  - function: rnn_forward\n    depends: rnn_cell_forward\n")
    path = tmp_path / "quiz.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    message = str(info.value)
    assert message == (f"{path}:7: depends of part 'rnn_forward' must be a list, not "
                       f"'rnn_cell_forward'; write [rnn_cell_forward]"), message


def test_a_mapping_where_a_list_belongs_is_named_as_one(tmp_path: Path):
    text = RUBRIC.replace("CHECK", "allclose").replace(
        "  - function: rnn_cell_forward\n", "  - function: rnn_forward\n    depends: {rnn_cell_forward: 1}\n")
    path = tmp_path / "quiz.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert str(info.value) == f"{path}:7: depends of part 'rnn_forward' must be a list, not a mapping"


@pytest.mark.parametrize("old, new, line, said", [
    # moving points between parts: a part's points are its cases'
    ("    outputs:\n", "    points: 20\n    outputs:\n", 7,
     "a part has no key 'points': a part's points are the sum of its cases' `points:`; to move points"),
    # making a part extra credit: `bonus: true` (thirty-sixth session; refused before)
    ("    outputs:\n", "    extra_credit: true\n    outputs:\n", 7,
     "a part has no key 'extra_credit': a part is made extra credit by `bonus: true`: its points then add to "
     "the score and not to max_score"),
    ("    outputs:\n", "    bonus: 1\n    outputs:\n", 7, "bonus must be true or false, not 1"),
    ("seed: 1, points: 5}", "seed: 1, points: 5, bonus: true}", 11,
     "a case has no key 'bonus': a case cannot be a bonus on its own: a part is one (`bonus: true` in the part"),
    # loosening one output's tolerance: tolerances are per case
    ('weight: 2}', 'weight: 2, rtol: 1.0e-3}', 8,
     "an output has no key 'rtol': tolerances are set per case, per part or in `defaults:`, not per output; "
     "to hold one output to its own, split the case in two"),
    # a seed that is not an integer, as written by hand
    ("seed: 1,", "seed: 7.0,", 11, "seed must be a whole number, not 7.0; write it without a decimal point: 7"),
    ("seed: 1,", 'seed: "7",', 11, "seed must be a whole number, not '7'; a number in quotes is text: remove the quotes (7)"),
    # a case copied to make another, its name kept
    ("      - {visibility: public, seed: 1, points: 5}\n",
     "      - {name: example, visibility: public, seed: 1, points: 5}\n"
     "      - {name: example, visibility: hidden, seed: 7, points: 5}\n", 12,
     "case name 'example' is used twice in part 'rnn_cell_forward' (first at line 11); students read it, so "
     "give each case of a part a name of its own"),
])
def test_a_mid_term_edit_written_the_wrong_way_says_what_to_write(tmp_path: Path, old, new, line, said):
    """Mid-term edits tried on a fresh clone with docs/rubrics.md only (session 35): each was
    refused at its line, but as an unknown key with the list of known keys, or as 'must be a whole
    number, not 7.0', without what to write instead."""
    path = tmp_path / "quiz.yaml"
    text = RUBRIC.replace("CHECK", "allclose")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert str(info.value).startswith(f"{path}:{line}: {said}"), str(info.value)
