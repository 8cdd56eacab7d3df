"""A dead zygote costs at most the submission being graded, not the rest of the batch."""
import os
import signal
import time

from grader.batch import ResilientSandbox


def test_a_new_zygote_replaces_a_killed_one():
    with ResilientSandbox() as box:
        with box.session("def f(x):\n    return x\n") as session:
            assert session.call("f", (1,)).value == 1
        first = box._box.zygote_pid
        os.kill(first, signal.SIGKILL)
        time.sleep(0.2)
        with box.session("def f(x):\n    return x + 1\n") as session:
            assert session.call("f", (1,)).value == 2
        assert box._box.zygote_pid != first
