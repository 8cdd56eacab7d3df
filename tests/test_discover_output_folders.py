"""grader.discover: an output folder of another class run placed inside the folder graded
(``grade.py subs --out subs/out5``, then ``grade.py subs --out elsewhere``) is no submission.
Until the thirty-seventh session it was graded as a student with no notebook, a 0 row ``out5``
in the gradebook (the thirty-sixth session's review, left); the run's own output folder was
already left out."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from grader.discover import find_submissions, own_folder_note
from grader.outputlock import OUTPUT_LOCK
from tests import notebooks as nbs
from tests.test_commands_regrade import grade, scores


@pytest.fixture(autouse=True)
def steady_grader(monkeypatch):
    """Edits to grader/ by others during a test must not make the keys stale (see test_batch)."""
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")


def _output_folder(folder: Path) -> Path:
    """What a class run leaves in its output folder, in brief: the lock, a gradebook, a student's."""
    (folder / "ada").mkdir(parents=True)
    (folder / "ada" / "results.json").write_text("{}\n")
    (folder / "grades.csv").write_text("submission,score\nada,100\n")
    (folder / OUTPUT_LOCK).write_text("grade.py\n")
    return folder


def test_an_output_folder_inside_the_class_folder_is_found_as_no_submission(tmp_path):
    nbs.write(tmp_path / "ada.ipynb", nbs.course_notebook())
    _output_folder(tmp_path / "out5")
    assert [sub.id for sub in find_submissions(tmp_path)] == ["ada"]
    note = own_folder_note(tmp_path)
    assert note is not None and "out5" in note and "output folder" in note, note


def test_a_students_folder_holding_a_gradebook_is_still_a_submission(tmp_path):
    # Control: only a folder a class run locked is left out; a student's grades.csv is a file of theirs.
    nbs.write(tmp_path / "bob" / "rnn.ipynb", nbs.course_notebook())
    (tmp_path / "bob" / "grades.csv").write_text("submission,score\n")
    assert [sub.id for sub in find_submissions(tmp_path)] == ["bob"]
    assert own_folder_note(tmp_path) is None


def test_another_runs_output_folder_inside_submissions_is_no_row_of_the_gradebook(tmp_path):
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    grade(subs, subs / "out5", similarity=False)  # its own output folder, left out
    assert scores(subs / "out5") == {"ada": "100"}
    _, printed = grade(subs, tmp_path / "out", similarity=False)
    assert scores(tmp_path / "out") == {"ada": "100"}, printed  # no 0 row out5
    assert "Not graded: out5" in printed and "output folder" in printed, printed



@pytest.mark.parametrize("where", ["rnn.ipynb", "work/rnn.ipynb", "work.zip"])
def test_a_students_folder_holding_the_lock_beside_their_work_is_still_a_submission(tmp_path, where):
    """Thirty-eighth session (hostile): a folder holding ``.grading.lock`` was left out whatever else
    it held, so a student whose files a TA put in a folder of folders as handed in (a zip unpacked
    into ``bob/``) could hand in a ``.grading.lock`` beside the notebook and be skipped as "a class
    run's output folder", no row (nobody else's folder: each student's files are in their own). A
    class run writes no notebook, .py or zip into its output folder: a folder holding one is a
    student's."""
    subs, bob = tmp_path / "subs", tmp_path / "subs" / "bob"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    notebook = nbs.write(tmp_path / "mail" / "rnn.ipynb", nbs.course_notebook())
    bob.mkdir()
    if where == "work.zip":
        with zipfile.ZipFile(bob / where, "w") as archive:
            archive.write(notebook, "rnn.ipynb")
    else:
        (bob / where).parent.mkdir(exist_ok=True)
        notebook.rename(bob / where)
    (bob / OUTPUT_LOCK).write_text("grade.py\n")
    _output_folder(subs / "out5")
    assert [sub.id for sub in find_submissions(subs, defer=True)] == ["ada", "bob"]
    note = own_folder_note(subs)
    assert note is not None and "out5" in note and "bob" not in note, note
