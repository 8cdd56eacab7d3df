"""Members set after their class (``RNN.cell = staticmethod(f9)``, 8c58bf6, 8db0f21): what the
program grades and what the similarity check compares must be the member Python holds when the
alias reads it: twenty-sixth session's review. Each test failed on 0fc66f7."""
from __future__ import annotations

import pytest

from grader.similaritystage import function_sources
from grader.models import FAILED, PASSED
from grader.runner import grade_submission
from tests import notebooks as nbs
from tests.copies import flagged_against_classmate

_COPY = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def f9(")
_DECOY = ("def decoy(xt, a_prev, parameters):\n    a_next = xt * 2\n"
          "    return a_next, None, (a_next, a_prev, xt, parameters)\n")
#: A class whose method reads f9, so that the program keeps f9 whatever the member lines do.
_READS_F9 = "class RNN:\n    def helper(self):\n        return f9\n\n"


def _graded(tmp_path, context, sandbox, name: str, cell: str):
    """(the status of rnn_cell_forward, the text the similarity check compares for it)."""
    path = nbs.write(tmp_path / f"{name}.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    source = result.extra["sources"]["rnn_cell_forward"]
    assert source == function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"]
    return result.part("rnn_cell_forward").status, source


def test_a_member_set_twice_is_the_last_set_in_the_grade_too(tmp_path, context, sandbox):
    # The copy set first, the decoy last: Python holds the decoy, and the check compared it. The
    # program put each line after the later of its class and function, so the copy's line (after
    # f9, the last definition) ran last: full points for the copy, no pair found.
    cell = (f"{_DECOY}\n{_READS_F9}{_COPY}\n"
            "RNN.cell = staticmethod(f9)\nRNN.cell = staticmethod(decoy)\nrnn_cell_forward = RNN.cell\n")
    status, source = _graded(tmp_path, context, sandbox, "twice", cell)
    assert "xt * 2" in source, source
    assert status != PASSED  # the decoy, as the kernel runs it


def test_a_member_set_after_the_alias_is_not_what_the_alias_read(tmp_path, context, sandbox):
    # The alias reads the copy the class body holds (graded in full, as Python); the decoy set
    # after it was the text compared, and the check found no pair.
    cell = (f"{_COPY}\nclass RNN:\n    cell = staticmethod(f9)\n\nrnn_cell_forward = RNN.cell\n\n"
            f"{_DECOY}\nRNN.cell = staticmethod(decoy)\n")
    status, source = _graded(tmp_path, context, sandbox, "after_alias", cell)
    assert status == PASSED
    assert "np.tanh" in source and "xt * 2" not in source, source
    flagged_against_classmate(tmp_path, "after_alias", source)


def test_a_member_whose_function_follows_the_class_is_kept(tmp_path, context, sandbox):
    # `class RNN: pass`, then `def _impl`, then the set: its line went after `_impl`, which nothing
    # the grade needs reads, so the program left both out: "RNN has no attribute cell", 0 / 10
    # for a right function that the kernel (and check()) runs.
    impl = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def _impl(")
    cell = f"class RNN:\n    pass\n\n{impl}\nRNN.cell = staticmethod(_impl)\nrnn_cell_forward = RNN.cell\n"
    status, source = _graded(tmp_path, context, sandbox, "follows", cell)
    assert status == PASSED
    assert "def _impl(" in source, source


def test_the_last_of_two_sets_is_graded_when_it_follows_the_class(tmp_path, context, sandbox):
    # The decoy set first, the copy last (after the class): the copy, as Python; it was left out.
    cell = (f"{_DECOY}\nclass RNN:\n    pass\n\n{_COPY}\n"
            "RNN.cell = staticmethod(decoy)\nRNN.cell = staticmethod(f9)\nrnn_cell_forward = RNN.cell\n")
    status, source = _graded(tmp_path, context, sandbox, "last", cell)
    assert status == PASSED
    assert "np.tanh" in source and "xt * 2" not in source, source


#: A metaclass that makes the class's member the copy, whatever is set: ``RNN.cell = staticmethod(decoy)``.
_METACLASSES = {
    "setattr": "    def __setattr__(cls, key, value):\n        type.__setattr__(cls, key, staticmethod(f9))\n",
    "getattribute": ("    def __getattribute__(cls, key):\n"
                     "        return f9 if key == 'cell' else type.__getattribute__(cls, key)\n"),
}


@pytest.mark.parametrize("how", sorted(_METACLASSES))
def test_a_member_set_on_a_class_its_metaclass_builds_is_compared_as_that_code(tmp_path, context, sandbox, how):
    # The set's decoy was the text compared (member_sets was read before asking whether the
    # class is what its body says); the metaclass handed out the copy, graded in full.
    cell = (f"{_COPY}\n{_DECOY}\nclass M(type):\n{_METACLASSES[how]}\nclass RNN(metaclass=M):\n    pass\n\n"
            "RNN.cell = staticmethod(decoy)\nrnn_cell_forward = RNN.cell\n")
    status, source = _graded(tmp_path, context, sandbox, how, cell)
    assert status == PASSED
    assert "np.tanh" in source, source
    flagged_against_classmate(tmp_path, how, source)


def test_a_member_set_again_after_its_holder_became_a_constant_is_set(tmp_path, context, sandbox):
    # The first set's line went after `def f9`; `f9 = 3` then replaced that def by a constant,
    # and 28cc270 put the second set's line after the constant, where the program runs none:
    # "RNN has no attribute cell". As Python (and 0fc66f7): the decoy, set last.
    cell = (f"{_DECOY}\nclass RNN:\n    pass\n\n{_COPY}\nRNN.cell = staticmethod(f9)\nf9 = 3\n"
            "RNN.cell = staticmethod(decoy)\nrnn_cell_forward = RNN.cell\n")
    status, source = _graded(tmp_path, context, sandbox, "constant", cell)
    assert status == FAILED and "xt * 2" in source, (status, source)
