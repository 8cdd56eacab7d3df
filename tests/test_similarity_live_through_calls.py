"""A copy that only the call reaching it makes live: thirtieth session.

The twenty-ninth session left three holes, each graded in full with a low score on 10c891c
(through ``find_similar`` against a classmate who wrote the course's code; each test of the
first three groups fails there):

1. a classmate's ``rnn_cell_forward`` in a branch of another graded function, behind a wrapper:
   ``rnn_forward(x, a0, parameters, cell=False)`` holding the copy under ``if cell:`` before its
   own loop, called as ``rnn_forward(xt, a_prev, parameters, True)`` (0.10: the text compared was
   ``rnn_forward`` alone, whose ``cell`` was read as its default, so the copy folded away), or
   the copy under ``if x is not None:`` there or in the graded def itself (0.76);
2. the copy named as a course helper taking one argument (``def sigmoid(z): xt, a_prev,
   parameters = z``) behind a graded function that only hands ``z`` to it: the course's helpers
   are left out of what a wrapper is compared as, so the wrapper's one line was compared (no pair
   listed);
3. a junk parameter without a default on a helper copy, which the wrapper passes a constant
   (``f9(xt, a_prev, parameters, None)`` with ``if junk is not None: xt = junk``: 0.12;
   ``f9(0, xt, ...)`` with ``if junk: by = by * 2``: no pair listed).

Now a function that only delegates is compared with the relays that lead to the work
(``gradedsource._compared_text``), and the normaliser gives a def's parameter the constant every call of
the text passes it, and reads a parameter that only ever receives the course's arguments as not
None (``specialise.specialise_for_calls``), then leaves the relays out.
"""
from __future__ import annotations

import textwrap

import pytest

from grader.similarity.normalise import normalise_function
from tests import notebooks as nbs
from tests.copies import flagged_against_classmate, graded_copy

_ORIGINAL = nbs.COURSE_CELLS["rnn_cell_forward"]
_HEAD = "def rnn_cell_forward(xt, a_prev, parameters):\n"
_BODY = _ORIGINAL.split(_HEAD, 1)[1]
_IN_BRANCH = textwrap.indent(_BODY, "    ")
#: The copy with the names of ``rnn_forward``'s parameters, one level in.
_AS_RNN_FORWARD = textwrap.indent(_BODY.replace("xt", "x").replace("a_prev", "a0"), "    ")
_RNN_HEAD = "def rnn_forward(x, a0, parameters):\n"
_RNN_BODY = nbs.COURSE_CELLS["rnn_forward"].split(_RNN_HEAD, 1)[1]
_WRAPPER = _HEAD + "    return rnn_forward(xt, a_prev, parameters)\n"

#: Hole 1: the copy in a branch, of another graded function or of the graded def itself.
_IN_A_BRANCH = {
    "flag_in_rnn_forward": {
        "rnn_forward": "def rnn_forward(x, a0, parameters, cell=False):\n    if cell:\n" + _AS_RNN_FORWARD + _RNN_BODY,
        "rnn_cell_forward": _HEAD + "    return rnn_forward(xt, a_prev, parameters, True)\n"},
    "not_none_in_rnn_forward": {"rnn_forward": _RNN_HEAD + "    if x is not None:\n" + _AS_RNN_FORWARD,
                                "rnn_cell_forward": _WRAPPER},
    "not_none_in_the_graded_def": {"rnn_cell_forward": _HEAD + "    if xt is not None:\n" + _IN_BRANCH},
    "none_else_in_the_graded_def": {"rnn_cell_forward": _HEAD + "    if parameters is None:\n        a = 1\n"
                                    "        return a\n    else:\n" + _IN_BRANCH},
}
#: Hole 2: the copy under a course helper's name, taking one argument.
_UNPACK = "def sigmoid(z):\n    xt, a_prev, parameters = z\n" + _BODY + "\n\n"
_AS_A_COURSE_HELPER = {
    "sigmoid_of_a_tuple": {"rnn_cell_forward": _UNPACK + _HEAD + "    return sigmoid((xt, a_prev, parameters))\n"},
    "sigmoid_assigned_then_returned": {"rnn_cell_forward": _UNPACK + _HEAD
                                       + "    a, y, c = sigmoid((xt, a_prev, parameters))\n    return a, y, c\n"},
    "sigmoid_of_a_dict": {"rnn_cell_forward": (
        "def sigmoid(z):\n    xt = z['xt']\n    a_prev = z['a_prev']\n    parameters = z['parameters']\n" + _BODY
        + "\n\n" + _HEAD + "    return sigmoid({'xt': xt, 'a_prev': a_prev, 'parameters': parameters})\n")},
}
_BY = 'by = parameters["by"]'
#: Hole 3: a junk parameter without a default, passed a constant by the wrapper.
_JUNK_PASSED = {
    "none_last": {"rnn_cell_forward": "def f9(xt, a_prev, parameters, junk):\n"
                  + _BODY.replace(_BY, _BY + "\n    if junk is not None:\n        xt = junk")
                  + "\n\n" + _HEAD + "    return f9(xt, a_prev, parameters, None)\n"},
    "zero_first": {"rnn_cell_forward": "def f9(junk, xt, a_prev, parameters):\n"
                   + _BODY.replace(_BY, _BY + "\n    if junk:\n        by = by * 2")
                   + "\n\n" + _HEAD + "    return f9(0, xt, a_prev, parameters)\n"},
    "by_keyword_through_a_relay": {"rnn_cell_forward": (
        "def f9(parameters, a_prev, xt, junk):\n" + _BODY.replace(_BY, _BY + "\n    if junk is not None:\n        xt = junk")
        + "\n\n\ndef _relay(a, b, c):\n    return f9(c, b, a, junk=None)\n\n" + _HEAD
        + "    return _relay(xt, a_prev, parameters)\n")},
}


@pytest.mark.parametrize("how", sorted(_IN_A_BRANCH) + sorted(_AS_A_COURSE_HELPER) + sorted(_JUNK_PASSED))
def test_a_copy_only_the_call_makes_live_is_flagged(tmp_path, context, sandbox, how):
    overrides = {**_IN_A_BRANCH, **_AS_A_COURSE_HELPER, **_JUNK_PASSED}[how]
    from grader.models import PASSED
    from grader.runner import grade_submission
    path = nbs.write(tmp_path / f"{how}.ipynb", nbs.course_notebook(overrides))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED  # the copy is what is graded
    report = flagged_against_classmate(tmp_path, how, result.extra["sources"]["rnn_cell_forward"])
    assert report.pairs[0].overall >= 0.9, report.pairs


def test_the_wrapper_is_shown_beside_the_copy(tmp_path, context, sandbox):
    """The compared text holds the relays after the work (the TA reads the call that picks the
    branch); the lines of the work are those of its own text."""
    cell = _JUNK_PASSED["none_last"]["rnn_cell_forward"]
    _path, _result, source = graded_copy(tmp_path, "none_last", cell, context=context, sandbox=sandbox)
    helper = cell.split("\n\n" + _HEAD, 1)[0]
    assert source.startswith(helper)
    assert source.rstrip().endswith(_HEAD + "    return f9(xt, a_prev, parameters, None)")


def _tokens(source: str, **kw) -> tuple[str, ...]:
    return normalise_function(source, **kw).tokens


_F = "def f(x, y, flag):\n    if flag:\n        x = x * 2\n    return x + y\n"
_F_FOLDED = "def f(x, y):\n    return x + y\n"


def test_a_constant_every_call_passes_folds_and_relays_go():
    plain = _tokens(_F_FOLDED)
    assert _tokens(_F + "\n\ndef g(a, b):\n    return f(a, b, False)\n") == plain
    assert _tokens(_F + "\n\ndef g(a, b):\n    return f(a, b, flag=0)\n") == plain
    assert _tokens(_F + "\n\ng = lambda a, b: f(a, b, None)\n") == plain
    # Two relays, each passing the same constant: both go.
    assert _tokens(_F + "\n\ndef g(a, b):\n    return f(a, b, False)\n\ndef h(a, b):\n    return f(b, a, False)\n") \
        == plain


def test_what_is_not_specialised_stays():
    """A parameter passed two values, a def passed as a value or bound again (an assignment, an
    import), one called with ``*args``, a parameter
    the def assigns, and a None test on a value that may be None keep their branches; a text of
    relays alone is compared as it is."""
    plain = _tokens(_F_FOLDED)
    kept = [
        _F + "\n\ndef g(a, b):\n    return f(a, b, False)\n\ndef h(a, b):\n    return f(a, b, True)\n",
        _F + "\n\ndef g(a, b):\n    return f(a, b, False)\n\nh = f\n",
        _F + "\n\ndef g(a, b):\n    return f(a, b, False)\n\nf = max\n",
        _F + "\n\ndef g(a, b):\n    return f(a, b, False)\n\nfrom m import k as f\n",
        _F + "\n\ndef g(a, b):\n    return list(map(f, [a], [b], [False]))\n",
        _F + "\n\ndef g(*a):\n    return f(*a, False)\n",
        _F.replace("    if flag:", "    flag = x\n    if flag:") + "\n\ndef g(a, b):\n    return f(a, b, False)\n",
    ]
    for source in kept:
        assert _tokens(source) != plain, source
    maybe_none = ("def f(x, y):\n    if x is None:\n        x = y\n    return x + y\n\n"
                  "def g(a, b):\n    c = a.get('k')\n    return f(c, b)\n")
    assert _tokens(maybe_none) != _tokens(
        "def f(x, y):\n    return x + y\n\ndef g(a, b):\n    c = a.get('k')\n    return f(c, b)\n")
    relay = "def rnn_cell_forward(xt, a_prev, parameters):\n    return softmax(xt)\n"
    assert _tokens(relay) == _tokens(relay + "\n")  # nothing else in the text: kept
    assert len(_tokens(relay)) > 5


def test_a_course_argument_is_not_none():
    """In a graded def (named in ``_COURSE_ARITY``, compared by position) the course's arguments are
    never None; a parameter after them, or a def not graded, is left alone."""
    body = "    a = xt + a_prev\n    return a, parameters\n"
    plain = _tokens(_HEAD + body)
    assert _tokens(_HEAD + "    if xt is not None:\n" + textwrap.indent(body, "    ")) == plain
    assert _tokens(_HEAD + "    a = xt + a_prev\n    if None is a_prev:\n        a = 0\n    return a, parameters\n") \
        == plain
    other = "def f9(xt, a_prev, parameters):\n"
    assert _tokens(other + "    if xt is not None:\n" + textwrap.indent(body, "    ")) != _tokens(other + body)


def test_a_long_chain_of_relays_costs_little():
    """Never-None parameters are followed eight relays deep: a chain of 3,000 relays written last
    to first (100 kB) took 5 s of CPU to reach its fixed point."""
    import time
    parts = ["def g0(x):\n    if x is None:\n        return 1\n    return x * 2\n"]
    parts += [f"def g{i}(x):\n    return g{i - 1}(x)\n" for i in range(1, 3000)]
    parts.append("def rnn_cell_forward(xt, a_prev, parameters):\n    return g2999(xt)\n")
    start = time.process_time()
    normalise_function("\n".join(parts))
    assert time.process_time() - start < 1.5
    # Within the bound the test folds: two relays deep.
    near = parts[:3] + ["def rnn_cell_forward(xt, a_prev, parameters):\n    return g2(xt)\n"]
    assert _tokens("\n".join(near)) == _tokens("def g0(x):\n    return x * 2\n")
