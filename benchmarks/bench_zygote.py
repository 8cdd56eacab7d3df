"""The zygote's CPU and page faults per child, by phase of its loop.

Two sandboxes per round, each serving N empty sessions (fork, set-up, load "", close):

* a plain one, whose zygote's own CPU and minor faults per session are read from
  ``/proc/ZYGOTE/stat`` before and after (``bench_child.zygote_counters``): the figures to compare;
* a probed one, whose zygote boots with every step of its loop wrapped, and a few functions the
  loop should not call (json's, ``os.path.join``, ``socket.recv_fds``...) counted (``PROBE``, added to
  ``grader.zygote._BOOT`` in this process only): each wrapper reads the zygote's thread CPU
  (``CLOCK_THREAD_CPUTIME_ID``) and its minor faults (``getrusage``) before and after the step and
  adds them to the step's totals from the end of its set-up, which the zygote writes to its log
  when it shuts down (``tests/test_zygote_loop.py`` counts calls with it). Steps
  nest (``_spawn`` holds the directory, the ruleset, the fork...): each figure includes its
  sub-steps' and the probes nested in them. The probes' own work (the probed zygote spends about
  0.5 ms and 25 faults a session more than the plain one) is in the probed total: compare the
  plain totals, and read the steps for where the rest goes.

    python3 benchmarks/bench_zygote.py [-n 200] [--rounds 3] [--notebook PATH]
    python3 benchmarks/bench_zygote.py --against /work/base [-n 200] [--rounds 4]

With ``--against`` each round runs both checkouts in fresh processes, in turns (the order
alternating), and prints both; the figures are medians of the rounds (min-max after them).
A fault is a page the zygote writes for the first time since its last fork: after a fork every
anonymous page is write-protected, and the first write copies it (child alive) or only makes it
writable again (child gone).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if "--grader-of" in sys.argv:  # a round of --against: import the other repository's grader
    REPO = Path(sys.argv[sys.argv.index("--grader-of") + 1]).resolve()
sys.path.insert(0, str(REPO))
sys.path.insert(1, str(Path(__file__).resolve().parent))

from bench_child import zygote_counters  # noqa: E402

# Added to the zygote's boot script before zygote_main: wraps the loop's steps (owner, attribute,
# label); a step a checkout does not have is skipped. Nothing here runs in a plain zygote.
PROBE = r'''
def _probe():
    import ctypes as _ctypes, json as _json, os as _os, resource as _resource, select as _select
    import socket as _socket, struct as _struct, time as _time
    import grader._child as _C
    clock, usage, me = _time.thread_time_ns, _resource.getrusage, _resource.RUSAGE_SELF
    totals = {}

    def wrap(owner, attr, label):
        original = getattr(owner, attr, None)
        if original is None:
            return
        cell = totals.setdefault(label, [0, 0, 0])

        def probe(*args, **kwargs):
            f0 = usage(me).ru_minflt
            t0 = clock()
            try:
                return original(*args, **kwargs)
            finally:
                t1 = clock()
                cell[2] += usage(me).ru_minflt - f0
                cell[0] += 1
                cell[1] += t1 - t0
        setattr(owner, attr, probe)

    class Poll:
        """select.poll's object, its poll wrapped."""
        def __init__(self):
            self.inner = real_poll()
        def register(self, *args):
            self.inner.register(*args)
        def poll(self, *args):
            return self.inner.poll(*args)
    real_poll = _select.poll
    wrap(Poll, "poll", "poll")
    _select.poll = Poll
    Z = _C.Zygote
    for owner, attr, label in (
            (_C, "ctrl_recv", "ctrl_recv"), (_json, "loads", "json.loads"),
            (Z, "_spawn", "_spawn"), (Z, "_child_directory", "  _child_directory"),
            (_os, "mkdir", "    os.mkdir"), (_os, "chown", "  os.chown"),
            (_C.Landlock, "ruleset", "  Landlock.ruleset"), (_os._Environ, "__setitem__", "  environ[...] ="),
            (_os, "urandom", "  os.urandom"), (Z, "bare_fork", "  bare_fork"), (_os, "fork", "  os.fork"),
            (_os, "pidfd_open", "  os.pidfd_open"), (_C, "ctrl_send", "ctrl_send"),
            (Z, "_reply", "_reply"), (_json, "dumps", "json.dumps"),
            (Z, "_kill", "_kill"), (_os, "killpg", "  os.killpg"), (_os, "kill", "  os.kill"),
            (_os, "waitpid", "os.waitpid"), (Z, "_reap", "_reap"), (_C, "_proc_children", "  _proc_children"),
            (Z, "_sweep_uid", "  _sweep_uid"), (Z, "_sweep_orphans", "  _sweep_orphans"),
            (_os, "rmdir", "  os.rmdir"), (_os, "close", "os.close"), (_os, "read", "os.read"),
            (_os.path, "join", "os.path.join"), (_socket, "recv_fds", "socket.recv_fds"),
            (_socket, "send_fds", "socket.send_fds"), (_struct, "unpack", "struct.unpack"),
            (_ctypes, "create_string_buffer", "ctypes.create_string_buffer")):
        wrap(owner, attr, label)
    _C._PROBE_NUMPY = lambda np: wrap(np.random, "set_state", "  numpy set_state")
    shutdown = Z._shutdown

    def report(self):
        _os.write(2, b"\nPROBE " + _json.dumps(totals).encode() + b"\n")
        shutdown(self)
    Z._shutdown = report
    setup = Z.setup

    def set_up(self):  # the figures count from the end of the set-up: serving only
        setup(self)
        import numpy
        _C._PROBE_NUMPY(numpy)
        for cell in totals.values():
            cell[:] = [0, 0, 0]
    Z.setup = set_up
_probe()
'''


def serve(n: int, *, probed: bool, notebook: Path | None) -> dict:
    """N sessions (empty, or the grading of `notebook`) on a fresh sandbox, after 5 to warm up:
    the zygote's CPU and faults per session, and with `probed` its steps' totals per session."""
    import numpy as np  # noqa: F401  (as a class run's worker has it)
    import grader.zygote as gz
    from grader.sandbox import Sandbox
    boot = gz._BOOT
    if probed:
        gz._BOOT = boot.replace("grader._child.zygote_main(", PROBE + "grader._child.zygote_main(", 1)
    try:
        started = gz.start_zygote()
    finally:
        gz._BOOT = boot
    log = os.dup(started.log.fileno())
    options: dict = {}
    context = None
    if notebook is not None:
        from grader import runner
        from grader.commands import load_context
        context = load_context(REPO / "rubrics" / "rnn.yaml")
        options["layouts"] = runner.answer_layouts(context)
        options["arg_layouts"] = runner.argument_layouts(context)
    try:
        with Sandbox(protected_paths=[], zygote=started, **options) as sandbox:
            if notebook is not None:
                from grader.runner import grade_submission

                def one() -> None:
                    grade_submission(notebook, context=context, sandbox=sandbox)
            else:
                def one() -> None:
                    with sandbox.session("", filename="<submission>"):
                        pass
            for _ in range(5):
                one()
            z0 = zygote_counters(sandbox.zygote_pid)
            for _ in range(n):
                one()
            import time
            time.sleep(0.05)  # the last child is reaped after its session closes
            z1 = zygote_counters(sandbox.zygote_pid)
        os.lseek(log, 0, os.SEEK_SET)
        text = b""
        while chunk := os.read(log, 1 << 20):
            text += chunk
    finally:
        os.close(log)
    out = {"zygote ms": (z1[0] - z0[0]) / n * 1e3, "zygote faults": (z1[2] - z0[2]) / n}
    if probed:
        line = [x for x in text.splitlines() if x.startswith(b"PROBE ")]
        totals = json.loads(line[-1][6:]) if line else {}
        # the steps' totals include the 5 warm-up sessions (not the set-up): per session of n + 5
        out["steps"] = {k: [v[0] / (n + 5), v[1] / (n + 5) / 1e3, v[2] / (n + 5)] for k, v in totals.items()}
        out["calls"] = {k: v[0] for k, v in totals.items()}
    return out


def one_round(n: int, notebook: Path | None) -> dict:
    """A plain and a probed sandbox, one after the other."""
    return {"plain": serve(n, probed=False, notebook=notebook), "probed": serve(n, probed=True, notebook=notebook)}


def med(values: list[float]) -> str:
    """median (min-max)."""
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def report(name: str, rounds: list[dict]) -> None:
    """The plain and probed totals, then each step's calls, us and faults per session (medians)."""
    for kind in ("plain", "probed"):
        print(f"{name} {kind:7s} zygote ms/session {med([r[kind]['zygote ms'] for r in rounds])}, "
              f"faults/session {med([r[kind]['zygote faults'] for r in rounds])}")
    labels = list(rounds[0]["probed"].get("steps", {}))
    print(f"  {'step (inclusive of the indented ones below it)':42s} {'calls':>6s} {'us':>8s} {'faults':>7s}")
    for label in labels:
        rows = [r["probed"]["steps"].get(label, [0, 0, 0]) for r in rounds]
        calls, us, faults = (statistics.median(x[i] for x in rows) for i in range(3))
        if calls:
            print(f"  {label:42s} {calls:6.2f} {us:8.1f} {faults:7.1f}")


def main(argv: list[str] | None = None) -> int:
    """Run the rounds (in turns with --against) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="sessions per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--notebook", type=Path, help="grade this notebook instead of empty sessions")
    parser.add_argument("--against", type=Path, help="another checkout, measured in turns with this one")
    parser.add_argument("--grader-of", type=Path, help=argparse.SUPPRESS)  # one round of --against
    args = parser.parse_args(argv)
    if args.grader_of is not None:
        print(json.dumps(one_round(args.n, args.notebook)))
        return 0
    repos = {"this": Path(__file__).resolve().parents[1]}
    if args.against is not None:
        repos["other"] = args.against.resolve()
    print(f"{' / '.join(f'{k} = {v}' for k, v in repos.items())}; load average {os.getloadavg()[0]:.2f}; "
          f"{args.rounds} rounds of {args.n} {'gradings' if args.notebook else 'empty sessions'}", flush=True)
    results: dict[str, list] = {who: [] for who in repos}
    for i in range(args.rounds):
        order = list(repos) if i % 2 == 0 else list(reversed(repos))
        for who in order:
            cmd = [sys.executable, str(Path(__file__).resolve()), "--grader-of", str(repos[who]), "-n", str(args.n)]
            if args.notebook is not None:
                cmd += ["--notebook", str(args.notebook)]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True)
            results[who].append(json.loads(out.stdout.strip().splitlines()[-1]))
    for who in reversed(list(repos)):
        report(f"[{who}]", results[who])
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
