"""Code that reaches into the process that runs it (:mod:`grader.extract`): the builtins, modules
and attributes through which a kept definition could read or change the grader's own objects (frames,
globals, the garbage collector, raw memory), found in its text and imports. Extraction refuses such
code; the sandbox is the boundary, this the early, named refusal."""

from __future__ import annotations

import re
from types import CodeType
from typing import Callable, Sequence

from grader.definitions import Def, Import
from grader.models import at_line, cell_words


#: What lets code change what another function runs, or what a global name of the program is:
#: builtins that read or write attributes or globals by a string (``_REACHING_BUILTINS``), the
#: attributes that hold a function's code and globals or lead to them (frames,
#: ``__subclasses__``) and the modules that do the same (a pickle can call ``setattr``; ``ctypes``
#: writes memory) (``_REACHING_NAMES``), a ``global`` statement, ``allow_pickle``. A
#: ``setattr(rnn_cell_forward, "__code__", f9.__code__)`` in a default value, or in a graded
#: function's body run before another is graded, made the grade a copied ``f9``'s while the
#: similarity check compared a decoy. Not exact (the child alone sees what runs), so it is a note
#: for the TA, not a verdict; the generated classes of the benchmarks hold none of it.
_REACHING_BUILTINS = frozenset({"globals", "vars", "locals", "exec", "eval", "setattr", "getattr", "delattr",
                                "compile", "__import__", "breakpoint", "__builtins__",
                                # an object's address (``hash`` of a function is its address turned):
                                # NumPy's array protocol makes a view of any address
                                "id", "hash"})
#: Modules whose import ``reaching_code`` stands for, when kept code reads the name it binds.
#: ``sys`` only for what reaches the program (``_SYS_REACHING``): many notebooks import it for
#: ``sys.path``.
_REACHING_MODULES = frozenset({"gc", "inspect", "ctypes", "ctypeslib", "types", "builtins", "importlib",
                               "operator", "pickle", "copyreg", "marshal", "dill", "cloudpickle", "__main__",
                               # code run from a file or a string, no ``exec`` named: a module the
                               # notebook wrote (``runpy.run_path``), a statement timed or debugged
                               "runpy", "imp", "zipimport", "pkgutil", "timeit", "doctest", "cProfile",
                               "pdb", "bdb",
                               # any callable by its dotted name (``pydoc.locate("builtins.exec")``);
                               # a string compiled (``codeop.compile_command``), run as a function
                               # (``type(f)(code, {})``) with no ``compile`` or ``exec`` named; the
                               # ``import`` lines of a ``.pth`` file the notebook wrote, exec'd by
                               # ``site.addsitedir``
                               "pydoc", "codeop", "site",
                               # a new interpreter run on a string (``[sys.executable, "-c", copy]``),
                               # its answers handed back through ``np.save``: the child may start one
                               "subprocess", "pty",
                               # the C modules under some of them, importable by their own names
                               # (``_ctypes._SimpleCData``, ``from_address``: memory at any address)
                               "_ctypes", "_pickle", "_operator", "_imp", "_frozen_importlib",
                               "_frozen_importlib_external"})
#: Modules that run code from a string (``code.InteractiveInterpreter().runcode(text)``,
#: ``profile.run``, ``trace``), looked for in the imports only: their names are common words
#: (``np.trace``, a ``.code`` attribute), so a definition's code holding one says nothing.
_STRING_RUNNERS = frozenset({"code", "profile", "trace"})
#: ``sys``'s attributes whose names say what they are wherever they are read.
_SYS_NAMED = ("_getframe", "_current_frames", "settrace", "setprofile", "exc_info", "exception",
              "last_traceback", "last_value", "meta_path", "path_hooks", "path_importer_cache")
#: ``sys``'s attributes that reach the program: ``modules`` too, after ``sys`` only. (A module the
#: notebook writes, imported from the child's folder, is refused by the child: ``_child.import_guard``.)
_SYS_REACHING = ("modules", *_SYS_NAMED)
#: NumPy's ways to a view of any address, no module of ``_REACHING_MODULES`` needed: an array's
#: buffer address (``__array_interface__``, ``__array_struct__``) and strides that reach past it
#: (``as_strided``, in ``numpy.lib.stride_tricks``). A default value copying the code pointer of
#: ``f9``'s function object into the decoy's made the grade a copy's, the decoy compared unnoted.
#: Also looked for in an import's module path and imported name (``from numpy.lib import
#: stride_tricks as _t`` binds a name that says nothing).
#: And library classes that set an attribute named by a string (``argparse.Namespace(**{key: face})``,
#: ``dataclasses.make_dataclass('C', [(key, dict)])``): the protocol's name joined at run time
#: with no ``__getattr__``, ``type`` or ``setattr`` (twenty-eighth session, through the grader:
#: the copy graded 10 / 10, the decoy compared unnoted). ``types.SimpleNamespace`` is under
#: ``types``. None of the three is in a code cell of real21, real26, real28 or class2.
_MEMORY_NAMES = frozenset({"as_strided", "stride_tricks", "__array_interface__", "__array_struct__",
                           "Namespace", "make_dataclass",
                           # library functions that ``eval`` a string (twenty-ninth session,
                           # through the grader: the copy in the string graded 10 / 10, the decoy
                           # compared unnoted): a logging configuration's handler class
                           # (``fileConfig``), a string annotation, in its function's globals
                           # (``get_type_hints``, and ``register`` of a single-dispatch function),
                           # a forward reference's string, in any globals (``ForwardRef``, one
                           # made by ``List["..."]``, evaluated by ``_evaluate`` or ``_eval_type``)
                           "fileConfig", "get_type_hints", "singledispatch", "singledispatchmethod",
                           "ForwardRef", "_evaluate", "_eval_type",
                           # ``os``'s ways to start a program (a new interpreter on a string)
                           "system", "popen", "posix_spawn", "posix_spawnp", "execv", "execve", "execvp",
                           "execvpe", "execl", "execle", "execlp", "execlpe", "spawnv", "spawnve", "spawnvp",
                           "spawnvpe", "spawnl", "spawnle", "spawnlp", "spawnlpe", "create_subprocess_exec",
                           "create_subprocess_shell"})
#: Names (attributes, modules imported inside a def) a definition's code may not hold unnoted.
_REACHING_NAMES = _REACHING_MODULES | frozenset({
    "__code__", "__globals__", "__dict__", "__setattr__", "__getattribute__", "__closure__", "__defaults__",
    "__kwdefaults__", "__subclasses__", "__base__", "__bases__", "__mro__", "__self__", "__builtins__",
    "f_globals", "f_locals", "f_back", "tb_frame", "gi_frame", "cr_frame", "ag_frame", *_SYS_NAMED,
    # a class that hands out attributes its code does not spell (NumPy's ``__array_interface__``)
    "__getattr__",
    # functools.update_wrapper(g, f9, assigned=["__code__"]) sets g.__code__ (so does wraps):
    # the attribute's name is a string there, no name its code holds.
    "update_wrapper", "wraps", *_MEMORY_NAMES, "from_address",
    # a module's loader, which loads a file by its path, past the child's import guard:
    # type(np.__loader__)('_m', '_m.py').load_module() ran a module the notebook wrote
    "__loader__", "__spec__", "load_module", "exec_module", "source_to_code",
    # string.Formatter().get_field("0.__globals__", (f9,), {}) returns the object an attribute path
    # spelt as a string leads to: the program's globals, rebound through it.
    "get_field"})
#: The same in a definition's text, for one that was not compiled (``Def.code`` None).
_REACHING_TEXT = re.compile(r"\b(?:%s)\b" % "|".join(sorted(_REACHING_BUILTINS | _REACHING_NAMES)))
_GLOBAL_STATEMENT = re.compile(r"^[ \t]*global[ \t]", re.M)


def reaching_code(defs: Sequence[Def], imports: Sequence[Import], *,
                   cell: Callable[[int], str] = cell_words) -> str:
    """Where the first of the ``imports`` that kept code reads, then of ``defs`` (in notebook
    order), that reaches into functions or globals does so, as "`setattr` (cell 4, line 12)";
    "" when none does. Read from what each definition's code reads (``Def.uses``, the names
    its compiled code holds), not its text: a docstring, a comment or ``model.compile`` is none
    of it. 10-14 us for the course's notebook (a regular expression over the text cost 370 us).
    ``cell`` words a cell index (``_Extractor._cell``: with the prompt the saved notebook shows)."""
    read = None
    for imp in imports:
        root = imp.module.split(".", 1)[0]
        memory = _memory_import(imp)
        runs = root in _REACHING_MODULES or root in _STRING_RUNNERS
        if imp.kind == "test" or imp.binds is None or (not runs and root != "sys" and not memory):
            continue
        read = frozenset().union(*(d.uses for d in defs)) if read is None else read
        if memory and imp.binds in read:
            return _at(f"import {memory}", imp.cell_index, imp.line, cell)
        if imp.binds in read and (runs or (
                imp.imported in _SYS_REACHING or imp.imported is None and any(
                    re.search(rf"\b{re.escape(imp.binds)}\s*\.\s*(?:{'|'.join(_SYS_REACHING)})\b", d.source)
                    for d in defs))):
            return _at(f"import {root}", imp.cell_index, imp.line, cell)  # the root: a dotted name may be 90 kB
    for d in defs:
        found = _reaching_in(d)
        if found:
            at = max(d.source.find(found), 0)
            return _at(found, d.cell_index, d.first_line + d.source.count("\n", 0, at), cell)
    return ""


def _memory_import(imp: Import) -> str:
    """The first name of ``_MEMORY_NAMES`` that import ``imp``'s module path or imported name
    holds ("stride_tricks"), or ""; a module path only when it names one (no split otherwise)."""
    if "stride_tricks" not in imp.module and imp.imported not in _MEMORY_NAMES:
        return ""
    found = _MEMORY_NAMES.intersection((*imp.module.split("."), imp.imported))
    return min(found) if found else ""


def _reaching_in(d: Def) -> str:
    """The first (by name) of what ``reaching_code`` looks for that definition ``d`` holds, or ""."""
    if d.code is None:
        names = {m.group(0) for m in _REACHING_TEXT.finditer(d.source)}
        found = (names - _REACHING_BUILTINS) | (names & d.uses)
    else:
        found = set(d.uses & _REACHING_BUILTINS)
        stack = [d.code]
        while stack:
            code = stack.pop()
            found.update(_REACHING_NAMES.intersection(code.co_names))
            stack.extend(const for const in code.co_consts if isinstance(const, CodeType))
    if "global" in d.source and _GLOBAL_STATEMENT.search(d.source):
        found.add("global")
    if "allow_pickle" in d.source:
        found.add("allow_pickle")
    return min(found) if found else ""


def _at(what: str, cell_index: int | None, line: int, cell: Callable[[int], str] = cell_words) -> str:
    """"`what` (cell C (In [P]), line L)", or "`what` (line L)" for code of no cell."""
    where = at_line(cell(cell_index), line) if cell_index is not None else f"line {line}"
    return f"`{what}` ({where})"
