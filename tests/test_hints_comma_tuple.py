"""``hints.comma_tuple_hint``: a line that ends with a comma makes a tuple (``dx = np.zeros(...),``),
and storing into it raises "'tuple' object does not support item assignment". A real notebook of
the thirty-fifth session ended six lines of ``rnn_backward`` so: 0 / 20 told only Python's words."""
from __future__ import annotations

from grader.hints import comma_tuple_hint
from tests import notebooks as nbs
from tests.test_review_s23 import _grade

COMMAS = nbs.mutate("rnn_backward", "dx = np.zeros((n_x, m, T_x))\n    dWax = np.zeros((n_a, n_x))",
                    "dx = np.zeros((n_x, m, T_x)),\n    dWax = np.zeros((n_a, n_x)),")
ERROR = "'tuple' object does not support item assignment"


def test_the_comma_that_made_a_tuple_is_told_with_its_line(tmp_path, context, sandbox):
    result = _grade(tmp_path, nbs.course_notebook(COMMAS), context, sandbox)
    part = result.part("rnn_backward")
    assert part.points == 0, part.points
    line = next(k for k, text in enumerate(COMMAS["rnn_backward"].split("\n"), 1)
                if text.strip() == "dx = np.zeros((n_x, m, T_x)),")
    message = part.cases[0].message
    assert ERROR in message, message
    assert (f"`dx` is a tuple: `dx = np.zeros((n_x, m, T_x)),` (line {line}) ends with a comma, which makes a "
            f"tuple holding the array. Remove the comma (1 other line of the function ends so too).") in message, message


def test_no_comma_is_blamed_where_none_made_the_tuple():
    source = "def f(x):\n    dx = (np.zeros(3),)\n    dy = np.zeros(3),\n    dx[0] = 1\n"
    assert comma_tuple_hint("TypeError", ERROR, "dx[0] = 1", source=source) == ""
    assert comma_tuple_hint("TypeError", ERROR, "dy[0] = 1", source=source).startswith(
        "`dy` is a tuple: `dy = np.zeros(3),` (line 3) ends with a comma")
    assert comma_tuple_hint("TypeError", "other words", "dy[0] = 1", source=source) == ""
    assert comma_tuple_hint("TypeError", ERROR, "dy[0] = 1") == ""
