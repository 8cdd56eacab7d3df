"""A function whose cell does not parse: its cases all raise the part's note, and feedback.md and
feedback.html say so once, "all 4 cases (...): raised an error", under the note (four bare
"raised an error" lines before, a real notebook's feedback)."""
from __future__ import annotations

from grader.feedback_html import results_page
from grader.models import ERROR, HIDDEN, PUBLIC, CaseResult, Location, PartResult, SubmissionResult
from grader.report import feedback_markdown

NOTE = "Syntax error in cell 51, line 33: '(' was never closed. `rnn_cell_backward` cannot be graded until this is fixed."
ALL = "all 4 cases (assignment example and 3 hidden): raised an error (0 / 20)"


def _result(*, raised_at: Location | None = None, note: bool = True) -> SubmissionResult:
    message = NOTE if raised_at is None else "Raised NameError: name 'x' is not defined"
    cases = [CaseResult("rnn_cell_backward/public-1", "assignment example", PUBLIC, ERROR, 0.0, 5.0,
                        message=message, location=raised_at)]
    cases += [CaseResult(f"rnn_cell_backward/hidden-{k}", f"h{k}", HIDDEN, ERROR, 0.0, 5.0, message=message,
                         location=raised_at) for k in (1, 2, 3)]
    part = PartResult("rnn_cell_backward", "rnn_cell_backward", ERROR, 0.0, 20.0, tuple(cases),
                      notes=(NOTE,) if note else ())
    return SubmissionResult("s1", "s1.ipynb", "graded", 0.0, 20.0, (part,))


def test_the_cases_of_a_cell_that_does_not_parse_are_one_line_under_its_note():
    text = feedback_markdown(_result())
    assert f"- {NOTE}\n\n- ❌ {ALL}\n" in text, text
    assert "hidden case" not in text and text.count(NOTE) == 1, text
    page = results_page(_result())
    assert ALL in page and "hidden case 1" not in page


def test_cases_that_raised_when_run_keep_a_line_each():
    text = feedback_markdown(_result(raised_at=Location(50, 4, "rnn_cell_backward", None), note=False))
    assert "all 4 cases" not in text and text.count("hidden case") == 3, text
