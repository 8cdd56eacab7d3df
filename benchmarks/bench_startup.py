"""Benchmark of a class run's grading process before the workers' fork, in turns with another checkout.

A class run's start-up has the grading process's own path as its critical path: Python's start,
its imports, ``load_context`` (the rubric, the fixtures, the bonus's configuration) and what
``grade_class`` computes before forking the workers (the fixtures' digest and the batch key, the
layouts sent to the zygotes). This runs exactly that, without zygotes or workers, in a fresh
interpreter per run (``python3 -c``, the checkout's directory current, its ``grader`` compiled),
for this checkout and ``--against DIR`` in turns, and prints per side the medians of the wall
time (the whole process, from the parent), the CPU time (user + system of the process) and the
CPU of its steps (``imports``, ``load_context``, ``rest``: digest, key and layouts), how many
turns this checkout won, and the load average. A checkout whose ``load_context`` takes
``fixture_cache`` is asked for it, as its class run does: its first run keeps the caches (the
fixtures', and the rubric's since the eighteenth session), the others read them (``--cold``
empties the cache folders before each of its runs instead); one with ``_pause_collector`` has
the garbage collector off until the context is loaded, as its class run does.

    python3 benchmarks/bench_startup.py --against /work/base [--rounds 20] [--cold]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

_CODE = Path(__file__).resolve().parent.parent

#: The run measured: grade_class's imports and steps before the fork, timed by process CPU.
_PROBE = r"""
import time
from pathlib import Path
marks = [time.process_time()]
from grader import commands
try:  # where each checkout holds them (split out of grader.commands in the thirty-sixth session)
    from grader.outputfolder import pause_collector
    from grader.classfiles import DEFAULT_RUBRIC
except ImportError:
    pause_collector = getattr(commands, "_pause_collector", None)
    DEFAULT_RUBRIC = commands.DEFAULT_RUBRIC
resume = pause_collector() if pause_collector else None
from grader.zygote import unprotected_reason
from grader.batch import WorkerPool
from grader.fixtures import fixtures_digest
from grader.incremental import batch_key, submission_key
from grader.progress import Progress
from grader.report import Gradebook
from grader.runner import answer_layouts, argument_layouts
from grader.sandbox import configure_zygote
marks.append(time.process_time())
options = {"fixture_cache": True} if "fixture_cache" in commands.load_context.__code__.co_varnames else {}
context = commands.load_context(DEFAULT_RUBRIC, **options)
if resume is not None:  # as grade_class does, from the eighteenth session on
    resume(freeze=True)
marks.append(time.process_time())
batch_key(context.rubric, fixtures_digest=fixtures_digest(context.rubric), options="feedback_html=True")
answer_layouts(context), argument_layouts(context)
marks.append(time.process_time())
print("STEPS", [b - a for a, b in zip(marks, marks[1:])] + [marks[-1]])
"""

_STEPS = ("imports", "load_context", "rest", "cpu")


def _compile(checkout: Path) -> None:
    """Bytecode for the checkout's grader, as an installed grader has it."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "grader")], check=True)


def _run(checkout: Path, *, cold: bool) -> dict[str, float]:
    """One fresh process of ``checkout``: its wall time and CPU by step, in seconds."""
    if cold:
        shutil.rmtree(checkout / "rubrics" / "fixtures" / ".cache", ignore_errors=True)
        shutil.rmtree(checkout / "rubrics" / ".cache", ignore_errors=True)  # the rubric's
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _PROBE], cwd=checkout, check=True,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    line = next(l for l in done.stdout.splitlines() if l.startswith("STEPS "))
    steps = json.loads(line[len("STEPS "):])
    return {"wall": wall, **dict(zip(_STEPS, steps))}


def main(argv: list[str] | None = None) -> int:
    """Measure both checkouts in turns; print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", type=Path, required=True, help="the other checkout")
    parser.add_argument("--rounds", type=int, default=20, help="runs of each checkout (default 20)")
    parser.add_argument("--cold", action="store_true", help="no fixture or rubric cache: empty them before each run")
    args = parser.parse_args(argv)
    sides = {"this": _CODE, "other": args.against.resolve()}
    for checkout in sides.values():
        _compile(checkout)
    figures: dict[str, list[dict]] = {name: [] for name in sides}
    loads = []
    for side in sides.values():  # a first run of each, not counted: caches and page cache warm
        _run(side, cold=args.cold)
    for round_ in range(args.rounds):
        order = list(sides) if round_ % 2 == 0 else list(sides)[::-1]
        for name in order:
            figures[name].append(_run(sides[name], cold=args.cold))
        loads.append(os.getloadavg()[0])
    print(f"grading process before the workers' fork: {args.rounds} runs each, in turns"
          f"{', no fixture cache' if args.cold else ''}; load average {min(loads):.2f}-{max(loads):.2f}")
    for name, checkout in sides.items():
        med = {key: statistics.median(run[key] for run in figures[name]) for key in figures[name][0]}
        print(f"  {name:5} {str(checkout):32} wall {med['wall'] * 1000:6.1f} ms  CPU {med['cpu'] * 1000:6.1f} ms"
              f"  (imports {med['imports'] * 1000:5.1f}, load_context {med['load_context'] * 1000:5.1f},"
              f" rest {med['rest'] * 1000:4.1f})")
    won = {key: sum(a[key] < b[key] for a, b in zip(figures["this"], figures["other"])) for key in ("wall", "cpu")}
    print(f"  this checkout faster in {won['wall']} of {args.rounds} turns (wall), "
          f"less CPU in {won['cpu']} of {args.rounds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
