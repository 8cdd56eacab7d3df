"""Catalog of known mistakes: the reference functions, each with ONE classic student error.

``MUTANTS`` maps an id such as ``"rnn_cell_forward/no_ba"`` to a frozen
``Mutant(id, function, message, fn)``:

* ``function`` -- the name of the graded function in solution.rnn it mutates;
* ``message`` -- one kind sentence for the student that names the mistake and the fix;
* ``fn`` -- a callable with exactly the signature, arguments and return
  structure of the reference function (shapes are the reference's unless the
  mistake itself is a shape, e.g. ``rnn_cell_backward/dba_no_keepdims``).

The grading engine uses the catalog to prove that its checks catch each
mistake, and to recognise a submission's mistake by its outputs.

Like the reference, the composite mutants (of rnn_forward, lstm_forward,
rnn_backward, lstm_backward) call the per-step function through this
module's global name (``rnn_cell_forward`` etc., the reference ones imported
from solution.rnn), with no closures and no default arguments, so that
``types.FunctionType(fn.__code__, new_globals)`` can rebind it.  No mutant
modifies its inputs.  ``mutant_source(id)`` gives a mutant's source with its
``def`` renamed to the graded function's name, ready to paste into a test
notebook (its helpers ``np``, ``softmax``, ``sigmoid`` and per-step functions
are the names the notebook provides).

Each mutant differs from the reference on the example inputs of
solution.setups (tests/test_solution_mutants.py).  Degenerate dimensions hide
some of them: ``SAME_WHEN_ONE_STEP`` lists those that coincide with the
reference when T_x = 1; with n_y = 1 the softmax is constantly 1 and with
n_a = 1 a transpose changes nothing; with m = 1 a mean over the examples is
their sum (``rnn_cell_backward/dba_mean``), so grading cases should have
T_x, n_a, n_y and m of at least 2.  ``RAISES_WHEN_N_X_ABOVE_T_X`` lists those
that raise (rather than return) on inputs with more features than steps.
"""

import inspect
import re
import types
from dataclasses import dataclass
from typing import Callable

import numpy as np

from solution.rnn import (
    lstm_cell_backward,
    lstm_cell_forward,
    rnn_cell_backward,
    rnn_cell_forward,
    sigmoid,
    softmax,
)

__all__ = ["Mutant", "MUTANTS", "RAISES_WHEN_N_X_ABOVE_T_X", "SAME_WHEN_ONE_STEP", "mutant_source"]


@dataclass(frozen=True)
class Mutant:
    """One known mistake: ``fn`` is the reference ``function`` with the error described by ``message``."""

    id: str
    function: str
    message: str
    fn: Callable


# ============================================================================ rnn_cell_forward


def rnn_cell_forward__no_ba(xt, a_prev, parameters):
    """rnn_cell_forward without ba inside the tanh.  Shapes as solution.rnn.rnn_cell_forward."""
    Wax, Waa, Wya, by = parameters["Wax"], parameters["Waa"], parameters["Wya"], parameters["by"]
    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt))
    yt_pred = softmax(np.dot(Wya, a_next) + by)
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


def rnn_cell_forward__no_softmax(xt, a_prev, parameters):
    """rnn_cell_forward whose prediction is the raw scores Wya·a_next + by, the softmax left out.
    Shapes as solution.rnn.rnn_cell_forward."""
    Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]
    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + parameters["ba"])
    yt_pred = np.dot(Wya, a_next) + parameters["by"]
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


def rnn_cell_forward__no_by(xt, a_prev, parameters):
    """rnn_cell_forward without by before the softmax.  Shapes as solution.rnn.rnn_cell_forward."""
    Wax, Waa, Wya, ba = parameters["Wax"], parameters["Waa"], parameters["Wya"], parameters["ba"]
    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)
    yt_pred = softmax(np.dot(Wya, a_next))
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


def rnn_cell_forward__sigmoid_activation(xt, a_prev, parameters):
    """rnn_cell_forward with sigmoid instead of tanh for a_next.  Shapes as the reference."""
    Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]
    a_next = sigmoid(np.dot(Waa, a_prev) + np.dot(Wax, xt) + parameters["ba"])
    yt_pred = softmax(np.dot(Wya, a_next) + parameters["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


def rnn_cell_forward__no_tanh(xt, a_prev, parameters):
    """rnn_cell_forward with a_next = Waa @ a_prev + Wax @ xt + ba: the tanh left out.  Shapes as the reference."""
    Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]
    a_next = np.dot(Waa, a_prev) + np.dot(Wax, xt) + parameters["ba"]
    yt_pred = softmax(np.dot(Wya, a_next) + parameters["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


def rnn_cell_forward__relu_activation(xt, a_prev, parameters):
    """rnn_cell_forward with a ReLU (np.maximum(0, .)) instead of tanh for a_next.  Shapes as the reference."""
    Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]
    a_next = np.maximum(0, np.dot(Waa, a_prev) + np.dot(Wax, xt) + parameters["ba"])
    yt_pred = softmax(np.dot(Wya, a_next) + parameters["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


def rnn_cell_forward__y_from_preactivation(xt, a_prev, parameters):
    """rnn_cell_forward predicting from the sum inside the tanh, Wya @ z + by with a_next = tanh(z).
    Shapes as the reference."""
    Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]
    z = np.dot(Waa, a_prev) + np.dot(Wax, xt) + parameters["ba"]
    a_next = np.tanh(z)
    yt_pred = softmax(np.dot(Wya, z) + parameters["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


def rnn_cell_forward__softmax_axis1(xt, a_prev, parameters):
    """rnn_cell_forward whose softmax normalises rows (axis 1, across examples).  Shapes as the reference."""
    Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]
    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + parameters["ba"])
    z = np.dot(Wya, a_next) + parameters["by"]
    e_z = np.exp(z - np.max(z, axis=1, keepdims=True))
    yt_pred = e_z / np.sum(e_z, axis=1, keepdims=True)
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


def rnn_cell_forward__softmax_whole_array(xt, a_prev, parameters):
    """rnn_cell_forward whose softmax normalises the whole (n_y, m) matrix at once, as
    scipy.special.softmax does without an axis (the same as the reference when m = 1).
    Shapes as the reference."""
    Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]
    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + parameters["ba"])
    z = np.dot(Wya, a_next) + parameters["by"]
    e_z = np.exp(z - np.max(z))
    yt_pred = e_z / np.sum(e_z)
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


def rnn_cell_forward__transposed_Waa(xt, a_prev, parameters):
    """rnn_cell_forward with Waa.T @ a_prev (Waa is square, so the shapes still fit).

    (Exchanging Wax and Waa does not fit the shapes unless n_x == n_a, so that
    classic is not in the catalog: it raises on the example inputs.)
    """
    Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]
    a_next = np.tanh(np.dot(Waa.T, a_prev) + np.dot(Wax, xt) + parameters["ba"])
    yt_pred = softmax(np.dot(Wya, a_next) + parameters["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


def rnn_cell_forward__sigmoid_output(xt, a_prev, parameters):
    """rnn_cell_forward predicting with a sigmoid instead of the softmax.  Shapes as the reference."""
    Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]
    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + parameters["ba"])
    yt_pred = sigmoid(np.dot(Wya, a_next) + parameters["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


def rnn_cell_forward__cache_order(xt, a_prev, parameters):
    """rnn_cell_forward whose cache is (a_prev, a_next, xt, parameters).  Shapes as the reference."""
    Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]
    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + parameters["ba"])
    yt_pred = softmax(np.dot(Wya, a_next) + parameters["by"])
    return a_next, yt_pred, (a_prev, a_next, xt, parameters)


def rnn_cell_forward__y_from_a_prev(xt, a_prev, parameters):
    """rnn_cell_forward predicting from the previous state a_prev instead of a_next.  Shapes as the reference."""
    Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]
    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + parameters["ba"])
    yt_pred = softmax(np.dot(Wya, a_prev) + parameters["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


def rnn_cell_forward__ba_outside_tanh(xt, a_prev, parameters):
    """rnn_cell_forward with a_next = tanh(Waa @ a_prev + Wax @ xt) + ba: the bias added after the
    tanh instead of inside it.  Shapes as the reference."""
    Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]
    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt)) + parameters["ba"]
    yt_pred = softmax(np.dot(Wya, a_next) + parameters["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


def rnn_cell_forward__cache_without_x(xt, a_prev, parameters):
    """rnn_cell_forward whose cache is (a_next, a_prev, parameters): the input xt left out, so it
    has three elements instead of four."""
    Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]
    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + parameters["ba"])
    yt_pred = softmax(np.dot(Wya, a_next) + parameters["by"])
    return a_next, yt_pred, (a_next, a_prev, parameters)


def rnn_cell_forward__cache_x_first(xt, a_prev, parameters):
    """rnn_cell_forward whose cache is (xt, a_next, a_prev, parameters): the input first (the
    order of the function's arguments) instead of third.  Shapes as the reference."""
    Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]
    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + parameters["ba"])
    yt_pred = softmax(np.dot(Wya, a_next) + parameters["by"])
    return a_next, yt_pred, (xt, a_next, a_prev, parameters)


# ================================================================================ rnn_forward


def rnn_forward__a0_every_step(x, a0, parameters):
    """rnn_forward that feeds a0 (never the previous state) to every step (the same as the reference when T_x = 1)."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    for t in range(T_x):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a0, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    return a, y_pred, (caches, x)


def rnn_forward__y_not_stored(x, a0, parameters):
    """rnn_forward that never writes the predictions: y stays zeros.  Shapes as the reference."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    a_next = a0
    for t in range(T_x):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        caches.append(cache)
    return a, y_pred, (caches, x)


def rnn_forward__y_wrong_index(x, a0, parameters):
    """rnn_forward storing step t's prediction at index t-1 (the same as the reference when T_x = 1)."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    a_next = a0
    for t in range(T_x):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t - 1] = yt_pred
        caches.append(cache)
    return a, y_pred, (caches, x)


def rnn_forward__caches_without_x(x, a0, parameters):
    """rnn_forward returning the list of caches alone instead of (caches, x).  Shapes as the reference."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    a_next = a0
    for t in range(T_x):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    return a, y_pred, caches


def rnn_forward__caches_of_none(x, a0, parameters):
    """rnn_forward appending None to caches at every step (the template's line left as it was).
    Shapes as the reference."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    a_next = a0
    for t in range(T_x):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(None)
    return a, y_pred, (caches, x)


def rnn_forward__len_of_x(x, a0, parameters):
    """rnn_forward looping over range(len(x)): len of the 3-D x is n_x, not T_x.  It runs n_x
    steps (the rest stay zeros) when n_x < T_x, is right when n_x == T_x, and raises IndexError
    at x[:, :, T_x] when n_x > T_x (``RAISES_WHEN_N_X_ABOVE_T_X``)."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    a_next = a0
    for t in range(len(x)):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    return a, y_pred, (caches, x)


def rnn_forward__last_step_skipped(x, a0, parameters):
    """rnn_forward looping over range(T_x - 1): the last step is never computed (its a and y stay
    zeros) and the caches hold T_x - 1 entries (none when T_x = 1)."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    a_next = a0
    for t in range(T_x - 1):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    return a, y_pred, (caches, x)


def rnn_forward__a_from_zeros(x, a0, parameters):
    """rnn_forward starting the hidden state from zeros instead of a0.  Shapes as the reference."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    a_next = np.zeros((n_a, m))
    for t in range(T_x):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    return a, y_pred, (caches, x)


def rnn_forward__first_step_skipped(x, a0, parameters):
    """rnn_forward looping over range(1, T_x): step 0 is never computed (its a and y stay zeros),
    step 1 starts from a0, and the caches hold T_x - 1 entries (none when T_x = 1)."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    a_next = a0
    for t in range(1, T_x):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    return a, y_pred, (caches, x)


def rnn_forward__first_step_skipped_from_slice(x, a0, parameters):
    """rnn_forward looping over range(1, T_x) with a[:, :, t - 1] as the previous state: step 0 is
    never computed (its a and y stay zeros), so step 1 starts from those zeros, not a0; the caches
    hold T_x - 1 entries (none when T_x = 1)."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    for t in range(1, T_x):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a[:, :, t - 1], parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    return a, y_pred, (caches, x)


# ========================================================================== lstm_cell_forward


def _lstm_gates(xt, a_prev, parameters):
    """Reference gates of one LSTM step: (ft, it, cct, ot), each (n_a, m), from concat = [a_prev; xt]."""
    concat = np.concatenate((a_prev, xt), axis=0)
    ft = sigmoid(np.dot(parameters["Wf"], concat) + parameters["bf"])
    it = sigmoid(np.dot(parameters["Wi"], concat) + parameters["bi"])
    cct = np.tanh(np.dot(parameters["Wc"], concat) + parameters["bc"])
    ot = sigmoid(np.dot(parameters["Wo"], concat) + parameters["bo"])
    return ft, it, cct, ot


def lstm_cell_forward__cct_sigmoid(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with sigmoid instead of tanh for the candidate cct.  Shapes as the reference."""
    concat = np.concatenate((a_prev, xt), axis=0)
    ft, it, _, ot = _lstm_gates(xt, a_prev, parameters)
    cct = sigmoid(np.dot(parameters["Wc"], concat) + parameters["bc"])
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_forward__no_tanh_on_c(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with a_next = ot * c_next (tanh forgotten).  Shapes as the reference."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = ft * c_prev + it * cct
    a_next = ot * c_next
    yt_pred = softmax(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_forward__gates_swapped(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with c_next = it * c_prev + ft * cct (forget and update gates exchanged)."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = it * c_prev + ft * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_forward__concat_x_first(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with concat = [xt; a_prev] (shapes fit: both orders have n_a + n_x rows)."""
    concat = np.concatenate((xt, a_prev), axis=0)
    ft = sigmoid(np.dot(parameters["Wf"], concat) + parameters["bf"])
    it = sigmoid(np.dot(parameters["Wi"], concat) + parameters["bi"])
    cct = np.tanh(np.dot(parameters["Wc"], concat) + parameters["bc"])
    ot = sigmoid(np.dot(parameters["Wo"], concat) + parameters["bo"])
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_forward__concat_unfilled(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with concat = np.zeros((n_a + n_x, m)) left as made: a_prev and xt never
    written into it, so every gate reads only its bias.  Shapes as the reference."""
    concat = np.zeros((a_prev.shape[0] + xt.shape[0], xt.shape[1]))
    ft = sigmoid(np.dot(parameters["Wf"], concat) + parameters["bf"])
    it = sigmoid(np.dot(parameters["Wi"], concat) + parameters["bi"])
    cct = np.tanh(np.dot(parameters["Wc"], concat) + parameters["bc"])
    ot = sigmoid(np.dot(parameters["Wo"], concat) + parameters["bo"])
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_forward__cache_order(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward whose cache lists the gates as ft, it, ot, cct (ot and cct exchanged)."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, ot, cct, xt, parameters)


def lstm_cell_forward__y_from_c(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward predicting from the memory: yt = softmax(Wy @ c_next + by).  Shapes as the reference."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(np.dot(parameters["Wy"], c_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_forward__sigmoid_output(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward predicting with a sigmoid: yt = sigmoid(Wy @ a_next + by).  Shapes as the reference."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = sigmoid(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_forward__no_by(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward without by before the softmax: yt = softmax(Wy @ a_next).  Shapes as the reference."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(np.dot(parameters["Wy"], a_next))
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_forward__forget_gate_twice(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with c_next = ft * c_prev + ft * cct: the forget gate where the update gate
    it belongs.  Shapes as the reference."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = ft * c_prev + ft * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_forward__ot_tanh(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with tanh instead of sigmoid for the output gate ot.  Shapes as the reference."""
    concat = np.concatenate((a_prev, xt), axis=0)
    ft, it, cct, _ = _lstm_gates(xt, a_prev, parameters)
    ot = np.tanh(np.dot(parameters["Wo"], concat) + parameters["bo"])
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_forward__ft_tanh(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with tanh instead of sigmoid for the forget gate ft.  Shapes as the reference."""
    concat = np.concatenate((a_prev, xt), axis=0)
    _, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    ft = np.tanh(np.dot(parameters["Wf"], concat) + parameters["bf"])
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_forward__it_tanh(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with tanh instead of sigmoid for the update gate it.  Shapes as the reference."""
    concat = np.concatenate((a_prev, xt), axis=0)
    ft, _, cct, ot = _lstm_gates(xt, a_prev, parameters)
    it = np.tanh(np.dot(parameters["Wi"], concat) + parameters["bi"])
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_forward__it_with_bf(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with it = sigmoid(Wi @ concat + bf): the forget gate's bias where the
    update gate's bi belongs (a line copied from ft's).  Shapes as the reference."""
    concat = np.concatenate((a_prev, xt), axis=0)
    ft, _, cct, ot = _lstm_gates(xt, a_prev, parameters)
    it = sigmoid(np.dot(parameters["Wi"], concat) + parameters["bf"])
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_forward__ft_bias_outside(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with ft = sigmoid(Wf @ concat) + bf: the forget gate's bias added after
    the sigmoid instead of inside it (the other gates right).  Shapes as the reference."""
    concat = np.concatenate((a_prev, xt), axis=0)
    _, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    ft = sigmoid(np.dot(parameters["Wf"], concat)) + parameters["bf"]
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_forward__biases_outside(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward adding every gate's bias, and the candidate's, after its sigmoid or tanh:
    ft = sigmoid(Wf @ concat) + bf, and so on for it, cct and ot.  Shapes as the reference."""
    concat = np.concatenate((a_prev, xt), axis=0)
    ft = sigmoid(np.dot(parameters["Wf"], concat)) + parameters["bf"]
    it = sigmoid(np.dot(parameters["Wi"], concat)) + parameters["bi"]
    cct = np.tanh(np.dot(parameters["Wc"], concat)) + parameters["bc"]
    ot = sigmoid(np.dot(parameters["Wo"], concat)) + parameters["bo"]
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_forward__c_from_a_prev(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with c_next = ft * a_prev + it * cct: the previous hidden state where the
    previous memory c_prev belongs (both (n_a, m)).  Shapes as the reference."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = ft * a_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_forward__a_from_c_prev(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with a_next = ot * tanh(c_prev): the previous memory where the new one,
    c_next, belongs (c_next itself right).  Shapes as the reference."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_prev)
    yt_pred = softmax(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_forward__cache_without_x(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward whose cache leaves out the input xt: nine elements instead of ten."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, parameters)


def lstm_cell_forward__cache_x_first(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward whose cache starts with the input xt, the rest in the reference's order:
    (xt, a_next, c_next, a_prev, c_prev, ft, it, cct, ot, parameters).  Shapes as the reference."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (xt, a_next, c_next, a_prev, c_prev, ft, it, cct, ot, parameters)


def _lstm_out(ft, it, cct, ot, a_next, c_next, xt, a_prev, c_prev, parameters):
    """``(a_next, c_next, yt_pred, cache)`` of an LSTM step from its parts, the prediction as the reference's."""
    yt_pred = softmax(np.dot(parameters["Wy"], a_next) + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_forward__no_output_gate(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with a_next = np.tanh(c_next): the output gate's ``ot *`` left out (ot still
    computed and cached).  Shapes as the reference."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = ft * c_prev + it * cct
    return _lstm_out(ft, it, cct, ot, np.tanh(c_next), c_next, xt, a_prev, c_prev, parameters)


def lstm_cell_forward__tanh_of_gated(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with a_next = np.tanh(ot * c_next): the output gate inside the tanh.  Shapes as the reference."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = ft * c_prev + it * cct
    return _lstm_out(ft, it, cct, ot, np.tanh(ot * c_next), c_next, xt, a_prev, c_prev, parameters)


def lstm_cell_forward__sigmoid_on_c(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with a_next = ot * sigmoid(c_next): the memory squashed by a sigmoid, not tanh."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = ft * c_prev + it * cct
    return _lstm_out(ft, it, cct, ot, ot * sigmoid(c_next), c_next, xt, a_prev, c_prev, parameters)


def lstm_cell_forward__no_update_gate(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with c_next = ft * c_prev + cct: the candidate added without the update gate."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = ft * c_prev + cct
    return _lstm_out(ft, it, cct, ot, ot * np.tanh(c_next), c_next, xt, a_prev, c_prev, parameters)


def lstm_cell_forward__cct_bias_outside(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with cct = np.tanh(Wc @ concat) + bc: the candidate's bias added after the
    tanh (the gates right).  Shapes as the reference."""
    concat = np.concatenate((a_prev, xt), axis=0)
    ft, it, _, ot = _lstm_gates(xt, a_prev, parameters)
    cct = np.tanh(np.dot(parameters["Wc"], concat)) + parameters["bc"]
    c_next = ft * c_prev + it * cct
    return _lstm_out(ft, it, cct, ot, ot * np.tanh(c_next), c_next, xt, a_prev, c_prev, parameters)


def lstm_cell_forward__ot_with_Wf(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with ot = sigmoid(Wf @ concat + bo): the output gate made with the forget
    gate's weights (a line copied and not all of it changed).  Shapes as the reference."""
    concat = np.concatenate((a_prev, xt), axis=0)
    ft, it, cct, _ = _lstm_gates(xt, a_prev, parameters)
    ot = sigmoid(np.dot(parameters["Wf"], concat) + parameters["bo"])
    c_next = ft * c_prev + it * cct
    return _lstm_out(ft, it, cct, ot, ot * np.tanh(c_next), c_next, xt, a_prev, c_prev, parameters)


def lstm_cell_forward__softmax_axis1(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward whose softmax normalises rows (axis 1, across examples).  Shapes as the reference."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    z = np.dot(parameters["Wy"], a_next) + parameters["by"]
    e_z = np.exp(z - np.max(z, axis=1, keepdims=True))
    yt_pred = e_z / np.sum(e_z, axis=1, keepdims=True)
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)



def lstm_cell_forward__y_from_a_prev(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward predicting from the previous hidden state: yt_pred = softmax(Wy @ a_prev + by).
    Shapes as the reference."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = ft * c_prev + it * cct
    a_next, c_next, _, cache = _lstm_out(ft, it, cct, ot, ot * np.tanh(c_next), c_next, xt, a_prev, c_prev, parameters)
    return a_next, c_next, softmax(np.dot(parameters["Wy"], a_prev) + parameters["by"]), cache


def lstm_cell_forward__a_from_cct(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with a_next = ot * np.tanh(cct): the candidate squashed where the new memory
    belongs (c_next right).  Shapes as the reference."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = ft * c_prev + it * cct
    return _lstm_out(ft, it, cct, ot, ot * np.tanh(cct), c_next, xt, a_prev, c_prev, parameters)


def lstm_cell_forward__update_gate_added(xt, a_prev, c_prev, parameters):
    """lstm_cell_forward with c_next = ft * c_prev + it + cct: the update gate added to the candidate,
    not multiplied.  Shapes as the reference."""
    ft, it, cct, ot = _lstm_gates(xt, a_prev, parameters)
    c_next = ft * c_prev + it + cct
    return _lstm_out(ft, it, cct, ot, ot * np.tanh(c_next), c_next, xt, a_prev, c_prev, parameters)

# =============================================================================== lstm_forward


def lstm_forward__c0_from_a0(x, a0, parameters):
    """lstm_forward starting the memory from a0 instead of zeros.  Shapes as the reference."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    a_next = a0
    c_next = a0
    for t in range(T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        y[:, :, t] = yt
        caches.append(cache)
    return a, y, c, (caches, x)


def lstm_forward__a_from_zeros(x, a0, parameters):
    """lstm_forward starting the hidden state from zeros instead of a0.  Shapes as the reference."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    a_next = np.zeros((n_a, m))
    c_next = np.zeros((n_a, m))
    for t in range(T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        y[:, :, t] = yt
        caches.append(cache)
    return a, y, c, (caches, x)


def lstm_forward__c_not_carried(x, a0, parameters):
    """lstm_forward passing zeros as c_prev at every step (the same as the reference when T_x = 1)."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    a_next = a0
    for t in range(T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, np.zeros((n_a, m)), parameters)
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        y[:, :, t] = yt
        caches.append(cache)
    return a, y, c, (caches, x)


def lstm_forward__c_not_stored(x, a0, parameters):
    """lstm_forward that never writes the memory states: c stays zeros.  Shapes as the reference."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    a_next = a0
    c_next = np.zeros((n_a, m))
    for t in range(T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a[:, :, t] = a_next
        y[:, :, t] = yt
        caches.append(cache)
    return a, y, c, (caches, x)


def lstm_forward__a0_every_step(x, a0, parameters):
    """lstm_forward feeding a0 (never the previous hidden state) to every step (the same when T_x = 1)."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    c_next = np.zeros((n_a, m))
    for t in range(T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a0, c_next, parameters)
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        y[:, :, t] = yt
        caches.append(cache)
    return a, y, c, (caches, x)


def lstm_forward__first_step_skipped(x, a0, parameters):
    """lstm_forward looping over range(1, T_x): step 0 is never computed (its a, y, c stay zeros),
    step 1 starts from a0 and zeros, and the caches hold T_x - 1 entries."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    a_next = a0
    c_next = np.zeros((n_a, m))
    for t in range(1, T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        y[:, :, t] = yt
        caches.append(cache)
    return a, y, c, (caches, x)


def lstm_forward__c_stored_as_a(x, a0, parameters):
    """lstm_forward storing each step's memory c_next in a[:, :, t] (a copy of c) instead of the
    hidden state a_next; y, c and the caches are right.  Shapes as the reference."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    a_next = a0
    c_next = np.zeros((n_a, m))
    for t in range(T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a[:, :, t] = c_next
        c[:, :, t] = c_next
        y[:, :, t] = yt
        caches.append(cache)
    return a, y, c, (caches, x)


def lstm_forward__y_not_stored(x, a0, parameters):
    """lstm_forward that never writes the predictions: y stays zeros.  Shapes as the reference."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    a_next = a0
    c_next = np.zeros((n_a, m))
    for t in range(T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        caches.append(cache)
    return a, y, c, (caches, x)


def lstm_forward__a_not_stored(x, a0, parameters):
    """lstm_forward that never writes the hidden states: a stays zeros.  Shapes as the reference."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    a_next = a0
    c_next = np.zeros((n_a, m))
    for t in range(T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        c[:, :, t] = c_next
        y[:, :, t] = yt
        caches.append(cache)
    return a, y, c, (caches, x)


def lstm_forward__a_stored_as_c(x, a0, parameters):
    """lstm_forward storing each step's hidden state a_next in c[:, :, t] (a copy of a) instead of
    the memory c_next; a, y and the caches are right.  Shapes as the reference."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    a_next = a0
    c_next = np.zeros((n_a, m))
    for t in range(T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a[:, :, t] = a_next
        c[:, :, t] = a_next
        y[:, :, t] = yt
        caches.append(cache)
    return a, y, c, (caches, x)


def lstm_forward__y_wrong_index(x, a0, parameters):
    """lstm_forward storing step t's prediction at index t-1 (the same as the reference when T_x = 1)."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    a_next = a0
    c_next = np.zeros((n_a, m))
    for t in range(T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        y[:, :, t - 1] = yt
        caches.append(cache)
    return a, y, c, (caches, x)


def lstm_forward__caches_without_x(x, a0, parameters):
    """lstm_forward returning the list of caches alone instead of (caches, x).  Shapes as the reference."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    a_next = a0
    c_next = np.zeros((n_a, m))
    for t in range(T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        y[:, :, t] = yt
        caches.append(cache)
    return a, y, c, caches


def lstm_forward__caches_of_none(x, a0, parameters):
    """lstm_forward appending None to caches at every step (the template's line left as it was).
    Shapes as the reference."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    a_next = a0
    c_next = np.zeros((n_a, m))
    for t in range(T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        y[:, :, t] = yt
        caches.append(None)
    return a, y, c, (caches, x)


def lstm_forward__last_step_skipped(x, a0, parameters):
    """lstm_forward looping over range(T_x - 1): the last step is never computed (its a, y and c
    stay zeros) and the caches hold T_x - 1 entries (none when T_x = 1)."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    a_next = a0
    c_next = np.zeros((n_a, m))
    for t in range(T_x - 1):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        y[:, :, t] = yt
        caches.append(cache)
    return a, y, c, (caches, x)


def lstm_forward__len_of_x(x, a0, parameters):
    """lstm_forward looping over range(len(x)): len of the 3-D x is n_x, not T_x.  It runs n_x
    steps (the rest stay zeros) when n_x < T_x, is right when n_x == T_x, and raises IndexError
    at x[:, :, T_x] when n_x > T_x (``RAISES_WHEN_N_X_ABOVE_T_X``)."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    a_next = a0
    c_next = np.zeros((n_a, m))
    for t in range(len(x)):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        y[:, :, t] = yt
        caches.append(cache)
    return a, y, c, (caches, x)


def lstm_forward__first_step_skipped_from_slices(x, a0, parameters):
    """lstm_forward looping over range(1, T_x) with a[:, :, t - 1] and c[:, :, t - 1] as the
    previous states: step 0 is never computed (its a, y, c stay zeros), so step 1 starts from
    those zeros, not a0; the caches hold T_x - 1 entries (none when T_x = 1)."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    for t in range(1, T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a[:, :, t - 1], c[:, :, t - 1], parameters)
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        y[:, :, t] = yt
        caches.append(cache)
    return a, y, c, (caches, x)


# ========================================================================== rnn_cell_backward


def _rnn_cell_gradients(dtanh, cache):
    """Reference products of rnn_cell_backward from the gradient at the tanh input dtanh (n_a, m)."""
    (a_next, a_prev, xt, parameters) = cache
    return {
        "dxt": np.dot(parameters["Wax"].T, dtanh),
        "da_prev": np.dot(parameters["Waa"].T, dtanh),
        "dWax": np.dot(dtanh, xt.T),
        "dWaa": np.dot(dtanh, a_prev.T),
        "dba": np.sum(dtanh, axis=1, keepdims=True),
    }


def rnn_cell_backward__tanh_applied_twice(da_next, cache):
    """rnn_cell_backward with dtanh = (1 - tanh(a_next)**2) * da_next, though a_next is already a tanh."""
    a_next = cache[0]
    return _rnn_cell_gradients((1.0 - np.tanh(a_next) ** 2) * da_next, cache)


def rnn_cell_backward__no_tanh_derivative(da_next, cache):
    """rnn_cell_backward with dtanh = da_next (the (1 - a_next**2) factor forgotten).  Shapes as the reference."""
    return _rnn_cell_gradients(np.array(da_next, dtype=float), cache)


def rnn_cell_backward__dba_wrong_axis(da_next, cache):
    """rnn_cell_backward summing dba over axis 0 (the units): dba has shape (1, m) instead of (n_a, 1)."""
    a_next = cache[0]
    dtanh = (1.0 - a_next ** 2) * da_next
    gradients = _rnn_cell_gradients(dtanh, cache)
    gradients["dba"] = np.sum(dtanh, axis=0, keepdims=True)
    return gradients


def rnn_cell_backward__dba_no_keepdims(da_next, cache):
    """rnn_cell_backward summing dba without keepdims: dba has shape (n_a,) instead of (n_a, 1)."""
    a_next = cache[0]
    dtanh = (1.0 - a_next ** 2) * da_next
    gradients = _rnn_cell_gradients(dtanh, cache)
    gradients["dba"] = np.sum(dtanh, axis=1)
    return gradients


def rnn_cell_backward__untransposed_Waa(da_next, cache):
    """rnn_cell_backward with da_prev = Waa @ dtanh (the transpose forgotten; Waa is square).  Shapes as the reference."""
    a_next = cache[0]
    dtanh = (1.0 - a_next ** 2) * da_next
    gradients = _rnn_cell_gradients(dtanh, cache)
    gradients["da_prev"] = np.dot(cache[3]["Waa"], dtanh)
    return gradients


def rnn_cell_backward__dba_mean(da_next, cache):
    """rnn_cell_backward with dba = np.mean(dtanh, axis=1, keepdims=True): the sum divided by m.
    Shapes as the reference (the same as the reference when m = 1)."""
    a_next = cache[0]
    dtanh = (1.0 - a_next ** 2) * da_next
    gradients = _rnn_cell_gradients(dtanh, cache)
    gradients["dba"] = np.mean(dtanh, axis=1, keepdims=True)
    return gradients


def rnn_cell_backward__tanh_of_square(da_next, cache):
    """rnn_cell_backward with dtanh = (1 - tanh(a_next**2)) * da_next: the square put inside a
    tanh that a_next already holds.  Shapes as the reference."""
    a_next = cache[0]
    return _rnn_cell_gradients((1.0 - np.tanh(a_next ** 2)) * da_next, cache)


def rnn_cell_backward__square_forgotten(da_next, cache):
    """rnn_cell_backward with dtanh = (1 - tanh(a_next)) * da_next: tanh applied again and the
    square left out.  Shapes as the reference."""
    a_next = cache[0]
    return _rnn_cell_gradients((1.0 - np.tanh(a_next)) * da_next, cache)


def rnn_cell_backward__da_next_forgotten(da_next, cache):
    """rnn_cell_backward with dtanh = 1 - a_next**2: the derivative of tanh alone, not multiplied
    by the gradient da_next that comes in.  Shapes as the reference."""
    a_next = cache[0]
    return _rnn_cell_gradients(1.0 - a_next ** 2, cache)


def rnn_cell_backward__one_minus_forgotten(da_next, cache):
    """rnn_cell_backward with dtanh = a_next**2 * da_next: the "1 -" of the tanh derivative left
    out.  Shapes as the reference."""
    a_next = cache[0]
    return _rnn_cell_gradients(a_next ** 2 * da_next, cache)


def rnn_cell_backward__square_of_one_minus(da_next, cache):
    """rnn_cell_backward with dtanh = (1 - a_next)**2 * da_next: the square taken of (1 - a_next)
    instead of a_next alone.  Shapes as the reference."""
    a_next = cache[0]
    return _rnn_cell_gradients((1.0 - a_next) ** 2 * da_next, cache)


def rnn_cell_backward__dWaa_from_a_next(da_next, cache):
    """rnn_cell_backward with dWaa = dtanh @ a_next.T: the new hidden state where the previous one,
    a_prev, belongs (both (n_a, m)).  Shapes as the reference."""
    a_next = cache[0]
    dtanh = (1.0 - a_next ** 2) * da_next
    gradients = _rnn_cell_gradients(dtanh, cache)
    gradients["dWaa"] = np.dot(dtanh, a_next.T)
    return gradients


def rnn_cell_backward__dtanh_from_a_prev(da_next, cache):
    """rnn_cell_backward with dtanh = (1 - a_prev**2) * da_next: the derivative taken at the
    previous hidden state instead of a_next, the tanh this step computed.  Shapes as the reference."""
    a_prev = cache[1]
    return _rnn_cell_gradients((1.0 - a_prev ** 2) * da_next, cache)


def rnn_cell_backward__dba_axis0_no_keepdims(da_next, cache):
    """rnn_cell_backward with dba = np.sum(dtanh, axis=0): summed over the units and without
    keepdims, dba has shape (m,) instead of (n_a, 1)."""
    a_next = cache[0]
    dtanh = (1.0 - a_next ** 2) * da_next
    gradients = _rnn_cell_gradients(dtanh, cache)
    gradients["dba"] = np.sum(dtanh, axis=0)
    return gradients


# =============================================================================== rnn_backward


def rnn_backward__no_recurrent_gradient(da, caches):
    """rnn_backward passing da[:, :, t] alone to each step, da_prevt dropped (the same when T_x = 1)."""
    (caches, x) = caches
    (a1, a0, x1, parameters) = caches[0]
    n_a, m, T_x = da.shape
    n_x, m = x1.shape
    dx = np.zeros((n_x, m, T_x))
    dWax = np.zeros((n_a, n_x))
    dWaa = np.zeros((n_a, n_a))
    dba = np.zeros((n_a, 1))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        gradients = rnn_cell_backward(da[:, :, t], caches[t])
        da_prevt = gradients["da_prev"]
        dx[:, :, t] = gradients["dxt"]
        dWax = dWax + gradients["dWax"]
        dWaa = dWaa + gradients["dWaa"]
        dba = dba + gradients["dba"]
    return {"dx": dx, "da0": np.array(da_prevt, dtype=float), "dWax": dWax, "dWaa": dWaa, "dba": dba}


def rnn_backward__not_accumulated(da, caches):
    """rnn_backward overwriting dWax, dWaa, dba at each step: only step 0's share survives (same when T_x = 1)."""
    (caches, x) = caches
    (a1, a0, x1, parameters) = caches[0]
    n_a, m, T_x = da.shape
    n_x, m = x1.shape
    dx = np.zeros((n_x, m, T_x))
    dWax = np.zeros((n_a, n_x))
    dWaa = np.zeros((n_a, n_a))
    dba = np.zeros((n_a, 1))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        gradients = rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])
        da_prevt = gradients["da_prev"]
        dx[:, :, t] = gradients["dxt"]
        dWax = gradients["dWax"]
        dWaa = gradients["dWaa"]
        dba = gradients["dba"]
    return {"dx": dx, "da0": np.array(da_prevt, dtype=float), "dWax": dWax, "dWaa": dWaa, "dba": dba}


def rnn_backward__sums_stay_zero(da, caches):
    """rnn_backward adding each sum to itself (dWax += dWax) instead of the step's gradient:
    dWax, dWaa and dba stay zeros.  Shapes as the reference."""
    (caches, x) = caches
    (a1, a0, x1, parameters) = caches[0]
    n_a, m, T_x = da.shape
    n_x, m = x1.shape
    dx = np.zeros((n_x, m, T_x))
    dWax = np.zeros((n_a, n_x))
    dWaa = np.zeros((n_a, n_a))
    dba = np.zeros((n_a, 1))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        gradients = rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])
        da_prevt = gradients["da_prev"]
        dx[:, :, t] = gradients["dxt"]
        dWax = dWax + dWax
        dWaa = dWaa + dWaa
        dba = dba + dba
    return {"dx": dx, "da0": np.array(da_prevt, dtype=float), "dWax": dWax, "dWaa": dWaa, "dba": dba}


def rnn_backward__dx_not_stored(da, caches):
    """rnn_backward that never writes dx: it stays zeros.  Shapes as the reference."""
    (caches, x) = caches
    (a1, a0, x1, parameters) = caches[0]
    n_a, m, T_x = da.shape
    n_x, m = x1.shape
    dx = np.zeros((n_x, m, T_x))
    dWax = np.zeros((n_a, n_x))
    dWaa = np.zeros((n_a, n_a))
    dba = np.zeros((n_a, 1))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        gradients = rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])
        da_prevt = gradients["da_prev"]
        dWax = dWax + gradients["dWax"]
        dWaa = dWaa + gradients["dWaa"]
        dba = dba + gradients["dba"]
    return {"dx": dx, "da0": np.array(da_prevt, dtype=float), "dWax": dWax, "dWaa": dWaa, "dba": dba}


def rnn_backward__forward_in_time(da, caches):
    """rnn_backward looping t = 0 .. T_x-1 instead of backwards (the same as the reference when T_x = 1)."""
    (caches, x) = caches
    (a1, a0, x1, parameters) = caches[0]
    n_a, m, T_x = da.shape
    n_x, m = x1.shape
    dx = np.zeros((n_x, m, T_x))
    dWax = np.zeros((n_a, n_x))
    dWaa = np.zeros((n_a, n_a))
    dba = np.zeros((n_a, 1))
    da_prevt = np.zeros((n_a, m))
    for t in range(T_x):
        gradients = rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])
        da_prevt = gradients["da_prev"]
        dx[:, :, t] = gradients["dxt"]
        dWax = dWax + gradients["dWax"]
        dWaa = dWaa + gradients["dWaa"]
        dba = dba + gradients["dba"]
    return {"dx": dx, "da0": np.array(da_prevt, dtype=float), "dWax": dWax, "dWaa": dWaa, "dba": dba}


def rnn_backward__da0_is_da(da, caches):
    """rnn_backward returning the whole upstream gradient da as da0: shape (n_a, m, T_x)
    instead of (n_a, m), the gradient that leaves the first step."""
    (caches, x) = caches
    (a1, a0, x1, parameters) = caches[0]
    n_a, m, T_x = da.shape
    n_x, m = x1.shape
    dx = np.zeros((n_x, m, T_x))
    dWax = np.zeros((n_a, n_x))
    dWaa = np.zeros((n_a, n_a))
    dba = np.zeros((n_a, 1))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        gradients = rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])
        da_prevt = gradients["da_prev"]
        dx[:, :, t] = gradients["dxt"]
        dWax = dWax + gradients["dWax"]
        dWaa = dWaa + gradients["dWaa"]
        dba = dba + gradients["dba"]
    return {"dx": dx, "da0": np.array(da, dtype=float), "dWax": dWax, "dWaa": dWaa, "dba": dba}


def rnn_backward__da0_is_first_upstream(da, caches):
    """rnn_backward returning da[:, :, 0], the upstream gradient given to the first step, as da0,
    instead of the gradient that leaves that step (da_prevt after the loop).  Shapes as the
    reference."""
    (caches, x) = caches
    (a1, a0, x1, parameters) = caches[0]
    n_a, m, T_x = da.shape
    n_x, m = x1.shape
    dx = np.zeros((n_x, m, T_x))
    dWax = np.zeros((n_a, n_x))
    dWaa = np.zeros((n_a, n_a))
    dba = np.zeros((n_a, 1))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        gradients = rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])
        da_prevt = gradients["da_prev"]
        dx[:, :, t] = gradients["dxt"]
        dWax = dWax + gradients["dWax"]
        dWaa = dWaa + gradients["dWaa"]
        dba = dba + gradients["dba"]
    return {"dx": dx, "da0": np.array(da[:, :, 0], dtype=float), "dWax": dWax, "dWaa": dWaa, "dba": dba}


def rnn_backward__first_step_skipped(da, caches):
    """rnn_backward looping over reversed(range(1, T_x)): step 0 is never differentiated (dx stays
    zero there, the sums lack its share) and da0 is the gradient that leaves step 1 (zeros when
    T_x = 1, where the loop never runs).  Shapes as the reference."""
    (caches, x) = caches
    (a1, a0, x1, parameters) = caches[0]
    n_a, m, T_x = da.shape
    n_x, m = x1.shape
    dx = np.zeros((n_x, m, T_x))
    dWax = np.zeros((n_a, n_x))
    dWaa = np.zeros((n_a, n_a))
    dba = np.zeros((n_a, 1))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(1, T_x)):
        gradients = rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])
        da_prevt = gradients["da_prev"]
        dx[:, :, t] = gradients["dxt"]
        dWax = dWax + gradients["dWax"]
        dWaa = dWaa + gradients["dWaa"]
        dba = dba + gradients["dba"]
    return {"dx": dx, "da0": np.array(da_prevt, dtype=float), "dWax": dWax, "dWaa": dWaa, "dba": dba}


def rnn_backward__da0_not_set(da, caches):
    """rnn_backward that never sets da0 from the loop: it stays the zeros it was made as.  Shapes
    as the reference."""
    (caches, x) = caches
    (a1, a0, x1, parameters) = caches[0]
    n_a, m, T_x = da.shape
    n_x, m = x1.shape
    dx = np.zeros((n_x, m, T_x))
    dWax = np.zeros((n_a, n_x))
    dWaa = np.zeros((n_a, n_a))
    dba = np.zeros((n_a, 1))
    da0 = np.zeros((n_a, m))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        gradients = rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])
        da_prevt = gradients["da_prev"]
        dx[:, :, t] = gradients["dxt"]
        dWax = dWax + gradients["dWax"]
        dWaa = dWaa + gradients["dWaa"]
        dba = dba + gradients["dba"]
    return {"dx": dx, "da0": da0, "dWax": dWax, "dWaa": dWaa, "dba": dba}


def rnn_backward__dx_wrong_index(da, caches):
    """rnn_backward storing step t's dxt at index t-1 (the same as the reference when T_x = 1)."""
    (caches, x) = caches
    (a1, a0, x1, parameters) = caches[0]
    n_a, m, T_x = da.shape
    n_x, m = x1.shape
    dx = np.zeros((n_x, m, T_x))
    dWax = np.zeros((n_a, n_x))
    dWaa = np.zeros((n_a, n_a))
    dba = np.zeros((n_a, 1))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        gradients = rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])
        da_prevt = gradients["da_prev"]
        dx[:, :, t - 1] = gradients["dxt"]
        dWax = dWax + gradients["dWax"]
        dWaa = dWaa + gradients["dWaa"]
        dba = dba + gradients["dba"]
    return {"dx": dx, "da0": np.array(da_prevt, dtype=float), "dWax": dWax, "dWaa": dWaa, "dba": dba}


def rnn_backward__last_step_skipped(da, caches):
    """rnn_backward looping over reversed(range(T_x - 1)): the last step is never differentiated
    (dx stays zero there, the sums lack its share, and no gradient comes back from it; every
    output zeros when T_x = 1).  Shapes as the reference."""
    (caches, x) = caches
    (a1, a0, x1, parameters) = caches[0]
    n_a, m, T_x = da.shape
    n_x, m = x1.shape
    dx = np.zeros((n_x, m, T_x))
    dWax = np.zeros((n_a, n_x))
    dWaa = np.zeros((n_a, n_a))
    dba = np.zeros((n_a, 1))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x - 1)):
        gradients = rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])
        da_prevt = gradients["da_prev"]
        dx[:, :, t] = gradients["dxt"]
        dWax = dWax + gradients["dWax"]
        dWaa = dWaa + gradients["dWaa"]
        dba = dba + gradients["dba"]
    return {"dx": dx, "da0": np.array(da_prevt, dtype=float), "dWax": dWax, "dWaa": dWaa, "dba": dba}


# ========================================================================= lstm_cell_backward


def _lstm_cell_gradients(dft, dit, dcct, dot, dc_prev, cache):
    """Reference products of lstm_cell_backward from the gate pre-activation gradients (each (n_a, m))."""
    (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters) = cache
    n_a = a_next.shape[0]
    concat = np.concatenate((a_prev, xt), axis=0)
    dconcat = (np.dot(parameters["Wf"].T, dft) + np.dot(parameters["Wi"].T, dit)
               + np.dot(parameters["Wc"].T, dcct) + np.dot(parameters["Wo"].T, dot))
    return {
        "dxt": dconcat[n_a:, :],
        "da_prev": dconcat[:n_a, :],
        "dc_prev": dc_prev,
        "dWf": np.dot(dft, concat.T),
        "dbf": np.sum(dft, axis=1, keepdims=True),
        "dWi": np.dot(dit, concat.T),
        "dbi": np.sum(dit, axis=1, keepdims=True),
        "dWc": np.dot(dcct, concat.T),
        "dbc": np.sum(dcct, axis=1, keepdims=True),
        "dWo": np.dot(dot, concat.T),
        "dbo": np.sum(dot, axis=1, keepdims=True),
    }


def lstm_cell_backward__no_tanh_derivative_on_c(da_next, dc_next, cache):
    """lstm_cell_backward with dc = dc_next + da_next * ot (the (1 - tanh(c_next)**2) factor forgotten)."""
    (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters) = cache
    dc = dc_next + da_next * ot
    dot = da_next * np.tanh(c_next) * ot * (1.0 - ot)
    return _lstm_cell_gradients(dc * c_prev * ft * (1.0 - ft), dc * cct * it * (1.0 - it),
                                dc * it * (1.0 - cct ** 2), dot, dc * ft, cache)


def lstm_cell_backward__dot_without_tanh(da_next, dc_next, cache):
    """lstm_cell_backward with dot = da_next * c_next * ot * (1 - ot) (c_next where tanh(c_next) belongs)."""
    (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters) = cache
    dc = dc_next + da_next * ot * (1.0 - np.tanh(c_next) ** 2)
    dot = da_next * c_next * ot * (1.0 - ot)
    return _lstm_cell_gradients(dc * c_prev * ft * (1.0 - ft), dc * cct * it * (1.0 - it),
                                dc * it * (1.0 - cct ** 2), dot, dc * ft, cache)


def lstm_cell_backward__dc_prev_without_ft(da_next, dc_next, cache):
    """lstm_cell_backward with dc_prev = dc (not multiplied by the forget gate ft).  Shapes as the reference."""
    (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters) = cache
    dc = dc_next + da_next * ot * (1.0 - np.tanh(c_next) ** 2)
    dot = da_next * np.tanh(c_next) * ot * (1.0 - ot)
    return _lstm_cell_gradients(dc * c_prev * ft * (1.0 - ft), dc * cct * it * (1.0 - it),
                                dc * it * (1.0 - cct ** 2), dot, np.array(dc, dtype=float), cache)


def lstm_cell_backward__dc_next_ignored(da_next, dc_next, cache):
    """lstm_cell_backward with dc = da_next * ot * (1 - tanh(c_next)**2): the incoming dc_next is dropped."""
    (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters) = cache
    dc = da_next * ot * (1.0 - np.tanh(c_next) ** 2)
    dot = da_next * np.tanh(c_next) * ot * (1.0 - ot)
    return _lstm_cell_gradients(dc * c_prev * ft * (1.0 - ft), dc * cct * it * (1.0 - it),
                                dc * it * (1.0 - cct ** 2), dot, dc * ft, cache)


# ============================================================================== lstm_backward


def lstm_backward__no_recurrent_gradient(da, caches):
    """lstm_backward passing da[:, :, t] alone as da_next, da_prevt dropped (the same when T_x = 1)."""
    (caches, x) = caches
    n_a, m, T_x = da.shape
    n_x = caches[0][8].shape[0]
    dx = np.zeros((n_x, m, T_x))
    da_prevt = np.zeros((n_a, m))
    dc_prevt = np.zeros((n_a, m))
    sums = {}
    for t in reversed(range(T_x)):
        gradients = lstm_cell_backward(da[:, :, t], dc_prevt, caches[t])
        dx[:, :, t] = gradients["dxt"]
        da_prevt = gradients["da_prev"]
        dc_prevt = gradients["dc_prev"]
        for key in ("dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo"):
            sums[key] = sums[key] + gradients[key] if key in sums else np.array(gradients[key], dtype=float)
    return dict({"dx": dx, "da0": np.array(da_prevt, dtype=float)}, **sums)


def lstm_backward__dc_not_carried(da, caches):
    """lstm_backward passing zeros as dc_next at every step (the same as the reference when T_x = 1)."""
    (caches, x) = caches
    n_a, m, T_x = da.shape
    n_x = caches[0][8].shape[0]
    dx = np.zeros((n_x, m, T_x))
    da_prevt = np.zeros((n_a, m))
    sums = {}
    for t in reversed(range(T_x)):
        gradients = lstm_cell_backward(da[:, :, t] + da_prevt, np.zeros((n_a, m)), caches[t])
        dx[:, :, t] = gradients["dxt"]
        da_prevt = gradients["da_prev"]
        for key in ("dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo"):
            sums[key] = sums[key] + gradients[key] if key in sums else np.array(gradients[key], dtype=float)
    return dict({"dx": dx, "da0": np.array(da_prevt, dtype=float)}, **sums)


def lstm_backward__not_accumulated(da, caches):
    """lstm_backward overwriting the gate gradients at each step: only step 0's share survives (same when T_x = 1)."""
    (caches, x) = caches
    n_a, m, T_x = da.shape
    n_x = caches[0][8].shape[0]
    dx = np.zeros((n_x, m, T_x))
    da_prevt = np.zeros((n_a, m))
    dc_prevt = np.zeros((n_a, m))
    last = {}
    for t in reversed(range(T_x)):
        gradients = lstm_cell_backward(da[:, :, t] + da_prevt, dc_prevt, caches[t])
        dx[:, :, t] = gradients["dxt"]
        da_prevt = gradients["da_prev"]
        dc_prevt = gradients["dc_prev"]
        for key in ("dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo"):
            last[key] = np.array(gradients[key], dtype=float)
    return dict({"dx": dx, "da0": np.array(da_prevt, dtype=float)}, **last)


def lstm_backward__dx_not_stored(da, caches):
    """lstm_backward that never writes dx: it stays zeros.  Shapes as the reference."""
    (caches, x) = caches
    n_a, m, T_x = da.shape
    n_x = caches[0][8].shape[0]
    dx = np.zeros((n_x, m, T_x))
    da_prevt = np.zeros((n_a, m))
    dc_prevt = np.zeros((n_a, m))
    sums = {}
    for t in reversed(range(T_x)):
        gradients = lstm_cell_backward(da[:, :, t] + da_prevt, dc_prevt, caches[t])
        da_prevt = gradients["da_prev"]
        dc_prevt = gradients["dc_prev"]
        for key in ("dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo"):
            sums[key] = sums[key] + gradients[key] if key in sums else np.array(gradients[key], dtype=float)
    return dict({"dx": dx, "da0": np.array(da_prevt, dtype=float)}, **sums)


# ==================================================================================== catalog


_CATALOG = [
    # rnn_cell_forward
    ("rnn_cell_forward/no_ba", rnn_cell_forward__no_ba,
     "Your hidden state leaves out the bias `ba`: compute `a_next = np.tanh(np.dot(Waa, a_prev) + "
     "np.dot(Wax, xt) + ba)`."),
    ("rnn_cell_forward/ba_outside_tanh", rnn_cell_forward__ba_outside_tanh,
     "The bias `ba` is added after the tanh: it belongs inside it, `a_next = np.tanh(np.dot(Waa, a_prev) + "
     "np.dot(Wax, xt) + ba)`."),
    ("rnn_cell_forward/no_by", rnn_cell_forward__no_by,
     "Your prediction leaves out the output bias `by`: compute `yt_pred = softmax(np.dot(Wya, a_next) + "
     "by)`."),
    ("rnn_cell_forward/sigmoid_activation", rnn_cell_forward__sigmoid_activation,
     "The RNN cell's hidden state uses a sigmoid where it needs tanh: compute `a_next` with `np.tanh`."),
    ("rnn_cell_forward/no_tanh", rnn_cell_forward__no_tanh,
     "`a_next` leaves out the tanh: `a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)`, whose "
     "values lie between -1 and 1."),
    ("rnn_cell_forward/relu_activation", rnn_cell_forward__relu_activation,
     "`a_next` uses a ReLU (`np.maximum(0, ...)`); the RNN cell's activation is tanh: "
     "`a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)`."),
    ("rnn_cell_forward/y_from_preactivation", rnn_cell_forward__y_from_preactivation,
     "The prediction is made from the sum inside the tanh, not from `a_next`: compute "
     "`yt_pred = softmax(np.dot(Wya, a_next) + by)` after `a_next = np.tanh(...)`."),
    ("rnn_cell_forward/softmax_axis1", rnn_cell_forward__softmax_axis1,
     "Your softmax normalises across the examples (`axis=1`); each column is one example and must sum to "
     "1, so normalise over axis 0, as the provided `softmax` does."),
    ("rnn_cell_forward/softmax_whole_array", rnn_cell_forward__softmax_whole_array,
     "Your softmax normalises the whole matrix at once (`scipy.special.softmax` does without `axis=0`); "
     "each column is one example and must sum to 1: use the provided `softmax`."),
    ("rnn_cell_forward/transposed_Waa", rnn_cell_forward__transposed_Waa,
     "You multiply `a_prev` by the transpose of `Waa`; use `np.dot(Waa, a_prev)` without transposing."),
    ("rnn_cell_forward/cache_order", rnn_cell_forward__cache_order,
     "Your cache is in another order: store it as `(a_next, a_prev, xt, parameters)`, the order "
     "`rnn_cell_backward` unpacks."),
    ("rnn_cell_forward/cache_without_x", rnn_cell_forward__cache_without_x,
     "Your cache leaves out the input `xt`: store `cache = (a_next, a_prev, xt, parameters)`, the four "
     "values `rnn_cell_backward` unpacks."),
    ("rnn_cell_forward/cache_x_first", rnn_cell_forward__cache_x_first,
     "Your cache puts the input `xt` first: store `cache = (a_next, a_prev, xt, parameters)`, the order "
     "`rnn_cell_backward` unpacks."),
    ("rnn_cell_forward/y_from_a_prev", rnn_cell_forward__y_from_a_prev,
     "The prediction should come from the new hidden state `a_next`, not `a_prev`: `yt_pred = "
     "softmax(np.dot(Wya, a_next) + by)`."),
    ("rnn_cell_forward/no_softmax", rnn_cell_forward__no_softmax,
     "Your prediction is the raw scores `np.dot(Wya, a_next) + by`: pass them through the softmax, "
     "`yt_pred = softmax(np.dot(Wya, a_next) + by)`, so that each column is a probability distribution."),
    ("rnn_cell_forward/sigmoid_output", rnn_cell_forward__sigmoid_output,
     "The prediction uses a sigmoid; the RNN cell predicts with a softmax over the `n_y` classes: `yt_pred "
     "= softmax(np.dot(Wya, a_next) + by)`."),
    # rnn_forward
    ("rnn_forward/a0_every_step", rnn_forward__a0_every_step,
     "Every step is given `a0` instead of the previous hidden state: keep the `a_next` that "
     "`rnn_cell_forward` returns and pass it to the next step."),
    ("rnn_forward/y_not_stored", rnn_forward__y_not_stored,
     "Your predictions `y` stay zero: store each step's `yt_pred` in `y[:, :, t]`."),
    ("rnn_forward/y_wrong_index", rnn_forward__y_wrong_index,
     "Each step's prediction lands one slot early: store the prediction of step `t` in `y[:, :, t]`."),
    ("rnn_forward/caches_without_x", rnn_forward__caches_without_x,
     "Your third return value is the list of caches alone: return `caches = (caches, x)`, the pair "
     "`rnn_backward` unpacks."),
    ("rnn_forward/caches_of_none", rnn_forward__caches_of_none,
     "Your caches hold `None`: at each step, append the cache that `rnn_cell_forward` returns "
     "(`caches.append(cache)`)."),
    ("rnn_forward/len_of_x", rnn_forward__len_of_x,
     "`len(x)` is `n_x`, the size of `x`'s first axis, not the number of time steps: loop with `for t in "
     "range(T_x)`, where `n_x, m, T_x = x.shape`."),
    ("rnn_forward/last_step_skipped", rnn_forward__last_step_skipped,
     "The loop stops before the last step, so it is never computed (`a` and `y` stay zero there): loop "
     "over every step, `for t in range(T_x)`."),
    ("rnn_forward/a_from_zeros", rnn_forward__a_from_zeros,
     "The hidden state starts from zeros, but it must start from the given `a0`: set `a_next = a0` before "
     "the loop."),
    ("rnn_forward/first_step_skipped", rnn_forward__first_step_skipped,
     "The loop starts at step 1, so step 0 is never computed (`a` and `y` stay zero there): loop over "
     "every step, `for t in range(T_x)`."),
    ("rnn_forward/first_step_skipped_from_slice", rnn_forward__first_step_skipped_from_slice,
     "The loop starts at step 1, so step 0 is never computed and step 1 reads the zeros of `a[:, :, 0]`: "
     "loop over every step, `for t in range(T_x)`, and pass `a_next` (`a0` at the first step), not `a[:, "
     ":, t - 1]`."),
    # lstm_cell_forward
    ("lstm_cell_forward/cct_sigmoid", lstm_cell_forward__cct_sigmoid,
     "The candidate value `cct` uses a sigmoid; it needs tanh: `cct = np.tanh(np.dot(Wc, concat) + bc)`."),
    ("lstm_cell_forward/no_tanh_on_c", lstm_cell_forward__no_tanh_on_c,
     "`a_next` must squash the memory through tanh: compute `a_next = ot * np.tanh(c_next)`, not `ot * "
     "c_next`."),
    ("lstm_cell_forward/gates_swapped", lstm_cell_forward__gates_swapped,
     "The forget and update gates are exchanged: `c_next = ft * c_prev + it * cct` (the forget gate `ft` "
     "multiplies the old memory)."),
    ("lstm_cell_forward/forget_gate_twice", lstm_cell_forward__forget_gate_twice,
     "The candidate value is multiplied by the forget gate; it is the update gate's to scale: `c_next = ft "
     "* c_prev + it * cct`."),
    ("lstm_cell_forward/ot_tanh", lstm_cell_forward__ot_tanh,
     "The output gate `ot` uses tanh; a gate needs a sigmoid: `ot = sigmoid(np.dot(Wo, concat) + bo)`."),
    ("lstm_cell_forward/ft_tanh", lstm_cell_forward__ft_tanh,
     "The forget gate `ft` uses tanh; a gate needs a sigmoid, so that it lies between 0 and 1: `ft = "
     "sigmoid(np.dot(Wf, concat) + bf)`."),
    ("lstm_cell_forward/it_tanh", lstm_cell_forward__it_tanh,
     "The update gate `it` uses tanh; a gate needs a sigmoid, so that it lies between 0 and 1: `it = "
     "sigmoid(np.dot(Wi, concat) + bi)`."),
    ("lstm_cell_forward/it_with_bf", lstm_cell_forward__it_with_bf,
     "The update gate adds the forget gate's bias `bf`; it has its own: `it = sigmoid(np.dot(Wi, concat) + "
     "bi)`."),
    ("lstm_cell_forward/ft_bias_outside", lstm_cell_forward__ft_bias_outside,
     "The forget gate's bias `bf` is added after the sigmoid: it belongs inside it, `ft = "
     "sigmoid(np.dot(Wf, concat) + bf)`."),
    ("lstm_cell_forward/biases_outside", lstm_cell_forward__biases_outside,
     "The biases are added after the sigmoid (and the tanh); each belongs inside: `ft = sigmoid(np.dot(Wf, "
     "concat) + bf)`, and the same for `it`, `cct = np.tanh(np.dot(Wc, concat) + bc)` and `ot`."),
    ("lstm_cell_forward/c_from_a_prev", lstm_cell_forward__c_from_a_prev,
     "The forget gate multiplies the previous hidden state `a_prev`; it keeps the previous memory: `c_next "
     "= ft * c_prev + it * cct`."),
    ("lstm_cell_forward/a_from_c_prev", lstm_cell_forward__a_from_c_prev,
     "`a_next` squashes the previous memory `c_prev`; it needs the new one: `a_next = ot * "
     "np.tanh(c_next)`."),
    ("lstm_cell_forward/concat_x_first", lstm_cell_forward__concat_x_first,
     "Concatenate the previous hidden state first: `concat = np.concatenate((a_prev, xt), axis=0)`, the "
     "order the weight matrices expect."),
    ("lstm_cell_forward/concat_unfilled", lstm_cell_forward__concat_unfilled,
     "The concatenation is made but never filled: after `concat = np.zeros((n_a + n_x, m))`, write "
     "`concat[:n_a, :] = a_prev` and `concat[n_a:, :] = xt` (or `concat = np.concatenate((a_prev, xt), "
     "axis=0)`)."),
    ("lstm_cell_forward/cache_order", lstm_cell_forward__cache_order,
     "Your cache is in another order: store `(a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, "
     "parameters)`, the order `lstm_cell_backward` unpacks."),
    ("lstm_cell_forward/cache_without_x", lstm_cell_forward__cache_without_x,
     "Your cache leaves out the input `xt`: store `(a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, "
     "parameters)`, the ten values `lstm_cell_backward` unpacks."),
    ("lstm_cell_forward/cache_x_first", lstm_cell_forward__cache_x_first,
     "Your cache puts the input `xt` first: store `(a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, "
     "parameters)`, the order `lstm_cell_backward` unpacks."),
    ("lstm_cell_forward/y_from_c", lstm_cell_forward__y_from_c,
     "The prediction should come from the hidden state, not the memory: `yt_pred = softmax(np.dot(Wy, "
     "a_next) + by)`."),
    ("lstm_cell_forward/sigmoid_output", lstm_cell_forward__sigmoid_output,
     "The prediction uses a sigmoid; the LSTM cell predicts with a softmax: `yt_pred = softmax(np.dot(Wy, "
     "a_next) + by)`."),
    ("lstm_cell_forward/no_by", lstm_cell_forward__no_by,
     "Your prediction leaves out the output bias `by`: compute `yt_pred = softmax(np.dot(Wy, a_next) + "
     "by)`."),
    ("lstm_cell_forward/no_output_gate", lstm_cell_forward__no_output_gate,
     "`a_next` leaves out the output gate: `a_next = ot * np.tanh(c_next)`, the gate `ot` scaling the "
     "squashed memory."),
    ("lstm_cell_forward/tanh_of_gated", lstm_cell_forward__tanh_of_gated,
     "The output gate is inside the tanh; it scales the squashed memory: `a_next = ot * np.tanh(c_next)`, "
     "not `np.tanh(ot * c_next)`."),
    ("lstm_cell_forward/sigmoid_on_c", lstm_cell_forward__sigmoid_on_c,
     "`a_next` squashes the memory with a sigmoid; it needs tanh: `a_next = ot * np.tanh(c_next)`."),
    ("lstm_cell_forward/no_update_gate", lstm_cell_forward__no_update_gate,
     "The candidate `cct` is added to the memory without the update gate: `c_next = ft * c_prev + it * "
     "cct`."),
    ("lstm_cell_forward/cct_bias_outside", lstm_cell_forward__cct_bias_outside,
     "The candidate's bias `bc` is added after the tanh: it belongs inside it, `cct = np.tanh(np.dot(Wc, "
     "concat) + bc)`."),
    ("lstm_cell_forward/ot_with_Wf", lstm_cell_forward__ot_with_Wf,
     "The output gate is made with the forget gate's weights `Wf`; it has its own: `ot = "
     "sigmoid(np.dot(Wo, concat) + bo)`."),
    ("lstm_cell_forward/softmax_axis1", lstm_cell_forward__softmax_axis1,
     "Your softmax normalises across the examples (`axis=1`); each column is one example and must sum to "
     "1, so normalise over axis 0, as the provided `softmax` does."),
    ("lstm_cell_forward/y_from_a_prev", lstm_cell_forward__y_from_a_prev,
     "The prediction is made from the previous hidden state `a_prev`; it needs this step's: `yt_pred = "
     "softmax(np.dot(Wy, a_next) + by)`."),
    ("lstm_cell_forward/a_from_cct", lstm_cell_forward__a_from_cct,
     "`a_next` squashes the candidate `cct`; it needs the new memory: `a_next = ot * np.tanh(c_next)`."),
    ("lstm_cell_forward/update_gate_added", lstm_cell_forward__update_gate_added,
     "The update gate is added to the candidate; it multiplies it: `c_next = ft * c_prev + it * cct`."),
    # lstm_forward
    ("lstm_forward/a_from_zeros", lstm_forward__a_from_zeros,
     "The hidden state starts from zeros, but it must start from the given `a0`: set `a_next = a0` before "
     "the loop (only the memory `c` starts from zeros)."),
    ("lstm_forward/c0_from_a0", lstm_forward__c0_from_a0,
     "The memory starts from `a0`, but `c0` must be zeros: set `c_next = np.zeros((n_a, m))` before the "
     "loop."),
    ("lstm_forward/c_not_carried", lstm_forward__c_not_carried,
     "The memory is reset at every step: pass the `c_next` of the previous step as `c_prev` to "
     "`lstm_cell_forward`."),
    ("lstm_forward/c_not_stored", lstm_forward__c_not_stored,
     "Your memory states `c` stay zero: store each step's `c_next` in `c[:, :, t]`."),
    ("lstm_forward/c_stored_as_a", lstm_forward__c_stored_as_a,
     "Your hidden states `a` hold the memory states: store each step's `a_next` in `a[:, :, t]` (and its "
     "`c_next` in `c[:, :, t]`)."),
    ("lstm_forward/a0_every_step", lstm_forward__a0_every_step,
     "Every step is given `a0` instead of the previous hidden state: keep the `a_next` that "
     "`lstm_cell_forward` returns and pass it to the next step."),
    ("lstm_forward/first_step_skipped", lstm_forward__first_step_skipped,
     "The loop starts at step 1, so step 0 is never computed (`a`, `y` and `c` stay zero there): loop over "
     "every step, `for t in range(T_x)`."),
    ("lstm_forward/first_step_skipped_from_slices", lstm_forward__first_step_skipped_from_slices,
     "The loop starts at step 1, so step 0 is never computed and step 1 reads the zeros of `a[:, :, 0]` "
     "and `c[:, :, 0]`: loop over every step, `for t in range(T_x)`, and pass `a_next` and `c_next` (`a0` "
     "and zeros first)."),
    ("lstm_forward/y_not_stored", lstm_forward__y_not_stored,
     "Your predictions `y` stay zero: store each step's `yt` in `y[:, :, t]`."),
    ("lstm_forward/a_not_stored", lstm_forward__a_not_stored,
     "Your hidden states `a` stay zero: store each step's `a_next` in `a[:, :, t]`."),
    ("lstm_forward/a_stored_as_c", lstm_forward__a_stored_as_c,
     "Your memory states `c` hold the hidden states: store each step's `c_next` in `c[:, :, t]` (and its "
     "`a_next` in `a[:, :, t]`)."),
    ("lstm_forward/y_wrong_index", lstm_forward__y_wrong_index,
     "Each step's prediction lands one slot early: store the prediction of step `t` in `y[:, :, t]`."),
    ("lstm_forward/caches_without_x", lstm_forward__caches_without_x,
     "Your fourth return value is the list of caches alone: return `caches = (caches, x)`, the pair "
     "`lstm_backward` unpacks."),
    ("lstm_forward/caches_of_none", lstm_forward__caches_of_none,
     "Your caches hold `None`: at each step, append the cache that `lstm_cell_forward` returns "
     "(`caches.append(cache)`)."),
    ("lstm_forward/last_step_skipped", lstm_forward__last_step_skipped,
     "The loop stops before the last step, so it is never computed (`a`, `y` and `c` stay zero there): "
     "loop over every step, `for t in range(T_x)`."),
    ("lstm_forward/len_of_x", lstm_forward__len_of_x,
     "`len(x)` is `n_x`, the size of `x`'s first axis, not the number of time steps: loop with `for t in "
     "range(T_x)`, where `n_x, m, T_x = x.shape`."),
    # rnn_cell_backward
    ("rnn_cell_backward/tanh_applied_twice", rnn_cell_backward__tanh_applied_twice,
     "`a_next` is already `tanh(u)`, so the tanh derivative is `(1 - a_next**2)`; `(1 - "
     "np.tanh(a_next)**2)` applies tanh a second time."),
    ("rnn_cell_backward/no_tanh_derivative", rnn_cell_backward__no_tanh_derivative,
     "The gradient skips the tanh derivative: multiply `da_next` by `(1 - a_next**2)` before the matrix "
     "products."),
    ("rnn_cell_backward/dba_wrong_axis", rnn_cell_backward__dba_wrong_axis,
     "`dba` is summed over the wrong axis: sum over the examples, `np.sum(dtanh, axis=1, keepdims=True)`, "
     "so it has the shape `(n_a, 1)` of `ba`."),
    ("rnn_cell_backward/dba_no_keepdims", rnn_cell_backward__dba_no_keepdims,
     "`dba`'s values are right, the sum over the examples (axis 1) of `dtanh`: only the axis of size 1 "
     "that `ba` has is lost in the sum."),
    ("rnn_cell_backward/untransposed_Waa", rnn_cell_backward__untransposed_Waa,
     "`da_prev` needs the transpose of `Waa`: `da_prev = np.dot(Waa.T, dtanh)`."),
    ("rnn_cell_backward/dba_mean", rnn_cell_backward__dba_mean,
     "`dba` is the sum of `dtanh` over the examples, not their mean: use `np.sum(dtanh, axis=1, "
     "keepdims=True)` (`np.mean` divides it by the number of examples `m`)."),
    ("rnn_cell_backward/tanh_of_square", rnn_cell_backward__tanh_of_square,
     "`a_next` is already `tanh(u)`, so the tanh derivative is `(1 - a_next**2)`; `(1 - "
     "np.tanh(a_next**2))` applies tanh a second time, to the square."),
    ("rnn_cell_backward/square_forgotten", rnn_cell_backward__square_forgotten,
     "`a_next` is already `tanh(u)`, so the tanh derivative is `(1 - a_next**2)`; `(1 - np.tanh(a_next))` "
     "applies tanh a second time and leaves out the square."),
    ("rnn_cell_backward/da_next_forgotten", rnn_cell_backward__da_next_forgotten,
     "`dtanh` is the tanh derivative alone: multiply it by the gradient that comes in, `dtanh = (1 - "
     "a_next**2) * da_next` (the chain rule)."),
    ("rnn_cell_backward/one_minus_forgotten", rnn_cell_backward__one_minus_forgotten,
     "The tanh derivative is `(1 - a_next**2)`; multiplying by `a_next**2` alone leaves out the one minus: "
     "`dtanh = (1 - a_next**2) * da_next`."),
    ("rnn_cell_backward/square_of_one_minus", rnn_cell_backward__square_of_one_minus,
     "The tanh derivative squares `a_next` alone: `(1 - a_next**2)`, not `(1 - a_next)**2`; `dtanh = (1 - "
     "a_next**2) * da_next`."),
    ("rnn_cell_backward/dWaa_from_a_next", rnn_cell_backward__dWaa_from_a_next,
     "`dWaa` multiplies `dtanh` by the previous hidden state, the input of this step: `dWaa = "
     "np.dot(dtanh, a_prev.T)`, not `a_next.T`."),
    ("rnn_cell_backward/dtanh_from_a_prev", rnn_cell_backward__dtanh_from_a_prev,
     "The tanh derivative is taken at `a_prev`; this step's tanh is `a_next`: `dtanh = (1 - a_next**2) * "
     "da_next`."),
    ("rnn_cell_backward/dba_axis0_no_keepdims", rnn_cell_backward__dba_axis0_no_keepdims,
     "`dba` is summed over the units (axis 0) and lost an axis: sum over the examples, `np.sum(dtanh, "
     "axis=1, keepdims=True)`, so it has the shape `(n_a, 1)` of `ba`."),
    # rnn_backward
    ("rnn_backward/no_recurrent_gradient", rnn_backward__no_recurrent_gradient,
     "The gradient coming back from later steps is dropped: pass `da[:, :, t] + da_prevt` to "
     "`rnn_cell_backward`, where `da_prevt` is the `da_prev` of the step after."),
    ("rnn_backward/not_accumulated", rnn_backward__not_accumulated,
     "The weight gradients are overwritten at every step; add them up over time: `dWax += dWaxt` (and the "
     "same for `dWaa` and `dba`)."),
    ("rnn_backward/sums_stay_zero", rnn_backward__sums_stay_zero,
     "A gradient sum stays zero: add each step's gradient to it (`dWax += dWaxt`, `dWaa += dWaat`, `dba += "
     "dbat`), not the sum to itself (`dWaa += dWaa`)."),
    ("rnn_backward/dx_not_stored", rnn_backward__dx_not_stored,
     "`dx` stays zero: store each step's `dxt` in `dx[:, :, t]`."),
    ("rnn_backward/forward_in_time", rnn_backward__forward_in_time,
     "Backpropagation through time runs from the last step to the first: loop over `reversed(range(T_x))`."),
    ("rnn_backward/first_step_skipped", rnn_backward__first_step_skipped,
     "The loop stops before step 0, so it is never differentiated (`dx` stays zero there, the sums lack "
     "its share, and `da0` is not the gradient leaving it): loop over `reversed(range(T_x))`."),
    ("rnn_backward/da0_is_da", rnn_backward__da0_is_da,
     "`da0` is the gradient that leaves the first step, not the upstream gradient `da`: after the loop, "
     "set `da0 = da_prevt`, of shape `(n_a, m)`."),
    ("rnn_backward/da0_is_first_upstream", rnn_backward__da0_is_first_upstream,
     "`da0` is the gradient that leaves the first step, not the upstream gradient given to it (`da[:, :, "
     "0]`): after the loop, set `da0 = da_prevt`, the `da_prev` the first step returned."),
    ("rnn_backward/da0_not_set", rnn_backward__da0_not_set,
     "`da0` stays zero: it is the gradient that leaves the first step, the `da_prev` that step's "
     "`rnn_cell_backward` returns (kept in `da_prevt`): after the loop, set `da0 = da_prevt`."),
    ("rnn_backward/dx_wrong_index", rnn_backward__dx_wrong_index,
     "Each step's `dxt` lands one slot early: store the gradient of step `t` in `dx[:, :, t]`."),
    ("rnn_backward/last_step_skipped", rnn_backward__last_step_skipped,
     "The loop starts before the last step, so it is never differentiated (`dx` stays zero there and the "
     "sums lack its share): loop over `reversed(range(T_x))`."),
    # lstm_cell_backward
    ("lstm_cell_backward/no_tanh_derivative_on_c", lstm_cell_backward__no_tanh_derivative_on_c,
     "The gradient from `a_next` into the memory misses the tanh derivative: use `dc_next + da_next * ot * "
     "(1 - np.tanh(c_next)**2)`."),
    ("lstm_cell_backward/dot_without_tanh", lstm_cell_backward__dot_without_tanh,
     "The output-gate gradient needs `tanh(c_next)`, not `c_next`: `dot = da_next * np.tanh(c_next) * ot * "
     "(1 - ot)`."),
    ("lstm_cell_backward/dc_prev_without_ft", lstm_cell_backward__dc_prev_without_ft,
     "`dc_prev` must pass through the forget gate: multiply the memory gradient by `ft`."),
    ("lstm_cell_backward/dc_next_ignored", lstm_cell_backward__dc_next_ignored,
     "The incoming memory gradient `dc_next` is dropped: add it to the gradient reaching `c_next` before "
     "computing the gate gradients and `dc_prev`."),
    # lstm_backward
    ("lstm_backward/no_recurrent_gradient", lstm_backward__no_recurrent_gradient,
     "The hidden-state gradient coming back from later steps is dropped: pass `da[:, :, t] + da_prevt` as "
     "`da_next` to `lstm_cell_backward`."),
    ("lstm_backward/dc_not_carried", lstm_backward__dc_not_carried,
     "The memory gradient is not carried back: pass the `dc_prev` of the step after as `dc_next` to "
     "`lstm_cell_backward`."),
    ("lstm_backward/not_accumulated", lstm_backward__not_accumulated,
     "The gate gradients are overwritten at every step; add them up over time (`dWf += ...`, and so on for "
     "every weight and bias)."),
    ("lstm_backward/dx_not_stored", lstm_backward__dx_not_stored,
     "`dx` stays zero: store each step's `dxt` in `dx[:, :, t]`."),
]

MUTANTS = types.MappingProxyType({
    mutant_id: Mutant(id=mutant_id, function=mutant_id.split("/")[0], message=message, fn=fn)
    for mutant_id, fn, message in _CATALOG
})
"""Mutant id -> Mutant, in catalog order (grouped by function)."""

SAME_WHEN_ONE_STEP = frozenset({
    "rnn_forward/a0_every_step", "rnn_forward/y_wrong_index",
    "lstm_forward/c_not_carried", "lstm_forward/a0_every_step", "lstm_forward/y_wrong_index",
    "rnn_backward/no_recurrent_gradient", "rnn_backward/not_accumulated", "rnn_backward/forward_in_time",
    "rnn_backward/dx_wrong_index",
    "lstm_backward/no_recurrent_gradient", "lstm_backward/dc_not_carried", "lstm_backward/not_accumulated",
})
"""Ids of the mutants whose outputs equal the reference's when T_x = 1 (a grading case needs T_x >= 2)."""

RAISES_WHEN_N_X_ABOVE_T_X = frozenset({"rnn_forward/len_of_x", "lstm_forward/len_of_x"})
"""Ids of the mutants that raise IndexError when n_x > T_x (and equal the reference when n_x == T_x):
their fixtures then hold the error, which the grader tells a student who raises the same one."""


def mutant_source(mutant_id):
    """Source code of a mutant, its ``def`` renamed to the graded function's name.

    The private helpers a mutant calls (``_lstm_gates``, ``_lstm_out``, ``_rnn_cell_gradients``,
    ``_lstm_cell_gradients``) are prepended, so the text is self-contained given
    ``np``, ``softmax``, ``sigmoid`` and the per-step functions.

    Arguments:
    mutant_id -- a key of MUTANTS

    Returns:
    str, Python source defining the function ``MUTANTS[mutant_id].function``
    """
    mutant = MUTANTS[mutant_id]
    source = inspect.getsource(mutant.fn)
    source = re.sub(r"^def \w+\(", f"def {mutant.function}(", source, count=1)
    helpers = [h for h in (_lstm_gates, _lstm_out, _rnn_cell_gradients, _lstm_cell_gradients)
               if h.__name__ in mutant.fn.__code__.co_names]
    return "".join(inspect.getsource(h) + "\n\n" for h in helpers) + source
