"""Twenty-sixth session's review of new real notebooks: the patterns they showed, written by the
tests from the course notebook (``tests/notebooks.py``), graded through the real grader; each test
failed before its fix."""
from __future__ import annotations

import numpy as np

from tests import notebooks as nbs
from tests.test_live import course_module  # noqa: F401 - a fixture: rnn_utils importable
from tests.test_review_s23 import _grade
from tests.test_review_s24 import _check_and_grade

# --------------------------------------------------------------------------- c_next = c[:, :, 0]

#: lstm_forward starting the memory from a slice of ``c``: the first step's c_prev is a view that
#: ``c[:, :, 0] = c_next`` overwrites, so the first cache holds c<1> where a real cell stored the
#: zeros it was given (the course notebook says not to do it): 10 of the 121 real notebooks of the
#: step-by-step assignment (6 of /work/real21, 4 of /work/real26).
SLICED_MEMORY = nbs.COURSE_CELLS["lstm_forward"].replace("c_next = np.zeros(a_next.shape)", "c_next = c[:, :, 0]")


def test_a_memory_started_as_a_slice_of_c_is_caught_in_the_cache(tmp_path, context, sandbox):
    # Graded with the trace stub, whose cache is a copy sent over the wire, the overwritten view
    # never reached the cache: 15 / 15. Any real lstm_cell_forward keeps c_prev itself.
    assert SLICED_MEMORY != nbs.COURSE_CELLS["lstm_forward"]
    result = _grade(tmp_path, nbs.course_notebook({"lstm_forward": SLICED_MEMORY}), context, sandbox)
    part = result.part("lstm_forward")
    assert 0 < part.points < part.max_points, part.points
    assert all(check.passed == (check.name != "caches") for check in part.cases[0].checks), part.cases[0].checks
    diagnosis = part.cases[0].diagnosis
    assert diagnosis is not None and "shares its memory with `c`" in diagnosis.message, diagnosis
    assert result.part("lstm_cell_forward").points == result.part("lstm_cell_forward").max_points


def test_the_course_lstm_forward_keeps_full_marks(tmp_path, context, sandbox):
    # The same notebook with the memory made on its own: the stub's cache now holds the caller's
    # arrays (a0 among them), which must not cost a right composite anything.
    result = _grade(tmp_path, nbs.course_notebook(), context, sandbox)
    assert [p.points for p in result.parts if p.name != "imdb_report"] == [
        p.max_points for p in result.parts if p.name != "imdb_report"]


def test_check_says_what_the_grade_says_of_a_memory_started_as_a_slice(tmp_path, course_module, sandbox):  # noqa: F811
    live, graded, _ = _check_and_grade(nbs.course_notebook({"lstm_forward": SLICED_MEMORY}), tmp_path, sandbox)
    assert ("lstm_forward", "failed") in graded, graded
    assert ("lstm_forward", "failed") in live, live


def test_an_answer_holds_the_callers_arrays_where_it_holds_copies_of_them():
    from grader.childruntime import own_arguments

    a_prev, xt, other = np.arange(6.0).reshape(2, 3), np.ones((4, 3)), np.full((2, 3), 7.0)
    answer = (other.copy(), ("y", a_prev.copy(), xt.copy(), {"W": xt.copy()}))
    mine = own_arguments(answer, (xt, a_prev, {"W": xt}))
    assert mine[1][1] is a_prev and mine[1][2] is xt
    assert mine[0] is answer[0] and mine[1][3] is answer[1][3]  # no argument of its values; a dict is left
    # Each argument stands once: two equal arrays in the answer, one argument.
    twice = own_arguments(((a_prev.copy(), a_prev.copy()),), (a_prev,))
    assert twice[0][0] is a_prev and twice[0][1] is not a_prev
    gradients = {"dxt": xt.copy()}
    assert own_arguments(gradients, (xt,)) is gradients


def test_a_cache_wrong_in_its_structure_is_not_blamed_on_the_slice_of_x_it_holds(tmp_path, context, sandbox):
    # `caches = (caches, cache)` nests the caches (a real notebook's lstm_forward). Its caches now
    # hold the slices x[:, :, t] it passed, as the reference's do; that memory is x's, which the
    # call leaves unchanged, so "shares its memory with `x`" was a wrong likely mistake.
    nested = nbs.COURSE_CELLS["lstm_forward"].replace("caches.append(cache)", "caches = (caches, cache)")
    assert nested != nbs.COURSE_CELLS["lstm_forward"]
    part = _grade(tmp_path, nbs.course_notebook({"lstm_forward": nested}), context, sandbox).part("lstm_forward")
    assert 0 < part.points < part.max_points, part.points
    case = part.cases[0]
    assert "`caches[0]`" in case.message, case.message
    assert case.diagnosis is None or "shares its memory" not in case.diagnosis.message, case.diagnosis


def test_a_cache_built_in_the_wrong_order_is_not_blamed_on_the_slice_of_x_it_holds(tmp_path, context, sandbox):
    # The same sentence without the stub: rnn_forward building its own caches, the slice
    # x[:, :, t] where a_prev belongs. x is left as it came, so sharing its memory is no mistake;
    # the order is.
    own = nbs.COURSE_CELLS["rnn_forward"].replace(
        "caches.append(cache)", "caches.append((cache[0], x[:, :, t], cache[1], parameters))")
    assert own != nbs.COURSE_CELLS["rnn_forward"]
    part = _grade(tmp_path, nbs.course_notebook({"rnn_forward": own}), context, sandbox).part("rnn_forward")
    assert 0 < part.points < part.max_points, part.points
    case = part.cases[0]
    assert "`caches[0][0][1]`" in case.message, case.message
    assert case.diagnosis is None or "shares its memory" not in case.diagnosis.message, case.diagnosis
