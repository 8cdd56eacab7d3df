"""Leading guards the twenty-eighth session's rule missed: twenty-ninth session.

``_drop_leading_guards`` (7861b62) took ``if <test>: return <name or constant>`` or ``raise``
without an ``else``. A junk parameter read in a guard written otherwise stayed read: an ``else``
holding the rest of the copy, two guards joined by ``elif``, an ``assert``, a guard returning a
tuple (``return junk, junk, junk``), a ``try`` whose handler returns or raises it (before the copy
or around it), or the ``else`` form in a permuted helper behind a wrapper; and a junk parameter with a default,
which the grader never passes, used in a live branch (``if junk is not None: xt = junk``, 0.38).
Graded in full, each scored 0.05-0.79 against its original on 2e33195 (through ``find_similar``),
no pair listed. Each test below fails there.
"""
from __future__ import annotations

import textwrap

import pytest

from grader.similaritystage import function_sources
from grader.models import PASSED
from grader.runner import grade_submission
from grader.similarity import find_similar
from grader.similarity.normalise import normalise_function
from tests import notebooks as nbs

_ORIGINAL = nbs.COURSE_CELLS["rnn_cell_forward"]
_HEAD = "def rnn_cell_forward(xt, a_prev, parameters):\n"
_BODY = _ORIGINAL.split(_HEAD, 1)[1]
_IN_ELSE = textwrap.indent(_BODY, "    ")
_JUNK_HEAD = "def rnn_cell_forward(xt, a_prev, parameters, junk=None):\n"

_CASES = {
    "else_holds_the_rest": _JUNK_HEAD + "    if xt is None:\n        return junk\n    else:\n" + _IN_ELSE,
    "two_guards_by_elif": (_JUNK_HEAD + "    if xt is None:\n        return junk\n    elif a_prev is None:\n"
                           "        raise ValueError(junk)\n" + _BODY),
    "elif_then_else": (_JUNK_HEAD + "    if xt is None:\n        return junk\n    elif a_prev is None:\n"
                       "        return junk\n    else:\n" + _IN_ELSE),
    "assert": _JUNK_HEAD + "    assert xt is not None, junk\n" + _BODY,
    "returns_a_tuple": _JUNK_HEAD + "    if xt is None:\n        return junk, junk, junk\n" + _BODY,
    "try_whose_handler_returns_it": (_JUNK_HEAD + "    try:\n        xt.shape\n    except AttributeError:\n"
                                     "        return junk\n" + _BODY),
    "copy_in_a_try": _JUNK_HEAD + "    try:\n" + _IN_ELSE + "    except Exception:\n        raise ValueError(junk)\n",
    "junk_with_a_default_used_in_a_live_branch": _JUNK_HEAD + "    if junk is not None:\n        xt = junk\n" + _BODY,
    "else_in_a_permuted_helper": ("def f9(parameters, junk, a_prev, xt):\n    if xt is None:\n        return junk\n"
                                  "    else:\n" + _IN_ELSE + f"\n\n{_HEAD}    return f9(parameters, 0, a_prev, xt)\n"),
}


@pytest.mark.parametrize("how", sorted(_CASES))
def test_a_copy_behind_a_guard_written_otherwise_is_flagged(tmp_path, context, sandbox, how):
    path = nbs.write(tmp_path / f"{how}.ipynb", nbs.course_notebook({"rnn_cell_forward": _CASES[how]}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED  # the copy is what is graded
    classmate = nbs.write(tmp_path / "classmate.ipynb", nbs.course_notebook())
    report = find_similar({how: {"rnn_cell_forward": result.extra["sources"]["rnn_cell_forward"]},
                           "classmate": function_sources(classmate, names=["rnn_cell_forward"])})
    assert [(p.a, p.b, p.flagged) for p in report.pairs] == [(how, "classmate", True)], report.pairs
    assert report.pairs[0].overall >= 0.9, report.pairs


def test_what_is_not_a_guard_stays():
    """A guard after work, one whose return computes, and a guard with an else whose body
    does not leave the def are work; a body that is only a guard stays."""
    def tokens(source: str) -> tuple[str, ...]:
        return normalise_function(source).tokens
    plain = "def f(x, y):\n    z = x + y\n    return z\n"
    assert tokens("def f(x, y):\n    if x is None:\n        return y\n    else:\n        z = x + y\n"
                  "        return z\n") == tokens(plain)
    assert tokens("def f(x, y):\n    assert x is not None, y\n    z = x + y\n    return z\n") == tokens(plain)
    assert tokens("def f(x, y):\n    if x is None:\n        return y * 2\n    else:\n        z = x + y\n"
                  "        return z\n") != tokens(plain)
    assert tokens("def f(x, y):\n    if x is None:\n        y = 0\n    else:\n        z = x + y\n"
                  "        return z\n    return y\n") != tokens(plain)
    assert tokens("def f(x, y):\n    if x is None:\n        return (y, y + 1)\n    z = x + y\n    return z\n") \
        != tokens(plain)
    assert tokens("def f(x):\n    assert x\n") != tokens("def f(x):\n    pass\n")  # a body of one assert stays
    assert tokens("def f(x, y):\n    z = x + y\n    if z is None:\n        y = 1\n        raise ValueError(y)\n"
                  "    return z\n") != tokens(plain)
    assert tokens("def f(x, y):\n    z = x + y\n    if z is None:\n        raise ValueError(y)\n"
                  "    return z\n") == tokens(plain)
    assert tokens("def f(x, y):\n    try:\n        z = x + y\n    except TypeError:\n        return y\n"
                  "    return z\n") == tokens(plain)
    assert tokens("def f(x, y):\n    try:\n        z = x + y\n    except TypeError:\n        z = y\n"
                  "    return z\n") != tokens(plain)  # a handler that does work
    assert tokens("def f(x, y):\n    try:\n        z = x + y\n    finally:\n        g()\n"
                  "    return z\n") != tokens(plain)


def test_only_what_the_grader_never_passes_holds_its_default():
    """A graded def's parameter after the course's arguments with a constant default holds it; one
    the grader passes (a course parameter given a default), one assigned in the def, or a def not
    named as a graded function, keeps its reads."""
    def tokens(source: str) -> tuple[str, ...]:
        return normalise_function(source).tokens
    body = "    z = parameters['Wax'] @ xt + a_prev\n    return z\n"
    plain = tokens(_HEAD + body)
    extra = "def rnn_cell_forward(xt, a_prev, parameters, junk=None):\n"
    assert tokens(extra + "    if junk is not None:\n        xt = junk\n" + body) != plain  # its header has junk=None
    assert tokens(extra + "    if junk is not None:\n        xt = junk\n" + body) == tokens(extra + body)
    passed = tokens("def rnn_cell_forward(xt, a_prev, parameters=None):\n"
                    "    p = parameters if parameters is not None else {}\n" + body.replace("parameters[", "p["))
    # The grader passes parameters: its default is not read, and since the thirty-sixth session the
    # conditional value, its test decided (``specialise``), is the branch that reads it.
    assert passed == tokens("def rnn_cell_forward(xt, a_prev, parameters=None):\n" + body)
    assert passed != tokens("def rnn_cell_forward(xt, a_prev, parameters=None):\n    p = {}\n"
                            + body.replace("parameters[", "p["))
    assert tokens(extra + "    junk = junk or 1\n    if junk is not None:\n        xt = junk\n" + body) \
        != tokens(extra + "    junk = junk or 1\n" + body)
    other = "def f9(xt, a_prev, parameters, junk=None):\n"
    assert tokens(other + "    if junk is not None:\n        xt = junk\n" + body) != tokens(other + body)


@pytest.mark.parametrize("where", ["after_a_line", "in_the_loop", "raise_after_a_line"])
def test_an_assert_after_work_goes_too(tmp_path, context, sandbox, where):
    # Thirty-fourth session: a copy checking its work with asserts between the original's lines
    # scored 0.67 (``rnn_cell_forward``) and 0.74 (``rnn_forward``, in its loop) against the
    # original on 8b0dcf8, ``if a_next is None: raise ...`` 0.72, not flagged; a block of asserts
    # alone stays (above), and an ``if`` that raises or does something else.
    from tests.copies import flagged_against_classmate, graded_copy

    function, old, new = {
        "after_a_line": ("rnn_cell_forward", "    yt_pred = ",
                         "    assert a_next.shape == a_prev.shape, 'shape'\n    yt_pred = "),
        "raise_after_a_line": ("rnn_cell_forward", "    yt_pred = ",
                               "    if a_next is None:\n        raise ValueError('no state')\n    yt_pred = "),
        "in_the_loop": ("rnn_forward", "        a[:, :, t] = a_next\n",
                        "        assert a_next.shape == (n_a, m)\n        a[:, :, t] = a_next\n"
                        "        assert not np.isnan(yt_pred).any()\n"),
    }[where]
    cell = nbs.COURSE_CELLS[function]
    assert old in cell
    _path, _result, text = graded_copy(tmp_path, where, cell.replace(old, new, 1), context=context,
                                       sandbox=sandbox, function=function)
    assert flagged_against_classmate(tmp_path, where, text, function=function).pairs[0].overall == 1.0
