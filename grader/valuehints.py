"""Hints read from what a function returned beside its source: printed instead of returned, one
array returned twice or as a view of another, an output replaced in a loop instead of filled, a
size the notebook fixed, the student's own helper in place of the course's, a parameter never
read, and state kept from one call to the next (``global``). Pure functions; "" when no rule fits."""
from __future__ import annotations

import ast
import difflib
import itertools
from typing import Any, Collection, Mapping, Sequence

from grader.hintcode import (walked, IN_PLACE, MOST_STATE_NODES, QUOTED, as_written, function_tree, kind_words,
                             loops_of, names_in, ordinal, statement_blocks, stores_of)
from grader.notebook import SourceMemo


def printed_instead_hint(source: str, *, returned: Sequence[str]) -> str:
    """For a function that returned None and prints, with no ``return`` of a value: ``print``
    shows values and gives nothing back. ``returned``: the names of the values to return. ""."""
    fn = function_tree(source)
    if fn is None or not returned:
        return ""
    own = [node for block in statement_blocks(fn) for stmt in block for node in ast.walk(stmt)
           if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    if any(isinstance(node, ast.Return) and node.value is not None for node in own):
        return ""
    printed = sorted((node for node in own if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                      and node.func.id == "print"), key=lambda node: node.lineno)
    if not printed:
        return ""
    return (f" It prints (`{as_written(printed[0], source)}`) but returns nothing: `print` shows values, and only "
            f"`return {', '.join(returned)}` gives them back to the caller.")


def replaced_in_loop_hint(source: str, *, output: Any, axes: int, first_line: int = 1) -> str:
    """For an output that lacks its last axis, the time steps (``a`` of shape (5, 10) for (5, 10, 4)):
    the line inside the loop that gives it each step's value whole (``a = a_next``, ``dx = dxt``) or
    stores every step at one place (``a[:, :] = a_next``). ``output``: the output's place in what
    the function returns (0 for the first value of a tuple, ``"dx"`` for a dict's key), read from its
    ``return``; ``axes``: how many axes the output should have. "" otherwise."""
    fn = function_tree(source)
    name = _returned_name(fn, output) if fn is not None else ""
    if not name:
        return ""
    for loop, _after in loops_of(fn):
        step = names_in(loop.target, ast.Store)
        index = loop.target.id if isinstance(loop.target, ast.Name) else "t"
        for stmt in loop.body:
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
                continue
            target, value = stmt.targets[0], as_written(stmt.value, source)
            slot = f"`{name}[{', '.join([':'] * (axes - 1) + [index])}] = {value}`"
            where = f"`{as_written(stmt, source)}` on line {stmt.lineno + first_line - 1}"
            if isinstance(target, ast.Name) and target.id == name:
                return (f"{where} replaces all of `{name}` at every step, so it ends as the last step's value, "
                        f"without an axis for the steps: create `{name}` with one (its last) before the loop, and "
                        f"store each step in its own slice, {slot}.")
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id == name \
                    and not names_in(target.slice, ast.Load) & step:
                return (f"{where} stores every step at the same place, so `{name}` keeps only the last step's value "
                        f"and has no axis for the steps: create it with one (its last) before the loop, and store "
                        f"each step in its own slice, {slot}.")
    return ""


def _returned_name(fn: ast.AST, output: Any) -> str:
    """The name the function's ``return`` gives at ``output`` (an index of the tuple it returns, or
    a key of the dict it returns, directly or through a name assigned a dict literal); ""."""
    returns = [node.value for block in statement_blocks(fn) for node in block if isinstance(node, ast.Return) and node.value]
    for value in returns:
        if isinstance(value, ast.Name):  # ``return gradients``, ``gradients = {...}`` above it
            made = [stmt.value for stmt in stores_of(fn, value.id) if isinstance(stmt, ast.Assign)]
            value = made[-1] if made else value
        if isinstance(output, int) and isinstance(value, ast.Tuple) and output < len(value.elts):
            element = value.elts[output]
        elif isinstance(output, str) and isinstance(value, ast.Dict):
            element = next((v for k, v in zip(value.keys, value.values)
                            if isinstance(k, ast.Constant) and k.value == output), None)
        else:
            continue
        if isinstance(element, ast.Name):
            return element.id
    return ""


#: NumPy's constructors that take a shape (``np.zeros((n_a, m))``) or its sizes (``np.random.randn(n_a, m)``).
_SHAPED = frozenset({"zeros", "ones", "empty", "full", "randn", "rand"})


def created_shape_hint(source: str, *, output: Any, got: tuple[int, ...], expected: tuple[int, ...],
                       dims: Mapping[str, int], first_line: int = 1) -> str:
    """For an output of the wrong shape, the function's last line that gives its returned name a
    value outside any loop, when that line shows where the shape comes from: an input passed on
    whole (``da0 = da``, an input of another shape), another name of the function (``da0 = dxt``,
    thirty-eighth session), or a NumPy constructor whose sizes are written
    out (``y_pred = np.zeros((n_y, m, n_a))``), each wrong size named, with the case's dimension
    of that size where only one has it (``dims``: ``{"T_x": 4, ...}``). Real notebooks of the
    thirty-fourth and thirty-fifth sessions, told only the two shapes. ``output``: the output's place
    in what the function returns. "" otherwise."""
    fn = function_tree(source) if "=" in source else None
    name = _returned_name(fn, output) if fn is not None else ""
    if not name:
        return ""
    stores = [stmt for stmt in fn.body if name in names_in(stmt, ast.Store)]
    last = stores[-1] if stores else None
    if not (isinstance(last, ast.Assign) and len(last.targets) == 1 and isinstance(last.targets[0], ast.Name)):
        return ""
    line, value = last.lineno + first_line - 1, last.value
    inputs = {a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)}
    if isinstance(value, ast.Name) and value.id in inputs and value.id != name:
        # The shapes are said just before, and the value meant by the known mistake's sentence after it
        # (`da0_is_da`): "`da0` is computed, of shape (5, 10)" read oddly and said the shape again.
        return f" Line {line} sets `{name}` to the input `{value.id}` itself, so it has `{value.id}`'s shape."
    if isinstance(value, ast.Name) and value.id != name:
        # `da0 = dxt` below the loop (thirty-eighth session: told only the two shapes): the name it copies.
        return (f" Line {line} sets `{name}` to `{value.id}` (`{as_written(last, source)}`), which has shape {got} "
                f"there: check that `{value.id}` is the value `{name}` stands for.")
    sizes = _written_sizes(value)
    if sizes is None or len(sizes) != len(got) or len(got) != len(expected):
        return ""
    wrong = [(axis, sizes[axis]) for axis in range(len(got)) if got[axis] != expected[axis]]
    if not wrong or len(wrong) > 2:
        return ""
    said = []
    for axis, size in wrong:
        named = [dim for dim, number in dims.items() if number == expected[axis]]
        meant = f"{expected[axis]} (`{named[0]}`)" if len(named) == 1 and named[0] != ast.unparse(size) \
            else str(expected[axis])
        said.append(f"axis {axis} is `{as_written(size, source)}`, {got[axis]} here, where {meant} is expected")
    return f" Line {line} creates it as `{as_written(value, source)}`: {' and '.join(said)}."


def _written_sizes(value: ast.expr) -> list[ast.expr] | None:
    """The sizes a NumPy constructor call is given (``np.zeros((a, b))``, ``np.random.randn(a, b)``),
    or None when ``value`` is no such call or they are not written out."""
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in _SHAPED
            and value.args):
        return None
    if value.func.attr in {"randn", "rand"}:
        return None if any(isinstance(arg, ast.Starred) for arg in value.args) else list(value.args)
    first = value.args[0]
    return list(first.elts) if isinstance(first, (ast.Tuple, ast.List)) else None


def shared_assignment(source: str, *, outputs: tuple[Any, Any], first_line: int = 1) -> str:
    """``"`c = a` (line 12)"``: the student's own assignment that gives the array one of two returned
    ``outputs`` (indices of the returned tuple, or keys of a returned dict) is under the name of the
    other as well (``c = a``, ``a = c = np.zeros(...)``), the last one of the function; "" when
    there is none to quote (the names are not plain, or the sharing is made another way)."""
    if "=" not in source:
        return ""
    fn = function_tree(source)
    if fn is None:
        return ""
    names = {_returned_name(fn, output) for output in outputs}
    if "" in names or len(names) != 2:
        return ""
    found = None
    for block in statement_blocks(fn):
        for stmt in block:
            if not isinstance(stmt, ast.Assign):
                continue
            bound = {t.id for t in stmt.targets if isinstance(t, ast.Name)}
            if isinstance(stmt.value, ast.Name):
                bound.add(stmt.value.id)
            if names <= bound and (found is None or stmt.lineno > found.lineno):
                found = stmt
    return "" if found is None else f"`{as_written(found, source)}` (line {found.lineno + first_line - 1})"


def view_assignment(source: str, *, output: Any, first_line: int = 1) -> str:
    """``"`c_next = c[:, :, 0]` (line 12)"``: the student's own assignment of a slice of the array the
    function returns at ``output`` (an index of the returned tuple, or a key of a returned dict) to a
    plain name, the first of the function: a view, whose values change when the loop writes into
    that array (the first cache's ``c_prev``, a real notebook's); "" when there is none (a copy,
    fancy indexing with a list, or names that are not plain)."""
    fn = function_tree(source) if "[" in source else None
    name = _returned_name(fn, output) if fn is not None else ""
    if not name:
        return ""
    found = None
    for block in statement_blocks(fn):
        for stmt in block:
            if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets) \
                    and isinstance(stmt.value, ast.Subscript) and isinstance(stmt.value.value, ast.Name) \
                    and stmt.value.value.id == name and _basic_index(stmt.value.slice) \
                    and (found is None or stmt.lineno < found.lineno):
                found = stmt
    return "" if found is None else f"`{as_written(found, source)}` (line {found.lineno + first_line - 1})"


def _basic_index(node: ast.expr) -> bool:
    """Whether an index is NumPy's basic indexing (slices, numbers, names, ``...``), which gives a
    view; a list in it is fancy indexing, which copies."""
    parts = node.elts if isinstance(node, ast.Tuple) else [node]
    return all(not isinstance(part, (ast.List, ast.ListComp, ast.Tuple)) for part in parts)


def outside_size_hint(function: str, name: str, value: Any, *, where: str, sizes: Collection[int]) -> str:
    """For a graded function that failed a case and reads ``name``, a whole number (or a tuple of
    them) that a cell's top level sets (``T_x = 4``; ``where``: "cell 2 (In [1]), line 1"), each
    one of the ``sizes`` of the assignment's example: every call sees that number, whatever its
    arguments' sizes, so the function passes the example and fails the hidden cases, whose sizes
    are other. "" for any other value (a tolerance, a flag, 0 or 1, a number no size of the
    example has)."""
    held = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if not held or not all(type(v) is int and v > 1 and v in sizes for v in held):  # bools are not sizes
        return ""
    return (f"`{function}` reads `{name}` from outside the function: {where}, sets it to {value!r}, so every "
            f"call uses {value!r} whatever the sizes of its arguments. The assignment's example has that size; "
            f"the hidden cases have others. Take it from the arguments instead (their `.shape`).")


#: How a student's own course helper differs from the course's, by what it gives on one array.
_SOFTMAX_WAYS = ((lambda got: got.sum(axis=1), "normalises each row (over axis 1)"),
                 (lambda got: got.sum(), "normalises the whole array at once"))


def own_helper_hint(function: str, helper: str, *, where: str, got: Any, expected: Any, raised: str = "") -> str:
    """For a graded function that failed a case and calls ``helper`` (``softmax``, ``sigmoid``),
    which the notebook defines itself (``where``: "cell 3 (In [2])") in place of the course's
    ``rnn_utils`` one: what the student's gives on an array where it differs from the course's
    (``got``: its value; ``raised``: the name of the error it raised instead; ``expected``: the course's).
    The expected values of every case are computed with the course's helper. "" when the two
    agree."""
    import numpy as np

    if raised:
        differs = f"yours raises {raised} on an array of shape {expected.shape}"
    elif not isinstance(got, np.ndarray) or got.shape != expected.shape:
        said = kind_words(got)
        differs = f"on an array of shape {expected.shape} yours returns {said}" + (
            " (it must give one value for each element, an array of the same shape)"
            if said == "a single number" or isinstance(got, (int, float)) else "")
    else:
        try:
            if np.allclose(got, expected, rtol=1e-6, atol=1e-9):
                return ""
            way = next((said for total, said in _SOFTMAX_WAYS if np.allclose(total(got), 1.0)), "") \
                if helper == "softmax" else ""
            if helper == "sigmoid" and np.allclose(got, 1 - expected):
                way = "gives 1 - sigmoid (mind the sign of the exponent: `1 / (1 + np.exp(-x))`)"
        except (TypeError, ValueError):  # an array of strings or objects
            way = ""
        differs = (f"yours {way}, where the course's normalises each column (over axis 0: each column is one "
                   f"example)" if way.startswith("normalises") else
                   f"yours {way}" if way else "yours gives other values than the course's on the same array")
    return (f"`{function}` calls your own `{helper}` ({where}), not the course's from `rnn_utils`, with which the "
            f"expected values are computed: {differs}. Fix yours, or delete it and use the course's "
            f"(`from rnn_utils import *`).")


def unread_parameter_hint(source: str, *, name: str) -> str:
    """`` " " +`` for a function (``source``) that reads ``name`` from outside itself and never
    reads one of its own parameters (``def rnn_forward(x, a0, params)`` reading ``parameters``,
    which the test cell above set): that parameter, the value a call passes, which is what the
    function was meant to read (the one of a name nearest ``name`` when several are unread). ""
    when every parameter is read."""
    function, unread = _UNREAD_PARAMETERS(source)
    if not unread:
        return ""
    near = difflib.get_close_matches(name, unread, n=1, cutoff=0.4)
    meant = near[0] if near else unread[0] if len(unread) == 1 else ""
    return (f" `{function}` never reads its parameter `{meant}`: if `{name}` is meant to be the argument a call "
            f"passes there, write `{meant}` instead.") if meant else ""


def _unread_parameters(source: str) -> tuple[str, tuple[str, ...]]:
    """The name of ``source``'s first def and its parameters it never reads (``("", ())`` when it
    does not parse): worked out once a source (``_UNREAD_PARAMETERS``), since a function is asked
    of every name it reads from outside, and a hostile one read 4,000 (a parse and a walk each:
    44 s of a worker until the lead's merge of the thirty-third session)."""
    fn = function_tree(source)
    if fn is None:
        return "", ()
    arguments = fn.args
    parameters = [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
    read = names_in(fn, ast.Load)
    return fn.name, tuple(p for p in parameters if p not in read and p not in ("self", "cls") and not p.startswith("_"))


def dead_store_hint(source: str, *, name: str, first_line: int = 1) -> str:
    """`` " " +`` for a function (``source``) that reads ``name`` from nowhere and, before that read,
    gives a value to another plain name that a later line sets again before anything reads it (a
    value thrown away): that line, as the value ``name`` was perhaps meant to hold. A real notebook
    of the thirty-fifth session wrote ``yt_pred = np.concatenate([a_prev, xt])`` and read ``concat``
    (told only to compute it inside or pass it in; 0 / 20). Only when the function has one such
    line. ""."""
    fn = function_tree(source) if "=" in source else None
    stores = _DEAD_STORES(source) if fn is not None else ()
    if not stores:
        return ""
    line, target, value, later = stores[0]
    reads = [n.lineno for n in ast.walk(fn) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]
    if not reads or min(reads) <= line:
        return ""
    return (f" Line {line + first_line - 1} stores `{value}` in `{target}`, which line {later + first_line - 1} sets "
            f"again before anything reads it: was that value meant to be `{name}`?")


def unread_local_hint(source: str, *, name: str, first_line: int = 1) -> str:
    """`` " " +`` for a function (``source``) that reads ``name`` from outside itself and gives a value
    to a name near it that nothing in the function reads (one a part of the other's name, ``yt`` and
    ``yt_pred``, or close in spelling): that name and its line, as the value ``name`` was meant to
    be. A real notebook's ``lstm_forward`` unpacked ``yt`` from each step and stored ``yt_pred``, a
    test cell's global (thirty-eighth session: told "compute the value inside the function or take
    it from the function's arguments"). Only when one such name fits; of a function's first
    ``_MOST_UNREAD`` such names (a real one has a few). ""."""
    unread = _UNREAD_LOCALS(source) if name in source else ()
    parts = name.split("_")
    near = [(other, line) for other, line in unread if other != name
            and (other in parts or name in other.split("_")
                 or difflib.get_close_matches(name, [other], n=1, cutoff=0.75))]
    if len(near) != 1:
        return ""
    other, line = near[0]
    return (f" Line {line + first_line - 1} gives `{other}` a value that nothing in the function reads: if that is "
            f"the value meant, write `{other}` for `{name}`.")


#: The most names ``unread_local_hint`` compares with the name read from outside (the thirty-fourth
#: session's hostile function read 4,400 names; each comparison is one of difflib's).
_MOST_UNREAD = 100


def _unread_locals(source: str) -> tuple[tuple[str, int], ...]:
    """``(name, first line)`` of the plain names of more than one character that ``source``'s def
    gives a value and never reads, the first ``_MOST_UNREAD``; one bounded walk."""
    fn = function_tree(source)
    if fn is None:
        return ()
    stored: dict[str, int] = {}
    loaded: set[str] = set()
    for node in walked(fn):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Store):
                stored[node.id] = min(node.lineno, stored.get(node.id, node.lineno))
            else:
                loaded.add(node.id)
    return tuple(itertools.islice(((other, line) for other, line in stored.items()
                                   if other not in loaded and len(other) > 1), _MOST_UNREAD))


def _dead_stores(source: str) -> tuple[tuple[int, str, str, int], ...]:
    """``(line, name, value as written, line that sets it again)`` of the statement of ``source``'s
    def body (its own level) that gives a plain name a value which the next statement to set that
    name replaces before any read of it, when it is the only one; ``()`` otherwise. One walk a
    statement."""
    fn = function_tree(source)
    if fn is None:
        return ()
    found, pending = [], {}  # name -> the statement whose value nothing has read yet
    for stmt in fn.body:
        for read in names_in(stmt, ast.Load):  # a statement reads before it stores
            pending.pop(read, None)
        for stored in names_in(stmt, ast.Store):
            made = pending.pop(stored, None)
            if made is not None and isinstance(stmt, ast.Assign):
                found.append((made, stored, stmt.lineno))
                if len(found) > 1:  # the hint is for one only
                    return ()
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            pending[stmt.targets[0].id] = stmt
    return tuple((made.lineno, stored, as_written(made.value, source), later) for made, stored, later in found)


_DEAD_STORES = SourceMemo(_dead_stores, max_entries=16, max_chars=200_000, max_key_chars=200_000,
                          keep_at_first_sight=True)


_UNREAD_LOCALS = SourceMemo(_unread_locals, max_entries=16, max_chars=200_000, max_key_chars=200_000,
                            keep_at_first_sight=True)


_UNREAD_PARAMETERS = SourceMemo(_unread_parameters, max_entries=16, max_chars=200_000, max_key_chars=200_000,
                                keep_at_first_sight=True)


def fixed_size_hint(source: str, *, sizes: Collection[int], first_line: int = 1) -> str:
    """For a graded function (``source``) that failed a hidden case: its first line that writes out
    sizes of the assignment's example as numbers where a size goes (``np.zeros((5, 10, 4))``,
    ``range(4)``, or ``n_x, m = 3, 10`` when a shape or a range reads those names; each one of
    ``sizes``, above 1: ``grader.fixedsizes``, which the self-check reads too), which hold in the
    example only: the hidden cases have other sizes. "" when no line does."""
    from grader.fixedsizes import sizes_written

    fn = function_tree(source)
    if fn is None:
        return ""
    found = sizes_written(fn, source.splitlines(), sizes=frozenset(sizes))
    if not found:
        return ""
    first = found[0]
    written = first.numbers
    shown = written[0] if len(written) == 1 else written
    return (f"`{fn.name}` writes out {shown} on line {first.line + first_line - 1} (`{first.code}`): "
            f"{'a size' if len(written) == 1 else 'sizes'} of the assignment's example, which the hidden cases do "
            f"not have. Take {'it' if len(written) == 1 else 'them'} from the arguments instead (their `.shape`).")


def global_state_hint(source: str, *, first_line: int = 1) -> str:
    """For a graded function (``source``) a case of which failed, that keeps a value from one call
    to the next: a name it declares ``global`` and changes from the value the call before left
    (``counter += 1``; ``caches.append(cache)`` or ``seen[t] = x`` before any ``caches = ...`` of
    its own; read before it is set). The grader calls the function many times, once a case, so
    each call starts from what the others left. "" otherwise: ``global caches`` then ``caches =
    []`` starts afresh at each call (thirty-fourth session)."""
    if "global" not in source:
        return ""
    fn = function_tree(source)
    if fn is None:
        return ""
    declared: dict[str, None] = {}
    walked = []
    for node in ast.walk(fn):
        if len(walked) >= MOST_STATE_NODES:
            break
        walked.append(node)
        if isinstance(node, ast.Global):
            declared.update(dict.fromkeys(node.names))
    if not declared:
        return ""
    stored: dict[str, tuple[int, int]] = {}  # each name's first assignment of its own
    kept: dict[str, tuple[int, int, ast.AST]] = {}  # each name's first line using the last call's value
    for node in walked:
        target = None
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            target, where = node.target.id, (node.lineno, -1)  # before any store of the same line
        elif isinstance(node, ast.Name) and node.id in declared:
            if isinstance(node.ctx, ast.Store):
                place = (node.lineno, node.col_offset)
                if place < stored.get(node.id, (1 << 30, 0)):
                    stored[node.id] = place
                continue
            target, where = node.id, (node.lineno, node.col_offset)
        if target in declared and (target not in kept or where < kept[target][:2]):
            kept[target] = (*where, node)
    lines = source.splitlines()
    for name in declared:
        if name in kept and kept[name][:2] < stored.get(name, (1 << 30, 0)):
            if name not in stored and not _changed_in_place(walked, name):
                continue  # only read: a value from outside, which the free-name note tells
            line = kept[name][0]
            code = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            code = code if len(code) <= QUOTED else f"{code[:QUOTED // 2]} ... {code[-QUOTED // 4:]}"
            return (f"`{fn.name}` keeps `{name}` from one call to the next (`global {name}`; line "
                    f"{line + first_line - 1}: `{code}`): each call starts from what the calls before it left, "
                    f"and the grader calls the function many times, once a case. Make `{name}` the function's own: give "
                    f"it its first value inside the function, at each call, and leave out `global {name}`.")
    return ""


def _changed_in_place(walked: Sequence[ast.AST], name: str) -> bool:
    """Does a node of ``walked`` change ``name`` without assigning it: an augmented assignment, a
    store into it (``name[t] = x``, ``name.x = 1``) or a method that changes a list (``append``)?"""
    for node in walked:
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            return True
        if (isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, (ast.Store, ast.Del))
                and isinstance(node.value, ast.Name) and node.value.id == name):
            return True
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in IN_PLACE
                and isinstance(node.func.value, ast.Name) and node.func.value.id == name):
            return True
    return False


def reordered_tuple_hint(source: str, *, name: str, order: Sequence[int], first_line: int = 1) -> str:
    """For a returned tuple ``name`` (a cache) that holds the right values in another order
    (``order[j]``: the place in the student's tuple of the ``j``-th value expected): the student's own
    ``name = (...)`` of the function ``source``, its last one of that many names, written in the
    order asked for, with its line; a sentence without the names when the function has no such
    line. Read once a case failed (thirty-fifth session)."""
    made = _made_tuple(source, name, len(order))
    if made is None:
        moved = [f"its {ordinal(place + 1)} belongs {ordinal(j + 1)}" for j, place in enumerate(order) if place != j]
        return (f"`{name}` holds the right values in another order: {', '.join(moved)}. Store them in the order "
                f"the backward pass unpacks.")
    written = [as_written(element, source) for element in made.value.elts]
    fixed = ", ".join(written[place] for place in order)
    return (f"`{name}` holds the right values in another order: write line {made.lineno + first_line - 1} as "
            f"`{name} = ({fixed})`, the order the backward pass unpacks.")


def repeated_tuple_hint(source: str, *, name: str, place: int, other: int, length: int, first_line: int = 1) -> str:
    """For a returned tuple ``name`` (a cache) of ``length`` values whose ``place``-th holds the value of
    its ``other``-th (``outputnotes.repeated_value``): the student's own line making it, when the two
    places are written alike there (``cache = (a_next, a_next, xt, parameters)``); else the places.
    Read once a case failed (thirty-sixth session)."""
    made = _made_tuple(source, name, length)
    written = [as_written(element, source) for element in made.value.elts] if made is not None else []
    need = (f"its {ordinal(place + 1)} place needs another value, the one the backward pass unpacks "
            f"{ordinal(place + 1)}")
    if written and written[place] == written[other]:
        return (f"Line {made.lineno + first_line - 1}, `{name} = ({', '.join(written)})`, stores `{written[place]}` "
                f"twice, {ordinal(other + 1)} and {ordinal(place + 1)}: {need}.")
    if written:
        # Two names that hold equal values (`it = ft`, a gate made as the other is): the tuple is right, the
        # values are not, and "needs another value" sent the student to the cache (thirty-seventh session).
        return (f"`{written[place]}` and `{written[other]}`, which line {made.lineno + first_line - 1} stores "
                f"{ordinal(place + 1)} and {ordinal(other + 1)} in `{name}`, hold the same values: check the lines "
                f"that compute them, one is computed as the other is.")
    return f"`{name}[{place}]` holds the same values as `{name}[{other}]`: {need}."


def _made_tuple(source: str, name: str, length: int) -> ast.Assign | None:
    """The function's (``source``) last ``name = (...)`` of ``length`` values, read bounded; None."""
    fn = function_tree(source)
    made = None
    for count, node in enumerate(ast.walk(fn) if fn is not None else ()):
        if count >= MOST_STATE_NODES:
            break
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == name and isinstance(node.value, (ast.Tuple, ast.List))
                and len(node.value.elts) == length and (made is None or node.lineno > made.lineno)):
            made = node
    return made
