"""Twenty-third session's review: ``rnn_cell_forward = Cls.attr`` (``FunctionSource.bound_source``,
41ef4cc) compared the first def named ``attr`` in the last class named ``Cls``; Python binds the
last binding of ``attr`` in the class as it stood when the alias ran. In the first three cases a
copied function got full points while the similarity check compared a decoy (or, for a method
inherited from a base class, the one line `class Helper(Base): pass`): fixed by the hostile
review's 0802d78 (``_member_source``), found by both reviews apart, and these now pass. In the
last, a class defined again after the alias, the grader graded "missing" (its program kept only
the last `class Helper`, emitted after the alias: NameError), though Python binds the first
class's method: `_aliases_of_earlier_defs` now runs the class the alias read just before it, as
for the plain name of `g = f9; def f9`, and the similarity check compares that class's member."""
from __future__ import annotations

import pytest

from grader.similaritystage import function_sources
from grader.extract import extract_file
from grader.models import PASSED
from grader.runner import grade_submission
from tests import notebooks as nbs

_COPIED = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def copied(")
_DECOY = "def copied(xt, a_prev, parameters):\n    return None, None\n"


def _indented(source: str) -> str:
    """``source`` as a static method in a class body."""
    return "    @staticmethod\n" + "\n".join("    " + line for line in source.split("\n"))


_CASES = {
    # two defs of one name in the class: the last is the class attribute
    "decoy_def_first": f"class Helper:\n{_indented(_DECOY)}\n{_indented(_COPIED)}\n\n"
                       "rnn_cell_forward = Helper.copied\n",
    # the def is rebound in the class body by an assignment
    "rebound_in_body": f"{_COPIED.replace('def copied(', 'def _impl(')}\nclass Helper:\n{_indented(_DECOY)}\n"
                       "    copied = staticmethod(_impl)\n\nrnn_cell_forward = Helper.copied\n",
    # the def is inherited: the class's own source is a line naming its base
    "inherited": f"class Base:\n{_indented(_COPIED)}\n\nclass Helper(Base):\n    pass\n\n"
                 "rnn_cell_forward = Helper.copied\n",
    # the class is defined again after the alias ran
    "class_defined_again": f"class Helper:\n{_indented(_COPIED)}\n\nrnn_cell_forward = Helper.copied\n\n"
                           f"class Helper:\n{_indented(_DECOY)}\n",
}


@pytest.mark.parametrize("case", ["decoy_def_first", "rebound_in_body", "inherited",
                                  "class_defined_again"])
def test_the_similarity_check_compares_the_method_python_binds(case, tmp_path, context, sandbox):
    path = nbs.write(tmp_path / f"{case}.ipynb", nbs.course_notebook({"rnn_cell_forward": _CASES[case]}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED  # the copy is what is graded
    source = function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"]
    assert "np.tanh" in source, source  # ... and what the similarity check must compare


def _extracted(tmp_path, cell: str):
    return extract_file(nbs.write(tmp_path / "n.ipynb", nbs.course_notebook({"rnn_cell_forward": cell})))


def test_the_class_an_alias_read_runs_before_it_and_the_warning_names_it(tmp_path):
    extraction = _extracted(tmp_path, _CASES["class_defined_again"])
    source = extraction.program().source
    first, alias = source.find("class Helper:"), source.find("rnn_cell_forward = Helper.copied")
    assert 0 <= first < alias < source.find("class Helper:", alias), source
    said = [d.message for d in extraction.diagnostics if d.function == "rnn_cell_forward"]
    assert any("`rnn_cell_forward = Helper.copied`" in m and "that first `Helper`'s `copied`" in m
               for m in said), said


def test_a_class_method_of_the_class_the_alias_read_skips_its_cls(tmp_path):
    method = _COPIED.replace("def copied(xt,", "def copied(cls, xt,")
    cell = (f"class Helper:\n    @classmethod\n" + "\n".join("    " + line for line in method.split("\n"))
            + f"\n\nrnn_cell_forward = Helper.copied\n\nclass Helper:\n{_indented(_DECOY)}\n")
    function = _extracted(tmp_path, cell).functions["rnn_cell_forward"]
    assert "np.tanh" in function.bound_source and function.bound_skips == 1, function


def test_a_class_read_by_an_alias_that_does_not_compile_is_not_run(tmp_path):
    # `return` in a class body parses but does not compile: run, it stopped the whole program
    cell = (f"class Helper:\n    return 1\n{_indented(_COPIED)}\n\nrnn_cell_forward = Helper.copied\n\n"
            f"class Helper:\n{_indented(_DECOY)}\n")
    source = _extracted(tmp_path, cell).program().source
    assert source.count("class Helper:") == 1, source
    compile(source, "<program>", "exec")


def test_a_class_read_by_an_alias_that_compiles_with_a_warning_is_run(tmp_path):
    # "\d" in a docstring: a DeprecationWarning when compiled (no code kept), yet it compiles
    cell = (f'class Helper:\n    """Matches \\d."""\n{_indented(_COPIED)}\n\nrnn_cell_forward = Helper.copied\n\n'
            f"class Helper:\n{_indented(_DECOY)}\n")
    extraction = _extracted(tmp_path, cell)
    source = extraction.program().source
    assert source.count("class Helper:") == 2, source
    assert "np.tanh" in extraction.functions["rnn_cell_forward"].bound_source
