"""Mistakes in the notebook around the graded functions (thirty-third session): what the student
is told when a function reads a value a cell sets, calls their own course helper, or is defined
where the grader does not read it.

Each notebook is the course's with one notebook-level change, graded through the real grader;
each rule has a control that keeps the text right code was given.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.runner import grade_submission
from tests import notebooks as nbs

_CELL = nbs.COURSE_CELLS["rnn_cell_forward"]


def _graded(tmp_path: Path, nb: dict, context, sandbox):
    return grade_submission(nbs.write(tmp_path / "student.ipynb", nb), context=context, sandbox=sandbox)


def _with_cell(source: str, *, at: int = 2, overrides: dict | None = None) -> dict:
    """The course notebook with a code cell of ``source`` put at index ``at`` (2: after the imports)."""
    nb = nbs.course_notebook(overrides)
    nb["cells"].insert(at, nbs.code_cell(source, count=2))
    return nb


def _indented(header: str, source: str) -> str:
    return header + "".join("    " + line if line.strip() else line for line in source.splitlines(keepends=True))


# ------------------------------------------------------------------ the student's own softmax, sigmoid

def test_an_own_softmax_over_the_whole_array_is_told_in_every_part_that_calls_it(tmp_path, context, sandbox):
    # Before: lstm_cell_forward's yt_pred was wrong with no sentence at all, and no part named the cell
    # holding the student's softmax (which the grader uses instead of the course's).
    nb = _with_cell("def softmax(x):\n    e_x = np.exp(x)\n    return e_x / np.sum(e_x)\n")
    result = _graded(tmp_path, nb, context, sandbox)
    for function in ("rnn_cell_forward", "lstm_cell_forward"):
        notes = " ".join(result.part(function).notes)
        assert f"`{function}` calls your own `softmax` (cell 3 (In [2]))" in notes, notes
        assert "yours normalises the whole array at once" in notes and "over axis 0" in notes, notes


def test_an_own_softmax_that_is_wrong_is_told_once_by_the_note_not_again_by_each_case(tmp_path, context, sandbox):
    # A real notebook read the note ("calls your own `softmax` ... Fix yours") and, under each case,
    # "Likely mistake: Your softmax normalises the whole matrix at once ...: use the provided `softmax`"
    # (rnn_cell_forward) or "`yt_pred` sums to 1 over the whole array at once" (lstm_cell_forward).
    for source in ("def softmax(x):\n    return np.exp(x) / np.sum(np.exp(x))\n",
                   "def softmax(x):\n    e = np.exp(x)\n    return e / e.sum(axis=1, keepdims=True)\n"):
        result = _graded(tmp_path, _with_cell(source), context, sandbox)
        for function in ("rnn_cell_forward", "lstm_cell_forward"):
            part = result.part(function)
            assert sum("calls your own `softmax`" in n for n in part.notes) == 1, part.notes
            assert [c for c in part.cases if c.status == "failed"], part
            told = [c.diagnosis.message for c in part.cases if c.diagnosis is not None]
            assert not [m for m in told if "softmax" in m or "sums to 1" in m], told
    # Control: the course's softmax, and the same mistake written in the function: the case tells it.
    inline = nbs.mutate("rnn_cell_forward", "softmax(np.dot(Wya, a_next) + by)",
                        "np.exp(np.dot(Wya, a_next) + by) / np.sum(np.exp(np.dot(Wya, a_next) + by))")
    part = _graded(tmp_path, nbs.course_notebook(inline), context, sandbox).part("rnn_cell_forward")
    assert any(c.diagnosis is not None and "whole" in c.diagnosis.message for c in part.cases), part


def test_an_own_softmax_over_rows_and_an_own_sigmoid_of_the_wrong_sign_are_told_how_they_differ(
        tmp_path, context, sandbox):
    nb = _with_cell("def softmax(x):\n    e_x = np.exp(x - np.max(x))\n    return e_x / e_x.sum(axis=1, keepdims=True)\n\n"
                    "def sigmoid(x):\n    return 1 / (1 + np.exp(x))\n")
    result = _graded(tmp_path, nb, context, sandbox)
    assert "yours normalises each row (over axis 1)" in " ".join(result.part("rnn_cell_forward").notes)
    lstm = " ".join(result.part("lstm_cell_forward").notes)
    assert "calls your own `sigmoid` (cell 3 (In [2]))" in lstm and "gives 1 - sigmoid" in lstm, lstm


def test_an_own_sigmoid_that_returns_one_number_is_told_so_not_an_array_of_shape_nothing(tmp_path, context, sandbox):
    # Before: "on an array of shape (3, 2) yours returns an array of shape ()" (np.mean gives np.float64).
    for body in ("np.mean(1 / (1 + np.exp(-x)))", "float(np.sum(1 / (1 + np.exp(-x))))"):
        lstm = " ".join(_graded(tmp_path, _with_cell(f"def sigmoid(x):\n    return {body}\n"), context, sandbox)
                        .part("lstm_cell_forward").notes)
        assert "calls your own `sigmoid`" in lstm and "shape ()" not in lstm, lstm
        assert "yours returns a single number (it must give one value for each element" in lstm \
            or "yours returns a float (it must give one value for each element" in lstm, lstm
    # Control: an own sigmoid that returns an array of another shape is told that shape.
    lstm = " ".join(_graded(tmp_path, _with_cell("def sigmoid(x):\n    return (1 / (1 + np.exp(-x)))[None]\n"),
                            context, sandbox).part("lstm_cell_forward").notes)
    assert "on an array of shape (3, 2) yours returns an array of shape (1, 3, 2). Fix yours" in lstm, lstm


def test_an_own_helper_equal_to_the_course_s_is_not_told_even_when_the_function_fails(tmp_path, context, sandbox):
    # Control: the student's softmax and sigmoid are right; rnn_cell_forward leaves out the bias.
    nb = _with_cell("def softmax(x):\n    e = np.exp(x - np.max(x, axis=0))\n    return e / e.sum(axis=0)\n\n"
                    "def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n",
                    overrides=nbs.mutate("rnn_cell_forward", "+ ba)", ")"))
    result = _graded(tmp_path, nb, context, sandbox)
    part = result.part("rnn_cell_forward")
    assert part.points == 0 and part.cases[0].diagnosis is not None, part
    assert not any("your own" in note for p in result.parts for note in p.notes), [p.notes for p in result.parts]
    assert result.points == 90


# ------------------------------------------------------------------ a graded function not found

def test_a_graded_function_not_found_is_not_taken_for_another_graded_one(tmp_path, context, sandbox):
    # rnn_cell_forward inside `if VERBOSE:`; rnn_forward's note said "did you mean `rnn_cell_backward`?".
    nb = nbs.course_notebook({"rnn_cell_forward": _indented("if VERBOSE:\n", _CELL)})
    notes = " ".join(_graded(tmp_path, nb, context, sandbox).part("rnn_forward").notes)
    assert "rnn_cell_backward" not in notes, notes
    assert "uses `rnn_cell_forward`, which the grader did not find" in notes, notes
    assert "graded with a correct `rnn_cell_forward` in its place" in notes, notes


@pytest.mark.parametrize("header, said", [
    ("if VERBOSE:\n", "is defined inside an `if` block (cell 4 (In [2]), line 4), not at the top level of a cell"),
    ("try:\n    print(parameters)\n", "is defined inside a `try` block (cell 4 (In [2]), line 5), not at the top level "
                                      "of a cell"),
    ("class RNN:\n", "is defined in the class `RNN` (cell 4 (In [2]), line 4), as a method"),
])
def test_a_graded_function_defined_where_the_grader_does_not_read_is_told_where(
        tmp_path, context, sandbox, header, said):
    # Before: "No function named `rnn_cell_forward` was found in the notebook." for a def Jupyter ran.
    body = _indented(header, _CELL.replace("(xt, a_prev", "(self, xt, a_prev") if "class" in header else _CELL)
    if header.startswith("try"):
        body += "except Exception as e:\n    print(e)\n"
    part = _graded(tmp_path, nbs.course_notebook({"rnn_cell_forward": body}), context, sandbox).part("rnn_cell_forward")
    assert part.status == "missing" and part.notes[0].startswith(f"`rnn_cell_forward` {said}, so it is not graded"), \
        part.notes
    assert "No function named" not in part.notes[0], part.notes


@pytest.mark.parametrize("imports, said", [
    ("from my_rnn import *", "cell 2 (In [2]) imports names from a module of yours (`from my_rnn import *`)"),
    ("from my_rnn import rnn_cell_forward, rnn_forward",
     "cell 2 (In [2]) imports it from a module of yours (`from my_rnn import rnn_cell_forward`)"),
])
def test_a_graded_function_imported_from_a_module_beside_the_notebook_is_told_to_be_defined_in_it(
        tmp_path, context, sandbox, imports, said):
    # Thirty-fourth session, as a student: the six functions in my_rnn.py beside the notebook, which
    # imports them; each read "No function named `rnn_cell_forward` was found in the notebook".
    nb = nbs.notebook([nbs.code_cell("import numpy as np\nfrom rnn_utils import *\n", count=1),
                       nbs.code_cell(imports + "\n", count=2)])
    part = _graded(tmp_path, nb, context, sandbox).part("rnn_cell_forward")
    assert part.status == "missing" and part.notes[0] == (
        f"No function named `rnn_cell_forward` is defined in the notebook; {said}, and only the notebook is "
        f"graded, not the files beside it. Define `rnn_cell_forward` in the notebook itself (copy its `def` "
        f"into a cell)."), part.notes
    # A library's import is no module of the student's: the plain sentence.
    library = nbs.notebook([nbs.code_cell("import numpy as np\nfrom numpy import *\nfrom yaml import *\n", count=1)])
    part = _graded(tmp_path, library, context, sandbox).part("rnn_cell_forward")
    assert part.notes[0] == "No function named `rnn_cell_forward` was found in the notebook.", part.notes


@pytest.mark.parametrize("kind, said", [("markdown", "a Markdown cell"), ("raw", "a raw cell")])
def test_a_graded_function_typed_in_a_cell_that_is_not_code_is_told_to_change_its_type(
        tmp_path, context, sandbox, kind, said):
    nb = nbs.course_notebook()
    nb["cells"][3] = {"cell_type": kind, "metadata": {}, "source": _CELL.splitlines(keepends=True)}
    part = _graded(tmp_path, nb, context, sandbox).part("rnn_cell_forward")
    assert part.notes[0].startswith(f"`rnn_cell_forward` is written in cell 4, {said}, not a code cell"), part.notes
    assert "change the cell's type to Code" in part.notes[0], part.notes


def test_a_graded_function_replaced_by_a_later_value_is_graded_and_told_the_line(tmp_path, context, sandbox):
    # `rnn_cell_forward = None` in a scratch cell after the def. Until the thirty-fifth session the part
    # was "missing" (0 points) while `rnn_cell_forward = {}` (not a constant) lost nothing: the one rule
    # of a function's name now grades the def and warns of the line (``extract._function_replaced``).
    nb = nbs.course_notebook()
    nb["cells"].insert(6, nbs.code_cell("rnn_cell_forward = None\n", count=5))
    result = _graded(tmp_path, nb, context, sandbox)
    assert result.part("rnn_cell_forward").points == 10, result.part("rnn_cell_forward")
    assert ("Line 1 of cell 7 (In [5]) sets `rnn_cell_forward` to `None`: the grader does not run that statement "
            "and grades your functions with the function `rnn_cell_forward` of cell 4 (In [2]), but in your notebook "
            "every cell run after it finds that value in `rnn_cell_forward`, not a function. Give the value another "
            "name.") in result.messages, result.messages


def test_a_helper_defined_in_a_block_is_told_where_not_nowhere(tmp_path, context, sandbox):
    nb = _with_cell("if VERBOSE:\n    def my_softmax(z):\n        e = np.exp(z - z.max(axis=0))\n        return e / e.sum(axis=0)\n",
                    overrides=nbs.mutate("rnn_cell_forward", "yt_pred = softmax(", "yt_pred = my_softmax("))
    notes = _graded(tmp_path, nb, context, sandbox).part("rnn_cell_forward").notes
    assert notes[0].startswith("`rnn_cell_forward` uses `my_softmax`, which is defined inside an `if` block "
                               "(cell 3 (In [2]), line 2)"), notes
    assert "or nowhere" not in notes[0], notes


def test_a_graded_function_renamed_is_still_told_its_new_name(tmp_path, context, sandbox):
    # Control: a name near it that the rubric does not grade is still suggested.
    nb = nbs.course_notebook({"rnn_cell_forward": _CELL.replace("def rnn_cell_forward(", "def rnn_cell_forward_v2(")})
    result = _graded(tmp_path, nb, context, sandbox)
    assert "did you mean `rnn_cell_forward_v2`?" in " ".join(result.part("rnn_forward").notes)
    assert "Did you mean to name `rnn_cell_forward_v2` `rnn_cell_forward`?" in result.part("rnn_cell_forward").notes[0]


# ------------------------------------------------------------------ a size a cell sets

def test_a_size_read_from_a_cell_is_told_when_the_hidden_cases_fail(tmp_path, context, sandbox):
    # `T_x = 4` in a cell, read by rnn_forward: the example (T_x = 4) passes, the hidden cases raise
    # or fail, and the student read only "At cell 8 (In [4]), line 14, in rnn_forward." under them.
    nb = _with_cell("T_x = 4\n", at=1, overrides=nbs.mutate("rnn_forward", "n_x, m, T_x = x.shape", "n_x, m, _ = x.shape"))
    part = _graded(tmp_path, nb, context, sandbox).part("rnn_forward")
    assert part.cases[0].status == "passed" and part.points == 3, part
    notes = " ".join(part.notes)
    assert "`rnn_forward` reads `T_x` from outside the function: cell 2 (In [2]), line 1, sets it to 4" in notes, notes
    assert "their `.shape`" in notes, notes


def test_the_example_s_sizes_written_out_in_the_function_are_told_when_the_hidden_cases_fail(
        tmp_path, context, sandbox):
    # `n_x, m, T_x = 3, 10, 7` in lstm_forward: the example passes, the hidden cases raise, and the
    # student read only "At cell 13 (In [8]), line 16, in lstm_forward." under them.
    nb = nbs.course_notebook(nbs.mutate("lstm_forward", "n_x, m, T_x = x.shape", "n_x, m, T_x = 3, 10, 7"))
    part = _graded(tmp_path, nb, context, sandbox).part("lstm_forward")
    assert part.cases[0].status == "passed" and part.points < part.max_points, part
    # m and T_x make its arrays (n_x makes none: grader.fixedsizes counts a size where a size goes).
    assert "`lstm_forward` writes out (10, 7) on line 6 (`n_x, m, T_x = 3, 10, 7`): sizes of the assignment's " \
           "example, which the hidden cases do not have" in " ".join(part.notes), part.notes


def test_a_value_read_from_a_cell_that_is_no_size_of_the_example_is_not_told(tmp_path, context, sandbox):
    # Controls: a float (a scale) and a whole number no size of the example has, read by functions
    # that fail their hidden cases for another reason (the bias left out).
    nb = _with_cell("SCALE = 1.0\nSTEPS = 9\n", at=1, overrides={
        **nbs.mutate("rnn_cell_forward", "+ ba)", "+ ba * SCALE * STEPS / STEPS - ba)")})
    part = _graded(tmp_path, nb, context, sandbox).part("rnn_cell_forward")
    assert part.points == 0 and part.cases[1].diagnosis is not None, part
    assert not any("from outside the function" in note or "writes out" in note for note in part.notes), part.notes


def test_constant_values_are_the_literals_a_cell_top_level_sets():
    from grader.extract import extract
    from grader.notebook import Cell, Notebook

    source = "T_x = 4\nn_x, m = 3, 10\nn_y = n_x * 2\nEPS = 1e-8\nT_x = 5\n"
    notebook = Notebook(path="nb.ipynb", cells=(Cell(index=0, kind="code", source=source, outputs=()),),
                        nbformat=(4, 5))
    assert extract(notebook).constant_values() == {
        "T_x": (5, 0, 5), "n_x": (3, 0, 2), "m": (10, 0, 2), "EPS": (1e-8, 0, 4)}


# ------------------------------------------------------------------ a function defined twice

def _defined_twice(tmp_path: Path, *, first_prompt: int) -> str:
    """The warning about `rnn_cell_forward` defined in cell 4 (In [first_prompt]) and again,
    without its bias, in the last cell (In [3])."""
    from grader.extract import extract_file

    nb = nbs.course_notebook(extra_cells=[nbs.code_cell(_CELL.replace("+ ba)", ")"), count=3)])
    nb["cells"][3]["execution_count"] = first_prompt
    said = [d.message for d in extract_file(nbs.write(tmp_path / "twice.ipynb", nb)).diagnostics
            if "more than once" in d.message]
    assert len(said) == 1, said
    return said[0]


def test_a_function_defined_twice_whose_first_definition_ran_last_is_told_so(tmp_path):
    # The student's kernel held cell 4's (right) definition, and their tests passed; the grade is
    # the last cell's. The warning named only the one graded.
    said = _defined_twice(tmp_path, first_prompt=40)
    assert said.endswith("The prompts say you ran cell 4 (In [40]) after cell 21 (In [3]): the tests you ran then "
                         "used the definition of cell 4 (In [40]), but grading reads the notebook from top to "
                         "bottom, as Restart and Run All runs it. Keep the definition you mean and delete the other."), said


def test_a_function_defined_twice_in_the_order_it_ran_keeps_its_warning(tmp_path):
    said = _defined_twice(tmp_path, first_prompt=2)
    assert said.endswith("the last definition (cell 21 (In [3])) is the one graded."), said


# ------------------------------------------------------------------ a value of the test cell read

def _test_cell_after(nb: dict, function: str, source: str) -> dict:
    """``nb`` with the test cell after ``function``'s cell holding ``source``."""
    k = next(i for i, c in enumerate(nb["cells"]) if f"def {function}(" in "".join(c["source"]))
    nb["cells"][k + 1]["source"] = source.splitlines(keepends=True)
    return nb


def test_a_test_cell_s_value_read_in_place_of_an_unread_parameter_names_the_parameter(tmp_path, context, sandbox):
    # `def rnn_forward(x, a0, params)` reading `parameters`, which the test cell above set: the
    # public test passed in Jupyter; the note said only "take it from the function's arguments".
    nb = _test_cell_after(nbs.course_notebook(nbs.mutate(
        "rnn_forward", "def rnn_forward(x, a0, parameters):", "def rnn_forward(x, a0, params):")),
        "rnn_forward", "parameters = {}\na, y, caches = rnn_forward(x, a0, parameters)\n")
    notes = " ".join(_graded(tmp_path, nb, context, sandbox).part("rnn_forward").notes)
    assert "only assigned outside, in cell 8 (In [5])" in notes, notes
    assert notes.endswith("`rnn_forward` never reads its parameter `params`: if `parameters` is meant to be the "
                          "argument a call passes there, write `params` instead."), notes


def test_a_test_cell_s_value_read_beside_every_parameter_names_none(tmp_path, context, sandbox):
    # Control: rnn_cell_forward reads `parameters` and also `parameters_tmp` of the test cell.
    nb = _test_cell_after(nbs.course_notebook(nbs.mutate(
        "rnn_cell_forward", 'Wax = parameters["Wax"]', 'Wax = parameters_tmp["Wax"]')),
        "rnn_cell_forward", "parameters_tmp = {}\n")
    notes = " ".join(_graded(tmp_path, nb, context, sandbox).part("rnn_cell_forward").notes)
    assert "uses `parameters_tmp`" in notes and "never reads its parameter" not in notes, notes


def test_an_own_softmax_above_the_course_import_is_replaced_by_it_as_when_the_notebook_runs(
        tmp_path, context, sandbox):
    # A wrong softmax in a cell above `from rnn_utils import *`: Python's softmax is then the
    # course's, and every test passed in Jupyter; the grader graded the student's (92.7 / 100).
    nb = nbs.course_notebook()
    nb["cells"].insert(1, nbs.code_cell("def softmax(x):\n    return np.exp(x) / np.sum(np.exp(x))\n", count=1))
    result = _graded(tmp_path, nb, context, sandbox)
    assert result.points == 100, [(p.name, p.points) for p in result.parts]


def test_an_own_softmax_below_the_course_import_is_still_the_one_graded(tmp_path, context, sandbox):
    # Control: the same softmax after the import replaces the course's, in Jupyter and here.
    nb = _with_cell("def softmax(x):\n    return np.exp(x) / np.sum(np.exp(x))\n")
    assert _graded(tmp_path, nb, context, sandbox).points == pytest.approx(92.714286, abs=1e-4)


def test_a_global_the_function_declares_and_assigns_itself_is_not_told_as_read_from_outside(
        tmp_path, context, sandbox):
    # `global caches` then `caches = []` in rnn_forward: right (15 / 15), and told "`rnn_forward` uses
    # `caches`, which is defined outside the function (or nowhere): compute it inside or pass it in".
    nb = nbs.course_notebook(nbs.mutate("rnn_forward", "    caches = []\n", "    global caches\n    caches = []\n"))
    part = _graded(tmp_path, nb, context, sandbox).part("rnn_forward")
    assert part.points == part.max_points and part.notes == (), part.notes


def test_a_global_the_function_declares_and_only_reads_is_still_told_as_read_from_outside(tmp_path, context, sandbox):
    # Control: `global steps` and `T = steps`: a value from outside.
    nb = nbs.course_notebook(nbs.mutate("rnn_forward", "    caches = []\n",
                                        "    global steps\n    T = steps\n    caches = []\n"))
    notes = _graded(tmp_path, nb, context, sandbox).part("rnn_forward").notes
    assert any("uses `steps`" in note for note in notes), notes


# ------------------------------------------------------------------ a name read from outside: where it is

def test_a_name_nothing_defines_is_told_so_not_outside_or_nowhere(tmp_path, context, sandbox):
    # Before: "`rnn_forward` uses `steps`, which is defined outside the function (or nowhere)" though
    # extraction knew that no cell assigns `steps` (its own note: "so it will raise NameError").
    nb = nbs.course_notebook(nbs.mutate("rnn_forward", "    for t in range(T_x):", "    for t in range(steps):"))
    notes = _graded(tmp_path, nb, context, sandbox).part("rnn_forward").notes
    assert "`rnn_forward` uses `steps`, which nothing in the notebook defines (neither the function nor a cell's " \
           "top level): compute it inside or pass it in." in notes, notes
    assert not any("or nowhere" in note for note in notes), notes


def test_a_name_a_test_cell_assigns_is_still_told_the_cell(tmp_path, context, sandbox):
    # Control: `steps = 4` in a cell the grader does not run (a loop's cell): told where it is assigned.
    nb = _with_cell("for steps in range(4):\n    pass\n",
                    overrides=nbs.mutate("rnn_forward", "    for t in range(T_x):", "    for t in range(steps):"))
    notes = " ".join(_graded(tmp_path, nb, context, sandbox).part("rnn_forward").notes)
    assert "`rnn_forward` uses `steps`, which is not defined inside the function; it is only assigned outside, " \
           "in cell 3 (In [2]), which is not graded" in notes, notes
    assert "nothing in the notebook defines" not in notes, notes


# ------------------------------------------------------------------ `np` given another value at a cell's top level

@pytest.mark.parametrize("statement", ["np = 3", "np = np.array([1, 2])", "for np in range(2):\n    pass"])
def test_np_given_another_value_in_a_cell_is_one_rule_not_run_and_told(tmp_path, context, sandbox, statement):
    # Before: `np = 3` (a constant) was kept, every function using `np` raised (0 / 100), while
    # `np = np.array(...)` (a call) was dropped without a word (100 / 100). One rule now: a top-level
    # assignment to a name an import binds to a module is not run, and the student is told where.
    nb = nbs.course_notebook(extra_cells=[nbs.code_cell("x = 1\n" + statement + "\n", count=20)])
    result = _graded(tmp_path, nb, context, sandbox)
    assert result.points == 100, [(p.name, p.points, p.notes) for p in result.parts]
    said = [m for m in result.messages if "sets `np` to another value" in m]
    assert said == ["Line 2 of cell 21 (In [20]) sets `np` to another value after `import numpy as np` (cell 2 "
                    "(In [1])): the grader does not run that statement and grades your functions with `numpy` as "
                    "`np`, but in your notebook every cell run after it finds that value in `np`, not the module. "
                    "Give the value another name."], result.messages


def test_np_set_before_its_import_is_not_told(tmp_path, context, sandbox):
    # Control: the import after it gives `np` NumPy again, in Jupyter as here; `np = np` changes nothing.
    nb = nbs.course_notebook()
    nb["cells"].insert(1, nbs.code_cell("np = 3\n", count=1))
    nb["cells"].append(nbs.code_cell("np = np\n", count=30))
    result = _graded(tmp_path, nb, context, sandbox)
    assert result.points == 100 and not any("sets `np`" in m for m in result.messages), result.messages



def test_an_attribute_set_on_np_is_told_as_what_was_set(tmp_path, context, sandbox):
    # `np.dot = None` was told "sets `np` to another value", which the student had not written.
    nb = nbs.course_notebook(extra_cells=[nbs.code_cell("x = 1\nnp.dot = None\n", count=20)])
    result = _graded(tmp_path, nb, context, sandbox)
    assert result.points == 100, [(p.name, p.points, p.notes) for p in result.parts]
    assert not any("sets `np` to another value" in m for m in result.messages), result.messages
    assert [m for m in result.messages if "np.dot" in m] == [
        "Line 2 of cell 21 (In [20]) sets `np.dot`, in the module `numpy` that `import numpy as np` (cell 2 (In [1])) "
        "binds: the grader does not run that statement and grades your functions with `numpy` as it is, but in your "
        "notebook every cell run after it finds your value there. Leave the module as it is and give your value a "
        "name of its own."], result.messages


@pytest.mark.parametrize("where", [3, 100])
def test_np_imported_again_as_another_module_is_one_rule_not_run_and_told(tmp_path, context, sandbox, where):
    # `import math as np` after `import numpy as np`: above the functions every part lost its points,
    # told only "module 'math' has no attribute 'dot'"; below them it was left out without a word.
    nb = nbs.course_notebook()
    nb["cells"].insert(where, nbs.code_cell("import math as np\n", count=20))
    result = _graded(tmp_path, nb, context, sandbox)
    assert result.points == 100, [(p.name, p.points, [c.message for c in p.cases]) for p in result.parts]
    cell = 4 if where == 3 else len(nb["cells"])
    assert [m for m in result.messages if "import math as np" in m] == [
        f"Line 1 of cell {cell} (In [20]), `import math as np`, binds `np` again after `import numpy as np` (cell 2 "
        "(In [1])): the grader does not run that import and grades your functions with `numpy` as `np`, but in your "
        "notebook every cell run after it finds `math` in `np`, not NumPy. Import it under another name."], \
        result.messages
    # Control: NumPy imported again, or another module under its own name, is run and not told.
    nb = nbs.course_notebook()
    nb["cells"].insert(where, nbs.code_cell("import numpy as np\nimport math\n", count=20))
    result = _graded(tmp_path, nb, context, sandbox)
    assert result.points == 100 and not any("binds `np` again" in m for m in result.messages), result.messages
    # A stand-in for NumPy (autograd.numpy, not installed here) is not run; told only above the functions.
    nb = nbs.course_notebook()
    nb["cells"].insert(where, nbs.code_cell("import autograd.numpy as np\n", count=20))
    result = _graded(tmp_path, nb, context, sandbox)
    told = [m for m in result.messages if "`import autograd.numpy as np`, binds `np` again" in m]
    assert result.points == 100 and len(told) == (1 if where == 3 else 0), result.messages


@pytest.mark.parametrize("own", ["def f(x):\n    return x\nnp = f\n", "def np(x):\n    return x\n"])
def test_np_made_a_function_before_its_import_is_replaced_by_the_import(tmp_path, context, sandbox, own):
    # The program ran the imports first: the functions were graded with the student's `np` (0 / 100,
    # "`np` is a function here, not NumPy") in a notebook whose every cell ran with NumPy.
    nb = nbs.course_notebook()
    nb["cells"].insert(1, nbs.code_cell(own, count=1))
    result = _graded(tmp_path, nb, context, sandbox)
    assert result.points == 100, [(p.name, p.points, [c.message for c in p.cases][:1]) for p in result.parts]
    assert not any("`np`" in m for m in result.messages), result.messages


# ------------------------------------------------------------------ a value kept from one call to the next

def test_a_global_the_function_changes_from_call_to_call_is_told_when_a_case_fails(tmp_path, context, sandbox):
    # `global calls; calls += 1` and the first step read from it: right at the first call, wrong after
    # (the grader calls the function once a case). Before: the differences alone, no word of the global.
    nb = _with_cell("calls = 0\n", overrides=nbs.mutate(
        "rnn_forward", "    caches = []\n",
        "    global calls\n    calls += 1\n    caches = []\n    a0 = a0 * calls\n"))
    part = _graded(tmp_path, nb, context, sandbox).part("rnn_forward")
    assert part.cases[0].status == "passed" and part.points < part.max_points, part
    assert "`rnn_forward` keeps `calls` from one call to the next (`global calls`; line 6: `calls += 1`): each " \
           "call starts from what the calls before it left" in " ".join(part.notes), part.notes


def test_a_global_a_right_function_counts_its_calls_with_is_not_told(tmp_path, context, sandbox):
    # Control: a counter that changes no value; every case passes, so nothing is read or said.
    nb = _with_cell("calls = 0\n", overrides=nbs.mutate(
        "rnn_forward", "    caches = []\n", "    global calls\n    calls += 1\n    caches = []\n"))
    part = _graded(tmp_path, nb, context, sandbox).part("rnn_forward")
    assert part.points == part.max_points and not any("keeps `calls`" in n for n in part.notes), part.notes


# ------------------------------------------------------------------ a cache unpacked in another order than stored

def test_a_cache_unpacked_in_another_order_than_the_forward_stores_it_is_told_both(tmp_path, context, sandbox):
    # Before: "30 of 30 values differ" for each gradient, no sentence (a known mistake's did not match).
    nb = nbs.course_notebook(nbs.mutate("rnn_cell_backward", "(a_next, a_prev, xt, parameters) = cache",
                                        "(a_prev, a_next, xt, parameters) = cache"))
    notes = _graded(tmp_path, nb, context, sandbox).part("rnn_cell_backward").notes
    assert "`rnn_cell_backward` unpacks `cache` as `(a_prev, a_next, xt, parameters)` (line 3), and your " \
           "`rnn_cell_forward` stores it as `(a_next, a_prev, xt, parameters)` (cell 4 (In [2]), line 20): `a_prev` " \
           "and `a_next` take each other's values. Unpack the names in the order they are stored." in notes, notes


def test_a_cache_unpacked_in_its_stored_order_is_not_told_when_the_function_fails(tmp_path, context, sandbox):
    # Control: another mistake of rnn_cell_backward; the unpacking agrees with rnn_cell_forward's store.
    nb = nbs.course_notebook(nbs.mutate("rnn_cell_backward", "(1 - a_next ** 2) * da_next", "(1 - a_prev ** 2) * da_next"))
    part = _graded(tmp_path, nb, context, sandbox).part("rnn_cell_backward")
    assert part.points == 0 and not any("unpacks `cache`" in note for note in part.notes), part.notes


# ------------------------------------------------------------------ an unfinished function (thirty-fourth session)

_GATES = ("    ft = sigmoid(np.dot(Wf, concat) + bf)\n    it = sigmoid(np.dot(Wi, concat) + bi)\n"
          "    cct = np.tanh(np.dot(Wc, concat) + bc)\n    c_next = ft * c_prev + it * cct\n"
          "    ot = sigmoid(np.dot(Wo, concat) + bo)\n    a_next = ot * np.tanh(c_next)\n")


def test_the_names_an_unfinished_function_never_computes_are_told_in_one_note(tmp_path, context, sandbox):
    # A real notebook (helper real, real34) left lstm_cell_forward's gates and prediction out, and its test
    # cell assigned a_next and c_next at the top level: seven notes, one a name, each "compute it inside
    # or pass it in" or "only assigned outside, in cell 38, which is not graded".
    cell = nbs.COURSE_CELLS["lstm_cell_forward"].replace(_GATES, "\n").replace(
        "    yt_pred = softmax(np.dot(Wy, a_next) + by)\n", "")
    nb = _with_cell("a_next, c_next, yt, cache = lstm_cell_forward(xt, a_prev, c_prev, parameters)\n",
                    at=len(nbs.course_notebook()["cells"]),
                    overrides={"lstm_cell_forward": cell})
    result = _graded(tmp_path, nb, context, sandbox)
    notes = result.part("lstm_cell_forward").notes
    assert notes == ("`lstm_cell_forward` uses `a_next`, `c_next`, `cct`, `ft`, `it`, `ot` and `yt_pred`, which no "
                     "line of it computes (a graded function runs on its own: what other cells set is not there when "
                     "it is graded). Write the lines that compute them inside the function.",), notes
    # Nor are they said again at the top, one a name (the extraction's notes, which the part's note says).
    assert not any(m.startswith("`lstm_cell_forward` uses") for m in result.messages), result.messages


def test_two_names_from_nowhere_keep_a_note_each(tmp_path, context, sandbox):
    # Control: two names are two notes, each saying where the name is (or is not) assigned.
    cell = nbs.COURSE_CELLS["lstm_cell_forward"].replace("    ot = sigmoid(np.dot(Wo, concat) + bo)\n", "").replace(
        "    cct = np.tanh(np.dot(Wc, concat) + bc)\n", "")
    notes = _graded(tmp_path, nbs.course_notebook({"lstm_cell_forward": cell}), context, sandbox).part(
        "lstm_cell_forward").notes
    assert len(notes) == 2 and all("which is not defined inside the function" in note
                                   or "which nothing in the notebook defines" in note for note in notes), notes


# ------------------------------------------------------------------ a course function given another value at a cell's top level

@pytest.mark.parametrize("statement, value", [
    ("sigmoid = None", "`None`"), ("sigmoid = {}", "`{}`"), ("sigmoid, q = None, 1", "`None`"),
    ("sigmoid: object = None", "`None`"), ("sigmoid = 3", "`3`"),
])
def test_a_function_name_given_a_plain_value_in_a_cell_is_not_run_and_told(tmp_path, context, sandbox, statement,
                                                                           value):
    # A test cell's `sigmoid = None` after the functions. Until the thirty-fifth session it was run (a
    # constant) and cost the LSTM parts their points, while `sigmoid = {}` (not a constant) was dropped
    # without a word: one mistake, two grades (the fb helper's note). One rule now, as np's: not run, told.
    nb = nbs.course_notebook(extra_cells=[nbs.code_cell("x = 1\n" + statement + "\n", count=20)])
    result = _graded(tmp_path, nb, context, sandbox)
    assert result.points == 100, [(p.name, p.points) for p in result.parts]
    assert (f"Line 2 of cell 21 (In [20]) sets `sigmoid` to {value}: the grader does not run that statement and "
            f"grades your functions with the course's `sigmoid`, but in your notebook every cell run after it finds "
            f"that value in `sigmoid`, not a function. Give the value another name.") in result.messages, \
        result.messages


def test_a_function_name_given_a_plain_value_then_imported_again_is_not_told(tmp_path, context, sandbox):
    # Control: the course import after the value binds the function again, in the notebook too.
    nb = nbs.course_notebook(extra_cells=[nbs.code_cell("sigmoid = None\nfrom rnn_utils import *\n", count=20)])
    result = _graded(tmp_path, nb, context, sandbox)
    assert result.points == 100 and not any("sets `sigmoid`" in m for m in result.messages), result.messages


def test_a_name_the_function_sets_itself_gets_no_top_level_note(tmp_path, context, sandbox):
    # Control: the called value is the function's own (`gate = 3`); a cell's `gate = 3` is not the cause.
    cells = nbs.mutate("lstm_cell_forward", "    ft = sigmoid(", "    gate = 3\n    ft = gate(")
    nb = nbs.course_notebook(cells, extra_cells=[nbs.code_cell("gate = 3\n", count=20)])
    message = _graded(tmp_path, nb, context, sandbox).part("lstm_cell_forward").cases[0].message
    assert "'int' object is not callable" in message and "not a function:" not in message, message


# ------------------------------------------------------------------ where a name's top-level value comes from
# The runner names the cell and line of a top-level statement that gives a name the value a function
# then fails on (``runner._assigned_at_top``). It looked for ``name =`` only: a tuple assignment
# (``sigmoid, q = None, 1``), an annotated one and a def of that name were not found, and the student
# read Python's words alone. ``np = f`` with ``f`` a function of the notebook (or a lambda) was kept as a
# function named ``np`` against the one rule of a name an import binds to a module (0 / 100 where
# ``np = 3`` loses nothing).

@pytest.mark.parametrize("statement, function, said", [
    ("def np(x):\n    return x", "rnn_cell_forward",
     "`np` is a function here, not NumPy: cell 21 (In [20]), line 2, gives it a value, and that hides the module."),
    ("class np:\n    pass", "rnn_cell_forward",
     "`np` is a class here, not NumPy: cell 21 (In [20]), line 2, gives it a value, and that hides the module."),
])
def test_a_top_level_value_a_function_fails_on_is_told_where_it_is_set(tmp_path, context, sandbox, statement,
                                                                        function, said):
    nb = nbs.course_notebook(extra_cells=[nbs.code_cell("x = 1\n" + statement + "\n", count=20)])
    case = _graded(tmp_path, nb, context, sandbox).part(function).cases[0]
    assert case.status == "error" and said in case.message, case.message


def test_the_last_top_level_value_of_a_name_is_the_one_told(tmp_path, context, sandbox):
    # A helper of the notebook's own given a value in a cell before the one its function fails on.
    cells = nbs.mutate("lstm_cell_forward", "    ft = sigmoid(", "    ft = gate(")
    nb = nbs.course_notebook(cells, extra_cells=[nbs.code_cell("gate = None\n", count=20),
                                                 nbs.code_cell("x = 2\ngate = None\n", count=21)])
    case = _graded(tmp_path, nb, context, sandbox).part("lstm_cell_forward").cases[0]
    assert "cell 22 (In [21]), line 2, gives `gate` that value" in case.message, case.message


@pytest.mark.parametrize("statement", ["np = rnn_cell_forward", "np = lambda z: z"])
def test_np_given_a_function_in_a_cell_follows_the_one_rule(tmp_path, context, sandbox, statement):
    nb = nbs.course_notebook(extra_cells=[nbs.code_cell("x = 1\n" + statement + "\n", count=20)])
    result = _graded(tmp_path, nb, context, sandbox)
    assert result.points == 100, [(p.name, p.points, [c.message for c in p.cases[:1]]) for p in result.parts]
    assert any(m.startswith("Line 2 of cell 21 (In [20]) sets `np` to another value after `import numpy as np`")
               for m in result.messages), result.messages


def test_a_function_given_another_name_is_still_kept(tmp_path, context, sandbox):
    # Control: `rnn_cell_forward = rnn_cell_fwd` (no import binds the name) is graded as before.
    cell = _CELL.replace("def rnn_cell_forward(", "def rnn_cell_fwd(") + "\nrnn_cell_forward = rnn_cell_fwd\n"
    result = _graded(tmp_path, nbs.course_notebook({"rnn_cell_forward": cell}), context, sandbox)
    assert result.part("rnn_cell_forward").points == 10, result.part("rnn_cell_forward")


@pytest.mark.parametrize("partial, written", [
    ("import functools\nrnn_cell_forward = functools.partial(_cell)\n", "_cell(xt, a_prev, parameters)"),
    ("from functools import partial\nrnn_cell_forward = partial(_cell, act=np.tanh)\n",
     "_cell(xt, a_prev, parameters, act=np.tanh)"),
    ("from functools import partial\nrnn_cell_forward = partial(_cell, act=np.tanh)  # mine\n",
     "_cell(xt, a_prev, parameters, act=np.tanh)"),
])
def test_a_graded_function_bound_to_a_partial_is_told_the_line_and_the_def_to_write(
        tmp_path, context, sandbox, partial, written):
    # A partial of the student's own def is not run (the grader runs defs, aliases, imports and
    # constants, no call): until the thirty-eighth session the student read "assigned in cell 4 by a
    # statement ... Define it with `def rnn_cell_forward(...)`", neither the line nor the def to write.
    # The def told is right: written in place of the partial, the cell gets full marks.
    own = (_CELL.replace("def rnn_cell_forward(xt, a_prev, parameters):",
                         "def _cell(xt, a_prev, parameters, act=np.tanh):").replace("np.tanh(np.dot", "act(np.dot"))
    part = _graded(tmp_path, nbs.course_notebook({"rnn_cell_forward": own + "\n" + partial}), context,
                   sandbox).part("rnn_cell_forward")
    line = own.count("\n") + 3  # the def, a blank line, the import
    statement = partial.splitlines()[1].split("  #")[0]
    told = f"def rnn_cell_forward(xt, a_prev, parameters): return {written}"
    assert part.points == 0 and part.cases[0].message.startswith(
        f"`rnn_cell_forward` is assigned in cell 4 (In [2]), line {line}, by `{statement}`, a statement the grader "
        "does not run") and part.cases[0].message.endswith(
        f"Define it with a `def` calling yours to have it graded: `{told}`."), part.cases[0].message
    fixed = own + "\n" + partial.splitlines()[0] + "\n" + told + "\n"
    result = _graded(tmp_path / "fixed", nbs.course_notebook({"rnn_cell_forward": fixed}), context, sandbox)
    assert result.part("rnn_cell_forward").points == 10, result.part("rnn_cell_forward")



def test_a_function_name_a_cell_sets_to_a_number_is_not_told_as_a_size(tmp_path, context, sandbox):
    # `gate = 3` in a cell, `gate` a name the function calls: the note "sets it to 3, so every call uses 3
    # whatever the sizes of its arguments ... Take it from the arguments instead (their `.shape`)" sent
    # the student to a size. (`sigmoid = 3`, a course helper, is not run since the thirty-fifth session.)
    cells = nbs.mutate("lstm_cell_forward", "    ft = sigmoid(", "    ft = gate(")
    nb = nbs.course_notebook(cells, extra_cells=[nbs.code_cell("gate = 3\n", count=20)])
    part = _graded(tmp_path, nb, context, sandbox).part("lstm_cell_forward")
    assert not any("whatever the sizes" in note for note in part.notes), part.notes
    assert "`gate` is an int when the function runs, not a function: cell 21 (In [20]), line 1" in \
        part.cases[0].message, part.cases[0].message


def test_a_function_left_blank_is_told_not_implemented_once_not_each_name_it_was_to_compute(
        tmp_path, context, sandbox):
    # A real notebook left rnn_cell_backward and rnn_backward with nothing between START CODE HERE and
    # END CODE HERE: its top showed ten notes, "`rnn_cell_backward` uses `dxt`, which is not defined
    # inside the function nor anywhere else ..., so it will raise NameError", one per gradient.
    body = nbs.COURSE_CELLS["rnn_cell_backward"]
    start, end = body.index("### START CODE HERE ###\n"), body.index("    ### END CODE HERE ###")
    blank = body[:start] + "### START CODE HERE ###\n    # compute the gradient of tanh (≈1 line)\n" + body[end:]
    result = _graded(tmp_path, nbs.course_notebook({"rnn_cell_backward": blank}), context, sandbox)
    part = result.part("rnn_cell_backward")
    assert part.status == "not_implemented" and "not implemented yet" in " ".join(part.notes), part
    assert not [m for m in result.messages if "`rnn_cell_backward` uses" in m], result.messages
    # Control: a name nothing defines in a function that is written is still told, once, under its part.
    typo = nbs.mutate("rnn_cell_backward", "dWaa = np.dot(dtanh, a_prev.T)", "dWaa = np.dot(dtanh, a_prevv.T)")
    result = _graded(tmp_path, nbs.course_notebook(typo), context, sandbox)
    told = [n for n in (*result.messages, *result.part("rnn_cell_backward").notes) if "`a_prevv`" in n]
    assert len(told) == 1, told


def test_the_def_told_for_a_partial_is_none_where_it_would_not_be_the_same_function():
    from grader.extractnotes import partial_as_def

    cell = "def _cell(xt, a_prev, parameters, act=None):\n    return xt\n"
    assert partial_as_def("f", "_cell", cell, ["x0"], {"act": "g"}) == "def f(a_prev, parameters): return _cell(x0, a_prev, parameters, act=g)"
    # A keyword given before a parameter left to the caller (the partial's then take keywords only),
    # a name the def does not take, *args, **kwargs or keyword-only parameters, another def's text.
    assert partial_as_def("f", "_cell", cell, [], {"a_prev": "a"}) is None
    assert partial_as_def("f", "_cell", cell, [], {"other": "1"}) is None
    assert partial_as_def("f", "_cell", cell, ["1", "2", "3", "4", "5"], {}) is None
    for signature in ("xt, *rest", "xt, **more", "xt, *, act"):
        assert partial_as_def("f", "_cell", f"def _cell({signature}):\n    return xt\n", [], {}) is None
    assert partial_as_def("f", "_cell", "def other(xt):\n    return xt\n", [], {}) is None


def test_a_partial_of_thousands_of_keywords_costs_the_extraction_little(tmp_path):
    """The lead's end-of-session reading (a hostile student against sim2's partial note): the note
    parses every cell holding `partial(` whole and matches each keyword against the def's
    parameters (`extractnotes.partial_as_def`, list lookups). A def of 9,000 parameters and a
    partial naming 8,999 of them (cells of 62 and 80 kB, within the bound on a cell) took 0.07 s of
    extraction when measured; held here within a CPU budget, the function still told as assigned
    by a statement the grader does not run."""
    from grader.extract import extract
    from grader.notebook import load
    from tests.cpu import cpu_budget

    params = ", ".join(f"p{i}" for i in range(9_000))
    keywords = ", ".join(f"p{i}=0" for i in range(1, 9_000))
    path = nbs.write(tmp_path / "partial.ipynb", nbs.notebook([
        nbs.code_cell("import numpy as np"),
        nbs.code_cell(f"def _cell(xt, {params}):\n    return xt\n"),
        nbs.code_cell(f"from functools import partial\nrnn_cell_forward = partial(_cell, {keywords})\n")]))
    with cpu_budget(2.0):
        extraction = extract(load(path))
    assert "rnn_cell_forward" not in extraction.functions
    # told as assigned in its cell by a statement the grader does not run; a statement this long is
    # not quoted back (assigned_by holds only those within the bound)
    assert dict(extraction.assigned_in) == {"rnn_cell_forward": 2} and not extraction.assigned_by
