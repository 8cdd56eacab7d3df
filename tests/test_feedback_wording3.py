"""What students read, third pass: a part's notes on Gradescope, an unattempted IMDB bonus, the
cells of models whose layers were not told, a flattened array, and an exception inside the
grader during ``check()`` in Jupyter. Every notebook and result here is made by the test."""
from __future__ import annotations

import dataclasses
import io
import json

import pytest

from grader.models import (
    FAILED, HIDDEN, NOT_IMPLEMENTED, PASSED, CaseResult, Diagnosis, PartResult, SubmissionResult,
)
from grader.notes import bounded_note, bounded_result
from grader.report import (
    NOTES_OUTPUT_CHARS, feedback_markdown, gradescope_results, write_submission,
)
from tests import notebooks as nbs

FREE_NAME = "`rnn_forward` uses `Wy` from outside the function: read it from `parameters`."
MUTATED = "`rnn_forward` changes its input `x` in place: work on copies (`x.copy()`) instead."


def _result(*parts: PartResult) -> SubmissionResult:
    """A graded submission holding ``parts``."""
    return SubmissionResult("ada", "ada.ipynb", "graded", sum(p.points for p in parts),
                            sum(p.max_points for p in parts), parts=parts)


def _tests(result: SubmissionResult, part: str) -> list[dict]:
    """The tests of ``results.json`` about ``part``."""
    return [t for t in gradescope_results(result)["tests"] if t["name"].split(":")[0] == part]


# --------------------------------------------------------------------------- 1. notes on Gradescope


def _forward(notes: tuple[str, ...], *, public: bool = True) -> PartResult:
    """``rnn_forward`` with a failed public case (unless not ``public``) and two hidden cases whose
    every field holds a secret."""
    cases = [CaseResult("h1", "m = 1 SECRET-NAME", HIDDEN, FAILED, 0.0, 4.0, message="SECRET-MESSAGE",
                        output="SECRET-OUTPUT", diagnosis=Diagnosis("d", "Your loop skips the last step.")),
             CaseResult("h2", "T_x = 1 SECRET-NAME", HIDDEN, PASSED, 4.0, 4.0)]
    if public:
        cases.insert(0, CaseResult("c1", "assignment example", "public", FAILED, 0.0, 3.0,
                                   message="`a` has wrong values."))
    return PartResult("rnn_forward", "rnn_forward", FAILED, 4.0, 11.0, tuple(cases), notes=notes)


def test_a_parts_notes_are_said_once_above_its_first_public_case():
    """results.json never showed them: a Gradescope student never read "uses `Wy` from outside"."""
    result = _result(_forward((FREE_NAME, MUTATED)))
    first, *hidden = _tests(result, "rnn_forward")
    assert first["name"] == "rnn_forward: assignment example"
    assert first["output"] == (f"- {FREE_NAME}\n- {MUTATED}\n\n"
                               "assignment example: failed\n`a` has wrong values.")
    assert first["score"] == 0.0 and first["max_score"] == 3.0 and first["status"] == "failed"
    text = json.dumps(gradescope_results(result))
    assert text.count("from outside the function") == 1 and text.count("changes its input") == 1
    # the hidden cases' tests are what they were: verdict and the mistake's name, nothing else
    assert [t["output"] for t in hidden] == ["hidden case 1: failed\nYour loop skips the last step.",
                                             "hidden case 2: passed"]
    assert "SECRET" not in text


def test_a_part_without_notes_keeps_its_tests_as_they_were():
    plain = _tests(_result(_forward(())), "rnn_forward")
    assert plain[0]["output"] == "assignment example: failed\n`a` has wrong values."
    assert len(plain) == 3


def test_a_note_the_case_repeats_is_written_once_in_that_test():
    note = "`lstm_forward` still holds the template's placeholders (line 19: `c = None`): not implemented yet."
    cases = (CaseResult("c1", "assignment example", "public", NOT_IMPLEMENTED, 0.0, 3.0, message=note),
             CaseResult("c2", "second example", "public", NOT_IMPLEMENTED, 0.0, 3.0, message=note))
    result = _result(PartResult("lstm_forward", "lstm_forward", NOT_IMPLEMENTED, 0.0, 6.0, cases, notes=(note,)))
    first, second = _tests(result, "lstm_forward")
    assert first["output"] == f"- {note}\n\nassignment example: not implemented"
    assert second["output"] == f"second example: not implemented\n{note}"  # Gradescope shows tests one by one


def test_notes_of_a_part_with_hidden_cases_only_get_a_test_of_their_own():
    """The first test of such a part is a hidden case's, which must stay as it was."""
    result = _result(_forward((FREE_NAME,), public=False))
    notes, *hidden = _tests(result, "rnn_forward")
    assert notes == {"name": "rnn_forward", "output": f"- {FREE_NAME}", "visibility": "visible"}
    assert [t["name"] for t in hidden] == ["rnn_forward: hidden case 1", "rnn_forward: hidden case 2"]
    assert "SECRET" not in json.dumps(gradescope_results(result))


def test_hostile_notes_are_text_written_out_and_bounded():
    """A note quotes the student's words (a name, a claimed accuracy): control characters are written
    out, a long note is cut, many notes are counted past the bound."""
    escape = "`rnn_forward` uses `x\x1b[2J\u202e` from outside the function."
    long = "`rnn_forward` uses `" + "w" * 50_000 + "` from outside the function."
    many = tuple(f"`rnn_forward` uses `name{k}` from outside the function." for k in range(2_000))
    # bounded where the result is made (grader.notes, since the twenty-fourth session), as the runner does
    result = bounded_result(_result(_forward((escape, long, *many))))
    [first, *_] = _tests(result, "rnn_forward")
    output = first["output"]
    assert "\x1b" not in output and "\u202e" not in output and "`x\\x1b[2J\\u202e`" in output
    notes = output.split("\n\nassignment example: failed")[0].split("\n")
    assert notes[1] == f"- {bounded_note(long)}" and " characters cut ...] " in notes[1]
    assert len("\n".join(notes)) < NOTES_OUTPUT_CHARS + 100
    shown = sum(line.startswith("- ") for line in notes)
    kept = len(result.parts[0].notes)
    assert notes[-1] == f"[{kept - shown:,} more notes not shown]" and 2 < shown < kept
    assert output.endswith("assignment example: failed\n`a` has wrong values.")


def test_a_graded_notebooks_free_name_reaches_results_json(tmp_path, context, sandbox):
    from grader.runner import grade_submission

    nb = nbs.course_notebook(nbs.mutate("rnn_cell_forward", "Wya = parameters[\"Wya\"]", "pass"))
    result = grade_submission(nbs.write(tmp_path / "ada.ipynb", nb), context=context, sandbox=sandbox)
    [note] = [n for n in result.part("rnn_cell_forward").notes if "`Wya`" in n]
    folder = write_submission(result, tmp_path / "out")
    tests = json.loads((folder / "results.json").read_text("utf-8"))["tests"]
    holding = [t["name"] for t in tests if note in t["output"]]
    assert holding == ["rnn_cell_forward: assignment example"]


# --------------------------------------------------------------------------- 2. the IMDB bonus


@pytest.fixture
def no_bonus(tmp_path) -> PartResult:
    """The ``imdb_report`` part of the course notebook, which has no bonus."""
    from grader.imdb import ImdbConfig
    from grader.notebook import load
    from grader.runner import _grade_imdb

    return _grade_imdb(load(nbs.write(tmp_path / "ada.ipynb", nbs.course_notebook())), ImdbConfig(), {})


def test_an_unattempted_bonus_says_so_once_without_failure_marks(no_bonus):
    """It showed three failed items (❌ alternatives, validation, accuracy: "bonus not attempted")
    under "No IMDB bonus found ... 0 bonus points." and a bullet "no bonus"."""
    assert no_bonus.cases == () and no_bonus.points == 0 and no_bonus.max_points == 10
    [sentence] = no_bonus.notes
    assert sentence.startswith("IMDB bonus not attempted (it is optional): 0 of its 10 bonus points")
    markdown = feedback_markdown(_result(no_bonus))
    section = markdown[markdown.index("## `imdb_report`"):]
    assert section == f"## `imdb_report`: 0 / 10\n\n- {sentence}\n\n"  # one blank line after it, not two
    assert "❌" not in section and "no bonus" not in section.lower().replace("imdb bonus not", "")


def test_an_unattempted_bonus_on_gradescope_is_one_test_neither_passed_nor_failed(no_bonus):
    [test] = _tests(_result(no_bonus), "imdb_report")
    assert test == {"name": "imdb_report", "output": f"- {no_bonus.notes[0]}", "visibility": "visible"}


def test_an_unattempted_bonus_is_not_a_missing_function_anywhere(no_bonus, context):
    """Its status was "missing": "missing" in feedback.md's table, a red block under "Not found" on
    the page, the class report's "missing" column. Now "not attempted", neutral, under the other
    results, and a column of its own in the class report."""
    from grader.classreport import ClassTally, class_report_html
    from grader.feedback_html import part_block
    from grader.models import MISSING, NOT_ATTEMPTED

    assert no_bonus.status == NOT_ATTEMPTED
    result = _result(no_bonus)
    assert "| `imdb_report` | 0 / 10 | not attempted |" in feedback_markdown(result)
    block = part_block(no_bonus, ())
    assert 'class="grader-result grader-info"' in block and "not attempted" in block
    assert "not found" not in block and "grader-bad" not in block
    tally = ClassTally(rubric=context.rubric)
    tally.add(result)
    missing = dataclasses.replace(no_bonus, status=MISSING)
    tally.add(dataclasses.replace(result, submission_id="bob", parts=(missing,)))
    html = class_report_html((), rubric=context.rubric, stats=tally.stats())
    assert "<th class=\"num\">not attempted</th>" in html
    assert "0 of 2 submissions attempted the bonus" in html


def test_models_whose_layers_were_not_told_are_listed_by_cell_number():
    """Sorted as text, "cell 10" came before "cell 2"."""
    from grader.imdb import ImdbConfig, score_imdb
    from tests.test_imdb_score import LOAD, LOAD_OUT, keras3_fit, notebook

    def fit(var: str) -> tuple:
        """A model loaded from a file (its layers unknown), trained with a fit log."""
        return ("code", f"{var} = keras.models.load_model('{var}.keras')\n"
                        f"history = {var}.fit(x_train, y_train, epochs=2, validation_split=0.2)",
                tuple(keras3_fit([0.8, 0.9], [0.84, 0.85])))

    cells = [("code", LOAD, LOAD_OUT), fit("m1")] + [("markdown", "notes")] * 7 + [fit("m2")]
    feedback = score_imdb(notebook(*cells), config=ImdbConfig()).feedback
    [line] = [f for f in feedback if f.startswith("Could not tell")]
    assert "trained in cell 2, cell 10 use;" in line


# --------------------------------------------------------------------------- 3. a flattened array


def _shape_message(got: tuple, expected: tuple) -> str:
    """The shape message for an output called ``y`` (``test_feedback_wording2.shape_message``)."""
    from tests.test_feedback_wording2 import shape_message

    return shape_message(got, expected, name="y")


def test_a_flattened_array_is_named_with_reshape():
    """It was told to "check the order of the dimensions"."""
    assert _shape_message((15,), (5, 3)) == (
        "`y` has shape (15,); expected (5, 3). Same number of elements in fewer dimensions: it looks "
        "flattened (a `reshape`, `ravel` or `flatten` too many?); reshape it to (5, 3).")
    assert "it looks flattened" in _shape_message((5, 12), (5, 3, 4))


def test_an_array_with_an_extra_reshape_is_named():
    assert _shape_message((5, 3), (15,)) == (
        "`y` has shape (5, 3); expected (15,). Same number of elements in more dimensions: it looks "
        "reshaped once too often; drop that `reshape`, or reshape it to (15,).")


def test_a_reshape_to_other_dimensions_is_not_called_an_order():
    message = _shape_message((3, 10), (5, 6))
    assert message.endswith("Same number of elements in other dimensions: check the `reshape` that made it.")
    assert "order of the dimensions" not in message


@pytest.mark.parametrize("got,expected,hint", [
    ((3, 5), (5, 3), " It looks transposed."),
    ((3, 2, 4), (2, 3, 4), " Same number of elements: check the order of the dimensions."),
    ((5,), (5, 1), " Axis 1 (of size 1) is missing: keep it with `keepdims=True`"),
    ((1, 15), (15,), " Axis 0 (of size 1) is extra"),
])
def test_permutations_and_axes_of_size_one_keep_their_hints(got, expected, hint):
    message = _shape_message(got, expected)
    assert hint in message and "flattened" not in message and "reshaped once" not in message


# --------------------------------------------------------------------------- 4. check() fails


@pytest.mark.parametrize("where", ["grading", "printing"])
def test_an_exception_in_the_grader_during_check_is_said_to_be_the_checkers(monkeypatch, where):
    """check() in Jupyter showed a raw traceback, as if the student's functions had broken it."""
    import grader
    from grader import live, selfcheck
    from grader.selfcheck import CHECKER_FAILED

    def broken(*args, **kwargs):
        raise RuntimeError("checker bug \x1b[2J on purpose")

    monkeypatch.setattr(live if where == "grading" else selfcheck,
                        "grade_live" if where == "grading" else "render", broken)
    for call in (live.check, grader.check):
        out = io.StringIO()
        assert call(namespace={"__name__": "kernel"}, stream=out) is None
        text = out.getvalue()
        said, found, rest = text.partition(CHECKER_FAILED)
        assert found and "Traceback" not in said
        assert rest.lstrip("\n").startswith("Traceback (most recent call last):")
        assert "in broken" in rest and rest.rstrip("\n").endswith("RuntimeError: checker bug \\x1b[2J on purpose")
        assert "\x1b" not in text


def test_a_keyboard_interrupt_during_check_still_stops_it(monkeypatch):
    from grader import live

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(live, "grade_live", interrupted)
    with pytest.raises(KeyboardInterrupt):
        live.check(namespace={"__name__": "kernel"}, stream=io.StringIO())


def test_check_of_a_namespace_is_not_told_of_the_checker():
    from grader.live import check
    from grader.selfcheck import CHECKER_FAILED, CheckSummary

    out = io.StringIO()
    summary = check(namespace={"__name__": "kernel"}, stream=out)
    assert isinstance(summary, CheckSummary) and CHECKER_FAILED not in out.getvalue()
