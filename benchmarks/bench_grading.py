"""Grading a class end to end with ``grade.py``, beside the two usual ways of doing it.

Generates N submissions (a realistic mix, below), grades them with ``grade.py``
run as a subprocess the way instructors run it (``--jobs`` = cores,
``--force``), with and without the similarity check, and prints:

* wall time of the whole run and per submission, and its phases (start-up,
  grading, what follows the last submission: gradebook, similarity, class
  report), from the time each line of ``grade.py``'s output arrived;
* the time of each stage per submission (reading, extraction, sandbox start,
  checks, IMDB bonus, from ``OUT/<id>/result.full.json``; reports = the
  worker's time for the submission minus its grading time);
* the peak resident memory of the grading process, of its workers, of the
  sandbox zygotes and children (``VmHWM`` polled from ``/proc``);
* two baselines measured in the same run on the same machine: a fresh
  ``python -c "import numpy"`` per submission spread over the cores, and the
  execution of a sample of the notebooks in a Jupyter kernel with nbclient
  (the way otter-grader and nbgrader grade), scaled to N;
* the floor of the design (``design_floor.py``): one child per submission
  forked from a warm NumPy parent, running the reference's calls and the
  loops' timeouts and nothing else, so how much of the target is left for
  the grader itself.

The mix, per hundred submissions: 30 correct in the course's layout (half of
them with the IMDB bonus), 20 correct in another style, 30 with one or two
known mistakes (``solution.mutants``), 9 unfinished (template placeholders
left), 6 raising an error, 4 truncated JSON, 1 that loops forever.  Every
notebook also carries its student's own test cells, and every cell that
defines a function has a comment and a statement of its own inside its body,
and every cell of the bonus that builds a model a seed of its own (students
write their own code), so no two notebooks share those cells or their
programs; the template's cells repeat.

    python3 benchmarks/bench_grading.py [--n 400] [--sample 5] [--keep DIR]
    python3 benchmarks/bench_grading.py --scaling        # N = 100, 400, 2000
    python3 benchmarks/bench_grading.py --scaling --rounds 3   # and two more rounds of the sizes
    python3 benchmarks/bench_grading.py --against DIR    # this checkout and DIR, in turns
    python3 benchmarks/bench_grading.py --against DIR --fixed-costs   # what every run pays, in turns

Targets (issue 9): N = 400 in at most 0.15 x N x t(import numpy) / cores;
per-submission time within +/-20 % from N = 100 to 2,000; grading process
peak RSS under 300 MB at N = 2,000 and not growing with N.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from solution.mutants import MUTANTS, SAME_WHEN_ONE_STEP, mutant_source  # noqa: E402
from tests import notebooks as nbs  # noqa: E402
from benchmarks.design_floor import describe as describe_floor, floor_summary  # noqa: E402

STAGES = ("read", "extract", "sandbox_start", "checks", "imdb", "reports", "total")
GRADED = ("rnn_cell_forward", "rnn_forward", "lstm_cell_forward", "lstm_forward",
          "rnn_cell_backward", "rnn_backward")

# Kinds per hundred submissions (sums to 100).
MIX = (("correct", 15), ("correct_imdb", 15), ("other_style", 20), ("wrong", 30),
       ("unfinished", 9), ("raises", 6), ("broken_json", 4), ("loops", 1))

# Known mistakes added to the catalog after the mix was fixed (thirty-first session on): the 'wrong'
# notebooks leave them out, so that a class written with one seed holds the same mistakes from one
# session to the next and two sessions' runs compare (tests/test_mutants_graded.py grades each).
LATER_MUTANTS = frozenset({
    "rnn_cell_forward/ba_outside_tanh", "rnn_forward/last_step_skipped", "lstm_cell_forward/no_by",
    "lstm_cell_forward/forget_gate_twice", "lstm_cell_forward/ot_tanh", "lstm_forward/c_stored_as_a",
    "rnn_cell_backward/square_of_one_minus", "rnn_cell_backward/dWaa_from_a_next",
    "rnn_backward/first_step_skipped",
    # thirty-second session
    "rnn_cell_forward/cache_without_x", "rnn_cell_forward/cache_x_first",
    "lstm_cell_forward/ft_tanh", "lstm_cell_forward/it_tanh", "lstm_cell_forward/it_with_bf",
    "lstm_cell_forward/ft_bias_outside", "lstm_cell_forward/biases_outside", "lstm_cell_forward/c_from_a_prev",
    "lstm_cell_forward/a_from_c_prev", "lstm_cell_forward/cache_without_x", "lstm_cell_forward/cache_x_first",
    "lstm_forward/y_not_stored", "lstm_forward/a_not_stored", "lstm_forward/a_stored_as_c",
    "lstm_forward/y_wrong_index", "lstm_forward/caches_without_x",
    "lstm_forward/caches_of_none", "lstm_forward/last_step_skipped", "lstm_forward/len_of_x",
    "rnn_cell_backward/dtanh_from_a_prev", "rnn_cell_backward/dba_axis0_no_keepdims",
    "rnn_backward/da0_not_set", "rnn_backward/dx_wrong_index",
    "rnn_forward/a_from_zeros", "rnn_forward/first_step_skipped", "rnn_forward/first_step_skipped_from_slice",
    "lstm_forward/first_step_skipped_from_slices",
    "rnn_backward/last_step_skipped",
    # thirty-fifth session
    "lstm_cell_forward/no_output_gate", "lstm_cell_forward/tanh_of_gated", "lstm_cell_forward/sigmoid_on_c",
    "lstm_cell_forward/no_update_gate", "lstm_cell_forward/cct_bias_outside", "lstm_cell_forward/ot_with_Wf",
    "lstm_cell_forward/softmax_axis1",
    # thirty-sixth session
    "rnn_cell_forward/no_tanh", "rnn_cell_forward/relu_activation", "rnn_cell_forward/y_from_preactivation",
    # thirty-seventh session
    "lstm_cell_forward/y_from_a_prev", "lstm_cell_forward/a_from_cct", "lstm_cell_forward/update_gate_added",
})

# Errors a student makes that raise (shapes that do not fit, a name not defined).
RAISING = (
    ("rnn_cell_backward", "dxt = np.dot(Wax.T, dtanh)", "dxt = np.dot(Wax, dtanh)"),
    ("lstm_cell_forward", "ft = sigmoid(np.dot(Wf, concat) + bf)", "ft = sigmoid(np.dot(Wf, xt) + bf)"),
    ("rnn_forward", "n_y, n_a = parameters[\"Wya\"].shape", "n_y, n_a = parameters[\"Wy\"].shape"),
)
# Template blanks left unfilled, as the course's starter notebook has them.
UNFINISHED = (
    ("lstm_cell_forward", "cct = np.tanh(np.dot(Wc, concat) + bc)", "cct = None"),
    ("rnn_backward", "dWax += dWaxt", "dWax += None"),
    ("rnn_cell_backward", "dba = np.sum(dtanh, axis=1, keepdims=True)", "dba = None"),
    ("lstm_forward", "c[:, :, t] = c_next", "c[:, :, t] = None"),
)

RNN_UTILS = '''import numpy as np

def softmax(x):
    e_x = np.exp(x - np.max(x))
    return e_x / e_x.sum(axis=0)

def sigmoid(x):
    return 1 / (1 + np.exp(-x))
'''


# --------------------------------------------------------------------------- the class


def kinds_for(n: int, *, seed: int = 0) -> list[str]:
    """The kind of each of ``n`` submissions: the mix of ``MIX`` per hundred, shuffled per hundred."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        block = [kind for kind, count in MIX for _ in range(count)]
        rng.shuffle(block)
        out.extend(block)
    return out[:n]


def _student_cells(k: int, rng: random.Random) -> list[dict]:
    """A student's own scratch cells: differ from one notebook to the next."""
    seed = rng.randrange(1000)
    return [nbs.markdown_cell(f"### My checks (student {k})"),
            nbs.code_cell(f"np.random.seed({seed})\nx_try = np.random.randn(3, {rng.randrange(2, 9)}, 4)\n"
                          f"print(x_try.shape, {k})\n",
                          outputs=[nbs.stream(f"(3, {seed % 7 + 2}, 4) {k}\n")], count=40)]


#: Share of the functions whose own line is a classmate's up to the names of its locals (and the
#: note above it), and how many such lines there are: the similarity check normalises one function
#: per renaming key (``grader.similarity.normalise.renaming_key``), and in the real classes about
#: two in three distinct sources have a key of their own (keys per distinct source: real30 0.68,
#: real31 0.69, real33 0.69, real34 0.67, real35 0.65), the rest share one with up to 26 others
#: (the course's code under other names and comments). Until the thirty-sixth session every line
#: held the student's number: 2,067 keys for the class of 400's 2,067 distinct sources.
SHARED_LINE = 0.4
SHARED_VALUES = 8


def own_line(k: int, function: str) -> str:
    """Student ``k``'s own statement in ``function``: ``my_check = k``, or, for a share of
    ``SHARED_LINE``, ``check_k = v`` with one of ``SHARED_VALUES`` values, which renames to a
    classmate's (a draw of its own, so that the rest of the class does not change)."""
    pick = random.Random(f"{k}:{function}")
    if pick.random() < SHARED_LINE:
        return f"check_{k} = {pick.randrange(SHARED_VALUES)}"
    return f"my_check = {k}"


def _own_code(nb: dict, k: int) -> dict:
    """Each code cell that defines a function gets a note and a line of its own inside the function,
    before its first ``return``: students write their own code, so no two submissions share those
    cells, nor their programs, nor their compiled code (the template's cells stay identical). A note
    only after the code would not do: a memo may rightly drop trailing comments from its key
    (``notebook.without_trailing_comments``), which then meets the same text in every notebook,
    unlike a real class, where the function bodies are the students' own. The line is the
    student's own in its text, and a classmate's up to renaming as often as in a real class
    (``own_line``)."""
    for cell in nb["cells"]:
        text = "".join(cell["source"]) if cell["cell_type"] == "code" else ""
        if "keras.Sequential(" in text:  # the bonus's models are the student's own too
            cell["source"] = (f"keras.utils.set_random_seed({k})\n" + text).splitlines(keepends=True)
            continue
        if "def " not in text:
            continue
        lines, done = text.splitlines(keepends=True), False
        out = []
        function = ""
        for line in lines:
            stripped = line.lstrip(" ")
            if stripped.startswith("def "):
                function = stripped[4:].split("(", 1)[0]
            if not done and stripped.startswith("return") and len(line) > len(stripped):
                indent = line[: len(line) - len(stripped)]
                out.append(f"{indent}# student {k}: checked against my notes\n{indent}{own_line(k, function)}\n")
                done = True
            out.append(line)
        cell["source"] = "".join(out).splitlines(keepends=True)
    return nb


def submission(kind: str, k: int, rng: random.Random) -> dict | str:
    """The notebook (a dict), or broken JSON text, of student ``k`` of kind ``kind``."""
    nb = _submission(kind, k, rng)
    return nb if isinstance(nb, str) else _own_code(nb, k)


def mistakes_drawn() -> list[str]:
    """The known mistakes a 'wrong' notebook draws from, sorted: those of the graded functions
    that a single time step shows, less ``LATER_MUTANTS``."""
    return sorted(m for m, mutant in MUTANTS.items()
                  if mutant.function in GRADED and m not in SAME_WHEN_ONE_STEP | LATER_MUTANTS)


def _submission(kind: str, k: int, rng: random.Random) -> dict | str:
    """``submission`` before each student's own touch on the function cells."""
    own = _student_cells(k, rng)
    if kind == "correct":
        return nbs.course_notebook(extra_cells=own)
    if kind == "correct_imdb":
        return nbs.course_notebook(extra_cells=own + nbs.imdb_cells())
    if kind == "other_style":
        nb = nbs.alt_notebook()
        nb["cells"].extend(own)
        return nb
    if kind == "wrong":
        chosen = rng.sample(mistakes_drawn(), rng.choice((1, 1, 2)))
        overrides = {}
        for mutant_id in chosen:
            overrides[MUTANTS[mutant_id].function] = mutant_source(mutant_id)
        return nbs.course_notebook(overrides, extra_cells=own)
    if kind == "unfinished":
        picks = rng.sample(UNFINISHED, rng.choice((1, 2)))
        overrides = {}
        for name, old, new in picks:
            overrides.update(nbs.mutate(name, old, new))
        return nbs.course_notebook(overrides, extra_cells=own)
    if kind == "raises":
        name, old, new = rng.choice(RAISING)
        return nbs.course_notebook(nbs.mutate(name, old, new), extra_cells=own)
    if kind == "broken_json":
        text = json.dumps(nbs.course_notebook(extra_cells=own))
        return text[: len(text) * rng.randrange(2, 9) // 10]
    if kind == "loops":
        return nbs.course_notebook(nbs.mutate(
            "rnn_forward", "    caches = (caches, x)", "    while True:\n        pass\n    caches = (caches, x)"),
            extra_cells=own)
    raise ValueError(kind)


def write_class(folder: Path, n: int, *, seed: int = 0) -> dict[str, str]:
    """Write ``n`` submissions into ``folder``; return submission id -> kind."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    kinds = {}
    for k, kind in enumerate(kinds_for(n, seed=seed)):
        sid = f"s{k:04d}_{kind}"
        nb = submission(kind, k, rng)
        path = folder / f"{sid}.ipynb"
        if isinstance(nb, str):
            path.write_text(nb, encoding="utf-8")
        else:
            nbs.write(path, nb)
        kinds[sid] = kind
    return kinds


# --------------------------------------------------------------------------- machine


def machine() -> dict[str, str]:
    """Cores, CPU model, memory, Python and NumPy versions."""
    import numpy
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return {"cores (nproc)": str(os.cpu_count()), "CPU": model or platform.processor(), "memory": mem,
            "Python": platform.python_version(), "NumPy": numpy.__version__,
            "kernel": platform.release()}


def installed(repo: Path) -> str:
    """Compile ``repo``'s grader as the README's set-up command does (``compileall``) and say so.

    Python caches a module's bytecode on its first import unless ``PYTHONDONTWRITEBYTECODE`` is
    set (this project's machine sets it): then every run compiled the grader's 0.9 MB of source
    again, 0.5 s of CPU in a small run. Every checkout a benchmark runs is set up the same way,
    so that a comparison is not one installed checkout against one that is not."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(repo / "grader")], check=True)
    flag = os.environ.get("PYTHONDONTWRITEBYTECODE")
    return (f"{repo}: grader compiled (python3 -m compileall -q grader; PYTHONDONTWRITEBYTECODE="
            f"{flag or 'unset'})")


def load() -> str:
    """The load averages (1, 5, 15 min)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


# --------------------------------------------------------------------------- memory


def _status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                out += [int(x) for x in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
            except OSError:
                pass
    except OSError:
        pass
    return out


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_times(pid: int) -> tuple[float, float] | None:
    """``(own CPU s, CPU s of its waited-for children)`` of a process, from /proc/PID/stat."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2:].split()
    try:
        return ((int(fields[11]) + int(fields[12])) / _TICKS, (int(fields[13]) + int(fields[14])) / _TICKS)
    except (IndexError, ValueError):
        return None


@dataclass
class MemoryWatch:
    """Polls the process tree of a run: peak RSS (VmHWM) per role."""

    root: int
    peaks: dict[int, tuple[str, int]] = field(default_factory=dict)  # pid -> (role, kB)
    cpu: dict[int, tuple[float, float]] = field(default_factory=dict)  # pid -> (own s, reaped children's s)
    parents: dict[int, int] = field(default_factory=dict)  # pid -> its parent's pid, as seen
    seen: dict[int, int] = field(default_factory=dict)  # pid -> the last walk its CPU was read in
    walks: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def _role(self, pid: int, parent_role: str, parent: int = 0) -> str:
        if parent_role == "":
            return "main"
        if parent_role == "zygote":
            # A zygote's twin (grader.zygote.start_zygotes) is its child too, forked before the
            # zygote set itself up: without its seccomp filter until configured, and then in a
            # mount namespace of its own; a session child (or the zygote's sweeping helper) is
            # forked after the set-up, under the zygote's filter, in the zygote's namespace.
            try:
                twin = (_status(pid).get("Seccomp") == "0"
                        or os.readlink(f"/proc/{pid}/ns/mnt") != os.readlink(f"/proc/{parent}/ns/mnt"))
            except OSError:
                twin = False
            return "zygote" if twin else "child"
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            cmd = b""
        if b"zygote_main" in cmd:
            return "zygote"
        # The grading process forks its workers, and a figure drawer (with a child of its own).
        return "worker" if parent_role == "main" and b"grade.py" in cmd else "helper"

    def poll(self) -> None:
        """One walk of the tree."""
        self.walks += 1
        stack = [(self.root, "", 0)]
        while stack:
            pid, parent_role, parent = stack.pop()
            self.parents.setdefault(pid, parent)
            role = self.peaks.get(pid, (None, 0))[0]
            if role in (None, "helper", "worker"):  # a zygote seen between its fork and its exec looks
                # like a helper, or like a worker when the grading process started it (grade_class)
                again = self._role(pid, parent_role, parent)
                # ... but a worker stays one: once it has exited, its empty cmdline names nothing
                role = again if role != "worker" or again == "zygote" else role
            hwm = _status(pid).get("VmHWM", "0 kB").split()[0]
            try:
                kb = int(hwm)
            except ValueError:
                kb = 0
            old = self.peaks.get(pid, (role, 0))[1]
            self.peaks[pid] = (role, max(old, kb))
            times = _cpu_times(pid)
            if times is not None:
                self.cpu[pid] = times
                self.seen[pid] = self.walks
            stack.extend((c, role, pid) for c in _children(pid))

    def run(self) -> None:
        """Poll until stopped (every 50 ms)."""
        while not self.stop.is_set():
            self.poll()
            self.stop.wait(0.05)

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds per role, as last seen: each process's own, and for the zygotes also
        that of the session children they reaped (too short-lived to be polled)."""
        out: dict[str, float] = {}
        for pid, (own, reaped) in self.cpu.items():
            role = self.peaks.get(pid, ("?", 0))[0]
            if role == "child":
                continue  # counted through its zygote, which reaps it
            out[role] = out.get(role, 0.0) + own
            if role == "zygote":
                out["child"] = out.get("child", 0.0) + reaped - self._twins_reaped(pid)
        return out

    def _twins_reaped(self, pid: int) -> float:
        """What of a zygote's reaped CPU its twins spent (each counted as a zygote itself): a twin
        gone before the zygote's last reading had been reaped by it then."""
        return sum(sum(self.cpu[twin]) for twin, parent in self.parents.items()
                   if parent == pid and self.peaks.get(twin, ("?", 0))[0] == "zygote" and twin in self.cpu
                   and self.seen.get(twin, 0) < self.seen.get(pid, 0))

    def summary(self) -> dict[str, tuple[int, float]]:
        """role -> (number of processes seen, peak MB of one of them)."""
        out: dict[str, tuple[int, float]] = {}
        for role, kb in self.peaks.values():
            n, peak = out.get(role, (0, 0.0))
            out[role] = (n + 1, max(peak, kb / 1024))
        return out


# --------------------------------------------------------------------------- runs


@dataclass
class Run:
    """One ``grade.py`` run: wall time, phases, per-submission figures, memory."""

    n: int
    similarity: bool
    jobs: int = 1
    extra: tuple[str, ...] = ()
    wall: float = 0.0
    startup: float = 0.0      # start -> the first graded submission reported
    grading: float = 0.0      # first -> last submission reported
    after: float = 0.0        # last submission -> exit (gradebook, similarity, class report)
    per_sub: dict[str, float] = field(default_factory=dict)   # id -> worker seconds (progress line)
    stages: dict[str, dict[str, float]] = field(default_factory=dict)  # id -> stage -> s
    memory: dict[str, tuple[int, float]] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # role -> CPU s (polled; see MemoryWatch)
    cpu_total: float = 0.0  # CPU s of grade.py and everything it started (rusage of the waited tree)
    returncode: int = 0
    tail: str = ""


def grade(class_dir: Path, out_dir: Path, *, jobs: int, similarity: bool, n: int,
          extra: list[str] = (), repo: Path = REPO) -> Run:
    """Run ``grade.py`` of ``repo`` (default: this checkout) on ``class_dir`` as a subprocess
    and collect its figures."""
    cmd = [sys.executable, str(repo / "grade.py"), str(class_dir), "--out", str(out_dir),
           "--jobs", str(jobs), "--force", *extra]
    if not similarity:
        cmd.append("--no-similarity")
    run = Run(n=n, similarity=similarity, jobs=jobs, extra=tuple(extra))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=str(repo), env={**os.environ, "PYTHONUNBUFFERED": "1"})
    watch = MemoryWatch(proc.pid)
    thread = threading.Thread(target=watch.run, daemon=True)
    thread.start()
    first = last = None
    lines = []
    for line in proc.stdout:
        now = time.perf_counter() - t0
        lines.append(line)
        if line.startswith("[") and "/" in line.split("]")[0]:
            first = now if first is None else first
            last = now
            body = line.split("] ", 1)[1].strip()
            sid = body.split(":", 1)[0]
            try:
                run.per_sub[sid] = float(body.rsplit(" in ", 1)[1].rstrip("s"))
            except (IndexError, ValueError):
                pass
    run.returncode = proc.wait()
    run.wall = time.perf_counter() - t0
    watch.stop.set()
    thread.join()
    run.memory = watch.summary()
    run.cpu = watch.cpu_by_role()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run.cpu_total = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    run.startup = first or 0.0
    run.grading = (last or 0.0) - (first or 0.0)
    run.after = run.wall - (last or run.wall)
    run.tail = "".join(lines[-8:])
    for sid, seconds in run.per_sub.items():
        record = out_dir / sid / "result.full.json"
        try:
            timings = json.loads(record.read_text()).get("timings") or {}
        except (OSError, ValueError):
            timings = {}
        stages = {k: float(v) for k, v in timings.items()}
        if stages:
            stages["reports"] = max(seconds - stages.get("total", 0.0), 0.0)
        run.stages[sid] = stages
    return run


_FLOOR = r"""
import gc, mmap, os, resource, sys, time
import numpy, numpy.linalg, numpy.random, inspect, pickle
gc.collect(); gc.freeze()
n = 40
for _ in range(n):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
fork_exit = (kids.ru_utime + kids.ru_stime) / n
pages = 20000
buf = bytearray(4096 * pages)
for i in range(0, len(buf), 4096):
    buf[i] = 1
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    t = time.perf_counter()
    for i in range(0, len(buf), 4096):
        buf[i] = 2
    first = time.perf_counter() - t
    t = time.perf_counter()
    for i in range(0, len(buf), 4096):
        buf[i] = 3
    again = time.perf_counter() - t
    os.write(w, repr((first - again) / pages).encode())
    os._exit(0)
os.waitpid(pid, 0)
print(fork_exit, float(os.read(r, 100)))
"""


def process_floor() -> tuple[float, float]:
    """What one sandboxed child costs this machine before it does anything: the CPU seconds of
    forking and ending a child of a NumPy-loaded process (its own, as the zygote's children
    are), and the seconds of one copy-on-write page fault (a child grading a correct notebook
    takes about 1,600)."""
    out = subprocess.run([sys.executable, "-c", _FLOOR], capture_output=True, text=True, check=True)
    fork_exit, fault = out.stdout.split()
    return float(fork_exit), float(fault)


def numpy_baseline(count: int, jobs: int) -> tuple[float, float]:
    """Wall time of ``count`` fresh ``python -c "import numpy"`` run ``jobs`` at a time; and one alone."""
    cmd = [sys.executable, "-c", "import numpy"]
    singles = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(cmd, check=True)
        singles.append(time.perf_counter() - t)
    t0 = time.perf_counter()
    running: list[subprocess.Popen] = []
    started = 0
    while started < count or running:
        while started < count and len(running) < jobs:
            running.append(subprocess.Popen(cmd))
            started += 1
        running[0].wait()
        running = [p for p in running if p.poll() is None]
    return time.perf_counter() - t0, statistics.median(singles)


def kernel_baseline(paths: list[Path], workdir: Path) -> list[float]:
    """Seconds to execute each notebook in a fresh Jupyter kernel with nbclient (one at a time).

    The IMDB cells (TensorFlow training, minutes each) are dropped, which favours this baseline.
    """
    import nbformat
    from nbclient import NotebookClient

    (workdir / "rnn_utils.py").write_text(RNN_UTILS)
    times = []
    for path in paths:
        nb = nbformat.read(str(path), as_version=4)
        nb.cells = [c for c in nb.cells if "tensorflow" not in c.source and "keras" not in c.source]
        t = time.perf_counter()
        client = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(workdir)}})
        client.execute()
        times.append(time.perf_counter() - t)
    return times


# --------------------------------------------------------------------------- printing


def _ms(x: float) -> str:
    return f"{x * 1000:7.1f}"


def print_run(run: Run, kinds: dict[str, str]) -> None:
    """Phases, per-submission figures by kind, stages, memory."""
    label = "with similarity" if run.similarity else "without similarity"
    label += f", --jobs {run.jobs}" + "".join(f" {a}" for a in run.extra)
    print(f"\ngrade.py, N = {run.n}, {label}: {run.wall:.2f} s wall "
          f"({run.wall / run.n * 1000:.1f} ms per submission), exit {run.returncode}")
    print(f"  phases: start-up {run.startup:.2f} s, grading {run.grading:.2f} s, "
          f"after the last submission (gradebook, similarity, class report) {run.after:.2f} s")
    by_kind: dict[str, list[str]] = {}
    for sid in run.per_sub:
        by_kind.setdefault(kinds.get(sid, "?"), []).append(sid)
    print("  worker time per submission (ms; reports = worker time - grading total):")
    print(f"  {'kind':<13}{'n':>5} {'median':>7} {'max':>7} |" + "".join(f"{s:>14}" for s in STAGES))
    for kind, _ in MIX:
        sids = by_kind.get(kind, [])
        if not sids:
            continue
        secs = [run.per_sub[s] for s in sids]
        stage_cols = ""
        for stage in STAGES:
            values = [run.stages[s].get(stage, 0.0) for s in sids if run.stages.get(s)]
            stage_cols += f"{_ms(statistics.median(values)) if values else '      -':>14}"
        print(f"  {kind:<13}{len(sids):>5} {_ms(statistics.median(secs))} {_ms(max(secs))} |{stage_cols}")
    all_secs = list(run.per_sub.values())
    if all_secs:
        print(f"  {'all':<13}{len(all_secs):>5} {_ms(statistics.median(all_secs))} {_ms(max(all_secs))} |"
              f" mean {statistics.fmean(all_secs) * 1000:.1f} ms, sum {sum(all_secs):.2f} s of worker time")
        sums = {stage: sum(st.get(stage, 0.0) for st in run.stages.values()) for stage in STAGES}
        print("  sum over submissions (s): " + ", ".join(f"{k} {v:.2f}" for k, v in sums.items()))
    if run.cpu_total:
        print(f"  CPU: {run.cpu_total:.2f} s in all ({run.cpu_total / max(run.n, 1) * 1000:.1f} ms per "
              f"submission); by role (polled, approximate): " + ", ".join(
                  f"{role} {secs:.2f} s" for role, secs in sorted(run.cpu.items(), key=lambda kv: -kv[1])))
    print("  peak RSS (VmHWM) per process: " + ", ".join(
        f"{role} {peak:.0f} MB (x{n})" for role, (n, peak) in sorted(run.memory.items())))
    if run.returncode:
        print("  output tail:\n" + run.tail)


def describe_cpu_budget(cpu: dict[str, float], *, budget: float) -> str:
    """One line: how much of the target's CPU budget (target wall time x cores) the sandbox's own
    processes (zygotes and children: forks, isolation, the student's code, the child's side of the
    protocol) spent, beside the grader's (grading process, workers).

    It says whether the target is within reach of the grader at all: if the sandbox side alone
    spends most of the budget, no cut in the grader's own processes can meet the target."""
    sandbox = cpu.get("zygote", 0.0) + cpu.get("child", 0.0)
    grader = sum(secs for role, secs in cpu.items() if role not in ("zygote", "child"))
    return (f"CPU budget {budget:.1f} s: the sandbox's processes (zygotes, children) spent {sandbox:.1f} s "
            f"({sandbox / budget:.0%} of it), the grader's (grading process, workers) {grader:.1f} s "
            f"({grader / budget:.0%})")


def fit_line(small_n: int, small_value: float, large_n: int, large_value: float) -> tuple[float, float]:
    """``(F, c)`` of the line ``F + N c`` through two class sizes' figures (seconds)."""
    per = (large_value - small_value) / (large_n - small_n)
    return small_value - small_n * per, per


def fixed_cost_line(small: Run, large: Run, *, band: float = 0.2) -> str:
    """The whole-run times of two class sizes fitted as ``T(N) = F + N c`` (a fixed cost ``F``,
    a cost ``c`` per submission), and the largest ``F`` with which the smaller class's time per
    submission stays within ``band`` of the larger one's: ``(F/Ns + c) <= (1 + band)(F/Nl + c)``,
    that is ``F <= band c / (1/Ns - (1 + band)/Nl)`` (issue 9's linearity target, ``band`` 0.2)."""
    fixed, per = fit_line(small.n, small.wall, large.n, large.wall)
    allowed = band * per / (1 / small.n - (1 + band) / large.n)
    inside = fixed - small.startup - small.after
    return (f"fit T(N) = F + N c from N = {small.n} and {large.n}: c = {per * 1000:.1f} ms per submission, "
            f"F = {fixed:.2f} s (start-up {small.startup:.2f} s, after the last {small.after:.2f} s, "
            f"{inside:.2f} s inside the grading phase); within {band:.0%} of N = {large.n} at N = "
            f"{small.n} needs F <= {allowed:.2f} s")


def fixed_cpu_line(small: Run, large: Run, *, cores: int) -> str:
    """The CPU of each role (``Run.cpu``) fitted as ``F + N c`` like the wall time in
    ``fixed_cost_line``: what every run spends whatever N, role by role. CPU moves much less than
    wall time when other work shares the machine, and on cores kept busy through the grading
    phase a run's fixed CPU costs about ``CPU / cores`` of its wall time wherever it is spent."""
    roles = sorted(set(small.cpu) | set(large.cpu))
    fixed = {role: fit_line(small.n, small.cpu.get(role, 0.0), large.n, large.cpu.get(role, 0.0))[0]
             for role in roles}
    total = sum(fixed.values())
    parts = ", ".join(f"{role} {secs:.2f} s" for role, secs in fixed.items())
    return (f"CPU paid whatever N (fit by role from N = {small.n} and {large.n}): {parts}; {total:.2f} s "
            f"in all, {total / cores:.2f} s on {cores} cores")


def linearity_lines(rounds: list[dict[int, float]], *, ref: int = 400, band: float = 0.2) -> list[str]:
    """Issue 9's linearity target read over several rounds of the class sizes: each round's wall
    times (``{N: seconds}``) give each size's time per submission as a multiple of the same
    round's N = ``ref``; a size is within the target when the median of its rounds' multiples is
    within ``band`` of 1. A round compares runs made minutes apart, so the machine's drift over a
    longer stretch (its speed moves by half within a day) does not enter a multiple."""
    sizes = sorted({n for walls in rounds for n in walls if n != ref})
    lines = []
    for n in sizes:
        ratios = [(walls[n] / n) / (walls[ref] / ref) for walls in rounds if n in walls and ref in walls]
        if not ratios:
            continue
        middle = statistics.median(ratios)
        inside = sum(1 for r in ratios if abs(r - 1) <= band)
        verdict = "within" if abs(middle - 1) <= band else "NOT within"
        lines.append(f"N = {n:5}: per submission {', '.join(f'{r:.2f}' for r in ratios)} x N = {ref} in "
                     f"{len(ratios)} rounds, median {middle:.2f}: {verdict} +-{band:.0%} "
                     f"({inside} of {len(ratios)} rounds within)")
    return lines


def scaling_order(sizes: list[int], round_no: int) -> list[int]:
    """The class sizes in the order round ``round_no`` (1, 2, ...) runs them: reversed every other
    round, so that no size always runs first, after the baselines, or last."""
    return list(sizes) if round_no % 2 else list(reversed(sizes))


def unused_folder(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``, ... if taken: a folder no run wrote, for a measured run's
    output. Deleting an earlier run's output right before a run made that run slower: on an ext4
    without a journal (this machine's), a new inode is chosen past every inode of its block group
    freed in about the last 30 s, each of which the kernel looks up (``recently_deleted``, some
    0.2 us each: a class of 400 frees 2,400). The folders are deleted with the work folder, after
    the last run (``--keep`` keeps them)."""
    candidate, k = path, 1
    while candidate.exists():
        k += 1
        candidate = path.with_name(f"{path.name}-{k}")
    return candidate


#: Seconds after which the inodes a deletion freed no longer slow the allocation of new ones
#: (``unused_folder``): measured on this machine, a file created up to 33 s after 3,000 were
#: deleted in its folder's group cost 570-620 us of CPU, one created 40 s after 30-50 us.
SETTLE_SECONDS = 40


def remove_and_settle(path: Path, *, seconds: float = SETTLE_SECONDS) -> None:
    """Delete the folder ``path`` if it is there (a class or outputs kept by ``--keep`` from an
    earlier invocation), then wait ``seconds`` so that the runs measured next do not pay for it."""
    if path.exists():
        shutil.rmtree(path, ignore_errors=True)
        time.sleep(seconds)


def compare(work: Path, *, n: int, other: Path, rounds: int, jobs: int, extra: list[str]) -> None:
    """Grade one class with this checkout and with ``other`` in turns, ``rounds`` times each (the
    order alternating, a numpy baseline before each round), and print each run and the medians.

    On a shared virtual machine the same run varies by a third from one minute to the next (so
    does a fresh numpy process, the target's unit); runs in turns see the same conditions."""
    class_dir = work / f"class-{n}"
    remove_and_settle(class_dir)
    write_class(class_dir, n)
    cores = os.cpu_count() or 1
    sides = {"this": REPO, "other": other.resolve()}
    for name, repo in sides.items():
        head = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%h %s"], capture_output=True,
                              text=True).stdout.strip()
        print(f"{name}: {repo} at {head[:70]}")
    print(f"N = {n}, without similarity, --jobs {jobs}; {rounds} rounds, each a numpy baseline (5 alone, "
          f"median) then both checkouts, in alternating order; CPU = everything grade.py started")
    seen: dict[str, list[tuple[Run, float]]] = {name: [] for name in sides}
    for r in range(rounds):
        _, single = numpy_baseline(0, cores)
        order = list(sides) if r % 2 == 0 else list(sides)[::-1]
        for name in order:
            out_dir = unused_folder(work / f"out-{name}-{r + 1}")
            run = grade(class_dir, out_dir, jobs=jobs, similarity=False, n=n, extra=extra, repo=sides[name])
            seen[name].append((run, single))
            print(f"  round {r + 1} {name:5}: {run.wall:6.2f} s wall (start-up {run.startup:.2f}, grading "
                  f"{run.grading:.2f}, after {run.after:.2f}), CPU {run.cpu_total:6.2f} s (grading process "
                  f"{run.cpu.get('main', 0.0):.2f}, workers {run.cpu.get('worker', 0.0):.2f}, children "
                  f"{run.cpu.get('child', 0.0):.2f}, zygotes {run.cpu.get('zygote', 0.0):.2f}), numpy alone "
                  f"{single * 1000:.0f} ms -> {run.wall / (n * single / cores):.3f} x N x t(numpy) / cores; "
                  f"load {load().split()[0]}")
    print("medians:")
    for name, got in seen.items():
        wall = statistics.median(run.wall for run, _ in got)
        cpu = statistics.median(run.cpu_total for run, _ in got)
        ratio = statistics.median(run.wall / (n * single / cores) for run, single in got)
        startup = statistics.median(run.startup for run, _ in got)
        after = statistics.median(run.after for run, _ in got)
        main = statistics.median(run.cpu.get("main", 0.0) for run, _ in got)
        roles = ", ".join(f"{role} {statistics.median(run.cpu.get(role, 0.0) for run, _ in got):.2f} s"
                          for role in ("worker", "child", "zygote"))
        print(f"  {name:5}: {wall:6.2f} s wall, start-up {startup:.2f} s, after the last {after:.2f} s, "
              f"CPU {cpu:6.2f} s ({cpu / n * 1000:.1f} ms per submission; grading process {main:.2f} s, "
              f"{roles}), "
              f"{ratio:.3f} x N x t(numpy) / cores (target 0.15)")


def _timed(cmd: list[str], *, cwd: Path) -> tuple[float, float, int]:
    """Run ``cmd``: wall seconds, CPU seconds of everything it started (the waited tree), exit status."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=str(cwd), capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), done.returncode


def _busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (``/proc/stat``; 0 if unreadable)."""
    try:
        with open("/proc/stat") as handle:
            ticks = [int(x) for x in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


#: Runs during which other processes kept at most this many cores busy count as quiet.
QUIET_CORES = 0.5


def fixed_costs(work: Path, *, other: Path, rounds: int) -> None:
    """What every user pays whatever the class size, this checkout and ``other`` in turns (the
    order alternating), ``rounds`` times each: the README's command on the shipped
    ``submissions/`` (with the similarity check), a student's ``--check`` of one notebook, and
    ``--gradescope`` with a fake root holding one notebook. The inputs are this checkout's.

    Parallel steps (a zygote booting while the grader imports, matplotlib's import while the
    workers grade) gain only when a core is free: on a machine busy with other work the wall
    times of both sides converge on their CPU times."""
    sides = {"this": REPO, "other": other.resolve()}
    for name, repo in sides.items():
        head = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%h %s"], capture_output=True,
                              text=True).stdout.strip()
        print(f"{name}: {repo} at {head[:70]}")
    shipped = REPO / "submissions"
    root = work / "gradescope"
    shutil.rmtree(root, ignore_errors=True)
    (root / "submission").mkdir(parents=True)
    shutil.copyfile(shipped / "alan_partly_wrong.ipynb", root / "submission" / "alan_partly_wrong.ipynb")
    py = sys.executable
    print(f"{rounds} rounds each; wall and CPU (everything the command started) per run, medians and minima")
    seen: dict[tuple[str, str], list[tuple[float, float, float, float]]] = {}
    for what in ("class", "check", "gradescope"):
        for r in range(rounds):
            for name in (list(sides) if r % 2 == 0 else list(sides)[::-1]):
                repo = sides[name]
                start = after = 0.0
                busy = _busy_seconds()
                if what == "class":
                    run = grade(shipped, work / f"out-{name}", jobs=os.cpu_count() or 1, similarity=True,
                                n=6, repo=repo)
                    wall, cpu, status, start, after = (run.wall, run.cpu_total, run.returncode, run.startup,
                                                       run.after)
                elif what == "check":
                    wall, cpu, status = _timed([py, str(repo / "grade.py"), "--check",
                                                str(shipped / "ada_correct.ipynb")], cwd=repo)
                else:
                    wall, cpu, status = _timed([py, str(repo / "grade.py"), "--gradescope", "--gradescope-root",
                                                str(root)], cwd=repo)
                others = max(0.0, _busy_seconds() - busy - cpu) / wall  # cores busy with other work
                if status not in (0, 1):
                    print(f"  {what} {name}: exit {status}")
                seen.setdefault((what, name), []).append((wall, cpu, start, after, others))
        print(f"  load average now: {load()}")
    labels = {"class": "grade.py submissions/ --force (6 notebooks, with similarity)",
              "check": "grade.py --check submissions/ada_correct.ipynb",
              "gradescope": "grade.py --gradescope (one notebook)"}
    print(f"(others: cores kept busy by other processes during a run; quiet: runs with others <= "
          f"{QUIET_CORES})")
    for what, label in labels.items():
        print(label)
        for name in sides:
            every = seen[(what, name)]
            for tag, got in (("all", every), ("quiet", [g for g in every if g[4] <= QUIET_CORES])):
                if not got:
                    continue
                walls, cpus = [g[0] for g in got], [g[1] for g in got]
                extra = ""
                if what == "class":
                    extra = (f"; to the first result {statistics.median(g[2] for g in got):.2f} s, after "
                             f"the last {statistics.median(g[3] for g in got):.2f} s")
                print(f"  {name:5} {tag:5} ({len(got):2} runs, others {statistics.median(g[4] for g in got):.2f}): "
                      f"wall {statistics.median(walls):.3f} s (min {min(walls):.3f}), CPU "
                      f"{statistics.median(cpus):.3f} s (min {min(cpus):.3f}){extra}")


def main(argv: list[str] | None = None) -> int:
    """Generate, grade, measure the baselines, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=400, help="submissions (default 400)")
    parser.add_argument("--sample", type=int, default=5,
                        help="notebooks executed in a Jupyter kernel for the baseline (default 5; 0 skips)")
    parser.add_argument("--keep", type=Path, help="keep the generated class and outputs in this folder")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="grade.py --jobs (default: cores)")
    parser.add_argument("--numpy-runs", type=int, default=0,
                        help="fresh numpy processes actually run for the baseline (default: min(N, 400)), "
                             "scaled to N")
    parser.add_argument("--scaling", action="store_true",
                        help="N = 100, 400, 2000 (without similarity; with it at N = 400)")
    parser.add_argument("--no-similarity-run", action="store_true",
                        help="grade only once, without the similarity check")
    parser.add_argument("--against", type=Path, metavar="DIR",
                        help="compare with the checkout in DIR instead: both grade the same class in turns")
    parser.add_argument("--rounds", type=int, default=None,
                        help="runs of each checkout with --against (default 3); with --scaling, rounds of "
                             "the three sizes (default 1): the later rounds grade without similarity, in "
                             "alternating order, and the linearity target is read from their medians")
    parser.add_argument("--fixed-costs", action="store_true",
                        help="with --against: the README's command on submissions/, --check and --gradescope "
                             "instead of a generated class")
    parser.add_argument("--grade-arg", action="append", default=[], metavar="ARG",
                        help="pass ARG to grade.py (repeatable), e.g. --grade-arg=--no-html")
    args = parser.parse_args(argv)

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-grading-"))
    work.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    print("machine: " + "; ".join(f"{k} {v}" for k, v in machine().items()))
    for repo in [REPO, *([args.against] if args.against else [])]:
        print("set-up: " + installed(Path(repo).resolve()))
    print(f"load average at start: {load()}")
    sizes = [100, 400, 2000] if args.scaling else [args.n]
    if args.fixed_costs and not args.against:
        parser.error("--fixed-costs goes with --against DIR")
    if args.against:
        try:
            if args.fixed_costs:
                fixed_costs(work, other=args.against, rounds=args.rounds or 3)
            else:
                compare(work, n=args.n, other=args.against, rounds=args.rounds or 3, jobs=args.jobs,
                        extra=args.grade_arg)
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
        return 0
    try:
        runs: list[tuple[Run, dict[str, str]]] = []
        for n in sizes:
            class_dir = work / f"class-{n}"
            remove_and_settle(class_dir)
            t = time.perf_counter()
            kinds = write_class(class_dir, n)
            print(f"\nN = {n}: generated in {time.perf_counter() - t:.1f} s: " + ", ".join(
                f"{kind} {sum(1 for v in kinds.values() if v == kind)}" for kind, _ in MIX))
            modes = [False] if (args.no_similarity_run or (args.scaling and n != 400)) else [False, True]
            for similarity in modes:
                out_dir = unused_folder(work / f"out-{n}-{'sim' if similarity else 'nosim'}")
                run = grade(class_dir, out_dir, jobs=args.jobs, similarity=similarity, n=n,
                            extra=args.grade_arg)
                print_run(run, kinds)
                print(f"  load average now: {load()}")
                runs.append((run, kinds))

        rounds = [{run.n: run.wall for run, _ in runs if not run.similarity}]
        scaling_rounds = (args.rounds or 1) if args.scaling else 1  # the first is the run above
        for round_no in range(2, scaling_rounds + 1):
            walls = {}
            for n in scaling_order(sizes, round_no):
                run = grade(work / f"class-{n}", unused_folder(work / f"out-{n}-round{round_no}"),
                            jobs=args.jobs, similarity=False, n=n, extra=args.grade_arg)
                walls[n] = run.wall
                print(f"\nround {round_no}: N = {n}, without similarity: {run.wall:.2f} s wall "
                      f"({run.wall / n * 1000:.1f} ms per submission; start-up {run.startup:.2f} s, "
                      f"grading {run.grading:.2f} s, after {run.after:.2f} s), CPU {run.cpu_total:.2f} s, "
                      f"exit {run.returncode}; load average now: {load()}")
            rounds.append(walls)

        n_ref = 400 if args.scaling else args.n
        count = args.numpy_runs or min(n_ref, 400)
        wall, single = numpy_baseline(count, cores)
        per = wall / count
        print(f"\nbaseline 1: fresh `python -c \"import numpy\"`: {single * 1000:.0f} ms alone (median of 5); "
              f"{count} of them {cores} at a time: {wall:.2f} s, {per * 1000:.1f} ms each "
              f"-> {per * n_ref:.1f} s for N = {n_ref}")
        print(f"  load average now: {load()}")
        fork_exit, fault = process_floor()
        print(f"process floor: forking and ending one child of a NumPy-loaded process costs the child "
              f"{fork_exit * 1000:.1f} ms of CPU; one copy-on-write page fault {fault * 1e6:.1f} us "
              f"(a sandbox child grading a correct notebook takes about 1,600: {1600 * fault * 1000:.1f} ms)")
        if args.sample:
            class_dir = work / f"class-{n_ref}"
            kinds = {p.stem: p.stem.split("_", 1)[1] for p in class_dir.glob("*.ipynb")}
            pick = sorted(p for p in class_dir.glob("*.ipynb")
                          if kinds[p.stem] not in ("loops", "broken_json"))[:args.sample]
            kdir = work / "kernel"
            kdir.mkdir(exist_ok=True)
            times = kernel_baseline(pick, kdir)
            mean = statistics.fmean(times)
            print(f"baseline 2: nbclient, one fresh kernel per notebook (IMDB cells dropped), {len(times)} "
                  f"notebooks: {', '.join(f'{t:.2f}' for t in times)} s; mean {mean:.2f} s "
                  f"-> {mean * n_ref / cores:.0f} s for N = {n_ref} on {cores} cores")
            print(f"  load average now: {load()}")

        target = 0.15 * n_ref * single / cores
        print(describe_floor(floor_summary(n_ref, jobs=args.jobs), n=n_ref, jobs=args.jobs, target=target))
        print(f"  load average now: {load()}")

        print("\ntargets:")
        for run, _ in runs:
            if run.n == n_ref:
                verdict = "met" if run.wall <= target else "NOT met"
                print(f"  N = {run.n} ({'with' if run.similarity else 'without'} similarity): "
                      f"{run.wall:.2f} s against 0.15 x N x {single * 1000:.0f} ms / {cores} = {target:.2f} s: "
                      f"{verdict}; {per * n_ref / run.wall:.1f} x faster than a numpy process per submission")
        loops = [(sid, s) for run, kinds in runs for sid, s in run.per_sub.items() if kinds.get(sid) == "loops"]
        if loops:
            from grader.rubric import load_rubric
            rubric = load_rubric(REPO / "rubrics" / "rnn.yaml")
            timeout = rubric.part("rnn_forward").cases[0].timeout
            print(f"  looping submissions: {', '.join(f'{s:.2f}' for _, s in loops[:6])} s each "
                  f"(the rubric's timeout for rnn_forward is {timeout:g} s per call: paid once per "
                  f"submission if the worker time is about that)")
        for run, kinds in runs:
            if run.n != n_ref or run.similarity:
                continue
            loop_time = sum(s for sid, s in run.per_sub.items() if kinds.get(sid) == "loops")
            worker = sum(run.per_sub.values())
            print(f"  budget: {target:.2f} s x {cores} cores = {target * cores:.1f} s of worker time for "
                  f"N = {n_ref}; spent {worker:.1f} s, of which {loop_time:.1f} s waiting on looping "
                  f"submissions and {sum(st.get('reports', 0.0) for st in run.stages.values()):.1f} s "
                  f"writing reports")
            print("  " + describe_cpu_budget(run.cpu, budget=target * cores))
        if args.scaling:
            nosim = [run for run, _ in runs if not run.similarity]
            base = next((r for r in nosim if r.n == 400), nosim[0])
            for run in nosim:
                per_sub = run.wall / run.n
                ratio = per_sub / (base.wall / base.n)
                marginal = run.grading / max(run.n - 1, 1)
                print(f"  N = {run.n:5}: {per_sub * 1000:6.1f} ms per submission ({ratio:.2f} x N = 400); "
                      f"grading phase {marginal * 1000:6.1f} ms per submission "
                      f"({marginal / (base.grading / max(base.n - 1, 1)):.2f} x); fixed: start-up "
                      f"{run.startup:.1f} s, after {run.after:.1f} s; "
                      f"main process peak {run.memory.get('main', (0, 0))[1]:.0f} MB, "
                      f"worker peak {run.memory.get('worker', (0, 0))[1]:.0f} MB")
            small = min(nosim, key=lambda r: r.n)
            if small.n < base.n:
                print("  " + fixed_cost_line(small, base))
                print("  " + fixed_cpu_line(small, base, cores=cores))
            if len(rounds) > 1:
                print(f"  linearity over {len(rounds)} rounds (each size against the same round's N = 400):")
                for line in linearity_lines(rounds):
                    print("    " + line)
        print(f"load average at the end: {load()}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
