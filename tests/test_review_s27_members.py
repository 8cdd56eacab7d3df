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
