"""The premise check of the busy-CPU tests (``tests.busycpu``): a CPU 0 shared with a process not
the test's own is seen, so those tests skip instead of measuring the machine."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.busycpu import _HOG, FREE_SHARE, cpu_0_share

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="CPU affinity")


def test_a_busy_process_on_cpu_0_is_seen_by_the_premise_check():
    hog = subprocess.Popen([sys.executable, "-c", _HOG], stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert hog.stdout.read(1) == b"x"  # it spins on CPU 0
        share = cpu_0_share()
    finally:
        hog.kill()
        hog.wait()
        hog.stdout.close()
    assert share < FREE_SHARE, share
