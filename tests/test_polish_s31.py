"""The thirty-first session's polish: feedback.html and feedback.md name a part's verdict alike.

feedback.html called a function the notebook does not define "not found" (its table, its block,
a heading "Not found"), where feedback.md, the self-check and the class report say "missing".
"""
from __future__ import annotations

import html
import re

from grader.feedback_html import part_block, summary_html
from grader.models import (
    CRASHED, ERROR, FAILED, MISSING, NOT_IMPLEMENTED, PASSED, TIMEOUT, Location, PartResult,
    SubmissionResult,
)
from grader.report import feedback_markdown
from tests.test_feedback_html import case


def _part(name: str, status: str, *, location: Location | None = None) -> PartResult:
    points = 5.0 if status == PASSED else 0.0
    return PartResult(name, name, status, points, 5.0, (case(f"{name}/public-1", status, points, 5.0),),
                      location=location)


def _result(*, status: str = "graded") -> SubmissionResult:
    """One part of each verdict; two missing: one not defined, one defined (cell 2) but not run."""
    parts = (_part("p_passed", PASSED), _part("p_failed", FAILED), _part("p_error", ERROR),
             _part("p_timeout", TIMEOUT), _part("p_crashed", CRASHED),
             _part("p_unwritten", NOT_IMPLEMENTED), _part("p_absent", MISSING),
             _part("p_unrun", MISSING, location=Location(2, 1, "p_unrun")))
    return SubmissionResult(submission_id="ada", path="ada.ipynb", status=status, points=5.0,
                            max_points=40.0, parts=parts)


def _markdown_verdicts(text: str) -> dict[str, str]:
    return dict(re.findall(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \|$", text, flags=re.M))


def _html_verdicts(text: str) -> dict[str, str]:
    rows = re.findall(r'<tr><td><code>(\w+)</code></td><td class="num">[^<]*</td><td>([^<]*)</td>', text)
    return {name: html.unescape(verdict) for name, verdict in rows}


def test_the_page_and_feedback_md_give_each_part_the_same_verdict():
    result = _result()
    in_markdown = _markdown_verdicts(feedback_markdown(result))
    in_page = _html_verdicts(summary_html(result, placed={"p_unrun"}))
    assert len(in_markdown) == len(result.parts) == len(in_page)
    assert in_page == in_markdown
    assert in_page["p_absent"] == in_page["p_unrun"] == "missing"  # before: "not found" for p_absent


def test_a_function_not_defined_is_missing_in_its_block_and_heading_too():
    result = _result()
    page = summary_html(result, placed={"p_unrun"})
    assert "not found" not in page.lower()
    assert "<h2>Missing</h2>" in page
    assert "p_absent</code>: 0 / 5, missing</h3>" in part_block(result.part("p_absent"), ())


def test_an_unreadable_notebook_s_parts_are_not_graded_on_both():
    result = _result(status="unreadable")
    in_page = _html_verdicts(summary_html(result, placed=set()))
    assert in_page == _markdown_verdicts(feedback_markdown(result))
    assert set(in_page.values()) == {"not graded"}
