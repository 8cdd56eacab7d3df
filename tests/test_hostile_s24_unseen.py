"""A copied function graded through code that runs while the program is built (a decorator, a
metaclass, a class's ``__init_subclass__`` or a descriptor's ``__set_name__``) against the
similarity check: twenty-fourth session's review. Each case was graded in full on b557f47
while the check compared only the decoy (or ``class H(metaclass=M): pass``); each test failed
there."""
from __future__ import annotations

import pytest

from grader.commands import function_sources
from grader.models import PASSED
from grader.runner import UNSEEN_NOTE, grade_submission
from grader.similarity import find_similar, render_similarity_html
from tests import notebooks as nbs

_COPY = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def f9(")
# Not a placeholder (a decoy of `return None` is graded as not implemented): three lines of its own.
_DECOY = ("def rnn_cell_forward(xt, a_prev, parameters):\n    a_next = xt * 2\n"
          "    return a_next, None, (a_next, a_prev, xt, parameters)\n")


def _indent(source: str) -> str:
    return "\n".join("    " + line if line else line for line in source.split("\n"))


_CELLS = {
    # The decorator's result is what the name binds: f9, whatever the decoy def says.
    "decorator": f"{_COPY}\n@(lambda f: f9)\n{_DECOY}",
    "member_decorator": (f"{_COPY}\nclass H:\n    @staticmethod\n    @(lambda f: f9)\n{_indent(_DECOY)}\n"
                         "\nrnn_cell_forward = H.rnn_cell_forward\n"),
    # H binds nothing of the name: its metaclass hands out the copy.
    "metaclass": (f"{_COPY}\nclass M(type):\n    def __getattr__(cls, name):\n        return f9\n\n"
                  "class H(metaclass=M):\n    pass\n\nrnn_cell_forward = H.rnn_cell_forward\n"),
    # The base replaces the subclass's decoy once the subclass is made.
    "init_subclass": (f"{_COPY}\nclass B:\n    def __init_subclass__(cls):\n"
                      "        cls.rnn_cell_forward = staticmethod(f9)\n\n"
                      f"class H(B):\n    @staticmethod\n{_indent(_DECOY)}\n"
                      "\nrnn_cell_forward = H.rnn_cell_forward\n"),
    # A descriptor's __set_name__ runs after the body and replaces the decoy.
    "set_name": (f"{_COPY}\nclass D:\n    def __set_name__(self, owner, name):\n"
                 "        owner.rnn_cell_forward = staticmethod(f9)\n\n"
                 f"class H:\n    d = D()\n\n    @staticmethod\n{_indent(_DECOY)}\n"
                 "\nrnn_cell_forward = H.rnn_cell_forward\n"),
}


@pytest.mark.parametrize("how", sorted(_CELLS))
def test_code_run_while_building_is_compared_and_noted(tmp_path, context, sandbox, how):
    path = nbs.write(tmp_path / f"{how}.ipynb", nbs.course_notebook({"rnn_cell_forward": _CELLS[how]}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED  # the copy is what is graded
    source = result.extra["sources"]["rnn_cell_forward"]
    assert source == function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"]
    assert source.startswith(UNSEEN_NOTE) and "np.tanh" in source, source
    classmate = nbs.write(tmp_path / "classmate.ipynb", nbs.course_notebook())
    sources = {how: {"rnn_cell_forward": source},
               "classmate": function_sources(classmate, names=["rnn_cell_forward"])}
    report = find_similar(sources)
    # Scored by containment of the classmate's function: 1.0 (by the larger side 0.71-0.91).
    assert [(p.a, p.b, p.flagged, p.scores) for p in report.pairs] == [
        (how, "classmate", True, {"rnn_cell_forward": 1.0})]
    page = render_similarity_html(report, sources)
    assert f"<li>{how}: `" in page and "rnn_cell_forward` " in page and "<li>classmate" not in page


def test_plain_classes_and_defs_are_compared_as_before(tmp_path):
    # A static method in a class that runs nothing while built, and an undecorated def: no note,
    # the member's or the def's own text (so the class benchmark's sources do not change).
    cell = (f"class H:\n    '''Cells.'''\n    size = 3\n\n    @staticmethod\n{_indent(nbs.COURSE_CELLS['rnn_cell_forward'])}\n"
            "\nrnn_cell_forward = H.rnn_cell_forward\n")
    path = nbs.write(tmp_path / "plain.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    sources = function_sources(path, names=["rnn_cell_forward", "rnn_forward"])
    assert sources["rnn_cell_forward"].startswith("def rnn_cell_forward(")
    assert sources["rnn_forward"].startswith("def rnn_forward(")
    assert not any(source.startswith(UNSEEN_NOTE) for source in sources.values())


def test_a_long_decoy_does_not_hide_the_copy(tmp_path):
    # By the larger side a decoy of 40 lines of its own kept the decorated copy at 0.3.
    long_decoy = _DECOY.replace("    a_next = xt * 2\n", "".join(f"    v{i} = xt * {i} + a_prev.sum()\n"
                                                                for i in range(40)) + "    a_next = xt * 2\n")
    path = nbs.write(tmp_path / "long.ipynb", nbs.course_notebook(
        {"rnn_cell_forward": f"{_COPY}\n@(lambda f: f9)\n{long_decoy}"}))
    classmate = nbs.write(tmp_path / "classmate.ipynb", nbs.course_notebook())
    report = find_similar({"long": function_sources(path, names=["rnn_cell_forward"]),
                           "classmate": function_sources(classmate, names=["rnn_cell_forward"])})
    assert [(p.a, p.b, p.flagged) for p in report.pairs] == [("long", "classmate", True)]
