"""A class run's unpack folder outlives no run (twenty-fourth session).

A class run unpacks the students' zips into a ``grade-unzip-*`` folder of the temporary
directory and removed it at its end, but a run killed with SIGKILL (the OOM killer, ``kill -9``,
a CI job's time limit) never did: the students' unpacked notebooks stayed there for good (the
test machine's ``/tmp`` held 32 such folders). A run's folder now holds a lock file the run
holds an ``flock`` on for its whole life (``grader.files.run_folder``), and each class run
first removes this user's folders whose lock no one holds (``sweep_run_folders``), leaving
alone a live run's, another user's, links and files. The tests that go through ``grade.py``
failed on b557f47 (the folders stayed); the others import what did not exist then.
"""
from __future__ import annotations

import inspect
import os
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

import grade
from grader import files
from grader.archive import ArchiveLimits, StudentTurns, StudentZips
from grader.files import CLASS_ZIP_PREFIX, UNPACK_PREFIX
from grader.discover import find_submissions
from grader.files import RUN_LOCK, UNLOCKED_AGE, run_folder, sweep_run_folders
from tests import notebooks as nbs

REPO = Path(__file__).resolve().parent.parent
#: Holds a run folder as a class run does, prints its path, then waits to be killed.
_HOLDER = """
import time
from grader.files import run_folder
with run_folder("grade-unzip-") as folder:
    print(folder, flush=True)
    time.sleep(600)
"""


@pytest.fixture
def temporary(monkeypatch, tmp_path):
    """The temporary directory of this test's runs (in this process and the ones it starts)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


@pytest.fixture
def holders():
    """Start processes that hold a run folder (``hold()``: the process and its folder); those
    still running at the end are killed."""
    started: list[subprocess.Popen] = []

    def hold(*, env: dict | None = None, preexec_fn=None) -> tuple[subprocess.Popen, Path]:
        proc = subprocess.Popen([sys.executable, "-c", _HOLDER], cwd=REPO, stdout=subprocess.PIPE,
                                text=True, env=env or {**os.environ, "PYTHONPATH": str(REPO)},
                                preexec_fn=preexec_fn)
        started.append(proc)
        line = proc.stdout.readline().strip()
        assert line, "the holder made no folder"
        return proc, Path(line)

    yield hold
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()


def dead_folder(hold, *, uid: int | None = None, **how) -> Path:
    """A run folder whose process (started by ``hold(**how)``) was killed with SIGKILL while it
    held it, with a student's notebook in it (given to ``uid`` when not None)."""
    proc, folder = hold(**how)
    (folder / "s1").mkdir()
    (folder / "s1" / "rnn.ipynb").write_text("a student's notebook")
    if uid is not None:
        for path in (folder / "s1", folder / "s1" / "rnn.ipynb"):
            os.chown(path, uid, uid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return folder


def grade_quietly(subs: Path, out: Path, capsys) -> tuple[int, str]:
    """``grade.py subs --out out`` with one job, no similarity, no HTML: exit status and stderr."""
    status = grade.main([str(subs), "--out", str(out), "--jobs", "1", "--no-similarity", "--no-html"])
    return status, capsys.readouterr().err


def one_notebook(folder: Path) -> Path:
    nbs.write(folder / "ada.ipynb", nbs.course_notebook())
    return folder


def aged(path: Path, seconds: float) -> Path:
    """``path`` last changed ``seconds`` ago (its link, not what it names)."""
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)
    return path


def ours(temporary: Path) -> list[str]:
    return sorted(p.name for p in temporary.iterdir() if p.name.startswith(UNPACK_PREFIX))


# --------------------------------------------------------------------------- through grade.py


def _loops_notebook() -> dict:
    """A notebook whose three functions never return: graded in 1.5 s or more (the rubric's
    0.5 s timeout each)."""
    loops: dict[str, str] = {}
    for name in ("rnn_forward", "lstm_forward", "rnn_backward"):
        header = next(line for line in nbs.COURSE_CELLS[name].split("\n") if line.startswith(f"def {name}("))
        loops.update(nbs.mutate(name, header + "\n", header + "\n    while True:\n        pass\n"))
    return nbs.course_notebook(loops)


@pytest.mark.slow
def test_the_folder_of_a_grade_py_killed_outright_is_removed_by_the_next_run(temporary, tmp_path, capsys):
    """Before: the killed run's folder, with the student's unpacked notebook, stayed."""
    subs = one_notebook(tmp_path / "subs")
    slow = tmp_path / "slow.ipynb"
    nbs.write(slow, _loops_notebook())
    with zipfile.ZipFile(subs / "zed_1_2_work.zip", "w") as zf:
        zf.write(slow, "rnn.ipynb")
    _kill_grade_py_once(subs, tmp_path / "out", when=lambda: list(temporary.glob(f"{UNPACK_PREFIX}*/*/*/rnn.ipynb")))
    left = ours(temporary)
    assert len(left) == 1 and list((temporary / left[0]).rglob("rnn.ipynb"))  # what the kill leaves

    status, err = grade_quietly(one_notebook(tmp_path / "again"), tmp_path / "out2", capsys)
    assert status == 0, err
    assert ours(temporary) == []
    assert "stale" not in err


def _kill_grade_py_once(submissions: Path, out: Path, *, when, settle: float = 0.0) -> None:
    """Start ``grade.py submissions`` (one job, no similarity, no HTML) in a session of its own,
    and SIGKILL it with its workers and zygotes once ``when()`` is true (and ``settle`` seconds
    more); return when none of them is left."""
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "grade.py"), str(submissions), "--out", str(out), "--jobs", "1",
         "--no-similarity", "--no-html"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not when():
            assert proc.poll() is None, "grade.py ended before the moment to kill it"
            assert time.monotonic() < deadline, "the moment to kill grade.py never came"
            time.sleep(0.05)
        time.sleep(settle)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the grading process, its workers and zygotes
        proc.wait()
    _wait_for_group(proc.pid)


def _wait_for_group(pgid: int, seconds: float = 10) -> None:
    """Wait until no process of group ``pgid`` is left (a killed worker dies a moment after the
    signal is sent, and holds the run's lock until it does)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


@pytest.mark.slow
def test_a_class_run_removes_dead_runs_folders_and_leaves_everything_else(temporary, tmp_path, holders, capsys):
    """Before: nothing was removed. Now: a dead run's folder and a lockless one a day old go; a
    live run's, a lockless one just made, another user's (where root), a link, a file and a
    folder whose lock is no file (a FIFO: opening it must not wait) stay, and the link's target
    is untouched."""
    dead = dead_folder(holders)
    live_proc, live = holders()
    legacy_old = aged(Path(tempfile.mkdtemp(prefix=UNPACK_PREFIX)), UNLOCKED_AGE + 60)
    legacy_new = Path(tempfile.mkdtemp(prefix=UNPACK_PREFIX))
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("not the grader's")
    (victim / RUN_LOCK).write_text("")
    link = temporary / f"{UNPACK_PREFIX}link"
    link.symlink_to(victim, target_is_directory=True)
    aged(link, UNLOCKED_AGE + 60)
    plain = temporary / f"{UNPACK_PREFIX}file"
    plain.write_text("a file")
    aged(plain, UNLOCKED_AGE + 60)
    fifo_lock = Path(tempfile.mkdtemp(prefix=UNPACK_PREFIX))
    os.mkfifo(fifo_lock / RUN_LOCK)
    aged(fifo_lock, UNLOCKED_AGE + 60)
    theirs = dead_folder(holders)
    if os.geteuid() == 0:  # a dead run's folder of another user (nobody's)
        import pwd

        nobody = pwd.getpwnam("nobody")
        for path in (theirs, theirs / RUN_LOCK):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)

    status, err = grade_quietly(one_notebook(tmp_path / "subs"), tmp_path / "out", capsys)

    assert status == 0, err
    assert not dead.exists() and not legacy_old.exists()
    assert live.is_dir() and (live / RUN_LOCK).is_file() and live_proc.poll() is None
    assert legacy_new.is_dir() and fifo_lock.is_dir()
    assert link.is_symlink() and (victim / "keep.txt").read_text() == "not the grader's"
    assert plain.read_text() == "a file"
    assert theirs.is_dir() == (os.geteuid() == 0)
    assert "stale" not in err


@pytest.mark.slow
def test_a_sweep_that_fails_costs_one_line_and_never_the_run(temporary, tmp_path, holders, capsys,
                                                             monkeypatch):
    """A stale folder that cannot be removed: the run grades all the same and says so once."""
    dead = dead_folder(holders)
    removing = files.shutil.rmtree

    def refuse(path, *args, **kwargs):
        if Path(path) == dead:
            raise PermissionError(13, "Permission denied", str(path))
        return removing(path, *args, **kwargs)

    monkeypatch.setattr(files.shutil, "rmtree", refuse)
    status, err = grade_quietly(one_notebook(tmp_path / "subs"), tmp_path / "out", capsys)
    assert status == 0, err
    said = [line for line in err.splitlines() if "stale unpack folder" in line]
    assert said == [f"Could not remove a stale unpack folder: {dead}: Permission denied"]
    assert (tmp_path / "out" / "grades.csv").is_file()
    assert ours(temporary) == [dead.name]  # and this run's own folder is gone


# --------------------------------------------------------------------------- the sweep itself


def test_a_folder_of_another_user_is_left_alone(temporary, holders):
    """Root sweeps only root's: a dead run's folder given to ``nobody`` stays."""
    if os.geteuid() != 0:
        pytest.skip("needs root to give a folder to another user")
    import pwd

    nobody = pwd.getpwnam("nobody")
    theirs = dead_folder(holders)
    for path in (theirs, theirs / RUN_LOCK):
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    mine = dead_folder(holders)
    swept = sweep_run_folders(UNPACK_PREFIX)
    assert swept == files.Swept(removed=1)
    assert theirs.is_dir() and not mine.exists()


def test_a_sweep_as_nobody_takes_nobodys_dead_folder_and_leaves_roots(holders):
    """Two users' runs in one temporary directory (the machine's ``/tmp``): nobody's sweep
    removes nobody's dead run folder and leaves root's, the student's notebook in it, unsaid."""
    from tests.isolation import NOBODY
    from tests.test_sandbox_nonroot import _become_nobody, _nobody_folder

    with _nobody_folder("needs root to become nobody") as folder:
        shared = folder / "tmp"
        shared.mkdir()
        os.chmod(shared, 0o1777)
        env = {"PATH": "/usr/bin:/bin", "HOME": str(folder), "LANG": "C.UTF-8", "PYTHONPATH": str(REPO),
               "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": str(shared)}
        roots = dead_folder(holders, env=env)
        nobodys = dead_folder(holders, uid=NOBODY, env=env, preexec_fn=_become_nobody)
        assert roots.stat().st_uid == 0 and nobodys.stat().st_uid == NOBODY
        ran = subprocess.run(
            [sys.executable, "-c", "from grader.files import sweep_run_folders; "
                                   "print(sweep_run_folders('grade-unzip-'))"],
            cwd=REPO, env=env, preexec_fn=_become_nobody, capture_output=True, text=True, timeout=60)
        assert ran.returncode == 0, ran.stderr
        assert ran.stdout.strip() == "Swept(removed=1, problem='')"
        assert not nobodys.exists() and (roots / "s1" / "rnn.ipynb").is_file()


def test_what_a_sweep_says_is_one_line(temporary, holders, monkeypatch):
    """A folder another run's sweep removed meanwhile is nothing to say; a name that holds a line
    break or an escape sequence (anyone may name a folder so in /tmp) is said written out."""
    dead = dead_folder(holders)
    odd = dead.rename(temporary / f"{UNPACK_PREFIX}a\nb\x1b[2J")
    gone = dead_folder(holders)
    removing, sweeping = files.shutil.rmtree, files._sweep_stale

    def refuse(path, *args, **kwargs):
        if Path(path) == odd:
            raise PermissionError(13, "Permission denied", str(path))
        return removing(path, *args, **kwargs)

    def removed_first(path, **kwargs):
        if Path(path) == gone:
            removing(gone)
        return sweeping(path, **kwargs)

    monkeypatch.setattr(files.shutil, "rmtree", refuse)
    monkeypatch.setattr(files, "_sweep_stale", removed_first)
    swept = sweep_run_folders(UNPACK_PREFIX)
    assert swept == files.Swept(problem=f"{temporary}/{UNPACK_PREFIX}a\\x0ab\\x1b[2J: Permission denied")
    assert odd.is_dir() and not gone.exists()


def test_two_live_runs_never_sweep_each_other(temporary):
    """Two run folders of one process, each locked on its own: neither sweep takes the other's."""
    with run_folder(UNPACK_PREFIX) as first, run_folder(UNPACK_PREFIX) as second:
        assert sweep_run_folders(UNPACK_PREFIX) == files.Swept()
        assert first.is_dir() and second.is_dir()
    assert not first.exists() and not second.exists()


def test_a_live_run_in_another_process_keeps_its_folder_until_it_dies(temporary, holders):
    proc, folder = holders()
    assert sweep_run_folders(UNPACK_PREFIX) == files.Swept() and folder.is_dir()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert sweep_run_folders(UNPACK_PREFIX) == files.Swept(removed=1) and not folder.exists()


def test_the_lock_file_appears_already_locked(temporary, monkeypatch):
    """The lock file is made under another name, locked, then renamed: a sweep between the
    folder's making and its lock sees a folder with no lock file, too young to be swept."""
    import fcntl

    seen = []
    renaming = os.rename

    def look(src, dst, *args, **kwargs):
        seen.append(sorted(os.listdir(Path(src).parent)))
        seen.append(sweep_run_folders(UNPACK_PREFIX))
        fd = os.open(src, os.O_RDONLY)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
        return renaming(src, dst, *args, **kwargs)

    monkeypatch.setattr(files.os, "rename", look)
    with run_folder(UNPACK_PREFIX) as folder:
        assert seen == [[f"{RUN_LOCK}.new"], files.Swept()]
        assert sorted(os.listdir(folder)) == [RUN_LOCK]
        assert os.stat(folder).st_mode & 0o777 == 0o700


# --------------------------------------------------------------------------- the library's unpacking


def test_the_library_unpacks_as_the_command_does(tmp_path):
    """``find_submissions(unpack=StudentZips(...))`` has no allowance for the class any more
    (first come, first served: a few students' large zips left every later student's refused),
    so each student's zips give what the class run's ``StudentTurns`` gives them. Before, the
    default was 4 GiB for the class; the difference shows only past it, so the test pins the
    default and checks that a class whose zips together exceed a student's allowance unpacks
    alike both ways."""
    assert inspect.signature(StudentZips).parameters["class_bytes"].default is None
    low = ArchiveLimits(max_total_bytes=300_000, max_member_bytes=300_000, max_ratio=float("inf"))
    root = tmp_path / "class"
    root.mkdir()
    for k in range(4):
        with zipfile.ZipFile(root / f"aaa{k}_1{k}_2{k}_work.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("rnn.ipynb", bytes([65 + k]) * 250_000)
    with zipfile.ZipFile(root / "zoe_99_98_work.zip", "w") as zf:
        zf.writestr("rnn.ipynb", b'{"cells": []}')
    library = find_submissions(root, unpack=StudentZips(dest=tmp_path / "lib", limits=low))
    turns = StudentTurns(dest=tmp_path / "turns", limits=low)
    command = [turns.open(sub) for sub in find_submissions(root, defer=True)]
    assert [(s.id, s.problem, s.notes, s.path.read_bytes()) for s in library] == \
           [(s.id, s.problem, s.notes, s.path.read_bytes()) for s in command]
    assert all(not s.problem for s in library) and len(library) == 5


@pytest.mark.slow
def test_the_class_zips_folder_of_a_killed_run_is_removed_by_the_next_run(temporary, tmp_path, capsys):
    """A class zip (a Canvas or Moodle download) is extracted into a ``grade-zip-*`` folder: the
    whole class's notebooks. Before: a ``TemporaryDirectory`` without a lock, which the sweep
    takes only a day later (as a folder of a version before the lock), so the killed run's stayed."""
    slow = tmp_path / "slow.ipynb"
    nbs.write(slow, _loops_notebook())
    class_zip = tmp_path / "class.zip"
    with zipfile.ZipFile(class_zip, "w") as zf:
        zf.write(slow, "zed.ipynb")
    _kill_grade_py_once(class_zip, tmp_path / "out", settle=0.5,  # into the notebook's 1.5 s of loops
                        when=lambda: list(temporary.glob(f"{CLASS_ZIP_PREFIX}*/class/zed.ipynb")))
    left = sorted(p.name for p in temporary.iterdir() if p.name.startswith(CLASS_ZIP_PREFIX))
    assert len(left) == 1 and list((temporary / left[0]).rglob("zed.ipynb"))  # what the kill leaves

    status, err = grade_quietly(one_notebook(tmp_path / "again"), tmp_path / "out2", capsys)
    assert status == 0, err
    assert not any(p.name.startswith(CLASS_ZIP_PREFIX) for p in temporary.iterdir())
    assert "stale" not in err
