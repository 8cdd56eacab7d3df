"""How a function reads NumPy and the sizes of its arrays, made one spelling for the normaliser
(:mod:`grader.similarity.normalise`): NumPy's attributes through aliases (``t = np.tanh``), lookups
hoisted into locals or written in place, a shape read whole or item by item, and the helpers that
put an expression in a name's place."""
from __future__ import annotations

import ast
import copy
from typing import Callable

from grader.similarity.nodetext import MUTATORS, loaded_names, target_base
from grader.similarity.syntax import CHILD_FIELDS, all_args, defs_of, subnodes, tally


#: NumPy's functions a student reads bare after ``from numpy import ...`` (or ``*``): such a name
#: that the text does not bind reads as ``np.<name>`` (``canonical_reads``). Names of builtins
#: (``sum``, ``max``, ``abs``...) are left out: read free, they are the builtins.
NUMPY_NAMES = frozenset({
    "tanh", "exp", "log", "sqrt", "dot", "matmul", "multiply", "add", "subtract", "divide", "power", "square",
    "zeros", "zeros_like", "ones", "ones_like", "empty", "transpose", "concatenate", "vstack", "hstack",
    "outer", "maximum", "minimum", "reshape", "mean", "tile", "clip", "argmax"})
#: Modules an alias may name an attribute of (``t = np.tanh``, ``_alias_of``).
_MODULES = frozenset({"np", "numpy", "math"})


def split(stmt: ast.stmt) -> list[ast.stmt]:
    """The assignments ``stmt`` stands for: ``[stmt]`` but for a tuple (a list) of names assigned as
    many values none of them reads, ``a, b = x, y``, which is ``a = x`` then ``b = y``; a
    comprehension over a tuple of constants (``[p[k] for k in ("a", "b")]``) is the tuple of its
    items. A copy spelling the parameters' five lookups as one assignment scored 0.22 against its
    original, as a comprehension it gave no pair (thirty-second session); a ``map`` of the lookups too
    (``mapped_lookups``, thirty-sixth session)."""
    if type(stmt) is not ast.Assign or len(stmt.targets) != 1 or type(stmt.targets[0]) not in (ast.Tuple, ast.List):
        return [stmt]
    names = stmt.targets[0].elts
    if not all(type(n) is ast.Name for n in names) or len({n.id for n in names}) != len(names):
        return [stmt]
    value = stmt.value
    if type(value) in (ast.ListComp, ast.GeneratorExp) and len(value.generators) == 1:
        loop = value.generators[0]
        if (type(loop.target) is ast.Name and not loop.ifs and not loop.is_async
                and type(loop.iter) in (ast.Tuple, ast.List) and len(loop.iter.elts) == len(names)
                and all(type(e) is ast.Constant for e in loop.iter.elts)):
            items = []
            for item in loop.iter.elts:
                elt = ast.Expr(copy.deepcopy(value.elt))
                swap(elt, reads_as({loop.target.id: item}))
                items.append(elt.value)
            value = ast.copy_location(ast.Tuple(items, ast.Load()), value)
    if type(value) is ast.Call:
        value = mapped_lookups(value, len(names)) or value
    if type(value) not in (ast.Tuple, ast.List) or len(value.elts) != len(names):
        return [stmt]
    if any(type(e) is ast.Starred for e in value.elts) or {n.id for n in names} & loaded_names(value):
        return [stmt]
    return [ast.copy_location(ast.Assign(targets=[name], value=item), stmt) for name, item in zip(names, value.elts)]


#: What binds names of its own inside an expression (its parameter read there is not the lambda's).
_SCOPES = frozenset({ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.NamedExpr})


def mapped_lookups(value: ast.Call, count: int | None = None) -> ast.Tuple | None:
    """``map(p.get, ("a", "b"))`` (or ``p.__getitem__``, ``lambda k: p[k]``) of constant keys
    (``count`` of them when given) as the tuple of its items, ``(p["a"], p["b"])`` (the lambda's
    value with its parameter read as each key); else None. A copy unpacking the parameters' five
    lookups from such a ``map`` gave no pair (thirty-sixth session); from ``list`` of it (the
    ``Rewriter``), no pair either (thirty-eighth session)."""
    if not (type(value.func) is ast.Name and value.func.id == "map" and len(value.args) == 2 and not value.keywords):
        return None
    func, keys = value.args
    if not (type(keys) in (ast.Tuple, ast.List) and (count is None or len(keys.elts) == count)
            and all(type(e) is ast.Constant for e in keys.elts)):
        return None
    if type(func) is ast.Attribute and func.attr in ("get", "__getitem__") and type(func.value) is ast.Name:
        items = [ast.copy_location(ast.Subscript(ast.Name(func.value.id, ast.Load()), key, ast.Load()), value)
                 for key in keys.elts]
    elif type(func) is ast.Lambda:
        args = func.args
        if (args.posonlyargs or args.vararg or args.kwonlyargs or args.kwarg or args.defaults
                or len(args.args) != 1 or any(type(n) in _SCOPES for n in subnodes(func.body))):
            return None
        items = []
        for key in keys.elts:
            elt = ast.Expr(copy.deepcopy(func.body))
            swap(elt, reads_as({args.args[0].arg: key}))
            items.append(elt.value)
    else:
        return None
    return ast.copy_location(ast.Tuple(items, ast.Load()), value)


def join_shape_reads(tree: ast.Module) -> None:
    """Sizes read one by one from a shape, ``n_x = x.shape[0]``, ``m = x.shape[1]``, ``T_x =
    x.shape[2]`` in a run of statements (in any order, each index from 0 up once), are one
    ``n_x, m, T_x = x.shape``, for the shape of a name or of a lookup (``parameters["Wya"].shape``)
    none of the names is: ``rnn_forward`` reading its sizes so scored 0.14 against its original
    (thirty-third session). Only texts that hold ``.shape[`` are walked (``_normalise_source``):
    splitting every unpacked shape instead cost 8 % of the similarity stage."""
    for unit in defs_of(tree):
        body, out, i = unit.body, [], 0
        while i < len(body):
            run = []
            while i + len(run) < len(body):
                read = _size_read(body[i + len(run)])
                if read is None or (run and read[1] != run[0][1]):
                    break
                run.append(read)
            names = {r[0].id for r in run}
            if (len(run) > 1 and len(names) == len(run) and sorted(r[2] for r in run) == list(range(len(run)))
                    and not names & loaded_names(run[0][3])):
                ordered = [r[0] for r in sorted(run, key=lambda r: r[2])]
                target = ast.copy_location(ast.Tuple([ast.Name(n.id, ast.Store()) for n in ordered], ast.Store()),
                                           ordered[0])
                for name, item in zip(target.elts, ordered):
                    ast.copy_location(name, item)
                shape = run[0][3]
                out.append(ast.copy_location(ast.Assign(targets=[target], value=shape), body[i]))
                i += len(run)
            else:
                out.append(body[i])
                i += 1
        unit.body = out


def _size_read(stmt: ast.stmt) -> tuple[ast.Name, str, int, ast.Attribute] | None:
    """``(name, what the shape is of, index, the shape)`` for ``name = x.shape[k]`` (``x`` a name or
    a lookup by a constant key, ``k`` an int), else None (``join_shape_reads``)."""
    if not (type(stmt) is ast.Assign and len(stmt.targets) == 1 and type(stmt.targets[0]) is ast.Name):
        return None
    value = stmt.value
    if not (type(value) is ast.Subscript and type(value.slice) is ast.Constant and type(value.slice.value) is int
            and type(value.value) is ast.Attribute and value.value.attr == "shape"):
        return None
    base = value.value.value
    if type(base) is ast.Name:
        of = base.id
    elif key_read(base) is not None and type(base) is ast.Subscript:
        of = "%s[%r]" % key_read(base)
    else:
        return None
    return stmt.targets[0], of, value.slice.value, value.value


class NumpyReads(ast.NodeTransformer):
    """Reads of the given names become ``np.<NumPy's name>`` (``canonical_reads``), or ``np`` for a
    name given ``""`` (NumPy itself, ``import numpy as npy``)."""

    def __init__(self, spelled: dict[str, str]) -> None:
        self.spelled = spelled

    def visit_Name(self, node: ast.Name) -> ast.AST:
        path = self.spelled.get(node.id)
        if path is None or type(node.ctx) is not ast.Load:
            return node
        read: ast.AST = ast.copy_location(ast.Name("np", ast.Load()), node)
        for attr in path.split(".") if path else ():  # ``linalg.norm``: ``np.linalg.norm``
            read = ast.copy_location(ast.Attribute(read, attr, ast.Load()), node)
        return read


def swap(root: ast.AST, pick: Callable[[ast.AST], ast.AST | None]) -> None:
    """Put ``pick(node)`` in place of each node below ``root`` for which it is not None (and do
    not look inside what it gives)."""
    stack = [root]
    AST = ast.AST
    while stack:
        node = stack.pop()
        for field in CHILD_FIELDS.get(type(node), ()):
            child = getattr(node, field, None)
            if type(child) is list:
                for k, item in enumerate(child):
                    if isinstance(item, AST):
                        new = pick(item)
                        if new is None:
                            stack.append(item)
                        else:
                            child[k] = new
            elif isinstance(child, AST):
                new = pick(child)
                if new is None:
                    stack.append(child)
                else:
                    setattr(node, field, new)


def reads_as(values: dict[str, ast.AST]) -> Callable[[ast.AST], ast.AST | None]:
    """A ``swap`` picker: a read of a name of ``values`` becomes a copy of its value, put there."""
    def pick(node: ast.AST) -> ast.AST | None:
        if type(node) is not ast.Name or type(node.ctx) is not ast.Load:
            return None
        value = values.get(node.id)
        return None if value is None else placed_copy(value, node)
    return pick


def placed_copy(value: ast.AST, where: ast.AST) -> ast.AST:
    """A copy of ``value`` (a name, a constant or an attribute of a name: the values moved) at ``where``."""
    kind = type(value)
    if kind is ast.Name:
        return ast.copy_location(ast.Name(value.id, ast.Load()), where)
    if kind is ast.Attribute:
        return ast.copy_location(ast.Attribute(placed_copy(value.value, where), value.attr, ast.Load()), where)
    return ast.copy_location(copy.deepcopy(value), where)


def _alias_of(value: ast.AST, params: set[str], stores: dict[str, int], before: set[str]) -> bool:
    """Whether ``value``, assigned to a name, makes that name an alias (``resolve_aliases``): a
    name the def never rebinds (a parameter, a name bound once by a top-level statement in
    ``before``, a free name), an attribute of a module of ``_MODULES`` the def does not bind, or a
    string (``k = "Wax"`` then ``parameters[k]``: 0.18 for a copy so, thirty-seventh session)."""
    if type(value) is ast.Constant:
        return type(value.value) is str
    if type(value) is ast.Name:
        bound = stores.get(value.id, 0)
        return bound == 0 or (bound == 1 and (value.id in params or value.id in before))
    if type(value) is not ast.Attribute:
        return False
    while type(value) is ast.Attribute:
        value = value.value
    return type(value) is ast.Name and value.id in _MODULES and not stores.get(value.id)


def resolve_aliases(unit: ast.FunctionDef | ast.AsyncFunctionDef, stores: dict[str, int]) -> bool:
    """Read each alias of ``unit`` (``canonical_reads``) as what it names; its assignment goes.
    ``stores``: how many times the text binds each name. True when there was one."""
    params = {a.arg for a in all_args(unit.args)}
    before: set[str] = set()
    aliases: dict[str, ast.AST] = {}
    dropped: set[int] = set()
    for stmt in unit.body:
        if type(stmt) is ast.Assign:
            target = stmt.targets[0]
            if (len(stmt.targets) == 1 and type(target) is ast.Name and stores.get(target.id) == 1
                    and target.id not in params and _alias_of(stmt.value, params, stores, before)):
                value = stmt.value
                aliases[target.id] = aliases.get(value.id, value) if type(value) is ast.Name else value
                dropped.add(id(stmt))
                continue
            before.update(_assigned_names(stmt))
    if aliases:
        unit.body = [s for s in unit.body if id(s) not in dropped] or [ast.copy_location(ast.Pass(), unit)]
        pick = reads_as(aliases)
        for stmt in unit.body:
            swap(stmt, pick)
        for name in aliases:
            stores[name] = 0
    return bool(aliases)


def _assigned_names(stmt: ast.Assign) -> list[str]:
    """The names an assignment binds (``a = ...``, ``a, (b, c) = ...``; not ``a[i] = ...``)."""
    names: list[str] = []
    stack = list(stmt.targets)
    while stack:
        target = stack.pop()
        kind = type(target)
        if kind is ast.Name:
            names.append(target.id)
        elif kind is ast.Tuple or kind is ast.List:
            stack.extend(target.elts)
        elif kind is ast.Starred:
            stack.append(target.value)
    return names


def key_read(node: ast.AST) -> tuple[str, str] | None:
    """``(name, key)`` for a lookup ``name["key"]`` or ``name.get("key")`` read as a value, else None."""
    kind = type(node)
    if kind is ast.Subscript:
        base, key = node.value, node.slice
        if type(node.ctx) is not ast.Load:
            return None
    elif kind is ast.Call:
        func = node.func
        if (type(func) is not ast.Attribute or func.attr != "get" or len(node.args) != 1 or node.keywords):
            return None
        base, key = func.value, node.args[0]
    else:
        return None
    if type(base) is ast.Name and type(key) is ast.Constant and type(key.value) is str:
        return base.id, key.value
    return None


#: Attributes that read a value's size, not the value: a lookup read for one of them stays in
#: place (``hoist_lookups``). The course's ``*_forward`` read ``parameters["Wya"].shape``; read
#: through a local, every ``*_forward`` of a class changed, which moved the fingerprints common to
#: 30 % of the real class of 105 notebooks, and 9 of its 31 flagged pairs with them (8 others
#: went), where a copier inlines the weights of the maths (thirty-second session).
SIZES = frozenset({"shape", "ndim", "size", "dtype"})


def hoist_lookups(unit: ast.FunctionDef | ast.AsyncFunctionDef,
                   counts: tuple[dict[str, int], dict[str, int], dict[str, int]]) -> None:
    """Read each lookup of ``unit`` (``canonical_reads``) through a local, made when none holds it.
    ``counts``: the text's (``tally``), kept right."""
    stores = counts[2]
    params = {a.arg for a in all_args(unit.args)}
    bound_at: dict[str, int] = {name: -1 for name in params if stores.get(name) == 1}
    for i, stmt in enumerate(unit.body):
        if type(stmt) is ast.Assign:
            for name in _assigned_names(stmt):
                if stores.get(name) == 1:
                    bound_at[name] = i
    found: list[tuple[int, ast.AST, tuple[str, str]]] = []
    written: set[str | None] = set()  # ``d["k"] = v``, ``d.update(...)``: not a lookup's value any more
    sized: set[int] = set()  # ``parameters["Wya"].shape``: read for its size (``SIZES``)
    Subscript, Call, Attribute, Load = ast.Subscript, ast.Call, ast.Attribute, ast.Load
    for i, stmt in enumerate(unit.body):
        for node in subnodes(stmt):
            kind = type(node)
            if kind is Subscript or kind is Call:
                read = key_read(node)
                if read is not None:
                    if bound_at.get(read[0], len(unit.body)) < i and id(node) not in sized:
                        found.append((i, node, read))
                elif kind is Call:
                    if type(node.func) is Attribute and node.func.attr in MUTATORS:
                        written.add(target_base(node.func.value))
                elif type(node.ctx) is not Load:
                    written.add(target_base(node))
            elif kind is Attribute:
                if type(node.ctx) is not Load:
                    written.add(target_base(node))
                elif node.attr in SIZES:
                    sized.add(id(node.value))
    found = [item for item in found if item[2][0] not in written]
    if not found:
        return
    holders: dict[tuple[str, str], tuple[int, str]] = {}
    defining: set[int] = set()
    for i, node, read in found:
        stmt = unit.body[i]
        if (stmt.value is node and type(stmt) is ast.Assign and len(stmt.targets) == 1
                and type(stmt.targets[0]) is ast.Name and stores.get(stmt.targets[0].id) == 1):
            holders.setdefault(read, (i, stmt.targets[0].id))
            defining.add(id(node))
    replaced: dict[int, ast.AST] = {}
    made: dict[tuple[str, str], ast.Assign] = {}
    for i, node, read in found:
        if id(node) in defining:
            if type(node) is ast.Call:  # ``d.get("k")`` read as ``d["k"]``
                replaced[id(node)] = _subscript(read, node)
            continue
        holder = holders.get(read)
        if holder is not None and holder[0] >= i:
            continue  # read before the local that holds it is assigned
        if holder is None and read not in made:
            name = "%s@%s" % read[::-1]
            made[read] = ast.copy_location(ast.Assign(targets=[ast.copy_location(ast.Name(name, ast.Store()), node)],
                                                      value=_subscript(read, node)), node)
        name = holder[1] if holder is not None else made[read].targets[0].id
        replaced[id(node)] = ast.copy_location(ast.Name(name, ast.Load()), node)
    if not replaced:
        return
    changed = {i for i, node, _read in found if id(node) in replaced}
    out: list[ast.stmt] = [made[read] for read in made if bound_at[read[0]] == -1]
    for i, stmt in enumerate(unit.body):
        if i in changed:
            tally(stmt, counts, -1)
            swap(stmt, lambda node: replaced.get(id(node)))
            tally(stmt, counts, 1)
        out.append(stmt)
        out.extend(made[read] for read in made if bound_at[read[0]] == i)
    unit.body = out
    for statement in made.values():
        tally(statement, counts, 1)


def _subscript(read: tuple[str, str], where: ast.AST) -> ast.Subscript:
    """``name["key"]`` for ``read = (name, key)``, placed at ``where``."""
    return ast.copy_location(ast.Subscript(ast.copy_location(ast.Name(read[0], ast.Load()), where),
                                           ast.copy_location(ast.Constant(read[1]), where), ast.Load()), where)
