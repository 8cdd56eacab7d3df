"""Twenty-one mistakes of the backward pass (rnn_cell_backward, rnn_backward) and three right variants,
graded through the real grader and read as the student reads them (thirty-fourth session, helper fb).

Each row is a course notebook with one edit (``tests.notebooks.mutate``), the part's points, and a
piece of what the student is told that points at the fix (a case's message, its likely mistake or a
note of the part). Before this session seven were told only "values differ" or two shapes (the
cache unpacked in another order, the steps stored in reverse, a step's gradient summed again three
ways, an output with another's shape, a carried name read from another key) and one was misled
("Check the sizes `dWax` was created with" for `dWax += dWaxt.T`). The grades were all fair: a
part loses what its wrong outputs are worth, no more.
"""
from __future__ import annotations

import pytest

from grader.runner import grade_submission
from tests import notebooks as nbs

CB, RB = "rnn_cell_backward", "rnn_backward"

MISTAKES = [
    # (id, function, old, new, points of the part, what the student reads)
    ("dtanh from a_prev", CB, "(1 - a_next ** 2) * da_next", "(1 - a_prev ** 2) * da_next", 0,
     "The tanh derivative is taken at `a_prev`"),
    ("tanh applied twice", CB, "(1 - a_next ** 2) * da_next", "(1 - np.tanh(a_next) ** 2) * da_next", 0,
     "applies tanh a second time"),
    ("da_next forgotten", CB, "(1 - a_next ** 2) * da_next", "(1 - a_next ** 2)", 0,
     "multiply it by the gradient that comes in"),
    ("dba over axis 0", CB, "np.sum(dtanh, axis=1, keepdims=True)", "np.sum(dtanh, axis=0, keepdims=True)", 16,
     "`dba` is summed over the wrong axis"),
    ("dxt from Waa", CB, "np.dot(Wax.T, dtanh)", "np.dot(Waa.T, dtanh)", 16,
     "`dxt` has the shape (5, 10) that `da_prev` should have"),
    ("keys swapped", CB, '{"dxt": dxt, "da_prev": da_prev', '{"dxt": da_prev, "da_prev": dxt', 12,
     "`dxt` holds what `da_prev` should"),
    ("cache unpacked in another order", CB, "(a_next, a_prev, xt, parameters) = cache",
     "(a_prev, a_next, xt, parameters) = cache", 0, "`a_prev` and `a_next` take each other's values"),
    ("Waa not transposed", CB, "np.dot(Waa.T, dtanh)", "np.dot(Waa, dtanh)", 16,
     "`da_prev` needs the transpose of `Waa`"),
    ("dWaa from a_next", CB, "np.dot(dtanh, a_prev.T)", "np.dot(dtanh, a_next.T)", 16, "not `a_next.T`"),
    ("a tuple for the dict", CB, "    return gradients\n", "    return dxt, da_prev, dWax, dWaa, dba\n", 0,
     "where a dict is asked for"),
    ("da_prev not carried", RB, "rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])",
     "rnn_cell_backward(da[:, :, t], caches[t])", 5, "The gradient coming back from later steps is dropped"),
    ("dx not stored per step", RB, "dx[:, :, t] = dxt", "dx = dxt", 16, "store each step in its own slice"),
    ("dx steps reversed", RB, "dx[:, :, t] = dxt", "dx[:, :, T_x - 1 - t] = dxt", 17,
     "It holds the time steps in reverse order"),
    ("dbat summed over axis 0", RB, "dba += dbat", "dba += np.sum(dbat, axis=0)", 16,
     "Use it as it is: `dba += dbat`"),
    ("dWaxt summed over the examples", RB, "dWax += dWaxt", "dWax += np.sum(dWaxt, axis=1, keepdims=True)", 16,
     "Use it as it is: `dWax += dWaxt`"),
    ("dxt summed over the examples", RB, "dx[:, :, t] = dxt", "dx[:, :, t] += np.sum(dxt, axis=1, keepdims=True)",
     17, "Use it as it is: `dx[:, :, t] += dxt`"),
    ("dWaxt transposed", RB, "dWax += dWaxt", "dWax += dWaxt.T", 0, "leave out its `.T`"),

    ("the step before's cache", RB, "caches[t])", "caches[t - 1])", 5, "first at call 1, in `cache`"),
    ("da_prevt never updated", RB, "da_prevt, dWaxt", "da_prevt_unused, dWaxt", 4,
     "No step of the loop changes `da_prevt`"),
    ("da_prevt from dxt's key", RB, 'gradients["da_prev"]', 'gradients["dxt"]', 4,
     "check that `\"dxt\"` is the key of the value `da_prevt` stands for"),
    ("the last step skipped", RB, "reversed(range(T_x))", "reversed(range(T_x - 1))", 0,
     "The loop starts before the last step"),
    ("dba summed again, as a column", RB, "dba += dbat", "dba += np.sum(dbat, axis=1, keepdims=True)", 20, ""),
    ("dtanh recomputed from z", CB, "    dtanh = (1 - a_next ** 2) * da_next\n",
     "    z = np.dot(Wax, xt) + np.dot(Waa, a_prev) + ba\n    dtanh = (1 - np.tanh(z) ** 2) * da_next\n", 20, ""),
    ("da0 set in the loop", RB, "        dba += dbat\n    da0 = da_prevt\n", "        dba += dbat\n        da0 = da_prevt\n",
     20, ""),
]


@pytest.mark.parametrize("function, old, new, points, said", [row[1:] for row in MISTAKES], ids=[row[0] for row in MISTAKES])
def test_a_backward_mistake_is_graded_fairly_and_told_its_fix(tmp_path, context, sandbox, function, old, new, points,
                                                            said):
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(nbs.mutate(function, old, new)))
    part = grade_submission(path, context=context, sandbox=sandbox).part(function)
    assert part.points == pytest.approx(points), (part.points, [c.message for c in part.cases])
    told = " ".join([*part.notes, *(c.message for c in part.cases),
                     *(c.diagnosis.message for c in part.cases if c.diagnosis is not None)])
    assert said in told, told


def test_a_bias_gradient_not_summed_is_told_the_sum_not_another_output(tmp_path, context, sandbox):
    # Thirty-sixth session (a real notebook, `dba = dtanh`): the shape's sentence said to sum over axis 1,
    # then "`dba` has the shape (5, 10) that `da_prev` should have ... Check which weight and input it is
    # computed from", misleading, and again on each hidden case with its own shapes.
    path = nbs.write(tmp_path / "student.ipynb",
                     nbs.course_notebook(nbs.mutate(CB, "np.sum(dtanh, axis=1, keepdims=True)", "dtanh")))
    part = grade_submission(path, context=context, sandbox=sandbox).part(CB)
    assert part.points == pytest.approx(17), part.points  # right when m = 1
    told = " ".join([*(c.message for c in part.cases), *(c.diagnosis.message for c in part.cases if c.diagnosis)])
    assert "Axis 1 has 10 entries where the expected array has 1: sum (or average) over that axis" in told, told
    assert "should have" not in told and "which weight and input" not in told, told


def test_an_lstm_cache_unpacked_in_the_rnn_backward_pass_is_told_both_layouts(tmp_path, context, sandbox):
    # Thirty-seventh session: after `(caches, x) = caches`, ten names for `caches[0]`, an RNN cell's cache of
    # four, were told "give one name to each value, in its order" alone.
    cells = nbs.mutate(RB, "(a1, a0, x1, parameters) = caches[0]",
                       "(a1, c1, a0, c0, f1, i1, cc1, o1, x1, parameters) = caches[0]")
    part = grade_submission(nbs.write(tmp_path / "s.ipynb", nbs.course_notebook(cells)), context=context,
                            sandbox=sandbox).part(RB)
    message = part.cases[0].message
    assert ("`caches[0]` is one step's cache as the assignment gives it: 4 values (its 1st is an array of shape "
            "(5, 10);") in message, message
    assert ("Your `lstm_cell_forward` stores 10 (`cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, "
            "parameters)`), and your `rnn_cell_forward` the 4 of the caches given here (`cache = (a_next, a_prev, xt, "
            "parameters)`): name those 4, in their order.") in message, message
    # Control (the hint alone): `caches[0]` read above the line that takes `caches` apart is the list of
    # the steps' caches, and keeps its own sentence.
    import numpy as np

    from grader import hints
    step = (np.zeros((5, 10)), np.zeros((5, 10)), np.zeros((3, 10)), {})
    given = {"da": np.zeros((5, 10, 7)), "caches": ([step] * 7, np.zeros((3, 10, 7)))}
    line = "    (a1, a0, x1, parameters) = caches[0]"
    below = "def rnn_backward(da, caches):\n" + line + "\n    (caches, x) = caches\n"
    said = hints.given_layout_hint("ValueError", "too many values to unpack (expected 4)", line, function=RB,
                                   arguments=given, functions={RB: below})
    assert "Take `caches` apart first" in said, said
    above = "def rnn_backward(da, caches):\n    (caches, x) = caches\n" + line + "\n"
    said = hints.given_layout_hint("ValueError", "too many values to unpack (expected 4)", line, function=RB,
                                   arguments=given, functions={RB: above})
    assert said == "", said  # one step's cache holds the 4 it names: not this error
