"""Grading a whole class: submissions spread over worker processes.

Each worker owns one sandbox (one zygote) and grades one submission at a time,
writing that submission's files atomically as soon as it is graded; the main
process only hands out work and collects one-line summaries. A worker that
dies takes no graded result with it, and the submission it held is recorded
as a harness failure, not retried forever.

Ctrl-C: workers ignore SIGINT (the terminal sends it to the whole process
group); the main process stops handing out work, terminates them (SIGTERM,
which each worker turns into a clean exit that closes its sandbox) and raises
``BatchInterrupted`` with what was finished. Results already written stay.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Callable, Sequence

from grader.discover import Submission
from grader.models import HARNESS, SubmissionResult
from grader.report import write_submission
from grader.runner import GradingContext, grade_submission, unreadable_result

#: Called in the worker before a submission's files are (re)written, and after.
Prepare = Callable[[Submission], None]
Finish = Callable[[Submission, SubmissionResult, Path], None]
HOOK_ERRORS = "grader-errors.txt"  # in OUT/<id>/: what a finishing step could not do


@dataclass(frozen=True)
class Done:
    """What a worker reports for one submission (the full result is on disk)."""

    submission_id: str
    status: str
    points: float
    max_points: float
    seconds: float
    problem: str = ""


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) during a batch; ``finished`` lists what completed before it."""

    def __init__(self, finished: list[Done]) -> None:
        super().__init__(f"interrupted after {len(finished)} submission(s)")
        self.finished = finished


def grade_one(submission: Submission, *, context: GradingContext, sandbox: object,
              out_dir: Path, prepare: Prepare | None = None,
              finish: Finish | None = None) -> SubmissionResult:
    """Grade and write one submission; a bug of ours becomes a harness-error result, never a crash.

    ``prepare`` runs before the files are written (for example to forget an
    old incremental key), ``finish`` after (extra reports, the new key); an
    exception in either is logged to ``OUT/<id>/grader-errors.txt`` and the
    batch goes on.
    """
    if submission.problem:
        result = unreadable_result(context.rubric, submission_id=submission.id,
                                   path=str(submission.path), message=submission.problem)
    else:
        try:
            result = grade_submission(submission.path, context=context, sandbox=sandbox,
                                      submission_id=submission.id,
                                      extra_files=submission.read_extra_files())
        except Exception:  # noqa: BLE001 - the batch must go on; the trace goes to the record
            detail = traceback.format_exc(limit=6)
            result = unreadable_result(context.rubric, submission_id=submission.id,
                                       path=str(submission.path), status=HARNESS,
                                       message=f"The grader failed on this submission (not the "
                                               f"student's fault):\n{detail}")
    folder = Path(out_dir) / result.submission_id
    _run_hook(prepare, folder, submission)
    if folder.is_dir():
        (folder / HOOK_ERRORS).unlink(missing_ok=True)
    write_submission(result, out_dir)
    _run_hook(finish, folder, submission, result, folder)
    return result


def _run_hook(hook: Callable | None, folder: Path, *args: object) -> None:
    """Call ``hook(*args)``; log an exception into ``folder`` instead of raising it."""
    if hook is None:
        return
    try:
        hook(*args)
    except Exception:  # noqa: BLE001 - a report step must never stop the batch
        log_problem(folder, traceback.format_exc(limit=8))


def log_problem(folder: Path, text: str) -> None:
    """Append ``text`` to ``OUT/<id>/grader-errors.txt`` (best effort)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / HOOK_ERRORS, "a", encoding="utf-8") as handle:
            handle.write(text.rstrip("\n") + "\n")
    except OSError:
        pass


def _summary(result: SubmissionResult, seconds: float) -> Done:
    problem = result.messages[0] if result.status != "graded" and result.messages else ""
    return Done(result.submission_id, result.status, result.points, result.max_points, seconds,
                problem)


def _exit_on_term(signum: int, frame: object) -> None:
    """SIGTERM in a worker: leave through ``with`` blocks so the sandbox is closed."""
    sys.exit(128 + signum)


class ResilientSandbox:
    """A ``Sandbox`` that starts a new zygote when the old one is gone.

    If the zygote dies (killed by the OOM killer, say), the submission being
    graded becomes a harness failure (graded again on the next run), and the
    next session gets a fresh zygote instead of failing the rest of the batch.
    """

    def __init__(self, **options: object) -> None:
        from grader.sandbox import Sandbox

        self._factory = lambda: Sandbox(**options)
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


def _worker(conn: Connection, submissions: Sequence[Submission], context: GradingContext,
            out_dir: Path, sandbox_options: dict, prepare: Prepare | None,
            finish: Finish | None) -> None:
    """A worker's loop: receive an index into ``submissions`` (inherited by fork), grade it."""

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides when to stop
    signal.signal(signal.SIGTERM, _exit_on_term)
    with ResilientSandbox(**sandbox_options) as sandbox:
        conn.send(("ready", sandbox.capabilities.describe()))
        while True:
            try:
                index = conn.recv()
            except EOFError:
                return
            if index is None:
                return
            submission = submissions[index]
            start = time.perf_counter()
            result = grade_one(submission, context=context, sandbox=sandbox, out_dir=out_dir,
                               prepare=prepare, finish=finish)
            conn.send(("done", _summary(result, time.perf_counter() - start)))


def grade_batch(submissions: Sequence[Submission], *, context: GradingContext, out_dir: Path,
                jobs: int | None = None, sandbox_options: dict | None = None,
                on_done: Callable[[Done], None] | None = None,
                on_note: Callable[[str], None] | None = None,
                prepare: Prepare | None = None, finish: Finish | None = None) -> list[Done]:
    """Grade ``submissions`` with ``jobs`` workers; call ``on_done`` as each completes.

    ``prepare`` / ``finish`` run in the worker around the writing of each
    submission's files (see ``grade_one``). Ctrl-C raises ``BatchInterrupted``
    once the workers are stopped.

    With one job everything runs in this process (plus the sandbox's own);
    otherwise workers are forked after the fixtures are loaded, so they share
    them copy-on-write. Student code never runs in these processes: only in
    the sandbox children, forked from a clean zygote.
    """

    out_dir = Path(out_dir)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(submissions) or 1))
    sandbox_options = dict(sandbox_options or {})
    on_done = on_done or (lambda done: None)
    on_note = on_note or (lambda note: None)
    finished: list[Done] = []
    if not submissions:
        return finished

    if jobs == 1:
        try:
            with ResilientSandbox(**sandbox_options) as sandbox:
                on_note(sandbox.capabilities.describe())
                for sub in submissions:
                    start = time.perf_counter()
                    result = grade_one(sub, context=context, sandbox=sandbox, out_dir=out_dir,
                                       prepare=prepare, finish=finish)
                    done = _summary(result, time.perf_counter() - start)
                    finished.append(done)
                    on_done(done)
        except KeyboardInterrupt:
            raise BatchInterrupted(finished) from None
        return finished

    ctx = multiprocessing.get_context("fork")
    pending = list(reversed(range(len(submissions))))
    workers: dict[Connection, tuple[object, Submission | None]] = {}

    def start_worker() -> None:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker,
                           args=(child, submissions, context, out_dir, sandbox_options,
                                 prepare, finish),
                           daemon=True)
        proc.start()
        child.close()
        workers[parent] = (proc, None)

    def hand_out(conn: Connection) -> None:
        proc, _ = workers[conn]
        if pending:
            index = pending.pop()
            conn.send(index)
            workers[conn] = (proc, submissions[index])
        else:
            conn.send(None)
            workers.pop(conn)
            proc.join(timeout=10)

    noted = False
    try:
        for _ in range(jobs):
            start_worker()
        while workers:
            for conn in wait(list(workers)):
                proc, current = workers[conn]
                try:
                    kind, payload = conn.recv()
                except (EOFError, OSError):
                    workers.pop(conn)
                    if current is not None:
                        result = unreadable_result(
                            context.rubric, submission_id=current.id, path=str(current.path),
                            status=HARNESS, message="The grading worker died while grading this "
                                                    "submission (not the student's fault).")
                        write_submission(result, out_dir)
                        done = _summary(result, 0.0)
                        finished.append(done)
                        on_done(done)
                    if pending:
                        start_worker()
                    continue
                if kind == "ready":
                    if not noted:
                        on_note(payload)
                        noted = True
                elif kind == "done":
                    finished.append(payload)
                    on_done(payload)
                hand_out(conn)
    except KeyboardInterrupt:
        raise BatchInterrupted(finished) from None
    finally:
        for conn, (proc, _) in list(workers.items()):
            proc.terminate()
        for conn, (proc, _) in list(workers.items()):
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=5)
    return finished
