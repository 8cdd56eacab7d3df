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
