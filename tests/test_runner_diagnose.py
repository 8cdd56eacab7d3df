"""runner._Grader._reproduces: the shortcut to a known mistake from a value's wire bytes is only
ever taken where ``matches`` over every output says the same, and a diagnosis with it is the
diagnosis without it."""
from __future__ import annotations

import numpy as np
import pytest

from grader import wire
from grader.classfiles import DEFAULT_RUBRIC
from grader.commands import load_context
from grader.runner import _CasePlan, _Grader
from grader.mistakematch import matches

CONTEXT = load_context(DEFAULT_RUBRIC)
CASES = [(part, case) for part in CONTEXT.rubric.parts for case in part.cases]


def _grader(part) -> _Grader:
    """A grader of ``part`` that only judges (no session, no program)."""
    return _Grader(part=part, context=CONTEXT, extraction=None, program=None, session=None, fallback=None)


def _candidates(fixture) -> list:
    """Values a student may return on a case: each known mistake's, the right one, and near misses."""
    values = [v for _, v in sorted(fixture.mutants.items()) if type(v).__name__ != "MutantError"]
    values.append(fixture.expected)

    def nudged(value, factor):
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            return value * factor
        if isinstance(value, (list, tuple)):
            return type(value)(nudged(v, factor) for v in value)
        if isinstance(value, dict):
            return {k: nudged(v, factor) for k, v in value.items()}
        return value

    for value in values[:2]:
        values += [nudged(value, 1 + 1e-9), nudged(value, 1 + 1e-3)]
    return values


@pytest.mark.parametrize("part,case", CASES, ids=[case.id for _, case in CASES])
def test_the_shortcut_is_taken_only_where_matches_agrees(part, case):
    fixture = CONTEXT.fixtures[case.id]
    plan = _CasePlan.of(part, case, fixture)
    grader = _grader(part)
    taken = 0
    for student in _candidates(fixture):
        raw = wire.encode(student)
        decoded = wire.decode(raw)
        for mutant_id, mutant in sorted(fixture.mutants.items()):
            if type(mutant).__name__ == "MutantError":
                continue
            key = ("mutant", case.id, mutant_id)
            quick = grader._reproduces(case, plan, key, mutant, raw, decoded, {})
            slow = matches(decoded, mutant, fixture.expected, plan.specs, case.tolerance)
            assert not quick or slow, (mutant_id, "the shortcut names a mistake matches does not")
            taken += quick
    assert taken  # each case's own mistakes, returned as they are, take it


def test_a_diagnosis_is_the_same_with_and_without_the_wire_bytes():
    for part, case in CASES:
        fixture = CONTEXT.fixtures[case.id]
        plan = _CasePlan.of(part, case, fixture)
        for student in _candidates(fixture)[:-5]:
            raw = wire.encode(student)
            outcome = type("Outcome", (), {"value": wire.decode(raw), "aliases": ()})()
            failed = list(plan.specs)
            with_bytes = _grader(part)._diagnose(case, plan, outcome, failed, {}, (), raw)
            without = _grader(part)._diagnose(case, plan, outcome, failed, {}, ())
            assert with_bytes == without, case.id
