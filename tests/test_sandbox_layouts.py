"""The answers' layouts a Sandbox is given reach every child's encoder through the zygote, and a
child whose student code poisons its encoder's memo gets its answer judged like any other."""

from __future__ import annotations

import numpy as np
import pytest

from grader import wire
from grader.sandbox import Sandbox

VALUE = (np.full((2, 3), 0.25), {"W": np.arange(3.0).reshape(3, 1)})

PROGRAM = '''
import sys
import numpy as np

def _encoder():
    frame = sys._getframe()
    while type(frame.f_locals.get("self")).__name__ != "Runtime":
        frame = frame.f_back
    return frame.f_locals["self"].encoder

def learned():
    return len(_encoder()._heads)

def answer(poison):
    heads = _encoder()._heads
    for key in list(heads):
        heads[key] = {"garbage": b"GW1\\n\\x00\\x00\\x00\\x02{}", "huge": heads[key][:8] + b"{" * 200,
                      "empty": b"", "swap": SWAP}.get(poison, heads[key])
    return (np.full((2, 3), 0.25), {"W": np.arange(3.0).reshape(3, 1)})
'''


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(protected_paths=[], layouts=[wire.layout(VALUE)]) as box:
        yield box


def _swap_head() -> bytes:
    """The header of another layout with buffers of the same sizes: a value with other shapes."""
    data = wire.encode((np.zeros((3, 2)), {"W": np.zeros((1, 3))}))
    return data[:8 + int.from_bytes(data[4:8], "big")]


def _program() -> str:
    return PROGRAM + f"\nSWAP = {_swap_head()!r}\n"


def test_every_child_learned_the_layouts_and_answers_with_them(sandbox):
    for _ in range(2):
        with sandbox.session(_program(), filename="<submission>") as session:
            assert session.call("learned", ()).value == 1
            outcome = session.call("answer", ("none",))
            assert outcome.status == "ok"
            assert wire.encode(outcome.value) == wire.encode(VALUE)


@pytest.mark.parametrize("poison", ["garbage", "huge", "empty", "swap"])
def test_a_poisoned_memo_gives_a_wrong_or_refused_answer_and_spoils_no_other_child(sandbox, poison):
    with sandbox.session(_program(), filename="<submission>") as session:
        outcome = session.call("answer", (poison,))
        if poison == "swap":  # a value the child could have sent anyway: other shapes, judged wrong
            assert outcome.status == "ok" and outcome.value[0].shape == (3, 2)
        else:
            assert outcome.status != "ok" and outcome.value is None
    with sandbox.session(_program(), filename="<submission>") as session:
        outcome = session.call("answer", ("none",))
        assert outcome.status == "ok" and wire.encode(outcome.value) == wire.encode(VALUE)


def test_a_class_run_teaches_the_layouts_of_the_rubrics_expected_values():
    from pathlib import Path

    from grader.commands import load_context
    from grader.runner import answer_layouts

    context = load_context(Path(__file__).resolve().parents[1] / "rubrics" / "rnn.yaml")
    layouts = answer_layouts(context)
    cases = [case for part in context.rubric.parts for case in part.cases]
    assert len(layouts) == len(set(layouts)) and 0 < len(layouts) <= len(cases)
    encoder = wire.Encoder()
    assert all(encoder.learn(text) for text in layouts)  # arrays and containers only: no number
    for case in cases:  # each expected value is served by a layout learned
        expected = context.fixtures[case.id].expected
        assert encoder.encode(expected) == wire.encode(expected)


def test_the_layouts_sent_to_a_zygote_are_bounded():
    from grader.sandbox import _bounded

    assert _bounded(["ab", "cd", "ab", "ef"], 4) == ["ab", "cd"]
    assert _bounded(["x" * 10], 4) == []
