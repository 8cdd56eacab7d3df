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

import pytest

from grader import commands
from grader import classsummary
from grader import exits
from tests import notebooks as nbs


def grade(subs: Path, out: Path) -> tuple[classsummary.ClassSummary, str]:
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
    assert message == ("lee: the submission holds no notebook; expected exactly one. It holds notes.txt: hand "
                       "in the .ipynb file Jupyter saves (File > Save)."), message  # what (thirty-second session)


# --------------------------------------------------------------------------- an output path the reference does not have

def test_an_output_path_the_reference_does_not_have_is_refused_at_its_line(tmp_path, capsys):
    """``cache: path "[3]"`` for the 3-tuple of rnn_cell_forward was accepted by the loader, by
    ``regenerate`` and by ``regenerate --check``; a right answer then passed (it matched the
    fixture whole) and every student with any output wrong was a harness failure, "our bugs"."""
    from grader import regenerate
    from grader.fixtures import FixtureError, load_fixtures
    from grader.rubric import load_rubric
    from tests.test_rubric import BASE

    rubric_path = tmp_path / "course" / "quiz.yaml"
    rubric_path.parent.mkdir()
    rubric_path.write_text(BASE)
    assert regenerate.main([str(rubric_path)]) == 0
    bad = BASE.replace('{name: cache, path: "[2]", weight: 1}', '{name: cache, path: "[3]", weight: 1}')
    assert bad != BASE
    rubric_path.write_text(bad)  # paths are not in a case's spec: the fixtures stay "fresh"
    rubric = load_rubric(rubric_path)
    with pytest.raises(FixtureError) as info:
        load_fixtures(rubric)
    message = str(info.value)
    assert message.startswith(f"{rubric_path}:10: output 'cache' has path '[3]'"), message
    assert "tuple of length 3" in message and "fix the path" in message, message
    capsys.readouterr()
    assert regenerate.main([str(rubric_path), "--check"]) == 2
    assert f"{rubric_path}:10: output 'cache' has path '[3]'" in capsys.readouterr().err
    rubric_path.write_text(BASE)  # the control: the right path loads
    assert len(load_fixtures(load_rubric(rubric_path))) == 3


def test_a_roster_whose_students_all_submitted_says_so_without_a_zero(tmp_path):
    """It printed "0 with no submission (in OUT/grades.csv with 0 and status 'no submission')"."""
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    roster = tmp_path / "class.csv"
    roster.write_text("id,name\nADA,Ada Lovelace\n")
    stream = io.StringIO()
    commands.grade_class(subs, out_dir=tmp_path / "out", jobs=1, similarity=False, feedback_html=False,
                         stream=stream, roster=roster)
    line = next(l for l in stream.getvalue().splitlines() if l.startswith("Roster:"))
    assert line == "Roster: 1 student(s); each with a submission", line


def test_an_output_folder_that_is_the_submissions_folder_is_named_as_the_problem(tmp_path):
    """``--out`` the submissions folder itself said "no submissions found besides the output
    folder" of a folder full of notebooks."""
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    nbs.write(subs / "bob.ipynb", nbs.course_notebook())
    for out in (subs, tmp_path):
        with pytest.raises(exits.CommandError) as info:
            grade(subs, out)
        message = str(info.value)
        assert message.startswith(f"{out}: the output folder holds the submissions folder {subs}"), message
        assert "2 submission(s)" in message and "give --out another folder" in message, message
    assert sorted(p.name for p in subs.iterdir()) == ["ada.ipynb", "bob.ipynb"]  # nothing written there
    # An empty folder is still "no submissions".
    (tmp_path / "empty").mkdir()
    with pytest.raises(exits.CommandError, match="no submissions found"):
        grade(tmp_path / "empty", tmp_path / "empty" / "out")


def test_a_rerun_without_the_roster_or_excel_says_what_the_gradebook_lost(tmp_path):
    """Neither --roster nor --excel was remembered: the re-run for late submissions without them
    wrote a gradebook without the students who submitted nothing, and said nothing. Since the
    thirty-fifth session they are (test_classoptions); an output folder of an older grader, with
    no grading-options.json, is still told what its gradebook lost."""
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    roster = tmp_path / "class.csv"
    roster.write_text("id,name\nada,Ada\ncleo,Cleo\n")
    out = tmp_path / "out"
    stream = io.StringIO()
    commands.grade_class(subs, out_dir=out, jobs=1, similarity=False, feedback_html=False,
                         stream=stream, roster=roster, excel=True)
    assert "The earlier" not in stream.getvalue()
    (out / "grading-options.json").unlink()  # as an older grader left the folder
    nbs.write(subs / "late.ipynb", nbs.course_notebook())
    _, printed = grade(subs, out)
    assert "this run was given no --roster" in printed and "run again with --roster FILE" in printed, printed
    assert "written for Excel (--excel)" in printed, printed
    assert "cleo" not in (out / "grades.csv").read_text()  # what the line warns of
    _, printed = grade(subs, out)  # the gradebook is now plain: nothing more to say
    assert "The earlier" not in printed, printed


def test_the_caches_beside_a_course_rubric_are_ignored_by_git(tmp_path):
    """A TA keeps ``course/quiz.yaml`` and its fixtures in the course's repository; the first class
    run left ``course/.cache/`` and ``course/fixtures/.cache/`` (marshal files), which
    ``git add course`` committed."""
    import shutil
    import subprocess

    from grader import regenerate
    from tests.test_rubric import BASE

    if shutil.which("git") is None:
        pytest.skip("no git")
    repo = tmp_path / "repo"
    course = repo / "course"
    course.mkdir(parents=True)
    (course / "quiz.yaml").write_text(BASE)
    assert regenerate.main([str(course / "quiz.yaml")]) == 0
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    commands.grade_class(subs, out_dir=tmp_path / "out", rubric=course / "quiz.yaml", jobs=1,
                         similarity=False, feedback_html=False, stream=io.StringIO())
    assert list((course / "fixtures" / ".cache").glob("*.marshal")) and list((course / ".cache").glob("*.marshal"))
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    listed = subprocess.run(["git", "status", "--porcelain", "-uall"], cwd=repo, check=True,
                            capture_output=True, text=True).stdout.split()
    assert sorted(name for name in listed if name != "??") == [
        "course/fixtures/demo.hidden.json", "course/fixtures/demo.public.json", "course/quiz.yaml"], listed
