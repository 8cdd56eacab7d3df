"""Every row of the assignment's "Expected Output" tables, reproduced to the printed digits.

The table (solution.selftest.PRINTED) is transcribed from shared/assignment.md:
45 rows over six functions, 23 numbers or arrays, 3 lengths and 19 shapes.
Arrays were printed by NumPy with 8 decimals, scalars by Python 2's ``print``
(12 significant digits).  Two independent comparisons:

* numeric: each printed number is matched within half a unit of its last
  printed digit (8 decimals for array entries, 12 significant digits for scalars);
* textual: the reference value formatted the notebook's way is the printed text.
"""

import math

import numpy as np
import pytest

from solution import rnn
from solution.selftest import PRINTED, printed_value, reproduce_printed
from solution.setups import BUILDERS

IDS = [f"{function}:{label}" for function, label, _ in PRINTED]


def test_the_table_is_complete():
    """45 rows: 23 numbers or arrays, 3 lengths and 19 shapes, over the six printed functions."""
    assert len(PRINTED) == 45
    assert sum(1 for _, label, _ in PRINTED if label.endswith(".shape")) == 19
    assert sum(1 for _, label, _ in PRINTED if label.startswith("len(")) == 3
    assert {row[0] for row in PRINTED} == {
        "rnn_cell_forward", "rnn_forward", "lstm_cell_forward", "lstm_forward",
        "rnn_cell_backward", "rnn_backward"}


def _half_unit(token, *, array):
    """Half a unit of the last printed digit of ``token`` (a printed number)."""
    if array:
        return 0.5e-8  # NumPy printed 8 decimals, dropping trailing zeros
    mantissa = token.lstrip("-")
    digits = len(mantissa.replace(".", "").lstrip("0"))  # 12 significant digits or fewer
    exponent = math.floor(math.log10(abs(float(token))))
    return 0.5 * 10.0 ** (exponent - max(digits, 12) + 1)


@pytest.mark.parametrize("function,label,printed", PRINTED, ids=IDS)
def test_printed_row_numerically(function, label, printed):
    """The reference value is within half a unit of the last printed digit (shapes and lengths exactly)."""
    value = printed_value(function, label)
    if printed.startswith("("):
        assert tuple(value) == tuple(int(n) for n in printed.strip("()").split(",") if n.strip())
    elif printed.startswith("["):
        tokens = printed.strip("[]").split()
        array = np.asarray(value, dtype=float)
        assert array.shape == (len(tokens),)
        for got, token in zip(array, tokens):
            assert abs(got - float(token)) <= _half_unit(token, array=True) * (1 + 1e-9), (token, got)
    elif "." in printed:
        assert abs(float(value) - float(printed)) <= _half_unit(printed, array=False) * (1 + 1e-9)
    else:
        assert value == int(printed)


def test_printed_rows_textually():
    """Formatted as the notebook printed them, all 45 rows give the printed text."""
    results = reproduce_printed()
    assert len(results) == 45
    assert all(r.ok for r in results), [r for r in results if not r.ok]


def test_labels_reach_the_documented_outputs():
    """The printed expressions index the outputs the assignment means (checked without eval)."""
    x, a0, parameters = BUILDERS["rnn_forward"](seed=1)
    np.testing.assert_array_equal(printed_value("rnn_forward", "cache[1][1][3]"), x[1][3])
    x, a0, parameters = BUILDERS["lstm_forward"](seed=1)
    np.testing.assert_array_equal(printed_value("lstm_forward", "caches[1][1][1]"), x[1][1])
    xt, a_prev, c_prev, parameters = BUILDERS["lstm_cell_forward"](seed=1)
    c_next = rnn.lstm_cell_forward(xt, a_prev, c_prev, parameters)[1]
    np.testing.assert_array_equal(printed_value("lstm_cell_forward", "cache[1][3]"), c_next[3])
    gradients = rnn.rnn_backward(*BUILDERS["rnn_backward"](seed=1))
    assert printed_value("rnn_backward", 'gradients["dWax"][3][1]') == gradients["dWax"][3][1]


def test_a_wrong_value_is_noticed():
    """The comparisons can fail: a perturbation in the 8th decimal breaks the textual match."""
    from solution.selftest import format_like_printed
    printed = "[ 0.59584544 0.18141802]"
    assert format_like_printed(np.array([0.59584544, 0.18141802]), printed) == "[0.59584544 0.18141802]"
    assert format_like_printed(np.array([0.59584545, 0.18141802]), printed) != "[0.59584544 0.18141802]"


def test_quirky_example_needs_the_leftover_bias():
    """With the bias drawn in place, rnn_cell_backward does not give the printed numbers."""
    plain_args = BUILDERS["rnn_cell_backward"](seed=1)
    quirky_args = BUILDERS["rnn_cell_backward_example"](seed=1)
    assert "%.12g" % rnn.rnn_cell_backward(*plain_args)["dxt"][1][2] != "-0.460564103059"
    assert "%.12g" % rnn.rnn_cell_backward(*quirky_args)["dxt"][1][2] == "-0.460564103059"
    # Everything but the bias is drawn identically; the bias is rnn_forward's example bias.
    np.testing.assert_array_equal(plain_args[0], quirky_args[0])
    for key in ("Wax", "Waa", "Wya", "by"):
        np.testing.assert_array_equal(plain_args[1][3][key], quirky_args[1][3][key])
    np.testing.assert_array_equal(quirky_args[1][3]["ba"], BUILDERS["rnn_forward"](seed=1)[2]["ba"])
    assert not np.array_equal(quirky_args[1][3]["ba"], plain_args[1][3]["ba"])
