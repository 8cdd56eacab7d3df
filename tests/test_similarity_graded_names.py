"""A copy defined under another graded function's name: twenty-ninth session.

The twenty-seventh session left open a def named as a graded function that is something else:
a classmate's ``rnn_cell_forward`` copied as ``def lstm_cell_forward(...)`` (or as a provided
one, ``sigmoid``) behind ``def rnn_cell_forward(xt, a_prev, parameters): return
lstm_cell_forward(...)``. The check compared the one-line wrapper (``gradedsource._helpers_of`` skips
the graded functions), and the copy only in the slot of the function it is named as, numbered by
position: 0.00-0.14 on 2e33195, no pair listed (each case here fails there). Now a function that
only delegates, directly or through relays that only delegate, is compared as the graded functions
that do the work (``runner._working_text``), and in a text compared for ``rnn_cell_forward`` a def
named as another kept function is numbered by use (``normalise_function(compared_for=)``).
"""
from __future__ import annotations

import pytest

from grader.similaritystage import function_sources
from grader.models import PASSED
from grader.runner import grade_submission
from grader.similarity import find_similar
from tests import notebooks as nbs

_ORIGINAL = nbs.COURSE_CELLS["rnn_cell_forward"]
_HEAD = "def rnn_cell_forward(xt, a_prev, parameters):\n"
_BODY = _ORIGINAL.split(_HEAD, 1)[1]


def _as(header: str, call: str) -> dict[str, str]:
    """The copy under ``header`` in the cell of ``lstm_cell_forward``, and a graded
    ``rnn_cell_forward`` that returns ``call``."""
    return {"lstm_cell_forward": f"{header}\n{_BODY}", "rnn_cell_forward": f"{_HEAD}    return {call}\n"}


_CASES = {
    "named_lstm": _as("def lstm_cell_forward(xt, a_prev, parameters):", "lstm_cell_forward(xt, a_prev, parameters)"),
    "named_lstm_swapped": _as("def lstm_cell_forward(parameters, a_prev, xt):",
                              "lstm_cell_forward(parameters, a_prev, xt)"),
    "through_a_relay": {"lstm_cell_forward": "def lstm_cell_forward(parameters, a_prev, xt):\n" + _BODY,
                        "rnn_cell_forward": ("def _relay(a, b, c):\n    return lstm_cell_forward(c, b, a)\n\n"
                                             + _HEAD + "    return _relay(xt, a_prev, parameters)\n")},
    "behind_a_lambda": {"lstm_cell_forward": "def lstm_cell_forward(parameters, a_prev, xt):\n" + _BODY,
                        "rnn_cell_forward": ("rnn_cell_forward = lambda xt, a_prev, parameters: "
                                             "lstm_cell_forward(parameters, a_prev, xt)\n")},
    "named_sigmoid_swapped": {"rnn_cell_forward": "def sigmoid(parameters, a_prev, xt):\n" + _BODY
                              + f"\n\n{_HEAD}    return sigmoid(parameters, a_prev, xt)\n"},
}


@pytest.mark.parametrize("how", sorted(_CASES))
def test_a_copy_named_as_another_graded_function_is_flagged(tmp_path, context, sandbox, how):
    path = nbs.write(tmp_path / f"{how}.ipynb", nbs.course_notebook(_CASES[how]))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED  # the copy is what is graded
    source = result.extra["sources"]["rnn_cell_forward"]
    classmate = nbs.write(tmp_path / "classmate.ipynb", nbs.course_notebook())
    report = find_similar({how: {"rnn_cell_forward": source},
                           "classmate": function_sources(classmate, names=["rnn_cell_forward"])})
    assert [(p.a, p.b, p.flagged) for p in report.pairs] == [(how, "classmate", True)], report.pairs
    assert report.pairs[0].overall >= 0.9, report.pairs


@pytest.mark.parametrize("function", ["rnn_forward", "lstm_forward", "rnn_backward"])
def test_a_function_asked_for_alone_is_the_text_a_class_run_compares(tmp_path, context, sandbox, function):
    # ``function_sources(names=[f])`` took the other graded functions for helpers of ``f``: the
    # course's ``rnn_forward`` asked alone held ``rnn_cell_forward`` too, and scored 0.56 against
    # the same notebook as a class run compares it (``lstm_forward`` 0.35, ``rnn_backward`` 0.49;
    # not flagged). A caller asking for one function (a test, an earlier year's solution) compares
    # what the grader stored.
    path = nbs.write(tmp_path / "course.ipynb", nbs.course_notebook())
    stored = grade_submission(path, context=context, sandbox=sandbox).extra["sources"][function]
    alone = function_sources(path, names=[function])[function]
    assert alone == stored == function_sources(path)[function]
    # Given the rubric's set, a function outside it is a helper again, as the runner reads it.
    graded_alone = function_sources(path, names=[function], graded=[function])[function]
    assert graded_alone != stored and graded_alone.endswith(stored.split("\n", 1)[1])
    report = find_similar({"asked": {function: alone}, "graded": {function: stored}})
    assert [(p.flagged, p.overall) for p in report.pairs] == [(True, 1.0)], report.pairs


def test_a_function_asked_for_without_the_default_rubric_is_compared_as_before(tmp_path, monkeypatch):
    # The default set of graded functions comes from the default rubric; where it cannot be read
    # (a copy of the grader without ``rubrics/``), the functions asked for are the graded ones, as
    # before the thirty-fourth session, instead of a RubricError.
    from grader import similaritystage

    path = nbs.write(tmp_path / "course.ipynb", nbs.course_notebook())
    monkeypatch.setattr(similaritystage, "DEFAULT_RUBRIC", tmp_path / "missing.yaml")
    similaritystage._default_graded.cache_clear()
    try:
        alone = function_sources(path, names=["rnn_forward"])["rnn_forward"]
        every = function_sources(path)["rnn_forward"]
    finally:
        similaritystage._default_graded.cache_clear()
    assert alone == function_sources(path, names=["rnn_forward"], graded=["rnn_forward"])["rnn_forward"]
    assert every == function_sources(path, graded=list(nbs.COURSE_CELLS))["rnn_forward"] != alone


@pytest.mark.parametrize("text", [
    "def f(x):\n    return x\n", "async def g():\n    pass\n", "xdef f(x): 0\nundef  g(y): 0\n_def h(): 0\n",
    "\u00e9def i(): 0\n\u0663def j(): 0\n\u00b2def k(): 0\n", "def def g(x): 0\n", "xdef def g(): 0\n",
    "defdef def\u2028h(): 0\n", "default = 1\ndef\tlstm_cell_forward(a): 0\n  def  sigmoid(z): 0\n", ""])
def test_the_def_names_a_source_is_compared_by_are_those_of_the_word_boundary_pattern(text):
    """``detect._def_names`` (thirty-fifth session: 4 us a function where ``re.findall`` of the
    ``\\b`` pattern took 35, 50-80 ms of a class of 400's check) finds exactly its names: a
    ``def`` ending a longer word (``\\w`` as ``re`` reads it: letters and digits of any script,
    ``_``) is no def, a name that is itself ``def`` is taken and hides the next."""
    import re

    from grader.similarity.detect import _def_names

    assert _def_names(text) == re.findall(r"\bdef\s+(\w+)", text)
