"""The grading worker's CPU per submission by Python function and line, sampled on CPU time.

Grades each notebook of a class once, as ``bench_worker.py --stages`` does (one
``ResilientSandbox``, the context loaded once, ``grader.batch._graded`` with the class
command's hooks, the record pickled as a worker sends it), while an interval timer on this
process's CPU time (``ITIMER_PROF``: user and kernel time, never time spent waiting) takes a
sample of the Python stack. Prints, in ms of CPU per submission: each function's inclusive
time, each function's own time, and each line's own time.

Why not cProfile or py-spy: cProfile timed with ``time.process_time`` pays a system call per
event, which it charges to the functions that make many calls (the sandbox's exchange with a
child, now ``conversation.Conversation``, read three times its share), and timed by the wall
clock it charges waits; py-spy samples the wall clock, so a worker preempted by the child it
just woke (two cores, six processes) counts as busy where it was sent or waiting. The kernel
delivers this timer at its tick (250 Hz here, whatever interval is asked), so the figures are
scaled by the CPU time measured over the run.
Time spent in C code (a compile, a system call, the JSON encoder) is charged to the line that
called it; a C operation without a call (slicing, hashing) to the next line that checks for
signals, most often the next call or the next function's first line.

With ``--main`` it profiles the grading process instead, in a real class run: ``grade.py FOLDER
--out (a fresh folder) --force --no-similarity`` runs in this process, its workers, zygotes and
children forked as usual (a fork keeps no interval timer: only this process is sampled), and the
tables are in ms of this process's CPU (``getrusage``: user and kernel, its threads included) per
submission of the class, the run's fixed costs (imports, fixtures, forks, the report) included;
the function ``WorkerPool.run`` holds what grows with the class. A sample taken while another
thread of this process was alive (the feedback renderer built in a thread at the first result)
may be that thread's: such samples are also counted under ``<while a thread ran>``.

    python3 benchmarks/cpu_profile.py [--class FOLDER] [--code OTHER_CHECKOUT] [--kinds correct,wrong]
        [--top 40]
    python3 benchmarks/cpu_profile.py --main --class FOLDER [--code OTHER_CHECKOUT] [--rounds 3]
        [--top 40]

With ``--rounds R`` (``--main`` only) the class is graded R times, each in a fresh interpreter
(the kernel's tick gives about 250 samples a CPU second: one run of 400 gives some 600), and the
samples of all are added up. After the tables of the whole process come the same tables of the
samples under ``WorkerPool.run`` or ``_Pages.flush``: the per-submission part alone.
"""
from __future__ import annotations

import argparse
import collections
import gc
import os
import resource
import signal
import sys
import threading
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
#: The outermost frame added to a sample taken while another thread of the process was alive.
THREAD_FRAME: Frame = ("<threads>", 0, "<while a thread ran>")


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
        if threading.active_count() > 1:  # the handler runs in the main thread, whichever ran
            stack.append(THREAD_FRAME)
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

    def within(self, functions: set[tuple[str, str]]) -> "CpuSampler":
        """A sampler holding only the stacks through one of ``functions`` (``(short file name,
        function)``, as in the tables)."""
        kept = CpuSampler(self.interval)
        for stack, count in self.stacks.items():
            if any((_short(n), f) in functions for n, _, f in stack):
                kept.stacks[stack] += count
        return kept

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
    from grader.commands import load_context
    try:  # grader.feedbackpages since the thirty-sixth session; grader.commands before (--against)
        from grader.feedbackpages import finisher, prepare_folder
    except ImportError:
        from grader.commands import _finisher as finisher, _prepare as prepare_folder

    context = load_context(_CODE / "rubrics" / "rnn.yaml")
    gc.freeze()  # as grader.batch's workers do with what they inherit
    subs = [s for s in _submissions(folder, loops=False, half=None)
            if kinds is None or _kind(Path(s.path)) in kinds]
    out = Path(tempfile.mkdtemp(prefix="cpu-profile-"))
    sampler = CpuSampler()

    def grade(submissions, sandbox, out_dir: Path) -> None:
        """Grade and write each submission as a worker does, its record pickled as sent."""
        prepare, finish = prepare_folder(out_dir), finisher(names=())
        for sub in submissions:
            graded = batch._graded(sub, context=context, sandbox=sandbox, out_dir=out_dir,
                                   prepare=prepare, finish=finish)
            # A checkout before the twentieth session returns the record written too, and its
            # _summary takes it; today's returns the result and builds the page record from it.
            given = graded if isinstance(graded, tuple) else (graded,)
            pickle.dumps(("done", batch._summary(given[0], 0.0, *given[1:], records="page")), protocol=4)

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


def profile_main(folder: str, *, out: Path) -> tuple[CpuSampler, float, int]:
    """Grade ``folder`` with ``grade.py``'s ``main`` in this process (``--force
    --no-similarity``, into ``out``, which must not exist: left for the caller to delete) under a
    ``CpuSampler``; return it, this process's CPU seconds over the run and the notebooks' count."""
    import grade

    count = sum(1 for p in Path(folder).iterdir() if p.suffix in (".ipynb", ".py") or p.is_dir())
    sampler = CpuSampler()
    start = _process_cpu()
    with sampler:
        status = grade.main([str(folder), "--out", str(out), "--force", "--no-similarity"])
    seconds = _process_cpu() - start
    if status != 0:
        raise SystemExit(f"grade.py exited with {status}")
    return sampler, seconds, count


#: Where a class run's per-submission work is done in the grading process.
PER_SUBMISSION = {("grader/batch.py", "run"), ("grader/commands.py", "flush")}


def profile_main_rounds(folder: str, *, rounds: int) -> tuple[CpuSampler, float, int]:
    """``profile_main`` ``rounds`` times, each in a fresh interpreter; the samples and CPU
    seconds added up, the count of notebooks graded in all."""
    import json
    import subprocess
    import tempfile

    total = CpuSampler()
    seconds = 0.0
    count = 0
    # Every round's output is kept until the end, in a fresh folder: files created where thousands
    # were deleted in the last 30 s each pay the kernel's scan of them (ext4 without a journal).
    with tempfile.TemporaryDirectory(prefix="cpu-profile-rounds-") as tmp:
        for number in range(rounds):
            dump = Path(tmp) / f"round{number}.json"
            command = [sys.executable, __file__, "--main", "--class", str(folder), "--dump", str(dump),
                       "--out", str(Path(tmp) / f"out{number}")]
            command += ["--code", str(_CODE)] if _CODE != _ROOT else []
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            data = json.loads(dump.read_text())
            for stack, samples in data["stacks"]:
                total.stacks[tuple(tuple(frame) for frame in stack)] += samples
            seconds += data["seconds"]
            count += data["count"]
            print(f"round {number + 1}: {data['seconds']:.2f} s of CPU, {data['count']} submissions, "
                  f"load {os.getloadavg()[0]:.2f}", flush=True)
    return total, seconds, count


def _process_cpu() -> float:
    """CPU seconds of this process so far, user and kernel, its threads included (not its
    children's)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


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
    parser.add_argument("--main", action="store_true",
                        help="profile the grading process of a whole class run instead")
    parser.add_argument("--rounds", type=int, default=1,
                        help="with --main: class runs, each in a fresh interpreter (default 1)")
    parser.add_argument("--dump", help=argparse.SUPPRESS)  # one round's samples, as JSON
    parser.add_argument("--out", help=argparse.SUPPRESS)  # and its output folder
    args = parser.parse_args(argv)
    if args.dump:
        import json

        sampler, seconds, count = profile_main(args.folder, out=Path(args.out))
        Path(args.dump).write_text(json.dumps({"seconds": seconds, "count": count,
                                               "stacks": list(sampler.stacks.items())}))
        return 0
    print(f"code: {_CODE}; load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.main:
        sampler, seconds, count = profile_main_rounds(args.folder, rounds=args.rounds)
        print(report(sampler, seconds, count, top=args.top))
        part = sampler.within(PER_SUBMISSION)
        share = seconds * part.samples / max(sampler.samples, 1)
        print("== the per-submission part (under WorkerPool.run or _Pages.flush)")
        sampler, seconds = part, share
    else:
        sampler, seconds, count = profile_class(args.folder, kinds=set(args.kinds.split(",")) if args.kinds else None)
    print(report(sampler, seconds, count, top=args.top))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
