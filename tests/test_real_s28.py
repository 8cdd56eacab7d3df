"""Twenty-eighth session's review of new real notebooks (59 of /work/real28, graded once): the
patterns they showed, written by the tests from the course notebook (``tests/notebooks.py``) and
graded through the real grader; each test failed before its fix."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.extract import FunctionSource, extract
from grader.notebook import load
from tests import notebooks as nbs
from tests.test_live import course_module  # noqa: F401 - a fixture: rnn_utils importable
from tests.test_review_s23 import _grade
from tests.test_review_s24 import _check_and_grade

# --------------------------------------------------------------------------- n_x, m, T_x = None

#: The course's template leaves ``n_x, m, T_x = None`` for the student to fill with ``x.shape``:
#: one real notebook filled every other blank of ``lstm_forward`` and left this one. Unpacking
#: ``None`` can only raise, so the line is a blank as ``x = None`` is.
UNPACKED_BLANK = nbs.mutate("lstm_forward", "n_x, m, T_x = x.shape", "n_x, m, T_x = None")


def _lstm_forward(tmp_path: Path, source: str) -> FunctionSource:
    """The extraction's ``lstm_forward`` of the course notebook with that cell replaced."""
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook({"lstm_forward": source}))
    return extract(load(path)).functions["lstm_forward"]


def test_a_blank_left_as_a_tuple_unpacking_none_is_a_placeholder(tmp_path, context, sandbox):
    # Before: 'error', "Raised TypeError: cannot unpack non-iterable NoneType object", Python's
    # complaint, where the other blanks are named: the same 0 points, said as what is unfinished.
    result = _grade(tmp_path, nbs.course_notebook(UNPACKED_BLANK), context, sandbox)
    part = result.part("lstm_forward")
    assert part.status == "not_implemented", part.status
    assert part.points == 0
    assert any("`n_x, m, T_x = None`" in note for note in part.notes), part.notes
    assert result.part("lstm_cell_forward").points == result.part("lstm_cell_forward").max_points


@pytest.mark.parametrize("line", ["(n_x, m, T_x) = None", "[n_x, m, T_x] = None", "n_x, *rest = None"])
def test_every_target_that_unpacks_a_blank_is_a_placeholder(tmp_path, line):
    source = nbs.COURSE_CELLS["lstm_forward"].replace("n_x, m, T_x = x.shape", line)
    assert source != nbs.COURSE_CELLS["lstm_forward"]
    fn = _lstm_forward(tmp_path, source)
    assert fn.placeholder and "None" in fn.placeholder_detail, fn.placeholder_detail


@pytest.mark.parametrize("line", ["n_x, m, T_x = x.shape", "n_x, m, T_x = x.shape if x is not None else None"])
def test_a_tuple_unpacking_a_value_is_no_placeholder(tmp_path, line):
    source = nbs.COURSE_CELLS["lstm_forward"].replace("n_x, m, T_x = x.shape", line)
    fn = _lstm_forward(tmp_path, source)
    assert not fn.placeholder, fn.placeholder_detail


def test_check_says_what_the_grade_says_of_an_unpacked_blank(tmp_path, course_module, sandbox):  # noqa: F811
    live, graded, _ = _check_and_grade(nbs.course_notebook(UNPACKED_BLANK), tmp_path, sandbox)
    assert ("lstm_forward", "not_implemented") in graded, graded
    assert ("lstm_forward", "not_implemented") in live, live
