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
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

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


def spreadsheet_matches(by_submission: Mapping[str, Adjustment], ids: Sequence[str],
                        ) -> tuple[dict[str, Adjustment], list[str]]:
    """``by_submission`` with each cell that is no submission of ``ids`` (as ``grades.csv`` writes
    them) but an id a spreadsheet changed (``grader.discover.spreadsheet_change``: ``12345`` for
    ``0012345``, ``1.23E+08``) given to the one submission it can be, where that cannot be
    ambiguous (one submission for the cell, one such cell for the submission, which has no
    line of its own); and what was matched so, to say it ("12345 (line 2, leading zeros dropped)
    is 0012345"). A Canvas or Moodle id's number is its last ``_`` part."""
    from grader.discover import id_numbers, spreadsheet_pairs
    from grader.files import spreadsheet_text

    cells = {spreadsheet_text(sid): sid for sid in ids}
    unmatched = [cell for cell in by_submission if cell not in cells]
    without = [sid for sid in ids if spreadsheet_text(sid) not in by_submission]
    found_pairs = spreadsheet_pairs(unmatched, [id_numbers(sid, sid.rsplit("_", 1)[-1]) for sid in without])
    pairs = [(unmatched[i], without[j], how) for (i, j), hows in sorted(found_pairs.items()) for how in hows]
    per_cell: dict[str, int] = {}
    per_sid: dict[str, int] = {}
    for cell, sid, _ in pairs:
        per_cell[cell] = per_cell.get(cell, 0) + 1
        per_sid[sid] = per_sid.get(sid, 0) + 1
    found = dict(by_submission)
    said = []
    for cell, sid, how in pairs:
        if per_cell[cell] == 1 and per_sid[sid] == 1:
            found[spreadsheet_text(sid)] = found.pop(cell)
            said.append(f"{cell} (line {by_submission[cell].lines[0]}, {how}) is {sid}")
    return found, said


# --------------------------------------------------------------------------- in the student's files

#: The marks around what the feedback says of a TA's points by hand: a later run replaces what
#: is between them, or removes it when the points are gone from the file.
SHOWN_START, SHOWN_END = "<!-- points by hand -->", "<!-- /points by hand -->"
#: The tag of the test ``results.json`` gains for them (Gradescope's results format allows tags).
RESULTS_TAG = "points by hand"
_SHOWN = re.compile(re.escape(SHOWN_START) + r".*?" + re.escape(SHOWN_END) + r"\n*", re.DOTALL)
_MD_SCORE = re.compile(r"^\*\*Score: [^\n]*\*\*\n\n", re.MULTILINE)
_HTML_SCORE = re.compile(r'<p class="grader-score">[^<]*</p>')


def _said(adjustment: Adjustment, *, points: float, max_points: float) -> tuple[str, str, str]:
    """(the points, signed; the reasons; the score with them), as the feedback writes them."""
    return (f"{adjustment.points:+g}", "; ".join(adjustment.reasons),
            f"{points + adjustment.points:g} / {max_points:g}")


def feedback_markdown_with(text: str, adjustment: Adjustment | None, *, points: float,
                           max_points: float) -> str:
    """``feedback.md``'s ``text`` saying ``adjustment`` (the grader's ``points`` of ``max_points``)
    right under its score line, or saying none (an earlier run's words removed)."""
    from grader.report import markdown_text

    text = _SHOWN.sub("", text, count=1)
    score = _MD_SCORE.search(text)
    if adjustment is None or score is None:
        return text
    signed, reasons, total = _said(adjustment, points=points, max_points=max_points)
    why = f" ({markdown_text(reasons)})" if reasons else ""
    block = (f"{SHOWN_START}\n**Points by hand: {signed}**{why}, from your instructor: your score in "
             f"the gradebook is **{total}** (the grader's {points:g}, {signed} by hand).\n{SHOWN_END}\n\n")
    return text[:score.end()] + block + text[score.end():]


def feedback_html_with(page: str, adjustment: Adjustment | None, *, points: float,
                       max_points: float) -> str:
    """``feedback.html``'s ``page`` saying ``adjustment`` right after its score (the first
    ``grader-score`` paragraph: the page's header, before the student's notebook), or none."""
    import html

    score = _HTML_SCORE.search(page)
    if score is None:
        return page
    rest = page[score.end():]
    if rest.startswith(SHOWN_START):
        rest = _SHOWN.sub("", rest, count=1)
    if adjustment is not None:
        signed, reasons, total = _said(adjustment, points=points, max_points=max_points)
        why = f" ({html.escape(reasons)})" if reasons else ""
        rest = (f'{SHOWN_START}<p class="grader-score grader-adjustment"><b>Points by hand: {signed}</b>{why}, '
                f"from your instructor: your score in the gradebook is <b>{total}</b> (the grader's "
                f"{points:g}, {signed} by hand).</p>{SHOWN_END}") + rest
    return page[:score.end()] + rest


def results_with(data: dict, adjustment: Adjustment | None) -> dict:
    """Gradescope's results (``results.json``) with ``adjustment`` as a test of its own (tagged
    ``RESULTS_TAG``, its reasons the output) and added to the score, the grader's kept in
    ``extra_data.adjustment``; without it, as the grader wrote them (an earlier one's undone)."""
    data = dict(data)
    extra = dict(data.get("extra_data") or {})
    before = extra.pop("adjustment", None)
    if isinstance(before, dict) and "grader_score" in before:
        data["score"] = before["grader_score"]
    data["tests"] = [test for test in data.get("tests", [])
                     if not (isinstance(test, dict) and RESULTS_TAG in (test.get("tags") or ()))]
    if adjustment is not None:
        grader_score = data.get("score", 0)
        data["tests"].append({"name": "Points by hand", "score": adjustment.points, "max_score": 0,
                              "status": "passed", "output": "; ".join(adjustment.reasons),
                              "visibility": "visible", "tags": [RESULTS_TAG]})
        data["score"] = grader_score + adjustment.points
        extra["adjustment"] = {"points": adjustment.points, "reasons": list(adjustment.reasons),
                               "grader_score": grader_score}
    data["extra_data"] = extra
    return data


def show_in_feedback(folder: Path, adjustment: Adjustment | None, *, points: float,
                     max_points: float) -> dict[str, list]:
    """Say ``adjustment`` (or none) in the student's ``feedback.md``, ``feedback.html`` and
    ``results.json`` in ``folder``, rewriting only those that change; returns
    ``{name: [size, sha256]}`` of the files rewritten (for the folder's key)."""
    import json

    from grader.files import digest_of, write_atomic

    written: dict[str, list] = {}

    def rewrite(name: str, change) -> None:
        path = Path(folder) / name
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return
        new = change(text)
        if new != text:
            data = new.encode("utf-8")
            write_atomic(path, data)
            written[name] = digest_of(data)

    rewrite("feedback.md", lambda text: feedback_markdown_with(text, adjustment, points=points,
                                                                max_points=max_points))
    rewrite("feedback.html", lambda page: feedback_html_with(page, adjustment, points=points,
                                                              max_points=max_points))

    def results(text: str) -> str:
        try:
            data = json.loads(text)
        except ValueError:
            return text
        if not isinstance(data, dict):
            return text
        new = results_with(data, adjustment)
        return text if new == data else json.dumps(new)

    rewrite("results.json", results)
    return written
