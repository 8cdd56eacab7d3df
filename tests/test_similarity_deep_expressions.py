"""Expressions too deep for the normaliser's recursive passes (``grader.similarity.deepexpr``).

A copy given one statement a thousand terms long parsed, ran and passed, while the normaliser ran
out of stack and compared it as plain tokens: against the classmate it copied, 0.00 on main (f03c756)
for each case below (no pair). Now the deep expression is made shallow and the text normalised as any.
"""
from __future__ import annotations

import ast

import pytest

from grader.similarity.deepexpr import DEEP_NAME, make_shallow
from grader.similarity.normalise import normalise_function
from tests.copies import body_tokens, edited_copy_flagged

_A = "    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)\n"

#: case -> (function, old, new) in the course's cell; each 0.00 on main.
CASES = {
    "dead_sum_of_zeros": ("rnn_cell_forward", _A, _A + "    junk = " + " + ".join(["0"] * 1200) + "\n"),
    "zeros_added_in_the_line": ("rnn_cell_forward", "+ ba)", "+ ba + (" + " + ".join(["0"] * 1200) + "))"),
    "dead_difference_of_names": ("rnn_cell_forward", _A, _A + "    junk = " + " - ".join(["a_prev"] * 1200) + "\n"),
    "dead_attribute_chain": ("rnn_cell_forward", _A, _A + "    junk = xt" + ".T" * 1200 + "\n"),
    "signs_in_the_line": ("rnn_cell_forward", "+ ba)", "+ " + "-" * 1000 + "ba)"),
}


@pytest.mark.parametrize("how", sorted(CASES))
def test_a_copy_with_a_deep_expression_is_flagged(tmp_path, context, sandbox, how):
    function, old, new = CASES[how]
    report = edited_copy_flagged(tmp_path, how, function, old, new, context=context, sandbox=sandbox)
    assert report.pairs[0].overall == 1.0, report.pairs


def test_a_deep_text_is_normalised_not_tokenised():
    deep = "    z = " + " + ".join(["x", "y"] * 600) + "\n    return z\n"
    code = normalise_function("def f(x, y):\n" + deep)
    assert code.parsed
    # A chain of live operands is read as one value when balanced it is still too deep (the
    # canoniser nests it again to sort it): the rest of the function is normalised.
    assert body_tokens(deep.replace("return z", "return z * y")) == body_tokens(deep.replace("return z", "return y * z"))
    assert body_tokens(deep.replace("return z", "return z @ y")) != body_tokens(deep.replace("return z", "return z - y"))
    # A sum of zeros is zero, and signs cancel, as written shallow.
    assert body_tokens("    return x + (" + " + ".join(["0"] * 1200) + ")\n") == body_tokens("    return x\n")
    assert body_tokens("    return y + " + "-" * 1000 + "x\n") == body_tokens("    return y + x\n")
    assert body_tokens("    return y + " + "-" * 999 + "x\n") == body_tokens("    return y + -x\n")


def test_make_shallow_keeps_the_operands_and_their_order():
    tree = ast.parse("z = " + " - ".join("a%d" % i for i in range(100)) + " + b * c\n")
    make_shallow(tree)
    names = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id != "z"]
    assert sorted(names) == sorted(["a%d" % i for i in range(100)] + ["b", "c"])
    assert ast.unparse(tree).startswith("z = a0 + b * c - (a1 + a2")  # the recursive unparser walks it
    value = eval(compile(ast.Expression(tree.body[0].value), "<t>", "eval"),
                 {**{"a%d" % i: i for i in range(100)}, "b": 2, "c": 3})
    assert value == 0 - sum(range(1, 100)) + 6
    # What cannot be balanced (the parser takes 200 parentheses deep at most) and is still too deep is one name; a short chain is left alone.
    calls = ast.parse("z = " + "f(" * 150 + "x" + ")" * 150 + "\nw = a + b + c\n")
    make_shallow(calls)
    assert ast.unparse(calls) == f"z = {DEEP_NAME}\nw = a + b + c"
