"""Twenty-seven mistakes of the LSTM cell's gates and of the backward pass's gradient sums, graded through
the real grader and read as the student reads them (thirty-seventh session, helper fb).

Each row is a course notebook with its edits (``tests.notebooks.mutate``), the part's points, and a
piece of what the student is told that points at the fix (a case's message, its likely mistake or a
note of the part). Before this session two were misled: a gate computed with another gate's weights
(``ft`` with ``Wi`` and ``bi``, ``it`` with ``Wf`` and ``bf``) made the two gates equal, and the student
was told that the cache's "5th place needs another value", of a cache that was right. Five were told
only "values differ" or two shapes: the candidate made with the update gate's weights, the hidden state
gated by the forget gate, ``np.tanh`` applied again to ``cct``, a softmax over the whole array, ``dba``
summed over every axis ("`dba` has shape (1, 1); expected (5, 1)"), the memory made with the output gate,
and ``da0 += da_prevt`` in the loop. The grades were fair: a part loses what its wrong outputs are worth,
no more. Left vague (not in the table): ``dx += dxt[:, :, np.newaxis]``, told "values differ" alone.
"""
from __future__ import annotations

import pytest

from grader.runner import grade_submission
from tests import notebooks as nbs

C, CB, RB = "lstm_cell_forward", "rnn_cell_backward", "rnn_backward"
_CONCAT = "concat = np.zeros((n_a + n_x, m))\n    concat[: n_a, :] = a_prev\n    concat[n_a :, :] = xt"
_C_NEXT = "c_next = ft * c_prev + it * cct"
_Y = "yt_pred = softmax(np.dot(Wy, a_next) + by)"
_DBA = "np.sum(dtanh, axis=1, keepdims=True)"

MISTAKES = [
    # (id, edits as (function, old, new), points of the part, what the student reads)
    ("ft with the update gate's weights", [(C, "ft = sigmoid(np.dot(Wf, concat) + bf)", "ft = sigmoid(np.dot(Wi, concat) + bi)")],
     0, "Line 24 computes `ft`, the forget gate, with `Wi` and `bi`, the update gate's"),
    ("it with the forget gate's weights", [(C, "it = sigmoid(np.dot(Wi, concat) + bi)", "it = sigmoid(np.dot(Wf, concat) + bf)")],
     0, "Line 25 computes `it`, the update gate, with `Wf` and `bf`, the forget gate's"),
    ("cct with the update gate's weights", [(C, "cct = np.tanh(np.dot(Wc, concat) + bc)",
                                             "cct = np.tanh(np.dot(Wi, concat) + bi)")],
     0, "the candidate value has its own, `Wc` and `bc`"),
    ("it with tanh", [(C, "it = sigmoid(", "it = np.tanh(")], 0, "The update gate `it` uses tanh"),
    ("ot with tanh", [(C, "ot = sigmoid(", "ot = np.tanh(")], 40 / 7, "The output gate `ot` uses tanh"),
    ("forget and update gates swapped in c", [(C, _C_NEXT, "c_next = it * c_prev + ft * cct")], 0,
     "The forget and update gates are exchanged"),
    ("c_prev and cct swapped in c", [(C, _C_NEXT, "c_next = ft * cct + it * c_prev")], 0,
     "`c_next = ft * c_prev + it * cct`"),
    ("a gated by the forget gate", [(C, "a_next = ot * np.tanh(c_next)", "a_next = ft * np.tanh(c_next)")], 40 / 7,
     "gates the hidden state with `ft`, the forget gate: the output gate `ot`"),
    ("a without the tanh", [(C, "a_next = ot * np.tanh(c_next)", "a_next = ot * c_next")], 40 / 7,
     "`a_next` must squash the memory through tanh"),
    ("cct through tanh twice", [(C, _C_NEXT, "c_next = ft * c_prev + it * np.tanh(cct)")], 0,
     "`cct` is a tanh already (line 26, `cct = np.tanh(np.dot(Wc, concat) + bc)`), and line 27 applies `np.tanh`"),
    ("ft's bias outside the sigmoid", [(C, "ft = sigmoid(np.dot(Wf, concat) + bf)", "ft = sigmoid(np.dot(Wf, concat)) + bf")],
     0, "The forget gate's bias `bf` is added after the sigmoid"),
    ("xt concatenated first", [(C, _CONCAT, "concat = np.concatenate((xt, a_prev), axis=0)")], 0,
     "Concatenate the previous hidden state first"),
    ("xt stacked first", [(C, _CONCAT, "concat = np.vstack((xt, a_prev))")], 0, "Concatenate the previous hidden state first"),
    ("prediction through a sigmoid", [(C, "yt_pred = softmax(", "yt_pred = sigmoid(")], 100 / 7,
     "The prediction uses a sigmoid"),
    ("softmax over the whole array", [(C, _Y, "z = np.dot(Wy, a_next) + by\n    yt_pred = np.exp(z) / np.sum(np.exp(z))")],
     110 / 7, "`yt_pred` sums to 1 over the whole array at once: a softmax normalises each column (axis 0)"),
    ("dba without keepdims", [(CB, _DBA, "np.sum(dtanh, axis=1)")], 16, "keep it with `keepdims=True`"),
    ("dba summed over every axis", [(CB, _DBA, "np.sum(dtanh, keepdims=True)")], 16,
     "Axis 0 has 1 entry where the expected array has 5: the sum (or mean) that made it ran over that axis too"),
    ("dba over axis 0 without keepdims", [(CB, _DBA, "np.sum(dtanh, axis=0)")], 16, "`dba` is summed over the units (axis 0)"),
    ("dba a mean", [(CB, _DBA, "np.mean(dtanh, axis=1, keepdims=True)")], 17, "not their mean"),
    ("dba from da_next", [(CB, _DBA, "np.sum(da_next, axis=1, keepdims=True)")], 16,
     "The gradient skips the tanh derivative"),
    ("dWax a mean over the examples", [(CB, "dWax = np.dot(dtanh, xt.T)", "dWax = np.dot(dtanh, xt.T) / xt.shape[1]")], 17,
     "a factor (a mean for a sum) that should not be there"),
    ("dWax the last step's", [(RB, "dWax += dWaxt", "dWax = dWaxt")], 17, "add them up over time"),
    ("dba summed into one number", [(RB, "dba += dbat", "dba += np.sum(dbat)")], 16, "Use it as it is: `dba += dbat`"),
    ("dWaa set after the loop", [(RB, "        dWaa += dWaat\n", ""), (RB, "    da0 = da_prevt\n", "    da0 = da_prevt\n    dWaa = dWaat\n")],
     17, "add them up over time"),
    ("the memory made with the output gate", [(C, "    c_next = ft * c_prev + it * cct\n    ot = sigmoid(np.dot(Wo, concat) + bo)\n",
                                                "    ot = sigmoid(np.dot(Wo, concat) + bo)\n    c_next = ft * c_prev + ot * cct\n")],
     0, "makes the memory with `ot`, the output gate"),
    ("da0 summed over the steps", [(RB, "        dba += dbat\n    da0 = da_prevt\n", "        dba += dbat\n        da0 += da_prevt\n")],
     17, "Line 23, `da0 += da_prevt`, adds up `da_prevt`, the value the loop carries to the next step's call"),
    ("dWax made transposed", [(RB, "dWax = np.zeros((n_a, n_x))", "dWax = np.zeros((n_x, n_a))")], 0,
     "check the sizes `dWax` was created with"),
]


def _edited(edits) -> dict[str, str]:
    return nbs.edited(*edits)


@pytest.mark.parametrize("edits, points, said", [row[1:] for row in MISTAKES], ids=[row[0] for row in MISTAKES])
def test_a_gate_or_sum_mistake_is_graded_fairly_and_told_its_fix(tmp_path, context, sandbox, edits, points, said):
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(_edited(edits)))
    part = grade_submission(path, context=context, sandbox=sandbox).part(edits[0][0])
    assert part.points == pytest.approx(points, abs=1e-4), (part.points, [c.message for c in part.cases])
    told = " ".join([*part.notes, *(c.message for c in part.cases),
                     *(c.diagnosis.message for c in part.cases if c.diagnosis is not None)])
    assert said in told, told


def test_two_gates_made_alike_are_not_told_as_a_cache_in_another_order(tmp_path, context, sandbox):
    # The misleading sentence of the table's first row, gone on every case.
    edits = [(C, "ft = sigmoid(np.dot(Wf, concat) + bf)", "ft = sigmoid(np.dot(Wi, concat) + bi)")]
    part = grade_submission(nbs.write(tmp_path / "s.ipynb", nbs.course_notebook(_edited(edits))), context=context,
                            sandbox=sandbox).part(C)
    assert {c.diagnosis.id for c in part.cases} == {"formula/gate-weights"}, [c.diagnosis for c in part.cases]


def test_right_variants_keep_their_full_points_and_no_formula_sentence(tmp_path, context, sandbox):
    # Controls: a softmax over axis 0 written out (no keepdims: (n_y, m) / (m,) broadcasts right), the
    # gates' weights read from `parameters`, a tanh of a tanh's input under another name.
    cells = _edited([(C, _Y, "z = np.dot(Wy, a_next) + by\n    yt_pred = np.exp(z) / np.sum(np.exp(z), axis=0)"),
                     (C, "ft = sigmoid(np.dot(Wf, concat) + bf)",
                      "ft = sigmoid(np.dot(parameters['Wf'], concat) + parameters['bf'])"),
                     (C, "cct = np.tanh(np.dot(Wc, concat) + bc)",
                      "zc = np.dot(Wc, concat) + bc\n    cct = np.tanh(zc)")])
    result = grade_submission(nbs.write(tmp_path / "s.ipynb", nbs.course_notebook(cells)), context=context,
                              sandbox=sandbox)
    assert result.part(C).points == 20, [c.message for c in result.part(C).cases]


def test_two_names_holding_equal_values_are_told_their_lines_not_the_cache(tmp_path, context, sandbox):
    # `it = ft + 0` (no rule of the formulas fits): the cache's 5th and 6th are equal because the two names are,
    # and "its 6th place needs another value, the one the backward pass unpacks 6th" sent the student to a
    # right cache.
    part = grade_submission(nbs.write(tmp_path / "s.ipynb", nbs.course_notebook(_edited(
        [(C, "it = sigmoid(np.dot(Wi, concat) + bi)", "it = ft + 0")]))), context=context, sandbox=sandbox).part(C)
    said = {c.diagnosis.message for c in part.cases if c.diagnosis is not None}
    assert said == {"`it` and `ft`, which line 34 stores 6th and 5th in `cache`, hold the same values: check the "
                    "lines that compute them, one is computed as the other is."}, said
    # Control: one name stored twice keeps the sentence on the cache's line.
    part = grade_submission(nbs.write(tmp_path / "c.ipynb", nbs.course_notebook(_edited(
        [(C, "c_prev, ft, it, cct", "c_prev, ft, ft, cct")]))), context=context, sandbox=sandbox).part(C)
    said = {c.diagnosis.message for c in part.cases if c.diagnosis is not None}
    assert any("stores `ft` twice, 5th and 6th" in text for text in said), said
