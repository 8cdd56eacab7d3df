"""Contracts of solution.rnn and solution.setups beyond the printed values and the gradients.

* the composite functions reach their per-step function only through the
  module global (the fixture generator rebinds it in a copied function);
* inputs are never modified, outputs never alias inputs or each other;
* cache layouts and shapes are the assignment's;
* builders are keyword-only, accept all five dimensions, return fresh
  objects and leave NumPy's global random state alone.
"""

import inspect
import types

import numpy as np
import pytest

from solution import rnn
from solution.setups import BUILDERS, EXAMPLES, FEEDS

COMPOSITES = {
    "rnn_forward": "rnn_cell_forward",
    "lstm_forward": "lstm_cell_forward",
    "rnn_backward": "rnn_cell_backward",
    "lstm_backward": "lstm_cell_backward",
}
DIMS = dict(n_x=4, n_a=3, n_y=2, m=2, T_x=3)


def _arrays(obj):
    """Every ndarray inside nested tuples, lists and dicts."""
    if isinstance(obj, np.ndarray):
        return [obj]
    if isinstance(obj, dict):
        return [a for v in obj.values() for a in _arrays(v)]
    if isinstance(obj, (tuple, list)):
        return [a for v in obj for a in _arrays(v)]
    return []


def _rebound(function, step_name, replacement):
    """A copy of ``function`` whose global ``step_name`` is ``replacement``."""
    new_globals = dict(function.__globals__)
    new_globals[step_name] = replacement
    return types.FunctionType(function.__code__, new_globals, function.__name__)


@pytest.mark.parametrize("composite,step", COMPOSITES.items())
def test_composites_call_their_step_through_the_global(composite, step):
    """Rebinding the global records one call per time step and changes nothing else."""
    function = getattr(rnn, composite)
    assert function.__code__.co_freevars == () and function.__defaults__ is None
    assert step in function.__code__.co_names
    calls = []

    def recorder(*args):
        """Record the call, then answer as the reference step does."""
        calls.append(args)
        return getattr(rnn, step)(*args)

    args = BUILDERS[composite](seed=2, **DIMS)
    copied = _rebound(function, step, recorder)(*args)
    expected = function(*BUILDERS[composite](seed=2, **DIMS))
    assert len(calls) == DIMS["T_x"]
    for got, want in zip(_arrays(copied), _arrays(expected)):
        np.testing.assert_array_equal(got, want)


def test_rebinding_isolates_the_composite():
    """A stub step that returns fixed values is what rnn_forward stores: no hidden path to the real cell."""
    x, a0, parameters = BUILDERS["rnn_forward"](seed=3, **DIMS)

    def stub(xt, a_prev, params):
        """A fake cell: constant a_next (0.25) and yt (0.5), a marker cache."""
        return np.full_like(a_prev, 0.25), np.full((DIMS["n_y"], DIMS["m"]), 0.5), ("stub",)

    a, y, (caches, x_out) = _rebound(rnn.rnn_forward, "rnn_cell_forward", stub)(x, a0, parameters)
    assert np.all(a == 0.25) and np.all(y == 0.5) and caches == [("stub",)] * DIMS["T_x"]
    assert x_out is x


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_inputs_are_never_modified(name):
    """Every function leaves its arguments (and the arrays inside caches and parameters) untouched."""
    args = BUILDERS[name](seed=4, **DIMS)
    before = [a.copy() for a in _arrays(args)]
    getattr(rnn, FEEDS[name])(*args)
    for original, after in zip(before, _arrays(args)):
        np.testing.assert_array_equal(original, after)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_returned_arrays_do_not_alias_the_inputs(name):
    """Outputs (other than the inputs the caches keep by design) share no memory with the inputs."""
    args = BUILDERS[name](seed=5, **DIMS)
    inputs = _arrays(args)
    out = getattr(rnn, FEEDS[name])(*args)
    # Backward: every gradient.  Forward: every output but the cache (the last one).
    fresh = list(out.values()) if isinstance(out, dict) else list(out[:-1])
    for array in fresh:
        assert not any(np.shares_memory(array, i) for i in inputs)
    for i, first in enumerate(fresh):
        for second in fresh[i + 1:]:
            assert not np.shares_memory(first, second)


def test_cache_layouts_and_shapes():
    """The assignment's cache tuples, in order, with the documented shapes."""
    xt, a_prev, parameters = BUILDERS["rnn_cell_forward"](**DIMS)
    a_next, yt, cache = rnn.rnn_cell_forward(xt, a_prev, parameters)
    assert cache[0] is a_next and cache[1] is a_prev and cache[2] is xt and cache[3] is parameters
    assert a_next.shape == (3, 2) and yt.shape == (2, 2)

    xt, a_prev, c_prev, parameters = BUILDERS["lstm_cell_forward"](**DIMS)
    a_next, c_next, yt, cache = rnn.lstm_cell_forward(xt, a_prev, c_prev, parameters)
    assert len(cache) == 10
    assert cache[0] is a_next and cache[1] is c_next and cache[2] is a_prev and cache[3] is c_prev
    assert cache[8] is xt and cache[9] is parameters
    assert all(g.shape == (3, 2) for g in cache[4:8])
    concat = np.concatenate((a_prev, xt))
    np.testing.assert_allclose(cache[4], rnn.sigmoid(parameters["Wf"] @ concat + parameters["bf"]))
    np.testing.assert_allclose(cache[5], rnn.sigmoid(parameters["Wi"] @ concat + parameters["bi"]))
    np.testing.assert_allclose(cache[6], np.tanh(parameters["Wc"] @ concat + parameters["bc"]))
    np.testing.assert_allclose(cache[7], rnn.sigmoid(parameters["Wo"] @ concat + parameters["bo"]))

    x, a0, parameters = BUILDERS["lstm_forward"](**DIMS)
    a, y, c, (caches, x_out) = rnn.lstm_forward(x, a0, parameters)
    assert a.shape == c.shape == (3, 2, 3) and y.shape == (2, 2, 3) and x_out is x
    assert not np.any(caches[0][3]), "c0 must be zeros"
    np.testing.assert_array_equal(caches[1][3], c[:, :, 0])
    np.testing.assert_array_equal(caches[1][2], a[:, :, 0])


def test_softmax_and_sigmoid():
    """softmax normalises columns (axis 0) and survives large scores; sigmoid is stable and symmetric."""
    z = np.array([[1.0, 1000.0], [2.0, -1000.0], [3.0, 0.0]])
    s = rnn.softmax(z)
    np.testing.assert_allclose(s.sum(axis=0), [1.0, 1.0])
    np.testing.assert_allclose(s[:, 0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    assert s[0, 1] == pytest.approx(1.0)
    with np.errstate(all="raise"):
        v = rnn.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_array_equal(v, [0.0, 0.5, 1.0])
    x = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(rnn.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-14, atol=1e-16)


# --- builders -------------------------------------------------------------------------------


def test_builders_mapping_is_read_only_and_complete():
    """One builder per function, plus the printed rnn_cell_backward example; the mapping cannot be edited.
    A function a course adds (docs/rubrics.md: a GRU cell) has its example too: EXAMPLES holds the
    eight, and may hold more, each a function of solution/rnn.py."""
    functions = {"rnn_cell_forward", "rnn_forward", "lstm_cell_forward", "lstm_forward",
                 "rnn_cell_backward", "rnn_backward", "lstm_cell_backward", "lstm_backward"}
    assert functions <= set(BUILDERS) and "rnn_cell_backward_example" in BUILDERS
    assert functions <= set(EXAMPLES) and set(EXAMPLES.values()) <= set(BUILDERS)
    assert all(callable(getattr(rnn, name, None)) for name in EXAMPLES)
    assert all(hasattr(rnn, FEEDS[name]) for name in BUILDERS)
    with pytest.raises(TypeError):
        BUILDERS["x"] = None
    with pytest.raises(TypeError):
        EXAMPLES["rnn_forward"] = "x"


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_builders_are_keyword_only_with_all_dimensions(name):
    """f(*, seed, n_x, n_a, n_y, m, T_x); positional calls are refused; unused dimensions are ignored."""
    parameters = inspect.signature(BUILDERS[name]).parameters
    assert list(parameters) == ["seed", "n_x", "n_a", "n_y", "m", "T_x"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values())
    assert parameters["seed"].default == 1
    with pytest.raises(TypeError):
        BUILDERS[name](1)
    out = getattr(rnn, FEEDS[name])(*BUILDERS[name](seed=9, n_x=2, n_a=4, n_y=3, m=1, T_x=2))
    assert out is not None


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_builders_are_deterministic_fresh_and_leave_global_state(name):
    """Same seed, same draws, new objects; another seed, other draws; np.random's state untouched."""
    state = np.random.get_state()
    first, second = BUILDERS[name](seed=11), BUILDERS[name](seed=11)
    other = BUILDERS[name](seed=12)
    after = np.random.get_state()
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]
    for a, b in zip(_arrays(first), _arrays(second)):
        np.testing.assert_array_equal(a, b)
        assert not np.shares_memory(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(_arrays(first), _arrays(other)))


def test_local_generator_matches_the_legacy_global_seed():
    """RandomState(seed).randn reproduces np.random.seed(seed); np.random.randn (the notebook's way)."""
    state = np.random.get_state()
    try:
        np.random.seed(1)
        legacy = [np.random.randn(3, 10), np.random.randn(5, 10)]
    finally:
        np.random.set_state(state)
    xt, a_prev, _ = BUILDERS["rnn_cell_forward"](seed=1)
    np.testing.assert_array_equal(xt, legacy[0])
    np.testing.assert_array_equal(a_prev, legacy[1])


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_builders_reject_bad_dimensions(bad):
    """Dimensions must be positive integers."""
    with pytest.raises(ValueError):
        BUILDERS["rnn_forward"](n_a=bad)
