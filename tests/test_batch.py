"""Class runs in-process: incremental keys, --force, a changed notebook, report steps, progress."""
from __future__ import annotations

import csv
import io
import json
import sys
import types
from pathlib import Path

import pytest

from grader import commands
from grader import classfiles
from grader import classsummary
from grader import exits
from grader.choice import graded_functions
from grader.batch import GRADER_FAILED, HOOK_ERRORS
from grader.models import HARNESS
from grader.incremental import KEY_FILE, stored_key
from grader.progress import Progress
from tests import notebooks as nbs


@pytest.fixture(autouse=True)
def steady_grader(monkeypatch):
    """Other work on grader/ during a test must not make every key stale: the grader's own
    digest is pinned here (``test_grader_update_regrades`` checks that it counts)."""
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")


_REAL_GRADER_DIGEST = __import__("grader.incremental", fromlist=["grader_digest"]).grader_digest


def small_class(folder: Path) -> Path:
    """Two correct notebooks and one with a missing bias in rnn_cell_forward."""
    nbs.write(folder / "ada.ipynb", nbs.course_notebook())
    nbs.write(folder / "grace.ipynb", nbs.alt_notebook())
    nbs.write(folder / "alan.ipynb", nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    return folder


def run(subs: Path, out: Path, **options) -> tuple[classsummary.ClassSummary, str]:
    stream = io.StringIO()
    options = {"jobs": 1, "similarity": False, "class_report": False, "feedback_html": False,
               **options}
    summary = commands.grade_class(subs, out_dir=out, stream=stream, **options)
    return summary, stream.getvalue()


def gradebook(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", newline="") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


@pytest.mark.slow
def test_rerun_skips_unchanged_force_regrades_and_changed_notebook_is_regraded(tmp_path):
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    first, log = run(subs, out)
    assert (first.graded, first.skipped, first.total) == (3, 0, 3)
    assert all(stored_key(out / sid) for sid in ("ada", "grace", "alan"))
    book = gradebook(out)
    assert book["alan"]["rnn_cell_forward"] != book["ada"]["rnn_cell_forward"]
    record = out / "ada" / "result.full.json"
    stamp = record.stat().st_mtime_ns

    second, log = run(subs, out)
    assert (second.graded, second.skipped) == (3, 3)
    assert "Grading 0 of 3" in log and "Skipping 3 unchanged" in log
    assert record.stat().st_mtime_ns == stamp  # not rewritten
    assert gradebook(out) == book  # rebuilt from the stored records

    # Alan fixes his bias: only he is graded again, and his grade changes.
    nbs.write(subs / "alan.ipynb", nbs.course_notebook())
    third, log = run(subs, out)
    assert (third.graded, third.skipped) == (3, 2)
    assert "Grading 1 of 3" in log and "alan" in log.split("Grading 1 of 3")[1]
    assert gradebook(out)["alan"]["rnn_cell_forward"] == book["ada"]["rnn_cell_forward"]

    forced, log = run(subs, out, force=True)
    assert (forced.graded, forced.skipped) == (3, 0)
    assert record.stat().st_mtime_ns != stamp


def test_extra_files_and_rubric_are_part_of_the_key(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    nbs.write(subs / "bob" / "work.ipynb", nbs.course_notebook())
    (subs / "bob" / "imdb_report.json").write_text("{}")
    run(subs, out)
    key = stored_key(out / "bob")
    (subs / "bob" / "imdb_report.json").write_text('{"test_accuracy": 0.9}')
    summary, _ = run(subs, out)
    assert summary.skipped == 0 and stored_key(out / "bob") != key

    from grader.fixtures import fixtures_digest
    from grader.incremental import batch_key, submission_key
    from grader.discover import find_submissions
    from grader.rubric import load_rubric
    import dataclasses
    rubric = load_rubric(classfiles.DEFAULT_RUBRIC)
    sub, = find_submissions(subs)
    base = batch_key(rubric, fixtures_digest=fixtures_digest(rubric), options="")
    assert submission_key(sub, batch=base) == stored_key(out / "bob")
    edited = batch_key(dataclasses.replace(rubric, digest="0" * 64), fixtures_digest=base.fixtures,
                       options=base.options)
    assert submission_key(sub, batch=edited) != submission_key(sub, batch=base)
    other_fixtures = batch_key(rubric, fixtures_digest="1" * 64, options=base.options)
    assert submission_key(sub, batch=other_fixtures) != submission_key(sub, batch=base)


def test_grader_update_regrades(tmp_path, monkeypatch):
    subs, out = tmp_path / "subs", tmp_path / "out"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    run(subs, out)
    assert run(subs, out)[0].skipped == 1
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "a newer grader")
    assert run(subs, out)[0].skipped == 0


def test_grader_digest_covers_sources_and_templates(tmp_path):
    real = _REAL_GRADER_DIGEST  # the module attribute is pinned by the fixture
    package = tmp_path / "pkg"
    (package / "templates").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "templates" / "t.html").write_text("<p>")
    first = real(package)
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"cache")
    assert real(package) == first
    (package / "templates" / "t.html").write_text("<p>changed")
    assert real(package) != first


def test_feedback_html_failure_is_logged_and_the_batch_goes_on(tmp_path, monkeypatch):
    calls = []

    def broken(result, *, notebook_path, out_path, digests=None):
        calls.append((result.submission_id, Path(notebook_path).name, Path(out_path).name))
        raise RuntimeError("renderer exploded")

    module = types.ModuleType("grader.feedback_html")
    module.write_feedback_html = broken
    monkeypatch.setitem(sys.modules, "grader.feedback_html", module)
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    summary, log = run(subs, out, feedback_html=True)
    assert summary.graded == 3
    assert sorted(calls) == [("ada", "ada.ipynb", "feedback.html"), ("alan", "alan.ipynb", "feedback.html"),
                             ("grace", "grace.ipynb", "feedback.html")]
    errors = (out / "ada" / HOOK_ERRORS).read_text()
    assert "renderer exploded" in errors
    assert summary.report_problems == ("ada", "alan", "grace")
    assert "Feedback reports incomplete for: ada, alan, grace" in log
    assert (out / "ada" / "results.json").is_file() and (out / "ada" / KEY_FILE).is_file()


def test_output_folder_inside_the_submissions_and_removed_students(tmp_path):
    subs = small_class(tmp_path / "subs")
    out = subs / "graded"
    first, _ = run(subs, out)
    assert first.total == 3
    (subs / "grace.ipynb").unlink()  # withdrawn: no longer in the gradebook
    second, _ = run(subs, out)
    assert (second.total, second.skipped) == (2, 2)
    assert set(gradebook(out)) == {"ada", "alan"}


def test_no_submissions_and_bad_rubric_are_command_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(exits.CommandError, match="no submissions"):
        run(tmp_path / "empty", tmp_path / "out")
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: bad\ntitle: Bad\nparts: []\nunknown_key: 3\n")
    nbs.write(tmp_path / "one" / "a.ipynb", nbs.course_notebook())
    with pytest.raises(exits.CommandError, match=r"bad\.yaml:\d+"):
        run(tmp_path / "one", tmp_path / "out", rubric=bad)


def test_similarity_flags_copies_template_excluded_known_sources_compared(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    copy = nbs.course_notebook(nbs.mutate("rnn_cell_forward", "a_next", "h_new"))
    nbs.write(subs / "bea.ipynb", copy)
    nbs.write(subs / "grace.ipynb", nbs.alt_notebook())
    summary, log = run(subs, out, similarity=True)
    stored = json.loads((out / "bea" / classfiles.SOURCES_FILE).read_text())["functions"]
    assert "h_new" in stored["rnn_cell_forward"] and set(stored) <= set(graded_functions(
        commands.load_context(classfiles.DEFAULT_RUBRIC).rubric))
    with open(out / classfiles.SIMILARITY_CSV, newline="") as handle:
        rows = list(csv.DictReader(handle))
    flagged = {frozenset((r["a"], r["b"])) for r in rows if r["flagged"] == "1"}
    assert frozenset(("ada", "bea")) in flagged
    assert summary.flagged_pairs == len(flagged) >= 1
    assert "Similarity:" in log

    template = nbs.write(tmp_path / "starter.ipynb", nbs.course_notebook())
    summary, _ = run(subs, out, similarity=True, template=template)
    with open(out / classfiles.SIMILARITY_CSV, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert not any(r["flagged"] == "1" and {r["a"], r["b"]} == {"ada", "bea"} for r in rows)

    known = tmp_path / "found_online"
    nbs.write(known / "blog_solution.ipynb", nbs.alt_notebook())
    summary, _ = run(subs, out, similarity=True, known=known)
    with open(out / classfiles.SIMILARITY_CSV, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert any(r["flagged"] == "1" and {r["a"], r["b"]} == {"grace", "known:blog_solution"}
               and r["known_source"] == "1" for r in rows)

    # a run without the check leaves no similarity.csv, and removes an earlier run's
    assert (out / classfiles.SIMILARITY_CSV).exists()
    _, log = run(subs, out)  # similarity=False
    assert not (out / classfiles.SIMILARITY_CSV).exists()
    assert "Removed" in log and "earlier run's" in log


def test_a_notebook_named_like_the_similarity_csv_is_graded_and_nothing_of_it_removed(tmp_path):
    """A student's similarity.csv.ipynb gets a folder of another name, and a run without the
    similarity check, which removes an earlier run's similarity.csv, leaves that folder and a
    folder in the way alone."""
    subs, out = tmp_path / "subs", tmp_path / "out"
    nbs.write(subs / "similarity.csv.ipynb", nbs.course_notebook())
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    summary, _ = run(subs, out)
    assert summary.graded == 2
    folders = {p.name for p in out.iterdir() if p.is_dir()}
    assert "similarity.csv" not in folders and any(f.startswith("similarity.csv~") for f in folders)
    (out / classfiles.SIMILARITY_CSV).mkdir()  # as an older grader would have named the student's folder
    summary, _ = run(subs, out, force=True)
    assert summary.graded == 2 and (out / classfiles.SIMILARITY_CSV).is_dir()


# --------------------------------------------------------------------------- summary and progress


def test_distribution_line():
    line = classsummary.distribution_line([10, 50, 90, 100, 110], 100)
    assert line.startswith("min 10 · median 90 · mean 72.0 · max 110 (of 100)")
    # 110 of 100 (a bonus) is in the last bin, labelled "80-100%+" as the class report's table is.
    assert line.endswith("0-20%:1 20-40%:0 40-60%:1 60-80%:0 80-100%+:3"), line
    assert classsummary.distribution_line([], 100) == "no scores"


class _Done:
    def __init__(self, sid, status="graded"):
        self.submission_id, self.status = sid, status
        self.points, self.max_points, self.seconds = 5.0, 10.0, 0.25


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_plain_lines_when_not_a_terminal():
    stream = io.StringIO()
    with Progress(2, stream=stream) as progress:
        assert not progress.is_bar
        progress.update(_Done("ada"))
        progress.update(_Done("bob", "unreadable"))
    assert stream.getvalue() == ("[1/2] ada: 5/10 in 0.25s\n"
                                 "[2/2] bob: 5/10 (unreadable) in 0.25s\n")


def test_progress_bar_on_a_terminal_and_fallback_without_tqdm(monkeypatch):
    pytest.importorskip("tqdm")
    stream = _Terminal()
    with Progress(2, stream=stream) as progress:
        assert progress.is_bar
        progress.update(_Done("ada"))
        progress.update(_Done("bob", "unreadable"))
    text = stream.getvalue()
    assert "Grading" in text and "2/2" in text
    assert "bob: 5/10 (unreadable)" in text  # failures get a line of their own
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now raises ImportError
    stream = _Terminal()
    with Progress(1, stream=stream) as progress:
        assert not progress.is_bar
        progress.update(_Done("ada"))
    assert stream.getvalue() == "[1/1] ada: 5/10 in 0.25s\n"


# --------------------------------------------------------------------------- keys, workers, streaming


def test_a_damaged_file_is_not_kept(tmp_path):
    """After a power cut a renamed file may be empty or old: the key records each file's size and
    sha256, so such a folder is graded again instead of being kept."""
    subs, out = tmp_path / "subs", tmp_path / "out"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    run(subs, out)
    assert run(subs, out)[0].skipped == 1
    (out / "ada" / "feedback.md").write_text("")
    summary, log = run(subs, out)
    assert summary.skipped == 0 and "Grading 1 of 1" in log
    assert (out / "ada" / "feedback.md").read_text("utf-8").startswith("# Feedback")
    record = out / "ada" / "result.full.json"
    text = record.read_text("utf-8")
    record.write_text(text.replace('"graded"', '"gradeD"', 1))  # same size, other bytes
    assert run(subs, out)[0].skipped == 0
    assert run(subs, out)[0].skipped == 1


@pytest.mark.slow
def test_two_workers_stream_the_same_gradebook_and_summary(tmp_path):
    subs = small_class(tmp_path / "subs")
    one, _ = run(subs, tmp_path / "one")
    two, log = run(subs, tmp_path / "two", jobs=2, class_report=True)
    assert gradebook(tmp_path / "one") == gradebook(tmp_path / "two")
    assert (two.graded, sorted(two.scores)) == (one.graded, sorted(one.scores))
    assert (tmp_path / "two" / "report.html").is_file() and "Class report:" in log


@pytest.mark.slow
def test_a_worker_that_dies_costs_only_its_submission(tmp_path):
    """A worker killed mid-submission: that submission is a harness failure (no key, so the next
    run grades it again), a new worker takes the rest."""
    import os

    from grader.batch import grade_batch
    from grader.discover import find_submissions

    subs = small_class(tmp_path / "subs")
    nbs.write(subs / "zoe.ipynb", nbs.course_notebook())
    context = commands.load_context(classfiles.DEFAULT_RUBRIC)

    def finish(submission, result, folder, key):
        if submission.id == "alan":
            os._exit(3)

    summaries = []
    done = grade_batch(find_submissions(subs), context=context, out_dir=tmp_path / "out", jobs=2,
                       finish=finish, on_done=lambda d: summaries.append(d.summary()))
    status = {d.submission_id: d.status for d in done}
    assert status == {"ada": "graded", "alan": HARNESS, "grace": "graded", "zoe": "graded"}
    record = json.loads((tmp_path / "out" / "alan" / "result.full.json").read_text())
    assert record["status"] == HARNESS and "worker died" in record["extra"]["grader_error"]
    assert record["messages"] == [GRADER_FAILED]  # the student reads no grader internals
    assert sorted(s.submission_id for s in summaries) == sorted(status)
    assert all(d.record is None for d in done)  # the batch keeps no summary: memory stays flat


@pytest.mark.slow
def test_a_pool_keeps_what_it_holds_out_of_the_collector_until_it_closes(tmp_path):
    """While forked workers run, what the grading process held when it forked them is out of
    the garbage collector's full walks (which would copy every page shared with the workers);
    closing the pool puts it back."""
    import gc

    from grader.batch import WorkerPool

    context = commands.load_context(classfiles.DEFAULT_RUBRIC)
    gc.unfreeze()
    with WorkerPool(context=context, out_dir=tmp_path / "out", jobs=2):
        assert gc.get_freeze_count() > 1000
    assert gc.get_freeze_count() == 0
