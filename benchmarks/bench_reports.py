"""Benchmark of the two HTML reports.

Prints:

- feedback.html: the renderer's construction (imports included), then the time per page for a
  typical course notebook (20 cells), for one with 200 cells and 2 MB of outputs, and for the
  results-only page of an unreadable file;
- report.html: the time and size of the class report for N synthetic results (default 2,000),
  the statistics apart from the plots, and matplotlib's import.

With ``--class DIR --out DIR`` (a graded class: the notebooks, and the output folder with each
submission's ``result.full.json``), it prints instead the figures of ``feedback.html`` over that
class, as a grading worker meets them: the renderer's construction (CPU time, nbconvert's import
included), then the CPU time of each page in turn (``feedback_page``: reading the notebook,
rendering, the result blocks), the first pages apart (the memo is empty), median, 95th
percentile and maximum of the others, the memos' size, and the load average. ``--check``
also compares the visible text of every page with ``OUT/<id>/feedback.html``.

Run from the repository root:  python3 benchmarks/bench_reports.py [--results 2000] [--repeat 5]
                               python3 benchmarks/bench_reports.py --class CLASS --out OUT [--check]
"""
from __future__ import annotations

import argparse
import os
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


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def class_pages(class_dir: Path, out_dir: Path, *, warm: int = 5, check: bool = False,
                memo_mb: float | None = None) -> int:
    """Print the CPU cost of every ``feedback.html`` of a graded class (see the module docstring);
    with ``memo_mb``, with a renderer whose memo has that budget instead of the default one."""
    from grader.report import read_submission
    from tests.pages import parse

    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    started = time.process_time()
    if memo_mb is None:
        renderer = feedback_html.default_renderer()
    else:
        renderer = feedback_html.FeedbackRenderer(memo_bytes=int(memo_mb * 2**20))
    built = time.process_time() - started
    print(f"feedback renderer built (nbconvert imported, template compiled and warmed up): {built * 1000:.0f} ms CPU")
    submissions = []
    for notebook in sorted(p for p in Path(class_dir).iterdir() if p.suffix in (".ipynb", ".py")):
        result = read_submission(Path(out_dir) / notebook.stem)
        if result is not None:
            submissions.append((notebook, result))
    times, differ = [], []
    for notebook, result in submissions:
        started = time.process_time()
        page = feedback_html.feedback_page(result, notebook_path=notebook, renderer=renderer)
        times.append(time.process_time() - started)
        if check:
            old = Path(out_dir) / notebook.stem / "feedback.html"
            if old.is_file() and "".join(parse(old.read_text("utf-8")).text) != "".join(parse(page).text):
                differ.append(notebook.stem)
    if not times:
        print("no graded submission found")
        return 1
    ms = [t * 1000 for t in times]
    rest = ms[warm:] or ms
    print(f"pages: {len(ms)}; first {min(warm, len(ms))} (memo empty): {', '.join(f'{t:.1f}' for t in ms[:warm])} ms CPU")
    print(f"per page after those: median {statistics.median(rest):.2f} ms, 95th percentile "
          f"{percentile(rest, 0.95):.2f} ms, max {max(rest):.2f} ms, mean {statistics.mean(rest):.2f} ms CPU")
    print(f"all pages: {sum(ms) / 1000:.2f} s CPU")
    memo = getattr(renderer, "memo", None)
    if memo is not None:
        print(f"memo of rendered cells: {len(memo)} cells, {memo.nbytes / 2**20:.1f} MB of {memo.max_bytes / 2**20:.0f} MB; "
              f"memo of highlighted lines: {len(renderer.lines)} entries, {renderer.lines.nbytes / 2**20:.1f} MB")
    if check:
        print(f"visible text differs from {out_dir}/<id>/feedback.html: {len(differ)} page(s) {' '.join(differ[:10])}")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Print the figures described in the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--class", dest="class_dir", type=Path, help="a graded class's notebooks")
    parser.add_argument("--out", type=Path, help="its grading output (one folder per submission)")
    parser.add_argument("--warm", type=int, default=5, help="first pages reported apart (default 5)")
    parser.add_argument("--check", action="store_true", help="compare the visible text with OUT's pages")
    parser.add_argument("--memo-mb", type=float, help="the renderer's memo budget (default: the library's)")
    args = parser.parse_args(argv)
    if args.class_dir or args.out:
        if not (args.class_dir and args.out):
            parser.error("--class and --out go together")
        return class_pages(args.class_dir, args.out, warm=args.warm, check=args.check, memo_mb=args.memo_mb)

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
