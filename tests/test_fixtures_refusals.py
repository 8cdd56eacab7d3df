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
