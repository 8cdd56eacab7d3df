"""What the normaliser's steps share (:mod:`grader.similarity.normalise`,
:mod:`grader.similarity.specialise`): walking a function's tree, the names it binds and how
often each is read, the defs of a text, a def's parameters, and how many arguments the grader
passes each graded function."""
from __future__ import annotations

import ast
from typing import Iterable

from grader.astnodes import nodes




def ast_classes() -> list[type]:
    """Every concrete node class of the ``ast`` module."""
    out: list[type] = []
    stack = [ast.AST]
    while stack:
        cls = stack.pop()
        out.append(cls)
        stack.extend(cls.__subclasses__())
    return out


#: Fields that never hold a node, or hold only contexts and operators (which the walks do not need).
NOT_CHILDREN = frozenset({"ctx", "op", "ops", "type_comment", "kind", "id", "attr", "arg", "name",
                           "module", "level", "asname", "conversion", "is_async"})  # not "names": Import.names holds alias nodes


CHILD_FIELDS = {cls: () if cls is ast.Constant else tuple(f for f in cls._fields if f not in NOT_CHILDREN)
                 for cls in ast_classes()}


def subnodes(node: ast.AST) -> list[ast.AST]:
    """Every node below and including ``node`` (like ``ast.walk``, faster; ``grader.astnodes``).

    Expression contexts and operator nodes are not included (no caller looks for them).
    """
    return nodes(node, CHILD_FIELDS)


def stored_names(node: ast.AST) -> set[str]:
    """Every name bound anywhere inside ``node`` (assignments, loop targets, defs, imports, params)."""
    names: set[str] = set()
    for n in subnodes(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            names.add(n.id)
        elif isinstance(n, ast.arg):
            names.add(n.arg)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, ast.alias):
            names.add((n.asname or n.name).split(".")[0])
        elif isinstance(n, ast.ExceptHandler) and n.name:
            names.add(n.name)
    return names


def tally(node: ast.AST, counts: tuple[dict[str, int], dict[str, int], dict[str, int]], step: int,
           protected: set[str] | None = None) -> None:
    """Add ``step`` to the counts of the names in ``node``.

    ``counts``: reads (``Name`` in a ``Load`` context), ``Name`` nodes of any context, and
    bindings as ``_local_names`` finds them; ``step`` is -1 for a statement being removed.
    ``protected`` gets the names of ``global`` and ``nonlocal`` statements.
    """
    tally_nodes(subnodes(node), counts, step, protected)


def tally_nodes(found: Iterable[ast.AST], counts: tuple[dict[str, int], dict[str, int], dict[str, int]], step: int,
                 protected: set[str] | None = None) -> None:
    """``tally`` of the nodes ``found`` (without what is below them)."""
    loads, named, stored = counts
    Name, Load, Global, Nonlocal, binding = ast.Name, ast.Load, ast.Global, ast.Nonlocal, TALLIED
    for n in found:
        kind = type(n)
        if kind not in binding:
            continue
        if kind is Name:
            name = n.id
            named[name] = named.get(name, 0) + step
            if type(n.ctx) is Load:
                loads[name] = loads.get(name, 0) + step
            else:
                stored[name] = stored.get(name, 0) + step
            continue
        if kind is ast.arg:
            name = n.arg
        elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef or kind is ast.ClassDef:
            name = n.name
        elif kind is ast.alias:
            name = (n.asname or n.name).split(".")[0]
        elif kind is ast.ExceptHandler and n.name:
            name = n.name
        else:
            if protected is not None and (kind is Global or kind is Nonlocal):
                protected.update(n.names)
            continue
        stored[name] = stored.get(name, 0) + step


#: The node classes ``tally`` looks at (most nodes are none of these).
TALLIED = frozenset({ast.Name, ast.arg, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.alias,
                      ast.ExceptHandler, ast.Global, ast.Nonlocal})


def all_args(args: ast.arguments) -> list[ast.arg]:
    """Parameters of a def or lambda in positional order."""
    out = list(getattr(args, "posonlyargs", [])) + list(args.args)
    if args.vararg:
        out.append(args.vararg)
    out.extend(args.kwonlyargs)
    if args.kwarg:
        out.append(args.kwarg)
    return out


def defs_of(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The defs of a text: those at its top level, then the methods of its top-level classes."""
    units = [s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return units + [m for c in tree.body if isinstance(c, ast.ClassDef)
                    for m in c.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
