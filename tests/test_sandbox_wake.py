"""A run of calls (``Session.call_many``) is read when it is over, not answer by answer.

The child ticks on a clock socket before each answer but a run's last (the kernel stamps each
tick with the time it was sent) and rings a bell after the last; the grading process sleeps
until the bell, the capture pipe's slice, a deadline or the child's death. These tests count
the grading process's wake-ups, check that each call is still timed from the previous answer,
and that a child which rings, ticks or closes what it should not gains nothing.
"""

from __future__ import annotations

import pytest

from grader import sandbox as sandbox_module
from grader.sandbox import Sandbox

needs_clock = pytest.mark.skipif(sandbox_module._CLOCK is None,
                                 reason="no kernel time stamps on AF_UNIX packets here: answers are read one by one")

PROGRAM = """\
import os, time

def f(x):
    print("f", x)
    return x + 1

def nap(t):
    time.sleep(t)
    return t

def spin():
    while True:
        pass

def ring_often(x):
    for _ in range(200):
        try:
            os.write(5, b"!")
        except OSError:
            break
    return x

def forge_ticks(x):
    for _ in range(20):
        try:
            os.write(4, b"t")
        except OSError:
            break
    return x

def close_bell(x):
    os.close(5)
    return x

def close_clock(x):
    os.close(4)
    return x
"""


class _CountingPoller:
    """The child's epoll object, counting the waits that returned something (wake-ups for a
    descriptor; a quiet slice returns nothing)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.woken = 0

    def register(self, fd, events):
        self.inner.register(fd, events)

    def modify(self, fd, events):
        self.inner.modify(fd, events)

    def unregister(self, fd):
        self.inner.unregister(fd)

    def close(self):
        self.inner.close()

    def poll(self, timeout):
        ready = self.inner.poll(timeout)
        self.woken += bool(ready)
        return ready


def _counted(session) -> _CountingPoller:
    child = session._child
    child.poller = _CountingPoller(child.selector())
    return child.poller


@needs_clock
def test_a_run_of_calls_wakes_the_grading_process_about_once(sandbox):
    with sandbox.session(PROGRAM) as s:
        poller = _counted(s)
        outs = s.call_many([("f", (i,), 2.0) for i in range(20)])
        assert [o.status for o in outs] == ["ok"] * 20
        assert [o.value for o in outs] == list(range(1, 21))
        assert [o.output for o in outs] == [f"f {i}\n" for i in range(20)]
        assert poller.woken <= 3  # the bell (one answer at a time: 20)


def test_without_kernel_time_stamps_answers_are_read_one_by_one(monkeypatch):
    monkeypatch.setattr(sandbox_module, "_CLOCK", None)
    with Sandbox() as box, box.session(PROGRAM) as s:
        assert s._child.clock is None and s._child.bell is None
        outs = s.call_many([("f", (i,), 2.0) for i in range(5)])
        assert [o.value for o in outs] == [1, 2, 3, 4, 5]
        assert [o.output for o in outs] == [f"f {i}\n" for i in range(5)]


@needs_clock
def test_each_call_of_a_run_is_timed_from_the_answer_before_it(sandbox):
    # Three naps of 0.3 s under a 0.5 s timeout each: timed from the run's start, the second would
    # run out; each answer's time is its tick's, so none does, and each says how long it took.
    with sandbox.session(PROGRAM) as s:
        outs = s.call_many([("nap", (0.3,), 0.5)] * 3 + [("f", (1,), 0.5)])
        assert [o.status for o in outs] == ["ok"] * 4
        assert all(0.3 <= o.seconds < 0.5 for o in outs[:3])


@needs_clock
def test_a_loop_after_answers_read_late_still_costs_its_timeout_once(sandbox):
    with sandbox.session(PROGRAM) as s:
        outs = s.call_many([("nap", (0.2,), 0.5), ("f", (1,), 0.5), ("spin", (), 0.5), ("f", (2,), 0.5)])
        assert [o and o.status for o in outs] == ["ok", "ok", "timeout", None]
        assert outs[2].seconds == 0.5
        assert s.seconds_spent < 0.2 + 0.5 + 0.5  # the loop's timeout once, not more
        assert s.call("f", (3,)).value == 4  # a fresh child


@needs_clock
def test_a_child_that_rings_the_bell_early_changes_no_outcome(sandbox):
    with sandbox.session(PROGRAM) as s:
        poller = _counted(s)
        outs = s.call_many([("ring_often", (7,), 2.0)] + [("f", (i,), 2.0) for i in range(10)])
        assert [o.status for o in outs] == ["ok"] * 11
        assert [o.value for o in outs] == [7] + list(range(1, 11))
        assert poller.woken <= 11 + 2  # an early bell, then one answer at a time at most


@needs_clock
def test_a_child_that_forges_ticks_is_caught_interfering(sandbox):
    with sandbox.session(PROGRAM) as s:
        outs = s.call_many([("forge_ticks", (1,), 2.0), ("f", (1,), 2.0), ("f", (2,), 2.0)])
        assert outs[0].status == "bad_output" and "ticks" in outs[0].message
        assert outs[1:] == [None, None]
        assert s.call("f", (3,)).value == 4


@needs_clock
def test_a_child_without_its_bell_is_read_all_the_same(sandbox):
    with sandbox.session(PROGRAM) as s:
        outs = s.call_many([("close_bell", (1,), 2.0)] + [("f", (i,), 2.0) for i in range(5)])
        assert [o.value for o in outs] == [1, 1, 2, 3, 4, 5]


@needs_clock
def test_a_child_without_its_clock_is_caught_interfering(sandbox):
    with sandbox.session(PROGRAM) as s:
        outs = s.call_many([("close_clock", (1,), 2.0), ("f", (1,), 2.0), ("f", (2,), 2.0)])
        assert outs[0].status == "bad_output" and "tick" in outs[0].message  # its own answer has none
        assert outs[1:] == [None, None]
        assert s.call("f", (3,)).value == 4
