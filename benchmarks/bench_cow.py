"""Which pages a sandbox child writes, and why: its page faults by phase and its pages by mapping.

Grades a notebook `-n` times through the real zygote (as ``bench_child.py`` does) and, for each
child, reads the kernel's page tables (Linux, as root: ``/proc/PID/pagemap`` gives each page's
frame number) at three points where the child waits for the grading process: after its set-up
(fork, isolation, limits: the child blocked in its first ``recv``), after the program's load,
and after the last call (just before the session closes it). Each of the child's present pages
is compared with the zygote's page at the same address, read while the zygote was idle just
before the spawn:

* ``copied``: the zygote had a page there and the child holds another frame (copy-on-write);
* ``fresh``: the zygote had no page there (anonymous memory new since the fork);
* ``mapped``: a file's page the zygote did not map and the child does (code and read-only data
  faulted in by fault-around, no copy).

Pages are counted by mapping (``[heap]``, Python's arenas and other anonymous mappings,
libpython's and NumPy's writable data, the stack, ...) and by phase, with the child's minor
faults (``/proc/PID/stat``) per phase; then the zygote's address space (what a fork copies).
Figures are medians per child over the `-n` children.

    python3 benchmarks/bench_cow.py [--notebook PATH] [-n 20] [--top 25] [--diff] [--repo CHECKOUT]

With ``--against OTHER``, the CPU and page faults a child and the zygote cost per graded notebook
instead (``bench_child.py``'s notebook scenario, ``-n`` sessions a round): this checkout's grader
and OTHER's run *at the same time*, each in a process of its own, so that both see the same load
on a shared machine, and each round's figures are compared in pairs (which one starts first
alternates). Printed: the medians, each figure's paired difference (median) and in how many
rounds this checkout's was lower.

    python3 benchmarks/bench_cow.py --against /work/base [-n 100] [--rounds 10]
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import struct
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_grading's set-up, for --against
if "--repo" in sys.argv:  # read the children of another checkout's grader
    REPO = Path(sys.argv[sys.argv.index("--repo") + 1]).resolve()
sys.path.insert(0, str(REPO))

from grader import sandbox as sandbox_module  # noqa: E402
from grader.sandbox import Sandbox  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
PRESENT, PFN_MASK = 1 << 63, (1 << 55) - 1
# system calls of a process waiting on its socket (x86-64: read, recvfrom, recvmsg, poll, ppoll)
WAITING_CALLS = {0, 45, 47, 7, 271}


def mappings(pid: int) -> list[tuple[int, int, str, str]]:
    """(start, end, permissions, name) of each mapping of `pid`; anonymous ones named ``[anon]``."""
    out = []
    with open(f"/proc/{pid}/maps") as handle:
        for line in handle:
            fields = line.split(None, 5)
            start, end = (int(x, 16) for x in fields[0].split("-"))
            name = fields[5].strip() if len(fields) > 5 else "[anon]"
            out.append((start, end, fields[1], name))
    return out


def frames(pid: int) -> dict[int, tuple[int, str, str]]:
    """Page address -> (frame number, mapping's name, permissions) of every present page."""
    out: dict[int, tuple[int, str, str]] = {}
    with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for start, end, perms, name in mappings(pid):
            if name == "[vsyscall]":
                continue
            pagemap.seek(start // PAGE * 8)
            data = pagemap.read((end - start) // PAGE * 8)
            for i, entry in enumerate(struct.unpack(f"<{len(data) // 8}Q", data)):
                if entry & PRESENT:
                    out[start + i * PAGE] = (entry & PFN_MASK, name, perms)
    return out


def minor_faults(pid: int) -> int:
    """The process's minor page faults so far."""
    with open(f"/proc/{pid}/stat", "rb") as handle:
        return int(handle.read().rsplit(b")", 1)[1].split()[7])


def wait_until_waiting(pid: int, timeout: float = 2.0) -> None:
    """Return once `pid` sleeps in a system call that waits for input (its set-up done)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open(f"/proc/{pid}/syscall") as handle:
                number = handle.read().split()[0]
            with open(f"/proc/{pid}/stat", "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            return
        if state == b"S" and number.isdigit() and int(number) in WAITING_CALLS:
            return
        time.sleep(0.0002)


def kind(name: str, perms: str) -> str:
    """A mapping's class for the tally: the file's base name with r/w/x, or the anonymous kind."""
    if name.startswith("/"):
        return f"{os.path.basename(name)} {perms[:3]}"
    return name


def classify(child: dict, zygote: dict, before: dict | None) -> collections.Counter:
    """The child's pages new since `before` (None: since the fork) by (mapping, how)."""
    tally: collections.Counter = collections.Counter()
    for addr, (pfn, name, perms) in child.items():
        if before is not None and before.get(addr, (None,))[0] == pfn:
            continue
        z = zygote.get(addr)
        if z is not None and z[0] == pfn:
            continue  # still the zygote's page
        if z is not None:
            how = "copied"
        elif name.startswith("/") and "w" not in perms:
            how = "mapped"
        else:
            how = "fresh"
        tally[(kind(name, perms), how)] += 1
    return tally


def page_contents(pid: int, pages: dict) -> dict[int, bytes]:
    """The bytes of each present page of `pid` that is anonymous or in a writable mapping."""
    out = {}
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for addr, (pfn, name, perms) in pages.items():
            if "w" in perms:
                try:
                    mem.seek(addr)
                    out[addr] = mem.read(PAGE)
                except OSError:
                    pass
    return out


def changed_words(pid: int, before: dict[int, bytes], child: dict, zygote: dict) -> collections.Counter:
    """For each page the child copied: (mapping, how many 8-byte words differ from the zygote's
    page before the fork, bucketed). 0 words: written back to what it was (a reference count up
    and down), a few: reference counts and fields, many: new objects in free space."""
    out: collections.Counter = collections.Counter()
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for addr, old in before.items():
            pfn, name, perms = child.get(addr, (None, "", ""))
            if pfn is None or pfn == zygote[addr][0]:
                continue  # not copied
            try:
                mem.seek(addr)
                new = mem.read(PAGE)
            except OSError:
                continue
            if new == old:
                n = 0
            else:
                a, b = struct.unpack(f"<{PAGE // 8}Q", old), struct.unpack(f"<{PAGE // 8}Q", new)
                n = sum(x != y for x, y in zip(a, b))
            bucket = next(label for limit, label in ((0, "0"), (1, "1"), (4, "2-4"), (16, "5-16"),
                                                      (64, "17-64"), (PAGE, ">64")) if n <= limit)
            out[(kind(name, perms), bucket)] += 1
    return out


def heap_free_ranges(pid: int) -> list[tuple[int, int]]:
    """glibc's free chunks in `pid`'s ``[heap]`` (binned ones: the next chunk's PREV_INUSE bit
    clear; and those in the thread cache, from its lists): (start, end) of each chunk's body; the
    top chunk's ends at the heap's end."""
    start, end = next((s, e) for s, e, _, name in mappings(pid) if name == "[heap]")
    free: list[tuple[int, int]] = []
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        def word(addr: int) -> int:
            mem.seek(addr)
            return struct.unpack("<Q", mem.read(8))[0]
        chunk = start
        while chunk < end:
            size = word(chunk + 8) & ~7
            if size == 0 or chunk + size >= end:
                free.append((chunk + 16, end))  # the top chunk
                break
            if not word(chunk + size + 8) & 1:
                free.append((chunk + 16, chunk + size))
            chunk += size
        # the thread cache (glibc 2.30+): uint16 counts[64], then 64 list heads (safe-linked)
        mem.seek(start + 16)
        counts = struct.unpack("<64H", mem.read(128))
        heads = struct.unpack("<64Q", mem.read(512))
        for count, entry in zip(counts, heads):
            for _ in range(count):
                if not start <= entry < end:
                    break
                size = word(entry - 8) & ~7
                free.append((entry, entry - 16 + size))
                entry = (entry >> 12) ^ word(entry)
    return free


class Probe:
    """Wraps the grading process's side of a session to read a child's pages at the three points."""

    def __init__(self, sandbox: Sandbox, *, diff: bool = False) -> None:
        self.sandbox = sandbox
        self.diff = diff
        self.heap_free: list[tuple[int, int]] = []
        self.children: list[dict] = []
        self.current: dict | None = None

    def install(self) -> None:
        """Hook Sandbox._spawn (zygote before, child after its set-up), Session._run (after each
        exchange) and Session.close (the last reading)."""
        probe, spawn, run, close = self, Sandbox._spawn, sandbox_module.Session._run, sandbox_module.Session.close

        def spawned(sandbox: Sandbox, uid, limits):
            zygote = frames(sandbox.zygote_pid)
            contents = page_contents(sandbox.zygote_pid, zygote) if probe.diff else None
            if probe.diff and not probe.heap_free:
                probe.heap_free = heap_free_ranges(sandbox.zygote_pid)
            child = spawn(sandbox, uid, limits)
            wait_until_waiting(child.pid)
            probe.current = {"pid": child.pid, "zygote": zygote, "readings": [], "contents": contents,
                             "faults": [minor_faults(child.pid)]}
            probe.current["readings"].append(frames(child.pid))
            return child

        def ran(session, *args, **kwargs):
            out = run(session, *args, **kwargs)
            probe.read_child(last=False)
            return out

        def closed(session):
            probe.read_child(last=True)
            return close(session)

        Sandbox._spawn, sandbox_module.Session._run, sandbox_module.Session.close = spawned, ran, closed

    def read_child(self, *, last: bool) -> None:
        """Read the current child's pages: the load's reading after the first exchange, the
        calls' at the session's close."""
        cur = self.current
        if cur is None:
            return
        try:
            reading, faults = frames(cur["pid"]), minor_faults(cur["pid"])
        except OSError:
            return
        if len(cur["readings"]) == 1:  # the load's exchange
            cur["readings"].append(reading)
            cur["faults"].append(faults)
        elif last:
            cur["readings"].append(reading)
            cur["faults"].append(faults)
            if cur["contents"] is not None:
                cur["changes"] = changed_words(cur["pid"], cur["contents"], reading, cur["zygote"])
                cur["pools"] = collections.Counter(
                    pool_state(cur["contents"], a) for a, (pfn, name, _) in reading.items()
                    if name == "[anon]" and a in cur["zygote"] and cur["zygote"][a][0] != pfn)
            self.children.append(cur)
            self.current = None


PHASES = ("set-up", "load", "calls")


def summarise(children: list[dict], top: int) -> None:
    """Print the medians per child: faults per phase, pages by how and phase, pages by mapping."""
    done = [c for c in children if len(c["readings"]) == 3]
    print(f"{len(done)} children read")
    faults = {p: [c["faults"][i] - (c["faults"][i - 1] if i else 0) for c in done] for i, p in enumerate(PHASES)}
    print("minor faults per phase (median): " + ", ".join(f"{p} {statistics.median(v):.0f}" for p, v in faults.items())
          + f"; total {statistics.median(c['faults'][2] for c in done):.0f}")
    per_phase = []
    for c in done:
        tallies = [classify(c["readings"][0], c["zygote"], None),
                   classify(c["readings"][1], c["zygote"], c["readings"][0]),
                   classify(c["readings"][2], c["zygote"], c["readings"][1])]
        per_phase.append(tallies)
    print(f"{'pages':24s} " + " ".join(f"{p:>8s}" for p in PHASES) + "    total")
    for how in ("copied", "fresh", "mapped"):
        row = [statistics.median(sum(n for (k, h), n in t[i].items() if h == how) for t in per_phase)
               for i in range(3)]
        total = statistics.median(sum(n for t in ts for (k, h), n in t.items() if h == how) for ts in per_phase)
        print(f"{how:24s} " + " ".join(f"{x:8.0f}" for x in row) + f" {total:8.0f}")
    keys = collections.Counter()
    for ts in per_phase:
        for t in ts:
            keys.update(t)
    print(f"\nby mapping (median per child; {'/'.join(PHASES)}):")
    for (name, how), _ in sorted(keys.items(), key=lambda kv: -kv[1])[:top]:
        row = [statistics.median(t[i][(name, how)] for t in per_phase) for i in range(3)]
        print(f"  {how:7s} {sum(row):6.0f} = " + "/".join(f"{x:.0f}" for x in row) + f"  {name}")


def summarise_changes(children: list[dict]) -> None:
    """Median per child of the pages whose words differ from the zygote's, by mapping and count;
    pages whose frame is still the zygote's are not counted (they differ in nothing)."""
    done = [c for c in children if "changes" in c]
    keys = collections.Counter()
    for c in done:
        keys.update(c["changes"])
    buckets = ("0", "1", "2-4", "5-16", "17-64", ">64")
    names = sorted({k for k, _ in keys}, key=lambda n: -sum(keys[(n, b)] for b in buckets))[:8]
    print("\npages written by the child, by words changed since the fork (median per child):")
    print(f"  {'mapping':40s} " + " ".join(f"{b:>6s}" for b in buckets))
    for name in names:
        print(f"  {name[:40]:40s} " + " ".join(f"{statistics.median(c['changes'][(name, b)] for c in done):6.0f}"
                                            for b in buckets))


POOL = 1 << 14  # CPython 3.10+ on 64 bits: 16 kB pools in 1 MB arenas, blocks 16 bytes apart


def pool_state(contents: dict[int, bytes], addr: int) -> str:
    """What page `addr` of an anonymous mapping was in the zygote, read from its pymalloc pool's
    header: ``full pool``, ``pool with room`` (free blocks, or room never used) or ``not a pool``;
    ``, header page`` when it is the pool's first page (each allocation and free writes it)."""
    base = addr - addr % POOL
    head = contents.get(base)
    if head is None:
        return "not a pool"
    count, freeblock, _, _, _, szidx, nextoffset, maxnextoffset = struct.unpack("<IxxxxQQQIIII", head[:48])
    size = (szidx + 1) * 16
    if szidx >= 32 or not 48 <= nextoffset <= POOL or maxnextoffset != POOL - size:
        return "not a pool"
    capacity = (POOL - 48) // size
    where = ", header page" if addr == base else ""
    return ("full pool" if count >= capacity and freeblock == 0 else "pool with room") + where


def summarise_pools(children: list[dict]) -> None:
    """The child's copied anonymous pages by what their pymalloc pool was in the zygote."""
    done = [c for c in children if "pools" in c]
    keys = sorted({k for c in done for k in c["pools"]})
    print("\nchild's copied anonymous pages by their pool in the zygote (median per child, words changed):")
    for key in keys:
        print(f"  {statistics.median(c['pools'][key] for c in done):5.0f}  {key}")


def summarise_heap(children: list[dict], free: list[tuple[int, int]]) -> None:
    """The zygote's free heap chunks (top excluded) and how many of the child's copied heap pages
    held some of them."""
    end = max(b for _, b in free)
    top = next(a for a, b in free if b == end)  # the top chunk runs to the heap's end
    free_pages = collections.Counter()
    body = [(a, b) for a, b in free if b != end]
    for a, b in body:
        p = a - a % PAGE
        while p < b:
            free_pages[p] += min(b, p + PAGE) - max(a, p)
            p += PAGE
    print(f"\nzygote's heap: {len(body)} free chunks, {sum(b - a for a, b in body) / 1024:.0f} kB, "
          f"on {len(free_pages)} pages")
    done = [c for c in children if len(c["readings"]) == 3]
    with_free, in_top, without = [], [], []
    for c in done:
        copied = [a for a, (pfn, name, _) in c["readings"][2].items()
                  if name == "[heap]" and a in c["zygote"] and c["zygote"][a][0] != pfn]
        with_free.append(sum(1 for a in copied if a in free_pages))
        in_top.append(sum(1 for a in copied if a + PAGE > top and a not in free_pages))
        without.append(len(copied) - with_free[-1] - in_top[-1])
    print(f"zygote's top chunk: {(end - top) / 1024:.0f} kB, "
          f"{sum(1 for a in range(top - top % PAGE, end, PAGE) if a in done[0]['zygote'])} pages present")
    print(f"child's copied heap pages (median): {statistics.median(with_free):.0f} held free chunks, "
          f"{statistics.median(in_top):.0f} in the top chunk, {statistics.median(without):.0f} neither")


def zygote_space(pid: int) -> None:
    """What a fork copies: anonymous memory, page tables, mappings (with and without anonymous pages)."""
    space = {}
    with open(f"/proc/{pid}/smaps_rollup") as handle:
        for line in handle:
            key, _, rest = line.partition(":")
            if key in ("Rss", "Anonymous", "Private_Dirty", "Shared_Dirty"):
                space[key] = int(rest.split()[0]) / 1024
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmPTE:"):
                space["page tables kB"] = float(line.split()[1])
    maps = mappings(pid)
    z = frames(pid)
    anon_maps = collections.Counter()
    for addr, (pfn, name, perms) in z.items():
        anon_maps[kind(name, perms)] += 1
    print(f"\nzygote {pid}: " + ", ".join(f"{k} {v:.1f}" + (" MB" if "kB" not in k else "") for k, v in space.items())
          + f"; {len(maps)} mappings; {len(z)} present pages")
    print("  present pages by mapping: " + ", ".join(f"{n} {k}" for k, n in anon_maps.most_common(12)))


def paired(args: argparse.Namespace) -> int:
    """Rounds of bench_child.py's notebook scenario, this checkout and another at the same time."""
    import json
    import subprocess
    from bench_grading import installed
    repos = {"this": Path(__file__).resolve().parents[1], "other": args.against.resolve()}
    for repo in repos.values():  # compiled alike (see bench_child.compare)
        print("set-up: " + installed(repo), flush=True)
    print(f"this = {repos['this']}, other = {repos['other']}; load average {os.getloadavg()[0]:.2f}; "
          f"{args.rounds} rounds of {args.n} sessions, both at once", flush=True)
    rows: dict[str, list[dict]] = {"this": [], "other": []}
    for i in range(args.rounds):
        procs = {who: subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve().parent / "bench_child.py"), "--grader-of",
             str(repos[who]), "-n", str(args.n), "--rounds", "1", "--only-notebook", "--notebook",
             str(args.notebook)], stdout=subprocess.PIPE, text=True)
            for who in (("this", "other") if i % 2 == 0 else ("other", "this"))}
        for who, proc in procs.items():
            out, _ = proc.communicate()
            if proc.returncode:
                raise SystemExit(f"bench_child.py failed for {repos[who]}")
            figures = json.loads(out.strip().splitlines()[-1])
            rows[who].append(next(v[0] for k, v in figures.items() if k.startswith("grade ")))
        a, b = rows["other"][-1], rows["this"][-1]
        print(f"round {i + 1}: child+zygote ms {a['child ms'] + a['zygote ms']:.2f} (other) "
              f"{b['child ms'] + b['zygote ms']:.2f} (this); load average {os.getloadavg()[0]:.2f}", flush=True)
    for row in rows.values():
        for r in row:
            r["child+zygote ms"] = r["child ms"] + r["zygote ms"]
    for key in ("child ms", "zygote ms", "child+zygote ms", "child faults", "zygote faults", "grader ms"):
        diffs = [t[key] - o[key] for t, o in zip(rows["this"], rows["other"])]
        fmt = "{:.0f}" if "faults" in key else "{:.2f}"
        print(f"{key:16s} other {fmt.format(statistics.median(r[key] for r in rows['other']))}, "
              f"this {fmt.format(statistics.median(r[key] for r in rows['this']))}; paired difference "
              f"{'+' if statistics.median(diffs) >= 0 else ''}{fmt.format(statistics.median(diffs))}, "
              f"this lower in {sum(d < 0 for d in diffs)} of {len(diffs)}")
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Grade the notebook n times with the probe installed and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="children to read")
    parser.add_argument("--notebook", type=Path, default=Path("/work/class400/s0001_correct.ipynb"))
    parser.add_argument("--top", type=int, default=25, help="mappings to list")
    parser.add_argument("--repo", type=Path, help="the checkout whose grader to read (default: this one)")
    parser.add_argument("--against", type=Path, help="another checkout: CPU and faults in pairs, at the same time")
    parser.add_argument("--rounds", type=int, default=10, help="rounds of --against")
    parser.add_argument("--diff", action="store_true",
                        help="also count, for each page the child wrote, the words it changed")
    args = parser.parse_args(argv)
    if args.against is not None:
        return paired(args)
    if os.geteuid() != 0 or not sys.platform.startswith("linux"):
        print("needs root on Linux (frame numbers in /proc/PID/pagemap)")
        return 1
    from grader import runner
    from grader.commands import load_context
    from grader.runner import grade_submission
    context = load_context(REPO / "rubrics" / "rnn.yaml")
    options = {"layouts": runner.answer_layouts(context), "arg_layouts": runner.argument_layouts(context)}
    print(f"grader of {REPO}; load average {os.getloadavg()[0]:.2f}; {args.notebook.name}, {args.n} children",
          flush=True)
    with Sandbox(protected_paths=[], **options) as sandbox:
        for _ in range(5):  # warm: the zygote's first sessions write pages it keeps after
            grade_submission(args.notebook, context=context, sandbox=sandbox)
        probe = Probe(sandbox, diff=args.diff)
        probe.install()
        for _ in range(args.n):
            grade_submission(args.notebook, context=context, sandbox=sandbox)
            time.sleep(0.01)
        summarise(probe.children, args.top)
        if args.diff:
            summarise_changes(probe.children)
            summarise_heap(probe.children, probe.heap_free)
            summarise_pools(probe.children)
        zygote_space(sandbox.zygote_pid)
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
