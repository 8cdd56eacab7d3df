"""A part graded apart from a per-step function the course added (docs/rubrics.md, a GRU cell):
``depends: [gru_cell_forward]`` without grading ``gru_cell_forward`` itself. Until the
thirty-seventh session the rubric refused it ("neither a graded function of this rubric nor a
known per-step function; did you mean 'rnn_cell_forward'?"): only the assignment's four cells could
be named so. The generator checks such a name against the reference instead."""
from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import numpy as np
import pytest

from grader import regenerate as rg
from grader.rubric import RubricError, load_rubric, parse_rubric
from solution.rnn import rnn_cell_forward
from tests.test_commands_roster import grade
from tests.test_fixtures import reference  # noqa: F401 - a fixture

LOOP_ONLY = """version: 1
name: steps
defaults: {timeout: 2}
parts:
  - function: halved_forward
    depends: [halved_cell]
    outputs:
      - {name: a, path: "[0]"}
      - {name: y, path: "[1]"}
    cases:
      - {name: example, visibility: public, builder: rnn_forward, seed: 1, points: 5,
         dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 4}}
      - {visibility: hidden, builder: rnn_forward, seed: 7, points: 5, dims: {n_x: 4, n_a: 6, n_y: 3, m: 2, T_x: 3}}
"""


def halved_cell(xt, a_prev, parameters):
    """A per-step function the course added: the RNN cell from half the previous state."""
    return rnn_cell_forward(xt, a_prev / 2, parameters)


def halved_forward(x, a0, parameters):
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    a, y = np.zeros((n_a, m, T_x)), np.zeros((n_y, m, T_x))
    a_next = a0
    for t in range(T_x):
        a_next, yt, _ = halved_cell(x[:, :, t], a_next, parameters)
        a[:, :, t], y[:, :, t] = a_next, yt
    return a, y


#: A student's loop, the reference's own, over a wrong cell of their own.
STUDENT = """import numpy as np

def halved_cell(xt, a_prev, parameters):
    return a_prev, a_prev, None   # wrong: costs nothing in halved_forward, graded apart from it

""" + inspect.getsource(halved_forward)


@pytest.fixture(autouse=True)
def steady_grader(monkeypatch):
    """Edits to grader/ by others during a test must not make the keys stale (see test_batch)."""
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")


def test_a_part_depends_on_a_new_per_step_function_it_does_not_grade(tmp_path, reference, monkeypatch):  # noqa: F811
    course = dataclasses.replace(reference, functions={**reference.functions, "halved_cell": halved_cell,
                                                       "halved_forward": halved_forward})
    monkeypatch.setattr(rg, "load_reference", lambda: course)
    rubric = tmp_path / "rubrics" / "steps.yaml"
    rubric.parent.mkdir()
    rubric.write_text(LOOP_ONLY, encoding="utf-8")
    assert load_rubric(rubric).part("halved_forward").depends == ("halved_cell",)
    assert rg.main([str(rubric)]) == rg.EXIT_OK
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ada.py").write_text(STUDENT, encoding="utf-8")
    out = tmp_path / "out"
    grade(subs, out, rubric=rubric)
    assert (out / "grades.csv").read_text(encoding="utf-8").splitlines()[1:] == ["ada,10,10,10"]


def test_a_slip_of_a_known_function_in_depends_is_still_refused_at_its_line():
    """The control: a letter away from an assignment's cell is a slip, said at the depends line."""
    text = LOOP_ONLY.replace("depends: [halved_cell]", "depends: [rnn_cell_forwrd]")
    with pytest.raises(RubricError) as info:
        parse_rubric(text, path="steps.yaml")
    assert str(info.value).startswith("steps.yaml:6: depends names 'rnn_cell_forwrd', which is neither a graded "
                                      "function of this rubric nor a known per-step function; did you mean "
                                      "'rnn_cell_forward'?"), info.value


def test_a_name_the_reference_does_not_call_is_the_generators_to_refuse(tmp_path, reference, monkeypatch):  # noqa: F811
    course = dataclasses.replace(reference, functions={**reference.functions, "halved_cell": halved_cell,
                                                       "halved_forward": halved_forward})
    monkeypatch.setattr(rg, "load_reference", lambda: course)
    rubric = tmp_path / "steps.yaml"
    rubric.write_text(LOOP_ONLY.replace("depends: [halved_cell]", "depends: [halved_cel]"), encoding="utf-8")
    with pytest.raises(rg.RegenerateError) as info:
        rg.compute_fixtures(load_rubric(rubric), reference=course)
    assert str(info.value) == (f"{rubric}:5: depends names 'halved_cel', which the reference halved_forward cannot "
                               "call (no such global in its module); did you mean 'halved_cell'?"), info.value
