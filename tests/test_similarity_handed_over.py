"""A graded function that does some work and then hands its arguments to a copied helper, whose
result it returns, against the similarity check (thirty-second session:
``gradedsource._hands_over``, ``inline._return_call``).

At bcd1399 such a def was compared alone, without the helper that did the work: its two or
three lines shared nothing with the classmate it copied (no pair). Now the helper comes first
in the text compared and the normaliser puts it in place of its call (1.0). A helper that only
computes part of the work, the def doing its own maths around it, comes first too when the
normaliser puts it in place of its calls (thirty-third session); otherwise the def is compared alone.
"""
from __future__ import annotations

import pytest

from grader.gradedsource import graded_source
from tests import notebooks as nbs
from tests.copies import flagged_against_classmate, graded_copy

_HEAD = "def rnn_cell_forward(xt, a_prev, parameters):\n"
_COPY = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def f9(")
#: The def's own work before the call, and how it returns the helper's result.
CASES = {
    "scaled_then_returned": "    xt = xt * 1.0\n    return f9(xt, a_prev, parameters)\n",
    "scaled_then_named": "    xt = xt * 1.0\n    out = f9(xt, a_prev, parameters)\n    return out\n",
    "two_steps_then_named": "    a_prev = a_prev + 0\n    xt = xt / 1\n    result = f9(xt, a_prev, parameters)\n"
                            "    return result\n",
}


@pytest.mark.parametrize("how", sorted(CASES))
def test_a_copy_handed_the_work_is_flagged(tmp_path, context, sandbox, how):
    _path, _result, text = graded_copy(tmp_path, how, _COPY + "\n\n" + _HEAD + CASES[how],
                                       context=context, sandbox=sandbox)
    assert text.startswith("def f9("), text  # the helper first, then the def
    report = flagged_against_classmate(tmp_path, how, text)
    assert report.pairs[0].overall == 1.0, report.pairs


class _Fn:
    """What ``graded_source`` reads of a notebook function (``FunctionSource``'s fields it uses)."""

    def __init__(self, source: str, uses: tuple[str, ...] = ()) -> None:
        self.source = source
        self.uses = frozenset(uses)


def _compared(own: str, helper: str) -> str:
    functions = {"rnn_cell_forward": _Fn(own, ("_h", "np")), "_h": _Fn(helper, ("np",))}
    return graded_source(functions, "rnn_cell_forward", graded=["rnn_cell_forward"])


def test_a_helper_doing_part_of_the_work_is_added_when_put_in_place():
    """A helper the normaliser puts in place of its calls (``gradedsource._inlined_helpers``: one line,
    or called by statements of their own) comes first, whatever the def does around it (thirty-third
    session; compared alone before); one it cannot put there (called in an expression when it is of
    several lines, with keywords, passed as a value, holding a ``try``) keeps the def compared alone."""
    helper = "def _h(z):\n    return np.tanh(z)\n"
    for own in (_HEAD + "    z = xt + a_prev\n    return _h(z)\n",
                _HEAD + "    a = _h(xt + a_prev)\n    return a, softmax(a)\n",
                _HEAD + "    a = _h(xt) * 2\n    return _h(a)\n",
                _HEAD + "    z = xt + a_prev\n    return _h(z) + 1\n"):
        assert _compared(own, helper) == helper + "\n\n" + own, own
    # A lambda bound at the top level is a one-line helper (thirty-sixth session); one with a default
    # or a ``*args``, or whose name is bound by something else than a lambda, is not.
    lam = "_h = lambda z: np.tanh(z)"
    assert _compared(_HEAD + "    a = _h(xt + a_prev)\n    return a, softmax(a)\n", lam) == (
        lam + "\n\n" + _HEAD + "    a = _h(xt + a_prev)\n    return a, softmax(a)\n")
    for other in ("_h = lambda z, k=1: np.tanh(z)", "_h = lambda *z: np.tanh(z)", "_h = lambda z: _h(z)",
                  "_h = lambda z: (lambda y: y)(z)", "_h = np.tanh"):
        assert _compared(_HEAD + "    a = _h(xt + a_prev)\n    return a, softmax(a)\n", other).startswith(_HEAD), other
    long = "def _h(z):\n    y = z + 1\n    return np.tanh(y)\n"
    assert _compared(_HEAD + "    a = _h(xt)\n    b = a + 1\n    return a, b\n", long).startswith(long)
    for own, helper in ((_HEAD + "    a = _h(xt) * 2\n    return a\n", long),
                        (_HEAD + "    a = _h(z=xt) + 1\n    return a\n", helper),
                        (_HEAD + "    f = _h\n    return f(xt) + 1\n", helper),
                        (_HEAD + "    return _h(xt, a_prev) + 1\n", helper),
                        (_HEAD + "    a = _h(xt)\n    return a, a + 1\n",
                         "def _h(z):\n    try:\n        z = z + 1\n    except ValueError:\n        pass\n    return z\n")):
        assert _compared(own, helper) == own, own


_CELL = nbs.COURSE_CELLS["rnn_cell_forward"]
_LSTM = nbs.COURSE_CELLS["lstm_cell_forward"]
#: A classmate's function split into helpers otherwise than the def only handing them the work
#: (function, cell; score against the classmate on main): an affine step of ``rnn_cell_forward``
#: (0.25), ``lstm_cell_forward``'s three sigmoid gates by one helper (0.49).
SPLIT = {
    "affine_helper": ("rnn_cell_forward", _CELL.replace(
        "np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba", "_affine(Waa, a_prev, np.dot(Wax, xt) + ba)")
        + "\n\ndef _affine(W, x, b):\n    return np.dot(W, x) + b\n"),
    "gate_helper": ("lstm_cell_forward", _LSTM.replace(
        "ft = sigmoid(np.dot(Wf, concat) + bf)", "ft = _gate(Wf, concat, bf)").replace(
        "it = sigmoid(np.dot(Wi, concat) + bi)", "it = _gate(Wi, concat, bi)").replace(
        "ot = sigmoid(np.dot(Wo, concat) + bo)", "ot = _gate(Wo, concat, bo)")
        + "\n\ndef _gate(W, x, b):\n    return sigmoid(np.dot(W, x) + b)\n"),
    # Thirty-sixth session: a lambda bound at the notebook's top level, in the def's cell (0.41 on
    # main, aa62e07: the def was compared alone) or in another cell, of one or two parameters.
    "top_level_lambda": ("rnn_cell_forward", "act = lambda z: np.tanh(z)\n\n" + _CELL.replace(
        "np.tanh(np.dot(Waa", "act(np.dot(Waa"), ()),
    "top_level_lambda_in_another_cell": ("rnn_cell_forward", _CELL.replace(
        "np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)", "affine_tanh(np.dot(Waa, a_prev), np.dot(Wax, xt) + ba)"),
        ("affine_tanh = lambda u, v: np.tanh(u + v)\n",)),
}


@pytest.mark.parametrize("how", sorted(SPLIT))
def test_a_copy_split_into_helpers_is_flagged(tmp_path, context, sandbox, how):
    function, cell, *before = SPLIT[how]
    assert "_affine(Waa" in cell or "_gate(Wo" in cell or "lambda" in cell or before
    _path, _result, text = graded_copy(tmp_path, how, cell, context=context, sandbox=sandbox, function=function,
                                       extra_cells=[nbs.code_cell(c) for c in (before[0] if before else ())])
    report = flagged_against_classmate(tmp_path, how, text, function=function)
    assert report.pairs[0].overall == 1.0, report.pairs
