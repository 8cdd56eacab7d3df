"""What the code cells say, read with `ast` and never run.

For each ``fit`` call, in notebook order: which model variable it trains, the
model's alternative (its recurrent layers, from ``Sequential([...])``,
``model.add(...)`` chains, the functional API, or a builder function), its
validation setting (``validation_split`` or ``validation_data``, and whether that
data comes from the test set), and the cell whose outputs will show it.  Also
the ``evaluate`` calls, an ``imdb_report = {...}`` literal, and the numbers
written literally in each cell (a printed accuracy that the code merely spells
out is a claim, not evidence).

The reading is deliberately modest: user functions are followed (inlined) a few
levels deep, ``for`` loops over literal lists are unrolled, and anything else
keeps its alternative unknown rather than guessed.
"""

from __future__ import annotations

import ast
import re
import symtable
import warnings
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Sequence

from grader.astnodes import nodes
from grader.imdb.labels import CELLS, RECURRENT, WRAPPERS, stack_label
from grader.notebook import (SIZE_LIMITS, TREES_HELD, SizeLimits, SourceMemo, skipped_code, tree_weight,
                             without_trailing_comments)

__all__ = ["Validation", "FitCall", "EvalCall", "ReportLiteral", "CodeFacts", "read_code", "clear_memos"]

_MAX_INLINE = 3
_MAX_UNROLL = 8
_TRAIN_SIZE = 25000  # IMDB training reviews, to turn a sliced count into a share
#: Beside ``"test"`` in a data origin: the part a ``train_test_split`` held out of every review
#: pooled (training and test arrays concatenated), or held out and named as test data by the
#: student (`_Walker.split_origins`).  They say so in the validation's text.
HELD_POOLED = "held out of the pooled reviews"
HELD_NAMED = "held out as test data"
#: How a validation's text names such a part (``score`` then says what to validate on instead).
HELD_TEXT = "the part train_test_split held out"


@dataclass(frozen=True)
class Validation:
    """How a ``fit`` call validates.

    ``kind``: ``"split"`` (``validation_split``), ``"data"`` (``validation_data``), ``"none"``,
    or ``"unknown"``.  ``source``: ``"train"``, ``"test"``, ``"fit"`` (the very data the call trains
    on: ``fit(x_train, y_train, validation_data=(x_train, y_train))``), ``"none"`` or ``"unknown"``.
    ``fraction``: the share of the training data held out, when the code states it.
    """

    kind: str
    source: str
    fraction: float | None
    text: str


@dataclass(frozen=True)
class FitCall:
    """One ``fit`` in the order the notebook runs it (loops unrolled, functions inlined)."""

    cell: int
    order: int
    model: str | None
    alternative: str | None
    layers: tuple[str, ...]
    validation: Validation
    epochs: int | None  # 1 when not given (the Keras default); None when not a literal
    in_loop: bool
    line: int
    verbose: int | None = None  # None: not given ("auto", which prints) or not a literal


@dataclass(frozen=True)
class EvalCall:
    """One ``evaluate`` call; ``on`` is the origin of its data (``"test"``, ``"train"``, ``"unknown"``)."""

    cell: int
    order: int
    model: str | None
    on: str
    line: int
    verbose: int | None = None


@dataclass(frozen=True)
class ReportLiteral:
    """``imdb_report = {...}`` (or ``report``/``results``) as plain data, and its cell."""

    cell: int
    name: str
    value: Any


@dataclass(frozen=True)
class CodeFacts:
    """Everything the code cells tell, in notebook order."""

    fits: tuple[FitCall, ...]
    evals: tuple[EvalCall, ...]
    reports: tuple[ReportLiteral, ...]
    literals: Mapping[int, frozenset[str]]  # code cell index -> numbers its code spells out
    mentions_imdb: bool
    builds_recurrent: bool
    unparsed_cells: tuple[int, ...]
    #: names bound at the top level to an ``evaluate`` result (``score = model.evaluate(...)``):
    #: a later cell that shows one shows an evaluation, though it calls no ``evaluate``
    eval_results: frozenset[str] = frozenset()
    #: the code cell that first imports PyTorch when the code compiles no Keras model (`_torch_cell`):
    #: the bonus was written with PyTorch, which the bonus's readers do not read
    torch_cell: int | None = None


def _strip_magics(source: str) -> str:
    """Replace IPython magics and shell escapes by ``pass`` (keeping line numbers)."""
    if "%" not in source and "!" not in source and "?" not in source:
        return "\n".join(source.splitlines())  # no line to replace
    out = []
    for line in source.splitlines():
        s = line.lstrip()
        if s.startswith(("%", "!", "?")) or s.endswith("?") and not s.startswith("#"):
            out.append(line[: len(line) - len(s)] + "pass")
        else:
            out.append(line)
    return "\n".join(out)


def _cell_statements(source: str) -> tuple[tuple[ast.stmt, ...], bool]:
    """``(statements, complete)`` of a cell: its statements, tolerating syntax errors
    (`_parse_tolerant`), and whether it parsed whole.  The statements are shared with
    other callers (per-process memo): read them, do not change them.

    Memoised by the cell's source, then by its code without magics and trailing
    comments (a student's note after a template's code).
    """
    return _CELL_MEMO(source)


def _parse_source(source: str) -> tuple[tuple[ast.stmt, ...], bool]:
    """`_cell_statements` computed: magics stripped, then the text parsed (memoised by that text)."""
    return _TEXT_MEMO(_parsed_text(source))


def _parsed_text(source: str) -> str:
    """The text of a cell that is parsed: magics stripped, trailing comments dropped."""
    return without_trailing_comments(_strip_magics(source))


def _parse_text(text: str) -> tuple[tuple[ast.stmt, ...], bool]:
    """`_parse_tolerant` with warnings silenced, as a tuple."""
    with warnings.catch_warnings():  # student code: "invalid escape sequence" and the like
        warnings.simplefilter("ignore")
        body, complete = _parse_tolerant(text)
    return tuple(body), complete


# A top-level def's first line, as `_defs_only` reads it (no decorator, no class).
_TOP_DEF = re.compile(r"(?:async[ \t]+)?def[ \t]+(\w+)[ \t]*\(")


def _defs_only(source: str) -> tuple[str, ...] | None:
    """The names of the functions a cell defines, in order, when its parsed text (`_parsed_text`)
    parses whole and holds nothing but top-level defs without decorators (and comments and blank
    lines); None otherwise, or when that cannot be told cheaply.

    All the walk does with such a cell is file each def under its name (`_Walker.statement`), and
    a def's statements are needed only if a walked call names it (`_Walker.inline`): the cell is
    then parsed (`_CellParses.def_node`). Told from the text and its symbol table, which parses it
    as `ast.parse` does without building the tree (a fifth of the cost of a NumPy part's function
    cell): every line that begins at column 0 but a comment must begin a def, and the module's
    child scopes must be those functions, by name and line, and nothing else. A line at column 0
    inside a string or a bracket (other than a def's) fails the first test; a def line inside a
    string, or a lambda or comprehension in a def's header (a child scope of the module), the
    second. A top-level statement of another kind begins a line at column 0 (``def f(): x; y``
    puts ``y`` in the def's body).
    """
    text = _parsed_text(source)
    found: list[tuple[str, int, str]] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line or line[0] in " \t#":
            continue
        head = _TOP_DEF.match(line)
        if head is None:
            return None
        found.append((head.group(1), number, "function"))
    if not found:
        return None
    try:
        with warnings.catch_warnings():  # as `_parse_text`: student code
            warnings.simplefilter("ignore")
            table = _symbol_table(text, _DEPTH_MARGIN)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    children = [(child.get_name(), child.get_lineno(), child.get_type()) for child in table.get_children()]
    return tuple(name for name, _, _ in found) if children == found else None


# Python frames `_defs_only` reads the symbol table below its caller. The symbol table and
# `ast.parse` both stop (RecursionError) at a nesting depth set by the stack's depth (3 levels a
# frame), within a level or two of each other; `read_code` parsed a cell 4 frames below where
# `_defs_only` reads it, and a filed def is parsed in the walk, 10 frames below it for a call at
# the top level and 2 more a block around it. With this margin (150 levels of nesting, 3 us
# a def cell), a text the symbol table accepts parses whole there, as `read_code` would
# have parsed it, but for a call some 20 blocks deep (`_CellParses.def_node`).
_DEPTH_MARGIN = 50


def _symbol_table(text: str, frames: int) -> symtable.SymbolTable:
    """``symtable.symtable(text)`` read ``frames`` Python frames deeper than the caller."""
    if frames > 0:
        return _symbol_table(text, frames - 1)
    return symtable.symtable(text, "<cell>", "exec")


def _worth_walking(source: str, cells: "_CellParses | None" = None) -> bool:
    """Whether a cell's statements name anything `_Walker` records (`_records_something`),
    memoised per process by the cell's source (`_decide_walk`); a parse it needs comes from
    ``cells`` (its notebook's, which the walk reuses) when given."""
    if cells is None:
        return _WALK_MEMO(source)
    return _WALK_MEMO.via(lambda: _decide_walk(source, cells), source)


def _decide_walk(source: str, cells: "_CellParses | None" = None) -> bool:
    """`_worth_walking` computed.

    A cell whose code outside its strings and comments (`_code_outside_literals`) is
    ASCII and has none of the walker's words (`_may_record`) names none: it is not
    parsed. Most cells with such a word have it only in a docstring or a comment ("One
    step of the LSTM cell"). Python folds non-ASCII names (NFKC): only ASCII code can
    be ruled out by its text.
    """
    text = _parsed_text(source)
    code = _code_outside_literals(text)
    if not _may_record(text if code is None else code):
        return False
    body = _TEXT_MEMO(text)[0] if cells is None else cells.statements(source)[0]
    return bool(body) and _records_something(body)


# Where a comment or a string literal may begin, and a string's body from its opening
# quotes: it may hold escaped quotes and (escaped, or between triple quotes) line ends.
_LITERAL_START = re.compile(r"[#'\"]")
_STRING_BODY = {
    '"""': re.compile(r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""'),
    "'''": re.compile(r"'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''"),
    '"': re.compile(r'"(?:[^"\\\n]|\\[\s\S])*"'),
    "'": re.compile(r"'(?:[^'\\\n]|\\[\s\S])*'"),
}
_PREFIX_LETTERS = frozenset("rRbBuUfF")
# Line ends of str.splitlines (which cuts `_parse_tolerant`'s chunks) that Python reads
# inside a string, or as other than a line end: `_parsed_text` leaves none of them.
_OTHER_LINE_BREAK = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _code_outside_literals(text: str) -> str | None:
    """``text`` with its comments and string literals blanked out, or None when that cannot
    be told from the text alone.

    Every name in the statements `_parse_tolerant` finds in ``text`` (a Name's id, an
    Attribute's attr) is a word of the result. None when a quote opens no string that
    closes (Python would not read that line, and whether a chunk around it parses is the
    parser's to say), when a line inside a string that spans lines could begin a chunk of
    `_parse_tolerant` (`_begins_chunk`: that chunk would read the string's lines as code;
    a docstring's lines are indented), for an f-string (its fields are code: inside a
    string token before Python 3.12, with quotes of their own after), and for a text with
    a line end other than ``\n`` (`_OTHER_LINE_BREAK`). Otherwise every chunk begins
    outside any literal, here as for Python, and is read here as Python reads it. A
    string's prefix is the one or two letters of ``rRbBuUfF`` before its quote, when no
    letter, digit or underscore comes before them (``if"x"`` is the name ``if`` and a
    string). Linear in the length of ``text``: each comment or string is read once, and
    the first that does not close ends the reading.
    """
    if _OTHER_LINE_BREAK.search(text):
        return None
    pieces = []
    last = 0
    search = _LITERAL_START.search
    found = search(text)
    while found is not None:
        start = found.start()
        char = text[start]
        if char == "#":
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
        else:
            body = _STRING_BODY[char * 3 if text.startswith(char * 3, start) else char].match(text, start)
            if body is None or ("\n" in body.group() and any(map(_begins_chunk, body.group().split("\n")[1:]))):
                return None
            end = body.end()
            letters = 0
            while letters < 3 and start - letters > 0 and text[start - letters - 1] in _PREFIX_LETTERS:
                letters += 1
            before = start - letters - 1
            if 0 < letters < 3 and (before < 0 or not (text[before].isalnum() or text[before] == "_")):
                if "f" in text[start - letters:start].lower():
                    return None
                start -= letters
        pieces.append(text[last:start])
        last = end
        found = search(text, end)
    pieces.append(text[last:])
    return " ".join(pieces)


# The names `_Walker` must meet to record anything: a fit or evaluate call is an
# attribute of that name, a report literal a name of these (in lower case), and a
# recurrent layer (`_Walker.layer`) a name or attribute in RECURRENT, Bidirectional
# or RNN(cell).  The walker makes no Name or Attribute nodes of its own.
_CALLS = frozenset({"fit", "fit_generator", "evaluate"})
_REPORT_NAMES = frozenset({"imdb_report", "report", "results", "imdb_results"})
_LAYER_NAMES = frozenset({*RECURRENT, *WRAPPERS, "RNN"})


def _records_something(body: Sequence[ast.stmt]) -> bool:
    """True when the statements name a fit/evaluate attribute, a report variable or a
    recurrent layer: only then can walking them (or a function they define) record a fit,
    an evaluation, a report literal or a recurrent layer.

    Every node ``ast.walk`` would visit is visited (in another order, which an "is there
    any" question does not see), with a stack and each node type's fields looked up once
    (`_CHILD_FIELDS`): about three times faster than ``ast.walk``.
    """
    stack: list = list(body)
    fields_of, attribute, name = _CHILD_FIELDS, ast.Attribute, ast.Name
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is attribute:
            if node.attr in _CALLS or node.attr in _LAYER_NAMES:
                return True
        elif kind is name:
            if node.id in _LAYER_NAMES or node.id.lower() in _REPORT_NAMES:
                return True
            continue  # its only child is its context
        fields = fields_of.get(kind)
        if fields is None:
            fields = _child_fields(kind)
        for field_name in fields:
            value = getattr(node, field_name, None)
            if type(value) is list:
                stack.extend(value)  # strings or None among them have no fields (below)
            elif isinstance(value, ast.AST):
                stack.append(value)
    return False


def _child_fields(kind: type) -> tuple[str, ...]:
    """The fields of node type ``kind`` that may hold nodes (all but the load/store context);
    none for anything that is not a node (a string or None in a list field). Kept per type."""
    fields = tuple(f for f in kind._fields if f != "ctx") if issubclass(kind, ast.AST) else ()
    _CHILD_FIELDS[kind] = fields  # per type: a few dozen entries at most, the same in every call
    return fields


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _parse_tolerant(text: str) -> tuple[list[ast.stmt], bool]:
    """Statements of a cell's text, tolerating syntax errors; returns ``(statements, complete)``.

    A text that does not parse is cut into top-level chunks (at unindented lines)
    and every chunk that parses is kept.  Warnings are the caller's (`_parse_text`).
    """
    try:
        return list(ast.parse(text).body), True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    lines = text.splitlines()
    starts = [i for i, ln in enumerate(lines) if _begins_chunk(ln)]
    starts.append(len(lines))
    body: list[ast.stmt] = []
    for a, b in zip(starts, starts[1:]):
        chunk = "\n" * a + "\n".join(lines[a:b])
        try:
            body.extend(ast.parse(chunk).body)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return body, False


def _begins_chunk(line: str) -> bool:
    """Whether `_parse_tolerant` starts a chunk at ``line`` (an unindented line that does not
    continue a statement: not a comment, not a closing bracket)."""
    return bool(line) and not line[0].isspace() and not line.startswith(("#", ")", "]", "}"))


def _walk(node: ast.AST) -> tuple[ast.AST, ...]:
    """``ast.walk(node)`` as a tuple: the same nodes in the same order.

    What lies below a node is kept on the node (``_grader_below``) the first time: the
    statements are memoised per cell source and shared between notebooks, which only read
    them, and `_Walker` walks the same expressions again and again (the value of an
    assignment for calls, then for data origins, then each name in it). The node itself is
    not kept in it, so no reference cycle is made.
    """
    try:
        below = node._grader_below  # type: ignore[attr-defined]
    except AttributeError:
        below = node._grader_below = tuple(_nodes(node)[1:])  # type: ignore[attr-defined]
    return (node, *below)


def _nodes(node: ast.AST) -> list[ast.AST]:
    """``list(ast.walk(node))``, about twice as fast (``grader.astnodes``: the same nodes in
    the same order)."""
    return nodes(node, _NO_TABLE)


_NO_TABLE: dict[type, tuple[str, ...]] = {}  # every node type's own _fields


def _real(value: Any) -> float | None:
    """A constant's value as a float, or None when it is no number or too large for one: a
    literal of 400 digits (or ``0x`` and 300) raised OverflowError out of ``float``, and the
    bonus's error took the whole submission's grade with it (a harness failure)."""
    if not isinstance(value, (int, float)):
        return None
    try:
        return float(value)
    except OverflowError:
        return None


def _code(node: ast.AST) -> str:
    """``ast.unparse(node)``, or a placeholder when it cannot be written: ``repr`` refuses an
    integer of more than 4,300 digits (``0x`` and 3,600 hex digits), ValueError."""
    try:
        return ast.unparse(node)
    except (ValueError, RecursionError):
        return "(an expression too long to show)"


def _name(node: ast.AST) -> str | None:
    """Last component of a Name/Attribute (``keras.layers.LSTM`` -> ``"LSTM"``)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


@dataclass
class _Model:
    """A model being defined: the labels of its recurrent layers so far."""

    layers: list[str] = field(default_factory=list)


@dataclass
class _Env:
    """Names known while walking: models, layer classes/instances, data origins, aliases."""

    models: dict[str, _Model] = field(default_factory=dict)
    layers: dict[str, str] = field(default_factory=dict)
    origins: dict[str, frozenset[str]] = field(default_factory=dict)
    fractions: dict[str, float] = field(default_factory=dict)
    alias: dict[str, str] = field(default_factory=dict)
    strings: dict[str, Any] = field(default_factory=dict)  # constants bound to names
    pending: list[str] = field(default_factory=list)  # functional-API recurrent layers not yet in a Model
    literals: dict[str, ast.AST] = field(default_factory=dict)  # names bound to list/tuple/dict displays
    bound: dict[str, object] = field(default_factory=dict)  # data name -> a token of its current binding
    slices: dict[str, tuple[str, object]] = field(default_factory=dict)  # x_val -> (x_train, its token then)

    def child(self) -> "_Env":
        """A copy for a function body: the same knowledge, its own bindings."""
        return _Env(dict(self.models), dict(self.layers), dict(self.origins), dict(self.fractions),
                    dict(self.alias), dict(self.strings), [], dict(self.literals), dict(self.bound),
                    dict(self.slices))

    def fork(self) -> "_Env":
        """A copy for one branch of an ``if`` that cannot be decided (models copied too)."""
        env = self.child()
        env.models = {k: _Model(list(m.layers)) for k, m in self.models.items()}
        env.pending = list(self.pending)
        return env

    def merge(self, a: "_Env", b: "_Env") -> None:
        """Take the knowledge of two branches: what they agree on, and ambiguity where they differ."""
        conflict = {"layers": AMBIGUOUS, "origins": frozenset(), "strings": _UNKNOWN}
        for store in ("layers", "origins", "fractions", "alias", "strings", "literals", "bound", "slices"):
            da, db, mine = getattr(a, store), getattr(b, store), getattr(self, store)
            mine.clear()
            for key in set(da) | set(db):
                if key in da and key in db and da[key] != db[key]:
                    if store in conflict:  # the branches disagree: known to be unknown
                        mine[key] = conflict[store]
                    continue
                mine[key] = da[key] if key in da else db[key]
        self.models.clear()
        for key in set(a.models) | set(b.models):
            ma, mb = a.models.get(key), b.models.get(key)
            if ma is not None and mb is not None and ma.layers != mb.layers:
                self.models[key] = _Model([AMBIGUOUS])
            else:
                self.models[key] = ma if ma is not None else mb  # type: ignore[assignment]
        self.pending[:] = a.pending if a.pending == b.pending else [AMBIGUOUS]


_UNKNOWN = object()  # "not a constant", for `_Walker.constant`
AMBIGUOUS = "?"  # a layer that depends on a condition the reader cannot decide


def _trains(fn: ast.FunctionDef) -> bool:
    """Whether a def calls ``fit``, ``evaluate`` or a tuner's ``search`` anywhere in it."""
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
               and node.func.attr in ("fit", "fit_generator", "evaluate", "search") for node in _walk(fn))


def _one(models: Sequence[_Model]) -> _Model | None:
    """The model several code paths return: the same one, or an ambiguous one."""
    if not models:
        return None
    if all(m.layers == models[0].layers for m in models):
        return models[0]
    return _Model([AMBIGUOUS])
_SEQUENTIAL = {"Sequential"}
_FUNCTIONAL = {"Model", "Functional"}
_LOADERS = {"load_data"}
#: keras-tuner's tuners: ``kt.RandomSearch(build_model, ...)`` stands for the model its build
#: function returns, and its ``search`` is that model's ``fit`` (docs/imdb.md).
_TUNERS = {"RandomSearch", "Hyperband", "BayesianOptimization", "GridSearch"}
#: A search in a notebook clears its trials' Keras logs and leaves their summaries
#: (``val_accuracy: 0.86``, ``Best val_accuracy So Far``): read as a fit that prints no log.
_SEARCH_VERBOSE = 0


def _tuner_of(node: ast.AST) -> str | None:
    """The tuner's name in ``tuner.get_best_models(...)[k]`` or ``tuner.hypermodel.build(...)``:
    the model a search found is the tuner's model, trained again or evaluated."""
    if isinstance(node, ast.Subscript):
        call = node.value
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
                and call.func.attr == "get_best_models" and isinstance(call.func.value, ast.Name):
            return call.func.value.id
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "build":
        holder = node.func.value
        if isinstance(holder, ast.Attribute) and holder.attr == "hypermodel" and isinstance(holder.value, ast.Name):
            return holder.value.id
    return None


class _Walker:
    """Walks the cells in order, keeping an environment, and records fits and evaluates."""

    def __init__(self) -> None:
        """Start with an empty environment."""
        self.env = _Env()
        self.functions: dict[str, ast.FunctionDef] = {}
        self.fits: list[FitCall] = []
        self.evals: list[EvalCall] = []
        self.reports: list[ReportLiteral] = []
        self.eval_results: set[str] = set()
        self.builds_recurrent = False
        self.cell = 0
        self.order = 0
        self.depth = 0
        self.in_loop = False
        self.return_origins: list[frozenset[str]] = []  # data origins of the last inlined tuple return

    # -- layers and models -------------------------------------------------
    def layer(self, node: ast.AST, env: _Env) -> str | None:
        """Label of a layer expression (``LSTM(64)``, ``Bidirectional(GRU(32))``, a bound name)."""
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name in RECURRENT:
                self.builds_recurrent = True
                return name
            if name == "Bidirectional" and node.args:
                inner = self.layer(node.args[0], env)
                self.builds_recurrent = True
                return f"Bidirectional({inner or ''})"
            if name == "RNN":
                cell = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "cell"), None)
                cname = _name(cell.func) if isinstance(cell, ast.Call) else None
                if cname in CELLS:
                    self.builds_recurrent = True
                    return CELLS[cname]
                return None
            if isinstance(node.func, ast.Name) and node.func.id in env.layers:
                return env.layers[node.func.id]  # a class bound to a name, called
            if isinstance(node.func, ast.Subscript):  # {"lstm": LSTM, ...}[kind](32)
                return self.layer(node.func, env)
            if isinstance(node.func, ast.Call):  # functional: LSTM(64)(x)
                return self.layer(node.func, env)
            return None
        if isinstance(node, ast.Name):
            if node.id in env.layers:
                return env.layers[node.id]
            if node.id in RECURRENT:
                return node.id
        if isinstance(node, ast.Attribute) and node.attr in RECURRENT:
            return node.attr
        if isinstance(node, ast.Subscript):
            table = node.value
            if isinstance(table, ast.Name) and table.id in env.literals:
                table = env.literals[table.id]
            key = self.constant(node.slice, env)
            if isinstance(table, ast.Dict) and key is not _UNKNOWN:
                for k, v in zip(table.keys, table.values):
                    if k is not None and self.constant(k, env) == key:
                        return self.layer(v, env)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            word = re.sub(r"[^a-z]", "", node.value.lower())
            return {"lstm": "LSTM", "gru": "GRU", "simplernn": "SimpleRNN", "rnn": "SimpleRNN"}.get(word)
        return None

    def model(self, node: ast.AST, env: _Env) -> _Model | None:
        """The model an expression builds or names, or ``None`` if it is not a model."""
        if isinstance(node, ast.Name):
            return env.models.get(node.id)
        if (entry := self.entry(node, env)) is not None:
            return env.models.get(entry)
        tuner = _tuner_of(node)
        if tuner is not None:
            return env.models.get(tuner)
        if not isinstance(node, ast.Call):
            return None
        name = _name(node.func)
        if name in _TUNERS:
            return self.hypermodel(node, env)
        if name in _SEQUENTIAL:
            m = _Model()
            items = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "layers"), None)
            if isinstance(items, (ast.List, ast.Tuple)):
                for element in items.elts:
                    label = self.layer(element, env)
                    if label:
                        m.layers.append(label)
            return m
        if name in _FUNCTIONAL:
            m = _Model(layers=list(env.pending))
            env.pending.clear()
            return m
        if name in ("clone_model",) and node.args:
            return self.model(node.args[0], env)
        if isinstance(node.func, ast.Name) and node.func.id in self.functions:
            return self.inline(node, env)
        return None

    def hypermodel(self, tuner: ast.Call, env: _Env) -> _Model | None:
        """The model a tuner's build function returns (``kt.RandomSearch(build_model, ...)``,
        or ``hypermodel=build_model``), walked with its ``hp`` unknown: a layer chosen by
        ``hp.Choice`` is ambiguous, as under any condition the reader cannot decide."""
        build = tuner.args[0] if tuner.args else next(
            (k.value for k in tuner.keywords if k.arg == "hypermodel"), None)
        if not (isinstance(build, ast.Name) and build.id in self.functions):
            return None
        return self.inline(ast.Call(func=build, args=[ast.Constant(None)], keywords=[]), env)

    # -- data origins --------------------------------------------------------
    def origin(self, node: ast.AST | None, env: _Env, *, words: bool = True) -> frozenset[str]:
        """Where data comes from: a set of ``"train"``/``"test"`` (empty when unknown), with
        `HELD_POOLED` or `HELD_NAMED` beside ``"test"`` for the part a ``train_test_split`` held
        out.  ``words=False``: from what the code bound only, not from the names' words."""
        if node is None:
            return frozenset()
        if isinstance(node, ast.Name):
            if node.id in env.origins:
                return env.origins[node.id]
            if not words:
                return frozenset()
            low = node.id.lower()
            if "test" in low or re.search(r"(?:^|_)(?:te|tst)(?:$|_)", low):
                return frozenset({"test"})
            if "train" in low or re.search(r"(?:^|_)(?:tr|trn)(?:$|_)", low):
                return frozenset({"train"})
            return frozenset()
        if isinstance(node, (ast.Tuple, ast.List)) and node.elts:
            return self.origin(node.elts[0], env, words=words)
        found: set[str] = set()
        called: set[int] = set()  # a function's name is no data: `train_test_split(x_train, ...)` read as test data
        for sub in _walk(node):  # breadth first: a call comes before the name it calls
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name):
                called.add(id(sub.func))
            elif isinstance(sub, ast.Name) and sub is not node and id(sub) not in called:
                found |= self.origin(sub, env, words=words)
        return frozenset(found)

    def split_origins(self, targets: Sequence[ast.AST], value: ast.Call, env: _Env) -> list[frozenset[str]] | None:
        """The origin of each target of ``a_tr, a_te, b_tr, b_te = train_test_split(a, b, ...)``
        when the split is the notebook's train/test split, else None (the targets take the data's
        origin, as any derived array does).  It is one (thirty-second session) when the data holds
        every review: arrays of the training and of the test set pooled (``np.concatenate``), or
        data the code took from no split at all (a CSV of the 50,000 reviews) whose held-out part
        the student names as test data (``x_test``, ``test_review``).  The held-out parts (every
        second target) are then the test set, the others the training set: validation split from
        the training part is held out of the training data, validation on the held-out part is on
        the test set (it had all read as training data, 20 % held out)."""
        if len(targets) != 1 or not isinstance(targets[0], (ast.Tuple, ast.List)) or len(targets[0].elts) < 2:
            return None
        known = self.origin(value, env, words=False)
        parts = targets[0].elts
        if known >= {"train", "test"}:
            return [frozenset({"test", HELD_POOLED}) if k % 2 else frozenset({"train"}) for k in range(len(parts))]
        if known:
            return None
        held = [isinstance(p, ast.Name) and self.origin(p, _Env()) == {"test"} for p in parts[1::2]]
        if not any(held):
            return None
        source = self.origin(value, env)
        return [frozenset({"test", HELD_NAMED}) if k % 2 and held[k // 2] else source for k in range(len(parts))]

    def bind_origins(self, targets: Sequence[ast.AST], value: ast.AST, env: _Env) -> None:
        """Record the data origin (and held-out share) of assignment targets."""
        if len(targets) == 1 and isinstance(targets[0], (ast.Tuple, ast.List)) \
                and isinstance(value, (ast.Tuple, ast.List)) and len(targets[0].elts) == len(value.elts):
            for t, v in zip(targets[0].elts, value.elts):
                self.bind_origins([t], v, env)
            return
        call_name = _name(value.func) if isinstance(value, ast.Call) else None
        if call_name in _LOADERS and len(targets) == 1 and isinstance(targets[0], (ast.Tuple, ast.List)):
            for part, tag in zip(targets[0].elts, ("train", "test")):
                for n in _walk(part):
                    if isinstance(n, ast.Name):
                        env.origins[n.id] = frozenset({tag})
                        env.bound[n.id] = object()
                        env.slices.pop(n.id, None)
            return
        if call_name == "train_test_split" and isinstance(value, ast.Call) \
                and (split := self.split_origins(targets, value, env)) is not None:
            for part, origin in zip(targets[0].elts, split):  # type: ignore[attr-defined]
                for n in _walk(part) if origin else ():  # unknown: the name's word, as before
                    if isinstance(n, ast.Name):
                        env.origins[n.id] = origin
                        env.bound[n.id] = object()
                        env.slices.pop(n.id, None)
                        env.fractions.pop(n.id, None)
            return
        source = self.origin(value, env)
        fraction = None
        if call_name == "train_test_split" and isinstance(value, ast.Call):
            for k in value.keywords:
                if k.arg in ("test_size", "train_size") and isinstance(k.value, ast.Constant) \
                        and (v := _real(k.value.value)) is not None:
                    v = v / _TRAIN_SIZE if v > 1 else v
                    fraction = v if k.arg == "test_size" else 1 - v
        elif isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
            fraction = _slice_share(value.slice, env)
        elif source:  # xv = np.array(x_held).reshape(...): the one data array it is made of, and its share
            data = {n.id for n in _walk(value) if isinstance(n, ast.Name) and n.id in env.origins}
            if len(data) == 1:
                fraction = env.fractions.get(data.pop())
        sliced = _slice_of(value, env)
        for target in targets:
            for n in _walk(target):
                if isinstance(n, ast.Name):
                    if source:
                        env.origins[n.id] = source
                    if fraction is not None and "train" in source:
                        env.fractions[n.id] = fraction
                    env.bound[n.id] = object()
                    if sliced is not None and len(targets) == 1 and target is n:
                        env.slices[n.id] = sliced
                    else:
                        env.slices.pop(n.id, None)

    # -- statements -----------------------------------------------------------
    def inline(self, call: ast.Call, env: _Env) -> _Model | None:
        """Walk a user function's body with its parameters bound; return the model it returns."""
        fn = self.function(call.func.id)  # type: ignore[union-attr]
        if self.depth >= _MAX_INLINE:
            return None
        inner = env.child()
        params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
        defaults = dict(zip(params[len(params) - len(fn.args.defaults):], fn.args.defaults))
        bound: dict[str, ast.AST] = dict(defaults)
        bound.update(zip(params, call.args))
        for kw in call.keywords:
            if kw.arg:
                bound[kw.arg] = kw.value
        for p, arg in bound.items():
            for store in (inner.models, inner.layers, inner.origins, inner.alias, inner.strings):
                store.pop(p, None)
            m = self.argument_model(arg, env)
            if m is not None:
                inner.models[p] = m
                if isinstance(arg, ast.Name):
                    inner.alias[p] = env.alias.get(arg.id, arg.id)
                continue
            label = self.layer(arg, env)
            if label:
                inner.layers[p] = label
            if isinstance(arg, ast.Constant):
                inner.strings[p] = arg.value
            elif isinstance(arg, ast.Name) and arg.id in env.strings:
                inner.strings[p] = env.strings[arg.id]
            o = self.origin(arg, env)
            if o:
                inner.origins[p] = o
            if isinstance(arg, ast.Name) and arg.id in env.fractions:
                inner.fractions[p] = env.fractions[arg.id]
        self.depth += 1
        try:
            returned = self.block(fn.body, inner)
        finally:
            self.depth -= 1
        # a model built inside and only returned keeps the caller's name (set by the caller)
        return returned

    def argument_model(self, arg: ast.AST, env: _Env) -> _Model | None:
        """The model an argument of a user function's call names or builds: a model's name,
        ``Sequential([...])``, or a builder's call (``train("lstm", build_lstm(v))``), which is
        walked for the model it returns. A builder that itself trains or evaluates is not walked
        here: the call's arguments were walked before it (`scan_calls`), and a second walk would
        record its fits twice."""
        if isinstance(arg, ast.Name):
            return self.model(arg, env)
        if not isinstance(arg, ast.Call):
            return None
        if isinstance(arg.func, ast.Name) and arg.func.id in self.functions \
                and _trains(self.function(arg.func.id)):
            return None
        return self.model(arg, env)

    def function(self, name: str) -> ast.FunctionDef:
        """The def filed under ``name``, parsed now if it was filed without its statements."""
        fn = self.functions[name]
        if type(fn) is _FiledDef:
            fn = self.functions[name] = fn.cells.def_node(fn.source, fn.position)  # type: ignore[assignment]
        return fn

    def block(self, body: Sequence[ast.stmt], env: _Env) -> _Model | None:
        """Walk statements in order; return the model of a ``return`` if any (an ambiguous
        model when different ``return``s give different models)."""
        returned: list[_Model] = []
        for stmt in body:
            r = self.statement(stmt, env)
            if r is not None:
                returned.append(r)
        return _one(returned)

    def statement(self, stmt: ast.stmt, env: _Env) -> _Model | None:
        """Walk one statement."""
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.functions[stmt.name] = stmt  # type: ignore[assignment]
            return None
        if isinstance(stmt, ast.ClassDef):
            return None
        if isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if alias.asname and (alias.name in RECURRENT or alias.name == "Bidirectional"):
                    env.layers[alias.asname] = alias.name
            return None
        if isinstance(stmt, ast.Return):
            if isinstance(stmt.value, (ast.Tuple, ast.List)):
                self.return_origins = [self.origin(e, env) for e in stmt.value.elts]
            if stmt.value is not None:
                self.expression(stmt.value, env)
                if isinstance(stmt.value, ast.Name) and stmt.value.id in env.models:
                    return env.models[stmt.value.id]
                return self.model(stmt.value, env)
            return None
        if isinstance(stmt, ast.For):
            return self.loop(stmt, env)
        if isinstance(stmt, ast.While):
            saved, self.in_loop = self.in_loop, True
            try:
                return self.block(stmt.body, env)
            finally:
                self.in_loop = saved
        if isinstance(stmt, ast.If):
            decided = self.decide(stmt.test, env)
            if decided is not None:
                return self.block(stmt.body if decided else stmt.orelse, env)
        if isinstance(stmt, ast.If):
            first, second = env.fork(), env.fork()
            r1 = self.block(stmt.body, first)
            r2 = self.block(stmt.orelse, second)
            env.merge(first, second)
            return _one([r for r in (r1, r2) if r is not None])
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            return self.block(stmt.body, env)
        if isinstance(stmt, ast.Try):
            r = self.block(stmt.body, env)
            for h in stmt.handlers:
                self.block(h.body, env)
            self.block(stmt.orelse, env)
            self.block(stmt.finalbody, env)
            return r
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if stmt.value is None:
                return None
            self.assign(targets, stmt.value, env)
            return None
        if isinstance(stmt, ast.AugAssign):
            self.expression(stmt.value, env)
            return None
        if isinstance(stmt, ast.Expr):
            self.expression(stmt.value, env)
        return None

    def items_of(self, it: ast.AST, env: _Env) -> list[ast.AST] | None:
        """The elements a ``for`` iterates over, when they are written literally (or bound to a name).

        Handles ``[...]``, ``(...)``, ``{...}`` and their ``.items()``/``.values()``/``.keys()``,
        ``zip(...)`` and ``enumerate(...)`` of those, and names bound to such literals.
        """
        if isinstance(it, ast.Name) and it.id in env.literals:
            return self.items_of(env.literals[it.id], env)
        if isinstance(it, (ast.List, ast.Tuple)):
            return list(it.elts)
        if isinstance(it, ast.Dict):
            return [k for k in it.keys if k is not None]
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and not it.args:
            base = it.func.value
            if isinstance(base, ast.Name) and base.id in env.literals:
                base = env.literals[base.id]
            if isinstance(base, ast.Dict):
                pairs = [(k, v) for k, v in zip(base.keys, base.values) if k is not None]
                if it.func.attr == "items":
                    return [ast.Tuple(elts=[k, v], ctx=ast.Load()) for k, v in pairs]
                if it.func.attr == "values":
                    return [v for _, v in pairs]
                if it.func.attr == "keys":
                    return [k for k, _ in pairs]
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.args:
            if it.func.id == "zip":
                parts = [self.items_of(a, env) for a in it.args]
                if all(p is not None for p in parts):
                    return [ast.Tuple(elts=list(t), ctx=ast.Load()) for t in zip(*parts)]  # type: ignore[misc]
            if it.func.id == "enumerate":
                inner = self.items_of(it.args[0], env)
                if inner is not None:
                    return [ast.Tuple(elts=[ast.Constant(k), e], ctx=ast.Load()) for k, e in enumerate(inner)]
        return None

    def entry(self, node: ast.AST, env: _Env) -> str | None:
        """The name the walk files ``models["LSTM"]`` under (``models[name]`` with ``name`` bound to a
        constant, as in an unrolled loop): a model kept in a dict is a model like one in a name."""
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            key = self.constant(node.slice, env)
            if isinstance(key, (str, int)) and not isinstance(key, bool):
                return f"{node.value.id}[{key!r}]"
        return None

    def constant(self, node: ast.AST, env: _Env) -> Any:
        """The value of a constant expression (a literal, a name bound to one, ``.lower()``/``.upper()``
        of one, a tuple/list of them); `_UNKNOWN` otherwise."""
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name) and node.id in env.strings:
            return env.strings[node.id]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.args \
                and node.func.attr in ("lower", "upper", "strip"):
            inner = self.constant(node.func.value, env)
            if isinstance(inner, str):
                return getattr(inner, node.func.attr)()
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            values = [self.constant(e, env) for e in node.elts]
            if all(v is not _UNKNOWN for v in values):
                return tuple(values)
        return _UNKNOWN

    def decide(self, test: ast.AST, env: _Env) -> bool | None:
        """The truth of an ``if`` test that compares constants (``kind == 'lstm'``), else ``None``."""
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            left = self.constant(test.left, env)
            right = self.constant(test.comparators[0], env)
            if left is _UNKNOWN or right is _UNKNOWN:
                return None
            op = test.ops[0]
            try:
                if isinstance(op, ast.Eq):
                    return left == right
                if isinstance(op, ast.NotEq):
                    return left != right
                if isinstance(op, ast.In):
                    return left in right
                if isinstance(op, ast.NotIn):
                    return left not in right
            except TypeError:
                return None
        if isinstance(test, ast.BoolOp):
            parts = [self.decide(v, env) for v in test.values]
            if any(p is None for p in parts):
                return None
            return all(parts) if isinstance(test.op, ast.And) else any(parts)
        if isinstance(test, (ast.Name, ast.Constant)):
            value = self.constant(test, env)
            return None if value is _UNKNOWN else bool(value)
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = self.decide(test.operand, env)
            return None if inner is None else not inner
        return None

    def loop(self, stmt: ast.For, env: _Env) -> _Model | None:
        """Unroll a ``for`` over literal elements (see `items_of`); otherwise walk the body once."""
        items = self.items_of(stmt.iter, env)
        if items is None or len(items) > _MAX_UNROLL:
            saved, self.in_loop = self.in_loop, True
            try:
                return self.block(stmt.body, env)
            finally:
                self.in_loop = saved
        returned = None
        for item in items:
            self.bind_loop_target(stmt.target, item, env)
            returned = self.block(stmt.body, env) or returned
        return returned

    def bind_loop_target(self, target: ast.AST, item: ast.AST, env: _Env) -> None:
        """Bind a loop variable (or tuple of them) to one literal item."""
        if isinstance(target, (ast.Tuple, ast.List)) and isinstance(item, (ast.Tuple, ast.List)):
            for t, v in zip(target.elts, item.elts):
                self.bind_loop_target(t, v, env)
            return
        if isinstance(target, ast.Name):
            self.assign([target], item, env)

    def assign(self, targets: Sequence[ast.AST], value: ast.AST, env: _Env) -> None:
        """An assignment: models, layers, report literals, data origins, fits in the value.

        The value is read first, in the environment before the assignment (``layer =
        Bidirectional(layer)``, ``model = clone_model(model)``), then the names are rebound.
        """
        names = [t.id if isinstance(t, ast.Name) else entry for t in targets
                 if isinstance(t, ast.Name) or (entry := self.entry(t, env)) is not None]
        # -- read the value -------------------------------------------------------------
        is_layer_call = isinstance(value, ast.Call) and isinstance(value.func, ast.Call)  # x = LSTM(8)(x)
        label = None if is_layer_call else self.layer(value, env)
        constant = self.constant(value, env) if isinstance(value, (ast.Constant, ast.Name)) else _UNKNOWN
        alias = env.alias.get(value.id) if isinstance(value, ast.Name) else None
        if (tuner := _tuner_of(value)) is not None:
            alias = env.alias.get(tuner, tuner)  # the search's best model is evaluated as the tuner's
        model = None
        returned: list[frozenset[str]] = []
        if isinstance(value, ast.Call) and _name(value.func) in ("fit", "fit_generator", "evaluate", "search"):
            self.expression(value, env)
            if _name(value.func) == "evaluate" and self.depth == 0:
                self.eval_results.update(t.id for t in targets if isinstance(t, ast.Name))
        else:
            self.scan_calls(value, env, skip_top=True)
            self.return_origins = []
            model = self.model(value, env)
            returned = self.return_origins
        # -- rebind the names --------------------------------------------------------------
        for name in names:
            for store in (env.models, env.layers, env.alias, env.strings, env.literals):
                store.pop(name, None)  # type: ignore[attr-defined]
            if name.lower() in ("imdb_report", "report", "results", "imdb_results") and self.depth == 0:
                try:
                    literal = ast.literal_eval(value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    literal = None
                if isinstance(literal, (dict, list)):
                    self.reports.append(ReportLiteral(cell=self.cell, name=name, value=literal))
            if label:
                env.layers[name] = label
            if isinstance(value, (ast.List, ast.Tuple, ast.Dict)):
                env.literals[name] = value
            if isinstance(constant, (str, int, float)) and not isinstance(constant, bool) or \
                    isinstance(constant, bool):
                env.strings[name] = constant  # constants: strings, numbers, booleans
            if model is not None:
                env.models[name] = model
                if alias is not None:
                    env.alias[name] = alias
        if returned and len(targets) == 1 and isinstance(targets[0], (ast.Tuple, ast.List)) \
                and len(targets[0].elts) == len(returned):
            for t, o in zip(targets[0].elts, returned):
                if isinstance(t, ast.Name) and o:
                    env.origins[t.id] = o
        self.bind_origins(targets, value, env)

    def scan_calls(self, node: ast.AST, env: _Env, *, skip_top: bool = False,
                   handled: ast.AST | None = None) -> None:
        """Find fit/evaluate/add calls, user-function calls and functional recurrent layers
        nested in an expression (``skip_top``: the expression's own call is handled by the caller;
        ``handled``: a call `expression` has already read as a fit, an evaluate or an add, which
        is not sent back to it: ``seen.add(x)`` on a set went round the two until the stack
        ran out, and the whole statement holding it was dropped, fits and all)."""
        for sub in _walk(node):
            if isinstance(sub, ast.Call):
                name = _name(sub.func)
                if name in ("fit", "fit_generator", "evaluate", "add") and isinstance(sub.func, ast.Attribute) \
                        and sub is not handled:
                    self.expression(sub, env)
                elif isinstance(sub.func, ast.Call) and self.layer(sub.func, env):
                    env.pending.append(self.layer(sub.func, env) or "")
                elif isinstance(sub.func, ast.Name) and sub.func.id in self.functions \
                        and not (skip_top and sub is node):
                    self.inline(sub, env)

    def expression(self, node: ast.AST, env: _Env) -> None:
        """An expression statement: ``model.add``, ``model.fit``, ``model.evaluate``, user calls."""
        if not isinstance(node, ast.Call):
            self.scan_calls(node, env)
            return
        func = node.func
        name = _name(func)
        target = None
        if isinstance(func, ast.Attribute):
            target = func.value.id if isinstance(func.value, ast.Name) else self.entry(func.value, env)
        if name == "add" and target is not None and target in env.models:
            label = self.layer(node.args[0], env) if node.args else None
            if label:
                env.models[target].layers.append(label)
            return
        if name in ("fit", "fit_generator") and isinstance(func, ast.Attribute) or \
                name == "search" and isinstance(func, ast.Attribute) and target in env.models:
            self.record_fit(node, target, env)  # a tuner's search fits its model
            return
        if name == "evaluate" and isinstance(func, ast.Attribute):
            x = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "x"), None)
            o = self.origin(x, env)
            on = "test" if "test" in o else "train" if "train" in o else "unknown"
            kw = {k.arg: k.value for k in node.keywords if k.arg}
            self.evals.append(EvalCall(cell=self.cell, order=self.order, model=self.real(target, env),
                                       on=on, line=node.lineno, verbose=self.verbose(kw, env)))
            self.order += 1
            return
        if isinstance(func, ast.Name) and func.id in self.functions:
            for arg in list(node.args) + [k.value for k in node.keywords]:
                self.scan_calls(arg, env)
            self.inline(node, env)
            return
        self.scan_calls(node, env, handled=node)

    def real(self, var: str | None, env: _Env) -> str | None:
        """The caller's variable name behind a function parameter."""
        if var is None:
            return None
        return env.alias.get(var, var)

    def record_fit(self, node: ast.Call, target: str | None, env: _Env) -> None:
        """Record one ``fit`` call with its model's alternative and validation setting."""
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        model = env.models.get(target) if target else None
        layers = tuple(model.layers) if model is not None else ()
        alternative = stack_label(layers) if layers and not any(AMBIGUOUS in x for x in layers) else None
        validation = self.validation(kw, node, env)
        epochs = None
        e = kw.get("epochs") or kw.get("nb_epoch")
        search = _name(node.func) == "search"  # keras-tuner's: its own number of epochs per trial
        if e is None and len(node.args) < 4 and not search:
            epochs = 1
        if isinstance(e, ast.Name) and isinstance(env.strings.get(e.id), int):
            e = ast.Constant(env.strings[e.id])
        if isinstance(e, ast.Constant) and isinstance(e.value, int):
            epochs = e.value
        self.fits.append(FitCall(cell=self.cell, order=self.order, model=self.real(target, env),
                                 alternative=alternative, layers=layers, validation=validation,
                                 epochs=epochs, in_loop=self.in_loop, line=node.lineno,
                                 verbose=_SEARCH_VERBOSE if search and "verbose" not in kw
                                 else self.verbose(kw, env)))
        self.order += 1

    def verbose(self, kw: dict[str, ast.AST], env: _Env) -> int | None:
        """The literal ``verbose=`` of a call (``None`` when absent or not a literal)."""
        v = kw.get("verbose")
        if isinstance(v, ast.Name) and isinstance(env.strings.get(v.id), int):
            return int(env.strings[v.id])
        if isinstance(v, ast.Constant) and isinstance(v.value, (int, bool)):
            return int(v.value)
        return None

    def validation(self, kw: dict[str, ast.AST], node: ast.Call, env: _Env) -> Validation:
        """The validation setting of a ``fit`` call."""
        if "validation_data" in kw:
            trained = kw.get("x", node.args[0] if node.args else None)
            if _same_data(kw["validation_data"], trained) or _part_of(kw["validation_data"], trained, env):
                return Validation("data", "fit", None, f"validation_data={_code(kw['validation_data'])}")
            return self.validation_data(kw["validation_data"], env)
        if "validation_split" in kw:
            v = kw["validation_split"]
            if isinstance(v, ast.Name) and v.id in env.strings:
                v = ast.Constant(env.strings[v.id])
            if isinstance(v, ast.Constant) and (f := _real(v.value)) is not None:
                if f <= 0:
                    return Validation("none", "none", None, f"validation_split={v.value}")
                return Validation("split", "train", f, f"validation_split={v.value}")
            return Validation("split", "train", None, f"validation_split={_code(v)}")
        if len(node.args) >= 7 and isinstance(node.args[6], ast.Constant):
            return Validation("split", "train", _real(node.args[6].value), "validation_split (positional)")
        return Validation("none", "none", None, "no validation data")

    def validation_data(self, v: ast.AST, env: _Env) -> Validation:
        """The validation setting of ``validation_data=...``: from the training or the test set."""
        text = f"validation_data={_code(v)}"
        o = self.origin(v, env)
        first = v.elts[0] if isinstance(v, (ast.Tuple, ast.List)) and v.elts else v
        fraction = env.fractions.get(first.id) if isinstance(first, ast.Name) else \
            _slice_share(first.slice, env) if isinstance(first, ast.Subscript) and isinstance(first.slice, ast.Slice) \
            else None
        if "test" in o:
            if HELD_POOLED in o:
                text += f", {HELD_TEXT} of the training and test reviews pooled"
            elif HELD_NAMED in o:
                text += f", {HELD_TEXT} as your test data"
            return Validation("data", "test", None, text)
        if "train" in o:
            return Validation("data", "train", fraction, text)
        return Validation("data", "unknown", None, text)


def _slice_share(part: ast.Slice, env: _Env | None = None) -> float | None:
    """The share of the 25,000 training reviews a slice takes: between its two bounds when both
    are known (``[1500:1500 + 500]``: 0.02), else on one side of its one bound (``[:5000]``,
    ``[-5000:]``: 0.2), or None.  A bound is an integer literal, or with ``env`` a name bound to
    one and sums and differences of them (``[training_samples: training_samples +
    validation_samples]``, thirty-second session: it read as "size not stated", 1 of 2 points)."""
    lower, upper = _bound(part.lower, env), _bound(part.upper, env)
    if lower is not None and upper is not None and 0 <= lower < upper and upper - lower < _TRAIN_SIZE:
        return (upper - lower) / _TRAIN_SIZE
    bound = upper if part.upper is not None else lower
    if bound is not None and 0 < abs(bound) < _TRAIN_SIZE:
        return min(abs(bound), _TRAIN_SIZE - abs(bound)) / _TRAIN_SIZE
    return None


def _bound(node: ast.AST | None, env: _Env | None, depth: int = 0) -> int | None:
    """The integer a slice bound stands for: a literal, a name ``env`` binds to one, a negation,
    or a sum or difference of those (at most eight levels deep); else None."""
    if node is None or depth > 8:
        return None
    if isinstance(node, ast.Constant):
        return node.value if type(node.value) is int else None
    if isinstance(node, ast.Name) and env is not None:
        value = env.strings.get(node.id)
        return value if type(value) is int else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _bound(node.operand, env, depth + 1)
        return None if inner is None else -inner
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        left, right = _bound(node.left, env, depth + 1), _bound(node.right, env, depth + 1)
        if left is None or right is None:
            return None
        return left + right if isinstance(node.op, ast.Add) else left - right
    return None


def _slice_of(value: ast.AST, env: _Env) -> tuple[str, object] | None:
    """``(name, binding)`` when ``value`` is a slice of a name's array as it is bound now
    (``x_train[:5000]``), or a name that holds such a slice."""
    if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice) and isinstance(value.value, ast.Name):
        return value.value.id, env.bound.get(value.value.id)
    if isinstance(value, ast.Name):
        return env.slices.get(value.id)
    return None


def _part_of(validation: ast.AST, trained: ast.AST | None, env: _Env) -> bool:
    """Whether ``validation_data`` is a slice of the very array the same ``fit`` trains on in full
    (``fit(x_train, ..., validation_data=(x_train[:5000], ...))``, or ``x_val = x_train[:5000]`` with
    ``x_train`` not bound again since): every validation row is a training row. A slice of an array
    bound again after it (``x_val = x_train[:5000]; x_train = x_train[5000:]``) is held out."""
    first = validation.elts[0] if isinstance(validation, (ast.Tuple, ast.List)) and validation.elts else validation
    if not isinstance(trained, ast.Name):
        return False
    return _slice_of(first, env) == (trained.id, env.bound.get(trained.id))


def _same_data(validation: ast.AST, trained: ast.AST | None) -> bool:
    """Whether ``validation_data`` names the inputs the same ``fit`` call trains on
    (``fit(x_train, y_train, validation_data=(x_train, y_train))``): one name, one binding."""
    first = validation.elts[0] if isinstance(validation, (ast.Tuple, ast.List)) and validation.elts else validation
    return isinstance(first, ast.Name) and isinstance(trained, ast.Name) and first.id == trained.id


# The second form from the first digit of a run only (the same matches: one found inside a
# run would have been found at its start); tried at every digit, it took n² steps on a run.
_NUMBER_TOKEN = re.compile(r"(?<![\w.])\d+\.\d+|(?<!\d)\d+(?=\s*%)")


def _literals(statements: Sequence[ast.stmt]) -> frozenset[str]:
    """Numbers written inside string literals or print arguments of a cell, or assigned to a
    name with no call (``acc = 0.91``, ``accs = {'LSTM': 0.91}``), as text: what the cell may
    print without having computed it (``f"{acc:.4f}"`` prints ``0.9100``)."""
    found: set[str] = set()
    for stmt in statements:
        for node in _nodes(stmt):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.update(_NUMBER_TOKEN.findall(node.value))
            elif isinstance(node, ast.Call) and _name(node.func) == "print":
                found.update(_floats_in(node.args))
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                inside = _nodes(node.value)
                if not any(isinstance(sub, ast.Call) for sub in inside):
                    found.update(repr(sub.value) for sub in inside
                                 if isinstance(sub, ast.Constant) and type(sub.value) is float)
            elif isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
                # data, not a call's argument: ``pd.DataFrame({'accuracy': [0.91]})``
                found.update(repr(item.value) for item in (node.values if isinstance(node, ast.Dict) else node.elts)
                             if isinstance(item, ast.Constant) and type(item.value) is float)
    return frozenset(found)


def _floats_in(args: Sequence[ast.expr]) -> set[str]:
    """The float constants written in ``args`` (a print's), as text."""
    return {repr(sub.value) for arg in args for sub in _nodes(arg)
            if isinstance(sub, ast.Constant) and isinstance(sub.value, float)}


def _cell_literals(source: str) -> frozenset[str]:
    """`_literals` of a cell's statements."""
    return _literals(_cell_statements(source)[0])


class _CellParses:
    """One notebook's `_cell_statements`, each cell's computed at most once.

    The per-process memos keep a value only the second time it is asked for, so a
    cell that one notebook asks about twice (to decide the walk, to walk it, to read
    its numbers) would otherwise be parsed twice; the statements are the memo's
    (shared, read-only).
    """

    def __init__(self) -> None:
        """No cell parsed yet."""
        self._done: dict[str, tuple[tuple[ast.stmt, ...], bool]] = {}

    def statements(self, source: str) -> tuple[tuple[ast.stmt, ...], bool]:
        """`_cell_statements` of ``source``."""
        found = self._done.get(source)
        if found is None:
            found = self._done[source] = _cell_statements(source)
        return found

    def defs_only(self, source: str) -> tuple[str, ...] | None:
        """`_defs_only` of ``source`` (memoised per process), or None when its statements are
        already at hand (parsed to decide the walk: walking them costs less)."""
        return None if source in self._done else _DEFS_MEMO(source)

    def def_node(self, source: str, position: int) -> ast.FunctionDef | ast.AsyncFunctionDef:
        """The ``position``-th statement of a cell for which `defs_only` gave names: its def.

        RecursionError when the cell, parsed here (deep in a walk) for the first time in this
        process, does not parse whole: the parse ran out of stack as the walk would (the
        statement being walked is skipped, `read_code`), rather than an IndexError."""
        body, complete = self.statements(source)
        if not complete:
            raise RecursionError("a cell of defs only parsed too deep in the walk")
        node = body[position]
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):  # `_defs_only` vouched for it
            raise AssertionError(f"statement {position} of a cell of defs only is {type(node).__name__}")
        return node


@dataclass(frozen=True)
class _FiledDef:
    """A def filed by name without its statements (`_defs_only`): the cell's ``position``-th
    statement, parsed only if a walked call names it (`_Walker.function`)."""

    cells: _CellParses
    source: str
    position: int


class _Literals(Mapping[int, frozenset[str]]):
    """Code cell index -> `_literals` of its statements, each computed when first asked for.

    Only cells whose outputs print an accuracy are ever asked about, so most
    cells are never walked for their numbers.
    """

    def __init__(self, sources: dict[int, str], cells: _CellParses | None = None) -> None:
        """``sources``: code cell index -> its source, in notebook order; ``cells``: the
        notebook's parses, when its cells were parsed for the walk."""
        self._sources = sources
        self._cells = cells
        self._done: dict[int, frozenset[str]] = {}

    def __getitem__(self, index: int) -> frozenset[str]:
        """The numbers cell ``index``'s code spells out (KeyError for other cells)."""
        found = self._done.get(index)
        if found is None:
            source, cells = self._sources[index], self._cells
            found = self._done[index] = _LITERALS_MEMO(source) if cells is None else \
                _LITERALS_MEMO.via(lambda: _literals(cells.statements(source)[0]), source)
        return found

    def __iter__(self) -> Iterator[int]:
        """Code cell indices in notebook order."""
        return iter(self._sources)

    def __len__(self) -> int:
        """Number of code cells."""
        return len(self._sources)

    def __repr__(self) -> str:
        """As the dict it stands for."""
        return repr(dict(self))


_IMDB_WORD = re.compile(r"imdb", re.I)
#: An import of PyTorch or a library built on it, at the start of a line.
_TORCH_IMPORT = re.compile(r"^[ \t]*(?:import|from)[ \t]+(?:torch|torchtext|pytorch_lightning|lightning)\b", re.M)
#: A Keras model's ``compile`` (Keras trains no model it has not compiled): a ``.compile(`` call
#: with a ``loss``, ``optimizer`` or ``metrics`` argument (``re.compile`` and ``torch.compile`` have none).
_KERAS_COMPILE = re.compile(r"\.compile\s*\((?:[^()]|\([^()]*\))*?\b(?:loss|optimizer|metrics)\s*=")


def _torch_cell(code: Sequence[Any]) -> int | None:
    """The index of the first code cell that imports PyTorch, when no code cell compiles a Keras
    model; else None (a notebook that trains Keras models is read as one, whatever else it imports)."""
    first = next((cell.index for cell in code if "torch" in cell.source and _TORCH_IMPORT.search(cell.source)), None)
    if first is None or any("compile" in cell.source and _KERAS_COMPILE.search(cell.source) for cell in code):
        return None
    return first


def _mentions_imdb(source: str) -> bool:
    """``_IMDB_WORD.search(source)``: for ASCII text, where ``re.I`` folds only A-Z, a search
    of the lower-cased text (ten times faster than the regex, which has no literal to look
    for when it ignores case); other text keeps the regex and its Unicode folds (``ı``)."""
    if source.isascii():
        return "imdb" in source.lower()
    return _IMDB_WORD.search(source) is not None


def read_code(cells: Sequence[Any], *, limits: SizeLimits = SIZE_LIMITS) -> CodeFacts:
    """Read every code cell (objects with ``index``, ``kind``, ``source``) in order, except
    those over ``limits`` (`grader.notebook.skipped_code`: extraction does not read them either,
    and says so in the feedback).

    Parsing is memoised per cell source (`_CELL_MEMO`), and the walk over the
    statements is skipped when no cell names anything it could record
    (`_records_something`): it then would record nothing.  Only a cell whose source
    is not ASCII or has one of the walker's words (`_may_record`) can name such a
    thing, and only those with such a word outside their strings and comments are
    parsed to decide (`_worth_walking`); when none does, no statement is needed
    and the cells that do not parse (``unparsed_cells``) are found only if asked for
    (a notebook without the bonus never is): most cells of a class are then not parsed.
    """
    code = [cell for cell in cells if cell.kind == "code"]
    skipped = {s.index for s in skipped_code(((cell.index, len(cell.source)) for cell in code), limits)}
    if skipped:
        code = [cell for cell in code if cell.index not in skipped]
    cells = _CellParses()  # a cell decided by its parse is walked without a second parse
    walk = any(_worth_walking(cell.source, cells) for cell in code if _may_record(cell.source))
    walker = _Walker()
    sources: dict[int, str] = {}
    unparsed: list[int] = []
    mentions = False
    for cell in code:
        walker.cell = cell.index
        walker.order = 0
        if not mentions and _mentions_imdb(cell.source):
            mentions = True
        sources[cell.index] = cell.source
        if not walk:
            continue
        names = cells.defs_only(cell.source)
        if names is not None:  # what the walk would do with its statements: file each def by name
            for position, name in enumerate(names):
                walker.functions[name] = _FiledDef(cells, cell.source, position)  # type: ignore[assignment]
            continue
        body, complete = cells.statements(cell.source)
        if not complete:
            unparsed.append(cell.index)
        for stmt in body:
            try:
                walker.statement(stmt, walker.env)
            except RecursionError:
                continue
    return CodeFacts(fits=tuple(walker.fits), evals=tuple(walker.evals), reports=tuple(walker.reports),
                     literals=_Literals(sources, cells), mentions_imdb=mentions,
                     builds_recurrent=walker.builds_recurrent,
                     unparsed_cells=tuple(unparsed) if walk else _Unparsed(sources),
                     eval_results=frozenset(walker.eval_results), torch_cell=_torch_cell(code))


# A text without any of these words cannot hold those names (ASCII code): the names as they
# are written, and the report names in any case (all lower case here).
_EXACT_WORDS = tuple(sorted(_CALLS | _LAYER_NAMES))
_FOLDED_WORDS = tuple(sorted(_REPORT_NAMES))


def _may_record(source: str) -> bool:
    """Whether ``source`` is not ASCII or holds one of those words, by substring tests (a regex
    of them has no literal to scan for): for ASCII text ``re`` folds only A-Z, so a report name
    is found in the lower-cased text.  A cell for which this is False has a parsed text
    (`_parse_source`) that is never worth walking: that text comes from the source by
    dropping lines and putting ``pass`` for magics, which adds no non-ASCII character and
    makes none of those words (none starts or ends with ``s``, ``p``, ``pa``, ``pas``)."""
    if not source.isascii():
        return True
    if any(word in source for word in _EXACT_WORDS):
        return True
    lowered = source.lower()
    return any(word in lowered for word in _FOLDED_WORDS)


class _Unparsed(Sequence[int]):
    """``CodeFacts.unparsed_cells`` when the statements were not needed: the code cells whose
    source does not parse whole (`_cell_statements`), in notebook order, found when first
    asked for (only a notebook with the bonus says so). Equal to the tuple it stands for."""

    def __init__(self, sources: dict[int, str]) -> None:
        """``sources``: code cell index -> its source, in notebook order."""
        self._sources = sources
        self._found: tuple[int, ...] | None = None

    def _get(self) -> tuple[int, ...]:
        if self._found is None:
            self._found = tuple(i for i, src in self._sources.items() if not _cell_statements(src)[1])
        return self._found

    def __getitem__(self, index):
        """As the tuple's."""
        return self._get()[index]

    def __len__(self) -> int:
        """As the tuple's."""
        return len(self._get())

    def __eq__(self, other: object) -> bool:
        """Equal to the same indices as a tuple or another ``_Unparsed``."""
        if isinstance(other, _Unparsed):
            other = other._get()
        return self._get() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        """As the tuple it stands for."""
        return repr(self._get())


# Per-process memos (grader.notebook.SourceMemo): a class's notebooks share their
# template cells.  The statements are shared between notebooks; the walker only reads them.
# The statements are trees: weighed by their tokens (`tree_weight`, ``TREES_HELD``).
_CELL_MEMO: SourceMemo[tuple[tuple[ast.stmt, ...], bool]] = SourceMemo(_parse_source, max_chars=TREES_HELD,
                                                                       weigh=tree_weight)
_TEXT_MEMO: SourceMemo[tuple[tuple[ast.stmt, ...], bool]] = SourceMemo(_parse_text, max_chars=TREES_HELD,
                                                                       weigh=tree_weight)
_LITERALS_MEMO: SourceMemo[frozenset[str]] = SourceMemo(_cell_literals)
_WALK_MEMO: SourceMemo[bool] = SourceMemo(_decide_walk)
_DEFS_MEMO: SourceMemo[tuple[str, ...] | None] = SourceMemo(_defs_only)


def clear_memos() -> None:
    """Empty this module's per-process memos (tests and benchmarks; no result depends on them)."""
    for memo in (_CELL_MEMO, _TEXT_MEMO, _LITERALS_MEMO, _WALK_MEMO, _DEFS_MEMO):
        memo.clear()
