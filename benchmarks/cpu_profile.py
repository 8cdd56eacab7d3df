"""The grading worker's CPU per submission by Python function and line, sampled on CPU time.

Grades each notebook of a class once, as ``bench_worker.py --stages`` does (one
``ResilientSandbox``, the context loaded once, ``grader.batch._graded`` with the class
command's hooks, the record pickled as a worker sends it), while an interval timer on this
process's CPU time (``ITIMER_PROF``: user and kernel time, never time spent waiting) takes a
sample of the Python stack. Prints, in ms of CPU per submission: each function's inclusive
time, each function's own time, and each line's own time.

Why not cProfile or py-spy: cProfile timed with ``time.process_time`` pays a system call per
event, which it charges to the functions that make many calls (``Session._exchange`` read
three times its share), and timed by the wall clock it charges waits; py-spy samples the wall
clock, so a worker preempted by the child it just woke (two cores, six processes) counts as
busy where it was sent or waiting. The kernel delivers this timer at its tick (250 Hz here,
whatever interval is asked), so the figures are scaled by the CPU time measured over the run.
Time spent in C code (a compile, a system call, the JSON encoder) is charged to the line that
called it; a C operation without a call (slicing, hashing) to the next line that checks for
signals, most often the next call or the next function's first line.

    python3 benchmarks/cpu_profile.py [--class FOLDER] [--code OTHER_CHECKOUT] [--kinds correct,wrong]
        [--top 40]
"""
from __future__ import annotations

import argparse
import collections
import gc
import os
import signal
import sys
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if "--code" in sys.argv[1:-1]:  # profile another checkout's grader package
    _CODE = Path(sys.argv[sys.argv.index("--code") + 1]).resolve()
else:
    _CODE = _ROOT
sys.path.insert(0, str(_CODE))
sys.path.insert(0, str(Path(__file__).resolve().parent))

Frame = tuple[str, int, str]  # (file, line, function)


class CpuSampler:
    """Python stacks sampled while this process runs on a CPU (``ITIMER_PROF``), counted."""

    def __init__(self, interval: float = 0.001) -> None:
        """Sample every ``interval`` seconds of CPU (at most as often as the kernel's tick)."""
        self.interval = interval
        self.stacks: collections.Counter[tuple[Frame, ...]] = collections.Counter()
        self._previous = None

    def _take(self, signum: int, frame) -> None:
        """The signal handler: count the interrupted stack, innermost frame first."""
        stack = []
        while frame is not None:
            code = frame.f_code
            stack.append((code.co_filename, frame.f_lineno, code.co_name))
            frame = frame.f_back
        self.stacks[tuple(stack)] += 1

    def __enter__(self) -> "CpuSampler":
        """Start sampling."""
        self._previous = signal.signal(signal.SIGPROF, self._take)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop sampling."""
        signal.setitimer(signal.ITIMER_PROF, 0.0, 0.0)
        signal.signal(signal.SIGPROF, self._previous or signal.SIG_DFL)

    @property
    def samples(self) -> int:
        """Samples taken so far."""
        return sum(self.stacks.values())

    def tables(self) -> dict[str, collections.Counter]:
        """Samples per function (inclusive: counted once per stack it appears in), per
        function (own: the innermost frame) and per line (own)."""
        inclusive: collections.Counter = collections.Counter()
        own: collections.Counter = collections.Counter()
        lines: collections.Counter = collections.Counter()
        for stack, count in self.stacks.items():
            name, line, function = stack[0]
            own[(_short(name), function)] += count
            lines[(_short(name), line, function)] += count
            for key in {(_short(n), f) for n, _, f in stack}:
                inclusive[key] += count
        return {"inclusive": inclusive, "own": own, "lines": lines}


def _short(filename: str) -> str:
    """``grader/sandbox.py`` for a file of a grader package, else the file's name."""
    head, sep, tail = filename.rpartition("/grader/")
    return "grader/" + tail if sep else os.path.basename(filename)


def profile_class(folder: str, *, kinds: set[str] | None = None) -> tuple[CpuSampler, float, int]:
    """Grade each notebook of ``folder`` (of ``kinds``, or all but the loops) once under a
    ``CpuSampler``; return it, the CPU seconds the grading took and the notebooks' count."""
    import pickle
    import shutil
    import tempfile

    from bench_worker import _kind, _submissions

    from grader import batch
    from grader.commands import _finisher, _prepare, load_context

    context = load_context(_CODE / "rubrics" / "rnn.yaml")
    gc.freeze()  # as grader.batch's workers do with what they inherit
    subs = [s for s in _submissions(folder, loops=False, half=None)
            if kinds is None or _kind(Path(s.path)) in kinds]
    out = Path(tempfile.mkdtemp(prefix="cpu-profile-"))
    sampler = CpuSampler()

    def grade(submissions, sandbox, out_dir: Path) -> None:
        """Grade and write each submission as a worker does, its record pickled as sent."""
        prepare, finish = _prepare(out_dir), _finisher(names=())
        for sub in submissions:
            result, record = batch._graded(sub, context=context, sandbox=sandbox, out_dir=out_dir,
                                           prepare=prepare, finish=finish)
            pickle.dumps(("done", batch._summary(result, 0.0, record, records="page")), protocol=4)

    try:
        with batch.ResilientSandbox(protected_paths=[]) as sandbox:
            grade(_submissions(folder, loops=False, half=None)[-8:], sandbox, out / "warm")  # memos, layouts
            start = time.process_time()
            with sampler:
                grade(subs, sandbox, out / "class")
            seconds = time.process_time() - start
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return sampler, seconds, len(subs)


def report(sampler: CpuSampler, seconds: float, count: int, *, top: int = 40) -> str:
    """The three tables in ms of CPU per submission, the largest first."""
    per_sample = seconds / max(sampler.samples, 1) / max(count, 1) * 1e3
    out = [f"{count} submissions, {seconds / max(count, 1) * 1e3:.3f} ms of CPU each; "
           f"{sampler.samples} samples ({per_sample:.4f} ms a submission each)"]
    titles = {"inclusive": "function, inclusive", "own": "function, own", "lines": "line, own"}
    for name, table in sampler.tables().items():
        out.append(f"-- {titles[name]} (ms per submission)")
        for key, samples in table.most_common(top):
            where = f"{key[0]}:{key[1]} {key[2]}" if len(key) == 3 else f"{key[0]} {key[1]}"
            out.append(f"  {samples * per_sample:8.3f}  {where}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Profile a class; print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--class", dest="folder", required=True,
                        help="a folder of generated notebooks named sNNNN_KIND.ipynb")
    parser.add_argument("--code", help="the checkout whose grader package is profiled")
    parser.add_argument("--kinds", help="only these kinds of submission (comma-separated)")
    parser.add_argument("--top", type=int, default=40, help="rows per table (default 40)")
    args = parser.parse_args(argv)
    print(f"code: {_CODE}; load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    sampler, seconds, count = profile_class(args.folder, kinds=set(args.kinds.split(",")) if args.kinds else None)
    print(report(sampler, seconds, count, top=args.top))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
