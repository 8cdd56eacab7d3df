"""A copy behind an alias that a class member holds (``g = f9`` or ``g = K.run``, then
``cell = staticmethod(g)`` in the class body or ``RNN.cell = staticmethod(g)`` after it):
twenty-sixth session's review. The text compared was the alias's one line (``g = f9``): each
notebook was graded in full on 0fc66f7 and the check found no pair; each test failed there."""
from __future__ import annotations

import pytest

from grader.similaritystage import function_sources
from grader.models import PASSED
from grader.gradedsource import UNSEEN_NOTE
from grader.runner import grade_submission
from tests import notebooks as nbs
from tests.copies import flagged_against_classmate, graded_copy

_COPY = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def f9(")
_ALIASES = {
    "plain": "g = f9\n",
    "member": ("class K:\n    @staticmethod\n    def run(xt, a_prev, parameters):\n"
               "        return f9(xt, a_prev, parameters)\n\ng = K.run\n"),
}
_HOLDERS = {
    "body": "class RNN:\n    cell = staticmethod(g)\n\nrnn_cell_forward = RNN.cell\n",
    "set_after": "class RNN:\n    pass\n\nRNN.cell = staticmethod(g)\nrnn_cell_forward = RNN.cell\n",
}


@pytest.mark.parametrize("alias", sorted(_ALIASES))
@pytest.mark.parametrize("holder", sorted(_HOLDERS))
def test_a_copy_behind_an_alias_a_member_holds_is_compared(tmp_path, context, sandbox, alias, holder):
    how = f"{alias}_{holder}"
    cell = f"{_COPY}\n{_ALIASES[alias]}\n{_HOLDERS[holder]}"
    path, result, source = graded_copy(tmp_path, how, cell, context=context, sandbox=sandbox)
    assert "np.tanh" in source, source
    flagged_against_classmate(tmp_path, how, source)


def test_a_chain_longer_than_the_grader_follows_is_said(tmp_path):
    # 200 classes and aliases between the member and the copy: past the 64 names followed, the
    # text is noted (the class report lists it for the TA), not one silent alias line.
    links = "".join(f"class K{i}:\n    run = staticmethod(g{i - 1})\n\ng{i} = K{i}.run\n" for i in range(1, 200))
    cell = f"{_COPY}\ng0 = f9\n{links}\nclass RNN:\n    cell = staticmethod(g199)\n\nrnn_cell_forward = RNN.cell\n"
    path = nbs.write(tmp_path / "chain.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    source = function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"]
    assert source.startswith(UNSEEN_NOTE) and "more than 64 names" in source.split("\n", 1)[0], source[:300]


def test_a_copy_another_class_holds_is_compared(tmp_path, context, sandbox):
    # `class RNN: cell = K.run`, K.run the copy: the text compared was `class RNN: cell = K.run`,
    # noted but without K (graded in full, no pair on 0fc66f7).
    body = _COPY.split("def f9(xt, a_prev, parameters):\n", 1)[1]
    copy_in_k = "class K:\n    @staticmethod\n" + "".join(
        f"    {line}\n" if line else "\n" for line in ("def run(xt, a_prev, parameters):\n" + body).split("\n"))
    cell = f"{copy_in_k}\nclass RNN:\n    cell = K.run\n\nrnn_cell_forward = RNN.cell\n"
    path = nbs.write(tmp_path / "other_class.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED
    source = result.extra["sources"]["rnn_cell_forward"]
    assert source.startswith("def run(") and "np.tanh" in source, source
    flagged_against_classmate(tmp_path, "other_class", source)
