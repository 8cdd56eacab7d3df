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
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping, Sequence

from grader.copycommands import grade_command, quoted
from grader.files import SEALED_CACHE_DIR
from grader.notebook import SUBMISSION_SUFFIXES
from grader.outputlock import OUTPUT_LOCK

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
    #: The number a Canvas or Moodle name carries (the Canvas user id, the Moodle participant
    #: id; "" for other names): a roster may list students by it (``Roster.match``).
    account: str = ""
    #: Canvas marked a file of it late (``smithjane_LATE_12345_...``): named by a class run, as
    #: the id drops the mark (a late penalty, or none for an extension, is the TA's to give).
    late: bool = False
    #: With a ``problem`` of several notebooks: those notebooks, name -> path, and all the
    #: student's files (``files``), for ``grader.choice.one_notebook`` to grade the one that
    #: holds the work (an ``Untitled.ipynb`` beside it was a 0 until a TA stepped in).
    notebooks: Mapping[str, Path] = field(default_factory=lambda: MappingProxyType({}))
    files: Mapping[str, Path] = field(default_factory=lambda: MappingProxyType({}))

    def graded_extra_files(self) -> list[tuple[str, Path]]:
        """``(name, path)`` of the files beside the notebook that grading reads: the
        ``MAX_EXTRA_FILES`` first of the report files (``REPORT_FILES``), then the others, each
        the shallowest first, then by name."""
        names = sorted(self.extra_files, key=lambda name: (  # as grader.imdb.score reads names
            name.replace("\\", "/").rsplit("/", 1)[-1].lower() not in REPORT_FILES, name.count("/"), name))
        return [(name, self.extra_files[name]) for name in names[:MAX_EXTRA_FILES]]

    def graded_beside_notebooks(self) -> list[tuple[str, Path]]:
        """Of a submission holding several notebooks (``notebooks``, ``files``): the files beside
        them that grading may read whichever is graded (``graded_extra_files`` of the others)."""
        return replace(self, extra_files={name: path for name, path in self.files.items()
                                          if name not in self.notebooks}).graded_extra_files()

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
    attachment: str = ""  # Canvas's attachment id (its file's number: a later upload's is higher)


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
                            late=late, attachment=match["attachment"])
    return None


#: The names a class run writes beside the submissions' folders in its output folder: the class
#: files (``grader.classfiles.CLASS_FILES``), each as the last finished run's while a run grades
#: (``grader.unfinished.previous``), and the note of a run under way
#: (``grader.unfinished.UNFINISHED_NOTE``), the options remembered (``grader.classoptions.OPTIONS_FILE``): no submission may take one for its folder (a notebook
#: named ``previous-grades.csv.ipynb`` stopped the class run until the thirty-fourth session).
_CLASS_FILES = ("grades.csv", "score-changes.csv", "moodle-worksheet.csv", "canvas-import.csv",
                "report.html", "similarity.csv", "report-without-names.html")
#: The lock and the sealed cache too: a late ``.grading.lock.zip`` given alone stopped the run with
#: NotADirectoryError until the thirty-eighth session's review.
RESERVED_IDS = frozenset({*_CLASS_FILES, *(f"previous-{name}" for name in _CLASS_FILES),
                          "GRADING-NOT-FINISHED.txt", "grading-options.json",  # grader.classoptions
                          OUTPUT_LOCK, SEALED_CACHE_DIR})
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


#: The longest id in UTF-8 bytes: ``OUT/<id>/`` is a folder, whose name a file system bounds at
#: 255 bytes, with room for the suffix of a clash (``~folder12``).
MAX_ID_BYTES = 200


#: What a FAT or exFAT stick, an NTFS disk or a Windows share refuses in a name: these characters
#: (control characters are written out by ``readable_id``), and a dot or space at its end.
_NOT_PORTABLE = re.compile(r'[<>:"/\\|?*]|[ .]+$')
#: Windows's device names, which no file there may take, with an extension or without.
_DEVICE_NAME = re.compile(r"^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])(?=\.|$)",
                          re.IGNORECASE)


def portable_id(sid: str) -> str:
    """``sid`` as a folder name every file system an output folder may be on takes: each character
    a FAT or exFAT stick, an NTFS disk or a Windows share refuses (``readable_id``'s escapes hold a
    ``\\``) written ``_``, and ``_`` after a device's name (``aux_``, ``con_.txt``). Thirty-fifth
    session: ``ada:1.ipynb`` stopped a class run into such a folder at ``OUT/ada:1/`` (EINVAL)."""
    return _DEVICE_NAME.sub(r"\1_", _NOT_PORTABLE.sub(lambda found: "_" * len(found[0]), sid))


def folder_id(name: str) -> str:
    """``readable_id(name)`` as a portable folder name (``portable_id``), cut to ``MAX_ID_BYTES``
    when longer, with ``~`` and a digest of the whole name after the cut (two long names alike at
    their start stay two ids). A notebook named with 80 bidi overrides (240 bytes) had an id of 480
    characters, and the class run stopped at its folder (ENAMETOOLONG, thirty-fourth session)."""
    sid = portable_id(readable_id(name))
    if len(sid.encode("utf-8", "surrogateescape")) <= MAX_ID_BYTES:
        return sid
    import hashlib

    digest = hashlib.sha256(sid.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    cut = sid.encode("utf-8")[:MAX_ID_BYTES - len(digest) - 1].decode("utf-8", "ignore")
    return f"{cut}~{digest}"


def folded_id(sid: str) -> str:
    """``sid`` as a case-insensitive file system that ignores Unicode's normal forms compares it
    (macOS, a Windows share, a FAT or exFAT stick): two ids folding alike would share one folder
    ``OUT/<id>/`` there (``Ada`` and ``ada``; ``café`` written with one character or two).
    Unicode's caseless match (NFKD around ``casefold``), which folds more than any file system
    does: a clash it finds where there is none only adds a suffix."""
    return unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", portable_id(sid)).casefold())


#: ``RESERVED_IDS`` folded (``folded_id``): ``Grades.csv.ipynb``'s folder is ``OUT/grades.csv`` on
#: such a file system.
_RESERVED_FOLDED = frozenset(map(folded_id, RESERVED_IDS))


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


#: What the message of a submission with several notebooks adds: none is graded until one is left.
#: Worded for both readers: a Gradescope student can resubmit, a class run's TA reads the run's line.
#: ``NONE_GRADED`` begins every such message (``grader.choice`` words the rest for a download's copies).
NONE_GRADED = "None of them was graded"
SEVERAL_NOTEBOOKS = (f"{NONE_GRADED}: hand in the notebook to grade alone, or tell your "
                     "instructor which one it is.")


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
    handed_in = sorted(files)  # the zips too, which unpacking takes out of ``files``
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
        # Several: readable notebooks, none graded; the student and the TA read what happens next.
        # None: what was handed in instead (it said only "holds no notebook"), and what to hand in.
        then = f" {SEVERAL_NOTEBOOKS}" if len(notebooks) > 1 else (
            f" It holds {listing(sorted({*handed_in, *unpacked}))}" if handed_in or unpacked else " It holds no file") + (
            ": hand in the .ipynb file Jupyter saves (File > Save)." if not notebooks else "")
        several = {name: everything[name] for name in notebooks} if len(notebooks) > 1 else {}
        return Submission(id=sid, path=where, notes=notes,
                          problem=f"{where.name}: the submission holds {what}; expected exactly one.{then}",
                          notebooks=MappingProxyType(several),
                          files=MappingProxyType(dict(everything) if several else {}))
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
    return replace(done, id=submission.id, account=submission.account, late=submission.late)


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


#: The folder of the running grader (where grade.py and grader/ are).
_GRADER_HOME = Path(__file__).resolve().parent.parent


def _is_grader_home(entry: Path) -> bool:
    """Whether the folder ``entry`` is the running grader's own (a TA's clone in the class
    folder was graded as a submission: "app: 0/100 (unreadable)"). Only this grader's folder,
    by identity: a student may hand in a folder holding the self-check kit's grade.py and
    grader/ beside the notebook, which is their submission."""
    try:
        return os.path.samefile(entry, _GRADER_HOME)
    except OSError:
        return False


def own_folder_in(root: Path) -> Path | None:
    """The running grader's own folder when it is an entry of the folder ``root`` (which
    ``find_submissions`` leaves out), else None: for the run's summary to say it once."""
    if not _visible(_GRADER_HOME):  # a hidden folder is never a submission: nothing to say
        return None
    try:
        return _GRADER_HOME if os.path.samefile(_GRADER_HOME.parent, root) else None
    except OSError:
        return None


def _is_output_folder(entry: Path) -> bool:
    """Whether the folder ``entry`` is a class run's output folder: it holds the lock every class
    run makes there and leaves (``grader.outputlock.OUTPUT_LOCK``). Thirty-seventh session: another
    run's output folder inside the folder graded (``--out SUBMISSIONS/out5``, then another
    ``--out``) was graded as a student with no notebook, a 0 row ``out5``. A folder holding a
    notebook, a ``.py`` or a zip at any depth is a student's (a class run writes none there):
    until the thirty-eighth session a student who handed in a ``.grading.lock`` beside their
    notebook, in a folder of folders, was skipped as an output folder."""
    return os.path.lexists(entry / OUTPUT_LOCK) and not any(
        path.suffix in SUBMISSION_SUFFIXES or is_zip_name(path.name) for path in files_under(entry).values())


def own_folder_note(root: Path) -> str | None:
    """The sentence of a class run whose folder holds the grader's own folders (``find_submissions``
    leaves them out): the grader itself, class runs' output folders; or None."""
    said = []
    if (own := own_folder_in(root)) is not None:
        said.append(f"Not graded: {readable_id(own.name)}, the grader's own folder (grade.py is there), "
                    f"which is no submission.")
    try:
        outputs = sorted(readable_id(entry.name) for entry in Path(root).iterdir()
                         if _visible(entry) and not entry.is_symlink() and entry.is_dir()
                         and _is_output_folder(entry))
    except OSError:
        outputs = []
    if outputs:
        said.append(f"Not graded: {listing(outputs)}, a class run's output folder ({OUTPUT_LOCK} is there), "
                    f"which is no submission.")
    return " ".join(said) or None


def _top_files(root: Path, keep: Callable[[Path], bool]) -> list[str]:
    """The names (``readable_id``) of the regular files at the top of the folder ``root`` that
    ``keep``, sorted; none when it cannot be listed."""
    try:
        return sorted(readable_id(entry.name) for entry in Path(root).iterdir()
                      if keep(entry) and entry.is_file() and not entry.is_symlink())
    except OSError:
        return []


def hidden_entries_note(root: Path) -> str | None:
    """The sentence of a class run whose folder ``root`` holds notebooks or zips whose names
    start with a dot (``.alice.ipynb``), which ``find_submissions`` leaves out as it leaves out
    every hidden entry, or None. macOS's ``._`` companions of copied files are no one's work."""
    names = _top_files(root, lambda entry: entry.name.startswith(".") and not entry.name.startswith("._")
                       and (entry.suffix in SUBMISSION_SUFFIXES or is_zip_name(entry.name)))
    if not names:
        return None
    return (f"Not graded: {listing(names)}, whose name starts with a dot (a hidden file, left out as the "
            f"checkpoints are); rename it without the dot and run again to grade it.")


def other_files_note(root: Path) -> str | None:
    """The sentence of a class run whose folder ``root`` holds files at its top that are no
    submission (``alice.html``, ``bob.pdf``, ``carl.ipynb.txt``, a README) and follow no platform's
    naming, which ``find_submissions`` leaves out, or None: a student who uploaded the page of
    their notebook was in no file of the run, without a word."""
    names = _top_files(root, lambda entry: _visible(entry) and entry.suffix not in SUBMISSION_SUFFIXES
                       and not is_zip_name(entry.name) and platform_name(entry.name) is None)
    if not names:
        return None
    return (f"Not graded, not a notebook: {listing(names)} (a file beside the students' notebooks is graded "
            f"when it is a .ipynb, .py or .zip; a student's other files go in a folder of theirs with "
            f"the notebook)")


def _what_is_there(root: Path) -> str:
    """For a folder where no submission was found: what it holds instead (a few names), and the
    hidden notebooks it holds (``hidden_entries_note``), as a clause of the error."""
    try:
        names = sorted(readable_id(entry.name) for entry in Path(root).iterdir() if _visible(entry))
    except OSError:
        return ""
    hidden = hidden_entries_note(root)
    return (f"; it holds {listing(names)}" if names else "") + (f". {hidden}" if hidden else "")


def _add_upload(files: dict[str, Path], original: str, entry: Path) -> None:
    """Add the flat file ``entry`` of a platform's download, uploaded as ``original``, to its
    student's ``files``. Two notebooks uploaded under one name (an on-time and a late one, when
    two downloads were put in one folder) are both kept, each by its file's whole name, so that
    the submission holds several notebooks, none graded and both named, for the TA to choose:
    the first in name order, the on-time one, was graded and the late one left without a word."""
    first = files.get(original)
    if first is None:
        files[original] = entry
        return
    if Path(original).suffix not in SUBMISSION_SUFFIXES:
        # Another file of one name (an imdb_report.json): the later upload's, which goes with the
        # notebook graded of two downloads put in one folder (grader.choice); the first, the earlier
        # upload's, was kept, and the bonus scored from the report of another notebook.
        if _attachment(entry.name) > _attachment(first.name):
            files[original] = entry
        return
    if first.parent == entry.parent and first.name != original:  # a flat file too: by its name
        files[first.name] = files.pop(original)
    files[entry.name] = entry


def _attachment(name: str) -> int:
    """The Canvas attachment id in the file name ``name`` (a later upload's is higher), -1 without."""
    named = platform_name(name)
    return int(named.attachment) if named is not None and named.attachment else -1


def _entry_id(entry: Path, named: PlatformName | None) -> str:
    """The id ``find_submissions`` gives the entry ``entry`` of a folder (before the suffix of a
    second submission of one name, ``alice~folder``): portable, and cut where it is long."""
    if named is not None and (entry.is_dir() or named.original):
        return folder_id(named.id)
    return folder_id(entry.name if entry.is_dir() else entry.stem)


def find_submissions(root: Path, *, unpack: Unpacker | None = None,
                     defer: bool = False, near: str | None = None) -> list[Submission]:
    """Every submission under ``root`` (a folder, or a single notebook), sorted by id.

    ``near``: only the entries of ``root`` whose name gives that id (``alice/``, ``alice.ipynb``,
    Moodle's ``Jane Smith_4242_...`` folders for ``Jane Smith_4242``), with the ids a run of the
    whole folder gives them, without reading the other students' folders: one student of a folder
    of folders graded again (``grader.classrun``).

    With ``unpack``, the zips among a student's files are unpacked (see ``submission_from_files``),
    and a zip at the top of ``root`` that follows no platform's naming is a student's submission
    (``alice.zip``: id ``alice``); without it, zips are files like any other. With ``defer``
    instead, the submissions whose files hold zips are found as with ``unpack`` but left packed
    (``Submission.packed``): a class run unpacks each at its turn (``unpacked_submission``).

    ``unpack=grader.archive.StudentZips(dest=...)`` gives each student what a class run gives
    them (``grader.archive.StudentTurns``): their zips within their own limits, whatever the other
    students' zips hold. It differs in what stays on the disk: the submissions returned name
    files under ``dest``, so every student's unpacked files are there at once, at most
    ``StudentZips``'s limits a student (256 MiB and 100 files) times the students with zips, where
    a class run holds those of the few students being graded. A caller that cannot give a
    class that much room passes ``defer=True`` and unpacks each submission when it needs it
    (``StudentTurns.open``, then ``release``), as ``grader.classrun.grade_class`` does; one that
    passes ``StudentZips(class_bytes=...)`` bounds the disk instead, at the cost the class run
    removed: the first students served may use it up, and every later student's zip is refused.
    """
    root = Path(root)
    if not root.exists():
        raise DiscoveryError(f"{root}: no such file or folder")
    if root.is_file():
        if (unpack is not None or defer) and is_zip_name(root.name):
            return [_student_zip(root, unpack=unpack, defer=defer)]
        if root.suffix not in SUBMISSION_SUFFIXES:
            raise DiscoveryError(f"{root}: not a notebook (.ipynb) or Python file (.py)")
        # A file of a Canvas or Moodle download has the id a class run gives it (the row of
        # the class's gradebook it regrades), not its whole stem.
        named = platform_name(root.name)
        if named is not None and named.original:
            return [Submission(id=folder_id(named.id), path=root, account=readable_id(named.id).rsplit("_", 1)[-1],
                               late=named.late)]
        sid = folder_id(root.stem)
        return [Submission(id=f"{sid}~{root.suffix.lstrip('.')}" if folded_id(sid) in _RESERVED_FOLDED
                           else sid, path=root)]
    if not root.is_dir():  # a FIFO, a device, a socket: listed as a folder, a traceback (37th session)
        raise DiscoveryError(f"{root}: not a notebook, a zip or a folder (a named pipe, a device or a socket): "
                             f"give the folder that holds the students' notebooks")
    found: dict[str, Submission] = {}
    taken = set(_RESERVED_FOLDED)  # the folded ids of found and of the class run's files
    # Platform downloads: every entry of one student, gathered by the id in its name.
    groups: dict[str, dict[str, Path]] = {}
    late: set[str] = set()  # the ids of the groups with a file Canvas marked late

    def add(sub: Submission, entry: Path) -> None:
        sid = folder_id(sub.id)
        # e.g. alice.ipynb beside a folder alice/, or Ada/ beside ada/: keep both
        if folded_id(sid) in taken:
            sid = base = f"{sid}~{entry.suffix.lstrip('.') or 'folder'}"
            number = 2
            while folded_id(sid) in taken:  # a notebook may already bear the new name: never replace one
                sid, number = f"{base}{number}", number + 1
        if sid != sub.id:
            sub = replace(sub, id=sid)
        found[sub.id] = sub
        taken.add(folded_id(sid))

    for entry in sorted(root.iterdir()):
        if not _visible(entry) or entry.is_symlink():
            continue
        named = platform_name(entry.name)
        if near is not None and folded_id(_entry_id(entry, named)) != folded_id(near):
            continue
        if named is not None and (entry.is_dir() or named.original):
            files = groups.setdefault(named.id, {})
            if named.late:
                late.add(named.id)
            if entry.is_dir():
                for rel, path in files_under(entry).items():
                    files.setdefault(rel, path)
            else:
                _add_upload(files, named.original, entry)
        elif entry.is_file() and entry.suffix in SUBMISSION_SUFFIXES:
            add(Submission(id=entry.stem, path=entry), entry)
        elif entry.is_file() and (unpack is not None or defer) and is_zip_name(entry.name):
            _no_class_download(entry)
            add(submission_from_files(entry.stem, {entry.name: entry}, entry, unpack=unpack,
                                      defer=defer), entry)
        elif entry.is_dir() and not _is_grader_home(entry) and not _is_output_folder(entry):
            add(_folder_submission(entry, unpack, defer), entry)
    for sid in sorted(groups):
        grouped = submission_from_files(sid, groups[sid], root / sid, unpack=unpack, defer=defer)
        add(replace(grouped, account=sid.rsplit("_", 1)[-1], late=sid in late), root / sid)
    if not found:
        raise DiscoveryError(f"{root}: no submissions found (expected .ipynb or .py files, "
                             f"or folders holding one notebook each){_what_is_there(root)}")
    return [found[k] for k in sorted(found)]


def student_zip_id(path: Path) -> str:
    """The id of the zip ``path`` of one student given alone (``_student_zip``): a platform's file
    name's student (Canvas's ``smithbob_340934_208490284_work.zip``: ``smithbob_340934``), else the
    zip's name without ``.zip``; a grader's own name (``grades.csv``) with ``~zip`` after it."""
    named = platform_name(path.name)
    sid = folder_id(named.id if named is not None and named.original else path.stem)
    return f"{sid}~zip" if folded_id(sid) in _RESERVED_FOLDED else sid


def _student_zip(path: Path, *, unpack: Unpacker | None, defer: bool) -> Submission:
    """The zip ``path`` of one student given alone (a late zip graded into the class's folder,
    ``grader.classrun``) as the class run takes such a zip in its folder: one submission of the id
    its name gives (``alice.zip``: ``alice``; a platform's file name: that student's), whatever its
    notebooks are named, unpacked within one student's limits. Thirty-eighth session: extracted as
    a class's download, carol.zip holding alice.ipynb was graded as alice's row."""
    named = platform_name(path.name)
    files = {named.original: path} if named is not None and named.original else {path.name: path}
    sub = submission_from_files(student_zip_id(path), files, path, unpack=unpack, defer=defer)
    if named is not None and named.original:
        sub = replace(sub, account=readable_id(named.id).rsplit("_", 1)[-1], late=named.late)
    return sub


def _no_class_download(entry: Path) -> None:
    """Raise ``DiscoveryError`` when the zip ``entry``, at the top of the folder graded, is a
    class's download (``grader.archive.students_in``): two sections' downloads put in one folder
    were graded as two students, each with a zero (more notebooks than one student's) or with the
    score of the one notebook it held."""
    from grader.archive import students_in

    students = students_in(entry)
    if len(students) > 1:
        raise DiscoveryError(
            f"{entry}: a class's download (the files of {len(students)} students, such as "
            f"{', '.join(students[:2])}), not one student's upload: grade it as a class "
            f"({grade_command()} {quoted(str(entry))}); to grade several sections into one gradebook, unzip each "
            f"section's download into one folder and grade that folder")


# --------------------------------------------------------------------------- the class's roster


#: The header names a roster's columns may have, compared ignoring case, spaces, ``_`` and ``-``
#: (``Student ID``, ``student_id`` and ``STUDENT-ID`` are one name): the student's id (required;
#: the first of these the header holds), then the optional name and e-mail.
ROSTER_ID_COLUMNS = ("id", "student id", "sid", "student number", "id number", "username", "identifier")
ROSTER_NAME_COLUMNS = ("name", "full name", "student name", "student")
ROSTER_FIRST_NAME_COLUMNS = ("first name", "given name")
ROSTER_LAST_NAME_COLUMNS = ("last name", "surname", "family name")
ROSTER_EMAIL_COLUMNS = ("email", "email address", "e mail", "e mail address")
#: A platform's list of a course's members names each one's role (Gradescope's roster ``Role``:
#: Student, Instructor, TA, Reader; Moodle's participants ``Roles``): a line whose role is not a
#: student's is left out (``Roster.staff``), as a course's staff hand in nothing.
ROSTER_ROLE_COLUMNS = ("role", "roles")
#: A column marking the students not to be graded (withdrawn, excused, exempt): any cell but a
#: blank, ``no``, ``n``, ``0`` or ``false`` marks them (``yes``, ``x``, ``W``, ``medical leave``).
#: One without a submission has no score in ``grades.csv`` (status ``excused``), not a 0.
ROSTER_EXCUSED_COLUMNS = ("excused", "withdrawn", "exempt")
#: A course's section (Canvas's gradebook export has ``Section``): a run of one section's download
#: with the whole course's roster is told which sections have no submission at all (``RosterMatch.empty_sections``).
ROSTER_SECTION_COLUMNS = ("section", "sections")
_NOT_MARKED = frozenset({"", "no", "n", "0", "false", "-"})
#: The separators a roster may use: a European Excel writes ``;`` where others write ``,``.
_ROSTER_SEPARATORS = (",", ";", "\t")
#: The suffix ``find_submissions`` gives the second of two submissions of one name
#: (``alice.ipynb`` beside a folder ``alice/``: ``alice~folder``): the same student.
_SECOND_OF_A_NAME = re.compile(r"~(?:ipynb|py|zip|folder|csv|html)\d*$")
#: Moodle's grading worksheet names a student ``Participant 4242`` (its ``Identifier`` column):
#: the number of their download's folder, ``Jane Smith_4242_assignsubmission_file_``.
_MOODLE_PARTICIPANT = re.compile(r"^participant (\d+)$")
#: The number that ends the id of a Canvas or Moodle download (``smithjane_12345``, ``Jane
#: Smith_4242``): an earlier run's folder, whose ``Submission.account`` is not at hand, read by it.
_ID_NUMBER = re.compile(r"_(\d+)$")
#: A number id as a spreadsheet formatted with decimals writes it: ``12345.00``, or ``12345,00``
#: where the decimal separator is a comma (which writes the file separated by ``;``).
_ZERO_DECIMALS = re.compile(r"^(\d+)[.,]0+$")
#: ... and in scientific notation, its last digits lost: ``1.23457E+11``, ``1,23457E+11``.
_SCIENTIFIC = re.compile(r"^(\d)[.,](\d+)E\+?(\d+)$", re.IGNORECASE)
#: ... and as a date (``3-12`` or ``3/12`` opened in a spreadsheet): ``12-Mar``, ``2026-03-12``,
#: ``3/12/2026``, ``12.03.26``. Never turned back into an id: which id it was depends on the locale.
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?"
_DATE = re.compile(rf"^(?:\d{{1,2}}[-/. ]{_MONTH}(?:[-/. ]\d{{2,4}})?|{_MONTH}[-/. ]\d{{1,4}}"
                   r"|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})$", re.IGNORECASE)


class RosterError(Exception):
    """The roster cannot be used; the message names the file and the line."""


def student_key(text: str) -> str:
    """What ids are compared by: ``text`` without accents, case folded, and every run of
    characters other than letters and digits (spaces, ``_``, ``-``, ``.``) one space.

    Ids come from file and folder names the students or the platforms chose (``José
    García_4242``, ``jose_garcia.ipynb``) and from a roster a person typed or a spreadsheet
    exported, so ``José García``, ``jose garcia`` and ``JOSE_GARCIA`` are one student.

    An id with no letter or digit (``★``, ``---``, an emoji) is compared as written (NFKC, case
    folded, blanks collapsed): it had the key ``""``, so a roster's ``★`` took the grade of a
    submission named ``☆`` or ``___``.

    >>> student_key("  José_GARCÍA-2 ")
    'jose garcia 2'
    >>> student_key("★"), student_key("☆")
    ('★', '☆')
    """
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    key = " ".join(re.sub(r"[\W_]+", " ", plain.casefold()).split())
    return key or " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True)
class RosterStudent:
    """One student of the roster: their id as written, and the optional name and e-mail."""

    id: str
    name: str = ""
    email: str = ""
    line: int = 0  # the roster's line, for messages
    #: The cell of the roster's excused column (``ROSTER_EXCUSED_COLUMNS``) that marks them, "" when none.
    excused: str = ""
    section: str = ""  # the roster's section column (``ROSTER_SECTION_COLUMNS``), "" without one


@dataclass(frozen=True)
class Roster:
    """The students of the class (``load_roster``), in the roster's order."""

    path: Path
    students: tuple[RosterStudent, ...]
    id_column: str  # the header's name of the column the ids were read from
    #: The lines left out for a role that is not a student's (``ROSTER_ROLE_COLUMNS``): a staff
    #: member without a student id stopped the run ("no id on this line"), and one with an id was
    #: listed with 'no submission' and a 0.
    staff: tuple[int, ...] = ()
    #: The header's name of the column that marks students excused, "" when it has none.
    excused_column: str = ""
    section_column: str = ""  # the header's name of the section column, "" when it has none

    def match(self, submissions: Sequence[Submission], *, earlier: Sequence[str] = ()) -> "RosterMatch":
        """Which student each of ``submissions`` is: the roster id whose ``student_key`` is the
        submission id's (a second submission of a name, ``alice~folder``, is ``alice``'s too),
        else the number of its Canvas or Moodle name (``Submission.account``; Moodle's worksheet
        writes it ``Participant 4242``). ``earlier``: the ids of an earlier run's results in the
        output folder that are not among ``submissions`` (``grader.incremental.former_submissions``),
        matched to the students left without a submission by id, or by the number a platform's id
        ends with (``smithjane_12345`` for a roster of Canvas numbers: until the thirty-fifth
        session such a student, of a section not given this time, had 0 and 'no submission')."""
        by_key = {student_key(student.id): student for student in self.students}
        by_account = dict(by_key)
        for key, student in by_key.items():
            if (participant := _MOODLE_PARTICIPANT.match(key)) is not None:
                by_account.setdefault(participant[1], student)
        student_of: dict[str, RosterStudent] = {}
        for sub in submissions:
            found = by_key.get(student_key(_SECOND_OF_A_NAME.sub("", sub.id)))
            if found is None and sub.account:
                found = by_account.get(student_key(sub.account))
            if found is not None:
                student_of[sub.id] = found
        taken = set(student_of.values())  # a set: each student compared with each matched was quadratic
        guessed = _spreadsheet_matches(
            [sub for sub in submissions if sub.id not in student_of],
            [student for student in self.students if student not in taken])
        student_of.update((sid, student) for sid, (student, _) in guessed.items())
        unlisted = tuple(sorted(sub.id for sub in submissions if sub.id not in student_of))
        had = {student.id for student in student_of.values()}
        before: dict[str, str] = {}
        for sid in earlier:
            bare = _SECOND_OF_A_NAME.sub("", sid)
            found = by_key.get(student_key(bare))
            if found is None and (number := _ID_NUMBER.search(bare)) is not None:
                found = by_account.get(student_key(number[1]))
            if found is not None and found.id not in had:
                before.setdefault(found.id, sid)
        return RosterMatch(roster=self, student_of=MappingProxyType(student_of), unlisted=unlisted,
                           earlier=MappingProxyType(before),
                           guessed=MappingProxyType({sid: how for sid, (_, how) in guessed.items()}))


def id_numbers(sid: str, account: str = "") -> tuple[str, ...]:
    """The numbers a submission's names carry whole: its id ``sid`` when it is all digits
    (``0012345.ipynb``, a folder ``0012345/``), the number of its Canvas or Moodle name
    (``account``, ``Submission.account``)."""
    key = student_key(_SECOND_OF_A_NAME.sub("", sid))
    return tuple(dict.fromkeys(d for d in (key, account) if d.isdigit()))


def _digits_of(sub: Submission) -> tuple[str, ...]:
    """``id_numbers`` of the submission ``sub``."""
    return id_numbers(sub.id, sub.account)


def spreadsheet_change(roster_id: str, digits: str) -> str | None:
    """How a spreadsheet made the id ``roster_id`` out of the number ``digits``, or None when it
    cannot have: leading zeros dropped (``12345`` for ``0012345``) or the number in scientific
    notation (``1.23457E+11`` for ``123456789012``: the digits it shows agree, rounded).

    >>> spreadsheet_change("12345", "0012345"), spreadsheet_change("1,23E+08", "123456789")
    ('leading zeros dropped', 'scientific notation')
    >>> spreadsheet_change("1.23E+08", "124000000") is None
    True
    """
    from decimal import Decimal

    if roster_id.isdigit():
        return ("leading zeros dropped" if roster_id != digits and roster_id.lstrip("0") == digits.lstrip("0")
                else None)
    if (sci := _SCIENTIFIC.match(roster_id.strip())) is None:
        return None
    shown, exponent = Decimal(f"{sci[1]}.{sci[2]}"), int(sci[3])
    if exponent > 40 or len(digits) > 40:
        return None
    half = Decimal(5) * Decimal(10) ** (exponent - len(sci[2]) - 1)  # half the last digit shown
    return "scientific notation" if abs(Decimal(digits) - shown * Decimal(10) ** exponent) <= half else None


def spreadsheet_pairs(changed: Sequence[str], numbers: Sequence[tuple[str, ...]]) -> dict[tuple[int, int], set[str]]:
    """``{(i, j): hows}``: the ids ``changed[i]`` a spreadsheet can have made of one of the numbers
    ``numbers[j]`` (``id_numbers`` of a submission), and how (``spreadsheet_change``). An id of digits
    is looked up by its digits without leading zeros, an id in scientific notation compared with
    the numbers of its order of magnitude (the one a number has, or the next: 999 shows 1.00E+03), so
    that a roster or an adjustments file of thousands of ids that match nothing costs no more than
    reading it (each compared with each: 2,000 against 2,000 cost 13 s, thirty-third session)."""
    by_digits: dict[str, list[int]] = {}
    by_exponent: dict[int, list[int]] = {}
    for i, text in enumerate(changed):
        if text.isdigit():
            by_digits.setdefault(text.lstrip("0"), []).append(i)
        elif (sci := _SCIENTIFIC.match(text.strip())) is not None:
            # A leading 0 (never a spreadsheet's: ``0.05E+4``) is of no one order of magnitude.
            by_exponent.setdefault(int(sci[3]) if int(sci[1]) else None, []).append(i)
    found: dict[tuple[int, int], set[str]] = {}
    for j, digits_of in enumerate(numbers):
        for digits in digits_of:
            for i in by_digits.get(digits.lstrip("0"), ()):
                if changed[i] != digits:
                    found.setdefault((i, j), set()).add("leading zeros dropped")
            size = len(digits.lstrip("0"))
            for exponent in dict.fromkeys((max(size - 1, 0), size, None)):
                for i in by_exponent.get(exponent, ()):
                    if (how := spreadsheet_change(changed[i], digits)) is not None:
                        found.setdefault((i, j), set()).add(how)
    return found


def _spreadsheet_matches(submissions: Sequence[Submission], students: Sequence["RosterStudent"],
                         ) -> dict[str, tuple["RosterStudent", str]]:
    """Submission id -> (its student, what the spreadsheet did) for the submissions left unmatched
    whose number is a roster id a spreadsheet changed (``spreadsheet_change``), where that cannot
    be ambiguous: the one student such a change gives the submission, the one submission it gives
    the student."""
    found = spreadsheet_pairs([student.id for student in students], [_digits_of(sub) for sub in submissions])
    pairs = [(submissions[j], students[i], how) for (i, j), hows in sorted(found.items(), key=lambda pair: pair[0][::-1])
             for how in hows]
    by_sub: dict[str, int] = {}
    by_student: dict[str, int] = {}
    for sub, student, _ in pairs:
        by_sub[sub.id] = by_sub.get(sub.id, 0) + 1
        by_student[student.id] = by_student.get(student.id, 0) + 1
    return {sub.id: (student, how) for sub, student, how in pairs
            if by_sub[sub.id] == 1 and by_student[student.id] == 1}


@dataclass(frozen=True)
class RosterMatch:
    """The roster against the submissions of a run: who is whom, who is missing, who is extra."""

    roster: Roster
    student_of: Mapping[str, RosterStudent]  # submission id -> its student
    unlisted: tuple[str, ...]  # submission ids whose student is not on the roster
    #: Roster id -> the folder an earlier run graded for that student, who has no submission in
    #: this run (a run of one notebook into the class's output folder): not "no submission".
    earlier: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: Submission id -> what a spreadsheet did to its student's roster id (``spreadsheet_change``),
    #: for those matched by that alone.
    guessed: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def submissions_of(self) -> dict[str, tuple[str, ...]]:
        """Roster id -> the ids of that student's submissions (sorted), for every student."""
        found: dict[str, list[str]] = {student.id: [] for student in self.roster.students}
        for sid, student in self.student_of.items():
            found[student.id].append(sid)
        return {rid: tuple(sorted(sids)) for rid, sids in found.items()}

    def missing(self) -> tuple[RosterStudent, ...]:
        """The students of the roster with no submission, in this run or graded by an earlier
        one (``earlier``), in the roster's order."""
        had = {student.id for student in self.student_of.values()}
        return tuple(student for student in self.roster.students
                     if student.id not in had and student.id not in self.earlier and not student.excused)

    def empty_sections(self) -> dict[str, tuple[RosterStudent, ...]]:
        """Of a roster naming two sections or more, those none of whose students has a submission
        (in this run or an earlier one's), each with its students without one, in the roster's
        order, when another section has some: one section's download graded with the whole
        course's roster, whose other sections read as students who handed in nothing (0)."""
        missing = set(self.missing())
        by_section: dict[str, list[RosterStudent]] = {}
        for student in self.roster.students:
            if student.section and not student.excused:
                by_section.setdefault(student.section, []).append(student)
        empty = {section: tuple(students) for section, students in by_section.items()
                 if all(student in missing for student in students)}
        return empty if len(by_section) > 1 and len(empty) < len(by_section) else {}

    def excused(self) -> tuple[RosterStudent, ...]:
        """The students the roster marks excused (withdrawn) who have no submission, in this run or
        an earlier one: not ``missing``, no 0 (until the thirty-sixth session they were)."""
        had = {student.id for student in self.student_of.values()}
        return tuple(student for student in self.roster.students
                     if student.excused and student.id not in had and student.id not in self.earlier)

    def changed_ids(self) -> tuple[tuple[RosterStudent, str], ...]:
        """The roster's students without a submission whose id a spreadsheet changed beyond
        matching (scientific notation no submission's number agrees with, or several do; a date),
        with what it became."""
        found = []
        for student in self.missing():
            if _SCIENTIFIC.match(student.id.strip()):
                found.append((student, "a number in scientific notation, its last digits lost"))
            elif _DATE.match(student.id.strip()):
                found.append((student, "a date"))
        return tuple(found)

    def several(self) -> dict[str, tuple[str, ...]]:
        """Roster id -> its submissions, for the students with more than one."""
        return {rid: sids for rid, sids in self.submissions_of().items() if len(sids) > 1}


def _header_key(name: str) -> str:
    """A header cell as compared with the accepted column names (case, spaces, ``_``, ``-``)."""
    return " ".join(re.sub(r"[\s_\-]+", " ", name.strip().casefold()).split())


def csv_separator(header: str) -> str:
    """The separator of a CSV file a TA gives or a spreadsheet saved (a roster, a gradebook)
    whose first line is ``header``: the most frequent of ``,``, ``;`` and a tab (``,`` when none
    is there: a file of one column)."""
    counts = {sep: header.count(sep) for sep in _ROSTER_SEPARATORS}
    best = max(_ROSTER_SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


#: The first bytes of a spreadsheet saved as a workbook rather than CSV (.xlsx, .ods: a zip;
#: .xls: an OLE2 compound file).
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def csv_text(path: Path, *, what: str = "roster", error: type[Exception] = RosterError) -> str:
    """The text of a CSV file a TA gives (the roster, ``what`` names it in messages): UTF-8, a
    byte-order mark (Excel's "CSV UTF-8") dropped; UTF-16 when it begins with its byte-order
    mark (Excel's "Unicode Text", tab separated). Raises ``error`` naming the file (and the line)
    when it cannot be read, is a workbook, or is not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"{path}: the {what} cannot be read ({exc.strerror or exc})") from None
    if data.startswith(_WORKBOOK_MAGIC):
        raise error(f"{path}: this is a spreadsheet workbook (.xlsx, .ods or .xls), not a CSV "
                    f"file; save the sheet as \"CSV UTF-8\" (Excel) or CSV (LibreOffice)")
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise error(f"{path}:{line}: the {what} is not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                    f"save it as \"CSV UTF-8\" (Excel) or UTF-8 (LibreOffice)") from None


def csv_lines(text: str) -> list[str]:
    """The lines of a CSV file's ``text``, each with its ending: only a line feed or a carriage
    return ends one, as ``csv`` reads a file opened with ``newline=""``. ``str.splitlines`` also
    broke lines at U+2028, U+2029, U+0085, form feeds and \\x1c-\\x1e, which a name pasted from a
    PDF may hold and a Canvas export writes unquoted: the student's row was cut in two (thirty-fifth
    session)."""
    import io

    return list(io.StringIO(text, newline=""))


def csv_rows(path: Path, *, what: str = "roster", error: type[Exception] = RosterError,
             example: str = "\"id,name,email\"", each: str = "one student a line",
             ) -> tuple[list[tuple[int, list[str]]], str]:
    """``([(line number, fields), ...], separator)`` of the CSV file a TA gives at ``path``
    (``csv_text``, ``csv_separator``); raises ``error`` naming the file and the line when it is
    empty (``example`` is a header line to show, ``each`` what each line then holds) or not CSV."""
    import csv

    lines = csv_lines(csv_text(path, what=what, error=error))
    if not any(line.strip() for line in lines):
        raise error(f"{path}: the {what} is empty; it needs a header line, such as {example}, then {each}")
    separator = csv_separator(lines[0])
    reader = csv.reader(lines, delimiter=separator, strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        start = rows[-1][0] + 1 if rows else 1  # the line where the row at fault begins
        if "unexpected end of data" in str(exc):
            raise error(f"{path}:{start}: a quote opened on this line is never closed, so the rest "
                        f"of the file reads as one field; close it (a field in quotes ends with a "
                        f"quote), or remove it") from None
        if "expected after '\"'" in str(exc):
            raise error(f"{path}:{reader.line_num}: a field in quotes goes on after its closing "
                        f"quote ({exc}); a quote inside a field in quotes is written twice "
                        f"(\"\"), as in \"Alan \"\"Al\"\" Turing\"") from None
        raise error(f"{path}:{reader.line_num}: the {what} is not a CSV file that can be read here "
                    f"({exc})") from None
    return rows, separator


def _column(header: list[str], names: Sequence[str]) -> int | None:
    """The index of the header's first column named one of ``names`` (in ``names``'s order)."""
    keys = [_header_key(cell) for cell in header]
    for name in names:
        if name in keys:
            return keys.index(name)
    return None


def load_roster(path: Path) -> Roster:
    """Read a roster: a CSV file with a header line naming an id column (``ROSTER_ID_COLUMNS``),
    optionally a name (``ROSTER_NAME_COLUMNS``, or first and last name columns) and an e-mail
    (``ROSTER_EMAIL_COLUMNS``), role, excused and section columns; other columns are ignored. Separated by ``,``, ``;`` or tabs, UTF-8
    with or without a byte-order mark. Raises ``RosterError`` naming the file and the line when
    it cannot be used: before grading starts, so a class is never graded against a roster that
    reads as nobody (a header taken for a student, every id in one column)."""
    path = Path(path)
    rows, separator = csv_rows(path)
    header = rows[0][1]
    id_at = _column(header, ROSTER_ID_COLUMNS)
    if id_at is None:
        found = ", ".join(repr(cell) for cell in header[:6])
        raise RosterError(f"{path}:1: no id column in the roster's header line (it reads {found}); the "
                          f"first line must name the columns, one of them the students' ids: "
                          f"{', '.join(repr(n) for n in ROSTER_ID_COLUMNS)}")
    name_at = _column(header, ROSTER_NAME_COLUMNS)
    first_at, last_at = _column(header, ROSTER_FIRST_NAME_COLUMNS), _column(header, ROSTER_LAST_NAME_COLUMNS)
    email_at = _column(header, ROSTER_EMAIL_COLUMNS)
    role_at = _column(header, ROSTER_ROLE_COLUMNS)
    excused_at = _column(header, ROSTER_EXCUSED_COLUMNS)
    section_at = _column(header, ROSTER_SECTION_COLUMNS)
    students: list[RosterStudent] = []
    seen: dict[str, RosterStudent] = {}
    staff: list[int] = []
    for number, row in rows[1:]:
        role = row[role_at].strip().casefold() if role_at is not None and role_at < len(row) else ""
        if role and "student" not in role:
            staff.append(number)
            continue
        student = _roster_row(row, path=path, number=number, header=header, separator=separator,
                              id_at=id_at, name_at=name_at, first_at=first_at, last_at=last_at, email_at=email_at)
        if student is None:
            continue
        mark = row[excused_at].strip() if excused_at is not None and excused_at < len(row) else ""
        if mark.casefold() not in _NOT_MARKED:
            student = replace(student, excused=mark)
        if section_at is not None and section_at < len(row) and row[section_at].strip():
            student = replace(student, section=row[section_at].strip())
        key = student_key(student.id)
        if key in seen:
            raise RosterError(f"{path}:{number}: the id {student.id!r} is on the roster twice (line "
                              f"{seen[key].line} has {seen[key].id!r}; ids are compared ignoring case, "
                              f"accents and spacing)")
        seen[key] = student
        students.append(student)
    if not students:
        raise RosterError(f"{path}: the roster lists no student (only its header line)")
    return Roster(path=path, students=_whole_number_ids(students, comma=separator != ","),
                  id_column=header[id_at].strip(), staff=tuple(staff),
                  excused_column=header[excused_at].strip() if excused_at is not None else "",
                  section_column=header[section_at].strip() if section_at is not None else "")


def _whole_number_ids(students: list[RosterStudent], *, comma: bool) -> tuple[RosterStudent, ...]:
    """``students``, their ids written without decimals when every id is a whole number a
    spreadsheet wrote with zero decimals: ``12345.00`` in a file separated by ``,``, ``12345,00``
    with ``comma`` (a file separated by ``;`` or tabs, as a spreadsheet whose decimal point is a
    comma writes it, and where ``12.000`` is twelve thousand, left as written): a column
    formatted as a number, which a Canvas user id or a student number given as ``12345`` never
    matched. A column where some id is not such a number is left as written."""
    point = "," if comma else "."  # where ',' is the decimal point, '.' groups thousands: 12.000
    numbers = [_ZERO_DECIMALS.match(student.id) for student in students]
    if not all(number and point in student.id for number, student in zip(numbers, students)):
        return tuple(students)
    return tuple(replace(student, id=number[1]) for student, number in zip(students, numbers))


def _roster_row(row: list[str], *, path: Path, number: int, header: list[str], separator: str,
                id_at: int, name_at: int | None, first_at: int | None, last_at: int | None,
                email_at: int | None) -> RosterStudent | None:
    """Line ``number`` of the roster as a student; None for a blank line, or Canvas's "Points
    Possible" line (a gradebook export's second line), which has no id."""
    def cell(at: int | None) -> str:
        return row[at].strip() if at is not None and at < len(row) else ""

    if not any(value.strip() for value in row):
        return None
    if len(row) > len(header):
        # The file's own separator: a roster separated by ';' was told of "Smith, Jane".
        held = "a tab, must be in quotes" if separator == "\t" else f"such as \"Smith{separator} Jane\", must be in quotes"
        raise RosterError(f"{path}:{number}: {len(row)} fields where the header line has {len(header)} (a "
                          f"value holding the separator, {held})")
    name = cell(name_at) or " ".join(part for part in (cell(first_at), cell(last_at)) if part)
    if not cell(id_at):
        if "points possible" in " ".join(row).casefold():
            return None
        raise RosterError(f"{path}:{number}: no id on this line (its column {header[id_at].strip()!r} "
                          f"is empty)")
    return RosterStudent(id=cell(id_at), name=name, email=cell(email_at), line=number)
