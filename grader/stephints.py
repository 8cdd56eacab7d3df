"""Hints on how a sequence's steps call each other: an argument that never changes from step to
step, a slot of the output never filled or filled at a fixed step, a value carried where the step's
own should go, a helper called through another, and values returned, unpacked or cached in another
order than the caller reads them (the forward and backward passes). Pure functions of the student's
source and of the notebook's other functions; "" when no rule fits."""
from __future__ import annotations

import ast
import difflib
import re
from types import MappingProxyType
from typing import Any, Iterator, Mapping, Sequence

from grader.hintcode import (walked, MOST_LOOP_STATEMENTS, MOST_STATE_NODES, as_written, function_tree, line_statement, listed,
                             loops_of, names_in, ordinal, quoted_head, statement_blocks, stores_of)


def step_arguments(dep: str) -> str:
    """What a composite gives its per-step function ``dep`` at each time step, in the words of
    the assignment: a backward step a gradient and a cache, a forward step a slice of the input
    and the state carried over (the LSTM's memory too)."""
    if dep.endswith("_backward"):
        return "that step's gradient with the one carried over, and that step's cache"
    carried = "the previous hidden state and memory" if "lstm" in dep else "the previous hidden state"
    return f"{carried}, the slice of the input"


def _terms(node: ast.expr) -> list[str]:
    """The names ``node`` adds, subtracts or multiplies as they are (``da_prevt`` in
    ``da[:, :, t] + da_prevt``), not those it indexes, calls or reads an attribute of."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.BinOp):
        return _terms(node.left) + _terms(node.right)
    if isinstance(node, ast.UnaryOp):
        return _terms(node.operand)
    return []


def unchanged_argument_hint(source: str, *, callee: str, index: int, first_line: int = 1,
                            others: tuple[int, ...] = ()) -> str:
    """For a per-step function that a loop called with a wrong argument (the ``index``-th, counted
    from 0) whose value no step changes (``lstm_cell_forward(x[:, :, t], a_prev, c_prev, ...)`` where
    the loop assigns ``a_next``, never ``a_prev``; ``da[:, :, t] + da_prevt`` where it assigns
    ``da_prev``): the name, and where it got the one value every step is given; with the names of
    the ``others`` wrong arguments no step changes either (``a0, c0``: thirty-fifth session, only
    ``a0`` was named). "" otherwise."""
    fn = function_tree(source)
    for loop, _after in loops_of(fn) if fn is not None else ():
        changed = names_in(loop, ast.Store)
        calls = [node for node in ast.walk(loop) if isinstance(node, ast.Call) and len(node.args) > index
                 and ((isinstance(node.func, ast.Name) and node.func.id == callee)
                      or (isinstance(node.func, ast.Attribute) and node.func.attr == callee))]
        for call in calls:
            bare = sorted(name for name in _terms(call.args[index]) if name not in changed)
            if not bare:
                continue
            names = [bare[0]]
            for k in others[:8]:  # the call's arguments: a few
                if k != index and k < len(call.args):
                    names.extend(name for name in sorted(_terms(call.args[k]))
                                 if name not in changed and name not in names)
            given = []
            for name in names[:4]:
                made = [stmt for stmt in stores_of(fn, name) if stmt.lineno < loop.lineno]
                given.append(f"the value of line {made[-1].lineno + first_line - 1} (`{quoted_head(made[-1], source)}`)"
                             if made else f"the same `{name}`")
            step = loop.target.id if isinstance(loop.target, ast.Name) else "t"
            return (f"No step of the loop changes {listed([f'`{n}`' for n in names[:4]])}, which line "
                    f"{call.lineno + first_line - 1} passes to `{callee}`: every step is given {listed(given)}. "
                    f"Each step needs its own: that step's part of an array or list (indexed with `{step}`), or "
                    f"what the step before gave back.")
    return ""


def _named_step_calls(source: str, callee: str, index: int) -> Iterator[tuple[ast.AST, ast.For, ast.Call, str]]:
    """The calls of ``callee`` in the loops of the def ``source`` whose ``index``-th argument is a
    plain name: the def, the loop, the call and the name, in source order; the loops' nodes read, nested
    loops' again, at most ``MOST_STATE_NODES``."""
    fn = function_tree(source)
    read = 0
    for loop, _after in loops_of(fn) if fn is not None else ():
        for call in ast.walk(loop):
            read += 1
            if read > MOST_STATE_NODES:
                return
            if isinstance(call, ast.Call) and len(call.args) > index and _callee_is(call, callee) \
                    and isinstance(call.args[index], ast.Name):
                yield fn, loop, call, call.args[index].id


def repeated_argument_hint(source: str, *, callee: str, index: int, first_line: int = 1) -> str:
    """For a per-step function that a loop called with a wrong argument (the ``index``-th, counted
    from 0) that is a plain name the same call also passes at another place
    (``lstm_cell_forward(x[:, :, t], a_next, a_next, parameters)``: the hidden state given as the
    memory too): the name and its two places. "" otherwise (thirty-fifth session: told only that the
    inputs differ from a correct run's)."""
    for _fn, _loop, call, name in _named_step_calls(source, callee, index):
        other = next((k for k, arg in enumerate(call.args) if k != index and isinstance(arg, ast.Name)
                      and arg.id == name), None)
        if other is None:
            continue
        return (f"Line {call.lineno + first_line - 1} passes `{name}` to `{callee}` twice, as its "
                f"{ordinal(other + 1)} and its {ordinal(index + 1)} argument: the {ordinal(index + 1)} needs its "
                f"own value, the one the step before gave back for it (the initial one at the first step).")
    return ""


def initial_value_hint(source: str, *, callee: str, index: int, wanted: str, first_line: int = 1) -> str:
    """For a per-step function whose first call, in a loop, got a wrong argument (the ``index``-th,
    counted from 0) that is a plain name set before the loop and not in it before the call, and not
    passed twice (``repeated_argument_hint``'s): that line (``c_next = 0``, ``a_next = np.zeros(a0.shape)``),
    and ``wanted``, what a correct run passes there ("`a0`", "an array of zeros"). "" otherwise
    (thirty-sixth session: told only that the inputs differ from a correct run's, first at call 1)."""
    for fn, loop, call, name in _named_step_calls(source, callee, index):
        sets = stores_of(fn, name)
        made = [stmt for stmt in sets if stmt.lineno < loop.lineno]
        twice = any(isinstance(arg, ast.Name) and arg.id == name for k, arg in enumerate(call.args) if k != index)
        if not made or twice or name in names_in(loop.target, ast.Store) \
                or any(loop.lineno <= stmt.lineno < call.lineno for stmt in sets):
            return ""
        return (f"Line {made[-1].lineno + first_line - 1} sets `{quoted_head(made[-1], source)}` before the loop: "
                f"that `{name}` is what line {call.lineno + first_line - 1} passes to `{callee}` at the first "
                f"step, where a correct run passes {wanted}.")
    return ""


def unfilled_slot_hint(source: str, *, callee: str, index: int, first_line: int = 1) -> str:
    """For a per-step function that a loop called with a wrong argument (the ``index``-th, counted
    from 0) that is the place of an array the loop fills at this very step, after the call
    (``rnn_cell_forward(xt, a[:, :, t], parameters)`` above ``a[:, :, t] = a_next``): that place
    still holds what the array was created with, zeros, at every step. "" otherwise."""
    fn = function_tree(source) if "[" in source else None
    for loop, _after in loops_of(fn) if fn is not None else ():
        if not isinstance(loop.target, ast.Name):
            continue
        step = loop.target.id
        stores = [node for node in ast.walk(loop) if isinstance(node, ast.Assign)
                  for target in node.targets if _at_step(target, step)]
        for call in ast.walk(loop):
            if not (isinstance(call, ast.Call) and len(call.args) > index and _callee_is(call, callee)):
                continue
            place = call.args[index]
            if _at_step(place, step):
                later = [stmt for stmt in stores if stmt.lineno > call.lineno
                         and any(_at_step(t, step) and t.value.id == place.value.id for t in stmt.targets)]
                if later:
                    return (f"Line {call.lineno + first_line - 1} passes `{as_written(place, source)}` to `{callee}`: at "
                            f"each step that place of `{place.value.id}` still holds the zeros it was created with, as "
                            f"the loop stores the step's result there only after the call (line "
                            f"{later[0].lineno + first_line - 1}). Pass what the step before gave back (the initial "
                            f"state at the first step).")
            elif _before_step(place, step) and _from_zero(loop) and any(
                    _at_step(t, step) and t.value.id == place.value.id for stmt in stores for t in stmt.targets):
                # ``a[:, :, t - 1]`` (a real notebook's, thirty-fourth session): the step before's place, right
                # from the second step on; at the first, index -1, the last step's place, still zeros.
                return (f"Line {call.lineno + first_line - 1} passes `{as_written(place, source)}` to `{callee}`: at the "
                        f"first step, `{step}` = 0, that is index -1, the last step's place of `{place.value.id}`, "
                        f"which still holds the zeros it was created with, where the first step needs the initial "
                        f"state. Pass what the step before gave back (the initial state at the first step).")
    return ""


def _before_step(node: ast.expr, step: str) -> bool:
    """Whether ``node`` is a plain name indexed at the loop's ``step`` minus 1 last (``a[:, :, t - 1]``)."""
    index = _last_index(node)
    return (isinstance(index, ast.BinOp) and isinstance(index.op, ast.Sub) and isinstance(index.left, ast.Name)
            and index.left.id == step and isinstance(index.right, ast.Constant) and index.right.value == 1)


def _from_zero(loop: ast.For) -> bool:
    """Whether ``loop`` runs over ``range(n)`` (or ``range(0, n)``): its first step is 0."""
    it = loop.iter
    return (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range"
            and not it.keywords and (len(it.args) == 1 or (len(it.args) >= 2 and isinstance(it.args[0], ast.Constant)
                                                           and it.args[0].value == 0)))


def fixed_step_hint(source: str, *, callee: str, index: int, first_line: int = 1) -> str:
    """For a per-step function that a loop called with a wrong argument (the ``index``-th, counted
    from 0) indexed at a number where the loop's step belongs (``rnn_cell_forward(xt[:, :, 1], ...)``,
    a real notebook's): the same step of the array at every step. "" otherwise."""
    fn = function_tree(source) if "[" in source else None
    for loop, _after in loops_of(fn) if fn is not None else ():
        if not isinstance(loop.target, ast.Name):
            continue
        step = loop.target.id
        for call in ast.walk(loop):
            if not (isinstance(call, ast.Call) and len(call.args) > index and _callee_is(call, callee)):
                continue
            place = call.args[index]
            if not (isinstance(place, ast.Subscript) and isinstance(place.value, ast.Name)):
                continue
            last = place.slice.elts[-1] if isinstance(place.slice, ast.Tuple) and place.slice.elts else place.slice
            if isinstance(last, ast.Constant) and type(last.value) is int and step not in names_in(place, ast.Load):
                return (f"Line {call.lineno + first_line - 1} passes `{as_written(place, source)}` to `{callee}`: "
                        f"step {last.value} of `{place.value.id}` at every step. Index it with the loop's `{step}`.")
    return ""


#: The most ``for`` loops of a function ``carried_only_hint``, ``step_only_hint`` and
#: ``carried_gradient_hint`` read (``loophints.MOST_LOOPS`` too).
_MOST_LOOPS = 20


def _bounded_blocks(fn: ast.FunctionDef | ast.AsyncFunctionDef | None) -> list[list[ast.stmt]]:
    """``fn``'s blocks of statements, or none when it has more statements than the loop rules read
    (``MOST_LOOP_STATEMENTS``: a function no student writes) or no function was found."""
    blocks = statement_blocks(fn) if fn is not None else []
    return blocks if sum(map(len, blocks)) <= MOST_LOOP_STATEMENTS else []


def _last_store(loop: ast.For, name: str, memo: dict[str, int]) -> int:
    """The last line of ``loop`` that gives ``name`` a value (0 for none), looked up once per name."""
    if name not in memo:
        memo[name] = max((stmt.lineno for stmt in stores_of(loop, name)), default=0)
    return memo[name]


def carried_only_hint(source: str, *, callee: str, index: int, first_line: int = 1) -> str:
    """For a backward step that a loop called with a wrong argument (the ``index``-th, counted from
    0) that is only what the step after carried back (``rnn_cell_backward(da_prevt, caches[t])``,
    ``da_prevt`` assigned from the call's result), in a loop that never reads the one parameter of
    the function it does not read (``da``, each step's own gradient): the line, and the sum to pass.
    "" otherwise (a forward step, a loop that reads every parameter, an argument never carried)."""
    fn = function_tree(source) if callee.endswith("_backward") else None
    blocks = _bounded_blocks(fn)
    params = [arg.arg for arg in fn.args.args] if blocks else []
    for loop, _after in loops_of(fn, blocks)[:_MOST_LOOPS] if blocks else ():
        if not isinstance(loop.target, ast.Name):
            continue
        unread = [name for name in params if name not in names_in(loop, ast.Load)]
        if len(unread) != 1:
            continue
        last_store: dict[str, int] = {}  # each name's stores looked up once per loop, not once per call
        for call in walked(loop):
            if isinstance(call, ast.Call) and len(call.args) > index and _callee_is(call, callee) \
                    and isinstance(call.args[index], ast.Name) and call.lineno < _last_store(loop, call.args[index].id,
                                                                                            last_store):
                carried, step = call.args[index].id, loop.target.id
                return (f"Line {call.lineno + first_line - 1} passes `{carried}` to `{callee}`, the gradient the step "
                        f"after carried back, alone: the loop never reads `{unread[0]}`, the gradient of each step's "
                        f"own output. Pass `{unread[0]}[:, :, {step}] + {carried}`.")
    return ""


def step_only_hint(source: str, *, callee: str, index: int, first_line: int = 1) -> str:
    """For a backward step that a loop called with a wrong gradient (its first argument, ``index`` 0)
    that is only an input at the loop's step (``rnn_cell_backward(da[:, :, t], caches[t])``), while
    the loop keeps the gradient the call gives back for the step before (``da_prevt =
    gradients["da_prev"]``) and never adds it: the line, and the sum to pass. A real notebook of the
    thirtieth corpus, which also set ``da0 = da``, was told only "inputs that differ ... (first
    at call 2, in `da_next`)" (the known mistake, of ``da0`` right, did not match). "" otherwise."""
    fn = function_tree(source) if callee.endswith("_backward") and index == 0 and "prev" in source else None
    blocks = _bounded_blocks(fn)
    params = {arg.arg for arg in fn.args.args} if blocks else set()
    for loop, _after in loops_of(fn, blocks)[:_MOST_LOOPS] if blocks else ():
        if not isinstance(loop.target, ast.Name):
            continue
        inside = list(walked(loop))
        carried = next((target.id for stmt in inside if isinstance(stmt, ast.Assign)
                        for target, value in _pairs(stmt) if isinstance(target, ast.Name)
                        and isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Constant)
                        and value.slice.value == "da_prev"), "")
        for call in inside:
            if not (carried and isinstance(call, ast.Call) and len(call.args) > index and _callee_is(call, callee)):
                continue
            place = call.args[index]
            if _at_step(place, loop.target.id) and place.value.id in params:
                return (f"Line {call.lineno + first_line - 1} passes `{as_written(place, source)}` to `{callee}` alone: "
                        f"the gradient the step after carried back, `{carried}`, is never added to it. Pass "
                        f"`{as_written(place, source)} + {carried}`.")
    return ""


def _is_zeros(node: ast.expr) -> bool:
    """Whether ``node`` makes an array of zeros (``np.zeros(...)``, ``np.zeros_like(...)``, ``0``)."""
    if isinstance(node, ast.Constant):
        return node.value == 0
    func = node.func if isinstance(node, ast.Call) else None
    name = func.attr if isinstance(func, ast.Attribute) else (func.id if isinstance(func, ast.Name) else "")
    return name in ("zeros", "zeros_like")


def carried_gradient_hint(source: str, *, callee: str, index: int, first_line: int = 1) -> str:
    """For a backward step that a loop called with a wrong gradient (the ``index``-th argument) made
    from each step's own and the one the step after carried back (a name the loop stores after the
    call, ``da_prevt``): another step's own (``da[:, :, t - 1]``), the two multiplied (``da[:, :, t] *
    da_prevt``), the carried one added up at each step (``da_prevt += gradients["da_prev"]``), or started
    before the loop at something else than zeros (``da_prevt = da[:, :, -1]``): the line, and what to
    write. Thirty-eighth session: each was told "inputs that differ ... in `da_next`" alone. ""."""
    fn = function_tree(source) if callee.endswith("_backward") else None
    blocks = _bounded_blocks(fn)
    if not blocks:
        return ""
    params = {arg.arg for arg in fn.args.args}
    for loop, _after in loops_of(fn, blocks)[:_MOST_LOOPS]:
        if not isinstance(loop.target, ast.Name):
            continue
        step, inside = loop.target.id, list(walked(loop))
        call = next((node for node in inside if isinstance(node, ast.Call) and len(node.args) > index
                     and _callee_is(node, callee)), None)
        if call is None:
            continue
        place, line = call.args[index], call.lineno + first_line - 1
        carried = sorted(name for name in names_in(place, ast.Load) if name not in params
                         and any(stmt.lineno > call.lineno for stmt in stores_of(loop, name)))
        own = [node for node in walked(place) if isinstance(node, ast.Subscript)
               and isinstance(node.value, ast.Name) and node.value.id in params]
        for node in own:
            index_node = _last_index(node)
            if isinstance(index_node, ast.BinOp) and isinstance(index_node.left, ast.Name) \
                    and index_node.left.id == step and isinstance(index_node.right, ast.Constant):
                return (f"Line {line} passes `{as_written(node, source)}` to `{callee}`, the gradient of another "
                        f"step's output: step `{step}`'s is `{node.value.id}[:, :, {step}]`.")
        if not carried:
            continue
        name = carried[0]
        if isinstance(place, ast.BinOp) and isinstance(place.op, ast.Mult) and name in names_in(place, ast.Load):
            return (f"Line {line} passes `{as_written(place, source)}` to `{callee}`: the gradients that reach a step "
                    f"add up, its own output's and the one carried back. Pass "
                    f"`{as_written(place.left, source)} + {as_written(place.right, source)}`.")
        for node in inside:
            summed = (isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add) and isinstance(node.target, ast.Name)
                      and node.target.id == name) or (isinstance(node, ast.Assign) and any(
                          isinstance(target, ast.Name) and target.id == name and isinstance(value, ast.BinOp)
                          and isinstance(value.op, ast.Add) and name in names_in(value, ast.Load)
                          for target, value in _pairs(node)))
            if summed and node.lineno > call.lineno:
                return (f"Line {node.lineno + first_line - 1}, `{as_written(node, source)}`, adds each step's gradient "
                        f"to the carried `{name}`: what a step gives back already holds what the later steps gave, "
                        f"so `{name}` is that step's `da_prev` alone, replaced at each step.")
        before = [stmt for stmt in stores_of(fn, name) if stmt.lineno < loop.lineno and isinstance(stmt, ast.Assign)]
        if before and not _is_zeros(before[-1].value):
            start = before[-1]
            return (f"Line {start.lineno + first_line - 1}, `{as_written(start, source)}`, starts the carried `{name}` "
                    f"at another value than zeros: at the last step nothing is carried back yet, so that step gets "
                    f"its own output's gradient alone. Start `{name}` with zeros (`np.zeros(...)` of its shape).")
    return ""


def _pairs(stmt: ast.Assign) -> list[tuple[ast.expr, ast.expr]]:
    """The (target, value) pairs of an assignment of one target, a tuple's element by element."""
    if len(stmt.targets) != 1:
        return []
    target, value = stmt.targets[0], stmt.value
    if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)) \
            and len(target.elts) == len(value.elts):
        return list(zip(target.elts, value.elts))
    return [(target, value)]


def _at_step(node: ast.expr, step: str) -> bool:
    """Whether ``node`` is a plain name indexed at the loop's ``step`` last (``a[:, :, t]``, ``a[t]``)."""
    index = _last_index(node)
    return isinstance(index, ast.Name) and index.id == step


def _last_index(node: ast.expr) -> ast.expr | None:
    """The last index of ``node`` when it is a plain name indexed (``t`` of ``a[:, :, t]`` and of
    ``a[t]``), else None."""
    if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)):
        return None
    return node.slice.elts[-1] if isinstance(node.slice, ast.Tuple) and node.slice.elts else node.slice


def _callee_is(call: ast.Call, callee: str) -> bool:
    return ((isinstance(call.func, ast.Name) and call.func.id == callee)
            or (isinstance(call.func, ast.Attribute) and call.func.attr == callee))


def returned_order_hint(line: str, *, source: str, first_line: int = 1, functions: Mapping[str, str],
                        asked: Mapping[str, Sequence[str]] = MappingProxyType({})) -> str:
    """For a line that raised reading a name unpacked, on an earlier line, from a call of one of the
    student's own functions (``dxt, dWaxt, dWaat, dbat, da_prevt = back_step(...)``) whose
    ``return`` gives, at that name's place, a value named like another of the names (``g['da_prev']``
    second, where ``dWaxt`` is): the two orders side by side. ``functions``: the notebook's functions'
    sources by name. ``asked``: the functions the grader answers for itself (a part's isolated
    per-step function), each with the names of what it returns in the order asked for: such a call
    returns them in that order, whatever the student's function returns (thirty-sixth session: an
    ``rnn_forward`` unpacking ``yt_pred, a_next, cache`` from an ``rnn_cell_forward`` returning them in
    that order was told to "check the sizes `a` was created with"). "" otherwise (the names follow
    the order of the values returned)."""
    statement = line_statement(line)
    if statement is None:
        return ""
    read = names_in(statement.value if isinstance(statement, (ast.Assign, ast.AugAssign)) else statement, ast.Load)
    callees = {**{name: "" for name in asked}, **functions}
    if not any(_unpacks_a_call(text, read, callees) for text in source.splitlines()):
        return ""  # a look at the text first: the function is parsed only for a line that may be it
    fn = function_tree(source)
    if fn is None:
        return ""
    returns: dict[str, list[ast.Tuple]] = {}  # a function's name -> the tuples its returns give
    for stmt in sorted((s for block in statement_blocks(fn) for s in block), key=lambda s: s.lineno):
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Tuple)
                and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Name)
                and stmt.value.func.id in callees and len(stmt.targets[0].elts) <= _MOST_UNPACKED):
            continue
        names = [ast.unparse(element) for element in stmt.targets[0].elts]
        if stmt.value.func.id not in returns:  # each function parsed once, however often it is called
            callee = function_tree(callees[stmt.value.func.id]) if callees[stmt.value.func.id] else None
            returns[stmt.value.func.id] = [node.value for block in statement_blocks(callee) for node in block
                                           if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple)] \
                if callee is not None else []
        callee_name = stmt.value.func.id
        returned = next((value for value in returns[callee_name] if len(value.elts) == len(names)), None)
        words = [_last_word(element) for element in returned.elts] if returned is not None else []
        wanted = list(asked.get(callee_name, ()))
        for place, name in enumerate(names):
            if name not in read:
                continue
            if returned is not None and _out_of_place(name, place, words):
                given = as_written(returned.elts[place], functions[callee_name])
                written = as_written(returned, functions[callee_name])
                return (f"`{name}` is the {ordinal(place + 1)} name of line {stmt.lineno + first_line - 1}, and your "
                        f"`{callee_name}` returns `{given}` {ordinal(place + 1)} (`return {written}`): give the "
                        f"names in the order of the values it returns.")
            if len(wanted) == len(names) and _out_of_place(name, place, wanted):
                yours = f" (yours returns `{as_written(returned, functions[callee_name])}`)" if returned is not None \
                    else ""
                return (f"`{name}` is the {ordinal(place + 1)} name of line {stmt.lineno + first_line - 1}, but the "
                        f"grader runs your function with a `{callee_name}` that returns `{', '.join(wanted)}`, in the "
                        f"order the assignment asks for{yours}. Return them in that order from `{callee_name}` and "
                        f"give the names here in that order too.")
    return ""


def asked_key_hint(error_type: str, message: str, line: str, *, source: str, first_line: int = 1,
                   asked: Mapping[str, Sequence[str]]) -> str:
    """For a KeyError on a line reading a key (``gradients["da_prevt"]``) of the dict a call of a
    per-step function the grader answers for itself gave (``gradients = rnn_cell_backward(...)``):
    that call returns the keys the assignment asks for (``asked``: the function -> its keys), whatever
    the student's function names them. Thirty-sixth session: an ``rnn_backward`` reading the key its own
    ``rnn_cell_backward`` had renamed was told the KeyError alone. "" otherwise."""
    said = re.search(r"""['"]([^'"\n]{1,200})['"]\s*$""", message) if error_type == "KeyError" else None
    key = said.group(1) if said else ""
    statement = line_statement(line) if key and any(f"[{q}{key}{q}]" in line for q in "'\"") else None
    fn = function_tree(source) if statement is not None else None
    if fn is None:
        return ""
    dicts = {node.value.id for node in ast.walk(statement) if isinstance(node, ast.Subscript)
             and isinstance(node.value, ast.Name) and isinstance(node.slice, ast.Constant) and node.slice.value == key}
    for stmt in sorted((s for block in statement_blocks(fn) for s in block), key=lambda s: s.lineno):
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id in dicts and isinstance(stmt.value, ast.Call)):
            continue
        callee = next((name for name in asked if _callee_is(stmt.value, name)), None)
        keys = list(asked.get(callee, ())) if callee else []
        if not keys or key in keys:
            continue
        near = difflib.get_close_matches(key, keys, n=1, cutoff=0.6) + [k for k in keys if key.startswith(k)]
        instead = f" Read `{near[0]!r}`, and name it so in your `{callee}` too." if near else ""
        return (f"`{stmt.targets[0].id}` comes from `{callee}` (line {stmt.lineno + first_line - 1}), and the grader "
                f"answers that call as the assignment asks: a dict with the keys {listed([f'`{k}`' for k in keys])}, "
                f"none of them `{key!r}`.{instead}")
    return ""


def _out_of_place(name: str, place: int, words: Sequence[str]) -> bool:
    """Whether ``name``, unpacked at ``place``, is like another of ``words`` (the values returned, in
    order) and not like the one at its place. A name that is the start of a returned one, or the
    reverse (``yt`` for ``yt_pred``, ``c`` for ``c_next``), is like it too: difflib's ratio says 0.44
    (thirty-fifth session)."""
    close = difflib.get_close_matches(name, words, n=1, cutoff=0.75) + [
        word for word in words if word.startswith(f"{name}_") or name.startswith(f"{word}_")]
    return bool(close) and words[place] not in close


#: The most names unpacked from a call that ``returned_order_hint`` compares with the values returned
#: (each with each: 4,000 cost 12.8 s until the thirty-third session; the course's calls give 3 to 7).
_MOST_UNPACKED = 32


def _unpacks_a_call(text: str, names: set[str], functions: Mapping[str, str]) -> bool:
    """Whether a line's ``text`` may give one of ``names`` a value from a call of one of
    ``functions`` (``dxt, dWaxt, dWaat, dbat, da_prevt = back_step(...)``), read as text: a name
    before its first ``=`` and a function's name and ``(`` just after it. Linear in the line."""
    left, equals, right = text.partition("=")
    if not equals or right.startswith("=") or not names & set(re.findall(r"\w+", left)):
        return False
    called = re.match(r"\s*(\w+)\s*\(", right)
    return called is not None and called.group(1) in functions


def _last_word(node: ast.expr) -> str:
    """The name a returned value goes by: ``dWax`` for ``dWax`` or ``g['dWax']``; ""."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def other_step_hint(source: str, *, steps: Sequence[str], others: Sequence[str], first_line: int = 1) -> str:
    """For a composite (``source``) that never calls its own per-step function (one of ``steps``) but
    another part's graded function (one of ``others``): ``lstm_forward`` calling ``rnn_cell_forward``,
    ``rnn_backward`` calling ``rnn_cell_forward``, the line and the step to call instead (thirty-sixth
    session: told only the error the other function raised, ``KeyError: 'Wax'`` with "its keys are Wf,
    Wi, ..." or "missing 1 required positional argument: 'parameters'"). "" otherwise."""
    fn = function_tree(source) if any(name in source for name in others) else None
    if fn is None or not steps:
        return ""
    called: list[ast.Call] = []
    for read, node in enumerate(ast.walk(fn)):
        if read > MOST_STATE_NODES:
            return ""
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr \
                if isinstance(node.func, ast.Attribute) else ""
            if name in steps:
                return ""
            if name in others:
                called.append(node)
    if not called:
        return ""
    call = min(called, key=lambda node: node.lineno)
    name = call.func.id if isinstance(call.func, ast.Name) else call.func.attr  # type: ignore[union-attr]
    return (f"Line {call.lineno + first_line - 1} calls `{name}`, the function of another part: each step of "
            f"`{fn.name}` is a call of `{steps[0]}` (given {step_arguments(steps[0])}), which `{fn.name}` never "
            f"calls.")


def through_helper_hint(source: str, *, callee: str, functions: Mapping[str, str], first_line: int = 1) -> str:
    """For a per-step function ``callee`` given wrong inputs by a function (``source``) that does not
    call it itself but through a helper of the student's (``lstm_step(x[:, :, t], c_next, a_next,
    parameters)``, ``def lstm_step(x, a, c, p): return lstm_cell_forward(x, a, c, p)``): the helper's
    call and its parameters, whose order the arguments must follow. ``functions``: the notebook's
    functions' sources by name. "" when ``source`` calls ``callee`` itself, or no helper does."""
    fn = function_tree(source)
    if fn is None:
        return ""
    calls = [node for node in ast.walk(fn) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)]
    if any(call.func.id == callee for call in calls):
        return ""
    helpers: dict[str, Any] = {}  # a name called -> its function when that calls ``callee``, else None
    for call in sorted(calls, key=lambda node: node.lineno):
        if call.func.id not in helpers:  # each function parsed once, however often it is called
            helper = function_tree(functions.get(call.func.id, "")) if call.func.id != fn.name else None
            helpers[call.func.id] = helper if helper is not None and any(
                isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == callee
                for node in ast.walk(helper)) else None
        helper = helpers[call.func.id]
        if helper is None:
            continue
        parameters = ", ".join(arg.arg for arg in helper.args.args)
        return (f" `{fn.name}` calls it through your `{helper.name}` (line {call.lineno + first_line - 1}: "
                f"`{as_written(call, source)}`): check its arguments against the order of `{helper.name}`'s parameters, "
                f"`({parameters})`.")
    return ""


def unpacked_order(source: str) -> tuple[str, tuple[str, ...], int] | None:
    """``(parameter, names, line)`` for the first statement of the function ``source`` that unpacks
    one of its parameters into names (``(a_next, a_prev, xt, parameters) = cache``), or None. Parsed
    only when a line looks so (``_may_unpack``): most functions have none, and their parse cost a
    failed part 1 ms."""
    if not any(_may_unpack(line) for line in source.splitlines() if "=" in line and "," in line):
        return None
    fn = function_tree(source)
    if fn is None:
        return None
    arguments = fn.args
    parameters = {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}
    for block in (fn.body,):
        for stmt in block[:MOST_LOOP_STATEMENTS]:
            if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.value, ast.Name)
                    and stmt.value.id in parameters and isinstance(stmt.targets[0], (ast.Tuple, ast.List))
                    and len(stmt.targets[0].elts) > 1 and all(isinstance(e, ast.Name) for e in stmt.targets[0].elts)):
                return stmt.value.id, tuple(e.id for e in stmt.targets[0].elts), stmt.lineno
    return None


def _may_unpack(line: str) -> bool:
    """Does ``line`` look like names unpacked from one name (``(a, b) = cache``, ``a, b = cache``)? A
    test of its text (string methods, no pattern that could backtrack), before ``unpacked_order`` parses."""
    left, _, right = line.partition("=")
    if not right or right.startswith("=") or left.endswith(("!", "<", ">", "+", "-", "*", "/")):
        return False
    names = left.replace("(", " ").replace(")", " ").replace(",", " ").split()
    return "," in left and len(names) > 1 and all(n.isidentifier() for n in names) \
        and right.split("#", 1)[0].strip().isidentifier()


def stored_order(source: str, name: str) -> tuple[tuple[str, ...], int] | None:
    """``(names, line)`` for the first statement of the function ``source`` that makes ``name`` a
    tuple of names (``cache = (a_next, a_prev, xt, parameters)``), or None."""
    if name not in source:
        return None
    fn = function_tree(source)
    if fn is None:
        return None
    for block in statement_blocks(fn):
        for stmt in block[:MOST_LOOP_STATEMENTS]:
            if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                    and stmt.targets[0].id == name and isinstance(stmt.value, (ast.Tuple, ast.List))
                    and all(isinstance(e, ast.Name) for e in stmt.value.elts)):
                return tuple(e.id for e in stmt.value.elts), stmt.lineno
    return None


def cache_order_hint(function: str, unpacked: tuple[str, tuple[str, ...], int], stored: tuple[tuple[str, ...], int],
                     *, maker: str, first_line: int, where: str) -> str:
    """For ``function`` (a case of which returned wrong values) that unpacks its parameter in
    another order than the notebook's ``maker`` stores a value of that name (``(a_prev, a_next, xt,
    parameters) = cache`` against ``cache = (a_next, a_prev, xt, parameters)``; ``where``: the
    cell of the store, its line in ``stored``): both orders and the names that swap values. ""
    when the names differ as a set or come in the same order (thirty-fourth session)."""
    parameter, names, line = unpacked
    kept, stored_line = stored
    if names == kept or sorted(names) != sorted(kept):
        return ""
    moved = [n for n, k in zip(names, kept) if n != k]
    return (f"`{function}` unpacks `{parameter}` as `({', '.join(names)})` (line {line + first_line - 1}), and your "
            f"`{maker}` stores it as `({', '.join(kept)})` ({where}, line {stored_line}): "
            f"{listed([f'`{n}`' for n in moved])} take "
            f"{'each other' if len(moved) == 2 else 'other names'}'s values. Unpack the names in the order they are "
            f"stored.")
