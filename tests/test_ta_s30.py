"""What a TA met in a term with the grader (session 30): a student who handed in two notebooks.

Before this session such a submission was listed only among the "Unreadable submissions", as a
truncated file is, with nothing saying that the work was readable and that the TA could leave one
notebook and grade it again; the student's feedback said "expected exactly one" and no more, and
the class report called the file "broken".
"""
from __future__ import annotations

import io
import json
from pathlib import Path

from grader import commands
from tests import notebooks as nbs


def grade(subs: Path, out: Path) -> tuple[commands.ClassSummary, str]:
    """A quick class run (one job, no similarity, no pages) and what it printed."""
    stream = io.StringIO()
    summary = commands.grade_class(subs, out_dir=out, jobs=1, similarity=False, feedback_html=False,
                                   stream=stream)
    return summary, stream.getvalue()


def test_two_notebooks_are_named_as_such_and_say_what_to_do(tmp_path):
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    (subs / "bob.ipynb").write_text("{ not json")
    nbs.write(subs / "zoe" / "Assignment4.ipynb", nbs.course_notebook())
    nbs.write(subs / "zoe" / "Assignment4-1.ipynb", nbs.alt_notebook())
    out = tmp_path / "out"
    summary, printed = grade(subs, out)
    assert summary.unreadable == ("bob", "zoe") and summary.several_notebooks == ("zoe",)
    line = next(l for l in printed.splitlines() if l.startswith("Several notebooks in one submission"))
    assert line.endswith(": zoe") and "run again" in line, line
    message = json.loads((out / "zoe" / "result.full.json").read_text())["messages"][0]
    assert "2 notebooks (Assignment4-1.ipynb, Assignment4.ipynb)" in message or \
        "2 notebooks (Assignment4.ipynb, Assignment4-1.ipynb)" in message, message
    assert "None of them was graded" in message and "hand in the notebook to grade alone" in message, message
    assert "None of them" in (out / "zoe" / "feedback.md").read_text()
    report = (out / "report.html").read_text()
    assert "file is broken" not in report and "not exactly one" in report

    # The TA leaves one notebook: graded on the next run, and the line is gone.
    (subs / "zoe" / "Assignment4-1.ipynb").unlink()
    summary, printed = grade(subs, out)
    assert summary.unreadable == ("bob",) and summary.several_notebooks == ()
    assert "Several notebooks" not in printed
    assert json.loads((out / "zoe" / "result.full.json").read_text())["status"] == "graded"


def test_a_submission_without_a_notebook_is_not_said_to_hold_several(tmp_path):
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    (subs / "lee").mkdir(parents=True)
    (subs / "lee" / "notes.txt").write_text("hello")
    summary, printed = grade(subs, tmp_path / "out")
    assert summary.unreadable == ("lee",) and summary.several_notebooks == ()
    assert "Several notebooks" not in printed
    message = json.loads((tmp_path / "out" / "lee" / "result.full.json").read_text())["messages"][0]
    assert message == "lee: the submission holds no notebook; expected exactly one.", message
