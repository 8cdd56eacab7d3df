"""A child kept short of CPU, for the tests of how a call's time is charged on a busy machine:
a student program that burns CPU on request, and busy processes sharing the child's CPU."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager

import pytest

#: A student program: ``pid()`` (for pinning it), ``burn(seconds)`` (that much of its own CPU).
BURNER = textwrap.dedent("""
    import os
    import time

    def pid():
        return os.getpid()

    def burn(seconds):
        start = time.process_time()
        while time.process_time() - start < seconds:
            pass
        return seconds
""")

_HOG = "import os, sys\nos.sched_setaffinity(0, {0})\nsys.stdout.write('x')\nsys.stdout.flush()\nwhile True:\n    pass\n"


#: The least share of CPU 0 a spinning process must get, alone of ours, for the tests' premise
#: (the child shares it with our hogs, not with strangers) to hold.
FREE_SHARE = 0.6


def cpu_0_share(seconds: float = 0.2) -> float:
    """The share of CPU 0 this thread gets while it spins there for ``seconds`` of wall time: about
    1 on a quiet machine, 1/(n + 1) with n other busy processes on it."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {0})
    try:
        wall, cpu = time.monotonic(), time.thread_time()
        while time.monotonic() - wall < seconds:
            pass
        return (time.thread_time() - cpu) / (time.monotonic() - wall)
    finally:
        os.sched_setaffinity(0, before)


@contextmanager
def sharing_cpu_0(pid: int, *, hogs: int):
    """Pin process ``pid`` to CPU 0 and keep ``hogs`` busy processes of ours there while inside.

    Each hog is a session of its own (with the kernel's autogroups, CPU time is shared between
    sessions first) and says when it spins: on a loaded machine a Python start can take longer
    than any fixed wait. Skips the test when CPU 0 is already busy with processes not ours (a
    machine running several test suites at once): the child would share it with more than
    ``hogs``, past what the extension for a busy CPU is capped at, and the test would measure
    the machine, not the grader. Run alone, on a quiet machine (as CI does), it never skips."""
    share = cpu_0_share()
    if share < FREE_SHARE:
        pytest.skip(f"CPU 0 is busy with other processes (a spinning process got {share:.0%} of it, "
                    f"under {FREE_SHARE:.0%}): this test needs it shared with its own {hogs} hog(s) only")
    os.sched_setaffinity(pid, {0})
    procs = [subprocess.Popen([sys.executable, "-c", _HOG], stdout=subprocess.PIPE, start_new_session=True)
             for _ in range(hogs)]
    try:
        for proc in procs:
            assert proc.stdout.read(1) == b"x"
        time.sleep(0.05)
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
            proc.stdout.close()
