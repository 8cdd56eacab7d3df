"""``valuehints.dead_store_hint``: a function's one name read from nowhere is asked about the line
before its read whose value a later line replaces unread (``runner._note_free_names``)."""
from __future__ import annotations

from grader.valuehints import dead_store_hint
from tests import notebooks as nbs
from tests.test_runner_notebook_mistakes import _graded


#: A real notebook of the thirty-fifth session: the concatenation stored in `yt_pred`, which the
#: prediction's line sets again, and `concat` read where nothing defines it (0 / 20, told only
#: "compute it inside or pass it in").
OTHER_NAME = nbs.mutate("lstm_cell_forward",
                        "concat = np.zeros((n_a + n_x, m))\n    concat[: n_a, :] = a_prev\n    concat[n_a :, :] = xt",
                        "yt_pred = np.concatenate((a_prev, xt), axis=0)")


def test_a_value_thrown_away_is_named_for_the_name_read_from_nowhere(tmp_path, context, sandbox):
    notes = " ".join(_graded(tmp_path, nbs.course_notebook(OTHER_NAME), context, sandbox).part(
        "lstm_cell_forward").notes)
    lines = OTHER_NAME["lstm_cell_forward"].split("\n")
    stored = next(k for k, text in enumerate(lines, 1) if "yt_pred = np.concatenate" in text)
    again = next(k for k, text in enumerate(lines, 1) if "yt_pred = softmax" in text)
    assert "uses `concat`, which nothing in the notebook defines" in notes, notes
    assert notes.endswith(f"Line {stored} stores `np.concatenate((a_prev, xt), axis=0)` in `yt_pred`, which line "
                          f"{again} sets again before anything reads it: was that value meant to be `concat`?"), notes


def test_no_value_is_named_when_it_is_read_or_set_after_the_name():
    def hint(body):
        return dead_store_hint("def f(x):\n" + body, name="concat")

    assert hint("    y = x\n    y = 2\n    return concat\n").startswith(" Line 2 stores `x` in `y`")
    assert hint("    y = x\n    z = y\n    y = 2\n    return concat\n") == ""  # read before set again
    assert hint("    z = concat\n    y = x\n    y = 2\n") == ""  # read before that line
    assert hint("    y = x\n    y = 2\n    w = 1\n    w = 3\n    return concat\n") == ""  # two: which?


def test_an_unfinished_function_s_names_are_not_each_asked_about_the_value(tmp_path, context, sandbox):
    # Control: two gates left out too, so three names are read from nowhere: no question asked.
    source = OTHER_NAME["lstm_cell_forward"]
    for line in ("ft = sigmoid(np.dot(Wf, concat) + bf)", "it = sigmoid(np.dot(Wi, concat) + bi)"):
        source = source.replace(line, "")
    notes = " ".join(_graded(tmp_path, nbs.course_notebook({"lstm_cell_forward": source}), context, sandbox).part(
        "lstm_cell_forward").notes)
    assert "`concat`" in notes and "was that value meant to be" not in notes, notes
