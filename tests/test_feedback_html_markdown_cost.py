"""Twenty-first session, hostile student: a markdown cell that costs the grading process its square.

The grader's inline markdown parser searches every position (its TeX rules' names hide mistune's
shortcut for plain text), and the line-break rule runs to a run of spaces' end from each space of
it: "a", 9,998 spaces and "b" (within the cell's 10,000 characters) cost the grading process
0.4-0.6 s, ten such cells (the notebook's markdown allowance) 4-6 s per notebook.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader import feedback_html
from grader.models import SubmissionResult


def test_a_long_run_of_spaces_is_shown_as_plain_text():
    # Before the fix the cell went to the markdown parser ("a" + spaces + "b" as a paragraph).
    spaced = "a" + " " * 9_998 + "b"
    short = "a" + " " * 199 + "b"
    cells = feedback_html.clean_cells({"cells": [{"cell_type": "markdown", "source": spaced},
                                                  {"cell_type": "markdown", "source": short}]})
    assert cells[0]["source"].startswith("```\n") and cells[1]["source"] == short


@pytest.mark.slow
def test_a_markdown_cell_of_spaces_costs_the_grading_process_little(tmp_path):
    # Before the fix: quadratic (the ratio of the costs at 8n and n was about 64).
    from tests.scaling import assert_linear

    renderer = feedback_html.default_renderer()
    result = SubmissionResult("mallory", "hostile.ipynb", "graded", 0.0, 1.0, ())

    def make(count: int) -> Path:
        path = tmp_path / f"spaces-{count}.ipynb"
        cell = {"cell_type": "markdown", "metadata": {}, "source": "a" + " " * count + "b"}
        path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}), "utf-8")
        return path

    assert_linear(lambda path: feedback_html.feedback_page(result, notebook_path=path), make, 1200,
                  setup=renderer.memo.clear, what="a feedback page of one markdown cell of n spaces")
