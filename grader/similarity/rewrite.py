"""Step 2 of the normaliser (:mod:`grader.similarity.normalise`): equivalent spellings made one
(``np.dot(a, b)``, ``a.dot(b)`` and ``a @ b``; NumPy's arithmetic functions as operators; augmented
assignments; ``numpy.`` as ``np.``; sorted keyword arguments; comparisons one way round; lists as
tuples; integers as floats; identities such as ``x + 0``), and NumPy's reads through aliases and
hoisted lookups put back in place (:func:`canonical_reads`)."""
from __future__ import annotations

import ast

from grader.course import COURSE_PARAMETERS
from grader.similarity.nodetext import statement_blocks
from grader.similarity.simplify import const_truth as _const_truth
from grader.similarity.numpyreads import (NUMPY_NAMES, NumpyReads, SIZES, hoist_lookups, key_read, mapped_lookups,
                                          resolve_aliases, split)
from grader.similarity.syntax import CHILD_FIELDS, TALLIED, defs_of, subnodes, tally, tally_nodes


_NP_BINARY = {
    "dot": ast.MatMult, "matmul": ast.MatMult, "add": ast.Add, "subtract": ast.Sub,
    "multiply": ast.Mult, "divide": ast.Div, "true_divide": ast.Div, "power": ast.Pow,
}


#: The arithmetic of ``operator``'s functions and of the dunder methods (``a.__mul__(b)``), by name.
_OPERATORS = {"add": ast.Add, "sub": ast.Sub, "mul": ast.Mult, "matmul": ast.MatMult, "truediv": ast.Div,
              "pow": ast.Pow}


def _is_numpy(node: ast.AST) -> bool:
    """True for the names ``np`` and ``numpy``."""
    return isinstance(node, ast.Name) and node.id in ("np", "numpy")


def _numpy_module(name: str) -> bool:
    """True for ``numpy`` and its modules (``numpy.linalg``), as an import names them."""
    return name == "numpy" or name.startswith("numpy.")


class Rewriter:
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
        # What ``canonical_reads`` may rewrite, seen on the way (``reads_to_canonise``): lookups
        # by a constant key, those a ``name = d["k"]`` holds, a lookup by ``.get`` or an import
        # from NumPy, the names of ``NUMPY_NAMES`` read and the ``name = other`` assignments.
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
                elif value.id in NUMPY_NAMES:
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
                        elif item.id in NUMPY_NAMES:
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
        if (type(func) is ast.Attribute and type(func.value) is ast.Name and func.value.id == "dict"
                and func.attr in ("get", "__getitem__") and len(node.args) > 1
                and type(node.args[0]) is not ast.Starred):  # ``dict.get(p, k)`` -> ``p.get(k)``: 0.48
            tally_nodes([func.value], self.counts, -1)
            func.value = node.args[0]
            node.args = node.args[1:]
        if type(func) is ast.Name and not node.args and func.id == "dict" and node.keywords and all(
                k.arg for k in node.keywords):  # ``dict(a=x)`` -> ``{"a": x}``, in its order
            tally_nodes([func], self.counts, -1)
            return ast.copy_location(ast.Dict([ast.copy_location(ast.Constant(k.arg), k.value) for k in node.keywords],
                                              [k.value for k in node.keywords]), node)
        args = node.args
        if args and type(args[-1]) is ast.Starred and type(args[-1].value) is ast.Tuple:
            node.args = _spliced(args)  # ``f(*(a, b))`` -> ``f(a, b)`` (0.55, thirty-fifth session)
        if node.keywords:
            for dropped in _keywords_in_place(node):
                tally(dropped, self.counts, -1)
        if type(func) is ast.Name and func.id in _EMPTY and not node.args and not node.keywords:
            tally_nodes([func], self.counts, -1)  # ``list()`` -> ``[]`` (a tuple, as lists read), ``dict()`` -> ``{}``
            return ast.copy_location(_EMPTY[func.id](), node)
        if len(node.keywords) > 1:
            node.keywords.sort(key=_keyword_name)
        if (type(func) is ast.Attribute and func.attr == "get" and len(node.args) == 2 and not node.keywords
                and type(node.args[1]) is ast.Constant and node.args[1].value is None):
            node.args = node.args[:1]  # ``p.get("Wax", None)`` is ``p.get("Wax")``: 0.50 (thirty-seventh session)
        if type(func) is ast.Attribute and func.attr == "get" and key_read(node) is not None:
            self.rereads = True
        if (type(func) is ast.Name and (func.id == "list" or func.id == "tuple") and len(node.args) == 1
                and not node.keywords and type(node.args[0]) is ast.Call):
            lookups = mapped_lookups(node.args[0])  # ``list(map(p.get, ("a", "b")))``: no pair
            if lookups is not None:
                tally(node, self.counts, -1)
                tally(lookups, self.counts, 1)
                self.lookups += sum(1 for item in lookups.elts if key_read(item) is not None)
                return lookups
        if (type(func) is ast.Name and func.id == "tuple" and len(node.args) == 1 and not node.keywords
              and type(node.args[0]) in (ast.List, ast.Tuple)
              and not any(type(e) is ast.Starred for e in node.args[0].elts)):  # ``tuple([a, b])`` -> ``(a, b)``
            tally_nodes([func], self.counts, -1)
            return ast.copy_location(ast.Tuple(node.args[0].elts, ast.Load()), node)
        if len(node.args) == 1 and not node.keywords:
            same = self._same_value(node)
            if same is not None:
                return same
        if (type(func) is ast.Name and func.id == "getattr" and len(node.args) == 2 and not node.keywords
                and type(node.args[1]) is ast.Constant and type(node.args[1].value) is str
                and node.args[1].value.isidentifier() and type(node.args[0]) is not ast.Starred):
            tally_nodes([func], self.counts, -1)  # ``getattr(np, "tanh")`` -> ``np.tanh``: 0.43 (thirty-eighth session)
            return self.visit_Attribute(ast.copy_location(ast.Attribute(node.args[0], node.args[1].value, ast.Load()),
                                                          node))
        if isinstance(func, ast.Attribute) and not node.keywords and len(node.args) == (
                2 if type(func.value) is ast.Name and func.value.id == "operator" else 1) and _OPERATORS.get(
                func.attr.strip("_")) and (func.attr.startswith("__") or len(node.args) == 2) and not any(
                type(a) is ast.Starred for a in node.args):
            # ``operator.matmul(a, b)`` and ``a.__matmul__(b)`` -> ``a @ b`` (0.29, 0.26; thirty-eighth session)
            if len(node.args) == 2:
                tally(func, self.counts, -1)
                left, right = node.args
            else:
                left, right = func.value, node.args[0]
            return self.visit_BinOp(ast.copy_location(ast.BinOp(left, _OPERATORS[func.attr.strip("_")](), right), node))
        if isinstance(func, ast.Attribute) and not node.keywords:
            if func.attr == "astype" and len(node.args) == 1 and is_float64(node.args[0]) and _float_valued(func.value):
                tally(node.args[0], self.counts, -1)  # ``np.tanh(z).astype(np.float64)``: 0.29 (thirty-sixth session)
                return func.value
            if _is_numpy(func.value):
                op = _NP_BINARY.get(func.attr)
                new: ast.AST | None = None
                if op is not None and len(node.args) == 2:
                    new = ast.copy_location(ast.BinOp(left=node.args[0], op=op(), right=node.args[1]), node)
                elif func.attr == "square" and len(node.args) == 1:
                    two = ast.copy_location(ast.Constant(2), node)
                    new = ast.copy_location(ast.BinOp(left=node.args[0], op=ast.Pow(), right=two), node)
                elif func.attr == "transpose" and len(node.args) == 1:
                    new = _transposed(node.args[0], node)
                elif (func.attr == "einsum" and len(node.args) == 3 and type(node.args[0]) is ast.Constant
                      and type(node.args[0].value) is str):  # ``np.einsum("ij,jk->ik", a, b)``: 0.22
                    new = _einsum_product(node.args[0].value, node.args[1], node.args[2], node)
                elif func.attr == "negative" and len(node.args) == 1:  # ``- np.negative(ba)``: 0.26 (thirty-seventh session)
                    new = self.visit_UnaryOp(ast.copy_location(ast.UnaryOp(op=ast.USub(), operand=node.args[0]), node))
                elif func.attr == "shape" and len(node.args) == 1:  # ``np.shape(x)``: 0.38 (thirty-fifth session)
                    new = ast.copy_location(ast.Attribute(value=node.args[0], attr="shape", ctx=ast.Load()), node)
                if new is not None:
                    tally(func, self.counts, -1)  # ``np.dot`` and its name go
                    return self.visit_BinOp(new) if type(new) is ast.BinOp else new
            else:
                if func.attr == "copy" and not node.args and _float_valued(func.value):
                    return func.value  # ``np.tanh(z).copy()``: 0.29 (thirty-seventh session)
                if func.attr in ("dot", "matmul") and len(node.args) == 1:
                    return ast.copy_location(ast.BinOp(left=func.value, op=ast.MatMult(), right=node.args[0]), node)
                if func.attr == "transpose" and not node.args:
                    return _transposed(func.value, node)
        return node

    def _same_value(self, node: ast.Call) -> ast.AST | None:
        """What a call of one argument (no keywords) is another spelling of, else None (thirty-seventh
        session, each in a copy against its original): ``float(1)`` and ``np.float64(1)`` are ``1.0``
        (0.26, 0.29 for ``ba * np.float64(1)``); ``np.asarray(v)``, ``np.array(v)``, ``np.copy(v)`` and ``v.copy()`` of
        a float array computed (``_float_valued``) are ``v`` (0.50, 0.29); ``p.__getitem__(k)`` is
        ``p[k]`` (0.52); the builtin ``sum`` of a display of terms is their sum (0.25)."""
        func, arg = node.func, node.args[0]
        kind = type(arg)
        if kind is ast.Starred:
            return None
        if kind is ast.Constant and type(arg.value) in (int, float) and is_float64(func):
            tally(func, self.counts, -1)
            return ast.copy_location(ast.Constant(float(arg.value)), node)
        if type(func) is ast.Attribute:
            if func.attr in ("asarray", "array", "copy") and _is_numpy(func.value) and _float_valued(arg):
                tally(func, self.counts, -1)
                return arg
            if func.attr == "__getitem__":
                return self.visit_Subscript(ast.copy_location(ast.Subscript(value=func.value, slice=arg, ctx=ast.Load()),
                                                              node))
        elif (type(func) is ast.Name and func.id == "sum" and kind is ast.Tuple and len(arg.elts) > 1
              and not any(type(e) is ast.Starred for e in arg.elts)):
            tally_nodes([func], self.counts, -1)
            total = arg.elts[0]
            for term in arg.elts[1:]:
                total = self.visit_BinOp(ast.copy_location(ast.BinOp(left=total, op=ast.Add(), right=term), node))
            return total
        return None

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
        if op is ast.Add and type(left) is ast.Constant and type(right) is ast.Constant and type(
                left.value) is str and type(right.value) is str:  # ``p["W" + "ax"]``: 0.20 (thirty-seventh session)
            return ast.copy_location(ast.Constant(left.value + right.value), node)
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
        if (op is ast.Add or op is ast.Sub) and type(right) is ast.UnaryOp and type(right.op) is ast.USub:
            node.op = ast.Sub() if op is ast.Add else ast.Add()  # ``a - -b`` -> ``a + b``, ``a + -b`` -> ``a - b``
            node.right = right.operand
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        """``x.T.T`` read is ``x`` (``xt.T.T`` in a copy: 0.32, thirty-seventh session); a product of
        transposes transposed is the product the other way round (``_transposed``)."""
        value = node.value
        if node.attr == "T" and type(node.ctx) is ast.Load:
            if type(value) is ast.Attribute and value.attr == "T":
                return value.value
            if type(value) is ast.BinOp and type(value.op) is ast.MatMult and (_is_transpose(value.left)
                                                                                or _is_transpose(value.right)):
                return _transposed(value, node)
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        """``+x`` -> ``x`` and ``-(-x)`` -> ``x`` (``+ -(-ba)`` in a copy: 0.30, thirty-seventh session)."""
        op, operand = type(node.op), node.operand
        if op is ast.UAdd:
            return operand
        if op is ast.USub and type(operand) is ast.UnaryOp and type(operand.op) is ast.USub:
            return operand.operand
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        """Counts the lookups by a constant key (``reads_to_canonise``); ``x[:]`` read is ``x`` (an
        array whole: ``a_next = a0[:]`` in a copy scored 0.44, thirty-sixth session); a display of
        names, constants and lookups indexed by a constant is that item (``list(map(p.get,
        ["Wax"]))[0]``: 0.44, thirty-eighth session)."""
        index = node.slice
        if (type(index) is ast.Constant and type(index.value) is int and type(node.value) is ast.Tuple
                and type(node.ctx) is ast.Load and 0 <= index.value < len(node.value.elts)
                and all(type(item) in (ast.Name, ast.Constant) or key_read(item) is not None
                        for item in node.value.elts)):
            items = node.value.elts
            for k, item in enumerate(items):
                if k != index.value:
                    tally(item, self.counts, -1)
                    self.lookups -= key_read(item) is not None
            return items[index.value]
        if type(index) is ast.JoinedStr and all(type(v) is ast.Constant for v in index.values):
            # An f-string of text alone is that text (``p[f"Wax"]``: 0.20, thirty-seventh session).
            index = node.slice = ast.copy_location(ast.Constant("".join(v.value for v in index.values)), index)
        if type(index) is ast.Constant:
            if key_read(node) is not None:
                self.lookups += 1
        elif (type(index) is ast.Slice and index.lower is None and index.upper is None and index.step is None
              and type(node.ctx) is ast.Load):
            return node.value
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        """Notes an import from NumPy (``reads_to_canonise``)."""
        if node.module and (node.module == "numpy" or node.module.startswith("numpy.")) and not node.level:
            self.rereads = True
        return node

    def visit_Import(self, node: ast.Import) -> ast.AST:
        """Notes an import of NumPy or of one of its modules (``reads_to_canonise``)."""
        if any(_numpy_module(alias.name) for alias in node.names):
            self.rereads = True
        return node

    def visit_Assign(self, node: ast.Assign) -> ast.AST | list[ast.stmt]:
        """``a, b = x, y`` -> ``a = x`` then ``b = y`` (``split``); notes the lookups a name holds
        and the assignments of a name (``reads_to_canonise``)."""
        pieces = split(node) if type(node.targets[0]) in (ast.Tuple, ast.List) else (node,)
        if len(pieces) > 1 and type(node.value) is not ast.Tuple:  # a comprehension made the items
            tally(node.value, self.counts, -1)
            for piece in pieces:
                tally(piece.value, self.counts, 1)
        for piece in pieces:
            target, value = piece.targets[0], piece.value
            kind = type(value)
            if kind is ast.Attribute and value.attr in SIZES and type(value.value) is ast.Subscript:
                if key_read(value.value) is not None:  # ``n_y, n_a = parameters["Wya"].shape``: it stays
                    self.holders += 1
            elif len(piece.targets) == 1 and type(target) is ast.Name:
                if kind is ast.Subscript and key_read(value) is not None:
                    self.holders += 1
                elif kind is ast.Name or kind is ast.Attribute or (kind is ast.Constant and type(value.value) is str):
                    self.aliases.append((target.id, value))
        return pieces if len(pieces) > 1 else node

    def reads_to_canonise(self) -> bool:
        """Whether ``canonical_reads`` may change the tree visited: a lookup by ``.get``, an import
        from NumPy, a lookup no ``name = d["k"]`` holds, a name of ``NUMPY_NAMES`` the text does
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

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        """``a if True else b`` -> ``a`` (a test whose value is constant, ``simplify._const_truth``): a
        copy writing ``a_next = np.tanh(...) if True else None`` scored 0.27 (thirty-sixth session)."""
        truth = _const_truth(node.test)
        if truth is None:
            return node
        kept, dropped = (node.body, node.orelse) if truth else (node.orelse, node.body)
        tally(node.test, self.counts, -1)
        tally(dropped, self.counts, -1)
        return kept

    def visit_List(self, node: ast.List) -> ast.AST:
        """A list display read as a value is spelled like a tuple (``np.zeros([n, m])`` ~ ``np.zeros((n, m))``)."""
        if isinstance(node.ctx, ast.Load):
            return self.visit_Tuple(ast.copy_location(ast.Tuple(elts=node.elts, ctx=ast.Load()), node))
        return node

    def visit_Tuple(self, node: ast.Tuple) -> ast.AST:
        """A display read as a value holds the items of a display starred in it: ``(*(a, b), c)`` is ``(a, b,
        c)`` (a copy's cache so: 0.65, thirty-seventh session)."""
        Starred, Tuple = ast.Starred, ast.Tuple
        for item in node.elts:
            if type(item) is Starred and type(item.value) is Tuple and type(node.ctx) is ast.Load:
                node.elts = _spliced(node.elts)
                break
        return node


#: NumPy's functions whose value is a float array (given no ``dtype``), for ``_float_valued``.
_FLOAT_VALUED = frozenset({"tanh", "exp", "log", "sqrt", "sin", "cos", "mean", "zeros", "ones", "empty",
                           "zeros_like", "ones_like", "empty_like"})
#: Arithmetic whose value is as float as its operands (a float array here: the grader's inputs are).
_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.MatMult, ast.Pow)


def _float_valued(node: ast.AST) -> bool:
    """Whether ``node`` computes a float array: arithmetic (of the course's float arrays), a call of
    ``_FLOAT_VALUED`` or of the course's ``softmax`` / ``sigmoid``; not a test (``x > 0`` holds
    booleans: ``.astype(float)`` of it is work) nor a name (``a0.astype(float)``, as ``a0.copy()``,
    is how honest students differ)."""
    kind = type(node)
    if kind is ast.BinOp:
        return type(node.op) in _ARITHMETIC
    if kind is not ast.Call or node.keywords:
        return False
    func = node.func
    if type(func) is ast.Name:
        return func.id in ("softmax", "sigmoid")
    return type(func) is ast.Attribute and _is_numpy(func.value) and func.attr in _FLOAT_VALUED


def _is_zero(node: ast.AST) -> bool:
    """Whether ``node`` is the constant ``0`` or ``0.0`` (not ``False``, not a complex zero)."""
    return type(node) is ast.Constant and type(node.value) in (int, float) and node.value == 0


def _is_one(node: ast.AST) -> bool:
    """Whether ``node`` is the constant ``1`` or ``1.0`` (not ``True``)."""
    return type(node) is ast.Constant and type(node.value) in (int, float) and node.value == 1


#: NumPy's functions whose ``dtype`` is float64 unless given, and how a student gives it so.
_FLOAT_BY_DEFAULT = frozenset({"zeros", "ones", "empty"})
_FLOAT64 = frozenset({"float", "float64", "double", "float_"})
#: Callees whose parameters a call may name, by position: the graded functions (their course headers)
#: and the course's helpers (``grader.course``).
_POSITIONAL = {**COURSE_PARAMETERS, "softmax": ("x",), "sigmoid": ("x",)}
#: Empty displays called for: ``list()``, ``dict()``.
_EMPTY = {"list": lambda: ast.Tuple([], ast.Load()), "dict": lambda: ast.Dict([], [])}


def _keywords_in_place(node: ast.Call) -> list[ast.AST]:
    """Arguments named that the callee takes by position, passed by position: a graded function's
    (its course header's names, ``COURSE_PARAMETERS``, those right after the positional ones, in
    any order: ``rnn_cell_forward(xt=x[:, :, t], a_prev=a_next, parameters=parameters)``) and the
    course's helpers' (``softmax(x=z)``); and a float64 ``dtype`` given to ``np.zeros``, ``np.ones``
    or ``np.empty`` goes (its value returned, to be counted out), and ``out=None`` given to NumPy. A copy calling so scored 0.46
    (``softmax(x=...)`` 0.65, ``dtype=float`` 0.51) against its original (thirty-fourth session).

    The ``shape=`` of those stays named: passed by position, it moved 233 scores of the real classes'
    listed pairs (real30 to real33 at 8b0dcf8; honest students write both) and took one flagged pair
    of real33 under the threshold, its ``rnn_forward`` then held by 30 % of the class."""
    func = node.func
    if type(func) is ast.Attribute and _is_numpy(func.value) and any(
            k.arg == "out" and type(k.value) is ast.Constant and k.value.value is None for k in node.keywords):
        # ``np.tanh(z, out=None)``, NumPy's default: 0.26-0.36 (thirty-fifth session)
        node.keywords[:] = [k for k in node.keywords
                            if not (k.arg == "out" and type(k.value) is ast.Constant and k.value.value is None)]
    if type(func) is ast.Attribute and func.attr in _FLOAT_BY_DEFAULT and _is_numpy(func.value):
        dropped = [k.value for k in node.keywords if k.arg == "dtype" and is_float64(k.value)]
        if dropped:
            node.keywords[:] = [k for k in node.keywords if k.value not in dropped]
        return dropped
    parameters = _POSITIONAL.get(func.id) if type(func) is ast.Name else None
    if parameters is None or any(type(a) is ast.Starred for a in node.args):
        return []
    named = {k.arg: k for k in node.keywords if k.arg in parameters}
    start = len(node.args)
    wanted = parameters[start:start + len(named)]
    if named and set(wanted) == set(named):
        node.args.extend(named[name].value for name in wanted)
        node.keywords[:] = [k for k in node.keywords if k.arg not in named]
    return []


def _spliced(args: list[ast.AST]) -> list[ast.AST]:
    """Call arguments with each starred tuple display (``*(a, b)``) put as its items."""
    out: list[ast.AST] = []
    for arg in args:
        if type(arg) is ast.Starred and type(arg.value) is ast.Tuple:
            out.extend(arg.value.elts)
        else:
            out.append(arg)
    return out


def is_float64(node: ast.AST) -> bool:
    """Whether ``node`` names NumPy's float64: ``float``, ``np.float64``, ``"float64"``..."""
    kind = type(node)
    if kind is ast.Name:
        return node.id == "float"
    if kind is ast.Attribute:
        return _is_numpy(node.value) and node.attr in _FLOAT64
    return kind is ast.Constant and node.value in _FLOAT64


def _keyword_name(keyword: ast.keyword) -> str:
    """Sort key of a keyword argument: its name (``""`` for ``**kwargs``)."""
    return keyword.arg or ""


def _transposed(value: ast.expr, where: ast.AST) -> ast.expr:
    """``value.T`` (at ``where``'s place), or what ``value`` transposes when it is ``x.T`` read: ``x``;
    a product with a transposed factor, ``(a.T @ b).T``, is ``b.T @ a`` (the course's arrays are
    matrices: ``np.dot(xt.T, Wax.T).T`` for ``np.dot(Wax, xt)`` in a copy scored 0.30, thirty-eighth
    session). Other products stay transposed: honest students write ``np.dot(a, b).T``."""
    if _is_transpose(value):
        return value.value
    if type(value) is ast.BinOp and type(value.op) is ast.MatMult and (_is_transpose(value.left)
                                                                        or _is_transpose(value.right)):
        return ast.copy_location(ast.BinOp(left=_transposed(value.right, value.right), op=ast.MatMult(),
                                           right=_transposed(value.left, value.left)), where)
    return ast.copy_location(ast.Attribute(value=value, attr="T", ctx=ast.Load()), where)


def _is_transpose(node: ast.AST) -> bool:
    """Whether ``node`` is ``x.T`` read."""
    return type(node) is ast.Attribute and node.attr == "T" and type(node.ctx) is ast.Load


def _einsum_product(spec: str, left: ast.expr, right: ast.expr, where: ast.AST) -> ast.expr | None:
    """The matrix product ``np.einsum(spec, left, right)`` is, with ``left`` and ``right``
    transposed as the subscripts say (``"ij,jk->ik"``: ``left @ right``; ``"ij,kj->ik"``: ``left @
    right.T``; ``"ij,jk->ki"``: ``right.T @ left.T``), else None: two operands of two distinct
    subscripts each, one of them shared and summed, the other two the output's, in either order
    (implicit output: in alphabetical order, the two of one case). A copy writing ``np.einsum("ij,jk->ik",
    Wax, xt)`` for ``np.dot(Wax, xt)`` scored 0.22 (thirty-eighth session)."""
    inputs, arrow, output = spec.replace(" ", "").partition("->")
    operands = inputs.split(",")
    if len(operands) != 2 or not all(len(o) == 2 and o.isascii() and o.isalpha() and o[0] != o[1] for o in operands):
        return None
    shared = set(operands[0]) & set(operands[1])
    if len(shared) != 1:
        return None
    summed = shared.pop()
    first = operands[0].replace(summed, "")  # the output's subscript that ``left`` gives
    second = operands[1].replace(summed, "")
    if not arrow:
        if first.islower() != second.islower():
            return None
        output = "".join(sorted(first + second))
    if output not in (first + second, second + first):
        return None
    product = ast.copy_location(ast.BinOp(
        left=left if operands[0][1] == summed else _transposed(left, left), op=ast.MatMult(),
        right=right if operands[1][0] == summed else _transposed(right, right)), where)
    return product if output == first + second else _transposed(product, where)


#: The ``Rewriter`` method of each node class it rewrites (a table of the class, not of each
#: instance: bound methods kept by an instance would make a reference cycle of every rewriter).
_REWRITES = {
    ast.Name: Rewriter.visit_Name, ast.Call: Rewriter.visit_Call, ast.BinOp: Rewriter.visit_BinOp,
    ast.AugAssign: Rewriter.visit_AugAssign, ast.Subscript: Rewriter.visit_Subscript,
    ast.ImportFrom: Rewriter.visit_ImportFrom, ast.Import: Rewriter.visit_Import, ast.Assign: Rewriter.visit_Assign,
    ast.AnnAssign: Rewriter.visit_AnnAssign, ast.Compare: Rewriter.visit_Compare, ast.List: Rewriter.visit_List,
    ast.IfExp: Rewriter.visit_IfExp, ast.Attribute: Rewriter.visit_Attribute, ast.UnaryOp: Rewriter.visit_UnaryOp,
    ast.Tuple: Rewriter.visit_Tuple,
}


def _as_load(target: ast.AST) -> ast.AST:
    """A copy of an assignment target usable as an expression."""
    clone = ast.parse(ast.unparse(target), mode="eval").body
    for src, dst in zip(ast.walk(target), ast.walk(clone)):
        if hasattr(src, "lineno"):
            ast.copy_location(dst, src)
    return clone


def _count_name(node: ast.Name, counts: tuple[dict[str, int], dict[str, int], dict[str, int]]) -> None:
    """``tally`` of one ``Name`` node."""
    loads, named, stored = counts
    name = node.id
    named[name] = named.get(name, 0) + 1
    if type(node.ctx) is ast.Load:
        loads[name] = loads.get(name, 0) + 1
    else:
        stored[name] = stored.get(name, 0) + 1


def canonical_reads(tree: ast.Module, rewriter: Rewriter) -> bool:
    """Values read one way, however a copier spells the reading (thirty-second session):

    * a name of NumPy's functions (``NUMPY_NAMES``) the text reads and does not bind, or one a
      ``from numpy import tanh [as t]`` of the text alone binds, is ``np.tanh`` (``from
      numpy.linalg import norm``: ``np.linalg.norm``, thirty-third session) (the import, unread,
      goes with the dead code): a copy writing ``tanh(...)`` scored 0.41 against its original;
    * an alias, a name a def assigns once at its top level to a parameter, a name bound once
      before, a free name or an attribute of NumPy (``p = parameters``, ``t = np.tanh``), is read
      as what it names (``resolve_aliases``; 0.25-0.30);
    * a lookup by a constant key of a parameter the def never writes, or of a name one earlier
      top-level statement binds (``parameters["Wax"]``, ``parameters.get("Wax")``), is read
      through a local: the one a top-level ``Wax = parameters["Wax"]`` before it defines, else a
      new one assigned first (``hoist_lookups``). One lookup written in place of its local
      scored 0.05, every lookup inlined or read with ``.get`` gave no pair.

    Runs after ``rewriter`` (a ``Rewriter``, which split the tuples assigned to as many names,
    ``split``) when its ``reads_to_canonise`` says there may be work; its counts are kept right
    for the lookups. True when what changed must be rewritten again (a NumPy name or an alias:
    ``np.dot(a, b)`` of ``dot(a, b)`` is ``a @ b``) and counted anew."""
    stored = rewriter.counts[2]
    spelled = {name: name for name in rewriter.bare if not stored.get(name)}
    imports: list[ast.Import] = []
    if rewriter.rereads:
        for node in subnodes(tree):
            if type(node) is ast.Import:
                imports.append(node)
                for alias in node.names:
                    if _numpy_module(alias.name) and alias.asname and alias.asname != "np" \
                            and stored.get(alias.asname) == 1:
                        spelled[alias.asname] = alias.name[6:]
                continue
            module = node.module if type(node) is ast.ImportFrom and not node.level else None
            if module and _numpy_module(module):
                for alias in node.names:
                    bound = alias.asname or alias.name
                    if alias.name != "*" and stored.get(bound) == 1:
                        spelled[bound] = f"{module[6:]}.{alias.name}" if module != "numpy" else alias.name
    again = bool(spelled)
    if spelled:
        NumpyReads(spelled).visit(tree)
    if imports:
        again = _drop_numpy_imports(tree, imports, spelled, stored) or again
    for unit in defs_of(tree):
        again = resolve_aliases(unit, stored) or again
        hoist_lookups(unit, rewriter.counts)
    return again


def _drop_numpy_imports(tree: ast.Module, imports: list[ast.Import], spelled: dict[str, str],
                        stored: dict[str, int]) -> bool:
    """Take out of ``imports`` (the text's ``import`` statements) the names binding NumPy or one of
    its modules that are read as ``np`` now (``np`` or ``numpy`` itself, or a name ``spelled``
    respelled), each bound once in the text, and the statements left empty; True when one went. Left
    in, ``import numpy as np`` in a def (which honest students write too) scored 0.50 against the same
    code without it, and ``import numpy as npy`` with ``npy.tanh`` 0.20 (thirty-fourth session)."""
    emptied = set()
    for node in imports:
        kept = [alias for alias in node.names if not (
            _numpy_module(alias.name) and stored.get(bound := alias.asname or alias.name.split(".")[0]) == 1
            and (bound in ("np", "numpy") or bound in spelled))]
        if len(kept) < len(node.names):
            node.names[:] = kept
            if not kept:
                emptied.add(id(node))
    if not emptied:
        return False
    for node in subnodes(tree):
        for _field, block in statement_blocks(node):
            if any(id(stmt) in emptied for stmt in block):
                block[:] = [stmt for stmt in block if id(stmt) not in emptied] or [
                    ast.copy_location(ast.Pass(), block[0])]
    return True
