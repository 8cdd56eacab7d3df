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
