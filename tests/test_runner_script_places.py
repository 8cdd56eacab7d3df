"""A ``.py`` submission's places are the file's lines: "line 125", never "cell 1, line 125".

A script is read as one cell (``grader.notebook.loads``), and every place the batch's feedback and
the self-check said read "cell 1, line 125" (thirty-fourth session, as a student with a script):
the student has no cell 1, and Python's traceback of their own file says "line 125".
"""
from __future__ import annotations

import io
import re
from pathlib import Path

from grader.classfiles import DEFAULT_RUBRIC
from grader.report import feedback_markdown
from grader.runner import grade_submission
from grader.selfcheck import run_check
from tests import notebooks as nbs


def _script(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """The course's six functions in one file, with four mistakes; the file's line of each."""
    cells = dict(nbs.COURSE_CELLS)
    cells.update(nbs.mutate("rnn_cell_forward", "+ ba)", ")"))
    cells.update(nbs.mutate("lstm_cell_forward", "cct = np.tanh(np.dot(Wc, concat) + bc)", "cct = None"))
    cells.update(nbs.mutate("rnn_cell_backward", "dxt = np.dot(Wax.T, dtanh)", "dxt = np.dot(Wax, dtanh)"))
    cells.update(nbs.mutate("rnn_backward", "def rnn_backward(da, caches):", "def rnn_backward(da, caches)"))
    text = "import numpy as np\n\n" + "\n\n".join(cells.values()) + "\nrnn_forward = None\n"
    lines = text.splitlines()

    def line_of(code: str) -> int:
        return next(k for k, line in enumerate(lines, 1) if code in line)

    path = tmp_path / "hw.py"
    path.write_text(text, encoding="utf-8")
    return path, {"dxt": line_of("dxt = np.dot(Wax, dtanh)"), "cct": line_of("cct = None"),
                  "syntax": line_of("def rnn_backward(da, caches)"), "none": line_of("rnn_forward = None"),
                  "def": line_of("def rnn_cell_backward(")}


def test_a_script_s_self_check_says_its_lines_not_cell_1(tmp_path):
    path, at = _script(tmp_path)
    out = io.StringIO()
    run_check(path, rubric=DEFAULT_RUBRIC, stream=out)
    text = out.getvalue()
    assert not re.search(r"\bcell 1\b|the file, line", text), text
    assert f"at line {at['dxt']}, in rnn_cell_backward\n      >   dxt = np.dot(Wax, dtanh)" in text, text
    assert f"(line {at['cct']}: `cct = None`)" in text, text
    assert f"Syntax error in line {at['syntax']}:" in text, text
    # `rnn_forward = None` after its def is not run since the thirty-fifth session (extract's one rule
    # of a function's name): the warning names the script's line.
    assert f"Line {at['none']} of the file sets `rnn_forward` to `None`" in text, text
    assert "line numbers are those of" not in text, text  # the note's line is the file's already


def test_a_script_s_feedback_names_its_lines(tmp_path, context, sandbox):
    path, at = _script(tmp_path)
    text = feedback_markdown(grade_submission(path, context=context, sandbox=sandbox))
    assert not re.search(r"\bcell 1\b|the file, line", text), text
    assert f"## `rnn_cell_backward` (line {at['def']}):" in text, text
    assert f"(line {at['dxt']}, in rnn_cell_backward)" in text, text


def test_a_notebook_still_names_its_cells(tmp_path, context, sandbox):
    nb = nbs.course_notebook(nbs.mutate("rnn_cell_backward", "dxt = np.dot(Wax.T, dtanh)", "dxt = np.dot(Wax, dtanh)"))
    text = feedback_markdown(grade_submission(nbs.write(tmp_path / "nb.ipynb", nb), context=context, sandbox=sandbox))
    assert "## `rnn_cell_backward` (cell 16, In [10]):" in text, text
    assert "(cell 16 (In [10]), line 12, in rnn_cell_backward)" in text, text
