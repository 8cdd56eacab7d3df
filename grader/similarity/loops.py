"""Counted loops made one spelling for the normaliser (:mod:`grader.similarity.normalise`):
``for t in range(T)``, ``for t in range(0, T, 1)`` and a ``while`` loop over a counter, and the
canonical form of a ``range``."""
from __future__ import annotations

import ast
import re

from grader.similarity.nodetext import loaded_names, statement_blocks
from grader.similarity.syntax import stored_names, subnodes


#: The ``range`` calls ``_canonical_range`` rewrites: ``range(n - 1, -1, -1)``, ``range(0, n)``, ``range(a, b, 1)``.
#: ``range(int(n))`` and ``enumerate(range(...))`` too (thirty-sixth session), and the ``range(1, n)`` of a loop
#: whose first step is written before it (``_unrolled_first_step``, thirty-eighth session); ``range(n - 1, 0, -1)``
#: and ``reversed(range(1, n))``, of a loop whose last step is written after it (``_unrolled_last_step``).
_RANGE_FORMS = re.compile(r"range\s*\((?:[^\n]*-\s*1\s*\)|\s*[01]\s*,|[^\n]*,\s*1\s*\)|\s*int\s*\()"
                          r"|(?:list|tuple|enumerate)\s*\(\s*range")


#: The tests of a loop's counter ``_decided_tests`` folds: ``if t >= 0:``, ``if 0 <= t:``, ``if t > -1:``,
#: ``if t < n:`` (and ``n > t``), as written (before ``a > b`` is ``b < a``). No ``\b`` before ``if``: the
#: search took 25 times as long, and an ``elif`` is an ``if`` to fold too.
_DECIDED = re.compile(r"if\s+(?:\w+\s*(?:>=\s*0|>\s*-\s*1|<|>)|0\s*<=|-\s*1\s*<)")


def may_count(source: str) -> bool:
    """A cheap look for the loops ``canonical_loops`` rewrites, before any walk: most texts hold
    none."""
    return "while" in source or "::" in source or "arange" in source or (
        "range" in source and (_RANGE_FORMS.search(source) is not None
                               or ("if " in source and _DECIDED.search(source) is not None)))


def canonical_loops(tree: ast.Module) -> None:
    """Loops that count, written one way: ``t = a`` followed by ``while t < b:`` whose body ends
    with ``t += 1`` (``<=``, and counting down with ``>``, ``>=`` and ``t -= 1``, likewise) is
    ``for t in range(a, b):``, when nothing else in the body binds ``t``, nothing after the step
    reads it and no ``continue`` skips the step (``_counted_range``), and nothing between ``t =
    a`` and the loop reads ``t`` (``_counter_start``); ``range(0, n)`` is ``range(n)``, and ``range(n - 1, -1,
    -1)`` and ``range(n)[::-1]`` are ``reversed(range(n))``. A copy of ``rnn_forward`` whose
    ``for`` became a ``while`` scored 0.30, of ``rnn_backward`` 0.45, and ``range(T_x - 1, -1,
    -1)`` for ``reversed(range(T_x))`` 0.57 (thirty-first session)."""
    for node in subnodes(tree):
        for _field, block in statement_blocks(node):
            for i in range(len(block) - 1, 0, -1):  # from the end: a rewrite leaves the earlier indices
                loop = block[i]
                if type(loop) is not ast.While or loop.orelse or i >= len(block):
                    continue
                test = loop.test
                if type(test) is not ast.Compare or len(test.ops) != 1:
                    continue
                for side in (test.left, test.comparators[0]):
                    init = _counter_start(block, i, side.id) if type(side) is ast.Name else None
                    counted = None if init is None else _counted_range(loop, side.id, init.value)
                    if counted is not None:
                        break
                if counted is not None:
                    name = init.targets[0].id
                    block[i] = ast.copy_location(ast.For(
                        target=ast.copy_location(ast.Name(name, ast.Store()), init.targets[0]), iter=counted,
                        body=[stmt for stmt in loop.body if not _step_of(stmt, name)], orelse=[], type_comment=None),
                        loop)
                    block.remove(init)
            for i in range(len(block) - 2, -1, -1):
                if type(block[i]) is ast.For:
                    _unrolled_last_step(block, i)
            for i in range(len(block) - 1, 0, -1):
                if i < len(block) and type(block[i]) is ast.For:
                    _unrolled_first_step(block, i)
        if type(node) is ast.For:
            node.iter = _canonical_range(node.iter)
            if type(node.iter) is ast.Call and type(node.iter.func) is ast.Name and node.iter.func.id == "enumerate":
                _enumerated_range(node, tree)
            _decided_tests(node)


def _unrolled_first_step(block: list[ast.stmt], i: int) -> None:
    """``for t in range(1, n):`` (``block[i]``) after its body written for ``t = 0`` is ``for t in
    range(n):``: the statements before it that are the body with ``t`` read as ``0`` go, and so does
    the ``1``. In those statements a name the body binds may be read where the body reads it before
    binding it (what the loop carries, ``a_next``) as another name or a constant (``a0``): that value
    is then given to the name before the loop (``a_next = a0``). A copy of ``rnn_forward`` with its
    first step so written before the loop scored 0.28 against its original, 0.08 reading ``a0``
    there (thirty-eighth session)."""
    loop = block[i]
    counted = loop.iter
    if not (type(loop.target) is ast.Name and not loop.orelse and type(counted) is ast.Call
            and type(counted.func) is ast.Name and counted.func.id == "range" and len(counted.args) == 2
            and not counted.keywords and type(counted.args[0]) is ast.Constant and counted.args[0].value == 1
            and type(counted.args[0].value) is int and type(counted.args[1]) is not ast.Starred):
        return
    body, name = loop.body, loop.target.id
    start = i - len(body)
    bound = [stored_names(stmt) for stmt in body]
    carried = set().union(*bound)
    if start < 0 or name in carried or name in loaded_names(counted.args[1]):
        return
    given: dict[str, ast.AST] = {}
    written: set[str] = set()
    for stmt, before, stored in zip(body, block[start:i], bound):
        free = carried - written
        if type(stmt) not in (ast.Assign, ast.Expr):  # a block of its own may bind then read a name
            free -= stored
        if not _same_step(stmt, before, name, free, given):
            return
        written |= stored
    first = [ast.copy_location(ast.Assign(targets=[ast.copy_location(ast.Name(var, ast.Store()), value)],
                                          value=value), value)
             for var, value in given.items() if not (type(value) is ast.Name and value.id == var)]
    if {value.id for value in given.values() if type(value) is ast.Name} & {a.targets[0].id for a in first}:
        return  # ``a = b`` then ``b = a``: not what the step read
    counted.args = counted.args[1:]
    block[start:i] = first


def _unrolled_last_step(block: list[ast.stmt], i: int) -> None:
    """``for t in reversed(range(1, n)):`` (``block[i]``; ``range(n - 1, 0, -1)`` as written) followed
    by its body written for ``t = 0`` is ``for t in reversed(range(n)):``: the statements after it that
    are the body with ``t`` read as ``0`` (and nothing else changed) go, and so does the ``1``, when the
    body binds neither ``t`` nor a name of ``n`` and nothing after reads ``t``. A copy of
    ``rnn_backward`` with its last step so written after the loop scored 0.51 against its original,
    0.47 looping over ``range(T_x - 1, 0, -1)`` (thirty-eighth session)."""
    loop = block[i]
    loop.iter = _canonical_range(loop.iter)
    counted = loop.iter.args[0] if (type(loop.iter) is ast.Call and type(loop.iter.func) is ast.Name
                                    and loop.iter.func.id == "reversed" and len(loop.iter.args) == 1) else None
    if not (type(loop.target) is ast.Name and not loop.orelse and type(counted) is ast.Call
            and type(counted.func) is ast.Name and counted.func.id == "range" and len(counted.args) == 2
            and not counted.keywords and _is_int(counted.args[0], 1) and type(counted.args[1]) is not ast.Starred):
        return
    body, name = loop.body, loop.target.id
    end = i + 1 + len(body)
    carried = set().union(*(stored_names(stmt) for stmt in body))
    if (end > len(block) or name in carried or loaded_names(counted.args[1]) & (carried | {name})
            or any(name in loaded_names(stmt) for stmt in block[end:])):
        return
    if not all(_same_step(stmt, after, name, set(), {}) for stmt, after in zip(body, block[i + 1:end])):
        return
    counted.args = counted.args[1:]
    del block[i + 1:end]


def _same_step(body: ast.AST, before: ast.AST, name: str, free: set[str], given: dict[str, ast.AST]) -> bool:
    """Whether ``before`` is ``body`` with ``name`` read as ``0`` and each name of ``free`` read as
    one value throughout (a name or a constant, recorded in ``given``) (``_unrolled_first_step``)."""
    if type(body) is ast.Name and type(body.ctx) is ast.Load:
        if body.id == name:
            return type(before) is ast.Constant and before.value == 0 and type(before.value) is int
        if body.id in free and type(before) in (ast.Name, ast.Constant) and type(getattr(before, "ctx", None)) in (
                ast.Load, type(None)):
            held = given.setdefault(body.id, before)
            return type(held) is type(before) and (
                held.id == before.id if type(held) is ast.Name else held.value == before.value
                and type(held.value) is type(before.value))
    if type(body) is not type(before):
        return False
    for field in body._fields:
        mine, theirs = getattr(body, field, None), getattr(before, field, None)
        if type(mine) is list:
            if type(theirs) is not list or len(mine) != len(theirs) or not all(
                    _same_step(a, b, name, free, given) if isinstance(a, ast.AST) else a == b
                    for a, b in zip(mine, theirs)):
                return False
        elif isinstance(mine, ast.AST):
            if not isinstance(theirs, ast.AST) or not _same_step(mine, theirs, name, free, given):
                return False
        elif mine != theirs or type(mine) is not type(theirs):
            return False
    return True


def _decided_tests(loop: ast.For) -> None:
    """In ``for t in range(n):`` (or ``reversed(range(n))``), an ``if`` testing what the range decides
    gives way to the block that runs: ``t >= 0``, ``0 <= t``, ``t > -1`` and ``t < n`` (``n > t``) are
    true, when the body binds neither ``t`` nor ``n`` (a name or a constant). ``if t >= 0:`` around a
    line of a copy's loop scored 0.68 against its original, ``if t < T_x:`` 0.64 (thirty-seventh session)."""
    counted = loop.iter
    if type(counted) is ast.Call and type(counted.func) is ast.Name and counted.func.id == "reversed" and counted.args:
        counted = counted.args[0]
    if not (type(counted) is ast.Call and type(counted.func) is ast.Name and counted.func.id == "range"
            and len(counted.args) == 1 and not counted.keywords and type(loop.target) is ast.Name):
        return
    name, stop = loop.target.id, counted.args[0]
    bound = set().union(*(stored_names(stmt) for stmt in loop.body))
    if name in bound or not (type(stop) is ast.Constant or (type(stop) is ast.Name and stop.id not in bound)):
        return
    todo = [loop]
    while todo:
        node = todo.pop()
        for _field, block in statement_blocks(node):
            if not block:  # an ``orelse`` left out
                continue
            i = 0
            while i < len(block):
                stmt = block[i]
                truth = _truth_in_range(stmt.test, name, stop) if type(stmt) is ast.If else None
                if truth is None:
                    todo.append(stmt)
                    i += 1
                    continue
                kept = stmt.body if truth else stmt.orelse
                block[i:i + 1] = kept  # its statements are looked at in turn
            if not block:
                block.append(ast.copy_location(ast.Pass(), node))


def _truth_in_range(test: ast.AST, name: str, stop: ast.AST) -> bool | None:
    """True when ``test`` holds for every ``name`` of ``range(stop)`` (``_decided_tests``), else None."""
    if type(test) is not ast.Compare or len(test.ops) != 1:
        return None
    op, left, right = type(test.ops[0]), test.left, test.comparators[0]
    if type(right) is ast.Name and right.id == name:  # ``0 <= t``: the other way round
        left, right = right, left
        op = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE}.get(op, op)
    if not (type(left) is ast.Name and left.id == name):
        return None
    if (op is ast.GtE and _is_int(right, 0)) or (op is ast.Gt and _minus_one(right)):
        return True
    if op is ast.Lt and (ast.dump(right) == ast.dump(stop)):
        return True
    return None


def _enumerated_range(loop: ast.For, tree: ast.Module) -> None:
    """``for i, t in enumerate(range(n)):`` as ``for t in range(n):`` with ``i`` read as ``t`` (the
    index and the item are the same number), when neither name is bound again in the text, nor ``i``
    read outside the loop's body. A copy of ``rnn_forward`` looping so scored 0.50 against its
    original, 0.47 with the names the other way round (thirty-sixth session)."""
    call, target = loop.iter, loop.target
    if (len(call.args) != 1 or call.keywords or type(target) is not ast.Tuple or len(target.elts) != 2
            or any(type(e) is not ast.Name for e in target.elts)):
        return
    inner = _canonical_range(call.args[0])
    if not (type(inner) is ast.Call and type(inner.func) is ast.Name and inner.func.id == "range"
            and len(inner.args) == 1 and type(inner.args[0]) is not ast.Starred and not inner.keywords):
        return
    index, item = target.elts[0].id, target.elts[1].id
    if index == item:
        return
    stores = [n for n in subnodes(tree) if type(n) is ast.Name and n.id in (index, item) and type(n.ctx) is not ast.Load]
    reads = [n for stmt in loop.body for n in subnodes(stmt) if type(n) is ast.Name and n.id == index]
    if len(stores) != 2 or len(reads) != sum(1 for n in subnodes(tree) if type(n) is ast.Name and n.id == index) - 1:
        return
    for name in reads:
        name.id = item
    loop.target = target.elts[1]
    loop.iter = inner


def _counter_start(block: list[ast.stmt], i: int, name: str) -> ast.Assign | None:
    """The ``name = a`` that starts the counter ``name`` of the ``while`` at ``block[i]``: the last
    statement before it that binds ``name``, when that is such an assignment and the statements in
    between (simple ones) do not read it: independent statements, as a copier who reorders them
    puts them."""
    for j in range(i - 1, -1, -1):
        stmt = block[j]
        if (type(stmt) is ast.Assign and len(stmt.targets) == 1 and type(stmt.targets[0]) is ast.Name
                and stmt.targets[0].id == name):
            return stmt
        if not isinstance(stmt, (ast.Assign, ast.AugAssign, ast.Expr)) \
                or name in loaded_names(stmt) or name in stored_names(stmt):
            return None
    return None


def _minus_one(node: ast.AST) -> bool:
    """Whether ``node`` is ``-1`` (as parsed: ``-`` applied to the constant 1)."""
    if type(node) is ast.UnaryOp and type(node.op) is ast.USub:
        node = node.operand
        return type(node) is ast.Constant and type(node.value) is int and node.value == 1
    return type(node) is ast.Constant and type(node.value) is int and node.value == -1


def _step_of(stmt: ast.stmt, name: str) -> int:
    """+1 or -1 for ``name += 1`` / ``name = name + 1`` (and their ``-``), else 0."""
    if type(stmt) is ast.AugAssign and type(stmt.target) is ast.Name and stmt.target.id == name:
        op, amount = stmt.op, stmt.value
    elif (type(stmt) is ast.Assign and len(stmt.targets) == 1 and type(stmt.targets[0]) is ast.Name
          and stmt.targets[0].id == name and type(stmt.value) is ast.BinOp and type(stmt.value.left) is ast.Name
          and stmt.value.left.id == name):
        op, amount = stmt.value.op, stmt.value.right
    else:
        return 0
    if not (type(amount) is ast.Constant and type(amount.value) is int and amount.value == 1):
        return 0
    return {ast.Add: 1, ast.Sub: -1}.get(type(op), 0)


def _counted_range(loop: ast.While, name: str, start: ast.AST) -> ast.AST | None:
    """The ``range(...)`` call a ``while`` loop counting ``name`` from ``start`` walks through, or
    None when it is not such a loop (``canonical_loops``)."""
    test = loop.test
    if type(test) is not ast.Compare or len(test.ops) != 1 or not loop.body:
        return None
    op, left, right = type(test.ops[0]), test.left, test.comparators[0]
    if type(right) is ast.Name and right.id == name:  # ``b > t``: the other way round
        left, right = right, left
        op = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE}.get(op, op)
    if not (type(left) is ast.Name and left.id == name) or name in loaded_names(right) or name in loaded_names(start):
        return None
    steps = [k for k, stmt in enumerate(loop.body) if _step_of(stmt, name)]
    if len(steps) != 1:
        return None
    step = _step_of(loop.body[steps[0]], name)
    rest = [stmt for k, stmt in enumerate(loop.body) if k != steps[0]]
    if (any(name in stored_names(stmt) for stmt in rest)
            or any(name in loaded_names(stmt) for stmt in loop.body[steps[0] + 1:])  # after the step: t + 1
            or any(type(node) is ast.Continue for stmt in rest for node in subnodes(stmt))):
        return None
    one = ast.Constant(1)
    if step == 1 and op in (ast.Lt, ast.LtE):
        end = right if op is ast.Lt else ast.BinOp(left=right, op=ast.Add(), right=one)
        args = [start, end]
    elif step == -1 and op in (ast.Gt, ast.GtE):
        if op is ast.Gt:
            end = right
        elif type(right) is ast.Constant and type(right.value) is int and not isinstance(right.value, bool):
            end = ast.UnaryOp(op=ast.USub(), operand=one) if right.value == 0 else ast.Constant(right.value - 1)
        else:
            end = ast.BinOp(left=right, op=ast.Sub(), right=one)
        args = [start, end, ast.UnaryOp(op=ast.USub(), operand=ast.Constant(1))]
    else:
        return None
    call = ast.Call(func=ast.Name("range", ast.Load()), args=args, keywords=[])
    return _canonical_range(ast.fix_missing_locations(ast.copy_location(call, loop)))


def _range_of(node: ast.AST) -> ast.AST:
    """What a loop runs over read as a ``range`` when it counts as one: ``list(range(n))`` and
    ``tuple(range(n))`` are ``range(n)``, ``np.arange(...)`` of positional arguments is ``range(...)``
    (a copy of ``rnn_forward`` looping so scored 0.47, thirty-fifth session); else ``node``."""
    if type(node) is not ast.Call or node.keywords or any(type(a) is ast.Starred for a in node.args):
        return node
    func = node.func
    if type(func) is ast.Name and func.id in ("list", "tuple") and len(node.args) == 1:
        inner = node.args[0]
        if type(inner) is ast.Call and type(inner.func) is ast.Name and inner.func.id == "range":
            return inner
    elif (type(func) is ast.Attribute and func.attr == "arange" and type(func.value) is ast.Name
          and func.value.id in ("np", "numpy") and 1 <= len(node.args) <= 3):
        return ast.copy_location(ast.Call(func=ast.copy_location(ast.Name("range", ast.Load()), func),
                                          args=node.args, keywords=[]), node)
    return node


def _is_int(node: ast.AST, value: int) -> bool:
    """Whether ``node`` is the int constant ``value``."""
    return type(node) is ast.Constant and type(node.value) is int and node.value == value


def _int_of(node: ast.AST) -> ast.AST:
    """What ``int(x)`` converts, ``x``, as a bound of ``range`` (which takes integers only); else ``node``."""
    if (type(node) is ast.Call and type(node.func) is ast.Name and node.func.id == "int" and len(node.args) == 1
            and not node.keywords and type(node.args[0]) is not ast.Starred):
        return node.args[0]
    return node


def _canonical_range(node: ast.AST) -> ast.AST:
    """``range(a, b, 1)`` -> ``range(a, b)``; ``range(0, n)`` -> ``range(n)``; ``range(n - 1, -1, -1)`` and ``range(n)[::-1]`` ->
    ``reversed(range(n))``, ``range(n - 1, 0, -1)`` -> ``reversed(range(1, n))`` (``canonical_loops``)."""
    def is_range(call: ast.AST) -> bool:
        return (type(call) is ast.Call and type(call.func) is ast.Name and call.func.id == "range"
                and not call.keywords and not any(type(a) is ast.Starred for a in call.args))

    def reversed_of(inner: ast.AST) -> ast.AST:
        return ast.copy_location(ast.Call(func=ast.copy_location(ast.Name("reversed", ast.Load()), node),
                                          args=[inner], keywords=[]), node)

    if (type(node) is ast.Subscript and type(node.slice) is ast.Slice and node.slice.lower is None
            and node.slice.upper is None and node.slice.step is not None and _minus_one(node.slice.step)
            and is_range(node.value)):
        return reversed_of(_canonical_range(node.value))
    if type(node) is ast.Call and type(node.func) is ast.Name and node.func.id == "reversed" and len(node.args) == 1:
        node.args[0] = _canonical_range(node.args[0])
        return node
    node = _range_of(node)
    if not is_range(node):
        return node
    args = node.args = [_int_of(a) for a in node.args]  # ``range(int(T_x))``: 0.47 (thirty-sixth session)
    if len(args) == 3 and _is_int(args[2], 1):  # ``range(0, T_x, 1)``: 0.46 (thirty-fourth session)
        args = node.args = args[:2]
    if len(args) == 2 and _is_int(args[0], 0):
        node.args = [args[1]]
    elif (len(args) == 3 and (_minus_one(args[1]) or _is_int(args[1], 0)) and _minus_one(args[2])
          and type(args[0]) is ast.BinOp and type(args[0].op) is ast.Sub and _is_int(args[0].right, 1)):
        # ``range(n - 1, 0, -1)``, the loop whose last step is written after it: ``reversed(range(1, n))``
        node.args = [args[0].left] if _minus_one(args[1]) else [ast.copy_location(ast.Constant(1), args[1]),
                                                                 args[0].left]
        return reversed_of(node)
    return node
