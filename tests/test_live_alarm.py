"""grader/live._alarm: the time limit of Jupyter's ``check()``. Its SIGALRM handler raises
``_Timeout`` in the student's code; raised where the interpreter ignores an exception (a
``__del__``, a weakref callback: a PytestUnraisableExceptionWarning in a full suite under load), the
one-shot timer was spent and an endless loop after it never stopped (thirty-fifth session, lead).
The timer now rings again until the body ends."""
from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

_SWALLOWED_THEN_ENDLESS = """
import time
from grader import live

class Slow:
    def __del__(self):
        time.sleep(0.5)  # the first ring lands here: raised in __del__, the interpreter ignores it

def body():
    Slow()
    while True:
        pass

try:
    with live._alarm(0.2):
        body()
except live._Timeout:
    print("stopped")
"""


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="the timer needs signal.setitimer")
def test_an_endless_loop_after_an_ignored_ring_is_still_stopped():
    try:
        run = subprocess.run([sys.executable, "-c", _SWALLOWED_THEN_ENDLESS], cwd=REPO, capture_output=True,
                             text=True, timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail("the loop after an ignored ring ran on: the timer did not ring again")
    assert run.stdout.strip() == "stopped", (run.stdout, run.stderr)
    assert "Exception ignored" in run.stderr, run.stderr  # the first ring was the one lost


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="the timer needs signal.setitimer")
def test_the_timer_is_off_and_the_handler_back_after_a_ring():
    # Control: after the body ends by the ring, nothing rings later in the grader's own code.
    from grader import live
    previous = signal.getsignal(signal.SIGALRM)
    with pytest.raises(live._Timeout):
        with live._alarm(0.05):
            while True:
                pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is previous
