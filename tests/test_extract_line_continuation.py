"""A def whose last line ends with a line continuation (``\\``) followed by a blank line.

Python joins the backslash's line with the blank one and runs the cell (a real notebook of the
thirty-seventh session: ``return np.exp(x) / np.sum(np.exp(x))\\`` then a blank line, then
``def sigmoid``). The grader cut the def's text at its last line, backslash kept, which does not
compile: the student read "Syntax error ...: unexpected EOF while parsing. `softmax` cannot be
graded", an error their notebook does not have, and the course's ``softmax`` stood in for theirs,
so a wrong one of theirs went unseen. Each case is graded through the real grader.
"""
from __future__ import annotations

from pathlib import Path

from grader.extract import extract_file
from grader.runner import grade_submission
from tests import notebooks as nbs

#: A softmax over the whole array (the real notebook's), its def ending with a backslash.
_WHOLE_ARRAY = "def softmax(x):\n    return np.exp(x) / np.sum(np.exp(x))\\\n\n"
#: The right softmax, its def ending the same way.
_RIGHT = ("def softmax(x):\n    e = np.exp(x - np.max(x, axis=0, keepdims=True))\n"
          "    return e / np.sum(e, axis=0, keepdims=True)\\\n\n")


def _notebook(tmp_path: Path, helper: str) -> Path:
    cell = helper + nbs.COURSE_CELLS["rnn_cell_forward"]
    return nbs.write(tmp_path / "student.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))


def test_a_def_ending_with_a_backslash_is_not_a_syntax_error(tmp_path):
    compile(_WHOLE_ARRAY + nbs.COURSE_CELLS["rnn_cell_forward"], "<cell>", "exec")  # Python's own word
    ex = extract_file(_notebook(tmp_path, _WHOLE_ARRAY))
    assert not [d.message for d in ex.diagnostics if "Syntax error" in d.message]
    assert "softmax" in ex.functions
    assert ex.functions["softmax"].source.rstrip().endswith("np.sum(np.exp(x))")


def test_the_students_own_softmax_behind_a_backslash_is_the_one_graded(tmp_path, context, sandbox):
    part = grade_submission(_notebook(tmp_path, _WHOLE_ARRAY), context=context,
                            sandbox=sandbox).part("rnn_cell_forward")
    assert part.points < part.max_points, part.cases[0].message  # theirs sums the whole array
    assert any("softmax" in note for note in part.notes), part.notes
    right = grade_submission(_notebook(tmp_path / "right", _RIGHT), context=context,
                             sandbox=sandbox).part("rnn_cell_forward")
    assert right.points == right.max_points, (right.notes, right.cases[0].message)
