"""``program.defaults_line`` (a def whose default names another function: the program makes the
default call whatever that global is, so the trace stub standing there is met): the lines it adds,
pinned on both extraction paths before it was given the def's node instead of parsing the def's
source again (twenty-fourth session). Notebooks are made by the tests."""
from __future__ import annotations

import ast

import pytest

from grader import extract as ex, program
from grader.notebook import load
from tests import notebooks as nbs

HELPERS = "import numpy as np\ndef g(x):\n    return x\ndef h(x):\n    return -x\n"


def _line(name: str, dep: str) -> str:
    """The line that makes ``name``'s default ``dep`` call the global ``dep``."""
    return (f"    {name}.__defaults__ = tuple((lambda *args, **kwargs: {dep}(*args, **kwargs)) if value is "
            f"{dep} else value for value in {name}.__defaults__)")


def _defaults_lines(tmp_path, cell: str) -> list[str]:
    """The ``__defaults__`` lines of the program extracted from a notebook of ``HELPERS`` and ``cell``."""
    path = nbs.write(tmp_path / "nb.ipynb", nbs.notebook([nbs.code_cell(HELPERS), nbs.code_cell(cell)]))
    source = ex.extract(load(path)).program().source
    return [line for line in source.split("\n") if "__defaults__" in line]


# A line magic sends the cell down extraction's careful path (parsed with IPython's rules), which
# holds the def's node; a plain cell goes down the fast one, which does not.
@pytest.mark.parametrize("magic", ["", "%matplotlib inline\n"])
def test_a_default_naming_functions_calls_their_globals(tmp_path, magic):
    cell = magic + "def f(x, cell=h, other=np, first=g):\n    return cell(first(x))\n"
    assert _defaults_lines(tmp_path, cell) == [_line("f", "g"), _line("f", "h")]


@pytest.mark.parametrize("magic", ["", "%matplotlib inline\n"])
def test_a_lambda_and_a_plain_default_add_nothing(tmp_path, magic):
    # A decorated def gets the line since the twenty-fifth session, for the function of its name
    # the decorator gives back (as check() stands the stub there); a static method has no
    # __globals__, and the guarded line leaves it.
    assert _defaults_lines(tmp_path, magic + "@staticmethod\ndef f(x, cell=g):\n    return cell(x)\n") == [
        _line("f", "g").replace("    f.__defaults__", "    if f.__qualname__ == 'f' and f.__globals__ is globals(): "
                                "f.__defaults__", 1)]
    assert _defaults_lines(tmp_path, magic + "f = lambda x, cell=g: cell(x)\n") == []
    assert _defaults_lines(tmp_path, magic + "def f(x, scale=2.0):\n    return g(x) * scale\n") == []


def test_the_defs_node_is_read_when_given():
    """Given the def's node, its source is not parsed again (here it could not be)."""
    node = ast.parse("def f(x, cell=g):\n    return cell(x)\n").body[0]
    assert program.defaults_line("f", "this is not Python (", ["g"], node=node).endswith(
        "for value in f.__defaults__)\nexcept Exception:\n    pass")
    assert program.defaults_line("f", "def f(x, cell=g):\n    return cell(x)\n", ["g"]) == \
        program.defaults_line("f", "", ["g"], node=node)
