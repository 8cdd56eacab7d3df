"""report.page_record: what a worker sends the grading process of each result; every report the
grading process writes from it (feedback.html, the gradebook, the class report) is what the whole
record gives."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle

from grader import feedback_html, report
from grader.classreport import class_stats
from grader.models import PASSED, CheckResult, Location, PartResult, SubmissionResult
from grader.report import Gradebook, page_record, result_from_dict, result_to_dict
from tests import notebooks as nbs
from tests.test_feedback_html import (
    case, course_cells, graded_result, hostile_notebook, hostile_result, student_notebook, student_result,
)
from tests.test_report import sample_result


def _with_busy_passed_cases(result: SubmissionResult) -> SubmissionResult:
    """``result`` whose passed cases carry checks, a message, a location, printed output and a
    time, as the runner's do (none of which a page shows for a passed case)."""
    def busy(c):
        if c.status != PASSED:
            return c
        return dataclasses.replace(
            c, checks=(CheckResult("a", True, 1.0, 1.0, "PASSED-CHECK-TEXT"),
                       CheckResult("y", True, 0.5, 0.5, "")),
            message="PASSED-CASE-MESSAGE", location=Location(1, 2, "f"), output="PASSED-CASE-PRINT",
            seconds=0.25)
    parts = tuple(dataclasses.replace(p, cases=tuple(busy(c) for c in p.cases)) for p in result.parts)
    return dataclasses.replace(result, parts=parts, timings={"total": 1.5},
                               extra={"sources": {"rnn_forward": "def rnn_forward(): pass\n"}})


def _results(tmp_path):
    """(result, notebook path) pairs: the course notebook's result, hostile ones, students' own
    notebooks, a .py file and a notebook that is not there (the two fallback pages)."""
    out = []
    path = nbs.write(tmp_path / "ada.ipynb", nbs.notebook(course_cells()))
    out.append((_with_busy_passed_cases(graded_result(path)), path))
    evil = nbs.write(tmp_path / "evil.ipynb", hostile_notebook())
    out.append((_with_busy_passed_cases(hostile_result(evil)), evil))
    for k in range(3):
        nb = student_notebook(k)
        spath = nbs.write(tmp_path / f"s{k}.ipynb", nb)
        out.append((_with_busy_passed_cases(student_result(spath, nb)), spath))
    source = tmp_path / "ada.py"
    source.write_text(nbs.COURSE_CELLS["rnn_cell_forward"] + "\n" + nbs.COURSE_CELLS["rnn_forward"])
    out.append((dataclasses.replace(_with_busy_passed_cases(graded_result(source)), path=str(source)),
                source))
    out.append((_with_busy_passed_cases(graded_result(tmp_path / "ghost.ipynb")), tmp_path / "ghost.ipynb"))
    return out


def _sent(result: SubmissionResult) -> SubmissionResult:
    """What the grading process holds of ``result`` after a worker sent its page record."""
    return result_from_dict(pickle.loads(pickle.dumps(page_record(result_to_dict(result)))), trusted=True)


def test_a_page_from_the_page_record_is_the_page_from_the_whole_record(tmp_path):
    renderer = feedback_html.default_renderer()
    pairs = _results(tmp_path)
    for result, path in pairs:
        whole = feedback_html.feedback_page(result, notebook_path=path, renderer=renderer)
        sent = feedback_html.feedback_page(_sent(result), notebook_path=path, renderer=renderer)
        assert sent == whole, path.name
    # The pages above did show failed cases' details (the record keeps them).
    page = feedback_html.feedback_page(_sent(pairs[0][0]), notebook_path=pairs[0][1], renderer=renderer)
    assert "debug print from the student" in page and "index 5 is out of bounds" in page
    assert "PASSED-CASE" not in page and "PASSED-CHECK-TEXT" not in page


def test_the_gradebook_and_the_class_report_read_the_same_from_it(tmp_path):
    results = [result for result, _ in _results(tmp_path)] + [sample_result()]
    sent = [_sent(r) for r in results]
    rubric = nbs_rubric()
    assert report.gradebook_csv(rubric, sent) == report.gradebook_csv(rubric, results)
    assert class_stats(sent, rubric=rubric) == class_stats(results, rubric=rubric)
    book = Gradebook(rubric)
    for r in sent:
        book.add(r)
    assert book.csv() == report.gradebook_csv(rubric, results)


def nbs_rubric():
    """The shipped rubric (its parts name the gradebook's columns)."""
    from grader.classfiles import DEFAULT_RUBRIC
    from grader.rubric import load_rubric

    return load_rubric(DEFAULT_RUBRIC)


def test_it_keeps_every_case_and_drops_only_what_passed_cases_and_the_result_carry_unread(tmp_path):
    result = _with_busy_passed_cases(graded_result(tmp_path / "ada.ipynb"))
    whole = result_to_dict(result)
    sent = page_record(whole)
    assert sent["timings"] == {} and sent["extra"] == {}
    for part_whole, part_sent in zip(whole["parts"], sent["parts"], strict=True):
        assert {k: v for k, v in part_sent.items() if k != "cases"} == \
            {k: v for k, v in part_whole.items() if k != "cases"}
        for c_whole, c_sent in zip(part_whole["cases"], part_sent["cases"], strict=True):
            if c_whole["status"] == PASSED:
                assert c_sent == {**c_whole, "checks": [], "message": "", "location": None,
                                  "output": "", "seconds": 0.0}
            else:
                assert c_sent == c_whole  # a failed case whole: its page shows its details
    assert whole["timings"] and whole["extra"]  # the record itself is not changed
    assert any(c["checks"] for p in whole["parts"] for c in p["cases"] if c["status"] == PASSED)
    # A result of the runner's shape: smaller by more than half.
    big = _with_busy_passed_cases(sample_result())
    assert len(pickle.dumps(page_record(result_to_dict(big)))) < len(pickle.dumps(result_to_dict(big)))


def test_write_submission_record_gives_the_digests_of_the_bytes_it_wrote(tmp_path):
    odd = dataclasses.replace(sample_result(), submission_id="zoë",
                              messages=("naïve \ud800 lone surrogate",))
    for result in (sample_result(), odd):
        folder = tmp_path / result.submission_id
        digests: dict = {}
        report.write_submission_record(result, folder, digests=digests)
        record = result_to_dict(result)
        assert set(digests) == {"feedback.md", "results.json", report.RESULT_RECORD}
        for name, (size, digest) in digests.items():
            data = (folder / name).read_bytes()
            assert [size, digest] == [len(data), hashlib.sha256(data).hexdigest()], name
        assert json.loads((folder / report.RESULT_RECORD).read_text("utf-8")) == json.loads(json.dumps(record))


def test_what_a_page_record_leaves_out_was_empty_is_the_result_itself():
    """A result without parts, a part without cases, a passed case without details: nothing to
    leave out, the same result arrives."""
    empty = SubmissionResult(submission_id="x", path="x.ipynb", status="unreadable", points=0.0,
                             max_points=100.0, messages=("x.ipynb: not JSON",))
    assert _sent(empty) == empty
    bonus = PartResult("imdb_report", "imdb_report", PASSED, 10.0, 10.0, (), notes=("3 alternatives",))
    plain = PartResult("rnn_cell_forward", "rnn_cell_forward", PASSED, 1.0, 1.0,
                       (case("rnn_cell_forward/public-1", PASSED, 1.0, 1.0),))
    graded = dataclasses.replace(empty, status="graded", parts=(plain, bonus), messages=())
    assert _sent(graded) == graded
