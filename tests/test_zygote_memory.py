"""What a fork of the zygote copies and its child's exit unmaps: ``bench_child.address_space``
reads it from ``/proc``, and a zygote after its start-up stays as small as the tenth session
measured it (docs/performance-history.md, "Fork and exit (tenth session)"): every page of its
anonymous memory is a page-table entry each fork copies and each child's exit clears (about
0.15 ms of CPU per MB and session on the benchmark machine), every mapping a structure to
duplicate, and a second thread would make forking it unsafe."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_child  # noqa: E402

from grader.sandbox import Sandbox  # noqa: E402

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux /proc")

#: Bounds on a zygote after its start-up (measured: 17.3-17.7 MB, 277-280 mappings, one thread).
#: A preload that doubles the anonymous memory (a second framework, a cache kept) fails here.
ZYGOTE_ANON_MB = 32
ZYGOTE_MAPPINGS = 400


def smaps_anonymous_kb(pid: int) -> int:
    """The sum of every mapping's ``Anonymous:`` line in /proc/PID/smaps (kB), read apart from
    the rollup ``address_space`` reads."""
    return sum(int(line.split()[1]) for line in Path(f"/proc/{pid}/smaps").read_text().splitlines()
               if line.startswith("Anonymous:"))


def test_address_space_reads_a_process_that_holds_a_known_amount_of_anonymous_memory():
    # 24 MB written (private, anonymous), then the process waits: its figures do not move meanwhile.
    program = ("import mmap, sys\n"
               "m = mmap.mmap(-1, 24 << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)\n"
               "for i in range(0, 24 << 20, 4096):\n    m[i] = 1\n"
               "print('ready', flush=True)\nsys.stdin.read()\n")
    proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", program], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "ready\n"
        figures = bench_child.address_space(proc.pid)
        # the rollup and the per-mapping sum are two reads: a page or two may come between them
        assert abs(figures["anon MB"] * 1024 - smaps_anonymous_kb(proc.pid)) <= 64
        assert 24 <= figures["anon MB"] < 24 + 16  # the 24 MB, and the interpreter's own few MB
        assert figures["mappings"] == len(Path(f"/proc/{proc.pid}/maps").read_text().splitlines())
        assert figures["page tables kB"] >= (24 << 20) // 4096 * 8 / 1024  # 6,144 entries of 8 bytes: 48 kB
        assert set(figures) == {"anon MB", "page tables kB", "mappings", "huge pages MB"}
    finally:
        proc.communicate("")


def test_a_zygote_after_its_start_up_is_small_and_single_threaded():
    with Sandbox(protected_paths=[]) as sandbox:
        with sandbox.session("x = 1\n"):  # one child forked and gone: the zygote as it serves
            pass
        pid = sandbox.zygote_pid
        figures = bench_child.address_space(pid)
        threads = [line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                   if line.startswith("Threads:")]
    assert threads == ["Threads:\t1"]
    assert 0 < figures["anon MB"] < ZYGOTE_ANON_MB
    assert 0 < figures["mappings"] < ZYGOTE_MAPPINGS
