"""Starting a zygote's interpreter: the first thing a class run does.

A zygote is a fresh ``python -I -S`` that imports NumPy and the child runtime and then forks
the sandbox's children (``grader._child.zygote_main``; ``grader.sandbox.Sandbox`` configures
and drives it). Its interpreter takes 0.2-0.3 s to boot, so a class run starts its zygotes
before anything else it imports. This module is what that needs, and no more: it imports
neither NumPy nor the sandbox's protocol (``grader.sandbox`` imports NumPy through
``grader.wire``), so the zygotes boot beside the grading process's own imports.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Sequence

from grader import zygote_site  # noqa: F401 - imported by _BOOT in the zygote: a kit carries it
from grader._child import CHILD_ENVIRONMENT, PLATFORM, ctrl_send

__all__ = ["StartedZygote", "configure_zygote", "start_zygote", "start_zygotes", "unprotected_reason"]


# Run with -S: the at-fork handlers that modules register (``os.register_at_fork``) are
# recorded from the very start, then the search path is set up as ``site`` would have done it,
# without the code of .pth files (``grader.zygote_site``);
# the zygote forks without them when it can (see ``grader._child.Zygote.bare_fork``).
_BOOT = """\
import os, sys, types
forkers = []
register = os.register_at_fork
def recording(**handlers):
    forkers.append(handlers)
    register(**handlers)
os.register_at_fork = recording
sys.dont_write_bytecode = True
pkg = types.ModuleType("grader")
pkg.__path__ = [sys.argv[2]]
sys.modules["grader"] = pkg
import grader.zygote_site
grader.zygote_site.set_up()
import grader.wire, grader._child
twins = [tuple(int(fd) for fd in pair.split(":")) for pair in sys.argv[3:]]
grader._child.zygote_main(int(sys.argv[1]), twins=twins, forkers=forkers, register=register)
"""


class StartedZygote:
    """A zygote's interpreter, started (:func:`start_zygotes`) and not yet configured: its process,
    the grader's end of its control socket, whether messages on it are length-prefixed, and the
    file its output goes to.

    A class run starts its zygotes while it imports the rest of the grader and loads the rubric
    and fixtures, so that their interpreters boot (Python, NumPy, the child runtime) meanwhile,
    and each worker's ``Sandbox`` adopts one (``Sandbox(zygote=...)``). The first zygote is an
    ``exec`` of a fresh ``python -I -S`` that inherits nothing but its sockets and logs
    (``close_fds``), so the process that starts it may be the grading process itself, which
    later holds the fixtures. That process (its parent) reaps it (:meth:`reap`); every process
    other than its adopter that holds a copy of its socket drops it (:meth:`release`), so that
    the zygote sees the end of its socket, and leaves, when its adopter is gone.

    A *twin* (``proc`` None) is forked by the first zygote once that has booted, before either
    is configured: the same clean interpreter, one boot for both. Its parent is the first
    zygote, which reaps it and waits for it before leaving itself (``grader._child.zygote_main``),
    so reaping the first zygote reaps its twins too; nothing else can wait for a twin. (Should
    the first be killed while a twin serves, the twin serves on and, once it leaves, is reaped
    by whatever reaps this process tree's orphans: init, or a subreaper above it.)
    """

    def __init__(self, proc: subprocess.Popen | None, ctrl: socket.socket, log: Any, framed: bool,
                 *, twins: int = 0) -> None:
        """Hold a started zygote (``proc`` None: a twin of the first, see the class; ``twins``:
        how many the first forks)."""
        self.proc = proc
        self.ctrl = ctrl
        self.log = log
        self.framed = framed
        self.twins = twins
        self.parent_pid = os.getpid()
        self.config: bytes | None = None  # the configuration sent already, if any (see configure)

    def is_parent(self) -> bool:
        """True in the process that started the zygote and can wait for it (never for a twin)."""
        return self.proc is not None and os.getpid() == self.parent_pid

    def configure(self, message: bytes) -> None:
        """Send the zygote its configuration now (``grader.sandbox.configure_zygote``), so that it
        sets itself up while its starter goes on (a class run: before the workers are forked);
        the ``Sandbox`` that adopts it then only awaits its answer. A zygote that cannot be
        reached is left unconfigured: its adopter finds out."""
        try:
            ctrl_send(self.ctrl, message, framed=self.framed)
        except OSError:
            return
        self.config = message

    def release(self) -> None:
        """Close this process's copies of the socket and the log (the zygote is left alone)."""
        self.ctrl.close()
        self.log.close()

    def reap(self, timeout: float = 30.0) -> None:
        """In the parent: wait for the zygote to leave (killed after ``timeout`` seconds). A
        twin is reaped by its parent, the first zygote, which this waits for."""
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        """A zygote nobody adopted: close its socket (it leaves at once) and reap it."""
        self.release()
        self.reap(timeout=5.0)


def start_zygote() -> StartedZygote:
    """Start a zygote's interpreter; it boots while the caller goes on, then waits for its
    configuration (sent by the ``Sandbox`` that adopts it)."""
    return start_zygotes(1)[0]


def start_zygotes(count: int) -> list[StartedZygote]:
    """Start ``count`` zygotes (at least one) with one interpreter's boot: the first is a fresh
    interpreter, the others its twins, forked by it once it has imported NumPy and the child
    runtime and before it reads its configuration (see :class:`StartedZygote`). Each waits for
    its configuration from the ``Sandbox`` that adopts it; every step after the boot (set-up,
    warm-up, children, the end) is each zygote's own, as for zygotes started one by one.

    On two cores a class run boots its zygotes beside the grading process's own imports: one
    boot instead of two is about 0.25 s of CPU less while three processes share the cores."""
    # Messages keep their boundaries on a SEQPACKET pair; where there is none (macOS) they
    # are length-prefixed on a stream (grader._child.ctrl_send): the zygote sees which.
    framed = not PLATFORM.seqpacket
    pairs: list[tuple[socket.socket, socket.socket]] = []
    logs: list[Any] = []
    try:
        for _ in range(max(count, 1)):
            pairs.append(socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM if framed
                                           else socket.SOCK_SEQPACKET))
            logs.append(tempfile.TemporaryFile())
        proc = _boot(pairs, logs)
    except BaseException:
        for ours, theirs in pairs:
            ours.close()
            theirs.close()
        for log in logs:
            log.close()
        raise
    for _, theirs in pairs:
        theirs.close()
    return [StartedZygote(proc, pairs[0][0], logs[0], framed, twins=len(pairs) - 1),
            *(StartedZygote(None, ours, log, framed) for (ours, _), log in zip(pairs[1:], logs[1:]))]


def _boot(pairs: list[tuple[socket.socket, socket.socket]], logs: list[Any]) -> subprocess.Popen:
    """Exec the first zygote's interpreter: its output goes to the first log, its control socket
    is the first pair's far end; each twin's far end and log are handed over for it to fork."""
    # The children's environment (the zygote's NumPy is loaded before it sets it), and macOS's
    # allocator told to keep quiet: its report of a failed allocation (a memory hog's) would
    # reach the child's captured output, which Linux's never does.
    env = {**CHILD_ENVIRONMENT, "MallocDebugReport": "none", "MallocLogFile": "/dev/null"}
    grader_dir = str(Path(__file__).resolve().parent)
    twins = [(theirs.fileno(), log.fileno()) for (_, theirs), log in zip(pairs[1:], logs[1:])]
    return subprocess.Popen(
        [sys.executable, "-I", "-S", "-B", "-c", _BOOT, str(pairs[0][1].fileno()), grader_dir,
         *(f"{sock}:{log}" for sock, log in twins)],
        pass_fds=(pairs[0][1].fileno(), *(fd for pair in twins for fd in pair)),
        stdin=subprocess.DEVNULL, stdout=logs[0], stderr=logs[0], env=env, cwd="/",
        start_new_session=True)


#: Characters of answers' layouts a zygote is taught at most (its configuration is one message of
#: at most 1 MiB; a course's two dozen layouts take about 26,000).
MAX_LAYOUT_TEXT = 200_000


def _bounded(layouts: Sequence[str], limit: int) -> list[str]:
    """The first of ``layouts`` (distinct) whose text adds up to at most ``limit`` characters."""
    kept, total = [], 0
    for text in dict.fromkeys(layouts):
        total += len(text)
        if total > limit:
            break
        kept.append(text)
    return kept


def _zygote_config(protected_paths: Sequence[str], layouts: Sequence[str], arg_layouts: Sequence[str]) -> bytes:
    """A zygote's configuration message (see ``grader.sandbox.Sandbox``): resolved protected paths,
    the answers' and the arguments' layouts (bounded already: see ``_bounded``)."""
    # Imported here, not with this module: grader.wire imports NumPy, which a class run's
    # grading process has imported by the time it has layouts to send.
    from grader.wire import DEFAULT_MAX_BYTES

    return json.dumps({"protected": list(protected_paths), "max_bytes": DEFAULT_MAX_BYTES,
                       "layouts": _bounded(layouts, MAX_LAYOUT_TEXT), "arg_layouts": list(arg_layouts)}).encode()


def configure_zygote(zygote: StartedZygote, *, protected_paths: Sequence[os.PathLike] = (),
                     layouts: Sequence[str] = (), arg_layouts: Sequence[str] = ()) -> None:
    """Send a started zygote now the configuration that a ``Sandbox`` given the same options
    would send when it adopts it: the zygote sets itself up (0.06-0.1 s) while the caller goes
    on, and the adopter only awaits its answer. A class run does this as soon as the rubric and
    fixtures give the layouts, before it imports the rest of the grader and forks the workers
    (hence here, not in ``grader.sandbox``, whose import it need not wait for). The message
    holds what the adopter would send, no more (paths and layouts: shapes and nesting, no number)."""
    zygote.configure(_zygote_config(tuple(str(Path(p).resolve()) for p in protected_paths), layouts,
                                    _bounded(arg_layouts, MAX_LAYOUT_TEXT)))


def unprotected_reason() -> str | None:
    """Why a class cannot be graded here with every protection of docs/security.md (None on Linux):
    the instructors' grading refuses to run rather than grade unprotected."""
    lost = PLATFORM.lost()
    if not PLATFORM.linux:
        return ("grading a class needs Linux's protections (seccomp, Landlock, namespaces, a subreaper); "
                "here: " + "; ".join(lost) + ". Grade on Linux (a machine or a container); the students' "
                "grade.py --check runs here")
    if not PLATFORM.proc:  # Linux in a container without /proc: what a child leaves running is not seen
        return ("grading a class needs /proc (mount it in the container): here: " + "; ".join(lost)
                + ". The students' grade.py --check runs here")
    return None
