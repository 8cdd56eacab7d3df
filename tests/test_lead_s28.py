"""Where a cell is, in the student's own words: the ``In [n]`` prompt beside the cell number.

Jupyter numbers no cell; a student told "cell 16, line 12" counted cells from the top, markdown
included, while their screen shows ``In [10]``. A cell saved with an execution count is now named
"cell 16 (In [10])" in messages and "cell 16, In [10]" in headings; a cell saved without one (or
with a count that is not a positive integer) keeps its number alone. Every notebook here is made
by the test.
"""
from __future__ import annotations

import json

import pytest

from grader.models import Location
from grader.notebook import loads
from tests import notebooks as nbs

RAISES = nbs.mutate("rnn_cell_backward", "dxt = np.dot(Wax.T, dtanh)", "dxt = np.dot(Wax, dtanh)")


def _counts(nb: dict, counts) -> dict:
    """``nb`` with each code cell's execution count taken from ``counts`` (an iterator)."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["execution_count"] = next(counts)
    return nb


def _cell_of(path, name: str):
    return next(c for c in loads(path.read_bytes(), path=str(path)).cells if f"def {name}" in c.source)


def test_the_prompt_is_said_with_the_cell_in_every_report(tmp_path, context, sandbox):
    from grader.feedback_html import part_block, summary_html
    from grader.report import feedback_markdown, gradescope_results
    from grader.runner import grade_submission

    path = nbs.write(tmp_path / "ada.ipynb", _counts(nbs.course_notebook(RAISES), iter(range(31, 200))))
    cell = _cell_of(path, "rnn_cell_backward")
    assert cell.prompt is not None and cell.prompt != cell.index + 1  # the two numbers differ here
    result = grade_submission(path, context=context, sandbox=sandbox)
    part = next(p for p in result.parts if p.function == "rnn_cell_backward")
    assert part.location.prompt == cell.prompt
    label = f"cell {cell.index + 1}, In [{cell.prompt}]"
    place = f"cell {cell.index + 1} (In [{cell.prompt}]), line "
    markdown = feedback_markdown(result)
    assert f"## `rnn_cell_backward` ({label}): 0 / 20" in markdown
    assert place in markdown, markdown
    assert f"(defined in {label})" in part_block(part, [])
    assert f">{label}</a>" in summary_html(result, placed={part.name})
    assert place in json.dumps(gradescope_results(result))


def test_check_names_the_prompt(tmp_path):
    import io

    from grader.classfiles import DEFAULT_RUBRIC
    from grader.selfcheck import run_check

    path = nbs.write(tmp_path / "ada.ipynb", _counts(nbs.course_notebook(RAISES), iter(range(7, 200))))
    cell = _cell_of(path, "rnn_cell_backward")
    out = io.StringIO()
    run_check(path, rubric=DEFAULT_RUBRIC, stream=out)
    assert f"at cell {cell.index + 1} (In [{cell.prompt}]), line " in out.getvalue(), out.getvalue()


@pytest.mark.parametrize("count", [None, 0, -3, True, "12", 12.0, 10**9, [4]])
def test_a_cell_without_a_plain_positive_count_keeps_its_number_alone(tmp_path, context, sandbox, count):
    from grader.report import feedback_markdown
    from grader.runner import grade_submission

    path = nbs.write(tmp_path / "ada.ipynb", _counts(nbs.course_notebook(RAISES), iter([count] * 200)))
    cell = _cell_of(path, "rnn_cell_backward")
    assert cell.prompt is None
    markdown = feedback_markdown(grade_submission(path, context=context, sandbox=sandbox))
    assert f"## `rnn_cell_backward` (cell {cell.index + 1}): 0 / 20" in markdown
    assert f"cell {cell.index + 1}, line " in markdown and "In [" not in markdown


def test_a_location_reads_and_says_both_ways():
    assert Location(15, 12, "f", 10).describe() == "cell 16 (In [10]), line 12, in f"
    assert Location(15, 12, "f").describe() == "cell 16, line 12, in f"
    assert Location(15, None, None, 10).cell_label() == "cell 16, In [10]"
    assert Location(None, 3, "f", 10).cell_label() == "" and Location(None, 3, "f", 10).describe() == "line 3, in f"
    # A location of a record written before the field existed (no ``prompt`` key) still reads.
    assert Location(**{"cell": 3, "line": 7, "function": "f"}).describe() == "cell 4, line 7, in f"


def test_the_extractions_notes_name_the_prompt_too(tmp_path, context, sandbox):
    """A syntax error, a definition given twice and a failing top-level statement name the cell
    as the other places do: "cell 21 (In [14])"."""
    from grader.runner import grade_submission

    extra = [nbs.code_cell("def lstm_cell_forward(:\n    pass\n", count=40),
             nbs.code_cell("def rnn_forward(x, a0, parameters):\n    return None\n", count=41),
             nbs.code_cell("SCALE = 1 + int('x')\n", count=42)]
    nb = nbs.course_notebook(nbs.mutate("rnn_cell_forward", "a_next = np.tanh(", "a_next = SCALE * np.tanh("),
                             extra_cells=extra)
    path = nbs.write(tmp_path / "ada.ipynb", nb)
    index = {c["execution_count"]: i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"}
    result = grade_submission(path, context=context, sandbox=sandbox)
    said = "\n".join((*result.messages, *(n for p in result.parts for n in p.notes)))
    assert f"Syntax error in cell {index[40] + 1} (In [40]), line 1" in said, said
    assert f"the last definition (cell {index[41] + 1} (In [41])) is the one graded" in said, said
    assert f"it is only assigned outside, in cell {index[42] + 1} (In [42]), which is not graded" in said, said


def test_a_failing_definition_names_the_prompt(tmp_path, context, sandbox):
    from grader.runner import grade_submission

    nb = nbs.course_notebook(nbs.mutate("rnn_cell_forward", "def rnn_cell_forward(xt, a_prev, parameters):",
                                        "def rnn_cell_forward(xt, a_prev, parameters, k=int('x')):"))
    path = nbs.write(tmp_path / "ada.ipynb", nb)
    cell = _cell_of(path, "rnn_cell_forward")
    result = grade_submission(path, context=context, sandbox=sandbox)
    said = "\n".join(result.messages)
    assert "Running the notebook's definitions failed" in said, said
    assert f"(cell {cell.index + 1} (In [{cell.prompt}]), line " in said, said


# --------------------------------------------------------------------------- the IMDB bonus's logs


def _stripped_bar_log(epochs: int) -> tuple[str, ...]:
    """A Keras 2 progress bar saved with its carriage returns stripped (as an old Windows
    notebook does): each stream fragment is a run of "- ETA: ..." updates without a line break,
    the epoch's last one ending with its summary, so a whole epoch renders as one long line that
    starts with the counter of its first fragment."""
    frags: list[str] = []
    for k in range(1, epochs + 1):
        frags.append(f"Epoch {k}/{epochs}\n")
        frags.append("12800/25000 [==============>...............] - ETA: 40s - loss: 0.6000 - acc: 0.61"
                     + "".join(f" - ETA: {30 - i}s - loss: 0.5{i} - acc: 0.7{i}" for i in range(9)))
        frags.append(f"25000/25000 [==============================] - ETA: 5s - loss: 0.4000 - acc: 0.80 - ETA: 0s"
                     f" - loss: 0.3000 - acc: 0.85 - 95s 4ms/step - loss: 0.3000 - acc: 0.85{k}2\n")
    return tuple(frags)


def test_a_progress_bar_saved_without_carriage_returns_is_complete_epochs():
    """Before, each epoch's line began "12800/25000" and was read as an epoch not finished: "training
    stopped during an epoch (0 of 3 epochs completed)", and the flag in the class report."""
    from tests.test_imdb_score import CONFIG, LOAD, LOAD_OUT, notebook
    from grader.imdb import score_imdb

    nb = notebook(
        ("code", LOAD, LOAD_OUT),
        ("code", "model = Sequential([Embedding(max_features, 32), LSTM(32), Dense(1, activation='sigmoid')])\n"
                 "model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])\n"
                 "model.fit(x_train, y_train, epochs=3, batch_size=64)\n"
                 "scores = model.evaluate(x_test, y_test, verbose=0)\n"
                 "print('Accuracy: %.2f%%' % (scores[1] * 100))", (*_stripped_bar_log(3), "Accuracy: 86.10%\n")),
    )
    result = score_imdb(nb, config=CONFIG)
    (model,) = result.models
    assert (model.epochs_completed, model.interrupted) == (3, False), model
    assert "training stopped mid-epoch" not in result.flags
    assert model.test_accuracy == 0.861


def test_a_bar_that_really_stops_mid_epoch_still_says_so():
    from tests.test_imdb_score import CONFIG, LOAD, LOAD_OUT, notebook
    from grader.imdb import score_imdb

    frags = _stripped_bar_log(2)[:-1]  # the second epoch's last fragment (its end) never came
    nb = notebook(
        ("code", LOAD, LOAD_OUT),
        ("code", "model = Sequential([Embedding(max_features, 32), LSTM(32), Dense(1, activation='sigmoid')])\n"
                 "model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])\n"
                 "model.fit(x_train, y_train, epochs=2, batch_size=64)", (*frags, "KeyboardInterrupt\n")),
    )
    (model,) = score_imdb(nb, config=CONFIG).models
    assert (model.epochs_completed, model.interrupted) == (1, True), model


# --------------------------------------------------------------------------- the gradebook


def test_a_name_a_semicolon_locale_splits_into_a_formula_is_escaped(tmp_path):
    """The hostile review (s28): "Smith;=cmd|..." went into grades.csv as written; Excel in a
    locale that separates fields with ";" splits the cell there and reads "=cmd|..." as a formula."""
    import csv
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    name = "Smith;=HYPERLINK(1)"
    nbs.write(tmp_path / "class" / f"{name}.ipynb", nbs.course_notebook())
    done = subprocess.run([sys.executable, "grade.py", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
                           "--no-similarity"], cwd=repo, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8")
    assert ";=" not in text, text
    rows = list(csv.DictReader(text.splitlines()))
    assert [row["submission"] for row in rows] == ["Smith;'=HYPERLINK(1)"], rows


@pytest.mark.parametrize("name", ["Smith;=1+1", "a; \t=1", "a;;=b", "a;  +cmd", "a\t@SUM(1)", "a;-2;=3",
                                  "; =x", "=x;@y", "a;\r=1"])
def test_no_part_a_semicolon_or_tab_splits_off_reads_as_a_formula(name):
    """A hostile name, every way a ';'-locale spreadsheet (or a tab) can split it: no part, its
    blanks left out, starts with a formula's first character."""
    import re as _re

    from grader.files import spreadsheet_text

    out = spreadsheet_text(name)
    for piece in _re.split(r"[;\t]", out):
        assert not piece.lstrip(" ").startswith(("=", "+", "-", "@", "\r")), (name, out)
