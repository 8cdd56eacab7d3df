"""The global names a top-level definition reads, and when: what extraction keeps with it.

A function the notebook defines is kept with the definitions, imports and constants it reads
(:mod:`grader.extract`); a name read at definition time (a default value, a decorator, a base
class, a class body's statements) must exist before the program can even load. Both sets are
read from the def's compiled bytecode when it can tell (:func:`code_uses`: one compile serves
the sandbox as well, :func:`def_scope`), else from its symbol table (:func:`global_uses`).
Compiling here says none of the compiler's warnings about student code (:func:`unwarned`,
:func:`compiled_quietly`): the sandbox's child says them when it runs the code. Nothing here
runs student code.
"""

from __future__ import annotations

import ast
import contextlib
import re
import symtable
import sys
import threading
import unicodedata
import warnings
from types import CodeType
from typing import Iterator

from grader.astnodes import nodes

try:  # CPython's flag constants, for the fast reading of symbol tables
    import _symtable
except ImportError:  # pragma: no cover - other interpreters use the public API
    _symtable = None


def global_uses(source: str) -> tuple[frozenset[str], frozenset[str]]:
    """Global names a top-level def or class reads: ``(all, at definition time)``.

    Definition time covers decorators, default values, annotations, base
    classes and a class body's own statements: a name missing there breaks
    the whole program when it is loaded, not just one call.
    Raises SyntaxError (or ValueError for NUL bytes) when ``source`` does not parse.
    """
    with unwarned():
        top = symtable.symtable(source, "<def>", "exec")
    raw = getattr(top, "_table", None)
    if _symtable is not None and isinstance(getattr(raw, "symbols", None), dict) and isinstance(getattr(raw, "children", None), list) \
            and all(hasattr(c, "type") for c in raw.children):
        return _raw_global_uses(raw)
    deftime = {sym.get_name() for sym in top.get_symbols() if sym.is_referenced()}
    names = set(deftime)
    stack = [(t, _runs_at_once(t.get_type() == "class", t.get_name())) for t in top.get_children()]
    while stack:
        table, at_deftime = stack.pop()
        for sym in table.get_symbols():
            if sym.is_referenced() and sym.is_global():
                names.add(sym.get_name())
                if at_deftime:
                    deftime.add(sym.get_name())
        stack.extend((t, at_deftime and _runs_at_once(t.get_type() == "class", t.get_name()))
                     for t in table.get_children())
    return frozenset(names), frozenset(deftime)


_COMPILE_LOCK = threading.Lock()  # the warnings filters are the process's: one compile at a time


@contextlib.contextmanager
def unwarned() -> Iterator[None]:
    """Compile or parse a student's code here without the compiler's warnings about it ("\\d" in a
    docstring: a SyntaxWarning on the TA's terminal from Python 3.12); the child says them when it
    runs the code. Under ``_COMPILE_LOCK``: the warnings filters are the process's."""
    with _COMPILE_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def compiled_quietly(text: str, filename: str = "<def>") -> CodeType | None:
    """``text`` compiled as the sandbox's child would compile it (``dont_inherit``, ``optimize=0``:
    the zygote runs this interpreter without ``-O``), or None when compiling it fails or says
    anything (a syntax error, a warning, which the child must then say to the student itself)."""
    try:
        with _COMPILE_LOCK, warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            code = compile(text, filename, "exec", dont_inherit=True, optimize=0)
    except Exception:  # SyntaxError, ValueError (NUL bytes), RecursionError, MemoryError
        return None
    return None if said else code


def def_scope(source: str) -> tuple[frozenset[str], frozenset[str], CodeType | None]:
    """``(all global names read, those read at definition time, the compiled source)`` of a
    top-level def or class (`global_uses`; the code is None when `compiled_quietly` gives none).

    One parse serves both: the names are read from the bytecode (`code_uses`) when it tells
    what the symbol table would, else from the symbol table (a second parse). Raises
    SyntaxError (or ValueError) when ``source`` does not parse, as `global_uses` does.
    """
    code = compiled_quietly(source)
    uses = code_uses(code, source) if code is not None else None
    return (*(uses or global_uses(source)), code)


if sys.version_info[:2] == (3, 11):  # the opcodes and argument encoding `_names_used` reads
    import dis

    _OP = dis.opmap
    _NAME_OPS = frozenset(dis.hasname)
    _GLOBAL_WRITES = frozenset({_OP["STORE_GLOBAL"], _OP["DELETE_GLOBAL"]})
    _NAME_WRITES = frozenset({_OP["STORE_NAME"], _OP["DELETE_NAME"]})  # the top level's: the def's name
    # Every code unit (two bytes: opcode, argument) of an instruction naming a name, as
    # ``memoryview(co_code).cast("H")`` reads units on this machine.
    _NAME_UNITS = frozenset(op | arg << 8 if sys.byteorder == "little" else op << 8 | arg
                            for op in _NAME_OPS for arg in range(256))
    # Opcodes only a node of work compiles to in 3.11 (a loop, arithmetic, a subscript or a slice,
    # a comparison, a unary operator, a test): never a call, a name, an attribute, a constant, a
    # display, a starred argument or an assignment to names (`body_works`).
    _WORK_OPS = frozenset(_OP[name] for name in (
        "FOR_ITER", "BINARY_OP", "BINARY_SUBSCR", "STORE_SUBSCR", "DELETE_SUBSCR", "BUILD_SLICE",
        "COMPARE_OP", "IS_OP", "CONTAINS_OP", "UNARY_POSITIVE", "UNARY_NEGATIVE", "UNARY_NOT", "UNARY_INVERT",
        "JUMP_IF_FALSE_OR_POP", "JUMP_IF_TRUE_OR_POP", "POP_JUMP_FORWARD_IF_FALSE", "POP_JUMP_FORWARD_IF_TRUE",
        "POP_JUMP_FORWARD_IF_NONE", "POP_JUMP_FORWARD_IF_NOT_NONE", "POP_JUMP_BACKWARD_IF_FALSE",
        "POP_JUMP_BACKWARD_IF_TRUE", "POP_JUMP_BACKWARD_IF_NONE", "POP_JUMP_BACKWARD_IF_NOT_NONE"))
else:  # pragma: no cover - other interpreters read the symbol table
    _OP = None
_CO_OPTIMIZED = 1  # inspect.CO_OPTIMIZED: a function's code, not a class body's
# A line after the first (or what follows a `;` or a `:`) that may annotate a name: `x: int = 0`,
# `self.w: T`; or any `]` before such a colon (`x[i]: T`, and `{a[0]: 1}` too). A function body's
# annotations are not compiled, yet the symbol table reads them. (A subscript is found from its
# `]`, by a pattern of its own: read from the name, `\[[^\n]*\]` scanned the rest of the line from
# every `:` in it; one pattern of two alternatives costs 20 % more than the two.)
_ANNOTATION_RE = re.compile(r"[\n;:][ \t(]*(?!(?:else|try|finally|except)\b)[^\W\d]\w*"
                            r"(?:[ \t]*\.[ \t]*\w+)*[ \t)]*:(?![=:]|[ \t]*(?:#|$))", re.MULTILINE)
_SUBSCRIPT_ANNOTATION_RE = re.compile(r"\][ \t)]*:(?![=:]|[ \t]*(?:#|$))", re.MULTILINE)


def _may_annotate(source: str) -> bool:
    """Whether `_ANNOTATION_RE` or `_SUBSCRIPT_ANNOTATION_RE` finds something in ``source``, both
    searched in the lines that hold a colon only (a def's lines are mostly without one: 25 -> 9 us
    a def of the class). A match of either lies within the line of its last colon, but for the
    line end before it, which the lines kept keep: each but the first follows a line end, as in
    ``source``, and what follows a line end or a line's last character is read alike (``$``)."""
    lines = source.split("\n")
    kept = "\n".join([line for line in lines[1:] if ":" in line])
    text = (lines[0] if ":" in lines[0] else "") + "\n" + kept
    return bool(_ANNOTATION_RE.search(text) or _SUBSCRIPT_ANNOTATION_RE.search(text))


def code_uses(top: CodeType, source: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """`global_uses` read from the bytecode of ``source`` (``top``), or None when the bytecode
    may not tell what the symbol table would: a class body (its names' scopes depend on what it
    binds), a ``global`` name assigned or deleted (``x += 1`` reads it, but the symbol table
    counts no read), an annotation in a function's body (not compiled), ``__debug__`` (compiled
    as a constant), ``super`` (the symbol table adds ``__class__`` wherever it is named), more
    than 127 names in a code object, and code the compiler dropped as unreachable that reads a
    global (a name of ``co_names`` no instruction refers to, or one that only attributes and
    imports refer to in a code object while the text also has it as a word: `_names_used`)."""
    if _OP is None or "__debug__" in source or "super" in source or _may_annotate(source):
        return None
    words = _Words(source)
    deftime = _names_used(top, _OP["LOAD_NAME"], words)
    if deftime is None:
        return None
    names = set(deftime)
    stack = [(c, _runs_at_once(False, c.co_name)) for c in top.co_consts if type(c) is CodeType]
    while stack:
        code, at_deftime = stack.pop()
        read = _names_used(code, _OP["LOAD_GLOBAL"], words) if code.co_flags & _CO_OPTIMIZED else None
        if read is None:
            return None
        names |= read
        if at_deftime:
            deftime |= read
        stack.extend((c, at_deftime and _runs_at_once(False, c.co_name)) for c in code.co_consts if type(c) is CodeType)
    return frozenset(names), frozenset(deftime)


def body_works(top: CodeType | None, name: str) -> bool:
    """Whether the body of def ``name``, compiled at the top level of ``top`` (the def's source
    compiled, ``def_scope``), holds a loop, arithmetic, a subscript, a comparison or a test, as its
    own instructions show (`_WORK_OPS`): then it does not only delegate (``astnodes.only_delegates``
    answers False for its parse), and ``gradedsource._compared_text`` need not parse it to know (a parse
    of each graded def that calls another cost a worker about 0.5 ms a notebook). False when the
    bytecode cannot tell: no code, no one code object of that name, another interpreter, or work
    only in a nested function or comprehension, or folded into a constant."""
    if top is None or _OP is None:
        return False
    bodies = [c for c in top.co_consts if type(c) is CodeType and c.co_name == name]
    # Every even byte of 3.11's code is an opcode (an inline cache is a CACHE unit, opcode 0).
    return len(bodies) == 1 and not _WORK_OPS.isdisjoint(bodies[0].co_code[::2])


def _names_used(code: CodeType, load: int, words: "_Words") -> set[str] | None:
    """The names ``code``'s own instructions read with opcode ``load`` (LOAD_GLOBAL in a
    function, LOAD_NAME at the top level), or None when that may miss a read the symbol table
    sees (see `code_uses`)."""
    names = code.co_names
    if len(names) > 127:  # a name's index may need EXTENDED_ARG, which this reading skips
        return None
    read: set[int] = set()
    other: set[int] = set()  # attributes and imports
    written: set[int] = set()
    load_global, little = _OP["LOAD_GLOBAL"], sys.byteorder == "little"
    # Each distinct instruction naming a name once (they repeat), found at C speed.
    for unit in _NAME_UNITS.intersection(memoryview(code.co_code).cast("H")):
        op, arg = (unit & 255, unit >> 8) if little else (unit >> 8, unit & 255)
        index = arg >> 1 if op == load_global else arg
        if op == load:
            read.add(index)
        elif op in _GLOBAL_WRITES or op == load_global or op == _OP["LOAD_NAME"]:
            return None  # a global assigned, or a scope this reading does not expect
        elif op in _NAME_WRITES:
            written.add(index)
        else:
            other.add(index)
    if len(read | other | written) != len(names):
        return None  # a name only unreachable code uses
    suspects = ({names[i] for i in other - read - written}
                - set(code.co_varnames) - set(code.co_cellvars) - set(code.co_freevars))
    if suspects and words.any_of(suspects):
        return None  # an attribute's name also read as a word: maybe in unreachable code
    return {names[i] for i in read}


_WORD_RE = re.compile(r"(?<![\w.])\w+")  # a word of its own: not within another, not after a dot
_LOOKED_FOR = 32  # names looked for one by one in a def (the class's defs look for 5 at most)


class _Words:
    """Whether names stand in a def's text as words of their own (not after a dot), the text read
    as the compiler reads identifiers (NFKC), so another spelling of a name is found. One per
    def (`code_uses`), for all its code objects: the first ``_LOOKED_FOR`` names are looked for
    one by one (only a name found more often than after a dot is searched for); past them the
    text's words are read once into a set, so that a def of thousands of code objects costs a
    few passes over its text, not one per code object (15 s for a cell of 100,000 characters)."""

    def __init__(self, source: str) -> None:
        """Read nothing yet: most defs look for no name."""
        self.source = source
        self.text: str | None = None
        self.looked = 0
        self.words: frozenset[str] | None = None

    def any_of(self, names: set[str]) -> bool:
        """Could one of ``names`` stand in the text as a word of its own? (A name not made of
        word characters alone, such as an import's dotted name, is taken to: the symbol table
        is then read.)"""
        text = self.text
        if text is None:
            source = self.source
            text = self.text = source if source.isascii() else unicodedata.normalize("NFKC", source)
        for name in names:
            if _WORD_RE.fullmatch(name) is None:
                return True
            if self.looked < _LOOKED_FOR:
                self.looked += 1
                if text.count(name) != text.count("." + name) and \
                        re.search(r"(?<![\w.])" + re.escape(name) + r"(?!\w)", text):
                    return True
                continue
            if self.words is None:
                self.words = frozenset(_WORD_RE.findall(text))
            if name in self.words:
                return True
        return False


#: The scopes a comprehension makes (Python 3.11), run where it stands; a generator's runs later.
_COMPREHENSIONS = frozenset({"listcomp", "setcomp", "dictcomp", "<listcomp>", "<setcomp>", "<dictcomp>"})


def _runs_at_once(is_class: bool, name: str) -> bool:
    """Whether a scope within code run at definition time (a class body, a default value, a
    decorator) runs then too: a class body (``class RNN: class Inner: cell = ...``) and a list,
    set or dict comprehension do; a def's or a lambda's body, or a generator, runs when called.
    A nested class reading a function defined again later got no earlier definition run before
    it (``definitions.Def.runs_first``): NameError, the class left out, a right ``rnn_forward`` 'error'."""
    return is_class or name in _COMPREHENSIONS


def _raw_global_uses(top: object) -> frozenset[str]:
    """:func:`global_uses` on CPython's raw symbol-table entries (five times faster).

    Reads the flag words the public :mod:`symtable` API decodes one Symbol
    object at a time; used only when the entries have the expected shape.
    """
    use, off, mask = _symtable.USE, _symtable.SCOPE_OFF, _symtable.SCOPE_MASK
    global_scopes = (_symtable.GLOBAL_IMPLICIT, _symtable.GLOBAL_EXPLICIT)
    deftime = {n for n, flags in top.symbols.items() if flags & use}  # type: ignore[attr-defined]
    names = set(deftime)
    stack = [(t, _runs_at_once(t.type == _symtable.TYPE_CLASS, t.name))  # type: ignore[attr-defined]
             for t in top.children]  # type: ignore[attr-defined]
    while stack:
        table, at_deftime = stack.pop()
        for n, flags in table.symbols.items():
            if flags & use and (flags >> off) & mask in global_scopes:
                names.add(n)
                if at_deftime:
                    deftime.add(n)
        stack.extend((t, at_deftime and _runs_at_once(t.type == _symtable.TYPE_CLASS, t.name)) for t in table.children)
    return frozenset(names), frozenset(deftime)


def first_loads(node: ast.AST) -> dict[str, int]:
    """Name -> first line where it is read inside ``node``."""
    first: dict[str, int] = {}
    for sub in nodes(node, {}):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
            if sub.id not in first or sub.lineno < first[sub.id]:
                first[sub.id] = sub.lineno
    return first
