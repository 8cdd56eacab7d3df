"""check() in a kernel whose import cell raised: the grade runs the imports the functions use.

A student whose first cell is ``import tensorflow as tf`` then ``import numpy as np`` and
``from rnn_utils import *`` runs it on a laptop without TensorFlow: the cell stops at its first
line, and the kernel has no ``np``, ``softmax`` or ``sigmoid``. The grade (and ``--check``) runs
the imports the functions use and passes them; check() said every function "raised an error",
``NameError: name 'np' is not defined`` (thirty-seventh session, as a student)."""
from __future__ import annotations

import io

from grader.live import check
from tests import notebooks as nbs

_IMPORTS = "import tensorflow as tf\nimport numpy as np\nfrom rnn_utils import *\n"


def _kernel_after_a_raising_import_cell() -> dict:
    """The namespace of a kernel that ran the import cell (it raised at its first line) and then
    every function's cell, as ``In`` records them."""
    cells = list(nbs.COURSE_CELLS.values())
    namespace: dict = {"__name__": "__main__", "In": ["", _IMPORTS, *cells]}
    for cell in cells:
        exec(cell, namespace)  # noqa: S102 - the kernel ran these cells; the import cell raised
    assert "np" not in namespace and "softmax" not in namespace
    return namespace


def test_functions_pass_as_in_the_grade_and_the_note_says_why():
    namespace = _kernel_after_a_raising_import_cell()
    out = io.StringIO()
    summary = check(namespace=namespace, stream=out)
    report = out.getvalue()
    assert summary.ok, report
    assert "NameError" not in report, report
    assert "`np`, `sigmoid` and `softmax` are not defined in this kernel" in report, report
    # nothing the check gave the functions is left in the student's namespace
    assert "np" not in namespace and "softmax" not in namespace and "sigmoid" not in namespace


def test_a_name_the_grade_does_not_bind_stays_missing():
    """Only what the grade's program binds is given: a test cell's value that a function reads (the
    cell raised before it) is missing in check() as in the grade."""
    namespace = _kernel_after_a_raising_import_cell()
    reading = nbs.COURSE_CELLS["rnn_cell_forward"].replace("+ ba)", "+ ba * scale)")
    namespace["In"] = [*namespace["In"], "x = 1 / 0\nscale = np.ones(1) * 1\n", reading]
    exec(reading, namespace)  # noqa: S102 - the kernel ran it; the cell before it raised
    out = io.StringIO()
    summary = check("rnn_cell_forward", namespace=namespace, stream=out)
    report = out.getvalue()
    assert summary.verdict("rnn_cell_forward") == "raised an error", report
    assert "name 'scale' is not defined" in report and "`scale`" not in report.split("About")[-1], report
    assert "scale" not in namespace and "np" not in namespace
