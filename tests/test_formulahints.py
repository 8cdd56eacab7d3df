"""grader.formulahints: the sentences read from a function's formulas (thirty-seventh session), each with
a control that right code keeps its silence, and their bounds on a hostile source."""
from __future__ import annotations

import time

import pytest

from grader import formulahints
from tests import notebooks as nbs

LSTM = nbs.COURSE_CELLS["lstm_cell_forward"].split("\n", 2)[2]  # the def, without the heading's two lines
RNN = nbs.COURSE_CELLS["rnn_cell_forward"].split("\n", 2)[2]


def test_a_gate_made_with_another_gates_weights_is_told_its_own():
    source = LSTM.replace("it = sigmoid(np.dot(Wi, concat) + bi)", "it = sigmoid(np.dot(parameters['Wf'], concat) + bi)")
    said = formulahints.gate_weights_hint(source)
    assert said == ("Line 23 computes `it`, the update gate, with `Wf`, the forget gate's: the update gate has its own, "
                    "`Wi` and `bi`."), said
    # The course's older name of the update gate's weights counts as its own.
    older = LSTM.replace("Wi", "Wu").replace("bi", "bu")
    assert formulahints.gate_weights_hint(older) == ""
    assert formulahints.gate_weights_hint(LSTM) == ""


def test_a_gate_under_the_students_own_name_or_over_two_lines_is_told_its_own_weights():
    # Thirty-eighth session: only `ft = ...`, `it = ...`, `cct = ...`, `ot = ...` on one line were read.
    forget = LSTM.replace("ft = sigmoid(np.dot(Wf, concat) + bf)", "forget = sigmoid(np.dot(Wi, z) + bi)")
    said = formulahints.gate_weights_hint(forget)
    assert said == ("Line 22 computes `forget`, the forget gate, with `Wi` and `bi`, the update gate's: the forget gate "
                    "has its own, `Wf` and `bf`."), said
    for name, letter in (("f", "f"), ("gate_f", "f"), ("f_t", "f"), ("gamma_u", "i"), ("update_gate", "i"),
                         ("c_tilde", "c"), ("o_t", "o")):
        other = "Wo" if letter != "o" else "Wf"
        source = LSTM.replace("ft = sigmoid(np.dot(Wf, concat) + bf)", f"{name} = sigmoid(np.dot({other}, concat))")
        assert formulahints.gate_weights_hint(source).startswith(f"Line 22 computes `{name}`"), name
    two = LSTM.replace("ft = sigmoid(np.dot(Wf, concat) + bf)", "zf = np.dot(Wi, concat) + bi\n    ft = sigmoid(zf)")
    said = formulahints.gate_weights_hint(two, first_line=3)
    assert said == ("Line 25 computes `ft`, the forget gate, from `zf` (line 24), made with `Wi` and `bi`, the update "
                    "gate's: the forget gate has its own, `Wf` and `bf`."), said
    # Controls: the right gates under own names, over two lines, with one name reused for each gate's sum.
    own = LSTM.replace("ft = sigmoid(np.dot(Wf, concat) + bf)", "forget = sigmoid(np.dot(Wf, concat) + bf)")
    reused = LSTM
    for gate, letter, squash in (("ft", "f", "sigmoid"), ("it", "i", "sigmoid"), ("cct", "c", "np.tanh"),
                                 ("ot", "o", "sigmoid")):
        reused = reused.replace(f"{gate} = {squash}(np.dot(W{letter}, concat) + b{letter})",
                                f"z = np.dot(W{letter}, concat) + b{letter}\n    {gate} = {squash}(z)")
    assert reused.count("z = np.dot") == 4
    for source in (own, reused):
        assert formulahints.gate_weights_hint(source) == "", source


def test_the_hidden_state_gated_by_another_gate_is_told_the_output_gate():
    said = formulahints.gate_weights_hint(LSTM.replace("a_next = ot * np.tanh(c_next)", "a_next = it * np.tanh(c_next)"),
                                          first_line=3)
    assert said.startswith("Line 29, `a_next = it * np.tanh(c_next)`, gates the hidden state with `it`, the update "
                           "gate"), said
    # Controls: the output gate, and a hidden state made without any gate (another rule's mistake).
    assert formulahints.gate_weights_hint(LSTM.replace("a_next = ot * np.tanh(c_next)", "a_next = np.tanh(c_next)")) == ""


def test_a_tanh_applied_again_is_told_both_lines_and_not_after_a_new_value():
    source = RNN.replace("yt_pred = softmax(np.dot(Wya, a_next) + by)", "yt_pred = softmax(np.dot(Wya, np.tanh(a_next)) + by)")
    said = formulahints.tanh_twice_hint(source, first_line=3)
    assert said.startswith("`a_next` is a tanh already (line 14, `a_next = np.tanh("), said
    assert said.endswith("line 16 applies `np.tanh` to it again (`np.tanh(a_next)`): use `a_next` as it is."), said
    # Control: a name given another value in between is not a tanh any more.
    between = source.replace("    # compute output", "    a_next = a_next * 2\n    # compute output")
    assert formulahints.tanh_twice_hint(between) == ""
    assert formulahints.tanh_twice_hint(RNN) == ""


def test_a_transposed_bias_is_told_and_a_transposed_weight_is_not():
    said = formulahints.transposed_bias_hint(RNN.replace("+ by)", "+ parameters['by'].T)"), first_line=3)
    assert said.startswith("Line 16 adds `parameters['by'].T`, a row: the bias `by` is a column"), said
    assert formulahints.transposed_bias_hint(RNN.replace("np.dot(Wax, xt)", "np.dot(xt.T, Wax.T).T")) == ""
    assert formulahints.transposed_bias_hint(RNN) == ""


def test_a_carried_value_added_up_is_told_and_a_step_gradient_is_not():
    backward = nbs.COURSE_CELLS["rnn_backward"]
    summed = backward.replace("        dba += dbat\n    da0 = da_prevt\n", "        dba += dbat\n        da0 += da_prevt\n")
    said = formulahints.carried_summed_hint(summed)
    assert said.startswith("Line 23, `da0 += da_prevt`, adds up `da_prevt`, the value the loop carries"), said
    # Controls: the course's sums of each step's own gradients (`dWax += dWaxt`), and the carried value added
    # into what the call is given (`da_next += da_prevt`, passed on).
    assert formulahints.carried_summed_hint(backward) == ""
    into_call = backward.replace("rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])",
                                 "rnn_cell_backward(da_next, caches[t])").replace(
        "    for t in reversed(range(T_x)):\n", "    for t in reversed(range(T_x)):\n        da_next = da[:, :, t] + 0\n"
                                               "        da_next += da_prevt\n")
    assert "da_next += da_prevt" in into_call and formulahints.carried_summed_hint(into_call) == ""


def test_the_memory_made_with_the_output_gate_is_told_the_two_gates_it_needs():
    source = LSTM.replace("c_next = ft * c_prev + it * cct", "c_next = ft * c_prev + ot * cct")
    assert "makes the memory with `ot`, the output gate" in formulahints.gate_weights_hint(source)


def test_a_step_given_a_new_axis_and_added_to_the_whole_output_is_told_its_slice():
    # Thirty-eighth session: `dx += dxt[:, :, np.newaxis]` broadcasts each step into every step of `dx`.
    backward = nbs.COURSE_CELLS["rnn_backward"]
    said = formulahints.broadcast_fill_hint(backward.replace("dx[:, :, t] = dxt", "dx += dxt[:, :, np.newaxis]"))
    assert said.startswith("Line 19, `dx += dxt[:, :, np.newaxis]`, adds `dxt` to every step of `dx`"), said
    assert said.endswith("Store each step in its own slice: `dx[:, :, t] = dxt`."), said
    said = formulahints.broadcast_fill_hint(backward.replace("dx[:, :, t] = dxt", "dx[...] = np.reshape(dxt, (n_x, m, 1))"))
    assert said.startswith("Line 19, `dx[...] = np.reshape(dxt, (n_x, m, 1))`, writes `dxt` into every step"), said
    # Controls: the course's slice; a step's own slice given a new axis; a reshape to the whole array's
    # sizes; a name replaced whole (``valuehints.replaced_in_loop_hint``'s).
    assert formulahints.broadcast_fill_hint(backward) == ""
    for line in ("dx[:, :, t:t + 1] = dxt[:, :, None]", "dx = flat.reshape(n_x, m, T_x)", "dx = dxt[:, :, None]",
                 "dx += dxt.reshape(n_x, m, T_x)"):
        assert formulahints.broadcast_fill_hint(backward.replace("dx[:, :, t] = dxt", line)) == "", line


def test_a_wrong_tanh_derivative_is_told_what_it_does_under_the_students_names():
    # Thirty-eighth session: the line is evaluated over numbers (never run) and compared with the known wrong
    # derivatives; the names are those the student's cache is taken apart into.
    cell = nbs.COURSE_CELLS["rnn_cell_backward"]
    own = cell.replace("(a_next, a_prev, xt, parameters) = cache", "(h, h0, x, parameters) = cache").replace(
        "dtanh = (1 - a_next ** 2) * da_next", "g = np.multiply(1 - np.square(h0), da_next.T.T)")
    said = formulahints.derivative_hint(own)
    assert said == ("Line 11, `g = np.multiply(1 - np.square(h0), da_next.T.T)`, takes the derivative at `h0`, the step "
                    "before's hidden state. The tanh derivative at this step is `1 - h ** 2` (`h` is the tanh already), "
                    "times the gradient that comes in: `g = (1 - h ** 2) * da_next`."), said
    assert "(`*` comes before `-`)" in formulahints.derivative_hint(cell.replace("(1 - a_next ** 2) * da_next",
                                                                                "1 - a_next * a_next * da_next"))
    # Controls: right derivatives written otherwise, a forward step, a line reading what no number stands for,
    # and hostile numbers (an overflowing sigmoid, a power too large to try, a division by zero).
    for right in ("(1 - a_next ** 2) * da_next", "da_next * (1 + a_next) * (1 - a_next)",
                  "(1 - np.tanh(np.arctanh(a_next)) ** 2) * da_next", "da_next - da_next * a_next ** 2"):
        assert formulahints.derivative_hint(cell.replace("(1 - a_next ** 2) * da_next", right)) == "", right
    assert formulahints.derivative_hint(RNN) == ""
    for odd in ("sigmoid(-1e6 * a_next) * da_next", "a_next ** 100000 * da_next", "da_next / (a_next - a_next)",
                "(1 - a_next ** 2) * da_next * Wax"):
        assert formulahints.derivative_hint(cell.replace("(1 - a_next ** 2) * da_next", odd)) == "", odd


def test_the_rules_are_bounded_on_a_hostile_source():
    # 3,000 assignments of tanh in a chain (a cell's 100,000 characters), 150 nested calls as a step's argument,
    # and a function that does not parse: linear, then silent.
    body = "".join(f"    v{k} = np.tanh(v{k - 1} + 1)\n" for k in range(1, 3_000))
    source = "def f(v0):\n" + body + "    return v0\n"
    nested = "def f(da):\n    for t in range(3):\n        g = step(" + "h(" * 150 + "da" + ")" * 150 + ")\n" \
             "        total += g\n    return total\n"
    start = time.process_time()
    assert formulahints.carried_summed_hint(nested) == ""
    for rule in (formulahints.gate_weights_hint, formulahints.tanh_twice_hint, formulahints.transposed_bias_hint,
                 formulahints.carried_summed_hint, formulahints.broadcast_fill_hint, formulahints.derivative_hint):
        assert rule(source) == ""
        assert rule("def f(:\n") == ""
    assert time.process_time() - start < 5


def test_the_looks_before_a_walk_are_linear_on_hostile_text():
    # The text's looks (regular expressions, counts) on lines of 100,000 characters: a line of `(` before a
    # name added into another, a gate line of weights, a tanh of a name never given one.
    sources = ["def f(da):\n    x = g(" + "(" * 100_000 + "\n    total += da\n",
               "def f(Wi):\n    ft = " + "Wi + " * 20_000 + "bf\n",
               "def f(a):\n    b = np.tanh(a)\n    " + "c = np.tanh(a) + " * 6_000 + "0\n",
               "def f(Wi):\n" + "".join(f"    z{k} = Wi\n" for k in range(3_000)) + "    ft = " + "z1 + " * 500 + "0\n",
               "def f(Wi):\n" + "    ft  " * 15_000 + "= Wi\n"]
    start = time.process_time()
    for source in sources:
        for rule in (formulahints.gate_weights_hint, formulahints.tanh_twice_hint, formulahints.carried_summed_hint):
            rule(source)
    assert time.process_time() - start < 5


RNN_BACKWARD = nbs.COURSE_CELLS["rnn_cell_backward"]


def _edited(source: str, old: str, new: str) -> tuple[str, int]:
    """``source`` with its line holding ``old`` given ``new`` there, and that line's number."""
    edited = source.replace(old, new, 1)
    return edited, next(k for k, text in enumerate(edited.splitlines(), 1) if new in text)


@pytest.mark.parametrize("rule, source, old, new, said", [
    # Two real notebooks wrote `dWaa = np.dot(dtanh, da_prev.T)` (da_prev computed the line above) and were told
    # "`dWaa` has the right shape but 25 of 25 values differ" alone.
    (formulahints.gradient_for_input_hint, RNN_BACKWARD, "dWaa = np.dot(dtanh, a_prev.T)",
     "dWaa = np.dot(dtanh, da_prev.T)  # Waa's",
     "`dWaa = np.dot(dtanh, da_prev.T)`, makes `dWaa` from `da_prev`, the gradient of `a_prev`: a weight's gradient "
     "multiplies by what the weight multiplied in the forward pass, `a_prev` itself: use `a_prev.T`."),
    # A real notebook wrote `yt_pred = sigmoid(np.dot(Wya,a_prev) + by)`: each mistake alone is a known one, the
    # two together matched none and were told "values differ" alone.
    (formulahints.prediction_hint, RNN, "yt_pred = softmax(np.dot(Wya, a_next) + by)",
     "yt_pred = sigmoid(np.dot(Wya,a_prev) + by)",
     "`yt_pred = sigmoid(np.dot(Wya,a_prev) + by)`, makes the prediction with `sigmoid` and from `a_prev`, the "
     "previous hidden state: the prediction is this step's hidden state through a softmax, `yt_pred = "
     "softmax(np.dot(Wya, a_next) + by)`."),
])
def test_a_line_of_the_thirty_eighth_sessions_mistakes_is_told_with_its_fix(rule, source, old, new, said):
    source, line = _edited(source, old, new)
    assert rule(source, first_line=3) == f"Line {line + 2}, {said}"


def test_a_weight_gradient_made_with_an_inputs_gradient_is_told_the_input():
    source, line = _edited(RNN_BACKWARD, "dWax = np.dot(dtanh, xt.T)", "dWax = dtanh @ dxt .T")
    said = formulahints.gradient_for_input_hint(source, first_line=5)
    assert said.startswith(f"Line {line + 4}, `dWax = dtanh @ dxt .T`, makes `dWax` from `dxt`"), said
    # Controls: the course's code; a gradient on the left (`dWf = np.dot(dft, concat.T)`); a `d` name with no
    # name of its own in the function (`ddelta.T`, no `delta`); the transpose of a weight (`dWaa.T`).
    assert formulahints.gradient_for_input_hint(RNN_BACKWARD) == ""
    assert formulahints.gradient_for_input_hint("def f(dft, concat):\n    dWf = np.dot(dft, concat.T)\n") == ""
    assert formulahints.gradient_for_input_hint("def f(ddelta):\n    dWaa = np.dot(ddelta, ddelta.T)\n") == ""
    assert formulahints.gradient_for_input_hint("def f(dWaa, Waa):\n    dWaa = dWaa.T + Waa\n") == ""


def test_a_weight_gradient_rule_reads_hostile_lines_in_linear_time():
    sources = ["def f(a):\n    dWaa = " + "d" * 200_000 + "\n",
               "def f(a):\n    dWaa = " + "da " * 60_000 + "\n",
               "def f(a):\n" + "    dW = x\n" * 30_000]
    start = time.process_time()
    for source in sources:
        assert formulahints.gradient_for_input_hint(source) == ""
    assert time.process_time() - start < 2


def test_the_grader_tells_the_weight_gradient_made_with_an_inputs_gradient(tmp_path, context, sandbox):
    from grader.runner import grade_submission

    edit = nbs.mutate("rnn_cell_backward", "dWaa = np.dot(dtanh, a_prev.T)", "dWaa = np.dot(dtanh, da_prev.T)")
    part = grade_submission(nbs.write(tmp_path / "s.ipynb", nbs.course_notebook(edit)), context=context,
                            sandbox=sandbox).part("rnn_cell_backward")
    assert part.points == 16, part
    assert {c.diagnosis.id for c in part.cases if c.status == "failed"} == {"formula/gradient-for-input"}, part.cases


def test_a_prediction_squashed_otherwise_is_told_the_softmax():
    lstm = LSTM.replace("yt_pred = softmax(np.dot(Wy, a_next) + by)", "yt_pred = np.tanh(np.dot(Wy, a_next) + by)")
    assert "with `np.tanh`: the prediction" in formulahints.prediction_hint(lstm)
    assert "`yt_pred = softmax(np.dot(Wy, a_next) + by)`" in formulahints.prediction_hint(lstm)
    # Controls: the course's lines, a softmax of a name made above, a function that makes no `a_next`.
    assert formulahints.prediction_hint(RNN) == formulahints.prediction_hint(LSTM) == ""
    named = RNN.replace("yt_pred = softmax(np.dot(Wya, a_next) + by)", "z = np.dot(Wya, a_next) + by\n    yt_pred = softmax(z)")
    assert formulahints.prediction_hint(named) == ""
    assert formulahints.prediction_hint("def f(a_prev, W):\n    yt_pred = sigmoid(np.dot(W, a_prev))\n") == ""


def test_the_grader_tells_both_mistakes_of_a_prediction_and_a_known_one_alone(tmp_path, context, sandbox):
    from grader.runner import grade_submission

    def failed_ids(old: str, new: str) -> set[str]:
        nb = nbs.course_notebook(nbs.mutate("rnn_cell_forward", old, new))
        part = grade_submission(nbs.write(tmp_path / "s.ipynb", nb), context=context,
                                sandbox=sandbox).part("rnn_cell_forward")
        return {c.diagnosis.id if c.diagnosis else None for c in part.cases if c.status == "failed"}

    y = "yt_pred = softmax(np.dot(Wya, a_next) + by)"
    assert failed_ids(y, "yt_pred = sigmoid(np.dot(Wya, a_prev) + by)") == {"formula/prediction"}
    assert failed_ids(y, "yt_pred = sigmoid(np.dot(Wya, a_next) + by)") == {"rnn_cell_forward/sigmoid_output"}


def test_the_prediction_rule_is_bounded_on_hostile_sources():
    sources = ["def f(a_next):\n    yt_pred = " + "a_prev + " * 20_000 + "a_next\n",
               "def f(a_next):\n" + "    yt_pred = softmax(a_prev)\n" * 3_000,
               "def f(a_next:\n    yt_pred = sigmoid(a_prev)\n"]
    start = time.process_time()
    said = [formulahints.prediction_hint(source) for source in sources]
    assert time.process_time() - start < 5
    assert said[0] == said[2] == "" and said[1].startswith("Line 2, `yt_pred = softmax(a_prev)`"), said


def test_a_weight_s_step_gradient_made_again_from_an_input_is_told_the_step_s_to_add():
    source = nbs.COURSE_CELLS["rnn_backward"]
    assert formulahints.step_gradient_recomputed_hint(source) == ""  # the course's: `dWaa += dWaat`
    wrong = source.replace("dWaa += dWaat", "dWaa += np.dot(da[:, :, t], a0.T)")
    assert formulahints.step_gradient_recomputed_hint(wrong, first_line=3).startswith(
        "Line 23, `dWaa += np.dot(da[:, :, t], a0.T)`, makes the step's part of `dWaa` itself, from the input `da`")
    # Controls: a product of the step's own values (no input of the function read), and no step called.
    own = source.replace("dWaa += dWaat", "dWaa += np.dot(dWaat, np.eye(dWaat.shape[1]))")
    assert formulahints.step_gradient_recomputed_hint(own) == ""
    alone = wrong.replace("rnn_cell_backward(", "step(")
    assert formulahints.step_gradient_recomputed_hint(alone) == ""
