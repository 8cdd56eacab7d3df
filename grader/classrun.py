"""A class run (``grade_class``, ``grade.py SUBMISSIONS``), phase by phase: the start-up (options,
zygotes, rubric and fixtures, lock), the submissions found, what is said before grading, the grading,
the gradebook, the similarity check and the class report, the summary. Data flows one way through
them: each phase returns what the next ones read (frozen records), the run's books aside
(``grader.classbooks``)."""
from __future__ import annotations

import contextlib
import gc
import importlib
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Collection, Mapping, Sequence, TextIO

from grader.classfiles import (CLASS_FILES, CLASS_REPORT, DEFAULT_OUT, DEFAULT_RUBRIC, GRADEBOOK,
                               SIMILARITY_CSV, SUMMARY_REPORT)
from grader.classsources import (TurnsOpener, bytes_digest, case_twin, case_twin_note, find_in, known_problem,
                                 on_time_digest, opened_submissions, shown_sources, submission_sources, submissions_under, sweep_unpack_folders, unpacked_note)
from grader.classsummary import (ADJUSTED_HEADER, ClassSummary, adjustments_of, class_options, dropped_adjustments,
                                 dropped_adjustments_note,
                                 entries_at_most, gradebook_head, gradebook_options_dropped, print_summary,
                                 late_note, late_notebooks, remembered_class_sources, roster_counts, roster_notes, roster_of,
                                 scores_adjusted, show_adjustments, spreadsheet_ids_note, superseded_note,
                                 unreadable_reason, with_sources)
from grader.exits import CommandError
from grader.feedbackpages import FeedbackPages, finisher, prepare_folder
from grader.gradingcontext import load_context, with_bonus
from grader.outputfolder import (INTERRUPTED_AFTER, class_again, earlier_class_note, former_note, full_disk_stops,
                                 hold_output, keep_earlier_class, pause_collector, refuse_output_around,
                                 remove_earlier, remove_stale_temporaries, renamed_note, stops_say_what_is_left,
                                 student_folder, student_folder_note, usable_out_dir, write_report_html,
                                 write_upload_files)
from grader.protectedpaths import RealPaths, log_files, protected_paths, start_zygotes
from grader.similaritystage import read_template, run_similarity


#: The last lines of a run that graded submissions again (another rubric, other fixtures, another
#: grader) and changed no score: "Graded before ... graded again; the run ends saying which scores
#: changed" was followed by nothing until the thirty-fifth session.
NO_SCORE_CHANGED = "No score differs from the earlier grades.csv."


def _fixtures_digest(rubric) -> str:
    """``grader.fixtures.fixtures_digest`` of ``rubric``; CommandError when a file cannot be read."""
    from grader.fixtures import FixtureError, fixtures_digest

    try:
        return fixtures_digest(rubric)
    except FixtureError as exc:
        raise CommandError(str(exc)) from None


def _edited_while_grading(rubric_path: Path, rubric, fixtures: str) -> str:
    """A note when the rubric or its fixtures are no longer those this run read (an instructor's
    edit and regenerate while the class was graded), or "". The rubric is read again: what it says
    (``Rubric.digest``), not its file's bytes, which a comment changes and which key no grade."""
    import hashlib

    from grader.fixtures import FixtureError, fixtures_digest
    from grader.rubric import RubricError, load_rubric

    try:  # the same bytes (the usual case) need no YAML read
        edited = hashlib.sha256(rubric_path.read_bytes()).hexdigest() != rubric.file_digest \
            and load_rubric(rubric_path).digest != rubric.digest
        edited = edited or fixtures_digest(rubric) != fixtures
    except (OSError, RubricError, FixtureError):
        edited = True
    if not edited:
        return ""
    return (f"{rubric_path} or its fixtures changed while this run graded: every grade of this run is "
            f"the rubric's as this run read it at its start, not the edit's; run again to grade with the "
            f"edit (the next run grades everyone again)")


#: Modules a class run's later phases use, loaded at the end of its start-up: what they make is
#: frozen with the rest of the start-up (``pause_collector``), before the workers' fork.
_BEFORE_THE_FREEZE = ("grader.batch", "grader.choice", "grader.incremental", "grader.models",
                      "grader.progress", "grader.report", "grader.unfinished", "grader.classoptions",
                      "grader.copycommands", "grader.classbooks")


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """Within the block, SIGTERM stops the run like Ctrl-C (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass(frozen=True)
class _StartUp:
    """What a class run's start-up made (``_start_up``): the class's options, the rubric's
    context and fixtures' digest, the zygotes and the sandbox's options, the run's places."""

    sources: tuple[Path, ...]  # SUBMISSIONS: folders, notebooks, zips (``submission_sources``)
    options: Any  # ``grader.classoptions`` options: given, else the folder's earlier runs'
    on_purpose: Any  # the options given on this command line
    class_roster: Any  # ``roster_of``, or None
    adjustments: Any  # ``adjustments_of``, or None
    zygotes: tuple  # started for a folder's run only
    context: Any  # ``GradingContext`` with the bonus's configuration
    fixtures: str  # the fixtures' digest, taken before any submission is opened
    lock: Any  # the output folder's lock (``hold_output``), or None
    unpack_dir: Path  # where the students' zips are unpacked, each at its turn
    one_student: tuple | None  # (folder, submission) of one student graded into the class's folder
    regrade: bool  # one student or one notebook into the class's folder
    late_zip: bool  # a zip of one student's late work, outside the class's sources: a regrade
    again: str  # of a regrade: the command that grades the class again (``outputfolder.class_again``)
    late: tuple[Path, ...]  # notebooks graded alone earlier, graded with this class run
    hidden: tuple[Path, ...]  # what no child may see, besides the output folder
    reads: tuple  # the rubric, roster, adjustments and known solutions: read here only
    logs: tuple[Path, ...]  # the run's log files (``log_files``), hidden as the inputs are
    sandbox_options: dict  # the zygotes' sandbox (the workers': a copy whose protected_paths name the opened roots)

    @property
    def several(self) -> bool:
        """Several sources (two sections' downloads)."""
        return len(self.sources) > 1

    @property
    def first(self) -> Path:
        """The first source: of one, SUBMISSIONS itself (every use asks ``several`` first)."""
        return Path(self.sources[0])


def _start_up(sources: Sequence[Path], *, out_dir: Path, rubric: Path, wanted: int, force: bool,
              given: dict, stream: TextIO, early: contextlib.ExitStack) -> _StartUp:
    """Options, roster, zygotes, rubric and fixtures, lock: everything before the submissions are
    opened, its resources entered in ``early`` (which the caller closes if this raises).
    ``given``: the options of the command line (``class_options``)."""
    several = len(sources) > 1
    submissions = Path(sources[0])
    # SIGTERM (a job's time limit) stops the run as Ctrl-C does, from here to the end: its
    # default killed the start outright, leaving a class zip's notebooks in the temporary
    # directory until a later run's sweep. Put back when ``early`` closes, last.
    early.enter_context(_sigterm_as_interrupt())
    # Only what starting the zygotes needs, not NumPy: they boot beside the imports below.
    from grader.zygote import configure_zygote, unprotected_reason

    reason = unprotected_reason()  # a class is graded with every protection or not at all
    if reason is not None:
        raise CommandError(reason)
    # The options not given are the class's earlier runs' (OUT/grading-options.json).
    options, on_purpose = class_options(out_dir, stream=stream, **given)
    # A roster that cannot be used stops the run before anything starts, named with its line.
    class_roster = roster_of(Path(options.roster)) if options.roster is not None else None
    adjustments = adjustments_of(Path(options.adjust)) if options.adjust is not None else None
    # The workers' zygotes boot (Python, NumPy, the child runtime) while this process
    # imports the rest of the grader and loads the rubric and fixtures.
    zygotes = [] if several else start_zygotes(submissions, out_dir=out_dir, wanted=wanted,
                                               force=force, stack=early)
    from grader.files import UNPACK_PREFIX, run_folder
    from grader.runner import answer_layouts, argument_layouts

    # The rubric and fixtures, then at once the zygotes' configuration, so that they set
    # themselves up while this process loads the rest (the bonus's configuration, the
    # batch's key, the workers' modules) and forks the workers.
    context = load_context(rubric, fixture_cache=True, bonus=False)
    # The students' zips are unpacked here, each at its turn (``StudentTurns``), the
    # grader's own place, hidden from every child; locked while this run lives, so that a
    # later run removes it if this one is killed (``sweep_unpack_folders``).
    lock = hold_output(out_dir, sources=sources, stack=early,  # one run at a time into it
                       stream=stream)
    unpack_dir = early.enter_context(run_folder(UNPACK_PREFIX))
    # One student of a folder of folders (SUBMISSIONS/alice/, or its notebook) graded again
    # into the class's output folder: graded as the class run grades them, the class's folder
    # hidden from the children as in that run.
    one_student = None if several else student_folder(submissions, out_dir=out_dir)
    hidden = [one_student[0]] if one_student is not None else sources
    from grader.archive import students_in
    from grader.classoptions import at_top_of_a_source, classmates_named_in, outside_sources
    from grader.discover import is_zip_name

    # A section left out of a run of the class (its students would leave grades.csv) is
    # refused here; the sources of a class run are remembered for the next, and a notebook
    # graded alone (an extension's) is graded with the class by the next class run.
    # A zip of one student's late work (outside the class's remembered sources, no class's
    # download: its names carry fewer than two Canvas or Moodle students) is graded as a notebook
    # is, its rows updated: until the thirty-seventh session it was a class run of that zip,
    # grades.csv holding them alone and the zip the class's remembered source. So is a student's zip
    # at the top of the class's folder (SUBMISSIONS/dan.zip), remembered as no late one: until the
    # thirty-eighth session a class run of the zip (a row 'rnn', the class's sources replaced).
    late_zip = (not several and one_student is None and is_zip_name(submissions.name)
                and (outside_sources(options, submissions) or at_top_of_a_source(options, submissions))
                and len(students_in(submissions)) < 2)
    if late_zip and (problem := classmates_named_in(submissions, out_dir=out_dir)):
        raise CommandError(problem)
    regrade = one_student is not None or late_zip or (
        not several and submissions.is_file() and not is_zip_name(submissions.name))
    options = with_sources(options, sources, out_dir=out_dir, regrade=regrade)
    late = () if regrade else late_notebooks(options, sources)
    hidden = [*hidden, *late]
    # A run of one notebook or one student into a class's folder hides the rest of the class as its
    # class run does: the sources the folder remembers and its late notebooks (thirty-seventh session:
    # open to that child where Landlock is absent, a classmate's notebook to read and run for its own).
    of_the_class = [path for path in (*options.sources, *options.late) if path.exists()] if regrade else []
    reads = (rubric, options.roster, options.adjust, options.known,  # adjust: ids, points and reasons by hand
             *of_the_class)
    logs = tuple(log_files())  # found once: the workers' protected paths name them too
    sandbox_options = {"protected_paths": protected_paths(*hidden, out_dir=out_dir,
                                                          also=(unpack_dir,), reads=reads, logs=logs),
                       "layouts": answer_layouts(context),
                       "arg_layouts": argument_layouts(context)}
    for zygote in zygotes:  # only a folder's run starts them: the folder is what is graded
        configure_zygote(zygote, **sandbox_options)
    # The fixtures' digest keys every result: taken as soon as the zygotes have their work (a
    # regenerate later in the start-up, while the submissions were opened, gave grades made with
    # the old fixtures the new ones' key, and no run graded them again).
    fixtures = _fixtures_digest(context.rubric)
    sweep_unpack_folders(stream)  # while the zygotes set themselves up
    context = with_bonus(context)
    for module in _BEFORE_THE_FREEZE:
        importlib.import_module(module)
    return _StartUp(sources=tuple(sources), options=options, on_purpose=on_purpose,
                    class_roster=class_roster, adjustments=adjustments, zygotes=tuple(zygotes),
                    context=context, fixtures=fixtures, lock=lock, unpack_dir=unpack_dir,
                    one_student=one_student, regrade=regrade, late_zip=late_zip, late=tuple(late),
                    hidden=tuple(hidden), reads=reads, logs=logs, sandbox_options=sandbox_options,
                    again=class_again(out_dir=out_dir, sources=options.sources) if regrade else "")


class _Workers:
    """The run's worker pool, started once (closed with the run's ``stack``), and the writer of
    the feedback pages and keys after them (``FeedbackPages``; the rest of each submission's
    files are the workers')."""

    def __init__(self, *, stack: contextlib.ExitStack, zygotes: Sequence, batch: Any,
                 feedback_html: bool, **pool_options: Any) -> None:
        self._stack = stack
        self._zygotes = list(zygotes)
        self._batch = batch
        self._feedback_html = feedback_html
        self._options = pool_options
        self.pool: Any = None
        self.pages: FeedbackPages | None = None

    def start(self, count: int) -> None:
        """The worker pool of ``count`` jobs, and the writer of the pages (its renderer is built
        from the first result on)."""
        from grader.batch import WorkerPool

        taken, self._zygotes = self._zygotes, []
        self.pool = self._stack.enter_context(WorkerPool(jobs=count, zygotes=taken,
                                                         before_fork=lambda: self.pages.wait(),
                                                         **self._options))
        self.pages = FeedbackPages(batch=self._batch, feedback_html=self._feedback_html)


class _Notes:
    """The batch's own troubles, for the class report (``kept``), most also printed."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.kept: list[str] = []

    def say(self, note: str) -> None:
        """Print ``note`` and keep it for the class report."""
        self.kept.append(note)
        self._stream.write(note + "\n")

    def keep(self, note: str) -> None:
        """Keep ``note`` for the class report only."""
        self.kept.append(note)


def _graded_alone(found: list, *, start: _StartUp, folders: Sequence[str], options: Any, out_dir: Path,
                  stream: TextIO) -> tuple[list, Any]:
    """A regrade's submission (one notebook or late zip given alone) taken as the row of ``out_dir``
    (``folders``: its submissions) whose id differs only in case, said; and a late resubmission of a
    student the class's sources hold remembered with the digest of that submission
    (``ClassOptions.late_over``), so that the next class run grades the late one in its place
    while it is unchanged. ``(found, options)``."""
    if start.one_student is not None or len(found) != 1:
        return found, options
    if (twin := case_twin(found[0].id, folders)) is not None:
        stream.write(case_twin_note(start.first, sid=found[0].id, twin=twin, out_dir=out_dir) + "\n")
        found = [replace(found[0], id=twin)]
    if options.sources:
        # A late resubmission of a student the class's sources hold: with the digest of that
        # submission, the next class run grades the late one in its place while it is unchanged.
        from grader.classoptions import absolute

        late = absolute(start.first)
        if late in options.late:
            over = [(path, digest) for path, digest in options.late_over if path != late]
            if (digest := on_time_digest(options.sources, sid=found[0].id)) is not None:
                over.append((late, digest))
            options = replace(options, late_over=tuple(over))
    return found, options


def _with_late(found: list, *, start: _StartUp, late_roots: Sequence[Path], folders: Sequence[str],
               options: Any, out_dir: Path, stream: TextIO) -> tuple[list, Any]:
    """``found`` (a class run's submissions) with the late notebooks and zips graded alone since
    (``late_roots``: ``start.late`` opened) whose students the sources do not hold, or hold unchanged
    since a late resubmission (``ClassOptions.late_over``); those superseded said. ``(found, options)``
    with the late ones kept remembered."""
    from grader.discover import folded_id

    # The latest graded alone first (``options.late`` is in the order they were graded): a
    # student's second late submission (a resubmission by mail) is theirs, the first named and
    # no longer graded nor remembered (thirty-eighth session: both were graded, "Graded 5 of 5"
    # for four students, two workers writing one folder).
    # Taken by folded id: a late Carol.ipynb is carol's (graded as carol when graded alone).
    taken = {folded_id(sub.id): sub for sub in found}
    graded_late: list[Path] = []
    superseded: list[tuple[Path, tuple]] = []  # said: until the thirty-eighth session, dropped unsaid
    over = dict(options.late_over)  # late resubmissions: the on-time submission's digest
    in_place: list[tuple[Path, Any]] = []
    for path, opened in reversed(tuple(zip(start.late, late_roots))):
        under = [replace(sub, id=twin) if (twin := case_twin(sub.id, folders)) is not None else sub
                 for sub in submissions_under(opened, defer=True)]
        if (len(under) == 1 and (on_time := taken.get(folded_id(under[0].id))) is not None
                and on_time in found and over.get(path) == bytes_digest(on_time)):
            # Graded alone in place of that very submission, unchanged since: the late one counts
            # (until the thirty-eighth session the on-time one was graded at the next class run).
            found = [under[0] if sub is on_time else sub for sub in found]
            taken[folded_id(under[0].id)] = under[0]
            graded_late, in_place = [path, *graded_late], [(path, on_time), *in_place]
            continue
        if theirs := tuple(taken[folded_id(sub.id)] for sub in under if folded_id(sub.id) in taken):
            superseded.insert(0, (path, theirs))
        if new := [sub for sub in under if folded_id(sub.id) not in taken]:
            found, graded_late = [*found, *new], [path, *graded_late]
            taken.update((folded_id(sub.id), sub) for sub in new)
    options = replace(options, late=tuple(graded_late),
                      late_over=tuple((path, digest) for path, digest in options.late_over if path in graded_late))
    if graded_late:
        stream.write(late_note(graded_late, out_dir=out_dir) + "\n")
    if in_place:
        stream.write("Graded in place of the sources' submission, unchanged since the late one was graded "
                     "alone: " + "; ".join(f"{path} ({sub.id}: not {sub.path})" for path, sub in in_place)
                     + ". A download holding a newer submission of theirs is graded instead\n")
    if superseded:
        stream.write(superseded_note(superseded, out_dir=out_dir) + "\n")
    return found, options


def _submissions_found(start: _StartUp, roots: Sequence[Path], *, late_roots: Sequence[Path], out_dir: Path,
                       stream: TextIO) -> tuple[list, Any]:
    """The submissions to grade under ``roots`` (the opened sources) and the late notebooks taken
    (``late_roots``: ``start.late`` opened; a zip is one student's, unpacked at their turn), the
    output folder left out; the options with the late notebooks graded. Raises CommandError when
    none is found."""
    options = start.options
    # Several notebooks, one holding the work (an Untitled.ipynb beside it): that one is graded,
    # chosen by the worker at the student's turn (grader.choice); this process reads none.
    found = ([start.one_student[1]] if start.one_student is not None
             else find_in(roots, sources=start.sources))
    # A late Carol.ipynb or Carol.zip of a class with carol is carol's: as a row of its own, OUT/Carol
    # and OUT/carol were one folder on macOS or a Windows share, and the next class run graded both
    # into it (thirty-eighth session). The folder's submissions are the class's rows.
    from grader.incremental import former_submissions

    folders = former_submissions(out_dir, ids=()) if start.regrade or start.late else ()
    if start.regrade:
        found, options = _graded_alone(found, start=start, folders=folders, options=options, out_dir=out_dir,
                                       stream=stream)
    else:  # a late notebook whose student the sources now hold is theirs no more
        found, options = _with_late(found, start=start, late_roots=late_roots, folders=folders, options=options,
                                    out_dir=out_dir, stream=stream)
    if start.one_student is not None:
        stream.write(student_folder_note(start.first, start.one_student[1]) + "\n")
    if start.late_zip and len(found) == 1:  # graded by its own name: whose files it carries, said
        from grader.archive import students_in

        if (named := students_in(start.first)) and named[0] != found[0].id:
            stream.write(f"{start.first.name} holds the Canvas or Moodle files of {named[0]}: graded as "
                         f"{found[0].id}, the zip's name; if they are {named[0]}'s, name the zip "
                         f"{named[0]}.zip and grade it again\n")
    # An output folder inside the submissions folder is not a submission.
    out_real = out_dir.resolve()
    real = RealPaths()
    subs = [sub for sub in found if not real(Path(sub.path)).is_relative_to(out_real)]
    if not subs:
        raise CommandError(f"{shown_sources(start.sources)}: no submissions found besides the output folder")
    return subs, options


def _announce(start: _StartUp, *, todo: Sequence, kept: Mapping, subs: Sequence, roots: Sequence[Path],
              earlier: Any, former: tuple[str, ...], renamed: Any, keys: dict, batch: Any,
              out_dir: Path, feedback_html: bool, similarity: bool, notes: _Notes,
              stream: TextIO) -> tuple:
    """What the run says before it grades: how many of how many, why graded again, the earlier
    class's kept results, the roster's changed ids, former and renamed folders, late and unpacked
    notebooks, what was left out. Returns ``(because, former, everyone_subs, matched,
    said_of_roster)``; ``keys`` takes the earlier class's."""
    from grader.discover import hidden_entries_note, other_files_note, own_folder_note
    from grader.incremental import regraded_because

    context = start.context
    extra = context.rubric.bonus_points
    stream.write(f"Grading {len(todo)} of {len(subs)} submission(s) with {context.rubric.name} "
                 f"({context.rubric.max_points:g} points{f', and {extra:g} of bonus' if extra else ''}) "
                 f"into {out_dir}\n")
    if kept:
        stream.write(f"Skipping {len(kept)} unchanged since the last run "
                     f"(--force grades them again)\n")
    because = regraded_because(out_dir, (sub.id for sub in todo), batch=batch, pages=feedback_html)
    if because:  # everyone graded again without a word, and their scores changed
        stream.write(f"Graded before in {out_dir} with " + ", ".join(
            f"{words} ({count})" for words, count in because.items())
            + ": graded again; the run ends saying which scores changed\n")
    if earlier is not None:
        keys.update(earlier.keys)
        former = tuple(sid for sid in former if sid not in earlier.keys)
        notes.say(earlier_class_note(earlier, out_dir=out_dir, similarity=similarity))
    everyone_subs = list(subs) + list(earlier.submissions) if earlier is not None else list(subs)
    matched = (start.class_roster.match(everyone_subs, earlier=former)
               if start.class_roster is not None else None)
    if matched is not None and (changed := spreadsheet_ids_note(matched)):
        notes.say(changed)
    if former:
        notes.say(former_note(former, out_dir=out_dir, again=start.again))
    if renamed:
        notes.say(renamed_note(renamed, out_dir=out_dir))
    if late := [sub.id for sub in subs if sub.late]:
        notes.say(f"Marked late by Canvas (LATE in a file's name; the id leaves it out): "
                  f"{', '.join(late)}. Graded as the others, without a penalty: a course with "
                  f"a Late Policy in Canvas (Gradebook settings) has Canvas take it off the "
                  f"score uploaded; without one, give it (or none, for an extension) with "
                  f"--adjust. Never both: the penalty would count twice")
    # Only of those this run grades: a kept one's zips were said by the run that graded it (its
    # feedback still says them); until the thirty-eighth session every later run said them again.
    if (unpacked := unpacked_note(todo)) is not None:
        notes.say(unpacked)
    for left_out in (note for one in roots for note in (
            own_folder_note(one), *((hidden_entries_note(one), other_files_note(one)) if one.is_dir() else ()))):
        if left_out is not None:  # grader.discover left it out
            notes.say(left_out)
    said_of_roster = (roster_notes(matched, again=start.again, sources=start.options.sources)
                      if matched is not None else [])
    return because, former, everyone_subs, matched, said_of_roster


def _grade(todo: Sequence, *, workers: _Workers, books: Any, opened: TurnsOpener, by_id: Mapping,
           keys: Mapping, out_dir: Path, progress_bar: bool | None, force: bool,
           stream: TextIO) -> tuple[list, bool, str]:
    """Grade ``todo`` with the pool, the progress shown; ``(results done, interrupted, sandbox)``,
    an interruption said; ``sandbox``: the workers' sandbox as they describe it, "" when none ran.

    Each result in: progress line, gradebook, class report, its page and key queued
    (``FeedbackPages``, written while no worker waits for this process). The first starts the
    renderer's thread (no fork while it runs): it is built while the workers grade."""
    from grader.batch import BatchInterrupted
    from grader.choice import chosen
    from grader.progress import Progress

    interrupted = False
    done_list: list = []
    noted: list[str] = []
    with Progress(len(todo), stream=stream, bar=progress_bar) as progress, _sigterm_as_interrupt():
        def on_note(note: str) -> None:
            noted.append(note)
            progress.note(f"Sandbox: {note}")

        def on_done(done) -> None:
            progress.update(done)
            workers.pages.start()
            result = done.summary()
            sid = done.submission_id
            graded = opened.graded.pop(sid, None) or by_id[sid]
            if result is not None:
                books.absorb(result)
                if done.finished:  # of several notebooks, the one the worker graded
                    workers.pages.add(result, notebook_path=Path(chosen(graded, result).path),
                                      folder=out_dir / sid, key=keys.get(sid), files=done.files,
                                      then=lambda: opened.turns.release(sid))
                    return
            opened.turns.release(sid)

        try:
            if todo:
                done_list = workers.pool.run(todo, keys=keys, on_done=on_done, on_note=on_note,
                                             on_idle=lambda: workers.pages.write_one(),
                                             on_started=books.books, opened=opened)
        except BatchInterrupted as exc:
            done_list, interrupted = exc.finished, True
        except KeyboardInterrupt:
            interrupted = True
        if workers.pages is not None:  # what was graded keeps its page and key, interrupted or not
            workers.pages.flush()
    if interrupted:  # with --force, the same command would grade everyone again
        resume = ("run the same command without --force to resume from it" if force
                  else "the next run resumes from it")
        stream.write(f"\nInterrupted: the workers are stopped; what was graded is kept "
                     f"and {resume}.\n")
    return done_list, interrupted, noted[0] if noted else ""


def _graded_with(remembered: Sequence[str], *, sandbox: str, everyone: bool) -> tuple[str, ...]:
    """The sandboxes the folder's results were graded with after this run (``ClassOptions.sandboxes``):
    this run's ``sandbox`` ("" when it graded none) alone when it graded ``everyone``, else added to
    the ``remembered`` ones (a kept result was graded by an earlier run, maybe with fewer protections)."""
    lines = [sandbox] if everyone else [*remembered, sandbox]
    return tuple(dict.fromkeys(line for line in lines if line))


def _graded_with_notes(sandboxes: Sequence[str]) -> list[str]:
    """The class report's lines saying how its results were graded (``_graded_with``)."""
    if len(sandboxes) == 1:
        return [f"These results were graded with the {sandboxes[0]}"]
    return [f"Some of these results were graded with the {line}" for line in sandboxes]


@dataclass(frozen=True)
class _Written:
    """What writing the gradebook gave the rest of the run."""

    by_cell: Any  # the points by hand by submission, as applied, or None
    changes: str  # the changed scores as a sentence, or ""
    upload_note: str
    partial: bool  # interrupted before everyone was graded: the last finished class files stay aside


def _write_gradebook(start: _StartUp, *, book: Any, matched: Any, not_graded: tuple, because: Any,
                     keys: Mapping, rubric: Path, books: Any, out_dir: Path, excel: bool, options: Any,
                     notes: _Notes, stream: TextIO, fresh: Collection[str] = ()) -> _Written:
    """grades.csv, the remembered options, the upload files, score-changes.csv and the points by
    hand shown in the students' files, with what they note. ``fresh``: the ids graded in this run
    (the others' files are an earlier run's)."""
    from grader.classoptions import remember
    from grader.report import SCORE_CHANGES, gradebook_scores
    from grader.unfinished import earlier as earlier_file

    adjustments, on_purpose = start.adjustments, start.on_purpose
    before = earlier_file(out_dir, GRADEBOOK)  # the last finished run's, set aside
    dropped = gradebook_options_dropped(before, roster=matched is not None or "roster" in on_purpose,
                                        excel=excel or "excel" in on_purpose,
                                        adjust=adjustments is not None or "adjust" in on_purpose)
    adjusted_before = ADJUSTED_HEADER in gradebook_head(before).split(b"\n", 1)[0]
    earlier_scores = gradebook_scores(before)
    by_cell = adjustments.by_submission if adjustments is not None else None
    if by_cell:  # ids a spreadsheet changed (0012345 saved as 12345), where only one can be meant
        from grader.adjustments import spreadsheet_matches

        by_cell, guessed = spreadsheet_matches(by_cell, tuple(book.points()))
        if guessed:
            notes.say(f"Adjustments of {adjustments.path} whose id a spreadsheet changed, each "
                      f"applied to the one submission it can be: {'; '.join(guessed)}")
    book.write(out_dir, roster=matched, bom=excel, adjustments=by_cell)
    remember(out_dir, options)
    # Interrupted before everyone was graded: the last finished run's class files stay set
    # aside, with the note, until a run finishes (Ctrl-C deleted them, and the last whole
    # gradebook with them).
    partial = bool(not_graded)
    upload_note = write_upload_files(matched, book=book, adjustments=by_cell, out_dir=out_dir,
                                     notes=notes.kept, stream=stream, keep_previous=partial,
                                     unchosen=books.unchosen)
    # Every changed score, the largest loss first: a rubric edit's preview, graded into a copy.
    listed = book.write_changes(out_dir, earlier_scores, by_cell, bom=excel) if earlier_scores else None
    changes = book.changes_from(earlier_scores, by_cell, listed=listed) if earlier_scores else ""
    if because and earlier_scores and not changes:  # its first lines promised this run's end says
        changes = NO_SCORE_CHANGED
    if listed is None:
        remove_earlier(out_dir / SCORE_CHANGES, stream=stream, why="this run changed no score",
                       keep_previous=partial)
    if changes:
        notes.keep(changes)
    if edited := _edited_while_grading(rubric, start.context.rubric, start.fixtures):
        notes.say(edited)
    if by_cell and (unmatched := book.unmatched(by_cell)):
        notes.say(f"Adjustments of {adjustments.path} for no submission of {GRADEBOOK}, not "
                  f"applied (its column 'submission' must be the id as {GRADEBOOK} writes it): "
                  + ", ".join(f"{cell} (line {by_cell[cell].lines[0]})" for cell in unmatched))
    if by_cell and (applied := len(by_cell) - len(book.unmatched(by_cell))):
        # The class report's figures are the grader's: said there, where a TA compared its mean
        # with grades.csv's scores and found them apart without a word why.
        notes.keep(f"Points by hand ({adjustments.path}) are added to {applied} score(s) of "
                   f"{GRADEBOOK} and to those students' feedback; this report's scores, figures "
                   f"and charts are the grader's, without them")
    if dropped:
        stream.write(dropped)
    # Points by hand a kept student's files show that this gradebook does not hold (two graders'
    # folders merged: B's remembered options without A's --adjust): said, and taken out of the files.
    lost = dropped_adjustments([sid for sid in book.points() if sid not in fresh], by_cell,
                               out_dir=out_dir, keys=keys)
    if lost and "adjust" not in on_purpose:  # --adjust FILE or --no-adjust given: the TA's choice
        notes.say(dropped_adjustments_note(lost, adjust=adjustments.path if adjustments is not None else None,
                                           out_dir=out_dir))
    if by_cell is not None or adjusted_before or lost:  # the students' files say the gradebook's points
        show_adjustments(book, by_cell or {}, out_dir=out_dir, keys=keys)
    return _Written(by_cell=by_cell, changes=changes, upload_note=upload_note, partial=partial)


def _check_similarity(subs: Sequence, *, context: Any, out_dir: Path, template: Path | None,
                      known: Path | None, keys: Mapping, wanted: int, starter: Any, opened: TurnsOpener,
                      notes: _Notes, stream: TextIO) -> tuple:
    """The similarity check of ``subs`` (its notebooks as graded); ``(report, sources,
    known_sources, flagged pairs, small class's note, interrupted)``: a report of None when it
    failed (said) or was interrupted. Grades stand without it."""
    report = sources = known_sources = None
    flagged, similarity_note, interrupted = 0, "", False
    try:
        with _sigterm_as_interrupt():
            try:
                report, sources, known_sources = run_similarity(
                    subs, rubric=context.rubric, out_dir=out_dir, template=template,
                    known=known, stream=stream, keys=keys, workers=wanted,
                    template_work=starter, unpacked=opened.reading)
                flagged = len(report.flagged)
                from grader.similarity.smallclass import common_code_note

                similarity_note = common_code_note(report.stats) or ""
            except CommandError:
                raise
            except Exception as exc:  # noqa: BLE001 - grades stand without the check
                stream.write(f"Similarity check failed: {type(exc).__name__}: {exc}\n")
                notes.keep(f"The similarity check failed: {type(exc).__name__}: {exc}")
    except KeyboardInterrupt:  # the gradebook is written: the check is what is lost
        interrupted, report, flagged, similarity_note = True, None, 0, ""
        stream.write(INTERRUPTED_AFTER)
    return report, sources, known_sources, flagged, similarity_note, interrupted


@dataclass(frozen=True)
class _ClassFiles:
    """What writing the class's files after the gradebook gave its summary."""

    stats: Any  # the class report's figures (``ClassTally.stats``)
    flagged: int  # pairs the similarity check flagged
    similarity_note: str  # a small class's pairs alike once its common code counts, or ""
    similarity_ran: bool
    problems: tuple[str, ...]  # ids whose report steps failed
    report_path: Path | None  # report.html, or None when not written
    interrupted: bool  # the run was stopped, while grading or after


def _write_class_files(everyone_subs: Sequence, *, start: _StartUp, books: Any, fresh: set, written: _Written,
                       keys: Mapping, opened: TurnsOpener, starter: Any, wanted: int, interrupted: bool,
                       class_report: bool, said_of_roster: Sequence[str], out_dir: Path, notes: _Notes,
                       stream: TextIO) -> _ClassFiles:
    """After the gradebook: similarity.csv (``_check_similarity``), report.html, the earlier
    run's left removed, and the class files marked finished (``grader.unfinished``)."""
    from grader.batch import HOOK_ERRORS
    from grader.copycommands import module_command, quoted
    from grader.unfinished import earlier as earlier_file
    from grader.unfinished import finished, still_aside

    context, options, partial = start.context, start.options, written.partial
    report = class_sources = known_sources = None
    flagged, similarity_note = 0, ""
    if options.similarity and not interrupted:
        report, class_sources, known_sources, flagged, similarity_note, stopped = _check_similarity(
            [books.graded_ones.get(sub.id, sub) for sub in everyone_subs], context=context,
            out_dir=out_dir, template=options.template, known=options.known, keys=keys, wanted=wanted,
            starter=starter, opened=opened, notes=notes, stream=stream)
        interrupted = interrupted or stopped
    if report is None:  # an earlier run's pairs would read as this class's
        remove_earlier(out_dir / SIMILARITY_CSV, stream=stream, keep_previous=partial,
                       why="the similarity check did not run this time")
    problems = tuple(sorted(d for d in fresh if (out_dir / d / HOOK_ERRORS).is_file()))
    if problems:
        notes.keep(f"Report steps failed for {len(problems)} submission(s) "
                   f"({', '.join(problems[:10])}{', ...' if len(problems) > 10 else ''}); "
                   f"see OUT/<id>/{HOOK_ERRORS}.")
    stats = books.books()[0].stats(by_id=True)
    report_path = None
    try:
        with _sigterm_as_interrupt():
            if class_report and not interrupted:
                report_path = write_report_html(
                    (), rubric=context.rubric, out_dir=out_dir, similarity=report,
                    notes=notes.kept, stream=stream, sources=class_sources,
                    known_sources=known_sources, stats=stats, roster_notes=said_of_roster)
    except KeyboardInterrupt:
        interrupted, report_path = True, None
        stream.write(INTERRUPTED_AFTER)
    if report_path is None:  # an earlier run's report would read as this run's
        remove_earlier(out_dir / CLASS_REPORT, stream=stream, keep_previous=partial,
                       why="the class report was not written this time")
    if earlier_file(out_dir, SUMMARY_REPORT).exists():  # made from an earlier run's results
        remove_earlier(out_dir / SUMMARY_REPORT, stream=stream, keep_previous=partial,
                       why=f"its figures may not be this run's ({module_command('grader.classreport')} "
                            f"{quoted(str(out_dir))} writes it again)")
    if not partial:
        finished(out_dir, names=CLASS_FILES)  # this run's class files are written
    elif aside := still_aside(out_dir, names=CLASS_FILES):
        stream.write(aside + "\n")
    return _ClassFiles(stats=stats, flagged=flagged, similarity_note=similarity_note,
                       similarity_ran=report is not None, problems=problems, report_path=report_path,
                       interrupted=interrupted)


def _summary(files: _ClassFiles, *, book: Any, written: _Written, context: Any, matched: Any, started: float,
             out_dir: Path, total: int, earlier: Any, kept: Mapping, not_graded: tuple, former: tuple,
             one_of_several: Sequence[str], again: str = "", remembered: Sequence[Path] = ()) -> ClassSummary:
    """The run's ``ClassSummary`` from the class report's figures and the gradebook; ``again`` and
    ``remembered``, what grades the class again and from which sources (``_StartUp.again``)."""
    from grader.discover import NONE_GRADED
    from grader.models import HARNESS

    stats = files.stats
    everyone = stats.graded + stats.unreadable + stats.harness
    return ClassSummary(
        graded=len(stats.graded),
        harness_failures=tuple(r.submission_id for r in stats.harness if r.status == HARNESS),
        unreadable=tuple(r.submission_id for r in stats.unreadable),
        unreadable_why=tuple(unreadable_reason(r.messages) for r in stats.unreadable),
        zero_on_every_function=stats.zero_on_every_function,
        several_notebooks=tuple(r.submission_id for r in stats.unreadable
                                if r.messages and NONE_GRADED in r.messages[0]),
        one_of_several=tuple(sorted(one_of_several)),
        scores=tuple(r.points for r in stats.graded),
        adjusted_scores=scores_adjusted(stats.graded, book=book, adjustments=written.by_cell),
        max_score=max((r.max_points for r in everyone), default=context.rubric.max_points),
        seconds=time.perf_counter() - started, out_dir=out_dir,
        total=total + (len(earlier.keys) if earlier is not None else 0),
        skipped=len(kept), earlier_kept=len(earlier.keys) if earlier is not None else 0,
        interrupted=files.interrupted, not_graded=not_graded, report_problems=files.problems,
        flagged_pairs=files.flagged, similarity_note=files.similarity_note, class_report=files.report_path,
        former=former,
        score_changes=written.changes,
        upload_note=written.upload_note,
        **roster_counts(matched, again=again, sources=remembered))


def grade_class(submissions: Path | Sequence[Path] | None, *, out_dir: Path = DEFAULT_OUT, rubric: Path = DEFAULT_RUBRIC,
                jobs: int | None = None, force: bool = False, similarity: bool | None = None,
                template: Path | None = None, known: Path | None = None,
                feedback_html: bool = True, class_report: bool = True,
                roster: Path | bool | None = None, excel: bool | None = None,
                adjust: Path | bool | None = None,
                progress_bar: bool | None = None, stream: TextIO | None = None) -> ClassSummary:
    """Grade every submission under ``submissions`` (a folder, a notebook or a zip, or several
    folders and zips, ``submission_sources``: two sections' downloads, one gradebook) into ``out_dir``.

    Writes ``OUT/<id>/`` per submission as each completes, then ``grades.csv``,
    ``similarity.csv`` and ``report.html`` from every current record.
    Submissions unchanged since an earlier run into the same ``out_dir`` are
    not graded again unless ``force``. Ctrl-C stops the workers, writes the
    gradebook of what is graded and returns with ``interrupted`` set.
    Raises ``CommandError`` when the harness cannot run (bad rubric, no
    submissions, unusable archive, a roster that cannot be used).

    ``roster``: the class's list of students (``grader.discover.load_roster``), read before
    anything else: every student on it gets a row of ``grades.csv`` (0 points and ``no
    submission`` when they have none), and the submissions of students not on it are graded and
    named. Not part of any key: a roster changed between runs regrades nobody. ``excel``: write
    ``grades.csv`` with a UTF-8 byte-order mark, for Excel. ``adjust``: a TA's points by hand
    (``grader.adjustments``), added to the scores of ``grades.csv``; read before anything else.
    These three, ``template``, ``known`` and ``similarity`` are remembered in
    ``OUT/grading-options.json`` (``grader.classoptions``): ``None`` takes the value of the
    folder's earlier runs (none, and the similarity check, without one), ``False`` drops it.

    With everything to grade in a folder, the workers' zygotes are started first thing
    (``start_zygotes``, before NumPy's import): their boot runs beside this process's
    imports and fixtures. The workers are forked once the
    rubric and fixtures are loaded, each adopting a zygote; each
    writes a submission's files but its feedback.html and sends back what this
    process reads of the record (``grader.batch.Done``, ``grader.report.page_record``)
    and the digests of its files, from which this process writes feedback.html
    and then the key (``FeedbackPages``, its renderer built in a thread from the first
    result on) and updates the gradebook and the class report: no result or file is
    read back, and memory does not grow with the class.
    """
    stream = stream or sys.stderr
    started = time.perf_counter()
    if submissions is None:  # grade.py --out OUT: the SUBMISSIONS of the class's last class run
        submissions = remembered_class_sources(Path(out_dir), stream=stream)
    sources = submission_sources(submissions)
    wanted = jobs or os.cpu_count() or 1
    out_dir = Path(out_dir)
    refuse_output_around(out_dir, sources=sources)  # before the zygotes, the lock, anything read
    early = contextlib.ExitStack()
    resume_collector = pause_collector()
    try:
        start = _start_up(sources, out_dir=out_dir, rubric=Path(rubric), wanted=wanted, force=force,
                          given=dict(roster=roster, adjust=adjust, excel=excel, template=template,
                                     known=known, similarity=similarity),
                          stream=stream, early=early)
    except BaseException:
        early.close()
        resume_collector(freeze=False)
        raise
    resume_collector(freeze=True)
    from grader.choice import graded_functions
    from grader.classbooks import ClassBooks
    from grader.incremental import (batch_key, former_submissions, has_keys, partition, renamed_submissions,
                                    submission_key)
    from grader.unfinished import set_aside

    options, context = start.options, start.context
    template, known, similarity, excel = options.template, options.known, options.similarity, options.excel
    with contextlib.ExitStack() as stack:
        todo_ids: list[str] = []  # for the full disk's message: filled in once known
        stack.enter_context(full_disk_stops(out_dir, todo=todo_ids))  # first in, so last out: workers stopped
        # Put back last, whatever the way out: a pool of forked workers unfreezes when it closes,
        # but a run with one job, or one that ends before its pool, would keep the start-up
        # frozen in this process for good (a caller that grades several classes).
        stack.callback(gc.unfreeze)
        stack.enter_context(early)
        # A late zip is one student's, unpacked at their turn within one student's limits (thirty-
        # eighth session: extracted as a class's download, its notebooks were rows of their names).
        roots = [stack.enter_context(opened_submissions(source, stream=stream, nested=False,
                                                        one_student=start.late_zip or start.one_student is not None))
                 for source in start.sources]
        # The late notebooks and zips graded alone since the class run (a zip as a late zip is)
        late_roots = tuple(stack.enter_context(opened_submissions(path, stream=stream, nested=False,
                                                                  one_student=True))
                           for path in start.late)
        if similarity and template and not Path(template).is_file():  # read by the check only
            raise CommandError(f"{template}: no such template notebook")
        if similarity and known and (problem := known_problem(Path(known))):
            raise CommandError(problem)
        batch = batch_key(context.rubric, fixtures_digest=start.fixtures,
                          options="")  # feedback.html wanted or not: the key file's PAGES
        # A zip is graded from the folder it is extracted to (the zygotes, started only for a
        # folder, were configured above with the folder itself).
        # (A new dict: the start-up's record keeps what the zygotes were configured with.)
        sandbox_options = {**start.sandbox_options, "protected_paths": protected_paths(
            *(start.hidden if start.one_student is not None else (*roots, *start.late, *late_roots)),
            out_dir=out_dir, also=(start.unpack_dir,), reads=start.reads, logs=start.logs)}
        workers = _Workers(
            stack=stack, zygotes=start.zygotes, batch=batch, feedback_html=feedback_html,
            context=context, out_dir=out_dir, sandbox_options=sandbox_options,
            prepare=prepare_folder(out_dir),
            finish=finisher(names=graded_functions(context.rubric) if similarity else ()),
            page_records=True,
            # The workers close their copy of the folder's lock: a grading process killed outright
            # (kill -9 of its pid) left them holding it until they noticed, and a TA's next run
            # was refused in the name of a process that was gone.
            inherited=() if start.lock is None else (start.lock,))
        if force or not has_keys(out_dir):  # most likely everything is to grade: start now
            workers.start(min(wanted, sum(map(entries_at_most, roots))))
        subs, options = _submissions_found(start, roots, late_roots=late_roots, out_dir=out_dir, stream=stream)
        starter = read_template(Path(template)) if template and similarity else None
        if starter is not None and not starter.sources:
            raise CommandError(starter.no_function(Path(template)))
        usable_out_dir(out_dir)
        if start.lock is not None:  # no other run writes here: a killed one's temporary files are stale
            remove_stale_temporaries(out_dir)
        # Every key now, while the workers wait for their zygotes' set-up: hashed on demand as
        # submissions were handed out (the eighteenth session), the same CPU fell in the grading
        # phase, where both cores are busy, and N = 400 took longer in 3 of 3 rounds in turns.
        keys = {sub.id: submission_key(sub, batch=batch) for sub in subs}
        by_id = {sub.id: sub for sub in subs}
        opened = TurnsOpener(dest=start.unpack_dir, keys=keys)
        books = ClassBooks(context.rubric, by_id=by_id)
        former = former_submissions(out_dir, ids=by_id)
        # Folders an earlier grader wrote under the ids its rules gave: this run's students, not former ones.
        renamed = renamed_submissions(former, ids=by_id)
        former = tuple(sid for sid in former if sid not in renamed)
        # One notebook into the class's output folder (a regrade, a late resubmission): the
        # earlier gradebook's other submissions are kept as graded, not dropped from it.
        earlier = (keep_earlier_class(start.first, out_dir=out_dir, former=former, batch=batch,
                                      on_kept=books.absorb, graded=tuple(by_id),
                                      student=start.one_student is not None,
                                      late_zip=start.late_zip)
                   if former and not start.several else None)
        if force:
            todo, kept = list(subs), {}
        else:
            todo, kept = partition(subs, keys, out_dir=out_dir, on_kept=books.absorb, pages=feedback_html)
        if workers.pool is None and todo:
            workers.start(min(wanted, len(todo)))
        todo_ids.extend(sub.id for sub in todo)

        notes = _Notes(stream)
        because, former, everyone_subs, matched, said_of_roster = _announce(
            start, todo=todo, kept=kept, subs=subs, roots=roots, earlier=earlier, former=former,
            renamed=renamed, keys=keys, batch=batch, out_dir=out_dir, feedback_html=feedback_html,
            similarity=similarity, notes=notes, stream=stream)
        # From here until the class files are written, a killed run leaves no grades.csv to
        # take for its own: the last finished run's are set aside (grader.unfinished).
        if (aside := set_aside(out_dir, names=CLASS_FILES)) is not None:
            stream.write(aside + "\n")
        stack.enter_context(stops_say_what_is_left(out_dir, stream=stream))
        done_list, interrupted, sandbox = _grade(todo, workers=workers, books=books, opened=opened, by_id=by_id,
                                        keys=keys, out_dir=out_dir, progress_bar=progress_bar,
                                        force=force, stream=stream)
        # The workers were sent their last message; they close their sandboxes while the
        # gradebook and the report are written, and are joined when this block ends.
        fresh = {d.submission_id for d in done_list}
        if interrupted and force:
            # Not reached this time: the earlier result still holds for its key, and the gradebook
            # lists it, as a run without --force would (a gradebook without them missed students).
            _, kept = partition([sub for sub in subs if sub.id not in fresh], keys, out_dir=out_dir,
                                on_kept=books.absorb, pages=feedback_html)
        book = books.books()[1]
        # An interrupted run's submissions that it did not reach and no earlier run's result
        # stands for: not in grades.csv (with a roster, their rows have no score).
        in_book = book.points()
        not_graded = tuple(sorted(sub.id for sub in subs if sub.id not in in_book)) if interrupted else ()
        # How the results were graded, remembered (a re-run with nothing to grade starts no sandbox)
        # for report.html: until the thirty-eighth session only printed, with no word there of a
        # class graded without root's protections.
        options = replace(options, sandboxes=_graded_with(
            options.sandboxes, sandbox=sandbox,
            everyone=not kept and earlier is None and not not_graded and fresh >= set(by_id)))
        written = _write_gradebook(start, book=book, matched=matched, not_graded=not_graded, fresh=fresh,
                                   because=because, keys=keys, rubric=Path(rubric), books=books,
                                   out_dir=out_dir, excel=excel, options=options, notes=notes,
                                   stream=stream)
        for line in _graded_with_notes(options.sandboxes):  # the report's, after the upload files' notes
            notes.keep(line)
        files = _write_class_files(
            everyone_subs, start=start, books=books, fresh=fresh, written=written, keys=keys,
            opened=opened, starter=starter, wanted=wanted, interrupted=interrupted,
            class_report=class_report, said_of_roster=said_of_roster, out_dir=out_dir, notes=notes,
            stream=stream)

    summary = _summary(files, book=book, written=written, context=context, matched=matched,
                       started=started, out_dir=out_dir, total=len(subs), earlier=earlier, kept=kept,
                       not_graded=not_graded, former=former, one_of_several=books.one_of_several,
                       again=start.again, remembered=start.options.sources)
    print_summary(summary, stream=stream, similarity_ran=files.similarity_ran)
    return summary
