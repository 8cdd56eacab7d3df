"""Matching ids a spreadsheet changed (``discover.spreadsheet_change``: ``12345`` for ``0012345``,
``1.23E+08``), in ``Roster.match`` (``--roster``) and ``adjustments.spreadsheet_matches``
(``--adjust``): in time linear in the ids, and as before.

Both compared every unmatched submission with every unmatched roster id or adjusted cell (each
pair working out the submission's numbers again): 2,000 submissions against a roster of 2,000
whose ids they do not give cost 13 s of the grading process before anyone was graded (a class
whose roster holds emails where the submissions hold numbers), and an adjustments file of 20,000
lines for none of 2,000 submissions much more (thirty-third session's hostile review, against
d963ff1; each cost test fails there on its CPU budget).
"""
from __future__ import annotations

import random
from pathlib import Path

from grader.adjustments import Adjustment, spreadsheet_matches
from grader.discover import Roster, RosterStudent, Submission, id_numbers, spreadsheet_change
from grader.files import spreadsheet_text
from tests.cpu import cpu_budget


def _roster(ids) -> Roster:
    return Roster(path=Path("roster.csv"), students=tuple(RosterStudent(id=i, line=k + 2) for k, i in enumerate(ids)),
                  id_column="id")


def _submissions(ids) -> list[Submission]:
    return [Submission(id=i, path=Path(f"/class/{k}.ipynb")) for k, i in enumerate(ids)]


def test_a_roster_that_gives_no_submission_its_student_is_matched_quickly():
    roster = _roster([f"{10**9 + k}" for k in range(2_000)] + [f"1.{k:03d}E+09" for k in range(50)])
    submissions = _submissions([f"{3 * 10**9 + k}" for k in range(2_000)])
    with cpu_budget(1.0):
        matched = roster.match(submissions)
    assert not matched.student_of and len(matched.unlisted) == 2_000


def test_a_large_roster_whose_students_handed_in_is_matched_quickly():
    """Thirty-fourth session (hostile): the students left for the spreadsheet's pairs were those
    ``not in student_of.values()``, each compared with every student matched: a roster of 20,000
    (a department's export) and 2,000 submissions matched by id cost 28 s of the grading process
    before anyone was graded (100,000 lines: 18 s for 2,000 Moodle folders)."""
    roster = _roster([f"s{k}" for k in range(20_000)])
    submissions = _submissions([f"s{k}" for k in range(0, 20_000, 10)])
    with cpu_budget(1.0):
        matched = roster.match(submissions)
    assert len(matched.student_of) == 2_000 and not matched.unlisted and len(matched.missing()) == 18_000


def test_an_adjustments_file_for_no_submission_is_matched_quickly():
    ids = [f"{3 * 10**9 + k}" for k in range(2_000)]
    cells = {f"{10**9 + k}": Adjustment(points=1.0, reasons=("r",), lines=(k + 2,)) for k in range(20_000)}
    with cpu_budget(1.0):
        found, said = spreadsheet_matches(cells, ids)
    assert found == cells and said == []


# ------------------------------------------------------------------ the same matches as before


def _pairs_before(changed, numbers):
    """The pairs d963ff1 compared, each with each: ``{(i, j): hows}``."""
    out = {}
    for i, text in enumerate(changed):
        for j, digits_of in enumerate(numbers):
            hows = {spreadsheet_change(text, digits) for digits in digits_of} - {None}
            if hows:
                out[i, j] = hows
    return out


def _random_ids(rng: random.Random, n: int) -> list[str]:
    def one() -> str:
        kind = rng.random()
        digits = "".join(rng.choice("0123") for _ in range(rng.randint(1, 4)))
        if kind < 0.4:
            return digits
        if kind < 0.6:
            return "0" * rng.randint(1, 2) + digits
        if kind < 0.75:
            exponent = rng.choice(["0", "1", "2", "3", "4", "03", "٣", "３"])
            return f"{rng.randint(0, 3)}{rng.choice('.,')}{rng.randint(0, 30)}{rng.choice('Ee')}+{exponent}"
        if kind < 0.85:
            return f"name_{digits}"
        return rng.choice(["alice", "", "0", "00", "１２", "٣"])
    return [one() for _ in range(n)]


def test_the_pairs_are_those_compared_each_with_each():
    from grader.discover import spreadsheet_pairs

    rng = random.Random(33)
    found = 0
    for _ in range(3_000):
        changed = _random_ids(rng, rng.randint(0, 6))
        numbers = [id_numbers(sid, sid.rsplit("_", 1)[-1]) for sid in _random_ids(rng, rng.randint(0, 6))]
        want = _pairs_before(changed, numbers)
        assert spreadsheet_pairs(changed, numbers) == want, (changed, numbers)
        found += bool(want)
    assert found > 200  # the random ids do meet


def test_roster_and_adjustments_still_match_a_changed_id():
    """Controls: ``0012345`` handed in, ``12345`` on the roster and in the adjustments file."""
    matched = _roster(["12345", "alice"]).match(_submissions(["0012345", "bob"]))
    assert matched.student_of["0012345"].id == "12345" and matched.guessed == {"0012345": "leading zeros dropped"}
    adjusted = {"12345": Adjustment(points=2.0, reasons=("late",), lines=(2,))}
    found, said = spreadsheet_matches(adjusted, ["0012345", "bob"])
    assert found == {spreadsheet_text("0012345"): adjusted["12345"]}
    assert said == ["12345 (line 2, leading zeros dropped) is 0012345"]
