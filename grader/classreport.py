"""``OUT_DIR/report.html``: the class report for instructors, one self-contained file.

Sections: overview, score distribution (histogram), pass rate per part and per case (tables and
bar charts), the most frequent diagnosed mistakes, the harness failures, the IMDB bonus flags
(when the rubric has the bonus), and the flagged pairs of the similarity check.

Charts are inline SVG written by :mod:`grader.charts` (no plotting library: the report costs a
class run milliseconds, not a matplotlib import). The page loads nothing: a
Content-Security-Policy forbids scripts and every image, font or request. Every string from a
submission is escaped.

The report is for instructors: it names students, hidden cases and shows their code. It is not
part of what students receive.
"""
from __future__ import annotations

import dataclasses
import html
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from grader.models import (
    BONUS_FLAGS, CRASHED, ERROR, FAILED, GRADED, GRADER_ERROR, HARNESS, MISSING, NOT_ATTEMPTED, NOT_IMPLEMENTED, PARTIAL_MATCH,
    PASSED, RAISED_MATCH, SKIPPED, TIMEOUT, Rubric, SubmissionResult,
)
from grader import charts
from grader.charts import Series
from grader.files import html_utf8, write_atomic
from grader.report import STATUS_WORDS, kept_extra

__all__ = ["write_class_report", "class_report_html", "class_summary_html", "ClassStats", "ClassTally", "class_stats", "IMDB_PART", "IMDB_FLAGS"]

REPORT_NAME = "report.html"
IMDB_PART = "imdb_report"
#: The flags grader.imdb raises (they arrive among the part's notes, after its feedback sentences).
IMDB_FLAGS = BONUS_FLAGS
#: Statuses counted in their own columns of the per-part table.
COUNTED = (NOT_IMPLEMENTED, MISSING, NOT_ATTEMPTED, TIMEOUT, ERROR, CRASHED, SKIPPED, HARNESS)
TOP_MISTAKES = 25
SIMILAR_PAIRS_SHOWN = 10
HISTOGRAM_BINS = 20
#: Flagged submissions listed one per row in the IMDB section (the counts cover them all).
IMDB_ROWS = 300

e = html.escape

CSS = """
body{margin:0;background:#f4f5f7;color:#1f1f1f;font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:1150px;margin:0 auto;padding:16px 24px 60px;background:#fff}
h1{font-size:1.7em;margin:.2em 0}
h2{font-size:1.3em;margin:1.6em 0 .4em;border-bottom:2px solid #eee;padding-bottom:.2em}
nav a{margin-right:1em}
table.data{border-collapse:collapse;margin:.4em 0 1em}
table.data th,table.data td{border:1px solid #ddd;padding:3px 9px;text-align:left;vertical-align:top}
table.data td.num,table.data th.num{text-align:right;font-variant-numeric:tabular-nums}
table.data tr:nth-child(even) td{background:#fafafa}
.kpis{display:flex;flex-wrap:wrap;gap:10px;margin:.6em 0}
.kpi{border:1px solid #ddd;border-radius:6px;padding:6px 14px;min-width:8em}
.kpi b{display:block;font-size:1.5em}
.bad{color:#b00020}
.muted{color:#666}
figure{margin:.5em 0}
figure svg{max-width:100%;height:auto;border:1px solid #eee}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.4em .8em;margin:.5em 0}
code{font-size:.95em}
@media print,(max-width:760px){body{background:#fff;font-size:11px}main{max-width:none;padding:0 4px}
table.data{font-size:.92em}table.data th,table.data td{padding:1px 3px}table.data td:not(.num){overflow-wrap:anywhere}h2{break-after:avoid}tr,figure{break-inside:avoid}
.kpi{min-width:6em;padding:2px 8px}pre{white-space:pre-wrap;overflow-wrap:anywhere}
table.scores th,table.scores td{overflow-wrap:anywhere;font-size:.9em}}
"""


# --------------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class PartStats:
    """One part across the class: points, full marks and part statuses counted over submissions."""

    name: str
    max_points: float
    submissions: int
    mean_points: float
    full_marks: int
    cases_run: int
    cases_passed: int
    statuses: Mapping[str, int]  # part status -> number of submissions
    bonus: bool = False  # its points add to scores beyond max_points (``Part.bonus``, the IMDB bonus)


@dataclass(frozen=True)
class CaseStats:
    """One case across the class."""

    case_id: str
    part: str
    name: str
    visibility: str
    submissions: int
    passed: int
    statuses: Mapping[str, int]


@dataclass(frozen=True)
class MistakeStats:
    """A diagnosed mistake: how many submissions and cases it was matched in."""

    id: str
    message: str
    submissions: int
    cases: int


@dataclass(frozen=True)
class ClassStats:
    """Everything the report shows, computed in one pass over the results."""

    total: int
    graded: tuple[SubmissionResult, ...]
    unreadable: tuple[SubmissionResult, ...]
    harness: tuple[SubmissionResult, ...]
    max_points: float
    scores: tuple[float, ...]  # graded and unreadable submissions (unreadable count as 0)
    parts: tuple[PartStats, ...]
    cases: tuple[CaseStats, ...]
    mistakes: tuple[MistakeStats, ...]
    harness_cases: Mapping[str, int] = field(default_factory=dict)  # submission -> cases with harness errors
    #: Graded submissions that scored 0 on every graded function (the bonus aside), by id: a
    #: notebook of scratch work or without code, or none of it parsing, more often than not.
    zero_on_every_function: tuple[str, ...] = ()


class ClassTally:
    """The class statistics built one result at a time, so that a class run need not hold every
    result: each ``add`` updates counters and keeps only what the report lists per submission
    (its score, the IMDB part of a graded one, the messages of one that was not graded)."""

    def __init__(self, *, rubric: Rubric) -> None:
        """Empty counters over ``rubric``'s parts and cases."""
        self.rubric = rubric
        self.total = 0
        self._graded: list[SubmissionResult] = []
        self._unreadable: list[SubmissionResult] = []
        self._harness: list[SubmissionResult] = []
        self._max_points: float | None = None
        self._part_order = [p.name for p in rubric.parts]
        self._case_info: dict[str, tuple[str, str, str]] = {
            c.id: (c.part, c.name, c.visibility) for c in rubric.cases}
        self._case_order = [c.id for c in rubric.cases]
        self._part_max = {p.name: p.max_points for p in rubric.parts}
        self._part_bonus = set(rubric.bonus_names)
        self._part_points: dict[str, list[float]] = defaultdict(list)
        self._part_full: Counter = Counter()
        self._part_status: dict[str, Counter] = defaultdict(Counter)
        self._part_cases: Counter = Counter()
        self._part_passed: Counter = Counter()
        self._case_status: dict[str, Counter] = defaultdict(Counter)
        self._mistake_subs: dict[str, set[str]] = defaultdict(set)
        self._mistake_cases: Counter = Counter()
        self._mistake_message: dict[str, str] = {}
        self._harness_cases: Counter = Counter()
        self._zero_everywhere: list[str] = []

    def add(self, result: SubmissionResult) -> None:
        """Count ``result`` (a full result or ``grader.report.summary_of`` one)."""
        self.total += 1
        if result.graded:
            bonus = result.part(IMDB_PART)
            self._graded.append(SubmissionResult(
                submission_id=result.submission_id, path=result.path, status=GRADED,
                points=result.points, max_points=result.max_points,
                parts=() if bonus is None else (dataclasses.replace(bonus, cases=()),),
                extra=kept_extra(result.extra)))  # why cases were lost to the grader, if any
        elif result.status == "unreadable":
            self._unreadable.append(_listed(result))
        else:
            self._harness.append(_listed(result))
        if result.graded or result.status == "unreadable":
            self._max_points = (result.max_points if self._max_points is None
                                else max(self._max_points, result.max_points))
        if not result.graded:  # unreadable and harness results say nothing about the parts
            return
        functions = [part for part in result.parts if part.name != IMDB_PART]
        # Nothing on any function, and nothing that ran to a wrong value either: perhaps the wrong
        # file. A function that returned wrong values is the student's own attempt (a one-function
        # quiz named every student who got it wrong "the wrong notebook handed in?" until the
        # thirty-fifth session).
        if (functions and all(part.points <= 0 for part in functions)
                and not any(case.status == FAILED for part in functions for case in part.cases)):
            self._zero_everywhere.append(result.submission_id)
        case_info, case_status = self._case_info, self._case_status  # (the loop runs per case)
        for part in result.parts:
            name = part.name
            if name not in self._part_max:
                self._part_order.append(name)
                self._part_max[name] = part.max_points
            if part.bonus:
                self._part_bonus.add(name)
            self._part_points[name].append(part.points)
            self._part_status[name][part.status] += 1
            if part.max_points > 0 and part.points >= part.max_points - 1e-9:
                self._part_full[name] += 1
            passed = 0
            for case in part.cases:
                case_id, status = case.case_id, case.status
                if case_id not in case_info:
                    case_info[case_id] = (name, case.name, case.visibility)
                    self._case_order.append(case_id)
                case_status[case_id][status] += 1
                if status == PASSED:
                    passed += 1
                elif status == HARNESS:
                    self._harness_cases[result.submission_id] += 1
                if case.diagnosis is not None:
                    self._mistake_subs[case.diagnosis.id].add(result.submission_id)
                    self._mistake_cases[case.diagnosis.id] += 1
                    if case.diagnosis.id not in self._mistake_message:  # its own sentence, not
                        # the partial-match wording that may have been met first
                        self._mistake_message[case.diagnosis.id] = \
                            case.diagnosis.message.removesuffix(PARTIAL_MATCH).removesuffix(RAISED_MATCH)
            if part.cases:
                self._part_cases[name] += len(part.cases)
            if passed:
                self._part_passed[name] += passed

    def stats(self, *, by_id: bool = False) -> ClassStats:
        """The statistics of what was added; ``by_id`` lists submissions in id order (else in the
        order added)."""
        order = (lambda rs: sorted(rs, key=lambda r: r.submission_id)) if by_id else list
        graded, unreadable, harness = (tuple(order(rs)) for rs in
                                       (self._graded, self._unreadable, self._harness))
        max_points = (self._max_points if self._max_points is not None
                      else self.rubric.max_points) or self.rubric.max_points
        part_points, case_status, case_info = self._part_points, self._case_status, self._case_info
        parts = tuple(PartStats(
            name=name, max_points=self._part_max[name], submissions=len(part_points[name]),
            mean_points=statistics.fmean(part_points[name]) if part_points[name] else 0.0,
            full_marks=self._part_full[name], cases_run=self._part_cases[name],
            cases_passed=self._part_passed[name], statuses=dict(self._part_status[name]),
            bonus=name in self._part_bonus)
            for name in self._part_order)
        cases = tuple(CaseStats(
            case_id=cid, part=case_info[cid][0], name=case_info[cid][1], visibility=case_info[cid][2],
            submissions=sum(case_status[cid].values()), passed=case_status[cid][PASSED],
            statuses=dict(case_status[cid])) for cid in self._case_order)
        mistakes = tuple(sorted(
            (MistakeStats(id=m, message=self._mistake_message[m], submissions=len(subs),
                          cases=self._mistake_cases[m])
             for m, subs in self._mistake_subs.items()),
            key=lambda s: (-s.submissions, -s.cases, s.id)))
        return ClassStats(total=self.total, graded=graded, unreadable=unreadable, harness=harness,
                          max_points=float(max_points),
                          scores=tuple(r.points for r in graded + unreadable),
                          parts=parts, cases=cases, mistakes=mistakes,
                          harness_cases=dict(self._harness_cases),
                          zero_on_every_function=tuple(sorted(self._zero_everywhere)))


def _listed(result: SubmissionResult) -> SubmissionResult:
    """What the report lists of a submission that was not graded: id, status, score, messages,
    and the grader's traceback of a harness failure (``extra[GRADER_ERROR]``)."""
    return SubmissionResult(submission_id=result.submission_id, path=result.path,
                            status=result.status, points=result.points,
                            max_points=result.max_points, messages=tuple(result.messages),
                            extra=kept_extra(result.extra))


def class_stats(results: Sequence[SubmissionResult], *, rubric: Rubric) -> ClassStats:
    """Aggregate ``results`` (any number, any mix of statuses) against ``rubric``'s parts and cases."""
    tally = ClassTally(rubric=rubric)
    for result in results:
        tally.add(result)
    return tally.stats()


# --------------------------------------------------------------------------- plots


def score_axis_top(stats: ClassStats) -> float:
    """The right end of the score axis: the maximum, or a higher score (IMDB bonus points count extra)."""
    return max([stats.max_points, *stats.scores]) or 1.0


def histogram(stats: ClassStats) -> str:
    """The score distribution: graded scores, unreadable submissions stacked in grey at 0."""
    series = [Series("graded", tuple(r.points for r in stats.graded), charts.BLUE)]
    if stats.unreadable:
        series.append(Series("unreadable", tuple(r.points for r in stats.unreadable), charts.GREY))
    mean = statistics.fmean(stats.scores) if stats.scores else None
    return charts.histogram_svg(series, top=score_axis_top(stats), bins=HISTOGRAM_BINS,
                                xlabel=f"score (of {stats.max_points:g})", mean=mean,
                                title="Histogram of scores", ident="fig-histogram")


def _figures(stats: ClassStats) -> dict[str, str]:
    """The charts the report shows for ``stats``, by name, drawn (inline SVG)."""
    figures: dict[str, str] = {}
    if stats.scores:
        figures["histogram"] = histogram(stats)
    parts = [p for p in stats.parts if p.cases_run]
    if stats.graded and parts:
        figures["parts"] = charts.bars_svg([p.name for p in parts],
                                           [p.cases_passed / p.cases_run for p in parts],
                                           title="Cases passed per part", ident="fig-parts")
    cases = [c for c in stats.cases if c.submissions]
    if cases:
        figures["cases"] = charts.bars_svg([c.case_id for c in cases],
                                           [c.passed / c.submissions for c in cases],
                                           title="Submissions passing each case", ident="fig-cases",
                                           groups=[c.part for c in cases])
    return figures


# --------------------------------------------------------------------------- sections


def _pct(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a whole percentage, or a dash when ``whole`` is 0."""
    return f"{100 * part / whole:.0f}%" if whole else "–"


def _overview(stats: ClassStats, rubric: Rubric) -> str:
    """The overview section: counts and summary statistics of the scores."""
    scores = stats.scores
    kpis = [("submissions", stats.total), ("graded", len(stats.graded)),
            ("unreadable", len(stats.unreadable)), ("harness failures", len(stats.harness))]
    if scores:
        kpis += [("mean", f"{statistics.fmean(scores):.1f}"), ("median", f"{statistics.median(scores):g}"),
                 ("min", f"{min(scores):g}"), ("max", f"{max(scores):g}")]
    # Unreadable submissions score 0 here, as in grades.csv; the run's summary line gives the
    # graded ones' figures: say which these are.
    counted = ('<p class="muted">Mean, median, min and max count each unreadable submission as 0 '
               "points, as grades.csv does (the figures printed at the end of the run leave them out).</p>"
               if scores and stats.unreadable else "")
    cells = "".join(f'<div class="kpi"><b>{e(str(v))}</b>{e(k)}</div>' for k, v in kpis)
    return (f'<section id="overview"><h2>Overview</h2><p>Rubric <code>{e(rubric.name)}</code> '
            f"({e(rubric.title)}), {stats.max_points:g} points.</p><div class=\"kpis\">{cells}</div>{counted}"
            "</section>")


def _distribution(stats: ClassStats, figures: Mapping[str, str]) -> str:
    """The score histogram and the table of 20% bands."""
    out = ['<section id="distribution"><h2>Score distribution</h2>']
    if not stats.scores:
        out.append("<p>No scored submissions.</p></section>")
        return "".join(out)
    out.append(f"<figure>{figures['histogram']}</figure>")
    if stats.unreadable:
        out.append(f'<p class="muted">{len(stats.unreadable)} unreadable submission(s) count as 0 points '
                   "(grey).</p>")
    bands = Counter(min(int(5 * s / stats.max_points), 4) if stats.max_points else 0 for s in stats.scores)
    out.append('<table class="data"><tr><th>band</th>' + "".join(
        f'<th class="num">{20 * b}–{20 * (b + 1)}%{"+" if b == 4 else ""}</th>' for b in range(5)) + "</tr><tr><td>submissions</td>"
        + "".join(f'<td class="num">{bands[b]}</td>' for b in range(5)) + "</tr></table></section>")
    return "".join(out)


def _parts(stats: ClassStats, figures: Mapping[str, str]) -> str:
    """The per-part table (points, full marks, statuses) and its bar chart."""
    out = ['<section id="parts"><h2>Pass rate per part</h2>']
    if not stats.graded:
        out.append("<p>No graded submissions.</p></section>")
        return "".join(out)
    head = ("<tr><th>part</th><th class=\"num\">max</th><th class=\"num\">mean</th>"
            "<th class=\"num\">full marks</th><th class=\"num\">cases passed</th>"
            + "".join(f'<th class="num">{e(STATUS_WORDS.get(s, s))}</th>' for s in COUNTED) + "</tr>")
    rows = []
    for p in stats.parts:
        rows.append(f"<tr><td><code>{e(p.name)}</code>{' (bonus)' if p.bonus else ''}</td>"
                    f"<td class=\"num\">{p.max_points:g}</td>"
                    f'<td class="num">{p.mean_points:.2f}</td>'
                    f'<td class="num">{p.full_marks} ({_pct(p.full_marks, p.submissions)})</td>'
                    f'<td class="num">{_pct(p.cases_passed, p.cases_run)}</td>'
                    + "".join(f'<td class="num">{p.statuses.get(s, 0) or ""}</td>' for s in COUNTED) + "</tr>")
    out.append('<table class="data">' + head + "".join(rows) + "</table>")
    out.append('<p class="muted">Status columns count submissions whose part ended with that status '
               "(its worst case).</p>")
    # A part some did not attempt (the bonus) has cases only where it was attempted: its "cases
    # passed" is of those, while "full marks" is of every graded submission.
    for p in stats.parts:
        skipped = p.statuses.get(NOT_ATTEMPTED, 0)
        if skipped and p.cases_run:
            out.append(f'<p class="muted"><code>{e(p.name)}</code>: cases passed among the '
                       f"{p.submissions - skipped} submission(s) that attempted it; full marks of all "
                       f"{p.submissions}.</p>")
    shown = [p for p in stats.parts if p.cases_run]
    if shown:
        out.append("<figure>" + figures["parts"] + "</figure>")
    out.append("</section>")
    return "".join(out)


def _cases(stats: ClassStats, figures: Mapping[str, str]) -> str:
    """The per-case table and its bar chart coloured by part."""
    out = ['<section id="cases"><h2>Pass rate per case</h2>']
    shown = [c for c in stats.cases if c.submissions]
    if not shown:
        out.append("<p>No case was run.</p></section>")
        return "".join(out)
    rows = []
    for c in shown:
        others = ", ".join(f"{e(STATUS_WORDS.get(s, s))}: {n}" for s, n in sorted(c.statuses.items())
                           if s not in (PASSED, FAILED))
        rows.append(f"<tr><td><code>{e(c.case_id)}</code></td><td>{e(c.name)}</td><td>{e(c.visibility)}</td>"
                    f'<td class="num">{c.passed} / {c.submissions}</td>'
                    f'<td class="num">{_pct(c.passed, c.submissions)}</td>'
                    f'<td class="num">{c.statuses.get(FAILED, 0) or ""}</td><td>{others}</td></tr>')
    out.append('<table class="data"><tr><th>case</th><th>name</th><th>visibility</th><th class="num">passed</th>'
               '<th class="num">rate</th><th class="num">wrong values</th><th>other</th></tr>'
               + "".join(rows) + "</table>")
    out.append("<figure>" + figures["cases"] + "</figure></section>")
    return "".join(out)


def _mistakes(stats: ClassStats) -> str:
    """The most frequent diagnosed mistakes, with counts and the message students saw."""
    out = ['<section id="mistakes"><h2>Most frequent diagnosed mistakes</h2>']
    if not stats.mistakes:
        out.append("<p>No known mistake was diagnosed.</p></section>")
        return "".join(out)
    rows = "".join(f'<tr><td class="num">{m.submissions}</td><td class="num">{m.cases}</td>'
                   f"<td><code>{e(m.id)}</code></td><td>{e(m.message)}</td></tr>"
                   for m in stats.mistakes[:TOP_MISTAKES])
    out.append('<table class="data"><tr><th class="num">submissions</th><th class="num">cases</th>'
               f"<th>mistake</th><th>message shown to students</th></tr>{rows}</table>")
    if len(stats.mistakes) > TOP_MISTAKES:
        out.append(f'<p class="muted">{len(stats.mistakes) - TOP_MISTAKES} rarer mistakes not shown.</p>')
    out.append("</section>")
    return "".join(out)


def _traceback(result: SubmissionResult) -> str:
    """The grader's traceback of a harness failure, as a block to unfold ("" without one): the
    student was told only that the grader failed (``grader.models.GRADER_FAILED``)."""
    detail = result.extra.get(GRADER_ERROR) if result.extra else None
    if not detail:
        return ""
    return (f"<details open><summary>what failed in the grader</summary>"
            f"<pre>{e(str(detail))}</pre></details>")


#: The start of what an unreadable submission's student is told to do (``grader.runner``'s
#: ``_UNREADABLE_ADVICE``), a message of its own after the reason.
_ADVICE = "What to do: "


def _some(ids: Sequence[str], shown: int = 6) -> str:
    """``ids`` joined, the first ``shown`` of them and how many in all when there are more."""
    return ", ".join(ids) if len(ids) <= shown else f"{', '.join(ids[:shown])}, ... ({len(ids)} in all)"


def _harness(stats: ClassStats, harness_notes: Sequence[str]) -> str:
    """Harness failures, cases lost to grader errors, the batch's notes, unreadable files."""
    out = ['<section id="harness"><h2>Harness failures and unreadable submissions</h2>']
    if not (stats.harness or stats.harness_cases or harness_notes or stats.unreadable):
        out.append("<p>None: every submission was read and graded without a fault of the grader.</p></section>")
        return "".join(out)
    if harness_notes:
        out.append("<h3>Notes from the grading run</h3><ul>"
                   + "".join(f"<li>{e(n)}</li>" for n in harness_notes) + "</ul>")
    if stats.harness:
        out.append("<h3>Not graded because of the grader (regrade them)</h3><table class=\"data\">"
                   "<tr><th>submission</th><th>status</th><th>messages</th></tr>" + "".join(
                       f"<tr><td>{e(r.submission_id)}</td><td>{e(r.status)}</td>"
                       f"<td>{'<br>'.join(e(m) for m in r.messages)}{_traceback(r)}</td></tr>"
                       for r in stats.harness)
                   + "</table>")
    if stats.harness_cases:
        graded = {r.submission_id: r for r in stats.graded if r.submission_id in stats.harness_cases}
        out.append("<h3>Graded, with some cases lost to a grader error</h3><table class=\"data\">"
                   "<tr><th>submission</th><th class=\"num\">cases</th></tr>" + "".join(
                       f'<tr><td>{e(s)}{_traceback(graded[s]) if s in graded else ""}</td>'
                       f'<td class="num">{n}</td></tr>'
                       for s, n in sorted(stats.harness_cases.items())) + "</table>")
    if stats.unreadable:
        # What each student was told to do is said once under the table, with whom it was told:
        # a class of 12 truncated files had the same student-facing paragraph 12 times in the rows.
        told: dict[str, list[str]] = {}
        for r in stats.unreadable:
            for m in r.messages:
                if m.startswith(_ADVICE):
                    told.setdefault(m, []).append(r.submission_id)
        out.append("<h3>Unreadable submissions (0 points: no notebook could be read, or not exactly one; why, per submission)</h3>"
                   "<table class=\"data\"><tr><th>submission</th><th>why</th></tr>" + "".join(
                       f"<tr><td>{e(r.submission_id)}</td>"
                       f"<td>{'<br>'.join(e(m) for m in r.messages if not m.startswith(_ADVICE))}</td></tr>"
                       for r in stats.unreadable) + "</table>")
        if told:
            out.append("<p>What their feedback tells them to do:</p><ul>" + "".join(
                f"<li>{e(_some(ids))}: {e(advice.removeprefix(_ADVICE))}</li>" for advice, ids in told.items())
                + "</ul>")
    out.append("</section>")
    return "".join(out)


def _imdb(stats: ClassStats, *, names: bool = True) -> str:
    """The IMDB bonus section (empty when no result has the part): attempts, flags, flagged rows
    (not without ``names``: each names its submission)."""
    parts = [(r.submission_id, r.part(IMDB_PART)) for r in stats.graded if r.part(IMDB_PART) is not None]
    if not parts:
        return ""
    out = ['<section id="imdb"><h2>IMDB bonus</h2>']
    points = [p.points for _, p in parts]
    attempted = sum(1 for _, p in parts if p.status not in (MISSING, NOT_ATTEMPTED))
    out.append(f"<p>{attempted} of {len(parts)} submissions attempted the bonus; mean "
               f"{statistics.fmean(points):.2f} of {parts[0][1].max_points:g} points.</p>")
    flagged = [(sid, [n for n in p.notes if n in IMDB_FLAGS]) for sid, p in parts]
    flagged = [(sid, flags) for sid, flags in flagged if flags]
    counts = Counter(flag for _, flags in flagged for flag in flags)
    if not flagged:
        out.append("<p>No flags.</p></section>")
        return "".join(out)
    out.append('<table class="data"><tr><th>flag</th><th class="num">submissions</th></tr>' + "".join(
        f'<tr><td>{e(f)}</td><td class="num">{n}</td></tr>' for f, n in counts.most_common()) + "</table>")
    if not names:
        out.append("</section>")
        return "".join(out)
    rows = []
    by_id = dict(parts)
    for sid, flags in flagged[:IMDB_ROWS]:
        part = by_id[sid]
        details = [n for n in part.notes if n not in IMDB_FLAGS]
        rows.append(f"<tr><td>{e(sid)}</td><td>{e(', '.join(flags))}</td><td class=\"num\">{part.points:g}</td>"
                    f"<td>{'<br>'.join(e(d) for d in details)}</td></tr>")
    out.append('<table class="data"><tr><th>submission</th><th>flags</th><th class="num">points</th>'
               "<th>feedback given</th></tr>" + "".join(rows) + "</table>")
    if len(flagged) > IMDB_ROWS:
        out.append(f'<p class="muted">{len(flagged) - IMDB_ROWS} more flagged submissions: see their '
                   "feedback.md.</p>")
    out.append("</section>")
    return "".join(out)


def _similarity(similarity: Any, sources: Mapping[str, Mapping[str, str]] | None,
                known: Mapping[str, Mapping[str, str]] | None) -> str:
    """The similar-code section (grader.similarity's HTML), or a line saying the check did not run."""
    if similarity is None:
        return ('<section id="similarity-none"><h2>Similar code</h2>'
                "<p>The similarity check was not run.</p></section>")
    from grader.similarity import render_similarity_html

    return ('<div id="similarity">' + render_similarity_html(similarity, sources or {}, top=SIMILAR_PAIRS_SHOWN,
                                                              known=known) + "</div>")


def _roster(roster_notes: Sequence[str]) -> str:
    """The roster's section (``--roster``): who submitted nothing, which submissions are of
    no student on it, who submitted several times; nothing without a roster."""
    if not roster_notes:
        return ""
    return ('<section id="roster"><h2>Roster</h2><ul>'
            + "".join(f"<li>{e(note)}</li>" for note in roster_notes) + "</ul></section>")


def class_report_html(results: Sequence[SubmissionResult], *, rubric: Rubric, similarity: Any = None,
                      harness_notes: Sequence[str] = (),
                      sources: Mapping[str, Mapping[str, str]] | None = None,
                      known_sources: Mapping[str, Mapping[str, str]] | None = None,
                      stats: ClassStats | None = None, roster_notes: Sequence[str] = ()) -> str:
    """The report page as a string (see ``write_class_report``)."""
    if stats is None:
        stats = class_stats(results, rubric=rubric)
    figures = _figures(stats)
    sections = [_overview(stats, rubric), _distribution(stats, figures), _parts(stats, figures),
                _cases(stats, figures),
                _mistakes(stats), _harness(stats, harness_notes), _imdb(stats),
                _similarity(similarity, sources, known_sources)]
    links = [("overview", "Overview"), ("distribution", "Scores"), ("parts", "Parts"), ("cases", "Cases"),
             ("mistakes", "Mistakes"), ("harness", "Harness")]
    if 'id="imdb"' in sections[6]:
        links.append(("imdb", "IMDB"))
    links.append(("similarity" if similarity is not None else "similarity-none", "Similar code"))
    if roster_notes:  # right after the overview: whom the gradebook holds comes first
        sections.insert(1, _roster(roster_notes))
        links.insert(1, ("roster", "Roster"))
    nav = "<nav>" + "".join(f'<a href="#{a}">{t}</a>' for a, t in links) + "</nav>"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'\">"
            f"<title>Class report: {e(rubric.title)}</title><style>{CSS}</style></head><body><main>"
            f"<h1>Class report: {e(rubric.title)}</h1>{nav}" + "".join(sections)
            + "</main></body></html>\n")


#: The copy of the class report that names no student (``class_summary_html``).
SUMMARY_NAME = "report-without-names.html"


def class_summary_html(results: Sequence[SubmissionResult], *, rubric: Rubric,
                       stats: ClassStats | None = None) -> str:
    """The class report without a student's name or code, to share with colleagues (hidden
    cases are named: not for students): the overview, the distribution, the pass rates per
    part and per case, the frequent mistakes, and the bonus's flag counts. Left out: the
    harness failures and unreadable submissions, the roster, the IMDB bonus's flagged
    submissions and the similar code, each of which names students."""
    if stats is None:
        stats = class_stats(results, rubric=rubric)
    figures = _figures(stats)
    sections = [_overview(stats, rubric), _distribution(stats, figures), _parts(stats, figures),
                _cases(stats, figures), _mistakes(stats), _imdb(stats, names=False)]
    links = [("overview", "Overview"), ("distribution", "Scores"), ("parts", "Parts"), ("cases", "Cases"),
             ("mistakes", "Mistakes")] + ([("imdb", "IMDB")] if sections[-1] else [])
    nav = "<nav>" + "".join(f'<a href="#{a}">{t}</a>' for a, t in links) + "</nav>"
    title = f"Class summary: {e(rubric.title)}"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'\">"
            f"<title>{title}</title><style>{CSS}</style></head><body><main><h1>{title}</h1>"
            f'<p class="note">This copy of {REPORT_NAME} names no student: the harness failures, '
            "unreadable submissions, roster, flagged IMDB reports and similar code are left out. It "
            "names the hidden cases: not for students.</p>"
            f"{nav}" + "".join(sections) + "</main></body></html>\n")


def write_class_report(results: Sequence[SubmissionResult], *, rubric: Rubric, out_dir: Path,
                       similarity: Any = None, harness_notes: Sequence[str] = (),
                       sources: Mapping[str, Mapping[str, str]] | None = None,
                       known_sources: Mapping[str, Mapping[str, str]] | None = None,
                       stats: ClassStats | None = None, roster_notes: Sequence[str] = ()) -> Path:
    """Write ``out_dir/report.html`` (atomically) and return its path.

    ``stats``: the statistics when they were gathered already (a ``ClassTally``'s, as a class
    run streams its results); ``results`` is then not read.
    ``similarity`` is a ``grader.similarity.SimilarityReport`` (or None: the check was not run);
    ``sources`` (submission id -> function -> source, as given to ``find_similar``) and
    ``known_sources`` (name -> function -> source) let the flagged pairs show their code side by
    side; without them the pairs are listed with "(source not available)". ``harness_notes``
    are the batch's own failures (a worker that died, a sandbox that would not start);
    ``roster_notes`` what the roster says of the class (``grader.classsummary.roster_notes``).
    """
    path = Path(out_dir) / REPORT_NAME
    write_atomic(path, html_utf8([class_report_html(results, rubric=rubric, similarity=similarity,
                                                    harness_notes=harness_notes, sources=sources,
                                                    known_sources=known_sources, stats=stats,
                                                    roster_notes=roster_notes)]))
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """``python3 -m grader.classreport OUT``: write ``OUT/report-without-names.html`` from the
    results of the submissions ``OUT/grades.csv`` lists, holding the class run's lock
    (``grader.outputlock.output_lock``). Exit status 2 when there is none, or a run holds the lock."""
    import argparse
    import sys

    from grader.classfiles import DEFAULT_RUBRIC, GRADEBOOK
    from grader.copycommands import module_command
    from grader.exits import EXIT_USAGE
    from grader.outputlock import LockUnusable, OutputBusy, output_lock
    from grader.rubric import RubricError, load_rubric

    command = module_command("grader.classreport")
    parser = argparse.ArgumentParser(prog=command, description=(
        f"Write OUT/{SUMMARY_NAME}: the class report of a graded output folder without a "
        "student's name or code, to share (it names hidden cases: not for students)."))
    parser.add_argument("out", type=Path, metavar="OUT", help="the output folder of a class run")
    parser.add_argument("--rubric", type=Path, default=DEFAULT_RUBRIC, metavar="FILE",
                        help="the rubric the class was graded with (default: rubrics/rnn.yaml beside "
                             "grade.py)")
    args = parser.parse_args(argv)
    if not (args.out / GRADEBOOK).is_file():  # before the lock, which would make the folder
        return _no_gradebook(args.out)
    try:
        rubric = load_rubric(args.rubric)
    except (RubricError, OSError) as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    # The class run's lock: a run grading into OUT rewrites the results read here, and removes
    # an earlier run's copy of this page (it was written without the lock until the
    # thirty-second session, which could leave a copy of half the class's figures).
    try:
        with output_lock(args.out, holder=command):
            return _write_summary(args.out, rubric=rubric, rubric_path=args.rubric)
    except LockUnusable as exc:
        print(f"{exc} ({SUMMARY_NAME} was not written)", file=sys.stderr)
        return EXIT_USAGE
    except OutputBusy as exc:
        print(f"{args.out}: {exc.holder} is grading into this folder; {SUMMARY_NAME} was not "
              f"written: run {command} again when that run has ended",
              file=sys.stderr)
        return EXIT_USAGE


def _write_summary(out: Path, *, rubric: Rubric, rubric_path: Path) -> int:
    """Write ``out/SUMMARY_NAME`` from the results of the submissions ``out/grades.csv`` lists
    (``main``, holding the output folder's lock); its exit status. A class graded with another
    rubric than ``rubric`` (``rubric_path``) is refused: its page would name that rubric's parts and
    cases over the class's figures (the default rubric's title, parts no one was graded on, and
    its hidden cases' names on the class's cases, until the thirty-fifth session)."""
    import sys

    from grader.classfiles import GRADEBOOK
    from grader.exits import EXIT_OK, EXIT_USAGE
    from grader.discover import listing
    from grader.files import spreadsheet_text
    from grader.incremental import stored_digest
    from grader.report import gradebook_submissions, read_submission

    listed = gradebook_submissions(out / GRADEBOOK)
    if not listed:
        return _no_gradebook(out)
    folders = sorted(p for p in out.iterdir() if p.is_dir() and spreadsheet_text(p.name) in listed)
    other = [folder.name for folder in folders
             if stored_digest(folder, "rubric") not in (None, rubric.digest)]
    if other:
        print(f"{out}: {len(other)} of its {len(folders)} submission(s) were graded with another rubric "
              f"than {rubric_path} ({listing(other)}), or with this one before an edit; "
              f"{SUMMARY_NAME} was not written: give the rubric the class was graded with "
              f"(--rubric FILE), or grade the class again with this one", file=sys.stderr)
        return EXIT_USAGE
    tally = ClassTally(rubric=rubric)
    for folder in folders:
        result = read_submission(folder)
        if result is not None:
            tally.add(result)
    path = out / SUMMARY_NAME
    write_atomic(path, class_summary_html((), rubric=rubric, stats=tally.stats()))
    print(f"{path}: the class report of {len(folders)} submission(s), no student named")
    return EXIT_OK


def _no_gradebook(out: Path) -> int:
    """Say that ``out`` holds no gradebook listing a submission; the exit status."""
    import sys

    from grader.classfiles import GRADEBOOK
    from grader.exits import EXIT_USAGE
    from grader.unfinished import UNFINISHED_NOTE, previous

    if (out / UNFINISHED_NOTE).is_file():  # a run is grading there, or was stopped before its end
        kept = previous(out, GRADEBOOK)
        last = f"; the last finished run's gradebook is {kept}" if kept.is_file() else ""
        print(f"{out / GRADEBOOK}: none, as a run into {out} is going on or was stopped before it "
              f"finished ({out / UNFINISHED_NOTE} says which run){last}: when no run is going on, "
              f"run the same grade.py command again, then this one", file=sys.stderr)
        return EXIT_USAGE
    print(f"{out / GRADEBOOK}: no gradebook with a submission column; grade the class "
          f"into {out} first", file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
