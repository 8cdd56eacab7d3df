"""A copy that adds a statement or a wrapper which changes nothing the function returns, against the
similarity check (thirty-fifth session: ``simplify.Simplifier``, ``deadcode``, ``inline.inline_local_functions``).

Each case is a classmate's function (the course's code) graded in full with one edit a copier makes
in an evening; its score against the classmate on main (3f13ba8) is in the comment. Each scores 1.0
now. What only looks alike keeps its own tokens.
"""
from __future__ import annotations

import ast

import pytest

from grader.similarity.inline import inline_partials
from tests.copies import body_tokens, edited_copy_flagged

_A = "    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)\n"
_Z = "np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba"
_W = '    Wax = parameters["Wax"]\n'
_LOOP = "        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)\n"
_BACK = ('        gradients = rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])\n'
         '        dxt, da_prevt, dWaxt, dWaat, dbat = gradients["dxt"], gradients["da_prev"], gradients["dWax"], '
         'gradients["dWaa"], gradients["dba"]\n        dx[:, :, t] = dxt\n        dWax += dWaxt\n'
         '        dWaa += dWaat\n        dba += dbat\n')
_LAST_STEP = "".join(line[4:].replace("t]", "0]") + "\n" for line in _BACK.splitlines())
_FIRST_STEP = ("    a_next, yt_pred, cache = rnn_cell_forward(x[:, :, 0], a_next, parameters)\n    a[:, :, 0] = a_next\n"
               "    y_pred[:, :, 0] = yt_pred\n    caches.append(cache)\n")

#: case -> (function, old, new) in the course's cell.
CASES = {
    # A call that sets NumPy's state, not a value: ``np.random.seed(0)`` (0.43), ``np.seterr`` (0.43).
    "random_seed": ("rnn_cell_forward", _A, "    np.random.seed(0)\n" + _A),
    "seterr": ("rnn_cell_forward", _A, "    np.seterr(all='ignore')\n" + _A),
    # The body under ``with np.errstate(...)`` (0.43 for a line, 0.68 for a loop) or ``contextlib.nullcontext()`` (0.43).
    "errstate": ("rnn_cell_forward", _A, "    with np.errstate(over='ignore'):\n    " + _A),
    "errstate_body": ("rnn_forward", "    for t in range(T_x):",
                      "    with np.errstate(all='ignore'):\n      for t in range(T_x):"),
    "nullcontext": ("rnn_cell_forward", _A, "    import contextlib\n    with contextlib.nullcontext():\n    " + _A),
    # A value converted to what it was: ``np.asarray`` (0.62), ``.astype(float)`` (0.67), ``.copy()``
    # (0.73), ``np.array`` (0.64).
    "asarray": ("rnn_cell_forward", _A, _A + "    a_next = np.asarray(a_next)\n"),
    "astype_float": ("rnn_cell_forward", _A, _A + "    a_next = a_next.astype(float)\n"),
    "copy_of_itself": ("rnn_cell_forward", _A, _A + "    a_next = a_next.copy()\n"),
    "array_of_itself": ("rnn_cell_forward", _A, _A + "    a_next = np.array(a_next)\n"),
    # The parameters' dict copied first: ``dict(parameters)`` (0.57), ``copy.deepcopy`` (0.83).
    "dict_of_itself": ("rnn_cell_forward", _W, "    parameters = dict(parameters)\n" + _W),
    "deepcopy_of_itself": ("rnn_cell_forward", _W, "    import copy\n    parameters = copy.deepcopy(parameters)\n" + _W),
    # A line in a ``try`` whose handler only leaves: ``raise e`` (0.38) or ``return None`` (0.38).
    "try_raise_named": ("rnn_cell_forward", _A, "    try:\n    " + _A + "    except Exception as e:\n        raise e\n"),
    "try_return_none": ("rnn_cell_forward", _A, "    try:\n    " + _A + "    except Exception:\n        return None\n"),
    # A lambda bound in the def and called (0.30), one called where it stands (0.41), a nested def
    # returning a value (0.19).
    "lambda": ("rnn_cell_forward", _A, f"    act = lambda z: np.tanh(z)\n    a_next = act({_Z})\n"),
    "lambda_called_in_place": ("rnn_cell_forward", _A, f"    a_next = (lambda z: np.tanh(z))({_Z})\n"),
    "nested_def": ("rnn_cell_forward", _A, f"    def act(z):\n        return np.tanh(z)\n    a_next = act({_Z})\n"),
    # A second name in an assignment (0.48).
    "chained_assignment": ("rnn_cell_forward", _A, f"    a_next = z = np.tanh({_Z})\n"),
    # ``del`` of locals at the end (0.81).
    "del_locals": ("rnn_forward", "    caches = (caches, x)\n", "    del yt_pred, cache\n    caches = (caches, x)\n"),
    # ``global np`` (0.48): a name the def never binds.
    "global_unbound": ("rnn_cell_forward", _A, "    global np\n" + _A),
    # Spellings: the loop over ``np.arange(T_x)`` (0.47) or ``list(range(T_x))`` (0.47), ``np.shape(x)``
    # (0.38), a graded function called with ``*(...)`` (0.55), ``out=None`` given to NumPy (0.26).
    "arange_loop": ("rnn_forward", "range(T_x)", "np.arange(T_x)"),
    "list_of_range_loop": ("rnn_forward", "range(T_x)", "list(range(T_x))"),
    "np_shape": ("rnn_forward", "x.shape", "np.shape(x)"),
    "starred_tuple_call": ("rnn_forward", "rnn_cell_forward(x[:, :, t], a_next, parameters)",
                           "rnn_cell_forward(*(x[:, :, t], a_next, parameters))"),
    "out_none": ("rnn_cell_forward", "+ ba)", "+ ba, out=None)"),
    # Thirty-sixth session (scores on main aa62e07). A call that only reports: ``warnings.warn``
    # (0.78), ``logging.debug`` (0.72).
    "warnings_warn": ("rnn_cell_forward", _A, "    import warnings\n    warnings.warn('step')\n" + _A),
    "logging_debug": ("rnn_cell_forward", _A, "    import logging\n    logging.debug('step')\n" + _A),
    # A loop that runs its body once: ``for _ in range(1):`` (0.43 around a line, 0.66 around the
    # loop of ``rnn_forward``), ``while True:`` ending with ``break`` (0.41).
    "for_once": ("rnn_cell_forward", _A, "    for _ in range(1):\n    " + _A),
    "for_once_loop": ("rnn_forward", "    for t in range(T_x):",
                      "    for _ in range(1):\n      for t in range(T_x):"),
    "while_true_break": ("rnn_cell_forward", _A, "    while True:\n    " + _A + "        break\n"),
    # The loop's range spelled otherwise: ``range(int(T_x))`` (0.47), ``enumerate`` of it with the
    # index or the item unread (0.50, 0.47).
    "range_of_int": ("rnn_forward", "range(T_x)", "range(int(T_x))"),
    "enumerate_range": ("rnn_forward", "for t in range(T_x)", "for _i, t in enumerate(range(T_x))"),
    "enumerate_range_index": ("rnn_forward", "for t in range(T_x)", "for t, _v in enumerate(range(T_x))"),
    # A float computed converted to float: ``.astype(np.float64)`` (0.29), ``.astype(float)`` (0.26);
    # an array read whole by ``[:]`` (0.44 for ``a0[:]``, 0.47 for ``x[:][:, :, t]``).
    "astype_float64_of_value": ("rnn_cell_forward", _A, f"    a_next = np.tanh({_Z}).astype(np.float64)\n"),
    "astype_float_of_value": ("rnn_cell_forward", _A, f"    a_next = np.tanh({_Z}).astype(float)\n"),
    "whole_slice": ("rnn_forward", "    a_next = a0\n", "    a_next = a0[:]\n"),
    "whole_slice_then_index": ("rnn_forward", "x[:, :, t]", "x[:][:, :, t]"),
    # A line in a ``try`` whose handlers do nothing (``pass`` 0.38, ``print(e)`` 0.38) or with an empty
    # ``finally`` (0.43), under ``contextlib.suppress(Exception)`` (0.42); assigned by ``:=`` (0.24).
    "try_except_pass": ("rnn_cell_forward", _A, "    try:\n    " + _A + "    except Exception:\n        pass\n"),
    "try_except_print": ("rnn_cell_forward", _A, "    try:\n    " + _A + "    except Exception as e:\n        print(e)\n"),
    "try_finally_pass": ("rnn_cell_forward", _A, "    try:\n    " + _A + "    finally:\n        pass\n"),
    "suppress": ("rnn_cell_forward", _A, "    import contextlib\n    with contextlib.suppress(Exception):\n    " + _A),
    "walrus": ("rnn_cell_forward", _A, f"    (a_next := np.tanh({_Z}))\n"),
    # A value chosen by a constant test (0.27).
    "constant_conditional": ("rnn_cell_forward", _A, f"    a_next = np.tanh({_Z}) if True else None\n"),
    # Thirty-seventh session (scores on main f03c756). A value computed and left unused: ``np.sum(a_next)``
    # (0.68), ``np.mean(a_next, axis=0)`` (0.68), ``a_next.sum() + 1`` (0.68).
    "numpy_value_unused": ("rnn_cell_forward", _A, _A + "    np.sum(a_next)\n"),
    "numpy_mean_unused": ("rnn_cell_forward", _A, _A + "    np.mean(a_next, axis=0)\n"),
    "array_method_unused": ("rnn_cell_forward", _A, _A + "    a_next.sum() + 1\n"),
    # The list of caches grown by ``+= [cache]`` (0.75), ``= caches + [cache]`` (0.75) or ``.extend([cache])``
    # (0.85); a test the loop's range decides around a line of it (``t >= 0`` 0.68, ``T_x > t`` 0.64).
    "list_grown_by_plus": ("rnn_forward", "        caches.append(cache)\n", "        caches += [cache]\n"),
    "list_grown_by_sum": ("rnn_forward", "        caches.append(cache)\n", "        caches = caches + [cache]\n"),
    "list_extended": ("rnn_forward", "        caches.append(cache)\n", "        caches.extend([cache])\n"),
    "counter_not_negative": ("rnn_forward", _LOOP, "        if t >= 0:\n    " + _LOOP),
    "counter_under_its_stop": ("rnn_forward", _LOOP, "        if T_x > t:\n    " + _LOOP),
    # Thirty-eighth session (main 164839a): the cell's call through a ``functools.partial`` holding the
    # parameters (0.29) or nothing (0.38), a product through a partial of ``np.dot`` (0.13).
    "partial_holding_the_parameters": ("rnn_forward", "    a_next = a0\n", "    a_next = a0\n    import functools\n"
                                       "    step = functools.partial(rnn_cell_forward, parameters=parameters)\n",
                                       "rnn_cell_forward(x[:, :, t], a_next, parameters)", "step(x[:, :, t], a_next)"),
    "partial_of_the_cell": ("rnn_forward", "    a_next = a0\n", "    a_next = a0\n    from functools import partial\n"
                            "    step = partial(rnn_cell_forward)\n", "rnn_cell_forward(x[:, :, t]", "step(x[:, :, t]"),
    # The loop's first step written before it, the loop from 1 (0.28), reading ``a0`` there (0.08).
    "first_step_unrolled": ("rnn_forward", "    for t in range(T_x):\n", _FIRST_STEP + "    for t in range(1, T_x):\n"),
    "first_step_unrolled_from_a0": ("rnn_forward", "    a_next = a0\n    for t in range(T_x):\n",
                                    _FIRST_STEP.replace("a_next, parameters)", "a0, parameters)")
                                    + "    for t in range(1, T_x):\n"),
    # Its last step written after a backward loop down to 1: ``reversed(range(1, T_x))`` (0.51),
    # ``range(T_x - 1, 0, -1)`` (0.47).
    "last_step_unrolled": ("rnn_backward", "    for t in reversed(range(T_x)):\n" + _BACK,
                           "    for t in reversed(range(1, T_x)):\n" + _BACK + _LAST_STEP),
    "last_step_unrolled_counting_down": ("rnn_backward", "    for t in reversed(range(T_x)):\n" + _BACK,
                                         "    for t in range(T_x - 1, 0, -1):\n" + _BACK + _LAST_STEP),
    "partial_of_dot": ("rnn_cell_forward", _A, "    from functools import partial\n    d = partial(np.dot, Waa)\n"
                       "    a_next = np.tanh(d(a_prev) + np.dot(Wax, xt) + ba)\n"),
}


@pytest.mark.parametrize("how", sorted(CASES))
def test_a_copy_with_a_statement_that_changes_nothing_is_flagged(tmp_path, context, sandbox, how):
    function, old, new, *more = CASES[how]
    report = edited_copy_flagged(tmp_path, how, function, old, new, context=context, sandbox=sandbox, more=more)
    assert report.pairs[0].overall == 1.0, report.pairs


def test_what_only_looks_alike_keeps_its_tokens():
    """A call, a ``with``, a conversion, a lambda or a ``del`` that can change the value is kept."""
    plain = "    z = x + y\n    return z\n"
    # A call of another module's ``seed`` or a NumPy function that draws is work.
    assert body_tokens("    np.random.shuffle(x)\n" + plain) != body_tokens(plain)
    assert body_tokens("    seed(0)\n" + plain) != body_tokens(plain)
    # A ``with`` of another context manager, or one binding a name, stays.
    assert body_tokens("    with open(x):\n        z = x + y\n    return z\n") != body_tokens(plain)
    assert body_tokens("    with np.errstate() as e:\n        z = x + y\n    return z\n") != body_tokens(plain)
    # A conversion to another type, or of another value, stays.
    assert body_tokens(plain.replace("    return", "    z = z.astype(int)\n    return")) != body_tokens(plain)
    assert body_tokens(plain.replace("    return", "    z = np.asarray(y)\n    return")) != body_tokens(plain)
    assert body_tokens(plain.replace("    return", "    z = np.array(z, dtype=int)\n    return")) != body_tokens(plain)
    # A ``try`` whose handler does work stays.
    assert body_tokens("    try:\n        z = x + y\n    except KeyError:\n        z = y\n    return z\n") != body_tokens(
        plain)
    # A lambda passed as a value, bound twice or called with other arguments stays.
    assert body_tokens("    g = lambda a: a + y\n    return h(g)\n") != body_tokens("    return h(x + y)\n")
    assert body_tokens("    g = lambda a, b=1: a + b\n    return g(x)\n") != body_tokens("    return x + 1\n")
    # A nested def doing work of its own (the LSTM's gates written by a helper, an honest style the
    # generated corpus holds: in place of its calls it flagged independent students) stays, and so
    # does a local function named as a graded or provided function.
    assert body_tokens("    def g(a, b):\n        return np.tanh(a @ x + b)\n    return g(y, y)\n") != body_tokens(
        "    return np.tanh(y @ x + y)\n")
    assert body_tokens("    softmax = lambda a: a + y\n    return softmax(x)\n") != body_tokens("    return x + y\n")
    # Thirty-eighth session: a partial is put in place of its calls, a name given to it read at
    # each call; not when that name is bound again after it, the partial read otherwise than
    # called or bound twice, or ``partial`` the text's own.
    assert body_tokens("    g = functools.partial(h, x, k=1)\n    return g(y)\n") == body_tokens(
        "    return h(x, y, k=1)\n")
    assert body_tokens("    g = partial(h, k=1)\n    return g(y, k=x)\n") == body_tokens("    return h(y, k=x)\n")
    assert body_tokens("    g = partial(h, x)\n    x = y\n    return g(y)\n") != body_tokens(
        "    x = y\n    return h(x, y)\n")
    assert body_tokens("    g = partial(h, x)\n    return g(y), g\n") != body_tokens("    return h(x, y), g\n")
    assert body_tokens("    g = partial(h, x)\n    g = partial(h, y)\n    return g(y)\n") != body_tokens(
        "    return h(y, y)\n")
    assert body_tokens("    g = partial(h, *x)\n    return g(y)\n") != body_tokens("    return h(*x, y)\n")
    own = ast.parse("def partial(f, a):\n    return a\n\ndef f(x, y):\n    g = partial(h, x)\n    return g(y)\n")
    before = ast.dump(own)
    inline_partials(own, frozenset())
    assert ast.dump(own) == before
    # Thirty-eighth session: a loop's first step written before it is the loop from 0, what the loop
    # carries given first; not a step for another index, a loop from 2, nor a step reading two values
    # where the loop reads one name.
    loop = "    for t in range({0}, x):\n        y = y * t + z\n        z = y\n    return z\n"
    assert body_tokens("    y = y * 0 + z\n    z = y\n" + loop.format(1)) == body_tokens(
        loop.format(0).replace("range(0, x)", "range(x)"))
    assert body_tokens("    y = 2 * 0 + z\n    z = y\n" + loop.format(1)) == body_tokens(
        "    y = 2\n" + loop.format(0))
    assert body_tokens("    y = y * 1 + z\n    z = y\n" + loop.format(1)) != body_tokens(loop.format(0))
    assert body_tokens("    y = y * 0 + z\n    z = y\n" + loop.format(2)) != body_tokens(loop.format(1))
    assert body_tokens("    y = 2 * 0 + z\n    z = 3\n" + loop.format(1).replace("z = y", "z = z")) != body_tokens(
        "    y = 2\n" + loop.format(0).replace("z = y", "z = z"))
    # A backward loop's last step written after it is the loop down to 0; not a step for another index,
    # a loop down to 2 or forward from 1, a step reading another name, nor ``t`` read after it.
    back = "    for t in {0}:\n        y = y * t + z\n        z = y\n{1}    return z\n"
    whole = body_tokens(back.format("reversed(range(x))", ""))
    assert body_tokens(back.format("reversed(range(1, x))", "    y = y * 0 + z\n    z = y\n")) == whole
    assert body_tokens(back.format("range(x - 1, 0, -1)", "    y = y * 0 + z\n    z = y\n")) == whole
    assert body_tokens(back.format("range(x - 1, -1, -1)", "")) == whole
    assert body_tokens(back.format("reversed(range(1, x))", "    y = y * 1 + z\n    z = y\n")) != whole
    assert body_tokens(back.format("reversed(range(2, x))", "    y = y * 0 + z\n    z = y\n")) != body_tokens(
        back.format("reversed(range(1, x))", ""))
    assert body_tokens(back.format("range(1, x)", "    y = y * 0 + z\n    z = y\n")) != body_tokens(
        back.format("range(x)", ""))
    assert body_tokens(back.format("reversed(range(1, x))", "    y = x * 0 + z\n    z = y\n")) != whole
    assert body_tokens(back.format("reversed(range(1, x))", "    y = y * 0 + z\n    z = y\n    z = z + t\n")) != (
        body_tokens(back.format("reversed(range(x))", "    z = z + t\n")))
    # ``del`` of an item is a change of the container.
    assert body_tokens("    del x[0]\n    return x\n") != body_tokens("    return x\n")
    # A loop over another NumPy function, or ``np.arange`` given a keyword, stays.
    assert body_tokens("    for t in np.linspace(0, x, 3):\n        y = y + t\n    return y\n") != body_tokens(
        "    for t in range(0, x, 3):\n        y = y + t\n    return y\n")
    assert body_tokens("    for t in np.arange(x, dtype=float):\n        y = y + t\n    return y\n") != body_tokens(
        "    for t in range(x):\n        y = y + t\n    return y\n")
    # ``out=`` given an array, and a starred name, stay.
    assert body_tokens("    return np.tanh(x, out=y)\n") != body_tokens("    return np.tanh(x)\n")
    assert body_tokens("    return f(*x)\n") != body_tokens("    return f(x)\n")
    # ``global`` of a name the def binds stays.
    assert body_tokens("    global z\n" + plain) != body_tokens(plain)
    # A call of another ``warn``, or of ``logging``'s other functions, is work.
    assert body_tokens("    warn(x)\n" + plain) != body_tokens(plain)
    assert body_tokens("    logging.basicConfig(level=x)\n" + plain) != body_tokens(plain)
    # A loop that may run more than once, or whose body reads its name, or leaves it early, stays.
    assert body_tokens("    for _ in range(2):\n        z = x + y\n    return z\n") != body_tokens(plain)
    assert body_tokens("    for i in range(1):\n        z = x + i\n    return z\n") != body_tokens(
        "    z = x + i\n    return z\n")
    assert body_tokens("    while True:\n        z = x + y\n        if z:\n            break\n        y = y - 1\n"
                       "        break\n    return z\n") != body_tokens("    z = x + y\n    y = y - 1\n    return z\n")
    assert body_tokens("    while x:\n        z = x + y\n        break\n    return z\n") != body_tokens(plain)
    assert body_tokens("    for _ in range(1):\n        z = x + y\n    else:\n        z = y\n    return z\n") != (
        body_tokens(plain))
    # ``int`` of something else than a range's bound, and ``enumerate`` of another range, counting from
    # another start, or whose names are bound again, stay.
    assert body_tokens("    return int(x) + y\n") != body_tokens("    return x + y\n")
    loop = "    for t in range(x):\n        y = y + t\n    return y\n"
    assert body_tokens(loop.replace("t in range(x)", "i, t in enumerate(range(1, x))")) != body_tokens(
        loop.replace("range(x)", "range(1, x)"))
    assert body_tokens(loop.replace("t in range(x)", "i, t in enumerate(range(x), 1)")) != body_tokens(loop)
    assert body_tokens(loop.replace("t in range(x)", "i, t in enumerate(range(x))").replace(
        "y = y + t", "y = y + t + i\n        i = 2")) != body_tokens(loop.replace("y = y + t", "y = y + t + t\n        t = 2"))
    assert body_tokens(loop.replace("t in range(x)", "i, t in enumerate(range(x))").replace(
        "return y", "return y + i")) != body_tokens(loop.replace("return y", "return y + t"))
    # ``astype`` of a test, of a name, or to another type stays; so do a write to ``x[:]`` and a part of ``x``.
    assert body_tokens("    return (x < y).astype(float)\n") != body_tokens("    return x < y\n")
    assert body_tokens("    z = x.astype(float)\n    return z + y\n") != body_tokens("    z = x\n    return z + y\n")
    assert body_tokens("    return (x + y).astype(int)\n") != body_tokens("    return x + y\n")
    assert body_tokens("    x[:] = y\n    return x\n") != body_tokens("    x = y\n    return x\n")
    assert body_tokens("    return x[1:] + y\n") != body_tokens("    return x + y\n")
    # A ``try`` with a handler, an ``else`` or a ``finally`` that does work stays, as does ``:=`` in an expression.
    assert body_tokens("    try:\n        z = x + y\n    except KeyError:\n        z = y\n    return z\n") != body_tokens(plain)
    assert body_tokens("    try:\n        z = x + y\n    finally:\n        y = 0\n    return z\n") != body_tokens(plain)
    assert body_tokens("    try:\n        z = x + y\n    except KeyError:\n        pass\n    else:\n        z = y\n"
                       "    return z\n") != body_tokens("    z = x + y\n    z = y\n    return z\n")
    assert body_tokens("    return (z := x + y) + z\n") != body_tokens("    z = x + y\n    return z + z\n")
    # A NumPy call given its ``out`` (by name or by position), a call of another function, a method
    # that changes its object, or a value whose argument calls another function, stays.
    assert body_tokens("    np.clip(x, 0, 1, x)\n" + plain) != body_tokens(plain)
    assert body_tokens("    np.tanh(x, y)\n" + plain) != body_tokens(plain)
    assert body_tokens("    np.sum(x, out=y)\n" + plain) != body_tokens(plain)
    assert body_tokens("    np.sum(*x)\n" + plain) != body_tokens(plain)
    assert body_tokens("    x.sort()\n" + plain) != body_tokens(plain)
    assert body_tokens("    np.sum(f(x))\n" + plain) != body_tokens(plain)
    assert body_tokens("    np.random.rand(3)\n" + plain) != body_tokens(plain)
    assert body_tokens("    np.sum(x, 0, float)\n    y.max(0)\n    x[0] + np.tanh(y).T\n" + plain) == body_tokens(plain)
    # A list grown by more than one item, or by another list, or an array added to; a test the range
    # does not decide (another bound, another start, a counter or bound the loop binds) stays.
    assert body_tokens("    x += [y, y]\n    return x\n") != body_tokens("    x.append(y)\n    return x\n")
    assert body_tokens("    x += y\n    return x\n") != body_tokens("    x.append(y)\n    return x\n")
    assert body_tokens("    x = y + [x]\n    return x\n") != body_tokens("    y.append(x)\n    return x\n")
    assert body_tokens("    x *= [y]\n    return x\n") != body_tokens("    x.append(y)\n    return x\n")
    assert body_tokens("    x += [y]\n    return x\n") == body_tokens("    x.append(y)\n    return x\n")
    looped = "    for t in range({n}):\n        {test}\n            y = y + t\n    return y\n"
    bare = body_tokens(looped.format(n="x", test="if True:"))
    assert body_tokens(looped.format(n="x", test="if t >= 0:")) == bare
    assert body_tokens(looped.format(n="x", test="if 0 <= t:")) == bare
    assert body_tokens(looped.format(n="x", test="if x > t:")) == bare
    assert body_tokens(looped.format(n="x", test="if t >= 1:")) != bare
    assert body_tokens(looped.format(n="x", test="if t < y:")) != bare
    assert body_tokens(looped.format(n="1, x", test="if t < x:")) != body_tokens(looped.format(n="1, x", test="if True:"))
    assert body_tokens(looped.format(n="x", test="x = 2\n        if t < x:")) != body_tokens(
        looped.format(n="x", test="x = 2\n        if True:"))
    # A conditional value whose test is not a constant stays.
    assert body_tokens("    return x if y else y\n") != body_tokens("    return x\n")
    # The same rewrites, seen as such: the equivalences this file tests, unit by unit.
    assert body_tokens("    g = lambda a: a + y\n    return g(x)\n") == body_tokens("    return x + y\n")
    assert body_tokens("    z = w = x + y\n    return z\n") == body_tokens(plain)
    assert body_tokens("    z = w = x + y\n    return z * w\n") == body_tokens("    z = x + y\n    return z * z\n")
    assert body_tokens("    for _ in range(0, 1):\n        z = x + y\n        break\n    return z\n") == body_tokens(plain)
    assert body_tokens(loop.replace("t in range(x)", "i, t in enumerate(range(0, x))").replace(
        "y + t", "y + i * t")) == body_tokens(loop.replace("y + t", "y + t * t"))
    assert body_tokens("    return (x @ y / 2).astype('float64')\n") == body_tokens("    return x @ y / 2\n")
    assert body_tokens("    return np.exp(x[:]).astype(np.double)[:]\n") == body_tokens("    return np.exp(x)\n")
    assert body_tokens(loop.replace("range(x)", "range(int(x - 1))")) == body_tokens(loop.replace("range(x)", "range(x - 1)"))
    assert body_tokens("    return (x if 1 < 0 else y) + (x if not False else z)\n") == body_tokens("    return y + x\n")
    assert body_tokens("    while 1:\n        z = x + y\n        return z\n") == body_tokens(plain)
    assert body_tokens("    while True:\n        for t in x:\n            if t:\n                break\n"
                       "        break\n    return y\n") == body_tokens(
        "    for t in x:\n        if t:\n            break\n    return y\n")
