"""The library behind ``grade.py``: each command as a function with keyword-only options.

``grade.py`` parses arguments and calls these; tests call them directly. The
command line takes its defaults from these functions' signatures
(``default_of``), so the two cannot drift.
"""
from __future__ import annotations

import contextlib
import gc
import inspect
import os
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence, TextIO

from grader.classfiles import (CLASS_FILES, CLASS_REPORT, DEFAULT_OUT, DEFAULT_RUBRIC, GRADEBOOK,
                               SIMILARITY_CSV, SUMMARY_REPORT)
from grader.classsources import (TurnsOpener, find_in, known_problem, opened_submissions, shown_sources,
                                 submission_sources, submissions_under, sweep_unpack_folders, unpacked_note)
from grader.classsummary import (ADJUSTED_HEADER, ClassSummary, adjustments_of, class_options,
                                 entries_at_most, gradebook_head, gradebook_options_dropped, print_summary,
                                 late_note, late_notebooks, remembered_class_sources, roster_counts, roster_notes, roster_of,
                                 scores_adjusted, show_adjustments, spreadsheet_ids_note, unreadable_reason,
                                 with_sources)
from grader.exits import CommandError
from grader.feedbackpages import FeedbackPages, finisher, prepare_folder
from grader.outputfolder import (INTERRUPTED_AFTER, earlier_class_note, former_note, full_disk_stops,
                                 hold_output, keep_earlier_class, pause_collector, refuse_output_around,
                                 remove_earlier, remove_stale_temporaries, renamed_note, stops_say_what_is_left,
                                 student_folder, student_folder_note, usable_out_dir, write_report_html,
                                 write_upload_files)
from grader.protectedpaths import RealPaths, protected_paths, start_zygotes
from grader.similaritystage import read_template, run_similarity

if TYPE_CHECKING:  # the records' module comes with the rest, after the zygotes are started
    from grader.models import SubmissionResult


def default_of(function: Callable, name: str) -> Any:
    """The default value of keyword ``name`` of ``function`` (for the command line's defaults)."""
    return inspect.signature(function).parameters[name].default


def load_context(rubric_path: Path, *, visibilities: tuple[str, ...] = ("public", "hidden"),
                 fixture_cache: bool = False, bonus: bool = True):
    """Rubric + fixtures (+ the bonus's config) -> ``GradingContext``; raises CommandError.

    ``fixture_cache``: read the rubric and decode the fixtures through their caches
    (``grader.rubriccache``, ``grader.fixturecache``), as a class run does: the same rubric and
    fixtures, without the YAML's reading and the JSON's decoding after the first run.
    ``bonus``: False leaves the bonus's configuration out (``imdb_config`` None), for
    ``with_bonus`` to add: a class run configures its zygotes in between.
    """
    from grader.fixtures import FixtureError, load_fixtures
    from grader.rubric import RubricError, load_rubric
    from grader.runner import GradingContext

    try:
        rubric = load_rubric(rubric_path, cache=fixture_cache)
    except (RubricError, OSError) as exc:
        raise CommandError(str(exc)) from None
    if tuple(visibilities) == ("public",):
        rubric = rubric.only("public")
    try:
        fixtures = load_fixtures(rubric, visibilities=tuple(visibilities), cache=fixture_cache)
    except (FixtureError, OSError) as exc:
        raise CommandError(str(exc)) from None
    context = GradingContext(rubric=rubric, fixtures=fixtures,
                             mutant_messages=_mutant_messages(fixtures))
    return with_bonus(context) if bonus else context


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
    """A note when the rubric file or its fixtures are no longer those this run read (an
    instructor's edit and regenerate while the class was graded), or ""."""
    import hashlib

    from grader.fixtures import FixtureError, fixtures_digest

    try:
        edited = hashlib.sha256(rubric_path.read_bytes()).hexdigest() != rubric.digest
        edited = edited or fixtures_digest(rubric) != fixtures
    except (OSError, FixtureError):
        edited = True
    if not edited:
        return ""
    return (f"{rubric_path} or its fixtures changed while this run graded: every grade of this run is "
            f"the rubric's as this run read it at its start, not the edit's; run again to grade with the "
            f"edit (the next run grades everyone again)")


def with_bonus(context):
    """``context`` with the bonus's configuration its rubric names (``load_context(...,
    bonus=False)`` left it out); ``context`` itself when the rubric has no bonus. Raises
    CommandError with the rubric's name and line."""
    rubric = context.rubric
    if rubric.imdb is None or context.imdb_config is not None:
        return context
    from grader.imdb import load_imdb_config

    try:
        imdb_config = load_imdb_config(rubric.imdb)
    except Exception as exc:  # noqa: BLE001 - reported with the rubric's name and line
        raise CommandError(f"{rubric.path}:{rubric.imdb_line}: {exc}") from None
    return replace(context, imdb_config=imdb_config)


def _mutant_messages(fixtures) -> dict:
    messages = getattr(fixtures, "mutant_messages", None)
    return dict(messages) if messages else {}


# --------------------------------------------------------------------------- inputs


# --------------------------------------------------------------------------- similarity


# --------------------------------------------------------------------------- class


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
    submissions = sources[0]  # of several, the first: every use of it below asks len(sources) first
    several = len(sources) > 1
    early = contextlib.ExitStack()
    wanted = jobs or os.cpu_count() or 1
    out_dir = Path(out_dir)
    refuse_output_around(out_dir, sources=sources)  # before the zygotes, the lock, anything read
    resume_collector = pause_collector()
    try:
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
        options, on_purpose = class_options(out_dir, stream=stream, roster=roster, adjust=adjust, excel=excel,
                                            template=template, known=known, similarity=similarity)
        roster, adjust, excel = options.roster, options.adjust, options.excel
        template, known, similarity = options.template, options.known, options.similarity
        # A roster that cannot be used stops the run before anything starts, named with its line.
        class_roster = roster_of(Path(roster)) if roster is not None else None
        adjustments = adjustments_of(Path(adjust)) if adjust is not None else None
        # The workers' zygotes boot (Python, NumPy, the child runtime) while this process
        # imports the rest of the grader and loads the rubric and fixtures.
        zygotes = [] if several else start_zygotes(Path(submissions), out_dir=out_dir, wanted=wanted,
                                                   force=force, stack=early)
        from grader.files import UNPACK_PREFIX, run_folder
        from grader.runner import answer_layouts, argument_layouts

        # The rubric and fixtures, then at once the zygotes' configuration, so that they set
        # themselves up while this process loads the rest (the bonus's configuration, the
        # batch's key, the workers' modules) and forks the workers.
        context = load_context(Path(rubric), fixture_cache=True, bonus=False)
        # The students' zips are unpacked here, each at its turn (``StudentTurns``), the
        # grader's own place, hidden from every child; locked while this run lives, so that a
        # later run removes it if this one is killed (``sweep_unpack_folders``).
        lock = hold_output(out_dir, sources=sources, stack=early,  # one run at a time into it
                           stream=stream)
        unpack_dir = early.enter_context(run_folder(UNPACK_PREFIX))
        # One student of a folder of folders (SUBMISSIONS/alice/, or its notebook) graded again
        # into the class's output folder: graded as the class run grades them, the class's folder
        # hidden from the children as in that run.
        one_student = None if several else student_folder(Path(submissions), out_dir=out_dir)
        hidden = [one_student[0]] if one_student is not None else sources
        from grader.discover import is_zip_name

        # A section left out of a run of the class (its students would leave grades.csv) is
        # refused here; the sources of a class run are remembered for the next, and a notebook
        # graded alone (an extension's) is graded with the class by the next class run.
        regrade = one_student is not None or (
            not several and Path(submissions).is_file() and not is_zip_name(Path(submissions).name))
        options = with_sources(options, sources, out_dir=out_dir, regrade=regrade)
        late = () if regrade else late_notebooks(options, sources)
        hidden = [*hidden, *late]
        reads = (Path(rubric), roster, adjust, known)  # adjust: ids, points and reasons by hand
        sandbox_options = {"protected_paths": protected_paths(*hidden, out_dir=out_dir,
                                                              also=(unpack_dir,), reads=reads),
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
        from grader.batch import HOOK_ERRORS, BatchInterrupted, WorkerPool
        from grader.choice import ONE_OF_SEVERAL, chosen, graded_functions
        from grader.incremental import (batch_key, former_submissions, has_keys, partition, renamed_submissions,
                                        regraded_because, submission_key)
        from grader.models import HARNESS
        from grader.progress import Progress
        from grader.report import SCORE_CHANGES, Gradebook, gradebook_scores
        from grader.unfinished import earlier as earlier_file
        from grader.unfinished import finished, set_aside, still_aside
        from grader.classoptions import remember
        from grader.copycommands import module_command, quoted
    except BaseException:
        early.close()
        resume_collector(freeze=False)
        raise
    resume_collector(freeze=True)
    with contextlib.ExitStack() as stack:
        todo_ids: list[str] = []  # for the full disk's message: filled in once known
        stack.enter_context(full_disk_stops(out_dir, todo=todo_ids))  # first in, so last out: workers stopped
        # Put back last, whatever the way out: a pool of forked workers unfreezes when it closes,
        # but a run with one job, or one that ends before its pool, would keep the start-up
        # frozen in this process for good (a caller that grades several classes).
        stack.callback(gc.unfreeze)
        stack.enter_context(early)
        roots = [stack.enter_context(opened_submissions(source, stream=stream, nested=False)) for source in sources]
        if similarity and template and not Path(template).is_file():  # read by the check only
            raise CommandError(f"{template}: no such template notebook")
        if similarity and known and (problem := known_problem(Path(known))):
            raise CommandError(problem)
        batch = batch_key(context.rubric, fixtures_digest=fixtures,
                          options="")  # feedback.html wanted or not: the key file's PAGES
        # A zip is graded from the folder it is extracted to (the zygotes, started only for a
        # folder, were configured above with the folder itself).
        sandbox_options["protected_paths"] = protected_paths(*(hidden if one_student is not None else (*roots, *late)),
                                                             out_dir=out_dir, also=(unpack_dir,), reads=reads)
        # feedback.html pages and the keys after them are written here (``FeedbackPages``), the
        # rest of each submission's files by the workers.
        pages: list = []
        pool_options = dict(
            context=context, out_dir=out_dir, sandbox_options=sandbox_options,
            prepare=prepare_folder(out_dir),
            finish=finisher(names=graded_functions(context.rubric) if similarity else ()),
            page_records=True, before_fork=lambda: pages[0].wait(),
            # The workers close their copy of the folder's lock: a grading process killed outright
            # (kill -9 of its pid) left them holding it until they noticed, and a TA's next run
            # was refused in the name of a process that was gone.
            inherited=() if lock is None else (lock,))

        def start_pool(count: int) -> Any:
            """The worker pool of ``count`` jobs, closed with the run, and the writer of the
            pages (its renderer is built from the first result on)."""
            taken = zygotes[:]
            zygotes.clear()
            pool = stack.enter_context(WorkerPool(jobs=count, zygotes=taken, **pool_options))
            pages.append(FeedbackPages(batch=batch, feedback_html=feedback_html))
            return pool

        pool = None
        if force or not has_keys(out_dir):  # most likely everything is to grade: start now
            pool = start_pool(min(wanted, sum(map(entries_at_most, roots))))

        # An output folder inside the submissions folder is not a submission.
        out_real = out_dir.resolve()
        real = RealPaths()
        # Several notebooks, one holding the work (an Untitled.ipynb beside it): that one is graded,
        # chosen by the worker at the student's turn (grader.choice); this process reads none.
        found = [one_student[1]] if one_student is not None else find_in(roots, sources=sources)
        if not regrade:  # a late notebook whose student the sources now hold is theirs no more
            taken_ids, graded_late = {sub.id for sub in found}, []
            for path in late:
                if new := [sub for sub in submissions_under(path, defer=True) if sub.id not in taken_ids]:
                    found, graded_late = [*found, *new], [*graded_late, path]
            options = replace(options, late=tuple(graded_late))
            if graded_late:
                stream.write(late_note(graded_late, out_dir=out_dir) + "\n")
        if one_student is not None:
            stream.write(student_folder_note(Path(submissions), one_student[1]) + "\n")
        subs = [sub for sub in found if not real(Path(sub.path)).is_relative_to(out_real)]
        if not subs:
            raise CommandError(f"{shown_sources(sources)}: no submissions found besides the output folder")
        starter = read_template(Path(template)) if template and similarity else None
        if starter is not None and not starter.sources:
            raise CommandError(starter.no_function(Path(template)))
        usable_out_dir(out_dir)
        if lock is not None:  # no other run writes here: a killed one's temporary files are stale
            remove_stale_temporaries(out_dir)
        # Every key now, while the workers wait for their zygotes' set-up: hashed on demand as
        # submissions were handed out (the eighteenth session), the same CPU fell in the grading
        # phase, where both cores are busy, and N = 400 took longer in 3 of 3 rounds in turns.
        keys = {sub.id: submission_key(sub, batch=batch) for sub in subs}
        by_id = {sub.id: sub for sub in subs}
        opened = TurnsOpener(dest=unpack_dir, keys=keys)
        kept_books: list = []  # the class report's tally and the gradebook (see books)

        def books() -> tuple:
            """The class report's tally and the gradebook, made at the first call: once the
            workers have their first submissions (``WorkerPool.run``'s ``on_started``), unless
            results kept from an earlier run need them before."""
            if not kept_books:
                from grader.classreport import ClassTally  # after the fork: the workers never need it

                kept_books.extend((ClassTally(rubric=context.rubric), Gradebook(context.rubric)))
            return kept_books[0], kept_books[1]

        one_of_several: list[str] = []  # for the run's summary (``ClassSummary.one_of_several``)
        #: Submissions holding several notebooks, as their workers graded them (``choice.chosen``):
        #: the similarity check reads the notebook graded.
        graded_ones: dict[str, Any] = {}
        from grader.discover import SEVERAL_NOTEBOOKS

        unchosen: list[str] = []  # several notebooks, none graded: no score to upload

        def absorb(result: SubmissionResult) -> None:
            """Count ``result`` (or its summary) in the class report and the gradebook, and note
            which of its notebooks was graded when it held several."""
            tally, book = books()
            tally.add(result)
            book.add(result)
            if (sub := by_id.get(result.submission_id)) is not None and sub.notebooks:
                graded_ones[sub.id] = chosen(sub, result)
            one_of_several.extend(f"{result.submission_id} ({m.removeprefix(ONE_OF_SEVERAL).rstrip('.')})"
                                  for m in result.messages if m.startswith(ONE_OF_SEVERAL))
            if result.status == "unreadable" and result.messages and SEVERAL_NOTEBOOKS in result.messages[0]:
                unchosen.append(result.submission_id)

        former = former_submissions(out_dir, ids=by_id)
        # Folders an earlier grader wrote under the ids its rules gave: this run's students, not former ones.
        renamed = renamed_submissions(former, ids=by_id)
        former = tuple(sid for sid in former if sid not in renamed)
        # One notebook into the class's output folder (a regrade, a late resubmission): the
        # earlier gradebook's other submissions are kept as graded, not dropped from it.
        earlier = (keep_earlier_class(Path(submissions), out_dir=out_dir, former=former, batch=batch,
                                      on_kept=absorb, graded=tuple(by_id), student=one_student is not None)
                   if former and not several else None)
        if force:
            todo, kept = list(subs), {}
        else:
            todo, kept = partition(subs, keys, out_dir=out_dir, on_kept=absorb, pages=feedback_html)
        if pool is None and todo:
            pool = start_pool(min(wanted, len(todo)))
        todo_ids.extend(sub.id for sub in todo)

        total = len(subs)
        extra = context.rubric.bonus_points
        stream.write(f"Grading {len(todo)} of {total} submission(s) with {context.rubric.name} "
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
        notes: list[str] = []  # the batch's own troubles, for the class report
        if earlier is not None:
            keys.update(earlier.keys)
            former = tuple(sid for sid in former if sid not in earlier.keys)
            notes.append(earlier_class_note(earlier, out_dir=out_dir, similarity=similarity))
            stream.write(notes[-1] + "\n")
        everyone_subs = subs + list(earlier.submissions) if earlier is not None else subs
        matched = class_roster.match(everyone_subs, earlier=former) if class_roster is not None else None
        if matched is not None and (changed := spreadsheet_ids_note(matched)):
            notes.append(changed)
            stream.write(changed + "\n")
        if former:
            notes.append(former_note(former, out_dir=out_dir))
            stream.write(notes[-1] + "\n")
        if renamed:
            notes.append(renamed_note(renamed, out_dir=out_dir))
            stream.write(notes[-1] + "\n")
        if late := [sub.id for sub in subs if sub.late]:
            notes.append(f"Marked late by Canvas (LATE in a file's name; the id leaves it out): "
                         f"{', '.join(late)}. Graded as the others, without a penalty: a course with "
                         f"a Late Policy in Canvas (Gradebook settings) has Canvas take it off the "
                         f"score uploaded; without one, give it (or none, for an extension) with "
                         f"--adjust. Never both: the penalty would count twice")
            stream.write(notes[-1] + "\n")
        if (unpacked := unpacked_note(subs)) is not None:
            stream.write(unpacked + "\n")
            notes.append(unpacked)
        from grader.discover import hidden_entries_note, other_files_note, own_folder_note

        for left_out in (note for one in roots for note in (
                own_folder_note(one), *((hidden_entries_note(one), other_files_note(one)) if one.is_dir() else ()))):
            if left_out is not None:  # grader.discover left it out
                stream.write(left_out + "\n")
                notes.append(left_out)
        said_of_roster = roster_notes(matched) if matched is not None else []
        # From here until the class files are written, a killed run leaves no grades.csv to
        # take for its own: the last finished run's are set aside (grader.unfinished).
        if (aside := set_aside(out_dir, names=CLASS_FILES)) is not None:
            stream.write(aside + "\n")
        stack.enter_context(stops_say_what_is_left(out_dir, stream=stream))
        interrupted = False
        done_list = []
        with Progress(len(todo), stream=stream, bar=progress_bar) as progress, \
                _sigterm_as_interrupt():
            def on_note(note: str) -> None:
                progress.note(f"Sandbox: {note}")

            def on_done(done) -> None:
                """One result in: progress line, gradebook, class report, its page and key queued
                (``FeedbackPages``, written while no worker waits for this process). The
                first starts the renderer's thread (no fork while it runs): it is built while
                the workers grade."""
                progress.update(done)
                pages[0].start()
                result = done.summary()
                sid = done.submission_id
                graded = opened.graded.pop(sid, None) or by_id[sid]
                if result is not None:
                    absorb(result)
                    if done.finished:  # of several notebooks, the one the worker graded
                        pages[0].add(result, notebook_path=Path(chosen(graded, result).path),
                                     folder=out_dir / sid, key=keys.get(sid), files=done.files,
                                     then=lambda: opened.turns.release(sid))
                        return
                opened.turns.release(sid)

            try:
                if todo:
                    done_list = pool.run(todo, keys=keys, on_done=on_done, on_note=on_note,
                                         on_idle=lambda: pages[0].write_one(), on_started=books,
                                         opened=opened)
            except BatchInterrupted as exc:
                done_list, interrupted = exc.finished, True
            except KeyboardInterrupt:
                interrupted = True
            if pages:  # what was graded keeps its page and key, interrupted or not
                pages[0].flush()
        # The workers were sent their last message; they close their sandboxes while the
        # gradebook and the report are written, and are joined when this block ends.
        if interrupted:  # with --force, the same command would grade everyone again
            resume = ("run the same command without --force to resume from it" if force
                      else "the next run resumes from it")
            stream.write(f"\nInterrupted: the workers are stopped; what was graded is kept "
                         f"and {resume}.\n")

        fresh = {d.submission_id for d in done_list}
        if interrupted and force:
            # Not reached this time: the earlier result still holds for its key, and the gradebook
            # lists it, as a run without --force would (a gradebook without them missed students).
            _, kept = partition([sub for sub in subs if sub.id not in fresh], keys, out_dir=out_dir,
                                on_kept=absorb, pages=feedback_html)
        tally, book = books()
        # An interrupted run's submissions that it did not reach and no earlier run's result
        # stands for: not in grades.csv (with a roster, their rows have no score).
        in_book = book.points()
        not_graded = tuple(sorted(sub.id for sub in subs if sub.id not in in_book)) if interrupted else ()
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
                notes.append(f"Adjustments of {adjustments.path} whose id a spreadsheet changed, each "
                             f"applied to the one submission it can be: {'; '.join(guessed)}")
                stream.write(notes[-1] + "\n")
        book.write(out_dir, roster=matched, bom=excel, adjustments=by_cell)
        remember(out_dir, options)
        # Interrupted before everyone was graded: the last finished run's class files stay set
        # aside, with the note, until a run finishes (Ctrl-C deleted them, and the last whole
        # gradebook with them).
        partial = bool(not_graded)
        upload_note = write_upload_files(matched, book=book, adjustments=by_cell, out_dir=out_dir,
                                         notes=notes, stream=stream, keep_previous=partial,
                                         unchosen=unchosen)
        # Every changed score, the largest loss first: a rubric edit's preview, graded into a copy.
        listed = book.write_changes(out_dir, earlier_scores, by_cell, bom=excel) if earlier_scores else None
        changes = book.changes_from(earlier_scores, by_cell, listed=listed) if earlier_scores else ""
        if because and earlier_scores and not changes:  # its first lines promised this run's end says
            changes = NO_SCORE_CHANGED
        if listed is None:
            remove_earlier(out_dir / SCORE_CHANGES, stream=stream, why="this run changed no score",
                           keep_previous=partial)
        if changes:
            notes.append(changes)
        if edited := _edited_while_grading(Path(rubric), context.rubric, fixtures):
            notes.append(edited)
            stream.write(edited + "\n")
        if by_cell and (unmatched := book.unmatched(by_cell)):
            notes.append(f"Adjustments of {adjustments.path} for no submission of {GRADEBOOK}, not "
                         f"applied (its column 'submission' must be the id as {GRADEBOOK} writes it): "
                         + ", ".join(f"{cell} (line {by_cell[cell].lines[0]})" for cell in unmatched))
            stream.write(notes[-1] + "\n")
        if by_cell and (applied := len(by_cell) - len(book.unmatched(by_cell))):
            # The class report's figures are the grader's: said there, where a TA compared its mean
            # with grades.csv's scores and found them apart without a word why.
            notes.append(f"Points by hand ({adjustments.path}) are added to {applied} score(s) of "
                         f"{GRADEBOOK} and to those students' feedback; this report's scores, figures "
                         f"and charts are the grader's, without them")
        if dropped:
            stream.write(dropped)
        if by_cell is not None or adjusted_before:  # the students' files say the gradebook's points
            show_adjustments(book, by_cell or {}, out_dir=out_dir, keys=keys)

        report = sources = known_sources = None
        flagged, similarity_note = 0, ""
        try:
            with _sigterm_as_interrupt():
                if similarity and not interrupted:
                    try:
                        report, sources, known_sources = run_similarity(
                            [graded_ones.get(sub.id, sub) for sub in everyone_subs], rubric=context.rubric, out_dir=out_dir, template=template,
                            known=known, stream=stream, keys=keys, workers=wanted,
                            template_work=starter, unpacked=opened.reading)
                        flagged = len(report.flagged)
                        from grader.similarity.smallclass import common_code_note

                        similarity_note = common_code_note(report.stats) or ""
                    except CommandError:
                        raise
                    except Exception as exc:  # noqa: BLE001 - grades stand without the check
                        stream.write(f"Similarity check failed: {type(exc).__name__}: {exc}\n")
                        notes.append(f"The similarity check failed: {type(exc).__name__}: {exc}")
        except KeyboardInterrupt:  # the gradebook is written: the check is what is lost
            interrupted, report, flagged, similarity_note = True, None, 0, ""
            stream.write(INTERRUPTED_AFTER)
        if report is None:  # an earlier run's pairs would read as this class's
            remove_earlier(out_dir / SIMILARITY_CSV, stream=stream, keep_previous=partial,
                           why="the similarity check did not run this time")
        problems = tuple(sorted(d for d in fresh if (out_dir / d / HOOK_ERRORS).is_file()))
        if problems:
            notes.append(f"Report steps failed for {len(problems)} submission(s) "
                         f"({', '.join(problems[:10])}{', ...' if len(problems) > 10 else ''}); "
                         f"see OUT/<id>/{HOOK_ERRORS}.")
        stats = tally.stats(by_id=True)
        report_path = None
        try:
            with _sigterm_as_interrupt():
                if class_report and not interrupted:
                    report_path = write_report_html(
                        (), rubric=context.rubric, out_dir=out_dir, similarity=report,
                        notes=notes, stream=stream, sources=sources,
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

    everyone = stats.graded + stats.unreadable + stats.harness
    summary = ClassSummary(
        graded=len(stats.graded),
        harness_failures=tuple(r.submission_id for r in stats.harness if r.status == HARNESS),
        unreadable=tuple(r.submission_id for r in stats.unreadable),
        unreadable_why=tuple(unreadable_reason(r.messages) for r in stats.unreadable),
        zero_on_every_function=stats.zero_on_every_function,
        several_notebooks=tuple(r.submission_id for r in stats.unreadable
                                if r.messages and SEVERAL_NOTEBOOKS in r.messages[0]),
        one_of_several=tuple(sorted(one_of_several)),
        scores=tuple(r.points for r in stats.graded),
        adjusted_scores=scores_adjusted(stats.graded, book=book, adjustments=by_cell),
        max_score=max((r.max_points for r in everyone), default=context.rubric.max_points),
        seconds=time.perf_counter() - started, out_dir=out_dir,
        total=total + (len(earlier.keys) if earlier is not None else 0),
        skipped=len(kept), earlier_kept=len(earlier.keys) if earlier is not None else 0, interrupted=interrupted,
        not_graded=not_graded, report_problems=problems,
        flagged_pairs=flagged, similarity_note=similarity_note, class_report=report_path, former=former,
        score_changes=changes,
        upload_note=upload_note,
        **roster_counts(matched))
    print_summary(summary, stream=stream, similarity_ran=report is not None)
    return summary


# --------------------------------------------------------------------------- roster


# --------------------------------------------------------------------------- students


def check_notebook(notebook: Path, *, rubric: Path = DEFAULT_RUBRIC, function: str | None = None,
                   stream: TextIO | None = None) -> int:
    """``grade.py --check``: public cases only; the exit status of ``grader.selfcheck.run_check``."""
    try:
        from grader.selfcheck import run_check
    except ImportError as exc:
        raise CommandError(f"--check needs grader.selfcheck, which is not available ({exc})") from None
    return int(run_check(Path(notebook), rubric=Path(rubric), stream=stream or sys.stdout,
                         function=function))


def student_kit(out_dir: Path, *, rubric: Path = DEFAULT_RUBRIC, stream: TextIO | None = None) -> Path:
    """``grade.py --student-kit DIR``: what instructors hand to students (``grader.kit``)."""
    try:
        from grader import kit
    except ImportError as exc:
        raise CommandError(f"--student-kit needs grader.kit, which is not available ({exc})") from None
    earlier = kit.read_kit(Path(out_dir))  # before it is replaced: what changed since, to announce
    try:
        path = Path(kit.write_student_kit(Path(out_dir), rubric=Path(rubric)))
    except getattr(kit, "KitError", CommandError) as exc:
        raise CommandError(str(exc)) from None
    written = kit.read_kit(path)
    since = kit.changes_since(earlier, path)
    (stream or sys.stderr).write(
        f"Student kit written to {path} (version {written.version if written else '?'}"
        f"{f', grader {written.grader}' if written and written.grader else ''}, which its self-check "
        f"prints): hand out the folder whole (a zip of it); students run "
        f"`python3 grade.py --check NOTEBOOK` inside it, as its README.md says (Python 3.10+, "
        f"NumPy and PyYAML). Write it again after every rubric edit.\n" + (f"{since}\n" if since else ""))
    return path


# --------------------------------------------------------------------------- Gradescope


def gradescope(*, root: Path | None = None, rubric: Path = DEFAULT_RUBRIC,
               stream: TextIO | None = None) -> int:
    """``grade.py --gradescope``: grade ``ROOT/submission`` into ``ROOT/results/results.json``."""
    from grader.gradescope import DEFAULT_ROOT, run_gradescope

    return run_gradescope(root=Path(root) if root is not None else DEFAULT_ROOT,
                          rubric=Path(rubric), stream=stream or sys.stdout)
