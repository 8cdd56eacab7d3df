"""Session 29, polish: a helper or graded function written after a ``;`` behind a statement the
grader does not keep (``x = g(); f = lambda ...``).

Python runs both statements of the line. The grader's fast reading of a cell looked at the
line's first statement only: a call on its right, or no assignment at all, and the whole line was
dropped, the lambda with it. Each case is graded through the real grader.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.runner import grade_submission
from tests import notebooks as nbs

_GOOD = ('lambda xt, a_prev, p: (lambda a: (a, softmax(np.dot(p["Wya"], a) + p["by"]), (a, a_prev, xt, p)))'
         '(np.tanh(np.dot(p["Waa"], a_prev) + np.dot(p["Wax"], xt) + p["ba"]))')
_BAD = 'lambda xt, a_prev, p: (a_prev, a_prev, (a_prev, a_prev, xt, p))'


def _part(tmp_path: Path, cell: str, context, sandbox):
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    return grade_submission(path, context=context, sandbox=sandbox).part("rnn_cell_forward")


@pytest.mark.parametrize("cell, full", [
    # The right function after a statement the grader drops: it was not found (0 / 10).
    (f"x = np.ones(3); rnn_cell_forward = {_GOOD}\n", True),
    (f"x = 2 * 3; rnn_cell_forward = {_GOOD}\n", True),
    (f"print('defining'); rnn_cell_forward = {_GOOD}\n", True),
    (f"n = 0\nn += 1; rnn_cell_forward = {_GOOD}\n", True),
    # Defined again after such a statement: Python calls the later one, the grader graded the first.
    (f"rnn_cell_forward = {_BAD}\nx = np.ones(3); rnn_cell_forward = {_GOOD}\n", True),
    (f"rnn_cell_forward = {_GOOD}\nx = np.ones(3); rnn_cell_forward = {_BAD}\n", False),
])
def test_a_function_after_a_semicolon_behind_a_dropped_statement_is_graded(tmp_path, context, sandbox, cell, full):
    part = _part(tmp_path, cell, context, sandbox)
    assert (part.points == part.max_points) is full, (part.points, part.notes, part.cases[0].message)
