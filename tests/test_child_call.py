"""grader._child: Runtime.call's answer to a call that returned, written out field by field
(ninth session), is the outcome Runtime.outcome builds, whether the arguments changed or not."""

from __future__ import annotations

import numpy as np
import pytest

from grader._child import Runtime

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
