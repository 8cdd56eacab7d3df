"""The library behind ``grade.py``: each command as a function with keyword-only options.

``grade.py`` parses arguments and calls these; tests call them directly. The
command line takes its defaults from these functions' signatures
(``default_of``), so the two cannot drift.
"""
from __future__ import annotations

import collections
import contextlib
import errno
import functools
import gc
import inspect
import os
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Collection, Mapping, Sequence, TextIO

if TYPE_CHECKING:  # the records' module comes with the rest, after the zygotes are started
    from grader.models import Rubric, SubmissionResult

REPO = Path(__file__).resolve().parent.parent
DEFAULT_RUBRIC = REPO / "rubrics" / "rnn.yaml"
DEFAULT_OUT = Path("grading-output")
SIMILARITY_CSV = "similarity.csv"
CLASS_REPORT = "report.html"
SUMMARY_REPORT = "report-without-names.html"  # grader.classreport.SUMMARY_NAME (python3 -m grader.classreport)
GRADEBOOK = "grades.csv"  # grader.report.Gradebook writes it
#: What a class run writes in its output folder beside the submissions' folders, each kept aside
#: while a run grades (``grader.unfinished``); no submission's id may be one
#: (``grader.discover.RESERVED_IDS``). ``grader.report.SCORE_CHANGES``, ``grader.upload.UPLOAD_FILES``,
#: ``grader.classreport.REPORT_NAME`` spelled here: this module imports them after the zygotes start.
CLASS_FILES = (GRADEBOOK, "score-changes.csv", "moodle-worksheet.csv", "canvas-import.csv", CLASS_REPORT,
               SIMILARITY_CSV, SUMMARY_REPORT)
SOURCES_FILE = "functions.json"  # OUT/<id>/: the graded functions' sources, for the similarity check
OWN_WORK_FIELD = "own_work"  # its entry of the notebook's own work (grader.similarity.ownwork.OWN_WORK_FIELD)

#: Exit statuses of grade.py.
EXIT_OK = 0  # the batch was graded, whatever the students scored
EXIT_CHECK_FAILED = 1  # --check: some public case failed
EXIT_USAGE = 2  # bad arguments, bad rubric, no submissions: the harness could not run
EXIT_INTERRUPTED = 130  # Ctrl-C: what was graded is kept, the gradebook lists it


class CommandError(Exception):
    """The command cannot run at all (bad rubric, no submissions...); the message says why."""


def default_of(function: Callable, name: str) -> Any:
    """The default value of keyword ``name`` of ``function`` (for the command line's defaults)."""
    return inspect.signature(function).parameters[name].default


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


def distribution_line(scores: Sequence[float], max_score: float) -> str:
    """One line: ``min 12 · median 80 · mean 71.5 · max 100 (of 100) · 0-20%:1 20-40%:0 ...``."""
    if not scores:
        return "no scores"
    ordered = sorted(scores)
    n = len(ordered)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    bins = [0] * 5
    for s in scores:
        frac = s / max_score if max_score else 0
        bins[max(0, min(4, int(frac * 5)))] += 1
    labels = " ".join(f"{i * 20}-{(i + 1) * 20}%:{count}" for i, count in enumerate(bins))
    return (f"min {ordered[0]:g} · median {median:g} · mean {sum(ordered) / n:.1f} · "
            f"max {ordered[-1]:g} (of {max_score:g}) · {labels}")


# --------------------------------------------------------------------------- inputs


@contextlib.contextmanager
def opened_submissions(path: Path, *, stream: TextIO, nested: bool = True):
    """Yield the folder (or notebook) to grade: ``path`` itself, or a zip extracted to a temp folder.

    The temporary folder is removed when the block ends. ``nested``: the zips at the top of
    the archive are extracted too (``extract_archive``); a class run leaves them to
    ``find_submissions``'s unpacking, which refuses one student's zip bomb, not the class.
    """
    from grader.archive import ArchiveError, extract_archive, is_archive

    path = Path(path)
    if not is_archive(path):
        if damaged_zip(path):
            raise CommandError(f"{path}: not a zip that can be read (is the download complete? "
                               "download it again from Canvas or Moodle, or unzip it yourself and "
                               "give the folder)")
        yield path
        return
    from grader.files import CLASS_ZIP_PREFIX, run_folder

    # Locked while this run lives (``grader.files.run_folder``): the whole class's notebooks are
    # in it, and a class run removes it if this one is killed (``_sweep_unpack_folders``).
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
            _find(known)
        except CommandError:
            return f"{known}: holds no notebook (.ipynb, .py) of known solutions, nor a folder or zip of them"
    return None


def _find(path: Path, *, defer: bool = False) -> list:
    """The submissions under ``path``; with ``defer``, the zips among a student's files left
    packed for their student's turn (``Submission.packed``, ``grader.archive.StudentTurns``)."""
    from grader.discover import DiscoveryError, find_submissions

    try:
        return find_submissions(Path(path), defer=defer)
    except DiscoveryError as exc:
        raise CommandError(str(exc)) from None


def _sources(submissions: Path | Sequence[Path]) -> tuple[Path, ...]:
    """What ``grade_class`` grades: one folder, zip or notebook, or several folders and zips (two
    sections' downloads, a folder and a late zip) into one gradebook. A notebook among several is
    refused: a run of one notebook into the class's output folder keeps the class (a regrade),
    a run of several sources is the class, and the two would read alike."""
    if isinstance(submissions, (str, os.PathLike)):
        return (Path(submissions),)
    sources = tuple(dict.fromkeys(Path(source) for source in submissions))
    if not sources:
        raise CommandError("no submissions given: a folder, a zip or a notebook")
    if len(sources) > 1 and (files := [s for s in sources if s.is_file() and not _is_zip_file(s)]):
        raise CommandError(
            f"{files[0]}: a notebook among several folders or zips; a class run takes several folders "
            f"and zips (sections), or one notebook, graded into the class's output folder after it "
            f"(python3 grade.py {files[0]} --out OUT: the class is kept)")
    for outer in sources:  # class/ and class/alice/: alice's notebook graded twice, as 'alice' and 'rnn'
        for inner in sources:
            with contextlib.suppress(OSError):
                if inner != outer and outer.is_dir() and inner.resolve().is_relative_to(outer.resolve()):
                    raise CommandError(f"{inner} is inside {outer}, also given: its submissions would be "
                                       f"graded twice; give {outer} alone")
    return sources


def _is_zip_file(path: Path) -> bool:
    """A zip as a source of a class run (``opened_submissions`` extracts it), a damaged one too."""
    from grader.archive import is_archive

    return is_archive(path) or damaged_zip(path)


def _shown_sources(sources: Sequence[Path]) -> str:
    """The sources of a run, as its messages name them."""
    return " and ".join(str(source) for source in sources)


def _find_in(roots: Sequence[Path], *, sources: Sequence[Path]) -> list:
    """The submissions of every folder of ``roots`` (``_find``; a zip's folder extracted from the
    source of the same place), a submission id found in two of them refused, naming both sources:
    two sections' downloads holding one student (moved between sections, or a late upload beside
    the folder holding the first), graded twice into one folder, would be one of them, unsaid."""
    if len(roots) == 1:
        return _find(roots[0], defer=True)
    found: list = []
    seen: dict[str, str] = {}  # id -> its source and its file there, as the refusal names them
    for root, source in zip(roots, sources):
        for sub in _find(root, defer=True):
            here = f"{source} ({_relative_name(sub.path, root)})"
            if sub.id in seen:
                raise CommandError(
                    f"{sub.id}: a submission of both {seen[sub.id]} and {here}; one gradebook holds one "
                    f"row a student: remove the one not to grade (or, for a late resubmission, grade it "
                    f"after the others into the same --out, alone: python3 grade.py NOTEBOOK --out OUT)")
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


# --------------------------------------------------------------------------- similarity


def function_sources(path: Path, *, names: Sequence[str] | None = None,
                     graded: Collection[str] | None = None) -> dict[str, str]:
    """``{function name: source}`` of the functions a notebook defines (only ``names`` if given),
    each the text a class run compares (``gradedsource.graded_source``).

    ``graded``: the functions the rubric grades, each compared on its own, never as a helper of
    another (what the runner passes: its rubric's); by default the default rubric's and ``names``
    (without that rubric, ``names``, or every function when ``names`` is None, as before).
    Until the thirty-fourth session ``names`` alone was that set, so ``rnn_forward`` asked for alone
    took ``rnn_cell_forward`` for its helper and held it: 0.56 against the same notebook graded.
    An unreadable notebook gives ``{}``.
    """
    from grader.extract import extract_file
    from grader.gradedsource import graded_source

    try:
        extraction = extract_file(path)
        functions = extraction.functions
        aliases = extraction.numpy_aliases()
    except Exception:  # noqa: BLE001 - unreadable notebooks are reported by grading, not here
        return {}
    if graded is None:
        default = _default_graded()
        if default:
            graded = default.union(names or ())
        else:  # no default rubric: as before the thirty-fourth session
            graded = functions.keys() if names is None else names
    return {name: graded_source(functions, name, graded=graded, aliases=aliases)
            for name in functions if names is None or name in names}


@functools.lru_cache(maxsize=1)
def _default_graded() -> frozenset[str]:
    """The functions the default rubric grades (``function_sources``), read once; none when it
    cannot be read (a copy of the grader without its rubrics)."""
    from grader.choice import graded_functions
    from grader.rubric import RubricError, load_rubric

    try:
        return frozenset(graded_functions(load_rubric(DEFAULT_RUBRIC)))
    except RubricError:
        return frozenset()


def write_sources(folder: Path, result: SubmissionResult, names: Sequence[str], *,
                  key: str | None = None, path: Path | None = None,
                  digests: dict[str, list] | None = None) -> dict:
    """Store the sources of ``names`` in ``OUT/<id>/functions.json`` for the similarity check.

    The sources are those the runner extracted (``result.extra["sources"]``);
    only a result without them (a harness failure) has its notebook ``path``
    extracted here. ``key`` is the submission's incremental key: the check uses
    the file only when the key is still the submission's. With the notebook's
    ``path``, the file also holds its own work (``own_work``: the digest of
    each code and markdown cell, ``grader.similarity.ownwork``, and whether
    any function of ``names`` was attempted), so that identical notebooks are
    found without reading any notebook again. Returns the record stored; ``digests``, when
    given, receives the file's ``[size, sha256]`` (``grader.files.write_atomic``).
    """
    import json

    from grader.files import write_atomic

    sources = result.extra.get("sources") if result.extra else None
    if sources is None:
        sources = function_sources(Path(path), names=names, graded=names) if path is not None else {}
    data = {"key": key, "functions": {name: src for name, src in sources.items() if name in names}}
    if path is not None:
        own = _own_work(Path(path), result, names)
        if own is not None:
            data[OWN_WORK_FIELD] = own
    write_atomic(Path(folder) / SOURCES_FILE, json.dumps(data), digests=digests)
    return data


def _own_work(path: Path, result: SubmissionResult, names: Sequence[str]) -> dict | None:
    """``{"cells": [[digest, chars], ...], "attempted": bool}`` of the notebook at ``path``
    (``grader.similarity.ownwork.notebook_cells``), or None when it cannot be read.
    ``attempted``: the result was graded and some function of ``names`` is neither missing
    nor left unimplemented, or a part outside them (the IMDB bonus) earned points
    (submissions that attempted nothing are alike by construction; an untouched starter
    whose code names IMDB has the bonus present, at 0 points). A submission that attempted
    nothing is never compared (``_own_work_digest``), so its notebook is not read again for
    cells: they are stored empty."""
    from grader.models import MISSING, NOT_IMPLEMENTED
    from grader.notebook import load
    from grader.similarity.ownwork import notebook_cells

    attempted = result.graded and any(
        part.status not in (MISSING, NOT_IMPLEMENTED) if part.function in names else part.points > 0
        for part in result.parts)
    if not attempted:
        return {"cells": [], "attempted": False}
    try:
        cells = notebook_cells(load(path))
    except Exception:  # noqa: BLE001 - an unreadable notebook has no own work to compare
        return None
    return {"cells": [list(cell) for cell in cells], "attempted": attempted}


def _stored_sources(folder: Path, submission, names: Sequence[str], key: str | None = None,
                    unpacked: Callable = contextlib.nullcontext) -> tuple[dict[str, str], Any]:
    """``(sources, own work)``: the sources stored by ``write_sources`` when they belong to this
    very notebook (same incremental ``key``), else extracted from the notebook again; the own
    work is the file's ``own_work`` entry as stored (None when there is none: it is checked
    by ``_own_work_digest``). A submission kept from a run without the similarity check (which
    writes no file and is not part of the key) has the file written now from its stored result
    (``write_sources``), once, and listed in the folder's key with the other files.
    ``unpacked(submission)``: a context that gives the submission with its notebook on the disk
    (a class run's packed submission, unpacked for the time it is read; ``_TurnsOpener.reading``)."""
    import json

    try:
        data = json.loads((Path(folder) / SOURCES_FILE).read_text("utf-8"))
        if key is not None and data["key"] == key:
            return ({name: src for name, src in data["functions"].items() if name in names},
                    data.get(OWN_WORK_FIELD))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    with unpacked(submission) as readable:
        return _sources_read_again(folder, readable, names, key)


def _sources_read_again(folder: Path, submission, names: Sequence[str],
                        key: str | None) -> tuple[dict[str, str], Any]:
    """``_stored_sources`` when no stored file of this key is there: from the stored result
    (written into the file now) or the notebook."""
    from grader.choice import chosen
    from grader.incremental import add_to_key, current_result

    result = current_result(Path(folder), key)
    if result is None:
        return function_sources(submission.path, names=names, graded=names), None
    submission = chosen(submission, result)  # of a zip's several notebooks, the one graded
    written: dict[str, list] = {}
    try:
        data = write_sources(Path(folder), result, names, key=key, path=Path(submission.path),
                             digests=written)
    except OSError:  # compared all the same, worked out again on the next run
        return (function_sources(submission.path, names=names, graded=names),
                _own_work(Path(submission.path), result, names))
    try:
        add_to_key(Path(folder), key, written)
    except OSError:  # the file stays unlisted: read only when its own key matches, as above
        pass
    return data["functions"], data.get(OWN_WORK_FIELD)


def _own_work_digest(stored: Any, template: frozenset[str]) -> str | None:
    """The own-work digest of a submission from its stored ``own_work`` entry (``_own_work``),
    without the ``template``'s cells; None when the entry is missing or malformed, nothing was
    attempted, or too little own work is left (``grader.similarity.ownwork.own_work_digest``)."""
    from grader.similarity.ownwork import cells_from_json, own_work_digest

    if not isinstance(stored, dict) or stored.get("attempted") is not True:
        return None
    cells = cells_from_json(stored.get("cells"))
    return None if cells is None else own_work_digest(cells, template=template)


@dataclass(frozen=True)
class TemplateWork:
    """What the similarity check uses of the starter notebook, from one reading of it."""

    sources: Mapping[str, str]  # function name -> source (``function_sources``)
    cells: frozenset[str]  # digests of its code and markdown cells (``notebook_cells``)
    problem: str = ""  # why the file could not be read as a notebook, when it could not

    def no_function(self, template: Path) -> str:
        """The error of a template without a function: why, when the file is no notebook (a web
        page saved by a browser said only 'no function found in the template notebook')."""
        if self.problem:
            return f"the template cannot be read: {self.problem}"
        return f"{template}: no function found in the template notebook"


def read_template(template: Path) -> TemplateWork:
    """The starter notebook's functions and cell digests, read and parsed once (a class run needs
    both: the functions as soon as it starts, to refuse a template without any, and the cells at
    the end). What cannot be read gives none: no function (the caller says so), no cell."""
    from grader.extract import extract
    from grader.notebook import load
    from grader.similarity.ownwork import notebook_cells

    from grader.notebook import SubmissionError

    try:
        notebook = load(Path(template))
    except SubmissionError as exc:  # the problem names the file: said by the caller
        return TemplateWork(sources={}, cells=frozenset(), problem=str(exc))
    except Exception:  # noqa: BLE001 - as function_sources: no function, said by the caller
        return TemplateWork(sources={}, cells=frozenset())
    try:
        sources = {name: fn.source for name, fn in extract(notebook).functions.items()}
    except Exception:  # noqa: BLE001 - as function_sources
        sources = {}
    try:
        cells = frozenset(digest for digest, _ in notebook_cells(notebook))
    except Exception:  # noqa: BLE001 - as function_sources: no cell
        cells = frozenset()
    return TemplateWork(sources=sources, cells=cells)


def run_similarity(submissions: Sequence, *, rubric: Rubric, out_dir: Path,
                   template: Path | None = None, known: Path | None = None,
                   stream: TextIO | None = None, keys: Mapping[str, str | None] | None = None,
                   workers: int | None = None, template_work: TemplateWork | None = None,
                   unpacked: Callable = contextlib.nullcontext):
    """Compare the graded functions of every submission; write ``OUT/similarity.csv``.

    ``template``: the starter notebook (its code does not count). ``known``:
    a folder (or zip) of solutions found online or from earlier years.
    ``keys`` (id -> incremental key) lets the stored ``functions.json`` of each
    graded submission be used instead of extracting its notebook again.
    ``workers``: processes that normalise the functions (default: the machine's
    cores, idle once the class is graded; the report does not depend on it).
    Submissions whose own work (stored by the workers in ``functions.json``, the
    template's cells taken out) is identical are flagged whatever their score.
    ``template_work``: what ``read_template`` gave for ``template`` when the caller read it
    already (a class run reads it once). ``unpacked``: see ``_stored_sources``.
    Returns ``(report, sources, known_sources)``: the ``SimilarityReport`` and
    the function sources it compared (id -> function -> source), which the
    class report shows side by side.
    """
    from grader.choice import graded_functions
    from grader.similarity import find_similar, write_similarity_csv
    from grader.similarity.store import ClassStore

    stream = stream or sys.stderr
    names = graded_functions(rubric)
    keys = keys or {}
    stored = {sub.id: _stored_sources(Path(out_dir) / sub.id, sub, names, keys.get(sub.id), unpacked)
              for sub in submissions if not sub.problem}
    sources = {sid: funcs for sid, (funcs, _own) in stored.items() if funcs}
    if template and template_work is None:
        template_work = read_template(Path(template))
    template_sources = dict(template_work.sources) if template else None
    if template and not template_sources:
        raise CommandError(template_work.no_function(Path(template)))
    template_cells = template_work.cells if template else frozenset()
    own_work = {sid: _own_work_digest(own, template_cells) for sid, (_funcs, own) in stored.items()
                if sid in sources}
    known_sources = None
    if known:
        from grader.choice import one_notebook

        with opened_submissions(Path(known), stream=stream) as folder:
            # An earlier year's student folder holding an Untitled.ipynb beside the work is read
            # as a class run grades it (grader.choice): until the thirty-third session it was
            # left out, "no graded function could be read", while the class's was graded.
            found = [one_notebook(sub, graded=names) for sub in _find(folder)]
            known_sources = {sub.id: function_sources(sub.path, names=names, graded=names)
                             for sub in found if not sub.problem}
        known_sources = {k: v for k, v in known_sources.items() if v}
        if len(known_sources) < len(found):  # were left out of the comparison without a word
            several = sorted(sub.id for sub in found if sub.problem and sub.notebooks)
            left = sorted(sub.id for sub in found if sub.id not in known_sources and sub.id not in several)
            parts = ([f"no graded function could be read from them): {', '.join(left[:10])}"
                      f"{' ...' if len(left) > 10 else ''}"] if left else [])
            parts += ([f"several notebooks that each define graded functions, or none holding the work; "
                       f"leave one in each folder): {', '.join(several[:10])}{' ...' if len(several) > 10 else ''}"]
                      if several else [])
            stream.write(f"Known solutions not compared ({len(left) + len(several)} of {len(found)} in "
                         f"{known}: {'; and ('.join(parts)}\n")
    # The functions normalised by the last run into this folder are not normalised again
    # (grader.similarity.store): a run after one late submission normalises its functions only.
    report = find_similar(sources, template=template_sources, known=known_sources,
                          workers=workers or os.cpu_count() or 1, own_work=own_work,
                          store=ClassStore(Path(out_dir)))
    write_similarity_csv(report, Path(out_dir) / SIMILARITY_CSV)
    return report, sources, known_sources


# --------------------------------------------------------------------------- class


def _finisher(*, names: Sequence[str] = ()) -> Callable:
    """The worker-side step after a submission's files are written: the functions' sources
    (for the similarity check). Neither feedback.html nor the key: the grading process
    writes both (``_Pages``)."""
    from grader.batch import log_problem

    def finish(submission, result: SubmissionResult, folder: Path, key: str | None) -> None:
        if names and not submission.problem:
            try:
                write_sources(folder, result, names, key=key, path=Path(submission.path))
            except OSError as exc:  # the similarity check extracts it again
                log_problem(folder, f"{SOURCES_FILE} not written: {exc}")

    return finish


def _write_page_and_key(result: SubmissionResult, *, notebook_path: Path, folder: Path,
                        key: str | None, batch: Any, feedback_html: bool,
                        files: Mapping[str, list] | None = None) -> None:
    """The last steps of a submission: its feedback.html (a failure is logged in its folder,
    the grade stands), then its key, which vouches for every file of the folder (so none
    when the page could not be written for the machine's sake, a full disk: the next run
    grades the submission again and writes it; a renderer's bug would only fail again). ``files``:
    ``{name: [size, sha256]}`` of the files the worker wrote (``grader.batch.Done.files``),
    which the key takes as they are, with the page's, instead of reading them back."""
    from grader.batch import log_problem
    from grader.incremental import write_key

    written = dict(files or {})
    page_written = retry = False
    if feedback_html:
        try:
            from grader.feedback_html import write_feedback_html
        except ImportError as exc:
            log_problem(folder, f"feedback.html not written: grader.feedback_html is not "
                                f"available ({exc})")
        else:
            try:
                write_feedback_html(result, notebook_path=notebook_path,
                                    out_path=folder / "feedback.html", digests=written)
                page_written = True
            except OSError:  # a full disk, a folder made read-only: the next run tries again
                import traceback
                log_problem(folder, "feedback.html not written:\n" + traceback.format_exc(limit=8))
                retry = True
            except Exception:  # noqa: BLE001 - logged; the grade stands without the HTML
                import traceback
                log_problem(folder, "feedback.html not written:\n" + traceback.format_exc(limit=8))
    if not page_written:  # not wanted, or it failed: an earlier run's page shows an earlier
        # grading (another version of the notebook), and the key must not vouch for it
        (folder / "feedback.html").unlink(missing_ok=True)
    # A harness failure is our bug, and a page the disk had no room for leaves the folder
    # incomplete: neither is remembered, so the next run tries again.
    from grader.models import HARNESS

    if key is not None and result.status != HARNESS and not retry:
        try:
            write_key(folder, key, batch=batch, written=written, pages=feedback_html)
        except Exception:  # noqa: BLE001 - logged; without its key the submission is graded again
            import traceback
            log_problem(folder, traceback.format_exc(limit=8))


def _build_feedback_renderer() -> None:
    """Build ``feedback.html``'s renderer (its markdown parser, the sanitiser's import) before
    the first page; a failure is left to the page itself (logged per submission)."""
    try:
        from grader.feedback_html import default_renderer

        default_renderer()
    except Exception:  # noqa: BLE001 - an optimisation only
        pass


class _Pages:
    """feedback.html and then the key of each graded submission, written by the grading process.

    The grading process is idle while the workers grade, so the pages are rendered here: the
    renderer (0.2 s of CPU; 0.8-1.1 s while it imported nbconvert) is built in a thread
    started after the workers are forked, instead of before the fork with nothing else
    running, and the first results come that much sooner; one renderer's memo of cells also
    serves the whole class. Results wait in a queue (each is dropped once its page is written) and their pages
    are written one at a time while no worker waits for this process (``write_one``, the
    pool's ``on_idle``): the few dozen that arrive before the renderer is ready are not
    written in one go while the workers run out of submissions. A folder whose page is not
    yet written has no key, so a run killed meanwhile grades it again.
    """

    #: Results left waiting at most once the renderer is ready (``add`` writes the oldest beyond).
    MAX_QUEUED = 32

    def __init__(self, *, batch: Any, feedback_html: bool) -> None:
        """Nothing queued; ``start`` builds the renderer."""
        self._batch = batch
        self._feedback_html = feedback_html
        self._queue: collections.deque[tuple] = collections.deque()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start building the renderer in a thread (if pages are wanted and it is not started).
        A class run starts it at the first result: earlier, it would take CPU from the
        sandboxes' boot (and the interpreter's lock from the finding and hashing of the
        submissions), on which the first result waits; it is not needed before then."""
        if self._feedback_html and self._thread is None:
            self._thread = threading.Thread(target=_build_feedback_renderer,
                                            name="feedback-renderer", daemon=True)
            self._thread.start()

    def ready(self) -> bool:
        """True once the renderer is built (or none is needed): no thread of ours is running."""
        return self._thread is None or not self._thread.is_alive()

    def wait(self) -> None:
        """Wait until the renderer is built (before a fork: no thread may hold a lock then)."""
        if self._thread is not None:
            self._thread.join()

    def add(self, result: SubmissionResult, *, notebook_path: Path, folder: Path,
            key: str | None, files: Mapping[str, list] | None = None,
            then: Callable[[], None] | None = None) -> None:
        """Queue ``result``'s page and key (``files``: see ``_write_page_and_key``) for
        ``write_one`` or ``flush``; once the renderer is ready, write the oldest beyond
        ``MAX_QUEUED``. ``then`` is called once they are written (or failed): the
        student's unpacked zips are removed then, the page having read the notebook."""
        self._queue.append((result, notebook_path, folder, key, files, then))
        while len(self._queue) > self.MAX_QUEUED and self.ready():
            self._write(self._queue.popleft())

    def write_one(self) -> bool:
        """Write the oldest queued page and key if the renderer is ready; whether more are
        queued then (False while the renderer is being built: nothing can be written yet)."""
        if not self._queue or not self.ready():
            return False
        self._write(self._queue.popleft())
        return bool(self._queue)

    def flush(self) -> None:
        """Wait for the renderer, then write every queued page and key, in order."""
        self.start()
        self.wait()
        while self._queue:
            self._write(self._queue.popleft())

    def _write(self, queued: tuple) -> None:
        """The page and key of one queued result."""
        result, notebook_path, folder, key, files, then = queued
        try:
            _write_page_and_key(result, notebook_path=notebook_path, folder=folder, key=key,
                                batch=self._batch, feedback_html=self._feedback_html, files=files)
        finally:
            if then is not None:
                then()


def _prepare(out_dir: Path) -> Callable:
    """The worker-side step before a submission's files are rewritten: forget its old key."""
    from grader.incremental import clear_key

    def prepare(submission) -> None:
        folder = Path(out_dir) / submission.id
        clear_key(folder)
        # Temporary files of an atomic write cut short by a kill -9 of an earlier run.
        for stale in folder.glob(".*.tmp"):
            stale.unlink(missing_ok=True)
    return prepare


def _former_note(former: Sequence[str], *, out_dir: Path) -> str:
    """The line that names the folders of submissions no longer in the class (a withdrawn
    student, a notebook removed): never removed by the grader, since a run of one notebook into
    the class's output folder would take everyone else's results with it."""
    shown = ", ".join(former[:10]) + (f" and {len(former) - 10} more" if len(former) > 10 else "")
    return (f"Not among this run's submissions: {shown}. Their folders in {out_dir} hold an "
            f"earlier run's results, left out of {GRADEBOOK}, {CLASS_REPORT} and "
            f"{SIMILARITY_CSV} (a run of the whole class puts back those still in it); delete "
            f"the folders of students who withdrew before handing the folders back")


#: What a run interrupted after its grading (in the similarity check or the class report) says.
_INTERRUPTED_AFTER = ("\nInterrupted: every submission is graded and the gradebook written; "
                      "the next run writes the similarity check and the class report.\n")


def _earlier_class(submissions: Path, *, out_dir: Path, former: Sequence[str], batch: Any,
                   on_kept: Callable, graded: Sequence[str] = (), student: bool = False) -> Any:
    """The earlier gradebook's submissions a run of the one notebook ``submissions`` keeps
    (``grader.incremental.earlier_class``), or None when the run is of a folder or a zip (a
    submission no longer in it is a student who left), or ``out_dir`` holds no gradebook that
    lists any of ``former``. ``student``: ``submissions`` is one student's folder, or a notebook in
    it (``student_folder``), kept as a notebook is. Raises CommandError, before anything is graded,
    when they cannot be kept (another rubric or other fixtures; damaged results), saying what to do."""
    from grader.discover import is_zip_name, platform_name, readable_id
    from grader.files import spreadsheet_text
    from grader.incremental import EarlierClassError, earlier_class
    from grader.report import gradebook_submissions

    from grader.unfinished import earlier as earlier_file

    if is_zip_name(submissions.name) or not (listed := gradebook_submissions(earlier_file(out_dir, GRADEBOOK))):
        return None
    here = submissions.resolve() if submissions.is_dir() else submissions.resolve().parent
    named = platform_name(here.name)  # a Moodle student's folder, Jane Smith_4242_assignsubmission_file_
    folder = readable_id(named.id if named is not None and not named.original else here.name)
    strangers = graded and not any(spreadsheet_text(sid) in listed for sid in graded)
    if submissions.is_dir() and not student:
        if strangers and spreadsheet_text(folder) in listed:  # one student's folder, as a class
            raise CommandError(
                f"{submissions} is {folder!r}'s folder, a submission of {out_dir / GRADEBOOK}: graded "
                f"as a class of its own, its notebook would be a row {graded[0]!r} and the gradebook "
                f"would hold it alone. Grade the folder that holds it (python3 grade.py "
                f"{submissions.parent} --out {out_dir}): {folder} is graded again, the others are kept")
        return None
    if strangers and spreadsheet_text(folder) in listed:
        # A folder of folders' student (alice/rnn.ipynb): graded alone it is a row 'rnn' beside
        # alice's, without the files beside it in alice/ (an imdb_report.json).
        raise CommandError(
            f"{submissions} is in the folder {readable_id(here.name)}/, {folder!r}'s, a submission of "
            f"{out_dir / GRADEBOOK}: graded alone it would be a new row {graded[0]!r} beside "
            f"{folder!r}'s, without the other files of that folder. Grade the folder that holds it "
            f"again (python3 grade.py {submissions.parent.parent} --out {out_dir}): {folder} is "
            f"graded again, the others are kept as they are")
    try:
        earlier = earlier_class(out_dir, former, batch=batch, listed=listed, on_kept=on_kept)
    except EarlierClassError as exc:
        raise CommandError(
            f"{out_dir / GRADEBOOK} cannot take {submissions.name}: {exc}. Grade the whole class "
            f"again into {out_dir} (python3 grade.py SUBMISSIONS --out {out_dir}, with this notebook "
            f"among the submissions), or grade this notebook into a folder of its own "
            f"(--out ANOTHER_FOLDER)") from None
    if not earlier.keys:
        return None
    return replace(earlier, added=tuple(sid for sid in graded if spreadsheet_text(sid) not in listed))


def student_folder(submissions: Path, *, out_dir: Path) -> tuple[Path, Any] | None:
    """The class's folder and the submission a run of the whole class gives the student whose folder is ``submissions``
    (``SUBMISSIONS/alice/``, a Moodle student's ``Jane Smith_4242_assignsubmission_file_/``) or
    holds the notebook ``submissions`` (``SUBMISSIONS/alice/rnn.ipynb``), when the class's
    gradebook in ``out_dir`` lists that student; else None. Graded alone, the folder was a class of
    its own (a row ``rnn``, the gradebook holding it alone) and the notebook a new row without the
    files beside it: both were refused until the thirty-second session, and the only regrade of a
    folder of folders' student was a run of the whole class folder. The class folder itself is
    read for that student's entries only (``find_submissions(near=...)``)."""
    from grader.discover import (DiscoveryError, find_submissions, is_zip_name, platform_name, portable_id,
                                 readable_id)
    from grader.files import spreadsheet_text
    from grader.report import gradebook_submissions

    from grader.unfinished import earlier

    submissions = Path(submissions)
    if (is_zip_name(submissions.name) or not submissions.exists()
            or not earlier(out_dir, GRADEBOOK).is_file()):
        return None
    here = submissions.resolve() if submissions.is_dir() else submissions.resolve().parent
    named = platform_name(here.name)
    moodle = named is not None and not named.original
    sid = portable_id(readable_id(named.id if moodle else here.name))  # as find_submissions gives it
    listed = gradebook_submissions(earlier(out_dir, GRADEBOOK))
    # ada/ beside Ada/ (or beside ada.ipynb) is ada~folder (grader.discover.folded_id)
    rows = {spreadsheet_text(sid), spreadsheet_text(f"{sid}~folder")}
    if not listed or here.parent == here or not rows & set(listed):
        return None
    try:
        own = find_submissions(submissions, defer=True)
        if any(sub.id != sid and spreadsheet_text(sub.id) in listed for sub in own):
            return None  # rows of their own: the class's folder (named as one of its students)
        found = find_submissions(here.parent, defer=True, near=sid)
    except DiscoveryError:
        return None
    for sub in found:  # alice/ beside alice.ipynb is alice~folder
        if sub.id in (sid, f"{sid}~folder") and spreadsheet_text(sub.id) in listed and (
                moodle or Path(sub.path).resolve().is_relative_to(here)):
            return here.parent, sub
    return None


def _student_folder_note(submissions: Path, sub: Any) -> str:
    """What a run of one student's folder (or a notebook in it) says it grades."""
    folder = submissions if submissions.is_dir() else submissions.parent
    return (f"Grading {sub.id} as the class run does: their folder {folder}, with every file in it "
            f"(and, for Moodle, their other folders of the download)")


def _earlier_class_note(earlier: Any, *, out_dir: Path, similarity: bool = True) -> str:
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


def _hold_output(out_dir: Path, *, sources: Sequence[Path], stack: contextlib.ExitStack,
                 stream: TextIO) -> int | None:
    """Hold ``out_dir``'s lock (``grader.outputlock.output_lock``) until ``stack`` closes, and
    return its descriptor (for the workers to close: None without a lock); a CommandError,
    before anything is read or graded, when another run holds it. Not in the
    submissions folder (an ``--out`` around it, refused later with its own message): nothing is
    written among the students' files."""
    from grader.outputlock import OutputBusy, output_lock

    with contextlib.suppress(OSError):
        if any(source.resolve().is_relative_to(out_dir.resolve()) for source in sources):
            return None
    try:
        return stack.enter_context(output_lock(out_dir, on_wait=_line_to(stream),
                                               on_unlocked=_line_to(stream)))
    except OutputBusy as exc:
        raise CommandError(str(exc)) from None


def _line_to(stream: TextIO) -> Callable[[str], None]:
    """What writes a line of the run's to ``stream``."""
    return lambda line: stream.write(line + "\n")


def _usable_out_dir(out_dir: Path) -> None:
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


def _write_upload_files(matched: Any, *, book: Any, adjustments: Mapping | None, out_dir: Path,
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
            _remove_earlier(out_dir / name, stream=stream, keep_previous=keep_previous,
                            why="this run's roster gives none (docs/instructors.md, \"Into Canvas or Moodle\")")
    if upload is None:
        return ""
    if written:
        write_atomic(out_dir / written, upload.text)
    notes.append(upload.note(out_dir / upload.name))
    return notes[-1]


def _remove_stale_temporaries(out_dir: Path) -> None:
    """Remove the temporary files (``grader.files.write_atomic``'s ``.<name>.<pid>.<thread>.tmp``)
    that a run killed while it wrote ``grades.csv``, ``report.html``, ``similarity.csv`` or the
    similarity store left in ``out_dir`` and its ``.cache``: their names hold the dead run's
    pid, so no later run wrote over them, and a class report's stayed for good (a student's
    folder is cleaned when that student is graded again, ``_prepare``). Called holding the
    folder's lock only: no live run writes there then."""
    for folder in (out_dir, out_dir / ".cache"):
        with contextlib.suppress(OSError):
            for stale in folder.glob(".*.tmp"):
                with contextlib.suppress(OSError):
                    if stale.is_file() and not stale.is_symlink():
                        stale.unlink()


def _remove_earlier(path: Path, *, stream: TextIO, why: str, keep_previous: bool = False) -> None:
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


def _write_class_report(results: Sequence[SubmissionResult], *, rubric: Rubric, out_dir: Path,
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


def _pause_collector() -> Callable[..., None]:
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
def _stops_say_what_is_left(out_dir: Path, *, stream: TextIO):
    """Within the block (from the class files set aside until this run's are written), a run
    that stops says what the folder holds and what to run next (``grader.unfinished.stopped``):
    Ctrl-C where the run does not catch it (while it writes the gradebook) in the message
    ``grade.py: interrupted`` ends with, a crash after its traceback (its note), a ``CommandError``
    at its message's end. A full disk is ``_full_disk_stops``'s, which says it in its own words."""
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
def _full_disk_stops(out_dir: Path, *, todo: Sequence[str] = ()):
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


def grade_class(submissions: Path | Sequence[Path], *, out_dir: Path = DEFAULT_OUT, rubric: Path = DEFAULT_RUBRIC,
                jobs: int | None = None, force: bool = False, similarity: bool | None = None,
                template: Path | None = None, known: Path | None = None,
                feedback_html: bool = True, class_report: bool = True,
                roster: Path | bool | None = None, excel: bool | None = None,
                adjust: Path | bool | None = None,
                progress_bar: bool | None = None, stream: TextIO | None = None) -> ClassSummary:
    """Grade every submission under ``submissions`` (a folder, a notebook or a zip, or several
    folders and zips, ``_sources``: two sections' downloads, one gradebook) into ``out_dir``.

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
    (``_start_zygotes``, before NumPy's import): their boot runs beside this process's
    imports and fixtures. The workers are forked once the
    rubric and fixtures are loaded, each adopting a zygote; each
    writes a submission's files but its feedback.html and sends back what this
    process reads of the record (``grader.batch.Done``, ``grader.report.page_record``)
    and the digests of its files, from which this process writes feedback.html
    and then the key (``_Pages``, its renderer built in a thread from the first
    result on) and updates the gradebook and the class report: no result or file is
    read back, and memory does not grow with the class.
    """
    stream = stream or sys.stderr
    started = time.perf_counter()
    sources = _sources(submissions)
    submissions = sources[0]  # of several, the first: every use of it below asks len(sources) first
    several = len(sources) > 1
    early = contextlib.ExitStack()
    wanted = jobs or os.cpu_count() or 1
    out_dir = Path(out_dir)
    resume_collector = _pause_collector()
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
        options, on_purpose = _class_options(out_dir, stream=stream, roster=roster, adjust=adjust, excel=excel,
                                             template=template, known=known, similarity=similarity)
        roster, adjust, excel = options.roster, options.adjust, options.excel
        template, known, similarity = options.template, options.known, options.similarity
        # A roster that cannot be used stops the run before anything starts, named with its line.
        class_roster = _load_roster(Path(roster)) if roster is not None else None
        adjustments = _load_adjustments(Path(adjust)) if adjust is not None else None
        # The workers' zygotes boot (Python, NumPy, the child runtime) while this process
        # imports the rest of the grader and loads the rubric and fixtures.
        zygotes = [] if several else _start_zygotes(Path(submissions), out_dir=out_dir, wanted=wanted,
                                                    force=force, stack=early)
        from grader.files import UNPACK_PREFIX, run_folder
        from grader.runner import answer_layouts, argument_layouts

        # The rubric and fixtures, then at once the zygotes' configuration, so that they set
        # themselves up while this process loads the rest (the bonus's configuration, the
        # batch's key, the workers' modules) and forks the workers.
        context = load_context(Path(rubric), fixture_cache=True, bonus=False)
        # The students' zips are unpacked here, each at its turn (``StudentTurns``), the
        # grader's own place, hidden from every child; locked while this run lives, so that a
        # later run removes it if this one is killed (``_sweep_unpack_folders``).
        lock = _hold_output(out_dir, sources=sources, stack=early,  # one run at a time into it
                            stream=stream)
        unpack_dir = early.enter_context(run_folder(UNPACK_PREFIX))
        # One student of a folder of folders (SUBMISSIONS/alice/, or its notebook) graded again
        # into the class's output folder: graded as the class run grades them, the class's folder
        # hidden from the children as in that run.
        one_student = None if several else student_folder(Path(submissions), out_dir=out_dir)
        hidden = [one_student[0]] if one_student is not None else sources
        reads = (Path(rubric), roster, known)
        sandbox_options = {"protected_paths": _protected_paths(*hidden, out_dir=out_dir,
                                                               also=(unpack_dir,), reads=reads),
                           "layouts": answer_layouts(context),
                           "arg_layouts": argument_layouts(context)}
        for zygote in zygotes:  # only a folder's run starts them: the folder is what is graded
            configure_zygote(zygote, **sandbox_options)
        # The fixtures' digest keys every result: taken as soon as the zygotes have their work (a
        # regenerate later in the start-up, while the submissions were opened, gave grades made with
        # the old fixtures the new ones' key, and no run graded them again).
        fixtures = _fixtures_digest(context.rubric)
        _sweep_unpack_folders(stream)  # while the zygotes set themselves up
        context = with_bonus(context)
        from grader.batch import HOOK_ERRORS, BatchInterrupted, WorkerPool
        from grader.choice import ONE_OF_SEVERAL, chosen, graded_functions
        from grader.incremental import (batch_key, former_submissions, has_keys, partition,
                                        regraded_because, submission_key)
        from grader.models import HARNESS
        from grader.progress import Progress
        from grader.report import SCORE_CHANGES, Gradebook, gradebook_scores
        from grader.unfinished import earlier as earlier_file
        from grader.unfinished import finished, set_aside, still_aside
        from grader.classoptions import remember
    except BaseException:
        early.close()
        resume_collector(freeze=False)
        raise
    resume_collector(freeze=True)
    with contextlib.ExitStack() as stack:
        todo_ids: list[str] = []  # for the full disk's message: filled in once known
        stack.enter_context(_full_disk_stops(out_dir, todo=todo_ids))  # first in, so last out: workers stopped
        # Put back last, whatever the way out: a pool of forked workers unfreezes when it closes,
        # but a run with one job, or one that ends before its pool, would keep the start-up
        # frozen in this process for good (a caller that grades several classes).
        stack.callback(gc.unfreeze)
        stack.enter_context(early)
        roots = [stack.enter_context(opened_submissions(source, stream=stream, nested=False)) for source in sources]
        if template and not Path(template).is_file():
            raise CommandError(f"{template}: no such template notebook")
        if known and (problem := known_problem(Path(known))):
            raise CommandError(problem)
        batch = batch_key(context.rubric, fixtures_digest=fixtures,
                          options="")  # feedback.html wanted or not: the key file's PAGES
        # A zip is graded from the folder it is extracted to (the zygotes, started only for a
        # folder, were configured above with the folder itself).
        sandbox_options["protected_paths"] = _protected_paths(*(hidden if one_student is not None else roots),
                                                              out_dir=out_dir, also=(unpack_dir,), reads=reads)
        # feedback.html pages and the keys after them are written here (``_Pages``), the
        # rest of each submission's files by the workers.
        pages: list = []
        pool_options = dict(
            context=context, out_dir=out_dir, sandbox_options=sandbox_options,
            prepare=_prepare(out_dir),
            finish=_finisher(names=graded_functions(context.rubric) if similarity else ()),
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
            pages.append(_Pages(batch=batch, feedback_html=feedback_html))
            return pool

        pool = None
        if force or not has_keys(out_dir):  # most likely everything is to grade: start now
            pool = start_pool(min(wanted, sum(map(_entries, roots))))

        # An output folder inside the submissions folder is not a submission.
        out_real = out_dir.resolve()
        real = _RealPaths()
        # Several notebooks, one holding the work (an Untitled.ipynb beside it): that one is graded,
        # chosen by the worker at the student's turn (grader.choice); this process reads none.
        found = [one_student[1]] if one_student is not None else _find_in(roots, sources=sources)
        if one_student is not None:
            stream.write(_student_folder_note(Path(submissions), one_student[1]) + "\n")
        subs = [sub for sub in found if not real(Path(sub.path)).is_relative_to(out_real)]
        if found and not subs and any(real(one).is_relative_to(out_real) for one in roots):
            # `--out SUBMISSIONS` (or a folder around it) said "no submissions found" of a full folder.
            raise CommandError(f"{out_dir}: the output folder holds the submissions folder {_shown_sources(sources)} "
                               f"(its {len(found)} submission(s) would be taken for the grader's output); "
                               f"give --out another folder, such as grading-output")
        if not subs:
            raise CommandError(f"{_shown_sources(sources)}: no submissions found besides the output folder")
        starter = read_template(Path(template)) if template and similarity else None
        if starter is not None and not starter.sources:
            raise CommandError(starter.no_function(Path(template)))
        _usable_out_dir(out_dir)
        if lock is not None:  # no other run writes here: a killed one's temporary files are stale
            _remove_stale_temporaries(out_dir)
        # Every key now, while the workers wait for their zygotes' set-up: hashed on demand as
        # submissions were handed out (the eighteenth session), the same CPU fell in the grading
        # phase, where both cores are busy, and N = 400 took longer in 3 of 3 rounds in turns.
        keys = {sub.id: submission_key(sub, batch=batch) for sub in subs}
        by_id = {sub.id: sub for sub in subs}
        opened = _TurnsOpener(dest=unpack_dir, keys=keys)
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
        # One notebook into the class's output folder (a regrade, a late resubmission): the
        # earlier gradebook's other submissions are kept as graded, not dropped from it.
        earlier = (_earlier_class(Path(submissions), out_dir=out_dir, former=former, batch=batch,
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
        stream.write(f"Grading {len(todo)} of {total} submission(s) with {context.rubric.name} "
                     f"({context.rubric.max_points:g} points) into {out_dir}\n")
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
            notes.append(_earlier_class_note(earlier, out_dir=out_dir, similarity=similarity))
            stream.write(notes[-1] + "\n")
        everyone_subs = subs + list(earlier.submissions) if earlier is not None else subs
        matched = class_roster.match(everyone_subs, earlier=former) if class_roster is not None else None
        if matched is not None and (changed := spreadsheet_ids_note(matched)):
            notes.append(changed)
            stream.write(changed + "\n")
        if former:
            notes.append(_former_note(former, out_dir=out_dir))
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
        stack.enter_context(_stops_say_what_is_left(out_dir, stream=stream))
        interrupted = False
        done_list = []
        with Progress(len(todo), stream=stream, bar=progress_bar) as progress, \
                _sigterm_as_interrupt():
            def on_note(note: str) -> None:
                progress.note(f"Sandbox: {note}")

            def on_done(done) -> None:
                """One result in: progress line, gradebook, class report, its page and key queued
                (``_Pages``, written while no worker waits for this process). The
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
        dropped = _gradebook_options_dropped(before, roster=matched is not None or "roster" in on_purpose,
                                             excel=excel or "excel" in on_purpose,
                                             adjust=adjustments is not None or "adjust" in on_purpose)
        adjusted_before = _ADJUSTED_HEADER in _gradebook_head(before).split(b"\n", 1)[0]
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
        upload_note = _write_upload_files(matched, book=book, adjustments=by_cell, out_dir=out_dir,
                                          notes=notes, stream=stream, keep_previous=partial,
                                          unchosen=unchosen)
        # Every changed score, the largest loss first: a rubric edit's preview, graded into a copy.
        listed = book.write_changes(out_dir, earlier_scores, by_cell, bom=excel) if earlier_scores else None
        changes = book.changes_from(earlier_scores, by_cell, listed=listed) if earlier_scores else ""
        if because and earlier_scores and not changes:  # its first lines promised this run's end says
            changes = NO_SCORE_CHANGED
        if listed is None:
            _remove_earlier(out_dir / SCORE_CHANGES, stream=stream, why="this run changed no score",
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
        flagged = 0
        try:
            with _sigterm_as_interrupt():
                if similarity and not interrupted:
                    try:
                        report, sources, known_sources = run_similarity(
                            [graded_ones.get(sub.id, sub) for sub in everyone_subs], rubric=context.rubric, out_dir=out_dir, template=template,
                            known=known, stream=stream, keys=keys, workers=wanted,
                            template_work=starter, unpacked=opened.reading)
                        flagged = len(report.flagged)
                    except CommandError:
                        raise
                    except Exception as exc:  # noqa: BLE001 - grades stand without the check
                        stream.write(f"Similarity check failed: {type(exc).__name__}: {exc}\n")
                        notes.append(f"The similarity check failed: {type(exc).__name__}: {exc}")
        except KeyboardInterrupt:  # the gradebook is written: the check is what is lost
            interrupted, report, flagged = True, None, 0
            stream.write(_INTERRUPTED_AFTER)
        if report is None:  # an earlier run's pairs would read as this class's
            _remove_earlier(out_dir / SIMILARITY_CSV, stream=stream, keep_previous=partial,
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
                    report_path = _write_class_report(
                        (), rubric=context.rubric, out_dir=out_dir, similarity=report,
                        notes=notes, stream=stream, sources=sources,
                        known_sources=known_sources, stats=stats, roster_notes=said_of_roster)
        except KeyboardInterrupt:
            interrupted, report_path = True, None
            stream.write(_INTERRUPTED_AFTER)
        if report_path is None:  # an earlier run's report would read as this run's
            _remove_earlier(out_dir / CLASS_REPORT, stream=stream, keep_previous=partial,
                            why="the class report was not written this time")
        if earlier_file(out_dir, SUMMARY_REPORT).exists():  # made from an earlier run's results
            _remove_earlier(out_dir / SUMMARY_REPORT, stream=stream, keep_previous=partial,
                            why=f"its figures may not be this run's (python3 -m grader.classreport "
                                f"{out_dir} writes it again)")
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
        adjusted_scores=_adjusted_scores(stats.graded, book=book, adjustments=by_cell),
        max_score=max((r.max_points for r in everyone), default=context.rubric.max_points),
        seconds=time.perf_counter() - started, out_dir=out_dir,
        total=total + (len(earlier.keys) if earlier is not None else 0),
        skipped=len(kept), earlier_kept=len(earlier.keys) if earlier is not None else 0, interrupted=interrupted,
        not_graded=not_graded, report_problems=problems,
        flagged_pairs=flagged, class_report=report_path, former=former, score_changes=changes,
        upload_note=upload_note,
        **_roster_counts(matched))
    _print_summary(summary, stream=stream, similarity_ran=report is not None)
    return summary




def _sweep_unpack_folders(stream: TextIO) -> None:
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


class _TurnsOpener:
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


def _protected_paths(*roots: Path, out_dir: Path, also: Sequence[Path] = (),
                     reads: Sequence[Path | None] = ()) -> list[Path]:
    """What no child may see in a class run graded from ``roots`` (folders, or a notebook) into
    ``out_dir``: the reference, the rubrics and their fixtures, the output, the folders ``also``
    names (where the students' zips are unpacked), the files and folders of ``reads`` (the
    rubric, the roster, the known solutions: ``protected_inputs``), and the submissions' folder: other
    students' work is none of a child's business. A folder that holds the grader itself (``grade.py .``
    from the repository, a class folder the grader was put in) is hidden whole as any other: the
    zygote covers it and binds back, read-only, what it reads there (the grader's package, a
    virtual environment; ``_child._cover``), and Landlock's rules leave it out but for those.
    Until the thirtieth session its entries were listed here one by one, so that an entry added
    after the start (a late upload copied in) was open to every child where Landlock is absent.
    A folder that holds the system's own (``/``, ``/usr``) or is the interpreter's is refused.

    ``out_dir`` and the folders of ``also`` are made here when missing: a mount hides only what
    exists, and the zygotes are given these paths before the run makes its output folder, so
    where Landlock is absent (a kernel before 5.13) a first run into a new folder left it open to
    every child, a later student's function reading the feedback written for those before it."""
    root_dirs = []
    for root in roots:  # several: the folders (or zips) of a run of several sources, each hidden
        root_dir = Path(root).resolve() if Path(root).is_dir() else Path(root).resolve().parent
        holds_grader = REPO.is_relative_to(root_dir)
        runtime = _runtime_paths() if holds_grader else frozenset()
        if holds_grader and (root_dir in runtime
                             or any(Path(top).is_relative_to(root_dir) for top in _SYSTEM_FOLDERS)):
            if not Path(root).exists():  # ``grade.py /subs``, a typo, was told its parent / holds the system's
                raise CommandError(f"{root}: no such file or folder")
            raise CommandError(f"{root}: this folder holds the grader's own Python or the system's "
                               f"folders, which the sandbox cannot hide from students' code; put the "
                               f"notebooks in a folder of their own and grade that folder")
        root_dirs.append(root_dir)
    for folder in (out_dir, *also):
        with contextlib.suppress(OSError):  # the run says why it cannot write there (``_usable_out_dir``)
            Path(folder).mkdir(parents=True, exist_ok=True)
    return list(dict.fromkeys([REPO / "solution", REPO / "rubrics", out_dir.resolve(),
                               *(Path(folder).resolve() for folder in also), *protected_inputs(reads), *root_dirs,
                               *_temporary_folder(), *_log_files()]))


def _log_files() -> list[Path]:
    """The files this process's stdout and stderr write to, where they are files: the run's log an
    instructor redirected (``grade.py class/ > logs/run.log``), which names every student graded
    so far with their score. Until the thirty-second session a child read it where Landlock is
    absent and the log's folder was open to others. Found through ``/proc/self/fd`` (a class run
    needs Linux); where they are pipes, the files the pipes' readers write (``| tee run.log``,
    ``_piped_logs``; until the thirty-third session such a log was open as the other was)."""
    import stat

    found, pipes = [], set()
    for fd in (1, 2):
        try:
            mode = os.fstat(fd).st_mode
            if stat.S_ISREG(mode):
                found.append(Path(os.readlink(f"/proc/self/fd/{fd}")))
            elif stat.S_ISFIFO(mode):
                pipes.add(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            continue
    return found + (_piped_logs(pipes) if pipes else [])


def _piped_logs(pipes: set[str]) -> list[Path]:
    """The regular files open for writing in the other processes that hold one of ``pipes``
    (``"pipe:[12345]"``, as ``/proc/PID/fd`` links name them): ``tee``'s log at the end of
    ``grade.py ... | tee run.log``. Read from ``/proc`` (each process's descriptors: a few
    milliseconds once a run); a process this one may not inspect (another user's, without root) is
    passed over."""
    import stat

    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            links = {fd.name: os.readlink(fd.path) for fd in os.scandir(f"/proc/{entry.name}/fd")}
        except OSError:
            continue
        if not pipes & set(links.values()):
            continue
        for fd, target in links.items():
            try:
                with open(f"/proc/{entry.name}/fdinfo/{fd}", encoding="ascii") as info:
                    flags = next((int(line.split()[1], 8) for line in info if line.startswith("flags:")), 0)
                if flags & os.O_ACCMODE in (os.O_WRONLY, os.O_RDWR) and target.startswith("/") \
                        and stat.S_ISREG(os.stat(target).st_mode):
                    found.append(Path(target))
            except (OSError, ValueError):
                continue
    return found


def _temporary_folder() -> list[Path]:
    """The temporary directory (``TMPDIR``), where this run's folders and other runs' are, as a
    protected path, unless it holds the system's folders (``TMPDIR=/``). As root a zygote covers
    ``/tmp`` and ``/var/tmp`` anyway; until the thirty-first session a ``TMPDIR`` elsewhere
    (``/scratch``) was open where Landlock is absent: a child listed the runs' folders there and
    read what others may read (another program's temporary files)."""
    import tempfile

    folder = Path(tempfile.gettempdir()).resolve()
    if any(Path(top).is_relative_to(folder) for top in _SYSTEM_FOLDERS):
        return []
    return [folder]


def protected_inputs(reads: Sequence[Path | None]) -> list[Path]:
    """What of ``reads`` (a rubric YAML, a roster, known solutions; None: not given) a child must
    not see: each as it is, but a rubric as its folder, where its fixtures and caches are (the
    repository's ``rubrics/``), or, in a folder holding the grader or the system's own
    (``./rnn.yaml`` beside ``grade.py``, ``/etc/rnn.yaml``), as the YAML, its ``fixtures/`` and its
    cache. Until the thirtieth session only the repository's
    ``rubrics/`` was hidden: a course's own rubric's hidden fixtures, the class list and earlier
    years' solutions were open to every child where Landlock is absent."""
    from grader.files import SEALED_CACHE_DIR

    found: list[Path] = []
    for path in reads:
        if path is None:
            continue
        path = Path(path).resolve()
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            found.append(path)
        elif REPO.is_relative_to(path.parent) or any(Path(top).is_relative_to(path.parent) for top in _SYSTEM_FOLDERS):
            found += [path, path.parent / "fixtures", path.parent / SEALED_CACHE_DIR]
        else:
            found.append(path.parent)
    return found


#: What every child reads of the system (the libraries NumPy loads, ``/dev/urandom``, ``/proc``):
#: a submissions folder that holds one of them is refused (``_protected_paths``). ``/tmp`` is not
#: among them: a grader cloned under ``/tmp`` grading a notebook in ``/tmp`` itself has the folder's
#: other entries hidden, as any folder holding the grader (``tests/test_lead_s25.py``).
_SYSTEM_FOLDERS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/dev", "/proc", "/sys",
                   "/var")


def _runtime_paths() -> frozenset[Path]:
    """The folders the zygote and its children read that may lie in a folder holding the grader:
    the grader's package, the interpreter's prefixes (a virtual environment in the repository's
    ``.venv``) and the folder NumPy is installed in, resolved."""
    import importlib.util

    paths = {REPO / "grader", *(Path(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix))}
    spec = importlib.util.find_spec("numpy")
    if spec is not None and spec.origin:
        paths.add(Path(spec.origin).parent.parent)
    return frozenset(path.resolve() for path in paths)


class _RealPaths:
    """``Path.resolve`` for many files of few folders: each folder is resolved once (a
    resolve costs an ``lstat`` per component of the path), each file checked for being a
    link itself; a link is resolved in full."""

    def __init__(self) -> None:
        """An empty memo of resolved folders."""
        self._folders: dict[Path, Path] = {}
        self._cwd = Path.cwd()

    def __call__(self, path: Path) -> Path:
        """What ``path.resolve()`` gives."""
        path = self._cwd / path  # unchanged when absolute
        if path.is_symlink() or path.name in ("", ".", ".."):
            return path.resolve()
        parent = path.parent
        folder = self._folders.get(parent)
        if folder is None:
            folder = self._folders[parent] = parent.resolve()
        return folder / path.name


def _start_zygotes(submissions: Path, *, out_dir: Path, wanted: int, force: bool,
                   stack: contextlib.ExitStack) -> list:
    """The zygotes (``grader.zygote.start_zygotes``) of the workers ``grade_class`` starts at once,
    started now, before this process imports the rest of the grader and loads the rubric and
    fixtures, or none: started only when the pool will be at once (a folder of submissions with
    everything to grade). The pool takes them out of the list and reaps them; those left in it
    when ``stack`` closes are stopped."""
    from grader import zygote

    if not submissions.is_dir():
        return []
    if not force:
        from grader.incremental import has_keys  # (imported after the zygotes' start otherwise)

        if has_keys(out_dir):
            return []
    started: list = []

    def stop_left() -> None:
        """Stop the zygotes no pool took."""
        while started:
            started.pop().stop()
    stack.callback(stop_left)
    try:
        # One interpreter's boot for all of them (the first forks its twins): fewer processes
        # share the cores with this one's imports.
        started.extend(zygote.start_zygotes(min(wanted, _entries(submissions))))
    except OSError:
        stop_left()  # the pool starts its own
    return started


def _entries(root: Path) -> int:
    """How many submissions ``root`` may hold at most, cheaply (entries of a folder; 1 for a file)."""
    try:
        return max(1, sum(1 for _ in os.scandir(root))) if Path(root).is_dir() else 1
    except OSError:
        return 1


def _gradebook_head(path: Path) -> bytes:
    """The first 64 KiB of the earlier ``grades.csv`` at ``path``; b"" when there is none."""
    try:
        with open(path, "rb") as handle:
            return handle.read(65536)
    except OSError:  # none yet (or unreadable): nothing was dropped that we can tell
        return b""


#: What the header of a gradebook written with ``--adjust`` holds.
_ADJUSTED_HEADER = b",adjustment,adjustment_reason"


def _class_options(out_dir: Path, *, stream: TextIO, **given: Path | bool | None) -> tuple:
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


def _gradebook_options_dropped(path: Path, *, roster: bool, excel: bool, adjust: bool = False) -> str:
    """What an earlier ``grades.csv`` had that this run's will not (lines to print, or ""): the
    roster's columns and students (``--roster``), Excel's byte-order mark (``--excel``). Said where
    the folder remembers no options (``grader.classoptions``: a gradebook of an older grader): a
    re-run for two late submissions without them silently dropped the students with no submission
    from the gradebook the TA uploads."""
    head = _gradebook_head(path)
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
    if not adjust and _ADJUSTED_HEADER in header:
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


def _adjusted_scores(graded: Sequence[Any], *, book: Any, adjustments: Mapping | None) -> tuple[float, ...]:
    """The scores of the ``graded`` results as ``book`` (the gradebook) writes them with the points by
    hand ``adjustments``, () when these change none (``ClassSummary.adjusted_scores``)."""
    if not adjustments:
        return ()
    given = book.scores_given(adjustments)
    adjusted = tuple(given.get(r.submission_id, r.points) for r in graded)
    return adjusted if adjusted != tuple(r.points for r in graded) else ()


def _print_summary(summary: ClassSummary, *, stream: TextIO, similarity_ran: bool) -> None:
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
        stream.write(f"Several notebooks in one submission, none graded (each one's feedback names them; "
                     f"leave the one to grade in the student's files and run again): "
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
    stream.write(f"Gradebook: {out / 'grades.csv'}\n")
    if summary.upload_note:  # the file to upload, beside the gradebook it was made from
        stream.write(summary.upload_note + "\n")
    if summary.class_report:
        stream.write(f"Class report: {summary.class_report}\n")


# --------------------------------------------------------------------------- roster

_NO_SUBMISSION = "no submission"  # grader.report.NO_SUBMISSION (not imported before the fork)
_NOT_IN_THIS_RUN = "not in this run"  # grader.report.NOT_IN_THIS_RUN
_SEVERAL = "several submissions"  # grader.report.SEVERAL_SUBMISSIONS
_NOT_GRADED_YET = "not graded yet"  # grader.report.NOT_GRADED_YET


def _load_adjustments(path: Path) -> Any:
    """``grader.adjustments.load_adjustments``, its error a ``CommandError``."""
    from grader.adjustments import AdjustmentError, load_adjustments

    try:
        return load_adjustments(path)
    except AdjustmentError as exc:
        raise CommandError(str(exc)) from None


def _load_roster(path: Path) -> Any:
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


def roster_notes(matched: Any) -> list[str]:
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
        notes.append(_earlier_note(matched))
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


def _earlier_note(matched: Any) -> str:
    """What the run says of the roster's students it did not grade but an earlier run did."""
    from grader.discover import readable_id

    return (f"{len(matched.earlier)} not in this run but graded by an earlier one into the output "
            f"folder (in {GRADEBOOK} without a score, status '{_NOT_IN_THIS_RUN}': grade the whole "
            f"class to have their scores): {', '.join(readable_id(rid) for rid in matched.earlier)}.")


def _roster_counts(matched: Any) -> dict:
    """``ClassSummary``'s roster fields for ``matched`` (none without a roster)."""
    if matched is None:
        return {}
    from grader.discover import readable_id

    return {"roster_size": len(matched.roster.students), "roster_staff": len(matched.roster.staff),
            "no_submission": tuple(readable_id(s.id) for s in matched.missing()),
            "earlier_only": _earlier_note(matched) if matched.earlier else "",
            "not_on_roster": matched.unlisted,
            "several_submissions": tuple(f"{readable_id(rid)}: {', '.join(sids)}"
                                         for rid, sids in matched.several().items())}


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
        f"Student kit written to {path} (version {written.version if written else '?'}, which its self-check "
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
