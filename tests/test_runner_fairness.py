"""Patterns found in real students' notebooks of this assignment (docs/fairness.md), each
rebuilt here from the tests' own course notebook: what the student is told about them."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.models import ERROR, MISSING, PASSED, RAISED_MATCH
from grader.runner import grade_submission
from grader.failtexts import legacy_aliases_replaced, numpy_typo
from grader.outputnotes import missing_key_hint
from tests import notebooks as nbs

# The template's optional first step left half-typed: a line that does not parse.
HALF_TYPED = nbs.COURSE_CELLS["rnn_cell_backward"].replace(
    "    dtanh = ", "    # gradient with respect to z (optional)\n    dz = \n    dtanh = ", 1)


def grade(tmp_path: Path, nb: dict, context, sandbox):
    """The result of grading ``nb``, written to ``tmp_path``."""
    return grade_submission(nbs.write(tmp_path / "student.ipynb", nb), context=context, sandbox=sandbox)


def test_a_function_whose_def_does_not_parse_is_told_its_syntax_error(tmp_path, context, sandbox):
    assert HALF_TYPED != nbs.COURSE_CELLS["rnn_cell_backward"]
    result = grade(tmp_path, nbs.course_notebook({"rnn_cell_backward": HALF_TYPED}), context, sandbox)
    broken = result.part("rnn_cell_backward")
    assert broken.points == 0 and broken.status == ERROR
    for message in (broken.notes[0], broken.cases[0].message):
        assert "Syntax error" in message and "`rnn_cell_backward`" in message, message
        assert "No function named" not in message and "Did you mean" not in message, message
    assert broken.location is not None and broken.location.cell is not None
    assert result.part("rnn_backward").status == PASSED  # graded with the reference cell


def test_a_missing_function_is_never_said_to_be_another_graded_function(tmp_path, context, sandbox):
    stub = "# the backward pass is not attempted\n"
    nb = nbs.course_notebook({"rnn_cell_backward": stub, "rnn_backward": stub})
    result = grade(tmp_path, nb, context, sandbox)
    for name in ("rnn_cell_backward", "rnn_backward"):
        part = result.part(name)
        assert part.status == MISSING and part.points == 0
        assert part.notes[0] == f"No function named `{name}` was found in the notebook.", part.notes


def test_a_close_name_that_nothing_grades_still_gets_the_rename_hint(tmp_path, context, sandbox):
    renamed = nbs.COURSE_CELLS["rnn_cell_backward"].replace(
        "def rnn_cell_backward(", "def rnn_cell_backwards(", 1)
    result = grade(tmp_path, nbs.course_notebook({"rnn_cell_backward": renamed}), context, sandbox)
    part = result.part("rnn_cell_backward")
    assert part.status == MISSING
    assert "Did you mean to name `rnn_cell_backwards` `rnn_cell_backward`?" in part.notes[0]


def test_a_close_name_in_capitals_gets_the_rename_hint(tmp_path, context, sandbox):
    # A real notebook (thirty-seventh session) named its LSTM loop `LSTM_forward_pass`: the capitals made it
    # too far from `lstm_forward` for the rename hint, which its `forward_pass` for `rnn_forward` got.
    renamed = nbs.COURSE_CELLS["lstm_forward"].replace("def lstm_forward(", "def LSTM_forward_pass(", 1)
    result = grade(tmp_path, nbs.course_notebook({"lstm_forward": renamed}), context, sandbox)
    part = result.part("lstm_forward")
    assert part.status == MISSING
    assert "Did you mean to name `LSTM_forward_pass` `lstm_forward`?" in part.notes[0], part.notes


def test_a_missing_function_is_not_said_to_be_another_of_the_course_s_functions(tmp_path, context, sandbox):
    """A notebook with the course's optional ``lstm_cell_backward`` (which this rubric does not
    grade) and no ``rnn_cell_backward`` was told to rename the one into the other."""
    optional = ("def lstm_cell_backward(da_next, dc_next, cache):\n"
                "    # the optional LSTM backward pass\n    return {}\n")
    nb = nbs.course_notebook({"rnn_cell_backward": "# not attempted\n"}, extra_cells=[nbs.code_cell(optional)])
    result = grade(tmp_path, nb, context, sandbox)
    part = result.part("rnn_cell_backward")
    assert part.status == MISSING
    assert part.notes[0] == "No function named `rnn_cell_backward` was found in the notebook.", part.notes


def test_a_def_left_out_of_the_program_is_told_why(tmp_path, context, sandbox):
    src = nbs.COURSE_CELLS["rnn_cell_backward"].replace(
        "(da_next, cache)", "(da_next, cache, scale=scale_from_test)", 1)
    result = grade(tmp_path, nbs.course_notebook({"rnn_cell_backward": src}), context, sandbox)
    part = result.part("rnn_cell_backward")
    assert part.points == 0
    message = part.cases[0].message
    assert "scale_from_test" in message and "left out" in message, message
    assert "an error above it" not in message, message


def test_an_error_in_a_right_dependency_called_wrongly_blames_the_call(tmp_path, context, sandbox):
    # rnn_backward hands rnn_cell_backward the whole list of caches instead of step t's: the
    # student's (right) cell raises when it unpacks it.
    nb = nbs.course_notebook(nbs.mutate("rnn_backward", "da_prevt, caches[t])", "da_prevt, caches)"))
    result = grade(tmp_path, nb, context, sandbox)
    assert result.part("rnn_cell_backward").status == PASSED
    loop = result.part("rnn_backward")
    assert loop.points == 0
    message = loop.cases[0].message
    assert message.startswith("Raised ") and "in rnn_cell_backward" in message, message
    assert "comes from what `rnn_backward` passed to it" in message, message
    assert "first at call 1, in `cache`" in message, message


def test_an_error_in_a_wrong_dependency_called_rightly_blames_nothing_else(tmp_path, context, sandbox):
    # The composite itself raises (not its dependency): no sentence about the call.
    nb = nbs.course_notebook(nbs.mutate("rnn_backward", "dx[:, :, t] = dxt", "dx[:, :, t + 1] = dxt"))
    result = grade(tmp_path, nb, context, sandbox)
    loop = result.part("rnn_backward")
    assert loop.points < loop.max_points
    assert all("comes from what" not in case.message for case in loop.cases)


def test_two_outputs_made_one_array_are_named_and_the_assignment_blamed(tmp_path, context, sandbox):
    # `c = a` instead of a second np.zeros: `a` ends up holding the memory states.
    nb = nbs.course_notebook(nbs.mutate("lstm_forward", "c = np.zeros((n_a, m, T_x))", "c = a"))
    result = grade(tmp_path, nb, context, sandbox)
    loop = result.part("lstm_forward")
    assert 0 < loop.points < loop.max_points  # y, c and the caches are right; a is not
    case = loop.cases[0]
    assert [check.name for check in case.checks if not check.passed] == ["a"]
    assert case.diagnosis is not None and case.diagnosis.id == "aliasing"
    message = case.diagnosis.message
    assert "`a` and `c` are one array" in message and "your `c = a` (line " in message, message
    assert "result[" not in message and "slicing" not in message, message


def test_two_outputs_made_one_array_are_told_apart_from_the_hidden_states_stored_as_memory(
        tmp_path, context, sandbox):
    # `c = a` with c written before a: both hold the hidden states, the outputs of
    # `c[:, :, t] = a_next` (lstm_forward/a_stored_as_c). The memory tells them apart.
    edited = nbs.COURSE_CELLS["lstm_forward"].replace("    c = np.zeros((n_a, m, T_x))", "    c = a").replace(
        "        a[:, :, t] = a_next\n        y[:, :, t] = yt\n        c[:, :, t] = c_next",
        "        c[:, :, t] = c_next\n        a[:, :, t] = a_next\n        y[:, :, t] = yt")
    assert edited.count("c = a") == 1 and "c[:, :, t] = c_next\n        a[:, :, t]" in edited
    loop = grade(tmp_path, nbs.course_notebook({"lstm_forward": edited}), context, sandbox).part("lstm_forward")
    assert [check.name for check in loop.cases[0].checks if not check.passed] == ["c"]
    assert all(case.diagnosis is not None and case.diagnosis.id == "aliasing"
               for case in loop.cases if case.status != PASSED), [case.diagnosis for case in loop.cases]
    # The student's own assignment is quoted, at its line of the cell: it was "an assignment such as
    # `a = c`", the other way round from what they wrote.
    line = 1 + edited.splitlines().index("    c = a")
    message = loop.cases[0].diagnosis.message
    assert f"your `c = a` (line {line}) gives an array a second name" in message, message
    assert "such as" not in message, message


def test_two_outputs_made_one_array_another_way_keep_the_general_wording(tmp_path, context, sandbox):
    # `c = a[:]`: a view of all of `a`, no plain `c = a` to quote.
    nb = nbs.course_notebook(nbs.mutate("lstm_forward", "c = np.zeros((n_a, m, T_x))", "c = a[:]"))
    message = grade(tmp_path, nb, context, sandbox).part("lstm_forward").cases[0].diagnosis.message
    assert "are one array" in message and "an assignment such as `c = a` gives" in message, message
    assert "your `" not in message, message


def test_a_view_overwritten_later_is_named_by_the_output_that_holds_it(tmp_path, context, sandbox):
    # The cache keeps a view of c's first step, which is overwritten afterwards.
    nb = nbs.course_notebook(nbs.mutate(
        "lstm_forward", "        caches.append(cache)",
        "        caches.append(cache[:1] + (c[:, :, 0],) + cache[2:])\n        c[:, :, 0] = 0.5"))
    result = grade(tmp_path, nb, context, sandbox)
    messages = [c.diagnosis.message for c in result.part("lstm_forward").cases
                if c.diagnosis is not None and c.diagnosis.id == "aliasing"]
    assert messages
    for message in messages:
        assert "`c`" in message and "`caches[0][0][1]`" in message, message
        assert "result[" not in message, message


# Mistakes seen on real notebooks that had no name in the catalog (solution/mutants.py), written
# as those students wrote them: each is now diagnosed, and loses what it lost before.
NAMED = [
    ("rnn_cell_forward", "rnn_cell_forward/softmax_whole_array", {"rnn_cell_forward": (
        "    yt_pred = softmax(np.dot(Wya, a_next) + by)",
        "    scores = np.dot(Wya, a_next) + by\n"
        "    yt_pred = np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()")}),
    ("lstm_cell_forward", "lstm_cell_forward/sigmoid_output", {"lstm_cell_forward": (
        "    yt_pred = softmax(np.dot(Wy, a_next) + by)", "    yt_pred = sigmoid(np.dot(Wy, a_next) + by)")}),
    ("lstm_forward", "lstm_forward/a_from_zeros", {"lstm_forward": (
        "    a_next = a0", "    a_next = np.zeros((n_a, m))")}),
    ("rnn_backward", "rnn_backward/sums_stay_zero", {"rnn_backward": (
        "        dWax += dWaxt\n        dWaa += dWaat\n        dba += dbat",
        "        dWax += dWax\n        dWaa += dWaa\n        dba += dba")}),
    # Session 30: len(x) is n_x (wrong values when n_x < T_x, IndexError when n_x > T_x: the
    # error cases are named too, by the mistake the public case's outputs show) ...
    ("rnn_forward", "rnn_forward/len_of_x", {"rnn_forward": (
        "    for t in range(T_x):", "    for t in range(len(x)):")}),
    # ... and a loop that starts at step 1 (told only that the first wrong input is `xt`).
    ("lstm_forward", "lstm_forward/first_step_skipped", {"lstm_forward": (
        "    for t in range(T_x):", "    for t in range(1, T_x):")}),
    # Session 31: the last deterministic mistakes of the fb helper's list (docs/fairness.md). On
    # the public case range(T_x - 1) runs the steps range(len(x)) runs (n_x = 3, T_x = 4): each
    # is named by what the hidden cases show (len(x) raises there), above and here.
    ("rnn_cell_forward", "rnn_cell_forward/ba_outside_tanh", {"rnn_cell_forward": (
        "np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)", "np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt)) + ba")}),
    ("rnn_forward", "rnn_forward/last_step_skipped", {"rnn_forward": (
        "    for t in range(T_x):", "    for t in range(T_x - 1):")}),
    ("lstm_cell_forward", "lstm_cell_forward/no_by", {"lstm_cell_forward": (
        "softmax(np.dot(Wy, a_next) + by)", "softmax(np.dot(Wy, a_next))")}),
    ("lstm_cell_forward", "lstm_cell_forward/forget_gate_twice", {"lstm_cell_forward": (
        "c_next = ft * c_prev + it * cct", "c_next = ft * c_prev + ft * cct")}),
    ("lstm_cell_forward", "lstm_cell_forward/ot_tanh", {"lstm_cell_forward": (
        "ot = sigmoid(np.dot(Wo, concat) + bo)", "ot = np.tanh(np.dot(Wo, concat) + bo)")}),
    ("lstm_forward", "lstm_forward/c_stored_as_a", {"lstm_forward": (
        "        a[:, :, t] = a_next", "        a[:, :, t] = c_next")}),
    ("rnn_cell_backward", "rnn_cell_backward/square_of_one_minus", {"rnn_cell_backward": (
        "dtanh = (1 - a_next ** 2) * da_next", "dtanh = (1 - a_next) ** 2 * da_next")}),
    ("rnn_cell_backward", "rnn_cell_backward/dWaa_from_a_next", {"rnn_cell_backward": (
        "dWaa = np.dot(dtanh, a_prev.T)", "dWaa = np.dot(dtanh, a_next.T)")}),
    ("rnn_backward", "rnn_backward/first_step_skipped", {"rnn_backward": (
        "    for t in reversed(range(T_x)):", "    for t in reversed(range(1, T_x)):")}),
    # Session 32: the mistakes the fb helper's notebooks were told only by their wrong values, and
    # more of lstm_forward's and rnn_backward's bookkeeping. On the case with T_x = 1 the last step
    # skipped gives what the first step skipped gives: the other cases name it.
    ("rnn_cell_forward", "rnn_cell_forward/cache_without_x", {"rnn_cell_forward": (
        "cache = (a_next, a_prev, xt, parameters)", "cache = (a_next, a_prev, parameters)")}),
    ("rnn_cell_forward", "rnn_cell_forward/cache_x_first", {"rnn_cell_forward": (
        "cache = (a_next, a_prev, xt, parameters)", "cache = (xt, a_next, a_prev, parameters)")}),
    ("lstm_cell_forward", "lstm_cell_forward/ft_tanh", {"lstm_cell_forward": (
        "ft = sigmoid(np.dot(Wf, concat) + bf)", "ft = np.tanh(np.dot(Wf, concat) + bf)")}),
    ("lstm_cell_forward", "lstm_cell_forward/it_tanh", {"lstm_cell_forward": (
        "it = sigmoid(np.dot(Wi, concat) + bi)", "it = np.tanh(np.dot(Wi, concat) + bi)")}),
    ("lstm_cell_forward", "lstm_cell_forward/it_with_bf", {"lstm_cell_forward": (
        "it = sigmoid(np.dot(Wi, concat) + bi)", "it = sigmoid(np.dot(Wi, concat) + bf)")}),
    ("lstm_cell_forward", "lstm_cell_forward/ft_bias_outside", {"lstm_cell_forward": (
        "ft = sigmoid(np.dot(Wf, concat) + bf)", "ft = sigmoid(np.dot(Wf, concat)) + bf")}),
    ("lstm_cell_forward", "lstm_cell_forward/biases_outside", {"lstm_cell_forward": (
        "    ft = sigmoid(np.dot(Wf, concat) + bf)\n    it = sigmoid(np.dot(Wi, concat) + bi)\n"
        "    cct = np.tanh(np.dot(Wc, concat) + bc)\n    c_next = ft * c_prev + it * cct\n"
        "    ot = sigmoid(np.dot(Wo, concat) + bo)",
        "    ft = sigmoid(np.dot(Wf, concat)) + bf\n    it = sigmoid(np.dot(Wi, concat)) + bi\n"
        "    cct = np.tanh(np.dot(Wc, concat)) + bc\n    c_next = ft * c_prev + it * cct\n"
        "    ot = sigmoid(np.dot(Wo, concat)) + bo")}),
    ("lstm_cell_forward", "lstm_cell_forward/c_from_a_prev", {"lstm_cell_forward": (
        "c_next = ft * c_prev + it * cct", "c_next = ft * a_prev + it * cct")}),
    ("lstm_cell_forward", "lstm_cell_forward/a_from_c_prev", {"lstm_cell_forward": (
        "a_next = ot * np.tanh(c_next)", "a_next = ot * np.tanh(c_prev)")}),
    ("lstm_cell_forward", "lstm_cell_forward/cache_without_x", {"lstm_cell_forward": (
        "cct, ot, xt, parameters)", "cct, ot, parameters)")}),
    ("lstm_cell_forward", "lstm_cell_forward/cache_x_first", {"lstm_cell_forward": (
        "cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)",
        "cache = (xt, a_next, c_next, a_prev, c_prev, ft, it, cct, ot, parameters)")}),
    ("lstm_forward", "lstm_forward/y_not_stored", {"lstm_forward": ("        y[:, :, t] = yt\n", "")}),
    ("lstm_forward", "lstm_forward/a_not_stored", {"lstm_forward": ("        a[:, :, t] = a_next\n", "")}),
    ("lstm_forward", "lstm_forward/a_stored_as_c", {"lstm_forward": (
        "        c[:, :, t] = c_next", "        c[:, :, t] = a_next")}),
    ("lstm_forward", "lstm_forward/y_wrong_index", {"lstm_forward": (
        "        y[:, :, t] = yt", "        y[:, :, t - 1] = yt")}),
    ("lstm_forward", "lstm_forward/caches_without_x", {"lstm_forward": ("    caches = (caches, x)\n", "")}),
    ("lstm_forward", "lstm_forward/caches_of_none", {"lstm_forward": (
        "caches.append(cache)", "caches.append(None)")}),
    ("lstm_forward", "lstm_forward/last_step_skipped", {"lstm_forward": (
        "    for t in range(T_x):", "    for t in range(T_x - 1):")}),
    ("lstm_forward", "lstm_forward/len_of_x", {"lstm_forward": (
        "    for t in range(T_x):", "    for t in range(len(x)):")}),
    ("rnn_cell_backward", "rnn_cell_backward/dtanh_from_a_prev", {"rnn_cell_backward": (
        "dtanh = (1 - a_next ** 2) * da_next", "dtanh = (1 - a_prev ** 2) * da_next")}),
    ("rnn_cell_backward", "rnn_cell_backward/dba_axis0_no_keepdims", {"rnn_cell_backward": (
        "dba = np.sum(dtanh, axis=1, keepdims=True)", "dba = np.sum(dtanh, axis=0)")}),
    ("rnn_backward", "rnn_backward/da0_not_set", {"rnn_backward": ("    da0 = da_prevt\n", "")}),
    ("rnn_backward", "rnn_backward/dx_wrong_index", {"rnn_backward": (
        "dx[:, :, t] = dxt", "dx[:, :, t - 1] = dxt")}),
    # ... and the real notebooks' loop from step 1 (docs/fairness.md, thirty-first session), from a0 or
    # from the zeros of a[:, :, 0]: on T_x = 1 it runs the steps range(T_x - 1) runs (none).
    ("rnn_forward", "rnn_forward/a_from_zeros", {"rnn_forward": (
        "    a_next = a0\n", "    a_next = np.zeros((n_a, m))\n")}),
    ("rnn_forward", "rnn_forward/first_step_skipped", {"rnn_forward": (
        "    for t in range(T_x):", "    for t in range(1, T_x):")}),
    ("rnn_forward", "rnn_forward/first_step_skipped_from_slice", {"rnn_forward": (
        "    for t in range(T_x):\n        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)",
        "    for t in range(1, T_x):\n        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a[:, :, t - 1], parameters)")}),
    ("lstm_forward", "lstm_forward/first_step_skipped_from_slices", {"lstm_forward": (
        "    for t in range(T_x):\n        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)",
        "    for t in range(1, T_x):\n        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a[:, :, t - 1], "
        "c[:, :, t - 1], parameters)")}),
    # ... and rnn_backward's loop starting before the last step.
    ("rnn_backward", "rnn_backward/last_step_skipped", {"rnn_backward": (
        "    for t in reversed(range(T_x)):", "    for t in reversed(range(T_x - 1)):")}),
]


@pytest.mark.parametrize("function,mistake,edits", NAMED, ids=[m for _, m, _ in NAMED])
def test_a_real_mistake_without_a_name_before_is_named(function, mistake, edits, tmp_path, context, sandbox):
    overrides = {}
    for name, (old, new) in edits.items():
        overrides.update(nbs.mutate(name, old, new))
    result = grade(tmp_path, nbs.course_notebook(overrides), context, sandbox)
    part = result.part(function)
    assert part.points < part.max_points
    wrong = [case for case in part.cases if case.status != PASSED]
    assert wrong and all(case.diagnosis is not None and case.diagnosis.id == mistake for case in wrong), \
        [(case.name, case.diagnosis) for case in wrong]
    assert all(p.status == PASSED for p in result.parts if p.function not in (function, "imdb_report"))


def test_an_error_a_known_mistake_raises_is_named_only_when_outputs_show_that_mistake(tmp_path, context, sandbox):
    # range(len(x)) raises IndexError on the hidden cases with n_x > T_x, and its wrong values on
    # the public case name it: the error cases get its sentence, saying why.
    result = grade(tmp_path, nbs.course_notebook(nbs.mutate(
        "rnn_forward", "    for t in range(T_x):", "    for t in range(len(x)):")), context, sandbox)
    raised = [case for case in result.part("rnn_forward").cases if case.status == ERROR]
    assert len(raised) == 2 and all(case.message.startswith("Raised IndexError: index ") for case in raised)
    for case in raised:
        assert case.diagnosis.id == "rnn_forward/len_of_x", case.diagnosis
        assert case.diagnosis.message == context.mutant_messages["rnn_forward/len_of_x"] + RAISED_MATCH
    # range(T_x + 1) raises the very same IndexError on those cases, and on every other one:
    # no outputs show len(x), so nothing names it.
    result = grade(tmp_path, nbs.course_notebook(nbs.mutate(
        "rnn_forward", "    for t in range(T_x):", "    for t in range(T_x + 1):")), context, sandbox)
    part = result.part("rnn_forward")
    assert [case.status for case in part.cases] == [ERROR] * len(part.cases)
    assert "index 3 is out of bounds for axis 2 with size 3" in part.cases[1].message
    assert all(case.diagnosis is None for case in part.cases), [case.diagnosis for case in part.cases]


def test_the_lstm_loop_over_len_x_is_named_on_the_cases_where_it_raises(tmp_path, context, sandbox):
    # The LSTM's loop has the RNN's range(len(x)) (session 32): n_x = 3 steps of 7 on the public
    # case, IndexError on the hidden cases with n_x > T_x (4 > 3, 2 > 1), right with n_x = T_x = 6.
    result = grade(tmp_path, nbs.course_notebook(nbs.mutate(
        "lstm_forward", "    for t in range(T_x):", "    for t in range(len(x)):")), context, sandbox)
    part = result.part("lstm_forward")
    assert [case.status for case in part.cases] == ["failed", ERROR, ERROR, PASSED]
    assert part.cases[0].diagnosis.message == context.mutant_messages["lstm_forward/len_of_x"]
    for case in part.cases[1:3]:
        assert case.message.startswith("Raised IndexError: index "), case.message
        assert case.diagnosis.message == context.mutant_messages["lstm_forward/len_of_x"] + RAISED_MATCH


def test_a_key_the_parameters_do_not_hold_is_answered_with_the_keys_they_hold(tmp_path, context, sandbox):
    # The statement writes the update gate as W_u, b_u; the course's dict names it Wi, bi.
    nb = nbs.course_notebook(nbs.mutate("lstm_cell_forward", 'Wi = parameters["Wi"]', 'Wi = parameters["Wu"]'))
    result = grade(tmp_path, nb, context, sandbox)
    cell = result.part("lstm_cell_forward")
    message = cell.cases[0].message
    assert message.startswith("Raised KeyError: 'Wu' (") and "in lstm_cell_forward)." in message, message
    assert "If you read it from `parameters`: its keys are " in message and "Wi" in message, message
    assert result.part("lstm_forward").status == PASSED  # graded with the reference cell


def test_a_cache_of_inputs_in_another_layout_is_not_called_aliasing(tmp_path, context, sandbox):
    # Fewer entries than the course's ten: xt lands where ft belongs. Storing an input as it came
    # in is not memory overwritten; the structure message says what is wrong.
    nb = nbs.course_notebook(nbs.mutate(
        "lstm_cell_forward", "cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)",
        "cache = (a_next, c_next, a_prev, c_prev, xt, parameters)"))
    result = grade(tmp_path, nb, context, sandbox)
    cell = result.part("lstm_cell_forward")
    assert 0 < cell.points < cell.max_points
    for case in cell.cases:
        assert [check.name for check in case.checks if not check.passed] == ["cache"]
        assert case.diagnosis is None or case.diagnosis.id != "aliasing", case.diagnosis
    assert "should have 10 elements, got 6" in cell.cases[0].message


def test_a_composite_that_passes_the_wrong_state_is_told_which_argument(tmp_path, context, sandbox):
    # rnn_forward hands each step a slice of its (zero) output array instead of the previous
    # hidden state; the cache then also holds that slice, later overwritten. The first cause is
    # the argument, not the shared memory.
    nb = nbs.course_notebook(nbs.mutate(
        "rnn_forward", "rnn_cell_forward(x[:, :, t], a_next, parameters)",
        "rnn_cell_forward(x[:, :, t], a[:, :, t], parameters)"))
    result = grade(tmp_path, nb, context, sandbox)
    loop = result.part("rnn_forward")
    assert loop.points < loop.max_points
    case = loop.cases[0]
    assert case.diagnosis is not None and case.diagnosis.id == "unexpected-dependency-inputs", case.diagnosis
    assert "(first at call 1, in `a_prev` (an array of zeros))" in case.diagnosis.message, case.diagnosis.message


def test_numpy_aliases_of_builtins_removed_since_1_24_are_graded_as_the_builtins(tmp_path, context, sandbox):
    # Course notebooks of 2018-2021 wrote dtype=np.float; under the NumPy of their day that was
    # Python's float. NumPy 1.24 removed it, and the whole function raised AttributeError.
    nb = nbs.course_notebook(nbs.mutate(
        "rnn_backward", "dx = np.zeros((n_x, m, T_x))", "dx = np.zeros((n_x, m, T_x), dtype=np.float)"))
    result = grade(tmp_path, nb, context, sandbox)
    assert result.part("rnn_backward").status == PASSED
    assert result.points == result.max_points
    assert any("`np.float` is gone from NumPy 1.24" in m and "Python's own `float`" in m for m in result.messages)


def test_the_alias_rewrite_keeps_lines_and_touches_nothing_else():
    source = ("a = np.zeros(3, dtype=np.float)  # np.float\n"
              "b = numpy.int(2.5) + np.float64(1) + np.float_(2) + obj.np.int + np.integer\n"
              "c = [np.bool, np.object, np.complex, np.str, np.str_, mynp.float]\n")
    replaced, names = legacy_aliases_replaced(source)
    assert replaced.count("\n") == source.count("\n")
    import numpy

    again = "bool" in vars(numpy)  # NumPy 2.0 defines np.bool again (its own type): left alone
    assert replaced == ("a = np.zeros(3, dtype=float)  # np.float\n"
                        "b = int(2.5) + np.float64(1) + np.float_(2) + obj.np.int + np.integer\n"
                        f"c = [{'np.bool' if again else 'bool'}, object, complex, str, np.str_, mynp.float]\n")
    assert names == ("np.float", "numpy.int") + (() if again else ("np.bool",)) + ("np.object", "np.complex", "np.str")
    assert legacy_aliases_replaced("x = np.float64(1)\n") == ("x = np.float64(1)\n", ())


def test_an_underscore_typed_for_numpys_dot_is_pointed_out(tmp_path, context, sandbox):
    nb = nbs.course_notebook(nbs.mutate("rnn_forward", "a = np.zeros((n_a, m, T_x))", "a = np_zeros((n_a, m, T_x))"))
    result = grade(tmp_path, nb, context, sandbox)
    loop = result.part("rnn_forward")
    assert loop.points == 0
    assert "`rnn_forward` uses `np_zeros`, which nothing defines: did you mean `np.zeros`?" in loop.notes, loop.notes
    assert numpy_typo("np_not_a_numpy_name") == "" and numpy_typo("x_zeros") == ""


def test_the_key_hint_reads_a_childs_message_only_as_a_literal():
    # The message comes from the child: a student can raise KeyError with any text.
    class Outcome:
        error_type = "KeyError"

        def __init__(self, message):
            self.message = message

    params = ({"Wf": 1, "Wi": 2},)
    assert missing_key_hint(Outcome("KeyError: 'Wu'"), params, ["parameters"]) == \
        "If you read it from `parameters`: its keys are Wf, Wi. The statement's W_u and b_u (the " \
        "update gate) are stored in `parameters` as \"Wi\" and \"bi\"."
    assert missing_key_hint(Outcome("KeyError: 'Wi'"), params, ["parameters"]) == ""  # it is there
    for hostile in ("KeyError: __import__('os').system('true')", "KeyError: " + "(" * 500,
                    "KeyError: 1e999999", "KeyError: ('Wu',)", "KeyError: 3", "KeyError: [" * 200,
                    "KeyError: 'a' 'b' + x", ""):
        assert missing_key_hint(Outcome(hostile), params, ["parameters"]) == "", hostile
    other = Outcome("KeyError: 'Wu'")
    other.error_type = "ValueError"
    assert missing_key_hint(other, params, ["parameters"]) == ""
    assert missing_key_hint(Outcome("KeyError: 'Wu'"), params, []).startswith(
        "If you read it from argument 1: its keys are Wf, Wi. The statement's W_u")


def test_a_class_statement_nothing_graded_reads_costs_no_function_its_load(tmp_path, context, sandbox):
    # Real bonus cells subclass Keras at top level (class Sampling(layers.Layer), callbacks):
    # where TensorFlow is installed its import, about 10 s, ran at load and every graded
    # function timed out (0 / 100). A class body that never finishes stands for that import.
    slow = nbs.code_cell("import time\n\nclass KerasCallback:\n    while True:\n        time.sleep(1)\n")
    result = grade(tmp_path, nbs.course_notebook(extra_cells=[slow]), context, sandbox)
    assert result.points == result.max_points, [(p.name, p.points, p.notes) for p in result.parts]
    assert not any("Timeout" in m for m in result.messages), result.messages


def test_a_top_level_that_never_finishes_is_not_blamed_on_each_function(tmp_path, context):
    # rnn_backward's default argument loops at load: nothing can be called, so no function's
    # own code is what timed out, and its student must be pointed at the top level instead.
    from grader.sandbox import Limits, Sandbox

    looping = nbs.code_cell("def _slow():\n    while True:\n        pass\n")
    src = nbs.COURSE_CELLS["rnn_backward"].replace("def rnn_backward(da, caches", "def rnn_backward(da, caches, _z=_slow()", 1)
    assert src != nbs.COURSE_CELLS["rnn_backward"]
    nb = nbs.course_notebook({"rnn_backward": src}, extra_cells=[looping])
    nb["cells"].insert(0, nb["cells"].pop())  # _slow is defined before the cells that use it
    with Sandbox(limits=Limits(call_timeout=1.0)) as box:
        result = grade(tmp_path, nb, context, box)
    assert any("did not finish" in m for m in result.messages), result.messages
    for part in result.parts:
        if part.name == "imdb_report":
            continue
        assert part.points == 0, part.name
        message = part.cases[0].message
        assert "loop that never ends" not in message, message
        assert "was not called" in message and "top level" in message, message


def test_a_function_that_ran_and_looped_is_not_told_it_was_never_called(tmp_path, context, monkeypatch):
    # The first calls of a phase go to the child together: lstm_cell_forward's loop ends the child
    # there, before rnn_forward (its trial wrong) is called again in isolation, which restarts the
    # child. When that restart's top level does not finish (here made so: a load that took
    # nearly its time the first time may not the second), nothing runs after it, but the loop
    # that was run and timed out is still a loop of lstm_cell_forward's own, and the note at the
    # top (written for the first load only) says nothing of a restart.
    from grader.sandbox import Limits, Sandbox, Session

    original = Session._start

    def start(self):
        if getattr(self, "_loaded_once", False):
            self.program, self._code = "while True:\n    pass\n", None
        self._loaded_once = True
        return original(self)

    monkeypatch.setattr(Session, "_start", start)
    wrong = nbs.COURSE_CELLS["rnn_forward"].replace("return a, y_pred, caches", "return 2 * a, y_pred, caches", 1)
    looping = "def lstm_cell_forward(xt, a_prev, c_prev, parameters):\n    while True:\n        pass\n"
    assert wrong != nbs.COURSE_CELLS["rnn_forward"]
    nb = nbs.course_notebook({"rnn_forward": wrong, "lstm_cell_forward": looping})
    with Sandbox(limits=Limits(call_timeout=1.0)) as box:
        result = grade(tmp_path, nb, context, box)
    assert result.part("rnn_cell_forward").cases[0].status == PASSED
    looped = result.part("lstm_cell_forward").cases[0].message
    assert "loop that never ends" in looped and "was not called" not in looped, looped
    unrun = result.part("rnn_forward").cases[0].message
    assert "was not called" in unrun and "see the note at the top" not in unrun, unrun


def test_a_helper_function_called_only_from_a_class_method_is_loaded(tmp_path, context, sandbox):
    # An object-minded student: the graded function makes an object whose method calls a helper
    # function of the notebook. The program holds the graded functions and the functions they
    # call; one called only from a method was left out, and the right answer raised NameError.
    oop = (
        "def my_tanh(z):\n    return np.tanh(z)\n\n"
        "class Cell:\n"
        "    def step(self, xt, a_prev, parameters):\n"
        "        p = parameters\n"
        "        a_next = my_tanh(p['Waa'] @ a_prev + p['Wax'] @ xt + p['ba'])\n"
        "        return a_next, softmax(p['Wya'] @ a_next + p['by']), (a_next, a_prev, xt, parameters)\n\n"
        "def rnn_cell_forward(xt, a_prev, parameters):\n"
        "    return Cell().step(xt, a_prev, parameters)\n")
    _full_marks_for_rnn_cell_forward(oop, tmp_path, context, sandbox)


def test_a_helper_function_called_by_its_name_as_a_string_is_loaded(tmp_path, context, sandbox):
    # A function a graded one reaches only through globals() or eval() is no call the program's
    # scan can follow: it was left out and the right answer raised KeyError. Any such look-up
    # now keeps every function of the notebook.
    by_name = (
        "def my_tanh(z):\n    return np.tanh(z)\n\n"
        "def rnn_cell_forward(xt, a_prev, parameters):\n"
        "    p = parameters\n"
        "    act = globals()['my_' + 'tanh']\n"
        "    a_next = act(p['Waa'] @ a_prev + p['Wax'] @ xt + p['ba'])\n"
        "    return a_next, softmax(p['Wya'] @ a_next + p['by']), (a_next, a_prev, xt, parameters)\n")
    _full_marks_for_rnn_cell_forward(by_name, tmp_path, context, sandbox)


def _full_marks_for_rnn_cell_forward(source: str, tmp_path, context, sandbox) -> None:
    """The course notebook with ``source`` as its rnn_cell_forward cell earns that part's points."""
    result = grade(tmp_path, nbs.course_notebook({"rnn_cell_forward": source}), context, sandbox)
    part = result.part("rnn_cell_forward")
    assert part.points == part.max_points, [c.message for c in part.cases]


@pytest.mark.parametrize("old, new", [
    ("    da0 = da_prevt\n", ""),  # da0 never set
    ("rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])", "rnn_cell_backward(da_prevt, caches[t])"),
])
def test_a_mistake_that_computes_nothing_on_a_case_is_not_named_there_alone(tmp_path, context, sandbox, old, new):
    # With T_x = 1, rnn_backward/first_step_skipped runs no step and returns zeros, as these do: the
    # case was told "The loop stops before step 0", which is not their mistake (thirty-first session,
    # fb). The first step really skipped keeps the sentence there (NAMED above), shown by other cases.
    result = grade(tmp_path, nbs.course_notebook(nbs.mutate("rnn_backward", old, new)), context, sandbox)
    one_step = [case for case in result.part("rnn_backward").cases if "T_x = 1" in case.name]
    assert one_step and one_step[0].status != PASSED, one_step
    diagnosis = one_step[0].diagnosis
    assert diagnosis is None or diagnosis.id != "rnn_backward/first_step_skipped", diagnosis


def test_a_wrong_dependency_called_wrongly_is_told_as_both_mistakes(tmp_path, context, sandbox):
    # Thirty-seventh session: a cell that fails its own cases, called with inputs no correct run passes, was
    # told "the error is in your `rnn_cell_backward`, but it comes from what `rnn_backward` passed to it" (the
    # cell raises on any input), or, when it returned, the generic inputs sentence alone. The grades stay.
    carried = ("rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])", "rnn_cell_backward(da[:, :, t], caches[t])")
    raising = {**nbs.mutate("rnn_cell_backward", "dxt = np.dot(Wax.T, dtanh)", "dxt = np.dot(Wax, dtanh)"),
               **nbs.mutate("rnn_backward", *carried)}
    loop = grade(tmp_path, nbs.course_notebook(raising), context, sandbox).part("rnn_backward")
    assert loop.points == 5, loop.points  # T_x = 1 carries nothing: right
    message = loop.cases[0].message
    assert ("The error is in your `rnn_cell_backward`, which fails cases of its own too, and `rnn_backward` passed it "
            "inputs that differ from those of a correct run (first at call 2, in `da_next`)") in message, message
    wrong = {**nbs.mutate("rnn_cell_backward", "(1 - a_next ** 2) * da_next", "(1 - a_prev ** 2) * da_next"),
             **nbs.mutate("rnn_backward", *carried)}
    loop = grade(tmp_path / "wrong", nbs.course_notebook(wrong), context, sandbox).part("rnn_backward")
    assert loop.points == 5, loop.points
    said = loop.cases[0].diagnosis.message
    assert said.endswith("Your `rnn_cell_backward` fails cases of its own too, so what it returned for those calls is "
                         "not a correct step's either: fix it, and this case then shows what `rnn_backward` itself "
                         "passes."), said
    # Control: a right cell called wrongly keeps the sentence that blames the call alone.
    right = grade(tmp_path / "right", nbs.course_notebook(nbs.mutate("rnn_backward", *carried)), context,
                  sandbox).part("rnn_backward")
    assert all("of its own too" not in c.message + (c.diagnosis.message if c.diagnosis else "") for c in right.cases)
