"""check() in Jupyter and the grade agree on the constants a graded function reads (module-level
names such as ``SCALE = 1.0``): check() gives the function the value the grade's program binds, and
hides a name the grade's program leaves unbound, whatever the kernel holds (thirty-eighth session).
Each case is checked both ways: check() on the kernel, ``--check`` on the same cells saved."""
from __future__ import annotations

import io
import linecache
import re
from pathlib import Path

import numpy as np
import pytest

from grader.classfiles import DEFAULT_RUBRIC
from grader.live import check
from grader.selfcheck import run_check
from tests import notebooks as nbs

_IMPORTS = "import numpy as np\nfrom rnn_utils import *\n"
_READING = nbs.COURSE_CELLS["rnn_cell_forward"].replace("+ ba)", "+ ba * SCALE)")


def _kernel(cells: list[str], ran: list[str], folder: Path) -> dict:
    """The namespace of a kernel whose ``In`` holds ``cells`` and which ran ``ran`` (the cells
    that did not stop at an error), each with its source where ``inspect`` finds it."""
    namespace: dict = {"__name__": "__main__", "In": ["", *cells], "np": np}
    for k, cell in enumerate(ran):
        filename = str(folder / f"ran-{k}.py")
        linecache.cache[filename] = (len(cell), None, cell.splitlines(True), filename)
        exec(compile(cell, filename, "exec"), namespace)  # noqa: S102 - the cells the kernel ran
    return namespace


def _both(cells: list[str], ran: list[str], folder: Path) -> tuple[str, str, str, str]:
    """check()'s verdict and report on the kernel, and ``--check``'s on the cells saved."""
    namespace = _kernel(cells, ran, folder)
    out = io.StringIO()
    live = check("rnn_cell_forward", namespace=namespace, stream=out)
    saved = nbs.write(folder / "student.ipynb", nbs.notebook([nbs.code_cell(c, count=k + 1)
                                                               for k, c in enumerate(cells)]))
    graded = io.StringIO()
    run_check(saved, rubric=DEFAULT_RUBRIC, stream=graded, function="rnn_cell_forward")
    verdict = re.search(r"^rnn_cell_forward +(.+?)(?:  \(|$)", graded.getvalue(), re.M).group(1)
    return live.verdict("rnn_cell_forward"), out.getvalue(), verdict, graded.getvalue()


def test_a_constant_the_kernel_lacks_is_given_as_the_grade_binds_it(tmp_path):
    # The cell stopped at its first line on a laptop without TensorFlow: no SCALE in the kernel.
    setting = "import tensorflow as tf\nSCALE = 1.0\n"
    live, report, graded, graded_report = _both([_IMPORTS, setting, _READING], [_READING], tmp_path)
    assert live == graded == "passed", (report, graded_report)  # check() said NameError before
    assert "`SCALE` is not set in this kernel" in report and "set it to `1.0`" in report, report


def test_a_constant_changed_since_in_the_kernel_is_the_grades_value(tmp_path):
    # A test cell's function changed SCALE with `global`: the grade runs the top-level `SCALE = 1.0`.
    tweak = "def tweak():\n    global SCALE\n    SCALE = 2.0\n\ntweak()\n"
    cells = [_IMPORTS, "SCALE = 1.0\n", _READING, tweak]
    live, report, graded, graded_report = _both(cells, cells[1:], tmp_path)
    assert live == graded == "passed", (report, graded_report)  # check() said "failed" before
    assert "`SCALE` is `2.0` in this kernel" in report and "check() used `1.0`" in report, report


def test_a_constant_a_loop_changed_is_missing_in_check_as_in_the_grade(tmp_path):
    # The grade leaves the loop out and no longer counts SCALE as a constant: NameError. The kernel
    # holds the loop's last value, which check() used ("failed" before, or "passed" with 1.0).
    loop = "for SCALE in (2.0, 1.0):\n    pass\n"
    cells = [_IMPORTS, "SCALE = 1.0\n", _READING, loop]
    live, report, graded, graded_report = _both(cells, cells[1:], tmp_path)
    assert live == graded == "raised an error", (report, graded_report)
    assert "name 'SCALE' is not defined" in report and "name 'SCALE' is not defined" in graded_report


@pytest.mark.parametrize("value", ["1.0", "1"])
def test_the_same_constant_in_both_says_nothing(tmp_path, value):
    cells = [_IMPORTS, f"SCALE = {value}\n", _READING]
    live, report, graded, _ = _both(cells, cells[1:], tmp_path)
    assert live == graded == "passed", report
    assert "SCALE" not in report, report
