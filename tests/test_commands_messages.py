"""The lines an instructor reads at the end of a class run (grader.commands, messages only)."""
from __future__ import annotations

import io
from pathlib import Path

from grader.classsummary import ClassSummary, print_summary


def summary_line(**fields) -> str:
    """The first line ``print_summary`` writes for a ClassSummary with ``fields``."""
    base = dict(graded=5, harness_failures=(), unreadable=("donald",), scores=(65.0, 85.0, 110.0, 100.0, 75.0),
                max_score=100.0, seconds=1.0, out_dir=Path("out"), total=6)
    out = io.StringIO()
    print_summary(ClassSummary(**{**base, **fields}), stream=out, similarity_ran=False)
    return out.getvalue().splitlines()[0]


def test_a_rerun_says_what_it_graded_and_what_it_kept():
    line = summary_line(skipped=6)
    assert line.startswith("Graded 5 of 6 (0 in this run, 6 unchanged since the last run and kept) in 1.0s"), line
    line = summary_line(graded=6, total=7, skipped=6)
    assert line.startswith("Graded 6 of 7 (1 in this run, 6 unchanged since the last run and kept)"), line


def test_a_first_run_says_nothing_about_kept_results():
    line = summary_line()
    assert line.startswith("Graded 5 of 6 in 1.0s;") and "kept" not in line, line


def test_unreadable_submissions_are_named_by_why_they_could_not_be_read(tmp_path):
    """A class with forty broken notebooks ended with forty ids in a row and nothing of why: each
    one's feedback had to be opened. Grouped by why now, the largest group first."""
    from tests import notebooks as nbs
    from tests.test_commands_roster import grade

    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    for name, text in (("cut1", '{"cells": [{"cell_type": "co'), ("cut2", '{"nbformat": 4, "cel'),
                       ("empty", ""), ("page", "<!DOCTYPE html><html><body>notebook</body></html>")):
        (subs / f"{name}.ipynb").write_text(text, "utf-8")
    (subs / "nothing").mkdir()
    (subs / "nothing" / "readme.txt").write_text("hi", "utf-8")
    summary, printed = grade(subs, tmp_path / "out")
    assert summary.unreadable == ("cut1", "cut2", "empty", "nothing", "page")
    line = next(line for line in printed.splitlines() if line.startswith("Unreadable submissions"))
    assert line == ("Unreadable submissions (0 points each in grades.csv, and in report.html's figures): "
                    "cut1, cut2 (not JSON); empty (empty file); nothing (the submission holds no notebook); "
                    "page (not a notebook but a web page)"), line


def test_an_unreadable_reason_never_leaves_a_parenthesis_open():
    """Thirty-third session, a class of 600 with 40 broken notebooks: the run's summary grouped
    five nbformat 3 notebooks under "(broken nbformat 3 notebook (ValidationError)", the split
    at the exception's ': ' having cut its parenthesis open."""
    from grader.classsummary import unreadable_reason

    said = unreadable_reason(["b06.ipynb: broken nbformat 3 notebook (ValidationError: 'cells' is a "
                              "required property)"])
    assert said == "broken nbformat 3 notebook"
    assert unreadable_reason(["t.ipynb: not JSON (truncated at byte 3000)"]) == "not JSON"
    assert unreadable_reason(["n: the submission holds 2 notebooks (a.ipynb, b.ipynb); expected one."]) == (
        "the submission holds 2 notebooks")


def test_the_summary_names_the_graded_submissions_with_nothing_on_any_function(tmp_path):
    """Thirty-third session, a class of 600 with 40 broken notebooks: the unreadable ones were named,
    but the ten graded with 0 on every function (a notebook of markdown only, one whose every cell
    is a syntax error) only counted in "0-20%:10", and a TA looking for wrong uploads opened 600
    folders. They are now named on a line of their own (the IMDB bonus aside)."""
    from grader import commands
    from tests import notebooks as nbs

    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    nbs.write(subs / "notes_only.ipynb", nbs.notebook([nbs.markdown_cell("# my notes")]))
    broken = "def rnn_cell_forward(xt, a_prev, parameters)\n    return xt\n"
    nbs.write(subs / "unparsed.ipynb", nbs.notebook([nbs.code_cell(broken)]))
    nbs.write(subs / "half.ipynb", nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    stream = io.StringIO()
    summary = commands.grade_class(subs, out_dir=tmp_path / "out", jobs=1, feedback_html=False,
                                   similarity=False, stream=stream, progress_bar=False)
    assert summary.zero_on_every_function == ("notes_only", "unparsed")
    assert ("Graded with 0 on every function (the wrong notebook handed in, or code that does not "
            "parse? each one's feedback.md says why): notes_only, unparsed\n") in stream.getvalue()


def test_a_function_answered_with_wrong_values_is_no_suspected_wrong_notebook(tmp_path):
    """Thirty-fifth session, docs/rubrics.md's quiz (rnn_cell_forward alone) graded on the example
    class: alan_partly_wrong, whose cell leaves out ``ba``, was named "Graded with 0 on every
    function (the wrong notebook handed in, or code that does not parse? ...)". A function that ran
    and returned wrong values is the student's attempt: only what never got that far is named."""
    from grader import commands
    from tests import notebooks as nbs

    subs = tmp_path / "subs"
    wrong = nbs.mutate("rnn_cell_forward", "+ ba)", ")")
    for part in ("rnn_forward", "lstm_cell_forward", "lstm_forward", "rnn_cell_backward", "rnn_backward"):
        wrong.update(nbs.mutate(part, "def ", "def unused_"))  # no other function defined
    nbs.write(subs / "tried.ipynb", nbs.course_notebook(wrong))
    nbs.write(subs / "notes_only.ipynb", nbs.notebook([nbs.markdown_cell("# my notes")]))
    stream = io.StringIO()
    summary = commands.grade_class(subs, out_dir=tmp_path / "out", jobs=1, feedback_html=False,
                                   similarity=False, stream=stream, progress_bar=False)
    assert summary.zero_on_every_function == ("notes_only",), stream.getvalue()
