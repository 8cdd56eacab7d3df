"""A CPU-time budget for tests of the grader's own work on hostile input."""
from __future__ import annotations

import gc
import signal
from contextlib import contextmanager


class OutOfTime(Exception):
    """The CPU budget of a test ran out."""


@contextmanager
def cpu_budget(seconds: float):
    """Raise ``OutOfTime`` in the block once it has used ``seconds`` of this process's CPU
    (``ITIMER_VIRTUAL``: unaffected by the machine's load, unlike wall time).

    The objects alive before the block are frozen (``gc.freeze``) while it runs, as a grading
    worker freezes its start-up heap (``grader.batch``): a collection in the block scans what
    the block made, not the test process's heap. In a full suite that heap held 387,000
    objects, and two full collections of it took 0.61 s of one test's 2.0 s (thirty-fourth
    session, perf helper), a cost no worker pays."""
    def ring(signum, frame):
        raise OutOfTime(f"more than {seconds} s of CPU")

    frozen = gc.get_freeze_count() == 0
    if frozen:
        gc.freeze()
    previous = signal.signal(signal.SIGVTALRM, ring)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)
        if frozen:
            gc.unfreeze()


def cost_in_parses(run, texts, *, repeats: int = 3, setup=None) -> float:
    """The CPU time of ``run()`` over that of ``ast.parse`` of each of ``texts`` (what ``run`` has to read),
    each the best of ``repeats``, measured in turn in this thread (``time.thread_time``: a thread another
    test left running adds nothing, and a loaded machine slows both alike); ``setup()`` before each run of
    ``run`` (to empty a memo), not counted. A hint that reads each text once, in linear time, costs about
    one parse or less; one whose work grows with the square of a text's size, several. The cyclic
    collector is off while they run."""
    import ast
    import time

    ran = parsed = float("inf")
    enabled = gc.isenabled()
    gc.disable()  # a collection of the test process's heap would land in one measure and not the other
    try:
        for _ in range(repeats):
            if setup is not None:
                setup()
            start = time.thread_time()
            run()
            ran = min(ran, time.thread_time() - start)
            start = time.thread_time()
            for text in texts:
                ast.parse(text)
            parsed = min(parsed, time.thread_time() - start)
    finally:
        if enabled:
            gc.enable()
    return ran / max(parsed, 1e-6)
