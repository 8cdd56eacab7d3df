"""Every row of the assignment's "Expected Output" tables, reproduced to the printed digits.

The printed values come from the assignment (shared/assignment.md).  Arrays
were printed by NumPy with 8 decimals (trailing zeros dropped), scalars by
Python 2's ``print`` (12 significant digits).  Each printed number must be
reproduced exactly when the reference value is formatted the same way.
"""

import numpy as np
import pytest

from solution import rnn
from solution.setups import BUILDERS, EXAMPLES


def _run(function):
    """Call the reference ``function`` on the inputs of its printed example."""
    args = BUILDERS[EXAMPLES[function]](seed=1)
    return getattr(rnn, function)(*args)


# (function, label as printed, getter on the function's output, printed text)
ROWS = [
    # rnn_cell_forward -> (a_next, yt_pred, cache)
    ("rnn_cell_forward", "a_next[4]", lambda o: o[0][4],
     "[ 0.59584544 0.18141802 0.61311866 0.99808218 0.85016201 0.99980978 -0.18887155 0.99815551"
     " 0.6531151 0.82872037]"),
    ("rnn_cell_forward", "a_next.shape", lambda o: o[0].shape, "(5, 10)"),
    ("rnn_cell_forward", "yt[1]", lambda o: o[1][1],
     "[ 0.9888161 0.01682021 0.21140899 0.36817467 0.98988387 0.88945212 0.36920224 0.9966312 0.9982559"
     " 0.17746526]"),
    ("rnn_cell_forward", "yt.shape", lambda o: o[1].shape, "(2, 10)"),
    # rnn_forward -> (a, y, (caches, x))
    ("rnn_forward", "a[4][1]", lambda o: o[0][4][1], "[-0.99999375 0.77911235 -0.99861469 -0.99833267]"),
    ("rnn_forward", "a.shape", lambda o: o[0].shape, "(5, 10, 4)"),
    ("rnn_forward", "y[1][3]", lambda o: o[1][1][3], "[ 0.79560373 0.86224861 0.11118257 0.81515947]"),
    ("rnn_forward", "y.shape", lambda o: o[1].shape, "(2, 10, 4)"),
    ("rnn_forward", "cache[1][1][3]", lambda o: o[2][1][1][3], "[-1.1425182 -0.34934272 -0.20889423 0.58662319]"),
    ("rnn_forward", "len(cache)", lambda o: len(o[2]), "2"),
    # lstm_cell_forward -> (a_next, c_next, yt, cache)
    ("lstm_cell_forward", "a_next[4]", lambda o: o[0][4],
     "[-0.66408471 0.0036921 0.02088357 0.22834167 -0.85575339 0.00138482 0.76566531 0.34631421"
     " -0.00215674 0.43827275]"),
    ("lstm_cell_forward", "a_next.shape", lambda o: o[0].shape, "(5, 10)"),
    ("lstm_cell_forward", "c_next[2]", lambda o: o[1][2],
     "[ 0.63267805 1.00570849 0.35504474 0.20690913 -1.64566718 0.11832942 0.76449811 -0.0981561"
     " -0.74348425 -0.26810932]"),
    ("lstm_cell_forward", "c_next.shape", lambda o: o[1].shape, "(5, 10)"),
    ("lstm_cell_forward", "yt[1]", lambda o: o[2][1],
     "[ 0.79913913 0.15986619 0.22412122 0.15606108 0.97057211 0.31146381 0.00943007 0.12666353"
     " 0.39380172 0.07828381]"),
    ("lstm_cell_forward", "yt.shape", lambda o: o[2].shape, "(2, 10)"),
    ("lstm_cell_forward", "cache[1][3]", lambda o: o[3][1][3],
     "[-0.16263996 1.03729328 0.72938082 -0.54101719 0.02752074 -0.30821874 0.07651101 -1.03752894"
     " 1.41219977 -0.37647422]"),
    ("lstm_cell_forward", "len(cache)", lambda o: len(o[3]), "10"),
    # lstm_forward -> (a, y, c, (caches, x))
    ("lstm_forward", "a[4][3][6]", lambda o: o[0][4][3][6], "0.172117767533"),
    ("lstm_forward", "a.shape", lambda o: o[0].shape, "(5, 10, 7)"),
    ("lstm_forward", "y[1][4][3]", lambda o: o[1][1][4][3], "0.95087346185"),
    ("lstm_forward", "y.shape", lambda o: o[1].shape, "(2, 10, 7)"),
    ("lstm_forward", "caches[1][1][1]", lambda o: o[3][1][1][1],
     "[ 0.82797464 0.23009474 0.76201118 -0.22232814 -0.20075807 0.18656139 0.41005165]"),
    ("lstm_forward", "c[1][2][1]", lambda o: o[2][1][2][1], "-0.855544916718"),
    ("lstm_forward", "len(caches)", lambda o: len(o[3]), "2"),
    # rnn_cell_backward -> gradients (the quirky example, see setups.build_rnn_cell_backward_example)
    ("rnn_cell_backward", 'gradients["dxt"][1][2]', lambda g: g["dxt"][1][2], "-0.460564103059"),
    ("rnn_cell_backward", 'gradients["dxt"].shape', lambda g: g["dxt"].shape, "(3, 10)"),
    ("rnn_cell_backward", 'gradients["da_prev"][2][3]', lambda g: g["da_prev"][2][3], "0.0842968653807"),
    ("rnn_cell_backward", 'gradients["da_prev"].shape', lambda g: g["da_prev"].shape, "(5, 10)"),
    ("rnn_cell_backward", 'gradients["dWax"][3][1]', lambda g: g["dWax"][3][1], "0.393081873922"),
    ("rnn_cell_backward", 'gradients["dWax"].shape', lambda g: g["dWax"].shape, "(5, 3)"),
    ("rnn_cell_backward", 'gradients["dWaa"][1][2]', lambda g: g["dWaa"][1][2], "-0.28483955787"),
    ("rnn_cell_backward", 'gradients["dWaa"].shape', lambda g: g["dWaa"].shape, "(5, 5)"),
    ("rnn_cell_backward", 'gradients["dba"][4]', lambda g: g["dba"][4], "[ 0.80517166]"),
    ("rnn_cell_backward", 'gradients["dba"].shape', lambda g: g["dba"].shape, "(5, 1)"),
    # rnn_backward -> gradients
    ("rnn_backward", 'gradients["dx"][1][2]', lambda g: g["dx"][1][2],
     "[-2.07101689 -0.59255627 0.02466855 0.01483317]"),
    ("rnn_backward", 'gradients["dx"].shape', lambda g: g["dx"].shape, "(3, 10, 4)"),
    ("rnn_backward", 'gradients["da0"][2][3]', lambda g: g["da0"][2][3], "-0.314942375127"),
    ("rnn_backward", 'gradients["da0"].shape', lambda g: g["da0"].shape, "(5, 10)"),
    ("rnn_backward", 'gradients["dWax"][3][1]', lambda g: g["dWax"][3][1], "11.2641044965"),
    ("rnn_backward", 'gradients["dWax"].shape', lambda g: g["dWax"].shape, "(5, 3)"),
    ("rnn_backward", 'gradients["dWaa"][1][2]', lambda g: g["dWaa"][1][2], "2.30333312658"),
    ("rnn_backward", 'gradients["dWaa"].shape', lambda g: g["dWaa"].shape, "(5, 5)"),
    ("rnn_backward", 'gradients["dba"][4]', lambda g: g["dba"][4], "[-0.74747722]"),
    ("rnn_backward", 'gradients["dba"].shape', lambda g: g["dba"].shape, "(5, 1)"),
]


def _format(value, printed):
    """Format ``value`` the way the course notebook printed it (see module docstring)."""
    if printed.startswith("("):
        return str(tuple(int(n) for n in value))
    if printed.startswith("["):
        array = np.asarray(value, dtype=float)
        assert array.ndim == 1, f"printed as a 1-D array, got shape {array.shape}"
        return [np.format_float_positional(v, precision=8, unique=False, trim="-") for v in array]
    if "." in printed:
        return "%.12g" % float(value)
    return str(int(value))


def _parse(printed):
    """The printed text as comparable tokens: list of numbers for arrays, text otherwise."""
    if printed.startswith("["):
        return printed.strip("[]").split()
    return printed


def test_all_table_rows_are_listed():
    """45 rows: 23 printed numbers or arrays, 3 lengths and 19 shapes, over six functions."""
    assert len(ROWS) == 45
    assert sum(1 for r in ROWS if r[3].startswith("(")) == 19
    assert sum(1 for r in ROWS if "len(" in r[1]) == 3
    assert {r[0] for r in ROWS} == {
        "rnn_cell_forward", "rnn_forward", "lstm_cell_forward", "lstm_forward",
        "rnn_cell_backward", "rnn_backward"}


@pytest.mark.parametrize("function,label,getter,printed", ROWS, ids=[f"{r[0]}:{r[1]}" for r in ROWS])
def test_printed_value(function, label, getter, printed):
    """The reference reproduces this printed row digit for digit."""
    value = getter(_run(function))
    assert _format(value, printed) == _parse(printed), label


def test_quirky_example_needs_the_leftover_bias():
    """With the bias drawn in place, rnn_cell_backward does not give the printed numbers."""
    gradients = rnn.rnn_cell_backward(*BUILDERS["rnn_cell_backward"](seed=1))
    assert "%.12g" % gradients["dxt"][1][2] != "-0.460564103059"
    example = rnn.rnn_cell_backward(*BUILDERS["rnn_cell_backward_example"](seed=1))
    # Everything but the bias is drawn identically.
    same_args = BUILDERS["rnn_cell_backward"](seed=1)
    quirky_args = BUILDERS["rnn_cell_backward_example"](seed=1)
    np.testing.assert_array_equal(same_args[0], quirky_args[0])
    for key in ("Wax", "Waa", "Wya", "by"):
        np.testing.assert_array_equal(same_args[1][3][key], quirky_args[1][3][key])
    np.testing.assert_array_equal(quirky_args[1][3]["ba"], BUILDERS["rnn_forward"](seed=1)[2]["ba"])
    assert "%.12g" % example["dxt"][1][2] == "-0.460564103059"
