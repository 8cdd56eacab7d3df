"""tests/scaling.py: the scaling check passes linear work and fails quadratic work (its pathology)."""
from __future__ import annotations

import pytest

from tests.scaling import assert_linear, growth


def _linear(values: list[int]) -> int:
    """One pass over ``values``."""
    return sum(values)


def _quadratic(values: list[int]) -> int:
    """A pass over ``values`` for each of its first elements (n²/ 4 steps)."""
    return sum(sum(values[k:]) for k in range(len(values) // 4))


def test_linear_work_passes() -> None:
    assert_linear(_linear, lambda n: list(range(n)), 200_000, what="sum")


def test_quadratic_work_fails() -> None:
    ratio, small, large = growth(_quadratic, lambda n: list(range(n)), 400)
    assert ratio > 30, (ratio, small, large)
    with pytest.raises(AssertionError, match="quadratic ~64"):
        assert_linear(_quadratic, lambda n: list(range(n)), 400, what="sum of tails")
