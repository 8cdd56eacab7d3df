"""grader.outputlock: the output folder's lock after a run ends badly (thirty-third session, TA's
term). A stale lock must never stop a TA's next run, a live one must never be taken, and the
message says what to do in each case."""
from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader import outputlock
from grader.outputlock import OUTPUT_LOCK, OutputBusy, output_lock
from tests import notebooks as nbs

ROOT = Path(__file__).resolve().parent.parent


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _holds(pid: int, lock: os.stat_result) -> bool:
    """Whether process ``pid`` holds the file ``lock`` open."""
    for entry in Path(f"/proc/{pid}/fd").iterdir():  # the run's own worker: it outlives the check
        with contextlib.suppress(OSError):
            if os.path.samestat(os.stat(entry), lock):
                return True
    return False


def _lock_is_free(path: Path) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@pytest.mark.slow
def test_a_grading_process_killed_outright_leaves_the_folder_unlocked(tmp_path):
    """``kill -9`` of grade.py's pid (not its process group) left its forked workers holding the
    folder's lock until they noticed their parent gone (a second, or the submission they were
    grading): the TA's next run was refused in the name of a process that no longer existed. The
    workers now close their copy of the lock; here they are stopped (SIGSTOP) so that they cannot
    end meanwhile, and the lock is free the moment the grading process is gone."""
    subs = tmp_path / "subs"
    for k in range(6):
        nbs.write(subs / f"s{k}.ipynb", nbs.course_notebook())
    loops = (ROOT / "submissions" / "barbara_loops_forever.ipynb").read_bytes()
    for k in range(20):  # each holds a worker for its timeout (0.5 s): the run lasts seconds
        (subs / f"loops{k}.ipynb").write_bytes(loops)
    out = tmp_path / "out"
    run = subprocess.Popen([sys.executable, str(ROOT / "grade.py"), str(subs), "--out", str(out),
                            "--jobs", "2", "--no-similarity", "--no-html"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and run.poll() is None:
            workers = [c for c in _children(run.pid)
                       if b"grade.py" in Path(f"/proc/{c}/cmdline").read_bytes()]
            if len(workers) == 2 and not _lock_is_free(out / OUTPUT_LOCK):
                break
            time.sleep(0.02)
        assert len(workers) == 2 and run.poll() is None, "the run ended before its workers were seen"
        # A worker closes its copy first thing: just forked, it may not have yet.
        lock = os.stat(out / OUTPUT_LOCK)
        deadline = time.monotonic() + 2
        while any(_holds(worker, lock) for worker in workers) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not any(_holds(worker, lock) for worker in workers)
        assert run.poll() is None, "the run ended before the test could stop its workers"
        for worker in workers:
            os.kill(worker, signal.SIGSTOP)
        run.kill()
        run.wait()
        assert _lock_is_free(out / OUTPUT_LOCK)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
        for worker in workers:  # the test's own: stopped above, killed here (SIGKILL ends a stopped one)
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker, signal.SIGKILL)


def _hold(path: Path, text: str, seconds: float = 60) -> subprocess.Popen:
    """Another process holding the lock of ``path`` with ``text`` in it, ``seconds`` or until killed."""
    code = ("import fcntl, os, sys, time\n"
            "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "os.ftruncate(fd, 0); os.pwrite(fd, sys.argv[2].encode(), 0)\n"
            "print('held', flush=True)\n"
            "time.sleep(float(sys.argv[3]))\n")
    return _started(code, path, text, seconds)


def _started(code: str, path: Path, text: str, seconds: float = 60) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", code, str(path), text, str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def _ended_pid() -> int:
    """The pid of a process that has ended."""
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


def _text(pid: int, start: str | None = None, host: str | None = None) -> str:
    start = start or outputlock._started(pid) or "1"
    return (f"grade.py (process {pid} on {host or socket.gethostname()}, started 2026-11-29 23:59:00 UTC)\n"
            f"holder: {host or socket.gethostname()} {pid} {start}\n")


def test_the_lock_names_its_host_and_process_and_is_freed_when_the_block_ends(tmp_path):
    with output_lock(tmp_path) as fd:
        assert isinstance(fd, int)
        text = (tmp_path / OUTPUT_LOCK).read_text()
        assert text.startswith(f"grade.py (process {os.getpid()} on {socket.gethostname()}, started ")
        assert outputlock.holder_state(text) == "alive"
    assert _lock_is_free(tmp_path / OUTPUT_LOCK)


def test_a_live_holder_is_never_taken_and_the_message_says_how_to_stop_it(tmp_path):
    holder = _hold(tmp_path / OUTPUT_LOCK, "")
    try:
        (tmp_path / OUTPUT_LOCK).write_text(_text(holder.pid))  # its own text, as a run writes it
        with pytest.raises(OutputBusy) as busy:
            with output_lock(tmp_path):
                pass
        said = str(busy.value)
        assert said.startswith(f"{tmp_path}: grade.py (process {holder.pid} on ")
        assert "wait for it to end, or give another --out" in said
        assert f"kill {holder.pid} (or Ctrl-C in its terminal): what it graded is kept" in said
        assert "never to be deleted by hand" in said
    finally:
        holder.kill()
        holder.wait()


def test_a_stopped_holder_is_named_as_stopped(tmp_path):
    """A run suspended with Ctrl-Z in a forgotten terminal holds the folder for good: the message
    says it is stopped, and how to let it finish or end it."""
    holder = _hold(tmp_path / OUTPUT_LOCK, "")
    try:
        (tmp_path / OUTPUT_LOCK).write_text(_text(holder.pid))
        os.kill(holder.pid, signal.SIGSTOP)
        for _ in range(100):
            if outputlock._state(holder.pid) == "T":
                break
            time.sleep(0.01)
        with pytest.raises(OutputBusy) as busy:
            with output_lock(tmp_path):
                pass
        assert "is stopped (Ctrl-Z in its terminal): type fg there" in str(busy.value)
        assert f"kill {holder.pid}; kill -CONT {holder.pid} (a stopped process ends once continued" in str(busy.value)
    finally:
        holder.kill()
        holder.wait()


def test_a_holder_on_another_host_is_said_to_be_there(tmp_path):
    holder = _hold(tmp_path / OUTPUT_LOCK, _text(4242, start="77", host="lab-pc-7"))
    try:
        with pytest.raises(OutputBusy) as busy:
            with output_lock(tmp_path):
                pass
        assert "process 4242 on lab-pc-7" in str(busy.value)
        assert "kill 4242 on that host" in str(busy.value)
    finally:
        holder.kill()
        holder.wait()


def test_an_ended_holder_whose_lock_is_let_go_soon_is_waited_for(tmp_path, monkeypatch):
    """The named process has ended (its pid, or its pid reused by another process with another
    start) and what it forked lets go of the file a moment later: the run waits, then goes on."""
    monkeypatch.setattr(outputlock, "GONE_HOLDER_WAIT", 20.0)
    gone = _ended_pid()
    holder = _hold(tmp_path / OUTPUT_LOCK, _text(gone, start="1"), seconds=0.5)
    said = []
    try:
        with output_lock(tmp_path, on_wait=said.append) as fd:
            assert fd is not None
        assert said == [f"{tmp_path}: grade.py (process {gone} on {socket.gethostname()}, started 2026-11-29 "
                        f"23:59:00 UTC) has ended; waiting 20 s at most for the processes it started to "
                        f"let go of the folder's lock"]
    finally:
        holder.kill()
        holder.wait()


def test_an_ended_holder_whose_lock_stays_held_names_the_processes_holding_it(tmp_path, monkeypatch):
    monkeypatch.setattr(outputlock, "GONE_HOLDER_WAIT", 0.3)
    mine = os.getpid()
    holder = _hold(tmp_path / OUTPUT_LOCK, _text(mine, start="1"))  # pid reused: another start
    try:
        with pytest.raises(OutputBusy) as busy:
            with output_lock(tmp_path):
                pass
        said = str(busy.value)
        assert f"grade.py (process {mine} on {socket.gethostname()}" in said and "has ended" in said
        assert f"but {holder.pid} it started still hold(s) the folder's lock" in said
        assert f"kill {holder.pid}" in said
    finally:
        holder.kill()
        holder.wait()


def test_a_file_system_without_flock_is_said_on_a_line_of_the_run(tmp_path, monkeypatch):
    """sshfs and some SMB mounts have no ``flock``: the run went on unlocked without a word, and
    two TAs' runs into one shared folder each wrote grades.csv from what they had read. It still
    goes on (as before the lock), but says what is at risk and what to do."""
    import errno
    import io

    from grader import outputfolder

    def no_flock(fd, operation):
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(fcntl, "flock", no_flock)
    stream = io.StringIO()
    with contextlib.ExitStack() as stack:
        held = outputfolder.hold_output(tmp_path / "out", sources=[tmp_path / "subs"], stack=stack,
                                     stream=stream)
    assert held is None
    said = stream.getvalue()
    assert said.startswith(f"{tmp_path / 'out'}: its file system does not lock files (No locks available: "
                           f"sshfs, some SMB mounts), so this run goes on without the folder's lock"), said
    assert "a second run into it (another TA, another machine) is not stopped" in said
    assert "Grade into this folder from one run at a time, or give --out a folder on a local disk" in said


def _not_a_lock_file(out: Path, kind: str) -> None:
    """Put at ``out/.grading.lock`` something a run of the grader never makes there."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / OUTPUT_LOCK
    if kind == "folder":
        path.mkdir()
    elif kind == "link":
        path.symlink_to(out.parent / "elsewhere.lock")
        (out.parent / "elsewhere.lock").write_text("kept\n", encoding="utf-8")
    elif kind == "dangling link":
        path.symlink_to(out.parent / "nothing-here")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "hard link":
        (out.parent / "elsewhere.lock").write_text("kept\n", encoding="utf-8")
        os.link(out.parent / "elsewhere.lock", path)


@pytest.mark.parametrize("kind", ["folder", "link", "dangling link", "fifo", "hard link"])
def test_a_lock_path_that_is_not_a_lock_file_refuses_the_run(tmp_path, kind):
    """Thirty-fifth session: a ``.grading.lock`` that is a folder or a symbolic link (a folder
    copied with ``cp -r`` from a machine where it was one, a TA's ``mkdir``) could not be opened, and
    the run went on without the lock and without a word: a second run into the folder was not
    stopped either, each writing grades.csv from what it had read. A FIFO ended in a traceback
    (ESPIPE, writing the holder's text), and a hard link to a file elsewhere was emptied by the
    truncation of the holder's text. Each is now refused, naming the path, what is there and the
    command that removes it; the file a link or hard link names is left as it was."""
    out = tmp_path / "out"
    _not_a_lock_file(out, kind)
    with pytest.raises(OutputBusy) as refused:
        with output_lock(out):
            pytest.fail("the block ran without the folder's lock")
    said = str(refused.value)
    path = out / OUTPUT_LOCK
    what = {"folder": "a folder", "link": "a symbolic link", "dangling link": "a symbolic link",
            "fifo": "not a regular file", "hard link": "a file with 2 names"}[kind]
    assert said.startswith(f"{path}: {what}"), said
    assert "not the lock file a run of the grader makes" in said
    remove = f"rm -r {path}" if kind == "folder" else f"rm {path}"
    assert remove in said, said
    if kind in ("link", "hard link"):
        assert (tmp_path / "elsewhere.lock").read_text(encoding="utf-8") == "kept\n"


def test_a_lock_path_that_is_a_folder_stops_a_class_run_before_grading(tmp_path):
    """Through the command: the refusal is the run's error message (exit status 2), before any
    submission is read."""
    import io

    from grader import outputfolder
    from grader import exits

    out = tmp_path / "out"
    _not_a_lock_file(out, "folder")
    with contextlib.ExitStack() as stack, pytest.raises(exits.CommandError) as refused:
        outputfolder.hold_output(out, sources=[tmp_path / "subs"], stack=stack, stream=io.StringIO())
    assert str(refused.value).startswith(f"{out / OUTPUT_LOCK}: a folder, not the lock file"), refused.value


def _second_run_as_nobody(out: Path) -> str:
    """What ``output_lock(out)`` does in a process of another user (``nobody``): "ran", or the
    message it was refused with."""
    from tests.isolation import isolated

    code = ("import sys\nfrom pathlib import Path\nfrom grader.outputlock import OutputBusy, output_lock\n"
            "try:\n    with output_lock(Path(sys.argv[1])) as fd:\n        print('ran', fd is not None)\n"
            "except OutputBusy as exc:\n    print(exc)\n")
    run = subprocess.run([sys.executable, "-c", code, str(out)], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, preexec_fn=isolated(nobody=True))
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


@pytest.mark.skipif(os.geteuid() != 0, reason="runs a second process as another user (root only)")
def test_a_second_users_run_into_a_shared_folder_is_refused_while_the_first_holds_it(tmp_path):
    """Thirty-fifth session: two TAs grading into one folder they share (a group's folder) is the
    case the lock is for, but its file was made 0600: the second TA's run could not open it
    (EACCES) and went on without the lock and without a word while the first's run graded. The
    file is now readable by others (its text names a command, a process and a host), and a run
    that may not write it locks it read-only (``flock`` needs no more)."""
    import shutil
    import tempfile

    out = Path(tempfile.mkdtemp(prefix="shared-out-"))  # pytest's folders are root's alone
    try:
        out.chmod(0o777)
        with output_lock(out) as fd:
            assert fd is not None
            said = _second_run_as_nobody(out)
            assert "is grading into this folder" in said and f"(process {os.getpid()} " in said, said
        assert _second_run_as_nobody(out) == "ran True"  # free once the first has ended
        # A lock file this user can neither write nor read (an older grader's, made 0600 by
        # another user): refused, saying whose it is and what to do, not run unlocked.
        os.chown(out / OUTPUT_LOCK, 0, 0)  # nobody's run put its own copy there: root's again
        (out / OUTPUT_LOCK).chmod(0o600)
        said = _second_run_as_nobody(out)
        assert said.startswith(f"{out / OUTPUT_LOCK}: this user cannot open it (Permission denied), "
                               f"so this run could not keep a second run out"), said
        assert "user root" in said or "user 0" in said, said
    finally:
        shutil.rmtree(out)


@pytest.mark.skipif(os.geteuid() != 0, reason="runs a second process as another user (root only)")
def test_a_third_run_is_refused_at_once_while_another_user_holds_the_lock(tmp_path):
    """Thirty-sixth session: a run that locked another user's lock file read-only could not write
    its own text there, so the file still named the earlier holder, a run that had ended. A third
    run was then told that the ended run's processes held the lock, after waiting
    ``GONE_HOLDER_WAIT`` (10 s) for them. The read-only holder now puts a copy of the file naming
    itself in its place: the third run is refused at once, told who grades."""
    import shutil
    import tempfile

    from tests.isolation import isolated

    out = Path(tempfile.mkdtemp(prefix="shared-out-"))  # pytest's folders are root's alone
    try:
        out.chmod(0o777)
        first = ("import sys\nfrom pathlib import Path\nfrom grader.outputlock import output_lock\n"
                 "with output_lock(Path(sys.argv[1])):\n    pass\n")
        # The first run, root's, has ended: the lock file is root's and names it.
        subprocess.run([sys.executable, "-c", first, str(out)], cwd=ROOT, check=True, timeout=60)
        code = ("import sys, time\nfrom pathlib import Path\nfrom grader.outputlock import output_lock\n"
                "with output_lock(Path(sys.argv[1]), holder='second.py') as fd:\n"
                "    print('held' if fd is not None else 'unlocked', flush=True)\n    time.sleep(60)\n")
        second = subprocess.Popen([sys.executable, "-c", code, str(out)], cwd=ROOT, stdout=subprocess.PIPE,
                                  text=True, preexec_fn=isolated(nobody=True))
        try:
            assert second.stdout.readline().strip() == "held"
            waits = []
            started = time.monotonic()
            with pytest.raises(OutputBusy) as refused, output_lock(out, on_wait=waits.append):
                pass
            took = time.monotonic() - started
            assert took < 2.0 and not waits, (took, waits)
            said = str(refused.value)
            assert f"second.py (process {second.pid} " in said and "is grading into this folder" in said, said
        finally:
            second.kill()
            second.wait()
        assert not [p.name for p in out.iterdir() if p.name != OUTPUT_LOCK]  # no copy left beside it
        with output_lock(out) as fd:  # free once the second has ended, and root's run writes it again
            assert fd is not None
            assert f"(process {os.getpid()} " in (out / OUTPUT_LOCK).read_text()
    finally:
        shutil.rmtree(out)


def test_a_lock_taken_on_a_file_replaced_meanwhile_is_taken_again_on_the_new_one(tmp_path, monkeypatch):
    """A read-only holder puts its copy of the lock file in place of the old one (``_own_copy``): a
    run that opened the old file before and locks it once the holder lets go has locked a file no
    longer named, which keeps nobody out. It opens the name again and locks the file named."""
    real = outputlock._take
    replaced = []

    def take(fd, **kw):
        if not replaced:  # another run's copy takes the name between this run's open and its lock
            spare = tmp_path / "copy"
            spare.write_text("")
            os.rename(spare, tmp_path / OUTPUT_LOCK)
            replaced.append(os.stat(tmp_path / OUTPUT_LOCK).st_ino)
        return real(fd, **kw)

    monkeypatch.setattr(outputlock, "_take", take)
    with output_lock(tmp_path) as fd:
        assert os.fstat(fd).st_ino == replaced[0] == os.stat(tmp_path / OUTPUT_LOCK).st_ino
        assert f"(process {os.getpid()} " in (tmp_path / OUTPUT_LOCK).read_text()


@pytest.mark.parametrize("name", ["fall term", "x; touch pwned", "$(touch pwned)", "it's"])
def test_the_rm_a_refusal_gives_is_quoted_for_the_shell(tmp_path, name):
    """Thirty-seventh session: the ``rm`` to paste named the lock's path as it was, so an output
    folder named ``fall term`` gave ``rm -r .../fall term/.grading.lock``, which removes ``fall``
    (a folder of its own) and ``term/.grading.lock``; ``;`` or ``$(...)`` in a folder's name ran
    what followed. The command is now quoted as the shell reads it."""
    import shlex

    out = tmp_path / name
    _not_a_lock_file(out, "folder")
    with pytest.raises(OutputBusy) as refused:
        with output_lock(out):
            pytest.fail("the block ran without the folder's lock")
    said = str(refused.value)
    command = said.split("Remove it with ", 1)[1].split(" and run again", 1)[0]
    assert shlex.split(command) == ["rm", "-r", str(out / OUTPUT_LOCK)], said
