"""A function defined again with a syntax error after a definition that runs (thirty-seventh session,
as a student editing ``rnn_cell_forward`` in Jupyter and running check() twice).

The cell run again raises SyntaxError, so the kernel keeps the earlier ``rnn_cell_forward``, and the
grade of a notebook holding both grades the earlier one too. ``--check`` said "passed" and, of the
same function, "cannot be graded until this is fixed"; check() said "passed" and nothing of the
syntax error: a student who had edited that very cell saved a notebook whose only definition does
not parse."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np

from grader.classfiles import DEFAULT_RUBRIC
from grader.live import check
from grader.selfcheck import run_check
from tests import notebooks as nbs

_GOOD = nbs.COURSE_CELLS["rnn_cell_forward"]
_BROKEN = _GOOD.replace("+ ba)", "+ ba")
_DEF = next(k for k, line in enumerate(_GOOD.splitlines(), 1) if line.startswith("def "))


def test_the_self_check_says_which_definition_was_graded(tmp_path):
    nb = nbs.course_notebook(extra_cells=[nbs.code_cell(_BROKEN, count=9)])
    out = io.StringIO()
    run_check(nbs.write(tmp_path / "edited.ipynb", nb), rubric=DEFAULT_RUBRIC, stream=out, function="rnn_cell_forward")
    said = " ".join(out.getvalue().split())
    assert "rnn_cell_forward passed" in said, said
    assert "cannot be graded until this is fixed" not in said, said
    assert ("(In [9]), line 14: '(' was never closed. This `def rnn_cell_forward` does not run: the one graded "
            f"is your earlier definition (cell 4 (In [2]), line {_DEF}). If you meant this one, fix it and save the "
            "notebook.") in said, said


def test_check_in_jupyter_says_the_syntax_error_of_the_cell_run_again():
    namespace = {"__name__": "__main__", "np": np, "In": ["", "import numpy as np\n", _GOOD, _BROKEN]}
    exec(_GOOD, namespace)  # noqa: S102 - In [2] ran; In [3] raised SyntaxError
    out = io.StringIO()
    summary = check("rnn_cell_forward", namespace=namespace, stream=out)
    said = " ".join(out.getvalue().split())
    assert summary.verdict("rnn_cell_forward") == "passed", said
    assert ("Syntax error in In [3], line 14: '(' was never closed. This `def rnn_cell_forward` does not run: the "
            f"one graded is your earlier definition (In [2], line {_DEF}).") in said, said
    assert said.count("Syntax error") == 1, said
