"""More forms of a copy defined under another graded function's name (fe71b05's case): twenty-ninth
session's second similarity helper. Each graded rnn_cell_forward in full and listed no pair on
97d8f3b; flagged since fe71b05 and e286710. ``test_similarity_graded_names`` has the first forms."""
from __future__ import annotations

import pytest

from grader.models import PASSED
from grader.runner import grade_submission
from tests import notebooks as nbs
from tests.copies import flagged_against_classmate

_HEAD = "def rnn_cell_forward(xt, a_prev, parameters):\n"
_BODY = nbs.COURSE_CELLS["rnn_cell_forward"].split(_HEAD, 1)[1]
_RENAMED = _BODY.replace("parameters", "q3").replace("a_prev", "q2").replace("xt", "q1")

#: The cells replaced: the copy in another graded function's cell, rnn_cell_forward handing it its work.
_CASES = {
    "parameters_renamed": {"lstm_cell_forward": "def lstm_cell_forward(q3, q2, q1):\n" + _RENAMED,
                           "rnn_cell_forward": _HEAD + "    return lstm_cell_forward(parameters, a_prev, xt)\n"},
    "named_rnn_forward_permuted": {"rnn_forward": "def rnn_forward(a_prev, parameters, xt):\n" + _BODY,
                                   "rnn_cell_forward": _HEAD + "    return rnn_forward(a_prev, parameters, xt)\n"},
    "result_assigned_first": {"lstm_cell_forward": "def lstm_cell_forward(parameters, a_prev, xt):\n" + _BODY,
                              "rnn_cell_forward": (_HEAD + "    out = lstm_cell_forward(parameters, a_prev, xt)\n"
                                                   "    return out\n")},
}


@pytest.mark.parametrize("how", sorted(_CASES))
def test_a_copy_under_another_graded_name_is_flagged(tmp_path, context, sandbox, how):
    path = nbs.write(tmp_path / f"{how}.ipynb", nbs.course_notebook(_CASES[how]))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED, result.part("rnn_cell_forward")
    report = flagged_against_classmate(tmp_path, how, result.extra["sources"]["rnn_cell_forward"])
    assert report.pairs[0].overall >= 0.9, report.pairs
