"""Twenty-third session's fairness review: notebooks the tests write (from ``tests/notebooks.py``'s
course notebook), graded through the real grader; each test failed before its fix."""
from __future__ import annotations

from pathlib import Path

from grader.extract import extract
from grader.notebook import Cell, Notebook
from grader.runner import grade_submission
from tests import notebooks as nbs
from tests.copies import flagged_against_classmate
from tests.test_live import course_module  # noqa: F401 - a fixture: rnn_utils importable


def _grade(tmp_path: Path, nb: dict, context, sandbox):
    """The result of grading ``nb``, written to ``tmp_path``."""
    return grade_submission(nbs.write(tmp_path / "student.ipynb", nb), context=context, sandbox=sandbox)


# --------------------------------------------------------------------------- rnn_cell_forward = RNN.cell

#: A right cell as a static method of a class, graded under its alias.
STATIC_CELL = ("class RNN:\n    @staticmethod\n    def cell(xt, a_prev, parameters):\n        p = parameters\n"
               "        a = np.tanh(p['Wax'] @ xt + p['Waa'] @ a_prev + p['ba'])\n"
               "        return a, softmax(p['Wya'] @ a + p['by']), (a, a_prev, xt, parameters)\n\n\n"
               "rnn_cell_forward = RNN.cell\n")


def test_a_wrong_key_in_a_method_bound_to_a_graded_name_names_the_parameter(tmp_path, context, sandbox):
    # "If you read it from argument 3": the alias's one line has no parameters to name it by.
    cell = STATIC_CELL.replace("p['Wax']", "p['Wxx']")
    case = _grade(tmp_path, nbs.course_notebook({"rnn_cell_forward": cell}), context, sandbox).part(
        "rnn_cell_forward").cases[0]
    assert "If you read it from `parameters`: its keys are" in case.message, case.message


def test_a_class_method_bound_to_a_graded_name_is_named_without_its_class_parameter(tmp_path, context, sandbox):
    cell = (STATIC_CELL.replace("@staticmethod", "@classmethod").replace("def cell(xt", "def cell(cls, xt")
            .replace("p['Wax']", "p['Wxx']"))
    case = _grade(tmp_path, nbs.course_notebook({"rnn_cell_forward": cell}), context, sandbox).part(
        "rnn_cell_forward").cases[0]
    assert "If you read it from `parameters`: its keys are" in case.message, case.message


def test_an_error_a_composite_causes_in_a_bound_method_is_blamed_on_the_call(tmp_path, context, sandbox):
    # rnn_forward passes 0 for the parameters to a right cell bound as RNN.cell: the error is raised
    # in `cell`, and the sentence saying the call is the mistake (the cell is graded on its own,
    # 10 / 10) was missing, as it is not for a plain def.
    forward = nbs.COURSE_CELLS["rnn_forward"].replace("a_next, parameters)", "a_next, 0)")
    assert forward != nbs.COURSE_CELLS["rnn_forward"]
    result = _grade(tmp_path, nbs.course_notebook({"rnn_cell_forward": STATIC_CELL, "rnn_forward": forward}),
                    context, sandbox)
    assert result.part("rnn_cell_forward").points == 10
    message = result.part("rnn_forward").cases[0].message
    assert "The error is in your `rnn_cell_forward`, but it comes from what `rnn_forward` passed" in message, message
    assert "in `parameters`" in message, message


# --------------------------------------------------------------------------- a composite calling RNN.cell

#: The cell above with the bias left out of the hidden state (0 / 10 on its own).
WRONG_STATIC_CELL = STATIC_CELL.replace(" + p['ba'])", ")")


def _calling_the_method(cell: str, *, a0_every_step: bool = False) -> dict:
    """The course notebook with ``cell`` as rnn_cell_forward's cell and rnn_forward calling ``RNN.cell``."""
    forward = nbs.COURSE_CELLS["rnn_forward"].replace("= rnn_cell_forward(", "= RNN.cell(")
    if a0_every_step:
        forward = forward.replace("(x[:, :, t], a_next,", "(x[:, :, t], a0,")
    assert forward.count("RNN.cell(") == 1 and ("(x[:, :, t], a0," in forward) == a0_every_step
    return nbs.course_notebook({"rnn_cell_forward": cell, "rnn_forward": forward})


def test_a_wrong_static_method_called_by_the_composite_costs_once(tmp_path, context, sandbox):
    # rnn_forward calls RNN.cell, the method rnn_cell_forward is bound to: never isolated from the
    # wrong cell, it lost its 15 points for the mistake already charged under rnn_cell_forward.
    assert WRONG_STATIC_CELL != STATIC_CELL
    result = _grade(tmp_path, _calling_the_method(WRONG_STATIC_CELL), context, sandbox)
    assert result.part("rnn_cell_forward").points == 0
    composite = result.part("rnn_forward")
    assert composite.points == composite.max_points, [c.message for c in composite.cases][:1]


def test_a_wrong_composite_calling_the_method_is_graded_as_under_the_graded_name(tmp_path, context, sandbox):
    through_class = _grade(tmp_path, _calling_the_method(WRONG_STATIC_CELL, a0_every_step=True),
                           context, sandbox).part("rnn_forward")
    plain = nbs.course_notebook({"rnn_cell_forward": WRONG_STATIC_CELL, "rnn_forward": nbs.COURSE_CELLS[
        "rnn_forward"].replace("(x[:, :, t], a_next,", "(x[:, :, t], a0,")})
    by_name = _grade(tmp_path, plain, context, sandbox).part("rnn_forward")
    assert through_class.points < through_class.max_points
    assert [(c.status, c.points) for c in through_class.cases] == [(c.status, c.points) for c in by_name.cases]


def test_only_a_static_method_calls_its_graded_name():
    # A static method and a plain def in the class (a plain function then, an instance passing
    # itself first as to the def) call the graded name; a class method is left as it is (it would
    # lose its `cls`).
    for decorator, first, dispatched in (("@staticmethod", "", "staticmethod(lambda"), ("@classmethod", "cls, ", ""),
                                         ("", "", "lambda")):
        source = (f"import numpy as np\n\nclass RNN:\n    {decorator}\n    def cell({first}xt, a_prev, parameters):\n"
                  "        return xt\n\nrnn_cell_forward = RNN.cell\n")
        program = extract(Notebook(path="s.ipynb", cells=(Cell(index=0, kind="code", source=source, outputs=()),), nbformat=(4, 5))).program().source
        assert (f"RNN.cell = {dispatched} *args" in program if dispatched else "RNN.cell =" not in program), program


# --------------------------------------------------------------------------- modules a call imports

def test_a_right_cell_importing_a_compiled_package_by_name_scores_in_every_case(tmp_path, context, sandbox):
    # The child took every module a call imported out of sys.modules again; the next call imported
    # scipy.special again and got "ImportError: cannot load module more than once per process"
    # (2.5 / 10). The twenty-second session imported at load what a body's `import` names; a name
    # given to importlib is not seen there.
    cell = "import importlib\n\n" + nbs.COURSE_CELLS["rnn_cell_forward"].replace(
        "softmax(", "importlib.import_module('scipy.special').softmax(axis=0, x=")
    assert "scipy.special" in cell
    part = _grade(tmp_path, nbs.course_notebook({"rnn_cell_forward": cell}), context, sandbox).part("rnn_cell_forward")
    assert part.points == part.max_points, [c.message for c in part.cases]


def test_a_module_a_call_makes_or_renames_is_still_removed_after_it(sandbox):
    # What stays is a module the import system loaded from a file under its own name, outside the
    # standard library: one the student makes, one under another name, or a standard module, goes.
    program = ("import sys\nimport types\nimport importlib\n\n\n"
               "def plant():\n    sys.modules['made_here'] = types.ModuleType('made_here')\n"
               "    sys.modules['renamed'] = importlib.import_module('scipy.special')\n"
               "    importlib.import_module('scipy.linalg')\n    import xdrlib\n    return 0\n\n\n"
               "def look():\n    return sorted(k for k in ('made_here', 'renamed', 'scipy.linalg', 'xdrlib')"
               " if k in sys.modules)\n")
    with sandbox.session(program) as session:
        assert session.call("plant", (), timeout=10.0, aliases=False).status == "ok"
        outcome = session.call("look", (), timeout=2.0, aliases=False)
    assert outcome.status == "ok" and list(outcome.value) == ["scipy.linalg"], outcome


# --------------------------------------------------------------------------- a wrapper around a copied helper

def test_a_copy_behind_a_one_line_wrapper_is_what_the_similarity_check_compares(tmp_path, context, sandbox):
    # rnn_cell_forward only calls `_step`, a classmate's function copied under another name: the
    # check compared the wrapper's two lines, and the copy got full points unseen.
    from grader.similaritystage import function_sources

    helper = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def _step(")
    wrapper = "def rnn_cell_forward(xt, a_prev, parameters):\n    return _step(xt, a_prev, parameters)\n"
    path = nbs.write(tmp_path / "wrapped.ipynb",
                     nbs.course_notebook({"rnn_cell_forward": f"{helper}\n\n{wrapper}"}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").points == result.part("rnn_cell_forward").max_points
    names = ["rnn_cell_forward", "rnn_forward"]
    sources = function_sources(path, names=names)
    assert sources["rnn_cell_forward"].startswith("def _step(") and "np.tanh" in sources["rnn_cell_forward"]
    assert {n: result.extra["sources"][n] for n in names} == sources
    # A graded function another one calls is compared on its own, not again inside its caller.
    assert "def rnn_cell_forward(" not in sources["rnn_forward"] and "_step" not in sources["rnn_forward"]
    flagged_against_classmate(tmp_path, "wrapped", sources["rnn_cell_forward"])


# --------------------------------------------------------------------------- np.append for a list's append

def test_caches_collected_with_np_append_are_told_what_np_append_does(tmp_path, context, sandbox):
    # A real notebook's lstm_forward: `caches = np.append(caches, cache)` raised NumPy's "setting an
    # array element with a sequence ... inhomogeneous shape", and that was all it was told (0 / 15).
    cells = nbs.mutate("lstm_forward", "caches.append(cache)", "caches = np.append(caches, cache)")
    case = _grade(tmp_path, nbs.course_notebook(cells), context, sandbox).part("lstm_forward").cases[0]
    assert case.status == "error" and "inhomogeneous" in case.message, case.message
    assert "keep a list and add to it with the list's own append (`caches.append(cache)`)" in case.message, case.message


def test_a_wrong_plain_def_in_a_class_called_by_the_composite_costs_once(tmp_path, context, sandbox):
    # The same as a static method for a def without decorators, which RNN.cell names as it is.
    cell = WRONG_STATIC_CELL.replace("    @staticmethod\n", "")
    assert "@static" not in cell
    result = _grade(tmp_path, _calling_the_method(cell), context, sandbox)
    assert result.part("rnn_cell_forward").points == 0
    composite = result.part("rnn_forward")
    assert composite.points == composite.max_points, [c.message for c in composite.cases][:1]


def test_check_in_jupyter_isolates_a_composite_calling_the_method_as_the_grade_does(
        tmp_path, course_module, sandbox):  # noqa: F811 - course_module is a fixture
    # After the fix above, check() (the kernel's own functions, stubs rebound in their globals)
    # still charged the wrong cell twice: rnn_forward failed in check() and passed in the grade.
    from grader.live import grade_live
    from tests.budgets import public_context
    from tests.test_review_s22 import _kernel_namespace

    public = public_context()  # check() stops a call on wall time: not this test's subject
    nb = _calling_the_method(WRONG_STATIC_CELL)
    namespace = _kernel_namespace(["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"], tmp_path)
    method = vars(namespace["RNN"])["cell"]
    live, _ = grade_live(namespace, context=public)
    graded = _grade(tmp_path, nb, public, sandbox)
    assert [(p.name, p.status) for p in live.parts] == [(p.name, p.status) for p in graded.parts]
    assert live.part("rnn_forward").status == "passed" and live.part("rnn_cell_forward").status == "failed"
    assert vars(namespace["RNN"])["cell"] is method, "the kernel's class is left as it was"


def test_a_method_bound_to_a_graded_name_that_changes_its_input_is_told_which(tmp_path, context, sandbox):
    cell = STATIC_CELL.replace("        p = parameters\n", "        p = parameters\n        a_prev *= 2\n", 1)
    assert "a_prev *= 2" in cell
    case = _grade(tmp_path, nbs.course_notebook({"rnn_cell_forward": cell}), context, sandbox).part(
        "rnn_cell_forward").cases[0]
    assert "changes its input `a_prev` in place" in case.message, case.message


# --------------------------------------------------------------------------- a dependency as a default value

def _cell_as_default() -> dict:
    """A wrong cell (the bias left out), and rnn_forward taking it as a default argument."""
    forward = (nbs.COURSE_CELLS["rnn_forward"]
               .replace("def rnn_forward(x, a0, parameters):", "def rnn_forward(x, a0, parameters, cell=rnn_cell_forward):")
               .replace("= rnn_cell_forward(", "= cell("))
    assert "cell=rnn_cell_forward" in forward and "= cell(" in forward
    return nbs.course_notebook({"rnn_cell_forward": nbs.COURSE_CELLS["rnn_cell_forward"].replace("+ ba)", ")"),
                                "rnn_forward": forward})


def test_a_wrong_cell_given_as_a_default_argument_costs_once(tmp_path, context, sandbox):
    # The default held the function itself: the stub under `rnn_cell_forward` was never met, and a
    # right rnn_forward lost its 15 points for the cell's mistake.
    result = _grade(tmp_path, _cell_as_default(), context, sandbox)
    assert result.part("rnn_cell_forward").points == 0
    composite = result.part("rnn_forward")
    assert composite.points == composite.max_points, [c.message for c in composite.cases][:1]


def test_check_in_jupyter_isolates_a_default_argument_as_the_grade_does(tmp_path, course_module, sandbox):  # noqa: F811
    from grader.live import grade_live
    from tests.budgets import public_context
    from tests.test_review_s22 import _kernel_namespace

    public = public_context()  # check() stops a call on wall time: not this test's subject
    nb = _cell_as_default()
    namespace = _kernel_namespace(["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"], tmp_path)
    defaults = namespace["rnn_forward"].__defaults__
    live, _ = grade_live(namespace, context=public)
    graded = _grade(tmp_path, nb, public, sandbox)
    assert [(p.name, p.status) for p in live.parts] == [(p.name, p.status) for p in graded.parts]
    assert live.part("rnn_forward").status == "passed"
    assert namespace["rnn_forward"].__defaults__ is defaults, "the kernel's function is left as it was"
