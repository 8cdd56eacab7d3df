"""Benchmark of the two HTML reports.

Prints:

- feedback.html: the renderer's construction (imports included), then the time per page for a
  typical course notebook (20 cells), for one with 200 cells and 2 MB of outputs, and for the
  results-only page of an unreadable file;
- report.html: the time and size of the class report for N synthetic results (default 2,000),
  the statistics apart from the plots, and matplotlib's import.

Run from the repository root:  python3 benchmarks/bench_reports.py [--results 2000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader import classreport, feedback_html  # noqa: E402
from tests import notebooks as nbs  # noqa: E402
from tests.test_classreport import RUBRIC, synthetic_result  # noqa: E402
from tests.test_feedback_html import course_cells, graded_result  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median and maximum seconds of ``repeat`` calls of ``fn``."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def main(argv: list[str] | None = None) -> int:
    """Print the figures described in the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        renderer = feedback_html.default_renderer()
        print(f"feedback renderer built (nbconvert imported): {time.perf_counter() - started:.2f} s")

        typical = nbs.write(tmp / "typical.ipynb", nbs.course_notebook())
        result = graded_result(typical)
        started = time.perf_counter()
        feedback_html.feedback_page(result, notebook_path=typical, renderer=renderer)
        print(f"feedback.html, first page:                     {time.perf_counter() - started:.3f} s")
        median, worst = timed(lambda: feedback_html.write_feedback_html(
            result, notebook_path=typical, out_path=tmp / "f.html"), args.repeat)
        size = (tmp / "f.html").stat().st_size / 1024
        cells = len(nbs.course_notebook()["cells"])
        print(f"feedback.html, {cells}-cell course notebook:        {median:.3f} s (max {worst:.3f}), {size:.0f} KB")

        big_cells = course_cells() * 40
        for i, cell in enumerate(big_cells):
            if cell["cell_type"] == "code":
                cell["outputs"] = [nbs.stream(f"line {k} of cell {i}: " + "x" * 80 + "\n") for k in range(40)]
        big = nbs.write(tmp / "big.ipynb", nbs.notebook(big_cells))
        median, worst = timed(lambda: feedback_html.write_feedback_html(
            graded_result(big), notebook_path=big, out_path=tmp / "b.html"), max(1, args.repeat // 2))
        print(f"feedback.html, {len(big_cells)} cells, {big.stat().st_size / 2**20:.1f} MB notebook:  "
              f"{median:.3f} s (max {worst:.3f}), {(tmp / 'b.html').stat().st_size / 2**20:.1f} MB")

        broken = tmp / "broken.ipynb"
        broken.write_bytes(typical.read_bytes()[:1000])
        median, _ = timed(lambda: feedback_html.write_feedback_html(
            graded_result(broken), notebook_path=broken, out_path=tmp / "r.html"), args.repeat)
        print(f"feedback.html, results-only page:              {median * 1000:.1f} ms")

        rng = random.Random(0)
        results = [synthetic_result(f"student{i:05d}", rng, imdb=i % 3 == 0) for i in range(args.results)]
        started = time.perf_counter()
        import matplotlib.figure  # noqa: F401 - timing the import the report pays once
        print(f"matplotlib import:                             {time.perf_counter() - started:.2f} s")
        median, _ = timed(lambda: classreport.class_stats(results, rubric=RUBRIC), args.repeat)
        print(f"class statistics, {args.results} results:              {median * 1000:.0f} ms")
        median, worst = timed(lambda: classreport.write_class_report(results, rubric=RUBRIC, out_dir=tmp),
                              max(1, args.repeat // 2))
        size = (tmp / "report.html").stat().st_size / 1024
        print(f"report.html, {args.results} results:                   {median:.2f} s (max {worst:.2f}), {size:.0f} KB")
        median, _ = timed(lambda: classreport.write_class_report([], rubric=RUBRIC, out_dir=tmp), args.repeat)
        print(f"report.html, no results:                       {median * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
