"""``np.squeeze`` of the loop's slice (``np.squeeze(x[:, :, t])``, real notebooks of the corpora): right on
every case whose sizes are all above 1, an error on the hidden case with one example, where it drops the
examples' axis too. The student was told only the place ("At cell 7 (In [4]), line 15, in rnn_forward.",
left by the thirty-sixth session); the case now names the line's call and what it does, which is said of
the code, not of the case's inputs (docs/reports.md, Privacy of hidden cases)."""
from __future__ import annotations

from grader import hints
from grader.report import feedback_markdown
from tests import notebooks as nbs
from tests.test_review_s23 import _grade

_CALL = "rnn_cell_forward(x[:, :, t], a_next, parameters)"


def test_a_squeezed_slice_is_named_where_a_hidden_case_raises(tmp_path, context, sandbox):
    nb = nbs.course_notebook(nbs.mutate("rnn_forward", _CALL, _CALL.replace("x[:, :, t]", "np.squeeze(x[:, :, t])")))
    result = _grade(tmp_path, nb, context, sandbox)
    part = result.part("rnn_forward")
    raised = [case for case in part.cases if case.status == "error"]
    assert raised and all(case.visibility == "hidden" for case in raised), part.cases
    assert all(case.diagnosis and case.diagnosis.id == "numpy/squeeze" for case in raised), raised
    text = feedback_markdown(result)
    assert "calls `np.squeeze(x[:, :, t])`, which drops every axis of size 1, not only the one you meant" in text, text
    assert part.points == 11.0  # the grade is as it was: the hint does not move points


def test_squeeze_hint_needs_a_size_of_1_and_a_squeeze_without_an_axis():
    source = "def f(x, a):\n    for t in range(3):\n        xt = np.squeeze(x[:, :, t])\n    return xt\n"
    one, none = {"n_x": 3, "m": 1}, {"n_x": 3, "m": 2}
    assert hints.squeeze_hint(source, dims=one, first_line=10).startswith(
        "Line 12 calls `np.squeeze(x[:, :, t])`, which drops every axis of size 1")
    assert hints.squeeze_hint(source.replace("np.squeeze(x[:, :, t])", "x[:, :, t].squeeze()"), dims=one) != ""
    assert hints.squeeze_hint(source, dims=none) == ""
    for named in ("np.squeeze(x[:, :, t], axis=2)", "np.squeeze(x[:, :, t], 2)", "x[:, :, t].squeeze(2)",
                  "x[:, :, t]"):
        assert hints.squeeze_hint(source.replace("np.squeeze(x[:, :, t])", named), dims=one) == "", named
