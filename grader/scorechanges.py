"""What a run changed in the class's scores: ``score-changes.csv`` and the sentence that sums it up.

An instructor who grades a rubric edit into a copy of the output folder decides from these
whether the edit is fair: every changed score, in points and in percent of ``max_score`` (a
rubric edit that changes the total moves every score in points, and the percent says what
changed for the student), and one line: how many gain, how many lose, by how much at most.
Built by ``grader.report.Gradebook`` from the earlier ``grades.csv`` and this run's rows.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Callable, Sequence

__all__ = ["ScoreChange", "CSV_HEADER", "changes_csv", "summary", "sentence", "total_changed"]

#: The columns of ``score-changes.csv``; the first four are those it had before the percents.
CSV_HEADER = ("submission", "before", "after", "change", "before_percent", "after_percent", "change_percent")


@dataclass(frozen=True)
class ScoreChange:
    """One submission's score in the earlier gradebook and in this run's (``max_*`` None when the
    earlier gradebook had no readable ``max_score``)."""

    submission: str
    before: float
    after: float
    max_before: float | None
    max_after: float | None

    @property
    def change(self) -> float:
        """The change in points."""
        return self.after - self.before

    @property
    def moved(self) -> bool:
        """Whether the score moved: in points, or in percent of ``max_score`` (to two decimals)."""
        percent = self.percent_change
        return abs(self.change) > 1e-9 or (percent is not None and abs(percent) >= 0.005)

    @property
    def percent_before(self) -> float | None:
        return _percent(self.before, self.max_before)

    @property
    def percent_after(self) -> float | None:
        return _percent(self.after, self.max_after)

    @property
    def percent_change(self) -> float | None:
        """The change in percentage points of ``max_score`` (None when either percent is unknown)."""
        before, after = self.percent_before, self.percent_after
        return None if before is None or after is None else after - before


def _percent(score: float, top: float | None) -> float | None:
    return None if top is None or top <= 0 else 100.0 * score / top


def _number(value: float | None, *, signed: bool = False) -> str:
    """A cell or a figure: at most two decimals, ``+`` on a gain when ``signed``; "" for None."""
    if value is None:
        return ""
    value = round(value, 2) + 0.0  # no "-0"
    return f"{value:+g}" if signed and value else f"{value:g}"


def _points(value: float) -> str:
    """``"+0.5 points"``, ``"-1 point"``."""
    return f"{value:+g} point{'' if abs(value) == 1 else 's'}"


def _tops(changes: Sequence[ScoreChange]) -> set[float | None]:
    """Every ``max_score`` of the earlier and this run's gradebooks (None: an unknown earlier one)."""
    return {c.max_after for c in changes} | {c.max_before for c in changes}


def total_changed(changes: Sequence[ScoreChange]) -> bool:
    """Whether ``max_score`` differs between the two gradebooks (two or more known totals): then
    the points of two students are not of the same total, and the percent is what the grade is."""
    return len(_tops(changes) - {None}) > 1


def _loss_first(change: ScoreChange, by_percent: bool) -> tuple:
    """The sort key of a row: the largest loss in points first; when ``by_percent`` (the total
    changed), the largest loss in percent of ``max_score`` first, rows whose percent is unknown last."""
    if by_percent:
        return (change.percent_change is None, change.percent_change or 0.0, change.change, change.submission)
    return (change.change, change.percent_change or 0.0, change.submission)


def _in_csv_order(changes: Sequence[ScoreChange]) -> list[ScoreChange]:
    """The changes in the order of ``score-changes.csv``: the largest loss first (:func:`_loss_first`)."""
    by_percent = total_changed(changes)
    return sorted(changes, key=lambda c: _loss_first(c, by_percent))


def changes_csv(changes: Sequence[ScoreChange], *, cell: Callable[[str], str] = str) -> str:
    """The text of ``score-changes.csv``: one row per change, the largest loss first: in points
    (then in percent, then by submission) while ``max_score`` is the same, in percent of it when it
    changed (a student who gains 4 points of a larger total can lose percent, and the percent is
    the grade); ``cell`` makes the submission id safe for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for change in _in_csv_order(changes):
        writer.writerow([cell(change.submission), f"{change.before:g}", f"{change.after:g}",
                         f"{change.change:+g}" if change.change else "0",
                         _number(change.percent_before), _number(change.percent_after),
                         _number(change.percent_change, signed=True)])
    return out.getvalue()


def _moved(values: Sequence[float], unit: Callable[[float], str], *, least: float = 1e-9,
           nothing: str = "no one gains or loses") -> str:
    """``"2 gain (at most +0.5 points), 1 loses (at most -90 points)"``: how many of ``values`` are
    ``least`` or more above and below 0, and the largest of each, written by ``unit``."""
    said = []
    for one, many, picked in (("gains", "gain", [v for v in values if v >= least]),
                              ("loses", "lose", [v for v in values if v <= -least])):
        if len(picked) == 1:
            said.append(f"1 {one} ({unit(picked[0])})")
        elif picked:
            said.append(f"{len(picked)} {many} (at most {unit(max(picked, key=abs))})")
    return ", ".join(said) if said else nothing


def summary(changes: Sequence[ScoreChange]) -> str:
    """One line: how many gain and how many lose, by how much at most, in points and in percent of
    ``max_score`` ("" when nothing changed). When ``max_score`` changed, the percents are counted
    on their own: a student can gain points and lose percent."""
    if not changes:
        return ""
    tops = _tops(changes)
    if len(tops) == 1 and None not in tops and next(iter(tops)) > 0:  # one max_score: points and percent agree
        top = next(iter(tops))
        return _moved([c.change for c in changes],
                      lambda v: f"{_points(v)}, {_number(100 * v / top, signed=True)}% of {top:g}")
    said = _moved([c.change for c in changes], _points, nothing="no one gains or loses points")
    percents = [c.percent_change for c in changes if c.percent_change is not None]
    if not percents:
        return said
    return (f"{said}; in percent of max_score: "
            f"{_moved(percents, lambda v: f'{_number(v, signed=True)} percentage points', least=0.005)}")


def sentence(changes: Sequence[ScoreChange], *, tops: Sequence[str] = (), listed: Any = None) -> str:
    """What a run says of the scores it changed ("" when none did and ``max_score`` did not
    change): how many, and ``tops`` (``"90 -> 100"``, the ``max_score`` changes); the
    :func:`summary`; ten changes (``ada 90 -> 90.5``, or ``ada 90/90 -> 90/100`` where
    ``max_score`` changed), in :func:`changes_csv`'s order, the largest loss first (in percent when
    ``max_score`` changed); ``listed``, the file that has every one, and that order."""
    top = ", ".join(tops)
    if not changes:
        return f"No score differs from the earlier grades.csv, and max_score {top}." if tops else ""
    head = (f"{len(changes)} score(s) differ from the earlier grades.csv, in points or in percent of "
            f"max_score, which changed ({top})" if tops else f"{len(changes)} score(s) differ from the earlier grades.csv")
    shown = [f"{c.submission} {c.before:g}/{c.max_before:g} -> {c.after:g}/{c.max_after:g}"
             if c.max_before is not None and c.max_after is not None and c.max_before != c.max_after
             else f"{c.submission} {c.before:g} -> {c.after:g}" for c in _in_csv_order(changes)[:10]]
    more = f" and {len(changes) - 10} more" if len(changes) > 10 else ""
    first = "the largest loss in percent of max_score first" if total_changed(changes) else "the largest loss first"
    where = f" (every one in {listed}, with percents of max_score, {first})" if listed is not None else ""
    return f"{head}: {summary(changes)}. {', '.join(shown)}{more}{where}."
