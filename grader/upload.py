"""The scores in a platform's own file, ready to upload: a Moodle assignment's grading worksheet
given as the roster (``grade.py --roster worksheet.csv``) comes back as ``OUT/moodle-worksheet.csv``,
the same file with its ``Grade`` column filled in.

What Moodle reads of an uploaded worksheet (``mod/assign/feedback/offline``, ``importgradeslib.php``
and ``locallib.php``'s ``process_import_grades``): the columns named ``Identifier`` (``Participant
4242``), ``Grade`` and ``Last modified (grade)``, found by their names; a row whose grade is empty,
unchanged, above the assignment's maximum grade, or changed in Moodle after the worksheet's
``Last modified (grade)``, is skipped without a word. So a score above the maximum (the IMDB bonus)
is written as the maximum, and said, rather than left for Moodle to drop.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from grader.discover import csv_rows, readable_id

#: The file a class run writes beside ``grades.csv`` when its roster is a Moodle grading worksheet.
MOODLE_WORKSHEET = "moodle-worksheet.csv"
#: The worksheet's columns Moodle's upload needs, as its English strings name them.
_NEEDED = ("Identifier", "Grade", "Last modified (grade)")
_MAXIMUM = "Maximum Grade"


@dataclass(frozen=True)
class Worksheet:
    """The worksheet with the scores (``text``), and what the run says of it: how many grades it
    holds, the students whose ``Grade`` was left as the worksheet had it (with why), and those
    whose score was above the maximum grade (written as the maximum)."""

    text: str
    filled: int
    left: tuple[str, ...]
    capped: tuple[str, ...]

    def note(self, path: Path) -> str:
        """The run's line about it."""
        said = (f"Moodle grading worksheet with {self.filled} score(s): {path} (the roster's worksheet, "
                f"its Grade column filled in; upload it with the assignment's \"Upload grading "
                f"worksheet\")")
        if self.left:
            said += (f"; Grade left as the worksheet had it for {len(self.left)}: "
                     f"{', '.join(self.left[:10])}{' ...' if len(self.left) > 10 else ''}")
        if self.capped:
            said += (f"; written as the maximum grade, since Moodle skips a grade above it, for "
                     f"{len(self.capped)} (their bonus is in grades.csv): "
                     f"{', '.join(self.capped[:10])}{' ...' if len(self.capped) > 10 else ''}")
        return said + "."


def moodle_worksheet(matched: Any, *, scores: Mapping[str, float]) -> Worksheet | None:
    """The roster of ``matched`` (a ``grader.discover.RosterMatch``) with its ``Grade`` filled in,
    when it is a Moodle grading worksheet (else None): each student's score from ``scores``
    (submission id -> the score of ``grades.csv``, for the submissions that have one: graded or
    unreadable), when they have exactly one submission; the other rows as the worksheet had them."""
    roster = matched.roster
    rows, _separator = csv_rows(roster.path)
    header = [cell.strip() for cell in rows[0][1]]
    if not all(name in header for name in _NEEDED):
        return None
    grade_at = header.index("Grade")
    maximum_at = header.index(_MAXIMUM) if _MAXIMUM in header else None
    by_line = {student.line: student for student in roster.students}
    submissions = matched.submissions_of()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0][1])
    filled, left, capped = 0, [], []
    for number, row in rows[1:]:
        student = by_line.get(number)
        if student is None:
            writer.writerow(row)
            continue
        row = row + [""] * (len(header) - len(row))
        sids = submissions.get(student.id, ())
        shown = readable_id(student.id)
        if len(sids) != 1 or sids[0] not in scores:
            why = ("no submission" if not sids else "several submissions" if len(sids) > 1
                   else "not graded")
            left.append(f"{shown} ({why})")
            writer.writerow(row)
            continue
        score = scores[sids[0]]
        top = _number(row[maximum_at]) if maximum_at is not None else None
        if top is not None and score > top:
            capped.append(shown)
            score = top
        row[grade_at] = f"{score:g}"
        filled += 1
        writer.writerow(row)
    return Worksheet(text=out.getvalue(), filled=filled, left=tuple(left), capped=tuple(capped))


def _number(text: str) -> float | None:
    """``text`` as a number (``100.00``; ``100,00`` as a comma-decimal spreadsheet writes it)."""
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None
