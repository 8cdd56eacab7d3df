"""A TA's fixtures (session 26): every refusal of a fixture file says how to make it right."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.fixtures import FixtureError, load_fixtures
from grader.rubric import load_rubric
from tests.test_rubric_edit_mistakes import RUBRIC

REPO = Path(__file__).resolve().parent.parent


def test_a_fixture_file_of_another_rubric_is_refused_with_the_command_that_mends_it(tmp_path):
    """A TA copied rnn.public.json to start the fixtures of a quiz rubric: the refusal named the
    two rubrics but, unlike every other refusal of a fixture file, not the command to run."""
    path = tmp_path / "quiz.yaml"
    path.write_text(RUBRIC.replace("CHECK", "allclose"), encoding="utf-8")
    (tmp_path / "fixtures").mkdir()
    shutil.copy(REPO / "rubrics" / "fixtures" / "rnn.public.json", tmp_path / "fixtures" / "quiz.public.json")
    with pytest.raises(FixtureError) as info:
        load_fixtures(load_rubric(path), visibilities=("public",))
    message = str(info.value)
    assert "holds fixtures of rubric 'rnn', not 'quiz'" in message, message
    assert message.endswith(f"; run: python3 -m grader.regenerate {path}"), message


def test_a_depends_added_without_regenerating_is_refused_not_graded_without_isolation(tmp_path):
    """An instructor adds ``depends: [rnn_cell_forward]`` to rnn_forward (as regenerate's warning
    says) and grades without regenerating. ``depends`` is no part of a case's spec, so the
    fixtures did not read as stale: the runner let the student's own cell answer, and
    alan_partly_wrong (a cell without its bias, a right loop) scored 0 of 15 on rnn_forward
    instead of 15, without a word."""
    from grader import regenerate as rg

    rubric_path = tmp_path / "rnn.yaml"
    text = (REPO / "rubrics" / "rnn.yaml").read_text(encoding="utf-8")
    listed = "  - function: rnn_forward\n    depends: [rnn_cell_forward]\n"
    assert listed in text
    rubric_path.write_text(text.replace(listed, "  - function: rnn_forward\n"), encoding="utf-8")
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    rubric_path.write_text(text, encoding="utf-8")  # the depends back, the fixtures not regenerated
    rubric = load_rubric(rubric_path)
    part_line = next(p.line for p in rubric.parts if p.name == "rnn_forward")
    with pytest.raises(FixtureError) as info:
        load_fixtures(rubric)
    message = str(info.value)
    assert message.startswith(f"{rubric_path}:{part_line}: part 'rnn_forward' depends on rnn_cell_forward"), message
    assert "no reference trace" in message and "rnn_forward/public-1" in message, message
    assert message.endswith(f"; run: python3 -m grader.regenerate {rubric_path}"), message
    # isolate: false needs no trace; and regenerating mends it
    rubric_path.write_text(text.replace(listed, listed + "    isolate: false\n"), encoding="utf-8")
    load_fixtures(load_rubric(rubric_path))
    rubric_path.write_text(text, encoding="utf-8")
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    load_fixtures(load_rubric(rubric_path))
