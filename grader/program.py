"""The program the sandbox runs, assembled from what extraction kept (:mod:`grader.extract`): its
segments and where each came from in the notebook, and the lines the grader adds around the student's
code (late calls for members and defaults, guards, the course modules, imports that failed in the
notebook, definitions run in the order the notebook ran them)."""

from __future__ import annotations

import ast
import sys
import textwrap
from dataclasses import dataclass
from types import CodeType
from typing import Collection, Iterable, Sequence

from grader.course import COURSE_HELPERS, COURSE_MODULES, is_test_helper_module
from grader.definitions import Def, Import
from grader.notebook import SIZE_LIMITS


@dataclass(frozen=True)
class Segment:
    """Program lines ``first``..``last`` (1-based, inclusive) came from here.

    ``cell_index``/``cell_line`` locate the segment's first line in the
    notebook (both None for code the grader added, such as course helpers);
    ``function`` names the function the lines belong to, if any.
    """

    first: int
    last: int
    function: str | None
    cell_index: int | None
    cell_line: int | None


@dataclass(frozen=True)
class Program:
    """The code the sandbox executes, with a map back to the notebook.

    ``pieces`` cut ``source`` into runs of whole top-level statements: ``(first line, code)``
    for a definition extraction already compiled (`compiled_quietly`, as if its text began
    on line 1) and ``(first line, text)`` for the rest (imports, course helpers, constants).
    The sandbox compiles the texts and moves every piece to its line instead of compiling
    ``source`` again (``grader.sandbox._compiled``).
    """

    source: str
    segments: tuple[Segment, ...]
    pieces: tuple[tuple[int, CodeType | str], ...] = ()

    def locate(self, program_line: int) -> tuple[int | None, int | None, str | None]:
        """Map a 1-based program line to ``(cell_index, line_in_cell, function)``.

        Lines the grader added (course helpers, blank separators) give None
        for the cell and line; course helpers still name their function.
        """
        for seg in self.segments:
            if seg.first <= program_line <= seg.last:
                if seg.cell_index is None or seg.cell_line is None:
                    return (None, None, seg.function)
                return (seg.cell_index, seg.cell_line + program_line - seg.first, seg.function)
        return (None, None, None)


def within(texts: Iterable[str]) -> tuple[str, ...]:
    """``texts`` in order until they hold ``MAX_REACHED_CHARS`` (the one that passes it included)."""
    kept: list[str] = []
    size = 0
    for text in texts:
        if size >= MAX_REACHED_CHARS:
            break
        kept.append(text)
        size += len(text)
    return tuple(kept)


def _late_call(name: str) -> str:
    """A lambda that calls whatever the global ``name`` is when it is called: what the program puts
    where the notebook held a function itself (a class's member, a default value), so that the
    grader's trace stub standing under ``name`` is met there too."""
    return f"lambda *args, **kwargs: {name}(*args, **kwargs)"


def guarded(statement: str) -> str:
    """``statement`` in the program, where an exception (a class or function that refuses the
    assignment) leaves things as the notebook made them."""
    return f"try:\n    {statement}\nexcept Exception:\n    pass"


def dispatch_line(name: str, cls: str, attr: str, *, static: bool) -> str:
    """The program's line after ``name = cls.attr`` (a static method, or a def without decorators:
    ``static`` False): ``cls.attr`` then calls whatever the global ``name`` is at the time, the same
    function unless the grader stands its trace stub there. A composite calling ``RNN.cell(...)``
    was never isolated from a wrong cell bound as ``rnn_cell_forward = RNN.cell`` (the stub stands
    under names, never in a class): the cell's mistake cost its points a second time in every
    output of rnn_forward. A plain def stays a plain function, so an instance still passes itself
    first, as to the def. A class that refuses the assignment keeps its method."""
    call = _late_call(name)
    return guarded(f"{cls}.{attr} = {f'staticmethod({call})' if static else call}")


def defaults_line(name: str, source: str, functions: Collection[str], *, node: ast.AST | None = None) -> str:
    """The program's lines after ``def name(..., cell=rnn_cell_forward)`` (a default naming one of
    ``functions``, defined before it): the default then calls whatever that global is at the time,
    as ``dispatch_line`` does for a class's method. The default held the function itself, so a
    composite calling ``cell(...)`` never met the trace stub standing under its name, and a wrong
    cell cost rnn_forward its 15 points too. "" when no default names one.

    A decorated def too (until the twenty-fifth session it had none): where the decorator gave the
    function back (``@register``), check() stands the stub among its defaults as among any
    top-level function's (``live._stand_in_defaults``), and the line does the same; where it gave
    something else (a static method, a cache, a new function of its own), the line leaves it, as
    check() does: it applies only to a function of that name defined in the program.

    ``node``: the statement's node when extraction has it (its careful path), read instead of
    parsing ``source`` again; the fast path has none, and ``source`` is parsed."""
    if node is None:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return ""
        node = tree.body[0] if len(tree.body) == 1 else None
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return ""
    named = _named_in(node.args.defaults, functions)
    # A keyword-only parameter's default (``def f(x, *, cell=rnn_cell_forward)``) is held apart,
    # in ``__kwdefaults__`` (a dict), and read by the same rule.
    keyword = _named_in(node.args.kw_defaults, functions)
    # What a decorator gave back is read as check() reads the kernel's functions: a function of
    # this name defined here (a decorator's new inner function is not, nor a library's wrapper).
    when = f"if {name}.__qualname__ == {name!r} and {name}.__globals__ is globals(): " if node.decorator_list else ""
    return "\n".join([
        *(guarded(f"{when}{name}.__defaults__ = tuple(({_late_call(dep)}) if value is {dep}"
                   f" else value for value in {name}.__defaults__)") for dep in named),
        *(guarded(f"{when}{name}.__kwdefaults__ = {{key: ({_late_call(dep)}) if value is {dep}"
                   f" else value for key, value in {name}.__kwdefaults__.items()}}") for dep in keyword),
    ])


def _named_in(defaults: Sequence[ast.expr | None], functions: Collection[str]) -> list[str]:
    """The names of ``functions`` read anywhere in ``defaults`` (sorted): a default whose value may
    be that very function (``cell=rnn_cell_forward if fast else slow``, not only
    ``cell=rnn_cell_forward``), which the line's ``value is dep`` then finds, as check()
    (``live._stand_in_defaults``) finds it by identity. Only a bare name was read until the
    twenty-fifth session: such a composite passed in check() and lost its points in the grade."""
    return sorted({n.id for d in defaults if d is not None for n in ast.walk(d)
                   if isinstance(n, ast.Name) and n.id in functions})


def members_line(name: str, functions: Collection[str]) -> str:
    """The program's lines after ``class name`` whose body reads one of ``functions`` (``cell =
    staticmethod(rnn_cell_forward)``, or ``cell = rnn_cell_forward``): each member that is that
    very function, or a static method of it, then calls whatever the global is at the time, as
    ``dispatch_line`` does after ``name = Cls.attr``. Without an alias no dispatch line was
    made, and a composite calling ``RNN.cell(...)`` never met the trace stub: a wrong cell cost
    rnn_forward its points too, where check() (``live._stand_in_classes``) isolated it. A class
    method is left alone (it would lose its ``cls``); a class that refuses keeps its members."""
    return "\n".join(
        guarded(f"[setattr({name}, key, staticmethod({_late_call(dep)}) if type(value) is staticmethod"
                 f" else ({_late_call(dep)})) for key, value in list(vars({name}).items())"
                 f" if value is {dep} or (type(value) is staticmethod and value.__func__ is {dep})]")
        for dep in sorted(functions))


#: The standard library's top-level modules: imported inside a function, imported again by the
#: next call without complaint, so never imported at load (``imported_inside``).
_STANDARD = frozenset(sys.stdlib_module_names)
#: Packages whose import takes seconds: never imported at load for a function that imports them
#: when called (the call's own time limit then says so, not every function's load).
_SLOW_PACKAGES = frozenset({"tensorflow", "keras", "torch", "jax", "matplotlib", "pandas", "sklearn", "seaborn",
                            "transformers", "tensorflow_datasets", "torchvision", "IPython", "plotly"})


def imported_inside(inside: Iterable[str]) -> list[str]:
    """The modules of ``inside`` (what the kept functions and classes import in their bodies,
    ``body_modules``) for the program to import at load (each in a ``try``, binding no name),
    course and test modules, slow packages, NumPy itself and the standard library (imported
    again without complaint) aside.

    The sandbox's child restores ``sys.modules`` after every call, so a module first imported
    by a call is imported again by the next one, and a compiled extension such as
    ``scipy.special``'s refuses: "ImportError: cannot load module more than once per process".
    A right lstm_cell_forward doing ``from scipy.special import expit`` in its body passed its
    first case and raised in the others (5 / 20). Imported at load, the module is in the state
    every call starts from."""
    return [module for module in inside
            if not ((top := module.split(".", 1)[0]) in COURSE_MODULES or top in _SLOW_PACKAGES
                    or top in _STANDARD or module == "numpy" or is_test_helper_module(module))]


def body_modules(defs: Iterable[Def]) -> list[str]:
    """The modules the kept functions and classes (and the earlier definitions they run first)
    import in their bodies, each once, in order."""
    modules: dict[str, None] = {}
    seen: set[int] = set()  # an earlier def that many aliases run is read once
    for d in defs:
        for part in (*earlier_defs(d), d):
            if part.kind == "constant" or "import" not in part.source or id(part) in seen:
                continue
            seen.add(id(part))
            modules.update(dict.fromkeys(_body_imports(part.source)))
    return list(modules)


def course_modules_line(inside: Iterable[str]) -> str:
    """The program's line that makes each course module (``rnn_utils``) of ``inside`` (what the
    kept functions import in their bodies, ``body_modules``) a module of the course's helpers in ``sys.modules`` (the child keeps what load
    put there), or "". The notebook's top-level imports of it are inlined (``course_plan``);
    one in a body found no module: a right rnn_cell_forward doing ``from rnn_utils import
    softmax`` when called raised ModuleNotFoundError, 'error', 0 / 10, where the kernel imports
    the course's file and check() passed. The module holds the course's own helpers, as the
    kernel's file does, whatever the notebook defines under their names."""
    wanted = sorted({module.split(".", 1)[0] for module in inside} & COURSE_MODULES.keys())
    return "\n".join(
        f"__import__('sys').modules[{module!r}] = (lambda m: (exec({_course_module_source(module)!r}, m.__dict__), m)[1])"
        f"(__import__('types').ModuleType({module!r}))" for module in wanted)


def _course_module_source(module: str) -> str:
    """The text of course module ``module``: NumPy and its helpers."""
    return "import numpy as np\n\n\n" + "\n\n\n".join(COURSE_MODULES[module].values())


#: The classes and aliases ``_member_source`` and ``_function_source`` follow from one alias, at
#: most (each a frame of their recursion).
MAX_FOLLOWED = 64


def earlier_defs(d: Def) -> list[Def]:
    """The definitions the program runs just before ``d`` (an alias of an earlier definition,
    ``Def.before``, which may be one itself: ``g = f9`` then ``f9 = g``), innermost first."""
    chain: list[Def] = []
    earlier = d.before
    while earlier is not None and len(chain) < 64:
        chain.append(earlier)
        earlier = earlier.before
    return chain[::-1]


#: The characters of the definitions ``Extractor._with_reached`` adds to a class's compared source,
#: and of the classes a function's ``classes_read`` holds, at most: the notebook's code bound, which
#: its distinct definitions never pass together. A count (16 until the twenty-fifth session) let
#: sixteen one-line definitions, named to sort first, push a copy out of the text compared.
MAX_REACHED_CHARS = SIZE_LIMITS.max_code_chars


#: Builtins that read a global by a name in a string, which no symbol table sees.
BY_NAME = frozenset({"globals", "vars", "eval", "exec"})
#: Names the program binds when nothing in it does: the course's helpers, NumPy's.
PROVIDED_NAMES = frozenset({"np", "numpy", *COURSE_HELPERS})


def _body_imports(source: str) -> list[str]:
    """The absolute modules the import statements of a definition's source name, read from its
    syntax tree: a docstring or string holding the text ``    import helper`` imports nothing
    when called, so it must import nothing at load either."""
    try:
        tree = ast.parse(textwrap.dedent(source))
    except (SyntaxError, ValueError):
        return []
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
    return found


def late_imports(imports: Iterable[Import], defs: list[Def]) -> frozenset[Import]:
    """The imports the program leaves out as not in effect when the notebook's functions were
    written: those after every definition of ``defs`` (the kept ones) reading the name they
    bind, when that name was bound before them or is one the grader provides (the course's
    helpers, ``np``, ``numpy``), and those whose name a course import after them rebinds
    (``from rnn_utils import *`` after ``from scipy.special import softmax``).

    The program runs all imports first and puts the course's helpers after them, so a bonus
    cell's ``from tensorflow.keras.activations import sigmoid, softmax`` or a last cell's
    ``from scipy.special import softmax`` replaced the course's helpers in every graded
    function, and scipy's softmax imported just before the course's module was kept over
    it: a right RNN part lost points, all of them when TensorFlow's import outlasted the
    load's budget. An import that a kept definition after it reads stays, as Python would
    run it; so does one a course import after every reader would rebind.
    """
    last_reader: dict[str, tuple[int, int]] = {}
    for d in defs:
        where = (d.cell_index if d.cell_index is not None else -1, d.last_line)
        for name in d.uses | d.deftime:
            if last_reader.get(name, where) <= where:
                last_reader[name] = where
    bound = set(PROVIDED_NAMES)
    current: dict[str, Import] = {}  # the import that binds each name so far, of the kept kinds
    late: set[Import] = set()
    for imp in imports:
        if imp.kind == "test":
            continue
        where = (imp.cell_index if imp.cell_index is not None else -1, imp.line)
        if imp.kind == "course":  # it binds the course's helpers: the imports of them before it lose
            top = imp.module.split(".", 1)[0]
            names = (COURSE_MODULES[top] if imp.binds is None
                     else (imp.imported,) if imp.imported is not None and imp.binds == imp.imported else ())
            for name in names:
                reader = last_reader.get(name)
                if name in current and reader is not None and where < reader:
                    late.add(current.pop(name))
            continue
        if imp.binds is None:
            continue
        reader = last_reader.get(imp.binds)
        if imp.binds in bound and reader is not None and reader < where:
            late.add(imp)
        else:
            current[imp.binds] = imp
        bound.add(imp.binds)
    return frozenset(late)


def read_classes_only(defs: list[Def]) -> list[Def]:
    """``defs`` without the classes that no kept function or constant reads, directly or
    through another kept class; all of them when kept code may read one by its name as a
    string (``BY_NAME``).

    A class statement runs when the program loads, unlike a function's body: a bonus cell's
    ``class Sampling(layers.Layer)`` or Keras callback would import TensorFlow there (about
    10 s where it is installed, past the load's time budget) and cost every graded function
    its points, although none of them uses the class.
    """
    classes: dict[str, list[Def]] = {}
    for d in defs:
        if d.kind == "class":
            classes.setdefault(d.names[0], []).append(d)
    if not classes:
        return defs
    read: set[str] = set()
    stack = [d for d in defs if d.kind != "class"]
    while stack:
        d = stack.pop()
        if not BY_NAME.isdisjoint(d.uses):
            return defs  # a class may be read by its name as a string (globals()["Layer"])
        for name in d.uses | d.deftime:
            if name in classes and name not in read:
                read.add(name)
                stack.extend(classes[name])
    return [d for d in defs if d.kind != "class" or d.names[0] in read]


IMPORT_FAILED_CLASS = '''class _ImportFailed:
    """Stands for a module that failed to import; using it raises that ImportError."""

    def __init__(self, error):
        self._error = error

    def __getattr__(self, name):
        raise self._error

    def __call__(self, *args, **kwargs):
        raise self._error
'''


def needs_guard(imp: Import) -> bool:
    """True unless the import is ``import <standard module or numpy> [as x]``, which cannot fail."""
    if imp.binds is None:
        return False
    plain = imp.imported is None and "." not in imp.module
    return not (plain and imp.kind == "light")


class ProgramBuilder:
    """Accumulates program text and its segments (line bookkeeping only)."""

    def __init__(self) -> None:
        """Start with an empty program."""
        self.lines: list[str] = []
        self.segments: list[Segment] = []
        self.pieces: list[tuple[int, CodeType | str]] = []
        self.text_from = 0  # index in ``lines`` of the first line not in a piece yet

    def add(self, text: str, function: str | None, cell: int | None, line: int | None, *,
            code: CodeType | None = None) -> None:
        """Append ``text`` as one segment; ``code`` is ``text`` already compiled, if it is."""
        chunk = text.split("\n")
        first = len(self.lines) + 1
        if code is not None:
            self._text_piece()
            self.pieces.append((first, code))
        self.lines.extend(chunk)
        self.segments.append(Segment(first, len(self.lines), function, cell, line))
        if code is not None:
            self.text_from = len(self.lines)

    def _text_piece(self) -> None:
        """Close the lines added since the last piece as a piece of text (blank lines are none)."""
        text = "\n".join(self.lines[self.text_from:])
        if text.strip():
            self.pieces.append((self.text_from + 1, text))
        self.text_from = len(self.lines)

    def blank(self) -> None:
        """Append one blank separator line unless the text already ends with one."""
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def build(self) -> Program:
        """Freeze into a :class:`Program`."""
        text = "\n".join(self.lines).rstrip("\n") + "\n"
        self._text_piece()
        return Program(source=text, segments=tuple(self.segments), pieces=tuple(self.pieces))


def course_plan(
    imports: Iterable[Import], uses: set[str], defined: set[str], omitted: frozenset[str]
) -> tuple[list[tuple[str, str]], list[str]]:
    """Which course helpers to inline, and alias lines for ``import rnn_utils as m``.

    A helper is inlined when the notebook imports it (by name, by star or the
    whole module) or the kept code uses it without defining it, unless the
    student defines their own (plain and star imports) or it is omitted.
    """
    wanted: dict[tuple[str, str], None] = {}
    aliases: list[str] = []
    for imp in imports:
        if imp.kind != "course":
            continue
        fns = COURSE_MODULES[imp.module.split(".", 1)[0]]
        if imp.binds is None:  # from rnn_utils import *
            for name in fns:
                if name not in defined and name not in omitted:
                    wanted[(imp.module, name)] = None
        elif imp.imported is not None:  # from rnn_utils import softmax [as s]
            name = imp.imported
            if name in fns and name not in omitted and (imp.binds != name or name not in defined):
                wanted[(imp.module, name)] = None
                if imp.binds != name:
                    aliases.append(f"{imp.binds} = {name}")
        else:  # import rnn_utils [as m]
            present = [n for n in fns if n not in omitted]
            for name in present:
                wanted[(imp.module, name)] = None
            if imp.binds in uses:
                args = ", ".join(f"{n}={n}" for n in present)
                aliases.append(f"{imp.binds} = __import__('types').SimpleNamespace({args})")
    for module, fns in COURSE_MODULES.items():
        for name in fns:
            if name in uses and name not in defined and name not in omitted:
                wanted.setdefault((module, name), None)
    return list(wanted), aliases
