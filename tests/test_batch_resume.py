"""An interrupted class run loses nothing: SIGKILL of the whole process group, and Ctrl-C."""
from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.incremental import KEY_FILE
from tests import notebooks as nbs

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


#: Functions of z_loops that never return: each costs the rubric's 0.5 s timeout once (since the
#: sixth session a submission pays a loop once, not per case), so three keep z_loops busy for
#: 1.5 s or more; with one loop, a quiet machine could finish z_loops before the test's Ctrl-C.
_LOOPING = ("rnn_forward", "lstm_forward", "rnn_backward")


def class_with_a_slow_one(folder: Path) -> Path:
    """a1, a2 grade in about a second; z_loops times out in three functions and is graded last."""
    nbs.write(folder / "a1.ipynb", nbs.course_notebook())
    nbs.write(folder / "a2.ipynb", nbs.alt_notebook())
    loops: dict[str, str] = {}
    for name in _LOOPING:
        header = next(line for line in nbs.COURSE_CELLS[name].split("\n") if line.startswith(f"def {name}("))
        loops.update(nbs.mutate(name, header + "\n", header + "\n    while True:\n        pass\n"))
    nbs.write(folder / "z_loops.ipynb", nbs.course_notebook(loops))
    return folder


def _as_a_terminal_job() -> None:
    """In the child before grade.py starts: Ctrl-C delivered as in a terminal's foreground job.
    A suite started in the background of a shell without job control (``cmd &`` in a script)
    inherits SIGINT ignored, and so would grade.py, which then rightly ignores Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def own_tmp(out: Path) -> dict[str, str]:
    """The environment of a grade.py of this test: its temporary folders beside ``out``, not in
    the machine's (a run killed here left its ``grade-unzip-*`` there, one a suite run)."""
    tmp = out.parent / "tmp"
    tmp.mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(tmp)}


def start(subs: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(REPO / "grade.py"), str(subs), "--out", str(out), "--no-similarity",
         "--no-html", *extra],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=own_tmp(out),
        start_new_session=True,  # its own process group, as a terminal job would be
        preexec_fn=_as_a_terminal_job)


def keys(out: Path) -> set[str]:
    return {p.parent.name for p in out.glob(f"*/{KEY_FILE}")}


def wait_for_keys(proc: subprocess.Popen, out: Path, count: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(keys(out)) < count:
        assert proc.poll() is None, f"grade.py ended early: {proc.communicate()[0]}"
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.05)


def rows(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", newline="") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


def test_resume_after_the_process_group_is_killed(tmp_path):
    subs, out = class_with_a_slow_one(tmp_path / "subs"), tmp_path / "out"
    proc = start(subs, out, "--jobs", "1")
    wait_for_keys(proc, out, 2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert keys(out) == {"a1", "a2"}
    assert not (out / "grades.csv").exists()  # killed before the end: no gradebook yet

    rerun = subprocess.run(
        [sys.executable, str(REPO / "grade.py"), str(subs), "--out", str(out), "--no-similarity",
         "--no-html", "--jobs", "2"], cwd=REPO, capture_output=True, text=True, timeout=300,
        env=own_tmp(out))
    assert rerun.returncode == 0, rerun.stderr
    assert "Grading 1 of 3" in rerun.stderr and "Skipping 2 unchanged" in rerun.stderr
    assert "[1/1] z_loops" in rerun.stderr
    book = rows(out)
    assert set(book) == {"a1", "a2", "z_loops"}
    assert float(book["a1"]["score"]) >= 100 and float(book["z_loops"]["rnn_forward"]) == 0
    assert keys(out) == {"a1", "a2", "z_loops"}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_keeps_what_is_graded_and_exits_130(tmp_path, jobs):
    subs, out = class_with_a_slow_one(tmp_path / "subs"), tmp_path / "out"
    proc = start(subs, out, "--jobs", jobs)
    wait_for_keys(proc, out, 2)
    time.sleep(0.3)  # let the slow one start
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, output
    assert "Interrupted" in output
    assert set(rows(out)) == {"a1", "a2"}
    assert "z_loops" not in keys(out)
    # The group is gone: no worker left behind.
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)
