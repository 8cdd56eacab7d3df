"""A student's code that reaches the child's own runtime (through its caller's frame) and
rewrites the outcomes it reports: what it can and cannot gain.

Everything in the child is the student's to patch, so what the child says about itself is
only as honest as the student: whether the arguments were written into is told by the child,
the only process that sees them after the call, and a patched runtime can hide such a write
into an input that the function does not also return (the rubric's mutation share, 10 % of a
case; in this assignment only the backward functions' upstream gradients are such inputs:
every other input comes back in a cache, where the grader sees the write). Values are
different: the grader judges the value bytes it receives against expected values the child
never sees, so a forged "ok" or a forged status never earns the value checks.
"""
from __future__ import annotations

import pytest

from grader.runner import grade_submission
from tests import notebooks as nbs

# Wraps the runtime's outcome builder, and its check of the arguments, on the first call: every
# outcome claims success and untouched arguments, whatever happened.
PATCH = """\
    import sys as _sys
    _rt = _sys._getframe(1).f_locals.get('self')
    if _rt is not None and not getattr(_rt, '_forged', False):
        _real = _rt.outcome
        def _forged(status, **fields):
            fields.pop('args_after', None)
            fields.update(args_same=True, error_type='', message='', frames=[])
            return _real('ok', **fields)
        _rt.outcome = _forged
        # an answered call's outcome is built in Runtime.call itself: its comparison of the
        # arguments before and after is the runtime's module's to patch as well
        type(_rt).call.__globals__['_same_state'] = lambda *_: True
        _rt._forged = True
"""


def _graded(tmp_path, context, sandbox, old, new, function="rnn_cell_forward"):
    """The part ``function`` of the course notebook whose ``function`` patches the runtime
    and has ``old`` replaced by ``new``."""
    head, body = nbs.COURSE_CELLS[function].split("\n", 1)
    override = {function: (head + "\n" + PATCH + body).replace(old, new, 1)}
    path = nbs.write(tmp_path / "hostile.ipynb", nbs.course_notebook(override))
    return grade_submission(path, context=context, sandbox=sandbox).part(function)


def test_forged_success_does_not_pass_wrong_values(tmp_path, context, sandbox):
    part = _graded(tmp_path, context, sandbox, "np.tanh(", "np.sin(")
    assert part.points == 0, [(c.case_id, c.status, c.points) for c in part.cases]


def test_forged_success_does_not_pass_an_exception(tmp_path, context, sandbox):
    part = _graded(tmp_path, context, sandbox, "    cache = (a_next, a_prev, xt, parameters)",
                   "    raise ValueError('no')\n    cache = (a_next, a_prev, xt, parameters)")
    assert part.points == 0, [(c.case_id, c.status, c.points) for c in part.cases]


def test_a_write_into_an_input_the_cache_returns_is_still_caught(tmp_path, context, sandbox):
    part = _graded(tmp_path, context, sandbox, "    cache = (a_next, a_prev, xt, parameters)",
                   "    xt *= 1.0\n    xt[0, 0] = 99.0\n    cache = (a_next, a_prev, xt, parameters)")
    assert any("changes its input `xt`" in note for note in part.notes), part.notes
    assert part.points < part.max_points


def test_known_limit_a_patched_runtime_hides_a_write_into_an_input_not_returned(tmp_path, context, sandbox):
    """The write into ``da_next`` goes unseen (see the module's docstring): the part scores as
    a correct one, which is all the forgery buys. docs/security.md names this limit."""
    part = _graded(tmp_path, context, sandbox, "    dtanh = (1 - a_next ** 2) * da_next",
                   "    dtanh = (1 - a_next ** 2) * da_next\n    da_next *= 2.0",
                   function="rnn_cell_backward")
    assert not any("changes its input" in note for note in part.notes), part.notes
    assert part.points == part.max_points
    # Without the patch the same write costs the mutation share (2 of the part's 20 points).
    honest = nbs.course_notebook(nbs.mutate("rnn_cell_backward", "    dtanh = (1 - a_next ** 2) * da_next",
                                            "    dtanh = (1 - a_next ** 2) * da_next\n    da_next *= 2.0"))
    path = nbs.write(tmp_path / "honest.ipynb", honest)
    plain = grade_submission(path, context=context, sandbox=sandbox).part("rnn_cell_backward")
    assert any("changes its input `da_next`" in note for note in plain.notes), plain.notes
    assert plain.points == pytest.approx(0.9 * plain.max_points)


def test_a_write_that_leaves_an_input_unsendable_still_costs_the_mutation_share(tmp_path, context, sandbox):
    """An input changed into something that is not plain data (an ``object()`` added to the
    ``parameters`` dict of the cache) cannot travel back for the grader to compare: the child
    says the arguments changed and sends none. That is a change all the same, charged as one
    (it went unpunished before: no arguments back read as no change)."""
    honest = nbs.course_notebook(nbs.mutate("rnn_cell_backward", "    dtanh = (1 - a_next ** 2) * da_next",
                                            "    dtanh = (1 - a_next ** 2) * da_next\n"
                                            "    cache[3]['note'] = object()"))
    path = nbs.write(tmp_path / "unsendable.ipynb", honest)
    part = grade_submission(path, context=context, sandbox=sandbox).part("rnn_cell_backward")
    assert any("changes its inputs in place" in note for note in part.notes), part.notes
    assert part.points == pytest.approx(0.9 * part.max_points)
