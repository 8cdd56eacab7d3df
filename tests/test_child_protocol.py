"""grader._child: the cheaper per-call path of the child runtime gives the answers it gave before
(the usual answer's header written from a template, the streams flushed once each, the
guarded dictionaries' version tags read at once, only sys.path looked at when none changed)."""

from __future__ import annotations

import json
import sys
import textwrap

import pytest

from grader import childruntime
from grader.childruntime import Runtime, _dict_version_reader, _tag_cells
from grader.sandbox import Limits, Sandbox


@pytest.fixture(scope="module")
def sandbox():
    """One sandbox for the module."""
    with Sandbox(limits=Limits(call_timeout=3.0, submission_timeout=30.0)) as sb:
        yield sb


def test_the_usual_answers_header_is_the_json_of_its_fields():
    encode = json.JSONEncoder(separators=(",", ":")).encode
    for seq in (0, 1, 12, 10**12):
        fields = {k: v for k, v in childruntime.USUAL_ANSWER_FIELDS.items() if k != "frames_after"}
        expected = encode({**fields, "seq": seq, "frames_after": ["value"]}).encode("ascii")
        assert childruntime.USUAL_ANSWER % seq == expected
    # the template's fields are what Runtime.outcome gives an ok call with unchanged arguments
    made = Runtime.outcome("ok", value=1, args_same=True, aliases=[])
    del made["value"], made["args_after"]
    assert {**made, "frames_after": ["value"]} == childruntime.USUAL_ANSWER_FIELDS


class _Stream:
    """A stream that records its flushes in a shared log."""

    def __init__(self, name: str, log: list, fail: bool = False) -> None:
        self.name, self.log, self.fail = name, log, fail

    def flush(self) -> None:
        self.log.append(self.name)
        if self.fail:
            raise OSError("closed")


@pytest.mark.parametrize("layout", [
    ("a", "b", "a", "b"),   # as the child sets them up
    ("a", "a", "a", "a"),   # all the same object
    ("a", "b", "c", "d"),   # all rebound by the program
    ("a", "b", "b", "a"),
    ("a", "b", "c", "c"),
])
def test_flush_flushes_each_stream_once_in_order(monkeypatch, layout):
    log: list = []
    streams = {name: _Stream(name, log, fail=(name == "b")) for name in set(layout)}
    for attr, name in zip(("stdout", "stderr", "__stdout__", "__stderr__"), layout):
        monkeypatch.setattr(sys, attr, streams[name])
    Runtime.flush()  # a stream that fails to flush does not stop the others
    monkeypatch.undo()
    assert log == list(dict.fromkeys(layout))


def test_tag_cells_read_the_version_tags():
    version = _dict_version_reader()
    if version is None:
        pytest.skip("no version tags on this interpreter")
    dicts = [{"a": 1}, {}, dict(vars(json))]
    cells = _tag_cells(dicts, version)
    assert cells is not None and [c.value for c in cells] == [version(d) for d in dicts]
    before = [c.value for c in cells]
    dicts[1]["new"] = object()
    after = [c.value for c in cells]
    assert after[1] != before[1] and after[0] == before[0] and after[2] == before[2]
    assert _tag_cells(dicts, None) is None


def test_a_call_that_only_changes_sys_path_has_it_restored(sandbox):
    program = textwrap.dedent("""
        import sys
        def grow():
            sys.path.insert(0, "/nowhere")
            sys.path.append("/elsewhere")
            return len(sys.path)
        def shrink():
            del sys.path[:]
            return 0
        def look():
            return "/nowhere" in sys.path, "/elsewhere" in sys.path, len(sys.path)
    """)
    with sandbox.session(program) as s:
        _, _, n = s.call("look", ()).value
        assert s.call("grow", ()).value == n + 2
        assert s.call("look", ()).value == (False, False, n)
        outs = s.call_many([("grow", (), 1.0), ("look", (), 1.0), ("shrink", (), 1.0), ("look", (), 1.0)])
        assert [o.value for o in outs] == [n + 2, (False, False, n), 0, (False, False, n)]


def test_a_call_that_changes_one_module_dictionary_has_only_that_restored(sandbox):
    program = textwrap.dedent("""
        import math
        import numpy as np
        def patch():
            math.pi = 3.0
            np.course_probe = 1
            return math.pi
        def look():
            return math.pi, hasattr(np, "course_probe")
    """)
    with sandbox.session(program) as s:
        outs = s.call_many([("look", (), 1.0), ("patch", (), 1.0), ("look", (), 1.0), ("look", (), 1.0)])
        assert [o.value for o in outs] == [(pytest.approx(3.141592653589793), False), 3.0,
                                           (pytest.approx(3.141592653589793), False),
                                           (pytest.approx(3.141592653589793), False)]


def test_the_last_request_of_a_run_is_answered_without_an_output_marker(monkeypatch):
    import socket
    ours, theirs = socket.socketpair()
    try:
        runtime = Runtime(ours, max_bytes=1 << 20)
        written: list = []
        monkeypatch.setattr(runtime, "end_output", lambda: written.append(runtime.seq))
        for seq, last in ((1, False), (2, True), (3, False)):
            runtime.seq = seq
            runtime.answer(Runtime.outcome("ok", value=seq, args_same=True), last=last)
        assert written == [1, 3]
        theirs.settimeout(5)
        data = b""
        while data.count(b'"kind":"outcome"') < 3:
            data += theirs.recv(1 << 16)
        assert [f'"seq":{n}'.encode() in data for n in (1, 2, 3)] == [True] * 3
    finally:
        ours.close()
        theirs.close()


def test_outputs_of_single_calls_and_of_the_last_call_of_a_run_stay_with_them(sandbox):
    program = textwrap.dedent("""
        import sys
        def say(text, end="\\n"):
            print(text, end=end)
            return text
        def flood(n):
            sys.stdout.write("y" * n)
            return n
    """)
    with sandbox.session(program) as s:
        assert s.call("say", ("alone",)).output == "alone\n"
        assert s.call("say", ("no newline", "")).output == "no newline"
        assert s.call("say", ("", "")).output == ""
        outs = s.call_many([("say", ("a",), 1.0), ("say", ("b", ""), 1.0), ("say", ("c", ""), 1.0)])
        assert [o.output for o in outs] == ["a\n", "b", "c"]
        assert s.call("say", ("after",)).output == "after\n"
        outs = s.call_many([("flood", (100,), 1.0), ("flood", (50_000,), 1.0)])
        assert [len(o.output) for o in outs] == [100, 50_000]
        assert s.call("say", ("again",)).output == "again\n"


def test_stub_answers_larger_than_the_socket_buffer_arrive_whole(sandbox):
    import numpy as np
    program = textwrap.dedent("""
        def helper(n):
            raise AssertionError("replaced by a stub")
        def total(n):
            return float(helper(n).sum()), helper(1).shape
    """)
    big = np.arange(1_000_000, dtype=np.float64)  # 8 MB: several times the socket's buffer
    with sandbox.session(program) as s:
        out = s.call("total", (3,), stubs={"helper": lambda args: big if args[0] == 3 else np.ones(2)})
        assert out.status == "ok" and out.value == (float(big.sum()), (2,))


@pytest.mark.parametrize("text", [
    '{"kind":"call","function":"f","stubs":["g"],"aliases":false,"seq":3,"last":true}',
    '{"kind": "load", "program": "x = \\"\\\\u00e9\\"\\n", "seq": 1, "nested": {"a": [1, 2.5, null]}}',
    '{"kind":"call","seq":2} \n',                    # space after it: the decoder's own path
    '{"kind":"call","seq":2}{"kind":"call"}',         # two objects: refused as json.loads refuses them
    '{"kind":"call","seq":2',                         # cut short
    '{"kind":"call","seq":2}x',
    '{}',
])
def test_requests_are_read_as_json_loads_reads_them(text):
    import json
    import socket
    from grader.childruntime import FRAME
    ours, theirs = socket.socketpair()
    try:
        runtime = Runtime(ours, max_bytes=1 << 20)
        data = text.encode("ascii")
        theirs.sendall(FRAME.pack(len(data)) + data)
        try:
            expected = json.loads(text)
        except ValueError as exc:
            with pytest.raises(type(exc), match=str(exc).split(":")[0]):
                runtime.recv()
        else:
            got = runtime.recv()
            assert got == expected and list(got) == list(expected)
    finally:
        ours.close()
        theirs.close()
