"""Reference NumPy implementation of the recurrent-network assignment.

This module is the oracle of the whole harness: the rubric fixtures are
computed from it, and it is itself proven by the assignment's printed
"Expected Output" values (``tests/test_solution_expected.py``) and by
centred finite differences (``tests/test_solution_gradcheck.py``).

Notation (as in the assignment)::

    n_x  input size           n_a  hidden size        n_y  output size
    m    batch size           T_x  number of time steps

Parameter dictionaries use the course's key names:

* basic RNN: ``Wax (n_a, n_x)``, ``Waa (n_a, n_a)``, ``Wya (n_y, n_a)``,
  ``ba (n_a, 1)``, ``by (n_y, 1)``;
* LSTM: ``Wf, Wi, Wc, Wo (n_a, n_a + n_x)``, ``bf, bi, bc, bo (n_a, 1)``,
  ``Wy (n_y, n_a)``, ``by (n_y, 1)``.  The weight matrices act on the
  concatenation ``[a_prev; xt]`` (hidden state first, then the input).

Rules kept by every function here:

* inputs are never modified; every returned array is freshly computed
  (caches hold the caller's own ``parameters`` dict and input arrays, as the
  course's caches do, but nothing in them is written to afterwards);
* the composite functions (``rnn_forward``, ``lstm_forward``,
  ``rnn_backward``, ``lstm_backward``) call their per-step function through
  its module-level global name, with no default arguments and no closures,
  so that ``types.FunctionType(fn.__code__, new_globals)`` can rebind the
  per-step function (the fixture generator records and isolates calls so).
"""

import numpy as np

__all__ = [
    "softmax",
    "sigmoid",
    "rnn_cell_forward",
    "rnn_forward",
    "lstm_cell_forward",
    "lstm_forward",
    "rnn_cell_backward",
    "rnn_backward",
    "lstm_cell_backward",
    "lstm_backward",
]


def softmax(x):
    """Softmax over axis 0 (one distribution per column).

    Arguments:
    x -- array of shape (n, m) (or (n,), or (n, m, ...)): scores, one column per example

    Returns:
    array of the same shape as ``x`` whose columns are non-negative and sum to 1.
    """
    x = np.asarray(x, dtype=float)
    e_x = np.exp(x - np.max(x, axis=0, keepdims=True))
    return e_x / np.sum(e_x, axis=0, keepdims=True)


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), element-wise, without overflow.

    Arguments:
    x -- array of any shape

    Returns:
    array of the same shape as ``x`` with values in [0, 1].
    """
    x = np.asarray(x, dtype=float)
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def rnn_cell_forward(xt, a_prev, parameters):
    """One time step of the basic RNN cell.

    a_next = tanh(Waa @ a_prev + Wax @ xt + ba);  yt_pred = softmax(Wya @ a_next + by)

    Arguments:
    xt -- input data at time step t, shape (n_x, m)
    a_prev -- hidden state at time step t-1, shape (n_a, m)
    parameters -- dict with Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a),
                  ba (n_a, 1), by (n_y, 1)

    Returns:
    a_next -- next hidden state, shape (n_a, m)
    yt_pred -- prediction at time step t, shape (n_y, m)
    cache -- tuple (a_next, a_prev, xt, parameters), for rnn_cell_backward
    """
    Wax = parameters["Wax"]
    Waa = parameters["Waa"]
    Wya = parameters["Wya"]
    ba = parameters["ba"]
    by = parameters["by"]

    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)
    yt_pred = softmax(np.dot(Wya, a_next) + by)
    cache = (a_next, a_prev, xt, parameters)
    return a_next, yt_pred, cache


def rnn_forward(x, a0, parameters):
    """Forward pass of the basic RNN over T_x time steps.

    Calls the global ``rnn_cell_forward`` once per step, t = 0 .. T_x-1.

    Arguments:
    x -- input data for every time step, shape (n_x, m, T_x)
    a0 -- initial hidden state, shape (n_a, m)
    parameters -- dict with Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a),
                  ba (n_a, 1), by (n_y, 1)

    Returns:
    a -- hidden states of every time step, shape (n_a, m, T_x)
    y_pred -- predictions of every time step, shape (n_y, m, T_x)
    caches -- tuple (list of the T_x cell caches, x), for rnn_backward
    """
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

    caches = (caches, x)
    return a, y_pred, caches


def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    """One time step of the LSTM cell.

    With concat = [a_prev; xt] of shape (n_a + n_x, m)::

        ft  = sigmoid(Wf @ concat + bf)      forget gate
        it  = sigmoid(Wi @ concat + bi)      update gate
        cct = tanh(Wc @ concat + bc)         candidate value
        c_next = ft * c_prev + it * cct
        ot  = sigmoid(Wo @ concat + bo)      output gate
        a_next = ot * tanh(c_next)
        yt_pred = softmax(Wy @ a_next + by)

    Arguments:
    xt -- input data at time step t, shape (n_x, m)
    a_prev -- hidden state at time step t-1, shape (n_a, m)
    c_prev -- memory state at time step t-1, shape (n_a, m)
    parameters -- dict with Wf, Wi, Wc, Wo (n_a, n_a + n_x), bf, bi, bc, bo (n_a, 1),
                  Wy (n_y, n_a), by (n_y, 1)

    Returns:
    a_next -- next hidden state, shape (n_a, m)
    c_next -- next memory state, shape (n_a, m)
    yt_pred -- prediction at time step t, shape (n_y, m)
    cache -- tuple (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters),
             for lstm_cell_backward; the gates each have shape (n_a, m)
    """
    Wf = parameters["Wf"]
    bf = parameters["bf"]
    Wi = parameters["Wi"]
    bi = parameters["bi"]
    Wc = parameters["Wc"]
    bc = parameters["bc"]
    Wo = parameters["Wo"]
    bo = parameters["bo"]
    Wy = parameters["Wy"]
    by = parameters["by"]

    concat = np.concatenate((a_prev, xt), axis=0)

    ft = sigmoid(np.dot(Wf, concat) + bf)
    it = sigmoid(np.dot(Wi, concat) + bi)
    cct = np.tanh(np.dot(Wc, concat) + bc)
    c_next = ft * c_prev + it * cct
    ot = sigmoid(np.dot(Wo, concat) + bo)
    a_next = ot * np.tanh(c_next)

    yt_pred = softmax(np.dot(Wy, a_next) + by)

    cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)
    return a_next, c_next, yt_pred, cache


def lstm_forward(x, a0, parameters):
    """Forward pass of the LSTM over T_x time steps, with c0 = zeros.

    Calls the global ``lstm_cell_forward`` once per step, t = 0 .. T_x-1.

    Arguments:
    x -- input data for every time step, shape (n_x, m, T_x)
    a0 -- initial hidden state, shape (n_a, m)
    parameters -- dict with Wf, Wi, Wc, Wo (n_a, n_a + n_x), bf, bi, bc, bo (n_a, 1),
                  Wy (n_y, n_a), by (n_y, 1)

    Returns:
    a -- hidden states of every time step, shape (n_a, m, T_x)
    y -- predictions of every time step, shape (n_y, m, T_x)
    c -- memory states of every time step, shape (n_a, m, T_x)
    caches -- tuple (list of the T_x cell caches, x), for lstm_backward
    """
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

    caches = (caches, x)
    return a, y, c, caches


def rnn_cell_backward(da_next, cache):
    """Backward pass of one basic RNN cell (the hidden state only; y is not differentiated).

    With dtanh = (1 - a_next**2) * da_next, the gradient at the tanh input.

    Arguments:
    da_next -- gradient of the loss with respect to a_next, shape (n_a, m)
    cache -- tuple (a_next, a_prev, xt, parameters) from rnn_cell_forward

    Returns:
    gradients -- dict with
        dxt -- gradient w.r.t. xt, shape (n_x, m)
        da_prev -- gradient w.r.t. a_prev, shape (n_a, m)
        dWax -- gradient w.r.t. Wax, shape (n_a, n_x)
        dWaa -- gradient w.r.t. Waa, shape (n_a, n_a)
        dba -- gradient w.r.t. ba, shape (n_a, 1)
    """
    (a_next, a_prev, xt, parameters) = cache
    Wax = parameters["Wax"]
    Waa = parameters["Waa"]

    dtanh = (1.0 - a_next ** 2) * da_next

    dxt = np.dot(Wax.T, dtanh)
    dWax = np.dot(dtanh, xt.T)
    da_prev = np.dot(Waa.T, dtanh)
    dWaa = np.dot(dtanh, a_prev.T)
    dba = np.sum(dtanh, axis=1, keepdims=True)

    return {"dxt": dxt, "da_prev": da_prev, "dWax": dWax, "dWaa": dWaa, "dba": dba}


def rnn_backward(da, caches):
    """Backward pass of the basic RNN over the whole sequence.

    ``da`` is the upstream gradient with respect to every hidden state a<t>
    (the first output of rnn_forward).  Walking t = T_x-1 .. 0, the global
    ``rnn_cell_backward`` receives da_next = da[:, :, t] + da_prevt, where
    da_prevt is the da_prev it returned at step t+1 (zeros at the last step).

    Arguments:
    da -- upstream gradient of all hidden states, shape (n_a, m, T_x)
    caches -- tuple (list of cell caches, x) from rnn_forward

    Returns:
    gradients -- dict with
        dx -- gradient w.r.t. the input data, shape (n_x, m, T_x)
        da0 -- gradient w.r.t. the initial hidden state, shape (n_a, m)
        dWax -- gradient w.r.t. Wax, shape (n_a, n_x)
        dWaa -- gradient w.r.t. Waa, shape (n_a, n_a)
        dba -- gradient w.r.t. ba, shape (n_a, 1)
    """
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
        dxt = gradients["dxt"]
        da_prevt = gradients["da_prev"]
        dx[:, :, t] = dxt
        dWax = dWax + gradients["dWax"]
        dWaa = dWaa + gradients["dWaa"]
        dba = dba + gradients["dba"]

    da0 = np.array(da_prevt, dtype=float)
    return {"dx": dx, "da0": da0, "dWax": dWax, "dWaa": dWaa, "dba": dba}


def lstm_cell_backward(da_next, dc_next, cache):
    """Backward pass of one LSTM cell (a_next and c_next only; y is not differentiated).

    The total gradient reaching c_next is
    dc = dc_next + da_next * ot * (1 - tanh(c_next)**2); the gate gradients
    below are taken at the gates' pre-activations.

    Arguments:
    da_next -- gradient of the loss w.r.t. a_next, shape (n_a, m)
    dc_next -- gradient of the loss w.r.t. c_next, shape (n_a, m)
    cache -- tuple (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)
             from lstm_cell_forward

    Returns:
    gradients -- dict with
        dxt -- gradient w.r.t. xt, shape (n_x, m)
        da_prev -- gradient w.r.t. a_prev, shape (n_a, m)
        dc_prev -- gradient w.r.t. c_prev, shape (n_a, m)
        dWf, dWi, dWc, dWo -- gradients w.r.t. the gate weights, shape (n_a, n_a + n_x)
        dbf, dbi, dbc, dbo -- gradients w.r.t. the gate biases, shape (n_a, 1)
    """
    (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters) = cache
    n_a, m = a_next.shape

    tanh_c = np.tanh(c_next)
    dc = dc_next + da_next * ot * (1.0 - tanh_c ** 2)

    dot = da_next * tanh_c * ot * (1.0 - ot)
    dcct = dc * it * (1.0 - cct ** 2)
    dit = dc * cct * it * (1.0 - it)
    dft = dc * c_prev * ft * (1.0 - ft)

    concat = np.concatenate((a_prev, xt), axis=0)
    dWf = np.dot(dft, concat.T)
    dWi = np.dot(dit, concat.T)
    dWc = np.dot(dcct, concat.T)
    dWo = np.dot(dot, concat.T)
    dbf = np.sum(dft, axis=1, keepdims=True)
    dbi = np.sum(dit, axis=1, keepdims=True)
    dbc = np.sum(dcct, axis=1, keepdims=True)
    dbo = np.sum(dot, axis=1, keepdims=True)

    dconcat = (
        np.dot(parameters["Wf"].T, dft)
        + np.dot(parameters["Wi"].T, dit)
        + np.dot(parameters["Wc"].T, dcct)
        + np.dot(parameters["Wo"].T, dot)
    )
    da_prev = dconcat[:n_a, :]
    dxt = dconcat[n_a:, :]
    dc_prev = dc * ft

    return {
        "dxt": dxt,
        "da_prev": da_prev,
        "dc_prev": dc_prev,
        "dWf": dWf,
        "dbf": dbf,
        "dWi": dWi,
        "dbi": dbi,
        "dWc": dWc,
        "dbc": dbc,
        "dWo": dWo,
        "dbo": dbo,
    }


def lstm_backward(da, caches):
    """Backward pass of the LSTM over the whole sequence.

    ``da`` is the upstream gradient with respect to every hidden state a<t>
    (the first output of lstm_forward); no gradient flows in through the
    returned memory states c.  Walking t = T_x-1 .. 0, the global
    ``lstm_cell_backward`` receives da_next = da[:, :, t] + da_prevt and
    dc_next = dc_prevt, the da_prev and dc_prev it returned at step t+1
    (zeros at the last step).  c0 is a constant (zeros), so it has no gradient.

    Arguments:
    da -- upstream gradient of all hidden states, shape (n_a, m, T_x)
    caches -- tuple (list of cell caches, x) from lstm_forward

    Returns:
    gradients -- dict with
        dx -- gradient w.r.t. the input data, shape (n_x, m, T_x)
        da0 -- gradient w.r.t. the initial hidden state, shape (n_a, m)
        dWf, dWi, dWc, dWo -- gradients w.r.t. the gate weights, shape (n_a, n_a + n_x)
        dbf, dbi, dbc, dbo -- gradients w.r.t. the gate biases, shape (n_a, 1)
    """
    (caches, x) = caches
    (a1, c1, a0, c0, f1, i1, cc1, o1, x1, parameters) = caches[0]

    n_a, m, T_x = da.shape
    n_x, m = x1.shape

    dx = np.zeros((n_x, m, T_x))
    da_prevt = np.zeros((n_a, m))
    dc_prevt = np.zeros((n_a, m))
    dWf = np.zeros((n_a, n_a + n_x))
    dWi = np.zeros((n_a, n_a + n_x))
    dWc = np.zeros((n_a, n_a + n_x))
    dWo = np.zeros((n_a, n_a + n_x))
    dbf = np.zeros((n_a, 1))
    dbi = np.zeros((n_a, 1))
    dbc = np.zeros((n_a, 1))
    dbo = np.zeros((n_a, 1))

    for t in reversed(range(T_x)):
        gradients = lstm_cell_backward(da[:, :, t] + da_prevt, dc_prevt, caches[t])
        dx[:, :, t] = gradients["dxt"]
        da_prevt = gradients["da_prev"]
        dc_prevt = gradients["dc_prev"]
        dWf = dWf + gradients["dWf"]
        dWi = dWi + gradients["dWi"]
        dWc = dWc + gradients["dWc"]
        dWo = dWo + gradients["dWo"]
        dbf = dbf + gradients["dbf"]
        dbi = dbi + gradients["dbi"]
        dbc = dbc + gradients["dbc"]
        dbo = dbo + gradients["dbo"]

    da0 = np.array(da_prevt, dtype=float)
    return {
        "dx": dx,
        "da0": da0,
        "dWf": dWf,
        "dbf": dbf,
        "dWi": dWi,
        "dbi": dbi,
        "dWc": dWc,
        "dbc": dbc,
        "dWo": dWo,
        "dbo": dbo,
    }
