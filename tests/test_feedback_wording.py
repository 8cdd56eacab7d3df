"""What students read when something is not their mistake, or when the grader guesses: a grader
failure, a known mistake that explains only the wrong outputs, NumPy's removed aliases, the
statement's names of the LSTM's update gate. Every notebook and result here is made by the test."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader import batch
from grader.batch import GRADER_FAILED, grade_one
from grader.classreport import ClassTally, class_report_html
from grader.discover import find_submissions
from grader.feedback_html import write_feedback_html
from grader.models import (
    CRASHED, ERROR, HARNESS, HIDDEN, NOT_IMPLEMENTED, PASSED, CaseResult, Location, PartResult,
    SubmissionResult,
)
from grader.report import (
    GRADER_ERROR, RESULT_RECORD, feedback_markdown, gradescope_results, page_record, read_submission,
    result_from_dict,
    page_record_of, result_to_dict, summary_of,
)
from grader.runner import PARTIAL_MATCH, grade_submission
from grader.failtexts import legacy_aliases_replaced
from grader.outputnotes import missing_key_hint
from tests import notebooks as nbs

STUDENT_FILES = ("feedback.md", "results.json", "feedback.html")


def _grade(tmp_path: Path, nb: dict, context, sandbox):
    """``nb`` graded as ``student.ipynb`` under ``tmp_path``."""
    return grade_submission(nbs.write(tmp_path / "student.ipynb", nb), context=context, sandbox=sandbox)


def _course_source() -> str:
    """The course solution as a ``.py`` submission (its page needs no notebook renderer)."""
    return "import numpy as np\n\n" + "\n\n".join(nbs.COURSE_CELLS.values())


# --------------------------------------------------------------------------- 1. grader failures


@pytest.fixture
def failed_grading(tmp_path, context, monkeypatch):
    """A submission on which the grader itself raises (its message naming an instructor's path):
    ``(result, folder, secret)`` after ``grade_one`` wrote the files and the page is written."""
    secret = "/srv/instructor-only/fixtures/secret-case.json"

    def broken(*args, **kwargs):
        raise RuntimeError(f"grader bug while reading {secret}")

    monkeypatch.setattr(batch, "grade_submission", broken)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ada.py").write_text(_course_source(), encoding="utf-8")
    [submission] = find_submissions(subs)
    out = tmp_path / "out"
    result = grade_one(submission, context=context, sandbox=None, out_dir=out)
    folder = out / "ada"
    write_feedback_html(result, notebook_path=Path(submission.path), out_path=folder / "feedback.html")
    return result, folder, secret


def test_a_grader_failure_tells_the_student_a_kind_sentence_and_no_traceback(failed_grading, tmp_path):
    result, folder, secret = failed_grading
    assert result.status == HARNESS and result.points == 0
    assert result.messages == (GRADER_FAILED,)
    for name in STUDENT_FILES:
        text = (folder / name).read_text(encoding="utf-8")
        for internal in ("Traceback", "RuntimeError", secret, "grader/", str(tmp_path), "not the student"):
            assert internal not in text, (name, internal)
    markdown = (folder / "feedback.md").read_text(encoding="utf-8")
    assert f"> {GRADER_FAILED}\n" in markdown  # a plain sentence, not a code span
    assert "nothing for you to fix" in markdown and "grade it again" in markdown
    assert markdown.count("nothing for you to fix") == 1  # at the top, not again in every part
    gradescope = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert gradescope["output"] == GRADER_FAILED
    assert (folder / "feedback.html").read_text(encoding="utf-8").count("nothing for you to fix") == 1


def test_a_grader_failure_keeps_the_whole_traceback_for_the_instructor(failed_grading, context):
    result, folder, secret = failed_grading
    record = json.loads((folder / RESULT_RECORD).read_text(encoding="utf-8"))
    detail = record["extra"][GRADER_ERROR]
    assert detail.startswith("Traceback") and f"RuntimeError: grader bug while reading {secret}" in detail
    assert "in broken" in detail  # the innermost frame, where it failed, is kept
    assert read_submission(folder).extra[GRADER_ERROR] == detail
    # What a worker sends the grading process keeps it for the class report, in every form.
    sent = [summary_of(result), result_from_dict(page_record_of(result), trusted=True),
            result_from_dict(result_to_dict(summary_of(result)), trusted=True)]
    for summary in sent:
        tally = ClassTally(rubric=context.rubric)
        tally.add(summary)
        page = class_report_html((), rubric=context.rubric, stats=tally.stats())
        harness = page[page.index('<section id="harness">'):]
        harness = harness[:harness.index("</section>")]
        assert "Traceback" in harness and f"grader bug while reading {secret}" in harness
        assert "ada" in harness and "<pre>" in harness


def test_summaries_of_a_graded_result_still_drop_its_extra():
    """Only a harness failure's traceback rides along; a graded result's sources do not."""
    from types import MappingProxyType

    graded = SubmissionResult("ada", "/c/ada.ipynb", "graded", 1.0, 1.0,
                              extra=MappingProxyType({"sources": {"f": "def f(): pass\n"}}))
    assert dict(summary_of(graded).extra) == {}
    assert page_record(result_to_dict(graded))["extra"] == {}
    assert result_to_dict(summary_of(graded))["extra"] == {}


# --------------------------------------------------------------------------- 2. likely mistakes

# rnn_cell_forward with the bias left out of a_next (and so of the cache), but its prediction
# computed with the bias: the known mistake explains the two wrong outputs, not the right one.
NO_BA_IN_A_NEXT_ONLY = nbs.mutate(
    "rnn_cell_forward",
    "    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)\n"
    "    # compute output of the current cell using the formula given above\n"
    "    yt_pred = softmax(np.dot(Wya, a_next) + by)\n",
    "    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt))\n"
    "    yt_pred = softmax(np.dot(Wya, np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)) + by)\n")
NO_BA = nbs.mutate("rnn_cell_forward", "np.dot(Wax, xt) + ba)", "np.dot(Wax, xt))")


def test_a_mistake_that_explains_only_the_wrong_outputs_says_so_without_a_second_hedge(
        tmp_path, context, sandbox):
    result = _grade(tmp_path, nbs.course_notebook(NO_BA_IN_A_NEXT_ONLY), context, sandbox)
    part = result.part("rnn_cell_forward")
    mistake = context.mutant_messages["rnn_cell_forward/no_ba"]
    public = next(c for c in part.cases if c.visibility != HIDDEN)
    assert public.diagnosis.id == "rnn_cell_forward/no_ba"
    assert public.diagnosis.message == mistake + PARTIAL_MATCH
    markdown = feedback_markdown(result)
    assert (f"Likely mistake: {mistake} This mistake explains the outputs that are wrong; "
            f"the others are right.") in markdown
    assert "Probably" not in markdown and "Probably" not in json.dumps(result_to_dict(result))


def test_a_mistake_that_every_output_shows_is_told_as_it_is(tmp_path, context, sandbox):
    result = _grade(tmp_path, nbs.course_notebook(NO_BA), context, sandbox)
    mistake = context.mutant_messages["rnn_cell_forward/no_ba"]
    diagnoses = {c.diagnosis.message for c in result.part("rnn_cell_forward").cases}
    assert diagnoses == {mistake}
    assert f"  Likely mistake: {mistake}\n" in feedback_markdown(result)


# --------------------------------------------------------------------------- 3. NumPy's aliases


def test_the_alias_note_names_numpy_as_the_student_spelt_it(tmp_path, context, sandbox):
    nb = nbs.course_notebook(nbs.mutate(
        "rnn_backward", "dx = np.zeros((n_x, m, T_x))",
        "import numpy\n    dx = np.zeros((n_x, m, T_x), dtype=numpy.float)"))
    result = _grade(tmp_path, nb, context, sandbox)
    assert result.part("rnn_backward").status == PASSED
    [note] = [m for m in result.messages if "gone from NumPy" in m]
    assert note.startswith("`numpy.float` is gone from NumPy 1.24 and later") and "`np.float`" not in note
    assert "Python's own `float`" in note


def test_both_spellings_are_named_and_each_builtin_once():
    source = "a = np.float(1)\nb = numpy.float(2)\nc = numpy.int(3)\n"
    replaced, names = legacy_aliases_replaced(source)
    assert names == ("np.float", "numpy.float", "numpy.int")
    assert replaced == "a = float(1)\nb = float(2)\nc = int(3)\n"


# --------------------------------------------------------------------------- 4. W_u, b_u


class _KeyErrorOutcome:
    """What ``missing_key_hint`` reads of a call that raised ``KeyError: 'key'``."""

    error_type = "KeyError"

    def __init__(self, key: str) -> None:
        self.message = f"KeyError: {key!r}"


LSTM_PARAMETERS = {name: 0 for name in ("Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo", "Wy", "by")}
READS_W_U = nbs.mutate("lstm_cell_forward", 'Wi = parameters["Wi"]', 'Wi = parameters["W_u"]')
RENAMED = 'The statement\'s W_u and b_u (the update gate) are stored in `parameters` as "Wi" and "bi".'


@pytest.mark.parametrize("key", ["Wu", "W_u", "bu", "b_u"])
def test_the_statements_update_gate_names_get_one_sentence(key):
    hint = missing_key_hint(_KeyErrorOutcome(key), (LSTM_PARAMETERS,), ["parameters"])
    assert hint == ("If you read it from `parameters`: its keys are Wf, bf, Wi, bi, Wc, bc, Wo, bo, Wy, by. "
                    + RENAMED)


@pytest.mark.parametrize("key,parameters", [
    ("Wz", LSTM_PARAMETERS),                                  # another key: the keys alone
    ("Wu", {"Waa": 0, "Wax": 0, "Wya": 0, "ba": 0, "by": 0}),  # no Wi there: nothing to say of it
])
def test_other_missing_keys_get_no_sentence_about_the_update_gate(key, parameters):
    hint = missing_key_hint(_KeyErrorOutcome(key), (parameters,), ["parameters"])
    assert hint.startswith("If you read it from `parameters`: its keys are") and "W_u" not in hint


def test_reading_w_u_from_parameters_is_explained_and_still_scores_zero(tmp_path, context, sandbox):
    nb = nbs.course_notebook(READS_W_U)
    result = _grade(tmp_path, nb, context, sandbox)
    part = result.part("lstm_cell_forward")
    assert part.points == 0 and {c.status for c in part.cases} == {ERROR}
    public = next(c for c in part.cases if c.visibility != HIDDEN)
    assert public.message.endswith(RENAMED)
    assert f" {RENAMED}\n" in feedback_markdown(result)  # a plain sentence, not a code span


# --------------------------------------------------------------------------- said once


def _one_part_result(part: PartResult) -> SubmissionResult:
    """A graded result of one part."""
    return SubmissionResult("ada", "/c/ada.ipynb", "graded", part.points, part.max_points, parts=(part,))


def test_where_an_error_was_raised_is_said_once(tmp_path, context, sandbox):
    """The message says "Raised ... (cell 10, line 4, in f)": feedback.md and results.json added
    "At cell 10, line 4, in f." on the next line, the same place again."""
    nb = nbs.course_notebook(READS_W_U)
    result = _grade(tmp_path, nb, context, sandbox)
    public = next(c for c in result.part("lstm_cell_forward").cases if c.visibility != HIDDEN)
    where = public.location.describe()
    assert f"({where})" in public.message
    item = feedback_markdown(result).split("- ❌ assignment example")[1].split("\n- ")[0]
    assert item.count(where) == 1 and "At " not in item
    output = next(t["output"] for t in gradescope_results(result)["tests"]
                  if t["name"] == "lstm_cell_forward: assignment example")
    assert output.count(where) == 1


def test_a_crash_whose_message_does_not_say_where_still_says_it():
    case = CaseResult("c1", "assignment example", "public", CRASHED, 0.0, 5.0,
                      message="Ran out of memory: check the shapes of the arrays you create.",
                      location=Location(3, 7, "rnn_forward"))
    result = _one_part_result(PartResult("rnn_forward", "rnn_forward", CRASHED, 0.0, 5.0, (case,)))
    assert "  At cell 4, line 7, in rnn_forward.\n" in feedback_markdown(result)
    assert gradescope_results(result)["tests"][0]["output"].endswith("\nAt cell 4, line 7, in rnn_forward.")


def test_a_case_message_that_repeats_its_parts_note_is_written_once():
    """An unfinished function: the part's note and each public case said the same sentence."""
    note = ("`lstm_forward` still holds the template's placeholders (line 19: `c[:, :, t] = None`): "
            "not implemented yet.")
    cases = (CaseResult("c1", "assignment example", "public", NOT_IMPLEMENTED, 0.0, 3.0, message=note),
             CaseResult("c2", "other", "public", NOT_IMPLEMENTED, 0.0, 3.0, message="Something else."))
    result = _one_part_result(PartResult("lstm_forward", "lstm_forward", NOT_IMPLEMENTED, 0.0, 6.0, cases,
                                         notes=(note,)))
    markdown = feedback_markdown(result)
    assert markdown.count("still holds the template's placeholders") == 1
    assert "  Something else.\n" in markdown
    # Gradescope shows the note above the first case, which does not repeat it.
    assert gradescope_results(result)["tests"][0]["output"].count(note) == 1


def test_why_a_file_is_unreadable_is_said_once_at_the_top(tmp_path, context):
    """A truncated notebook: feedback.md and feedback.html repeated "not JSON" under every part,
    and the page said it again ("could not be shown") and called every function "not found"."""
    subs = tmp_path / "subs"
    subs.mkdir()
    whole = json.dumps(nbs.course_notebook())
    (subs / "ada.ipynb").write_text(whole[:len(whole) // 2], encoding="utf-8")
    [submission] = find_submissions(subs)
    result = grade_one(submission, context=context, sandbox=None, out_dir=tmp_path / "out")
    assert result.status == "unreadable" and len(result.parts) == len(context.rubric.parts)
    why, advice = result.messages  # the reason, then what to do (twenty-ninth session)
    assert advice.startswith("What to do: ")
    folder = tmp_path / "out" / "ada"
    write_feedback_html(result, notebook_path=Path(submission.path), out_path=folder / "feedback.html")
    assert (folder / "feedback.md").read_text(encoding="utf-8").count(why) == 1
    page = (folder / "feedback.html").read_text(encoding="utf-8")
    assert page.count(why) == 1 and "could not be shown" not in page  # the message says why
    # Its functions were never looked for: the page called each of them "not found", then
    # "missing"; the table says "not graded" and no part's block lists its cases.
    assert "not found" not in page.lower() and "missing" not in page and "not graded" in page


def test_the_traceback_in_the_class_report_is_escaped(context):
    """A grader's traceback can quote what a notebook held (an exception about its text)."""
    from types import MappingProxyType

    hostile = 'KeyError: "<script>alert(1)</script><img src=x onerror=alert(2)>"'
    result = SubmissionResult("ada", "/c/ada.ipynb", HARNESS, 0.0, 100.0, messages=(GRADER_FAILED,),
                              extra=MappingProxyType({GRADER_ERROR: f"Traceback (most recent call last):\n"
                                                                    f"{hostile}\n"}))
    page = class_report_html([result], rubric=context.rubric)
    assert "<script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.slow
def test_a_class_run_lists_the_traceback_for_the_instructor_only(tmp_path, monkeypatch):
    """The whole run (workers, pages written by the grading process, the class report): one
    submission on which the grader raises."""
    import io

    from grader import commands

    real = batch.grade_submission

    def flaky(path, **kwargs):
        if Path(path).stem == "alan":
            raise RuntimeError("grader bug on alan")
        return real(path, **kwargs)

    monkeypatch.setattr(batch, "grade_submission", flaky)  # the workers are forked: they inherit it
    subs = tmp_path / "subs"
    for name in ("ada", "alan"):
        nbs.write(subs / f"{name}.ipynb", nbs.course_notebook())
    out = tmp_path / "out"
    summary = commands.grade_class(subs, out_dir=out, jobs=1, similarity=False, progress_bar=False,
                                   stream=io.StringIO())
    assert summary.harness_failures == ("alan",) and summary.graded == 1
    for name in STUDENT_FILES:
        text = (out / "alan" / name).read_text(encoding="utf-8")
        assert "nothing for you to fix" in text, name
        for internal in ("grader bug", "RuntimeError", "most recent call"):
            assert internal not in text, (name, internal)
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "RuntimeError: grader bug on alan" in report and "Traceback" in report


def test_a_deep_grader_traceback_is_kept_bounded_with_its_start_and_end(context):
    """A recursion inside the grader gives a traceback of hundreds of kB, which the record and
    every summary a worker sends would carry: its start and its end (the exception) are kept."""
    from grader.batch import MAX_GRADER_ERROR_CHARS, _harness_failure
    from grader.models import GRADER_ERROR

    detail = "Traceback (most recent call last):\n" + "  File \"x.py\", line 1, in f\n" * 20_000 + \
        "RecursionError: maximum recursion depth exceeded"
    kept = _harness_failure(context, "ada", "/c/ada.ipynb", detail).extra[GRADER_ERROR]
    assert len(kept) <= MAX_GRADER_ERROR_CHARS + 100
    assert kept.startswith("Traceback (most recent call last):")
    assert kept.endswith("RecursionError: maximum recursion depth exceeded")
    assert "characters of the traceback left out" in kept
    short = _harness_failure(context, "ada", "/c/ada.ipynb", "Traceback: short").extra[GRADER_ERROR]
    assert short == "Traceback: short"
