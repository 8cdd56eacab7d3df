"""What a student is told about their notebook's code before it runs (:mod:`grader.extract`):
diagnostics, a definition that does not compile and what it costs, a name read but never defined,
an import from a library outside Python and NumPy and what to write instead, a cell whose source is
not text."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Callable, Collection, Iterable, Mapping, Sequence

from grader.definitions import Import
from grader.models import at_line, cell_words


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a submission, worded for the student.

    ``severity`` is ``"info"``, ``"warning"`` or ``"error"``; ``cell_index`` is
    the 0-based index among all cells and ``line`` the 1-based line in that cell.
    """

    severity: str
    message: str
    cell_index: int | None = None
    line: int | None = None
    function: str | None = None


def unreadable_words(where: str, what: str) -> str:
    """The note on a code cell whose saved ``source`` is not text (``grader.notebook.Cell.unreadable``)."""
    read = ("only its text items were read" if what.startswith("a list")
            else "the grader read no code in it")
    return (f"The code of {where} is saved as {what}, not as text, so {read}: a function defined there "
            "counts as missing. Something other than Jupyter changed the file (in it, a cell's "
            "\"source\" is text): put the cell's code back, save the notebook and hand it in again.")


INTROSPECTABLE = frozenset({
    "numpy", "numpy.random", "numpy.linalg", "math", "cmath", "random", "statistics", "itertools",
    "functools", "collections", "operator", "copy", "string", "fractions", "decimal",
})


# What to write with NumPy instead of a helper imported from a library outside Python and NumPy
# (``outside_import_text``), by the name imported: scipy.special's softmax and expit.
_SIGMOID_IN_NUMPY = "write the sigmoid with NumPy: `1 / (1 + np.exp(-z))`"
_NUMPY_INSTEAD = {
    "softmax": ("write `softmax` with NumPy in two lines: `e = np.exp(z - np.max(z, axis=0, keepdims=True))`, "
                "then `return e / np.sum(e, axis=0, keepdims=True)`"),
    "expit": _SIGMOID_IN_NUMPY,
    "sigmoid": _SIGMOID_IN_NUMPY,
}


_PLOT_OUT = ("take the plotting out of the function: a plot is no part of what it returns, and a test cell "
             "can plot what it returns")
#: What to do instead, by package, where the package is no computation to rewrite in NumPy (a
#: student's debugging plot inside rnn_forward was told to "write it with NumPy", thirty-fifth session).
_PACKAGE_INSTEAD = {
    "matplotlib": _PLOT_OUT, "seaborn": _PLOT_OUT, "plotly": _PLOT_OUT,
    "tqdm": "loop over the `range(...)` itself: a progress bar is no part of what the function returns",
}


def outside_import_text(imp: Import, users: Sequence[str], cell: str) -> str:
    """The warning for the functions ``users`` (the names of up to three) that use a name ``imp``
    imports from a library outside Python and NumPy (scipy, TensorFlow ...), for the student:
    what that does to their points, and what to write instead (a real notebook's
    ``from scipy.special import softmax`` was told the grader's own costs: "slow and may fail")."""
    package = imp.module if imp.module.startswith(".") else imp.module.split(".", 1)[0]
    instead = _NUMPY_INSTEAD.get(imp.imported or "") or _PACKAGE_INSTEAD.get(
        package, "write it with NumPy (`np.exp`, `np.tanh`, `np.dot` ...) or use the course's "
                 "`softmax` and `sigmoid`, which the grader provides")
    who = ", ".join(f"`{name}`" for name in users)
    return (f"{who} {'uses' if len(users) == 1 else 'use'} `{imp.binds}` from `{imp.source}` ({cell}). "
            f"{'Its' if len(users) == 1 else 'Their'} points depend on `{package}` "
            f"being installed where the notebooks are graded: without it (or if it is too slow to load) "
            f"the functions that use it raise an error or run out of time and score 0; with it, they are "
            f"graded as written. To be safe, {instead}.")


#: The packages of the bonus's Keras models, and what in a function's code builds one: a
#: ``Sequential`` or ``Model``, a layer, a ``compile`` or a ``fit`` (``keras_builder_text``).
KERAS_PACKAGES = frozenset({"tensorflow", "keras", "tf_keras"})
_BUILDS_A_MODEL = re.compile(r"\b(?:Sequential|Model|compile|fit)\s*\(|\blayers\.[A-Z]")


def builds_a_model(source: str) -> bool:
    """Whether a function's ``source`` builds, compiles or trains a Keras model."""
    return _BUILDS_A_MODEL.search(source) is not None


def keras_builder_text(function: str, imports: Sequence[Import], where: str) -> str:
    """The note on a function named like a graded one (``function``, defined at ``where``) that
    builds a Keras model with the names ``imports`` bind: a model builder of the bonus, which the
    grade calls as the assignment's NumPy function ("write it with NumPy", said before the
    thirty-eighth session, told a student to rewrite a Keras model in NumPy)."""
    names = " and ".join(dict.fromkeys(f"`{imp.binds}`" for imp in imports))
    sources = "; ".join(dict.fromkeys(f"`{imp.source}`" for imp in imports))
    return (f"`{function}` ({where}) builds a Keras model with {names} ({sources}): a model builder, "
            f"not the assignment's `{function}`, which is graded as NumPy code called with the "
            f"assignment's arguments. Give the builder another name (such as `build_model`) so that it "
            f"is not graded as `{function}`; the bonus is scored from the outputs of the cells that train "
            f"and evaluate the model, whatever the builder is called.")


def module_public_names(module: str) -> set[str]:
    """Public names of a star-imported module, for the few modules known to import cleanly.

    Importing is limited to :data:`INTROSPECTABLE` (NumPy and side-effect-free
    standard modules): ``from antigravity import *`` must not open a browser
    during extraction.  Other modules give no names.
    """
    import importlib

    if module not in INTROSPECTABLE:
        return set()
    try:
        mod = importlib.import_module(module)
    except Exception:  # a star import of a module that is not installed provides nothing
        return set()
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n in dir(mod) if not n.startswith("_")]
    return {n for n in names if isinstance(n, str)}


def free_message(function: str, name: str, dropped: Mapping[str, int],
                  test_bound: Mapping[str, str], star_unknown: list[str], *,
                  graded_cells: Collection[int | None] = (),
                  broken: Mapping[str, Diagnostic] | None = None,
                  cell: Callable[[int], str] = cell_words,
                  undone: Mapping[str, int] | None = None) -> str:
    """Student-readable explanation of one free name (``cell`` words a cell index: with the prompt
    the saved notebook shows, ``_Extractor._cell``). ``graded_cells``: the cells whose
    definitions the program holds; of such a cell the message cannot say that it "is not graded"
    (``CACHE = {}`` above the def that fills it: the cell is graded, that statement is not run).
    ``broken``: the notebook's functions whose definition has an error of its own (a syntax
    error), by name (``broken_definition_note``). ``undone``: the names set as a constant in a cell (by
    cell index) and then assigned again by a statement the grader does not run, which keeps neither."""
    if name == "get_ipython":
        return (f"`{function}` contains IPython-only syntax (a magic or shell command), "
                "which cannot run when grading; remove it from the function.")
    if broken and name in broken:
        return broken_definition_note(function, name, broken[name], cell=cell)
    text = f"`{function}` uses `{name}`, which is not defined inside the function"
    if undone and name in undone and name in dropped:
        text += (f"; it is set in {cell(undone[name])}, then assigned again in {cell(dropped[name])} by a statement "
                 "the grader does not run (a loop, a call): the value it ends with "
                 "depends on code the grader does not run, so it keeps neither. A graded function runs on its "
                 "own: compute the value inside the function or take it from the function's arguments")
    elif name in dropped and dropped[name] in graded_cells:
        text += (f"; it is only assigned outside the functions of {cell(dropped[name])}, by a statement the "
                 "grader does not run (of a cell's top level it runs imports, definitions and constants such "
                 "as `n_a = 5` or `SHAPE = (5, 10)`, not an empty `{}` or `[]`, a call or a loop). A graded "
                 "function runs on its own: compute the value inside the function or take it from the function's "
                 "arguments")
    elif name in dropped:
        text += (f"; it is only assigned outside, in {cell(dropped[name])}, which is not graded. "
                 "A graded function runs on its own: compute the value inside the function or take it "
                 "from the function's arguments")
    elif name in test_bound:
        text += f"; it comes from `{test_bound[name]}`, a test helper that is not available when grading"
    else:
        text += " nor anywhere else in the notebook's definitions, so it will raise NameError"
    if star_unknown:
        text += f" (unless it comes from `from {star_unknown[0]} import *`)"
    return text + "."


def broken_definitions(diagnostics: Iterable[Diagnostic]) -> dict[str, Diagnostic]:
    """The functions whose own definition has an error (a syntax error, a def that cannot be
    defined), by name: the first error naming each."""
    found: dict[str, Diagnostic] = {}
    for d in diagnostics:
        if d.severity == "error" and d.function and d.function not in found:
            found[d.function] = d
    return found


def broken_definition_note(function: str, name: str, error: Diagnostic, *,
                           cell: Callable[[int], str] = cell_words) -> str:
    """What to tell a student whose ``function`` uses ``name``, a function of theirs that is
    not defined because its own definition has ``error``: that error is the thing to fix, not
    where ``function`` looks for ``name`` ("defined outside the function (or nowhere): compute
    it inside", said before, sent them to the wrong cell). ``cell`` words a cell index, with its
    prompt (``_Extractor._cell``)."""
    where = cell(error.cell_index) if error.cell_index is not None else ""
    if error.line is not None:
        where = at_line(where, error.line) if where else f"line {error.line}"
    place = f" ({where})" if where else ""
    return (f"`{function}` uses `{name}`, which is not defined because its own definition has an "
            f"error{place}, reported for `{name}`: fix that, and `{function}` finds it.")


def partial_as_def(name: str, target: str, source: str, args: Sequence[str], keywords: Mapping[str, str]) -> str | None:
    """The one-line def that ``name = functools.partial(target, *args, **keywords)`` stands for,
    ``source`` the text of the notebook's ``def target``: ``def name(rest): return target(args,
    rest, keywords)``, ``rest`` the parameters neither given nor with a default; None when ``target``
    takes ``*args``, ``**kwargs`` or keyword-only parameters, or a keyword given comes before a
    parameter left to the caller (the partial's then take keywords only)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    defs = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if len(defs) != 1 or defs[0].name != target:
        return None
    spec = defs[0].args
    params = [a.arg for a in (*spec.posonlyargs, *spec.args)]
    if spec.vararg or spec.kwarg or spec.kwonlyargs or len(args) > len(params) or any(
            k not in params[len(args):] for k in keywords):
        return None
    required = len(params) - len(spec.defaults)
    rest = [p for i, p in enumerate(params) if i >= len(args) and i < required and p not in keywords]
    if rest and any(params.index(k) < params.index(rest[-1]) for k in keywords):
        return None
    call = ", ".join([*args, *rest, *(f"{k}={v}" for k, v in keywords.items())])
    return f"def {name}({', '.join(rest)}): return {target}({call})"
