"""Safe extraction of a learning platform's bulk download (a zip) into a folder.

Canvas and Moodle hand instructors one zip of the whole class. A zip is
untrusted input: its member names may climb out of the target (``../``), be
absolute, be links, and its sizes may lie (a zip bomb). ``extract_archive``
refuses or skips each of these, counts the bytes it really writes, and
extracts the zips found at the top level (a student who uploaded a zip) one
level deep, within the same budget.
"""
from __future__ import annotations

import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.discover import readable_id

_SKIPPED_PARTS = {"__MACOSX", ".DS_Store", "Thumbs.db"}
_CHUNK = 1 << 16


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds on what one archive may expand to (the nested zips included)."""

    max_members: int = 50_000
    max_total_bytes: int = 4 * 2**30  # all files written
    max_member_bytes: int = 1 * 2**30  # one file
    max_ratio: float = 200.0  # uncompressed / compressed, for members above 1 MiB


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


def is_archive(path: Path) -> bool:
    """True for an existing file that is a zip archive (by content, not by name)."""
    path = Path(path)
    return path.is_file() and path.suffix != ".ipynb" and zipfile.is_zipfile(path)


def safe_member_path(name: str) -> PurePosixPath | None:
    """The relative path a member may be written to, or None when it must be skipped.

    Backslashes count as separators (zips made on Windows); absolute paths,
    drive letters, ``..`` components and macOS resource forks are refused.
    """
    text = name.replace("\\", "/")
    if text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        return None
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    if any(p in _SKIPPED_PARTS or p.startswith("._") for p in parts):
        return None
    if any("\x00" in p for p in parts):
        return None
    return PurePosixPath(*parts)


class _Budget:
    """Counts members and bytes across one archive and the zips nested in it."""

    def __init__(self, limits: ArchiveLimits) -> None:
        self.limits = limits
        self.members = 0
        self.bytes = 0

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
    """Why a member could not be written: a file where its folder goes, a name too long, a
    path too deep (the member is skipped; the rest of the archive is extracted)."""
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return "a file of that name is in the way"
    if isinstance(exc, RecursionError):
        return "its path is too deep"
    return f"cannot be written ({exc.strerror or type(exc).__name__})"


def _is_link(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


def _extract_into(archive: Path, dest: Path, budget: _Budget, skipped: list[str],
                  label: str) -> list[Path]:
    """Extract ``archive`` into ``dest``; return the files written."""
    limits = budget.limits
    written: list[Path] = []
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"{label}: not a readable zip archive ({exc})") from None
    with zf:
        for info in zf.infolist():
            budget.member(label)
            rel = safe_member_path(info.filename)
            if rel is None:
                if not any(p in _SKIPPED_PARTS or p.startswith("._")
                           for p in info.filename.replace("\\", "/").split("/")):
                    skipped.append(f"{label}:{info.filename}: unsafe path")
                continue
            if info.is_dir():
                try:
                    (dest / rel).mkdir(parents=True, exist_ok=True)
                except (OSError, RecursionError) as exc:  # a file x before x/, a name too long
                    skipped.append(f"{label}:{info.filename}: {_cannot_write(exc)}")
                continue
            if _is_link(info):
                skipped.append(f"{label}:{info.filename}: symbolic link")
                continue
            if info.flag_bits & 0x1:
                skipped.append(f"{label}:{info.filename}: encrypted")
                continue
            if info.file_size > limits.max_member_bytes:
                raise ArchiveLimitError(f"{label}:{info.filename}: {info.file_size} bytes, over the limit "
                                   f"of {limits.max_member_bytes}; refused")
            if (info.file_size > 2**20 and info.compress_size
                    and info.file_size / info.compress_size > limits.max_ratio):
                raise ArchiveLimitError(f"{label}:{info.filename}: compression ratio "
                                   f"{info.file_size / info.compress_size:.0f}, over "
                                   f"{limits.max_ratio:g}; refused as a possible zip bomb")
            target = dest / rel
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except (OSError, RecursionError) as exc:  # "x/y" after a file "x", a name too long
                skipped.append(f"{label}:{info.filename}: {_cannot_write(exc)}")
                continue
            if target.parent.is_symlink() or not target.parent.resolve().is_relative_to(dest.resolve()):
                skipped.append(f"{label}:{info.filename}: outside the target")
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
                            raise ArchiveLimitError(f"{label}:{info.filename}: expands beyond "
                                               f"{limits.max_member_bytes} bytes; refused")
                        budget.add(len(chunk), label, info.filename)
                        out.write(chunk)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError,
                    zipfile.LargeZipFile) as exc:
                target.unlink(missing_ok=True)
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
    # The notes name members a student's zip chose, and are printed: no escape sequence acts.
    return Extracted(root=root, files=len(written), bytes=budget.bytes,
                     skipped=tuple(readable_id(note) for note in skipped))


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
