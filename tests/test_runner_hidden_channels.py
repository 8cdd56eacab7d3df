"""What a hidden case's feedback can carry that the student's code chooses, case by case.

A hidden case's feedback names its verdict, the mistake diagnosed and where an error was raised
("At cell 4 (In [2]), line 6, in cell."), never its inputs; the known limit (docs/security.md) is
the handful of bits code can choose by behaving differently by input: a status, a mistake, a line.
The thirty-third session's hostile review (against d963ff1) found two places where the student's
code wrote free text there, enough to carry a hidden case's inputs out, number by number:

- the function's name in "in <function>": for a line in a class, the runner took the name of the
  frame's code object, which code can set to anything (``code.replace(co_name=...)``);
- the shape of a wrong argument given to a dependency in isolation ("(of shape (5, 10, 1234), where
  a correct run passes (5, 10))"), which code can build to spell numbers.

Each test fails on d963ff1: the feedback held the encoded inputs.
"""
from __future__ import annotations

import re

from grader.report import feedback_markdown
from grader.runner import grade_submission
from tests import notebooks as nbs

#: Code that writes each hidden case's first inputs into what the feedback shows: a frame's name.
_NAMED_BY_INPUTS = '''class R:
    @staticmethod
    def cell(xt, a_prev, parameters):
        import types
        def boom():
            raise ValueError("no")
        name = "v" + "_".join(str(int(abs(v) * 1000)) for v in xt.ravel()[:12])
        f = types.FunctionType(boom.__code__.replace(co_name=name, co_qualname=name), {})
        f()

rnn_cell_forward = R.cell
'''


def _hidden_lines(result) -> list[str]:
    """The lines of ``feedback.md`` under the hidden cases."""
    lines, out, under = feedback_markdown(result).splitlines(), [], False
    for line in lines:
        if line.startswith("- "):
            under = "hidden case" in line
        if under:
            out.append(line)
    return out


def test_a_frame_named_by_the_inputs_does_not_reach_a_hidden_cases_feedback(tmp_path, context, sandbox):
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook({"rnn_cell_forward": _NAMED_BY_INPUTS}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    hidden = _hidden_lines(result)
    assert not any(re.search(r"\bv\d+_\d+", line) for line in hidden), hidden
    cases = result.part("rnn_cell_forward").cases
    # The place is still told (once: the public case's "At cell 4 (In [2]), line 6." holds it).
    assert {(case.location.cell, case.location.line, case.location.function) for case in cases} == {(3, 6, None)}, cases


def test_a_method_of_a_class_is_still_named_where_it_raised(tmp_path, context, sandbox):
    """Control (eff23ad): the frame of a method defined in the class's lines is named by it."""
    cell = ("class RNN:\n    @staticmethod\n    def cell(xt, a_prev, parameters):\n        p = parameters\n"
            "        a = np.tanh(p['Wxx'] @ xt + p['Waa'] @ a_prev + p['ba'])\n"
            "        return a, softmax(p['Wya'] @ a + p['by']), (a, a_prev, xt, parameters)\n\n\n"
            "rnn_cell_forward = RNN.cell\n")
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    part = grade_submission(path, context=context, sandbox=sandbox).part("rnn_cell_forward")
    assert all(case.location is not None and case.location.function == "cell" for case in part.cases), part.cases


#: An rnn_forward that gives its step, at each hidden case's first call, an array whose shape spells
#: the case's first inputs (a zero axis first, so the array is empty whatever the others are).
_SHAPED_BY_INPUTS = '''def rnn_forward(x, a0, parameters):
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    caches = []
    a_next = a0
    spelt = tuple(int(abs(v) * 1000) % 1000 + 1 for v in x.ravel()[:5])
    for t in range(T_x):
        a_next, yt, cache = rnn_cell_forward(x[:, :, t], np.zeros((0,) + spelt) if t == 0 else a_next, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt
        caches.append(cache)
    return a, y_pred, (caches, x)
'''


def test_a_wrong_arguments_shape_does_not_spell_a_hidden_case_in_its_feedback(tmp_path, context, sandbox):
    # The student's own step takes the empty array as a state of its own (and passes its own cases):
    # the call ends, wrong, and is diagnosed as one given other inputs than a correct run's.
    cell = nbs.COURSE_CELLS["rnn_cell_forward"].replace(
        '    Wax = parameters["Wax"]\n',
        '    Wax = parameters["Wax"]\n    if a_prev.size == 0:\n'
        '        a_prev = 0.5 + np.zeros((parameters["Waa"].shape[0], xt.shape[1]))\n', 1)
    assert cell != nbs.COURSE_CELLS["rnn_cell_forward"]
    cells = {"rnn_forward": _SHAPED_BY_INPUTS, "rnn_cell_forward": cell}
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(cells))
    result = grade_submission(path, context=context, sandbox=sandbox)
    part = result.part("rnn_forward")
    hidden = [case for case in part.cases if case.visibility == "hidden"]
    told = [case.diagnosis.message for case in hidden if case.diagnosis]
    assert told, [case.status for case in hidden]  # the call is still diagnosed
    assert not any(re.search(r"\(0, \d+", text) for text in told), told
    public = part.cases[0]
    assert public.diagnosis is not None and "(of shape (0, " in public.diagnosis.message, public.diagnosis
