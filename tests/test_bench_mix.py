"""bench_grading writes the same class from one session to the next: its 'wrong' notebooks draw
from the known mistakes the catalog had when the mix was fixed, so a mistake added later (which
would shift every draw after it) is left out by name."""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_grading  # noqa: E402
from solution.mutants import MUTANTS  # noqa: E402


def test_the_wrong_notebooks_draw_from_the_mistakes_of_the_fixed_mix():
    assert bench_grading.LATER_MUTANTS <= set(MUTANTS), bench_grading.LATER_MUTANTS - set(MUTANTS)
    drawn = bench_grading.mistakes_drawn()
    assert not bench_grading.LATER_MUTANTS & set(drawn)
    # The thirtieth session's 40: a known mistake added to the catalog goes into LATER_MUTANTS.
    assert len(drawn) == 40, drawn
    assert drawn[0] == "lstm_cell_forward/cache_order" and drawn[-1] == "rnn_forward/y_not_stored", drawn
