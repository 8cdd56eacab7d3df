"""Every backward function of solution.rnn proven against its forward function.

For each backward function, each of its gradients is compared with a centred
finite difference of the matching forward function, with the loss
L = sum(upstream * output) (solution.selftest.gradient_problem):

* rnn_cell_backward(da_next, cache):  output a_next, upstream da_next;
* rnn_backward(da, caches):  output a (all hidden states), upstream da;
* lstm_cell_backward(da_next, dc_next, cache):  outputs a_next and c_next,
  upstreams da_next and dc_next;
* lstm_backward(da, caches):  output a, upstream da (no gradient into c).

Upstream gradients are random and non-zero everywhere (a sum of ones would
hide transposed or mis-indexed terms); inputs come from the seeded builders
at several shapes, including m = 1 and T_x = 1.  Two tiers, both < 1e-7:

* element-wise (cs231n's rel_error, the max over entries), at a
  well-conditioned scale (weights / sqrt(fan-in)), with the fourth-order
  Richardson estimate built from two centred differences: plain centred
  differences at h = 1e-5 carry an absolute error near 1e-11, which exceeds
  1e-7 relative on the occasional gradient entry below 1e-4;
* norm-wise on the builders' raw draws (the printed examples' scale, with
  saturated units), plain centred differences, h = 1e-5.

The checks have teeth: every backward mutant of solution.mutants fails them.
"""

import numpy as np
import pytest

from solution import rnn
from solution.gradcheck import eval_numerical_gradient_array, rel_error, richardson_gradient_array
from solution.mutants import MUTANTS
from solution.selftest import GRADIENT_SHAPES, check_gradients, gradient_problem
from solution.setups import BUILDERS

BACKWARD = ("rnn_cell_backward", "rnn_backward", "lstm_cell_backward", "lstm_backward")
CASES = [(seed, dims) for seed in (1, 7) for dims in GRADIENT_SHAPES]
IDS = [f"seed{seed}-nx{d[0]}-na{d[1]}-ny{d[2]}-m{d[3]}-T{d[4]}" for seed, d in CASES]


@pytest.mark.parametrize("function", BACKWARD)
@pytest.mark.parametrize("seed,dims", CASES, ids=IDS)
def test_elementwise_well_conditioned(function, seed, dims):
    """Every gradient, element-wise relative error < 1e-7 (Richardson estimate, h = 5e-4)."""
    result = check_gradients(function, seed=seed, dims=dims, tier="elementwise")
    assert result.ok, result
    assert result.worst < 1e-7


@pytest.mark.parametrize("function", BACKWARD)
@pytest.mark.parametrize("dims", GRADIENT_SHAPES)
def test_normwise_raw_draws(function, dims):
    """Every gradient on the unscaled draws, norm-wise relative error < 1e-7 (centred, h = 1e-5)."""
    result = check_gradients(function, seed=1, dims=dims, tier="normwise")
    assert result.ok, result


def test_every_gradient_is_checked():
    """The problems cover every input and parameter gradient the backward functions return."""
    for function in BACKWARD:
        analytic, _, _, pairs, _ = gradient_problem(function, seed=1, dims=(3, 5, 2, 10, 4),
                                                    well_conditioned=True)
        assert {key for key, _ in pairs} == set(analytic), function


def test_structural_zeros_only_where_expected():
    """With T_x = 1 and c0 = 0 the forget gate's gradients vanish exactly; with T_x > 1 they do not."""
    result = check_gradients("lstm_backward", seed=1, dims=(2, 3, 2, 2, 1), tier="elementwise")
    assert result.ok
    analytic = gradient_problem("lstm_backward", seed=1, dims=(2, 3, 2, 2, 1), well_conditioned=True)[0]
    assert not np.any(analytic["dWf"]) and not np.any(analytic["dbf"])
    analytic = gradient_problem("lstm_backward", seed=1, dims=(2, 3, 2, 2, 2), well_conditioned=True)[0]
    assert np.all(analytic["dWf"] != 0)


@pytest.mark.parametrize("mutant_id", sorted(i for i in MUTANTS if MUTANTS[i].function in BACKWARD))
def test_backward_mutants_fail_the_check(mutant_id, monkeypatch):
    """Swap a backward mutant in for the reference: the gradient check must reject it."""
    mutant = MUTANTS[mutant_id]
    monkeypatch.setattr(rnn, mutant.function, mutant.fn)
    for tier in ("elementwise", "normwise"):
        result = check_gradients(mutant.function, seed=1, dims=(2, 3, 2, 2, 3), tier=tier)
        assert not result.ok and result.worst > 1e-3, (mutant_id, tier, result.worst)


# --- the finite-difference tools themselves ---------------------------------------------------


def test_numerical_gradient_of_a_known_function():
    """d/dx sum(df * x**3) = 3 x**2 df, to within the truncation error; x restored exactly."""
    rng = np.random.RandomState(0)
    x = rng.randn(3, 4)
    df = rng.randn(3, 4)
    original = x.copy()
    numeric = eval_numerical_gradient_array(lambda v: v ** 3, x, df)
    assert rel_error(numeric, 3 * original ** 2 * df) < 1e-8
    np.testing.assert_array_equal(x, original)
    richer = richardson_gradient_array(lambda v: np.sin(v), x, df)
    assert rel_error(richer, np.cos(original) * df) < 1e-10
    np.testing.assert_array_equal(x, original)


def test_richardson_beats_plain_centred_differences():
    """On exp(3x) the fourth-order estimate is far more accurate than one centred difference at the same h."""
    x = np.array([0.3, -0.7, 1.1])
    df = np.ones(3)
    exact = 3 * np.exp(3 * x)
    plain = eval_numerical_gradient_array(lambda v: np.exp(3 * v), x, df, h=1e-3)
    richer = richardson_gradient_array(lambda v: np.exp(3 * v), x, df, h=1e-3)
    assert rel_error(richer, exact) < rel_error(plain, exact) / 100


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
