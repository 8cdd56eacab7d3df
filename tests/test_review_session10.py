"""The tenth session's hostile review of the ninth session's merges (bf884f4..bafb042): the zygote
hand-over, the figure process forked first at nice 19, the child's request-head cache and the
seven leftover fixes. Each test here failed before its fix (docs/security.md, "Tenth session
review", says what was tried and held)."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from grader import classreport, sandbox
from grader.batch import WorkerPool
from grader.runner import GradingContext


def _empty_stats():
    """The class statistics of no result (enough for the figure process to draw)."""
    from grader.classreport import ClassTally
    from grader.commands import DEFAULT_RUBRIC
    from grader.rubric import load_rubric

    return ClassTally(rubric=load_rubric(DEFAULT_RUBRIC)).stats()


def test_a_pool_that_fails_to_start_stops_every_zygote_it_was_given(monkeypatch):
    """A worker that cannot be forked (EAGAIN: a process limit reached) makes WorkerPool's
    constructor raise, so no ``with`` block ever closes the pool: the zygotes the grading process
    started for it (``grade_class`` hands them over before the constructor runs) were left
    running, and the workers already forked too. The pool now closes itself."""
    zygotes = [sandbox.start_zygote(), sandbox.start_zygote()]
    real = WorkerPool._start_worker
    forked: list = []

    def fork_once(self):
        """Fork the first worker, then fail as fork(2) does at a process limit."""
        if forked:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        real(self)
        forked.extend(proc for proc, _ in self._workers.values())

    monkeypatch.setattr(WorkerPool, "_start_worker", fork_once)
    with pytest.raises(BlockingIOError):
        WorkerPool(context=GradingContext(rubric=None, fixtures=None), out_dir=Path("/nonexistent"),
                   jobs=2, zygotes=zygotes)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(z.proc.poll() is None for z in zygotes):
        time.sleep(0.05)
    assert [z.proc.returncode is not None for z in zygotes] == [True, True], "a zygote was left running"
    assert forked and not any(proc.is_alive() for proc in forked), "a forked worker was left running"


def test_the_figure_process_is_never_reniced_by_a_pid_it_no_longer_owns(monkeypatch):
    """A figure process that died is reaped by multiprocessing when the next process is started
    (the workers, forked after it): its pid is free for reuse. ``draw`` gave that pid to
    ``os.setpriority`` all the same (as root: any process's priority changed)."""
    drawer = classreport.FigureDrawer()
    try:
        pid = drawer._proc.pid
        os.kill(pid, signal.SIGKILL)
        drawer._proc.join(timeout=10)  # reaped, as Process.start's clean-up does
        assert drawer._proc.exitcode is not None
        calls: list = []
        monkeypatch.setattr(os, "setpriority", lambda *args: calls.append(args))
        assert drawer.draw(_empty_stats()) is None  # the caller draws the figures itself
        assert not [c for c in calls if c[1] == pid], calls
    finally:
        drawer.close()


def test_a_figure_process_that_hangs_does_not_hang_the_run():
    """A figure process that stops answering (stopped, or stuck drawing) held the run's end for
    ever: ``draw`` waited on its pipe without a limit. Now it gives up after ``timeout`` seconds
    (None: the caller draws the figures itself) and the process is killed."""
    with classreport.FigureDrawer() as drawer:
        os.kill(drawer._proc.pid, signal.SIGSTOP)
        started = time.monotonic()
        assert drawer.draw(_empty_stats(), timeout=1.0) is None
        assert time.monotonic() - started < 8
        drawer._proc.join(timeout=10)
        assert not drawer._proc.is_alive()


_ORPHANED_RUN = r"""
import sys, time
from pathlib import Path
from grader import classreport
from grader.batch import WorkerPool
from grader.runner import GradingContext

drawer = classreport.FigureDrawer()
pool = WorkerPool(context=GradingContext(rubric=None, fixtures=None), out_dir=Path("/nonexistent"), jobs=2)
for conn in list(pool._workers):
    conn.recv()  # ready: each worker's sandbox has started
print(drawer._proc.pid, *(proc.pid for proc, _ in pool._workers.values()), flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, or a pid gone, is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_grading_process_killed_outright_leaves_no_worker_nor_figure_process():
    """Each worker held the grading process's end of its own pipe (and of the pipes forked
    before it: the earlier workers', the figure process's), so none saw its pipe end when the
    grading process was killed (SIGKILL, the OOM killer): the workers, their zygotes and the
    figure process ran on for ever. They now leave once the grading process is gone."""
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    run = subprocess.Popen([sys.executable, "-c", _ORPHANED_RUN], cwd=repo, stdout=subprocess.PIPE,
                           text=True)
    try:
        pids = [int(p) for p in run.stdout.readline().split()]
        assert len(pids) == 3 and all(map(_alive, pids))
    finally:
        run.kill()
        run.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(map(_alive, pids)):
        time.sleep(0.1)
    left = [pid for pid in pids if _alive(pid)]
    for pid in left:  # do not leave them behind for the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert not left, f"still running after the grading process was killed: {left}"


_REACH = '''
import os, stat

def reach(pids):
    fds = []
    for fd in range(1024):
        try:
            mode = os.fstat(fd).st_mode
        except OSError:
            continue
        fds.append([fd, "sock" if stat.S_ISSOCK(mode) else "pipe" if stat.S_ISFIFO(mode) else "other"])
    signalled = []
    for pid in pids:
        try:
            os.kill(pid, 0)
            signalled.append(pid)
        except OSError:
            pass
    return fds, signalled
'''


def _adopter(zygote, other, pids, conn) -> None:
    """A worker as ``WorkerPool`` forks one: drop the other zygote's socket, adopt ``zygote``,
    and send back what a child can reach (its descriptors, which of ``pids`` it can signal)."""
    from grader.batch import ResilientSandbox

    other.release()
    with ResilientSandbox(zygote=zygote) as box, box.session(_REACH) as session:
        outcome = session.call("reach", ([*pids, os.getpid(), zygote.proc.pid],))
        conn.send((outcome.status, outcome.value))


def test_a_child_of_an_adopted_zygote_reaches_nothing_outside_its_session():
    """Held (tenth session's review, checked also by a real class run as root and as nobody): the
    zygotes are now started by the grading process and adopted by forked workers, yet a child
    holds only its four descriptors (0 /dev/null, 1 and 2 its capture pipe, 3 its socket) and
    can signal neither the grading process, nor its worker, nor either zygote."""
    import multiprocessing

    zygotes = [sandbox.start_zygote(), sandbox.start_zygote()]
    ctx = multiprocessing.get_context("fork")
    ours, theirs = ctx.Pipe()
    worker = ctx.Process(target=_adopter, args=(zygotes[0], zygotes[1], (os.getpid(), zygotes[1].proc.pid), theirs))
    worker.start()
    try:
        for zygote in zygotes:
            zygote.release()  # as WorkerPool does: the worker holds the first, nobody the second
        assert ours.poll(60), "the worker did not answer"
        status, (fds, signalled) = ours.recv()
    finally:
        worker.join(30)
        for zygote in zygotes:
            zygote.reap(timeout=10)
    assert status == "ok"
    assert [tuple(fd) for fd in fds] == [(0, "other"), (1, "pipe"), (2, "pipe"), (3, "sock")]
    assert signalled == []


def _sigint_in(mask_line: str) -> bool:
    """Whether SIGINT's bit is set in a ``/proc/PID/status`` signal-mask line (``SigBlk:`` ...)."""
    return bool(int(mask_line.split()[1], 16) >> (signal.SIGINT - 1) & 1)


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask") or not Path("/proc/self/status").exists(),
                    reason="signal masks, read from /proc")
def test_the_figure_process_never_takes_a_ctrl_c_before_it_ignores_it(monkeypatch):
    """rv10's leftover: a terminal's Ctrl-C reaches the whole process group, and one arriving
    between the figure process's fork and its ignoring SIGINT printed a KeyboardInterrupt
    traceback from it. It is now forked with SIGINT blocked and unblocks it once ignored; the
    caller's mask is as it was."""
    seen = []

    def probe(conn, parent_end):
        conn.send(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))

    monkeypatch.setattr(classreport, "_drawer_loop", probe)
    drawer = classreport.FigureDrawer()
    try:
        seen.append(drawer._conn.recv())
    finally:
        drawer.close()
    assert seen == [True]  # blocked from its first instruction
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    monkeypatch.undo()

    with classreport.FigureDrawer() as drawer:  # the real one: ignored, then no longer blocked
        status = Path(f"/proc/{drawer._proc.pid}/status")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            lines = {l.split(":")[0]: l for l in status.read_text().splitlines() if l.startswith("Sig")}
            if _sigint_in(lines["SigIgn"]) and not _sigint_in(lines["SigBlk"]):
                break
            time.sleep(0.01)
        assert _sigint_in(lines["SigIgn"]) and not _sigint_in(lines["SigBlk"]), lines
