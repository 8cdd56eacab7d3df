"""Sandbox overhead: per session (fork + load + one trivial call + close) and per call.

Prints figures; compares with a fresh ``python -c "import numpy"`` (the
price of one interpreter per submission) and with bubblewrap, the
alternative considered for isolation.  Run as root it measures the root mode
and then re-runs itself as ``nobody`` for the non-root mode.

    python3 benchmarks/bench_sandbox.py [--sessions 200] [--calls 2000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from grader.sandbox import Sandbox  # noqa: E402
from tests.isolation import isolated  # noqa: E402

PROGRAM = '''
import numpy as np

def trivial(x):
    return x

def rnn_cell_forward(xt, a_prev, parameters):
    Wax, Waa, Wya, ba, by = (parameters[k] for k in ("Wax", "Waa", "Wya", "ba", "by"))
    a_next = np.tanh(Wax @ xt + Waa @ a_prev + ba)
    z = Wya @ a_next + by
    e = np.exp(z - z.max(axis=0))
    return a_next, e / e.sum(axis=0), (a_next, a_prev, xt, parameters)
'''


def _ms(values: list[float]) -> str:
    """median / mean / p90 in milliseconds."""
    values = sorted(values)
    p90 = values[int(0.9 * (len(values) - 1))]
    return (f"median {statistics.median(values) * 1e3:7.2f} ms   mean {statistics.fmean(values) * 1e3:7.2f} ms"
            f"   p90 {p90 * 1e3:7.2f} ms")


def fresh_numpy(n: int) -> tuple[list[float], float]:
    """Wall times of `python -c "import numpy"`, n times, and its mean CPU time."""
    import resource

    out = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import numpy"], check=True)
        out.append(time.perf_counter() - t)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / n
    return out, cpu


def rnn_args() -> tuple:
    """Arguments of rnn_cell_forward at the assignment's sizes (n_x=3, n_a=5, n_y=2, m=10)."""
    rng = np.random.default_rng(1)
    params = {"Wax": rng.standard_normal((5, 3)), "Waa": rng.standard_normal((5, 5)),
              "Wya": rng.standard_normal((2, 5)), "ba": rng.standard_normal((5, 1)),
              "by": rng.standard_normal((2, 1))}
    return rng.standard_normal((3, 10)), rng.standard_normal((5, 10)), params


def bench_sandbox(sessions: int, calls: int) -> None:
    """Start-up, per-session and per-call figures for the current user."""
    t = time.perf_counter()
    sandbox = Sandbox()
    start = time.perf_counter() - t
    with sandbox:
        print(f"  {sandbox.capabilities.describe()}")
        print(f"  sandbox start (zygote: interpreter + numpy + setup)   {start * 1e3:7.1f} ms, once")
        for _ in range(5):  # warm-up
            with sandbox.session(PROGRAM) as s:
                s.call("trivial", (1,))
        per_session = []
        cpu0 = _cpu_seconds(sandbox.zygote_pid)
        for _ in range(sessions):
            t = time.perf_counter()
            with sandbox.session(PROGRAM) as s:
                s.call("trivial", (1,))
            per_session.append(time.perf_counter() - t)
        time.sleep(0.2)  # let the zygote finish the last close
        cpu = (_cpu_seconds(sandbox.zygote_pid) - cpu0) / sessions
        print(f"  per session (fork+load+1 call+close), sequential     {_ms(per_session)}")
        print(f"  CPU per session (grader + zygote + child; load-insensitive)  {cpu * 1e3:7.2f} ms")
        t = time.perf_counter()
        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            list(pool.map(lambda _: _one_session(sandbox), range(sessions)))
        wall = time.perf_counter() - t
        print(f"  per session, {os.cpu_count()} threads in parallel                  "
              f"{wall / sessions * 1e3:7.2f} ms of wall time each")
        with sandbox.session(PROGRAM) as s:
            args = rnn_args()
            for label, fn, a in (("trivial call (int)", "trivial", (1,)),
                                 ("rnn_cell_forward call (m=10)", "rnn_cell_forward", args)):
                times = []
                cpu0 = _cpu_seconds(sandbox.zygote_pid)
                c0 = _child_cpu(s._child.pid)
                for _ in range(calls):
                    t = time.perf_counter()
                    out = s.call(fn, a)
                    times.append(time.perf_counter() - t)
                cpu = (_cpu_seconds(sandbox.zygote_pid) - cpu0 + _child_cpu(s._child.pid) - c0) / calls
                assert out.status == "ok", out
                print(f"  per call: {label:<29}              {_ms(times)}   CPU {cpu * 1e3:5.2f} ms")
            dead = []
            for _ in range(max(sessions // 4, 5)):
                s.call("trivial", (1,))
                s._drop_child()  # what a crash costs: kill + sweep, then restart + reload on the next call
                t = time.perf_counter()
                s.call("trivial", (1,))
                dead.append(time.perf_counter() - t)
            print(f"  restart after a crash (respawn + reload + call)       {_ms(dead)}")


def _cpu_seconds(zygote_pid: int) -> float:
    """CPU time used so far by this process, the zygote and the children it has reaped."""
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF)
    with open(f"/proc/{zygote_pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    return me.ru_utime + me.ru_stime + ticks / os.sysconf("SC_CLK_TCK")


def _child_cpu(pid: int) -> float:
    """CPU seconds of a live child (0 when /proc does not show it)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _one_session(sandbox: Sandbox) -> None:
    """One session with one trivial call."""
    with sandbox.session(PROGRAM) as s:
        s.call("trivial", (1,))


def bench_bubblewrap(n: int) -> None:
    """What bubblewrap costs per process, for comparison with a fork of the zygote."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        print("  bubblewrap not installed (apt-get install bubblewrap)")
        return
    base = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
            "--unshare-net", "--unshare-pid", "--die-with-parent"]
    for label, cmd in (("bwrap ... /bin/true", [*base, "/bin/true"]),
                       ("bwrap ... python -c 'import numpy'", [*base, sys.executable, "-c", "import numpy"])):
        times = []
        for _ in range(n):
            t = time.perf_counter()
            r = subprocess.run(cmd, capture_output=True)
            times.append(time.perf_counter() - t)
        if r.returncode:
            print(f"  {label}: failed ({r.stderr.decode()[:120].strip()})")
        else:
            print(f"  {label:<40}              {_ms(times)}")


def main(argv: list[str] | None = None) -> int:
    """Print the figures; as root, also for nobody."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--baseline", type=int, default=10, help="fresh numpy processes to time")
    parser.add_argument("--only-sandbox", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    who = "root" if os.geteuid() == 0 else f"uid {os.geteuid()}"
    if not args.only_sandbox:
        uname = os.uname()
        print(f"machine: {uname.machine}, {os.cpu_count()} cores, Linux {uname.release}, "
              f"Python {sys.version.split()[0]}, NumPy {np.__version__}")
        base, base_cpu = fresh_numpy(args.baseline)
        print(f"baseline: fresh `python -c \"import numpy\"`          {_ms(base)}   CPU {base_cpu * 1e3:.1f} ms")
        print(f"load average when starting: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        print("bubblewrap (one process per submission):")
        bench_bubblewrap(args.baseline)
    print(f"sandbox as {who}:")
    bench_sandbox(args.sessions, args.calls)
    if os.geteuid() == 0 and not args.only_sandbox:
        print("sandbox as nobody (non-root mode):")
        sys.stdout.flush()
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--only-sandbox",
                        f"--sessions={args.sessions}", f"--calls={args.calls}"],
                       preexec_fn=isolated(nobody=True), cwd="/", env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                       check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
