"""What a class run grades: the SUBMISSIONS arguments (folders, zips, notebooks) as sources, the
submissions found in them, zips opened in turn by the workers, and the known problems of a damaged or
unusual upload told by name."""
from __future__ import annotations

import contextlib
import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Collection, Sequence, TextIO

from grader.exits import CommandError


@contextlib.contextmanager
def opened_submissions(path: Path, *, stream: TextIO, nested: bool = True, one_student: bool = False):
    """Yield the folder (or notebook) to grade: ``path`` itself, or a zip extracted to a temp folder.

    The temporary folder is removed when the block ends. ``nested``: the zips at the top of
    the archive are extracted too (``extract_archive``); a class run leaves them to
    ``find_submissions``'s unpacking, which refuses one student's zip bomb, not the class.
    ``one_student``: ``path`` is one student's zip (late work), yielded as it is: the class run
    unpacks it at that student's turn, as a zip in the class's folder (``find_submissions``).
    """
    from grader.archive import ArchiveError, extract_archive, is_archive

    path = Path(path)
    if one_student or not is_archive(path):
        if damaged_zip(path):
            raise CommandError(f"{path}: not a zip that can be read (is the download complete? "
                               "download it again from Canvas or Moodle, or unzip it yourself and "
                               "give the folder)")
        yield path
        return
    from grader.files import CLASS_ZIP_PREFIX, run_folder

    # Locked while this run lives (``grader.files.run_folder``): the whole class's notebooks are
    # in it, and a class run removes it if this one is killed (``sweep_unpack_folders``).
    with run_folder(CLASS_ZIP_PREFIX) as tmp:
        try:  # beside the run's lock file, not with it: the class is what the folder holds
            extracted = extract_archive(path, dest=tmp / "class", nested=nested)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from None
        stream.write(f"Extracted {extracted.files} file(s) from {path.name}\n")
        for note in extracted.skipped[:20]:
            stream.write(f"  skipped {note}\n")
        if len(extracted.skipped) > 20:
            stream.write(f"  ... and {len(extracted.skipped) - 20} more skipped\n")
        yield extracted.root


def damaged_zip(path: Path) -> bool:
    """True for a file named ``.zip`` that is not a zip (a bulk download cut short, a page saved
    in its place): without this, it was refused as "not a notebook (.ipynb) or Python file"."""
    from grader.archive import is_archive

    return path.is_file() and path.suffix.lower() == ".zip" and not is_archive(path)


def known_problem(known: Path) -> str | None:
    """Why ``--known`` cannot be used, said before the class is graded (it was found only when
    the similarity check ran, after grading, and the run ended without its report); None when
    it can: a folder, a readable zip or a notebook."""
    from grader.archive import is_archive
    from grader.discover import SUBMISSION_SUFFIXES

    if not known.exists():
        return f"{known}: no such folder of known solutions"
    if damaged_zip(known):
        return (f"{known}: not a zip that can be read (is the download complete?); give a folder, "
                "a zip or a notebook of known solutions")
    if known.is_file() and known.suffix not in SUBMISSION_SUFFIXES and not is_archive(known):
        return f"{known}: not a folder, a zip or a notebook (.ipynb, .py) of known solutions"
    if known.is_dir():  # an empty folder stopped the run after grading, "no submissions found"
        try:
            submissions_under(known)
        except CommandError:
            return f"{known}: holds no notebook (.ipynb, .py) of known solutions, nor a folder or zip of them"
    return None


def submissions_under(path: Path, *, defer: bool = False) -> list:
    """The submissions under ``path``; with ``defer``, the zips among a student's files left
    packed for their student's turn (``Submission.packed``, ``grader.archive.StudentTurns``)."""
    from grader.discover import DiscoveryError, find_submissions

    try:
        return find_submissions(Path(path), defer=defer)
    except DiscoveryError as exc:
        raise CommandError(str(exc)) from None


def submission_sources(submissions: Path | Sequence[Path]) -> tuple[Path, ...]:
    """What ``grade_class`` grades: one folder, zip or notebook, or several folders and zips (two
    sections' downloads, a folder and a late zip) into one gradebook. A notebook among several is
    refused: a run of one notebook into the class's output folder keeps the class (a regrade),
    a run of several sources is the class, and the two would read alike. A source that does not
    exist (a typo) is said first and alone: until the thirty-seventh session the output folder's
    remembered options were said before it."""
    if isinstance(submissions, (str, os.PathLike)):
        submissions = (submissions,)
    sources = tuple(dict.fromkeys(Path(source) for source in submissions))
    if not sources:
        raise CommandError("no submissions given: a folder, a zip or a notebook")
    for source in sources:
        if not source.exists():
            raise CommandError(f"{source}: no such file or folder")
    if len(sources) > 1 and (files := [s for s in sources if s.is_file() and not is_zip_file(s)]):
        from grader.copycommands import grade_command, quoted

        raise CommandError(
            f"{files[0]}: a notebook among several folders or zips; a class run takes several folders "
            f"and zips (sections), or one notebook, graded into the class's output folder after it "
            f"({grade_command()} {quoted(str(files[0]))} --out OUT: the class is kept)")
    for outer in sources:  # class/ and class/alice/: alice's notebook graded twice, as 'alice' and 'rnn'
        for inner in sources:
            with contextlib.suppress(OSError):
                if inner != outer and outer.is_dir() and inner.resolve().is_relative_to(outer.resolve()):
                    raise CommandError(f"{inner} is inside {outer}, also given: its submissions would be "
                                       f"graded twice; give {outer} alone")
    return sources


def is_zip_file(path: Path) -> bool:
    """A zip as a source of a class run (``opened_submissions`` extracts it), a damaged one too."""
    from grader.archive import is_archive

    return is_archive(path) or damaged_zip(path)


def shown_sources(sources: Sequence[Path]) -> str:
    """The sources of a run, as its messages name them."""
    return " and ".join(str(source) for source in sources)


def find_in(roots: Sequence[Path], *, sources: Sequence[Path]) -> list:
    """The submissions of every folder of ``roots`` (``submissions_under``; a zip's folder extracted from the
    source of the same place), a submission id found in two of them refused, naming both sources:
    two sections' downloads holding one student (moved between sections, or a late upload beside
    the folder holding the first), graded twice into one folder, would be one of them, unsaid."""
    if len(roots) == 1:
        return submissions_under(roots[0], defer=True)
    found: list = []
    seen: dict[str, str] = {}  # id -> its source and its file there, as the refusal names them
    for root, source in zip(roots, sources):
        for sub in submissions_under(root, defer=True):
            here = f"{source} ({_relative_name(sub.path, root)})"
            if sub.id in seen:
                from grader.copycommands import grade_command

                raise CommandError(
                    f"{sub.id}: a submission of both {seen[sub.id]} and {here}; one gradebook holds one "
                    f"row a student: remove the one not to grade (or, for a late resubmission, grade it "
                    f"after the others into the same --out, alone: {grade_command()} NOTEBOOK --out OUT)")
            seen[sub.id] = here
            found.append(sub)
    return sorted(found, key=lambda sub: sub.id)


def _relative_name(path: Path | str, root: Path) -> str:
    """A submission's file or folder as named inside its source (a zip's member, a folder's entry)."""
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return Path(path).name


def unpacked_note(subs: Sequence) -> str | None:
    """The class run's note on the students whose files held zips (``Submission.notes`` says what
    became of them; ``Submission.packed``: to be unpacked at their turn), or None when none did."""
    ids = [sub.id for sub in subs if sub.notes or sub.packed]
    if not ids:
        return None
    shown = ", ".join(ids[:10]) + (", ..." if len(ids) > 10 else "")
    return (f"Zips were found among the files of {len(ids)} submission(s) ({shown}); each one's "
            f"feedback says what was unpacked from them, and what was left out or refused.")


def case_twin(sid: str, names: Collection[str]) -> str | None:
    """The one id of ``names`` (an output folder's submissions) that differs from ``sid`` only as a
    case-insensitive file system ignores (``Carol`` and ``carol``, ``grader.discover.folded_id``), or
    None: ``sid`` itself among them, none, or two (``Carol`` beside ``carol`` and ``CAROL``). A
    folder an earlier grader named by other rules (``ada:1`` for ``ada_1``) is no twin: it is
    ``grader.incremental.renamed_submissions``'s."""
    from grader.discover import folded_id, folder_id

    if sid in names:
        return None
    twins = [name for name in names if folded_id(name) == folded_id(sid) and folder_id(name) == name]
    return twins[0] if len(twins) == 1 else None


def case_twin_note(path: Path, *, sid: str, twin: str, out_dir: Path) -> str:
    """The line saying that ``path``, of id ``sid``, is graded as ``out_dir``'s submission ``twin``."""
    return (f"{path.name}: graded as {twin}, the submission of {out_dir} whose id differs only in case "
            f"({sid}): {out_dir / sid} and {out_dir / twin} would be one folder on macOS or a Windows "
            f"share. If it is another student's, rename it and grade it again")


class _BytesOnly:
    """A ``grader.incremental.BatchKey`` of no rubric: ``submission_key`` under it digests a
    submission's bytes alone (its notebook, the files graded with it)."""

    @staticmethod
    def digest() -> str:
        return "the submission's bytes"


def bytes_digest(sub: Any) -> str | None:
    """The digest of ``sub``'s bytes, whatever the rubric (None when they cannot be read)."""
    from grader.incremental import submission_key

    return submission_key(sub, batch=_BytesOnly())


def on_time_digest(sources: Sequence[Path], *, sid: str) -> str | None:
    """The ``bytes_digest`` of the submission ``sid`` that a class's folder ``sources`` hold (only
    that student's entries read), or None: none, or the class's sources are zips (not opened
    for one student's late work)."""
    from grader.discover import DiscoveryError, find_submissions

    for source in sources:
        if not Path(source).is_dir():
            continue
        try:
            theirs = [sub for sub in find_submissions(Path(source), defer=True, near=sid) if sub.id == sid]
        except (DiscoveryError, OSError):
            continue
        if theirs:
            return bytes_digest(theirs[0])
    return None


def sweep_unpack_folders(stream: TextIO) -> None:
    """Remove the unpack folders that killed class runs of this user left in the temporary
    directory (``grader.files.sweep_run_folders``), the students' zips' and the class zips':
    a run killed with SIGKILL (the OOM killer, a job's time limit) cannot remove its own, and
    the students' unpacked notebooks stayed there for good. What cannot be removed is said in
    one line and never stops the run."""
    from grader.files import CLASS_ZIP_PREFIX, UNPACK_PREFIX, sweep_run_folders

    for prefix in (UNPACK_PREFIX, CLASS_ZIP_PREFIX):
        try:
            swept = sweep_run_folders(prefix)
        except Exception as exc:  # the sweep is housekeeping: never the run's failure
            stream.write(f"Could not look for stale unpack folders: {type(exc).__name__}: {exc}\n")
            return
        if swept.problem:
            stream.write(f"Could not remove a stale unpack folder: {swept.problem}\n")


class TurnsOpener:
    """A class run's ``WorkerPool.run(opened=...)``: each submission whose files hold zips is
    unpacked when it is handed out (``grader.archive.StudentTurns``, under ``dest``), and kept in
    ``graded`` until its result is in (its page reads the notebook; ``turns.release`` then removes
    the files). When unpacking fails (a full disk), the student's result says so and gets no key
    (``keys``), so the next run grades them again; the others are graded all the same."""

    def __init__(self, *, dest: Path, keys: dict) -> None:
        """Nothing unpacked yet; ``keys``: the run's keys by id, a failed student's set to None."""
        from grader.archive import StudentTurns

        self.turns = StudentTurns(dest=dest)
        self.keys = keys
        self.graded: dict[str, Any] = {}

    def __call__(self, submission: Any) -> Any:
        """``submission`` ready to grade (of several notebooks its zips hold, the worker chooses
        one: ``grader.choice``)."""
        if not submission.packed:
            return submission
        try:
            ready = self.turns.open(submission)
        except OSError as exc:
            self.keys[submission.id] = None
            ready = replace(
                submission, packed={}, problem=f"{Path(submission.path).name}: the grader could not "
                f"unpack the zips of this submission ({exc.strerror or type(exc).__name__}); the next "
                f"run tries again.")
        self.graded[submission.id] = ready
        return ready

    @contextlib.contextmanager
    def reading(self, submission: Any):
        """``submission`` with its zips unpacked while the block runs, removed after: the
        similarity check reads the notebook of a student kept from a run without it."""
        if not submission.packed:
            yield submission
            return
        try:
            yield self(submission)
        finally:
            self.graded.pop(submission.id, None)
            self.turns.release(submission.id)
