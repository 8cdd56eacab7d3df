"""Hints read from a function's loops: a value reset, returned or summed inside the loop that
should carry it, a value computed and not kept, a list that never grows (:func:`loop_mistake`, one
sentence for a part whose values were wrong), a loop whose end depends on nothing it changes
(:func:`endless_loop_hint`), and the line a loop ran when a call used up its time
(:func:`running_loop_hint`). Pure functions of the student's source; "" when no rule fits."""
from __future__ import annotations

import ast
import bisect
from typing import Mapping, NamedTuple

from grader.astnodes import nodes
from grader.hintcode import (MOST_LOOP_STATEMENTS, MOST_STATE_NODES, NO_CONTEXT, NUMPY_NAMES, QUOTED,
                             as_written, function_tree, listed, loops_of, names_in, statement_blocks,
                             statement_span)


#: What a loop's step does to a name made again in the loop (``_reset_in_loop``), in words.
_LOST = {"added": "added to it", "appended": "appended to it", "stored": "stored in it"}


def loop_mistake(source: str, *, first_line: int = 1) -> tuple[str, str]:
    """``(id, sentence)`` for a mistake in how the function in ``source`` writes its ``for`` loop,
    quoting its line (``first_line``: the cell line of the source's first line): a ``return``
    inside the loop (``loop/return-inside``); a name the loop adds to, appends to, stores into or
    carries from step to step, set to a fresh value inside the loop, so that only the last step
    counts (``loop/made-in-loop``: ``dWax = np.zeros(...)`` before ``dWax += dWaxt``); an
    accumulation after the loop, which runs once (``loop/after-loop``: ``caches.append(cache)``);
    an operation whose value is thrown away (``loop/value-unused``: ``dba + dbat``, ``a[:, :, t]
    == a_next``). ``("", "")`` when none is found."""
    fn = function_tree(source)
    blocks = statement_blocks(fn) if fn is not None else []
    if not blocks or sum(map(len, blocks)) > MOST_LOOP_STATEMENTS \
            or sum(isinstance(stmt, (ast.For, ast.AsyncFor)) for block in blocks for stmt in block) > MOST_LOOPS:
        return "", ""  # a function no student writes (see MOST_LOOP_STATEMENTS)
    parsed = _Parsed.of(fn, source=source, offset=first_line - 1, blocks=blocks)
    for rule in (_return_in_loop, _reset_in_loop, _after_loop, _value_unused, _step_value_summed, _list_in_loop):
        found = rule(parsed)
        if found[0]:
            return found
    return "", ""


MOST_LOOPS = 20


class _Parsed(NamedTuple):
    """A function's tree with what the loop rules read of it, worked out once (a walk of the tree
    cost more than each rule): its blocks of statements, its ``for`` loops (each with the
    statements after it in its block), where the names of those are stored (``stored``: lines in
    order, and the name stored on each) and the last line each is read on (``last_read``), and,
    as the rules ask, what each statement reads and changes (``reads``, ``changes``: by ``id``)."""
    fn: ast.FunctionDef | ast.AsyncFunctionDef
    source: str
    offset: int  # added to a line of ``source`` to give the line of the notebook's cell
    blocks: list[list[ast.stmt]]
    loops: list[tuple[ast.For, list[ast.stmt]]]
    stored: tuple[list[int], list[str]]
    last_read: dict[str, int]
    reads: dict[int, set[str]]
    changes: dict[int, dict[str, str]]

    @classmethod
    def of(cls, fn: ast.FunctionDef | ast.AsyncFunctionDef, *, source: str, offset: int,
           blocks: list[list[ast.stmt]] | None = None) -> "_Parsed":
        blocks = statement_blocks(fn) if blocks is None else blocks
        loops = loops_of(fn, blocks)
        # The names of each loop and of what follows it (what the loop rules read), not of the lines
        # above: each statement walked once, the outermost of those that hold one another.
        distinct = {id(stmt): stmt for loop, after in loops for stmt in (loop, *after)}
        stored_at, last_read, end = [], {}, (0, -1)
        for stmt in sorted(distinct.values(), key=statement_span):
            if (stmt.lineno, stmt.col_offset) < end:
                continue  # inside the statement walked before it
            end = (stmt.end_lineno or stmt.lineno, stmt.end_col_offset or 0)
            for node in nodes(stmt, NO_CONTEXT):
                if isinstance(node, ast.Name):
                    if isinstance(node.ctx, ast.Store):
                        stored_at.append((node.lineno, node.id))
                    elif node.lineno > last_read.get(node.id, -1):
                        last_read[node.id] = node.lineno
        stored_at.sort()
        stored = ([line for line, _name in stored_at], [name for _line, name in stored_at])
        return cls(fn, source, offset, blocks, loops, stored, last_read, {}, {})

    def stored_in(self, loop: ast.stmt) -> set[str]:
        """The names ``loop`` stores (by its lines: a statement's lines are its own)."""
        lines, names = self.stored
        end = loop.end_lineno or loop.lineno
        return set(names[bisect.bisect_left(lines, loop.lineno):bisect.bisect_right(lines, end)])

    def read_after(self, loop: ast.stmt, name: str) -> bool:
        """Whether the function reads ``name`` on a line after ``loop`` (in its block, or after a loop
        that follows it)."""
        return self.last_read.get(name, -1) > (loop.end_lineno or loop.lineno)

    def reads_of(self, stmt: ast.stmt) -> set[str]:
        """The names ``stmt`` reads (``names_in(stmt, ast.Load)``), worked out once."""
        found = self.reads.get(id(stmt))
        if found is None:
            found = self.reads[id(stmt)] = names_in(stmt, ast.Load)
        return found

    def change_of(self, stmt: ast.stmt, name: str) -> str:
        """``_changes(stmt).get(name, "")``, each statement's worked out once."""
        found = self.changes.get(id(stmt))
        if found is None:
            found = self.changes[id(stmt)] = _changes(stmt)
        return found.get(name, "")


def _return_in_loop(parsed: _Parsed) -> tuple[str, str]:
    offset = parsed.offset
    for loop, _after in parsed.loops:
        returned = next((stmt for stmt in loop.body if isinstance(stmt, ast.Return)), None)
        if returned is not None:
            return "loop/return-inside", (
                f"The `return` on line {returned.lineno + offset} is inside the `for` loop of line "
                f"{loop.lineno + offset}: the function returns during the loop's first step, before the "
                f"other steps run. Move it after the loop (one indent less).")
    return "", ""


def _changes(stmt: ast.stmt) -> dict[str, str]:
    """How ``stmt`` changes the value of each name it changes, by name: "added" (``name += ...``),
    "appended" (``name.append(...)``), "stored" (``name[...] = ...``), else "assigned" when it
    gives the name a new value (the first of these that fits)."""
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] \
        if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)) else []
    found = {name: "assigned" for target in targets for name in names_in(target, ast.Store)}
    found.update((node.value.id, "stored") for target in targets for node in ast.walk(target)
                 if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
                 and isinstance(node.ctx, ast.Store))
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Attribute) \
            and stmt.value.func.attr in ("append", "extend", "insert") and isinstance(stmt.value.func.value, ast.Name):
        found[stmt.value.func.value.id] = "appended"
    if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
        found[stmt.target.id] = "added"
    return found


def _reset_in_loop(parsed: _Parsed) -> tuple[str, str]:
    """A name set inside a loop to a value no step changes (``dWax = np.zeros((n_a, n_x))``,
    ``caches = []``, ``da_prevt = np.zeros(...)``), which a later statement of the same step
    adds to, appends to, stores into, or replaces after reading it (a value carried to the next
    step), and which is read after the loop or carried: every step starts it again. The other
    names of the same loop made again the same way are named with the first."""
    offset, source = parsed.offset, parsed.source
    for loop, _after in parsed.loops:
        changed_in_loop = parsed.stored_in(loop)
        kept: list[tuple[ast.Assign, str]] = []  # (statement, what the steps did to the name)
        carried: list[ast.Assign] = []
        for k, stmt in enumerate(loop.body):
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
                continue
            name = stmt.targets[0].id
            if names_in(stmt.value, ast.Load) & changed_in_loop:
                continue  # made from this step's values: a value of the step, not a reset
            later = loop.body[k + 1:]
            changes = [change for change in (parsed.change_of(s, name) for s in later) if change]
            read_after = parsed.read_after(loop, name)
            lost = [change for change in changes if change in _LOST]
            if lost and read_after:
                kept.append((stmt, lost[0]))
            elif "assigned" in changes and any(name in parsed.reads_of(s) for s in later):
                carried.append(stmt)
        if kept:
            stmt, change = kept[0]
            name = stmt.targets[0].id
            others = [f"`{other.targets[0].id}`" for other, _change in kept[1:]]
            also = f"; the same for {listed(others)}" if others else ""
            return "loop/made-in-loop", (
                f"`{as_written(stmt, source)}` on line {stmt.lineno + offset} is inside the loop: `{name}` is made again "
                f"at every step, so what the earlier steps {_LOST[change]} is lost and only the last step's "
                f"remains. Create `{name}` once, before the loop{also}.")
        if carried:
            stmt = carried[0]
            name = stmt.targets[0].id
            return "loop/made-in-loop", (
                f"`{as_written(stmt, source)}` on line {stmt.lineno + offset} is inside the loop: every step starts again "
                f"from `{as_written(stmt.value, source)}`, so what the step before left in `{name}` is not carried on. "
                f"Set `{name}` once, before the loop.")
    return "", ""


def _after_loop(parsed: _Parsed) -> tuple[str, str]:
    """An accumulation just after a loop that reads a name the loop sets (``caches.append(cache)``,
    ``dWax += dWaxt``), or a store indexed by the loop's variable (``dx[:, :, t] = dxt``): it runs
    once, with the last step's values."""
    offset, source = parsed.offset, parsed.source
    for loop, after in parsed.loops:
        step = names_in(loop.target, ast.Store)
        changed = parsed.stored_in(loop)
        inside: set[str] | None = None  # the loop's own statements, dumped once one is asked about
        for stmt in after:
            reads = parsed.reads_of(stmt)
            accumulates = isinstance(stmt, ast.AugAssign) or (
                isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
                and isinstance(stmt.value.func, ast.Attribute) and stmt.value.func.attr in ("append", "extend", "insert"))
            indexed = isinstance(stmt, ast.Assign) and any(
                isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and names_in(node.slice, ast.Load) & step
                for target in stmt.targets for node in ast.walk(target))
            used = sorted(reads & changed) if accumulates else sorted(reads & step) if indexed else []
            if used and inside is None:
                inside = {ast.dump(own) for own in loop.body}
            if used and ast.dump(stmt) in inside:  # the loop's own line, written again after it
                return "loop/after-loop", (
                    f"`{as_written(stmt, source)}` on line {stmt.lineno + offset}, after the loop, does once more with the "
                    f"last step's `{used[0]}` what the loop's own line does at every step: leave it out.")
            if used:
                last = f"with `{used[0]}` at its last value" if used[0] in step else f"with the last step's `{used[0]}`"
                return "loop/after-loop", (
                    f"`{as_written(stmt, source)}` on line {stmt.lineno + offset} comes after the loop, so it runs once, "
                    f"{last}: indent it into the loop to run it at every step.")
    return "", ""


def _value_unused(parsed: _Parsed) -> tuple[str, str]:
    """A statement that is an operation alone (``dba + np.sum(dbat)``, ``a[:, :, t] == a_next``):
    Python computes it and throws it away."""
    offset = parsed.offset
    statements = sorted((node for block in parsed.blocks for node in block if isinstance(node, ast.Expr)
                         and isinstance(node.value, (ast.BinOp, ast.Compare))), key=lambda node: node.lineno)
    for stmt in statements:
        value, line = stmt.value, stmt.lineno + offset
        written = as_written(value, parsed.source)
        if isinstance(value, ast.Compare):
            if len(value.ops) != 1 or not isinstance(value.ops[0], ast.Eq):
                continue
            left, right = as_written(value.left, parsed.source), as_written(value.comparators[0], parsed.source)
            return "loop/value-unused", (
                f"`{written}` on line {line} compares the two and throws the answer away: to store "
                f"`{right}` in `{left}`, write `{left} = {right}` (one `=`).")
        left = value.left
        if isinstance(value.op, ast.Add) and isinstance(left, (ast.Name, ast.Subscript, ast.Attribute)):
            fix = f"`{as_written(left, parsed.source)} += {as_written(value.right, parsed.source)}`"
        elif isinstance(left, (ast.Name, ast.Subscript, ast.Attribute)):
            fix = f"`{as_written(left, parsed.source)} = {written}`"
        else:
            fix = f"`name = {written}`"
        return "loop/value-unused", (
            f"`{written}` on line {line} computes a value and throws it away: no variable changes. To keep "
            f"it, assign it: {fix}.")
    return "", ""


def _step_value_summed(parsed: _Parsed) -> tuple[str, str]:
    """A value a function of the notebook gave at this step (``dbat`` of ``gradients =
    rnn_cell_backward(...)``, ``gradients["dba"]``) summed before it is added or stored
    (``dba += np.sum(dbat, axis=0)``, ``dx[:, :, t] = np.sum(dxt, axis=1, keepdims=True)``): the
    step's function returns each gradient in its final shape, so the sum mixes what belongs apart.
    Not ``dba += np.sum(dbat, axis=1, keepdims=True)`` into a bias's gradient (a name starting
    ``db``): a sum over the examples of a column is the column itself (thirty-fourth session)."""
    offset = parsed.offset
    for loop, _after in parsed.loops:
        body = sorted((stmt for block in statement_blocks(loop) for stmt in block), key=lambda stmt: stmt.lineno)
        given: dict[str, str] = {}  # a name the step's function gave -> that function
        for stmt in body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                source = _step_source(stmt.value, given)
                targets = stmt.targets[0].elts if isinstance(stmt.targets[0], (ast.Tuple, ast.List)) else [stmt.targets[0]]
                values = (stmt.value.elts if isinstance(stmt.value, (ast.Tuple, ast.List))
                          and len(stmt.value.elts) == len(targets) else [stmt.value] * len(targets))
                for target, value in zip(targets, values):
                    source = _step_source(value, given)
                    if isinstance(target, ast.Name) and source:
                        given[target.id] = source
            target = stmt.target if isinstance(stmt, ast.AugAssign) else (
                stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else None)
            summed = _summed_name(stmt.value) if target is not None else None
            if summed is None or summed[0] not in given:
                continue
            name, call = summed
            if isinstance(target, ast.Name) and target.id.startswith("db") and _over_examples_kept(call):
                continue  # a bias's gradient, a column: summed over the examples it is itself
            if not isinstance(target, (ast.Name, ast.Subscript)) or (
                    isinstance(stmt, ast.Assign) and not isinstance(target, ast.Subscript)):
                continue
            plain = f"{ast.unparse(target)} {'+=' if isinstance(stmt, ast.AugAssign) else '='} {name}"
            return "loop/step-summed", (
                f"`{as_written(stmt, parsed.source)}` on line {stmt.lineno + offset} sums `{name}`, which "
                f"`{given[name]}` gave for this step already in the shape it is used in: the sum mixes values "
                f"that belong apart. Use it as it is: `{plain}`.")
    return "", ""


def _step_source(value: ast.expr, given: Mapping[str, str]) -> str:
    """The function of the notebook whose result ``value`` is (``rnn_cell_backward(...)``, or a
    subscript of a name it gave, ``gradients["dba"]``), or ""; NumPy's calls are not such."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id not in NUMPY_NAMES:
        return value.func.id
    if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name):
        return given.get(value.value.id, "")
    return ""


def _summed_name(value: ast.expr | None) -> tuple[str, ast.Call] | None:
    """``(name, call)`` for ``np.sum(name, ...)`` or ``name.sum(...)``; None otherwise."""
    if not isinstance(value, ast.Call):
        return None
    func = value.func
    if (isinstance(func, ast.Attribute) and func.attr == "sum" and isinstance(func.value, ast.Name)
            and func.value.id in NUMPY_NAMES and value.args and isinstance(value.args[0], ast.Name)):
        return value.args[0].id, value
    if isinstance(func, ast.Attribute) and func.attr == "sum" and isinstance(func.value, ast.Name) \
            and func.value.id not in NUMPY_NAMES:
        return func.value.id, value
    return None


def _over_examples_kept(call: ast.Call) -> bool:
    """Does ``call`` sum over axis 1 (or -1) with ``keepdims=True``?"""
    keywords = {k.arg: k.value for k in call.keywords}
    axis = keywords.get("axis")
    if axis is None:
        positional = call.args[1:] if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) \
            and call.func.value.id in NUMPY_NAMES else call.args
        axis = positional[0] if positional else None
    kept = keywords.get("keepdims")
    number = axis.value if isinstance(axis, ast.Constant) else (
        -axis.operand.value if isinstance(axis, ast.UnaryOp) and isinstance(axis.op, ast.USub)
        and isinstance(axis.operand, ast.Constant) else None)
    return number in (1, -1) and isinstance(kept, ast.Constant) and kept.value is True


def _list_in_loop(parsed: _Parsed) -> tuple[str, str]:
    """In a loop, a list made before it extended by a name (``caches += cache``: the cache's values
    one by one), or a name wrapped in a tuple with itself (``caches = (caches, x)``: a pair inside a
    pair at every step); real notebooks' ``rnn_forward`` and ``lstm_forward`` (thirty-fourth session),
    told only "`caches[0]` should have 4 elements, got 16" (or "got 2"). Or the list replaced by a name
    in the loop (``caches = cache``, told "`caches[0][0]` should be a tuple of length 4, got an
    array"), or its tuple made after the loop of the step's name (`_step_value_kept`; thirty-seventh)."""
    offset, source = parsed.offset, parsed.source
    lists = {target.id for block in parsed.blocks for stmt in block if isinstance(stmt, ast.Assign)
             and isinstance(stmt.value, ast.List) and not stmt.value.elts
             for target in stmt.targets if isinstance(target, ast.Name)}
    for loop, after in parsed.loops:
        for stmt in (node for node in ast.walk(loop) if isinstance(node, (ast.AugAssign, ast.Assign))):
            line = stmt.lineno + offset
            if isinstance(stmt, ast.AugAssign):
                if (isinstance(stmt.op, ast.Add) and isinstance(stmt.target, ast.Name) and stmt.target.id in lists
                        and isinstance(stmt.value, ast.Name)):
                    name, value = stmt.target.id, stmt.value.id
                    return "loop/list-extended", (
                        f"`{as_written(stmt, source)}` on line {line} adds the values `{value}` holds to the list "
                        f"`{name}` one by one, as `extend` does: write `{name}.append({value})` to add it as one "
                        f"element.")
                continue
            if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                continue
            name = stmt.targets[0].id
            if name in lists and isinstance(stmt.value, ast.Name) and stmt.value.id != name:
                value = stmt.value.id  # `caches = cache`: the step's value in place of the list
                return "loop/list-replaced", (
                    f"`{as_written(stmt, source)}` on line {line} puts this step's `{value}` in place of the "
                    f"list `{name}`, so after the loop `{name}` holds the last step's alone: write "
                    f"`{name}.append({value})` to add it to the list.")
            if not isinstance(stmt.value, ast.Tuple):
                continue
            if any(isinstance(element, ast.Name) and element.id == name for element in stmt.value.elts):
                return "loop/wrapped-in-loop", (
                    f"`{as_written(stmt, source)}` on line {line} is inside the loop: each step wraps `{name}` in a "
                    f"new tuple, one inside the other. Make that tuple once, after the loop; in the loop, add each "
                    f"step's value to `{name}` (`{name}.append(...)`).")
        if (found := _step_value_kept(loop, after, lists, parsed)) is not None:
            return found
    return "", ""


def _step_value_kept(loop: ast.For, after: list[ast.stmt], lists: set[str],
                     parsed: _Parsed) -> tuple[str, str] | None:
    """After the loop, the list's tuple made of a name the loop sets at each step in the list's place
    (``caches = (cache, x)``: the last step's cache, not the list of them; a real notebook's
    ``lstm_forward``, thirty-seventh session, told only "`caches[0]` should have 7 elements, got 10")."""
    set_in_loop = {node.id for node in ast.walk(loop) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    for stmt in after:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id in lists and isinstance(stmt.value, ast.Tuple)):
            continue
        name, elements = stmt.targets[0].id, stmt.value.elts
        named = [e.id for e in elements if isinstance(e, ast.Name)]
        step = next((n for n in named if n in set_in_loop and n not in lists), None)
        if step is None or name in named:
            continue
        fixed = ", ".join(name if isinstance(e, ast.Name) and e.id == step else as_written(e, parsed.source)
                          for e in elements)
        return "loop/step-value-kept", (
            f"`{as_written(stmt, parsed.source)}` on line {stmt.lineno + parsed.offset} keeps the last step's "
            f"`{step}`, not the list `{name}` of every step's: write `{name} = ({fixed})`.")
    return None


def endless_loop_hint(source: str, *, first_line: int = 1) -> str:
    """For a function that did not return in time: a ``while`` loop of it whose condition reads
    only names that nothing in the loop changes (``while t >= 0:`` without ``t -= 1``), which
    never ends once entered. "" otherwise (the time may have gone elsewhere)."""
    fn = function_tree(source)
    loops = sorted((stmt for block in statement_blocks(fn) for stmt in block if isinstance(stmt, ast.While)),
                   key=lambda stmt: stmt.lineno) if fn is not None else []
    for loop in loops:
        tested = names_in(loop.test, ast.Load)
        calls = any(isinstance(node, ast.Call) for node in ast.walk(loop.test))
        leaves = any(isinstance(node, (ast.Break, ast.Return, ast.Raise)) for node in ast.walk(loop))
        changed = names_in(loop, ast.Store) | {node.func.value.id for node in ast.walk(loop) if isinstance(node, ast.Call)
                                              and isinstance(node.func, ast.Attribute)
                                              and isinstance(node.func.value, ast.Name)}
        if tested and not calls and not leaves and not tested & changed:
            names = sorted(tested)
            return (f" The `while` loop on line {loop.lineno + first_line - 1} tests {listed([f'`{n}`' for n in names])}, "
                    f"which nothing in it changes: once entered, it never ends (a `{names[0]} -= 1` or "
                    f"`{names[0]} += 1` left out?).")
    return ""


def running_loop_hint(source: str, *, line: int, first_line: int = 1) -> str:
    """For a call out of time that was running ``line`` (of the cell; the function ``source``
    starts at ``first_line``) when it was stopped: the innermost loop of the function holding that
    line, as ", in the `while` loop of line 12 (`while t < T_x:`)"; "" when no loop holds it (the
    time went in one slow statement). At most ``MOST_STATE_NODES`` nodes read (thirty-fourth
    session: the time-limit message named no line)."""
    fn = function_tree(source)
    if fn is None:
        return ""
    at = line - first_line + 1
    found = None
    for count, node in enumerate(ast.walk(fn)):
        if count >= MOST_STATE_NODES:
            break
        if (isinstance(node, (ast.For, ast.AsyncFor, ast.While)) and node.lineno <= at <= (node.end_lineno or 0)
                and (found is None or node.lineno >= found.lineno)):
            found = node
    if found is None:
        return ""
    lines = source.splitlines()
    head = lines[found.lineno - 1].strip() if found.lineno <= len(lines) else ""
    head = head if len(head) <= QUOTED else f"{head[:QUOTED // 2]} ... {head[-QUOTED // 4:]}"
    keyword = "while" if isinstance(found, ast.While) else "for"
    return f", in the `{keyword}` loop of line {found.lineno + first_line - 1} (`{head}`)"


def in_no_loop(source: str, *, line: int, first_line: int = 1) -> bool:
    """Whether the function ``source`` (starting at cell line ``first_line``) is read whole and
    nothing of it that repeats holds cell line ``line``: no ``for`` or ``while`` loop, no
    comprehension, no ``lambda`` or nested def (which a call on the line may run many times), and
    the function calls itself nowhere. False when in doubt (a source that does not parse, or of
    more than ``MOST_STATE_NODES`` nodes). A call out of time stopped at such a line spent its time
    in one call there (``np.linalg.matrix_power`` of a huge power, a ``time.sleep``), where "look
    for a loop that never ends" sent the student to a loop that was not there (thirty-fifth session)."""
    fn = function_tree(source)
    if fn is None:
        return False
    at = line - first_line + 1
    repeats = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
               ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)
    for count, node in enumerate(ast.walk(fn)):
        if count >= MOST_STATE_NODES:
            return False
        if node is not fn and isinstance(node, repeats) and node.lineno <= at <= (node.end_lineno or node.lineno):
            return False
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == fn.name:
            return False
    return True
