"""A hidden case that raised an error in the student's code: feedback.md and results.json say
where, as feedback.html does, and never the exception's message (it can hold the case's shapes).
Before, one that raised where no public case did read only "hidden case 2: raised an error (0 / 5)"
in feedback.md and on Gradescope: five points lost without a word."""
from __future__ import annotations

from grader.feedback_html import results_page
from grader.models import ERROR, HIDDEN, PASSED, PUBLIC, CaseResult, Location, PartResult, SubmissionResult
from grader.report import feedback_markdown, gradescope_results

SECRET = "IndexError: list index out of range 7,3,1"
WHERE = "At cell 56 (In [21]), line 22, in rnn_backward."


def _result(*, public_raises: bool) -> SubmissionResult:
    """``rnn_backward`` whose hidden cases 2 and 3 raise at cell 56, line 22; the public case
    passes, or raises there too (``public_raises``)."""
    place = Location(55, 22, "rnn_backward", 21)
    public = CaseResult("rnn_backward/public-1", "assignment example", PUBLIC, ERROR if public_raises else PASSED,
                        0.0 if public_raises else 5.0, 5.0,
                        message=f"Raised {SECRET} (cell 56 (In [21]), line 22, in rnn_backward)" if public_raises else "",
                        location=place if public_raises else None)
    hidden = [CaseResult("rnn_backward/hidden-1", "one example (m = 1)", HIDDEN, PASSED, 5.0, 5.0)]
    hidden += [CaseResult(f"rnn_backward/hidden-{k}", f"one time step (T_x = {k})", HIDDEN, ERROR, 0.0, 5.0,
                          message=f"Raised {SECRET} (cell 56 (In [21]), line 22, in rnn_backward)", location=place)
               for k in (2, 3)]
    points = 5.0 * (not public_raises) + 5.0
    part = PartResult("rnn_backward", "rnn_backward", ERROR, points, 20.0, (public, *hidden))
    return SubmissionResult("s1", "s1.ipynb", "graded", points, 20.0, (part,))


def test_a_hidden_case_that_raised_says_where_in_feedback_md_and_on_gradescope():
    result = _result(public_raises=False)
    text = feedback_markdown(result)
    assert text.count(WHERE) == 1, text  # once a part: hidden case 3 raised at the same place
    assert text.index("hidden case 2: raised an error") < text.index(WHERE) < text.index("hidden case 3"), text
    tests = [t for t in gradescope_results(result)["tests"] if "raised an error" in t.get("output", "")]
    assert len(tests) == 2 and all(WHERE in t["output"] for t in tests), tests
    assert WHERE in results_page(result)  # the page said it already
    for shown in (text, str(gradescope_results(result))):
        assert "7,3,1" not in shown and "T_x" not in shown, shown


def test_a_place_the_public_case_named_is_not_repeated_under_the_hidden_cases():
    text = feedback_markdown(_result(public_raises=True))
    assert WHERE not in text, text
    assert text.count("(cell 56 (In [21]), line 22, in rnn_backward)") == 1, text
