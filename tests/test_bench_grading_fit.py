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

