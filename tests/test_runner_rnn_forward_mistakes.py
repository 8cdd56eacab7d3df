"""Mistakes of the RNN forward pass (rnn_cell_forward, rnn_forward) and mistakes across functions (a right
composite over a wrong step, a composite calling another part's step, a backward pass written for the
student's own cache or keys), graded through the real grader and read as the student reads them
(thirty-sixth session, helper fb).

Each row is a course notebook with one or two cells edited (``tests.notebooks.mutate``), the function whose
part is read, its points, and a piece of what the student is told that points at the fix (a case's
message, its likely mistake or a note of the part). Before this session two were misled: an
``rnn_forward`` unpacking ``yt_pred, a_next, cache`` from its own ``rnn_cell_forward`` that returned them
in that order was told "check the sizes `a` was created with"; an ``lstm_forward`` calling
``rnn_cell_forward`` was told ``KeyError: 'Wax'`` with "its keys are Wf, Wi, ...". Five were told NumPy's
or Python's words alone (``ba.T`` in a sum, another part's step called, a key the student's own step had
renamed, a cache unpacked into the names of the student's own longer cache, ``caches[0]`` read before
``caches`` was taken apart), and four only that values differ (a value stored twice in the cache; the tanh
left out, a ReLU for it and the prediction made from the sum inside it, now known mistakes). The
grades were fair: each part is graded on its own, given the course's values.
"""
from __future__ import annotations

import pytest

from grader.runner import grade_submission
from tests import notebooks as nbs

CF, RF, LF, CB, RB = "rnn_cell_forward", "rnn_forward", "lstm_forward", "rnn_cell_backward", "rnn_backward"
_CELL_LINE = "a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)"


_edits = nbs.edited


MISTAKES = [
    # (id, cells, the part read, its points, what the student reads)
    ("Wax and Waa swapped", _edits((CF, "np.dot(Waa, a_prev) + np.dot(Wax, xt)", "np.dot(Wax, a_prev) + np.dot(Waa, xt)")),
     CF, 0, "Multiply each by what it fits: `np.dot(Waa, a_prev)` and `np.dot(Wax, xt)`"),
    ("Wya times a_next element by element", _edits((CF, "np.dot(Wya, a_next)", "Wya * a_next")), CF, 0,
     "for the matrix product of a (2, 5) and a (5, 10) array write `np.dot(a, b)`"),
    ("ba transposed", _edits((CF, "np.dot(Wax, xt) + ba)", "np.dot(Wax, xt) + ba.T)")), CF, 0,
     "`ba.T` has shape (1, 5), a row: the column `ba`, of shape (5, 1), adds to each of the 10 columns of a (5, 10) "
     "array, its transpose does not. Leave out the `.T`."),
    ("softmax of a_next", _edits((CF, "softmax(np.dot(Wya, a_next) + by)", "softmax(a_next)")), CF, 6,
     "`yt_pred` has the shape (5, 10) that `a_next` should have"),
    ("return order", _edits((CF, "return a_next, yt_pred, cache", "return yt_pred, a_next, cache")), CF, 2,
     "Return them in the order asked for: `return a_next, yt_pred, cache`"),
    ("a_next stored twice in the cache", _edits((CF, "cache = (a_next, a_prev, xt, parameters)",
                                                 "cache = (a_next, a_next, xt, parameters)")), CF, 8,
     "Line 20, `cache = (a_next, a_next, xt, parameters)`, stores `a_next` twice, 1st and 2nd: its 2nd place needs "
     "another value, the one the backward pass unpacks 2nd."),
    ("tanh left out", _edits((CF, _CELL_LINE, "a_next = np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba")), CF, 0,
     "`a_next` leaves out the tanh"),
    ("a ReLU for the tanh", _edits((CF, "a_next = np.tanh(", "a_next = np.maximum(0, ")), CF, 0,
     "`a_next` uses a ReLU (`np.maximum(0, ...)`); the RNN cell's activation is tanh"),
    ("y from the sum inside the tanh", _edits((CF, _CELL_LINE, "z = np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba\n"
                                                               "    a_next = np.tanh(z)"),
                                              (CF, "softmax(np.dot(Wya, a_next) + by)", "softmax(np.dot(Wya, z) + by)")),
     CF, 6, "The prediction is made from the sum inside the tanh, not from `a_next`"),
    ("Wya read as Wy", _edits((CF, 'Wya = parameters["Wya"]', 'Wya = parameters["Wy"]')), CF, 0,
     "its keys are Waa, Wax, Wya, ba, by"),
    ("a stored before the step", _edits((RF, "        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, "
                                             "parameters)\n        a[:, :, t] = a_next\n",
                                         "        a[:, :, t] = a_next\n        a_next, yt_pred, cache = "
                                         "rnn_cell_forward(x[:, :, t], a_next, parameters)\n")), RF, 9,
     "it is stored before the step computes its own. Store it after."),
    ("a stored in y", _edits((RF, "y_pred[:, :, t] = yt_pred", "y_pred[:, :, t] = a_next")), RF, 0,
     "and that `a_next` is the value that belongs there"),
    ("n_y and n_a swapped", _edits((RF, 'n_y, n_a = parameters["Wya"].shape', 'n_a, n_y = parameters["Wya"].shape')),
     RF, 0, "check the sizes `a` was created with"),
    ("a created with n_x", _edits((RF, "a = np.zeros((n_a, m, T_x))", "a = np.zeros((n_x, m, T_x))")), RF, 0,
     "`a[:, :, t]` has room for an array of shape (3, 10), and `a_next` has shape (5, 10)"),
    ("T_x and m swapped", _edits((RF, "n_x, m, T_x = x.shape", "n_x, T_x, m = x.shape")), RF, 0,
     "check the sizes `a` was created with"),
    ("a_next appended to caches", _edits((RF, "caches.append(cache)", "caches.append(a_next)")), RF, 12,
     "`caches[0][0]` should be a tuple of length 4, got an array of shape (5, 10)."),
    ("caches appended after the loop", _edits((RF, "        caches.append(cache)\n", "    caches.append(cache)\n")), RF,
     12.8, "comes after the loop, so it runs once"),
    ("x sliced on axis 1", _edits((RF, "x[:, :, t]", "x[:, t, :]")), RF, 0,
     "in `xt` (of shape (3, 4), where a correct run passes (3, 10))"),
    # Across functions.
    ("a right rnn_forward over a wrong cell", _edits((CF, "np.dot(Wax, xt) + ba)", "np.dot(Wax, xt)) + ba")), RF, 15, ""),
    ("rnn_forward unpacking its own cell's order", _edits(
        (CF, "return a_next, yt_pred, cache", "return yt_pred, a_next, cache"),
        (RF, "a_next, yt_pred, cache = rnn_cell_forward", "yt_pred, a_next, cache = rnn_cell_forward")), RF, 0,
     "`a_next` is the 2nd name of line 14, but the grader runs your function with a `rnn_cell_forward` that returns "
     "`a_next, yt_pred, cache`, in the order the assignment asks for (yours returns `yt_pred, a_next, cache`). Return "
     "them in that order from `rnn_cell_forward` and give the names here in that order too."),
    ("rnn_forward calling lstm_cell_forward", _edits((RF, "rnn_cell_forward(x[:, :, t], a_next, parameters)",
                                                      "lstm_cell_forward(x[:, :, t], a_next, parameters)")), RF, 0,
     "Line 14 calls `lstm_cell_forward`, the function of another part: each step of `rnn_forward` is a call of "
     "`rnn_cell_forward` (given the previous hidden state, the slice of the input), which `rnn_forward` never calls."),
    ("lstm_forward calling rnn_cell_forward", _edits((LF, "a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], "
                                                          "a_next, c_next, parameters)",
                                                      "a_next, yt, cache = rnn_cell_forward(x[:, :, t], a_next, "
                                                      "parameters)")), LF, 0,
     "Line 16 calls `rnn_cell_forward`, the function of another part: each step of `lstm_forward` is a call of "
     "`lstm_cell_forward`"),
    ("rnn_backward calling rnn_cell_forward", _edits((RB, "gradients = rnn_cell_backward(", "gradients = rnn_cell_forward(")),
     RB, 0, "Line 17 calls `rnn_cell_forward`, the function of another part: each step of `rnn_backward` is a call of "
            "`rnn_cell_backward`"),
    ("a backward step written for the student's own cache", _edits(
        (CF, _CELL_LINE, "z = np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba\n    a_next = np.tanh(z)"),
        (CF, "cache = (a_next, a_prev, xt, parameters)", "cache = (a_next, a_prev, xt, parameters, z)"),
        (CB, "(a_next, a_prev, xt, parameters) = cache", "(a_next, a_prev, xt, parameters, z) = cache")), CB, 0,
     "Your `rnn_cell_forward` stores 5 in `cache` (`cache = (a_next, a_prev, xt, parameters, z)`), but "
     "`rnn_cell_backward` is graded on its own, given the 4 the assignment lists"),
    ("the student's own cache costs the forward step its cache only", _edits(
        (CF, _CELL_LINE, "z = np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba\n    a_next = np.tanh(z)"),
        (CF, "cache = (a_next, a_prev, xt, parameters)", "cache = (a_next, a_prev, xt, parameters, z)")), CF, 8,
     "The last (the 5th) is extra; the other 4 are right."),
    ("caches read before it is taken apart", _edits((RB, "    (caches, x) = caches\n", "")), RB, 0,
     "`caches[0]` is a list of 3 tuples of 4 values (one a step), and `(a1, a0, x1, parameters) = caches[0]` takes "
     "that list apart as if it were one"),
    ("rnn_backward reading a key its step renamed", _edits((CB, '"da_prev": da_prev', '"da_prevt": da_prev'),
                                                           (RB, 'gradients["da_prev"]', 'gradients["da_prevt"]')), RB, 0,
     "`gradients` comes from `rnn_cell_backward` (line 17), and the grader answers that call as the assignment asks: "
     "a dict with the keys `dxt`, `da_prev`, `dWax`, `dWaa` and `dba`, none of them `'da_prevt'`. Read `'da_prev'`, "
     "and name it so in your `rnn_cell_backward` too."),
    ("a renamed key costs the backward step that key only", _edits((CB, '"da_prev": da_prev', '"da_prevt": da_prev')),
     CB, 16, "It has a key `da_prevt` that is not asked for"),
    # Right variants: full points, nothing told.
    ("the cache as a list", _edits((CF, "cache = (a_next, a_prev, xt, parameters)",
                                    "cache = [a_next, a_prev, xt, parameters]")), CF, 10, ""),
    ("stacked weights", _edits((CF, "np.dot(Waa, a_prev) + np.dot(Wax, xt)",
                                "np.dot(np.hstack((Waa, Wax)), np.vstack((a_prev, xt)))")), CF, 10, ""),
]


@pytest.mark.parametrize("cells, function, points, said", [row[1:] for row in MISTAKES], ids=[row[0] for row in MISTAKES])
def test_an_rnn_or_cross_function_mistake_is_graded_fairly_and_told_its_fix(tmp_path, context, sandbox, cells,
                                                                             function, points, said):
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(cells))
    part = grade_submission(path, context=context, sandbox=sandbox).part(function)
    assert part.points == pytest.approx(points, abs=1e-4), (part.points, [c.message for c in part.cases])
    told = " ".join([*part.notes, *(c.message for c in part.cases),
                     *(c.diagnosis.message for c in part.cases if c.diagnosis is not None)])
    assert said in told, told
    if points == part.max_points:
        assert not told.strip(), told


def test_a_step_unpacked_in_the_asked_order_is_not_told_the_order():
    # Controls of stephints.returned_order_hint's asked orders and asked_key_hint: names in the order asked,
    # a key asked for, and a call the grader does not answer are not told.
    from grader import stephints
    source = nbs.COURSE_CELLS[RF].split("\n", 2)[2]
    line = "        a[:, :, t] = a_next"
    asked = {CF: ["a_next", "yt_pred", "cache"]}
    assert stephints.returned_order_hint(line, source=source, functions={}, asked=asked) == ""
    swapped = source.replace("a_next, yt_pred, cache = rnn", "yt_pred, a_next, cache = rnn")
    assert "is the 2nd name of line" in stephints.returned_order_hint(line, source=swapped, functions={}, asked=asked)
    assert stephints.returned_order_hint(line, source=swapped, functions={}, asked={}) == ""
    backward = nbs.COURSE_CELLS[RB]
    read = next(text for text in backward.splitlines() if 'gradients["da_prev"]' in text)
    keys = {CB: ["dxt", "da_prev", "dWax", "dWaa", "dba"]}
    assert stephints.asked_key_hint("KeyError", "KeyError: 'da_prev'", read, source=backward, asked=keys) == ""
    assert stephints.asked_key_hint("KeyError", "KeyError: 'da_prevt'", read.replace("da_prev", "da_prevt"),
                                    source=backward.replace('["da_prev"]', '["da_prevt"]'), asked={}) == ""


def test_swapped_weights_are_told_the_weight_each_input_fits(tmp_path, context, sandbox):
    # Thirty-seventh session: `np.dot(Wax, a_prev) + np.dot(Waa, xt)` was told to "check the order of the two
    # (`np.dot(Waa, a_prev)`, not `np.dot(a_prev, Waa)`) and whether one of them needs its transpose (`.T`)".
    cells = _edits((CF, "np.dot(Waa, a_prev) + np.dot(Wax, xt)", "np.dot(Wax, a_prev) + np.dot(Waa, xt)"))
    part = grade_submission(nbs.write(tmp_path / "s.ipynb", nbs.course_notebook(cells)), context=context,
                            sandbox=sandbox).part(CF)
    assert part.points == 0
    message = part.cases[0].message
    assert ("`Wax` (n_a, n_x) has a column for each row of `xt`, not of `a_prev`; `Waa` (n_a, n_a) has a column for "
            "each row of `a_prev`, not of `xt`") in message, message
    assert message.endswith("Multiply each by what it fits: `np.dot(Waa, a_prev)` and `np.dot(Wax, xt)`."), message
    assert "transpose" not in message, message


def test_a_product_in_the_wrong_order_keeps_the_order_rule():
    # Control: weights multiplying their own inputs (the order is the mistake) keep the rule they were told.
    from types import SimpleNamespace

    from grader import hints
    outcome = SimpleNamespace(error_type="ValueError", message="shapes (5,10) and (5,5) not aligned: 10 (dim 1) != 5 "
                                                               "(dim 0)")
    said = hints.numpy_call_hint(outcome, "    a_next = np.tanh(np.dot(a_prev, Waa) + np.dot(Wax, xt) + ba)")
    assert "check the order of the two" in said and "what it fits" not in said, said
    matmul = SimpleNamespace(error_type="ValueError", message="matmul: Input operand 1 has a mismatch in its core "
                             "dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?) (size 5 is different from 3)")
    said = hints.numpy_call_hint(matmul, '    a_next = np.tanh(parameters["Wax"] @ a_prev + ba)')
    assert said.endswith('Multiply each by what it fits: `parameters["Waa"] @ a_prev`.'), said


def test_a_transposed_bias_is_told_on_the_case_of_one_example_too(tmp_path, context, sandbox):
    # Thirty-seventh session: with m = 1, `+ ba.T` makes (6, 6) without an error, and that hidden case was told
    # "`a_next`: wrong shape" alone (the others raise, and are told to leave out the `.T`).
    cells = _edits((CF, "np.dot(Wax, xt) + ba)", "np.dot(Wax, xt) + ba.T)"))
    part = grade_submission(nbs.write(tmp_path / "s.ipynb", nbs.course_notebook(cells)), context=context,
                            sandbox=sandbox).part(CF)
    one = next(c for c in part.cases if "m = 1" in c.name)
    assert one.status == "failed" and one.diagnosis is not None, one
    assert one.diagnosis.message.startswith("Line 14 adds `ba.T`, a row: the bias `ba` is a column"), one.diagnosis
    assert one.diagnosis.message.endswith("Leave out the `.T`."), one.diagnosis
    # Control: an output of another wrong shape, with no transposed bias, gets no such sentence.
    cells = _edits((CF, "np.dot(Wax, xt) + ba)", "np.dot(Wax, xt) + ba) @ np.ones((xt.shape[1], a_prev.shape[0]))"))
    part = grade_submission(nbs.write(tmp_path / "c.ipynb", nbs.course_notebook(cells)), context=context,
                            sandbox=sandbox).part(CF)
    assert not any(c.diagnosis is not None and c.diagnosis.id == "formula/bias-transposed" for c in part.cases), \
        [c.diagnosis for c in part.cases]
