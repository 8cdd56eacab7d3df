"""Session 29 polish: the words and cell names a student reads in the feedback.

Cells are named as the student's screen shows them, ``cell 3 (In [7])`` (`grader.models.cell_words`),
everywhere; these tests pin the places that still said ``cell 3`` alone.
"""

from __future__ import annotations

import json

from grader.imdb import ImdbConfig, score_imdb
from grader.notebook import loads


def _ipynb(*cells: dict) -> bytes:
    """A saved notebook (nbformat 4) with ``cells`` as given."""
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": list(cells)}).encode()


def _code(source: str, count: int | None, outputs: tuple[str, ...] = ()) -> dict:
    return {"cell_type": "code", "source": source, "execution_count": count, "metadata": {},
            "outputs": [{"output_type": "stream", "name": "stdout", "text": t} for t in outputs]}


def test_imdb_bonus_names_an_unparsed_cell_with_its_prompt():
    """The bonus said "could not be parsed (cell 3)" where the rest of the feedback says
    "cell 3 (In [7])": the student looks for the prompt on their screen. (Inside the bonus's
    parentheses the heading words, "cell 3, In [7]", as the lead's 1e79a1d words them.)"""
    data = _ipynb({"cell_type": "markdown", "source": "# IMDB", "metadata": {}},
                  _code("from tensorflow import keras\nmodel = keras.Sequential([keras.layers.LSTM(32)])\n"
                        "model.fit(x_train, y_train, epochs=2, validation_split=0.2)\n", 4),
                  _code("print('done'\n", 7, ("SyntaxError: '(' was never closed",)))
    result = score_imdb(loads(data, path="student.ipynb"), config=ImdbConfig())
    parsed = [f for f in result.feedback if "could not be parsed" in f]
    assert parsed and "could not be parsed (cell 3, In [7])" in parsed[0], result.feedback



def test_a_function_whose_dependency_does_not_parse_names_its_cell_with_the_prompt(tmp_path, sandbox):
    """``broken_definition_note`` said "(cell 4, line 4)" for the helper's syntax error where the
    rest of the feedback says "cell 4 (In [2])" (course layout: rnn_cell_forward is the fourth
    cell, run as In [2])."""
    from pathlib import Path

    from grader.commands import load_context
    from grader.runner import grade_submission
    from tests import notebooks as nbs

    broken = nbs.mutate("rnn_cell_forward", "):\n", "):\n    x = (\n")
    path = nbs.write(tmp_path / "broken.ipynb", nbs.course_notebook(broken))
    context = load_context(Path(__file__).resolve().parent.parent / "rubrics" / "rnn.yaml",
                           visibilities=("public",), bonus=False)
    result = grade_submission(path, context=context, sandbox=sandbox)
    notes = [n for n in result.part("rnn_forward").notes if "its own definition has an error" in n]
    assert notes and "(cell 4 (In [2]), line" in notes[0], result.part("rnn_forward").notes


def test_code_that_reaches_into_functions_is_placed_with_the_prompt():
    """``reach.reaching_code``'s place (gradedsource.graded_source's note: "the notebook's code uses `setattr`
    (cell 2, line 2)") now carries the prompt too."""
    from grader.extract import extract

    data = _ipynb(_code("import numpy as np\n", 3),
                  _code("def rnn_cell_forward(xt, a_prev, parameters):\n    setattr(np, 'tanh', None)\n"
                        "    return xt\n", 5))
    source = extract(loads(data, path="student.ipynb")).functions["rnn_cell_forward"]
    assert source.reaches_in == "`setattr` (cell 2 (In [5]), line 2)", source.reaches_in
