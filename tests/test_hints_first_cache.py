"""``rnn_backward`` reading the first cache as ``caches[1]`` (the template's comment says "the first
cache (t=1)"): right on every case with more than one step, an IndexError on the hidden case with
one, which the student was told only as "At cell 56 (In [21]), line 22, in rnn_backward." (a real
notebook, left by the thirty-second session). The case now names the line's mistake, which says
nothing of the case's inputs."""
from __future__ import annotations

from grader import hints
from grader.report import feedback_markdown
from tests import notebooks as nbs
from tests.test_review_s23 import _grade


def test_the_first_cache_read_as_caches_1_is_named_where_it_raises(tmp_path, context, sandbox):
    nb = nbs.course_notebook(nbs.mutate("rnn_backward", "= caches[0]", "= caches[1]"))
    result = _grade(tmp_path, nb, context, sandbox)
    part = result.part("rnn_backward")
    raised = [case for case in part.cases if case.status == "error"]
    assert raised and all(case.visibility == "hidden" for case in raised), part.cases
    assert all(case.diagnosis and "`caches[1]` is the second cache" in case.diagnosis.message for case in raised), raised
    text = feedback_markdown(result)
    assert "the first cache (the template's t=1, the first time step) is `caches[0]`" in text, text
    assert part.points == 15.0  # the grade is as it was: the hint does not move points


def test_first_cache_hint_only_for_an_index_error_on_an_unpacked_index_1():
    line = "    (a1, a0, x1, parameters) = caches[1]"
    assert "`caches[1]` is the second cache" in hints.first_cache_hint("IndexError", "list index out of range", line)
    assert hints.first_cache_hint("KeyError", "1", line) == ""
    assert hints.first_cache_hint("IndexError", "list index out of range", "    a1 = caches[0]") == ""
    assert hints.first_cache_hint("IndexError", "list index out of range", "    x = rows[1]") == ""
    assert hints.first_cache_hint("IndexError", "list index out of range", "    (a, b = caches[1]") == ""
