"""A TA's points by hand (``grade.py --adjust FILE``): points added to (or taken from) a
submission's score in ``grades.csv``, with the reason, kept in a file of the TA's own.

``grades.csv`` is written anew by every run, so a score edited in it by hand was replaced by the
next run (a late submission, a regrade request) without a word. An adjustment in this file is
applied by every run given it, and a run without it over a gradebook that had adjustments says so.

The file is a CSV file with a header line: ``submission`` (the id, as ``grades.csv`` writes it),
``points`` (a number, negative to take points away; ``2,5`` in a file separated by ``;`` or tabs,
as a spreadsheet whose decimal point is a comma writes it) and optionally ``reason``. Several
lines for one submission add up.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from grader.discover import csv_rows

#: The names of the reason's column (compared ignoring case and spaces).
REASON_COLUMNS = ("reason", "note", "comment")


class AdjustmentError(Exception):
    """The adjustments cannot be used; the message names the file and the line."""


@dataclass(frozen=True)
class Adjustment:
    """The points a TA added to one submission's score, and why (one reason per line)."""

    points: float
    reasons: tuple[str, ...] = ()
    lines: tuple[int, ...] = ()  # the file's lines, for messages


@dataclass(frozen=True)
class Adjustments:
    """The file's adjustments, by submission cell as ``grades.csv`` writes it."""

    path: Path
    by_submission: Mapping[str, Adjustment]


def _number(text: str, *, path: Path, line: int, comma: bool) -> float:
    """``text`` as a finite number; a decimal comma read as a point when ``comma`` (a file not
    separated by commas)."""
    cell = text.strip()
    try:
        value = float(cell.replace(",", ".") if comma else cell)
    except ValueError:
        hint = ("; write a decimal number with a point (2.5), or separate the file's fields by ';'"
                if not comma and "," in cell else "")
        raise AdjustmentError(f"{path}:{line}: points must be a number, not {cell!r}{hint}") from None
    if not math.isfinite(value):
        raise AdjustmentError(f"{path}:{line}: points must be a finite number, not {cell!r}")
    return value


def load_adjustments(path: Path) -> Adjustments:
    """Read the adjustments at ``path`` (see the module). Raises ``AdjustmentError`` naming the
    file and the line: no header with ``submission`` and ``points``, a line without an id, points
    that are no number, more fields than the header (a decimal comma in a file separated by
    commas), text that is not UTF-8."""
    path = Path(path)
    rows, separator = csv_rows(path, what="adjustments file", error=AdjustmentError,
                               example="\"submission,points,reason\"", each="one adjustment a line")
    header = [" ".join(cell.strip().casefold().split()) for cell in rows[0][1]]
    if "submission" not in header or "points" not in header:
        raise AdjustmentError(f"{path}:1: the header line must name the columns 'submission' and "
                              f"'points' (and optionally 'reason'); it reads "
                              f"{', '.join(repr(cell) for cell in rows[0][1][:6])}")
    at, points_at = header.index("submission"), header.index("points")
    reason_at = next((header.index(name) for name in REASON_COLUMNS if name in header), None)
    found: dict[str, Adjustment] = {}
    for number, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            hint = (" (a decimal comma in a file separated by commas: write 2.5, or quote it)"
                    if separator == "," else " (a value holding the separator must be in quotes)")
            raise AdjustmentError(f"{path}:{number}: {len(row)} fields where the header line has "
                                  f"{len(header)}{hint}")
        sid = row[at].strip() if at < len(row) else ""
        if not sid:
            raise AdjustmentError(f"{path}:{number}: no submission on this line (its column "
                                  f"'submission' is empty)")
        points = _number(row[points_at] if points_at < len(row) else "", path=path, line=number,
                         comma=separator != ",")
        reason = row[reason_at].strip() if reason_at is not None and reason_at < len(row) else ""
        before = found.get(sid, Adjustment(points=0.0))
        found[sid] = Adjustment(points=before.points + points,
                                reasons=before.reasons + ((reason,) if reason else ()),
                                lines=before.lines + (number,))
    return Adjustments(path=path, by_submission=found)
