"""Whether a failed case's outputs are a known mistake's (``solution/mutants.py``, stored per case
in the fixtures): which outputs agree with which mistake, within the case's tolerance, and whether
mistakes that agree are told apart by this case. The runner asks (:mod:`grader.runner`); the index
of :mod:`grader.mistakeindex` narrows the mistakes compared."""
from __future__ import annotations

from typing import Any, Sequence

from grader import checks


_MISSING = object()  # not yet worked out (see agreement)


def matches(student: Any, mutant: Any, expected: Any, specs: Sequence[Any], tol: Any, *,
             memo: dict | None = None, key: object = None, seen: dict | None = None) -> bool:
    """Whether the student's value equals the mutant's at every spec path, and the mutant is
    wrong at one of them at least.

    Where the mutant differs from the expected value depends only on the case: with
    ``memo`` and ``key`` it is worked out once per process, and a mistake that does not show
    on this case is dismissed without looking at the student's value. ``seen`` keeps, by
    ``(key, output)``, how the student's output compared with the mutant's, for another
    call on the same value (the outputs that failed, after all of them). Only verdicts are
    needed here: ``checks.agrees``, which writes no message.
    """
    if not mistake_shows(mutant, expected, specs, tol, memo=memo, key=key):
        return False
    return all(agreement(seen, key, spec, student, mutant, tol) for spec in specs)


def outputs_repeat(value: Any, specs: Sequence[Any], *, memo: dict, key: object) -> bool:
    """Whether two of the outputs (``specs``) of a known mistake's ``value`` are equal arrays
    (kept in ``memo`` by ``key``, which names the case and the mistake)."""
    found = memo.get(("repeats",) + key)
    if found is None:
        parts = []
        for spec in specs:
            try:
                parts.append(checks.get_path(value, spec.path))
            except LookupError:
                continue
        found = memo[("repeats",) + key] = any(
            hasattr(x, "shape") and checks.plain_equal(x, y)
            for i, x in enumerate(parts) for y in parts[i + 1:])
    return found


def mistake_twins(fixture: Any, specs: Sequence[Any], tol: Any, mutant_id: str, *, memo: dict,
           case_id: str) -> tuple[str, ...]:
    """The other known mistakes whose value on this case equals ``mutant_id``'s at every output
    (``specs``): the case alone cannot tell them apart (``range(T_x - 1)`` and ``range(len(x))``
    run the same steps when n_x = T_x - 1). Depends on the fixtures only: kept in ``memo``."""
    key = ("twins", case_id, mutant_id)
    found = memo.get(key)
    if found is None:
        mutants = fixture.mutants
        found = memo[key] = tuple(
            other for other, value in sorted(mutants.items())
            if other != mutant_id and type(value).__name__ != "MutantError"
            and all(agreement(None, None, spec, value, mutants[mutant_id], tol) for spec in specs))
    return found


def mistake_shows(mutant: Any, expected: Any, specs: Sequence[Any], tol: Any, *, memo: dict | None, key: object) -> bool:
    """Whether a mistake's value has every spec's path and is wrong at one of them at least
    (kept in ``memo`` by ``(key, output)``, see ``matches``)."""
    shows = False
    for spec in specs:
        found = agreement(memo, key, spec, mutant, expected, tol)
        if found is None:
            return False
        shows = shows or not found
    return shows


def agreement(store: dict | None, key: object, spec: Any, left: Any, right: Any, tol: Any) -> bool | None:
    """Whether ``left`` and ``right`` agree at ``spec``'s path under its check (None when
    either lacks the path), kept in ``store`` by ``(key, spec.name)`` when there is one."""
    found = store.get((key, spec.name), _MISSING) if store is not None else _MISSING
    if found is _MISSING:
        try:
            a = checks.get_path(left, spec.path)
            b = checks.get_path(right, spec.path)
        except LookupError:
            found = None
        else:
            found = checks.agrees(spec.check, a, b, tolerance=tol, name=spec.name)
        if store is not None:
            store[(key, spec.name)] = found
    return found
