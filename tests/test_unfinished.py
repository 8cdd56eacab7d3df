"""grader.unfinished: a class run killed before its end (``kill -9``, the OOM killer) left the
earlier run's grades.csv, report.html and similarity.csv reading as current, even after a rubric
change. Now it leaves no grades.csv, the last finished run's class files as previous-NAME, and a
note saying what happened and what to do; the next run finishes the job and removes both."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.unfinished import UNFINISHED_NOTE, earlier, finished, previous, set_aside
from tests import notebooks as nbs

ROOT = Path(__file__).resolve().parent.parent
CLASS_FILES = ("grades.csv", "report.html", "similarity.csv")


def _grade(subs: Path, out: Path, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "grade.py"), str(subs), "--out", str(out),
                             "--jobs", "2", "--no-html"], **popen)


@pytest.mark.slow
def test_a_run_killed_outright_leaves_no_gradebook_to_take_for_its_own(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    for name in ("alice", "bob"):
        nbs.write(subs / f"{name}.ipynb", nbs.course_notebook())
    assert _grade(subs, out, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).wait() == 0
    before = {name: (out / name).read_bytes() for name in CLASS_FILES}
    loops = (ROOT / "submissions" / "barbara_loops_forever.ipynb").read_bytes()
    for k in range(12):  # each holds a worker for its timeout: the run lasts seconds
        (subs / f"loops{k}.ipynb").write_bytes(loops)
    log = tmp_path / "log"
    with open(log, "wb") as said:
        run = _grade(subs, out, stdout=said, stderr=said, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while b"Grading 12 of 14" not in log.read_bytes() and run.poll() is None:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        time.sleep(0.5)
        assert run.poll() is None, "the run ended before the test could kill it"
        os.killpg(run.pid, signal.SIGKILL)  # grade.py and its workers, as the OOM killer or a reboot
        run.wait()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
    for name in CLASS_FILES:
        assert not (out / name).exists(), f"{name} of the run before reads as the killed run's"
        assert previous(out, name).read_bytes() == before[name]
    note = (out / UNFINISHED_NOTE).read_text()
    assert "stopped before it finished" in note and "previous-grades.csv" in note, note

    for k in range(12):  # the next run, quick: the looping notebooks handed in again as right ones
        nbs.write(subs / f"loops{k}.ipynb", nbs.course_notebook())
    done = subprocess.run([sys.executable, str(ROOT / "grade.py"), str(subs), "--out", str(out),
                           "--jobs", "2", "--no-html", "--no-similarity"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"The run before this one into {out} did not finish ({UNFINISHED_NOTE} was there)" in done.stderr
    assert (out / "grades.csv").read_text().count("\n") == 15
    assert not (out / UNFINISHED_NOTE).exists()
    assert [p.name for p in out.iterdir() if p.name.startswith("previous-")] == []


def test_class_files_are_set_aside_while_a_run_grades_and_removed_when_it_finishes(tmp_path):
    (tmp_path / "grades.csv").write_text("submission,score\nalice,3\n")
    (tmp_path / "report.html").write_text("<p>old</p>")
    said = set_aside(tmp_path, names=CLASS_FILES)
    assert not (tmp_path / "grades.csv").exists() and not (tmp_path / "report.html").exists()
    assert said is None  # the note says it; a run that stops says it (still_aside, stopped)
    assert "previous-grades.csv, previous-report.html" in (tmp_path / UNFINISHED_NOTE).read_text()
    assert earlier(tmp_path, "grades.csv") == tmp_path / "previous-grades.csv"
    assert earlier(tmp_path, "similarity.csv") == tmp_path / "similarity.csv"  # none: the name
    # A run killed, then another: the last finished run's files stay as they are.
    again = set_aside(tmp_path, names=CLASS_FILES)
    assert "did not finish" in again and (tmp_path / "previous-grades.csv").read_text().endswith("alice,3\n")
    (tmp_path / "grades.csv").write_text("submission,score\nalice,4\n")  # the run's own
    finished(tmp_path, names=CLASS_FILES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grades.csv"]
    assert earlier(tmp_path, "grades.csv") == tmp_path / "grades.csv"


def test_a_folder_without_class_files_says_nothing_but_keeps_the_note(tmp_path):
    assert set_aside(tmp_path, names=CLASS_FILES) is None
    assert "(none: no run had finished here)" in (tmp_path / UNFINISHED_NOTE).read_text()


def test_folders_under_the_class_files_names_left_by_an_earlier_grader_do_not_stop_the_run(tmp_path):
    """Thirty-fourth session (hostile): a grader before it let a student's notebook named
    ``previous-grades.csv.ipynb`` or ``GRADING-NOT-FINISHED.txt.ipynb`` make a folder of that name
    in the output folder (``discover.RESERVED_IDS`` now renames them). Such a folder stayed there,
    and every later run into the folder stopped at ``set_aside`` (IsADirectoryError: grades.csv
    renamed onto it). The class file is left in place beside it, the note not written where a
    folder holds its name, and the folders kept: they hold an earlier run's results."""
    import io

    from grader import commands

    subs, out = tmp_path / "subs", tmp_path / "out"
    nbs.write(subs / "bob.ipynb", nbs.course_notebook())
    nbs.write(subs / "ann.ipynb", nbs.course_notebook())
    commands.grade_class(subs, out_dir=out, jobs=1, similarity=False, feedback_html=False,
                         stream=io.StringIO(), progress_bar=False)
    left = [previous(out, "grades.csv"), previous(out, "report.html"), out / UNFINISHED_NOTE]
    for folder in left:
        folder.mkdir()
        (folder / "result.full.json").write_text("{}")
    assert set_aside(out, names=("grades.csv", "report.html")) is None
    assert (out / "grades.csv").is_file() and (out / "report.html").is_file()
    finished(out, names=("grades.csv", "report.html"))
    summary = commands.grade_class(subs, out_dir=out, jobs=1, similarity=False, feedback_html=False,
                                   stream=io.StringIO(), progress_bar=False, force=True)
    assert summary.graded == 2 and (out / "grades.csv").is_file()
    assert all((folder / "result.full.json").is_file() for folder in left)


def test_a_routine_regrade_says_nothing_of_the_files_it_set_aside_and_an_interrupted_one_does(tmp_path, monkeypatch):
    """On main every run printed "The last run's class files are previous-grades.csv, ... until
    this run finishes", a regrade that finished a second later too: it helps only where a run
    stops and leaves them."""
    from tests.test_commands_regrade import grade, small_class

    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    grade(subs, out, similarity=False)
    nbs.write(subs / "bob.ipynb", nbs.course_notebook())
    _, printed = grade(subs / "bob.ipynb", out, similarity=False)
    assert "previous-" not in printed and "until this run finishes" not in printed, printed
    assert not (out / "previous-grades.csv").exists() and (out / "grades.csv").is_file()
    # Interrupted before the class was graded: they stay, and the run says so.
    from grader.batch import BatchInterrupted, WorkerPool

    def stopped(self, *args, **kwargs):
        raise BatchInterrupted([])

    monkeypatch.setattr(WorkerPool, "run", stopped)
    nbs.write(subs / "carol.ipynb", nbs.course_notebook())
    _, printed = grade(subs, out, similarity=False)
    assert "The last finished run's class files stay, as previous-grades.csv" in printed, printed
    assert (out / "previous-grades.csv").is_file()
