"""A copy given one more leading parameter that it never reads: twenty-sixth session's review.
The normaliser numbers parameters by position, so ``cls`` (a class method, in the class body or
set after it with ``RNN.cell = classmethod(f9)``, 8c58bf6) or a junk first argument a wrapper
passes spelt every parameter one further: each was graded in full on 0fc66f7 and scored 0.05
against its original, not flagged; each test failed there."""
from __future__ import annotations

import textwrap

import pytest

from grader.similarity.normalise import normalise_function
from tests import notebooks as nbs
from tests.copies import flagged_against_classmate, graded_copy

_ORIGINAL = nbs.COURSE_CELLS["rnn_cell_forward"]
_HEAD = "def rnn_cell_forward(xt, a_prev, parameters):\n"
_BODY = _ORIGINAL.split(_HEAD, 1)[1]
_CELLS = {
    "classmethod_in_body": ("class RNN:\n    @classmethod\n"
                            + textwrap.indent("def cell(cls, xt, a_prev, parameters):\n" + _BODY, "    ")
                            + "\n\nrnn_cell_forward = RNN.cell\n"),
    "classmethod_set_after": ("def f9(cls, xt, a_prev, parameters):\n" + _BODY
                              + "\n\nclass RNN:\n    pass\n\n\nRNN.cell = classmethod(f9)\nrnn_cell_forward = RNN.cell\n"),
    "junk_first_argument": ("def f9(junk, xt, a_prev, parameters):\n" + _BODY
                            + "\n\n" + _HEAD + "    return f9(0, xt, a_prev, parameters)\n"),
}


@pytest.mark.parametrize("how", sorted(_CELLS))
def test_a_copy_with_an_unread_leading_parameter_is_flagged(tmp_path, context, sandbox, how):
    path, result, source = graded_copy(tmp_path, how, _CELLS[how], context=context, sandbox=sandbox)
    report = flagged_against_classmate(tmp_path, how, source)
    assert report.pairs[0].overall == 1.0, report.pairs


def test_only_unread_parameters_without_a_default_are_left_out():
    # `a` read: kept (p0); `b` unread, no default: left out; `c` unread, with a default: kept (p1).
    tokens = normalise_function("def f(a, b, c=1):\n    return a\n").tokens
    assert [t for t in tokens if t.startswith("a:")] == ["a:p0", "a:p1"], tokens
    assert normalise_function("def f(cls, a):\n    return a\n") == normalise_function("def f(a):\n    return a\n")
    # Every parameter read (every graded function of a finished notebook): as before.
    assert [t for t in normalise_function(_ORIGINAL).tokens if t.startswith("a:")] == ["a:p0", "a:p1", "a:p2"]
