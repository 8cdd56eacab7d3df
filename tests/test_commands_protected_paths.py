"""Session 29 hostile review: ``protectedpaths.protected_paths`` and what the sandbox hides of a class
run, attacked as a student's notebook. What held is in docs/security.md ("Twenty-ninth session:
hostile review"); these are the holes closed."""
from __future__ import annotations

import errno
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests import notebooks as nbs
from tests.syscall_filters import launcher

REPO = Path(__file__).resolve().parent.parent

#: Runs argv[1:] with Landlock absent (landlock_create_ruleset, 444: ENOSYS), as on a kernel
#: before 5.13 or one built without it; mounts and namespaces still work (root).
NO_LANDLOCK = launcher({444: errno.ENOSYS}, no_new_privs=True)


def _lister(folder: Path) -> str:
    """``rnn_cell_forward`` that tells, in the error its feedback shows, what it saw in ``folder``."""
    source = nbs.COURSE_CELLS["rnn_cell_forward"]
    head = "def rnn_cell_forward(xt, a_prev, parameters):\n"
    assert head in source
    return source.replace(head, head + (
        f"    import os\n"
        f"    try:\n        seen = 'SAW ' + ','.join(sorted(os.listdir({str(folder)!r})))\n"
        f"    except OSError as exc:\n        seen = 'REFUSED ' + type(exc).__name__\n"
        f"    raise RuntimeError(seen)\n"), 1)


@pytest.fixture
def place():
    """A folder off /tmp and /var/tmp (as root a child has fresh ones of its own), beside the
    grader (a course folder), others may enter."""
    root = Path(tempfile.mkdtemp(prefix=".s29-protected-", dir=REPO))
    try:
        root.chmod(0o755)
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="the mounts that hide the protected paths need root")
@pytest.mark.skipif(platform.machine() != "x86_64", reason="the filter names x86-64 system calls")
def test_an_output_folder_made_by_the_run_is_hidden_from_the_children(place):
    """The output folder was made (``_usable_out_dir``) after the zygotes were given the protected
    paths, and a mount hides only what exists: on a machine whose kernel has no Landlock, a first
    run into a new folder left it open, and a later student's function listed (and could read)
    the feedback written for the students before it. Before the fix: 'SAW a,...'."""
    klass, out = place / "class", place / "out"
    nbs.write(klass / "a.ipynb", nbs.course_notebook())
    nbs.write(klass / "b.ipynb", nbs.course_notebook({"rnn_cell_forward": _lister(out)}))
    assert not out.exists()
    done = subprocess.run([sys.executable, "-c", NO_LANDLOCK, sys.executable, "grade.py", str(klass),
                           "--out", str(out), "--jobs", "1"], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    feedback = (out / "b" / "feedback.md").read_text()
    assert "SAW " not in feedback, feedback
    # Refused by the mount (PermissionError), or not there at all where the checkout itself lies
    # under /tmp (a fresh clone in /tmp: a child as root has a /tmp of its own): hidden either way.
    assert "REFUSED PermissionError" in feedback or "REFUSED FileNotFoundError" in feedback, feedback


def _class_reading_its_log(place: Path) -> tuple[Path, Path, Path]:
    """``(log, class, out)``: a class of two whose second student's function reads ``logs/run.log``
    (what it saw in its error), every folder and file open to others."""
    from tests.test_hostile_s30 import _reader_of

    logs, klass, out = place / "logs", place / "class", place / "out"
    logs.mkdir(mode=0o755)
    log = logs / "run.log"
    nbs.write(klass / "a.ipynb", nbs.course_notebook())
    nbs.write(klass / "b.ipynb", nbs.course_notebook(_reader_of([log])))
    for path in [logs, klass, *klass.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return log, klass, out


def _feedback_of_the_reader(done: subprocess.CompletedProcess, log: Path, out: Path) -> str:
    """The second student's feedback, once the run went well and wrote the first one's line into the
    log; it must not hold what the log said."""
    assert done.returncode == 0, log.read_text()
    assert "[1/2] a: 100/100" in log.read_text()
    feedback = (out / "b" / "feedback.md").read_text()
    assert "SAW 'Grading" not in feedback, feedback
    return feedback


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="the mounts that hide the protected paths need root")
@pytest.mark.skipif(platform.machine() != "x86_64", reason="the filter names x86-64 system calls")
def test_the_runs_own_log_is_hidden_from_the_children(place):
    """An instructor keeps the run's log beside the course (``grade.py class/ > logs/run.log``),
    where others may read it. Where Landlock is absent (the mounts alone hide), a student's
    function read it while the run went on: every student graded before, by name, with their
    score. The files the grading process's stdout and stderr write to are protected paths now.
    Before the fix: "SAW 'Grading 2 of 2 submission(s) w'" (its first 30 characters; the rest the
    same way) (thirty-second session)."""
    log, klass, out = _class_reading_its_log(place)
    with open(log, "w") as handle:
        log.chmod(0o644)
        done = subprocess.run([sys.executable, "-c", NO_LANDLOCK, sys.executable, "grade.py", str(klass),
                               "--out", str(out), "--jobs", "1", "--no-html"], cwd=REPO,
                              stdout=handle, stderr=subprocess.STDOUT, timeout=600)
    feedback = _feedback_of_the_reader(done, log, out)
    assert "SAW ''" in feedback or "REFUSED " in feedback, feedback  # a file hidden reads empty (/dev/null)


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="the mounts that hide the protected paths need root")
@pytest.mark.skipif(platform.machine() != "x86_64", reason="the filter names x86-64 system calls")
@pytest.mark.skipif(shutil.which("tee") is None, reason="needs tee")
def test_a_log_written_through_a_pipe_is_hidden_from_the_children(place):
    """``grade.py class/ 2>&1 | tee logs/run.log``: the grading process writes into a pipe, and the
    log is the file ``tee`` writes, which the thirty-second session's ``_log_files`` did not see.
    Where Landlock is absent, a student's function read it while the run went on. The files that
    the processes reading the run's pipe write are protected paths now. Before the fix (against
    d963ff1): "SAW 'Grading 2 of 2 submission(s) w'" (thirty-third session)."""
    log, klass, out = _class_reading_its_log(place)
    tee = subprocess.Popen(["tee", str(log)], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        done = subprocess.run([sys.executable, "-c", NO_LANDLOCK, sys.executable, "grade.py", str(klass),
                               "--out", str(out), "--jobs", "1", "--no-html"], cwd=REPO,
                              stdout=tee.stdin, stderr=subprocess.STDOUT, timeout=600)
    finally:
        tee.stdin.close()
        tee.wait(timeout=60)
    log.chmod(0o644)
    feedback = _feedback_of_the_reader(done, log, out)
    assert "SAW ''" in feedback or "REFUSED " in feedback, feedback


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="the mounts that hide the protected paths need root")
@pytest.mark.skipif(platform.machine() != "x86_64", reason="the filter names x86-64 system calls")
def test_a_notebook_graded_alone_into_a_class_folder_sees_none_of_the_class(place):
    """Thirty-seventh session (hostile): a late notebook graded alone into the class's output folder
    (``grade.py late/c.ipynb --out OUT``, its row added to the class's gradebook) hid that notebook
    only: the class's SUBMISSIONS the folder remembers, and the other late notebooks, were open to
    its child where Landlock is absent, so its function could read a classmate's notebook and run
    their code for its own. Before the fix: 'SAW a.ipynb,b.ipynb'."""
    klass, late, out = place / "class", place / "late", place / "out"
    nbs.write(klass / "a.ipynb", nbs.course_notebook())
    nbs.write(klass / "b.ipynb", nbs.course_notebook())
    nbs.write(place / "other-late" / "d.ipynb", nbs.course_notebook())
    nbs.write(late / "c.ipynb", nbs.course_notebook({"rnn_cell_forward": _lister(klass)}))
    for folder in place.rglob("*"):
        folder.chmod(0o755 if folder.is_dir() else 0o644)
    for source in (klass, place / "other-late" / "d.ipynb", late / "c.ipynb"):
        graded_without_landlock(source, out=out)
    assert_listing_refused((out / "c" / "feedback.md").read_text())


def graded_without_landlock(*sources: Path, out: Path) -> None:
    """``grade.py SOURCES --out OUT`` (one job, no similarity check) where the kernel has no Landlock,
    which must end well."""
    done = subprocess.run([sys.executable, "-c", NO_LANDLOCK, sys.executable, "grade.py", *map(str, sources),
                           "--out", str(out), "--jobs", "1", "--no-similarity"], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


def assert_listing_refused(feedback: str) -> None:
    """A ``_lister``'s feedback says the folder was hidden: refused by the mount, or not there at all
    (a child as root has a /tmp of its own)."""
    assert "SAW " not in feedback, feedback
    assert "REFUSED PermissionError" in feedback or "REFUSED FileNotFoundError" in feedback, feedback
