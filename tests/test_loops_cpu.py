"""What a looping call costs in CPU on a busy machine: about its timeout.

A call that waits for a CPU gets that wait added to its time (``conversation.Conversation``), so that a
loaded machine does not time out a correct function; these tests check that the addition does
not give a loop more than its timeout of CPU. The child's CPU is read from the kernel
(``/proc/PID/schedstat``, nanoseconds on a CPU) before the call and just before it is killed.
"""
from __future__ import annotations

import sys
import textwrap
import time

import pytest

import grader.sandbox as sandbox_module
from grader.sandbox import Limits, Sandbox
from tests.busycpu import BURNER, sharing_cpu_0

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

PROGRAM = BURNER + textwrap.dedent("""

    def spin():
        while True:
            pass
""")


def _cpu_seconds(pid: int) -> float:
    """Seconds process ``pid`` has run on a CPU (first field of its schedstat)."""
    with open(f"/proc/{pid}/schedstat", "rb") as handle:
        return int(handle.read().split()[0]) / 1e9


@pytest.fixture(scope="module")
def sandbox():
    """One sandbox for the module."""
    with Sandbox(limits=Limits(call_timeout=3.0, submission_timeout=30.0)) as sb:
        yield sb


@pytest.fixture()
def cpu_at_kill(monkeypatch):
    """A dict filled, when the sandbox kills a child, with that child's CPU seconds by pid."""
    seen: dict[int, float] = {}
    real = sandbox_module.Sandbox._kill

    def kill(self, child):
        try:
            seen[child.pid] = _cpu_seconds(child.pid)
        except OSError:
            pass
        return real(self, child)

    monkeypatch.setattr(sandbox_module.Sandbox, "_kill", kill)
    return seen


def test_a_loop_under_a_hog_costs_its_timeout_even_when_the_grader_checks_slowly(sandbox, cpu_at_kill, monkeypatch):
    """Each extension reads /proc (``waits_by_itself``), and the child waits for its CPU
    meanwhile. Granting that wait as if it were the call's own, round after round, kept a loop
    running to four times its timeout (half a CPU: twice its timeout in CPU). Made slow here
    (30 ms a check), the loop must still get its timeout in CPU, give or take a check."""
    real = sandbox_module._Child.waits_by_itself

    def slow(child):
        time.sleep(0.03)
        return real(child)

    monkeypatch.setattr(sandbox_module._Child, "waits_by_itself", slow)
    timeout = 0.3
    with sandbox.session(PROGRAM) as s:
        pid = s.call("pid", ()).value
        with sharing_cpu_0(pid, hogs=1):
            before = _cpu_seconds(pid)
            t0 = time.monotonic()
            out = s.call("spin", (), timeout=timeout)
            wall = time.monotonic() - t0
    assert out.status == "timeout", out
    spent = cpu_at_kill[pid] - before
    assert wall > 1.2 * timeout  # it did wait for its CPU: the extension was needed
    assert spent < 1.25 * timeout, (spent, wall)
    assert spent > 0.9 * timeout, (spent, wall)  # a busy CPU still gave it its time


def test_the_waits_of_earlier_calls_are_not_added_to_a_loops_time(sandbox, cpu_at_kill):
    """Calls that answered in time but waited for a CPU on the way (about 0.1 s each here,
    never added to anything) must not lend that wait to a later call that loops: its wait is
    counted from its own start, not from the child's."""
    timeout = 0.3
    with sandbox.session(PROGRAM) as s:
        pid = s.call("pid", ()).value
        with sharing_cpu_0(pid, hogs=1):
            for _ in range(5):
                assert s.call("burn", (0.1,), timeout=1.0).status == "ok"
            with open(f"/proc/{pid}/schedstat", "rb") as handle:
                waited_before = int(handle.read().split()[1]) / 1e9
            before = _cpu_seconds(pid)
            out = s.call("spin", (), timeout=timeout)
    assert out.status == "timeout", out
    assert waited_before > 0.2  # the earlier calls did wait: otherwise this tests nothing
    spent = cpu_at_kill[pid] - before
    assert spent < 1.25 * timeout, (spent, waited_before)


def test_a_correct_call_near_its_timeout_still_answers_under_a_hog_with_slow_checks(sandbox, monkeypatch):
    """The other side: a call needing 80 % of its timeout in CPU, on a CPU it shares with a busy
    process and with checks as slow as above, is not cut: the deadline moves by all of its wait."""
    real = sandbox_module._Child.waits_by_itself

    def slow(child):
        time.sleep(0.03)
        return real(child)

    monkeypatch.setattr(sandbox_module._Child, "waits_by_itself", slow)
    with sandbox.session(PROGRAM) as s:
        pid = s.call("pid", ()).value
        with sharing_cpu_0(pid, hogs=1):
            t0 = time.monotonic()
            out = s.call("burn", (0.24,), timeout=0.3)
            wall = time.monotonic() - t0
    assert out.status == "ok", out
    assert wall > 0.3  # it needed its extension
