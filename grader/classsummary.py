"""What a class run says at its end (``ClassSummary``, the printed summary) and what it reads to say it:
the roster and points by hand, their notes, the earlier gradebook's head and options."""
from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence, TextIO

from grader.classfiles import GRADEBOOK, SIMILARITY_CSV
from grader.exits import CommandError


@dataclass(frozen=True)
class ClassSummary:
    """What a class run did: counts, scores, failures, and where the files are."""

    graded: int  # submissions with a grade (this run or kept from an earlier one)
    harness_failures: tuple[str, ...]
    unreadable: tuple[str, ...]
    scores: tuple[float, ...]
    max_score: float
    seconds: float
    out_dir: Path
    total: int = 0
    skipped: int = 0  # unchanged since an earlier run: not graded again
    interrupted: bool = False
    report_problems: tuple[str, ...] = ()  # ids whose feedback.html (or key) could not be written
    flagged_pairs: int = 0
    #: A small class's pairs alike once its common code counts (``grader.similarity.smallclass``), or "".
    similarity_note: str = ""
    class_report: Path | None = None
    former: tuple[str, ...] = ()  # OUT/<id>/ of an earlier run whose submission is gone
    several_notebooks: tuple[str, ...] = ()  # unreadable ones holding several notebooks, none graded
    #: Those holding several notebooks of which one was graded (``grader.choice``): "id (what was
    #: graded, what not)".
    one_of_several: tuple[str, ...] = ()
    #: With ``--roster``: its students (count), those with no submission (their roster ids), the
    #: submissions whose student is not on it, and students with several submissions.
    roster_size: int = 0
    no_submission: tuple[str, ...] = ()
    not_on_roster: tuple[str, ...] = ()
    several_submissions: tuple[str, ...] = ()
    earlier_only: str = ""  # what the run says of the roster's students graded by an earlier run only
    excused: str = ""  # what the run says of the students the roster marks excused (withdrawn), or ""
    empty_sections: str = ""  # what the run says of the roster's sections without any submission, or ""
    #: A run of one notebook into the class's output folder: the earlier gradebook's other
    #: submissions, kept as graded then (``grader.incremental.earlier_class``).
    earlier_kept: int = 0
    #: The scores (and max_score) that differ from the earlier grades.csv's, as a sentence, or "".
    score_changes: str = ""
    #: Why each of ``unreadable`` could not be graded, in few words (``unreadable_reason``).
    unreadable_why: tuple[str, ...] = ()
    #: Graded submissions with 0 points on every graded function (``ClassStats.zero_on_every_function``).
    zero_on_every_function: tuple[str, ...] = ()
    #: What the run says of the Moodle or Canvas file it wrote (or could not), printed beside
    #: ``Gradebook:`` (``grader.upload.Upload.note``), or "".
    upload_note: str = ""
    #: With ``--roster``: its lines left out for a role that is not a student's (``Roster.staff``).
    roster_staff: int = 0
    #: An interrupted run's submissions it did not grade, for which no earlier result stands:
    #: not in ``grades.csv`` (with a roster, rows without a score, status 'not graded yet').
    not_graded: tuple[str, ...] = ()
    #: With ``--adjust`` that changed a score: ``scores`` as ``grades.csv`` writes them, the points
    #: by hand added (in the same order); () otherwise. ``scores`` are the grader's.
    adjusted_scores: tuple[float, ...] = ()


def distribution_line(scores: Sequence[float], max_score: float) -> str:
    """One line: ``min 12 · median 80 · mean 71.5 · max 100 (of 100) · 0-20%:1 20-40%:0 ... 80-100%+:3``."""
    if not scores:
        return "no scores"
    ordered = sorted(scores)
    n = len(ordered)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    bins = [0] * 5
    for s in scores:
        frac = s / max_score if max_score else 0
        bins[max(0, min(4, int(frac * 5)))] += 1
    # The last bin holds a bonus's scores over max_score too: "80-100%+", as the class report's table.
    labels = " ".join(f"{i * 20}-{(i + 1) * 20}%{'+' if i == 4 else ''}:{count}" for i, count in enumerate(bins))
    return (f"min {ordered[0]:g} · median {median:g} · mean {sum(ordered) / n:.1f} · "
            f"max {ordered[-1]:g} (of {max_score:g}) · {labels}")


def entries_at_most(root: Path) -> int:
    """How many submissions ``root`` may hold at most, cheaply (entries of a folder; 1 for a file)."""
    try:
        return max(1, sum(1 for _ in os.scandir(root))) if Path(root).is_dir() else 1
    except OSError:
        return 1


def gradebook_head(path: Path) -> bytes:
    """The first 64 KiB of the earlier ``grades.csv`` at ``path``; b"" when there is none."""
    try:
        with open(path, "rb") as handle:
            return handle.read(65536)
    except OSError:  # none yet (or unreadable): nothing was dropped that we can tell
        return b""


#: What the header of a gradebook written with ``--adjust`` holds.
ADJUSTED_HEADER = b",adjustment,adjustment_reason"


def class_options(out_dir: Path, *, stream: TextIO, **given: Path | bool | None) -> tuple:
    """The ``grader.classoptions.ClassOptions`` this run grades with (``resolve``: those not
    ``given`` are the folder's remembered ones, and the run says so), and the names of those
    dropped on purpose (``--no-roster``: ``roster``)."""
    from grader.classoptions import OptionsError, resolve

    try:
        used, taken = resolve(out_dir, **given)
    except OptionsError as exc:
        raise CommandError(str(exc)) from None
    if flags := taken.flags():
        stream.write(f"As the class in {out_dir} was graded before (its grading-options.json): "
                     f"{' '.join(flag for flag, _ in flags)}; give another, or "
                     f"{', '.join(drop for _, drop in flags)}, to change that\n")
    return used, frozenset(name for name, value in given.items() if value is False)


def remembered_class_sources(out_dir: Path, *, stream: TextIO) -> tuple[Path, ...]:
    """``grade.py --out OUT`` with no SUBMISSIONS: those of the class's last class run
    (``grader.classoptions.remembered_sources``), said on a line."""
    from grader.classoptions import OptionsError, remembered_sources

    try:
        sources = remembered_sources(out_dir)
    except OptionsError as exc:
        raise CommandError(str(exc)) from None
    stream.write(f"Grading the submissions the class in {out_dir} was graded from (its grading-options.json): "
                 f"{' and '.join(map(str, sources))}\n")
    return sources


def with_sources(options: Any, sources: Sequence[Path], *, out_dir: Path, regrade: bool) -> Any:
    """``options`` (``grader.classoptions.ClassOptions``) with the SUBMISSIONS of this run to
    remember: a class run's, or, for a ``regrade`` (one notebook, one student's folder), the
    class's as they were. Raises ``CommandError`` for a class run that leaves out some of the
    sources the class was graded from (``sources_left_out``), before anything is graded."""
    from grader.classoptions import absolute, few_students_for_the_class, outside_sources, sources_left_out

    if regrade:  # one notebook (or late zip) outside the class's sources: its next class run grades it too
        notebook = absolute(sources[0])
        if outside_sources(options, notebook):  # the last graded last: of one student's two, it counts
            return dataclasses.replace(options, late=(*(path for path in options.late if path != notebook), notebook))
        return options
    if problem := (sources_left_out(options.sources, sources, out_dir=out_dir)
                   or few_students_for_the_class(options.sources, sources, out_dir=out_dir)):
        raise CommandError(problem)
    return dataclasses.replace(options, sources=tuple(absolute(source) for source in sources))


def late_notebooks(options: Any, sources: Sequence[Path]) -> tuple[Path, ...]:
    """The notebooks graded alone into ``out_dir`` since its class run (``ClassOptions.late``: an
    extension's) that a class run of ``sources`` grades with the class: those still there and
    not inside one of ``sources``. Until the thirty-sixth session the next class run left them out
    of ``grades.csv`` ('not in this run', without a score)."""
    given = [source.resolve() for source in sources]
    late = tuple(path for path in options.late if path.is_file()
                 and not any(path.resolve() == source or path.resolve().is_relative_to(source) for source in given))
    return late


def late_note(late: Sequence[Path], *, out_dir: Path) -> str:
    """The run's line naming the notebooks graded alone since that it grades with the class."""
    return (f"Grading with the class the notebooks graded alone into {out_dir} since (its "
            f"grading-options.json): {', '.join(map(str, late))}")


def superseded_note(superseded: Sequence[tuple[Path, Sequence[Any]]], *, out_dir: Path) -> str:
    """The run's line naming the notebooks (or zips) graded alone into ``out_dir`` since its class
    run that it does not grade, since its sources hold their students' own submissions (each path
    with the sources' ``Submission`` of each student, graded instead). Until the thirty-eighth session they were dropped
    without a word: a late resubmission graded alone gave way to the on-time notebook at the next
    class run (a rubric fix), the student's score back to the earlier one, said only as a score change."""
    from grader.copycommands import grade_command, quoted

    shown = "; ".join(f"{path} ({', '.join(f'{sub.id}: {sub.path} graded instead' for sub in theirs)})"
                      for path, theirs in superseded)
    again = "; ".join(f"{grade_command()} {quoted(str(path))} --out {quoted(str(out_dir))}" for path, _ in superseded)
    return (f"Not graded with the class, and no longer remembered by {out_dir} (its grading-options.json): "
            f"the notebooks graded alone into it since whose students this run grades from another "
            f"submission: {shown}. That one is graded in their place (a download holding their "
            f"resubmission, the work the late one replaced, or a later notebook graded alone); if the late "
            f"one is to count, grade it alone again after this run ({again}): its row is updated, the class kept")


def gradebook_options_dropped(path: Path, *, roster: bool, excel: bool, adjust: bool = False) -> str:
    """What an earlier ``grades.csv`` had that this run's will not (lines to print, or ""): the
    roster's columns and students (``--roster``), Excel's byte-order mark (``--excel``). Said where
    the folder remembers no options (``grader.classoptions``: a gradebook of an older grader): a
    re-run for two late submissions without them silently dropped the students with no submission
    from the gradebook the TA uploads."""
    head = gradebook_head(path)
    if not head:
        return ""
    header = head.split(b"\n", 1)[0]
    lines = []
    # The gradebook this run writes (``path`` is the last finished run's, which a run set aside as
    # previous-grades.csv while it grades: the lines named that file, which the run then removes).
    path = path.parent / GRADEBOOK
    if not roster and b",on_roster," in header:
        lines.append(f"The earlier {GRADEBOOK} had a roster's columns and students; this run was given no "
                     f"--roster, so {path} now lists the submissions only: run again with --roster FILE "
                     f"(nothing is graded again) to have every student of the class in it\n")
    if not adjust and ADJUSTED_HEADER in header:
        lines.append(f"The earlier {GRADEBOOK} had a TA's adjustments (--adjust); this run was given none, "
                     f"so {path}'s scores and the students' feedback are the grader's alone: run again with --adjust FILE (nothing "
                     f"is graded again) to have them\n")
    if not excel and head.startswith(b"\xef\xbb\xbf"):
        lines.append(f"The earlier {GRADEBOOK} was written for Excel (--excel); this run's is plain UTF-8: "
                     f"add --excel if Excel opens it\n")
    return "".join(lines)


def show_adjustments(book: Any, by_cell: Mapping, *, out_dir: Path, keys: Mapping[str, str | None]) -> None:
    """Say each submission's points by hand (``by_cell``, by gradebook cell) in its feedback.md,
    feedback.html and results.json (``grader.adjustments.show_in_feedback``), and none where an
    earlier run said some; what a folder says is recorded in its key, so that a later run with
    the same points reads no file. Until the thirty-second session only grades.csv had them: the
    student read the grader's score and never the TA's points nor why."""
    from grader.adjustments import show_in_feedback
    from grader.files import spreadsheet_text
    from grader.incremental import add_to_key, key_field

    for sid, (points, max_points) in book.points().items():
        adjustment = by_cell.get(spreadsheet_text(sid))
        wanted = None if adjustment is None else [adjustment.points, list(adjustment.reasons)]
        folder, key = out_dir / sid, keys.get(sid)
        found, shown = key_field(folder, "adjustment_shown", key=key)
        if found and shown == wanted:
            continue
        written = show_in_feedback(folder, adjustment, points=points, max_points=max_points)
        if key is not None:
            add_to_key(folder, key, written, fields={"adjustment_shown": wanted})


def dropped_adjustments(ids: Sequence[str], by_cell: Mapping | None, *, out_dir: Path,
                        keys: Mapping[str, str | None]) -> dict[str, list]:
    """Of the submissions ``ids`` kept from an earlier run, those whose files say points by hand
    (their key's ``adjustment_shown``: ``[points, reasons]``) that this run's (``by_cell``, or None
    without ``--adjust``) do not hold for them: shown to the student, gone from ``grades.csv``. Two
    graders' folders merged (``cp -r outB/. outA/``) take B's remembered options: A's late penalties
    left the gradebook and the upload file, and stayed in A's students' feedback, without a word."""
    from grader.files import spreadsheet_text
    from grader.incremental import key_field

    dropped = {}
    for sid in ids:
        if by_cell is not None and spreadsheet_text(sid) in by_cell:
            continue
        found, shown = key_field(out_dir / sid, "adjustment_shown", key=keys.get(sid))
        if found and shown:
            dropped[sid] = shown
    return dropped


def dropped_adjustments_note(dropped: Mapping[str, list], *, adjust: Path | None, out_dir: Path) -> str:
    """The run's line naming the points by hand an earlier run showed that this run's gradebook does
    not hold (``dropped_adjustments``), removed from those students' files now."""
    shown = "; ".join(f"{sid} ({points:+g}{': ' + ', '.join(reasons) if reasons else ''})"
                      for sid, (points, reasons) in list(dropped.items())[:10])
    more = f"; and {len(dropped) - 10} more" if len(dropped) > 10 else ""
    given = (f"{adjust} has none for them" if adjust is not None else
             f"This run has no --adjust, given or remembered by {out_dir} (a folder copied over from "
             f"another grader's brings its grading-options.json)")
    return (f"Points by hand an earlier run gave, not in this run's {GRADEBOOK} nor upload file, and removed "
            f"from those students' feedback: {shown}{more}. {given}; if they still hold, run again with "
            f"--adjust FILE holding them (nothing is graded again)")


def unreadable_reason(messages: Sequence[str]) -> str:
    """Why a submission could not be graded, in few words, from its first message: the file's
    name before it, the details after a ``:`` or ``;`` and a last parenthesis left out
    (``trunc.ipynb: not JSON (truncated at byte 3000)`` is ``not JSON``), so that submissions
    that failed alike are named together; "" without a message.

    >>> unreadable_reason(["nonb: the submission holds 2 notebooks (a.ipynb, b.ipynb); expected one."])
    'the submission holds 2 notebooks'
    >>> unreadable_reason(["b.ipynb: broken nbformat 3 notebook (ValidationError: 'cells' is required)"])
    'broken nbformat 3 notebook'
    """
    from grader.files import visible_text

    if not messages:
        return ""
    text = messages[0].split("\n", 1)[0]
    text = text.split(": ", 1)[-1]
    text = re.split(r": |; ", text, maxsplit=1)[0].rstrip(". ")
    text = re.sub(r"\s*\([^()]*\)$", "", text)
    # A parenthesis the split above cut open (``broken nbformat 3 notebook (ValidationError: ...)``
    # read "broken nbformat 3 notebook (ValidationError" in the run's summary): left out whole.
    text = re.sub(r"\s*\([^()]*$", "", text)
    return visible_text(text[:100])


def scores_adjusted(graded: Sequence[Any], *, book: Any, adjustments: Mapping | None) -> tuple[float, ...]:
    """The scores of the ``graded`` results as ``book`` (the gradebook) writes them with the points by
    hand ``adjustments``, () when these change none (``ClassSummary.adjusted_scores``)."""
    if not adjustments:
        return ()
    given = book.scores_given(adjustments)
    adjusted = tuple(given.get(r.submission_id, r.points) for r in graded)
    return adjusted if adjusted != tuple(r.points for r in graded) else ()


def print_summary(summary: ClassSummary, *, stream: TextIO, similarity_ran: bool) -> None:
    """The end of a run: counts, the distribution in one line, failures by name, file paths."""
    out = summary.out_dir
    # "Graded 5 of 6 (6 unchanged, kept)" read as if more were kept than graded: the count of
    # grades includes the kept ones, so say what this run did and what it kept.
    # An interrupted run said "46 in this run" of the 4 it graded (the 42 it did not reach counted).
    said = [f"{summary.total - summary.skipped - summary.earlier_kept - len(summary.not_graded)} in this run"]
    if summary.skipped:
        said.append(f"{summary.skipped} unchanged since the last run and kept")
    if summary.earlier_kept:
        said.append(f"{summary.earlier_kept} kept from the earlier {GRADEBOOK}")
    if summary.not_graded:
        said.append(f"{len(summary.not_graded)} not reached")
    kept = f" ({', '.join(said)})" if len(said) > 1 else ""
    # The figures are of the graded submissions; report.html's overview counts an unreadable one
    # as 0 too (as grades.csv does), so the two means differed with nothing saying why.
    whose = f"of the {len(summary.scores)} graded: " if summary.unreadable else ""
    # With points by hand the figures were the grader's, and grades.csv's mean another with
    # nothing saying why: both are given, each named.
    if summary.adjusted_scores:
        whose += "the grader's scores: "
    by_hand = (f"\n  with the points by hand (--adjust), as {GRADEBOOK} has them: "
               f"{distribution_line(summary.adjusted_scores, summary.max_score)}" if summary.adjusted_scores else "")
    stream.write(f"Graded {summary.graded} of {summary.total}{kept} in {summary.seconds:.1f}s; "
                 f"{whose}{distribution_line(summary.scores, summary.max_score)}{by_hand}\n")
    if summary.not_graded:  # a gradebook of part of the class, which nothing said
        shown = ", ".join(summary.not_graded[:10]) + (", ..." if len(summary.not_graded) > 10 else "")
        where = (f"in {out / GRADEBOOK} without a score, status '{_NOT_GRADED_YET}'" if summary.roster_size
                 else f"not in {out / GRADEBOOK}")
        stream.write(f"Not graded, the run was interrupted before their turn: {len(summary.not_graded)} "
                     f"submission(s) ({shown}), {where}. Upload no score from this gradebook yet: run "
                     f"the same command again, which grades them and writes the class report\n")
    if summary.score_changes:
        stream.write(summary.score_changes + "\n")
    if summary.unreadable:
        # Grouped by why: forty ids in a row said nothing of what to do with any of them.
        groups: dict[str, list[str]] = {}
        whys = summary.unreadable_why
        for at, sid in enumerate(summary.unreadable):
            groups.setdefault(whys[at] if at < len(whys) else "", []).append(sid)
        said = "; ".join(f"{', '.join(ids)}" + (f" ({why})" if why else "")
                         for why, ids in sorted(groups.items(), key=lambda item: -len(item[1])))
        stream.write(f"Unreadable submissions (0 points each in grades.csv, and in report.html's figures): "
                     f"{said}\n")
    if summary.several_notebooks:  # readable work, not graded: the TA can fix it, the feedback says so
        # A Moodle download unzipped over an earlier one keeps a notebook the student replaced
        # since, under its old name: Moodle's names say nothing of which upload is later.
        download = ("; a platform's download unzipped over an earlier one keeps the files a student "
                    "replaced since: unzip each download into an empty folder"
                    if any(re.search(r"_\d+$", sid) for sid in summary.several_notebooks) else "")
        stream.write(f"Several notebooks in one submission, none graded (each one's feedback names them; "
                     f"leave the one to grade in the student's files and run again{download}): "
                     f"{', '.join(summary.several_notebooks)}\n")
    if summary.zero_on_every_function:  # graded, yet perhaps the wrong file: a TA looks first
        stream.write(f"Graded with 0 on every function (the wrong notebook handed in, or code that "
                     f"does not parse? each one's feedback.md says why): "
                     f"{', '.join(summary.zero_on_every_function)}\n")
    if summary.one_of_several:  # graded, but the TA may know better: each says which file
        stream.write(f"Several notebooks in one submission, the one holding the work graded (its "
                     f"feedback names the others): {'; '.join(summary.one_of_several)}\n")
    if summary.harness_failures:
        stream.write(f"Harness failures (our bugs, not the students'): "
                     f"{', '.join(summary.harness_failures)}\n")
    if summary.roster_size:
        # "0 with no submission (in grades.csv with 0 and status 'no submission')" read as if
        # someone had been given a 0: said only when someone has.
        absent = (f"{len(summary.no_submission)} with no submission: {', '.join(summary.no_submission)} "
                  f"(in {out / GRADEBOOK} with 0 and status '{_NO_SUBMISSION}')" if summary.no_submission
                  else "each with a submission")
        staff = f" ({summary.roster_staff} line(s) of staff left out, by its role column)" if summary.roster_staff else ""
        stream.write(f"Roster: {summary.roster_size} student(s){staff}; {absent}\n")
        if summary.earlier_only:
            stream.write(f"Roster: {summary.earlier_only}\n")
        if summary.excused:
            stream.write(f"Roster: {summary.excused}\n")
        if summary.empty_sections:
            stream.write(f"Roster: {summary.empty_sections}\n")
        if summary.not_on_roster:
            stream.write(f"Not on the roster (graded; in {out / GRADEBOOK} with on_roster 'no'): "
                         f"{', '.join(summary.not_on_roster)}\n")
        if summary.several_submissions:
            stream.write(f"Several submissions for one student of the roster (each graded, its row after "
                         f"the roster's; the student's own row in the roster's order has no score, status "
                         f"'{_SEVERAL}': leave the one that counts among the submissions and run again, or "
                         f"give the score by hand): {'; '.join(summary.several_submissions)}\n")
    if summary.report_problems:
        stream.write(f"Feedback reports incomplete for: {', '.join(summary.report_problems)} "
                     f"(see {out}/<id>/grader-errors.txt)\n")
    if similarity_ran:
        stream.write(f"Similarity: {summary.flagged_pairs} pair(s) flagged for a human to read "
                     f"({out / SIMILARITY_CSV})\n")
        if summary.similarity_note:
            stream.write(summary.similarity_note + "\n")
    stream.write(f"Gradebook: {out / 'grades.csv'}\n")
    if summary.upload_note:  # the file to upload, beside the gradebook it was made from
        stream.write(summary.upload_note + "\n")
    if summary.class_report:
        stream.write(f"Class report: {summary.class_report}\n")


_NO_SUBMISSION = "no submission"  # grader.report.NO_SUBMISSION (not imported before the fork)
_NOT_IN_THIS_RUN = "not in this run"  # grader.report.NOT_IN_THIS_RUN
_EXCUSED = "excused"  # grader.report.EXCUSED
_SEVERAL = "several submissions"  # grader.report.SEVERAL_SUBMISSIONS
_NOT_GRADED_YET = "not graded yet"  # grader.report.NOT_GRADED_YET


def adjustments_of(path: Path) -> Any:
    """``grader.adjustments.load_adjustments``, its error a ``CommandError``."""
    from grader.adjustments import AdjustmentError, load_adjustments

    try:
        return load_adjustments(path)
    except AdjustmentError as exc:
        raise CommandError(str(exc)) from None


def roster_of(path: Path) -> Any:
    """``grader.discover.load_roster``, its error a ``CommandError``."""
    from grader.discover import RosterError, load_roster

    try:
        return load_roster(path)
    except RosterError as exc:
        raise CommandError(str(exc)) from None


def _roster_student(student: Any) -> str:
    """A roster student as listed: the id, and the name when the roster has one; written out
    as ids are (``grader.discover.readable_id``): a platform's export may hold a name a student
    chose, and the run prints it."""
    from grader.discover import readable_id

    return readable_id(f"{student.id} ({student.name})" if student.name else student.id)


def roster_notes(matched: Any, *, again: str = "", sources: Sequence[Path] = ()) -> list[str]:
    """What the class report's Roster section says (``grader.discover.RosterMatch``): who has
    no submission, which submissions are of no student on it, who has several."""
    from grader.discover import readable_id

    roster = matched.roster
    missing = matched.missing()
    staff = (f"; {len(roster.staff)} line(s) of staff left out, by its role column (line "
             f"{', '.join(map(str, roster.staff[:5]))}{', ...' if len(roster.staff) > 5 else ''})"
             if roster.staff else "")
    notes = [f"Roster {readable_id(roster.path.name)}: {len(roster.students)} student(s) (ids from its "
             f"column '{readable_id(roster.id_column)}'{staff}); {len(missing)} with no submission"
             + (f": {', '.join(_roster_student(s) for s in missing)}" if missing else "")
             + f" (in {GRADEBOOK} with 0 points and status '{_NO_SUBMISSION}')."]
    if matched.earlier:
        notes.append(_earlier_note(matched, again=again, sources=sources))
    if excused := _excused_note(matched):
        notes.append(excused)
    if empty := _empty_sections_note(matched):
        notes.append(empty[0].upper() + empty[1:])
    if matched.unlisted:
        notes.append(f"{len(matched.unlisted)} submission(s) of no student on the roster, graded and in "
                     f"{GRADEBOOK} with on_roster 'no': {', '.join(matched.unlisted)}.")
    several = matched.several()
    if several:
        notes.append(f"Several submissions for one student of the roster, each graded with a row of its "
                     f"own after the roster's, the student's row in the roster's order without a score "
                     f"(status '{_SEVERAL}'): " + "; ".join(f"{readable_id(rid)}: {', '.join(sids)}"
                                         for rid, sids in several.items()) + ".")
    return notes


def spreadsheet_ids_note(matched: Any) -> str:
    """What the run says of the roster's ids a spreadsheet changed (``RosterMatch.guessed``,
    ``changed_ids``): those matched all the same, and the dates no submission was matched to;
    "" when there are none. Raises CommandError, before anything is graded, for an id in
    scientific notation that no submission's number agrees with, or several do: its student
    cannot be told, so the roster must be saved again (its line, and how)."""
    from grader.discover import readable_id

    roster = matched.roster
    column = readable_id(roster.id_column)
    said = []
    for student, what in matched.changed_ids():
        where = f"{readable_id(roster.path.name)}:{student.line}"
        if what != "a date":
            raise CommandError(
                f"{roster.path}:{student.line}: the id {student.id!r} is {what}, and the number of "
                f"no single submission agrees with it; format the column {column!r} as Text (or a "
                f"number without decimals) and save the roster again")
        said.append(f"{readable_id(student.id)} ({where})")
    guessed = [f"{readable_id(matched.student_of[sid].id)} (line {matched.student_of[sid].line}, "
               f"{how}) is {sid}" for sid, how in matched.guessed.items()]
    note = ""
    if guessed:
        note = (f"Roster ids a spreadsheet changed, each matched to the one submission whose number "
                f"they can be: {'; '.join(guessed)}. Format the roster's column {column!r} as Text "
                f"to have the ids as the students have them")
    if said:
        note += ("; r" if note else "R") + (
            f"oster ids that read as dates (a spreadsheet makes one of an id such as 3-12), matched "
            f"to no submission, 'no submission' in {GRADEBOOK}: {', '.join(said)}; format the "
            f"column {column!r} as Text and type the ids again")
    return note + "." if note else ""


def _earlier_note(matched: Any, *, again: str = "", sources: Sequence[Path] = ()) -> str:
    """What the run says of the roster's students it did not grade but an earlier run did;
    ``again`` (``outputfolder.class_again``), the command that grades the class again from
    ``sources``, those its output folder remembers."""
    from grader.discover import readable_id
    from grader.outputfolder import EVERY_SOURCE

    if again:
        what = (f"grade the class again to have their scores ({again}: the submissions it was graded "
                f"from, {', '.join(map(str, sources))})")
    else:
        what = f"grade the whole class, {EVERY_SOURCE}, to have their scores"
    return (f"{len(matched.earlier)} not in this run but graded by an earlier one into the output "
            f"folder (in {GRADEBOOK} without a score, status '{_NOT_IN_THIS_RUN}': {what}): "
            f"{', '.join(readable_id(rid) for rid in matched.earlier)}.")


def _excused_note(matched: Any) -> str:
    """What the run and the class report say of the students the roster marks excused who have
    no submission (``RosterMatch.excused``), the first ``MAX_LISTED`` named and the rest counted
    (a course marking hundreds withdrawn made one line of them all), "" when there are none."""
    from grader.discover import listing, readable_id

    if not (excused := matched.excused()):
        return ""
    named = listing([f"{_roster_student(s)} [{readable_id(s.excused)}]" for s in excused])
    return (f"{len(excused)} excused by the roster's column '{readable_id(matched.roster.excused_column)}' "
            f"and without a submission (in {GRADEBOOK} without a score, status '{_EXCUSED}'; the upload file keeps "
            f"their cell): {named}.")


def _empty_sections_note(matched: Any) -> str:
    """What the run and the class report say of the roster's sections none of whose students has a
    submission (``RosterMatch.empty_sections``), "" when there are none. Until the thirty-eighth
    session a run of one section's download with the course's roster gave the other sections' students
    0 and 'no submission' in grades.csv, said only as a list of ids with no submission."""
    from grader.discover import readable_id

    if not (empty := matched.empty_sections()):
        return ""
    from grader.copycommands import grade_command

    shown = " and ".join(f"'{readable_id(section)}' ({len(students)} student(s): {', '.join(readable_id(s.id) for s in students[:5])}"
                      f"{', ...' if len(students) > 5 else ''})" for section, students in empty.items())
    one = len(empty) == 1
    return (f"no student of {'section' if one else 'sections'} {shown} (the roster's column "
            f"'{readable_id(matched.roster.section_column)}') has a submission, while the other "
            f"sections' students have: was {'its' if one else 'their'} download left out? {GRADEBOOK} gives "
            f"them 0 and '{_NO_SUBMISSION}', no score to upload for them; grade every section's download "
            f"together ({grade_command()} SEC1.zip SEC2.zip --out OUT), or give a roster of the sections graded.")


def roster_counts(matched: Any, *, again: str = "", sources: Sequence[Path] = ()) -> dict:
    """``ClassSummary``'s roster fields for ``matched`` (none without a roster); ``again`` and
    ``sources`` as ``roster_notes``'."""
    if matched is None:
        return {}
    from grader.discover import readable_id

    return {"roster_size": len(matched.roster.students), "roster_staff": len(matched.roster.staff),
            "no_submission": tuple(readable_id(s.id) for s in matched.missing()),
            "earlier_only": _earlier_note(matched, again=again, sources=sources) if matched.earlier else "",
            "excused": _excused_note(matched),
            "empty_sections": _empty_sections_note(matched),
            "not_on_roster": matched.unlisted,
            "several_submissions": tuple(f"{readable_id(rid)}: {', '.join(sids)}"
                                         for rid, sids in matched.several().items())}
