"""A TA's class runs in the week the assignment is due (session 26): a run interrupted, a disk that
fills up, a student who withdraws. Each class is made here, from tests/notebooks.py."""
from __future__ import annotations

import csv
import errno
import html
import io
from pathlib import Path

import pytest

from grader import classrun, commands
from grader import classsummary
from grader import exits
from grader.batch import BatchInterrupted, WorkerPool
from grader.incremental import KEY_FILE
from tests import notebooks as nbs


@pytest.fixture(autouse=True)
def steady_grader(monkeypatch):
    """Edits to grader/ by others during a test must not make the keys stale (see test_batch)."""
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")


def small_class(folder: Path) -> Path:
    """Two students: a right notebook and one with a wrong RNN cell."""
    nbs.write(folder / "alice.ipynb", nbs.course_notebook())
    nbs.write(folder / "bob.ipynb", nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    return folder


def run(subs: Path, out: Path, **options) -> tuple[classsummary.ClassSummary, str]:
    """grade.py SUBS --out OUT --jobs 1 (in this process), with what it printed."""
    stream = io.StringIO()
    summary = commands.grade_class(subs, out_dir=out, jobs=1, progress_bar=False, stream=stream,
                                   **options)
    return summary, stream.getvalue()


def gradebook(out: Path) -> set[str]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        return {row["submission"] for row in csv.DictReader(handle)}


def test_an_interrupted_run_leaves_no_report_of_an_earlier_run(tmp_path, monkeypatch):
    """report.html is the class report of one run; after an interrupted run the earlier run's
    report read as this one's (bob's old score beside the gradebook's new one), while the
    earlier similarity.csv was already removed for that reason."""
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    summary, _ = run(subs, out)
    assert summary.class_report == out / "report.html" and (out / "report.html").is_file()

    def interrupted(self, *args, **kwargs):
        raise BatchInterrupted([])

    monkeypatch.setattr(WorkerPool, "run", interrupted)
    summary, printed = run(subs, out, force=True)
    assert summary.interrupted
    assert not (out / "report.html").exists(), printed
    assert f"Removed {out / 'report.html'}" in printed
    assert not (out / "similarity.csv").exists()


def test_a_feedback_page_not_written_leaves_no_key_so_the_next_run_writes_it(tmp_path, monkeypatch):
    """feedback.html failed (the output folder's disk was full) while the key was written: the
    next run, with space again, kept the student as unchanged and their page was never written
    (seen on a 120 KiB tmpfs: edsger_unfinished kept, without feedback.html, until --force)."""
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    import grader.feedback_html

    real = grader.feedback_html.write_feedback_html

    def disk_full(result, **kwargs):
        if result.submission_id == "bob":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(result, **kwargs)

    monkeypatch.setattr(grader.feedback_html, "write_feedback_html", disk_full)
    summary, _ = run(subs, out)
    assert summary.report_problems == ("bob",)
    assert not (out / "bob" / "feedback.html").exists()
    assert not (out / "bob" / KEY_FILE).exists()  # nothing vouches for an incomplete folder
    assert (out / "alice" / KEY_FILE).is_file()

    monkeypatch.setattr(grader.feedback_html, "write_feedback_html", real)
    summary, printed = run(subs, out)
    assert "Grading 1 of 2" in printed and "bob" in printed.split("Grading 1 of 2")[1], printed
    assert (out / "bob" / "feedback.html").is_file() and (out / "bob" / KEY_FILE).is_file()
    assert not (out / "bob" / "grader-errors.txt").exists()
    assert gradebook(out) == {"alice", "bob"}


def test_without_feedback_html_wanted_the_key_is_written(tmp_path):
    """--no-html: no page was asked for, so the folder is complete without one."""
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    run(subs, out, feedback_html=False)
    assert (out / "bob" / KEY_FILE).is_file() and not (out / "bob" / "feedback.html").exists()
    _, printed = run(subs, out, feedback_html=False)
    assert "Grading 0 of 2" in printed, printed


def test_a_run_without_pages_keeps_the_class_and_its_pages(tmp_path):
    """Thirty-third session: whether feedback.html was wanted was part of every key, so a TA's
    quick ``--no-html`` run over a graded class regraded everyone, without saying why, and
    deleted every student's feedback.html; the next run with pages regraded everyone again. A
    ``--no-html`` run now keeps the folders graded with their page (of the same result), and a
    run wanting pages grades again those graded without one, saying so."""
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    run(subs, out, similarity=False)
    page = (out / "bob" / "feedback.html").read_bytes()
    summary, printed = run(subs, out, feedback_html=False, similarity=False)
    assert summary.skipped == 2 and "Grading 0 of 2" in printed, printed
    assert (out / "bob" / "feedback.html").read_bytes() == page
    summary, printed = run(subs, out, similarity=False)
    assert summary.skipped == 2, printed
    nbs.write(subs / "carol.ipynb", nbs.course_notebook())
    run(subs, out, feedback_html=False, similarity=False)  # carol graded without her page
    assert not (out / "carol" / "feedback.html").exists()
    summary, printed = run(subs, out, similarity=False)
    assert summary.skipped == 2 and "Grading 1 of 3" in printed
    assert (f"Graded before in {out} with no feedback.html (--no-html) (1): graded again") in printed
    assert (out / "carol" / "feedback.html").is_file()


def test_a_full_disk_stops_the_run_with_one_clear_message_and_keeps_what_was_graded(
        tmp_path, monkeypatch):
    """The output folder's disk filling up ended the run in tracebacks of the workers and of
    grade.py itself (exit status 1), with nothing said about what to do (seen on a 120 KiB
    tmpfs). Now it is one message naming the folder, and the next run, with space again,
    grades only what was not finished."""
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    import grader.batch
    import grader.report

    real = grader.report.write_submission_record

    def disk_full(result, folder, **kwargs):
        if result.submission_id == "bob":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(result, folder, **kwargs)

    monkeypatch.setattr(grader.batch, "write_submission_record", disk_full)
    monkeypatch.setattr(grader.report, "write_submission_record", disk_full)
    with pytest.raises(exits.CommandError) as info:
        run(subs, out)
    message = str(info.value)
    assert message.startswith(f"{out}: "), message
    assert "No space left on device" in message and "run the same command again" in message
    assert (out / "alice" / KEY_FILE).is_file()  # graded before the disk filled up: kept
    assert not (out / "bob" / KEY_FILE).exists()
    # How much room the rest needs, from alice's folder (written whole): bob's still to write.
    assert "The rest of the run needs about " in message, message
    assert "(1 submission(s) still to write at " in message and "the mean of the 1 written" in message

    monkeypatch.setattr(grader.batch, "write_submission_record", real)
    monkeypatch.setattr(grader.report, "write_submission_record", real)
    summary, printed = run(subs, out)
    assert "Grading 1 of 2" in printed and summary.graded == 2, printed
    assert gradebook(out) == {"alice", "bob"}


def test_grade_py_says_the_disk_is_full_with_exit_status_2(tmp_path, monkeypatch, capsys):
    import grade
    import grader.batch

    def disk_full(result, folder, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(grader.batch, "write_submission_record", disk_full)
    monkeypatch.setattr("grader.report.write_submission_record", disk_full)
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    assert grade.main([str(subs), "--out", str(out), "--jobs", "1"]) == exits.EXIT_USAGE
    err = capsys.readouterr().err
    assert f"grade.py: {out}: " in err and "No space left on device" in err, err
    assert "Traceback" not in err.split("grade.py: ")[-1]


def test_a_full_disk_leaves_no_earlier_gradebook_to_read_as_this_runs(tmp_path, monkeypatch):
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    run(subs, out)
    assert (out / "grades.csv").is_file() and (out / "report.html").is_file()
    nbs.write(subs / "bob.ipynb", nbs.course_notebook())  # bob resubmits: his score changes
    import grader.batch

    def disk_full(result, folder, **kwargs):
        raise OSError(errno.EDQUOT, "Disk quota exceeded")

    monkeypatch.setattr(grader.batch, "write_submission_record", disk_full)
    monkeypatch.setattr("grader.report.write_submission_record", disk_full)
    with pytest.raises(exits.CommandError, match="Disk quota exceeded"):
        run(subs, out)
    assert not (out / "grades.csv").exists() and not (out / "report.html").exists()
    assert not (out / "similarity.csv").exists()


def test_a_student_removed_from_the_class_is_named_by_the_next_run(tmp_path):
    """bob withdrew: his notebook is taken out of the folder. He left grades.csv, report.html and
    similarity.csv, but OUT/bob/ (results.json, feedback) stayed without a word, and a TA who
    hands back every folder of OUT handed back his. The run now names such folders."""
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    nbs.write(subs / "carol.ipynb", nbs.course_notebook())
    run(subs, out)
    (subs / "bob.ipynb").unlink()
    summary, printed = run(subs, out)
    assert gradebook(out) == {"alice", "carol"}
    assert summary.former == ("bob",)
    line = next(line for line in printed.splitlines() if "bob" in line)
    assert line.startswith("Not among this run's submissions: bob"), printed
    assert str(out) in line and "grades.csv" in line
    assert (out / "bob" / "results.json").is_file()  # kept: never removed by the grader
    page = html.unescape((out / "report.html").read_text(encoding="utf-8"))
    assert "Not among this run's submissions: bob" in page


def test_folders_the_grader_did_not_write_are_not_named(tmp_path):
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    (out / "notes").mkdir(parents=True)
    (out / "notes" / "todo.txt").write_text("mark by Friday", encoding="utf-8")
    summary, printed = run(subs, out)
    assert summary.former == () and "Not among" not in printed


@pytest.mark.parametrize("step", ["run_similarity", "write_report_html"])
def test_ctrl_c_during_the_similarity_check_or_the_report_leaves_no_earlier_ones(
        tmp_path, monkeypatch, step):
    """Ctrl-C after the grading, while the similarity check (seconds for a large class) or the
    class report ran, ended in 'grade.py: interrupted' with the gradebook new and the earlier
    run's similarity.csv and report.html left as if they were this run's."""
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    run(subs, out)
    assert (out / "similarity.csv").is_file() and (out / "report.html").is_file()
    nbs.write(subs / "bob.ipynb", nbs.course_notebook())  # bob's corrected notebook

    def ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(classrun, step, ctrl_c)
    summary, printed = run(subs, out)
    assert summary.interrupted and "Interrupted" in printed, printed
    assert not (out / "report.html").exists()
    # Interrupted in the check, its earlier file is gone; in the report, the file is this run's.
    assert (out / "similarity.csv").exists() == (step == "write_report_html")
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        scores = {row["submission"]: float(row["score"]) for row in csv.DictReader(handle)}
    assert scores["bob"] == scores["alice"] >= 100  # the gradebook is this run's


def test_an_interrupted_force_run_says_how_to_resume_it(tmp_path, monkeypatch):
    """After Ctrl-C of 'grade.py SUBS --force' the run said 'the next run resumes from it'; the
    same command, --force and all, grades everyone again. Without --force it resumes."""
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    run(subs, out)
    real = WorkerPool.run

    def interrupted(self, *args, **kwargs):
        raise BatchInterrupted([])

    monkeypatch.setattr(WorkerPool, "run", interrupted)
    _, printed = run(subs, out, force=True)
    assert "run the same command without --force to resume" in printed, printed
    monkeypatch.setattr(WorkerPool, "run", real)
    _, printed = run(subs, out)
    assert "Grading 0 of 2" in printed, printed  # nothing was regraded: every key still holds


class _Terminated(Exception):
    """What this test's own SIGTERM handler raises: the test process is never killed."""


def test_sigterm_while_a_class_zip_is_unpacked_removes_the_unpacked_class(tmp_path, monkeypatch):
    """A job's time limit (SIGTERM) during the start of a run killed grade.py outright (exit
    143, nothing said): the class zip's extracted notebooks stayed in the temporary directory
    (seen: /tmp/grade-zip-* after 'kill -TERM' 0.3 s into a run of class-400's zip). Now
    SIGTERM is Ctrl-C from the first line: the run stops, its folders are removed."""
    import os
    import signal
    import tempfile
    import zipfile

    subs = small_class(tmp_path / "subs")
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for notebook in subs.iterdir():
            handle.write(notebook, f"class/{notebook.name}")
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))

    def terminated(signum, frame):
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        import grader.discover

        found = grader.discover.find_submissions

        def term_then_find(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGTERM)  # the class zip is extracted by now
            return found(*args, **kwargs)

        monkeypatch.setattr(grader.discover, "find_submissions", term_then_find)
        with pytest.raises(KeyboardInterrupt):
            run(archive, tmp_path / "out")
        assert signal.getsignal(signal.SIGTERM) is terminated  # put back as it was
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert not list(temp.glob("grade-zip-*")), list(temp.iterdir())


def test_a_run_puts_back_the_callers_sigterm_handler(tmp_path):
    import signal

    before = signal.getsignal(signal.SIGTERM)
    run(small_class(tmp_path / "subs"), tmp_path / "out", feedback_html=False, similarity=False)
    assert signal.getsignal(signal.SIGTERM) is before


def test_an_output_path_that_is_a_file_is_refused_before_grading(tmp_path):
    """--out naming a file (a TA's typo: --out grades.csv) ended in a FileExistsError traceback."""
    subs = small_class(tmp_path / "subs")
    (tmp_path / "grades.csv").write_text("kept\n", encoding="utf-8")
    with pytest.raises(exits.CommandError) as info:
        run(subs, tmp_path / "grades.csv")
    assert str(info.value).startswith(f"{tmp_path / 'grades.csv'}: the output folder cannot be used "
                                      f"(a file, not a folder)"), info.value
    assert (tmp_path / "grades.csv").read_text(encoding="utf-8") == "kept\n"


def test_an_output_folder_that_cannot_be_written_is_refused_before_grading(tmp_path, monkeypatch):
    """A read-only output folder (a read-only mount, another user's folder) ended in tracebacks of
    the workers and of grade.py, exit status 1, after the grading had started (seen with a
    read-only tmpfs). Simulated here: making a file in the folder is refused."""
    import tempfile as tempfile_module

    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    out.mkdir()
    real = tempfile_module.mkstemp

    def read_only(*args, dir=None, **kwargs):
        if dir is not None and Path(dir) == out:
            raise OSError(errno.EROFS, "Read-only file system", str(out))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile_module, "mkstemp", read_only)
    with pytest.raises(exits.CommandError) as info:
        run(subs, out)
    message = str(info.value)
    assert message.startswith(f"{out}: the output folder cannot be used"), message
    # Nothing written but the folder's lock (which a really read-only folder cannot hold either).
    assert "Read-only file system" in message and [p.name for p in out.iterdir()] == [".grading.lock"]


def test_a_killed_runs_temporary_files_in_the_output_folder_are_removed(tmp_path):
    """Thirty-third session: a run killed (kill -9, a power cut) while it wrote grades.csv or
    report.html left ``.report.html.<pid>.<thread>.tmp`` beside them, named for the dead run's
    process, so no later run wrote over it: a class report's copy stayed for good. A run holding
    the folder's lock removes them; a student's folder and other files are left alone."""
    import io

    from grader import commands
    from tests import notebooks as nbs

    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    out = tmp_path / "out"
    (out / ".cache").mkdir(parents=True)
    stale = [out / ".report.html.4242.140000.tmp", out / ".grades.csv.4242.140000.tmp",
             out / ".cache" / ".similarity.marshal.4242.1.tmp"]
    for path in stale:
        path.write_text("half of a file")
    (out / "notes.tmp").write_text("the TA's own")
    commands.grade_class(subs, out_dir=out, jobs=1, feedback_html=False, similarity=False,
                         stream=io.StringIO(), progress_bar=False)
    assert not any(path.exists() for path in stale)
    assert (out / "notes.tmp").read_text() == "the TA's own" and (out / "grades.csv").is_file()


def test_an_interrupted_run_names_the_submissions_it_did_not_reach(tmp_path, monkeypatch):
    """Thirty-fourth session: Ctrl-C before two new notebooks' turn printed "Graded 2 of 4 (2 in
    this run, 2 unchanged ...)" and "Gradebook: .../grades.csv": the two it had not graded were in
    no file, and nothing said the gradebook was part of the class."""
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    run(subs, out, similarity=False)
    for name in ("carol", "dave"):
        nbs.write(subs / f"{name}.ipynb", nbs.course_notebook())

    def interrupted(self, *args, **kwargs):
        raise BatchInterrupted([])

    monkeypatch.setattr(WorkerPool, "run", interrupted)
    summary, printed = run(subs, out, similarity=False)
    assert summary.interrupted and summary.not_graded == ("carol", "dave")
    assert "Graded 2 of 4 (0 in this run, 2 unchanged since the last run and kept, 2 not reached)" in printed
    assert (f"Not graded, the run was interrupted before their turn: 2 submission(s) (carol, dave), "
            f"not in {out / 'grades.csv'}. Upload no score from this gradebook yet: run the same "
            f"command again") in printed, printed
    assert gradebook(out) == {"alice", "bob"}
    # The last finished run's gradebook (of the whole class then) is kept, with the note, until a
    # run finishes: Ctrl-C deleted it.
    assert (out / "previous-grades.csv").is_file() and (out / "GRADING-NOT-FINISHED.txt").is_file()
    assert f"The last finished run's class files stay, as previous-grades.csv" in printed, printed

    monkeypatch.undo()
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")
    summary, printed = run(subs, out, similarity=False)
    assert summary.graded == 4 and not summary.interrupted
    assert "The run before this one into" in printed and "did not finish" in printed
    assert gradebook(out) == {"alice", "bob", "carol", "dave"}
    assert not (out / "previous-grades.csv").exists() and not (out / "GRADING-NOT-FINISHED.txt").exists()


def test_a_crash_after_the_class_files_were_set_aside_says_what_is_left(tmp_path, monkeypatch):
    """A grader bug while the gradebook was written ended the run in a traceback alone, with the
    last finished run's gradebook renamed previous-grades.csv and GRADING-NOT-FINISHED.txt in the
    folder, which nothing named: the TA had no grades.csv and no word of where it was."""
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    run(subs, out, similarity=False)
    import grader.report

    def broken(self, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(grader.report.Gradebook, "write", broken)
    with pytest.raises(RuntimeError) as info:
        run(subs, out, similarity=False)
    said = " ".join(getattr(info.value, "__notes__", ()))
    assert said.startswith("The run stopped before it wrote its class files: what it graded is kept"), said
    assert f"{out / 'GRADING-NOT-FINISHED.txt'} says so" in said
    assert f"the last finished run's class files are {out / 'previous-grades.csv'}, " in said
    assert "run the same command again" in said and said.endswith("the traceback is the grader's bug: send "
                                                                   "it to whoever maintains the grader")
    assert (out / "previous-grades.csv").is_file() and not (out / "grades.csv").exists()


def test_ctrl_c_while_the_gradebook_is_written_says_what_is_left(tmp_path, monkeypatch, capsys):
    """Ctrl-C where the run does not catch it (writing the gradebook) said `grade.py: interrupted`
    and nothing of the previous-* files and the note it left."""
    import grade
    import grader.report

    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    assert grade.main([str(subs), "--out", str(out), "--jobs", "1", "--no-similarity"]) == 0
    capsys.readouterr()

    def stopped(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(grader.report.Gradebook, "write", stopped)
    assert grade.main([str(subs), "--out", str(out), "--jobs", "1", "--no-similarity"]) == 130
    err = capsys.readouterr().err
    last = err.rstrip("\n").rsplit("\n", 1)[-1]
    assert last.startswith("grade.py: interrupted. The run stopped before it wrote its class files"), err
    assert str(out / "previous-grades.csv") in err and "GRADING-NOT-FINISHED.txt" in err


def test_a_full_disk_names_the_previous_files_only_when_they_are_there(tmp_path, monkeypatch):
    """The full disk's message said the last finished run's class files were the folder's
    previous-* on a first run too, where there were none."""
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    import grader.batch

    def disk_full(result, folder, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    real = grader.batch.write_submission_record
    monkeypatch.setattr(grader.batch, "write_submission_record", disk_full)
    monkeypatch.setattr("grader.report.write_submission_record", disk_full)
    with pytest.raises(exits.CommandError) as info:
        run(subs, out, similarity=False)
    assert "previous-" not in str(info.value), info.value

    monkeypatch.setattr(grader.batch, "write_submission_record", real)
    monkeypatch.setattr("grader.report.write_submission_record", real)
    run(subs, out, similarity=False)
    nbs.write(subs / "bob.ipynb", nbs.course_notebook())  # bob resubmits
    monkeypatch.setattr(grader.batch, "write_submission_record", disk_full)
    monkeypatch.setattr("grader.report.write_submission_record", disk_full)
    with pytest.raises(exits.CommandError) as info:
        run(subs, out, similarity=False)
    assert "the last finished run's are the folder's previous-grades.csv" in str(info.value), info.value


def test_the_class_report_says_how_its_results_were_graded_on_every_run(tmp_path):
    """On main the sandbox's line ('sandbox (non-root): ...; NOT enforced: ...') was only printed
    while grading: report.html said nothing of a class graded with fewer protections, and a re-run
    with nothing to grade starts no sandbox, so printed none either. Now the folder remembers the
    sandbox of the runs whose results it holds (grading-options.json) and report.html says it."""
    import json

    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    _, printed = run(subs, out, similarity=False)
    this_run = json.loads((out / "grading-options.json").read_text())["sandboxes"]
    assert len(this_run) == 1 and this_run[0].startswith("sandbox (") and f"Sandbox: {this_run[0]}" in printed
    said = f"These results were graded with the {this_run[0]}"
    assert html.escape(said) in (out / "report.html").read_text("utf-8")
    _, printed = run(subs, out, similarity=False)  # nothing to grade: no sandbox started
    assert "Sandbox:" not in printed and html.escape(said) in (out / "report.html").read_text("utf-8")
    # Results an earlier run graded without root's protections, kept beside a new student's.
    options = json.loads((out / "grading-options.json").read_text())
    weaker = "sandbox (non-root): rlimits(AS); NOT enforced: per-slot uid"
    (out / "grading-options.json").write_text(json.dumps({**options, "sandboxes": [weaker]}))
    nbs.write(subs / "carol.ipynb", nbs.course_notebook())
    run(subs, out, similarity=False)
    page = (out / "report.html").read_text("utf-8")
    assert html.escape(f"Some of these results were graded with the {weaker}") in page
    assert html.escape(f"Some of these results were graded with the {this_run[0]}") in page
    run(subs, out, similarity=False, force=True)  # everyone graded again: this run's sandbox alone
    assert json.loads((out / "grading-options.json").read_text())["sandboxes"] == this_run
    assert weaker not in (out / "report.html").read_text("utf-8")


def test_graded_with_keeps_the_kept_results_sandboxes():
    assert classrun._graded_with(("a",), sandbox="b", everyone=False) == ("a", "b")
    assert classrun._graded_with(("a",), sandbox="b", everyone=True) == ("b",)
    assert classrun._graded_with(("a", "b"), sandbox="", everyone=False) == ("a", "b")  # graded none
    assert classrun._graded_with(("a", "b"), sandbox="a", everyone=False) == ("a", "b")
