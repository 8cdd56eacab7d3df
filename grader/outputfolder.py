"""The class run's output folder: made usable and locked, one student's folder found, an earlier run's
class kept or named, class-wide files removed or written (upload files, report.html), and a full
disk or an interrupted run told with what is left."""
from __future__ import annotations

import contextlib
import errno
import gc
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence, TextIO

from grader.classfiles import CLASS_FILES, CLASS_REPORT, GRADEBOOK, SIMILARITY_CSV
from grader.exits import CommandError

if TYPE_CHECKING:  # the records' module comes with the rest, after the zygotes are started
    from grader.models import Rubric, SubmissionResult


#: What a run of the whole class is given, said when no one command grades it (a class run of other
#: sources: the folder remembers this run's, not those that held the students it left out).
EVERY_SOURCE = "every folder and zip it came in"


def former_note(former: Sequence[str], *, out_dir: Path, again: str = "") -> str:
    """The line that names the folders of submissions no longer in the class (a withdrawn
    student, a notebook removed): never removed by the grader, since a run of one notebook into
    the class's output folder would take everyone else's results with it. ``again``: the command
    that grades the class again from the sources the folder remembers (a run of one notebook
    into it; ``class_again``), "" when there is none to give."""
    shown = ", ".join(former[:10]) + (f" and {len(former) - 10} more" if len(former) > 10 else "")
    run = f"{again}, the class again," if again else f"a run of the whole class, {EVERY_SOURCE},"
    return (f"Not among this run's submissions: {shown}. Their folders in {out_dir} hold an "
            f"earlier run's results, left out of {GRADEBOOK}, {CLASS_REPORT} and "
            f"{SIMILARITY_CSV} ({run} puts back those still in it); delete "
            f"the folders of students who withdrew before handing the folders back")


def class_again(*, out_dir: Path, sources: Sequence[Path]) -> str:
    """``python3 grade.py --out OUT``, which grades the class again from ``sources``, the
    SUBMISSIONS its folder remembers (``grader.classoptions``), "" when there are none or one is
    gone (that run would stop, saying so). Until the thirty-seventh session a run of one notebook
    said "grade the whole class" of the students it left without a score, as before the folder
    remembered its sources."""
    from grader.copycommands import grade_command, quoted

    if not sources or not all(Path(source).exists() for source in sources):
        return ""
    return f"{grade_command()} --out {quoted(str(out_dir))}"


def renamed_note(renamed: Mapping[str, str], *, out_dir: Path) -> str:
    """The line that names the folders an earlier grader wrote for this run's students under the
    ids its rules gave (``grader.incremental.renamed_submissions``)."""
    pairs = [f"{old} (now {new})" for old, new in sorted(renamed.items())]
    shown = ", ".join(pairs[:10]) + (f" and {len(pairs) - 10} more" if len(pairs) > 10 else "")
    return (f"Graded before under the ids an earlier version of the grader gave them: {shown}. Their "
            f"old folders in {out_dir} are left out of {GRADEBOOK}, {CLASS_REPORT} and {SIMILARITY_CSV}, "
            f"which list them under their new ids; delete the old folders before handing the folders back")


#: What a run interrupted after its grading (in the similarity check or the class report) says.
INTERRUPTED_AFTER = ("\nInterrupted: every submission is graded and the gradebook written; "
                      "the next run writes the similarity check and the class report.\n")


def keep_earlier_class(submissions: Path, *, out_dir: Path, former: Sequence[str], batch: Any,
                       on_kept: Callable, graded: Sequence[str] = (), student: bool = False,
                       late_zip: bool = False) -> Any:
    """The earlier gradebook's submissions a run of the one notebook ``submissions`` keeps
    (``grader.incremental.earlier_class``), or None when the run is of a folder or a zip (a
    submission no longer in it is a student who left), or ``out_dir`` holds no gradebook that
    lists any of ``former``. ``student``: ``submissions`` is one student's folder, or a notebook in
    it (a notebook or a zip, ``student_folder``), kept as a notebook is; ``late_zip``: ``submissions`` is a zip of one
    student's late work (outside the class's sources, ``classoptions.outside_sources``), kept so too. Raises CommandError, before anything is graded,
    when they cannot be kept (another rubric or other fixtures; damaged results), saying what to do."""
    from grader.discover import folder_id, is_zip_name, platform_name, readable_id
    from grader.files import spreadsheet_text
    from grader.incremental import EarlierClassError, earlier_class
    from grader.report import gradebook_submissions

    from grader.unfinished import earlier as earlier_file

    if (is_zip_name(submissions.name) and not late_zip and not student) or not (listed := gradebook_submissions(earlier_file(out_dir, GRADEBOOK))):
        return None
    here = submissions.resolve() if submissions.is_dir() else submissions.resolve().parent
    named = platform_name(here.name)  # a Moodle student's folder, Jane Smith_4242_assignsubmission_file_
    folder = folder_id(named.id if named is not None and not named.original else here.name)  # its row's id
    strangers = graded and not any(spreadsheet_text(sid) in listed for sid in graded)
    if submissions.is_dir() and not student:
        if strangers and spreadsheet_text(folder) in listed:  # one student's folder, as a class
            from grader.copycommands import grade_command, quoted

            raise CommandError(
                f"{submissions} is {folder!r}'s folder, a submission of {out_dir / GRADEBOOK}: graded "
                f"as a class of its own, its notebook would be a row {graded[0]!r} and the gradebook "
                f"would hold it alone. Grade the folder that holds it ({grade_command()} "
                f"{quoted(str(submissions.parent))} --out {quoted(str(out_dir))}): {folder} is graded again, the "
                f"others are kept")
        return None
    if strangers and spreadsheet_text(folder) in listed and not late_zip:
        # A folder of folders' student (alice/rnn.ipynb): graded alone it is a row 'rnn' beside
        # alice's, without the files beside it in alice/ (an imdb_report.json).
        from grader.copycommands import grade_command, quoted

        raise CommandError(
            f"{submissions} is in the folder {readable_id(here.name)}/, {folder!r}'s, a submission of "
            f"{out_dir / GRADEBOOK}: graded alone it would be a new row {graded[0]!r} beside "
            f"{folder!r}'s, without the other files of that folder. Grade the folder that holds it "
            f"again ({grade_command()} {quoted(str(submissions.parent.parent))} --out {quoted(str(out_dir))}): {folder} is "
            f"graded again, the others are kept as they are")
    try:
        earlier = earlier_class(out_dir, former, batch=batch, listed=listed, on_kept=on_kept)
    except EarlierClassError as exc:
        from grader.copycommands import grade_command, quoted

        sources = _sources_holding(submissions, out_dir=out_dir)
        how = (f"{class_again(out_dir=out_dir, sources=sources)}: the submissions it was graded from, "
               f"{', '.join(map(str, sources))}, this notebook among them" if sources else
               f"{grade_command()} SUBMISSIONS --out {quoted(str(out_dir))}, with this notebook among the submissions")
        raise CommandError(
            f"{out_dir / GRADEBOOK} cannot take {submissions.name}: {exc}. Grade the whole class "
            f"again into {out_dir} ({how}), or grade this notebook into a folder of its own "
            f"(--out ANOTHER_FOLDER)") from None
    if not earlier.keys:
        return None
    return replace(earlier, added=tuple(sid for sid in graded if spreadsheet_text(sid) not in listed))


def _sources_holding(notebook: Path, *, out_dir: Path) -> tuple[Path, ...]:
    """The SUBMISSIONS ``out_dir`` remembers (``grader.classoptions``) when they are all there and
    one of them is, or holds, ``notebook``: ``grade.py --out OUT`` then grades the class with it.
    Empty otherwise (none remembered, one gone, the notebook elsewhere: an extension's)."""
    from grader.classoptions import OptionsError, remembered

    try:
        options = remembered(out_dir)
    except OptionsError:
        return ()
    sources = options.sources if options is not None else ()
    if not class_again(out_dir=out_dir, sources=sources):
        return ()
    here = notebook.resolve()
    if any(here == source.resolve() or source.resolve() in here.parents for source in sources):
        return sources
    return ()


def student_folder(submissions: Path, *, out_dir: Path) -> tuple[Path, Any] | None:
    """The class's folder and the submission a run of the whole class gives the student whose folder is ``submissions``
    (``SUBMISSIONS/alice/``, a Moodle student's ``Jane Smith_4242_assignsubmission_file_/``) or
    holds the notebook or zip ``submissions`` (``SUBMISSIONS/alice/rnn.ipynb``, ``.../work.zip``), when the class's
    gradebook in ``out_dir`` lists that student; else None. Graded alone, the folder was a class of
    its own (a row ``rnn``, the gradebook holding it alone) and the notebook a new row without the
    files beside it: both were refused until the thirty-second session, and the only regrade of a
    folder of folders' student was a run of the whole class folder. The class folder itself is
    read for that student's entries only (``find_submissions(near=...)``)."""
    from grader.discover import DiscoveryError, find_submissions, folder_id, platform_name
    from grader.files import spreadsheet_text
    from grader.report import gradebook_submissions

    from grader.unfinished import earlier

    submissions = Path(submissions)
    # A zip is one of the student's files (SUBMISSIONS/alice/work.zip) as a notebook is; a zip at
    # the top of the class's folder is a student's own (grader.classrun's late_zip).
    if not submissions.exists() or not earlier(out_dir, GRADEBOOK).is_file():
        return None
    here = submissions.resolve() if submissions.is_dir() else submissions.resolve().parent
    named = platform_name(here.name)
    moodle = named is not None and not named.original
    # As find_submissions gives it: portable, and an id over 200 bytes cut (until the thirty-sixth
    # session uncut here, so that such a student's folder regraded alone was a class of its own).
    sid = folder_id(named.id if moodle else here.name)
    listed = gradebook_submissions(earlier(out_dir, GRADEBOOK))
    # ada/ beside Ada/ (or beside ada.ipynb) is ada~folder (grader.discover.folded_id)
    rows = {spreadsheet_text(sid), spreadsheet_text(f"{sid}~folder")}
    if not listed or here.parent == here or not rows & set(listed):
        return None
    try:
        # Rows of their own: the class's folder (named as one of its students). A file's own id is
        # no row's: alice/bob.ipynb is alice's (until the thirty-eighth session graded as bob's row).
        own = find_submissions(submissions, defer=True) if submissions.is_dir() else []
        if any(sub.id != sid and spreadsheet_text(sub.id) in listed for sub in own):
            return None
        found = find_submissions(here.parent, defer=True, near=sid)
    except DiscoveryError:
        return None
    for sub in found:  # alice/ beside alice.ipynb is alice~folder
        if sub.id in (sid, f"{sid}~folder") and spreadsheet_text(sub.id) in listed and (
                moodle or Path(sub.path).resolve().is_relative_to(here)):
            return here.parent, sub
    return None


def student_folder_note(submissions: Path, sub: Any) -> str:
    """What a run of one student's folder (or a notebook in it) says it grades."""
    folder = submissions if submissions.is_dir() else submissions.parent
    return (f"Grading {sub.id} as the class run does: their folder {folder}, with every file in it "
            f"(and, for Moodle, their other folders of the download)")


def earlier_class_note(earlier: Any, *, out_dir: Path, similarity: bool = True) -> str:
    """What a run of one notebook into the class's output folder says of the submissions it kept."""
    files = f"{CLASS_REPORT} and {SIMILARITY_CSV}" if similarity else CLASS_REPORT
    note = (f"Kept in {out_dir / GRADEBOOK}, {files}: its {len(earlier.keys)} "
            f"other submission(s), as the earlier run graded them (a run of one notebook into the "
            f"class's output folder updates that notebook's row only)")
    if earlier.added:
        note += (f"; {', '.join(earlier.added)} was not in it and is a new row (a student graded before "
                 f"is regraded by a notebook named as their row, docs/instructors.md)")
    if earlier.other_grader:
        shown = ", ".join(earlier.other_grader[:10]) + (
            f" and {len(earlier.other_grader) - 10} more" if len(earlier.other_grader) > 10 else "")
        note += (f"; {len(earlier.other_grader)} of them were graded by another version of the grader "
                 f"(a run of the whole class grades them again): {shown}")
    return note + "."


def refuse_output_around(out_dir: Path, *, sources: Sequence[Path]) -> None:
    """A CommandError, before anything is read or written, when ``out_dir`` is a folder or
    notebook of ``sources`` or holds one: the grader would write its folders, ``grades.csv``
    and report among the students' files. ``grade.py sec1 sec2 --out sec1`` graded section 2
    alone into section 1's folder and said nothing of section 1's students (its notebooks were
    taken for the output's); ``--out SUBMISSIONS`` was said to "hold" itself. A zip in it is
    only read (``grade.py class.zip --out .``), and an output folder inside the submissions
    folder is not a submission (``grade.py subs --out subs/graded``): both are taken."""
    from grader.classsources import is_zip_file

    try:
        out_real = out_dir.resolve()
    except (OSError, RuntimeError):  # a loop of links: usable_out_dir says why it cannot be used
        return
    for source in sources:
        try:
            real = source.resolve()
        except (OSError, RuntimeError):
            continue
        if not real.is_relative_to(out_real) or (source.is_file() and is_zip_file(source)):
            continue
        what = ("the submissions folder" if source.is_dir() else "the notebook")
        where = (f"is {what} {source}" if real == out_real else f"holds {what} {source}")
        beside = "among the students' files" if real == out_real else "in a folder that holds the students' files"
        raise CommandError(f"{out_dir}: the output folder {where}; the grader would write a folder per "
                           f"student, grades.csv and report.html {beside}: give --out a "
                           f"folder of its own, such as grading-output")


def hold_output(out_dir: Path, *, sources: Sequence[Path], stack: contextlib.ExitStack,
                stream: TextIO) -> int | None:
    """Hold ``out_dir``'s lock (``grader.outputlock.output_lock``) until ``stack`` closes, and
    return its descriptor (for the workers to close: None without a lock); a CommandError,
    before anything is read or graded, when another run holds it. An ``--out`` that is or
    holds a submissions folder is refused before (``refuse_output_around``)."""
    from grader.outputlock import OutputBusy, output_lock

    try:
        return stack.enter_context(output_lock(out_dir, on_wait=_line_to(stream),
                                               on_unlocked=_line_to(stream)))
    except OutputBusy as exc:
        raise CommandError(str(exc)) from None


def _line_to(stream: TextIO) -> Callable[[str], None]:
    """What writes a line of the run's to ``stream``."""
    return lambda line: stream.write(line + "\n")


def usable_out_dir(out_dir: Path) -> None:
    """Make ``out_dir`` and write and remove a file in it, before anything is graded: a path
    that is a file, a read-only mount or a full disk ended in tracebacks of the workers and of
    grade.py once the first results were written."""
    import tempfile

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".write-test-", dir=out_dir)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        why = ("a file, not a folder" if out_dir.exists() and not out_dir.is_dir()
               else exc.strerror or type(exc).__name__)
        raise CommandError(f"{out_dir}: the output folder cannot be used ({why}); give --out "
                           f"a folder this user can write in") from None


def write_upload_files(matched: Any, *, book: Any, adjustments: Mapping | None, out_dir: Path,
                       notes: list, stream: TextIO, keep_previous: bool = False,
                       unchosen: Sequence[str] = ()) -> str:
    """``OUT/moodle-worksheet.csv`` or ``OUT/canvas-import.csv`` when the roster is that
    platform's export (``grader.upload``), said in ``notes``; an earlier run's removed when this
    one writes none (it would read as this run's). Returns the line the run prints of it beside
    ``Gradebook:`` at its end ("" for none)."""
    from grader.files import write_atomic
    from grader.upload import UPLOAD_FILES, upload_file

    upload = (upload_file(matched, scores=book.scores_given(adjustments), unchosen=unchosen)
              if matched is not None else None)
    written = upload.name if upload is not None and not upload.problem else None
    for name in UPLOAD_FILES:
        if name != written:
            remove_earlier(out_dir / name, stream=stream, keep_previous=keep_previous,
                           why="this run's roster gives none (docs/instructors.md, \"Into Canvas or Moodle\")")
    if upload is None:
        return ""
    if written:
        write_atomic(out_dir / written, upload.text)
    notes.append(upload.note(out_dir / upload.name))
    return notes[-1]


def remove_stale_temporaries(out_dir: Path) -> None:
    """Remove the temporary files (``grader.files.write_atomic``'s ``.<name>.<pid>.<thread>.tmp``)
    that a run killed while it wrote ``grades.csv``, ``report.html``, ``similarity.csv`` or the
    similarity store left in ``out_dir`` and its ``.cache``: their names hold the dead run's
    pid, so no later run wrote over them, and a class report's stayed for good (a student's
    folder is cleaned when that student is graded again, ``prepare_folder``). Called holding the
    folder's lock only: no live run writes there then."""
    for folder in (out_dir, out_dir / ".cache"):
        with contextlib.suppress(OSError):
            for stale in folder.glob(".*.tmp"):
                with contextlib.suppress(OSError):
                    if stale.is_file() and not stale.is_symlink():
                        stale.unlink()


def remove_earlier(path: Path, *, stream: TextIO, why: str, keep_previous: bool = False) -> None:
    """Remove ``path``, a class-wide file an earlier run wrote and this one did not (or its
    ``grader.unfinished.previous``, where this run set it aside, unless ``keep_previous``: a run
    interrupted before it graded everyone leaves the last finished run's), saying so: left there,
    it would read as this run's."""
    from grader.unfinished import previous

    removed = False
    for there in (path,) if keep_previous else (path, previous(path.parent, path.name)):
        with contextlib.suppress(OSError):  # none there, or not ours to remove (a folder)
            there.unlink()
            removed = True
    if removed:
        stream.write(f"Removed {path}: it was an earlier run's, and {why}\n")


def write_report_html(results: Sequence[SubmissionResult], *, rubric: Rubric, out_dir: Path,
                      similarity: Any, notes: Sequence[str], stream: TextIO,
                      sources: Mapping | None = None,
                      known_sources: Mapping | None = None, stats: Any = None,
                      roster_notes: Sequence[str] = ()) -> Path | None:
    """``OUT/report.html`` through ``grader.classreport``; a failure is reported, not raised."""
    try:
        from grader.classreport import write_class_report
    except ImportError as exc:
        stream.write(f"Class report not written: grader.classreport is not available ({exc})\n")
        return None
    try:
        return Path(write_class_report(results, rubric=rubric, out_dir=Path(out_dir),
                                       similarity=similarity, harness_notes=tuple(notes),
                                       sources=sources, known_sources=known_sources,
                                       stats=stats, roster_notes=roster_notes))
    except Exception as exc:  # noqa: BLE001 - the gradebook is already written
        stream.write(f"Class report not written: {type(exc).__name__}: {exc}\n")
        return None


def pause_collector() -> Callable[..., None]:
    """Turn the garbage collector off for a class run's start-up; return what turns it back on.

    The start-up's imports and context make a few hundred thousand objects that live as long
    as the run, and almost no garbage: the collector's 50-60 young and middle collections
    walked them for 15-40 ms of CPU before the workers' fork. What they made is frozen when
    the collector comes back (as ``WorkerPool`` freezes what its workers inherit), so that no
    later collection walks it either; ``grade_class`` puts it back when the run ends. ``resume(freeze=False)``
    when the start-up failed: the collector back on, nothing frozen.
    """
    was_on = gc.isenabled()
    gc.disable()

    def resume(*, freeze: bool) -> None:
        if freeze:
            gc.freeze()
        if was_on:
            gc.enable()

    return resume


@contextlib.contextmanager
def stops_say_what_is_left(out_dir: Path, *, stream: TextIO):
    """Within the block (from the class files set aside until this run's are written), a run
    that stops says what the folder holds and what to run next (``grader.unfinished.stopped``):
    Ctrl-C where the run does not catch it (while it writes the gradebook) in the message
    ``grade.py: interrupted`` ends with, a crash after its traceback (its note), a ``CommandError``
    at its message's end. A full disk is ``full_disk_stops``'s, which says it in its own words."""
    try:
        yield
    except BaseException as exc:
        disk_full = isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
        from grader.unfinished import stopped

        said = "" if disk_full else stopped(out_dir, names=CLASS_FILES)
        if not said:
            raise
        if isinstance(exc, KeyboardInterrupt):
            raise KeyboardInterrupt(said) from None
        if isinstance(exc, CommandError):
            raise CommandError(f"{exc}. {said}") from None
        said += ("; should it stop so again, the traceback is the grader's bug: send it to whoever "
                 "maintains the grader")
        if hasattr(exc, "add_note"):  # Python 3.11: printed after the traceback
            exc.add_note(said)
        else:
            stream.write(said + "\n")
        raise


@contextlib.contextmanager
def full_disk_stops(out_dir: Path, *, todo: Sequence[str] = ()):
    """Within the block, a full disk (or quota) ends the run as a ``CommandError`` that says what
    is kept, how much room the rest of the run needs (``_room_needed``; ``todo``: the ids this run
    grades, filled in once known) and what to do, not as the traceback of whichever write came first."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        from grader.incremental import KEY_FILE
        from grader.unfinished import PREVIOUS, UNFINISHED_NOTE

        for name in (GRADEBOOK, CLASS_REPORT, SIMILARITY_CSV):  # some of the class files: not all
            with contextlib.suppress(OSError):
                (Path(out_dir) / name).unlink()
        # The last finished run's, when this run had set them aside (it said the previous-* files
        # were there when the disk filled before any was set aside).
        aside = [f"{PREVIOUS}{name}" for name in CLASS_FILES if (Path(out_dir) / f"{PREVIOUS}{name}").is_file()]
        kept = (f" (the last finished run's are the folder's {', '.join(aside)}, as its {UNFINISHED_NOTE} "
                f"says)" if aside and (Path(out_dir) / UNFINISHED_NOTE).is_file() else "")
        raise CommandError(
            f"{out_dir}: the disk filled up during the run ({exc.strerror}). A submission "
            f"whose files were all written keeps them, with its {KEY_FILE}; no {GRADEBOOK}, "
            f"{CLASS_REPORT} or {SIMILARITY_CSV} is left to read as this run's{kept}. "
            f"{_room_needed(Path(out_dir), todo=todo, key=KEY_FILE)}Free some space (or give "
            f"another --out) and run the same command again: it grades the submissions without a "
            f"key and writes those three") from None


def _room_needed(out_dir: Path, *, todo: Sequence[str], key: str) -> str:
    """``The rest of the run needs about 12 MB (...). `` for a full disk: the mean size of the
    folders of ``todo`` written whole (with their ``key``) times the number still to write, and
    the class files the last finished run wrote; "" when none was written whole."""
    sizes, left = [], 0
    for sid in todo:
        folder = out_dir / sid
        if not (folder / key).is_file():
            left += 1
            continue
        size = 0
        for top, _dirs, files in os.walk(folder):
            for name in files:
                with contextlib.suppress(OSError):
                    size += os.lstat(os.path.join(top, name)).st_size
        sizes.append(size)
    if not sizes or not left:
        return ""
    from grader.unfinished import PREVIOUS

    class_files = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(out_dir):
            if entry.name.startswith(PREVIOUS) and entry.is_file(follow_symlinks=False):
                class_files += entry.stat(follow_symlinks=False).st_size
    mean = sum(sizes) / len(sizes)
    need = mean * left + class_files
    return (f"The rest of the run needs about {need / 1e6:.1f} MB ({left} submission(s) still to "
            f"write at {mean / 1e3:.0f} kB each, the mean of the {len(sizes)} written, and the class "
            f"files): free at least twice that. ")
