"""grader.extract / grader.sandbox: one compile of each def serves extraction's scope analysis
and the program the child loads (fourteenth session).

The names a def reads are taken from its bytecode only where the bytecode tells what the symbol
table would; the program is sent as pieces, the defs' code moved to their lines."""

from __future__ import annotations

import marshal
import sys
import traceback

import numpy as np
import pytest

from grader import extract as extract_module
from grader import scopes
from grader.extract import extract
from grader.notebook import loads
from grader.sandbox import Limits, Sandbox, _compiled
from grader.scopes import compiled_quietly
from tests import notebooks as nbs

bytecode_311 = pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the bytecode reading is 3.11's")

#: Defs whose names the bytecode reads as the symbol table does.
READ_FROM_BYTECODE = [
    "@deco\ndef f(a=x_init, b: T = 1):\n    def g():\n        return [q for q in Q]\n    return a + y\n",
    "def f():\n    global G\n    return G\n",
    "def f(x):\n    lam = lambda y, z=Z: y + W\n    return lam\n",
    "def f(x):\n    del x\n    return H\n",
    "def f(p):\n    match p:\n        case Point(x=0):\n            return O\n        case Color.RED:\n"
    "            return R\n        case [a, *rest]:\n            return a\n",
    "async def f(x):\n    async with L as l:\n        await A(l)\n    return [i async for i in B]\n",
    "def f(x):\n    return f'{F1} {x!r:{F2}}'\n",
    "def outer():\n    n = 0\n    def inner():\n        nonlocal n\n        n += 1\n        return N\n    return inner\n",
    "def f(x):\n    π = PI_\n    return ñ + π\n",
    "def f(*, k=KW, **kw) -> RET:\n    yield from Y\n",
    "def f():\n    x = [y for y in range(3) if y > Z]\n    return {k: v for k, v in D.items()}\n",
    "def f():\n    with open(P) as fh, Q() as (a, b):\n        return a\n",
    "def f():\n    def g(a: AnnT) -> RetT:\n        pass\n    return g\n",
    "def f(x):\n    " + "\n    ".join(f"v{i} = g{i}" for i in range(120)) + "\n    return x\n",
    "def f(x):\n    a_next = np.tanh(np.dot(Waa, x))\n    return softmax(a_next), x.shape\n",
    # 40 code objects, each an attribute's name that stands as a word only within longer words
    "def f(x):\n    s = '" + " ".join(f"a{i}q" for i in range(40)) + "'\n    return [" +
    ", ".join(f"lambda: x.a{i}" for i in range(40)) + "], s, é\n",
]

#: Defs whose bytecode may not tell what the symbol table does: the symbol table is read.
READ_FROM_SYMTABLE = [
    "def f():\n    global G\n    G += 1\n",                       # symtable: no read of G
    "def f():\n    global G\n    del G\n",
    "def f(x):\n    return np.tanh(x)\n    tanh(x)\n",               # unreachable, and an attribute
    "def f(x):\n    return x\n    foo(x)\n",                        # unreachable
    "def f(x):\n    if False:\n        bar(x)\n    return x\n",
    "def f(x):\n    while True:\n        return x\n    baz()\n",
    "def f(x):\n    assert False\n    qux()\n",
    "def f(x):\n    return x if True else NEVER\n",
    "def f(x=False and DEF):\n    return x\n",
    "def f():\n    raise NotImplementedError\n    return rnn_cell_forward(1)\n",
    "def f(x):\n    return np.tanh(x)\n    return ｔａｎｈ\n",         # NFKC: the same name
    "def f(x):\n    y: Foo = 1\n    return y\n",                     # not compiled in a function
    "def f(x):\n    x.a: Bar = 1\n",
    "def f(x):\n    if x: y: Baz = 2\n",
    "def f(x):\n    class C(Base):\n        z = K\n        w = z\n    return C\n",
    "class C(Base):\n    z = K\n    def m(self):\n        return Q\n",
    "def f(x=[(w := 1) for _ in R]):\n    return w\n",              # a global assigned
    "def f():\n    if __debug__:\n        return D\n",                # a constant to the compiler
    "def f():\n    return super().x\n",                              # symtable adds __class__
    "def f(x):\n    " + "\n    ".join(f"v{i} = g{i}" for i in range(300)) + "\n    return x\n",  # EXTENDED_ARG
    "def f(x):\n    x[0]: Sub = 1\n",                              # a subscript annotated
    "def f(x):\n    x[a[0]]: Sub = 1\n",
    "def f(x):\n    x[0:1]: Sub = 1\n",
    "def f(x):\n    if x: x[0]: Sub = 1\n",
    # unreachable code in the last of 40 code objects read: its name found as a word however many
    # names were looked for before it
    "def f(x):\n" + "".join(f"    def g{i}():\n        return x.a{i}\n" + ("        a0\n" if i == 0 else "")
                            for i in range(40)) + "    return g0\n",
]


@bytecode_311
@pytest.mark.parametrize("source", READ_FROM_BYTECODE, ids=range(len(READ_FROM_BYTECODE)))
def test_the_bytecode_gives_the_symbol_tables_names(source: str) -> None:
    code = compiled_quietly(source)
    assert code is not None
    assert scopes.code_uses(code, source) == scopes.global_uses(source)
    assert scopes.def_scope(source) == (*scopes.global_uses(source), code)


@bytecode_311
@pytest.mark.parametrize("source", READ_FROM_SYMTABLE, ids=range(len(READ_FROM_SYMTABLE)))
def test_where_the_bytecode_could_differ_the_symbol_table_is_read(source: str) -> None:
    code = compiled_quietly(source)
    assert code is not None
    assert scopes.code_uses(code, source) is None
    uses, deftime, compiled = scopes.def_scope(source)
    assert (uses, deftime) == scopes.global_uses(source) and compiled == code


def _many_attributes(n: int) -> str:
    """A def of ``n`` lambdas, each reading an attribute whose name the text also holds within a
    longer word (so that a count of the name does not rule it out), and a non-ASCII character."""
    words = " ".join(f"a{i}q" for i in range(n))
    return f"def f(x):\n    s = 'é {words}'\n    return [" + ", ".join(f"lambda: x.a{i}" for i in range(n)) + "], s\n"


def _long_line_of_subscripts(n: int) -> str:
    """A def holding a line of ``n`` times ``:a[`` (in a string: it compiles)."""
    return 'def f():\n    s = "' + ":a[" * n + '"\n    return s\n'


@bytecode_311
@pytest.mark.parametrize("make, n", [(_many_attributes, 250), (_long_line_of_subscripts, 1500)],
                         ids=["attributes", "subscripts"])
def test_reading_a_defs_names_costs_linear_time(make, n) -> None:
    """A def of thousands of code objects whose attributes' names stand in the text within longer
    words had its whole text searched once per code object (15 s for a cell of 100,000
    characters), and a long line of ``:a[`` was scanned to its end from each ``:`` by the
    annotation pattern (5 s): a notebook must not stall a worker that way. Signal: a scaling
    test (tests/scaling.py), not seconds; the names are still the symbol table's."""
    from tests.scaling import assert_linear

    source = make(8 * n)
    assert scopes.def_scope(source)[:2] == scopes.global_uses(source)
    assert_linear(scopes.def_scope, make, n, setup=extract_module.clear_memos,
                  what=f"the names of a def ({make.__name__})")


def test_a_def_that_warns_or_does_not_compile_has_no_code() -> None:
    for source in ("def f(x):\n    return x is 1\n", "def f():\n    return '\\d'\n",
                   "def f():\n    break\n"):
        uses, _deftime, code = scopes.def_scope(source)
        assert code is None and (uses, _deftime) == scopes.global_uses(source)
    with pytest.raises(SyntaxError):
        scopes.def_scope("def f(:\n    pass\n")


def _program(*cells: str):
    """The program of the course's notebook with ``cells`` added, and its extraction."""
    import json

    extract_module.clear_memos()
    data = json.dumps(nbs.course_notebook(extra_cells=[nbs.code_cell(c) for c in cells])).encode()
    extraction = extract(loads(data, path="nb.ipynb"))
    return extraction.program(), extraction


def test_the_pieces_are_the_programs_text_and_its_defs_are_compiled_once() -> None:
    program, extraction = _program("SCALE = 2.0\n", "def helper(x):\n    return SCALE * np.tanh(x)\n")
    lines = program.source.split("\n")
    compiled = [piece for _, piece in program.pieces if not isinstance(piece, str)]
    kept = [d for d in extraction._defs if d.kind == "function"]
    assert len(compiled) == len(kept) and all(d.code is not None for d in kept)
    assert {id(code) for code in compiled} == {id(d.code) for d in kept}  # extraction's own code objects
    covered = []
    for first, piece in program.pieces:
        text = piece if isinstance(piece, str) else next(d.source for d in kept if d.code is piece)
        n = text.count("\n") + 1
        assert lines[first - 1:first - 1 + n] == text.split("\n")
        covered.extend(range(first, first + n))
    assert covered == sorted(set(covered))
    assert all(not lines[i - 1].strip() for i in range(1, len(lines)) if i not in covered)


def test_the_pieces_load_as_the_whole_program_does() -> None:
    program, _ = _program("def helper(x):\n    y = x + 1\n    raise ValueError(y)\n")
    codes = marshal.loads(_compiled(program.source, "<submission>", program.pieces))
    assert isinstance(codes, tuple) and len(codes) == len(program.pieces) > 1
    whole = compile(program.source, "<submission>", "exec", dont_inherit=True)
    pieces_ns: dict = {}
    whole_ns: dict = {}
    for code in codes:
        exec(code, pieces_ns)
    exec(whole, whole_ns)
    assert set(pieces_ns) == set(whole_ns)
    for name, value in whole_ns.items():
        if hasattr(value, "__code__"):  # the same lines (a whole program's compile calls a method
            # of an imported module by LOAD_ATTR, a piece's by LOAD_METHOD: the same call)
            a, b = value.__code__, pieces_ns[name].__code__
            assert (b.co_filename, b.co_firstlineno, sorted({line for *_, line in b.co_lines()})) == \
                   (a.co_filename, a.co_firstlineno, sorted({line for *_, line in a.co_lines()})), name
    frames = []
    for namespace in (whole_ns, pieces_ns):
        with pytest.raises(ValueError) as caught:
            namespace["helper"](1)
        frames.append([(f.filename, f.lineno, f.name) for f in traceback.extract_tb(caught.value.__traceback__)][1:])
    assert frames[0] == frames[1] and frames[0][0][0] == "<submission>"


def test_a_piece_that_warns_or_a_future_statement_leaves_the_program_to_the_child() -> None:
    program, _ = _program("def helper(x):\n    return x\n")
    assert _compiled(program.source, "p", program.pieces) is not None
    warned = program.pieces + ((10_000, "assert (1, 'always')\n"),)
    assert _compiled(program.source, "p", warned) is None
    future = ((1, "from __future__ import annotations\n"),) + program.pieces[1:]
    assert not isinstance(marshal.loads(_compiled(program.source, "p", future)), tuple)  # the whole text


@pytest.fixture(scope="module")
def sandbox():
    """One sandbox for the module."""
    with Sandbox(limits=Limits(call_timeout=3.0, submission_timeout=30.0)) as sb:
        yield sb


def test_a_child_loads_the_pieces_and_reports_the_programs_lines(sandbox) -> None:
    program, _ = _program("def helper(x):\n    y = x + 1\n    raise ValueError('no')\n")
    line = program.source.split("\n").index("    raise ValueError('no')") + 1
    with sandbox.session(program.source, filename="<submission>", pieces=program.pieces) as s:
        assert s.load.status == "ok"
        outcome = s.call("helper", (np.ones(2),))
        assert outcome.status == "error" and outcome.frames == ((line, "helper"),)
        assert s.call("rnn_cell_forward", (np.ones((3, 1)), np.ones((5, 1)), {
            "Wax": np.ones((5, 3)), "Waa": np.ones((5, 5)), "Wya": np.ones((2, 5)),
            "ba": np.ones((5, 1)), "by": np.ones((2, 1))})).status == "ok"


@pytest.mark.parametrize("depth", [900, 1000])
def test_functions_nested_deeper_than_moving_or_marshal_goes_are_left_to_the_child(
        sandbox, depth, default_recursion_limit) -> None:
    """A def of 900 lambdas within one another compiles, but moving its code to its line
    (`_moved`, recursive) went past Python's recursion limit, and at 1,000 marshal refuses it
    ("too deeply nested"): either raised out of `_compiled` and the submission was a harness
    error without a grade, where the session's start graded it. The child compiles it instead."""
    program, _ = _program("def nest():\n    return (" + "lambda: " * depth + "1)" + "()" * depth + "\n")
    for pieces in (program.pieces, ()):
        _compiled(program.source, "<submission>", pieces)
    with sandbox.session(program.source, filename="<submission>", pieces=program.pieces) as s:
        assert s.load.status == "ok"
        outcome = s.call("nest", ())
        assert outcome.status == "ok" and outcome.value == 1


def test_a_dotted_name_is_taken_to_stand_in_the_text_before_and_after_the_words_are_read():
    """An import's dotted name (``os.path``) is no word: `scopes._Words.any_of` takes it to stand in
    the text (the symbol table is then read) however the text spells it, for the first names
    looked for one by one as for those past them, read against the set of words."""
    text = "def f():\n    import os . path\n    return 1\n"
    assert scopes._Words(text).any_of({"os.path"})
    words = scopes._Words(text)
    assert not words.any_of({f"n{i}" for i in range(scopes._LOOKED_FOR + 5)})  # past the first
    assert words.words is not None and words.any_of({"os.path"})
