"""The hints quote the student's code as they wrote it, not as ``ast.unparse`` writes it again.

``ast.unparse`` writes what the tree means: ``parameters['Wya']`` for ``parameters["Wya"]``,
``a[:, :, t]`` for ``a[:,:,t]``, and on Python 3.10 ``(a, b) = f(x)`` for ``a, b = f(x)``: a hint
quoted code the student could not find on their line (thirty-fifth session).
"""
from __future__ import annotations

from types import SimpleNamespace

from grader import hints, loophints, stephints, valuehints


def test_a_store_that_does_not_fit_quotes_both_sides_as_written():
    outcome = SimpleNamespace(error_type="ValueError",
                              message="could not broadcast input array from shape (2,5) into shape (5,10)")
    said = hints.assignment_hint(outcome, '        a[:,:,t] = parameters["Wya"]')
    assert said.startswith('`a[:,:,t]` has room for an array of shape (5, 10), and `parameters["Wya"]` has '
                           'shape (2, 5)'), said


def test_an_unpacking_quotes_the_names_and_the_call_as_written():
    outcome = SimpleNamespace(error_type="ValueError", message="too many values to unpack (expected 3)")
    said = hints.assignment_hint(outcome, "    a_next,yt_pred,cache = rnn_cell_forward( xt, a_prev, parameters )")
    assert said == ("The left side names 3 values (`a_next,yt_pred,cache`) and `rnn_cell_forward` returns more: "
                    "give one name to each value, in its order."), said


def test_an_in_place_sum_quotes_its_line_as_written():
    said = hints.output_operand_hint(
        "non-broadcastable output operand with shape (5,1) doesn't match the broadcast shape (5,5)",
        "    dba+=np.sum(dtanh,axis=1)")
    assert said.startswith("`dba` has shape (5, 1), and with `np.sum(dtanh,axis=1)` the result would have shape "
                           "(5, 5): `dba+=np.sum(dtanh,axis=1)` cannot store it"), said


def test_the_two_sides_of_an_operation_are_quoted_as_written():
    said = hints.named_sides_hint("operands could not be broadcast together with shapes (3,10) (5,10) ",
                                  '    z = x*parameters["Wy"]')
    assert said.startswith('`x` has shape (3, 10) and `parameters["Wy"]` has shape (5, 10)'), said


def test_a_list_method_assigned_is_quoted_as_written():
    said = hints.none_from_list_method_hint("AttributeError", "'NoneType' object has no attribute 'append'",
                                            "def f(x):\n    caches = caches.append( (a,b) )\n")
    assert said.startswith("`caches = caches.append( (a,b) )` sets `caches` to None"), said
    assert said.endswith("Write `caches.append( (a,b) )` alone."), said


def test_a_comparison_thrown_away_is_quoted_as_written():
    source = ("def run(x, a0):\n    a = np.zeros_like(x)\n    for t in range(x.shape[2]):\n"
              "        a[:,:,t]==a0\n    return a\n")
    said = " ".join(loophints.loop_mistake(source, first_line=1) or ())
    assert "`a[:,:,t]==a0` on line 4 compares the two" in said and "write `a[:,:,t] = a0`" in said, said


def test_a_print_instead_of_a_return_is_quoted_as_written():
    said = valuehints.printed_instead_hint('def f(x):\n    print("a_next:",x)\n', returned=("a_next",))
    assert 'It prints (`print("a_next:",x)`)' in said, said


def test_a_value_returned_in_another_order_is_quoted_as_written():
    functions = {"cell": 'def cell(x, p):\n    return p["cache"], p["a_next"]\n'}
    source = "def run(x, p):\n    a_next, cache = cell(x, p)\n    return cache[0]\n"
    said = stephints.returned_order_hint("    return cache[0]", source=source, functions=functions)
    assert 'your `cell` returns `p["a_next"]` 2nd (`return p["cache"], p["a_next"]`)' in said, said


def test_an_attribute_of_a_tuple_quotes_what_it_was_read_of_as_written():
    said = hints.attribute_hint("AttributeError", "'tuple' object has no attribute 'shape'",
                                '    n_x, m = caches[ 0 ].shape')
    assert said.startswith("`caches[ 0 ]` is a tuple here, where `.shape` needs a NumPy array"), said


def test_an_index_one_past_the_end_quotes_the_subscript_as_written():
    outcome = SimpleNamespace(error_type="IndexError",
                              message="index 4 is out of bounds for axis 2 with size 4")
    source = "def f(da):\n    n_a, m, T_x = da.shape\n    for t in range(T_x):\n        x = da[:,:,T_x]\n"
    said = hints.bounds_hint(outcome, "        x = da[:,:,T_x]", source=source)
    assert "`da[:,:,T_x]` asks for entry `T_x` of axis 2, one past its last" in said, said


def test_the_element_by_element_product_offered_is_written_with_the_students_sides():
    """The product a hint offers (``a * b``) was written by ``ast.unparse``: ``x[:, :, t] * da_next``
    for the student's ``x[:,:,t]``, ``c_prev['c'] * ft`` for ``c_prev["c"]`` (thirty-sixth session).
    Brackets only where Python needs them."""
    outcome = SimpleNamespace(error_type="ValueError",
                              message="shapes (5,10) and (5,10) not aligned: 10 (dim 1) != 5 (dim 0)")
    said = hints.numpy_call_hint(outcome, '    c_next = np.dot(ft, cache["c_prev"])')
    assert said.endswith('element by element, `ft * cache["c_prev"]`; `np.dot` and `@` are the matrix product, '
                         'which needs the columns of the first to match the rows of the second.'), said
    said = hints.matmul_hint("matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
                             "signature (n?,k),(k,m?)->(n?,m?) (size 5 is different from 10)",
                             left="da_next[:,:,t]", right="(1-a_next**2)", target="dtanh")
    assert "write `da_next[:,:,t] * (1-a_next**2)`." in said, said
    said = hints.product_beside_hint("operands could not be broadcast together with shapes (5,5) (5,10) ",
                                     '    c_next = np.dot(ft, c["prev"].T) + it*cct')
    assert said.endswith('element by element, `ft * c["prev"]`.'), said
    assert hints._times("a+b", "c") == "(a+b) * c" and hints._times("a", "b/c") == "a * (b/c)"
    assert hints._times("-a", "b") == "-a * b" and hints._times("a if k else b", "c") == "(a if k else b) * c"


def test_a_helper_call_is_quoted_as_written():
    source = ("def lstm_forward(x, a0, parameters):\n    c = np.zeros_like(a0)\n"
              '    a, c = step(x[:,:,0], c, a0, parameters["Wf"])\n    return a\n')
    functions = {"step": "def step(x, a, c, p):\n    return lstm_cell_forward(x, a, c, p)\n"}
    said = stephints.through_helper_hint(source, callee="lstm_cell_forward", functions=functions)
    assert '(line 3: `step(x[:,:,0], c, a0, parameters["Wf"])`)' in said, said


def test_code_over_several_lines_is_quoted_as_written_on_one_line():
    """``as_written`` quoted a node over several lines as ``ast.unparse`` writes it
    (``parameters['Wax']``, ``(a, b) = ...`` on Python 3.10), where the placeholders' notes joined the
    student's own lines: one reader of the student's text now (``hintcode.written_text``) serves both,
    and the code slips' notes (thirty-sixth session)."""
    import ast

    from grader import codeslips, hintcode, placeholders

    source = ('def f(x, parameters):\n    a, b = np.dot(parameters["Wax"],\n'
              '                  x[:,:,0]), \\\n        None\n'
              '    for t in range(\n            x.shape[2]):\n        pass\n    return a\n')
    fn = ast.parse(source).body[0]
    assign = fn.body[0]
    assert hintcode.as_written(assign, source) == 'a, b = np.dot(parameters["Wax"], x[:,:,0]), None'
    assert hintcode.quoted_head(fn.body[1], source) == "for t in range(x.shape[2])"
    assert placeholders._snippet(assign.value, source.split("\n")) == 'np.dot(parameters["Wax"], x[:,:,0]), None'
    said = valuehints.printed_instead_hint('def f(x):\n    print("a_next:",\n          x)\n', returned=("a_next",))
    assert 'It prints (`print("a_next:", x)`)' in said, said
    slip = codeslips.slips('def f(x, parameters):\n    n_y, n_a = parameters["Wy"]  # sizes\n    return n_y\n')
    assert [s.text for s in slip] == ['n_y, n_a = parameters["Wy"]'], slip


def test_a_loop_head_over_a_long_iterable_is_quoted_no_longer_than_any_quote():
    """``quoted_head`` read a ``for`` loop's header through ``written_text`` and quoted it whole:
    a header of 6,000 characters (an iterable written out) was quoted whole in the hint of an
    ``UnboundLocalError``, where ``as_written`` cuts every other quote at ``QUOTED`` characters."""
    from grader.hintcode import QUOTED

    iterable = "[" + ", ".join(str(i) for i in range(1500)) + "]"
    source = f"def f(x):\n    y = np\n    for np in {iterable}:\n        pass\n    return y\n"
    said = hints.shadowed_name_hint("UnboundLocalError",
                                    "cannot access local variable 'np' where it is not associated with a value",
                                    "    y = np", source=source)
    quoted = said.split("(line 3: `", 1)[1].split("`)", 1)[0]
    assert quoted.startswith("for np in [0, 1, 2, ") and quoted.endswith("1498, 1499]"), quoted
    assert len(quoted) <= QUOTED + len(" ... "), len(quoted)
    with_statement = f"def f(x):\n    y = np\n    with open({iterable!r}) as np:\n        pass\n    return y\n"
    said = hints.shadowed_name_hint("UnboundLocalError", "local variable 'np' referenced before assignment",
                                    "    y = np", source=with_statement)
    assert len(said.split("(line 3: `", 1)[1].split("`)", 1)[0]) <= QUOTED + len(" ... "), said


def test_a_hash_in_a_string_over_several_lines_is_not_taken_for_a_comment():
    """``written_text`` cut a line it continued past at its ``#`` unless a quote stood on that same
    line: the middle line of a string of three quotes (``# not a comment``) was dropped, and the
    hint quoted ``a = \"\"\"x \"\"\" + g(x)``, code the student never wrote."""
    import ast

    from grader import hintcode

    source = 'def f(x):\n    a = """x\n# not a comment\n""" + g(\n  x)  # a comment\n    return a\n'
    assign = ast.parse(source).body[0].body[0]
    quoted = hintcode.as_written(assign, source)
    assert "not a comment" in quoted and "a comment" not in quoted.replace("not a comment", ""), quoted
    plain = 'def f(x):\n    a = g(x,  # the input\n          x)\n    return a\n'
    assert hintcode.as_written(ast.parse(plain).body[0].body[0], plain) == "a = g(x, x)"  # a comment: left out


def test_the_two_sides_of_np_multiply_are_named_as_those_of_an_operator():
    # Left by the thirty-sixth session: np.multiply was not counted an operation, and a line holding one
    # (with a dot product inside it) was told NumPy's words only.
    message = "operands could not be broadcast together with shapes (3,10) (5,10) "
    said = hints.named_sides_hint(message, "    dxt = np.multiply(np.dot(Wax.T, dtanh), da_next)")
    assert said.startswith("`np.dot(Wax.T, dtanh)` has shape (3, 10) and `da_next` has shape (5, 10)"), said
    assert hints.named_sides_hint(message, "    d = numpy.subtract(a, b)").startswith("`a` has shape (3, 10)")
    # Two operations on the line (which one failed is not known), or a number for a side: nothing.
    assert hints.named_sides_hint(message, "    d = np.multiply(a, b) + c * e") == ""
    assert hints.named_sides_hint(message, "    d = np.multiply(2, b) * c").startswith(
        "`np.multiply(2, b)` has shape (3, 10) and `c` has shape (5, 10)")  # 2 is no array: the `*` is the one
    assert hints.named_sides_hint(message, "    d = np.dot(a, b)") == ""
