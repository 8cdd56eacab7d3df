"""grader.wire: round trips, refusals, and fuzzed input that may only ever raise WireError."""

from __future__ import annotations

import json
import math
import random
import struct

import numpy as np
import pytest

from grader import wire
from grader.wire import WireError, decode, encode


def _same(a: object, b: object) -> bool:
    """Deep equality that also checks types, dtypes and shapes (NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, np.generic):
        return a.dtype == b.dtype and (a == b or (np.isnan(a) and np.isnan(b)))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


ROUND_TRIPS = [
    None, True, False, 0, -7, 2**80, 1.5, float("inf"), float("-inf"), float("nan"), 1 + 2j, "", "héllo ✓",
    [], (), {}, [1, [2, [3]]], (1, (2.0, "x")), {"a": 1, "b": [None, (True,)]},
    np.arange(12, dtype=np.int64).reshape(3, 4), np.zeros((0, 5)), np.array(3.5), np.array([True, False]),
    np.array([1, 2], dtype=np.uint8), np.array([1.5], dtype=np.float16), np.array([1 + 1j], dtype=np.complex64),
    np.array([[1 + 2j]], dtype=np.complex128), np.float32(2.5), np.int16(-3), np.bool_(True), np.complex128(1j),
    np.uint64(2**64 - 1), np.arange(10.0)[::3], np.asfortranarray(np.arange(6.0).reshape(2, 3)),
    np.arange(4, dtype=">i4"),
    {"caches": ([np.ones((2, 3))], (np.zeros(2), {"x": np.eye(2)})), "n": 3},
]


@pytest.mark.parametrize("value", ROUND_TRIPS, ids=lambda v: type(v).__name__)
def test_round_trip_keeps_type_dtype_shape_and_values(value):
    back = decode(encode(value))
    assert _same(back, value if not isinstance(value, np.ndarray) else value.astype(value.dtype.newbyteorder("=")))


def test_decoded_arrays_are_fresh_writable_and_contiguous():
    original = np.arange(6.0).reshape(2, 3)[:, ::2]
    back = decode(encode(original))
    assert back.flags.writeable and back.flags.c_contiguous
    back[0, 0] = 99.0
    assert original[0, 0] == 0.0


def test_numpy_scalars_come_back_as_numpy_scalars_of_the_same_type():
    back = decode(encode((np.float32(1.25), np.int8(-2))))
    assert type(back[0]) is np.float32 and type(back[1]) is np.int8


@pytest.mark.parametrize("value", [
    object(), print, {1: 2}, {("a",): 1}, np.array(["a"]), np.array([object()], dtype=object),
    np.zeros(2, dtype=[("a", "f8")]), np.array(["2020-01-01"], dtype="datetime64[D]"),
    np.zeros(2).view(type("Sub", (np.ndarray,), {})), np.ma.masked_array([1.0]), {1.5}, b"bytes", bytearray(b"x"), range(3),
    np.longdouble(1.0), np.zeros(2, dtype=np.longdouble),
], ids=lambda v: type(v).__name__)
def test_non_plain_data_is_refused_on_encode(value):
    with pytest.raises(WireError):
        encode(value)


def test_subclasses_of_allowed_types_are_refused():
    class L(list):
        """A list subclass."""
        pass

    class F(float):
        """A float subclass."""
        pass

    for value in (L([1]), F(1.0), [F(2.0)]):
        with pytest.raises(WireError):
            encode(value)


def test_cycles_and_deep_nesting_are_refused():
    cyc: list = []
    cyc.append(cyc)
    with pytest.raises(WireError):
        encode(cyc)
    deep: list = []
    node = deep
    for _ in range(40):
        node.append([])
        node = node[0]
    with pytest.raises(WireError):
        encode(deep)
    assert decode(encode(deep, max_depth=64), max_depth=64) == deep
    with pytest.raises(WireError):
        decode(encode(deep, max_depth=64))


def _message(header: object, *buffers: bytes) -> bytes:
    """A hand-built wire message, to test decode's validation."""
    h = json.dumps(header).encode()
    return wire.MAGIC + struct.pack(">I", len(h)) + h + b"".join(buffers)


@pytest.mark.parametrize("data", [
    b"", b"GW1\n", b"PK\x03\x04" + b"\0" * 20, b"\x80\x04\x95" + b"\0" * 20,  # zip, pickle
    _message({"buffers": [], "root": {"t": "pickle", "v": "cos\nsystem\n"}}),
    _message({"buffers": [8], "root": {"t": "array", "dtype": "|O", "shape": [1], "b": 0}}, b"\0" * 8),
    _message({"buffers": [8], "root": {"t": "array", "dtype": "<f8", "shape": [2], "b": 0}}, b"\0" * 8),
    _message({"buffers": [8], "root": {"t": "array", "dtype": "<f8", "shape": [-1], "b": 0}}, b"\0" * 8),
    _message({"buffers": [2**40], "root": {"t": "array", "dtype": "<f8", "shape": [2**37], "b": 0}}),
    _message({"buffers": [0], "root": {"t": "array", "dtype": "<f8", "shape": [2**62, 2**62, 0], "b": 0}}),
    _message({"buffers": [8, 8], "root": {"t": "array", "dtype": "<f8", "shape": [1], "b": 0}}, b"\0" * 16),
    _message({"buffers": [8], "root": [{"t": "scalar", "dtype": "<f8", "b": 0}] * 2}, b"\0" * 8),
    _message({"buffers": [], "root": {"t": "dict", "v": [[1, 2]]}}),
    _message({"buffers": [], "root": {"t": "dict", "v": [["a", 1], ["a", 2]]}}),
    _message({"buffers": [], "root": {"t": "tuple", "v": 3}}),
    _message({"buffers": [], "root": {"t": "complex", "v": ["1", 2]}}),
    _message({"buffers": [], "root": {"t": "tuple", "v": [], "extra": 1}}),
    _message({"buffers": [], "root": 1, "more": 2}),
    _message([]),
    _message({"buffers": [], "root": {"a": 1}}),
    _message({"buffers": [], "root": json.loads("[" * 100 + "]" * 100)}),
    wire.MAGIC + struct.pack(">I", 2**31) + b"{}",
    wire.MAGIC + struct.pack(">I", 3) + b"\xff\xfe\x00",
])
def test_malformed_messages_raise_wire_error(data):
    with pytest.raises(WireError):
        decode(data)


def test_bool_bytes_other_than_zero_and_one_are_normalised():
    data = bytearray(encode(np.array([True, False, True])))
    data[-1] = 7
    back = decode(bytes(data))
    assert back.dtype == np.bool_ and back.tolist() == [True, False, True]
    assert back.view(np.uint8).tolist() == [1, 0, 1]


def test_size_limit_is_checked_before_parsing():
    data = encode(np.zeros(1000))
    with pytest.raises(WireError, match="limit"):
        decode(data, max_bytes=1000)
    assert decode(data, max_bytes=len(data)).shape == (1000,)


def test_fuzzed_truncations_and_bit_flips_only_raise_wire_error():
    rng = random.Random(1234)
    samples = [encode(v) for v in ROUND_TRIPS if not isinstance(v, float) or not math.isnan(v)]
    tried = 0
    for data in samples:
        for _ in range(60):
            mutated = bytearray(data)
            action = rng.randrange(4)
            if action == 0:
                mutated = mutated[:rng.randrange(len(mutated))]
            elif action == 1:
                for _ in range(rng.randint(1, 4)):
                    i = rng.randrange(len(mutated))
                    mutated[i] ^= 1 << rng.randrange(8)
            elif action == 2:
                i = rng.randrange(len(mutated))
                mutated[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
            else:
                i = rng.randrange(len(mutated))
                mutated[i] = rng.choice(b'{}[]",:0123456789tne-')
            tried += 1
            try:
                decode(bytes(mutated))
            except WireError:
                pass
    assert tried == 60 * len(samples)


def test_decode_accepts_only_bytes_like_input():
    for value in ("GW1\n", None, 12, [1]):
        with pytest.raises(WireError):
            decode(value)


def test_the_quick_encoder_writes_the_careful_encoders_bytes():
    """Every value the quick path handles comes out byte for byte as the careful encoder
    writes it: the round-trip values, the fixtures of the course rubric, random nests."""
    from grader import wire
    from grader.classfiles import DEFAULT_RUBRIC
    from grader.commands import load_context

    context = load_context(DEFAULT_RUBRIC)
    values = [v for v in ROUND_TRIPS]
    values += [f.expected for f in context.fixtures.values()] + [tuple(f.args) for f in context.fixtures.values()]
    rng = np.random.default_rng(3)
    shared = {"W": rng.standard_normal((2, 3)), "b": np.zeros((2, 1), dtype=np.float32)}

    def nest(depth):
        pick = rng.integers(0, 9)
        if depth > 3 or pick < 3:
            return [rng.standard_normal(int(rng.integers(0, 4))), np.int64(7), 1.5, -2, "tëxt\n\"q\"", None, True,
                    np.array(3, dtype=">i4"), float("nan"), shared][int(rng.integers(0, 10))]
        if pick < 5:
            return [nest(depth + 1) for _ in range(int(rng.integers(0, 4)))]
        if pick < 7:
            return tuple(nest(depth + 1) for _ in range(int(rng.integers(0, 4))))
        return {f"k{i}": nest(depth + 1) for i in range(int(rng.integers(0, 4)))}

    values += [nest(0) for _ in range(300)]
    quick = 0
    for value in values:
        try:
            fast = wire._encode_quick(value, wire.DEFAULT_MAX_DEPTH)
        except wire._Unsure:
            continue
        quick += 1
        assert fast == wire._encode_careful(value), value
    assert quick > 300


def test_what_the_quick_encoder_refuses_gets_the_careful_error():
    with pytest.raises(WireError, match=r"value\[1\]\['k'\]: builtins.object is not plain data"):
        encode((1, {"k": object()}))
    with pytest.raises(WireError, match="deeper"):
        nested = []
        for _ in range(40):
            nested = [nested]
        encode(nested)
    assert decode(encode(np.array([1, 2], dtype=">i4"))).tolist() == [1, 2]


def test_array_heads_remembered_across_messages_follow_dtype_and_shape():
    """The quick encoder remembers an array node's text by (dtype, shape) from one message to
    the next: the same shape in another dtype or byte order, or another shape, is never
    written with a remembered text that is not its own."""
    from grader import wire

    shapes = [(2, 3), (3, 2), (6,), (1, 6), (6, 1), (), (0, 3)]
    dtypes = ["<f8", ">f8", "<f4", "|b1", "<i8", ">i4", "<c16", "|u1"]
    rounds = [[np.zeros(s, dtype=d) + 1 for s in shapes for d in dtypes],
              [np.zeros(s, dtype=d) for d in reversed(dtypes) for s in reversed(shapes)]]
    for value in rounds + [tuple(rounds[0][::3]), {"k": rounds[1][5:9]}]:
        assert wire._encode_quick(value, wire.DEFAULT_MAX_DEPTH) == wire._encode_careful(value)
    full = dict(wire._HEADS)
    wire._HEADS.update({(np.dtype("<f8"), (i, 1, 1)): ("wrong", None) for i in range(5000)})
    try:  # a full table takes no more, and every array is still written as its own
        size = len(wire._HEADS)
        value = [np.zeros((2, 2, 2, i)) for i in range(3)]
        assert wire.encode(value) == wire._encode_careful(value)
        assert len(wire._HEADS) == size
    finally:
        wire._HEADS.clear()
        wire._HEADS.update(full)
