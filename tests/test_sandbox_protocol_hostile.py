"""Review of the sandbox protocol (issue 9): attacks on what the change added."""

from __future__ import annotations

import textwrap

import pytest

from grader.sandbox import Limits, Sandbox
from grader.wire import DEFAULT_MAX_DEPTH
from tests.forking import forking


@pytest.fixture(scope="module")
def sandbox():
    """One sandbox for the module."""
    with Sandbox(limits=Limits(call_timeout=3.0, submission_timeout=60.0, memory_bytes=2**30)) as sb:
        yield sb


def test_a_value_forged_into_the_json_header_does_not_bypass_the_wire_limits(sandbox):
    """Values travel as wire frames, whose decoder refuses nesting deeper than the format's
    limit. A child writing its own outcome with the value inside the JSON header (no frame)
    must not get a value the wire format would have refused: it is bad_output."""
    depth = 20 * DEFAULT_MAX_DEPTH
    program = f"""
        import json, os, time
        def forge():
            value = 1.0
            for _ in range({depth}):
                value = [value]
            head = json.dumps({{"kind": "outcome", "status": "ok", "value": value, "aliases": [],
                               "error_type": "", "message": "", "frames": [], "seq": 2,
                               "frames_after": []}}).encode()
            os.write(3, len(head).to_bytes(8, "big") + head)
            time.sleep(5)
        def fine():
            return "still graded"
    """
    with sandbox.session(textwrap.dedent(program), filename="attack.py") as s:
        out = s.call("forge", (), timeout=2.0)
        assert out.status == "bad_output", out
        assert out.value is None
    with sandbox.session(textwrap.dedent(program), filename="attack.py") as s:
        assert s.call("fine", ()).value == "still graded"


def test_an_unhashable_frame_name_is_bad_output_not_a_grader_error(sandbox):
    """``frames_after`` names the frames that follow an outcome; a child listing something
    unhashable there must get bad_output, not raise TypeError in the grading process."""
    program = """
        import json, os, time
        def forge():
            head = json.dumps({"kind": "outcome", "status": "ok", "aliases": [], "error_type": "",
                               "message": "", "frames": [], "seq": 2, "frames_after": [["value"]]}).encode()
            os.write(3, len(head).to_bytes(8, "big") + head)
            time.sleep(5)
        def fine():
            return "still graded"
    """
    with sandbox.session(textwrap.dedent(program), filename="attack.py") as s:
        assert s.call("forge", (), timeout=2.0).status == "bad_output"
        assert s.call("fine", ()).value == "still graded"



def test_what_is_read_after_a_child_dies_is_bounded(sandbox, monkeypatch):
    """Thirty-sixth session: once a child has died, the grading process read "whatever the socket
    holds" to find the answers sent before the death. A process the child forked (``may_fork``)
    keeps the socket open and may keep it full from several threads, so that the read never ran
    dry (the grading process's memory without end). A socket that is never empty stands for it
    here: the read is bounded, and the call is the student's protocol error, not the grader's."""
    from grader import conversation as module

    class Endless:
        """Bytes for ever, as fast as they are asked for."""

        def __init__(self) -> None:
            self.given = 0

        def recv(self, n: int) -> bytes:
            if self.given > 64 << 20:
                raise AssertionError(f"read {self.given} bytes after the child died")
            self.given += n
            return b"x" * n

    endless = Endless()
    real = module.read_available
    monkeypatch.setattr(module, "read_available",
                        lambda sock, **kw: real(endless, **kw))
    program = textwrap.dedent("""
        import os, time
        def die():
            if os.fork() == 0:  # holds the socket open once its parent has died
                time.sleep(20)
                os._exit(0)
            os._exit(1)
    """)
    with sandbox.session(program, filename="attack.py", limits=forking(sandbox)) as s:
        out = s.call("die", ())
    assert out.status == "bad_output", out
    assert 0 < endless.given <= module._AFTER_DEATH_BYTES, endless.given
