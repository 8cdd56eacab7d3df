"""The scores in a platform's own file, ready to upload, when the roster a class run was given
(``grade.py --roster``) is that platform's export: a Moodle assignment's grading worksheet comes
back as ``OUT/moodle-worksheet.csv``, a Canvas gradebook export as ``OUT/canvas-import.csv``.

What Moodle reads of an uploaded worksheet (``mod/assign/feedback/offline``, ``importgradeslib.php``
and ``locallib.php``'s ``process_import_grades``): the columns named ``Identifier`` (``Participant
4242``), ``Grade`` and ``Last modified (grade)``, found by their names; a row whose grade is empty,
unchanged, above the assignment's maximum grade, or changed in Moodle after the worksheet's
``Last modified (grade)``, is skipped without a word. So a score above the maximum (the IMDB bonus)
is written as the maximum, and said, rather than left for Moodle to drop.

What Canvas reads of a gradebook import (its guides; Ohio State's "Import a CSV file into Carmen
Grades", teaching.resources.osu.edu): the identification columns of its export (``Student``,
``ID``, ``SIS User ID``, ``SIS Login ID``, ``Integration ID`` where the account has them,
``Section``; a student is found by the name, the ``ID`` or the ``SIS User ID``, one of them is
enough) and a column per assignment, named as its export names it (``RNN (1234)``, the
assignment's id in parentheses); a column it does not know becomes a new assignment, and a score
overwrites the one it holds. So the import holds the export's identification columns and the
assignment's column only, and is written only when the export has exactly one assignment column.
An export by a user not allowed to see SIS data has no SIS columns (plom's issue 2338: "If the TA
... exporting the Grade book, it has no "SIS User ID" column"); until the thirty-fourth session
such an export was taken for no platform's, and no import was written, without a word.

A TA opens these files in a spreadsheet before uploading them. A cell whose text a student chose
(a name, an e-mail, Moodle's "Online text") and that starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return is a formula there (CSV injection), so it gets a leading ``'``
(``grader.files.spreadsheet_text``), as in ``grades.csv``: in Moodle's worksheet, every column but
those Moodle reads or fills itself (``_MOODLE_OWN``: the identifier, grade, dates, status, feedback
and outcomes, which its upload compares with what it holds); in Canvas's import, the ``Student``
column (Canvas matches a row by its ``ID`` and SIS columns, kept as exported).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection, Mapping, Sequence

from grader.discover import csv_rows, readable_id
from grader.files import spreadsheet_text

#: The files a class run writes beside ``grades.csv`` for a roster that is a platform's export.
MOODLE_WORKSHEET = "moodle-worksheet.csv"
CANVAS_IMPORT = "canvas-import.csv"
UPLOAD_FILES = (MOODLE_WORKSHEET, CANVAS_IMPORT)
#: The worksheet's columns Moodle's upload needs, as its English strings name them.
_MOODLE_NEEDED = ("Identifier", "Grade", "Last modified (grade)")
_MOODLE_MAXIMUM = "Maximum Grade"
#: The worksheet's columns that Moodle reads on upload or fills in itself, left as exported: no
#: student chose their text (``Feedback ...`` and ``Outcome ...`` columns too, by their start).
_MOODLE_OWN = frozenset({"Identifier", "Status", "Grade", _MOODLE_MAXIMUM, "Grade can be changed",
                         "Last modified (submission)", "Last modified (grade)", "Grader",
                         "Marking workflow state", "Final grade"})
_MOODLE_OWN_STARTS = ("Feedback", "Outcome")
#: The identification columns of a Canvas gradebook export, which its import reads, in its order;
#: ``_CANVAS_NEEDED`` are in every export (the SIS columns only where the user may see SIS data).
_CANVAS_IDS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID", "Section")
_CANVAS_NEEDED = ("Student", "ID")
#: A Canvas export's assignment column: its name and the assignment's id in parentheses.
_CANVAS_ASSIGNMENT = re.compile(r".*\S \(\d+\)$")


@dataclass(frozen=True)
class Upload:
    """A platform's file with the scores (``text``, to write as ``name``), and what the run says
    of it: how many scores it holds, the students whose cell was left as the export had it (with
    why), and those whose score was above the maximum grade (written as the maximum). ``problem``:
    why no file could be written (the export's columns), with ``text`` empty."""

    name: str
    platform: str
    how: str
    text: str = ""
    filled: int = 0
    left: tuple[str, ...] = ()
    capped: tuple[str, ...] = ()
    problem: str = ""

    def note(self, path: Path) -> str:
        """The run's line about it."""
        if self.problem:
            return f"No {self.name} written: {self.problem}."
        said = f"{self.platform} with {self.filled} score(s): {path} ({self.how})"
        if self.left:
            said += (f"; left as the roster had it for {len(self.left)}: "
                     f"{', '.join(self.left[:10])}{' ...' if len(self.left) > 10 else ''}")
        if self.capped:
            said += (f"; written as the maximum grade, since Moodle skips a grade above it, for "
                     f"{len(self.capped)} (their bonus is in grades.csv): "
                     f"{', '.join(self.capped[:10])}{' ...' if len(self.capped) > 10 else ''}")
        return said + "."


def upload_file(matched: Any, *, scores: Mapping[str, float], unchosen: Collection[str] = ()) -> Upload | None:
    """The roster of ``matched`` (a ``grader.discover.RosterMatch``) as its platform's upload,
    each student's score from ``scores`` (submission id -> the score of ``grades.csv``, for the
    submissions that have one: graded or unreadable) when they have exactly one submission, the
    other cells as the export had them; None when the roster is no platform's export.
    ``unchosen``: submissions holding several notebooks of which none was graded (the TA is to
    choose): their cell is left as the export had it, where their 0 of ``grades.csv`` was
    uploaded, a zero on the platform for a student who had done the work."""
    scores = {sid: score for sid, score in scores.items() if sid not in unchosen}
    rows, _separator = csv_rows(matched.roster.path)
    header = [cell.strip() for cell in rows[0][1]]
    if all(name in header for name in _MOODLE_NEEDED):
        return _filled(matched, rows, scores=scores, unchosen=unchosen, keep=range(len(header)),
                       target=header.index("Grade"),
                       inert=[at for at, name in enumerate(header)
                              if name not in _MOODLE_OWN and not name.startswith(_MOODLE_OWN_STARTS)],
                       maximum=header.index(_MOODLE_MAXIMUM) if _MOODLE_MAXIMUM in header else None,
                       upload=Upload(name=MOODLE_WORKSHEET, platform="Moodle grading worksheet",
                                     how="the roster's worksheet, its Grade column filled in; upload "
                                         "it with the assignment's \"Upload grading worksheet\""))
    assignments = [at for at, name in enumerate(header) if _CANVAS_ASSIGNMENT.fullmatch(name)]
    if all(name in header for name in _CANVAS_NEEDED) and (
            assignments or any(name in header for name in _CANVAS_IDS[2:])):
        upload = Upload(name=CANVAS_IMPORT, platform="Canvas gradebook import",
                        how="the export's identification columns and its assignment's; upload it "
                            "with the Gradebook's Import")
        if len(assignments) != 1:
            shown = ", ".join(repr(header[at]) for at in assignments[:4]) or "none"
            return Upload(name=CANVAS_IMPORT, platform=upload.platform, how=upload.how, problem=(
                f"the Canvas export {readable_id(matched.roster.path.name)} has {len(assignments)} "
                f"assignment columns ({shown}) where one is needed: export the gradebook showing "
                f"this assignment alone (\"Export Current Gradebook View\"), or copy grades.csv's "
                f"score column into the export"))
        keep = [header.index(name) for name in _CANVAS_IDS if name in header] + assignments
        return _filled(matched, rows, scores=scores, unchosen=unchosen, keep=keep, target=assignments[0],
                       maximum=None,
                       inert=[header.index("Student")], upload=upload)
    return None


def _filled(matched: Any, rows: list[tuple[int, list[str]]], *, scores: Mapping[str, float],
            unchosen: Collection[str], keep: Any, target: int, maximum: int | None, inert: Sequence[int], upload: Upload) -> Upload:
    """``upload`` with the roster's ``rows`` (the columns ``keep``, in that order), the column
    ``target`` holding each student's score, capped at the column ``maximum``'s number; the cells
    of the columns ``inert`` below the header are ``spreadsheet_text``, no formula."""
    by_line = {student.line: student for student in matched.roster.students}
    submissions = matched.submissions_of()
    width = len(rows[0][1])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    filled, left, capped = 0, [], []
    for at_row, (number, row) in enumerate(rows):
        row = row + [""] * (width - len(row))
        if at_row:
            for at in inert:
                row[at] = spreadsheet_text(row[at])
        student = by_line.get(number)
        if student is not None:
            sids = submissions.get(student.id, ())
            shown = readable_id(student.id)
            if len(sids) == 1 and sids[0] in scores:
                score = scores[sids[0]]
                top = _number(row[maximum]) if maximum is not None else None
                if top is not None and score > top:
                    capped.append(shown)
                    score = top
                row[target] = f"{score:g}"
                filled += 1
            else:
                why = ("excused" if not sids and student.excused else "no submission" if not sids else "several submissions" if len(sids) > 1
                       else "several notebooks, none graded" if sids[0] in unchosen else "not graded")
                left.append(f"{shown} ({why})")
        writer.writerow([row[at] for at in keep])
    return Upload(name=upload.name, platform=upload.platform, how=upload.how, text=out.getvalue(),
                  filled=filled, left=tuple(left), capped=tuple(capped))


def _number(text: str) -> float | None:
    """``text`` as a number (``100.00``; ``100,00`` as a comma-decimal spreadsheet writes it)."""
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None
