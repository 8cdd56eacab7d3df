"""Writing files so that an interrupted run never leaves half of one behind."""
from __future__ import annotations

import hashlib
import marshal
import os
import stat
import sys
import threading
from pathlib import Path
from typing import Iterable


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
    except OSError:
        return False
    return True


#: What a spreadsheet takes for the start of a formula in a cell of a CSV file it opens.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    """``value`` for a text cell of a CSV file (``grades.csv``, ``similarity.csv``): with a
    leading ``'`` when a spreadsheet would read it as a formula (``=IMPORTXML(...)`` in a
    student's file name fetches a URL holding other cells when the sheet is opened)."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


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
