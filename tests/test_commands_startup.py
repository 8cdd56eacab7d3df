"""grade_class's start-up and report steps: paths resolved per folder, pages and keys written by
the grading process, whole records from the workers."""
from __future__ import annotations

import io
import json
import os
from pathlib import Path

from grader import classrun, commands
from grader import classfiles
from grader import protectedpaths
from grader import similaritystage
from grader.incremental import KEY_FILE
from tests import notebooks as nbs


def test_real_paths_are_what_resolve_gives(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.ipynb").write_text("{}")
    os.symlink(tmp_path / "a", tmp_path / "link")
    os.symlink(tmp_path / "a" / "x.ipynb", tmp_path / "a" / "y.ipynb")
    os.symlink(tmp_path / "elsewhere.ipynb", tmp_path / "a" / "dangling.ipynb")
    monkeypatch.chdir(tmp_path)
    real = protectedpaths.RealPaths()
    for path in [tmp_path / "a" / "x.ipynb", tmp_path / "link" / "x.ipynb", tmp_path / "a" / "y.ipynb",
                 tmp_path / "link" / "y.ipynb", tmp_path / "a" / "missing.ipynb",
                 tmp_path / "a" / "dangling.ipynb", Path("a/x.ipynb"), Path("link/../a/y.ipynb"),
                 tmp_path / "a" / ".." / "a" / "x.ipynb"]:
        assert real(path) == path.resolve(), path


def test_pages_and_keys_are_written_by_the_grading_process(tmp_path):
    """Two workers: every folder holds feedback.html and a key that vouches for it (the key is
    written after the page), the same files as a one-job run."""
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    nbs.write(subs / "grace.ipynb", nbs.alt_notebook())
    nbs.write(subs / "alan.ipynb", nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    outs = {}
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        summary = commands.grade_class(subs, out_dir=out, jobs=jobs, similarity=True, class_report=False,
                                       stream=io.StringIO())
        assert summary.graded == 3 and not summary.report_problems
        outs[jobs] = out
        for sid in ("ada", "grace", "alan"):
            key = json.loads((out / sid / KEY_FILE).read_text())
            assert {"feedback.html", "results.json", "result.full.json", "functions.json"} <= set(key["files"])
    for sid in ("ada", "grace", "alan"):
        for name in ("feedback.html", "feedback.md", "results.json", "functions.json"):
            assert (outs[1] / sid / name).read_bytes() == (outs[2] / sid / name).read_bytes(), (sid, name)


def test_a_pool_with_full_records_sends_whole_results(tmp_path):
    from grader.batch import grade_batch
    from grader.discover import find_submissions

    subs = tmp_path / "subs"
    nbs.write(subs / "alan.ipynb", nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    context = commands.load_context(classfiles.DEFAULT_RUBRIC)
    got = []
    done = grade_batch(find_submissions(subs), context=context, out_dir=tmp_path / "out", jobs=2,
                       full_records=True, on_done=lambda d: got.append(d.summary()))
    assert sorted(d.submission_id for d in done) == ["ada", "alan"]
    assert all(d.record is None for d in done)
    from grader.report import read_submission

    assert len(got) == 2
    for result in got:  # the whole result, checks included, as written to result.full.json
        assert result == read_submission(tmp_path / "out" / result.submission_id)
        assert any(case.checks for part in result.parts for case in part.cases)


def test_the_similarity_check_uses_as_many_processes_as_the_run_has_jobs(tmp_path, monkeypatch):
    """--jobs 1 means one process, for the similarity check too (it spawns helpers otherwise)."""
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    nbs.write(subs / "grace.ipynb", nbs.alt_notebook())
    seen = []
    original = similaritystage.run_similarity

    def spy(*args, **kwargs):
        seen.append(kwargs.get("workers"))
        return original(*args, **kwargs)

    monkeypatch.setattr(classrun, "run_similarity", spy)
    for jobs in (1, 2):
        summary = commands.grade_class(subs, out_dir=tmp_path / f"out{jobs}", jobs=jobs, similarity=True,
                                       class_report=False, stream=io.StringIO())
        assert summary.graded == 2
    assert seen == [1, 2]


def test_a_class_run_finds_its_log_files_once_for_its_zygotes_and_its_workers(tmp_path, monkeypatch):
    """The run's log files (an instructor's redirected or piped log: ``protectedpaths.log_files``,
    which reads every process's descriptors in ``/proc`` when the output is a pipe) were found twice,
    for the zygotes' protected paths and again for the workers'; once now, both hold them."""
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    nbs.write(subs / "grace.ipynb", nbs.alt_notebook())
    log = tmp_path / "logs" / "run.log"
    found, configured, pools = [], [], []

    def log_files():
        found.append(True)
        return [log]

    monkeypatch.setattr(classrun, "log_files", log_files)
    from grader import batch, zygote

    real_configure, real_pool = zygote.configure_zygote, batch.WorkerPool.__init__

    def configure(started, **options):
        configured.append(options["protected_paths"])
        return real_configure(started, **options)

    def pool(self, **options):
        pools.append(options["sandbox_options"]["protected_paths"])
        return real_pool(self, **options)

    monkeypatch.setattr(zygote, "configure_zygote", configure)
    monkeypatch.setattr(batch.WorkerPool, "__init__", pool)
    summary = commands.grade_class(subs, out_dir=tmp_path / "out", jobs=2, similarity=False, force=True,
                                   class_report=False, stream=io.StringIO())
    assert summary.graded == 2
    assert found == [True]
    assert configured and pools and all(log in paths for paths in (*configured, *pools))
