"""A class run's start-up order in the workers and the pool: a worker reads and extracts its first
submission while its sandbox starts; a sandbox that cannot start still ends the worker as it did;
keys are computed as submissions are handed out, and the caller's own set-up waits for that."""
from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path

import pytest

from grader import batch, commands
from grader import classfiles
from grader.batch import grade_batch
from grader.discover import find_submissions
from grader.models import HARNESS
from grader.sandbox import SandboxError
from tests import notebooks as nbs


def two_notebooks(folder: Path) -> Path:
    nbs.write(folder / "ada.ipynb", nbs.course_notebook())
    nbs.write(folder / "grace.ipynb", nbs.alt_notebook())
    return folder


@pytest.mark.slow
def test_a_worker_extracts_its_first_submission_while_its_sandbox_starts(tmp_path, monkeypatch):
    """Each worker's sandbox start is held until that worker has extracted a notebook: a worker
    that awaited its sandbox before its first task would wait out the hold (and say so)."""
    import grader.extract

    extracted = threading.Event()  # each forked worker has its own
    log = tmp_path / "order.log"
    real_extract, real_init = grader.extract.extract, batch.ResilientSandbox.__init__

    def extract(notebook, *args, **kwargs):
        extracted.set()
        return real_extract(notebook, *args, **kwargs)

    def init(self, **options):
        seen = extracted.wait(timeout=20)
        with open(log, "a") as out:
            out.write(f"{os.getpid()} {'after' if seen else 'before'}\n")
        real_init(self, **options)

    monkeypatch.setattr(grader.extract, "extract", extract)
    monkeypatch.setattr(batch.ResilientSandbox, "__init__", init)
    context = commands.load_context(classfiles.DEFAULT_RUBRIC)
    notes = []
    done = grade_batch(find_submissions(two_notebooks(tmp_path / "subs")), context=context,
                       out_dir=tmp_path / "out", jobs=2, on_note=notes.append)
    assert sorted(d.status for d in done) == ["graded", "graded"]
    lines = log.read_text().split()
    assert lines[1::2] == ["after"] * (len(lines) // 2) and len(lines) >= 2
    assert len(notes) == 1 and "sandbox" in notes[0]  # the capabilities still said once


@pytest.mark.slow
def test_a_sandbox_that_cannot_start_ends_its_worker_as_before(tmp_path, monkeypatch):
    """The start's failure is not graded as the submission's own harness failure (with a
    traceback): the worker leaves, and each submission reads as its worker's death."""
    def init(self, **options):
        raise SandboxError("sandbox did not start: no luck")

    monkeypatch.setattr(batch.ResilientSandbox, "__init__", init)
    context = commands.load_context(classfiles.DEFAULT_RUBRIC)
    notes = []
    done = grade_batch(find_submissions(two_notebooks(tmp_path / "subs")), context=context,
                       out_dir=tmp_path / "out", jobs=2, on_note=notes.append)
    assert [d.status for d in done] == [HARNESS, HARNESS] and not notes
    for sid in ("ada", "grace"):
        record = json.loads((tmp_path / "out" / sid / "result.full.json").read_text())
        assert "worker died" in record["extra"]["grader_error"]
        assert "(exit code 1)" in record["extra"]["grader_error"]


class CountedKeys(Mapping):
    """Keys looked up, in order."""

    def __init__(self, ids):
        self.ids, self.asked = list(ids), []

    def __getitem__(self, sid):
        self.asked.append(sid)
        return f"key-{sid}"

    def __iter__(self):
        return iter(self.ids)

    def __len__(self):
        return len(self.ids)


@pytest.mark.slow
def test_keys_are_looked_up_as_submissions_are_handed_out(tmp_path):
    """Two workers holding two submissions each: when ``on_started`` runs, four keys have been
    asked for out of six; every key is asked for once in all and reaches ``finish``."""
    subs = tmp_path / "subs"
    for name in ("a", "b", "c", "d", "e", "f"):
        nbs.write(subs / f"{name}.ipynb", nbs.course_notebook())
    found = find_submissions(subs)
    keys = CountedKeys(sub.id for sub in found)
    at_start = []
    finished = tmp_path / "finished.log"

    def finish(submission, result, folder, key):
        with open(finished, "a") as out:
            out.write(f"{submission.id} {key}\n")

    context = commands.load_context(classfiles.DEFAULT_RUBRIC)
    with batch.WorkerPool(context=context, out_dir=tmp_path / "out", jobs=2, finish=finish) as pool:
        done = pool.run(found, keys=keys, on_started=lambda: at_start.append(list(keys.asked)))
    assert len(done) == 6 and at_start == [["a", "b", "c", "d"]]
    assert sorted(keys.asked) == ["a", "b", "c", "d", "e", "f"]
    assert sorted(finished.read_text().splitlines()) == [f"{s} key-{s}" for s in "abcdef"]
