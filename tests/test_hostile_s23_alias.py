"""A classmate's function copied into a class and aliased (``rnn_cell_forward = Cls.attr``,
``FunctionSource.bound_source``) against the similarity check: twenty-third session's review.
Each test failed on baac9f1."""
from __future__ import annotations

import pytest

from grader.commands import function_sources
from grader.models import PASSED
from grader.runner import grade_submission
from grader.similarity import find_similar
from tests import notebooks as nbs

_COPIED = nbs.COURSE_CELLS["rnn_cell_forward"]
_DECOY = "def rnn_cell_forward(xt, a_prev, parameters):\n    return None\n"


def _indent(source: str) -> str:
    return "\n".join("    " + line if line else line for line in source.split("\n"))


# Three ways the class that Python builds holds the copy while its first def of the name does not.
_CELLS = {
    # A class body runs in order: the second def of the name replaces the first (a decoy).
    "twice": (f"class H:\n    @staticmethod\n{_indent(_DECOY)}\n    @staticmethod\n{_indent(_COPIED)}\n"
              "\nrnn_cell_forward = H.rnn_cell_forward\n"),
    # The decoy def, then the name bound again to the copy, a top-level function.
    "rebound": (_COPIED.replace("def rnn_cell_forward(", "def f9(")
                + f"\nclass H:\n    @staticmethod\n{_indent(_DECOY)}\n    rnn_cell_forward = staticmethod(f9)\n"
                "\nrnn_cell_forward = H.rnn_cell_forward\n"),
    # No def of the name in H: it comes from its base class (the check compared "class H(B): pass").
    "inherited": (f"class B:\n    @staticmethod\n{_indent(_COPIED)}\n\nclass H(B):\n    pass\n"
                  "\nrnn_cell_forward = H.rnn_cell_forward\n"),
}


@pytest.mark.parametrize("how", sorted(_CELLS))
def test_the_member_python_binds_is_what_the_similarity_check_compares(tmp_path, context, sandbox, how):
    path = nbs.write(tmp_path / f"{how}.ipynb", nbs.course_notebook({"rnn_cell_forward": _CELLS[how]}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED  # the copy is what is graded
    source = function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"]
    assert "np.tanh" in source and "return None" not in source, source
    assert result.extra["sources"]["rnn_cell_forward"] == source
    classmate = nbs.write(tmp_path / "classmate.ipynb", nbs.course_notebook())
    report = find_similar({
        how: {"rnn_cell_forward": source},
        "classmate": function_sources(classmate, names=["rnn_cell_forward"]),
    })
    assert [(p.a, p.b, p.flagged) for p in report.pairs] == [(how, "classmate", True)]
