"""A step given the place of an output it has not filled yet: ``rnn_cell_forward(xt, a[:, :, t], ...)``,
where the loop stores ``a[:, :, t] = a_next`` only after the call, so every step is given zeros. Real
notebooks wrote it (``lstm_forward`` with ``a[:, :, t]`` and ``c[:, :, t]`` as well) and were told
only that the inputs differ "(first at call 1, in `a_prev` (an array of zeros))", left from the
thirty-second session. Now the line and why its value is zeros are said."""
from __future__ import annotations

import pytest

from grader import stephints
from tests import notebooks as nbs
from tests.test_review_s23 import _grade

RNN_CALL = "rnn_cell_forward(x[:, :, t], a_next, parameters)"
LSTM_CALL = "lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)"


#: Thirty-fourth session (helper real): a real notebook passed `a[:, :, t - 1]` in a loop over range(T_x):
#: right from the second step on, zeros (index -1) at the first; told only "inputs that differ ... (first
#: at call 1, in `a_prev` (an array of zeros))".
FIRST_STEP = "at the first step, `t` = 0, that is index -1, the last step's place of `a`, which still holds the zeros"


@pytest.mark.parametrize("name, old, new, place, first", [
    ("rnn_forward", RNN_CALL, "rnn_cell_forward(x[:, :, t], a[:, :, t], parameters)", "a[:, :, t]", ""),
    ("lstm_forward", LSTM_CALL, "lstm_cell_forward(x[:, :, t], a[:, :, t], c[:, :, t], parameters)", "a[:, :, t]", ""),
    ("rnn_forward", RNN_CALL, "rnn_cell_forward(x[:, :, t], a[:, :, t - 1], parameters)", "a[:, :, t - 1]", FIRST_STEP),
    ("lstm_forward", LSTM_CALL, "lstm_cell_forward(x[:, :, t], a[:, :, t-1], c_next, parameters)", "a[:, :, t-1]",
     FIRST_STEP),
])
def test_a_place_the_loop_fills_after_the_call_is_told(tmp_path, context, sandbox, name, old, new, place, first):
    part = _grade(tmp_path, nbs.course_notebook(nbs.mutate(name, old, new)), context, sandbox).part(name)
    said = part.cases[0].diagnosis.message
    assert f"passes `{place}` to" in said and "still holds the zeros it was created with" in said, said
    assert "what the step before gave back" in said and first in said, said


def test_unfilled_slot_hint_needs_the_store_after_the_call():
    source = ("def f(x, a0):\n    a = np.zeros((2, 3, 4))\n    for t in range(4):\n"
              "        a_next = g(x[:, :, t], a[:, :, t])\n        a[:, :, t] = a_next\n    return a\n")
    said = stephints.unfilled_slot_hint(source, callee="g", index=1, first_line=10)
    assert said.startswith("Line 13 passes `a[:, :, t]` to `g`") and "(line 14)" in said, said
    # Stored before the call (the place holds this step's value), or read at another step: not this.
    before = source.replace("        a_next = g(x[:, :, t], a[:, :, t])\n        a[:, :, t] = a_next\n",
                            "        a[:, :, t] = a0\n        a_next = g(x[:, :, t], a[:, :, t])\n")
    assert stephints.unfilled_slot_hint(before, callee="g", index=1) == ""
    other = source.replace("a[:, :, t])", "a[:, :, t + 1])")  # (`t - 1`: its own sentence, below)
    assert stephints.unfilled_slot_hint(other, callee="g", index=1) == ""
    assert stephints.unfilled_slot_hint(source, callee="g", index=0) == ""
    assert stephints.unfilled_slot_hint("def f(:\n", callee="g", index=1) == ""


def test_unfilled_slot_hint_tells_the_step_before_only_in_a_loop_from_zero():
    source = ("def f(x, a0):\n    a = np.zeros((2, 3, 4))\n    for t in range(4):\n"
              "        a_next = g(x[:, :, t], a[:, :, t - 1])\n        a[:, :, t] = a_next\n    return a\n")
    assert stephints.unfilled_slot_hint(source, callee="g", index=1).startswith(
        "Line 4 passes `a[:, :, t - 1]` to `g`: at the first step, `t` = 0, that is index -1")
    # From step 1 (first_step_skipped_from_slice, a known mistake), a place never stored, another offset: not this.
    for other in (source.replace("range(4)", "range(1, 4)"), source.replace("        a[:, :, t] = a_next\n", ""),
                  source.replace("t - 1]", "t - 2]")):
        assert stephints.unfilled_slot_hint(other, callee="g", index=1) == "", other
    assert stephints.unfilled_slot_hint(source.replace("range(4)", "range(0, 4)"), callee="g", index=1) != ""


# The same session: a real notebook's `rnn_cell_forward(xt[:,:,1], a_next, parameters)` (xt = x) was
# told only "inputs that differ ... (first at call 1, in `xt`)".
def test_an_input_indexed_at_a_number_in_the_loop_is_told_its_line(tmp_path, context, sandbox):
    nb = nbs.course_notebook(nbs.mutate("rnn_forward", RNN_CALL, "rnn_cell_forward(x[:, :, 1], a_next, parameters)"))
    said = _grade(tmp_path, nb, context, sandbox).part("rnn_forward").cases[0].diagnosis.message
    assert "passes `x[:, :, 1]` to `rnn_cell_forward`: step 1 of `x` at every step. Index it with the loop's `t`." \
        in said, said


def test_fixed_step_hint_needs_a_number_where_the_step_belongs():
    source = "def f(x):\n    for t in range(4):\n        h = g(x[:, :, 1], t)\n    return h\n"
    assert stephints.fixed_step_hint(source, callee="g", index=0) == (
        "Line 3 passes `x[:, :, 1]` to `g`: step 1 of `x` at every step. Index it with the loop's `t`.")
    for right in ("x[:, :, t]", "x[t, :, 1]", "x[:, :, 1.0]", "x"):
        assert stephints.fixed_step_hint(source.replace("x[:, :, 1]", right), callee="g", index=0) == "", right
    assert stephints.fixed_step_hint(source, callee="g", index=1) == ""


# The same session: `rnn_cell_backward(da_prevt, caches[t])` (the gradient of each step's own output
# never added; real notebooks of the twenty-eighth and thirty-second corpora), left by the thirty-second
# session: told only "inputs that differ ... (first at call 1, in `da_next` (an array of zeros))".
def test_a_backward_step_given_only_the_carried_gradient_is_told_its_line(tmp_path, context, sandbox):
    nb = nbs.course_notebook(nbs.mutate("rnn_backward", "rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])",
                                        "rnn_cell_backward(da_prevt, caches[t])"))
    said = _grade(tmp_path, nb, context, sandbox).part("rnn_backward").cases[0].diagnosis.message
    assert ("passes `da_prevt` to `rnn_cell_backward`, the gradient the step after carried back, alone: the loop "
            "never reads `da`, the gradient of each step's own output. Pass `da[:, :, t] + da_prevt`.") in said, said


def test_carried_only_hint_is_for_a_backward_step_whose_loop_never_reads_the_gradients():
    source = ("def back(da, caches):\n    g = np.zeros(3)\n    for t in reversed(range(4)):\n"
              "        out = cell_backward(g, caches[t])\n        g = out['da_prev']\n    return g\n")
    said = stephints.carried_only_hint(source, callee="cell_backward", index=0)
    assert said.startswith("Line 4 passes `g` to `cell_backward`") and "Pass `da[:, :, t] + g`." in said, said
    # The loop reads da (the sum is there, or the slice is): another mistake; a forward step: not this.
    assert stephints.carried_only_hint(source.replace("cell_backward(g,", "cell_backward(g + da[:, :, t],"),
                                   callee="cell_backward", index=0) == ""
    forward = source.replace("cell_backward", "cell_forward")
    assert stephints.carried_only_hint(forward, callee="cell_forward", index=0) == ""
    assert stephints.carried_only_hint(source.replace("        g = out['da_prev']\n", ""), callee="cell_backward",
                                   index=0) == ""  # never carried: unchanged_argument_hint's


# Left by the thirty-sixth session: `rnn_cell_backward(da[:, :, t], caches[t])` with `da0 = da` (a real
# notebook of the thirtieth corpus): the known mistake of the slice alone has `da0` right, so it did not
# match, and the student read only "inputs that differ ... (first at call 2, in `da_next`)".
def test_a_backward_step_given_only_its_own_gradient_is_told_its_line(tmp_path, context, sandbox):
    source = nbs.COURSE_CELLS["rnn_backward"].replace("    da0 = da_prevt\n", "    da0 = da\n").replace(
        "da[:, :, t] + da_prevt", "da[:, :, t]")
    part = _grade(tmp_path, nbs.course_notebook({"rnn_backward": source}), context, sandbox).part("rnn_backward")
    said = part.cases[0].diagnosis.message
    assert ("passes `da[:, :, t]` to `rnn_cell_backward` alone: the gradient the step after carried back, "
            "`da_prevt`, is never added to it. Pass `da[:, :, t] + da_prevt`.") in said, said


def test_step_only_hint_needs_the_input_alone_and_a_carried_gradient():
    source = ("def back(da, caches):\n    g = np.zeros(3)\n    for t in reversed(range(4)):\n"
              "        out = cell_backward(da[:, :, t], caches[t])\n        dx, g = out['dx'], out['da_prev']\n"
              "    return g\n")
    assert stephints.step_only_hint(source, callee="cell_backward", index=0) == (
        "Line 4 passes `da[:, :, t]` to `cell_backward` alone: the gradient the step after carried back, `g`, is "
        "never added to it. Pass `da[:, :, t] + g`.")
    # The sum passed, nothing carried, another argument, a forward step, a slice of a local: not this.
    assert stephints.step_only_hint(source.replace("(da[:, :, t],", "(da[:, :, t] + g,"), callee="cell_backward",
                                    index=0) == ""
    assert stephints.step_only_hint(source.replace("out['da_prev']", "out['dW']"), callee="cell_backward",
                                    index=0) == ""
    assert stephints.step_only_hint(source, callee="cell_backward", index=1) == ""
    assert stephints.step_only_hint(source.replace("cell_backward", "cell_forward"), callee="cell_forward",
                                    index=0) == ""
    assert stephints.step_only_hint(source.replace("(da[:, :, t],", "(h[:, :, t],"), callee="cell_backward",
                                    index=0) == ""


def test_a_carried_gradient_made_wrong_is_told_its_line():
    # Thirty-eighth session: another step's own gradient, the two multiplied, the carried one added up at each
    # step, and the carried one started at another value than zeros were told "inputs that differ" alone.
    from grader import stephints

    course = nbs.COURSE_CELLS["rnn_backward"]

    def said(old, new):
        return stephints.carried_gradient_hint(course.replace(old, new), callee="rnn_cell_backward", index=0)

    assert said("da[:, :, t] + da_prevt", "da[:, :, t - 1] + da_prevt") == (
        "Line 17 passes `da[:, :, t - 1]` to `rnn_cell_backward`, the gradient of another step's output: step `t`'s "
        "is `da[:, :, t]`.")
    assert said("da[:, :, t] + da_prevt", "da[:, :, t] * da_prevt").endswith("Pass `da[:, :, t] + da_prevt`.")
    assert said('da_prevt, dWaxt, dWaat, dbat = gradients["dxt"], gradients["da_prev"]',
                'da_prevt, dWaxt, dWaat, dbat = gradients["dxt"], da_prevt + gradients["da_prev"]').startswith(
        "Line 18, `dxt, da_prevt, dWaxt, dWaat, dbat = gradients[\"dxt\"], da_prevt + gradients[\"da_prev\"]")
    assert said("da_prevt = np.zeros((n_a, m))", "da_prevt = da[:, :, -1]").startswith(
        "Line 14, `da_prevt = da[:, :, -1]`, starts the carried `da_prevt` at another value than zeros")
    # Controls: the course's loop, a carried gradient started with zeros_like, summed into another name passed
    # on, and a forward step's call.
    assert stephints.carried_gradient_hint(course, callee="rnn_cell_backward", index=0) == ""
    assert said("da_prevt = np.zeros((n_a, m))", "da_prevt = np.zeros_like(da[:, :, 0])") == ""
    into = course.replace("rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])", "rnn_cell_backward(g, caches[t])") \
        .replace("    for t in reversed(range(T_x)):\n", "    for t in reversed(range(T_x)):\n        g = da[:, :, t] + 0\n"
                 "        g += da_prevt\n")
    assert stephints.carried_gradient_hint(into, callee="rnn_cell_backward", index=0) == ""
    forward = nbs.COURSE_CELLS["rnn_forward"]
    assert stephints.carried_gradient_hint(forward, callee="rnn_cell_forward", index=1) == ""
