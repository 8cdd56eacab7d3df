"""Helpers and held state put in place for the normaliser (:mod:`grader.similarity.normalise`): a
small helper of the notebook written in place of its calls, and a class's method whose state is set
once, read as the work it does, so that code split into helpers or classes differently compares as
one."""
from __future__ import annotations

import ast
import copy

from grader.astnodes import lambda_as_def
from grader.similarity.nodetext import loaded_names, statement_blocks
from grader.similarity.numpyreads import placed_copy, reads_as, swap
from grader.similarity.syntax import CHILD_FIELDS, all_args, defs_of, stored_names, subnodes


#: How many nodes ``inline_helpers`` may copy into a text, at most: a one-line helper returning
#: a tuple of 4,000 products, called 390 times (45 kB), took 85 s to normalise when it was
#: copied into each call; a course function split into helpers is a few hundred nodes.
_INLINED_NODES = 20_000


def inline_held_state(tree: ast.Module) -> None:
    """A def that only returns ``K(a, ...).m(b, ...)``, or makes ``k = K(a, ...)`` then returns
    ``k.m(b, ...)`` (arguments plain names, constants or attributes of names), ``K`` a class of the
    text that only holds what its ``__init__`` is given (``self.Wax = parameters["Wax"]``, or
    ``self.p = parameters`` then ``self.Wax = self.p["Wax"]``) and whose method ``m`` only reads it
    (``self.Wax``), gets ``m``'s body, its parameters read as ``b, ...`` (or their defaults) and each
    ``self.attr`` as the value ``__init__`` stored, read of ``a, ...``; the class then goes if
    nothing else reads it. A classmate's ``rnn_cell_forward`` copied as ``Cell(parameters).forward
    (xt, a_prev)``, the method reading ``self.Wax``, gave no pair (thirty-second session); held in
    two statements, with a constant argument, a default or the object named first, no pair either
    (thirty-third session). Any other shape (a method that writes ``self``, calls another, nests a
    def; an ``__init__`` doing more than storing) is left as it is."""
    classes = {stmt.name: stmt for stmt in tree.body if type(stmt) is ast.ClassDef
               and not (stmt.decorator_list or stmt.bases or stmt.keywords)}
    if not classes:
        return
    inlined: set[str] = set()
    for unit in tree.body:
        if type(unit) is not ast.FunctionDef or unit.decorator_list:
            continue
        call = _held_state_call(unit.body, classes)
        if call is None:
            continue
        made = call.func.value
        body = _held_state_body(classes[made.func.id], call.func.attr, made.args, call.args)
        if body is not None:
            unit.body = body
            inlined.add(made.func.id)
    if inlined:
        read = loaded_names(ast.Module([s for s in tree.body if type(s) is not ast.ClassDef or s.name not in inlined], []))
        tree.body = [s for s in tree.body if type(s) is not ast.ClassDef or s.name not in inlined - read]


def _simple_value(node: ast.AST) -> bool:
    """A name, a constant or an attribute of a name (``np.tanh``): what a class may be given to hold."""
    while type(node) is ast.Attribute:
        node = node.value
    return type(node) is ast.Name or type(node) is ast.Constant


def _held_state_call(body: list[ast.stmt], classes: dict[str, ast.ClassDef]) -> ast.Call | None:
    """The call ``K(a, ...).m(b, ...)`` a def's ``body`` only returns (``inline_held_state``), the
    object named first (``k = K(a, ...)`` then ``return k.m(b, ...)``) read in place; else None."""
    if not body or type(body[-1]) is not ast.Return or type(body[-1].value) is not ast.Call:
        return None
    call = body[-1].value
    if type(call.func) is not ast.Attribute:
        return None
    if len(body) == 2:
        first, obj = body[0], call.func.value
        if not (type(first) is ast.Assign and len(first.targets) == 1 and type(first.targets[0]) is ast.Name
                and type(obj) is ast.Name and obj.id == first.targets[0].id
                and obj.id not in loaded_names(ast.Module([ast.Expr(a) for a in call.args], []))):
            return None
        call = ast.Call(ast.Attribute(first.value, call.func.attr, ast.Load()), call.args, call.keywords)
    elif len(body) != 1:
        return None
    made = call.func.value
    if not (type(made) is ast.Call and type(made.func) is ast.Name and made.func.id in classes):
        return None
    if call.keywords or made.keywords or not all(_simple_value(a) for a in (*call.args, *made.args)):
        return None
    return call


def _held_state_body(cls: ast.ClassDef, method: str, given: list[ast.AST],
                     passed: list[ast.AST]) -> list[ast.stmt] | None:
    """The body of ``cls``'s ``method`` as ``inline_held_state`` puts it in place of the call
    ``cls(*given).method(*passed)``, or None when the class or the method is of another shape."""
    defs = {stmt.name: stmt for stmt in cls.body if type(stmt) is ast.FunctionDef and not stmt.decorator_list}
    if len(defs) != len(cls.body) or "__init__" not in defs or method not in defs or method == "__init__":
        return None
    init, work = defs["__init__"], defs[method]
    init_values, values = _bound_arguments(init.args, given), _bound_arguments(work.args, passed)
    if init_values is None or values is None:
        return None
    this = init.args.args[0].arg
    held: dict[str, ast.AST] = {}

    def stored(node: ast.AST) -> ast.AST | None:
        if type(node) is ast.Attribute and type(node.value) is ast.Name and node.value.id == this:
            if node.attr not in held:
                raise LookupError  # read before it is held
            return placed_copy(held[node.attr], node)
        if type(node) is ast.Name and node.id == this:
            raise LookupError  # ``self`` read whole
        return reads_as(init_values)(node)

    for stmt in init.body:
        target = stmt.targets[0] if type(stmt) is ast.Assign and len(stmt.targets) == 1 else None
        if not (type(target) is ast.Attribute and type(target.value) is ast.Name and target.value.id == this
                and not stored_names(stmt.value)):
            return None
        value = ast.Expr(copy.deepcopy(stmt.value))
        try:
            swap(value, stored)
        except LookupError:
            return None
        held[target.attr] = value.value
    self_name = work.args.args[0].arg
    names = set(values) | {n.id for n in (*given, *passed) if type(n) is ast.Name} | {self_name}
    body = ast.Module(copy.deepcopy(work.body), [])
    for node in subnodes(body):
        kind = type(node)
        if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.Global, ast.Nonlocal):
            return None
        if kind is ast.Name and node.id in names and type(node.ctx) is not ast.Load:
            return None
        if kind is ast.Attribute and type(node.value) is ast.Name and node.value.id == self_name and (
                node.attr not in held or type(node.ctx) is not ast.Load):
            return None
    reads = {**values}

    def pick(node: ast.AST) -> ast.AST | None:
        if type(node) is ast.Attribute and type(node.value) is ast.Name and node.value.id == self_name:
            return placed_copy(held[node.attr], node)
        if type(node) is ast.Name and node.id == self_name:
            raise LookupError  # ``self`` read otherwise than for what it holds
        return reads_as(reads)(node)

    try:
        swap(body, pick)
    except LookupError:
        return None
    return body.body


def _bound_arguments(args: ast.arguments, given: list[ast.AST]) -> dict[str, ast.AST] | None:
    """What each parameter after the first (``self``) of a method with ``args`` holds when called
    with ``given``, a parameter not given holding its default (a plain value, ``_simple_value``);
    None when the method takes other parameters or cannot be called so."""
    if args.posonlyargs or args.vararg or args.kwonlyargs or args.kwarg:
        return None
    params = args.args[1:]
    if not args.args or len(given) > len(params):
        return None
    defaults = dict(zip([a.arg for a in params][len(params) - len(args.defaults):], args.defaults))
    values: dict[str, ast.AST] = {}
    for k, param in enumerate(params):
        value = given[k] if k < len(given) else defaults.get(param.arg)
        if value is None or not _simple_value(value):
            return None
        values[param.arg] = value
    return values


def inline_helpers(tree: ast.Module, keep_names: frozenset[str]) -> None:
    """Put the body of each helper def of the text in place of its calls, and leave the helper out:
    a classmate's ``rnn_cell_forward`` split into ``_activation(xt, a_prev, parameters)`` and
    ``_output(a_next, parameters)``, which the graded def calls before building the cache, scored
    0.05 against the original (thirty-first session). A helper is a top-level def not named as a
    kept name, undecorated, of positional parameters only, that it does not assign, whose body
    holds no other def, lambda, class, ``yield``, ``global`` or ``nonlocal``, does not call
    itself, and ends with its only ``return`` (``_inlinable``); each of its calls is a statement
    (``y = h(a, b)``, ``return h(a, b)``, ``h(a, b)``) in another def, with as many positional
    arguments. Runs after ``own_locals``, so the helper's locals keep spellings of their own; an
    argument that is a name or a constant takes the parameter's place, another is assigned to it
    first. Three rounds (a helper calling a helper), ``_INLINED_NODES`` copied at most."""
    tree.body = [lambda_as_def(stmt) or stmt for stmt in tree.body]  # ``act = lambda z: ...``: a one-line def
    budget = [_INLINED_NODES]
    for _round in range(3):
        defs = [stmt for stmt in tree.body if isinstance(stmt, ast.FunctionDef)]
        names = [d.name for d in defs]
        helpers = {d.name: d for d in defs if names.count(d.name) == 1 and d.name not in keep_names and _inlinable(d)}
        if not helpers:
            return
        if _round == 0:
            for unit in defs:
                _return_call(unit, helpers)
        sites: dict[str, list[tuple[list[ast.stmt], ast.stmt]]] = {name: [] for name in helpers}
        loads: dict[str, int] = {}
        for stmt in tree.body:
            for node in subnodes(stmt):
                if type(node) is ast.Name and node.id in helpers:
                    loads[node.id] = loads.get(node.id, 0) + 1
            if isinstance(stmt, ast.FunctionDef):
                for node in subnodes(stmt):  # the def itself among them
                    for _field, block in statement_blocks(node):
                        for inner in block:
                            call = _helper_call(inner, helpers)
                            if call is not None and call.func.id != stmt.name and len(helpers[call.func.id].body) > 1:
                                sites[call.func.id].append((block, inner))
                    if (type(node) is ast.Call and type(node.func) is ast.Name and node.func.id in helpers
                            and node.func.id != stmt.name and len(helpers[node.func.id].body) == 1
                            and _fits(node, helpers[node.func.id])):
                        sites[node.func.id].append((None, node))  # a one-line helper: its value in place
        done = False
        for name, found in sites.items():
            helper = helpers[name]
            cost = len(found) * len(subnodes(helper)) if found else 0
            if not found or loads.get(name, 0) != len(found) or budget[0] < cost:
                continue
            budget[0] -= cost
            expressions = {id(call): helper.body[0].value for block, call in found if block is None}
            if expressions:
                placing = _ValueOf(helper, expressions, budget)
                placing.visit(tree)
                if placing.left:  # calls whose arguments, copied, would pass the budget stay calls of the def
                    done = True
                    continue
            by_block: dict[int, tuple[list[ast.stmt], set[int]]] = {}
            for block, call in found:
                if block is not None:
                    by_block.setdefault(id(block), (block, set()))[1].add(id(call))
            for block, calls in by_block.values():  # each block rebuilt once
                block[:] = [new for inner in block
                            for new in (_inlined(helper, inner) if id(inner) in calls else [inner])]
            tree.body.remove(helper)
            done = True
        if not done:
            return


def inline_local_functions(tree: ast.Module, keep_names: frozenset[str], *, lambdas: bool) -> None:
    """Put a def's own one-line functions in place of their calls: ``act = lambda z: np.tanh(z)``
    or ``def act(z): return np.tanh(z)`` in the def's block, then ``act(...)`` (0.30 and 0.19
    against the original that writes ``np.tanh(...)``, thirty-fifth session; a nested def only
    when it is another name for a call, ``_renames_a_call``), and a lambda called
    where it stands, ``(lambda z: np.tanh(z))(...)`` (0.41; only looked for when ``lambdas``, the
    text holding ``lambda``). Such a function, not named as a kept name, takes positional parameters
    only, is bound once in the def and only called, with as many positional arguments; its value holds no lambda,
    comprehension, ``yield``, ``await`` or walrus (they scope names) and calls none of the others.
    A Python function reads its free names when called, so its value read at the call reads the
    same. ``_INLINED_NODES`` copied at most, as ``inline_helpers``."""
    budget = [_INLINED_NODES]
    for unit in defs_of(tree):
        local = _local_functions(unit, keep_names)
        if local or lambdas:
            calls = _LocalCalls(local, budget)
            calls.visit(unit)
            done = {id(found[0]) for name, found in local.items() if name in calls.put and name not in calls.left}
            if done:
                unit.body = [s for s in unit.body if id(s) not in done] or [ast.copy_location(ast.Pass(), unit)]


def inline_partials(tree: ast.Module, keep_names: frozenset[str]) -> None:
    """Put what a def's own ``functools.partial`` holds in place of its calls: ``step =
    functools.partial(rnn_cell_forward, parameters=parameters)`` (or ``partial(...)``) in the def's
    block, then ``step(x[:, :, t], a_next)``, is ``rnn_cell_forward(x[:, :, t], a_next,
    parameters=parameters)`` (a copy of ``rnn_forward`` so: 0.29 against its original, 0.38 with
    ``partial(rnn_cell_forward)``; thirty-eighth session). The name, not a kept name, is bound once
    in the def's block and only called; the function and what the partial is given are names,
    constants or attributes of names (no ``*`` or ``**``), each name bound nowhere in the def or
    once before the partial in its block, so that the call reads the values the partial held.
    Only texts holding ``partial(`` are walked (``_normalise_source``); not one that defines a
    ``partial`` of its own."""
    for stmt in tree.body:
        if getattr(stmt, "name", None) == "partial" or (type(stmt) is ast.Assign and "partial" in stored_names(stmt)):
            return
    for unit in defs_of(tree):
        found = _partials(unit, keep_names)
        if found:
            _PartialCalls({name: stmt.value for name, stmt in found.items()}).visit(unit)
            dropped = {id(stmt) for stmt in found.values()}
            unit.body = [s for s in unit.body if id(s) not in dropped] or [ast.copy_location(ast.Pass(), unit)]


def _partials(unit: ast.FunctionDef | ast.AsyncFunctionDef, keep_names: frozenset[str]) -> dict[str, ast.Assign]:
    """Name -> the statement of ``unit``'s block binding it to a partial ``inline_partials`` puts in
    place of its calls."""
    found: dict[str, tuple[int, ast.Assign]] = {}
    for k, stmt in enumerate(unit.body):
        if (type(stmt) is ast.Assign and len(stmt.targets) == 1 and type(stmt.targets[0]) is ast.Name
                and stmt.targets[0].id not in keep_names and _is_partial(stmt.value)):
            found[stmt.targets[0].id] = (k, stmt)
    if not found:
        return {}
    stores: dict[str, list[ast.AST]] = {}  # the def's own parameters aside
    calls: set[int] = set()
    params = {id(a) for a in all_args(unit.args)}
    for node in subnodes(unit):
        kind = type(node)
        if kind is ast.Call and type(node.func) is ast.Name:
            calls.add(id(node.func))
        elif kind is ast.Name and type(node.ctx) is not ast.Load:
            stores.setdefault(node.id, []).append(node)
        elif kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.arg) and node is not unit \
                and id(node) not in params:
            stores.setdefault(getattr(node, "name", None) or node.arg, []).append(node)
    for node in subnodes(unit):  # read otherwise than called: left as it is
        if type(node) is ast.Name and node.id in found and type(node.ctx) is ast.Load and id(node) not in calls:
            found.pop(node.id)
    before = {id(n): k for k, stmt in enumerate(unit.body) for n in subnodes(stmt) if type(stmt) is ast.Assign}
    out = {}
    for name, (k, stmt) in found.items():
        if len(stores.get(name, ())) != 1:
            continue
        held = [*stmt.value.args, *(kw.value for kw in stmt.value.keywords)]
        if all(_held_value(value, stores, before, k) for value in held):
            out[name] = stmt
    return out


def _is_partial(value: ast.AST) -> bool:
    """Whether ``value`` is ``functools.partial(f, ...)`` or ``partial(f, ...)``, without ``*`` or ``**``."""
    if type(value) is not ast.Call or not value.args:
        return False
    func = value.func
    if not ((type(func) is ast.Name and func.id == "partial") or (
            type(func) is ast.Attribute and func.attr == "partial" and type(func.value) is ast.Name
            and func.value.id == "functools")):
        return False
    return not any(type(a) is ast.Starred for a in value.args) and all(kw.arg for kw in value.keywords)


def _held_value(value: ast.AST, stores: dict[str, list[ast.AST]], before: dict[int, int], at: int) -> bool:
    """Whether ``value``, given to the partial bound by ``unit.body[at]``, reads at each call what it
    read there: a constant, or a name (or an attribute of one) bound nowhere else in the def, or once
    before in the block (``before``: a node's top-level statement)."""
    while type(value) is ast.Attribute:
        value = value.value
    if type(value) is ast.Constant:
        return True
    if type(value) is not ast.Name:
        return False
    bound = stores.get(value.id, ())
    return not bound or (len(bound) == 1 and before.get(id(bound[0]), at) < at)


class _PartialCalls(ast.NodeTransformer):
    """Calls of the given names become calls of what their partials hold (``inline_partials``)."""

    def __init__(self, partials: dict[str, ast.Call]) -> None:
        self.partials = partials

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        partial = self.partials.get(node.func.id) if type(node.func) is ast.Name else None
        if partial is None:
            return node
        given = {kw.arg for kw in node.keywords}
        function, *args = copy.deepcopy(partial.args)
        keywords = [copy.deepcopy(kw) for kw in partial.keywords if kw.arg not in given]
        return ast.copy_location(ast.Call(function, [*args, *node.args], [*keywords, *node.keywords]), node)


def _local_functions(unit: ast.FunctionDef | ast.AsyncFunctionDef,
                     keep_names: frozenset[str]) -> dict[str, tuple[ast.stmt, ast.AST, ast.AST]]:
    """Name -> (the statement binding it, the function (a ``Lambda`` or a ``FunctionDef``), its value)
    of ``unit``'s one-line functions that ``inline_local_functions`` puts in place of their calls."""
    found: dict[str, tuple[ast.stmt, ast.AST, ast.AST]] = {}
    for stmt in unit.body:
        kind = type(stmt)
        if kind is ast.FunctionDef and not stmt.decorator_list and len(stmt.body) == 1 and not stmt.returns \
                and type(stmt.body[0]) is ast.Return and _renames_a_call(stmt, stmt.body[0].value):
            found[stmt.name] = (stmt, stmt, stmt.body[0].value)
        elif (kind is ast.Assign and len(stmt.targets) == 1 and type(stmt.targets[0]) is ast.Name
              and type(stmt.value) is ast.Lambda):
            found[stmt.targets[0].id] = (stmt, stmt.value, stmt.value.body)
    found = {name: f for name, f in found.items()
             if name not in keep_names and _plain_function(f[1], f[2], set(found))}
    if not found:
        return found
    calls, names = set(), []
    for node in subnodes(unit):
        kind = type(node)
        if kind is ast.Call and type(node.func) is ast.Name and node.func.id in found \
                and _fits(node, found[node.func.id][1]):
            calls.add(id(node.func))
        elif kind is ast.Name and node.id in found:
            names.append(node)
        elif kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef) and node is not unit and node.name in found:
            names.append(node)  # a def of the name: counted below as a binding
    defined = {id(f[0].targets[0]) if type(f[0]) is ast.Assign else id(f[0]) for f in found.values()}
    for node in names:
        if id(node) not in calls and id(node) not in defined:
            found.pop(getattr(node, "id", None) or node.name, None)  # read otherwise, or bound again
    return found


def _renames_a_call(function: ast.FunctionDef, value: ast.AST | None) -> bool:
    """Whether ``value``, what ``function`` returns, only calls a name or an attribute of one with
    ``function``'s parameters in their order (``def act(z): return np.tanh(z)``): another name for
    that function. A nested def doing work of its own (``def gate(W, b, act): return act(W @ concat +
    b)``) is how honest students write the LSTM's gates; put in place of its calls, it flagged 4
    pairs of independent students of the generated corpus of 1,000 (seed 2) at 1.0."""
    if type(value) is not ast.Call or value.keywords:
        return False
    callee = value.func
    while type(callee) is ast.Attribute:
        callee = callee.value
    params = [a.arg for a in function.args.args]
    return (type(callee) is ast.Name and callee.id not in params and len(value.args) == len(params)
            and all(type(a) is ast.Name and a.id == p for a, p in zip(value.args, params)))


def _plain_function(function: ast.AST, value: ast.AST, names: set[str]) -> bool:
    """Whether ``function`` (a ``Lambda`` or a one-line ``FunctionDef`` returning ``value``) takes
    positional parameters only, and ``value`` holds nothing that binds names or reads ``names``."""
    args = function.args
    if args.posonlyargs or args.vararg or args.kwonlyargs or args.kwarg or args.defaults:
        return False
    return not any(type(n) in _SCOPING or (type(n) is ast.Name and n.id in names) for n in subnodes(value))


#: What a local function's value may not hold to be put in place of its calls.
_SCOPING = frozenset({ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.NamedExpr,
                      ast.Yield, ast.YieldFrom, ast.Await})


class _LocalCalls(ast.NodeTransformer):
    """Calls of a def's one-line functions (``_local_functions``), and lambdas called where they
    stand, become their values with the parameters read as the arguments."""

    def __init__(self, local: dict[str, tuple[ast.stmt, ast.AST, ast.AST]], budget: list[int]) -> None:
        self.local = local
        self.budget = budget
        #: The names of ``local`` with a call put in place, and with a call left (the budget spent):
        #: the binding of a name put and never left goes (one never called is dead code's to drop).
        self.put: set[str] = set()
        self.left: set[str] = set()

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        if type(func) is ast.Name and func.id in self.local:
            _stmt, function, value = self.local[func.id]
        elif type(func) is ast.Lambda and _plain_function(func, func.body, set()) and _fits(node, func):
            function, value = func, func.body
        else:
            return node
        if not _afford(self.budget, [a.arg for a in function.args.args], value, node.args):
            if type(func) is ast.Name:
                self.left.add(func.id)
            return node
        if type(func) is ast.Name:
            self.put.add(func.id)
        put = ast.Expr(copy.deepcopy(value))
        swap(put, reads_as({a.arg: v for a, v in zip(function.args.args, node.args)}))
        return ast.copy_location(put.value, node)


def _return_call(unit: ast.FunctionDef, helpers: dict[str, ast.FunctionDef]) -> None:
    """``y = h(...)`` then ``return y`` at the end of ``unit``, ``y`` read nowhere else, is ``return
    h(...)`` (``h`` one of ``helpers``): a graded def that does some work and then hands its
    arguments to a copied helper, returning its result through a name, kept that name's
    assignment of the helper's value beside the original's ``return`` (0.78; thirty-second
    session)."""
    body = unit.body
    if len(body) < 2 or type(body[-1]) is not ast.Return or type(body[-1].value) is not ast.Name:
        return
    name, before = body[-1].value.id, body[-2]
    if not (type(before) is ast.Assign and len(before.targets) == 1 and type(before.targets[0]) is ast.Name
            and before.targets[0].id == name and _helper_call(before, helpers) is not None):
        return
    if sum(1 for n in subnodes(unit) if type(n) is ast.Name and n.id == name) == 2:
        body[-2:] = [ast.copy_location(ast.Return(before.value), body[-1])]


def _inlinable(helper: ast.FunctionDef) -> bool:
    """Whether ``helper``'s body can be put in place of its calls (``inline_helpers``)."""
    args = helper.args
    if (helper.decorator_list or args.posonlyargs or args.vararg or args.kwonlyargs or args.kwarg
            or args.defaults or not helper.body or type(helper.body[-1]) is not ast.Return
            or helper.body[-1].value is None):
        return False
    params = {a.arg for a in args.args}
    for stmt in helper.body:
        for node in subnodes(stmt):
            kind = type(node)
            if kind in _NOT_INLINED or (kind is ast.Return and stmt is not helper.body[-1]):
                return False
            if kind is ast.Name and (node.id == helper.name or (node.id in params and type(node.ctx) is not ast.Load)):
                return False
    return True


#: What a helper's body may not hold to be inlined.
_NOT_INLINED = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.Yield, ast.YieldFrom,
                          ast.Await, ast.Global, ast.Nonlocal, ast.Try, ast.With, ast.Match, ast.Delete})


def _helper_call(stmt: ast.stmt, helpers: dict[str, ast.FunctionDef]) -> ast.Call | None:
    """The call of one of ``helpers`` that ``stmt`` is (``y = h(...)``, ``return h(...)``,
    ``h(...)``), with as many positional arguments as its parameters, else None."""
    kind = type(stmt)
    if kind is ast.Assign and len(stmt.targets) == 1:
        call = stmt.value
    elif kind is ast.Return or kind is ast.Expr:
        call = stmt.value
    else:
        return None
    if not (type(call) is ast.Call and type(call.func) is ast.Name and call.func.id in helpers):
        return None
    return call if _fits(call, helpers[call.func.id]) else None


def _fits(call: ast.Call, helper: ast.FunctionDef) -> bool:
    """Whether ``call`` passes ``helper`` one positional argument per parameter, and nothing else."""
    return (not call.keywords and not any(type(a) is ast.Starred for a in call.args)
            and len(call.args) == len(helper.args.args))


class _ValueOf(ast.NodeTransformer):
    """The calls given (by id) of a one-line helper become the value it returns, its parameters
    read as the arguments (``inline_helpers``)."""

    def __init__(self, helper: ast.FunctionDef, calls: dict[int, ast.AST], budget: list[int]) -> None:
        self.params = [a.arg for a in helper.args.args]
        self.calls = calls
        self.budget = budget
        #: Whether a call was left (its value with the arguments read in it past the budget).
        self.left = False

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        value = self.calls.get(id(node))
        if value is None:
            return node
        if not _afford(self.budget, self.params, value, node.args):
            self.left = True
            return node
        return ast.copy_location(_Substitute(dict(zip(self.params, node.args))).visit(copy.deepcopy(value)), node)


def _afford(budget: list[int], params: list[str], value: ast.AST, args: list[ast.AST]) -> bool:
    """Whether ``budget`` (nodes left to copy, in a box) holds what putting ``value`` in place of a
    call makes, each read of a parameter a copy of its argument; if so, that is taken from it.
    Counted once per read: nested calls of ``def h(a): return a + a`` double their argument at each
    level, and the budget of the function's nodes alone let 22 levels take 16 s to normalise
    (thirty-sixth session). The argument is counted as far as the budget goes, so a call costs
    what the budget holds at most."""
    reads: dict[str, int] = {}
    nodes = subnodes(value)
    for node in nodes:
        if type(node) is ast.Name and type(node.ctx) is ast.Load and node.id in params:
            reads[node.id] = reads.get(node.id, 0) + 1
    cost = len(nodes)
    for param, arg in zip(params, args):
        count = reads.get(param, 0)
        if count:
            cost += count * (_size_within(arg, budget[0] // count + 1) - 1)
        if cost > budget[0]:
            return False
    budget[0] -= cost
    return True


def _size_within(node: ast.AST, limit: int) -> int:
    """How many nodes ``node`` holds (as ``subnodes`` counts them: a node shared by two parents once
    per parent), counting no further than ``limit``."""
    count, stack = 0, [node]
    while stack and count < limit:
        current = stack.pop()
        count += 1
        for field in CHILD_FIELDS.get(type(current), ()):
            child = getattr(current, field, None)
            if type(child) is list:
                stack.extend(item for item in child if isinstance(item, ast.AST))
            elif isinstance(child, ast.AST):
                stack.append(child)
    return count


def _inlined(helper: ast.FunctionDef, stmt: ast.stmt) -> list[ast.stmt]:
    """The statements that stand for ``stmt``, a call of ``helper`` (``_helper_call``): the
    arguments bound, ``helper``'s body, and its returned value put where the call's was."""
    call = stmt.value
    direct: dict[str, ast.AST] = {}
    out: list[ast.stmt] = []
    for param, value in zip(helper.args.args, call.args):
        if type(value) in (ast.Name, ast.Constant):
            direct[param.arg] = value
        else:
            out.append(ast.copy_location(ast.Assign(targets=[ast.copy_location(
                ast.Name(param.arg, ast.Store()), value)], value=value), value))
    substitute = _Substitute(direct)  # one for the body: a name's first read takes the argument itself
    body = [substitute.visit(copy.deepcopy(s)) for s in helper.body]
    result = body.pop().value
    if type(stmt) is ast.Assign:
        out += [*body, ast.copy_location(ast.Assign(targets=stmt.targets, value=result), stmt)]
    elif type(stmt) is ast.Return:
        out += [*body, ast.copy_location(ast.Return(result), stmt)]
    else:
        out += [*body, ast.copy_location(ast.Expr(result), stmt)]
    return out


class _Substitute(ast.NodeTransformer):
    """Reads of the given names become the given values (``_inlined``, ``_ValueOf``): the first read
    of a name its value itself, each later one a deep copy, so that no node is reached from two
    parents. The arguments of the call put in place are its own, and go with it. Until the
    thirty-eighth session every read had a shallow copy, whose fields shared the argument's nodes and
    lists: every later pass then met those twice, changing some in place, and that the tokens came out
    as with deep copies (3 to 10 times slower) rested on each such change giving the same whichever
    parent reached it first."""

    def __init__(self, values: dict[str, ast.AST]) -> None:
        self.values = values
        self.given: set[str] = set()

    def visit_Name(self, node: ast.Name) -> ast.AST:
        value = self.values.get(node.id)
        if value is None or type(node.ctx) is not ast.Load:
            return node
        if node.id in self.given:
            value = copy.deepcopy(value)
        self.given.add(node.id)
        return ast.copy_location(value, node)
