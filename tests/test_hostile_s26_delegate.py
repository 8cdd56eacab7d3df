"""A copy behind a class member that only hands its work on (``def g(...): return f9(...)``,
``cell = staticmethod(g)`` in the class body or set after it, ``rnn_cell_forward = RNN.cell``):
twenty-sixth session's review. The member's compiled text stores its own name, so ``g`` counted as
a helper it reads, and its lines beside the copy held the score to 0.80, under the threshold
(0.85): graded in full and not flagged on 0fc66f7; each test failed there."""
from __future__ import annotations

import pytest

from grader.commands import function_sources
from grader.models import PASSED
from grader.runner import grade_submission
from grader.similarity import find_similar
from tests import notebooks as nbs

_COPY = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def f9(")
_G = "def g(xt, a_prev, parameters):\n    return f9(xt, a_prev, parameters)\n"
_CELLS = {
    "in_the_body": f"{_COPY}\n{_G}\nclass RNN:\n    cell = staticmethod(g)\n\nrnn_cell_forward = RNN.cell\n",
    "set_after": f"{_COPY}\n{_G}\nclass RNN:\n    pass\n\nRNN.cell = staticmethod(g)\nrnn_cell_forward = RNN.cell\n",
}


@pytest.mark.parametrize("how", sorted(_CELLS))
def test_a_copy_behind_a_delegating_member_is_compared_alone(tmp_path, context, sandbox, how):
    path = nbs.write(tmp_path / f"{how}.ipynb", nbs.course_notebook({"rnn_cell_forward": _CELLS[how]}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED  # the copy is what is graded
    source = result.extra["sources"]["rnn_cell_forward"]
    assert "def g(" not in source and "np.tanh" in source, source  # the copy, as a plain delegate's
    classmate = nbs.write(tmp_path / "classmate.ipynb", nbs.course_notebook())
    report = find_similar({how: {"rnn_cell_forward": source},
                           "classmate": function_sources(classmate, names=["rnn_cell_forward"])})
    assert [(p.a, p.b, p.flagged, p.overall) for p in report.pairs] == [(how, "classmate", True, 1.0)], report.pairs
