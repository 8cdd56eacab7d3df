"""bench_grading's measured runs never follow a deletion of the benchmark's own: each run writes
into a folder no earlier run wrote (on this machine's ext4 without a journal, inodes freed in the
last 30-60 s slow every new inode's allocation, and freed blocks wait for a discard)."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_grading  # noqa: E402


def test_an_unused_folder_is_never_one_that_exists(tmp_path):
    assert bench_grading.unused_folder(tmp_path / "out-this-1") == tmp_path / "out-this-1"
    (tmp_path / "out-this-1").mkdir()
    (tmp_path / "out-this-1-2").mkdir()
    assert bench_grading.unused_folder(tmp_path / "out-this-1") == tmp_path / "out-this-1-3"
    assert (tmp_path / "out-this-1").is_dir()  # nothing deleted


def test_compare_grades_each_run_into_a_new_folder_and_deletes_nothing_between_runs(tmp_path, monkeypatch):
    runs, removed = [], []

    def fake_grade(class_dir, out_dir, **options):
        runs.append((out_dir, out_dir.exists(), list(removed)))
        out_dir.mkdir()
        (out_dir / "grades.csv").write_text("submission\n")  # a run's output stays where it is
        return bench_grading.Run(n=options["n"], similarity=False, wall=1.0)

    monkeypatch.setattr(bench_grading, "grade", fake_grade)
    monkeypatch.setattr(bench_grading, "write_class", lambda folder, n: folder.mkdir(parents=True))
    monkeypatch.setattr(bench_grading, "numpy_baseline", lambda count, cores: (0.0, 0.15))
    monkeypatch.setattr(shutil, "rmtree", lambda path, *a, **k: removed.append(Path(path)))
    bench_grading.compare(tmp_path, n=4, other=tmp_path, rounds=3, jobs=2, extra=[])

    folders = [out for out, _, _ in runs]
    assert len(runs) == 6 and len(set(folders)) == 6
    assert not any(existed for _, existed, _ in runs)
    assert removed == []  # the class folder was not there: nothing deleted, no wait
    assert all(out.is_dir() for out in folders)


def test_a_kept_class_is_deleted_and_then_left_to_settle_before_the_runs(tmp_path, monkeypatch):
    events = []
    (tmp_path / "class-4").mkdir()
    monkeypatch.setattr(bench_grading.time, "sleep", lambda s: events.append(("sleep", s)))
    monkeypatch.setattr(shutil, "rmtree", lambda path, *a, **k: events.append(("rmtree", Path(path).name)))
    bench_grading.remove_and_settle(tmp_path / "class-4")
    bench_grading.remove_and_settle(tmp_path / "class-5")  # not there: no wait
    assert events == [("rmtree", "class-4"), ("sleep", bench_grading.SETTLE_SECONDS)]
