"""A copy that spells a tuple, a dict or the sizes of a shape otherwise than its original, against the similarity check (thirty-third session, ``rewrite.Rewriter``).

Each case is a classmate's function (the course's code) graded in full with one spelling changed;
its score against the classmate on main is in the comment. Each scores 1.0 now. What only looks
alike keeps its own tokens.
"""
from __future__ import annotations

import pytest

from tests import notebooks as nbs
from tests.copies import body_tokens, edited_copy_flagged

_BACKWARD = nbs.COURSE_CELLS["rnn_cell_backward"]
_GRADIENTS = 'gradients = {"dxt": dxt, "da_prev": da_prev, "dWax": dWax, "dWaa": dWaa, "dba": dba}'

#: case -> (function, old, new) in the course's cell.
CASES = {
    # ``dict(dxt=dxt, ...)`` for the display (0.77).
    "dict_call": ("rnn_cell_backward", _GRADIENTS,
                  "gradients = dict(dxt=dxt, da_prev=da_prev, dWax=dWax, dWaa=dWaa, dba=dba)"),
    # ``tuple([...])`` for the cache (0.5).
    "tuple_of_list": ("rnn_cell_forward", "cache = (a_next, a_prev, xt, parameters)",
                      "cache = tuple([a_next, a_prev, xt, parameters])"),
    # The sizes read one by one from the shape (0.14).
    "shape_by_index": ("rnn_forward", "n_x, m, T_x = x.shape", "n_x = x.shape[0]\n    m = x.shape[1]\n    T_x = x.shape[2]"),
    # Thirty-fourth session: a graded function called with its parameters named (0.46 both).
    "graded_call_by_keyword": ("rnn_forward", "rnn_cell_forward(x[:, :, t], a_next, parameters)",
                               "rnn_cell_forward(xt=x[:, :, t], a_prev=a_next, parameters=parameters)"),
    "graded_call_by_keyword_reordered": ("lstm_forward", "lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)",
                                         "lstm_cell_forward(parameters=parameters, c_prev=c_next, xt=x[:, :, t], "
                                         "a_prev=a_next)"),
    # ``softmax(x=...)`` (0.65), ``dtype=float`` given to ``np.zeros`` (0.51), ``list()`` for ``[]``
    # (0.62), ``range(0, T_x, 1)`` (0.46).
    "softmax_by_keyword": ("rnn_cell_forward", "softmax(np.dot(Wya, a_next) + by)",
                           "softmax(x=np.dot(Wya, a_next) + by)"),
    "zeros_dtype_float": ("rnn_forward", "a = np.zeros((n_a, m, T_x))", "a = np.zeros((n_a, m, T_x), dtype=np.float64)"),
    "empty_list_called": ("rnn_forward", "caches = []", "caches = list()"),
    "range_with_step_one": ("rnn_forward", "range(T_x)", "range(0, T_x, 1)"),
    # Thirty-seventh session (main f03c756): an array transposed twice (0.32), signs that cancel (0.30,
    # 0.35 for a unary ``+``).
    "transposed_twice": ("rnn_cell_forward", "np.dot(Wax, xt)", "np.dot(Wax, xt.T.T)"),
    "transposed_twice_by_call": ("rnn_cell_forward", "np.dot(Wax, xt)", "np.dot(Wax, np.transpose(xt.T))"),
    "minus_a_negated": ("rnn_cell_forward", "+ ba)", "- -ba)"),
    "unary_plus": ("rnn_cell_forward", "np.tanh(", "np.tanh(+"),
    # A key spelled in pieces (0.20) or as an f-string (0.20), read by ``__getitem__`` (0.52); one written
    # ``float(1)`` (0.26) or ``np.float64(1)`` (0.29); a value computed wrapped in ``np.asarray`` (0.50)
    # or copied (0.29); the terms summed by ``sum([...])`` (0.25); a display starred in the cache (0.65).
    "key_in_pieces": ("rnn_cell_forward", 'parameters["Wax"]', 'parameters["W" + "ax"]'),
    "key_as_fstring": ("rnn_cell_forward", 'parameters["Wax"]', 'parameters[f"Wax"]'),
    "key_by_getitem": ("rnn_cell_forward", 'parameters["Wax"]', 'parameters.__getitem__("Wax")'),
    "times_float_one": ("rnn_cell_forward", "+ ba)", "+ ba * float(1))"),
    "times_float64_one": ("rnn_cell_forward", "+ ba)", "+ ba * np.float64(1))"),
    "asarray_of_a_value": ("rnn_cell_forward", "np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)",
                           "np.asarray(np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba))"),
    "copy_of_a_value": ("rnn_cell_forward", "+ ba)", "+ ba).copy()"),
    "sum_of_a_list": ("rnn_cell_forward", "np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba",
                      "sum([np.dot(Waa, a_prev), np.dot(Wax, xt), ba])"),
    "starred_display": ("rnn_cell_forward", "cache = (a_next, a_prev, xt, parameters)",
                        "cache = (*(a_next, a_prev), xt, parameters)"),
    # ``.get`` given ``None`` for its default (0.50), ``np.copy`` of a value (0.48), ``- np.negative(ba)`` (0.26).
    "get_with_none": ("rnn_cell_forward", 'parameters["Wax"]', 'parameters.get("Wax", None)'),
    "np_copy_of_a_value": ("rnn_cell_forward", "np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)",
                           "np.copy(np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba))"),
    "minus_np_negative": ("rnn_cell_forward", "+ ba)", "- np.negative(ba))"),
    # Thirty-eighth session (main 164839a): the product of the transposes transposed (0.30 both), the
    # product by ``np.einsum`` (0.22; its operands given the other way round, 0.22).
    "product_of_transposes_transposed": ("rnn_cell_forward", "np.dot(Wax, xt)", "np.dot(xt.T, Wax.T).T"),
    "matmul_of_transposes_transposed": ("rnn_cell_forward", "np.dot(Wax, xt)", "(xt.T @ Wax.T).T"),
    "einsum_product": ("rnn_cell_forward", "np.dot(Wax, xt)", "np.einsum('ij,jk->ik', Wax, xt)"),
    "einsum_operands_swapped": ("rnn_cell_forward", "np.dot(Wax, xt)", 'np.einsum("jk, ij", xt, Wax)'),
    # The product by ``operator.matmul`` (0.29) or ``Wax.__matmul__(xt)`` (0.26); ``getattr(np, "tanh")`` (0.43).
    "operator_matmul": ("rnn_cell_forward", "np.dot(Wax, xt)", "operator.matmul(Wax, xt)",
                        '    Wax = parameters["Wax"]\n', '    import operator\n    Wax = parameters["Wax"]\n'),
    "dunder_matmul": ("rnn_cell_forward", "np.dot(Wax, xt)", "Wax.__matmul__(xt)"),
    "getattr_of_numpy": ("rnn_cell_forward", "np.tanh(", "getattr(np, 'tanh')("),
}


@pytest.mark.parametrize("how", sorted(CASES))
def test_a_copy_spelling_numpy_otherwise_is_flagged(tmp_path, context, sandbox, how):
    function, old, new, *more = CASES[how]
    report = edited_copy_flagged(tmp_path, how, function, old, new, context=context, sandbox=sandbox, more=more)
    assert report.pairs[0].overall == 1.0, report.pairs


def test_what_only_looks_alike_keeps_its_tokens():
    """``dict(mapping)``, a starred ``tuple`` and the sizes of an expression's shape, or of a name
    one of them rebinds, are not what they look like. ``a * a`` and ``a ** 2``, ``np.zeros(a.shape)``
    and ``np.zeros_like(a)``, ``x.sum(1)`` and ``np.sum(x, axis=1)`` are kept apart on purpose: read
    as one, the generated corpus of 1,000 flagged independent students (0.85-0.88; docs/similarity.md)."""
    assert body_tokens("    return x * x\n") != body_tokens("    return x ** 2\n")
    assert body_tokens("    return np.zeros(x.shape)\n") != body_tokens("    return np.zeros_like(x)\n")
    assert body_tokens("    return x.sum(1)\n") != body_tokens("    return np.sum(x, axis=1)\n")
    # Thirty-fourth session: only float64 is what ``np.zeros`` makes anyway; a name the course's
    # header does not give, or given twice, stays named; and ``np.zeros(shape=...)`` on purpose (real
    # students write both: read as one, it moved 233 listed scores of the real classes).
    assert body_tokens("    return np.zeros(shape=x)\n") != body_tokens("    return np.zeros(x)\n")
    assert body_tokens("    return np.zeros(x, dtype=int)\n") != body_tokens("    return np.zeros(x)\n")
    assert body_tokens("    return np.zeros_like(x, dtype=float)\n") != body_tokens("    return np.zeros_like(x)\n")
    assert body_tokens("    return rnn_cell_forward(x, a=y, parameters=y)\n") != body_tokens(
        "    return rnn_cell_forward(x, y, y)\n")
    assert body_tokens("    return rnn_cell_forward(x, parameters=y)\n") != body_tokens("    return rnn_cell_forward(x, y)\n")
    assert body_tokens("    return rnn_cell_forward(x, y, xt=y)\n") != body_tokens("    return rnn_cell_forward(x, y, y)\n")
    assert body_tokens("    return range(1, x, 2)\n") != body_tokens("    return range(1, x)\n")
    assert body_tokens("    return dict(y)\n") != body_tokens("    return {'y': y}\n")
    assert body_tokens("    return tuple([*x, y])\n") != body_tokens("    return (*x, y)\n")
    # Thirty-seventh session: one transpose, one minus, or a minus on its own, stay.
    assert body_tokens("    return x.T @ y\n") != body_tokens("    return x @ y\n")
    assert body_tokens("    return x.T.T.T @ y\n") == body_tokens("    return x.T @ y\n")
    assert body_tokens("    return x - y\n") != body_tokens("    return x + y\n")
    assert body_tokens("    return x - -y\n") == body_tokens("    return x + y\n")
    assert body_tokens("    return x + -y\n") == body_tokens("    return x - y\n")
    assert body_tokens("    return -x * y\n") != body_tokens("    return x * y\n")
    assert body_tokens("    return -(-x) * +y\n") == body_tokens("    return x * y\n")
    # A key built from names, ``float`` of a name, ``np.asarray`` or ``.copy()`` of a name (``a0.copy()``
    # is how honest students differ), ``np.sum`` of a list (a scalar), ``sum`` with a start, a starred name stay.
    assert body_tokens('    return x["W" + y]\n') != body_tokens('    return x["W"]\n')
    assert body_tokens('    return x[f"W{y}"]\n') != body_tokens('    return x["W"]\n')
    assert body_tokens("    return x * float(y)\n") != body_tokens("    return x\n")
    assert body_tokens("    return np.asarray(x) + y\n") != body_tokens("    return x + y\n")
    assert body_tokens("    return x.copy() + y\n") != body_tokens("    return x + y\n")
    assert body_tokens("    return np.sum([x, y])\n") != body_tokens("    return x + y\n")
    assert body_tokens("    return sum([x, y], 1)\n") != body_tokens("    return x + y\n")
    assert body_tokens("    return (*x, y)\n") != body_tokens("    return (x, y)\n")
    assert body_tokens("    return sum([x, y]) + (*[x], y)[0]\n") == body_tokens("    return x + y + (x, y)[0]\n")
    assert body_tokens("    return np.negative(x) * y\n") == body_tokens("    return -x * y\n")
    assert body_tokens("    return np.negative(x, y)\n") != body_tokens("    return -x\n")
    assert body_tokens("    return np.copy(x) + y\n") != body_tokens("    return x + y\n")
    # Thirty-eighth session: a product with a transposed factor transposed is the product the other way
    # round; a product of two matrices by ``np.einsum`` is one by ``@``; other transposes and sums stay.
    assert body_tokens("    return (x.T @ y.T).T\n") == body_tokens("    return y @ x\n")
    assert body_tokens("    return np.transpose(np.dot(x.T, y))\n") == body_tokens("    return y.T @ x\n")
    assert body_tokens("    return np.dot(x, y).T\n") != body_tokens("    return y.T @ x.T\n")
    assert body_tokens("    return (x.T * y).T\n") != body_tokens("    return y.T * x\n")
    assert body_tokens("    return np.einsum('ij,kj->ik', x, y)\n") == body_tokens("    return x @ y.T\n")
    assert body_tokens("    return np.einsum('ji,jk->ki', x, y)\n") == body_tokens("    return y.T @ x\n")
    assert body_tokens("    return np.einsum('ij,jk', x, y)\n") == body_tokens("    return x @ y\n")
    for spec in ("ij,jk->ijk", "ij,ij->ij", "ii,ij->j", "ij,jk,kl->il", "bij,bjk->bik", "ij,jk->ii", "Ij,jk"):
        assert body_tokens(f"    return np.einsum('{spec}', x, y)\n") != body_tokens("    return x @ y\n"), spec
    assert body_tokens("    return np.einsum(s, x, y)\n") != body_tokens("    return x @ y\n")
    # ``dict.get`` called on a dict is its ``get``; a display indexed by a constant is its item when
    # it holds names, constants and lookups only; ``list`` of a ``map`` of lookups is their tuple.
    assert body_tokens('    return dict.get(x, "W") + y\n') == body_tokens('    return x.get("W") + y\n')
    assert body_tokens('    return (x["W"], y)[1]\n') == body_tokens("    return y\n")
    assert body_tokens("    return (x + 1, y)[1]\n") != body_tokens("    return y\n")
    assert body_tokens("    return (x, y)[2]\n") != body_tokens("    return y\n")
    assert body_tokens('    return list(map(x.get, ("a", "b")))\n') == body_tokens('    return (x["a"], x["b"])\n')
    assert body_tokens('    return list(map(x.get, y))\n') != body_tokens('    return y\n')
    # ``operator``'s arithmetic and the dunder methods are the operators; ``getattr`` of a constant name is
    # the attribute; other methods, one argument too many or too few, and a name built, stay.
    assert body_tokens("    return operator.mul(x, y) + x.__matmul__(y)\n") == body_tokens("    return x * y + x @ y\n")
    assert body_tokens("    return x.__sub__(y)\n") == body_tokens("    return x - y\n")
    assert body_tokens('    return getattr(x, "T") @ y\n') == body_tokens("    return x.T @ y\n")
    assert body_tokens("    return x.add(y)\n") != body_tokens("    return x + y\n")
    assert body_tokens("    return operator.mul(x)\n") != body_tokens("    return x * y\n")
    assert body_tokens("    return x.__mul__(x, y)\n") != body_tokens("    return x * y\n")
    assert body_tokens("    return x.__rsub__(y)\n") != body_tokens("    return x - y\n")
    assert body_tokens('    return getattr(x, "T" + y)\n') != body_tokens("    return x.T\n")
    unpacked = "    a, b = {0}.shape\n    return a + b\n"
    by_index = "    a = {0}.shape[0]\n    b = {0}.shape[1]\n    return a + b\n"
    assert body_tokens(by_index.format("x")) == body_tokens(unpacked.format("x"))
    assert body_tokens("    b = x.shape[1]\n    a = x.shape[0]\n    return a + b\n") == body_tokens(unpacked.format("x"))
    assert body_tokens(by_index.format("x.T")) != body_tokens(unpacked.format("x.T"))
    assert body_tokens("    a = x.shape[0]\n    b = x.shape[2]\n    return a + b\n") != body_tokens(unpacked.format("x"))
    assert body_tokens("    x = x.shape[0]\n    b = x.shape[1]\n    return x + b\n") != body_tokens(
        "    x, b = x.shape\n    return x + b\n")
