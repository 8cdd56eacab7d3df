"""grader.wire references: an object met twice is sent once, and references cannot inflate a message."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from grader import wire
from grader.wire import MAGIC, WireError, decode, encode


def _message(root: object, buffers: list[bytes] = ()) -> bytes:
    """A hand-made wire message (to send what encode would never write)."""
    header = json.dumps({"buffers": [len(b) for b in buffers], "root": root}).encode()
    return MAGIC + struct.pack(">I", len(header)) + header + b"".join(buffers)


def test_an_object_met_twice_is_encoded_once_and_decoded_as_one_object():
    params = {"W": np.arange(6.0).reshape(2, 3), "b": np.zeros((2, 1))}
    caches = [(np.ones(2), params) for _ in range(7)]
    value = (caches, params)
    data = encode(value)
    copies = ([(np.ones(2), {k: v.copy() for k, v in params.items()}) for _ in range(7)],
              {k: v.copy() for k, v in params.items()})
    assert len(data) * 2 < len(encode(copies))
    back = decode(data)
    assert all(c[1] is back[1] for c in back[0])  # shared as it was
    assert back[0][0][0] is not back[0][1][0]      # distinct objects stay distinct
    np.testing.assert_array_equal(back[1]["W"], params["W"])
    assert back[1]["W"].flags.writeable


def test_the_same_array_twice_comes_back_as_one_array():
    a = np.arange(3.0)
    back = decode(encode([a, a, a.copy()]))
    assert back[0] is back[1] and back[2] is not back[0]


def test_references_count_as_what_they_stand_for():
    # Each level doubles: 2**25 leaves in a few hundred bytes.
    root: object = [0, 0]
    for level in range(25):
        root = [root, {"t": "ref", "r": level}]
    with pytest.raises(WireError, match="too many"):
        decode(_message(root))


def test_a_reference_cannot_nest_deeper_than_the_limit():
    deep: object = 1
    for _ in range(30):
        deep = [deep]
    root = [deep, [[[{"t": "ref", "r": 29}]]]]  # the outermost of `deep`, placed three levels down
    with pytest.raises(WireError, match="deeper"):
        decode(_message(root))


@pytest.mark.parametrize("root", [
    {"t": "ref", "r": 0},                           # nothing completed yet
    [[1], {"t": "ref", "r": 1}],                    # forward (1 is the enclosing list)
    [[1], {"t": "ref", "r": -1}],
    [[1], {"t": "ref", "r": True}],
    [[1], {"t": "ref", "r": 0, "x": 1}],
])
def test_bad_references_are_refused(root):
    with pytest.raises(WireError):
        decode(_message(root))


def test_encoder_refuses_a_shared_object_that_would_exceed_the_depth():
    inner: object = 0
    for _ in range(20):
        inner = [inner]
    value = [inner, [[[[[[[[[[[[[inner]]]]]]]]]]]]]]
    with pytest.raises(WireError, match="deeper"):
        encode(value)
    decode(encode([inner, inner]))  # the same object at its own depth is fine


def test_limits_hold_on_encode_too():
    leaf = list(range(1000))
    value = [leaf] * 2000  # 2 million values through references
    with pytest.raises(WireError, match="too many"):
        encode(value)
    assert wire.MAX_NODES < 2_000_000
