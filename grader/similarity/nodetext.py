"""What the normaliser's steps (:mod:`grader.similarity.normalise`) read a syntax tree by: a node's
dump as text (with names renamed or blanked, memoised per node), the blocks of statements of a node,
the names a node loads, an assignment target's base name, a short stable hash; the names that keep
their spelling and the record of a normalised function (:class:`NormalisedCode`)."""
from __future__ import annotations

import ast
import builtins
import hashlib
import re
from dataclasses import dataclass
from typing import Callable

from grader.similarity.syntax import ast_classes, subnodes


#: Global names that keep their spelling (besides builtins): NumPy and the
#: functions the assignment provides or grades.
DEFAULT_KEEP_NAMES = frozenset(
    {
        "np", "numpy", "math", "softmax", "sigmoid",
        "rnn_cell_forward", "rnn_forward", "lstm_cell_forward", "lstm_forward",
        "rnn_cell_backward", "rnn_backward", "lstm_cell_backward", "lstm_backward",
    }
)
BUILTINS = frozenset(dir(builtins))


COMMUTATIVE = (ast.Add, ast.Mult, ast.BitAnd, ast.BitOr, ast.BitXor)
MUTATORS = frozenset(
    {"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault",
     "popitem", "sort", "reverse", "fill", "resize", "put", "itemset", "add", "discard"}
)


BLOCK_FIELDS = ("body", "orelse", "finalbody")


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


def short_hash(text: str) -> str:
    """A 12-hex-digit stable hash of ``text`` (stable across processes)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()


_SKIP_FIELDS = frozenset({"ctx", "type_comment", "kind"})


def _dump_entry(kind: type) -> tuple[str, tuple[str, ...]]:
    """How ``dump`` prints a node class: the opening text and the fields it dumps, in order."""
    if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
        fields = tuple(f for f in kind._fields if f not in ("name", "type_params") and f not in _SKIP_FIELDS)
    else:
        fields = tuple(f for f in kind._fields if f not in _SKIP_FIELDS)
    return "(" + kind.__name__, fields


_DUMP_TABLE = {cls: _dump_entry(cls) for cls in ast_classes()}


def dump(node: object, rename: Callable[[str], str] | None,
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
    """``dump`` of one node, its children dumped by recursion (a module function: a nested one
    made at each ``dump`` call cost its making, and a reference cycle to undo)."""
    kind = type(node)
    if kind is NAME:
        return by_node(node) if by_node is not None else rename(node.id)
    if kind is CONSTANT:
        return "#" + const_repr(node.value)
    if kind is list:
        return "[" + ",".join([_dump_node(item, rename, by_node, memo) for item in node]) + "]"
    entry = _DUMP_TABLE.get(kind)
    if entry is None:
        if isinstance(node, ast.AST):  # pragma: no cover - a node class made after import
            entry = _dump_entry(kind)
        else:
            return repr(node)
    if kind is ARG:
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


NAME, CONSTANT, ARG = ast.Name, ast.Constant, ast.arg
#: Node classes the token walk compares with, as module names (one lookup instead of two).
FUNCTION_DEF, ASYNC_FUNCTION_DEF, COMPARE, ATTRIBUTE, KEYWORD, ALIAS = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.Compare, ast.Attribute, ast.keyword, ast.alias)
#: Node classes whose dumps ``dump`` keeps in a memo (those ``_dump_node`` looks up there).
_MEMO_KINDS = frozenset(cls for cls, (_head, fields) in _DUMP_TABLE.items() if fields and cls not in (NAME, CONSTANT, ARG))


def _underscore(_name: str) -> str:
    """Every name spelled ``_``."""
    return "_"


#: How ``marker`` spells a local in a dump: ``\x00name\x01`` (no other text of a dump holds
#: these characters: names are identifiers and ``repr`` escapes them in strings).
_MARK = re.compile("\x00[^\x01]*\x01")


def marker(local: set[str] | frozenset[str]) -> Callable[[str], str]:
    """A ``dump`` renamer that marks each local (``_MARK``) and keeps other names.

    One marked dump serves every renaming that changes only the locals: ``fill`` gives the
    canoniser's dump under an ``env``, ``blinded`` the renaming-blind one, without dumping the
    tree again for each.
    """
    return lambda n: "\x00" + n + "\x01" if n in local else n


def fill(marked: str, env: dict[str, str]) -> str:
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


def blinded(marked: str) -> str:
    """A marked dump with every local spelled ``_`` (what ``_placeholder_dump`` gives)."""
    return _MARK.sub("_", marked) if "\x00" in marked else marked


def const_repr(value: object) -> str:
    """Representation of a constant; ints and floats of equal value agree (``1`` ~ ``1.0``)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        try:
            return repr(float(value))
        except OverflowError:  # and repr refuses more than 4,300 digits (ValueError); hex does not
            return hex(value)
    return repr(value)


def statement_blocks(node: ast.AST) -> list[tuple[str, list]]:
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
    blocks = tuple(f for f in BLOCK_FIELDS if f in fields)
    return blocks, handlers, cases


_BLOCK_TABLE = {cls: _block_entry(cls) for cls in ast_classes()}


def loaded_names(node: ast.AST) -> set[str]:
    """Every name read (``Load`` context) anywhere inside ``node``."""
    Name, Load = ast.Name, ast.Load
    return {n.id for n in subnodes(node) if type(n) is Name and type(n.ctx) is Load}


def target_base(target: ast.AST) -> str | None:
    """The variable written by an assignment target: ``a`` for ``a``, ``a[i]``, ``a.x[i]``."""
    if type(target) is ast.Name:
        return target.id
    while isinstance(target, (ast.Subscript, ast.Attribute, ast.Starred)):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None
