"""A copy that spells a tuple, a dict or the sizes of a shape otherwise than its original, against the similarity check (thirty-third session, ``rewrite.Rewriter``).

Each case is a classmate's function (the course's code) graded in full with one spelling changed;
its score against the classmate on main is in the comment. Each scores 1.0 now. What only looks
alike keeps its own tokens.
"""
from __future__ import annotations

import pytest

from grader.similarity.normalise import normalise_function
from tests import notebooks as nbs
from tests.copies import flagged_against_classmate, graded_copy

_BACKWARD = nbs.COURSE_CELLS["rnn_cell_backward"]
_GRADIENTS = 'gradients = {"dxt": dxt, "da_prev": da_prev, "dWax": dWax, "dWaa": dWaa, "dba": dba}'

#: case -> (function, old, new) in the course's cell.
CASES = {
    # ``dict(dxt=dxt, ...)`` for the display (0.77).
    "dict_call": ("rnn_cell_backward", _GRADIENTS,
                  "gradients = dict(dxt=dxt, da_prev=da_prev, dWax=dWax, dWaa=dWaa, dba=dba)"),
    # ``tuple([...])`` for the cache (0.5).
    "tuple_of_list": ("rnn_cell_forward", "cache = (a_next, a_prev, xt, parameters)",
                      "cache = tuple([a_next, a_prev, xt, parameters])"),
    # The sizes read one by one from the shape (0.14).
    "shape_by_index": ("rnn_forward", "n_x, m, T_x = x.shape", "n_x = x.shape[0]\n    m = x.shape[1]\n    T_x = x.shape[2]"),
}


@pytest.mark.parametrize("how", sorted(CASES))
def test_a_copy_spelling_numpy_otherwise_is_flagged(tmp_path, context, sandbox, how):
    function, old, new = CASES[how]
    cell = nbs.COURSE_CELLS[function]
    assert old in cell, old
    _path, _result, text = graded_copy(tmp_path, how, cell.replace(old, new), context=context, sandbox=sandbox,
                                       function=function)
    report = flagged_against_classmate(tmp_path, how, text, function=function)
    assert report.pairs[0].overall == 1.0, report.pairs


def _tokens(body: str) -> tuple[str, ...]:
    return normalise_function("def f(x, y):\n" + body).tokens


def test_what_only_looks_alike_keeps_its_tokens():
    """``dict(mapping)``, a starred ``tuple`` and the sizes of an expression's shape, or of a name
    one of them rebinds, are not what they look like. ``a * a`` and ``a ** 2``, ``np.zeros(a.shape)``
    and ``np.zeros_like(a)``, ``x.sum(1)`` and ``np.sum(x, axis=1)`` are kept apart on purpose: read
    as one, the generated corpus of 1,000 flagged independent students (0.85-0.88; docs/similarity.md)."""
    assert _tokens("    return x * x\n") != _tokens("    return x ** 2\n")
    assert _tokens("    return np.zeros(x.shape)\n") != _tokens("    return np.zeros_like(x)\n")
    assert _tokens("    return x.sum(1)\n") != _tokens("    return np.sum(x, axis=1)\n")
    assert _tokens("    return dict(y)\n") != _tokens("    return {'y': y}\n")
    assert _tokens("    return tuple([*x, y])\n") != _tokens("    return (*x, y)\n")
    unpacked = "    a, b = {0}.shape\n    return a + b\n"
    by_index = "    a = {0}.shape[0]\n    b = {0}.shape[1]\n    return a + b\n"
    assert _tokens(by_index.format("x")) == _tokens(unpacked.format("x"))
    assert _tokens("    b = x.shape[1]\n    a = x.shape[0]\n    return a + b\n") == _tokens(unpacked.format("x"))
    assert _tokens(by_index.format("x.T")) != _tokens(unpacked.format("x.T"))
    assert _tokens("    a = x.shape[0]\n    b = x.shape[2]\n    return a + b\n") != _tokens(unpacked.format("x"))
    assert _tokens("    x = x.shape[0]\n    b = x.shape[1]\n    return x + b\n") != _tokens(
        "    x, b = x.shape\n    return x + b\n")
