"""Normalisation of one function's source into a canonical token sequence.

The aim is that two pieces of code that differ only by disguises a copier uses
(renamed identifiers, comments, docstrings, blank lines, reordered independent
statements, ``np.dot`` versus ``@``, added dead code) give the same tokens,
while code that is written differently keeps different tokens.

Pipeline (each step works on the ``ast`` of the function):

1. ``_Simplifier``: docstrings, bare constants, ``pass``, ``print(...)``
   statements, ``if False:`` / ``while False:`` blocks and code after
   ``return`` / ``raise`` / ``break`` / ``continue`` are dropped; the names a
   def unpacks from its ``*args`` (or reads by key from its ``**kwargs``), when
   that is all it reads of them, become its parameters
   (``_promote_unpacked_parameters``).
2. ``_Rewriter``: equivalent spellings are made one: ``np.dot(a, b)``,
   ``np.matmul(a, b)``, ``a.dot(b)`` -> ``a @ b``; ``np.add`` / ``np.multiply``
   ... -> operators; ``np.square(x)`` -> ``x ** 2``; ``np.transpose(x)`` and
   ``x.transpose()`` -> ``x.T``; ``x += y`` -> ``x = x + y``; ``numpy.`` ->
   ``np.``; keyword arguments sorted; ``a > b`` -> ``b < a``; list displays
   as tuples; integers as floats (``1`` ~ ``1.0``); ``0 * x`` -> ``0``,
   ``x + 0`` and ``x - 0`` -> ``x``.
3. ``_remove_dead_code``: assignments whose target is never read (to a fixed
   point, so chains of dead temporaries go), assignments overwritten before
   any read, loops and ``if`` blocks left empty, unused imports and nested
   functions.
4. ``_Canoniser``: operands of commutative operators (``+``, ``*``, ``and``,
   ``or``, ``==``) are sorted, and runs of statements are put in a canonical
   topological order of their data dependencies. Sort keys never contain local
   names: a local name is replaced by a *value signature*, a hash of the
   expression that defined it, so the keys are the same whatever the names and
   whatever the original order of independent statements; statements with
   equal keys are told apart by how the names they define are used later.
5. optional template stripping: simple statements identical (up to renaming)
   to a statement of the starter code are removed (after step 4, so that the
   signatures still know what the starter code's variables hold).
6. renaming: parameters become ``p0, p1, ...``: by position in a def named as
   a graded or provided function (``keep_names``; only as the function the text
   is compared for when ``compared_for`` is given), in an order of their uses in
   any other def (``_parameter_spellings``); every other
   local is spelled after the *shape* of its first definition (the defining
   statement with all locals blanked, and the name's position among its
   targets), so that renaming, reordering or inserting a variable changes no
   other variable's spelling; locals without a definition (unknown globals)
   are numbered by first occurrence. Attribute names, dictionary keys,
   builtins, ``np`` and the names in ``keep_names`` (the graded and provided
   functions) are kept.
7. tokens: a pre-order walk emits one token per node, each with the line (in
   the given source, 1-based) of the node it came from.

If the source does not parse, a token-stream fallback (``tokenize``) gives
renamed names, numbers and operators without comments.
"""
from __future__ import annotations

import ast
import builtins
import copy
import hashlib
import heapq
import io
import keyword
import re
import textwrap
import tokenize
from dataclasses import dataclass
from typing import Callable, Iterable

from grader.astnodes import nodes, stack_budget
from grader.similarity.specialise import (bind_unpassed_defaults, callables_by_name, drop_leading_guards, drop_relays,
                                          drop_unread_parameters, may_test_inputs, specialise_for_calls)
from grader.similarity.syntax import (CHILD_FIELDS, TALLIED, all_args, ast_classes, defs_of, stored_names, subnodes,
                                      tally, tally_nodes)

__all__ = ["NormalisedCode", "Normaliser", "RenamingKey", "normalise_function", "renaming_key", "statement_shapes", "DEFAULT_KEEP_NAMES"]

#: Global names that keep their spelling (besides builtins): NumPy and the
#: functions the assignment provides or grades.
DEFAULT_KEEP_NAMES = frozenset(
    {
        "np", "numpy", "math", "softmax", "sigmoid",
        "rnn_cell_forward", "rnn_forward", "lstm_cell_forward", "lstm_forward",
        "rnn_cell_backward", "rnn_backward", "lstm_cell_backward", "lstm_backward",
    }
)
_BUILTINS = frozenset(dir(builtins))

_NP_BINARY = {
    "dot": ast.MatMult, "matmul": ast.MatMult, "add": ast.Add, "subtract": ast.Sub,
    "multiply": ast.Mult, "divide": ast.Div, "true_divide": ast.Div, "power": ast.Pow,
}
_COMMUTATIVE = (ast.Add, ast.Mult, ast.BitAnd, ast.BitOr, ast.BitXor)
_MUTATORS = frozenset(
    {"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault",
     "popitem", "sort", "reverse", "fill", "resize", "put", "itemset", "add", "discard"}
)
_BARRIERS = (ast.Return, ast.Raise, ast.Break, ast.Continue, ast.Global, ast.Nonlocal, ast.Delete)
_BLOCK_FIELDS = ("body", "orelse", "finalbody")


@dataclass(frozen=True)
class NormalisedCode:
    """Canonical tokens of one function and, for each token, its source line.

    ``tokens`` and ``lines`` have the same length; ``lines[i]`` is the 1-based
    line, in the function source as given, of the node token ``i`` came from.
    ``parsed`` is False when the AST could not be built and the token-stream
    fallback was used.
    """

    tokens: tuple[str, ...]
    lines: tuple[int, ...]
    parsed: bool = True


# --------------------------------------------------------------------------- helpers


def _short_hash(text: str) -> str:
    """A 12-hex-digit stable hash of ``text`` (stable across processes)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()


_SKIP_FIELDS = frozenset({"ctx", "type_comment", "kind"})


def _dump_entry(kind: type) -> tuple[str, tuple[str, ...]]:
    """How ``_dump`` prints a node class: the opening text and the fields it dumps, in order."""
    if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
        fields = tuple(f for f in kind._fields if f not in ("name", "type_params") and f not in _SKIP_FIELDS)
    else:
        fields = tuple(f for f in kind._fields if f not in _SKIP_FIELDS)
    return "(" + kind.__name__, fields


_DUMP_TABLE = {cls: _dump_entry(cls) for cls in ast_classes()}


def _dump(node: object, rename: Callable[[str], str] | None,
          by_node: Callable[[ast.Name], str] | None = None, memo: dict | None = None) -> str:
    """A compact structural dump of ``node`` with every ``Name`` passed through ``rename``.

    Expression contexts, positions and type comments are left out, so the dump
    depends only on structure, operators, constants, attributes and the renamed
    names. With ``by_node``, each ``Name`` node is rendered by ``by_node(node)``
    instead (other spelled names, parameters and def names, become ``_``).
    ``memo`` (``id(node) -> (node, dump)``) reuses the dumps of subtrees made
    with the same renaming; the caller guarantees those subtrees have not
    changed since (the node is kept in the entry so its id cannot be reused).
    Only ``node``'s own dump is added to it: callers dump a subtree before any
    tree holding it (operands are sorted from the inside out), so the dumps of
    the subtrees inside ``node`` would only be looked up through ``node``'s.
    """
    if by_node is not None and rename is None:
        rename = _underscore
    text = _dump_node(node, rename, by_node, memo)
    if memo is not None and type(node) in _MEMO_KINDS:
        memo[id(node)] = (node, text)
    return text


_NAMED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _dump_node(node: object, rename: Callable[[str], str], by_node: Callable[[ast.Name], str] | None,
               memo: dict | None) -> str:
    """``_dump`` of one node, its children dumped by recursion (a module function: a nested one
    made at each ``_dump`` call cost its making, and a reference cycle to undo)."""
    kind = type(node)
    if kind is _NAME:
        return by_node(node) if by_node is not None else rename(node.id)
    if kind is _CONSTANT:
        return "#" + _const_repr(node.value)
    if kind is list:
        return "[" + ",".join([_dump_node(item, rename, by_node, memo) for item in node]) + "]"
    entry = _DUMP_TABLE.get(kind)
    if entry is None:
        if isinstance(node, ast.AST):  # pragma: no cover - a node class made after import
            entry = _dump_entry(kind)
        else:
            return repr(node)
    if kind is _ARG:
        return "(arg %s)" % rename(node.arg)
    head, fields = entry
    if not fields:
        return head + ")"
    if memo is not None:
        hit = memo.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1]
    parts = [head]
    if kind in _NAMED:
        parts.append(rename(node.name))
    for name in fields:
        parts.append(_dump_node(getattr(node, name, None), rename, by_node, memo))
    return " ".join(parts) + ")"


_NAME, _CONSTANT, _ARG = ast.Name, ast.Constant, ast.arg
#: Node classes the token walk compares with, as module names (one lookup instead of two).
_FUNCTION_DEF, _ASYNC_FUNCTION_DEF, _COMPARE, _ATTRIBUTE, _KEYWORD, _ALIAS = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.Compare, ast.Attribute, ast.keyword, ast.alias)
#: Node classes whose dumps ``_dump`` keeps in a memo (those ``_dump_node`` looks up there).
_MEMO_KINDS = frozenset(cls for cls, (_head, fields) in _DUMP_TABLE.items() if fields and cls not in (_NAME, _CONSTANT, _ARG))


def _underscore(_name: str) -> str:
    """Every name spelled ``_``."""
    return "_"


#: How ``_marker`` spells a local in a dump: ``\x00name\x01`` (no other text of a dump holds
#: these characters: names are identifiers and ``repr`` escapes them in strings).
_MARK = re.compile("\x00[^\x01]*\x01")


def _marker(local: set[str] | frozenset[str]) -> Callable[[str], str]:
    """A ``_dump`` renamer that marks each local (``_MARK``) and keeps other names.

    One marked dump serves every renaming that changes only the locals: ``_fill`` gives the
    canoniser's dump under an ``env``, ``_blind`` the renaming-blind one, without dumping the
    tree again for each.
    """
    return lambda n: "\x00" + n + "\x01" if n in local else n


def _fill(marked: str, env: dict[str, str]) -> str:
    """A marked dump with each local spelled as ``Canoniser.name_key(env)`` spells it (``L`` if unsigned)."""
    if "\x00" not in marked:
        return marked
    pieces = marked.split("\x00")
    out = [pieces[0]]
    get = env.get
    for piece in pieces[1:]:
        name, _, rest = piece.partition("\x01")
        out.append(get(name, "L"))
        out.append(rest)
    return "".join(out)


def _blind(marked: str) -> str:
    """A marked dump with every local spelled ``_`` (what ``_placeholder_dump`` gives)."""
    return _MARK.sub("_", marked) if "\x00" in marked else marked


def _const_repr(value: object) -> str:
    """Representation of a constant; ints and floats of equal value agree (``1`` ~ ``1.0``)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        try:
            return repr(float(value))
        except OverflowError:  # and repr refuses more than 4,300 digits (ValueError); hex does not
            return hex(value)
    return repr(value)


def _blocks(node: ast.AST) -> list[tuple[str, list]]:
    """The statement lists held by a compound statement (body, orelse, handlers' bodies...)."""
    fields, handlers, cases = _BLOCK_TABLE.get(type(node)) or _block_entry(type(node))
    if not fields and not handlers and not cases:
        return []
    out = []
    stmt = ast.stmt
    for field in fields:
        value = getattr(node, field, None)
        if isinstance(value, list) and (not value or isinstance(value[0], stmt)):
            out.append((field, value))
    if handlers:
        for handler in getattr(node, "handlers", ()) or ():
            out.append(("handler", handler.body))
    if cases:
        for case in getattr(node, "cases", ()) or ():
            out.append(("case", case.body))
    return out


def _block_entry(kind: type) -> tuple[tuple[str, ...], bool, bool]:
    """Which block fields a node class has: (body/orelse/finalbody present, has handlers, has cases)."""
    fields = getattr(kind, "_fields", ())
    handlers, cases = "handlers" in fields, "cases" in fields
    blocks = tuple(f for f in _BLOCK_FIELDS if f in fields)
    return blocks, handlers, cases


_BLOCK_TABLE = {cls: _block_entry(cls) for cls in ast_classes()}


def _loaded_names(node: ast.AST) -> set[str]:
    """Every name read (``Load`` context) anywhere inside ``node``."""
    Name, Load = ast.Name, ast.Load
    return {n.id for n in subnodes(node) if type(n) is Name and type(n.ctx) is Load}


def _target_base(target: ast.AST) -> str | None:
    """The variable written by an assignment target: ``a`` for ``a``, ``a[i]``, ``a.x[i]``."""
    if type(target) is ast.Name:
        return target.id
    while isinstance(target, (ast.Subscript, ast.Attribute, ast.Starred)):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


#: Constants whose identity is their value (``is`` between them is decided).
_SINGLETONS = (type(None), bool, type(...))


def _const_truth(test: ast.AST) -> bool | None:
    """The truth value of a constant condition (``False``, ``0``, ``not True``, ``1 == 2``), else None."""
    if isinstance(test, ast.Constant):
        try:
            return bool(test.value)
        except Exception:  # pragma: no cover - exotic constants
            return None
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _const_truth(test.operand)
        return None if inner is None else not inner
    if type(test) is ast.BoolOp:  # ``x.ndim == 2 and a.ndim == 2`` once the grader's input decided both
        truths = [_const_truth(value) for value in test.values]
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


# --------------------------------------------------------------------------- step 1


#: Statement classes ``_Simplifier`` leaves as they are: they hold no block, are neither
#: ``pass``, an expression, an ``if`` nor a ``while``, and end no block (most statements).
_AS_IS = frozenset({ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete, ast.Import, ast.ImportFrom,
                    ast.Global, ast.Nonlocal, ast.Assert})


class _Simplifier:
    """Drops docstrings, bare constants, pass, print calls, constant-false branches, unreachable code."""

    def block(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        """Simplify a statement list; returns the new list (possibly empty)."""
        out: list[ast.stmt] = []
        for stmt in stmts:
            if type(stmt) in _AS_IS:
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
            return [stmt]
        if isinstance(stmt, ast.If):
            truth = _const_truth(stmt.test)
            if truth is True:
                return self.block(stmt.body)
            if truth is False:
                return self.block(stmt.orelse)
        if isinstance(stmt, ast.While) and _const_truth(stmt.test) is False:
            return self.block(stmt.orelse)
        for field, block in list(_blocks(stmt)):
            new = self.block(block)
            block[:] = new
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


# --------------------------------------------------------------------------- step 2


def _is_numpy(node: ast.AST) -> bool:
    """True for the names ``np`` and ``numpy``."""
    return isinstance(node, ast.Name) and node.id in ("np", "numpy")


class _Rewriter:
    """Makes equivalent spellings one (matrix products, NumPy operator functions, augmented assignments...).

    Works like an ``ast.NodeTransformer`` whose ``visit_*`` methods first visit
    the children (post-order), with a table-driven traversal that skips
    contexts and operators (no method rewrites those).

    It also counts the names of the tree it returns as ``tally`` would (``counts``, and
    ``protected`` for the names of ``global`` and ``nonlocal`` statements): each node is
    counted where it is visited, and what a rewrite drops or makes is taken off or added.
    Dead-code removal starts from these counts instead of walking the tree once more.
    """

    def __init__(self) -> None:
        self.counts: tuple[dict[str, int], dict[str, int], dict[str, int]] = ({}, {}, {})
        self.protected: set[str] = set()
        # What ``_canonical_reads`` may rewrite, seen on the way (``reads_to_canonise``): lookups
        # by a constant key, those a ``name = d["k"]`` holds, a lookup by ``.get`` or an import
        # from NumPy, the names of ``_NUMPY_NAMES`` read and the ``name = other`` assignments.
        self.lookups = 0
        self.holders = 0
        self.rereads = False
        self.bare: set[str] = set()
        self.aliases: list[tuple[str, ast.AST]] = []

    def visit(self, node: ast.AST) -> ast.AST | list | None:
        """The rewritten ``node`` (None drops a statement), its children rewritten first."""
        self.generic_visit(node)
        kind = type(node)
        if kind in TALLIED:
            tally_nodes((node,), self.counts, 1, self.protected)
        handler = _REWRITES.get(kind)
        return node if handler is None else handler(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        """Rewrite the children of ``node`` in place, as ``ast.NodeTransformer.generic_visit`` does.

        Names and constants, about half of the nodes, are handled here: a constant has
        nothing to rewrite and a name only its spelling (``visit_Name``), so the two calls of
        a visit are saved for each.
        """
        AST, Name, Constant = ast.AST, ast.Name, ast.Constant
        fields = CHILD_FIELDS.get(type(node))
        for name in fields if fields is not None else node._fields:
            value = getattr(node, name, None)
            kind = type(value)
            if kind is Name:
                if value.id == "numpy":
                    value.id = "np"
                elif value.id in _NUMPY_NAMES:
                    self.bare.add(value.id)
                _count_name(value, self.counts)
                continue
            if kind is Constant:
                continue
            if kind is list:
                if not value:
                    continue
                new_values = []
                changed = False
                for item in value:
                    kind = type(item)
                    if kind is Name:
                        if item.id == "numpy":
                            item.id = "np"
                        elif item.id in _NUMPY_NAMES:
                            self.bare.add(item.id)
                        _count_name(item, self.counts)
                    elif kind is Constant:
                        pass
                    elif isinstance(item, AST):
                        new = self.visit(item)
                        if new is not item:
                            changed = True
                            if new is None:
                                continue
                            if not isinstance(new, AST):
                                new_values.extend(new)
                                continue
                        item = new
                    new_values.append(item)
                if changed:  # else the list holds the same items already
                    value[:] = new_values
            elif isinstance(value, AST):
                new = self.visit(value)
                if new is None:
                    delattr(node, name)
                else:
                    setattr(node, name, new)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        """``numpy`` -> ``np``."""
        if node.id == "numpy":
            node.id = "np"
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        """Function-call spellings of operators become operators (children already rewritten)."""
        func = node.func
        if type(func) is ast.Name and not node.args and func.id == "dict" and node.keywords and all(
                k.arg for k in node.keywords):  # ``dict(a=x)`` -> ``{"a": x}``, in its order
            tally_nodes([func], self.counts, -1)
            return ast.copy_location(ast.Dict([ast.copy_location(ast.Constant(k.arg), k.value) for k in node.keywords],
                                              [k.value for k in node.keywords]), node)
        if len(node.keywords) > 1:
            node.keywords.sort(key=_keyword_name)
        if type(func) is ast.Attribute and func.attr == "get" and _key_read(node) is not None:
            self.rereads = True
        if (type(func) is ast.Name and func.id == "tuple" and len(node.args) == 1 and not node.keywords
              and type(node.args[0]) in (ast.List, ast.Tuple)
              and not any(type(e) is ast.Starred for e in node.args[0].elts)):  # ``tuple([a, b])`` -> ``(a, b)``
            tally_nodes([func], self.counts, -1)
            return ast.copy_location(ast.Tuple(node.args[0].elts, ast.Load()), node)
        if isinstance(func, ast.Attribute) and not node.keywords:
            if _is_numpy(func.value):
                op = _NP_BINARY.get(func.attr)
                new: ast.AST | None = None
                if op is not None and len(node.args) == 2:
                    new = ast.copy_location(ast.BinOp(left=node.args[0], op=op(), right=node.args[1]), node)
                elif func.attr == "square" and len(node.args) == 1:
                    two = ast.copy_location(ast.Constant(2), node)
                    new = ast.copy_location(ast.BinOp(left=node.args[0], op=ast.Pow(), right=two), node)
                elif func.attr == "transpose" and len(node.args) == 1:
                    new = ast.copy_location(ast.Attribute(value=node.args[0], attr="T", ctx=ast.Load()), node)
                if new is not None:
                    tally(func, self.counts, -1)  # ``np.dot`` and its name go
                    return self.visit_BinOp(new) if type(new) is ast.BinOp else new
            else:
                if func.attr in ("dot", "matmul") and len(node.args) == 1:
                    return ast.copy_location(ast.BinOp(left=func.value, op=ast.MatMult(), right=node.args[0]), node)
                if func.attr == "transpose" and not node.args:
                    return ast.copy_location(ast.Attribute(value=func.value, attr="T", ctx=ast.Load()), node)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        """``0 * x``, ``x * 0`` -> ``0``; ``x + 0``, ``0 + x``, ``x - 0`` -> ``x`` (children already
        rewritten, so ``a + 0 * junk`` is ``a``). A copy that read a junk leading parameter once,
        ``by = parameters["by"] + 0 * junk`` or ``0 * len(cls.__name__)`` in a class method, kept
        it read, so every other parameter was numbered one further and no pair was listed
        (twenty-sixth session's review); the parameter is now unread, and left out
        (``drop_unread_parameters``). And ``x * 1``, ``1 * x``, ``x / 1``, ``x ** 1`` -> ``x``: a
        copy padded with ``a_next = a_next * 1`` scored 0.72 (thirty-first session); the
        assignment left, ``x = x``, is dead code (``_is_dead``)."""
        op, left, right = type(node.op), node.left, node.right
        if op is ast.Mult:
            if _is_zero(left) or _is_zero(right):
                zero, other = (left, right) if _is_zero(left) else (right, left)
                tally(other, self.counts, -1)
                return zero
            if _is_one(right):
                return left
            if _is_one(left):
                return right
        elif (op is ast.Div or op is ast.Pow) and _is_one(right):
            return left
        elif op is ast.Add:
            if _is_zero(right):
                return left
            if _is_zero(left):
                return right
        elif op is ast.Sub and _is_zero(right):
            return left
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        """Counts the lookups by a constant key (``reads_to_canonise``)."""
        if type(node.slice) is ast.Constant and _key_read(node) is not None:
            self.lookups += 1
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        """Notes an import from NumPy (``reads_to_canonise``)."""
        if node.module and (node.module == "numpy" or node.module.startswith("numpy.")) and not node.level:
            self.rereads = True
        return node

    def visit_Assign(self, node: ast.Assign) -> ast.AST | list[ast.stmt]:
        """``a, b = x, y`` -> ``a = x`` then ``b = y`` (``_split``); notes the lookups a name holds
        and the assignments of a name (``reads_to_canonise``)."""
        pieces = _split(node) if type(node.targets[0]) in (ast.Tuple, ast.List) else (node,)
        if len(pieces) > 1 and type(node.value) is not ast.Tuple:  # a comprehension made the items
            tally(node.value, self.counts, -1)
            for piece in pieces:
                tally(piece.value, self.counts, 1)
        for piece in pieces:
            target, value = piece.targets[0], piece.value
            kind = type(value)
            if kind is ast.Attribute and value.attr in _SIZES and type(value.value) is ast.Subscript:
                if _key_read(value.value) is not None:  # ``n_y, n_a = parameters["Wya"].shape``: it stays
                    self.holders += 1
            elif len(piece.targets) == 1 and type(target) is ast.Name:
                if kind is ast.Subscript and _key_read(value) is not None:
                    self.holders += 1
                elif kind is ast.Name or kind is ast.Attribute:
                    self.aliases.append((target.id, value))
        return pieces if len(pieces) > 1 else node

    def reads_to_canonise(self) -> bool:
        """Whether ``_canonical_reads`` may change the tree visited: a lookup by ``.get``, an import
        from NumPy, a lookup no ``name = d["k"]`` holds, a name of ``_NUMPY_NAMES`` the text does
        not bind, or a name assigned once to a name bound once at most or to an attribute.
        Most texts hold none of these, and are spared its walks and a second rewriting."""
        stored = self.counts[2]
        if self.rereads or self.lookups > self.holders or any(not stored.get(name) for name in self.bare):
            return True
        return any(stored.get(name) == 1 and (type(value) is not ast.Name or stored.get(value.id, 0) <= 1)
                   for name, value in self.aliases)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        """``x op= y`` -> ``x = x op y``."""
        load = _as_load(node.target)
        tally(load, self.counts, 1)
        value = ast.copy_location(ast.BinOp(left=load, op=node.op, right=node.value), node)
        return ast.copy_location(ast.Assign(targets=[node.target], value=value), node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        """``x: T = y`` -> ``x = y`` (annotations are not behaviour)."""
        tally(node.annotation, self.counts, -1)
        if node.value is None:
            tally(node.target, self.counts, -1)
            return None
        return ast.copy_location(ast.Assign(targets=[node.target], value=node.value), node)

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        """``a > b`` -> ``b < a``, ``a >= b`` -> ``b <= a`` (single comparisons)."""
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.Gt, ast.GtE)):
            flipped = ast.Lt() if isinstance(node.ops[0], ast.Gt) else ast.LtE()
            return ast.copy_location(ast.Compare(left=node.comparators[0], ops=[flipped], comparators=[node.left]), node)
        return node

    def visit_List(self, node: ast.List) -> ast.AST:
        """A list display read as a value is spelled like a tuple (``np.zeros([n, m])`` ~ ``np.zeros((n, m))``)."""
        if isinstance(node.ctx, ast.Load):
            return ast.copy_location(ast.Tuple(elts=node.elts, ctx=ast.Load()), node)
        return node


def _is_zero(node: ast.AST) -> bool:
    """Whether ``node`` is the constant ``0`` or ``0.0`` (not ``False``, not a complex zero)."""
    return type(node) is ast.Constant and type(node.value) in (int, float) and node.value == 0


def _is_one(node: ast.AST) -> bool:
    """Whether ``node`` is the constant ``1`` or ``1.0`` (not ``True``)."""
    return type(node) is ast.Constant and type(node.value) in (int, float) and node.value == 1


def _keyword_name(keyword: ast.keyword) -> str:
    """Sort key of a keyword argument: its name (``""`` for ``**kwargs``)."""
    return keyword.arg or ""


#: The ``_Rewriter`` method of each node class it rewrites (a table of the class, not of each
#: instance: bound methods kept by an instance would make a reference cycle of every rewriter).
_REWRITES = {
    ast.Name: _Rewriter.visit_Name, ast.Call: _Rewriter.visit_Call, ast.BinOp: _Rewriter.visit_BinOp,
    ast.AugAssign: _Rewriter.visit_AugAssign, ast.Subscript: _Rewriter.visit_Subscript,
    ast.ImportFrom: _Rewriter.visit_ImportFrom, ast.Assign: _Rewriter.visit_Assign,
    ast.AnnAssign: _Rewriter.visit_AnnAssign, ast.Compare: _Rewriter.visit_Compare, ast.List: _Rewriter.visit_List,
}


def _as_load(target: ast.AST) -> ast.AST:
    """A copy of an assignment target usable as an expression."""
    clone = ast.parse(ast.unparse(target), mode="eval").body
    for src, dst in zip(ast.walk(target), ast.walk(clone)):
        if hasattr(src, "lineno"):
            ast.copy_location(dst, src)
    return clone


# --------------------------------------------------------------------------- step 3


def _has_side_effect(expr: ast.AST) -> bool:
    """True if ``expr`` calls a mutating method (``lst.pop()``, ``d.update(...)``) or uses ``yield``/``await``."""
    for n in subnodes(expr):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _MUTATORS:
            return True
        if isinstance(n, (ast.Yield, ast.YieldFrom, ast.Await, ast.NamedExpr)):
            return True
    return False


def _assign_targets_dead(stmt: ast.Assign, used: set[str], protected: set[str]) -> bool:
    """True if every variable an assignment writes is never read."""
    bases = []
    for target in stmt.targets:
        elts = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
        for elt in elts:
            base = _target_base(elt)
            if base is None:
                return False
            bases.append(base)
    for base in bases:
        if base in used or base in protected:
            return False
    return True


def _remove_dead_code(func: ast.AST, counts: tuple[dict[str, int], dict[str, int], dict[str, int]] | None = None,
                      protected: set[str] | None = None) -> tuple[dict[str, int], dict[str, int]]:
    """Remove statements whose results are never used, to a fixed point (modifies ``func``).

    Returns how often each name is left in ``func``: as a ``Name`` node of any context and as
    bound (``tally``), from which ``_counted_locals`` gives ``_local_names(func)`` without
    walking the tree again. ``counts`` and ``protected``: ``func``'s ``tally`` and the names of
    its ``global`` and ``nonlocal`` statements if known (``_Rewriter`` keeps them); ``counts``
    is updated in place.

    Each round removes what is dead given the names read anywhere in what is left (``used``).
    The reads are counted once and the counts lowered as statements go, instead of walking
    the tree again each round; and a round is known to change nothing, and is not run, when
    the previous one left every read name read (so no more statement is dead: a sweep removes
    everything dead under a set of names at once) and removed no statement as overwritten
    (which can make an earlier assignment overwritten in turn). Each block is swept and then
    rid of overwritten assignments in one walk (see ``_sweep_block``).
    """
    if counts is None:
        counts, protected = ({}, {}, {}), set()
        tally(func, counts, 1, protected)  # global and nonlocal statements are never removed: one look is enough
    protected = set(protected or ()) | {n.name for n in getattr(func, "body", [])
                                       if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    loads = counts[0]
    for _ in range(20):
        used = {name for name, count in loads.items() if count}
        swept, overwritten = _sweep_block(func, used, protected, counts)
        if not (swept or overwritten):
            break
        if not overwritten and all(loads[name] for name in used):
            break  # the next round would change nothing
    return counts[1], counts[2]


def _count_name(node: ast.Name, counts: tuple[dict[str, int], dict[str, int], dict[str, int]]) -> None:
    """``tally`` of one ``Name`` node."""
    loads, named, stored = counts
    name = node.id
    named[name] = named.get(name, 0) + 1
    if type(node.ctx) is ast.Load:
        loads[name] = loads.get(name, 0) + 1
    else:
        stored[name] = stored.get(name, 0) + 1


def _counted_locals(named: dict[str, int], stored: dict[str, int], keep_names: frozenset[str]) -> set[str]:
    """``_local_names`` of a tree from its name counts (``_remove_dead_code``'s result)."""
    bound = {name for name, count in stored.items() if count}
    names = {name for name, count in named.items() if count} | bound
    return {n for n in names if n not in keep_names and (n not in _BUILTINS or n in bound)}


def _sweep_block(node: ast.AST, used: set[str], protected: set[str],
                 counts: tuple[dict[str, int], dict[str, int], dict[str, int]]) -> tuple[bool, bool]:
    """One round of dead-statement removal over the blocks below ``node``: whether a statement
    went as dead (given ``used``), and whether one went as overwritten (``_drop_overwritten``).

    Each block is swept, its nested blocks first, and then rid of its overwritten
    assignments. That is what a sweep of the whole tree and then a pass for overwritten
    assignments did: whether a statement is dead depends on ``used``, its own expressions
    and whether its blocks are empty, and removing overwritten assignments empties no block
    (the last assignment of a name stays); a block's overwritten assignments depend on its
    own simple statements only. ``counts``: the name counts (``tally``), lowered for every
    statement removed.
    """
    swept = overwritten = False
    # A class body's statements bind attributes, read as ``obj.forward``, never as a name: a
    # classmate's function copied as a method (``Cell().forward(xt, a_prev, parameters)``) went
    # as an unused def, and the class was compared as ``ClassDef }`` (thirty-first session).
    in_class = type(node) is ast.ClassDef
    for field, block in list(_blocks(node)):
        kept = []
        for stmt in block:
            inner_swept, inner_overwritten = _sweep_block(stmt, used, protected, counts)
            swept = swept or inner_swept
            overwritten = overwritten or inner_overwritten
            if not in_class and _is_dead(stmt, used, protected):
                swept = True
                tally(stmt, counts, -1)
                continue
            kept.append(stmt)
        if not kept and field == "body" and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            kept = [ast.copy_location(ast.Pass(), node)]
        block[:] = kept
        if _drop_overwritten(block, counts):
            overwritten = True
    return swept, overwritten


def _is_dead(stmt: ast.stmt, used: set[str], protected: set[str]) -> bool:
    """True if removing ``stmt`` cannot change what the function returns or mutates."""
    if isinstance(stmt, ast.Assign):
        if (len(stmt.targets) == 1 and type(stmt.targets[0]) is ast.Name and type(stmt.value) is ast.Name
                and stmt.value.id == stmt.targets[0].id and stmt.value.id not in protected):
            return True  # ``x = x`` (``x = x * 1`` once rewritten) changes nothing
        return _assign_targets_dead(stmt, used, protected) and not _has_side_effect(stmt.value)
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        return not stmt.body and not stmt.orelse
    if isinstance(stmt, ast.While):
        return not stmt.body and not stmt.orelse
    if isinstance(stmt, ast.If):
        return not stmt.body and not stmt.orelse and not _has_side_effect(stmt.test)
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return all((a.asname or a.name).split(".")[0] not in used for a in stmt.names)
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return stmt.name not in used and stmt.name not in protected
    return False


def _drop_overwritten(block: list[ast.stmt], counts: tuple[dict[str, int], dict[str, int], dict[str, int]]) -> bool:
    """Remove ``x = ...`` when a later statement of ``block`` rebinds ``x`` before any read; True if one went.

    ``counts``: the name counts (``tally``), lowered for every statement removed.
    """
    simple_targets = [st.targets[0].id for st in block
                      if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name)]
    if len(simple_targets) == len(set(simple_targets)):
        return False  # no name is rebound by a simple assignment in this block
    rebound = {name for name in simple_targets if simple_targets.count(name) > 1}
    facts: dict[int, tuple[set[str], set[str]]] = {}  # the statements a scan reaches, walked once
    doomed = set()
    for i, stmt in enumerate(block):
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            continue
        name = stmt.targets[0].id
        if name not in rebound or _has_side_effect(stmt.value):
            continue  # only a later simple assignment of the same name can doom it
        for j in range(i + 1, len(block)):
            later = block[j]
            if not isinstance(later, (ast.Assign, ast.Expr)):
                break  # whether it reads or writes the name or not, the scan stops here
            found = facts.get(j)
            if found is None:
                found = facts[j] = (_loaded_names(later), stored_names(later))
            loads, stores = found
            if name in loads:
                break
            if isinstance(later, ast.Assign):
                if len(later.targets) == 1 and isinstance(later.targets[0], ast.Name) and later.targets[0].id == name:
                    doomed.add(i)
                    break
                if name in stores:
                    break
            elif name in stores or not isinstance(later, ast.Expr):
                break
    if not doomed:
        return False
    for i in doomed:
        tally(block[i], counts, -1)
    block[:] = [s for i, s in enumerate(block) if i not in doomed]
    return True


# --------------------------------------------------------------------------- step 4


def _placeholder_dump(stmt: ast.AST, local: set[str], memo: dict | None = None) -> str:
    """Dump of a statement with every local name replaced by ``_`` (renaming-blind); ``memo`` as for ``_dump``."""
    return _dump(stmt, lambda n: "_" if n in local else n, None, memo)


def statement_shapes(source: str, *, keep_names: frozenset[str] = DEFAULT_KEEP_NAMES) -> set[str]:
    """The renaming-blind dumps of every simple statement in ``source`` (used for the starter code).

    ``source`` is any Python text (one or several defs, or a whole script);
    it is simplified and rewritten like a submission before dumping, but dead
    code is kept (the starter code has unused placeholders). Unparsable text
    gives an empty set.
    """
    tree = _parse(source)
    if tree is None:
        return set()
    tree.body = _Simplifier().block(tree.body)
    tree = _Rewriter().visit(tree)
    local = _local_names(tree, keep_names)
    shapes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and not any(True for _ in _blocks(node)):
            shapes.add(_placeholder_dump(node, local))
    return shapes


def _strip_template(func: ast.AST, shapes: set[str], local: set[str], memo: dict | None = None) -> None:
    """Remove simple statements whose renaming-blind dump is one of the starter code's (``memo``: see ``_dump``)."""
    for _field, block in list(_blocks(func)):
        kept = []
        for stmt in block:
            _strip_template(stmt, shapes, local, memo)
            if not any(True for _ in _blocks(stmt)) and _placeholder_dump(stmt, local, memo) in shapes:
                continue
            kept.append(stmt)
        block[:] = kept


# --------------------------------------------------------------------------- step 5


class _Canoniser:
    """Sorts commutative operands and independent statements using renaming-blind value signatures.

    Pass 1 (``sign_block``) walks the statements in their original order,
    keeping ``env``: local name -> signature of the value it holds (a hash of
    the defining statement, itself dumped with signatures for the names it
    reads). It sorts commutative operands and records each statement's key
    and the signature every name had where it was read. Pass 2
    (``order_block``) refines each key with how the names it defines are
    used later (so ``a = []`` and ``b = []`` are told apart by what is
    appended to them), then orders every run of statements: a topological
    order of the data dependencies, smallest key first among the ready ones.
    """

    def __init__(self, local: set[str], params: dict[str, str] | None = None):
        self.local = local
        #: How each parameter is signed (``_parameter_spellings``: by position in a def named as a
        #: graded function, by use in any other).
        self.params = params or {}
        self.keys: dict[int, str] = {}
        self.uses: dict[str, str] = {}
        self.readers: dict[str, list[ast.stmt]] | None = None
        self.body: list[ast.stmt] = []
        self.effects: dict[int, tuple[set[str], set[str]]] = {}
        self.own: dict[int, tuple[set[str], set[str]]] = {}
        #: Marked dumps (``_marker``) of the current statement's subtrees (see ``_dump``).
        self.memo: dict | None = None
        #: The marked head dump (``_dump_head`` with ``_marker``) of every statement signed in pass 1,
        #: and the ``env`` it was signed with (what ``use_signature`` spells its reads by).
        self.heads: dict[int, tuple[ast.stmt, str, dict[str, str]]] = {}
        self.mark = _marker(local)

    def reads_writes(self, stmt: ast.stmt) -> tuple[set[str], set[str]]:
        """``_reads_writes`` memoised (the names in a statement do not change during pass 2)."""
        found = self.effects.get(id(stmt))
        if found is None:
            found = self.effects[id(stmt)] = _reads_writes(stmt, self.reads_writes, self.own_reads_writes(stmt))
        return found

    def own_reads_writes(self, stmt: ast.stmt) -> tuple[set[str], set[str]]:
        """``_own_reads_writes`` memoised, for ``reads_writes`` and ``use_signature``."""
        found = self.own.get(id(stmt))
        if found is None:
            found = self.own[id(stmt)] = _own_reads_writes(stmt)
        return found

    def name_key(self, env: dict[str, str]) -> Callable[[str], str]:
        """Renamer for dumps: a local's signature, ``L`` for a local not yet defined, globals as spelled."""
        return lambda n: env.get(n, "L") if n in self.local else n

    def canonise(self, body: list[ast.stmt]) -> list[ast.stmt]:
        """Both passes over a module or function body; returns the reordered body."""
        if len(body) == 1 and isinstance(body[0], (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.sign_def(body[0], {}, need_key=False)  # a lone def's own key is never compared
        else:
            self.sign_block(body, {})
        self.body = body
        return self.order_block(body)

    def use_signature(self, name: str) -> str:
        """How ``name`` is used: hash of the sorted heads of the statements reading it (``@`` for it)."""
        if self.readers is None:
            self.readers = {}
            for stmt in _all_statements(self.body):
                for reader in self.own_reads_writes(stmt)[0] & self.local:
                    self.readers.setdefault(reader, []).append(stmt)
        if name not in self.uses:
            dumps = sorted(_dump_head(stmt, None, self.use_namer(stmt, name)) for stmt in self.readers.get(name, ()))
            self.uses[name] = _short_hash("|".join(dumps))
        return self.uses[name]

    def use_namer(self, stmt: ast.stmt, name: str) -> Callable[[ast.Name], str]:
        """How ``use_signature`` spells the names in the head of ``stmt``: ``@`` for ``name``, ``T``
        for a written name, and a read one by the signature it had there (``name_key`` under the
        ``env`` pass 1 signed the statement with; ``L`` in a def's head, which pass 1 does not read)."""
        hit = self.heads.get(id(stmt))
        env = hit[2] if hit is not None and hit[0] is stmt else None
        local = self.local
        Load = ast.Load

        def by_node(node: ast.Name) -> str:
            if node.id == name:
                return "@"
            if type(node.ctx) is not Load:
                return "T"
            if env is None:
                return "L"
            return env.get(node.id, "L") if node.id in local else node.id
        return by_node

    def sort_key(self, env: dict[str, str]) -> Callable[[ast.AST], str]:
        """Sort key of an operand: its dump with each local spelled by ``name_key(env)`` (memoised)."""
        mark, memo = self.mark, self.memo
        return lambda node: _fill(_dump(node, mark, None, memo), env)

    # expressions -----------------------------------------------------------
    def expr(self, node: ast.AST, env: dict[str, str]) -> ast.AST:
        """Sort commutative operands inside ``node`` (in place where possible); returns the new node."""
        kind = type(node)
        if kind is ast.Name:
            return node
        if kind is ast.Constant:
            return node
        if kind is ast.BinOp and isinstance(node.op, _COMMUTATIVE):
            return self.chain(node, env)
        AST = ast.AST
        fields = CHILD_FIELDS.get(kind)
        for field in fields if fields is not None else kind._fields:  # contexts and operators hold nothing to sort
            value = getattr(node, field, None)
            if isinstance(value, AST):
                new = self.expr(value, env)
                if new is not value:
                    setattr(node, field, new)
            elif type(value) is list:
                for i, item in enumerate(value):
                    if isinstance(item, AST):
                        new = self.expr(item, env)
                        if new is not item:
                            value[i] = new
        if isinstance(node, ast.BoolOp):
            node.values.sort(key=self.sort_key(env))
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
            key = self.sort_key(env)
            left, right = node.left, node.comparators[0]
            if key(right) < key(left):
                node.left, node.comparators = right, [left]
        return node

    def chain(self, node: ast.BinOp, env: dict[str, str]) -> ast.AST:
        """A chain of one commutative operator (``a + b + c``) with its operands sorted, as a
        left-nested chain whose operator nodes are all placed at ``node``.

        The operands are sorted once here, not again at each level of the chain: a stable sort
        gives the same order whatever order equal keys came in, as long as their relative
        order is kept, which an inner stable sort does. When the operands were in order and
        the chain already had that shape and place, it is kept as it is.
        """
        op = type(node.op)
        operands = [self.expr(operand, env) for operand in _flatten(node, op)]
        ordered = sorted(operands, key=self.sort_key(env))
        if _is_placed_chain(node, op, ordered):
            return node
        result = ordered[0]
        for operand in ordered[1:]:
            result = ast.copy_location(ast.BinOp(left=result, op=op(), right=operand), node)
        return result

    # pass 1 ----------------------------------------------------------------
    def sign_block(self, stmts: list[ast.stmt], env: dict[str, str]) -> None:
        """Pass 1 over a block, in original order."""
        for stmt in stmts:
            self.keys[id(stmt)] = self.stmt(stmt, env)

    def stmt(self, stmt: ast.stmt, env: dict[str, str]) -> str:
        """Pass 1 on one statement: sort operands, update ``env`` with what it defines, return its key."""
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self.sign_def(stmt, env)
        self.memo = {}
        for field in _HEAD_FIELDS[type(stmt)]:
            value = getattr(stmt, field, None)
            if isinstance(value, ast.AST):
                setattr(stmt, field, self.expr(value, env))
            elif isinstance(value, list):
                setattr(stmt, field, [self.expr(v, env) if isinstance(v, ast.AST) else v for v in value])
        marked = _dump_head(stmt, self.mark, None, self.memo)
        self.heads[id(stmt)] = (stmt, marked, dict(env))  # the statement kept with it: its id cannot be reused
        head_key = _fill(marked, env)
        self.memo = None
        if isinstance(stmt, ast.Assign):
            for t_index, target in enumerate(stmt.targets):
                elts = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
                for e_index, elt in enumerate(elts):
                    base = _target_base(elt)
                    if base is not None:
                        prev = env.get(base, "") if not isinstance(elt, ast.Name) else ""
                        env[base] = _short_hash("%s|%d|%d|%s" % (head_key, t_index, e_index, prev))
            return head_key
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            ordered = [n.id for n in subnodes(stmt.target) if type(n) is ast.Name]  # ``ast.walk``'s order
            for i, name in enumerate(dict.fromkeys(ordered)):
                env[name] = _short_hash("for|%s|%d" % (head_key, i))
        body_keys = []
        for _field, block in list(_blocks(stmt)):
            branch = dict(env)
            self.sign_block(block, branch)
            body_keys.append(",".join(self.keys[id(s)] for s in block))
            for name, sig in branch.items():
                if env.get(name) != sig:
                    env[name] = _short_hash(env.get(name, "") + "|" + sig)
        key = head_key + "{" + ";".join(body_keys) + "}"
        if isinstance(stmt, ast.Expr):
            for name in _effect_writes(stmt):
                env[name] = _short_hash(env.get(name, "") + "|" + key)
        return key

    def sign_def(self, stmt: ast.FunctionDef | ast.AsyncFunctionDef, env: dict[str, str], need_key: bool = True) -> str:
        """Pass 1 on a def: its body with parameters signed as ``params`` spells them; its key (``""`` unless ``need_key``)."""
        inner = dict(env)
        for i, arg in enumerate(all_args(stmt.args)):
            inner[arg.arg] = self.params.get(arg.arg) or "p%d" % i
        self.sign_block(stmt.body, inner)
        if not need_key:
            return ""
        key = "def" + _short_hash(_dump(stmt, self.name_key(inner)))
        env[stmt.name] = key
        return key

    # pass 2 ----------------------------------------------------------------
    def refined_key(self, stmt: ast.stmt) -> str:
        """A statement's pass-1 key followed by the use signatures of the names it defines."""
        defined = self.reads_writes(stmt)[1] & self.local
        uses = sorted(self.use_signature(n) for n in defined)
        return self.keys.get(id(stmt), "") + "|" + ",".join(uses)

    def refined_keys(self, run: list[ast.stmt], keys: list[str]) -> list[str]:
        """The keys of a run made comparable as ``refined_key`` makes them, worked out only where needed.

        The use signatures after a key only decide a comparison with a key it is a prefix of
        (or equal to): elsewhere the keys differ first, or the ``|`` after the shorter one meets
        a character of the longer one, as no use signature holds a ``|``. So the other keys get
        ``|`` alone, and ``reorder`` picks the same statements (no new ties appear either).
        """
        ordered = sorted(keys)
        needed = {a for a, b in zip(ordered, ordered[1:]) if b.startswith(a)}  # prefixes sort just before
        return [self.refined_key(s) if key in needed else key + "|" for s, key in zip(run, keys)]

    def order_block(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        """Pass 2 over a block: order nested blocks, then each run between barriers."""
        for stmt in stmts:
            for _field, block in list(_blocks(stmt)):
                block[:] = self.order_block(block)
        out: list[ast.stmt] = []
        run: list[ast.stmt] = []
        for stmt in stmts:
            if isinstance(stmt, _BARRIERS):
                out.extend(self.reorder(run))
                run = []
                out.append(stmt)
            else:
                run.append(stmt)
        out.extend(self.reorder(run))
        return out

    def reorder(self, run: list[ast.stmt]) -> list[ast.stmt]:
        """Canonical topological order of a run: among ready statements, the smallest refined key first."""
        if len(run) < 2:
            return list(run)
        keys = [self.keys.get(id(s), "") for s in run]
        if len(set(keys)) < len(keys):  # ties: tell them apart by how their results are used
            keys = self.refined_keys(run, keys)
        effects = [self.reads_writes(s) for s in run]
        later: list[list[int]] = [[] for _ in run]  # the statements that must wait for each one
        waiting = [0] * len(run)  # how many statements each one waits for
        for j in range(len(run)):
            rj, wj = effects[j]
            touched = rj | wj  # i writes what j reads or writes, or reads what j writes
            for i in range(j):
                ri, wi = effects[i]
                if not (wi.isdisjoint(touched) and ri.isdisjoint(wj)):
                    later[i].append(j)
                    waiting[j] += 1
        # The ready statements in a heap by (key, position): the smallest is the one the
        # minimum over every ready statement would pick.
        ready = [(keys[i], i) for i in range(len(run)) if not waiting[i]]
        heapq.heapify(ready)
        order = []
        while ready:
            _key, pick = heapq.heappop(ready)
            order.append(run[pick])
            for j in later[pick]:
                waiting[j] -= 1
                if not waiting[j]:
                    heapq.heappush(ready, (keys[j], j))
        return order


def _all_statements(body: list[ast.stmt]) -> Iterable[ast.stmt]:
    """Every statement of a body, nested ones included."""
    for stmt in body:
        yield stmt
        for _field, block in _blocks(stmt):
            yield from _all_statements(block)


def _shallow_fields(kind: type) -> tuple[str, ...]:
    """The fields ``_SHALLOW_FIELDS`` walks for a node class: its child fields less the nested statement lists."""
    fields = CHILD_FIELDS[kind]
    if issubclass(kind, ast.stmt) or kind in (ast.ExceptHandler, ast.match_case):
        return tuple(f for f in fields if f not in _BLOCK_FIELDS)
    return fields


#: ``CHILD_FIELDS`` without the statement lists (``body``, ``orelse``, ``finalbody`` of a
#: statement, an ``except`` clause or a ``case``): a walk with it from a statement gives the
#: statement and its nodes outside its nested blocks (an expression's ``body``, as in ``IfExp``
#: and ``Lambda``, is kept).
_SHALLOW_FIELDS = {cls: _shallow_fields(cls) for cls in ast_classes()}


def _is_placed_chain(node: ast.BinOp, op: type, operands: list[ast.AST]) -> bool:
    """True if ``node`` is the left-nested chain of ``op`` over exactly ``operands`` (the same
    nodes, in order) and every ``BinOp`` of it is on ``node``'s line: what ``_Canoniser.chain``
    would build, as far as any later pass can tell (positions other than ``lineno`` are read
    by none)."""
    line = getattr(node, "lineno", None)
    current: ast.AST = node
    for operand in reversed(operands[1:]):
        if (type(current) is not ast.BinOp or type(current.op) is not op or current.right is not operand
                or getattr(current, "lineno", None) != line):
            return False
        current = current.left
    return current is operands[0]


def _flatten(node: ast.AST, op_type: type) -> list[ast.AST]:
    """Operands of a chain of the same operator: ``a + b + c`` -> ``[a, b, c]``."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, op_type):
        return _flatten(node.left, op_type) + _flatten(node.right, op_type)
    return [node]


def _dump_head(stmt: ast.stmt, rename: Callable[[str], str] | None,
               by_node: Callable[[ast.Name], str] | None = None, memo: dict | None = None) -> str:
    """Dump of a statement without its nested blocks; assignment targets that are plain names become ``T``.

    ``memo``: as for ``_dump``.
    """
    kind = type(stmt)
    parts = [kind.__name__]
    fields = _HEAD_FIELDS.get(kind) or _head_fields(kind)
    for field in fields:
        value = getattr(stmt, field, _MISSING)
        if value is _MISSING or field == "type_comment":  # as ``ast.iter_fields``: a field not set is left out
            continue
        if field == "targets" and kind is ast.Assign and by_node is None:
            parts.append("[" + ",".join([_dump_target(t, rename) for t in value]) + "]")
        else:
            parts.append(_dump(value, rename, by_node, memo))
    return " ".join(parts)


def _head_fields(kind: type) -> tuple[str, ...]:
    """The fields of a statement class outside its nested blocks, in order (``_HEAD_FIELDS``)."""
    return tuple(f for f in kind._fields if f not in _BLOCK_FIELDS and f not in ("handlers", "cases"))


#: For each node class, the fields ``_dump_head`` and ``_Canoniser.stmt`` read (read from a
#: table rather than through ``ast.iter_fields``).
_HEAD_FIELDS = {cls: _head_fields(cls) for cls in ast_classes()}
_MISSING = object()


def _dump_target(target: ast.AST, rename: Callable[[str], str]) -> str:
    """Dump of an assignment target: a plain name is ``T`` (its spelling is arbitrary), a partial write keeps its base's signature."""
    if isinstance(target, ast.Name):
        return "T"
    if isinstance(target, (ast.Tuple, ast.List)):
        return "(" + ",".join(_dump_target(e, rename) for e in target.elts) + ")"
    return _dump(target, rename)


def _effect_writes(stmt: ast.stmt) -> set[str]:
    """Names an expression statement may mutate: the receiver of a mutating method, else every name it mentions."""
    receiver = _mutated_receiver(stmt)
    return {receiver} if receiver is not None else _loaded_names(stmt)


def _mutated_receiver(stmt: ast.stmt) -> str | None:
    """``lst`` for the statement ``lst.append(x)`` (a mutating method called on a name), else None."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        if isinstance(func, ast.Attribute) and func.attr in _MUTATORS and isinstance(func.value, ast.Name):
            return func.value.id
    return None


def _reads_writes(stmt: ast.stmt, nested: Callable[[ast.stmt], tuple[set[str], set[str]]] | None = None,
                  own: tuple[set[str], set[str]] | None = None) -> tuple[set[str], set[str]]:
    """Conservative read and write sets of a statement, for dependency ordering.

    Writes include partially updated variables (``a[t] = ...`` writes ``a``),
    receivers of mutating methods, everything an expression-statement call
    mentions, and the pseudo-variable ``<io>`` for such calls so they keep
    their relative order.

    The statement's own nodes are walked here and the sets of the statements nested in it
    are added from ``nested(statement)`` (default: this function), so that a caller who keeps
    them (``_Canoniser.reads_writes``) does not walk nested statements again for each level
    (every rule looks at one node and what is below it, so the sets are the same). ``own``:
    ``_own_reads_writes(stmt)`` if known.
    """
    reads, writes = own if own is not None else _own_reads_writes(stmt)
    blocks = _blocks(stmt)
    if blocks:
        reads, writes = set(reads), set(writes)
    for _field, block in blocks:
        for inner in block:
            inner_reads, inner_writes = nested(inner) if nested is not None else _reads_writes(inner)
            reads |= inner_reads
            writes |= inner_writes
    return reads, writes


def _own_reads_writes(stmt: ast.stmt) -> tuple[set[str], set[str]]:
    """``_reads_writes`` of a statement less its nested statements (its reads: every name its
    head reads, as ``_Canoniser.use_signature`` looks for them)."""
    reads: set[str] = set()
    writes: set[str] = set()
    Name, Load, ruled = ast.Name, ast.Load, _RULED
    for n in nodes(stmt, _SHALLOW_FIELDS):
        kind = type(n)
        if kind not in ruled:
            continue
        if kind is Name:
            (reads if type(n.ctx) is Load else writes).add(n.id)
        elif kind is ast.arg:
            writes.add(n.arg)
        elif kind is ast.Assign:
            for t in n.targets:
                for elt in (t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t]):
                    base = _target_base(elt)
                    if base is not None:
                        writes.add(base)
        elif kind is ast.Call:
            if isinstance(n.func, ast.Attribute) and n.func.attr in _MUTATORS:
                base = _target_base(n.func.value)
                if base is not None:
                    writes.add(base)
        elif kind is ast.Expr:
            if isinstance(n.value, ast.Call) and _mutated_receiver(n) is None:
                writes |= _loaded_names(n)
                writes.add("<io>")
        elif kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            writes.add(n.name)
        elif kind is ast.alias:
            writes.add((n.asname or n.name).split(".")[0])
        elif kind is ast.ExceptHandler and n.name:
            writes.add(n.name)
    return reads, writes


#: The node classes ``_reads_writes`` has a rule for (most nodes are none of these).
_RULED = frozenset({ast.Name, ast.arg, ast.Assign, ast.Call, ast.Expr, ast.FunctionDef, ast.AsyncFunctionDef,
                    ast.ClassDef, ast.alias, ast.ExceptHandler})


# --------------------------------------------------------------------------- steps 6-7


def _local_names(tree: ast.AST, keep_names: frozenset[str]) -> set[str]:
    """Names that are renamed: everything not a builtin, not kept, i.e. bound here or unknown globals."""
    names: set[str] = set()
    stored: set[str] = set()
    for n in subnodes(tree):
        kind = type(n)
        if kind is ast.Name:
            names.add(n.id)
            if type(n.ctx) is not ast.Load:
                stored.add(n.id)
        elif kind is ast.arg:
            stored.add(n.arg)
        elif kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            stored.add(n.name)
        elif kind is ast.alias:
            stored.add((n.asname or n.name).split(".")[0])
        elif kind is ast.ExceptHandler and n.name:
            stored.add(n.name)
    names |= stored
    return {n for n in names if n not in keep_names and (n not in _BUILTINS or n in stored)}


_SILENT = (ast.operator, ast.boolop, ast.cmpop, ast.unaryop, ast.expr_context)
#: For each node class that emits a token: its name, the fields walked in order, whether it is a
#: statement, and whether it has an operator (``op``; looking for a missing attribute costs an
#: exception caught inside ``getattr``).
_TOKEN_TABLE = {cls: (cls.__name__, CHILD_FIELDS[cls], issubclass(cls, ast.stmt), "op" in cls._fields)
                for cls in ast_classes() if not issubclass(cls, _SILENT)}


class _Tokeniser:
    """Pre-order walk emitting tokens with line numbers, renaming locals (preset spellings, else by first occurrence)."""

    def __init__(self, local: set[str], keep_names: frozenset[str],
                 headers: dict[int, list[ast.arg]] | None = None):
        self.local = local
        self.keep_names = keep_names
        #: The parameters of each def numbered by use (``id`` of the def -> its ``ast.arg`` nodes
        #: in that order, ``_parameter_spellings``): its header lists them so, not by position.
        self.headers = headers or {}
        self.names: dict[str, str] = {}
        self.tokens: list[str] = []
        self.lines: list[int] = []

    def rename(self, name: str) -> str:
        """Canonical spelling of ``name``: ``v<i>`` by first occurrence for locals."""
        if name not in self.local:
            return name
        if name not in self.names:
            self.names[name] = "v%d" % len(self.names)
        return self.names[name]

    def preset(self, names: dict[str, str]) -> None:
        """Use the given spellings for these locals (the others keep first-occurrence numbering)."""
        self.names.update(names)

    def emit(self, token: str, line: int) -> None:
        """Append one token."""
        self.tokens.append(token)
        self.lines.append(line)

    def walk(self, node: object, line: int) -> None:
        """Emit the tokens of ``node`` (an AST node or a list of them)."""
        kind = type(node)
        if kind is list:
            for item in node:
                self.walk(item, line)
            return
        entry = _TOKEN_TABLE.get(kind)
        if entry is None:  # not a node, or an operator or context (part of its parent's token)
            return
        line = getattr(node, "lineno", line) or line
        if kind is _NAME:
            self.emit("n:" + self.rename(node.id), line)
            return
        if kind is _CONSTANT:
            self.emit("c:" + _const_repr(node.value)[:40], line)
            return
        if kind is _ARG:
            self.emit("a:" + self.rename(node.arg), line)
            return
        if kind is _FUNCTION_DEF or kind is _ASYNC_FUNCTION_DEF:
            name = "F" if node.name in self.keep_names else self.rename(node.name)
            self.emit("def:" + name, line)
            self.walk(self.headers.get(id(node)) or all_args(node.args), line)
            self.walk(node.args.defaults, line)
            self.walk(node.body, line)
            self.emit("}", line)
            return
        token, fields, is_stmt, has_op = entry
        op = getattr(node, "op", None) if has_op else None
        if op is not None:
            token += ":" + type(op).__name__
        if kind is _COMPARE:
            token += ":" + ",".join(type(o).__name__ for o in node.ops)
        elif kind is _ATTRIBUTE:
            self.walk(node.value, line)
            self.emit("." + node.attr, line)
            return
        elif kind is _KEYWORD:
            token = "kw:" + (node.arg or "**")
        elif kind is _ALIAS:
            token = "alias:" + node.name
        self.emit(token, line)
        for field in fields:
            self.walk(getattr(node, field, None), line)
        if is_stmt and _blocks(node):
            self.emit("}", line)


# --------------------------------------------------------------------------- entry point


#: Splits a source into other text (even items) and string literals, comments and
#: identifiers (odd items) for ``renaming_key``. A string left open is taken to the end of its
#: line (the source's end for a triple-quoted one), as Python's tokenizer reads it before it gives
#: up, so that each opening quote is scanned once: where the pattern needed the closing quote, an
#: opening that had none was scanned to the end, and then again from the next quote (lines
#: ``s = \\'''`` of an unparseable source: 4.7 s for 65,000 characters). ``_open_string``
#: tells such a piece.
_KEY_SPLIT = re.compile(
    r"""([rRbBuUfF]{0,2}(?:'''(?:[^\\]|\\.)*?(?:'''|\Z)|\"\"\"(?:[^\\]|\\.)*?(?:\"\"\"|\Z)"""
    r"""|'(?:[^'\\\n]|\\.)*'?|"(?:[^"\\\n]|\\.)*"?)"""
    r"""|\#[^\n]*|\b[A-Za-z_]\w*)""",
    re.S,
)


_QUOTES = ("'", '"')


def _open_string(word: str) -> bool:
    """Whether ``word``, a string literal of ``_KEY_SPLIT``, is left open (its closing quote
    missing, or escaped by an odd run of backslashes): the source does not parse."""
    body = word.lstrip("rRbBuUfF")
    quote = body[:3] if body[:3] in ("'''", '"""') else body[:1]
    if len(body) < 2 * len(quote) or not body.endswith(quote):
        return True
    end = len(body) - len(quote)
    start = end
    while start > len(quote) and body[start - 1] == "\\":
        start -= 1
    return (end - start) % 2 == 1


_KEYWORD_ARG = re.compile(r"\s*=(?!=)")
#: Spaces next to a bracket or comma (never leading indentation): they do not change the tokens.
_KEY_SPACES = re.compile(r"(?<=[,()\[\]{}])[ \t]+|(?<=\S)[ \t]+(?=[,()\[\]{}])")
#: Identifiers whose spelling reaches the tokens other than through renaming
#: (import aliases, ``global`` names, exception and pattern names, class bodies):
#: a source using one of these words as code gets no renaming key.
_KEY_GUARDS = frozenset({"import", "global", "nonlocal", "except", "class", "match", "case"})
_KEY_VERBATIM = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | _BUILTINS


@dataclass(frozen=True)
class RenamingKey:
    """``renaming_key`` of a source: the key text and, per line of the key, the source line it came from."""

    text: str
    lines: tuple[int, ...]


def renaming_key(source: str, keep_names: frozenset[str] = DEFAULT_KEEP_NAMES) -> RenamingKey | None:
    """The source with comments and blank lines dropped and renamable identifiers numbered, or None.

    Two sources with the same key text differ only by a consistent
    (one-to-one) renaming of local identifiers, by comments, by blank
    lines and by spaces next to brackets and commas; ``normalise_function`` gives them the same tokens, and lines that
    correspond through ``RenamingKey.lines``, because its output never depends
    on how a local is spelled nor on comments. Kept verbatim: string literals
    (their line breaks included), attribute names, names before ``=`` inside
    brackets (``f(axis=0)``, defaults), keywords, builtins, ``keep_names`` and
    the layout of the remaining lines. None when the source uses a construct
    whose names reach the tokens (``import``, ``global``, ``except``,
    ``class``, ``match``...) or a backslash outside string literals, and when it
    holds a carriage return: Python ends a line there, the key's patterns do not, so
    the code after ``#...\\r`` was read as a comment (keys equal, tokens not) and the
    rest of the source out of step (100,000 characters of lines ``\\'''`` then cost
    15 s). Extraction writes none (a cell's line ends are made ``\\n``); read in step,
    a parseable source opens no string it does not close, so the patterns try each
    opening once.
    """
    if "\r" in source:
        return None
    pieces = _KEY_SPLIT.split(source)
    names: dict[str, str] = {}
    depth = 0
    out: list[str] = []
    append = out.append
    verbatim = _KEY_VERBATIM
    last = len(pieces) - 1
    counted = 0  # the bracket depth counts the other text of pieces[:counted] (worked out when needed)
    for i in range(0, len(pieces), 2):
        other = pieces[i]
        if other:
            if "\\" in other:
                return None
            append(_KEY_SPACES.sub("", other) if " " in other or "\t" in other else other)
        if i == last:
            break
        word = pieces[i + 1]
        first = word[0]
        if first == "#":
            continue
        if first in "'\"" or word[-1] in "'\"" or word[1:2] in _QUOTES or word[2:3] in _QUOTES:
            # a string literal (possibly prefixed; one left open does not end with its quote)
            if _open_string(word):
                return None
            append(word.replace("\n", "\x01"))
            continue
        if word in _KEY_GUARDS:
            return None
        if word in keep_names or word in verbatim or other.rstrip().endswith("."):
            append(word)
            continue
        if _KEYWORD_ARG.match(pieces[i + 2]) is not None:  # a keyword argument if inside brackets
            between = "".join(pieces[counted:i + 1:2])
            depth += between.count("(") + between.count("[") + between.count("{")
            depth -= between.count(")") + between.count("]") + between.count("}")
            counted = i + 2
            if depth > 0:
                append(word)
                continue
        spelled = names.get(word)
        if spelled is None:
            spelled = names[word] = "\x00%d\x00" % len(names)
        append(spelled)
    kept: list[str] = []
    lines: list[int] = []
    line = 1
    for text in "".join(out).split("\n"):
        stripped = text.rstrip()
        if stripped:
            kept.append(stripped)
            lines.append(line)
        line += 1 + text.count("\x01")
    return RenamingKey("\n".join(kept), tuple(lines))


class Normaliser:
    """``normalise_function`` with fixed settings, memoised for a class of submissions.

    Results are cached by exact source text and by ``renaming_key``, so the
    work is done once per distinct function up to renaming, comments and
    blank lines (a renamed or commented copy, or two students who wrote the
    same code with different names, cost one normalisation; the cached lines
    are mapped to the new source's lines). Calling it gives exactly what
    ``normalise_function`` gives with the same settings. The cache lives in
    the instance.
    """

    def __init__(self, *, keep_names: frozenset[str] = DEFAULT_KEEP_NAMES,
                 template_shapes: frozenset[str] | set[str] = frozenset(), remove_dead: bool = True,
                 compared_for: str | None = None):
        self.keep_names = frozenset(keep_names)
        self.template_shapes = frozenset(template_shapes)
        self.remove_dead = remove_dead
        self.compared_for = compared_for
        self._by_source: dict[str, NormalisedCode] = {}
        self._by_key: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {}
        #: How many sources were actually normalised (the others came from the cache).
        self.computed = 0

    def __call__(self, source: str) -> NormalisedCode:
        """Canonical tokens of ``source`` (see ``normalise_function``)."""
        found = self._by_source.get(source)
        if found is not None:
            return found
        key = renaming_key(source, self.keep_names)
        cached = self._by_key.get(key.text) if key is not None else None
        if cached is not None:
            tokens, ordinals = cached
            found = NormalisedCode(tokens, tuple([key.lines[i] for i in ordinals]), True)
            self._by_source[source] = found
            return found
        self.computed += 1
        found = normalise_function(source, keep_names=self.keep_names, template_shapes=self.template_shapes,
                                   remove_dead=self.remove_dead, compared_for=self.compared_for)
        self.remember(source, found, key)
        return found

    def remember(self, source: str, code: NormalisedCode, key: RenamingKey | None | bool = False) -> None:
        """Record ``code``, the result of ``normalise_function(source)`` with these settings (computed elsewhere).

        ``key``: the ``renaming_key`` of ``source`` if already known (``False``: compute it).
        """
        self._by_source[source] = code
        if key is False:
            key = renaming_key(source, self.keep_names)
        if key is None or not code.parsed or key.text in self._by_key:
            return
        index = {line: i for i, line in enumerate(key.lines)}
        if all(line in index for line in code.lines):  # every token comes from a line with code
            self._by_key[key.text] = (code.tokens, tuple([index[line] for line in code.lines]))


#: ``textwrap``'s pattern of a line of spaces and tabs only, which ``textwrap.dedent`` empties.
_WHITESPACE_ONLY = re.compile("^[ \t]+$", re.MULTILINE)


def _dedent(source: str) -> str:
    """``textwrap.dedent(source)``, its usual case in one pass.

    When the first character is not a space, a tab or a line break, the first line has no
    indentation, so no common margin can be removed: ``textwrap.dedent`` then only empties
    the lines of spaces and tabs, which is done here without looking for a margin.
    """
    if source[:1] not in ("", " ", "\t", "\n"):
        return _WHITESPACE_ONLY.sub("", source)
    return textwrap.dedent(source)


def _parse(source: str) -> ast.Module | None:
    """Parse ``source`` (dedented); IPython magics and shell lines are blanked first. None if invalid."""
    text = _dedent(source)
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in text.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def normalise_function(
    source: str,
    *,
    keep_names: frozenset[str] = DEFAULT_KEEP_NAMES,
    template_shapes: frozenset[str] | set[str] = frozenset(),
    remove_dead: bool = True,
    compared_for: str | None = None,
) -> NormalisedCode:
    """Canonical tokens of ``source`` (a ``def``, or any Python text).

    ``keep_names``: global names kept as spelled (plus builtins).
    ``template_shapes``: renaming-blind statement dumps of the starter code
    (``statement_shapes``); matching simple statements are removed.
    ``remove_dead``: False keeps dead code (used to fingerprint the starter code itself).
    ``compared_for``: the function the text is compared as, when known: a def named as another
    function of ``keep_names`` in it (a copy of ``rnn_cell_forward`` defined as
    ``lstm_cell_forward`` or ``sigmoid`` behind a wrapper) is then numbered by use, as any helper
    is; None numbers every def of a kept name by position.

    Never raises for odd input: text that does not parse, or whose AST is too
    deep for the recursive passes, gets the token-stream fallback
    (``parsed=False``), so one strange submission cannot stop a class report.
    How deep is too deep does not depend on the caller (``grader.astnodes.stack_budget``).
    """
    by_position = keep_names if compared_for is None else keep_names & {compared_for}
    with stack_budget():
        return _normalise_source(source, keep_names=keep_names, template_shapes=template_shapes,
                                 remove_dead=remove_dead, by_position=by_position)


def _normalise_source(source: str, *, keep_names: frozenset[str], template_shapes: frozenset[str] | set[str],
                      remove_dead: bool, by_position: frozenset[str]) -> NormalisedCode:
    """``normalise_function``'s work, within the recursion limit it set."""
    tree = _parse(source)
    if tree is None:
        return _fallback_tokens(source, keep_names)
    try:
        return _normalise_tree(tree, keep_names=keep_names, template_shapes=template_shapes, remove_dead=remove_dead,
                               by_position=by_position, tests_none="None" in source,
                               tests_inputs=may_test_inputs(source), loops=_may_count(source),
                               sizes=".shape[" in source)
    except RecursionError:
        return _fallback_tokens(source, keep_names)


def _normalise_tree(tree: ast.Module, *, keep_names: frozenset[str], template_shapes: frozenset[str] | set[str],
                    remove_dead: bool, by_position: frozenset[str], tests_none: bool = True,
                    tests_inputs: bool = True, loops: bool = True, sizes: bool = True) -> NormalisedCode:
    """Steps 1-7 of the module docstring on a parsed tree (modified in place). ``tests_none``:
    False when the text has no ``None`` (most), which spares ``specialise_for_calls`` a walk;
    ``tests_inputs`` when ``may_test_inputs`` finds nothing (most), ``loops`` when
    ``_may_count`` finds nothing, ``sizes`` when the text holds no ``.shape[``."""
    specialise_for_calls(tree, by_position, tests_none=tests_none, tests_inputs=tests_inputs)
    _own_locals(tree, keep_names)
    bind_unpassed_defaults(tree, by_position)
    tree.body = _Simplifier().block(tree.body)
    if len(tree.body) > 1:
        _inline_held_state(tree)
    drop_leading_guards(tree)
    _promote_unpacked_parameters(tree)
    if len(tree.body) > 1:
        _inline_helpers(tree, keep_names)
    if loops:
        _canonical_loops(tree)
    if sizes:
        _join_shape_reads(tree)
    rewriter = _Rewriter()
    tree = rewriter.visit(tree)
    if rewriter.reads_to_canonise() and _canonical_reads(tree, rewriter):
        rewriter = _Rewriter()  # what the reads became rewritten as the rest (``np.dot`` of ``dot``), counted again
        tree = rewriter.visit(tree)
    if remove_dead:
        _remove_dead_code(tree, rewriter.counts, rewriter.protected)
        if len(tree.body) > 1:  # a def left a relay by the dead code gone
            drop_relays(tree, callables_by_name(tree.body)[0].values(), rewriter.counts)
        local = _counted_locals(*rewriter.counts[1:], keep_names)
        drop_unread_parameters(tree, rewriter.counts[0])
    else:
        local = _local_names(tree, keep_names)
    spelt, headers = _parameter_spellings(tree, local, by_position)
    canoniser = _Canoniser(local, spelt)
    tree.body = canoniser.canonise(tree.body)
    blind_memo: dict = {}  # renaming-blind dumps of subtrees, shared: the tree does not change in between
    shape_names = _shape_names(tree.body, local, blind_memo, canoniser.heads, spelt)
    if template_shapes:
        _strip_template(tree, template_shapes, local, blind_memo)
    tokeniser = _Tokeniser(local, keep_names, headers)
    tokeniser.preset(shape_names)
    tokeniser.walk(tree.body, 1)
    return NormalisedCode(tuple(tokeniser.tokens), tuple(tokeniser.lines), True)


#: How many nodes ``_inline_helpers`` may copy into a text, at most: a one-line helper returning
#: a tuple of 4,000 products, called 390 times (45 kB), took 85 s to normalise when it was
#: copied into each call; a course function split into helpers is a few hundred nodes.
_INLINED_NODES = 20_000


def _inline_held_state(tree: ast.Module) -> None:
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
        read = _loaded_names(ast.Module([s for s in tree.body if type(s) is not ast.ClassDef or s.name not in inlined], []))
        tree.body = [s for s in tree.body if type(s) is not ast.ClassDef or s.name not in inlined - read]


def _simple_value(node: ast.AST) -> bool:
    """A name, a constant or an attribute of a name (``np.tanh``): what a class may be given to hold."""
    while type(node) is ast.Attribute:
        node = node.value
    return type(node) is ast.Name or type(node) is ast.Constant


def _held_state_call(body: list[ast.stmt], classes: dict[str, ast.ClassDef]) -> ast.Call | None:
    """The call ``K(a, ...).m(b, ...)`` a def's ``body`` only returns (``_inline_held_state``), the
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
                and obj.id not in _loaded_names(ast.Module([ast.Expr(a) for a in call.args], []))):
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
    """The body of ``cls``'s ``method`` as ``_inline_held_state`` puts it in place of the call
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
            return _placed_copy(held[node.attr], node)
        if type(node) is ast.Name and node.id == this:
            raise LookupError  # ``self`` read whole
        return _reads_as(init_values)(node)

    for stmt in init.body:
        target = stmt.targets[0] if type(stmt) is ast.Assign and len(stmt.targets) == 1 else None
        if not (type(target) is ast.Attribute and type(target.value) is ast.Name and target.value.id == this
                and not stored_names(stmt.value)):
            return None
        value = ast.Expr(copy.deepcopy(stmt.value))
        try:
            _swap(value, stored)
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
            return _placed_copy(held[node.attr], node)
        if type(node) is ast.Name and node.id == self_name:
            raise LookupError  # ``self`` read otherwise than for what it holds
        return _reads_as(reads)(node)

    try:
        _swap(body, pick)
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


def _inline_helpers(tree: ast.Module, keep_names: frozenset[str]) -> None:
    """Put the body of each helper def of the text in place of its calls, and leave the helper out:
    a classmate's ``rnn_cell_forward`` split into ``_activation(xt, a_prev, parameters)`` and
    ``_output(a_next, parameters)``, which the graded def calls before building the cache, scored
    0.05 against the original (thirty-first session). A helper is a top-level def not named as a
    kept name, undecorated, of positional parameters only, that it does not assign, whose body
    holds no other def, lambda, class, ``yield``, ``global`` or ``nonlocal``, does not call
    itself, and ends with its only ``return`` (``_inlinable``); each of its calls is a statement
    (``y = h(a, b)``, ``return h(a, b)``, ``h(a, b)``) in another def, with as many positional
    arguments. Runs after ``_own_locals``, so the helper's locals keep spellings of their own; an
    argument that is a name or a constant takes the parameter's place, another is assigned to it
    first. Three rounds (a helper calling a helper), ``_INLINED_NODES`` copied at most."""
    budget = _INLINED_NODES
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
                    for _field, block in _blocks(node):
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
            if not found or loads.get(name, 0) != len(found) or budget < cost:
                continue
            budget -= cost
            expressions = {id(call): helper.body[0].value for block, call in found if block is None}
            if expressions:
                _ValueOf(helper, expressions).visit(tree)
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
    """Whether ``helper``'s body can be put in place of its calls (``_inline_helpers``)."""
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
    read as the arguments (``_inline_helpers``)."""

    def __init__(self, helper: ast.FunctionDef, calls: dict[int, ast.AST]) -> None:
        self.params = [a.arg for a in helper.args.args]
        self.calls = calls

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        value = self.calls.get(id(node))
        if value is None:
            return node
        return ast.copy_location(_Substitute(dict(zip(self.params, node.args))).visit(copy.deepcopy(value)), node)


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
    body = [_Substitute(direct).visit(copy.deepcopy(s)) for s in helper.body]
    result = body.pop().value
    if type(stmt) is ast.Assign:
        out += [*body, ast.copy_location(ast.Assign(targets=stmt.targets, value=result), stmt)]
    elif type(stmt) is ast.Return:
        out += [*body, ast.copy_location(ast.Return(result), stmt)]
    else:
        out += [*body, ast.copy_location(ast.Expr(result), stmt)]
    return out


class _Substitute(ast.NodeTransformer):
    """Reads of the given names become (copies of) the given names or constants (``_inlined``)."""

    def __init__(self, values: dict[str, ast.AST]) -> None:
        self.values = values

    def visit_Name(self, node: ast.Name) -> ast.AST:
        value = self.values.get(node.id)
        if value is None or type(node.ctx) is not ast.Load:
            return node
        return ast.copy_location(copy.copy(value), node)


#: NumPy's functions a student reads bare after ``from numpy import ...`` (or ``*``): such a name
#: that the text does not bind reads as ``np.<name>`` (``_canonical_reads``). Names of builtins
#: (``sum``, ``max``, ``abs``...) are left out: read free, they are the builtins.
_NUMPY_NAMES = frozenset({
    "tanh", "exp", "log", "sqrt", "dot", "matmul", "multiply", "add", "subtract", "divide", "power", "square",
    "zeros", "zeros_like", "ones", "ones_like", "empty", "transpose", "concatenate", "vstack", "hstack",
    "outer", "maximum", "minimum", "reshape", "mean", "tile", "clip", "argmax"})
#: Modules an alias may name an attribute of (``t = np.tanh``, ``_alias_of``).
_MODULES = frozenset({"np", "numpy", "math"})


def _canonical_reads(tree: ast.Module, rewriter: _Rewriter) -> bool:
    """Values read one way, however a copier spells the reading (thirty-second session):

    * a name of NumPy's functions (``_NUMPY_NAMES``) the text reads and does not bind, or one a
      ``from numpy import tanh [as t]`` of the text alone binds, is ``np.tanh`` (``from
      numpy.linalg import norm``: ``np.linalg.norm``, thirty-third session) (the import, unread,
      goes with the dead code): a copy writing ``tanh(...)`` scored 0.41 against its original;
    * an alias, a name a def assigns once at its top level to a parameter, a name bound once
      before, a free name or an attribute of NumPy (``p = parameters``, ``t = np.tanh``), is read
      as what it names (``_resolve_aliases``; 0.25-0.30);
    * a lookup by a constant key of a parameter the def never writes, or of a name one earlier
      top-level statement binds (``parameters["Wax"]``, ``parameters.get("Wax")``), is read
      through a local: the one a top-level ``Wax = parameters["Wax"]`` before it defines, else a
      new one assigned first (``_hoist_lookups``). One lookup written in place of its local
      scored 0.05, every lookup inlined or read with ``.get`` gave no pair.

    Runs after ``rewriter`` (a ``_Rewriter``, which split the tuples assigned to as many names,
    ``_split``) when its ``reads_to_canonise`` says there may be work; its counts are kept right
    for the lookups. True when what changed must be rewritten again (a NumPy name or an alias:
    ``np.dot(a, b)`` of ``dot(a, b)`` is ``a @ b``) and counted anew."""
    stored = rewriter.counts[2]
    spelled = {name: name for name in rewriter.bare if not stored.get(name)}
    if rewriter.rereads:
        for node in subnodes(tree):
            module = node.module if type(node) is ast.ImportFrom and not node.level else None
            if module and (module == "numpy" or module.startswith("numpy.")):
                for alias in node.names:
                    bound = alias.asname or alias.name
                    if alias.name != "*" and stored.get(bound) == 1:
                        spelled[bound] = f"{module[6:]}.{alias.name}" if module != "numpy" else alias.name
    again = bool(spelled)
    if spelled:
        _NumpyReads(spelled).visit(tree)
    for unit in defs_of(tree):
        again = _resolve_aliases(unit, stored) or again
        _hoist_lookups(unit, rewriter.counts)
    return again


def _split(stmt: ast.stmt) -> list[ast.stmt]:
    """The assignments ``stmt`` stands for: ``[stmt]`` but for a tuple (a list) of names assigned as
    many values none of them reads, ``a, b = x, y``, which is ``a = x`` then ``b = y``; a
    comprehension over a tuple of constants (``[p[k] for k in ("a", "b")]``) is the tuple of its
    items. A copy spelling the parameters' five lookups as one assignment scored 0.22 against its
    original, as a comprehension it gave no pair (thirty-second session)."""
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
                _swap(elt, _reads_as({loop.target.id: item}))
                items.append(elt.value)
            value = ast.copy_location(ast.Tuple(items, ast.Load()), value)
    if type(value) not in (ast.Tuple, ast.List) or len(value.elts) != len(names):
        return [stmt]
    if any(type(e) is ast.Starred for e in value.elts) or {n.id for n in names} & _loaded_names(value):
        return [stmt]
    return [ast.copy_location(ast.Assign(targets=[name], value=item), stmt) for name, item in zip(names, value.elts)]


def _join_shape_reads(tree: ast.Module) -> None:
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
                    and not names & _loaded_names(run[0][3])):
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
    a lookup by a constant key, ``k`` an int), else None (``_join_shape_reads``)."""
    if not (type(stmt) is ast.Assign and len(stmt.targets) == 1 and type(stmt.targets[0]) is ast.Name):
        return None
    value = stmt.value
    if not (type(value) is ast.Subscript and type(value.slice) is ast.Constant and type(value.slice.value) is int
            and type(value.value) is ast.Attribute and value.value.attr == "shape"):
        return None
    base = value.value.value
    if type(base) is ast.Name:
        of = base.id
    elif _key_read(base) is not None and type(base) is ast.Subscript:
        of = "%s[%r]" % _key_read(base)
    else:
        return None
    return stmt.targets[0], of, value.slice.value, value.value


class _NumpyReads(ast.NodeTransformer):
    """Reads of the given names become ``np.<NumPy's name>`` (``_canonical_reads``)."""

    def __init__(self, spelled: dict[str, str]) -> None:
        self.spelled = spelled

    def visit_Name(self, node: ast.Name) -> ast.AST:
        path = self.spelled.get(node.id)
        if path is None or type(node.ctx) is not ast.Load:
            return node
        read: ast.AST = ast.copy_location(ast.Name("np", ast.Load()), node)
        for attr in path.split("."):  # ``linalg.norm``: ``np.linalg.norm``
            read = ast.copy_location(ast.Attribute(read, attr, ast.Load()), node)
        return read


def _swap(root: ast.AST, pick: Callable[[ast.AST], ast.AST | None]) -> None:
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


def _reads_as(values: dict[str, ast.AST]) -> Callable[[ast.AST], ast.AST | None]:
    """A ``_swap`` picker: a read of a name of ``values`` becomes a copy of its value, put there."""
    def pick(node: ast.AST) -> ast.AST | None:
        if type(node) is not ast.Name or type(node.ctx) is not ast.Load:
            return None
        value = values.get(node.id)
        return None if value is None else _placed_copy(value, node)
    return pick


def _placed_copy(value: ast.AST, where: ast.AST) -> ast.AST:
    """A copy of ``value`` (a name, a constant or an attribute of a name: the values moved) at ``where``."""
    kind = type(value)
    if kind is ast.Name:
        return ast.copy_location(ast.Name(value.id, ast.Load()), where)
    if kind is ast.Attribute:
        return ast.copy_location(ast.Attribute(_placed_copy(value.value, where), value.attr, ast.Load()), where)
    return ast.copy_location(copy.deepcopy(value), where)


def _alias_of(value: ast.AST, params: set[str], stores: dict[str, int], before: set[str]) -> bool:
    """Whether ``value``, assigned to a name, makes that name an alias (``_resolve_aliases``): a
    name the def never rebinds (a parameter, a name bound once by a top-level statement in
    ``before``, a free name), or an attribute of a module of ``_MODULES`` the def does not bind."""
    if type(value) is ast.Name:
        bound = stores.get(value.id, 0)
        return bound == 0 or (bound == 1 and (value.id in params or value.id in before))
    if type(value) is not ast.Attribute:
        return False
    while type(value) is ast.Attribute:
        value = value.value
    return type(value) is ast.Name and value.id in _MODULES and not stores.get(value.id)


def _resolve_aliases(unit: ast.FunctionDef | ast.AsyncFunctionDef, stores: dict[str, int]) -> bool:
    """Read each alias of ``unit`` (``_canonical_reads``) as what it names; its assignment goes.
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
        pick = _reads_as(aliases)
        for stmt in unit.body:
            _swap(stmt, pick)
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


def _key_read(node: ast.AST) -> tuple[str, str] | None:
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
#: place (``_hoist_lookups``). The course's ``*_forward`` read ``parameters["Wya"].shape``; read
#: through a local, every ``*_forward`` of a class changed, which moved the fingerprints common to
#: 30 % of the real class of 105 notebooks, and 9 of its 31 flagged pairs with them (8 others
#: went), where a copier inlines the weights of the maths (thirty-second session).
_SIZES = frozenset({"shape", "ndim", "size", "dtype"})


def _hoist_lookups(unit: ast.FunctionDef | ast.AsyncFunctionDef,
                   counts: tuple[dict[str, int], dict[str, int], dict[str, int]]) -> None:
    """Read each lookup of ``unit`` (``_canonical_reads``) through a local, made when none holds it.
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
    sized: set[int] = set()  # ``parameters["Wya"].shape``: read for its size (``_SIZES``)
    Subscript, Call, Attribute, Load = ast.Subscript, ast.Call, ast.Attribute, ast.Load
    for i, stmt in enumerate(unit.body):
        for node in subnodes(stmt):
            kind = type(node)
            if kind is Subscript or kind is Call:
                read = _key_read(node)
                if read is not None:
                    if bound_at.get(read[0], len(unit.body)) < i and id(node) not in sized:
                        found.append((i, node, read))
                elif kind is Call:
                    if type(node.func) is Attribute and node.func.attr in _MUTATORS:
                        written.add(_target_base(node.func.value))
                elif type(node.ctx) is not Load:
                    written.add(_target_base(node))
            elif kind is Attribute:
                if type(node.ctx) is not Load:
                    written.add(_target_base(node))
                elif node.attr in _SIZES:
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
            _swap(stmt, lambda node: replaced.get(id(node)))
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


#: The ``range`` calls ``_canonical_range`` rewrites: ``range(n - 1, -1, -1)``, ``range(0, n)``.
_RANGE_FORMS = re.compile(r"range\s*\((?:[^\n]*-\s*1\s*\)|\s*0\s*,)")


def _may_count(source: str) -> bool:
    """A cheap look for the loops ``_canonical_loops`` rewrites, before any walk: most texts hold
    none."""
    return "while" in source or "::" in source or ("range" in source and _RANGE_FORMS.search(source) is not None)


def _canonical_loops(tree: ast.Module) -> None:
    """Loops that count, written one way: ``t = a`` followed by ``while t < b:`` whose body ends
    with ``t += 1`` (``<=``, and counting down with ``>``, ``>=`` and ``t -= 1``, likewise) is
    ``for t in range(a, b):``, when nothing else in the body binds ``t``, nothing after the step
    reads it and no ``continue`` skips the step (``_counted_range``), and nothing between ``t =
    a`` and the loop reads ``t`` (``_counter_start``); ``range(0, n)`` is ``range(n)``, and ``range(n - 1, -1,
    -1)`` and ``range(n)[::-1]`` are ``reversed(range(n))``. A copy of ``rnn_forward`` whose
    ``for`` became a ``while`` scored 0.30, of ``rnn_backward`` 0.45, and ``range(T_x - 1, -1,
    -1)`` for ``reversed(range(T_x))`` 0.57 (thirty-first session)."""
    for node in subnodes(tree):
        for _field, block in _blocks(node):
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
        if type(node) is ast.For:
            node.iter = _canonical_range(node.iter)


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
                or name in _loaded_names(stmt) or name in stored_names(stmt):
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
    None when it is not such a loop (``_canonical_loops``)."""
    test = loop.test
    if type(test) is not ast.Compare or len(test.ops) != 1 or not loop.body:
        return None
    op, left, right = type(test.ops[0]), test.left, test.comparators[0]
    if type(right) is ast.Name and right.id == name:  # ``b > t``: the other way round
        left, right = right, left
        op = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE}.get(op, op)
    if not (type(left) is ast.Name and left.id == name) or name in _loaded_names(right) or name in _loaded_names(start):
        return None
    steps = [k for k, stmt in enumerate(loop.body) if _step_of(stmt, name)]
    if len(steps) != 1:
        return None
    step = _step_of(loop.body[steps[0]], name)
    rest = [stmt for k, stmt in enumerate(loop.body) if k != steps[0]]
    if (any(name in stored_names(stmt) for stmt in rest)
            or any(name in _loaded_names(stmt) for stmt in loop.body[steps[0] + 1:])  # after the step: t + 1
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


def _canonical_range(node: ast.AST) -> ast.AST:
    """``range(0, n)`` -> ``range(n)``; ``range(n - 1, -1, -1)`` and ``range(n)[::-1]`` ->
    ``reversed(range(n))`` (``_canonical_loops``)."""
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
    if not is_range(node):
        return node
    args = node.args
    if len(args) == 2 and type(args[0]) is ast.Constant and type(args[0].value) is int and args[0].value == 0:
        node.args = [args[1]]
    elif (len(args) == 3 and _minus_one(args[1]) and _minus_one(args[2]) and type(args[0]) is ast.BinOp
          and type(args[0].op) is ast.Sub and type(args[0].right) is ast.Constant and args[0].right.value == 1
          and type(args[0].right.value) is int):
        node.args = [args[0].left]
        return reversed_of(node)
    return node


# --------------------------------------------------------------------------- parameters by use


def _promote_unpacked_parameters(tree: ast.Module) -> None:
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


#: How many items of a list field, characters of a word (a constant, a name, an attribute) and
#: characters of a node's words a use's context shows: a context's size is bounded whatever the
#: text (a 100,000-character name, a call of 10,000 arguments).
_CONTEXT_ITEMS, _CONTEXT_CHARS, _BRIEF_CHARS = 8, 24, 256
#: Operators whose operands have no order (``_Canoniser`` sorts them): a use's context there is
#: the operator and its operands' labels, sorted.
_UNORDERED_COMPARE = (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)


def _parameter_spellings(tree: ast.Module, local: set[str],
                         by_position: frozenset[str]) -> tuple[dict[str, str], dict[int, list[ast.arg]]]:
    """How each parameter of the text's defs is spelt: numbered as before (``p0``, ``p1``...;
    ``p<depth>_<k>`` in a nested def), in the header's order for a def named as a graded or
    provided function (``by_position``: the grader calls it by position, so its header is the
    course's), and in an order of their uses for any other def (``_parameter_order``). In a text
    compared for one function (``normalise_function(compared_for=)``) only a def of that name is
    numbered by position: a classmate's ``rnn_cell_forward`` copied as ``def
    lstm_cell_forward(parameters, a_prev, xt)`` behind ``return lstm_cell_forward(parameters,
    a_prev, xt)`` is called by the wrapper, not by the grader (0.14, twenty-ninth session).

    Numbered by position, a copy whose parameters a wrapper passes in another order (``def
    f9(parameters, a_prev, xt)`` behind ``return f9(parameters, a_prev, xt)``) spelt each
    parameter as another: 0.14 against its original, graded in full (twenty-sixth session's
    review). A def of the course's name keeps its numbers by position, so a student's graded
    functions read as before: ordered by their uses, honest variants of one function (a cache
    built otherwise, ``np.concatenate`` or slices) numbered their parameters apart, which moved
    which fingerprints are common to the class, and pairs near the threshold changed sides (8 to
    44 of the class of 400's flagged pairs lost, one to four real pairs of textbook code flagged:
    ``docs/similarity.md``, twenty-seventh session).

    Returns the spellings (empty when every def is numbered by position: the callers' default,
    and no context is worked out) and, for each def numbered by use, its parameters in that
    order (``id`` of the def -> ``ast.arg`` nodes), which its header lists."""
    defs = _defs_with_depth(tree.body)
    if not any(d.name not in by_position and len(all_args(d.args)) > 1 for d, _depth in defs):
        return {}, {}
    params = {a.arg for d, _depth in defs for a in all_args(d.args)}
    contexts, tuples = _parameter_contexts(tree, params, local)
    spelt: dict[str, str] = {}
    headers: dict[int, list[ast.arg]] = {}
    for d, depth in defs:
        args = {a.arg: a for a in all_args(d.args)}
        names = [name for name in args if name not in spelt]  # else a nested def's parameter
        # named as an outer one's: spelt as that
        if d.name in by_position:
            order = names
        else:
            order = _parameter_order(names, contexts, tuples)
            ordered = set(order)
            headers[id(d)] = [args[name] for name in order] + [a for name, a in args.items() if name not in ordered]
        for rank, name in enumerate(order):
            spelt[name] = "p%d" % rank if depth == 0 else "p%d_%d" % (depth, rank)
    return spelt, headers


def _parameter_order(names: list[str], contexts: dict[str, set[str]],
                     tuples: dict[str, dict[int, tuple[int, int]]]) -> list[str]:
    """A def's parameters (``names``, in the header's order) in the order the course's header
    would give them, read from how they are used, not from where they are.

    When one tuple display holds every parameter (a cell's cache, ``(a_next, a_prev, xt,
    parameters)``), in its order, but for the item before the last, which goes first: the
    course's caches hold the states, the input and the parameters, its headers the input, the
    states and the parameters (``(xt, a_prev, parameters)``, ``(xt, a_prev, c_prev,
    parameters)``). Otherwise, the parameters read as a record (``p["Wax"]``, ``p.get(...)``,
    unpacked or ``p[0]``: ``parameters``, ``cache``, ``caches``) last, as the course's headers
    put them; then by their reads' contexts (``_parameter_contexts``: the smallest, then all of
    them, as strings), which puts ``x`` (``x.shape``) before ``a0`` (``a_next = a0``); then by the
    header (parameters read alike). Parameters never read (with a default: the others are left
    out before, ``drop_unread_parameters``) come last, in the header's order: ``def f9(xt,
    a_prev, parameters, junk=0)`` kept the cache's order out of reach, and scored 0.14 where
    numbers by position gave 0.90."""
    unread = [name for name in names if not contexts.get(name)]
    if unread:
        return _parameter_order([name for name in names if contexts.get(name)], contexts, tuples) + unread
    if len(names) < 2:
        return list(names)
    found = {name: sorted(contexts.get(name, ())) for name in names}
    held = [tuples.get(name, {}) for name in names]
    shared = set(held[0]).intersection(*held[1:])
    if shared:
        # The largest such tuple; of tuples as large, the one whose order puts the parameters
        # read first (by their contexts) first; then the header's order, so the choice never
        # rests on where the tuples are in memory.
        places = {name: position for position, name in enumerate(names)}
        orders = {t: [name for _index, _position, name in sorted(
            (h[t][0], position, name) for position, (name, h) in enumerate(zip(names, held)))] for t in shared}
        chosen = min(shared, key=lambda t: (-held[0][t][1], [found[n] for n in orders[t]],
                                            [places[n] for n in orders[t]]))
        order = orders[chosen]
        return [order[-2], *order[:-2], order[-1]] if len(order) > 2 else order
    keys = [(_read_as_record(found[name]), found[name][:1], found[name], position, name)
            for position, name in enumerate(names)]
    return [name for *_key, name in sorted(keys)]


#: How the contexts of a parameter read as a record begin (``_UseLabels.context``).
_RECORD_CONTEXTS = ("Subscript @ #", "Assign [Tuple] @ ", "Assign [List] @ ", ".get @ ")


def _read_as_record(found: list[str]) -> bool:
    """Whether a parameter's contexts read it as a record: a subscript by a constant, an
    unpacking, ``.get``."""
    return any(context.startswith(_RECORD_CONTEXTS) for context in found)


def _defs_with_depth(body: list[ast.stmt]) -> list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, int]]:
    """Every def of a body with its depth as ``_shape_names`` counts it (the defs it is nested in;
    a class's methods are at the class's depth), in ``_shape_names``'s order."""
    out: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, int]] = []
    stack: list[tuple[ast.stmt, int]] = [(stmt, 0) for stmt in reversed(body)]
    while stack:
        stmt, depth = stack.pop()
        inner = depth
        if type(stmt) is _FUNCTION_DEF or type(stmt) is _ASYNC_FUNCTION_DEF:
            out.append((stmt, depth))
            inner = depth + 1
        for _field, block in reversed(_blocks(stmt)):
            stack.extend((s, inner) for s in reversed(block))
    return out


def _parameter_contexts(tree: ast.Module, params: set[str],
                        local: set[str]) -> tuple[dict[str, set[str]], dict[str, dict[int, tuple[int, int]]]]:
    """The contexts of the reads of each name in ``params``, and the tuple displays each is an item
    of (``id`` of the tuple -> its first index there and the tuple's length): one walk of the tree,
    each node's children looked at from their parent.

    A context is the read's parent node shown one level deep: the read as ``@``, other
    parameters as ``P``, a local as its first definition's value (``_first_values``), other names
    as spelt, constants and attributes as written; the operands of ``+``, ``*``, ``and``, ``or``,
    ``==`` as an unordered set, as the canoniser will sort them. Each is bounded
    (``_CONTEXT_ITEMS``, ``_BRIEF_CHARS``), so the work is linear in the text; none holds a
    local's name, so the result does not depend on how locals are spelt (``renaming_key``)."""
    labels = _UseLabels(tree, params, local)
    found: dict[str, set[str]] = {}
    tuples: dict[str, dict[int, tuple[int, int]]] = {}
    Tuple = ast.Tuple
    Name, Load, BinOp, BoolOp, Compare, AST = ast.Name, ast.Load, ast.BinOp, ast.BoolOp, ast.Compare, ast.AST
    Constant = ast.Constant
    child_fields = CHILD_FIELDS
    stack: list[ast.AST] = [tree]
    while stack:
        parent = stack.pop()
        kind = type(parent)
        fields = child_fields.get(kind)
        if not fields:
            continue
        unordered = (kind is BinOp and isinstance(parent.op, _COMMUTATIVE)) or kind is BoolOp or (
            kind is Compare and len(parent.ops) == 1 and isinstance(parent.ops[0], _UNORDERED_COMPARE))
        for field in fields:
            value = getattr(parent, field, None)
            if type(value) is not list:
                if value is None or type(value) is Constant:
                    continue
                value = (value,)
            index = -1
            for child in value:
                index += 1
                ckind = type(child)
                if ckind is Name:
                    if not unordered and child.id in params and type(child.ctx) is Load:
                        found.setdefault(child.id, set()).add(labels.context(parent, child, field, index))
                        if kind is Tuple:
                            tuples.setdefault(child.id, {}).setdefault(id(parent), (index, len(value)))
                    continue
                if ckind is Constant:
                    continue
                if not isinstance(child, AST):
                    break
                stack.append(child)
                if ckind is BinOp:
                    if isinstance(child.op, _COMMUTATIVE) and not (kind is BinOp and type(parent.op) is type(child.op)):
                        labels.chain(child, found)  # the top of a chain of one commutative operator
                elif ckind is BoolOp or (ckind is Compare and len(child.ops) == 1
                                         and isinstance(child.ops[0], _UNORDERED_COMPARE)):
                    labels.unordered(child, found)
    return found, tuples


class _UseLabels:
    """The labels ``_parameter_contexts`` shows nodes by (one per node kind, a level deep)."""

    def __init__(self, tree: ast.Module, params: set[str], local: set[str]):
        self.params = params
        self.local = local
        self.first = _first_values(tree)
        self.locals_seen: dict[str, str] = {}

    def name(self, node: ast.Name, focus: ast.AST | None) -> str:
        """``@`` for the read whose context is made, ``P`` for a parameter, a local by its first
        value, any other name as spelt."""
        if node is focus:
            return "@"
        name = node.id
        if name in self.params:
            return "P"
        if name in self.local:
            seen = self.locals_seen.get(name)
            if seen is None:
                first = self.first.get(name)
                seen = "_" if first is None else "=%s%s" % (first[1], self.brief(first[0], None, deep=False))
                self.locals_seen[name] = seen
            return seen
        return name[:_CONTEXT_CHARS]

    def shallow(self, node: object, focus: ast.AST | None, *, deep: bool = True) -> str:
        """A node as one word: a name (``name``, or ``_`` for a local when not ``deep``), a
        constant, ``.attr``, or its kind and operator."""
        kind = type(node)
        if kind is ast.Name:
            if not deep and node is not focus and node.id in self.local and node.id not in self.params:
                return "_"
            return self.name(node, focus)
        if kind is ast.Constant:
            return "#" + _const_word(node.value)
        if kind is ast.Attribute:
            return "." + node.attr[:_CONTEXT_CHARS]
        if kind is ast.keyword:
            return "kw:" + (node.arg or "**")[:_CONTEXT_CHARS]
        if node is None:
            return "-"
        op = getattr(node, "op", None)
        return kind.__name__ if op is None else kind.__name__ + ":" + type(op).__name__

    def brief(self, node: ast.AST, focus: ast.AST | None, *, deep: bool = True) -> str:
        """``node`` and its children as words (at most ``_CONTEXT_ITEMS`` of a list, ``_BRIEF_CHARS`` in all)."""
        kind = type(node)
        parts = [self.shallow(node, focus, deep=deep)]
        operands = _unordered_operands(node)
        if operands is not None:  # as the canoniser will sort them: in the words' order
            words = sorted([self.shallow(n, focus, deep=deep)[:_BRIEF_CHARS] for n in operands])
            return " ".join(parts + words[:_CONTEXT_ITEMS])[:_BRIEF_CHARS]
        if kind is ast.Compare:
            parts.append(",".join(type(o).__name__ for o in node.ops[:_CONTEXT_ITEMS]))
        for field in _BRIEF_FIELDS.get(kind, ()):
            value = getattr(node, field, None)
            if type(value) is list:
                parts.append("[%s]" % ",".join(self.shallow(v, focus, deep=deep) for v in value[:_CONTEXT_ITEMS]))
            else:
                parts.append(self.shallow(value, focus, deep=deep))
        return " ".join(parts)[:_BRIEF_CHARS]

    def context(self, parent: ast.AST, child: ast.Name, field: str, index: int) -> str:
        """The context of the read ``child`` of ``parent`` (its ``field``, item ``index``)."""
        return "%s |%s%d" % (self.brief(parent, child), field, index)

    def chain(self, top: ast.BinOp, found: dict[str, set[str]]) -> None:
        """Add the context of a chain of one commutative operator to each parameter it reads."""
        self._unordered(type(top.op).__name__, _chain_operands(top), found)

    def unordered(self, node: ast.BoolOp | ast.Compare, found: dict[str, set[str]]) -> None:
        """Add the context of ``a and b``, ``a == b`` to each parameter they read."""
        if type(node) is ast.BoolOp:
            self._unordered(type(node.op).__name__, node.values, found)
        else:
            self._unordered(type(node.ops[0]).__name__, [node.left, *node.comparators], found)

    def _unordered(self, op: str, operands: list[ast.AST], found: dict[str, set[str]]) -> None:
        """One context for every parameter among ``operands``: the operator and their words, sorted."""
        read = [n.id for n in operands if type(n) is ast.Name and n.id in self.params and type(n.ctx) is ast.Load]
        if not read:
            return
        words = sorted([self.shallow(n, None)[:_BRIEF_CHARS] for n in operands])
        context = "{%s %s}" % (op, ",".join(words[:_CONTEXT_ITEMS]))
        for name in read:
            found.setdefault(name, set()).add(context)


def _chain_operands(top: ast.BinOp) -> list[ast.AST]:
    """The operands of a chain of ``top``'s operator (``a + b + c``, ``a + (b + c)``), in order."""
    op = type(top.op)
    operands: list[ast.AST] = []
    stack: list[ast.AST] = [top]
    while stack:
        node = stack.pop()
        if type(node) is ast.BinOp and type(node.op) is op:
            stack.append(node.right)
            stack.append(node.left)
        else:
            operands.append(node)
    return operands


def _unordered_operands(node: ast.AST) -> list[ast.AST] | None:
    """The operands of ``node`` if their order does not count (a chain of ``+``, ``*``...,
    ``and``, ``or``, a single ``==``, ``!=``, ``is``, ``is not``: what ``_Canoniser`` sorts), else None."""
    kind = type(node)
    if kind is ast.BinOp:
        return _chain_operands(node) if isinstance(node.op, _COMMUTATIVE) else None
    if kind is ast.BoolOp:
        return node.values
    if kind is ast.Compare and len(node.ops) == 1 and isinstance(node.ops[0], _UNORDERED_COMPARE):
        return [node.left, *node.comparators]
    return None


def _const_word(value: object) -> str:
    """A constant as a context shows it: ``_const_repr``'s first ``_CONTEXT_CHARS`` characters,
    made without writing out a long string or a large integer first."""
    if isinstance(value, (str, bytes)):
        return repr(value[:_CONTEXT_CHARS])[:_CONTEXT_CHARS]
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return "int%d" % value.bit_length()
    return _const_repr(value)[:_CONTEXT_CHARS]


#: The fields ``_UseLabels.brief`` shows: the child fields, less a statement's nested blocks and
#: ``type_params`` (Python 3.12's, so that a context is the same on 3.10-3.13).
_BRIEF_FIELDS = {cls: tuple(f for f in _SHALLOW_FIELDS[cls] if f != "type_params") for cls in ast_classes()}


def _first_values(tree: ast.Module) -> dict[str, tuple[ast.AST, str]]:
    """Each name's first plain assignment in the text's order: its value and the name's place
    among the targets (``""`` alone, ``"0."``... in a tuple, ``"for."`` for a loop's target).
    Reordering independent statements keeps two writes of a name in order, so the first is the
    same in a reordered copy."""
    first: dict[str, tuple[ast.AST, str]] = {}
    stack = list(reversed(tree.body))
    while stack:
        stmt = stack.pop()
        kind = type(stmt)
        if kind is ast.Assign:
            for target in stmt.targets:
                if type(target) is ast.Name:
                    first.setdefault(target.id, (stmt.value, ""))
                elif type(target) in (ast.Tuple, ast.List):
                    for i, elt in enumerate(target.elts):
                        if type(elt) is ast.Name:
                            first.setdefault(elt.id, (stmt.value, "%d." % i))
        elif kind in (ast.For, ast.AsyncFor) and type(stmt.target) is ast.Name:
            first.setdefault(stmt.target.id, (stmt.iter, "for."))
        for _field, block in reversed(_blocks(stmt)):
            stack.extend(reversed(block))
    return first


def _own_locals(tree: ast.Module, keep_names: frozenset[str]) -> None:
    """Give the names each def binds (its parameters, what it assigns, in nested code too) a
    spelling of that def's own (``name#k``, the def's number), when the text holds two defs or
    more (top-level, or methods of a top-level class); a text of one def is left as it is.

    Every later step keys a local by its name in the whole text: a helper ``decoy`` sorted
    before a copied ``f9`` in a noted text (``extract._with_reached``, a decorator's helpers),
    both assigning ``a_next``, gave ``f9``'s ``a_next`` the spelling of the decoy's definition,
    and the copy scored 0.45 against its original, not flagged (twenty-sixth session's review).
    Names a def also binds otherwise (``global``, ``nonlocal``, an import, ``except ... as``),
    kept names and builtins keep their spelling."""
    units = defs_of(tree)
    if len(units) < 2:
        return
    Name, arg, Load = ast.Name, ast.arg, ast.Load
    for k, unit in enumerate(units):
        names: list[ast.Name | ast.arg] = []
        bound: set[str] = set()
        other: set[str] = set()  # bound by a global or nonlocal statement, an import, an except
        for n in subnodes(unit):
            kind = type(n)
            if kind is Name:
                names.append(n)
                if type(n.ctx) is not Load:
                    bound.add(n.id)
            elif kind is arg:
                names.append(n)
                bound.add(n.arg)
            elif kind is ast.Global or kind is ast.Nonlocal:
                other.update(n.names)
            elif kind is ast.alias:
                other.add((n.asname or n.name).split(".")[0])
            elif kind is ast.ExceptHandler and n.name:
                other.add(n.name)
        bound -= other | keep_names | _BUILTINS
        for n in names:
            if type(n) is Name:
                if n.id in bound:
                    n.id = f"{n.id}#{k}"
            elif n.arg in bound:
                n.arg = f"{n.arg}#{k}"


def _shape_names(body: list[ast.stmt], local: set[str], memo: dict | None = None,
                 heads: dict[int, tuple[ast.stmt, str, dict[str, str]]] | None = None,
                 params: dict[str, str] | None = None) -> dict[str, str]:
    """Spell each local after the *shape* of its first definition (in canonical order).

    The shape is the defining statement dumped with every local as ``_``,
    plus the name's position among the statement's targets; parameters are
    spelled by use (``params``, ``_parameter_spellings``). Unlike numbering by first occurrence, a new
    variable does not shift the spelling of the others, and unlike value
    signatures, a changed definition does not change the spelling of
    everything computed from it. ``memo``: renaming-blind subtree dumps (see ``_dump``).
    ``heads``: marked head dumps of the statements (``_Canoniser.heads``, made after the
    operands were sorted; the heads do not change after that), which give the shapes without
    dumping again.
    """
    heads = heads or {}
    params = params or {}
    names: dict[str, str] = {}
    blind = lambda n: "_" if n in local else n  # noqa: E731

    def visit(stmts: list[ast.stmt], depth: int) -> None:
        for stmt in stmts:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for i, arg in enumerate(all_args(stmt.args)):
                    names.setdefault(arg.arg, params.get(arg.arg) or ("p%d" % i if depth == 0 else "p%d_%d" % (depth, i)))
                if depth > 0:
                    names.setdefault(stmt.name, "f" + _short_hash(_dump(stmt.args, blind, None, memo))[:6])
                visit(stmt.body, depth + 1)
                continue
            targets: list[ast.AST] = []
            if isinstance(stmt, ast.Assign):
                targets = list(stmt.targets)
            elif isinstance(stmt, (ast.For, ast.AsyncFor)):
                targets = [stmt.target]
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                targets = [item.optional_vars for item in stmt.items if item.optional_vars is not None]
            if targets:
                hit = heads.get(id(stmt))
                shape = _blind(hit[1]) if hit is not None and hit[0] is stmt else _dump_head(stmt, blind, None, memo)
                ordered = [n.id for t in targets for n in _target_names_in_order(t)]
                for position, name in enumerate(ordered):
                    if name in local and name not in names:
                        names[name] = "v" + _short_hash("%s|%d" % (shape, position))[:6]
            for _field, block in _blocks(stmt):
                visit(block, depth)

    visit(body, 0)
    del visit  # it refers to itself: without this, a cycle keeps the memo and its nodes alive
    return names


def _target_names_in_order(target: ast.AST) -> list[ast.Name]:
    """The ``Name`` nodes of an assignment target in source order (pre-order, fields in order)."""
    kind = type(target)
    if kind is ast.Name:
        return [target]
    if (kind is ast.Tuple or kind is ast.List) and all(type(e) is ast.Name for e in target.elts):
        return list(target.elts)
    return [n for n in _walk_in_order(target) if type(n) is ast.Name]


def _walk_in_order(node: ast.AST) -> list[ast.AST]:
    """Nodes of ``node`` in source order (pre-order, fields in order).

    Contexts and operators are left out (``CHILD_FIELDS``): no caller looks for them.
    """
    out: list[ast.AST] = []
    stack = [node]
    AST = ast.AST
    while stack:
        current = stack.pop()
        out.append(current)
        fields = CHILD_FIELDS.get(type(current))
        children: list[ast.AST] = []
        for name in fields if fields is not None else current._fields:
            value = getattr(current, name, None)
            if type(value) is list:
                children.extend([item for item in value if isinstance(item, AST)])
            elif isinstance(value, AST):
                children.append(value)
        children.reverse()
        stack.extend(children)
    return out


def _fallback_tokens(source: str, keep_names: frozenset[str]) -> NormalisedCode:
    """Token-stream normalisation for text that does not parse: names renamed by first occurrence."""
    tokens: list[str] = []
    lines: list[int] = []
    names: dict[str, str] = {}
    try:
        stream = list(tokenize.generate_tokens(io.StringIO(textwrap.dedent(source)).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        stream = []
        for lineno, line in enumerate(textwrap.dedent(source).splitlines(), 1):
            for word in line.split("#", 1)[0].split():
                tokens.append(word)
                lines.append(lineno)
        return NormalisedCode(tuple(tokens), tuple(lines), False)
    previous = ""
    for tok in stream:
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                        tokenize.DEDENT, tokenize.ENDMARKER):
            continue
        text = tok.string
        if tok.type == tokenize.NAME and not keyword.iskeyword(text) and previous != ".":
            if text not in keep_names and text not in _BUILTINS:
                text = names.setdefault(text, "v%d" % len(names))
        elif tok.type == tokenize.STRING and previous in ("", "\n"):
            continue
        tokens.append(text)
        lines.append(tok.start[0])
        previous = tok.string
    return NormalisedCode(tuple(tokens), tuple(lines), False)
