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

from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np

from grader import checks
from grader.fixtures import CaseFixture, MutantError
from grader.models import DIMENSIONS, Case, Part, Rubric, Tolerance
from grader.rubric import format_path

__all__ = ["blind_mistakes", "blind_case_warnings", "telling_dims", "unknown_blind_to", "twin_case_warnings",
           "shared_case_warnings", "idle_rtol_warnings", "hidden_only_warnings"]

#: The rtol a case has when nothing sets one (``grader.rubric``'s built-in default).
DEFAULT_RTOL = Tolerance().rtol

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


def telling_dims(part: Part, case: Case, mistakes: Sequence[str], compute: Compute) -> dict[str, tuple[tuple[str, int], ...]]:
    """Mistake -> the ``(dimension, value)`` changes of ``case``'s dimensions, one at a time and one
    larger (``T_x: 2`` for ``T_x: 1``, ``n_x: 7`` for ``n_x = T_x = 6``), on whose inputs it gives
    other outputs than the reference, or raises; in the order of ``DIMENSIONS``. What to tell an
    instructor whose case hides a mistake: which dimension to change (its fixtures then change,
    and the points of every student who makes the mistake)."""
    found: dict[str, list[tuple[str, int]]] = {mistake: [] for mistake in mistakes}
    for dim in DIMENSIONS:
        value = case.dims[dim] + 1
        other = replace(case, dims=MappingProxyType({**case.dims, dim: value}))
        try:
            fixture = compute(part, other)
        except Exception:  # noqa: BLE001 - a builder that refuses these dims: not a way out
            continue
        still = set(blind_mistakes(part, other, fixture))
        for mistake in mistakes:
            if mistake not in still:
                found[mistake].append((dim, value))
    return {mistake: tuple(ways) for mistake, ways in found.items()}


def _dims_fix(case: Case, told: Mapping[str, tuple[tuple[str, int], ...]]) -> str:
    """``; n_x: 7 or T_x: 7 in its dims tells them apart (now ...)`` for :func:`telling_dims`'
    answer (``T_x: 2 tells a, b apart, m: 2 tells c apart`` when they need different changes)."""
    groups: dict[tuple[tuple[str, int], ...], list[str]] = {}
    for mistake, ways in told.items():
        if ways:
            groups.setdefault(ways, []).append(mistake)
    if not groups:
        return ""
    dims = [dim for dim in DIMENSIONS if any(dim == d for ways in groups for d, _ in ways)]
    now = ", ".join(f"{dim} = {case.dims[dim]}" for dim in dims)
    if len(groups) == 1 and len(next(iter(groups.values()))) == len(told):
        ways = " or ".join(f"{dim}: {value}" for dim, value in next(iter(groups)))
        tells = f"{ways} in its dims tells them apart"
    else:
        tells = ", ".join(f"{' or '.join(f'{dim}: {value}' for dim, value in ways)} in its dims tells "
                          f"{', '.join(mistakes)} apart" for ways, mistakes in groups.items())
    return f"; {tells} (now {now}; the case's fixtures then change, and the points of a student who makes one)"


def _fails(value: Any, expected: Any, path: tuple, case: Case) -> bool:
    """Whether ``value`` fails the comparison of ``expected`` at ``path`` (allclose, the case's tolerance)."""
    try:
        got = checks.get_path(value, path)
    except LookupError:
        return True
    return checks.CHECKS["allclose"](got, checks.get_path(expected, path), tolerance=case.tolerance,
                                     name="value") is not None


@dataclass(frozen=True)
class Unseen:
    """Where a known mistake's return value, which passes every output a case compares, differs
    from the reference's all the same: ``left_out``, outputs of the part the case's ``outputs``
    leave out; ``unnamed``, elements of the returned tuple or dict (``"[2]"``) that no output of
    the part reaches. Both empty: it is the reference's everywhere (the case's inputs hide it)."""

    left_out: tuple[str, ...] = ()
    unnamed: tuple[str, ...] = ()


def uncompared(part: Part, case: Case, expected: Any, value: Any) -> Unseen:
    """Where ``value`` differs from ``expected`` outside what ``case`` compares (see :class:`Unseen`)."""
    left_out = tuple(spec.name for spec in part.outputs
                     if spec.name not in case.outputs and _fails(value, expected, spec.path, case))
    unnamed: tuple[str, ...] = ()
    if isinstance(expected, (tuple, list, dict)) and all(spec.path for spec in part.outputs):
        keys = list(expected) if isinstance(expected, dict) else range(len(expected))
        reached = {spec.path[0] for spec in part.outputs}
        unnamed = tuple(format_path((key,)) for key in keys
                        if key not in reached and _fails(value, expected, (key,), case))
    return Unseen(left_out=left_out, unnamed=unnamed)


def _case_warning(part: Part, case: Case, fixture: CaseFixture, unsaid: Sequence[str],
                  compute: Compute | None) -> str:
    """What to say of ``case``, which cannot tell the known mistakes ``unsaid`` from the reference
    (after its ``"FILE:LINE: case ..."``): hidden by its inputs (and which dimension to change),
    by an output it leaves out, or let through by its tolerance (and which tolerance tells)."""
    loose = {m: _catching_rtol(part, case, fixture.expected, fixture.mutants[m]) for m in unsaid}
    unseen = {m: uncompared(part, case, fixture.expected, fixture.mutants[m]) for m in unsaid if loose[m] is None}
    same = [m for m in unseen if not unseen[m].left_out and not unseen[m].unnamed]
    others = [m for m in unseen if m not in same]
    lets = [m for m in unsaid if loose[m] is not None]
    parts = []
    if same:
        told = telling_dims(part, case, same, compute) if compute is not None else {}
        parts.append(f"cannot tell the reference from the known mistake(s) {', '.join(same)}: "
                     f"their outputs are the reference's on this case's inputs{_dims_fix(case, told)}")
    if others:
        outputs = sorted({name for m in others for name in unseen[m].left_out})
        paths = sorted({path for m in others for path in unseen[m].unnamed})
        where = [f"the output(s) {', '.join(outputs)}, which its outputs leave out"] if outputs else []
        where += [f"{', '.join(paths)} of the return value, which no output of the part names"] if paths else []
        parts.append(f"cannot tell the reference from the known mistake(s) {', '.join(others)}: they differ "
                     f"from it only in {' and '.join(where)}")
    if lets:
        rtol = min(loose[m][0] for m in lets)
        tighter = (f"an rtol below {rtol:.2g} tells them apart" if rtol > 0 else
                   f"its atol alone lets them pass: an atol below "
                   f"{min(loose[m][1] for m in lets):.2g} tells them apart")
        parts.append(f"lets the known mistake(s) {', '.join(lets)} pass within its tolerance "
                     f"(rtol {case.tolerance.rtol:g}, atol {case.tolerance.atol:g}); {tighter}")
    remedy = "Give the case inputs that tell them apart (docs/rubrics.md, Known mistakes)" if same or lets else ""
    if others:
        remedy = f"{remedy}, or compare what they change" if remedy else "Compare what they change (docs/rubrics.md, Outputs)"
    return (f"{'; it '.join(parts)}; a student who makes one keeps this case's {case.points:g} points. "
            f"{remedy}, or list them in its blind_to to say it is meant")


def _unnamed_everywhere(part: Part, fixtures: Mapping[str, CaseFixture], mistakes: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Of ``mistakes`` (blind in every case of ``part``), those whose return value differs from the
    reference's only in elements of it that no output of the part names, in every case where its
    ``blind_to`` does not list it: mistake -> those elements (``"[2]"``). The part's outputs, not
    a case, leave them ungraded: one warning for the part says so."""
    found = {}
    for mistake in mistakes:
        places: set[str] = set()
        for case in part.cases:
            if mistake in case.blind_to:
                continue
            fixture = fixtures[case.id]
            unseen = uncompared(part, case, fixture.expected, fixture.mutants[mistake])
            if not unseen.unnamed or unseen.left_out:
                break
            places.update(unseen.unnamed)
        else:
            if places:
                found[mistake] = tuple(sorted(places))
    return found


def blind_case_warnings(rubric: Rubric, fixtures: Mapping[str, CaseFixture], *,
                        compute: Compute | None = None) -> list[str]:
    """``"FILE:LINE: ..."`` for every case that cannot tell a known mistake its ``blind_to`` does
    not list from the reference, and for every ``blind_to`` name the case does tell apart; one
    warning for a part (not one per case) of the mistakes that change only what no output of the
    part names (a rubric that leaves the caches ungraded). ``compute``: how to compute a case's
    fixture (the generator's); with it, a warning of a case whose inputs hide a mistake names the
    change of one dimension that tells it apart."""
    said = []
    for part in rubric.parts:
        blind = {case.id: blind_mistakes(part, case, fixtures[case.id]) for case in part.cases}
        # Blind in every case, and not said to be meant in every case.
        everywhere = sorted(set.intersection(*(set(found) for found in blind.values()))
                            - set.intersection(*(set(case.blind_to) for case in part.cases))) if blind else []
        unnamed = _unnamed_everywhere(part, fixtures, everywhere)
        if unnamed:
            paths = sorted({path for places in unnamed.values() for path in places})
            written = ", ".join(f'path: "{path}"' for path in paths)
            said.append(f"{rubric.path}:{part.line}: the known mistake(s) {', '.join(unnamed)} change only "
                        f"{', '.join(paths)} of what {part.function} returns, which no output of {part.name} "
                        f"names, so a student who makes one gets all {part.max_points:g} points of {part.name}. "
                        f"To grade {'it' if len(paths) == 1 else 'them'}, add an output with {written} "
                        f"(docs/rubrics.md, Outputs); to say it is meant, list the mistakes in the blind_to of "
                        f"its cases")
        everywhere = [mistake for mistake in everywhere if mistake not in unnamed]
        if everywhere:
            said.append(f"{rubric.path}:{part.line}: no case of {part.name} tells the known mistake(s) "
                        f"{', '.join(everywhere)} from the reference, so a student who makes one gets all "
                        f"{part.max_points:g} points of {part.name} (the cases' warnings follow)")
        for case in part.cases:
            where = f"{rubric.path}:{case.line}: case {case.name!r} ({case.id}, {case.points:g} points)"
            # A case split in two on the same inputs (docs/rubrics.md, A tighter tolerance for one
            # output) is one case: a mistake its other half catches is caught.
            halves = [other.id for other in part.cases if other is not case and other.spec() == case.spec()]
            unsaid = [mistake for mistake in blind[case.id] if mistake not in case.blind_to and mistake not in unnamed
                      and all(mistake in blind[half] for half in halves)]
            if unsaid:
                said.append(f"{where} {_case_warning(part, case, fixtures[case.id], unsaid, compute)}")
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


def hidden_only_warnings(rubric: Rubric) -> list[str]:
    """``"FILE:LINE: ..."`` for each part whose cases are all hidden, when others have a public one:
    the student kit keeps the part with no case (``Rubric.only("public", keep_empty=True)``), and its
    self-check cannot check the function: it says the function is graded on hidden cases only and
    counts its points among theirs. Found making a new term's only public case of rnn_forward hidden
    (thirty-eighth session), when the kit left the part out altogether."""
    if not any(case.visibility == "public" for case in rubric.cases):
        return []  # no kit to check anything with: said by the self-check itself
    return [f"{rubric.path}:{part.line}: part {part.name} has no public case: the students' self-check cannot "
            f"check {part.function} (it says {part.function} is graded on hidden cases only, worth "
            f"{part.max_points:g} points); give it a public case if students should check it before they hand in"
            for part in rubric.parts if all(case.visibility == "hidden" for case in part.cases)]


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


def idle_rtol_warnings(rubric: Rubric, fixtures: Mapping[str, CaseFixture]) -> list[str]:
    """``"FILE:LINE: ..."`` for each case whose ``rtol``, tightened (below another case's of its
    part, or below the grader's default 1e-5), is below its ``atol`` and plays no part:
    ``atol`` is at least ``rtol`` times every expected value it compares, so the bound is ``atol``
    alone. An instructor who tightens one output's tolerance by a case's ``rtol: 1.0e-9`` (docs/rubrics.md,
    A tighter tolerance for one output) under the default ``atol: 1.0e-7`` tightened nothing: a
    ``float32`` hidden state passed it (thirty-seventh session). A part whose cases all share one
    such ``rtol`` (written once in the part) was passed over until the thirty-eighth session: it
    was compared with its own cases' alone."""
    said = []
    for part in rubric.parts:
        specs = {spec.name: spec for spec in part.outputs}
        for case in part.cases:
            rtol, atol = case.tolerance.rtol, case.tolerance.atol
            others = max([DEFAULT_RTOL, *(c.tolerance.rtol for c in part.cases if c is not case)])
            fixture = fixtures.get(case.id)
            if fixture is None or not 0 < rtol < min(atol, others):  # an rtol tightened, under its atol
                continue
            largest = [float(np.nanmax(np.abs(array))) for name in case.outputs
                       if specs[name].check == "allclose"
                       for array in _arrays(checks.get_path(fixture.expected, specs[name].path))
                       if array.size and array.dtype.kind in "fc" and np.isfinite(array).any()]
            if largest and atol >= rtol * max(largest):
                said.append(f"{rubric.path}:{case.line}: case {case.name!r} ({case.id}) has rtol {rtol:g} under "
                            f"atol {atol:g}, which is larger than rtol times every value it compares (the largest "
                            f"is {max(largest):.3g}): its bound is atol alone, and the rtol tightens nothing; give "
                            f"the case an atol too (atol: {rtol * max(largest) / 10:.0e}, a tenth of rtol times "
                            f"that value)")
    return said
