"""hints.printed_sum_hint: a line that only prints, for the student's own checking, and raises because it
adds text to an array with ``+`` (thirty-eighth session: a real notebook's ``print("c_next" +
np.zeros(a_next.shape))`` in ``lstm_forward`` was told NumPy's "ufunc 'add' did not contain a loop with
signature matching types" alone, and lost the part)."""
from __future__ import annotations

from grader import hints
from grader.runner import grade_submission
from tests import notebooks as nbs


def test_a_print_adding_text_to_an_array_is_told_to_print_the_two_apart():
    said = hints.printed_sum_hint('    print("c_next" + np.zeros(a_next.shape))')
    assert said == ("This line only prints, for your own checking, and it stopped the function: `\"c_next\" + "
                    "np.zeros(a_next.shape)` adds text to a value, which `+` cannot do with an array or a number. "
                    "Print the two apart, `print(\"c_next\", np.zeros(a_next.shape))`, or delete the line.")
    assert "`print(a_next, f'at {t}')`" in hints.printed_sum_hint("print(a_next + f'at {t}')")
    # Controls: text added to text, an array sum, a print of several values, a line that does not print.
    for line in ('print("a" + "b")', "print(a_next + c_next)", 'print("c_next", c_next)',
                 'x = "c_next" + np.zeros(3)', 'log("c" + c_next)', "print(", 'print("c" + c_next'):
        assert hints.printed_sum_hint(line) == "", line


def test_the_grader_tells_the_print_of_text_and_an_array_where_it_raised(tmp_path, context, sandbox):
    edit = nbs.mutate("lstm_forward", "for t in range(T_x):", 'print("c_next" + np.zeros(a.shape))\n    for t in range(T_x):')
    part = grade_submission(nbs.write(tmp_path / "s.ipynb", nbs.course_notebook(edit)), context=context,
                            sandbox=sandbox).part("lstm_forward")
    assert part.points == 0
    message = part.cases[0].message
    assert message.startswith("Raised UFuncTypeError") and "`print(\"c_next\", np.zeros(a.shape))`" in message, message
