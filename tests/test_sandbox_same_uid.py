"""Twenty-first session, hostile student: calls that act on another process of the same uid.

``prlimit``, ``sched_setaffinity``, ``sched_setscheduler``, ``sched_setparam``, ``sched_setattr``,
``setpriority`` and ``ioprio_set`` reach any process of the caller's uid. Without root a child has
the grading user's uid: it lowered the grading process's hard ``RLIMIT_FSIZE`` (found by trying
the pids below its own), and the class run died writing the next ``feedback.md`` (EFBIG: no
``grades.csv``, no result for anyone). Landlock's scoping covers signals and abstract sockets, not
these. As root the child's slot uid reaches only its own processes, which the first test uses:
it holds in both modes.
"""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from grader.sandbox import Limits, Sandbox
from tests import notebooks as nbs
from tests.isolation import isolated

REPO = Path(__file__).resolve().parents[1]

#: A child forks a grandchild (same uid in both modes) and tries each call on it, then on itself.
_ON_ANOTHER = """
import os, resource, time

def attempts():
    pid = os.fork()
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    tried = {}
    calls = {
        "prlimit": lambda p: resource.prlimit(p, resource.RLIMIT_FSIZE, (4096, 4096)),
        "affinity": lambda p: os.sched_setaffinity(p, {min(os.sched_getaffinity(0))}),
        "scheduler": lambda p: os.sched_setscheduler(p, os.SCHED_IDLE, os.sched_param(0)),
        "param": lambda p: os.sched_setparam(p, os.sched_param(0)),
        "priority": lambda p: os.setpriority(os.PRIO_PROCESS, p, 19),
        "pgrp priority": lambda p: os.setpriority(os.PRIO_PGRP, os.getpgid(p), 19),
        "user priority": lambda p: os.setpriority(os.PRIO_USER, 0, 19),
    }
    try:
        for name, call in calls.items():
            try:
                call(pid)
                tried[name] = "done"
            except OSError as exc:
                tried[name] = exc.errno
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    # The child's own: glibc passes 0 for "this process".
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    tried["own prlimit"] = resource.prlimit(0, resource.RLIMIT_FSIZE)[0]
    os.sched_setaffinity(0, os.sched_getaffinity(0))
    tried["own nice"] = os.nice(1) >= 1
    os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    tried["own scheduler"] = os.sched_getscheduler(0) == os.SCHED_BATCH
    return tried
"""


def test_a_child_cannot_change_the_limits_or_scheduling_of_another_process_of_its_uid():
    # Before the fix every one of the seven was "done" (the user-wide priority included).
    with Sandbox(limits=Limits(call_timeout=10.0, submission_timeout=30.0, max_processes=8)) as sandbox:
        if not sandbox.capabilities.seccomp:
            pytest.skip("no seccomp here")
        with sandbox.session(textwrap.dedent(_ON_ANOTHER), filename="attack.py") as session:
            assert session.load.status == "ok", session.load
            out = session.call("attempts", ())
    assert out.status == "ok", out
    tried = out.value
    for name in ("prlimit", "affinity", "scheduler", "param", "priority", "pgrp priority", "user priority"):
        assert tried[name] == 1, (name, tried)  # EPERM
    assert tried["own prlimit"] == 1 << 20 and tried["own nice"] and tried["own scheduler"]


_ATTACKER = """    import os, resource
    for pid in range(max(os.getpid() - 3000, 2), os.getpid()):
        try:
            resource.prlimit(pid, resource.RLIMIT_FSIZE, (0, 0))
        except OSError:
            pass
"""


@pytest.mark.slow
def test_without_root_a_student_cannot_stop_the_class_run_through_prlimit():
    # Before the fix: grade.py exited 1 with "OSError: [Errno 27] File too large" writing
    # a_attacker/feedback.md, and b_victim was never graded.
    if os.geteuid() != 0:
        pytest.skip("needs root to become nobody (the run must be without root)")
    if [p for p in (REPO, *REPO.parents) if not p.stat().st_mode & stat.S_IXOTH]:
        pytest.skip("nobody cannot reach the repository")
    head = "def rnn_cell_forward(xt, a_prev, parameters):\n"
    attacker = nbs.COURSE_CELLS["rnn_cell_forward"].replace(head, head + _ATTACKER, 1)
    assert attacker != nbs.COURSE_CELLS["rnn_cell_forward"]
    with tempfile.TemporaryDirectory(prefix="s21-nonroot-") as tmp:
        os.chmod(tmp, 0o777)
        subs = Path(tmp) / "subs"
        nbs.write(subs / "a_attacker.ipynb", nbs.course_notebook({"rnn_cell_forward": attacker}))
        nbs.write(subs / "b_victim.ipynb", nbs.course_notebook())
        env = {"PATH": "/usr/bin:/bin", "HOME": tmp, "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
        proc = subprocess.run(
            [sys.executable, "grade.py", str(subs), "--out", str(Path(tmp) / "out"), "--jobs", "1",
             "--no-similarity", "--no-html"],
            cwd=REPO, env=env, preexec_fn=isolated(), capture_output=True, text=True, timeout=300)
        text = proc.stdout + proc.stderr
        assert proc.returncode == 0, text[-3000:]
        assert "Sandbox: sandbox (non-root)" in text
        rows = (Path(tmp) / "out" / "grades.csv").read_text().splitlines()
    assert rows[1].startswith("a_attacker,100,") and rows[2].startswith("b_victim,100,"), rows


def _skip_unless_nobody_can_reach_the_repository() -> None:
    """As root the scripts below run as nobody, who needs to traverse every folder to the repository."""
    if os.geteuid() == 0 and [p for p in (REPO, *REPO.parents) if not p.stat().st_mode & stat.S_IXOTH]:
        pytest.skip("nobody cannot reach the repository")


def _run_without_root(script: str, *args: str, cwd: str, python: str = sys.executable) -> subprocess.CompletedProcess:
    """``script`` run with ``args`` by ``python`` without root (as nobody when root), the
    repository on its path; the test asserts on its output."""
    return subprocess.run([python, "-c", script, *args], cwd=cwd,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"},
                          preexec_fn=isolated() if os.geteuid() == 0 else None, capture_output=True, text=True,
                          timeout=120)


_PROBE = """
import os, sys
from grader.sandbox import Sandbox
secret = sys.argv[1]
program = '''
def peek(path):
    try:
        return open(path).read()
    except OSError as exc:
        return "refused " + type(exc).__name__
'''
with Sandbox(protected_paths=[os.path.dirname(secret)]) as sandbox:
    with sandbox.session(program) as session:
        print(session.call("peek", (secret,)).value)
"""


@pytest.mark.slow
def test_a_protected_folder_inside_a_readable_one_stays_unreadable_without_root():
    # Landlock only grants: the rule for the interpreter's prefix (here a virtual environment
    # holding the course folder; in the python image's WORKDIR /usr/src/app, the rule for /usr)
    # let a child read the protected folder inside it. Before the fix the child printed the
    # secret; as root a mount hides it as well, so this runs without root (as nobody when root).
    with tempfile.TemporaryDirectory(prefix="s21-venv-") as tmp:
        os.chmod(tmp, 0o755)
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)],
                       check=True, timeout=120)
        secret = venv / "course" / "rubrics" / "rnn.hidden.json"
        secret.parent.mkdir(parents=True)
        secret.write_text("HIDDEN-EXPECTED-VALUES")
        for path in (secret.parent.parent, secret.parent):
            path.chmod(0o755)
        secret.chmod(0o644)
        _skip_unless_nobody_can_reach_the_repository()
        proc = _run_without_root(_PROBE, str(secret), cwd=tmp, python=str(venv / "bin" / "python"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "refused PermissionError", proc.stdout


def test_readable_without_carves_a_protected_path_out_of_its_ancestors(tmp_path):
    from grader._child import readable_without

    (tmp_path / "app" / "rubrics").mkdir(parents=True)
    (tmp_path / "app" / "grader").mkdir()
    (tmp_path / "app" / "grade.py").write_text("")
    (tmp_path / "app" / "back").symlink_to(tmp_path)  # a link leading back up is not followed twice
    (tmp_path / "lib").mkdir()
    read = readable_without([str(tmp_path), "/dev/urandom"], [str(tmp_path / "app" / "rubrics")])
    assert read == ["/dev/urandom", str(tmp_path / "app" / "grade.py"), str(tmp_path / "app" / "grader"),
                    str(tmp_path / "lib")]
    assert readable_without(["/usr"], ["/work/course/rubrics"]) == ["/usr"]  # the usual case: unchanged


_CROSS = """
import sys
from grader.sandbox import Sandbox
victim = '''
import os, time
def pid():
    return os.getpid()
def work():
    start = time.process_time()
    while time.process_time() - start < 1.5:
        pass
    return "done"
'''
attacker = '''
import resource
def hit(pid):
    try:
        resource.prlimit(pid, resource.RLIMIT_CPU, (0, 0))
        return "lowered"
    except OSError as exc:
        return "refused %d" % exc.errno
'''
with Sandbox() as one, Sandbox() as two:  # two workers' sandboxes
    with two.session(victim) as other, one.session(attacker) as mine:
        print(mine.call("hit", (other.call("pid", ()).value,)).value)
        outcome = other.call("work", ())
        print(outcome.status, outcome.value)
"""


@pytest.mark.slow
def test_without_root_a_child_cannot_kill_another_workers_child_through_its_limits():
    # Before the fix: "lowered", then the other student's call "crashed" (SIGKILL at its new
    # RLIMIT_CPU of 0 s): one student's notebook took another's points.
    _skip_unless_nobody_can_reach_the_repository()
    with tempfile.TemporaryDirectory(prefix="s21-cross-") as tmp:
        os.chmod(tmp, 0o755)
        proc = _run_without_root(_CROSS, cwd=tmp)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split("\n")[:2] == ["refused 1", "ok done"], proc.stdout


_WATCH = """
import os, sys, threading, time
from grader.sandbox import Sandbox
subs = sys.argv[1]
program = '''
import ctypes, os, select, struct, time
def watch(path):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(os.O_NONBLOCK)
    if fd < 0:
        return "refused %d" % ctypes.get_errno()
    if libc.inotify_add_watch(fd, path.encode(), 0x20 | 0x1) < 0:  # IN_OPEN | IN_ACCESS
        return "refused %d" % ctypes.get_errno()
    names, end = set(), time.monotonic() + 1.5
    while time.monotonic() < end:
        select.select([fd], [], [], 0.1)
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            continue
        at = 0
        while at < len(data):
            size = struct.unpack_from("iIII", data, at)[3]
            names.add(data[at + 16:at + 16 + size].rstrip(bytes(1)).decode())
            at += 16 + size
    return sorted(names)
'''

def grader_reads():  # as a worker reads the class's notebooks
    time.sleep(0.4)
    for name in sorted(os.listdir(subs)):
        with open(os.path.join(subs, name), "rb") as handle:
            handle.read()

with Sandbox(protected_paths=[subs]) as sandbox:
    with sandbox.session(program) as session:
        reader = threading.Thread(target=grader_reads)
        reader.start()
        print(session.call("watch", (subs,)).value)
        reader.join()
"""


@pytest.mark.slow
def test_without_root_a_child_cannot_watch_the_submissions_folder_for_names():
    # Landlock does not cover inotify: before the fix the child printed
    # ['', 'doejohn_67890.ipynb', 'smithjane_12345.ipynb'] (other students' names, read as the
    # grader opened their notebooks).
    _skip_unless_nobody_can_reach_the_repository()
    with tempfile.TemporaryDirectory(prefix="s21-watch-") as tmp:
        os.chmod(tmp, 0o755)
        subs = Path(tmp) / "subs"
        subs.mkdir(mode=0o755)
        for name in ("smithjane_12345", "doejohn_67890"):
            (subs / f"{name}.ipynb").write_text("{}")
            (subs / f"{name}.ipynb").chmod(0o644)
        proc = _run_without_root(_WATCH, str(subs), cwd=tmp)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "smithjane" not in proc.stdout and proc.stdout.strip() == "refused 1", proc.stdout


_METADATA = """
import os, sys
from grader.sandbox import Sandbox
target = sys.argv[1]
program = '''
import os
def change(path):
    done = {}
    calls = {
        "chmod": lambda: os.chmod(path, 0),
        "chmod by an O_PATH folder": lambda: os.chmod(os.path.basename(path), 0,
                                                       dir_fd=os.open(os.path.dirname(path), os.O_PATH)),
        "utime": lambda: os.utime(path, (0, 0)),
        # (the interpreter's files here are root's: its own file shows that fchmod is filtered)
        "fchmod of its own file": lambda: os.fchmod(os.open("mine", os.O_CREAT | os.O_RDONLY), 0o777),
    }
    for name, call in calls.items():
        try:
            call()
            done[name] = "done"
        except OSError as exc:
            done[name] = exc.errno
    return done
'''
with Sandbox(protected_paths=[os.path.dirname(target)]) as sandbox:
    with sandbox.session(program) as session:
        print(session.call("change", (target,)).value)
stat = os.stat(target)
print(oct(stat.st_mode & 0o777), int(stat.st_mtime) != 0)
"""


@pytest.mark.slow
def test_without_root_a_child_cannot_change_the_mode_or_times_of_the_users_files():
    # Landlock does not cover a file's metadata. Before the fix the child set the protected
    # results.json's mode to 000 and its times to 1970 (by path and through an O_PATH folder),
    # and fchmod reached any file it may open (the interpreter's own, when the user owns it).
    _skip_unless_nobody_can_reach_the_repository()
    as_root = os.geteuid() == 0
    # Not under /tmp: without root the zygote covers /tmp with a tmpfs of its own where the
    # kernel allows it (twenty-fourth session), and the child would not see the file at all.
    with tempfile.TemporaryDirectory(prefix="s21-meta-", dir="/var/tmp" if os.path.isdir("/var/tmp") else None) as tmp:
        os.chmod(tmp, 0o755)
        out = Path(tmp) / "out"
        out.mkdir(mode=0o777)
        out.chmod(0o777)
        target = out / "results.json"
        target.write_text("{}")
        target.chmod(0o666)
        if as_root:
            os.chown(target, 65534, 65534)  # the grading user's file (nobody's here)
        proc = _run_without_root(_METADATA, str(target), cwd=tmp)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.split("\n")
    assert lines[0] == str({"chmod": 1, "chmod by an O_PATH folder": 1, "utime": 1, "fchmod of its own file": 1}), lines
    assert lines[1] == "0o666 True"
