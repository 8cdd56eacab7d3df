"""Putting a function in place of its calls (``grader.similarity.inline``) is bounded by what it makes,
arguments included (thirty-sixth session).

A one-line function reading its parameter twice (``def h(a): return a + a``, or the lambda ``h = lambda
a: a + a`` in the def), called nested (``h(h(...h(xt)...))``), doubles its argument at each level:
copied into each call, the text of 20 levels holds a million nodes. The budget counted the function's
nodes only, so on main (aa62e07) such a def took 4 s of CPU to normalise at 20 levels (16 s at 22, four
times more each two levels), the lambda 37 s at 18. One submission so held the class's similarity
check for hours. A few levels still read as the written-out expression. Shallow copies of the
arguments (``inline._Substitute``) kept the memory small, the copies sharing their nodes, but every
later pass walks each node once per parent: the time was the same as with deep copies.
"""
from __future__ import annotations

import pytest

from grader.similarity.normalise import normalise_function
from tests.cpu import cpu_budget

#: The three spellings of the function, each with ``{call}`` to put in its place.
SPELLINGS = {
    "def": "def h(a):\n    return a + a\n\ndef rnn_cell_forward(xt, a_prev, parameters):\n"
           "    y = {call} * a_prev\n    return y\n",
    "lambda_in_the_def": "def rnn_cell_forward(xt, a_prev, parameters):\n    h = lambda a: a + a\n"
                         "    y = {call} * a_prev\n    return y\n",
}


def _nested(levels: int) -> str:
    return "h(" * levels + "xt" + ")" * levels


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_nested_calls_of_a_function_doubling_its_argument_are_bounded(spelling):
    source = SPELLINGS[spelling].format(call=_nested(40))
    with cpu_budget(3.0):
        code = normalise_function(source)
    # What the budget let in place still makes a sum too long for the recursive passes (a chain of
    # thousands of terms): the text reads as its token stream then, as any text too deep does.
    assert len(code.tokens) < 25_000, len(code.tokens)


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_a_few_nested_calls_still_read_as_the_expression(spelling):
    written = "def rnn_cell_forward(xt, a_prev, parameters):\n    y = {call} * a_prev\n    return y\n"
    expression = "xt"
    for _level in range(3):
        expression = f"({expression} + {expression})"
    assert normalise_function(SPELLINGS[spelling].format(call=_nested(3))).tokens == normalise_function(
        written.format(call=expression)).tokens
