"""One breadth-first walk over a Python syntax tree, for the modules that walk many trees.

``ast.walk`` looks up every node's fields through ``ast.iter_fields`` and keeps a
deque; the walkers of the IMDB bonus (``grader.imdb.source``) and of the
similarity check (``grader.similarity.normalise``) run it over thousands of
trees, so they share this one, which reads each node type's fields from a table.
"""
from __future__ import annotations

import ast
from typing import Mapping

__all__ = ["nodes"]


def nodes(node: ast.AST, children: Mapping[type, tuple[str, ...]]) -> list[ast.AST]:
    """``node`` and every node below it, in ``ast.walk``'s order (breadth first, each node's
    fields in order), following only the fields ``children`` names for a node's type, or all
    of its ``_fields`` for a type the table does not name."""
    out = [node]
    append, node_type = out.append, ast.AST
    for current in out:  # the list grows while it is read: breadth first
        fields = children.get(type(current))
        if fields is None:
            fields = type(current)._fields
        for name in fields:
            value = getattr(current, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, node_type):
                        append(item)
            elif isinstance(value, node_type):
                append(value)
    return out
