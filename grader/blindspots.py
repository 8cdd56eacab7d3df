"""Known mistakes a rubric's cases cannot tell from the reference: the generator's warnings.

A case tells a known mistake (``solution.mutants``, stored in the fixtures) from the reference
when the mistake's return value fails at least one of the case's compared outputs, as the grader
compares them (the output's check, the case's tolerance). A case that cannot gives a student who
makes the mistake the case's points: its inputs hide it (``T_x = 1`` hides the mistakes of a loop
over time, ``m = 1`` a mean over the examples, ``n_a = 1`` a transpose), or its tolerance is loose
enough to let it pass. ``python3 -m grader.regenerate`` prints one warning per such case, naming
the mistakes; a case's ``blind_to`` lists those it is meant not to tell apart.

Also here: two cases of a part with the same inputs (a hidden case whose expected value the
public fixtures give away, or the same comparison graded twice), and a hidden case with the inputs
of another rubric's public case (a make-up exam's, whose students have the first exam's kit).
"""
from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np

from grader import checks
from grader.fixtures import CaseFixture, MutantError
from grader.models import DIMENSIONS, Case, Part, Rubric

__all__ = ["blind_mistakes", "blind_case_warnings", "telling_dims", "unknown_blind_to", "twin_case_warnings",
           "shared_case_warnings"]

#: Differences up to this (absolute and relative) are the same value: the generator's ``--check`` tolerance.
SAME = 1e-12


def _passes(part: Part, case: Case, expected: Any, value: Any) -> bool:
    """Whether ``value`` passes every output ``case`` compares, as the grader checks them."""
    specs = {spec.name: spec for spec in part.outputs}
    for name in case.outputs:
        spec = specs[name]
        try:
            got = checks.get_path(value, spec.path)
        except LookupError:
            return False
        want = checks.get_path(expected, spec.path)
        if checks.CHECKS[spec.check](got, want, tolerance=case.tolerance, name=name) is not None:
            return False
    return True


def blind_mistakes(part: Part, case: Case, fixture: CaseFixture) -> tuple[str, ...]:
    """Ids of the known mistakes whose return value on ``case``'s inputs passes all its checks."""
    return tuple(mistake for mistake, outcome in fixture.mutants.items()
                 if not isinstance(outcome, MutantError) and _passes(part, case, fixture.expected, outcome))


def _arrays(value: Any) -> Iterator[np.ndarray]:
    """The numeric arrays of a value, in order (tuples, lists and dicts walked)."""
    if isinstance(value, dict):
        for key in value:
            yield from _arrays(value[key])
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _arrays(item)
    else:
        array = np.asarray(value) if not isinstance(value, (str, bytes, type(None))) else None
        if array is not None and array.dtype.kind in "biufc":
            yield array


def _catching_rtol(part: Part, case: Case, expected: Any, value: Any) -> tuple[float, float] | None:
    """``(rtol, gap)``: the largest rtol at which ``case`` (its atol kept) would tell ``value`` from
    ``expected`` (0 or less when its atol alone hides every difference), and the largest difference;
    None when ``value`` is the reference's own (within ``SAME``, relative and absolute) in every
    output compared."""
    specs = {spec.name: spec for spec in part.outputs}
    best, widest = None, 0.0
    for name in case.outputs:
        spec = specs[name]
        if spec.check not in ("allclose", "exact"):
            continue
        pairs = zip(_arrays(checks.get_path(value, spec.path)), _arrays(checks.get_path(expected, spec.path)))
        for got, want in pairs:
            if got.shape != want.shape or not got.size:
                continue
            gap = np.abs(got.astype(complex if got.dtype.kind == "c" else float) - want)
            scale = np.abs(want).astype(float)
            if not np.any(gap > SAME * (1 + scale)):
                continue
            widest = max(widest, float(np.nanmax(gap)))
            with np.errstate(divide="ignore", invalid="ignore"):
                rtols = np.where(scale > 0, (gap - case.tolerance.atol) / scale, -np.inf)
            top = float(np.nanmax(rtols))
            best = top if best is None else max(best, top)
    return None if best is None else (best, widest)


#: ``compute(part, case) -> CaseFixture``: the fixture of a case the rubric does not have (the
#: generator's ``compute_case``), to try other dimensions on.
Compute = Callable[[Part, Case], CaseFixture]


def telling_dims(part: Part, case: Case, mistakes: Sequence[str], compute: Compute) -> list[tuple[str, int]]:
    """``(dimension, value)`` for each single change of ``case``'s dimensions (one more: ``T_x:
    2`` for ``T_x: 1``, ``n_x: 7`` for ``n_x = T_x = 6``) on whose inputs every one of
    ``mistakes`` gives other outputs than the reference, or raises; in the order of
    ``DIMENSIONS``. What to tell an instructor whose case hides a mistake: which dimension to
    change (its fixtures then change, and the points of every student who makes the mistake)."""
    found = []
    for dim in DIMENSIONS:
        value = case.dims[dim] + 1
        other = replace(case, dims=MappingProxyType({**case.dims, dim: value}))
        try:
            fixture = compute(part, other)
        except Exception:  # noqa: BLE001 - a builder that refuses these dims: not a way out
            continue
        if not set(mistakes) & set(blind_mistakes(part, other, fixture)):
            found.append((dim, value))
    return found


def _dims_fix(case: Case, told: Sequence[tuple[str, int]]) -> str:
    """``; n_x: 7 or T_x: 7 in its dims tells them apart (now ...)`` for :func:`telling_dims`' answer."""
    if not told:
        return ""
    ways = " or ".join(f"{dim}: {value}" for dim, value in told)
    now = ", ".join(f"{dim} = {case.dims[dim]}" for dim, _ in told)
    return (f"; {ways} in its dims tells them apart (now {now}; the case's fixtures then change, "
            f"and the points of a student who makes one)")


def blind_case_warnings(rubric: Rubric, fixtures: Mapping[str, CaseFixture], *,
                        compute: Compute | None = None) -> list[str]:
    """``"FILE:LINE: ..."`` for every case that cannot tell a known mistake its ``blind_to`` does
    not list from the reference, and for every ``blind_to`` name the case does tell apart.
    ``compute``: how to compute a case's fixture (the generator's); with it, a warning of a case
    whose inputs hide a mistake names the change of one dimension that tells it apart."""
    said = []
    for part in rubric.parts:
        blind = {case.id: blind_mistakes(part, case, fixtures[case.id]) for case in part.cases}
        # Blind in every case, and not said to be meant in every case.
        everywhere = sorted(set.intersection(*(set(found) for found in blind.values()))
                            - set.intersection(*(set(case.blind_to) for case in part.cases))) if blind else []
        if everywhere:
            said.append(f"{rubric.path}:{part.line}: no case of {part.name} tells the known mistake(s) "
                        f"{', '.join(everywhere)} from the reference, so a student who makes one gets all "
                        f"{part.max_points:g} points of {part.name} (the cases' warnings follow)")
        for case in part.cases:
            where = f"{rubric.path}:{case.line}: case {case.name!r} ({case.id}, {case.points:g} points)"
            fixture = fixtures[case.id]
            unsaid = [mistake for mistake in blind[case.id] if mistake not in case.blind_to]
            if unsaid:
                loose = {m: _catching_rtol(part, case, fixture.expected, fixture.mutants[m]) for m in unsaid}
                same = [m for m in unsaid if loose[m] is None]
                lets = [m for m in unsaid if loose[m] is not None]
                parts = []
                if same:
                    told = telling_dims(part, case, same, compute) if compute is not None else []
                    parts.append(f"cannot tell the reference from the known mistake(s) {', '.join(same)}: "
                                 f"their outputs are the reference's on this case's inputs{_dims_fix(case, told)}")
                if lets:
                    rtol = min(loose[m][0] for m in lets)
                    tighter = (f"an rtol below {rtol:.2g} tells them apart" if rtol > 0 else
                               f"its atol alone lets them pass: an atol below "
                               f"{min(loose[m][1] for m in lets):.2g} tells them apart")
                    parts.append(f"lets the known mistake(s) {', '.join(lets)} pass within its tolerance "
                                 f"(rtol {case.tolerance.rtol:g}, atol {case.tolerance.atol:g}); {tighter}")
                said.append(f"{where} {'; it '.join(parts)}; a student who makes one keeps this case's "
                            f"{case.points:g} points. Give the case inputs that tell them apart "
                            f"(docs/rubrics.md, Known mistakes), or list them in its blind_to to say it is meant")
            needless = [m for m in case.blind_to if m not in blind[case.id]]
            if needless:
                said.append(f"{where} lists {', '.join(needless)} in blind_to, but tells "
                            f"{'it' if len(needless) == 1 else 'them'} apart from the reference: remove "
                            f"{'it' if len(needless) == 1 else 'them'} from blind_to")
    return said


def unknown_blind_to(rubric: Rubric, mistakes: Mapping[str, Any]) -> str | None:
    """``"FILE:LINE: ..."`` for the first ``blind_to`` name that is not a known mistake, or None."""
    import difflib

    for part in rubric.parts:
        own = sorted(m for m in mistakes if m.split("/")[0] == part.function)
        for case in part.cases:
            for mistake in case.blind_to:
                if mistake not in mistakes:
                    close = difflib.get_close_matches(mistake, own, n=1, cutoff=0.6)
                    mean = f"; did you mean {close[0].split('/', 1)[1]!r}?" if close else ""
                    known = ", ".join(m.split("/", 1)[1] for m in own) or "none"
                    return (f"{rubric.path}:{case.line}: blind_to names {mistake!r}, which is not a known "
                            f"mistake of solution/mutants.py{mean} (those of {part.function}: {known})")
    return None


def twin_case_warnings(rubric: Rubric) -> list[str]:
    """``"FILE:LINE: ..."`` for each case with the inputs of an earlier case of its part (same
    builder, seed and dimensions) that is public where it is hidden (the public fixtures give its
    expected value away) or compares an output the earlier one compares too (graded twice)."""
    said = []
    for part in rubric.parts:
        for k, case in enumerate(part.cases):
            for earlier in part.cases[:k]:
                if earlier.spec() != case.spec():
                    continue
                shared = [name for name in case.outputs if name in earlier.outputs]
                if earlier.visibility != case.visibility:
                    hidden, public = (case, earlier) if case.visibility == "hidden" else (earlier, case)
                    why = (f"the hidden case {hidden.name!r} (line {hidden.line}) has the inputs of the public "
                           f"case {public.name!r} (line {public.line}): its expected value is in the public "
                           f"fixtures and the student kit")
                elif shared:
                    why = (f"case {case.name!r} has the inputs of case {earlier.name!r} (line {earlier.line}) "
                           f"and compares {', '.join(shared)} too: the same comparison is graded twice")
                else:
                    continue
                said.append(f"{rubric.path}:{case.line}: {why}; give it another seed or other dims")
                break
    return said


def shared_case_warnings(rubric: Rubric, others: Sequence[Rubric]) -> list[str]:
    """``"FILE:LINE: ..."`` for each case of ``rubric`` whose inputs (function, builder, seed, dims)
    are those of a case of another rubric with the other visibility: the public one's kit gives
    the hidden one's expected value away (a make-up exam's hidden case copied from the exam's
    public one, or its public case from the exam's hidden one)."""
    said = []
    for case in rubric.cases:
        for other in others:
            twin = next((c for c in other.cases if c.visibility != case.visibility and c.spec() == case.spec()), None)
            if twin is None:
                continue
            hidden, public = ((case, rubric), (twin, other)) if case.visibility == "hidden" else ((twin, other), (case, rubric))
            said.append(f"{rubric.path}:{case.line}: the hidden case {hidden[0].name!r} of {hidden[1].path} (line "
                        f"{hidden[0].line}) has the inputs of the public case {public[0].name!r} of {public[1].path} "
                        f"(line {public[0].line}): the student kit of {public[1].name} gives its expected value away; "
                        f"give one of the two another seed or other dims")
            break
    return said
