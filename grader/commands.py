"""The library behind ``grade.py``: each command as a function with keyword-only options.

``grade.py`` parses arguments and calls these; tests call them directly.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TextIO

from grader.models import HARNESS, Rubric

REPO = Path(__file__).resolve().parent.parent
DEFAULT_RUBRIC = REPO / "rubrics" / "rnn.yaml"
DEFAULT_OUT = Path("grading-output")

#: Exit statuses of grade.py.
EXIT_OK = 0
EXIT_CHECK_FAILED = 1  # --check: some public case failed
EXIT_USAGE = 2  # bad arguments, bad rubric, no submissions: the harness could not run


class CommandError(Exception):
    """The command cannot run at all (bad rubric, no submissions...); the message says why."""


@dataclass(frozen=True)
class ClassSummary:
    graded: int
    harness_failures: tuple[str, ...]
    unreadable: tuple[str, ...]
    scores: tuple[float, ...]
    max_score: float
    seconds: float
    out_dir: Path


def load_context(rubric_path: Path, *, visibilities: tuple[str, ...] = ("public", "hidden"),
                 fixtures_dir: Path | None = None):
    """Rubric + fixtures (+ the bonus's config) -> ``GradingContext``; raises CommandError."""
    from grader.fixtures import FixtureError, load_fixtures
    from grader.rubric import RubricError, load_rubric
    from grader.runner import GradingContext

    try:
        rubric = load_rubric(rubric_path)
    except (RubricError, OSError) as exc:
        raise CommandError(str(exc)) from None
    if tuple(visibilities) == ("public",):
        rubric = rubric.only("public")
    try:
        fixtures = load_fixtures(rubric, fixtures_dir=fixtures_dir, visibilities=tuple(visibilities))
    except (FixtureError, OSError) as exc:
        raise CommandError(str(exc)) from None
    imdb_config = None
    if rubric.imdb is not None:
        imdb_config = _imdb_config(rubric)
    return GradingContext(rubric=rubric, fixtures=fixtures,
                          mutant_messages=_mutant_messages(fixtures),
                          imdb_config=imdb_config)


def _imdb_config(rubric: Rubric):
    """The bonus's configuration: the rubric's ``imdb:`` mapping, or ``imdb: {file: NAME}``
    naming a YAML file beside the rubric (errors then name that file and its line)."""
    from grader.imdb import ImdbConfigError, load_imdb_config

    section = dict(rubric.imdb)
    try:
        if set(section) == {"file"}:
            return load_imdb_config(Path(rubric.path).parent / str(section["file"]))
        return load_imdb_config(section, source=rubric.path, line=rubric.imdb_line)
    except ImdbConfigError as exc:
        raise CommandError(str(exc)) from None


def _mutant_messages(fixtures) -> dict:
    messages = getattr(fixtures, "mutant_messages", None)
    return dict(messages) if messages else {}


def _distribution(scores: list[float], max_score: float) -> str:
    """One line: ``min 12 · median 80 · max 100 · [0-20) 1 [20-40) 0 ...``."""
    if not scores:
        return "no scores"
    ordered = sorted(scores)
    median = ordered[len(ordered) // 2] if len(ordered) % 2 else \
        (ordered[len(ordered) // 2 - 1] + ordered[len(ordered) // 2]) / 2
    bins = [0] * 5
    for s in scores:
        frac = s / max_score if max_score else 0
        bins[min(4, int(frac * 5))] += 1
    labels = " ".join(f"{i * 20}-{(i + 1) * 20}%:{n}" for i, n in enumerate(bins))
    return f"min {ordered[0]:g} · median {median:g} · max {ordered[-1]:g} (of {max_score:g}) · {labels}"


def grade_class(submissions: Path, *, out_dir: Path = DEFAULT_OUT, rubric: Path = DEFAULT_RUBRIC,
                jobs: int | None = None, stream: TextIO = sys.stderr) -> ClassSummary:
    """Grade every submission under ``submissions`` into ``out_dir``; write the gradebook."""
    from grader.batch import grade_batch
    from grader.discover import DiscoveryError, find_submissions
    from grader.report import read_submission, write_gradebook

    started = time.perf_counter()
    context = load_context(Path(rubric))
    try:
        subs = find_submissions(Path(submissions))
    except DiscoveryError as exc:
        raise CommandError(str(exc)) from None
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    protected = [REPO / "solution", REPO / "rubrics", out_dir.resolve()]
    total = len(subs)
    stream.write(f"Grading {total} submission(s) with {context.rubric.name} "
                 f"({context.rubric.max_points:g} points) into {out_dir}\n")

    count = 0

    def on_done(done) -> None:
        nonlocal count
        count += 1
        stream.write(f"[{count}/{total}] {done.submission_id}: {done.points:g}/{done.max_points:g}"
                     f"{'' if done.status == 'graded' else f' ({done.status})'}"
                     f" in {done.seconds:.2f}s\n")

    done_list = grade_batch(subs, context=context, out_dir=out_dir, jobs=jobs,
                            sandbox_options={"protected_paths": protected},
                            on_done=on_done, on_note=lambda n: stream.write(f"Sandbox: {n}\n"))
    results = [r for r in (read_submission(out_dir / d.submission_id) for d in done_list) if r]
    write_gradebook(context.rubric, results, out_dir)
    summary = ClassSummary(
        graded=sum(1 for d in done_list if d.status == "graded"),
        harness_failures=tuple(d.submission_id for d in done_list if d.status == HARNESS),
        unreadable=tuple(d.submission_id for d in done_list if d.status == "unreadable"),
        scores=tuple(d.points for d in done_list if d.status == "graded"),
        max_score=context.rubric.max_points + (
            max((r.max_points for r in results), default=0) - context.rubric.max_points
            if results else 0),
        seconds=time.perf_counter() - started, out_dir=out_dir)
    stream.write(f"Graded {summary.graded} of {total} in {summary.seconds:.1f}s; "
                 f"{_distribution(list(summary.scores), summary.max_score)}\n")
    if summary.unreadable:
        stream.write(f"Unreadable submissions: {', '.join(summary.unreadable)}\n")
    if summary.harness_failures:
        stream.write(f"Harness failures (our bugs, not the students'): "
                     f"{', '.join(summary.harness_failures)}\n")
    stream.write(f"Gradebook: {out_dir / 'grades.csv'}\n")
    return summary
