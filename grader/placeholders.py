"""What of a function the student has not written yet: the course template's placeholders.

The template leaves ``None`` where code goes (``a_next = None``, ``np.dot(None, None)``),
``pass`` or ``...`` as a body, and empty ``### START CODE HERE ###`` regions. Extraction
(:mod:`grader.extract`) asks, for each kept function, which lines still hold such a blank;
the student's note names them ("line 12: `a_next = None`"). Read from the def's AST and its
cell's lines; nothing here runs student code.
"""

from __future__ import annotations

import ast
import re
from typing import Any, Sequence

from grader.hintcode import written_text


_REGION_RE = re.compile(r"^[ \t]*#+[ \t]*(START|END|Start|End|start|end)[ \t]+(?:CODE|Code|code)[ \t]+(?:HERE|Here|here)",
                        re.MULTILINE)
_CODE_LINE_RE = re.compile(r"^[ \t]*[^#\s]", re.MULTILINE)


NUMPY_ALIASES = frozenset({"np", "numpy"})


_MAYBE_PLACEHOLDER_RE = re.compile(
    r"^[ \t]*(?:pass|\.\.\.)[ \t]*(?:#.*)?$", re.MULTILINE
)


def may_hold_placeholder(source: str) -> bool:
    """Cheap test: could this function contain a template placeholder?"""
    if "None" in source or "NotImplementedError" in source:
        return True
    if ("pass" in source or "..." in source) and _MAYBE_PLACEHOLDER_RE.search(source):
        return True
    return "return" not in source and "yield" not in source


_NONE_ARG_CALLEES = frozenset({"range", "len", "zip", "enumerate", "reversed", "list", "tuple", "float", "int"})


def _is_none(node: ast.AST | None) -> bool:
    """True for the literal ``None``."""
    return isinstance(node, ast.Constant) and node.value is None


def _callee_takes_no_none(func: ast.expr, program_functions: set[str]) -> bool:
    """Calls where a ``None`` argument can only be an unfilled template blank."""
    if isinstance(func, ast.Name):
        return func.id in _NONE_ARG_CALLEES or func.id in program_functions
    base: ast.expr = func
    while isinstance(base, ast.Attribute):
        base = base.value
    return isinstance(base, ast.Name) and base.id in NUMPY_ALIASES


def template_placeholders(node: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str],
                          program_functions: set[str]) -> list[tuple[int, str, str]]:
    """Unfilled template blanks in a function: ``(line, snippet, description)`` sorted by line
    (the snippets of ``None`` left past the first `PLACEHOLDERS_SHOWN` lines are not written:
    "", as the feedback does not show them).

    Detected: a body with nothing but a docstring, ``pass``, ``...`` or
    ``raise NotImplementedError``; ``x = None`` where ``x`` is never assigned
    again but is read; ``a[...] = None``; ``n_x, m, T_x = None`` (unpacking ``None`` can
    only raise, so the template's blank is all it can be); ``None`` as an argument of
    ``range``/NumPy functions, as every argument of a notebook function (``rnn_cell_forward(None,
    None, None)``), as an arithmetic operand or as the value
    of an augmented assignment (``dWax += None``); and an empty
    ``### START CODE HERE ###`` ... ``### END CODE HERE ###`` region.
    """
    found: list[tuple[int, str, str]] = []
    body = list(node.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    if all(_is_trivial(s) for s in body):
        what = "the body is empty" if not body else "the body is only `" + _snippet(body[0], lines) + "`"
        return [(node.lineno, "", what)]
    last = node.end_lineno or node.lineno
    text = "\n".join(lines[node.lineno - 1 : last])
    if "None" in text:
        found.extend(none_placeholders(node, program_functions, lines))
    found.extend(empty_regions(node.lineno, last, lines))
    ends = unreached_from(node)
    if ends is not None:  # what never runs is not unfinished
        found = [item for item in found if item[0] < ends]
    # One finding per line, the outermost (longest) snippet first.
    by_line: dict[int, tuple[int, str, str]] = {}
    for item in found:
        if item[0] not in by_line or len(item[1]) > len(by_line[item[0]][1]):
            by_line[item[0]] = item
    return sorted(by_line.values())


def unreached_from(node: ast.AST) -> int | None:
    """The first line of a def's body that never runs, past a ``return`` or ``raise`` of the body
    itself (not of a block in it), when code follows it; None otherwise. A real notebook of the
    thirty-fifth session pasted its right ``rnn_backward`` above the template's body, after the
    ``return`` of which the template's ``dx[:, :, t] = None`` stayed: 0 / 20, "not implemented", for a
    function that returns the right values."""
    body = getattr(node, "body", ())
    for k, stmt in enumerate(body[:-1]):
        if isinstance(stmt, (ast.Return, ast.Raise)):
            return body[k + 1].lineno
    return None


def none_placeholders(node: ast.AST, program_functions: set[str],
                       lines: Sequence[str] = ()) -> list[tuple[int, str, str]]:
    """``None`` left where the template had a blank (see :func:`template_placeholders`): one finding
    per line, the one with the longest snippet (the first of those, in ``ast.walk`` order).

    Snippets are written only for the first `PLACEHOLDERS_SHOWN` lines (the others are only
    counted: snippet ""), and only for the candidates that can be chosen: a line's candidates in
    order until one reaches the longest a snippet can be. A snippet is the student's text
    (`_snippet_of`, ``lines`` being the cell's); where `_unparsed` must write it and the tree is
    too deep for ``ast.unparse``, the line's source. Writing every
    candidate's snippet was quadratic in a chain ``None + None + ... + None``, every ``+`` of
    which is a candidate on the same line: each ``ast.unparse`` of a subtree deeper than the
    recursion limit went down to it and failed, one after the other (80 s of a worker for 186 kB
    of code, eighth session's review).
    """
    candidates: dict[int, list[ast.AST | str]] = {}  # line -> nodes (or fixed snippets), in order
    nodes = list(ast.walk(node))
    stores: dict[str, int] = {}
    loads: set[str] = set()
    for sub in nodes:
        if isinstance(sub, ast.Name):
            if isinstance(sub.ctx, ast.Store):
                stores[sub.id] = stores.get(sub.id, 0) + 1
            else:
                loads.add(sub.id)
        elif isinstance(sub, ast.arg):
            stores[sub.arg] = stores.get(sub.arg, 0) + 1
    for sub in nodes:
        if isinstance(sub, ast.Assign) and _is_none(sub.value):
            for t in sub.targets:
                if isinstance(t, ast.Name) and stores.get(t.id, 0) == 1 and t.id in loads:
                    candidates.setdefault(sub.lineno, []).append(sub)
                elif isinstance(t, (ast.Subscript, ast.Tuple, ast.List)):  # n_x, m, T_x = None
                    candidates.setdefault(sub.lineno, []).append(sub)
        elif isinstance(sub, ast.Call) and _callee_takes_no_none(sub.func, program_functions):
            # Keywords such as axis=None are legitimate. A notebook function's call is the
            # template's blank only with every argument None (``rnn_cell_forward(None, None,
            # None)``): beside real arguments a None is the student's (an optional argument, a
            # wrapper's junk), and the function was marked not implemented, unrun (29th session).
            own = isinstance(sub.func, ast.Name) and sub.func.id not in _NONE_ARG_CALLEES
            if (all if own else any)(_is_none(a) for a in sub.args) and sub.args:
                candidates.setdefault(sub.lineno, []).append(sub)
        elif isinstance(sub, ast.BinOp) and (_is_none(sub.left) or _is_none(sub.right)):
            candidates.setdefault(sub.lineno, []).append(sub)
        elif isinstance(sub, ast.AugAssign) and _is_none(sub.value):  # dWax += None
            candidates.setdefault(sub.lineno, []).append(sub)
        elif isinstance(sub, (ast.For, ast.AsyncFor)) and _is_none(sub.iter):
            candidates.setdefault(sub.lineno, []).append("for ... in None")
    found: list[tuple[int, str, str]] = []
    shown = set(sorted(candidates)[:PLACEHOLDERS_SHOWN])
    for line, nodes_here in candidates.items():
        if line not in shown:  # counted, not shown: no snippet
            found.append((line, "", "placeholder"))
            continue
        best = ""
        for k, candidate in enumerate(nodes_here):
            snippet = candidate if isinstance(candidate, str) else _snippet_of(candidate, lines)
            if snippet is None:  # too deep to write out, and so, one by one, are the nested
                # candidates after it (each failing at the recursion limit): the line's source
                snippet = _shortened(lines[line - 1]) if 0 < line <= len(lines) else type(candidate).__name__
                if k == 0 or len(snippet) > len(best):
                    best = snippet
                break
            if k == 0 or len(snippet) > len(best):
                best = snippet
            if len(best) >= _SNIPPET_CHARS:  # none after it can be longer
                break
        found.append((line, best, "placeholder"))
    return found


def bare_nones(node: ast.AST | None) -> list[int]:
    """The lines of a def holding a statement that is only ``None`` (see
    `_Extractor._bare_none_note`), in order; none for anything but a def."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return []
    return sorted({s.lineno for s in ast.walk(node) if isinstance(s, ast.Expr) and _is_none(s.value)})


def empty_regions(first: int, last: int, lines: list[str]) -> list[tuple[int, str, str]]:
    """``### START CODE HERE ###`` ... ``### END CODE HERE ###`` with no code between.

    ``first``..``last`` are the 1-based cell lines of the function.
    """
    text = "\n".join(lines[first - 1 : last])
    found: list[tuple[int, str, str]] = []
    start: re.Match[str] | None = None
    counted, newlines = 0, 0  # newlines in text[:counted], counted on as the markers come
    for m in _REGION_RE.finditer(text):
        if m.group(1).lower() == "start":
            start = m
        elif start is not None:
            between = text[text.find("\n", start.end()) + 1 : m.start()] if "\n" in text[start.end() : m.start()] else ""
            if not _CODE_LINE_RE.search(between):
                newlines += text.count("\n", counted, start.start())
                a = first + newlines
                newlines += text.count("\n", start.start(), m.start())
                counted = m.start()
                b = first + newlines
                found.append((a, "", f"nothing written between START CODE HERE (line {a}) "
                                    f"and END CODE HERE (line {b})"))
            start = None
    return found


def _is_trivial(stmt: ast.stmt) -> bool:
    """``pass``, ``...``, a bare string, ``return``/``return None`` or ``raise NotImplementedError``."""
    if isinstance(stmt, ast.Pass):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return stmt.value.value is Ellipsis or isinstance(stmt.value.value, str)
    if isinstance(stmt, ast.Return):
        return stmt.value is None or _is_none(stmt.value)
    if isinstance(stmt, ast.Raise) and stmt.exc is not None:
        exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


#: The longest snippet `_snippet` writes (longer ones are cut, with "...").
_SNIPPET_CHARS = 60
#: How many lines holding a template placeholder a function's note shows (the rest are counted).
PLACEHOLDERS_SHOWN = 3


def _snippet(node: ast.AST, lines: Sequence[str] = ()) -> str:
    """Short one-line source of a node for messages (`_snippet_of`, or the node's type)."""
    text = _snippet_of(node, lines)
    return type(node).__name__ if text is None else text


def _snippet_of(node: ast.AST, lines: Sequence[str]) -> str | None:
    """The snippet of ``node``: its text as the student wrote it (``hintcode.written_text``, at
    most `_SNIPPET_CHARS`), else as ``ast.unparse`` writes it (`_unparsed`). ``ast.unparse`` writes
    what the tree means, not the line: ``(n_x, m, T_x) = None`` on Python 3.9 and 3.10 for ``n_x,
    m, T_x = None``, ``a, b = (None, None)`` on every version, ``'Wax'`` for ``"Wax"``, so a note
    quoted a line the student could not find in their cell (thirty-third session)."""
    text = written_text(node, lines, most=_SNIPPET_CHARS)
    if text is None:
        return _unparsed(node)
    return text if len(text) <= _SNIPPET_CHARS else text[:_SNIPPET_CHARS - 3] + "..."


#: Characters ``_unparsed`` writes of a node before it stops: a snippet shows 60 of them (once
#: runs of white space are one space); when they are not enough, 4 times more, up to the last.
_SNIPPET_SOURCE_CHARS = (120, 480, 1920, 7680, 30720, 122880)


class _Enough(Exception):
    """Raised by `_ShortUnparser` once it has written its share."""


class _ShortUnparser(getattr(ast, "_Unparser", object)):
    """``ast.unparse`` (CPython's ``ast._Unparser``) that stops after ``limit`` characters: the
    snippet of a node at the top of a long nested expression costs no more than its start."""

    def __init__(self, limit: int = _SNIPPET_SOURCE_CHARS[-1], **options: Any) -> None:
        """Write at most ``limit`` characters (then raise `_Enough`); ``options`` are
        ``ast._Unparser``'s (it makes one of its own type for an f-string's fields)."""
        super().__init__(**options)
        self._left = limit

    def write(self, *text: str) -> None:
        """Write as ``ast._Unparser`` does, and count."""
        super().write(*text)
        self._left -= sum(map(len, text))
        if self._left < 0:
            raise _Enough


def _unparsed(node: ast.AST) -> str | None:
    """``ast.unparse`` of ``node`` as a snippet (`_shortened`), written only as far as the
    snippet shows (`_SNIPPET_SOURCE_CHARS`); None when it cannot be written: a tree nested
    deeper than the recursion limit allows, an odd tree, or one whose first 60 characters are
    not known after the last of `_SNIPPET_SOURCE_CHARS` (mostly white space, or an f-string)."""
    try:
        if not hasattr(ast, "_Unparser"):  # not CPython's ast: the whole of it
            return _shortened(ast.unparse(node))
        for limit in _SNIPPET_SOURCE_CHARS:
            unparser = _ShortUnparser(limit)
            written: list[str] = []
            unparser._source = written
            try:
                unparser.traverse(node)
            except _Enough:
                text = " ".join("".join(written).split())
                # What was written is the start of the whole when it was written in order (not
                # in an f-string's own buffer) and it reaches past what a snippet shows.
                if unparser._source is written and len(text) > _SNIPPET_CHARS:
                    return text[:_SNIPPET_CHARS - 3] + "..."
                continue
            return _shortened("".join(written))
        return None
    except Exception:  # noqa: BLE001 - a message does not need it
        return None


def _shortened(text: str) -> str:
    """``text`` on one line (runs of white space as one space), at most `_SNIPPET_CHARS`."""
    text = " ".join(text.split())
    return text if len(text) <= _SNIPPET_CHARS else text[:_SNIPPET_CHARS - 3] + "..."
