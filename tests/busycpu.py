"""A child kept short of CPU, for the tests of how a call's time is charged on a busy machine:
a student program that burns CPU on request, and busy processes sharing the child's CPU."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager

#: A student program: ``pid()`` (for pinning it), ``burn(seconds)`` (that much of its own CPU).
BURNER = textwrap.dedent("""
    import os
    import time

    def pid():
        return os.getpid()

    def burn(seconds):
        start = time.process_time()
        while time.process_time() - start < seconds:
            pass
        return seconds
""")

_HOG = "import os, sys\nos.sched_setaffinity(0, {0})\nsys.stdout.write('x')\nsys.stdout.flush()\nwhile True:\n    pass\n"


@contextmanager
def sharing_cpu_0(pid: int, *, hogs: int):
    """Pin process ``pid`` to CPU 0 and keep ``hogs`` busy processes of ours there while inside.

    Each hog is a session of its own (with the kernel's autogroups, CPU time is shared between
    sessions first) and says when it spins: on a loaded machine a Python start can take longer
    than any fixed wait."""
    os.sched_setaffinity(pid, {0})
    procs = [subprocess.Popen([sys.executable, "-c", _HOG], stdout=subprocess.PIPE, start_new_session=True)
             for _ in range(hogs)]
    try:
        for proc in procs:
            assert proc.stdout.read(1) == b"x"
        time.sleep(0.05)
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
            proc.stdout.close()
