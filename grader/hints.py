"""Sentences that point a student at the fix of an error NumPy or Python words alone.

Pure functions: an error's message and the student's line (as the runner quotes it) in, one
sentence out, or "" when no rule fits. The runner adds the sentence after the error; it quotes
only what the line says, parsed on its own (a line inside a longer statement gives nothing).
:func:`numpy_call_hint` (a NumPy call written the wrong way: ``np.concatenate(a_prev, xt)``,
``np.zeros(5, 10)``, a product in the wrong order), :func:`assignment_hint` (a value stored in a
place of another shape, unpacked into the wrong number of names) and :func:`bounds_hint` (an
index past an axis's end) came first, from the forward functions (sessions 28-30; in
``grader.runner`` until session 31); the rest from the backward pass and the LSTM (session 31),
where the forward functions' rules said "check the order and the transpose" of products meant
element by element. The hints read from a function's whole source live beside this module since
session 35: its loops (:mod:`grader.loophints`), how its steps call each other
(:mod:`grader.stephints`) and what it returned (:mod:`grader.valuehints`), on the parses of
:mod:`grader.hintcode`.
"""
from __future__ import annotations

import ast
import bisect
import difflib
import itertools
import re
from typing import Any, Callable, Mapping, Sequence

from grader.hintcode import (walked, IN_PLACE, MOST_LOOP_STATEMENTS, MOST_STATE_NODES, NUMPY_NAMES, PYTHON_KINDS, as_written,
                             function_tree, in_line, kind_words, line_statement, loops_of, names_in, numpy_calls,
                             listed, ordinal, parsed_line, quoted_head, source_lines, source_segment, statement_blocks,
                             stores_of)

#: NumPy's matmul (``@``, ``np.matmul``) names no shapes, only the two core sizes that differ:
#: the rows of the second operand, then the columns of the first.
_MATMUL_SIZES = re.compile(r"matmul: Input operand 1 has a mismatch in its core dimension 0.{0,200}?"
                           r"\(size (\d+) is different from (\d+)\)")  # bounded: a message is the student's
#: Two operands that NumPy could not broadcast together (the message of a binary operator).
_TWO_SHAPES = re.compile(r"could not be broadcast together with shapes (\([\d, ]*\)) (\([\d, ]*\))\s*$")
#: An in-place operator whose result has another shape than its target (``dba += dbat``, dba (5,)).
_OUTPUT_OPERAND = re.compile(r"non-broadcastable output operand with shape (\([\d, ]*\)) doesn't match "
                             r"the broadcast shape (\([\d, ]*\))")
#: A weight matrix in a product (``Wax``, ``Wf.T``, ``parameters["Wo"]``, ``p['Wya']``).
_WEIGHT = re.compile(r"(?<![\w.])W\w*|\[\s*['\"]W\w*['\"]\s*\]")
#: NumPy's functions that join arrays given as one sequence, then the axis.
_JOINERS = frozenset({"concatenate", "concat", "vstack", "hstack", "stack"})
#: NumPy's functions that make an array of a shape given as one tuple, then the data type.
_MAKERS = frozenset({"zeros", "ones", "empty"})
#: NumPy's words for a matrix product of sizes that do not fit (np.dot, then @ and np.matmul).
_NOT_ALIGNED = re.compile(r"shapes \([\d, ]*\) and \([\d, ]*\) not aligned|matmul: Input operand 1 has a mismatch")
#: NumPy's words for an array stored in a place of another shape: (the array's, the place's).
_STORED = re.compile(r"could not broadcast input array from shape (\([\d, ]*\)) into shape (\([\d, ]*\))")
#: NumPy's words for an in-place operation whose operands do not fit: the target's shape is named twice.
_BROADCAST3 = re.compile(r"could not be broadcast together with shapes (\([\d, ]*\)) (\([\d, ]*\)) (\([\d, ]*\))")
#: NumPy's words for an index past an axis's end: (index, axis, size).
_OUT_OF_BOUNDS = re.compile(r"index (-?\d+) is out of bounds for axis (\d+) with size (\d+)")
#: Python's words for names on the left that do not match the values on the right.
_UNPACKED = re.compile(r"\b(too many|not enough) values to unpack \(expected \d+")
#: The two shapes of NumPy's "not aligned" message (``np.dot``; ``@``'s message names none).
_NOT_ALIGNED_SHAPES = re.compile(r"shapes (\([\d, ]*\)) and (\([\d, ]*\)) not aligned")
#: A call of NumPy's multiply; a ``*`` that is not ``**``.
_NP_MULTIPLY = re.compile(r"\b(?:np|numpy)\s*\.\s*multiply\s*\(")
#: A ``*`` product (not ``**``, not ``*=``).
_STAR = re.compile(r"(?<!\*)\*(?![*=])")


def _shape(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text))


def shape_text(text: str) -> str:
    """NumPy's ``"(5,10)"`` as Python writes the shape, ``"(5, 10)"``."""
    return str(_shape(text))


def _array_operations(line: str, ops: tuple[type, ...]) -> list[ast.BinOp]:
    """The binary operations of ``ops`` on ``line`` neither side of which is a number (``1 - a``
    and ``a ** 2`` cannot fail to broadcast): the ones NumPy's two shapes can be about."""
    statement = line_statement(line)
    if statement is None:
        return []
    return [node for node in ast.walk(statement) if isinstance(node, ast.BinOp) and isinstance(node.op, ops)
            and not any(_is_number(side) for side in (node.left, node.right))]


#: NumPy's element-by-element functions of two arrays, which broadcast as their operators do.
_ELEMENTWISE = frozenset({"multiply", "add", "subtract", "divide", "true_divide"})


def _elementwise_calls(line: str) -> list[tuple[ast.expr, ast.expr]]:
    """The two arrays of each ``np.multiply(a, b)`` (``add``, ``subtract``, ``divide``) on ``line``
    neither of which is a number: operations as ``a * b`` is (`_array_operations`), which
    ``named_sides_hint`` did not count until the thirty-seventh session (NumPy's words only)."""
    statement = line_statement(line)
    if statement is None:
        return []
    return [(node.args[0], node.args[1]) for node in ast.walk(statement) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr in _ELEMENTWISE
            and isinstance(node.func.value, ast.Name) and node.func.value.id in NUMPY_NAMES
            and len(node.args) == 2 and not any(_is_number(side) for side in node.args)]


def _times(left: str, right: str) -> str:
    """``left * right`` for two expressions of the student's line, each as the student wrote it
    (``in_line``) and put in brackets only where Python needs them (a sum; a product on the right):
    Python's own parse of the product decides. ``ast.unparse`` wrote the sides again
    (``parameters['Wf']`` for ``parameters["Wf"]``, ``a[:, :, t]`` for ``a[:,:,t]``) until the
    thirty-sixth session."""
    try:
        wanted = ast.dump(ast.BinOp(left=ast.parse(left, mode="eval").body, op=ast.Mult(),
                                    right=ast.parse(right, mode="eval").body))
        for written in (f"{left} * {right}", f"({left}) * {right}", f"{left} * ({right})"):
            if ast.dump(ast.parse(written, mode="eval").body) == wanted:
                return written
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    return f"({left}) * ({right})"


def _is_number(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float, complex))


def matmul_hint(message: str, *, left: str, right: str, target: str) -> str:
    """For ``@`` or ``np.matmul`` of sizes that do not fit (NumPy says "size 5 is different from
    10", no shapes): the two sizes, named for the student's operands ``left`` and ``right``, and
    the fix the line's words point at. ``target``: the name the line assigns to, or "". A weight's
    gradient (``dWaa = dtanh @ a_prev``) is told the input's transpose; two arrays neither of which
    is a weight (``ft @ c_prev``, a gate and a state, both (n_a, m)) were meant element by element,
    which the order-and-transpose rule sent the student away from; a product with a weight keeps
    that rule, with the sizes. "" when the message is not matmul's."""
    found = _MATMUL_SIZES.search(message)
    if found is None:
        return ""
    rows, columns = found.groups()
    sizes = (f"`{left}` has {columns} columns and `{right}` has {rows} rows, and a matrix product (`@`, "
             f"`np.matmul`, `np.dot`) needs the two numbers to match")
    transposed = left.endswith(".T") or right.endswith(".T")
    if target.startswith("dW") and not transposed:
        return (f"{sizes}: `{target}`, a weight's gradient, is the matrix product of the gradient and the "
                f"transpose of the input, as in `{left} @ {right}.T`.")
    if not (_WEIGHT.search(left) or _WEIGHT.search(right) or target.startswith("dW")):
        product = _times(left, right)
        return (f"{sizes}. Two arrays of one shape (a gate and a state, a derivative and a gradient) are "
                f"multiplied element by element: write `{product}`. If you did mean a matrix product, "
                f"check the order of the two and whether one needs its transpose (`.T`).")
    return f"{sizes}: check the order of `{left}` and `{right}` and whether one of them needs its transpose (`.T`)."


def transposed_side_hint(message: str, line: str) -> str:
    """For ``a * b.T`` (or ``+``, ``-``, ``/``) of two arrays whose shapes are each other's
    reverse, (5, 10) and (10, 5), when one side ends in ``.T``: that transpose is the mistake, not
    the ``*`` (the matrix-product rule said "write np.dot", sending the student away from the
    fix). "" otherwise."""
    found = _TWO_SHAPES.search(message)
    operations = _array_operations(line, (ast.Mult, ast.Add, ast.Sub, ast.Div)) if found else []
    if len(operations) != 1:
        return ""
    first, second = (_shape(group) for group in found.groups())
    if len(first) != 2 or first != second[::-1] or first == second:
        return ""
    sides = [in_line(operations[0].left, line), in_line(operations[0].right, line)]
    flipped = [side for side in sides if side.endswith(".T")]
    if len(flipped) != 1:
        return ""
    return (f"`{sides[0]}` has shape {first} and `{sides[1]}` has shape {second}: an element-by-element "
            f"operation needs arrays of one shape, and `{flipped[0]}` is transposed: leave out its `.T`.")


def transposed_column_hint(message: str, line: str) -> str:
    """For NumPy's "could not be broadcast together with shapes (5,10) (1,5)" on a line with one
    transposed name (``np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba.T)``): a row of shape (1, 5)
    is a column (5, 1) transposed, and the column adds to each column of the (5, 10) array. Thirty-sixth
    session: told NumPy's words alone, the line having more than one operation. "" otherwise."""
    found = _TWO_SHAPES.search(message)
    shapes = [_shape(group) for group in found.groups()] if found else []
    rows = [shape for shape in shapes if len(shape) == 2 and shape[0] == 1]
    tables = [shape for shape in shapes if len(shape) == 2 and shape[0] != 1]
    if len(rows) != 1 or len(tables) != 1 or rows[0][1] != tables[0][0] or ".T" not in line:
        return ""
    statement = line_statement(line)
    flipped = [node for node in ast.walk(statement) if isinstance(node, ast.Attribute) and node.attr == "T"
               and isinstance(node.value, ast.Name)] if statement is not None else []
    if len(flipped) != 1:
        return ""
    name = flipped[0].value.id  # type: ignore[attr-defined]
    return (f"`{name}.T` has shape {rows[0]}, a row: the column `{name}`, of shape ({rows[0][1]}, 1), adds to each of "
            f"the {tables[0][1]} columns of a {tables[0]} array, its transpose does not. Leave out the `.T`.")


def flat_vector_hint(message: str) -> str:
    """For NumPy's "could not be broadcast together with shapes (5,10) (5,)": a vector of one axis
    lines up with the other array's last axis (its columns), not its rows, so a bias or a sum made
    flat (``ba.ravel()``, ``np.sum(dtanh, axis=1)``, code written for one example) needs its column
    shape back. "" for other shapes (the line's sides are named by ``named_sides_hint``)."""
    found = _TWO_SHAPES.search(message)
    if found is None:
        return ""
    shapes = [_shape(group) for group in found.groups()]
    flat = [shape for shape in shapes if len(shape) == 1]
    table = [shape for shape in shapes if len(shape) == 2]
    if len(flat) != 1 or len(table) != 1 or flat[0][0] != table[0][0] or table[0][0] == table[0][1]:
        return ""
    (rows,), (_rows, columns) = flat[0], table[0]
    return (f"An array of shape ({rows},) lines up with the last axis of a {table[0]} array (its {columns} "
            f"columns), not its {rows} rows: keep it a column of shape ({rows}, 1) (`.reshape({rows}, 1)`, or "
            f"leave out what made it flat: `ravel`, `flatten`, a sum without `keepdims=True`).")


def named_sides_hint(message: str, line: str) -> str:
    """For NumPy's "operands could not be broadcast together with shapes (3,10) (5,10)" on a line
    with one operation between two arrays: which side has which shape, in the student's words
    (the message names neither), and where a wrong shape comes from. "" otherwise."""
    found = _TWO_SHAPES.search(message)
    operations: list[tuple[ast.expr, ast.expr]] = [
        (op.left, op.right) for op in _array_operations(line, (ast.Mult, ast.Add, ast.Sub, ast.Div))] if found else []
    operations += _elementwise_calls(line) if found else []
    if len(operations) != 1:
        return ""
    left, right = in_line(operations[0][0], line), in_line(operations[0][1], line)
    first, second = (_shape(group) for group in found.groups())
    return (f"`{left}` has shape {first} and `{right}` has shape {second}: an element-by-element "
            f"operation needs arrays of one shape. Check which of the two is not the array you meant: how "
            f"it was created (its `np.zeros` sizes), unpacked (the order of a cache's names) or indexed.")


def output_operand_hint(message: str, line: str) -> str:
    """For an in-place operator whose result is bigger than its target (``dba += dbat`` with dba
    made ``np.zeros((n_a,))``: NumPy's "non-broadcastable output operand with shape (5,) doesn't
    match the broadcast shape (5,5)"): both shapes, and the target's creation to check. ""."""
    found = _OUTPUT_OPERAND.search(message)
    statement = line_statement(line) if found else None
    if not isinstance(statement, ast.AugAssign):
        return ""
    target, value = in_line(statement.target, line), in_line(statement.value, line)
    room, result = (_shape(group) for group in found.groups())
    return (f"`{target}` has shape {room}, and with `{value}` the result would have shape {result}: "
            f"`{in_line(statement, line)}` cannot store it in `{target}`. Check the sizes `{target}` was "
            f"created with (those of the gradients added to it).")


def none_from_list_method_hint(error_type: str, message: str, source: str) -> str:
    """For "'NoneType' object has no attribute 'append'" where the function assigned a list
    method's result to the list (``caches = caches.append(cache)``): the method returns None and
    changes the list itself. ``source``: the function's text. "" otherwise."""
    found = re.search(r"'NoneType' object has no attribute '(\w+)'", message) if error_type == "AttributeError" \
        else None
    if found is None or found.group(1) not in IN_PLACE:
        return ""
    for raw in source.splitlines():
        statement = line_statement(raw)
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
            continue
        target, call = statement.targets[0], statement.value
        if isinstance(target, ast.Name) and isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
                and call.func.attr in IN_PLACE and isinstance(call.func.value, ast.Name) \
                and call.func.value.id == target.id:
            written = in_line(statement, raw)
            return (f"`{written}` sets `{target.id}` to None: a list's `{call.func.attr}` changes the list "
                    f"itself and returns None. Write `{in_line(call, raw)}` alone.")
    return ""


def list_index_hint(error_type: str, message: str, line: str) -> str:
    """For Python's "list index out of range" (no numbers given) on a line that indexes one list
    with a computed index (``caches[T_x - t]``): the indices a list has and the index to check. ""."""
    if error_type != "IndexError" or "list index out of range" not in message:
        return ""
    statement = line_statement(line)
    computed = [node for node in ast.walk(statement) if isinstance(node, ast.Subscript)
                and not isinstance(node.slice, (ast.Slice, ast.Tuple, ast.Constant))] if statement else []
    if len(computed) != 1:
        return ""
    name, index = in_line(computed[0].value, line), in_line(computed[0].slice, line)
    return (f"`{name}[{index}]` asks for an entry `{name}` does not have: a list of n entries has indices 0 "
            f"to n - 1 (or -n to -1). Check the values `{index}` takes over your loop (at its first and last "
            f"step).")


def first_cache_hint(error_type: str, message: str, line: str) -> str:
    """For an IndexError on a line that unpacks ``caches[1]`` (``(a1, a0, x1, parameters) =
    caches[1]``, after the template's "Retrieve values from the first cache (t=1)"): that is the
    second cache. Said of the line alone, so a hidden case may show it. ""."""
    if error_type != "IndexError" or "[1]" not in line:
        return ""
    statement = line_statement(line)
    if not (isinstance(statement, ast.Assign) and isinstance(statement.targets[0], (ast.Tuple, ast.List))
            and isinstance(statement.value, ast.Subscript) and isinstance(statement.value.value, ast.Name)
            and "cache" in statement.value.value.id and isinstance(statement.value.slice, ast.Constant)
            and statement.value.slice.value == 1):
        return ""
    name = statement.value.value.id
    return (f"`{name}[1]` is the second cache: a list counts from 0, so the first cache (the template's t=1, "
            f"the first time step) is `{name}[0]`.")


def _is_text(node: ast.expr) -> bool:
    """Whether ``node`` is a string written in the code (``"c_next"``, ``f"t={t}"``)."""
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def printed_sum_hint(line: str) -> str:
    """For a line that raised and only prints (``print("c_next" + np.zeros(a_next.shape))``, a real
    notebook's check of its own, told NumPy's "ufunc 'add' did not contain a loop with signature
    matching types" alone): text added to a value with ``+``, which an array (or a number) refuses;
    a comma prints the two. ""."""
    statement = line_statement(line) if "print" in line and "+" in line else None
    call = statement.value if isinstance(statement, ast.Expr) else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "print"):
        return ""
    for arg in call.args:
        if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Add) and _is_text(arg.left) != _is_text(arg.right):
            written = in_line(arg, line)
            apart = f"{in_line(arg.left, line)}, {in_line(arg.right, line)}"
            return (f"This line only prints, for your own checking, and it stopped the function: `{written}` adds "
                    f"text to a value, which `+` cannot do with an array or a number. Print the two apart, "
                    f"`print({apart})`, or delete the line.")
    return ""


def squeeze_hint(source: str, *, dims: Mapping[str, int], first_line: int = 1) -> str:
    """For a case that raised, on inputs one of whose sizes is 1 (``dims``: the case's), in a function
    (``source``) that calls ``np.squeeze`` (or ``.squeeze()``) without naming an axis: that call
    drops every axis of size 1, the one the student meant and the other too. Said of the code alone,
    so a hidden case may show it: a real notebook's ``xt = np.squeeze(x[:, :, t])`` raised on a
    hidden case only, told only its place (left by the thirty-sixth session). ""."""
    if "squeeze" not in source or 1 not in dims.values():
        return ""
    fn = function_tree(source)
    for node in ast.walk(fn) if fn is not None else ():
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "squeeze" \
                and not node.keywords and len(node.args) <= (1 if isinstance(node.func.value, ast.Name)
                                                             and node.func.value.id in NUMPY_NAMES else 0):
            return (f"Line {node.lineno + first_line - 1} calls `{as_written(node, source)}`, which drops every "
                    f"axis of size 1, not only the one you meant: where another size is 1 too, that axis goes "
                    f"as well, and the shapes after it no longer fit. Leave it out (an index such as "
                    f"`x[:, :, t]` already drops the axis it picks) or name the axis (`axis=...`).")
    return ""


def renamed_key_hint(key: Any, value: Any, specs: Sequence[Any]) -> str:
    """For a key the rubric reads (``key``, the first step of an output's path) missing from the
    dict a function returned: the key of that dict the student likely meant for it, one no output
    reads, when it is the only such key and this the only missing one, or its name is close
    (``"da_prevt"`` for ``"da_prev"``, ``"dx"`` for ``"dxt"``). ``specs``: the part's outputs.
    "" otherwise (a dict without a stray key is told only what it lacks)."""
    if not isinstance(key, str) or not isinstance(value, dict):
        return ""
    asked = {spec.path[0] for spec in specs if spec.path and isinstance(spec.path[0], str)}
    stray = [k for k in value if isinstance(k, str) and k not in asked]
    missing = [k for k in asked if k not in value]
    close = difflib.get_close_matches(key, stray, n=1, cutoff=0.6)
    meant = close[0] if close else stray[0] if len(stray) == 1 and missing == [key] else None
    if meant is None:
        return ""
    return f" It has a key `{meant}` that is not asked for: if it holds `{key}`, name its key `\"{key}\"`."


def product_beside_hint(message: str, line: str) -> str:
    """For arrays that do not broadcast on a line where one matrix product (``np.dot``, ``@``)
    stands beside other array operations (``np.dot(ft, c_prev.T) + it * cct``): the product's
    result, with the rows of its first array and the columns of its second, is the likely wrong
    side, and the `*` hint ("write np.dot") would send the student away: when neither of its arrays
    is a weight, it was meant element by element (``ft * c_prev``, any ``.T`` left out). "" otherwise
    (``np.dot(Waa, a_prev) + Wax * xt``: the product is meant, the `*` is not)."""
    found = _TWO_SHAPES.search(message)
    statement = line_statement(line) if found else None
    if statement is None:
        return ""
    products = _products(line)
    operations = _array_operations(line, (ast.Mult, ast.Add, ast.Sub, ast.Div))
    if len(products) != 1 or len(operations) < 2:
        return ""
    left, right = (in_line(side, line) for side in products[0])
    first, second = (shape_text(group) for group in found.groups())
    said = (f"NumPy could not combine arrays of shapes {first} and {second} element by element. One of them may "
            f"be the matrix product of `{left}` and `{right}`, which has the rows of `{left}` and the columns of "
            f"`{right}`")
    if _WEIGHT.search(left) or _WEIGHT.search(right):
        return ""  # a product with a weight is meant: a `*` beside it is the likelier mistake (_elementwise_hint)
    bare = [side[:-2] if side.endswith(".T") else side for side in (left, right)]
    product = _times(*bare)
    return (f"{said}: two arrays of one shape (a gate and a state) are multiplied element by element, "
            f"`{product}`.")


def too_many_indices_hint(error_type: str, message: str, line: str, *, source: str = "",
                          first_line: int = 1) -> str:
    """For NumPy's "too many indices for array: array is 2-dimensional, but 3 were indexed" on a
    line with one subscript of that many indices (``dx[:, :, t] = dxt`` where dx was made
    ``np.zeros((n_x, m))``): the array's axes against the index's, and its creation to check; or,
    when a loop of the function ``source`` gives that name a new value after it was set
    (``da_prevt = da``, then ``..., da_prevt, ... = gradients[...]`` in the loop that reads
    ``da_prevt[:, :, t]``, a real notebook's), the two lines. ""."""
    found = re.search(r"array is (\d+)-dimensional, but (\d+) were indexed", message) \
        if error_type == "IndexError" else None
    statement = line_statement(line) if found else None
    if statement is None:
        return ""
    axes, indexed = (int(group) for group in found.groups())
    subscripts = [node for node in ast.walk(statement) if isinstance(node, ast.Subscript)
                  and isinstance(node.slice, ast.Tuple) and len(node.slice.elts) == indexed]
    if len(subscripts) != 1:
        return ""
    name = ast.unparse(subscripts[0].value)
    said = f"`{in_line(subscripts[0].value, line)}` has {axes} axes here, and `{in_line(subscripts[0], line)}` indexes {indexed}"
    again = _set_again_in_loop(source, name, indexed) if source else None
    if again is not None:
        (first, was), (later, now) = again
        return (f"{said}: line {later + first_line - 1}, in the loop, sets `{name}`{f' to `{now}`' if now else ''} "
                f"after line {first + first_line - 1} set it{f' to `{was}`' if was else ''}, so from the loop's second "
                f"step on it holds the new value, with its own shape. Keep the two under different names.")
    return f"{said}: check the sizes `{name}` was created with (one for each axis)."


def _set_again_in_loop(source: str, name: str, indexed: int) -> tuple[tuple[int, str], tuple[int, str]] | None:
    """``((line, value), (line, value))``: where a plain ``name`` is set before a loop of
    ``source``'s function and set again inside it, with the values given as written ("" when not
    known), when the loop also reads ``name`` indexed with ``indexed`` indices; None otherwise
    (lines counted from the def's)."""
    fn = function_tree(source) if name.isidentifier() else None
    if fn is None:
        return None
    sets = sorted(((node, value) for node in ast.walk(fn) if isinstance(node, ast.Assign)
                   for _target, value in _targets_named(node, name)), key=lambda pair: pair[0].lineno)
    lines = [node.lineno for node, _value in sets]
    # Each loop finds its sets by bisection: a list of them a loop was quadratic (3,000 sets of
    # the name beside 3,000 loops: 2.8 s of a worker's CPU for one hint; the lead's review).
    for loop, _after in loops_of(fn):
        before = bisect.bisect_left(lines, loop.lineno)  # sets[:before] come before the loop
        inside = bisect.bisect_right(lines, loop.lineno)
        if not before or inside >= len(sets) or lines[inside] > (loop.end_lineno or loop.lineno):
            continue
        if any(isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == name
               and isinstance(node.slice, ast.Tuple) and len(node.slice.elts) == indexed for node in ast.walk(loop)):
            return tuple((node.lineno, as_written(value, source) if value is not None else "")
                         for node, value in (sets[before - 1], sets[inside]))
    return None


def _targets_named(node: ast.Assign, name: str) -> list[tuple[ast.expr, ast.expr | None]]:
    """``(target, value)`` for each target of ``node`` that is the plain ``name``, with the value it
    gets when known (the whole value, or its element at that place when a tuple is unpacked from a
    tuple of as many)."""
    found = []
    for target in node.targets:
        if isinstance(target, ast.Name) and target.id == name:
            found.append((target, node.value))
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = node.value.elts if isinstance(node.value, (ast.Tuple, ast.List)) \
                and len(node.value.elts) == len(target.elts) else None
            found.extend((element, values[k] if values else None) for k, element in enumerate(target.elts)
                         if isinstance(element, ast.Name) and element.id == name)
    return found


def comma_tuple_hint(error_type: str, message: str, line: str, *, source: str = "", first_line: int = 1) -> str:
    """For "'tuple' object does not support item assignment" on a line storing into ``name[...]``
    when the function ``source`` gives ``name`` a value that ends with a comma
    (``dx = np.zeros((n_x, m, T_x)),``): that comma makes a tuple of the one array. A real notebook
    of the thirty-fifth session ended six such lines with a comma, 0 / 20 told only Python's words.
    The other lines of the function ending so are counted. ""."""
    statement = line_statement(line) if error_type == "TypeError" and "'tuple' object does not support item " \
        "assignment" in message and source else None
    targets = [t.value.id for t in getattr(statement, "targets", ())
               if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name)]
    fn = function_tree(source) if targets else None
    if fn is None:
        return ""
    commas = [stmt for block in statement_blocks(fn) for stmt in block
              if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Tuple) and len(stmt.value.elts) == 1
              and (source_segment(source, stmt.value) or "").rstrip().endswith(",")
              and not (source_segment(source, stmt.value) or "").lstrip().startswith("(")]
    made = [stmt for stmt in commas if any(isinstance(t, ast.Name) and t.id == targets[0] for t in stmt.targets)]
    if not made:
        return ""
    others = len(commas) - 1
    also = f" ({others} other line{'s' if others > 1 else ''} of the function end{'' if others > 1 else 's'} so too)" \
        if others else ""
    return (f"`{targets[0]}` is a tuple: `{as_written(made[0], source)}` (line {made[0].lineno + first_line - 1}) ends "
            f"with a comma, which makes a tuple holding the array. Remove the comma{also}.")


#: How many names called on the failing line ``not_callable_hint`` looks up at the notebook's top
#: level (each may parse the whole program once: a line calling a thousand names is not read so).
MOST_CALLED_LOOKED_UP = 3


def not_callable_hint(error_type: str, message: str, line: str, *, source: str, first_line: int = 1,
                      assigned_at: Callable[[str], str]) -> str:
    """For "'NoneType' object is not callable" (or another type) on a line calling a plain name that
    the function neither takes nor gives a value (``sigmoid(...)`` after a cell's top level set
    ``sigmoid = None``): where that value comes from (``assigned_at(name)``, "cell 21 (In [20]),
    line 1,"), and that it replaced the function of that name. "" otherwise (thirty-fourth
    session: the student read a bare TypeError at the call)."""
    found = re.search(r"'(\w+)' object is not callable$", message) if error_type == "TypeError" else None
    statement = line_statement(line) if found else None
    fn = function_tree(source) if statement is not None else None
    if fn is None:
        return ""
    own = {arg.arg for arg in ast.walk(fn.args) if isinstance(arg, ast.arg)}
    called = [node.func.id for node in ast.walk(statement)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id not in own]
    for name in list(dict.fromkeys(called))[:MOST_CALLED_LOOKED_UP]:
        where = "" if stores_of(fn, name) else assigned_at(name)
        if where:
            kind = PYTHON_KINDS.get(found.group(1), f"a {found.group(1)}")
            return (f"`{name}` is {kind} when the function runs, not a function: {where} gives `{name}` that value "
                    f"at a cell's top level, and it replaces the function of that name for every cell run after it. "
                    f"Give that value another name.")
    return ""


def attribute_hint(error_type: str, message: str, line: str) -> str:
    """For "'tuple' object has no attribute 'shape'" (``n_x, m = x1.shape`` where ``x1`` came from
    unpacking the list of caches, not one cache) on a line that reads that attribute of one thing:
    what that thing is, and where to look. "" otherwise (a list's method assigned to the list has
    its own sentence, ``none_from_list_method_hint``)."""
    found = re.search(r"'(\w+)' object has no attribute '(\w+)'", message) if error_type == "AttributeError" \
        else None
    if found is None or found.group(1) not in PYTHON_KINDS:
        return ""
    kind, attribute = found.groups()
    if kind == "NoneType" and attribute in IN_PLACE:
        return ""
    statement = line_statement(line)
    reads = {ast.unparse(node.value): node.value for node in ast.walk(statement) if isinstance(node, ast.Attribute)
             and node.attr == attribute} if statement is not None else {}
    if len(reads) != 1:
        return ""
    name = in_line(*reads.values(), line)
    return (f"`{name}` is {PYTHON_KINDS[kind]} here, where `.{attribute}` needs a NumPy array: check the line that "
            f"gives `{name}` its value (what was unpacked or indexed into it).")


def refused_hint(error_type: str) -> str:
    """What grading allows, for a PermissionError: the sandbox refuses a socket, a new process
    (``os.fork``, ``subprocess``) and files outside the child's folder, and Python says only
    "[Errno 1] Operation not permitted" (or "Permission denied"), which reads as a fault of the
    student's machine (the thirty-first session's polish helper: a socket opened in a graded
    function was told nothing else)."""
    if error_type != "PermissionError":
        return ""
    return ("While it is graded, your code runs without network access, other processes, or files outside "
            "its own folder: a download, a socket, `subprocess`, `os.fork` or a file elsewhere is refused. A "
            "graded function needs only NumPy and its arguments.")


def numpy_call_hint(outcome: Any, line: str) -> str:
    """A sentence for a NumPy call written the wrong way on the student's ``line`` (session 28:
    ``np.concatenate(a_prev, xt)`` was told only NumPy's "only integer scalar arrays can be
    converted to a scalar index"): what the call expects and the line as it should be written,
    with the student's own arguments when the line parses on its own. "" when no known mistake
    fits the error and the line. Only failed calls come here, so a correct run pays nothing."""
    kind, message = outcome.error_type or "", outcome.message or ""
    if kind not in ("TypeError", "ValueError"):
        return ""
    if kind == "ValueError":
        if _NOT_ALIGNED.search(message):
            return _product_hint(line, shapes=_NOT_ALIGNED_SHAPES.search(message), message=message)
        if "except for the concatenation axis must match" in message:
            return _axis_hint(line, rows_differ="along dimension 0," in message)
        if "all input arrays must have the same shape" in message and any(
                name == "stack" for _call, name in numpy_calls(line)):
            # ``np.stack((a_prev, xt))``: a new axis, where the LSTM's concat joins along axis 0.
            over = _put_over(line)
            return ("`np.stack` puts the arrays on a new axis, which needs them of one shape"
                    + (f"; {over}." if over else ": `np.concatenate` joins them along an axis they have."))
        return (transposed_side_hint(message, line) or transposed_column_hint(message, line) or flat_vector_hint(message)
                or product_beside_hint(message, line)
                or _elementwise_hint(message, line)
                or named_sides_hint(message, line) or output_operand_hint(message, line))
    if "indices must be integers or slices, not tuple" in message:
        return _index_hint(line)
    calls = numpy_calls(line)
    for call, name in calls:
        if name in _JOINERS and _joined_as_arguments(call):
            arrays = ", ".join(in_line(arg, line) for arg in call.args[:2]) if len(call.args) >= 2 else "a_prev, xt"
            fixed = "np.concatenate" if name in ("concat", "concatenate") else f"np.{name}"
            axis = ", axis=0" if fixed == "np.concatenate" else ""
            return (f"`np.{name}` takes the arrays to join in one tuple (or list): its second argument is the "
                    f"axis, not another array. Write `{fixed}(({arrays}){axis})`.")
        if name in _MAKERS and len(call.args) >= 2 and "data type" in message \
                and not isinstance(call.args[0], (ast.Tuple, ast.List)):
            shape = ", ".join(in_line(arg, line) for arg in call.args)
            return (f"`np.{name}` takes the shape as one tuple (its second argument is the data type): "
                    f"write `np.{name}(({shape}))`.")
    return ""


def _product_hint(line: str, *, shapes: re.Match | None = None, message: str = "") -> str:
    """For a matrix product of sizes that do not fit: the rule, with the two arrays of the line's
    one product (``np.dot(a, b)``, ``np.matmul(a, b)``, ``a @ b``) when it has exactly one.
    ``shapes``: NumPy's two shapes, when its message gives them; two of one shape were meant to be
    multiplied element by element (``np.dot(ft, c_prev)``), which no order or transpose fixes.
    ``message``: NumPy's, for matmul's sizes without shapes (``matmul_hint``)."""
    pairs = _products(line)
    if shapes is not None and shapes.group(1) == shapes.group(2):
        shape = _shape(shapes.group(1))
        rule = ("two arrays of one shape are multiplied element by element{}; `np.dot` and `@` are the "
                "matrix product, which needs the columns of the first to match the rows of the second.")
        if len(pairs) != 1:
            return (f"Two arrays of the same shape {shape} met in a matrix product on this line: to multiply "
                    f"them element by element, write `a * b`; for a matrix product, one of them needs its "
                    f"transpose (`.T`).")
        left, right = pairs[0]
        same = f"`{in_line(left, line)}` and `{in_line(right, line)}` have the same shape {shape}"
        target = _assigned_name(line)
        if target.startswith("dW"):
            # A weight's gradient is the product of a gradient and an input's transpose (dWaa =
            # dtanh @ a_prev.T, both (n_a, m)): element by element would be the wrong fix there.
            return (f"{same}: `{target}`, a weight's gradient, is the matrix product of the gradient and "
                    f"the transpose of the input, as in `np.dot({in_line(left, line)}, {in_line(right, line)}.T)`.")
        return f"{same}: " + rule.format(f", `{_times(in_line(left, line), in_line(right, line))}`")
    rule = "In a matrix product the number of columns of the first array must equal the number of rows of the second"
    swapped = _weight_for_input_hint(pairs, line) or _weight_first_hint(pairs, line, shapes)
    if swapped:
        return f"{rule}. {swapped}"
    if len(pairs) != 1:
        # NumPy's shapes, when it gives them: a wrong array reaching the line (``a_prev`` reshaped to
        # (50, 1) for one example above it) shows there, which no order or transpose fixes.
        shown = (f" Here the two arrays have shapes {shape_text(shapes.group(1))} and {shape_text(shapes.group(2))}."
                 if shapes is not None else "")
        return (f"{rule}: check the order of the two (`np.dot(Waa, a_prev)`, not `np.dot(a_prev, Waa)`) "
                f"and whether one of them needs its transpose (`.T`).{shown}")
    if ast.unparse(pairs[0][0]) in _GATE_WEIGHTS and ast.unparse(pairs[0][1]) in ("xt", "a_prev"):
        # The LSTM's gate weights are (n_a, n_a + n_x): told to reorder or transpose, a student who
        # multiplied one by ``xt`` (twenty-ninth session's generated class; real notebooks too)
        # was sent away from the fix, which is the stacked input.
        left, right = (in_line(side, line) for side in pairs[0])
        return (f"{rule}. `{left}` has a column for each row of `a_prev` stacked over `xt` (n_a + n_x "
                f"columns): multiply it by that stacked array, `concat = np.concatenate((a_prev, xt), "
                f"axis=0)`, as in `np.dot({left}, concat)`, not by `{right}` alone.")
    left, right = (in_line(side, line) for side in pairs[0])
    matmul = matmul_hint(message, left=left, right=right, target=_assigned_name(line))
    if matmul:  # NumPy's matmul names no shapes: its two sizes, and the fix the line's words point at
        return matmul
    # NumPy's shapes, when it gives them: a right line fed a wrong array (dtanh of (10, 10) made on the
    # line above) shows there, which the order and the transpose do not fix.
    sides = (f" Here `{left}` has shape {shape_text(shapes.group(1))} and `{right}` has shape "
             f"{shape_text(shapes.group(2))}.") if shapes is not None else ""
    return (f"{rule}: check the order of `{left}` and `{right}` and whether one of them needs its "
            f"transpose (`.T`).{sides}")


#: The RNN cell's weights by name: (the size of its rows, of its columns, the input it multiplies).
#: A name says what the weight maps to, then from: ``Wax`` takes ``xt`` to the hidden state.
_RNN_WEIGHTS = {"Wax": ("n_a", "n_x", "xt"), "Waa": ("n_a", "n_a", "a_prev"), "Wya": ("n_y", "n_a", "a_next")}


def _rnn_weight(node: ast.expr) -> str:
    """The course's RNN weight ``node`` names (``Wax``, ``parameters["Wax"]``), "" otherwise."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        name = node.slice.value
    else:
        name = node.id if isinstance(node, ast.Name) else ""
    return name if isinstance(name, str) and name in _RNN_WEIGHTS else ""


def _input_letter(node: ast.expr) -> str:
    """``"x"`` for an input's name (``xt``, ``x_t``, ``x``), ``"a"`` for a hidden state's (``a_prev``,
    ``a_next``, ``a0``, ``a``); "" for anything else."""
    name = node.id if isinstance(node, ast.Name) else ""
    return name[0] if re.fullmatch(r"[ax](?:t|_t|_prev|_next|_?\d)?", name) else ""


def _weight_for_input_hint(pairs: Sequence[tuple[ast.expr, ast.expr]], line: str) -> str:
    """For products of the line that multiply an input by the RNN weight of another input
    (``np.dot(Wax, a_prev) + np.dot(Waa, xt)``): the weight whose columns fit each input, written as
    the line writes the weights. Thirty-seventh session: told to "check the order of the two and
    whether one of them needs its transpose", which no order or transpose of ``Wax`` fixes. "" when
    every weight of the line multiplies the input its name says."""
    wrong = []
    for left, right in pairs[:4]:
        weight, letter = _rnn_weight(left), _input_letter(right)
        if not weight or not letter or _RNN_WEIGHTS[weight][2][0] == letter:
            continue
        rows, columns, own = _RNN_WEIGHTS[weight]
        written, given = in_line(left, line), in_line(right, line)
        fits = next((name for name, (r, _c, takes) in _RNN_WEIGHTS.items() if r == rows and takes[0] == letter), "")
        told = f"`{written}` ({rows}, {columns}) has a column for each row of `{own}`, not of `{given}`"
        wrong.append((told, (written.replace(weight, fits), given) if fits else (written, own)))
    if not wrong:
        return ""
    matmul = "@" in line and "dot" not in line
    fixed = " and ".join(f"`{a} @ {b}`" if matmul else f"`np.dot({a}, {b})`" for _told, (a, b) in wrong[:2])
    return (f"{'; '.join(told for told, _fix in wrong[:2])}: a weight's name says what it maps to, then from. "
            f"Multiply each by what it fits: {fixed}.")


#: Every weight of the course's cells by name, with the size names of its rows and columns and what it
#: multiplies (``_weight_first_hint``): the RNN's, the LSTM's gates' and its prediction's.
_WEIGHT_SIZES = {**{name: sizes for name, sizes in _RNN_WEIGHTS.items()}, "Wy": ("n_y", "n_a", "a_next"),
                 **{name: ("n_a", "n_a + n_x", "concat") for name in ("Wf", "Wi", "Wu", "Wc", "Wo")}}


def _weight_name(node: ast.expr) -> str:
    """The course's weight ``node`` names (``Wf``, ``parameters["Wy"]``), "" otherwise."""
    name = node.slice.value if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) else (
        node.id if isinstance(node, ast.Name) else "")
    return name if isinstance(name, str) and name in _WEIGHT_SIZES else ""


def _weight_first_hint(pairs: Sequence[tuple[ast.expr, ast.expr]], line: str, shapes: re.Match | None) -> str:
    """For the line's one matrix product with a weight written after the array it multiplies
    (``np.dot(concat, Wf)``, ``np.dot(a_next, Wy)``) or transposed before it (``np.dot(Wf.T, concat)``),
    when NumPy's shapes show that the weight as it is, first, fits (its columns, the array's rows):
    that product. Thirty-eighth session: told "check the order ... and whether one of them needs its
    transpose", for the LSTM's weights too, which the RNN's rule (``_weight_for_input_hint``) did not
    know. The prediction's weight given another array than ``a_next`` (``np.dot(Wy, concat)``) is told
    what it multiplies. ""."""
    if len(pairs) != 1 or shapes is None:
        return ""
    (left, right), (first, second) = pairs[0], (_shape(shapes.group(1)), _shape(shapes.group(2)))
    if len(first) != 2 or len(second) != 2:
        return ""
    matmul = "@" in line and "dot" not in line
    transposed = isinstance(left, ast.Attribute) and left.attr == "T"
    weight, other, own = ((left.value, right, first[::-1]) if transposed else (right, left, second) if
                          _weight_name(right) else (left, right, first))
    name = _weight_name(weight)
    if not name:
        return ""
    rows, columns, takes = _WEIGHT_SIZES[name]
    written, given = in_line(weight, line), in_line(other, line)
    product = f"`{written} @ {given}`" if matmul else f"`np.dot({written}, {given})`"
    if (weight is right or transposed) and own[1] == (first if weight is right else second)[0]:
        why = "leave out its `.T`" if transposed else f"the weight comes first, then `{given}`"
        return (f"`{written}` ({rows}, {columns}) has a column for each row of `{given}` as it is: {why}, "
                f"{product}.")
    if weight is left and not transposed and name in ("Wy", "Wya") and not re.fullmatch(r"a(?:_next|t|_t)?", given):
        fixed = f"`{written} @ a_next`" if matmul else f"`np.dot({written}, a_next)`"
        return (f"`{written}` ({rows}, {columns}) has a column for each row of the hidden state `a_next`, not of "
                f"`{given}`: the prediction is made from this step's hidden state, {fixed}.")
    return ""


#: The LSTM's gate weights, each multiplying ``a_prev`` stacked over ``xt`` (``_product_hint``).
#: (``ast.unparse`` writes ``parameters["Wf"]`` with single quotes; ``Wu``: the course's older name of ``Wi``.)
_GATE_WEIGHTS = frozenset(spelling for name in ("Wf", "Wi", "Wu", "Wc", "Wo")
                           for spelling in (name, f"parameters['{name}']"))


def assignment_hint(outcome: Any, line: str) -> str:
    """For an assignment on the student's ``line`` (parsed on its own) that NumPy or Python refused:
    an array stored where its shape does not fit (``y_pred[:, :, t] = a_next``: NumPy's "could not
    broadcast input array from shape (5,10) into shape (2,10)") and names on the left that do not
    match the values on the right (``a_next, yt, cache = lstm_cell_forward(...)``, which returns
    four). What each side is, in the student's words; "" otherwise."""
    if outcome.error_type != "ValueError":
        return ""
    statement = line_statement(line)
    added = _BROADCAST3.search(outcome.message or "")
    if isinstance(statement, ast.AugAssign) and added is not None and added.group(1) == added.group(3):
        # ``dWax += dWaxt`` into a dWax made (n_x, n_a): NumPy names three shapes, the first the target's.
        target, value = in_line(statement.target, line), in_line(statement.value, line)
        have, room = (_shape(added.group(k)) for k in (2, 1))
        said = (f"`{target}` has shape {room} and `{value}` has shape {have}: `{in_line(statement, line)}` cannot "
                f"store its result in `{target}`.")
        if len(room) == 2 and room[0] != room[1] and have == room[::-1]:
            # Thirty-fourth session: `dWax += dWaxt.T` was told to check the sizes `dWax` was created with.
            turned = any(isinstance(node, ast.Attribute) and node.attr == "T" for node in ast.walk(statement.value))
            return said + (f" `{value}` has the transposed shape of `{target}`: leave out its `.T`." if turned else
                           f" One has the transposed shape of the other: check the sizes `{target}` was created "
                           f"with, and the order of the product that gives `{value}`.")
        return said + f" Check the sizes `{target}` was created with."
    if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
        return ""
    # The value is written back only where a message is said (a 30 kB line raised RecursionError in
    # ``ast.unparse`` for each of 24 cases whose message was neither: 0.1 s of a worker).
    target, message = statement.targets[0], outcome.message or ""
    stored = _STORED.search(message)
    if stored is not None and isinstance(target, ast.Subscript):
        value = in_line(statement.value, line)
        have, room = (_shape(group) for group in stored.groups())
        array = in_line(target.value, line)
        return (f"`{in_line(target, line)}` has room for an array of shape {room}, and `{value}` has shape "
                f"{have}: check the sizes `{array}` was created with, the index, and that `{value}` is the "
                f"value that belongs there.")
    unpacked = _UNPACKED.search(message)
    if unpacked is not None and isinstance(target, (ast.Tuple, ast.List)):
        value = in_line(statement.value, line)
        names = in_line(target, line).strip("()[]")
        more = "more" if unpacked.group(1) == "too many" else "fewer"
        call = statement.value if isinstance(statement.value, ast.Call) else None
        holds = f"`{in_line(call.func, line)}` returns" if call is not None else f"`{value}` holds"
        return (f"The left side names {len(target.elts)} values (`{names}`) and {holds} {more}: give one "
                f"name to each value, in its order.")
    return ""


def swapped_sizes_hint(source: str, *, first_line: int = 1) -> str:
    """For a function (``source``) that unpacks a course weight's shape into the sizes its rows and
    columns are named by, in the other order (``n_a, n_y = parameters["Wy"].shape``, where ``Wy`` is
    (n_y, n_a)): that line, and the order to write. Thirty-eighth session: the array made with the
    swapped size then refused a step's value, told "check the sizes `a` was created with". ""."""
    fn = function_tree(source) if ".shape" in source else None
    for block in statement_blocks(fn) if fn is not None else ():
        for stmt in block[:MOST_LOOP_STATEMENTS]:
            value = stmt.value if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else None
            target = stmt.targets[0] if value is not None else None
            if not (isinstance(target, ast.Tuple) and len(target.elts) == 2
                    and all(isinstance(e, ast.Name) for e in target.elts)
                    and isinstance(value, ast.Attribute) and value.attr == "shape"):
                continue
            weight = _weight_name(value.value)
            rows, columns = _WEIGHT_SIZES[weight][:2] if weight else ("", "")
            if rows == columns or [e.id for e in target.elts] != [columns, rows]:
                continue
            shape = as_written(value, source)
            return (f"Line {stmt.lineno + first_line - 1} unpacks `{shape}` as `{columns}, {rows}`, but `{weight}` is "
                    f"({rows}, {columns}): its rows come first. Write `{rows}, {columns} = {shape}`.")
    return ""


def bounds_hint(outcome: Any, line: str = "", source: str = "") -> str:
    """For NumPy's "index 4 is out of bounds for axis 2 with size 4" (a loop over ``range(m)`` where
    ``range(T_x)`` was meant, ``a[:, :, t + 1]``): which indices the axis has, and where an index
    past them comes from; on the student's ``line`` (of the function ``source``), an index at that
    axis that is one name no loop of it runs over (``da[:, :, T_x]``, a real notebook's) is told to
    be one past the end. "" otherwise."""
    found = _OUT_OF_BOUNDS.search(outcome.message or "") if outcome.error_type == "IndexError" else None
    if found is None:
        return ""
    index, axis, size = (int(group) for group in found.groups())
    if size == 0:
        return f"Axis {axis} of that array has size 0: check the sizes it was created with."
    said = (f"Axis {axis} of that array has {size} entries, numbered 0 to {size - 1} (or -{size} to -1), "
            f"and the index was {index}")
    sized = _sized_index(line, source, axis) if index == size and line else None
    if sized is not None:
        place, name = sized
        return (f"{said}: `{place}` asks for entry `{name}` of axis {axis}, one past its last (`{name} - 1`). To "
                f"read the loop's step, index it with the loop's variable.")
    return (f"{said}: check the range your loop runs over (`range(n)` gives 0 to n - 1) "
            f"and any index computed from it (such as `t + 1`).")


def _sized_index(line: str, source: str, axis: int) -> tuple[str, str] | None:
    """``(subscript, name)`` for the one subscript of ``line`` whose index at ``axis`` is a bare name
    that no loop of ``source`` (the function) assigns, as its variable or in its body
    (``da[:, :, T_x]``); None otherwise."""
    statement = line_statement(line.strip())
    if statement is None:
        return None
    fn = function_tree(source) if source else None
    stepped = {name for loop, _after in (loops_of(fn) if fn is not None else ()) for name in names_in(loop, ast.Store)}
    found = []
    for node in ast.walk(statement):
        if isinstance(node, ast.Subscript):
            parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if len(parts) > axis and isinstance(parts[axis], ast.Name) and parts[axis].id not in stepped:
                found.append((in_line(node, line), parts[axis].id))
    return found[0] if len(found) == 1 else None


def _assigned_name(line: str) -> str:
    """The name ``line`` assigns to when it parses on its own as ``name = ...`` (or ``+=``); ""."""
    statement = line_statement(line)
    targets = statement.targets if isinstance(statement, ast.Assign) else \
        [statement.target] if isinstance(statement, ast.AugAssign) else []
    return targets[0].id if len(targets) == 1 and isinstance(targets[0], ast.Name) else ""


def _axis_hint(line: str, *, rows_differ: bool) -> str:
    """For arrays joined along an axis whose other sizes differ (``np.concatenate((a_prev, xt),
    axis=1)``, ``np.hstack``): the rule, and, when their numbers of rows differ and the line joins
    exactly two, the call stacking them one over the other (axis 0, as the LSTM's ``concat``)."""
    over = _put_over(line) if rows_differ else ""
    if not over:
        return ("NumPy joins the arrays along one axis, and every other size must match: check the axis "
                "(`np.hstack` joins along axis 1, `np.vstack` along axis 0).")
    return (f"NumPy joins the arrays along one axis, and every other size must match: their numbers of rows "
            f"differ, so they cannot stand side by side; {over}.")


def _put_over(line: str) -> str:
    """``"to put `a_prev` over `xt`, write `np.concatenate((a_prev, xt), axis=0)`"`` for the line's
    one call joining exactly two arrays given as a tuple or list; "" otherwise."""
    joined = [call.args[0].elts for call, name in numpy_calls(line) if name in _JOINERS and call.args
              and isinstance(call.args[0], (ast.Tuple, ast.List)) and len(call.args[0].elts) == 2]
    if len(joined) != 1:
        return ""
    first, second = (in_line(node, line) for node in joined[0])
    return f"to put `{first}` over `{second}`, write `np.concatenate(({first}, {second}), axis=0)`"


def _products(line: str) -> list[tuple[ast.expr, ast.expr]]:
    """The two arrays of each matrix product on ``line`` (parsed on its own): ``np.dot(a, b)``,
    ``np.matmul(a, b)`` (``numpy.`` too), then ``a @ b``."""
    pairs = [(call.args[0], call.args[1]) for call, name in numpy_calls(line)
             if name in ("dot", "matmul") and len(call.args) == 2]
    tree = parsed_line(line) if "@" in line else None
    pairs += [(node.left, node.right) for node in ast.walk(tree)
              if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult)] if tree is not None else []
    return pairs


def _joined_as_arguments(call: ast.Call) -> bool:
    """Whether a concatenate-like ``call`` was given its arrays as separate arguments
    (``np.concatenate(a_prev, xt)``), not as one sequence followed by an axis."""
    if not call.args or isinstance(call.args[0], (ast.Tuple, ast.List, ast.ListComp, ast.GeneratorExp)):
        return False
    return len(call.args) >= 2 and not (isinstance(call.args[1], ast.Constant) and isinstance(call.args[1].value, int))


def _elementwise_hint(message: str, line: str) -> str:
    """For NumPy's broadcast error on a line that multiplies with ``*`` or ``np.multiply``
    where the two shapes would make a matrix product (``Wax * xt``: (5, 3) and (3, 10))."""
    found = _TWO_SHAPES.search(message)
    if found is None or not (_NP_MULTIPLY.search(line) or _STAR.search(line)):
        return ""
    left, right = (_shape(group) for group in found.groups())
    if len(left) != 2 or len(right) != 2 or left[1] != right[0]:
        return ""
    return (f"`*` and `np.multiply` multiply element by element, which needs arrays of one shape: for the "
            f"matrix product of a {left} and a {right} array write `np.dot(a, b)` or `a @ b`.")


def _index_hint(line: str) -> str:
    """For "list indices must be integers or slices, not tuple": a Python list or tuple takes one
    index per bracket. The subscripted name is the student's when the line parses on its own."""
    name = "x"
    tree = parsed_line(line)
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Tuple):
            name = in_line(node.value, line)
            break
    return (f"A Python list or tuple takes one index at a time: write `{name}[i][j]`, not `{name}[i, j]` "
            f"(the comma form is for NumPy arrays).")


def _computed_below(name: str, stmt: ast.stmt, line: str, source: str, *, fn: ast.AST, first_line: int,
                    assigned_at: Callable[[str], str] | None, at: int | None = None) -> str:
    """``shadowed_name_hint``'s sentence for ``name`` read on ``line`` above ``stmt``, its first
    assignment, a plain one outside any loop (a gate computed below the line that uses it), when the
    notebook gives ``name`` no value outside the function; "". ``at``: the number of ``line`` (as
    ``first_line`` counts); without it, the first line of that text (an identical line higher up,
    not run, was named in its place)."""
    if assigned_at is None or name in NUMPY_NAMES or not isinstance(stmt, ast.Assign) or not line.strip():
        return ""
    lines = source.splitlines()[:stmt.lineno - 1]
    read = next((k + 1 for k, text in enumerate(lines) if text == line), None) if at is None else \
        at - first_line + 1 if 0 < at - first_line + 1 <= len(lines) and lines[at - first_line] == line else None
    if read is None or any(isinstance(node, (ast.For, ast.AsyncFor, ast.While)) and node.lineno <= stmt.lineno
                           <= (node.end_lineno or 0) for block in statement_blocks(fn) for node in block) \
            or assigned_at(name):
        return ""
    at, reader = stmt.lineno + first_line - 1, read + first_line - 1
    return (f"Line {reader} reads `{name}`, which line {at} computes below it (`{quoted_head(stmt, source)}`): a "
            f"function runs its lines from the top, so `{name}` has no value yet on line {reader}. Move line {at} "
            f"up, above line {reader} (after the lines whose values it reads).")


# ----------------------------------------------------------------- a function's loop, as written
# Mistakes that span lines (thirty-second session): the values are wrong, NumPy says nothing, and
# the largest difference or a known mistake's sentence ("add them up over time: dWax += dWaxt",
# to a student who wrote that line, inside the loop after a reset) did not show the line to move.
# Read from the function's source only after a case of it failed.


def shadowed_name_hint(error_type: str, message: str, line: str, *, source: str, first_line: int = 1,
                       elsewhere: str = "", assigned_at: Callable[[str], str] | None = None,
                       at: int | None = None) -> str:
    """For a name the function gives a value on a line below the one that reads it
    (``UnboundLocalError: cannot access local variable 'np'`` after ``np = len(caches)`` in the
    loop: Python takes the name as the function's own on every line), and for ``np.dot`` read
    from an ``np`` that is not NumPy ("'dict' object has no attribute 'dot'": a parameter or a
    name unpacked as ``np``, or ``np = ...`` in the notebook, ``elsewhere`` naming that place):
    where the name gets its value, and to give that value another name. A value computed below
    its first reader (``ot = ...`` under ``a_next = ot * ...``) that nothing outside the function
    gives (``assigned_at(name)``: the notebook's place of it, or "") is told to move its line up
    (``at``: the number of ``line``, as ``first_line`` counts). "" otherwise."""
    offset = first_line - 1
    if error_type == "UnboundLocalError":
        found = re.search(r"local variable '(\w+)'", message)
        fn = function_tree(source) if found else None
        stores = stores_of(fn, found.group(1)) if fn is not None else []
        if not stores:
            return ""
        name, stmt = found.group(1), stores[0]
        below = _computed_below(name, stmt, line, source, fn=fn, first_line=first_line, assigned_at=assigned_at,
                                at=at)
        if below:
            return below
        rename = (f" `{name}` is NumPy's name: give the variable of line {stmt.lineno + offset} another one."
                  if name in NUMPY_NAMES else
                  f" Give it a value above the line that reads it, or give the variable of line "
                  f"{stmt.lineno + offset} another name if you meant the `{name}` from outside the function.")
        return (f"`{name}` is given a value in this function (line {stmt.lineno + offset}: `{quoted_head(stmt, source)}`), so "
                f"Python takes `{name}` to be the function's own variable on all of its lines, and it has no "
                f"value yet where it is read.{rename}")
    # "type object 'np' has no attribute 'tanh'": a class of that name (``class np:`` in a cell)
    found = re.search(r"(?:'(\w+)' object|type object '\w+') has no attribute '(\w+)'", message) \
        if error_type == "AttributeError" else None
    statement = line_statement(line) if found else None
    reads = {node.value.id for node in ast.walk(statement) if isinstance(node, ast.Attribute)
             and node.attr == found.group(2) and isinstance(node.value, ast.Name)} if statement is not None else set()
    numpy = sorted(reads & NUMPY_NAMES)
    fn = function_tree(source) if numpy and found.group(1) != "module" else None
    if fn is None:
        return ""
    name, kind = numpy[0], ("a class" if found.group(1) is None else
                            PYTHON_KINDS.get(found.group(1), f"a {found.group(1)}"))
    stores = stores_of(fn, name)
    if name in {arg.arg for arg in ast.walk(fn.args) if isinstance(arg, ast.arg)}:
        where = f"it is a parameter of `{fn.name}`"
    elif stores:
        where = f"line {stores[0].lineno + offset} gives it a value (`{quoted_head(stores[0], source)}`)"
    elif elsewhere:
        where = f"{elsewhere} gives it a value"
    else:
        return ""
    return (f"`{name}` is {kind} here, not NumPy: {where}, and that hides the module. Give that value another "
            f"name (NumPy is `{name}` in every function of the notebook).")


def unpacked_argument_hint(error_type: str, message: str, line: str, *, source: str, first_line: int = 1,
                           arguments: Mapping[str, Any]) -> str:
    """For a line that raised on a name taken out of one of the function's arguments on an earlier
    line, in an order that gave it another of the argument's values (``(a1, a0, x1, parameters) =
    caches[0]`` after ``(x, caches) = caches``, the argument being ``(caches, x)``: an array's row
    has too many values; "'list' object has no attribute 'shape'" after ``(x, caches) = caches``
    too): what each value of that argument is, in order. ``arguments``: the call's arguments by the
    student's parameter names. "" when the value the name got is of the kind the line needs (the
    line's mistake is elsewhere: ``n_x, m = x.shape`` for ``x1.shape``)."""
    missing = re.search(r"'(\w+)' object has no attribute '(\w+)'", message) if error_type == "AttributeError" else None
    if not (missing or (error_type == "ValueError" and _UNPACKED.search(message))):
        return ""
    statement = line_statement(line)
    fn = function_tree(source) if statement is not None else None
    if fn is None:
        return ""
    indexed = {node.value.id for node in ast.walk(statement) if isinstance(node, ast.Subscript)
               and isinstance(node.value, ast.Name)}
    read = {node.value.id for node in ast.walk(statement) if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name) and node.attr == missing.group(2)} if missing else indexed
    for stmt in (s for block in statement_blocks(fn) for s in block):
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], (ast.Tuple, ast.List))
                and isinstance(stmt.value, ast.Name) and stmt.value.id in arguments):
            continue
        names = [ast.unparse(element) for element in stmt.targets[0].elts]
        value = arguments[stmt.value.id]
        if not isinstance(value, (tuple, list)) or len(value) != len(names):
            continue
        for place, name in enumerate(names):
            if name not in read or not _fits_another(value, place, missing):
                continue
            held = "; ".join(f"its {ordinal(k + 1)} is {kind_words(item)}" for k, item in enumerate(value))
            written = as_written(stmt, source)
            return (f"`{name}` is the {ordinal(place + 1)} name of line {stmt.lineno + first_line - 1}, `{written}`, "
                    f"which takes the argument `{stmt.value.id}` apart: {held}. Check that the names there are in "
                    f"the order of its values.")
    return ""


#: The most of the notebook's other functions ``given_layout_hint`` reads for the tuple a student made (a real
#: notebook has about ten functions; each is parsed, at most 100 kB).
_MOST_MAKERS = 20


def given_layout_hint(error_type: str, message: str, line: str, *, function: str, arguments: Mapping[str, Any],
                      functions: Mapping[str, str]) -> str:
    """For an unpacking of one of the function's arguments into another number of names than it holds
    (``(a_next, a_prev, xt, parameters, z) = cache``, a cache of 4): what the grader gave, the values
    the assignment's forward pass stores, and the student's own function that makes a tuple of that
    name with as many values as the line names (their forward pass, whose cache the backward pass was
    written for). Thirty-sixth session: told "give one name to each value, in its order", although the
    student's own cache held that many. ``functions``: the notebook's functions' sources by name. ""
    otherwise."""
    if error_type != "ValueError" or not _UNPACKED.search(message):
        return ""
    statement = line_statement(line)
    if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
            and isinstance(statement.targets[0], (ast.Tuple, ast.List))):
        return ""
    count, value = len(statement.targets[0].elts), statement.value
    if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name) and value.value.id in arguments \
            and isinstance(value.slice, ast.Constant) and type(value.slice.value) is int:
        # `caches[0]` where `caches` is still the argument, `(caches, x)`: a list of the steps' caches.
        whole, index = arguments[value.value.id], value.slice.value
        item = whole[index] if isinstance(whole, (tuple, list)) and -len(whole) <= index < len(whole) else None
        steps = item if isinstance(item, list) else ()
        if steps and _taken_apart(functions.get(function, ""), value.value.id, line):
            # ``(caches, x) = caches`` above: the name holds the steps' list now, and the line one step's cache.
            return _step_layout(statement, line, steps[index] if -len(steps) <= index < len(steps) else None,
                                count=count, function=function, functions=functions)
        if not steps or not all(isinstance(step, tuple) and len(step) == count for step in steps[:50]):
            return ""
        return (f"`{in_line(value, line)}` is a list of {len(steps)} tuples of {count} values (one a step), and "
                f"`{in_line(statement, line)}` takes that list apart as if it were one: `{value.value.id}` is given as "
                f"the assignment "
                f"asks for it, {listed([kind_words(v) for v in whole][:5])}. Take `{value.value.id}` apart first, "
                f"then read a step's {count} values from the list.")
    if not (isinstance(value, ast.Name) and value.id in arguments):
        return ""
    name = value.id
    value = arguments[name]
    if not isinstance(value, (tuple, list)) or len(value) == count or len(value) > 20:
        return ""
    held = "; ".join(f"its {ordinal(k + 1)} is {kind_words(item)}" for k, item in enumerate(value))
    said = (f"`{name}` is given as the assignment asks for it: {len(value)} values ({held}), where "
            f"`{in_line(statement, line)}` names {count}.")
    # Blanks of the line only ([^\S\n]: the same functions found): ^\s* ran from every line start to
    # the end of a run of blank lines, 60,000 of them 2.6 s a function (thirty-seventh session). Each
    # run of blanks is tried once; no possessive quantifier, which Python 3.10 (the kit's) lacks.
    made = re.compile(rf"^[^\S\n]*{re.escape(name)}\s*=", re.MULTILINE)
    for other, text in itertools.islice(functions.items(), _MOST_MAKERS):
        if other == function or not made.search(text):
            continue
        fn = function_tree(text)
        tuples = [node.value for node in walked(fn)
                  if isinstance(node, ast.Assign) and len(node.targets) == 1
                  and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name
                  and isinstance(node.value, (ast.Tuple, ast.List)) and len(node.value.elts) == count] \
            if fn is not None else []
        if tuples:
            return (f"{said} Your `{other}` stores {count} in `{name}` (`{name} = {as_written(tuples[0], text)}`), "
                    f"but `{function}` is graded on its own, given the {len(value)} the assignment lists: store "
                    f"those in `{other}`, in their order, and take them apart here in that order.")
    return f"{said} Give one name to each of its values, in their order."


def _taken_apart(source: str, name: str, line: str) -> bool:
    """Whether the function ``source``, above its first ``line``, gives ``name`` one of the values it
    takes ``name`` apart into (``(caches, x) = caches``), read bounded."""
    fn = function_tree(source) if source else None
    at = next((k + 1 for k, text in enumerate(source_lines(source)) if text.strip() == line.strip()), 0) \
        if fn is not None else 0
    for count, node in enumerate(ast.walk(fn) if at else ()):
        if count >= MOST_STATE_NODES:
            break
        if (isinstance(node, ast.Assign) and node.lineno < at and len(node.targets) == 1
                and isinstance(node.targets[0], (ast.Tuple, ast.List)) and isinstance(node.value, ast.Name)
                and node.value.id == name and any(isinstance(e, ast.Name) and e.id == name for e in node.targets[0].elts)):
            return True
    return False


def _step_layout(statement: ast.Assign, line: str, step: Any, *, count: int, function: str,
                 functions: Mapping[str, str]) -> str:
    """For one step's cache (``step``) taken apart into ``count`` names, another number than it holds
    (``(a1, c1, a0, c0, f1, i1, cc1, o1, x1, parameters) = caches[0]`` in ``rnn_backward``, an LSTM's
    cache of ten where the RNN's holds four): what the step holds, and the notebook's function that
    stores that many, or ``count``, in a ``cache``. Thirty-seventh session: told "give one name to each
    value" alone. "" when the step is not a tuple, or holds ``count``."""
    if not isinstance(step, tuple) or len(step) == count or len(step) > 20:
        return ""
    held = "; ".join(f"its {ordinal(k + 1)} is {kind_words(item)}" for k, item in enumerate(step))
    said = (f"`{in_line(statement.value, line)}` is one step's cache as the assignment gives it: {len(step)} values "
            f"({held}), where `{in_line(statement, line)}` names {count}.")
    makers = _cache_makers(functions, (count, len(step)), but=function)
    if count in makers and len(step) in makers:
        (big, big_text), (small, small_text) = makers[count], makers[len(step)]
        return (f"{said} Your `{big}` stores {count} (`{big_text}`), and your `{small}` the {len(step)} of the caches "
                f"given here (`{small_text}`): name those {len(step)}, in their order.")
    return f"{said} Give one name to each of its values, in their order."


def _cache_makers(functions: Mapping[str, str], sizes: Sequence[int], *, but: str) -> dict[int, tuple[str, str]]:
    """For each of ``sizes``, ``(function, "cache = (...)")``: the first of the notebook's ``functions``
    (not ``but``) that stores a tuple of that many values in a name holding "cache", as written. One
    pass over at most ``_MOST_MAKERS`` functions, each read bounded (two passes parsed them twice:
    the parses' memo holds fewer than twenty functions of 30,000 characters)."""
    found: dict[int, tuple[str, str]] = {}
    for other, text in itertools.islice(functions.items(), _MOST_MAKERS):
        if other == but or "cache" not in text:
            continue
        fn = function_tree(text)
        for count, node in enumerate(ast.walk(fn) if fn is not None else ()):
            if count >= MOST_STATE_NODES or len(found) == len(set(sizes)):
                break
            if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                    and "cache" in node.targets[0].id and isinstance(node.value, (ast.Tuple, ast.List))
                    and len(node.value.elts) in sizes and len(node.value.elts) not in found):
                found[len(node.value.elts)] = (other, as_written(node, text))
    return found


def _fits_another(values: Sequence[Any], place: int, missing: re.Match | None) -> bool:
    """Whether another of ``values`` is what the line needed where the one at ``place`` failed:
    one with the attribute ``missing`` names, the value at ``place`` being of the type it names;
    for an unpacking of the value's items (``missing`` None), a list or tuple where it is an array."""
    mine, others = values[place], [v for k, v in enumerate(values) if k != place]
    if missing is not None:
        return type(mine).__name__ == missing.group(1) and any(hasattr(v, missing.group(2)) for v in others)
    return hasattr(mine, "shape") and any(isinstance(v, (list, tuple)) for v in others)


def square_product_hint(error_type: str, message: str, line: str, *, source: str, first_line: int = 1,
                        at: int | None = None) -> str:
    """For NumPy's "not aligned" on the student's ``line`` whose one matrix product reads a name of a
    square shape (NumPy's) that a line above gives the value of a matrix product (``dtanh =
    np.dot(1 - a_next ** 2, da_next.T)``, then ``np.dot(dtanh, xt.T)``): that line, which made the
    square array, where ``*`` keeps its arrays' shape. Thirty-eighth session: told only to check the
    order and the transpose of the line that raised. ``at``: the number of ``line`` (counted as
    ``first_line`` counts), whose nearest such line above it is named (else the function's last). ""."""
    shapes = _NOT_ALIGNED_SHAPES.search(message) if error_type == "ValueError" else None
    pairs = _products(line) if shapes is not None else []
    if len(pairs) != 1:
        return ""
    fn = function_tree(source)
    for side, shape in zip(pairs[0], (_shape(shapes.group(1)), _shape(shapes.group(2)))):
        if not (isinstance(side, ast.Name) and len(shape) == 2 and shape[0] == shape[1] > 1) or fn is None \
                or re.match(r"d?W", side.id):  # a weight and its gradient may be square products
            continue
        made = [stmt for stmt in stores_of(fn, side.id) if isinstance(stmt, ast.Assign)
                and (stmt.value.func.attr if isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Attribute)
                     else "@" if isinstance(stmt.value, ast.BinOp) and isinstance(stmt.value.op, ast.MatMult) else "")
                in ("dot", "matmul", "@") and (at is None or stmt.lineno + first_line - 1 < at)]
        if made:
            stmt = made[-1]
            return (f"`{side.id}` is square, {shape}, because line {stmt.lineno + first_line - 1} makes it with a "
                    f"matrix product (`{as_written(stmt, source)}`): to multiply two arrays of one shape element by "
                    f"element, keeping that shape, write `*`.")
    return ""


def other_key_hint(error_type: str, message: str, line: str, *, source: str, first_line: int = 1) -> str:
    """For NumPy's broadcast error on the student's ``line`` that reads a name the function (``source``)
    sets from a dict's key of another name (``da_prevt = gradients["dxt"]``, then ``da[:, :, t] +
    da_prevt``: (5, 10) and (3, 10)): that line and key, whose value has another shape than the
    name's. "" otherwise (thirty-fourth session: "check which of the two is not the array you meant"
    alone)."""
    if error_type != "ValueError" or "could not be broadcast" not in message:
        return ""
    statement = line_statement(line)
    fn = function_tree(source) if statement is not None else None
    if fn is None:
        return ""
    read = names_in(statement, ast.Load)
    for block in statement_blocks(fn):
        for stmt in block[:MOST_LOOP_STATEMENTS]:
            if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
                continue
            target = stmt.targets[0]
            targets = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
            values = (stmt.value.elts if isinstance(stmt.value, (ast.Tuple, ast.List))
                      and len(stmt.value.elts) == len(targets) else [stmt.value] if len(targets) == 1 else [])
            for name, value in zip(targets, values):
                if not (isinstance(name, ast.Name) and name.id in read and isinstance(value, ast.Subscript)
                        and isinstance(value.slice, ast.Constant) and isinstance(value.slice.value, str)):
                    continue
                key = value.slice.value
                if name.id.startswith(key) or key.startswith(name.id):
                    continue
                return (f"`{name.id}` gets its value on line {stmt.lineno + first_line - 1} from "
                        f"`{as_written(value, source)}`: check that `\"{key}\"` is the key of the value `{name.id}` "
                        f"stands for.")
    return ""


#: NumPy's functions that make its old matrix type (``np.mat`` is gone from NumPy 2).
_MATRIX_MAKERS = frozenset({"matrix", "mat", "asmatrix", "bmat"})
#: A call of one of them, as a source may write it (a cheap look before a parse).
_MATRIX_CALL = re.compile(r"\b(?:np|numpy)\s*\.\s*(?:matrix|mat|asmatrix|bmat)\s*\(")


def matrix_hint(error_type: str, message: str, *, source: str, first_line: int = 1, refused_by: str = "") -> str:
    """For an error of NumPy's old matrix type: ``np.mat`` gone from NumPy 2 (whose message says to use
    ``np.asmatrix``), or an ``np.matrix`` refused further on ("matrix.max() got an unexpected keyword
    argument 'keepdims'" in the course's ``softmax``), in a function ``source`` that makes one: the
    call and its line, the function that refused the matrix (``refused_by``, where the error was
    raised, or the course's ``softmax`` when ``np.mat`` is gone), that the course's functions take arrays, that ``*`` is a matrix's matrix
    product but an array's element-wise one, and the product to write instead. "" otherwise.
    Code written for NumPy 1 (``np.mat(Waa) * np.mat(a_prev)``) scored 0 under NumPy 2 with NumPy's
    advice only, which led to the second error (thirty-fifth session); the grade stays."""
    removed = error_type == "AttributeError" and re.search(r"`(?:np|numpy)\.mat` was removed", message)
    if not (removed or "matrix" in message) or not _MATRIX_CALL.search(source):
        return ""
    fn = function_tree(source)
    made, product = None, None
    for count, node in enumerate(ast.walk(fn) if fn is not None else ()):
        if count >= MOST_STATE_NODES:
            break
        if made is None and _matrix_call(node):
            made = node
        if product is None and isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and (
                _matrix_call(node.left) or _matrix_call(node.right)):
            product = node
    if made is None:
        return ""
    call, line = as_written(made, source), made.lineno + first_line - 1
    if removed:
        said = (f"`{call}` (line {line}) made an `np.matrix`, NumPy's old matrix type, under NumPy 1; NumPy 2 has no "
                f"`np.mat`, and the matrix its `np.asmatrix` makes is refused by the course's `softmax`. ")
    else:
        refuser = f"`{refused_by}`" if refused_by else "the code it is given to"
        said = (f"`{call}` (line {line}) makes an `np.matrix`, NumPy's old matrix type, which {refuser} refuses "
                f"under NumPy 2: the course's functions take arrays. ")
    if product is not None:
        left, right = (as_written(side.args[0] if _matrix_call(side) and side.args else side, source)
                       for side in (product.left, product.right))
        return (said + f"For a matrix `*` is the matrix product, for arrays it multiplies element by element: keep "
                f"the arrays and write `{as_written(product, source)}` as `np.dot({left}, {right})`.")
    return (said + "For a matrix `*` is the matrix product, for arrays it multiplies element by element: keep the "
            "arrays, and write each matrix product with `np.dot` (or `@`).")


def _matrix_call(node: ast.AST) -> bool:
    """Whether ``node`` is a call of ``np.matrix``, ``np.mat``, ``np.asmatrix`` or ``np.bmat``."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _MATRIX_MAKERS
            and isinstance(node.func.value, ast.Name) and node.func.value.id in NUMPY_NAMES)
