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
element by element.
"""
from __future__ import annotations

import ast
import bisect
import difflib
import re
from typing import Any, Callable, Collection, Mapping, NamedTuple, Sequence

from grader.astnodes import nodes
from grader.notebook import SourceMemo

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


def _statement(line: str) -> ast.stmt | None:
    """The one statement ``line`` holds, parsed on its own (``_parsed_line``); None otherwise."""
    tree = _parsed_line(line)
    return tree.body[0] if tree is not None and len(tree.body) == 1 else None


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


def first_cache_hint(error_type: str, message: str, line: str) -> str:
    """For an IndexError on a line that unpacks ``caches[1]`` (``(a1, a0, x1, parameters) =
    caches[1]``, after the template's "Retrieve values from the first cache (t=1)"): that is the
    second cache. Said of the line alone, so a hidden case may show it. ""."""
    if error_type != "IndexError" or "[1]" not in line:
        return ""
    statement = _statement(line)
    if not (isinstance(statement, ast.Assign) and isinstance(statement.targets[0], (ast.Tuple, ast.List))
            and isinstance(statement.value, ast.Subscript) and isinstance(statement.value.value, ast.Name)
            and "cache" in statement.value.value.id and isinstance(statement.value.slice, ast.Constant)
            and statement.value.slice.value == 1):
        return ""
    name = statement.value.value.id
    return (f"`{name}[1]` is the second cache: a list counts from 0, so the first cache (the template's t=1, "
            f"the first time step) is `{name}[0]`.")


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
    products = _products(line)
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
    statement = _statement(line) if found else None
    if statement is None:
        return ""
    axes, indexed = (int(group) for group in found.groups())
    subscripts = [node for node in ast.walk(statement) if isinstance(node, ast.Subscript)
                  and isinstance(node.slice, ast.Tuple) and len(node.slice.elts) == indexed]
    if len(subscripts) != 1:
        return ""
    name = ast.unparse(subscripts[0].value)
    said = f"`{name}` has {axes} axes here, and `{ast.unparse(subscripts[0])}` indexes {indexed}"
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
    fn = _function_tree(source) if name.isidentifier() else None
    if fn is None:
        return None
    sets = sorted(((node, value) for node in ast.walk(fn) if isinstance(node, ast.Assign)
                   for _target, value in _targets_named(node, name)), key=lambda pair: pair[0].lineno)
    lines = [node.lineno for node, _value in sets]
    # Each loop finds its sets by bisection: a list of them a loop was quadratic (3,000 sets of
    # the name beside 3,000 loops: 2.8 s of a worker's CPU for one hint; the lead's review).
    for loop, _after in _loops(fn):
        before = bisect.bisect_left(lines, loop.lineno)  # sets[:before] come before the loop
        inside = bisect.bisect_right(lines, loop.lineno)
        if not before or inside >= len(sets) or lines[inside] > (loop.end_lineno or loop.lineno):
            continue
        if any(isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == name
               and isinstance(node.slice, ast.Tuple) and len(node.slice.elts) == indexed for node in ast.walk(loop)):
            return tuple((node.lineno, _written(value, source) if value is not None else "")
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


_PYTHON_KINDS = {"tuple": "a tuple", "list": "a list", "dict": "a dict", "NoneType": "None", "int": "an int",
                 "float": "a float", "str": "a string"}


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
    statement = _statement(line) if found else None
    fn = _function_tree(source) if statement is not None else None
    if fn is None:
        return ""
    own = {arg.arg for arg in ast.walk(fn.args) if isinstance(arg, ast.arg)}
    called = [node.func.id for node in ast.walk(statement)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id not in own]
    for name in list(dict.fromkeys(called))[:MOST_CALLED_LOOKED_UP]:
        where = "" if _stored_at(fn, name) else assigned_at(name)
        if where:
            kind = _PYTHON_KINDS.get(found.group(1), f"a {found.group(1)}")
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
                name == "stack" for _call, name in _numpy_calls(line)):
            # ``np.stack((a_prev, xt))``: a new axis, where the LSTM's concat joins along axis 0.
            over = _put_over(line)
            return ("`np.stack` puts the arrays on a new axis, which needs them of one shape"
                    + (f"; {over}." if over else ": `np.concatenate` joins them along an axis they have."))
        return (transposed_side_hint(message, line) or flat_vector_hint(message) or product_beside_hint(message, line)
                or _elementwise_hint(message, line)
                or named_sides_hint(message, line) or output_operand_hint(message, line))
    if "indices must be integers or slices, not tuple" in message:
        return _index_hint(line)
    calls = _numpy_calls(line)
    for call, name in calls:
        if name in _JOINERS and _joined_as_arguments(call):
            arrays = ", ".join(ast.unparse(arg) for arg in call.args[:2]) if len(call.args) >= 2 else "a_prev, xt"
            fixed = "np.concatenate" if name in ("concat", "concatenate") else f"np.{name}"
            axis = ", axis=0" if fixed == "np.concatenate" else ""
            return (f"`np.{name}` takes the arrays to join in one tuple (or list): its second argument is the "
                    f"axis, not another array. Write `{fixed}(({arrays}){axis})`.")
        if name in _MAKERS and len(call.args) >= 2 and "data type" in message \
                and not isinstance(call.args[0], (ast.Tuple, ast.List)):
            shape = ", ".join(ast.unparse(arg) for arg in call.args)
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
        same = f"`{ast.unparse(left)}` and `{ast.unparse(right)}` have the same shape {shape}"
        target = _assigned_name(line)
        if target.startswith("dW"):
            # A weight's gradient is the product of a gradient and an input's transpose (dWaa =
            # dtanh @ a_prev.T, both (n_a, m)): element by element would be the wrong fix there.
            return (f"{same}: `{target}`, a weight's gradient, is the matrix product of the gradient and "
                    f"the transpose of the input, as in `np.dot({ast.unparse(left)}, {ast.unparse(right)}.T)`.")
        written = ast.unparse(ast.BinOp(left=left, op=ast.Mult(), right=right))  # parenthesised as needed
        return f"{same}: " + rule.format(f", `{written}`")
    rule = "In a matrix product the number of columns of the first array must equal the number of rows of the second"
    if len(pairs) != 1:
        # NumPy's shapes, when it gives them: a wrong array reaching the line (``a_prev`` reshaped to
        # (50, 1) for one example above it) shows there, which no order or transpose fixes.
        shown = (f" Here the two arrays have shapes {shape_text(shapes.group(1))} and {shape_text(shapes.group(2))}."
                 if shapes is not None else "")
        return (f"{rule}: check the order of the two (`np.dot(Waa, a_prev)`, not `np.dot(a_prev, Waa)`) "
                f"and whether one of them needs its transpose (`.T`).{shown}")
    left, right = (ast.unparse(side) for side in pairs[0])
    if left in _GATE_WEIGHTS and right in ("xt", "a_prev"):
        # The LSTM's gate weights are (n_a, n_a + n_x): told to reorder or transpose, a student who
        # multiplied one by ``xt`` (twenty-ninth session's generated class; real notebooks too)
        # was sent away from the fix, which is the stacked input.
        return (f"{rule}. `{left}` has a column for each row of `a_prev` stacked over `xt` (n_a + n_x "
                f"columns): multiply it by that stacked array, `concat = np.concatenate((a_prev, xt), "
                f"axis=0)`, as in `np.dot({left}, concat)`, not by `{right}` alone.")
    matmul = matmul_hint(message, left=left, right=right, target=_assigned_name(line))
    if matmul:  # NumPy's matmul names no shapes: its two sizes, and the fix the line's words point at
        return matmul
    # NumPy's shapes, when it gives them: a right line fed a wrong array (dtanh of (10, 10) made on the
    # line above) shows there, which the order and the transpose do not fix.
    sides = (f" Here `{left}` has shape {shape_text(shapes.group(1))} and `{right}` has shape "
             f"{shape_text(shapes.group(2))}.") if shapes is not None else ""
    return (f"{rule}: check the order of `{left}` and `{right}` and whether one of them needs its "
            f"transpose (`.T`).{sides}")


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
    statement = _statement(line)
    added = _BROADCAST3.search(outcome.message or "")
    if isinstance(statement, ast.AugAssign) and added is not None and added.group(1) == added.group(3):
        # ``dWax += dWaxt`` into a dWax made (n_x, n_a): NumPy names three shapes, the first the target's.
        target, value = ast.unparse(statement.target), ast.unparse(statement.value)
        have, room = (_shape(added.group(k)) for k in (2, 1))
        said = (f"`{target}` has shape {room} and `{value}` has shape {have}: `{ast.unparse(statement)}` cannot "
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
        value = ast.unparse(statement.value)
        have, room = (_shape(group) for group in stored.groups())
        array = ast.unparse(target.value)
        return (f"`{ast.unparse(target)}` has room for an array of shape {room}, and `{value}` has shape "
                f"{have}: check the sizes `{array}` was created with, the index, and that `{value}` is the "
                f"value that belongs there.")
    unpacked = _UNPACKED.search(message)
    if unpacked is not None and isinstance(target, (ast.Tuple, ast.List)):
        value = ast.unparse(statement.value)
        names = ast.unparse(target).strip("()[]")
        more = "more" if unpacked.group(1) == "too many" else "fewer"
        call = statement.value if isinstance(statement.value, ast.Call) else None
        holds = f"`{ast.unparse(call.func)}` returns" if call is not None else f"`{value}` holds"
        return (f"The left side names {len(target.elts)} values (`{names}`) and {holds} {more}: give one "
                f"name to each value, in its order.")
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
    statement = _statement(line.strip())
    if statement is None:
        return None
    fn = _function_tree(source) if source else None
    stepped = {name for loop, _after in (_loops(fn) if fn is not None else ()) for name in _names(loop, ast.Store)}
    found = []
    for node in ast.walk(statement):
        if isinstance(node, ast.Subscript):
            parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if len(parts) > axis and isinstance(parts[axis], ast.Name) and parts[axis].id not in stepped:
                found.append((ast.unparse(node), parts[axis].id))
    return found[0] if len(found) == 1 else None


def _assigned_name(line: str) -> str:
    """The name ``line`` assigns to when it parses on its own as ``name = ...`` (or ``+=``); ""."""
    statement = _statement(line)
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
    joined = [call.args[0].elts for call, name in _numpy_calls(line) if name in _JOINERS and call.args
              and isinstance(call.args[0], (ast.Tuple, ast.List)) and len(call.args[0].elts) == 2]
    if len(joined) != 1:
        return ""
    first, second = (ast.unparse(node) for node in joined[0])
    return f"to put `{first}` over `{second}`, write `np.concatenate(({first}, {second}), axis=0)`"



def _products(line: str) -> list[tuple[ast.expr, ast.expr]]:
    """The two arrays of each matrix product on ``line`` (parsed on its own): ``np.dot(a, b)``,
    ``np.matmul(a, b)`` (``numpy.`` too), then ``a @ b``."""
    pairs = [(call.args[0], call.args[1]) for call, name in _numpy_calls(line)
             if name in ("dot", "matmul") and len(call.args) == 2]
    tree = _parsed_line(line) if "@" in line else None
    pairs += [(node.left, node.right) for node in ast.walk(tree)
              if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult)] if tree is not None else []
    return pairs

def _numpy_calls(line: str) -> tuple[tuple[ast.Call, str], ...]:
    """``(call, name)`` for each ``np.name(...)`` / ``numpy.name(...)`` call on ``line``, the line
    parsed on its own (a line inside a longer statement gives none). Shared between the rules of a
    case and the cases of a function (``_NUMPY_CALLS``): read-only."""
    return _NUMPY_CALLS(line.strip()) if "np." in line or "numpy." in line else ()


def _find_numpy_calls(text: str) -> tuple[tuple[ast.Call, str], ...]:
    """:func:`_numpy_calls` worked out: a walk of the line's tree (a line of 2,200 terms, walked
    again for each of 24 cases, cost a worker 0.4 s until the lead's merge of the thirty-third
    session)."""
    tree = _PARSED_LINES(text)
    if tree is None:
        return ()
    return tuple((node, node.func.attr) for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                 and isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "numpy"))


def _parsed_line(line: str) -> ast.Module | None:
    """The student's ``line`` parsed on its own, or None (a line inside a longer statement, a
    continuation, text that is not Python): the hints read only a line that stands alone. The
    tree is shared (``_PARSED_LINES``): no caller may change it."""
    return _PARSED_LINES(line.strip())


def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


#: The lines parsed lately: a case's error is read by a dozen rules, most of which parse its line
#: (a 30 kB line, six functions raising on one: 2.5 s of a worker for the 24 cases until the
#: thirty-third session, 0.1 s a case).
_PARSED_LINES = SourceMemo(_parse, max_entries=16, max_chars=200_000, max_key_chars=100_000,
                           keep_at_first_sight=True)
_NUMPY_CALLS = SourceMemo(_find_numpy_calls, max_entries=16, max_chars=200_000, max_key_chars=100_000,
                          keep_at_first_sight=True)


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
    tree = _parsed_line(line)
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Tuple):
            name = ast.unparse(node.value)
            break
    return (f"A Python list or tuple takes one index at a time: write `{name}[i][j]`, not `{name}[i, j]` "
            f"(the comma form is for NumPy arrays).")


# ----------------------------------------------------------------- a function's loop, as written
# Mistakes that span lines (thirty-second session): the values are wrong, NumPy says nothing, and
# the largest difference or a known mistake's sentence ("add them up over time: dWax += dWaxt",
# to a student who wrote that line, inside the loop after a reset) did not show the line to move.
# Read from the function's source only after a case of it failed.

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
    fn = _function_tree(source)
    blocks = _blocks(fn) if fn is not None else []
    if not blocks or sum(map(len, blocks)) > MOST_LOOP_STATEMENTS \
            or sum(isinstance(stmt, (ast.For, ast.AsyncFor)) for block in blocks for stmt in block) > MOST_LOOPS:
        return "", ""  # a function no student writes (see MOST_LOOP_STATEMENTS)
    parsed = _Parsed.of(fn, source=source, offset=first_line - 1, blocks=blocks)
    for rule in (_return_in_loop, _reset_in_loop, _after_loop, _value_unused, _step_value_summed, _list_in_loop):
        found = rule(parsed)
        if found[0]:
            return found
    return "", ""


#: The fields of a walk over a function's names (``astnodes.nodes``): a name's, an attribute's or a
#: subscript's load-or-store marker (``ctx``) holds no name, nor does a constant.
_NO_CONTEXT = {ast.Name: (), ast.Constant: (), ast.Attribute: ("value",), ast.Subscript: ("value", "slice"),
               ast.Starred: ("value",), ast.Tuple: ("elts",), ast.List: ("elts",)}


#: The most statements (in all of its blocks) and ``for`` loops of a function the loop rules read.
#: Their work grows faster than the function (each assignment in a loop looks at the statements
#: after it, each loop at those after it): a function of 3,200 one-line loops (90 kB) cost a worker
#: hours until the thirty-third session. The largest graded function of the real corpora has 42
#: statements and one loop; a function past either bound gets no loop sentence.
MOST_LOOP_STATEMENTS = 400
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
        blocks = _blocks(fn) if blocks is None else blocks
        loops = _loops(fn, blocks)
        # The names of each loop and of what follows it (what the loop rules read), not of the lines
        # above: each statement walked once, the outermost of those that hold one another.
        distinct = {id(stmt): stmt for loop, after in loops for stmt in (loop, *after)}
        stored_at, last_read, end = [], {}, (0, -1)
        for stmt in sorted(distinct.values(), key=_span):
            if (stmt.lineno, stmt.col_offset) < end:
                continue  # inside the statement walked before it
            end = (stmt.end_lineno or stmt.lineno, stmt.end_col_offset or 0)
            for node in nodes(stmt, _NO_CONTEXT):
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
        """The names ``stmt`` reads (``_names(stmt, ast.Load)``), worked out once."""
        found = self.reads.get(id(stmt))
        if found is None:
            found = self.reads[id(stmt)] = _names(stmt, ast.Load)
        return found

    def change_of(self, stmt: ast.stmt, name: str) -> str:
        """``_changes(stmt).get(name, "")``, each statement's worked out once."""
        found = self.changes.get(id(stmt))
        if found is None:
            found = self.changes[id(stmt)] = _changes(stmt)
        return found.get(name, "")


def _span(stmt: ast.stmt) -> tuple[int, int, int, int]:
    """Where ``stmt`` starts and ends, ordered so that a statement comes before those inside it."""
    return stmt.lineno, stmt.col_offset, -(stmt.end_lineno or stmt.lineno), -(stmt.end_col_offset or 0)


def _function_tree(source: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The first def of ``source`` parsed, or None (no def; too deep for ``ast``). Shared between
    the hints a failed part asks of one function (``_FUNCTION_TREES``): read-only."""
    return _FUNCTION_TREES(source)


def _parse_function(source: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """:func:`_function_tree` worked out."""
    tree = _parse(source)
    return None if tree is None else next(
        (node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))), None)


#: The functions parsed lately: a failed part's hints (the loop rules, the unread parameter, the
#: sizes written as numbers, ...) each parsed the same function again (six 30 kB functions, each
#: parsed twice more per phase, went over a worker's CPU budget in the lead's review of the
#: thirty-third session).
_FUNCTION_TREES = SourceMemo(_parse_function, max_entries=16, max_chars=400_000, max_key_chars=200_000,
                             keep_at_first_sight=True)


def _blocks(node: ast.AST) -> list[list[ast.stmt]]:
    """Every list of statements in ``node``'s body, nested ones too, not those of a def or class."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        for block in (getattr(current, field, None) for field in ("body", "orelse", "finalbody")):
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                found.append(block)
                stack.extend(stmt for stmt in block
                             if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
        stack.extend(getattr(current, "handlers", ()))
    return found


def _loops(fn: ast.AST, blocks: list[list[ast.stmt]] | None = None) -> list[tuple[ast.For, list[ast.stmt]]]:
    """Each ``for`` loop of ``fn`` with the statements after it in its block, in source order
    (``blocks``: ``fn``'s, when known), and after those the statements that follow each ``if``,
    ``with`` or ``try`` holding that block (a loop inside an ``if`` whose sum is returned after
    the ``if``); not past an enclosing loop, whose next step comes first."""
    blocks = _blocks(fn) if blocks is None else blocks
    place = {id(stmt): (block, k) for block in blocks for k, stmt in enumerate(block)}
    holder = {id(inner): stmt for block in blocks for stmt in block
              for inner in _inner_blocks(stmt)} if len(blocks) > 1 else {}
    found = []
    for block in blocks:
        for k, stmt in enumerate(block):
            if not isinstance(stmt, (ast.For, ast.AsyncFor)):
                continue
            after, outer = block[k + 1:], holder.get(id(block))
            while isinstance(outer, _ONCE) and id(outer) in place:
                outer_block, j = place[id(outer)]
                after = after + outer_block[j + 1:]
                outer = holder.get(id(outer_block))
            found.append((stmt, after))
    return sorted(found, key=lambda pair: pair[0].lineno)


#: Statements whose blocks run at most once each time they are reached (``_loops`` looks past them).
_ONCE = (ast.If, ast.With, ast.AsyncWith, ast.Try) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())


def _inner_blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    """The blocks of statements directly inside ``stmt`` (its body, else, finally and handlers')."""
    fields = [getattr(stmt, field, None) for field in ("body", "orelse", "finalbody")]
    fields += [handler.body for handler in getattr(stmt, "handlers", ())]
    return [block for block in fields if isinstance(block, list) and block and isinstance(block[0], ast.stmt)]


def _listed(words: Sequence[str]) -> str:
    """``"a, b and c"``."""
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def _names(node: ast.AST, context: type) -> set[str]:
    return {n.id for n in nodes(node, _NO_CONTEXT) if isinstance(n, ast.Name) and isinstance(n.ctx, context)}


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
    found = {name: "assigned" for target in targets for name in _names(target, ast.Store)}
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
            if _names(stmt.value, ast.Load) & changed_in_loop:
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
            also = f"; the same for {_listed(others)}" if others else ""
            return "loop/made-in-loop", (
                f"`{_written(stmt, source)}` on line {stmt.lineno + offset} is inside the loop: `{name}` is made again "
                f"at every step, so what the earlier steps {_LOST[change]} is lost and only the last step's "
                f"remains. Create `{name}` once, before the loop{also}.")
        if carried:
            stmt = carried[0]
            name = stmt.targets[0].id
            return "loop/made-in-loop", (
                f"`{_written(stmt, source)}` on line {stmt.lineno + offset} is inside the loop: every step starts again "
                f"from `{_written(stmt.value, source)}`, so what the step before left in `{name}` is not carried on. "
                f"Set `{name}` once, before the loop.")
    return "", ""


def _after_loop(parsed: _Parsed) -> tuple[str, str]:
    """An accumulation just after a loop that reads a name the loop sets (``caches.append(cache)``,
    ``dWax += dWaxt``), or a store indexed by the loop's variable (``dx[:, :, t] = dxt``): it runs
    once, with the last step's values."""
    offset, source = parsed.offset, parsed.source
    for loop, after in parsed.loops:
        step = _names(loop.target, ast.Store)
        changed = parsed.stored_in(loop)
        inside: set[str] | None = None  # the loop's own statements, dumped once one is asked about
        for stmt in after:
            reads = parsed.reads_of(stmt)
            accumulates = isinstance(stmt, ast.AugAssign) or (
                isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
                and isinstance(stmt.value.func, ast.Attribute) and stmt.value.func.attr in ("append", "extend", "insert"))
            indexed = isinstance(stmt, ast.Assign) and any(
                isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and _names(node.slice, ast.Load) & step
                for target in stmt.targets for node in ast.walk(target))
            used = sorted(reads & changed) if accumulates else sorted(reads & step) if indexed else []
            if used and inside is None:
                inside = {ast.dump(own) for own in loop.body}
            if used and ast.dump(stmt) in inside:  # the loop's own line, written again after it
                return "loop/after-loop", (
                    f"`{_written(stmt, source)}` on line {stmt.lineno + offset}, after the loop, does once more with the "
                    f"last step's `{used[0]}` what the loop's own line does at every step: leave it out.")
            if used:
                last = f"with `{used[0]}` at its last value" if used[0] in step else f"with the last step's `{used[0]}`"
                return "loop/after-loop", (
                    f"`{_written(stmt, source)}` on line {stmt.lineno + offset} comes after the loop, so it runs once, "
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
        written = ast.unparse(value)
        if isinstance(value, ast.Compare):
            if len(value.ops) != 1 or not isinstance(value.ops[0], ast.Eq):
                continue
            left, right = ast.unparse(value.left), ast.unparse(value.comparators[0])
            return "loop/value-unused", (
                f"`{written}` on line {line} compares the two and throws the answer away: to store "
                f"`{right}` in `{left}`, write `{left} = {right}` (one `=`).")
        left = value.left
        if isinstance(value.op, ast.Add) and isinstance(left, (ast.Name, ast.Subscript, ast.Attribute)):
            fix = f"`{ast.unparse(left)} += {ast.unparse(value.right)}`"
        elif isinstance(left, (ast.Name, ast.Subscript, ast.Attribute)):
            fix = f"`{ast.unparse(left)} = {written}`"
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
        body = sorted((stmt for block in _blocks(loop) for stmt in block), key=lambda stmt: stmt.lineno)
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
                f"`{_written(stmt, parsed.source)}` on line {stmt.lineno + offset} sums `{name}`, which "
                f"`{given[name]}` gave for this step already in the shape it is used in: the sum mixes values "
                f"that belong apart. Use it as it is: `{plain}`.")
    return "", ""


def _step_source(value: ast.expr, given: Mapping[str, str]) -> str:
    """The function of the notebook whose result ``value`` is (``rnn_cell_backward(...)``, or a
    subscript of a name it gave, ``gradients["dba"]``), or ""; NumPy's calls are not such."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id not in _NUMPY_NAMES:
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
            and func.value.id in _NUMPY_NAMES and value.args and isinstance(value.args[0], ast.Name)):
        return value.args[0].id, value
    if isinstance(func, ast.Attribute) and func.attr == "sum" and isinstance(func.value, ast.Name) \
            and func.value.id not in _NUMPY_NAMES:
        return func.value.id, value
    return None


def _over_examples_kept(call: ast.Call) -> bool:
    """Does ``call`` sum over axis 1 (or -1) with ``keepdims=True``?"""
    keywords = {k.arg: k.value for k in call.keywords}
    axis = keywords.get("axis")
    if axis is None:
        positional = call.args[1:] if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) \
            and call.func.value.id in _NUMPY_NAMES else call.args
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
    told only "`caches[0]` should have 4 elements, got 16" (or "got 2")."""
    offset, source = parsed.offset, parsed.source
    lists = {target.id for block in parsed.blocks for stmt in block if isinstance(stmt, ast.Assign)
             and isinstance(stmt.value, ast.List) and not stmt.value.elts
             for target in stmt.targets if isinstance(target, ast.Name)}
    for loop, _after in parsed.loops:
        for stmt in (node for node in ast.walk(loop) if isinstance(node, (ast.AugAssign, ast.Assign))):
            line = stmt.lineno + offset
            if isinstance(stmt, ast.AugAssign):
                if (isinstance(stmt.op, ast.Add) and isinstance(stmt.target, ast.Name) and stmt.target.id in lists
                        and isinstance(stmt.value, ast.Name)):
                    name, value = stmt.target.id, stmt.value.id
                    return "loop/list-extended", (
                        f"`{_written(stmt, source)}` on line {line} adds the values `{value}` holds to the list "
                        f"`{name}` one by one, as `extend` does: write `{name}.append({value})` to add it as one "
                        f"element.")
                continue
            if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name) \
                    or not isinstance(stmt.value, ast.Tuple):
                continue
            name = stmt.targets[0].id
            if any(isinstance(element, ast.Name) and element.id == name for element in stmt.value.elts):
                return "loop/wrapped-in-loop", (
                    f"`{_written(stmt, source)}` on line {line} is inside the loop: each step wraps `{name}` in a "
                    f"new tuple, one inside the other. Make that tuple once, after the loop; in the loop, add each "
                    f"step's value to `{name}` (`{name}.append(...)`).")
    return "", ""


def _stored_at(fn: ast.AST, name: str) -> list[ast.stmt]:
    """The statements of ``fn`` (its own, in source order) that give ``name`` a value."""
    found = [stmt for block in _blocks(fn) for stmt in block
             if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.With, ast.Import,
                                  ast.ImportFrom))
             and name in (_names(stmt.target if isinstance(stmt, ast.For) else stmt, ast.Store)
                          | {(alias.asname or alias.name).split(".")[0] for alias in getattr(stmt, "names", ())
                             if isinstance(stmt, (ast.Import, ast.ImportFrom))})]
    return sorted(found, key=lambda stmt: stmt.lineno)


def _head(stmt: ast.stmt, source: str) -> str:
    """A statement's first line as the student wrote it in ``source`` (a loop's header, not its body)."""
    return _written(stmt, source).splitlines()[0].rstrip().rstrip(":")


def _written(node: ast.AST, source: str) -> str:
    """``node`` as the student wrote it in ``source`` (their quotes and brackets) when it is one
    line, else as ``ast`` writes it (a sentence quotes one line); past ``_QUOTED`` characters, its
    start and end around " ... "."""
    segment = ast.get_source_segment(source, node)
    text = segment if segment and "\n" not in segment else ast.unparse(node)
    return text if len(text) <= _QUOTED else f"{text[:_QUOTED // 2]} ... {text[-_QUOTED // 4:]}"


#: The longest piece of a student's code a loop sentence quotes whole.
_QUOTED = 160


#: The names a notebook gives NumPy.
_NUMPY_NAMES = frozenset({"np", "numpy"})


def shadowed_name_hint(error_type: str, message: str, line: str, *, source: str, first_line: int = 1,
                       elsewhere: str = "") -> str:
    """For a name the function gives a value on a line below the one that reads it
    (``UnboundLocalError: cannot access local variable 'np'`` after ``np = len(caches)`` in the
    loop: Python takes the name as the function's own on every line), and for ``np.dot`` read
    from an ``np`` that is not NumPy ("'dict' object has no attribute 'dot'": a parameter or a
    name unpacked as ``np``, or ``np = ...`` in the notebook, ``elsewhere`` naming that place):
    where the name gets its value, and to give that value another name. "" otherwise."""
    offset = first_line - 1
    if error_type == "UnboundLocalError":
        found = re.search(r"local variable '(\w+)'", message)
        fn = _function_tree(source) if found else None
        stores = _stored_at(fn, found.group(1)) if fn is not None else []
        if not stores:
            return ""
        name, stmt = found.group(1), stores[0]
        rename = (f" `{name}` is NumPy's name: give the variable of line {stmt.lineno + offset} another one."
                  if name in _NUMPY_NAMES else
                  f" Give it a value above the line that reads it, or give the variable of line "
                  f"{stmt.lineno + offset} another name if you meant the `{name}` from outside the function.")
        return (f"`{name}` is given a value in this function (line {stmt.lineno + offset}: `{_head(stmt, source)}`), so "
                f"Python takes `{name}` to be the function's own variable on all of its lines, and it has no "
                f"value yet where it is read.{rename}")
    found = re.search(r"'(\w+)' object has no attribute '(\w+)'", message) if error_type == "AttributeError" else None
    statement = _statement(line) if found else None
    reads = {node.value.id for node in ast.walk(statement) if isinstance(node, ast.Attribute)
             and node.attr == found.group(2) and isinstance(node.value, ast.Name)} if statement is not None else set()
    numpy = sorted(reads & _NUMPY_NAMES)
    fn = _function_tree(source) if numpy and found.group(1) != "module" else None
    if fn is None:
        return ""
    name, kind = numpy[0], _PYTHON_KINDS.get(found.group(1), f"a {found.group(1)}")
    stores = _stored_at(fn, name)
    if name in {arg.arg for arg in ast.walk(fn.args) if isinstance(arg, ast.arg)}:
        where = f"it is a parameter of `{fn.name}`"
    elif stores:
        where = f"line {stores[0].lineno + offset} gives it a value (`{_head(stores[0], source)}`)"
    elif elsewhere:
        where = f"{elsewhere} gives it a value"
    else:
        return ""
    return (f"`{name}` is {kind} here, not NumPy: {where}, and that hides the module. Give that value another "
            f"name (NumPy is `{name}` in every function of the notebook).")


def _kind_of(value: Any) -> str:
    """``"an array of shape (3, 10, 4)"``, ``"a list of 4"``, ``"a dict"``: what a value is, in words."""
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple):
        return f"an array of shape {shape}"
    if isinstance(value, (list, tuple)):
        return f"{_PYTHON_KINDS[type(value).__name__]} of {len(value)}"
    return _PYTHON_KINDS.get(type(value).__name__, f"a {type(value).__name__}")


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
    statement = _statement(line)
    fn = _function_tree(source) if statement is not None else None
    if fn is None:
        return ""
    indexed = {node.value.id for node in ast.walk(statement) if isinstance(node, ast.Subscript)
               and isinstance(node.value, ast.Name)}
    read = {node.value.id for node in ast.walk(statement) if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name) and node.attr == missing.group(2)} if missing else indexed
    for stmt in (s for block in _blocks(fn) for s in block):
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
            held = "; ".join(f"its {ordinal(k + 1)} is {_kind_of(item)}" for k, item in enumerate(value))
            written = _written(stmt, source)
            return (f"`{name}` is the {ordinal(place + 1)} name of line {stmt.lineno + first_line - 1}, `{written}`, "
                    f"which takes the argument `{stmt.value.id}` apart: {held}. Check that the names there are in "
                    f"the order of its values.")
    return ""


def _fits_another(values: Sequence[Any], place: int, missing: re.Match | None) -> bool:
    """Whether another of ``values`` is what the line needed where the one at ``place`` failed:
    one with the attribute ``missing`` names, the value at ``place`` being of the type it names;
    for an unpacking of the value's items (``missing`` None), a list or tuple where it is an array."""
    mine, others = values[place], [v for k, v in enumerate(values) if k != place]
    if missing is not None:
        return type(mine).__name__ == missing.group(1) and any(hasattr(v, missing.group(2)) for v in others)
    return hasattr(mine, "shape") and any(isinstance(v, (list, tuple)) for v in others)


def ordinal(number: int) -> str:
    """``"1st"``, ``"2nd"``, ``"3rd"``, ``"4th"``, ... (``"11th"``, ``"12th"``, ``"13th"``)."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def printed_instead_hint(source: str, *, returned: Sequence[str]) -> str:
    """For a function that returned None and prints, with no ``return`` of a value: ``print``
    shows values and gives nothing back. ``returned``: the names of the values to return. ""."""
    fn = _function_tree(source)
    if fn is None or not returned:
        return ""
    own = [node for block in _blocks(fn) for stmt in block for node in ast.walk(stmt)
           if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    if any(isinstance(node, ast.Return) and node.value is not None for node in own):
        return ""
    printed = sorted((node for node in own if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                      and node.func.id == "print"), key=lambda node: node.lineno)
    if not printed:
        return ""
    return (f" It prints (`{ast.unparse(printed[0])}`) but returns nothing: `print` shows values, and only "
            f"`return {', '.join(returned)}` gives them back to the caller.")


def replaced_in_loop_hint(source: str, *, output: Any, axes: int, first_line: int = 1) -> str:
    """For an output that lacks its last axis, the time steps (``a`` of shape (5, 10) for (5, 10, 4)):
    the line inside the loop that gives it each step's value whole (``a = a_next``, ``dx = dxt``) or
    stores every step at one place (``a[:, :] = a_next``). ``output``: the output's place in what
    the function returns (0 for the first value of a tuple, ``"dx"`` for a dict's key), read from its
    ``return``; ``axes``: how many axes the output should have. "" otherwise."""
    fn = _function_tree(source)
    name = _returned_name(fn, output) if fn is not None else ""
    if not name:
        return ""
    for loop, _after in _loops(fn):
        step = _names(loop.target, ast.Store)
        index = loop.target.id if isinstance(loop.target, ast.Name) else "t"
        for stmt in loop.body:
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
                continue
            target, value = stmt.targets[0], ast.unparse(stmt.value)
            slot = f"`{name}[{', '.join([':'] * (axes - 1) + [index])}] = {value}`"
            where = f"`{_written(stmt, source)}` on line {stmt.lineno + first_line - 1}"
            if isinstance(target, ast.Name) and target.id == name:
                return (f"{where} replaces all of `{name}` at every step, so it ends as the last step's value, "
                        f"without an axis for the steps: create `{name}` with one (its last) before the loop, and "
                        f"store each step in its own slice, {slot}.")
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id == name \
                    and not _names(target.slice, ast.Load) & step:
                return (f"{where} stores every step at the same place, so `{name}` keeps only the last step's value "
                        f"and has no axis for the steps: create it with one (its last) before the loop, and store "
                        f"each step in its own slice, {slot}.")
    return ""


def _returned_name(fn: ast.AST, output: Any) -> str:
    """The name the function's ``return`` gives at ``output`` (an index of the tuple it returns, or
    a key of the dict it returns, directly or through a name assigned a dict literal); ""."""
    returns = [node.value for block in _blocks(fn) for node in block if isinstance(node, ast.Return) and node.value]
    for value in returns:
        if isinstance(value, ast.Name):  # ``return gradients``, ``gradients = {...}`` above it
            made = [stmt.value for stmt in _stored_at(fn, value.id) if isinstance(stmt, ast.Assign)]
            value = made[-1] if made else value
        if isinstance(output, int) and isinstance(value, ast.Tuple) and output < len(value.elts):
            element = value.elts[output]
        elif isinstance(output, str) and isinstance(value, ast.Dict):
            element = next((v for k, v in zip(value.keys, value.values)
                            if isinstance(k, ast.Constant) and k.value == output), None)
        else:
            continue
        if isinstance(element, ast.Name):
            return element.id
    return ""


def shared_assignment(source: str, *, outputs: tuple[Any, Any], first_line: int = 1) -> str:
    """``"`c = a` (line 12)"``: the student's own assignment that gives the array one of two returned
    ``outputs`` (indices of the returned tuple, or keys of a returned dict) is under the name of the
    other as well (``c = a``, ``a = c = np.zeros(...)``), the last one of the function; "" when
    there is none to quote (the names are not plain, or the sharing is made another way)."""
    if "=" not in source:
        return ""
    fn = _function_tree(source)
    if fn is None:
        return ""
    names = {_returned_name(fn, output) for output in outputs}
    if "" in names or len(names) != 2:
        return ""
    found = None
    for block in _blocks(fn):
        for stmt in block:
            if not isinstance(stmt, ast.Assign):
                continue
            bound = {t.id for t in stmt.targets if isinstance(t, ast.Name)}
            if isinstance(stmt.value, ast.Name):
                bound.add(stmt.value.id)
            if names <= bound and (found is None or stmt.lineno > found.lineno):
                found = stmt
    return "" if found is None else f"`{_written(found, source)}` (line {found.lineno + first_line - 1})"


def view_assignment(source: str, *, output: Any, first_line: int = 1) -> str:
    """``"`c_next = c[:, :, 0]` (line 12)"``: the student's own assignment of a slice of the array the
    function returns at ``output`` (an index of the returned tuple, or a key of a returned dict) to a
    plain name, the first of the function: a view, whose values change when the loop writes into
    that array (the first cache's ``c_prev``, a real notebook's); "" when there is none (a copy,
    fancy indexing with a list, or names that are not plain)."""
    fn = _function_tree(source) if "[" in source else None
    name = _returned_name(fn, output) if fn is not None else ""
    if not name:
        return ""
    found = None
    for block in _blocks(fn):
        for stmt in block:
            if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets) \
                    and isinstance(stmt.value, ast.Subscript) and isinstance(stmt.value.value, ast.Name) \
                    and stmt.value.value.id == name and _basic_index(stmt.value.slice) \
                    and (found is None or stmt.lineno < found.lineno):
                found = stmt
    return "" if found is None else f"`{_written(found, source)}` (line {found.lineno + first_line - 1})"


def _basic_index(node: ast.expr) -> bool:
    """Whether an index is NumPy's basic indexing (slices, numbers, names, ``...``), which gives a
    view; a list in it is fancy indexing, which copies."""
    parts = node.elts if isinstance(node, ast.Tuple) else [node]
    return all(not isinstance(part, (ast.List, ast.ListComp, ast.Tuple)) for part in parts)


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


def unchanged_argument_hint(source: str, *, callee: str, index: int, first_line: int = 1) -> str:
    """For a per-step function that a loop called with a wrong argument (the ``index``-th, counted
    from 0) whose value no step changes (``lstm_cell_forward(x[:, :, t], a_prev, c_prev, ...)`` where
    the loop assigns ``a_next``, never ``a_prev``; ``da[:, :, t] + da_prevt`` where it assigns
    ``da_prev``): the name, and where it got the one value every step is given. "" otherwise."""
    fn = _function_tree(source)
    for loop, _after in _loops(fn) if fn is not None else ():
        changed = _names(loop, ast.Store)
        calls = [node for node in ast.walk(loop) if isinstance(node, ast.Call) and len(node.args) > index
                 and ((isinstance(node.func, ast.Name) and node.func.id == callee)
                      or (isinstance(node.func, ast.Attribute) and node.func.attr == callee))]
        for call in calls:
            bare = sorted(name for name in _terms(call.args[index]) if name not in changed)
            if not bare:
                continue
            name = bare[0]
            made = [stmt for stmt in _stored_at(fn, name) if stmt.lineno < loop.lineno]
            given = (f"the value of line {made[-1].lineno + first_line - 1} (`{_head(made[-1], source)}`)" if made
                     else f"the same `{name}`")
            step = loop.target.id if isinstance(loop.target, ast.Name) else "t"
            return (f"No step of the loop changes `{name}`, which line {call.lineno + first_line - 1} passes to "
                    f"`{callee}`: every step is given {given}. Each step needs its own: that step's part of an "
                    f"array or list (indexed with `{step}`), or what the step before gave back.")
    return ""


def unfilled_slot_hint(source: str, *, callee: str, index: int, first_line: int = 1) -> str:
    """For a per-step function that a loop called with a wrong argument (the ``index``-th, counted
    from 0) that is the place of an array the loop fills at this very step, after the call
    (``rnn_cell_forward(xt, a[:, :, t], parameters)`` above ``a[:, :, t] = a_next``): that place
    still holds what the array was created with, zeros, at every step. "" otherwise."""
    fn = _function_tree(source) if "[" in source else None
    for loop, _after in _loops(fn) if fn is not None else ():
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
                    return (f"Line {call.lineno + first_line - 1} passes `{_written(place, source)}` to `{callee}`: at "
                            f"each step that place of `{place.value.id}` still holds the zeros it was created with, as "
                            f"the loop stores the step's result there only after the call (line "
                            f"{later[0].lineno + first_line - 1}). Pass what the step before gave back (the initial "
                            f"state at the first step).")
            elif _before_step(place, step) and _from_zero(loop) and any(
                    _at_step(t, step) and t.value.id == place.value.id for stmt in stores for t in stmt.targets):
                # ``a[:, :, t - 1]`` (a real notebook's, thirty-fourth session): the step before's place, right
                # from the second step on; at the first, index -1, the last step's place, still zeros.
                return (f"Line {call.lineno + first_line - 1} passes `{_written(place, source)}` to `{callee}`: at the "
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
    fn = _function_tree(source) if "[" in source else None
    for loop, _after in _loops(fn) if fn is not None else ():
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
            if isinstance(last, ast.Constant) and type(last.value) is int and step not in _names(place, ast.Load):
                return (f"Line {call.lineno + first_line - 1} passes `{_written(place, source)}` to `{callee}`: "
                        f"step {last.value} of `{place.value.id}` at every step. Index it with the loop's `{step}`.")
    return ""


def carried_only_hint(source: str, *, callee: str, index: int, first_line: int = 1) -> str:
    """For a backward step that a loop called with a wrong argument (the ``index``-th, counted from
    0) that is only what the step after carried back (``rnn_cell_backward(da_prevt, caches[t])``,
    ``da_prevt`` assigned from the call's result), in a loop that never reads the one parameter of
    the function it does not read (``da``, each step's own gradient): the line, and the sum to pass.
    "" otherwise (a forward step, a loop that reads every parameter, an argument never carried)."""
    fn = _function_tree(source) if callee.endswith("_backward") else None
    params = [arg.arg for arg in fn.args.args] if fn is not None else []
    for loop, _after in _loops(fn) if fn is not None else ():
        if not isinstance(loop.target, ast.Name):
            continue
        unread = [name for name in params if name not in _names(loop, ast.Load)]
        if len(unread) != 1:
            continue
        for call in ast.walk(loop):
            if isinstance(call, ast.Call) and len(call.args) > index and _callee_is(call, callee) \
                    and isinstance(call.args[index], ast.Name) and any(
                        stmt.lineno > call.lineno for stmt in _stored_at(loop, call.args[index].id)):
                carried, step = call.args[index].id, loop.target.id
                return (f"Line {call.lineno + first_line - 1} passes `{carried}` to `{callee}`, the gradient the step "
                        f"after carried back, alone: the loop never reads `{unread[0]}`, the gradient of each step's "
                        f"own output. Pass `{unread[0]}[:, :, {step}] + {carried}`.")
    return ""


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


def returned_order_hint(line: str, *, source: str, first_line: int = 1, functions: Mapping[str, str]) -> str:
    """For a line that raised reading a name unpacked, on an earlier line, from a call of one of the
    student's own functions (``dxt, dWaxt, dWaat, dbat, da_prevt = back_step(...)``) whose
    ``return`` gives, at that name's place, a value named like another of the names (``g['da_prev']``
    second, where ``dWaxt`` is): the two orders side by side. ``functions``: the notebook's functions'
    sources by name. "" otherwise (the names follow the order of the values returned)."""
    statement = _statement(line)
    if statement is None:
        return ""
    read = _names(statement.value if isinstance(statement, (ast.Assign, ast.AugAssign)) else statement, ast.Load)
    if not any(_unpacks_a_call(text, read, functions) for text in source.splitlines()):
        return ""  # a look at the text first: the function is parsed only for a line that may be it
    fn = _function_tree(source)
    if fn is None:
        return ""
    returns: dict[str, list[ast.Tuple]] = {}  # a function's name -> the tuples its returns give
    for stmt in sorted((s for block in _blocks(fn) for s in block), key=lambda s: s.lineno):
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Tuple)
                and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Name)
                and stmt.value.func.id in functions and len(stmt.targets[0].elts) <= _MOST_UNPACKED):
            continue
        names = [ast.unparse(element) for element in stmt.targets[0].elts]
        if stmt.value.func.id not in returns:  # each function parsed once, however often it is called
            callee = _function_tree(functions[stmt.value.func.id])
            returns[stmt.value.func.id] = [node.value for block in _blocks(callee) for node in block
                                           if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple)] \
                if callee is not None else []
        returned = next((value for value in returns[stmt.value.func.id] if len(value.elts) == len(names)), None)
        if returned is None:
            continue
        words = [_last_word(element) for element in returned.elts]
        for place, name in enumerate(names):
            if name not in read:
                continue
            close = difflib.get_close_matches(name, words, n=1, cutoff=0.75)
            if not close or words[place] == close[0]:
                continue
            given = ast.unparse(returned.elts[place])
            written = _written(returned, functions[stmt.value.func.id])
            return (f"`{name}` is the {ordinal(place + 1)} name of line {stmt.lineno + first_line - 1}, and your "
                    f"`{stmt.value.func.id}` returns `{given}` {ordinal(place + 1)} (`return {written}`): give the "
                    f"names in the order of the values it returns.")
    return ""


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


def endless_loop_hint(source: str, *, first_line: int = 1) -> str:
    """For a function that did not return in time: a ``while`` loop of it whose condition reads
    only names that nothing in the loop changes (``while t >= 0:`` without ``t -= 1``), which
    never ends once entered. "" otherwise (the time may have gone elsewhere)."""
    fn = _function_tree(source)
    loops = sorted((stmt for block in _blocks(fn) for stmt in block if isinstance(stmt, ast.While)),
                   key=lambda stmt: stmt.lineno) if fn is not None else []
    for loop in loops:
        tested = _names(loop.test, ast.Load)
        calls = any(isinstance(node, ast.Call) for node in ast.walk(loop.test))
        leaves = any(isinstance(node, (ast.Break, ast.Return, ast.Raise)) for node in ast.walk(loop))
        changed = _names(loop, ast.Store) | {node.func.value.id for node in ast.walk(loop) if isinstance(node, ast.Call)
                                              and isinstance(node.func, ast.Attribute)
                                              and isinstance(node.func.value, ast.Name)}
        if tested and not calls and not leaves and not tested & changed:
            names = sorted(tested)
            return (f" The `while` loop on line {loop.lineno + first_line - 1} tests {_listed([f'`{n}`' for n in names])}, "
                    f"which nothing in it changes: once entered, it never ends (a `{names[0]} -= 1` or "
                    f"`{names[0]} += 1` left out?).")
    return ""


def through_helper_hint(source: str, *, callee: str, functions: Mapping[str, str], first_line: int = 1) -> str:
    """For a per-step function ``callee`` given wrong inputs by a function (``source``) that does not
    call it itself but through a helper of the student's (``lstm_step(x[:, :, t], c_next, a_next,
    parameters)``, ``def lstm_step(x, a, c, p): return lstm_cell_forward(x, a, c, p)``): the helper's
    call and its parameters, whose order the arguments must follow. ``functions``: the notebook's
    functions' sources by name. "" when ``source`` calls ``callee`` itself, or no helper does."""
    fn = _function_tree(source)
    if fn is None:
        return ""
    calls = [node for node in ast.walk(fn) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)]
    if any(call.func.id == callee for call in calls):
        return ""
    helpers: dict[str, Any] = {}  # a name called -> its function when that calls ``callee``, else None
    for call in sorted(calls, key=lambda node: node.lineno):
        if call.func.id not in helpers:  # each function parsed once, however often it is called
            helper = _function_tree(functions.get(call.func.id, "")) if call.func.id != fn.name else None
            helpers[call.func.id] = helper if helper is not None and any(
                isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == callee
                for node in ast.walk(helper)) else None
        helper = helpers[call.func.id]
        if helper is None:
            continue
        parameters = ", ".join(arg.arg for arg in helper.args.args)
        return (f" `{fn.name}` calls it through your `{helper.name}` (line {call.lineno + first_line - 1}: "
                f"`{ast.unparse(call)}`): check its arguments against the order of `{helper.name}`'s parameters, "
                f"`({parameters})`.")
    return ""


def outside_size_hint(function: str, name: str, value: Any, *, where: str, sizes: Collection[int]) -> str:
    """For a graded function that failed a case and reads ``name``, a whole number (or a tuple of
    them) that a cell's top level sets (``T_x = 4``; ``where``: "cell 2 (In [1]), line 1"), each
    one of the ``sizes`` of the assignment's example: every call sees that number, whatever its
    arguments' sizes, so the function passes the example and fails the hidden cases, whose sizes
    are other. "" for any other value (a tolerance, a flag, 0 or 1, a number no size of the
    example has)."""
    held = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if not held or not all(type(v) is int and v > 1 and v in sizes for v in held):  # bools are not sizes
        return ""
    return (f"`{function}` reads `{name}` from outside the function: {where}, sets it to {value!r}, so every "
            f"call uses {value!r} whatever the sizes of its arguments. The assignment's example has that size; "
            f"the hidden cases have others. Take it from the arguments instead (their `.shape`).")


#: How a student's own course helper differs from the course's, by what it gives on one array.
_SOFTMAX_WAYS = ((lambda got: got.sum(axis=1), "normalises each row (over axis 1)"),
                 (lambda got: got.sum(), "normalises the whole array at once"))


def own_helper_hint(function: str, helper: str, *, where: str, got: Any, expected: Any, raised: str = "") -> str:
    """For a graded function that failed a case and calls ``helper`` (``softmax``, ``sigmoid``),
    which the notebook defines itself (``where``: "cell 3 (In [2])") in place of the course's
    ``rnn_utils`` one: what the student's gives on an array where it differs from the course's
    (``got``: its value; ``raised``: the name of the error it raised instead; ``expected``: the course's).
    The expected values of every case are computed with the course's helper. "" when the two
    agree."""
    import numpy as np

    if raised:
        differs = f"yours raises {raised} on an array of shape {expected.shape}"
    elif not isinstance(got, np.ndarray) or got.shape != expected.shape:
        differs = f"on an array of shape {expected.shape} yours returns {_kind_of(got)}"
    else:
        try:
            if np.allclose(got, expected, rtol=1e-6, atol=1e-9):
                return ""
            way = next((said for total, said in _SOFTMAX_WAYS if np.allclose(total(got), 1.0)), "") \
                if helper == "softmax" else ""
            if helper == "sigmoid" and np.allclose(got, 1 - expected):
                way = "gives 1 - sigmoid (mind the sign of the exponent: `1 / (1 + np.exp(-x))`)"
        except (TypeError, ValueError):  # an array of strings or objects
            way = ""
        differs = (f"yours {way}, where the course's normalises each column (over axis 0: each column is one "
                   f"example)" if way.startswith("normalises") else
                   f"yours {way}" if way else "yours gives other values than the course's on the same array")
    return (f"`{function}` calls your own `{helper}` ({where}), not the course's from `rnn_utils`, with which the "
            f"expected values are computed: {differs}. Fix yours, or delete it and use the course's "
            f"(`from rnn_utils import *`).")


def unread_parameter_hint(source: str, *, name: str) -> str:
    """`` " " +`` for a function (``source``) that reads ``name`` from outside itself and never
    reads one of its own parameters (``def rnn_forward(x, a0, params)`` reading ``parameters``,
    which the test cell above set): that parameter, the value a call passes, which is what the
    function was meant to read (the one of a name nearest ``name`` when several are unread). ""
    when every parameter is read."""
    function, unread = _UNREAD_PARAMETERS(source)
    if not unread:
        return ""
    near = difflib.get_close_matches(name, unread, n=1, cutoff=0.4)
    meant = near[0] if near else unread[0] if len(unread) == 1 else ""
    return (f" `{function}` never reads its parameter `{meant}`: if `{name}` is meant to be the argument a call "
            f"passes there, write `{meant}` instead.") if meant else ""


def _unread_parameters(source: str) -> tuple[str, tuple[str, ...]]:
    """The name of ``source``'s first def and its parameters it never reads (``("", ())`` when it
    does not parse): worked out once a source (``_UNREAD_PARAMETERS``), since a function is asked
    of every name it reads from outside, and a hostile one read 4,000 (a parse and a walk each:
    44 s of a worker until the lead's merge of the thirty-third session)."""
    fn = _function_tree(source)
    if fn is None:
        return "", ()
    arguments = fn.args
    parameters = [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
    read = _names(fn, ast.Load)
    return fn.name, tuple(p for p in parameters if p not in read and p not in ("self", "cls") and not p.startswith("_"))


_UNREAD_PARAMETERS = SourceMemo(_unread_parameters, max_entries=16, max_chars=200_000, max_key_chars=200_000,
                                keep_at_first_sight=True)


def fixed_size_hint(source: str, *, sizes: Collection[int], first_line: int = 1) -> str:
    """For a graded function (``source``) that failed a hidden case: its first line that writes out
    sizes of the assignment's example as numbers where a size goes (``np.zeros((5, 10, 4))``,
    ``range(4)``, or ``n_x, m = 3, 10`` when a shape or a range reads those names; each one of
    ``sizes``, above 1: ``grader.fixedsizes``, which the self-check reads too), which hold in the
    example only: the hidden cases have other sizes. "" when no line does."""
    from grader.fixedsizes import sizes_written

    fn = _function_tree(source)
    if fn is None:
        return ""
    found = sizes_written(fn, source.splitlines(), sizes=frozenset(sizes))
    if not found:
        return ""
    first = found[0]
    written = first.numbers
    shown = written[0] if len(written) == 1 else written
    return (f"`{fn.name}` writes out {shown} on line {first.line + first_line - 1} (`{first.code}`): "
            f"{'a size' if len(written) == 1 else 'sizes'} of the assignment's example, which the hidden cases do "
            f"not have. Take {'it' if len(written) == 1 else 'them'} from the arguments instead (their `.shape`).")


#: How many nodes of a function ``global_state_hint`` reads at most (a real graded function has a
#: few hundred; a hostile one is read no further).
MOST_STATE_NODES = 20_000


def global_state_hint(source: str, *, first_line: int = 1) -> str:
    """For a graded function (``source``) a case of which failed, that keeps a value from one call
    to the next: a name it declares ``global`` and changes from the value the call before left
    (``counter += 1``; ``caches.append(cache)`` or ``seen[t] = x`` before any ``caches = ...`` of
    its own; read before it is set). The grader calls the function many times, once a case, so
    each call starts from what the others left. "" otherwise: ``global caches`` then ``caches =
    []`` starts afresh at each call (thirty-fourth session)."""
    if "global" not in source:
        return ""
    fn = _function_tree(source)
    if fn is None:
        return ""
    declared: dict[str, None] = {}
    walked = []
    for node in ast.walk(fn):
        if len(walked) >= MOST_STATE_NODES:
            break
        walked.append(node)
        if isinstance(node, ast.Global):
            declared.update(dict.fromkeys(node.names))
    if not declared:
        return ""
    stored: dict[str, tuple[int, int]] = {}  # each name's first assignment of its own
    kept: dict[str, tuple[int, int, ast.AST]] = {}  # each name's first line using the last call's value
    for node in walked:
        target = None
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            target, where = node.target.id, (node.lineno, -1)  # before any store of the same line
        elif isinstance(node, ast.Name) and node.id in declared:
            if isinstance(node.ctx, ast.Store):
                place = (node.lineno, node.col_offset)
                if place < stored.get(node.id, (1 << 30, 0)):
                    stored[node.id] = place
                continue
            target, where = node.id, (node.lineno, node.col_offset)
        if target in declared and (target not in kept or where < kept[target][:2]):
            kept[target] = (*where, node)
    lines = source.splitlines()
    for name in declared:
        if name in kept and kept[name][:2] < stored.get(name, (1 << 30, 0)):
            if name not in stored and not _changed_in_place(walked, name):
                continue  # only read: a value from outside, which the free-name note tells
            line = kept[name][0]
            code = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            code = code if len(code) <= _QUOTED else f"{code[:_QUOTED // 2]} ... {code[-_QUOTED // 4:]}"
            return (f"`{fn.name}` keeps `{name}` from one call to the next (`global {name}`; line "
                    f"{line + first_line - 1}: `{code}`): each call starts from what the calls before it left, "
                    f"and the grader calls the function many times, once a case. Make `{name}` the function's own: give "
                    f"it its first value inside the function, at each call, and leave out `global {name}`.")
    return ""


def _changed_in_place(walked: Sequence[ast.AST], name: str) -> bool:
    """Does a node of ``walked`` change ``name`` without assigning it: an augmented assignment, a
    store into it (``name[t] = x``, ``name.x = 1``) or a method that changes a list (``append``)?"""
    for node in walked:
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            return True
        if (isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, (ast.Store, ast.Del))
                and isinstance(node.value, ast.Name) and node.value.id == name):
            return True
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _IN_PLACE
                and isinstance(node.func.value, ast.Name) and node.func.value.id == name):
            return True
    return False


def running_loop_hint(source: str, *, line: int, first_line: int = 1) -> str:
    """For a call out of time that was running ``line`` (of the cell; the function ``source``
    starts at ``first_line``) when it was stopped: the innermost loop of the function holding that
    line, as ", in the `while` loop of line 12 (`while t < T_x:`)"; "" when no loop holds it (the
    time went in one slow statement). At most ``MOST_STATE_NODES`` nodes read (thirty-fourth
    session: the time-limit message named no line)."""
    fn = _function_tree(source)
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
    head = head if len(head) <= _QUOTED else f"{head[:_QUOTED // 2]} ... {head[-_QUOTED // 4:]}"
    keyword = "while" if isinstance(found, ast.While) else "for"
    return f", in the `{keyword}` loop of line {found.lineno + first_line - 1} (`{head}`)"


def unpacked_order(source: str) -> tuple[str, tuple[str, ...], int] | None:
    """``(parameter, names, line)`` for the first statement of the function ``source`` that unpacks
    one of its parameters into names (``(a_next, a_prev, xt, parameters) = cache``), or None. Parsed
    only when a line looks so (``_may_unpack``): most functions have none, and their parse cost a
    failed part 1 ms."""
    if not any(_may_unpack(line) for line in source.splitlines() if "=" in line and "," in line):
        return None
    fn = _function_tree(source)
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
    fn = _function_tree(source)
    if fn is None:
        return None
    for block in _blocks(fn):
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
            f"{_listed([f'`{n}`' for n in moved])} take "
            f"{'each other' if len(moved) == 2 else 'other names'}'s values. Unpack the names in the order they are "
            f"stored.")


def other_key_hint(error_type: str, message: str, line: str, *, source: str, first_line: int = 1) -> str:
    """For NumPy's broadcast error on the student's ``line`` that reads a name the function (``source``)
    sets from a dict's key of another name (``da_prevt = gradients["dxt"]``, then ``da[:, :, t] +
    da_prevt``: (5, 10) and (3, 10)): that line and key, whose value has another shape than the
    name's. "" otherwise (thirty-fourth session: "check which of the two is not the array you meant"
    alone)."""
    if error_type != "ValueError" or "could not be broadcast" not in message:
        return ""
    statement = _statement(line)
    fn = _function_tree(source) if statement is not None else None
    if fn is None:
        return ""
    read = _names(statement, ast.Load)
    for block in _blocks(fn):
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
                        f"`{_written(value, source)}`: check that `\"{key}\"` is the key of the value `{name.id}` "
                        f"stands for.")
    return ""
