"""Grading a whole class: submissions spread over worker processes.

Each worker owns one sandbox (one zygote) and grades one submission at a time,
writing that submission's files atomically as soon as it is graded; the main
process only hands out work and collects one-line summaries. A worker that
dies takes no graded result with it, and the submission it held is recorded
as a harness failure, not retried forever.
"""
from __future__ import annotations

import multiprocessing
import os
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


@dataclass(frozen=True)
class Done:
    """What a worker reports for one submission (the full result is on disk)."""

    submission_id: str
    status: str
    points: float
    max_points: float
    seconds: float
    problem: str = ""


def grade_one(submission: Submission, *, context: GradingContext, sandbox: object,
              out_dir: Path) -> SubmissionResult:
    """Grade and write one submission; a bug of ours becomes a harness-error result, never a crash."""
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
    write_submission(result, out_dir)
    return result


def _summary(result: SubmissionResult, seconds: float) -> Done:
    problem = result.messages[0] if result.status != "graded" and result.messages else ""
    return Done(result.submission_id, result.status, result.points, result.max_points, seconds,
                problem)


def _worker(conn: Connection, submissions: Sequence[Submission], context: GradingContext,
            out_dir: Path, sandbox_options: dict) -> None:
    """A worker's loop: receive an index into ``submissions`` (inherited by fork), grade it."""
    from grader.sandbox import Sandbox

    with Sandbox(**sandbox_options) as sandbox:
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
            result = grade_one(submission, context=context, sandbox=sandbox, out_dir=out_dir)
            conn.send(("done", _summary(result, time.perf_counter() - start)))


def grade_batch(submissions: Sequence[Submission], *, context: GradingContext, out_dir: Path,
                jobs: int | None = None, sandbox_options: dict | None = None,
                on_done: Callable[[Done], None] | None = None,
                on_note: Callable[[str], None] | None = None) -> list[Done]:
    """Grade ``submissions`` with ``jobs`` workers; call ``on_done`` as each completes.

    With one job everything runs in this process (plus the sandbox's own);
    otherwise workers are forked after the fixtures are loaded, so they share
    them copy-on-write. Student code never runs in these processes: only in
    the sandbox children, forked from a clean zygote.
    """
    from grader.sandbox import Sandbox

    out_dir = Path(out_dir)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(submissions) or 1))
    sandbox_options = dict(sandbox_options or {})
    on_done = on_done or (lambda done: None)
    on_note = on_note or (lambda note: None)
    finished: list[Done] = []
    if not submissions:
        return finished

    if jobs == 1:
        with Sandbox(**sandbox_options) as sandbox:
            on_note(sandbox.capabilities.describe())
            for sub in submissions:
                start = time.perf_counter()
                result = grade_one(sub, context=context, sandbox=sandbox, out_dir=out_dir)
                done = _summary(result, time.perf_counter() - start)
                finished.append(done)
                on_done(done)
        return finished

    ctx = multiprocessing.get_context("fork")
    pending = list(reversed(range(len(submissions))))
    workers: dict[Connection, tuple[object, Submission | None]] = {}

    def start_worker() -> None:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker,
                           args=(child, submissions, context, out_dir, sandbox_options),
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
    finally:
        for conn, (proc, _) in list(workers.items()):
            proc.terminate()
            proc.join(timeout=5)
    return finished
