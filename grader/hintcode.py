"""The student's code as the hints read it: each line and each function parsed once a worker
(bounded memos keyed by the text), a function's blocks and loops, the names a node reads or sets,
a node quoted as the student wrote it, and the bounds on how much of a hostile source a hint walks.
Shared by :mod:`grader.hints`, :mod:`grader.loophints`, :mod:`grader.stephints` and
:mod:`grader.valuehints`; every parse of student text here catches what a hostile text raises."""
from __future__ import annotations

import ast
import itertools
import re
from typing import Any, Iterator, NamedTuple, Sequence

from grader.astnodes import nodes
from grader.notebook import SIZE_LIMITS, SourceMemo


#: The list methods that change the list and return None.
IN_PLACE = frozenset({"append", "extend", "insert", "sort", "reverse"})


def line_statement(line: str) -> ast.stmt | None:
    """The one statement ``line`` holds, parsed on its own (``parsed_line``); None otherwise."""
    tree = parsed_line(line)
    return tree.body[0] if tree is not None and len(tree.body) == 1 else None


PYTHON_KINDS = {"tuple": "a tuple", "list": "a list", "dict": "a dict", "NoneType": "None", "int": "an int",
                 "float": "a float", "str": "a string"}


def numpy_calls(line: str) -> tuple[tuple[ast.Call, str], ...]:
    """``(call, name)`` for each ``np.name(...)`` / ``numpy.name(...)`` call on ``line``, the line
    parsed on its own (a line inside a longer statement gives none). Shared between the rules of a
    case and the cases of a function (``_NUMPY_CALLS``): read-only."""
    return _NUMPY_CALLS(line.strip()) if "np." in line or "numpy." in line else ()


def _find_numpy_calls(text: str) -> tuple[tuple[ast.Call, str], ...]:
    """:func:`numpy_calls` worked out: a walk of the line's tree (a line of 2,200 terms, walked
    again for each of 24 cases, cost a worker 0.4 s until the lead's merge of the thirty-third
    session)."""
    tree = _PARSED_LINES(text)
    if tree is None:
        return ()
    return tuple((node, node.func.attr) for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                 and isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "numpy"))


def parsed_line(line: str) -> ast.Module | None:
    """The student's ``line`` parsed on its own, or None (a line inside a longer statement, a
    continuation, text that is not Python): the hints read only a line that stands alone. The
    tree is shared (``_PARSED_LINES``): no caller may change it."""
    return _PARSED_LINES(line.strip())


def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


#: Characters of student lines each line memo holds between gradings: a line's tree takes about
#: 120 bytes a character of usual code (tracemalloc: a 43,000-character line, 5.3 MB), so 12 MB of
#: trees, and the longest line kept at all (a cell's) fits; the densest code (``a;a;a``, one node a
#: character: 340 bytes) takes 34 MB, as much as the grading that reads that line holds anyway
#: (12 MB, the comment said until the thirty-seventh session). A grading reads one distinct line or none in
#: the generated class of 400 and the real classes (real30, real34: at most 97 characters).
LINES_HELD = SIZE_LIMITS.max_cell_chars
#: Characters of ``LINES_HELD`` an entry counts for at the least: its own cost (its key, its tree's
#: module and statement, the memo's bookkeeping) is about 1.1 kB, what ten characters of a tree
#: take, so 4,000 entries of tiny lines hold about 4.7 MB (``LINES_HELD`` lines of one character
#: would otherwise be 100,000 entries, about 110 MB); a grading reads a few dozen lines at most.
LINE_ENTRY_CHARS = 25


def _line_memo(fn: Any) -> SourceMemo:
    """A memo of ``fn`` of one stripped line, bounded by size (``LINES_HELD``), not by a count."""
    return SourceMemo(fn, max_entries=LINES_HELD // LINE_ENTRY_CHARS, max_chars=LINES_HELD,
                      max_key_chars=SIZE_LIMITS.max_cell_chars, keep_at_first_sight=True)


#: The lines parsed lately: a case's error is read by a dozen rules, most of which parse its line
#: (a 30 kB line, six functions raising on one: 2.5 s of a worker for the 24 cases until the
#: thirty-third session, 0.1 s a case). Until the thirty-sixth session 16 entries of 200,000
#: characters in all: a grading that read 17 lines in turn parsed each every time.
_PARSED_LINES = _line_memo(_parse)
_NUMPY_CALLS = _line_memo(_find_numpy_calls)


#: The fields of a walk over a function's names (``astnodes.nodes``): a name's, an attribute's or a
#: subscript's load-or-store marker (``ctx``) holds no name, nor does a constant.
NO_CONTEXT = {ast.Name: (), ast.Constant: (), ast.Attribute: ("value",), ast.Subscript: ("value", "slice"),
               ast.Starred: ("value",), ast.Tuple: ("elts",), ast.List: ("elts",)}


#: The most statements (in all of its blocks) and ``for`` loops of a function the loop rules read.
#: Their work grows faster than the function (each assignment in a loop looks at the statements
#: after it, each loop at those after it): a function of 3,200 one-line loops (90 kB) cost a worker
#: hours until the thirty-third session. The largest graded function of the real corpora has 42
#: statements and one loop; a function past either bound gets no loop sentence.
MOST_LOOP_STATEMENTS = 400


def statement_span(stmt: ast.stmt) -> tuple[int, int, int, int]:
    """Where ``stmt`` starts and ends, ordered so that a statement comes before those inside it."""
    return stmt.lineno, stmt.col_offset, -(stmt.end_lineno or stmt.lineno), -(stmt.end_col_offset or 0)


def function_tree(source: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The first def of ``source`` parsed, or None (no def; too deep for ``ast``). Shared between
    the hints a failed part asks of one function (``_FUNCTION_TREES``): read-only."""
    return _FUNCTION_TREES(source)


def _parse_function(source: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """:func:`function_tree` worked out."""
    tree = _parse(source)
    return None if tree is None else next(
        (node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))), None)


#: The functions parsed lately: a failed part's hints (the loop rules, the unread parameter, the
#: sizes written as numbers, ...) each parsed the same function again (six 30 kB functions, each
#: parsed twice more per phase, went over a worker's CPU budget in the lead's review of the
#: thirty-third session). Bounded by the text one grading reads (``SizeLimits.max_code_chars``),
#: not by a count: every function of one notebook fits, however many (until the thirty-fifth
#: session 16 entries, so a notebook whose hints read 17 functions in turn parsed each every
#: time), and a worker keeps at most that much between gradings (a tree takes about 55 bytes a
#: character of usual code: 11 MB, where 400,000 characters, 22 MB, were allowed before; the
#: densest code, ``a;a;a``, 340 bytes a character: 69 MB, which the grading of such a notebook
#: holds anyway, since its hints read every function).
#: Characters of ``SIZE_LIMITS.max_code_chars`` a function's tree counts for at the least, as
#: ``LINE_ENTRY_CHARS`` for a line: a tiny def's entry costs about 3 kB (tracemalloc: 5,940 of them
#: 17.5 MB), so a floor of ``len("def f():0")`` let 22,222 tiny defs hold about 65 MB where the
#: characters say 11 MB (the perf helper's note, thirty-sixth session); 2,000 entries now, about
#: 6 MB of tiny trees, and a notebook holds a few dozen defs.
FUNCTION_ENTRY_CHARS = 100
_FUNCTION_TREES = SourceMemo(_parse_function, max_entries=SIZE_LIMITS.max_code_chars // FUNCTION_ENTRY_CHARS,
                             max_chars=SIZE_LIMITS.max_code_chars, max_key_chars=SIZE_LIMITS.max_cell_chars,
                             keep_at_first_sight=True)


def statement_blocks(node: ast.AST) -> list[list[ast.stmt]]:
    """Every list of statements in ``node``'s body, nested ones too, not those of a def or class."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        for block in (getattr(current, field, None) for field in ("body", "orelse", "finalbody")):
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                found.append(block)
                stack.extend(stmt for stmt in block
                             if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
        stack.extend(getattr(current, "handlers", ()))
    return found


def loops_of(fn: ast.AST, blocks: list[list[ast.stmt]] | None = None) -> list[tuple[ast.For, list[ast.stmt]]]:
    """Each ``for`` loop of ``fn`` with the statements after it in its block, in source order
    (``blocks``: ``fn``'s, when known), and after those the statements that follow each ``if``,
    ``with`` or ``try`` holding that block (a loop inside an ``if`` whose sum is returned after
    the ``if``); not past an enclosing loop, whose next step comes first."""
    blocks = statement_blocks(fn) if blocks is None else blocks
    place = {id(stmt): (block, k) for block in blocks for k, stmt in enumerate(block)}
    holder = {id(inner): stmt for block in blocks for stmt in block
              for inner in _inner_blocks(stmt)} if len(blocks) > 1 else {}
    found = []
    for block in blocks:
        for k, stmt in enumerate(block):
            if not isinstance(stmt, (ast.For, ast.AsyncFor)):
                continue
            after, outer = block[k + 1:], holder.get(id(block))
            while isinstance(outer, _ONCE) and id(outer) in place:
                outer_block, j = place[id(outer)]
                after = after + outer_block[j + 1:]
                outer = holder.get(id(outer_block))
            found.append((stmt, after))
    return sorted(found, key=lambda pair: pair[0].lineno)


#: Statements whose blocks run at most once each time they are reached (``loops_of`` looks past them).
_ONCE = (ast.If, ast.With, ast.AsyncWith, ast.Try) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())


def _inner_blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    """The blocks of statements directly inside ``stmt`` (its body, else, finally and handlers')."""
    fields = [getattr(stmt, field, None) for field in ("body", "orelse", "finalbody")]
    fields += [handler.body for handler in getattr(stmt, "handlers", ())]
    return [block for block in fields if isinstance(block, list) and block and isinstance(block[0], ast.stmt)]


def listed(words: Sequence[str]) -> str:
    """``"a, b and c"``."""
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def names_in(node: ast.AST, context: type) -> set[str]:
    return {n.id for n in nodes(node, NO_CONTEXT) if isinstance(n, ast.Name) and isinstance(n.ctx, context)}


def stores_of(fn: ast.AST, name: str) -> list[ast.stmt]:
    """The statements of ``fn`` (its own, in source order) that give ``name`` a value."""
    found = [stmt for block in statement_blocks(fn) for stmt in block
             if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.With, ast.Import,
                                  ast.ImportFrom))
             and name in (names_in(stmt.target if isinstance(stmt, ast.For) else stmt, ast.Store)
                          | {(alias.asname or alias.name).split(".")[0] for alias in getattr(stmt, "names", ())
                             if isinstance(stmt, (ast.Import, ast.ImportFrom))})]
    return sorted(found, key=lambda stmt: stmt.lineno)


def quoted_head(stmt: ast.stmt, source: str) -> str:
    """A statement's head as the student wrote it in ``source``: a ``for`` loop's up to its
    iterable, a ``with``'s up to its last item, not the body; any other statement whole."""
    last = (stmt.iter if isinstance(stmt, (ast.For, ast.AsyncFor))
            else stmt.items[-1].optional_vars or stmt.items[-1].context_expr
            if isinstance(stmt, (ast.With, ast.AsyncWith)) and stmt.items else None)
    if last is None:
        return as_written(stmt, source).splitlines()[0].rstrip().rstrip(":")
    head = _Span(stmt.lineno, stmt.col_offset, last.end_lineno, last.end_col_offset)
    text = written_text(head, source_lines(source))
    return _cut(text if text is not None else ast.unparse(stmt).splitlines()[0].rstrip().rstrip(":"))


class _Span(NamedTuple):
    """Where a piece of a statement stands (its head), as a node's four positions."""
    lineno: int
    col_offset: int
    end_lineno: int | None
    end_col_offset: int | None


def as_written(node: ast.AST, source: str) -> str:
    """``node`` as the student wrote it in ``source`` (their quotes and brackets; a node over
    several lines on one line, :func:`written_text`), else as ``ast`` writes it; past ``QUOTED``
    characters, its start and end around " ... ". A node over several lines was written by
    ``ast.unparse`` until the thirty-sixth session."""
    return _cut(written_text(node, source_lines(source)) or ast.unparse(node))


def _cut(text: str) -> str:
    """``text`` as a quote: past ``QUOTED`` characters, its start and end around " ... " (a loop's
    head quoted by :func:`quoted_head` was quoted whole: 7,900 characters of an iterable written out)."""
    return text if len(text) <= QUOTED else f"{text[:QUOTED // 2]} ... {text[-QUOTED // 4:]}"


def source_lines(source: str) -> Sequence[str]:
    """``source``'s lines as ``ast`` numbers them, each with its end (a line ends at ``\\r\\n``,
    ``\\r`` or ``\\n`` only: ``str.splitlines`` also breaks at a form feed or U+2028, which would
    shift every line after), split once for the sources quoted lately: a hint quoting each of
    thousands of nodes of one function split its whole text at every quote (:func:`source_segment`,
    :func:`written_text`, which drop the ends)."""
    return (source,) if "\n" not in source and "\r" not in source else _SOURCE_LINES(source)


#: Lines `written_text` reads of a node at the most (a call whose arguments stand 30,000 blank lines
#: apart cost each of its candidates a pass over them).
WRITTEN_LINES = 100


def written_text(node: Any, lines: Sequence[str], *, most: int | None = None, shift: int = 0) -> str | None:
    """The student's own text of ``node`` (``lines`` being the text it was parsed from, numbered
    as its tree less ``shift``, :func:`source_lines`), on one line: runs of white space as one space, no space
    after an opening bracket or before a closing one where a line ended, a line's ``\\`` left out.
    Lines are read only until the text is longer than ``most`` characters, when given (a chain of
    ``None **`` over thousands of lines costs its first lines), and `WRITTEN_LINES` at the most
    (then "..."); the caller cuts. None when the positions do not fit ``lines``, or when a line the
    node continues past holds a ``#`` beside a string or after one on an earlier line (a string
    of three quotes over several lines: ``#`` may be in it, or a comment): the caller
    writes it with ``ast.unparse`` then. The one reader of the student's text for a quote: the
    placeholders' snippets (``placeholders._snippet_of``, where it was ``_written``), the hints'
    :func:`as_written` and the code slips' notes (thirty-sixth session)."""
    first, last = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    start, end = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
    if first is None or last is None or start is None or end is None:
        return None
    first, last = first - shift, last - shift
    if not 0 < first <= last <= len(lines):
        return None
    pieces: list[str] = []
    length = 0
    quoted = False  # a quote seen on an earlier line: a string over several lines may hold a "#"
    try:
        for number in range(first, last + 1):
            raw = lines[number - 1].encode()
            piece = raw[start if number == first else 0 : end if number == last else len(raw)].decode()
            if number < last:
                if "#" in piece:
                    if quoted or "'" in piece or '"' in piece:
                        return None
                    piece = piece[: piece.index("#")]
                quoted = quoted or "'" in piece or '"' in piece
                piece = piece.rstrip()
                if piece.endswith("\\"):
                    piece = piece[:-1]
            piece = " ".join(piece.split())
            if piece:
                glued = not pieces or pieces[-1].endswith(("(", "[", "{")) or piece.startswith((")", "]", "}", ",", ":"))
                piece = piece if glued else " " + piece
                pieces.append(piece)
                length += len(piece)
            if most is not None and length > most:
                break
            if number - first >= WRITTEN_LINES and number < last:  # blank lines, or short ones: enough
                pieces.append(" ...")
                break
    except UnicodeDecodeError:  # columns that are not the node's in these lines
        return None
    return "".join(pieces)
#: Where the parser ends a line (after "\n", "\r\n" or a lone "\r"), as ``ast.get_source_segment``.
LINE_ENDS = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")
#: The lines of the sources quoted lately, their ends kept (a function's text: a cell's at most,
#: and the hints' own for their tests): :func:`source_lines`.
_SOURCE_LINES = SourceMemo(lambda source: tuple(LINE_ENDS.split(source)), max_entries=16,
                           max_chars=4 * SIZE_LIMITS.max_cell_chars,
                           max_key_chars=2 * SIZE_LIMITS.max_cell_chars, keep_at_first_sight=True)


def source_segment(source: str, node: ast.AST) -> str | None:
    """``ast.get_source_segment(source, node)``, the lines of ``source`` split once by the pattern
    engine, not at every call by its loop of Python over every character. Thirty-sixth session:
    a hint quoting each of 2,000 arguments of a 13 kB line cost 1.7 s, one reading the 3,000
    one-element tuples of a 44 kB function 16 s (both quadratic; the cell's 100 kB, minutes)."""
    end_line, end_col = getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None)
    if end_line is None or end_col is None or getattr(node, "lineno", None) is None:
        return None
    lines = source_lines(source)
    first, last, col = node.lineno - 1, end_line - 1, node.col_offset  # type: ignore[attr-defined]
    if first == last:
        return lines[first].encode()[col:end_col].decode()
    return (lines[first].encode()[col:].decode() + "".join(lines[first + 1:last])
            + lines[last].encode()[:end_col].decode())


def in_line(node: ast.AST, line: str) -> str:
    """``node`` of the student's ``line``, the line parsed on its own (:func:`parsed_line`,
    :func:`line_statement`, :func:`numpy_calls`), as they wrote it (:func:`as_written`).
    ``ast.unparse`` quoted code the student could not find on their line: ``parameters['Wf']``
    for ``parameters["Wf"]``, ``x[:, :, t]`` for ``x[:,:,t]``, and on Python 3.10 ``(a, b) = f()``
    for ``a, b = f()`` (thirty-fifth session). Whole, as ``ast.unparse`` wrote it (the message's bound
    cuts it, ``grader.notes``); ``ast.unparse`` where the positions do not fit the line."""
    text = line.strip()
    segment = source_segment(text, node) if getattr(node, "end_lineno", None) == getattr(node, "lineno", 0) \
        else None
    return segment if segment else ast.unparse(node)


#: The longest piece of a student's code a loop sentence quotes whole.
QUOTED = 160


#: The names a notebook gives NumPy.
NUMPY_NAMES = frozenset({"np", "numpy"})


def kind_words(value: Any) -> str:
    """``"an array of shape (3, 10, 4)"``, ``"a list of length 4"``, ``"a dict"``, ``"a single number"`` (a NumPy
    number or a 0-d array of one): what a value is, in words,
    the one wording of the checks' messages and the hints (``checks.describe``; thirty-sixth session: "a
    tuple of 3" there, "a tuple of length 3" here)."""
    shape = getattr(value, "shape", None)
    if shape == () and getattr(getattr(value, "dtype", None), "kind", "?") in tuple("biufc"):
        return "a single number"  # np.float64, a 0-d array: "an array of shape ()" (thirty-eighth session)
    if isinstance(shape, tuple):
        return f"an array of shape {shape}"
    if isinstance(value, (list, tuple)):
        return f"{PYTHON_KINDS[type(value).__name__]} of length {len(value)}"
    return PYTHON_KINDS.get(type(value).__name__, f"a {type(value).__name__}")


def ordinal(number: int) -> str:
    """``"1st"``, ``"2nd"``, ``"3rd"``, ``"4th"``, ... (``"11th"``, ``"12th"``, ``"13th"``)."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


#: How many nodes of a function ``global_state_hint`` reads at most (a real graded function has a
#: few hundred; a hostile one is read no further).
MOST_STATE_NODES = 20_000


def walked(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk`` of ``node``, its first ``MOST_STATE_NODES`` nodes: how far the hints read a
    hostile function's tree."""
    return itertools.islice(ast.walk(node), MOST_STATE_NODES)
