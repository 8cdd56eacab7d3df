"""grader.fastcheck: accepting a right value from its wire bytes, and never a wrong one."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from grader import checks, wire
from grader.fastcheck import WireExpectation, expectation_for
from grader.models import Tolerance

TOL = Tolerance(rtol=1e-5, atol=1e-7)


def slow_passes(part, case, student, expected) -> bool:
    """What the runner's checks say of ``student``, output by output."""
    for name in case.outputs:
        spec = part.output(name)
        try:
            got = checks.get_path(student, spec.path)
        except LookupError:
            return False
        if checks.CHECKS[spec.check](got, checks.get_path(expected, spec.path),
                                     tolerance=case.tolerance, name=name) is not None:
            return False
    return True


def accepts(expected, student, tol=TOL) -> bool:
    return WireExpectation.of(expected).accepts(wire.encode(student), rtol=tol.rtol, atol=tol.atol)


def test_every_case_accepts_its_expected_value_and_a_copy_within_tolerance(context):
    rng = np.random.default_rng(0)
    for part in context.rubric.parts:
        for case in part.cases:
            expected = context.fixtures[case.id].expected
            exp = WireExpectation.of(expected)
            assert exp is not None, case.id
            assert exp.accepts(wire.encode(expected), rtol=1e-5, atol=1e-7)

            def nudge(x):
                if isinstance(x, np.ndarray):
                    return x * (1 + 1e-7 * rng.standard_normal(x.shape))
                if isinstance(x, dict):
                    return {k: nudge(v) for k, v in reversed(list(x.items()))}  # other key order too
                if isinstance(x, (list, tuple)):
                    return type(x)(nudge(v) for v in x)
                return x
            assert exp.accepts(wire.encode(nudge(expected)), rtol=1e-5, atol=1e-7), case.id


def test_no_known_mistake_is_ever_accepted_where_the_checks_would_fail(context):
    """Every mutant output stored in the fixtures: accepted only if the checks pass it too."""
    seen = accepted = 0
    for part in context.rubric.parts:
        for case in part.cases:
            fixture = context.fixtures[case.id]
            exp = WireExpectation.of(fixture.expected)
            for value in fixture.mutants.values():
                if type(value).__name__ == "MutantError":
                    continue
                seen += 1
                if exp.accepts(wire.encode(value), rtol=case.tolerance.rtol, atol=case.tolerance.atol):
                    accepted += 1
                    assert slow_passes(part, case, value, fixture.expected), (case.id, "accepted a wrong value")
    assert seen > 100
    assert accepted < seen  # most mistakes show on most cases


def test_shared_objects_are_the_same_as_copies():
    params = {"W": np.ones((2, 2)), "b": np.zeros((2, 1))}
    shared = ([(np.ones(2), params), (np.zeros(2), params)], np.arange(3.0))
    copied = ([(np.ones(2), copy.deepcopy(params)), (np.zeros(2), copy.deepcopy(params))], np.arange(3.0))
    assert accepts(copied, shared) and accepts(shared, copied)


@pytest.mark.parametrize("student", [
    [np.ones(3), np.zeros(2)],                       # a list where a tuple is expected
    (np.ones(3),),                                   # an element missing
    (np.ones(3), np.zeros(2), None),                 # one too many
    (np.ones(3), np.zeros((2, 1))),                  # another shape
    (np.ones(3, dtype=np.float32), np.zeros(2)),     # another dtype
    (np.ones(3), np.zeros(2, dtype=np.int64)),
    (np.ones(3) + 1e-3, np.zeros(2)),                # beyond the tolerance
    (np.array([1.0, np.nan, 1.0]), np.zeros(2)),     # NaN
    (np.array([1.0, np.inf, 1.0]), np.zeros(2)),
    (np.ones(3), 0.0),
])
def test_anything_unlike_the_expected_value_is_left_to_the_slow_path(student):
    assert not accepts((np.ones(3), np.zeros(2)), student)


def test_dicts_need_the_same_keys_and_literals_the_same_values():
    expected = {"da": np.ones(2), "n": 3, "name": "x", "none": None}
    assert accepts(expected, {"none": None, "name": "x", "n": 3, "da": np.ones(2)})
    assert not accepts(expected, {**expected, "extra": 1})
    assert not accepts(expected, {k: v for k, v in expected.items() if k != "n"})
    assert not accepts(expected, {**expected, "n": 3.0})
    assert not accepts(expected, {**expected, "name": "y"})


def test_malformed_messages_are_refused_without_raising():
    exp = WireExpectation.of((np.ones(3), {"w": np.zeros(2)}))
    good = wire.encode((np.ones(3), {"w": np.zeros(2)}))
    assert exp.accepts(good, rtol=0, atol=0)
    header_len = int.from_bytes(good[4:8], "big")
    bad = [
        b"", b"GW1\n", good[:-1], good + b"\0", b"XXXX" + good[4:],
        good[:4] + (10**9).to_bytes(4, "big") + good[8:],
        good.replace(b'"b":1', b'"b":0'),   # one buffer used twice, the other never
        good.replace(b'"b":1', b'"b":7'),   # no such buffer
        good[:8] + b" " * header_len + good[8 + header_len:],  # not JSON
    ]
    for data in bad:
        assert not exp.accepts(data, rtol=0, atol=0), data[:40]


def test_unusable_expected_values_have_no_expectation():
    assert WireExpectation.of((np.array([1.0, np.nan]),)) is None
    assert WireExpectation.of(np.ones(2, dtype=np.float32)) is None
    assert WireExpectation.of(1 + 2j) is None
    assert WireExpectation.of(object()) is None


def test_expectations_are_built_once_per_cache():
    cache: dict = {}
    first = expectation_for(cache, "c", (np.ones(2),))
    assert expectation_for(cache, "c", (np.zeros(5),)) is first


def test_a_remembered_layout_still_judges_each_message_on_its_own_numbers():
    exp = WireExpectation.of((np.ones(3), {"w": np.zeros(2)}))
    right = wire.encode((np.ones(3), {"w": np.zeros(2)}))
    wrong = wire.encode((np.ones(3), {"w": np.array([0.0, 5.0])}))
    assert right[:100] == wrong[:100]  # same header: one remembered layout
    assert exp.accepts(right, rtol=0, atol=0)
    assert not exp.accepts(wrong, rtol=0, atol=0)
    assert exp.accepts(right, rtol=0, atol=0)
    assert len(exp.layouts) == 1
    assert not exp.accepts(right[:-8], rtol=0, atol=0)  # a message cut short, same header


def _reference_bomb(levels: int) -> bytes:
    """A hostile child's own message: ``levels`` lists, each holding the one before it twice by
    reference; a few hundred bytes that stand for 2 ** levels values."""
    import struct

    items = ['{"t":"array","dtype":"<f8","shape":[1],"b":0}']
    items += ['[{"t":"ref","r":%d},{"t":"ref","r":%d}]' % (i, i) for i in range(levels)]
    header = ('{"buffers":[8],"root":[' + ",".join(items) + "]}").encode()
    return wire.MAGIC + struct.pack(">I", len(header)) + header + np.zeros(1).tobytes()


def test_a_reference_bomb_is_refused_at_once():
    """The shortcut must count what references stand for (as wire.decode does) and refuse, not
    expand them. Signal: a work count, the peak of memory allocated (tracemalloc) while judging
    a bomb of 22 levels (4 million values, past ``wire.MAX_NODES``): expanding it builds lists
    of millions of leaves, tens of MB; refusing it, a few kB. Not seconds. Then the bomb of 40
    levels is refused by both readers (this order: a shortcut that expands fails the count
    before it could hang on 2 ** 40)."""
    import tracemalloc

    # an expected value of 300 nodes (an LSTM's caches hold hundreds): a bomb's own nodes are fewer
    expected = WireExpectation.of([np.full(1, float(k)) for k in range(300)])
    assert not expected.accepts(_reference_bomb(3), rtol=0, atol=0)  # imports and memos done
    bomb = _reference_bomb(22)
    tracemalloc.start()
    try:
        accepted = expected.accepts(bomb, rtol=0, atol=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * 2**20, peak
    assert not accepted
    with pytest.raises(wire.WireError, match="too many"):
        wire.decode(_reference_bomb(40))
    assert not expected.accepts(_reference_bomb(40), rtol=0, atol=0)


def test_identical_numbers_are_accepted_by_their_bytes_and_others_by_the_tolerance():
    expected = (np.linspace(0.5, 2.0, 6).reshape(2, 3), {"w": np.arange(4.0), "b": np.ones(1)})
    exp = WireExpectation.of(expected)
    assert exp.accepts(wire.encode(expected), rtol=1e-5, atol=1e-7)
    (layout,) = exp.layouts.values()
    assert layout.exact is not None and len(layout.exact) == 8 * exp.values.size
    close = (expected[0] * (1 + 1e-9), {"w": np.arange(4.0), "b": np.ones(1)})
    far = (expected[0], {"w": np.arange(4.0) + np.array([0, 0, 1e-3, 0]), "b": np.ones(1)})
    assert exp.accepts(wire.encode(close), rtol=1e-5, atol=1e-7)
    assert not exp.accepts(wire.encode(close), rtol=0, atol=0)
    assert not exp.accepts(wire.encode(far), rtol=1e-5, atol=1e-7)
    assert len(exp.layouts) == 1  # the three messages share one header
    # -0.0 is not 0.0 byte for byte, yet it is within any tolerance of it.
    zeros = WireExpectation.of(np.zeros(3))
    assert zeros.accepts(wire.encode(-np.zeros(3)), rtol=0, atol=0)


def test_a_shared_object_against_two_different_expected_ones_is_judged_on_its_numbers():
    """The student's message holds one array twice (a reference); the expected value holds
    two arrays: the same numbers pass, numbers within the tolerance of both pass, others not."""
    a = np.array([1.0, 2.0, 3.0])
    student = (a, a)
    assert accepts((a.copy(), a.copy()), student)
    assert accepts((a, a * (1 + 1e-9)), student)
    assert not accepts((a, a + 1.0), student)
    exp = WireExpectation.of((a, a + 1.0))
    assert not exp.accepts(wire.encode(student), rtol=1e-5, atol=1e-7)
    (layout,) = exp.layouts.values()
    assert layout is not None and layout.laid_out is None  # no layout of the expected numbers fits


def test_numbers_accepted_within_the_tolerance_are_remembered_for_that_tolerance_only(monkeypatch):
    from grader import fastcheck

    expected = (np.linspace(1.0, 2.0, 12).reshape(3, 4), {"W": np.eye(2)})
    near = (expected[0] * (1 + 2e-6), {"W": np.eye(2) * (1 + 2e-6)})
    exp = WireExpectation.of(expected)
    data = wire.encode(near)
    assert exp.accepts(data, rtol=1e-5, atol=0.0)
    (layout,) = exp.layouts.values()
    assert [(r, a) for r, a, _ in layout.passed] == [(1e-5, 0.0)]
    calls = []
    real_abs = np.abs
    monkeypatch.setattr(fastcheck.np, "abs", lambda *a, **k: calls.append(1) or real_abs(*a, **k))
    assert exp.accepts(bytes(data), rtol=1e-5, atol=0.0) and not calls  # the same bytes: no arithmetic
    assert not exp.accepts(data, rtol=1e-7, atol=0.0) and calls  # a stricter tolerance judges again
    far = wire.encode((expected[0] + 1.0, expected[1]))
    assert not exp.accepts(far, rtol=1e-5, atol=0.0)
    assert len(layout.passed) == 1  # refusals are not remembered


def test_remembered_numbers_are_bounded_per_layout():
    from grader.fastcheck import MAX_PASSED

    expected = np.linspace(1.0, 2.0, 12)
    exp = WireExpectation.of(expected)
    for k in range(MAX_PASSED + 3):
        assert exp.accepts(wire.encode(expected * (1 + (k + 1) * 1e-7)), rtol=1e-5, atol=0.0)
    (layout,) = exp.layouts.values()
    assert len(layout.passed) == MAX_PASSED
    assert exp.accepts(wire.encode(expected * (1 + (MAX_PASSED + 3) * 1e-7)), rtol=1e-5, atol=0.0)
    assert not exp.accepts(wire.encode(expected * 1.1), rtol=1e-5, atol=0.0)


def test_a_message_of_the_expected_values_own_header_is_laid_out_without_a_second_walk(monkeypatch):
    """The first correct answer of a case (the expected value's own header, the children's
    encoders learn it) takes its layout from the walk that built the expectation; another
    header is walked as before, and the same header at another length is refused."""
    from grader import fastcheck

    expected = (np.linspace(0.5, 2.0, 6).reshape(2, 3), [{"w": np.arange(4.0)}, 3, "x"])
    walks = []
    real = fastcheck._canonical
    monkeypatch.setattr(fastcheck, "_canonical", lambda *a, **k: walks.append(1) or real(*a, **k))
    exp = WireExpectation.of(expected)
    assert len(walks) == 1
    right = wire.encode(expected)
    assert exp.accepts(right, rtol=0, atol=0) and len(walks) == 1
    assert not exp.accepts(wire.encode((expected[0] + 1.0, expected[1])), rtol=1e-5, atol=0) and len(walks) == 1
    assert not exp.accepts(right[:-8], rtol=0, atol=0)
    (layout,) = exp.layouts.values()
    assert layout.exact == right[8 + int.from_bytes(right[4:8], "big"):]  # as the walk lays it out
    other = (expected[0], [{"w": np.arange(4.0)}, 3, "x"], None)
    assert not exp.accepts(wire.encode(other), rtol=0, atol=0) and len(walks) == 2


def test_positions_of_leaves_are_those_of_one_range_per_leaf():
    """``_positions`` (one vectorised step) against the range of each leaf joined: leaves in any
    order, empty ones included; and a value whose numbers are spread over shared and empty
    arrays is still gathered in canonical order."""
    from grader.fastcheck import _gather, _positions

    rng = np.random.default_rng(3)
    start = 40
    for _ in range(50):
        counts = rng.integers(0, 4, size=int(rng.integers(1, 8)))
        firsts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        order = rng.permutation(len(counts))
        leaves = [(start + 8 * int(firsts[i]), int(counts[i]), np.dtype("<f8")) for i in order]
        naive = [p for offset, count, _ in leaves for p in range((offset - start) // 8, (offset - start) // 8 + count)]
        assert _positions(leaves, start).tolist() == naive
    assert _positions([], start).dtype == np.intp
    shared = np.array([1.0, 2.0])
    value = {"b": (shared, np.zeros(0), np.arange(3.0)), "a": [shared, 5.0]}
    exp = WireExpectation.of(value)
    # dict keys sorted, the shared array repeated, the float 5.0 in the signature, not a number here
    assert exp.values.tolist() == [1.0, 2.0, 1.0, 2.0, 0.0, 1.0, 2.0]
    data = wire.encode(value)
    assert exp.accepts(data, rtol=0, atol=0)
    assert _gather(data, _positions([], 8), 8).size == 0


def test_a_malformed_message_first_does_not_refuse_the_right_ones_after_it():
    """A layout is remembered by the header, which a child writes as it likes: the expected
    value's own header over too few bytes (or too many) is refused, and must not make the
    right messages that follow, other students' in the same worker, refused too (each then
    decoded and checked the slow way: the same grades, a few ms a case for the worker's life)."""
    expected = (np.linspace(0.5, 2.0, 6).reshape(2, 3), [{"w": np.arange(4.0)}, 3, "x"])
    right = wire.encode(expected)
    close = wire.encode((expected[0] * (1 + 1e-9), expected[1]))
    for bad in (right[:-8], right + b"\0" * 8):
        exp = WireExpectation.of(expected)
        assert not exp.accepts(bad, rtol=0, atol=0)
        assert exp.accepts(right, rtol=0, atol=0)
        assert exp.accepts(close, rtol=1e-5, atol=0)
        assert not exp.accepts(bad, rtol=0, atol=0)
        assert exp.accepts(right, rtol=0, atol=0)


def test_a_header_that_runs_past_the_message_is_never_taken_for_the_whole_message():
    """A layout is found by the header's bytes, cut from the message at the length the message
    states; one that states more than the message holds left the key cut short: the expected
    value's own header when it holds no number, so that a malformed message (``wire.decode``
    refuses it) was accepted as the right answer, first or after the right one."""
    import struct

    expected = (None, 3, "x")
    right = wire.encode(expected)
    (length,) = struct.unpack(">I", right[4:8])
    bad = right[:4] + struct.pack(">I", length + 50) + right[8:]
    with pytest.raises(wire.WireError):
        wire.decode(bad)
    exp = WireExpectation.of(expected)
    assert exp is not None
    assert not exp.accepts(bad, rtol=0, atol=0)
    assert exp.accepts(right, rtol=0, atol=0)
    assert not exp.accepts(bad, rtol=0, atol=0)
