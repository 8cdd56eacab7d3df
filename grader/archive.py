"""Safe extraction of a learning platform's bulk download (a zip) into a folder.

Canvas and Moodle hand instructors one zip of the whole class. A zip is
untrusted input: its member names may climb out of the target (``../``), be
absolute, be links, and its sizes may lie (a zip bomb). ``extract_archive``
refuses or skips each of these, counts the bytes it really writes, and
extracts the zips found at the top level (a student who uploaded a zip) one
level deep, within the same budget.

``StudentZips`` unpacks, with the same checks, the zips among one student's files
(``grader.discover.find_submissions(..., unpack=...)``): into the grader's own
temporary folder, only what grading reads of them (notebooks and IMDB reports), and a
zip over a limit costs that student their zip, never the class its run nor another student
their zip. A class run unpacks
each student's zips only when that student's turn comes and removes them once their files are
written (``StudentTurns``); their incremental key is read from the zip itself (``zip_digest``).
"""
from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import lzma
import os
import shutil
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Callable, Mapping

from grader.discover import (
    IGNORED_DIRS, MAX_LISTED, REPORT_FILES, Submission, Unpacked, files_under, is_zip_name, listing,
    readable_id, unpacked_submission,
)
from grader.notes import bounded_note, bounded_notes

_SKIPPED_PARTS = {"__MACOSX", ".DS_Store", "Thumbs.db"}
#: What reading a member whose compressed stream is damaged raises, besides zipfile's own errors:
#: zlib.error (deflate), OSError without an errno (bzip2), LZMAError (lzma). Not caught, one
#: student's corrupt zip stopped the class run with a traceback, no one graded.
_DECOMPRESSION_ERRORS = (zlib.error, OSError, lzma.LZMAError)
_CHUNK = 1 << 16
#: Folders a member's path may go down. Each member's folders were made by a recursive
#: ``mkdir`` and checked by ``resolve`` (an ``lstat`` per folder of its path): a student's zip of
#: 1,900 empty members, each one folder deeper than the last (7 MB), cost the grading process
#: 74 s of CPU, and a tree deeper than Python's recursion limit broke ``shutil.rmtree``, so the
#: class run that unpacked one ended with a traceback (exit status 1) after grading everyone and
#: left its temporary folder, every student's unpacked notebooks, in ``/tmp``.
MAX_MEMBER_DEPTH = 32


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds on what one archive may expand to (the nested zips included)."""

    max_members: int = 50_000
    max_total_bytes: int = 4 * 2**30  # all files written
    max_member_bytes: int = 1 * 2**30  # one file
    max_ratio: float = 200.0  # uncompressed / compressed, for members above ratio_above_bytes
    #: Deflate reaches about 1,000 to 1 on any repeated text, so the ratio tells a bomb only at
    #: sizes no notebook has: a notebook that printed one line 200,000 times (6.8 MB) deflates
    #: 342 to 1.
    ratio_above_bytes: int = 64 * 2**20


@dataclass(frozen=True)
class Extracted:
    """Where an archive went, and the members left out with the reason."""

    root: Path
    files: int
    bytes: int
    skipped: tuple[str, ...] = ()


class ArchiveError(Exception):
    """The archive cannot be used at all (not a zip, corrupt, or over a limit)."""


class ArchiveLimitError(ArchiveError):
    """The archive expands beyond a limit (a possible zip bomb): refused as a whole."""


class _MemberTooLarge(Exception):
    """A member gave more bytes than a member may (its header lied): it is left out."""


def is_archive(path: Path) -> bool:
    """True for an existing file that is a zip archive (by content, not by name)."""
    path = Path(path)
    return path.is_file() and path.suffix != ".ipynb" and zipfile.is_zipfile(path)


def safe_member_path(name: str) -> PurePosixPath | None:
    """The relative path a member may be written to, or None when it must be skipped.

    Backslashes count as separators (zips made on Windows); absolute paths,
    drive letters, ``..`` components, paths more than ``MAX_MEMBER_DEPTH`` folders deep
    and macOS resource forks are refused.
    """
    rel = _member_path(name)
    return rel if isinstance(rel, PurePosixPath) else None


def _member_path(name: str) -> PurePosixPath | str:
    """``safe_member_path``, or why the member is skipped ("" for the junk of macOS and
    Windows, skipped unsaid). The depth is checked before a path is built: pathlib parses
    each part again, about 1 µs a part, and a zip's names may hold millions of parts."""
    text = name.replace("\\", "/")
    if text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        return "unsafe path"
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if len(parts) > MAX_MEMBER_DEPTH + 1:
        return "its path is too deep"
    if any(p in _SKIPPED_PARTS or p.startswith("._") for p in parts):
        return ""
    if not parts or any(p == ".." or "\x00" in p for p in parts):
        return "unsafe path"
    return PurePosixPath(*parts)


class _Budget:
    """Counts members and bytes across one archive and the zips nested in it."""

    def __init__(self, limits: ArchiveLimits) -> None:
        self.limits = limits
        self.members = 0
        self.bytes = 0
        self.dropped = 0  # of ``bytes``, those of members written, then removed (left out)

    def member(self, source: str) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise ArchiveLimitError(f"{source}: more than {self.limits.max_members} members; refused")

    def add(self, count: int, source: str, name: str) -> None:
        self.bytes += count
        if self.bytes > self.limits.max_total_bytes:
            raise ArchiveLimitError(f"{source}: expands to more than {self.limits.max_total_bytes} bytes "
                               f"(at {name}); refused as a possible zip bomb")


def _cannot_write(exc: BaseException) -> str:
    """Why a member could not be written: a file where its folder goes, a name too long (the
    member is skipped; the rest of the archive is extracted)."""
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return "a file of that name is in the way"
    return f"cannot be written ({exc.strerror or type(exc).__name__})"


class _Folders:
    """The folders an extraction made under ``dest``: each made once, counted as a member of the
    budget (a folder takes an inode and a block as a file does: 50,000 members of 31 new
    folders each, within the member limit, would make 1.5 million), and checked once to be a
    folder and no link, so that nothing written goes outside ``dest`` (a ``resolve`` of every
    member's folder did that at a cost that grew with its depth)."""

    def __init__(self, dest: Path, budget: _Budget, label: str) -> None:
        self.dest, self.budget, self.label = dest, budget, label
        self.known: set[PurePosixPath] = {PurePosixPath(".")}

    def make(self, folder: PurePosixPath, *, counted: bool = False) -> None:
        """Make ``folder`` (relative to ``dest``) and those above it not made yet, top down;
        ``counted``: ``folder`` is a member of the zip, counted already. Raises OSError when one
        cannot be made, or is a file or a link."""
        missing = []
        while folder not in self.known:
            missing.append(folder)
            folder = folder.parent
        for folder in reversed(missing):
            if not (counted and folder == missing[0]):
                self.budget.member(self.label)
            path = self.dest / folder
            try:
                path.mkdir()
            except FileExistsError:
                pass
            if not stat.S_ISDIR(os.lstat(path).st_mode):  # a file, or a link to anywhere
                raise FileExistsError(errno.EEXIST, "not a folder", str(path))
            self.known.add(folder)


def _is_link(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


def _extract_into(archive: Path, dest: Path, budget: _Budget, skipped: list[str],
                  label: str, keep: Callable[[PurePosixPath], bool] | None = None) -> list[Path]:
    """Extract ``archive`` into ``dest``; return the files written. With ``keep``, only the
    members it accepts are written (the others are still counted as members)."""
    limits = budget.limits
    written: list[Path] = []
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"{label}: not a readable zip archive ({exc})") from None
    made = _Folders(dest, budget, label)
    with zf:
        for info in zf.infolist():
            budget.member(label)
            rel = _member_path(info.filename)
            if not isinstance(rel, PurePosixPath):
                if rel:
                    skipped.append(f"{label}:{info.filename}: {rel}")
                continue
            if keep is not None and (info.is_dir() or not keep(rel)):
                continue
            if info.is_dir():
                try:
                    made.make(rel, counted=True)
                except OSError as exc:  # a file x before x/, a name too long
                    skipped.append(f"{label}:{info.filename}: {_cannot_write(exc)}")
                continue
            if _is_link(info):
                skipped.append(f"{label}:{info.filename}: symbolic link")
                continue
            if info.flag_bits & 0x1:
                skipped.append(f"{label}:{info.filename}: encrypted")
                continue
            # A member over a limit is left out, not the archive: one student's file never
            # costs the class its run (the archive's totals, above and in _Budget, still refuse it).
            if info.file_size > limits.max_member_bytes:
                skipped.append(f"{label}:{info.filename}: {info.file_size} bytes, over the limit "
                               f"of {limits.max_member_bytes}")
                continue
            if (info.file_size > limits.ratio_above_bytes and info.compress_size
                    and info.file_size / info.compress_size > limits.max_ratio):
                skipped.append(f"{label}:{info.filename}: {info.file_size} bytes at a compression ratio "
                               f"of {info.file_size / info.compress_size:.0f}, over {limits.max_ratio:g}: "
                               f"a possible zip bomb")
                continue
            target = dest / rel
            try:
                made.make(rel.parent)
            except OSError as exc:  # "x/y" after a file "x", a name too long
                skipped.append(f"{label}:{info.filename}: {_cannot_write(exc)}")
                continue
            try:
                out = open(target, "xb")
            except FileExistsError:
                skipped.append(f"{label}:{info.filename}: duplicate name")
                continue
            except OSError as exc:
                skipped.append(f"{label}:{info.filename}: {_cannot_write(exc)}")
                continue
            count = 0
            try:
                with out, zf.open(info) as src:
                    while chunk := src.read(_CHUNK):
                        count += len(chunk)
                        # Sizes in the header can lie: count what really comes out.
                        if count > limits.max_member_bytes:
                            raise _MemberTooLarge
                        budget.add(len(chunk), label, info.filename)
                        out.write(chunk)
            except _MemberTooLarge:
                target.unlink(missing_ok=True)
                budget.dropped += count - len(chunk)  # the last chunk was counted, not added
                skipped.append(f"{label}:{info.filename}: expands beyond {limits.max_member_bytes} "
                               f"bytes")
                continue
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError,
                    zipfile.LargeZipFile, *_DECOMPRESSION_ERRORS) as exc:
                target.unlink(missing_ok=True)
                if isinstance(exc, OSError) and exc.errno is not None:
                    raise  # writing failed (a full disk): the machine's trouble, not the member's
                budget.dropped += count
                skipped.append(f"{label}:{info.filename}: unreadable ({exc})")
                continue
            written.append(target)
    return written


def extract_archive(archive: Path, *, dest: Path, limits: ArchiveLimits = ArchiveLimits(),
                    nested: bool = True) -> Extracted:
    """Extract ``archive`` (a zip) into the empty or new folder ``dest``.

    With ``nested``, a zip at the top level of the submissions (a student who
    uploaded a zip) is extracted into a folder named after it, then removed.
    Unsafe members are skipped and listed in ``Extracted.skipped``; an archive
    over a limit raises :class:`ArchiveError` after removing what it wrote.
    """
    archive, dest = Path(archive), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    budget = _Budget(limits)
    skipped: list[str] = []
    try:
        written = _extract_into(archive, dest, budget, skipped, archive.name)
        root = submissions_root(dest)
        if nested:
            for inner in [p for p in written if p.parent == root and p.suffix.lower() == ".zip"]:
                folder = root / inner.stem
                if folder.exists():
                    skipped.append(f"{inner.name}: not extracted, {folder.name} exists")
                    continue
                try:
                    folder.mkdir()
                    written += _extract_into(inner, folder, budget, skipped, inner.name)
                except ArchiveLimitError:
                    raise
                except ArchiveError as exc:  # a student's broken zip: their problem, not the class's
                    shutil.rmtree(folder, ignore_errors=True)
                    skipped.append(str(exc))
                    continue
                inner.unlink()
                written.remove(inner)
    except ArchiveError:
        for child in list(dest.iterdir()):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
        raise
    # The notes name members a student's zip chose, and are printed: no escape sequence acts,
    # and each is bounded as every note (a member's name may be 64 kB long).
    return Extracted(root=root, files=len(written), bytes=budget.bytes,
                     skipped=tuple(bounded_note(readable_id(note)) for note in skipped))


def submissions_root(folder: Path) -> Path:
    """The folder to grade inside an extracted archive.

    A zip made by hand often wraps everything in one folder
    (``submissions/alice.ipynb ...``): when the top level holds only one
    folder and that folder holds several submissions (notebooks, folders or zips),
    it is the root; otherwise ``folder`` is.
    """
    folder = Path(folder)
    entries = [e for e in folder.iterdir() if not e.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        inner = [e for e in entries[0].iterdir() if not e.name.startswith(".")]
        candidates = [e for e in inner if e.is_dir() or e.suffix in (".ipynb", ".py", ".zip")]
        if len(candidates) > 1:
            return entries[0]
    return folder


#: What the zips of one student may expand to: a notebook is read up to 200 MiB
#: (``grader.notebook.DEFAULT_MAX_BYTES``), so a member over 256 MiB is no notebook of theirs;
#: grading reads one notebook and report files of at most 256 KB, so 256 MiB in all holds
#: whatever it can use (1 GiB let a 1 MB upload of four 256 MiB notebooks of zeros write 1 GiB,
#: about 4.7 s, for a submission refused for its four notebooks). No ratio limit: a notebook that
#: printed one line 200,000 times (6.8 MB) deflates 342 to 1, and the sizes bound a bomb, which
#: is refused and removed.
STUDENT_LIMITS = ArchiveLimits(max_total_bytes=256 * 2**20, max_member_bytes=256 * 2**20,
                               max_ratio=float("inf"))
#: Notebooks and report files the zips of one student may hold (grading reads one notebook and
#: at most ``grader.discover.MAX_EXTRA_FILES`` files beside it): a zip of 50,000 empty notebooks
#: (5 MB) cost the grading process 8.7 s, writing 50,000 files and reading them back.
MAX_STUDENT_FILES = 100


def _graded_member(names: list[PurePosixPath]) -> Callable[[PurePosixPath], bool]:
    """Which members of a student's zip grading reads, out of all its ``names``: the notebooks
    (the ``.ipynb`` files, or the ``.py`` files of a zip that holds no ``.ipynb``) and the IMDB
    report files, outside hidden and cache folders. A data set or a virtual environment in the
    zip is never written, so a run that unpacks the class again at each start stays cheap."""
    def visible(rel: PurePosixPath) -> bool:
        return not any(part.startswith(".") or part in IGNORED_DIRS for part in rel.parts)

    suffixes = (".ipynb",) if any(rel.suffix == ".ipynb" and visible(rel) for rel in names) \
        else (".ipynb", ".py")
    return lambda rel: visible(rel) and (rel.suffix in suffixes or rel.name.lower() in REPORT_FILES)


def _graded_names(infos: list[zipfile.ZipInfo]) -> tuple[list[PurePosixPath], Callable[[PurePosixPath], bool]]:
    """The safe paths of the files of a zip (its ``infos``), and which of them grading reads
    (``_graded_member``): one choice for ``StudentZips``, which writes them, and ``zip_digest``,
    whose key must cover what is written."""
    names = [rel for info in infos if not info.is_dir()
             for rel in [safe_member_path(info.filename)] if rel is not None]
    return names, _graded_member(names)


class StudentZips:
    """Unpacks the zips among one student's files (a ``grader.discover.Unpacker``) into ``dest``,
    the grader's own temporary folder, each zip into a new folder of its own.

    Each zip gets the checks of ``extract_archive`` (names, links, encrypted members, sizes,
    member counts, compression ratios), within ``limits`` for one student's zips together; a zip
    that fails them is not unpacked, and stays one of the student's files, with a note saying
    why. A zip inside a zip is not unpacked.

    There is no allowance for the class unless ``class_bytes`` is given (see
    ``grader.discover.find_submissions`` for what that costs): one spent first come, first served
    let four students whose zips expanded to 1 GiB each leave every later student's zip refused.
    """

    def __init__(self, *, dest: Path, limits: ArchiveLimits = STUDENT_LIMITS,
                 class_bytes: int | None = None, max_files: int = MAX_STUDENT_FILES) -> None:
        """Unpack into ``dest`` (made when needed), within ``limits``, at most ``max_files``
        notebooks and report files a student; with ``class_bytes``, at most that many bytes for
        all the students this one unpacks for together, the first served first."""
        self.dest = Path(dest)
        self.limits = limits
        self.max_files = max_files
        self.class_bytes = class_bytes
        self.class_left = class_bytes  # what the class's zips may still expand to (None: no limit)
        self.folders = 0

    def __call__(self, files: Mapping[str, Path]) -> Unpacked:
        """``files`` (one student's, name -> path) with their zips unpacked."""
        kept = {name: path for name, path in files.items() if not is_zip_name(name)}
        unpacked: dict[str, Path] = {}
        notes: list[str] = []
        used = _Budget(self.limits)  # this student's zips so far
        for name in [name for name in files if is_zip_name(name)]:
            got, said = self._unpack(name, files[name], used, files_left=self.max_files - len(unpacked))
            notes += said
            if got is None:
                kept[name] = files[name]
            else:
                unpacked.update(got)
        # The notes quote names the student chose, and are printed: no escape sequence acts;
        # and they are bounded as every note (``grader.notes``), since a member's name may be
        # 64 kB long and twenty zips in a 100 MB upload say hundreds of them.
        return Unpacked(files=MappingProxyType(kept), unpacked=MappingProxyType(unpacked),
                        notes=bounded_notes(tuple(readable_id(note) for note in notes)))

    def _unpack(self, name: str, path: Path, used: _Budget, *,
                files_left: int) -> tuple[dict[str, Path] | None, list[str]]:
        """The files of zip ``name`` (at ``path``) by their names in the submission, and the
        notes to say; None for the files when it was not unpacked (``files_left``: the
        notebooks and report files it may still give)."""
        student_room = self.limits.max_total_bytes - used.bytes
        room = student_room if self.class_left is None else min(student_room, self.class_left)
        members = self.limits.max_members - used.members
        try:
            with open(path, "rb") as raw:
                directory = _directory_bytes(raw)
                listed = (_members(raw) or 0) if directory <= MAX_DIRECTORY_BYTES else 0
            if directory > MAX_DIRECTORY_BYTES:
                return None, [f"{name} was not unpacked: its directory of members is {directory:,} bytes, "
                              f"over the limit of {MAX_DIRECTORY_BYTES:,}."]
            if listed > members:
                return None, [f"{name} was not unpacked: {listed} members, over the limit of {members}."]
            with zipfile.ZipFile(path) as zf:
                infos = zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            return None, [f"{name} was not unpacked: it is not a zip archive that can be read ({exc})."]
        if room <= 0 or len(infos) > members:
            why = (f"{len(infos)} members, over the limit of {members}" if len(infos) > members
                   else "the zips already unpacked reached the limit of what the grader unpacks")
            return None, [f"{name} was not unpacked: {why}."]
        names, keep = _graded_names(infos)
        wanted = sum(1 for rel in names if keep(rel))
        if wanted > files_left:
            return None, [f"{name} was not unpacked: it holds {wanted} notebooks and imdb_report files, and "
                          f"the grader unpacks at most {self.max_files} from one student's zips."]
        declared = _declared_bytes(infos, keep=keep, member_limit=self.limits.max_member_bytes)
        if declared > student_room:
            # Said by the zip's own directory, refused before a byte is written: ``zipfile``
            # gives no more of a member than its entry says, so a lying size gets no further
            # (the budget below still counts, and keeps the class's allowance).
            return None, [f"{name} was not unpacked: its notebooks and reports expand to {declared:,} "
                          f"bytes, over the limit of {student_room:,}; refused as a possible zip bomb."]
        budget = _Budget(dataclasses.replace(self.limits, max_total_bytes=room, max_members=members))
        self.folders += 1
        folder = self.dest / f"z{self.folders}"
        folder.mkdir(parents=True)
        skipped: list[str] = []
        try:
            _extract_into(path, folder, budget, skipped, name, keep=keep)
        except ArchiveError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            class_wide = (budget.bytes > room and self.class_left is not None
                          and self.class_left < student_room)
            said = str(exc).removeprefix(f"{name}:").strip()
            why = (f"the zips of the class reached {self.class_bytes:,} bytes, the most the grader "
                   f"unpacks in one run" if class_wide else said)
            return None, [f"{name} was not unpacked: {why}."]
        used.bytes += budget.bytes
        used.members += budget.members
        # What stays on the disk: a member written and then left out (found damaged) counts
        # against its student's allowance, which bounds the time it costs, not the class's, or a
        # few students' damaged zips would leave every later student's zip unpacked.
        if self.class_left is not None:
            self.class_left -= budget.bytes - budget.dropped
        left = [rel for rel in names if not keep(rel)]
        return self._taken(name, folder, left, skipped)

    def _taken(self, name: str, folder: Path, left: list[PurePosixPath],
               skipped: list[str]) -> tuple[dict[str, Path], list[str]]:
        """The files unpacked from zip ``name`` into ``folder``, and the notes that say so
        (``left``: its members not wanted for grading; ``skipped``: those refused)."""
        taken = files_under(folder)
        found = {f"{name}/{rel}": path for rel, path in taken.items()}
        inner = [str(rel) for rel in left if is_zip_name(rel.name)]
        others = len(left) - len(inner)
        if taken:
            note = f"Unpacked {name}: {listing(list(taken))}"
        elif skipped:
            note = f"Unpacked {name}: no notebook (.ipynb or .py) nor imdb_report file came out of it"
        else:
            note = f"Unpacked {name}: it holds no notebook (.ipynb or .py) and no imdb_report file"
        if others:
            note += (" (1 other file in it is not read for grading)" if others == 1
                     else f" ({others} other files in it are not read for grading)")
        notes = [note + "."]
        if inner:
            notes.append(f"{name} holds {listing(inner)}, which is not unpacked: the grader unpacks the zip "
                         f"you submit, not a zip inside it"
                         + (f"; put your notebook in {name} itself." if not taken else "."))
        notes += [f"Left out of {name}: {note[len(name) + 1:]}" for note in skipped[:MAX_LISTED]]
        if len(skipped) > MAX_LISTED:
            notes.append(f"... and {len(skipped) - MAX_LISTED} more member(s) of {name} left out.")
        return found, notes


def _declared_bytes(infos: list[zipfile.ZipInfo], *, keep: Callable[[PurePosixPath], bool],
                    member_limit: int) -> int:
    """What the members of a zip that ``StudentZips`` would write say they expand to (a member
    over ``member_limit`` is left out, unwritten, so it counts nothing)."""
    total = 0
    for info in infos:
        rel = safe_member_path(info.filename)
        if rel is not None and not info.is_dir() and keep(rel) and info.file_size <= member_limit:
            total += info.file_size
    return total


#: Bytes of a student's zip's central directory that are read: 50,000 members (the limit) of
#: names as long as a folder's file names go (255 bytes) fill 15 MB; 49,000 names of 2,000
#: characters (a 191 MB upload) cost 2.7 s and 350 MB to parse, before any limit was looked at.
MAX_DIRECTORY_BYTES = 32 * 2**20


def _directory_bytes(raw) -> int:
    """How long the central directory of the zip open in ``raw`` says it is (0 when that cannot
    be read: ``zipfile`` then says why)."""
    end = getattr(zipfile, "_EndRecData", None)
    try:
        record = end(raw) if end is not None else None
    except (OSError, ValueError, struct.error):
        return 0
    return record[zipfile._ECD_SIZE] if record else 0


def _members(raw) -> int | None:
    """How many members the zip open in ``raw`` lists in its central directory, counted from the
    records' fixed headers without building them: ``zipfile.ZipFile`` makes a ``ZipInfo`` of every
    member before any limit is looked at, so a student's 30 MB zip of 300,000 empty members cost
    the grading process 5.5 s and 250 MB for its key at every run, and as much again when unpacked
    at its turn, all of the class waiting (0.03 s counted so). None when the zip cannot be read so
    (``zipfile`` then says why)."""
    end = getattr(zipfile, "_EndRecData", None)
    try:
        record = end(raw) if end is not None else None
        if not record:
            return None
        size = record[zipfile._ECD_SIZE]
        start = record[zipfile._ECD_LOCATION] - size  # where zipfile reads it (data may precede the zip)
        if record[zipfile._ECD_SIGNATURE] == zipfile.stringEndArchive64:
            start -= zipfile.sizeEndCentDir64 + zipfile.sizeEndCentDir64Locator
        if start < 0:
            return None
        raw.seek(start)
        data = raw.read(size)
    except (OSError, ValueError, struct.error, AttributeError):
        return None
    at = count = 0
    while at + 46 <= len(data):
        names, extra, comment = struct.unpack_from("<HHH", data, at + 28)
        at += 46 + names + extra + comment
        count += 1
    return count


def _member_names(path: Path, *, limits: ArchiveLimits) -> list[str]:
    """The member names of the zip at ``path`` from its central directory, unpacking nothing; [] for
    a zip whose directory is over ``MAX_DIRECTORY_BYTES`` or ``limits.max_members``, or unreadable."""
    try:
        with open(path, "rb") as raw:
            if _directory_bytes(raw) > MAX_DIRECTORY_BYTES or (_members(raw) or 0) > limits.max_members:
                return []
            with zipfile.ZipFile(raw) as zf:
                return zf.namelist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        return []


def students_in(path: Path, *, limits: ArchiveLimits = STUDENT_LIMITS) -> tuple[str, ...]:
    """The students whose Canvas or Moodle download names the members of the zip at ``path``
    carry (``smithjane_12345_67890_rnn.ipynb``, ``Jane Smith_4242_assignsubmission_file_/...``, at
    the top or one folder down), by id: two or more make it a class's download, no student's
    upload. () for a zip whose names cannot be read within ``limits`` (its student's turn says
    why). A folder holding two sections' downloads graded each as one student with a zero, or,
    with one notebook in it, with that notebook's score (thirty-fourth session)."""
    from grader.discover import platform_name

    ids = set()
    for name in _member_names(path, limits=limits):
        parts = name.split("/")
        for at, part in enumerate(parts[:2]):
            named = platform_name(part)
            if named is not None and (named.original or at < len(parts) - 1):  # a file, or a folder
                ids.add(readable_id(named.id))
                break
    return tuple(sorted(ids))


def notebooks_named_in(path: Path, *, limits: ArchiveLimits = STUDENT_LIMITS) -> tuple[str, ...]:
    """The names without their suffix of the notebooks and ``.py`` files of the zip at ``path``, at
    its top or one folder down (``alice.ipynb``, ``late/bob.py``: ``alice``, ``bob``), sorted; () for
    a zip whose names cannot be read within ``limits``. What a late zip's files are called, read
    without unpacking it: a TA who packed two students' late notebooks in one zip is told before
    anything is graded (``grader.classoptions.classmates_named_in``)."""
    stems = {PurePosixPath(name).stem for name in _member_names(path, limits=limits)
             if name.count("/") <= 1 and PurePosixPath(name).suffix in (".ipynb", ".py")}
    return tuple(sorted(stems))


def zip_digest(path: Path, *, limits: ArchiveLimits = STUDENT_LIMITS) -> bytes:
    """sha256 of what unpacking the student's zip at ``path`` depends on, read without unpacking
    it: its size, every member's central-directory entry (name, CRC, sizes, method, flags,
    attributes), and the stored bytes (local header and compressed data) of the members
    ``StudentZips`` would write, at most ``limits.max_total_bytes`` of them; for a file that
    reads as no zip, its bytes up to that many. The incremental key of a zipped submission
    (``grader.incremental.submission_key``), worked out at discovery, before the zip is unpacked
    at its student's turn: a changed member changes it, a zip unchanged keeps it."""
    digest = hashlib.sha256()
    left = limits.max_total_bytes
    try:
        with open(path, "rb") as raw:
            digest.update(f"size:{os.fstat(raw.fileno()).st_size}:".encode())
            try:
                if (_directory_bytes(raw) > MAX_DIRECTORY_BYTES
                        or (_members(raw) or 0) > limits.max_members):  # never unpacked: its bytes are its key
                    raise zipfile.BadZipFile("too many members")
                with zipfile.ZipFile(raw) as zf:
                    infos = zf.infolist()
            except (zipfile.BadZipFile, ValueError, EOFError, OSError):
                digest.update(b"unreadable:")
                raw.seek(0)
                while left > 0 and (chunk := raw.read(min(_CHUNK, left))):
                    digest.update(chunk)
                    left -= len(chunk)
                return digest.digest()
            keep = _graded_names(infos)[1]
            for info in infos:
                digest.update(json.dumps([info.filename, info.CRC, info.file_size, info.compress_size,
                                          info.compress_type, info.flag_bits, info.external_attr,
                                          info.create_system, info.header_offset]).encode())
                rel = safe_member_path(info.filename)
                if rel is None or info.is_dir() or not keep(rel) or left <= 0:
                    continue
                left -= _digest_stored(raw, info, digest, left)
    except OSError:
        digest.update(b"cannot be read")
    return digest.digest()


def student_zip_digests(paths: list[Path], *, limits: ArchiveLimits = STUDENT_LIMITS) -> list[bytes]:
    """``zip_digest`` of each of one student's zips at ``paths``, in order, the member allowance
    ``limits.max_members`` shared among them as ``StudentZips`` shares it when unpacking: a zip past
    what the earlier ones left is keyed by its bytes, unparsed. Each zip on its own allowance,
    twenty zips of 49,999 empty members (5 MB each) were each parsed whole, about 1 s each, for the
    student's key at every run."""
    left = limits.max_members
    digests = []
    for path in paths:
        digests.append(zip_digest(path, limits=dataclasses.replace(limits, max_members=max(left, 0))))
        try:
            with open(path, "rb") as raw:
                left -= _members(raw) or 0
        except OSError:
            pass
    return digests


def _digest_stored(raw, info: zipfile.ZipInfo, digest, most: int) -> int:
    """Add to ``digest`` the local header and the compressed bytes of member ``info`` of the open
    zip ``raw``, at most ``most`` bytes; return how many were added."""
    raw.seek(info.header_offset)
    head = raw.read(30)
    digest.update(head)
    if len(head) < 30:
        return len(head)
    name_length, extra_length = struct.unpack("<HH", head[26:30])
    want = min(name_length + extra_length + info.compress_size, most - len(head))
    added = len(head)
    while want > 0 and (chunk := raw.read(min(_CHUNK, want))):
        digest.update(chunk)
        want -= len(chunk)
        added += len(chunk)
    return added


class StudentTurns:
    """The zips of each student unpacked when that student's turn to be graded comes, each
    student's into a folder of their own under ``dest``, and removed once their files are
    written (``release``): the disk holds the files of the few students being graded, and each
    student's zips are bounded by ``limits`` alone, so a student's zips cost only that student.

    Unpacked at discovery under one allowance for the class (4 GiB, first come, first served),
    four students whose zips expanded to 1 GiB each left every later student's zip refused, and
    the class's disk held every student's files until the run ended.
    """

    def __init__(self, *, dest: Path, limits: ArchiveLimits = STUDENT_LIMITS,
                 max_files: int = MAX_STUDENT_FILES) -> None:
        """Unpack under ``dest`` (made when needed), each student within ``limits`` and
        ``max_files`` (as ``StudentZips``)."""
        self.dest = Path(dest)
        self.limits = limits
        self.max_files = max_files
        self._folders: dict[str, Path] = {}
        self._made = 0

    def open(self, submission: Submission) -> Submission:
        """``submission`` to grade (``grader.discover.unpacked_submission``): its zips unpacked into
        a new folder of its own, kept until ``release``; a submission without zips as it is.
        When unpacking fails (a full disk), what it wrote is removed before the error is raised."""
        if not submission.packed:
            return submission
        self.release(submission.id)
        self._made += 1
        folder = self.dest / f"s{self._made}"
        self._folders[submission.id] = folder
        unpack = StudentZips(dest=folder, limits=self.limits, max_files=self.max_files)
        try:
            return unpacked_submission(submission, unpack=unpack)
        except BaseException:
            self.release(submission.id)
            raise

    def release(self, submission_id: str) -> None:
        """Remove what was unpacked for ``submission_id`` (nothing when nothing was)."""
        folder = self._folders.pop(submission_id, None)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
