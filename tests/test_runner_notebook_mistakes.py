"""Mistakes in the notebook around the graded functions (thirty-third session): what the student
is told when a function reads a value a cell sets, calls their own course helper, or is defined
where the grader does not read it.

Each notebook is the course's with one notebook-level change, graded through the real grader;
each rule has a control that keeps the text right code was given.
"""
from __future__ import annotations

from pathlib import Path

from grader.runner import grade_submission
from tests import notebooks as nbs

_CELL = nbs.COURSE_CELLS["rnn_cell_forward"]


def _graded(tmp_path: Path, nb: dict, context, sandbox):
    return grade_submission(nbs.write(tmp_path / "student.ipynb", nb), context=context, sandbox=sandbox)


def _with_cell(source: str, *, at: int = 2, overrides: dict | None = None) -> dict:
    """The course notebook with a code cell of ``source`` put at index ``at`` (2: after the imports)."""
    nb = nbs.course_notebook(overrides)
    nb["cells"].insert(at, nbs.code_cell(source, count=2))
    return nb


def _indented(header: str, source: str) -> str:
    return header + "".join("    " + line if line.strip() else line for line in source.splitlines(keepends=True))


# ------------------------------------------------------------------ the student's own softmax, sigmoid

def test_an_own_softmax_over_the_whole_array_is_told_in_every_part_that_calls_it(tmp_path, context, sandbox):
    # Before: lstm_cell_forward's yt_pred was wrong with no sentence at all, and no part named the cell
    # holding the student's softmax (which the grader uses instead of the course's).
    nb = _with_cell("def softmax(x):\n    e_x = np.exp(x)\n    return e_x / np.sum(e_x)\n")
    result = _graded(tmp_path, nb, context, sandbox)
    for function in ("rnn_cell_forward", "lstm_cell_forward"):
        notes = " ".join(result.part(function).notes)
        assert f"`{function}` calls your own `softmax` (cell 3 (In [2]))" in notes, notes
        assert "yours normalises the whole array at once" in notes and "over axis 0" in notes, notes


def test_an_own_softmax_over_rows_and_an_own_sigmoid_of_the_wrong_sign_are_told_how_they_differ(
        tmp_path, context, sandbox):
    nb = _with_cell("def softmax(x):\n    e_x = np.exp(x - np.max(x))\n    return e_x / e_x.sum(axis=1, keepdims=True)\n\n"
                    "def sigmoid(x):\n    return 1 / (1 + np.exp(x))\n")
    result = _graded(tmp_path, nb, context, sandbox)
    assert "yours normalises each row (over axis 1)" in " ".join(result.part("rnn_cell_forward").notes)
    lstm = " ".join(result.part("lstm_cell_forward").notes)
    assert "calls your own `sigmoid` (cell 3 (In [2]))" in lstm and "gives 1 - sigmoid" in lstm, lstm


def test_an_own_helper_equal_to_the_course_s_is_not_told_even_when_the_function_fails(tmp_path, context, sandbox):
    # Control: the student's softmax and sigmoid are right; rnn_cell_forward leaves out the bias.
    nb = _with_cell("def softmax(x):\n    e = np.exp(x - np.max(x, axis=0))\n    return e / e.sum(axis=0)\n\n"
                    "def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n",
                    overrides=nbs.mutate("rnn_cell_forward", "+ ba)", ")"))
    result = _graded(tmp_path, nb, context, sandbox)
    part = result.part("rnn_cell_forward")
    assert part.points == 0 and part.cases[0].diagnosis is not None, part
    assert not any("your own" in note for p in result.parts for note in p.notes), [p.notes for p in result.parts]
    assert result.points == 90


# ------------------------------------------------------------------ a graded function not found

def test_a_graded_function_not_found_is_not_taken_for_another_graded_one(tmp_path, context, sandbox):
    # rnn_cell_forward inside `if True:`; rnn_forward's note said "did you mean `rnn_cell_backward`?".
    nb = nbs.course_notebook({"rnn_cell_forward": _indented("if True:\n", _CELL)})
    notes = " ".join(_graded(tmp_path, nb, context, sandbox).part("rnn_forward").notes)
    assert "rnn_cell_backward" not in notes, notes
    assert "uses `rnn_cell_forward`, which the grader did not find" in notes, notes
    assert "graded with a correct `rnn_cell_forward` in its place" in notes, notes


def test_a_graded_function_renamed_is_still_told_its_new_name(tmp_path, context, sandbox):
    # Control: a name near it that the rubric does not grade is still suggested.
    nb = nbs.course_notebook({"rnn_cell_forward": _CELL.replace("def rnn_cell_forward(", "def rnn_cell_forward_v2(")})
    result = _graded(tmp_path, nb, context, sandbox)
    assert "did you mean `rnn_cell_forward_v2`?" in " ".join(result.part("rnn_forward").notes)
    assert "Did you mean to name `rnn_cell_forward_v2` `rnn_cell_forward`?" in result.part("rnn_cell_forward").notes[0]
