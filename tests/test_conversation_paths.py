"""grader.conversation's Conversation (the grading process's exchange with a child, moved out of
Session._exchange in the thirty-eighth session): the paths no other test walked, each through a
real sandbox child."""
from __future__ import annotations

import textwrap
import time

import numpy as np
import pytest

from grader import conversation
from grader.sandbox import Limits, Sandbox

PROGRAM = textwrap.dedent('''
    import json, os, time

    def cell(n):
        return n

    def big(n):
        value = cell(n)
        return float(value.sum()), int(value.shape[0])

    def fine(x):
        return x + 1

    def die():
        os._exit(3)

    def forge_no_frames():
        head = json.dumps({"kind": "outcome", "status": "error", "aliases": [], "error_type": "ValueError",
                           "message": "ValueError: forged", "frames": [], "seq": 2, "frames_after": []}).encode()
        os.write(3, len(head).to_bytes(8, "big") + head)
        time.sleep(5)

    def loop_after_stub():
        try:
            cell(1)
        except BaseException:
            pass
        while True:
            pass
''')


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(limits=Limits(call_timeout=3.0, submission_timeout=60.0, memory_bytes=2**30)) as sb:
        yield sb


def test_a_stub_reply_larger_than_the_socket_takes_at_once_arrives_whole(sandbox):
    """A stub's reply of 16 MB (a socket's buffer holds a few hundred kB): the part the first send
    leaves is sent blocking, within the call's time; the child gets every element."""
    n = 2_000_000
    with sandbox.session(PROGRAM, filename="conv.py") as s:
        out = s.call("big", (n,), stubs={"cell": lambda args: np.ones(args[0])}, timeout=20.0)
        assert out.status == "ok", out
        assert out.value == (float(n), n)
        assert s.call("fine", (1,)).value == 2  # the conversation after it still in step


def test_an_outcome_announcing_no_frames_is_the_answer_at_once(sandbox):
    """An outcome header whose frames_after is [] needs no frame after it: the call ends with it,
    not at its time limit waiting for a value."""
    with sandbox.session(PROGRAM, filename="conv.py") as s:
        t0 = time.monotonic()
        out = s.call("forge_no_frames", (), timeout=2.0)
        assert out.status == "error" and out.error_type == "ValueError", out
        assert out.message == "ValueError: forged"
        assert time.monotonic() - t0 < 1.5


def test_a_child_dying_between_two_pipelined_answers_keeps_the_first_and_runs_no_later_one(sandbox):
    with sandbox.session(PROGRAM, filename="conv.py") as s:
        outs = s.call_many([("fine", (1,), 2.0), ("die", (), 2.0), ("fine", (2,), 2.0)])
        assert outs[0].status == "ok" and outs[0].value == 2, outs
        assert outs[1] is not None and outs[1].status not in ("ok", "timeout"), outs
        assert outs[2] is None, outs
        assert s.call("fine", (5,)).value == 6  # a fresh child answers the next call


def test_the_waived_time_comes_back_to_the_session_when_a_stub_handler_raises(sandbox, monkeypatch):
    """The time a conversation does not charge (here 5 s more, added where a call runs out of
    time) is written back to the session even when the call ends by re-raising a stub handler's
    error: the submission's budget is charged the call's time less it (0 here, not the ~0.4 s
    the call took)."""
    ended = conversation.Conversation._out_of_time

    def out_of_time(self):
        result = ended(self)
        if result is not None:
            self.waived += 5.0
        return result

    monkeypatch.setattr(conversation.Conversation, "_out_of_time", out_of_time)

    def broken(args):
        raise KeyError("engine bug")

    with sandbox.session(PROGRAM, filename="conv.py") as s:
        spent = s._spent
        with pytest.raises(KeyError):
            s.call("loop_after_stub", (), stubs={"cell": broken}, timeout=0.4)
        assert s._spent - spent < 0.2, s._spent - spent
