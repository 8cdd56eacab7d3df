"""Similarity results as a CSV file and as an HTML section of the class report."""
from __future__ import annotations

import csv
import html
import io
import os
import textwrap
from typing import Mapping, Sequence

from grader.files import spreadsheet_text, write_atomic
from grader.similarity.detect import KNOWN_PREFIX, PairMatch, Regions, SimilarityReport
from grader.similarity.ownwork import IDENTICAL_REASON, UNSEEN_NOTE
from grader.similarity.smallclass import common_code_note, whose_fingerprints

__all__ = ["CSV_COLUMNS", "write_similarity_csv", "render_similarity_html"]

#: Fixed leading columns of ``similarity.csv``; one ``score:<function>`` column per function follows.
CSV_COLUMNS = ("rank", "a", "b", "known_source", "flagged", "overall", "shared_fingerprints", "cluster", "reason")


def _functions(report: SimilarityReport) -> list[str]:
    """Every function name that has a score in some pair, sorted."""
    return sorted({f for p in report.pairs for f in p.scores})


def write_similarity_csv(report: SimilarityReport, path: str | os.PathLike) -> None:
    """Write the report's pairs, most suspicious first, to ``path``.

    Columns: ``rank`` (1 = most suspicious), ``a``, ``b`` (``b`` is
    ``known:<name>`` for a known source), ``known_source`` (0/1), ``flagged``
    (0/1), ``overall`` (0..1), ``shared_fingerprints``, ``cluster`` (1-based
    index into ``report.clusters`` for flagged pairs, empty otherwise), ``reason``
    (why a pair is flagged: ``identical own work`` or ``similar code``; empty
    when it is not), then ``score:<function>`` per function (empty when the
    function could not be compared: missing on a side, or nothing left after
    the exclusions).

    Written as the class's other outputs are (``grader.files.write_atomic``): a reader sees the
    earlier run's file or this one, never the first rows alone (a full disk, Ctrl-C), and the
    file is its owner's only (0600), as the gradebook is: it names students suspected of copying.
    """
    functions = _functions(report)
    cluster_of = {member: i + 1 for i, group in enumerate(report.clusters) for member in group}
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(list(CSV_COLUMNS) + ["score:" + f for f in functions])
    for rank, pair in enumerate(report.pairs, 1):
        cluster = cluster_of.get(pair.a, "") if pair.flagged else ""
        row = [rank, spreadsheet_text(pair.a), spreadsheet_text(pair.b), int(pair.known), int(pair.flagged),
               "%.4f" % pair.overall, pair.shared, cluster, pair.reason]
        row += ["%.4f" % pair.scores[f] if f in pair.scores else "" for f in functions]
        writer.writerow(row)
    write_atomic(path, text.getvalue())


_CSS = """
.similarity{font-family:system-ui,sans-serif;font-size:14px;color:#222}
.similarity h2{font-size:1.3em;margin:.6em 0}
.similarity h3{font-size:1.1em;margin:1.2em 0 .3em}
.similarity h4{font-size:1em;margin:.8em 0 .2em;font-family:monospace}
.similarity .note{background:#fff8e1;border-left:4px solid #f0b400;padding:.4em .8em;margin:.5em 0}
.similarity table.scores{border-collapse:collapse;margin:.3em 0}
.similarity table.scores td,.similarity table.scores th{border:1px solid #ccc;padding:2px 8px;text-align:right}
.similarity .flag{color:#b00020;font-weight:bold}
.similarity .side{display:flex;gap:12px;align-items:flex-start}
.similarity .side>div{flex:1 1 50%;min-width:0}
.similarity .code{margin:0;background:#f7f7f7;border:1px solid #ddd;padding:4px 0;overflow-x:auto;font-size:12px;line-height:1.35}
.similarity .code span.l{display:block;padding:0 6px;white-space:pre}
.similarity .code span.m{background:#ffd7d7}
.similarity .code span.n{color:#999;display:inline-block;width:3em;user-select:none}
"""


def _code_block(source: str | None, ranges: Sequence[tuple[int, int]]) -> str:
    """A ``<pre>`` of ``source`` with line numbers; lines inside ``ranges`` get the highlight class."""
    if source is None:
        return '<p class="code">(source not available)</p>'
    marked = {line for start, end in ranges for line in range(start, end + 1)}
    lines = textwrap.dedent(source.replace("\r\n", "\n")).split("\n")
    out = []
    for number, text in enumerate(lines, 1):
        cls = "l m" if number in marked else "l"
        out.append('<span class="%s"><span class="n">%d</span>%s</span>' % (cls, number, html.escape(text)))
    return '<pre class="code">' + "".join(out) + "</pre>"


def _source(pid: str, function: str, submissions: Mapping[str, Mapping[str, str]],
            known: Mapping[str, Mapping[str, str]] | None) -> str | None:
    """The source of ``function`` for a pair side (a submission id or ``known:<name>``)."""
    if pid.startswith(KNOWN_PREFIX) and known is not None and pid[len(KNOWN_PREFIX):] in known:
        return known[pid[len(KNOWN_PREFIX):]].get(function)
    if pid in submissions:
        return submissions[pid].get(function)
    return None


def _pair_html(rank: int, pair: PairMatch, submissions: Mapping[str, Mapping[str, str]],
               known: Mapping[str, Mapping[str, str]] | None) -> str:
    """The block of one pair: header, per-function scores, side-by-side code of matching functions."""
    e = html.escape
    why = ": " + e(pair.reason) if pair.reason else ""
    flag = ' <span class="flag">flagged%s</span>' % why if pair.flagged else ""
    parts = ['<h3>%d. %s &harr; %s: overall %.2f, %d shared fingerprints%s</h3>'
             % (rank, e(pair.a), e(pair.b), pair.overall, pair.shared, flag)]
    if pair.reason == IDENTICAL_REASON:
        parts.append("<p>The two notebooks hold the same own work: the same code and markdown cells "
                     "(outputs, metadata, whitespace at line ends and blank lines aside, and the starter "
                     "notebook's cells when it was given), whatever the score of their functions. "
                     "Open both notebooks to compare them.</p>")
    if pair.scores:
        functions = sorted(pair.scores, key=lambda f: -pair.scores[f])
        parts.append('<table class="scores"><tr>' + "".join("<th>%s</th>" % e(f) for f in functions) + "</tr><tr>"
                     + "".join("<td>%.2f</td>" % pair.scores[f] for f in functions) + "</tr></table>")
    for function in sorted(pair.regions, key=lambda f: -pair.scores.get(f, 0.0)):
        regions: Regions = pair.regions[function]
        parts.append("<h4>%s</h4>" % e(function))
        parts.append('<div class="side"><div><div>%s</div>%s</div><div><div>%s</div>%s</div></div>' % (
            e(pair.a), _code_block(_source(pair.a, function, submissions, known), regions.a),
            e(pair.b), _code_block(_source(pair.b, function, submissions, known), regions.b)))
    return "<article>" + "".join(parts) + "</article>"


#: Functions ``_unseen_html`` names, at most (the rest counted).
MAX_UNSEEN_SHOWN = 50


def _unseen_html(submissions: Mapping[str, Mapping[str, str]]) -> str:
    """A note naming the submissions whose compared source of a function may not be the code graded
    (it begins with ``UNSEEN_NOTE``, ``grader.runner``'s: a decorated def, a member of a class a metaclass
    or a decorator builds, ``grader.gradedsource.graded_source``), with the reason; "" when there is none.
    Such a copy is compared with the functions that code reaches, but a long decoy beside it can
    still keep the score under the threshold: these are for the TA to open."""
    # One line per submission and reason: code that reaches into functions notes every one of them.
    found = list(dict.fromkeys((sid, source.split("\n", 1)[0][len(UNSEEN_NOTE):])
                               for sid, functions in submissions.items() for _name, source in sorted(functions.items())
                               if isinstance(source, str) and source.startswith(UNSEEN_NOTE)))
    if not found:
        return ""
    e = html.escape
    items = "".join("<li>%s: %s</li>" % (e(str(sid)), e(why)) for sid, why in found[:MAX_UNSEEN_SHOWN])
    more = "<p>... and %d more.</p>" % (len(found) - MAX_UNSEEN_SHOWN) if len(found) > MAX_UNSEEN_SHOWN else ""
    return ('<div class="note"><p>The code graded for these functions is what a decorator, a metaclass or '
            "code run while a class is built made, which the text compared may not show; open these "
            "notebooks to read what ran:</p><ul>%s</ul>%s</div>" % (items, more))


def render_similarity_html(report: SimilarityReport, submissions: Mapping[str, Mapping[str, str]], *,
                           top: int = 10, known: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """An HTML ``<section>`` (no ``<html>``; CSS inline) showing the ``top`` most suspicious pairs side by side.

    ``submissions`` (and ``known``) are the sources given to ``find_similar``;
    matching lines are highlighted. Every piece of text is escaped.
    """
    e = html.escape
    stats = report.stats
    flagged = report.flagged
    parts = ['<section class="similarity"><style>%s</style>' % _CSS, "<h2>Similar code</h2>"]
    parts.append('<p class="note">A flag is evidence for a human to examine, never a grade change. '
                 "Short, constrained functions resemble each other even when written independently; "
                 "read the highlighted code before drawing any conclusion.</p>")
    identical = sum(1 for p in flagged if p.reason == IDENTICAL_REASON)
    known_count = stats.get("known", 0)
    parts.append("<p>%d submissions, %d known source%s; threshold %.2f; %d flagged pairs%s in %d clusters; "
                 "%d fingerprints%s (%d ignored as starter code, %d as common to the class); %.2f s.</p>" % (
                     stats.get("submissions", 0), known_count, "" if known_count == 1 else "s", report.threshold,
                     len(flagged), " (%d of them for identical own work)" % identical if identical else "",
                     len(report.clusters), stats.get("fingerprints", 0), whose_fingerprints(stats),
                     stats.get("ignored_template", 0), stats.get("ignored_common", 0), stats.get("seconds", 0.0)))
    note = common_code_note(stats)  # a small class: the pairs its common code hid
    if note:
        parts.append('<p class="note">%s</p>' % e(note))
    if report.clusters:
        parts.append("<p>Clusters: " + "; ".join(
            "{" + ", ".join(e(m) for m in group) + "}" for group in report.clusters) + "</p>")
    unseen = _unseen_html(submissions)
    if unseen:
        parts.append(unseen)
    shown = list(report.pairs[:max(top, 0)])
    if not shown:
        # True of an empty list: no two submissions share a fingerprint left after the exclusions.
        parts.append("<p>No two submissions share code once the starter's and the class's common "
                     "code are set aside.</p>")
    for rank, pair in enumerate(shown, 1):
        parts.append(_pair_html(rank, pair, submissions, known))
    parts.append("</section>")
    return "".join(parts)
