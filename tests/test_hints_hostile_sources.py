"""The loop rules (``hints.loop_mistake``) on a graded function built to be slow to read.

The rules read the student's function in the grading worker, without a time limit, once a case
of it failed. Before the thirty-third session's hostile review (written against d963ff1) they
were polynomial in the function's size: every loop scanned the names of every loop and of what
follows each (cubic in the loops: 500 one-line loops, 15 kB, cost 15.8 s of CPU, 1,000 cost
125 s), and every assignment in a loop looked again at every later statement of it (quadratic:
2,000 statements, 28 kB, 12.5 s). Within the code limit (``SizeLimits.max_cell_chars``, 100 kB)
such a function stalled a worker for hours. Each test fails on d963ff1 by its CPU budget.
"""
from __future__ import annotations

import pytest

from grader import hints
from grader.notebook import SIZE_LIMITS
from grader.runner import grade_submission
from tests import notebooks as nbs
from tests.cpu import cpu_budget

_HEAD = "def rnn_backward(da, caches):\n"


def _within_the_limit(source: str) -> str:
    assert len(source) <= SIZE_LIMITS.max_cell_chars, len(source)
    return source


HOSTILE = {
    "many loops, each read with all that follows": _HEAD + "    for t in r:\n        a = 1\n" * 3_200
    + "    return a\n",
    "one loop of many assignments": _HEAD + "    for t in r:\n" + "        a = 0\n" * 7_000 + "    return a\n",
    "wide targets after resets": _HEAD + "    for t in r:\n" + "        a = 0\n" * 200
    + ("        x[" + "a, " * 80 + "a] = 1\n") * 150 + "    return x\n",
    "twenty loops of many names": _HEAD + ("    for t in r:\n        " + "b, " * 1_500 + "b = c\n") * 20
    + "    return b\n",
}


@pytest.mark.parametrize("source", [pytest.param(s, id=k) for k, s in HOSTILE.items()])
def test_the_loop_rules_read_a_hostile_function_in_bounded_time(source):
    source = _within_the_limit(source)
    with cpu_budget(1.0):
        found = hints.loop_mistake(source)
    assert len(found) == 2


def test_the_loop_rules_still_read_a_long_real_function():
    """A control: the largest graded function of the real corpora has 42 statements and one loop;
    a function of 150 statements and 10 loops is still read (its mistake found), in milliseconds."""
    body = "".join(f"    s{k} = {k}\n" for k in range(120))
    loops = "    for t in r:\n        a = 1\n" * 9
    source = (_HEAD + body + loops + "    for t in range(T_x):\n        dWax = np.zeros((n_a, n_x))\n"
              "        dWax += dWaxt\n    return dWax\n")
    with cpu_budget(0.5):
        found = hints.loop_mistake(source)
    assert found[0] == "loop/made-in-loop", found


def test_a_graded_notebook_with_a_hostile_loop_costs_the_grader_little(tmp_path, context, sandbox):
    """Through the runner: the hostile function is graded (it returns a wrong value, so a case fails
    and the loop rules are asked), the grading process's CPU within the budget."""
    source = _within_the_limit(_HEAD + "    for t in range(1):\n        a = 1\n" * 2_500 + "    return {'dx': a}\n")
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook({"rnn_backward": source}))
    with cpu_budget(4.0):
        result = grade_submission(path, context=context, sandbox=sandbox)
    part = result.part("rnn_backward")
    assert part.points == 0 and part.cases[0].status == "failed", part.cases[0]
