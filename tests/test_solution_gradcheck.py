"""Every backward function of solution.rnn proven against its forward function.

For each backward function, each of its gradients is compared with a centred
finite difference of the matching forward function, with the loss
L = sum(upstream * output):

* rnn_cell_backward(da_next, cache):  output a_next, upstream da_next;
* rnn_backward(da, caches):  output a (all hidden states), upstream da;
* lstm_cell_backward(da_next, dc_next, cache):  outputs a_next and c_next,
  upstreams da_next and dc_next;
* lstm_backward(da, caches):  output a, upstream da (no gradient into c).

The upstream gradients are random and non-zero everywhere (a sum of ones
would hide transposed or mis-indexed terms), and the inputs come from the
seeded builders of solution.setups at several shapes, including m = 1 and
T_x = 1.  Two tiers:

* element-wise (cs231n's rel_error, the max over entries) < 1e-7, at a
  well-conditioned scale (weights / sqrt(fan-in)), with the fourth-order
  Richardson estimate built from two centred differences: plain centred
  differences at h = 1e-5 carry an absolute error near 1e-11, which exceeds
  1e-7 relative on the occasional gradient entry below 1e-4;
* norm-wise relative error < 1e-7 on the builders' raw draws (the printed
  examples' scale, with saturated units), plain centred differences, h = 1e-5.
"""

import numpy as np
import pytest

from solution import rnn
from solution.gradcheck import eval_numerical_gradient_array, rel_error, richardson_gradient_array
from solution.setups import BUILDERS

THRESHOLD = 1e-7
H = 5e-4  # the larger Richardson step

# (n_x, n_a, n_y, m, T_x)
SHAPES = [
    (3, 5, 2, 10, 4),   # the assignment's example dimensions
    (2, 3, 2, 1, 3),    # a single example, m = 1
    (4, 3, 3, 2, 1),    # a single time step, T_x = 1
    (1, 1, 1, 1, 1),    # everything scalar
    (2, 4, 1, 3, 5),
]
SEEDS = [1, 7]
CASES = [(seed, shape) for seed in SEEDS for shape in SHAPES]
IDS = [f"seed{seed}-nx{s[0]}-na{s[1]}-ny{s[2]}-m{s[3]}-T{s[4]}" for seed, s in CASES]


def _dims(shape):
    """Keyword dimensions for a builder from an (n_x, n_a, n_y, m, T_x) tuple."""
    return dict(zip(("n_x", "n_a", "n_y", "m", "T_x"), shape))


def _copy_parameters(parameters):
    """Fresh float64 copies of a parameters dict, safe to perturb, at a well-conditioned scale.

    Weights W are divided by sqrt(fan-in) and biases halved, so that tanh and
    the gates work away from saturation.  Saturated units have gradient entries
    of 1e-6 and below, where the element-wise relative error measures the
    rounding noise of the finite difference rather than the backward pass
    (see test_example_inputs_normwise for the unscaled example draws).
    """
    scaled = {}
    for key, value in parameters.items():
        value = np.array(value, dtype=np.float64)
        scaled[key] = value / np.sqrt(value.shape[1]) if key.startswith("W") else 0.5 * value
    return scaled


def _check(numeric_of, analytic, pairs, structural_zeros=()):
    """Assert rel_error(analytic[g], numeric_of(array)) < THRESHOLD for every (g, array) in pairs.

    Keys in ``structural_zeros`` must be exactly zero both ways (for example
    the forget gate's weights when T_x = 1 and c0 = 0); every other numerical
    gradient must have a non-zero entry, or the comparison would be void.
    """
    errors = {}
    for key, array in pairs:
        numeric = numeric_of(array)
        assert analytic[key].shape == array.shape, key
        if key in structural_zeros:
            assert not np.any(numeric) and not np.any(analytic[key]), key
        else:
            assert np.any(numeric != 0), f"{key}: the numerical gradient is identically zero, the check is void"
        errors[key] = rel_error(analytic[key], numeric)
    assert max(errors.values()) < THRESHOLD, errors
    return errors


@pytest.mark.parametrize("seed,shape", CASES, ids=IDS)
def test_rnn_cell_backward(seed, shape):
    """dxt, da_prev, dWax, dWaa, dba against rnn_cell_forward's a_next."""
    da_next, cache = BUILDERS["rnn_cell_backward"](seed=seed, **_dims(shape))
    _, a_prev, xt, parameters = cache
    xt, a_prev, parameters = np.array(xt), np.array(a_prev), _copy_parameters(parameters)

    def forward(_):
        return rnn.rnn_cell_forward(xt, a_prev, parameters)[0]

    analytic = rnn.rnn_cell_backward(da_next, rnn.rnn_cell_forward(xt, a_prev, parameters)[2])
    _check(lambda array: richardson_gradient_array(forward, array, da_next, h=H), analytic, [
        ("dxt", xt), ("da_prev", a_prev), ("dWax", parameters["Wax"]),
        ("dWaa", parameters["Waa"]), ("dba", parameters["ba"])])


@pytest.mark.parametrize("seed,shape", CASES, ids=IDS)
def test_rnn_backward(seed, shape):
    """dx, da0, dWax, dWaa, dba against rnn_forward's a (all hidden states)."""
    da, caches = BUILDERS["rnn_backward"](seed=seed, **_dims(shape))
    cell_caches, x = caches
    a0 = np.array(cell_caches[0][1])
    x = np.array(x)
    parameters = _copy_parameters(cell_caches[0][3])

    def forward(_):
        return rnn.rnn_forward(x, a0, parameters)[0]

    analytic = rnn.rnn_backward(da, rnn.rnn_forward(x, a0, parameters)[2])
    _check(lambda array: richardson_gradient_array(forward, array, da, h=H), analytic, [
        ("dx", x), ("da0", a0), ("dWax", parameters["Wax"]),
        ("dWaa", parameters["Waa"]), ("dba", parameters["ba"])])


LSTM_PARAMETER_GRADIENTS = [("dWf", "Wf"), ("dWi", "Wi"), ("dWc", "Wc"), ("dWo", "Wo"),
                            ("dbf", "bf"), ("dbi", "bi"), ("dbc", "bc"), ("dbo", "bo")]


@pytest.mark.parametrize("seed,shape", CASES, ids=IDS)
def test_lstm_cell_backward(seed, shape):
    """dxt, da_prev, dc_prev and the eight gate gradients against lstm_cell_forward's (a_next, c_next)."""
    da_next, dc_next, cache = BUILDERS["lstm_cell_backward"](seed=seed, **_dims(shape))
    xt, a_prev, c_prev = np.array(cache[8]), np.array(cache[2]), np.array(cache[3])
    parameters = _copy_parameters(cache[9])
    upstream = np.concatenate((da_next, dc_next), axis=0)

    def forward(_):
        a_next, c_next, _, _ = rnn.lstm_cell_forward(xt, a_prev, c_prev, parameters)
        return np.concatenate((a_next, c_next), axis=0)

    analytic = rnn.lstm_cell_backward(
        da_next, dc_next, rnn.lstm_cell_forward(xt, a_prev, c_prev, parameters)[3])
    pairs = [("dxt", xt), ("da_prev", a_prev), ("dc_prev", c_prev)]
    pairs += [(key, parameters[name]) for key, name in LSTM_PARAMETER_GRADIENTS]
    _check(lambda array: richardson_gradient_array(forward, array, upstream, h=H), analytic, pairs)


@pytest.mark.parametrize("seed,shape", CASES, ids=IDS)
def test_lstm_backward(seed, shape):
    """dx, da0 and the eight gate gradients against lstm_forward's a (all hidden states)."""
    da, caches = BUILDERS["lstm_backward"](seed=seed, **_dims(shape))
    cell_caches, x = caches
    a0 = np.array(cell_caches[0][2])
    x = np.array(x)
    parameters = _copy_parameters(cell_caches[0][9])

    def forward(_):
        return rnn.lstm_forward(x, a0, parameters)[0]

    analytic = rnn.lstm_backward(da, rnn.lstm_forward(x, a0, parameters)[3])
    pairs = [("dx", x), ("da0", a0)]
    pairs += [(key, parameters[name]) for key, name in LSTM_PARAMETER_GRADIENTS]
    # With one step and c0 = 0 the forget gate multiplies zero: its gradients vanish exactly.
    zeros = ("dWf", "dbf") if shape[4] == 1 else ()
    _check(lambda array: richardson_gradient_array(forward, array, da, h=H), analytic, pairs, zeros)


def _normwise(a, b):
    """||a - b|| / (||a|| + ||b||), 0 for two zero arrays."""
    total = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if total == 0 else float(np.linalg.norm(a - b) / total)


def _raw_cases(function):
    """(analytic gradients, forward-of-one-array, upstream, [(key, array)]) on a builder's raw draws.

    Returns one tuple per shape in SHAPES, seed 1, without rescaling.
    """
    for shape in SHAPES:
        args = BUILDERS[function](seed=1, **_dims(shape))
        if function == "rnn_cell_backward":
            da_next, cache = args
            _, a_prev, xt, p = cache
            yield (rnn.rnn_cell_backward(*args), lambda: rnn.rnn_cell_forward(xt, a_prev, p)[0], da_next,
                   [("dxt", xt), ("da_prev", a_prev), ("dWax", p["Wax"]), ("dWaa", p["Waa"]), ("dba", p["ba"])])
        elif function == "rnn_backward":
            da, (cell_caches, x) = args
            a0, p = cell_caches[0][1], cell_caches[0][3]
            yield (rnn.rnn_backward(*args), lambda: rnn.rnn_forward(x, a0, p)[0], da,
                   [("dx", x), ("da0", a0), ("dWax", p["Wax"]), ("dWaa", p["Waa"]), ("dba", p["ba"])])
        elif function == "lstm_cell_backward":
            da_next, dc_next, cache = args
            xt, a_prev, c_prev, p = cache[8], cache[2], cache[3], cache[9]
            yield (rnn.lstm_cell_backward(*args),
                   lambda: np.concatenate(rnn.lstm_cell_forward(xt, a_prev, c_prev, p)[:2], axis=0),
                   np.concatenate((da_next, dc_next), axis=0),
                   [("dxt", xt), ("da_prev", a_prev), ("dc_prev", c_prev)]
                   + [(key, p[name]) for key, name in LSTM_PARAMETER_GRADIENTS])
        else:
            da, (cell_caches, x) = args
            a0, p = cell_caches[0][2], cell_caches[0][9]
            yield (rnn.lstm_backward(*args), lambda: rnn.lstm_forward(x, a0, p)[0], da,
                   [("dx", x), ("da0", a0)] + [(key, p[name]) for key, name in LSTM_PARAMETER_GRADIENTS])


@pytest.mark.parametrize("function", ["rnn_cell_backward", "rnn_backward", "lstm_cell_backward", "lstm_backward"])
def test_raw_example_draws_normwise(function):
    """Plain centred differences (h = 1e-5) on the unscaled draws: norm-wise relative error < 1e-7."""
    for analytic, forward, upstream, pairs in _raw_cases(function):
        for key, array in pairs:
            numeric = eval_numerical_gradient_array(lambda _: forward(), array, upstream, h=1e-5)
            assert _normwise(analytic[key], numeric) < THRESHOLD, (function, key)


def test_gradient_keys_are_the_documented_ones():
    """The backward functions return exactly the course's gradient keys, with the inputs' shapes."""
    cell = rnn.rnn_cell_backward(*BUILDERS["rnn_cell_backward"]())
    assert set(cell) == {"dxt", "da_prev", "dWax", "dWaa", "dba"}
    seq = rnn.rnn_backward(*BUILDERS["rnn_backward"]())
    assert set(seq) == {"dx", "da0", "dWax", "dWaa", "dba"}
    gates = {"dWf", "dWi", "dWc", "dWo", "dbf", "dbi", "dbc", "dbo"}
    lcell = rnn.lstm_cell_backward(*BUILDERS["lstm_cell_backward"]())
    assert set(lcell) == {"dxt", "da_prev", "dc_prev"} | gates
    lseq = rnn.lstm_backward(*BUILDERS["lstm_backward"]())
    assert set(lseq) == {"dx", "da0"} | gates
    assert lseq["dx"].shape == (3, 10, 7) and lseq["da0"].shape == (5, 10)
    assert lseq["dWf"].shape == (5, 8) and lseq["dbo"].shape == (5, 1)


# --- the finite-difference tool itself -------------------------------------------------------


def test_numerical_gradient_of_a_known_function():
    """d/dx sum(df * x**3) = 3 x**2 df, to within the O(h^2) truncation error."""
    rng = np.random.RandomState(0)
    x = rng.randn(3, 4)
    df = rng.randn(3, 4)
    original = x.copy()
    numeric = eval_numerical_gradient_array(lambda v: v ** 3, x, df)
    assert rel_error(numeric, 3 * original ** 2 * df) < 1e-8
    np.testing.assert_array_equal(x, original)  # restored exactly


def test_numerical_gradient_sees_other_references():
    """Perturbing in place reaches arrays read through a dict, as the parameter checks need."""
    weights = {"W": np.array([[1.0, 2.0], [3.0, 4.0]])}
    v = np.array([[0.5], [-1.0]])
    df = np.array([[1.0], [2.0]])
    numeric = eval_numerical_gradient_array(lambda _: weights["W"] @ v, weights["W"], df)
    assert rel_error(numeric, df @ v.T) < 1e-9


def test_numerical_gradient_rejects_integer_arrays_and_bad_shapes():
    """Integer arrays cannot be perturbed by h; a df of the wrong shape is an error."""
    with pytest.raises(TypeError):
        eval_numerical_gradient_array(lambda v: v, np.arange(3), np.ones(3))
    with pytest.raises(ValueError):
        eval_numerical_gradient_array(lambda v: v, np.zeros(3), np.ones(4))


def test_rel_error():
    """Zero for equal arrays, about |d| / (2|a|) for a small difference, floor for zeros."""
    a = np.array([1.0, -2.0, 0.0])
    assert rel_error(a, a) == 0.0
    assert rel_error(np.array([1.0]), np.array([1.0 + 2e-6])) == pytest.approx(1e-6, rel=1e-3)
    assert rel_error(np.zeros(2), np.array([0.0, 1e-12])) == pytest.approx(1e-4)
    with pytest.raises(ValueError):
        rel_error(np.zeros(2), np.zeros(3))


def test_a_wrong_gradient_is_caught():
    """The check has teeth: a backward pass without the tanh derivative fails it."""
    da_next, cache = BUILDERS["rnn_cell_backward"](seed=3)
    _, a_prev, xt, parameters = cache
    xt, a_prev, parameters = np.array(xt), np.array(a_prev), _copy_parameters(parameters)
    wrong = parameters["Wax"].T @ da_next  # forgets (1 - a_next**2)
    numeric = eval_numerical_gradient_array(
        lambda _: rnn.rnn_cell_forward(xt, a_prev, parameters)[0], xt, da_next)
    assert rel_error(wrong, numeric) > 1e-2
