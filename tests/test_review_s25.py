"""Session 25 review (correctness and consistency) of the twenty-fourth session's changes.

Each test here failed on the code it was written against (551ee54) and passes with its fix.
"""
from __future__ import annotations

import textwrap
from typing import Callable, TypeVar

import pytest

from grader.similarity import find_similar
from grader.similarity.normalise import normalise_function
from tests import notebooks as nbs
from tests.test_live import course_module  # noqa: F401 - a fixture: rnn_utils importable
from tests.test_review_s24 import WRONG_CELL, _check_and_grade
from tests.test_similarity_helpers import _run

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
    the wrong cell; the program's ``program.defaults_line`` read only a default that is a bare name, so
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


#: Decorators: one that gives the function back (a registry's), one that gives a new function of
#: its own whose default holds the cell too (check() does not read it: not a function of that name).
DECORATORS = {
    "gives it back": ("def register(f):\n    return f\n\n\n@register\n", "passed"),
    "gives another": ("def register(f):\n    def inner(xt, a, parameters, cell=rnn_cell_forward):\n"
                      "        return cell(xt, a, parameters)\n    return inner\n\n\n@register\n", "failed"),
}


@pytest.mark.parametrize("how", sorted(DECORATORS))
def test_check_and_the_grade_agree_on_a_cell_held_by_a_decorated_defs_default(
        tmp_path, course_module, sandbox, how):  # noqa: F811
    """``@register`` on ``def _step(..., cell=rnn_cell_forward)``: check() stands the stub among
    the defaults of the kernel's top-level functions of their own names, decorated or not, and
    isolated the right composite where the decorator gave the function back; the program's
    ``program.defaults_line`` skipped every decorated def, so the grade gave rnn_forward 'failed'. A
    decorator giving a new function is read by neither (the line would have isolated it alone)."""
    decorator, expected = DECORATORS[how]
    forward = (nbs.COURSE_CELLS["rnn_forward"]
               .replace("def rnn_forward(x, a0, parameters):",
                        decorator + "def _step(xt, a, parameters, cell=rnn_cell_forward):\n"
                        "    return cell(xt, a, parameters)\n\n\ndef rnn_forward(x, a0, parameters):")
               .replace("= rnn_cell_forward(", "= _step("))
    assert "= _step(" in forward
    nb = nbs.course_notebook({"rnn_cell_forward": WRONG_CELL, "rnn_forward": forward})
    live, graded, _namespace = _check_and_grade(nb, tmp_path, sandbox)
    assert ("rnn_forward", expected) in live and ("rnn_cell_forward", "failed") in live
    assert graded == live


# --------------------------------------------------------------------------- the batches' lock lost

#: One helper of five dies holding the batches' lock (the first to claim: it makes the marker file
#: named in argv); the other four then wait for the lock for ever at their next claim. Prints how
#: long the report took and whether it is a single process's.
ONE_OF_FIVE_DIES_HOLDING_THE_LOCK = textwrap.dedent('''
    import os, signal, sys, time
    from grader.similarity import detect
    from tests.test_similarity_corpus import TEMPLATE, make_corpus

    if __name__ == "__mp_main__":  # a helper
        real_claim = detect._claim
        def claim(ends, *, front, wait=None):
            try:
                os.close(os.open(sys.argv[1], os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                return real_claim(ends, front=front, wait=wait)
            ends.get_lock().acquire()
            os.kill(os.getpid(), signal.SIGKILL)
        detect._claim = claim

    def main():
        detect._SPAWN_MIN = detect._POOL_MIN = 200  # the corpus of 60: 395 sources, 356 keys, as before the thirty-sixth session
        corpus = make_corpus(seed=4, n_independent=60, copies_per_disguise=1)
        alone = detect.find_similar(corpus.submissions, template=TEMPLATE)
        detect._CLAIM_WAIT = 0.5
        t0 = time.monotonic()
        six = detect.find_similar(corpus.submissions, template=TEMPLATE, workers=6)
        took = time.monotonic() - t0
        same = alone.pairs == six.pairs and alone.clusters == six.clusters and bool(alone.flagged)
        print("same", same, "died", os.path.exists(sys.argv[1]), "took", round(took, 1), flush=True)

    if __name__ == "__main__":
        main()
''')


def test_helpers_left_waiting_for_a_lost_lock_are_waited_for_five_seconds_in_all(tmp_path):
    """4a8f923: a helper killed while it held the batches' lock costs the run ``_CLAIM_WAIT``, then
    this process does the batches. The other helpers wait for that lock for ever, and each was then
    given 5 s to end, one after the other (``proc.join(5)``): with four of them, 20 s more. Now the
    five seconds are shared, so the run ends within them whatever the number of helpers."""
    out = _run(str(tmp_path / "died"), 60, tmp_path, script_text=ONE_OF_FIVE_DIES_HOLDING_THE_LOCK)
    same, died, took = out.split()[1], out.split()[3], float(out.split()[5])
    assert (same, died) == ("True", "True"), out
    # before: about 22 s (four helpers given 5 s each, and the work); about 8 s now, 12.1 s once on
    # a machine shared with four helpers (session 29): 16 s tells the two apart with room for load.
    assert took < 16, out


# --------------------------------------------------------------------------- notes bounded twice

def test_notes_bounded_twice_count_every_note_cut(tmp_path):
    """A class run adds the notes of a student's zips (bounded by ``StudentZips``: 49 and "[... N
    more notes cut ...]") to the result's messages (bounded by the runner) and bounds the whole
    again (``batch._graded``). The second cut counted the first one's marker as one note: 80 zips
    that each say two things and one message said "[... 2 more notes cut ...]" where 112 were."""
    import dataclasses
    import zipfile

    from grader.archive import StudentZips
    from grader.models import SubmissionResult
    from grader.notes import MAX_NOTES, bounded_result

    files = {}
    for i in range(80):  # each holds only a zip, not unpacked: two notes a zip
        path = tmp_path / f"z{i:02d}.zip"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("inner.zip", b"")
        files[path.name] = path
    notes = StudentZips(dest=tmp_path / "out")(files).notes
    assert len(notes) == MAX_NOTES and notes[-1] == "[... 111 more notes cut ...]"  # 49 shown + 111 = 160
    result = SubmissionResult(submission_id="ada", path="ada", status="graded", points=0.0, max_points=1.0,
                              parts=(), messages=("`f` is defined more than once.",))
    both = bounded_result(dataclasses.replace(result, messages=(*result.messages, *notes)))
    shown = both.messages[:-1]
    assert len(both.messages) == MAX_NOTES and len(shown) == 49
    assert both.messages[-1] == f"[... {1 + 160 - len(shown):,} more notes cut ...]"  # 161 notes in all
