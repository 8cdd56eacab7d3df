"""A known mistake named for the outputs that failed ("This mistake explains the outputs that are
wrong; the others are right") must not be one that gets wrong an output the student got right.

Real notebooks (four in the corpora read in the thirty-third session) leave the template's
``caches.append(cache)`` as ``None``: every hidden state, prediction and cell state is right, the
list of caches empty. On the case with T_x = 1, ``first_step_skipped`` (``range(1, T_x)``) leaves
the list of caches empty too, and was named: "The loop starts at step 1, so step 0 is never
computed (a, y and c stay zero there)", of a loop over ``range(T_x)`` whose a, y and c were right.
"""
from __future__ import annotations

import pytest

from tests import notebooks as nbs
from tests.test_review_s23 import _grade


@pytest.mark.parametrize("name", ["rnn_forward", "lstm_forward"])
def test_caches_never_appended_are_not_told_the_loop_starts_at_step_1(tmp_path, context, sandbox, name):
    nb = nbs.course_notebook(nbs.mutate(name, "caches.append(cache)", "None"))
    part = _grade(tmp_path, nb, context, sandbox).part(name)
    said = [(case.message or "") + " " + (case.diagnosis.message if case.diagnosis else "") for case in part.cases]
    assert not any("starts at step 1" in text for text in said), said
    # What the cases do say is true: the list of caches is empty, and nothing else is wrong.
    assert "`caches[0]` should have" in part.cases[0].message, part.cases[0].message
    for case in part.cases:
        assert case.status != "passed" and case.points > 0, case


def test_a_mistake_right_where_the_student_is_right_is_still_named(tmp_path, context, sandbox):
    # The control: a known mistake that changes only the outputs the student got wrong (the cache
    # of Nones: a, y and c right, the caches wrong) is named on every case, as before.
    nb = nbs.course_notebook(nbs.mutate("lstm_forward", "caches.append(cache)", "caches.append(None)"))
    part = _grade(tmp_path, nb, context, sandbox).part("lstm_forward")
    assert all(case.diagnosis and case.diagnosis.id == "lstm_forward/caches_of_none" for case in part.cases), [
        (case.name, case.diagnosis) for case in part.cases]
