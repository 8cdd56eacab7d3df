"""What one submission costs on the sandbox's side: the child, the zygote's fork, the grader's protocol.

Reads the zygote's own CPU and page faults and those of the children it reaped
(``/proc/ZYGOTE/stat``: utime, stime, minflt; cutime, cstime, cminflt) before
and after N sessions, and the grading process's CPU (``time.process_time``),
so other processes on the machine do not blur the figures (wall times do).
Scenarios: an empty program (fork, set-up, load ""), a small program with 1
and 24 calls one by one, the same 24 calls sent together (``call_many``, the
way the runner sends a part's first calls), and, given a notebook, the real
grading of it N times.

    python3 benchmarks/bench_child.py [-n 200] [--notebook PATH] [--rounds 3] [--code DIR]

Each figure is printed per session as the median of ``--rounds`` rounds (min-max after it).
``--code DIR`` measures the ``grader`` package of another checkout (for example
an export of an older commit), so that two versions can be run in turns.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if "--code" in sys.argv[1:-1]:  # measure another checkout's grader package
    REPO = Path(sys.argv[sys.argv.index("--code") + 1]).resolve()
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from grader.sandbox import Sandbox  # noqa: E402

SMALL = "import numpy as np\n\ndef f(x):\n    return np.tanh(x @ x.T)\n"
TICK = os.sysconf("SC_CLK_TCK")


def zygote_counters(pid: int) -> tuple[float, float, int, int]:
    """(zygote CPU s, reaped children's CPU s, zygote minor faults, children's minor faults)."""
    with open(f"/proc/{pid}/stat", "rb") as handle:
        fields = handle.read().rsplit(b")", 1)[1].split()
    # after ")": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
    return ((int(fields[11]) + int(fields[12])) / TICK, (int(fields[13]) + int(fields[14])) / TICK,
            int(fields[7]), int(fields[8]))


def measure(sandbox: Sandbox, run_one, n: int) -> dict[str, float]:
    """Per-session figures of `run_one()` done `n` times."""
    z0 = zygote_counters(sandbox.zygote_pid)
    t0 = time.process_time()
    for _ in range(n):
        run_one()
    t1 = time.process_time()
    time.sleep(0.05)  # the last child is reaped after its session closes
    z1 = zygote_counters(sandbox.zygote_pid)
    return {"child ms": (z1[1] - z0[1]) / n * 1e3, "child faults": (z1[3] - z0[3]) / n,
            "zygote ms": (z1[0] - z0[0]) / n * 1e3, "zygote faults": (z1[2] - z0[2]) / n,
            "grader ms": (t1 - t0) / n * 1e3}


def report(name: str, rounds: list[dict[str, float]]) -> None:
    """One line: median (min-max) of every figure over the rounds."""
    parts = []
    for key in rounds[0]:
        values = [r[key] for r in rounds]
        fmt = "{:.0f}" if "faults" in key else "{:.2f}"
        parts.append(f"{key} {fmt.format(statistics.median(values))}"
                     f" ({fmt.format(min(values))}-{fmt.format(max(values))})")
    print(f"{name:18s} " + ", ".join(parts), flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="sessions per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--notebook", type=Path, help="also grade this notebook n times per round")
    parser.add_argument("--only-notebook", action="store_true", help="skip the synthetic scenarios")
    parser.add_argument("--code", help="the checkout whose grader package is measured (default: this one)")
    args = parser.parse_args(argv)
    print(f"code {REPO}; load average {os.getloadavg()[0]:.2f}; {args.rounds} rounds of {args.n} sessions",
          flush=True)
    x = np.ones((5, 10))

    def sessions(program: str, calls: int):
        def one() -> None:
            with sandbox.session(program, filename="<submission>") as session:
                for _ in range(calls):
                    session.call("f", (x,))
        return one

    def pipelined(program: str, calls: int):
        def one() -> None:
            with sandbox.session(program, filename="<submission>") as session:
                session.call_many([("f", (x,), None)] * calls)
        return one

    with Sandbox(protected_paths=[]) as sandbox:
        scenarios = [] if args.only_notebook else [
            ("empty, load only", sessions("", 0)), ("small, 1 call", sessions(SMALL, 1)),
            ("small, 24 calls", sessions(SMALL, 24)), ("small, 24 together", pipelined(SMALL, 24))]
        if args.notebook is not None:
            from grader.commands import load_context
            from grader.runner import grade_submission
            context = load_context(REPO / "rubrics" / "rnn.yaml")
            notebook = args.notebook

            def grade() -> None:
                grade_submission(notebook, context=context, sandbox=sandbox)
            scenarios.append((f"grade {notebook.stem}", grade))
        for name, one in scenarios:
            for _ in range(5):
                one()
            report(name, [measure(sandbox, one, args.n) for _ in range(args.rounds)])
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
