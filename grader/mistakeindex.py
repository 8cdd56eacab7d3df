"""An index of the known mistakes' outputs on a case: which of them a student's value may be.

A failed case is compared with every known mistake of its function (``solution.mutants``,
stored per case in the fixtures), one output at a time (``mistakematch.agreement``): a cost that
grows with the number of mistakes. The index answers first, from one number per output: the
mistakes whose value may agree with the student's at every failed output (a superset, never
less); the runner compares only those, exactly as before. It depends on the fixtures, the
outputs and the tolerance only: made once per case and process, each output's part on the
first failure that asks for it.

**The key.** For each output (an ``allclose`` or ``exact`` check), one float64 array inside it,
the *probe* (the output itself when it is an array; in a cache, the array there that tells the
most mistakes apart), and of each mistake's array there its shape, the sum ``M`` of its numbers
and the sum ``L`` of their absolute values, which set its *reach*:

    reach = 2 (n atol + rtol L) + 1e-9 L + n 1e-300        (n numbers)

A student's array at the probe gives its shape and its sum ``S``; the candidates are the
mistakes of that shape with ``|S - M|`` within their reach (sums sorted: two bisections by the
largest reach of the shape, then each mistake's own).

**Why it cannot miss a mistake the comparison accepts.** Agreement at an output
(``checks.agrees``) walks the *mistake's* value and reaches every array in it: containers on
the way to an array are dicts (every key of the mistake's, the student's value read at the same
key), tuples or lists of the same length read at the same index, never a list of numbers (it
holds no array). So the student's array at the probe is the one compared with the mistake's
there (a pair met again in one walk was compared, and agreed, the first time), and it has the
same shape. Two float64 arrays of one shape, the mistake's finite, agree only when, element by
element, their bytes are the same or ``fl(|g - m|) <= fl(atol + rtol |m|)``
(``checks._float_verdict``; numbers that are not finite never agree with finite ones, and a
difference that overflows only where ``rtol |m|`` overflows too, which makes the reach infinite;
``grader.fastcheck``'s shortcut accepts by the same inequality, computed the same way). Rounding
in that test is at most a factor ``1 + 4u`` (``u = 2**-53``) and 1e-320 for a product that
underflows, so

    D = sum |g_i - m_i| <= (1 + 4u) (n atol + rtol L) + n 1e-320

(``L`` as computed: the exact sum is within ``y L`` of it, ``y`` below). A float sum of n numbers
in any order (NumPy's pairwise one too) is within ``y G`` of the exact sum (``G`` the sum of the
absolute values, ``y = n u / (1 - n u)``), and ``G <= L + D`` for the student's numbers:
``|S - M| <= D + y (L + D) + y L = D (1 + y) + 2 y L``. For ``n <= 2**20`` (``y < 1.2e-10``) the
first term of ``reach`` covers ``D (1 + y)`` with room to spare (a factor 2 against 1 + 1e-9), the
second ``2 y L`` and the rounding of ``S - M`` and of ``S ± reach``, the third what underflows.
A sum that is not finite (a NaN, an infinity, an overflow) places no array: such a mistake is
always a candidate, and such a student's output narrows nothing. Every other case narrows
nothing either (another check kind, a tolerance that is negative or not finite, an array too
large, another dtype, a path the student's value lacks): the runner then tries every mistake, as
it did before the index.

``tests/test_mistakeindex.py`` builds values at the tolerance's edge (and past it) and checks
that the index finds every mistake the comparison accepts.
"""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from grader import checks
from grader.models import Tolerance

__all__ = ["MistakeIndex"]

#: Check kinds the index narrows (the others compare no numbers, or not by a tolerance).
INDEXED_CHECKS = frozenset({"allclose", "exact"})
#: The largest array the bound above holds for (the float sums' rounding).
MAX_SIZE = 1 << 20
#: Candidates few enough to compare rather than narrow by another output.
ENOUGH = 2
#: Arrays of an expected output tried as its probe (a cache of a long sequence holds hundreds).
MAX_PROBES = 64

_FLOAT64 = np.dtype(np.float64)
_UNKNOWN = object()  # an output's index not yet made


def _float_leaves(value: Any, path: tuple = ()) -> Iterator[tuple]:
    """The paths of the float64 arrays in ``value``, in the order ``checks`` walks it."""
    if isinstance(value, dict):
        for key in value:
            yield from _float_leaves(value[key], path + (key,))
    elif isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            yield from _float_leaves(item, path + (i,))
    elif type(value) is np.ndarray and value.dtype == _FLOAT64:
        yield path


def _placed(value: Any, probe: tuple) -> tuple[tuple, float, float] | None:
    """``(shape, sum, sum of absolute values)`` of the float64 array at ``probe`` in ``value``;
    None when there is none there, it is too large, or a sum is not finite (a NaN, an infinity,
    an overflow). Called where NumPy's overflow and invalid warnings are off."""
    try:
        leaf = checks.get_path(value, probe)
    except LookupError:
        return None
    if type(leaf) is not np.ndarray or leaf.dtype != _FLOAT64 or leaf.size > MAX_SIZE:
        return None
    total, length = float(leaf.sum()), float(np.abs(leaf).sum())
    return (leaf.shape, total, length) if math.isfinite(total) and math.isfinite(length) else None


def _signature(value: Any, probe: tuple) -> tuple[tuple, bytes] | None:
    """``(shape, bytes)`` of the float64 array at ``probe`` in ``value``, None when there is none:
    what tells mistakes apart there, for choosing a probe."""
    try:
        leaf = checks.get_path(value, probe)
    except LookupError:
        return None
    return (leaf.shape, leaf.tobytes()) if type(leaf) is np.ndarray and leaf.dtype == _FLOAT64 else None


@dataclass(frozen=True)
class _OutputIndex:
    """The mistakes' arrays at one output's probe (see the module's docstring)."""

    path: tuple  # the output's path in a returned value (``OutputSpec.path``)
    probe: tuple  # the array's path inside the output
    #: shape -> (the sums ascending, their mistakes, their reaches, the largest reach)
    by_shape: Mapping[tuple, tuple[tuple[float, ...], tuple[str, ...], tuple[float, ...], float]]
    always: frozenset[str]  # mistakes without a placed array there: always candidates

    def narrow(self, value: Any) -> frozenset[str] | None:
        """The mistakes that may agree with ``value`` at this output; None when its array at the
        probe cannot be placed (every mistake is then a candidate). Called where NumPy's overflow
        and invalid warnings are off."""
        try:
            leaf = checks.get_path(checks.get_path(value, self.path), self.probe)
        except LookupError:
            return None
        if type(leaf) is not np.ndarray or leaf.dtype != _FLOAT64:
            return None
        found = self.by_shape.get(leaf.shape)
        if found is None:  # no placed mistake's array has this shape there: none of those agrees
            return self.always
        total = float(leaf.sum())
        if not math.isfinite(total):  # a NaN or an infinity among the numbers, or an overflow
            return None
        sums, names, reaches, widest = found
        first, last = bisect_left(sums, total - widest), bisect_right(sums, total + widest)
        return self.always.union([names[i] for i in range(first, last) if abs(total - sums[i]) <= reaches[i]])


class MistakeIndex:
    """The known mistakes of one case that return a value, and an index per output made when a
    failure first asks for it (see the module's docstring)."""

    def __init__(self, *, mutants: Mapping[str, Any], expected: Any, tolerance: Tolerance) -> None:
        """``mutants``: ``CaseFixture.mutants`` (a value, or a ``MutantError`` for a mistake that
        raised on the case), ``expected`` the case's expected value, compared under ``tolerance``."""
        self._values = {name: value for name, value in mutants.items()
                        if type(value).__name__ != "MutantError"}
        #: The mistakes that return a value, sorted, as the runner tries them.
        self.names: tuple[str, ...] = tuple(sorted(self._values))
        self._expected = expected
        self._tolerance = tolerance
        self._outputs: dict[Any, _OutputIndex | None] = {}  # OutputSpec -> its index

    def candidates(self, value: Any, *, specs: Sequence[Any]) -> tuple[str, ...]:
        """The mistakes (sorted) whose value may agree with ``value`` at every output of ``specs``:
        every one the comparison would accept is among them. Narrowing stops at ``ENOUGH``: each
        output more costs about what comparing a mistake does."""
        found: frozenset[str] | None = None
        with np.errstate(over="ignore", invalid="ignore"):
            for spec in specs:
                index = self._outputs.get(spec, _UNKNOWN)
                if index is _UNKNOWN:
                    index = self._outputs[spec] = _output_index(self._values, self._expected, spec,
                                                                     self._tolerance)
                narrowed = index.narrow(value) if index is not None else None
                if narrowed is not None:
                    found = narrowed if found is None else found & narrowed
                    if len(found) <= ENOUGH:
                        break
        return self.names if found is None else tuple(sorted(found))


def _output_index(values: Mapping[str, Any], expected: Any, spec: Any, tolerance: Tolerance) -> _OutputIndex | None:
    """The index at one output (``spec``), on the probe that tells the most mistakes apart; None
    when the output is not indexed (see the module's docstring)."""
    if spec.check not in INDEXED_CHECKS:
        return None
    rtol, atol = (0.0, 0.0) if spec.check == "exact" else (float(tolerance.rtol), float(tolerance.atol))
    if not (0.0 <= rtol < math.inf and 0.0 <= atol < math.inf):
        return None
    try:
        wanted = checks.get_path(expected, spec.path)
    except LookupError:
        return None
    outputs = {}
    for name, value in values.items():
        try:
            outputs[name] = checks.get_path(value, spec.path)
        except LookupError:
            outputs[name] = None
    best = None  # (mistakes told apart, probe): by their arrays' bytes, cheaper than their sums
    for count, probe in enumerate(_float_leaves(wanted)):
        if count == MAX_PROBES:
            break
        score = len({_signature(output, probe) for output in outputs.values()} - {None})
        if best is None or score > best[0]:
            best = (score, probe)
        if score == len(values):
            break
    if best is None:
        return None
    probe = best[1]
    placed = {name: _placed(output, probe) for name, output in outputs.items()}
    groups: dict[tuple, list[tuple[float, str, float]]] = {}
    for name, key in placed.items():
        if key is not None:
            shape, total, length = key
            n = math.prod(shape)
            reach = 2.0 * (n * atol + rtol * length) + 1e-9 * length + n * 1e-300
            groups.setdefault(shape, []).append((total, name, reach))
    by_shape = {}
    for shape, members in groups.items():
        members.sort()
        sums, names, reaches = zip(*members)
        by_shape[shape] = (sums, names, reaches, max(reaches))
    return _OutputIndex(path=tuple(spec.path), probe=probe, by_shape=by_shape,
                        always=frozenset(name for name, key in placed.items() if key is None))
