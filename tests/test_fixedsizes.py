"""``grader.fixedsizes``: sizes written as numbers in a graded function, found without running it."""
from __future__ import annotations

import ast
import warnings
from pathlib import Path

from grader.fixedsizes import FixedSize, fixed_sizes
from grader.rubric import load_rubric
from tests import notebooks as nbs

REPO = Path(__file__).resolve().parents[1]
#: The public case of rnn_forward: n_x 3, n_a 5, n_y 2, m 10, T_x 4.
SIZES = frozenset({2, 3, 4, 5, 10})


def test_a_shape_a_loop_and_a_name_set_to_a_size_are_found_where_the_number_is_written():
    source = '''import numpy as np

def rnn_forward(x, a0, parameters):
    n_y, n_a = 2, 5
    a = np.zeros((5, 10, 4))
    y = np.zeros((n_y, x.shape[1], x.shape[2]))
    for t in range(4):
        pass
    return a, y, n_a
'''
    assert fixed_sizes(source, "rnn_forward", sizes=SIZES) == (
        FixedSize(line=4, code="n_y, n_a = 2, 5", numbers=(2,)),
        FixedSize(line=5, code="a = np.zeros((5, 10, 4))", numbers=(5, 10, 4)),
        FixedSize(line=7, code="for t in range(4):", numbers=(4,)),
    )


def test_numbers_that_are_no_size_are_not_found():
    source = '''def rnn_cell_backward(da_next, cache, T_x=4):
    (a_next, a_prev, xt, parameters) = cache
    dtanh = (1 - a_next ** 2) * da_next          # a power, not a size
    dba = np.sum(dtanh, axis=1, keepdims=True).reshape(-1, 1)
    for t in range(2, T_x):                        # a start, not a size
        pass
    for t in reversed(range(T_x - 1, -1, -1)):
        pass
    out = np.full((a_next.shape[0], 1), 5)        # a fill value
    k = 3
    k = k + 1                                       # set to something else too
    return np.zeros((k, 7)), dba, out              # 7 is no size of the public case
'''
    assert fixed_sizes(source, "rnn_cell_backward", sizes=SIZES) == ()
    assert fixed_sizes("def f(:\n", "f", sizes=SIZES) == () and fixed_sizes("x = 1\n", "f", sizes=SIZES) == ()


def test_the_last_definition_is_the_one_read():
    source = "def f():\n    return np.zeros((5, 10))\n\ndef f():\n    return np.zeros((3, 3))\n"
    assert [f.line for f in fixed_sizes(source, "f", sizes=SIZES)] == [5]


def test_no_correct_or_known_mistaken_function_of_the_project_is_said_to_fix_a_size():
    # The reference, the known mistakes, and the notebooks the tests write (two styles, and the
    # functions of the tests' own notebooks): none writes a size of a public case as a number.
    rubric = load_rubric(REPO / "rubrics" / "rnn_extended.yaml")
    graded = {part.function for part in rubric.parts}
    sizes = frozenset(v for part in rubric.parts for case in part.cases
                      if case.visibility == "public" for v in case.dims.values() if v >= 2)
    texts = [(REPO / "solution" / "rnn.py").read_text(), (REPO / "solution" / "mutants.py").read_text(),
             *nbs.COURSE_CELLS.values(), *nbs.ALT_CELLS.values()]
    for test_file in sorted((REPO / "tests").glob("test_*.py")):
        text = test_file.read_text(encoding="utf-8")
        if test_file.name == Path(__file__).name or not any(f"def {name}(" in text for name in graded):
            continue  # this file's hard-coded example; a file that writes no graded function
        texts += [n.value for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Constant)
                  and isinstance(n.value, str) and any(f"def {name}" in n.value for name in graded)]
    read = 0
    for text in texts:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the tests' strings hold regular expressions
                tree = ast.parse(text)
        except (SyntaxError, ValueError):  # hostile tests' strings: lone surrogates, null bytes
            continue
        for node in ast.walk(tree):  # rnn_forward, rnn_forward__a0_every_step
            if isinstance(node, ast.FunctionDef) and node.name.partition("__")[0] in graded:
                read += 1
                own = ast.get_source_segment(text, node)  # the def alone: a file is long
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    assert fixed_sizes(own, node.name, sizes=sizes) == (), (node.name, own)
    assert read > 150


def test_the_self_check_says_a_fixed_size_under_the_function_and_after_the_count(tmp_path):
    # Thirty-third session: a student's rnn_forward made `a = np.zeros((5, 10, 4))`, the example's
    # sizes; the self-check said "passed" (and "all 6 functions pass"), the grade 3 of 15 points.
    import io

    from grader.classfiles import DEFAULT_RUBRIC
    from grader.selfcheck import run_check

    path = nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook(
        nbs.mutate("rnn_forward", "a = np.zeros((n_a, m, T_x))", "a = np.zeros((5, 10, 4))")))
    out = io.StringIO()
    assert run_check(path, rubric=DEFAULT_RUBRIC, stream=out) == 0  # the public case passes
    text = out.getvalue()
    assert ("rnn_forward        passed\n    note: `rnn_forward` writes sizes as numbers (5, 10, 4), those of the "
            "public case: cell 7 (In [4]), line 10: `a = np.zeros((5, 10, 4))`. A hidden case has other sizes "
            "and fails there: take every size from the arguments' shapes (`.shape`).\n") in text, text
    assert "all 6 functions pass their public cases.\nRead the note under rnn_forward too: it says what " \
           "hidden cases may fail.\n" in text, text
    out = io.StringIO()
    run_check(nbs.write(tmp_path / "right.ipynb", nbs.course_notebook()), rubric=DEFAULT_RUBRIC, stream=out)
    assert "note" not in out.getvalue()


def test_a_source_too_deep_for_ast_finds_nothing_and_the_self_check_still_reports(tmp_path):
    # The lead's review of the thirty-third session: a graded function returning a sum of 3,000
    # terms (12 kB, within the cell bound) made ast.parse raise RecursionError inside
    # fixed_sizes, which caught SyntaxError and ValueError only, after the notebook had been
    # graded: the self-check ended on the checker's own error instead of the student's results.
    import io

    from grader.classfiles import DEFAULT_RUBRIC
    from grader.selfcheck import run_check

    deep = "def rnn_cell_forward(xt, a_prev, parameters):\n    return " + " + ".join(["xt"] * 3_000) + "\n"
    assert fixed_sizes(deep, "rnn_cell_forward", sizes=SIZES) == ()
    assert fixed_sizes("def f():\n    return " + "-" * 200_000 + "1\n", "f", sizes=SIZES) == ()
    path = nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook({"rnn_cell_forward": deep}))
    out = io.StringIO()
    run_check(path, rubric=DEFAULT_RUBRIC, stream=out)
    text = out.getvalue()
    assert "rnn_cell_forward" in text and "rnn_backward" in text, text
    assert "Traceback" not in text and "bug" not in text.lower(), text
