"""Twenty-first session, hostile student: a child's leftovers charged to the next submission.

A session's close is not waited for: the zygote kills the child, sweeps and removes its directory
before it serves the next request, which is the next session's spawn. The next session's budget
was charged from before that spawn, so it paid for the removal of what the earlier student's last
child left: 0.36 s of its budget for 65,536 empty files (the children's tmpfs holds 32,768 since the
thirty-second session, as root and where a user namespace mounts it without root; elsewhere as
many as the child makes in its call).
"""
from __future__ import annotations

import time

from grader.sandbox import Limits, Sandbox

_FILLER = """
import os

def fill(count):
    made = 0
    try:
        for made in range(count):
            os.close(os.open("f%d" % made, os.O_CREAT | os.O_WRONLY))
    except OSError:
        pass
    return made
"""


def test_the_next_session_is_not_charged_for_removing_what_an_earlier_child_left():
    # Before the fix the second session's charge was its whole start (about 0.36 s here, the
    # removal of the first child's files); now it is its own fork and load (about 0.01 s).
    with Sandbox(limits=Limits(call_timeout=30.0, submission_timeout=60.0)) as sandbox:
        with sandbox.session(_FILLER) as first:
            made = first.call("fill", (60_000,))
            assert made.status == "ok" and made.value > 30_000, made
        started = time.monotonic()
        with sandbox.session("def one():\n    return 1\n") as second:
            start_wall = time.monotonic() - started
            assert second.load.status == "ok", second.load
            charged = second.seconds_spent
            assert second.call("one", ()).value == 1
    assert start_wall > 0.1  # the start did wait for the removal
    assert charged < start_wall / 2, (charged, start_wall)
