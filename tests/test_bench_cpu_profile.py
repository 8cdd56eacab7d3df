"""benchmarks/cpu_profile.py: samples of the Python stack on CPU time, counted per function
and line, and a class's worker profile printed from them."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import cpu_profile  # noqa: E402


def _busy(n: int) -> int:
    """CPU work of its own (a loop of Python), to be sampled."""
    total = 0
    for k in range(n):
        total += k * k % 7
    return total


def test_the_sampler_counts_stacks_while_the_process_computes():
    sampler = cpu_profile.CpuSampler(interval=0.001)
    with sampler:
        while sampler.samples < 5:
            _busy(20_000)
    tables = sampler.tables()
    here = Path(__file__).name
    assert tables["inclusive"][(here, "_busy")] >= 1
    assert sum(tables["own"].values()) == sampler.samples  # one innermost frame a sample
    assert sum(tables["lines"].values()) == sampler.samples
    taken = sampler.samples
    _busy(200_000)  # after the block: nothing more is counted
    assert sampler.samples == taken


def test_a_class_profile_reports_ms_per_submission(tmp_path):
    for name in ("s0001_correct.ipynb", "s0002_wrong.ipynb"):
        source = "ada_correct.ipynb" if "correct" in name else "alan_partly_wrong.ipynb"
        shutil.copy(REPO / "submissions" / source, tmp_path / name)
    sampler, seconds, count = cpu_profile.profile_class(str(tmp_path), kinds={"correct", "wrong"})
    assert count == 2 and seconds > 0
    text = cpu_profile.report(sampler, seconds, count, top=5)
    assert text.startswith("2 submissions, ")
    for title in ("-- function, inclusive", "-- function, own", "-- line, own"):
        assert title in text
    # Every sample was taken within the run (its whole stack kept), none before or after it.
    assert sampler.tables()["inclusive"][("cpu_profile.py", "profile_class")] == sampler.samples


def test_the_grading_process_of_a_class_run_is_profiled_with_its_per_submission_part(tmp_path):
    """``--main``: grade.py's run in the profiling process; the samples under ``WorkerPool.run``
    (or ``_Pages.flush``) are the per-submission part, a subset of the whole."""
    folder = tmp_path / "class"
    folder.mkdir()
    for number in range(4):
        source = "ada_correct.ipynb" if number % 2 else "alan_partly_wrong.ipynb"
        shutil.copy(REPO / "submissions" / source, folder / f"s{number:04d}.ipynb")
    sampler, seconds, count = cpu_profile.profile_main(str(folder), out=tmp_path / "out")
    assert count == 4 and seconds > 0 and sampler.samples > 0
    assert len(list((tmp_path / "out").glob("s*/feedback.html"))) == 4  # a real run's outputs
    assert sampler.tables()["inclusive"][("grade.py", "main")] == sampler.samples
    assert sampler.within(cpu_profile.PER_SUBMISSION).samples <= sampler.samples


def test_within_keeps_the_stacks_through_the_functions_named():
    sampler = cpu_profile.CpuSampler()
    run = ("/x/grader/batch.py", 440, "run")
    page = ("/x/grader/feedback_html.py", 10, "pieces")
    sampler.stacks[(page, run, ("/x/grade.py", 1, "main"))] += 3
    sampler.stacks[(("/x/grader/commands.py", 5, "load_context"), ("/x/grade.py", 1, "main"))] += 2
    part = sampler.within(cpu_profile.PER_SUBMISSION)
    assert part.samples == 3 and sampler.samples == 5
    assert part.tables()["own"][("grader/feedback_html.py", "pieces")] == 3
