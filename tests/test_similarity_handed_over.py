"""A graded function that does some work and then hands its arguments to a copied helper, whose
result it returns, against the similarity check (thirty-second session:
``runner._hands_over``, ``normalise._return_call``).

At bcd1399 such a def was compared alone, without the helper that did the work: its two or
three lines shared nothing with the classmate it copied (no pair). Now the helper comes first
in the text compared and the normaliser puts it in place of its call (1.0). A helper that only
computes part of the work, the def doing its own maths around it, is the student's way of
writing it and is compared as before, the def alone.
"""
from __future__ import annotations

import pytest

from grader.runner import graded_source
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


def test_a_helper_doing_part_of_the_work_is_not_added():
    """The def's own maths after the call, two calls of the helper, or a result used otherwise
    than returned keep the def compared alone; the one call returned is compared with ``_h``."""
    helper = "def _h(z):\n    return np.tanh(z)\n"
    returned = _HEAD + "    z = xt + a_prev\n    return _h(z)\n"
    assert _compared(returned, helper) == helper + "\n\n" + returned
    for own in (_HEAD + "    a = _h(xt + a_prev)\n    return a, softmax(a)\n",
                _HEAD + "    a = _h(xt) * 2\n    return _h(a)\n",
                _HEAD + "    a = _h(xt)\n    b = a + 1\n    return a, b\n",
                _HEAD + "    z = xt + a_prev\n    return _h(z) + 1\n"):
        assert _compared(own, helper) == own, own
