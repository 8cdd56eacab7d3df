"""A code cell scanned without a full parse where its text allows (:mod:`grader.extract`): the
top-level def and class blocks it holds and the names each reads, the ``# GRADED FUNCTION:`` markers,
the findings on a def (template placeholders left, names first read), each memoised by source for the
whole process (a class's notebooks share the template's cells)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from types import CodeType
from typing import Collection

from grader.cellparse import has_prompt, parses_at, starts_inside_strings, top_level_starts
from grader.notebook import TREES_HELD, SourceMemo, tree_weight
from grader.placeholders import empty_regions, may_hold_placeholder, template_placeholders
from grader.scopes import def_scope, first_loads


# From the first # of a run only: tried at every # of a long run, it took n² steps.
_GRADED_RE = re.compile(r"(?<!#)#+[ \t]*(?:GRADED|Graded|graded)[ \t]+(?:FUNCTION|Function|function)[ \t]*:[ \t]*([A-Za-z_]\w*)")


def graded_markers(source: str) -> list[str]:
    """The names of ``source``'s ``# GRADED FUNCTION: name`` markers: ``m.group(1)`` of each match
    of ``_GRADED_RE.finditer(source)``, in order.

    Each match holds one of the pattern's words, so each holds ``raded`` or ``RADED``, which
    ``str.find`` looks for at C speed: from such a word, the match can only begin where the run of
    ``#`` before it (across spaces and tabs) begins, and the pattern is tried there alone. The
    regex's own scan (no literal to look for: it tries every position) read every code cell of
    a notebook, 0.2 ms a notebook.
    """
    starts: list[int] = []
    for part in ("raded", "RADED"):
        at = source.find(part, 1)
        while at >= 0:
            starts.append(at - 1)  # the G or g
            at = source.find(part, at + 1)
    if not starts:
        return []
    names: list[str] = []
    done = 0  # where the last match ended: matches do not overlap
    for word in sorted(starts):
        hashes = word
        while hashes > 0 and source[hashes - 1] in " \t":
            hashes -= 1
        begin = hashes
        while begin > 0 and source[begin - 1] == "#":
            begin -= 1
        if begin == hashes or begin < done:
            continue
        m = _GRADED_RE.match(source, begin)
        if m is not None:
            names.append(m.group(1))
            done = m.end()
    return names


_CALL_OR_INDEX_RE = re.compile(r"[\w)\]}'\"]\s*[(\[]")
# The value of an assignment that is a lambda (`dtanh = lambda a: 1 - a ** 2`, or in brackets), from after the `=`.
_LAMBDA_VALUE_RE = re.compile(r"[ \t(]*lambda\b")
_DEF_LINE_RE = re.compile(r"^(?:async\s+)?(def|class)\s+([A-Za-z_]\w*)", re.MULTILINE)


# What a top-level statement is, from its first line (one match per block).
_HEAD_RE = re.compile(
    r"(?P<define>@|(?:async\s+)?def\s|class\s)"
    r"|(?P<parse>(?:import|from)\s|(?:if|for|while|try|with|async|match)\b)"
    r"|(?P<assign>(?P<targets>[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*(?::[^=]*)?=(?!=))"
    r"|(?P<augmented>(?P<aug_name>[A-Za-z_]\w*)\s*(?:[-+*/%&|^@]|//|\*\*|>>|<<)=)"
)
#: ``Cls.attr = ...`` at the top level of a cell (``_Extractor._member_set``), spaced around the dot
#: as Python allows (``RNN .cell = ...`` was skipped by the fast path and set by the careful one),
#: or annotated (``RNN.cell: Callable = ...``).
_MEMBER_SET_RE = re.compile(r"[A-Za-z_]\w*[ \t]*\.[ \t]*[A-Za-z_]\w*\s*(?::[^=\n]*)?=(?!=)")
# A comment on a line without quotes (so the # cannot be inside a string).
_COMMENT_RE = re.compile(r"^([^'\"#\n]*)#[^\n]*$", re.MULTILINE)


def fast_cell(source: str) -> tuple[object, ...] | None:
    """:func:`_classify_cell`, memoised per process by the cell's source (a template's
    cells repeat in every notebook of a class).  The items are shared: read-only."""
    return CELL_MEMO(source)


def _classify_cell_frozen(source: str) -> tuple[object, ...] | None:
    """:func:`_classify_cell` as a tuple (the memo's values are shared between callers)."""
    items = _classify_cell(source)
    return None if items is None else tuple(items)


def _classify_cell(source: str) -> list[object] | None:
    """Classify a cell's top-level blocks without parsing the ones that are dropped anyway.

    Test cells are dense code that is never kept, and parsing them dominates
    the cost of extraction.  Blocks are found by lines (a statement starts at
    column 0); def/class blocks are parsed and scoped by :mod:`symtable` only,
    imports and constant-looking assignments by :mod:`ast`, and other blocks are
    skipped (the names they assign are noted) unless a ``;`` puts more statements
    on their line.  Returns a list of
    :class:`FastDef`, AST statements and assigned names, or None when anything
    looks unusual (a block fails to parse, indented first line, ...); the
    caller then takes the careful path.
    """
    if source.lstrip().startswith("%%") or has_prompt(source):
        return None  # a cell magic decides what the cell is; pasted prompts need IPython
    lines = source.split("\n")
    starts = top_level_starts(source) + [len(lines)]
    inside_string = starts_inside_strings(lines, starts) if ('"""' in source or "'''" in source) else None
    # A `;` joins statements on one line and Python runs each: a block holding one is parsed, not
    # read from its first statement (`x = g(); f = lambda ...` was dropped as `x = g()`, `f` with it).
    semicolons = ";" in source
    out: list[object] = []
    for i, (a, b) in enumerate(zip(starts, starts[1:])):
        if inside_string is not None and inside_string[i]:
            return None  # the line split fell inside a multi-line string
        head = lines[a]
        if not head.strip() or head.startswith("#"):
            if a == 0 and any(ln.strip() and not ln.lstrip().startswith("#") for ln in lines[a:b]):
                return None  # indented code under a leading comment
            continue
        if head[0] in " \t":
            return None
        kind = _HEAD_RE.match(head)
        what = kind.lastgroup if kind is not None else None
        if what == "define":
            end = b
            while end > a and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
                end -= 1
            block = "\n".join(lines[a:end])
            m = _DEF_LINE_RE.search(block)
            if m is None:
                return None
            try:
                uses, deftime, code = USES_MEMO(block)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return None
            def_kind = "class" if m.group(1) == "class" else "function"
            out.append(FastDef(def_kind, m.group(2), a + 1, end, block, uses, deftime, code))
            continue
        if what is None and _MEMBER_SET_RE.match(head):
            # ``Cls.attr = ...``: parsed, for ``_Extractor._member_set`` to look at.
            tree = parses_at("\n".join(lines[a:b]), a + 1)
            if tree is None:
                return None
            out.extend(tree.body)
            continue
        if semicolons and what != "parse" and ";" in "\n".join(lines[a:b]):
            tree = parses_at("\n".join(lines[a:b]), a + 1)
            if tree is None:
                return None
            out.extend(tree.body)
            continue
        if what is None or what == "augmented":
            if what == "augmented":
                out.append(kind.group("aug_name"))  # type: ignore[union-attr]
            continue
        block = "\n".join(lines[a:b])
        if what == "assign":
            assert kind is not None
            if (_CALL_OR_INDEX_RE.search(_COMMENT_RE.sub(r"\1", block), kind.end())
                    and not _LAMBDA_VALUE_RE.match(block, kind.end())):
                # Not a constant (a call or an index on the right) nor a lambda helper
                # (`_Extractor._assigned_function`, parsed below): only note the names.
                out.extend(n.strip(" ()[]") for n in kind.group("targets").split(","))
                continue
        # Imports, constant-like assignments and compound statements (loops,
        # ifs, with, try: they bind names that make earlier constants stale,
        # and may hide defs) are parsed.
        tree = parses_at(block, a + 1)
        if tree is None:
            return None
        out.extend(tree.body)
    return out


def def_findings(source: str, first_line: int, last_line: int, has_free: bool,
                  program_functions: Collection[str], *, node: ast.AST | None = None,
                  lines: list[str] | None = None) -> tuple[tuple[tuple[int, str, str], ...], dict[str, int]]:
    """Template placeholders left in a kept function, and where each name is first read.

    ``source`` is the def (cell lines ``first_line``..``last_line``); ``node`` its
    AST when the cell was parsed whole, else the def is parsed alone when it
    may hold a placeholder or reads free names (``has_free``).  ``lines`` are the
    cell's lines (only the def's own are read).  Returns ``(findings, first
    line where each name is read)``; the second is empty unless ``has_free``.
    """
    if node is None and (has_free or may_hold_placeholder(source)):
        tree = PARSE_MEMO(source, first_line)
        node = tree.body[0] if tree is not None and tree.body else None
    if lines is None:  # the def's own lines at their cell positions
        lines = [""] * (first_line - 1) + source.split("\n")
    first_use = first_loads(node) if has_free and node is not None else {}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        found = template_placeholders(node, lines, program_functions)
    else:
        found = empty_regions(first_line, last_line, lines)
    return tuple(found), first_use


@dataclass(frozen=True)
class FastDef:
    """A top-level def/class block found by the fast path (scoped, not yet AST-parsed)."""

    kind: str
    name: str
    first: int
    last: int
    source: str
    uses: frozenset[str]
    deftime: frozenset[str]
    code: CodeType | None


# Per-process memos of pure functions of text (grader.notebook.SourceMemo): a
# class's notebooks share their template cells, and the def blocks students left
# as the template wrote them.  Values are shared between notebooks: read-only.
# The cells' and defs' trees are weighed by their tokens (`tree_weight`, ``TREES_HELD``).
CELL_MEMO: SourceMemo[tuple[object, ...] | None] = SourceMemo(_classify_cell_frozen, max_chars=TREES_HELD,
                                                              weigh=tree_weight)
USES_MEMO: SourceMemo[tuple[frozenset[str], frozenset[str], CodeType | None]] = SourceMemo(def_scope)
PARSE_MEMO: SourceMemo[ast.Module | None] = SourceMemo(parses_at, max_chars=TREES_HELD,  # (def source, its first line)
                                                       weigh=tree_weight)
# (def source, first line, last line, reads free names?, the notebook's function names) ->
# def_findings; the names are the same set in most notebooks of a class.
FINDINGS_MEMO: SourceMemo[tuple[tuple[tuple[int, str, str], ...], dict[str, int]]] = SourceMemo(def_findings)
