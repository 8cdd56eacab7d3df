"""Step 1 of the normaliser (:mod:`grader.similarity.normalise`): what does not change what a
function computes is dropped (docstrings, bare constants, ``pass``, checks that raise, ``print(...)``, blocks under a
constant false test, code after ``return`` / ``raise`` / ``break`` / ``continue``; calls that set a
module's state, ``with np.errstate(...)`` around a block, ``del`` of names, ``global`` of names the
def never binds; a chained assignment is one assignment a name), and the names a
def unpacks from its ``*args`` or ``**kwargs``, when that is all it reads of them, become its
parameters."""
from __future__ import annotations

import ast

from grader.similarity.nodetext import loaded_names, statement_blocks
from grader.similarity.specialise import is_guarded_try
from grader.similarity.syntax import all_args, defs_of, stored_names, subnodes


#: Constants whose identity is their value (``is`` between them is decided).
_SINGLETONS = (type(None), bool, type(...))


def const_truth(test: ast.AST) -> bool | None:
    """The truth value of a constant condition (``False``, ``0``, ``not True``, ``1 == 2``), else None."""
    if isinstance(test, ast.Constant):
        try:
            return bool(test.value)
        except Exception:  # pragma: no cover - exotic constants
            return None
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = const_truth(test.operand)
        return None if inner is None else not inner
    if type(test) is ast.BoolOp:  # ``x.ndim == 2 and a.ndim == 2`` once the grader's input decided both
        truths = [const_truth(value) for value in test.values]
        decisive = type(test.op) is ast.Or  # the value that decides an ``or``; ``and``'s is False
        if decisive in truths:
            return decisive
        return None if None in truths else not decisive
    if (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.IsNot))
            and all(isinstance(side, ast.Constant) and type(side.value) in _SINGLETONS
                    for side in (test.left, test.comparators[0]))):  # ``None is not None``
        same = test.left.value is test.comparators[0].value
        return same if isinstance(test.ops[0], ast.Is) else not same
    if (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Constant)
        and all(isinstance(c, ast.Constant) for c in test.comparators)
        and all(isinstance(o, (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for o in test.ops)
    ):
        try:
            return bool(eval(compile(ast.Expression(test), "<const>", "eval"), {"__builtins__": {}}))  # noqa: S307
        except Exception:
            return None
    return None


#: Statement classes ``Simplifier`` leaves as they are: they hold no block, are neither
#: ``pass``, an expression, an ``if`` nor a ``while``, and end no block (most statements).
_AS_IS = frozenset({ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete, ast.Import, ast.ImportFrom,
                    ast.Global, ast.Nonlocal, ast.Assert})


#: Attribute names of calls that set a module's state, not a value the function returns
#: (``np.seterr(all="ignore")``, ``warnings.simplefilter("ignore")``); ``seed`` of a ``random``
#: module too (``np.random.seed(0)``, ``random.seed(0)``).
_STATE_SETTERS = frozenset({"seterr", "set_printoptions", "filterwarnings", "simplefilter"})

#: Context managers that change no value a block computes (``with np.errstate(over="ignore"):``).
#: ``contextlib.suppress(...)`` too: a ``try`` whose handlers do nothing (``Simplifier._quiet_try``).
_QUIET_CONTEXTS = frozenset({"errstate", "catch_warnings", "printoptions", "nullcontext", "suppress"})


def _plain_arguments(call: ast.Call) -> bool:
    """Whether every argument of ``call`` is a constant, a name or an attribute of one (nothing to run)."""
    for value in (*call.args, *(k.value for k in call.keywords)):
        while type(value) is ast.Attribute:
            value = value.value
        if type(value) not in (ast.Constant, ast.Name):
            return False
    return True


def _sets_state(value: ast.AST) -> bool:
    """Whether ``value``, a statement's expression, is a call of ``_STATE_SETTERS`` or a ``random``
    module's ``seed`` with plain arguments: ``np.random.seed(0)`` added to a copy scored 0.43 against
    its original, ``np.seterr(all="ignore")`` 0.43 (thirty-fifth session). A bare ``seed(0)`` may be
    the notebook's own function, and stays."""
    if type(value) is not ast.Call or type(value.func) is not ast.Attribute or not _plain_arguments(value):
        return False
    func = value.func
    if func.attr == "seed":
        module = func.value
        return (type(module) is ast.Name and module.id == "random") or (
            type(module) is ast.Attribute and module.attr == "random")
    return func.attr in _STATE_SETTERS


#: Functions of ``logging`` whose call only writes a message (``logging.debug("step")``).
_LOG_CALLS = frozenset({"debug", "info", "warning", "warn", "error", "critical", "exception", "log"})


def _reports(value: ast.AST) -> bool:
    """Whether ``value``, a statement's expression, is a call that only reports, as ``print`` does:
    ``warnings.warn(...)`` or ``logging.debug(...)`` (another level too). Added to a copy they scored
    0.78 and 0.72 against its original (thirty-sixth session)."""
    if type(value) is not ast.Call or type(value.func) is not ast.Attribute or type(value.func.value) is not ast.Name:
        return False
    module, attr = value.func.value.id, value.func.attr
    return (module == "warnings" and attr == "warn") or (module == "logging" and attr in _LOG_CALLS)


#: NumPy functions that only compute a value, each with the number of positional arguments it takes
#: before ``out`` (``np.tanh(x, y)`` writes ``y``; ``np.clip(a, 0, 1, a)`` writes ``a``).
_NUMPY_VALUES = {
    **dict.fromkeys(("tanh", "exp", "log", "sqrt", "abs", "absolute", "negative", "square", "sign", "floor",
                     "ceil", "log1p", "expm1", "reciprocal", "sin", "cos", "isnan", "isinf", "isfinite"), 1),
    **dict.fromkeys(("add", "subtract", "multiply", "divide", "true_divide", "power", "maximum", "minimum",
                     "matmul", "dot", "outer", "max", "min", "amax", "amin", "any", "all", "argmax", "argmin",
                     "concatenate", "stack", "hstack", "vstack"), 2),
    **dict.fromkeys(("sum", "mean", "prod", "std", "var", "clip"), 3),
    **dict.fromkeys(("zeros", "ones", "empty", "zeros_like", "ones_like", "empty_like", "full", "full_like",
                     "array", "asarray", "copy", "shape", "size", "ndim", "transpose", "reshape", "where",
                     "allclose", "isclose", "array_equal", "vdot", "inner", "linspace", "arange"), 8),
}
#: Array methods that only compute a value, as ``_NUMPY_VALUES`` (``a.sum(axis, dtype, out)``).
_ARRAY_VALUES = {"sum": 2, "mean": 2, "prod": 2, "std": 2, "var": 2, "max": 1, "min": 1, "any": 1, "all": 1,
                 "argmax": 1, "argmin": 1, "copy": 1, "reshape": 8, "astype": 8, "transpose": 8, "dot": 1}
#: Nodes an expression that only computes a value is made of (besides the calls above).
_VALUE_NODES = (ast.Name, ast.Constant, ast.Attribute, ast.Subscript, ast.Slice, ast.BinOp, ast.UnaryOp,
                ast.Compare, ast.BoolOp, ast.Tuple, ast.List, ast.IfExp, ast.Load, ast.operator, ast.unaryop,
                ast.cmpop, ast.boolop, ast.keyword)


def _only_computes(value: ast.AST) -> bool:
    """Whether ``value``, a statement's expression, only computes a value nothing keeps: operators,
    reads and calls of ``_NUMPY_VALUES`` (``np.sum(a_next)``) or ``_ARRAY_VALUES``
    (``a_next.sum()``) given fewer arguments than reach their ``out`` and no ``out=``. Added to a copy,
    ``np.sum(a_next)`` scored 0.68 against its original (thirty-sixth session)."""
    if type(value) is ast.Call:  # most statements: a call of something else (``caches.append(cache)``)
        func = value.func
        if type(func) is not ast.Attribute or (func.attr not in _ARRAY_VALUES and func.attr not in _NUMPY_VALUES):
            return False
    elif type(value) is ast.Name or type(value) is ast.Constant:
        return False  # dropped already, with attributes (``Simplifier.stmt``)
    for node in ast.walk(value):
        if type(node) is ast.Call:
            func = node.func
            if type(func) is not ast.Attribute or any(type(a) is ast.Starred for a in node.args) or any(
                    k.arg in (None, "out") for k in node.keywords):
                return False
            module = func.value
            if type(module) is ast.Name and module.id in ("np", "numpy"):
                most = _NUMPY_VALUES.get(func.attr)
            else:
                most = _ARRAY_VALUES.get(func.attr)
            if most is None or len(node.args) > most:
                return False
        elif not isinstance(node, _VALUE_NODES):
            return False
    return True


def _is_range_of_one(node: ast.AST) -> bool:
    """Whether ``node`` is ``range(1)`` or ``range(0, 1)``."""
    if not (type(node) is ast.Call and type(node.func) is ast.Name and node.func.id == "range" and not node.keywords):
        return False
    values = [a.value if type(a) is ast.Constant and type(a.value) is int else None for a in node.args]
    return values in ([1], [0, 1])


def _own_jumps(body: list[ast.stmt]) -> int:
    """How many ``break`` and ``continue`` statements of ``body`` leave the loop that holds it (not
    one nested in it: those in a nested loop's body are its own, those in its ``else`` not)."""
    found = 0
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is ast.Break or kind is ast.Continue:
            found += 1
        elif kind in (ast.For, ast.AsyncFor, ast.While):
            stack.extend(node.orelse)
        elif kind not in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef) and isinstance(node, ast.stmt):
            stack.extend(inner for _field, block in statement_blocks(node) for inner in block)
    return found


def _is_quiet_with(stmt: ast.stmt) -> bool:
    """Whether ``stmt`` is a ``with`` of ``_QUIET_CONTEXTS`` only (plain arguments, no ``as``): its
    block is what it computes (the body of a copy under ``with np.errstate(...)``: 0.68-0.76)."""
    if type(stmt) is not ast.With:
        return False
    for item in stmt.items:
        call, func = item.context_expr, getattr(item.context_expr, "func", None)
        name = func.id if type(func) is ast.Name else func.attr if type(func) is ast.Attribute else None
        if item.optional_vars is not None or name not in _QUIET_CONTEXTS or not _plain_arguments(call):
            return False
    return True


def _chain_split(stmt: ast.Assign) -> list[ast.stmt]:
    """``a = z = v`` as ``a = v`` then ``z = a`` (Python binds the targets left to right, so each
    later target reads the first's value); ``z`` then goes as dead code when nothing reads it. A
    copy writing ``a_next = z = ...`` scored 0.48 against its original (thirty-fifth session)."""
    first, *others = stmt.targets
    out: list[ast.stmt] = [ast.copy_location(ast.Assign(targets=[first], value=stmt.value), stmt)]
    for target in others:
        out.append(ast.copy_location(ast.Assign(targets=[target], value=ast.copy_location(
            ast.Name(first.id, ast.Load()), first)), stmt))
    return out


def _appended(stmt: ast.stmt) -> ast.stmt | None:
    """``x.append(y)`` for ``x += [y]``, ``x = x + [y]`` or ``x.extend([y])`` (a list display of one
    item), else None: ``caches += [cache]`` in a copy scored 0.75 against ``caches.append(cache)``
    (thirty-seventh session)."""
    kind = type(stmt)
    if kind is ast.AugAssign:
        name, op, item = stmt.target, stmt.op, stmt.value
    elif kind is ast.Assign and len(stmt.targets) == 1 and type(stmt.value) is ast.BinOp:
        name, op, item = stmt.targets[0], stmt.value.op, stmt.value.right
        if type(stmt.value.left) is not ast.Name or type(name) is not ast.Name or stmt.value.left.id != name.id:
            return None
    elif (kind is ast.Expr and type(stmt.value) is ast.Call and type(stmt.value.func) is ast.Attribute
          and stmt.value.func.attr == "extend" and len(stmt.value.args) == 1 and not stmt.value.keywords):
        name, op, item = stmt.value.func.value, ast.Add(), stmt.value.args[0]
    else:
        return None
    if (type(name) is not ast.Name or type(op) is not ast.Add or type(item) is not ast.List or len(item.elts) != 1
            or type(item.elts[0]) is ast.Starred):
        return None
    call = ast.Call(func=ast.Attribute(value=ast.Name(name.id, ast.Load()), attr="append", ctx=ast.Load()),
                    args=[item.elts[0]], keywords=[])
    return ast.fix_missing_locations(ast.copy_location(ast.Expr(ast.copy_location(call, stmt)), stmt))


def _is_check(stmt: ast.stmt) -> bool:
    """Whether ``stmt`` is an ``assert`` or an ``if`` without ``else`` whose body only raises."""
    kind = type(stmt)
    return kind is ast.Assert or (kind is ast.If and not stmt.orelse and len(stmt.body) == 1
                                  and type(stmt.body[0]) is ast.Raise)


class Simplifier:
    """Drops docstrings, bare constants, pass, checks (asserts, raising ifs), print calls, constant-false
    branches, unreachable code."""

    def __init__(self) -> None:
        self._defs: list[ast.FunctionDef | ast.AsyncFunctionDef] = []  # the defs being simplified, innermost last

    def _binds(self, names: list[str]) -> bool:
        """Whether the def being simplified binds one of ``names`` (True outside a def): ``global np``
        in a copy, ``np`` never assigned there, scored 0.48 against its original (thirty-fifth session)."""
        return not self._defs or bool(stored_names(ast.Module(self._defs[-1].body, [])) & set(names))

    def _quiet_try(self, stmt: ast.stmt) -> bool:
        """Whether ``stmt`` is a ``try`` without ``else`` whose handlers and ``finally`` do nothing once
        simplified (``pass``, ``print(e)``): on the grader's input its body is what runs. Around a line
        of a copy, ``except Exception: pass`` scored 0.38 against its original, ``finally: pass`` 0.43
        (thirty-sixth session)."""
        return (type(stmt) is ast.Try and not stmt.orelse and not self.block(list(stmt.finalbody))
                and not any(self.block(list(h.body)) for h in stmt.handlers))

    def _once(self, stmt: ast.stmt) -> list[ast.stmt] | None:
        """The body of a loop that runs it once, without its last ``break``: ``for _ in range(1):``
        whose name the def reads nowhere, or ``while True:`` whose body ends with ``break``,
        ``return`` or ``raise``, with no ``else`` and no other ``break`` or ``continue`` leaving it;
        else None. Around a line of a copy they scored 0.43 and 0.41 against its original, around the
        loop of ``rnn_forward`` 0.66 (thirty-sixth session)."""
        kind = type(stmt)
        if not getattr(stmt, "body", None):
            return None
        if kind is ast.For and not stmt.orelse and type(stmt.target) is ast.Name and _is_range_of_one(stmt.iter):
            body = stmt.body[:-1] if type(stmt.body[-1]) is ast.Break else stmt.body
            if not self._defs or _own_jumps(body) or stmt.target.id in loaded_names(
                    ast.Module(self._defs[-1].body, [])):
                return None
            return body
        if kind is ast.While and not stmt.orelse and const_truth(stmt.test) is True:
            last = type(stmt.body[-1])
            body = stmt.body[:-1] if last is ast.Break else stmt.body
            if (last is ast.Break or last is ast.Return or last is ast.Raise) and not _own_jumps(body):
                return body
        return None

    def block(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        """Simplify a statement list; returns the new list (possibly empty)."""
        out: list[ast.stmt] = []
        # A check (``assert``, or ``if <test>: raise ...``) computes nothing the function returns (the
        # grader's run passed it): a copy adding ``assert a_next.shape == a_prev.shape`` after a line
        # scored 0.67 against its original, ``if a_next is None: raise ...`` 0.72 (thirty-fourth
        # session; the checks a def begins with went already). A block of checks alone stays.
        checks = [_is_check(stmt) for stmt in stmts]
        drop = any(checks) and not all(checks)
        for stmt, check in zip(stmts, checks):
            if drop and check:
                continue
            kind = type(stmt)
            if kind is ast.Assign and len(stmt.targets) > 1 and type(stmt.targets[0]) is ast.Name:
                out.extend(_chain_split(stmt))
                continue
            if ((kind is ast.Assign and type(stmt.value) is ast.BinOp) or kind is ast.AugAssign
                    or (kind is ast.Expr and type(stmt.value) is ast.Call)):  # the forms ``_appended`` reads
                appended = _appended(stmt)
                if appended is not None:
                    out.append(appended)
                    continue
            if kind is ast.Delete and all(type(t) is ast.Name for t in stmt.targets):
                continue  # ``del`` of locals (0.81 at the end of a copy): what they held is not returned
            if (kind is ast.Global or kind is ast.Nonlocal) and not self._binds(stmt.names):
                continue
            if kind in _AS_IS:
                out.append(stmt)
                continue
            for new in self.stmt(stmt):
                out.append(new)
                if isinstance(new, (ast.Return, ast.Raise, ast.Break, ast.Continue)):
                    return out
        return out

    def stmt(self, stmt: ast.stmt) -> list[ast.stmt]:
        """Simplify one statement into zero or more statements."""
        if isinstance(stmt, ast.Pass):
            return []
        if isinstance(stmt, ast.Expr):
            value = stmt.value
            if isinstance(value, (ast.Constant, ast.Name, ast.Attribute, ast.JoinedStr)):
                return []
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "print":
                return []
            if type(value) is ast.NamedExpr:  # ``(a := v)`` alone is ``a = v``: 0.24 (thirty-sixth session)
                return [ast.copy_location(ast.Assign(targets=[value.target], value=value.value), stmt)]
            return [] if _sets_state(value) or _reports(value) or _only_computes(value) else [stmt]
        if _is_quiet_with(stmt) or is_guarded_try(stmt) or self._quiet_try(stmt):
            # A ``try`` whose handlers only leave (``raise e``, ``return None``) anywhere, not only
            # leading (``drop_leading_guards``): around a line of a copy, 0.38 (thirty-fifth session).
            return self.block(stmt.body)
        if isinstance(stmt, ast.If):
            truth = const_truth(stmt.test)
            if truth is True:
                return self.block(stmt.body)
            if truth is False:
                return self.block(stmt.orelse)
        if isinstance(stmt, ast.While) and const_truth(stmt.test) is False:
            return self.block(stmt.orelse)
        once = self._once(stmt)
        if once is not None:
            return self.block(once)
        unit = isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
        if unit:
            self._defs.append(stmt)
        for field, block in list(statement_blocks(stmt)):
            new = self.block(block)
            block[:] = new
        if unit:
            self._defs.pop()
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and not stmt.body:
            stmt.body = [ast.copy_location(ast.Pass(), stmt)]
        if isinstance(stmt, ast.If) and not stmt.body:
            if not stmt.orelse:
                return []
            stmt.test = ast.copy_location(ast.UnaryOp(op=ast.Not(), operand=stmt.test), stmt.test)
            stmt.body, stmt.orelse = stmt.orelse, []
        if isinstance(stmt, (ast.For, ast.While)) and not stmt.body:
            return self.block(stmt.orelse)
        return [stmt]


def promote_unpacked_parameters(tree: ast.Module) -> None:
    """Make the names a def unpacks from its ``*args`` or reads by key from its ``**kwargs`` its
    own parameters, and drop the statements that did it (``xt, a_prev, parameters = args``;
    ``xt = args[0]``; ``xt = kw["xt"]`` or ``kw.get("xt")``), when those statements, in the def's
    own top-level block, are every read of that parameter. A copy taking ``*args`` and unpacking
    them spelt its parameters as locals unpacked from one value: 0.08 against its original, graded
    in full (twenty-sixth session's review). The new parameters follow the header's in the order
    of their places in ``*args`` (``xt = args[0]`` first), a ``**kwargs``'s in the order read."""
    for unit in defs_of(tree):
        args = unit.args
        for star in (args.vararg, args.kwarg):
            if star is None:
                continue
            found = _unpacked_from(unit, star.arg, keyed=star is args.kwarg)
            if found is None:
                continue
            names, statements = found
            taken = {a.arg for a in all_args(args)}
            if len(set(names)) != len(names) or taken & set(names):
                continue
            dropped = {id(t) for t in statements}
            unit.body = [s for s in unit.body if id(s) not in dropped] or [ast.copy_location(ast.Pass(), unit)]
            args.args = args.args + [ast.copy_location(ast.arg(arg=name), star) for name in names]
            if star is args.vararg:
                args.vararg = None
            else:
                args.kwarg = None


def _unpacked_from(unit: ast.FunctionDef | ast.AsyncFunctionDef, star: str,
                   *, keyed: bool) -> tuple[list[str], list[ast.stmt]] | None:
    """The names ``unit``'s top-level statements unpack from ``star`` (in the order of their places
    in it, then as read) and those statements, or None unless those statements hold every read of
    ``star``."""
    names: list[tuple[int, int, str]] = []  # (place in ``star``, order read, name)
    statements: list[ast.stmt] = []
    for stmt in unit.body:
        if type(stmt) is not ast.Assign or len(stmt.targets) != 1:
            continue
        target, value = stmt.targets[0], stmt.value
        if type(target) is ast.Name:
            pairs = [(target, value)]
        elif type(target) in (ast.Tuple, ast.List) and all(type(e) is ast.Name for e in target.elts):
            if not keyed and type(value) is ast.Name and value.id == star:
                names.extend((i, len(names) + i, e.id) for i, e in enumerate(target.elts))
                statements.append(stmt)
                continue
            if type(value) not in (ast.Tuple, ast.List) or len(value.elts) != len(target.elts):
                continue
            pairs = list(zip(target.elts, value.elts))
        else:
            continue
        if pairs and all(_reads_one_item(v, star, keyed=keyed) for _t, v in pairs):
            for t, v in pairs:
                place = 0 if keyed else v.slice.value
                names.append((place, len(names), t.id))
            statements.append(stmt)
    if not statements:
        return None
    reads = sum(1 for n in subnodes(unit) if type(n) is ast.Name and n.id == star)
    kept = sum(1 for s in statements for n in subnodes(s) if type(n) is ast.Name and n.id == star)
    return ([name for *_place, name in sorted(names)], statements) if reads == kept else None


def _reads_one_item(value: ast.AST, star: str, *, keyed: bool) -> bool:
    """Whether ``value`` is ``star[<int, 0 or more>]`` (``keyed``: ``star[<str>]`` or ``star.get(<str>)``)."""
    kind = str if keyed else int
    if type(value) is ast.Subscript:
        index = value.slice
        return (type(value.value) is ast.Name and value.value.id == star and type(index) is ast.Constant
                and type(index.value) is kind and (keyed or index.value >= 0))
    if keyed and type(value) is ast.Call and type(value.func) is ast.Attribute and value.func.attr == "get":
        return (type(value.func.value) is ast.Name and value.func.value.id == star and len(value.args) == 1
                and not value.keywords and type(value.args[0]) is ast.Constant and type(value.args[0].value) is str)
    return False
