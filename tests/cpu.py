"""A CPU-time budget for tests of the grader's own work on hostile input."""
from __future__ import annotations

import signal
from contextlib import contextmanager


class OutOfTime(Exception):
    """The CPU budget of a test ran out."""


@contextmanager
def cpu_budget(seconds: float):
    """Raise ``OutOfTime`` in the block once it has used ``seconds`` of this process's CPU
    (``ITIMER_VIRTUAL``: unaffected by the machine's load, unlike wall time)."""
    def ring(signum, frame):
        raise OutOfTime(f"more than {seconds} s of CPU")

    previous = signal.signal(signal.SIGVTALRM, ring)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)
