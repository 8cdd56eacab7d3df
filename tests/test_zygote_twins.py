"""Zygotes started with one interpreter's boot (``grader.zygote.start_zygotes``): the first forks
its twins once it has booted and before any is configured. Each twin is a zygote of its own
(its own session, socket, log, configuration, set-up and children); the first reaps it, never
sweeps it, and waits for it before leaving; a twin leaves when its socket ends, whoever else
dies; and a class run leaves no process behind (fifteenth session)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader import sandbox
from grader.batch import WorkerPool
from grader.runner import GradingContext

REPO = Path(__file__).resolve().parents[1]
ADD = "def f(x):\n    return x + 1\n"


def stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/pid/stat after the command's name (state first), None once reaped."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    fields = stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def children_of(pid: int) -> set[int]:
    """The live (or unreaped) children of ``pid``."""
    found = set()
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found.update(int(p) for p in (task / "children").read_text().split())
        except OSError:
            pass
    return found


def sockets_of(pid: int) -> set[str]:
    """The sockets ``pid`` holds (``socket:[inode]``)."""
    held = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:"):
            held.add(target)
    return held


def until(predicate, timeout: float = 10.0) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def add_one(box: sandbox.Sandbox) -> object:
    """One session and one call in ``box``."""
    with box.session(ADD) as session:
        return session.call("f", (41,)).value


def test_twins_are_zygotes_of_their_own_and_the_first_reaps_them():
    first, twin = sandbox.start_zygotes(2)
    assert first.twins == 1 and twin.proc is None and not twin.is_parent()
    a = sandbox.Sandbox(zygote=first)
    b = sandbox.Sandbox(zygote=twin)
    try:
        assert a.zygote_pid == first.proc.pid and b.zygote_pid != a.zygote_pid
        assert stat_fields(b.zygote_pid)[1] == str(a.zygote_pid)  # forked by the first
        assert stat_fields(b.zygote_pid)[3] == str(b.zygote_pid)  # a session of its own
        assert not sockets_of(a.zygote_pid) & sockets_of(b.zygote_pid)  # neither holds the other's socket
        assert add_one(a) == 42 and add_one(b) == 42
        assert b.capabilities == a.capabilities
        assert children_of(a.zygote_pid) == {b.zygote_pid}  # its sessions' children killed, the twin kept
        twin_pid = b.zygote_pid
        a.close()  # the first's socket ends at once; it waits for its twin, still serving
        assert first.proc.poll() is None and add_one(b) == 42
    finally:
        b.close()
        a.close()
    first.reap(timeout=10)
    assert first.proc.returncode == 0
    assert stat_fields(twin_pid) is None  # reaped by the first


def test_a_twin_nobody_adopts_leaves_and_is_reaped_by_the_first():
    first, twin = sandbox.start_zygotes(2)
    twin.stop()
    with sandbox.Sandbox(zygote=first) as box:  # configured: past the twin's fork
        assert until(lambda: not children_of(box.zygote_pid)), "the unadopted twin is still there"
        assert add_one(box) == 42
    first.reap(timeout=10)
    assert first.proc.returncode == 0


def test_killing_the_first_zygote_leaves_its_twin_serving_until_its_socket_ends():
    first, twin = sandbox.start_zygotes(2)
    a = sandbox.Sandbox(zygote=first)
    b = sandbox.Sandbox(zygote=twin)
    try:
        twin_pid = b.zygote_pid
        os.kill(first.proc.pid, signal.SIGKILL)
        first.reap(timeout=10)
        assert add_one(b) == 42  # its adopter's grading goes on
        assert running(twin_pid)
    finally:
        b.close()
        a.close()
    assert until(lambda: not running(twin_pid)), "the twin outlived its socket"


def test_a_killed_twin_is_reaped_by_the_first_which_serves_on():
    first, twin = sandbox.start_zygotes(2)
    with sandbox.Sandbox(zygote=first) as a, sandbox.Sandbox(zygote=twin) as b:
        twin_pid = b.zygote_pid
        os.kill(twin_pid, signal.SIGKILL)
        assert until(lambda: stat_fields(twin_pid) is None), "the dead twin was not reaped"
        assert add_one(a) == 42
        with pytest.raises(sandbox.SandboxError):
            add_one(b)
    first.reap(timeout=10)
    assert first.proc.returncode == 0


def test_a_pool_of_one_job_stops_the_twin_and_reaps_the_first():
    zygotes = sandbox.start_zygotes(2)
    context = GradingContext(rubric=None, fixtures=None)
    with WorkerPool(context=context, out_dir=Path("/nonexistent"), jobs=1, zygotes=zygotes) as pool:
        box = pool._local()
        assert until(lambda: not children_of(box._box.zygote_pid)), "the unadopted twin is still there"
    assert zygotes[0].proc.returncode == 0



def test_a_pool_whose_first_worker_cannot_be_forked_stops_the_twin_before_the_first(monkeypatch):
    """A pool that fails to fork its first worker (no memory, too many processes, Ctrl-C) stops
    the zygotes it was given. The first waits for its twins before leaving, so a twin's socket
    must end first: in the list's order the first was killed after ``stop``'s 5 s and its twin
    left as an orphan, never reaped by the run (fifteenth session's review)."""
    import multiprocessing.context

    def fail(self):
        raise OSError(11, "fork failed")

    zygotes = sandbox.start_zygotes(2)
    assert until(lambda: len(children_of(zygotes[0].proc.pid)) == 1), "the twin was not forked"
    twins = children_of(zygotes[0].proc.pid)
    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start", fail)
    with pytest.raises(OSError, match="fork failed"):
        WorkerPool(context=GradingContext(rubric=None, fixtures=None), out_dir=Path("/nonexistent"), jobs=2,
                   zygotes=zygotes)
    assert zygotes[0].proc.returncode >= 0  # left by itself (its socket ended unconfigured), not killed
    assert [stat_fields(pid) for pid in twins] == [None]  # reaped by the first

@pytest.mark.slow
def test_forked_workers_adopt_the_first_zygote_and_its_twin_and_none_is_left(tmp_path):
    from grader import commands
    from grader import classfiles
    from grader.discover import find_submissions
    from tests import notebooks as nbs

    subs = tmp_path / "subs"
    for name in ("ada", "alan", "grace"):
        nbs.write(subs / f"{name}.ipynb", nbs.course_notebook())
    context = commands.load_context(classfiles.DEFAULT_RUBRIC)
    zygotes = sandbox.start_zygotes(2)
    with WorkerPool(context=context, out_dir=tmp_path / "out", jobs=2, zygotes=zygotes) as pool:
        for conn in list(pool._workers):
            assert conn.recv()[0] == "ready"
        twins = children_of(zygotes[0].proc.pid)
        assert len(twins) == 1
        done = pool.run(find_submissions(subs))
        assert sorted(d.status for d in done) == ["graded"] * 3
    assert zygotes[0].proc.returncode == 0
    assert [stat_fields(pid) for pid in twins] == [None]


_SWEEPS = r"""
import os, socket, signal, time
from grader import _child

twin = os.fork()
if twin == 0:
    time.sleep(60)
    os._exit(0)
ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
z = _child.Zygote(ours, {"protected": [], "max_bytes": 1 << 20}, twins={twin})
swept = []
z._sweep_uid = swept.append
z.root = True
z._kill({"pid": 1 << 30, "uid": 12345})   # a session's end, as root: strays would be swept
z.root = False
z._kill({"pid": 1 << 30, "uid": None})    # without root: strays are killed
alive = os.waitpid(twin, os.WNOHANG) == (0, 0)
os.kill(twin, signal.SIGKILL)
time.sleep(0.2)
z._reap()
print(swept, alive, z.twins)
"""


def test_the_first_zygote_neither_sweeps_nor_kills_its_twin_and_forgets_it_once_reaped():
    """The first zygote is a subreaper that kills processes it adopted (a session child's strays)
    and, as root, sweeps a session's uid when it has any: its twin is its child but neither, and
    its pid is forgotten once reaped (it may be reused by a stray)."""
    done = subprocess.run([sys.executable, "-c", _SWEEPS], cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["[]", "True", "set()"], done.stdout


def seccomp_on(pid: int) -> bool:
    """True once a zygote has set itself up (its seccomp filter is the last step of it)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return any(line.split() == ["Seccomp:", "2"] for line in status.splitlines())


def test_a_zygote_configured_by_its_starter_sets_itself_up_before_it_is_adopted():
    """``configure_zygote`` sends what the adopting Sandbox would send, so the zygote sets itself
    up while its starter goes on (a class run: while it forks the workers); the adopter only
    awaits the answer, and one with other options is refused rather than served by a zygote
    set up for another sandbox."""
    options = {"protected_paths": [REPO / "solution"], "layouts": [], "arg_layouts": []}
    first, twin = sandbox.start_zygotes(2)
    for started in (first, twin):
        sandbox.configure_zygote(started, **options)
    assert until(lambda: seccomp_on(first.proc.pid)), "not set up before its adoption"
    assert until(lambda: len(children_of(first.proc.pid)) == 1 and seccomp_on(min(children_of(first.proc.pid))))
    with sandbox.Sandbox(zygote=first, **options) as box:
        # The solution is hidden: listed, or under a hidden folder (a checkout under /tmp)
        hidden = box.capabilities.hidden_paths
        assert add_one(box) == 42 and any((REPO / "solution").is_relative_to(path) for path in hidden)
    with pytest.raises(sandbox.SandboxError, match="configured for another"):
        sandbox.Sandbox(zygote=twin, protected_paths=[REPO / "rubrics"])
    first.reap(timeout=10)
    assert first.proc.returncode == 0 and not children_of(first.proc.pid)


_BEFORE_CONFIG = r"""
import gc, sys
from grader import _child
assert gc.get_freeze_count() == 0
_child._before_config()
print(all(name in sys.modules for name in _child.PRELOAD), gc.get_freeze_count() > 0)
"""


def test_a_zygote_imports_what_children_inherit_and_freezes_its_heap_before_its_configuration():
    """What the set-up did first and needs no configuration (the modules every child inherits,
    a full collection of the booted heap) is done while the zygote waits for its configuration,
    and before its twins are forked: the set-up left after the configuration is shorter."""
    done = subprocess.run([sys.executable, "-c", _BEFORE_CONFIG], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["True", "True"], done.stdout


def test_a_worker_whose_zygote_died_before_its_adoption_starts_a_fresh_one():
    """A started zygote killed before a worker's sandbox adopts it (the first of a class run's,
    its twins with it if not yet forked) made that worker die, and the run with it (a broken
    pipe in the grading process): the worker's sandbox now starts a fresh zygote instead."""
    from grader.batch import ResilientSandbox

    first, twin = sandbox.start_zygotes(2)
    os.kill(first.proc.pid, signal.SIGKILL)
    first.reap(timeout=10)
    with ResilientSandbox(zygote=first) as box:
        assert box._box.zygote_pid != first.proc.pid
        assert add_one(box._box) == 42
    twin.stop()


def test_twins_on_stream_sockets_frame_their_messages(monkeypatch):
    """Where there is no SEQPACKET (macOS), the control sockets are streams with length-prefixed
    messages: each twin sees its own socket's type, as a zygote started alone does."""
    import grader.zygote

    monkeypatch.setattr(grader.zygote, "PLATFORM", grader.zygote.PLATFORM._replace(seqpacket=False))
    first, twin = sandbox.start_zygotes(2)
    assert first.framed and twin.framed
    options = {"protected_paths": [], "layouts": [], "arg_layouts": []}
    sandbox.configure_zygote(twin, **options)
    with sandbox.Sandbox(zygote=first, **options) as a, sandbox.Sandbox(zygote=twin, **options) as b:
        assert add_one(a) == 42 and add_one(b) == 42
    first.reap(timeout=10)
    assert first.proc.returncode == 0


_HIT = """
import os, signal
def hit(first, twin):
    hits = []
    for target in (first, twin, os.getppid()):
        for send in (os.kill, os.killpg):
            try:
                send(target, signal.SIGSTOP)
                hits.append(target)
            except OSError:
                pass
    seen = [p for p in (first, twin) if os.path.exists(f"/proc/{p}/status")]
    return hits, seen
"""


def test_a_twins_child_can_neither_signal_nor_see_its_zygote_or_the_first():
    """The first zygote is its twins' parent: a child of a twin (a student's code) can signal
    neither its own zygote nor the first (which would stop the other worker's grading), nor see
    them in /proc (fifteenth session's review; the single zygote's case is in test_sandbox_hostile)."""
    first, twin = sandbox.start_zygotes(2)
    with sandbox.Sandbox(zygote=first) as a, sandbox.Sandbox(zygote=twin) as b:
        caps = b.capabilities
        with b.session(_HIT) as session:
            out = session.call("hit", (a.zygote_pid, b.zygote_pid))
        for pid in (a.zygote_pid, b.zygote_pid):
            os.kill(pid, signal.SIGCONT)
        if not (caps.uid_drop or caps.landlock_abi >= 6):
            pytest.skip("without root or Landlock scoping the child may signal its own user's processes")
        hits, seen = out.value
        assert hits == []
        if caps.proc_hidepid:
            assert seen == []
        assert add_one(a) == 42 and add_one(b) == 42
    first.reap(timeout=10)
    assert first.proc.returncode == 0
