"""A copied function named as a course helper (``sigmoid``, ``softmax``) behind a wrapper
against the similarity check: twenty-fourth session's review. The check compares a function that
only delegates as the helpers it calls, but skipped the course's helper names whatever they held,
so on b557f47 each case below was graded as the copy while the check compared the one-line
wrapper; each test failed there."""
from __future__ import annotations

import pytest

from grader.similaritystage import function_sources
from grader.models import PASSED
from grader.runner import grade_submission
from tests import notebooks as nbs
from tests.copies import flagged_against_classmate, graded_copy

_COPY = nbs.COURSE_CELLS["rnn_cell_forward"]
_WRAPPER = "def rnn_cell_forward(xt, a_prev, parameters):\n    return sigmoid(xt, a_prev, parameters)\n"

_CELLS = {
    "named_sigmoid": _COPY.replace("def rnn_cell_forward(", "def sigmoid(") + "\n" + _WRAPPER,
    # Another name of the course's: the alias is followed to the copy.
    "aliased_sigmoid": _COPY.replace("def rnn_cell_forward(", "def _real(") + "\nsigmoid = _real\n\n" + _WRAPPER,
    # One argument as the course's, but a copy behind it: its calls are followed.
    "through_sigmoid": (_COPY.replace("def rnn_cell_forward(", "def _real(")
                        + "\ndef sigmoid(args):\n    return _real(*args)\n\n"
                        + _WRAPPER.replace("sigmoid(xt, a_prev, parameters)", "sigmoid((xt, a_prev, parameters))")),
}


@pytest.mark.parametrize("how", sorted(_CELLS))
def test_a_copy_named_as_a_course_helper_is_compared(tmp_path, context, sandbox, how):
    path, result, source = graded_copy(tmp_path, how, _CELLS[how], context=context, sandbox=sandbox)
    assert source == function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"]
    # The copy first; the wrapper after it since the thirtieth session (its call can pick what the
    # copy does), which the normaliser leaves out: the pair scores as the copy alone.
    assert "np.tanh(np.dot(Waa, a_prev)" in source and not source.startswith("def rnn_cell_forward"), source
    assert flagged_against_classmate(tmp_path, how, source).pairs[0].overall == 1.0


def test_the_course_helpers_as_students_write_them_are_not_compared(tmp_path):
    # A delegating function whose helper calls the student's own one-argument sigmoid: the
    # helper is compared, the sigmoid is not (as before).
    step = _COPY.replace("def rnn_cell_forward(", "def _step(").replace(
        "    return a_next, yt_pred, cache", "    sigmoid(a_next)\n    return a_next, yt_pred, cache")
    cell = (f"def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n\n{step}\n"
            "def rnn_cell_forward(xt, a_prev, parameters):\n    return _step(xt, a_prev, parameters)\n")
    path = nbs.write(tmp_path / "own.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    source = function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"]
    assert source.startswith("def _step(") and "def sigmoid" not in source


@pytest.mark.parametrize("alias", ["lambda xt, a_prev, parameters: f9(xt, a_prev, parameters)", "lambda *a: f9(*a)"])
def test_a_lambda_that_only_delegates_is_compared_as_its_helper(tmp_path, context, sandbox, alias):
    # The twenty-second review's wrapper, as a lambda: `_only_delegates` read only defs, so the
    # check compared the alias's one line while the copied f9 was graded (failed on b557f47).
    cell = _COPY.replace("def rnn_cell_forward(", "def f9(") + f"\nrnn_cell_forward = {alias}\n"
    path = nbs.write(tmp_path / "lambda.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED
    source = result.extra["sources"]["rnn_cell_forward"]
    assert source.startswith("def f9(") and source.rstrip().endswith(alias), source  # the relay last (thirtieth session)
    assert flagged_against_classmate(tmp_path, "lambda", source).pairs[0].overall == 1.0


def test_a_class_member_that_only_delegates_is_compared_as_its_helper(tmp_path, context, sandbox):
    # rnn_cell_forward = H.rnn_cell_forward, a static method returning f9(...): the helpers were
    # looked for among the names the alias's own line reads (the class), so the check compared the
    # one-line member while the copied f9 was graded (failed on b557f47).
    cell = (_COPY.replace("def rnn_cell_forward(", "def f9(")
            + "\nclass H:\n    @staticmethod\n    def rnn_cell_forward(xt, a_prev, parameters):\n"
              "        return f9(xt, a_prev, parameters)\n\nrnn_cell_forward = H.rnn_cell_forward\n")
    path = nbs.write(tmp_path / "member.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED
    source = result.extra["sources"]["rnn_cell_forward"]
    assert source.startswith("def f9("), source  # the member after the copy (thirtieth session)
    assert flagged_against_classmate(tmp_path, "member", source).pairs[0].overall == 1.0


def test_a_member_that_hands_its_work_to_another_member_is_compared_as_its_class(tmp_path, context, sandbox):
    # The copy as another static method of the class: no notebook function to compare, so the
    # class is (on b557f47 the one-line member was compared).
    copy = "\n".join("    " + line if line else line
                     for line in _COPY.replace("def rnn_cell_forward(", "def _impl(").split("\n"))
    cell = (f"class H:\n    @staticmethod\n{copy}\n    @staticmethod\n"
            "    def rnn_cell_forward(xt, a_prev, parameters):\n        return H._impl(xt, a_prev, parameters)\n"
            "\nrnn_cell_forward = H.rnn_cell_forward\n")
    path = nbs.write(tmp_path / "member.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED
    source = result.extra["sources"]["rnn_cell_forward"]
    assert source.startswith("class H:") and "np.tanh(np.dot(Waa, a_prev)" in source, source
    # A member with code of its own is compared as before, unnoted.
    plain = "\n".join("    " + line if line else line for line in _COPY.split("\n"))
    path = nbs.write(tmp_path / "plain.ipynb", nbs.course_notebook(
        {"rnn_cell_forward": f"class H:\n    @staticmethod\n{plain}\nrnn_cell_forward = H.rnn_cell_forward\n"}))
    assert function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"].startswith("def rnn_cell_forward(")


@pytest.mark.parametrize("call", ["_Obj().run(xt, a_prev, parameters)", "_Obj.run(xt, a_prev, parameters)"])
def test_a_function_that_only_delegates_to_a_class_is_compared_as_the_class(tmp_path, context, sandbox, call):
    # The copy as a method of a class the graded function only calls into: the check compared the
    # one-line function (failed on b557f47).
    method = _COPY.replace("def rnn_cell_forward(xt,", "def run(self, xt," if "()" in call else "def run(xt,")
    body = "\n".join("    " + line if line else line for line in method.split("\n"))
    decorator = "" if "()" in call else "    @staticmethod\n"
    cell = (f"class _Obj:\n{decorator}{body}\n\ndef rnn_cell_forward(xt, a_prev, parameters):\n"
            f"    return {call}\n")
    path = nbs.write(tmp_path / "obj.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED
    source = result.extra["sources"]["rnn_cell_forward"]
    assert source.startswith("class _Obj:") and "np.tanh(np.dot(Waa, a_prev)" in source, source
