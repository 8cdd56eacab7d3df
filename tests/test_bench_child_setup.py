"""benchmarks/bench_child.py: a comparison in turns sets both checkouts up alike (twelfth
session). With PYTHONDONTWRITEBYTECODE set, a module edited since its last ``compileall`` is
compiled from its source by every zygote; a zygote that so compiled ``grader/_child.py`` cost
each child about 30 page faults more, the same code (docs/performance-history.md, "The cold child's
protocol (twelfth session)"). So ``--against`` compiles both graders first, as bench_grading does."""
from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_child  # noqa: E402


def test_a_comparison_compiles_the_other_checkouts_grader_first(tmp_path, capsys):
    module = tmp_path / "grader" / "edited.py"
    module.parent.mkdir()
    module.write_text("X = 1\n")
    cached = Path(importlib.util.cache_from_source(str(module)))
    assert not cached.exists()
    args = argparse.Namespace(against=tmp_path, rounds=0, n=1, notebook=None, only_notebook=True, runtime=False)
    assert bench_child.compare(args) == 0
    assert cached.exists() and os.stat(cached).st_mtime >= os.stat(module).st_mtime
    out = capsys.readouterr().out
    assert f"set-up: {tmp_path}: grader compiled" in out and f"set-up: {REPO}: grader compiled" in out
