"""Session 30, helper fb: every hint a student reads points at the fix.

Each case is a one-line mistake of this assignment, graded through the real grader; the hint it
was given before sent the student away from the fix (a transpose for an element-by-element
product; the order of a product in a per-step function that is right, when the caller passed the
wrong input; "an array of zeros" for zeros of the wrong shape). Controls keep the other texts.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.runner import grade_submission
from tests import notebooks as nbs
from tests.test_live import course_module  # noqa: F401 - a fixture: rnn_utils importable


def _first_case(tmp_path: Path, cells: dict, part: str, context, sandbox):
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(cells))
    return grade_submission(path, context=context, sandbox=sandbox).part(part).cases[0]


@pytest.mark.parametrize("function, old, new, fixed", [
    ("lstm_cell_forward", "ft * c_prev", "np.dot(ft, c_prev)", "`ft * c_prev`"),
    ("lstm_cell_forward", "ot * np.tanh(c_next)", "ot @ np.tanh(c_next)", None),  # @ names no shapes (s31: sizes)
    ("rnn_cell_backward", "dtanh = (1 - a_next ** 2) * da_next", "dtanh = np.dot(1 - a_next ** 2, da_next)",
     "`(1 - a_next ** 2) * da_next`"),
])
def test_a_matrix_product_of_two_arrays_of_one_shape_is_told_element_by_element(
        tmp_path, context, sandbox, function, old, new, fixed):
    case = _first_case(tmp_path, nbs.mutate(function, old, new), function, context, sandbox)
    assert case.status == "error", case.message
    if fixed is None:  # NumPy's message for @ gives no shapes, only its sizes (tests/test_hints.py)
        assert "`ot` has 10 columns" in case.message and "`ot * np.tanh(c_next)`" in case.message, case.message
        return
    assert "have the same shape (5, 10)" in case.message and fixed in case.message, case.message
    assert "needs its transpose" not in case.message, case.message


def test_a_weight_gradient_of_two_arrays_of_one_shape_is_told_the_transpose(tmp_path, context, sandbox):
    # dWaa = dtanh @ a_prev.T, both (n_a, m): here the transpose is the fix, not `*`.
    cells = nbs.mutate("rnn_cell_backward", "np.dot(dtanh, a_prev.T)", "np.dot(dtanh, a_prev)")
    case = _first_case(tmp_path, cells, "rnn_cell_backward", context, sandbox)
    assert "`np.dot(dtanh, a_prev.T)`" in case.message and "dtanh * a_prev" not in case.message, case.message


def test_a_product_of_sizes_that_differ_keeps_the_order_and_transpose_rule(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_cell_backward", "np.dot(Wax.T, dtanh)", "np.dot(Wax, dtanh)")
    case = _first_case(tmp_path, cells, "rnn_cell_backward", context, sandbox)
    assert "check the order of `Wax` and `dtanh` and whether one of them needs its transpose" in case.message, \
        case.message


@pytest.mark.parametrize("old, new, passed", [
    ("rnn_cell_forward(x[:, :, t], a_next, parameters)", "rnn_cell_forward(a_next, x[:, :, t], parameters)",
     "(5, 10)"),
    ("x[:, :, t]", "x[t]", "(10, 4)"),
])
def test_an_error_blamed_on_the_callers_input_is_not_told_to_rewrite_the_right_line(
        tmp_path, context, sandbox, old, new, passed):
    # rnn_cell_forward is right; the product hint told the student to reorder its np.dot.
    case = _first_case(tmp_path, nbs.mutate("rnn_forward", old, new), "rnn_forward", context, sandbox)
    assert "comes from what `rnn_forward` passed to it" in case.message, case.message
    assert f"in `xt` (of shape {passed}, where a correct run passes (3, 10))" in case.message, case.message
    assert "columns of the first" not in case.message and "np.dot(a_prev, Waa)" not in case.message, case.message


def test_zeros_of_the_wrong_shape_are_told_their_shape_not_zeros(tmp_path, context, sandbox):
    # A correct first step passes zeros as c_prev too: "an array of zeros" pointed nowhere.
    cells = nbs.mutate("lstm_forward", "lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)",
                       "lstm_cell_forward(x[:, :, t], a_next, c, parameters)")
    case = _first_case(tmp_path, cells, "lstm_forward", context, sandbox)
    assert "in `c_prev` (of shape (5, 10, 7), where a correct run passes (5, 10))" in case.message, case.message
    assert "an array of zeros" not in case.message, case.message


def test_zeros_of_the_right_shape_are_still_told_zeros(tmp_path, context, sandbox):
    cells = nbs.mutate("lstm_forward", "lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)",
                       "lstm_cell_forward(x[:, :, t], c_next, a_next, parameters)")
    case = _first_case(tmp_path, cells, "lstm_forward", context, sandbox)
    assert case.diagnosis is not None and "in `a_prev` (an array of zeros)" in case.diagnosis.message, case


@pytest.mark.parametrize("function, old, new, said", [
    ("lstm_cell_forward", "return a_next, c_next, yt_pred, cache", "return a_next, yt_pred, c_next, cache",
     "your 2nd is `yt_pred` and your 3rd is `c_next`"),
    ("rnn_cell_forward", "return a_next, yt_pred, cache", "return yt_pred, a_next, cache",
     "your 1st is `yt_pred` and your 2nd is `a_next`"),
    ("rnn_forward", "return a, y_pred, caches", "return a, caches, y_pred", "your 2nd is `caches` and your 3rd is `y`"),
])
def test_right_values_returned_in_another_order_are_told_the_order(tmp_path, context, sandbox, function, old, new,
                                                                  said):
    # lstm_cell_forward's was told "`yt_pred` shares its memory with `cache[1]`... store a copy", which c_next
    # is meant to do (the comparison was exact where the student's own sigmoid differs in the last bits).
    result = grade_submission(nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(nbs.mutate(function, old, new))),
                              context=context, sandbox=sandbox)
    for case in result.part(function).cases:
        assert case.diagnosis is not None and case.diagnosis.id == "return-order", case
        assert said in case.diagnosis.message and "`return " in case.diagnosis.message, case.diagnosis.message
        assert "shares its memory" not in case.diagnosis.message


def test_two_wrong_outputs_that_are_not_each_others_get_no_order_sentence(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_cell_forward", "softmax(np.dot(Wya, a_next) + by)", "softmax(np.dot(Wya, a_next))")
    cells.update(nbs.mutate("lstm_cell_forward", "ot * np.tanh(c_next)", "ot * c_next"))
    result = grade_submission(nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(cells)),
                              context=context, sandbox=sandbox)
    for part in ("rnn_cell_forward", "lstm_cell_forward"):
        for case in result.part(part).cases:
            assert case.diagnosis is not None and case.diagnosis.id != "return-order", case


_STORED, _UNPACK, _BOUNDS = "could not broadcast input array", "too many values to unpack", "out of bounds"


@pytest.mark.parametrize("function, old, new, error, said", [
    # An array stored where its shape does not fit: both sides, in the student's words.
    ("rnn_forward", "y_pred[:, :, t] = yt_pred", "y_pred[:, :, t] = a_next", _STORED,
     "`y_pred[:, :, t]` has room for an array of shape (2, 10), and `a_next` has shape (5, 10): check the sizes "
     "`y_pred` was created with"),
    ("rnn_forward", 'n_y, n_a = parameters["Wya"].shape', 'n_a, n_y = parameters["Wya"].shape', _STORED,
     "`a[:, :, t]` has room for an array of shape (2, 10), and `a_next` has shape (5, 10)"),
    ("lstm_cell_forward", "concat[n_a :, :] = xt", "concat[n_a + 1 :, :] = xt", _STORED,
     "`concat[n_a + 1 :, :]` has room for an array of shape (2, 10), and `xt` has shape (3, 10)"),
    # Names on the left that do not match the values unpacked.
    ("lstm_forward", "a_next, c_next, yt, cache = lstm_cell_forward", "a_next, yt, cache = lstm_cell_forward",
     _UNPACK, "The left side names 3 values (`a_next, yt, cache`) and `lstm_cell_forward` returns more"),
    ("rnn_backward", "n_x, m = x1.shape", "n_x, m = x.shape", _UNPACK,
     "The left side names 2 values (`n_x, m`) and `x.shape` holds more"),
    # An index past an axis: the axis's indices, and where such an index comes from.
    ("rnn_forward", "for t in range(T_x):", "for t in range(x.shape[1]):", _BOUNDS,
     "Axis 2 of that array has 4 entries, numbered 0 to 3 (or -4 to -1), and the index was 4: check the range"),
    ("rnn_forward", "a[:, :, t] = a_next", "a[:, :, t + 1] = a_next", _BOUNDS, "such as `t + 1`"),
    ("lstm_forward", "for t in range(T_x):", "for t in range(T_x + 1):", _BOUNDS, "has 7 entries, numbered 0 to 6"),
])
def test_an_error_numpy_or_python_words_alone_is_told_what_each_side_is(tmp_path, context, sandbox, function, old,
                                                                        new, error, said):
    case = _first_case(tmp_path, nbs.mutate(function, old, new), function, context, sandbox)
    assert case.status == "error" and error in case.message, case.message
    assert said in case.message, case.message


def test_an_in_place_sum_into_an_array_of_another_shape_is_told_both_shapes(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_backward", "dWax = np.zeros((n_a, n_x))", "dWax = np.zeros((n_x, n_a))")
    case = _first_case(tmp_path, cells, "rnn_backward", context, sandbox)
    # Since the thirty-fourth session a transposed shape says so (and `.T` on the right side: leave it out).
    assert "`dWax` has shape (3, 5) and `dWaxt` has shape (5, 3): `dWax += dWaxt` cannot store its result in " \
           "`dWax`. One has the transposed shape of the other: check the sizes `dWax` was created with, and the " \
           "order of the product that gives `dWaxt`." in case.message, case.message


def test_an_in_place_sum_of_a_transposed_step_gradient_is_told_to_leave_out_its_t(tmp_path, context, sandbox):
    # `dWax += dWaxt.T` was told "Check the sizes `dWax` was created with": dWax was right (misleading).
    case = _first_case(tmp_path, nbs.mutate("rnn_backward", "dWax += dWaxt", "dWax += dWaxt.T"), "rnn_backward",
                       context, sandbox)
    assert case.message.endswith("`dWax += dWaxt.T` cannot store its result in `dWax`. `dWaxt.T` has the "
                                 "transposed shape of `dWax`: leave out its `.T`."), case.message


def test_an_in_place_sum_into_an_array_of_other_sizes_keeps_the_sizes_to_check(tmp_path, context, sandbox):
    # Control: shapes that are not each other's transpose keep "Check the sizes ... was created with".
    cells = nbs.mutate("rnn_backward", "dWax = np.zeros((n_a, n_x))", "dWax = np.zeros((n_a, n_a))")
    case = _first_case(tmp_path, cells, "rnn_backward", context, sandbox)
    assert "`dWax += dWaxt` cannot store its result in `dWax`. Check the sizes `dWax` was created with." \
        in case.message, case.message


_CONCAT = "concat = np.zeros((n_a + n_x, m))\n    concat[: n_a, :] = a_prev\n    concat[n_a :, :] = xt"


def test_np_stack_of_two_arrays_of_other_shapes_is_told_the_concatenate(tmp_path, context, sandbox):
    cells = nbs.mutate("lstm_cell_forward", _CONCAT, "concat = np.stack((a_prev, xt))")
    case = _first_case(tmp_path, cells, "lstm_cell_forward", context, sandbox)
    assert "`np.stack` puts the arrays on a new axis, which needs them of one shape; to put `a_prev` over `xt`, " \
           "write `np.concatenate((a_prev, xt), axis=0)`." in case.message, case.message
    # The control: the axis-1 concatenate keeps its sentence.
    cells = nbs.mutate("lstm_cell_forward", _CONCAT, "concat = np.concatenate((a_prev, xt), axis=1)")
    case = _first_case(tmp_path, cells, "lstm_cell_forward", context, sandbox)
    assert "their numbers of rows differ, so they cannot stand side by side; to put `a_prev` over `xt`, write " \
           "`np.concatenate((a_prev, xt), axis=0)`." in case.message, case.message


def test_a_tuple_returned_where_a_dict_is_asked_for_is_told_the_dict_once(tmp_path, context, sandbox):
    # Before: "`dxt` is missing from what `rnn_cell_backward` returned (a tuple of 5)", once an output.
    cells = nbs.mutate("rnn_cell_backward", "    return gradients", "    return dxt, da_prev, dWax, dWaa, dba")
    case = _first_case(tmp_path, cells, "rnn_cell_backward", context, sandbox)
    assert case.message == ('`rnn_cell_backward` returned a tuple of length 5, where a dict is asked for, its values found '
                            'by name: return `{"dxt": dxt, "da_prev": da_prev, "dWax": dWax, "dWaa": dWaa, '
                            '"dba": dba}`.'), case.message
    # The control: a dict without one key keeps the sentence naming that key.
    cells = nbs.mutate("rnn_cell_backward", '"da_prev": da_prev', '"daprev": da_prev')
    case = _first_case(tmp_path, cells, "rnn_cell_backward", context, sandbox)
    assert "`da_prev` is missing from what `rnn_cell_backward` returned (a dict with keys" in case.message


# Thirty-second session, helper fb (written against bcd1399): names that hold another value than
# the student thinks. Before, `(x, caches) = caches` was told "`caches[0]` holds more: give one name
# to each value" (the order was the mistake); `np` unpacked from a cache was told "`.dot` needs a NumPy
# array"; `np = ...` below its use had Python's words alone; a dict returned where a tuple is read was
# told each output "missing" from a dict that held it.

def test_an_argument_taken_apart_in_another_order_is_told_what_it_holds(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_backward", "(caches, x) = caches", "(x, caches) = caches")
    case = _first_case(tmp_path, cells, "rnn_backward", context, sandbox)
    assert "`caches` is the 2nd name of line 4, `(x, caches) = caches`, which takes the argument `caches` apart: " \
           "its 1st is a list of length 4; its 2nd is an array of shape (3, 10, 4). Check that the names there are in the " \
           "order of its values." in case.message, case.message
    assert "give one name to each value" not in case.message, case.message


@pytest.mark.parametrize("cells, said", [
    (nbs.mutate("rnn_forward", "        caches.append(cache)\n", "        caches.append(cache)\n        np = len(caches)\n"),
     "`np` is given a value in this function (line 18: `np = len(caches)`), so Python takes `np` to be the "
     "function's own variable on all of its lines, and it has no value yet where it is read. `np` is NumPy's name: "
     "give the variable of line 18 another one."),
    (nbs.mutate("rnn_cell_backward", "(a_next, a_prev, xt, parameters) = cache\n",
                "(a_next, a_prev, xt, np) = cache\n    parameters = np\n"),
     "`np` is a dict here, not NumPy: line 3 gives it a value (`(a_next, a_prev, xt, np) = cache`), and that hides "
     "the module. Give that value another name"),
    # `np = rnn_cell_forward` is not run since the thirty-fifth session (the one rule of a name an import
    # binds to a module, ``extract._module_replaced``); a def of that name is.
    ({"rnn_cell_forward": nbs.COURSE_CELLS["rnn_cell_forward"] + "\ndef np(z):\n    return z\n"},
     "`np` is a function here, not NumPy: cell 4 (In [2]), line 24, gives it a value, and that hides the module."),
])
def test_a_name_that_hides_numpy_is_told_where_it_gets_its_value(tmp_path, context, sandbox, cells, said):
    (function,) = cells
    case = _first_case(tmp_path, cells, function, context, sandbox)
    assert case.status == "error" and said in case.message, case.message
    assert "needs a NumPy array" not in case.message, case.message


def test_an_unbound_name_other_than_numpy_is_told_to_give_it_a_value_first(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_backward", "    da_prevt = np.zeros((n_a, m))\n", "")
    case = _first_case(tmp_path, cells, "rnn_backward", context, sandbox)
    assert "`da_prevt` is given a value in this function (line 17: `dxt, da_prevt, dWaxt, dWaat, dbat = " \
           "gradients[\"dxt\"]" in case.message and "Give it a value above the line that reads it" in case.message, \
        case.message


@pytest.mark.parametrize("function, old, new, said", [
    ("rnn_cell_forward", "return a_next, yt_pred, cache", 'return {"a_next": a_next, "yt_pred": yt_pred, "cache": cache}',
     "`rnn_cell_forward` returned a dict (keys `a_next`, `yt_pred`, `cache`), where its values are read in order: "
     "return them as a tuple, `return a_next, yt_pred, cache`."),
    ("rnn_forward", "return a, y_pred, caches", 'return {"a": a, "y": y_pred, "caches": caches}',
     "`rnn_forward` returned a dict (keys `a`, `y`, `caches`), where its values are read in order: return them as "
     "a tuple, `return a, y, caches`."),
])
def test_a_dict_returned_where_a_tuple_is_asked_for_is_told_the_tuple_once(tmp_path, context, sandbox, function, old,
                                                                           new, said):
    case = _first_case(tmp_path, nbs.mutate(function, old, new), function, context, sandbox)
    assert case.message == said, case.message


def test_gradients_under_each_others_keys_are_told_so(tmp_path, context, sandbox):
    # dWax from a_prev and dWaa from xt: before, each was told only its shape.
    cells = {"rnn_cell_backward": nbs.COURSE_CELLS["rnn_cell_backward"].replace(
        "dWax = np.dot(dtanh, xt.T)", "dWax = np.dot(dtanh, a_prev.T)").replace(
        "dWaa = np.dot(dtanh, a_prev.T)", "dWaa = np.dot(dtanh, xt.T)")}
    case = _first_case(tmp_path, cells, "rnn_cell_backward", context, sandbox)
    assert case.diagnosis is not None and case.diagnosis.message == (
        "Of the values returned, `dWax` holds what `dWaa` should and `dWaa` holds what `dWax` should: the values are "
        "right, each under another's name. Check which input each one is computed from, and the key each is stored "
        "under."), case.diagnosis


def test_a_function_that_prints_its_values_is_told_print_is_not_return(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_cell_forward", "return a_next, yt_pred, cache", "print(a_next, yt_pred, cache)")
    case = _first_case(tmp_path, cells, "rnn_cell_forward", context, sandbox)
    assert "It prints (`print(a_next, yt_pred, cache)`) but returns nothing: `print` shows values, and only `return " \
           "a_next, yt_pred, cache` gives them back to the caller." in case.message, case.message
    # The control: a return left out without a print keeps the question alone.
    cells = nbs.mutate("rnn_forward", "    return a, y_pred, caches\n", "")
    case = _first_case(tmp_path, cells, "rnn_forward", context, sandbox)
    assert case.message.endswith("Is its `return` statement missing, or not reached?"), case.message


def test_a_bias_made_flat_is_told_to_keep_its_column(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_cell_forward", "np.dot(Wax, xt) + ba)", "np.dot(Wax, xt) + ba.ravel())")
    case = _first_case(tmp_path, cells, "rnn_cell_forward", context, sandbox)
    assert "An array of shape (5,) lines up with the last axis of a (5, 10) array (its 10 columns), not its 5 rows: " \
           "keep it a column of shape (5, 1)" in case.message, case.message


def _unpacked_from_a_helper_in_another_order() -> dict:
    """rnn_backward's cell unpacking a helper's five gradients in another order than it returns them."""
    helper = ("def back_step(da_next, cache):\n    g = rnn_cell_backward(da_next, cache)\n"
              "    return g['dxt'], g['da_prev'], g['dWax'], g['dWaa'], g['dba']\n\n")
    source = nbs.COURSE_CELLS["rnn_backward"]
    call = source[source.index("gradients = rnn_cell_backward("):source.index('gradients["dba"]') + len('gradients["dba"]')]
    return {"rnn_backward": helper + source.replace(
        call, "dxt, dWaxt, dWaat, dbat, da_prevt = back_step(da[:, :, t] + da_prevt, caches[t])")}


def test_names_unpacked_from_an_own_helper_in_another_order_are_told_its_return(tmp_path, context, sandbox):
    cells = _unpacked_from_a_helper_in_another_order()
    case = _first_case(tmp_path, cells, "rnn_backward", context, sandbox)
    assert "`dWaxt` is the 2nd name of line 21, and your `back_step` returns `g['da_prev']` 2nd (`return g['dxt'], " \
           "g['da_prev'], g['dWax'], g['dWaa'], g['dba']`): give the names in the order of the values it returns." \
           in case.message, case.message
    assert "Check the sizes `dWax` was created with" not in case.message, case.message


def test_the_return_order_hint_is_worked_out_once_for_each_line_cases_raise_on(tmp_path, context, sandbox,
                                                                                monkeypatch):
    """Thirty-third session (perf helper): ``_returned_order`` is kept in the submission's facts by
    the line; every case that raises there still says it (0.15 ms a case: 7 % of a raising notebook)."""
    from grader import stephints

    cells = _unpacked_from_a_helper_in_another_order()
    asked = []
    original = stephints.returned_order_hint
    monkeypatch.setattr(stephints, "returned_order_hint", lambda *a, **k: asked.append(a) or original(*a, **k))
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(cells))
    cases = grade_submission(path, context=context, sandbox=sandbox).part("rnn_backward").cases
    raised = [case for case in cases if case.status == "error"]
    assert len(raised) == len(cases) >= 4
    assert all("give the names in the order of the values it returns." in case.message for case in raised)
    lines = {(case.location.cell, case.location.line) for case in raised}
    assert len(asked) == len(lines) < len(raised), (asked, lines)  # once a line (the old code: once a case)


def test_two_products_that_do_not_fit_are_told_numpys_shapes(tmp_path, context, sandbox):
    # a_prev reshaped for one example, (50, 1): the order-and-transpose rule alone pointed away from it.
    cells = nbs.mutate("rnn_cell_forward", "    a_next = np.tanh(", "    a_prev = a_prev.reshape(-1, 1)\n    a_next = np.tanh(")
    case = _first_case(tmp_path, cells, "rnn_cell_forward", context, sandbox)
    assert case.message.endswith("Here the two arrays have shapes (5, 5) and (50, 1)."), case.message


def test_an_output_with_the_shape_of_another_output_is_told_whose(tmp_path, context, sandbox):
    # Thirty-fourth session: `dxt = np.dot(Waa.T, dtanh)` was told "`dxt` has shape (5, 10); expected (3, 10)" alone.
    case = _first_case(tmp_path, nbs.mutate("rnn_cell_backward", "np.dot(Wax.T, dtanh)", "np.dot(Waa.T, dtanh)"),
                       "rnn_cell_backward", context, sandbox)
    assert case.diagnosis is not None and case.diagnosis.id == "shape-of-another", case
    assert case.diagnosis.message == ("`dxt` has the shape (5, 10) that `da_prev` should have, not its own (3, 10): it "
                                      "may be computed the way `da_prev` is. Check which weight and input it is "
                                      "computed from.")


def test_an_output_of_a_shape_no_other_output_has_gets_no_such_sentence(tmp_path, context, sandbox):
    # Control: `dba` summed over the examples' axis 0 has shape (1, 10), no output's: its known mistake.
    case = _first_case(tmp_path, nbs.mutate("rnn_cell_backward", "np.sum(dtanh, axis=1, keepdims=True)",
                                            "np.sum(dtanh, axis=0, keepdims=True)"), "rnn_cell_backward", context, sandbox)
    assert case.diagnosis is not None and case.diagnosis.id == "rnn_cell_backward/dba_wrong_axis", case.diagnosis


def test_a_name_set_from_another_key_is_told_that_line_at_a_broadcast_error(tmp_path, context, sandbox):
    # Thirty-fourth session: `da_prevt = gradients["dxt"]` was told only "check which of the two is not
    # the array you meant".
    case = _first_case(tmp_path, nbs.mutate("rnn_backward", 'gradients["da_prev"]', 'gradients["dxt"]'),
                       "rnn_backward", context, sandbox)
    assert case.message.endswith("`da_prevt` gets its value on line 18 from `gradients[\"dxt\"]`: check that "
                                 "`\"dxt\"` is the key of the value `da_prevt` stands for."), case.message


def test_a_broadcast_error_of_names_from_their_own_keys_gets_no_key_sentence(tmp_path, context, sandbox):
    # Control: `da[:, :, t] + da_prevt.T`: the names come from their own keys.
    case = _first_case(tmp_path, nbs.mutate("rnn_backward", "da[:, :, t] + da_prevt", "da[:, :, t] + da_prevt.T"),
                       "rnn_backward", context, sandbox)
    assert case.status == "error" and "gets its value on line" not in case.message, case.message


# Thirty-fifth session, helper fb: a known mistake's sentence says what the shape note above it does not.

def test_dba_without_keepdims_is_told_keepdims_once(tmp_path, context, sandbox):
    # Before: "Axis 1 (of size 1) is missing: keep it with `keepdims=True` ..." and then "Likely mistake:
    # dba lost its second axis: add keepdims=True to the sum ...": the same advice twice.
    cells = nbs.mutate("rnn_cell_backward", "dba = np.sum(dtanh, axis=1, keepdims=True)", "dba = np.sum(dtanh, axis=1)")
    case = _first_case(tmp_path, cells, "rnn_cell_backward", context, sandbox)
    told = " ".join([check.message for check in case.checks if not check.passed] + [case.diagnosis.message])
    assert told.count("keepdims") == 1 and "`dba` has shape (5,); expected (5, 1)" in told, told
    assert "the sum over the examples (axis 1)" in case.diagnosis.message, case.diagnosis.message
    # Control: summed over the wrong axis too, the sentence keeps its whole fix (the shape note has none).
    cells = nbs.mutate("rnn_cell_backward", "dba = np.sum(dtanh, axis=1, keepdims=True)", "dba = np.sum(dtanh, axis=0)")
    case = _first_case(tmp_path, cells, "rnn_cell_backward", context, sandbox)
    assert "np.sum(dtanh, axis=1, keepdims=True)" in case.diagnosis.message, case.diagnosis


# Thirty-fifth session, helper fb: code of NumPy's old matrix type (right under NumPy 1) raises under
# NumPy 2, where `np.mat` is gone (NumPy's words: "Use `np.asmatrix` instead", which leads to the next
# error) and the course's softmax refuses an `np.matrix`; the student read those words alone. The
# grade follows the behaviour (0); the sentence says what to write.

_NP_DOTS = "a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)"


@pytest.mark.parametrize("new, said", [
    ("a_next = np.tanh(np.mat(Waa) * np.mat(a_prev) + np.mat(Wax) * np.mat(xt) + ba)",
     "`np.mat(Waa)` (line 14) made an `np.matrix`, NumPy's old matrix type, under NumPy 1; NumPy 2 has no `np.mat`, "
     "and the matrix its `np.asmatrix` makes is refused by the course's `softmax`. For a matrix `*` is the matrix "
     "product, for arrays it multiplies element by element: keep the arrays and write `np.mat(Waa) * np.mat(a_prev)` "
     "as `np.dot(Waa, a_prev)`."),
    ("a_next = np.tanh(np.matrix(Waa) * np.matrix(a_prev) + np.matrix(Wax) * xt + ba)",
     "`np.matrix(Waa)` (line 14) makes an `np.matrix`, NumPy's old matrix type, which `softmax` refuses under "
     "NumPy 2: the course's functions take arrays. For a matrix `*` is the matrix product, for arrays it multiplies "
     "element by element: keep the arrays and write `np.matrix(Waa) * np.matrix(a_prev)` as `np.dot(Waa, a_prev)`."),
])
def test_numpy_s_old_matrix_type_is_told_what_to_write(tmp_path, context, sandbox, new, said):
    case = _first_case(tmp_path, nbs.mutate("rnn_cell_forward", _NP_DOTS, new), "rnn_cell_forward", context, sandbox)
    assert case.status == "error" and case.points == 0 and said in case.message, case.message


def test_an_error_without_a_matrix_made_is_not_told_of_matrices(tmp_path, context, sandbox):
    # Control: a product of arrays that do not fit ("matmul" in NumPy's words) keeps its own sentence.
    new = "a_next = np.tanh(a_prev @ Waa + np.dot(Wax, xt) + ba)"
    case = _first_case(tmp_path, nbs.mutate("rnn_cell_forward", _NP_DOTS, new), "rnn_cell_forward", context, sandbox)
    assert case.status == "error" and "matmul" in case.message and "np.matrix" not in case.message, case.message
    from grader import hints
    assert hints.matrix_hint("TypeError", "matrix.max() got an unexpected keyword argument 'keepdims'",
                             source="def f(x):\n    return softmax(x)\n") == ""


def test_an_output_stored_in_a_cache_place_of_another_shape_is_not_told_shared_memory(tmp_path, context, sandbox):
    # A real notebook (thirty-seventh session) stored `c_next` where the cache keeps `xt` (5 x 10 where
    # 3 x 10 goes) and computed `c_next` wrong for another reason (its own sigmoid): it was told
    # "`c_next` shares its memory with `cache[8]` ... Create each array on its own or store a copy",
    # which no copy fixes. Places of two shapes are never one array in a right run.
    cells = {"lstm_cell_forward": nbs.COURSE_CELLS["lstm_cell_forward"]
             .replace("ot, xt, parameters)", "ot, c_next, parameters)").replace("it * cct", "it + cct")}
    case = _first_case(tmp_path, cells, "lstm_cell_forward", context, sandbox)
    assert case.points == 0, case
    assert case.diagnosis is None or "shares its memory" not in case.diagnosis.message, case.diagnosis
