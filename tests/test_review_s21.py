"""The twenty-first session's review: ways a class writes this assignment that the grader
scored unlike a fair human grader, each rebuilt from the tests' course notebook and graded
through the real grader."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.extract import extract
from grader.models import PASSED
from grader.notebook import SubmissionError, load
from grader.report import gradescope_results
from grader.runner import grade_submission
from tests import notebooks as nbs

# The tanh derivative written as a one-line helper in a cell of its own, as a lambda.
DTANH_CELL = "dtanh_of = lambda a: 1 - a ** 2\n"
BACKWARD_WITH_HELPER = nbs.mutate("rnn_cell_backward", "dtanh = (1 - a_next ** 2) * da_next",
                                  "dtanh = dtanh_of(a_next) * da_next")


def _grade(tmp_path: Path, nb: dict, context, sandbox):
    """The result of grading ``nb``, written to ``tmp_path``."""
    return grade_submission(nbs.write(tmp_path / "student.ipynb", nb), context=context, sandbox=sandbox)


def _extraction(tmp_path: Path, cells: list[str]):
    """The extraction of a notebook of ``cells`` (code cells)."""
    path = nbs.write(tmp_path / "cells.ipynb", nbs.notebook([nbs.code_cell(c) for c in cells]))
    return extract(load(path))


def test_a_lambda_helper_in_another_cell_is_kept_as_the_function_it_is(tmp_path):
    # With a call in its body (the fast path skipped such a line unparsed), without one, and
    # in a cell that only the careful path reads (a magic line): each is a function of the
    # program, found where it is written, and no name of it is said to be undefined.
    cells = ["import numpy as np\n",
             "my_tanh = lambda z: np.tanh(z)\n",
             "square = lambda a: a ** 2  # no call\n",
             "%matplotlib inline\nscaled = lambda z, k=2.0: k * my_tanh(z)\n",
             "half = (lambda z:\n        0.5 * np.abs(z))\n",
             "def f(z):\n    return scaled(z) + square(z) - half(z)\n"]
    ex = _extraction(tmp_path, cells)
    for name, cell in (("my_tanh", 1), ("square", 2), ("scaled", 3), ("half", 4)):
        assert name in ex.functions, sorted(ex.functions)
        assert ex.functions[name].cell_index == cell
        assert ex.functions[name].free_names == ()
    assert ex.functions["scaled"].first_line == 2
    program = ex.program().source
    assert "my_tanh = lambda z: np.tanh(z)" in program and "square = lambda a: a ** 2" in program
    assert not any("`f` uses" in d.message for d in ex.diagnostics), ex.diagnostics
    namespace: dict = {}
    exec(compile(program, "<program>", "exec"), namespace)  # noqa: S102 - our own test code
    assert namespace["f"](0.5) == 2.0 * namespace["np"].tanh(0.5) + 0.25 - 0.25
    assert ex.functions["half"].last_line == 2


def test_a_lambda_that_is_not_a_plain_helper_stays_dropped(tmp_path):
    # Two names bound at once, or a lambda inside a call: still a statement that is not kept.
    ex = _extraction(tmp_path, ["import numpy as np\n",
                                "a, b = lambda z: z, lambda z: -z\n",
                                "c = make(lambda z: z)\n"])
    assert not {"a", "b", "c"} & set(ex.functions)


def test_a_graded_function_using_a_lambda_helper_gets_full_marks(tmp_path, context, sandbox):
    nb = nbs.course_notebook(BACKWARD_WITH_HELPER, extra_cells=[nbs.code_cell(DTANH_CELL)])
    result = _grade(tmp_path, nb, context, sandbox)
    part = result.part("rnn_cell_backward")
    assert part.status == PASSED and part.points == part.max_points, [c.message for c in part.cases]
    assert result.points == result.max_points


def test_a_lambda_calling_a_notebook_function_loads_that_function(tmp_path, context, sandbox):
    # The lambda is the only reader of the def: the def must be kept in the program too.
    extra = nbs.code_cell("def one_minus_square(a):\n    return 1 - a ** 2\n\n"
                          "dtanh_of = lambda a: one_minus_square(a)\n")
    result = _grade(tmp_path, nbs.course_notebook(BACKWARD_WITH_HELPER, extra_cells=[extra]), context, sandbox)
    part = result.part("rnn_cell_backward")
    assert part.status == PASSED and part.points == part.max_points, [c.message for c in part.cases]


def test_a_passed_case_scores_its_points_exactly_in_results_json(tmp_path, context, sandbox):
    # lstm_forward's outputs weigh 2, 2, 2, 1: the shares of a 3-point case summed to
    # 2.9999999999999996, which Gradescope's results.json showed for every right answer.
    result = _grade(tmp_path, nbs.course_notebook(), context, sandbox)
    weights = sorted(s.weight for s in context.rubric.part("lstm_forward").outputs)
    assert weights == [1, 2, 2, 2]  # the rubric still has the case this test is about
    for part in result.parts:
        for case in part.cases:
            if case.status == PASSED:
                assert case.points == case.max_points, (part.name, case.name, case.points)
    tests = gradescope_results(result)["tests"]
    assert all(t["score"] == t["max_score"] for t in tests if t.get("status") == "passed"), \
        [(t["name"], t.get("score")) for t in tests if t.get("score") != t.get("max_score")]


def test_a_right_answer_that_changed_its_input_loses_the_penalty_of_its_full_points(tmp_path, context, sandbox):
    nb = nbs.course_notebook(nbs.mutate("rnn_cell_backward", "dtanh = (1 - a_next ** 2) * da_next",
                                        "da_next *= (1 - a_next ** 2)\n    dtanh = da_next"))
    part = _grade(tmp_path, nb, context, sandbox).part("rnn_cell_backward")
    weight = context.rubric.part("rnn_cell_backward").mutation_weight
    for case in part.cases:
        assert [c.name for c in case.checks if not c.passed] == ["inputs unchanged"]
        assert case.points == case.max_points * (1 - weight)


def _course_py() -> str:
    """The course notebook's code cells as one .py export, in characters Latin-1 can write."""
    cells = nbs.course_notebook()["cells"]
    return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code").replace("\u2248", "~")


def test_a_python_file_in_the_encoding_its_coding_line_declares_is_graded(tmp_path, context, sandbox):
    # Python runs such a file (PEP 263); it was refused as "not UTF-8 ... a binary file or a zip
    # archive?", 0 / 100 for a Windows editor's export with an accent in its header comment.
    path = tmp_path / "student.py"
    path.write_bytes(("# -*- coding: latin-1 -*-\n# Author: Jos\xe9 Mar\xeda\n" + _course_py()).encode("latin-1"))
    notebook = load(path)
    assert "Jos\xe9" in notebook.cells[0].source
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.status == "graded" and result.points == result.max_points, result.messages


def test_a_python_file_without_a_coding_line_that_is_not_utf8_is_told_so_truly(tmp_path):
    path = tmp_path / "student.py"
    path.write_bytes(("# Author: Jos\xe9\n" + _course_py()).encode("latin-1"))
    with pytest.raises(SubmissionError) as info:
        load(path)
    message = str(info.value)
    assert "not UTF-8 text" in message and "zip archive" not in message, message
    assert "UTF-8" in message.split(";", 1)[1] and "coding" in message, message


# A later cell rebinds `np` to a NumPy look-alike the grading machine lacks (a student's gradient
# check with `import autograd.numpy as np`); the name here is one no machine has.
LOOKALIKE = "import no_such_numpy_lookalike_s21.numpy as np\n"


def test_a_missing_module_rebinding_np_leaves_the_earlier_numpy_in_place(tmp_path, context, sandbox):
    # The failed import bound `np` to the ImportError's stand-in: every graded function raised
    # ModuleNotFoundError, 0 / 100 for a notebook whose functions are right with NumPy.
    # In a cell between the notebook's own import and the functions (after them, the import is
    # left out altogether: see the tests of late imports below).
    nb = nbs.notebook([nbs.code_cell("import numpy as np\nfrom rnn_utils import *\n"), nbs.code_cell(LOOKALIKE)]
                      + [nbs.code_cell(source) for source in nbs.COURSE_CELLS.values()])
    result = _grade(tmp_path, nb, context, sandbox)
    assert result.points == result.max_points, [c.message for p in result.parts for c in p.cases][:2]
    assert any("no_such_numpy_lookalike_s21" in m for m in result.messages), result.messages


def test_a_missing_module_that_alone_binds_a_name_still_raises_its_import_error(tmp_path):
    ex = _extraction(tmp_path, [LOOKALIKE, "def f(z):\n    return np.tanh(z)\n"])
    namespace: dict = {}
    exec(compile(ex.program().source, "<program>", "exec"), namespace)  # noqa: S102 - our own test code
    with pytest.raises(ImportError):
        namespace["f"](0.5)


# The bonus section's cell, after every graded function and its tests, importing names the
# graded functions read (the course's softmax and sigmoid, NumPy's np).
BONUS_IMPORTS = ("from tensorflow.keras.activations import sigmoid, softmax\n"
                 "import autograd.numpy as np\n")


def test_an_import_after_every_function_reading_its_name_does_not_rebind_it(tmp_path):
    # The functions ran their tests with the course's helpers before the bonus cell rebound
    # them: the program imported TensorFlow at load (about 10 s, past the load's budget) and
    # every graded function timed out, 10 / 110 for a notebook whose RNN part is right.
    cells = ["import numpy as np\nfrom rnn_utils import *\n",
             "def f(z):\n    return sigmoid(np.tanh(z)) + softmax(z)\n",
             BONUS_IMPORTS,
             "def build(k):\n    return keras_model(k)\n"]
    program = _extraction(tmp_path, cells).program().source
    assert "tensorflow" not in program and "autograd" not in program, program
    namespace: dict = {}
    exec(compile(program, "<program>", "exec"), namespace)  # noqa: S102 - our own test code
    assert abs(namespace["f"](0.0) - 1.5) < 1e-12


def test_an_import_before_a_function_reading_its_name_still_binds_it(tmp_path):
    # Written against it (or read again by a kept function after it): as Python would run it.
    for cells in (["import numpy as np\n", "from math import tanh\n", "def f(z):\n    return tanh(z)\n"],
                  ["from math import tanh\n", "def f(z):\n    return 1.0\n", "import numpy as np\nfrom math import tanh\n",
                   "def g(z):\n    return tanh(z) + f(z)\n"]):
        program = _extraction(tmp_path, cells).program().source
        assert "from math import tanh" in program, program


def test_a_later_cell_importing_scipy_softmax_does_not_cost_the_graded_functions(tmp_path, context, sandbox):
    nb = nbs.course_notebook(extra_cells=[nbs.code_cell("from scipy.special import softmax\n")])
    result = _grade(tmp_path, nb, context, sandbox)
    assert result.points == result.max_points, [c.message for p in result.parts for c in p.cases][:2]


def test_a_late_import_is_not_said_to_be_needed(tmp_path):
    cells = ["import numpy as np\nfrom rnn_utils import *\n",
             "def f(z):\n    return sigmoid(np.tanh(z)) + softmax(z)\n", BONUS_IMPORTS]
    ex = _extraction(tmp_path, cells)
    assert not any("tensorflow" in d.message or "autograd" in d.message for d in ex.diagnostics), ex.diagnostics


def test_a_late_numpy_import_still_counts_as_the_notebook_importing_numpy(tmp_path):
    ex = _extraction(tmp_path, ["from rnn_utils import *\n", "def f(z):\n    return np.tanh(z)\n",
                                "import numpy as np\n"])
    assert "import numpy as np" in ex.program().source
    assert not any("never imports NumPy" in d.message for d in ex.diagnostics), ex.diagnostics


def test_a_graded_name_given_to_a_function_by_assignment_is_graded(tmp_path, context, sandbox):
    # The student wrote `def rnn_cell_fwd(...)` and then `rnn_cell_forward = rnn_cell_fwd`: told
    # "No function named `rnn_cell_forward` was found", 0 / 10 for a right cell.
    cell = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def rnn_cell_fwd(")
    for nb in (nbs.course_notebook({"rnn_cell_forward": cell + "\n\nrnn_cell_forward = rnn_cell_fwd\n"}),
               nbs.course_notebook({"rnn_cell_forward": cell},
                                   extra_cells=[nbs.code_cell("rnn_cell_forward = rnn_cell_fwd\n")])):
        result = _grade(tmp_path, nb, context, sandbox)
        part = result.part("rnn_cell_forward")
        assert part.status == PASSED and part.points == part.max_points, part.notes
        assert result.points == result.max_points, result.messages


def test_an_assignment_of_a_name_that_is_no_function_defined_before_stays_dropped(tmp_path):
    ex = _extraction(tmp_path, ["import numpy as np\n", "a = b\n", "c = np\n",
                                "d = later\n", "def later(z):\n    return z\n", "e, f = later, later\n"])
    assert set(ex.functions) == {"later"}


def test_a_function_graded_through_its_alias_is_told_by_its_parameter_names(tmp_path, context, sandbox):
    cell = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def rnn_cell_fwd(").replace(
        'Wax = parameters["Wax"]', 'Wax = parameters["Wxx"]')
    nb = nbs.course_notebook({"rnn_cell_forward": cell + "\n\nrnn_cell_forward = rnn_cell_fwd\n"})
    message = _grade(tmp_path, nb, context, sandbox).part("rnn_cell_forward").cases[0].message
    assert "KeyError: 'Wxx'" in message and "in rnn_cell_fwd" in message, message
    assert "`parameters`" in message and "argument 3" not in message, message


def test_annotations_left_unevaluated_by_the_notebooks_future_import_cost_nothing(tmp_path, context, sandbox):
    # With `from __future__ import annotations` (IPython keeps it for the later cells) Python
    # never evaluates an annotation: the cell was right, and was left out as "cannot even be
    # defined" for its `-> Tuple` (0 / 10), with notes that it "will raise NameError".
    annotated = nbs.COURSE_CELLS["rnn_cell_forward"].replace(
        "def rnn_cell_forward(xt, a_prev, parameters):",
        "def rnn_cell_forward(xt: ndarray, a_prev: ndarray, parameters: Dict) -> Tuple:")
    nb = nbs.notebook([nbs.code_cell("from __future__ import annotations\nimport numpy as np\nfrom rnn_utils import *\n"),
                       nbs.code_cell(annotated)]
                      + [nbs.code_cell(s) for name, s in nbs.COURSE_CELLS.items() if name != "rnn_cell_forward"])
    result = _grade(tmp_path, nb, context, sandbox)
    part = result.part("rnn_cell_forward")
    assert part.status == PASSED and part.points == part.max_points, part.notes
    assert not any("Tuple" in m for m in result.messages), result.messages


def test_annotations_without_the_future_import_are_still_evaluated(tmp_path):
    ex = _extraction(tmp_path, ["import numpy as np\n", "def f(z) -> Tuple:\n    return z\n"])
    assert any("cannot even be defined" in d.message for d in ex.diagnostics), ex.diagnostics


def _first_cell(head: str) -> dict:
    """The course notebook with ``head`` as its first code cell."""
    return nbs.notebook([nbs.code_cell(head)] + [nbs.code_cell(s) for s in nbs.COURSE_CELLS.values()])


def test_a_course_import_after_another_import_of_its_helper_is_the_one_used(tmp_path, context, sandbox):
    # `from rnn_utils import *` after `from scipy.special import softmax` rebinds softmax to the
    # course's, as Python runs the cell; the grader kept scipy's (the course's helpers are put
    # after every import) and a right rnn_cell_forward and lstm_cell_forward lost 7.3 points.
    result = _grade(tmp_path, _first_cell("import numpy as np\nfrom scipy.special import softmax\n"
                                          "from rnn_utils import *\n"), context, sandbox)
    assert result.points == result.max_points, [c.message for p in result.parts for c in p.cases][:2]


def test_an_import_after_the_course_import_still_replaces_its_helper(tmp_path, context, sandbox):
    result = _grade(tmp_path, _first_cell("import numpy as np\nfrom rnn_utils import *\n"
                                          "from scipy.special import softmax\n"), context, sandbox)
    assert result.part("rnn_cell_forward").points < result.part("rnn_cell_forward").max_points
