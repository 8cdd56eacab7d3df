"""A copied function graded through code that runs while the program is built (a decorator, a
metaclass, a class's ``__init_subclass__`` or a descriptor's ``__set_name__``) against the
similarity check: twenty-fourth session's review. Each case was graded in full on b557f47
while the check compared only the decoy (or ``class H(metaclass=M): pass``); each test failed
there."""
from __future__ import annotations

import pytest

from grader.similaritystage import function_sources
from grader.gradedsource import UNSEEN_NOTE
from grader.similarity import find_similar, render_similarity_html
from tests import notebooks as nbs
from tests.copies import graded_copy

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
    # The notebook's own staticmethod (a def, an alias, or a name the class body binds).
    "staticmethod_def": (f"{_COPY}\ndef staticmethod(f):\n    return f9\n\nclass H:\n    @staticmethod\n"
                         f"{_indent(_DECOY)}\n\nrnn_cell_forward = H.rnn_cell_forward\n"),
    "staticmethod_alias": (f"{_COPY}\ndef _pick(f):\n    return f9\n\nstaticmethod = _pick\n\nclass H:\n"
                           f"    @staticmethod\n{_indent(_DECOY)}\n\nrnn_cell_forward = H.rnn_cell_forward\n"),
    "staticmethod_in_body": (f"{_COPY}\ndef _pick(f):\n    return f9\n\nclass H:\n    staticmethod = _pick\n\n"
                             f"    @staticmethod\n{_indent(_DECOY)}\n\nrnn_cell_forward = H.rnn_cell_forward\n"),
    # A descriptor's __set_name__ runs after the body and replaces the decoy.
    "set_name": (f"{_COPY}\nclass D:\n    def __set_name__(self, owner, name):\n"
                 "        owner.rnn_cell_forward = staticmethod(f9)\n\n"
                 f"class H:\n    d = D()\n\n    @staticmethod\n{_indent(_DECOY)}\n"
                 "\nrnn_cell_forward = H.rnn_cell_forward\n"),
}


@pytest.mark.parametrize("how", sorted(_CELLS))
def test_code_run_while_building_is_compared_and_noted(tmp_path, context, sandbox, how):
    path, result, source = graded_copy(tmp_path, how, _CELLS[how], context=context, sandbox=sandbox)
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


def test_many_aliases_of_a_class_built_by_code_share_one_text(tmp_path):
    # A member of a class whose building runs code is compared as the class with what it reaches:
    # made again for each of 2,000 aliases of a class of 1,500 methods (99 kB), those texts took
    # extraction from 30 MB to 156 MB at its peak (this session's first version of the fix).
    import time
    import tracemalloc

    from grader.extract import extract_file

    cls = ("class M(type):\n    pass\n\nclass H(metaclass=M):\n"
           + "".join(f"    def m{k}(self, x):\n        return x + {k}\n" for k in range(1500)))
    aliases = "".join(f"a{k} = H.m{k % 1500}\n" for k in range(2000))
    path = nbs.write(tmp_path / "many.ipynb", nbs.course_notebook(extra_cells=[nbs.code_cell(cls),
                                                                               nbs.code_cell(aliases)]))
    tracemalloc.start()
    try:
        started = time.process_time()
        functions = extract_file(path).functions
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.process_time() - started < 10
    assert peak < 80 * 2**20, peak  # 30 MB here, 156 MB before
    assert functions["a7"].bound_source is functions["a1999"].bound_source
    source = function_sources(path, names=["a7"])["a7"]
    assert source.startswith(f"{UNSEEN_NOTE}`a7` is a member of class `H`") and "return x + 1499" in source


def test_the_note_quotes_a_long_class_name_cut(tmp_path):
    # A class name is the student's to choose, up to a cell's 100,000 characters: the note of every
    # function aliasing a member quoted it whole (this session's first version).
    name = "H" * 30_000  # three times in the cell: within its 100,000 characters
    cell = f"{_CELLS['metaclass'].replace('class H(', f'class {name}(').replace('= H.', f'= {name}.')}"
    path = nbs.write(tmp_path / "long.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    first = function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"].split("\n", 1)[0]
    assert first.startswith(f"{UNSEEN_NOTE}`rnn_cell_forward` is a member of class `HHH") and len(first) < 400


def test_the_notes_are_spelt_alike_in_the_runner_and_the_similarity_check():
    # The kit holds the runner, not grader.similarity; the store's entries do not depend on the
    # notes: each spells them, and they must agree.
    from grader import gradedsource
    from grader.similarity import ownwork

    assert (gradedsource.UNSEEN_NOTE, gradedsource.REACHED_TAIL) == (ownwork.UNSEEN_NOTE, ownwork.REACHED_TAIL)
    assert gradedsource.unseen_note("x").rstrip("\n").endswith(ownwork.REACHED_TAIL)
