"""grader.mistakeindex: the index of the known mistakes' outputs never leaves out a mistake the
comparison (``checks.agrees`` at every failed output, as ``mistakematch.matches`` asks) accepts: values
built at the tolerance's edge, on made-up mistakes and on the course's own; it does narrow; and the
runner's diagnosis with it is the diagnosis with every mistake tried."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from grader import checks, wire
from grader.classfiles import DEFAULT_RUBRIC
from grader.commands import load_context
from grader.fixtures import MutantError
from grader.mistakeindex import ENOUGH, MistakeIndex
from grader.models import OutputSpec, Tolerance
from grader.runner import _CasePlan, _Grader

CONTEXT = load_context(DEFAULT_RUBRIC)
CASES = [(part, case) for part in CONTEXT.rubric.parts for case in part.cases]


@np.errstate(all="ignore")  # huge numbers made up below overflow in np.allclose
def _accepted(student, mutants, specs, tolerance) -> set[str]:
    """The mistakes the comparison accepts at every output of ``specs`` (the old loop's test)."""
    found = set()
    for name, mutant in mutants.items():
        if isinstance(mutant, MutantError):
            continue
        for spec in specs:
            try:
                a, b = checks.get_path(student, spec.path), checks.get_path(mutant, spec.path)
            except LookupError:
                break
            if not checks.agrees(spec.check, a, b, tolerance=tolerance, name=spec.name):
                break
        else:
            found.add(name)
    return found


@np.errstate(all="ignore")
def _edge(value, tolerance: Tolerance, *, sign: float = 1.0, past: bool = False, rng=None):
    """``value`` with every float64 number moved as far as the tolerance allows (the farthest
    float ``checks`` still accepts, found by stepping back with nextafter), all the same way
    (``sign``, the worst case for a sum) or each its own way (``rng``); ``past``: one step
    further, where it is refused."""
    if isinstance(value, dict):
        return {k: _edge(v, tolerance, sign=sign, past=past, rng=rng) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_edge(v, tolerance, sign=sign, past=past, rng=rng) for v in value)
    if not (isinstance(value, np.ndarray) and value.dtype == np.float64):
        return value
    m = value
    signs = rng.choice([-1.0, 1.0], size=m.shape) if rng is not None else np.full(m.shape, sign)

    def within(g):
        return np.abs(g - m) <= tolerance.atol + tolerance.rtol * np.abs(m)

    g = m + signs * (tolerance.atol + tolerance.rtol * np.abs(m))
    for _ in range(16):  # back inside, where the sum's rounding left it outside
        g = np.where(within(g), g, np.nextafter(g, m))
    for _ in range(16):  # then out as far as it stays inside
        further = np.nextafter(g, g + signs)
        g = np.where(within(further) & np.isfinite(further), further, g)
    assert within(g)[np.isfinite(m)].all()
    return np.where(np.isfinite(m), np.nextafter(g, g + signs), m) if past else g


@np.errstate(all="ignore")
def _made_up_mistakes(rng) -> dict:
    """Mistakes of a made-up function returning (a, cache): sums that collide, zeros, subnormals,
    huge numbers, a NaN, another shape, a missing output, one that raised."""
    shape = (3, 4)
    base = rng.normal(size=shape)
    cache = lambda a: (a, {"W": np.arange(12.0).reshape(shape), "b": a[:, :1].copy()}, [a * 2.0])  # noqa: E731
    mutants = {f"f/random_{i}": (a, cache(a)) for i, a in enumerate(rng.normal(size=(6,) + shape))}
    mutants["f/permuted"] = (base[:, ::-1].copy(), cache(base[::-1].copy()))  # the same sums as base's
    mutants["f/base"] = (base, cache(base))
    mutants["f/zeros"] = (np.zeros(shape), cache(np.zeros(shape)))
    mutants["f/subnormal"] = (np.full(shape, 5e-324), cache(np.full(shape, 1e-310)))
    mutants["f/huge"] = (np.full(shape, 1e300), cache(np.full(shape, -1e300)))
    mutants["f/overflowing"] = (np.full(shape, 1.7e308), cache(np.full(shape, 1.7e308)))
    mutants["f/nan"] = (np.full(shape, np.nan), cache(np.full(shape, np.inf)))
    mutants["f/other_shape"] = (np.ones((4, 3)), cache(np.ones((4, 3))))
    mutants["f/scalar"] = (np.float64(0.5) * np.ones(()), cache(base))
    mutants["f/short"] = (base,)
    mutants["f/raised"] = MutantError("ValueError: no")
    return mutants


@pytest.mark.parametrize("tolerance", [Tolerance(1e-5, 1e-7), Tolerance(0.0, 0.0), Tolerance(0.3, 0.0),
                                       Tolerance(0.0, 1e-3), Tolerance(2.0, 1.0)])
@pytest.mark.parametrize("check", ["allclose", "exact"])
def test_values_at_the_tolerances_edge_find_every_mistake_the_comparison_accepts(tolerance, check):
    rng = np.random.default_rng(7)
    mutants = _made_up_mistakes(rng)
    expected = mutants.pop("f/base")
    specs = (OutputSpec("a", (0,), check=check), OutputSpec("cache", (1,), check=check))
    index = MistakeIndex(mutants=mutants, expected=expected, tolerance=tolerance)
    edge_of = Tolerance(0.0, 0.0) if check == "exact" else tolerance
    accepted_somewhere = 0
    for name, mutant in sorted(mutants.items()):
        if isinstance(mutant, MutantError):
            continue
        students = [mutant, expected]
        for sign, past in itertools.product((1.0, -1.0), (False, True)):
            students.append(_edge(mutant, edge_of, sign=sign, past=past))
        students.append(_edge(mutant, edge_of, rng=rng))
        students.append(list(mutant) + [None])  # one element too many: agrees with none
        for student in students:
            for failed in ((specs[0],), (specs[1],), specs, specs[::-1]):
                accepted = _accepted(student, mutants, failed, tolerance)
                tried = index.candidates(student, specs=failed)
                assert accepted <= set(tried), (name, [s.name for s in failed], accepted - set(tried))
                assert list(tried) == sorted(tried) and "f/raised" not in tried
                accepted_somewhere += name in accepted
    assert accepted_somewhere  # the edges were within the tolerance


def test_a_student_far_from_every_mistake_is_compared_with_none_it_can_place_and_one_on_a_mistake_with_it():
    rng = np.random.default_rng(3)
    mutants = _made_up_mistakes(rng)
    expected = mutants.pop("f/base")
    specs = (OutputSpec("a", (0,)), OutputSpec("cache", (1,)))
    index = MistakeIndex(mutants=mutants, expected=expected, tolerance=Tolerance())
    # Those it cannot place (a NaN, a sum that overflows, a NumPy scalar where an array is) are
    # always tried; a huge mistake's wide reach does not make the others candidates.
    unplaced = ("f/nan", "f/overflowing", "f/scalar")
    assert index.candidates((rng.normal(size=(3, 4)) + 50.0, expected[1]), specs=specs[:1]) == unplaced
    assert index.candidates((np.ones((2, 2)), expected[1]), specs=specs[:1]) == unplaced
    for name in ("f/random_0", "f/random_3", "f/huge"):
        assert index.candidates(mutants[name], specs=specs[:1]) == tuple(sorted((name,) + unplaced))
    # Zeros and subnormal numbers are within 1e-7 of each other: both are compared.
    assert index.candidates(mutants["f/zeros"], specs=specs[:1]) == tuple(sorted(("f/subnormal", "f/zeros") + unplaced))
    # What the index cannot place narrows nothing: every mistake that returns a value is tried.
    everyone = tuple(sorted(n for n, v in mutants.items() if not isinstance(v, MutantError)))
    for student in ((np.full((3, 4), np.nan), None), (np.ones((3, 4), dtype=np.float32), None), (None,), 7):
        assert index.candidates(student, specs=specs[:1]) == everyone
    # A check kind the index does not narrow (shapes only) either.
    assert index.candidates(mutants["f/zeros"], specs=(OutputSpec("a", (0,), check="shape"),)) == everyone


def test_sums_that_round_apart_by_more_than_the_tolerance_allows_still_find_the_mistake():
    """Each number one step from the mistake's, within rtol = 2**-52 (a search over random values
    found it): the float sums differ by 6 where the numbers' differences add up to 2.5 at most, and
    twice that is 5. The index's margin for rounding (``1e-9 L``) is what finds it."""
    tolerance = Tolerance(rtol=2.0 ** -52, atol=0.0)
    m = np.array([-1.125899906842624e16, -229376.0, 7.0, 3.0, 16777216.0, 1073741824.0])
    g = np.nextafter(m, np.array([-np.inf, -np.inf, 0.0, 0.0, 0.0, np.inf]))
    assert checks.agrees("allclose", g, m, tolerance=tolerance, name="a")
    assert abs(g.sum() - m.sum()) > 2 * tolerance.rtol * np.abs(m).sum()
    mutants = {"f/rounded": (m,), "f/other": (m + 1e8,)}
    index = MistakeIndex(mutants=mutants, expected=(np.zeros(6),), tolerance=tolerance)
    assert index.candidates((g,), specs=(OutputSpec("a", (0,)),)) == ("f/rounded",)


@np.errstate(all="ignore")
def test_a_difference_that_overflows_where_the_tolerance_does_too_still_finds_the_mistake():
    # 1e308 against -1e308 with rtol = 3: the difference and rtol |m| are both infinite, and
    # np.allclose (where checks sends differences that are not finite) accepts.
    tolerance = Tolerance(rtol=3.0, atol=0.0)
    mutants = {"f/huge": (np.array([1e308]),), "f/small": (np.array([1.0]),)}
    student = (np.array([-1e308]),)
    assert checks.agrees("allclose", student[0], mutants["f/huge"][0], tolerance=tolerance, name="a")
    index = MistakeIndex(mutants=mutants, expected=(np.zeros(1),), tolerance=tolerance)
    assert "f/huge" in index.candidates(student, specs=(OutputSpec("a", (0,)),))


@pytest.mark.parametrize("part,case", CASES, ids=[case.id for _, case in CASES])
def test_the_courses_mistakes_at_the_edge_are_all_found_and_the_rest_narrowed(part, case):
    fixture = CONTEXT.fixtures[case.id]
    plan = _CasePlan.of(part, case, fixture)
    index = MistakeIndex(mutants=fixture.mutants, expected=fixture.expected, tolerance=case.tolerance)
    rng = np.random.default_rng(11)
    spared = others = 0
    for name, mutant in sorted(fixture.mutants.items()):
        if isinstance(mutant, MutantError):
            continue
        failed = [spec for spec in plan.specs
                  if not _accepted(mutant, {"expected": fixture.expected}, [spec], case.tolerance)]
        if not failed:
            continue
        for student in (mutant, _edge(mutant, case.tolerance, sign=1.0), _edge(mutant, case.tolerance, sign=-1.0),
                        _edge(mutant, case.tolerance, rng=rng)):
            accepted = _accepted(student, fixture.mutants, failed, case.tolerance)
            tried = index.candidates(student, specs=failed)
            assert accepted <= set(tried), (name, accepted - set(tried))
            assert name in accepted  # the edge is within the tolerance
            others += len(index.names) - len(accepted)
            spared += len(index.names) - len(tried)
    # It narrows: most of the mistakes the comparison refuses are not compared at all.
    assert spared >= 0.6 * others, (spared, others)


def _grader(part) -> _Grader:
    """A grader of ``part`` that only judges (no session, no program)."""
    return _Grader(part=part, context=CONTEXT, extraction=None, program=None, session=None, fallback=None)


def test_a_diagnosis_with_the_index_is_the_diagnosis_with_every_mistake_tried(monkeypatch):
    """Every known mistake's value (and at the tolerance's edge) on every case, judged through
    ``_diagnose`` with and without the wire bytes: the same diagnosis, the same mistakes set aside as
    computing nothing, the same twins, as when the index hands over every mistake."""
    rng = np.random.default_rng(5)
    students = []
    for part, case in CASES:
        fixture = CONTEXT.fixtures[case.id]
        plan = _CasePlan.of(part, case, fixture)
        for name, mutant in sorted(fixture.mutants.items()):
            if isinstance(mutant, MutantError):
                continue
            for value in (mutant, _edge(mutant, case.tolerance, rng=rng)):
                raw = wire.encode(value)
                failed = [spec for spec in plan.specs
                          if not _accepted(value, {"expected": fixture.expected}, [spec], case.tolerance)]
                students.append((part, case, plan, raw, failed or list(plan.specs)))

    def judged():
        found = []
        for part, case, plan, raw, failed in students:
            outcome = type("Outcome", (), {"value": wire.decode(raw), "aliases": ()})()
            for given in (raw, None):
                grader = _grader(part)
                diagnosis = grader._diagnose(case, plan, outcome, failed, {}, (), given)
                found.append((case.id, diagnosis, dict(grader.zeros_as), dict(grader.twins)))
        return found

    CONTEXT.memo.clear()
    indexed = judged()
    monkeypatch.setattr(MistakeIndex, "candidates", lambda self, value, *, specs: self.names)
    CONTEXT.memo.clear()
    assert judged() == indexed
    assert sum(diagnosis is not None for _, diagnosis, _, _ in indexed) > len(indexed) // 2
