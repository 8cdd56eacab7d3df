"""Template blanks after a ``return`` of the def's body never run, so they are not "not
implemented" (``placeholders.unreached_from``). A real notebook of the thirty-fifth session wrote
its right ``rnn_backward`` above the template's body, left below its ``return`` with
``dx[:, :, t] = None``: graded 0 / 20, "not implemented yet", for a function that returns the
right gradients."""
from __future__ import annotations

from grader.extract import extract
from grader.notebook import Cell, Notebook
from tests import notebooks as nbs
from tests.test_review_s23 import _grade

TEMPLATE_LEFT = ("\n    ### START CODE HERE ###\n    dx = None\n    for t in reversed(range(T_x)):\n"
                 "        dx[:, :, t] = None\n        dWax += None\n    da0 = None\n    ### END CODE HERE ###\n")
BELOW_RETURN = nbs.mutate("rnn_backward", "    return gradients\n", "    return gradients\n" + TEMPLATE_LEFT)


def _placeholder(body: str) -> bool:
    source = "import numpy as np\n\ndef f(x, T_x):\n" + body
    notebook = Notebook(path="student.ipynb", nbformat=(4, 5), cells=(Cell(0, "code", source, ()),))
    return extract(notebook).functions["f"].placeholder


def test_the_template_left_below_a_right_function_s_return_costs_nothing(tmp_path, context, sandbox):
    assert "dx[:, :, t] = None" in BELOW_RETURN["rnn_backward"]
    part = _grade(tmp_path, nbs.course_notebook(BELOW_RETURN), context, sandbox).part("rnn_backward")
    assert (part.status, part.points) == ("passed", part.max_points), (part.status, part.points, part.notes)


def test_blanks_that_run_are_still_unfinished():
    left = "    dx = None\n    dx[:, :, 0] = None\n"
    assert _placeholder(left + "    return dx\n")
    # a return inside a block does not end the body; one after the blanks ends nothing they are in
    assert _placeholder("    if x is None:\n        return 0\n" + left + "    return dx\n")
    assert not _placeholder("    dx = np.zeros(3)\n    return dx\n" + left)
    assert not _placeholder("    raise ValueError(x)\n" + left)
