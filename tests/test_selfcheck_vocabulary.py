"""The self-check says each verdict in the words of the batch's feedback (grader/selfcheck.py,
grader/report.py, one table: grader.models.STATUS_WORDS).

Until the thirty-fourth session a student read "error (time limit)" in ``--check`` and "timed
out" in the feedback of the same notebook ("error" / "raised an error", "error (crashed)" /
"crashed", "error (not run)" / "not run", "grader problem" / "grader error"): two names for one
verdict, in the two reports a student compares. Left by the thirty-third session's student helper.
"""

from __future__ import annotations

import io
import re

import pytest

from grader.classfiles import DEFAULT_RUBRIC
from grader.models import (
    CRASHED, ERROR, FAILED, GRADED, HARNESS, MISSING, NOT_ATTEMPTED, NOT_IMPLEMENTED, PASSED, SKIPPED, STATUS_WORDS,
    TIMEOUT, CaseResult, PartResult, SubmissionResult,
)
from grader.report import feedback_markdown
from grader.selfcheck import render, run_check
from tests import notebooks as nbs

#: Every status a part can have (``PartResult.status``).
PART_STATUSES = (PASSED, FAILED, ERROR, TIMEOUT, CRASHED, NOT_IMPLEMENTED, MISSING, NOT_ATTEMPTED, SKIPPED, HARNESS)
#: The statuses of a case that did not pass, which both reports name case by case.
CASE_STATUSES = (FAILED, ERROR, TIMEOUT, CRASHED, SKIPPED, HARNESS)


def _result(status: str) -> SubmissionResult:
    """One function ``f`` of ``status``, its first case of ``status`` (or passed), its second passed."""
    first = CaseResult(case_id="f/public-1", name="example", visibility="public",
                       status=status if status in CASE_STATUSES else PASSED, points=0.0, max_points=1.0,
                       message="Something.")
    second = CaseResult(case_id="f/public-2", name="second", visibility="public", status=PASSED, points=1.0,
                        max_points=1.0)
    part = PartResult(name="f", function="f", status=status, points=1.0, max_points=2.0, cases=(first, second))
    return SubmissionResult(submission_id="s", path="s.ipynb", status=GRADED, points=1.0, max_points=2.0,
                            parts=(part,))


def _self_check_words(text: str, function: str) -> tuple[str, list[str]]:
    """The verdict ``--check`` prints for ``function``, and its cases' verdicts, from its report."""
    lines = text.splitlines()
    head = next(k for k, line in enumerate(lines) if line.split(" ", 1)[0] == function)
    word = lines[head][len(function):].strip().split("  (")[0]
    cases = []
    for line in lines[head + 1:]:
        if line and not line.startswith(" "):
            break
        found = re.match(r'  - case "[^"]*": (.*)$', line)
        if found:
            cases.append(found.group(1))
    return word, cases


def _feedback_words(text: str, function: str) -> tuple[str, list[str]]:
    """The verdict ``feedback.md`` gives ``function`` in its table, and its failed cases' verdicts."""
    word = re.search(rf"^\| `{function}` \| [^|]* \| ([^|]*) \|$", text, re.MULTILINE).group(1)
    section = text[text.index(f"## `{function}`"):]
    section = section[: section.find("\n## ", 1)] if "\n## " in section[1:] else section
    cases = re.findall(r"^- ❌ [^:]*: (.*?)(?: \([\d.]+ / [\d.]+\))?$", section, re.MULTILINE)
    return word, cases


@pytest.mark.parametrize("status", PART_STATUSES)
def test_the_self_check_and_the_feedback_say_a_verdict_in_the_same_words(status: str) -> None:
    result = _result(status)
    out = io.StringIO()
    render(result, stream=out)
    said, said_of_cases = _self_check_words(out.getvalue(), "f")
    written, written_of_cases = _feedback_words(feedback_markdown(result), "f")
    assert said == written == STATUS_WORDS[status], (said, written)
    if status in CASE_STATUSES:
        assert said_of_cases == written_of_cases == [STATUS_WORDS[status]], (said_of_cases, written_of_cases)


def test_every_status_has_its_own_word() -> None:
    words = [STATUS_WORDS[status] for status in PART_STATUSES]
    assert len(set(words)) == len(words) and all(words), words


#: A notebook of the course with one function per verdict a student can meet in ``--check``.
VERDICTS = {
    **nbs.mutate("rnn_cell_forward", "+ ba)", ")"),                                     # failed
    **nbs.mutate("rnn_cell_backward", "dxt = np.dot(Wax.T, dtanh)", "dxt = np.dot(Wax, dtanh)"),  # raised
    **nbs.mutate("lstm_cell_forward", "cct = np.tanh(np.dot(Wc, concat) + bc)", "cct = None"),     # not implemented
    **nbs.mutate("rnn_forward", "    caches = []\n", "    caches = []\n    while True:\n        pass\n"),  # timed out
    **nbs.mutate("lstm_forward", "    caches = []\n", "    caches = []\n    import os\n    os._exit(3)\n"),  # crashed
    **nbs.mutate("rnn_backward", "def rnn_backward(", "def rnn_backwards("),             # missing
}


@pytest.mark.slow
def test_a_notebook_checked_and_graded_reads_the_same_verdicts(tmp_path, context, sandbox) -> None:
    """End to end: ``run_check`` (the public cases) against the batch's ``feedback.md`` of the same
    notebook graded with the whole rubric, function by function."""
    from grader.runner import grade_submission

    path = nbs.write(tmp_path / "verdicts.ipynb", nbs.course_notebook(VERDICTS))
    out = io.StringIO()
    run_check(path, rubric=DEFAULT_RUBRIC, stream=out)
    feedback = feedback_markdown(grade_submission(path, context=context, sandbox=sandbox))
    checked = {f: _self_check_words(out.getvalue(), f)[0] for f in nbs.COURSE_CELLS}
    graded = {f: _feedback_words(feedback, f)[0] for f in checked}
    assert checked == graded, (checked, graded)
    assert set(checked.values()) >= {"failed", "raised an error", "not implemented", "timed out",
                                     "crashed", "missing"}, checked
