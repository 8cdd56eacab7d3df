"""What a worker sends the grading process per submission (``Done``): with ``page_records`` the
record's part that the grading process reads, and the digests of the files it wrote, which the
key takes instead of reading the files back."""
from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

from grader import commands, incremental
from grader import classfiles
from grader.batch import grade_batch
from grader.discover import find_submissions
from grader.incremental import KEY_FILE, _file_digests
from grader.report import RESULT_RECORD, page_record
from tests import notebooks as nbs


def _class(folder: Path) -> Path:
    """Three notebooks: a correct one, one with a known mistake, one that does not parse."""
    nbs.write(folder / "ada.ipynb", nbs.course_notebook())
    nbs.write(folder / "alan.ipynb", nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "zed.ipynb").write_text('{"cells": [', "utf-8")
    return folder


def _read_back(folder: Path, names) -> dict:
    """``{name: [size, sha256]}`` of ``names`` in ``folder``, read from the disk."""
    out = {}
    for name in names:
        data = (folder / name).read_bytes()
        out[name] = [len(data), hashlib.sha256(data).hexdigest()]
    return out


def test_a_pool_with_page_records_sends_them_and_its_files_digests(tmp_path):
    subs, out = _class(tmp_path / "subs"), tmp_path / "out"
    context = commands.load_context(classfiles.DEFAULT_RUBRIC)
    for jobs in (1, 2):  # in this process, and from forked workers
        got = []
        grade_batch(find_submissions(subs), context=context, out_dir=out / str(jobs), jobs=jobs,
                    page_records=True, on_done=got.append)
        assert sorted(d.submission_id for d in got) == ["ada", "alan", "zed"]
        for done in got:
            folder = out / str(jobs) / done.submission_id
            whole = json.loads((folder / RESULT_RECORD).read_text("utf-8"))
            assert done.record == page_record(whole)
            assert done.files == _read_back(folder, ["feedback.md", "results.json", RESULT_RECORD])
        alan = next(d for d in got if d.submission_id == "alan").summary()
        assert alan.points < alan.max_points
        assert any(c.checks for p in alan.parts for c in p.cases if c.status != "passed")
        assert not any(c.checks for p in alan.parts for c in p.cases if c.status == "passed")


def test_the_key_takes_the_written_digests_and_reads_only_the_other_files(tmp_path, monkeypatch):
    folder = tmp_path / "ada"
    folder.mkdir()
    for name, text in (("feedback.md", "# ada\n"), ("results.json", "{}"), ("grader-errors.txt", "x\n")):
        (folder / name).write_text(text, "utf-8")
    written = _read_back(folder, ["feedback.md", "results.json"])
    read = []
    original = incremental.read_bytes

    def spy(path, **kw):
        read.append(Path(path).name)
        return original(path, **kw)

    monkeypatch.setattr(incremental, "read_bytes", spy)
    batch = incremental.BatchKey(rubric="r", fixtures="f", grader="g")
    incremental.write_key(folder, "k", batch=batch, written=written)
    assert read == ["grader-errors.txt"]
    key = json.loads((folder / KEY_FILE).read_text("utf-8"))
    assert key["files"] == _file_digests(folder)
    assert incremental.files_intact(folder, key["files"])


def test_a_class_runs_keys_vouch_for_the_files_without_reading_them_back(tmp_path, monkeypatch):
    """The grading process writes each key from the workers' digests and the page's bytes: it
    reads none of the files back, and the key is what reading them gives."""
    subs, out = _class(tmp_path / "subs"), tmp_path / "out"
    read = []
    original = incremental.read_bytes

    def spy(path, **kw):
        read.append(str(path))
        return original(path, **kw)

    monkeypatch.setattr(incremental, "read_bytes", spy)
    summary = commands.grade_class(subs, out_dir=out, jobs=2, similarity=False, class_report=False,
                                   stream=io.StringIO())
    assert summary.graded == 2 and summary.unreadable == ("zed",)
    assert read == []
    for sid in ("ada", "alan", "zed"):
        key = json.loads((out / sid / KEY_FILE).read_text("utf-8"))
        assert key["files"] == _file_digests(out / sid)
        assert {"feedback.html", "feedback.md", "results.json", RESULT_RECORD} == set(key["files"])
    # and the next run keeps them all
    again = commands.grade_class(subs, out_dir=out, jobs=2, similarity=False, class_report=False,
                                 stream=io.StringIO())
    assert again.skipped == 3
