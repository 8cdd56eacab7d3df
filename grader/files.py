"""Writing files so that an interrupted run never leaves half of one behind, and private
temporary folders that a killed run does not leave behind for good (``run_folder``)."""
from __future__ import annotations

import contextlib
import errno
import hashlib
import marshal
import os
import re
import shutil
import stat
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence


def digest_of(data: bytes) -> list:
    """``[size, sha256 hex]`` of ``data``: how an incremental key records a file's bytes."""
    return [len(data), hashlib.sha256(data).hexdigest()]


def sources_digest(root: Path, names: Iterable[str]) -> bytes:
    """sha256 over the files ``names`` (relative, '/'-separated) under ``root``, in the given
    order, each as ``name:length:`` and its bytes: how the grader digests its own code (the
    incremental key's ``grader_digest``, the fixture cache's decoding code)."""
    digest = hashlib.sha256()
    for name in names:
        data = (root / name).read_bytes()
        digest.update(f"{name}:{len(data)}:".encode())
        digest.update(data)
    return digest.digest()


def package_version(package: Path) -> str:
    """The first 12 hex digits of :func:`sources_digest` over the ``*.py`` files at the top of
    ``package``, by name: a student kit's grader (``grader.kit`` writes it in the kit's marker and
    compares it when the kit is written again; the kit's self-check prints it beside the kit's version)."""
    package = Path(package)
    return sources_digest(package, sorted(path.name for path in package.glob("*.py") if path.is_file())).hex()[:12]


def write_atomic(path: str | os.PathLike[str], data: str | bytes, *, durable: bool = False,
                 mode: int | None = None, digests: dict[str, list] | None = None) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never a part.

    The bytes go to ``.<name>.<pid>.<thread>.tmp`` beside the target, then
    ``os.replace`` puts them in place. The temporary name is unique among live
    writers (one process and thread writes it at a time), so no random name is
    needed; a stale one left by a killed process is truncated and reused.
    Text is written as UTF-8, a lone surrogate as ``?``.
    ``durable`` flushes the bytes to disk before the rename (files that must survive a
    power cut, such as fixtures); ``mode`` sets the permissions (default 0600). ``digests``,
    when given, receives ``digest_of`` the bytes written under the file's name (for a key that
    then need not read the file back).

    A file that already holds exactly these bytes, and is one this function would write (a
    regular file of this user, its only link, mode 0600), is left as it is (``_already_there``):
    a re-run whose results did not change reads each file instead of replacing it, which costs
    the kernel a new inode, the old one's release and, on a file system mounted with
    ``discard``, a wait for the disk. Never with ``durable`` or ``mode``.
    """
    # The path as a string, split once: pathlib's objects (the parent, the name, the
    # temporary's path, each converted back at every system call) cost more than the rest of
    # the function's Python in a class run, where the grading process writes two files a
    # submission and its code is cold between them.
    path = os.fspath(path)
    folder, name = os.path.split(path)
    if name in ("", "."):  # "out/a/" and "out/a/." name the file "out/a", as a Path of them would
        path = os.fspath(Path(path))
        folder, name = os.path.split(path)
    # A lone surrogate (text from a notebook or a student's exception) cannot be UTF-8: it is
    # written as "?" rather than failing the student's whole record.
    blob = data.encode("utf-8", "replace") if isinstance(data, str) else data
    if not durable and mode is None and _already_there(path, blob):
        if digests is not None:
            digests[name] = digest_of(blob)
        return
    tmp = os.path.join(folder, f".{name}.{os.getpid()}.{threading.get_ident()}.tmp")
    flags = (os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
             | getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(tmp, flags, 0o600)
    except FileNotFoundError:
        Path(folder or ".").mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, flags, 0o600)
    try:
        try:
            view = memoryview(blob)
            while view:
                view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)
            if mode is not None:
                os.fchmod(fd, mode)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        if digests is not None:
            digests[name] = digest_of(blob)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _already_there(path: str, blob: bytes) -> bool:
    """True when ``path`` is a regular file (not followed if a link) of this process's user, with
    one link and mode 0600, holding exactly ``blob``: what ``write_atomic`` would leave there. A
    file linked elsewhere too, or with other permissions, is replaced as before (a reader of the
    other name, or the permissions, would otherwise differ from a run into a new folder).
    Anything but a regular file is never opened (a FIFO would block, a device act)."""
    try:
        seen = os.lstat(path)
    except OSError:  # none yet (a new folder): written
        return False
    if (not stat.S_ISREG(seen.st_mode) or seen.st_nlink != 1 or seen.st_size != len(blob)
            or stat.S_IMODE(seen.st_mode) != 0o600 or seen.st_uid != os.geteuid()):
        return False
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
                     | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        info = os.fstat(fd)  # still the file looked at (not swapped since)
        if (info.st_ino, info.st_dev, info.st_size) != (seen.st_ino, seen.st_dev, seen.st_size):
            return False
        return os.read(fd, len(blob) + 1) == blob
    except OSError:
        return False
    finally:
        os.close(fd)


def read_bytes(path: str | os.PathLike[str], *, limit: int | None = None, follow_links: bool = True) -> bytes:
    """The bytes of the file at ``path``, read with a buffer of the file's own size (``fstat``)
    in a few system calls (``open(path, "rb").read()`` makes about ten, and a read of a fixed
    large size allocates that much). A file that grows meanwhile is read on to its end; with
    ``limit``, at most ``limit + 1`` bytes are read, so that a caller can tell the file is
    larger. ``follow_links=False`` refuses a symbolic link (``OSError``)."""
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | (0 if follow_links else getattr(os, "O_NOFOLLOW", 0))
    fd = os.open(path, flags)
    try:
        return _read_open(fd, size=os.fstat(fd).st_size, limit=limit)
    finally:
        os.close(fd)


def _read_open(fd: int, *, size: int, limit: int | None) -> bytes:
    """The bytes of the open file ``fd`` from where it stands to its end, ``size`` its size as
    ``fstat`` gave it (a buffer of that size: one read sees the end); with ``limit``, at most
    ``limit + 1`` bytes, so that a caller can tell the file is larger (`read_bytes`,
    `read_sealed`)."""
    cap = None if limit is None else limit + 1
    data = b""
    while cap is None or len(data) < cap:
        want = max(size + 1 - len(data), 1 << 16)  # size + 1: one read sees the end
        chunk = os.read(fd, want if cap is None else min(want, cap - len(data)))
        if not chunk:
            break
        data += chunk
    return data


#: Folder of a sealed cache, beside the file it caches (``sealed_cache_path``).
SEALED_CACHE_DIR = ".cache"
#: Bytes of a sealed payload's seal: its sha256.
_SEAL = 32


def sealed_cache_path(source: Path) -> Path:
    """Where the sealed cache of ``source`` lives: ``<its folder>/.cache/<its name>.marshal``."""
    return source.parent / SEALED_CACHE_DIR / f"{source.name}.marshal"


def sealed_header(magic: bytes, *, layout: int, code_digest: bytes, source: bytes) -> bytes:
    """The header a marshal cache of ``source`` (a file's bytes) must start with: its kind
    (``magic``), its payload's ``layout`` version, the Python and marshal versions that wrote it,
    the digest of the code that decides what ``source`` decodes to, and ``source``'s digest."""
    version = f"format {layout}; python {sys.version_info[0]}.{sys.version_info[1]}; " \
              f"marshal {marshal.version}\n".encode()
    return magic + version + code_digest + hashlib.sha256(source).digest()


def read_sealed(path: str | os.PathLike[str], header: bytes, *, max_bytes: int) -> bytes | None:
    """The payload that ``write_sealed`` kept at ``path`` under ``header``, or None: when the file
    is missing, has another header, a payload whose digest does not match, more than
    ``max_bytes``, or is not a regular file (not a link) of this process's user that no one else
    may write. The digests tell a stale or damaged file, not a forged one: a file someone else
    could have written (or replaced) is refused, and a FIFO or device planted there is never read
    (it would block or never end). For caches, which fall back to their source on None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid()
                or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) or info.st_size > max_bytes):
            return None
        data = _read_open(fd, size=info.st_size, limit=max_bytes)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # grew past the limit while read
        return None
    if not data.startswith(header) or len(data) < len(header) + _SEAL:
        return None
    payload = data[len(header) + _SEAL:]
    if hashlib.sha256(payload).digest() != data[len(header):len(header) + _SEAL]:
        return None
    return payload


def write_sealed(path: str | os.PathLike[str], header: bytes, payload: bytes) -> bool:
    """Keep ``payload`` at ``path`` after ``header`` and its digest, for ``read_sealed`` (atomically,
    readable and writable by this user only); False if it could not be written."""
    try:
        write_atomic(path, header + hashlib.sha256(payload).digest() + payload)
        _ignored_by_git(Path(path).parent)
    except OSError:
        return False
    return True


def _ignored_by_git(folder: Path) -> None:
    """Give a ``.cache`` folder a ``.gitignore`` of ``*`` (as pytest does its cache's): a course's
    rubric folder kept in its own repository got ``course/.cache/`` and ``course/fixtures/.cache/``
    beside the files to commit, and ``git add course`` took the caches too."""
    ignore = folder / ".gitignore"
    if folder.name == SEALED_CACHE_DIR and not ignore.exists():
        write_atomic(ignore, b"# the grader's cache (grader/files.py, write_sealed): never committed\n*\n",
                     mode=0o644)


#: The file in a ``run_folder`` that its run holds an exclusive ``flock`` on for its whole life.
#: The kernel releases the lock when the process dies, however it dies (SIGKILL, the OOM
#: killer), so a folder whose lock can be taken is a dead run's; a pid written down instead
#: would be reused by another process.
RUN_LOCK = ".run.lock"
#: How old (by its modification time) a folder named like a run's that holds no lock file must
#: be before ``sweep_run_folders`` removes it: such folders were left by versions of the grader
#: before the lock (session 24) and by a run killed before it took its lock; no class run lasts
#: a day. A live run's lock file appears already locked (``_take_lock``), never before.
UNLOCKED_AGE = 24 * 3600


@dataclass(frozen=True)
class Swept:
    """What ``sweep_run_folders`` did: the stale folders it removed, and the first one it could
    not look at or remove, with why ("" when none)."""

    removed: int = 0
    problem: str = ""


#: The name of a class run's folder for the students' zips in the temporary directory starts so
#: (``run_folder``; ``grader.incremental`` knows a result graded from there by it).
UNPACK_PREFIX = "grade-unzip-"
#: ... and that of the folder a class zip (a Canvas or Moodle download) is extracted into.
CLASS_ZIP_PREFIX = "grade-zip-"


@contextlib.contextmanager
def run_folder(prefix: str) -> Iterator[Path]:
    """A new folder of this user only (0700) in the temporary directory, named ``prefix`` and a
    random part, removed when the block ends. This process holds the lock of its ``RUN_LOCK``
    while the block runs, so ``sweep_run_folders`` in another run, or in a later one after this
    process was killed, tells whether it is still in use.

    A ``tempfile.TemporaryDirectory`` stays for good when its process is killed with SIGKILL,
    with whatever was written in it (a class run's: the students' unpacked notebooks)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        lock = _take_lock(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    try:
        yield folder
    finally:
        try:
            shutil.rmtree(folder, ignore_errors=True)  # a sweep finds what could not be removed
        finally:
            if lock is not None:
                os.close(lock)  # after the removal: a sweep never sees this folder unlocked


def _take_lock(folder: Path) -> int | None:
    """Hold the lock of ``folder``'s ``RUN_LOCK`` and return its descriptor. The file is made
    under another name, locked, then renamed: a sweep meanwhile sees no lock file in a folder
    just made (too young to be swept), never a lock file no one holds yet. The descriptor is
    not inherited by a program this process starts (a forked worker shares it, and dies with
    its parent: ``grader.parent``).

    None, and no lock file, where the temporary directory's file system has no ``flock`` (some
    network file systems: ENOLCK, EOPNOTSUPP): the folder is then one that holds no lock, which
    a sweep removes only a day old (``UNLOCKED_AGE``), and the run goes on as before the lock
    (the run failed there instead)."""
    import fcntl

    new = folder / f"{RUN_LOCK}.new"
    fd = os.open(new, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno not in NO_FLOCK:
            raise
        new.unlink()
        return None
    except BaseException:
        os.close(fd)
        raise
    try:
        os.rename(new, folder / RUN_LOCK)
    except BaseException:
        os.close(fd)
        raise
    return fd


#: What ``flock`` says on a file system that does not lock (NFS without a lock manager, some
#: FUSE file systems).
NO_FLOCK = frozenset({errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP})


def sweep_run_folders(prefix: str, *, unlocked_age: float = UNLOCKED_AGE) -> Swept:
    """Remove the folders named ``prefix...`` in the temporary directory that dead runs of this
    user left (``run_folder``): each a folder (not a link, not a file) of this user whose
    ``RUN_LOCK`` this process can lock without waiting, or which holds none and was last
    changed ``unlocked_age`` seconds ago or more. Anything else is left as it is: another
    user's folder, a link (never followed), a live run's folder (its lock is held). Never waits
    and never raises ``OSError``: what it could not do is in ``Swept.problem``."""
    base = tempfile.gettempdir()
    try:
        with os.scandir(base) as entries:
            names = [entry.name for entry in entries if entry.name.startswith(prefix)]
    except OSError as exc:
        return Swept(problem=f"{base}: {exc.strerror or type(exc).__name__}")
    removed, problems = 0, []
    for name in names:
        path = os.path.join(base, name)
        try:
            removed += _sweep_stale(path, unlocked_age=unlocked_age)
        except FileNotFoundError:  # removed meanwhile (another run's sweep): nothing to say
            continue
        except OSError as exc:  # the name may be anyone's, and is printed: one line, no escapes
            problems.append(f"{visible_text(path)}: {exc.strerror or type(exc).__name__}")
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return Swept(removed=removed, problem=problems[0] + more if problems else "")


def _sweep_stale(path: str, *, unlocked_age: float) -> bool:
    """Remove the folder at ``path`` if it is a dead run's of this user (``sweep_run_folders``);
    True when it was removed. The folder is opened without following a link and checked to be
    the one looked at; its lock, when taken, is held until it is removed."""
    seen = os.lstat(path)
    if not stat.S_ISDIR(seen.st_mode) or seen.st_uid != os.geteuid():
        return False
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    lock = None
    try:
        if not os.path.samestat(seen, os.fstat(fd)):
            return False
        dead, lock = _dead_run(fd, seen, unlocked_age=unlocked_age)
        if not dead or not os.path.samestat(seen, os.lstat(path)):
            return False
        shutil.rmtree(path)  # refuses a link; never follows one inside
        return True
    finally:
        if lock is not None:
            os.close(lock)
        os.close(fd)


def _dead_run(folder: int, seen: os.stat_result, *, unlocked_age: float) -> tuple[bool, int | None]:
    """Whether the run folder open as ``folder`` (``seen``: its ``lstat``) is a dead run's, and
    the descriptor of its lock file (locked when dead), or None. The lock file is opened
    without waiting (a FIFO put there would block) and must be a regular file of this user."""
    import fcntl

    try:
        lock = os.open(RUN_LOCK, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                       dir_fd=folder)
    except FileNotFoundError:
        return time.time() - seen.st_mtime >= unlocked_age, None
    try:
        info = os.fstat(lock)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return False, lock
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # a live run holds it
        return False, lock
    except BaseException:
        os.close(lock)
        raise
    return True, lock


#: What a spreadsheet takes for the start of a formula in a cell of a CSV file it opens.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: The characters whose compatibility form (NFKC) starts with one of ``_FORMULA_STARTS``: the
#: fullwidth ``＝＋－＠``, the small ``﹦﹢﹣﹫``, the super- and subscript ``⁺⁼₊₌``, ``⩵⩶`` and the
#: Hebrew alternative plus. A spreadsheet that folds them as it reads (an East Asian locale's
#: input, a sheet or macro normalising text) may read ``＝HYPERLINK(...)`` as a formula, and the
#: ``'`` costs a name nothing. Listed rather than found at import, which scans every code point
#: (``tests/test_hostile_s29.py`` does, to keep the list whole).
_FORMULA_LOOKALIKES = "\u207a\u207c\u208a\u208c\u2a75\u2a76\ufb29\ufe62\ufe63\ufe66\ufe6b\uff0b\uff0d\uff1d\uff20"
_ESCAPED_STARTS = _FORMULA_STARTS + tuple(_FORMULA_LOOKALIKES)


#: A ``;`` or a tab (then blanks) before a formula's start: a spreadsheet whose locale separates
#: fields with ``;`` (most of Europe's Excel) splits ``Smith;=cmd|' /C calc'!A0`` there, unquoted
#: by the ``csv`` module (which quotes for ``,``, ``"`` and line breaks), and reads a formula.
_SPLIT_FORMULA = re.compile(r"([;\t][ ]*)(?=[=+\-@\r" + _FORMULA_LOOKALIKES + "])")


def spreadsheet_text(value: str) -> str:
    """``value`` for a text cell of a CSV file (``grades.csv``, ``similarity.csv``): with a
    ``'`` before each part a spreadsheet would read as a formula: at its start (``=IMPORTXML(...)``
    in a student's file name fetches a URL holding other cells when the sheet is opened), and
    after a ``;`` or a tab, where a ``;``-separated locale splits the cell."""
    if ";" in value or "\t" in value:
        value = _SPLIT_FORMULA.sub(r"\1'", value)
    return "'" + value if value.startswith(_ESCAPED_STARTS) else value


#: What a terminal acts on, in a page's text: carriage returns, the other C0 and C1 control
#: characters but tab and line feed (ESC starts the sequences that clear a screen, set a window's
#: title or, OSC 52, write the clipboard), DEL and the bidirectional controls. A student's
#: message, printed text and notebook outputs hold what they like, and a TA who runs ``grep``
#: or ``cat`` on an output folder has the page's lines on the terminal (thirty-first session's
#: hostile review: ``feedback.md`` and the JSON files escape them already; ``feedback.html``
#: and ``report.html``, which shows flagged pairs' code, kept them).
_TERMINAL_ACTS = re.compile("\r\n?|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

#: The bytes of a page that are none of ``_TERMINAL_ACTS``: printable ASCII, tab and line feed.
_PLAIN_BYTES = bytes(range(0x20, 0x7F)) + b"\t\n"


def _inert(match: re.Match) -> str:
    """A match of ``_TERMINAL_ACTS`` as a browser reads it, in bytes no terminal acts on: a line
    break for a carriage return (the HTML parser turns CR and CR LF into LF before anything
    else), a character reference for the rest (the same character once parsed, but for NUL and
    the C1 controls, which HTML reads as U+FFFD and as Windows-1252's characters)."""
    char = match.group()
    return "\n" if char[0] == "\r" else f"&#x{ord(char):x};"


def _acts_on_terminal(data: bytes) -> bool:
    """Whether UTF-8 ``data`` holds one of ``_TERMINAL_ACTS``: looked for among the bytes that are
    not printable ASCII (a few hundred at most on a usual page, in the order they come: valid
    UTF-8); the regular expression on the whole text cost 0.5-1 ms for a page of 60 kB, this 0.06 ms."""
    rest = data.translate(None, _PLAIN_BYTES)
    return bool(rest) and _TERMINAL_ACTS.search(rest.decode("utf-8", "surrogatepass")) is not None


def inert_text(text: str) -> str:
    """HTML text ``text`` with what a terminal acts on (``_TERMINAL_ACTS``) written so that it does
    not, as a browser reads it (``_inert``): what ``html_utf8`` does to a whole page, for a piece
    that must be safe on its own (``grader.ansi.ansi_to_html``)."""
    if _acts_on_terminal(text.encode("utf-8", "surrogatepass")):
        return _TERMINAL_ACTS.sub(_inert, text)
    return text


def html_utf8(pieces: Sequence[str]) -> bytes:
    """An HTML page given as ``pieces``: ``"".join(pieces)`` in UTF-8 as ``write_atomic`` writes
    text (a lone surrogate as ``?``), each piece encoded on its own: one character beyond ASCII anywhere (the
    template's "≈" in a student's function cell) makes the joined page a two-byte-per-character
    string, which Python encodes about 80 times slower than an ASCII one (0.16 ms for a page of
    60 kB), while the pieces of the page but the one that holds it are encoded as ASCII. The
    bytes are the same: UTF-8 encodes each character on its own. What a terminal acts on is
    written so that it does not (``_TERMINAL_ACTS``); a browser shows the same page."""
    out = []
    for piece in pieces:
        data = piece.encode("utf-8", "replace")
        if _acts_on_terminal(data):
            data = _TERMINAL_ACTS.sub(_inert, piece).encode("utf-8", "replace")
        out.append(data)
    return b"".join(out)


def visible_text(text: str, *, tabs: bool = False) -> str:
    """``text`` with every character that is not printable (control characters, escape
    sequences, bidirectional overrides, lone surrogates, line and paragraph separators)
    written out as ``\\xNN``, ``\\uNNNN`` or ``\\UNNNNNNNN``, tabs too unless ``tabs``."""
    if text.isprintable():
        return text
    out = []
    for c in text:
        if c.isprintable() or (tabs and c == "\t"):
            out.append(c)
        else:
            code = ord(c)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000
                       else f"\\U{code:08x}")
    return "".join(out)
