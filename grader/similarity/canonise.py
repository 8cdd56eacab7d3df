"""Step 4 of the normaliser (:mod:`grader.similarity.normalise`): operands of commutative
operators sorted, and runs of statements put in a canonical topological order of their data
dependencies, by keys that hold no local name (a local is replaced by a hash of the expression that
defined it); what each statement reads and writes."""
from __future__ import annotations

import ast
import heapq
from typing import Callable, Iterable

from grader.astnodes import nodes
from grader.similarity.nodetext import (BLOCK_FIELDS, COMMUTATIVE, MUTATORS, dump, fill, loaded_names, marker,
                                        short_hash, statement_blocks, target_base)
from grader.similarity.syntax import CHILD_FIELDS, all_args, ast_classes, subnodes


_BARRIERS = (ast.Return, ast.Raise, ast.Break, ast.Continue, ast.Global, ast.Nonlocal, ast.Delete)


class Canoniser:
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
        #: How each parameter is signed (``parameter_spellings``: by position in a def named as a
        #: graded function, by use in any other).
        self.params = params or {}
        self.keys: dict[int, str] = {}
        self.uses: dict[str, str] = {}
        self.readers: dict[str, list[ast.stmt]] | None = None
        self.body: list[ast.stmt] = []
        self.effects: dict[int, tuple[set[str], set[str]]] = {}
        self.own: dict[int, tuple[set[str], set[str]]] = {}
        #: Marked dumps (``marker``) of the current statement's subtrees (see ``dump``).
        self.memo: dict | None = None
        #: The marked head dump (``dump_head`` with ``marker``) of every statement signed in pass 1,
        #: and the ``env`` it was signed with (what ``use_signature`` spells its reads by).
        self.heads: dict[int, tuple[ast.stmt, str, dict[str, str]]] = {}
        self.mark = marker(local)

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
            dumps = sorted(dump_head(stmt, None, self.use_namer(stmt, name)) for stmt in self.readers.get(name, ()))
            self.uses[name] = short_hash("|".join(dumps))
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
        return lambda node: fill(dump(node, mark, None, memo), env)

    # expressions -----------------------------------------------------------
    def expr(self, node: ast.AST, env: dict[str, str]) -> ast.AST:
        """Sort commutative operands inside ``node`` (in place where possible); returns the new node."""
        kind = type(node)
        if kind is ast.Name:
            return node
        if kind is ast.Constant:
            return node
        if kind is ast.BinOp and isinstance(node.op, COMMUTATIVE):
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
        marked = dump_head(stmt, self.mark, None, self.memo)
        self.heads[id(stmt)] = (stmt, marked, dict(env))  # the statement kept with it: its id cannot be reused
        head_key = fill(marked, env)
        self.memo = None
        if isinstance(stmt, ast.Assign):
            for t_index, target in enumerate(stmt.targets):
                elts = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
                for e_index, elt in enumerate(elts):
                    base = target_base(elt)
                    if base is not None:
                        prev = env.get(base, "") if not isinstance(elt, ast.Name) else ""
                        env[base] = short_hash("%s|%d|%d|%s" % (head_key, t_index, e_index, prev))
            return head_key
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            ordered = [n.id for n in subnodes(stmt.target) if type(n) is ast.Name]  # ``ast.walk``'s order
            for i, name in enumerate(dict.fromkeys(ordered)):
                env[name] = short_hash("for|%s|%d" % (head_key, i))
        body_keys = []
        for _field, block in list(statement_blocks(stmt)):
            branch = dict(env)
            self.sign_block(block, branch)
            body_keys.append(",".join(self.keys[id(s)] for s in block))
            for name, sig in branch.items():
                if env.get(name) != sig:
                    env[name] = short_hash(env.get(name, "") + "|" + sig)
        key = head_key + "{" + ";".join(body_keys) + "}"
        if isinstance(stmt, ast.Expr):
            for name in _effect_writes(stmt):
                env[name] = short_hash(env.get(name, "") + "|" + key)
        return key

    def sign_def(self, stmt: ast.FunctionDef | ast.AsyncFunctionDef, env: dict[str, str], need_key: bool = True) -> str:
        """Pass 1 on a def: its body with parameters signed as ``params`` spells them; its key (``""`` unless ``need_key``)."""
        inner = dict(env)
        for i, arg in enumerate(all_args(stmt.args)):
            inner[arg.arg] = self.params.get(arg.arg) or "p%d" % i
        self.sign_block(stmt.body, inner)
        if not need_key:
            return ""
        key = "def" + short_hash(dump(stmt, self.name_key(inner)))
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
            for _field, block in list(statement_blocks(stmt)):
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
        for _field, block in statement_blocks(stmt):
            yield from _all_statements(block)


def _shallow_fields(kind: type) -> tuple[str, ...]:
    """The fields ``SHALLOW_FIELDS`` walks for a node class: its child fields less the nested statement lists."""
    fields = CHILD_FIELDS[kind]
    if issubclass(kind, ast.stmt) or kind in (ast.ExceptHandler, ast.match_case):
        return tuple(f for f in fields if f not in BLOCK_FIELDS)
    return fields


#: ``CHILD_FIELDS`` without the statement lists (``body``, ``orelse``, ``finalbody`` of a
#: statement, an ``except`` clause or a ``case``): a walk with it from a statement gives the
#: statement and its nodes outside its nested blocks (an expression's ``body``, as in ``IfExp``
#: and ``Lambda``, is kept).
SHALLOW_FIELDS = {cls: _shallow_fields(cls) for cls in ast_classes()}


def _is_placed_chain(node: ast.BinOp, op: type, operands: list[ast.AST]) -> bool:
    """True if ``node`` is the left-nested chain of ``op`` over exactly ``operands`` (the same
    nodes, in order) and every ``BinOp`` of it is on ``node``'s line: what ``Canoniser.chain``
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


def dump_head(stmt: ast.stmt, rename: Callable[[str], str] | None,
               by_node: Callable[[ast.Name], str] | None = None, memo: dict | None = None) -> str:
    """Dump of a statement without its nested blocks; assignment targets that are plain names become ``T``.

    ``memo``: as for ``dump``.
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
            parts.append(dump(value, rename, by_node, memo))
    return " ".join(parts)


def _head_fields(kind: type) -> tuple[str, ...]:
    """The fields of a statement class outside its nested blocks, in order (``_HEAD_FIELDS``)."""
    return tuple(f for f in kind._fields if f not in BLOCK_FIELDS and f not in ("handlers", "cases"))


#: For each node class, the fields ``dump_head`` and ``Canoniser.stmt`` read (read from a
#: table rather than through ``ast.iter_fields``).
_HEAD_FIELDS = {cls: _head_fields(cls) for cls in ast_classes()}
_MISSING = object()


def _dump_target(target: ast.AST, rename: Callable[[str], str]) -> str:
    """Dump of an assignment target: a plain name is ``T`` (its spelling is arbitrary), a partial write keeps its base's signature."""
    if isinstance(target, ast.Name):
        return "T"
    if isinstance(target, (ast.Tuple, ast.List)):
        return "(" + ",".join(_dump_target(e, rename) for e in target.elts) + ")"
    return dump(target, rename)


def _effect_writes(stmt: ast.stmt) -> set[str]:
    """Names an expression statement may mutate: the receiver of a mutating method, else every name it mentions."""
    receiver = _mutated_receiver(stmt)
    return {receiver} if receiver is not None else loaded_names(stmt)


def _mutated_receiver(stmt: ast.stmt) -> str | None:
    """``lst`` for the statement ``lst.append(x)`` (a mutating method called on a name), else None."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        if isinstance(func, ast.Attribute) and func.attr in MUTATORS and isinstance(func.value, ast.Name):
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
    them (``Canoniser.reads_writes``) does not walk nested statements again for each level
    (every rule looks at one node and what is below it, so the sets are the same). ``own``:
    ``_own_reads_writes(stmt)`` if known.
    """
    reads, writes = own if own is not None else _own_reads_writes(stmt)
    blocks = statement_blocks(stmt)
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
    head reads, as ``Canoniser.use_signature`` looks for them)."""
    reads: set[str] = set()
    writes: set[str] = set()
    Name, Load, ruled = ast.Name, ast.Load, _RULED
    for n in nodes(stmt, SHALLOW_FIELDS):
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
                    base = target_base(elt)
                    if base is not None:
                        writes.add(base)
        elif kind is ast.Call:
            if isinstance(n.func, ast.Attribute) and n.func.attr in MUTATORS:
                base = target_base(n.func.value)
                if base is not None:
                    writes.add(base)
        elif kind is ast.Expr:
            if isinstance(n.value, ast.Call) and _mutated_receiver(n) is None:
                writes |= loaded_names(n)
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
