"""Definitions inside a wrapper whose body always runs (``if True:``, ``try:``) are graded
(thirty-fourth session): the rule of ``extract._always_defined``, its limits, and the lines the
student is told. Before, such a def was "not graded" (0 points for a right function).
"""
from __future__ import annotations

import pytest

from grader.extract import extract
from grader.runner import grade_submission
from tests import notebooks as nbs
from tests.test_extract import messages, nb, run_program


def _indented(header: str, source: str) -> str:
    return header + "".join("    " + line if line.strip() else line for line in source.splitlines(keepends=True))


_DEF = "def f(x):\n    return x + 1\n"


@pytest.mark.parametrize("cell", [
    "if True:\n" + "    def f(x):\n        return x + 1\n",
    "if 1:\n    '''helpers'''\n    pass\n    def f(x):\n        return x + 1\n",
    "try:\n    def f(x):\n        return x + 1\nexcept Exception as e:\n    print(e)\n",
    "try:\n    def g():\n        return 0\n    def f(x):\n        return x + 1\nfinally:\n    print('done')\n",
    "if True:\n    try:\n        @staticmethod\n        def f(x):\n            return x + 1\n    except NameError:\n        pass\n",
])
def test_a_def_a_plain_wrapper_always_runs_is_kept_at_its_own_lines(cell):
    ex = extract(nb("x = 1\n", cell))
    fn = ex.functions["f"]
    assert fn.source.removeprefix("@staticmethod\n").startswith("def f(x):\n    return x + 1"), fn.source
    assert fn.cell_index == 1 and cell.splitlines()[fn.first_line - 1].lstrip().startswith(("def f", "@")), fn
    assert not any("`f` is defined inside" in m for m in messages(ex)), messages(ex)
    if "staticmethod" not in cell:
        assert run_program(ex)["f"](2) == 3


@pytest.mark.parametrize("cell, block", [
    ("if VERBOSE:\n    def f(x):\n        return x + 1\n", "an `if` block"),
    ("if __name__ == '__main__':\n    def f(x):\n        return x + 1\n", "an `if` block"),
    ("if False:\n    pass\nelse:\n    def f(x):\n        return x + 1\n", "an `if` block"),
    ("try:\n    import tensorflow\n    def f(x):\n        return x + 1\nexcept ImportError:\n    pass\n", "a `try` block"),
    ("try:\n    pass\nexcept Exception:\n    def f(x):\n        return x + 1\n", "a `try` block"),
    ("with open('log.txt') as fh:\n    def f(x):\n        return x + 1\n", "a `with` block"),
    ("for _ in range(1):\n    def f(x):\n        return x + 1\n", "a `for` block"),
    ("if True:\n if True:\n  if True:\n   if True:\n    def f(x):\n        return x + 1\n", "an `if` block"),
])
def test_a_def_a_wrapper_may_skip_is_still_told_not_graded(cell, block):
    # Controls: a test that may be false, a body after a statement that may raise, another branch,
    # `with` and loops, and wrappers deeper than three.
    ex = extract(nb(cell))
    assert "f" not in ex.functions
    assert any(m.startswith(f"`f` is defined inside {block}") and "so it is not graded" in m
               for m in messages(ex, "warning")), messages(ex)


def test_a_graded_function_in_try_is_graded_and_its_error_told_at_its_cell_line(tmp_path, context, sandbox):
    cell = nbs.COURSE_CELLS["rnn_cell_forward"]
    right = _indented("try:\n", cell) + "except Exception as e:\n    print(e)\n"
    wrong = right.replace("+ ba)", "+ parameters['bq'])")
    result = grade_submission(nbs.write(tmp_path / "right.ipynb", nbs.course_notebook({"rnn_cell_forward": right})),
                              context=context, sandbox=sandbox)
    assert result.points == 100, [(p.name, p.points, p.notes) for p in result.parts]
    part = grade_submission(nbs.write(tmp_path / "wrong.ipynb", nbs.course_notebook({"rnn_cell_forward": wrong})),
                            context=context, sandbox=sandbox).part("rnn_cell_forward")
    line = 1 + next(i for i, text in enumerate(wrong.splitlines()) if "'bq'" in text)
    assert part.points == 0 and f"line {line}" in part.cases[0].message, (line, part.cases[0].message)
    assert part.location is not None and part.location.line == 4, part.location  # the def's line


def test_a_cell_of_thousands_of_wrapped_defs_costs_what_the_same_defs_at_the_top_level_cost():
    # Each kept def dedents its own lines in one copy of the cell's: a copy (and a join) a def took
    # 2,200 wrapped defs of a 96 kB cell quadratic. Measured: 0.33 s here against 0.11 s for 1,800 plain defs.
    from tests.cpu import cpu_budget

    cell = "".join(f"if True:\n    def g{i}(x):\n        return x\n" for i in range(2_200))
    with cpu_budget(2.0):
        ex = extract(nb(cell))
    assert len(ex.functions) == 2_200


def test_a_graded_marker_without_its_function_names_the_cell_as_the_student_counts_it():
    # Before: "Cell 1 is marked ..." for the second cell (its index), and the same note beside the
    # warning that the def is inside an `if` block, which said "defined anywhere" wrongly.
    ex = extract(nb("x = 1\n", "# GRADED FUNCTION: rnn_forward\ndef rnn_forwrd(x):\n    return x\n"))
    assert "Cell 2 is marked `GRADED FUNCTION: rnn_forward`, but no function named `rnn_forward` is defined " \
           "anywhere (the cell defines `rnn_forwrd`)." in messages(ex, "info"), messages(ex)
    inside = extract(nb("# GRADED FUNCTION: f\nif VERBOSE:\n    def f(x):\n        return x\n"))
    assert not any("is marked" in m for m in messages(inside)), messages(inside)


def test_a_cell_named_at_the_start_of_a_note_keeps_its_prompt_as_written(tmp_path):
    # `str.capitalize` wrote "Cell 21 (in [20]) is marked ..." (the fb helper's note, thirty-fifth session).
    from grader.extract import extract_file
    notebook = nbs.course_notebook(extra_cells=[nbs.code_cell("# GRADED FUNCTION: gru_forward\nx = 1\n", count=20)])
    ex = extract_file(nbs.write(tmp_path / "student.ipynb", notebook))
    assert any(m.startswith("Cell 21 (In [20]) is marked `GRADED FUNCTION: gru_forward`") for m in messages(ex)), \
        messages(ex)
