"""Extraction reads a student's code without printing the compiler's warnings about it.

An invalid escape such as "\\d" in a docstring made the symbol table, a class's parse and the
compile check of a risky def each warn (a DeprecationWarning in Python 3.11, a SyntaxWarning,
shown by default, from 3.12): once per def on the TA's terminal, in a class run, and in the
test suite's summary. The child says what the student's code warns when it runs it; extraction
keeps quiet.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import nbformat

from grader.extract import extract_file

SOURCE = '''import numpy as np

class Helper:
    """Steps of the cell: a \\d b."""

    @staticmethod
    def cell(xt, a_prev, parameters):
        """One step \\d."""
        return np.tanh(xt)

rnn_cell_forward = Helper.cell

def rnn_forward(x, a0, parameters):
    """All steps \\s."""
    while False:
        break
    return x
'''


def test_invalid_escapes_in_docstrings_are_not_warned_about_by_extraction(tmp_path: Path):
    assert "\\d" in SOURCE and "\\\\" not in SOURCE  # the notebook holds one backslash
    path = tmp_path / "escapes.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(SOURCE)]
    nbformat.write(notebook, path)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        extraction = extract_file(path)
    assert [str(w.message) for w in said] == []
    assert {"rnn_cell_forward", "rnn_forward"} <= set(extraction.functions)
