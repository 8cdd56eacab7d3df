"""grader/hints.py and the runner's error sentences, on the backward pass and the LSTM.

Thirty-first session, helper fb (written against 74666ec): 102 one-line mistakes of rnn_cell_backward,
rnn_backward, lstm_cell_forward and lstm_forward graded through the real grader; these are the ones whose
text changed. Before, a matrix product written where `*` was meant (`ft @ c_prev`) was told to check the
order and the transpose; `* da_next.T` and `np.dot(ft, c_prev.T) + it * cct` were told to write `np.dot`;
a cache appended twice to store a copy; a broadcast error, an in-place sum into a smaller array, a list
index past the end, too many indices and `caches = caches.append(cache)` had only Python's or NumPy's
words; a key under another name was told only that it was missing. Controls keep the other texts.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from grader import hints
from grader.runner import grade_submission
from tests import notebooks as nbs


def _first_case(tmp_path: Path, cells: dict, part: str, context, sandbox):
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(cells))
    return grade_submission(path, context=context, sandbox=sandbox).part(part).cases[0]


@pytest.mark.parametrize("function, old, new, fixed, sizes", [
    ("lstm_cell_forward", "ft * c_prev", "ft @ c_prev", "`ft * c_prev`", "`ft` has 10 columns and `c_prev` has 5 rows"),
    ("lstm_cell_forward", "it * cct", "it @ cct", "`it * cct`", "`it` has 10 columns and `cct` has 5 rows"),
    ("lstm_cell_forward", "ot * np.tanh(c_next)", "np.matmul(ot, np.tanh(c_next))", "`ot * np.tanh(c_next)`",
     "`np.tanh(c_next)` has 5 rows"),
    ("rnn_cell_backward", "(1 - a_next ** 2) * da_next", "(1 - a_next ** 2) @ da_next",
     "`(1 - a_next ** 2) * da_next`", "`1 - a_next ** 2` has 10 columns"),
])
def test_a_matmul_of_a_gate_and_a_state_is_told_element_by_element(tmp_path, context, sandbox, function, old, new,
                                                                    fixed, sizes):
    # matmul's message names no shapes: the order-and-transpose rule was all it got, which is not the fix.
    case = _first_case(tmp_path, nbs.mutate(function, old, new), function, context, sandbox)
    assert case.status == "error" and "matmul: Input operand 1" in case.message, case.message
    assert f"multiplied element by element: write {fixed}" in case.message, case.message
    assert sizes in case.message, case.message


def test_a_matmul_for_a_weight_gradient_is_told_the_transpose_of_the_input(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_cell_backward", "dWaa = np.dot(dtanh, a_prev.T)", "dWaa = dtanh @ a_prev")
    case = _first_case(tmp_path, cells, "rnn_cell_backward", context, sandbox)
    assert "`dWaa`, a weight's gradient, is the matrix product of the gradient and the transpose of the input, " \
           "as in `dtanh @ a_prev.T`" in case.message, case.message
    assert "element by element" not in case.message, case.message


@pytest.mark.parametrize("old, new, said", [
    # A weight in the product: the order and the transpose are the fix, now with the sizes.
    ("np.dot(Wax.T, dtanh)", "Wax @ dtanh", "`Wax` has 3 columns and `dtanh` has 5 rows"),
    ("np.dot(Waa.T, dtanh)", "dtanh @ Waa.T", "`dtanh` has 10 columns and `Waa.T` has 5 rows"),
])
def test_a_matmul_with_a_weight_keeps_the_order_and_transpose_rule(tmp_path, context, sandbox, old, new, said):
    case = _first_case(tmp_path, nbs.mutate("rnn_cell_backward", old, new), "rnn_cell_backward", context, sandbox)
    assert said in case.message and "and whether one of them needs its transpose (`.T`)" in case.message, \
        case.message
    assert "element by element" not in case.message, case.message


def test_a_transposed_side_of_an_element_by_element_product_is_told_to_drop_the_transpose(tmp_path, context,
                                                                                          sandbox):
    # Before: "for the matrix product of a (5, 10) and a (10, 5) array write np.dot(a, b)".
    cells = nbs.mutate("rnn_cell_backward", "(1 - a_next ** 2) * da_next", "(1 - a_next ** 2) * da_next.T")
    case = _first_case(tmp_path, cells, "rnn_cell_backward", context, sandbox)
    assert "`da_next.T` has shape (10, 5)" in case.message and "leave out its `.T`" in case.message, case.message
    assert "np.dot" not in case.message, case.message


def test_a_star_for_a_matrix_product_keeps_its_hint(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_cell_backward", "dxt = np.dot(Wax.T, dtanh)", "dxt = Wax.T * dtanh")
    case = _first_case(tmp_path, cells, "rnn_cell_backward", context, sandbox)
    assert "for the matrix product of a (3, 5) and a (5, 10) array write `np.dot(a, b)`" in case.message, \
        case.message


@pytest.mark.parametrize("function, old, new, said", [
    ("rnn_cell_backward", "(a_next, a_prev, xt, parameters) = cache", "(xt, a_prev, a_next, parameters) = cache",
     "`1 - a_next ** 2` has shape (3, 10) and `da_next` has shape (5, 10)"),
    ("rnn_backward", "da_prevt = np.zeros((n_a, m))", "da_prevt = np.zeros((m, n_a))",
     "`da[:, :, t]` has shape (5, 10) and `da_prevt` has shape (10, 5)"),
    ("rnn_backward", "da[:, :, t] + da_prevt", "da[t] + da_prevt", "`da[t]` has shape (10, 4)"),
    ("rnn_backward", "n_a, m, T_x = da.shape", "n_a, m, T_x = x.shape", "`da_prevt` has shape (3, 10)"),
])
def test_arrays_that_do_not_broadcast_are_named_with_their_shapes(tmp_path, context, sandbox, function, old, new,
                                                                   said):
    case = _first_case(tmp_path, nbs.mutate(function, old, new), function, context, sandbox)
    assert "could not be broadcast together" in case.message and said in case.message, case.message
    assert "an element-by-element operation needs arrays of one shape" in case.message, case.message


@pytest.mark.parametrize("made, room", [("np.zeros((n_a,))", "(5,)"), ("np.zeros((1, n_a))", "(1, 5)")])
def test_an_in_place_sum_into_a_smaller_array_names_both_shapes(tmp_path, context, sandbox, made, room):
    cells = nbs.mutate("rnn_backward", "dba = np.zeros((n_a, 1))", f"dba = {made}")
    case = _first_case(tmp_path, cells, "rnn_backward", context, sandbox)
    assert f"`dba` has shape {room}, and with `dbat` the result would have shape (5, 5): `dba += dbat` cannot " \
           f"store it in `dba`. Check the sizes `dba` was created with" in case.message, case.message


def test_a_list_index_past_the_end_names_the_index(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_backward", "caches[t])", "caches[T_x - t])")
    case = _first_case(tmp_path, cells, "rnn_backward", context, sandbox)
    assert "list index out of range" in case.message, case.message
    assert "`caches[T_x - t]` asks for an entry `caches` does not have" in case.message, case.message


def test_a_list_method_assigned_to_the_list_is_told_it_returns_none(tmp_path, context, sandbox):
    cells = nbs.mutate("lstm_forward", "caches.append(cache)", "caches = caches.append(cache)")
    case = _first_case(tmp_path, cells, "lstm_forward", context, sandbox)
    assert "`caches = caches.append(cache)` sets `caches` to None" in case.message, case.message
    assert "Write `caches.append(cache)` alone." in case.message, case.message


@pytest.mark.parametrize("function, old, new, dep, said", [
    ("lstm_forward", "x[:, :, t]", "x[:, t, :]", "lstm_cell_forward",
     "(the previous hidden state and memory, the slice of the input)"),
    ("rnn_backward", "caches[t])", "caches)", "rnn_cell_backward",
     "(that step's gradient with the one carried over, and that step's cache)"),
])
def test_an_error_blamed_on_the_caller_names_what_that_direction_passes(tmp_path, context, sandbox, function, old,
                                                                       new, dep, said):
    # The closing sentence was one for both: "(that step's slice and cache, the hidden state or gradient
    # carried over)"; a forward step is given no cache and no gradient.
    case = _first_case(tmp_path, nbs.mutate(function, old, new), function, context, sandbox)
    assert f"Check the arguments you give `{dep}` at each time step {said}." in case.message, case.message


@pytest.mark.parametrize("function, old, new, said", [
    ("rnn_cell_backward", '"da_prev": da_prev', '"da_prevt": da_prev',
     "It has a key `da_prevt` that is not asked for: if it holds `da_prev`, name its key `\"da_prev\"`."),
    ("rnn_cell_backward", '"dxt": dxt', '"dx": dxt', "if it holds `dxt`, name its key `\"dxt\"`."),
    ("rnn_backward", '"da0": da0', '"da_prev": da0', "if it holds `da0`, name its key `\"da0\"`."),
])
def test_a_key_returned_under_another_name_is_named(tmp_path, context, sandbox, function, old, new, said):
    case = _first_case(tmp_path, nbs.mutate(function, old, new), function, context, sandbox)
    assert any(said in check.message for check in case.checks), [check.message for check in case.checks]


def test_a_key_left_out_without_a_stray_key_is_told_only_what_it_lacks(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_cell_backward", '"dba": dba}', '}')
    case = _first_case(tmp_path, cells, "rnn_cell_backward", context, sandbox)
    message = next(check.message for check in case.checks if not check.passed)
    assert message.startswith("`dba` is missing from what") and "not asked for" not in message, message


# ---------------------------------------------------------------- a wrong array reaching a line from elsewhere

@pytest.mark.parametrize("new", ["c_next = np.dot(ft, c_prev.T) + it * cct", "c_next = np.dot(ft.T, c_prev) + it * cct"])
def test_a_matrix_product_beside_a_star_is_suspected_not_the_star(tmp_path, context, sandbox, new):
    # Before: "`*` and `np.multiply` multiply element by element ... write np.dot(a, b)" (the * was right),
    # or NumPy's words alone.
    cells = nbs.mutate("lstm_cell_forward", "c_next = ft * c_prev + it * cct", new)
    case = _first_case(tmp_path, cells, "lstm_cell_forward", context, sandbox)
    assert "One of them may be the matrix product of `ft" in case.message, case.message
    assert "are multiplied element by element, `ft * c_prev`." in case.message, case.message
    assert "write `np.dot(a, b)`" not in case.message, case.message


def test_a_star_for_a_matrix_product_in_a_longer_line_keeps_its_hint(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_cell_forward", "np.dot(Waa, a_prev) + np.dot(Wax, xt)", "Waa * a_prev + Wax * xt")
    case = _first_case(tmp_path, cells, "rnn_cell_forward", context, sandbox)
    assert "`*` and `np.multiply` multiply element by element" in case.message, case.message
    assert "One of them may be" not in case.message, case.message


def test_a_product_of_sizes_that_differ_names_both_shapes(tmp_path, context, sandbox):
    # dtanh made (10, 10) on the line above: the raising line is right, and the shapes show it.
    cells = nbs.mutate("rnn_cell_backward", "dtanh = (1 - a_next ** 2) * da_next",
                       "dtanh = np.dot((1 - a_next ** 2).T, da_next)")
    case = _first_case(tmp_path, cells, "rnn_cell_backward", context, sandbox)
    assert "Here `Wax.T` has shape (3, 5) and `dtanh` has shape (10, 10)." in case.message, case.message


def test_too_many_indices_names_the_array_and_its_axes(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_backward", "dx = np.zeros((n_x, m, T_x))", "dx = np.zeros((n_x, m))")
    case = _first_case(tmp_path, cells, "rnn_backward", context, sandbox)
    assert "`dx` has 2 axes here, and `dx[:, :, t]` indexes 3: check the sizes `dx` was created with" \
        in case.message, case.message


# Thirty-fourth session (helper real): a real notebook set `da_prevt = da` before the loop, read
# `da_prevt[:, :, t]` and unpacked the step's `da_prev` into `da_prevt` in it; told to "check the sizes
# `da_prevt` was created with", the 3-axis `da` it was created as.
def test_too_many_indices_of_a_name_set_again_in_the_loop_names_both_lines(tmp_path, context, sandbox):
    source = nbs.COURSE_CELLS["rnn_backward"].replace("da_prevt = np.zeros((n_a, m))", "da_prevt = da").replace(
        "rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])", "rnn_cell_backward(da_prevt[:, :, t], caches[t])")
    case = _first_case(tmp_path, {"rnn_backward": source}, "rnn_backward", context, sandbox)
    assert ("`da_prevt` has 2 axes here, and `da_prevt[:, :, t]` indexes 3: line 18, in the loop, sets `da_prevt` to "
            "`gradients[\"da_prev\"]` after line 14 set it to `da`, so from the loop's second step on it holds the new "
            "value, with its own shape. Keep the two under different names.") in case.message, case.message
    assert "was created with" not in case.message, case.message


def test_too_many_indices_hint_reads_the_loop_only_when_the_name_is_set_again_there():
    message = "too many indices for array: array is 2-dimensional, but 3 were indexed"
    source = ("def f(da):\n    g = da\n    for t in range(3):\n        g[:, :, t] += 1\n    return g\n")
    said = hints.too_many_indices_hint("IndexError", message, "        g[:, :, t] += 1", source=source)
    assert said.endswith("check the sizes `g` was created with (one for each axis)."), said
    again = source.replace("        g[:, :, t] += 1\n", "        g[:, :, t] += 1\n        h, g = 1, step(g)\n")
    said = hints.too_many_indices_hint("IndexError", message, "        g[:, :, t] += 1", source=again, first_line=7)
    assert "line 11, in the loop, sets `g` to `step(g)` after line 8 set it to `da`" in said, said
    unknown = again.replace("h, g = 1, step(g)", "h, g = step(g)")
    said = hints.too_many_indices_hint("IndexError", message, "        g[:, :, t] += 1", source=unknown)
    assert "line 5, in the loop, sets `g` after line 2 set it to `da`, so" in said, said


def test_a_cache_appended_twice_is_not_told_to_copy(tmp_path, context, sandbox):
    # The places of a list of 14 caches are not the reference's 7: memory shared between them said
    # "store a copy (`.copy()`)", which does not fix a second append.
    cells = nbs.mutate("lstm_forward", "caches.append(cache)", "caches.append(cache)\n        caches.append(cache)")
    case = _first_case(tmp_path, cells, "lstm_forward", context, sandbox)
    assert any("should have 7 elements, got 14" in check.message for check in case.checks), case.checks
    assert case.diagnosis is None or case.diagnosis.id != "aliasing", case.diagnosis


def test_a_tuple_where_an_array_is_read_is_named(tmp_path, context, sandbox):
    # The list of caches unpacked where its first cache was meant: x1 is a cache, a tuple.
    cells = nbs.mutate("rnn_backward", "= caches[0]", "= caches")
    case = _first_case(tmp_path, cells, "rnn_backward", context, sandbox)
    assert "`x1` is a tuple here, where `.shape` needs a NumPy array: check the line that gives `x1` its value" \
        in case.message, case.message


def test_the_hints_read_a_hostile_message_in_bounded_time():
    # An exception's message is the student's: 186,000 characters of matmul's opening took 0.39 s with
    # '.*' (each opening scanned to the end); with the bounded gap it takes milliseconds.
    import time

    from grader import hints

    line = "c_next = np.dot(ft, c_prev.T) + it * cct"
    for opening in ("matmul: Input operand 1 has a mismatch in its core dimension 0",
                    "could not be broadcast together with shapes (5,10) ",
                    "non-broadcastable output operand with shape (5,) doesn't match the broadcast shape ("):
        message = opening * (186_000 // len(opening))
        started = time.perf_counter()
        hints.matmul_hint(message, left="ft", right="c_prev", target="c_next")
        hints.named_sides_hint(message, line)
        hints.product_beside_hint(message, line)
        hints.transposed_side_hint(message, line)
        hints.output_operand_hint(message, "dba += dbat")
        assert time.perf_counter() - started < 0.2, opening


@pytest.mark.parametrize("call", ["__import__('socket').socket()", "__import__('os').fork()",
                                  "open('/etc/shadow').read()"])
def test_a_call_the_sandbox_refuses_is_told_what_grading_allows(tmp_path, context, sandbox, call):
    # Python's words alone ("[Errno 1] Operation not permitted") read as a fault of the machine.
    cells = nbs.mutate("rnn_cell_forward", "a_next = np.tanh(", f"{call}; a_next = np.tanh(")
    case = _first_case(tmp_path, cells, "rnn_cell_forward", context, sandbox)
    assert case.status == "error" and "PermissionError" in case.message, case.message
    assert "runs without network access, other processes, or files outside its own folder" in case.message, \
        case.message


def test_other_errors_are_not_told_about_the_sandbox(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_cell_forward", "a_next = np.tanh(", "int('x'); a_next = np.tanh(")
    case = _first_case(tmp_path, cells, "rnn_cell_forward", context, sandbox)
    assert case.status == "error" and "ValueError" in case.message, case.message
    assert "network access" not in case.message, case.message


@pytest.mark.parametrize("body, quoted", [
    ("    a_all = np.zeros(3)\n    cs = a_all\n    return a_all, y, cs\n", "`cs = a_all` (line 13)"),
    ("    a = c = np.zeros(3)\n    return a, y, c\n", "`a = c = np.zeros(3)` (line 12)"),
    ("    out = {'a': a}\n    c = a\n    c = a\n    return {'a': a, 'y': y, 'c': c}\n", "`c = a` (line 14)"),
    # controls: nothing of the student's to quote
    ("    c = a[:]\n    return a, y, c\n", ""),
    ("    c = a\n    return a, y, c * 1\n", ""),
    ("    c = b\n    return a, y, c\n", ""),
])
def test_shared_assignment_quotes_the_students_own_line(body, quoted):
    from grader.valuehints import shared_assignment

    source = "def f(a, y):\n" + body
    outputs = ("a", "c") if "{" in body else (0, 2)
    assert shared_assignment(source, outputs=outputs, first_line=11) == quoted


# ---------------------------------------------------------------- the notebook around the function (s33)

def test_own_helper_hint_says_how_the_student_s_helper_differs_and_nothing_when_it_agrees():
    import numpy as np

    from grader.valuehints import own_helper_hint

    z = np.array([[-1.0, 2.0], [0.5, 0.0], [3.0, -2.0]])
    e = np.exp(z - z.max(axis=0))
    course = e / e.sum(axis=0)
    said = {name: own_helper_hint("f", "softmax", where="cell 3", got=got, expected=course, raised=raised)
            for name, got, raised in [("same", course.copy(), ""), ("raises", None, "ValueError"),
                                       ("rows", np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), ""),
                                       ("transposed", course.T, ""), ("none", None, "")]}
    assert said["same"] == ""
    assert "yours raises ValueError on an array of shape (3, 2)" in said["raises"]
    assert "yours normalises each row (over axis 1)" in said["rows"]
    assert "yours returns an array of shape (2, 3)" in said["transposed"]
    assert "yours returns None" in said["none"]
    sigmoid = 1 / (1 + np.exp(-z))
    assert "gives 1 - sigmoid" in own_helper_hint("f", "sigmoid", where="cell 3", got=1 - sigmoid, expected=sigmoid)


def test_outside_size_hint_is_for_sizes_of_the_example_only():
    from grader.valuehints import outside_size_hint

    sizes = {3, 5, 2, 10, 4}
    assert "sets it to 4" in outside_size_hint("f", "T_x", 4, where="cell 2, line 1", sizes=sizes)
    assert "sets it to (5, 10)" in outside_size_hint("f", "SHAPE", (5, 10), where="cell 2, line 1", sizes=sizes)
    assert "sets it to [5, 10]" in outside_size_hint("f", "SHAPE", [5, 10], where="cell 2, line 1", sizes=sizes)
    for value in (9, 1, True, 1e-8, "4", (5, 9), ()):
        assert outside_size_hint("f", "X", value, where="cell 2, line 1", sizes=sizes) == "", value


def test_unread_parameter_hint_names_the_parameter_never_read():
    from grader.valuehints import unread_parameter_hint

    source = "def rnn_forward(x, a0, params):\n    return parameters['Wax'] @ x + a0\n"
    assert "never reads its parameter `params`" in unread_parameter_hint(source, name="parameters")
    both = "def f(x, a_prev, params):\n    return parameters['Wax'] @ x\n"
    assert "`params`" in unread_parameter_hint(both, name="parameters")  # the nearest of the two
    assert unread_parameter_hint("def f(x, p):\n    return p[x] + q\n", name="q") == ""


def test_fixed_size_hint_finds_the_example_s_sizes_written_out_in_the_function():
    from grader.valuehints import fixed_size_hint

    sizes = {3, 5, 2, 10, 4}
    head = "def f(x, a0, parameters):\n"
    said = fixed_size_hint(head + "    n_x, m = 3, 10\n    return np.zeros((n_x, m, 4))\n", sizes=sizes, first_line=3)
    assert said.startswith("`f` writes out (3, 10) on line 4 (`n_x, m = 3, 10`): sizes of the assignment's example")
    assert "(5, 10, 4) on line 2" in fixed_size_hint(head + "    return np.zeros((5, 10, 4))\n", sizes=sizes)
    loop = "    T_x = 4\n    for t in range(T_x):\n        pass\n"
    assert "writes out 4 on line 2 (`T_x = 4`)" in fixed_size_hint(head + loop, sizes=sizes)
    assert "writes out 4 on line 2 (`for t in range(4):`)" in fixed_size_hint(head + "    for t in range(4):\n        pass\n", sizes=sizes)
    # The self-check's reading (grader.fixedsizes) is the same: a size counts where a size goes.
    for body in ("    return np.zeros((n_a, m, T_x))\n", "    p = 2\n", "    T_x = 9\n", "    s = (5, 1)\n",
                 "    return a ** 2\n", "    T_x = 4\n", "    n_x, m = 3, 10\n    return n_x * m\n"):
        assert fixed_size_hint(head + body, sizes=sizes) == "", body


# Thirty-third session, helper real: a real notebook's `rnn_cell_backward(da[:, :, T_x] + da_prevt, ...)`
# was told to "check the range your loop runs over ... and any index computed from it (such as
# `t + 1`)": its index is T_x itself, computed from no loop.
def test_an_index_one_past_the_end_by_its_size_is_told_so(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_backward", "rnn_cell_backward(da[:, :, t] + da_prevt", "rnn_cell_backward(da[:, :, T_x] + da_prevt")
    case = _first_case(tmp_path, cells, "rnn_backward", context, sandbox)
    assert "`da[:, :, T_x]` asks for entry `T_x` of axis 2, one past its last (`T_x - 1`)" in case.message, case.message
    assert "such as `t + 1`" not in case.message, case.message


def test_an_index_past_the_end_from_the_loop_keeps_the_range_advice():
    from types import SimpleNamespace

    from grader import hints

    outcome = SimpleNamespace(error_type="IndexError", message="index 4 is out of bounds for axis 2 with size 4")
    source = "def f(a, T_x):\n    for t in range(T_x + 1):\n        b = a[:, :, t]\n"
    said = hints.bounds_hint(outcome, line="        b = a[:, :, t]", source=source)
    assert "check the range your loop runs over" in said and "one past its last" not in said, said
    assert "check the range your loop runs over" in hints.bounds_hint(outcome)
    inside = "def f(a, T_x):\n    for t in range(T_x):\n        k = t + 1\n        b = a[:, :, k]\n"
    assert "one past its last" not in hints.bounds_hint(outcome, line="        b = a[:, :, k]", source=inside)


def test_a_value_computed_below_the_line_that_reads_it_is_told_to_move_up():
    # Thirty-eighth session: `ot` computed under `a_next = ot * ...` was told the UnboundLocalError's two fixes,
    # the second "if you meant the `ot` from outside the function", which nothing outside gives.
    source = ("def f(concat, Wo, c_next):\n    a_next = ot * np.tanh(c_next)\n"
              "    ot = sigmoid(np.dot(Wo, concat))\n    return a_next\n")
    message = "cannot access local variable 'ot' where it is not associated with a value"
    said = hints.shadowed_name_hint("UnboundLocalError", message, "    a_next = ot * np.tanh(c_next)", source=source,
                                    first_line=5, assigned_at=lambda name: "")
    assert said == ("Line 6 reads `ot`, which line 7 computes below it (`ot = sigmoid(np.dot(Wo, concat))`): a function "
                    "runs its lines from the top, so `ot` has no value yet on line 6. Move line 7 up, above line 6 "
                    "(after the lines whose values it reads)."), said
    # Controls: a value the notebook gives outside the function, a name given its value in a loop below, and
    # NumPy's name keep the two fixes' sentence.
    outside = hints.shadowed_name_hint("UnboundLocalError", message, "    a_next = ot * np.tanh(c_next)", source=source,
                                       assigned_at=lambda name: "cell 3 (In [2]), line 1,")
    assert "if you meant the `ot` from outside the function" in outside, outside
    looped = source.replace("    ot = sigmoid(np.dot(Wo, concat))\n", "    for k in range(2):\n        ot = k\n")
    said = hints.shadowed_name_hint("UnboundLocalError", message, "    a_next = ot * np.tanh(c_next)", source=looped,
                                    assigned_at=lambda name: "")
    assert "from outside the function" in said and "Move line" not in said, said


def test_a_weight_after_its_input_or_transposed_is_told_the_product_its_shapes_allow():
    # Thirty-eighth session: the LSTM's weights (and the RNN's, written after their input) were told "check the
    # order ... and whether one of them needs its transpose".
    import types

    def said(line, shapes):
        first, second = shapes
        message = f"shapes {first} and {second} not aligned: 1 (dim 1) != 2 (dim 0)"
        return hints.numpy_call_hint(types.SimpleNamespace(error_type="ValueError", message=message), line)

    assert said("    ft = sigmoid(np.dot(concat, parameters['Wf']) + bf)", ("(8,10)", "(5,8)")).endswith(
        "`parameters['Wf']` (n_a, n_a + n_x) has a column for each row of `concat` as it is: the weight comes first, "
        "then `concat`, `np.dot(parameters['Wf'], concat)`.")
    assert said("    z = xt @ Wax", ("(3,10)", "(5,3)")).endswith("the weight comes first, then `xt`, `Wax @ xt`.")
    assert said("    yt = softmax(np.dot(Wy.T, a_next) + by)", ("(5,2)", "(5,10)")).endswith(
        "`Wy` (n_y, n_a) has a column for each row of `a_next` as it is: leave out its `.T`, `np.dot(Wy, a_next)`.")
    # Controls: the backward pass's products, where a transposed weight is right (`np.dot(Wax.T, dtanh)`) and
    # where neither order nor the transpose of the weight fits, keep the general rule.
    for line, shapes in (("    dxt = np.dot(dtanh, Wax)", ("(5,10)", "(5,3)")),
                         ("    da_prev = np.dot(Waa.T, g)", ("(5,5)", "(3,10)")),
                         ("    ft = sigmoid(np.dot(concat, Wf) + bf)", ("(7,10)", "(5,8)"))):
        text = said(line, shapes)
        assert "check the order of" in text and "as it is" not in text, (line, text)


def test_a_square_array_made_by_a_matrix_product_above_is_told_that_line():
    # Thirty-eighth session: `dtanh = np.dot(1 - a_next ** 2, da_next.T)`, square, then "not aligned" at
    # `np.dot(dtanh, xt.T)` was told only to check that line's order and transpose.
    source = ("def f(da_next, cache):\n    dtanh = np.dot(1 - a_next ** 2, da_next.T)\n"
              "    dxt = np.dot(dtanh, xt.T)\n    return dxt\n")
    message = "shapes (5,5) and (10,3) not aligned: 5 (dim 1) != 10 (dim 0)"
    said = hints.square_product_hint("ValueError", message, "    dxt = np.dot(dtanh, xt.T)", source=source, first_line=3)
    assert said == ("`dtanh` is square, (5, 5), because line 4 makes it with a matrix product (`dtanh = np.dot(1 - "
                    "a_next ** 2, da_next.T)`): to multiply two arrays of one shape element by element, keeping that "
                    "shape, write `*`."), said
    # Controls: a weight's gradient (square by right), a square name made otherwise, and a shape not square.
    weight = source.replace("dtanh", "dWaa")
    assert hints.square_product_hint("ValueError", message, "    dxt = np.dot(dWaa, xt.T)", source=weight) == ""
    other = source.replace("np.dot(1 - a_next ** 2, da_next.T)", "np.ones((5, 5))")
    assert hints.square_product_hint("ValueError", message, "    dxt = np.dot(dtanh, xt.T)", source=other) == ""
    assert hints.square_product_hint("ValueError", "shapes (5,4) and (10,3) not aligned: 4 (dim 1) != 10 (dim 0)",
                                     "    dxt = np.dot(dtanh, xt.T)", source=source) == ""


def test_a_weight_s_shape_unpacked_in_the_other_order_is_told_the_order_to_write():
    # Thirty-eighth session: `n_a, n_y = parameters["Wy"].shape` was told "check the sizes `a` was created with".
    source = 'def f(x, parameters):\n    n_x, m, T_x = x.shape\n    n_a, n_y = parameters["Wy"].shape\n    return n_a\n'
    assert hints.swapped_sizes_hint(source, first_line=4) == (
        'Line 6 unpacks `parameters["Wy"].shape` as `n_a, n_y`, but `Wy` is (n_y, n_a): its rows come first. Write '
        '`n_y, n_a = parameters["Wy"].shape`.')
    assert "`Wax` is (n_a, n_x)" in hints.swapped_sizes_hint(source.replace('n_a, n_y = parameters["Wy"]', "n_x, n_a = Wax"))
    # Controls: the right order, a square weight, other names, and no weight of the course.
    for line in ('n_y, n_a = parameters["Wy"].shape', "n_a, n_a = Waa.shape", 'rows, cols = parameters["Wy"].shape',
                 "n_a, n_y = other.shape", 'n_a, n_y = parameters["Wy"]'):
        assert hints.swapped_sizes_hint(source.replace('n_a, n_y = parameters["Wy"].shape', line)) == "", line
