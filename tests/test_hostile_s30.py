"""Session 30 hostile review: a student's notebook against the sandbox and the reports, the attacks
no earlier test made. What held, and which test already covered it, is in docs/security.md
("Thirtieth session: hostile review"); these are the holes closed."""
from __future__ import annotations

import errno
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tests import notebooks as nbs
from tests.syscall_filters import launcher
from tests.test_commands_protected_paths import place  # noqa: F401 - a fixture: a folder off /tmp others may enter

REPO = Path(__file__).resolve().parent.parent

#: Runs argv[1:] with Landlock absent (landlock_create_ruleset, 444: ENOSYS), as on a kernel
#: before 5.13; mounts and namespaces still work (root): the mounts alone hide the protected paths.
NO_LANDLOCK = launcher({444: errno.ENOSYS}, no_new_privs=True)


#: The first line of the course's rnn_cell_forward, after which the attacks put their code.
_HEAD = "def rnn_cell_forward(xt, a_prev, parameters):\n"


def _late_reader(path: Path) -> dict[str, str]:
    """An override: ``rnn_cell_forward`` that tells in the error its feedback shows what it read in ``path``
    (its first call waiting for it up to 0.3 s: the call's limit is 0.5 s)."""
    return nbs.mutate("rnn_cell_forward", _HEAD, _HEAD + (
        f"    import os, time\n"
        f"    end = time.monotonic() + (0.3 if not os.environ.get('S30_WAITED') else 0)\n"
        f"    os.environ['S30_WAITED'] = '1'\n"
        f"    while True:\n"
        f"        try:\n            raise RuntimeError('SAW ' + open({str(path)!r}).read())\n"
        f"        except OSError as exc:\n            seen = 'REFUSED ' + type(exc).__name__\n"
        f"        if time.monotonic() > end:\n            raise RuntimeError(seen)\n"
        f"        time.sleep(0.05)\n"))


@pytest.fixture
def class_holding_the_grader(place):
    """A class folder holding a copy of the grader in ``app/`` (a class folder the grader was put in)."""
    app = place / "app"
    app.mkdir()
    shutil.copy(REPO / "grade.py", app / "grade.py")
    for name in ("grader", "rubrics"):
        shutil.copytree(REPO / name, app / name, ignore=shutil.ignore_patterns(".cache", "__pycache__"))
    for path in app.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return place


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="the mounts that hide the protected paths need root")
@pytest.mark.skipif(platform.machine() != "x86_64", reason="the filter names x86-64 system calls")
def test_an_entry_added_to_a_class_folder_holding_the_grader_after_the_start_is_hidden(class_holding_the_grader):
    """The twenty-ninth review's known hole: a folder holding the grader had its entries hidden one
    by one, each mounted over when the zygotes were configured, so that where Landlock is absent
    a file added later (a late upload copied in, an instructor's notes) was open to every later
    child. Before the fix: 'SAW secret of a late upload'."""
    klass = class_holding_the_grader
    late = klass / "late-upload.txt"
    nbs.write(klass / "a.ipynb", nbs.course_notebook())
    nbs.write(klass / "b.ipynb", nbs.course_notebook())
    nbs.write(klass / "c.ipynb", nbs.course_notebook(_late_reader(late)))
    out = Path(tempfile.mkdtemp(prefix="s30-out-"))
    stop = threading.Event()

    def add_late_file() -> None:
        # Once the first student's results are written: long after the zygotes hid what was
        # there, and a whole submission (b's) before the reader's turn.
        while not stop.is_set() and not (out / "a" / "results.json").exists():
            time.sleep(0.05)
        late.write_text("secret of a late upload")
        late.chmod(0o644)

    writer = threading.Thread(target=add_late_file, daemon=True)
    writer.start()
    try:
        done = subprocess.run([sys.executable, "-c", NO_LANDLOCK, sys.executable, str(klass / "app" / "grade.py"),
                               str(klass), "--out", str(out), "--jobs", "1", "--no-html"],
                              capture_output=True, text=True, timeout=600)
        stop.set()
        writer.join()
        assert done.returncode == 0, done.stdout + done.stderr
        assert late.exists()
        feedback = (out / "c" / "feedback.md").read_text()
        assert "SAW " not in feedback, feedback
        assert "REFUSED " in feedback, feedback
        # The class's other entries are hidden as before; the grader still grades (a's full marks).
        assert "rnn_cell_forward" in (out / "a" / "feedback.md").read_text()
    finally:
        stop.set()
        shutil.rmtree(out, ignore_errors=True)


def test_the_oom_killer_takes_a_child_before_the_grading_process(sandbox):
    """Memory is bounded per process (RLIMIT_AS, 2 GiB) and a child may start 32 processes: a
    student's processes each kept a little smaller than the grading process (Python, NumPy, the
    rubric's fixtures) fill the machine, and the OOM killer, which takes the largest process,
    took the grading process or a worker, ending the class run (twenty-fifth review, left). Every
    child now has ``oom_score_adj`` 1000, so that it goes before any process of the grader; as
    root it cannot lower it (CAP_SYS_RESOURCE set the floor). Before the fix: 0, as the grader."""
    program = "import os\ndef pid():\n    return os.getpid()\n"
    with sandbox.session(program, filename="attack.py") as session:
        assert session.load.status == "ok", session.load
        child = session.call("pid", ()).value
        adj = Path(f"/proc/{child}/oom_score_adj").read_text().split()[0]
    assert adj == "1000", adj
    assert Path("/proc/self/oom_score_adj").read_text().split()[0] != "1000"  # the grader's own unchanged


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's scheduling policies and mlock")
def test_a_child_gets_no_real_time_priority_nor_locked_memory_from_the_machines_limits():
    """The sandbox sets the limits it bounds (CPU, AS, NPROC, FSIZE, NOFILE, CORE) and a child
    inherited the rest from the grading process: where a machine's defaults allow locked memory
    (8 MiB here; ``memlock unlimited`` is usual on GPU and HPC nodes) a child locked it (each of
    32 processes, never reclaimed); where they allow real-time priority (audio groups'
    ``rtprio 95``; raised here when the test may) a child took SCHED_FIFO, which a busy loop turns
    into the machine's cores taken from the grader (the kernel leaves others 5 %). Before the
    fix: mlock of 4 MiB 0 (done), and 'SCHED_FIFO' where the priority could be raised."""
    import resource

    from grader.sandbox import Sandbox

    if resource.getrlimit(resource.RLIMIT_MEMLOCK)[1] < 4 << 20:
        pytest.skip("this machine's locked-memory limit is below the 4 MiB the attack locks")
    program = ("import os, ctypes, mmap\n"
               "def grab():\n"
               "    try:\n        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))\n"
               "        policy = 'SCHED_FIFO'\n"
               "        os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))\n"
               "    except OSError as exc:\n        policy = type(exc).__name__\n"
               "    area = mmap.mmap(-1, 4 << 20)\n"
               "    libc = ctypes.CDLL(None, use_errno=True)\n"
               "    locked = libc.mlock(ctypes.c_void_p(ctypes.addressof(ctypes.c_char.from_buffer(area))), 4 << 20)\n"
               "    return policy, locked\n")
    saved = resource.getrlimit(resource.RLIMIT_RTPRIO)
    try:
        resource.setrlimit(resource.RLIMIT_RTPRIO, (95, 95))  # needs CAP_SYS_RESOURCE
    except (ValueError, OSError):
        pass
    try:
        with Sandbox() as box:  # its zygote inherits this process's limits
            resource.setrlimit(resource.RLIMIT_RTPRIO, saved)
            with box.session(program, filename="attack.py") as session:
                assert session.load.status == "ok", session.load
                outcome = session.call("grab", ())
    finally:
        resource.setrlimit(resource.RLIMIT_RTPRIO, saved)
    assert outcome.status == "ok", outcome
    policy, locked = outcome.value
    assert policy == "PermissionError" and locked == -1, outcome.value


def _reader_of(paths: list[Path]) -> dict[str, str]:
    """An override: ``rnn_cell_forward`` that tells, in the error its feedback shows, what it read of each of
    ``paths`` (a folder: its listing)."""
    return nbs.mutate("rnn_cell_forward", _HEAD, _HEAD + (
        f"    import os\n    seen = []\n"
        f"    for path in {[str(p) for p in paths]!r}:\n"
        f"        try:\n"
        f"            seen.append('SAW ' + (','.join(os.listdir(path)) if os.path.isdir(path) else ascii(open(path).read(30))))\n"
        f"        except OSError as exc:\n            seen.append('REFUSED ' + type(exc).__name__)\n"
        f"    raise RuntimeError(' | '.join(seen))\n"))


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="the mounts that hide the protected paths need root")
@pytest.mark.skipif(platform.machine() != "x86_64", reason="the filter names x86-64 system calls")
def test_a_rubric_roster_and_known_folder_outside_the_repository_are_hidden(place):
    """``_protected_paths`` hid the repository's ``rubrics/`` only: a course's own rubric
    (``--rubric /srv/course/rnn.yaml``, its fixtures beside it), the class list (``--roster``:
    every student's name and email) and ``--known`` (earlier years' solutions) were open to every
    child where Landlock is absent (the mounts alone hide). Before the fix the student's error
    quoted the hidden fixtures' first bytes, the roster's and the known folder's listing."""
    course = place / "course"
    shutil.copytree(REPO / "rubrics", course, ignore=shutil.ignore_patterns(".cache"))
    roster = place / "roster.csv"
    roster.write_text("id,name,email\nb,Bea Example,bea@example.edu\n")
    known = place / "known"
    nbs.write(known / "2025-solution.ipynb", nbs.course_notebook())
    klass = place / "class"
    hidden = course / "fixtures" / "rnn.hidden.json"
    nbs.write(klass / "b.ipynb", nbs.course_notebook(_reader_of([hidden, roster, known])))
    for path in [place, *place.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    out = Path(tempfile.mkdtemp(prefix="s30-out-"))
    try:
        done = subprocess.run([sys.executable, "-c", NO_LANDLOCK, sys.executable, "grade.py", str(klass),
                               "--out", str(out), "--jobs", "1", "--no-html", "--rubric", str(course / "rnn.yaml"),
                               "--roster", str(roster), "--known", str(known)], cwd=REPO,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        feedback = (out / "b" / "feedback.md").read_text()
    finally:
        shutil.rmtree(out, ignore_errors=True)
    message = next(line for line in feedback.splitlines() if "RuntimeError" in line)
    # A folder is refused (an empty tmpfs no one may enter), a file reads empty (/dev/null over it).
    assert message.count("REFUSED ") + message.count("SAW ''") == 3, message
    assert "format" not in message and "Bea" not in message and "2025" not in message, message


#: Runs argv[1:] with unshare (272) and mount (165) refused and Landlock absent, as in a Docker
#: container's default profile (Gradescope's): file modes alone keep a child out.
DOCKER_LIKE = launcher({272: errno.EPERM, 165: errno.EPERM, 444: errno.ENOSYS})


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="Gradescope runs the autograder as root")
@pytest.mark.skipif(platform.machine() != "x86_64", reason="the filter names x86-64 system calls")
def test_gradescope_with_a_rubric_of_its_own_closes_that_rubrics_fixtures(place):
    """``--gradescope --rubric course/rnn.yaml``: the protected paths (closed by file modes where
    Docker refuses mounts and Landlock) named the repository's ``rubrics/`` only, so the child read
    the course rubric's hidden fixtures (0644 as unpacked). Before the fix: 'SAW ...format'."""
    import zipfile

    from grader.gradescope import build_autograder_zip

    root = place / "autograder"  # a folder others may enter, as /autograder
    root.mkdir()
    with zipfile.ZipFile(build_autograder_zip(root / "autograder.zip")) as zf:
        zf.extractall(root / "source")
    course = root / "course"
    shutil.copytree(root / "source" / "rubrics", course)
    hidden = course / "fixtures" / "rnn.hidden.json"
    nbs.write(root / "submission" / "nb.ipynb", nbs.course_notebook(_reader_of([hidden])))
    for path in [place, *place.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    done = subprocess.run([sys.executable, "-c", DOCKER_LIKE, sys.executable, "grade.py", "--gradescope",
                           "--gradescope-root", str(root), "--rubric", str(course / "rnn.yaml")],
                          cwd=root / "source", capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (root / "results" / "results.json").read_text()
    assert "SAW " not in text and "REFUSED PermissionError" in text, text


def test_protected_inputs_hide_a_rubrics_folder_or_only_its_files_where_the_folder_holds_more(tmp_path, monkeypatch):
    from grader import protectedpaths

    course = tmp_path / "course"
    (course / "fixtures").mkdir(parents=True)
    (course / "rnn.yaml").write_text("name: rnn\n")
    roster = tmp_path / "roster.csv"
    roster.write_text("id\n")
    assert protectedpaths.protected_inputs([course / "rnn.yaml", None, roster]) == [course, roster]
    # Beside the grader (or in a folder holding the system's): the YAML, its fixtures, its cache.
    monkeypatch.setattr(protectedpaths, "REPO", course / "app")
    assert protectedpaths.protected_inputs([course / "rnn.yaml"]) == [course / "rnn.yaml", course / "fixtures",
                                                                 course / ".cache"]


def test_a_stub_kept_past_its_call_gets_no_answer_from_a_later_one(sandbox):
    """A composite's stub answers from the reference trace; kept in a global and called during a
    later call (a dependency's hidden case, say), it must not reach that call's handlers, nor any
    answer: the child's request names a stub the later call did not install. Held on 10c891c
    (the call is bad output, the handler asked once); no earlier test called a stale stub."""
    program = ("kept = []\n"
               "def helper(x):\n    return -1\n"
               "def composite(x):\n    kept.append(helper)\n    return helper(x)\n"
               "def later(x):\n    return kept[0](x)\n")
    asked = []

    def answer(args):
        asked.append(args)
        return 42

    stale = []
    for later_stubs in ({}, {"other": answer}):  # none, or others than the one kept
        with sandbox.session(program, filename="attack.py") as session:
            assert session.load.status == "ok", session.load
            assert session.call("composite", (1,), stubs={"helper": answer}).value == 42
            stale.append(session.call("later", (1,), stubs=later_stubs))
    assert len(asked) == 2, asked  # once per composite call, never for the stale stub
    assert [outcome.status for outcome in stale] == ["bad_output", "bad_output"], stale


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pidfd system calls are Linux's")
def test_a_child_cannot_take_descriptors_from_or_signal_the_grader_through_a_pidfd(sandbox):
    """``pidfd_getfd`` (438: a copy of another process's descriptor: the grader's fixtures, its
    output folder, a worker's socket) and ``pidfd_send_signal`` (424) are not in the seccomp
    filter; the kernel asks for ptrace access (another uid as root; Landlock's scope without).
    Held on 10c891c (EPERM for the grading process, the zygote and init); no earlier test made
    these calls."""
    program = ("import os, ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
               "def grab(pids):\n    out = []\n    for pid in pids:\n"
               "        fd = libc.syscall(434, pid, 0)\n"
               "        if fd < 0:\n            out.append('no pidfd'); continue\n"
               "        taken = [libc.syscall(438, fd, n, 0) for n in range(3)]\n"
               "        signalled = libc.syscall(424, fd, 0, None, 0)\n"
               "        out.append('taken' if max(taken) >= 0 else 'signalled' if signalled == 0 else 'refused')\n"
               "    return out\n")
    with sandbox.session(program, filename="attack.py") as session:
        assert session.load.status == "ok", session.load
        outcome = session.call("grab", ([os.getpid(), sandbox.zygote_pid, 1],))
    assert outcome.status == "ok", outcome
    assert set(outcome.value) <= {"refused", "no pidfd"} and outcome.value[0] == "refused", outcome.value


_LOWER_OOM_SCORE = '''
import json, sys, textwrap
sys.path.insert(0, sys.argv[1])
from grader.sandbox import Sandbox
program = textwrap.dedent("""
    import ctypes
    def lower():
        ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE: its /proc files its own again
        try:
            with open("/proc/self/oom_score_adj", "w") as handle:
                handle.write("0")
        except OSError as exc:
            return type(exc).__name__
        return open("/proc/self/oom_score_adj").read().strip()
""")
with Sandbox() as box, box.session(program, filename="attack.py") as session:
    print(json.dumps(session.call("lower", ()).value))
'''


@pytest.mark.skipif(os.geteuid() != 0, reason="the uid drop that leaves a child not dumpable needs root")
@pytest.mark.skipif(platform.machine() != "x86_64", reason="the filter names x86-64 system calls")
def test_a_child_cannot_lower_its_oom_score_by_making_itself_dumpable():
    """Where root lacks CAP_SYS_RESOURCE (Docker's default capabilities, this machine) writing 1000
    sets no floor, and where Landlock is absent a child reaches its own /proc: it made itself
    dumpable (its /proc files, root's since it dropped root, its own again) and wrote 0, back
    below the grader's processes for the OOM killer. Before the fix: '0'."""
    done = subprocess.run([sys.executable, "-c", NO_LANDLOCK, sys.executable, "-c", _LOWER_OOM_SCORE, str(REPO)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] in ('"PermissionError"', '"1000"'), done.stdout
