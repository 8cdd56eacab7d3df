"""bench_startup: the grading process's path before the fork, run in a fresh process of a
checkout; its steps are reported, and a checkout with fixture and rubric caches uses them."""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_startup  # noqa: E402


def test_a_run_reports_its_steps_and_keeps_the_cache(tmp_path, capsys):
    figures = bench_startup._run(REPO, cold=False)
    assert set(figures) == {"wall", *bench_startup._STEPS}
    assert all(value > 0 for value in figures.values())
    assert figures["cpu"] >= figures["imports"] + figures["load_context"]
    assert (REPO / "rubrics" / "fixtures" / ".cache" / "rnn.hidden.json.marshal").is_file()
    assert (REPO / "rubrics" / ".cache" / "rnn.yaml.marshal").is_file()  # the rubric's, too


def test_the_comparison_prints_both_sides_and_the_turns(capsys):
    assert bench_startup.main(["--against", str(REPO), "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count(str(REPO)) == 2 and "of 1 turns (wall)" in out and "load average" in out
