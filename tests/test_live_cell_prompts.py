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


def test_an_error_s_place_is_said_once_as_the_prompt(monkeypatch):
    """The runner writes the place after the exception ("Raised ValueError: ... (cell 7, line 12, in
    f)") and the check says it on its own line; check() said "cell 7" as "In [7]" in the message
    first, so the place was no longer found to be left out and was said twice (thirty-sixth
    session, as a student in IPython: "... != 5 (dim 0) (In [7], line 12, in rnn_cell_backward).
    In a matrix product ..." then "at In [7], line 12, in rnn_cell_backward")."""
    import linecache

    from grader import live

    backward = nbs.COURSE_CELLS["rnn_cell_backward"].replace("np.dot(Wax.T, dtanh)", "np.dot(Wax, dtanh)")
    assert backward != nbs.COURSE_CELLS["rnn_cell_backward"]
    filename = "/tmp/ipykernel_1/7.py"
    linecache.cache[filename] = (len(backward), None, backward.splitlines(True), filename)
    monkeypatch.setattr(live, "_ipython_cells", lambda: {filename: 7})
    namespace = {"__name__": "__main__", "np": np, "In": ["", "import numpy as np\n"] + [""] * 5 + [backward]}
    exec(compile(backward, filename, "exec"), namespace)  # noqa: S102 - the kernel ran that cell as In [7]
    out = io.StringIO()
    check("rnn_cell_backward", namespace=namespace, stream=out)
    report = out.getvalue()
    assert "      at In [7], line 12, in rnn_cell_backward\n" in report, report
    assert report.count("line 12") == 1 and "(In [7]" not in report and "cell 7" not in report, report
