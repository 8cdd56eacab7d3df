"""The engine end to end: notebook -> extraction -> sandbox -> checks -> SubmissionResult."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from grader.models import (
    CRASHED, ERROR, FAILED, MISSING, NOT_IMPLEMENTED, PASSED, SKIPPED, TIMEOUT,
)
from grader.runner import GradingContext, grade_submission
from grader.sandbox import Sandbox
from tests import notebooks as nbs


def with_timeout(context: GradingContext, seconds: float) -> GradingContext:
    parts = tuple(dataclasses.replace(p, cases=tuple(dataclasses.replace(c, timeout=seconds)
                                                     for c in p.cases))
                  for p in context.rubric.parts)
    return dataclasses.replace(context, rubric=dataclasses.replace(context.rubric, parts=parts))


def grade(tmp_path: Path, nb: dict, context, sandbox, name="student"):
    path = nbs.write(tmp_path / f"{name}.ipynb", nb)
    return grade_submission(path, context=context, sandbox=sandbox)


def core(result, context):
    """The NumPy parts (not the IMDB bonus, which these notebooks do not attempt)."""
    names = {p.name for p in context.rubric.parts}
    return [p for p in result.parts if p.name in names]


def part(result, name):
    found = result.part(name)
    assert found is not None, name
    return found


def test_course_layout_scores_full_marks(tmp_path, context, sandbox):
    result = grade(tmp_path, nbs.course_notebook(), context, sandbox)
    assert result.status == "graded"
    assert result.points == result.max_points == context.rubric.max_points
    assert all(p.status == PASSED for p in core(result, context))


def test_another_correct_style_scores_full_marks(tmp_path, context, sandbox):
    result = grade(tmp_path, nbs.alt_notebook(), context, sandbox)
    failed = {p.name: [c.message for c in p.cases if c.status != PASSED]
              for p in core(result, context) if p.status != PASSED}
    assert not failed
    assert result.points == result.max_points


def test_a_wrong_cell_costs_once_thanks_to_isolation(tmp_path, context, sandbox):
    nb = nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")"))
    result = grade(tmp_path, nb, context, sandbox)
    cell = part(result, "rnn_cell_forward")
    assert cell.points == 0 or cell.points < cell.max_points
    assert part(result, "rnn_forward").points == part(result, "rnn_forward").max_points
    assert result.points == result.max_points - (cell.max_points - cell.points)
    diagnosed = {c.diagnosis.id for c in cell.cases if c.diagnosis}
    assert "rnn_cell_forward/no_ba" in diagnosed, diagnosed


def test_wrong_values_lose_only_their_share(tmp_path, context, sandbox):
    # y never stored: a and caches right, y wrong -> the y share of every case is lost.
    nb = nbs.course_notebook(nbs.mutate("rnn_forward", "y_pred[:, :, t] = yt_pred", "pass"))
    result = grade(tmp_path, nb, context, sandbox)
    p = part(result, "rnn_forward")
    spec = context.rubric.part("rnn_forward")
    weights = {o.name: o.weight for o in spec.outputs}
    total = sum(weights.values())
    expected = sum(c.points * (total - weights["y"]) / total for c in spec.cases)
    assert p.points == pytest.approx(expected)
    for case in p.cases:
        assert [ch.name for ch in case.checks if not ch.passed] == ["y"]


def test_missing_recurrence_in_backward_is_diagnosed(tmp_path, context, sandbox):
    nb = nbs.course_notebook(nbs.mutate("rnn_backward", "da[:, :, t] + da_prevt", "da[:, :, t]"))
    result = grade(tmp_path, nb, context, sandbox)
    p = part(result, "rnn_backward")
    assert p.points < p.max_points
    assert any(c.diagnosis for c in p.cases), [c.message for c in p.cases]


def test_placeholder_is_not_implemented_not_wrong(tmp_path, context, sandbox):
    nb = nbs.course_notebook(nbs.mutate("lstm_cell_forward", "cct = np.tanh(np.dot(Wc, concat) + bc)",
                                        "cct = None"))
    result = grade(tmp_path, nb, context, sandbox)
    p = part(result, "lstm_cell_forward")
    assert p.status == NOT_IMPLEMENTED and p.points == 0
    assert part(result, "lstm_forward").status == PASSED  # isolated from the unfinished cell


def test_missing_function(tmp_path, context, sandbox):
    cells = dict(nbs.COURSE_CELLS)
    nb = nbs.course_notebook({"rnn_backward": "# I did not do this one\n"})
    result = grade(tmp_path, nb, context, sandbox)
    assert part(result, "rnn_backward").status == MISSING
    assert part(result, "rnn_cell_backward").status == PASSED
    assert cells  # untouched


def test_exception_reports_type_and_student_line(tmp_path, context, sandbox):
    nb = nbs.course_notebook(nbs.mutate("rnn_cell_backward", "dxt = np.dot(Wax.T, dtanh)",
                                        "dxt = np.dot(Wax, dtanh)"))
    result = grade(tmp_path, nb, context, sandbox)
    p = part(result, "rnn_cell_backward")
    case = p.cases[0]
    assert case.status == ERROR
    assert "ValueError" in case.message
    assert case.location is not None and case.location.cell is not None
    # the line is the one of the bad product inside that cell
    source_lines = nbs.course_notebook()["cells"][case.location.cell]["source"]
    assert "dxt = np.dot" in source_lines[case.location.line - 1]


def test_infinite_loop_costs_its_timeout_once_and_the_rest_is_graded(tmp_path, context, sandbox):
    """A loop in one graded function costs its timeout once: that case times out, the
    function's other cases are skipped, every other part is graded. Signal: the cases run
    (one timeout in the whole result) and the time charged to it, relative to the configured
    timeout (the sandbox's charge leaves out waits for a CPU), not the test's wall time."""
    fast = with_timeout(context, 0.5)
    nb = nbs.course_notebook(nbs.mutate("rnn_forward", "    caches = (caches, x)",
                                        "    while True:\n        pass\n    caches = (caches, x)"))
    result = grade(tmp_path, nb, fast, sandbox)
    p = part(result, "rnn_forward")
    assert p.cases[0].status == TIMEOUT
    assert all(c.status == SKIPPED for c in p.cases[1:])
    others = [q for q in core(result, context) if q.name != "rnn_forward"]
    assert all(q.status == PASSED for q in others)
    timeouts = [c for q in result.parts for c in q.cases if c.status == TIMEOUT]
    assert len(timeouts) == 1  # once, not once per case
    assert timeouts[0].seconds <= 0.5 * 1.5, timeouts[0].seconds


def test_process_exit_only_loses_that_call(tmp_path, context, sandbox):
    nb = nbs.course_notebook(nbs.mutate("rnn_cell_forward", "    cache = (a_next, a_prev, xt, parameters)",
                                        "    import os\n    os._exit(3)\n    cache = ()"))
    result = grade(tmp_path, nb, context, sandbox)
    assert part(result, "rnn_cell_forward").status == CRASHED
    assert part(result, "rnn_forward").status == PASSED
    assert part(result, "lstm_forward").status == PASSED


def test_free_name_from_a_test_cell_is_named(tmp_path, context, sandbox):
    nb = nbs.course_notebook(nbs.mutate("rnn_cell_forward", "Wya = parameters[\"Wya\"]", "pass"))
    result = grade(tmp_path, nb, context, sandbox)
    p = part(result, "rnn_cell_forward")
    assert any("`Wya`" in note and "parameters" in note for note in p.notes), p.notes
    assert p.points < p.max_points


def test_writing_into_inputs_is_caught_and_explained(tmp_path, context, sandbox):
    nb = nbs.course_notebook(nbs.mutate("rnn_cell_forward", "    cache = (a_next, a_prev, xt, parameters)",
                                        "    xt *= 1.0\n    xt[0, 0] = 99.0\n    cache = (a_next, a_prev, xt, parameters)"))
    result = grade(tmp_path, nb, context, sandbox)
    p = part(result, "rnn_cell_forward")
    assert any("changes its input `xt`" in note for note in p.notes), p.notes
    assert p.points < p.max_points


def test_aliased_views_are_explained(tmp_path, context, sandbox):
    # c_next is stored as a view of c, then c is overwritten: the classic aliasing bug.
    nb = nbs.course_notebook(nbs.mutate(
        "lstm_forward", "        caches.append(cache)",
        "        caches.append(cache[:1] + (c[:, :, 0],) + cache[2:])\n        c[:, :, 0] = 0.5"))
    result = grade(tmp_path, nb, context, sandbox)
    p = part(result, "lstm_forward")
    assert p.points < p.max_points
    diagnoses = [c.diagnosis for c in p.cases if c.diagnosis]
    assert any(d.id == "aliasing" for d in diagnoses), [c.message for c in p.cases]


def test_unreadable_notebook_is_a_result_not_a_crash(tmp_path, context, sandbox):
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [', encoding="utf-8")
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.status == "unreadable" and result.points == 0
    assert "broken.ipynb" in result.messages[0]


def test_helpers_the_graded_functions_never_call_are_not_loaded(tmp_path, context, sandbox, monkeypatch):
    """A Keras model builder beside the NumPy work: TensorFlow must not be imported to grade
    rnn_forward (seconds per submission, or a failed load that would cost every function).
    Signal: what is sent to the sandbox (no program holds the Keras cell's import), not seconds."""
    keras_cell = nbs.code_cell("import tensorflow as tf\nfrom tensorflow import keras\n\n"
                               "def build_model():\n    return keras.Sequential([tf.keras.layers.LSTM(3)])\n")
    helper_cell = nbs.code_cell("def step(x, a, p):\n    return rnn_cell_forward(x, a, p)\n")
    nb = nbs.course_notebook(nbs.mutate("rnn_forward", "rnn_cell_forward(x[:, :, t], a_next, parameters)",
                                        "step(x[:, :, t], a_next, parameters)"),
                             extra_cells=[keras_cell, helper_cell])
    programs: list[str] = []
    real_session = sandbox.session

    def session(program, **kwargs):
        programs.append(program)
        return real_session(program, **kwargs)

    monkeypatch.setattr(sandbox, "session", session)
    result = grade(tmp_path, nb, context, sandbox)
    assert all(p.status == PASSED for p in core(result, context))
    assert not any("tensorflow" in m for m in result.messages)
    assert programs and any("def step(" in program for program in programs)
    assert not any("tensorflow" in program or "build_model" in program for program in programs)


def test_needed_functions_follow_calls_transitively():
    from grader.runner import needed_functions

    class F:
        def __init__(self, source):
            self.source = source
    functions = {"a": F("def a():\n    return b()\n"), "b": F("def b():\n    return c\n"),
                 "c": F("def c():\n    pass\n"), "d": F("def d():\n    return a()\n")}
    assert needed_functions(functions, ["a"]) == {"a", "b", "c"}
    assert needed_functions(functions, ["zzz"]) == set()


REPO = Path(__file__).resolve().parent.parent

HOSTILE_CELL = '''def rnn_cell_forward(xt, a_prev, parameters):
    import sys
    import numpy as np
    # 1. Forge the comparisons, in case they ran here.
    np.allclose = lambda *a, **k: True
    np.array_equal = lambda *a, **k: True
    np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), dtype=bool)
    np.testing.assert_allclose = lambda *a, **k: None
    # 2. Borrow the reference solution, by import or by path.
    sys.path[:0] = [{repo!r}, "/work/main", "."]
    try:
        from solution.rnn import rnn_cell_forward as reference
        return reference(xt, a_prev, parameters)
    except BaseException:
        pass
    for path in ({solution!r}, {hidden!r}):
        try:
            with open(path) as handle:
                text = handle.read()
            namespace = {{}}
            exec(compile(text, path, "exec"), namespace)
            return namespace["rnn_cell_forward"](xt, a_prev, parameters)
        except BaseException:
            pass
    # 3. Forge a result on stdout, as a grader reading the output might take it.
    print('{{"score": 100, "status": "passed"}}')
    n_a, m = a_prev.shape
    return np.zeros((n_a, m)), np.zeros((parameters["Wya"].shape[0], m)), (None,)
'''


@pytest.mark.parametrize("protected", [True, False], ids=["as grade.py runs it", "default sandbox"])
def test_hostile_cell_forging_comparisons_or_borrowing_the_reference_scores_nothing(tmp_path, context,
                                                                                  protected):
    source = HOSTILE_CELL.format(repo=str(REPO), solution=str(REPO / "solution" / "rnn.py"),
                                 hidden=str(REPO / "rubrics" / "fixtures" / "rnn.hidden.json"))
    options = {"protected_paths": [REPO / "solution", REPO / "rubrics"]} if protected else {}
    with Sandbox(**options) as box:
        result = grade(tmp_path, nbs.course_notebook({"rnn_cell_forward": source}), context, box)
    p = part(result, "rnn_cell_forward")
    assert p.points == 0, [(c.status, c.message) for c in p.cases]
    assert all(c.status == FAILED for c in p.cases)
    # The grader's own numpy is untouched, and the other parts are graded normally.
    import numpy as np
    assert not np.allclose(np.zeros(2), np.ones(2))
    assert part(result, "rnn_forward").points == part(result, "rnn_forward").max_points
