"""What students (and instructors) read, second pass: an axis of size 1 lost or added, a template
placeholder written as an augmented assignment, a case without fixture, where a placeholder is,
a grader failure during ``--check``, and the class report's sentence of a mistake. Every notebook
and result here is made by the test."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grader.checks import check_allclose
from grader.models import Tolerance
from tests import notebooks as nbs

TOL = Tolerance(rtol=1e-6, atol=1e-9)


def shape_message(got: tuple, expected: tuple, *, name: str = "dba") -> str:
    """The message of the values check on zeros of shape ``got`` against ``expected``, for an
    output called ``name`` (also used by tests/test_feedback_wording3.py)."""
    found = check_allclose(np.zeros(got), np.zeros(expected), tolerance=TOL, name=name)
    assert found is not None and found.kind == "shape"
    return found.message


# --------------------------------------------------------------------------- 1. axes of size 1


def test_a_lost_axis_of_size_one_is_named_with_keepdims():
    """A sum without keepdims=True: it was told to "check the order of the dimensions"."""
    message = shape_message((5,), (5, 1))
    assert message == ("`dba` has shape (5,); expected (5, 1). Axis 1 (of size 1) is missing: keep it "
                       "with `keepdims=True` in the sum (or mean) that made this array, or reshape it "
                       "to (5, 1).")
    assert "order of the dimensions" not in message


def test_an_extra_axis_of_size_one_is_named():
    message = shape_message((1, 5), (5,))
    assert message == ("`dba` has shape (1, 5); expected (5,). Axis 0 (of size 1) is extra: drop "
                       "`keepdims=True` where it is not wanted, or reshape the array to (5,).")


def test_several_axes_of_size_one_are_all_named():
    assert "Axes 0 and 2 (of size 1) are missing: keep them" in shape_message((4,), (1, 4, 1))
    assert "Axis 2 (of size 1) is extra" in shape_message((3, 4, 1), (3, 4))


@pytest.mark.parametrize("got,expected,hint", [
    ((1, 5), (5, 1), "It looks transposed."),                        # a real permutation
    ((3, 2, 4), (2, 3, 4), "check the order of the dimensions"),     # likewise, in three dimensions
    ((15,), (5, 3), "it looks flattened"),                           # flattened: not an axis of size 1
    ((5,), (5, 3), "The last dimension is missing."),
])
def test_other_shape_mistakes_keep_their_hints(got, expected, hint):
    message = shape_message(got, expected)
    assert hint in message and "of size 1" not in message and "keepdims" not in message


def test_a_sum_without_keepdims_in_a_notebook_is_told_so(tmp_path, context, sandbox):
    from grader.report import feedback_markdown
    from grader.runner import grade_submission

    nb = nbs.course_notebook(nbs.mutate("rnn_cell_backward", "axis=1, keepdims=True", "axis=1"))
    result = grade_submission(nbs.write(tmp_path / "ada.ipynb", nb), context=context, sandbox=sandbox)
    public = next(c for c in result.part("rnn_cell_backward").cases if c.visibility != "hidden")
    [check] = [c for c in public.checks if not c.passed]
    assert check.message.startswith("`dba` has shape (5,); expected (5, 1). Axis 1 (of size 1) is missing")
    assert "Axis 1 (of size 1) is missing: keep it with `keepdims=True`" in feedback_markdown(result)


# --------------------------------------------------------------------------- 2. `+= None` left in


def _placeholders_of(tmp_path: Path, source: str) -> tuple[bool, str]:
    """``(placeholder, placeholder_detail)`` of the function ``f`` in a one-cell notebook."""
    from grader.extract import extract
    from grader.notebook import load

    path = nbs.write(tmp_path / "nb.ipynb", nbs.notebook([nbs.code_cell("import numpy as np\n\n" + source)]))
    fn = extract(load(path)).functions["f"]
    return fn.placeholder, fn.placeholder_detail


@pytest.mark.parametrize("line", ["dWax += None", "dx[:, :, t] += None", "total -= None"])
def test_an_augmented_assignment_of_none_is_a_placeholder(tmp_path, line):
    source = (f"def f(x, dx, dWax, total, t):\n    dWax = dWax * 2\n    {line}\n"
              f"    return dx, dWax, total\n")
    assert _placeholders_of(tmp_path, source) == (True, f"line 5: `{line}`")


@pytest.mark.parametrize("body", [
    "    y = x if x is not None else np.zeros(3)\n    y += 1\n    return y\n",
    "    if x is None:\n        x = np.zeros(3)\n    x += 1\n    return x\n",
    "    x += 1 if x is not None else 0\n    return x\n",
])
def test_none_in_a_test_or_a_default_is_no_placeholder(tmp_path, body):
    assert _placeholders_of(tmp_path, "def f(x=None, y=None):\n" + body) == (False, "")


def test_a_gradient_left_as_plus_equal_none_is_not_implemented(tmp_path, context, sandbox):
    """It ran and raised "UFuncTypeError: Cannot cast ufunc 'add' output from dtype('O')"."""
    from grader.models import NOT_IMPLEMENTED
    from grader.report import feedback_markdown, gradescope_results
    from grader.runner import grade_submission

    nb = nbs.course_notebook(nbs.mutate("rnn_backward", "dWax += dWaxt", "dWax += None"))
    result = grade_submission(nbs.write(tmp_path / "ada.ipynb", nb), context=context, sandbox=sandbox)
    part = result.part("rnn_backward")
    assert part.status == NOT_IMPLEMENTED and part.points == 0
    assert part.notes == ("`rnn_backward` still holds the template's placeholders (line 20: "
                          "`dWax += None`): not implemented yet.",)
    for text in (feedback_markdown(result), str(gradescope_results(result))):
        assert "dtype('O')" not in text and "UFuncTypeError" not in text


# --------------------------------------------------------------------------- 4. placeholders: said once


UNFINISHED = {**nbs.mutate("lstm_forward", "c[:, :, t] = c_next", "c[:, :, t] = None"),
              **nbs.mutate("rnn_backward", "dWax += dWaxt", "dWax += None")}


def test_a_graded_functions_placeholders_are_said_under_it_once(tmp_path, context, sandbox):
    """The top message said "... (line 19: `c[:, :, t] = None`). (cell 13, line 19)", the place
    twice, and the part's note said it again below."""
    from grader.report import feedback_markdown, gradescope_results
    from grader.runner import grade_submission

    result = grade_submission(nbs.write(tmp_path / "ada.ipynb", nbs.course_notebook(UNFINISHED)),
                              context=context, sandbox=sandbox)
    assert not [m for m in result.messages if "not implemented" in m or "placeholder" in m]
    markdown = feedback_markdown(result)
    for snippet in ("`c[:, :, t] = None`", "`dWax += None`"):
        assert markdown.count(snippet) == 1, snippet  # in the part's note, not at the top nor per case
    assert "(cell 13 (In [8]), line 19)" not in markdown and "## `lstm_forward` (cell 13, In [8]): 0 / 15" in markdown
    # Gradescope shows no part notes: each public case keeps the sentence, and the top holds none.
    gradescope = gradescope_results(result)
    assert "placeholder" not in gradescope.get("output", "")
    [case] = [t for t in gradescope["tests"] if t["name"] == "lstm_forward: assignment example"]
    assert "`c[:, :, t] = None`" in case["output"]


def test_a_helpers_placeholder_is_said_at_the_top_with_its_place_once(tmp_path, context, sandbox):
    """A function the rubric does not grade has no part to say it under: the top says it."""
    from grader.runner import grade_submission

    cell = nbs.COURSE_CELLS["rnn_cell_forward"].replace("a_next = np.tanh(", "a_next = squash(")
    cell = "def squash(z):\n    s = None\n    return s\n\n\n" + cell
    result = grade_submission(nbs.write(tmp_path / "ada.ipynb", nbs.course_notebook({"rnn_cell_forward": cell})),
                              context=context, sandbox=sandbox)
    [said] = [m for m in result.messages if "not implemented" in m]
    assert said == "`squash` is not implemented yet: template placeholder left in cell 4 (In [2]) (line 2: `s = None`)."


# --------------------------------------------------------------------------- 3. a case without fixture


@pytest.fixture
def lost_case(tmp_path, context, sandbox):
    """A course submission graded with the fixture of ``rnn_cell_forward``'s public case missing
    (the rubric and its fixtures disagree): ``(result, folder, case)`` after ``grade_one`` wrote
    its files and its page."""
    from grader.batch import grade_one
    from grader.discover import find_submissions
    from grader.feedback_html import write_feedback_html
    from grader.fixtures import Fixtures
    from grader.runner import GradingContext

    case = next(c for c in context.rubric.part("rnn_cell_forward").cases if c.visibility == "public")
    fixtures = Fixtures({k: v for k, v in context.fixtures.items() if k != case.id},
                        context.fixtures.mutant_messages)
    lacking = GradingContext(rubric=context.rubric, fixtures=fixtures, mutant_messages=context.mutant_messages,
                             imdb_config=context.imdb_config)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ada.py").write_text("import numpy as np\n\n" + "\n\n".join(nbs.COURSE_CELLS.values()),
                                 encoding="utf-8")
    [submission] = find_submissions(subs)
    result = grade_one(submission, context=lacking, sandbox=sandbox, out_dir=tmp_path / "out")
    folder = tmp_path / "out" / "ada"
    write_feedback_html(result, notebook_path=Path(submission.path), out_path=folder / "feedback.html")
    return result, folder, case


def test_a_case_without_fixture_tells_the_student_it_is_not_their_fault(lost_case):
    """The student read "No fixture for case ... (rubric line N): regenerate the fixtures."."""
    from grader.models import HARNESS
    from grader.models import CASE_GRADER_FAILED

    result, folder, case = lost_case
    [lost] = [c for p in result.parts for c in p.cases if c.status == HARNESS]
    assert lost.case_id == case.id and lost.message == CASE_GRADER_FAILED and lost.points == 0
    assert result.status == "graded" and result.part("rnn_forward").status == "passed"
    for name in ("feedback.md", "results.json", "feedback.html"):
        text = (folder / name).read_text(encoding="utf-8")
        for internal in ("fixture", "rubric line", "regenerate", case.id):
            assert internal not in text, (name, internal)
        assert "not in your code: there is nothing for you to fix" in text, name


def test_a_case_without_fixture_tells_the_instructor_what_to_do(lost_case, context):
    import json

    from grader import report
    from grader.classreport import ClassTally, class_report_html

    result, folder, case = lost_case
    detail = (f"No fixture for case {case.id} (named {case.name!r} in the rubric): regenerate the fixtures: "
              f"python3 -m grader.regenerate {context.rubric.path}")
    assert result.extra[report.GRADER_ERROR] == detail
    record = json.loads((folder / report.RESULT_RECORD).read_text(encoding="utf-8"))
    assert record["extra"][report.GRADER_ERROR] == detail
    for sent in (result, report.summary_of(result)):  # what a worker sends keeps it
        tally = ClassTally(rubric=context.rubric)
        tally.add(sent)
        page = class_report_html((), rubric=context.rubric, stats=tally.stats())
        harness = page[page.index('<section id="harness">'):]
        harness = harness[:harness.index("</section>")]
        assert "Graded, with some cases lost to a grader error" in harness
        assert f"No fixture for case {case.id}" in harness and "python3 -m grader.regenerate" in harness


def test_what_the_instructor_reads_of_a_lost_case_stays_true_while_the_result_is_kept(context):
    """A graded result is kept while the rubric's digest stays (grader.incremental), and the digest
    leaves lines out: a comment added above a case kept the result whose detail said "rubric line 75",
    which then was the comment's line or another case's (thirty-eighth session). The detail says
    the case's id and name, which the digest holds: the same for both files."""
    from grader.failtexts import lost_cases
    from grader.models import HARNESS, CaseResult, PartResult
    from grader.rubric import parse_rubric

    text = Path(context.rubric.path).read_text(encoding="utf-8")
    commented = text.replace("parts:\n", "parts:\n# The cells first, then the loops.\n# (a note)\n", 1)
    before, after = parse_rubric(text, path="rubrics/rnn.yaml"), parse_rubric(commented, path="rubrics/rnn.yaml")
    assert before.digest == after.digest and before.cases[1].line != after.cases[1].line
    case = before.cases[1]
    parts = [PartResult(name=case.part, function=case.function, status=HARNESS, points=0, max_points=case.points,
                        cases=(CaseResult(case_id=case.id, name=case.name, visibility=case.visibility,
                                          status=HARNESS, points=0, max_points=case.points),))]
    said = lost_cases(before, {}, parts)
    assert said == lost_cases(after, {}, parts) == (
        f"No fixture for case {case.id} (named {case.name!r} in the rubric): regenerate the fixtures: "
        "python3 -m grader.regenerate rubrics/rnn.yaml"), said


def test_a_graded_submission_without_lost_cases_has_no_grader_error(tmp_path, context, sandbox):
    from grader.models import GRADER_ERROR
    from grader.runner import grade_submission

    result = grade_submission(nbs.write(tmp_path / "ada.ipynb", nbs.course_notebook()), context=context,
                              sandbox=sandbox)
    assert GRADER_ERROR not in result.extra


# --------------------------------------------------------------------------- 6. the class report's sentence


@pytest.mark.parametrize("suffix,words", [("PARTIAL_MATCH", "explains the outputs that are wrong"),
                                          ("RAISED_MATCH", "raises the same error as your code")])
def test_the_mistakes_table_shows_the_mistakes_own_sentence(context, suffix, words):
    """The first message met was kept: the partial-match (or same-error) wording, when it came first."""
    from grader import models
    from grader.classreport import ClassTally, class_report_html
    from grader.models import Diagnosis, FAILED, CaseResult, PartResult, SubmissionResult

    sentence = context.mutant_messages["rnn_cell_forward/no_ba"]

    def graded(sid: str, message: str) -> SubmissionResult:
        """One submission whose public case of rnn_cell_forward was diagnosed with ``message``."""
        case = CaseResult("c1", "assignment example", "public", FAILED, 0.0, 2.5,
                          diagnosis=Diagnosis("rnn_cell_forward/no_ba", message))
        part = PartResult("rnn_cell_forward", "rnn_cell_forward", FAILED, 0.0, 10.0, (case,))
        return SubmissionResult(sid, f"/c/{sid}.ipynb", "graded", 0.0, 100.0, parts=(part,))

    tally = ClassTally(rubric=context.rubric)
    tally.add(graded("ada", sentence + getattr(models, suffix)))
    tally.add(graded("alan", sentence))
    [mistake] = tally.stats().mistakes
    assert mistake.message == sentence and mistake.submissions == 2
    page = class_report_html((), rubric=context.rubric, stats=tally.stats())
    mistakes = page[page.index('<section id="mistakes">'):]
    mistakes = mistakes[:mistakes.index("</section>")]
    assert words in getattr(models, suffix) and words not in mistakes


# --------------------------------------------------------------------------- 5. the checker fails


def _checked(path) -> tuple[int, str]:
    """``run_check`` on ``path`` with the default rubric: exit status and printed text."""
    import io

    from grader.classfiles import DEFAULT_RUBRIC
    from grader.selfcheck import run_check

    out = io.StringIO()
    return run_check(path, rubric=DEFAULT_RUBRIC, stream=out), out.getvalue()


@pytest.mark.parametrize("where", ["grading", "printing"])
def test_an_exception_in_the_checker_is_said_to_be_the_checkers(tmp_path, monkeypatch, where):
    """It reached the student as a raw Python traceback, as if their notebook had broken it."""
    from grader import runner, selfcheck
    from grader.selfcheck import CHECKER_FAILED, EXIT_UNUSABLE

    def broken(*args, **kwargs):
        raise RuntimeError("checker bug \x1b[2J on purpose")

    monkeypatch.setattr(runner if where == "grading" else selfcheck,
                        "grade_submission" if where == "grading" else "render", broken)
    code, text = _checked(nbs.write(tmp_path / "ada.ipynb", nbs.course_notebook()))
    assert code == EXIT_UNUSABLE == 2
    assert CHECKER_FAILED == ("Self-check failed because of a problem in the checker, not in your code. "
                              "Please send the lines below to your instructor.")
    said, _, rest = text.partition(CHECKER_FAILED)
    assert _ and "Traceback" not in said  # the sentence first, then the traceback
    assert rest.lstrip("\n").startswith("Traceback (most recent call last):")
    assert "in broken" in rest and rest.rstrip("\n").endswith("RuntimeError: checker bug \\x1b[2J on purpose")
    assert "\x1b" not in text


def test_a_notebook_that_passes_is_not_told_of_the_checker(tmp_path):
    from grader.selfcheck import CHECKER_FAILED, EXIT_PASSED

    code, text = _checked(nbs.write(tmp_path / "ada.ipynb", nbs.course_notebook()))
    assert code == EXIT_PASSED and CHECKER_FAILED not in text
