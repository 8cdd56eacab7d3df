"""The child runtime: what a sandbox child runs once it has its submission.

A child forked by the zygote (:mod:`grader._child`) loads the student's program and answers the
grading process's calls over its own socket: each call's arguments built from the layouts the zygote
taught it (``args_layout``, ``args_builders``), the student's function run under a baseline of the
dictionaries it must not keep changed (``Baseline``, ``guarded_dicts``), the answer encoded with
:mod:`grader.wire` (the usual one from fixed bytes: ``USUAL_ANSWER``), and stub round trips to the
grading process for the reference's steps (``STUB_REQUEST``). The zygote builds one ``Runtime``
before it forks, so that each child only attaches its socket.

The grading process imports the protocol's constants from here (``FRAME``, ``ARGS_HEAD``,
``USUAL_ANSWER``, ...) and ``args_layout``; ``grader.live`` uses the value checks
(``own_arguments``, ``find_aliases``) for a notebook run without a sandbox.
"""

from __future__ import annotations

import ctypes
import errno
import importlib.machinery
import io
import json
import operator
import os
import socket
import struct
import sys
import types
import _signal
from typing import NamedTuple


FRAME = struct.Struct(">Q")  # 8-byte big-endian length before every message


class OutputBudget:
    """How much of the current answer's printed output has reached the capture pipe, and how much
    the grading process keeps of it (``Limits.output_bytes``; None in the zygote, whose streams
    write its log: no bound).

    Shared by a child's stdout and stderr (one pipe) and its ``print`` (``_quiet_when_spent``):
    once the answer's output has passed what is kept (by at least a byte, so that the grading
    process sees that it went on and says so; its count of bytes not shown is then of those that
    reached it), writes are dropped here and ``print`` formats nothing. Formatting is what
    printing costs (a (5, 10) array about 0.19 ms, 5,000 prints a second; a line of text about
    3 us, a write into the pipe), so a correct function whose debug prints ran 800 times a call
    timed out at 0.5 s for output the grader threw away. Written in Runtime.answer (reset) and
    _run_child (the limit)."""

    __slots__ = ("limit", "written")

    def __init__(self) -> None:
        self.limit: int | None = None
        self.written = 0


_MISSING = object()

#: The loaders of modules imported from a file (source, bytecode, compiled extension).
_FILE_LOADERS = (importlib.machinery.SourceFileLoader, importlib.machinery.SourcelessFileLoader,
                 importlib.machinery.ExtensionFileLoader)
#: Modules a call's import may leave in ``sys.modules`` must not be these: the standard library
#: imports again without complaint, and the runtime imports some of it (and itself) when it needs it;
#: NumPy's dictionary is put back after every call (``guarded_dicts``), so a submodule a call loads
#: (``np.testing``, patched by the call) must go with the attribute that named it.
_NOT_KEPT = frozenset(sys.stdlib_module_names) | {"grader", "numpy"}


def _kept_import(key: object, module: object) -> bool:
    """Whether ``sys.modules[key]``, added during a call, stays after it (``Runtime._restore_one``):
    a plain module the import system loaded from a file under that very name, not of the standard
    library or the grader. Removed, a compiled package a call imported (``importlib.import_module(
    "scipy.special")`` in a function's body) was imported again by the next call and refused:
    "ImportError: cannot load module more than once per process" (a right cell, 2.5 / 10). Entries
    there before the call are still put back as they were, and a module the student makes or
    names otherwise is still removed."""
    if type(key) is not str or type(module) is not types.ModuleType or key.partition(".")[0] in _NOT_KEPT:
        return False
    spec = module.__dict__.get("__spec__")
    return (type(spec) is importlib.machinery.ModuleSpec and spec.name == key
            and module.__dict__.get("__name__") == key and type(spec.loader) in _FILE_LOADERS)
_TAG = operator.attrgetter("value")  # a version tag's value, read from its ctypes view (see _tag_cells)
_IMMUTABLE = frozenset({type(None), bool, int, float, complex, str, bytes})
_MESSAGE_CHARS = 600


#: The header of an ok answer whose arguments came back unchanged and that shares no memory
#: (or was not asked), less its request number, and its JSON text with the number to fill in
#: (the keys in the order ``Runtime.outcome`` gives them). Both sides use these bytes: the
#: child writes its usual answer from them, and the grading process recognises that answer by
#: them (``grader.sandbox``), with no parsing.
USUAL_ANSWER_FIELDS = {"kind": "outcome", "status": "ok", "args_same": True, "aliases": [], "error_type": "",
                       "message": "", "frames": [], "frames_after": ["value"]}
USUAL_ANSWER = (b'{"kind":"outcome","status":"ok","args_same":true,"aliases":[],"error_type":"",'
                b'"message":"","frames":[],"seq":%d,"frames_after":["value"]}')
#: The header of a stub request, less the stub's name (as JSON: ``json.dumps(name)``) and the
#: request number: what ``json.dumps`` of {"kind": "stub", "name": ..., "seq": ..., "frames_after":
#: ["args"]} writes, written by the child and recognised by the grading process by its bytes.
STUB_REQUEST = b'{"kind": "stub", "name": %s, "seq": %d, "frames_after": ["args"]}'


def _as_plain_arrays(value: object) -> object:
    """``value`` with every ``np.matrix`` an ndarray view and every long double (``float128``,
    ``complex256``) array or scalar in float64 or complex128, and tuples, lists and dicts (their
    subclasses too: a namedtuple, an OrderedDict, a defaultdict) rebuilt as plain ones around
    them; anything else as it is (encoding then refuses it as before). Tried only when a
    returned value was refused (``Runtime.send_outcome``): a right answer computed with
    ``np.matrix`` products or in ``np.longdouble`` is within the checks' tolerance (rtol 1e-5;
    rounding to float64 changes it by about 1e-16), gradients in an OrderedDict are a dict of
    the right arrays, and the assignment asks for none of these types, but each scored 0 as
    "not plain data". Each container is rebuilt once however often it occurs (a value holding
    itself many times over would otherwise take time exponential in its depth), so parts shared
    stay shared."""
    import numpy as np
    done: dict[int, object] = {}

    def plain(x: object, depth: int) -> object:
        kind = type(x)
        if kind is np.matrix:
            x, kind = np.asarray(x), np.ndarray
        if kind is np.ndarray or isinstance(x, np.generic) and kind.__module__ == "numpy":  # as wire takes them
            if x.dtype.kind in "fc" and x.dtype.itemsize > (8 if x.dtype.kind == "f" else 16):
                return x.astype(np.float64 if x.dtype.kind == "f" else np.complex128)
            return x
        if depth >= 64 or not isinstance(x, (tuple, list, dict)):
            return x
        key = id(x)
        if key in done:
            return done[key]
        if isinstance(x, tuple):  # a namedtuple too
            out: object = tuple(plain(v, depth + 1) for v in tuple.__iter__(x))
        elif isinstance(x, list):
            out = [plain(v, depth + 1) for v in list.__iter__(x)]
        else:  # an OrderedDict, a defaultdict
            out = {k: plain(v, depth + 1) for k, v in dict.items(x)}
        done[key] = out
        return out

    return plain(value, 0)


def refused_value_message(value: object, exc: BaseException) -> str:
    """Why a returned ``value`` could not be sent (``exc``, the encoder's complaint), in the
    words the grade and ``check()`` (``grader/live.py``) share: a container that holds itself
    is named as such, not by the depth limit it ran into."""
    loop = _holds_itself(value)
    if loop:
        inner, _, outer = loop.partition(" is ")  # code spans: "value[2][0][0] is value[2][0]" bare made
        # feedback.md show the whole sentence as code (a "][" is not plain Markdown text)
        return (f"the function returned a container that holds itself (`{inner}` is `{outer}`; for example "
                f"`caches.append(caches)` where `caches.append(cache)` was meant)")
    return f"the function returned something that is not plain data: {exc}"


def _holds_itself(value: object) -> str | None:
    """Where a tuple, list or dict in ``value`` holds one of the containers around it, spelt as
    ``value[2][0] is value[2]``; None if none does (looked at: 64 levels, 10,000 containers).

    A real ``rnn_forward`` wrote ``caches.append(caches)``: encoding refused the value as "nested
    deeper than 32", a limit the student never chose, about a list with no depth of its own."""
    path: list[int] = []  # ids of the containers around the one being looked at
    names: list[str] = []
    budget = [10_000]

    def walk(x: object, name: str) -> str | None:
        if not isinstance(x, (tuple, list, dict)) or len(path) >= 64 or budget[0] <= 0:
            return None
        if id(x) in path:
            return f"{name} is {names[path.index(id(x))]}"
        budget[0] -= 1
        path.append(id(x))
        names.append(name)
        try:
            items = dict.items(x) if isinstance(x, dict) else enumerate(
                tuple.__iter__(x) if isinstance(x, tuple) else list.__iter__(x))
            for key, item in items:
                found = walk(item, f"{name}[{key!r}]")
                if found:
                    return found
            return None
        finally:
            path.pop()
            names.pop()

    try:
        return walk(value, "value")
    except Exception:  # a student's subclass raising while iterated: say what was said before
        return None


def _short(text: str) -> str:
    """Keep messages student-readable: one paragraph, bounded length."""
    return text if len(text) <= _MESSAGE_CHARS else text[:_MESSAGE_CHARS - 3] + "..."


def own_arguments(answer: object, args: tuple) -> object:
    """A dependency's answer from the grader, holding the caller's own arrays where it holds a
    copy of one of them.

    A correct cell keeps its inputs themselves in its cache (``(a_next, a_prev, xt, parameters)``);
    the grader's answer comes over the wire, a copy. A composite that writes into an array after
    passing it (``c_next = c[:, :, 0]`` passed as ``c_prev``, then ``c[:, :, 0] = c_next``, which
    the course notebook warns against) corrupts the cache of every real cell, yet kept the copy
    clean and full marks when graded with the stub. Looked at: the answer's items and, in a tuple
    or list, theirs (where the assignment's caches hold their inputs); replaced: an array equal to
    an argument array in type, dtype, shape and values, each argument once, in order.
    """
    import numpy as np
    if type(answer) not in (tuple, list):
        return answer
    own = [a for a in args if type(a) is np.ndarray]
    if not own:
        return answer
    used: set[int] = set()

    def mine(x: object) -> object:
        if type(x) is not np.ndarray or not x.size:
            return x
        for k, a in enumerate(own):
            if (k not in used and a.shape == x.shape and a.dtype == x.dtype
                    and a.flat[0] == x.flat[0] and np.array_equal(a, x)):
                used.add(k)
                return a
        return x

    def walk(items: object, depth: int) -> object:
        out = [walk(v, depth + 1) if depth == 0 and type(v) in (tuple, list) else mine(v) for v in items]
        return type(items)(out)

    return walk(answer, 0)


class _TooManyNodes(Exception):
    """A value with more containers and arrays than ``find_aliases``'s ``max_nodes``."""


def _array_leaves(obj: object, path: str, out: list, depth: int = 0, left: list[int] | None = None) -> None:
    """Collect (path, ndarray) for every array inside lists, tuples and dicts of `obj`.
    ``left``: the nodes the walk may still visit, counted down (None: no bound, the child's
    call has its time limit); past it, _TooManyNodes."""
    import numpy as np
    if left is not None:
        left[0] -= 1
        if left[0] < 0:
            raise _TooManyNodes
    t = type(obj)
    if t is np.ndarray:
        if obj.size:
            out.append((path, obj))
    elif depth < 32 and (t is list or t is tuple):
        for i, v in enumerate(obj):
            _array_leaves(v, f"{path}[{i}]", out, depth + 1, left)
    elif depth < 32 and t is dict:
        for k, v in obj.items():
            _array_leaves(v, f"{path}[{k!r}]", out, depth + 1, left)


def find_aliases(result: object, args: tuple, *, max_nodes: int | None = None) -> list[list[str]]:
    """Pairs of leaf paths that share memory: within the result, and between result and arguments.
    ``max_nodes``: most nodes each walk (the result, each argument) visits, none found past it
    (``grader.live``'s check() walks after the call, outside its time limit)."""
    import numpy as np
    leaves: list = []
    try:
        _array_leaves(result, "result", leaves, 0, None if max_nodes is None else [max_nodes])
        n_result = len(leaves)
        if not n_result:
            return []
        for i, a in enumerate(args):
            _array_leaves(a, f"args[{i}]", leaves, 0, None if max_nodes is None else [max_nodes])
    except _TooManyNodes:
        return []
    # Leaves that are the same view of memory (the same array object met again, a
    # parameters dict in every cache) form one group: they share memory without asking
    # numpy, and numpy is asked once per pair of overlapping groups, not per pair of leaves.
    groups: dict[tuple, list[int]] = {}
    for idx, (_, arr) in enumerate(leaves):
        key = (arr.__array_interface__["data"][0], arr.shape, arr.strides, arr.dtype.str)
        groups.setdefault(key, []).append(idx)
    bounds = []
    for key, members in groups.items():
        arr = leaves[members[0]][1]
        lo = hi = key[0]
        for n, s in zip(arr.shape, arr.strides):
            if s > 0:
                hi += (n - 1) * s
            else:
                lo += (n - 1) * s
        bounds.append((lo, hi + arr.itemsize, members))
    bounds.sort(key=lambda b: (b[0], b[1]))

    def pair(a: int, b: int) -> None:
        if a < n_result or b < n_result:  # argument with argument: not produced by the call
            first, second = (a, b) if a < b else (b, a)
            pairs.append([leaves[first][0], leaves[second][0]])

    pairs: list[list[str]] = []
    for i, (lo_i, hi_i, mine) in enumerate(bounds):
        for k, a in enumerate(mine):
            for b in mine[k + 1:]:
                pair(a, b)
        for lo_j, hi_j, theirs in bounds[i + 1:]:
            if lo_j >= hi_i:
                break
            try:
                shared = np.shares_memory(leaves[mine[0]][1], leaves[theirs[0]][1], max_work=100_000)
            except Exception:
                shared = True
            if shared:
                for a in mine:
                    for b in theirs:
                        pair(a, b)
    return sorted(pairs)


def _args_state(args: tuple) -> tuple[list, list] | None:
    """What a call may change in its arguments, to tell afterwards whether it changed anything:
    every object met walking them (compared by identity: a replaced element, even an equal
    one, counts as a change) and, for containers and arrays, what can change in place
    (lengths, dict keys in order, an array's dtype, shape, strides and bytes).

    None when the arguments hold something else than tuples, lists, dicts, NumPy arrays of
    non-object dtype and immutable scalars: the caller then compares pickles instead. An object
    met again (shared, or a cycle a call made) is recorded by identity only, so the walk
    visits each container once.  Equal states before and after a call mean the arguments
    pickle to the same bytes (identity is stricter than pickle's equality), at a tenth of the
    cost of pickling them.
    """
    import numpy as np
    ndarray, scalars, immutable = np.ndarray, (np.number, np.bool_), _IMMUTABLE
    # One pass over each container's elements: leaves (scalars, arrays) are described where
    # they are met; only containers wait on the stack (a container is described when taken off).
    objs: list = [args]
    facts: list = []
    seen: set[int] = {id(args)}
    stack = [args]
    pop, push, keep, note, mark = stack.pop, stack.append, objs.append, facts.append, seen.add
    while stack:
        c = pop()
        if type(c) is dict:
            keys = tuple(c)
            note(keys)
            objs.extend(keys)
            c = c.values()
        else:
            note(len(c))
        for x in c:
            keep(x)
            t = type(x)
            if t in immutable:
                continue
            i = id(x)
            if i in seen:
                continue
            mark(i)
            if t is ndarray:
                dtype = x.dtype
                if dtype.hasobject:
                    return None
                keep(dtype)
                note((x.shape, x.strides, x.tobytes()))
            elif t is tuple or t is list or t is dict:
                push(x)
            elif not (isinstance(x, scalars) and t.__module__ == "numpy"):
                return None
    return objs, facts


class _Laid(NamedTuple):
    """Arguments built by layout (``_args_builder``): what ``Runtime.call`` compares them with."""

    arrays: list    # in the frame's order
    mutables: list  # the lists and dicts among them
    frame: bytes


def _laid_state(laid: _Laid) -> tuple[list, list]:
    """``_args_state`` for arguments built by layout, without walking them: the objects in their
    lists and dicts (keys and values) and their arrays' dtypes, compared by identity, and the
    lengths of those containers and the arrays' shapes and strides. Their tuples cannot change,
    so equal states (``_same_state``) mean the same objects in the same places as built; then the
    arrays' bytes are compared with the frame's (``_same_contents``)."""
    objs: list = []
    facts: list = []
    keep, note = objs.extend, facts.append
    for m in laid.mutables:
        note(len(m))
        keep(m)
        if type(m) is dict:
            keep(m.values())
    for a in laid.arrays:
        objs.append(a.dtype)
        note((a.shape, a.strides))
    return objs, facts


def _same_contents(laid: _Laid) -> bool:
    """Whether the arrays built by layout, found where they were with their dtype, shape and
    strides (C-contiguous: see ``_laid_state``), still hold the frame's bytes."""
    frame = laid.frame
    return b"".join([frame[:ARGS_HEAD.size], *laid.arrays]) == frame


def _same_state(before: tuple[list, list], after: tuple[list, list] | None) -> bool:
    """Whether two ``_args_state`` descriptions are the same (objects by identity)."""
    return (after is not None and len(before[0]) == len(after[0])
            and all(map(operator.is_, before[0], after[0])) and before[1] == after[1])


def _dict_version_reader():
    """A function giving a dict's version tag (CPython's ``ma_version_tag``, which changes
    whenever the dict is changed), or None when this interpreter's layout cannot be confirmed.

    Reading it costs about a microsecond, against tens for comparing a module's dictionary
    entry by entry. It is trusted only after a probe: the field must sit where expected
    (right after the entry count) and change on every kind of change."""
    try:
        word = ctypes.sizeof(ctypes.c_void_p)
        if sys.implementation.name != "cpython" or word != 8:
            return None

        def version(d: dict) -> int:
            return ctypes.c_uint64.from_address(id(d) + 3 * word).value

        probe: dict = {}
        seen = [version(probe)]
        for change in (lambda: probe.__setitem__("a", object()), lambda: probe.__setitem__("a", object()),
                       lambda: probe.update(b=object()), lambda: probe.pop("a"), probe.clear):
            change()
            seen.append(version(probe))
        probe["c"] = 1
        used = ctypes.c_ssize_t.from_address(id(probe) + 2 * word).value
        if used == 1 and all(b > a for a, b in zip(seen, seen[1:])):
            return version
    except Exception:  # noqa: BLE001 - any doubt: compare entry by entry
        pass
    return None


def _tag_cells(dicts: list[dict], version) -> list | None:
    """For each of ``dicts``, a ctypes view of its version tag (the very word ``version`` reads,
    see ``_dict_version_reader``), so that all the tags are read in one list comprehension;
    None without a version reader or when a view disagrees with it. ``dicts`` must outlive them."""
    if version is None:
        return None
    try:
        cells = [ctypes.c_uint64.from_address(id(d) + 3 * ctypes.sizeof(ctypes.c_void_p)) for d in dicts]
        if all(cell.value == version(d) for cell, d in zip(cells, dicts)):
            return cells
    except Exception:  # noqa: BLE001 - any doubt: the version reader, one dictionary at a time
        pass
    return None


def guarded_dicts() -> list[dict]:
    """The module dictionaries a call may monkeypatch and that are restored after every call:
    ``sys.modules`` and those of ``builtins``, ``math``, ``numpy``, ``numpy.linalg``,
    ``numpy.random``, ``sys`` and ``warnings`` (its filter list too: ``Runtime._restore_interpreter``)."""
    import builtins
    import math
    import warnings

    import numpy as np
    return [sys.modules, vars(builtins), vars(math), vars(np), vars(np.linalg), vars(np.random), vars(sys),
            vars(warnings)]


class Baseline:
    """The zygote's copies of the guarded dictionaries and their version tags, made once before
    any fork. A child whose dictionary still has the recorded tag (unchanged since) uses the copy
    instead of making its own."""

    def __init__(self, copies: list[dict], tags: list[int], version) -> None:
        """`copies[i]` is a copy of ``guarded_dicts()[i]`` made when its version tag was `tags[i]`;
        `version` reads a tag (see ``_dict_version_reader``, probed once here for every child)."""
        self.copies = copies
        self.tags = tags
        self.version = version

    @classmethod
    def take(cls) -> "Baseline | None":
        """Copy the guarded dictionaries now; None when version tags cannot be read here."""
        version = _dict_version_reader()
        if version is None:
            return None
        guarded = guarded_dicts()
        return cls([dict(d) for d in guarded], [version(d) for d in guarded], version)


def _with_seq(fields: dict, tail: bytes) -> dict | None:
    """The request whose JSON is a head with these `fields` followed by `tail`, which must be
    ``,"seq":N}`` without its first 7 bytes (``N}``) or ``N,"last":true}``; None for any other tail."""
    last = tail.endswith(b',"last":true}')
    digits = tail[:-13] if last else tail[:-1]
    if not (digits.isdigit() and tail[-1:] == b"}" and (digits[:1] != b"0" or len(digits) == 1)):
        return None
    msg = dict(fields)
    msg["seq"] = int(digits)
    if last:
        msg["last"] = True
    return msg


#: A call's arguments sent by their layout (``args_layout``) instead of pickled: this magic, the
#: layout's number among those the zygote learned (``args_builders``), then the arrays' bytes.
#: A pickle starts with b"\x80". Eight bytes: the arrays' bytes start 8-byte aligned in the frame.
ARGS_HEAD = struct.Struct("<4sI")
ARGS_MAGIC = b"GA1\n"
_ARGS_MAX_DEPTH = 32
_ARGS_MAX_NDIM = 32
_ARGS_MAX_NODES = 100_000
#: An unpickled float64 array of more bytes than this has no memory of its own: NumPy's
#: ``ndarray.__setstate__`` keeps the pickle's bytes object as its base (writable all the same)
#: instead of copying it. Arrays built by layout are made the same way (``_args_builder``).
_PICKLE_KEEPS_BYTES = 1000


class _NotLaidOut(Exception):
    """Arguments ``args_layout`` does not describe, or a layout ``_args_builder`` refuses."""


def args_layout(args: tuple) -> tuple[str, list] | None:
    """The layout of a call's arguments (JSON text) and their arrays in its order, to send them by
    layout (``ARGS_HEAD``): the nesting, each array's shape, which parts are one object; no number.

    A node is ``{"t": [...]}`` a tuple, ``{"l": [...]}`` a list, ``{"d": [[key, node], ...]}`` a
    dict, ``{"a": shape}`` an array, ``{"r": k}`` the same object as the k-th container or array
    completed before it (children before their container), as pickle's memo shares it. None when
    the arguments hold anything but tuples, lists, dicts with str keys and C-contiguous arrays of
    native float64 without metadata, hold a cycle or nest deeper than 32: they travel as a pickle,
    which keeps what a layout does not (Fortran order, other dtypes, scalars, subclasses)."""
    import numpy as np
    float64 = np.dtype(np.float64)
    done: dict[int, int] = {}    # id -> its number among completed objects
    open_: set[int] = set()      # containers being walked (a cycle meets one again)
    arrays: list = []

    def node(x: object, depth: int) -> dict:
        """The layout node of `x`, its arrays appended to ``arrays``."""
        key = id(x)
        if key in done:
            return {"r": done[key]}
        t = type(x)
        if key in open_ or depth > _ARGS_MAX_DEPTH or len(done) >= _ARGS_MAX_NODES:
            raise _NotLaidOut
        if t is np.ndarray:
            dtype = x.dtype
            if dtype != float64 or dtype.metadata is not None or not x.flags.c_contiguous:
                raise _NotLaidOut
            arrays.append(x)
            out = {"a": list(x.shape)}
        elif t is tuple or t is list:
            open_.add(key)
            out = {"t" if t is tuple else "l": [node(v, depth + 1) for v in x]}
            open_.discard(key)
        elif t is dict:
            open_.add(key)
            if not all(type(k) is str for k in x):
                raise _NotLaidOut
            out = {"d": [[k, node(v, depth + 1)] for k, v in x.items()]}
            open_.discard(key)
        else:
            raise _NotLaidOut
        done[key] = len(done)
        return out

    if type(args) is not tuple:
        return None
    try:
        root = node(args, 0)
    except _NotLaidOut:
        return None
    return json.dumps(root, separators=(",", ":")), arrays


def _unpickled_array(shape: tuple, data: bytes):
    """The float64 array of `shape` over `data` that unpickling it gives (see ``_PICKLE_KEEPS_BYTES``),
    made as pickle makes it: an empty array given the state ``ndarray.__reduce__`` describes."""
    import numpy as np
    array = np.ndarray.__new__(np.ndarray, (0,), np.uint8)
    array.__setstate__((1, shape, np.dtype(np.float64), False, data))
    return array


def _args_builder(text: str, compiled: dict | None = None) -> tuple:
    """``(build, length)`` for the layout `text` (``args_layout``'s): ``build(frame)`` gives the
    arguments of a frame of that layout and ``length`` bytes, their arrays in the frame's order,
    and their lists and dicts. ``build`` is one expression compiled here, in the zygote, once:
    each array ``ndarray(shape, float64, frame, offset).copy()`` (fresh, owning, writable,
    C-contiguous) or, over ``_PICKLE_KEEPS_BYTES`` bytes or empty, a bytes object of its own set as
    an unpickled array's state, as pickle makes them; each container a display; an object met
    again the same variable (assigned by ``:=`` where it was made). Every part of its source is
    fixed text, a name or the ``repr`` of a dict's str key; anything else in the layout raises
    ``_NotLaidOut``. Made of code rather than a list of steps to interpret: a child runs each
    layout's code once, cold, and a loop over steps cost it about 0.3 ms more (24 calls).

    The shapes and offsets are the closure's variables ``c0``, ``c1``... (given to the compiled
    ``make``), not constants of the code: layouts of one nesting (a part's public and hidden
    cases, other shapes) then have the same source, compiled once per `compiled` (a dict of the
    ``make`` of each source, shared by ``args_builders``): the rubric's 24 layouts have 9."""
    root = json.loads(text)
    made: list[str] = []       # the expression of each completed object, in post-order
    arrays: list[str] = []     # the variables of the arrays, in the frame's order
    mutables: list[str] = []   # and of the lists and dicts
    wanted: set[int] = set()   # the numbers of objects met again
    consts: list = []          # the shapes and offsets, named c0, c1... in the source
    offset = ARGS_HEAD.size
    count = 0

    def const(value: object) -> str:
        """The name in the source of the shape or offset `value`."""
        consts.append(value)
        return f"c{len(consts) - 1}"

    def refs(n: object, depth: int) -> None:
        """Check node `n` and note the objects it refers to again."""
        nonlocal count
        if type(n) is not dict or len(n) != 1 or depth > _ARGS_MAX_DEPTH:
            raise _NotLaidOut
        (kind, v), = n.items()
        if kind == "r":
            if type(v) is not int or not 0 <= v < count:
                raise _NotLaidOut
            wanted.add(v)
            return
        if kind == "a":
            if type(v) is not list or len(v) > _ARGS_MAX_NDIM or not all(type(d) is int and d >= 0 for d in v):
                raise _NotLaidOut
        elif kind in ("t", "l") and type(v) is list:
            for x in v:
                refs(x, depth + 1)
        elif kind == "d" and type(v) is list:
            if not all(type(p) is list and len(p) == 2 and type(p[0]) is str for p in v) \
                    or len({p[0] for p in v}) != len(v):
                raise _NotLaidOut
            for _, x in v:
                refs(x, depth + 1)
        else:
            raise _NotLaidOut
        count += 1
        if count > _ARGS_MAX_NODES:
            raise _NotLaidOut

    def expr(n: dict) -> str:
        """The expression that makes node `n` (its variable assigned if it is met again)."""
        nonlocal offset
        (kind, v), = n.items()
        if kind == "r":
            return f"v{v}"
        if kind == "a":
            size = 8
            for d in v:
                size *= d
            if size > _PICKLE_KEEPS_BYTES or size == 0:  # (an empty copy would have zero strides)
                text = f"U({const(tuple(v))}, d[{const(offset)}:{const(offset + size)}])"
            else:
                text = f"N({const(tuple(v))}, F, d, {const(offset)}).copy()"
            offset += size
            arrays.append(f"v{len(made)}")
        elif kind == "t":
            text = "(" + "".join(expr(x) + ", " for x in v) + ")"
        elif kind == "l":
            text = "[" + ", ".join(expr(x) for x in v) + "]"
        else:
            text = "{" + ", ".join(f"{k!r}: {expr(x)}" for k, x in v) + "}"
        number = len(made)
        made.append(text)
        if kind in ("l", "d"):
            mutables.append(f"v{number}")
        return f"(v{number} := {text})" if number in wanted or kind != "t" else text

    refs(root, 0)
    value = expr(root)
    source = (f"def make({', '.join(f'c{k}' for k in range(len(consts)))}):\n"
              f"    def build(d):\n"
              f"        return {value}, [{', '.join(arrays)}], [{', '.join(mutables)}]\n"
              f"    return build\n")
    make = compiled.get(source) if compiled is not None else None
    if make is None:
        import numpy as np
        scope = {"N": np.ndarray, "F": np.dtype(np.float64), "U": _unpickled_array}
        exec(compile(source, "<arguments>", "exec", dont_inherit=True), scope)
        make = scope["make"]
        if compiled is not None:
            compiled[source] = make
    return make(*consts), offset


def args_builders(layouts: list) -> list[tuple]:
    """The builders (``_args_builder``) of each of ``layouts`` (``args_layout``'s texts, numbered in
    this order), all of them or none: the grading process sends arguments by layout only when the
    zygote learned them all (``caps["arg_layouts"]``), so that the numbers agree."""
    compiled: dict = {}  # source -> its compiled make: layouts of one nesting share it
    try:
        return [_args_builder(text, compiled) for text in layouts]
    except (_NotLaidOut, ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return []


def positional_arguments(name: str, original: object, args: tuple, kwargs: dict) -> tuple:
    """The arguments of a call of the dependency ``name`` with keywords, as the positional ones
    ``original`` (the student's own function) binds them to: a stub asks for a reference step by
    position (the child's ``Runtime._proxy``, and ``check()``'s stand-in, ``grader.live``).
    TypeError for what cannot be said by position."""
    if not callable(original):
        raise TypeError(f"{name}() got keyword arguments")
    import inspect
    bound = inspect.signature(original).bind(*args, **kwargs)
    if bound.kwargs:
        raise TypeError(f"{name}(): keyword-only arguments are not supported here")
    return bound.args


class Runtime:
    """Serves one session in the child: load the program, answer calls and stub round trips."""

    def __init__(self, sock: socket.socket | None, *, max_bytes: int, inherited: "Baseline | None" = None) -> None:
        """Serve one session over `sock` (None: over the socket given to ``attach`` later);
        messages from the grader are at most `max_bytes`; `inherited` is the zygote's copy of the
        guarded dictionaries (see ``Baseline``).

        The zygote builds one, unattached, before any fork (``Zygote.setup``): each child then
        only attaches its socket (building the rest in every child cost it about 0.7 ms and
        150 page faults: encoders, decoders, the guarded dictionaries' tag views)."""
        from grader import wire
        self.wire = wire
        self.encoder = wire.Encoder()      # the zygote teaches it the answers' layouts (Zygote.setup)
        self.arg_builders: list[tuple] = []  # and the arguments' (args_builders): (build, frame length) each
        self.sock: socket.socket | None = None
        self.rfile = None
        self.max_bytes = max_bytes
        self.ns: dict | None = None
        self.filename = "<submission>"
        self.pid = os.getpid()
        self.seq = 0
        self.marker = b""                  # written to stdout after each answer (see end_output)
        self.output_budget: OutputBudget | None = None  # the streams' count, reset per answer
        import pickle
        self.dumps = pickle.dumps          # held here: a student's patch of the module cannot reach it
        self.loads = pickle.loads
        self.json_encode = json.JSONEncoder(separators=(",", ":")).encode  # json.dumps makes one a call
        import marshal
        self.code_loads = marshal.loads
        import contextvars
        # Each call runs in a copy of the process's context, the top level's: what a call sets
        # there ends with it. NumPy 2 keeps its error state (np.seterr) and print options there: a
        # function left with np.seterr(all="raise") made the student's next, right, function raise
        # FloatingPointError (thirty-second session's hostile review). 0.16 us a call.
        self.call_context = contextvars.copy_context
        import warnings
        # What else a call changes of the interpreter, put back by _restore_interpreter: the
        # warnings filters (a list changed in place), the recursion limit, a trace or profile function.
        self.interpreter: tuple | None = None  # as the top level left it (taken with the baseline)
        self.filters_mutated = warnings._filters_mutated
        self.limit_calls = (sys.getrecursionlimit, sys.setrecursionlimit, sys.gettrace, sys.settrace,
                            sys.getprofile, sys.setprofile)
        self.recent: dict[int, tuple] = {}  # request number -> (value, args) of recent calls that returned
        self.baseline: list | None = None  # guarded state right after load, restored after every call
        self.dict_version = inherited.version if inherited is not None else _dict_version_reader()
        self.tags: list[int] = []  # version tags of the guarded dictionaries as last restored
        self.guarded = guarded_dicts()
        self.inherited = inherited if inherited is not None and self.dict_version is not None else None
        self.tag_cells = _tag_cells(self.guarded, self.dict_version)  # read all at once in _restore
        # A request is one JSON object, as the grading process writes it (no space around it):
        # its C scanner reads it, the decoder's Python layer only what the scanner leaves over.
        decoder = json.JSONDecoder()
        self.json_decode, self.json_scan = decoder.decode, decoder.scan_once
        # A call request is its function's head (the same bytes for every call of it, see
        # sandbox.Session._call_request) then ',"seq":N}' or ',"seq":N,"last":true}': the head's
        # fields, parsed once, are kept by the head's bytes (see recv).
        self.heads: dict[bytes, dict] = {}
        if sock is not None:
            self.attach(sock)

    def attach(self, sock: socket.socket) -> None:
        """Serve this process's session over `sock` (a child attaches the zygote's Runtime to its own)."""
        self.sock = sock
        self.pid = os.getpid()
        # Buffered: pipelined requests and their arguments arrive together and are read in one go.
        self.rfile = io.open(sock.fileno(), "rb", buffering=1 << 16, closefd=False)
        self.calling = False  # the student's function runs (``call``); ``where`` answers only then
        self.sending = False  # a stub's request is being written: ``where`` writes nothing then
        self.where_held: types.FrameType | None = None  # asked while sending: said once the request is whole
        _signal.signal(_signal.SIGUSR1, self.where)

    def where(self, _signum: int, frame: types.FrameType | None) -> None:
        """SIGUSR1 from the grading process, when a call ran out of its time, before it ends the
        child: send where the program was (its frames in the program file, innermost last, as a
        failure's), so that the student is told the line of the loop that did not end (thirty-fourth
        session). Nothing when no call runs, while a stub's request is being written (its answer
        may be awaited: the grading process skips a stub request before this message; the frame is
        held and said once the request is whole, ``where_held``), or in a copy made by ``os.fork``; at
        most 1,000 frames walked and the 20 innermost sent. A signal that came while a stub's request
        was written was dropped until the thirty-fifth session: a loop calling a stub at every step
        (``rnn_forward`` isolated from ``rnn_cell_forward``) was told no place one time in eight."""
        if not self.calling or os.getpid() != self.pid:
            return
        if self.sending:
            self.where_held = frame
            return
        frames = []
        for _ in range(1000):
            if frame is None or len(frames) >= 20:
                break
            code = frame.f_code
            if code.co_filename == self.filename:
                frames.append([frame.f_lineno, code.co_name[:100]])
            frame = frame.f_back
        payload = self.json_encode({"kind": "where", "seq": self.seq, "frames": frames[::-1]}).encode("ascii")
        self.sending = True
        try:
            self.sock.sendall(FRAME.pack(len(payload)) + payload)
        except OSError:
            pass
        finally:
            self.sending = False

    # -- transport

    def read_frame(self) -> bytes | None:
        """One length-prefixed message from the grading process (None at end of stream)."""
        head = self.rfile.read(FRAME.size)
        if len(head) < FRAME.size:
            return None
        (n,) = FRAME.unpack(head)
        if n > self.max_bytes:
            raise OSError(errno.EMSGSIZE, "message too large")
        data = self.rfile.read(n)
        return data if len(data) == n else None

    def recv(self) -> dict:
        """Receive one message from the grading process; exit quietly when it hangs up."""
        data = self.read_frame()
        if data is None:
            os._exit(0)
        # Requests are JSON (ASCII); replies to stub calls carry arrays and are wire data.
        if data[:1] == b"{":
            cut = data.rfind(b',"seq":')
            fields = self.heads.get(data[:cut]) if cut > 0 else None
            if fields is not None:
                msg = _with_seq(fields, data[cut + 7:])
                if msg is not None:
                    return msg
            text = data.decode("ascii")
            try:
                msg, end = self.json_scan(text, 0)
            except (ValueError, StopIteration):  # the decoder then says what is wrong
                end = -1
            if end != len(text):
                msg = self.json_decode(text)
            elif cut > 0 and type(msg) is dict and len(self.heads) < 64 and len(data) <= 4096:
                # kept only if the quick path gives this very message: any other head is parsed each time
                fields = {k: v for k, v in msg.items() if k != "seq" and k != "last"}
                quick = _with_seq(fields, data[cut + 7:])
                if quick == msg and list(quick) == list(msg):
                    self.heads[data[:cut]] = fields
        else:
            msg = self.wire.decode(data, max_bytes=self.max_bytes)
        if type(msg) is not dict:
            os._exit(3)
        return msg

    def recv_args(self) -> tuple[tuple, object]:
        """The arguments of a call, sent as a frame of their own after the request, and what
        ``call`` compares them with afterwards: a pickle (protocol 4) from the grading process,
        which is trusted, and that frame; or the arrays' bytes after the number of a layout learned
        before the fork (``args_builders``), and ``_Laid``. Both are several times cheaper
        to load than wire data; nothing the child sends is ever unpickled."""
        data = self.read_frame()
        if data is None:
            os._exit(0)
        if data[:4] == ARGS_MAGIC:
            (_, number), builders = ARGS_HEAD.unpack_from(data), self.arg_builders
            if number >= len(builders) or len(data) != builders[number][1]:
                os._exit(3)
            args, arrays, mutables = builders[number][0](data)
            return args, _Laid(arrays, mutables, data)
        args = self.loads(data)
        if type(args) is not tuple:
            os._exit(3)
        return args, data

    def serve(self) -> None:
        """The request loop: load, then calls, until the socket closes."""
        while True:
            msg = self.recv()
            kind = msg.get("kind")
            self.seq = msg.get("seq", 0)
            if kind == "load":
                marker = msg.get("marker")
                self.marker = marker.encode("ascii") if type(marker) is str else b""
                code = None
                if msg.get("compiled") is True:  # compiled by the (trusted) grader: see sandbox._compiled
                    data = self.read_frame()
                    if data is None:
                        os._exit(0)
                    code = self.code_loads(data)
                    if type(code) is not tuple:  # one code object, or one per piece of the program
                        code = (code,)
                    if not all(type(piece) is types.CodeType for piece in code):
                        os._exit(3)
                outcome = self.load(msg["program"], msg["filename"], code)
            elif kind == "call":
                args, sent = self.recv_args()
                outcome = self.call(msg["function"], args, msg["stubs"], aliases=msg.get("aliases", True),
                                    sent=sent)
            elif kind == "aliases":
                outcome = self.aliases(msg.get("of"))
            else:
                os._exit(3)
            if os.getpid() != self.pid:  # a copy made by os.fork() in student code: only the original answers
                os._exit(0)
            self.answer(outcome, last=msg.get("last") is True)

    def answer(self, outcome: dict, *, last: bool = False) -> None:
        """Send the answer to the current request, after the marker that ends its output, except
        for the ``last`` request of the grading process's run of them: its output is whatever
        follows the previous marker, and the grading process reads the pipe only after that
        answer, while the child waits for its next request (one write less per run)."""
        outcome["seq"] = self.seq
        if not last:
            self.end_output()
        if self.output_budget is not None:  # the next answer's output starts here (its output is flushed)
            self.output_budget.written = 0
        self.send_outcome(outcome)

    def end_output(self) -> None:
        """Mark the end of this answer's output in the capture pipe (after flushing it), so the
        grading process can tell the outputs of pipelined calls apart."""
        if self.marker:
            try:
                os.write(1, self.marker + str(self.seq).encode("ascii") + b"\x00")
            except OSError:
                pass

    # -- outcomes

    @staticmethod
    def outcome(status: str, **fields: object) -> dict:
        """An outcome message with defaults for the missing fields."""
        msg = {"kind": "outcome", "status": status, "value": None, "args_after": None, "args_same": False,
               "aliases": [], "error_type": "", "message": "", "frames": []}
        msg.update(fields)
        return msg

    def failure(self, exc: BaseException) -> dict:
        """Describe a student exception: type, short message, frames in the program file."""
        name = type(exc).__name__
        try:
            text = str(exc)
        except BaseException:
            text = "<unprintable exception>"
        frames = []
        tb = exc.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            if code.co_filename == self.filename:
                frames.append([tb.tb_lineno, code.co_name])
            tb = tb.tb_next
        if isinstance(exc, SyntaxError) and exc.filename == self.filename and exc.lineno:
            frames.append([exc.lineno, "<module>"])
        status = "memory" if isinstance(exc, MemoryError) else "error"
        return self.outcome(status, error_type=name, message=_short(f"{name}: {text}" if text else name),
                            frames=frames[-20:])

    @staticmethod
    def flush() -> None:
        """Push buffered output into the capture pipe before answering (each stream once, in
        this order, however the program rebound them)."""
        out, err, first_out, first_err = sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__
        for stream in (out, err if err is not out else None,
                       first_out if first_out is not out and first_out is not err else None,
                       first_err if first_err is not out and first_err is not err and first_err is not first_out
                       else None):
            if stream is not None:
                try:
                    stream.flush()
                except BaseException:
                    pass

    # -- load and call

    def load(self, program: str, filename: str, code: tuple | None = None) -> dict:
        """Execute the program's top level in a fresh namespace (``__name__`` is ``"__submission__"``);
        `code` is the program already compiled by the grading process, if it could be: code
        objects executed in order (``grader.sandbox._compiled``)."""
        import builtins
        self.filename = filename
        self.ns = {"__name__": "__submission__", "__builtins__": builtins}
        try:
            for piece in code or (compile(program, filename, "exec", dont_inherit=True),):
                exec(piece, self.ns)
            result = self.outcome("ok")
        except BaseException as exc:
            result = self.failure(exc)
        self.flush()
        return result

    def _snapshot(self) -> list:
        """Copies of the module dictionaries a call may monkeypatch, and of sys.path.

        A dictionary still as the zygote left it (same version tag) is not copied: the
        zygote's copy stands for it (copying it here would write to the reference count of
        every module and function it holds, a copy-on-write page fault for each page of them).
        """
        inherited, version = self.inherited, self.dict_version
        snaps = []
        for i, d in enumerate(self.guarded):
            if inherited is not None and version(d) == inherited.tags[i]:
                snaps.append((d, inherited.copies[i]))
            else:
                snaps.append((d, dict(d)))
        return snaps + [(sys.path, list(sys.path))]

    def _restore(self, snaps: list) -> None:
        """Undo changes to the guarded dictionaries and sys.path (identity comparison, never ==).

        The unchanged case, by far the commonest, is checked at C speed; a dictionary whose
        version tag (see ``_dict_version_reader``) is the one recorded after the last restore
        has not been changed at all and is not even looked at.
        """
        version, tags = self.dict_version, self.tags
        cells = self.tag_cells
        if cells is not None and len(tags) == len(cells) == len(snaps) - 1 and list(map(_TAG, cells)) == tags:
            self._restore_one(*snaps[-1])  # no dictionary changed: only sys.path to look at
            return
        for i, (current, saved) in enumerate(snaps):
            if version is not None and i < len(tags) and version(current) == tags[i]:
                continue
            self._restore_one(current, saved)
            if version is not None and i < len(tags):
                tags[i] = version(current)

    def _interpreter_state(self) -> tuple:
        """The warnings filter list (the object and a copy of it), the recursion limit and the trace
        and profile functions, as they are now."""
        import warnings
        get_limit, _, get_trace, _, get_profile, _ = self.limit_calls
        filters = warnings.filters
        return filters, list(filters), get_limit(), get_trace(), get_profile()

    def _restore_interpreter(self) -> None:
        """Put back what ``_interpreter_state`` took, after the guarded dictionaries (``warnings.filters``
        names the top level's list again). Until the thirty-second session's hostile review a call's
        ``warnings.simplefilter("error")`` made the student's next, right, function fail where NumPy
        warns, and its ``sys.setrecursionlimit(60)`` a right recursive one."""
        filters, saved, limit, trace, profile = self.interpreter
        get_limit, set_limit, get_trace, set_trace, get_profile, set_profile = self.limit_calls
        if len(filters) != len(saved) or not all(map(operator.is_, filters, saved)):
            filters[:] = saved
            self.filters_mutated()
        if get_limit() != limit:
            set_limit(limit)
        if get_trace() is not trace:
            set_trace(trace)
        if get_profile() is not profile:
            set_profile(profile)

    @staticmethod
    def _restore_one(current: object, saved: object) -> None:
        """Make one guarded dictionary (or sys.path) hold exactly the saved objects again."""
        is_ = operator.is_
        if len(current) == len(saved) and (all(map(is_, current, saved)) if type(current) is list
                                           else all(map(is_, current.values(), saved.values()))):
            return  # same values in the same order: a renamed key would have moved its value
        if type(current) is list:
            current[:] = saved
            return
        modules = current is sys.modules
        for key in [k for k in current if k not in saved]:
            if not (modules and _kept_import(key, current[key])):
                del current[key]
        for key, value in saved.items():
            if current.get(key, _MISSING) is not value:
                current[key] = value

    def _proxy(self, name: str, original: object):
        """A stand-in for the program's global `name` that asks the grading process."""
        runtime = self

        def stub(*args, **kwargs):
            """Ask the grading process for the result of `name(*args)`, or run the original on FALLBACK."""
            if kwargs:
                args = positional_arguments(name, original, args, kwargs)
            if os.getpid() != runtime.pid:
                raise RuntimeError(f"{name}() cannot be answered in a forked process")
            try:
                frame = runtime.wire.encode(tuple(args))
            except runtime.wire.WireError as exc:
                raise TypeError(f"arguments of {name}() are not plain data: {exc}") from None
            head = STUB_REQUEST % (json.dumps(name).encode("ascii"), runtime.seq)
            runtime.sending = True  # ``where`` writes nothing in the middle of this message
            try:
                runtime.sock.sendall(FRAME.pack(len(head)) + head + FRAME.pack(len(frame)) + frame)
            finally:
                runtime.sending = False
            held, runtime.where_held = runtime.where_held, None
            if held is not None:  # the grading process asked where while the request was written
                runtime.where(_signal.SIGUSR1, held)
            reply = runtime.recv()
            if reply.get("error"):
                raise RuntimeError(f"the grader could not answer {name}(): {reply['error']}")
            if reply.get("fallback"):
                if not callable(original):
                    raise NameError(f"name {name!r} is not defined")
                return original(*args)
            if reply.get("value") is True:  # the value follows, pickled by the (trusted) grader
                data = runtime.read_frame()
                if data is None:
                    os._exit(0)
                return own_arguments(runtime.loads(data), args)
            return None

        stub.__name__ = stub.__qualname__ = name
        return stub

    def call(self, name: str, args: tuple, stubs: list, *, aliases: bool = True, sent: object = None) -> dict:
        """Call the program's function `name` with `args`, stubs installed for this call only.

        The outcome carries ``args_same`` (the arguments pickle to the very bytes ``sent``
        they came in or, sent by layout (``sent`` a ``_Laid``), are as they were built with the
        frame's bytes: same structure, dtypes, shapes and values) instead of the arguments when
        nothing changed, and the memory-sharing pairs only when ``aliases``
        (otherwise an ``aliases`` request computes them for this call later).
        """
        ns = self.ns
        fn = ns.get(name, _MISSING) if ns is not None else _MISSING
        if fn is _MISSING or not callable(fn):
            return self.outcome("missing", error_type="NameError",
                                message=f"the program defines no function {name}()")
        if self.baseline is None:
            self.baseline = self._snapshot()
            self.interpreter = self._interpreter_state()
            version = self.dict_version
            self.tags = [version(d) for d in self.guarded] if version is not None else []
        saved = {s: ns.get(s, _MISSING) for s in stubs} if stubs else None
        if saved:
            for s, original in saved.items():
                ns[s] = self._proxy(s, original)
        value = result = None
        laid = sent if type(sent) is _Laid else None  # by layout: the frame holds the arrays' bytes
        try:
            before = _args_state(args) if laid is None else _laid_state(laid)
        except Exception:
            before = None
        if before is None and type(sent) is not bytes:
            laid, sent = None, self.dumps(args, protocol=4)
        self.calling = True
        try:
            value = self.call_context().run(fn, *args)
        except BaseException as exc:
            result = self.failure(exc)
        finally:
            self.calling = False
            if saved:
                for s, original in saved.items():
                    if original is _MISSING:
                        ns.pop(s, None)
                    else:
                        ns[s] = original
            self._restore(self.baseline)
            self._restore_interpreter()
            self.flush()
        if result is not None:
            return result
        if len(self.recent) >= 32:  # pipelined calls ask for their pairs a few requests later
            del self.recent[next(iter(self.recent))]
        self.recent[self.seq] = (value, args)
        pairs: list = []
        if aliases:
            try:
                pairs = find_aliases(value, args)
            except Exception:
                pairs = []
        try:
            # The same objects in the same places, with the same lengths, keys, dtypes, shapes,
            # strides and bytes; arguments that cannot be described so are pickled again as they
            # were sent (the same bytes mean the same structure, dtypes, shapes and values).
            if before is None:
                same = self.dumps(args, protocol=4) == sent
            else:
                same = (_same_state(before, _args_state(args)) if laid is None
                        else _same_state(before, _laid_state(laid)) and _same_contents(laid))
        except Exception:
            same = False
        # the fields of ``outcome("ok", ...)``, written out: this is every answered call
        return {"kind": "outcome", "status": "ok", "value": value, "args_after": None if same else args,
                "args_same": same, "aliases": pairs, "error_type": "", "message": "", "frames": []}

    def aliases(self, of: object = None) -> dict:
        """The memory-sharing pairs of call number ``of`` (default: the last call), if it returned."""
        last = self.recent.get(of if type(of) is int else max(self.recent, default=-1))
        if last is None:
            return self.outcome("ok")
        try:
            pairs = find_aliases(*last)
        except Exception:
            pairs = []
        return self.outcome("ok", aliases=pairs)

    def send_outcome(self, msg: dict) -> None:
        """Send an outcome: its header (JSON), then the value and the arguments after the call as
        wire frames of their own (``frames_after`` lists which follow), so that the grading process can
        compare a value without decoding it. A value that is not plain data becomes
        bad_output; arguments that are not, None."""
        wire = self.wire
        value, args_after = msg.pop("value", None), msg.pop("args_after", None)
        frames, names = [], []
        if msg["status"] == "ok":
            try:
                frames.append(self.encoder.encode(value))
                names.append("value")
            except wire.WireError as exc:
                try:  # a right answer as np.matrix or in long double: as the arrays it stands for
                    frames.append(self.encoder.encode(_as_plain_arrays(value)))
                    names.append("value")
                except BaseException:  # WireError, or anything a student's subclass raises while rebuilt
                    msg.update(status="bad_output", aliases=[], error_type="WireError",
                               message=_short(refused_value_message(value, exc)))
        if args_after is not None:
            try:
                frames.append(wire.encode(args_after))
                names.append("args_after")
            except wire.WireError:
                pass
        msg["frames_after"] = names
        seq = msg.pop("seq", None)
        if type(seq) is int and msg == USUAL_ANSWER_FIELDS:  # the commonest answer: its JSON written at once
            payload = USUAL_ANSWER % seq
        else:
            if seq is not None:  # back in its place, before frames_after
                msg["seq"] = seq
                msg["frames_after"] = msg.pop("frames_after")
            try:  # the header holds only strings, numbers and lists of them: JSON, cheaper both ways
                payload = self.json_encode(msg).encode("ascii")
            except (TypeError, ValueError):
                payload = wire.encode(msg)
        parts = [FRAME.pack(len(payload)), payload]
        for f in frames:  # each frame copied once, into the message
            parts += (FRAME.pack(len(f)), f)
        self.sock.sendall(b"".join(parts))
