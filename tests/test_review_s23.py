"""Twenty-third session's fairness review: notebooks the tests write (from ``tests/notebooks.py``'s
course notebook), graded through the real grader; each test failed before its fix."""
from __future__ import annotations

from pathlib import Path

from grader.runner import grade_submission
from tests import notebooks as nbs


def _grade(tmp_path: Path, nb: dict, context, sandbox):
    """The result of grading ``nb``, written to ``tmp_path``."""
    return grade_submission(nbs.write(tmp_path / "student.ipynb", nb), context=context, sandbox=sandbox)


# --------------------------------------------------------------------------- rnn_cell_forward = RNN.cell

#: A right cell as a static method of a class, graded under its alias.
STATIC_CELL = ("class RNN:\n    @staticmethod\n    def cell(xt, a_prev, parameters):\n        p = parameters\n"
               "        a = np.tanh(p['Wax'] @ xt + p['Waa'] @ a_prev + p['ba'])\n"
               "        return a, softmax(p['Wya'] @ a + p['by']), (a, a_prev, xt, parameters)\n\n\n"
               "rnn_cell_forward = RNN.cell\n")


def test_a_wrong_key_in_a_method_bound_to_a_graded_name_names_the_parameter(tmp_path, context, sandbox):
    # "If you read it from argument 3": the alias's one line has no parameters to name it by.
    cell = STATIC_CELL.replace("p['Wax']", "p['Wxx']")
    case = _grade(tmp_path, nbs.course_notebook({"rnn_cell_forward": cell}), context, sandbox).part(
        "rnn_cell_forward").cases[0]
    assert "If you read it from `parameters`: its keys are" in case.message, case.message


def test_a_class_method_bound_to_a_graded_name_is_named_without_its_class_parameter(tmp_path, context, sandbox):
    cell = (STATIC_CELL.replace("@staticmethod", "@classmethod").replace("def cell(xt", "def cell(cls, xt")
            .replace("p['Wax']", "p['Wxx']"))
    case = _grade(tmp_path, nbs.course_notebook({"rnn_cell_forward": cell}), context, sandbox).part(
        "rnn_cell_forward").cases[0]
    assert "If you read it from `parameters`: its keys are" in case.message, case.message


def test_an_error_a_composite_causes_in_a_bound_method_is_blamed_on_the_call(tmp_path, context, sandbox):
    # rnn_forward passes 0 for the parameters to a right cell bound as RNN.cell: the error is raised
    # in `cell`, and the sentence saying the call is the mistake (the cell is graded on its own,
    # 10 / 10) was missing, as it is not for a plain def.
    forward = nbs.COURSE_CELLS["rnn_forward"].replace("a_next, parameters)", "a_next, 0)")
    assert forward != nbs.COURSE_CELLS["rnn_forward"]
    result = _grade(tmp_path, nbs.course_notebook({"rnn_cell_forward": STATIC_CELL, "rnn_forward": forward}),
                    context, sandbox)
    assert result.part("rnn_cell_forward").points == 10
    message = result.part("rnn_forward").cases[0].message
    assert "The error is in your `rnn_cell_forward`, but it comes from what `rnn_forward` passed" in message, message
    assert "in `parameters`" in message, message
