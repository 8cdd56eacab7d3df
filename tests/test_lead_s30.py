"""Lead, thirtieth session: a likely mistake named once per part, not under every case; hidden
cases not run say why; an LSTM gate's weights times `xt` alone told the stacked input."""
from __future__ import annotations

import pytest

from grader.feedback_html import results_page
from grader.models import (FAILED, HIDDEN, PASSED, PUBLIC, CaseResult, Diagnosis, PartResult,
                           SubmissionResult)
from grader.report import SAME_MISTAKE, feedback_markdown
from grader.runner import grade_submission
from tests import notebooks as nbs

BIAS = "Your hidden state leaves out the bias ba: compute a_next = np.tanh(Waa·a_prev + Wax·xt + ba)."
TWICE = "You apply tanh twice."


def _case(k: int, visibility: str, diagnosis: str | None, status: str = FAILED) -> CaseResult:
    name = "assignment example" if visibility == PUBLIC else f"hidden {k}"
    return CaseResult(f"rnn_cell_forward/{visibility}-{k}", name, visibility, status,
                      2.5 if status == PASSED else 0.0, 2.5, message="`a_next`: wrong values",
                      diagnosis=Diagnosis("m", diagnosis) if diagnosis else None)


def _result() -> SubmissionResult:
    cases = (_case(1, PUBLIC, BIAS), _case(1, HIDDEN, BIAS), _case(2, HIDDEN, TWICE),
             _case(3, HIDDEN, None, PASSED), _case(4, HIDDEN, BIAS))
    part = PartResult("rnn_cell_forward", "rnn_cell_forward", FAILED, 2.5, 12.5, cases)
    return SubmissionResult("s1", "s1.ipynb", "graded", 2.5, 12.5, (part,))


def test_feedback_md_names_a_likely_mistake_once_a_part():
    text = feedback_markdown(_result())
    assert text.count(BIAS) == 1 and text.count(TWICE) == 1
    # The public case names it; hidden cases 1 and 4 point back to it; case 2's own is written.
    assert text.count(SAME_MISTAKE) == 2
    hidden = text.split("hidden case 1: failed", 1)[1]
    assert hidden.index(SAME_MISTAKE) < hidden.index(TWICE) < hidden.rindex(SAME_MISTAKE)


def test_feedback_html_names_a_likely_mistake_once_a_part():
    page = results_page(_result())
    assert page.count(BIAS) == 1 and page.count(TWICE) == 1
    assert page.count(SAME_MISTAKE) == 2


def test_a_part_of_its_own_names_its_mistake_again():
    """The record is per part: the same sentence in two parts is written in each."""
    one = _result().parts[0]
    two = PartResult("rnn_forward", "rnn_forward", FAILED, 0.0, 2.5, (_case(1, PUBLIC, BIAS),))
    text = feedback_markdown(SubmissionResult("s1", "s1.ipynb", "graded", 2.5, 15.0, (one, two)))
    assert text.count(BIAS) == 2 and text.count(SAME_MISTAKE) == 2


NOT_RUN = "Not run: an earlier case of this function ran out of time."


def _timed_out() -> SubmissionResult:
    from grader.models import SKIPPED, TIMEOUT
    first = CaseResult("rnn_forward/public-1", "assignment example", PUBLIC, TIMEOUT, 0.0, 3.0,
                       message="`rnn_forward` did not return within 0.5 s.")
    skipped = tuple(CaseResult(f"rnn_forward/hidden-{k}", f"hidden {k}", HIDDEN, SKIPPED, 0.0, 4.0,
                               message=NOT_RUN) for k in (1, 2, 3))
    part = PartResult("rnn_forward", "rnn_forward", TIMEOUT, 0.0, 15.0, (first, *skipped))
    return SubmissionResult("s1", "s1.ipynb", "graded", 0.0, 15.0, (part,))


def test_hidden_cases_not_run_say_why_once():
    """A bare "not run" under a timed-out function's hidden cases said nothing of why; the
    reason is the grader's own sentence, which tells nothing of the case, written once."""
    text = feedback_markdown(_timed_out())
    assert text.count(NOT_RUN) == 1
    assert text.index("hidden case 1: not run") < text.index(NOT_RUN) < text.index("hidden case 2: not run")
    assert results_page(_timed_out()).count(NOT_RUN) == 1


def test_gradescope_hidden_cases_not_run_each_say_why():
    """Gradescope shows each case as a test of its own: each says why it was not run."""
    from grader.report import gradescope_results
    tests = gradescope_results(_timed_out())["tests"]
    hidden = [t for t in tests if "hidden case" in t.get("output", "")]
    assert len(hidden) == 3 and all(NOT_RUN in t["output"] for t in hidden)


@pytest.mark.parametrize("wrong, named", [("np.dot(Wf, xt)", "Wf"), ("np.dot(Wo, a_prev)", "Wo"),
                                          ('np.dot(parameters["Wf"], xt)', 'parameters["Wf"]')])
def test_a_gate_weight_times_xt_alone_is_told_the_stacked_input(tmp_path, context, sandbox, wrong, named):
    """Told "check the order of `Wf` and `xt` and whether one needs its transpose", a student who
    multiplied an LSTM gate's weights by `xt` alone was sent away from the fix, the stacked input."""
    right = "np.dot(Wf, concat)" if "Wf" in wrong else "np.dot(Wo, concat)"
    cells = nbs.mutate("lstm_cell_forward", right, wrong)
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(cells))
    case = grade_submission(path, context=context, sandbox=sandbox).part("lstm_cell_forward").cases[0]
    assert case.status == "error" and "not aligned" in case.message, case.message
    assert f"`{named}` has a column for each row of `a_prev` stacked over `xt`" in case.message, case.message
    assert "np.concatenate((a_prev, xt), axis=0)" in case.message and "transpose" not in case.message


def test_other_products_keep_the_order_and_transpose_hint(tmp_path, context, sandbox):
    """A weight of the plain RNN times the wrong array is not an LSTM gate: the general rule (since the
    thirty-seventh session, with the weight whose columns fit that array, `hints._weight_for_input_hint`)."""
    cells = nbs.mutate("rnn_cell_forward", "np.dot(Wax, xt)", "np.dot(Wax, a_prev)")
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(cells))
    case = grade_submission(path, context=context, sandbox=sandbox).part("rnn_cell_forward").cases[0]
    assert case.status == "error" and "columns of the first" in case.message, case.message
    assert "`np.dot(Waa, a_prev)`" in case.message and "stacked" not in case.message, case.message


def _unrun(status: str, *, message: str = "") -> PartResult:
    cases = (CaseResult("lstm_forward/public-1", "assignment example", PUBLIC, status, 0.0, 3.0, message=message),
             *(CaseResult(f"lstm_forward/hidden-{k}", f"hidden {k}", HIDDEN, status, 0.0, 4.0, message=message)
               for k in (1, 2, 3)))
    return PartResult("lstm_forward", "lstm_forward", status, 0.0, 15.0, cases)


def test_cases_none_of_which_ran_are_one_line():
    """Four lines each saying "not implemented" (or "missing") said nothing the first did not."""
    from grader.models import MISSING, NOT_IMPLEMENTED
    text = feedback_markdown(SubmissionResult("s1", "s1.ipynb", "graded", 0.0, 15.0, (_unrun(NOT_IMPLEMENTED),)))
    assert "- ❌ all 4 cases (assignment example and 3 hidden): not implemented (0 / 15)\n" in text
    assert "hidden case" not in text
    missing = "No function named `lstm_forward` was found."
    text = feedback_markdown(SubmissionResult("s1", "s1.ipynb", "graded", 0.0, 15.0,
                                              (_unrun(MISSING, message=missing),)))
    assert text.count("all 4 cases") == 1 and text.count(missing) == 1, text


def test_cases_that_ran_keep_a_line_each():
    """A part whose cases differ, or ran, is listed case by case as before."""
    from grader.models import NOT_IMPLEMENTED
    part = _unrun(NOT_IMPLEMENTED)
    mixed = PartResult(part.name, part.function, FAILED, 0.0, 15.0,
                       (part.cases[0], *(_case(k, HIDDEN, None) for k in (1, 2, 3))))
    text = feedback_markdown(SubmissionResult("s1", "s1.ipynb", "graded", 0.0, 15.0, (mixed,)))
    assert "all 4 cases" not in text and text.count("hidden case") == 3


def test_feedback_html_shows_code_spans_as_code_and_a_students_text_inert():
    """The page showed the backticks of "No function named `lstm_forward`"; what a span holds is
    escaped like the rest of the sentence."""
    from grader.feedback_html import prose
    assert prose("No function named `lstm_forward` was found.") == \
        "No function named <code>lstm_forward</code> was found."
    assert prose("uses `<script>alert(1)</script>`") == "uses <code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"
    assert prose("``## `rnn` x``, then `a`") == "<code>## `rnn` x</code>, then <code>a</code>"
    assert prose("a lone ` stays") == "a lone ` stays"


def test_cases_none_of_which_ran_keep_their_message_in_the_page_too():
    """The page's one line kept the cases' message only when a note said it: a message no note
    holds was dropped from feedback.html while feedback.md wrote it under the line."""
    from grader.models import MISSING
    missing = "No function named `lstm_forward` was found."
    result = SubmissionResult("s1", "s1.ipynb", "graded", 0.0, 15.0, (_unrun(MISSING, message=missing),))
    page = results_page(result)
    assert "all 4 cases (assignment example and 3 hidden): missing (0 / 15)" in page
    assert page.count("No function named <code>lstm_forward</code> was found.") == 1
