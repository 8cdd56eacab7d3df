"""Session 25 review (correctness and consistency) of the twenty-fourth session's changes.

Each test here failed on the code it was written against (551ee54) and passes with its fix.
"""
from __future__ import annotations

from typing import Callable, TypeVar

from grader.similarity import find_similar
from grader.similarity.normalise import normalise_function
from tests import notebooks as nbs
from tests.test_live import course_module  # noqa: F401 - a fixture: rnn_utils importable
from tests.test_review_s24 import WRONG_CELL, _check_and_grade

T = TypeVar("T")


def _called_deeper(frames: int, call: Callable[[], T]) -> T:
    """``call()`` made ``frames`` Python frames below this one (a helper process, a class run and a
    test each call the normaliser at a depth of their own)."""
    return _called_deeper(frames - 1, call) if frames else call()


def _chain(operands: int, a: str = "xt", b: str = "h", dead: bool = False) -> str:
    """A function returning a sum of ``operands`` names: a tree as deep as it is long, which the
    normaliser's recursive passes walk one level (a few frames) at a time."""
    extra = "    unused = [%s for i in range(3)]\n" % " * ".join(str(i) for i in range(200)) if dead else ""
    return ("def rnn_cell_forward(%s, %s):\n%s    return " % (a, b, extra)) + " + ".join([a, b] * (operands // 2)) + "\n"


def test_a_deep_expression_is_normalised_the_same_at_any_caller_depth():
    """``normalise_function`` falls back to plain tokens when a tree is too deep for its recursive
    passes (RecursionError), and that depth was counted from the caller's own: a sum of about
    480 terms was parsed and normalised when called from a shallow stack and fell back when called
    80 frames deeper. The similarity helpers (spawned processes) and the grading process call it
    at different depths, so the same source could come out two ways in one class."""
    for operands in range(300, 720, 8):
        source = _chain(operands)
        shallow = _called_deeper(0, lambda: normalise_function(source))
        deep = _called_deeper(80, lambda: normalise_function(source))
        assert (deep.parsed, deep.tokens, deep.lines) == (shallow.parsed, shallow.tokens, shallow.lines), operands


def test_find_similar_scores_a_deep_pair_the_same_at_any_caller_depth():
    """The pair the depth decides: the second student's copy has a long dead statement, which the
    normaliser drops and the fallback keeps. Parsed, the two are identical (1.0, flagged); fallen
    back, they share almost nothing (0.006). Before the fix the report depended on the caller's
    depth (and so on which process normalised the source and on the class store's earlier run)."""
    for operands in range(400, 600, 16):
        subs = {"s1": {"rnn_cell_forward": _chain(operands)},
                "s2": {"rnn_cell_forward": _chain(operands, "p", "q", dead=True)}}
        reports = [_called_deeper(frames, lambda: find_similar(subs, min_shared=1)) for frames in (0, 80)]
        shallow, deep = ([(p.a, p.b, p.overall, p.flagged) for p in r.pairs] for r in reports)
        assert deep == shallow, operands


# --------------------------------------------------------------------------- check() against the grade

def test_check_and_the_grade_agree_on_a_cell_held_by_a_default_that_is_not_a_bare_name(
        tmp_path, course_module, sandbox):  # noqa: F811
    """``def _step(..., cell=rnn_cell_forward if True else None)``: check() finds the cell among
    the defaults by identity (``live._stand_in_defaults``) and isolates the right composite from
    the wrong cell; the program's ``_defaults_line`` read only a default that is a bare name, so
    the grade gave rnn_forward 'failed' where check() said 'passed'."""
    forward = (nbs.COURSE_CELLS["rnn_forward"]
               .replace("def rnn_forward(x, a0, parameters):",
                        "def _step(xt, a, parameters, cell=rnn_cell_forward if True else None):\n"
                        "    return cell(xt, a, parameters)\n\n\ndef rnn_forward(x, a0, parameters):")
               .replace("= rnn_cell_forward(", "= _step("))
    assert "= _step(" in forward
    nb = nbs.course_notebook({"rnn_cell_forward": WRONG_CELL, "rnn_forward": forward})
    live, graded, _namespace = _check_and_grade(nb, tmp_path, sandbox)
    assert ("rnn_forward", "passed") in live and ("rnn_cell_forward", "failed") in live
    assert graded == live
