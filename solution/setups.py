"""Seeded input builders: the arguments behind every "Expected Output" table.

A builder is a keyword-only function::

    builder(*, seed=1, n_x=3, n_a=5, n_y=2, m=10, T_x=...) -> tuple

returning the tuple of positional arguments of the function it feeds, e.g.
``(xt, a_prev, parameters)`` for ``rnn_cell_forward``.  Every builder accepts
all five dimension keywords and ignores the ones it does not use, so a rubric
can pass dimensions uniformly.  Each call returns freshly drawn arrays.

Draws come from a local ``np.random.RandomState(seed)``; no global random
state is read or written.  ``RandomState(seed).randn`` gives exactly the
draws of the course notebook's ``np.random.seed(seed); np.random.randn(...)``,
so with ``seed=1`` and the default dimensions every builder named in
``EXAMPLES`` reproduces the assignment's printed example draw for draw.

Draw orders (one ``randn`` call per name, in this order; shapes in brackets):

* ``rnn_cell_forward``:  xt (n_x, m), a_prev (n_a, m), Waa (n_a, n_a),
  Wax (n_a, n_x), Wya (n_y, n_a), ba (n_a, 1), by (n_y, 1)
* ``rnn_forward``:  x (n_x, m, T_x), a0 (n_a, m), then Waa, Wax, Wya, ba, by
  as above.  Default T_x = 4.
* ``lstm_cell_forward``:  xt, a_prev (n_a, m), c_prev (n_a, m),
  Wf (n_a, n_a + n_x), bf (n_a, 1), Wi, bi, Wo, bo, Wc, bc, Wy (n_y, n_a), by (n_y, 1)
* ``lstm_forward``:  x (n_x, m, T_x), a0, then the LSTM parameters as above
  (c0 is not drawn: lstm_forward starts from zeros).  Default T_x = 7.
* ``rnn_cell_backward``:  xt, a_prev, Wax, Waa, Wya, ba, by (note: Wax before
  Waa, as the course's backward example draws them), then da_next (n_a, m).
  The cache is made by the reference ``rnn_cell_forward``.
* ``rnn_cell_backward_example``:  the quirky printed example, see its docstring.
* ``rnn_backward``:  x (n_x, m, T_x), a0, Wax, Waa, Wya, ba, by, then
  da (n_a, m, T_x).  Default T_x = 4.  The caches come from the reference
  ``rnn_forward``.
* ``lstm_cell_backward``:  the ``lstm_cell_forward`` draws, then
  da_next (n_a, m), dc_next (n_a, m).  The cache comes from the reference
  ``lstm_cell_forward``.  (No printed example in the assignment.)
* ``lstm_backward``:  the ``lstm_forward`` draws, then da (n_a, m, T_x).
  Default T_x = 7.  (No printed example in the assignment.)
"""

import types

import numpy as np

from solution import rnn

__all__ = ["BUILDERS", "EXAMPLES", "FEEDS"]


def _rng(seed, n_x, n_a, n_y, m, T_x):
    """Validate the seed and dimensions; return a fresh RandomState(seed)."""
    for name, value in (("n_x", n_x), ("n_a", n_a), ("n_y", n_y), ("m", m), ("T_x", T_x)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return np.random.RandomState(int(seed))


def _rnn_parameters(rng, *, n_x, n_a, n_y, order):
    """Draw the basic-RNN parameters from ``rng``.

    ``order`` is ``"Waa first"`` (forward examples: Waa, Wax, Wya, ba, by) or
    ``"Wax first"`` (backward examples: Wax, Waa, Wya, ba, by).
    Returns a dict Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a), ba (n_a, 1), by (n_y, 1).
    """
    if order == "Waa first":
        Waa = rng.randn(n_a, n_a)
        Wax = rng.randn(n_a, n_x)
    elif order == "Wax first":
        Wax = rng.randn(n_a, n_x)
        Waa = rng.randn(n_a, n_a)
    else:
        raise ValueError(f"unknown draw order {order!r}")
    Wya = rng.randn(n_y, n_a)
    ba = rng.randn(n_a, 1)
    by = rng.randn(n_y, 1)
    return {"Waa": Waa, "Wax": Wax, "Wya": Wya, "ba": ba, "by": by}


def _lstm_parameters(rng, *, n_x, n_a, n_y):
    """Draw the LSTM parameters from ``rng`` in the course's order.

    Order: Wf, bf, Wi, bi, Wo, bo, Wc, bc, Wy, by.
    Returns a dict with Wf, Wi, Wo, Wc (n_a, n_a + n_x), bf, bi, bo, bc (n_a, 1),
    Wy (n_y, n_a), by (n_y, 1).
    """
    Wf = rng.randn(n_a, n_a + n_x)
    bf = rng.randn(n_a, 1)
    Wi = rng.randn(n_a, n_a + n_x)
    bi = rng.randn(n_a, 1)
    Wo = rng.randn(n_a, n_a + n_x)
    bo = rng.randn(n_a, 1)
    Wc = rng.randn(n_a, n_a + n_x)
    bc = rng.randn(n_a, 1)
    Wy = rng.randn(n_y, n_a)
    by = rng.randn(n_y, 1)
    return {"Wf": Wf, "Wi": Wi, "Wo": Wo, "Wc": Wc, "Wy": Wy,
            "bf": bf, "bi": bi, "bo": bo, "bc": bc, "by": by}


def build_rnn_cell_forward(*, seed=1, n_x=3, n_a=5, n_y=2, m=10, T_x=4):
    """Arguments of rnn_cell_forward: (xt (n_x, m), a_prev (n_a, m), parameters).

    Draws xt, a_prev, Waa, Wax, Wya, ba, by.  T_x is ignored.  With the
    defaults and seed=1 this is the assignment's rnn_cell_forward example.
    """
    rng = _rng(seed, n_x, n_a, n_y, m, T_x)
    xt = rng.randn(n_x, m)
    a_prev = rng.randn(n_a, m)
    parameters = _rnn_parameters(rng, n_x=n_x, n_a=n_a, n_y=n_y, order="Waa first")
    return (xt, a_prev, parameters)


def build_rnn_forward(*, seed=1, n_x=3, n_a=5, n_y=2, m=10, T_x=4):
    """Arguments of rnn_forward: (x (n_x, m, T_x), a0 (n_a, m), parameters).

    Draws x, a0, Waa, Wax, Wya, ba, by.  With the defaults and seed=1 this is
    the assignment's rnn_forward example.
    """
    rng = _rng(seed, n_x, n_a, n_y, m, T_x)
    x = rng.randn(n_x, m, T_x)
    a0 = rng.randn(n_a, m)
    parameters = _rnn_parameters(rng, n_x=n_x, n_a=n_a, n_y=n_y, order="Waa first")
    return (x, a0, parameters)


def build_lstm_cell_forward(*, seed=1, n_x=3, n_a=5, n_y=2, m=10, T_x=7):
    """Arguments of lstm_cell_forward: (xt (n_x, m), a_prev (n_a, m), c_prev (n_a, m), parameters).

    Draws xt, a_prev, c_prev, Wf, bf, Wi, bi, Wo, bo, Wc, bc, Wy, by.  T_x is
    ignored.  With the defaults and seed=1 this is the assignment's
    lstm_cell_forward example.
    """
    rng = _rng(seed, n_x, n_a, n_y, m, T_x)
    xt = rng.randn(n_x, m)
    a_prev = rng.randn(n_a, m)
    c_prev = rng.randn(n_a, m)
    parameters = _lstm_parameters(rng, n_x=n_x, n_a=n_a, n_y=n_y)
    return (xt, a_prev, c_prev, parameters)


def build_lstm_forward(*, seed=1, n_x=3, n_a=5, n_y=2, m=10, T_x=7):
    """Arguments of lstm_forward: (x (n_x, m, T_x), a0 (n_a, m), parameters).

    Draws x, a0, Wf, bf, Wi, bi, Wo, bo, Wc, bc, Wy, by.  With the defaults
    and seed=1 this is the assignment's lstm_forward example.
    """
    rng = _rng(seed, n_x, n_a, n_y, m, T_x)
    x = rng.randn(n_x, m, T_x)
    a0 = rng.randn(n_a, m)
    parameters = _lstm_parameters(rng, n_x=n_x, n_a=n_a, n_y=n_y)
    return (x, a0, parameters)


def build_rnn_cell_backward(*, seed=1, n_x=3, n_a=5, n_y=2, m=10, T_x=4):
    """Arguments of rnn_cell_backward: (da_next (n_a, m), cache).

    Draws xt, a_prev, Wax, Waa, Wya, ba, by, runs the reference
    rnn_cell_forward for the cache, then draws da_next.  T_x is ignored.
    This is the course's draw order with the bias drawn in its place; the
    printed example differs in its bias, see build_rnn_cell_backward_example.
    """
    rng = _rng(seed, n_x, n_a, n_y, m, T_x)
    xt = rng.randn(n_x, m)
    a_prev = rng.randn(n_a, m)
    parameters = _rnn_parameters(rng, n_x=n_x, n_a=n_a, n_y=n_y, order="Wax first")
    _, _, cache = rnn.rnn_cell_forward(xt, a_prev, parameters)
    da_next = rng.randn(n_a, m)
    return (da_next, cache)


def build_rnn_cell_backward_example(*, seed=1, n_x=3, n_a=5, n_y=2, m=10, T_x=4):
    """Arguments of rnn_cell_backward exactly as in its printed example (the quirky one).

    The assignment's rnn_cell_backward Expected Output was produced by a
    notebook cell that (1) draws its parameters in another order than the
    forward examples, Wax before Waa, and (2) draws a bias into a variable
    ``b`` but builds ``parameters["ba"]`` from the ``ba`` left over in the
    kernel by the earlier rnn_forward example cell.  Reproduced here:

    1. ``ba`` = the bias of ``build_rnn_forward(seed=seed, n_x, n_a, n_y, m, T_x)``,
       i.e. the 6th draw after x (n_x, m, T_x), a0 (n_a, m), Waa, Wax, Wya
       (so T_x, default 4, matters only through this leftover bias);
    2. a fresh RandomState(seed): xt (n_x, m), a_prev (n_a, m), Wax (n_a, n_x),
       Waa (n_a, n_a), Wya (n_y, n_a), b (n_a, 1, unused), by (n_y, 1);
    3. the cache from the reference rnn_cell_forward with
       {Wax, Waa, Wya, ba (from step 1), by}, then da_next (n_a, m).

    With the defaults and seed=1 the printed values (e.g.
    gradients["dxt"][1][2] = -0.460564103059) are reproduced; with the bias
    drawn in place (build_rnn_cell_backward) they are not.
    """
    leftover_ba = build_rnn_forward(seed=seed, n_x=n_x, n_a=n_a, n_y=n_y, m=m, T_x=T_x)[2]["ba"]
    rng = _rng(seed, n_x, n_a, n_y, m, T_x)
    xt = rng.randn(n_x, m)
    a_prev = rng.randn(n_a, m)
    parameters = _rnn_parameters(rng, n_x=n_x, n_a=n_a, n_y=n_y, order="Wax first")
    parameters["ba"] = leftover_ba  # the drawn bias ("b" in the notebook) is not used
    _, _, cache = rnn.rnn_cell_forward(xt, a_prev, parameters)
    da_next = rng.randn(n_a, m)
    return (da_next, cache)


def build_rnn_backward(*, seed=1, n_x=3, n_a=5, n_y=2, m=10, T_x=4):
    """Arguments of rnn_backward: (da (n_a, m, T_x), caches).

    Draws x (n_x, m, T_x), a0 (n_a, m), Wax, Waa, Wya, ba, by, runs the
    reference rnn_forward for the caches, then draws da.  With the defaults
    and seed=1 this is the assignment's rnn_backward example.
    """
    rng = _rng(seed, n_x, n_a, n_y, m, T_x)
    x = rng.randn(n_x, m, T_x)
    a0 = rng.randn(n_a, m)
    parameters = _rnn_parameters(rng, n_x=n_x, n_a=n_a, n_y=n_y, order="Wax first")
    _, _, caches = rnn.rnn_forward(x, a0, parameters)
    da = rng.randn(n_a, m, T_x)
    return (da, caches)


def build_lstm_cell_backward(*, seed=1, n_x=3, n_a=5, n_y=2, m=10, T_x=7):
    """Arguments of lstm_cell_backward: (da_next (n_a, m), dc_next (n_a, m), cache).

    Draws as build_lstm_cell_forward, runs the reference lstm_cell_forward for
    the cache, then draws da_next and dc_next.  T_x is ignored.
    """
    rng = _rng(seed, n_x, n_a, n_y, m, T_x)
    xt = rng.randn(n_x, m)
    a_prev = rng.randn(n_a, m)
    c_prev = rng.randn(n_a, m)
    parameters = _lstm_parameters(rng, n_x=n_x, n_a=n_a, n_y=n_y)
    _, _, _, cache = rnn.lstm_cell_forward(xt, a_prev, c_prev, parameters)
    da_next = rng.randn(n_a, m)
    dc_next = rng.randn(n_a, m)
    return (da_next, dc_next, cache)


def build_lstm_backward(*, seed=1, n_x=3, n_a=5, n_y=2, m=10, T_x=7):
    """Arguments of lstm_backward: (da (n_a, m, T_x), caches).

    Draws as build_lstm_forward, runs the reference lstm_forward for the
    caches, then draws da (n_a, m, T_x).
    """
    rng = _rng(seed, n_x, n_a, n_y, m, T_x)
    x = rng.randn(n_x, m, T_x)
    a0 = rng.randn(n_a, m)
    parameters = _lstm_parameters(rng, n_x=n_x, n_a=n_a, n_y=n_y)
    _, _, _, caches = rnn.lstm_forward(x, a0, parameters)
    da = rng.randn(n_a, m, T_x)
    return (da, caches)


BUILDERS = types.MappingProxyType({
    "rnn_cell_forward": build_rnn_cell_forward,
    "rnn_forward": build_rnn_forward,
    "lstm_cell_forward": build_lstm_cell_forward,
    "lstm_forward": build_lstm_forward,
    "rnn_cell_backward": build_rnn_cell_backward,
    "rnn_cell_backward_example": build_rnn_cell_backward_example,
    "rnn_backward": build_rnn_backward,
    "lstm_cell_backward": build_lstm_cell_backward,
    "lstm_backward": build_lstm_backward,
})
"""Builder name -> builder.  Each key that is a function name feeds that function."""

EXAMPLES = types.MappingProxyType({
    "rnn_cell_forward": "rnn_cell_forward",
    "rnn_forward": "rnn_forward",
    "lstm_cell_forward": "lstm_cell_forward",
    "lstm_forward": "lstm_forward",
    "rnn_cell_backward": "rnn_cell_backward_example",
    "rnn_backward": "rnn_backward",
    "lstm_cell_backward": "lstm_cell_backward",
    "lstm_backward": "lstm_backward",
})
"""Function name -> the builder that gives its example inputs (the printed one, where printed)."""

FEEDS = types.MappingProxyType({
    name: ("rnn_cell_backward" if name == "rnn_cell_backward_example" else name)
    for name in BUILDERS
})
"""Builder name -> the name of the function in solution.rnn its arguments feed."""
