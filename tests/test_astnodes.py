"""grader.astnodes.nodes: ast.walk's nodes in ast.walk's order, or only the fields a table names."""
import ast

from grader.astnodes import nodes

SOURCE = """
def f(x, y=1, *a, **k):
    z = [i ** 2 for i in range(x) if i % 2]
    with open(y) as fh:
        return {k: v for k, v in zip(z, fh)} or (lambda q: (q, x[1:2], -y))
class C(Base, metaclass=M):
    @decorator
    async def g(self):
        try:
            await h()
        except (ValueError, KeyError) as exc:
            raise RuntimeError from exc
"""


def test_without_a_table_the_nodes_are_ast_walks_in_its_order():
    tree = ast.parse(SOURCE)
    assert nodes(tree, {}) == list(ast.walk(tree))
    for node in ast.walk(tree):
        assert nodes(node, {}) == list(ast.walk(node))


def test_a_table_limits_the_fields_followed():
    tree = ast.parse("a = b + c\n")
    no_contexts = {ast.Name: (), ast.BinOp: ("left", "right")}
    kinds = [type(n).__name__ for n in nodes(tree, no_contexts)]
    assert kinds == ["Module", "Assign", "Name", "BinOp", "Name", "Name"]
    assert "Load" in [type(n).__name__ for n in nodes(tree, {})]
