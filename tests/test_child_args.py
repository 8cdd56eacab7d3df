"""grader._child: the check that a call left its arguments as it received them (``args_same``).

The child answers ``args_same`` instead of sending the arguments back; the grading process
then stands its own copy for them.  The check must never call changed arguments unchanged:
whenever it says "same", the arguments must pickle to the bytes they came in.
"""

from __future__ import annotations

import pickle
import random

import numpy as np
import pytest

from grader.childruntime import _args_state, _same_state


def _args() -> tuple:
    """Arguments shaped like the assignment's: arrays, a parameters dict shared by caches, scalars."""
    rng = np.random.default_rng(0)
    parameters = {"Wax": rng.standard_normal((5, 3)), "ba": rng.standard_normal((5, 1)), "name": "params"}
    caches = [(rng.standard_normal((5, 10)), parameters) for _ in range(3)]
    return (rng.standard_normal((3, 10, 4)), caches, parameters, 0.5, 3, None, True,
            np.float32(1.5), np.asfortranarray(rng.standard_normal((2, 3))))


def _changes(args: tuple) -> list:
    """Ways a call can change its arguments in place, each a function of the arguments."""
    x, caches, parameters = args[0], args[1], args[2]
    return [
        lambda: x.__setitem__((0, 0, 0), 7.0),
        lambda: parameters["Wax"].__setitem__((1, 1), -0.0),
        lambda: parameters.__setitem__("Wax", parameters["Wax"].copy()),   # equal but replaced
        lambda: parameters.__setitem__("extra", 1),
        lambda: parameters.pop("name"),
        lambda: parameters.update(name="q"),
        lambda: caches.append(caches[0]),
        lambda: caches.reverse(),
        lambda: caches.__setitem__(0, (caches[0][0], dict(parameters))),   # sharing broken
        lambda: setattr(x, "shape", (3, 40)),
        lambda: setattr(caches[0][0], "dtype", np.int64),
        lambda: caches.append(caches),                                      # a cycle
        lambda: parameters.__setitem__("name", "".join(["par", "ams"])),            # equal str, new object
    ]


def test_unchanged_arguments_are_the_same_and_pickle_alike():
    args = _args()
    before = _args_state(args)
    assert before is not None
    assert _same_state(before, _args_state(args))
    assert _same_state(before, _args_state(pickle.loads(pickle.dumps(args)))) is False  # other objects


@pytest.mark.parametrize("index", range(13))
def test_every_change_in_place_is_seen(index):
    args = _args()
    before = _args_state(args)
    _changes(args)[index]()
    assert not _same_state(before, _args_state(args))


def test_same_state_implies_the_same_pickle_under_random_changes():
    """Random sequences of changes, some undone: "same" is only ever said of arguments that
    pickle to their original bytes."""
    rng = random.Random(1)
    said_same = 0
    for _ in range(300):
        args = _args()
        sent = pickle.dumps(args, protocol=4)
        before = _args_state(args)
        x, parameters = args[0], args[2]
        old = x.flat[0]
        for _ in range(rng.randrange(3)):
            kind = rng.randrange(4)
            if kind == 0:
                x.flat[0] = rng.choice([old, 1.0])
            elif kind == 1:
                parameters["Wax"].flat[0] += 0.0  # written, value unchanged
            elif kind == 2:
                x.shape = (3, 10, 4)             # the same shape again
            else:
                _changes(args)[rng.randrange(13)]()
        if _same_state(before, _args_state(args)):
            said_same += 1
            assert pickle.dumps(args, protocol=4) == sent
    assert said_same > 50


def test_what_cannot_be_described_is_left_to_pickle():
    assert _args_state((np.array([object()]),)) is None
    assert _args_state(([1, {"a": bytearray(b"x")}],)) is None
    assert _args_state((np.arange(3).view(np.matrix),)) is None
    assert _args_state((np.int64(3), np.bool_(True), 1j, b"x", "s")) is not None


def test_a_shared_or_cyclic_container_is_walked_once():
    shared = {"w": np.ones(3)}
    cyclic: list = [shared]
    cyclic.append(cyclic)
    objs, facts = _args_state((shared, [shared] * 50, cyclic))
    assert sum(1 for f in facts if type(f) is tuple and len(f) == 3) == 1  # the array's bytes, once
    assert len(objs) < 200
