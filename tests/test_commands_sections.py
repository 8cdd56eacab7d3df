"""grader.commands: several SUBMISSIONS into one gradebook (``grade.py sec1.zip sec2.zip``: two
sections' Canvas downloads, or a folder and a late zip). Until the thirty-fifth session the command
line refused a second argument, and the docs' way round was to unzip both into one folder first;
now both are graded as one class, and an id found in two of them is refused before anything is
graded, naming both places."""
from __future__ import annotations

import json
import os
import platform
import sys
import zipfile
from pathlib import Path

import pytest

import grade as cli
from grader import commands
from grader import exits
from grader import protectedpaths
from tests import notebooks as nbs
from tests.test_commands_protected_paths import _lister, assert_listing_refused, graded_without_landlock
from tests.test_commands_protected_paths import place  # noqa: F401 - a fixture
from tests.test_commands_regrade import WRONG_CELL, grade, rows, scores

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def steady_grader(monkeypatch):
    """Edits to grader/ by others during a test must not make the keys stale (see test_batch)."""
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")


def section_zip(path: Path, notebooks: dict[str, dict]) -> Path:
    """A Canvas download of one section: ``{file name: notebook}``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, notebook in notebooks.items():
            zf.writestr(name, json.dumps(notebook))
    return path


def test_two_sections_zips_grade_into_one_gradebook_and_are_compared(tmp_path):
    one = section_zip(tmp_path / "sec1.zip", {"smithada_101_1001_rnn.ipynb": nbs.course_notebook(),
                                              "hopperg_102_1002_rnn.ipynb": nbs.course_notebook(WRONG_CELL)})
    two = section_zip(tmp_path / "sec2.zip", {"turinga_201_2001_rnn.ipynb": nbs.course_notebook(WRONG_CELL)})
    out = tmp_path / "out"
    summary, printed = grade([one, two], out)
    assert scores(out) == {"hopperg_102": "90", "smithada_101": "100", "turinga_201": "90"}
    assert summary.total == 3 and "Extracted 1 file(s) from sec2.zip" in printed
    # The similarity check reads both sections: the same code across them is a pair.
    pairs = (out / "similarity.csv").read_text("utf-8")
    assert "hopperg_102,turinga_201" in pairs.replace('"', "")
    # Graded again with the same two: nothing is graded again.
    again, _ = grade([one, two], out)
    assert again.skipped == 3


def test_a_folder_and_a_late_zip_grade_together(tmp_path):
    folder = tmp_path / "class"
    nbs.write(folder / "alice.ipynb", nbs.course_notebook())
    late = section_zip(tmp_path / "late.zip", {"bob.ipynb": nbs.course_notebook(WRONG_CELL)})
    roster = tmp_path / "roster.csv"
    roster.write_text("id\nalice\nbob\ncarol\n", "utf-8")
    grade([folder, late], tmp_path / "out", roster=roster, similarity=False)
    assert [(r["student_id"], r["score"], r["status"]) for r in rows(tmp_path / "out")] == [
        ("alice", "100", "graded"), ("bob", "90", "graded"), ("carol", "0", "no submission")]


def test_one_student_in_two_sources_is_refused_naming_both_before_grading(tmp_path):
    one = section_zip(tmp_path / "sec1.zip", {"smithada_101_1001_rnn.ipynb": nbs.course_notebook()})
    two = section_zip(tmp_path / "sec2.zip", {"smithada_101_3001_rnn.ipynb": nbs.course_notebook(WRONG_CELL),
                                              "turinga_201_2001_rnn.ipynb": nbs.course_notebook()})
    out = tmp_path / "out"
    with pytest.raises(exits.CommandError) as raised:
        grade([one, two], out)
    assert str(raised.value).startswith(
        f"smithada_101: a submission of both {one} (smithada_101_1001_rnn.ipynb) and {two} "
        f"(smithada_101_3001_rnn.ipynb); one gradebook holds one row a student: remove the one not to grade")
    assert not (out / "grades.csv").exists() and not (out / "smithada_101").exists()


def test_a_notebook_among_several_sources_is_refused_with_what_to_run(tmp_path, monkeypatch):
    folder = tmp_path / "class"
    nbs.write(folder / "alice.ipynb", nbs.course_notebook())
    nbs.write(tmp_path / "bob.ipynb", nbs.course_notebook())
    with pytest.raises(exits.CommandError, match=r"bob.ipynb: a notebook among several folders or zips;.*"
                                                    r"graded into the class's output folder after it"):
        grade([folder, tmp_path / "bob.ipynb"], tmp_path / "out")
    # The command to run names the Python that ran grade.py (a venv's), not python3 (thirty-sixth session).
    venv_python = tmp_path / "my venv" / "bin" / "python3"
    monkeypatch.setattr(sys, "executable", str(venv_python))
    with pytest.raises(exits.CommandError) as raised:
        grade([folder, tmp_path / "bob.ipynb"], tmp_path / "out")
    assert f"('{venv_python}' grade.py {tmp_path / 'bob.ipynb'} --out OUT: the class is kept)" in str(raised.value)


def test_every_source_is_hidden_from_the_students_code(tmp_path):
    one, two = tmp_path / "sec1", tmp_path / "sec2"
    one.mkdir()
    two.mkdir()
    protected = protectedpaths.protected_paths(one, two, out_dir=tmp_path / "out")
    assert one.resolve() in protected and two.resolve() in protected


def test_the_command_line_passes_several_folders_and_zips_and_refuses_several_notebooks(tmp_path, monkeypatch, capsys):
    seen = []

    def fake(submissions, **options):
        seen.append(submissions)
        raise exits.CommandError("stop")

    monkeypatch.setattr(commands, "grade_class", fake)
    monkeypatch.setattr(commands, "default_of", lambda function, name: None)  # the fake has no defaults
    assert cli.main(["sec1.zip", "sec2.zip"]) == exits.EXIT_USAGE
    assert seen == [[Path("sec1.zip"), Path("sec2.zip")]]
    cli.main(["class"])
    assert seen[-1] == Path("class")
    with pytest.raises(SystemExit):
        cli.main(["subs/a.ipynb", "subs/b.ipynb"])
    assert "2 notebooks given (subs/a.ipynb, subs/b.ipynb, ...)" in capsys.readouterr().err


def test_a_source_inside_another_is_refused(tmp_path):
    folder = tmp_path / "class"
    nbs.write(folder / "alice" / "rnn.ipynb", nbs.course_notebook())
    with pytest.raises(exits.CommandError, match=f"{folder / 'alice'} is inside {folder}, also given"):
        grade([folder, folder / "alice"], tmp_path / "out")


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="the mounts that hide the protected paths need root")
@pytest.mark.skipif(platform.machine() != "x86_64", reason="the filter names x86-64 system calls")
def test_a_student_of_one_section_cannot_list_the_other_where_landlock_is_absent(place):
    """Each source is hidden as the one folder of a class run is (by a mount where the kernel has
    no Landlock): a student of sec1 listing sec2 is refused."""
    one, two, out = place / "sec1", place / "sec2", place / "out"
    nbs.write(one / "a.ipynb", nbs.course_notebook({"rnn_cell_forward": _lister(two)}))
    nbs.write(two / "b.ipynb", nbs.course_notebook())
    graded_without_landlock(one, two, out=out)
    assert_listing_refused((out / "a" / "feedback.md").read_text())


def test_a_section_left_out_of_a_later_run_is_not_given_zeros_by_a_roster_of_canvas_numbers(tmp_path):
    """After both sections, a run of one of them (a TA who forgot the other) wrote the other's
    students, whose roster ids are Canvas's numbers, with 0 and 'no submission' though their
    results were in the folder (an earlier run's folders were matched to the roster by id alone).
    Now they are 'not in this run', without a score, and the run says to grade the whole class."""
    one = section_zip(tmp_path / "sec1.zip", {"smithada_101_1001_rnn.ipynb": nbs.course_notebook()})
    two = section_zip(tmp_path / "sec2.zip", {"turinga_201_2001_rnn.ipynb": nbs.course_notebook()})
    roster = tmp_path / "course.csv"
    roster.write_text("Student,ID\nAda,101\nAlan,201\nBea,301\n", "utf-8")
    out = tmp_path / "out"
    grade([one, two], out, roster=roster, similarity=False)
    two.unlink()  # still there, the run is refused (the test below)
    _, printed = grade(one, out, similarity=False)
    assert [(r["submission"], r["score"], r["status"]) for r in rows(out)] == [
        ("smithada_101", "100", "graded"), ("turinga_201", "", "not in this run"), ("", "0", "no submission")]
    assert "1 not in this run but graded by an earlier one" in printed and "201" in printed
    # sec2.zip is gone from the remembered sources: 'grade.py --out OUT' would not grade it
    # (thirty-seventh session: the words for a class run, not the one-notebook run's command)
    assert "grade the whole class, every folder and zip it came in, to have their scores" in printed
    assert "(a run of the whole class, every folder and zip it came in, puts back those still in it)" in printed
    assert "--out" not in printed.split("not in this run but graded")[1].splitlines()[0]


def two_sections(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """Two sections graded into one folder with a roster of Canvas numbers (Bea submitted nothing)."""
    one = section_zip(tmp_path / "sec1.zip", {"smithada_101_1001_rnn.ipynb": nbs.course_notebook()})
    two = section_zip(tmp_path / "sec2.zip", {"turinga_201_2001_rnn.ipynb": nbs.course_notebook(WRONG_CELL)})
    roster = tmp_path / "course.csv"
    roster.write_text("Student,ID\nAda,101\nAlan,201\nBea,301\n", "utf-8")
    out = tmp_path / "out"
    grade([one, two], out, roster=roster, similarity=False)
    return one, two, roster, out


def test_a_run_of_one_section_into_the_class_folder_is_refused_naming_the_other(tmp_path):
    """On main the run went on and wrote turinga_201 'not in this run' without a score: the
    gradebook uploaded after it gave Alan nothing. Now it stops before grading, naming sec2.zip and
    the commands; grades.csv is as the class run wrote it."""
    one, two, _, out = two_sections(tmp_path)
    before = (out / "grades.csv").read_bytes()
    with pytest.raises(exits.CommandError) as raised:
        grade(one, out, similarity=False)
    assert str(raised.value).startswith(
        f"the class in {out} was graded from {one} and {two} (remembered in {out / 'grading-options.json'}); "
        f"this run leaves out {two}, whose students would leave grades.csv: give every source "
        f"(python3 grade.py {one} {two} --out {out}, or python3 grade.py --out {out} for those of the last run")
    late = section_zip(tmp_path / "late.zip", {"hopperb_301_3001_rnn.ipynb": nbs.course_notebook()})
    with pytest.raises(exits.CommandError, match="this run leaves out .*sec2.zip") as raised:
        grade([one, late], out, similarity=False)  # a late zip in place of a section, not beside it
    # Said by name (thirty-eighth session): the message spoke of one student's notebook only.
    assert (f"one student's notebook or zip alone (a late submission: its row is updated, the class kept); "
            f"{late} holds one student's work: grade it alone after the class (python3 grade.py {late} --out "
            f"{out}), or another --out") in str(raised.value), raised.value
    assert (out / "grades.csv").read_bytes() == before
    summary, _ = grade([one, two, late], out, similarity=False)  # all three: the late one graded alone
    assert (summary.skipped, [r["status"] for r in rows(out)]) == (2, ["graded"] * 3)


def test_a_regrade_of_one_notebook_keeps_the_sections_remembered(tmp_path):
    one, two, _, out = two_sections(tmp_path)
    nbs.write(tmp_path / "late" / "turinga_201_2002_rnn.ipynb", nbs.course_notebook())  # Alan's fix
    grade(tmp_path / "late" / "turinga_201_2002_rnn.ipynb", out, similarity=False)
    assert [(r["submission"], r["score"]) for r in rows(out)] == [
        ("smithada_101", "100"), ("turinga_201", "100"), ("", "0")]
    assert json.loads((out / "grading-options.json").read_text())["sources"] == [str(one), str(two)]


def test_a_new_download_replaces_the_remembered_sources(tmp_path):
    _, _, _, out = two_sections(tmp_path)
    new = section_zip(tmp_path / "new" / "all.zip", {"smithada_101_1001_rnn.ipynb": nbs.course_notebook(),
                                                     "turinga_201_2001_rnn.ipynb": nbs.course_notebook()})
    grade(new, out, similarity=False)
    assert json.loads((out / "grading-options.json").read_text())["sources"] == [str(new)]


def test_the_command_line_without_submissions_grades_those_the_folder_remembers(tmp_path, capsys):
    one, two, _, out = two_sections(tmp_path)
    assert cli.main(["--out", str(out), "--no-similarity", "--no-html", "--jobs", "1"]) == exits.EXIT_OK
    err = capsys.readouterr().err
    assert (f"Grading the submissions the class in {out} was graded from (its grading-options.json): "
            f"{one} and {two}\n") in err and "Skipping 2 unchanged" in err
    assert [r["status"] for r in rows(out)] == ["graded", "graded", "no submission"]
    two.unlink()
    assert cli.main(["--out", str(out), "--jobs", "1"]) == exits.EXIT_USAGE
    assert f"{two} is no longer there: give the submissions to grade" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # a folder that remembers nothing: the usage line, as before
        cli.main(["--out", str(tmp_path / "empty")])
    assert "give the submissions to grade (a folder, a notebook or a zip), or --check" in capsys.readouterr().err


def test_one_sections_run_with_the_courses_roster_names_the_section_without_submissions(tmp_path):
    """Each section's TA grades their download into their own folder with the course's Canvas
    export as the roster. On main section 2's students were 0, 'no submission', in section 1's
    grades.csv, said only as ids with no submission: a TA pasting its score column zeroed them.
    The run now names the section none of whose students has a submission; with both, nothing."""
    one = section_zip(tmp_path / "sec1.zip", {"smithada_101_1001_rnn.ipynb": nbs.course_notebook(),
                                              "turinga_102_1002_rnn.ipynb": nbs.course_notebook()})
    two = section_zip(tmp_path / "sec2.zip", {"hopperg_201_2001_rnn.ipynb": nbs.course_notebook()})
    roster = tmp_path / "course.csv"
    roster.write_text("Student,ID,Section\nAda,101,Sec 1\nAlan,102,Sec 1\nGrace,201,Sec 2\nEdsger,202,Sec 2\n"
                      "Barbara,203,Sec 2\n", "utf-8")
    summary, printed = grade(one, tmp_path / "outA", roster=roster, similarity=False)
    said = ("Roster: no student of section 'Sec 2' (3 student(s): 201, 202, 203) (the roster's column 'Section') "
            "has a submission, while the other sections' students have: was its download left out?")
    assert said in printed, printed
    assert said.removeprefix("Roster: no") in (tmp_path / "outA" / "report.html").read_text("utf-8").replace("&#x27;", "'")
    _, printed = grade([one, two], tmp_path / "outB", roster=roster, similarity=False)
    assert "Roster: no student of section" not in printed  # 202 and 203 have none, 201 has
    roster.write_text("Student,ID\nAda,101\nAlan,102\nGrace,201\n", "utf-8")
    _, printed = grade(one, tmp_path / "outC", roster=roster, similarity=False)
    assert "Roster: no student of section" not in printed and "1 with no submission: 201" in printed
