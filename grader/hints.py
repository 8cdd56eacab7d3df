"""Sentences that point a student at the fix of an error NumPy or Python words alone.

Pure functions: an error's message and the student's line (as the runner quotes it) in, one
sentence out, or "" when no rule fits. The runner adds the sentence after the error; it quotes
only what the line says, parsed on its own (a line inside a longer statement gives nothing).
Thirty-first session: the backward pass and the LSTM, where the forward functions' rules said
"check the order and the transpose" of products meant element by element.
"""
from __future__ import annotations

import ast
import difflib
import re
from typing import Any, Sequence

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
#: The list methods that change the list and return None.
_IN_PLACE = frozenset({"append", "extend", "insert", "sort", "reverse"})


def _shape(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text))


def shape_text(text: str) -> str:
    """NumPy's ``"(5,10)"`` as Python writes the shape, ``"(5, 10)"``."""
    return str(_shape(text))


def _statement(line: str) -> ast.stmt | None:
    """The one statement ``line`` holds, parsed on its own; None otherwise."""
    try:
        tree = ast.parse(line.strip())
    except (SyntaxError, ValueError):
        return None
    return tree.body[0] if len(tree.body) == 1 else None


def _array_operations(line: str, ops: tuple[type, ...]) -> list[ast.BinOp]:
    """The binary operations of ``ops`` on ``line`` neither side of which is a number (``1 - a``
    and ``a ** 2`` cannot fail to broadcast): the ones NumPy's two shapes can be about."""
    statement = _statement(line)
    if statement is None:
        return []
    return [node for node in ast.walk(statement) if isinstance(node, ast.BinOp) and isinstance(node.op, ops)
            and not any(_is_number(side) for side in (node.left, node.right))]


def _times(left: str, right: str) -> str:
    """``left * right`` for two expressions of the student's line, parenthesised as Python needs."""
    return ast.unparse(ast.BinOp(left=ast.parse(left, mode="eval").body, op=ast.Mult(),
                                 right=ast.parse(right, mode="eval").body))


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
    sides = [ast.unparse(operations[0].left), ast.unparse(operations[0].right)]
    flipped = [side for side in sides if side.endswith(".T")]
    if len(flipped) != 1:
        return ""
    return (f"`{sides[0]}` has shape {first} and `{sides[1]}` has shape {second}: an element-by-element "
            f"operation needs arrays of one shape, and `{flipped[0]}` is transposed: leave out its `.T`.")


def named_sides_hint(message: str, line: str) -> str:
    """For NumPy's "operands could not be broadcast together with shapes (3,10) (5,10)" on a line
    with one operation between two arrays: which side has which shape, in the student's words
    (the message names neither), and where a wrong shape comes from. "" otherwise."""
    found = _TWO_SHAPES.search(message)
    operations = _array_operations(line, (ast.Mult, ast.Add, ast.Sub, ast.Div)) if found else []
    if len(operations) != 1:
        return ""
    left, right = ast.unparse(operations[0].left), ast.unparse(operations[0].right)
    first, second = (_shape(group) for group in found.groups())
    return (f"`{left}` has shape {first} and `{right}` has shape {second}: an element-by-element "
            f"operation needs arrays of one shape. Check which of the two is not the array you meant: how "
            f"it was created (its `np.zeros` sizes), unpacked (the order of a cache's names) or indexed.")


def output_operand_hint(message: str, line: str) -> str:
    """For an in-place operator whose result is bigger than its target (``dba += dbat`` with dba
    made ``np.zeros((n_a,))``: NumPy's "non-broadcastable output operand with shape (5,) doesn't
    match the broadcast shape (5,5)"): both shapes, and the target's creation to check. ""."""
    found = _OUTPUT_OPERAND.search(message)
    statement = _statement(line) if found else None
    if not isinstance(statement, ast.AugAssign):
        return ""
    target, value = ast.unparse(statement.target), ast.unparse(statement.value)
    room, result = (_shape(group) for group in found.groups())
    return (f"`{target}` has shape {room}, and with `{value}` the result would have shape {result}: "
            f"`{ast.unparse(statement)}` cannot store it in `{target}`. Check the sizes `{target}` was "
            f"created with (those of the gradients added to it).")


def none_from_list_method_hint(error_type: str, message: str, source: str) -> str:
    """For "'NoneType' object has no attribute 'append'" where the function assigned a list
    method's result to the list (``caches = caches.append(cache)``): the method returns None and
    changes the list itself. ``source``: the function's text. "" otherwise."""
    found = re.search(r"'NoneType' object has no attribute '(\w+)'", message) if error_type == "AttributeError" \
        else None
    if found is None or found.group(1) not in _IN_PLACE:
        return ""
    for raw in source.splitlines():
        statement = _statement(raw)
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
            continue
        target, call = statement.targets[0], statement.value
        if isinstance(target, ast.Name) and isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
                and call.func.attr in _IN_PLACE and isinstance(call.func.value, ast.Name) \
                and call.func.value.id == target.id:
            written = ast.unparse(statement)
            return (f"`{written}` sets `{target.id}` to None: a list's `{call.func.attr}` changes the list "
                    f"itself and returns None. Write `{ast.unparse(call)}` alone.")
    return ""


def list_index_hint(error_type: str, message: str, line: str) -> str:
    """For Python's "list index out of range" (no numbers given) on a line that indexes one list
    with a computed index (``caches[T_x - t]``): the indices a list has and the index to check. ""."""
    if error_type != "IndexError" or "list index out of range" not in message:
        return ""
    statement = _statement(line)
    computed = [node for node in ast.walk(statement) if isinstance(node, ast.Subscript)
                and not isinstance(node.slice, (ast.Slice, ast.Tuple, ast.Constant))] if statement else []
    if len(computed) != 1:
        return ""
    name, index = ast.unparse(computed[0].value), ast.unparse(computed[0].slice)
    return (f"`{name}[{index}]` asks for an entry `{name}` does not have: a list of n entries has indices 0 "
            f"to n - 1 (or -n to -1). Check the values `{index}` takes over your loop (at its first and last "
            f"step).")


def step_arguments(dep: str) -> str:
    """What a composite gives its per-step function ``dep`` at each time step, in the words of
    the assignment: a backward step a gradient and a cache, a forward step a slice of the input
    and the state carried over (the LSTM's memory too)."""
    if dep.endswith("_backward"):
        return "that step's gradient with the one carried over, and that step's cache"
    carried = "the previous hidden state and memory" if "lstm" in dep else "the previous hidden state"
    return f"{carried}, the slice of the input"


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
    statement = _statement(line) if found else None
    if statement is None:
        return ""
    products = [(node.args[0], node.args[1]) for node in ast.walk(statement)
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("dot", "matmul")
                and isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "numpy") and len(node.args) == 2]
    products += [(node.left, node.right) for node in ast.walk(statement)
                 if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult)]
    operations = _array_operations(line, (ast.Mult, ast.Add, ast.Sub, ast.Div))
    if len(products) != 1 or len(operations) < 2:
        return ""
    left, right = (ast.unparse(side) for side in products[0])
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


def too_many_indices_hint(error_type: str, message: str, line: str) -> str:
    """For NumPy's "too many indices for array: array is 2-dimensional, but 3 were indexed" on a
    line with one subscript of that many indices (``dx[:, :, t] = dxt`` where dx was made
    ``np.zeros((n_x, m))``): the array's axes against the index's, and its creation to check. ""."""
    found = re.search(r"array is (\d+)-dimensional, but (\d+) were indexed", message) \
        if error_type == "IndexError" else None
    statement = _statement(line) if found else None
    if statement is None:
        return ""
    axes, indexed = (int(group) for group in found.groups())
    subscripts = [node for node in ast.walk(statement) if isinstance(node, ast.Subscript)
                  and isinstance(node.slice, ast.Tuple) and len(node.slice.elts) == indexed]
    if len(subscripts) != 1:
        return ""
    name = ast.unparse(subscripts[0].value)
    return (f"`{name}` has {axes} axes here, and `{ast.unparse(subscripts[0])}` indexes {indexed}: check the "
            f"sizes `{name}` was created with (one for each axis).")


_PYTHON_KINDS = {"tuple": "a tuple", "list": "a list", "dict": "a dict", "NoneType": "None", "int": "an int",
                 "float": "a float", "str": "a string"}


def attribute_hint(error_type: str, message: str, line: str) -> str:
    """For "'tuple' object has no attribute 'shape'" (``n_x, m = x1.shape`` where ``x1`` came from
    unpacking the list of caches, not one cache) on a line that reads that attribute of one thing:
    what that thing is, and where to look. "" otherwise (a list's method assigned to the list has
    its own sentence, ``none_from_list_method_hint``)."""
    found = re.search(r"'(\w+)' object has no attribute '(\w+)'", message) if error_type == "AttributeError" \
        else None
    if found is None or found.group(1) not in _PYTHON_KINDS:
        return ""
    kind, attribute = found.groups()
    if kind == "NoneType" and attribute in _IN_PLACE:
        return ""
    statement = _statement(line)
    reads = {ast.unparse(node.value) for node in ast.walk(statement) if isinstance(node, ast.Attribute)
             and node.attr == attribute} if statement is not None else set()
    if len(reads) != 1:
        return ""
    (name,) = reads
    return (f"`{name}` is {_PYTHON_KINDS[kind]} here, where `.{attribute}` needs a NumPy array: check the line that "
            f"gives `{name}` its value (what was unpacked or indexed into it).")
