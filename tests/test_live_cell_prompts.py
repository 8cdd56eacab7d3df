"""Session 29 polish: the live check() names a kernel's cells as Jupyter shows them (In [2])."""
from __future__ import annotations

import io

import numpy as np

from grader.live import check
from tests import notebooks as nbs


def test_check_names_a_cell_by_its_prompt_not_as_cell_n():
    """A kernel's cells are numbered by execution count: the grader's "Syntax error in cell 2"
    was the cell run as In [2], which a student counting cells from the top did not find."""
    forward = nbs.COURSE_CELLS["rnn_forward"]
    history = ["", "import numpy as np\n", "def rnn_cell_forward(xt, a_prev, parameters):\n    x = (\n", forward]
    namespace = {"__name__": "__main__", "np": np, "In": history}
    exec(forward, namespace)  # noqa: S102 - the kernel ran that cell
    out = io.StringIO()
    check(namespace=namespace, stream=out)
    report = out.getvalue()
    assert "Syntax error in In [2], line 2" in report, report
    assert "cell 2" not in report, report
