"""The only data format that crosses the sandbox boundary.

A message is plain data: ``None``, ``bool``, ``int``, ``float``, ``complex``,
``str``, ``tuple``, ``list``, ``dict`` with ``str`` keys, NumPy arrays of a
boolean or numeric dtype, and NumPy scalars of those dtypes.  Nothing else is
accepted, and nothing in the format can name code to run: there is no pickle
in it, and the grader unpickles nothing a child sends. (The arguments of a call
travel the other way, from the trusted grader to the child, as a pickle or as
their arrays' bytes by a learned layout: ``grader.childruntime.args_layout``.)

Layout of an encoded message::

    b"GW1\\n" | header length (4 bytes, big endian) | header (UTF-8 JSON) | buffers

The header is ``{"buffers": [n0, n1, ...], "root": node}``; the buffers are
the raw little-endian bytes of the arrays and scalars, concatenated in that
order.  A node is a JSON ``null``, ``true``/``false``, integer, float or
string for the matching Python value, a JSON list for a Python ``list``, or
an object tagged by ``"t"``:

* ``{"t": "tuple", "v": [node, ...]}``
* ``{"t": "dict", "v": [[key, node], ...]}`` (pairs keep the order; keys are strings)
* ``{"t": "complex", "v": [real, imag]}``
* ``{"t": "array", "dtype": "<f8", "shape": [2, 3], "b": 0}`` (``b`` indexes the buffers)
* ``{"t": "scalar", "dtype": "<i8", "b": 1}``
* ``{"t": "ref", "r": 3}``: the same object as the fourth container or array
  completed before this point (counted in post-order: children before their
  container).  An object that occurs several times in a message (the
  ``parameters`` dict in every cache of a sequence) is written once; the
  decoded value shares it the way the encoded one did.  A reference counts
  as the whole subtree it stands for against the node and depth limits, so
  walking a decoded value never costs more than the limits allow.

:func:`decode` validates everything before it builds a value: magic, sizes
declared against sizes present, dtype allowlist, shapes, nesting depth, node
count, each buffer used exactly once.  Anything wrong raises
:class:`WireError`, never another exception.

What does not survive the trip: array memory layout (arrays come back C
contiguous and writable), memory shared between distinct arrays (views; the
sandbox reports it separately; one object occurring twice stays one object), subclasses of the allowed types (refused), and ``float`` vs
``int`` subclasses such as ``IntEnum`` (refused).  NumPy scalars come back as
NumPy scalars of the same type (``np.float32(1.5)`` stays ``np.float32``).
"""

from __future__ import annotations

import json
import math
import struct
from json.encoder import encode_basestring_ascii as _quote

import numpy as np

__all__ = ["WireError", "encode", "decode", "Encoder", "layout", "Decoder", "DEFAULT_MAX_BYTES",
           "DEFAULT_MAX_DEPTH"]

MAGIC = b"GW1\n"
DEFAULT_MAX_BYTES = 256 * 2**20
DEFAULT_MAX_DEPTH = 32
MAX_NODES = 1_000_000
MAX_NDIM = 32
MAX_HEADER = 4 * 2**20  # structure, not data: big data travels as arrays

# dtype strings the format knows: numpy's own `dtype.str` spelling, little endian.
_DTYPES = frozenset(
    ["|b1", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8",
     "<f2", "<f4", "<f8", "<c8", "<c16"]
)
_JSON_SCALARS = (bool, int, str)
_DTYPE_OBJECTS = {name: np.dtype(name) for name in _DTYPES}


class WireError(ValueError):
    """Raised for anything that is not valid wire data, on encode or decode."""


# ---------------------------------------------------------------- encoding


_NAMES: dict[np.dtype, str] = {}


def _where(at: tuple) -> str:
    """``((((), 0), 'k'), 2)`` -> ``"value[0]['k'][2]"``: the path of an encoding error."""
    keys = []
    while at:
        at, key = at
        keys.append(f"[{key!r}]" if type(key) is str else f"[{key}]")
    return "value" + "".join(reversed(keys))


def _dtype_name(dtype: np.dtype, at: tuple) -> str:
    """The wire spelling of a numeric or boolean dtype, or WireError (``at``: see ``_where``)."""
    name = _NAMES.get(dtype)
    if name is not None:
        return name
    if dtype.kind not in "biufc" or dtype.fields is not None or dtype.subdtype is not None:
        raise WireError(f"{_where(at)}: dtype {dtype} is not boolean or numeric")
    name = dtype.newbyteorder("<").str if dtype.itemsize > 1 else dtype.str
    if name not in _DTYPES:
        raise WireError(f"{_where(at)}: dtype {dtype} is not supported")
    if len(_NAMES) < 64:
        _NAMES[dtype] = name
    return name


_SHAREABLE = (list, tuple, dict, np.ndarray)


def encode(obj: object, *, max_depth: int = DEFAULT_MAX_DEPTH) -> bytes:
    """Encode plain data `obj` as wire bytes; raise WireError for anything else.

    Types are checked exactly (``type(x) is list``), so subclasses with
    surprising behaviour are refused instead of being trusted.  A container or
    array met a second time is written as a reference to the first.

    Ordinary values go through a quick encoder that writes the header's JSON text
    directly; anything it is unsure of (a type it does not know, a limit in sight)
    goes through the careful one, which says exactly what is wrong. Both write the
    same bytes.
    """
    try:
        return _encode_quick(obj, max_depth)
    except _Unsure:
        return _encode_careful(obj, max_depth=max_depth)


class _Unsure(Exception):
    """The quick encoder leaves this value to the careful one."""


def _float_text(x: float) -> str:
    """A float as ``json.dumps(..., allow_nan=True)`` writes it."""
    if x != x:
        return "NaN"
    if x == math.inf:
        return "Infinity"
    if x == -math.inf:
        return "-Infinity"
    return float.__repr__(x)


def _known_dtype(dtype: np.dtype) -> str:
    """The wire name of ``dtype`` (remembered), or _Unsure when it has none."""
    try:
        return _dtype_name(dtype, ())
    except WireError:
        raise _Unsure from None


def _encode_quick(obj: object, max_depth: int) -> bytes:
    """``encode`` for ordinary values, writing the JSON header as text; raises _Unsure otherwise.

    One function, ``elements``, writes the elements of a container in one loop: leaves
    (arrays, numbers, strings, None, booleans) and references inline, nested containers
    by calling itself; the elements are counted against the node limit together, when
    their container is entered. Any limit in sight leaves the value to the careful encoder,
    which then says exactly what is wrong (the checks here only ever fire earlier)."""
    quote = _quote
    max_nodes = MAX_NODES
    buffers: list[bytes] = []
    add = buffers.append
    seen: dict[int, object] = {}  # id -> table index (arrays) or (table index, subtree nodes, height)
    heads = _HEADS
    count = 0    # nodes so far (references as their subtrees), each counted by its container
    deepest = 0  # deepest level reached in the current subtree

    def elements(values, n: int, depth: int) -> list[str]:
        """The texts of the `n` nodes in `values`, the elements of a container at level `depth`."""
        nonlocal count, deepest
        if not n:
            return []
        count += n
        if count > max_nodes or depth >= max_depth:
            raise _Unsure
        if depth >= deepest:
            deepest = depth + 1
        out: list[str] = []
        put = out.append
        for x in values:
            t = type(x)
            if t is ndarray:  # the commonest node
                key = id(x)
                hit = seen.get(key)
                if hit is not None:
                    put('{"t":"ref","r":' + str(hit) + "}")
                    continue
                head = heads.get((x.dtype, x.shape)) or _array_head(x.dtype, x.shape)
                add(x.tobytes() if head[1] is None else x.astype(head[1]).tobytes())
                seen[key] = len(seen)
                put(head[0] + str(len(buffers) - 1) + "}")
            elif t is float:
                put(float.__repr__(x) if x - x == 0.0 else _float_text(x))
            elif t is int:
                put(int.__repr__(x))
            elif t is str:
                put(quote(x))
            elif x is None:
                put("null")
            elif t is bool:
                put("true" if x else "false")
            elif t is tuple or t is list or t is dict:
                key = id(x)
                hit = seen.get(key)
                if hit is not None:
                    index, size, height = hit
                    if depth + 1 + height > max_depth:
                        raise _Unsure
                    count += size - 1
                    if count > max_nodes:
                        raise _Unsure
                    if depth + 1 + height > deepest:
                        deepest = depth + 1 + height
                    put('{"t":"ref","r":' + str(index) + "}")
                    continue
                start, outer = count - 1, deepest
                deepest = depth + 1
                if t is tuple:
                    put('{"t":"tuple","v":[' + ",".join(elements(x, len(x), depth + 1)) + "]}")
                elif t is list:
                    put("[" + ",".join(elements(x, len(x), depth + 1)) + "]")
                else:
                    for k in x:
                        if type(k) is not str:
                            raise _Unsure
                    texts = elements(x.values(), len(x), depth + 1)
                    put('{"t":"dict","v":[' + ",".join(["[" + quote(k) + "," + v + "]" for k, v in zip(x, texts)])
                        + "]}")
                seen[key] = (len(seen), count - start, deepest - depth - 1)
                if outer > deepest:
                    deepest = outer
            elif t is complex:
                put('{"t":"complex","v":[' + _float_text(x.real) + "," + _float_text(x.imag) + "]}")
            elif isinstance(x, generic) and t.__module__ == "numpy":
                name = _NAMES.get(x.dtype) or _known_dtype(x.dtype)
                add(np.asarray(x, dtype=_DTYPE_OBJECTS[name]).tobytes())
                put('{"t":"scalar","dtype":"' + name + '","b":' + str(len(buffers) - 1) + "}")
            else:
                raise _Unsure
        return out

    ndarray = np.ndarray
    generic = np.generic
    try:
        root = elements((obj,), 1, -1)[0]
    except RecursionError:
        raise _Unsure from None
    header = ('{"buffers":[' + ",".join(map(str, map(len, buffers))) + '],"root":' + root + "}").encode("utf-8")
    return b"".join([MAGIC, struct.pack(">I", len(header)), header, *buffers])


#: (dtype, shape) -> what ``_array_head`` says of them, for the arrays met so far (a few dozen
#: in a session: one dtype, the course's shapes).
_HEADS: dict[tuple, tuple[str, np.dtype | None]] = {}


def _array_head(dtype: np.dtype, shape: tuple) -> tuple[str, np.dtype | None]:
    """An array node's text up to its buffer number, and the dtype its data must be converted
    to first (None: written as it is); _Unsure for a dtype the format does not know.
    Remembered in ``_HEADS`` (equal dtypes have the same wire name, as in ``_NAMES``)."""
    name = _NAMES.get(dtype) or _known_dtype(dtype)
    head = ('{"t":"array","dtype":"' + name + '","shape":[' + ",".join(map(str, shape)) + '],"b":',
            None if dtype.str == name else _DTYPE_OBJECTS[name])
    if len(_HEADS) < 4096:
        _HEADS[dtype, shape] = head
    return head


def _encode_careful(obj: object, *, max_depth: int = DEFAULT_MAX_DEPTH) -> bytes:
    """``encode`` step by step, with the path of the first value it refuses in the error."""
    buffers: list[bytes] = []
    counter = [0]      # nodes, references counted as the subtree they stand for
    deepest = [0]      # deepest level reached so far in the current subtree
    seen: dict[int, tuple[int, int, int]] = {}  # id -> (table index, subtree nodes, height)

    def node(x: object, depth: int, at: tuple) -> object:
        """The JSON node for `x`; arrays and scalars append their bytes to `buffers`.

        ``at`` is the path to `x` as a chain ``(parent chain, key)``, spelt out only in errors.
        """
        counter[0] += 1
        if counter[0] > MAX_NODES:
            raise WireError("too many values")
        if depth > max_depth:
            raise WireError(f"{_where(at)}: nested deeper than {max_depth}")
        t = type(x)
        if depth > deepest[0]:
            deepest[0] = depth
        if x is None or t in _JSON_SCALARS:
            return x
        if t is float:
            return x
        if t is complex:
            return {"t": "complex", "v": [x.real, x.imag]}
        if t not in _SHAREABLE:
            if isinstance(x, np.generic) and t.__module__ == "numpy":
                name = _dtype_name(x.dtype, at)
                buffers.append(np.asarray(x, dtype=_DTYPE_OBJECTS[name]).tobytes())
                return {"t": "scalar", "dtype": name, "b": len(buffers) - 1}
            raise WireError(f"{_where(at)}: {t.__module__}.{t.__qualname__} is not plain data")
        hit = seen.get(id(x))
        if hit is not None:
            index, size, height = hit
            if depth + height > max_depth:
                raise WireError(f"{_where(at)}: nested deeper than {max_depth}")
            counter[0] += size - 1
            if counter[0] > MAX_NODES:
                raise WireError("too many values")
            if depth + height > deepest[0]:
                deepest[0] = depth + height
            return {"t": "ref", "r": index}
        start, outer = counter[0] - 1, deepest[0]
        deepest[0] = depth
        if t is list:
            out = [node(v, depth + 1, (at, i)) for i, v in enumerate(x)]
        elif t is tuple:
            out = {"t": "tuple", "v": [node(v, depth + 1, (at, i)) for i, v in enumerate(x)]}
        elif t is dict:
            pairs = []
            for k, v in x.items():
                if type(k) is not str:
                    raise WireError(f"{_where(at)}: dict key {k!r} is not a str")
                pairs.append([k, node(v, depth + 1, (at, k))])
            out = {"t": "dict", "v": pairs}
        else:
            name = _dtype_name(x.dtype, at)
            # tobytes() writes C order whatever the layout; only another byte order needs a copy
            data = x.tobytes() if x.dtype.str == name else x.astype(_DTYPE_OBJECTS[name]).tobytes()
            buffers.append(data)
            out = {"t": "array", "dtype": name, "shape": list(x.shape), "b": len(buffers) - 1}
        seen[id(x)] = (len(seen), counter[0] - start, deepest[0] - depth)
        if outer > deepest[0]:
            deepest[0] = outer
        return out

    try:
        root = node(obj, 0, ())
        header = json.dumps({"buffers": [len(b) for b in buffers], "root": root},
                            separators=(",", ":"), allow_nan=True).encode("utf-8")
    except RecursionError as exc:
        raise WireError("value nested too deeply") from exc
    except (TypeError, ValueError) as exc:
        if isinstance(exc, WireError):
            raise
        raise WireError(f"cannot encode: {exc}") from exc
    return b"".join([MAGIC, struct.pack(">I", len(header)), header, *buffers])


# ---------------------------------------------------------------- encoding, layout by layout

# Tokens of a value's layout (see Encoder): an array is its shape (a tuple of ints), a reference
# its table index (an int), a container one of these markers, its elements (a dict's as key
# string, then value) and _END. No shape, index or key equals a marker.
_TUPLE, _LIST, _DICT, _END = ("(",), ("[",), ("{",), (")",)
_F8 = np.dtype("<f8")


class _Miss(Exception):
    """The value is not one whose layout an Encoder can have learned."""


def layout(value: object) -> str | None:
    """The header of ``value``'s encoding once its arrays are zeros and equal parts one object,
    or None when it holds anything but tuples, lists, dicts with str keys and float64 arrays.

    This is what an :class:`Encoder` learns: the shape of an answer, none of its numbers (the
    header of a value with a number or a string in it would hold that number or string). Equal
    arrays, and containers of the same parts, become one object, shared the way a student's
    value usually shares them (the ``parameters`` of every cache, one step's output that is
    the next step's input); a value shared otherwise only misses the memo."""
    pool: dict = {}

    def same(x: object) -> object:
        """``x`` with its arrays zeros, equal parts made one object (kept in ``pool``)."""
        t = type(x)
        if t is np.ndarray and x.dtype == _F8:
            return pool.setdefault(("a", x.shape, x.tobytes()), np.zeros(x.shape))
        if t is tuple or t is list:
            parts = [same(v) for v in x]
            return pool.setdefault((t, *map(id, parts)), tuple(parts) if t is tuple else parts)
        if t is dict and all(type(k) is str for k in x):
            parts = {k: same(v) for k, v in x.items()}
            return pool.setdefault((dict, *[(k, id(v)) for k, v in parts.items()]), parts)
        raise _Miss

    try:
        data = encode(same(value))
    except (_Miss, WireError, RecursionError):
        return None
    return data[8:8 + struct.unpack(">I", data[4:8])[0]].decode("ascii")


def _layout_tokens(root: object, sizes: list) -> tuple:
    """The tokens (see Encoder) of the layout whose header has ``root`` and buffer ``sizes``;
    _Miss unless every node is one ``Encoder._walk`` can meet, written as ``encode`` writes it:
    float64 arrays with their buffers in order and of their size, references to nodes before."""
    tokens: list = []
    put = tokens.append
    done = [0]  # containers and arrays completed, which references number
    buffers = iter(range(len(sizes)))

    def walk(n: object) -> None:
        """Append the tokens of node ``n``."""
        if type(n) is list:
            put(_LIST)
            for v in n:
                walk(v)
        elif type(n) is not dict:
            raise _Miss
        elif n.get("t") == "array" and len(n) == 4 and n.get("dtype") == "<f8":
            shape = n["shape"]
            if type(shape) is not list or any(type(d) is not int or d < 0 for d in shape):
                raise _Miss
            if type(n["b"]) is not int or n["b"] != next(buffers, None) or sizes[n["b"]] != 8 * math.prod(shape):
                raise _Miss
            put(tuple(shape))
            done[0] += 1
            return
        elif n.get("t") == "ref" and len(n) == 2 and type(n["r"]) is int and 0 <= n["r"] < done[0]:
            put(n["r"])
            return
        elif n.get("t") == "tuple" and len(n) == 2 and type(n["v"]) is list:
            put(_TUPLE)
            for v in n["v"]:
                walk(v)
        elif n.get("t") == "dict" and len(n) == 2 and type(n["v"]) is list:
            put(_DICT)
            for pair in n["v"]:
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                    raise _Miss
                put(pair[0])
                walk(pair[1])
        else:
            raise _Miss
        put(_END)
        done[0] += 1

    walk(root)
    if next(buffers, None) is not None:
        raise _Miss
    return tuple(tokens)


class Encoder:
    """``encode`` for the answers of a child, with the headers of a few layouts learned beforehand.

    A value's *layout* is what its header says: the nesting of its tuples, lists and dicts (keys
    in order), the shapes of its float64 arrays and which parts are one object; the header is a
    function of it. ``learn`` takes the header of a layout (see :func:`layout`); ``encode`` of a
    value made only of such containers and arrays then walks it once, noting its layout as a
    tuple of tokens and copying its arrays, and when that layout was learned writes the learned
    header before the arrays' bytes: the same bytes as ``encode``, without building the header's
    text node by node. Anything else (a layout not learned, a number, another dtype) goes to
    ``encode``. The zygote learns the layouts of the rubric's expected values before it forks
    (``grader._child.Zygote.setup``); they hold no number of any value.

    The memo is the student's to change in a child, as is everything else there: what it makes
    the child send is checked by the grading process as any other answer is."""

    MAX_LAYOUTS = 256

    def __init__(self, *, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        """Encode with nesting limited to ``max_depth``, as ``encode`` does; nothing learned yet."""
        self.max_depth = max_depth
        self._heads: dict[tuple, bytes] = {}  # layout's tokens -> magic, header length and header
        self._longest = 0  # tokens of the longest layout learned: a longer value cannot be one

    def learn(self, header: str) -> bool:
        """Remember the layout whose header is ``header``, as :func:`layout` returns it (an
        ``encode`` header, within every limit: the grading process makes it, in trusted code);
        False (nothing learned) for a header of another form. The header is read as JSON, not
        decoded into a value: arrays made and dropped here would leave the zygote's heap in pieces
        that every child then writes to (about 40 page faults a child more)."""
        if len(self._heads) >= self.MAX_LAYOUTS or type(header) is not str:
            return False
        try:
            text = header.encode("ascii")
            parsed = json.loads(text)
            if type(parsed) is not dict or set(parsed) != {"buffers", "root"} or type(parsed["buffers"]) is not list \
                    or any(type(n) is not int for n in parsed["buffers"]):
                return False
            tokens = _layout_tokens(parsed["root"], parsed["buffers"])
        except (_Miss, ValueError, TypeError, KeyError, RecursionError):
            return False
        self._heads[tokens] = MAGIC + struct.pack(">I", len(text)) + text
        self._longest = max(self._longest, len(tokens))
        return True

    def encode(self, obj: object) -> bytes:
        """``encode(obj, max_depth=self.max_depth)``, the header taken from the memo when it can be."""
        if self._heads:
            try:
                tokens, buffers = self._walk(obj, self._longest)
            except (_Miss, RecursionError):
                pass
            else:
                head = self._heads.get(tokens)
                if head is not None:
                    return b"".join([head, *buffers])
        return encode(obj, max_depth=self.max_depth)

    def _walk(self, obj: object, longest: int) -> tuple[tuple, list[bytes]]:
        """The layout of ``obj`` as tokens, and its arrays' bytes in order; _Miss when it holds
        something else, is nested deeper than ``max_depth`` or has more than ``longest`` tokens
        (the longest layout learned: a value no layout can match costs little more than that)."""
        tokens: list = []
        buffers: list[bytes] = []
        put, add = tokens.append, buffers.append
        seen: dict[int, int] = {}  # id -> table index, in the order encode numbers them
        ndarray, f8, max_depth = np.ndarray, _F8, self.max_depth

        def walk(x: object, depth: int) -> None:
            """Append the tokens and buffers of ``x``, at nesting ``depth``."""
            t = type(x)
            if t is ndarray:
                hit = seen.get(id(x))
                if hit is not None:
                    put(hit)
                elif x.dtype is f8 or x.dtype == f8:  # unpickled arrays have a dtype of their own
                    put(x.shape)
                    add(x.tobytes())
                    seen[id(x)] = len(seen)
                else:
                    raise _Miss
                return
            if t is not tuple and t is not list and t is not dict:
                raise _Miss
            hit = seen.get(id(x))
            if hit is not None:
                put(hit)
                return
            if depth >= max_depth or len(tokens) + len(x) > longest:
                raise _Miss
            if t is dict:
                put(_DICT)
                for k, v in x.items():
                    if type(k) is not str:
                        raise _Miss
                    put(k)
                    walk(v, depth + 1)
            else:
                put(_TUPLE if t is tuple else _LIST)
                for v in x:
                    walk(v, depth + 1)
            put(_END)
            seen[id(x)] = len(seen)

        walk(obj, 0)
        return tuple(tokens), buffers


# ---------------------------------------------------------------- decoding


def _reject_constant(name: str) -> float:
    """json hook: accept NaN and +/-Infinity, which encode writes for floats."""
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[name]


def decode(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = DEFAULT_MAX_DEPTH) -> object:
    """Decode wire bytes into plain data, validating everything; raise WireError otherwise.

    Arrays come back as fresh, writable, C-contiguous ``np.ndarray`` objects;
    NumPy scalars as NumPy scalars of their type.
    """
    try:
        return _decode(data, max_bytes, max_depth)
    except WireError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, RecursionError, OverflowError,
            UnicodeDecodeError, MemoryError, struct.error) as exc:
        raise WireError(f"malformed wire data: {type(exc).__name__}") from None


def _decode(data: bytes, max_bytes: int, max_depth: int) -> object:
    """Body of decode; may raise the exceptions decode converts to WireError."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise WireError("wire data must be bytes")
    view = memoryview(data).cast("B")
    total = len(view)
    if total > max_bytes:
        raise WireError(f"message of {total} bytes exceeds the limit of {max_bytes}")
    if total < 8 or bytes(view[:4]) != MAGIC:
        raise WireError("not wire data (bad magic)")
    (hlen,) = struct.unpack(">I", view[4:8])
    if 8 + hlen > total:
        raise WireError("header runs past the end of the message")
    if hlen > MAX_HEADER:
        raise WireError("header too large (put bulk data in arrays)")
    header = json.loads(bytes(view[8:8 + hlen]).decode("utf-8"), parse_constant=_reject_constant)
    if type(header) is not dict or set(header) != {"buffers", "root"}:
        raise WireError("bad header")
    sizes = header["buffers"]
    if type(sizes) is not list or any(type(n) is not int or n < 0 for n in sizes):
        raise WireError("bad buffer table")
    if 8 + hlen + sum(sizes) != total:
        raise WireError("buffer sizes do not match the message length")
    offsets = []
    pos = 8 + hlen
    for n in sizes:
        offsets.append(pos)
        pos += n
    used = [False] * len(sizes)
    count = [0]        # nodes, references counted as the subtree they stand for
    deepest = [0]      # deepest level reached so far in the current subtree
    table: list[tuple[object, int, int]] = []  # completed containers and arrays: (value, nodes, height)

    def take(ref: object, nbytes: int) -> memoryview:
        """The buffer `ref`, checked to be unused and exactly `nbytes` long."""
        if type(ref) is not int or not 0 <= ref < len(sizes) or used[ref]:
            raise WireError("bad or reused buffer reference")
        if sizes[ref] != nbytes:
            raise WireError("array size does not match its buffer")
        used[ref] = True
        return view[offsets[ref]:offsets[ref] + nbytes]

    def dtype_of(name: object) -> np.dtype:
        """The dtype named by an allowlisted wire dtype string."""
        dtype = _DTYPE_OBJECTS.get(name) if type(name) is str else None
        if dtype is None:
            raise WireError(f"dtype {name!r} not allowed")
        return dtype

    def shared(value: object, depth: int, start: int, outer: int) -> object:
        """Record a completed container or array for later references; return it."""
        table.append((value, count[0] - start, deepest[0] - depth))
        if outer > deepest[0]:
            deepest[0] = outer
        return value

    def build(n: object, depth: int) -> object:
        """The value for node `n`, validated."""
        count[0] += 1
        if count[0] > MAX_NODES:
            raise WireError("too many values")
        if depth > max_depth:
            raise WireError(f"nested deeper than {max_depth}")
        t = type(n)
        if n is None or t in (bool, int, str, float):
            if depth > deepest[0]:
                deepest[0] = depth
            return n
        start, outer = count[0] - 1, deepest[0]
        deepest[0] = depth
        if t is list:
            return shared([build(v, depth + 1) for v in n], depth, start, outer)
        if t is not dict:
            raise WireError("bad node")
        tag = n.get("t")
        keys = len(n)
        if tag == "ref" and keys == 2:
            index = n.get("r")
            if type(index) is not int or not 0 <= index < len(table):
                raise WireError("bad reference")
            value, size, height = table[index]
            if depth + height > max_depth:
                raise WireError(f"nested deeper than {max_depth}")
            count[0] += size - 1
            if count[0] > MAX_NODES:
                raise WireError("too many values")
            deepest[0] = max(outer, depth + height)
            return value
        if tag == "tuple" and keys == 2 and type(n.get("v")) is list:
            return shared(tuple([build(v, depth + 1) for v in n["v"]]), depth, start, outer)
        if tag == "dict" and keys == 2 and type(n.get("v")) is list:
            out = {}
            for pair in n["v"]:
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                    raise WireError("bad dict entry")
                if pair[0] in out:
                    raise WireError("duplicate dict key")
                out[pair[0]] = build(pair[1], depth + 1)
            return shared(out, depth, start, outer)
        if tag == "array" and keys == 4 and "dtype" in n and "shape" in n and "b" in n:
            dtype = dtype_of(n["dtype"])
            shape = n["shape"]
            if (type(shape) is not list or len(shape) > MAX_NDIM
                    or any(type(d) is not int or d < 0 for d in shape)):
                raise WireError("bad shape")
            size = math.prod(shape)
            nbytes = size * dtype.itemsize
            if nbytes > max_bytes:
                raise WireError("array larger than the message limit")
            buf = take(n["b"], nbytes)
            if dtype.kind == "b":  # any non-zero byte is True; never keep a raw 7 in a bool
                arr = np.frombuffer(buf, dtype=np.uint8, count=size).reshape(shape) != 0
            else:
                arr = np.frombuffer(buf, dtype=dtype, count=size).reshape(shape)
                arr = arr.copy() if dtype.isnative else arr.astype(dtype.newbyteorder("="))
            return shared(arr, depth, start, outer)
        deepest[0] = max(outer, depth)
        if tag == "complex" and keys == 2 and "v" in n:
            v = n["v"]
            if type(v) is not list or len(v) != 2 or any(type(c) not in (int, float) for c in v):
                raise WireError("bad complex")
            return complex(v[0], v[1])
        if tag == "scalar" and keys == 3 and "dtype" in n and "b" in n:
            dtype = dtype_of(n["dtype"])
            buf = take(n["b"], dtype.itemsize)
            if dtype.kind == "b":
                return np.bool_(buf[0] != 0)
            return np.frombuffer(buf, dtype=dtype, count=1).astype(dtype.newbyteorder("="))[0]
        raise WireError("unknown node")

    value = build(header["root"], 0)
    if not all(used):
        raise WireError("unreferenced buffer")
    return value


# ---------------------------------------------------------------- decoding, header by header

# Steps of a _Plan, run on a stack; every step but _CONST, _SCALAR and _REF completes a container
# or an array, which joins the table that references index (post-order, as in _decode).
_CONST, _ARRAY, _BOOLS, _SCALAR, _LIST, _TUPLE, _DICT, _REF = range(8)


class _Plan:
    """How to build the value of every message with one header, that header having been
    validated by ``decode`` once: what remains to do for another such message is to make its
    arrays and scalars from its buffers and to assemble them, with no check left to make but
    the message's length (everything else ``decode`` checks depends on the header alone, but
    the values of booleans and scalars, which the steps read from the buffers as it does)."""

    __slots__ = ("header_length", "total", "steps")

    def __init__(self, root: object, header_length: int, sizes: list[int]) -> None:
        """The steps for a validated header's ``root`` node and buffer ``sizes``."""
        self.header_length = header_length
        self.total = 8 + header_length + sum(sizes)
        offsets, pos = [], 8 + header_length
        for n in sizes:
            offsets.append(pos)
            pos += n
        steps: list[tuple] = []

        def walk(n: object) -> None:
            """Append the steps that build node ``n`` (children first, as _decode builds them)."""
            t = type(n)
            if n is None or t in (bool, int, str, float):
                steps.append((_CONST, n))
            elif t is list:
                for v in n:
                    walk(v)
                steps.append((_LIST, len(n)))
            else:
                tag = n["t"]
                if tag == "ref":
                    steps.append((_REF, n["r"]))
                elif tag == "tuple":
                    for v in n["v"]:
                        walk(v)
                    steps.append((_TUPLE, len(n["v"])))
                elif tag == "dict":
                    for _, v in n["v"]:
                        walk(v)
                    steps.append((_DICT, tuple(k for k, _ in n["v"])))
                elif tag == "array":
                    dtype = _DTYPE_OBJECTS[n["dtype"]]
                    if dtype.kind == "b":
                        steps.append((_BOOLS, tuple(n["shape"]), offsets[n["b"]]))
                    else:
                        steps.append((_ARRAY, tuple(n["shape"]), offsets[n["b"]], dtype))
                elif tag == "complex":
                    steps.append((_CONST, complex(n["v"][0], n["v"][1])))
                else:  # scalar
                    steps.append((_SCALAR, _DTYPE_OBJECTS[n["dtype"]], offsets[n["b"]]))

        walk(root)
        del walk  # it refers to itself: without this, a cycle keeps the steps until the collector runs
        self.steps = steps

    def build(self, data: bytes) -> object:
        """The value of ``data``, a message with this plan's header and length."""
        stack: list = []
        table: list = []
        push, shared, ndarray, uint8 = stack.append, table.append, np.ndarray, np.uint8
        for step in self.steps:
            op = step[0]
            if op == _ARRAY:
                dtype = step[3]
                arr = ndarray(step[1], dtype, data, step[2])
                arr = arr.copy() if dtype.isnative else arr.astype(dtype.newbyteorder("="))
                push(arr)
                shared(arr)
            elif op == _CONST:
                push(step[1])
            elif op == _REF:
                push(table[step[1]])
            elif op == _TUPLE or op == _LIST:
                k = step[1]
                items = stack[len(stack) - k:]
                del stack[len(stack) - k:]
                value = tuple(items) if op == _TUPLE else items
                push(value)
                shared(value)
            elif op == _DICT:
                keys = step[1]
                k = len(keys)
                value = dict(zip(keys, stack[len(stack) - k:]))
                del stack[len(stack) - k:]
                push(value)
                shared(value)
            elif op == _BOOLS:  # any non-zero byte is True, as in _decode
                arr = ndarray(step[1], uint8, data, step[2]) != 0
                push(arr)
                shared(arr)
            else:  # _SCALAR, as in _decode
                dtype, offset = step[1], step[2]
                if dtype.kind == "b":
                    push(np.bool_(data[offset] != 0))
                else:
                    push(np.frombuffer(data, dtype=dtype, count=1, offset=offset).astype(dtype.newbyteorder("="))[0])
        return stack[0]


class Decoder:
    """``decode`` for a stream of messages among which few headers recur (a class's values share
    their structure, shapes and dtypes; the header holds no array's numbers): the first message
    with a header is decoded and validated in full, and its header's plan is kept (at most
    ``size`` of them, the oldest dropped first); a later message with the very same header bytes
    and length is then built from its buffers by the plan, without a check left to repeat.
    The values are those ``decode`` gives, fresh each time (see ``tests/test_wire_decoder.py``).
    Headers longer than ``MAX_PLANNED_HEADER`` bytes are not kept, and the plans kept hold at
    most ``MAX_PLANNED_STEPS`` steps in all (a plan holds its header and a step per node, about
    64 bytes: a few megabytes in all, whatever a child sends; 128 headers of 16 KB held 66 MB).
    """

    MAX_PLANNED_HEADER = 16384
    MAX_PLANNED_STEPS = 65536

    def __init__(self, *, max_depth: int = DEFAULT_MAX_DEPTH, size: int = 128) -> None:
        """Validate nesting against ``max_depth``; keep the plans of ``size`` headers."""
        self.max_depth = max_depth
        self.size = size
        self._plans: dict[bytes, _Plan] = {}
        self._steps = 0  # steps of the plans kept

    def decode(self, data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> object:
        """``decode(data, max_bytes=max_bytes, max_depth=self.max_depth)``; raises WireError the same way."""
        if type(data) is bytes and len(data) >= 8 and data[:4] == MAGIC:
            hlen = int.from_bytes(data[4:8], "big")
            header = data[8:8 + hlen]
            plan = self._plans.get(header)
            if plan is not None and plan.header_length == hlen and plan.total == len(data) <= max_bytes:
                return plan.build(data)
        else:
            return decode(data, max_bytes=max_bytes, max_depth=self.max_depth)
        value = decode(data, max_bytes=max_bytes, max_depth=self.max_depth)  # raises for anything invalid
        if hlen <= self.MAX_PLANNED_HEADER:
            root = json.loads(header.decode("utf-8"), parse_constant=_reject_constant)
            plan = _Plan(root["root"], hlen, root["buffers"])
            if len(plan.steps) <= self.MAX_PLANNED_STEPS and header not in self._plans:
                while self._plans and (len(self._plans) >= self.size
                                       or self._steps + len(plan.steps) > self.MAX_PLANNED_STEPS):
                    self._steps -= len(self._plans.pop(next(iter(self._plans))).steps)
                self._plans[header] = plan
                self._steps += len(plan.steps)
        return value
