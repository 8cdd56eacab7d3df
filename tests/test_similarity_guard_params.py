"""A copy given a junk parameter read only in a leading guard: twenty-eighth session.

The twenty-seventh session left open a junk parameter read in a live branch
(``if xt is None: return junk`` before a copied body, ``junk=None`` last in a graded header or
first in a helper behind a wrapper): the read kept the parameter, which added a statement and
sent the helper's parameters to the order of their contexts. Graded in full, no pair listed on
d00b0f8 (0.04-0.68 through ``find_similar``). Leading guards now go (``_drop_leading_guards``).
"""
from __future__ import annotations

import pytest

from grader.similarity.normalise import normalise_function
from tests import notebooks as nbs
from tests.copies import flagged_against_classmate, graded_copy

_ORIGINAL = nbs.COURSE_CELLS["rnn_cell_forward"]
_HEAD = "def rnn_cell_forward(xt, a_prev, parameters):\n"
_BODY = _ORIGINAL.split(_HEAD, 1)[1]
_GUARD = "    if xt is None:\n        return junk\n"


def _wrapped(header: str, call: str) -> str:
    """A copy behind a guard reading ``junk``, as a helper behind a graded function that only delegates."""
    return f"{header}\n{_GUARD}{_BODY}\n\n{_HEAD}    return {call}\n"


_CASES = {
    "junk_last_with_a_default": "def rnn_cell_forward(xt, a_prev, parameters, junk=None):\n" + _GUARD + _BODY,
    "junk_first_behind_a_wrapper": _wrapped("def f9(junk, xt, a_prev, parameters):", "f9(0, xt, a_prev, parameters)"),
    "junk_and_permuted_behind_a_wrapper": _wrapped("def f9(parameters, junk, a_prev, xt):",
                                                   "f9(parameters, 0, a_prev, xt)"),
    "guard_raising": ("def rnn_cell_forward(xt, a_prev, parameters, junk=None):\n    if junk is not None:\n"
                      "        raise ValueError(junk)\n" + _BODY),
}


@pytest.mark.parametrize("how", sorted(_CASES))
def test_a_copy_with_a_junk_parameter_read_in_a_guard_is_flagged(tmp_path, context, sandbox, how):
    path, result, source = graded_copy(tmp_path, how, _CASES[how], context=context, sandbox=sandbox)
    report = flagged_against_classmate(tmp_path, how, source)
    assert report.pairs[0].overall >= 0.9, report.pairs


def test_only_leading_guards_go():
    """A guard after the first statement is work the function does, and a guard whose return
    computes something is an answer: both stay."""
    def tokens(source: str) -> tuple[str, ...]:
        return normalise_function(source).tokens
    plain = "def f(x, y):\n    z = x + y\n    return z\n"
    assert tokens("def f(x, y):\n    if x is None:\n        return y\n    z = x + y\n    return z\n") == tokens(plain)
    assert tokens("def f(x, y):\n    if x is None:\n        raise ValueError\n    z = x + y\n    return z\n") \
        == tokens(plain)
    assert tokens("def f(x, y):\n    if x is None:\n        return y * 2\n    z = x + y\n    return z\n") \
        != tokens(plain)
    assert tokens("def f(x, y):\n    z = x + y\n    if x is None:\n        return y\n    return z\n") != tokens(plain)
    assert tokens("def f(x):\n    if x:\n        return x\n") != tokens("def f(x):\n    pass\n")  # a body of one guard stays
