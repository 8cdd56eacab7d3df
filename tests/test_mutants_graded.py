"""Every known mistake, written into an otherwise correct notebook, loses exactly its share
under rubrics/rnn.yaml and is diagnosed as itself."""
from __future__ import annotations

import pytest

from grader import checks
from grader.classfiles import DEFAULT_RUBRIC
from grader.commands import load_context
from grader.runner import grade_submission
from solution.mutants import MUTANTS, mutant_source
from tests import notebooks as nbs

CONTEXT = load_context(DEFAULT_RUBRIC)
GRADED = {part.function for part in CONTEXT.rubric.parts}
IDS = sorted(m for m, mutant in MUTANTS.items() if mutant.function in GRADED)


def expected_points(mutant_id: str) -> float:
    """What the rubric should give: per case, the shares of the outputs the mistake leaves right."""
    function = MUTANTS[mutant_id].function
    part = CONTEXT.rubric.part(function)
    total = 0.0
    for case in part.cases:
        fixture = CONTEXT.fixtures[case.id]
        value = fixture.mutants[mutant_id]
        if type(value).__name__ == "MutantError":
            continue
        specs = [part.output(name) for name in case.outputs]
        weight = sum(s.weight for s in specs)
        for spec in specs:
            try:
                got = checks.get_path(value, spec.path)
            except LookupError:
                continue
            want = checks.get_path(fixture.expected, spec.path)
            if checks.CHECKS[spec.check](got, want, tolerance=case.tolerance, name=spec.name) is None:
                total += case.points * spec.weight / weight
    return total


def test_every_graded_function_has_mutants():
    assert {MUTANTS[m].function for m in IDS} == GRADED


def test_fixtures_hold_every_mutant_with_its_message():
    for mutant_id in IDS:
        assert CONTEXT.mutant_messages.get(mutant_id) == MUTANTS[mutant_id].message
        part = CONTEXT.rubric.part(MUTANTS[mutant_id].function)
        assert all(mutant_id in CONTEXT.fixtures[c.id].mutants for c in part.cases)


@pytest.mark.parametrize("mutant_id", IDS)
def test_mutant_loses_exactly_its_share_and_is_named(mutant_id, tmp_path, sandbox):
    mutant = MUTANTS[mutant_id]
    nb = nbs.course_notebook({mutant.function: mutant_source(mutant_id)})
    path = nbs.write(tmp_path / "student.ipynb", nb)
    result = grade_submission(path, context=CONTEXT, sandbox=sandbox)
    part = result.part(mutant.function)
    assert part.points < part.max_points, "the mistake went unnoticed"
    assert part.points == pytest.approx(expected_points(mutant_id), abs=1e-6)
    # Every other part is untouched: one mistake costs once.
    for other in result.parts:
        if other.name != part.name and other.name in GRADED:
            assert other.points == other.max_points, (other.name, [c.message for c in other.cases])
    diagnosed = [c.diagnosis.id for c in part.cases if c.diagnosis]
    assert mutant_id in diagnosed or any(d.endswith(mutant_id) for d in diagnosed), diagnosed
    # No case is told another known mistake (the catalog's ids are told apart on every case).
    assert {d for d in diagnosed if d in MUTANTS} == {mutant_id}, diagnosed
