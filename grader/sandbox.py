"""Bounded, isolated child processes for student code.

A :class:`Sandbox` starts one *zygote*: a fresh interpreter that imports NumPy
and the child runtime (:mod:`grader._child`) and nothing of the grading
process, so no fixture, expected value or reference solution can reach a child
by fork inheritance.  Each :class:`Session` (one submission) is served by a
child forked from the zygote (~10 ms); the child executes the program's top
level and answers :meth:`Session.call` requests with :mod:`grader.wire` data.
If a child dies (timeout, crash, exit), the next call starts a fresh child
and executes the program again.

As root a child runs under a per-slot unprivileged uid, in its own network
namespace, in a mount namespace where the protected paths (and ``/root``,
``/home``, ``/tmp``, ``/run``, ``/dev/shm``) are empty, with ``/proc`` showing
only its own processes.  Without root it runs under Landlock and seccomp where
the kernel has them.  Rlimits, a private working directory, a new session and
the kill-everything sweep apply in both modes.  Without Linux (macOS) only the
students' self-check runs (``Sandbox(degraded_ok=True)``), with what is portable;
a class's sandbox refuses (``UnprotectedPlatform``).  See ``docs/security.md``.

Usage::

    with Sandbox(protected_paths=[repo / "solution", repo / "rubrics"]) as sandbox:
        with sandbox.session(program, filename="submission.py") as session:
            if session.load.status == "ok":
                outcome = session.call("rnn_cell_forward", (xt, a_prev, parameters))
"""

from __future__ import annotations

import json
import marshal
import os
import pickle
import select
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import CodeType
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: no sandbox (grader.selfcheck says why), but check() imports this module
    fcntl = None

from grader import wire
from grader._child import PLATFORM, PRIVATE_TMP_BOUNDS, TA_NOTE, cloexec_pipe, ctrl_recv, ctrl_send
from grader.childruntime import ARGS_HEAD, ARGS_MAGIC, FRAME, args_layout
from grader.conversation import FALLBACK, IN as _IN, Conversation, Exchange, where_frames
from grader.scopes import compiled_quietly
from grader.models import frozen_record
from grader.notebook import SourceMemo
from grader.zygote import (MAX_LAYOUT_TEXT, StartedZygote, _bounded, _zygote_config, configure_zygote,
                           start_zygote, start_zygotes, unprotected_reason)

__all__ = ["Sandbox", "Session", "Limits", "CallOutcome", "Capabilities", "FALLBACK", "SandboxError",
           "StartedZygote", "start_zygote", "start_zygotes", "configure_zygote",
           "UnprotectedPlatform", "started_in_thread", "unprotected_reason"]


def _warn(message: str) -> None:
    """Log ``message`` as this module's warning. ``logging`` is imported here, by the rare
    sandbox that lacks a protection, not by every grading process (4-6 ms of CPU)."""
    import logging

    logging.getLogger(__name__).warning("%s", message)


def zygote_notes(log: Any, *, max_bytes: int = 1 << 20) -> list[str]:
    """The lines of a zygote's ``log`` (its stderr: a file) meant for the TA (``_child.TA_NOTE``),
    read from its first ``max_bytes``: the zygote writes few lines, each said once."""
    try:
        log.seek(0)
        text = log.read(max_bytes).decode("utf-8", "replace")
    except (OSError, ValueError):
        return []
    return [line for line in text.splitlines() if line.startswith(TA_NOTE)]


#: What a bad_output's message begins with when the child's channel carried bytes that are not an
#: answer (``failtexts.bad_output_text`` gives the student the detail after it).
CHANNEL_INTERFERED = "the program interfered with the grader's channel: "
_CHILD_STATUSES = frozenset({"ok", "error", "memory", "missing", "bad_output"})
UID_BASE = 61000
UID_COUNT = 2000
_CTRL_TIMEOUT = 60.0
if not PLATFORM.epoll:  # _Selector's (see conversation.IN)
    import selectors
#: fcntl's command that sizes a pipe (Linux; its number before Python 3.10 named it), or None.
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031) if PLATFORM.linux and fcntl is not None else None

_COMPACT_JSON = json.JSONEncoder(separators=(",", ":")).encode  # made once: json.dumps with options makes one a call
#: Text pieces of programs (`_compiled`) compiled at line 1: the imports and the course's helpers
#: that precede most notebooks' functions are the same text, compiled once per process.
_PIECES: SourceMemo[CodeType | None] = SourceMemo(compiled_quietly)


def _compiled(program: str, filename: str, pieces: Sequence[tuple[int, CodeType | str]] = ()) -> bytes | None:
    """The program's code, marshalled, for the child to load instead of compiling it (the
    parser's allocations cost a forked child about 3 ms of copy-on-write page faults): one code
    object, or from ``pieces`` (``grader.extract.Program.pieces``, which cut ``program`` into
    statements) a tuple of code objects, one per piece, that the child executes in order. A
    piece extraction already compiled is not compiled again: it and its functions' code are
    moved to the lines where the piece stands (`_moved`). None when compiling says anything (a
    syntax error, a warning): the child then compiles the source itself, so that the error or
    the warning text reaches the student as before.

    The zygote runs this very interpreter without ``-O`` (see ``_BOOT``); marshal's format is
    that of the interpreter, which both sides share. Only the grader marshals, only the child
    unmarshals.
    """
    try:
        if not pieces or any(type(piece) is str and "__future__" in piece for _, piece in pieces):
            # A future statement holds for the whole program (or, not first, makes it fail): the whole.
            code = compiled_quietly(program, filename)
            return None if code is None else marshal.dumps(code)
        codes = []
        for first, piece in pieces:
            code = _PIECES(piece) if type(piece) is str else piece
            if code is None:
                return None
            codes.append(_moved(code, first - 1, filename))
        return marshal.dumps(tuple(codes))
    except (RecursionError, ValueError, MemoryError):
        # Functions nested deeper than `_moved` (Python's recursion limit) or marshal ("too deeply
        # nested") go, about 900 lambdas within one another: the child compiles the text.
        return None


def _moved(code: CodeType, lines: int, filename: str) -> CodeType:
    """``code`` and the code objects in it as if compiled from ``filename`` with ``lines`` more
    lines before it (a code object's line table counts from its first line)."""
    consts = code.co_consts
    if any(type(c) is CodeType for c in consts):
        consts = tuple(_moved(c, lines, filename) if type(c) is CodeType else c for c in consts)
    return code.replace(co_firstlineno=code.co_firstlineno + lines, co_filename=filename, co_consts=consts)


class SandboxError(RuntimeError):
    """The sandbox itself failed (zygote died, could not start): not the student's fault."""


class UnprotectedPlatform(SandboxError):
    """This operating system lacks what the full sandbox needs (Linux's), and the caller did not
    accept the degraded one (see ``Sandbox(degraded_ok=...)``)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one session (submission) and of each call in it."""

    call_timeout: float = 5.0          # seconds per call (and for executing the top level); waits for a CPU excluded
    submission_timeout: float = 60.0   # seconds for a whole session (all calls + restarts); likewise
    cpu_seconds: int = 20              # RLIMIT_CPU per child
    memory_bytes: int = 2 * 2**30      # RLIMIT_AS per child
    max_processes: int = 32            # RLIMIT_NPROC (per slot uid as root; added to the user's count otherwise)
    may_fork: bool = False             # whether a child may start processes (os.fork); threads always may
    file_size_bytes: int = 2**20       # RLIMIT_FSIZE
    open_files: int = 64               # RLIMIT_NOFILE
    output_bytes: int = 64_000         # stdout+stderr kept per call
    result_bytes: int = 32 * 2**20     # largest wire message accepted from the child (results, stub args)


@frozen_record
class CallOutcome:
    """What happened when the child loaded the program or ran one call."""

    status: str                        # ok, error, timeout, crashed, memory, bad_output, missing, budget
    value: object = None               # decoded wire data when ok
    args_after: object = None          # the arguments right after the call (tuple), for mutation checks
    args_unsent: bool = False          # an ok call that changed its arguments into what cannot be sent back
    aliases: tuple[tuple[str, str], ...] = ()   # leaf paths sharing memory, e.g. ("result[0]", "args[1]")
    error_type: str = ""               # "ValueError", "SystemExit", "SIGSEGV", ...
    message: str = ""                  # short, student-readable
    frames: tuple[tuple[int, str], ...] = ()    # (line, function) in the program file, innermost last
    output: str = ""                   # captured stdout/stderr during the call, truncated
    seconds: float = 0.0
    raw: bytes | None = None           # the value as wire bytes, when asked for undecoded (raw_value)
    ref: tuple[int, int] = (0, 0)      # (child pid, request number): which call this was, for aliases()
    unrun: bool = False                # never sent: the top level had killed its child (Session.broken_load)


@dataclass(frozen=True)
class Capabilities:
    """What the sandbox enforces on this machine, as probed by the zygote."""

    running_as_root: bool
    uid_drop: bool
    network_namespace: bool
    mount_namespace: bool
    hidden_paths: tuple[str, ...]
    proc_hidepid: bool
    landlock_abi: int
    seccomp: bool
    subreaper: bool
    rlimits: tuple[str, ...]
    notes: tuple[str, ...] = ()
    bare_fork: bool = False  # children forked without Python's at-fork handlers (a speed-up, not a protection)
    lost: tuple[str, ...] = ()  # what this operating system lacks (see grader._child.Platform), macOS's say
    # Without root: the children's directories on a bounded tmpfs of the zygote's own (a user
    # namespace's, see grader._child.private_tmp); else on the machine's /tmp, a note saying why.
    private_tmp: bool = False

    def missing(self) -> tuple[str, ...]:
        """Protections that are not in force here."""
        gaps = list(self.lost)
        if not self.uid_drop:
            gaps.append("same user as the grader (no uid drop)")
        if not self.running_as_root and not self.private_tmp:
            gaps.append("children's files on the machine's /tmp (each file bounded, not their total)")
        if not self.network_namespace:
            gaps.append("no network namespace" + (" (TCP and socket() blocked by Landlock/seccomp)"
                                                  if self.landlock_abi >= 4 or self.seccomp else ""))
        if not self.mount_namespace:
            gaps.append("protected paths not hidden by mounts"
                        + (" (file access limited by Landlock)" if self.landlock_abi else ""))
        if not self.uid_drop and not self.landlock_abi:
            gaps.append("the child can read every file the grader can read")
        elif not self.mount_namespace and not self.landlock_abi:
            # As root in a container without CAP_SYS_ADMIN and Landlock (Docker's default profile):
            # the slot uid is an "other" user, and a fixture file is usually 0644.
            gaps.append("the child can read every file other users may read, protected paths included")
        return tuple(gaps)

    def describe(self) -> str:
        """One line: mode, what is enforced, what is not."""
        on = [f"rlimits({','.join(self.rlimits)})", "private cwd", "new session", "kill sweep"]
        if self.uid_drop:
            on.append("per-slot uid")
        if self.network_namespace:
            on.append("network namespace")
        if self.mount_namespace:
            on.append(f"mount namespace hiding {len(self.hidden_paths)} paths")
        if self.private_tmp:
            on.append(f"children's files on a private tmpfs ({PRIVATE_TMP_BOUNDS})")
        if self.proc_hidepid:
            on.append("/proc hidepid")
        if self.landlock_abi:
            on.append(f"Landlock ABI {self.landlock_abi}")
        if self.seccomp:
            on.append("seccomp")
        if self.subreaper:
            on.append("subreaper")
        mode = "root" if self.running_as_root else "non-root"
        gaps = self.missing()
        return f"sandbox ({mode}): {', '.join(on)}" + (f"; NOT enforced: {'; '.join(gaps)}" if gaps else "")


class _SlotPool:
    """Per-slot uids, claimed across processes with flock so two graders never share one."""

    def __init__(self, enabled: bool) -> None:
        """Claim uids only when `enabled` (running as root)."""
        self.enabled = enabled
        self.free: list[int] = []
        self.locks: dict[int, int] = {}
        self.mutex = threading.Lock()
        self.dir: Path | None = None

    def acquire(self) -> int | None:
        """A uid no other live grader holds (None without root)."""
        if not self.enabled:
            return None
        with self.mutex:
            if self.free:
                return self.free.pop()
            if self.dir is None:
                self.dir = _slot_dir()
            for uid in range(UID_BASE, UID_BASE + UID_COUNT):
                if uid in self.locks:
                    continue
                fd = os.open(self.dir / f"{uid}.lock", os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(fd)
                    continue
                self.locks[uid] = fd
                return uid
        raise SandboxError("no free sandbox uid")

    def release(self, uid: int | None) -> None:
        """Give a uid back for the next session of this sandbox."""
        if uid is not None:
            with self.mutex:
                self.free.append(uid)

    def close(self) -> None:
        """Drop every claim."""
        with self.mutex:
            for fd in self.locks.values():
                os.close(fd)
            self.locks.clear()
            self.free.clear()


def _slot_dir() -> Path:
    """The folder of slot locks, at a fixed place so that every grader on the machine sees the same one."""
    for parent in (Path("/run"), Path("/tmp")):
        folder = parent / "rnn-grader-slots"
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            st = folder.lstat()
        except OSError:
            continue
        if not folder.is_symlink() and st.st_uid == 0 and not st.st_mode & 0o022:
            return folder
    raise SandboxError("no root-owned folder for slot locks in /run or /tmp")


class Sandbox:
    """One zygote and the sessions forked from it; a context manager."""

    def __init__(self, *, limits: Limits = Limits(), protected_paths: Sequence[os.PathLike] = (),
                 workers_hint: int = 1, degraded_ok: bool = False, announce: bool = True,
                 zygote: StartedZygote | None = None, layouts: Sequence[str] = (),
                 arg_layouts: Sequence[str] = ()) -> None:
        """Start the zygote and wait until it has set itself up (about 0.2-0.4 s).

        ``zygote``: one started earlier (:func:`start_zygote`), possibly by the process this one
        was forked from, to adopt instead: its interpreter has booted meanwhile, and only its
        configuration and set-up are left.

        ``layouts``: the headers of the answers' usual layouts (``grader.wire.layout`` of the
        expected values: shapes and nesting, no number), which the zygote teaches every child's
        encoder (``grader.wire.Encoder``); the first ``MAX_LAYOUT_TEXT`` characters' worth.
        ``arg_layouts``: the layouts of the usual calls' arguments (``grader.childruntime.args_layout``:
        shapes and nesting, no number), which the zygote teaches every child (``grader.childruntime.args_builders``):
        arguments of one of them are then sent as their arrays' bytes instead of a pickle.

        A protection that cannot be had here is logged as a warning unless ``announce`` is
        false: a caller that reports ``capabilities.describe()`` itself (``grader.batch``'s
        pool: once per class run, not once per worker and again after each restart).

        Without Linux's facilities (macOS) the sandbox keeps what is portable (a forked child,
        rlimits, timeouts, plain-data results, a private directory, the kill of its process
        group) only when ``degraded_ok``: the students' self-check, whose code is the student's
        own. Otherwise it raises ``UnprotectedPlatform`` (see ``unprotected_reason``)."""
        if not degraded_ok:
            reason = unprotected_reason()
            if reason is not None:
                raise UnprotectedPlatform(reason)
        self.limits = limits
        self.protected_paths = tuple(str(Path(p).resolve()) for p in protected_paths)
        self._lock = threading.Lock()
        self._closed = False
        self._started: StartedZygote | None = None  # None once closed
        self.zygote_pid: int | None = None  # as the zygote reports it (a twin has no Popen here)
        self._slots = _SlotPool(os.geteuid() == 0)
        self._encoded: dict[int, tuple[tuple, bytes]] = {}  # id(args) -> (args, framed wire bytes)
        self._arg_layouts: dict[str, int] = {}  # set once the zygote has answered (see below)
        # What children send (wrong values, stub arguments) decoded by header plans: a class's
        # values share a few dozen headers, so most are built without repeating the checks.
        self._decoder = wire.Decoder()
        self._call_heads: dict[tuple, bytes] = {}  # (function, stubs, aliases) -> see Session._call_request
        self._spawn_requests: dict[tuple, bytes] = {}  # (uid, limits) -> the spawn request's JSON
        started = zygote if zygote is not None else start_zygote()
        self._ctrl, self._log, self._framed = started.ctrl, started.log, started.framed
        self._started = started
        self._adopted = not started.is_parent()  # then its parent reaps it, not this process
        arg_layouts = _bounded(arg_layouts, MAX_LAYOUT_TEXT)
        config = _zygote_config(self.protected_paths, layouts, arg_layouts)
        if started.config is not None and started.config != config:
            self.close()
            raise SandboxError("the zygote was configured for another sandbox")
        try:
            # Configured by its starter already (configure_zygote): only its answer is awaited.
            reply = self._request(config if started.config is None else None, timeout=120.0)
        except BaseException:
            self.close()
            raise
        if not reply.get("ok"):
            self.close()
            raise SandboxError(f"sandbox did not start: {reply.get('error')}")
        c = reply["caps"]
        if not degraded_ok and c.get("linux") is False:  # the zygote's own finding, should the two differ
            self.close()
            raise UnprotectedPlatform(unprotected_reason() or "the sandbox's zygote found no Linux here")
        self.capabilities = Capabilities(
            running_as_root=c["running_as_root"], uid_drop=c["uid_drop"],
            network_namespace=c["network_namespace"], mount_namespace=c["mount_namespace"],
            hidden_paths=tuple(c["hidden_paths"]), proc_hidepid=c["proc_hidepid"],
            landlock_abi=c["landlock_abi"], seccomp=c["seccomp"], subreaper=c["subreaper"],
            rlimits=tuple(c["rlimits"]), notes=tuple(c["notes"]), bare_fork=c.get("bare_fork", False),
            lost=tuple(c.get("lost", ())), private_tmp=c.get("private_tmp", False))
        self.zygote_pid = reply["pid"]
        # layout text -> its number in the zygote's children, if it learned them all (see args_builders)
        self._arg_layouts = ({text: i for i, text in enumerate(arg_layouts)}
                             if c.get("arg_layouts") == len(arg_layouts) else {})
        for _ in range(max(workers_hint, 1)):
            self._slots.release(self._slots.acquire())
        if announce and self.capabilities.missing():
            _warn(self.capabilities.describe())

    # -- control channel

    def _set_timeout(self, timeout: float) -> None:
        """Set the control socket's timeout unless it is set so already (each ``settimeout`` is a
        system call, and every request of a session asks for the same one; ``gettimeout`` only
        reads what the socket object holds)."""
        if timeout != self._ctrl.gettimeout():
            self._ctrl.settimeout(timeout)

    def _request(self, obj: dict | bytes | None, fds: Sequence[int] = (), timeout: float = _CTRL_TIMEOUT) -> dict:
        """One request/response with the zygote, serialised between threads; ``obj`` is the
        request, or its JSON already encoded (None: sent already, only the answer is awaited)."""
        with self._lock:
            if self._closed:
                raise SandboxError("sandbox is closed")
            try:
                self._set_timeout(timeout)
                if obj is not None:
                    ctrl_send(self._ctrl, obj if type(obj) is bytes else json.dumps(obj).encode(), fds,
                              framed=self._framed)
                data, got_fds = ctrl_recv(self._ctrl, 1 << 20, framed=self._framed)
            except OSError as exc:
                self._closed = True  # a late answer would be read as the next one's: stop here
                raise SandboxError(f"sandbox zygote unreachable: {exc}; {self._zygote_log()}") from None
            if not data:
                self._closed = True
                raise SandboxError(f"sandbox zygote exited; {self._zygote_log()}")
            reply = json.loads(data)
            if got_fds:
                reply["fds"] = got_fds
            return reply

    def _zygote_log(self) -> str:
        """The tail of the zygote's stderr, for error messages."""
        try:
            self._log.seek(0)
            return self._log.read()[-2000:].decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def _spawn(self, uid: int | None, limits: Limits) -> "_Child":
        """Fork a new child from the zygote, wired to a fresh socket and capture pipe."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        out_r, out_w = cloexec_pipe()
        if _F_SETPIPE_SZ is not None:
            try:  # room for a chatty call's output between two reads (see conversation.OUTPUT_SLICE)
                fcntl.fcntl(out_w, _F_SETPIPE_SZ, _PIPE_BYTES)
            except OSError:
                pass
        try:
            reply = self._request(self._spawn_request(uid, limits), fds=(theirs.fileno(), out_w))
        except BaseException:
            ours.close()
            os.close(out_r)
            raise
        finally:
            theirs.close()
            os.close(out_w)
        if not reply.get("ok"):
            ours.close()
            os.close(out_r)
            raise SandboxError(f"spawn failed: {reply.get('error')}")
        os.set_blocking(out_r, False)
        fds = reply.get("fds", [])
        return _Child(reply["pid"], uid, ours, out_r, fds[0] if fds else None, cleared=reply.get("cleared"))

    def _spawn_request(self, uid: int | None, limits: Limits) -> bytes:
        """The spawn request's JSON for a slot's uid and limits, made once per pair (a worker's
        sessions all ask with the same few)."""
        key = (uid, limits)
        request = self._spawn_requests.get(key)
        if request is None:
            lim = {k: getattr(limits, k) for k in
                   ("cpu_seconds", "memory_bytes", "max_processes", "may_fork", "file_size_bytes", "open_files",
                    "output_bytes")}
            request = json.dumps({"op": "spawn", "uid": uid, "limits": lim}).encode()
            if len(self._spawn_requests) >= 256:
                self._spawn_requests.clear()
            self._spawn_requests[key] = request
        return request

    def _kill(self, child: "_Child") -> tuple[int | None, int | None]:
        """Kill a child and everything it started; return (exit code, signal)."""
        child.close_fds()
        reply = self._request({"op": "kill", "pid": child.pid, "uid": child.uid})
        return reply.get("exit"), reply.get("signal")

    def _discard(self, child: "_Child") -> None:
        """Kill a child and everything it started without waiting (the zygote finishes the sweep
        before it serves the next request, so the slot is clean before it is reused)."""
        child.close_fds()
        with self._lock:
            if self._closed:
                return
            try:
                self._set_timeout(_CTRL_TIMEOUT)
                ctrl_send(self._ctrl, b'{"op":"close","pid":%d,"uid":%s}' % (
                    child.pid, b"null" if child.uid is None else b"%d" % child.uid), framed=self._framed)
            except OSError as exc:
                raise SandboxError(f"sandbox zygote unreachable: {exc}") from None

    def _args_frame(self, args: tuple, reuse: bool) -> bytes:
        """The framed wire encoding of a call's arguments; kept for reuse when the caller allows it."""
        if reuse:
            hit = self._encoded.get(id(args))
            if hit is not None and hit[0] is args:
                return hit[1]
        found = args_layout(args) if self._arg_layouts else None
        number = self._arg_layouts.get(found[0]) if found is not None else None
        if number is not None:  # the child builds them by the layout it learned: only their bytes travel
            data = b"".join([ARGS_HEAD.pack(ARGS_MAGIC, number), *[a.tobytes() for a in found[1]]])
        else:
            # Protocol 4: arrays come back writable (5 keeps a read-only fixture array read-only).
            data = pickle.dumps(args, protocol=4)  # to the child only: it never sends pickles back
        framed = FRAME.pack(len(data)) + data
        if reuse:
            if len(self._encoded) >= 4096:
                self._encoded.clear()
            self._encoded[id(args)] = (args, framed)  # holding `args` keeps its id from being reused
        return framed

    # -- public

    def session(self, program: str, *, filename: str = "<submission>", limits: Limits | None = None,
                pieces: Sequence[tuple[int, CodeType | str]] = ()) -> "Session":
        """Start a session for one program: a child executes its top level (see Session.load).
        ``pieces`` cut ``program`` into statements, some already compiled (see `_compiled`)."""
        if self._closed:
            raise SandboxError("sandbox is closed")
        return Session(self, program, filename=filename, limits=limits or self.limits, pieces=pieces)

    def close(self) -> None:
        """Kill the zygote and every child; idempotent."""
        with self._lock:
            started = self._started
            if started is None:
                return
            self._closed = True
            try:
                self._set_timeout(5.0)
                ctrl_send(self._ctrl, json.dumps({"op": "exit"}).encode(), framed=self._framed)
            except OSError:
                pass
        if self._adopted or started.twins:
            # A first zygote with twins ends its socket, then waits for them (their adopters
            # may still be grading): reaped later by its starter with them (the pool's close).
            self._await_exit(timeout=30)
        else:
            started.reap(timeout=30)
        self._started = None
        self._ctrl.close()
        for note in zygote_notes(self._log):  # e.g. a child's files it could not remove
            _warn(note)
        self._log.close()
        self._slots.close()

    def _await_exit(self, *, timeout: float) -> None:
        """Wait for an adopted zygote (not this process's child) to leave: its end of the control
        socket closes when it exits (its children hold no copy); killed after ``timeout``."""
        deadline = time.monotonic() + timeout
        try:
            while (left := deadline - time.monotonic()) > 0:
                self._set_timeout(left)
                if not self._ctrl.recv(1 << 16):
                    return
        except OSError:  # a timeout, or the socket broken: the zygote is not answering
            pass
        # Its pid as started, or (a twin, forked by the first zygote) as it reported it; a twin
        # that never answered is not known here, and leaves when it reads the end of its socket.
        pid = self._started.proc.pid if self._started.proc is not None else self.zygote_pid
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGKILL)  # a zombie until its parent reaps it: no reuse
        except OSError:
            pass

    def __enter__(self) -> "Sandbox":
        """Use as a context manager; close() on exit."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the sandbox."""
        self.close()

    def __del__(self) -> None:
        """Last resort: close a sandbox nobody closed."""
        if getattr(self, "_started", None) is not None:
            try:
                self.close()
            except Exception:  # interpreter shutdown: the zygote also exits when our socket closes
                pass


@contextmanager
def started_in_thread(factory: Callable[..., Any], **options: Any) -> Iterator[Callable[[], Any]]:
    """Start ``factory(**options)`` (a sandbox: its zygote boots in 0.2-0.3 s) in a thread while
    the caller loads what it needs; yield a function that waits for it and returns it, or
    raises what stopped it. Once started, it is closed when the block ends, however it ends."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as starter:
        starting = starter.submit(factory, **options)
        try:
            yield starting.result
        finally:
            if starting.exception() is None:  # waits for the start to end
                starting.result().close()


@dataclass
class _Child:
    """The grading process's handle on one live child."""

    pid: int
    uid: int | None
    sock: socket.socket
    out: int
    pidfd: int | None = None   # readable when the child exits, even if its descendants keep the socket
    closed: bool = False
    poller: "select.epoll | _Selector | None" = None
    seq: int = 0
    output: "_Output | None" = None
    sched_fd: int | None = None  # its /proc/PID/schedstat, opened on first use (-1: unreadable)
    cleared: float | None = None  # when the zygote ended an earlier close before forking it (monotonic)

    def next_seq(self) -> int:
        """A new request number; answers must echo it."""
        self.seq += 1
        return self.seq

    def selector(self) -> "select.epoll | _Selector":
        """One epoll object per child over its socket and pidfd, made on first use (epoll itself,
        not the ``selectors`` module's wrapper: fewer steps per wait; that wrapper where there is
        no epoll, see ``_Selector``). The capture pipe is not in it: it is read when an answer
        arrives and after every quiet slice of ``conversation.OUTPUT_SLICE`` (so that the marker written
        after each answer wakes nobody)."""
        if self.poller is None:
            self.poller = select.epoll() if PLATFORM.epoll else _Selector()
            self.poller.register(self.sock.fileno(), _IN)
            if self.pidfd is not None:
                self.poller.register(self.pidfd, _IN)
        return self.poller

    def gone(self) -> bool:
        """Whether the child has died and been reaped by the zygote: how its death is seen where
        there is no pidfd, when a process it started still holds its socket open."""
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except OSError:  # alive, another uid's
            pass
        return False

    def schedstat(self) -> bytes | None:
        """The child's ``/proc/PID/schedstat`` as read now (one ``pread`` on a descriptor kept
        open: a few microseconds, so it is read when each request starts); None if unreadable."""
        fd = self.sched_fd
        if fd is None:
            try:
                fd = os.open(f"/proc/{self.pid}/schedstat", os.O_RDONLY | os.O_CLOEXEC)
            except OSError:
                fd = -1
            self.sched_fd = fd
        if fd < 0:
            return None
        try:
            return os.pread(fd, 128, 0)
        except OSError:
            return None

    @staticmethod
    def run_delay(schedstat: bytes | None) -> float | None:
        """Seconds the child had spent runnable but waiting for a CPU since it was forked, from
        what `schedstat` read (its second field); None if there is no such figure."""
        try:
            return int(schedstat.split()[1]) / 1e9
        except (AttributeError, IndexError, ValueError):
            return None

    def waits_by_itself(self) -> bool:
        """Whether the child may have made its own wait for a CPU, which then earns it no extra
        time: it lowered its priority (nice, or a policy other than the normal one), runs more
        than one thread, or another process of its uid (as root) or its session, or a child of
        its own, is alive (busy processes of its own would make it wait). True when unsure."""
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            # after ")": state ppid pgrp session ... (14) priority nice num_threads ... (38) policy
            session, nice, threads, policy = int(fields[3]), int(fields[16]), int(fields[17]), int(fields[38])
        except (OSError, IndexError, ValueError):
            return True
        if nice > 0 or policy != 0 or threads > 1:
            return True
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit() or int(entry.name) == self.pid:
                continue
            try:
                if self.uid is not None and entry.stat().st_uid == self.uid:
                    return True
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    other = handle.read().rsplit(b")", 1)[1].split()
                if int(other[3]) == session or int(other[1]) == self.pid:
                    return True
            except (OSError, IndexError, ValueError):
                continue
        return False

    def close_fds(self) -> None:
        """Close our ends of the socket and the capture pipe."""
        if not self.closed:
            self.closed = True
            if self.poller is not None:
                self.poller.close()
            self.sock.close()
            os.close(self.out)
            if self.pidfd is not None:
                os.close(self.pidfd)
            if self.sched_fd is not None and self.sched_fd >= 0:
                os.close(self.sched_fd)


class _Selector:
    """The part of epoll's interface ``conversation.Conversation`` uses (register, modify, unregister,
    poll, close) over ``selectors.DefaultSelector``, where there is no epoll: kqueue on macOS."""

    def __init__(self) -> None:
        """An empty selector."""
        self._selector = selectors.DefaultSelector()

    def register(self, fd: int, events: int) -> None:
        """Watch ``fd`` for ``events`` (``conversation.IN`` | ``conversation.OUT``)."""
        self._selector.register(fd, events)

    def modify(self, fd: int, events: int) -> None:
        """Watch ``fd`` for other ``events``."""
        self._selector.modify(fd, events)

    def unregister(self, fd: int) -> None:
        """Stop watching ``fd``."""
        self._selector.unregister(fd)

    def poll(self, timeout: float) -> list[tuple[int, int]]:
        """``[(fd, events), ...]`` ready within ``timeout`` seconds, as ``epoll.poll`` gives them."""
        return [(key.fd, events) for key, events in self._selector.select(timeout)]

    def close(self) -> None:
        """Release the selector."""
        self._selector.close()


class _Output:
    """A child's stdout and stderr, cut into the outputs of its successive answers.

    After each answer the child writes ``marker + seq + NUL`` into the pipe (see
    ``grader.childruntime.Runtime.end_output``), so the output of pipelined calls can be told
    apart although the pipe is read after the child has moved on. Each answer keeps its
    first ``limit`` bytes and counts the rest; markers for requests not in flight are ignored.
    """

    def __init__(self, marker: bytes, limit: int) -> None:
        """Cut at ``marker``; keep at most ``limit`` bytes per answer."""
        self.marker = marker
        self.limit = limit
        self.kept = bytearray()
        self.dropped = 0
        self.tail = b""                 # end of the stream that may be the start of a marker
        self.expected: set[int] = set()  # request numbers in flight
        self.done: dict[int, tuple[bytes, int]] = {}

    def expect(self, seqs: Sequence[int]) -> None:
        """Requests ``seqs`` were sent: their markers will come, in order."""
        self.expected.update(seqs)

    def _keep(self, data: bytes) -> None:
        room = self.limit - len(self.kept)
        if room > 0:
            self.kept += data[:room]
        self.dropped += max(len(data) - max(room, 0), 0)

    def feed(self, data: bytes) -> None:
        """Add a chunk read from the pipe."""
        buf = self.tail + data
        marker = self.marker
        start = 0
        while marker:
            i = buf.find(marker, start)
            if i < 0:
                break
            end = buf.find(b"\0", i + len(marker), i + len(marker) + 21)
            if end < 0:
                if len(buf) - i < len(marker) + 21:
                    break  # the number is still on its way
                self._keep(buf[start:i + len(marker)])  # not a marker of ours after all
                start = i + len(marker)
                continue
            self._keep(buf[start:i])
            digits = buf[i + len(marker):end]
            seq = int(digits) if digits.isdigit() else -1
            if seq in self.expected:
                self.expected.discard(seq)
                self.done[seq] = (bytes(self.kept), self.dropped)
                self.kept, self.dropped = bytearray(), 0
            start = end + 1
        rest = buf[start:]
        hold = 0
        if marker:
            j = rest.rfind(marker[:1], max(0, len(rest) - len(marker) - 21))
            if j >= 0 and (marker.startswith(rest[j:]) or rest[j:].startswith(marker)):
                hold = len(rest) - j
        self._keep(rest[:len(rest) - hold])
        self.tail = rest[len(rest) - hold:]

    def drain(self, fd: int) -> bool:
        """Read what is in the pipe now; False at end of file. A read shorter than asked
        emptied the pipe (a pipe's read returns all it holds, up to the size asked), so
        it is not followed by another that would only say so."""
        while True:
            try:
                data = os.read(fd, _DRAIN_BYTES)
            except BlockingIOError:
                return True
            except OSError:
                return False
            if not data:
                return False
            self.feed(data)
            if len(data) < _DRAIN_BYTES:
                return True

    def take(self, seq: int) -> str:
        """The output of answer ``seq``; for an answer that never came (death, timeout),
        everything written since the previous answer."""
        if seq in self.done:
            data, dropped = self.done.pop(seq)
        elif not (self.tail or self.kept or self.dropped):  # nothing written since: the usual case
            self.expected.discard(seq)
            return ""
        else:
            self._keep(self.tail)
            self.tail = b""
            data, dropped = bytes(self.kept), self.dropped
            self.kept, self.dropped = bytearray(), 0
            self.expected.discard(seq)
        out = data.decode("utf-8", "replace")
        if dropped:
            out += f"\n[... {dropped} more bytes of output not shown]"
        return out


@dataclass
class _Request:
    """One request to send to the child: the message, the framed arguments after it, its time.

    ``head`` is the message's compact JSON without its closing brace, when already known (see
    ``Session._call_request``; ``msg`` is then None): the request number and ``last`` are
    written after it."""

    msg: dict | None
    frame: bytes = b""
    timeout: float = 0.0
    sent_args: tuple | None = None
    head: bytes = b""

    def payload(self, seq: int, last: bool) -> bytes:
        """The JSON of ``{**msg, "seq": seq}`` (and ``"last": true`` when ``last``), compact, as bytes."""
        head = self.head or _COMPACT_JSON(self.msg)[:-1].encode()
        return head + (b',"seq":%d,"last":true}' % seq if last else b',"seq":%d}' % seq)


def _text(value: object, limit: int) -> str:
    """``str(value)`` cut to ``limit`` characters, as text any file can hold: a lone surrogate
    (a JSON escape such as \\ud800, from a student's exception or a forged header) becomes U+FFFD,
    since it would make every UTF-8 writer of the record fail."""
    text = str(value)[:limit]
    if not text.isascii():
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


_PIPE_BYTES = 1 << 20  # room for a chatty call's output between two reads (conversation.OUTPUT_SLICE)
_DRAIN_BYTES = 1 << 16


class Session:
    """One submission's program in a child; restarted transparently after the child dies."""

    #: ``call(..., aliases=False)`` leaves the memory-sharing pairs to ``aliases()``.
    deferred_aliases = True

    def __init__(self, sandbox: Sandbox, program: str, *, filename: str, limits: Limits,
                 pieces: Sequence[tuple[int, CodeType | str]] = ()) -> None:
        """Start the child and execute the program's top level (see `load`); ``pieces`` cut
        ``program`` into statements, some already compiled (see `_compiled`)."""
        self._sandbox = sandbox
        self.program = program
        self._code = _compiled(program, filename, pieces)  # kept for restarts
        self.filename = filename
        self.limits = limits
        self._spent = 0.0
        self._waived = 0.0  # time calls waited for a busy CPU: not charged (conversation.Conversation)
        self._child: _Child | None = None
        self._closed = False
        self._broken: CallOutcome | None = None   # a top level that kills its child is not re-run
        self._uid = sandbox._slots.acquire()
        try:
            self.load: CallOutcome = self._start()
        except BaseException:
            self.close()
            raise

    # -- internals

    def _remaining(self) -> float:
        """Seconds of the submission's budget left."""
        return self.limits.submission_timeout - self._spent

    def _start(self) -> CallOutcome:
        """Spawn a child and execute the program's top level in it."""
        if self._remaining() <= 0:
            return CallOutcome("budget", message="the time budget of this submission is spent")
        t0 = time.monotonic()
        self._child = self._sandbox._spawn(self._uid, self.limits)
        cleared = self._child.cleared
        if cleared is not None and cleared > t0:
            # The zygote was still removing what an earlier session's last child left (a close is
            # not waited for): that child's work, not this submission's (0.36 s for 65,536 files).
            self._waived += cleared - t0
        marker = "\0grader-output-end:" + os.urandom(8).hex() + ":"
        self._child.output = _Output(marker.encode("ascii"), self.limits.output_bytes)
        try:
            if self._code is None:
                load = _Request({"kind": "load", "program": self.program, "filename": self.filename,
                                 "marker": marker}, timeout=self.limits.call_timeout)
            else:  # the code object follows in a frame of its own
                load = _Request({"kind": "load", "program": "", "compiled": True, "filename": self.filename,
                                 "marker": marker}, frame=FRAME.pack(len(self._code)) + self._code,
                                timeout=self.limits.call_timeout)
            outcome = self._run([load], {})[0]
        finally:
            self._charge(t0)
        if self._child is None and outcome.status != "budget":
            self._broken = outcome
        return outcome

    def _run(self, requests: Sequence[_Request], stubs: Mapping[str, Callable],
             raw_value: bool = False) -> list[CallOutcome | None]:
        """Send requests to the live child and turn what happens into CallOutcomes, one per
        request; after a death (timeout, crash, channel abuse) the rest are None (not run)."""
        child = self._child
        budget_cut = [False] * len(requests)
        for i, req in enumerate(requests):
            left = max(self._remaining(), 0.0)
            budget_cut[i] = left < req.timeout
            req.timeout = min(req.timeout, left)
        pending: list[BaseException] = []
        conversation = Conversation(child, requests, stubs=stubs, pending=pending, raw_value=raw_value,
                                    max_bytes=self.limits.result_bytes, decoder=self._sandbox._decoder,
                                    waived=self._waived)
        try:
            exchanges = conversation.run()
        except BaseException:
            self._drop_child()
            raise
        finally:
            self._waived = conversation.waived
        outcomes: list[CallOutcome | None] = []
        for i, ex in enumerate(exchanges):
            if ex.kind == "outcome":
                outcome = self._from_message(ex.msg, ex.raw, child.output.take(ex.seq), ex.seconds,
                                             requests[i].sent_args, raw_value, ref=(child.pid, ex.seq),
                                             usual=ex.usual)
                outcomes.append(outcome)
                if outcome.error_type == "ProtocolError":
                    self._drop_child()
                    break
            else:
                code, sig = self._drop_child(child.output)
                outcomes.append(self._death(ex, code, sig, child.output.take(ex.seq), ex.seconds,
                                            requests[i].timeout, budget_cut[i]))
                break
        outcomes.extend([None] * (len(requests) - len(outcomes)))
        if pending:
            raise pending[0]
        return outcomes

    def _drop_child(self, output: _Output | None = None) -> tuple[int | None, int | None]:
        """Kill the current child (and its descendants) and forget it."""
        child, self._child = self._child, None
        if child is None:
            return None, None
        if output is not None and not child.closed:
            output.drain(child.out)
        return self._sandbox._kill(child)

    def _from_message(self, msg: dict, raw: dict, output: str, seconds: float,
                      sent_args: tuple | None = None, raw_value: bool = False,
                      ref: tuple[int, int] = (0, 0), usual: bool = False) -> CallOutcome:
        """Validate an outcome message from the (untrusted) child.

        ``args_same`` (the child found the arguments exactly as it received
        them) stands for ``args_after`` equal to ``sent_args``. With ``raw_value`` the value
        is left as wire bytes in ``raw`` (see ``decode_value``). ``usual``: the message was the
        usual answer's bytes (``USUAL_ANSWER``), whose fields need no checking; ``msg`` holds
        only the decoded value, if any.
        """
        if usual:
            if raw_value:
                return CallOutcome("ok", raw=raw["value"], args_after=sent_args, output=output, seconds=seconds,
                                   ref=ref)
            return CallOutcome("ok", value=msg["value"], args_after=sent_args, output=output, seconds=seconds,
                               ref=ref)
        try:
            status = msg["status"]
            if status not in _CHILD_STATUSES:
                raise ValueError(status)
            args_after = msg.get("args_after")
            if args_after is not None and type(args_after) is not tuple:
                raise ValueError("args_after")
            if msg.get("args_same") is True and status == "ok":
                args_after = sent_args  # unchanged: the grading process's own copy stands for it
            # Changed into something that is not plain data (the child sends no arguments then):
            # a change all the same, which no comparison can show.
            unsent = status == "ok" and args_after is None and msg.get("args_same") is False
            value, value_bytes = None, None
            if status == "ok":
                if raw_value:
                    value_bytes = raw.get("value")
                    if value_bytes is None:
                        raise ValueError("value")
                elif "value" not in msg:
                    raise ValueError("value")
                else:
                    value = msg["value"]
            aliases = tuple((_text(a, 1000), _text(b, 1000)) for a, b in msg["aliases"])
            frames = tuple((int(line), _text(name, 200)) for line, name in msg["frames"])[-20:]
            return CallOutcome(status=status, value=value, raw=value_bytes,
                               args_after=args_after, args_unsent=unsent, aliases=aliases,
                               error_type=_text(msg["error_type"], 100), message=_text(msg["message"], 600),
                               frames=frames, output=output, seconds=seconds, ref=ref)
        except (KeyError, TypeError, ValueError, ArithmeticError):
            return CallOutcome("bad_output", error_type="ProtocolError", message="the child sent a malformed answer",
                               output=output, seconds=seconds, ref=ref)

    def _death(self, ex: Exchange, code: int | None, sig: int | None, output: str, seconds: float,
               timeout: float, budget_cut: bool) -> CallOutcome:
        """The outcome of a call whose child was killed or died."""
        if ex.kind == "timeout":
            if budget_cut:
                return CallOutcome("budget", error_type="Timeout", output=output, seconds=timeout,
                                   message="the time budget of this submission ran out during this call")
            return CallOutcome("timeout", error_type="Timeout", output=output, seconds=timeout,
                               message=f"no answer within {timeout:g} s (infinite loop?)",
                               frames=where_frames(ex.detail))
        if ex.kind == "bad":
            return CallOutcome("bad_output", error_type="ProtocolError", output=output, seconds=seconds,
                               message=CHANNEL_INTERFERED + str(ex.detail))
        if sig is not None:
            name = _signal_name(sig)
            if sig == signal.SIGXCPU:
                return CallOutcome("timeout", error_type=name, output=output, seconds=seconds,
                                   message=f"CPU time limit ({self.limits.cpu_seconds} s) exceeded")
            return CallOutcome("crashed", error_type=name, output=output, seconds=seconds,
                               message=f"the process died with signal {name}")
        return CallOutcome("crashed", error_type="Exit", output=output, seconds=seconds,
                           message=f"the program ended its process (exit status {code})")

    def _charge(self, t0: float) -> None:
        """Charge the time since ``t0`` to the submission's budget, less any wait for a CPU."""
        waived, self._waived = self._waived, 0.0
        self._spent += max(time.monotonic() - t0 - waived, 0.0)

    def _ready(self) -> CallOutcome | None:
        """Make sure a child is there to call (restarting one if needed); an outcome that every
        call gets instead when that is impossible (budget spent, top level broken)."""
        if self._closed:
            raise SandboxError("session is closed")
        if self._remaining() <= 0:
            return CallOutcome("budget", message="the time budget of this submission is spent")
        if self._broken is not None:
            return replace(self._broken, seconds=0.0, output="", unrun=True,
                           message=f"the program's top level failed, so nothing was called: {self._broken.message}")
        if self._child is None:
            restart = self._start()
            if restart.status not in ("ok", "error", "memory"):
                return replace(restart, message=f"while restarting the program: {restart.message}",
                               unrun=restart is self._broken)
            if self._remaining() <= 0:
                return CallOutcome("budget", message="the time budget of this submission is spent")
        return None

    def _call_request(self, function: str, args: tuple, *, stubs: Sequence[str], timeout: float | None,
                 aliases: bool, reuse_args: bool) -> _Request:
        """The request of a call; its message's JSON is made once per function, stubs and aliases
        (kept by the sandbox: a rubric calls a few functions)."""
        if type(args) is not tuple:
            raise TypeError("args must be a tuple")
        key = (function, tuple(sorted(stubs)), bool(aliases))
        heads = self._sandbox._call_heads
        head = heads.get(key)
        if head is None:
            msg = {"kind": "call", "function": function, "stubs": list(key[1]), "aliases": key[2]}
            head = _COMPACT_JSON(msg)[:-1].encode()
            if len(heads) >= 1024:
                heads.clear()
            heads[key] = head
        return _Request(None, frame=self._sandbox._args_frame(args, reuse_args),
                        timeout=self.limits.call_timeout if timeout is None else timeout, sent_args=args,
                        head=head)

    # -- public

    def call(self, function: str, args: tuple, *, stubs: Mapping[str, Callable[[tuple], object]] = {},
             timeout: float | None = None, aliases: bool = True, reuse_args: bool = False,
             raw_value: bool = False) -> CallOutcome:
        """Call the program's `function(*args)` in the child; stubs replace globals for this call only.

        A stub handler receives the proxy's arguments as a tuple and returns
        wire data, or FALLBACK to let the child run its own function.
        ``aliases=False`` skips the memory-sharing pairs (ask ``aliases()``
        after the call if they are needed).  ``reuse_args=True`` promises that
        `args` (this very object) never changes: its encoding is then kept by
        the sandbox and sent again as is when the same object is passed.
        ``raw_value=True`` leaves an ok outcome's value undecoded in ``raw``.
        """
        request = self._call_request(function, args, stubs=list(stubs), timeout=timeout, aliases=aliases,
                                reuse_args=reuse_args)
        instead = self._ready()
        if instead is not None:
            return instead
        t0 = time.monotonic()
        try:
            return self._run([request], stubs, raw_value)[0]
        finally:
            self._charge(t0)

    def call_many(self, calls: Sequence[tuple[str, tuple, float | None]], *, aliases: bool = True,
                  reuse_args: bool = False, raw_value: bool = False) -> list[CallOutcome | None]:
        """``call(function, args, timeout=timeout)`` for each of ``calls`` in order, without stubs,
        sent together so that the child answers one after the other without waiting for us.

        Each call has its own time, starting when the previous one answered. The outcomes
        come back in order; if a call ends its child (timeout, crash, exit), the calls after
        it were not run and their places hold None (call them again: a fresh child is started).
        """
        requests = [self._call_request(function, args, stubs=(), timeout=timeout, aliases=aliases,
                                  reuse_args=reuse_args) for function, args, timeout in calls]
        if not requests:
            return []
        instead = self._ready()
        if instead is not None:
            return [instead] * len(requests)
        t0 = time.monotonic()
        try:
            return self._run(requests, {}, raw_value)
        finally:
            self._charge(t0)

    def decode_value(self, outcome: CallOutcome) -> object:
        """The value of an outcome returned with ``raw_value=True``, decoded and validated
        (raises ``grader.wire.WireError`` for malformed data)."""
        if outcome.raw is None:
            return outcome.value
        return self._sandbox._decoder.decode(outcome.raw, max_bytes=self.limits.result_bytes)

    def aliases(self, of: CallOutcome | None = None) -> tuple[tuple[str, str], ...]:
        """The memory-sharing pairs of call ``of`` (default: the last call), if it returned
        (asked of the child now, which keeps the results of its recent calls).

        Meant after ``call(..., aliases=False)`` or ``call_many``; () when the child that
        ran the call is gone or cannot say.
        """
        if self._closed or self._child is None or self._broken is not None or self._remaining() <= 0:
            return ()
        request = {"kind": "aliases"}
        if of is not None:
            if of.ref[0] != self._child.pid:
                return ()
            request["of"] = of.ref[1]
        t0 = time.monotonic()
        try:
            outcome = self._run([_Request(request, timeout=min(self.limits.call_timeout, 5.0))], {})[0]
        finally:
            self._charge(t0)
        return outcome.aliases if outcome is not None and outcome.status == "ok" else ()

    @property
    def broken_load(self) -> CallOutcome | None:
        """The load's outcome when the top level killed its child (a timeout, a crash, an exit):
        every call then answers with it and runs nothing; None otherwise."""
        return self._broken

    @property
    def seconds_spent(self) -> float:
        """Time charged to this submission so far (loads, calls, restarts; waits for a CPU excluded)."""
        return self._spent

    def close(self) -> None:
        """Kill the child and everything it started; idempotent."""
        if self._closed:
            return
        self._closed = True
        child, self._child = self._child, None
        try:
            if child is not None:
                self._sandbox._discard(child)
        finally:
            self._sandbox._slots.release(self._uid)

    def __enter__(self) -> "Session":
        """Use as a context manager; close() on exit."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the session."""
        self.close()


def _signal_name(sig: int) -> str:
    """'SIGSEGV' for 11, 'signal 99' for unknown numbers."""
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"
