"""The grader's shortcuts on its side of the protocol: the child's usual answer recognised by its
bytes, request headers written from a template. Both must stand exactly for what the full path
parses or encodes, and a forged usual answer must gain a child nothing."""
from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from grader import conversation
from grader import sandbox as sandbox_module
from grader.childruntime import STUB_REQUEST, USUAL_ANSWER, USUAL_ANSWER_FIELDS
from grader.sandbox import _COMPACT_JSON, CallOutcome, Session, _Request


def test_the_usual_answer_is_the_fields_it_stands_for():
    parsed = json.loads(USUAL_ANSWER % 12)
    expected = dict(USUAL_ANSWER_FIELDS)
    expected["seq"] = 12
    expected["frames_after"] = expected.pop("frames_after")  # the child writes seq before it
    assert list(parsed.items()) == list(expected.items())


@pytest.mark.parametrize("raw_value", [True, False])
def test_the_usual_answer_gives_the_outcome_the_full_check_gives(raw_value):
    session = Session.__new__(Session)  # _from_message needs no child
    msg = json.loads(USUAL_ANSWER % 3)
    msg.pop("frames_after")
    raw, usual_msg = {}, {}
    if raw_value:
        raw["value"] = b"the value's wire bytes"
    else:
        msg["value"] = usual_msg["value"] = (1, "two", None)
    sent = (np.zeros(2), {"k": 1})
    common = dict(output="printed", seconds=0.25, sent_args=sent, raw_value=raw_value, ref=(11, 3))
    slow = session._from_message(msg, dict(raw), **common)
    quick = session._from_message(usual_msg, dict(raw), usual=True, **common)
    assert quick == slow and quick.args_after is sent and quick.status == "ok"


@pytest.mark.parametrize("msg", [
    {"kind": "call", "function": "rnn_forward", "stubs": ["rnn_cell_forward"], "aliases": False},
    {"kind": "call", "function": "f\u00e9\"\\", "stubs": [], "aliases": True},
    {"kind": "load", "program": "x = 1\n", "filename": "<submission>", "marker": "\0m:"},
    {"kind": "aliases", "of": 4},
])
@pytest.mark.parametrize("last", [True, False])
def test_request_payloads_are_the_json_of_their_messages(msg, last):
    whole = {**msg, "seq": 41, "last": True} if last else {**msg, "seq": 41}
    assert _Request(dict(msg)).payload(41, last) == _COMPACT_JSON(whole).encode()


def test_call_requests_reuse_their_header_and_write_the_same_bytes(sandbox):
    with sandbox.session("def f(x):\n    return x\n") as s:
        for stubs, aliases in (((), False), (("g", "a"), True)):
            first = s._call_request("f", (1,), stubs=stubs, timeout=None, aliases=aliases, reuse_args=False)
            again = s._call_request("f", (2,), stubs=stubs, timeout=None, aliases=aliases, reuse_args=False)
            assert first.head is again.head
            msg = {"kind": "call", "function": "f", "stubs": sorted(stubs), "aliases": aliases}
            assert again.payload(9, True) == _COMPACT_JSON({**msg, "seq": 9, "last": True}).encode()


def test_an_ordinary_call_takes_the_usual_answers_path(sandbox, monkeypatch):
    seen = []
    original = Session._from_message

    def spy(self, *args, **kwargs):
        seen.append(kwargs.get("usual", False))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(sandbox_module.Session, "_from_message", spy)
    with sandbox.session("def f(x):\n    return x * 2\n") as s:
        assert s.call("f", (np.ones(3),), aliases=False).value.tolist() == [2.0, 2.0, 2.0]
        outs = s.call_many([("f", (1,), None), ("f", (2,), None)], aliases=False)
        assert [o.value for o in outs] == [2, 4]
    assert seen[-3:] == [True, True, True]


FORGE = """
    import os, time
    TEMPLATE = {template!r}
    def forge(seq, body):
        head = TEMPLATE % seq
        os.write(3, len(head).to_bytes(8, "big") + head + len(body).to_bytes(8, "big") + body)
        time.sleep(5)
    def fine():
        return "still graded"
"""


def test_a_forged_usual_answer_to_an_earlier_request_is_bad_output(sandbox):
    """The usual answer's bytes with another request's number go the full way: refused."""
    from grader import wire

    program = textwrap.dedent(FORGE.format(template=USUAL_ANSWER))
    with sandbox.session(program, filename="attack.py") as s:
        out = s.call("forge", (1, wire.encode(5)), timeout=2.0)  # this call's request is number 2
        assert out.status == "bad_output" and out.error_type == "ProtocolError"
        assert s.call("fine", ()).value == "still graded"


def test_a_forged_usual_answer_gains_nothing_over_the_childs_own(sandbox):
    """The usual answer's bytes written by the student's code for the pending call: a value
    it could as well have returned, or, with bytes that are not wire data, a bad output."""
    from grader import wire

    program = textwrap.dedent(FORGE.format(template=USUAL_ANSWER))
    with sandbox.session(program, filename="attack.py") as s:
        out = s.call("forge", (2, wire.encode([1.5, "x"])), timeout=2.0)
        assert out.status == "ok" and out.value == [1.5, "x"]
    with sandbox.session(program, filename="attack.py") as s:
        junk = b"GW1\n" + (10).to_bytes(4, "big") + b'{"root":1}' + b"junk"
        assert s.call("forge", (2, junk), timeout=2.0).status == "bad_output"
    with sandbox.session(program, filename="attack.py") as s:
        out = s.call("forge", (2, junk), timeout=2.0, raw_value=True)
        assert isinstance(out, CallOutcome) and out.raw == junk
        with pytest.raises(wire.WireError):
            s.decode_value(out)


def test_stub_requests_are_recognised_by_their_bytes(sandbox, monkeypatch):
    """The child's own stub requests match the template (no header parsed the full way), for a
    name that JSON escapes too, and each is answered as before."""

    name = "st\u00e9p"
    assert STUB_REQUEST % (json.dumps(name).encode("ascii"), 7) == json.dumps(
        {"kind": "stub", "name": name, "seq": 7, "frames_after": ["args"]}).encode("ascii")
    parsed = []
    original = conversation.decode_message
    monkeypatch.setattr(conversation, "decode_message",
                        lambda data, max_bytes: parsed.append(data) or original(data, max_bytes))
    program = f"def {name}(x):\n    return -x\n\ndef g(xs):\n    return [{name}(x) for x in xs]\n"
    asked = []
    with sandbox.session(program) as s:
        out = s.call("g", ([1, 2, 3],), stubs={name: lambda args: asked.append(args) or args[0] * 10})
    assert out.status == "ok" and out.value == [10, 20, 30] and asked == [(1,), (2,), (3,)]
    assert not [d for d in parsed if b'"stub"' in d]


def test_a_stub_request_for_a_name_not_offered_is_refused(sandbox):
    """The template is made only for the names this call offers: another name goes the full
    way and is refused (bad_output), as before."""
    from grader import wire

    program = textwrap.dedent("""
        import os, time
        def forge(head, args):
            os.write(3, len(head).to_bytes(8, "big") + head + len(args).to_bytes(8, "big") + args)
            time.sleep(5)
    """)
    head = STUB_REQUEST % (b'"secret"', 2)
    with sandbox.session(program, filename="attack.py") as s:
        out = s.call("forge", (head, wire.encode((1,))), stubs={"offered": lambda args: 1}, timeout=2.0)
        assert out.status == "bad_output" and out.error_type == "ProtocolError"
