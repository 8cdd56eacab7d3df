"""grader._child: the arguments' frame (twelfth session). The grading process sends a call's
arguments as a pickle whose arrays are views of one buffer of their data (``pack_args``); the
child copies the data once (``load_args``). A student's function must still get fresh,
writable, aligned, C-contiguous arrays it may change, the objects shared as they were, and a
call that changes them in any way must still be reported so."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from grader._child import FRAME, Runtime, _args_state, load_args, pack_args


def _args() -> tuple:
    """Arguments shaped like the assignment's, read-only as fixtures are, and a few oddities."""
    rng = np.random.default_rng(0)
    parameters = {"Wax": rng.standard_normal((5, 3)), "ba": rng.standard_normal((5, 1)), "name": "p"}
    caches = [(rng.standard_normal((5, 10)), parameters) for _ in range(3)]
    x = rng.standard_normal((3, 10, 4))
    fortran = np.asfortranarray(rng.standard_normal((2, 3)))
    args = (x, caches, parameters, 0.5, 3, None, True, np.float32(1.5), fortran, x,
            np.zeros((0, 4)), np.array(2.5), np.array([True, False, True]), np.arange(5, dtype=np.int32),
            np.arange(3, dtype=">i8"), np.arange(4).view(np.matrix), np.arange(6)[::2])
    for leaf in (x, parameters["Wax"], parameters["ba"], fortran, *(c[0] for c in caches)):
        leaf.flags.writeable = False
    return args


def _arrays(obj: object, out: list) -> list:
    """Every array in `obj`, depth first, repeated as often as it occurs."""
    if isinstance(obj, np.ndarray):
        out.append(obj)
    elif type(obj) in (tuple, list):
        for v in obj:
            _arrays(v, out)
    elif type(obj) is dict:
        for v in obj.values():
            _arrays(v, out)
    return out


def test_the_child_gets_what_a_protocol_4_pickle_gave_it():
    args = _args()
    loaded, shared, copy, original = load_args(pack_args(args))
    assert pickle.dumps(loaded, protocol=4) == pickle.dumps(pickle.loads(pickle.dumps(args, protocol=4)), protocol=4)
    assert loaded[1][0][1] is loaded[2] and loaded[9] is loaded[0]  # shared objects stay shared
    for got, sent in zip(_arrays(loaded, []), _arrays(args, [])):
        assert type(got) is type(sent) and got.dtype == sent.dtype.newbyteorder("=") and got.shape == sent.shape
        assert np.array_equal(got, sent)
        assert got.flags.writeable and got.flags.aligned
        assert got.flags.f_contiguous if sent is args[8] else got.flags.c_contiguous
    assert loaded[0].base is copy and bytes(copy) == bytes(original)  # the data was copied once
    distinct = {id(a): a for a in _arrays(loaded, []) if a.size}
    for a in distinct.values():
        for b in distinct.values():
            assert a is b or not np.shares_memory(a, b)  # each array its own memory, as before


def test_the_data_is_not_inside_the_pickle_and_is_aligned():
    x = np.full((7, 3), 1.25)
    data = pack_args((np.ones(3), x))
    end = FRAME.size + FRAME.unpack_from(data)[0]
    assert x.tobytes() in data[end:] and x.tobytes() not in data[:end]
    loaded = load_args(data)[0]
    assert all(a.ctypes.data % 16 == 0 for a in loaded)


def test_a_frame_that_is_not_one_is_refused():
    assert load_args(b"\x00\x00") is None
    bad = pickle.dumps((None, [1]), protocol=5)
    assert load_args(FRAME.pack(len(bad)) + bad) is None


PROGRAM = """
import numpy as np

def keep(x, caches, d):
    return x.sum() + len(caches)

def write(x, caches, d):
    x[0, 0] += 1.0

def write_back(x, caches, d):
    x[0, 0] += 1.0
    x[0, 0] -= 1.0

def write_shared(x, caches, d):
    d["W"][1] = -d["W"][1]

def through_base(x, caches, d):
    x.base[-1] ^= 1

def reshape(x, caches, d):
    x.shape = (x.size,)

def retype(x, caches, d):
    x.dtype = np.int64

def replace(x, caches, d):
    d["W"] = d["W"].copy()

def append(x, caches, d):
    caches.append(caches[0])

def resize_data(x, caches, d):
    x.base.extend(b"12345678")
"""


@pytest.fixture()
def runtime() -> Runtime:
    rt = Runtime(None, max_bytes=1 << 20)
    assert rt.load(PROGRAM, "<submission>")["status"] == "ok"
    return rt


def _sent() -> tuple:
    parameters = {"W": np.arange(6.0).reshape(2, 3), "b": np.ones((2, 1))}
    return (np.arange(12.0).reshape(3, 4), [(np.ones(3), parameters)], parameters)


@pytest.mark.parametrize("name, same", [
    ("keep", True), ("write_back", True), ("write", False), ("write_shared", False), ("through_base", False),
    ("reshape", False), ("retype", False), ("replace", False), ("append", False), ("resize_data", True)])
def test_a_call_that_changes_its_arguments_is_reported(runtime, name, same):
    args, *data = load_args(pack_args(_sent()))
    got = runtime.call(name, args, [], aliases=False, data=tuple(data))
    if name == "resize_data":  # the data cannot be resized under the arrays while the call runs
        assert got["status"] == "error" and got["error_type"] == "BufferError"
        return
    assert got["status"] == "ok"
    assert got["args_same"] is same
    assert got["args_after"] is (None if same else args)
    if same:
        assert pickle.dumps(args, protocol=4) == pickle.dumps(_sent(), protocol=4)


def test_an_array_of_the_data_is_described_without_its_bytes():
    args, _, copy, _ = load_args(pack_args((np.ones((4, 4)), np.asfortranarray(np.ones((2, 3))))))
    facts = _args_state(args, copy)[1]
    assert [len(f) for f in facts if type(f) is tuple] == [2, 3]  # only the Fortran array's copy
