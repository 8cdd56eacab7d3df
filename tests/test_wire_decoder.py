"""grader.wire.Decoder: decoding by header plans gives exactly what wire.decode gives, or its error."""

from __future__ import annotations

import json
import random
import struct

import numpy as np
import pytest

from grader import wire
from grader.wire import Decoder, WireError, decode, encode


def _fingerprint(value: object) -> object:
    """Everything a decoded value is, as plain data: types, dtypes, shapes, flags, bytes, and
    which places hold one object (by order of first appearance, not by id)."""
    seen: dict[int, int] = {}

    def walk(v: object) -> object:
        if isinstance(v, (list, tuple, dict, np.ndarray)):
            if id(v) in seen:
                return ("same as", seen[id(v)])
            seen[id(v)] = len(seen)
        if isinstance(v, np.ndarray):
            return ("array", v.dtype.str, v.shape, v.flags.writeable, v.flags.c_contiguous, v.flags.owndata,
                    v.tobytes())
        if isinstance(v, np.generic):
            return ("scalar", type(v).__name__, v.dtype.str, v.tobytes())
        if isinstance(v, dict):
            return ("dict", tuple((k, walk(x)) for k, x in v.items()))
        if isinstance(v, (list, tuple)):
            return (type(v).__name__, tuple(walk(x) for x in v))
        if isinstance(v, float) and v != v:
            return ("float", "nan")
        return (type(v).__name__, v)

    return walk(value)


def _objects(value: object) -> list[int]:
    """The ids of every container and array in ``value`` (but the empty tuple, which Python
    keeps one of)."""
    found: list[int] = []

    def walk(v: object) -> None:
        if isinstance(v, (list, tuple, dict, np.ndarray)) and not (type(v) is tuple and not v):
            found.append(id(v))
        if isinstance(v, dict):
            v = list(v.values())
        if isinstance(v, (list, tuple)):
            for x in v:
                walk(x)

    walk(value)
    return found


def _sequence_like(seed: int) -> object:
    """A value shaped like rnn_forward's: arrays, a list of cache tuples sharing one dict."""
    rng = np.random.default_rng(seed)
    parameters = {"Wax": rng.normal(size=(5, 3)), "Waa": rng.normal(size=(5, 5)), "ba": rng.normal(size=(5, 1))}
    a = rng.normal(size=(5, 4, 3))
    caches = [(a[:, :, t].copy(), rng.normal(size=(5, 4)), parameters) for t in range(3)]
    return (a, rng.normal(size=(2, 4, 3)), (caches, rng.normal(size=(3, 4, 3))))


VALUES = [
    None, 1.5, "x", [], (), {}, 1 + 2j, [1, [2, [3]]], {"a": 1, "b": [None, (True, 2.5)]},
    np.arange(12, dtype=np.int64).reshape(3, 4), np.zeros((0, 5)), np.array(3.5), np.array([True, False]),
    np.array([1, 2], dtype=np.uint8), np.array([1.5], dtype=np.float16), np.array([[1 + 2j]]),
    np.float32(2.5), np.int16(-3), np.bool_(True), np.complex128(1j), np.arange(4, dtype=">i4"),
    _sequence_like(0),
    {"caches": ([np.ones((2, 3))], (np.zeros(2), {"x": np.eye(2)})), "n": 3},
]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_a_planned_decode_is_the_full_decode(value):
    decoder = Decoder()
    data = encode(value)
    first, second = decoder.decode(data), decoder.decode(data)
    assert _fingerprint(first) == _fingerprint(second) == _fingerprint(decode(data))
    assert not set(_objects(first)) & set(_objects(second))  # fresh objects every time


def test_the_plan_serves_messages_with_other_numbers_and_reads_them():
    decoder = Decoder()
    decoder.decode(encode(_sequence_like(1)))
    assert len(decoder._plans) == 1
    for seed in (2, 3):
        data = encode(_sequence_like(seed))
        assert _fingerprint(decoder.decode(data)) == _fingerprint(decode(data))
    assert len(decoder._plans) == 1  # one header: the numbers are not in it


def test_booleans_are_read_from_their_bytes_as_decode_reads_them():
    decoder = Decoder()
    data = bytearray(encode((np.array([True, False, True]), np.bool_(False))))
    decoder.decode(bytes(data))
    data[-4:-1] = b"\x07\x00\x02"  # raw bytes other than 0 and 1 in the array
    data[-1] = 9  # and in the scalar
    back = decoder.decode(bytes(data))
    assert _fingerprint(back) == _fingerprint(decode(bytes(data)))
    assert back[0].tolist() == [True, False, True] and back[1] is not False and bool(back[1])


@pytest.mark.parametrize("change", ["truncated", "longer", "header length", "too large"])
def test_a_known_header_does_not_excuse_a_bad_message(change):
    decoder = Decoder()
    good = encode(_sequence_like(4))
    decoder.decode(good)
    (hlen,) = struct.unpack(">I", good[4:8])
    bad, limit = good, wire.DEFAULT_MAX_BYTES
    if change == "truncated":
        bad = good[:-8]
    elif change == "longer":
        bad = good + b"\0" * 8
    elif change == "header length":
        bad = good[:4] + struct.pack(">I", hlen + 8) + good[8:]
    else:
        limit = len(good) - 1
    with pytest.raises(WireError):
        decode(bad, max_bytes=limit)
    with pytest.raises(WireError):
        decoder.decode(bad, max_bytes=limit)


def test_a_shorter_header_that_matches_a_cut_one_is_not_taken_for_it():
    """A message declaring a header longer than it holds, whose bytes after the length field
    are exactly a known message's: refused, not decoded by the known header's plan."""
    decoder = Decoder()
    known = encode([])  # no buffers: the message ends with its header
    decoder.decode(known)
    forged = known[:4] + struct.pack(">I", len(known)) + known[8:]
    with pytest.raises(WireError):
        decoder.decode(forged)


def test_fuzzed_messages_with_known_headers_agree_with_decode():
    """Random bytes flipped in messages whose header is known: the decoder raises WireError
    exactly when decode does, and otherwise gives the same value."""
    rng = random.Random(7)
    decoder = Decoder()
    messages = [encode(v) for v in VALUES]
    for data in messages:
        try:
            decoder.decode(data)
        except WireError:
            pass
    for _ in range(3000):
        data = bytearray(rng.choice(messages))
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        data = bytes(data)
        try:
            expected = _fingerprint(decode(data))
        except WireError:
            with pytest.raises(WireError):
                decoder.decode(data)
            continue
        assert _fingerprint(decoder.decode(data)) == expected


def test_plans_are_bounded_in_number_and_header_size():
    decoder = Decoder(size=4)
    for n in range(10):
        decoder.decode(encode(np.zeros(n + 1)))
    assert len(decoder._plans) == 4
    big = {f"key{i}": i for i in range(3000)}  # a header longer than MAX_PLANNED_HEADER
    data = encode(big)
    assert len(json.dumps(big)) > Decoder.MAX_PLANNED_HEADER
    assert decoder.decode(data) == big
    assert all(len(header) <= Decoder.MAX_PLANNED_HEADER for header in decoder._plans)


def test_other_buffer_types_are_decoded_in_full():
    decoder = Decoder()
    data = encode(_sequence_like(5))
    for form in (bytearray(data), memoryview(data)):
        assert _fingerprint(decoder.decode(form)) == _fingerprint(decode(data))
    with pytest.raises(WireError):
        decoder.decode("not bytes")
