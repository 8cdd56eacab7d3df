"""What a class run leaves in the output folder when it writes over an earlier run's: exactly the
files a run into a new folder writes, no temporary or hidden file, and a key that vouches for
the bytes on disk (docs/performance-history.md, "The files of a class run (eleventh session)": any
cheaper way of replacing the files must keep these)."""
from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from grader import commands
from grader import classsummary
from grader.files import digest_of
from grader.incremental import KEY_FILE
from tests import notebooks as nbs

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def steady_grader(monkeypatch):
    """The grader's own digest pinned, as in test_batch: other work on grader/ must not matter."""
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")


def small_class(folder: Path) -> Path:
    """A correct notebook, another style, one with a mistake."""
    nbs.write(folder / "ada.ipynb", nbs.course_notebook())
    nbs.write(folder / "grace.ipynb", nbs.alt_notebook())
    nbs.write(folder / "alan.ipynb", nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    return folder


def run(subs: Path, out: Path, **options) -> classsummary.ClassSummary:
    """A class run with every file a submission can have (feedback.html, functions.json)."""
    options = {"jobs": 2, "similarity": True, "class_report": False, "feedback_html": True,
               "stream": io.StringIO(), **options}
    return commands.grade_class(subs, out_dir=out, **options)


def listing(out: Path) -> dict[str, set[str]]:
    """Every entry of every submission folder, hidden ones included."""
    return {folder.name: set(os.listdir(folder)) for folder in out.iterdir() if folder.is_dir()}


def assert_vouched(folder: Path) -> None:
    """The key lists every other file of ``folder`` with the size and sha256 of its bytes."""
    record = json.loads((folder / KEY_FILE).read_text())
    on_disk = {p.name: digest_of(p.read_bytes()) for p in folder.iterdir() if p.name != KEY_FILE}
    assert record["files"] == on_disk


def test_force_over_an_earlier_run_leaves_what_a_new_folder_gets(tmp_path):
    subs = small_class(tmp_path / "subs")
    fresh, again = tmp_path / "fresh", tmp_path / "again"
    assert run(subs, fresh).graded == 3
    assert run(subs, again).graded == 3
    # A reader that opened the earlier run's files keeps reading their bytes, whatever the
    # re-run writes (reusing a replaced file's inode for another file would change them).
    readers = {(sid, name): open(again / sid / name, "rb") for sid, names in listing(again).items()
               for name in names}
    old = {where: (again / where[0] / where[1]).read_bytes() for where in readers}
    try:
        assert run(subs, again, force=True).graded == 3
        assert all(handle.read() == old[where] for where, handle in readers.items())
    finally:
        for handle in readers.values():
            handle.close()

    assert listing(again) == listing(fresh)
    assert set(listing(again)["ada"]) == {"feedback.md", "results.json", "result.full.json",
                                          "functions.json", "feedback.html", KEY_FILE}
    for sid in ("ada", "grace", "alan"):
        assert_vouched(again / sid)
        for name in ("feedback.md", "results.json", "feedback.html"):  # same bytes as a new folder's
            assert (again / sid / name).read_bytes() == (fresh / sid / name).read_bytes()


def test_a_rerun_clears_what_an_interrupted_run_left_in_a_folder_it_regrades(tmp_path):
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    run(subs, out)
    expected = listing(out)
    # As a kill -9 in the middle of ada's files would leave them: its key removed (the worker
    # does that first), temporaries of atomic writes cut short, one file written, one not yet.
    ada = out / "ada"
    (ada / KEY_FILE).unlink()
    (ada / ".results.json.4242.139876.tmp").write_text('{"score": ')
    (ada / ".feedback.html.4243.139877.tmp").write_text("<html>")
    (ada / "feedback.md").write_text("# a newer, partly written run\n")
    (ada / "feedback.html").unlink()

    summary = run(subs, out)
    assert (summary.graded, summary.skipped) == (3, 2)
    assert listing(out) == expected
    for sid in ("ada", "grace", "alan"):
        assert_vouched(out / sid)
