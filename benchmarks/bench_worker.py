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

``--code DIR`` measures the ``grader`` package of another checkout (for example a
``git worktree`` of an older commit) with this checkout's figures for comparison
left to the reader; ``--profile KIND`` adds a cProfile of one round of that kind,
sorted by own time.  Looping submissions cost their timeouts in wall time and are
left out unless ``--loops`` is given.
"""
from __future__ import annotations

import argparse
import gc
import os
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


def _measure(paths: list[Path], rounds: int, *, context, sandbox) -> tuple[float, float]:
    """``(CPU ms, wall ms)`` of this process per submission over ``rounds`` passes of ``paths``."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(rounds):
        for path in paths:
            grade_submission(path, context=context, sandbox=sandbox)
    n = rounds * len(paths)
    return (time.process_time() - cpu0) / n * 1e3, (time.perf_counter() - wall0) / n * 1e3


def _serve(chosen: dict[str, list[Path]], *, context) -> int:
    """``--serve``: warm up, say "ready", then for each kind named on stdin print the CPU ms per
    submission of one round of it (the measuring side of ``--against``)."""
    with ResilientSandbox(protected_paths=[]) as sandbox:
        for paths in chosen.values():
            _measure(paths, 1, context=context, sandbox=sandbox)
        print("ready", flush=True)
        for line in sys.stdin:
            cpu, _ = _measure(chosen[line.strip()], 1, context=context, sandbox=sandbox)
            print(f"{cpu:.4f}", flush=True)
    return 0


def _compare_checkouts(args: argparse.Namespace) -> int:
    """``--against``: two measuring processes, one round of a kind each in turn; medians per kind."""
    import subprocess

    sides = {"code": str(_CODE), "against": str(Path(args.against).resolve())}
    common = ["--class", args.folder, "--per-kind", str(args.per_kind), "--serve"] + (["--loops"] if args.loops else [])
    procs = {}
    for side, code in sides.items():
        procs[side] = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--code", code,
             "--rubric", str(Path(code) / "rubrics" / "rnn.yaml"), *common],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    for proc in procs.values():
        if proc.stdout.readline().strip() != "ready":
            raise SystemExit("a measuring process did not start")
    kinds = sorted({_kind(p) for p in Path(args.folder).glob("*.ipynb")} - (set() if args.loops else {"loops"}))
    figures: dict[str, dict[str, list[float]]] = {side: {k: [] for k in kinds} for side in sides}
    loads = [os.getloadavg()[0]]
    for round_ in range(args.rounds):
        order = list(sides) if round_ % 2 == 0 else list(sides)[::-1]
        for kind in kinds:
            for side in order:
                procs[side].stdin.write(kind + "\n")
                procs[side].stdin.flush()
                figures[side][kind].append(float(procs[side].stdout.readline()))
        loads.append(os.getloadavg()[0])
    for proc in procs.values():
        proc.stdin.close()
        proc.wait()
    print(f"worker CPU ms per submission, median of {args.rounds} rounds of {args.per_kind} notebooks per kind, "
          f"in turns; load average (1 min) {min(loads):.2f}..{max(loads):.2f}")
    print(f"  code:    {sides['code']}\n  against: {sides['against']}")
    print(f"  {'kind':<14} | {'against':>8} | {'code':>8} | {'code/against':>12}")
    weights = {k: len(list(Path(args.folder).glob(f"*_{k}.ipynb"))) for k in kinds}
    means = {}
    for side in sides:
        means[side] = sum(weights[k] * statistics.median(figures[side][k]) for k in kinds) / sum(weights.values())
    for kind in kinds:
        a, c = statistics.median(figures["against"][kind]), statistics.median(figures["code"][kind])
        print(f"  {kind:<14} | {a:>8.2f} | {c:>8.2f} | {c / a if a else float('nan'):>12.2f}")
    a, c = means["against"], means["code"]
    print(f"  {'class mix':<14} | {a:>8.2f} | {c:>8.2f} | {c / a:>12.2f}   (kinds weighted by their count in the class)")
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
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
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
            cpu, wall = _measure(paths, args.rounds, context=context, sandbox=sandbox)
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
            pstats.Stats(profile).sort_stats("tottime").print_stats(40)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
