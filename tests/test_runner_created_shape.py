"""An output of the wrong shape is told the line that made it (``valuehints.created_shape_hint``,
``runner._created_shape``): real notebooks told only the two shapes, "`y` has shape (2, 10, 5);
expected (2, 10, 4)." for ``y_pred = np.zeros((n_y, m, n_a))`` (thirty-third and thirty-fifth
sessions' "left") and "`da0` has shape (5, 10, 4); expected (5, 10)." for ``da0 = da`` after the
loop (two notebooks)."""
from __future__ import annotations

from grader.valuehints import created_shape_hint
from tests import notebooks as nbs
from tests.test_review_s23 import _grade

DIMS = {"n_x": 3, "n_a": 5, "n_y": 2, "m": 10, "T_x": 4}
WRONG_SIZE = nbs.mutate("rnn_forward", "y_pred = np.zeros((n_y, m, T_x))", "y_pred = np.zeros((n_y, m, n_a))")
INPUT_KEPT = nbs.mutate("rnn_backward", "da0 = da_prevt", "da0 = da")


def _line(source: str, text: str) -> int:
    return next(k for k, line in enumerate(source.split("\n"), 1) if line.strip() == text)


def test_a_size_written_wrong_is_named_with_the_dimension_meant(tmp_path, context, sandbox):
    result = _grade(tmp_path, nbs.course_notebook(WRONG_SIZE), context, sandbox)
    case = result.part("rnn_forward").cases[0]
    line = _line(WRONG_SIZE["rnn_forward"], "y_pred = np.zeros((n_y, m, n_a))")
    assert case.message.startswith("`y` has shape (2, 10, 5); expected (2, 10, 4)."), case.message
    assert (f"Line {line} creates it as `np.zeros((n_y, m, n_a))`: axis 2 is `n_a`, 5 here, where 4 (`T_x`) is "
            f"expected.") in case.message, case.message


def test_an_input_returned_as_an_output_is_told_its_line(tmp_path, context, sandbox):
    result = _grade(tmp_path, nbs.course_notebook(INPUT_KEPT), context, sandbox)
    case = result.part("rnn_backward").cases[0]
    line = _line(INPUT_KEPT["rnn_backward"], "da0 = da")
    assert (f"`da0` has shape (5, 10, 4); expected (5, 10). Line {line} sets `da0` to the input `da` itself, so it "
            f"has `da`'s shape.") in case.message, case.message
    # Said once (thirty-seventh session): the shape with the shapes, the value meant by the known mistake.
    assert "is computed" not in case.message and case.message.count("(5, 10)") == 1, case.message
    assert case.diagnosis is not None and "`da0 = da_prevt`" in case.diagnosis.message, case.diagnosis


def test_an_output_set_to_another_name_of_the_function_is_told_that_line(tmp_path, context, sandbox):
    # Thirty-eighth session: `da0 = dxt` after the loop was told only "`da0` has shape (3, 10); expected (5, 10)".
    step = nbs.mutate("rnn_backward", "da0 = da_prevt", "da0 = dxt")
    case = _grade(tmp_path, nbs.course_notebook(step), context, sandbox).part("rnn_backward").cases[0]
    line = _line(step["rnn_backward"], "da0 = dxt")
    assert case.message == (f"`da0` has shape (3, 10); expected (5, 10). Line {line} sets `da0` to `dxt` (`da0 = dxt`), "
                            f"which has shape (3, 10) there: check that `dxt` is the value `da0` stands for."), case.message
    # Control: right code is not told it.
    part = _grade(tmp_path, nbs.course_notebook(), context, sandbox).part("rnn_backward")
    assert part.points == part.max_points and not any(c.message for c in part.cases), part


def test_no_line_is_quoted_where_it_does_not_show_the_shape():
    def hint(source, got=(2, 10, 5), expected=(2, 10, 4), dims=DIMS):
        return created_shape_hint(source, output=1, got=got, expected=expected, dims=dims)

    made = "def f(x, a0):\n    y = {}\n    return a, y, c\n"
    assert hint(made.format("np.zeros((n_y, m, n_a))")).startswith(" Line 2 creates it as")
    # set again in a loop after it, or made from a shape kept in a name: nothing to point at
    assert hint("def f(x):\n    y = np.zeros((n_y, m, n_a))\n    for t in range(3):\n        y = g(t)\n"
                "    return a, y\n") == ""
    assert hint(made.format("np.zeros(shape)")) == "" and hint(made.format("g(x)")) == ""
    # the returned name is an input of the same name (no line sets it) or sizes of another count
    assert hint("def f(x, y):\n    return a, y\n") == ""
    assert hint(made.format("np.zeros((n_y, m))")) == ""
    # a size two dimensions share is not named; randn's sizes are read as well
    assert hint(made.format("np.random.randn(n_y, m, n_a)"), dims={**DIMS, "n_x": 4}) == (
        " Line 2 creates it as `np.random.randn(n_y, m, n_a)`: axis 2 is `n_a`, 5 here, where 4 is expected.")
