"""``None`` given to the notebook's own function beside real arguments: twenty-ninth session.

The extractor took any ``None`` argument of a call of a notebook function for the template's
blank (``rnn_cell_forward(None, None, None)``) and marked the function "not implemented",
0 points without running it. A function that works and hands ``None`` to a helper of its own
(an optional argument, ``_cell(xt, a_prev, parameters, None)``) lost its points; so did a wrapper
passing a junk argument (``return f9(xt, a_prev, parameters, None)``), whose copy the check then
never compared. On 2e33195 the first two tests fail (not implemented); the template's own blank,
every argument ``None``, is still a placeholder.
"""
from __future__ import annotations

from grader.similaritystage import function_sources
from grader.models import NOT_IMPLEMENTED, PASSED
from grader.runner import grade_submission
from grader.similarity import find_similar
from tests import notebooks as nbs

_ORIGINAL = nbs.COURSE_CELLS["rnn_cell_forward"]
_HEAD = "def rnn_cell_forward(xt, a_prev, parameters):\n"
_BODY = _ORIGINAL.split(_HEAD, 1)[1]


def _graded(tmp_path, name: str, overrides: dict[str, str]):
    path = nbs.write(tmp_path / f"{name}.ipynb", nbs.course_notebook(overrides))
    return path


def test_an_own_helper_given_none_beside_real_arguments_is_graded(tmp_path, context, sandbox):
    """An honest optional argument: the function runs and earns its points."""
    helper = ("def _cell(xt, a_prev, parameters, bias):\n"
              "    z = parameters['Wax'] @ xt + parameters['Waa'] @ a_prev + parameters['ba']\n"
              "    if bias is not None:\n        z = z + bias\n"
              "    a_next = np.tanh(z)\n"
              "    yt_pred = softmax(parameters['Wya'] @ a_next + parameters['by'])\n"
              "    return a_next, yt_pred, (a_next, a_prev, xt, parameters)\n\n")
    path = _graded(tmp_path, "optional", {"rnn_cell_forward": helper + _HEAD
                                          + "    return _cell(xt, a_prev, parameters, None)\n"})
    result = grade_submission(path, context=context, sandbox=sandbox)
    part = result.part("rnn_cell_forward")
    assert part.status == PASSED, part
    assert part.points == part.max_points


def test_a_wrapper_passing_none_as_junk_is_graded_and_its_copy_flagged(tmp_path, context, sandbox):
    copy = "def f9(xt, a_prev, parameters, junk):\n" + _BODY + f"\n\n{_HEAD}    return f9(xt, a_prev, parameters, None)\n"
    result = grade_submission(_graded(tmp_path, "junk_none", {"rnn_cell_forward": copy}), context=context,
                              sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED
    classmate = nbs.write(tmp_path / "classmate.ipynb", nbs.course_notebook())
    report = find_similar({"junk_none": {"rnn_cell_forward": result.extra["sources"]["rnn_cell_forward"]},
                           "classmate": function_sources(classmate, names=["rnn_cell_forward"])})
    assert [(p.a, p.b, p.flagged) for p in report.pairs] == [("junk_none", "classmate", True)], report.pairs
    assert report.pairs[0].overall >= 0.9, report.pairs


def test_the_templates_blank_call_is_still_a_placeholder(tmp_path, context, sandbox):
    blank = nbs.COURSE_CELLS["rnn_forward"].replace("rnn_cell_forward(x[:, :, t], a_next, parameters)",
                                                    "rnn_cell_forward(None, None, None)")
    assert blank != nbs.COURSE_CELLS["rnn_forward"]
    result = grade_submission(_graded(tmp_path, "blank", {"rnn_forward": blank}), context=context, sandbox=sandbox)
    part = result.part("rnn_forward")
    assert part.status == NOT_IMPLEMENTED, part
    assert "rnn_cell_forward(None, None, None)" in part.cases[0].message
