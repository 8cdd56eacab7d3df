"""grader.wire.Encoder: answers whose layout was learned are written from the learned header, with
exactly the bytes wire.encode writes; anything else is wire.encode's own work, errors included."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from grader import wire
from grader.wire import Encoder, WireError, encode, layout


def _cache(t: int, parameters: dict, a_prev: np.ndarray) -> tuple:
    """A cache as a student's rnn_forward keeps it: the next step's input is this step's output."""
    a_next = np.tanh(a_prev + t)
    return a_next, (a_next, a_prev, np.full((3, 2), float(t)), parameters)


def _forward_like() -> tuple:
    """A value shaped like an RNN's forward answer: arrays, a list of caches sharing ``parameters``
    and each step's output."""
    parameters = {"Wax": np.arange(12.0).reshape(4, 3), "Waa": np.eye(4), "ba": np.ones((4, 1))}
    a_prev, caches = np.full((4, 2), 0.5), []
    for t in range(3):
        a_prev, cache = _cache(t, parameters, a_prev)
        caches.append(cache)
    return np.stack([c[0] for c in caches], axis=2), np.ones((2, 2, 3)) / 2, (caches, np.ones((3, 2, 3)))


def _unshared(value: object) -> object:
    """``value`` rebuilt with no object met twice (as a fixture read from JSON holds it)."""
    t = type(value)
    if t is np.ndarray:
        return value.copy()
    if t is tuple or t is list:
        parts = [_unshared(v) for v in value]
        return tuple(parts) if t is tuple else parts
    if t is dict:
        return {k: _unshared(v) for k, v in value.items()}
    return value


def _learned(*values: object) -> Encoder:
    encoder = Encoder()
    for value in values:
        assert encoder.learn(layout(value))
    return encoder


def test_a_learned_layout_is_written_from_its_header_with_the_bytes_encode_writes(monkeypatch):
    value = _forward_like()
    # the expected value has no sharing (it comes from JSON); its layout shares equal parts again
    encoder = _learned(_unshared(value))
    expected = encode(value)
    monkeypatch.setattr(wire, "encode", lambda *a, **k: pytest.fail("the header was built again"))
    assert encoder.encode(value) == expected
    pickled = __import__("pickle").loads(__import__("pickle").dumps(value))  # dtypes of their own
    assert encoder.encode(pickled) == expected[:8 + struct.unpack(">I", expected[4:8])[0]] + \
        b"".join(a.tobytes() for a in _arrays(pickled))


def _arrays(value: object, seen: set | None = None) -> list:
    """The arrays of ``value`` in encoding order, each once."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return []
    if type(value) is np.ndarray:
        seen.add(id(value))
        return [value]
    out = []
    for v in (value.values() if type(value) is dict else value):
        out += _arrays(v, seen)
    seen.add(id(value))
    return out


def _variants(value: tuple) -> list:
    """Values one step away from ``value``'s layout, each of which the memo must not serve."""
    a, y, (caches, x) = value
    other = dict(caches[0][3])
    return [
        (a.T, y, (caches, x)),                               # another shape
        (a.astype(np.float32), y, (caches, x)),              # another dtype
        (a.astype(">f8"), y, (caches, x)),                   # another byte order
        [a, y, (caches, x)],                                  # a list for a tuple
        (a, y, (tuple(caches), x)),                           # a tuple for a list
        (a, y, (caches[:2], x)),                              # fewer elements
        (a, y, (caches + [caches[0]], x)),                    # one more, shared
        (a, y, ([(*c[:3], other) for c in caches], x)),      # other sharing
        (a, y, ([(*c[:3], {**c[3], "ba": 1.5}) for c in caches], x)),  # a number in it
        (a, y, ([(*c[:3], {("Wax",): 1}) for c in caches], x)),        # a key that is no str
        (a, y, (caches, x), None),                           # something more
        (a, np.float64(2.0), (caches, x)),                   # a NumPy scalar
        (a, y, (caches, x.view(np.matrix) if x.ndim == 2 else np.ma.masked_array(x))),  # a subclass
        (a, y, (caches, {"ok": x, 1: x})),                   # refused by encode
    ]


def test_anything_else_is_encoded_as_encode_does_it():
    value = _forward_like()
    encoder = _learned(value)
    for variant in _variants(value):
        try:
            expected = encode(variant)
        except WireError as exc:
            with pytest.raises(WireError, match=str(exc).split(":")[0].replace("[", r"\[")):
                encoder.encode(variant)
        else:
            assert encoder.encode(variant) == expected


def test_a_str_subclass_key_equal_to_a_learned_key_is_refused_as_encode_refuses_it():
    class Key(str):
        def __eq__(self, other):
            return True

        __hash__ = str.__hash__

    value = ({"W": np.ones(2)},)
    encoder = _learned(value)
    with pytest.raises(WireError):
        encoder.encode(({Key("W"): np.ones(2)},))
    with pytest.raises(WireError):
        encode(({Key("W"): np.ones(2)},))


def test_deep_and_cyclic_values_cost_no_more_than_encode():
    encoder = _learned([np.ones(1)])
    deep: list = []
    for _ in range(100):
        deep = [deep]
    cycle: list = [np.ones(1)]
    cycle.append(cycle)
    for value in (deep, cycle, [np.ones(1)] * 100_000):
        try:
            expected = encode(value)
        except WireError:
            with pytest.raises(WireError):
                encoder.encode(value)
        else:
            assert encoder.encode(value) == expected


def test_a_layout_holds_no_number_and_none_is_made_of_a_value_with_numbers_or_strings():
    secret = np.full((2, 2), 12345.678)
    text = layout(({"W": secret, "b": secret.copy()}, [secret]))
    assert "12345" not in text and json.loads(text)["buffers"] == [32]  # equal arrays are one
    for value in (1.5, (np.ones(2), 3), [np.ones(2), "s"], {"W": None}, (np.int64(1),), np.ones(2, bool),
                  np.ones(2, np.float32)):
        assert layout(value) is None


@pytest.mark.parametrize("header", [
    '{"buffers":[8],"root":{"t":"array","dtype":"<f4","shape":[2],"b":0}}',           # another dtype
    '{"buffers":[8],"root":{"t":"array","dtype":"<f8","shape":[2],"b":0}}',           # the wrong size
    '{"buffers":[8.0],"root":{"t":"array","dtype":"<f8","shape":[1],"b":0}}',         # a size no int
    '{"buffers":[8,8],"root":[{"t":"array","dtype":"<f8","shape":[1],"b":1},'
    '{"t":"array","dtype":"<f8","shape":[1],"b":0}]}',                                  # buffers out of order
    '{"buffers":[8,8],"root":[{"t":"array","dtype":"<f8","shape":[1],"b":0}]}',       # a buffer unused
    '{"buffers":[8],"root":[{"t":"ref","r":0},{"t":"array","dtype":"<f8","shape":[1],"b":0}]}',  # ref forward
    '{"buffers":[8],"root":[{"t":"array","dtype":"<f8","shape":[1],"b":true}]}',       # not an index
    '{"buffers":[],"root":[1.5]}',                                                       # a number
    '{"buffers":[8],"root":{"t":"scalar","dtype":"<f8","b":0}}',                        # a scalar
    '{"buffers":[],"root":{"t":"dict","v":[[1,[]]]}}',                                   # a key no str
    '{"buffers":[],"root":[]',                                                           # not JSON
    '{"buffers":[],"root":[],"x":1}',                                                    # another field
    '{"buffers":[],"root":["\u00e9"]}',                                                  # not ASCII
    b'{"buffers":[],"root":[]}',                                                         # not a str
])
def test_learn_takes_only_headers_of_the_form_encode_writes(header):
    encoder = Encoder()
    assert not encoder.learn(header)
    assert encoder.encode([]) == encode([])


def test_learn_is_bounded():
    encoder = Encoder()
    learned = [encoder.learn(layout([np.ones(n)])) for n in range(Encoder.MAX_LAYOUTS + 5)]
    assert learned.count(True) == Encoder.MAX_LAYOUTS and not any(learned[Encoder.MAX_LAYOUTS:])


def test_a_poisoned_memo_writes_only_what_a_child_could_send_anyway():
    """The memo is the student's in a child: whatever it holds, encode() returns bytes (the grading
    process checks them like any answer) or raises WireError, and never the expected numbers."""
    value = (np.ones((2, 3)), {"W": np.zeros((3, 1))})
    encoder = _learned(value, (np.ones((3, 2)), {"W": np.zeros((1, 3))}))
    heads = encoder._heads
    own, other = list(heads)
    poisons = [b"", b"GW1\n\x00\x00\x00\x02{}", b"\xff" * 40, heads[other]]
    for poison in poisons:
        heads[own] = poison
        data = encoder.encode(value)
        assert data.endswith(np.ones((2, 3)).tobytes() + np.zeros((3, 1)).tobytes())
        try:
            decoded = wire.decode(data)
        except WireError:
            continue
        assert decoded[0].shape == (3, 2)  # the swapped header: a wrong answer, judged as one
    heads[own] = None  # not even bytes: encode's own work
    assert encoder.encode(value) == encode(value)


def test_an_int_too_long_to_write_is_refused_as_not_plain_data(sandbox):
    """Python writes an int of more than 4,300 digits as text only when told to
    (``sys.set_int_max_str_digits``): ``encode(10**5000)`` raised ValueError out of the quick
    encoder, not WireError, and a function returning it (or a stub asked with it) ended its child:
    the student read "crashed: the program ended its process (exit status 1)", for something the
    program never did. It is now refused as other values that cannot travel (``bad_output``, the
    path and the int's size named); one of 4,300 digits still goes."""
    with pytest.raises(WireError, match=r"value\[1\]: an int of 5001 digits"):
        encode([1, 10**5000])
    assert wire.decode(encode(10**4299)) == 10**4299
    program = "def huge():\n    return {'h': [2, -10**5000]}\n"
    with sandbox.session(program, filename="attack.py") as session:
        outcome = session.call("huge", ())
    assert outcome.status == "bad_output", outcome
    assert "value['h'][1]: an int of 5001 digits" in outcome.message, outcome.message
