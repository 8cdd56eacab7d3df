"""Definitions out of a notebook, without running it.

:func:`extract` turns a :class:`~grader.notebook.Notebook` into an
:class:`Extraction`: the source of every top-level function (last definition
wins), per-function facts (free names, unfilled template placeholders) and
student-readable diagnostics.  :meth:`Extraction.program` assembles the code the
sandbox executes: the imports the kept code needs, the course-provided helpers
(``softmax``, ``sigmoid`` from ``rnn_utils``), simple constants, classes and
functions.  Every other top-level statement (test calls, training, prints,
loops) is dropped.

Nothing here runs student code: cells are parsed with :mod:`ast` and scoped
with :mod:`symtable`.  Cells with IPython syntax (magics, shell escapes, help,
Colab automagics) are rewritten line by line; IPython's own input transformer
is tried only when those rules are not enough, and only if IPython is
installed.  A cell that still fails to parse is split into top-level blocks so
that one broken function does not hide the others.  See docs/extraction.md.

Its parts: :mod:`grader.definitions` (what is kept of a statement), :mod:`grader.cellscan` (a cell
scanned without a full parse, memoised by source), :mod:`grader.program` (the program the sandbox
runs, and the lines the grader adds to it), :mod:`grader.reach` (code that reaches into the process
that runs it), :mod:`grader.extractnotes` (what the student is told).
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import functools
import os
import re
import sys
import textwrap
from dataclasses import dataclass, field
from types import CodeType, MappingProxyType, SimpleNamespace
from typing import Collection, Container, Iterator, Mapping

from grader.astnodes import stack_budget
from grader.cellparse import (ipython_might_help, ipython_transform, parsed_or_error, parses, parses_at,
                              rewrite_ipython, top_level_starts)
from grader.cellscan import (CELL_MEMO, FINDINGS_MEMO, PARSE_MEMO, USES_MEMO, FastDef, def_findings, fast_cell,
                              graded_markers)
from grader.codeslips import may_end_early, may_slip, slip_sentence, slips, unreached
from grader.course import COURSE_HELPERS, COURSE_MODULES, is_test_helper_module
from grader.definitions import Def, Import, MemberSet
from grader.hintcode import LINE_ENDS
from grader.extractnotes import (INTROSPECTABLE, KERAS_PACKAGES, Diagnostic, broken_definitions, builds_a_model,
                                  free_message, keras_builder_text, module_public_names, outside_import_text,
                                  partial_as_def, unreadable_words)
from grader.models import Exported, at_line, cell_words, exported_at, exported_cells, line_words
from grader.notebook import (SIZE_LIMITS, Cell, Notebook, SizeLimits, SkippedCode, load, skipped_code,
                             without_trailing_comments)
from grader.placeholders import NUMPY_ALIASES, PLACEHOLDERS_SHOWN, bare_nones
from grader.program import (IMPORT_FAILED_CLASS, MAX_FOLLOWED, MAX_REACHED_CHARS, PROVIDED_NAMES, Program,
                            ProgramBuilder, Segment, body_modules, course_modules_line, course_plan, defaults_line,
                            dispatch_line, earlier_defs, guarded, imported_inside, late_imports, members_line,
                            needs_guard, read_classes_only, within)
from grader.reach import reaching_code
from grader.scopes import body_works, code_uses, unwarned

__all__ = [
    "Diagnostic",
    "FunctionSource",
    "Segment",
    "Program",
    "Extraction",
    "extract",
    "extract_file",
    "clear_memos",
]

# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class FunctionSource:
    """The source of one top-level function as the notebook defines it.

    ``first_line``/``last_line`` are 1-based lines in cell ``cell_index``
    (decorators included).  ``free_names`` are the names the function reads
    that nothing in the kept program defines (e.g. a ``Wy`` set only by a test
    cell).  ``placeholder`` is True when template blanks are left unfilled;
    ``placeholder_detail`` says where.
    """

    name: str
    source: str
    cell_index: int | None
    first_line: int
    last_line: int
    free_names: tuple[str, ...]
    placeholder: bool
    placeholder_detail: str = ""
    uses: frozenset[str] = frozenset()  # every global name it reads (decorators and defaults too)
    #: For ``name = other`` (``_Extractor._assigned_function``): the function ``other`` it names.
    alias_of: str | None = None
    #: For ``name = other`` run before ``other`` was defined again (``Def.before``): the source of
    #: the definition it binds, as Python ran it (for the similarity check: ``alias_of`` is None).
    bound_source: str | None = None
    #: How many leading parameters of ``bound_source``'s def a call does not pass: 1 for the
    #: ``cls`` of ``name = Cls.attr``, ``attr`` a ``@classmethod`` (messages name the others).
    bound_skips: int = 0
    #: Where the notebook's code first reaches into functions or the program's globals
    #: (``reaching_code``: ``setattr``, ``__code__``, ``globals()``...), "" when it does not: any
    #: function may then run other code than its text (``gradedsource.graded_source`` notes it).
    reaches_in: str = ""
    #: The sources of the student's classes it reads (as last defined), up to ``MAX_REACHED_CHARS``: what
    #: a function that only delegates to a class (``return _Obj().run(...)``) hands its work to
    #: (``gradedsource.graded_source`` compares them then).
    classes_read: tuple[str, ...] = ()
    #: The sources of the definitions it, or a class it reads, runs just before itself
    #: (``Def.runs_first``: read when its statement runs, defined again later), up to
    #: ``MAX_REACHED_CHARS``: what a default such as ``impl=functools.partial(_impl)`` holds, where
    #: the last ``_impl`` is a decoy (``gradedsource.graded_source`` compares them).
    read_then: tuple[str, ...] = ()
    #: Whether the bytecode of ``source`` shows work in the def's body (``scopes.body_works``: a
    #: loop, arithmetic, a subscript...): then it does not only delegate (``gradedsource._delegates``).
    works: bool = False


@dataclass(frozen=True)
class Extraction:
    """Everything :func:`extract` learned about one submission.

    ``functions`` is read-only and maps each function name to its last
    definition.  :meth:`program` builds the executable program.  ``unread_cells``
    holds the indices of the code cells not read for their size and
    ``cells_left_out`` how many cells after the notebook's first
    ``SizeLimits.max_cells`` were not read (an error diagnostic says why).
    """

    path: str
    functions: Mapping[str, FunctionSource]
    diagnostics: tuple[Diagnostic, ...]
    unread_cells: tuple[int, ...] = ()
    cells_left_out: int = 0
    #: The code cells whose saved source is not text (``grader.notebook.Cell.unreadable``; an error
    #: diagnostic says so): a function the grader does not find may be in one.
    unreadable_cells: tuple[int, ...] = ()
    #: Names no definition binds that a statement the program leaves out assigns, with the cell of
    #: the last such statement (``rnn_cell_forward = functools.partial(...)``): said to the student
    #: instead of "not found".
    assigned_in: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    #: Of those names assigned by a statement ``name = call(...)`` of one line, that line, the
    #: statement and, for ``functools.partial`` of a def of the notebook, the def to write instead
    #: (``extractnotes.partial_as_def``), else None: said to the student (thirty-eighth session).
    assigned_by: Mapping[str, tuple[int, str, str | None]] = field(default_factory=lambda: MappingProxyType({}))
    #: The ``In [n]`` prompt the saved notebook shows beside each code cell that has one, by cell
    #: index (``grader.notebook.Cell.prompt``): said with the cell's number in the feedback.
    prompts: Mapping[int, int] = field(default_factory=lambda: MappingProxyType({}))
    #: A ``.py`` submission (``grader.notebook.Notebook.script``): its one cell is the file, and
    #: places are said as its lines ("line 139"), not "cell 1, line 139".
    script: bool = False
    #: A script Jupyter saved: its ``# In[n]:`` markers (``grader.models.exported_cells``), said
    #: beside the file's lines ("line 207 (In [10], line 12)").
    exported: Exported = ()
    #: Functions the notebook defines only inside a compound statement the program leaves out
    #: (``if True:``, ``try:``) or writes in a cell that is not code (a Markdown cell), by name:
    #: ``(words for the block or the cell, cell index, line)``; see ``defined_inside``.
    nested_defs: Mapping[str, tuple[str, int, int]] = field(default_factory=lambda: MappingProxyType({}))
    _defs: tuple[Def, ...] = field(default=(), repr=False, compare=False)
    _imports: tuple[Import, ...] = field(default=(), repr=False, compare=False)
    _star_keep: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    _skip: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    _future_annotations: bool = field(default=False, repr=False, compare=False)  # `from __future__ import annotations`

    def numpy_aliases(self) -> dict[str, str]:
        """Names the notebook binds at its top level to a function of NumPy, with that function's
        name as NumPy's modules spell it: ``from numpy import tanh as th``, ``t = np.tanh`` (``np``
        or a name ``import numpy`` binds), ``norm = np.linalg.norm`` and ``from numpy.random import
        randn`` give ``{"th": "tanh", "t": "tanh", "norm": "linalg.norm", "randn": "random.randn"}``.
        The similarity check reads them as NumPy's (``gradedsource.graded_source``): a classmate's function
        copied with ``t(...)`` for ``np.tanh(...)`` and ``t`` bound in another cell scored 0.41
        (thirty-second session). A name bound more than once holds what the program binds it to
        last: its last definition (constants, classes and functions run after the imports), else
        its last import (thirty-third session: ``from numpy import tanh as th`` in one cell and
        ``th = np.tanh`` in another scored 0.41, a function of ``np.linalg`` 0.33). A module of NumPy's
        bound by a name is one too (``import numpy.linalg as la``, ``from numpy import linalg``: ``{"la":
        "linalg", "linalg": "linalg"}``; thirty-fourth session, ``la.multi_dot`` scored 0.33), and so is
        NumPy itself under a name other than ``np`` (``import numpy as npy``: ``{"npy": ""}``; 0.18)."""
        last_def: dict[str, Def] = {}
        for d in self._defs:
            last_def.update(dict.fromkeys(d.names, d))
        last_import: dict[str, Import] = {}
        for imp in self._imports:
            if imp.binds and imp.kind not in ("test", "course"):
                last_import[imp.binds] = imp
        modules = {name for name, imp in last_import.items()
                   if imp.module == "numpy" and imp.imported is None and name not in last_def}
        if "np" not in last_def and "np" not in last_import:
            modules.add("np")  # the program imports it when the code reads it (``program``)
        found: dict[str, str] = {}
        for name, imp in last_import.items():
            module = imp.module or ""
            deep = module.startswith("numpy.")
            if name in last_def:
                continue
            if imp.imported is None:  # ``import numpy.linalg as la``, ``import numpy as npy`` (thirty-fourth session)
                if (deep or module == "numpy") and name not in ("numpy", "np"):
                    found[name] = module[6:]
            elif (imp.imported != "*" and (module == "numpy" or deep)
                    and (deep or name != imp.imported or imp.imported in _NUMPY_MODULES)):
                found[name] = f"{module[6:]}.{imp.imported}" if deep else imp.imported
        for name, d in last_def.items():
            if d.kind != "constant" or len(d.names) != 1 or "." not in d.source:
                continue
            value = _parsed_value(d.source)
            path: list[str] = []
            while isinstance(value, ast.Attribute):
                path.insert(0, value.attr)
                value = value.value
            if path and isinstance(value, ast.Name) and value.id in modules:
                found[name] = ".".join(path)
        return {name: attr for name, attr in found.items() if name not in self._skip}

    def imported_from_own_module(self, name: str) -> tuple[str, int | None, int] | None:
        """``(import statement, cell index, line)`` of the import that may bring a function
        ``name`` the notebook does not define from a module of the student's own (one that is
        neither Python's nor installed here, such as a ``my_rnn.py`` beside the notebook): the
        last ``from my_rnn import name``, else the first ``from my_rnn import *``; None otherwise.
        Only the notebook is graded, and such a notebook read "No function named `rnn_forward`
        was found in the notebook" six times (thirty-fourth session, as a student)."""
        import importlib.util
        import sys

        def own(module: str) -> bool:
            top = module.split(".", 1)[0]
            if not top or top in sys.stdlib_module_names:
                return False
            try:
                return importlib.util.find_spec(top) is None
            except (ImportError, ValueError):
                return False

        named = [imp for imp in self._imports if imp.binds == name and imp.kind == "heavy"]
        starred = [imp for imp in self._imports if imp.binds is None and imp.kind == "heavy"]
        for imp in (named[-1:] or starred[:1]):
            if own(imp.module):
                return imp.source, imp.cell_index, imp.line
        return None

    def defined_inside(self, name: str) -> tuple[str, int | None, int] | None:
        """Where the notebook defines a function ``name`` that is not one of ``functions``, in words
        for the student, with its cell index and line: inside a compound statement (``"an `if`
        block"``), in a cell that is not code (``"a Markdown cell"``) or as a method of a top-level
        class (``"the class `RNN`"``, its last definition);
        None when it does not. Only asked of a function the grader did not find: a class's
        source is parsed here, not while extracting."""
        if name in self.functions:
            return None
        if name in self.nested_defs:
            return self.nested_defs[name]
        for d in reversed(self._defs):
            if d.kind != "class" or name not in d.source:
                continue
            try:
                body = ast.parse(d.source).body
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            for member in body[0].body if body and isinstance(body[0], ast.ClassDef) else ():
                if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)) and member.name == name:
                    return f"the class `{d.names[0]}`", d.cell_index, d.first_line + member.lineno - 1
        return None

    def constant_values(self, *, names: Collection[str] | None = None) -> dict[str, tuple[object, int | None, int]]:
        """The kept constants whose value is a literal, by name: ``(value, cell index, line)``.
        ``T_x = 4`` gives ``{"T_x": (4, 1, 1)}``, ``n_x, m = 3, 10`` a value for each name; a value
        computed (``T_x = n_a * 2``) is left out. What a graded function reads from a cell's top
        level holds that one value in every call (``runner._Grader._outside_notes``). ``names``:
        only those (each constant asked for is parsed; a cell of thousands of them costs nothing
        then)."""
        last: dict[str, Def] = {}
        for d in self._defs:
            for name in d.names:
                last[name] = d
        found: dict[str, tuple[object, int | None, int]] = {}
        for name, d in last.items():
            if d.kind != "constant" or name in self._skip or (names is not None and name not in names):
                continue
            try:
                statement = ast.parse(d.source).body
                value = ast.literal_eval(statement[0].value) if len(statement) == 1 and isinstance(
                    statement[0], (ast.Assign, ast.AnnAssign)) else None
            except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError):
                continue
            target = statement[0].targets[0] if isinstance(statement[0], ast.Assign) else statement[0].target
            if isinstance(target, ast.Name) and target.id == name:
                found[name] = (value, d.cell_index, d.first_line)
            elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (tuple, list)) \
                    and len(value) == len(target.elts):
                for element, held in zip(target.elts, value):
                    if isinstance(element, ast.Name) and element.id == name:
                        found[name] = (held, d.cell_index, d.first_line)
        return found

    def class_reads(self) -> dict[str, frozenset[str]]:
        """What each top-level class reads (its bases, body and methods; all the definitions
        of a name): the functions its methods call are needed wherever the class is."""
        reads: dict[str, frozenset[str]] = {}
        for d in self._defs:
            if d.kind == "class":
                reads[d.names[0]] = reads.get(d.names[0], frozenset()) | d.uses | d.deftime
        return reads

    def program(self, *, omit: Collection[str] = ()) -> Program:
        """Assemble the executable program, leaving out the functions in ``omit``.

        Order: the imports the kept code uses, ``import numpy as np`` when
        needed and missing, the course helpers (skipped when the student
        defines their own or the name is omitted), then constants, classes and
        functions in notebook order.  An omitted name is dropped whether it
        comes from the student or from the course; so is a class that no kept
        function or constant reads (``read_classes_only``).
        """
        omitted = frozenset(omit)
        defs = read_classes_only([d for d in self._defs if d.names[0] not in self._skip
                                   and not (d.kind == "function" and d.names[0] in omitted)])
        uses: set[str] = set()
        student_names: set[str] = set()
        for d in defs:
            uses |= d.uses
            for first in d.runs_first:
                uses |= first.uses
            student_names.update(d.names)
        kept_imports: list[Import] = []
        bound: set[str] = set()
        seen_sources: set[str] = set()
        late = late_imports(self._imports, defs)
        for imp in self._imports:
            if imp.kind in ("test", "course") or imp in late:
                continue
            keep = (imp.binds is None and imp.source in self._star_keep) or (imp.binds in uses)
            if keep and imp.source not in seen_sources:
                seen_sources.add(imp.source)
                kept_imports.append(imp)
                if imp.binds:
                    bound.add(imp.binds)
        course_fns, aliases = course_plan(self._imports, uses, student_names | bound, omitted)

        b = ProgramBuilder()
        if self._future_annotations:  # first, or it is a syntax error; the sandbox compiles the whole text
            b.add("from __future__ import annotations", None, None, None)
        guarded = [imp for imp in kept_imports if needs_guard(imp)]
        if guarded:
            b.add(IMPORT_FAILED_CLASS, None, None, None)
        imported: set[str] = set()  # names an earlier kept import binds
        for imp in kept_imports:
            if imp in guarded and imp.binds is not None:
                # A module that fails to import must not stop the other
                # functions from loading: its name then raises the ImportError
                # when (and only when) a function uses it. A name an earlier
                # import bound keeps that module instead: a second cell's
                # `import autograd.numpy as np` (before the functions; after
                # them it is left out, `late_imports`) on a machine without
                # autograd left every function with a broken `np`, where the
                # notebook's `import numpy as np` runs them as written.
                b.add("try:", None, None, None)
                b.add("    " + imp.source, None, imp.cell_index, imp.line)
                b.add("except ImportError as _error:", None, None, None)
                if imp.binds in imported:
                    b.add(f"    pass  # `{imp.binds}` stays what the earlier import made it", None, None, None)
                else:
                    b.add(f"    {imp.binds} = _ImportFailed(_error)", None, None, None)
            else:
                b.add(imp.source, None, imp.cell_index, imp.line)
            if imp.binds is not None:
                imported.add(imp.binds)
        inside = body_modules(defs)
        for module in imported_inside(inside):
            b.add(f"try:\n    __import__({module!r})\nexcept BaseException:\n    pass", None, None, None)
        if course_inside := course_modules_line(inside):
            b.add(course_inside, None, None, None)
        if ("np" in uses or course_fns) and "np" not in bound and "np" not in student_names:
            b.add("import numpy as np", None, None, None)
        if "numpy" in uses and "numpy" not in bound and "numpy" not in student_names:
            b.add("import numpy", None, None, None)
        b.blank()
        for module, name in course_fns:
            b.add(COURSE_MODULES[module][name].rstrip("\n"), name, None, None)
            b.blank()
        for line in aliases:
            b.add(line, None, None, None)
        if aliases:
            b.blank()
        ran: dict[str, int] = {}  # name -> id of the definition the program last ran for it
        for d in defs:
            fn = d.names[0] if d.kind == "function" else None
            if d.kind != "constant":
                b.blank()
            for earlier in (*d.runs_first, *earlier_defs(d)):
                # Once while it is still the binding: 1,000 aliases of one def defined again
                # later each ran that def (3,000 lines) again: a 50 MB program, 52 s to build.
                if earlier.names[0] not in omitted and ran.get(earlier.names[0]) != id(earlier):
                    b.add(earlier.source, earlier.names[0] if earlier.kind == "function" else None,
                          earlier.cell_index, earlier.first_line, code=earlier.code)
                    b.blank()
                    ran[earlier.names[0]] = id(earlier)
            b.add(d.source, fn, d.cell_index, d.first_line, code=d.code)
            ran.update(dict.fromkeys(d.names, id(d)))
            if d.then:
                b.add(d.then, None, None, None)
            if d.kind != "constant":
                b.blank()
        return b.build()


def _compiles(d: Def, known: dict[int, bool]) -> bool:
    """Whether ``d`` compiles, a warning or not (``d.code`` is None for a warning too: a class
    whose docstring holds an invalid escape such as "\\d" does compile), memoised in ``known``
    by the definition's id."""
    if d.code is not None:
        return True
    if id(d) not in known:
        try:
            with unwarned():
                compile(d.source, "<def>", "exec", dont_inherit=True, optimize=0)
            known[id(d)] = True
        except Exception:  # noqa: BLE001 - SyntaxError, ValueError (NUL bytes), RecursionError, MemoryError
            known[id(d)] = False
    return known[id(d)]




#: Decorators after which a class member is still its def's own code.
_PLAIN_MEMBER_DECORATORS = frozenset({"staticmethod", "classmethod"})


def _runs_code_when_built(cls: ast.ClassDef) -> bool:
    """Whether running the body of class ``cls`` calls anything that may change what it binds: a
    call in a statement of the body, in a base, in a member's default value or annotation (a
    ``locals()`` or a descriptor's ``__set_name__`` rebinds a member), a member decorated otherwise
    than with ``@staticmethod`` or ``@classmethod``, a nested class, or a def of
    ``__init_subclass__`` or ``__set_name__`` (code run when a subclass or the class is made).
    ``attr = staticmethod(f)`` is read by ``_member_source`` and is no such call."""
    exprs: list[ast.AST] = list(cls.bases)
    for statement in cls.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if statement.name in ("__init_subclass__", "__set_name__") or any(
                    not (isinstance(d, ast.Name) and d.id in _PLAIN_MEMBER_DECORATORS)
                    for d in statement.decorator_list):
                return True
            args = statement.args
            exprs += [*args.defaults, *(d for d in args.kw_defaults if d is not None), statement.returns or ast.Pass(),
                      *(a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg)
                        if a is not None and a.annotation is not None)]
        elif isinstance(statement, ast.ClassDef):
            return True
        elif isinstance(statement, ast.Assign) and _wraps_a_name(statement.value):
            continue
        else:
            exprs.append(statement)
    return any(isinstance(node, ast.Call) for expr in exprs for node in ast.walk(expr))


def _wraps_a_name(value: ast.expr) -> bool:
    """``staticmethod(f)`` or ``classmethod(f)``: a function bound as a member, not code run."""
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id in _PLAIN_MEMBER_DECORATORS and len(value.args) == 1
            and isinstance(value.args[0], ast.Name) and not value.keywords)


def _bound_in_class(statement: ast.stmt) -> set[str]:
    """The names ``statement`` of a class body may bind in the class: a def's or class's name, or
    for any other statement every name stored to anywhere inside it (an ``if`` or ``try`` holding
    a def counts too: such a statement is then taken whole)."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    names = set()
    for node in ast.walk(statement):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".", 1)[0])
    return names


#: The compiler flag of ``from __future__ import annotations``.
_FUTURE_ANNOTATIONS = __import__("__future__").annotations.compiler_flag


# --------------------------------------------------------------------------- entry points


def extract_file(path: str | os.PathLike[str]) -> Extraction:
    """Load ``path`` and extract it; raises :class:`~grader.notebook.SubmissionError`."""
    return extract(load(path))


def extract(notebook: Notebook, *, limits: SizeLimits = SIZE_LIMITS) -> Extraction:
    """Extract the definitions of ``notebook`` (no I/O, never runs student code).

    Code cells over ``limits`` (:func:`grader.notebook.skipped_code`) are not read: each gets an
    error diagnostic that says why and what to do, and what it defines is not found.

    How deep a cell's code may nest before a parse, a compile or a walk gives up on it
    (RecursionError) does not depend on the caller (``grader.astnodes.stack_budget``): a constant
    of about 950 terms was kept in the program when extracted at depth 0 and left out 80 frames
    deeper, so a worker and ``check()`` in a Jupyter kernel (each at a depth of its own, the
    kernel's limit the student's to set) could grade one notebook two ways.
    """
    with stack_budget():
        return _Extractor(notebook, limits).run()


# --------------------------------------------------------------------------- constants

_BUILTIN_NAMES = frozenset(dir(builtins)) | {
    "__name__", "__doc__", "__file__", "__builtins__", "__spec__", "__loader__",
    "__package__", "__annotations__", "__debug__",
}
_LIGHT_MODULES = frozenset(sys.stdlib_module_names) | {"numpy"}
#: NumPy's modules a notebook imports by their own name (``from numpy import linalg``): such a name
#: is an alias (``Extraction.numpy_aliases``), where a function's own name is not (the normaliser
#: reads a bare ``tanh`` as NumPy's).
_NUMPY_MODULES = frozenset({"linalg", "random", "fft", "polynomial", "ma", "emath"})


_DEF_NAME_RE = re.compile(r"^(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)")
#: A line that assigns nothing (``dz = ``, ``dWax += ``): a version of the course's template leaves
#: such blanks in ``rnn_cell_backward``, and Python's "invalid syntax" did not say which part.
_EMPTY_ASSIGNMENT_RE = re.compile(r"^\s*((?:\(\s*[\w.]+(?:\s*,\s*[\w.]+)*\s*,?\s*\)|[\w.]+(?:\s*,\s*[\w.]+)+"
                                  r"|[A-Za-z_][\w.]*(?:\[[^\]=]*\])?)\s*(?:[-+*/@]|//|\*\*)?=)\s*(?:#.*)?$")
#: Python's guess for a bracket left open when the next line reads as more of its contents.
_FORGOT_COMMA = "Perhaps you forgot a comma?"
#: A line cut after a binary operator (``dxt = np.dot(Wax, xt) +``): thirty-first session, told "invalid syntax".
_UNFINISHED_RE = re.compile(r"\S\s*(\*\*|//|[-+*/@%])\s*(?:#.*)?$")


# --------------------------------------------------------------------------- cell parsing


#: A cell that does not parse is salvaged block by block, and its first blocks that fail are
#: tried merged with up to five following ones (the split may have fallen inside a multi-line
#: string). Past this many failed blocks in a cell they are tried alone: each try is a parse
#: (30-50 µs even for a few characters), and a cell of thousands of failing blocks cost six per
#: block (100 kB of ``x = (`` lines, 2.4 s). Real cells that need salvage fail in a few blocks.
_MERGED_FAILURES = 50


# Statements that parse but may not compile where they stand.
_COMPILE_RISK_RE = re.compile(r"\b(?:break|continue|await)\b")
_CLASS_COMPILE_RISK_RE = re.compile(r"\b(?:break|continue|await|return|yield)\b")
# The words those patterns need: a text without any of them cannot match (a substring test
# is a fast scan; the patterns, which begin with \b, are tried at every position).
_COMPILE_RISK_WORDS = ("break", "continue", "await")
_CLASS_COMPILE_RISK_WORDS = _COMPILE_RISK_WORDS + ("return", "yield")


@dataclass
class _ParsedCell:
    """A cell's parse: statements with the text they were parsed from.

    The text never holds a carriage return (:meth:`_Extractor.run` makes every
    line end ``\\n`` first), so its lines are ``text.split("\\n")``.
    """

    index: int
    text: str
    body: list[ast.stmt]

    @functools.cached_property
    def lines(self) -> list[str]:
        """The text's lines, split once per cell (read-only)."""
        return self.text.split("\n")


#: The most places the note of a function defined more than twice lists (the first, then the last).
_PLACES_SHOWN = 6

_Entry = tuple[Def, "ast.AST | None", _ParsedCell]  # definition, its AST node if parsed, its cell


def defined_again_words(name: str) -> str:
    """How the note of a function defined more than once starts (the self-check shows it under
    that function when it does not pass)."""
    return f"`{name}` is defined more than once"


class _Extractor:
    """One extraction run (the mutable working state of :func:`extract`)."""

    def __init__(self, notebook: Notebook, limits: SizeLimits = SIZE_LIMITS) -> None:
        """Prepare an extraction of ``notebook``, reading only the code within ``limits``."""
        self.nb = notebook
        self.limits = limits
        self.exported = exported_cells(notebook.cells[0].source) if notebook.script and notebook.cells else ()
        self.skipped: dict[int, SkippedCode] = {}
        self.diags: list[Diagnostic | None] = []  # None: a note replaced by a later one
        self.defs: dict[str, _Entry] = {}
        self.imports: list[Import] = []
        self.dropped_bindings: dict[str, int] = {}
        #: name -> (cell, line, statement, def to write) of a dropped ``name = call(...)`` that binds it last
        self.dropped_calls: dict[str, tuple[int, int, str, str | None]] = {}
        #: name -> the cell of a kept constant that a dropped statement then assigned again (unkept
        #: since: ``n_a = 5``, then a loop sets it): the note on it said "only assigned outside, in" the
        #: loop's cell, as if ``n_a = 5`` were not there (thirty-eighth session, as a student).
        self.constants_undone: dict[str, int] = {}
        #: name -> the import that binds it to a module now (``import numpy as np``): a top-level
        #: assignment to it is not run (``_module_replaced``); and the names warned of already.
        self.module_binds: dict[str, Import] = {}
        self.module_warned: set[str] = set()
        self.module_parts_warned: set[str] = set()
        #: an import of a stand-in for NumPy not run (``import autograd.numpy as np``) and its warning
        self.numpy_standins: list[tuple[Import, Diagnostic]] = []
        #: name -> (cell index, line, the value as written): a function's name a top-level statement
        #: gave a value that is plainly not a function (``_function_replaced``), not run; warned at
        #: the end unless a later def, alias or import binds the name again.
        self.functions_replaced: dict[str, tuple[int, int, str]] = {}
        #: cell index -> that cell with the lines of the defs kept from wrappers dedented (``_unwrapped``).
        self.unwrapped_cells: dict[int, _ParsedCell] = {}
        self.nested_defs: dict[str, tuple[str, int, int]] = {}  # see Extraction.defined_inside
        self.graded_markers: list[tuple[int, str]] = []
        self.function_cells: dict[str, list[int]] = {}
        #: name -> (cell index, line) of each def or class of that name in a row (``_definition``), and
        #: the place in ``diags`` of the note that names them (None there once a later note replaced it).
        self.defined_at: dict[str, list[tuple[int, int]]] = {}
        self.defined_note: dict[str, int] = {}
        #: alias -> (its def, what it named then, the attribute): the function of ``name = f``
        #: (attribute ""), the class of ``name = Cls.attr``
        self.alias_targets: dict[str, tuple[Def, Def, str]] = {}
        #: id of a class's source -> (that source, its ClassDef or None, each name -> the last
        #: statement of its body binding it, its lines): one parse and walk a class
        #: (``_class_members``); by source, as an alias may name a class defined again later (each
        #: class statement of the notebook parsed at most once, as each class name was before)
        self.class_members: dict[int, tuple[str, ast.ClassDef | None, dict[str, ast.stmt], list[str]]] = {}
        self.plain_classes: dict[int, bool] = {}  # id(class node held in class_members) -> _built_plainly
        #: (class, attribute) -> each ``Cls.attr = f`` set after the class (``_member_set``) as
        #: (cell index, line, f), in notebook order, until the class is defined again.
        self.member_sets: dict[tuple[str, str], tuple[tuple[int, int, str], ...]] = {}
        #: (class, attribute) -> the definition whose ``then`` holds the last of those sets' lines.
        self.member_holders: dict[tuple[str, str], str] = {}
        #: (class, attribute) -> the last of those sets (``_member_sets_last``, ``_member_alias``).
        self.last_sets: dict[tuple[str, str], MemberSet] = {}
        #: alias -> (the function definition a member set put in ``Cls.attr`` when ``alias =
        #: Cls.attr`` ran, the definition of ``Cls`` then): ``_member_aliases_held``.
        self.member_aliases: dict[str, tuple[Def, Def]] = {}
        #: def or class name -> the notebook's functions its last statement reads when it runs, by
        #: name, as they were defined then (``_read_then_first``).
        self.read_then: dict[str, dict[str, Def]] = {}
        self.reached_texts: dict[int, tuple[Def, str]] = {}  # id(class Def) -> (it, _with_reached's text)
        # What a constant's value may read: kept constants, and names bound by imports that
        # cannot fail (a constant reading a guarded import, see _ImportFailed, would raise when
        # the program loads). Looked up in the state as it is, not copied for each statement.
        self.safe_imports: set[str] = set()
        self.constant_scope = _ConstantScope(self.defs, self.safe_imports)

    # -- driver ---------------------------------------------------------------

    def _cell(self, index: int) -> str:
        """``"cell 7"``, or ``"cell 7 (In [5])"`` when the saved notebook shows that prompt beside it
        (``grader.notebook.Cell.prompt``): the student finds a cell by its prompt, not by counting."""
        cells = self.nb.cells
        return cell_words(index, cells[index].prompt if 0 <= index < len(cells) and cells[index].index == index
                          else None, script=self.nb.script)

    def _line(self, index: int, line: int) -> str:
        """``"cell 7 (In [5]), line 3"``, or ``"line 3"`` in a ``.py`` submission (the file's line; with
        the cell's prompt and line in a script Jupyter saved: ``"line 207 (In [10], line 12)"``)."""
        if self.nb.script:
            return line_words(index, line, script=True, exported=self.exported)
        return at_line(self._cell(index), line)

    def _line_of(self, index: int, line: int) -> str:
        """``"Line 3 of cell 7 (In [5])"``, ``"Line 196 of the file"`` in a ``.py`` submission, ``"Line 196
        of the file (In [20], line 4)"`` in a script Jupyter saved."""
        said = f"Line {line} of {self._cell(index)}"
        if self.nb.script and (at := exported_at(self.exported, line)) is not None:
            said += f" (In [{at[0]}], line {at[1]})"
        return said

    def _not_graded(self, name: str) -> str:
        """What a ``def name`` that does not parse leaves graded: nothing ("cannot be graded until this
        is fixed"), or the definition of ``name`` before it, which runs (a cell edited and run again
        in Jupyter, its syntax error leaving the kernel's earlier function): "cannot be graded" was
        said beside that function's "passed" (thirty-seventh session, as a student)."""
        earlier = self.defs.get(name)
        if earlier is None or earlier[0].kind != "function" or earlier[0].cell_index is None:
            return f"`{name}` cannot be graded until this is fixed."
        return (f"This `def {name}` does not run: the one graded is your earlier definition "
                f"({self._line(earlier[0].cell_index, earlier[0].first_line)}). If you meant this one, fix it "
                f"and save the notebook.")

    def _ran_after(self, earlier: int | None, later: int) -> str:
        """`` " " +`` what the prompts say when cell ``earlier`` ran after cell ``later`` (a larger
        ``In [n]``): the definition of ``earlier`` was the one the student's tests called, and
        grading takes ``later``'s (thirty-third session: the warning named only the one graded,
        and a student whose kernel held the other saw their tests pass). "" otherwise."""
        cells = self.nb.cells

        def prompt(index: int | None) -> int | None:
            return cells[index].prompt if index is not None and 0 <= index < len(cells) \
                and cells[index].index == index else None

        ran, graded = prompt(earlier), prompt(later)
        if ran is None or graded is None or ran <= graded or earlier == later:
            return ""
        return (f" The prompts say you ran {self._cell(earlier)} after {self._cell(later)}: the tests you ran then "
                f"used the definition of {self._cell(earlier)}, but grading reads the notebook from top to bottom, "
                f"as Restart and Run All runs it. Keep the definition you mean and delete the other.")

    def run(self) -> Extraction:
        """Parse every code cell, classify its statements, then analyse the functions."""
        skipped = self.skipped = {s.index: s for s in skipped_code(
            ((c.index, len(c.source)) for c in self.nb.cells if c.kind == "code"), self.limits)}
        for cell in self.nb.cells:
            if cell.index in skipped:
                self.diags.append(Diagnostic(
                    "error", skipped[cell.index].message(python_file=self.nb.script), cell.index))
                continue
            if cell.kind != "code" and "def " in cell.source:  # code typed in a Markdown or raw cell
                for m in _TEXT_DEF.finditer(cell.source):
                    words = "a Markdown cell" if cell.kind == "markdown" else f"a {cell.kind} cell"
                    self.nested_defs[m.group(1)] = (words, cell.index, cell.source.count("\n", 0, m.start()) + 1)
            if cell.kind != "code" or not cell.source.strip():
                continue
            if "\r" in cell.source:  # Windows or old-Mac line ends: Python counts a lone \r as a line end
                cell = dataclasses.replace(cell, source=cell.source.replace("\r\n", "\n").replace("\r", "\n"))
            for name in graded_markers(cell.source):
                self.graded_markers.append((cell.index, name))
            # A student's note after the template's code must not make the cell new to the memo. A cell
            # binding a name to a partial is parsed whole: what it dropped is then told as written.
            fast = fast_cell(without_trailing_comments(cell.source)) if "partial(" not in cell.source else None
            if fast is not None:
                parsed = _ParsedCell(cell.index, cell.source, [])
                for item in fast:
                    if isinstance(item, FastDef):
                        self._definition(item.kind, item.name, item.first, item.last, item.source,
                                         parsed, None, (item.uses, item.deftime, item.code))
                    elif isinstance(item, str):
                        self._rebound(item, cell.index)
                    else:
                        self._statement(item, parsed)
                continue
            parsed = self._parse_cell(cell)
            for node in parsed.body:
                self._statement(node, parsed)
        for cell in self.nb.cells:
            if cell.kind == "code" and cell.unreadable:
                self.diags.append(Diagnostic("error", unreadable_words(self._cell(cell.index), cell.unreadable),
                                             cell.index))
        if self.nb.cells_left_out:
            shown = len(self.nb.cells)
            self.diags.append(Diagnostic(
                "error",
                f"Your notebook has {shown + self.nb.cells_left_out:,} cells; the grader reads the first "
                f"{shown:,}, so nothing after cell {shown:,} was graded. Delete the empty and unneeded "
                "cells.",
            ))
        return self._finish()

    # -- parsing ----------------------------------------------------------------

    def _parse_cell(self, cell: Cell) -> _ParsedCell:
        """Parse a cell, rewriting IPython syntax and salvaging blocks when needed."""
        source = cell.source
        tree = parses(source)
        if tree is not None:
            return _ParsedCell(cell.index, source, tree.body)
        text, found = rewrite_ipython(source)
        if found:
            tree = parses(text)
            if tree is not None:
                return _ParsedCell(cell.index, text, tree.body)
        dedented = textwrap.dedent(text)
        if dedented != text:
            tree = parses(dedented)
            if tree is not None:
                return _ParsedCell(cell.index, dedented, tree.body)
        transformed = ipython_transform(source) if ipython_might_help(source, text) else None
        if transformed is not None and transformed != source:
            tree = parses(transformed)
            if tree is not None:
                if transformed.count("\n") != source.count("\n"):
                    self.diags.append(Diagnostic(
                        "info",
                        f"Cell {cell.index} needed IPython's own syntax rules, which joined some lines; "
                        "line numbers reported for this cell may be a little off.",
                        cell.index,
                    ))
                return _ParsedCell(cell.index, transformed, tree.body)
        return self._salvage(cell.index, text)

    def _salvage(self, index: int, text: str) -> _ParsedCell:
        """Parse top-level blocks one by one; report the ones that do not parse."""
        lines = text.split("\n")
        starts = top_level_starts(text) + [len(lines)]
        body: list[ast.stmt] = []
        i = failures = 0
        while i < len(starts) - 1:
            tree, error = parsed_or_error("\n".join(lines[starts[i] : starts[i + 1]]), starts[i] + 1)
            parsed_to = i + 1 if tree is not None else None
            # A block may have been split at a column-0 line inside a string:
            # try merging it with a few following blocks before giving up.
            if tree is None and failures < _MERGED_FAILURES:
                for j in range(i + 2, min(i + 6, len(starts))):
                    tree = parses_at("\n".join(lines[starts[i] : starts[j]]), starts[i] + 1)
                    if tree is not None:
                        parsed_to = j
                        break
            if tree is not None:
                body.extend(tree.body)
                i = parsed_to
                continue
            failures += 1
            self._syntax_error(index, lines, starts[i], error)
            i += 1
        return _ParsedCell(index, text, body)

    def _syntax_error(self, index: int, lines: list[str], start: int, error: tuple[str, int]) -> None:
        """Report one top-level block (from line ``start``) that does not parse with ``error``
        (``(message, line)``, from :func:`parsed_or_error`)."""
        msg, line = error
        m = _DEF_NAME_RE.match(lines[start]) if start < len(lines) else None
        blank = _EMPTY_ASSIGNMENT_RE.match(lines[line - 1]) if m and 0 < line <= len(lines) else None
        if blank:
            msg = f"`{blank.group(1)}` has nothing after the `=` (a blank of the template, still to fill in)"
        elif m and 0 < line <= len(lines) and (cut := _UNFINISHED_RE.search(lines[line - 1])):
            msg = f"the line ends with `{cut.group(1)}`, with nothing after it (an expression still to finish)"
        elif _FORGOT_COMMA in msg and 0 < line <= len(lines) and (
                (opened := lines[line - 1].split("#", 1)[0].count("(")) > (closed := lines[line - 1].count(")"))):
            # A real notebook's `dxt = da_next * np.dot(Wax.T, (1-np.tanh(dz)**2)` above the next line.
            msg = (f"the line opens {opened} brackets `(` and closes {closed}, so Python reads the next line as more "
                   f"of what is inside: close each `(`")
        msg = msg if msg.endswith((".", "?", "!")) else msg + "."
        if m:
            self.diags.append(Diagnostic(
                "error", f"Syntax error in {self._line(index, line)}: {msg} {self._not_graded(m.group(1))}",
                index, line, m.group(1),
            ))
            self.function_cells.setdefault(m.group(1), []).append(index)
        else:
            self.diags.append(Diagnostic(
                "info",
                f"Syntax error in {self._line(index, line)}: {msg} That code is not graded, so it was skipped.",
                index, line,
            ))

    # -- statements ---------------------------------------------------------------

    def _statement(self, node: ast.stmt, cell: _ParsedCell) -> None:
        """Keep a definition, an import or a simple constant; note anything else."""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            last = node.end_lineno or node.lineno
            source = "\n".join(cell.lines[first - 1 : last])
            if source.endswith("\\"):  # a continuation onto the blank line after the def (the parse
                source = source[:-1]   # ends the def here): cut with it, the text would not compile
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            try:
                uses = USES_MEMO(source)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                # Parses but does not compile (e.g. a stray `nonlocal`): _finish reports it.
                uses = (frozenset(), frozenset(), None)
            self._definition(kind, node.name, first, last, source, cell, node, uses)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self._import(node, cell)
        elif isinstance(node, ast.Assign) and self._assigned_function(node, cell):
            pass
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and self._member_set(node, cell):
            pass
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and self._function_replaced(node, cell):
            pass
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and self._constant(node, cell):
            pass
        else:
            self._dropped(node, cell)

    def _member_set(self, node: ast.Assign | ast.AnnAssign, cell: _ParsedCell) -> bool:
        """``Cls.attr = f``, ``Cls.attr = staticmethod(f)`` or ``classmethod(f)``, after ``class
        Cls`` and ``def f`` of the notebook: the program sets the member too, just after whichever
        of the two it defines last, followed for ``f`` by the class's members line
        (``members_line``: a member that is ``f`` calls the global ``f`` then, so that the trace
        stub standing under ``f`` is met there). Of a cell's top level the grader runs
        definitions, not statements, so this one was dropped: a right ``rnn_forward`` calling
        ``RNN.cell(...)`` raised AttributeError in the grade, 0 / 15, where check() (the kernel,
        which ran the cell) said it passed (found by the twenty-fifth session's review).

        A second set of the same member goes after the first's line too, so that the last set
        wins as in Python; and the class reads the definition holding the line, so that the
        program keeps it wherever the class is kept (twenty-sixth session's review: after the
        later ``def f9`` only, the line was dropped with ``f9``, which nothing else read, and an
        earlier set's line after ``f9`` outlived a later set's after the class)."""
        if isinstance(node, ast.AnnAssign):
            # ``RNN.cell: Callable = f``: Python stores the member first, then evaluates the
            # annotation, so the member is set whatever the annotation, one that raises too
            if node.value is None:
                return False
            target = node.target
        elif len(node.targets) != 1:
            return False
        else:
            target = node.targets[0]
        if not isinstance(target, ast.Attribute) or not isinstance(target.value, ast.Name):
            return False
        owner = self.defs.get(target.value.id)
        value, wrapper = node.value, ""
        if (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                and value.func.id in ("staticmethod", "classmethod") and value.func.id not in self.defs
                and len(value.args) == 1 and not value.keywords):
            value, wrapper = value.args[0], value.func.id
        if owner is None or owner[0].kind != "class" or not isinstance(value, ast.Name):
            return False
        held = self.defs.get(value.id)
        if held is None or held[0].kind != "function":
            return False
        cls, name, key = target.value.id, value.id, (target.value.id, target.attr)
        self.member_sets[key] = (*self.member_sets.get(key, ()), (cell.index, node.lineno, name))
        line = guarded(f"{cls}.{target.attr} = {f'{wrapper}({name})' if wrapper else name}")
        if wrapper != "classmethod":  # a class method keeps its ``cls`` (as members_line leaves it)
            line += "\n" + members_line(cls, (name,))
        self.last_sets[key] = MemberSet(held[0], wrapper, line)
        holder = self._holder(key)
        later = max((e for e in (owner, held, holder) if e is not None),
                    key=lambda entry: (entry[0].cell_index or 0, entry[0].first_line))
        self._set_after(later, line, cls, name)
        self.member_holders[key] = later[0].names[0]
        return True

    def _set_after(self, entry: _Entry, line: str, cls: str, function: str) -> None:
        """Run member set ``line`` (of ``cls`` and ``function``) just after the definition of
        ``entry``. The line reads both: what reads the definition it follows keeps them in the
        program (a helper that only the member held was left out of it, "RNN has no attribute
        cell"); and the class reads that definition, so that kept with the class, the line is too."""
        d = entry[0]
        self.defs[d.names[0]] = (dataclasses.replace(d, then=f"{d.then}\n{line}" if d.then else line,
                                                     uses=d.uses | ({cls, function} - set(d.names))),
                                 entry[1], entry[2])
        if d.names[0] != cls:
            kept = self.defs[cls]
            self.defs[cls] = (dataclasses.replace(kept[0], uses=kept[0].uses | {d.names[0]}), *kept[1:])

    def _holder(self, key: tuple[str, str]) -> _Entry | None:
        """The definition whose ``then`` holds the last line set for member ``key``, or None
        (none yet, or that name defined again as a constant: the program runs no line after one)."""
        holder = self.defs.get(self.member_holders.get(key, ""))
        return holder if holder is not None and holder[0].kind in ("function", "class") else None

    def _read_then_first(self) -> None:
        """A def or class that reads one of the notebook's functions when its statement runs (a
        default value ``cell=rnn_cell_forward``, a class body ``cell = staticmethod(...)``, a
        decorator) gets that function's definition as it was then run just before it, when the
        function is defined again later (the cell run again further down): the program runs
        definitions in the order of their last one, so the statement met no such name (NameError,
        the statement left out) and a right ``rnn_forward`` calling the helper or the class was
        'error', 0 / 15, in the grade and in check() alike, where the notebook runs. As for an
        alias (``_aliases_of_earlier_defs``); the last definition stays the one graded and the
        one every call by name meets."""
        order = {name: index for index, name in enumerate(self.defs)}
        compiles: dict[int, bool] = {}  # a def that does not compile is not run (it stops nothing)
        for name, read in self.read_then.items():
            entry = self.defs.get(name)
            if entry is None or entry[0].kind == "constant" or not read:
                continue
            first = tuple(d for n, d in read.items() if order.get(n, -1) > order[name] and _compiles(d, compiles))
            if first:
                self.defs[name] = (dataclasses.replace(entry[0], runs_first=first), entry[1], entry[2])

    def _member_sets_last(self) -> None:
        """Each member set still standing (its class not defined again since) run after the last
        definitions of its class and its function when either is defined again after it: the
        line stood after the definition it followed, which a def of the function again took out of
        the program (``def rnn_cell_forward`` in a later cell), or before the function's last one,
        where it raised NameError and left the member unset. A right ``rnn_forward`` calling
        ``RNN.cell(...)`` was 'error', 0 / 15, where check() (the kernel, which holds the member)
        said it passed. The member calls the global function when called (``members_line``), so
        the last definition is the one a call meets, in the program as with a stub."""
        order = {name: index for index, name in enumerate(self.defs)}
        for key, last in self.last_sets.items():
            cls, function, line = key[0], last.held.names[0], last.line
            owner, held = self.defs.get(cls), self.defs.get(function)
            if owner is None or held is None or owner[0].kind != "class" or held[0].kind != "function":
                continue
            later = max((owner, held), key=lambda entry: order.get(entry[0].names[0], -1))
            holder = self._holder(key)
            if (holder is not None and line in holder[0].then
                    and order.get(holder[0].names[0], -1) >= order.get(later[0].names[0], -1)):
                continue  # still after the last definitions of both
            self._set_after(later, line, cls, function)
            self.member_holders[key] = later[0].names[0]

    def _definition(self, kind: str, name: str, first: int, last: int, source: str,
                    cell: _ParsedCell, node: ast.AST | None,
                    uses: tuple[frozenset[str], frozenset[str], CodeType | None]) -> None:
        """Record a top-level def or class; the last definition of a name wins.

        ``uses`` is ``(all global names read, names read when the statement runs, the
        compiled source or None)`` (`def_scope`).
        """
        previous = self.defs.pop(name, None)
        self.functions_replaced.pop(name, None)  # `sigmoid = None`, then `def sigmoid`: the def holds
        if kind == "class" and self.member_sets:  # a class defined again has none of them
            self.member_sets = {key: f for key, f in self.member_sets.items() if key[0] != name}
            self.member_holders = {key: d for key, d in self.member_holders.items() if key[0] != name}
            self.last_sets = {key: last for key, last in self.last_sets.items() if key[0] != name}
        places = self.defined_at.setdefault(name, [])
        if previous is not None and previous[0].kind in ("function", "class") and len(places) >= 2:
            # A third definition: one note naming them all, not a second note (a real notebook's
            # `softmax` in cell 6 and twice in cell 7 was told twice, thirty-eighth session).
            places.append((cell.index, first))
            said = self.defined_note.pop(name, None)  # the note of the definitions before: replaced, not said again
            if said is not None:
                self.diags[said] = None
            self.defined_note[name] = len(self.diags)
            self.diags.append(Diagnostic("warning", (
                f"{defined_again_words(name)}, {len(places):,} times ({self._places(places)}); the last definition "
                f"({self._line(cell.index, first)}) is the one graded."), cell.index, first, name))
        elif previous is not None and previous[0].kind in ("function", "class"):
            old = previous[0]
            places[:] = [(old.cell_index, old.first_line), (cell.index, first)]
            if old.cell_index == cell.index:  # "(earlier in the same cell, line 4, and cell 39, line 32)" before
                told = (f"{defined_again_words(name)} in {self._cell(cell.index)} (line {old.first_line} and "
                        f"line {first}); the last definition (line {first}) is the one graded.")
            else:
                told = (f"{defined_again_words(name)} ({self._line(old.cell_index, old.first_line)}, "
                        f"and {self._line(cell.index, first)}); the last definition ({self._cell(cell.index)}) "
                        f"is the one graded.{self._ran_after(old.cell_index, cell.index)}")
            self.defined_note[name] = len(self.diags)
            self.diags.append(Diagnostic("warning", told, cell.index, first, name))
        else:
            places[:] = [(cell.index, first)]
        deps = [n for n in uses[1] if n != name and n in self.defs and self.defs[n][0].kind == "function"]
        if isinstance(node, ast.Assign) and not isinstance(node.value, ast.Lambda):
            # an alias has its own (`before`); the def it replaces, none. A lambda's defaults are
            # read when its statement runs, as a def's.
            self.read_then.pop(name, None)
        else:  # a def or a class
            self.read_then[name] = {n: self.defs[n][0] for n in deps}
        then = ("" if not deps else defaults_line(name, source, deps, node=node) if kind == "function"
                else members_line(name, deps) if kind == "class" else "")
        self.defs[name] = (Def(kind, (name,), source, cell.index, first, last, uses[0], uses[1], uses[2],
                                then=then, first_col=getattr(node, "col_offset", 0)), node, cell)
        if kind == "function":
            self.function_cells.setdefault(name, []).append(cell.index)

    def _places(self, places: list[tuple[int, int]]) -> str:
        """``"cell 6 (In [3]), line 3; cell 7 (In [4]), lines 3 and 17"``: places by cell, in order (the
        lines alone in a ``.py`` submission); past ``_PLACES_SHOWN``, the first ones, how many more, and
        the last (the one graded)."""
        more = len(places) - _PLACES_SHOWN
        shown = places[:_PLACES_SHOWN - 1] if more > 0 else places
        by_cell: dict[int, list[int]] = {}
        for index, line in shown:
            by_cell.setdefault(index, []).append(line)
        said = []
        for index, lines in by_cell.items():
            if len(lines) == 1:
                said.append(self._line(index, lines[0]))
                continue
            listed_lines = f"lines {', '.join(map(str, lines[:-1]))} and {lines[-1]}"
            said.append(listed_lines if self.nb.script else f"{self._cell(index)}, {listed_lines}")
        if more > 0:
            said += [f"{more:,} more", self._line(*places[-1])]
        return "; ".join(said)

    def _import(self, node: ast.Import | ast.ImportFrom, cell: _ParsedCell) -> None:
        """Record each alias of an import statement as a one-name import."""
        if isinstance(node, ast.Import):
            for alias in node.names:
                module = alias.name
                if alias.asname:
                    src, binds = f"import {module} as {alias.asname}", alias.asname
                else:
                    src, binds = f"import {module}", module.split(".", 1)[0]
                self._add_import(src, module, binds, None, node, cell)
        else:
            module = "." * node.level + (node.module or "")
            for alias in node.names:
                if alias.name == "*":
                    self._add_import(f"from {module} import *", module, None, None, node, cell)
                    continue
                binds = alias.asname or alias.name
                asname = f" as {alias.asname}" if alias.asname else ""
                self._add_import(f"from {module} import {alias.name}{asname}",
                                 module, binds, alias.name, node, cell)

    def _add_import(self, src: str, module: str, binds: str | None, imported: str | None,
                    node: ast.stmt, cell: _ParsedCell) -> None:
        """Classify one import and store it."""
        top = module.split(".", 1)[0]
        if module.startswith("."):
            kind = "heavy"
        elif top in COURSE_MODULES:
            kind = "course"
        elif is_test_helper_module(module):
            kind = "test"
        elif top in _LIGHT_MODULES:
            kind = "light"
        else:
            kind = "heavy"
        imp = Import(src, module, binds, kind, cell.index, node.lineno, imported)
        if binds is not None and self._numpy_reimported(imp, cell):
            return
        self.imports.append(imp)
        rebound = COURSE_MODULES.get(top, {}) if kind == "course" and binds is None else (binds,)
        for name in rebound:  # `sigmoid = None` then the import: the notebook's sigmoid is a function again
            self.functions_replaced.pop(name, None)
        if kind == "course":
            self._course_rebinds(imp, cell)
        if binds is not None:
            self._unbind_constant(binds)
            self._own_def_replaced(binds, imp, cell)
            if not needs_guard(imp):
                self.safe_imports.add(binds)
            if imported is None and kind != "test":
                self.module_binds[binds] = imp
            else:
                self.module_binds.pop(binds, None)

    def _numpy_reimported(self, imp: Import, cell: _ParsedCell) -> bool:
        """Whether ``imp`` binds a name an import bound to NumPy before it to something else
        (``import math as np`` after ``import numpy as np``): the one rule of ``_module_replaced``,
        for an import. It is not run, the functions are graded with NumPy as the name, and a warning
        at its line says so. Before, the program ran it: in a cell above the functions every graded
        function using ``np`` lost its points, told only ``module 'math' has no attribute 'dot'``; after
        them it was left out without a word. A module standing in for NumPy (``autograd.numpy``,
        ``jax.numpy``) is told only when a definition after it reads the name (``_numpy_standin_notes``)."""
        earlier = self.module_binds.get(imp.binds or "")
        if earlier is None or earlier.module.split(".", 1)[0] != "numpy" or (
                imp.imported is None and imp.module == earlier.module):
            return False
        said = Diagnostic(
            "warning",
            f"{self._line_of(cell.index, imp.line)}, `{imp.source}`, binds `{imp.binds}` again after "
            f"`{earlier.source}` ({self._cell(earlier.cell_index) if earlier.cell_index is not None else 'above'}): "
            f"the grader does not run that import and grades your functions with `{earlier.module}` as "
            f"`{imp.binds}`, but in your notebook every cell run after it finds `{imp.module}` in `{imp.binds}`, "
            f"not NumPy. Import it under another name.",
            cell.index, imp.line, None,
        )
        if imp.imported is None and imp.module.rsplit(".", 1)[-1] == "numpy":
            self.numpy_standins.append((imp, said))  # told at the end if a function after it reads the name
        else:
            self.diags.append(said)
        return True

    def _numpy_standin_notes(self) -> None:
        """The warnings of ``_numpy_reimported``'s stand-ins for NumPy that a kept definition after them
        reads: a bonus cell's ``import autograd.numpy as np`` after every function computes the same with
        NumPy and is not told (twenty-first session's review); one above the functions is."""
        for imp, said in self.numpy_standins:
            where = (imp.cell_index if imp.cell_index is not None else -1, imp.line)
            if any(imp.binds in entry[0].uses | entry[0].deftime
                   and (entry[0].cell_index if entry[0].cell_index is not None else -1, entry[0].first_line) > where
                   for entry in self.defs.values()):
                self.diags.append(said)

    def _own_def_replaced(self, name: str, imp: Import, cell: _ParsedCell) -> None:
        """An import binding ``name`` after the student's def or alias of that name (``np = f``, then
        ``import numpy as np``) replaces it, as when the notebook runs: the program put every import
        first, so the functions were graded with the student's ``np`` and each lost its points, told
        that ``np`` "is a function here, not NumPy", in a notebook whose cells all ran with NumPy. A
        course import has its own rule (``_course_rebinds``)."""
        if imp.kind != "course":
            self._replaced_by_import(name, imp, cell, then="use the module")

    def _course_rebinds(self, imp: Import, cell: _ParsedCell) -> None:
        """A course import (``from rnn_utils import *``, ``from rnn_utils import softmax``) after the
        student's own def of a helper it binds replaces that def, as when the notebook runs: the
        functions then call the course's. The program put every course helper before the
        student's definitions, so a wrong ``softmax`` of a cell above the imports was graded where
        Jupyter used the course's (thirty-third session: 92.7 / 100 for a notebook whose every
        test passed). A def after the import still wins."""
        helpers = COURSE_MODULES.get(imp.module, {})
        rebound = [name for name in helpers] if imp.binds is None else \
            [imp.binds] if imp.imported in helpers else []
        for name in rebound:
            self._replaced_by_import(name, imp, cell, then=f"call the course's `{name}`")

    def _replaced_by_import(self, name: str, imp: Import, cell: _ParsedCell, *, then: str) -> None:
        """The student's def or alias ``name``, when there is one, dropped for the import ``imp`` after it,
        and an info note that the functions ``then`` (what they call now), as when the notebook runs."""
        entry = self.defs.get(name)
        if entry is None or entry[0].kind != "function":
            return
        del self.defs[name]
        self.read_then.pop(name, None)
        self.alias_targets.pop(name, None)
        own = entry[0]
        self.diags.append(Diagnostic(
            "info",
            f"`{name}` ({self._line(own.cell_index, own.first_line)}) is replaced by `{imp.source}` "
            f"({self._line(cell.index, imp.line)}), which comes after it: your functions {then}, as when the "
            f"notebook runs.",
            cell.index, imp.line, None,
        ))

    def _assigned_function(self, node: ast.Assign, cell: _ParsedCell) -> bool:
        """Keep ``name = lambda ...: ...``, ``name = other``, ``other`` a function defined
        before it, and ``name = Cls.attr``, ``Cls`` a class defined before it (one name, a
        top-level statement), as a function ``name``.

        The first is a def written on one line: making it runs nothing but its default values
        (read as a def's are, ``deftime``); the second gives a function another name. Dropped
        as statements, a graded function that called such a helper from another cell
        (``dtanh_of = lambda a: 1 - a ** 2``) raised NameError when graded, and a student who
        wrote ``def rnn_cell_fwd(...)`` then ``rnn_cell_forward = rnn_cell_fwd`` was told that
        no function named ``rnn_cell_forward`` was found: 0 points for right functions.
        """
        value = node.value
        if isinstance(value, ast.Name):
            entry = self.defs.get(value.id)
            if entry is None or entry[0].kind != "function":
                return False
        elif isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name):
            # `rnn_cell_forward = RNN.cell`: a static method (or any attribute) of a class defined
            # before it; dropped, the right answer was "not found" (0 / 10).
            entry = self.defs.get(value.value.id)
            if entry is None or entry[0].kind != "class":
                return False
        elif not isinstance(value, ast.Lambda):
            return False
        # A statement after a ``;`` counts as one at the start of its line: Python binds the
        # line's last ``name = lambda ...``, which the grader, keeping the first only, did not
        # grade (10 / 10 for ``f = right; f = wrong``, 0 / 10 the other way round).
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            return False
        if node.targets[0].id in self.module_binds:
            return False  # `np = f`: the one rule of a name an import binds to a module (``_module_replaced``)
        source = _source_segment(cell.lines, node)
        if source is None:
            return False
        try:
            uses = USES_MEMO(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
        name = node.targets[0].id
        self.dropped_bindings.pop(name, None)
        self.constants_undone.pop(name, None)
        self._definition("function", name, node.lineno, node.end_lineno or node.lineno, source, cell, node, uses)
        member = self._member_alias(value) if isinstance(value, ast.Attribute) else None
        if member is not None and node.lineno == node.end_lineno:
            self.member_aliases[name] = (member, self.defs[value.value.id][0])  # type: ignore[union-attr]
        if isinstance(value, ast.Name):
            self.alias_targets[name] = (self.defs[name][0], self.defs[value.id][0], "")
        elif isinstance(value, ast.Attribute):
            static = self._decorated_member(value.value.id, value.attr, "staticmethod")
            if static or self._decorated_member(value.value.id, value.attr, ""):
                kept, kept_node, kept_cell = self.defs[name]
                line = dispatch_line(name, value.value.id, value.attr, static=static)
                self.defs[name] = (dataclasses.replace(kept, then=line), kept_node, kept_cell)
            self.alias_targets[name] = (self.defs[name][0], self.defs[value.value.id][0], value.attr)
        return True

    def _partial_as_def(self, name: str, call: ast.Call, cell: _ParsedCell) -> str | None:
        """The one-line def ``name = functools.partial(f, ...)`` (or ``partial(...)``) stands for,
        ``f`` a def of the notebook before it (``extractnotes.partial_as_def``), else None."""
        func = call.func
        if not ((isinstance(func, ast.Name) and func.id == "partial") or (
                isinstance(func, ast.Attribute) and func.attr == "partial" and isinstance(func.value, ast.Name)
                and func.value.id == "functools")) or not call.args or not isinstance(call.args[0], ast.Name):
            return None
        entry = self.defs.get(call.args[0].id)
        if entry is None or entry[0].kind != "function":
            return None
        texts = [_source_segment(cell.lines, node) for node in (*call.args[1:], *(k.value for k in call.keywords))]
        if any(text is None or isinstance(node, ast.Starred) for text, node in zip(texts, call.args[1:])) or any(
                text is None or k.arg is None for text, k in zip(texts[len(call.args) - 1:], call.keywords)):
            return None
        return partial_as_def(name, call.args[0].id, entry[0].source, texts[:len(call.args) - 1],
                              {k.arg: text for k, text in zip(call.keywords, texts[len(call.args) - 1:])})

    def _member_alias(self, value: ast.Attribute) -> Def | None:
        """The function definition ``Cls.attr`` holds when a set after the class put it there
        (``Cls.attr = f`` or ``staticmethod(f)``: read from the class, both give ``f`` itself),
        as it was defined then; None for a class method (a bound method), no such set, or a class
        whose building runs code (``_built_plainly``: what it holds is what that code makes)."""
        if not isinstance(value.value, ast.Name):
            return None
        last = self.last_sets.get((value.value.id, value.attr))
        entry = self.defs.get(value.value.id)
        if last is None or last.wrapper == "classmethod" or entry is None or entry[0].kind != "class":
            return None
        cls = self._class_members(entry[0].source)[1]
        return last.held if cls is not None and self._built_plainly(cls, seen=set()) else None

    def _function_replaced(self, node: ast.Assign | ast.AnnAssign, cell: _ParsedCell) -> bool:
        """The one rule of a function's name (thirty-fifth session), as ``_module_replaced``'s of a
        module's: ``sigmoid = None`` (a test cell's, after the functions) gives a name that a kept
        def, class or alias binds to a function, or a course helper the grader provides
        (``sigmoid``, ``softmax``), a value that is plainly not a function (a literal, a display, a
        comprehension): it is not run, and the functions are graded with the function. Before, a
        constant's (``sigmoid = None``) was kept and cost every function calling it its points, while
        ``sigmoid = {}`` (not a constant) was dropped without a word: one mistake, two grades. A
        warning says so at the end, unless a later def, alias or import binds the name again."""
        targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
        value = node.value
        if value is None or not _plainly_not_callable(value):
            return False
        given: dict[str, ast.expr | None] = {}  # each name -> the value it is given, where the text says
        for target in targets:
            if isinstance(target, ast.Name):
                given[target.id] = value
            elif isinstance(target, (ast.Tuple, ast.List)) and all(isinstance(e, ast.Name) for e in target.elts):
                items = value.elts if isinstance(value, (ast.Tuple, ast.List)) else ()
                for i, element in enumerate(target.elts):  # `sigmoid, q = None, 1`: sigmoid is given None
                    given[element.id] = items[i] if len(items) == len(target.elts) else None  # type: ignore
            else:
                return False
        functions = [name for name in given if self._names_a_function(name)]
        if not functions:
            return False
        for name in given:
            if name not in functions:  # `q` of `sigmoid, q = None, 1`: not run either
                self._rebound(name, cell.index)
        for name in functions:
            part = given[name]
            written = _source_segment(cell.lines, part) or "" if part is not None else ""
            written = written if written and len(written) <= 40 and "\n" not in written else "a value"
            self.functions_replaced.setdefault(name, (cell.index, node.lineno, written))
        return True

    def _names_a_function(self, name: str) -> bool:
        """Whether ``name`` holds a function now: a kept def, class or alias of it, or, with none
        and no kept constant, a course helper the grader provides."""
        entry = self.defs.get(name)
        if entry is not None:
            return entry[0].kind in ("function", "class")
        return name in COURSE_HELPERS and name not in self.module_binds

    def _function_replaced_notes(self) -> None:
        """The warnings of ``_function_replaced``'s statements whose name nothing bound again."""
        for name, (cell_index, line, written) in self.functions_replaced.items():
            entry = self.defs.get(name)
            holder = (f"the function `{name}` of {self._cell(entry[2].index)}" if entry is not None
                      else f"the course's `{name}`")
            value = f"`{written}`" if written != "a value" else "a value that is not a function"
            self.diags.append(Diagnostic(
                "warning",
                f"{self._line_of(cell_index, line)} sets `{name}` to {value}: the grader does not run that "
                f"statement and grades your functions with {holder}, but in your notebook every cell run after it "
                f"finds that value in `{name}`, not a function. Give the value another name.",
                cell_index, line,
            ))

    def _constant(self, node: ast.Assign | ast.AnnAssign, cell: _ParsedCell) -> bool:
        """Keep ``name = <literal or arithmetic of literals and kept constants>``."""
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
            value = node.value
        else:
            targets = node.targets
            value = node.value
        if value is None:
            return False
        names: list[str] = []
        for t in targets:
            if isinstance(t, ast.Name):
                names.append(t.id)
            elif isinstance(t, (ast.Tuple, ast.List)) and all(isinstance(e, ast.Name) for e in t.elts):
                names.extend(e.id for e in t.elts)  # type: ignore[union-attr]
            else:
                return False
        uses: set[str] = set()
        try:
            if not names or not _is_constant_expr(value, self.constant_scope, uses):
                return False
        except RecursionError:  # `1 + 1 + ... + 1`: parsed without recursing, too deep to walk
            return False
        if self.module_binds and any(n in self.module_binds for n in names) and not (
                isinstance(value, ast.Name) and value.id in self.module_binds):
            return False  # `np = 3`: dropped as `np = np.array(...)` is (``_module_replaced``)
        source = _source_segment(cell.lines, node)
        if source is None:
            return False
        for n in names:
            self.defs.pop(n, None)
            self.dropped_bindings.pop(n, None)
            self.constants_undone.pop(n, None)
        last = node.end_lineno or node.lineno
        self.defs[names[0]] = (
            Def("constant", tuple(names), source, cell.index, node.lineno, last, frozenset(uses)),
            None, cell,
        )
        for n in names[1:]:
            self.defs[n] = self.defs[names[0]]
        return True

    def _unbind_constant(self, name: str) -> None:
        """A later statement rebinds ``name``: an earlier kept constant no longer holds."""
        entry = self.defs.get(name)
        if entry is not None and entry[0].kind == "constant":
            for n in entry[0].names:
                self.defs.pop(n, None)

    def _rebound(self, name: str, cell_index: int, *, part: ast.expr | None = None) -> None:
        """A dropped statement of cell ``cell_index`` assigns ``name``, or sets ``part`` of it."""
        entry = self.defs.get(name)
        if entry is not None and entry[0].kind == "constant":
            self.constants_undone[name] = entry[0].cell_index
        self._unbind_constant(name)
        self.dropped_bindings[name] = cell_index
        self.dropped_calls.pop(name, None)
        if isinstance(part, (ast.Attribute, ast.Subscript)):
            self._module_part_set(part, name, cell_index)
        elif name in self.module_binds and name not in self.module_warned:
            self._module_replaced(name, cell_index)

    def _module_replaced(self, name: str, cell_index: int) -> None:
        """The one rule of a top-level assignment to a name an import binds to a module (``np = 3``,
        ``np = np.array(...)``, ``for np in ...``): it is not run, whatever its value, and the
        functions are graded with the module; a warning (once a name) says so and that in the
        notebook it hides the module from every cell run after it. Before the thirty-fourth session
        a constant's (``np = 3``) was kept, costing every function using ``np`` its points, and a
        call's dropped without a word. The functions were written and tested with the module."""
        self.module_warned.add(name)
        imp = self.module_binds[name]
        text = self.nb.cells[cell_index].source if 0 <= cell_index < len(self.nb.cells) else ""
        # One run of blanks at a time (the blanks after a bracket only with the bracket): two runs
        # side by side were tried at every split of a line's blanks, 90,000 of them 3.5 s a name
        # (thirty-seventh session). Not possessive quantifiers, which Python 3.10 (the kit's) lacks.
        found = re.search(rf"^[ \t]*(?:for[ \t]+)?(?:\([ \t]*)?{re.escape(name)}\b(?![ \t]*[.(\[])", text[:200_000],
                          re.MULTILINE)
        line = text.count("\n", 0, found.start()) + 1 if found else None
        place = self._line_of(cell_index, line) if line else _first_up(self._cell(cell_index))
        self.diags.append(Diagnostic(
            "warning",
            f"{place} sets `{name}` to another value after `{imp.source}` "
            f"({self._cell(imp.cell_index) if imp.cell_index is not None else 'above'}): the grader does not "
            f"run that statement and grades your functions with `{imp.module}` as `{name}`, but in your notebook "
            f"every cell run after it finds that value in `{name}`, not the module. Give the value another name.",
            cell_index, line,
        ))

    def _module_part_set(self, target: ast.Attribute | ast.Subscript, name: str, cell_index: int) -> None:
        """A dropped statement sets a part of a name an import binds to a module (``np.dot = None``,
        ``np.float = float``): not run, as every dropped statement, and a warning says what it set. It
        was told as ``_module_replaced``'s "sets `np` to another value", which the student had not
        written."""
        imp = self.module_binds.get(name)
        if imp is None or name in self.module_parts_warned:
            return
        self.module_parts_warned.add(name)
        part = (f"`{name}.{target.attr}`" if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                else f"a part of `{name}`")
        line = target.lineno
        self.diags.append(Diagnostic(
            "warning",
            f"{self._line_of(cell_index, line)} sets {part}, in the module `{imp.module}` that "
            f"`{imp.source}` ({self._cell(imp.cell_index) if imp.cell_index is not None else 'above'}) binds: the "
            f"grader does not run that statement and grades your functions with `{imp.module}` as it is, but in "
            f"your notebook every cell run after it finds your value there. Leave the module as it is and give "
            f"your value a name of its own.",
            cell_index, line,
        ))

    def _dropped(self, node: ast.stmt, cell: _ParsedCell) -> None:
        """Remember the names a dropped statement binds; keep the definitions a wrapper always runs
        (``_always_defined``); warn about the other defs hidden inside it."""
        for name, part in _bound_names(node):
            self._rebound(name, cell.index, part=part)
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Call) and node.lineno == node.end_lineno):
            name = node.targets[0].id
            statement = _source_segment(cell.lines, node)
            if statement is not None and len(statement) <= 200:
                self.dropped_calls[name] = (cell.index, node.lineno, statement,
                                            self._partial_as_def(name, node.value, cell))
        kept = {id(inner) for inner in self._always_defined(node, cell)} if isinstance(node, _WRAPPERS) else set()
        keyword = type(node).__name__.lower().replace("asyncfor", "for").replace("asyncwith", "with")
        block = f"{'an' if keyword[0] in 'aeiou' else 'a'} `{keyword}` block"  # "an `if` block", "a `try` block"
        for inner in _nested_defs(node):
            if id(inner) in kept:
                continue
            self.nested_defs[inner.name] = (block, cell.index, inner.lineno)
            self.diags.append(Diagnostic(
                "warning",
                f"`{inner.name}` is defined inside {block} "
                f"({self._line(cell.index, inner.lineno)}), not at the top level of a cell, so it is not graded.",
                cell.index, inner.lineno, inner.name,
            ))

    def _always_defined(self, node: ast.stmt, cell: _ParsedCell, depth: int = 0) -> list[ast.stmt]:
        """The defs and classes of a wrapper whose body always runs, kept as a cell's top-level ones
        are (thirty-fourth session; before, "defined inside an `if` block ..., so it is not graded",
        0 points for a right function). The rule: the body of ``if True:`` (or ``if 1:``) and of
        ``try:``, and of such a wrapper inside it (up to ``_MOST_WRAPPERS`` deep), from its first
        statement up to the first that is neither a def, a class, ``pass`` nor a docstring (what
        follows may not run: a statement before it can raise). An ``else``, ``except`` or
        ``finally`` body, a ``with``, a loop and any other test are not read. Each kept def is its
        lines with the wrapper's indentation taken off, parsed again at its own lines."""
        body = _always_run_body(node)
        kept: list[ast.stmt] = []
        for inner in body or ():
            if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if self._unwrapped(inner, cell):
                    kept.append(inner)
            elif isinstance(inner, _WRAPPERS) and depth + 1 < _MOST_WRAPPERS and _always_run_body(inner):
                kept.extend(self._always_defined(inner, cell, depth + 1))
            elif not (isinstance(inner, ast.Pass) or (isinstance(inner, ast.Expr) and isinstance(inner.value, ast.Constant))):
                break
        return kept

    def _unwrapped(self, inner: ast.stmt, cell: _ParsedCell) -> bool:
        """Keep ``inner``, a def or class of a wrapper always run, as a top-level one of ``cell``:
        True when its dedented lines parse as one such statement."""
        first = min([inner.lineno] + [d.lineno for d in getattr(inner, "decorator_list", ())])
        last = inner.end_lineno or inner.lineno
        col = inner.col_offset
        # One copy of the cell's lines for all its unwrapped defs, each dedenting its own lines
        # (two defs share none): a copy a def was quadratic in a cell of thousands of them.
        held = self.unwrapped_cells.get(cell.index)
        if held is None or held.text is not cell.text:
            held = self.unwrapped_cells[cell.index] = _ParsedCell(cell.index, cell.text, [])
            held.lines = list(cell.lines)  # type: ignore[misc]  # the cached property's value, set
        lines = held.lines
        for i in range(first - 1, min(last, len(lines))):
            line = lines[i]
            lead = len(line) - len(line.lstrip(" \t"))
            lines[i] = line[min(lead, col):]
        try:
            tree = ast.parse("\n".join(lines[first - 1:last]))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
        if len(tree.body) != 1 or not isinstance(tree.body[0], type(inner)):
            return False
        ast.increment_lineno(tree, first - 1)
        self._statement(tree.body[0], held)
        return True

    # -- analysis -----------------------------------------------------------------

    def _member_aliases_held(self) -> None:
        """``name = Cls.attr`` where a set after the class put the function ``f`` there (``Cls.attr
        = f`` or ``staticmethod(f)``), when ``f`` or ``Cls`` is defined again after it: Python's
        ``name`` is that ``f`` as it was then, so the program's alias becomes ``name = f``, and
        ``_aliases_of_earlier_defs`` (next) runs that ``f`` just before it when a later one
        replaced it. The program set the member after the last definitions, after the alias:
        'missing' (or another function) where the kernel holds the first ``f`` and check() said
        so. Untouched when neither is defined again (the member's own path is exact then)."""
        for name, (held, cls) in self.member_aliases.items():
            entry, target = self.defs.get(name), self.alias_targets.get(name)
            if entry is None or target is None or not _same_definition(entry[0], target[0]):
                continue  # ``name`` defined again after the alias: that one is graded
            f_now, cls_now = self.defs.get(held.names[0]), self.defs.get(cls.names[0])
            if (f_now is not None and _same_definition(f_now[0], held)
                    and cls_now is not None and _same_definition(cls_now[0], cls)):
                continue
            source = f"{name} = {held.names[0]}"
            try:
                uses, deftime, code = USES_MEMO(source)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            d = dataclasses.replace(entry[0], source=source, uses=uses, deftime=deftime, code=code)
            self.defs[name] = (d, entry[1], entry[2])
            self.alias_targets[name] = (d, held, "")

    def _aliases_of_earlier_defs(self) -> None:
        """An alias whose function is defined again after it (``def f`` in a cell, then
        ``rnn_cell_forward = f``, then ``def f`` again) names the ``f`` it ran after, as Python
        runs the notebook: that definition is run just before the alias in the program (the last
        ``f`` after it, for everything calling ``f``), and a warning says which one is graded.

        The program runs definitions in the order of their last one, so the alias ran before any
        ``f`` existed: NameError, and the student was told that their graded function "could not
        be defined" (0 points), though it was the very function their test cells had run under
        that name. Grading the last ``f`` instead would grade code the notebook never ran under
        the graded name.

        ``name = Cls.attr`` alike: the class ``Cls`` it read is run just before it when a later
        ``class Cls`` replaces it (a decoy, or a cell edited and run again). The program kept the
        last class only, after the alias: NameError, "missing" for a right method. Not for a
        class that does not compile (``_compiles``): run, it would stop the whole program."""
        replaced: dict[int, Def] = {}  # an alias given its earlier def here: id of it before -> after
        compiles: dict[int, bool] = {}  # id of a class -> whether it compiles, once for all its aliases
        for name, (alias, named, attr) in self.alias_targets.items():
            # ``named`` may be an alias given its earlier def above (g = f9, f9 = g): the same
            # binding, not a definition made again.
            named = replaced.get(id(named), named)
            entry, target = self.defs.get(name), named.names[0]
            now = self.defs.get(target)
            if (entry is None or not _same_definition(entry[0], alias) or now is None
                    or _same_definition(now[0], named)
                    or (named.kind == "class" and not _compiles(named, compiles))):
                continue
            given = dataclasses.replace(alias, before=named, uses=alias.uses | named.uses,
                                        deftime=alias.deftime | named.deftime)
            replaced[id(alias)] = given
            self.defs[name] = (given, entry[1], entry[2])
            where = (f"{self._line(named.cell_index, named.first_line)}" if named.cell_index is not None
                     else f"line {named.first_line}")
            again = self._cell(now[0].cell_index) if now[0].cell_index is not None else "later"
            said, what = ((f"{target}.{attr}", f"that first `{target}`'s `{attr}`") if attr
                          else (target, f"that first `{target}`"))
            self.diags.append(Diagnostic(
                "warning",
                f"`{name} = {said}` ({self._line(alias.cell_index, alias.first_line)}) names the `{target}` "
                f"defined in {where}, which {again} defines again later. As Python runs the notebook, `{name}` "
                f"is {what}, and it is the one graded as `{name}`; a function that calls `{target}` "
                f"by name gets the last one.",
                alias.cell_index, alias.first_line, name,
            ))

    def _finish(self) -> Extraction:
        """Scope analysis, placeholders, free names and marker hints; build the result."""
        self._function_replaced_notes()
        self._numpy_standin_notes()
        self._member_aliases_held()
        self._aliases_of_earlier_defs()
        self._member_sets_last()
        self._read_then_first()
        analysed: list[_Entry] = []
        seen: set[int] = set()
        for entry in self.defs.values():
            if id(entry[0]) not in seen:
                seen.add(id(entry[0]))
                analysed.append(entry)
        future = next(((i.cell_index, i.line) for i in self.imports
                       if i.module == "__future__" and i.imported == "annotations"), None)
        if future is not None:  # IPython keeps the flag for the cells after it
            analysed = [(_unannotated(d), node, cell)
                        if d.kind != "constant" and (d.cell_index or 0, d.first_line) > future
                        else (d, node, cell) for d, node, cell in analysed]
        defs = tuple(d for d, _, _ in analysed)

        student = {n for d in defs for n in d.names}
        imported = {i.binds for i in self.imports if i.binds and i.kind != "test"}
        star_names, star_unknown = self._star_names()
        known = student | imported | COURSE_HELPERS | star_names | _BUILTIN_NAMES | NUMPY_ALIASES
        unresolved = {n for d in defs for n in d.uses} - (known - star_names)
        star_keep = self._star_keep(unresolved)
        test_bound = {i.binds: i.module for i in self.imports if i.binds and i.kind == "test"}
        skip = self._undefinable(defs, known) | self._uncompilable(defs)

        functions: dict[str, FunctionSource] = {}
        reaches_in = reaching_code(defs, self.imports, cell=self._cell)
        class_names = frozenset(n for d in defs if d.kind == "class" for n in d.names)
        defined_in = frozenset(d.cell_index for d in defs if d.kind != "constant")  # cells the program draws on
        program_functions = {d.names[0] for d in defs if d.kind == "function"} | COURSE_HELPERS
        frozen_functions = frozenset(program_functions)
        # every error naming a def is reported by now
        broken = broken_definitions(d for d in self.diags if d is not None)
        for d, node, cell in analysed:
            if d.kind != "function":
                continue
            name = d.names[0]
            bound_source, bound_skips = self._bound(d, node)
            free_set = [n for n in d.uses if n not in known]
            if free_set and "global" in d.source:  # `global caches` then `caches = []`: its own
                own = _globals_assigned(d.source)
                free_set = [n for n in free_set if n not in own]
            if node is None:  # found by the fast path: a pure function of the def's text
                found, first_use = FINDINGS_MEMO(d.source, d.first_line, d.last_line, bool(free_set),
                                                  frozen_functions)
            else:
                found, first_use = def_findings(d.source, d.first_line, d.last_line, bool(free_set),
                                                 program_functions, node=node, lines=cell.lines)
            free = tuple(sorted(free_set, key=lambda n: (first_use.get(n, 0), n)))
            said = (lambda ln: self._line(d.cell_index, ln)) if self.nb.script else (lambda ln: f"line {ln}")
            detail = "; ".join(f"{said(ln)}: `{snip}`" if snip else f"{said(ln)}: {what}"
                               for ln, snip, what in found[:PLACEHOLDERS_SHOWN])
            if len(found) > PLACEHOLDERS_SHOWN:
                detail += f" (and {len(found) - PLACEHOLDERS_SHOWN} more)"
            functions[name] = FunctionSource(
                name=name, source=d.source, cell_index=d.cell_index, first_line=d.first_line,
                last_line=d.last_line, free_names=free,
                placeholder=bool(found), placeholder_detail=detail, uses=d.uses,
                # Not for an alias of an earlier def of a name defined again (d.before): the
                # function of that name is then another one.
                alias_of=(node.value.id if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name)
                          and d.before is None else None),
                bound_source=bound_source, bound_skips=bound_skips, reaches_in=reaches_in,
                classes_read=within(self.defs[n][0].source for n in sorted(d.uses & class_names)
                                     if n in self.defs) if class_names else (),
                read_then=within(dict.fromkeys(first.source for e in (d, *(self.defs[n][0] for n in sorted(
                    d.uses & class_names) if n in self.defs)) for first in e.runs_first)),
                works=body_works(d.code, name),
            )
            if found:  # the place said once: "in cell 13 (line 19: `x = None`)"
                cell = f" {self._cell(d.cell_index)}" if d.cell_index is not None else ""
                self.diags.append(Diagnostic(
                    "warning",
                    f"`{name}` is not implemented yet: template placeholder left in{cell} ({detail}).",
                    d.cell_index, found[0][0], name,
                ))
            if not found and "None" in d.source:
                self._bare_none_note(d, node)
            if not found:
                self._slip_notes(d, node)
            for n in free:
                self.diags.append(Diagnostic(
                    "warning", free_message(name, n, self.dropped_bindings, test_bound, star_unknown,
                                             graded_cells=defined_in, broken=broken, cell=self._cell,
                                             undone=self.constants_undone),
                    d.cell_index, first_use.get(n), name,
                ))
        self._import_notes(analysed, student)
        self._marker_notes(functions)
        if not functions:
            self.diags.append(Diagnostic("warning", "No function definitions were found in this submission."))
        return Extraction(
            path=self.nb.path,
            functions=MappingProxyType(functions),
            diagnostics=tuple(d for d in self.diags if d is not None),
            unread_cells=tuple(self.skipped),
            cells_left_out=self.nb.cells_left_out,
            unreadable_cells=tuple(c.index for c in self.nb.cells if c.kind == "code" and c.unreadable),
            assigned_in=MappingProxyType({n: c for n, c in self.dropped_bindings.items() if n not in functions}),
            assigned_by=MappingProxyType({n: (line, statement, instead) for n, (c, line, statement, instead)
                                          in self.dropped_calls.items()
                                          if n not in functions and self.dropped_bindings.get(n) == c}),
            nested_defs=MappingProxyType({n: where for n, where in self.nested_defs.items() if n not in functions}),
            prompts=MappingProxyType({c.index: c.prompt for c in self.nb.cells if c.prompt is not None}),
            script=self.nb.script,
            exported=self.exported,
            _defs=defs,
            _imports=tuple(self.imports),
            _star_keep=star_keep,
            _skip=skip,
            _future_annotations=future is not None,
        )

    def _bound(self, d: Def, node: ast.AST | None) -> tuple[str | None, int]:
        """``(bound_source, bound_skips)`` of the function ``d`` (statement ``node``): for an alias
        run before what it named was defined again (``d.before``), the source of the function it
        named, or of the member of the class it read (``name = Cls.attr``, a later ``class Cls``:
        the similarity check compared the last class's decoy); for ``name = Cls.attr`` otherwise,
        the member of ``Cls``; else None (the function's own source is compared)."""
        earliest = earlier_defs(d)[0] if d.before is not None else None
        if earliest is not None and earliest.kind != "class":
            return earliest.source, 0
        held = self.member_aliases.get(d.names[0], (None,))[0]
        if held is not None and d.source == f"{d.names[0]} = {held.names[0]}":  # made so by _member_aliases_held
            return self._function_source(held.names[0]) or held.source, 0
        member = self._class_member_source(node, defined=earliest, before=(d.cell_index or 0, d.first_line))
        if member is None and earliest is not None:  # `h = g` of a `g = Cls.attr` of a class defined again
            return earliest.source, 0
        return member, int(self._class_method(node, defined=earliest))

    def _class_member_source(self, node: ast.AST | None, *, defined: Def | None = None,
                             before: tuple[int, int] = (sys.maxsize, 0)) -> str | None:
        """For ``name = Cls.attr`` (``_assigned_function``): the source of what ``attr`` is in
        class ``Cls`` (the definition ``defined``, else the last) as Python builds it
        (``_member_source``); None for any other statement. The similarity check compares it:
        the alias's one line hid a classmate's function copied into a class as a static method."""
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Attribute)
                and isinstance(node.value.value, ast.Name)):
            return None
        return self._member_source(node.value.value.id, node.value.attr, seen=set(), defined=defined, before=before)

    def _member_source(self, cls_name: str, attr: str, *, seen: set[str], defined: Def | None = None,
                       before: tuple[int, int] = (sys.maxsize, 0)) -> str | None:
        """The source of ``attr`` in the student's class ``cls_name``: the *last* statement of its
        body that binds ``attr`` (a class body runs in order, so a later def or assignment replaces
        an earlier one) when it is a def, or the top-level function that ``attr = f`` or
        ``attr = staticmethod(f)`` names; without one in the body, the member of the first base
        (a student's class) that has it; otherwise the class's whole source. None when
        ``cls_name`` is no class of the student's. Taking the first def of the name let a decoy
        def before the copied one, a copy bound by ``attr = staticmethod(f9)`` or inherited
        from a base class be graded while the check compared the decoy or the subclass.
        ``defined``: the definition of ``cls_name`` to read, when not its last (an alias run
        before the class was defined again); its bases are read as last defined. ``before``:
        where the alias reading the member is (cell index, line); a set after it is not what it
        read (a decoy set after ``rnn_cell_forward = RNN.cell`` was compared, twenty-sixth review)."""
        if defined is None:
            entry = self.defs.get(cls_name)
            defined = entry[0] if entry is not None else None
        if defined is None or defined.kind != "class" or cls_name in seen or len(seen) >= MAX_FOLLOWED:
            return None
        seen.add(cls_name)
        source, cls, members, lines = self._class_members(defined.source)
        if cls is not None and not self._built_plainly(cls, seen=set()):
            # What its code makes of the class, a member set after it too: a metaclass's
            # ``__setattr__`` or ``__getattribute__`` gave the copy for ``RNN.cell = decoy``, while
            # the set's decoy was compared (twenty-sixth session's review).
            return self._with_reached(defined)
        set_after = next((f for *at, f in reversed(self.member_sets.get((cls_name, attr), ()))
                          if tuple(at) < before), None)
        if set_after is not None and self.defs.get(cls_name, (None,))[0] is defined:
            # ``Cls.attr = staticmethod(f9)`` after the class (``_member_set``): what the program
            # graded; the class's body, ``pass``, hid the copy from the check.
            found = self._function_source(set_after, seen=seen)
            if found is not None:
                return found
        if cls is None:
            return source
        last = members.get(attr)
        if isinstance(last, (ast.FunctionDef, ast.AsyncFunctionDef)):
            # get_source_segment splits its whole text into lines (a Python loop over every
            # character): given only the def's lines, its cost is the def's, not the class's.
            at = SimpleNamespace(lineno=1, end_lineno=last.end_lineno - last.lineno + 1,
                                       col_offset=last.col_offset, end_col_offset=last.end_col_offset)
            segment = ast.get_source_segment("".join(lines[last.lineno - 1:last.end_lineno]), at, padded=True)
            return textwrap.dedent(segment) if segment else source
        if last is None:
            for base in cls.bases:
                found = (self._member_source(base.id, attr, seen=seen, before=before)
                         if isinstance(base, ast.Name) else None)
                if found is not None:
                    return found
            return source
        value = last.value if isinstance(last, ast.Assign) else None
        if isinstance(value, ast.Call) and len(value.args) == 1 and not value.keywords:
            value = value.args[0]  # staticmethod(f9), classmethod(f9)
        if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name):
            # ``cell = K.run``: the member of the other class (the whole class was compared, whose
            # text holds no more than that line: a copy as ``K.run`` went uncompared).
            found = self._member_source(value.value.id, value.attr, seen=seen)
        else:
            found = self._function_source(value.id, seen=seen) if isinstance(value, ast.Name) else None
        return source if found is None else found

    def _function_source(self, name: str, *, seen: set[str] | None = None) -> str | None:
        """The source of the notebook's function ``name`` as a member bound to it holds it (the
        definition an alias run before a later one named, ``earlier_defs``; what an alias names,
        ``g = f9`` or ``g = K.run``, followed); None for anything but a function. The alias's
        own line was the text compared: ``g = f9`` then ``cell = staticmethod(g)``, in the class
        body or set after it, graded a copied ``f9`` in full while the check compared ``g = f9``
        and found no pair (twenty-sixth session's review)."""
        named = self.defs.get(name)
        if named is None or named[0].kind != "function":
            return None
        d = named[0]
        earlier = earlier_defs(d)
        if earlier:
            return earlier[0].source
        seen = set() if seen is None else seen
        target = self.alias_targets.get(name)
        if target is None or not _same_definition(target[0], d):
            return d.source
        if name not in seen and len(seen) < MAX_FOLLOWED:
            seen.add(name)
            _, what, attr = target
            found = (self._member_source(what.names[0], attr, seen=seen, defined=what,
                                         before=(d.cell_index or 0, d.first_line)) if attr
                     else self._function_source(what.names[0], seen=seen))
            if found is not None:
                return found
        if len(seen) >= MAX_FOLLOWED:  # a chain longer than that is said, not compared as one line
            from grader.gradedsource import unseen_note

            return unseen_note(f"reached through more than {MAX_FOLLOWED} names, not followed", reached=False) + d.source
        return d.source

    def _built_plainly(self, cls: ast.ClassDef, *, seen: set[str]) -> bool:
        """Whether the members of class ``cls`` are what its body binds, as ``_member_source`` reads
        them: no metaclass or other keyword, no class decorator, no call run while the body runs
        (``_runs_code_when_built``), and the same of each of its bases that is a student's class.
        Otherwise what the class holds is what that code makes it: ``class H(metaclass=M)`` whose
        ``M.__getattr__`` returns a copied ``f9``, or a decoy member decorated ``@(lambda f: f9)``,
        was graded as ``f9`` while the similarity check compared the decoy or ``class H: pass``."""
        known = self.plain_classes.get(id(cls))
        if known is None:
            known = self.plain_classes[id(cls)] = self._built_plainly_now(cls, seen=seen)
        return known

    def _built_plainly_now(self, cls: ast.ClassDef, *, seen: set[str]) -> bool:
        """``_built_plainly`` worked out (once per class: 2,000 aliases of a class of 1,500 methods
        would walk its members 2,000 times). ``@staticmethod`` is the builtin only when the notebook
        binds no ``staticmethod`` of its own, at its top level or in the class body (``def
        staticmethod(f): return f9`` made a decorated decoy member the copy, unnoted)."""
        if cls.keywords or cls.decorator_list or _runs_code_when_built(cls) or len(seen) >= 64:
            return False
        if any(name in self.defs or any(name in _bound_in_class(statement) for statement in cls.body)
               for name in _PLAIN_MEMBER_DECORATORS):
            return False
        for base in cls.bases:
            if not isinstance(base, (ast.Name, ast.Attribute)):
                return False
            entry = self.defs.get(base.id) if isinstance(base, ast.Name) and base.id not in seen else None
            if entry is not None and entry[0].kind == "class":
                seen.add(base.id)
                parent = self._class_members(entry[0].source)[1]
                if parent is None or not self._built_plainly(parent, seen=seen):
                    return False
        return True

    def _with_reached(self, defined: Def) -> str:
        """What the similarity check compares for a member of class ``defined`` when building the
        class runs code (``_built_plainly``): a note saying so (``gradedsource.unseen_note``), then the
        sources of the student's functions and classes the class reads, directly or through each
        other (``Def.uses``), up to ``MAX_REACHED_CHARS``, the course's helpers aside, then the
        class's own; so that a copy its metaclass or a decorator hands out is in the text compared.
        One text per class definition, whatever the member (``gradedsource.graded_source`` names it):
        made for each of 2,000 aliases of a 99 kB class, it took extraction from 30 to 156 MB."""
        known = self.reached_texts.get(id(defined))
        if known is not None and known[0] is defined:
            return known[1]
        texts, seen, queue = [defined.source], {*defined.names, *PROVIDED_NAMES}, [defined]
        size = 0
        while queue and size < MAX_REACHED_CHARS:
            for name in sorted(queue.pop(0).uses):
                entry = self.defs.get(name) if name not in seen else None
                seen.add(name)
                if entry is not None and entry[0].kind in ("function", "class") and size < MAX_REACHED_CHARS:
                    texts.append(entry[0].source)
                    queue.append(entry[0])
                    size += len(entry[0].source)
        from grader.gradedsource import unseen_note

        name = defined.names[0] if len(defined.names[0]) <= 60 else defined.names[0][:57] + "..."  # may be 90 kB
        what = f"a member of class `{name}`, whose building runs code (a metaclass, a decorator, a call)"
        text = unseen_note(what) + "\n\n".join(texts[1:] + texts[:1])  # the class last, as graded_source orders
        self.reached_texts[id(defined)] = (defined, text)  # holds `defined`: its id stays its
        return text

    def _class_members(self, source: str) -> tuple[str, ast.ClassDef | None, dict[str, ast.stmt], list[str]]:
        """The class ``source`` parsed, each name its body binds -> the last statement binding it
        (``_bound_in_class``), and its lines as the parser counts them (ends kept), once per class
        definition: parsed and split again for every alias, 2,000 aliases ``aK = H.mK`` of a class
        of 1,500 methods (99 kB of code) cost extraction 96 s of the grading process's CPU."""
        known = self.class_members.get(id(source))
        if known is not None and known[0] is source:
            return known
        cls, members = None, {}
        try:
            with unwarned():
                tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
        cls = next((s for s in tree.body if isinstance(s, ast.ClassDef)), None) if tree is not None else None
        for member in cls.body if cls is not None else ():
            for name in _bound_in_class(member):
                members[name] = member
        lines = LINE_ENDS.split(source)
        self.class_members[id(source)] = (source, cls, members, lines)  # holds `source`: its id stays its
        return source, cls, members, lines

    def _class_method(self, node: ast.AST | None, *, defined: Def | None = None) -> bool:
        """Whether ``node`` is ``name = Cls.attr`` with ``attr`` a ``@classmethod`` def of ``Cls``
        (the definition ``defined``, else the last)."""
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Attribute)
                and isinstance(node.value.value, ast.Name)):
            return False
        return self._decorated_member(node.value.value.id, node.value.attr, "classmethod", defined=defined)

    def _decorated_member(self, cls_name: str, attr: str, decorator: str, *, defined: Def | None = None) -> bool:
        """Whether the student's class ``cls_name`` binds ``attr`` last (``_class_members``) with a
        def decorated with ``@decorator`` (``staticmethod``, ``classmethod``) and nothing else; with
        ``decorator`` "", a def without decorators. Read from the class parsed once: parsing it
        for every alias made 2,000 aliases of a class of 1,500 methods cost 290 s (the fairness
        and hostile reviews of the twenty-third session, merged)."""
        if defined is None:
            entry = self.defs.get(cls_name)
            defined = entry[0] if entry is not None else None
        if defined is None or defined.kind != "class":
            return False
        member = self._class_members(defined.source)[2].get(attr)
        wanted = [ast.dump(ast.Name(decorator, ast.Load()))] if decorator else []
        return (isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef))
                and [ast.dump(d) for d in member.decorator_list] == wanted)

    def _uncompilable(self, defs: tuple[Def, ...]) -> frozenset[str]:
        """Defs that parse but that Python refuses to compile; left out of the program.

        ``break`` outside a loop, ``await`` outside ``async def``, a stray
        ``nonlocal``, ``return`` in a class body...: one of them would make the
        whole program a SyntaxError.  Compiling every def would double the
        cost of extraction, so only defs containing such a keyword, or whose
        scope analysis failed (empty ``uses``), are compiled.
        """
        skip: set[str] = set()
        for d in defs:
            if d.kind == "constant":
                continue
            risk, words = ((_CLASS_COMPILE_RISK_RE, _CLASS_COMPILE_RISK_WORDS) if d.kind == "class"
                           else (_COMPILE_RISK_RE, _COMPILE_RISK_WORDS))
            if d.uses and not (any(word in d.source for word in words) and risk.search(d.source)):
                continue
            try:
                with unwarned():
                    try:
                        compile(d.source, "<cell>", "exec")
                    except (SyntaxError, ValueError, RecursionError, MemoryError):  # again, for the cell's line
                        compile("\n" * (d.first_line - 1) + d.source, "<cell>", "exec")
            except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
                name = d.names[0]
                skip.add(name)
                line = getattr(exc, "lineno", None) or d.first_line
                reason = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
                self.diags.append(Diagnostic(
                    "error",
                    f"Syntax error in {self._line(d.cell_index, line)}: "
                    f"{reason}{'' if reason.endswith(('.', '?', '!')) else '.'} "
                    f"`{name}` cannot be graded until this is fixed.",
                    d.cell_index, line, name,
                ))
        return frozenset(skip)

    def _undefinable(self, defs: tuple[Def, ...], known: set[str]) -> frozenset[str]:
        """Defs whose own statement would raise NameError when the program loads.

        A default value, decorator, annotation, base class or class-body
        statement that reads a name nothing defines (``x_initializer=x_initializer``
        set by a test cell) would stop the whole program; such a def is left
        out of :meth:`Extraction.program` with an error that says why.
        """
        skip: set[str] = set()
        for d in defs:
            missing = sorted(d.deftime - known)
            if d.kind == "constant" or not missing:
                continue
            name = d.names[0]
            skip.add(name)
            names = ", ".join(f"`{n}`" for n in missing)
            where = [f"`{n}` is assigned in {self._cell(self.dropped_bindings[n])}" for n in missing
                     if n in self.dropped_bindings]
            self.diags.append(Diagnostic(
                "error",
                f"`{name}` ({self._line(d.cell_index, d.first_line)}) cannot even be defined when grading: "
                f"its default values, decorators, annotations or class body read {names}, which "
                f"nothing in the graded code defines" + (f" ({'; '.join(where)}, which is not graded)" if where else "")
                + f". `{name}` is left out of the graded program; pass such values as arguments instead.",
                d.cell_index, d.first_line, name,
            ))
        return frozenset(skip)

    def _star_keep(self, unresolved: set[str]) -> frozenset[str]:
        """Star imports of standard modules or NumPy that the program keeps.

        One is kept when it provides a name the kept code uses and nothing else
        defines, or, for modules not introspected, when any such name exists.
        Star imports of other modules are never kept.
        """
        keep: set[str] = set()
        for imp in self.imports:
            if imp.binds is not None or imp.kind != "light" or not unresolved:
                continue
            public = module_public_names(imp.module)
            if (public & unresolved) if imp.module in INTROSPECTABLE else unresolved:
                keep.add(imp.source)
        return frozenset(keep)

    def _star_names(self) -> tuple[set[str], list[str]]:
        """Names provided by star imports of light modules; modules of other star imports."""
        names: set[str] = set()
        unknown: list[str] = []
        for imp in self.imports:
            if imp.binds is not None:
                continue
            public = module_public_names(imp.module) if imp.kind == "light" else set()
            if public:
                names |= public
            elif imp.kind in ("light", "heavy"):
                unknown.append(imp.module)
        return names, unknown

    def _import_notes(self, analysed: list[_Entry],
                      student: set[str]) -> None:
        """Info/warnings about imports: heavy ones the kept code needs, numpy added."""
        users: dict[str, list[str]] = {}
        for d, _, _ in analysed:
            for n in d.uses:
                users.setdefault(n, []).append(d.names[0])
        late = late_imports(self.imports, [d for d, _, _ in analysed])  # not in the program
        bound = {i.binds for i in self.imports if i.binds and i.kind != "test" and i not in late}
        warned: set[str] = set()
        builders: dict[str, list[Import]] = {}  # a Keras model builder -> the Keras imports it uses
        for imp in self.imports:
            if imp.kind == "heavy" and imp.binds in users and imp.source not in warned and imp not in late:
                warned.add(imp.source)
                named = users[imp.binds]
                if imp.module.split(".", 1)[0] in KERAS_PACKAGES:
                    for name in named:
                        if name in self.defs and builds_a_model(self.defs[name][0].source):
                            builders.setdefault(name, []).append(imp)
                    named = [name for name in named if name not in builders]
                if named:
                    self.diags.append(Diagnostic(
                        "warning", outside_import_text(imp, named[:3], self._cell(imp.cell_index)),
                        imp.cell_index, imp.line, named[0],
                    ))
        for name, used in builders.items():
            d = self.defs[name][0]
            self.diags.append(Diagnostic(
                "warning", keras_builder_text(name, used, self._line(d.cell_index, d.first_line)),
                d.cell_index, d.first_line, name,
            ))
        course_imported = any(i.kind == "course" for i in self.imports)
        for module, fns in COURSE_MODULES.items():
            for fn_name in fns:
                if fn_name in users and fn_name not in student and fn_name not in bound and not course_imported:
                    self.diags.append(Diagnostic(
                        "info",
                        f"`{users[fn_name][0]}` uses `{fn_name}`, which the notebook neither defines nor imports "
                        f"from `{module}`; the course's `{fn_name}` is provided.",
                        function=users[fn_name][0],
                    ))
        imported = {i.binds for i in self.imports if i.binds and i.kind != "test"}  # late ones too
        for alias in ("np", "numpy"):
            if alias in users and alias not in imported and alias not in student:
                first = users[alias][0]
                stmt = "import numpy as np" if alias == "np" else "import numpy"
                self.diags.append(Diagnostic(
                    "info",
                    f"`{first}` uses `{alias}`, but the notebook never imports NumPy under that name "
                    f"(perhaps it came from a star import); the grader adds `{stmt}`.",
                    function=first,
                ))

    def _bare_none_note(self, d: Def, node: ast.AST | None) -> None:
        """Say where a function that runs holds a statement that is only ``None``: the course's
        template puts it where a line of code is to be written (``caches.append(cache)``), and
        left there it runs and does nothing, so the function lacks that line. It is not a
        placeholder (the function still runs and earns what its outputs earn), but without this
        note the student reads only that an output differs."""
        if node is None:
            tree = PARSE_MEMO(d.source, d.first_line)
            node = tree.body[0] if tree is not None and tree.body else None
        lines = bare_nones(node)
        if not lines:
            return
        cell = f"{self._cell(d.cell_index)}, " if d.cell_index is not None and not self.nb.script else ""
        where = ", ".join(str(n) for n in lines[:PLACEHOLDERS_SHOWN])
        more = f" (and {len(lines) - PLACEHOLDERS_SHOWN} more)" if len(lines) > PLACEHOLDERS_SHOWN else ""
        self.diags.append(Diagnostic(
            "warning",
            f"`{d.names[0]}` has a statement that is only `None` ({cell}line{'s' if len(lines) > 1 else ''} "
            f"{where}{more}): the template's blank for a line of code, left as it was. It does nothing, "
            f"so the function runs without that line.",
            d.cell_index, lines[0], d.names[0],
        ))

    def _slip_notes(self, d: Def, node: ast.AST | None) -> None:
        """Say where a function that runs names a method without calling it (``caches.append``)
        or unpacks an input array where its shape was meant (``n_y, n_a = parameters["Wy"]``):
        ``grader.codeslips``. What fails later names neither line. And where code below a
        ``return`` of its body never runs (``codeslips.unreached``): a fix put there is not seen."""
        if node is None:  # found by the fast path: parsed only when its text may hold one
            if not (may_slip(d.source) or may_end_early(d.source)):
                return
            with unwarned():
                node = PARSE_MEMO(d.source, d.first_line)
        found = list(slips(d.source, node, most=PLACEHOLDERS_SHOWN))
        if (end := unreached(d.source, node)) is not None:
            found.append(end)
        cell = f"{self._cell(d.cell_index)}, " if d.cell_index is not None else ""
        for slip in found:
            self.diags.append(Diagnostic(
                "warning", slip_sentence(d.names[0], slip, f"{cell}line {slip.line}"),
                d.cell_index, slip.line, d.names[0],
            ))

    def _marker_notes(self, functions: Mapping[str, FunctionSource]) -> None:
        """``# GRADED FUNCTION: name`` is a hint: say when the named function is missing."""
        for cell_index, name in self.graded_markers:
            if name in functions or name in self.function_cells or name in self.nested_defs:
                continue  # a def inside a block or a Markdown cell: its own warning says where
            here = [n for n, cells in self.function_cells.items() if cell_index in cells]
            also = f" (the cell defines {', '.join(f'`{n}`' for n in here)})" if here else ""
            self.diags.append(Diagnostic(
                "info",
                f"{_first_up(self._cell(cell_index))} is marked `GRADED FUNCTION: {name}`, but no function named "
                f"`{name}` is defined anywhere{also}.",
                cell_index, None, name,
            ))


# --------------------------------------------------------------------------- helpers


def _first_up(words: str) -> str:
    """``words`` (a cell's, "cell 21 (In [20])") with its first letter a capital, the rest as written:
    ``str.capitalize`` wrote "Cell 21 (in [20])" (the fb helper's note, thirty-fifth session)."""
    return words[:1].upper() + words[1:]


class _ConstantScope:
    """The names a constant's value may read (``name in scope``): a kept constant of ``defs``
    as they are now, or a name in ``safe_imports`` (bound by an import that cannot fail)."""

    def __init__(self, defs: Mapping[str, _Entry], safe_imports: Container[str]) -> None:
        """A live view of the extraction's definitions and safe imports (nothing copied)."""
        self.defs = defs
        self.safe_imports = safe_imports

    def __contains__(self, name: object) -> bool:
        """Is ``name`` a kept constant or a safely imported name?"""
        entry = self.defs.get(name)  # type: ignore[call-overload]
        return (entry is not None and entry[0].kind == "constant") or name in self.safe_imports


def _parsed_value(source: str) -> ast.expr | None:
    """The value of the one assignment ``source`` holds (a kept constant's), None otherwise."""
    try:
        body = ast.parse(source).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if len(body) != 1 or not isinstance(body[0], (ast.Assign, ast.AnnAssign)):
        return None
    return body[0].value


def _source_segment(lines: list[str], node: ast.AST) -> str | None:
    """``ast.get_source_segment(text, node)`` for ``lines`` = ``text.split("\\n")`` of a text
    without carriage returns (the only other line end Python knows).

    ``ast.get_source_segment`` splits the whole text again, in a loop of Python over its
    characters, at every call: a cell of thousands of constants took minutes.  Columns are
    UTF-8 byte offsets, as in the AST.
    """
    end_line, end_col = getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None)
    if end_line is None or end_col is None:
        return None
    first, last = node.lineno - 1, end_line - 1  # type: ignore[attr-defined]
    col = node.col_offset  # type: ignore[attr-defined]
    if first == last:
        return lines[first].encode()[col:end_col].decode()
    head = lines[first].encode()[col:].decode()
    tail = lines[last].encode()[:end_col].decode()
    return "\n".join([head, *lines[first + 1 : last], tail])


def _is_constant_expr(node: ast.expr, known: Container[str], uses: set[str]) -> bool:
    """True for literals and arithmetic over literals, kept constants and module attributes.

    Calls, subscripts, comprehensions and empty containers (which test cells
    fill in later) are not constants.  Names read are added to ``uses``.
    """
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        uses.add(node.id)
        return node.id in known or node.id in ("True", "False", "None")
    if isinstance(node, ast.Attribute):
        base: ast.expr = node
        while isinstance(base, ast.Attribute):
            base = base.value
        if isinstance(base, ast.Name) and base.id in known:
            uses.add(base.id)
            return True
        return False
    if isinstance(node, ast.UnaryOp):
        return _is_constant_expr(node.operand, known, uses)
    if isinstance(node, ast.BinOp):
        return _is_constant_expr(node.left, known, uses) and _is_constant_expr(node.right, known, uses)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        if not node.elts and not isinstance(node, ast.Tuple):
            return False
        return all(_is_constant_expr(e, known, uses) for e in node.elts)
    if isinstance(node, ast.Dict):
        if not node.keys:
            return False
        return all(k is not None and _is_constant_expr(k, known, uses) for k in node.keys) and all(
            _is_constant_expr(v, known, uses) for v in node.values
        )
    return False


def _bound_names(node: ast.stmt) -> Iterator[tuple[str, ast.expr | None]]:
    """Top-level names a dropped statement binds (assignment, loop and with targets), each with
    ``None``, or changes, each with the part it sets (``_target_names``)."""
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    elif isinstance(node, (ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
    for t in targets:
        yield from _target_names(t)
    if isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try)):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                yield from _bound_names(child)
    if isinstance(node, ast.Try):
        for h in node.handlers:
            for child in h.body:
                yield from _bound_names(child)


def _target_names(target: ast.expr) -> Iterator[tuple[str, ast.expr | None]]:
    """Each name an assignment target binds, with ``None``, or changes, with the part set: ``np``
    and the attribute of ``np.dot = None``, ``params`` and the item of ``params["W"][0] = 1`` (the
    names of an index are read, not bound). Iterative: a target nested a thousand deep is read
    without recursing."""
    stack = [target]
    while stack:
        t = stack.pop()
        if isinstance(t, ast.Name):
            yield t.id, None
        elif isinstance(t, ast.Starred):
            stack.append(t.value)
        elif isinstance(t, (ast.Tuple, ast.List)):
            stack.extend(reversed(t.elts))
        elif isinstance(t, (ast.Attribute, ast.Subscript)):
            base: ast.expr = t
            while isinstance(base, (ast.Attribute, ast.Subscript)):
                base = base.value
            if isinstance(base, ast.Name):
                yield base.id, t


def _globals_assigned(source: str) -> frozenset[str]:
    """The names a def (``source``) declares ``global`` and assigns itself (``global caches``, then
    ``caches = []``): a value it makes, not one it reads from outside (thirty-third session: such a
    function, right, was told "compute it inside or pass it in")."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset()
    declared = {name for node in ast.walk(tree) if isinstance(node, ast.Global) for name in node.names}
    # Assigned, not added to (`counter += 1` reads the value from outside first).
    stored = {target.id for node in ast.walk(tree) if isinstance(node, (ast.Assign, ast.AnnAssign))
              for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
              if isinstance(target, ast.Name)}
    return frozenset(declared & stored)


#: A ``def`` at the start of a line of a cell that is not code (a Markdown cell, a raw one).
_TEXT_DEF = re.compile(r"^[ \t]*def[ \t]+([A-Za-z_]\w*)[ \t]*\(", re.MULTILINE)


#: The statements whose body may always run (``_always_run_body``), and how deep in each other they are read.
#: Values that are plainly not a function: a literal, a display, a comprehension, an f-string.
_NOT_CALLABLE = (ast.Constant, ast.Dict, ast.List, ast.Set, ast.Tuple, ast.ListComp, ast.SetComp, ast.DictComp,
                 ast.JoinedStr)


def _plainly_not_callable(value: ast.expr) -> bool:
    """Whether ``value`` (a top-level assignment's) is plainly not a function: ``None``, ``3``,
    ``-1``, ``{}``, ``[f(x) for x in y]``, ``1 + 2``; not a name or a call, whose value could be one."""
    if isinstance(value, ast.UnaryOp):
        value = value.operand
    if isinstance(value, ast.BinOp):
        return isinstance(value.left, ast.Constant) and isinstance(value.right, ast.Constant)
    return isinstance(value, _NOT_CALLABLE)


_WRAPPERS = (ast.If, ast.Try) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())
_MOST_WRAPPERS = 3


def _always_run_body(node: ast.stmt) -> list[ast.stmt] | None:
    """The body of ``if True:`` / ``if 1:`` or of ``try:``, which always starts to run; None for
    any other statement (``if x:``, ``if __name__ == "__main__":``, ``with``, a loop)."""
    if isinstance(node, ast.If):
        test = node.test
        plain = (isinstance(test, ast.Constant) and type(test.value) in (bool, int) and test.value)
        return node.body if plain else None
    return node.body if isinstance(node, _WRAPPERS) else None


def _nested_defs(node: ast.stmt) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Function definitions inside a dropped compound statement (not inside functions)."""
    bodies: list[list[ast.stmt]] = []
    for attr in ("body", "orelse", "finalbody"):
        part = getattr(node, attr, None)
        if isinstance(part, list):
            bodies.append(part)
    for h in getattr(node, "handlers", []) or []:
        bodies.append(h.body)
    for body in bodies:
        for child in body:
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield child
            elif not isinstance(child, ast.ClassDef):
                yield from _nested_defs(child)


def _unannotated(d: Def) -> Def:
    """``d`` scoped as Python compiles it under ``from __future__ import annotations``, which
    evaluates no annotation: a def whose ``-> Tuple`` names nothing the notebook defines is
    right there, where it was left out as one that "cannot even be defined" (0 points). ``d``
    itself when nothing is read at definition time, or when the bytecode cannot tell
    (`code_uses`: the symbol table knows no future flags)."""
    if not d.deftime:
        return d
    try:
        with unwarned():
            code = compile(d.source, "<def>", "exec", flags=_FUTURE_ANNOTATIONS, dont_inherit=True, optimize=0)
    except Exception:  # noqa: BLE001 - as compiled_quietly: the def is then judged as it was
        return d
    uses = code_uses(code, d.source)
    if uses is None:
        return d
    # No code kept: the program's first line holds the future import, so the sandbox compiles
    # the whole text (`sandbox._compiled`), this def with the rest.
    return dataclasses.replace(d, uses=uses[0], deftime=uses[1], code=None)


def _same_definition(a: Def, b: Def) -> bool:
    """Whether ``a`` and ``b`` are one statement of the notebook: the same object, or one given
    lines to run after it or before it since (``dataclasses.replace``: a member set's line, an
    earlier definition run first), which an identity test took for a definition made again."""
    return a is b or (a.kind == b.kind and a.names == b.names and a.cell_index == b.cell_index
                      and a.first_line == b.first_line and a.first_col == b.first_col)


def clear_memos() -> None:
    """Empty this module's per-process memos (for tests and benchmarks: no result depends on them)."""
    for memo in (CELL_MEMO, USES_MEMO, PARSE_MEMO, FINDINGS_MEMO):
        memo.clear()


