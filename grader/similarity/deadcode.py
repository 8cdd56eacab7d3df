"""Step 3 of the normaliser (:mod:`grader.similarity.normalise`): code whose result nothing reads
is removed, to a fixed point: assignments never read or overwritten before a read, loops and ``if``
blocks left empty, unused imports and nested functions."""
from __future__ import annotations

import ast

from grader.similarity.nodetext import MUTATORS, loaded_names, statement_blocks, target_base
from grader.similarity.rewrite import is_float64
from grader.similarity.syntax import stored_names, subnodes, tally


def _has_side_effect(expr: ast.AST) -> bool:
    """True if ``expr`` calls a mutating method (``lst.pop()``, ``d.update(...)``) or uses ``yield``/``await``."""
    for n in subnodes(expr):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in MUTATORS:
            return True
        if isinstance(n, (ast.Yield, ast.YieldFrom, ast.Await, ast.NamedExpr)):
            return True
    return False


def _assign_targets_dead(stmt: ast.Assign, used: set[str], protected: set[str]) -> bool:
    """True if every variable an assignment writes is never read."""
    bases = []
    for target in stmt.targets:
        elts = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
        for elt in elts:
            base = target_base(elt)
            if base is None:
                return False
            bases.append(base)
    for base in bases:
        if base in used or base in protected:
            return False
    return True


def remove_dead_code(func: ast.AST, counts: tuple[dict[str, int], dict[str, int], dict[str, int]] | None = None,
                      protected: set[str] | None = None) -> tuple[dict[str, int], dict[str, int]]:
    """Remove statements whose results are never used, to a fixed point (modifies ``func``).

    Returns how often each name is left in ``func``: as a ``Name`` node of any context and as
    bound (``tally``), from which ``counted_locals`` gives ``local_names(func)`` without
    walking the tree again. ``counts`` and ``protected``: ``func``'s ``tally`` and the names of
    its ``global`` and ``nonlocal`` statements if known (``Rewriter`` keeps them); ``counts``
    is updated in place.

    Each round removes what is dead given the names read anywhere in what is left (``used``).
    The reads are counted once and the counts lowered as statements go, instead of walking
    the tree again each round; and a round is known to change nothing, and is not run, when
    the previous one left every read name read (so no more statement is dead: a sweep removes
    everything dead under a set of names at once) and removed no statement as overwritten
    (which can make an earlier assignment overwritten in turn). Each block is swept and then
    rid of overwritten assignments in one walk (see ``_sweep_block``).
    """
    if counts is None:
        counts, protected = ({}, {}, {}), set()
        tally(func, counts, 1, protected)  # global and nonlocal statements are never removed: one look is enough
    protected = set(protected or ()) | {n.name for n in getattr(func, "body", [])
                                       if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    loads = counts[0]
    for _ in range(20):
        used = {name for name, count in loads.items() if count}
        swept, overwritten = _sweep_block(func, used, protected, counts)
        if not (swept or overwritten):
            break
        if not overwritten and all(loads[name] for name in used):
            break  # the next round would change nothing
    return counts[1], counts[2]


def _sweep_block(node: ast.AST, used: set[str], protected: set[str],
                 counts: tuple[dict[str, int], dict[str, int], dict[str, int]]) -> tuple[bool, bool]:
    """One round of dead-statement removal over the blocks below ``node``: whether a statement
    went as dead (given ``used``), and whether one went as overwritten (``_drop_overwritten``).

    Each block is swept, its nested blocks first, and then rid of its overwritten
    assignments. That is what a sweep of the whole tree and then a pass for overwritten
    assignments did: whether a statement is dead depends on ``used``, its own expressions
    and whether its blocks are empty, and removing overwritten assignments empties no block
    (the last assignment of a name stays); a block's overwritten assignments depend on its
    own simple statements only. ``counts``: the name counts (``tally``), lowered for every
    statement removed.
    """
    swept = overwritten = False
    # A class body's statements bind attributes, read as ``obj.forward``, never as a name: a
    # classmate's function copied as a method (``Cell().forward(xt, a_prev, parameters)``) went
    # as an unused def, and the class was compared as ``ClassDef }`` (thirty-first session).
    in_class = type(node) is ast.ClassDef
    for field, block in list(statement_blocks(node)):
        kept = []
        for stmt in block:
            inner_swept, inner_overwritten = _sweep_block(stmt, used, protected, counts)
            swept = swept or inner_swept
            overwritten = overwritten or inner_overwritten
            if not in_class and _is_dead(stmt, used, protected):
                swept = True
                tally(stmt, counts, -1)
                continue
            kept.append(stmt)
        if not kept and field == "body" and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            kept = [ast.copy_location(ast.Pass(), node)]
        block[:] = kept
        if _drop_overwritten(block, counts):
            overwritten = True
    return swept, overwritten


def _is_dead(stmt: ast.stmt, used: set[str], protected: set[str]) -> bool:
    """True if removing ``stmt`` cannot change what the function returns or mutates."""
    if isinstance(stmt, ast.Assign):
        kind = type(stmt.value)
        if ((kind is ast.Name or kind is ast.Call) and len(stmt.targets) == 1 and type(stmt.targets[0]) is ast.Name
                and stmt.targets[0].id not in protected and _same_value_of(stmt.value) == stmt.targets[0].id):
            return True  # ``x = x`` (``x = x * 1`` once rewritten), ``x = np.asarray(x)`` change nothing
        return _assign_targets_dead(stmt, used, protected) and not _has_side_effect(stmt.value)
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        return not stmt.body and not stmt.orelse
    if isinstance(stmt, ast.While):
        return not stmt.body and not stmt.orelse
    if isinstance(stmt, ast.If):
        return not stmt.body and not stmt.orelse and not _has_side_effect(stmt.test)
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return all((a.asname or a.name).split(".")[0] not in used for a in stmt.names)
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return stmt.name not in used and stmt.name not in protected
    return False


#: Functions whose value, given an array (a dict) alone, holds what it holds (``np.asarray(x)``,
#: ``copy.deepcopy(parameters)``), by module and name.
_SAME_VALUE_CALLS = frozenset({("np", "asarray"), ("np", "asanyarray"), ("np", "array"), ("np", "copy"),
                               ("np", "ascontiguousarray"), ("copy", "copy"), ("copy", "deepcopy")})


def _same_value_of(value: ast.AST) -> str | None:
    """The name whose value ``value`` is, element for element: ``x``, ``np.asarray(x)`` (or
    ``np.array``, ``np.copy``, ``copy.deepcopy``...), ``dict(x)``, ``x.copy()``, ``x.astype(float)``; else None. A copy converting
    a value it computed to what it was (``a_next = np.asarray(a_next)``) scored 0.62-0.73 against
    its original (thirty-fifth session). Only the name's own assignment goes (``x = conv(x)``):
    ``a_next = a0.copy()`` or ``np.asarray`` of another value is how honest students differ."""
    kind = type(value)
    if kind is ast.Name:
        return value.id
    if kind is not ast.Call or value.keywords:
        return None
    if type(value.func) is ast.Name:  # ``parameters = dict(parameters)``: 0.57
        args = value.args
        return args[0].id if value.func.id == "dict" and len(args) == 1 and type(args[0]) is ast.Name else None
    if type(value.func) is not ast.Attribute:
        return None
    func, args = value.func, value.args
    if type(func.value) is ast.Name and (func.value.id, func.attr) in _SAME_VALUE_CALLS:
        return args[0].id if len(args) == 1 and type(args[0]) is ast.Name else None
    if type(func.value) is ast.Name and (
            (func.attr == "copy" and not args) or (func.attr == "astype" and len(args) == 1 and is_float64(args[0]))):
        return func.value.id
    return None


def _drop_overwritten(block: list[ast.stmt], counts: tuple[dict[str, int], dict[str, int], dict[str, int]]) -> bool:
    """Remove ``x = ...`` when a later statement of ``block`` rebinds ``x`` before any read; True if one went.

    ``counts``: the name counts (``tally``), lowered for every statement removed.
    """
    simple_targets = [st.targets[0].id for st in block
                      if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name)]
    if len(simple_targets) == len(set(simple_targets)):
        return False  # no name is rebound by a simple assignment in this block
    rebound = {name for name in simple_targets if simple_targets.count(name) > 1}
    facts: dict[int, tuple[set[str], set[str]]] = {}  # the statements a scan reaches, walked once
    doomed = set()
    for i, stmt in enumerate(block):
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            continue
        name = stmt.targets[0].id
        if name not in rebound or _has_side_effect(stmt.value):
            continue  # only a later simple assignment of the same name can doom it
        for j in range(i + 1, len(block)):
            later = block[j]
            if not isinstance(later, (ast.Assign, ast.Expr)):
                break  # whether it reads or writes the name or not, the scan stops here
            found = facts.get(j)
            if found is None:
                found = facts[j] = (loaded_names(later), stored_names(later))
            loads, stores = found
            if name in loads:
                break
            if isinstance(later, ast.Assign):
                if len(later.targets) == 1 and isinstance(later.targets[0], ast.Name) and later.targets[0].id == name:
                    doomed.add(i)
                    break
                if name in stores:
                    break
            elif name in stores or not isinstance(later, ast.Expr):
                break
    if not doomed:
        return False
    for i in doomed:
        tally(block[i], counts, -1)
    block[:] = [s for i, s in enumerate(block) if i not in doomed]
    return True
