"""Mistakes of the tanh derivative, the weight gradients' shapes and sums, the gradient carried back
through ``rnn_backward``, and ``lstm_forward``'s initial states and stored steps, graded through the
real grader and read as the student reads them (thirty-eighth session, helper fb), with the leftovers
of the thirty-seventh session's feedback review (a step's array broadcast into every step, a gate used
above the line that computes it).

Each row is a course notebook with its edits (``tests.notebooks.edited``), the part's points, and a
piece of what the student is told that points at the fix (a case's message, its likely mistake or a
note of the part). What each row was told before this session is in its comment: (a) it pointed at
the fix already, (b) true but vague, (c) misleading, (d) an unfair grade. Of the 33 new mistakes (and
2 right variants), 20 were (a), 12 (b) and one (c) (``dtanh`` made square by ``np.dot``, then sent to
the order and transpose of a right line); no grade was unfair: a part loses what its wrong outputs are
worth, no more. The 13 and the nine rows of the leftovers fail on 164839a.
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
    # The tanh derivative of rnn_cell_backward.
    ("dtanh (1 - a)**2", [(CB, _DTANH, "(1 - a_next) ** 2 * da_next")], 0, "squares `a_next` alone"),  # (a)
    ("dtanh with its sign flipped", [(CB, _DTANH, "(a_next ** 2 - 1) * da_next")], 0,  # (b)
     "Line 11, `dtanh = (a_next ** 2 - 1) * da_next`, subtracts the other way round (`a_next ** 2 - 1`). The tanh "
     "derivative at this step is `1 - a_next ** 2` (`a_next` is the tanh already), times the gradient that comes in: "
     "`dtanh = (1 - a_next ** 2) * da_next`."),
    ("dtanh without brackets", [(CB, _DTANH, "1 - a_next ** 2 * da_next")], 0,  # (b)
     "multiplies `a_next ** 2` by `da_next` before the subtraction (`*` comes before `-`)"),
    ("dtanh of tanh(a_prev)", [(CB, _DTANH, "(1 - np.tanh(a_prev) ** 2) * da_next")], 0,  # (b)
     "takes the derivative at `a_prev`, the step before's hidden state, and applies tanh to it"),
    ("dtanh as the sigmoid's", [(CB, _DTANH, "a_next * (1 - a_next) * da_next")], 0,  # (b)
     "is the sigmoid's derivative, `s * (1 - s)`"),
    ("dtanh without the square", [(CB, _DTANH, "(1 - a_next) * da_next")], 0,  # (b)
     "leaves out the square of `a_next`"),
    ("right: dtanh as (1 - a)(1 + a)", [(CB, _DTANH, "da_next * (1 - a_next) * (1 + a_next)")], 20, ""),
    ("right: dtanh with np.square", [(CB, _DTANH, "(1 - np.square(a_next)) * da_next")], 20, ""),
    # (c) "check the order of `dtanh` and `xt.T` and whether one of them needs its transpose", a line that is right.
    ("dtanh made by a matrix product", [(CB, _DTANH, "np.dot(1 - a_next ** 2, da_next.T)")], 0,
     "`dtanh` is square, (5, 5), because line 11 makes it with a matrix product (`dtanh = np.dot(1 - a_next ** 2, "
     "da_next.T)`): to multiply two arrays of one shape element by element, keeping that shape, write `*`."),
    # Thirty-eighth session: the hint named the function's last matrix product of `dtanh`, here line 17, below
    # the line that raised, where the one that made it square is line 11.
    ("dtanh made by a matrix product, remade below", [
        (CB, _DTANH, "np.dot(1 - a_next ** 2, da_next.T)"),
        (CB, "    ### END CODE HERE ###", "    dtanh = np.dot(Waa, dtanh)\n    ### END CODE HERE ###")], 0,
     "`dtanh` is square, (5, 5), because line 11 makes it with a matrix product (`dtanh = np.dot(1 - a_next ** 2, "
     "da_next.T)`)"),
    # The weight gradients' shapes and sums.
    # Thirty-eighth session: told "values differ" alone; the step's own gradient is what to add.
    ("dWaa summed from da and a0", [(RB, "dWaa += dWaat", "dWaa += np.dot(da[:, :, t], a0.T)")], 16,
     "Line 21, `dWaa += np.dot(da[:, :, t], a0.T)`, makes the step's part of `dWaa` itself, from the input `da`: "
     "`rnn_cell_backward` gives each step's (`gradients[\"dWaa\"]`, line 17). Add that: "
     "`dWaa += gradients[\"dWaa\"]`."),
    ("dWax transposed", [(CB, "np.dot(dtanh, xt.T)", "np.dot(xt, dtanh.T)")], 16, "It looks transposed."),  # (a)
    ("dWaa transposed, square", [(CB, "np.dot(dtanh, a_prev.T)", "np.dot(a_prev, dtanh.T)")], 16,  # (b)
     "`dWaa` holds the transpose of the right values (a square array: its shape does not show it)"),
    ("dWax divided by m", [(CB, "np.dot(dtanh, xt.T)", "np.dot(dtanh, xt.T) / xt.shape[1]")], 17,  # (b)
     "`dWax` is 1/10 times the right values at every entry"),
    ("dWaa from da_next", [(CB, "np.dot(dtanh, a_prev.T)", "np.dot(da_next, a_prev.T)")], 16,  # (a)
     "The gradient skips the tanh derivative"),
    ("dWaa without a_prev's transpose", [(CB, "np.dot(dtanh, a_prev.T)", "np.dot(dtanh, a_prev)")], 0,  # (a)
     "is the matrix product of the gradient and the transpose of the input, as in `np.dot(dtanh, a_prev.T)`"),
    ("dba without keepdims", [(CB, "np.sum(dtanh, axis=1, keepdims=True)", "np.sum(dtanh, axis=1)")], 16,  # (a)
     "keep it with `keepdims=True`"),
    ("dba summed over everything", [(CB, "np.sum(dtanh, axis=1, keepdims=True)", "np.sum(dtanh)")], 16,  # (a)
     "It is a single number"),
    ("dba a mean", [(CB, "np.sum(dtanh, axis=1, keepdims=True)", "np.mean(dtanh, axis=1, keepdims=True)")], 17,
     "not their mean"),  # (a)
    ("dba from da_next", [(CB, "np.sum(dtanh, axis=1, keepdims=True)", "np.sum(da_next, axis=1, keepdims=True)")],
     16, "The gradient skips the tanh derivative"),  # (a)
    # rnn_backward's gradient carried back and its first step's; (b) "called `rnn_cell_backward` with inputs that
    # differ from those of a correct run (first at call 1, in `da_next`): check what you pass" alone.
    ("another step's da", [(RB, "da[:, :, t] + da_prevt", "da[:, :, t - 1] + da_prevt")], 5,
     "Line 17 passes `da[:, :, t - 1]` to `rnn_cell_backward`, the gradient of another step's output"),
    ("da times the carried", [(RB, "da[:, :, t] + da_prevt", "da[:, :, t] * da_prevt")], 0,
     "the gradients that reach a step add up, its own output's and the one carried back. Pass "
     "`da[:, :, t] + da_prevt`."),
    ("the carried one added up", [(RB, 'gradients["dxt"], gradients["da_prev"]',
                                   'gradients["dxt"], da_prevt + gradients["da_prev"]')], 5,
     "adds each step's gradient to the carried `da_prevt`"),
    ("the carried one started at the last step's", [(RB, "da_prevt = np.zeros((n_a, m))", "da_prevt = da[:, :, -1]")],
     0, "Line 14, `da_prevt = da[:, :, -1]`, starts the carried `da_prevt` at another value than zeros"),
    ("da0 from da", [(RB, "    da0 = da_prevt\n", "    da0 = da[:, :, 0]\n")], 16,
     "`da0` is the gradient that leaves the first step"),  # (a)
    ("the steps run forward", [(RB, "reversed(range(T_x))", "range(T_x)")], 5,
     "runs from the last step to the first"),  # (a)
    # lstm_forward's initial states and the steps it stores.
    ("c starts from a0", [(F, "c_next = np.zeros(a_next.shape)", "c_next = a0")], 0, "`c0` must be zeros"),  # (a)
    ("c starts from ones", [(F, "c_next = np.zeros(a_next.shape)", "c_next = np.ones(a_next.shape)")], 0,  # (a)
     "where a correct run passes an array of zeros"),
    ("a starts from zeros", [(F, "a_next = a0", "a_next = np.zeros(a0.shape)")], 0,
     "it must start from the given `a0`"),  # (a)
    ("c reset in the loop", [(F, "    c_next = np.zeros(a_next.shape)\n    for t in range(T_x):\n",
                              "    for t in range(T_x):\n        c_next = np.zeros(a_next.shape)\n")], 4,
     "The memory is reset at every step"),  # (a)
    ("a reset in the loop", [(F, "    a_next = a0\n    c_next = np.zeros(a_next.shape)\n    for t in range(T_x):\n",
                              "    c_next = np.zeros(a0.shape)\n    for t in range(T_x):\n        a_next = a0\n")],
     4, "every step starts again from `a0`"),  # (a)
    ("c not stored", [(F, "        c[:, :, t] = c_next\n", "")], 75 / 7, "Your memory states `c` stay zero"),  # (a)
    ("c stores a_next", [(F, "c[:, :, t] = c_next", "c[:, :, t] = a_next")], 75 / 7,
     "Your memory states `c` hold the hidden states"),  # (a)
    ("y stored after the loop", [(F, "        y[:, :, t] = yt\n        c[:, :, t] = c_next\n        caches.append(cache)\n",
                                  "        c[:, :, t] = c_next\n        caches.append(cache)\n    y[:, :, t] = yt\n")],
     83 / 7, "comes after the loop, so it runs once"),  # (a)
    ("c stored before the step's call", [(F, "        c[:, :, t] = c_next\n", ""),  # (b)
                                         (F, "        a_next, c_next, yt, cache", "        c[:, :, t] = c_next\n"
                                                                                  "        a_next, c_next, yt, cache")],
     75 / 7, "`c` holds each step's value one slot late"),
    ("c replaced at each step", [(F, "c[:, :, t] = c_next", "c = c_next")], 75 / 7,
     "`c = c_next` on line 19 replaces all of `c` at every step"),  # (a)
    ("c made without the steps' axis", [(F, "c = np.zeros((n_a, m, T_x))", "c = np.zeros((n_a, m))")], 0,
     "`c` has 2 axes here, and `c[:, :, t]` indexes 3"),  # (a)
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
    # Thirty-eighth session: the line that raised was found by its text, and an identical line above it, not run,
    # was named in its place (line 29).
    ("ot computed below a_next, which a branch not run reads too", [
        (C, _OT, ""), (C, _A_NEXT, "    if m < 0:\n    " + _A_NEXT + "    if m > 0:\n    " + _A_NEXT + _OT)], 0,
     "Line 31 reads `ot`, which line 32 computes below it (`ot = sigmoid(np.dot(Wo, concat) + bo)`): a function "
     "runs its lines from the top, so `ot` has no value yet on line 31. Move line 32 up, above line 31"),
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
