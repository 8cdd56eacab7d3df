"""Step 6 of the normaliser (:mod:`grader.similarity.normalise`): how names are spelled after
normalisation. Parameters are numbered by position in a graded or provided function, by an order of
their uses elsewhere; every other local is spelled after the shape of its first definition, so that
renaming, reordering or inserting a variable changes no other variable's spelling."""
from __future__ import annotations

import ast

from grader.similarity.canonise import SHALLOW_FIELDS, dump_head
from grader.similarity.nodetext import (ASYNC_FUNCTION_DEF, BUILTINS, COMMUTATIVE, FUNCTION_DEF, blinded,
                                        const_repr, dump, short_hash, statement_blocks)
from grader.similarity.syntax import CHILD_FIELDS, all_args, ast_classes, defs_of, subnodes


def counted_locals(named: dict[str, int], stored: dict[str, int], keep_names: frozenset[str]) -> set[str]:
    """``local_names`` of a tree from its name counts (``remove_dead_code``'s result)."""
    bound = {name for name, count in stored.items() if count}
    names = {name for name, count in named.items() if count} | bound
    return {n for n in names if n not in keep_names and (n not in BUILTINS or n in bound)}


def local_names(tree: ast.AST, keep_names: frozenset[str]) -> set[str]:
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
    return {n for n in names if n not in keep_names and (n not in BUILTINS or n in stored)}


#: How many items of a list field, characters of a word (a constant, a name, an attribute) and
#: characters of a node's words a use's context shows: a context's size is bounded whatever the
#: text (a 100,000-character name, a call of 10,000 arguments).
_CONTEXT_ITEMS, _CONTEXT_CHARS, _BRIEF_CHARS = 8, 24, 256
#: Operators whose operands have no order (``Canoniser`` sorts them): a use's context there is
#: the operator and its operands' labels, sorted.
_UNORDERED_COMPARE = (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)


def parameter_spellings(tree: ast.Module, local: set[str],
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
    """Every def of a body with its depth as ``shape_spellings`` counts it (the defs it is nested in;
    a class's methods are at the class's depth), in ``shape_spellings``'s order."""
    out: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, int]] = []
    stack: list[tuple[ast.stmt, int]] = [(stmt, 0) for stmt in reversed(body)]
    while stack:
        stmt, depth = stack.pop()
        inner = depth
        if type(stmt) is FUNCTION_DEF or type(stmt) is ASYNC_FUNCTION_DEF:
            out.append((stmt, depth))
            inner = depth + 1
        for _field, block in reversed(statement_blocks(stmt)):
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
        unordered = (kind is BinOp and isinstance(parent.op, COMMUTATIVE)) or kind is BoolOp or (
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
                    if isinstance(child.op, COMMUTATIVE) and not (kind is BinOp and type(parent.op) is type(child.op)):
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
    ``and``, ``or``, a single ``==``, ``!=``, ``is``, ``is not``: what ``Canoniser`` sorts), else None."""
    kind = type(node)
    if kind is ast.BinOp:
        return _chain_operands(node) if isinstance(node.op, COMMUTATIVE) else None
    if kind is ast.BoolOp:
        return node.values
    if kind is ast.Compare and len(node.ops) == 1 and isinstance(node.ops[0], _UNORDERED_COMPARE):
        return [node.left, *node.comparators]
    return None


def _const_word(value: object) -> str:
    """A constant as a context shows it: ``const_repr``'s first ``_CONTEXT_CHARS`` characters,
    made without writing out a long string or a large integer first."""
    if isinstance(value, (str, bytes)):
        return repr(value[:_CONTEXT_CHARS])[:_CONTEXT_CHARS]
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return "int%d" % value.bit_length()
    return const_repr(value)[:_CONTEXT_CHARS]


#: The fields ``_UseLabels.brief`` shows: the child fields, less a statement's nested blocks and
#: ``type_params`` (Python 3.12's, so that a context is the same on 3.10-3.13).
_BRIEF_FIELDS = {cls: tuple(f for f in SHALLOW_FIELDS[cls] if f != "type_params") for cls in ast_classes()}


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
        for _field, block in reversed(statement_blocks(stmt)):
            stack.extend(reversed(block))
    return first


def own_locals(tree: ast.Module, keep_names: frozenset[str]) -> None:
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
        bound -= other | keep_names | BUILTINS
        for n in names:
            if type(n) is Name:
                if n.id in bound:
                    n.id = f"{n.id}#{k}"
            elif n.arg in bound:
                n.arg = f"{n.arg}#{k}"


def shape_spellings(body: list[ast.stmt], local: set[str], memo: dict | None = None,
                 heads: dict[int, tuple[ast.stmt, str, dict[str, str]]] | None = None,
                 params: dict[str, str] | None = None) -> dict[str, str]:
    """Spell each local after the *shape* of its first definition (in canonical order).

    The shape is the defining statement dumped with every local as ``_``,
    plus the name's position among the statement's targets; parameters are
    spelled by use (``params``, ``parameter_spellings``). Unlike numbering by first occurrence, a new
    variable does not shift the spelling of the others, and unlike value
    signatures, a changed definition does not change the spelling of
    everything computed from it. ``memo``: renaming-blind subtree dumps (see ``dump``).
    ``heads``: marked head dumps of the statements (``Canoniser.heads``, made after the
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
                    names.setdefault(stmt.name, "f" + short_hash(dump(stmt.args, blind, None, memo))[:6])
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
                shape = blinded(hit[1]) if hit is not None and hit[0] is stmt else dump_head(stmt, blind, None, memo)
                ordered = [n.id for t in targets for n in _target_names_in_order(t)]
                for position, name in enumerate(ordered):
                    if name in local and name not in names:
                        names[name] = "v" + short_hash("%s|%d" % (shape, position))[:6]
            for _field, block in statement_blocks(stmt):
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
