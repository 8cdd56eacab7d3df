"""How a cost grows with its input, for tests of the grader's own work on hostile input.

An absolute bound ("under 2 s of CPU") depends on the machine's speed and load; the ratio of
two costs measured in the same process, one at size n and one at size 8n, does not: linear
work gives a ratio near 8 (n log n about 9 to 10), quadratic work 64. ``assert_linear``
asserts the ratio is under ``LINEAR_LIMIT``. Where the code offers a deterministic count of
its work (calls of an inner function, nodes visited), a test should assert on that instead.
"""
from __future__ import annotations

import gc
import time
from typing import Callable

FACTOR = 8
LINEAR_LIMIT = 20.0  # linear ~8, quadratic ~64 at FACTOR 8


def _cpu_of(run: Callable[[object], object], value: object, setup: Callable[[], object] | None) -> float:
    """CPU seconds of ``run(value)`` in this process, after ``setup()`` (not counted), with the
    cyclic garbage collector off during the measure (a collection of the whole test process's
    heap, tens of milliseconds, would otherwise land in one measure and not the other)."""
    if setup is not None:
        setup()
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.process_time()
        run(value)
        return time.process_time() - start
    finally:
        if enabled:
            gc.enable()


def growth(run: Callable[[object], object], make: Callable[[int], object], n: int, *, factor: int = FACTOR,
           repeats: int = 3, setup: Callable[[], object] | None = None) -> tuple[float, float, float]:
    """``(ratio, small, large)``: the best of ``repeats`` CPU times of ``run(make(factor * n))``
    over the best of ``run(make(n))``, measured in turn (small, large, small, large ...) so a
    change of load or clock hits both. Inputs are built once, outside the measure; ``setup``
    runs before each measure (to empty a memo that would make a second run free)."""
    small_input, large_input = make(n), make(factor * n)
    small = large = float("inf")
    for _ in range(repeats):
        small = min(small, _cpu_of(run, small_input, setup))
        large = min(large, _cpu_of(run, large_input, setup))
    return large / max(small, 1e-6), small, large


def assert_linear(run: Callable[[object], object], make: Callable[[int], object], n: int, *,
                  repeats: int = 3, setup: Callable[[], object] | None = None, what: str = "") -> None:
    """Fail when ``run``'s CPU time grows more than ``LINEAR_LIMIT`` times from ``make(n)`` to
    ``make(8 n)`` (quadratic work gives about 64), with the two figures in the message."""
    ratio, small, large = growth(run, make, n, repeats=repeats, setup=setup)
    assert ratio < LINEAR_LIMIT, (f"{what or 'cost'}: {small * 1e3:.1f} ms of CPU at n={n}, {large * 1e3:.1f} ms at "
                                  f"{FACTOR}n: x{ratio:.1f} (linear ~{FACTOR}, quadratic ~{FACTOR ** 2})")
