"""Sentences read from a cell's formulas once a case failed and no known mistake explains it: a gate
of the LSTM made with another gate's weights, the memory made with the output gate or the hidden state
gated by another gate, a tanh applied to a value that is a tanh already, a loop adding up the value it
carries to the next step, a bias added transposed, a weight's gradient made with an input's gradient, a
prediction's two mistakes on one line (thirty-seventh and thirty-eighth sessions: each was told "values
differ" alone, and the first "its 5th place needs another value" of a cache that was right).
Pure functions: the function's source in, a sentence out, "" when no rule fits; the text looked at
first, linear, and the tree walked only when it may hold the mistake; every walk bounded
(``MOST_STATE_NODES``), the parse shared with the other hints (``hintcode.function_tree``)."""
from __future__ import annotations

import ast
import itertools
import math
import re

from grader.hintcode import (walked, MOST_LOOP_STATEMENTS, MOST_STATE_NODES, NUMPY_NAMES, as_written, function_tree, loops_of,
                             names_in, statement_blocks)

#: The LSTM's gates by the names the course gives them, and the letter of their weights (``Wf``,
#: ``bf``); ``u``: the course's older name of the update gate's (``Wu``, ``bu``).
_GATES = {"ft": "f", "it": "i", "cct": "c", "ot": "o"}
_GATE_WORDS = {"f": "the forget gate", "i": "the update gate", "u": "the update gate", "c": "the candidate value",
               "o": "the output gate"}
#: A gate's weight or bias (``Wf``, ``bi``, ``parameters["Wc"]``): its letter.
_GATE_PARAMETER = re.compile(r"[Wb]([fiuco])")
#: The names students give the gates besides the course's (thirty-eighth session: ``forget``, ``f``,
#: ``gate_f``, ``gamma_u``, ``c_tilde``), each to its letter; a name is matched whole.
_OWN_GATE_NAMES = (("f", r"f|f_t|ft|forget\w*|gate_?f|f_?gate|gamma_?f"),
                   ("i", r"i|i_t|it|u|u_t|ut|input_?gate|update\w*|gate_?[iu]|[iu]_?gate|gamma_?[iu]"),
                   ("c", r"cct|cc|c_?tilde|ctilde|c_?hat|c_?bar|candidate\w*|gate_?c|c_?cand\w*"),
                   ("o", r"o|o_t|ot|output_?gate|gate_?o|o_?gate|gamma_?o"))
_OWN_GATE = re.compile("|".join(f"(?P<{letter}>{names})" for letter, names in _OWN_GATE_NAMES))
#: A line giving a name a value (the text's look of ``_gate_suspect``): its name and its value.
_ANY_LINE = re.compile(r"^[ \t]*([A-Za-z_]\w*)[ \t]*=(?!=)(.*)$", re.MULTILINE)
_WORD = re.compile(r"[A-Za-z_]\w*")
#: The most names ``_gate_suspect`` keeps the gate letters of (each line's target; the course's cell has 20).
_MOST_NAMED = 200


def _gate_letter(name: str) -> str:
    """The letter of the gate ``name`` names, the course's name or a student's (``forget`` -> ``"f"``,
    ``u`` -> ``"i"``), or ""."""
    found = _OWN_GATE.fullmatch(name)
    return found.lastgroup if found else ""


#: Cheap looks at a source's text before its tree is walked (a walk of a course function costs 0.3 ms):
#: a gate assigned; a name given a tanh and a tanh of a name; a sum into a name.
_GATE_LINE = re.compile(r"^[ \t]*(ft|it|cct|ot|c_next|a_next)[ \t]*=(?!=)(.*)$", re.MULTILINE)
_GATE_WORD = re.compile(r"\b(?:W|b|parameters\[\s*['\"][Wb])([fiuco])\b")
_TANH_GIVEN = re.compile(r"\b([A-Za-z_]\w*)\s*=\s*(?:np|numpy)\s*\.\s*tanh\s*\(")
_TANH_OF_NAME = re.compile(r"\btanh\s*\(\s*([A-Za-z_]\w*)\s*\)")


def _gate_suspect(source: str) -> bool:
    """Whether a line of ``source`` that makes a gate reads another gate's weight, or one that makes the
    memory reads ``ot``, or one that makes the hidden state reads ``ft`` or ``it`` and no ``ot``: the
    lines ``gate_weights_hint`` then reads in the tree (a one-line statement's text; right code has none).
    A gate under a student's name counts, and so does a gate's line reading a name an earlier line made
    with a weight (``zf = np.dot(Wi, concat) + bi`` then ``ft = sigmoid(zf)``)."""
    made: dict[str, set[str]] = {}
    for target, text in itertools.islice(_ANY_LINE.findall(source), MOST_STATE_NODES):
        letters = {"i" if letter == "u" else letter for letter in _GATE_WORD.findall(text)}
        own = _gate_letter(target)
        if own and (letters | {letter for word in _WORD.findall(text) for letter in made.get(word, ())}) - {own}:
            return True
        if letters and len(made) < _MOST_NAMED:
            made[target] = letters
    for target, text in _GATE_LINE.findall(source):
        if target == "c_next":
            found = re.search(r"\bot\b", text) is not None
        elif target == "a_next":
            found = re.search(r"\bot\b", text) is None and re.search(r"\b(?:ft|it)\b", text) is not None
        else:
            own = {"ft": "f", "it": "iu", "cct": "c", "ot": "o"}[target]
            found = any(letter not in own for letter in _GATE_WORD.findall(text))
        if found:
            return True
    return False


def _assignments(source: str) -> list[ast.Assign]:
    """The function's assignments of one value to one plain name, in the order of their lines."""
    fn = function_tree(source)
    found = [node for node in walked(fn) if isinstance(node, ast.Assign) and len(node.targets) == 1
             and isinstance(node.targets[0], ast.Name)] if fn is not None else []
    return sorted(found, key=lambda node: (node.lineno, node.col_offset))


def _parameter_letters(node: ast.AST) -> list[tuple[str, str]]:
    """``(name, letter)`` of each gate weight or bias ``node`` reads (``Wi`` -> ``("Wi", "i")``)."""
    found = []
    for sub in walked(node):
        name = sub.id if isinstance(sub, ast.Name) else (
            sub.slice.value if isinstance(sub, ast.Subscript) and isinstance(sub.slice, ast.Constant) else None)
        matched = _GATE_PARAMETER.fullmatch(name) if isinstance(name, str) else None
        if matched:
            found.append((name, "i" if matched.group(1) == "u" else matched.group(1)))
    return found


def gate_weights_hint(source: str, *, first_line: int = 1) -> str:
    """For an LSTM gate computed with another gate's weight or bias (``ft = sigmoid(np.dot(Wi, concat)
    + bi)``), or the hidden state gated by a gate other than the output gate (``a_next = ft *
    np.tanh(c_next)``): the line, what it reads, and what it should. ""."""
    if not _gate_suspect(source):
        return ""
    made: dict[str, tuple[ast.Assign, list[tuple[str, str]]]] = {}  # a name -> its line and the weights it read
    for node in _assignments(source):
        target, line = node.targets[0].id, node.lineno + first_line - 1
        own = _gate_letter(target)
        if own:
            foreign = {name: letter for name, letter in _parameter_letters(node.value) if letter != own}
            through = None if foreign else next(
                (made[sub.id] for sub in walked(node.value) if isinstance(sub, ast.Name) and sub.id in made
                 and any(letter != own for _name, letter in made[sub.id][1])), None)
            foreign = foreign or {name: letter for name, letter in (through[1] if through else ()) if letter != own}
            if foreign:
                names = " and ".join(f"`{name}`" for name in sorted(foreign, key=lambda name: (name[0] == "b", name)))
                whose = {_GATE_WORDS[letter] for letter in foreign.values()}
                whose_words = f"{whose.pop()}'s" if len(whose) == 1 else "other gates'"
                step = "" if through is None else (f"from `{through[0].targets[0].id}` (line "
                                                   f"{through[0].lineno + first_line - 1}), made ")
                return (f"Line {line} computes `{target}`, {_GATE_WORDS[own]}, {step}with {names}, {whose_words}: "
                        f"{_GATE_WORDS[own]} has its own, `W{own}` and `b{own}`.")
            continue
        read = _parameter_letters(node.value)
        if read and len(made) < _MOST_NAMED:
            made[target] = (node, read)
        if target not in ("c_next", "a_next"):
            continue
        read = {sub.id for sub in walked(node.value) if isinstance(sub, ast.Name)}
        if target == "c_next" and "ot" in read and "c_prev" in read:
            return (f"Line {line}, `{as_written(node, source)}`, makes the memory with `ot`, the output gate, which "
                    f"only decides what `a_next` shows: the memory keeps `ft * c_prev` and adds `it * cct`, "
                    f"`c_next = ft * c_prev + it * cct`.")
        elif target == "a_next":
            gates = [gate for gate in ("ft", "it") if gate in read]
            if "ot" not in read and len(gates) == 1 and any(name.startswith("c") for name in read):
                return (f"Line {line}, `{as_written(node, source)}`, gates the hidden state with `{gates[0]}`, "
                        f"{_GATE_WORDS[_GATES[gates[0]]]}: the output gate `ot` decides what of the memory is "
                        f"shown, `a_next = ot * np.tanh(c_next)`.")
    return ""


def _is_tanh(node: ast.AST) -> bool:
    """Whether ``node`` calls ``np.tanh`` (``numpy.tanh``)."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "tanh"
            and isinstance(node.func.value, ast.Name) and node.func.value.id in NUMPY_NAMES)


def tanh_twice_hint(source: str, *, first_line: int = 1) -> str:
    """For a name given a tanh (``cct = np.tanh(...)``) that a later line passes to ``np.tanh`` again
    (``it * np.tanh(cct)``) before giving it another value: both lines. ""."""
    if source.count("tanh") < 2 or not set(_TANH_GIVEN.findall(source)) & set(_TANH_OF_NAME.findall(source)):
        return ""
    made: dict[str, ast.Assign] = {}
    for node in _assignments(source):
        for call in (sub for sub in walked(node.value) if _is_tanh(sub) and len(sub.args) == 1):
            arg = call.args[0]
            if isinstance(arg, ast.Name) and arg.id in made:
                first = made[arg.id]
                return (f"`{arg.id}` is a tanh already (line {first.lineno + first_line - 1}, "
                        f"`{as_written(first, source)}`), and line {node.lineno + first_line - 1} applies `np.tanh` "
                        f"to it again (`{as_written(call, source)}`): use `{arg.id}` as it is.")
        name = node.targets[0].id
        made.pop(name, None)
        if _is_tanh(node.value):
            made[name] = node
    return ""


def transposed_bias_hint(source: str, *, first_line: int = 1) -> str:
    """For a bias added transposed (``np.dot(Waa, a_prev) + ba.T``): with one example, a column of one
    entry plus that row makes a square array, where more examples raise. The line; ""."""
    fn = function_tree(source)
    for node in walked(fn) if fn is not None else ():
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub))):
            continue
        for side in (node.left, node.right):
            base = side.value if isinstance(side, ast.Attribute) and side.attr == "T" else None
            name = base.id if isinstance(base, ast.Name) else (
                base.slice.value if isinstance(base, ast.Subscript) and isinstance(base.slice, ast.Constant) else "")
            if isinstance(name, str) and re.fullmatch(r"b[a-z]{0,2}", name):
                written = as_written(side, source)
                return (f"Line {node.lineno + first_line - 1} adds `{written}`, a row: the bias `{name}` is a column, "
                        f"added as it is to each example's column. With one example, a column plus that row makes a "
                        f"square array (with more, NumPy refuses the sum). Leave out the `.T`.")
    return ""


#: A name added into another (``da0 += da_prevt``), the one ``carried_summed_hint`` looks for in a call's
#: parentheses before it walks the tree.
_ADDED_NAME = re.compile(r"\+=[ \t]*([A-Za-z_]\w*)[ \t]*$", re.MULTILINE)
#: The most ``for`` loops of a function ``carried_summed_hint`` reads (``loophints.MOST_LOOPS`` too), and
#: the most names added into another it looks for.
_MOST_LOOPS = 20


def _in_parentheses(source: str, name: str) -> bool:
    """Whether one of ``name``'s first ``_MOST_LOOPS`` places in ``source`` follows more ``(`` than ``)``
    on its line (an argument of a call, as far as the text tells)."""
    for found in itertools.islice(re.finditer(rf"\b{re.escape(name)}\b", source), _MOST_LOOPS):
        before = source[source.rfind("\n", 0, found.start()) + 1:found.start()]
        if before.count("(") > before.count(")"):
            return True
    return False


def carried_summed_hint(source: str, *, first_line: int = 1) -> str:
    """For a loop that adds up (``+=``) the value it carries to the next step's call (``da0 +=
    da_prevt``, where line 18 passes ``da[:, :, t] + da_prevt``): each step's carried value already
    holds what the later steps gave back, so the sum counts them again; the total is the last one.
    ""."""
    added = list(dict.fromkeys(_ADDED_NAME.findall(source)))[:_MOST_LOOPS]
    fn = function_tree(source) if any(_in_parentheses(source, name) for name in added) else None
    blocks = statement_blocks(fn) if fn is not None else []
    if not blocks or sum(map(len, blocks)) > MOST_LOOP_STATEMENTS:
        return ""
    for loop, _after in loops_of(fn, blocks)[:_MOST_LOOPS]:
        inside = list(walked(loop))
        # The calls a statement makes of a function by name (`gradients = rnn_cell_backward(...)`): their
        # arguments are disjoint, so one walk each (nested calls' arguments would be walked again and again).
        calls = [node.value for node in inside if isinstance(node, (ast.Assign, ast.Expr))
                 and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)]
        passed = set().union(*(names_in(arg, ast.Load) for call in calls for arg in call.args))
        stored = {sub.id for node in inside if isinstance(node, ast.Assign) for target in node.targets
                  for sub in walked(target) if isinstance(sub, ast.Name)}
        for node in inside:
            if (isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add) and isinstance(node.target, ast.Name)
                    and isinstance(node.value, ast.Name) and node.value.id in passed & stored
                    and node.target.id not in passed and node.target.id != node.value.id):
                total, carried = node.target.id, node.value.id
                return (f"Line {node.lineno + first_line - 1}, `{as_written(node, source)}`, adds up `{carried}`, the "
                        f"value the loop carries to the next step's call: each step's `{carried}` already holds what "
                        f"the later steps gave back, so the sum counts them again. `{total}` is its last value, "
                        f"`{total} = {carried}` after the loop.")
    return ""


#: A new axis written in the text (``[:, :, np.newaxis]``, ``[..., None]``, ``.reshape(``,
#: ``expand_dims``): ``broadcast_fill_hint`` walks the tree only when one is there.
_NEW_AXIS = re.compile(r"\bnewaxis\b|\bNone\s*\]|\breshape\s*\(|\bexpand_dims\s*\(")


def _new_axis_of(node: ast.AST) -> ast.AST | None:
    """The array ``node`` gives a new axis of size 1 (``dxt`` of ``dxt[:, :, np.newaxis]``,
    ``dxt.reshape(n_x, m, 1)``, ``np.expand_dims(dxt, axis=2)``), or None."""
    if isinstance(node, ast.Subscript):
        pieces = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if any((isinstance(piece, ast.Constant) and piece.value is None)
               or (isinstance(piece, ast.Attribute) and piece.attr == "newaxis") for piece in pieces):
            return node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        numpy = isinstance(node.func.value, ast.Name) and node.func.value.id in NUMPY_NAMES
        sizes = node.args[1:] if numpy else node.args
        last = (sizes[-1].elts or [None])[-1] if len(sizes) == 1 and isinstance(sizes[0], ast.Tuple) else (
            sizes[-1] if sizes else None)
        if node.func.attr == "reshape" and isinstance(last, ast.Constant) and last.value == 1:
            return node.args[0] if numpy and node.args else (None if numpy else node.func.value)
        if node.func.attr == "expand_dims" and node.args:
            return node.args[0]
    return None


def _whole(target: ast.AST) -> str:
    """The name of the array ``target`` writes whole (``dx``, ``dx[:, :, :]``, ``dx[...]``), ""."""
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
        pieces = target.slice.elts if isinstance(target.slice, ast.Tuple) else [target.slice]
        if all((isinstance(piece, ast.Slice) and piece.lower is None and piece.upper is None and piece.step is None)
               or (isinstance(piece, ast.Constant) and piece.value is Ellipsis) for piece in pieces):
            return target.value.id
    return ""


def broadcast_fill_hint(source: str, *, first_line: int = 1) -> str:
    """For a loop that adds (or writes) a step's array given a new axis to the whole output
    (``dx += dxt[:, :, np.newaxis]``): NumPy broadcasts the axis of size 1 over every step, so each
    step's slice gets every step's value (thirty-eighth session: told "values differ" alone). The
    line and the slice to store in; ""."""
    if _NEW_AXIS.search(source) is None:
        return ""
    fn = function_tree(source)
    blocks = statement_blocks(fn) if fn is not None else []
    if not blocks or sum(map(len, blocks)) > MOST_LOOP_STATEMENTS:
        return ""
    for loop, _after in loops_of(fn, blocks)[:_MOST_LOOPS]:
        step = loop.target.id if isinstance(loop.target, ast.Name) else "t"
        for node in walked(loop):
            if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add):
                output, value, adds = _whole(node.target), node.value, True
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                output, value = _whole(node.targets[0]), node.value
                adds = isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add) \
                    and isinstance(value.left, ast.Name) and value.left.id == output
                value = value.right if adds else value
                if not adds and isinstance(node.targets[0], ast.Name):
                    continue  # `dx = dxt[:, :, None]` replaces `dx`: valuehints.replaced_in_loop_hint's
            else:
                continue
            array = _new_axis_of(value) if output else None
            if array is None:
                continue
            written = as_written(array, source)
            what = f"adds `{written}` to" if adds else f"writes `{written}` into"
            return (f"Line {node.lineno + first_line - 1}, `{as_written(node, source)}`, {what} "
                    f"every step of `{output}`: the new axis of size 1 is broadcast over all of `{output}`'s "
                    f"steps, so each step's slice gets every step's value. Store each step in its own slice: "
                    f"`{output}[:, :, {step}] = {written}`.")
    return ""


#: The scalar stand-ins ``derivative_hint`` evaluates a tanh derivative's line at: ``(a_next, a_prev,
#: da_next)``, three points of no special relation (a formula agreeing with another at all three is taken
#: for it).
_POINTS = ((0.3, -0.55, 1.7), (-0.72, 0.41, -0.9), (0.05, 0.83, 2.3))
#: The most nodes of a line ``derivative_hint`` evaluates (the course's: 9).
_MOST_FORMULA_NODES = 200
#: What a tanh derivative's line may be, as a function of ``(a_next, a_prev, da_next)``, and what to say
#: of it (``{line}``: the line's words; ``{a}``, ``{p}``, ``{d}``: the student's names).
_DERIVATIVES = (
    (lambda a, p, d: (1 - a * a) * d, ""),
    (lambda a, p, d: 1 - a * a * d, "multiplies `{a} ** 2` by `{d}` before the subtraction (`*` comes before `-`)"),
    (lambda a, p, d: (1 - p * p) * d, "takes the derivative at `{p}`, the step before's hidden state"),
    (lambda a, p, d: (1 - math.tanh(p) ** 2) * d, "takes the derivative at `{p}`, the step before's hidden state, "
                                                 "and applies tanh to it"),
    (lambda a, p, d: (1 - math.tanh(a) ** 2) * d, "applies tanh to `{a}`, which is a tanh already"),
    (lambda a, p, d: a * (1 - a) * d, "is the sigmoid's derivative, `s * (1 - s)`"),
    (lambda a, p, d: (1 - a) * d, "leaves out the square of `{a}`"),
    (lambda a, p, d: (1 - a) ** 2 * d, "squares `1 - {a}` instead of `{a}` alone"),
    (lambda a, p, d: (a * a - 1) * d, "subtracts the other way round (`{a} ** 2 - 1`)"),
)
_UNARY = {ast.USub: lambda x: -x, ast.UAdd: lambda x: x}
_BINARY = {ast.Add: lambda x, y: x + y, ast.Sub: lambda x, y: x - y, ast.Mult: lambda x, y: x * y,
           ast.Div: lambda x, y: x / y}
_CALLS = {"tanh": (1, math.tanh), "square": (1, lambda x: x * x), "multiply": (2, lambda x, y: x * y),
          "subtract": (2, lambda x, y: x - y), "add": (2, lambda x, y: x + y),
          "sigmoid": (1, lambda x: 1 / (1 + math.exp(-x)))}


def _scalar(node: ast.AST, values: dict[str, float], budget: list[int]) -> float | None:
    """``node`` evaluated over scalars (``values`` by name): numbers, the four operations, a small whole
    power, ``.T``, ``np.tanh``, ``np.square``, ``np.multiply`` and the like, ``sigmoid``; None for anything
    else or past ``budget`` nodes. Never runs the student's code: it reads the line's tree."""
    budget[0] -= 1
    if budget[0] < 0:
        return None
    if isinstance(node, ast.Constant):
        return float(node.value) if isinstance(node.value, (int, float)) and not isinstance(node.value, bool) \
            and abs(node.value) < 1e6 else None
    if isinstance(node, ast.Name):
        return values.get(node.id)
    if isinstance(node, ast.Attribute) and node.attr == "T":
        return _scalar(node.value, values, budget)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        inner = _scalar(node.operand, values, budget)
        return None if inner is None else _UNARY[type(node.op)](inner)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        base = _scalar(node.left, values, budget)
        power = node.right.value if isinstance(node.right, ast.Constant) else None
        return base ** power if base is not None and isinstance(power, int) and 0 <= power <= 4 else None
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _scalar(node.left, values, budget), _scalar(node.right, values, budget)
        if left is None or right is None or (isinstance(node.op, ast.Div) and right == 0):
            return None
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.Call) and not node.keywords:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
            and func.value.id in NUMPY_NAMES else (func.id if isinstance(func, ast.Name) else "")
        count, fn = _CALLS.get(name, (0, None))
        if fn is None or len(node.args) != count or (name == "sigmoid" and isinstance(func, ast.Attribute)):
            return None
        args = [_scalar(arg, values, budget) for arg in node.args]
        return None if None in args else fn(*args)
    return None


def derivative_hint(source: str, *, first_line: int = 1) -> str:
    """For the line of a backward step that makes the gradient through its tanh from the gradient that
    comes in (its first parameter, ``da_next``) and the hidden states its cache holds (``a_next``,
    ``a_prev``: the first two names of the line that takes the cache apart), when that line, evaluated
    over numbers, is one of the known wrong derivatives (``1 - a_next ** 2 * da_next``, the sigmoid's,
    ``a_prev``'s): the line, what it does and the formula. Thirty-eighth session: each was told "values
    differ" alone. ""."""
    if "def " not in source or source.count("\n") > MOST_LOOP_STATEMENTS * 4:
        return ""
    fn = function_tree(source)
    if fn is None or len(fn.args.args) < 2:
        return ""
    incoming, cache = fn.args.args[0].arg, fn.args.args[1].arg
    if not incoming.startswith("d"):  # a gradient's name: a forward step has no derivative to take
        return ""
    body = [node for node in walked(fn) if isinstance(node, ast.Assign)
            and len(node.targets) == 1]
    unpacked = next((node.targets[0] for node in body if isinstance(node.targets[0], ast.Tuple)
                     and isinstance(node.value, ast.Name) and node.value.id == cache
                     and len(node.targets[0].elts) >= 2
                     and all(isinstance(elt, ast.Name) for elt in node.targets[0].elts[:2])), None)
    a, p = (unpacked.elts[0].id, unpacked.elts[1].id) if unpacked is not None else ("a_next", "a_prev")
    for node in body:
        if not isinstance(node.targets[0], ast.Name) or incoming not in names_in(node.value, ast.Load):
            continue
        results = []
        for point in _POINTS:
            try:
                value = _scalar(node.value, dict(zip((a, p, incoming), point)), [_MOST_FORMULA_NODES])
            except (OverflowError, ZeroDivisionError, ValueError):
                value = None
            if value is None:
                break
            results.append(value)
        if len(results) < len(_POINTS):
            continue
        said = next((said for formula, said in _DERIVATIVES
                     if all(math.isclose(got, formula(*point), rel_tol=1e-9, abs_tol=1e-12)
                            for got, point in zip(results, _POINTS))), None)
        if said is None or not said:
            return ""
        target = node.targets[0].id
        return (f"Line {node.lineno + first_line - 1}, `{as_written(node, source)}`, "
                f"{said.format(a=a, p=p, d=incoming)}. The tanh derivative at this step is `1 - {a} ** 2` (`{a}` is "
                f"the tanh already), times the gradient that comes in: `{target} = (1 - {a} ** 2) * {incoming}`.")
    return ""


#: A weight's gradient (``dWaa``, ``dWax += ...``) made with a transposed name of a gradient (``da_prev.T``):
#: the weight, then that name without its ``d``.
_GRADIENT_TRANSPOSED = re.compile(r"^[ \t]*(dW\w*)[ \t]*\+?=(?!=)[^\n#]*?(?<![\w.])d([A-Za-z_]\w*)[ \t]*\.[ \t]*T\b",
                                  re.MULTILINE)


def gradient_for_input_hint(source: str, *, first_line: int = 1) -> str:
    """For a weight's gradient made with the gradient of an input where the input itself belongs
    (``dWaa = np.dot(dtanh, da_prev.T)``, with ``a_prev`` a name of the function: two real notebooks
    were told "values differ" alone, thirty-eighth session): the line, and the input. ""."""
    for found in _GRADIENT_TRANSPOSED.finditer(source):
        weight, name = found.group(1), found.group(2)
        if name[0] in "Wb" or not re.search(rf"(?<![\w.]){re.escape(name)}\b", source):
            continue  # a weight's own gradient (`dWaa.T`), or no `a_prev` of its own: not an input's gradient
        start = source.rfind("\n", 0, found.start()) + 1
        end = source.find("\n", found.end())
        text = source[start:end if end >= 0 else len(source)].split("#", 1)[0].strip()
        quoted = f", `{text}`," if "`" not in text else ""
        line = source.count("\n", 0, found.start()) + first_line
        return (f"Line {line}{quoted} makes `{weight}` from `d{name}`, the "
                f"gradient of `{name}`: a weight's gradient multiplies by what the weight multiplied in the forward "
                f"pass, `{name}` itself: use `{name}.T`.")
    return ""


#: The line that makes a cell's prediction, its text after the ``=``.
_PREDICTION_LINE = re.compile(r"^[ \t]*yt_pred[ \t]*=(?!=)(.*)$", re.MULTILINE)
#: What a prediction is squashed with where a softmax belongs, in the student's words.
_NOT_SOFTMAX = {"sigmoid": "`sigmoid`", "tanh": "`np.tanh`", "relu": "a ReLU"}


def prediction_hint(source: str, *, first_line: int = 1) -> str:
    """For a cell's prediction (``yt_pred = ...``, in a function that makes ``a_next``) squashed with
    another function than the softmax, made from ``a_prev`` where ``a_next`` belongs, or both at once
    (``yt_pred = sigmoid(np.dot(Wya, a_prev) + by)``: each alone is a known mistake, the two together
    were told "values differ" alone, thirty-seventh session): the line, what is wrong in it, and the
    course's line. ""."""
    if "a_next" not in source or not any(re.search(r"\b(?:a_prev|sigmoid|tanh|relu)\b", text)
                                         for text in _PREDICTION_LINE.findall(source)):
        return ""
    for node in _assignments(source):
        if node.targets[0].id != "yt_pred":
            continue
        value = node.value
        called = value.func if isinstance(value, ast.Call) else None
        squash = called.id if isinstance(called, ast.Name) else called.attr if isinstance(called, ast.Attribute) else ""
        read = {sub.id for sub in walked(value) if isinstance(sub, ast.Name)}
        wrong = []
        if squash.lower() in _NOT_SOFTMAX:
            wrong.append(f"with {_NOT_SOFTMAX[squash.lower()]}")
        if "a_prev" in read and "a_next" not in read:
            wrong.append("from `a_prev`, the previous hidden state")
        if not wrong:
            continue
        weight = "Wya" if re.search(r"\bWya\b", source) else "Wy"
        return (f"Line {node.lineno + first_line - 1}, `{as_written(node, source)}`, makes the prediction "
                f"{' and '.join(wrong)}: the prediction is this step's hidden state through a softmax, "
                f"`yt_pred = softmax(np.dot({weight}, a_next) + by)`.")
    return ""


#: A weight's gradient summed with a product of its own (``dWaa += np.dot(...)``, ``dWax += a @ b``).
_PRODUCT_SUMMED = re.compile(r"^[ \t]*(dW\w*)[ \t]*\+=[^\n#]*(?:\b(?:dot|matmul)[ \t]*\(|@)", re.MULTILINE)


def step_gradient_recomputed_hint(source: str, *, first_line: int = 1) -> str:
    """For a backward pass whose loop calls the step's backward function (``rnn_cell_backward``) and
    adds to a weight's gradient a product it makes itself from one of its own inputs
    (``dWaa += np.dot(da[:, :, t], a0.T)``: told "values differ" alone, thirty-eighth session): that
    line, and the step's gradient to add instead. ""."""
    found = _PRODUCT_SUMMED.search(source) if "_cell_backward" in source else None
    fn = function_tree(source) if found is not None else None
    if fn is None:
        return ""
    inputs = {a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)}
    for loop in (node for node in walked(fn) if isinstance(node, (ast.For, ast.While))):
        calls = [node for node in walked(loop) if isinstance(node, ast.Assign) and len(node.targets) == 1
                 and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Call)
                 and isinstance(node.value.func, ast.Name) and node.value.func.id.endswith("_cell_backward")]
        if not calls:
            continue
        for node in walked(loop):
            if not (isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add)
                    and isinstance(node.target, ast.Name) and node.target.id.startswith("dW")):
                continue
            product = any(isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.MatMult) or isinstance(sub, ast.Call)
                          and isinstance(sub.func, ast.Attribute) and sub.func.attr in ("dot", "matmul")
                          for sub in walked(node.value))
            read = names_in(node.value, ast.Load) & inputs
            if not product or not read:
                continue
            weight, step = node.target.id, calls[0]
            given, callee = step.targets[0].id, step.value.func.id
            return (f"Line {node.lineno + first_line - 1}, `{as_written(node, source)}`, makes the step's part of "
                    f"`{weight}` itself, from the input `{sorted(read)[0]}`: `{callee}` gives each step's "
                    f"(`{given}[\"{weight}\"]`, line {step.lineno + first_line - 1}). Add that: "
                    f"`{weight} += {given}[\"{weight}\"]`.")
    return ""
