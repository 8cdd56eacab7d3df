"""Mistakes of the tanh derivative, the weight gradients' shapes and sums, the gradient carried back
through ``rnn_backward``, and ``lstm_forward``'s initial states and stored steps, graded through the
real grader and read as the student reads them (thirty-eighth session, helper fb), with the leftovers
of the thirty-seventh session's feedback review (a step's array broadcast into every step, a gate used
above the line that computes it).

Each row is a course notebook with its edits (``tests.notebooks.edited``), the part's points, and a
piece of what the student is told that points at the fix (a case's message, its likely mistake or a
note of the part). What each row was told before this session is in its comment: (a) it pointed at
the fix already, (b) true but vague, (c) misleading, (d) an unfair grade.
"""
from __future__ import annotations

import pytest

from grader.runner import grade_submission
from tests import notebooks as nbs

C, F, CB, RB = "lstm_cell_forward", "lstm_forward", "rnn_cell_backward", "rnn_backward"
_FT = "    ft = sigmoid(np.dot(Wf, concat) + bf)\n"
_OT = "    ot = sigmoid(np.dot(Wo, concat) + bo)\n"
_A_NEXT = "    a_next = ot * np.tanh(c_next)\n"
_DTANH = "(1 - a_next ** 2) * da_next"

MISTAKES = [
    # (id, edits, points of the part, what the student reads)
    # (b) "values differ" alone.
    ("dx += a step given a new axis", [(RB, "dx[:, :, t] = dxt", "dx += dxt[:, :, np.newaxis]")], 17,
     "Line 19, `dx += dxt[:, :, np.newaxis]`, adds `dxt` to every step of `dx`: the new axis of size 1 is "
     "broadcast over all of `dx`'s steps"),
    ("dx = dx + np.expand_dims", [(RB, "dx[:, :, t] = dxt", "dx = dx + np.expand_dims(dxt, axis=2)")], 17,
     "Store each step in its own slice: `dx[:, :, t] = dxt`."),
    ("dx[:, :, :] = a reshaped step", [(RB, "dx[:, :, t] = dxt", "dx[:, :, :] = dxt.reshape(n_x, m, 1)")], 17,
     "writes `dxt` into every step of `dx`"),
    # (b) "`ft` and `it` ... hold the same values: check the lines that compute them" (a gate over two lines);
    # (a) already on one line under the course's names; under the student's own name, nothing but values.
    ("ft over two lines with Wi", [(C, _FT, "    zf = np.dot(Wi, concat) + bi\n    ft = sigmoid(zf)\n")], 0,
     "Line 25 computes `ft`, the forget gate, from `zf` (line 24), made with `Wi` and `bi`, the update gate's"),
    ("forget with Wo", [(C, _FT, "    forget = sigmoid(np.dot(Wo, z) + bo)\n"), (C, "ft * c_prev", "forget * c_prev"),
                        (C, "c_prev, ft, it", "c_prev, forget, it"),
                        (C, "concat = np.zeros((n_a + n_x, m))", "z = concat = np.zeros((n_a + n_x, m))")], 0,
     "Line 24 computes `forget`, the forget gate, with `Wo` and `bo`, the output gate's: the forget gate has its own, "
     "`Wf` and `bf`."),
    # (b) "check the order of `Wf.T` and `concat` and whether one of them needs its transpose" (the RNN's weights
    # alone were told the product to write).
    ("Wf transposed", [(C, "np.dot(Wf, concat)", "np.dot(Wf.T, concat)")], 0,
     "`Wf` (n_a, n_a + n_x) has a column for each row of `concat` as it is: leave out its `.T`, `np.dot(Wf, concat)`."),
    ("Wy after a_next", [(C, "np.dot(Wy, a_next)", "np.dot(a_next, Wy)")], 0,
     "the weight comes first, then `a_next`, `np.dot(Wy, a_next)`."),
    ("Wy times concat", [(C, "np.dot(Wy, a_next)", "np.dot(Wy, concat)")], 0,
     "`Wy` (n_y, n_a) has a column for each row of the hidden state `a_next`, not of `concat`"),
    # (b) the UnboundLocalError's fix, "or give the variable of line 29 another name if you meant the `ot`
    # from outside the function", where nothing outside gives one.
    ("ot computed below a_next", [(C, _OT, ""), (C, _A_NEXT, _A_NEXT + _OT)], 0,
     "Line 28 reads `ot`, which line 29 computes below it (`ot = sigmoid(np.dot(Wo, concat) + bo)`): a function "
     "runs its lines from the top, so `ot` has no value yet on line 28. Move line 29 up, above line 28"),
]


@pytest.mark.parametrize("edits, points, said", [row[1:] for row in MISTAKES], ids=[row[0] for row in MISTAKES])
def test_a_derivative_or_storage_mistake_is_graded_fairly_and_told_its_fix(tmp_path, context, sandbox, edits, points,
                                                                          said):
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(nbs.edited(*edits)))
    part = grade_submission(path, context=context, sandbox=sandbox).part(edits[0][0])
    assert part.points == pytest.approx(points, abs=1e-4), (part.points, [c.message for c in part.cases])
    told = " ".join([*part.notes, *(c.message for c in part.cases),
                     *(c.diagnosis.message for c in part.cases if c.diagnosis is not None)])
    assert said in told, told
