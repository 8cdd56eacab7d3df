"""The least that issue 9's design can cost on this machine: no grader at all.

The design asks for one child per submission, forked from a warm NumPy parent,
that runs the submission's functions on the rubric's cases. Whatever else a
grader does (reading the notebook, extraction, the sandbox's isolation, the
protocol, the checks, the reports) comes on top of this floor. So the floor
says how much of the target's budget is left for the grader itself.

A floor run forks, ``jobs`` at a time, one child per submission from a parent
that has NumPy, the reference solution and every case's arguments loaded. The
child calls the reference function of every case of the rubric (the calls a
correct submission answers, in the same order, on the same arguments) and
exits; one child in a hundred instead spins until it has used the rubric's
timeout in CPU time, as a looping submission does before it is stopped. The
child sends nothing back and nothing is compared or written.

    python3 benchmarks/design_floor.py                   # N = 400, 2 at a time
    python3 benchmarks/design_floor.py --n 2000 --rounds 3

``bench_grading.py`` prints the same measure beside the target.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Runs in a fresh interpreter, so that the parent's memory is what a zygote's would be
# (NumPy and the reference loaded), not the benchmark's.
_FLOOR = r"""
import gc, os, resource, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
from grader.rubric import load_rubric
from grader.fixtures import load_fixtures
from solution import rnn

n, jobs, mode, loops_every = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
rubric = load_rubric(sys.argv[6])
fixtures = load_fixtures(rubric)
calls = [(getattr(rnn, part.function), fixtures[case.id].args)
         for part in rubric.parts for case in part.cases]
timeout = max(case.timeout for part in rubric.parts for case in part.cases)
for fn, args in calls:  # warm: first calls fill NumPy's caches in the parent, as a zygote's boot does
    fn(*args)
gc.freeze()


def child(k):
    if mode == "empty":
        os._exit(0)
    if loops_every and k % loops_every == loops_every - 1:
        while time.process_time() < timeout:
            pass
        os._exit(0)
    for fn, args in calls:
        fn(*args)
    os._exit(0)


def worker(queue):
    while True:
        item = os.read(queue, 4)  # submissions are handed out as workers come free, as in the pool
        if len(item) < 4:
            os._exit(0)
        pid = os.fork()
        if pid == 0:
            child(int.from_bytes(item, "little"))
        os.waitpid(pid, 0)


queue, feed = os.pipe()
for k in range(n):
    os.write(feed, k.to_bytes(4, "little"))
os.close(feed)
start = time.perf_counter()
before = resource.getrusage(resource.RUSAGE_CHILDREN)  # microseconds: os.times() counts whole ticks
pids = []
for j in range(jobs):
    pid = os.fork()
    if pid == 0:
        worker(queue)
    pids.append(pid)
for pid in pids:
    os.waitpid(pid, 0)
wall = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
print(wall, cpu, len(calls), timeout)
"""


def floor_run(n: int, *, jobs: int, mode: str = "calls", loops_every: int = 100,
              rubric: Path = REPO / "rubrics" / "rnn.yaml") -> dict[str, float]:
    """One floor run: ``n`` children, ``jobs`` at a time. ``mode`` "calls" runs the reference
    on every case (one child in ``loops_every`` spins for the timeout instead; 0: none),
    "empty" only forks and exits. Returns wall and CPU seconds, the calls per child and the
    timeout."""
    out = subprocess.run([sys.executable, "-c", _FLOOR, str(REPO), str(n), str(jobs), mode,
                          str(loops_every), str(rubric)],
                         capture_output=True, text=True, check=True)
    wall, cpu, calls, timeout = out.stdout.split()
    return {"wall": float(wall), "cpu": float(cpu), "calls": int(calls), "timeout": float(timeout)}


def floor_summary(n: int, *, jobs: int, rounds: int = 1) -> dict[str, float]:
    """Median wall time of ``rounds`` floor runs of each kind: ``empty`` (fork and exit),
    ``calls`` (the reference's calls, no loops) and ``full`` (calls and loops); with the calls
    per child and the timeout."""
    walls: dict[str, list[float]] = {"empty": [], "reference": [], "full": []}
    info: dict[str, float] = {}
    for _ in range(rounds):
        for name, mode, every in (("empty", "empty", 0), ("reference", "calls", 0), ("full", "calls", 100)):
            run = floor_run(n, jobs=jobs, mode=mode, loops_every=every)
            walls[name].append(run["wall"])
            info = {"calls": run["calls"], "timeout": run["timeout"]}
    return {**{name: statistics.median(w) for name, w in walls.items()}, **info}


def describe(summary: dict[str, float], *, n: int, jobs: int, target: float | None = None) -> str:
    """The floor as printed by this script and by bench_grading."""
    text = (f"design floor (no grader: one child per submission forked from a warm NumPy parent runs the "
            f"reference's {summary['calls']:.0f} calls, one in a hundred spins for its {summary['timeout']:g} s; "
            f"N = {n}, {jobs} at a time): fork and exit only {summary['empty']:.2f} s, with the calls "
            f"{summary['reference']:.2f} s, with the loops too {summary['full']:.2f} s")
    if target:
        text += (f" = {summary['full'] / target:.0%} of the target's {target:.2f} s, which leaves the "
                 f"grader {max(target - summary['full'], 0.0):.2f} s "
                 f"({max(target - summary['full'], 0.0) * jobs / n * 1000:.1f} ms of a core per submission)")
    return text


def main(argv: list[str] | None = None) -> int:
    """Measure the floor and, in the same run, one ``python -c "import numpy"``; print both."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=400, help="submissions (default 400)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="children at a time (default: cores)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each kind; medians are printed (default 3)")
    args = parser.parse_args(argv)
    singles = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import numpy"], check=True)
        singles.append(time.perf_counter() - t)
    single = statistics.median(singles)
    target = 0.15 * args.n * single / args.jobs
    print(f"load average at start: {' '.join(open('/proc/loadavg').read().split()[:3])}")
    print(f"one fresh `python -c \"import numpy\"`: {single * 1000:.0f} ms alone (median of 5); "
          f"target for N = {args.n}: 0.15 x N x t / {args.jobs} = {target:.2f} s")
    summary = floor_summary(args.n, jobs=args.jobs, rounds=args.rounds)
    print(describe(summary, n=args.n, jobs=args.jobs, target=target))
    print(f"load average at the end: {' '.join(open('/proc/loadavg').read().split()[:3])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
