"""Statements of a def that run without an error of their own but cannot do what was meant.

Two slips of real notebooks (thirty-fifth session), each told by ``extract`` as a note on the
notebook's code, with its line, since what fails later names neither:

- a method named and not called (``caches.append`` on a line of its own): the statement reads the
  method and drops it, so nothing is appended, and the feedback said only that the list is empty;
- an input array unpacked where its shape was meant (``n_y, n_a = parameters["Wy"]``): the names
  get the array's rows, and the ``np.zeros`` that uses them raised "only integer scalar arrays can
  be converted to a scalar index" (or the unpacking "too many values"), 0 points told in Python's
  words only.

Both scans read the def's syntax only; a cheap look at its text comes first, as most defs have
neither. A third (thirty-sixth session) is code below a ``return`` of the def's own body, which never
runs (``unreached``): a student whose fix sat under their ``return`` was told only what the code
above it returns.
"""
from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from grader.hintcode import QUOTED, written_text
from grader.placeholders import unreached_from

#: A line that is only a dotted name (``caches.append``, maybe with a comment): the text the first
#: scan needs before it parses.
_NAMED_ONLY = re.compile(r"^[ \t]*[A-Za-z_][\w.\[\]'\" \t]*\.[ \t]*\w+[ \t]*(?:#.*)?$", re.M)
#: A tuple of sizes on the left of ``=`` (``n_y, n_a =``, ``(n_x, m, T_x) =``) given a name or one
#: entry of a name, as ``_an_input_array`` reads it (``parameters["Wy"]``): not ``x.shape``, which
#: every right ``rnn_forward`` has (matching it parsed each such def again: extraction 1.7 -> 2.3 ms
#: a submission, the lead's measure in turns). The blanks after ``(`` only where there is one: two
#: runs of blanks side by side were tried at every split (a line of 100,000 blanks in brackets,
#: 24 s of a worker's extraction; thirty-sixth session).
_SIZES_SET = re.compile(r"^[ \t]*(?:\([ \t]*)?(?:n_\w+|m|T_\w+)[ \t]*,[^=\n]*=[ \t]*[A-Za-z_]\w*[ \t]*"
                        r"(?:\[[^\]\n]*\][ \t]*)?(?:#.*)?$", re.M)
#: The names a size of this assignment goes by (the course's notation).
#: A line's indentation; a blank or comment line (its whole text); a ``return`` or ``raise`` after
#: the indentation (`may_end_early`).
_INDENT = re.compile(r"[ \t]*")
_BLANK_OR_COMMENT = re.compile(r"[ \t]*(?:#.*)?")
_ENDS = re.compile(r"(?:return|raise)\b")
#: The first line that may end a def early (``may_end_early`` reads from there on).
_FIRST_END = re.compile(r"^[ \t]+(?:return|raise)\b", re.MULTILINE)
_SIZE_NAME = re.compile(r"(?:n_\w+|m|T_\w+)$")


@dataclass(frozen=True)
class Slip:
    """One slip: its line (as the def's parse counts it: the cell's, from ``extract``),
    the statement as written, and what it is (``"uncalled"`` or ``"unpacked"``)."""

    line: int
    text: str
    kind: str


def _function(source: str, tree: ast.AST | None) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The def ``tree`` is (or the parse of ``source`` whose first statement it is), or None."""
    if tree is None:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    if isinstance(tree, ast.Module):
        tree = tree.body[0] if tree.body else None
    return tree if isinstance(tree, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def _own_statements(fn: ast.AST) -> Iterator[ast.stmt]:
    """The statements of ``fn``'s body at any depth, in the order written, leaving out nested defs
    and classes (their statements are theirs)."""
    todo = list(reversed(getattr(fn, "body", ())))
    while todo:
        stmt = todo.pop()
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield stmt
        for field in ("cases", "finalbody", "orelse", "handlers", "body"):
            todo.extend(reversed(getattr(stmt, field, ()) or ()))


#: ``_NAMED_ONLY`` or ``_SIZES_SET`` at a line's start, found by the line break before it in the text
#: with one put in front (``may_slip``): every match of either stays within one line, and ``^`` in
#: MULTILINE mode is tried at every character, where a pattern that begins with a character is
#: tried only where the text holds it. The same answer, a third less CPU (27.9 -> 19.0 us a def of
#: the class of 400 and real30, 31 and 34, medians of 20 rounds in turns; the thirty-sixth session).
_MAY_SLIP = re.compile("\n(?:" + _NAMED_ONLY.pattern.removeprefix("^") + "|"
                       + _SIZES_SET.pattern.removeprefix("^") + ")", re.M)


def may_slip(source: str) -> bool:
    """Whether the def ``source`` may hold a slip, read from its text alone (most defs do not: the
    caller need not parse them): a line that ``_NAMED_ONLY`` or ``_SIZES_SET`` matches."""
    return _MAY_SLIP.search("\n" + source) is not None


def slips(source: str, tree: ast.AST | None = None, *, most: int = 3) -> tuple[Slip, ...]:
    """The first ``most`` slips of the def ``source`` (``tree`` its def node, or its parse, when the
    caller has one: its line numbers are the ones told), in line order; ``()`` for anything but a
    def."""
    if not may_slip(source):
        return ()
    fn = _function(source, tree)
    if fn is None:
        return ()
    inputs = {a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)}
    lines = source.split("\n")
    shift = _shift(fn, lines)
    found: list[Slip] = []
    for stmt in _own_statements(fn):
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Attribute) \
                and isinstance(stmt.value.ctx, ast.Load):
            found.append(Slip(stmt.lineno, _written(stmt.value, lines, shift), "uncalled"))
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and _sizes(stmt.targets[0]) and _an_input_array(stmt.value, inputs):
            found.append(Slip(stmt.lineno, f"{_written(stmt.targets[0], lines, shift)} = "
                                           f"{_written(stmt.value, lines, shift)}", "unpacked"))
        if len(found) == most:
            break
    return tuple(sorted(found, key=lambda s: s.line))


def may_end_early(source: str) -> bool:
    """Whether the def ``source`` may hold code below a ``return`` (or ``raise``) of its own body,
    read from its text alone: an indented ``return`` line followed, past blank and comment lines
    and the lines it goes on over, indented deeper (``return (a,`` then ``b)``), by code at its own
    indentation (most defs end at their return).

    One pass over the lines: the returns still open are those whose indentation begins every
    code line since, each a prefix of the last code line's indentation (kept as their lengths,
    shortest first). A pattern that scanned on from each return (thirty-seventh session) was
    cubic in a staircase of returns indented deeper and deeper (a docstring's text does): 0.6 s
    of CPU for one def within the cell limit, 7.9 s for 1,000 such lines. The pass starts at the
    first indented ``return`` or ``raise`` (no return is open above it): most defs end at it, and
    the lines above cost nothing (a whole pass was a tenth of a millisecond of a correct
    notebook's extraction)."""
    first = _FIRST_END.search(source)
    if first is None:
        return False
    lines = source.split("\n")
    start = source.count("\n", 0, first.start())
    open_ends: list[int] = []
    indent = ""
    for number, line in enumerate(lines[start:], start=start + 1):
        if _BLANK_OR_COMMENT.fullmatch(line):
            continue
        own = _INDENT.match(line).group()
        common = len(os.path.commonprefix([indent, own]))
        while open_ends and open_ends[-1] > common:
            open_ends.pop()  # this line is not indented under that return: its scan ends here
        if open_ends and open_ends[-1] == len(own):
            return True
        indent = own
        if own and number < len(lines) and _ENDS.match(line, len(own)):
            open_ends.append(len(own))
    return False


def unreached(source: str, tree: ast.AST | None = None) -> Slip | None:
    """The ``return`` or ``raise`` of the def's own body (not of a block in it) that code follows,
    a slip of kind ``"unreached"`` at its line and as written (the code below it never runs);
    None when the body runs to its end or ``source`` is not a def (``tree`` as for ``slips``)."""
    if not may_end_early(source):
        return None
    fn = _function(source, tree)
    first = unreached_from(fn) if fn is not None else None
    if first is None:
        return None
    end = next(s for s, after in zip(fn.body, fn.body[1:]) if after.lineno == first)
    return Slip(end.lineno, _written(end, source.split("\n"), _shift(fn, source.split("\n"))), "unreached")


def _shift(fn: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> int:
    """How many lines the tree of ``fn`` counts before the source's ``lines`` (the tree may count
    the cell's lines): its def line against the source's."""
    return fn.lineno - 1 - next((k for k, line in enumerate(lines) if re.match(
        rf"[ \t]*(?:async[ \t]+)?def[ \t]+{re.escape(fn.name)}\b", line)), fn.lineno - 1)


def _written(node: ast.expr, lines: list[str], shift: int) -> str:
    """``node`` as the student wrote it in ``lines`` (the tree's lines less ``shift``,
    ``hintcode.written_text``: read no further than ``QUOTED`` characters, and cut there); as
    ``ast`` writes it where the positions do not fit."""
    text = written_text(node, lines, most=QUOTED, shift=shift)
    if text:
        return text if len(text) <= QUOTED else text[:QUOTED - 3] + "..."
    text = ast.unparse(node)
    return text[1:-1] if isinstance(node, ast.Tuple) and text.startswith("(") else text


def _sizes(target: ast.expr) -> bool:
    """Whether ``target`` is a tuple (or list) of two or more plain names, each a size's name."""
    return isinstance(target, (ast.Tuple, ast.List)) and len(target.elts) >= 2 and all(
        isinstance(e, ast.Name) and _SIZE_NAME.match(e.id) for e in target.elts)


def _an_input_array(value: ast.expr, inputs: set[str]) -> bool:
    """Whether ``value`` is an input of the def (``x``) or an entry of one (``parameters["Wy"]``):
    an array in this assignment, never a tuple of sizes (a local name may hold ``x.shape``)."""
    if isinstance(value, ast.Subscript):
        value = value.value
    return isinstance(value, ast.Name) and value.id in inputs


def slip_sentence(function: str, slip: Slip, where: str) -> str:
    """The note on one slip of ``function``, at ``where`` ("cell 21 (In [7]), line 59")."""
    if slip.kind == "unreached":
        return (f"`{function}` ends at `{slip.text}` ({where}): the lines below it in the function never run. "
                f"If they hold your work, move them above it.")
    if slip.kind == "uncalled":
        return (f"`{function}` names `{slip.text}` without calling it ({where}): the line does nothing. "
                f"Add the parentheses and what it should take, `{slip.text}(...)`.")
    target, value = slip.text.split(" = ", 1)
    return (f"`{function}` unpacks `{value}` itself into `{target}` ({where}): that gives the array's rows, "
            f"not its sizes. Unpack its shape: `{target} = {value}.shape`.")
