"""``--check`` on a notebook open in Jupyter: a save during the check changes nothing of what it
says, and a read in the middle of a save is made again rather than called a damaged file."""
from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import grader.notebook
import grader.runner
from grader.classfiles import DEFAULT_RUBRIC
from grader.selfcheck import EXIT_FAILED, EXIT_PASSED, EXIT_UNUSABLE, run_check
from tests import notebooks as nbs

TRANSPOSE_FORGOTTEN = nbs.mutate("rnn_cell_backward", "dxt = np.dot(Wax.T, dtanh)", "dxt = np.dot(Wax, dtanh)")


def check(path: Path) -> tuple[int, str]:
    out = io.StringIO()
    return run_check(path, rubric=DEFAULT_RUBRIC, stream=out), out.getvalue()


def test_a_save_during_the_check_does_not_change_the_line_quoted(tmp_path, monkeypatch):
    # The check read the notebook again to quote the line where the code raised: a save in between
    # (the student added two lines above it) quoted line 12 of the new version under the graded line's
    # number, here `dba = ...` for a crash at `dxt = np.dot(Wax, dtanh)`.
    path = nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook(TRANSPOSE_FORGOTTEN))
    source = TRANSPOSE_FORGOTTEN["rnn_cell_backward"]
    edited = nbs.course_notebook({"rnn_cell_backward": source.replace(
        "    ### START CODE HERE ###\n", "    ### START CODE HERE ###\n    # dtanh first\n    # then the rest\n", 1)})
    real = grader.runner.grade_submission

    def saved_meanwhile(*args, **kw):
        result = real(*args, **kw)
        nbs.write(path, edited)  # Jupyter's autosave, while the check runs
        return result

    monkeypatch.setattr(grader.runner, "grade_submission", saved_meanwhile)
    code, text = check(path)
    assert code == EXIT_FAILED, text
    assert "at cell 16 (In [10]), line 12, in rnn_cell_backward\n      >   dxt = np.dot(Wax, dtanh)\n" in text, text


def test_a_read_in_the_middle_of_a_save_is_made_again(tmp_path, monkeypatch):
    # An in-place save (truncate, then write) read half-way said "not JSON (truncated at byte ...)",
    # exit 2, for a notebook that was fine a moment later.
    whole = json.dumps(nbs.course_notebook()).encode()
    path = tmp_path / "nb.ipynb"
    path.write_bytes(whole[: len(whole) // 2])
    real = grader.notebook.loads
    reads = []

    def save_ends_after_the_first_read(data, **kw):
        reads.append(len(data))
        if len(reads) == 1:
            path.write_bytes(whole)
        return real(data, **kw)

    monkeypatch.setattr(grader.notebook, "loads", save_ends_after_the_first_read)
    code, text = check(path)
    assert code == EXIT_PASSED, text
    assert reads[0] < len(whole) and len(whole) in reads[1:]


def test_a_notebook_that_keeps_changing_is_said_to_and_a_damaged_one_as_damaged(tmp_path, monkeypatch):
    whole = json.dumps(nbs.course_notebook())
    path = tmp_path / "nb.ipynb"
    path.write_text(whole[: len(whole) // 3])
    real = grader.notebook.loads

    def saved_again(data, **kw):
        path.write_text(whole[: len(data) + 7])  # another half-written version after every read
        return real(data, **kw)

    monkeypatch.setattr(grader.notebook, "loads", saved_again)
    code, text = check(path)
    assert code == EXIT_UNUSABLE
    assert "not JSON (truncated at byte" in text and "changed while it was read (Jupyter saving it?)" in text, text
    # Damaged and left alone: said as damaged, after one read when it was saved a while ago, after
    # four when it was just saved (a download that has just ended), never as "changed".
    reads = []
    monkeypatch.setattr(grader.notebook, "loads", lambda data, **kw: reads.append(1) or real(data, **kw))
    for age, expected in ((3600, 1), (0, 4)):
        then = time.time() - age
        os.utime(path, (then, then))
        reads.clear()
        code, text = check(path)
        assert code == EXIT_UNUSABLE and "not JSON (truncated at byte" in text and "changed" not in text, text
        assert "Open it in Jupyter, save it" in text
        assert len(reads) == expected, age
