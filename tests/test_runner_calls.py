"""How the engine talks to the sandbox: few messages, same verdicts.

A composite part whose dependencies passed every case is called once with the
student's own dependencies; only when that call is not fully right is it graded
in isolation, with the reference trace answering each step.
"""
from __future__ import annotations

import numpy as np
import pytest

from grader.models import FAILED, PASSED, TIMEOUT
from grader.runner import grade_submission
from grader.sandbox import Limits, Sandbox
from tests import notebooks as nbs


class Spy:
    """A sandbox whose sessions record every call's function and stubs."""

    def __init__(self, box: Sandbox) -> None:
        self.box = box
        self.calls: list[tuple[str, tuple[str, ...], bool]] = []
        self.batches: list[int] = []  # sizes of the pipelined runs of calls (call_many)

    def session(self, program: str, **kw):
        session = self.box.session(program, **kw)
        spy = self

        class Recorded:
            deferred_aliases = session.deferred_aliases
            load = session.load

            def call(self, function, args, *, stubs={}, **options):
                spy.calls.append((function, tuple(sorted(stubs)), options.get("aliases", True)))
                return session.call(function, args, stubs=stubs, **options)

            def call_many(self, calls, **options):
                for function, _args, _timeout in calls:
                    spy.calls.append((function, (), options.get("aliases", True)))
                spy.batches.append(len(calls))
                return session.call_many(calls, **options)

            def decode_value(self, outcome):
                return session.decode_value(outcome)

            def aliases(self, of=None):
                return session.aliases(of)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                session.close()

        return Recorded()


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(limits=Limits(call_timeout=2.0)) as box:
        yield box


def test_correct_composites_need_no_stub_round_trips(tmp_path, context, sandbox):
    spy = Spy(sandbox)
    path = nbs.write(tmp_path / "ok.ipynb", nbs.course_notebook())
    result = grade_submission(path, context=context, sandbox=spy)
    assert all(p.status == PASSED for p in result.parts if p.name != "imdb_report")
    assert spy.calls and not [c for c in spy.calls if c[1]], "a stubbed call was made"
    assert len(spy.calls) == sum(len(p.cases) for p in context.rubric.parts)
    assert not [c for c in spy.calls if c[2]], "alias pairs were asked for passing cases"
    # every part's cases of a phase (public, then hidden: runner._grade_parts) went to the child
    # together, not one message per part or per case
    public = sum(c.visibility != "hidden" for p in context.rubric.parts for c in p.cases)
    assert spy.batches == [public, len(spy.calls) - public]


def test_a_wrong_cell_keeps_its_composite_graded_in_isolation(tmp_path, context, sandbox):
    spy = Spy(sandbox)
    nb = nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")"))
    result = grade_submission(nbs.write(tmp_path / "cell.ipynb", nb), context=context, sandbox=spy)
    assert result.part("rnn_cell_forward").status == FAILED
    assert result.part("rnn_forward").status == PASSED  # one mistake costs once
    calls = [c for c in spy.calls if c[0] == "rnn_forward"]
    # its public case's trial went to the child with the phase's other first calls, before the
    # cell was judged (runner._send_ahead); it was dropped, and every case graded in isolation
    n = len(result.part("rnn_forward").cases)
    assert [c[1] for c in calls] == [()] + [("rnn_cell_forward",)] * n


class OneByOne:
    """A sandbox whose sessions have no ``call_many``: every call is made on its own, in the
    order and with the stubs the runner decides after each verdict."""

    def __init__(self, box: Sandbox) -> None:
        self.box = box

    def session(self, program: str, **kw):
        session = self.box.session(program, **kw)

        class Plain:
            deferred_aliases = session.deferred_aliases
            load = session.load
            call, decode_value, aliases = session.call, session.decode_value, session.aliases

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                session.close()

        return Plain()


def _verdicts(result) -> list:
    """What a student reads of each case (not its time)."""
    return [(c.case_id, c.status, c.points, c.message, tuple(ch.message for ch in c.checks), c.diagnosis,
             c.output) for p in result.parts for c in p.cases] + [p.notes for p in result.parts]


@pytest.mark.parametrize("mutation", [
    ("rnn_cell_forward", "+ ba)", ")"),                      # a wrong cell: its composite's trial dropped
    ("lstm_cell_forward", "np.dot(Wf, concat)", "np.dot(Wf, xt)"),  # a cell that raises
    ("rnn_backward", "da[:, :, t] + da_prevt", "da[:, :, t]"),     # a wrong composite
])
def test_calls_sent_ahead_give_the_verdicts_of_calls_made_one_by_one(tmp_path, context, sandbox, mutation):
    path = nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook(nbs.mutate(*mutation)))
    spy = Spy(sandbox)
    ahead = grade_submission(path, context=context, sandbox=spy)
    alone = grade_submission(path, context=context, sandbox=OneByOne(sandbox))
    assert _verdicts(ahead) == _verdicts(alone)
    assert spy.batches and spy.batches[0] > len(context.rubric.parts) // 2  # parts went together


_FOR_STEPS = ("    for t in range(T_x):\n"
              "        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)\n"
              "        a[:, :, t] = a_next\n"
              "        y_pred[:, :, t] = yt_pred\n"
              "        caches.append(cache)\n")
# steps again until the cell gives a value in [-1, 1]: right with a right cell, forever with one
# whose values never are
_WAITING_STEPS = ("    t = 0\n"
                  "    while t < T_x:\n"
                  "        a_new, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)\n"
                  "        if np.abs(a_new).max() > 1.0:\n"
                  "            continue\n"
                  "        a_next = a_new\n"
                  "        a[:, :, t] = a_next\n"
                  "        y_pred[:, :, t] = yt_pred\n"
                  "        caches.append(cache)\n"
                  "        t += 1\n")


def test_a_trial_sent_ahead_that_never_returns_costs_no_verdict(tmp_path, context, sandbox):
    """A wrong cell with which the student's own composite loops forever: the composite's trial,
    sent ahead before the cell was judged, runs into its timeout (a cost paid once, see
    docs/performance-history.md, "The twelfth session"), its outcome is dropped, and the composite, right in isolation, gets the
    verdicts that calls made one by one (which never make that trial) give it."""
    path = nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook({
        **nbs.mutate("rnn_cell_forward", "a_next = np.tanh(", "a_next = 1.5 + 2 * np.tanh("),
        **nbs.mutate("rnn_forward", _FOR_STEPS, _WAITING_STEPS)}))
    spy = Spy(sandbox)
    ahead = grade_submission(path, context=context, sandbox=spy)
    alone = grade_submission(path, context=context, sandbox=OneByOne(sandbox))
    assert ahead.part("rnn_cell_forward").status == FAILED
    assert ahead.part("rnn_forward").status == PASSED
    assert not [c for p in ahead.parts for c in p.cases if c.status == TIMEOUT]
    assert _verdicts(ahead) == _verdicts(alone)
    trials = [c for c in spy.calls if c[0] == "rnn_forward" and not c[1]]
    assert len(trials) == 1  # the one sent ahead; the cases themselves were called in isolation


def test_a_wrong_composite_gets_the_isolated_verdict_and_diagnosis(tmp_path, context, sandbox):
    spy = Spy(sandbox)
    nb = nbs.course_notebook(nbs.mutate("rnn_backward", "da[:, :, t] + da_prevt", "da[:, :, t]"))
    result = grade_submission(nbs.write(tmp_path / "comp.ipynb", nb), context=context, sandbox=spy)
    part = result.part("rnn_backward")
    assert part.status == FAILED
    assert any(c.diagnosis for c in part.cases)
    calls = [c for c in spy.calls if c[0] == "rnn_backward"]
    # the public case's trial with the student's own cell is wrong, so it and every later case
    # (the hidden ones, in the second phase) are graded in isolation, without further trials
    n = len(part.cases)
    assert [c[1] for c in calls] == [()] + [("rnn_cell_backward",)] * n
    assert any(c.status == PASSED for c in part.cases)  # T_x = 1, where this mistake does not show


def test_a_composite_that_loops_costs_its_timeout_once(tmp_path, context, sandbox):
    import dataclasses
    parts = tuple(dataclasses.replace(p, cases=tuple(dataclasses.replace(c, timeout=1.0) for c in p.cases))
                  for p in context.rubric.parts)
    short = dataclasses.replace(context, rubric=dataclasses.replace(context.rubric, parts=parts))
    nb = nbs.course_notebook(nbs.mutate("rnn_forward", "    caches = (caches, x)",
                                        "    while True:\n        pass\n    caches = (caches, x)"))
    spy = Spy(sandbox)
    result = grade_submission(nbs.write(tmp_path / "loop.ipynb", nb), context=short, sandbox=spy)
    assert result.part("rnn_forward").cases[0].status == TIMEOUT
    # one call, the public case's trial, which times out; the hidden cases (second phase) are
    # skipped without a call, and nothing is called again in isolation
    n = len(result.part("rnn_forward").cases)
    assert [c for c in spy.calls if c[0] == "rnn_forward"] == [("rnn_forward", (), False)]
    assert [c.status for c in result.part("rnn_forward").cases[1:]] == ["skipped"] * (n - 1)
    # at most the timeout's four times in wall time on a loaded machine (Session._run), not per case
    assert result.timings["checks"] < 4 * 1.0 + 2.5


def test_alias_pairs_on_demand_equal_the_eager_ones(sandbox):
    program = ("import numpy as np\n"
               "def views(b):\n"
               "    c = b[1:]\n"
               "    return b, c, [b], {'k': b}, b[:1]\n")
    with sandbox.session(program) as session:
        eager = session.call("views", (np.arange(4.0),))
        lazy = session.call("views", (np.arange(4.0),), aliases=False)
        assert lazy.aliases == ()
        assert session.aliases() == eager.aliases and eager.aliases


def test_unchanged_arguments_are_not_sent_back(sandbox):
    program = ("def keep(a, p):\n    return a.sum()\n"
               "def change(a, p):\n    p['w'][0] = 5.0\n    return 0\n")
    args = (np.ones(3), {"w": np.zeros(2)})
    with sandbox.session(program) as session:
        same = session.call("keep", args, reuse_args=True)
        assert same.args_after is args  # the child said "unchanged"
        changed = session.call("change", args, reuse_args=True)
        assert changed.args_after is not args and changed.args_after[1]["w"][0] == 5.0
        assert args[1]["w"][0] == 0.0  # the grading process's own copy is untouched


def test_function_facts_come_from_bytecode():
    from grader.gradedsource import code_facts as _code_facts
    from grader.runner import _parameter_names

    params, names = _code_facts("@deco(helper)\ndef f(a, b=lambda: other(), *rest, c=1):\n"
                                "    x = g(a)\n    def inner():\n        return h\n    return np.dot(x, inner())\n")
    assert params == ("a", "b")
    assert {"deco", "helper", "other", "g", "h", "np", "dot"} <= names
    assert "x" not in names and "a" not in names  # locals are not globals
    assert _parameter_names("async def f(p, /, q):\n    return await p\n") == ("p", "q")
    assert _code_facts("def f(:\n") == ((), frozenset())


def test_needed_functions_from_scope_analysis_equal_those_from_compiling(context):
    """The runner reads a function's global names from the extraction (no compile): on the
    course notebooks it keeps exactly the functions compiling each one would keep."""
    from grader.extract import extract
    from grader.notebook import load
    from grader.gradedsource import _compiled_facts
    from grader.runner import needed_functions

    roots = [f for part in context.rubric.parts for f in (part.function, *part.depends)]
    variants = [nbs.course_notebook(), nbs.course_notebook(nbs.mutate("rnn_forward", "caches = (caches, x)",
                                                                      "caches = (caches, x)\n    helper_unused = softmax"))]
    import tempfile
    from pathlib import Path
    for k, nb in enumerate(variants):
        path = nbs.write(Path(tempfile.mkdtemp()) / f"n{k}.ipynb", nb)
        functions = extract(load(path)).functions
        assert all(fn.uses for fn in functions.values())
        fast = needed_functions(functions, roots)
        compiled = {}
        slow = needed_functions({n: type("F", (), {"source": f.source})() for n, f in functions.items()},
                                roots, facts=compiled)
        assert fast == slow and compiled  # the second really compiled
        assert {_compiled_facts(functions[n].source)[1] & set(functions) <= fast for n in fast} == {True}
