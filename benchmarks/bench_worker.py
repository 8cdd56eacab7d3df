"""The grading worker's CPU per submission, by kind of submission.

Grades notebooks of a class in this process, the way a worker of
``grader.batch`` does (one ``ResilientSandbox``, the context loaded once, what
was loaded kept out of the garbage collector's walks), and prints for each kind
of submission (the part of the file name after the number: ``s0001_correct``
-> ``correct``) the CPU time of *this* process per submission
(``time.process_time``: reading, extraction, the runner, the checks, the
sandbox's side of the protocol, the IMDB bonus; not the sandbox children,
which run the student's code), and the wall time.  Each kind is measured on
``--per-kind`` notebooks graded ``--rounds`` times over, after a warm-up round
over every notebook measured (per-process memos warm, as in a worker that has
graded a few submissions).  Reports are not written.

    python3 benchmarks/bench_worker.py [--class FOLDER]
        [--per-kind 12] [--rounds 5] [--code OTHER_CHECKOUT] [--profile KIND]

``--against DIR`` grades the kinds in turns with another checkout's ``grader`` package (``--kinds
correct,wrong`` for a few of them). ``--code DIR`` measures the ``grader`` package of another checkout (for example a
``git worktree`` of an older commit) with this checkout's figures for comparison
left to the reader; ``--profile KIND`` adds a cProfile of one round of that kind,
sorted by own time.  Looping submissions cost their timeouts in wall time and are
left out unless ``--loops`` is given.

``--stages`` measures instead the whole of a worker's work per submission, stage by
stage, the way a class run does it: each notebook of the class graded *once* (no
round over the same notebooks: a program or a cell met again costs less, as in a
class), its files written into a fresh output folder (``grader.batch._graded`` with
the class command's hooks) and its record pickled as a worker sends it.  Stages, CPU
ms per submission (for the class, then the main ones per kind of submission): ``read``,
``extract`` (extraction, the functions needed, the program's text), ``compile``
(``grader.sandbox._compiled``), ``checks`` (the parts graded through the sandbox: the
protocol), ``imdb``, ``session`` (the rest of the
runner: the child's start and end), ``reports`` (the files; ``reports.sys``: the
kernel's share of it, mostly creating files), ``record`` (the ``Done`` and its
pickle), and ``outside`` = everything but ``checks`` and ``session``.  With
``--against DIR`` the two checkouts grade the class in turns, a slice of
``--slice`` notebooks each (order alternating), every notebook once per side:

    python3 benchmarks/bench_worker.py --stages --class FOLDER [--against OTHER] [--half 0|1]

``--half`` grades every other notebook (a worker's share of a class on two cores).

``--protocol`` measures instead the worker's side of the sandbox protocol alone, in CPU µs of
this process per call, on a small program in one live child (no notebook, no checks): calls
one by one the way the runner makes them (``raw_value``, ``reuse_args``, no aliases), 24 calls
sent together (``call_many``), and one call answered by 10 stub round trips from a reference
trace (``grader.runner.TraceStub``, its quick path on the arguments' wire bytes), given per
trip after taking off a plain call. With ``--against DIR`` the two checkouts take turns:

    python3 benchmarks/bench_worker.py --protocol [--rounds 9] [--against OTHER_CHECKOUT]
"""
from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if "--code" in sys.argv[1:-1]:  # measure another checkout's grader package
    _CODE = Path(sys.argv[sys.argv.index("--code") + 1]).resolve()
else:
    _CODE = _ROOT
sys.path.insert(0, str(_CODE))

from grader.batch import ResilientSandbox  # noqa: E402
from grader.commands import load_context  # noqa: E402
from grader.runner import grade_submission  # noqa: E402


def _kind(path: Path) -> str:
    """``s0001_correct_imdb.ipynb`` -> ``correct_imdb``."""
    stem = path.stem
    return stem.split("_", 1)[1] if "_" in stem else stem


def _measure(paths: list[Path], rounds: int, *, context, sandbox) -> tuple[float, float, float]:
    """``(CPU ms, wall ms, voluntary context switches)`` of this process per submission over
    ``rounds`` passes of ``paths`` (a voluntary switch: the process waited, for a child's
    answer most often)."""
    switches0 = resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(rounds):
        for path in paths:
            grade_submission(path, context=context, sandbox=sandbox)
    n = rounds * len(paths)
    cpu, wall = (time.process_time() - cpu0) / n * 1e3, (time.perf_counter() - wall0) / n * 1e3
    return cpu, wall, (resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw - switches0) / n


#: ``--protocol``: a program whose ``g`` asks the grader for each of its steps (a stub).
PROTOCOL_PROGRAM = ("import numpy as np\n\ndef f(x):\n    return np.tanh(x @ x.T)\n\n"
                    "def step(x, w):\n    return np.tanh(w @ x)\n\n"
                    "def g(xs, w):\n    return [step(x, w) for x in xs]\n")
PROTOCOL_SCENARIOS = ("one by one", "24 together", "stub trip")


class _Protocol:
    """The ``--protocol`` scenarios in one session of ``PROTOCOL_PROGRAM`` (restarted if it ends)."""

    def __init__(self, sandbox) -> None:
        """Arguments made once, as a case's fixture arguments are."""
        import numpy as np

        from grader.sandbox import FALLBACK

        self.sandbox, self.fallback = sandbox, FALLBACK
        self.x = (np.linspace(0.0, 1.0, 50).reshape(5, 10),)
        xs, w = [np.linspace(0.0, 1.0, 5) * i for i in range(10)], np.eye(5) * 0.5
        self.g_args = (xs, w)
        self.trace = tuple(((x, w), np.tanh(w @ x)) for x in xs)
        self.memo: dict = {}
        self.session = None
        self.options = {"aliases": False, "reuse_args": True, "raw_value": True}

    def _live(self):
        """The session, started on first use."""
        if self.session is None:
            self.session = self.sandbox.session(PROTOCOL_PROGRAM, filename="<submission>")
        return self.session

    def close(self) -> None:
        """End the session."""
        if self.session is not None:
            self.session.close()

    def run(self, scenario: str, n: int = 240) -> float:
        """CPU µs of this process per call (per stub trip for "stub trip") over ``n`` calls."""
        from grader.runner import TraceStub

        session, clock = self._live(), time.process_time
        if scenario == "one by one":
            start = clock()
            for _ in range(n):
                session.call("f", self.x, **self.options)
            return (clock() - start) / n * 1e6
        if scenario == "24 together":
            start = clock()
            for _ in range(n // 24):
                session.call_many([("f", self.x, None)] * 24, **self.options)
            return (clock() - start) / (n // 24 * 24) * 1e6
        if scenario == "stub trip":
            plain = self.run("one by one", n // 10)
            start = clock()
            for _ in range(n // 10):
                stub = TraceStub("step", self.trace, self.fallback, memo=self.memo, key="bench")
                outcome = session.call("g", self.g_args, stubs={"step": stub}, **self.options)
                if outcome.status != "ok" or stub.calls != len(self.trace) or stub.misses:
                    raise SystemExit(f"the stub scenario went wrong: {outcome.status} {outcome.message}")
            return ((clock() - start) / (n // 10) * 1e6 - plain) / len(self.trace)
        raise SystemExit(f"unknown scenario {scenario!r}")


def _serve(chosen: dict[str, list[Path]], *, context) -> int:
    """``--serve``: warm up, say "ready", then for each kind named on stdin print the CPU ms per
    submission of one round of it (the measuring side of ``--against``)."""
    with ResilientSandbox(protected_paths=[]) as sandbox:
        protocol = _Protocol(sandbox)
        try:
            if chosen:
                for paths in chosen.values():
                    _measure(paths, 1, context=context, sandbox=sandbox)
            else:
                for scenario in PROTOCOL_SCENARIOS:
                    protocol.run(scenario)
            print("ready", flush=True)
            for line in sys.stdin:
                name = line.strip()
                if name in PROTOCOL_SCENARIOS:
                    print(f"{protocol.run(name):.4f}", flush=True)
                else:
                    cpu, _, switches = _measure(chosen[name], 1, context=context, sandbox=sandbox)
                    print(f"{cpu:.4f} {switches:.2f}", flush=True)
        finally:
            protocol.close()
    return 0


def _compare_checkouts(args: argparse.Namespace) -> int:
    """``--against``: two measuring processes, one round of a kind each in turn; medians per kind."""
    import subprocess

    sides = {"code": str(_CODE), "against": str(Path(args.against).resolve())}
    common = ["--class", args.folder, "--per-kind", str(args.per_kind), "--serve"] + (
        ["--loops"] if args.loops else []) + (["--protocol"] if args.protocol else [])
    procs = {}
    for side, code in sides.items():
        procs[side] = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--code", code,
             "--rubric", str(Path(code) / "rubrics" / "rnn.yaml"), *common],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    for proc in procs.values():
        if proc.stdout.readline().strip() != "ready":
            raise SystemExit("a measuring process did not start")
    if args.protocol:
        kinds = list(PROTOCOL_SCENARIOS)
    else:
        kinds = sorted({_kind(p) for p in Path(args.folder).glob("*.ipynb")} - (set() if args.loops else {"loops"}))
        if args.kinds:
            kinds = [k for k in kinds if k in args.kinds.split(",")]
    figures: dict[str, dict[str, list[float]]] = {side: {k: [] for k in kinds} for side in sides}
    switches: dict[str, dict[str, list[float]]] = {side: {k: [] for k in kinds} for side in sides}
    loads = [os.getloadavg()[0]]
    for round_ in range(args.rounds):
        order = list(sides) if round_ % 2 == 0 else list(sides)[::-1]
        for kind in kinds:
            for side in order:
                procs[side].stdin.write(kind + "\n")
                procs[side].stdin.flush()
                cpu, *more = procs[side].stdout.readline().split()
                figures[side][kind].append(float(cpu))
                switches[side][kind].extend(float(x) for x in more)  # none in --protocol
        loads.append(os.getloadavg()[0])
    for proc in procs.values():
        proc.stdin.close()
        proc.wait()
    if args.protocol:
        print(f"worker CPU us per call (per trip for a stub trip), median of {args.rounds} rounds, in turns; "
              f"load average (1 min) {min(loads):.2f}..{max(loads):.2f}")
    else:
        print(f"worker CPU ms per submission, median of {args.rounds} rounds of {args.per_kind} notebooks per kind, "
              f"in turns; load average (1 min) {min(loads):.2f}..{max(loads):.2f}")
    print(f"  code:    {sides['code']}\n  against: {sides['against']}")
    if args.protocol:
        print(f"  {'kind':<14} | {'against':>8} | {'code':>8} | {'code/against':>12}")
        for kind in kinds:
            a, c = statistics.median(figures["against"][kind]), statistics.median(figures["code"][kind])
            print(f"  {kind:<14} | {a:>8.1f} | {c:>8.1f} | {c / a if a else float('nan'):>12.2f}")
        return 0
    weights = {k: len(list(Path(args.folder).glob(f"*_{k}.ipynb"))) for k in kinds}
    means = {}
    for side in sides:
        means[side] = sum(weights[k] * statistics.median(figures[side][k]) for k in kinds) / sum(weights.values())
    print(f"  {'kind':<14} | {'against':>8} | {'code':>8} | {'code/against':>12} | {'by round':>9} | "
          f"voluntary switches: against, code")
    for kind in kinds:
        a, c = statistics.median(figures["against"][kind]), statistics.median(figures["code"][kind])
        sa, sc = statistics.median(switches["against"][kind]), statistics.median(switches["code"][kind])
        # The spread: each round's ratio of the two sides (measured one right after the other).
        ratios = [y / x for x, y in zip(figures["against"][kind], figures["code"][kind]) if x]
        spread = f"{min(ratios):.2f}-{max(ratios):.2f}" if ratios else "-"
        print(f"  {kind:<14} | {a:>8.2f} | {c:>8.2f} | {c / a if a else float('nan'):>12.2f} | {spread:>9} | "
              f"{sa:>6.1f}, {sc:.1f}")
    a, c = means["against"], means["code"]
    print(f"  {'class mix':<14} | {a:>8.2f} | {c:>8.2f} | {c / a:>12.2f}   (kinds weighted by their count in the class)")
    return 0


STAGES = ("read", "extract", "compile", "checks", "imdb", "session", "reports", "reports.sys", "record")


class _StageClock:
    """CPU time of this process spent in each stage of a worker's submission (see ``--stages``),
    taken by wrapping the functions that make each stage in the measured checkout's modules."""

    def __init__(self) -> None:
        """Install the wrappers (once per process)."""
        import resource

        from grader import batch, extract, notebook, runner, sandbox

        self.spent = dict.fromkeys(STAGES + ("submission", "graded", "graded.sys"), 0.0)
        self.by_kind: dict[str, dict[str, float]] = {}  # the same per kind of submission, and its count
        self._system = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_stime
        for module, name, stage in ((notebook, "load", "read"), (extract, "extract", "extract"),
                                    (runner, "needed_functions", "extract"),
                                    (extract.Extraction, "program", "extract"),
                                    (sandbox, "_compiled", "compile"), (runner._Grader, "grade", "checks"),
                                    (runner, "_grade_imdb", "imdb")):
            setattr(module, name, self._timed(getattr(module, name), stage))
        batch.grade_submission = self._timed(batch.grade_submission, "graded", system=True)

    def _timed(self, fn, stage: str, *, system: bool = False):
        """``fn`` adding its CPU time to ``stage`` (and its system time to ``stage.sys``)."""
        spent, clock, sys_clock = self.spent, time.process_time, self._system

        def timed(*args, **kwargs):
            start, sys_start = clock(), sys_clock() if system else 0.0
            try:
                return fn(*args, **kwargs)
            finally:
                spent[stage] += clock() - start
                if system:
                    spent[stage + ".sys"] += sys_clock() - sys_start
        return timed

    def grade(self, submissions, *, context, sandbox, out_dir: Path, prepare, finish) -> None:
        """Grade and write each submission once as a worker does; add up the stages."""
        import pickle

        from grader import batch

        clock, spent = time.process_time, self.spent
        for submission in submissions:
            before = dict(spent)
            graded0, graded_sys0, sys0, start = spent["graded"], spent["graded.sys"], self._system(), clock()
            graded = batch._graded(submission, context=context, sandbox=sandbox, out_dir=out_dir,
                                   prepare=prepare, finish=finish)
            # A checkout before the twentieth session returns the record written too, and its
            # _summary takes it; today's returns the result and builds the page record from it.
            given = graded if isinstance(graded, tuple) else (graded,)
            middle, sys1 = clock(), self._system()
            pickle.dumps(("done", batch._summary(given[0], middle - start, *given[1:], records="page")),
                         protocol=4)
            end = clock()
            spent["reports"] += (middle - start) - (spent["graded"] - graded0)
            spent["reports.sys"] += (sys1 - sys0) - (spent["graded.sys"] - graded_sys0)
            spent["record"] += end - middle
            spent["submission"] += end - start
            mine = self.by_kind.setdefault(_kind(Path(submission.path)), dict.fromkeys(spent, 0.0))
            for key, value in spent.items():
                mine[key] += value - before[key]
            mine["count"] = mine.get("count", 0) + 1

    def per_submission(self, count: int, spent: dict[str, float] | None = None) -> dict[str, float]:
        """ms per submission by stage, with ``session`` and ``outside`` worked out (of ``spent``,
        by default all of this clock's)."""
        s = self.spent if spent is None else spent
        inner = s["read"] + s["extract"] + s["compile"] + s["checks"] + s["imdb"]
        out = {k: s[k] for k in STAGES}
        out["session"] = max(s["graded"] - inner, 0.0)
        out["outside"] = s["submission"] - s["checks"] - out["session"]
        out["total"] = s["submission"]
        return {k: v / max(count, 1) * 1e3 for k, v in out.items()}


def _submissions(folder: str, *, loops: bool, half: int | None) -> list:
    """The class's notebooks as ``Submission``s, in name order (every other one with ``half``)."""
    from types import MappingProxyType

    from grader.discover import Submission

    paths = sorted(p for p in Path(folder).glob("*.ipynb") if loops or _kind(p) != "loops")
    if half is not None:
        paths = paths[half::2]
    return [Submission(id=p.stem, path=p, problem="", extra_files=MappingProxyType({})) for p in paths]


def _stages_serve(args: argparse.Namespace, *, context) -> int:
    """``--stages --serve``: warm up on a few notebooks, say "ready", then for each ``FIRST LAST``
    read on stdin grade those notebooks once and print the stages' CPU seconds so far (JSON)."""
    import json
    import shutil
    import tempfile

    try:  # grader.feedbackpages since the thirty-sixth session; grader.commands before (--against)
        from grader.feedbackpages import finisher, prepare_folder
    except ImportError:
        from grader.commands import _finisher as finisher, _prepare as prepare_folder

    subs = _submissions(args.folder, loops=args.loops, half=args.half)
    warm = _submissions(args.folder, loops=False, half=None)[-8:]  # notebooks of the other half, mostly
    out_dir = Path(tempfile.mkdtemp(prefix="bench-worker-stages-"))
    try:
        clock = _StageClock()
        hooks = {"prepare": prepare_folder(out_dir), "finish": finisher(names=())}
        with ResilientSandbox(protected_paths=[]) as sandbox:
            clock.grade(warm, context=context, sandbox=sandbox, out_dir=out_dir / "warm", **{
                "prepare": prepare_folder(out_dir / "warm"), "finish": hooks["finish"]})
            for key in clock.spent:
                clock.spent[key] = 0.0
            clock.by_kind.clear()
            print(f"ready {len(subs)}", flush=True)
            for line in sys.stdin:
                first, last = map(int, line.split())
                clock.grade(subs[first:last], context=context, sandbox=sandbox, out_dir=out_dir, **hooks)
                print(json.dumps({"spent": clock.spent, "by_kind": clock.by_kind}), flush=True)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    return 0


def _stages(args: argparse.Namespace) -> int:
    """``--stages``: one checkout, or two in turns (``--against``); print the stages per submission."""
    import json
    import subprocess

    sides = {"code": str(_CODE)}
    if args.against:
        sides["against"] = str(Path(args.against).resolve())
    common = ["--class", args.folder, "--stages", "--serve"] + (["--loops"] if args.loops else []) + (
        ["--half", str(args.half)] if args.half is not None else [])
    procs = {side: subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--code", code,
         "--rubric", str(Path(code) / "rubrics" / "rnn.yaml"), *common],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for side, code in sides.items()}
    counts = set()
    for proc in procs.values():
        word, _, count = proc.stdout.readline().partition(" ")
        if word != "ready":
            raise SystemExit("a measuring process did not start")
        counts.add(int(count))
    total = counts.pop()
    spent: dict[str, dict] = {}
    loads = [os.getloadavg()[0]]
    for turn, first in enumerate(range(0, total, args.slice)):
        order = list(sides) if turn % 2 == 0 else list(sides)[::-1]
        for side in order:
            procs[side].stdin.write(f"{first} {min(first + args.slice, total)}\n")
            procs[side].stdin.flush()
            spent[side] = json.loads(procs[side].stdout.readline())
        loads.append(os.getloadavg()[0])
    for proc in procs.values():
        proc.stdin.close()
        proc.wait()
    figures, by_kind = {}, {}
    for side, seconds in spent.items():
        clock = _StageClock.__new__(_StageClock)
        clock.spent = seconds["spent"]
        figures[side] = clock.per_submission(total)
        by_kind[side] = {kind: clock.per_submission(int(k.pop("count")), k)
                         for kind, k in sorted(seconds["by_kind"].items())}
    print(f"worker CPU ms per submission by stage: {total} notebooks of {args.folder}, each graded once"
          f"{' per side, in turns of ' + str(args.slice) if args.against else ''}; "
          f"load average (1 min) {min(loads):.2f}..{max(loads):.2f}")
    for side, code in sides.items():
        print(f"  {side}: {code}")
    names = list(figures["code"])
    if args.against:
        print(f"  {'stage':<12} | {'against':>8} | {'code':>8} | {'code/against':>12}")
        for name in names:
            a, c = figures["against"][name], figures["code"][name]
            print(f"  {name:<12} | {a:>8.3f} | {c:>8.3f} | {c / a if a else float('nan'):>12.2f}")
    else:
        for name in names:
            print(f"  {name:<12} | {figures['code'][name]:>8.3f}")
    print(f"  by kind, ms per submission ({'against -> code' if args.against else 'code'}):")
    for kind in by_kind["code"]:
        shown = []
        for name in ("outside", "extract", "compile", "imdb", "reports", "total"):
            c = by_kind["code"][kind][name]
            shown.append(f"{name} {by_kind['against'][kind][name]:.2f} -> {c:.2f}" if args.against
                         else f"{name} {c:.2f}")
        print(f"    {kind:<13} " + ", ".join(shown))
    return 0


def _protocol_main(args: argparse.Namespace) -> int:
    """``--protocol``: the scenarios in this process (``--rounds`` times each), or in turns with ``--against``."""
    if args.against:
        args.folder = args.folder or ""
        return _compare_checkouts(args)
    print(f"code: {_CODE}; load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with ResilientSandbox(protected_paths=[]) as sandbox:
        protocol = _Protocol(sandbox)
        try:
            for scenario in PROTOCOL_SCENARIOS:  # warm-up
                protocol.run(scenario)
            for scenario in PROTOCOL_SCENARIOS:
                figures = [protocol.run(scenario) for _ in range(args.rounds)]
                print(f"  {scenario:<12} | worker CPU us per call: median {statistics.median(figures):7.1f}, "
                      f"min {min(figures):7.1f}")
        finally:
            protocol.close()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Grade ``--per-kind`` notebooks of each kind ``--rounds`` times; print CPU and wall per submission."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--class", dest="folder",
                        help="a folder of generated notebooks named sNNNN_KIND.ipynb (default: a class of "
                             "400 made by bench_grading.write_class in a temporary folder)")
    parser.add_argument("--rubric", default=str(_CODE / "rubrics" / "rnn.yaml"))
    parser.add_argument("--per-kind", type=int, default=12, help="notebooks measured per kind (default 12)")
    parser.add_argument("--rounds", type=int, default=5, help="passes over them (default 5)")
    parser.add_argument("--code", help="the checkout whose grader package is measured")
    parser.add_argument("--profile", metavar="KIND", help="add a cProfile of one round of KIND")
    parser.add_argument("--loops", action="store_true", help="include looping submissions")
    parser.add_argument("--against", metavar="DIR", help="compare with the grader package of DIR, in turns")
    parser.add_argument("--stages", action="store_true",
                        help="a worker's whole work per submission by stage, each notebook once, files written")
    parser.add_argument("--half", type=int, choices=(0, 1), help="--stages: every other notebook (a worker's share)")
    parser.add_argument("--slice", type=int, default=16, help="--stages --against: notebooks per turn (default 16)")
    parser.add_argument("--kinds", help="--against: only these kinds (comma-separated)")
    parser.add_argument("--protocol", action="store_true",
                        help="the worker's side of the sandbox protocol alone, CPU us per call, on a small program")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.protocol and not args.serve:
        return _protocol_main(args)
    if args.protocol:  # a measuring process of --protocol --against: no class, no context
        gc.freeze()
        return _serve({}, context=None)
    if args.folder is None:
        import shutil
        import tempfile

        from bench_grading import write_class  # this folder is on the path: the script's own

        work = Path(tempfile.mkdtemp(prefix="bench-worker-"))
        try:
            write_class(work / "class-400", 400)
            return main([*(argv if argv is not None else sys.argv[1:]), "--class", str(work / "class-400")])
        finally:
            shutil.rmtree(work, ignore_errors=True)
    if args.stages and not args.serve:
        return _stages(args)
    if args.against:
        return _compare_checkouts(args)

    by_kind: dict[str, list[Path]] = {}
    for path in sorted(Path(args.folder).glob("*.ipynb")):
        by_kind.setdefault(_kind(path), []).append(path)
    if not args.loops:
        by_kind.pop("loops", None)
    chosen = {kind: paths[:args.per_kind] for kind, paths in sorted(by_kind.items())}

    context = load_context(Path(args.rubric))
    gc.freeze()  # as grader.batch's workers do with what they inherit
    if args.serve and args.stages:
        return _stages_serve(args, context=context)
    if args.serve:
        return _serve(chosen, context=context)
    print(f"code: {_CODE}; class: {args.folder}; {args.per_kind} notebooks per kind x {args.rounds} rounds")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"  {'kind':<14} {'n':>3} | {'worker CPU ms':>13} | {'wall ms':>8}")
    rows = []
    with ResilientSandbox(protected_paths=[]) as sandbox:
        for paths in chosen.values():  # warm-up: memos, layouts, the zygote's pages
            _measure(paths, 1, context=context, sandbox=sandbox)
        for kind, paths in chosen.items():
            cpu, wall, _ = _measure(paths, args.rounds, context=context, sandbox=sandbox)
            rows.append((kind, len(paths), cpu))
            print(f"  {kind:<14} {len(paths):>3} | {cpu:>13.2f} | {wall:>8.1f}")
        total = sum(n for _, n, _ in rows)
        mean = sum(n * cpu for _, n, cpu in rows) / total if total else 0.0
        print(f"  {'mean':<14} {total:>3} | {mean:>13.2f} |")
        print(f"  {'median kind':<14} {'':>3} | {statistics.median(c for _, _, c in rows):>13.2f} |")
        if args.profile:
            import cProfile
            import pstats

            profile = cProfile.Profile(time.process_time)  # CPU, not waiting on the child
            profile.enable()
            _measure(chosen[args.profile], 1, context=context, sandbox=sandbox)
            profile.disable()
            pstats.Stats(profile).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "tottime")).print_stats(40)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
