"""Call arguments sent by layout (``grader.childruntime.args_layout``, ``args_builders``): the child
builds them from their arrays' bytes and a layout its zygote learned, and gets what a pickle would
have given it (dtype, shape, strides, values, writability, the same objects shared); anything the
layout does not describe, and any near miss, still travels as a pickle. After the call,
``args_same`` is said exactly when the arguments still pickle to what was sent."""

from __future__ import annotations

import json
import os
import re
import pickle
import random
import socket
from pathlib import Path

import numpy as np
import pytest

from grader.childruntime import (ARGS_HEAD, ARGS_MAGIC, FRAME, Runtime, _args_builder, _Laid, _laid_state, _NotLaidOut,
                                 _same_contents, _same_state, args_builders, args_layout)
from grader.sandbox import Sandbox

RUBRICS = Path(__file__).resolve().parents[1] / "rubrics"


def _frame(args: tuple, number: int = 0) -> tuple[str, bytes]:
    """The layout of ``args`` and the frame the grading process sends for them as layout ``number``."""
    text, arrays = args_layout(args)
    return text, ARGS_HEAD.pack(ARGS_MAGIC, number) + b"".join(a.tobytes() for a in arrays)


def _built(args: tuple) -> tuple:
    """``args`` sent by layout and built again, as a child builds them."""
    text, frame = _frame(args)
    build, length = _args_builder(text)
    assert length == len(frame)
    built, arrays, mutables = build(frame)
    assert _same_contents(_Laid(arrays, mutables, frame))
    return built


def _describe(args: object) -> list:
    """Every node of ``args`` in walk order: type, the first place its object was met (sharing), and
    for an array its dtype, shape, strides, flags, its base's type (unpickled, an array of over 1,000
    bytes keeps the pickle's bytes object as its base) and its bytes."""
    seen: dict[int, int] = {}
    out: list = []

    def walk(x: object) -> None:
        first = seen.setdefault(id(x), len(seen))
        row: list = [type(x).__name__, first]
        if type(x) is np.ndarray:
            row += [x.dtype.str, x.shape, x.strides, x.flags.writeable, x.flags.c_contiguous, x.flags.f_contiguous,
                    x.flags.aligned, x.flags.owndata, type(x.base).__name__, x.tobytes()]
        out.append(row)
        if first != len(seen) - 1:
            return  # met before: its contents were described then
        if type(x) in (tuple, list):
            for v in x:
                walk(v)
        elif type(x) is dict:
            for k, v in x.items():
                out.append(["key", k])
                walk(v)
    walk(args)
    return out


def _rubric_args() -> list:
    from grader.commands import load_context
    found = []
    for rubric in ("rnn.yaml", "rnn_extended.yaml"):
        context = load_context(RUBRICS / rubric)
        found += [(case.id, context.fixtures[case.id].args) for part in context.rubric.parts for case in part.cases
                  if case.id in context.fixtures]
    return found


def test_every_rubric_case_arrives_as_its_pickle_would():
    cases = _rubric_args()
    assert len(cases) > 40
    for case_id, args in cases:
        assert args_layout(args) is not None, case_id
        unpickled = pickle.loads(pickle.dumps(args, protocol=4))
        built = _built(args)
        assert _describe(built) == _describe(unpickled), case_id
        assert pickle.dumps(built, protocol=4) == pickle.dumps(unpickled, protocol=4), case_id


def test_a_class_run_teaches_every_cases_argument_layout():
    from grader.commands import load_context
    from grader.runner import argument_layouts

    context = load_context(RUBRICS / "rnn.yaml")
    layouts = argument_layouts(context)
    assert len(layouts) == len(set(layouts)) > 0
    for part in context.rubric.parts:
        for case in part.cases:
            assert args_layout(context.fixtures[case.id].args)[0] in layouts
    for text in layouts:  # shapes, nesting and keys: no number of any array
        assert not any(isinstance(v, float) for v in json.loads(text, object_hook=lambda d: list(d.values())))


SHARED = {"W": np.arange(6.0).reshape(2, 3), "b": np.zeros((2, 1))}
ODD = [
    (np.array(2.5),),                                       # 0-d
    (np.zeros((0, 5)), np.zeros(0), np.zeros((3, 0, 2))),  # empty
    (np.ones(1), np.ones((1, 1)), np.ones((4, 1, 1))),     # lengths of one
    (np.ones(124), np.ones(125), np.ones(126), np.ones((2, 3, 40))),  # around 1,000 bytes (see above)
    ({"a": {"b": {"c": [np.ones(2), (np.full((2, 2), -0.0),)]}}},),  # nested dicts, lists, tuples
    (SHARED, [(np.ones(2), SHARED), (np.ones(2), SHARED)], SHARED["W"]),  # one dict and one array shared
    ([], (), {}, [[]], ((),)),                              # empty containers
    (np.array([np.nan, np.inf, -np.inf, 5e-324]),),       # every float bit pattern travels as is
    ({"it's \"quoted\"\n": np.ones(2), "é": np.ones(1)},),  # keys that need escaping in source text
]


@pytest.mark.parametrize("index", range(len(ODD)))
def test_odd_arguments_arrive_as_their_pickle_would(index):
    args = ODD[index]
    assert _describe(_built(args)) == _describe(pickle.loads(pickle.dumps(args, protocol=4)))


@pytest.mark.parametrize("args", [
    (np.asfortranarray(np.ones((2, 3))),),           # Fortran order: pickle keeps it
    (np.ones(3)[::2],),                               # not contiguous
    (np.ones(3, dtype=np.float32),),                  # another dtype
    (np.arange(3),),
    (np.ones(3, dtype=">f8"),),                       # not native
    (np.ones(3, dtype=np.dtype(np.float64, metadata={"m": 1})),),
    (np.ones(3).view(np.matrix),),                    # a subclass
    (np.float64(1.5),), (1.5,), (3,), (None,), ("s",), (True,),   # scalars
    ({1: np.ones(2)},),                               # a key that is not a str
    ([np.ones(2), (1,)],),
])
def test_what_a_layout_does_not_describe_travels_as_a_pickle(args):
    assert args_layout(args) is None


def test_a_cycle_or_deep_nesting_travels_as_a_pickle():
    cyclic: list = [np.ones(2)]
    cyclic.append(cyclic)
    assert args_layout((cyclic,)) is None
    deep: list = [np.ones(1)]
    for _ in range(40):
        deep = [deep]
    assert args_layout((deep,)) is None
    assert args_layout([np.ones(1)]) is None  # not a tuple


@pytest.mark.parametrize("node", [
    {"a": [-1]}, {"a": [1.5]}, {"a": "3"}, {"a": [True]}, {"a": [1] * 33}, {"r": 0}, {"t": [{"r": 1}]},
    {"d": [["k", {"a": []}], ["k", {"a": []}]]}, {"d": [[1, {"a": []}]]}, {"d": [["k"]]}, {"x": []},
    {"t": [], "l": []}, [], 3, "a", {"t": {"a": []}}, {"l": [{"a": [2]}, {"r": -1}]},
])
def test_a_malformed_layout_is_refused(node):
    with pytest.raises(_NotLaidOut):
        _args_builder(json.dumps({"t": [node]}))


def test_the_zygote_learns_all_layouts_or_none():
    good = args_layout((np.ones(2),))[0]
    assert len(args_builders([good, good])) == 2
    assert args_builders([good, '{"t":[{"a":[-1]}]}']) == []
    assert args_builders([good, "not json"]) == [] and args_builders([good, 3]) == []


def test_layouts_of_one_nesting_share_one_compiled_builder_each_with_its_own_shapes():
    """The zygote compiles a builder once per nesting (the rubric's 24 layouts have 9), the shapes
    and offsets being the closure's: each layout still builds its own arrays, small (copied) or
    over ``_PICKLE_KEEPS_BYTES`` (an unpickled array's state), shared objects shared."""
    def args(m: int, n: int) -> tuple:
        w = np.arange(float(n * 3)).reshape(n, 3)
        return np.full((m, n), float(m)), [(np.ones(n), w), (np.zeros(n), w)], {"W": w}
    shapes = [(2, 3), (4, 5), (40, 5)]  # the last one's first array over 1,000 bytes
    texts, frames = zip(*[_frame(args(m, n), number) for number, (m, n) in enumerate(shapes)])
    assert len({re.sub(r"\d+", "#", t) for t in texts}) == 1
    builders = args_builders(list(texts))
    assert len({build.__code__ for build, _ in builders}) == 2  # U for the large array: another source
    assert builders[0][0].__code__ is builders[1][0].__code__
    for (build, length), frame, (m, n) in zip(builders, frames, shapes):
        assert length == len(frame)
        built = build(frame)[0]
        assert _describe(built) == _describe(pickle.loads(pickle.dumps(args(m, n), protocol=4)))


def _layout_args() -> tuple:
    rng = np.random.default_rng(0)
    parameters = {"Wax": rng.standard_normal((5, 3)), "ba": rng.standard_normal((5, 1))}
    caches = [(rng.standard_normal((5, 10)), parameters) for _ in range(3)]
    return rng.standard_normal((3, 10, 4)), caches, parameters


def _changes(args: tuple) -> list:
    """Ways a call can change its arguments in place, each a function of the arguments."""
    x, caches, parameters = args
    return [
        lambda: x.__setitem__((0, 0, 0), 7.0),
        lambda: x.__setitem__((2, 9, 3), -x[2, 9, 3] if x[2, 9, 3] else 1.0),   # the last byte's array
        lambda: parameters["Wax"].__setitem__((1, 1), -0.0 if parameters["Wax"][1, 1] == 0 else 0.0),
        lambda: parameters.__setitem__("Wax", parameters["Wax"].copy()),       # equal but replaced
        lambda: parameters.__setitem__("extra", np.ones(1)),
        lambda: parameters.pop("ba"),
        lambda: caches.append(caches[0]),
        lambda: caches.reverse(),
        lambda: caches.__setitem__(0, (caches[0][0], dict(parameters))),       # sharing broken
        lambda: setattr(x, "shape", (3, 40)),
        lambda: setattr(caches[0][0], "dtype", np.int64),                     # same bytes, another dtype
        lambda: setattr(caches[1][0], "shape", (10, 5)),                      # same bytes read otherwise
        lambda: caches.append(caches),                                         # a cycle
        lambda: x.resize((2, 10, 4), refcheck=False),
        lambda: parameters.__setitem__("Wax", parameters.pop("Wax")),          # the same items, keys reordered
        lambda: x.__setstate__((1, x.shape, x.dtype, False, (x + 1).tobytes())),  # its buffer replaced
    ]


def _sent(args: tuple) -> tuple[tuple, _Laid]:
    """``args`` built from their frame, as ``Runtime.recv_args`` gives them, and what ``call`` keeps."""
    text, frame = _frame(args)
    built, arrays, mutables = _args_builder(text)[0](frame)
    return built, _Laid(arrays, mutables, frame)


def _same(before: tuple, laid: _Laid) -> bool:
    """What ``Runtime.call`` answers as ``args_same`` for arguments sent by layout."""
    return _same_state(before, _laid_state(laid)) and _same_contents(laid)


@pytest.mark.parametrize("index", range(16))
def test_every_change_in_place_of_laid_out_arguments_is_seen(index):
    built, laid = _sent(_layout_args())
    before = _laid_state(laid)
    assert _same(before, laid)
    _changes(built)[index]()
    assert not _same(before, laid)


def test_same_implies_the_same_pickle_under_random_changes():
    rng = random.Random(2)
    said_same = 0
    for _ in range(300):
        built, laid = _sent(_layout_args())
        sent = pickle.dumps(built, protocol=4)
        before = _laid_state(laid)
        x, parameters = built[0], built[2]
        old = x.flat[0]
        for _ in range(rng.randrange(3)):
            kind = rng.randrange(4)
            if kind == 0:
                x.flat[0] = rng.choice([old, 1.0])
            elif kind == 1:
                parameters["Wax"].flat[0] += 0.0  # written, value unchanged
            elif kind == 2 and x.size == 120:
                x.shape = (3, 10, 4)             # the same shape again (unless resized)
            elif kind == 3:
                _changes(built)[rng.randrange(16)]()
        if _same(before, laid):
            said_same += 1
            assert pickle.dumps(built, protocol=4) == sent
    assert said_same > 50


def _serve_one(frame: bytes, builders: list) -> int:
    """The exit status of a forked Runtime given ``frame`` as a call's arguments (0: built them)."""
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        try:
            runtime = Runtime(ours, max_bytes=1 << 20)
            runtime.arg_builders = builders
            args, _ = runtime.recv_args()
            os._exit(0 if type(args) is tuple else 1)
        finally:
            os._exit(2)
    theirs.sendall(FRAME.pack(len(frame)) + frame)
    _, status = os.waitpid(pid, 0)
    ours.close()
    theirs.close()
    return os.waitstatus_to_exitcode(status)


def test_a_frame_of_an_unknown_layout_or_length_ends_the_child():
    text, frame = _frame((np.ones((2, 2)),))
    builders = [_args_builder(text)]
    assert _serve_one(frame, builders) == 0
    assert _serve_one(frame[:-8], builders) == 3
    assert _serve_one(frame + b"\0" * 8, builders) == 3
    assert _serve_one(ARGS_HEAD.pack(ARGS_MAGIC, 1) + frame[8:], builders) == 3


PROGRAM = '''
import numpy as np

def describe(*args):
    seen, out = {}, []
    def walk(x):
        first = seen.setdefault(id(x), len(seen))
        row = [type(x).__name__, first]
        if type(x) is np.ndarray:
            row += [x.dtype.str, list(x.shape), list(x.strides), x.flags.writeable, x.flags.c_contiguous,
                    x.flags.f_contiguous, x.flags.aligned, x.flags.owndata, type(x.base).__name__,
                    x.tobytes().hex()]
        out.append(row)
        if first != len(seen) - 1:
            return
        if type(x) in (tuple, list):
            for v in x:
                walk(v)
        elif type(x) is dict:
            for k, v in x.items():
                out.append(["key", k])
                walk(v)
    walk(args)
    return out

def scale(x, cache):
    x *= 2.0
    return x.sum()

def keep(x, cache):
    cache["W"][0, 0] = cache["W"][0, 0]
    return x.sum()
'''

LAID = (np.arange(6.0).reshape(2, 3), {"W": np.ones((2, 2)), "b": np.zeros((2, 1))})


def _local(args: tuple) -> list:
    """``describe`` of PROGRAM run here on ``args`` unpickled: what the child saw before this change."""
    scope: dict = {}
    exec(PROGRAM, scope)
    found = scope["describe"](*pickle.loads(pickle.dumps(args, protocol=4)))
    return json.loads(json.dumps(found))


@pytest.fixture(scope="module")
def sandbox():
    layouts = [args_layout(LAID)[0], args_layout(ODD[4])[0], args_layout(ODD[2])[0]]
    with Sandbox(protected_paths=[], arg_layouts=layouts) as box:
        yield box


def test_a_child_gets_laid_out_arguments_as_a_pickle_gives_them(sandbox):
    for args in (LAID, ODD[4], ODD[2]):
        assert sandbox._args_frame(args, False)[FRAME.size:FRAME.size + 4] == ARGS_MAGIC
        with sandbox.session(PROGRAM, filename="<submission>") as session:
            outcome = session.call("describe", args)
        assert outcome.status == "ok"
        assert json.loads(json.dumps(outcome.value)) == _local(args)


def test_a_near_miss_travels_as_a_pickle_and_arrives_the_same(sandbox):
    near = [(LAID[0].astype(np.float32), LAID[1]), (np.asfortranarray(LAID[0]), LAID[1]),
            (LAID[0][:, :2], LAID[1]), (LAID[0], {"W": LAID[1]["W"], "b": LAID[1]["W"]}),
            (LAID[0], {"b": LAID[1]["b"], "W": LAID[1]["W"]}), (LAID[0], LAID[1], 1.0), (LAID[0].T, LAID[1])]
    for args in near:
        assert sandbox._args_frame(args, False)[FRAME.size:FRAME.size + 1] == b"\x80"
        with sandbox.session(PROGRAM, filename="<submission>") as session:
            outcome = session.call("describe", args)
        assert outcome.status == "ok"
        assert json.loads(json.dumps(outcome.value)) == _local(args)


def test_laid_out_arguments_changed_by_a_call_come_back_and_unchanged_do_not(sandbox):
    with sandbox.session(PROGRAM, filename="<submission>") as session:
        changed = session.call("scale", LAID)
        kept = session.call("keep", LAID)
    assert changed.status == kept.status == "ok"
    assert np.array_equal(changed.args_after[0], LAID[0] * 2) and changed.args_after[1]["W"].shape == (2, 2)
    assert kept.args_after is LAID  # unchanged: the grading process stands its own for them
    assert changed.args_after is not LAID


def test_a_zygote_without_arg_layouts_sends_pickles():
    with Sandbox(protected_paths=[]) as box:
        assert box._args_frame(LAID, False)[FRAME.size:FRAME.size + 1] == b"\x80"


@pytest.mark.parametrize("rubric", ["rnn.yaml", "rnn_extended.yaml"])
def test_every_rubric_case_reaches_a_child_as_its_pickle_would(rubric):
    from grader.commands import load_context
    from grader.runner import argument_layouts

    context = load_context(RUBRICS / rubric)
    cases = [context.fixtures[case.id].args for part in context.rubric.parts for case in part.cases]
    with Sandbox(protected_paths=[], arg_layouts=argument_layouts(context)) as box:
        assert all(box._args_frame(args, False)[FRAME.size:FRAME.size + 4] == ARGS_MAGIC for args in cases)
        with box.session(PROGRAM, filename="<submission>") as session:
            outcomes = session.call_many([("describe", args, None) for args in cases])
    for args, outcome in zip(cases, outcomes):
        assert outcome.status == "ok"
        assert json.loads(json.dumps(outcome.value)) == _local(args)
