"""The zygote holds its heap's free chunks (``_child.plug_heap_holes``), so that a child's
allocations fill fresh pages past the heap's top instead of the free space of pages it shares with
the zygote, a page copied for each (``benchmarks/bench_cow.py``: about 130 of a child's 180
copied heap pages before; "The child's and the zygote's pages" in docs/performance-history.md)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_cow  # noqa: E402

from grader import _child  # noqa: E402
from grader.sandbox import Sandbox  # noqa: E402

glibc = pytest.mark.skipif(_child.libc is None or not hasattr(_child.libc, "mallinfo2"),
                           reason="glibc's mallinfo2 (2.33+)")

# A heap with holes: 3,000 blocks of 40 to 4,000 bytes, every other one freed (2.9 MB of free
# chunks between live ones), then plugged; its free bytes outside the top chunk, before
# and after, from mallinfo2 (the thread cache's chunks are not among them: it holds at most 7
# of each of its sizes, and the plug takes those first).
def fragmenting(blocks: int) -> str:
    """A script's start that makes a heap with holes: ``blocks`` blocks of 40 to 4,000 bytes
    from glibc's malloc, every other one freed; ``libc`` is the grader's C library."""
    return f"""
import ctypes, sys
sys.path.insert(0, sys.argv[1])
from grader import _child
libc = _child.libc
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, (ctypes.c_size_t,)
libc.free.argtypes = (ctypes.c_void_p,)
libc.mallinfo2.restype = _child.MallInfo2
blocks = [libc.malloc(40 + (i * 37) % 4000) for i in range({blocks})]
for block in blocks[::2]:
    libc.free(block)
"""


FRAGMENTED = fragmenting(3000) + """
def holes():
    info = libc.mallinfo2()
    return info.fordblks - info.keepcost
before = holes()
held = _child.plug_heap_holes()
print(before, holes(), len(held))
"""


@glibc
def test_the_plug_takes_every_free_chunk_of_a_fragmented_heap():
    out = subprocess.run([sys.executable, "-I", "-S", "-c", FRAGMENTED, str(REPO)], capture_output=True,
                         text=True, check=True).stdout.split()
    before, after, held = (int(x) for x in out)
    assert before > 1 << 20  # the holes made: 2.9 MB
    # 25 kB left: pieces of 64 bytes that the smallest sizes' splits leave after the 64-byte turn
    assert after < before // 50
    assert held >= 1500  # a block for each hole at least


@glibc
def test_the_plug_asks_for_sizes_largest_first_and_under_the_mmap_threshold():
    sizes = _child._PLUG_SIZES
    assert list(sizes) == sorted(sizes, reverse=True) and len(set(sizes)) == len(sizes)
    assert max(sizes) <= 1 << 16  # never a block of its own mapping (the default threshold: 128 kB)
    assert min(sizes) == 24  # the smallest chunk (32 bytes)
    # every chunk size of the thread cache and the small bins: 32, 48, ..., 1,040
    assert {s + 8 for s in sizes if s + 8 <= 1040} == set(range(32, 1041, 16))


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0,
                    reason="reads the zygote's memory through /proc (root)")
@glibc
def test_a_zygote_serving_children_holds_almost_no_free_chunk_in_its_heap():
    # Without the plug: 0.3-0.5 MB in about 400 free chunks in a class run's zygote (bench_cow
    # --diff), 2.9 MB in this one; with it, what the zygote's own loop freed since: 5-10 kB.
    with Sandbox(protected_paths=[]) as sandbox:
        for _ in range(3):
            with sandbox.session("import numpy as np\nx = np.ones((50, 50)) @ np.ones((50, 50))\n"):
                pass
        free = bench_cow.heap_free_ranges(sandbox.zygote_pid)
    end = max(b for _, b in free)
    holes = sum(b - a for a, b in free if b != end)  # the top chunk aside
    assert holes < 64 << 10


# The plug where "below the top" is always true (a C library whose program break says nothing of
# its heap's top): it stops at the bins' free bytes and the thread cache's, not at `limit` blocks.
UNBOUNDED_TOP = """
import ctypes, sys
sys.path.insert(0, sys.argv[1])
from grader import _child
real = _child.libc
class Libc:
    malloc, free, mallinfo2 = real.malloc, real.free, real.mallinfo2
    @staticmethod
    def sbrk(_):
        return 1 << 62
_child.libc = Libc()
real.mallinfo2.restype = _child.MallInfo2  # a structure returned by value: never call it as int
start = real.mallinfo2()
held = _child.plug_heap_holes()
print(start.fordblks - start.keepcost, len(held))
"""


@glibc
def test_the_plug_takes_no_more_than_the_free_bytes_when_every_block_seems_a_hole():
    out = subprocess.run([sys.executable, "-I", "-S", "-c", UNBOUNDED_TOP, str(REPO)], capture_output=True,
                         text=True, check=True).stdout.split()
    free, held = (int(x) for x in out)
    # each block at least 24 bytes: no more blocks than the budget allows, far under the 65,536 limit
    assert held <= (free + _child._TCACHE_BYTES) // 24 + 1
    assert held < 1 << 16


# The plug on a heap of 3,000 holes, counting its calls of mallinfo2: glibc's int_mallinfo walks
# every free chunk of every bin at each call, so a call per malloc made the plug quadratic or
# worse in the holes (0.05 s for 1,500 holes, 3.6 s for 6,000, 352 s for 24,000 on this machine).
COUNTED = fragmenting(6000) + """
real = libc
calls = [0]
def mallinfo2():
    calls[0] += 1
    return real.mallinfo2()
class Libc:
    malloc, free, sbrk = real.malloc, real.free, real.sbrk
_child.libc = Libc()
Libc.mallinfo2 = staticmethod(mallinfo2)
held = _child.plug_heap_holes()
print(calls[0], len(held), len(_child._PLUG_SIZES))
"""


@glibc
def test_the_plug_reads_the_heaps_figures_a_few_times_a_size_not_once_a_block():
    out = subprocess.run([sys.executable, "-I", "-S", "-c", COUNTED, str(REPO)], capture_output=True,
                         text=True, check=True).stdout.split()
    calls, held, sizes = (int(x) for x in out)
    assert held >= 1500  # the holes were taken
    assert calls <= sizes + 1  # once at the start, then once at each size's start



# Each child lists its directory before writing a file into it, and reports its HOME, TMPDIR and cwd.
HOME = """
import os
found = sorted(os.listdir("."))
open("left", "w").write("x")
def home():
    return os.environ["HOME"], os.environ["TMPDIR"], os.getcwd(), found
"""


def test_children_one_after_another_reuse_one_directory_name():
    # A new name per child made the zygote's setenv keep a new string per child (glibc keeps
    # every value it was given): about 140 bytes a child, free chunks back after the plug, and
    # past about 2,500 children a plug that cost more than it saved. One live child at a time
    # now names the same directory; each child still finds it empty and its own.
    seen = []
    with Sandbox(protected_paths=[]) as sandbox:
        for _ in range(4):
            with sandbox.session(HOME) as session:
                home, tmpdir, cwd, found = session.call("home", ()).value
                assert home == tmpdir == cwd
                assert found == []  # the last child's file went with its directory
                seen.append(home)
    assert len(set(seen)) == 1
