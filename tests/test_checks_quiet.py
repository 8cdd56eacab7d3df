"""Quiet verdicts (``checks.agrees``) and the float64 shortcut of ``checks._close``: the same
answers as the checks that write messages and as ``np.allclose``, on values built to sit on
every edge (NaN, infinities, signed zeros, overflow, other dtypes, the tolerance's boundary)."""
import numpy as np
import pytest

from grader import checks
from grader.models import Tolerance

TOLERANCES = [Tolerance(rtol=1e-5, atol=1e-7), Tolerance(rtol=0.0, atol=0.0), Tolerance(rtol=0.0, atol=1e-3),
              Tolerance(rtol=2.0, atol=0.0)]


def _pairs(rng):
    """(student, expected) arrays of one shape: equal, near, far, and on the edges."""
    base = rng.standard_normal((3, 4))
    edge = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e308, -1e308, 5e-324, 1.0, -1.0, 1e-7, 2.0])
    yield base, base.copy()
    yield base * (1 + 1e-6), base
    yield base + 1e-3, base
    yield base * (1 + 1e-5), base  # near the relative boundary
    yield base + 1e-7, base        # near the absolute boundary
    for _ in range(40):
        yield rng.choice(edge, size=(3, 4)), rng.choice(edge, size=(3, 4))
        e = rng.choice(edge, size=(3, 4))
        yield e.copy(), e
        yield e + rng.choice([0.0, 1e-9, 1e-6, 1.0], size=e.shape), e
    yield base.astype(np.float32), base
    yield base, base.astype(np.float32)
    yield np.arange(12).reshape(3, 4), np.arange(12.0).reshape(3, 4)
    yield np.arange(12.0).reshape(3, 4), np.arange(12).reshape(3, 4)
    yield base.astype(np.complex128), base


def test_close_is_np_allclose_with_equal_nan_everywhere():
    rng = np.random.default_rng(3)
    with np.errstate(all="ignore"):
        for got, exp in _pairs(rng):
            for tol in TOLERANCES:
                want = bool(np.allclose(got, exp, rtol=tol.rtol, atol=tol.atol, equal_nan=True))
                assert checks._close(got, exp, tol.rtol, tol.atol) == want, (got, exp, tol)


@pytest.mark.parametrize("kind", ["allclose", "exact", "shape", "structure"])
def test_agrees_is_the_verdict_of_the_check(kind):
    rng = np.random.default_rng(5)
    params = {"W": rng.standard_normal((2, 2)), "b": np.zeros((2, 1))}
    values = [
        (np.ones(3), params),
        (np.ones(3) + 1e-9, params),
        (np.ones(3) + 1e-3, {"W": params["W"], "b": np.zeros((2, 1))}),
        (np.ones(3), {"W": params["W"] + 1.0, "b": np.zeros((2, 1))}),
        (np.ones(3), {"W": params["W"]}),
        [np.ones(3), params],
        (np.ones(4), params),
        (np.array([1.0, np.nan, 1.0]), params),
        (np.ones(3), params, 1),
        (3.0, params),
        (None, params),
        "text",
    ]
    with np.errstate(all="ignore"):
        for tol in TOLERANCES:
            for student in values:
                # (None or a string where an array is expected is compared with `!=`: not here)
                for expected in values[:-2]:
                    loud = checks.CHECKS[kind](student, expected, tolerance=tol, name="out")
                    assert checks.agrees(kind, student, expected, tolerance=tol, name="out") is (loud is None)
        for got, exp in _pairs(rng):
            loud = checks.CHECKS[kind](got, exp, tolerance=TOLERANCES[0], name="out")
            assert checks.agrees(kind, got, exp, tolerance=TOLERANCES[0], name="out") is (loud is None)


def test_messages_about_differences_are_those_of_the_general_path(monkeypatch):
    """The float64 shortcut of a message (no np.isclose) against the path every dtype takes."""
    rng = np.random.default_rng(11)
    pairs = list(_pairs(rng))
    fast = []
    with np.errstate(all="ignore"):
        for got, exp in pairs:
            for tol in TOLERANCES:
                fast.append(checks.CHECKS["allclose"](got, exp, tolerance=tol, name="out"))
            fast.append(checks.CHECKS["exact"](got, exp, tolerance=TOLERANCES[0], name="out"))
        monkeypatch.setattr(checks, "_float_verdict", lambda got, exp, rtol, atol: None)
        slow = []
        for got, exp in pairs:
            for tol in TOLERANCES:
                slow.append(checks.CHECKS["allclose"](got, exp, tolerance=tol, name="out"))
            slow.append(checks.CHECKS["exact"](got, exp, tolerance=TOLERANCES[0], name="out"))
    assert fast == slow
    assert sum(m is not None and m.kind == "values" for m in fast) > 50


def test_a_first_number_out_of_tolerance_is_enough_to_say_not_close():
    """checks._first_differs: True only where np.allclose says no; on the edges it abstains."""
    rng = np.random.default_rng(17)
    said = 0
    with np.errstate(all="ignore"):
        for got, exp in _pairs(rng):
            for tol in TOLERANCES:
                if checks._first_differs(got, exp, tol.rtol, tol.atol):
                    said += 1
                    assert not np.allclose(got, exp, rtol=tol.rtol, atol=tol.atol, equal_nan=True), (got, exp, tol)
                    assert not checks._close(got, exp, tol.rtol, tol.atol)
    assert said > 20
    nan_first = np.array([np.nan, 1.0])
    assert not checks._first_differs(nan_first, np.array([1.0, 1.0]), 1e-5, 0.0)
    assert not checks._first_differs(np.array([np.inf]), np.array([1.0]), 1e-5, 0.0)
    assert not checks._first_differs(np.zeros(0), np.zeros(0), 0.0, 0.0)
