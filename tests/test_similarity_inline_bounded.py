"""Putting a function in place of its calls (``grader.similarity.inline``) is bounded by what it makes,
arguments included (thirty-sixth session).

A one-line function reading its parameter twice (``def h(a): return a + a``, or the lambda ``h = lambda
a: a + a`` in the def), called nested (``h(h(...h(xt)...))``), doubles its argument at each level:
copied into each call, the text of 20 levels holds a million nodes. The budget counted the function's
nodes only, so on main (aa62e07) such a def took 4 s of CPU to normalise at 20 levels (16 s at 22, four
times more each two levels), the lambda 37 s at 18. One submission so held the class's similarity
check for hours. A few levels still read as the written-out expression. Shallow copies of the
arguments (``inline._Substitute``) kept the memory small, the copies sharing their nodes, but every
later pass walks each node once per parent: the time was the same as with deep copies. Since the
thirty-eighth session no node is shared: a parameter's first read takes the argument itself, each
later one a deep copy.
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


#: Helpers put in place of their calls, each reading a parameter more than once, with arguments that
#: later passes change in place (a product by ``np.dot``, keywords to sort, a comparison to turn).
_SHARED = {
    "one_line_twice": "def h(a):\n    return a * a + np.tanh(a)\n\ndef rnn_cell_forward(xt, a_prev, parameters):\n"
                      "    y = h(np.dot(parameters['Wax'], xt) + np.sum(a_prev, keepdims=True, axis=0)) * a_prev\n"
                      "    return y\n",
    "nested": "def h(a):\n    return a + a\n\ndef rnn_cell_forward(xt, a_prev, parameters):\n"
              "    y = h(h(np.dot(xt, a_prev) > 0)) * a_prev\n    return y\n",
    "statement_helper": "def g(a, b):\n    c = a * b\n    d = c + a\n    return d * b\n\n"
                        "def rnn_cell_forward(xt, a_prev, parameters):\n    y = g(xt, a_prev)\n    return y\n",
}


@pytest.mark.parametrize("how", sorted(_SHARED))
def test_what_is_put_in_place_of_a_call_shares_no_node(how):
    """Each node of the text is reached from one parent once the helper is in place of its calls
    (the thirty-seventh session's shallow copies shared the argument's nodes between its reads)."""
    import ast

    from grader.similarity.inline import inline_helpers
    from grader.similarity.syntax import subnodes

    tree = ast.parse(_SHARED[how])
    inline_helpers(tree, frozenset({"rnn_cell_forward"}))
    assert [type(s) for s in tree.body] == [ast.FunctionDef] and tree.body[0].name == "rnn_cell_forward"
    reached = [id(node) for node in subnodes(tree)]
    assert len(reached) == len(set(reached)), ast.unparse(tree)
