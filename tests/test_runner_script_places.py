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


def _exported(tmp_path: Path, *, training: bool = False) -> tuple[Path, int]:
    """The course's functions as Jupyter's File > Save and Export as > Executable Script writes
    them: ``# In[n]:`` and two blank lines before each cell; ``rnn_cell_backward`` (In [10]) wrong.
    Returns the file and the line of the wrong product."""
    cells = dict(nbs.COURSE_CELLS)
    cells.update(nbs.mutate("rnn_cell_backward", "dxt = np.dot(Wax.T, dtanh)", "dxt = np.dot(Wax, dtanh)"))
    text = "#!/usr/bin/env python\n# coding: utf-8\n\n# In[1]:\n\n\nimport numpy as np\n"
    for count, source in enumerate(cells.values(), 5):
        text += f"\n\n# In[{count}]:\n\n\n{source}"
    if training:
        text += "\n\n# In[20]:\n\n\nhistory = model.fit(x_train, y_train, epochs=3)\n"
    path = tmp_path / "exported.py"
    path.write_text(text, encoding="utf-8")
    return path, next(k for k, line in enumerate(text.splitlines(), 1) if "dxt = np.dot(Wax, dtanh)" in line)


def test_an_exported_script_s_place_names_its_jupyter_cell_too(tmp_path):
    """A script saved by Jupyter marks each cell ``# In[n]:``: the student who fixes the function in
    the notebook is told the cell and its line beside the file's line ("line 125" alone sent them
    counting lines of a file they do not edit)."""
    path, line = _exported(tmp_path)
    backward = nbs.COURSE_CELLS["rnn_cell_backward"].splitlines()
    in_cell = next(k for k, text in enumerate(backward, 1) if "dxt = np.dot(Wax.T, dtanh)" in text)
    out = io.StringIO()
    run_check(path, rubric=DEFAULT_RUBRIC, stream=out, function="rnn_cell_backward")
    said = out.getvalue()
    assert f"      at line {line} (In [9], line {in_cell}), in rnn_cell_backward\n" in said, said
    unrun = path.read_text(encoding="utf-8").replace("# In[9]:", "# In[ ]:")  # a cell never run: no prompt
    path.write_text(unrun, encoding="utf-8")
    out = io.StringIO()
    run_check(path, rubric=DEFAULT_RUBRIC, stream=out, function="rnn_cell_backward")
    assert f"      at line {line}, in rnn_cell_backward\n" in out.getvalue(), out.getvalue()  # not In [8]'s
    plain, _ = _script(tmp_path)  # no markers: the file's line alone, as before
    out = io.StringIO()
    run_check(plain, rubric=DEFAULT_RUBRIC, stream=out, function="rnn_cell_backward")
    assert re.search(r"      at line \d+, in rnn_cell_backward\n", out.getvalue()), out.getvalue()


def test_a_script_that_trains_a_model_is_told_a_py_holds_no_outputs(tmp_path):
    """A ``.py`` holds no outputs at all: the note said "the cell that trains a model (cell 1) holds no
    output ... save the notebook with the outputs", of a file that has no cell 1 and cannot hold one."""
    path, _ = _exported(tmp_path, training=True)
    out = io.StringIO()
    run_check(path, rubric=DEFAULT_RUBRIC, stream=out)
    said = " ".join(out.getvalue().split())
    assert "cell 1" not in said, said
    assert "Note: a .py file holds no outputs" in said and "submit the notebook (.ipynb) saved with its outputs" in said, said


def test_every_place_an_exported_script_s_check_and_feedback_name_says_its_jupyter_cell(tmp_path, context, sandbox):
    """Not the "at" line alone (thirty-seventh session): a placeholder's line, a syntax error, the
    feedback's headings and its "(line ..., in f)" say the cell's prompt and line too."""
    path, line = _exported(tmp_path)
    text = path.read_text(encoding="utf-8")
    text = text.replace("cct = np.tanh(np.dot(Wc, concat) + bc)", "cct = None")
    text = text.replace("def rnn_backward(da, caches):", "def rnn_backward(da, caches)")
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    cct = next(k for k, code in enumerate(lines, 1) if "cct = None" in code)
    syntax = next(k for k, code in enumerate(lines, 1) if "def rnn_backward(da, caches)" in code)
    cct_in_cell = next(k for k, code in enumerate(nbs.COURSE_CELLS["lstm_cell_forward"].splitlines(), 1)
                       if "cct = np.tanh" in code)
    backward = next(k for k, code in enumerate(nbs.COURSE_CELLS["rnn_cell_backward"].splitlines(), 1)
                    if "dxt = np.dot(Wax.T, dtanh)" in code)
    syntax_in_cell = next(k for k, code in enumerate(nbs.COURSE_CELLS["rnn_backward"].splitlines(), 1)
                          if code.startswith("def rnn_backward"))
    out = io.StringIO()
    run_check(path, rubric=DEFAULT_RUBRIC, stream=out)
    said = out.getvalue()
    assert f"(line {cct} (In [7], line {cct_in_cell}): `cct = None`)" in said, said
    assert f"Syntax error in line {syntax} (In [10], line {syntax_in_cell}):" in said, said
    assert f"at line {line} (In [9], line {backward}), in rnn_cell_backward\n" in said, said
    feedback = feedback_markdown(grade_submission(path, context=context, sandbox=sandbox))
    assert f"(line {line} (In [9], line {backward}), in rnn_cell_backward)" in feedback, feedback
    assert re.search(r"^## `rnn_cell_backward` \(line \d+, In \[9\]\):", feedback, re.M), feedback
    assert f"(line {cct} (In [7], line {cct_in_cell}): `cct = None`)" in feedback, feedback
    assert not re.search(r"(?<!\], )\bline \d+\b(?! \(In \[|, In \[| of the file)", feedback.split("## `imdb_report`")[0]), feedback
