"""Expressions too deep for the normaliser's recursive passes, made shallow.

A sum of about a thousand terms parses, runs and is graded, but the normaliser's passes walk a
tree one level (a few frames) at a time: within their budget (``grader.astnodes.stack_budget``)
such a text raised ``RecursionError`` and was compared as a plain token stream, with nothing
normalised. One dead statement (``junk = 0 + 0 + ...``, 1,200 terms) added to a classmate's
function so took the pair from 1.0 to 0.00 (thirty-seventh session). ``normalise`` tries a text
as it is first; only when its passes run out of stack does it make the text's deep expressions
shallow here and try again, so no text the passes could walk changes.

* a chain of ``+`` and ``-`` (``*``, ``@``, ``|``, ``&``, ``^``: one operator each) becomes a
  balanced tree of the same operands in the same order: ``a - b - c`` is ``a - (b + c)``;
* a chain of unary ``-`` and ``+`` is its operand, negated when the ``-`` are odd in number;
* when the passes still run out of stack (the canoniser nests a chain of live operands again
  to sort them), a long chain is ``DEEP_NAME`` itself;
* an expression still deeper than ``DEEPEST`` (calls of calls, attributes of attributes) is
  ``DEEP_NAME``, a name no text binds: the statement around it stays, and goes as dead code when
  what it assigns is never read.

The walks here are iterative, as deep as the tree is.
"""
from __future__ import annotations

import ast

#: A chain of binary operators longer than this is made a balanced tree (at most a few levels deep).
CHAIN = 32
#: An expression higher than this, once the chains are balanced, is replaced by ``DEEP_NAME``.
DEEPEST = 100
#: What an expression too deep to read becomes.
DEEP_NAME = "__deep_expression__"

_GROUPS = {ast.Add: "+-", ast.Sub: "+-", ast.Mult: "*", ast.MatMult: "@", ast.BitOr: "|",
           ast.BitAnd: "&", ast.BitXor: "^"}


def make_shallow(tree: ast.AST, *, keep_chains: bool = True) -> None:
    """Make ``tree``'s deep expressions shallow (in place; the module docstring says how).
    ``keep_chains``: False makes a long chain ``DEEP_NAME`` too, not a balanced tree (the
    canoniser nests a chain of live operands again to sort them: ``x + y + x + ...`` in a
    return ran out of stack balanced too)."""
    _replace_children(tree, _balanced_child if keep_chains else _chain_named)
    heights = _heights(tree)
    _replace_children(tree, lambda child: ast.Name(id=DEEP_NAME, ctx=ast.Load())
                      if isinstance(child, ast.expr) and heights.get(id(child), 0) > DEEPEST else None)
    ast.fix_missing_locations(tree)  # the balanced trees' new nodes take their parents' lines


def _replace_children(tree: ast.AST, replacement) -> None:
    """Every child of every node, top down, given to ``replacement``: what it returns (not None)
    takes the child's place, and what is below that is walked in turn."""
    stack = [tree]
    while stack:
        node = stack.pop()
        for field, value in ast.iter_fields(node):
            if isinstance(value, ast.AST):
                new = replacement(value)
                if new is not None:
                    setattr(node, field, ast.copy_location(new, value))
                    value = new
                stack.append(value)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, ast.AST):
                        new = replacement(item)
                        if new is not None:
                            value[i] = item = ast.copy_location(new, item)
                        stack.append(item)


def _heights(tree: ast.AST) -> dict[int, int]:
    """id(node) -> the height of its subtree (1 for a leaf), for every node of ``tree``."""
    order = [tree]
    for node in order:  # breadth first: every node after its parent
        order.extend(ast.iter_child_nodes(node))
    heights: dict[int, int] = {}
    for node in reversed(order):
        heights[id(node)] = 1 + max((heights[id(c)] for c in ast.iter_child_nodes(node)), default=0)
    return heights


def _chain_named(node: ast.AST) -> ast.expr | None:
    """``DEEP_NAME`` for a long chain of one operator (or of unary signs); None for other nodes."""
    return None if _balanced_child(node) is None else ast.Name(id=DEEP_NAME, ctx=ast.Load())


def _balanced_child(node: ast.AST) -> ast.expr | None:
    """The shallow form of a long chain of one operator (or of unary signs); None for other nodes."""
    if type(node) is ast.UnaryOp and type(node.op) in (ast.USub, ast.UAdd) and type(node.operand) is ast.UnaryOp:
        negated, inner = False, node
        while type(inner) is ast.UnaryOp and type(inner.op) in (ast.USub, ast.UAdd):
            negated ^= type(inner.op) is ast.USub
            inner = inner.operand
        return ast.UnaryOp(op=ast.USub(), operand=inner) if negated else inner
    if type(node) is not ast.BinOp or type(node.op) not in _GROUPS:
        return None
    group = _GROUPS[type(node.op)]
    terms: list[tuple[bool, ast.expr]] = []  # (subtracted, operand), in the text's order
    stack: list[tuple[bool, ast.expr]] = [(False, node)]
    while stack:
        negated, current = stack.pop()
        if type(current) is ast.BinOp and _GROUPS.get(type(current.op)) == group:
            flip = type(current.op) is ast.Sub
            stack.append((negated ^ flip, current.right))
            stack.append((negated, current.left))
        else:
            terms.append((negated, current))
    if len(terms) <= CHAIN:
        return None
    op = type(node.op) if group != "+-" else ast.Add
    added = _balanced([t for negated, t in terms if not negated], op)
    taken = _balanced([t for negated, t in terms if negated], op)
    if taken is None:
        return added
    if added is None:
        return ast.UnaryOp(op=ast.USub(), operand=taken)
    return ast.BinOp(left=added, op=ast.Sub(), right=taken)


def _balanced(operands: list[ast.expr], op: type) -> ast.expr | None:
    """``operands`` joined by ``op`` as a balanced tree (None for none), built bottom up."""
    level = list(operands)
    if not level:
        return None
    while len(level) > 1:
        level = [ast.BinOp(left=level[i], op=op(), right=level[i + 1]) if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
    return level[0]
