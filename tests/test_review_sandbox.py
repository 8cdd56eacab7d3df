"""Review of the sandbox protocol (issue 9): attacks on what the change added."""

from __future__ import annotations

import textwrap

import pytest

from grader.sandbox import Limits, Sandbox


@pytest.fixture(scope="module")
def sandbox():
    """One sandbox for the module."""
    with Sandbox(limits=Limits(call_timeout=3.0, submission_timeout=60.0, memory_bytes=2**30)) as sb:
        yield sb


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
