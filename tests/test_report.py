"""Writers: Gradescope results, feedback, gradebook; the full record reads back unchanged."""
import csv
import io
import json

from grader import report
from grader.models import (
    FAILED, HIDDEN, PASSED, CaseResult, CheckResult, Diagnosis, Location, PartResult,
    SubmissionResult,
)


def sample_result():
    public = CaseResult("rnn_forward/public-1", "assignment example", "public", FAILED, 1.0, 2.0,
                        checks=(CheckResult("a", True, 1.0, 1.0),
                                CheckResult("y", False, 0.0, 1.0, "`y` differs: expected 0.12345678")),
                        message="`y` differs: expected 0.12345678",
                        diagnosis=Diagnosis("rnn_forward/y_not_stored", "You never store y."),
                        location=Location(3, 7, "rnn_forward"))
    hidden = CaseResult("rnn_forward/hidden-1", "m = 1", HIDDEN, FAILED, 0.0, 2.0,
                        checks=(CheckResult("a", False, 0.0, 2.0, "`a`: wrong values"),),
                        message="`a`: wrong values")
    ok = CaseResult("rnn_cell_forward/public-1", "assignment example", "public", PASSED, 3.0, 3.0)
    return SubmissionResult(
        submission_id="ada", path="/x/ada.ipynb", status="graded", points=4.0, max_points=7.0,
        parts=(PartResult("rnn_cell_forward", "rnn_cell_forward", PASSED, 3.0, 3.0, (ok,)),
               PartResult("rnn_forward", "rnn_forward", FAILED, 1.0, 4.0, (public, hidden),
                          notes=("`rnn_forward` uses `Wy` from outside the function",),
                          location=Location(3, 1, "rnn_forward"))),
        messages=("Function defined twice",), timings={"total": 0.1})


def test_record_round_trip(tmp_path):
    result = sample_result()
    folder = report.write_submission(result, tmp_path)
    assert report.read_submission(folder) == result
    assert report.read_submission(tmp_path / "nobody") is None


def test_gradescope_format_and_hidden_cases_reveal_nothing(tmp_path):
    data = report.gradescope_results(sample_result())
    assert data["score"] == 4.0
    assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(data["tests"][0])
    assert sum(t["max_score"] for t in data["tests"]) == 7.0
    hidden = [t for t in data["tests"] if "hidden case 1" in t["name"]]
    assert hidden and "m = 1" not in hidden[0]["name"]
    assert hidden[0]["output"].startswith("hidden case 1: failed")
    public = [t for t in data["tests"] if "assignment example" in t["name"] and t["status"] == "failed"]
    assert "You never store y." in public[0]["output"]


def test_feedback_lists_parts_notes_and_diagnoses():
    text = report.feedback_markdown(sample_result())
    assert "4 / 7" in text
    assert "uses `Wy` from outside" in text
    assert "Likely mistake: You never store y." in text
    assert "hidden case 1: failed" in text and "m = 1" not in text


def test_gradebook_columns(tmp_path):
    path = report.write_gradebook(type("R", (), {"parts": (type("P", (), {"name": "rnn_cell_forward"}),
                                                          type("P", (), {"name": "rnn_forward"}))})(),
                                  [sample_result()], tmp_path)
    rows = list(csv.reader(io.StringIO(path.read_text())))
    assert rows[0] == ["submission", "score", "max_score", "rnn_cell_forward", "rnn_forward"]
    assert rows[1] == ["ada", "4", "7", "3", "1"]


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    report.write_atomic(tmp_path / "f.json", json.dumps({"a": 1}))
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_trusted_records_build_the_same_result():
    """A record this code made is read back without the constructors: an equal result, its
    fields in the same order (so that it writes the same JSON again); the careful reader still
    refuses a record with a field missing."""
    import pytest

    for result in (sample_result(), report.summary_of(sample_result())):
        record = report.result_to_dict(result)
        quick = report.result_from_dict(json.loads(json.dumps(record)), trusted=True)
        assert quick == result == report.result_from_dict(record)
        assert json.dumps(report.result_to_dict(quick)) == json.dumps(record)
        assert list(vars(quick.parts[1].cases[0])) == list(vars(result.parts[1].cases[0]))
    broken = report.result_to_dict(sample_result())
    del broken["parts"][0]["cases"][0]["points"]
    with pytest.raises(TypeError):
        report.result_from_dict(broken)


def test_the_files_hold_what_json_dumps_writes(tmp_path):
    import dataclasses
    import math

    result = sample_result()
    odd = dataclasses.replace(
        result, submission_id="zoë", messages=("naïve “quotes” \u2028 \x00 tab\t", "日本語"),
        points=float("nan"), max_points=math.inf, timings={"total": -math.inf, "read": 1e-300},
        extra={"sources": {"f": "def f():\n    return '\\u00e9'\n"}, "n": [1, 2.5, None, True]})
    for case in (result, odd):
        folder = tmp_path / case.submission_id
        report.write_submission_record(case, folder)
        record = report.result_to_dict(case)
        assert (folder / report.RESULT_RECORD).read_text("utf-8") == json.dumps(record)
        assert (folder / "results.json").read_text("utf-8") == json.dumps(report.gradescope_results(case))
    shared = [1.5, "x"]  # the same list twice is no cycle: written twice, as json.dumps does
    assert report._json_text({"a": shared, "b": [shared, {"c": shared}]}) == \
        json.dumps({"a": shared, "b": [shared, {"c": shared}]})
