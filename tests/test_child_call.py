"""grader._child: Runtime.call's answer to a call that returned, written out field by field
(ninth session), is the outcome Runtime.outcome builds, whether the arguments changed or not."""

from __future__ import annotations

import numpy as np
import pytest

from grader.childruntime import Runtime

PROGRAM = """
def keep(x, d):
    return x * 2

def change(x, d):
    x[0, 0] = 5.0
    return x.sum()

def add_key(x, d):
    d["new"] = 1
    return None
"""


@pytest.fixture()
def runtime() -> Runtime:
    """A runtime with no socket, the program loaded."""
    rt = Runtime(None, max_bytes=1 << 20)
    assert rt.load(PROGRAM, "<submission>")["status"] == "ok"
    return rt


@pytest.mark.parametrize("name, same", [("keep", True), ("change", False), ("add_key", False)])
def test_an_answered_call_is_the_outcome_runtime_outcome_builds(runtime, name, same):
    args = (np.ones((2, 3)), {"w": np.zeros(2)})
    got = runtime.call(name, args, [], aliases=False)
    expected = (Runtime.outcome("ok", value=got["value"], args_same=True, aliases=[]) if same
                else Runtime.outcome("ok", value=got["value"], args_after=args, aliases=[]))
    assert list(got) == list(expected)  # the order of the fields: the header's JSON follows it
    assert {k: v for k, v in got.items() if k != "value"} == {k: v for k, v in expected.items() if k != "value"}
    assert got["args_after"] is (None if same else args)
    assert got["args_same"] is same


def test_pairs_are_in_the_answer_when_asked(runtime):
    x = np.ones((2, 3))
    runtime.load("def view(x, d):\n    return x[0]\n", "<submission>")
    got = runtime.call("view", (x, {}), [], aliases=True)
    assert got["aliases"] == [["result", "args[0]"]]
    assert got["args_same"] is True


HEADS = ['{"kind":"call","function":"f","stubs":[],"aliases":false',
         '{"kind":"call","function":"g","stubs":["h","k"],"aliases":true',
         '{"kind":"call","seq":1,"function":"f"',           # a seq in the head: never the quick path
         '{"kind":"call","last":false,"function":"f"',
         '{"kind":"aliases","of":3']
TAILS = [',"seq":0}', ',"seq":7}', ',"seq":12,"last":true}', ',"seq":123456789012}', ',"seq":3,"last":true}',
         ',"seq":07}', ',"seq":-1}', ',"seq":1.5}', ',"seq":2,"last":false}', ',"seq":2} ', ',"seq":2}}',
         ',"seq":"3"}', ',"seq":3,"last":true,"x":1}', ',"seq":}']


@pytest.mark.parametrize("head", HEADS)
def test_requests_with_a_known_head_are_read_as_json_loads_reads_them(head):
    """Every head twice with every tail, valid or not, in turns: the head parsed once and kept
    (Runtime.heads) gives the very dict json.loads gives, or the same error."""
    import json
    import socket
    from grader.childruntime import FRAME
    ours, theirs = socket.socketpair()
    try:
        runtime = Runtime(ours, max_bytes=1 << 20)
        for tail in TAILS * 2:
            text = head + tail
            data = text.encode("ascii")
            theirs.sendall(FRAME.pack(len(data)) + data)
            try:
                expected = json.loads(text)
            except ValueError:
                with pytest.raises(ValueError):
                    runtime.recv()
                continue
            got = runtime.recv()
            assert got == expected and list(got) == list(expected), text
            assert type(got["seq"]) is type(expected["seq"])
        if '"seq"' not in head and '"last"' not in head:
            assert len(runtime.heads) == 1  # the quick path was taken
        else:
            assert not runtime.heads
    finally:
        ours.close()
        theirs.close()
