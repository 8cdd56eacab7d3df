"""Thirty mistakes of the LSTM forward pass (lstm_cell_forward, lstm_forward), graded through the real
grader and read as the student reads them (thirty-fifth session, helper fb).

Each row is a course notebook with one edit (``tests.notebooks.mutate``), the part's points, and a
piece of what the student is told that points at the fix (a case's message, its likely mistake or a
note of the part). Before this session seven were told only "values differ" (the output gate's ``ot *``
left out or put inside the tanh, a sigmoid squashing the memory, the update gate left out, the
candidate's bias outside its tanh, the output gate made with ``Wf``, a softmax over the examples, a
cache in another order), one was sent to "check the sizes `y` was created with" for the step's
values unpacked in another order, and one was misled: a loop passing ``a_next`` as the memory too was told, on the case of one time step,
"set c_next = np.zeros((n_a, m)) before the loop", which the student had written. The grades were
fair: a part loses what its wrong outputs are worth, no more. Three rows more of real notebooks
(thirty-seventh session): the prediction from ``a_prev``, ``np.tanh(cct)`` for the new memory's and
``it + cct``.
"""
from __future__ import annotations

import pytest

from grader.runner import grade_submission
from tests import notebooks as nbs

C, F = "lstm_cell_forward", "lstm_forward"
_STEP = "lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)"
_CACHE = "cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)"

MISTAKES = [
    # (id, function, old, new, points of the part, what the student reads)
    ("concat x first", C, "concat[: n_a, :] = a_prev\n    concat[n_a :, :] = xt",
     "concat[: n_x, :] = xt\n    concat[n_x :, :] = a_prev", 0, "Concatenate the previous hidden state first"),
    ("c from a_prev", C, "ft * c_prev", "ft * a_prev", 0, "it keeps the previous memory: `c_next = ft * c_prev"),
    ("ft with tanh", C, "ft = sigmoid(", "ft = np.tanh(", 0, "The forget gate `ft` uses tanh"),
    ("cct with sigmoid", C, "cct = np.tanh(", "cct = sigmoid(", 0, "The candidate value `cct` uses a sigmoid"),
    ("ot * left out", C, "a_next = ot * np.tanh(c_next)", "a_next = np.tanh(c_next)", 40 / 7,
     "`a_next` leaves out the output gate: `a_next = ot * np.tanh(c_next)`"),
    ("y from c", C, "softmax(np.dot(Wy, a_next) + by)", "softmax(np.dot(Wy, c_next) + by)", 100 / 7,
     "The prediction should come from the hidden state, not the memory"),
    ("softmax over the examples", C, "yt_pred = softmax(np.dot(Wy, a_next) + by)",
     "z = np.dot(Wy, a_next) + by\n    yt_pred = np.exp(z) / np.sum(np.exp(z), axis=1, keepdims=True)", 100 / 7,
     "Your softmax normalises across the examples (`axis=1`)"),
    ("ot inside the tanh", C, "a_next = ot * np.tanh(c_next)", "a_next = np.tanh(ot * c_next)", 40 / 7,
     "not `np.tanh(ot * c_next)`"),
    ("update gate left out", C, "c_next = ft * c_prev + it * cct", "c_next = ft * c_prev + cct", 0,
     "without the update gate: `c_next = ft * c_prev + it * cct`"),
    ("sigmoid on the memory", C, "a_next = ot * np.tanh(c_next)", "a_next = ot * sigmoid(c_next)", 40 / 7,
     "`a_next` squashes the memory with a sigmoid; it needs tanh"),
    ("return order", C, "return a_next, c_next, yt_pred, cache", "return a_next, yt_pred, c_next, cache", 60 / 7,
     "Return them in the order asked for: `return a_next, c_next, yt_pred, cache`"),
    ("concatenated side by side", C, "concat = np.zeros((n_a + n_x, m))\n    concat[: n_a, :] = a_prev\n"
     "    concat[n_a :, :] = xt", "concat = np.concatenate((a_prev, xt), axis=1)", 0,
     "to put `a_prev` over `xt`, write `np.concatenate((a_prev, xt), axis=0)`"),
    # Thirty-eighth session: the weight that goes first, not "check the order of `concat` and `Wf`".
    ("product in the wrong order", C, "np.dot(Wf, concat)", "np.dot(concat, Wf)", 0,
     "the weight comes first, then `concat`, `np.dot(Wf, concat)`"),
    ("cct's bias outside", C, "cct = np.tanh(np.dot(Wc, concat) + bc)", "cct = np.tanh(np.dot(Wc, concat)) + bc", 0,
     "The candidate's bias `bc` is added after the tanh"),
    ("a from c_prev", C, "a_next = ot * np.tanh(c_next)", "a_next = ot * np.tanh(c_prev)", 40 / 7,
     "`a_next` squashes the previous memory `c_prev`"),
    ("ot with Wf", C, "ot = sigmoid(np.dot(Wo, concat) + bo)", "ot = sigmoid(np.dot(Wf, concat) + bo)", 40 / 7,
     "The output gate is made with the forget gate's weights `Wf`"),
    # Thirty-seventh session (helper real): three real notebooks, told only that values differ.
    ("y from a_prev", C, "softmax(np.dot(Wy, a_next) + by)", "softmax(np.dot(Wy, a_prev) + by)", 100 / 7,
     "The prediction is made from the previous hidden state `a_prev`"),
    ("a from cct", C, "a_next = ot * np.tanh(c_next)", "a_next = ot * np.tanh(cct)", 40 / 7,
     "`a_next` squashes the candidate `cct`; it needs the new memory"),
    ("update gate added", C, "it * cct", "it + cct", 0, "The update gate is added to the candidate; it multiplies it"),
    ("cache in another order", C, _CACHE, "cache = (a_next, a_prev, c_next, c_prev, ft, it, cct, ot, xt, parameters)",
     120 / 7, "write line 34 as `cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)`"),
    ("cache without parameters", C, _CACHE, "cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt)", 120 / 7,
     "`cache` should have 10 elements, got 9. The last (the 10th) is missing; the other 9 are right."),
    ("a0 at every step", F, _STEP, "lstm_cell_forward(x[:, :, t], a0, c_next, parameters)", 4,
     "Every step is given `a0` instead of the previous hidden state"),
    ("a0 and c0 at every step", F, "c_next = np.zeros(a_next.shape)\n    for t in range(T_x):\n        "
     "a_next, c_next, yt, cache = " + _STEP, "c0 = np.zeros(a_next.shape)\n    for t in range(T_x):\n        "
     "a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a0, c0, parameters)", 4,
     "No step of the loop changes `a0` and `c0`, which line 16 passes to `lstm_cell_forward`"),
    ("c not stored", F, "        c[:, :, t] = c_next\n", "", 75 / 7, "store each step's `c_next` in `c[:, :, t]`"),
    ("y and c returned swapped", F, "return a, y, c, caches", "return a, c, y, caches", 45 / 7,
     "Return them in the order asked for: `return a, y, c, caches`"),
    ("x sliced on the wrong axis", F, "x[:, :, t]", "x[:, t, :]", 0,
     "in `xt` (of shape (3, 7), where a correct run passes (3, 10))"),
    ("a stored in y", F, "y[:, :, t] = yt", "y[:, :, t] = a_next", 0, "and `a_next` has shape (5, 10)"),
    # Thirty-eighth session: told only "check the sizes `a` was created with"; the fix is the unpacking's order.
    ("n_y and n_a swapped", F, 'n_y, n_a = parameters["Wy"].shape', 'n_a, n_y = parameters["Wy"].shape', 0,
     'Line 7 unpacks `parameters["Wy"].shape` as `n_a, n_y`, but `Wy` is (n_y, n_a): its rows come first. Write '
     '`n_y, n_a = parameters["Wy"].shape`.'),
    ("c0 from a0", F, "c_next = np.zeros(a_next.shape)", "c_next = a0", 0, "The memory starts from `a0`, but `c0` must be zeros"),
    ("nothing appended", F, "        caches.append(cache)\n", "", 90 / 7, "It is an empty list: nothing was appended to it"),
    ("memory reset at each step", F, _STEP, "lstm_cell_forward(x[:, :, t], a_next, np.zeros(a_next.shape), parameters)",
     4, "The memory is reset at every step"),
    ("step's values unpacked in another order", F, "a_next, c_next, yt, cache = lstm_cell_forward",
     "a_next, yt, c_next, cache = lstm_cell_forward", 0,
     "`yt` is the 2nd name of line 16, and your `lstm_cell_forward` returns `c_next` 2nd"),
    ("a stored in c", F, "c[:, :, t] = c_next", "c[:, :, t] = a_next", 75 / 7, "Your memory states `c` hold the hidden states"),
]


@pytest.mark.parametrize("function, old, new, points, said", [row[1:] for row in MISTAKES], ids=[row[0] for row in MISTAKES])
def test_an_lstm_forward_mistake_is_graded_fairly_and_told_its_fix(tmp_path, context, sandbox, function, old, new,
                                                                 points, said):
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(nbs.mutate(function, old, new)))
    part = grade_submission(path, context=context, sandbox=sandbox).part(function)
    assert part.points == pytest.approx(points, abs=1e-4), (part.points, [c.message for c in part.cases])
    told = " ".join([*part.notes, *(c.message for c in part.cases),
                     *(c.diagnosis.message for c in part.cases if c.diagnosis is not None)])
    assert said in told, told


def _graded_part(path, cells: dict, context, sandbox):
    """The result of ``lstm_forward`` for the course notebook with ``cells``, written at ``path``."""
    return grade_submission(nbs.write(path, nbs.course_notebook(cells)), context=context, sandbox=sandbox).part(F)


def test_a_known_mistake_that_one_case_shows_by_chance_is_not_told(tmp_path, context, sandbox):
    # `a_next` passed as the memory too: with one time step that is `c0_from_a0`'s run (c_prev = a0), and
    # the case of T_x = 1 told "set c_next = np.zeros((n_a, m)) before the loop", which the student wrote.
    part = _graded_part(tmp_path / "student.ipynb", nbs.mutate(F, _STEP, "lstm_cell_forward(x[:, :, t], a_next, "
                                                              "a_next, parameters)"), context, sandbox)
    said = [c.diagnosis.id for c in part.cases if c.diagnosis is not None]
    assert "lstm_forward/c0_from_a0" not in said and "unexpected-dependency-inputs" in said, said
    assert "Line 16 passes `a_next` to `lstm_cell_forward` twice, as its 2nd and its 3rd argument" in \
        part.cases[0].diagnosis.message, part.cases[0].diagnosis
    # Control: the mistake itself is told on every case, the one of T_x = 1 too.
    part = _graded_part(tmp_path / "control.ipynb", nbs.mutate(F, "c_next = np.zeros(a_next.shape)", "c_next = a0"),
                        context, sandbox)
    assert {c.diagnosis.id for c in part.cases if c.diagnosis is not None} == {"lstm_forward/c0_from_a0"}, \
        [(c.name, c.diagnosis) for c in part.cases]


def test_a_tuple_in_another_order_is_told_only_when_its_values_are_the_expected_ones():
    import numpy as np

    from grader import valuehints
    from grader.models import Tolerance
    from grader.outputnotes import inner_order

    spec = type("Spec", (), {"name": "cache", "path": (1,)})()
    a, b, c = np.ones((2, 3)), np.zeros((2, 3)), np.full((2, 3), 2.0)
    tol = Tolerance(rtol=1e-5, atol=1e-8)
    assert inner_order((None, (a, c, b)), (None, (a, b, c)), [spec], tol) == ("cache", (0, 2, 1))
    # Controls: the same order, another value, another length.
    assert inner_order((None, (a, b, c)), (None, (a, b, c)), [spec], tol) is None
    assert inner_order((None, (a, c, a)), (None, (a, b, c)), [spec], tol) is None
    assert inner_order((None, (a, c)), (None, (a, b, c)), [spec], tol) is None
    # Without a line of the function that makes the tuple, the places are told.
    assert valuehints.reordered_tuple_hint("def f(x):\n    return x, g(x)\n", name="cache", order=(0, 2, 1)) == (
        "`cache` holds the right values in another order: its 3rd belongs 2nd, its 2nd belongs 3rd. Store them in "
        "the order the backward pass unpacks.")


def test_two_cases_told_two_things_keep_them():
    # Control of runner._lone_mistakes_dropped: two failed cases, each told another known mistake, are
    # left as they are (neither is outnumbered); three with one lone mistake lose it.
    from grader.models import CaseResult, Diagnosis, PartResult
    from grader.runner import _lone_mistakes_dropped

    def part(*ids):
        return PartResult(name=F, function=F, status="failed", points=0, max_points=3, cases=tuple(
            CaseResult(case_id=f"c{k}", name=f"c{k}", visibility="hidden", status="failed", points=0, max_points=1,
                       diagnosis=Diagnosis(i, f"said {i}")) for k, i in enumerate(ids)))

    messages = {"m/one": "said m/one", "m/two": "said m/two"}
    kept = part("m/one", "m/two")
    assert _lone_mistakes_dropped(kept, messages) == kept
    dropped = _lone_mistakes_dropped(part("m/one", "m/two", "m/two"), messages)
    assert [c.diagnosis.id for c in dropped.cases] == ["m/two", "m/two", "m/two"], dropped.cases


def test_an_initial_state_set_before_the_loop_is_told_at_its_line(tmp_path, context, sandbox):
    # Thirty-sixth session. `c_next = 0`: the case said the number 0 (a cache's shape), then the
    # generic "called `lstm_cell_forward` with inputs that differ ... (first at call 1, in `c_prev`)".
    # Hidden states from zeros with a wrong cell too (the known mistake is computed with a right cell,
    # so it never matched): the generic sentence, "in `a_prev` (an array of zeros)". Now the line.
    part = _graded_part(tmp_path / "c0.ipynb", nbs.mutate(F, "c_next = np.zeros(a_next.shape)", "c_next = 0"),
                        context, sandbox)
    told = {c.diagnosis.message for c in part.cases if c.diagnosis is not None}
    assert told == {"Line 14 sets `c_next = 0` before the loop: that `c_next` is what line 16 passes to "
                    "`lstm_cell_forward` at the first step, where a correct run passes an array of zeros."}, told
    zeros = nbs.mutate(F, "    a_next = a0\n", "    a_next = np.zeros(a0.shape)\n")
    wrong_cells = {**nbs.mutate(C, "ft * c_prev", "ft * a_prev"), **nbs.mutate("rnn_cell_forward", "+ ba)", "+ ba + 0.1)")}
    rnn_zeros = nbs.mutate("rnn_forward", "    a_next = a0\n", "    a_next = np.zeros(a0.shape)\n")
    result = grade_submission(nbs.write(tmp_path / "zeros.ipynb", nbs.course_notebook({**zeros, **rnn_zeros,
                                                                                        **wrong_cells})),
                              context=context, sandbox=sandbox)
    for function, step, line, at in ((F, C, 13, 16), ("rnn_forward", "rnn_cell_forward", 12, 14)):
        told = {c.diagnosis.message for c in result.part(function).cases if c.diagnosis is not None}
        assert told == {f"Line {line} sets `a_next = np.zeros(a0.shape)` before the loop: that `a_next` is what "
                        f"line {at} passes to `{step}` at the first step, where a correct run passes `a0`."}, told
    # Control: a loop that passes `a0` itself at every step keeps its own sentence (nothing set before it).
    part = _graded_part(tmp_path / "a0.ipynb", nbs.mutate(F, _STEP, "lstm_cell_forward(x[:, :, t], a0, c_next, "
                                                          "parameters)"), context, sandbox)
    assert all("before the loop" not in c.diagnosis.message for c in part.cases if c.diagnosis is not None)
