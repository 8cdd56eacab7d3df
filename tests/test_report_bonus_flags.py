"""The bonus's flags are names for the class report: the student's feedback (feedback.md,
results.json, feedback.html) says each in a sentence and leaves the bare flag out. Before, the
bonus's feedback ended with "- validates on the test set" or "- no outputs", said a second time
with no sentence of its own."""
from __future__ import annotations

import pytest

from grader.classreport import write_class_report
from grader.feedback_html import results_page
from grader.models import BONUS_FLAGS, FAILED, PASSED, PUBLIC, CaseResult, PartResult, SubmissionResult
from grader.report import feedback_markdown, gradescope_results
from tests.test_classreport import RUBRIC

SENTENCE = ("Validation uses the test set (LSTM in cell 5 (validation_data=(x_test, y_test))). Step 3 asks for a "
            "share of the training data as validation.")


def _result(flag: str) -> SubmissionResult:
    item = CaseResult("imdb_report/2", "validation", PUBLIC, FAILED, 0.0, 2.0,
                      message="validation on the test set: LSTM in cell 5")
    first = CaseResult("imdb_report/1", "alternatives", PUBLIC, PASSED, 3.0, 3.0, message="3 alternatives")
    part = PartResult("imdb_report", "imdb_report", FAILED, 3.0, 10.0, (first, item), notes=(SENTENCE, flag))
    return SubmissionResult("s1", "s1.ipynb", "graded", 3.0, 10.0, (part,))


@pytest.mark.parametrize("flag", BONUS_FLAGS)
def test_the_student_reads_the_sentence_not_the_flag(flag):
    result = _result(flag)
    text = feedback_markdown(result)
    assert SENTENCE in text and f"- {flag}\n" not in text, text
    output = " ".join(t.get("output", "") for t in gradescope_results(result)["tests"])
    assert SENTENCE in output and f"- {flag}" not in output, output
    page = results_page(result)
    assert f"<li>{flag}</li>" not in page


def test_the_class_report_still_lists_the_flag(tmp_path):
    page = write_class_report([_result("validates on the test set")], rubric=RUBRIC, out_dir=tmp_path).read_text()
    section = page[page.index('id="imdb"'):]
    assert "validates on the test set" in section[:section.index("</section>")]
