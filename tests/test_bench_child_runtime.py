"""benchmarks/bench_child.py's --runtime scenario times real calls (seventeenth session).

From 8dc9ec0 (the program sent as compiled pieces, ``Runtime.load`` taking a tuple of code
objects) to the seventeenth session, the scenario passed a bare code object: the load failed
with a TypeError, and every call timed the "the program defines no function f()" answer,
29 us against ~70 for a real call. The scenario now checks that the program loaded and that
every call answered ok; and it runs NumPy with one BLAS thread, as the sandbox's children do."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_child  # noqa: E402


@pytest.mark.parametrize("cell", [False, True])
def test_the_runtime_scenario_runs_the_function(cell):
    rounds = bench_child.runtime_per_call(1, cell=cell)  # raises if a call did not answer ok
    assert len(rounds) == 1 and rounds[0]["child us per call"] > 0


def test_the_runtime_scenario_refuses_a_failed_load(monkeypatch):
    from grader import childruntime
    monkeypatch.setattr(childruntime.Runtime, "call", lambda self, name, *a, **k: self.outcome(
        "missing", error_type="NameError", message=f"the program defines no function {name}()"))
    with pytest.raises(RuntimeError, match="missing"):
        bench_child.runtime_per_call(1)


def test_numpy_runs_one_blas_thread_in_the_benchmark():
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1" and os.environ["OMP_NUM_THREADS"] == "1"


def test_the_marginal_scenario_calls_as_a_class_run_does(monkeypatch):
    """Every call answered ok (it raises otherwise), without memory-sharing pairs (a sixth of the
    child's time in the figures this scenario replaces: a class run never asks for them), with its
    arguments' encoding reused and sent by their layout, as a class run's are."""
    import numpy as np

    from grader import sandbox as sandbox_module
    x = np.ones((5, 10))
    requests = []
    make_request = sandbox_module.Session._call_request

    def spy(self, function, args, **options):
        request = make_request(self, function, args, **options)
        requests.append((function, options["aliases"], options["reuse_args"], request.frame[8:12]))
        return request
    monkeypatch.setattr(sandbox_module.Session, "_call_request", spy)
    with bench_child.taught_sandbox(np.tanh(x @ x.T), (x,)) as box:
        (figures,) = bench_child.marginal(box, 1)
    assert figures["together: child us"] > 0 and figures["one by one: child us"] > 0
    calls = [r for r in requests if r[0] == "f"]
    assert len(calls) == 8 + 48 + 48
    assert all(r[1:] == (False, True, b"GA1\n") for r in calls)


def test_the_closing_clock_reads_each_child_before_its_session_closes():
    """``measure``'s "to close ms" is the child's own CPU time read before the session closes it
    (``/proc/PID/schedstat``, exact): one reading a session, from a child still alive, and the
    session's close put back afterwards. "exit ms" is the rest of the child's CPU (nineteenth
    session: about 3 ms a child, invisible to ``perf record`` of the process tree)."""
    from grader import sandbox as sandbox_module
    from grader.sandbox import Sandbox
    close = sandbox_module.Session.close
    with Sandbox(protected_paths=[]) as box:
        with bench_child.ClosingClock() as clock:
            for _ in range(2):
                with box.session("x = 1\n", filename="<submission>"):
                    pass
        figures = bench_child.measure(box, lambda: box.session("", filename="<submission>").close(), 3)
    assert sandbox_module.Session.close is close
    assert len(clock.readings) == 2 and all(r > 0 for r in clock.readings)
    assert figures["to close ms"] > 0 and "exit ms" in figures
