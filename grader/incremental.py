"""Incremental grading: a submission is graded again only when something it depends on changed.

The *key* of a submission is a sha256 over everything that determines its
result: the bytes of its notebook and of the files beside it, the rubric
(``Rubric.digest``), the fixtures (``grader.fixtures.fixtures_digest``) and the
grader itself (the digest of its own files, so that updating the grader
regrades everyone: a fix may change results; ``grader.__version__`` is not
trusted to be bumped). The key is written to ``OUT/<id>/grading-key.json`` after
the submission's results, and removed before they are rewritten: a folder whose
key matches holds a complete result of exactly these inputs.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from grader.discover import Submission
from grader.models import Rubric, SubmissionResult
from grader.files import write_atomic
from grader.report import RESULT_RECORD, read_submission

KEY_FILE = "grading-key.json"
GRADER_DIR = Path(__file__).resolve().parent


def grader_digest(package: Path = GRADER_DIR) -> str:
    """sha256 over the grader's own files: sources and templates (relative names and bytes, sorted)."""
    digest = hashlib.sha256()
    for path in sorted(Path(package).rglob("*")):
        if "__pycache__" in path.parts or not path.is_file() or path.suffix in (".pyc", ".pyo"):
            continue
        rel = path.relative_to(package).as_posix()
        data = path.read_bytes()
        digest.update(f"{rel}:{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


@dataclass(frozen=True)
class BatchKey:
    """What every submission of one run shares: rubric, fixtures and grader."""

    rubric: str
    fixtures: str
    grader: str
    options: str = ""  # anything else that changes results (e.g. feedback.html wanted or not)

    def digest(self) -> str:
        """sha256 of the four parts."""
        text = json.dumps([self.rubric, self.fixtures, self.grader, self.options])
        return hashlib.sha256(text.encode()).hexdigest()


def batch_key(rubric: Rubric, *, fixtures_digest: str, options: str = "") -> BatchKey:
    """The shared part of the keys of a run with ``rubric`` and its fixtures."""
    return BatchKey(rubric=rubric.digest, fixtures=fixtures_digest, grader=grader_digest(),
                    options=options)


def _update_file(digest, label: str, path: Path) -> None:
    with open(path, "rb") as handle:
        data = handle.read()
    digest.update(f"{label}:{len(data)}:".encode())
    digest.update(data)


def submission_key(submission: Submission, *, batch: BatchKey) -> str | None:
    """The key of ``submission`` under ``batch``; None when it cannot be computed (always regrade).

    A submission with a problem (no notebook, several) has no key: it costs
    nothing to report again.
    """
    if submission.problem:
        return None
    digest = hashlib.sha256(batch.digest().encode())
    try:
        _update_file(digest, "submission", submission.path)
        for name in sorted(submission.extra_files):
            _update_file(digest, f"extra/{name}", submission.extra_files[name])
    except OSError:
        return None
    return digest.hexdigest()


def stored_key(folder: Path) -> str | None:
    """The key written in ``folder``, or None."""
    try:
        return json.loads((Path(folder) / KEY_FILE).read_text("utf-8"))["key"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_key(folder: Path, key: str, *, batch: BatchKey) -> None:
    """Mark ``folder`` as holding the complete result for ``key`` (written last)."""
    record = {"key": key, "rubric": batch.rubric, "fixtures": batch.fixtures,
              "grader": batch.grader, "options": batch.options}
    write_atomic(Path(folder) / KEY_FILE, json.dumps(record, indent=1))


def clear_key(folder: Path) -> None:
    """Forget the key of ``folder`` before its results are rewritten."""
    try:
        (Path(folder) / KEY_FILE).unlink()
    except FileNotFoundError:
        pass


def current_result(folder: Path, key: str | None) -> SubmissionResult | None:
    """The stored result of ``folder`` when its key is ``key`` and the record reads; else None."""
    if key is None or stored_key(folder) != key or not (Path(folder) / RESULT_RECORD).is_file():
        return None
    return read_submission(folder)


def partition(submissions: Iterable[Submission], keys: dict[str, str | None], *,
              out_dir: Path) -> tuple[list[Submission], dict[str, SubmissionResult]]:
    """Split into (to grade, already graded id -> stored result)."""
    todo: list[Submission] = []
    done: dict[str, SubmissionResult] = {}
    for sub in submissions:
        result = current_result(Path(out_dir) / sub.id, keys.get(sub.id))
        if result is None:
            todo.append(sub)
        else:
            done[sub.id] = result
    return todo, done
