"""Finding the submissions in what an instructor hands to ``grade.py``.

A folder may hold notebooks (or ``.py`` files) directly, whose id is the file's
stem, and sub-folders holding one notebook each, whose id is the folder's name;
the other files of such a folder belong to that submission (for example an
``imdb_report.json``).

Names given by learning platforms' bulk downloads are recognised, and every
entry of the same student is gathered into one submission:

- Canvas ("Download Submissions"): flat files named
  ``<name>_<user id>_<attachment id>_<original file name>``, with ``LATE``
  inserted after the name for late work (``smithjane_LATE_12345_67890_rnn.ipynb``);
  the id is ``<name>_<user id>`` (``smithjane_12345``).
- Moodle ("Download all submissions"): folders named
  ``<Full Name>_<participant id>_assignsubmission_<plugin>_`` (or, with
  "download in folders" off, files with that prefix before the original file
  name); the id is ``<Full Name>_<participant id>``.

A zip among a student's files (a Moodle folder holding ``work.zip``, a Canvas flat file
``smithbob_340934_208490284_work.zip``, a plain ``alice.zip``) is that student's work too:
given an ``unpack`` (``grader.archive.StudentZips``), ``find_submissions`` has it unpacked
into the grader's own temporary folder, never beside the student's files; with ``defer`` (a
class run), it is left packed until that student's turn (``grader.archive.StudentTurns``).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping, Sequence

SUBMISSION_SUFFIXES = (".ipynb", ".py")
IGNORED_DIRS = {".ipynb_checkpoints", "__pycache__", "__MACOSX", ".git"}
_IGNORED_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}
#: Bytes read of each file beside a notebook (an IMDB report is a few kB; a data set beside it
#: may be GB): the only bytes that can change a grade, so the only ones the incremental key hashes.
EXTRA_FILE_BYTES = 1 * 2**20
#: Files beside a notebook read at most (the shallowest first, then by name): a folder that holds
#: a whole virtual environment must not cost a worker a MiB per file.
MAX_EXTRA_FILES = 64
#: The files beside a notebook that grading reads by name (the IMDB bonus's report files,
#: ``grader.imdb.claims``): read first, wherever they are, so that no other file pushes them
#: out of the ``MAX_EXTRA_FILES`` read.
REPORT_FILES = ("imdb_report.json", "imdb_report.yaml", "imdb_report.yml")

# Canvas: the name part is the student's sortable name squeezed to letters and digits.
_CANVAS = re.compile(r"^(?P<name>[^_\s]+?)(?:_(?:LATE|late))?_(?P<user>\d+)_(?P<attachment>\d+)"
                     r"(?:_(?P<original>.+))?$")
# Moodle: "Full Name_12345_assignsubmission_file_" (+ the original name when flat).
_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<participant>\d+)_assign(?:submission|feedback)_"
                     r"(?P<plugin>[a-z]+)_(?P<original>.*)$")


@dataclass(frozen=True)
class Submission:
    """One student's work: the file graded, the files beside it, or why it cannot be graded."""

    id: str
    path: Path  # the notebook or .py file; for an unusable folder, the folder itself
    extra_files: Mapping[str, Path] = field(default_factory=lambda: MappingProxyType({}))
    problem: str = ""  # set when the folder cannot be graded as it is (no or several notebooks)
    #: What the grader did with the student's files before grading (the zips it unpacked, the
    #: members it left out): said in their feedback, and part of the incremental key.
    notes: tuple[str, ...] = ()
    #: The student's files, zips among them, not unpacked yet (``find_submissions(...,
    #: defer=True)``): ``path`` is then their folder (or zip), and ``unpacked_submission`` gives
    #: the submission to grade when the student's turn comes. Unpacked at discovery, every
    #: student's zips were on the disk at once, under one class allowance that four students'
    #: 1 GiB zips used up, and every later student's zip was refused (twenty-third session).
    packed: Mapping[str, Path] = field(default_factory=lambda: MappingProxyType({}))

    def graded_extra_files(self) -> list[tuple[str, Path]]:
        """``(name, path)`` of the files beside the notebook that grading reads: the
        ``MAX_EXTRA_FILES`` first of the report files (``REPORT_FILES``), then the others, each
        the shallowest first, then by name."""
        names = sorted(self.extra_files, key=lambda name: (  # as grader.imdb.score reads names
            name.replace("\\", "/").rsplit("/", 1)[-1].lower() not in REPORT_FILES, name.count("/"), name))
        return [(name, self.extra_files[name]) for name in names[:MAX_EXTRA_FILES]]

    def read_extra_files(self) -> dict[str, bytes]:
        """The files beside the notebook that grading reads (``graded_extra_files``), name ->
        their first ``EXTRA_FILE_BYTES``."""
        data = {}
        for name, path in self.graded_extra_files():
            try:
                with open(path, "rb") as handle:
                    data[name] = handle.read(EXTRA_FILE_BYTES)
            except OSError:
                continue
        return data


@dataclass(frozen=True)
class PlatformName:
    """What a platform's file or folder name says: the student's id and the original name."""

    platform: str  # "canvas" | "moodle"
    id: str
    original: str  # the file's name as the student uploaded it ("" for a Moodle folder)
    late: bool = False


@dataclass(frozen=True)
class Unpacked:
    """A student's files once the zips among them are unpacked (what an ``Unpacker`` returns)."""

    files: Mapping[str, Path]  # the student's own files, less the zips that were unpacked
    unpacked: Mapping[str, Path]  # from the zips: "work.zip/rnn.ipynb" -> where it was unpacked to
    notes: tuple[str, ...] = ()  # what was unpacked and what was left out, for the feedback


#: Unpacks the zips among a student's files (name -> path): ``grader.archive.StudentZips``.
Unpacker = Callable[[Mapping[str, Path]], Unpacked]


#: Names listed in one message (the rest are counted): a zip may hold thousands of notebooks.
MAX_LISTED = 8


def listing(names: Sequence[str]) -> str:
    """``names`` joined, the first ``MAX_LISTED`` of them, the rest counted: a message that
    named all of a zip's 20,000 notebooks was 2 MB, repeated in every case of the results."""
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")


def is_zip_name(name: str) -> bool:
    """True for a file name that says zip (``work.zip``, ``WORK.ZIP``): what is unpacked."""
    return name.lower().endswith(".zip")


class DiscoveryError(Exception):
    """The path given holds no submission at all, or does not exist."""


def platform_name(name: str) -> PlatformName | None:
    """Parse a Canvas or Moodle bulk-download name; None when it follows neither convention.

    >>> platform_name("smithjane_LATE_12345_67890_rnn.ipynb").id
    'smithjane_12345'
    >>> platform_name("Jane Smith_4242_assignsubmission_file_").id
    'Jane Smith_4242'
    """
    match = _MOODLE.match(name)
    if match:
        return PlatformName("moodle", f"{match['name']}_{match['participant']}", match["original"])
    match = _CANVAS.match(name)
    if match and match["name"].upper() != "LATE":
        late = bool(re.match(r"^[^_]+_(?:LATE|late)_", name))
        return PlatformName("canvas", f"{match['name']}_{match['user']}", match["original"] or "",
                            late=late)
    return None


#: The names a class run writes beside the submissions' folders in its output folder
#: (``grader.report.Gradebook``, ``grader.classreport.REPORT_NAME``,
#: ``grader.commands.SIMILARITY_CSV``): no submission may take one for its folder.
RESERVED_IDS = frozenset({"grades.csv", "report.html", "similarity.csv"})
#: Bidirectional overrides and isolates: a name holding one is displayed partly reversed.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def readable_id(name: str) -> str:
    """``name`` (a file's or folder's) as a submission id: control characters, bidirectional
    overrides and bytes that were not UTF-8 (lone surrogates, as ``os.fsdecode`` gives them)
    written out as ``\\xNN`` or ``\\uNNNN``.

    A student may choose the name; the id is printed on the instructor's terminal (where an
    escape sequence or a line break would act), heads the feedback and starts a row of
    ``grades.csv``, and every file written must hold it as UTF-8.

    >>> readable_id("ada\\x1b[2J")
    'ada\\\\x1b[2J'
    """
    if name.isprintable():
        return name
    out = []
    for c in name:
        code = ord(c)
        if 0xDC80 <= code <= 0xDCFF:  # a byte of a name that was not UTF-8
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(f"\\x{code:02x}")
        elif 0xD800 <= code <= 0xDFFF or c in _BIDI_CONTROLS:
            out.append(f"\\u{code:04x}")
        else:
            out.append(c)
    return "".join(out)


def _visible(path: Path) -> bool:
    return (not path.name.startswith(".") and path.name not in IGNORED_DIRS
            and path.name not in _IGNORED_FILES)


def files_under(folder: Path) -> dict[str, Path]:
    """Visible files below ``folder`` (hidden folders and checkpoints skipped), by relative name,
    in the order of their paths' parts; links are not followed.

    The walk keeps its own stack: a recursive one (``Path.rglob``) raised RecursionError on
    folders nested a thousand deep, which a student's folder may hold.
    """
    found: list[tuple[tuple[str, ...], Path]] = []
    pending: list[tuple[Path, tuple[str, ...]]] = [(Path(folder), ())]
    while pending:
        directory, parts = pending.pop()
        try:
            with os.scandir(directory) as entries:
                listed = list(entries)
        except PermissionError:
            continue
        for entry in listed:
            if not _visible(Path(entry.name)) or entry.is_symlink():
                continue
            path, rel = directory / entry.name, (*parts, entry.name)
            if entry.is_dir():
                pending.append((path, rel))
            elif entry.is_file():
                found.append((rel, path))
    found.sort(key=lambda item: item[0])
    return {"/".join(rel): path for rel, path in found}


def _notebooks(names: Mapping[str, Path]) -> list[str]:
    """The names of the notebooks among ``names``: the ``.ipynb`` files, else the ``.py`` ones."""
    notebooks = [name for name in names if name.endswith(".ipynb")]
    return notebooks or [name for name in names if name.endswith(".py")]


def submission_from_files(sid: str, files: Mapping[str, Path], where: Path, *,
                          unpack: Unpacker | None = None, defer: bool = False) -> Submission:
    """One submission out of a student's files: exactly one notebook (or one .py) is graded.

    With ``unpack``, the zips among the files are unpacked and their contents count as the
    student's files (named ``work.zip/...``). A notebook uploaded beside the zips is graded
    before one inside them (as before zips were unpacked, so no student graded then loses a
    grade now), and a ``.ipynb`` anywhere before a ``.py``. With ``defer``, files that hold a
    zip are kept as they are (``Submission.packed``), for ``unpacked_submission``.
    """
    if defer and any(is_zip_name(name) for name in files):
        return Submission(id=sid, path=where, packed=MappingProxyType(dict(files)))
    unpacked: Mapping[str, Path] = {}
    notes: tuple[str, ...] = ()
    if unpack is not None and any(is_zip_name(name) for name in files):
        done = unpack(files)
        files, unpacked, notes = done.files, done.unpacked, done.notes
    loose = [name for name in files if name.endswith(".ipynb")]
    inner = [name for name in unpacked if name.endswith(".ipynb")]
    notebooks = loose or inner or _notebooks(files) or _notebooks(unpacked)
    everything = {**files, **unpacked}
    if len(notebooks) != 1:
        names = listing([n if n in unpacked else Path(n).name for n in notebooks]) or "none"
        what = "no notebook" if not notebooks else f"{len(notebooks)} notebooks ({names})"
        return Submission(id=sid, path=where, notes=notes,
                          problem=f"{where.name}: the submission holds {what}; expected exactly one.")
    notebook = notebooks[0]
    if loose and inner:
        notes += (_beside_note(notebook, files[notebook], {n: unpacked[n] for n in inner}),)
    extras = {name: path for name, path in everything.items() if name != notebook}
    return Submission(id=sid, path=everything[notebook], extra_files=MappingProxyType(extras),
                      notes=notes)


def unpacked_submission(submission: Submission, *, unpack: Unpacker) -> Submission:
    """``submission`` to grade: one whose files hold zips (``Submission.packed``) with them
    unpacked by ``unpack`` (its id kept), any other as it is."""
    if not submission.packed:
        return submission
    done = submission_from_files(submission.id, submission.packed, submission.path, unpack=unpack)
    return replace(done, id=submission.id)


def _same_bytes(a: Path, b: Path) -> bool:
    """True when files ``a`` and ``b`` hold the same bytes (False when either cannot be read)."""
    try:
        return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def _beside_note(graded: str, path: Path, inner: Mapping[str, Path]) -> str:
    """What the feedback says when a notebook was uploaded beside a zip that holds notebooks too."""
    others = [name for name, other in inner.items() if not _same_bytes(path, other)]
    if not others:
        return f"Graded {graded}; the copy of it in the zip is the same file."
    return (f"Graded {graded}, the notebook uploaded beside the zip; the different notebook in the zip "
            f"({', '.join(others)}) was not graded.")


def _folder_submission(folder: Path, unpack: Unpacker | None = None, defer: bool = False) -> Submission:
    return submission_from_files(folder.name, files_under(folder), folder, unpack=unpack, defer=defer)


def find_submissions(root: Path, *, unpack: Unpacker | None = None,
                     defer: bool = False) -> list[Submission]:
    """Every submission under ``root`` (a folder, or a single notebook), sorted by id.

    With ``unpack``, the zips among a student's files are unpacked (see ``submission_from_files``),
    and a zip at the top of ``root`` that follows no platform's naming is a student's submission
    (``alice.zip``: id ``alice``); without it, zips are files like any other. With ``defer``
    instead, the submissions whose files hold zips are found as with ``unpack`` but left packed
    (``Submission.packed``): a class run unpacks each at its turn (``unpacked_submission``).

    ``unpack=grader.archive.StudentZips(dest=...)`` gives each student what a class run gives
    them (``grader.archive.StudentTurns``): their zips within their own limits, whatever the other
    students' zips hold. It differs in what stays on the disk: the submissions returned name
    files under ``dest``, so every student's unpacked files are there at once, at most
    ``StudentZips``'s limits a student (1 GiB and 100 files) times the students with zips, where
    a class run holds those of the few students being graded. A caller that cannot give a
    class that much room passes ``defer=True`` and unpacks each submission when it needs it
    (``StudentTurns.open``, then ``release``), as ``grader.commands.grade_class`` does; one that
    passes ``StudentZips(class_bytes=...)`` bounds the disk instead, at the cost the class run
    removed: the first students served may use it up, and every later student's zip is refused.
    """
    root = Path(root)
    if not root.exists():
        raise DiscoveryError(f"{root}: no such file or folder")
    if root.is_file():
        if root.suffix not in SUBMISSION_SUFFIXES:
            raise DiscoveryError(f"{root}: not a notebook (.ipynb) or Python file (.py)")
        sid = readable_id(root.stem)
        return [Submission(id=f"{sid}~{root.suffix.lstrip('.')}" if sid in RESERVED_IDS else sid, path=root)]
    found: dict[str, Submission] = {}
    # Platform downloads: every entry of one student, gathered by the id in its name.
    groups: dict[str, dict[str, Path]] = {}

    def add(sub: Submission, entry: Path) -> None:
        sid = readable_id(sub.id)
        if sid in found or sid in RESERVED_IDS:  # e.g. alice.ipynb beside a folder alice/: keep both
            sid = base = f"{sid}~{entry.suffix.lstrip('.') or 'folder'}"
            number = 2
            while sid in found:  # a notebook may already bear the new name: never replace one
                sid, number = f"{base}{number}", number + 1
        if sid != sub.id:
            sub = replace(sub, id=sid)
        found[sub.id] = sub

    for entry in sorted(root.iterdir()):
        if not _visible(entry) or entry.is_symlink():
            continue
        named = platform_name(entry.name)
        if named is not None and (entry.is_dir() or named.original):
            files = groups.setdefault(named.id, {})
            if entry.is_dir():
                for rel, path in files_under(entry).items():
                    files.setdefault(rel, path)
            else:
                files.setdefault(named.original, entry)
        elif entry.is_file() and entry.suffix in SUBMISSION_SUFFIXES:
            add(Submission(id=entry.stem, path=entry), entry)
        elif entry.is_file() and (unpack is not None or defer) and is_zip_name(entry.name):
            add(submission_from_files(entry.stem, {entry.name: entry}, entry, unpack=unpack,
                                      defer=defer), entry)
        elif entry.is_dir():
            add(_folder_submission(entry, unpack, defer), entry)
    for sid in sorted(groups):
        add(submission_from_files(sid, groups[sid], root / sid, unpack=unpack, defer=defer), root / sid)
    if not found:
        raise DiscoveryError(f"{root}: no submissions found (expected .ipynb or .py files, "
                             f"or folders holding one notebook each)")
    return [found[k] for k in sorted(found)]
