"""Zygotes started by the grading process while it imports the grader and loads the rubric and
fixtures (``grader.zygote.start_zygote``) and adopted by the workers' sandboxes: used, held by
their adopter alone, reaped, never left behind. (A fifth-session design, reverted then for no
gain it could show, started again by the ninth session before the grader's heavier imports.)"""
from __future__ import annotations

import io
import os
import signal
import time
from pathlib import Path

import pytest

import grader.fixtures
import grader.zygote
from grader import classrun, commands, sandbox
from grader import classfiles
from grader import exits
from grader.batch import ResilientSandbox, WorkerPool
from grader.discover import find_submissions
from tests import notebooks as nbs


def configured(pid: int) -> bool:
    """True once a zygote has set itself up (its seccomp filter is the last step of it)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return any(line.split() == ["Seccomp:", "2"] for line in status.splitlines())


def children_of(pid: int) -> set[int]:
    """The live (or unreaped) children of ``pid``."""
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found.update(int(p) for p in (task / "children").read_text().split())
        except OSError:
            pass
    return found


def gone(zygote: sandbox.StartedZygote, timeout: float = 10.0) -> bool:
    """True when the zygote exits within ``timeout`` seconds (it is reaped here)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if zygote.proc.poll() is not None:
            return True
        time.sleep(0.05)
    return False


def test_a_sandbox_adopts_a_started_zygote_and_reaps_it_here():
    zygote = sandbox.start_zygote()
    with ResilientSandbox(zygote=zygote) as box:
        assert box._box.zygote_pid == zygote.proc.pid and configured(zygote.proc.pid)
        with box.session("def f(x):\n    return x + 1\n") as session:
            assert session.call("f", (1,)).value == 2
    assert zygote.proc.returncode is not None  # closed and waited for by its parent


def test_a_started_zygote_inherits_no_file_of_the_grading_process(tmp_path):
    secret = tmp_path / "fixtures.json"
    secret.write_text("{}")
    with open(secret) as held:
        zygote = sandbox.start_zygote()
        with ResilientSandbox(zygote=zygote):
            targets = [os.readlink(f"/proc/{zygote.proc.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{zygote.proc.pid}/fd")]
        assert held.fileno() > 2
    assert not [t for t in targets if str(tmp_path) in t], targets


@pytest.mark.slow
def test_forked_workers_adopt_the_zygotes_and_the_pool_reaps_them(tmp_path):
    """Each worker's sandbox is one of the zygotes started here (configured, and no zygote of the
    workers' own); the pool reaps them when it closes."""
    subs = tmp_path / "subs"
    for name in ("ada", "alan", "grace"):
        nbs.write(subs / f"{name}.ipynb", nbs.course_notebook())
    context = commands.load_context(classfiles.DEFAULT_RUBRIC)
    zygotes = [sandbox.start_zygote(), sandbox.start_zygote()]
    with WorkerPool(context=context, out_dir=tmp_path / "out", jobs=2, zygotes=zygotes) as pool:
        workers = [proc.pid for proc, _ in pool._workers.values()]
        done = pool.run(find_submissions(subs))
        assert sorted(d.status for d in done) == ["graded"] * 3
        assert all(configured(z.proc.pid) for z in zygotes)
        assert not any(children_of(pid) for pid in workers)  # no zygote of their own
    for zygote in zygotes:
        assert zygote.proc.returncode is not None
        with pytest.raises(ChildProcessError):
            os.waitpid(zygote.proc.pid, os.WNOHANG)


@pytest.mark.slow
def test_a_killed_worker_takes_its_zygote_with_it(tmp_path):
    """Only its adopter holds a zygote's socket (not the grading process, not the other worker,
    which inherited it), so the zygote leaves when its worker dies."""
    context = commands.load_context(classfiles.DEFAULT_RUBRIC)
    zygotes = [sandbox.start_zygote(), sandbox.start_zygote()]
    with WorkerPool(context=context, out_dir=tmp_path / "out", jobs=2, zygotes=zygotes) as pool:
        for conn in list(pool._workers):
            conn.recv()  # ("ready", ...): the worker's sandbox has adopted its zygote
        assert all(configured(z.proc.pid) for z in zygotes)
        workers = [proc for proc, _ in pool._workers.values()]
        for proc, zygote in reversed(list(zip(workers, zygotes))):
            os.kill(proc.pid, signal.SIGKILL)
            assert gone(zygote), "the zygote outlived its worker"


def test_a_pool_stops_the_zygotes_it_does_not_need():
    """One job: the sandbox runs here and adopts the first zygote; the second is stopped."""
    from grader.runner import GradingContext

    zygotes = [sandbox.start_zygote(), sandbox.start_zygote()]
    context = GradingContext(rubric=None, fixtures=None)
    with WorkerPool(context=context, out_dir=Path("/nonexistent"), jobs=1, zygotes=zygotes):
        assert zygotes[1].proc.returncode is not None
    assert zygotes[0].proc.returncode is not None


def test_grade_class_starts_the_zygotes_first_and_leaves_none(tmp_path, monkeypatch):
    """A folder to grade: the zygotes are started before the rubric is loaded, configured as
    soon as the rubric and fixtures are (before the bonus's configuration, the fixtures' digest
    and the workers' fork), adopted, and every process the run started is gone when it returns;
    a rerun with keys, a zip, or a bad rubric start none early (or stop them)."""
    started, order = [], []
    real_start, real_load = grader.zygote.start_zygotes, commands.load_context

    def start(count):
        order.extend(["zygote"] * count)
        started.extend(real_start(count))
        return started[-count:]

    twins: set[int] = set()

    def load(*args, **kwargs):
        order.append("context")
        if started and started[-1].proc is None:  # the first zygote's twin: note its pid once forked
            deadline = time.monotonic() + 10
            while not twins and time.monotonic() < deadline:
                twins.update(children_of(started[-2].proc.pid))
                time.sleep(0.01)
        return real_load(*args, **kwargs)

    real_configure, real_bonus = grader.zygote.configure_zygote, classrun.with_bonus
    real_digest = grader.fixtures.fixtures_digest

    def configure(zygote, **options):
        order.append("configure")
        real_configure(zygote, **options)

    def bonus(context):
        order.append("bonus")
        return real_bonus(context)

    def digest(rubric):
        order.append("digest")
        return real_digest(rubric)

    monkeypatch.setattr(grader.zygote, "start_zygotes", start)
    monkeypatch.setattr(classrun, "load_context", load)
    monkeypatch.setattr(grader.zygote, "configure_zygote", configure)
    monkeypatch.setattr(classrun, "with_bonus", bonus)
    monkeypatch.setattr(grader.fixtures, "fixtures_digest", digest)
    real_init = WorkerPool.__init__

    def pool(self, **kwargs):
        order.append("pool")
        real_init(self, **kwargs)

    monkeypatch.setattr(WorkerPool, "__init__", pool)
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    nbs.write(subs / "grace.ipynb", nbs.alt_notebook())
    before = children_of(os.getpid())
    summary = commands.grade_class(subs, out_dir=tmp_path / "out", jobs=2, similarity=False,
                                   class_report=False, feedback_html=False, stream=io.StringIO())
    assert summary.graded == 2
    # configured as soon as the rubric and fixtures give the layouts: set up while this process
    # loads the rest and forks the workers; the fixtures' digest (the results' key) taken right
    # after, and again at the end (were they edited while the class was graded?)
    assert order == ["zygote", "zygote", "context", "configure", "configure", "digest", "bonus", "pool", "digest"]
    assert started[1].proc is None and len(twins) == 1  # the first zygote's twin
    assert all(z.proc.returncode is not None for z in started[::2])
    assert not [pid for pid in twins if Path(f"/proc/{pid}").exists()]  # reaped by the first
    assert children_of(os.getpid()) <= before

    order.clear()
    commands.grade_class(subs, out_dir=tmp_path / "out", jobs=2, similarity=False, class_report=False,
                         feedback_html=False, stream=io.StringIO())  # nothing changed: all kept
    assert order == ["context", "digest", "bonus", "digest"]

    bad = tmp_path / "bad.yaml"
    bad.write_text("not: [a rubric")
    with pytest.raises(exits.CommandError):
        commands.grade_class(subs, out_dir=tmp_path / "out2", rubric=bad, jobs=2, stream=io.StringIO())
    assert order[-3:] == ["zygote", "zygote", "context"]  # stopped unconfigured
    assert all(z.proc.returncode is not None for z in started[::2])
    assert children_of(os.getpid()) <= before


_NUMPY_AT_START = r"""
import io, sys
from pathlib import Path
from grader import commands, zygote
from tests import notebooks as nbs

real, seen = zygote.start_zygotes, []

def start(count):
    seen.append("numpy" in sys.modules)
    return real(count)

zygote.start_zygotes = start
subs = Path(sys.argv[1])
nbs.write(subs / "ada.ipynb", nbs.course_notebook())
commands.grade_class(subs, out_dir=Path(sys.argv[2]), jobs=1, similarity=False, class_report=False,
                     feedback_html=False, stream=io.StringIO())
print(seen)
"""


def test_the_zygotes_start_before_the_grading_process_imports_numpy(tmp_path):
    """A zygote's boot (0.2-0.3 s: Python, NumPy, the child runtime) is on the way to the first
    result: it starts before the grading process imports NumPy (0.1-0.2 s), not after, so the
    two run side by side (``grader.zygote`` holds what starting one needs, without NumPy)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", _NUMPY_AT_START, str(tmp_path / "subs"), str(tmp_path / "out")],
                          cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split("\n")[-2] == "[False]", done.stdout
