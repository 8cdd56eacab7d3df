"""A graded function whose definition takes other arguments than the assignment's (thirty-seventh
session, as a student): the grader's call fails before the function's first line, a TypeError with
no place in the student's code. A student who named a Keras model builder of the bonus
``def lstm_forward(units=32)`` had their ``lstm_forward`` graded as that builder, told only
"lstm_forward() takes from 0 to 1 positional arguments but 3 were given" (and, of the builder's
``keras``, to write it with NumPy)."""
from __future__ import annotations

from pathlib import Path

from grader.runner import grade_submission
from tests import notebooks as nbs

_BUILDER = ("def lstm_forward(units=32):\n"
            "    return [units]\n")


def _message(tmp_path: Path, nb: dict, context, sandbox, function: str) -> str:
    result = grade_submission(nbs.write(tmp_path / "student.ipynb", nb), context=context, sandbox=sandbox)
    part = next(p for p in result.parts if p.function == function)
    assert part.status == "error", part
    return part.cases[0].message


def test_a_helper_named_like_a_graded_function_is_said_to_be_graded(tmp_path, context, sandbox):
    nb = nbs.course_notebook(extra_cells=[nbs.code_cell(_BUILDER, count=30)])
    message = _message(tmp_path, nb, context, sandbox, "lstm_forward")
    assert "takes from 0 to 1 positional arguments but 3 were given" in message
    assert "`def lstm_forward(units=32)`" in message, message
    assert "the last function named `lstm_forward` in the notebook" in message, message
    assert "give it another name" in message, message


def test_a_def_line_changed_is_told_to_keep_the_templates(tmp_path, context, sandbox):
    changed = nbs.COURSE_CELLS["rnn_cell_forward"].replace(
        "def rnn_cell_forward(xt, a_prev, parameters):", "def rnn_cell_forward(xt, a_prev, Wax, Waa, Wya, ba, by):")
    assert changed != nbs.COURSE_CELLS["rnn_cell_forward"]
    nb = nbs.course_notebook({"rnn_cell_forward": changed})
    message = _message(tmp_path, nb, context, sandbox, "rnn_cell_forward")
    assert "`def rnn_cell_forward(xt, a_prev, Wax, Waa, Wya, ba, by)`" in message, message
    assert "the assignment's 3 arguments" in message and "keep the template's `def` line" in message, message
    assert "another name" not in message, message
