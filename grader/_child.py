"""The sandbox's other side: the zygote process, and each child up to its submission.

This module runs in a separate interpreter started by :class:`grader.sandbox.Sandbox`
(the *zygote*).  The zygote imports NumPy and this module and nothing of the
grading process, hides secrets from its own view of the file system when it
runs as root, and then forks one *child* per session.  A child drops its
privileges, limits itself (here), then executes the student's program and answers
calls over its own socket with :mod:`grader.wire` messages (:mod:`grader.childruntime`).

Nothing here is imported for its side effects in the grading process: the
grading process uses what this machine has (``PLATFORM``) and the control
messages' framing (``ctrl_send``, ``ctrl_recv``).
"""

from __future__ import annotations

import _signal
import array
import ctypes
import errno
import io
import json
import os
import select
import signal
import socket
import struct
import sys
import time
from typing import NamedTuple, Sequence

try:
    import resource
except ImportError:  # Windows: no sandbox there (grader.selfcheck says so), but check() imports this module
    resource = None

from grader.childruntime import FRAME, Baseline, OutputBudget, Runtime, args_builders
from grader.landlock import Landlock, landlock_abi, landlock_restrict_self
from grader.linux import (CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWUSER, LINUX_CALLS, MS_BIND, MS_NODEV,
                          MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC, MS_REMOUNT, PR_SET_CHILD_SUBREAPER,
                          PR_SET_NO_NEW_PRIVS, PR_SET_PDEATHSIG, checked, libc, libc_gil, mount, prctl, unshare)
from grader.seccomp import apply_seccomp, child_program, seccomp_program


# Imported by the zygote before any fork, so children find them in sys.modules.
# Other modules are imported lazily by the child: as root the interpreter's
# directories are bound read-only into the child's view (even under /root),
# without root Landlock allows reading them.  PRELOAD_EXTRA is added when the
# mount namespace is unavailable to a root zygote (the prefix may then be
# unreadable after the uid drop).
PRELOAD = ("numpy", "numpy.linalg", "numpy.random", "math", "inspect", "pickle")
PRELOAD_EXTRA = (
    "numpy.fft", "numpy.testing", "cmath", "random", "copy", "functools", "itertools", "collections",
    "typing", "dataclasses", "re", "json", "string", "statistics", "fractions", "decimal", "operator",
    "heapq", "bisect", "numbers", "enum", "abc", "contextlib", "textwrap", "warnings", "traceback",
    "time", "datetime", "pprint", "tempfile", "pathlib", "struct", "weakref", "types",
)

# The environment of every child, besides its own HOME and TMPDIR. One BLAS thread, whichever
# BLAS NumPy uses (VECLIB: Apple's Accelerate): a zygote that forks must not run threads.
CHILD_ENVIRONMENT = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1",
                     "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1"}

# Directories a root zygote hides from its children (replaced by an empty
# tmpfs; interpreter directories below them are bound back read-only).
SYSTEM_HIDDEN = ("/root", "/home", "/tmp", "/var/tmp", "/dev/shm", "/run")

#: The limits a child inherited from the grading process until the thirtieth session, which the
#: sessions' ``Limits`` do not set: where a machine's defaults are generous (``memlock unlimited``
#: on GPU and HPC nodes, ``rtprio 95`` for an audio group) a child locked memory that is never
#: reclaimed, or took a real-time policy (SCHED_FIFO) or a higher priority and, in a busy loop,
#: the machine's cores from the grader. Zero in the zygote (Python and NumPy use none of them).
ZYGOTE_ZERO_LIMITS = ("RLIMIT_MEMLOCK", "RLIMIT_RTPRIO", "RLIMIT_NICE")

# ---------------------------------------------------------------- what this machine has


class Platform(NamedTuple):
    """The operating system's facilities the sandbox builds on, found once per process by
    :func:`detect_platform` (feature tests: what is missing is skipped or replaced where it is
    used, and ``Capabilities`` says what protection is lost; see docs/security.md)."""

    linux: bool      # Linux's own calls: prctl (subreaper, parent-death signal, no_new_privs, seccomp),
                     # unshare and mount (namespaces), Landlock by system call number
    proc: bool       # /proc/<pid>/stat and friends (children, a uid's processes, run delays)
    epoll: bool      # select.epoll (else the selectors module: kqueue on macOS, poll)
    pidfd: bool      # os.pidfd_open (a child's death seen even while its descendants hold its socket)
    seqpacket: bool  # AF_UNIX SOCK_SEQPACKET pairs (else a stream with length-prefixed messages)
    pipe2: bool      # os.pipe2 (else os.pipe and fcntl)
    setresuid: bool  # os.setresuid and os.setresgid (else, as root, setuid and setgid)

    def lost(self) -> tuple[str, ...]:
        """What a sandbox loses here, one phrase each (nothing on Linux with /proc)."""
        gaps = []
        if not self.linux:
            gaps += ["no seccomp, Landlock or namespaces (Linux only)",
                     "no subreaper: a process the child started in a session of its own outlives it",
                     "no parent-death signal: a child may outlive a zygote killed with SIGKILL"]
        if not self.proc:
            gaps += ["no /proc: a process a child left running is not found and killed (without root)",
                     "no /proc: a call kept waiting by a busy CPU gets no extra time"]
        return tuple(gaps)


def _seqpacket_pairs() -> bool:
    """Whether AF_UNIX SOCK_SEQPACKET socket pairs can be made (not on macOS: EPROTONOSUPPORT)."""
    kind = getattr(socket, "SOCK_SEQPACKET", None)
    if kind is None or not hasattr(socket, "AF_UNIX"):
        return False
    try:
        a, b = socket.socketpair(socket.AF_UNIX, kind)
    except OSError:
        return False
    a.close()
    b.close()
    return True


def detect_platform() -> Platform:
    """What this machine offers (see ``Platform``). Linux's calls are used only where the kernel is
    Linux and the C library has them all: a system call number means something else elsewhere."""
    uname = getattr(os, "uname", None)
    linux = (uname is not None and uname().sysname == "Linux"
             and all(f is not None for f in LINUX_CALLS.values()))
    return Platform(linux=linux, proc=os.path.exists(f"/proc/{os.getpid()}/stat"),
                    epoll=hasattr(select, "epoll"), pidfd=hasattr(os, "pidfd_open"),
                    seqpacket=_seqpacket_pairs(), pipe2=hasattr(os, "pipe2"),
                    setresuid=hasattr(os, "setresuid") and hasattr(os, "setresgid"))


PLATFORM = detect_platform()


def address_space_limit_enforced() -> bool:
    """Whether RLIMIT_AS stops a mapping beyond it here (Linux) or is accepted and ignored (macOS,
    where it stands for the resident size) or refused: a 4 GiB reservation is tried under a 4 GiB
    soft limit, put back at once. The reservation (PROT_NONE) takes no memory."""
    import mmap
    if resource is None:
        return False
    probe = 1 << 32
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = probe if hard == resource.RLIM_INFINITY else min(probe, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        return False
    try:
        try:
            mmap.mmap(-1, limit, flags=mmap.MAP_PRIVATE, prot=0).close()
        except (OSError, MemoryError):
            return True
        return False
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def reserve_address_space(keep: int) -> list:
    """Reserve (PROT_NONE: no memory) all of this process's free address space but ``keep``
    contiguous bytes and small gaps, so that allocations beyond about ``keep`` bytes fail with
    MemoryError as under RLIMIT_AS: the memory limit where RLIMIT_AS is not enforced. Returns the
    reservations, to be held for the process's life."""
    import mmap
    room = mmap.mmap(-1, keep, flags=mmap.MAP_PRIVATE, prot=0)
    held = []
    size = 1 << 47
    while size >= 1 << 24:
        try:
            held.append(mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE, prot=0))
        except (OSError, OverflowError, ValueError):
            size >>= 1
    room.close()
    return held


def cloexec_pipe(nonblocking: bool = False) -> tuple[int, int]:
    """A pipe whose ends are close-on-exec (os.pipe makes them so) and, if asked, non-blocking:
    one pipe2 call where there is one (Linux), else pipe and fcntl (macOS)."""
    if PLATFORM.pipe2:
        return os.pipe2(os.O_CLOEXEC | (os.O_NONBLOCK if nonblocking else 0))
    r, w = os.pipe()
    if nonblocking:
        os.set_blocking(r, False)
        os.set_blocking(w, False)
    return r, w


_CTRL_LENGTH = struct.Struct(">I")
# Room for 4 descriptors (C ints), as recv_fds(..., 4) asks; 0 where there is none (Windows, whose
# check() imports this module but never reaches a control socket).
_CTRL_FDS_SPACE = socket.CMSG_LEN(4 * 4) if hasattr(socket, "CMSG_LEN") else 0


def _received_fds(ancillary: list) -> list[int]:
    """The descriptors in a message's ancillary data (``recvmsg``), as ``socket.recv_fds`` reads them."""
    fds = array.array("i")
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - (len(data) % fds.itemsize)])
    return list(fds)


def ctrl_send(sock: socket.socket, data: bytes, fds: "list[int] | tuple" = (), *, framed: bool) -> None:
    """Send one control message (with file descriptors) between the grading process and the
    zygote: one packet on a SOCK_SEQPACKET pair; on a stream pair (``framed``: where there is no
    SEQPACKET) its length first, the descriptors with the first bytes."""
    if not framed:
        if fds:  # socket.send_fds inlined (one Python frame less per spawn's answer)
            sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
        else:
            sock.send(data)
        return
    message = _CTRL_LENGTH.pack(len(data)) + data
    sent = socket.send_fds(sock, [message], list(fds))
    if sent < len(message):
        sock.sendall(message[sent:])


def ctrl_recv(sock: socket.socket, limit: int, *, framed: bool) -> tuple[bytes, list[int]]:
    """Receive one control message sent by ``ctrl_send`` (at most ``limit`` bytes): its bytes,
    empty at end of stream, and the descriptors that came with it."""
    if not framed:
        # socket.recv_fds inlined: most messages carry no descriptor (the zygote's close requests,
        # its answers), and those are read without an array or another Python frame.
        data, ancillary, _, _ = sock.recvmsg(limit, _CTRL_FDS_SPACE)
        return data, (_received_fds(ancillary) if ancillary else [])
    fds: list[int] = []
    parts = []
    for want in (_CTRL_LENGTH.size, None):
        if want is None:
            (want,) = _CTRL_LENGTH.unpack(b"".join(parts))
            if want > limit:
                raise OSError(errno.EMSGSIZE, "control message too large")
            parts = []
        got = 0
        while got < want:
            chunk, more, _, _ = socket.recv_fds(sock, want - got, 4)
            fds += more
            if not chunk:
                return b"", fds
            parts.append(chunk)
            got += len(chunk)
    return b"".join(parts), fds


# ---------------------------------------------------------------- what a child may read (mounts; Landlock rules)


#: The grader's package, as the zygote was given it (its boot script's ``grader.__path__``).
GRADER_DIR = os.path.dirname(os.path.realpath(__file__))


def runtime_folders() -> list[str]:
    """The folders the zygote and its children read Python and its libraries from (its prefixes
    and search path), resolved; nested ones too (``_inside`` keeps the outermost of those inside
    a folder: a repository on the path by an editable install, its ``.venv`` inside it)."""
    return sorted({os.path.realpath(p) for p in [sys.prefix, sys.base_prefix, sys.exec_prefix, *sys.path]
                   if p and os.path.isdir(p)})


def _inside(paths: Sequence[str], folder: str) -> list[str]:
    """The outermost of ``paths`` that lie strictly inside ``folder``."""
    inner = [p for p in paths if p.startswith(folder.rstrip("/") + "/")]
    return sorted({p for p in inner if not any(p != o and p.startswith(o + "/") for o in inner)})


def _cover(folder: str, keep: Sequence[str], options: str, *, read_only: bool) -> None:
    """Mount an empty tmpfs (``options``) over ``folder`` and bind back, read-only, those of
    ``keep`` inside it; then make the tmpfs itself read-only if ``read_only``."""
    handles = [(k, os.open(k, os.O_PATH | os.O_CLOEXEC)) for k in _inside(keep, folder)]
    try:
        mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, options)
        for k, fd in handles:
            os.makedirs(k, mode=0o755, exist_ok=True)
            mount(f"/proc/self/fd/{fd}", k, None, MS_BIND | MS_REC)
            mount(None, k, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    finally:
        for _, fd in handles:
            os.close(fd)
    if read_only:
        mount(None, folder, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, options)


def readable_without(read_paths: Sequence[str], protected: Sequence[str]) -> list[str]:
    """``read_paths`` with every protected path left out: a read path that holds one (the
    interpreter's prefix, ``/usr``) is replaced by its entries, down to the protected path's
    folder, all but the one that leads to it (or is it). Paths are compared resolved.

    Landlock only grants: a rule for ``/usr`` lets a child read ``/usr/src/app/rubrics`` (the
    python image's suggested ``WORKDIR /usr/src/app``), a rule for a virtual environment the
    course folder inside it. As root a mount hides the protected paths as well; without root
    the rules are all there is. Where no read path holds a protected one, nothing changes."""
    guarded = [os.path.realpath(p) for p in protected]
    kept: list[str] = []
    pending = list(read_paths)
    opened: set[str] = set()  # folders already replaced by their entries (a link may lead back)
    while pending:
        path = pending.pop()
        holds = [g for g in guarded if g == path or g.startswith(path.rstrip("/") + "/")]
        if not holds:
            kept.append(path)
        elif path not in holds and path not in opened:
            opened.add(path)
            try:
                names = os.listdir(path)
            except OSError:
                continue
            pending += [os.path.realpath(os.path.join(path, name)) for name in names]
    kept = sorted(set(kept))
    return [p for p in kept if not any(p.startswith(o.rstrip("/") + "/") for o in kept)]  # one rule a tree


# ---------------------------------------------------------------- the zygote's heap

class MallInfo2(ctypes.Structure):
    """glibc's ``struct mallinfo2`` (2.33 and later): the main heap's figures, in bytes."""
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                     "fsmblks", "uordblks", "fordblks", "keepcost")]


# The sizes plug_heap_holes asks for, largest first: from 64 kB (under the mmap threshold's
# default, 128 kB) down in steps of an eighth of a doubling, then every chunk size of the thread
# cache and the small bins (16 bytes apart, 1,040 down to 32: a request of size - 8 is exactly one).
_TCACHE_LARGEST = 1040
_TCACHE_BYTES = 7 * sum(range(32, _TCACHE_LARGEST + 1, 16))  # 7 chunks of each of its sizes at most
_PLUG_SIZES = tuple(sorted({int(2 ** (k / 8)) for k in range(81, 129)}, reverse=True)) + tuple(
    size - 8 for size in range(_TCACHE_LARGEST, 31, -16))


def plug_heap_holes(*, limit: int = 1 << 16) -> list[int]:
    """Allocate every free chunk of glibc's main heap and return the blocks, to be held for good.

    For each of ``_PLUG_SIZES``, largest first, ``malloc`` until a block comes from the top
    chunk (at or past where it began): the blocks before it were free chunks or pieces of one.
    The one from the top ends that size's turn; it is freed back into the top when larger than
    the thread cache's chunks, and held otherwise (freed, it would be a cached free chunk again).
    A process that forks after this gives its children a heap whose every free byte is past the
    top: their allocations fill fresh pages of their own instead of writing into pages shared
    with the parent. At most `limit` blocks, and no more bytes than the bins held at the start
    and the thread cache can hold (a heap whose top is not at the program break, where the test
    "below the top" would not hold, costs no more than that); [] where the C library has no
    ``mallinfo2``.
    """
    names = ("malloc", "free", "mallinfo2", "sbrk")
    if libc is None or not all(hasattr(libc, name) for name in names):
        return []
    malloc, free, mallinfo2, sbrk = (getattr(libc, name) for name in names)
    malloc.restype, malloc.argtypes = ctypes.c_void_p, (ctypes.c_size_t,)
    free.restype, free.argtypes = None, (ctypes.c_void_p,)
    mallinfo2.restype, mallinfo2.argtypes = MallInfo2, ()
    sbrk.restype, sbrk.argtypes = ctypes.c_void_p, (ctypes.c_ssize_t,)
    held: list[int] = []
    start = mallinfo2()
    budget = start.fordblks - start.keepcost + _TCACHE_BYTES  # free bytes in the bins, top aside
    for size in _PLUG_SIZES:
        # Where the top chunk begins, read once a size: until a block comes from the top, no
        # malloc of this turn moved it. (Once a block: mallinfo2 walks every free chunk of every
        # bin, which made the plug quadratic or worse in the holes: 3.6 s for 6,000 of them.)
        top = sbrk(0) - mallinfo2().keepcost
        while len(held) < limit and budget > 0:
            block = malloc(size)
            if block is None:
                return held
            if block < top:
                held.append(block)
                budget -= size
                continue
            if size + 8 > _TCACHE_LARGEST:
                free(block)
            else:
                held.append(block)
            break
    return held


# ---------------------------------------------------------------- zygote


#: What the zygote runs through a Runtime of its own before it forks (see ``_warm_up``): values
#: and arguments shaped like the course's (arrays, a parameters dictionary shared by a list of
#: caches, scalars of each kind), nothing of any submission.
_WARM_PROGRAM = """
import numpy as np

def softmax(x):
    e = np.exp(x - np.max(x, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

def forward(x, a0, parameters):
    a = np.zeros((a0.shape[0], x.shape[1], x.shape[2]))
    c = np.zeros_like(a)
    a_t, c_t, caches = a0, np.zeros(a0.shape), []
    for t in range(x.shape[2]):
        xt = x[:, :, t]
        f = sigmoid(np.dot(parameters["Wf"], np.concatenate((a_t, xt), axis=0)) + parameters["bf"])
        cc = np.tanh(parameters["Wc"] @ np.vstack((a_t, xt)) + parameters["bc"])
        c_t = f * c_t + (1 - f) * cc
        a_t = f * np.tanh(c_t)
        a[:, :, t], c[:, :, t] = a_t, c_t
        caches.append((a_t, c_t, xt, parameters))
    y = softmax(np.dot(parameters["Wy"], a_t) + parameters["by"])
    return a, y, (caches, x), float(np.sum(a)), np.max(a), np.float64(0.5), None, True, 3, "ok"

def backward(da, state):
    caches, x = state
    dx, da_prev, grads = np.zeros_like(x), np.zeros(da.shape[:2]), {"dWf": 0.0}
    for t in reversed(range(len(caches))):
        a_t, c_t, xt, parameters = caches[t]
        n = a_t.shape[0]
        dtanh = (1 - a_t ** 2) * (da[:, :, t] + da_prev)
        grads["dWf"] = grads["dWf"] + np.dot(dtanh, np.concatenate((a_t, xt)).T)
        grads["dbf"] = np.sum(dtanh, axis=1, keepdims=True)
        da_prev = np.dot(parameters["Wf"][:, :n].T, dtanh)
        dx[:, :, t] = np.dot(parameters["Wf"][:, n:].T, dtanh)
    grads["dx"], grads["da0"], grads["square"] = dx, da_prev, np.square(da).mean()
    grads["shapes"] = np.stack([dx, dx], axis=0).shape + np.dstack([da_prev, da_prev]).shape
    return grads
"""
#: Calls the warm-up serves, alternately ``forward`` and ``backward``: 8 is what CPython 3.11 needs
#: (a code object is quickened at its 8th call) for the call path run once a call (``Runtime.call``,
#: ``recv``, ``recv_args``, ``answer``, ``Encoder.encode``) to reach the same specialised
#: instructions as 24 rounds gave it; each round more costs the zygote's set-up about 0.7 ms, on
#: the way to its first child (24 rounds: children's page faults and CPU the same within the noise).
_WARM_ROUNDS = 8


def _warm_up(max_bytes: int) -> None:
    """Serve ``_WARM_PROGRAM``'s calls in this process, through a throwaway Runtime on a socket
    pair, ``_WARM_ROUNDS`` times: the zygote does it once before it forks, so that the
    interpreter's per-function state (CPython 3.11 rewrites a function's bytecode in place
    once it has run a few times, and again as its instructions specialise) is already
    settled when a child runs the same code. Otherwise every child rewrote the code of the
    encoder, the argument check and the call path, each a copy-on-write page fault."""
    import pickle
    import numpy as np
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        theirs.setblocking(False)
        runtime = Runtime(ours, max_bytes=max_bytes)
        runtime.load("", "<warm-up>", (compile(_WARM_PROGRAM, "<warm-up>", "exec", dont_inherit=True),))
        x = np.linspace(-1.0, 1.0, 60).reshape(3, 4, 5)
        parameters = {"Wf": np.full((2, 5), 0.1), "bf": np.zeros((2, 1)), "Wc": np.full((2, 5), -0.2),
                      "bc": np.ones((2, 1)), "Wy": np.eye(2), "by": np.zeros((2, 1))}
        _, _, state, *_ = runtime.ns["forward"](x, np.ones((2, 4)), parameters)
        frames = [(name, pickle.dumps(args, protocol=4)) for name, args in
                  (("forward", (x, np.ones((2, 4)), parameters)), ("backward", (np.ones((2, 4, 5)), state)))]
        for i in range(_WARM_ROUNDS):
            name, data = frames[i % 2]
            head = json.dumps({"kind": "call", "function": name, "stubs": [], "aliases": False,
                               "seq": i}).encode("ascii")
            theirs.sendall(FRAME.pack(len(head)) + head + FRAME.pack(len(data)) + data)
            msg = runtime.recv()
            runtime.seq = msg["seq"]
            args, sent = runtime.recv_args()
            runtime.answer(runtime.call(msg["function"], args, msg["stubs"], aliases=False, sent=sent),
                           last=True)
            try:
                while theirs.recv(1 << 16):
                    pass
            except BlockingIOError:
                pass
    finally:
        # The throwaway Runtime's SIGUSR1 handler (``Runtime.attach``) holds it: let it go here,
        # before the zygote settles its heap. Kept, each child freed it when its own Runtime
        # attached, writing to about 400 pages it shared with the zygote (1 ms of a child).
        _signal.signal(_signal.SIGUSR1, _signal.SIG_DFL)
        ours.close()
        theirs.close()


def _bare_fork_handlers(forkers: list[dict] | None, threads: int | None = None) -> list | None:
    """The at-fork handlers a child of ``Zygote.bare_fork`` must run itself, in registration
    order, or None when the zygote must fork with ``os.fork``: the registrations are unknown,
    one of them has a ``before`` or ``after_in_parent`` handler, or the process runs more than
    one thread. ``threading._after_fork`` is left out: with one thread it only renews the
    main thread's unheld locks (the main thread's ``native_id`` keeps the zygote's value).
    `threads`: this process's thread count (default: read from /proc)."""
    if forkers is None:
        return None
    if threads is None:
        try:
            threads = len(os.listdir("/proc/self/task"))
        except OSError:
            return None
    if threads != 1:
        return None
    threading = sys.modules.get("threading")
    skip = getattr(threading, "_after_fork", None)
    handlers = []
    for registered in forkers:
        if set(registered) != {"after_in_child"}:
            return None
        handler = registered["after_in_child"]
        if skip is None or handler is not skip:
            handlers.append(handler)
    return handlers


class _CaptureRaw(io.RawIOBase):
    """The raw layer of a child's stdout or stderr: writes to ``fd``, counted in ``budget``, and
    once the budget is spent drops them (the grading process would only count them)."""

    def __init__(self, fd: int, budget: OutputBudget) -> None:
        super().__init__()
        self._fd = fd
        self._budget = budget

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def write(self, data) -> int:
        budget = self._budget
        if budget.limit is not None and budget.written > budget.limit:
            return len(data)
        n = os.write(self._fd, data)
        budget.written += n
        return n


class _ForeignFolder:
    """The import finder of a folder outside what the interpreter reads (``import_guard``): it
    finds nothing there."""

    __slots__ = ()

    def find_spec(self, fullname: str, target: object = None) -> None:
        """Nothing is imported from this folder."""
        return None

    def invalidate_caches(self) -> None:
        """Nothing is held."""


def import_guard(readable: Sequence[str]):
    """A ``sys.path_hooks`` entry, put first, under which the import system reads modules only
    from the folders under ``readable`` (the interpreter, its libraries, the grader): a folder
    elsewhere gets a finder that finds nothing. What a child may read besides is its own folder,
    where its code may write: a module written there by a default value (the copy in a string)
    and imported after ``sys.path.insert(0, '.')`` was graded while the similarity check compared
    the three lines that import it. Declines (``ImportError``) for the folders it allows, so the
    usual finders serve them."""
    roots = tuple(sorted({os.path.realpath(p).rstrip("/") + "/" for p in readable}))

    def hook(path: str) -> _ForeignFolder:
        if (os.path.realpath(path or ".") + "/").startswith(roots):
            raise ImportError(path)
        return _ForeignFolder()
    return hook


#: The globals the grader's own pickles name (a call's arguments, a stub's answer: NumPy's arrays,
#: scalars and dtypes; ``_frombuffer`` for NumPy's out-of-band form), found by their last name in
#: a module of NumPy's.
_PICKLED_GLOBALS = frozenset({"dtype", "ndarray", "_reconstruct", "scalar", "_frombuffer"})


class UnpicklingRefused(Exception):
    """A pickle named a global the child does not unpickle (``numpy_pickles_only``)."""


def numpy_pickles_only(event: str, args: tuple) -> None:
    """An audit hook (``sys.addaudithook``, added by the zygote, so in every child, where nothing
    removes it): unpickling a global other than NumPy's array parts is refused. A pickle calls
    whatever global it names, ``exec`` on a string included, with no name of ``reach.reaching_code``'s
    in the notebook: a default value writing one to a file and reading it with ``np.load(path,
    None, True)`` (``allow_pickle`` by position) or ``_pickle.loads`` rebound the graded name to a
    copy defined in the string, graded in full while the decoy was compared with no note."""
    if event == "pickle.find_class" and not (
            type(args[0]) is str and args[0].partition(".")[0] == "numpy" and args[1] in _PICKLED_GLOBALS):
        raise UnpicklingRefused(f"the grader's sandbox unpickles no {args[0]}.{args[1]}")


def _quiet_when_spent(real_print, streams: tuple, budget: OutputBudget):
    """``print`` as a child runs it: the builtin, except that once the answer's output is spent
    (see ``OutputBudget``) a print to the captured stdout or stderr returns without formatting its
    arguments. Its arguments are evaluated by the caller either way; only ``str()`` of them is
    skipped, for text nobody would see."""
    out, err = streams[1], streams[2]

    def print(*args, sep=None, end=None, file=None, flush=False):  # noqa: A001 - it is print
        if budget.limit is not None and budget.written > budget.limit:
            target = sys.stdout if file is None else file
            if target is out or target is err:
                return None
        return real_print(*args, sep=sep, end=end, file=file, flush=flush)

    print.__doc__ = real_print.__doc__
    return print


def _child_streams(budget: OutputBudget) -> tuple:
    """A child's sys.stdin, sys.stdout and sys.stderr, made once in the zygote and inherited
    (making them in each child cost it about 0.3 ms and 50 page faults).

    They are made as a child would make them once its descriptors are in place, over
    descriptors of the same kinds (0 is /dev/null, 1 and 2 a pipe: whether a stream is
    seekable, its buffer size and its encoding are probed when it is made), which fds 0, 1
    and 2 are briefly made here. stdout and stderr write through a ``_CaptureRaw`` counting
    into `budget`, line-buffered as before (a print reaches the pipe before the next line runs,
    so a call killed later still shows what it printed). The zygote makes them its own streams
    too, over its log (see ``setup``)."""
    saved = [os.dup(fd) for fd in (0, 1, 2)]
    null = os.open("/dev/null", os.O_RDONLY | os.O_CLOEXEC)
    r, w = cloexec_pipe()
    try:
        os.dup2(null, 0)
        os.dup2(w, 1)
        os.dup2(w, 2)
        out, err = (io.TextIOWrapper(io.BufferedWriter(_CaptureRaw(fd, budget)), encoding="utf-8",
                                     errors="replace", line_buffering=True) for fd in (1, 2))
        inp = open(0, "r", closefd=False)
    finally:
        for fd, copy in zip((0, 1, 2), saved):
            os.dup2(copy, fd)
            os.close(copy)
        for fd in (null, r, w):
            os.close(fd)
    return inp, out, err


def _proc_children(ppid: int) -> list[int] | None:
    """Pids whose parent is `ppid`: one read of /proc/ppid/task/ppid/children, else a /proc scan;
    None without /proc (unknown)."""
    try:  # os.open and os.read: no file object (the zygote reads this after every session)
        fd = os.open(f"/proc/{ppid}/task/{ppid}/children", os.O_RDONLY | os.O_CLOEXEC)
        try:
            chunks = []
            while chunk := os.read(fd, 4096):
                chunks.append(chunk)
        finally:
            os.close(fd)
        return [int(x) for x in b"".join(chunks).split()]
    except OSError:
        pass
    if not PLATFORM.proc:
        return None
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        if int(fields[1]) == ppid:
            out.append(int(name))
    return out


def _live_processes_of(uid: int) -> list[int] | None:
    """Pids of uid that are not zombies, other than the caller; None without /proc (unknown)."""
    if not PLATFORM.proc:
        return None
    me = os.getpid()
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        try:
            if os.stat(f"/proc/{name}").st_uid != uid:
                continue
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        if stat[stat.rfind(b")") + 2:stat.rfind(b")") + 3] not in (b"Z", b"X"):
            out.append(int(name))
    return out


#: How a line of the zygote's log (its stderr) starts when it is meant for the TA: the worker's
#: sandbox repeats such lines as warnings when it closes (``Sandbox.close``).
TA_NOTE = "grader sandbox: "


def left_behind_note(path: str, left: int, *, private: bool = False) -> str:
    """The zygote's log line when ``remove_tree(path)`` left ``left`` entries: said once per
    zygote (``Zygote._remove_dir``), since every later child may leave as much. ``private``: the
    path is on the zygote's own tmpfs (its mount namespace's), which nobody else sees and which
    goes with the zygote: nothing for the TA to remove."""
    what = "1 file or folder" if left == 1 else f"{left} files or folders"
    then = ("they are on the sandbox's own tmpfs, gone when the run ends" if private
            else "remove them after the run")
    return (f"{TA_NOTE}a student's code left {what} that could not be removed in {path} "
            f"(later ones are not reported); {then}.\n")


def remove_tree(path: str) -> int:
    """Remove the directory ``path`` and everything in it, at any depth, following no link;
    what cannot be removed stays (errors are ignored, as ``shutil.rmtree(ignore_errors=True)``),
    and its number is returned (the entries left in ``path``; 0 when ``path`` is gone), so that
    the zygote can tell the TA where files outlive a child.

    ``shutil.rmtree`` recurses once per level: a child that left a chain of 1,100 nested
    directories made it raise RecursionError with everything still in place, so a dead child's
    files outlived it (an empty file a few hundred bytes of kernel memory: 280,000 of them a 3 s
    call, kept for the run; without root, on the machine's disk for good). Here, with two
    descriptors open at a time, a directory that is not empty gives its entries to ``path``
    (renamed into it) and is removed on the next pass: each entry moves at most once. Each
    directory opened is given back its owner's rights first (``_opened_to_empty``)."""
    try:
        top = _opened_to_empty(path)
    except FileNotFoundError:
        return 0
    except OSError:
        return 1
    moved = 0
    try:
        progress = True
        while progress:
            progress = False
            with os.scandir(top) as entries:
                names = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries]
            for name, is_dir in names:
                try:
                    if not is_dir:
                        os.unlink(name, dir_fd=top)
                        progress = True
                        continue
                    try:
                        os.rmdir(name, dir_fd=top)
                        progress = True
                        continue
                    except OSError as exc:
                        if exc.errno != errno.ENOTEMPTY:
                            raise
                    inner = _opened_to_empty(name, dir_fd=top)
                    try:
                        with os.scandir(inner) as entries:
                            for entry in entries:
                                for _ in range(100):  # a fresh name in ``path`` (its own entries may hold any)
                                    moved += 1
                                    try:
                                        os.rename(entry.name, f"\x01{moved}", src_dir_fd=inner, dst_dir_fd=top)
                                    except OSError:
                                        continue
                                    progress = True
                                    break
                    finally:
                        os.close(inner)
                except OSError:
                    continue
    finally:
        os.close(top)
    try:
        os.rmdir(path)
        return 0
    except FileNotFoundError:
        return 0
    except OSError:
        try:
            return max(1, len(os.listdir(path)))
        except OSError:
            return 1


def _opened_to_empty(path: str, *, dir_fd: int | None = None) -> int:
    """A descriptor of the directory ``path`` (never a link followed), its mode made to let its
    owner list, enter and change it. Without root the zygote is its children's user: a child
    that took those rights off a directory (chmod 000), its own included, left it and all it
    holds for good; root needs none of them, and changes none that are there."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, dir_fd=dir_fd)
    except PermissionError:
        if not hasattr(os, "O_PATH"):
            raise
        # Not readable: opened as a path only, its mode changed through /proc's link to that
        # very directory (chmod by name could follow a link put in its place meanwhile).
        handle = os.open(path, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
        try:
            os.chmod(f"/proc/self/fd/{handle}", 0o700)
        finally:
            os.close(handle)
        fd = os.open(path, flags, dir_fd=dir_fd)
    if os.geteuid() != 0 and os.fstat(fd).st_mode & 0o700 != 0o700:
        os.fchmod(fd, 0o700)
    return fd


def _count_user_processes(uid: int) -> int:
    """Number of processes (and threads count inside the kernel's limit) owned by uid, approximated
    from /proc, else from ``ps`` (0 when neither can say)."""
    if not PLATFORM.proc:
        import subprocess
        try:
            listed = subprocess.run(["ps", "-A", "-o", "uid="], capture_output=True, timeout=10,
                                    stdin=subprocess.DEVNULL).stdout.split()
        except (OSError, subprocess.SubprocessError):
            return 0
        return sum(1 for word in listed if word == str(uid).encode())
    n = 0
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.stat(f"/proc/{name}").st_uid == uid:
                    n += 1
            except OSError:
                pass
    return n


_MT_WORDS = 624                   # the Mersenne Twister's key: 624 32-bit words
_MT_KEY_BYTES = 4 * _MT_WORDS


def numpy_key() -> tuple | None:
    """NumPy's legacy global generator's Mersenne Twister state, as two ctypes objects over its
    memory: the key (624 words, as bytes) and the position; third, the bit generator that holds
    that memory (held with them, so that it lives as long as they do). Writing a key from the system there and
    the position 624 is what ``set_state(("MT19937", key, 624))`` does, without the 624 Python ints
    and set_state's Python objects (the zygote does it before every fork).

    Checked here, once: the state is set the usual way (no Gaussian cached, position 0), then a key
    and the position 624 written through the buffers must read back through ``get_state``, with
    no Gaussian cached (the zygote draws no number afterwards, so none gets cached). None where
    NumPy, its generator's ``ctypes`` interface or that check fails: then ``set_state`` serves."""
    numpy = sys.modules.get("numpy")
    if numpy is None:
        return None
    try:
        generator = numpy.random.mtrand._rand
        # At position 0, not 624: the position written below then reads back only if it is
        # written where the generator keeps it.
        numpy.random.set_state(("MT19937", struct.unpack("<624I", os.urandom(_MT_KEY_BYTES)), 0))
        address = generator._bit_generator.ctypes.state_address
        if type(generator._bit_generator).__name__ != "MT19937" or not address:
            return None
        key = (ctypes.c_char * _MT_KEY_BYTES).from_address(address)
        position = ctypes.c_int.from_address(address + _MT_KEY_BYTES)
        probe = os.urandom(_MT_KEY_BYTES)
        key.raw = probe
        position.value = _MT_WORDS
        name, words, pos, has_gauss, _ = numpy.random.get_state()
        if (name != "MT19937" or words.dtype != numpy.uint32 or words.tobytes() != probe or pos != _MT_WORDS
                or has_gauss):
            numpy.random.set_state(("MT19937", struct.unpack("<624I", os.urandom(_MT_KEY_BYTES)), _MT_WORDS))
            return None
    except Exception:  # another NumPy: the usual way
        return None
    return key, position, generator._bit_generator


_CLOSE_HEAD = b'{"op":"close","pid":'
_CLOSE_UID = b',"uid":'


def _json_count(text: bytes) -> int | None:
    """`text` as JSON reads a non-negative integer (digits, no leading zero), else None."""
    if not text.isdigit() or (text[:1] == b"0" and len(text) > 1):
        return None
    return int(text)


def close_request(data: bytes) -> dict | None:
    """A close request in the one form the grading process writes (``Sandbox._discard``:
    ``{"op":"close","pid":N,"uid":M}``, ``M`` maybe ``null``) read without json: what
    ``json.loads`` gives for it; None for any other bytes (then json reads them). One of the two
    requests of every session: json's decoder is Python code whose objects the zygote would write
    while the child lives (each page a copy)."""
    if data[:len(_CLOSE_HEAD)] != _CLOSE_HEAD or data[-1:] != b"}":
        return None
    pid_text, sep, uid_text = data[len(_CLOSE_HEAD):-1].partition(_CLOSE_UID)
    pid = _json_count(pid_text)
    uid = None if uid_text == b"null" else _json_count(uid_text)
    if not sep or pid is None or (uid is None and uid_text != b"null"):
        return None
    return {"op": "close", "pid": pid, "uid": uid}


# ---------------------------------------------------------------- a /tmp of its own (without root)

#: The bounds of the tmpfs that holds a zygote's children's directories without root: the same
#: as a root zygote's /tmp (``Zygote._hide_paths``), so that both modes bound a child alike. 64 MiB
#: is 64 files at the rubric's 1 MiB ``file_size_bytes``; 32,768 inodes bound the empty files and
#: directories, which ``size`` does not count (about 0.9 kB of kernel memory each: 29 MB at most).
#: Both are memory no limit of the child counts until its session ends: 256 MiB and 65,536 (58 MB
#: measured) until the thirty-second session's hostile review, 314 MB beside a 2 GiB child.
PRIVATE_TMP_BOUNDS = "size=64m,nr_inodes=32768"
PRIVATE_TMP_OPTIONS = PRIVATE_TMP_BOUNDS + ",mode=0711"
#: Ubuntu's switch (23.10 on): 1 lets an unprivileged process make a user namespace but denies it
#: every capability there, so that this uid could not be mapped in it (writing ``uid_map`` fails)
#: and the zygote, already inside, could make no file: read first, the namespace then not made.
_APPARMOR_USERNS = "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"


class _CapHeader(ctypes.Structure):
    """``struct __user_cap_header_struct`` of capset(2)."""
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    """``struct __user_cap_data_struct`` of capset(2) (two of them: capabilities 0-31, 32-63)."""
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> None:
    """Give up every capability (effective, permitted, inheritable; the ambient set goes with the
    permitted one). A process that made a user namespace holds all of them there, and every child
    it forks would inherit them: enough to unmount the tmpfs over ``/tmp`` in a namespace of its
    own or to override the modes of this user's files (``CAP_DAC_OVERRIDE`` on ids mapped here)."""
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    checked(libc.capset(ctypes.byref(header), (_CapData * 2)()), "capset")


def _write_id_maps() -> None:
    """Map this uid and gid to themselves in the user namespace just made (the one mapping an
    unprivileged process may write; ``setgroups`` denied first, as the kernel requires for gids).
    The uid a child sees is then the user's own; groups and owners not mapped read as 65534."""
    uid, gid = os.getuid(), os.getgid()
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        fd = os.open(f"/proc/self/{name}", os.O_WRONLY | os.O_CLOEXEC)
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)


def _kernel_release() -> tuple[int, int]:
    """The running kernel's major and minor version, (0, 0) when unreadable."""
    parts = os.uname().release.split(".")
    try:
        return int(parts[0]), int("".join(ch for ch in parts[1][:3] if ch.isdigit()) or 0)
    except (IndexError, ValueError):
        return 0, 0


def _sysctl(path: str) -> str:
    """The value of a kernel switch under /proc/sys, "" where it does not exist."""
    try:
        with open(path, encoding="ascii") as f:
            return f.read().strip()
    except OSError:
        return ""


def _userns_refusal(exc: OSError) -> str:
    """Why ``unshare(CLONE_NEWUSER)`` failed, naming the kernel's switch when one says so."""
    if exc.errno == errno.ENOSPC:
        return f"the kernel allows no more user namespaces (user.max_user_namespaces = " \
               f"{_sysctl('/proc/sys/user/max_user_namespaces') or '?'})"
    if _sysctl("/proc/sys/kernel/unprivileged_userns_clone") == "0":
        return "unprivileged user namespaces are off (kernel.unprivileged_userns_clone = 0)"
    return f"user namespaces refused ({exc.strerror or exc}; a container's seccomp profile, or the kernel's)"


def _private_tmp_steps() -> tuple[str, OSError] | None:
    """``private_tmp``'s three steps in this process: a user and a mount namespace, this uid's
    maps, the tmpfs over ``/tmp``. None when all are done, else the step that failed
    ("unshare", "maps" or "mount") and its error; the steps before it stay done."""
    for step, do in (("unshare", lambda: unshare(CLONE_NEWUSER | CLONE_NEWNS)), ("maps", _write_id_maps),
                     ("mount", lambda: mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, PRIVATE_TMP_OPTIONS))):
        try:
            do()
        except OSError as exc:
            return step, exc
    return None


def _probe_private_tmp() -> str | None:
    """Why ``private_tmp``'s steps fail here, tried first in a forked process (None when they all
    work): a process cannot leave a user namespace it made, and one where this uid could not be
    mapped (a security module that lets ``unshare`` pass but not the map) could make no file, so
    the zygote must not enter one that the probe could not finish. About 1-3 ms, once a zygote."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the probe: tries, says why not, and ends without Python's exit handlers
        try:
            os.close(read_end)
            failed = _private_tmp_steps()
            said = ("" if failed is None else _userns_refusal(failed[1]) if failed[0] == "unshare"
                    else f"a user namespace where this uid cannot be mapped or a tmpfs mounted ({failed[1]})")
            os.write(write_end, said.encode("utf-8", "replace")[:4000])
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        chunks = []
        while chunk := os.read(read_end, 4096):
            chunks.append(chunk)
    finally:
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
    said = b"".join(chunks).decode("utf-8", "replace")
    if said:
        return said
    return None if os.waitstatus_to_exitcode(status) == 0 else "the probe of a user namespace died"


def private_tmp(needed: Sequence[str]) -> tuple[str | None, bool]:
    """Without root, put a tmpfs of this process's own over ``/tmp``: ``unshare`` a user and a
    mount namespace (this uid mapped to itself), mount a tmpfs bounded by ``PRIVATE_TMP_OPTIONS``
    on ``/tmp`` there, and give up the capabilities the namespace brought. Only this process and
    its children see it; the machine's ``/tmp`` is untouched, and the tmpfs goes with the
    namespace when its last process ends. Returns why not (None when done) and whether this
    process is in a user namespace of its own now (made, but the tmpfs refused: its capabilities
    are dropped all the same, and the kernel counts its processes apart, see ``Zygote._private_tmp``).

    Not made when one of ``needed`` (the directories the zygote and its children read: the
    interpreter's, the grader's) is under ``/tmp``, which the tmpfs would hide, when ``/tmp``
    is no plain directory, or without ``/proc`` (the maps are written there: a namespace made
    without them would leave this uid unmapped, and no file could be made)."""
    if os.path.islink("/tmp") or not os.path.isdir("/tmp"):
        return "/tmp is not a directory here", False
    if any(p == "/tmp" or p.startswith("/tmp/") for p in needed):
        return "the interpreter or the grader is under /tmp, which the tmpfs would hide", False
    if not os.path.exists("/proc/self/uid_map"):  # no /proc (a container's), or no user namespaces
        return "no /proc/self/uid_map to map this uid through", False
    if _sysctl(_APPARMOR_USERNS) == "1":
        return ("AppArmor denies unprivileged user namespaces their capabilities "
                "(kernel.apparmor_restrict_unprivileged_userns = 1)"), False
    refused = _probe_private_tmp()
    if refused is not None:
        return refused, False
    failed = _private_tmp_steps()  # as the probe did: a step failing now is a race, or the kernel's limit
    if failed is not None and failed[0] == "unshare":
        return _userns_refusal(failed[1]), False
    try:
        if failed is None:
            return None, True
        step, exc = failed
        if step == "maps":  # this uid is unmapped now: no file could be made (EOVERFLOW)
            raise OSError(exc.errno, f"made a user namespace but could not map this uid in it: {exc}") from exc
        return f"tmpfs refused in a user namespace ({exc})", True
    finally:
        drop_capabilities()


class Zygote:
    """The forking server: one per Sandbox, started in a fresh interpreter."""

    def __init__(self, ctrl: socket.socket, config: dict, *, forkers: list[dict] | None = None,
                 register=None, twins: set[int] | None = None) -> None:
        """Serve control requests from `ctrl`; `config` holds protected paths and limits.

        `twins`: the pids of the zygotes this one forked at its boot (see ``zygote_main``): its
        children, but neither sessions nor strays, never killed here; taken out of the set when
        reaped (their pids may then be reused).

        `forkers` lists every ``os.register_at_fork`` call made in this interpreter so far and
        until ``setup`` ends (the boot script records them; None: unknown), `register` is the
        original ``os.register_at_fork``, put back at the end of ``setup``.
        """
        self.ctrl = ctrl
        self.framed = ctrl.type == socket.SOCK_STREAM  # no SEQPACKET here: see ctrl_send
        self.forkers = forkers
        self.register = register
        self.child_handlers: list | None = None  # run by a child of bare_fork; None: use os.fork
        self.config = config
        self.root = os.geteuid() == 0
        self.children: dict[int, str] = {}      # live session child pid -> its temp dir
        self.twins = twins if twins is not None else set()  # unreaped twin zygotes (see zygote_main)
        self.exited: dict[int, int] = {}        # reaped session child pid -> wait status
        self.caps: dict = {"running_as_root": self.root, "notes": [], "linux": PLATFORM.linux,
                           "lost": list(PLATFORM.lost())}
        self.reserve_address_space = False  # RLIMIT_AS not enforced here: children reserve instead
        self.reservations: list = []  # a child's (see reserve_address_space)
        # What a child reads of PLATFORM, copied here: its own attributes are read without touching
        # (a copy-on-write page fault) the page that holds PLATFORM.
        self.linux, self.setresuid = PLATFORM.linux, PLATFORM.setresuid
        self.tmp_base = ""
        self.tmp_private = False  # tmp_base on the zygote's own tmpfs (root's mount namespace, or _private_tmp)
        self.uids_seen: set[int] = set()
        self.told_left_behind = False  # a child's files that stayed on disk are reported once
        self.baseline: Baseline | None = None  # the guarded dictionaries as set up (see Baseline)
        self.landlock: Landlock | None = None  # each child's ruleset is built here (see Landlock)
        self.streams: tuple = ()                # a child's stdin, stdout, stderr (see _child_streams)
        self.output_budget = OutputBudget()     # what they have written of an answer (see OutputBudget)
        self.runtime: Runtime | None = None     # every child's, unattached (see Runtime.__init__)
        self.heap_plugs: list[int] = []         # the heap's free chunks, held (see plug_heap_holes)
        self.spawn_requests: dict[bytes, dict] = {}  # a spawn request's bytes -> it, parsed (see _parse)
        self.env_dir = ""                       # the directory HOME and TMPDIR name now (see _spawn)
        self.dir_names: list[str] = []          # the children's directories' paths, c1, c2... (see _child_directory)
        self.numpy_key: tuple | None = None     # NumPy's global generator's key and position (see numpy_key)
        self.cleared: float | None = None       # when the last close ended, for the next spawn's answer (see serve)
        self.child_seccomp: dict = {}           # may_fork -> the filter a child adds (see child_program)
        self.namespace_nproc = False            # RLIMIT_NPROC counts this namespace's processes (see _private_tmp)
        self._nproc, self._nproc_at = 0, -1e9
        # What a child may read under Landlock: the interpreter, its libraries, /dev/urandom.
        read = {os.path.realpath(p) for p in [sys.prefix, sys.base_prefix, sys.exec_prefix, *sys.path, "/usr",
                                              "/lib", "/lib64", "/lib32", "/dev/urandom"] if p and os.path.exists(p)}
        self.landlock_read = sorted(p for p in read if not any(p.startswith(o + "/") for o in read))
        # All of them, nested ones too: a folder the rules leave out (a protected class folder
        # that holds the grader, ``/usr/src/app``) may hold one (its virtual environment).
        self.read_paths = sorted(read)

    # -- start-up

    def setup(self) -> None:
        """Pre-import, hide secrets (root), become subreaper, probe what children can do."""
        # Done once here rather than in every child (clearing the environment costs a child ~0.6 ms).
        os.environ.clear()
        os.environ.update(CHILD_ENVIRONMENT)
        self._preload(PRELOAD)
        if PLATFORM.linux:
            self._first_for_the_oom_killer()
        import resource
        for res in ZYGOTE_ZERO_LIMITS:
            # Lowered once here, inherited by every child (lowering a limit needs no privilege).
            try:
                resource.setrlimit(getattr(resource, res), (0, 0))
            except (AttributeError, ValueError, OSError):  # macOS has no RLIMIT_RTPRIO nor RLIMIT_NICE
                pass
        # The builders of the calls' arguments' layouts (args_layout: shapes and nesting, no number),
        # so that a usual call's arguments arrive as their arrays' bytes after a layout's number.
        # Compiled first, before the objects the set-up keeps: compiled last, they cost every
        # child about 24 page faults more than no builder at all, first about 12 (20 rounds each;
        # likely the compiler's garbage left free in the heap, which children then write into).
        arg_builders = args_builders(self.config.pop("arg_layouts", []))
        self.streams = _child_streams(self.output_budget)
        caps = self.caps
        caps["mount_namespace"] = False
        caps["hidden_paths"] = []
        caps["proc_hidepid"] = False
        linux = PLATFORM.linux
        if self.root and linux:
            try:
                self._hide_paths()
                caps["mount_namespace"] = True
            except OSError as exc:
                caps["notes"].append(f"mount namespace unavailable: {exc}")
        if self.root and not caps["mount_namespace"]:
            self._preload(PRELOAD_EXTRA)
        caps["subreaper"] = False
        if linux:
            try:
                prctl(PR_SET_CHILD_SUBREAPER, 1)
                caps["subreaper"] = True
            except OSError:
                pass
        import tempfile
        # (Root: unchanged, the second operand is never evaluated. Without root: see _private_tmp.)
        if caps["mount_namespace"] or (linux and not self.root and self._private_tmp()):
            self.tmp_base = "/tmp/grader"
            self.tmp_private = True
            os.mkdir(self.tmp_base, 0o711)
        else:
            self.tmp_base = tempfile.mkdtemp(prefix="grader-sandbox-")
            os.chmod(self.tmp_base, 0o711)
        caps["uid_drop"] = self.root
        caps["network_namespace"] = False
        if self.root and linux:
            # One network namespace (loopback down: no route anywhere, not even 127.0.0.1)
            # and one IPC namespace for the zygote and all its children: as isolating as one
            # per child for a process that cannot create sockets, and ~1 ms cheaper per session.
            try:
                unshare(CLONE_NEWNET | CLONE_NEWIPC)
                caps["network_namespace"] = True
            except OSError as exc:
                caps["notes"].append(f"network namespace unavailable: {exc}")
        caps["landlock_abi"] = landlock_abi() if linux else 0
        if caps["landlock_abi"]:
            read = readable_without(self.read_paths, self.config.get("protected", ()))
            self.landlock = Landlock(caps["landlock_abi"], read_paths=read, rw_paths=["/dev/null"])
        self.seccomp = seccomp_program() if linux else None
        # Each child adds one of these to the filter it inherits (see _run_child).
        if linux:
            self.child_seccomp = {may: child_program(metadata=not self.root, one_process=not may)
                                  for may in (False, True)}
        caps["seccomp"] = self.seccomp is not None
        caps["rlimits"] = ["CPU", "AS", "NPROC", "FSIZE", "NOFILE", "CORE"]
        if not linux and not address_space_limit_enforced():
            # Probed only off Linux, where RLIMIT_AS always holds (no cost to the usual start-up).
            self.reserve_address_space = True
            caps["rlimits"][1] = "AS (by reserving the address space beyond it)"
            caps["lost"].append("RLIMIT_AS not enforced here: the address space beyond the memory limit "
                                "is reserved instead (a limit on growth, not on the total)")
        if self.register is not None:
            os.register_at_fork = self.register
        self.child_handlers = _bare_fork_handlers(self.forkers)
        caps["bare_fork"] = self.child_handlers is not None
        import gc
        # (The warm-up ran before the configuration: _before_config.)
        # Every child's standard streams, already the zygote's own (its fds 1 and 2 are the log,
        # a child's the capture pipe): a child then changes nothing in sys's dictionary, whose
        # copy in the baseline stands for it (copying it in each child wrote to the reference
        # count of everything it holds: about 30 page faults).
        sys.stdin, sys.stdout, sys.stderr = self.streams
        sys.__stdout__, sys.__stderr__ = sys.stdout, sys.stderr
        sys.path_hooks.insert(0, import_guard([*self.landlock_read, GRADER_DIR]))
        sys.addaudithook(numpy_pickles_only)
        import builtins
        builtins.print = _quiet_when_spent(builtins.print, self.streams, self.output_budget)
        self.baseline = Baseline.take()  # last: nothing may change the guarded dictionaries after it
        self.runtime = Runtime(None, max_bytes=self.config["max_bytes"], inherited=self.baseline)
        self.runtime.output_budget = self.output_budget
        # The headers of the answers' usual layouts (grader.wire.Encoder: shapes and nesting, no
        # number of any value), so that a child writes no header text for a usual answer.
        for header in self.config.pop("layouts", ()):
            self.runtime.encoder.learn(header)
        self.runtime.arg_builders = arg_builders
        self.caps["arg_layouts"] = len(arg_builders)
        self.numpy_key = numpy_key()
        gc.collect()
        gc.freeze()
        # Hand the heap's free pages back to the kernel (glibc): fewer pages for each fork
        # to map and for each child to unmap.
        trim = getattr(libc, "malloc_trim", None) if libc is not None else None
        if trim is not None:
            trim(0)
        # Then hold the heap's free chunks: a child's allocations would land in them, on pages
        # shared with this zygote, and copy each such page (about 130 of the 180 heap pages a
        # child copies); held here, a child's allocations come from fresh pages past the top.
        self.heap_plugs = plug_heap_holes()
        if linux:
            # no_new_privs, which seccomp needs here and Landlock in a child without root: set
            # once, inherited by every child (which made the same call again, a ctypes call each).
            prctl(PR_SET_NO_NEW_PRIVS, 1)
        if self.seccomp is not None:
            # Installed once here and inherited by every child (installing it in each child
            # cost about 0.1 ms: the kernel checks and copies the program). The zygote makes
            # none of the system calls it denies from now on: its sockets exist already.
            apply_seccomp(self.seccomp)

    def _private_tmp(self) -> bool:
        """Without root, the children's directories on a tmpfs of this zygote's own over ``/tmp``
        (``private_tmp``), bounded in bytes and inodes, so that a child that fills it gets ENOSPC
        on its own files and the machine's ``/tmp`` (on a laptop often the root file system) gets
        nothing; else, where the kernel refuses, on the machine's ``/tmp`` as before, with a note
        saying why. Made here, before seccomp (which the zygote installs on itself) and before
        Landlock opens its read paths (``Landlock.__init__``; none of them is under ``/tmp``, or
        the tmpfs is not made) and each child's directory, its one read-write rule."""
        refused, in_namespace = private_tmp([*self.landlock_read, GRADER_DIR])
        # In a user namespace the kernel (5.14 on: RLIMIT_NPROC on ucounts) counts a child's
        # processes against its RLIMIT_NPROC among the namespace's only, not the user's: see
        # _user_processes.
        self.namespace_nproc = in_namespace and _kernel_release() >= (5, 14)
        self.caps["private_tmp"] = refused is None
        if refused is not None:
            self.caps["notes"].append(f"children's directories on the machine's /tmp: {refused}")
            return False
        return True

    def _preload(self, names: tuple[str, ...]) -> None:
        """Import modules now so that forked children inherit them."""
        import importlib
        for name in names:
            try:
                importlib.import_module(name)
            except Exception as exc:  # a missing optional module must not stop the sandbox
                self.caps["notes"].append(f"preload {name} failed: {type(exc).__name__}")

    def _first_for_the_oom_killer(self) -> None:
        """``oom_score_adj`` 1000 for this zygote and so every child: memory is bounded per process
        (``RLIMIT_AS``) and a child may start ``max_processes``, so a student's processes, each kept
        smaller than the grading process, could fill the machine, and the OOM killer, which takes
        the largest, took the grading process or a worker; now it takes the sandbox's largest first.
        A child lowers it only through ``/proc``, which Landlock denies; as root with
        ``CAP_SYS_RESOURCE`` the write also sets the floor no child can go below, and a child that
        dropped root cannot open its files there anyway (not dumpable, and the seccomp filter
        refuses ``PR_SET_DUMPABLE``: ``_SECCOMP_PRCTL``). The zygote is the smallest
        of them (every child holds its pages too)."""
        try:
            with open("/proc/self/oom_score_adj", "w") as handle:
                handle.write("1000")
        except OSError as exc:
            self.caps["notes"].append(f"oom_score_adj unavailable: {exc}")

    def _hide_paths(self) -> None:
        """In a private mount namespace, cover secrets and shared dirs with empty tmpfs mounts."""
        unshare(CLONE_NEWNS)
        mount(None, "/", None, MS_REC | MS_PRIVATE)
        runtime = runtime_folders()
        hidden = self.caps["hidden_paths"]
        for top in SYSTEM_HIDDEN:
            if not os.path.isdir(top) or os.path.islink(top):
                continue
            # nr_inodes: size bounds the bytes of files, not how many there are; an empty
            # file or a directory is about 0.85 kB of kernel memory, and a child made 95,000
            # a second (the default, half the machine's pages, let one hold 2.6 GB).
            _cover(top, runtime, PRIVATE_TMP_BOUNDS + ",mode=0755", read_only=False)
            hidden.append(top)
        for path in self.config["protected"]:
            real = os.path.realpath(path)
            if real in hidden:
                # Already a fresh tmpfs of its own above (a notebook graded from /tmp itself):
                # nothing of the folder shows, and a read-only mount over it would leave the
                # sandbox no /tmp to make its children's directories in.
                continue
            if os.path.isdir(real) and _inside(runtime + [GRADER_DIR], real):
                # A folder that holds the grader or the interpreter (``grade.py .``, a class
                # folder the grader was put in): covered whole, what the zygote reads bound back
                # read-only. Covering it entry by entry hid only the entries there at the start:
                # without Landlock, a file added later was open to every later child.
                _cover(real, [*runtime, GRADER_DIR], "size=64k,nr_inodes=1024,mode=0755", read_only=True)
            elif os.path.isdir(real):
                mount("tmpfs", real, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0000")
            elif os.path.exists(real):
                mount("/dev/null", real, None, MS_BIND)
            else:
                continue
            hidden.append(real)
        try:
            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2")
            self.caps["proc_hidepid"] = True
        except OSError as exc:
            self.caps["notes"].append(f"/proc hidepid unavailable: {exc}")

    # -- serving

    def serve(self) -> None:
        """Answer control requests until the grading process goes away."""
        rfd, wfd = cloexec_pipe(nonblocking=True)
        signal.set_wakeup_fd(wfd)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self._reply({"ok": True, "caps": self.caps, "pid": os.getpid()})
        # One poll object for the loop's whole life (select.select built three lists a turn: a
        # turn runs while a child shares the zygote's pages, so each object it writes is a copy).
        ctrl_fd = self.ctrl.fileno()
        waiter = select.poll()
        waiter.register(ctrl_fd, select.POLLIN)
        waiter.register(rfd, select.POLLIN)
        while True:
            self._reap()
            requested = False
            for fd, _ in waiter.poll(1000):
                if fd == rfd:
                    # One read drains it (a byte a signal), with no BlockingIOError raised and
                    # caught as a read past the end would: the child may live still, and every
                    # object an exception writes is a page copied.
                    try:
                        while len(os.read(rfd, 4096)) == 4096:
                            pass
                    except BlockingIOError:
                        pass
                else:
                    requested = True
            if not requested:
                continue
            try:
                data, fds = ctrl_recv(self.ctrl, 1 << 16, framed=self.framed)
            except InterruptedError:
                continue
            if not data:
                break
            request = self._parse(data)
            op = request["op"]
            if op == "exit":
                break
            try:
                if op == "spawn":
                    reply = self._spawn(request, fds)
                    pidfd = reply.pop("pidfd", None)
                    if reply["ok"]:  # {"ok": True, "pid": pid} (see _spawn)
                        # The usual answer, written without json: the child lives now, and every
                        # page the zygote writes until the next fork is copied (json.dumps wrote
                        # to its encoder's objects and built the text in pieces). After a close,
                        # when it ended (CLOCK_MONOTONIC, the grading process's too): the spawn
                        # waited for it, and the session that asks is not charged for that wait.
                        cleared, self.cleared = self.cleared, None
                        ctrl_send(self.ctrl, b'{"ok":true,"pid":%d}' % reply["pid"] if cleared is None else
                                  b'{"ok":true,"pid":%d,"cleared":%.6f}' % (reply["pid"], cleared),
                                  [pidfd] if pidfd is not None else [], framed=self.framed)
                    else:
                        self._reply(reply, [pidfd] if pidfd is not None else [])
                    if pidfd is not None:
                        os.close(pidfd)
                elif op == "kill":
                    self._reply(self._kill(request))
                elif op == "close":  # like kill, but the grading process does not wait for it
                    self._kill(request)
                    self.cleared = time.monotonic()
                else:
                    self._reply({"ok": False, "error": f"unknown op {op}"})
            except Exception as exc:  # e.g. fork() failing: report it, keep serving
                if op != "close":
                    self._reply({"ok": False, "error": f"{type(exc).__name__}: {exc}"})
            finally:
                for fd in fds:
                    os.close(fd)
        self._shutdown()

    def _parse(self, data: bytes) -> dict:
        """A request, as ``json.loads`` reads it. The usual two without json: a close request by
        its one form (``close_request``), a spawn request by its bytes, parsed once (a worker asks
        with the same few: ``Sandbox._spawn_request``); requests are read, never changed, so the
        parsed one serves again. A few spawn requests are kept, not every one."""
        request = self.spawn_requests.get(data)
        if request is None:
            request = close_request(data)
        if request is None:
            request = json.loads(data)
            if type(request) is dict and request.get("op") == "spawn" and len(self.spawn_requests) < 8:
                self.spawn_requests[data] = request
        return request

    def _reply(self, obj: dict, fds: list[int] = ()) -> None:
        """Answer the grading process (one message, optionally with file descriptors)."""
        ctrl_send(self.ctrl, json.dumps(obj).encode(), fds, framed=self.framed)

    def _reap(self) -> None:
        """Reap every finished child, session children and adopted orphans alike."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.children:
                self.exited[pid] = status
            else:
                self.twins.discard(pid)

    def _child_directory(self) -> str:
        """Make the next child's directory, empty and its own: ``c<n>`` in ``tmp_base`` for the
        lowest ``n`` that no live child holds and that is not there (a directory a child left
        that could not be removed keeps its name out of use).

        Names repeat, so the HOME and TMPDIR strings set from them (``_spawn``) repeat too:
        glibc's ``setenv`` keeps every value it was ever given, and a new name per child grew the
        zygote's heap by about 140 bytes a child and brought back the free chunks that
        ``plug_heap_holes`` took (past about 2,500 children, the plug cost more than it saved).
        A reused name is a new directory: a dead child's Landlock rule named the old one's inode,
        and its uid's processes were killed before its directory was removed (``_kill``)."""
        names = self.dir_names  # made once each: no path joined per child
        live = self.children.values()  # a few at most
        n = 0
        while True:
            n += 1
            if n > len(names):
                names.append(os.path.join(self.tmp_base, f"c{n}"))
            tmp = names[n - 1]
            if tmp in live:
                continue
            try:
                os.mkdir(tmp, 0o700)
            except FileExistsError:
                continue
            return tmp

    def _spawn(self, req: dict, fds: list[int]) -> dict:
        """Fork a session child; it never returns into this loop."""
        if len(fds) != 2:
            return {"ok": False, "error": "spawn needs two fds"}
        uid = req.get("uid")
        if self.root and uid is not None and uid not in self.uids_seen:
            self.uids_seen.add(uid)
            self._sweep_uid(uid)  # leftovers of an earlier grader that crashed with this uid
        nproc_base = 0 if (self.root and uid is not None) else self._user_processes()
        # The child's directory and Landlock ruleset are made here, where the code is warm and
        # no page is shared with a live child (the child would fault on every page it writes).
        tmp = self._child_directory()
        ruleset = None
        try:
            if self.root and uid is not None:
                os.chown(tmp, uid, uid)
            if self.landlock is not None:
                ruleset = self.landlock.ruleset(tmp)
            # The child's environment: CHILD_ENVIRONMENT (set in setup) and its own directory.
            # Set here, before the fork; the zygote keeps the last child's, and never reads them.
            # Names repeat (_child_directory: usually c1), so usually they are set already.
            if tmp != self.env_dir:
                import tempfile
                environ = os.environ
                environ["HOME"] = environ["TMPDIR"] = tmp
                tempfile.tempdir = tmp
                self.env_dir = tmp
            # NumPy's global generator gets a state of the child's own, or every child would
            # draw the zygote's numbers and one student would know another's: the Mersenne
            # Twister's whole key (624 words) from the system, at the position where the first
            # draw renews it, no Gaussian cached. Set here, where NumPy's code is warm (0.1 ms;
            # the key as Python ints: set_state reads it word by word); seed() in the child
            # cost it 0.6 ms and 120 page faults (SeedSequence, mostly). Written straight into
            # the generator's memory where that was checked to work (numpy_key: no 624 Python
            # ints, no set_state, about 20 page faults and 0.07 ms less a child), else set_state.
            key = self.numpy_key
            if key is not None:
                key[0].raw = os.urandom(_MT_KEY_BYTES)
                key[1].value = _MT_WORDS
            else:
                numpy = sys.modules.get("numpy")
                if numpy is not None:
                    numpy.random.set_state(("MT19937", struct.unpack("<624I", os.urandom(_MT_KEY_BYTES)), _MT_WORDS))
            pid = os.fork() if self.child_handlers is None else self.bare_fork()
        except BaseException:
            if ruleset is not None:
                os.close(ruleset)
            os.rmdir(tmp)
            raise
        if pid == 0:
            code = 1
            try:
                for handler in self.child_handlers or ():  # those os.fork would have run (bare_fork)
                    handler()
                _run_child(self, req, fds, tmp, ruleset, nproc_base)
                code = 0
            except BaseException:  # nothing may return into the zygote's loop
                try:
                    import traceback
                    traceback.print_exc()
                except BaseException:
                    pass
            finally:
                os._exit(code)
        if ruleset is not None:
            os.close(ruleset)
        self.children[pid] = tmp
        reply = {"ok": True, "pid": pid}
        try:  # lets the grading process see the child die even if its descendants hold the socket
            reply["pidfd"] = os.pidfd_open(pid)
        except (AttributeError, OSError):
            pass
        return reply

    def bare_fork(self) -> int:
        """fork(2) without Python's at-fork machinery.

        ``os.fork`` runs every handler registered with ``os.register_at_fork`` and resets the
        interpreter's thread and lock state in the child; here that costs a child about 1 ms
        and 200 page faults, most of it ``threading._after_fork``, which only repairs the state
        of other threads. It is used only when the zygote has a single thread and every
        registered handler is a child handler (see ``_bare_fork_handlers``): then no lock can be
        held by another thread at the fork, and the child runs the other child handlers
        (``random``'s reseeding, in ``_spawn``, where nothing can return into the zygote's
        loop) itself. The GIL is held across the call (``PyDLL``), so the
        child's interpreter state is the parent's, consistent. A signal caught by the zygote
        but not yet handled by Python is handled once more in the child, by the zygote's
        handler, before the child resets its handlers (see ``_run_child``).
        """
        pid = libc_gil.fork()
        if pid < 0:
            err = ctypes.get_errno()
            raise OSError(err, f"fork: {os.strerror(err)}")
        return pid

    def _user_processes(self) -> int:
        """This user's process count (for RLIMIT_NPROC without root), refreshed every 2 s; in a
        user namespace of its own (``_private_tmp``), where the kernel counts only the namespace's
        processes, this zygote and its live children (their own processes are not counted: a
        bound a little tighter, never looser; the user's count let a child fork as many more)."""
        if self.namespace_nproc:
            return 1 + len(self.children)
        now = time.monotonic()
        if now - self._nproc_at > 2.0:
            self._nproc = _count_user_processes(os.getuid())
            self._nproc_at = now
        return self._nproc

    def _kill(self, req: dict) -> dict:
        """Kill a session child, its group and everything of its uid; report its wait status."""
        pid = req["pid"]
        uid = req.get("uid")
        if pid in self.children:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            if pid not in self.exited:
                try:
                    _, status = os.waitpid(pid, 0)
                    self.exited[pid] = status
                except ChildProcessError:
                    self.exited.setdefault(pid, 0)
        if self.root and uid is not None:
            # Anything the dead child left alive descends from an orphan adopted by this
            # subreaper; only then is the (forking) uid sweep needed.
            self._reap()
            adopted = _proc_children(os.getpid())
            if adopted is None or [p for p in adopted if p not in self.children and p not in self.twins]:  # None: unknown, sweep
                self._sweep_uid(uid)
        else:
            self._sweep_orphans()
        status = self.exited.pop(pid, None)
        tmp = self.children.pop(pid, None)
        if tmp:
            try:  # most children leave their directory empty: one system call
                os.rmdir(tmp)
            except OSError:
                self._remove_dir(tmp)
        if status is None:
            return {"ok": True, "exit": None, "signal": None}
        if os.WIFSIGNALED(status):
            return {"ok": True, "exit": None, "signal": os.WTERMSIG(status)}
        return {"ok": True, "exit": os.WEXITSTATUS(status), "signal": None}

    def _sweep_uid(self, uid: int) -> None:
        """Kill every process of `uid`: a helper becomes that uid and signals -1 until none is alive.

        kill(-1) reports success while zombies of the uid remain, so the helper
        checks /proc for live (non-zombie) processes of the uid between rounds; without /proc
        it stops when kill(-1) finds nobody to signal, or after the last round.
        """
        pid = os.fork()
        if pid == 0:
            try:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
                for _ in range(2000):
                    try:
                        os.kill(-1, signal.SIGKILL)
                    except ProcessLookupError:
                        os._exit(0)
                    if _live_processes_of(uid) == []:
                        os._exit(0)
            except BaseException:
                os._exit(1)
            os._exit(2)
        while True:
            try:
                os.waitpid(pid, 0)
                break
            except ChildProcessError:
                break
            except InterruptedError:
                continue
        self._reap()

    def _sweep_orphans(self) -> None:
        """Kill processes adopted by this subreaper that are not live session children."""
        me = os.getpid()
        for _ in range(200):
            self._reap()
            adopted = _proc_children(me)
            if adopted is None:  # no /proc: nothing adopted can be seen (nor, without a subreaper, is any)
                return
            strays = [p for p in adopted if p not in self.children and p not in self.twins]
            if not strays:
                return
            for p in strays:
                for kill in (os.killpg, os.kill):
                    try:
                        kill(p, signal.SIGKILL)
                    except OSError:
                        pass
            time.sleep(0.001)

    def _shutdown(self) -> None:
        """Kill all children and sweep before exiting."""
        for pid in list(self.children):
            self._kill({"pid": pid, "uid": None})
        if self.root:
            for uid in self.uids_seen:
                self._sweep_uid(uid)
        self._sweep_orphans()
        self._remove_dir(self.tmp_base)

    def _remove_dir(self, path: str) -> None:
        """``remove_tree(path)``; the first time something stays, one line in the log
        (``left_behind_note``), which the worker's sandbox shows the TA when it closes."""
        left = remove_tree(path)
        if left and not self.told_left_behind:
            self.told_left_behind = True
            try:
                os.write(2, left_behind_note(path, left, private=self.tmp_private).encode("utf-8", "backslashreplace"))
            except OSError:
                pass


def _run_child(z: Zygote, req: dict, fds: list[int], tmp: str, ruleset: int | None, nproc_base: int) -> None:
    """In the forked child: isolate, limit, drop privileges, then serve the session in `tmp`
    (made by the zygote, the child's own), under the Landlock `ruleset` (None: no Landlock)."""
    # The C functions of _signal: signal.signal's wrapper converts numbers to and from enums,
    # Python code that costs a child about 0.3 ms and 60 page faults for these six calls.
    _signal.set_wakeup_fd(-1)
    # A signal the zygote caught just before the fork and had not handled yet is handled
    # now, by the zygote's handler (pthread_sigmask runs pending handlers; Zygote.bare_fork
    # does not clear them): reset to SIG_DFL first, Python would print "Signal 17 ignored".
    _signal.pthread_sigmask(_signal.SIG_BLOCK, ())
    for sig in (_signal.SIGCHLD, _signal.SIGTERM, _signal.SIGHUP, _signal.SIGALRM):
        _signal.signal(sig, _signal.SIG_DFL)
    _signal.signal(_signal.SIGINT, _signal.default_int_handler)
    os.setsid()
    # Landlock first, while the ruleset's fd is still open (no_new_privs, which it needs without
    # root, is the zygote's, inherited: see Zygote.setup). Nothing after this opens a path
    # other than /dev/null, which the ruleset allows.
    linux = z.linux
    if ruleset is not None:
        landlock_restrict_self(ruleset)
    own_filter = z.child_seccomp.get(req["limits"].get("may_fork") is True)
    if own_filter is not None:
        apply_seccomp(own_filter)
    sock_fd, out_fd = fds
    # fd layout: 0 /dev/null, 1+2 capture pipe, 3 protocol socket; nothing else survives.
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    os.dup2(sock_fd, 3)
    os.closerange(4, 1 << 16)
    z.ctrl.detach()
    limits = req["limits"]
    uid = req.get("uid")
    dropped = z.root and uid is not None
    nproc = limits["max_processes"] + nproc_base
    for res, (soft, hard) in ((resource.RLIMIT_CPU, (limits["cpu_seconds"], limits["cpu_seconds"] + 1)),
                              (resource.RLIMIT_AS, (limits["memory_bytes"],) * 2),
                              (resource.RLIMIT_NPROC, (nproc, nproc)),
                              (resource.RLIMIT_FSIZE, (limits["file_size_bytes"],) * 2),
                              (resource.RLIMIT_NOFILE, (limits["open_files"],) * 2),
                              (resource.RLIMIT_CORE, (0, 0))):
        if res == resource.RLIMIT_AS and z.reserve_address_space:
            continue  # not enforced here (macOS): reserved below instead
        if not z.root:  # a normal user cannot raise a hard limit (root can: no getrlimit needed)
            _, old_hard = resource.getrlimit(res)
            if old_hard != resource.RLIM_INFINITY:
                soft, hard = min(soft, old_hard), min(hard, old_hard)
        resource.setrlimit(res, (soft, hard))
    if dropped:
        os.setgroups([])
        if z.setresuid:
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        else:  # macOS: as root, setgid and setuid set the real, effective and saved ids alike
            os.setgid(uid)
            os.setuid(uid)
    if linux:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != z_pid_of(z):
        os._exit(1)
    os.chdir(tmp)
    if z.reserve_address_space:  # the reservations live as long as the child (see Zygote.reservations)
        z.reservations = reserve_address_space(limits["memory_bytes"])
    # Made by the zygote: the seccomp filter (inherited), the environment (HOME and TMPDIR
    # are tmp) with tempfile.tempdir, and the standard streams (see _child_streams).
    # Their budget is each answer's (see OutputBudget): what the grading process keeps of it.
    kept = limits.get("output_bytes")
    z.output_budget.limit, z.output_budget.written = (kept if type(kept) is int and kept >= 0 else None), 0
    # Family and type given (Sandbox._spawn's socketpair): else the socket asks the kernel (3 calls).
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM, 0, fileno=3)
    # NumPy's global generator has a state of this child's own, set by the zygote just before
    # the fork (see Zygote._spawn); the Runtime was built by the zygote too (see Zygote.setup).
    z.runtime.attach(sock)
    z.runtime.serve()


def z_pid_of(z: Zygote) -> int:
    """The zygote's pid as recorded at start-up (the child's expected parent)."""
    return z.config["zygote_pid"]


def zygote_main(fd: int, *, twins: Sequence[tuple[int, int]] = (), forkers: list[dict] | None = None,
                register=None) -> None:
    """Entry point of the zygote interpreter: fork the twins, read the config, set up, serve.
    `twins`: a control socket and a log per twin to fork first (``grader.zygote.start_zygotes``);
    `forkers` and `register`: the at-fork registrations recorded by the boot script (see
    ``Zygote``)."""
    _before_config()
    fd, forked = _fork_twins(fd, twins)
    ctrl = socket.socket(fileno=fd)
    try:
        framed = ctrl.type == socket.SOCK_STREAM
        config = json.loads(ctrl_recv(ctrl, 1 << 20, framed=framed)[0])
        config["zygote_pid"] = os.getpid()
        z = Zygote(ctrl, config, forkers=forkers, register=register, twins=forked)
        try:
            z.setup()
        except BaseException as exc:
            ctrl_send(ctrl, json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}).encode(),
                      framed=framed)
            raise
        z.serve()
    finally:
        # The adopter waits for the end of this socket (Sandbox._await_exit): it ends now, and the
        # twins, whose adopters may still be grading, are waited for after it, so that reaping
        # this zygote (its parent's StartedZygote.reap) reaps them too.
        ctrl.close()
        _await_twins(forked)
    # Served, shut down, twins reaped: leave without the interpreter's finalization (tearing
    # down NumPy and every module, tens of milliseconds of CPU that a first zygote's starter
    # would wait for after its twins' own), its output written out first.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _before_config() -> None:
    """What the set-up would do first and needs no configuration, done while the zygote waits for
    it (a class run configures it once the rubric and fixtures are loaded) and before its twins
    are forked, so once for all of them: the modules every child inherits (``PRELOAD``;
    ``Zygote.setup`` imports them again, a no-op then, and notes what failed), the warm-up
    (``_warm_up``: the grader's own code on a throwaway socket, its limit on a message the one
    every sandbox sends), then a full collection of the booted heap, frozen (the set-up's own
    collection then walks only what it made: about 0.02-0.03 s less after the configuration; per
    child no more page faults, ``bench_child.py``)."""
    import importlib
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noted by the set-up
            pass
    from grader import wire
    _warm_up(wire.DEFAULT_MAX_BYTES)
    import gc
    gc.collect()
    gc.freeze()


def _fork_twins(fd: int, twins: Sequence[tuple[int, int]]) -> tuple[int, set[int]]:
    """Fork a twin per (control socket, log) in ``twins``: this interpreter as booted, not yet
    configured, so that each twin is what a fresh boot would be. Returns, here, ``fd`` and the
    twins' pids; in a twin, its own socket and no pid. A twin is a session of its own, as a
    zygote started alone is, writes to its own log and holds no other zygote's socket or log."""
    pids: set[int] = set()
    for sock, log in twins:
        pid = os.fork()
        if pid == 0:
            os.setsid()
            os.dup2(log, 1)
            os.dup2(log, 2)
            for other in {fd, *(n for pair in twins for n in pair)} - {sock}:
                os.close(other)
            return sock, set()
        pids.add(pid)
    for pair in twins:
        for n in pair:
            os.close(n)
    return fd, pids


def _await_twins(twins: set[int]) -> None:
    """Wait for the twins not yet reaped (``Zygote._reap`` takes those that left earlier out of
    the set): each leaves when its own socket ends."""
    for pid in sorted(twins):
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        twins.discard(pid)
