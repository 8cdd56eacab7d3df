"""One run at a time into an output folder: the lock a class run holds on ``OUT/.grading.lock``,
and what a second run is told when it finds the lock held.

The lock is an ``flock``: the kernel lets go of it when the last process holding the open file
lets go, however it ends (Ctrl-C, ``kill -9``, the OOM killer, a reboot), so the file left in the
folder locks nothing and is never removed. The text in it names the holder for a second run's
message; it is read, never trusted to decide anything (a pid is reused by other processes).
"""
from __future__ import annotations

import contextlib
import errno
import os
import socket
import time
from pathlib import Path
from typing import Callable, Iterator

from grader.copycommands import quoted
from grader.files import NO_FLOCK, visible_text

#: The file of an output folder that the class run grading into it holds an exclusive ``flock``
#: on (``output_lock``), and whose text says which run that is.
OUTPUT_LOCK = ".grading.lock"
#: The second line of the lock's text: the holder's host, process id and start (clock ticks
#: since boot, ``/proc/PID/stat``), from which a second run on that host tells a holder that has
#: ended from one alive, and a process that reused its pid from the holder itself.
_ID_LINE = "holder:"
#: How long a second run waits for a lock whose named holder has ended: processes it forked (a
#: class run's workers) may hold the open file a moment longer (``grader.batch._worker`` closes
#: it; a grader of the thirty-second session or before did not).
GONE_HOLDER_WAIT = 10.0


class OutputBusy(Exception):
    """Another live run holds the output folder's lock; the message says which, since when and
    what to do (``holder``: the first line of the lock's text, the command and its process)."""

    def __init__(self, message: str, *, holder: str = "another run") -> None:
        super().__init__(message)
        self.holder = holder


class LockUnusable(OutputBusy):
    """``OUTPUT_LOCK`` is something a run of the grader never makes (a folder, a symbolic link, a
    FIFO, a file with another name elsewhere), or a file this user cannot open: the run is
    refused, as it would be by a holder, since it could not keep a second run out; the message
    says what to remove."""


@contextlib.contextmanager
def output_lock(out_dir: Path, *, holder: str = "grade.py",
                on_wait: Callable[[str], None] | None = None,
                on_unlocked: Callable[[str], None] | None = None) -> Iterator[int | None]:
    """Hold ``out_dir``'s ``OUTPUT_LOCK`` while the block runs (its text names ``holder``, the
    command, this process and host), or raise ``OutputBusy`` at once when another live process
    holds it. The block is given the lock's descriptor, which a process forked meanwhile (a
    grading worker) closes, so that the lock ends with this process (None without a lock).

    Two runs into one folder (two TAs, a regrade started while the class run goes on) each wrote
    ``grades.csv`` from what it had read, the last one's rows replacing the other's grades. A
    lock whose named holder has ended on this host (its forked workers still holding the file
    for a moment) is waited for, ``GONE_HOLDER_WAIT`` seconds at most (``on_wait`` is told so,
    once, in a line to print). A lock file of another user's run (a folder two TAs share) is
    locked read-only, and a copy of it naming this run put in its place (``_own_copy``); one this user cannot open, or one that is not a regular file of one name,
    refuses the run (``LockUnusable``). Where ``out_dir`` cannot
    be made or opened, the block runs without it (the run then says why it cannot write there);
    where its file system has no ``flock`` (sshfs, some SMB mounts), it runs without it too, and
    ``on_unlocked`` is given the line that says so: what is at risk and what to do."""
    path = Path(out_dir) / OUTPUT_LOCK
    for _ in range(_MOST_REPLACED):
        try:
            Path(out_dir).mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # an existing folder not ours to make (or none): the open below says which
        opened = _opened(path)
        if opened is None:
            yield None  # no lock file, and none can be made here: the run says why it cannot write
            return
        fd, writable = opened
        try:
            _refuse_not_a_file(path, os.fstat(fd))
            try:
                _take(fd, out_dir=Path(out_dir), on_wait=on_wait)
            except OSError as exc:
                if exc.errno not in NO_FLOCK:
                    raise
                held = None
                if on_unlocked is not None:
                    on_unlocked(unlocked_message(Path(out_dir), exc))
            else:
                if not _still_named(path, fd):  # a read-only holder's own copy took its name
                    continue
                started = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime())
                text = (f"{holder} (process {os.getpid()} on {socket.gethostname()}, started "
                        f"{started})\n{_ID_LINE} {_identity(os.getpid())}\n").encode()
                if writable:
                    os.ftruncate(fd, 0)
                    os.pwrite(fd, text, 0)
                else:
                    fd = _own_copy(path, fd, text)
                held = fd
            yield held
            return
        finally:
            os.close(fd)
    raise OutputBusy(f"{path}: replaced {_MOST_REPLACED} times while this run took it: another run is "
                     f"starting into this folder; wait for it, or give another --out")


#: How often a run opens the lock file again because another run put its own copy in its place
#: between this run's open and its lock (``_own_copy``).
_MOST_REPLACED = 5


def _opened(path: Path) -> tuple[int, bool] | None:
    """The lock file's descriptor, made if need be, and whether it was opened for writing (another
    user's lock file, or one on a read-only mount, is opened read-only: ``flock`` needs no more);
    None where there is none and none can be made. Raises ``LockUnusable`` for what a run never
    makes there, or a lock file this user cannot open."""
    flags = os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        # Readable by others: another user's run into a shared folder locks it read-only.
        return os.open(path, os.O_RDWR | os.O_CREAT | flags, 0o644), True
    except OSError as exc:
        _refuse_not_a_file(path)  # a folder (EISDIR), a symbolic link (ELOOP)
        try:
            return os.open(path, os.O_RDONLY | flags), False
        except OSError:
            if exc.errno == errno.EACCES and os.path.lexists(path):
                raise _unreadable(path, exc) from None
            return None


def _still_named(path: Path, fd: int) -> bool:
    """Whether ``path`` still names the file of ``fd`` (a lock on a file another run has put a
    copy in place of locks nothing)."""
    try:
        now, held = os.lstat(path), os.fstat(fd)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def _own_copy(path: Path, fd: int, text: bytes) -> int:
    """The locked descriptor of a copy of the lock file holding ``text``, put in place of ``path``
    (whose file ``fd`` holds locked and this user may not write), ``fd`` closed; ``fd`` itself
    where the folder takes no new file or rename (a sticky folder, a read-only mount).

    Thirty-sixth session: a run that locked another user's lock file read-only left the earlier
    holder's text in it, which names a process that has ended: a third run then waited
    ``GONE_HOLDER_WAIT`` seconds for it and was told that the ended run's processes held the lock.
    The copy is locked before it takes the name, so the lock is never free in between; a run that
    opened the file before holds the old one and opens the name again once it gets that
    (``_still_named``)."""
    import fcntl

    spare = path.with_name(f"{OUTPUT_LOCK}.{os.getpid()}")
    try:
        new = os.open(spare, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError:
        return fd
    try:
        fcntl.flock(new, fcntl.LOCK_EX | fcntl.LOCK_NB)  # no other process knows the file yet
        os.pwrite(new, text, 0)
        os.rename(spare, path)
    except OSError:
        os.close(new)
        with contextlib.suppress(OSError):
            os.unlink(spare)
        return fd
    os.close(fd)
    return new


def _refuse_not_a_file(path: Path, seen: os.stat_result | None = None) -> None:
    """Raise ``LockUnusable`` when ``path`` (whose open file's status is ``seen``, None when it
    could not be opened) is there but is not a regular file of one name. Thirty-fifth session: a
    folder or a symbolic link there let the run go on without the lock and without a word; a FIFO
    ended in a traceback; a hard link to a file elsewhere was emptied by the holder's text."""
    import stat

    if seen is None:
        try:
            seen = os.lstat(path)
        except OSError:
            return  # nothing there: the folder cannot be written, said by the run
    if stat.S_ISREG(seen.st_mode) and seen.st_nlink <= 1:
        return
    typed = quoted(str(path))  # a folder named "fall term" or "x; y" (thirty-seventh session)
    if stat.S_ISDIR(seen.st_mode):
        what, remove = "a folder", f"rm -r {typed}"
    elif stat.S_ISLNK(seen.st_mode):
        what, remove = "a symbolic link", f"rm {typed} (the link alone)"
    elif stat.S_ISREG(seen.st_mode):
        what, remove = (f"a file with {seen.st_nlink} names (a hard link)",
                        f"rm {typed} (this name alone; the file keeps its other names)")
    else:
        what, remove = "not a regular file", f"rm {typed}"
    raise LockUnusable(
        f"{path}: {what}, not the lock file a run of the grader makes, so this run could not keep "
        f"a second run out of the folder (two runs into one folder each write grades.csv from what "
        f"they read, one's grades replacing the other's) and is refused. Remove it with {remove} "
        f"and run again; a run makes the lock file itself", holder=f"{path} ({what})")


def _unreadable(path: Path, exc: OSError) -> LockUnusable:
    """The refusal of a lock file this user cannot open (``exc``): another user's, made 0600 by a
    grader of the thirty-fourth session or before, in a folder both write in."""
    try:
        uid = os.lstat(path).st_uid
    except OSError:
        uid = None
    owner = "another user" if uid is None else str(uid)
    with contextlib.suppress(KeyError, ImportError):
        import pwd

        owner = pwd.getpwuid(uid).pw_name if uid is not None else owner
    return LockUnusable(
        f"{path}: this user cannot open it ({exc.strerror}), so this run could not keep a second "
        f"run out of the folder (two runs into one folder each write grades.csv from what they "
        f"read, one's grades replacing the other's) and is refused. It belongs to user {owner}: if "
        f"no run of theirs is grading into this folder, remove it with rm {quoted(str(path))} and run again (a "
        f"run makes the lock file itself, readable by the folder's other users), or give another "
        f"--out", holder=f"{path} (user {owner}'s)")


def _take(fd: int, *, out_dir: Path, on_wait: Callable[[str], None] | None = None) -> None:
    """Take the lock on ``fd`` without waiting, but for a holder that has ended (above); raise
    ``OutputBusy`` saying who holds it and what to do."""
    import fcntl

    deadline = None
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            text = os.pread(fd, 600, 0).decode("utf-8", "replace")
            state = holder_state(text)
            if state != "ended":
                raise OutputBusy(busy_message(out_dir, text, state=state),
                                 holder=_shown(text)) from None
            if deadline is None and on_wait is not None:
                on_wait(f"{out_dir}: {_shown(text)} has ended; waiting {GONE_HOLDER_WAIT:g} s at most "
                        f"for the processes it started to let go of the folder's lock")
            deadline = deadline or time.monotonic() + GONE_HOLDER_WAIT
            if time.monotonic() > deadline:
                raise OutputBusy(busy_message(out_dir, text, state=state, pids=_holding(fd)),
                                 holder=_shown(text)) from None
            time.sleep(0.1)


def _shown(text: str) -> str:
    """The lock text's first line: the holder as a person reads it."""
    return visible_text(text.strip().splitlines()[0] if text.strip() else "") or "another run"


def _identity(pid: int) -> str:
    """``HOST PID START`` of the process ``pid`` (START: clock ticks from boot to its start; "?"
    where ``/proc`` has no such file)."""
    return f"{socket.gethostname()} {pid} {_started(pid) or '?'}"


def _started(pid: int) -> str | None:
    """The clock tick since boot at which process ``pid`` started (``/proc/PID/stat``, field 22),
    or None when there is no such process (or no ``/proc``)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return fields[19].decode()
    except (OSError, IndexError):
        return None


def _state(pid: int) -> str | None:
    """Process ``pid``'s state letter (``/proc/PID/stat``, field 3: ``T`` when stopped)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0].decode()
    except (OSError, IndexError):
        return None


def holder_state(text: str) -> str:
    """What the lock's ``text`` says of its holder, seen from here: ``"alive"``, ``"stopped"``
    (Ctrl-Z), ``"ended"`` (no process of that pid and start on this host), ``"elsewhere"``
    (another host) or ``"unknown"`` (a text of an older grader, or no ``/proc``)."""
    for line in text.splitlines():
        if line.startswith(_ID_LINE):
            parts = line[len(_ID_LINE):].split()
            break
    else:
        return "unknown"
    if len(parts) != 3 or not parts[1].isdigit():
        return "unknown"
    host, pid, start = parts[0], int(parts[1]), parts[2]
    if host != socket.gethostname():
        return "elsewhere"
    if start == "?":
        return "unknown"
    if _started(pid) != start:  # ended, or its pid reused by a later process
        return "ended"
    return "stopped" if _state(pid) == "T" else "alive"


def _holding(fd: int) -> list[int]:
    """The processes of this host that hold the file of ``fd`` open (``/proc/*/fd``), this one
    aside; those this user may not look into are not seen."""
    seen = os.fstat(fd)
    found = []
    with contextlib.suppress(OSError):
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            with contextlib.suppress(OSError):
                for entry in os.scandir(f"/proc/{pid}/fd"):
                    with contextlib.suppress(OSError):
                        st = os.stat(entry.path)
                        if (st.st_dev, st.st_ino) == (seen.st_dev, seen.st_ino):
                            found.append(int(pid))
                            break
    return found


def busy_message(out_dir: Path, text: str, *, state: str, pids: list[int] | None = None) -> str:
    """What a run refused by the lock says: who holds it (the lock's first line) and what to do."""
    who = _shown(text)
    pid = _pid_of(text)
    head = f"{out_dir}: {who} is grading into this folder"
    why = (" (two runs into one folder each write grades.csv from what they read, one's grades "
           "replacing the other's)")
    if state == "stopped":
        return (f"{head}, but is stopped (Ctrl-Z in its terminal): type fg there to let it finish "
                f"(Ctrl-C then stops it), or end it from here with kill {pid}; kill -CONT {pid} (a "
                f"stopped process ends once continued; what it graded is kept and the next run "
                f"resumes), or give another --out{why}")
    if state == "ended":
        shown = ", ".join(map(str, pids or ())) or "processes this user cannot see"
        return (f"{out_dir}: {who} has ended, but {shown} it started still hold(s) the folder's "
                f"lock ({OUTPUT_LOCK}): end them (kill {' '.join(map(str, pids or ())) or 'PID'}; "
                f"what was graded is kept) and run again, or give another --out{why}")
    where = " on that host" if state == "elsewhere" else ""
    stop = f"kill {pid}{where}" if pid else "stop it"
    return (f"{head}; wait for it to end, or give another --out{why}. To stop that run instead: "
            f"{stop} (or Ctrl-C in its terminal): what it graded is kept and the next run "
            f"resumes; the kernel frees the lock when its process ends, however it ends, so a "
            f"{OUTPUT_LOCK} left in the folder locks nothing and is never to be deleted by hand")


def unlocked_message(out_dir: Path, exc: OSError) -> str:
    """What a run says when ``out_dir``'s file system cannot lock (``exc``, from ``flock``)."""
    return (f"{out_dir}: its file system does not lock files ({exc.strerror or exc}: sshfs, some "
            f"SMB mounts), so this run goes on without the folder's lock: a second run into it "
            f"(another TA, another machine) is not stopped, and whichever ends last writes "
            f"grades.csv from what it read, the other's grades lost. Grade into this folder from "
            f"one run at a time, or give --out a folder on a local disk and copy it over after")


def _pid_of(text: str) -> str:
    """The holder's process id as the lock's first line names it ("" when it names none)."""
    import re

    found = re.search(r"\(process (\d+)", text)
    return found.group(1) if found else ""
