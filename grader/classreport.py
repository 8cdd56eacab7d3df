"""``OUT_DIR/report.html``: the class report for instructors, one self-contained file.

Sections: overview, score distribution (histogram), pass rate per part and per case (tables and
bar charts), the most frequent diagnosed mistakes, the harness failures, the IMDB bonus flags
(when the rubric has the bonus), and the flagged pairs of the similarity check.

Plots are drawn with matplotlib's object API (``Figure`` + Agg canvas, no pyplot and no global
backend switch) and embedded as base64 PNG; matplotlib is imported only here, when the report
is written, never on the grading path. The page loads nothing: a Content-Security-Policy forbids
scripts and any non-``data:`` image. Every string from a submission is escaped.

The report is for instructors: it names students, hidden cases and shows their code. It is not
part of what students receive.
"""
from __future__ import annotations

import base64
import dataclasses
import html
import io
import os
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from grader.models import (
    CRASHED, ERROR, FAILED, GRADER_ERROR, HARNESS, MISSING, NOT_ATTEMPTED, NOT_IMPLEMENTED, PARTIAL_MATCH,
    PASSED, SKIPPED, TIMEOUT, Rubric, SubmissionResult,
)
from grader.files import write_atomic
from grader.parent import wait_for_parent
from grader.report import STATUS_WORDS, kept_extra

__all__ = ["write_class_report", "class_report_html", "ClassStats", "ClassTally", "FigureDrawer", "class_stats", "IMDB_PART", "IMDB_FLAGS"]

REPORT_NAME = "report.html"
IMDB_PART = "imdb_report"
#: The flags grader.imdb raises (they arrive among the part's notes, after its feedback sentences).
IMDB_FLAGS = ("validates on the test set", "claim contradicted by outputs", "unverified claim",
              "training stopped mid-epoch", "no outputs")
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
figure img{max-width:100%;height:auto;border:1px solid #eee}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.4em .8em;margin:.5em 0}
code{font-size:.95em}
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

    def add(self, result: SubmissionResult) -> None:
        """Count ``result`` (a full result or ``grader.report.summary_of`` one)."""
        self.total += 1
        if result.status == "graded":
            bonus = result.part(IMDB_PART)
            self._graded.append(SubmissionResult(
                submission_id=result.submission_id, path=result.path, status="graded",
                points=result.points, max_points=result.max_points,
                parts=() if bonus is None else (dataclasses.replace(bonus, cases=()),),
                extra=kept_extra(result.extra)))  # why cases were lost to the grader, if any
        elif result.status == "unreadable":
            self._unreadable.append(_listed(result))
        else:
            self._harness.append(_listed(result))
        if result.status in ("graded", "unreadable"):
            self._max_points = (result.max_points if self._max_points is None
                                else max(self._max_points, result.max_points))
        if result.status != "graded":  # unreadable and harness results say nothing about the parts
            return
        case_info, case_status = self._case_info, self._case_status  # (the loop runs per case)
        for part in result.parts:
            name = part.name
            if name not in self._part_max:
                self._part_order.append(name)
                self._part_max[name] = part.max_points
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
                            case.diagnosis.message.removesuffix(PARTIAL_MATCH)
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
            cases_passed=self._part_passed[name], statuses=dict(self._part_status[name]))
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
                          harness_cases=dict(self._harness_cases))


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


def warm_up() -> None:
    """Import matplotlib's figure and Agg canvas (0.5-0.6 s of CPU), so that the report after a
    class run does not wait for it; a class run's ``FigureDrawer`` calls this while the workers
    grade. (It no longer draws figures like the report's: 0.4-0.6 s of CPU that saved 0-0.1 s
    of drawing at the end.)"""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401
    from matplotlib.figure import Figure  # noqa: F401


def _png(fig: Any) -> str:
    """``fig`` as an ``<img>`` with a base64 PNG data URI."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    # Margins are set by hand: bbox_inches="tight" would draw every figure twice.
    fig.savefig(buffer, format="png", dpi=96, pil_kwargs={"compress_level": 1})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}"'


def score_axis_top(stats: ClassStats) -> float:
    """The right end of the score axis: the maximum, or a higher score (IMDB bonus points count extra)."""
    return max([stats.max_points, *stats.scores]) or 1.0


def histogram_png(stats: ClassStats) -> str:
    """The score distribution: graded scores, unreadable submissions stacked in grey at 0."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3.2))
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.95)
    ax = fig.add_subplot()
    top = score_axis_top(stats)
    graded = [r.points for r in stats.graded]
    unreadable = [r.points for r in stats.unreadable]
    ax.hist([graded, unreadable], bins=HISTOGRAM_BINS, range=(0, top), stacked=True,
            color=["#3f7fbf", "#9e9e9e"], label=["graded", "unreadable"], edgecolor="white")
    ax.set_xlabel(f"score (of {stats.max_points:g})")
    ax.set_ylabel("submissions")
    ax.yaxis.get_major_locator().set_params(integer=True)
    if unreadable:
        ax.legend(frameon=False)
    if stats.scores:
        mean = statistics.fmean(stats.scores)
        ax.axvline(mean, color="#c62828", linestyle="--", linewidth=1)
        ax.text(mean, ax.get_ylim()[1] * 0.95, f" mean {mean:.1f}", color="#c62828", va="top")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(fig) + ' alt="Histogram of scores" id="fig-histogram">'


def bars_png(labels: Sequence[str], values: Sequence[float], *, title: str, ident: str,
             groups: Sequence[str] | None = None) -> str:
    """Horizontal bars of rates in [0, 1], one per label (coloured by ``groups`` if given)."""
    from matplotlib.figure import Figure

    palette = ["#3f7fbf", "#e08a2c", "#4f9a52", "#b0413e", "#7b5ea7", "#8c6d46", "#d16ba5", "#6f6f6f"]
    colours = ["#3f7fbf"] * len(labels)
    if groups is not None:
        order = list(dict.fromkeys(groups))
        colours = [palette[order.index(g) % len(palette)] for g in groups]
    height = max(1.6, 0.28 * len(labels) + 0.9)
    width = 8.0
    fontsize = 8 if len(labels) > 12 else 10
    # About 0.6 em per character of the longest label, plus room for the ticks.
    left = (0.25 + 0.0085 * fontsize * max((len(label) for label in labels), default=1)) / width
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(left=min(left, 0.6), right=0.97, bottom=0.55 / height, top=1 - 0.35 / height)
    ax = fig.add_subplot()
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, [100 * v for v in values], color=colours)
    ax.set_yticks(positions, labels=list(labels), fontsize=fontsize)
    ax.set_xlim(0, 100)
    ax.set_xlabel("passed (%)")
    ax.set_title(title, fontsize=10, y=1.0)
    for pos, value in zip(positions, values):
        ax.text(min(100 * value + 1, 92), pos, f"{100 * value:.0f}%", va="center", fontsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(fig) + f' alt="{e(title)}" id="{e(ident)}">'


def _figure_makers(stats: ClassStats) -> dict[str, Callable[[], str]]:
    """The figures the report shows for ``stats``, by name, each as a function drawing it."""
    makers: dict[str, Callable[[], str]] = {}
    if stats.scores:
        makers["histogram"] = lambda: histogram_png(stats)
    parts = [p for p in stats.parts if p.cases_run]
    if stats.graded and parts:
        makers["parts"] = lambda: bars_png([p.name for p in parts],
                                           [p.cases_passed / p.cases_run for p in parts],
                                           title="Cases passed per part", ident="fig-parts")
    cases = [c for c in stats.cases if c.submissions]
    if cases:
        makers["cases"] = lambda: bars_png([c.case_id for c in cases],
                                           [c.passed / c.submissions for c in cases],
                                           title="Submissions passing each case", ident="fig-cases",
                                           groups=[c.part for c in cases])
    return makers


def _figure(figures: Mapping[str, str] | None, name: str, stats: ClassStats) -> str:
    """Figure ``name``: drawn already (``figures``) or drawn now."""
    if figures is not None and name in figures:
        return figures[name]
    return _figure_makers(stats)[name]()


def _render_figures(stats: ClassStats, *, parallel: bool) -> dict[str, str]:
    """Every figure of the report. ``parallel``: the largest (one bar per case) drawn in a
    forked child while this process draws the others (matplotlib holds the GIL, so threads
    would not help); if the child fails, its figure is drawn here."""
    makers = _figure_makers(stats)
    if not parallel or "cases" not in makers or len(makers) < 2 or not hasattr(os, "fork"):
        return {name: make() for name, make in makers.items()}
    collect = _drawn_in_child(makers["cases"])
    drawn = {name: make() for name, make in makers.items() if name != "cases"}
    text = collect()
    drawn["cases"] = text if text is not None else makers["cases"]()
    return {name: drawn[name] for name in makers}


#: How long ``FigureDrawer.draw`` waits for the figures (a class's take a few seconds at most)
#: before it gives up on the figure process and the report draws them itself.
DRAW_SECONDS = 120.0


class FigureDrawer:
    """A forked process that imports matplotlib at once and draws the report's figures when
    asked, so that neither matplotlib's import nor its memory is in the calling process.

    A class run starts one first thing (its import runs beside the run's own start) and asks it
    for the figures once the
    last result is in (``draw``); if the process is gone, ``draw`` returns None and the
    caller draws them itself. ``close`` (or the end of a ``with`` block) stops it.
    """

    def __init__(self) -> None:
        """Fork the process; it starts importing matplotlib at once."""
        import multiprocessing
        import signal

        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_drawer_loop, args=(child, self._conn), daemon=True,
                                 name="report-figures")
        # Forked with Ctrl-C blocked: a terminal's Ctrl-C reaches the whole process group, and one
        # arriving before the process ignores it would print a KeyboardInterrupt traceback from
        # it. It unblocks once it ignores Ctrl-C; here one waits until the mask is restored.
        blocking = hasattr(signal, "pthread_sigmask")
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if blocking else None
        try:
            self._proc.start()
        finally:
            if blocking:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        child.close()
        self._asked = False

    def draw(self, stats: ClassStats, *, timeout: float = DRAW_SECONDS) -> dict[str, str] | None:
        """The figures for ``stats`` (as ``class_report_html`` takes them), or None on failure: the
        process is gone, or has not answered within ``timeout`` seconds (it is killed then)."""
        import threading

        self._asked = True
        # A process that died may have been reaped already (multiprocessing reaps its dead
        # children whenever it starts another, such as a worker): its pid may be another
        # process's now. One alive here is reaped by nobody but this process.
        if not self._proc.is_alive():
            return None
        if hasattr(os, "setpriority"):  # still importing at nice 19 (a busy machine): at ours now
            try:
                os.setpriority(os.PRIO_PROCESS, self._proc.pid, os.getpriority(os.PRIO_PROCESS, 0))
            except OSError:  # not allowed (then it never lowered itself), or already gone
                pass
        answer: list = []

        def ask() -> None:
            """Send the stats and wait for the figures (both block while the process is stuck)."""
            try:
                self._conn.send(_portable(stats))
                answer.append(self._conn.recv())
            except (OSError, EOFError, ValueError, TypeError):
                pass

        asking = threading.Thread(target=ask, name="report-figures-ask", daemon=True)
        asking.start()
        asking.join(timeout)
        if asking.is_alive():  # stopped or stuck: the caller draws the figures itself
            self._proc.kill()  # its pipe's end closes: the exchange above ends
            asking.join(10)
            return None
        figures = answer[0] if answer else None
        return figures if isinstance(figures, dict) else None

    def close(self) -> None:
        """Stop the process (it leaves on None, or when its pipe closes). One never asked for
        figures (a run that failed or was interrupted) is terminated at once rather than
        waited for while it may still be importing matplotlib."""
        if not self._asked and self._proc.is_alive():
            self._proc.terminate()
        try:
            self._conn.send(None)
        except (OSError, ValueError):
            pass
        try:
            self._conn.close()
        except OSError:
            pass
        self._proc.join(timeout=5)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join(timeout=5)

    def __enter__(self) -> "FigureDrawer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _drawer_loop(conn: Any, parent_end: Any) -> None:
    """``FigureDrawer``'s process: warm matplotlib up, then draw the figures of each stats
    received (None in reply when drawing fails) until None arrives or the pipe closes."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the run decides when to stop
    if hasattr(signal, "pthread_sigmask"):  # forked with it blocked (FigureDrawer): ignored now
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    parent = os.getppid()
    parent_end.close()  # else this process would keep its own pipe open
    restore = _lowest_priority()
    try:
        warm_up()
    except Exception:  # noqa: BLE001 - drawing below reports the failure (None)
        pass
    restore()
    while True:
        try:
            if not wait_for_parent(conn, parent):  # the run was killed outright
                return
            stats = conn.recv()
        except (EOFError, OSError):
            return
        if stats is None:
            return
        try:
            figures = _render_figures(stats, parallel=True)
        except Exception:  # noqa: BLE001 - the caller draws them itself
            figures = None
        conn.send(figures)


def _lowest_priority() -> Callable[[], None]:
    """Lower this process to the lowest priority (nice 19) if it may come back, and return what
    brings it back: the figure process imports matplotlib (0.5-0.8 s of CPU) while the run
    starts, on what CPU the grading process, the zygotes and the workers leave idle, never
    ahead of them; it draws at its usual priority. Coming back needs the privilege to raise a
    priority (root, CAP_SYS_NICE): without it the priority is left as it is (nice 1 at most,
    from the probe), since a process stuck at nice 19 would draw the report slowly on a busy
    machine."""
    if not hasattr(os, "setpriority"):
        return lambda: None
    try:
        before = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, 0, before + 1)
        os.setpriority(os.PRIO_PROCESS, 0, before)  # the probe: allowed to come back?
        os.setpriority(os.PRIO_PROCESS, 0, 19)
    except OSError:
        return lambda: None

    def restore() -> None:
        """Back to the priority the process had."""
        try:
            os.setpriority(os.PRIO_PROCESS, 0, before)
        except OSError:
            pass
    return restore


def _portable(stats: ClassStats) -> ClassStats:
    """``stats`` with its results' mapping proxies (which do not pickle) as plain dicts."""
    def plain(result: SubmissionResult) -> SubmissionResult:
        """``result`` with plain dicts for its timings and extra (only a harness failure's
        traceback is kept of it: the figures do not need it, the listing does)."""
        return dataclasses.replace(result, timings={}, extra=kept_extra(result.extra))
    return dataclasses.replace(stats, graded=tuple(plain(r) for r in stats.graded),
                               unreadable=tuple(plain(r) for r in stats.unreadable),
                               harness=tuple(plain(r) for r in stats.harness))


def _drawn_in_child(make: Callable[[], str]) -> Callable[[], str | None]:
    """Run ``make()`` in a forked child now; the returned function waits and gives its text (None
    if the child failed or the fork was refused)."""
    try:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
    except OSError:
        return lambda: None
    if pid == 0:  # the child: draw, send, leave without running the parent's exit handlers
        code = 1
        try:
            os.close(read_fd)
            data = make().encode("utf-8")
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view):]
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)

    def collect() -> str | None:
        """Wait for the child; its text, or None."""
        chunks = []
        with os.fdopen(read_fd, "rb") as pipe:
            while chunk := pipe.read(1 << 16):
                chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
        if status != 0:
            return None
        return b"".join(chunks).decode("utf-8")
    return collect


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
    cells = "".join(f'<div class="kpi"><b>{e(str(v))}</b>{e(k)}</div>' for k, v in kpis)
    return (f'<section id="overview"><h2>Overview</h2><p>Rubric <code>{e(rubric.name)}</code> '
            f"({e(rubric.title)}), {stats.max_points:g} points.</p><div class=\"kpis\">{cells}</div></section>")


def _distribution(stats: ClassStats, figures: Mapping[str, str] | None = None) -> str:
    """The score histogram and the table of 20% bands."""
    out = ['<section id="distribution"><h2>Score distribution</h2>']
    if not stats.scores:
        out.append("<p>No scored submissions.</p></section>")
        return "".join(out)
    out.append(f"<figure>{_figure(figures, 'histogram', stats)}</figure>")
    if stats.unreadable:
        out.append(f'<p class="muted">{len(stats.unreadable)} unreadable submission(s) count as 0 points '
                   "(grey).</p>")
    bands = Counter(min(int(5 * s / stats.max_points), 4) if stats.max_points else 0 for s in stats.scores)
    out.append('<table class="data"><tr><th>band</th>' + "".join(
        f'<th class="num">{20 * b}–{20 * (b + 1)}%{"+" if b == 4 else ""}</th>' for b in range(5)) + "</tr><tr><td>submissions</td>"
        + "".join(f'<td class="num">{bands[b]}</td>' for b in range(5)) + "</tr></table></section>")
    return "".join(out)


def _parts(stats: ClassStats, figures: Mapping[str, str] | None = None) -> str:
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
        rows.append(f"<tr><td><code>{e(p.name)}</code></td><td class=\"num\">{p.max_points:g}</td>"
                    f'<td class="num">{p.mean_points:.2f}</td>'
                    f'<td class="num">{p.full_marks} ({_pct(p.full_marks, p.submissions)})</td>'
                    f'<td class="num">{_pct(p.cases_passed, p.cases_run)}</td>'
                    + "".join(f'<td class="num">{p.statuses.get(s, 0) or ""}</td>' for s in COUNTED) + "</tr>")
    out.append('<table class="data">' + head + "".join(rows) + "</table>")
    out.append('<p class="muted">Status columns count submissions whose part ended with that status '
               "(its worst case).</p>")
    shown = [p for p in stats.parts if p.cases_run]
    if shown:
        out.append("<figure>" + _figure(figures, "parts", stats) + "</figure>")
    out.append("</section>")
    return "".join(out)


def _cases(stats: ClassStats, figures: Mapping[str, str] | None = None) -> str:
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
    out.append("<figure>" + _figure(figures, "cases", stats) + "</figure></section>")
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
        out.append("<h3>Unreadable submissions (0 points; the student's file is broken)</h3>"
                   "<table class=\"data\"><tr><th>submission</th><th>why</th></tr>" + "".join(
                       f"<tr><td>{e(r.submission_id)}</td><td>{'<br>'.join(e(m) for m in r.messages)}</td></tr>"
                       for r in stats.unreadable) + "</table>")
    out.append("</section>")
    return "".join(out)


def _imdb(stats: ClassStats) -> str:
    """The IMDB bonus section (empty when no result has the part): attempts, flags, flagged rows."""
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


def class_report_html(results: Sequence[SubmissionResult], *, rubric: Rubric, similarity: Any = None,
                      harness_notes: Sequence[str] = (),
                      sources: Mapping[str, Mapping[str, str]] | None = None,
                      known_sources: Mapping[str, Mapping[str, str]] | None = None,
                      stats: ClassStats | None = None, parallel: bool = False,
                      figures: Mapping[str, str] | None = None) -> str:
    """The report page as a string (see ``write_class_report``)."""
    if stats is None:
        stats = class_stats(results, rubric=rubric)
    if figures is None or set(figures) != set(_figure_makers(stats)):
        figures = _render_figures(stats, parallel=parallel)
    sections = [_overview(stats, rubric), _distribution(stats, figures), _parts(stats, figures),
                _cases(stats, figures),
                _mistakes(stats), _harness(stats, harness_notes), _imdb(stats),
                _similarity(similarity, sources, known_sources)]
    links = [("overview", "Overview"), ("distribution", "Scores"), ("parts", "Parts"), ("cases", "Cases"),
             ("mistakes", "Mistakes"), ("harness", "Harness")]
    if 'id="imdb"' in sections[6]:
        links.append(("imdb", "IMDB"))
    links.append(("similarity" if similarity is not None else "similarity-none", "Similar code"))
    nav = "<nav>" + "".join(f'<a href="#{a}">{t}</a>' for a, t in links) + "</nav>"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; img-src data:\">"
            f"<title>Class report: {e(rubric.title)}</title><style>{CSS}</style></head><body><main>"
            f"<h1>Class report: {e(rubric.title)}</h1>{nav}" + "".join(sections)
            + "</main></body></html>\n")


def write_class_report(results: Sequence[SubmissionResult], *, rubric: Rubric, out_dir: Path,
                       similarity: Any = None, harness_notes: Sequence[str] = (),
                       sources: Mapping[str, Mapping[str, str]] | None = None,
                       known_sources: Mapping[str, Mapping[str, str]] | None = None,
                       stats: ClassStats | None = None, parallel: bool = False,
                       figures: Mapping[str, str] | None = None) -> Path:
    """Write ``out_dir/report.html`` (atomically) and return its path.

    ``stats``: the statistics when they were gathered already (a ``ClassTally``'s, as a class
    run streams its results); ``results`` is then not read. ``parallel`` draws the figures in
    forked processes at once (the same bytes, less wall time on several cores); ``figures``
    are the figures drawn already (``FigureDrawer.draw``).
    ``similarity`` is a ``grader.similarity.SimilarityReport`` (or None: the check was not run);
    ``sources`` (submission id -> function -> source, as given to ``find_similar``) and
    ``known_sources`` (name -> function -> source) let the flagged pairs show their code side by
    side; without them the pairs are listed with "(source not available)". ``harness_notes``
    are the batch's own failures (a worker that died, a sandbox that would not start).
    """
    path = Path(out_dir) / REPORT_NAME
    write_atomic(path, class_report_html(results, rubric=rubric, similarity=similarity,
                                         harness_notes=harness_notes, sources=sources,
                                         known_sources=known_sources, stats=stats,
                                         parallel=parallel, figures=figures))
    return path
