"""A classmate's function copied into a class and aliased (``rnn_cell_forward = Cls.attr``,
``FunctionSource.bound_source``) against the similarity check: twenty-third session's review.
Each test failed on baac9f1."""
from __future__ import annotations

import pytest

from grader.similaritystage import function_sources
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


def test_many_aliases_of_a_big_class_do_not_stall_extraction(tmp_path):
    # 2,000 aliases `aK = H.mK` of a class of 1,500 methods (99 kB of code, within the size
    # limits): each alias parsed the whole class again and split it into lines for
    # ast.get_source_segment, 96 s of the grading process's CPU (extraction runs outside the
    # sandbox). Each class is now parsed once and each def's own lines given to the segment.
    import time

    cls = "class H:\n" + "".join(f"    def m{k}(self, x):\n        return x + {k}\n" for k in range(1500))
    aliases = "".join(f"a{k} = H.m{k % 1500}\n" for k in range(2000))
    path = nbs.write(tmp_path / "many.ipynb", nbs.course_notebook(extra_cells=[nbs.code_cell(cls),
                                                                               nbs.code_cell(aliases)]))
    started = time.process_time()
    sources = function_sources(path, names=["a7", "a1999"])
    assert time.process_time() - started < 10  # 0.4 s here; 96 s before
    assert sources["a7"] == "def m7(self, x):\n    return x + 7"
    assert sources["a1999"] == "def m499(self, x):\n    return x + 499"


def test_aliases_of_a_def_defined_again_run_that_def_once(tmp_path, context, sandbox):
    # `aK = F` run before F is defined again binds the first F, which the program runs just
    # before the alias (`definitions.Def.before`): it ran it again before each alias, so 1,000 aliases of a
    # 3,000-line F (59 kB of code) made a 50 MB program, 52 s of the grading process's CPU to
    # build (and _imported_inside parsed F 1,000 times). It now runs it once while it is F.
    import time

    from grader.extract import extract_file

    big = "def F(x):\n    import json\n" + "".join(f"    x = x + {k}\n" for k in range(3000)) + "    return x\n"
    cells = [nbs.code_cell(big), nbs.code_cell("".join(f"a{k} = F\n" for k in range(1000))),
             nbs.code_cell("def F(x):\n    return x\n")]
    path = nbs.write(tmp_path / "again.ipynb", nbs.course_notebook(extra_cells=cells))
    extraction = extract_file(path)
    started = time.process_time()
    program = extraction.program()
    assert time.process_time() - started < 5  # 0.08 s here; 52 s before
    assert program.source.count("x = x + 2999") == 1 and len(program.source) < 200_000
    # As the notebook ran it: the copy (the first f9) graded, then f9 defined again.
    copy = _COPIED.replace("def rnn_cell_forward(", "def f9(")
    cell = f"{copy}\nrnn_cell_forward = f9\nother = f9\n"
    notebook = nbs.course_notebook({"rnn_cell_forward": cell},
                                   extra_cells=[nbs.code_cell("def f9(xt, a_prev, parameters):\n    return None\n")])
    path = nbs.write(tmp_path / "twice.ipynb", notebook)
    assert extract_file(path).program().source.count("np.tanh(np.dot(Waa") == 1
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED
