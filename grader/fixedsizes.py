"""Sizes written into a graded function as numbers: what its public cases cannot show.

A function that makes its arrays with the example's sizes (``np.zeros((5, 10, 4))``), loops a
fixed number of times (``range(4)``) or sets a size to a number (``n_y, n_a = 2, 5``) passes the
public case, whose sizes those are, and fails every hidden case, which use other sizes: the
self-check said "passed" of a function that lost four fifths of its points. :func:`fixed_sizes`
finds them in a function's source, never running it; the self-check says them under the function
(``grader.selfcheck``). Only numbers that are sizes of the rubric's public cases count (the 2 of
``a_next ** 2`` is not in a shape), and only where a size goes: the shape of a new array
(``np.zeros``, ``ones``, ``empty``, ``full``, ``random.randn``, ``random.rand``, ``reshape``) and
the bound of a ``range``.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from grader.astnodes import nodes
from grader.models import HIDDEN

__all__ = ["FixedSize", "example_sizes", "fixed_sizes", "sizes_written"]

#: Calls whose first argument is a shape; calls whose every positional argument is a size.
_SHAPE_FIRST = frozenset({"zeros", "ones", "empty", "full"})
_SIZES = frozenset({"randn", "rand", "reshape"})
#: A quoted line longer than this is shortened.
_SHOWN = 60


@dataclass(frozen=True)
class FixedSize:
    """One place of a function's source where a size is a number: ``line`` counts from the first
    line of the source given, ``code`` is that line (shortened), ``numbers`` the sizes written."""

    line: int
    code: str
    numbers: tuple[int, ...]


def example_sizes(rubric: Any, function: str) -> frozenset[int]:
    """The sizes (2 and more) of the public cases of the parts grading ``function``: those of the
    example the student ran, which a size written as a number can only be. What the batch's hint
    (``grader.runner``, whose rubric holds hidden cases too) and the self-check (a public rubric)
    read both."""
    return frozenset(size for part in rubric.parts if part.function == function for case in part.cases
                     if case.visibility != HIDDEN for size in case.dims.values() if size >= 2)


def fixed_sizes(source: str, function: str, *, sizes: frozenset[int]) -> tuple[FixedSize, ...]:
    """The places of ``def function`` in ``source`` (a cell, a file) that write one of ``sizes``
    (the public cases' dimensions, 2 and more) as a number where a size goes, in line order.
    Nothing when the source does not parse (nested too deep for ``ast`` too) or does not define
    ``function``."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # too deep for ast: as hints read it
        return ()
    defs = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.name == function]
    if not defs:
        return ()
    return sizes_written(defs[-1], source.splitlines(), sizes=sizes)  # the last definition is the one graded


def sizes_written(body: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str], *,
                  sizes: frozenset[int]) -> tuple[FixedSize, ...]:
    """:func:`fixed_sizes` of one parsed def, ``lines`` the text it was parsed from (its line
    numbers count in them): also what the batch's feedback says when a hidden case failed
    (``grader.valuehints.fixed_size_hint``). The def is walked once (``astnodes.nodes``, in
    ``ast.walk``'s order), for the names and for the calls."""
    every = nodes(body, {})
    bound = _names_bound_to_numbers(every, sizes)
    found: dict[int, dict[int, int]] = {}  # line -> column -> number
    for node in every:
        for expression in _size_arguments(node):
            for number, line, column in _numbers_in(expression, sizes, bound):
                found.setdefault(line, {})[column] = number
    return tuple(FixedSize(line=line, code=_shortened(lines[line - 1].strip() if line <= len(lines) else ""),
                           numbers=tuple(dict.fromkeys(n for _, n in sorted(numbers.items()))))
                 for line, numbers in sorted(found.items()))


def _size_arguments(node: ast.AST) -> list[ast.expr]:
    """The arguments of ``node`` that are sizes, if it is a call that takes some."""
    if not isinstance(node, ast.Call):
        return []
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name in _SHAPE_FIRST and node.args:
        return [node.args[0]] + [k.value for k in node.keywords if k.arg == "shape"]
    if name in _SIZES:
        return list(node.args)
    if name == "range" and node.args:  # its end: range(2, T_x) starts at 2, a count of no size
        return [node.args[0] if len(node.args) == 1 else node.args[1]]
    return []


def _numbers_in(expression: ast.expr, sizes: frozenset[int],
                bound: dict[str, tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """``(number, line, column)`` for each size written in ``expression``: a number itself (in a
    tuple of sizes, or alone), or a name the function set to one (then where it was set)."""
    items = expression.elts if isinstance(expression, (ast.Tuple, ast.List)) else [expression]
    found = []
    for item in items:
        if _is_size(item, sizes):
            found.append((item.value, item.lineno, item.col_offset))
        elif isinstance(item, ast.Name) and item.id in bound:
            found.append(bound[item.id])
    return found


def _names_bound_to_numbers(every: list[ast.AST], sizes: frozenset[int]) -> dict[str, tuple[int, int, int]]:
    """Names the function sets to a size as a number (``n_a = 5``, ``n_y, n_a = 2, 5``) and never to
    anything else: name -> (number, line, column of the number). ``every``: the function's nodes, in
    ``ast.walk``'s order."""
    bound: dict[str, tuple[int, int, int]] = {}
    other: set[str] = set()
    for node in every:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                pairs = (zip(target.elts, node.value.elts)
                         if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                         and len(target.elts) == len(node.value.elts) else [(target, node.value)])
                for name, value in pairs:
                    if isinstance(name, ast.Name):
                        if _is_size(value, sizes):
                            bound[name.id] = (value.value, value.lineno, value.col_offset)
                        else:
                            other.add(name.id)
                    else:
                        other.update(n.id for n in ast.walk(name) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.comprehension, ast.NamedExpr)):
            target = node.target
            other.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return {name: where for name, where in bound.items() if name not in other}


def _is_size(node: ast.AST, sizes: frozenset[int]) -> bool:
    """A whole number written as such, one of ``sizes``."""
    return (isinstance(node, ast.Constant) and type(node.value) is int and node.value >= 2
            and node.value in sizes)


def _shortened(code: str) -> str:
    """``code`` as quoted: at most :data:`_SHOWN` characters."""
    return code if len(code) <= _SHOWN else code[: _SHOWN - 3] + "..."
