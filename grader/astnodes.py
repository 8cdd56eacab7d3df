"""One breadth-first walk over a Python syntax tree, for the modules that walk many trees;
and one recursion budget for the modules that walk them recursively.

``ast.walk`` looks up every node's fields through ``ast.iter_fields`` and keeps a
deque; the walkers of the IMDB bonus (``grader.imdb.source``) and of the
similarity check (``grader.similarity.normalise``) run it over thousands of
trees, so they share this one, which reads each node type's fields from a table.

``stack_budget`` gives a parse and a recursive walk the same room wherever they are called
from (the normaliser's and the extraction's answers to a deep tree were the caller's depth's).
"""
from __future__ import annotations

import ast
import contextlib
import re
import sys
from typing import Iterator, Mapping

__all__ = ["nodes", "only_delegates", "stack_budget", "STACK_BUDGET"]

#: Recursion levels ``stack_budget`` gives the work below it, wherever it is called from. With
#: the interpreter's limit alone, how deep a tree could be before RecursionError was counted from
#: the caller's depth: a sum of about 480 terms was normalised from a shallow stack and fell back
#: to tokens 80 frames deeper (review of the twenty-fifth session), and a constant of about 950
#: terms was kept by the extraction at depth 0 and left out 80 frames deeper (the twenty-sixth),
#: so a worker, a similarity helper and ``check()`` in a Jupyter kernel could each decide one
#: source its own way. 1,000, the interpreter's default limit, so the limit set is never below
#: that default (another thread of the process keeps at least the room it had).
STACK_BUDGET = 1000
#: How ``sys.setrecursionlimit`` names the depth at which it refuses a limit (CPython 3.11-3.13).
_REFUSED_AT = re.compile(r"at the recursion depth (\d+)")


@contextlib.contextmanager
def stack_budget(levels: int = STACK_BUDGET) -> Iterator[None]:
    """Within the block, the recursion limit is this thread's depth + ``levels``; the limit it
    was is put back after. Where the depth cannot be read (another interpreter), the limit is
    left alone. Not for threads that run such blocks at once: the limit is the process's."""
    depth = _recursion_depth()
    if depth is None:
        yield
        return
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + levels)
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def _recursion_depth() -> int | None:
    """This thread's recursion depth as the interpreter counts it (Python frames and the C calls
    that count too: counting frames would miss those), read from the error
    ``sys.setrecursionlimit`` gives for a limit of 1, which it refuses without changing anything;
    None where the message does not say (another interpreter): the limit is then left alone."""
    previous = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(1)
    except RecursionError as exc:
        found = _REFUSED_AT.search(str(exc))
        return int(found.group(1)) if found else None
    sys.setrecursionlimit(previous)  # accepted (no interpreter does, a function deep): put back
    return None


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


#: What a statement of a function that only delegates (``only_delegates``) may hold.
_DELEGATING_NODES = (ast.Return, ast.Assign, ast.Expr, ast.Name, ast.Tuple, ast.List, ast.Dict, ast.Call, ast.Attribute,
                     ast.Load, ast.Store, ast.Starred, ast.keyword, ast.Constant)


def only_delegates(body: list[ast.stmt], *, by_name: bool = False) -> bool:
    """Whether the statements of a def's ``body`` only call functions and pass their results on (a
    docstring aside: no loop, branch, arithmetic or subscript), ``return _step(xt, a_prev,
    parameters)``: the grader's ``gradedsource._only_delegates``. ``by_name``: and every call is of a
    plain name (``f9(...)``, not ``np.tanh(np.dot(W, x))``), a relay the runner puts after the
    work it reaches and the similarity normaliser leaves out (``gradedsource._delegated_text``,
    ``specialise.specialise_for_calls``)."""
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    # One walk that stops at the first node of work (a loop is found at once): since the twenty-ninth
    # session most graded functions that call another are asked (``gradedsource._compared_text``).
    calls = False
    for stmt in body:
        for node in ast.walk(stmt):
            if not isinstance(node, _DELEGATING_NODES):
                return False
            if isinstance(node, ast.Call):
                if by_name and not isinstance(node.func, ast.Name):
                    return False
                calls = True
    return calls


def lambda_as_def(stmt: ast.stmt) -> ast.FunctionDef | None:
    """``def name(a, ...): return value`` for ``stmt`` when it is ``name = lambda a, ...: value`` (one
    name bound, positional parameters without defaults), else None: a lambda bound at the notebook's
    top level is a one-line helper (``grader.similarity.inline.inline_helpers``; the text compared
    holds it when the graded def's calls of it can be put in place, ``gradedsource._inlined_helpers``).
    A copy calling
    ``act = lambda z: np.tanh(z)`` bound in another cell scored 0.41 (thirty-sixth session)."""
    if not (type(stmt) is ast.Assign and len(stmt.targets) == 1 and type(stmt.targets[0]) is ast.Name
            and type(stmt.value) is ast.Lambda):
        return None
    args = stmt.value.args
    if args.posonlyargs or args.vararg or args.kwonlyargs or args.kwarg or args.defaults:
        return None
    body = [ast.copy_location(ast.Return(stmt.value.body), stmt.value.body)]
    unit = ast.FunctionDef(name=stmt.targets[0].id, args=args, body=body, decorator_list=[], returns=None,
                           type_comment=None)
    return ast.copy_location(unit, stmt)
