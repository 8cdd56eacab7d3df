"""bench_grading's fit of a class run's time as a fixed cost plus a cost per submission, and the
largest fixed cost issue 9's linearity target (within 20 % from N = 100) allows."""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_grading  # noqa: E402


def test_the_fit_recovers_a_fixed_cost_and_a_cost_per_submission():
    small = bench_grading.Run(n=100, similarity=False, wall=2.0 + 100 * 0.03, startup=1.1, after=0.4)
    large = bench_grading.Run(n=400, similarity=False, wall=2.0 + 400 * 0.03)
    line = bench_grading.fixed_cost_line(small, large)
    assert "c = 30.0 ms per submission" in line and "F = 2.00 s" in line
    assert "start-up 1.10 s, after the last 0.40 s, 0.50 s inside the grading phase" in line
    # (F/100 + c) <= 1.2 (F/400 + c)  <=>  F <= 0.2 c / (1/100 - 1.2/400) = 0.857 s
    assert line.endswith("needs F <= 0.86 s")


def test_at_the_allowed_fixed_cost_the_small_class_is_exactly_at_the_band():
    c, allowed = 0.032, 0.2 * 0.032 / (1 / 100 - 1.2 / 400)
    small = bench_grading.Run(n=100, similarity=False, wall=allowed + 100 * c)
    large = bench_grading.Run(n=400, similarity=False, wall=allowed + 400 * c)
    assert abs((small.wall / 100) / (large.wall / 400) - 1.2) < 1e-9
    assert f"needs F <= {allowed:.2f} s" in bench_grading.fixed_cost_line(small, large)


def test_the_cpu_fit_recovers_each_roles_fixed_cpu():
    fixed = {"main": 1.4, "zygote": 0.5, "worker": 0.08, "child": 0.1}
    per = {"main": 0.0015, "zygote": 0.004, "worker": 0.021, "child": 0.024}
    small = bench_grading.Run(n=100, similarity=False, cpu={r: fixed[r] + 100 * per[r] for r in fixed})
    large = bench_grading.Run(n=400, similarity=False, cpu={r: fixed[r] + 400 * per[r] for r in fixed})
    line = bench_grading.fixed_cpu_line(small, large, cores=2)
    assert "child 0.10 s, main 1.40 s, worker 0.08 s, zygote 0.50 s" in line
    assert line.endswith("2.08 s in all, 1.04 s on 2 cores")



def test_linearity_is_read_from_each_rounds_own_reference_size():
    # The machine got 30 % slower after round 1: every size with it. Against round 1's N = 400,
    # round 2's N = 100 would read 1.30; against its own round's, 1.00.
    rounds = [{100: 3.0, 400: 12.0, 2000: 60.0}, {100: 3.9, 400: 15.6, 2000: 78.0},
              {100: 3.3, 400: 12.0, 2000: 57.0}]
    lines = bench_grading.linearity_lines(rounds)
    assert lines[0] == ("N =   100: per submission 1.00, 1.00, 1.10 x N = 400 in 3 rounds, median 1.00: "
                        "within +-20% (3 of 3 rounds within)")
    assert lines[1].startswith("N =  2000: per submission 1.00, 1.00, 0.95 x N = 400")


def test_linearity_fails_when_the_median_round_is_outside_the_band():
    rounds = [{100: 3.7, 400: 12.0}, {100: 3.5, 400: 12.0}, {100: 3.0, 400: 12.0}]
    (line,) = bench_grading.linearity_lines(rounds)
    assert "median 1.17: within" in line
    rounds = [{100: 3.7, 400: 12.0}, {100: 3.8, 400: 12.0}, {100: 3.0, 400: 12.0}]
    (line,) = bench_grading.linearity_lines(rounds)
    assert "1.23, 1.27, 1.00" in line and "median 1.23: NOT within" in line and "(1 of 3 rounds within)" in line


def test_scaling_rounds_alternate_the_order_of_the_sizes():
    assert bench_grading.scaling_order([100, 400, 2000], 1) == [100, 400, 2000]
    assert bench_grading.scaling_order([100, 400, 2000], 2) == [2000, 400, 100]
    assert bench_grading.scaling_order([100, 400, 2000], 3) == [100, 400, 2000]
