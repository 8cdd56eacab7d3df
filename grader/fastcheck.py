"""Accepting a correct value straight from its wire bytes, without decoding it.

Most values a class returns are right. Decoding one (a Python object per node, a
NumPy array per leaf) and walking it beside the expected value costs more than
running the student's function. A :class:`WireExpectation` holds the expected
value's *shape on the wire*: a canonical signature of its structure (container
types, dict keys in sorted order, dtypes, shapes, literal values; references
expanded) and its array values in the same canonical order as one flat array.
:meth:`WireExpectation.accepts` computes the same signature from the header of
the student's message (JSON, parsed in C), gathers the student's numbers from
the message's buffers in that order, and compares everything in one vectorised
step: ``|student - expected| <= atol + rtol * |expected|``, finite.

It is a shortcut, never a judge: ``accepts`` is True only when every check of
``grader.checks`` would pass on the decoded value (same structure, same keys,
same dtypes and shapes, equal literals, every number within the tolerance),
and False whenever in doubt (a list where a tuple is expected, dict keys in
excess, NaN, a malformed message): the caller then decodes the value and
grades it the slow way, which explains what differs.
"""
from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass, field

import numpy as np

from grader import wire

__all__ = ["WireExpectation", "expectation_for"]

_HEADER = struct.Struct(">I")
#: Leaf dtypes compared by the shortcut: float64 only, so that its arithmetic is exactly that of
#: ``grader.checks`` (other dtypes, integers near 2**53 or float32 rounding, take the slow path).
_FAST_DTYPES = frozenset({"<f8"})


class _NotCanonical(Exception):
    """The message is not one the shortcut can vouch for."""


def _canonical(data: bytes, max_header: int,
               max_nodes: int = wire.MAX_NODES) -> tuple[object, list[tuple[int, int, np.dtype]], int]:
    """``(signature, leaves, nodes)`` of a wire message: leaves are ``(offset, count, dtype)``
    of its arrays and scalars in canonical order (dict entries by sorted key, shared
    objects repeated where they occur); ``nodes`` counts the values it stands for, a
    reference as the whole subtree it repeats (as ``wire.decode`` counts them). Raises
    _NotCanonical for anything unusual, and as soon as ``nodes`` would pass ``max_nodes``:
    a few hundred bytes of references can stand for billions of values."""
    view = memoryview(data)
    if len(view) < 8 or bytes(view[:4]) != wire.MAGIC:
        raise _NotCanonical
    (hlen,) = _HEADER.unpack_from(view, 4)
    if hlen > max_header or 8 + hlen > len(view):
        raise _NotCanonical
    try:
        header = json.loads(bytes(view[8:8 + hlen]))
    except (ValueError, RecursionError):
        raise _NotCanonical from None
    if type(header) is not dict or set(header) != {"buffers", "root"}:
        raise _NotCanonical
    sizes = header["buffers"]
    if type(sizes) is not list or any(type(n) is not int or n < 0 for n in sizes):
        raise _NotCanonical
    offsets, pos = [], 8 + hlen
    for n in sizes:
        offsets.append(pos)
        pos += n
    if pos != len(view):
        raise _NotCanonical
    used = [False] * len(sizes)
    table: list[tuple[object, list, int]] = []  # completed containers and arrays, post-order (as wire.decode)
    count = [0]  # values so far, references counted as what they stand for

    def counted(n: int) -> None:
        count[0] += n
        if count[0] > max_nodes:
            raise _NotCanonical
    dtypes = wire._DTYPE_OBJECTS

    def leaf(n: dict, shape: tuple) -> tuple[int, int, np.dtype]:
        dtype = dtypes.get(n.get("dtype")) if type(n.get("dtype")) is str else None
        b = n.get("b")
        if dtype is None or dtype.str not in _FAST_DTYPES or type(b) is not int or not 0 <= b < len(sizes):
            raise _NotCanonical
        count = math.prod(shape)
        if used[b] or sizes[b] != count * dtype.itemsize:
            raise _NotCanonical
        used[b] = True
        return offsets[b], count, dtype

    def walk(n: object, leaves: list, depth: int) -> object:
        if depth > wire.DEFAULT_MAX_DEPTH:
            raise _NotCanonical
        t = type(n)
        if t is dict and n.get("t") == "ref" and len(n) == 2 and type(n.get("r")) is int \
                and 0 <= n["r"] < len(table):
            sig, own, size = table[n["r"]]
            counted(size)
            leaves.extend(own)
            return sig
        counted(1)
        first = count[0]
        if n is None or t is bool or t is int or t is str:
            return (t.__name__, n)
        if t is float:
            if n != n:
                raise _NotCanonical  # NaN: let the slow path say what it thinks
            return ("float", n)
        if t is list:
            start = len(leaves)
            sig = ("list", tuple([walk(c, leaves, depth + 1) for c in n]))
            table.append((sig, leaves[start:], count[0] - first + 1))
            return sig
        if t is not dict:
            raise _NotCanonical
        tag = n.get("t")
        if tag == "tuple" and type(n.get("v")) is list and len(n) == 2:
            start = len(leaves)
            sig = ("tuple", tuple([walk(c, leaves, depth + 1) for c in n["v"]]))
            table.append((sig, leaves[start:], count[0] - first + 1))
            return sig
        if tag == "dict" and type(n.get("v")) is list and len(n) == 2:
            entries = {}
            for pair in n["v"]:
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str or pair[0] in entries:
                    raise _NotCanonical
                own: list = []
                entries[pair[0]] = (walk(pair[1], own, depth + 1), own)
            start = len(leaves)
            items = []
            for key in sorted(entries):
                sig, own = entries[key]
                items.append((key, sig))
                leaves.extend(own)
            sig = ("dict", tuple(items))
            table.append((sig, leaves[start:], count[0] - first + 1))
            return sig
        if tag == "array" and len(n) == 4:
            shape = n.get("shape")
            if type(shape) is not list or len(shape) > wire.MAX_NDIM or any(type(d) is not int or d < 0 for d in shape):
                raise _NotCanonical
            shape = tuple(shape)
            found = leaf(n, shape)
            leaves.append(found)
            sig = ("array", found[2].str, shape)
            table.append((sig, [found], 1))
            return sig
        if tag == "scalar" and len(n) == 3:
            found = leaf(n, ())
            leaves.append(found)
            return ("scalar", found[2].str)
        raise _NotCanonical  # complex numbers and anything else: the slow path

    leaves: list = []
    try:
        signature = walk(header["root"], leaves, 0)
    except RecursionError:
        raise _NotCanonical from None
    if not all(used):
        raise _NotCanonical
    return signature, leaves, count[0]


def _header_of(data: bytes) -> bytes:
    """The JSON header of a well-formed wire message (``_canonical`` has read it)."""
    return bytes(data[8:8 + _HEADER.unpack_from(data, 4)[0]])


def _positions(leaves: list[tuple[int, int, np.dtype]], start: int) -> np.ndarray:
    """Where the numbers of ``leaves`` are, in order, among the float64 numbers of a message from
    byte ``start`` (the end of its header: every leaf is float64, ``_FAST_DTYPES``, and every
    buffer a whole number of them). A few NumPy calls whatever the leaves' number, where a range
    per leaf and their concatenation took a call per leaf (an LSTM's caches hold hundreds): 24 %
    fewer instructions for the layouts and the gathers of the 171 values a worker met in a run."""
    if not leaves:
        return np.zeros(0, dtype=np.intp)
    firsts = np.array([(offset - start) // 8 for offset, _, _ in leaves], dtype=np.intp)
    counts = np.array([count for _, count, _ in leaves], dtype=np.intp)
    # the k-th number overall, of leaf i whose numbers start at k0 overall: firsts[i] + k - k0
    return np.arange(int(counts.sum()), dtype=np.intp) + np.repeat(firsts - (np.cumsum(counts) - counts), counts)


def _gather(data: bytes, index: np.ndarray, start: int) -> np.ndarray:
    """The numbers at ``index`` (``_positions``) of the message ``data`` whose header ends at
    byte ``start``, in that order, as one float64 array."""
    if not len(index):
        return np.zeros(0)
    return np.frombuffer(data, dtype="<f8", offset=start)[index]


#: Distinct message headers remembered per expectation (a class returns few distinct layouts).
MAX_LAYOUTS = 64
#: Tolerances remembered per layout (a rubric has few).
MAX_BOUNDS = 8
#: Numbers (as bytes) accepted within a tolerance, remembered per layout: students who write a
#: function the same way get the same bits, so a class returns few distinct near-values.
MAX_PASSED = 4


class _Layout:
    """Where the numbers of messages with one header are, for one expectation.

    ``index[i]`` is the position, among the float64 numbers after the header, of the
    ``i``-th number in canonical order. When every position is used and the canonical
    numbers that share one (an object the message holds once, referenced again) are
    equal in the expected value, the expected numbers can be laid out as such a message
    lays out its own (``laid_out``, and ``exact`` as bytes): the message's numbers are
    then compared where they are, without gathering them, and identical bytes are
    accepted by one comparison of bytes.
    """

    __slots__ = ("length", "index", "laid_out", "exact", "bounds", "passed")

    def __init__(self, length: int, index: np.ndarray | None, laid_out: np.ndarray | None) -> None:
        """A layout of messages ``length`` bytes long; ``laid_out`` None when none fits, ``index``
        None when such messages are never accepted."""
        self.length = length  # the whole message's, in bytes
        self.index = index
        self.laid_out = laid_out
        self.exact = laid_out.tobytes() if laid_out is not None else None
        self.bounds: dict[tuple[float, float], np.ndarray] = {}  # (rtol, atol) -> atol + rtol * |expected|
        self.passed: list[tuple[float, float, bytes]] = []  # (rtol, atol, numbers' bytes) accepted before

    def bound(self, expected: np.ndarray, rtol: float, atol: float) -> np.ndarray:
        """``atol + rtol * |expected|`` in the order the numbers are compared (laid out or canonical)."""
        try:
            return self.bounds[(rtol, atol)]
        except KeyError:
            if len(self.bounds) >= MAX_BOUNDS:
                self.bounds.clear()
            ordered = self.laid_out if self.laid_out is not None else expected
            found = self.bounds[(rtol, atol)] = atol + rtol * np.abs(ordered)
            return found


@dataclass(frozen=True)
class WireExpectation:
    """The expected value of a case as the shortcut sees it (see the module's docstring).

    ``layouts`` remembers, per distinct header of the students' messages (the header holds
    the structure, never the numbers), where the numbers are (``_Layout``): the canonical
    walk runs once per layout, and a message whose header was seen before costs one
    dictionary lookup and one comparison of bytes (numbers identical to the expected
    ones), or one vectorised comparison.
    """

    signature: object
    values: np.ndarray  # float64, canonical order
    wire_bytes: int     # size of the expected value's own encoding
    nodes: int          # values it holds (a matching message holds exactly as many)
    layouts: dict = field(default_factory=dict, compare=False, repr=False)  # header -> _Layout
    # The header of the expected value's own encoding and where its numbers are (``_positions``):
    # a correct answer usually comes with this very header (the children's encoders learn the
    # expected values' layouts), whose layout then needs no second walk (see ``_layout``). An
    # array, not the walk's list of leaves: kept for the worker's life, a list of tuples a case
    # would be hundreds of objects more for the garbage collector to walk.
    own: tuple = field(default=(), compare=False, repr=False)

    @classmethod
    def of(cls, expected: object) -> "WireExpectation | None":
        """The expectation of ``expected``, or None when the shortcut cannot handle it."""
        try:
            data = wire.encode(expected)
            signature, leaves, nodes = _canonical(data, wire.MAX_HEADER)
        except (wire.WireError, _NotCanonical):
            return None
        header = _header_of(data)
        index = _positions(leaves, 8 + len(header))
        values = _gather(data, index, 8 + len(header))
        if not np.isfinite(values).all():
            return None
        return cls(signature, values, len(data), nodes, own=(header, index))

    def _layout(self, data: bytes, header: bytes) -> _Layout:
        """The layout of messages with this header and length, one without ``index`` when they can
        never be accepted (another structure, unusual content, a malformed message). A message of the expected value's own header
        and length has its leaves (``_canonical`` reads nothing else of a message): their
        positions are taken from ``own`` instead of walking the header again: the first correct answer of each
        case in each worker walked it (a few ms of a worker's first submission)."""
        start = 8 + len(header)  # every buffer is float64: the numbers form one array from here
        if self.own and header == self.own[0] and len(data) == self.wire_bytes:
            index = self.own[1]
        else:
            try:
                signature, leaves, _ = _canonical(data, wire.MAX_HEADER, max_nodes=self.nodes)
            except _NotCanonical:
                return _Layout(len(data), None, None)
            if signature != self.signature:
                return _Layout(len(data), None, None)
            index = _positions(leaves, start)
        if index.shape != self.values.shape:
            return _Layout(len(data), None, None)
        numbers = (len(data) - start) // 8
        laid_out = None
        if numbers * 8 == len(data) - start:
            candidate = np.zeros(numbers, dtype="<f8")
            covered = np.zeros(numbers, dtype=bool)
            candidate[index] = self.values
            covered[index] = True
            if covered.all() and candidate[index].tobytes() == self.values.tobytes():
                laid_out = candidate
        return _Layout(len(data), index, laid_out)

    def accepts(self, data: bytes, *, rtol: float, atol: float) -> bool:
        """Whether the wire message ``data`` decodes to a value every check would pass
        against the expected one, within ``rtol``/``atol``. False when in doubt.

        Numbers identical to the expected ones, byte for byte, pass any non-negative
        tolerance (the expected numbers are finite): that is a comparison of bytes, and it
        is the common case (a cache holding the inputs, a correct value computed in the
        reference's order). Others are compared with the tolerance: in place when the
        expected numbers can be laid out as the message's are (every canonical number is
        then the message's number at its position, and every position is one's), else
        gathered into canonical order. Numbers accepted that way are remembered with their
        tolerance (``MAX_PASSED`` per layout): the same bytes again, from a student who wrote
        the function the same way, are accepted by a comparison of bytes."""
        if len(data) > 4 * self.wire_bytes + 65536 or len(data) < 8 or data[:4] != wire.MAGIC:
            return False
        start = 8 + _HEADER.unpack_from(data, 4)[0]
        if start > len(data):  # the key would be cut short: a whole header of another message
            return False
        header = bytes(data[8:start])
        layout = self.layouts.get(header)
        if layout is None or (layout.index is None and layout.length != len(data)):
            # Unseen, or refused at another length. A header sets its message's length (a layout
            # that can accept was made from a well-formed message), and a malformed message's
            # refusal must not stand for its header, which a child writes as it likes: the
            # expected value's own header over too few bytes made every right answer after it,
            # other students' in the worker too, go the slow way.
            layout = self._layout(data, header)
            if header not in self.layouts and len(self.layouts) >= MAX_LAYOUTS:
                self.layouts.pop(next(iter(self.layouts)))
            self.layouts[header] = layout
        if layout.index is None or layout.length != len(data):
            return False
        numbers = data[start:]
        if layout.laid_out is not None and rtol >= 0.0 and atol >= 0.0 and numbers == layout.exact:
            return True
        for passed in layout.passed:  # the same bytes under the same header and tolerance: the same verdict
            if passed[2] == numbers and passed[0] == rtol and passed[1] == atol:
                return True
        if layout.laid_out is not None:
            got = np.frombuffer(data, dtype="<f8", offset=start)
            expected = layout.laid_out
        else:
            got = np.frombuffer(data, dtype="<f8", offset=start)[layout.index] if len(layout.index) else layout.index
            expected = self.values
        with np.errstate(invalid="ignore", over="ignore"):
            ok = np.abs(got - expected) <= layout.bound(self.values, rtol, atol)
        if np.count_nonzero(ok) != ok.size:  # ndarray.all costs several times more here
            return False
        if len(layout.passed) >= MAX_PASSED:
            layout.passed.pop(0)
        layout.passed.append((rtol, atol, bytes(numbers)))
        return True


def expectation_for(cache: dict, case_id: str, expected: object) -> WireExpectation | None:
    """The expectation of a case, built once and kept in ``cache`` (the grading context's)."""
    try:
        return cache[case_id]
    except KeyError:
        found = cache[case_id] = WireExpectation.of(expected)
        return found
