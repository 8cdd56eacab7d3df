"""bench_worker's measure of a worker per submission: CPU, wall and the voluntary context
switches (the worker waiting for its child's answers), counted by the kernel."""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_worker  # noqa: E402

NOTEBOOK = REPO / "submissions" / "ada_correct.ipynb"


def test_a_graded_submission_counts_the_waits_for_its_child(context, sandbox):
    cpu, wall, switches = bench_worker._measure([NOTEBOOK], 2, context=context, sandbox=sandbox)
    assert cpu > 0 and wall > 0
    # The load and each phase's run of calls are waited for (3 or more a submission on a quiet
    # machine); on a loaded one the child may answer before the read, which then does not wait:
    # 1.5 a submission was seen beside eight busy processes. Not counting gives 0.
    assert switches > 0
