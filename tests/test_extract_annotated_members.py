"""Session 27 review: an annotated member set after its class (twenty-sixth session, c019cdf).

Python performs the assignment of ``RNN.cell: <annotation> = value`` before it evaluates the
annotation (the bytecode stores the attribute, then loads the annotation), so the member is set
whatever the annotation is, even one that then raises. The grader counted the set only where it
judged the annotation could not raise (a string, a builtin class, a name from a safe import): with
``typing.Callable`` (an attribute, which cannot fail once ``typing`` is imported) a right
rnn_forward calling ``RNN.cell(...)`` was 'error' in the grade ("RNN has no attribute cell") and
passed in check().
"""
from __future__ import annotations

import pytest

from tests import notebooks as nbs
from tests.test_live import course_module  # noqa: F401 - a fixture: rnn_utils importable


def test_python_sets_the_member_before_it_evaluates_the_annotation():
    namespace: dict = {}
    with pytest.raises(NameError):
        exec(compile("class RNN:\n    pass\n\nRNN.cell: Undefined = 5\n", "cell", "exec", dont_inherit=True), namespace)
    assert namespace["RNN"].cell == 5


@pytest.mark.parametrize("annotation", ["typing.Callable", "typing.Callable[..., tuple]"])
def test_a_member_set_under_an_annotation_of_an_attribute_is_set(tmp_path, course_module, sandbox, annotation):  # noqa: F811
    from tests.test_review_s24 import _check_and_grade

    before = f"import typing\n\n\nclass RNN:\n    pass\n\n\nRNN.cell: {annotation} = staticmethod(rnn_cell_forward)\n\n\n"
    forward = (nbs.COURSE_CELLS["rnn_forward"]
               .replace("def rnn_forward(x, a0, parameters):", before + "def rnn_forward(x, a0, parameters):")
               .replace("= rnn_cell_forward(", "= RNN.cell("))
    live, graded, _namespace = _check_and_grade(nbs.course_notebook({"rnn_forward": forward}), tmp_path, sandbox)
    assert ("rnn_forward", "passed") in live
    assert live == graded


#: A right rnn_cell_forward first, what holds it, then a wrong one defined again: Python's holder
#: keeps the first (read when its statement runs), so a right rnn_forward calling it passes in the
#: kernel. Each was 'error' (NameError, the holder left out of the program) in the grade and in
#: check() alike: df45f48's earlier-def-first covered a def's defaults, a decorator and a class
#: body's own statements, not a lambda's defaults, a class within a class, or a comprehension
#: (which runs where it stands).
_HELD = {
    "lambda default": ("step = lambda xt, a, p, f=rnn_cell_forward: f(xt, a, p)\n", "step("),
    "class in a class": ("class RNN:\n    class Inner:\n        cell = staticmethod(rnn_cell_forward)\n",
                         "RNN.Inner.cell("),
    "comprehension in a class": ("class RNN:\n    cells = [rnn_cell_forward for _ in range(1)]\n",
                                 "RNN.cells[0]("),
    "comprehension in a default": ("def step(xt, a, p, fs=[rnn_cell_forward for _ in range(1)]):\n"
                                   "    return fs[0](xt, a, p)\n", "step("),
}


@pytest.mark.parametrize("how", sorted(_HELD))
def test_a_function_held_when_a_statement_runs_then_defined_again(tmp_path, course_module, sandbox, how):  # noqa: F811
    from tests.test_review_s24 import WRONG_CELL, _check_and_grade

    holder, call = _HELD[how]
    cells = f"{nbs.COURSE_CELLS['rnn_cell_forward']}\n\n{holder}\n\n{WRONG_CELL}"
    forward = nbs.COURSE_CELLS["rnn_forward"].replace("= rnn_cell_forward(", "= " + call)
    live, graded, _namespace = _check_and_grade(
        nbs.course_notebook({"rnn_cell_forward": cells, "rnn_forward": forward}), tmp_path, sandbox)
    assert ("rnn_forward", "passed") in graded and ("rnn_cell_forward", "failed") in graded, graded
    assert live == graded


@pytest.mark.parametrize("how", ["from rnn_utils import softmax", "import rnn_utils"])
def test_a_function_importing_the_course_helpers_in_its_body(tmp_path, course_module, sandbox, how):  # noqa: F811
    # `from rnn_utils import softmax` inside a right rnn_cell_forward: the kernel imports the
    # course's module (beside the notebook) and check() passes; the grade inlines the course's
    # helpers for the notebook's top-level imports only, so the child had no such module:
    # ModuleNotFoundError, 'error', 0 / 10 (older than the twenty-sixth session).
    from tests.test_review_s24 import _check_and_grade

    call = "softmax(" if how.startswith("from") else "rnn_utils.softmax("
    head = "def rnn_cell_forward(xt, a_prev, parameters):\n"
    cell = (nbs.COURSE_CELLS["rnn_cell_forward"].replace(head, f"{head}    {how}\n")
            .replace("= softmax(", "= " + call))
    live, graded, _namespace = _check_and_grade(nbs.course_notebook({"rnn_cell_forward": cell}), tmp_path, sandbox)
    assert ("rnn_cell_forward", "passed") in live
    assert live == graded
