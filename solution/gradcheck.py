"""Centred finite differences: the independent oracle of the backward passes.

For a function ``f`` whose output ``y = f(x)`` receives the upstream gradient
``df`` (the loss being ``L = sum(df * y)``), the gradient of ``L`` with
respect to each entry x_i is estimated as::

    dL/dx_i  ~  sum((f(x + h e_i) - f(x - h e_i)) * df) / (2 h)

with truncation error O(h^2).  The difference of the two outputs is taken
before the weighting by ``df``, so outputs that do not depend on x_i cancel
exactly and add no rounding noise.

``richardson_gradient_array`` combines two such centred differences into a
fourth-order estimate; the gradient tests use it for their element-wise
relative-error bound of 1e-7 (see tests/test_solution_gradcheck.py).
"""

import numpy as np

__all__ = ["eval_numerical_gradient_array", "richardson_gradient_array", "rel_error"]


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Numerical gradient of sum(df * f(x)) with respect to the array ``x``.

    ``x`` is perturbed in place, one entry at a time, and restored exactly
    afterwards, so ``f`` may read ``x`` through another reference (for example
    from inside a parameters dict).  ``f`` must not keep or modify its result
    between calls.

    Arguments:
    f -- callable taking ``x`` and returning an array of the shape of ``df``
    x -- float array of any shape, perturbed in place and restored
    df -- upstream gradient, same shape as f(x)
    h -- step of the centred difference (default 1e-5)

    Returns:
    grad -- float array of the shape of ``x``
    """
    x = np.asarray(x)
    if x.dtype.kind != "f":
        raise TypeError(f"x must be a floating-point array to be perturbed, got dtype {x.dtype}")
    df = np.asarray(df, dtype=float)
    grad = np.zeros(x.shape, dtype=float)
    for index in np.ndindex(*x.shape):
        saved = x[index]
        try:
            x[index] = saved + h
            plus = np.array(f(x), dtype=float, copy=True)
            x[index] = saved - h
            minus = np.array(f(x), dtype=float, copy=True)
        finally:
            x[index] = saved
        if plus.shape != df.shape:
            raise ValueError(f"f(x) has shape {plus.shape} but df has shape {df.shape}")
        grad[index] = np.sum((plus - minus) * df) / (2.0 * h)
    return grad


def rel_error(a, b):
    """Largest element-wise relative error between two arrays of the same shape.

    max |a - b| / max(1e-8, |a| + |b|); the floor 1e-8 keeps entries where both
    are (nearly) zero from dividing by zero.

    Arguments:
    a, b -- arrays (or scalars) of the same shape

    Returns:
    float, 0.0 for identical inputs (and for empty ones)
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def richardson_gradient_array(f, x, df, *, h=5e-4):
    """Fourth-order numerical gradient of sum(df * f(x)): Richardson extrapolation of two centred differences.

    With D(h) = eval_numerical_gradient_array(f, x, df, h), the estimate is
    (4 D(h/2) - D(h)) / 3, whose O(h^2) terms cancel, leaving O(h^4).  The
    larger step keeps the rounding noise (about eps |f| / h) small too, so
    entries of the gradient as small as 1e-5 are still measured to a relative
    error well below 1e-7, which plain centred differences cannot promise.

    Arguments:
    f -- callable taking ``x`` and returning an array of the shape of ``df``
    x -- float array of any shape, perturbed in place and restored
    df -- upstream gradient, same shape as f(x)
    h -- the larger of the two steps (default 5e-4)

    Returns:
    grad -- float array of the shape of ``x``
    """
    coarse = eval_numerical_gradient_array(f, x, df, h)
    fine = eval_numerical_gradient_array(f, x, df, h / 2.0)
    return (4.0 * fine - coarse) / 3.0
