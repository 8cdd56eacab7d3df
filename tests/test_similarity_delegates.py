"""A copy behind a class member that only hands its work on (``def g(...): return f9(...)``,
``cell = staticmethod(g)`` in the class body or set after it, ``rnn_cell_forward = RNN.cell``):
twenty-sixth session's review. The member's compiled text stores its own name, so ``g`` counted as
a helper it reads, and its lines beside the copy held the score to 0.80, under the threshold
(0.85): graded in full and not flagged on 0fc66f7; each test failed there."""
from __future__ import annotations

import pytest

from tests import notebooks as nbs
from tests.copies import flagged_against_classmate, graded_copy

_COPY = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def f9(")
_G = "def g(xt, a_prev, parameters):\n    return f9(xt, a_prev, parameters)\n"
_CELLS = {
    "in_the_body": f"{_COPY}\n{_G}\nclass RNN:\n    cell = staticmethod(g)\n\nrnn_cell_forward = RNN.cell\n",
    "set_after": f"{_COPY}\n{_G}\nclass RNN:\n    pass\n\nRNN.cell = staticmethod(g)\nrnn_cell_forward = RNN.cell\n",
}


@pytest.mark.parametrize("how", sorted(_CELLS))
def test_a_copy_behind_a_delegating_member_is_compared_alone(tmp_path, context, sandbox, how):
    path, result, source = graded_copy(tmp_path, how, _CELLS[how], context=context, sandbox=sandbox)
    # The copy, as a plain delegate's (the member after it since the thirtieth session, left out
    # by the normaliser).
    assert source.startswith("def f9(") and "np.tanh" in source, source
    report = flagged_against_classmate(tmp_path, how, source)
    assert report.pairs[0].overall == 1.0, report.pairs
