"""The lines an instructor reads at the end of a class run (grader.commands, messages only)."""
from __future__ import annotations

import io
from pathlib import Path

from grader.commands import ClassSummary, _print_summary


def summary_line(**fields) -> str:
    """The first line ``_print_summary`` writes for a ClassSummary with ``fields``."""
    base = dict(graded=5, harness_failures=(), unreadable=("donald",), scores=(65.0, 85.0, 110.0, 100.0, 75.0),
                max_score=100.0, seconds=1.0, out_dir=Path("out"), total=6)
    out = io.StringIO()
    _print_summary(ClassSummary(**{**base, **fields}), stream=out, similarity_ran=False)
    return out.getvalue().splitlines()[0]


def test_a_rerun_says_what_it_graded_and_what_it_kept():
    line = summary_line(skipped=6)
    assert line.startswith("Graded 5 of 6 (0 in this run, 6 unchanged since the last run and kept) in 1.0s"), line
    line = summary_line(graded=6, total=7, skipped=6)
    assert line.startswith("Graded 6 of 7 (1 in this run, 6 unchanged since the last run and kept)"), line


def test_a_first_run_says_nothing_about_kept_results():
    line = summary_line()
    assert line.startswith("Graded 5 of 6 in 1.0s;") and "kept" not in line, line
