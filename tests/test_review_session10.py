"""The tenth session's hostile review of the ninth session's merges (bf884f4..bafb042): the zygote
hand-over, the figure process forked first at nice 19 (gone since the eleventh session, with
matplotlib: its tests went with it), the child's request-head cache and the seven leftover fixes. Each test here failed before its fix (docs/security.md, "Tenth session
review", says what was tried and held)."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from grader import sandbox
from grader.batch import WorkerPool
from grader.runner import GradingContext


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


_ORPHANED_RUN = r"""
import sys, time
from pathlib import Path
from grader.batch import WorkerPool
from grader.runner import GradingContext

pool = WorkerPool(context=GradingContext(rubric=None, fixtures=None), out_dir=Path("/nonexistent"), jobs=2)
for conn in list(pool._workers):
    conn.recv()  # ready: each worker's sandbox has started
print(*(proc.pid for proc, _ in pool._workers.values()), flush=True)
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
def test_a_grading_process_killed_outright_leaves_no_worker_behind():
    """Each worker held the grading process's end of its own pipe (and of the pipes forked
    before it: the earlier workers'), so none saw its pipe end when the grading process was
    killed (SIGKILL, the OOM killer): the workers and their zygotes ran on for ever. They now
    leave once the grading process is gone. (The figure process this test also covered was
    removed in the eleventh session with matplotlib.)"""
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    run = subprocess.Popen([sys.executable, "-c", _ORPHANED_RUN], cwd=repo, stdout=subprocess.PIPE,
                           text=True)
    try:
        pids = [int(p) for p in run.stdout.readline().split()]
        assert len(pids) == 2 and all(map(_alive, pids))
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
