"""grader/checks.py: wrong values (or a shape) that share one pattern are told it.

Thirty-first session, helper fb (written against 74666ec): outputs of one-line mistakes of the backward
pass were told only their largest difference (`da0` never set, a square `dWaa` transposed, `dWax` summed
twice, the step t = 0 skipped, `np.sum(dtanh)` for `dba`). Controls keep the sentence as it was.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grader import checks
from grader.models import Tolerance
from grader.runner import grade_submission
from tests import notebooks as nbs


def _first_case(tmp_path: Path, cells: dict, part: str, context, sandbox):
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(cells))
    return grade_submission(path, context=context, sandbox=sandbox).part(part).cases[0]


_TOL = Tolerance(rtol=1e-5, atol=1e-7)
_RNG = np.random.default_rng(31)
_EXPECTED = _RNG.standard_normal((5, 5))


@pytest.mark.parametrize("student, said", [
    (np.zeros((5, 5)), "Every value is 0: check that it is filled in"),
    (_EXPECTED.T.copy(), "It holds the expected values transposed"),
    (2 * _EXPECTED, "Every value is 2 times the expected one: look for a term added more than once"),
    (-_EXPECTED, "Every value has the opposite sign of the expected one"),
])
def test_wrong_values_that_share_one_pattern_are_told_it(student, said):
    mismatch = checks.CHECKS["allclose"](student, _EXPECTED, tolerance=_TOL, name="dWaa")
    assert mismatch is not None and mismatch.kind == "values" and said in mismatch.message, mismatch


def test_one_wrong_time_step_is_named():
    expected = _RNG.standard_normal((3, 4, 5))
    student = expected.copy()
    student[:, :, 0] = 0.0
    mismatch = checks.CHECKS["allclose"](student, expected, tolerance=_TOL, name="dx")
    assert "all at index 0 of the last axis (`[:, :, 0]`, time step 0)" in mismatch.message, mismatch


@pytest.mark.parametrize("student", [
    _EXPECTED + _RNG.standard_normal((5, 5)),  # no pattern: the largest difference alone, as before
    np.where(np.eye(5, dtype=bool), 0.0, _EXPECTED),
])
def test_wrong_values_without_a_pattern_keep_their_sentence(student):
    mismatch = checks.CHECKS["allclose"](student, _EXPECTED, tolerance=_TOL, name="dWaa")
    worst = np.unravel_index(int(np.argmax(np.abs(student - _EXPECTED))), student.shape)
    assert mismatch.message.startswith("`dWaa` has the right shape but "), mismatch.message
    assert mismatch.message.endswith(f", got {checks._fmt(student[worst])}."), mismatch.message


@pytest.mark.parametrize("function, old, new, said", [
    ("rnn_cell_backward", "dWaa = np.dot(dtanh, a_prev.T)", "dWaa = np.dot(a_prev, dtanh.T)",
     "`dWaa` has the right shape but 20 of 25 values differ; largest difference at index (4, 0): expected "
     "-1.1609131, got 0.90584738. It holds the expected values transposed"),
    ("rnn_backward", "dWax += dWaxt", "dWax += dWaxt\n        dWax += dWaxt", "Every value is 2 times the expected"),
    ("rnn_backward", "    da0 = da_prevt\n", "", "`da0` has the right shape but 50 of 50 values differ; largest "
     "difference at index (3, 5): expected -5.2041812, got 0. Every value is 0"),
    ("rnn_backward", "for t in reversed(range(T_x)):", "for t in range(T_x - 1, 0, -1):",
     "all at index 0 of the last axis"),
])
def test_graded_wrong_values_are_told_their_pattern(tmp_path, context, sandbox, function, old, new, said):
    case = _first_case(tmp_path, nbs.mutate(function, old, new), function, context, sandbox)
    assert any(said in check.message for check in case.checks), [check.message for check in case.checks]



def test_a_sum_over_every_axis_is_told_to_name_the_axis():
    mismatch = checks.CHECKS["allclose"](np.float64(3.0), np.ones((5, 1)), tolerance=_TOL, name="dba")
    assert mismatch.kind == "shape" and "It is a single number: a sum (or mean) without `axis` adds up every " \
        "entry; give the axis to sum over, with `keepdims=True`, so that it has the shape (5, 1)." in mismatch.message


def test_every_value_0_is_advised_once_a_case(tmp_path, context, sandbox):
    # A loop that runs no step: each zero output of the case repeated the same two-line advice
    # (the fb helper counted five); the first says it, the others say they are zero as well.
    cells = nbs.mutate("rnn_backward", "for t in reversed(range(T_x)):", "for t in reversed(range(0)):")
    case = _first_case(tmp_path, cells, "rnn_backward", context, sandbox)  # no step: every gradient 0
    zero = [check.message for check in case.checks if "Every value is 0" in check.message]
    assert len(zero) >= 3 and sum(checks.ALL_ZERO in message for message in zero) == 1, zero
    assert all(message.endswith(checks.ALL_ZERO_AGAIN) for message in zero if checks.ALL_ZERO not in message), zero


# Thirty-second session, helper fb (written against bcd1399): a sequence stored one step late
# (`c[:, :, t] = c_next` above the call) and one entry per example where the sum over them belongs
# (`dba = dtanh`, which m = 1 passes) were told only their largest difference, or the two shapes.

def test_each_step_holding_the_step_befores_value_is_told_it_was_stored_first():
    expected = _RNG.standard_normal((5, 4, 6))
    late = np.concatenate([np.zeros((5, 4, 1)), expected[..., :-1]], axis=-1)
    mismatch = checks.CHECKS["allclose"](late, expected, tolerance=_TOL, name="c")
    assert mismatch is not None and "Each time step holds the value expected at the step before it" in \
        mismatch.message, mismatch
    # The control: one step wrong keeps the sentence of that step.
    one = expected.copy()
    one[..., 2] += 1
    mismatch = checks.CHECKS["allclose"](one, expected, tolerance=_TOL, name="c")
    assert "all at index 2 of the last axis" in mismatch.message and "step before" not in mismatch.message


def test_one_entry_per_example_where_one_is_expected_is_told_to_sum_over_that_axis():
    mismatch = checks.CHECKS["allclose"](np.ones((5, 10)), np.ones((5, 1)), tolerance=_TOL, name="dba")
    assert mismatch.message == ("`dba` has shape (5, 10); expected (5, 1). Axis 1 has 10 entries where the expected "
                                "array has 1: sum (or average) over that axis, with `keepdims=True`, to get the shape "
                                "(5, 1)."), mismatch.message
    # The controls: a transposed array and a missing axis of size 1 keep their sentences.
    assert "It looks transposed." in checks.CHECKS["allclose"](np.ones((1, 5)), np.ones((5, 1)), tolerance=_TOL,
                                                               name="dba").message
    assert "keepdims=True` in the sum" in checks.CHECKS["allclose"](np.ones(5), np.ones((5, 1)), tolerance=_TOL,
                                                                    name="dba").message


# Thirty-third session, helper real (a real notebook's `c_next = 0` in `lstm_forward`): the first cache's
# c_prev is the number 0 where zeros of shape (n_a, m) belong. Told "a sum (or mean) without `axis` adds
# up every entry", which no line of it does.
def test_the_number_0_for_an_array_of_zeros_is_not_told_a_sum(tmp_path, context, sandbox):
    cells = nbs.mutate("lstm_forward", "c_next = np.zeros(a_next.shape)", "c_next = 0")
    case = _first_case(tmp_path, cells, "lstm_forward", context, sandbox)
    said = [check.message for check in case.checks if "caches" in check.message]
    assert said and "`caches[0][0][3]` has shape (); expected (5, 10). It is the number 0 where an array " \
        "of zeros is expected: start it with `np.zeros(...)` of that shape, not `= 0`." in said[0], said
    assert "without `axis`" not in said[0], said


def test_a_single_number_that_is_not_0_is_still_told_the_sum():
    # The control: a sum over every axis of an array that is not zero keeps its sentence; 0 for an
    # expected array that is not zero too.
    for got, want in ((np.float64(0.0), np.ones((5, 1))), (np.float64(2.0), np.zeros((5, 1)))):
        mismatch = checks.CHECKS["allclose"](got, want, tolerance=_TOL, name="dba")
        assert "a sum (or mean) without `axis`" in mismatch.message, mismatch.message


# Thirty-third session, helper real: the template's `None` left where `caches.append(cache)` belongs
# (four real notebooks): the case said "`caches[0]` should have 7 elements, got 0." and no more.
def test_an_empty_list_is_said_to_be_empty_and_another_length_is_not():
    empty = checks.CHECKS["allclose"]([], [np.zeros(2)] * 7, tolerance=_TOL, name="caches[0]")
    assert empty.message == ("`caches[0]` should have 7 elements, got 0. It is an empty list: nothing was "
                             "appended to it."), empty.message
    for got in ([np.zeros(2)] * 6, ()):
        other = checks.CHECKS["allclose"](got, [np.zeros(2)] * 7, tolerance=_TOL, name="caches[0]")
        assert f"got {len(got)}." in other.message and "empty list" not in other.message, other.message


# Thirty-sixth session, helper fb: "`cache` should have 10 elements, got 9" did not say which was left out
# (the parameters, the cache's last) where the other nine were right.
@pytest.mark.parametrize("kept, said", [
    (slice(0, 9), "The last (the 10th) is missing; the other 9 are right."),
    (slice(1, 10), "The first is missing; the other 9 are right."),
    ((0, 1, 2, 3, 5, 6, 7, 8, 9), "The 5th is missing; the other 9 are right."),
    (slice(0, 8), "The last two (the 9th and 10th) are missing; the other 8 are right."),
    ((0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0), "The last (the 11th) is extra; the other 10 are right."),
    ((0, 0), "The last (the 2nd) is extra; the other one is right."),
])
def test_a_tuple_of_another_length_names_what_is_missing_or_extra(kept, said):
    expected = tuple(_RNG.standard_normal((2, 3)) for _ in range(10))
    got = expected[kept] if isinstance(kept, slice) else tuple(expected[k] for k in kept)
    want = expected[:1] if kept == (0, 0) else expected
    mismatch = checks.CHECKS["allclose"](got, want, tolerance=_TOL, name="cache")
    assert mismatch.message == f"`cache` should have {len(want)} elements, got {len(got)}. {said}", mismatch.message


def test_a_tuple_of_another_length_whose_values_differ_names_no_place():
    # Controls: a wrong value among the others, three missing, and an exact check of other values.
    expected = tuple(_RNG.standard_normal((2, 3)) for _ in range(10))
    for got in ((expected[0] + 1, *expected[1:9]), expected[:7], tuple(e * 2 for e in expected[:9])):
        mismatch = checks.CHECKS["allclose"](got, expected, tolerance=_TOL, name="cache")
        assert mismatch.message == f"`cache` should have 10 elements, got {len(got)}.", mismatch.message
    assert checks.CHECKS["exact"](("a", "b"), ("a", "c", "b"), tolerance=_TOL, name="k").message == \
        "`k` should have 3 elements, got 2. The 2nd is missing; the other 2 are right."


# Thirty-fourth session, helper fb: `dx[:, :, T_x - 1 - t] = dxt` in a loop over reversed(range(T_x))
# was told only its largest difference.

def test_the_steps_in_reverse_order_are_told_to_be_stored_at_their_own_t():
    expected = _RNG.standard_normal((3, 10, 4))
    mismatch = checks.CHECKS["allclose"](expected[..., ::-1], expected, tolerance=_TOL, name="dx")
    assert mismatch is not None and "It holds the time steps in reverse order" in mismatch.message, mismatch
    # Controls: two steps (a reversal and a swap are one) and a step shifted keep their sentences.
    two = _RNG.standard_normal((3, 10, 2))
    assert "reverse order" not in checks.CHECKS["allclose"](two[..., ::-1], two, tolerance=_TOL, name="dx").message
    late = np.concatenate([np.zeros((3, 10, 1)), expected[..., :-1]], axis=-1)
    assert "reverse order" not in checks.CHECKS["allclose"](late, expected, tolerance=_TOL, name="dx").message


@pytest.mark.parametrize("function, old, new, fact, known", [
    # A known mistake whose sentence names the fix: the pattern's fact stays, its general advice goes
    # (thirty-eighth session: real notebooks read "look for ... a factor (a mean for a sum)" above "Likely
    # mistake: `dba` is the sum of `dtanh` over the examples, not their mean", and "check that it is
    # filled in" above "`da0` stays zero: ... set `da0 = da_prevt`").
    ("rnn_cell_backward", "np.sum(dtanh, axis=1, keepdims=True)", "np.mean(dtanh, axis=1, keepdims=True)",
     "Every value is 0.1 times the expected one.", True),
    ("rnn_backward", "    da0 = da_prevt\n", "", "got 0. Every value is 0.", True),
    # Control: no known mistake explains `3 *`: the advice stays.
    ("rnn_cell_backward", "dba = np.sum(", "dba = 3 * np.sum(", "Every value is 3 times the expected one" +
     checks.FACTOR_ADVICE, False),
])
def test_a_known_mistake_keeps_the_patterns_fact_without_its_general_advice(tmp_path, context, sandbox, function,
                                                                             old, new, fact, known):
    case = _first_case(tmp_path, nbs.mutate(function, old, new), function, context, sandbox)
    assert (case.diagnosis is not None and case.diagnosis.id in context.mutant_messages) == known, case.diagnosis
    assert any(message.endswith(fact) for message in case.message.splitlines()), case.message
    assert known == (checks.FACTOR_ADVICE not in case.message and checks.ALL_ZERO not in case.message), case.message
