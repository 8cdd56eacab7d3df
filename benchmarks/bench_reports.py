"""Benchmark of the two HTML reports.

Prints:

- feedback.html: the renderer's construction (imports included), then the time per page for a
  typical course notebook (20 cells), for one with 200 cells and 2 MB of outputs, and for the
  results-only page of an unreadable file;
- report.html: the time and size of the class report for N synthetic results (default 2,000),
  the statistics and the charts apart.

With ``--class DIR --out DIR`` (a graded class: the notebooks, and the output folder with each
submission's ``result.full.json``), it prints instead the figures of ``feedback.html`` over that
class, as a grading worker meets them: the renderer's construction (CPU time, its imports
included), then the CPU time of each page in turn (``feedback_page``: reading the notebook,
rendering, the result blocks), the first pages apart (the memo is empty), median, 95th
percentile and maximum of the others, the memos' size, and the load average. ``--check``
also compares the visible text of every page with ``OUT/<id>/feedback.html``.

With ``--main-cpu CLASS`` it grades the class with ``grade.py --no-similarity`` into a fresh
folder, ``--rounds`` times, and prints the CPU time of the grading process alone (its own
threads, not the workers, sandboxes or figure process: ``getrusage(RUSAGE_SELF)`` at the end
of ``grade.main``), in all and per submission, with the load average; with ``--against DIR``
(another checkout of the repository) the two are run in turns and compared (medians), and
with ``--diff`` the output folders of the last round are compared file by file (timings of
``result.full.json`` apart).

With ``--records OUT`` (a graded class's output folder) it prints instead the CPU time of the files a
worker writes per submission (``report.write_submission_record``: ``feedback.md``, ``results.json``,
``result.full.json``), each result of ``OUT`` written ``--passes`` times into fresh folders under
``--dir`` (default a temporary folder on ``/dev/shm`` when there is one, where creating a file costs
the kernel little): the texts apart (the markdown, Gradescope's JSON, the record and its JSON), then
the writes, system CPU apart, and the CPU the kernel took to create an empty file there just before
(it swings from 0.03 to 1 ms on this machine's disk, whatever the grader does).

Run from the repository root:  python3 benchmarks/bench_reports.py [--results 2000] [--repeat 5]
                               python3 benchmarks/bench_reports.py --class CLASS --out OUT [--check] [--passes 5]
                               python3 benchmarks/bench_reports.py --main-cpu CLASS [--against DIR] [--rounds 5] [--diff]
                               python3 benchmarks/bench_reports.py --records OUT [--dir DIR] [--passes 5]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
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
                memo_mb: float | None = None, passes: int = 1) -> int:
    """Print the CPU cost of every ``feedback.html`` of a graded class (see the module docstring);
    with ``memo_mb``, with a renderer whose memo has that budget instead of the default one;
    with ``passes`` > 1, the class's pages again that many times less one, the renderer's memos
    emptied before each (the CPU of each pass: the least is the least disturbed by the load)."""
    from grader.report import read_submission
    from tests.pages import parse

    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    started = time.process_time()
    if memo_mb is None:
        renderer = feedback_html.default_renderer()
    else:
        renderer = feedback_html.FeedbackRenderer(memo_bytes=int(memo_mb * 2**20))
    built = time.process_time() - started
    print(f"feedback renderer built (markdown parser and sanitiser ready, warmed up): {built * 1000:.0f} ms CPU")
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
    for number in range(1, passes):
        renderer.memo.clear()
        renderer.lines = type(renderer.lines)(renderer.lines.max_bytes)
        started = time.process_time()
        for notebook, result in submissions:
            feedback_html.feedback_page(result, notebook_path=notebook, renderer=renderer)
        print(f"pass {number + 1} (memos emptied first): {time.process_time() - started:.3f} s CPU")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


#: Run in a fresh interpreter: ``grade.main`` of checkout argv[1] with argv[2:], then the CPU
#: of this process (every thread of it, none of its children) as JSON on the last line.
_MAIN_CPU = """
import json, os, resource, sys, time
repo = sys.argv[1]
os.chdir(repo)
sys.path.insert(0, repo)
started = time.perf_counter()
import grade
status = grade.main(sys.argv[2:])
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"user": usage.ru_utime, "sys": usage.ru_stime, "status": status,
                  "wall": time.perf_counter() - started, "load": os.getloadavg()[0]}), file=sys.stderr)
"""


def grading_process_cpu(repo: Path, class_dir: Path, out_dir: Path) -> dict:
    """One ``grade.py CLASS --out OUT --no-similarity`` of checkout ``repo`` into a fresh
    ``out_dir``: the grading process's CPU (``user``, ``sys`` seconds), wall time, load."""
    proc = subprocess.run([sys.executable, "-c", _MAIN_CPU, str(repo), str(class_dir.resolve()),
                           "--out", str(out_dir), "--no-similarity"],
                          capture_output=True, text=True, check=False)
    try:
        figures = json.loads(proc.stderr.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise SystemExit(f"grade.py of {repo} failed:\n{proc.stderr[-2000:]}") from None
    if figures["status"] != 0:
        raise SystemExit(f"grade.py of {repo} exited with {figures['status']}")
    return figures


def differing_files(first: Path, second: Path) -> list[str]:
    """Relative paths of the files that differ between two output folders (or are in one only);
    ``result.full.json`` is compared without its timings (``seconds``, ``timings``)."""
    def listing(root: Path) -> set[str]:
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}

    def timeless(value):
        if isinstance(value, dict):
            return {k: timeless(v) for k, v in value.items() if k not in ("seconds", "timings")}
        if isinstance(value, list):
            return [timeless(v) for v in value]
        return value

    differ = []
    names_a, names_b = listing(first), listing(second)
    for name in sorted(names_a | names_b):
        if name not in names_a or name not in names_b:
            differ.append(name)
            continue
        a, b = (first / name).read_bytes(), (second / name).read_bytes()
        if a == b:
            continue
        if name.endswith("result.full.json") and timeless(json.loads(a)) == timeless(json.loads(b)):
            continue
        if name.endswith("grading-key.json"):  # the grader's digest differs, and the key with it;
            ka, kb = json.loads(a), json.loads(b)  # so does the digest of result.full.json
            for record in (ka, kb):
                record.pop("grader", None)
                record.pop("key", None)
                record.get("files", {}).pop("result.full.json", None)
            if ka == kb:
                continue
        differ.append(name)
    return differ


def main_cpu(class_dir: Path, *, against: Path | None, rounds: int, diff: bool) -> int:
    """Print the grading process's CPU over ``class_dir`` for this checkout (and ``against``),
    in turns, ``rounds`` times each (see the module docstring)."""
    here = Path(__file__).resolve().parent.parent
    checkouts = [("this", here)] + ([("against", Path(against).resolve())] if against else [])
    count = sum(1 for p in Path(class_dir).iterdir() if p.suffix in (".ipynb", ".py") or p.is_dir())
    runs: dict[str, list[dict]] = {name: [] for name, _ in checkouts}
    # Every run's output is kept until the end: on this machine's ext4 without a journal, the
    # 1,600 files of a run deleted just before the next would make each file the next run
    # creates cost a scan of them in the kernel (``recently_deleted``: a third of the grading
    # process's CPU in one profile), whichever checkout it is.
    with tempfile.TemporaryDirectory(prefix="bench-main-cpu-") as tmp:
        for number in range(rounds):
            order = checkouts if number % 2 == 0 else checkouts[::-1]
            for name, repo in order:
                out = Path(tmp) / f"{name}-{number}"
                figures = grading_process_cpu(repo, Path(class_dir), out)
                runs[name].append(figures)
                cpu = figures["user"] + figures["sys"]
                print(f"round {number + 1} {name:8s} grading process CPU {cpu:6.2f} s "
                      f"(user {figures['user']:.2f}, sys {figures['sys']:.2f}), "
                      f"{cpu / count * 1000:.2f} ms per submission; wall {figures['wall']:.1f} s; "
                      f"load {figures['load']:.2f}", flush=True)
        for name, _ in checkouts:
            cpus = [f["user"] + f["sys"] for f in runs[name]]
            print(f"{name:8s} median {statistics.median(cpus):.2f} s, min {min(cpus):.2f} s, "
                  f"max {max(cpus):.2f} s of CPU over {len(cpus)} runs "
                  f"({statistics.median(cpus) / count * 1000:.2f} ms per submission)")
        if against and rounds:
            ratio = (statistics.median(f["user"] + f["sys"] for f in runs["this"])
                     / statistics.median(f["user"] + f["sys"] for f in runs["against"]))
            print(f"this / against: {ratio:.3f}")
            if diff:
                last = rounds - 1
                differ = differing_files(Path(tmp) / f"this-{last}", Path(tmp) / f"against-{last}")
                print(f"files differing between the last two output folders: {len(differ)} "
                      + " ".join(differ[:20]))
    return 0


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process so far: (user + system, system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, usage.ru_stime


def records(out_dir: Path, *, where: Path | None, passes: int) -> int:
    """``--records OUT``: the CPU per submission of the files a worker writes (module docstring)."""
    from grader import report

    results = [r for r in (report.read_submission(d) for d in sorted(out_dir.iterdir()) if d.is_dir())
               if r is not None]
    if not results:
        raise SystemExit(f"{out_dir}: no result.full.json")
    if where is None and Path("/dev/shm").is_dir():
        where = Path("/dev/shm")
    n = len(results)
    print(f"{n} results of {out_dir}, {passes} passes, written under {where or tempfile.gettempdir()}; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    clock = time.process_time
    for number in range(passes):
        texts = dict.fromkeys(("feedback.md", "results.json", "record", "record JSON"), 0.0)
        for result in results:
            t0 = clock()
            report.feedback_markdown(result)
            t1 = clock()
            report._json_text(report.gradescope_results(result))
            t2 = clock()
            record = report.result_to_dict(result)
            t3 = clock()
            report._json_text(record)
            t4 = clock()
            for name, spent in zip(texts, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
                texts[name] += spent
        with tempfile.TemporaryDirectory(dir=where) as tmp:
            probe = Path(tmp) / "probe"
            probe.mkdir()
            before = _cpu()
            for i in range(200):
                os.close(os.open(probe / f"f{i}", os.O_WRONLY | os.O_CREAT, 0o600))
            create = (_cpu()[0] - before[0]) / 200
            before = _cpu()
            for result in results:
                report.write_submission_record(result, Path(tmp) / result.submission_id)
            after = _cpu()
        generated = sum(texts.values())
        print(f"  pass {number + 1}: ms per submission: " + ", ".join(f"{k} {v / n * 1e3:.3f}" for k, v in texts.items())
              + f"; written {(after[0] - before[0]) / n * 1e3:.3f} (files {(after[0] - before[0] - generated) / n * 1e3:.3f},"
              f" system {(after[1] - before[1]) / n * 1e3:.3f}); an empty file created in {create * 1e3:.3f}")
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
    parser.add_argument("--passes", type=int, default=1,
                        help="with --class: render the class's pages this many times (memos emptied)")
    parser.add_argument("--main-cpu", type=Path, metavar="CLASS",
                        help="the grading process's CPU over a class (see the module docstring)")
    parser.add_argument("--against", type=Path, metavar="DIR", help="with --main-cpu: another checkout")
    parser.add_argument("--rounds", type=int, default=3, help="with --main-cpu: runs of each (default 3)")
    parser.add_argument("--diff", action="store_true",
                        help="with --main-cpu --against: compare the last two output folders")
    parser.add_argument("--records", type=Path, metavar="OUT",
                        help="the CPU of each submission's report files, from a graded class's output")
    parser.add_argument("--dir", type=Path, help="with --records: where to write (default /dev/shm)")
    args = parser.parse_args(argv)
    if args.records:
        return records(args.records, where=args.dir, passes=args.passes)
    if args.main_cpu:
        return main_cpu(args.main_cpu, against=args.against, rounds=args.rounds, diff=args.diff)
    if args.class_dir or args.out:
        if not (args.class_dir and args.out):
            parser.error("--class and --out go together")
        return class_pages(args.class_dir, args.out, warm=args.warm, check=args.check, memo_mb=args.memo_mb,
                           passes=args.passes)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        renderer = feedback_html.default_renderer()
        print(f"feedback renderer built: {time.perf_counter() - started:.2f} s")

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
        median, _ = timed(lambda: classreport.class_stats(results, rubric=RUBRIC), args.repeat)
        print(f"class statistics, {args.results} results:              {median * 1000:.0f} ms")
        stats = classreport.class_stats(results, rubric=RUBRIC)
        median, _ = timed(lambda: classreport._figures(stats), args.repeat)
        print(f"the three charts (inline SVG):                 {median * 1000:.1f} ms")
        median, worst = timed(lambda: classreport.write_class_report(results, rubric=RUBRIC, out_dir=tmp),
                              max(1, args.repeat // 2))
        size = (tmp / "report.html").stat().st_size / 1024
        print(f"report.html, {args.results} results:                   {median:.2f} s (max {worst:.2f}), {size:.0f} KB")
        median, _ = timed(lambda: classreport.write_class_report([], rubric=RUBRIC, out_dir=tmp), args.repeat)
        print(f"report.html, no results:                       {median * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
