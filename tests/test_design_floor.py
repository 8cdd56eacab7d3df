"""The design-floor benchmark measures what it says: the reference's calls in forked
children, and a looping child that really spends the rubric's timeout."""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import design_floor  # noqa: E402
from grader.rubric import load_rubric  # noqa: E402


def test_a_floor_child_makes_every_case_call_of_the_rubric():
    rubric = load_rubric(REPO / "rubrics" / "rnn.yaml")
    run = design_floor.floor_run(4, jobs=2, mode="calls", loops_every=0)
    assert run["calls"] == sum(len(part.cases) for part in rubric.parts)
    assert run["timeout"] == max(case.timeout for part in rubric.parts for case in part.cases)
    assert run["wall"] > 0


def test_a_looping_floor_child_spends_the_timeout_in_cpu():
    run = design_floor.floor_run(2, jobs=2, mode="calls", loops_every=2)  # the second child loops
    assert run["cpu"] >= run["timeout"]
    empty = design_floor.floor_run(2, jobs=2, mode="empty", loops_every=2)  # no calls, no loop
    assert empty["cpu"] < run["timeout"]


def test_the_description_names_what_is_left_for_the_grader():
    text = design_floor.describe({"empty": 0.4, "reference": 1.0, "full": 2.0, "calls": 24, "timeout": 0.5},
                                 n=400, jobs=2, target=3.0)
    assert "67% of the target's 3.00 s" in text
    assert "leaves the grader 1.00 s (5.0 ms of a core per submission)" in text
