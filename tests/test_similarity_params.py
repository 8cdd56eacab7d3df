"""A copy's parameters taken another way than the original's: twenty-seventh session.

The twenty-sixth review left three holes open, each graded in full with no pair listed on 8444382:
a leading parameter read once (``by = parameters["by"] + 0 * junk``, or ``0 * len(cls.__name__)``
in a class method) shifted every other parameter's number; a copy whose parameters a wrapper
passes in another order (``def f9(parameters, a_prev, xt)``) scored 0.14; a copy taking
``*args`` and unpacking them scored 0.08. Each test of the first group failed on 8444382; the
variants after them (renamed and reordered at once, keyword-only, defaults, ``**kwargs``, indexed
``*args``, a lambda wrapper, a constant-false branch) scored 0.04-0.14 there.
"""
from __future__ import annotations

import textwrap

import pytest

from grader.similarity import find_similar
from grader.similarity.normalise import normalise_function
from tests import notebooks as nbs
from tests.copies import flagged_against_classmate, graded_copy

_ORIGINAL = nbs.COURSE_CELLS["rnn_cell_forward"]
_HEAD = "def rnn_cell_forward(xt, a_prev, parameters):\n"
_BODY = _ORIGINAL.split(_HEAD, 1)[1]
_BY = 'by = parameters["by"]'
#: The body with its parameters renamed.
_RENAMED = _BODY.replace("xt", "q1").replace("a_prev", "q2").replace("parameters", "q3")


def _wrapped(header: str, body: str, call: str) -> str:
    """A copy as a helper behind a graded function that only delegates to it."""
    return f"{header}\n{body}\n\n{_HEAD}    return {call}\n"


#: The review's three holes.
_HOLES = {
    "junk_read_once": _wrapped("def f9(junk, xt, a_prev, parameters):", _BODY.replace(_BY, _BY + " + 0 * junk"),
                               "f9(0, xt, a_prev, parameters)"),
    "cls_read_once": ("class RNN:\n    @classmethod\n"
                      + textwrap.indent("def cell(cls, xt, a_prev, parameters):\n"
                                        + _BODY.replace(_BY, _BY + " + 0 * len(cls.__name__)"), "    ")
                      + "\n\nrnn_cell_forward = RNN.cell\n"),
    "permuted": _wrapped("def f9(parameters, a_prev, xt):", _BODY, "f9(parameters, a_prev, xt)"),
    "star_args": "def rnn_cell_forward(*args):\n    xt, a_prev, parameters = args\n" + _BODY,
}
#: Variants of the same family.
_VARIANTS = {
    "renamed_and_permuted": _wrapped("def f9(q3, q2, q1):", _RENAMED, "f9(parameters, a_prev, xt)"),
    "renamed_permuted_junk": _wrapped("def f9(q3, junk, q2, q1):",
                                      _RENAMED.replace('by = q3["by"]', 'by = q3["by"] - junk * 0.0'),
                                      "f9(parameters, 1, a_prev, xt)"),
    "keyword_only": _wrapped("def f9(*, parameters, a_prev, xt):", _BODY,
                             "f9(parameters=parameters, a_prev=a_prev, xt=xt)"),
    "kwargs": _wrapped("def f9(**kw):\n    xt = kw['xt']\n    a_prev = kw.get('a_prev')\n"
                       "    parameters = kw['parameters']", _BODY, "f9(xt=xt, a_prev=a_prev, parameters=parameters)"),
    "args_indexed_out_of_order": ("def rnn_cell_forward(*args):\n"
                                  "    parameters, a_prev, xt = args[2], args[1], args[0]\n" + _BODY),
    "args_behind_a_wrapper": _wrapped("def f9(*args):\n    parameters, a_prev, xt = args", _BODY,
                                      "f9(parameters, a_prev, xt)"),
    "lambda_wrapper": ("def f9(parameters, a_prev, xt):\n" + _BODY
                       + "\n\nrnn_cell_forward = lambda xt, a_prev, parameters: f9(parameters, a_prev, xt)\n"),
    "read_in_a_constant_false_branch": _wrapped("def f9(junk, xt, a_prev, parameters):\n    if 1 > 2:\n"
                                                "        return junk", _BODY, "f9(0, xt, a_prev, parameters)"),
}


@pytest.mark.parametrize("how", sorted(_HOLES) + sorted(_VARIANTS))
def test_a_copy_with_its_parameters_taken_otherwise_is_flagged(tmp_path, context, sandbox, how):
    cell = {**_HOLES, **_VARIANTS}[how]
    path, result, source = graded_copy(tmp_path, how, cell, context=context, sandbox=sandbox)
    report = flagged_against_classmate(tmp_path, how, source)
    assert report.pairs[0].overall == 1.0, report.pairs


@pytest.mark.parametrize("header", ["def f9(parameters=None, a_prev=None, xt=None):",
                                    "def f9(junk=0, xt=None, a_prev=None, parameters=None):",
                                    "def f9(xt, a_prev, parameters, junk=0):"])
def test_defaults_do_not_hide_a_permuted_copy(header):
    # Defaults add their constants to the header, nothing else: flagged, by the larger side. A
    # parameter never read (with a default, so not left out) is numbered after the others: first
    # in the header it scored 0.05 on 8444382; last it scored 0.90 there, and 0.14 when it kept
    # the others from the order of the cache that holds them.
    report = find_similar({"copy": {"rnn_cell_forward": f"{header}\n{_BODY}"},
                           "original": {"rnn_cell_forward": _ORIGINAL}})
    assert [(p.flagged, p.overall >= 0.85) for p in report.pairs] == [(True, True)], report.pairs


def test_a_graded_function_keeps_its_parameters_in_place():
    # The grader calls a graded function by position, so its header is the course's: two
    # students who put the product's factors the other way round are told apart, as before.
    assert (normalise_function("def rnn_forward(W, x):\n    return W @ x\n")
            != normalise_function("def rnn_forward(W, x):\n    return x @ W\n"))
    # Any other def's parameters are numbered by their uses: in another order, the same def.
    assert (normalise_function("def f(W, x):\n    return W @ x, W.shape\n")
            == normalise_function("def f(x, W):\n    return W @ x, W.shape\n"))
    assert (normalise_function("def f(W, x):\n    return W @ x, W.shape\n")
            != normalise_function("def f(W, x):\n    return x @ W, W.shape\n"))


def test_a_product_by_zero_and_a_zero_term_go():
    # ``0 * junk`` is 0 and ``+ 0`` nothing: the junk parameter is then unread, and left out.
    assert (normalise_function("def f(a, junk):\n    return a + 0 * junk\n")
            == normalise_function("def f(a):\n    return a\n"))
    assert (normalise_function("def f(a, junk):\n    return a - junk * 0.0\n")
            == normalise_function("def f(a):\n    return a\n"))
    # A product by another constant, or a term that is not zero, stays.
    assert normalise_function("def f(a):\n    return a + 2 * a\n") != normalise_function("def f(a):\n    return a\n")
    assert normalise_function("def f(a):\n    return a - 0 - a\n") == normalise_function("def f(a):\n    return a - a\n")


def test_star_args_are_parameters_only_when_read_only_so():
    unpacked = normalise_function("def f(*args):\n    x, y = args\n    return x - y\n")
    assert unpacked.tokens == normalise_function("def f(x, y):\n    return x - y\n").tokens
    # ``args`` also read otherwise: kept as it is.
    also_counted = normalise_function("def f(*args):\n    x, y = args\n    return x - y, len(args)\n")
    assert "Assign" in also_counted.tokens and "Assign" not in unpacked.tokens


def test_a_use_s_context_is_bounded():
    from grader.similarity.normalise import _parse
    from grader.similarity.spellings import _BRIEF_CHARS, _parameter_contexts

    # 5,000 parameters in one call beside a 50,000-character string and a 100,000-character
    # attribute: each context is cut, so the work stays linear in the text.
    names = ", ".join(f"a{i}" for i in range(5000))
    source = f"def f({names}):\n    return g({names}, x.{'A' * 100_000}, '{'s' * 50_000}')\n"
    tree = _parse(source)
    params = {f"a{i}" for i in range(5000)}
    contexts, _tuples = _parameter_contexts(tree, params, params)
    assert len(contexts) == 5000
    assert max(len(c) for found in contexts.values() for c in found) <= _BRIEF_CHARS + 16
