"""Grading a whole class: submissions spread over worker processes.

Each worker owns one sandbox (one zygote) and grades one submission at a time,
writing that submission's files atomically as soon as it is graded; the main
process hands out work (each worker holds its next submission) and collects
summaries (or, with ``page_records`` or ``full_records``, what its own report steps read, with
the digests of the files the worker wrote), doing its own deferred work while no worker's
message waits (``WorkerPool.run``'s ``on_idle``). A worker that
dies takes no graded result with it, and the submission it held is recorded
as a harness failure, not retried forever.

Ctrl-C: workers ignore SIGINT (the terminal sends it to the whole process
group); the main process stops handing out work, terminates them (SIGTERM,
which each worker turns into a clean exit that closes its sandbox) and raises
``BatchInterrupted`` with what was finished. Results already written stay.
"""
from __future__ import annotations

import contextlib
import dataclasses
import errno
import gc
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping, Sequence

from grader.choice import MOST_READ, graded_functions, one_notebook
from grader.discover import Submission
from grader.models import GRADER_ERROR, GRADER_FAILED, HARNESS, SubmissionResult
from grader.notes import MAX_NOTES, bounded_notes, bounded_result
from grader.parent import wait_for_parent
from grader.report import (
    page_record_of, result_from_dict, result_to_dict, summary_of,
    write_submission, write_submission_record,
)
from grader.runner import GradingContext, grade_submission, unreadable_result

#: Called in the worker before a submission's files are (re)written, and after (with the
#: submission's incremental key, or None).
Prepare = Callable[[Submission], None]
Finish = Callable[[Submission, SubmissionResult, Path, "str | None"], None]
HOOK_ERRORS = "grader-errors.txt"  # in OUT/<id>/: what a finishing step could not do


@dataclass(frozen=True)
class Done:
    """What a worker reports for one submission (the full result is on disk).

    ``record`` is ``grader.report.result_to_dict`` of the result's summary
    (``grader.report.summary_of``): what the gradebook and the class report need,
    so that the grading process never reads the full results back; or, from a pool
    with ``full_records``, of the whole result; or, with ``page_records``, what the
    grading process's own report steps read too (``grader.report.page_record``: what
    ``feedback.html`` shows). ``finished`` is False when the worker's
    finishing step did not run (the worker died: the result is the batch's own).
    ``files``: ``{name: [size, sha256]}`` of the files the worker wrote for the
    submission (for its key, ``grader.incremental.write_key``), or None.
    """

    submission_id: str
    status: str
    points: float
    max_points: float
    seconds: float
    problem: str = ""
    record: dict | None = None
    finished: bool = True
    files: dict | None = None

    def summary(self) -> SubmissionResult | None:
        """The result's summary (see ``grader.report.summary_of``; the whole result from a pool
        with ``full_records``), or None if not sent."""
        return None if self.record is None else result_from_dict(self.record, trusted=True)


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) during a batch; ``finished`` lists what completed before it."""

    def __init__(self, finished: list[Done]) -> None:
        super().__init__(f"interrupted after {len(finished)} submission(s)")
        self.finished = finished


def grade_one(submission: Submission, *, context: GradingContext, sandbox: object,
              out_dir: Path, prepare: Prepare | None = None,
              finish: Finish | None = None, key: str | None = None) -> SubmissionResult:
    """Grade and write one submission; a bug of ours becomes a harness-error result, never a crash.

    ``prepare`` runs before the files are written (for example to forget an
    old incremental key), ``finish`` after (extra reports, the new ``key``); an
    exception in either is logged to ``OUT/<id>/grader-errors.txt`` and the
    batch goes on.
    """
    return _graded(submission, context=context, sandbox=sandbox, out_dir=out_dir, prepare=prepare,
                   finish=finish, key=key)


def _graded(submission: Submission, *, context: GradingContext, sandbox: object, out_dir: Path,
            prepare: Prepare | None = None, finish: Finish | None = None,
            key: str | None = None, files: dict | None = None) -> SubmissionResult:
    """``grade_one``; ``files``, when given, receives ``{name: [size, sha256]}`` of the files
    ``write_submission_record`` wrote. Of several notebooks (``Submission.notebooks``), the one
    holding the work is chosen here (``grader.choice``): in a worker, at the student's turn."""
    chose: tuple[str, ...] = ()  # the choice's notes, when it chose one
    if submission.notebooks:  # a notebook that fails the extractor is refused there, never raises
        ready = one_notebook(submission, graded=graded_functions(context.rubric))
        chose = ready.notes[len(submission.notes):]
        submission = ready
    if submission.problem:
        result = unreadable_result(context.rubric, submission_id=submission.id,
                                   path=str(submission.path), message=submission.problem)
    else:
        try:
            result = grade_submission(submission.path, context=context, sandbox=sandbox,
                                      submission_id=submission.id,
                                      extra_files=submission.read_extra_files())
        except Exception:  # noqa: BLE001 - the batch must go on; the trace goes to the record
            result = _harness_failure(context, submission.id, str(submission.path),
                                      traceback.format_exc())
    if submission.notes:  # the zips unpacked: the student reads what was graded of them
        # bounded as every note (grader.notes): they name files the student's zips chose. The
        # choice's notes last and never cut (fifty notes of a student's zips cut them): the grading
        # process reads from them which notebook was graded (grader.choice.chosen)
        earlier = bounded_notes((*result.messages, *submission.notes[:len(submission.notes) - len(chose)]),
                                most=MAX_NOTES - len(chose))
        result = bounded_result(dataclasses.replace(result, messages=(*earlier, *chose)))
    folder = Path(out_dir) / result.submission_id
    _run_hook(prepare, folder, submission)
    (folder / HOOK_ERRORS).unlink(missing_ok=True)
    write_submission_record(result, folder, digests=files)
    _run_hook(finish, folder, submission, result, folder, key)
    return result


def _harness_failure(context: GradingContext, submission_id: str, path: str,
                     detail: str) -> SubmissionResult:
    """The zero-score result of a submission the grader failed on: ``GRADER_FAILED`` for the
    student, ``detail`` (a traceback, or what happened) kept for the instructor in
    ``extra[GRADER_ERROR]`` (``result.full.json`` and the class report)."""
    result = unreadable_result(context.rubric, submission_id=submission_id, path=path,
                               status=HARNESS, message=GRADER_FAILED)
    if len(detail) > MAX_GRADER_ERROR_CHARS:  # a recursion inside the grader: thousands of frames
        head, tail = MAX_GRADER_ERROR_CHARS // 4, MAX_GRADER_ERROR_CHARS * 3 // 4
        detail = (f"{detail[:head]}\n[... {len(detail) - head - tail} characters of the traceback "
                  f"left out ...]\n{detail[-tail:]}")
    return dataclasses.replace(result, extra=MappingProxyType({GRADER_ERROR: detail}))


#: The longest grader traceback kept for the instructor (its start and its end, where the
#: exception is): result.full.json and every summary a worker sends carry it.
MAX_GRADER_ERROR_CHARS = 20_000


def _run_hook(hook: Callable | None, folder: Path, *args: object) -> None:
    """Call ``hook(*args)``; log an exception into ``folder`` instead of raising it."""
    if hook is None:
        return
    try:
        hook(*args)
    except Exception:  # noqa: BLE001 - a report step must never stop the batch
        log_problem(folder, traceback.format_exc(limit=8))


def log_problem(folder: Path, text: str) -> None:
    """Append ``text`` to ``OUT/<id>/grader-errors.txt`` (best effort), a file only its owner
    reads (0600, as every output written by ``write_atomic``): a traceback names the student's
    files and the grader's paths."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / HOOK_ERRORS, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        with open(fd, "a", encoding="utf-8") as handle:
            handle.write(text.rstrip("\n") + "\n")
    except OSError:
        pass


#: A worker's exit status when its disk (or quota) is full: the grading process raises the
#: error itself, so that the run ends with one message (``outputfolder.full_disk_stops``).
DISK_FULL_EXIT = 75
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)

def _summary(result: SubmissionResult, seconds: float, *, records: str = "summary",
             finished: bool = True, files: dict | None = None) -> Done:
    """The ``Done`` line of ``result``, with the record ``records`` names: ``"summary"``, its
    summary; ``"page"``, what the grading process's pages read (``page_record``), made from the
    result without the whole record's dicts (``page_record_of``); ``"full"``, the whole record.
    ``files`` as ``Done.files``."""
    problem = result.messages[0] if not result.graded and result.messages else ""
    if records == "page":
        summary = page_record_of(result)
    elif records == "full":
        summary = result_to_dict(result)
    else:
        summary = result_to_dict(summary_of(result))
    return Done(result.submission_id, result.status, result.points, result.max_points, seconds,
                problem, record=summary, finished=finished, files=files)


def _light(done: Done) -> Done:
    """``done`` without its summary record: what a batch keeps of each submission (the caller had
    the record in ``on_done``), so that its memory does not grow with the class by kilobytes each."""
    return dataclasses.replace(done, record=None, files=None)


def _exit_on_term(signum: int, frame: object) -> None:
    """SIGTERM in a worker: leave through ``with`` blocks so the sandbox is closed."""
    sys.exit(128 + signum)


class ResilientSandbox:
    """A ``Sandbox`` that starts a new zygote when the old one is gone.

    If the zygote dies (killed by the OOM killer, say), the submission being
    graded becomes a harness failure (graded again on the next run), and the
    next session gets a fresh zygote instead of failing the rest of the batch.
    """

    def __init__(self, *, zygote: object = None, **options: object) -> None:
        """Start the sandbox (adopting ``zygote``, a ``grader.sandbox.StartedZygote``, if given;
        its replacements start their own)."""
        from grader.sandbox import Sandbox, SandboxError, UnprotectedPlatform

        self._factory = lambda: Sandbox(**options)
        if zygote is None:
            self._box = self._factory()
            return
        try:
            self._box = Sandbox(zygote=zygote, **options)
        except UnprotectedPlatform:
            raise
        except SandboxError:
            # Gone before its adoption (killed; with its twins, if it was the first and had not
            # forked them yet): a fresh zygote, as after any zygote's death, not a dead worker.
            self._box = self._factory()

    @property
    def capabilities(self):
        return self._box.capabilities

    def session(self, program: str, **kw: object):
        from grader.sandbox import SandboxError

        try:
            return self._box.session(program, **kw)
        except SandboxError:
            self._box.close()
            self._box = self._factory()
            return self._box.session(program, **kw)

    def close(self) -> None:
        self._box.close()

    def __enter__(self) -> "ResilientSandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _StartFailed(BaseException):
    """A worker's sandbox could not be started (``_PendingSandbox``): raised past the harness-
    failure handling of ``grade_one`` (which catches ``Exception``), so that the worker leaves
    with the start's own exception, as it did when it awaited its sandbox before its first task."""


class _PendingSandbox:
    """A worker's sandbox while its zygote sets itself up: built in a thread (``_background``)
    so that the worker receives, reads and extracts its first submission meanwhile; ``make``
    announces it (the worker's "ready" message) from that thread as soon as it is built. The
    first session waits for it, and so does the worker before it sends anything itself (``box``),
    so that the two threads never write to its pipe at once; a start that failed raises
    ``_StartFailed`` from there (``_worker`` raises its cause: the worker leaves as before)."""

    def __init__(self, make: Callable[[], ResilientSandbox]) -> None:
        """Start ``make()`` in a thread now."""
        self._result = _background(make)
        self._box: ResilientSandbox | None = None

    def box(self) -> ResilientSandbox:
        """The sandbox, once started (waits for it the first time)."""
        if self._box is None:
            try:
                self._box = self._result()
            except BaseException as exc:
                raise _StartFailed() from exc
        return self._box

    @property
    def capabilities(self):
        return self.box().capabilities

    def session(self, program: str, **kw: object):
        return self.box().session(program, **kw)

    def close(self) -> None:
        """Close the sandbox, waiting for its start first if it is still under way."""
        self.box().close()

    def __enter__(self) -> "_PendingSandbox":
        return self

    def __exit__(self, kind: type | None, *exc: object) -> None:
        try:
            self.close()
        except _StartFailed:
            if kind is None:  # nothing else on its way out: the failed start is the news
                raise


def _task(submission: Submission, key: str | None) -> tuple:
    """A submission and its key as plain data for a worker's pipe (mapping proxies do not pickle);
    of the files beside its notebook, those grading reads (``Submission.graded_extra_files``).
    Of one holding several notebooks, which the worker chooses among (``grader.choice``): those
    notebooks and what grading may read beside any of them (past ``MOST_READ`` notebooks, refused
    unread: one more than that, and nothing else)."""
    several = list(submission.notebooks.items())
    if len(several) > MOST_READ:
        several, beside = several[:MOST_READ + 1], []
    else:
        beside = submission.graded_beside_notebooks()
    return (submission.id, str(submission.path),
            {name: str(path) for name, path in submission.graded_extra_files()},
            submission.problem, key, submission.notes,
            {name: str(path) for name, path in several}, {name: str(path) for name, path in beside})


def _from_task(task: tuple) -> tuple[Submission, str | None]:
    """Inverse of ``_task``."""
    sid, path, extra, problem, key, notes, several, beside = task
    notebooks = {n: Path(p) for n, p in several.items()}
    return (Submission(id=sid, path=Path(path), problem=problem, notes=notes,
                       extra_files=MappingProxyType({n: Path(p) for n, p in extra.items()}),
                       notebooks=MappingProxyType(notebooks), files=MappingProxyType(
                           {**{n: Path(p) for n, p in beside.items()}, **notebooks})), key)


def _worker(conn: Connection, context: GradingContext, out_dir: Path, sandbox_options: dict,
            prepare: Prepare | None, finish: Finish | None, records: str = "summary",
            zygote: object = None, others: Sequence = (), inherited: Sequence[int] = ()) -> None:
    """A worker's loop: start the sandbox (adopting ``zygote`` if given), then grade each task
    received (``records``: what it sends of each result, see ``_summary``). ``others``: zygotes
    started for other workers, whose sockets this process inherited and must not keep;
    ``inherited``: descriptors of the grading process's that this one closes (the output
    folder's lock, which would otherwise outlive a grading process killed outright)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides when to stop
    signal.signal(signal.SIGTERM, _exit_on_term)
    for other in others:
        other.release()
    for fd in inherited:
        with contextlib.suppress(OSError):
            os.close(fd)
    # What the worker inherited (fixtures, the feedback renderer, imported modules) lives as
    # long as it does: kept out of the garbage collector's walks, which would also copy the
    # pages it shares with the main process.
    gc.freeze()
    parent = os.getppid()

    def start() -> ResilientSandbox:
        """The sandbox, announced to the grading process as soon as it has started."""
        box = ResilientSandbox(zygote=zygote, **sandbox_options)
        conn.send(("ready", box.capabilities.describe()))
        return box

    try:
        _serve(conn, parent, _PendingSandbox(start), context=context, out_dir=out_dir,
               prepare=prepare, finish=finish, records=records)
    except _StartFailed as exc:
        raise exc.__cause__ from None
    except OSError as exc:
        if exc.errno not in _DISK_FULL:
            raise
        # The sandbox is closed (``_serve``'s block). The grading process says it once, for the
        # whole run (``WorkerPool.run``): each worker's traceback stood above that message.
        sys.stderr.flush()
        os._exit(DISK_FULL_EXIT)


def _serve(conn: Connection, parent: int, pending: _PendingSandbox, *, context: GradingContext,
           out_dir: Path, prepare: Prepare | None, finish: Finish | None, records: str) -> None:
    """``_worker``'s loop: grade each task received until told to stop, with the sandbox
    ``pending`` starts (its first submission is read and extracted while it starts)."""
    with pending as sandbox:
        while True:
            try:
                if not wait_for_parent(conn, parent):  # the grading process was killed outright
                    return
                task = conn.recv()
            except EOFError:
                return
            if task is None:
                return
            submission, key = _from_task(task)
            start = time.perf_counter()
            files: dict = {}
            result = _graded(submission, context=context, sandbox=sandbox, out_dir=out_dir,
                             prepare=prepare, finish=finish, key=key, files=files)
            pending.box()  # its "ready" sent (a notebook that was not run did not wait for it)
            conn.send(("done", _summary(result, time.perf_counter() - start, records=records,
                                        files=files)))


class WorkerPool:
    """Grading workers started before the submissions are known, so that their sandboxes boot
    while the caller finds, hashes and sorts the submissions; ``run`` then feeds them.

    With ``jobs`` = 1 nothing is forked: the sandbox starts in a thread of this
    process and ``run`` grades here. Otherwise each worker is forked now (it
    shares the loaded fixtures, and whatever else this process built, such as
    the feedback renderer, copy-on-write), starts its own sandbox, and receives
    submissions over its pipe. Student code
    never runs in these processes: only in the sandbox children, forked from a
    clean zygote. Use as a context manager: leaving it stops the workers.

    ``full_records``: each ``Done`` carries the whole result's record (see ``Done``);
    ``page_records``: what the grading process's report steps read of it (``Done``).
    ``before_fork`` is called before a worker is forked to replace one that died (the
    caller may have a thread to finish first: a fork copies no thread but their locks).
    ``zygotes``: zygotes started earlier by this process (``grader.sandbox.start_zygote``),
    one adopted by each worker's sandbox in turn (those left over are stopped); the pool
    reaps them when it closes. ``inherited``: descriptors each worker closes first thing (the
    output folder's lock: ``grader.outputlock``).

    Each worker is sent its next submission before it has finished the current one
    (while more remain than there are workers), so that it never waits for this
    process, which may be busy in ``on_done``.
    """

    #: Submissions a worker holds at most (the one it grades and the next).
    DEPTH = 2

    def __init__(self, *, context: GradingContext, out_dir: Path, jobs: int | None = None,
                 sandbox_options: dict | None = None, prepare: Prepare | None = None,
                 finish: Finish | None = None, full_records: bool = False,
                 page_records: bool = False,
                 before_fork: Callable[[], None] | None = None, zygotes: Sequence = (),
                 inherited: Sequence[int] = ()) -> None:
        """Fork the workers now (or start the local sandbox in a thread when ``jobs`` is 1)."""
        self.context = context
        self.out_dir = Path(out_dir)
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        # The pool reports the sandbox's capabilities once (``on_note``), so its sandboxes do
        # not also log them, once per worker and again after every restart.
        self._options = {"announce": False, **(sandbox_options or {})}
        self._prepare, self._finish = prepare, finish
        self._records = "page" if page_records else "full" if full_records else "summary"
        self._before_fork = before_fork
        self._inherited = tuple(inherited)
        self._ctx = multiprocessing.get_context("fork")
        self._workers: dict[Connection, list] = {}  # conn -> [process, [tasks it holds]]
        self._retired: list = []
        self._local: Callable[[], ResilientSandbox] | None = None
        self._frozen = False
        self._zygotes = list(zygotes)[:self.jobs]  # not yet adopted (this process's copies)
        self._adopted: list = []  # adopted by a worker: reaped when the pool closes
        for extra in list(zygotes)[self.jobs:]:
            extra.stop()
        try:
            self._start()
        except BaseException:
            # No ``with`` block closes a pool whose constructor raised (a worker that could not
            # be forked, an interrupt): the workers forked so far and the zygotes it was given
            # would be left running.
            self.close()
            raise

    def _start(self) -> None:
        """Fork the workers (or start the local sandbox in a thread when ``jobs`` is 1)."""
        if self.jobs == 1:
            zygote = self._zygotes.pop() if self._zygotes else None
            self._adopted += [zygote] if zygote is not None else []
            self._local = _background(lambda: ResilientSandbox(zygote=zygote, **self._options))
        else:
            _preload()
            # What this process holds now (modules, fixtures) lives as long as the pool: out of
            # the garbage collector's full walks, which cost CPU and would also copy every page
            # this process shares with its forked workers (``close`` puts it back).
            gc.freeze()
            self._frozen = True
            for _ in range(self.jobs):
                self._start_worker()

    def _start_worker(self) -> None:
        """Fork one worker (it starts its sandbox at once)."""
        parent, child = self._ctx.Pipe()
        zygote = self._zygotes[0] if self._zygotes else None
        proc = self._ctx.Process(target=_worker,
                                 args=(child, self.context, self.out_dir, self._options,
                                       self._prepare, self._finish, self._records,
                                       zygote, tuple(self._zygotes[1:]), self._inherited),
                                 daemon=True)
        proc.start()
        child.close()
        if zygote is not None:
            self._zygotes.pop(0)
            zygote.release()  # the worker holds it now: it alone may keep the zygote alive
            self._adopted.append(zygote)
        self._workers[parent] = [proc, []]

    def run(self, submissions: Sequence[Submission], *, keys: Mapping[str, str | None] | None = None,
            on_done: Callable[[Done], None] | None = None,
            on_note: Callable[[str], None] | None = None,
            on_idle: Callable[[], bool] | None = None,
            on_started: Callable[[], object] | None = None,
            opened: Callable[[Submission], Submission] | None = None) -> list[Done]:
        """Grade ``submissions`` (once per pool); call ``on_done`` as each completes.

        ``on_done`` receives each ``Done`` with its summary record; the list
        returned holds them without it (see ``Done.record``). It is called
        after the worker has been sent its next submission.

        ``on_idle`` does one piece of the caller's deferred work (such as one
        feedback page) and says whether more is left; it is called only while no
        worker's message waits, so that the work never keeps a worker waiting for
        its next submission (a worker holds two at most). With one job it is
        called after each ``on_done`` until it says nothing is left.

        ``keys``: submission id -> incremental key, handed to ``finish``; each is looked up
        when its submission is handed out (a mapping that computes keys on demand, as a class
        run's, then hashes no notebook before the first ones are out). ``on_started`` is
        called once the workers have their first submissions: the caller's set-up that
        grading does not wait for. Ctrl-C raises ``BatchInterrupted`` once the workers are
        stopped. ``opened`` makes each submission ready just before it is handed out (a class
        run unpacks a student's zips then, ``grader.archive.StudentTurns``), and its key is
        looked up after.
        """
        keys = keys or {}
        opened = opened or (lambda sub: sub)
        on_done = on_done or (lambda done: None)
        on_note = on_note or (lambda note: None)
        finished: list[Done] = []
        if self._local is not None:
            return self._run_here(submissions, keys, on_done, on_note, finished, on_idle, on_started,
                                  opened)
        pending = list(reversed(submissions))  # made into tasks as they are handed out
        context = self.context
        noted = False

        def hand_out(conn: Connection) -> None:
            """Top up ``conn``'s worker: up to ``DEPTH`` tasks while more remain than workers,
            one at the end (so that no worker idles while another holds two); None (retiring
            it) when it holds none and none remain."""
            held = self._workers[conn][1]
            while pending and (not held or (len(held) < self.DEPTH
                                            and len(pending) >= len(self._workers))):
                sub = pending.pop()  # a submission, or a task back from a worker that died
                if type(sub) is tuple:
                    task = sub
                else:
                    sub = opened(sub)
                    task = _task(sub, keys.get(sub.id))
                conn.send(task)
                held.append(task)
            if not held:
                conn.send(None)
                self._retired.append(self._workers.pop(conn)[0])

        idle_work = False  # whether on_idle may have work left (from the last result in on)
        watch = _Watch()
        try:
            for conn in list(self._workers):
                hand_out(conn)
            if on_started is not None:
                on_started()
            while self._workers:
                ready = watch.wait(self._workers, timeout=0 if idle_work else None)
                if not ready:  # no worker waits for this process: a piece of the caller's work
                    idle_work = on_idle()
                    continue
                for conn in ready:
                    proc, held = self._workers[conn]
                    try:
                        kind, payload = conn.recv()
                    except (EOFError, OSError):
                        self._workers.pop(conn)
                        proc.join(timeout=5)
                        pending.extend(reversed(held[1:]))  # sent ahead, not started: next
                        if proc.exitcode == DISK_FULL_EXIT:  # ended quietly by a full disk (_worker)
                            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.out_dir))
                        if held:
                            sid, path = held[0][0], held[0][1]
                            code = proc.exitcode  # negative: the signal (-9: often out of memory)
                            result = _harness_failure(context, sid, path, (
                                "The grading worker died while grading this submission"
                                + (f" (exit code {code})." if code is not None else ".")))
                            write_submission(result, self.out_dir)
                            done = _summary(result, 0.0, records=self._records, finished=False)
                            on_done(done)
                            finished.append(_light(done))
                            idle_work = on_idle is not None
                        if pending:
                            if self._before_fork is not None:
                                self._before_fork()
                            self._start_worker()
                            hand_out(list(self._workers)[-1])
                        continue
                    if kind == "ready":
                        if not noted:
                            on_note(payload)
                            noted = True
                        continue
                    if kind == "done":
                        held.pop(0)
                        hand_out(conn)
                        on_done(payload)
                        finished.append(_light(payload))
                        idle_work = on_idle is not None
        except KeyboardInterrupt:
            self.close()
            raise BatchInterrupted(finished) from None
        return finished

    def _run_here(self, submissions: Sequence[Submission], keys: Mapping[str, str | None],
                  on_done: Callable[[Done], None], on_note: Callable[[str], None],
                  finished: list[Done], on_idle: Callable[[], bool] | None = None,
                  on_started: Callable[[], object] | None = None,
                  opened: Callable[[Submission], Submission] = lambda sub: sub) -> list[Done]:
        """``run`` with one job: grade in this process with the sandbox started at construction
        (``on_idle`` until it has nothing left after each result; ``on_started`` first, while
        the sandbox may still be starting; ``opened`` on each submission before it is graded)."""
        try:
            if on_started is not None:
                on_started()
            sandbox = self._local()
            self._local = lambda: sandbox
            on_note(sandbox.capabilities.describe())
            for sub in submissions:
                start = time.perf_counter()
                sub = opened(sub)
                files: dict = {}
                result = _graded(sub, context=self.context, sandbox=sandbox,
                                 out_dir=self.out_dir, prepare=self._prepare,
                                 finish=self._finish, key=keys.get(sub.id), files=files)
                done = _summary(result, time.perf_counter() - start, records=self._records,
                                files=files)
                on_done(done)
                finished.append(_light(done))
                while on_idle is not None and on_idle():
                    pass
        except KeyboardInterrupt:
            raise BatchInterrupted(finished) from None
        return finished

    def close(self) -> None:
        """Stop every worker (those still busy are terminated) and close a local sandbox."""
        for proc, _ in list(self._workers.values()):
            proc.terminate()
        for proc in self._retired:
            proc.join(timeout=10)
        for proc, _ in list(self._workers.values()):
            proc.join(timeout=10)
        for proc in [p for p, _ in self._workers.values()] + self._retired:
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=5)
        self._workers.clear()
        self._retired.clear()
        # Started for workers that never were (a failed fork), stopped last first: a first
        # zygote waits for its twins before leaving, so their sockets must end before it is
        # waited for (in the list's order it was killed after 5 s and its twins orphaned).
        for zygote in reversed(self._zygotes):
            zygote.stop()
        self._zygotes.clear()
        if self._local is not None:
            local, self._local = self._local, None
            try:
                local().close()
            except Exception:  # noqa: BLE001 - a sandbox that never started has nothing to close
                pass
        for zygote in self._adopted:  # their sandboxes are closed: each has left, or leaves now
            zygote.reap()
        self._adopted.clear()
        if self._frozen:
            self._frozen = False
            gc.unfreeze()

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Watch:
    """The workers' pipes under one ``poll`` object kept for a whole ``WorkerPool.run``.

    ``multiprocessing.connection.wait`` builds a selector and registers every pipe in it at
    each call, two a submission (a poll that finds nothing before each page, and the one that
    waits): 0.1 ms of CPU a call in a class run of 400 (its code and data are cold by then), half
    of it the selector's making (0.045 ms with a kept poll object). Here a pipe
    is registered when it joins and unregistered when it leaves (the pool's workers change only
    when one retires, dies or is replaced)."""

    def __init__(self) -> None:
        """Nothing watched yet."""
        self._poll = select.poll()
        self._watched: dict[Connection, int] = {}  # connection -> the descriptor registered
        self._by_fd: dict[int, Connection] = {}

    def _sync(self, conns: Mapping[Connection, object]) -> None:
        """Watch exactly the connections of ``conns`` (those gone first: a new pipe may have
        the descriptor number of a closed one)."""
        for conn in [c for c in self._watched if c not in conns]:
            fd = self._watched.pop(conn)
            self._poll.unregister(fd)
            del self._by_fd[fd]
        for conn in [c for c in conns if c not in self._watched]:
            fd = self._watched[conn] = conn.fileno()
            self._by_fd[fd] = conn
            self._poll.register(fd, select.POLLIN)

    def wait(self, conns: Mapping[Connection, object], timeout: float | None) -> list[Connection]:
        """The connections of ``conns`` (a mapping keyed by them) with a message or an end
        waiting: at once with ``timeout`` 0, else as soon as one has (None: however long it
        takes), as ``multiprocessing.connection.wait``."""
        if self._watched.keys() != conns.keys():
            self._sync(conns)
        events = self._poll.poll(None if timeout is None else timeout * 1000)
        return [self._by_fd[fd] for fd, _ in events]


def _preload() -> None:
    """Import here, once, what every worker would otherwise import for itself after the fork
    (the sandbox, the extraction: about 0.09 s of CPU each when Python compiles them)."""
    import grader.extract  # noqa: F401 - the runner imports it at the first submission
    import grader.sandbox  # noqa: F401 - each worker's ResilientSandbox


def _background(make: Callable[[], object]) -> Callable[[], object]:
    """Start ``make()`` in a thread now; the returned function waits for its value (or raises
    its exception)."""
    box: list = []

    def target() -> None:
        """Run ``make`` and keep its value or exception."""
        try:
            box.append((True, make()))
        except BaseException as exc:  # noqa: BLE001 - raised again by the waiter
            box.append((False, exc))

    thread = threading.Thread(target=target, name="sandbox-start", daemon=True)
    thread.start()

    def result() -> object:
        """Wait for ``make()`` and return its value (or raise its exception)."""
        thread.join()
        ok, value = box[0]
        if not ok:
            raise value
        return value
    return result


def grade_batch(submissions: Sequence[Submission], *, context: GradingContext, out_dir: Path,
                jobs: int | None = None, sandbox_options: dict | None = None,
                on_done: Callable[[Done], None] | None = None,
                on_note: Callable[[str], None] | None = None,
                prepare: Prepare | None = None, finish: Finish | None = None,
                keys: Mapping[str, str | None] | None = None, full_records: bool = False,
                page_records: bool = False) -> list[Done]:
    """Grade ``submissions`` with ``jobs`` workers; call ``on_done`` as each completes.

    ``prepare`` / ``finish`` run in the worker around the writing of each
    submission's files (see ``grade_one``). Ctrl-C raises ``BatchInterrupted``
    once the workers are stopped. A ``WorkerPool`` started and run at once
    (``full_records``, ``page_records``: see ``WorkerPool``).
    """
    if not submissions:
        return []
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(submissions)))
    with WorkerPool(context=context, out_dir=out_dir, jobs=jobs, sandbox_options=sandbox_options,
                    prepare=prepare, finish=finish, full_records=full_records,
                    page_records=page_records) as pool:
        return pool.run(submissions, keys=keys, on_done=on_done, on_note=on_note)
