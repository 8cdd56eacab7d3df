"""What a syntax error in a graded function says (thirty-eighth session, from the real notebooks): the
template's tuple left blank, ``(a1, a0, x1, parameters) =``, told "invalid syntax" alone; a bracket left
open above the next line, told Python's guess "invalid syntax. Perhaps you forgot a comma?." (with a
stray full stop after its question mark)."""
from __future__ import annotations

import pytest

from grader.runner import grade_submission
from tests import notebooks as nbs


def _notes(tmp_path, edit, context, sandbox, function):
    nb = nbs.course_notebook(edit)
    part = grade_submission(nbs.write(tmp_path / "s.ipynb", nb), context=context, sandbox=sandbox).part(function)
    assert part.status == "error" and part.points == 0, part
    return " ".join(part.notes)


@pytest.mark.parametrize("blank", ["(a1, a0, x1, parameters) =", "a1, a0, x1, parameters =  # (≈1 line)",
                                   "(a1, a0, x1, parameters,) ="])
def test_the_templates_tuple_left_blank_is_told_as_a_blank(tmp_path, context, sandbox, blank):
    edit = nbs.mutate("rnn_backward", "(a1, a0, x1, parameters) = caches[0]", blank)
    said = _notes(tmp_path, edit, context, sandbox, "rnn_backward")
    assert f"`{blank.split('#')[0].strip()}` has nothing after the `=` (a blank of the template" in said, said


def test_a_bracket_left_open_above_the_next_line_is_told_to_close_it(tmp_path, context, sandbox):
    # A real notebook's two lines, each with a bracket open.
    edit = nbs.edited(("rnn_cell_backward", "dxt = np.dot(Wax.T, dtanh)", "dxt = da_next * np.dot(Wax.T, (1 - a_next ** 2)"),
                      ("rnn_cell_backward", "dWax = np.dot(dtanh, xt.T)", "dWax = da_next * np.dot((1 - a_next ** 2, xt.T) (...)"))
    said = _notes(tmp_path, edit, context, sandbox, "rnn_cell_backward")
    assert "?." not in said, said
    # Python 3.11 guesses a missing comma; 3.10 may say the bracket was never closed, which is told as it is.
    assert ("the line opens 2 brackets `(` and closes 1, so Python reads the next line as more of what is inside: "
            "close each `(`. `rnn_cell_backward` cannot be graded" in said or "was never closed" in said), said


def test_pythons_other_words_keep_one_full_stop(tmp_path, context, sandbox):
    # A missing comma between two names on a line whose brackets close: Python's guess is kept, once punctuated.
    edit = nbs.mutate("rnn_cell_backward", "dxt = np.dot(Wax.T, dtanh)", "dxt = np.dot(Wax.T dtanh)")
    said = _notes(tmp_path, edit, context, sandbox, "rnn_cell_backward")
    assert "Perhaps you forgot a comma? `rnn_cell_backward` cannot be graded" in said and "?." not in said, said
