"""The twenty-second session's review of fairness: right answers scored less than full marks
(and the self-checks that disagreed with the grade), each rebuilt from the tests' course
notebook and graded through the real grader."""
from __future__ import annotations

from pathlib import Path

from grader.models import PASSED
from grader.runner import grade_submission
from tests import notebooks as nbs


def _grade(tmp_path: Path, nb: dict, context, sandbox):
    """The result of grading ``nb``, written to ``tmp_path``."""
    return grade_submission(nbs.write(tmp_path / "student.ipynb", nb), context=context, sandbox=sandbox)


def _assert_full_marks(result) -> None:
    """Every function part of ``result`` (the IMDB bonus aside: these notebooks have none) scored in full."""
    for part in result.parts:
        if part.name != "imdb_report":
            assert part.points == part.max_points, (part.name, [c.message for c in part.cases])


def _printing_cell(times: int) -> dict[str, str]:
    """The course's rnn_cell_forward with a debug print of its state left in, run `times` times a call."""
    return nbs.mutate("rnn_cell_forward", "    return a_next",
                      f"    for _ in range({times}):\n        print('a_next =', a_next)\n    return a_next")


def test_a_right_function_that_prints_its_arrays_a_lot_keeps_its_points(tmp_path, context, sandbox):
    # 800 prints of a (5, 10) array a call: formatting them (about 0.19 ms each) took rnn_forward,
    # which calls the cell 10 times, past its 0.5 s, for output of which the grader keeps 64 kB:
    # 85 / 100, "did not return within 0.5 s: look for a loop that never ends".
    _assert_full_marks(_grade(tmp_path, nbs.course_notebook(_printing_cell(800)), context, sandbox))


def test_a_wrong_function_that_prints_a_lot_still_shows_what_it_printed(tmp_path, context, sandbox):
    # The output stays bounded, starts with what the student printed, and says that it went on.
    cells = nbs.mutate("rnn_cell_forward", "    return a_next",
                       "    for _ in range(800):\n        print('a_next =', a_next)\n    return -a_next")
    part = _grade(tmp_path, nbs.course_notebook(cells), context, sandbox).part("rnn_cell_forward")
    case = part.cases[0]
    assert case.status != PASSED and case.output.startswith("a_next = [["), case.output[:80]
    assert "more bytes of output not shown" in case.output[-80:], case.output[-80:]
    assert len(case.output) < 64_000 + 100
