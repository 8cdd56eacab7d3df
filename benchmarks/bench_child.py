"""What one submission costs on the sandbox's side: the child, the zygote's fork, the grader's protocol.

Reads the zygote's own CPU and page faults and those of the children it reaped
(``/proc/ZYGOTE/stat``: utime, stime, minflt; cutime, cstime, cminflt) before
and after N sessions, and the grading process's CPU (``time.process_time``),
so other processes on the machine do not blur the figures (wall times do); and each child's own
CPU time just before its session closes it (``/proc/PID/schedstat``: "to close ms"), so that the
rest, "exit ms", is what the child costs after its last answer: the kernel's teardown of its
address space, about 3 ms a child here (nineteenth session), which ``perf record`` of the process
tree does not sample.
Scenarios: an empty program (fork, set-up, load ""), a small program with 1
and 24 calls one by one, the same 24 calls sent together (``call_many``, the
way the runner sends a part's first calls), one call that asks the grading
process for 10 steps (stub round trips, as a part graded in isolation does),
and, given a notebook, the real grading of it N times; then the marginal cost of a call (after
a session's first 8 calls, 48 sent together and 48 one by one, with a class run's options and
layouts, the child's CPU read by the child itself: no fork or start-up in it) and what a fork of
the zygote copies (``address_space``: its anonymous memory, page tables, mappings). Last, with
``--runtime``, the child's side of the protocol alone, warm and in this process: a runtime on a
socket pair answers 24 pipelined calls of the small program, 10 times a round (CPU per call; no
fork, no page faults: the Python of the request path, steady enough to compare under load), and
the same with an RNN cell shaped like the course's (7 arrays in, 9 out); each with pickled
arguments, then "laid out" (the runtime knows both layouts, as a class run's children do). All
check that every call answered ok.

    python3 benchmarks/bench_child.py [-n 200] [--notebook PATH] [--rounds 3]
    python3 benchmarks/bench_child.py --against /work/main [-n 150] [--rounds 6]

Each figure is printed per session as the median of ``--rounds`` rounds (min-max after it).
With ``--against OTHER_REPO`` each round runs the synthetic scenarios (and the notebook)
in a fresh process for this repository's grader and for OTHER_REPO's, in turns (the
order alternating), so that both see the same load; the figures of both are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if "--grader-of" in sys.argv:  # a round of --against: import the other repository's grader
    REPO = Path(sys.argv[sys.argv.index("--grader-of") + 1]).resolve()
sys.path.insert(0, str(REPO))

# One BLAS thread, as the sandbox's children have (CHILD_ENVIRONMENT), set before NumPy loads:
# --runtime runs the child's code in this process, and OpenBLAS's idle threads spin on a CPU
# after each product, which process_time counts (47 against 29 us a call, the lead, session 17).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_name] = "1"

import numpy as np  # noqa: E402

from grader.sandbox import Sandbox  # noqa: E402

SMALL = "import numpy as np\n\ndef f(x):\n    return np.tanh(x @ x.T)\n"
# g asks the grading process (a stub) for each of its 10 steps, as a part graded in isolation does
# an RNN cell shaped like the course's: 7 arrays in its arguments, 9 in its value (a cache with the parameters)
CELL = ("import numpy as np\n\ndef f(xt, a_prev, parameters):\n"
        "    a_next = np.tanh(parameters['Wax'] @ xt + parameters['Waa'] @ a_prev + parameters['ba'])\n"
        "    return a_next, parameters['Wya'] @ a_next + parameters['by'], (a_next, a_prev, xt, parameters)\n")
STEPS = SMALL + "\ndef step(x, w):\n    return np.tanh(w @ x)\n\ndef g(xs, w):\n    return [step(x, w) for x in xs]\n"
TICK = os.sysconf("SC_CLK_TCK")
# SMALL and a function that reads the child's own CPU, page faults and voluntary context switches:
# the marginal scenario's figures, exact where the zygote's cutime counts ticks (the kernel splits
# CPU into user and system by ticks too: only their sum is exact over a few ms)
USAGE = SMALL + ("\nimport resource\n\ndef usage():\n    r = resource.getrusage(resource.RUSAGE_SELF)\n"
                 "    return [r.ru_utime + r.ru_stime, float(r.ru_minflt), float(r.ru_nvcsw)]\n")


def zygote_counters(pid: int) -> tuple[float, float, int, int]:
    """(zygote CPU s, reaped children's CPU s, zygote minor faults, children's minor faults)."""
    with open(f"/proc/{pid}/stat", "rb") as handle:
        fields = handle.read().rsplit(b")", 1)[1].split()
    # after ")": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
    return ((int(fields[11]) + int(fields[12])) / TICK, (int(fields[13]) + int(fields[14])) / TICK,
            int(fields[7]), int(fields[8]))


def address_space(pid: int) -> dict[str, float]:
    """What a fork of process `pid` copies and its child's exit unmaps (Linux ``/proc``): its
    anonymous memory (MB; ~4,400 pages for a zygote, each a page-table entry that fork copies and
    exit clears), its page tables (kB), its mappings (one ``vm_area_struct`` each to duplicate),
    and its anonymous memory in transparent huge pages (MB: a huge page is copied as one entry)."""
    figures = {"anon MB": 0.0, "page tables kB": 0.0, "mappings": 0.0, "huge pages MB": 0.0}
    with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
        for line in handle:
            key, _, rest = line.partition(b":")
            if key == b"Anonymous":
                figures["anon MB"] = int(rest.split()[0]) / 1024
            elif key == b"AnonHugePages":
                figures["huge pages MB"] = int(rest.split()[0]) / 1024
    with open(f"/proc/{pid}/status", "rb") as handle:
        for line in handle:
            if line.startswith(b"VmPTE:"):
                figures["page tables kB"] = float(line.split()[1])
    with open(f"/proc/{pid}/maps", "rb") as handle:
        figures["mappings"] = float(sum(1 for _ in handle))
    return figures


def cpu_ns(pid: int) -> int | None:
    """The CPU time process `pid` has run so far, ns (``/proc/PID/schedstat``'s first field: what
    the kernel sums into its parent's ``cutime`` and ``cstime`` once it is reaped, exactly, where
    ``/proc/PID/stat`` counts ticks); None when it cannot be read."""
    try:
        with open(f"/proc/{pid}/schedstat", "rb") as handle:
            return int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


class ClosingClock:
    """Reads each session's child's CPU time just before the session closes it (``Session.close``
    wrapped while in use): the child has sent its last answer and waits for the next request, so
    what it costs after that reading is its end, the kernel's exit (the teardown of an address
    space that shares the zygote's pages; ``perf record`` of the process tree sees none of it:
    sample a whole run with ``-a``)."""

    def __init__(self) -> None:
        self.readings: list[int] = []

    def __enter__(self) -> "ClosingClock":
        from grader import sandbox as sandbox_module
        self.session_class = sandbox_module.Session
        self.close = close = self.session_class.close
        readings = self.readings

        def closing(session) -> None:
            child = getattr(session, "_child", None)
            used = cpu_ns(child.pid) if child is not None else None
            if used is not None:
                readings.append(used)
            close(session)

        self.session_class.close = closing
        return self

    def __exit__(self, *exc: object) -> None:
        self.session_class.close = self.close


def measure(sandbox: Sandbox, run_one, n: int) -> dict[str, float]:
    """Per-session figures of `run_one()` done `n` times. "to close ms": the child's CPU until its
    session closes it (exact, see ``ClosingClock``), so that "child ms" less it is the child's end."""
    z0 = zygote_counters(sandbox.zygote_pid)
    t0 = time.process_time()
    with ClosingClock() as clock:
        for _ in range(n):
            run_one()
    t1 = time.process_time()
    time.sleep(0.05)  # the last child is reaped after its session closes
    z1 = zygote_counters(sandbox.zygote_pid)
    child_ms = (z1[1] - z0[1]) / n * 1e3
    figures = {"child ms": child_ms, "child faults": (z1[3] - z0[3]) / n,
               "zygote ms": (z1[0] - z0[0]) / n * 1e3, "zygote faults": (z1[2] - z0[2]) / n,
               "grader ms": (t1 - t0) / n * 1e3}
    if len(clock.readings) == n:  # one child a session, each read (Linux with /proc)
        figures["to close ms"] = sum(clock.readings) / n / 1e6
        figures["exit ms"] = child_ms - figures["to close ms"]
    return figures


def report(name: str, rounds: list[dict[str, float]]) -> None:
    """One line: median (min-max) of every figure over the rounds."""
    parts = []
    for key in rounds[0]:
        values = [r[key] for r in rounds]
        fmt = "{:.0f}" if "faults" in key and statistics.median(values) >= 10 else "{:.2f}"
        parts.append(f"{key} {fmt.format(statistics.median(values))}"
                     f" ({fmt.format(min(values))}-{fmt.format(max(values))})")
    print(f"{name:26s} " + ", ".join(parts), flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="sessions per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--notebook", type=Path, help="also grade this notebook n times per round")
    parser.add_argument("--only-notebook", action="store_true", help="skip the synthetic scenarios")
    parser.add_argument("--runtime", action="store_true", help="also time the runtime's request path, warm")
    parser.add_argument("--against", type=Path, help="another checkout: compare its grader with this one, in turns")
    parser.add_argument("--grader-of", type=Path, help=argparse.SUPPRESS)  # one round of --against
    args = parser.parse_args(argv)
    if args.against is not None:
        return compare(args)
    if args.grader_of is not None:
        print(json.dumps(run_scenarios(args)))
        return 0
    print(f"load average {os.getloadavg()[0]:.2f}; {args.rounds} rounds of {args.n} sessions", flush=True)
    for name, rounds in run_scenarios(args).items():
        report(name, rounds)
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


def compare(args: argparse.Namespace) -> int:
    """Rounds in turns: this repository's grader and another one's, each round in a fresh process."""
    repos = {"this": Path(__file__).resolve().parents[1], "other": args.against.resolve()}
    # Both set up alike, as bench_grading does: with PYTHONDONTWRITEBYTECODE set, a module edited
    # since its last compileall is compiled from source by every zygote, and a zygote that so
    # compiled _child.py cost each child about 30 page faults more (925 against 894, same code).
    from benchmarks.bench_grading import installed
    for repo in repos.values():
        print("set-up: " + installed(repo), flush=True)
    print(f"this = {repos['this']}, other = {repos['other']}; load average {os.getloadavg()[0]:.2f}; "
          f"{args.rounds} rounds of {args.n} sessions each, in turns", flush=True)
    results: dict[str, dict[str, list]] = {"this": {}, "other": {}}
    for i in range(args.rounds):
        for who in (("this", "other") if i % 2 == 0 else ("other", "this")):
            cmd = [sys.executable, str(Path(__file__).resolve()), "--grader-of", str(repos[who]),
                   "-n", str(args.n), "--rounds", "1"]
            if args.notebook is not None:
                cmd += ["--notebook", str(args.notebook)]
            if args.only_notebook:
                cmd.append("--only-notebook")
            if args.runtime:
                cmd.append("--runtime")
            out = subprocess.run(cmd, capture_output=True, text=True, check=True)
            for name, rounds in json.loads(out.stdout.strip().splitlines()[-1]).items():
                results[who].setdefault(name, []).extend(rounds)
    for name in results["this"]:
        for who in ("other", "this"):
            report(f"{name} [{who}]", results[who][name])
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


def run_scenarios(args: argparse.Namespace) -> dict[str, list[dict[str, float]]]:
    """Every scenario's figures, one dict per round."""
    x = np.ones((5, 10))

    def sessions(program: str, calls: int):
        def one() -> None:
            with sandbox.session(program, filename="<submission>") as session:
                for _ in range(calls):
                    session.call("f", (x,))
        return one

    xs, w, answer = [np.ones(5) * i for i in range(10)], np.eye(5) * 0.5, np.tanh(np.ones(5))

    def stubbed(program: str) -> object:
        def one() -> None:
            with sandbox.session(program, filename="<submission>") as session:
                session.call("g", (xs, w), stubs={"step": lambda args: answer})
        return one

    def pipelined(program: str, calls: int):
        def one() -> None:
            with sandbox.session(program, filename="<submission>") as session:
                session.call_many([("f", (x,), None)] * calls)
        return one

    context, options = None, {}
    if args.notebook is not None:
        from grader import runner
        from grader.commands import load_context
        context = load_context(REPO / "rubrics" / "rnn.yaml")
        if hasattr(runner, "answer_layouts"):  # the answers' layouts, as a class run teaches its zygotes
            options["layouts"] = runner.answer_layouts(context)
        if hasattr(runner, "argument_layouts"):  # and the arguments' (a checkout that has them)
            options["arg_layouts"] = runner.argument_layouts(context)
    with Sandbox(protected_paths=[], **options) as sandbox:
        scenarios = [] if args.only_notebook else [
            ("empty, load only", sessions("", 0)), ("small, 1 call", sessions(SMALL, 1)),
            ("small, 24 calls", sessions(SMALL, 24)), ("small, 24 together", pipelined(SMALL, 24)),
            ("1 call, 10 stub trips", stubbed(STEPS))]
        if args.notebook is not None:
            from grader.runner import grade_submission
            notebook = args.notebook

            def grade() -> None:
                grade_submission(notebook, context=context, sandbox=sandbox)
            scenarios.append((f"grade {notebook.stem}", grade))
        results = {}
        for name, one in scenarios:
            for _ in range(5):
                one()
            results[name] = [measure(sandbox, one, args.n) for _ in range(args.rounds)]
        if sys.platform.startswith("linux"):
            results["zygote's address space"] = [address_space(sandbox.zygote_pid)]
    if not args.only_notebook:
        x = np.ones((5, 10))
        with taught_sandbox(np.tanh(x @ x.T), (x,)) as sandbox:
            marginal(sandbox, 3)  # the zygote's first children
            results["marginal call, per call"] = [
                marginal(sandbox, max(args.n // 10, 3))[0] for _ in range(args.rounds)]
    if args.runtime:
        results["runtime, 24 together, warm"] = runtime_per_call(args.rounds)
        results["runtime, RNN cell, warm"] = runtime_per_call(args.rounds, cell=True)
        if hasattr(_runtime_module(), "args_builders"):  # as a class run's children get them
            results["runtime, 24 together, laid out"] = runtime_per_call(args.rounds, laid=True)
            results["runtime, RNN cell, laid out"] = runtime_per_call(args.rounds, cell=True, laid=True)
    return results


def taught_sandbox(value: object, args: tuple) -> Sandbox:
    """A sandbox whose zygote knows the layouts of `value` and `args`, as a class run's zygotes
    know those of the rubric's expected values and arguments (``runner.answer_layouts``,
    ``runner.argument_layouts``): such answers are sent without header text and such arguments
    as their arrays' bytes. A checkout without layouts gets a plain sandbox."""
    from grader import wire
    runtime = _runtime_module()
    options = {}
    if hasattr(wire, "layout"):
        options["layouts"] = (wire.layout(value),)
    laid_out = runtime.args_layout(args) if hasattr(runtime, "args_layout") else None
    if laid_out is not None:
        options["arg_layouts"] = (laid_out[0],)
    return Sandbox(protected_paths=[], **options)


def marginal(sandbox: Sandbox, sessions: int) -> list[dict[str, float]]:
    """What a call costs once a session is under way: in each of `sessions` sessions of ``USAGE``,
    8 calls of f, then 48 sent together (``call_many``) and 48 one by one, each run between two
    reads of the child's own usage, with the options a class run's calls have (``CaseGrader._options``:
    no memory-sharing pairs, whose search was a sixth of the child's time, the arguments' encoding
    reused, the value left undecoded); per call, the median over the sessions: the child's CPU
    (us), page faults and voluntary switches, and the grading process's CPU (us)."""
    args = (np.ones((5, 10)),)  # one object, as a fixture's arguments are: its encoding is reused
    options = {"aliases": False, "reuse_args": True, "raw_value": True}
    rows: dict[str, list[list[float]]] = {"together": [], "one by one": []}
    for _ in range(sessions):
        with sandbox.session(USAGE, filename="<submission>") as session:
            session.call_many([("f", args, None)] * 8, **options)
            for how in rows:
                u0 = session.call("usage", ()).value
                t0 = time.process_time()
                if how == "together":
                    outcomes = session.call_many([("f", args, None)] * 48, **options)
                else:
                    outcomes = [session.call("f", args, **options) for _ in range(48)]
                t1 = time.process_time()
                u1 = session.call("usage", ()).value
                if any(o is None or o.status != "ok" for o in outcomes):
                    raise RuntimeError("the marginal scenario's calls did not all answer ok")
                rows[how].append([(b - a) / 48 for a, b in zip(u0, u1)] + [(t1 - t0) / 48])
    out = {}
    for how, values in rows.items():
        cpu, faults, switches, grader = (statistics.median(column) for column in zip(*values))
        out.update({f"{how}: child us": cpu * 1e6, f"{how}: child faults": faults,
                    f"{how}: child switches": switches,
                    f"{how}: grader us": grader * 1e6})
    return [out]


def _runtime_module():
    """The grader's child runtime module (imported only when the runtime scenarios run):
    ``grader.childruntime``, or ``grader._child`` in a checkout older than the thirty-second
    session's, which held it (``--against`` an older checkout)."""
    try:
        from grader import childruntime
    except ImportError:
        from grader import _child as childruntime
    return childruntime


def cell_args() -> tuple:
    """Arguments for ``CELL``'s f: xt (3, 10), a_prev (5, 10) and the 5 parameters."""
    shapes = {"Wax": (5, 3), "Waa": (5, 5), "Wya": (2, 5), "ba": (5, 1), "by": (2, 1)}
    return (np.full((3, 10), 0.5), np.full((5, 10), 0.1), {k: np.full(s, 0.2) for k, s in shapes.items()})


def runtime_per_call(rounds: int, *, cell: bool = False, laid: bool = False) -> list[dict[str, float]]:
    """CPU per call of a runtime answering 24 pipelined calls of ``SMALL``'s f (``CELL``'s with
    `cell`), in this process (the request, the arguments' pickle, the call, the answer's encoding
    and send), per round. With `laid`, the runtime knows the layouts of the arguments and of the
    answer, as a class run's children do (the arguments travel as their arrays' bytes)."""
    import pickle
    import socket

    childruntime = _runtime_module()
    ours, theirs = socket.socketpair()
    theirs.setblocking(False)
    runtime = childruntime.Runtime(ours, max_bytes=1 << 28)
    program = CELL if cell else SMALL
    # The program's pieces compiled, as a tuple (Runtime.load's code): a bare code object fails
    # to load, and every call then timed the "no function f()" answer (29 us against ~70 for
    # a real call: sessions 15-16's figures of this scenario). Checked below, at each round.
    loaded = runtime.load(program, "<submission>", (compile(program, "<submission>", "exec", dont_inherit=True),))
    if loaded["status"] != "ok":
        raise RuntimeError(f"the runtime scenario's program did not load: {loaded['message']}")
    args = cell_args() if cell else (np.ones((5, 10)),)
    frame = pickle.dumps(args, protocol=4)
    if laid:  # what Zygote.setup teaches its runtime, and what Sandbox._args_frame then sends
        from grader import wire
        text, arrays = childruntime.args_layout(args)
        runtime.arg_builders = childruntime.args_builders([text])
        runtime.encoder.learn(wire.layout(runtime.ns["f"](*args)))
        frame = b"".join([childruntime.ARGS_HEAD.pack(childruntime.ARGS_MAGIC, 0), *[a.tobytes() for a in arrays]])
    batch = b"".join(
        childruntime.FRAME.pack(len(head)) + head + childruntime.FRAME.pack(len(frame)) + frame
        for head in (  # as the grading process writes them: compact, "last" only on the last of a run
            b'{"kind":"call","function":"f","stubs":[],"aliases":false,"seq":%d%s}' % (i, b',"last":true' * (i == 23))
            for i in range(24)))

    statuses: set = set()

    def run() -> None:
        theirs.sendall(batch)
        for _ in range(24):  # what Runtime.serve does with each request
            msg = runtime.recv()
            runtime.seq = msg["seq"]
            call_args, sent = runtime.recv_args()
            outcome = runtime.call(msg["function"], call_args, msg["stubs"], aliases=False, sent=sent)
            statuses.add(outcome["status"])
            runtime.answer(outcome, last=msg.get("last") is True)
            try:
                while theirs.recv(1 << 20):
                    pass
            except BlockingIOError:
                pass

    try:
        for _ in range(50):
            run()
        out = []
        for _ in range(rounds):
            t0 = time.process_time()
            for _ in range(10):
                run()
            out.append({"child us per call": (time.process_time() - t0) / 240 * 1e6})
        if statuses != {"ok"}:  # every call must have run f, or the figure is not a call's
            raise RuntimeError(f"the runtime scenario's calls answered {sorted(statuses)}")
        return out
    finally:
        ours.close()
        theirs.close()


if __name__ == "__main__":
    raise SystemExit(main())
