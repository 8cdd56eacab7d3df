"""A state started as a view of an output (``c_next = c[:, :, 0]`` in ``lstm_forward``): the loop's
``c[:, :, 0] = c_next`` writes into the memory the first cache holds as ``c_prev``. All seventeen
notebooks of the real corpora (thirtieth to thirty-third sessions) that were told "shares its
memory" wrote this line, and were told only the general advice ("an assignment such as `x = y` or
a slice gives an array a second name"), not their line. Now the line is quoted, as `c = a`'s is."""
from __future__ import annotations

import pytest

from grader import valuehints
from tests import notebooks as nbs
from tests.test_review_s23 import _grade


@pytest.mark.parametrize("line", ["c_next = c[:, :, 0]", "c_next = c[..., 0]"])
def test_a_state_started_as_a_view_of_an_output_is_told_its_line(tmp_path, context, sandbox, line):
    nb = nbs.course_notebook(nbs.mutate("lstm_forward", "c_next = np.zeros(a_next.shape)", line))
    part = _grade(tmp_path, nb, context, sandbox).part("lstm_forward")
    told = [case.diagnosis for case in part.cases if case.diagnosis is not None]
    assert told and all(d.id == "aliasing" for d in told), told
    said = told[0].message
    assert f"your `{line}` (line 14)" in said, said  # the cell's line: the def is on its line 3
    assert "not a slice of `c`" in said and "an assignment such as" not in said, said


def test_view_assignment_finds_only_a_view_of_the_output_named():
    source = ("def f(x):\n    c = np.zeros((2, 3, 4))\n    d = c.copy()\n    c0 = c[:, :, 0]\n"
              "    e = c[[0, 1]]\n    for t in range(4):\n        c[:, :, t] = t\n    return d, c\n")
    assert valuehints.view_assignment(source, output=1) == "`c0 = c[:, :, 0]` (line 4)"
    # A copy, fancy indexing (a copy too) and another output's name are no view of `c`.
    assert valuehints.view_assignment(source.replace("    c0 = c[:, :, 0]\n", ""), output=1) == ""
    assert valuehints.view_assignment(source, output=0) == ""
    assert valuehints.view_assignment("def f(:\n", output=0) == ""
