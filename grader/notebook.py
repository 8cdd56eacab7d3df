"""Reading one submission file into a `Notebook`, without running anything.

A submission is a Jupyter notebook (nbformat 4.0-4.5, or 3 which is converted
to 4) or a plain ``.py`` file.  Reading is deliberately cheap: the JSON is
parsed with :func:`json.loads` and walked by hand; nbformat is imported only to
convert the rare version-3 notebook, and nbformat validation never runs.

Every problem with the file itself (not JSON, truncated, empty, binary, not a
notebook, too big) raises :class:`SubmissionError` whose message names the file
and says what is wrong, so that one broken submission never stops a batch.
"""

from __future__ import annotations

import json
import os
import re
import time
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Generic, Hashable, Iterable, TypeVar

from grader.files import read_bytes

__all__ = ["SubmissionError", "Cell", "Notebook", "load", "DEFAULT_MAX_BYTES", "SUBMISSION_SUFFIXES", "SourceMemo",
           "without_trailing_comments", "SizeLimits", "SIZE_LIMITS", "SkippedCode", "skipped_code", "trim_v3_cells"]

_V = TypeVar("_V")

DEFAULT_MAX_BYTES = 200 * 2**20
#: The names a class run grades as a notebook (``grader.discover``), and so the names the
#: self-check tells a student to submit under (``selfcheck``): a file named otherwise is read
#: here all the same (by its content), but a class run finds no notebook in it.
SUBMISSION_SUFFIXES = (".ipynb", ".py")

_CELL_KINDS = ("code", "markdown", "raw")


@dataclass(frozen=True)
class SizeLimits:
    """How much of one submission the grader reads: the bound on its own work outside the sandbox.

    Reading, extraction (a worker), the IMDB bonus's reader (a worker), the feedback page (the
    grading process) and the similarity check's normalisation cost each a few microseconds of
    CPU per character of code at worst, and something per cell; nothing else bounds them but the
    file's size (:data:`DEFAULT_MAX_BYTES`). Limits on sizes rather than a time budget keep a
    grade independent of the machine's load. A code cell longer than ``max_cell_chars``
    characters is not read, nor any code cell that would take the code read so far past
    ``max_code_chars`` (:func:`skipped_code`); cells after the first ``max_cells`` are not read
    at all. Real submissions of this assignment hold 10-40 kB of code in 20-100 cells; the
    figures behind the defaults are in ``docs/performance-history.md`` ("Size limits (seventh session)").
    """

    max_cells: int = 2_000
    max_cell_chars: int = 100_000
    max_code_chars: int = 200_000


#: The limits every reader uses unless told otherwise.
SIZE_LIMITS = SizeLimits()


@dataclass(frozen=True)
class SkippedCode:
    """A code cell the grader does not read (:func:`skipped_code`).

    ``index`` is the cell's 0-based position among all cells, ``chars`` its length; ``before``
    is how many characters of code were read before it, or None when the cell alone is longer
    than ``limits.max_cell_chars``.
    """

    index: int
    chars: int
    before: int | None
    limits: SizeLimits

    def message(self, *, python_file: bool = False) -> str:
        """What the student reads: which cell, how big, the limit, and what to do."""
        if python_file:
            return (f"Your file holds {self.chars:,} characters of code, more than the "
                    f"{self.limits.max_cell_chars:,} the grader reads in one file or cell of a "
                    "notebook, so none of it was graded. Keep only your functions in it.")
        if self.before is None:
            return (f"Cell {self.index + 1} holds {self.chars:,} characters of code, more than the "
                    f"{self.limits.max_cell_chars:,} the grader reads in one cell, so it was not "
                    "graded: the functions it defines are not found. Move each function into a cell "
                    "of its own and delete what grading does not need (large data, generated code).")
        return (f"Cell {self.index + 1} ({self.chars:,} characters of code) was not graded: the grader "
                f"reads at most {self.limits.max_code_chars:,} characters of code in a notebook, and the "
                f"code cells before this cell already hold {self.before:,}. The functions it defines are "
                "not found. Delete the cells grading does not need (large data, generated code, copies "
                "of other cells).")


def skipped_code(cells: Iterable[tuple[int, int]], limits: SizeLimits = SIZE_LIMITS) -> tuple[SkippedCode, ...]:
    """The code cells the grader does not read, from ``(index, length)`` of each code cell in
    notebook order: a cell longer than ``limits.max_cell_chars``, and, in order, each cell that
    would take the code read before it past ``limits.max_code_chars`` (a cell not read does not
    count, so a later, smaller cell may still be read). Every reader (extraction, the IMDB
    bonus, the feedback page) asks this, so they leave out the same cells."""
    skipped = []
    total = 0
    for index, chars in cells:
        if chars > limits.max_cell_chars:
            skipped.append(SkippedCode(index, chars, None, limits))
        elif total + chars > limits.max_code_chars:
            skipped.append(SkippedCode(index, chars, total, limits))
        else:
            total += chars
    return tuple(skipped)


#: What a ``SubmissionError`` says of the file, for what its student is told to do
#: (``grader.runner.unreadable_advice``): a file that is not a whole notebook (damaged, empty,
#: another kind of file), one over the size bound, or one the grader could not open or convert
#: (its side, not the student's).
DAMAGED, TOO_BIG, GRADER_SIDE = "damaged", "too_big", "grader_side"


class SubmissionError(Exception):
    """The submission file cannot be read as a notebook or a Python file.

    The message names the file and what is wrong, for example
    ``"submissions/x.ipynb: not JSON (truncated at byte 1234)"``; ``about`` is ``DAMAGED``,
    ``TOO_BIG`` or ``GRADER_SIDE``.
    """

    def __init__(self, message: str, *, about: str = DAMAGED) -> None:
        super().__init__(message)
        self.about = about


@dataclass(frozen=True)
class Cell:
    """One cell of a notebook.

    ``index`` is the 0-based position among all cells (markdown included);
    ``outputs`` holds the text of each output in order: stream text, the
    ``text/plain`` of results and displays, and ``"EName: evalue"`` for errors,
    stored as-is (ANSI escapes, carriage returns and backspaces kept).
    """

    index: int
    kind: str
    source: str
    outputs: tuple[str, ...] = ()
    #: The execution count saved with a code cell, the ``In [7]`` Jupyter shows beside it (``None``
    #: for a cell never run, and for a count that is not a positive integer below 10**9).
    prompt: int | None = None
    #: What the saved ``source`` was when it is not text (a string or a list of strings): "a
    #: number", "null"... ("" when it is text). Such a code cell is read as empty, and the
    #: extraction says so (a function defined there was otherwise reported "missing" with no why).
    unreadable: str = ""


@dataclass(frozen=True)
class Notebook:
    """A submission as a sequence of cells.

    ``nbformat`` is the version found in the file, before any conversion,
    and ``(0, 0)`` for a ``.py`` file. ``cells_left_out`` counts the cells after the first
    ``SizeLimits.max_cells``, which are not read (:func:`loads`).
    """

    path: str
    cells: tuple[Cell, ...]
    nbformat: tuple[int, int]
    cells_left_out: int = 0

    @property
    def script(self) -> bool:
        """A ``.py`` file, read as one cell: its places are said as the file's lines."""
        return self.nbformat == (0, 0)

    @property
    def code_cells(self) -> tuple[Cell, ...]:
        """The code cells, in notebook order."""
        return tuple(c for c in self.cells if c.kind == "code")


def load(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES,
         limits: SizeLimits = SIZE_LIMITS) -> Notebook:
    """Read ``path`` (``.ipynb`` or ``.py``) into a :class:`Notebook`.

    Raises :class:`SubmissionError` when the file is missing, empty, larger than
    ``max_bytes``, binary, not JSON, truncated, or JSON that is not a notebook.
    Cells after the first ``limits.max_cells`` are left out (``Notebook.cells_left_out``).
    Never executes anything.
    """
    name = os.fspath(path)
    try:
        size = os.path.getsize(name)
    except OSError as exc:
        raise SubmissionError(f"{name}: cannot read ({exc.strerror or exc})", about=GRADER_SIDE) from None
    if size > max_bytes:
        raise SubmissionError(
            f"{name}: too big ({_human(size)}; the limit is {_human(max_bytes)})", about=TOO_BIG
        )
    # The bytes are passed straight on so that loads() holds the only reference
    # and can drop them once decoded (a 100 MB notebook then peaks lower).
    return loads(_read(name, max_bytes), path=name, limits=limits)


def _read(name: str, max_bytes: int) -> bytes:
    """The bytes of file ``name``, refusing more than ``max_bytes``."""
    try:
        data = read_bytes(name, limit=max_bytes)
    except OSError as exc:
        raise SubmissionError(f"{name}: cannot read ({exc.strerror or exc})", about=GRADER_SIDE) from None
    if len(data) > max_bytes:  # the file grew after stat
        raise SubmissionError(f"{name}: too big (more than {_human(max_bytes)})", about=TOO_BIG)
    return data


def _binary_kind(data: bytes) -> str:
    """What a file with NUL bytes is, where its first bytes say: a notebook written as UTF-16
    text (Windows PowerShell 5's ``>`` writes that), or compressed, which Jupyter cannot open
    either; else a binary file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ("text in UTF-16 (as Windows PowerShell's `>` writes it), not the UTF-8 of a notebook "
                "Jupyter saves; Jupyter cannot open it either")
    if data.startswith(b"\x1f\x8b"):
        return "a gzip-compressed file, not a notebook; unpack it (gunzip) and submit the .ipynb inside"
    return "binary file, not a notebook (contains NUL bytes)"


def loads(data: bytes, *, path: str, limits: SizeLimits = SIZE_LIMITS) -> Notebook:
    """Parse the bytes of a submission named ``path`` (its suffix picks the format).

    This is :func:`load` without the file system, for callers that already
    hold the bytes.
    """
    if not data or data.isspace():  # (not ``data.strip()``: a copy of the file's bytes)
        raise SubmissionError(f"{path}: empty file")
    if b"\x00" in data[:65536]:
        raise SubmissionError(f"{path}: {_binary_kind(data)}")
    python = path.lower().endswith(".py")
    if not python:
        slim = _rich_outputs_blanked(data)
        if slim is not data:  # the outputs' images left out before the text is decoded
            try:
                return _parse_ipynb(slim.decode("utf-8-sig"), len(data), path, limits=limits)
            except (SubmissionError, UnicodeDecodeError):
                pass  # the whole file says what is wrong, at its own places
        del slim
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = _declared_text(data) if python else None
        if text is None:
            raise SubmissionError(
                f"{path}: not UTF-8 text (invalid byte at offset {exc.start}); " + (
                    "save it as UTF-8 (a Python file without a `# -*- coding: ... -*-` line "
                    "must be UTF-8)" if python else "is it a binary file or a zip archive?")
            ) from None
    size = len(data)
    del data
    if python:
        return Notebook(path=path, cells=(Cell(0, "code", text, ()),), nbformat=(0, 0))
    return _parse_ipynb(text, size, path, limits=limits)


#: The key and the start of a value in a notebook's JSON that nothing of a :class:`Notebook` holds: a
#: MIME bundle's rich data (an output's ``image/png``, ``text/html``...; ``text/plain`` is read).
_RICH_KEY = re.compile(rb'"(?!text/plain")[A-Za-z]+/[^"\\\n]{1,100}"[ \t\r\n]*:[ \t\r\n]*(?=["\[])')
#: The shortest rich value :func:`_rich_outputs_blanked` blanks, in bytes.
_RICH_BLANKED = 4096


def _rich_outputs_blanked(data: bytes) -> bytes:
    """``data`` (a notebook's JSON) with each long string, or list of strings, under a MIME type
    other than ``text/plain`` written ``""``, or ``data`` itself when it has none.

    What a notebook's outputs show (images, HTML tables, a widget's state) is no part of a
    :class:`Cell`, but parsing it did cost: a 147 MB notebook of images peaked at 475 MB in the
    self-check (thirty-fifth session), the bytes, their text (two bytes a character when one
    character is not ASCII) and the parsed strings together. Blanking keeps the JSON valid (a
    whole string gives way to an empty one, and a key with unescaped quotes cannot occur inside
    a string); each value is skipped with ``bytes.find``, never scanned by the pattern.
    """
    pieces: list[bytes] = []
    done = at = 0
    deadline = time.process_time() + _RICH_CPU
    while (key := _RICH_KEY.search(data, at)) is not None:
        start = key.end()
        end = _value_end(data, start)
        if end < 0 or time.process_time() > deadline:
            break  # not a string or a list of strings, or cut short: the parse says what it is
        if end - start >= _RICH_BLANKED:
            pieces += (data[done:start], b'""')
            done = end
        at = end
    if not pieces:
        return data
    pieces.append(data[done:])
    return b"".join(pieces)


#: A JSON list of at most 50,000 strings (each a run of unescaped bytes and escapes, never
#: backtracked into), matched by the pattern engine: item by item in Python it took 1.2 s for 10 MB
#: of ``"",``, which json.loads parses in 0.08 s (the lead's review, thirty-fifth session). A longer
#: list is left to the parse; so is the rest of a notebook once blanking has had ``_RICH_CPU``.
_STRING_LIST = re.compile(rb'\[(?:[ \t\r\n,]*"[^"\\]*(?:\\.[^"\\]*)*"){0,50000}[ \t\r\n,]*\]', re.S)
#: The CPU seconds blanking may take for one notebook: it saves memory, and the parse gives the
#: same cells without it (a notebook of 200 MB of tiny strings under rich keys: 0.25 s, not 24).
_RICH_CPU = 0.25


def _value_end(data: bytes, start: int) -> int:
    """The end of the JSON string, or list of strings, that starts at ``data[start]``; -1 when
    it is neither, or is not closed."""
    if data[start:start + 1] == b'"':
        return _string_end(data, start)
    found = _STRING_LIST.match(data, start)
    return found.end() if found is not None else -1


def _string_end(data: bytes, start: int) -> int:
    """The index after the JSON string opened by the quote at ``data[start]``; -1 when unclosed."""
    at = start + 1
    while True:
        quote = data.find(b'"', at)
        if quote < 0:
            return -1
        escapes = 0
        while data[quote - 1 - escapes] == 0x5C:  # a backslash
            escapes += 1
        if escapes % 2 == 0:
            return quote + 1
        at = quote + 1


def _declared_text(data: bytes) -> str | None:
    """A Python file's text in the encoding its first two lines declare (PEP 263:
    ``# -*- coding: latin-1 -*-``), as Python reads it; None without such a line, or when it
    names an unknown encoding or the bytes do not decode with it.

    Python runs such a file, so refusing it as "not UTF-8" cost a student every point for an
    accent in a header comment written by an editor that declared its encoding.
    """
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:  # an unknown encoding, or a line that is not UTF-8 before the cookie
        return None
    if encoding in ("utf-8", "utf-8-sig"):
        return None  # declared or not, the bytes are not UTF-8
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _parse_ipynb(text: str, size: int, path: str, *, limits: SizeLimits = SIZE_LIMITS) -> Notebook:
    """Parse notebook JSON ``text`` (the file had ``size`` bytes); cells after the first
    ``limits.max_cells`` are counted, not read (nor converted, in a version-3 notebook)."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        offset = len(text[: exc.pos].encode("utf-8"))
        # The scanner reports a string that runs to the end of the input at
        # the string's start, so that case is a truncation too.
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise SubmissionError(f"{path}: not JSON (truncated at byte {size})") from None
        if _html_page(text):
            raise SubmissionError(
                f"{path}: not a notebook but a web page (HTML): a browser's \"Save Page As\" on a page that "
                f"shows the notebook, or Jupyter's \"Download as HTML\", writes such a file; submit the .ipynb "
                f"file Jupyter saves") from None
        conflict = _merge_conflict(text)
        if conflict:
            raise SubmissionError(
                f"{path}: git merge-conflict markers in the file (`<<<<<<<` at line {conflict}): a merge left "
                f"both versions of some lines in it, which is not JSON; resolve the conflict (keep one version, "
                f"delete the marker lines), check that the notebook opens in Jupyter, and submit it again") from None
        if _markdown_export(text):
            raise SubmissionError(
                f"{path}: not a notebook but Markdown text (Jupyter's \"Download as Markdown\" writes "
                f"such a file, the code in fenced python blocks); submit the .ipynb file Jupyter saves") from None
        raise SubmissionError(
            f"{path}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}, byte {offset})"
        ) from None
    except RecursionError:
        raise SubmissionError(f"{path}: not a notebook (JSON nested too deeply)") from None
    if not isinstance(obj, dict):
        raise SubmissionError(f"{path}: not a notebook (the JSON is a {type(obj).__name__}, not an object)")
    major, minor = obj.get("nbformat"), obj.get("nbformat_minor", 0)
    if not isinstance(major, int) or isinstance(major, bool):
        if "cells" in obj or "worksheets" in obj:
            raise SubmissionError(f"{path}: not a notebook (no nbformat version number)")
        raise SubmissionError(f"{path}: not a notebook (no \"cells\" and no \"nbformat\" keys)")
    if not isinstance(minor, int) or isinstance(minor, bool):
        minor = 0
    left_out = 0
    if major == 3:
        left_out = trim_v3_cells(obj, limits.max_cells)
        obj = _upgrade_v3(obj, path)
    elif major != 4:
        raise SubmissionError(
            f"{path}: unsupported notebook format {major}.{minor} (expected 3 or 4.0-4.5)"
        )
    raw_cells = obj.get("cells")
    if not isinstance(raw_cells, list):
        raise SubmissionError(f"{path}: not a notebook (\"cells\" is missing or not a list)")
    if len(raw_cells) > limits.max_cells:
        left_out += len(raw_cells) - limits.max_cells
        raw_cells = raw_cells[:limits.max_cells]
    cells = []
    for i, raw in enumerate(raw_cells):
        if not isinstance(raw, dict):
            raise SubmissionError(f"{path}: not a notebook (cell {i} is not an object)")
        cells.append(_cell(i, raw))
    return Notebook(path=path, cells=tuple(cells), nbformat=(major, minor), cells_left_out=left_out)


def _html_page(text: str) -> bool:
    """Whether ``text``, which is not JSON, is a web page: it starts with an HTML tag and names an
    ``<html>`` element or an HTML doctype early on. A real submission was a page saved from the
    browser under the notebook's name ("not JSON (Expecting value at line 7, column 1, byte 6)")."""
    head = text.lstrip()[:4096].lower()
    return head.startswith("<") and re.search(r"<!doctype\s+html|<html[\s>]", head) is not None


def _merge_conflict(text: str) -> int:
    """The line of the first ``<<<<<<<`` marker of a git merge conflict in ``text``, which is not
    JSON, when ``=======`` and ``>>>>>>>`` lines follow it; 0 otherwise. A real notebook
    (thirty-fourth session) was told only "not JSON (Expecting property name enclosed in double
    quotes at line 468, ...)" and to look for a damaged copy."""
    start = re.compile(r"^<<<<<<< ", re.MULTILINE).search(text)  # three searches, each once over the text
    middle = re.compile(r"^=======\r?$", re.MULTILINE).search(text, start.end()) if start else None
    if middle is None or re.compile(r"^>>>>>>> ", re.MULTILINE).search(text, middle.end()) is None:
        return 0
    return text.count("\n", 0, start.start()) + 1


def _markdown_export(text: str) -> bool:
    """Whether ``text``, which is not JSON, is a notebook exported as Markdown: it does not start
    as JSON does and holds a fenced Python block. A real submission was such an export under the
    notebook's name; "not JSON (Expecting value at line 1, column 1)" named a parser's complaint,
    not what the file was or what to hand in instead."""
    head = text.lstrip()[:1]
    return head not in ("{", "[", "") and re.search(r"^```\s*(?:python|ipython3?)\s*$", text,
                                                       re.IGNORECASE | re.MULTILINE) is not None


def trim_v3_cells(obj: dict[str, Any], max_cells: int) -> int:
    """Cut the worksheets of version-3 notebook ``obj`` (in place) to their first ``max_cells``
    cells in all, before nbformat converts them; return how many were cut."""
    sheets = obj.get("worksheets")
    if not isinstance(sheets, list):
        return 0
    room, cut = max_cells, 0
    for sheet in sheets:
        cells = sheet.get("cells") if isinstance(sheet, dict) else None
        if isinstance(cells, list):
            if len(cells) > room:
                cut += len(cells) - room
                sheet["cells"] = cells[:room]
            room -= len(sheet["cells"])
    return cut


def _cell(index: int, raw: dict[str, Any]) -> Cell:
    """Build a :class:`Cell` from one nbformat-4 cell dictionary, tolerantly."""
    kind = raw.get("cell_type")
    if kind not in _CELL_KINDS:
        kind = "raw"
    raw_source = raw.get("source", "")
    source = _text(raw_source)
    unreadable = "" if kind != "code" else _not_text(raw_source)
    outputs: tuple[str, ...] = ()
    prompt = None
    if kind == "code":
        raw_outputs = raw.get("outputs")
        if isinstance(raw_outputs, list):
            outputs = tuple(_output_text(o) for o in raw_outputs if isinstance(o, dict))
        count = raw.get("execution_count")
        if type(count) is int and 0 < count < 10**9:
            prompt = count
    return Cell(index=index, kind=kind, source=source, outputs=outputs, prompt=prompt, unreadable=unreadable)


def _not_text(value: Any) -> str:
    """"" when ``value`` is an nbformat multiline string (a string or a list of strings), else
    what it is in JSON's words ("a number", "a list holding a number"...), for the student."""
    if isinstance(value, str):
        return ""
    if isinstance(value, list):
        other = next((v for v in value if not isinstance(v, str)), _TEXT)
        return "" if other is _TEXT else f"a list holding {_json_kind(other)}"
    return _json_kind(value)


_TEXT = object()  # `_not_text`'s "every item is text"


def _json_kind(value: Any) -> str:
    """What a decoded JSON value is, as the file spells it: "a number", "null", "an object"..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _output_text(out: dict[str, Any]) -> str:
    """Text of one output: stream text, ``text/plain`` data, or ``"EName: evalue"``."""
    kind = out.get("output_type")
    if kind == "stream":
        return _text(out.get("text"))
    if kind in ("execute_result", "display_data", "update_display_data"):
        data = out.get("data")
        if isinstance(data, dict):
            return _text(data.get("text/plain"))
        return ""
    if kind == "error":
        return f"{_text(out.get('ename'))}: {_text(out.get('evalue'))}"
    return ""


def _text(value: Any) -> str:
    """Join an nbformat multiline string (a string or a list of strings)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        try:
            return "".join(value)  # the usual list of strings, joined in C
        except TypeError:  # something else among them: the strings alone
            return "".join(v for v in value if isinstance(v, str))
    return ""


def _upgrade_v3(obj: dict[str, Any], path: str) -> dict[str, Any]:
    """Convert an nbformat-3 notebook dictionary to version 4 with nbformat."""
    try:
        import nbformat
    except ImportError:  # pragma: no cover - nbformat is a dependency
        raise SubmissionError(f"{path}: nbformat 3 notebook, and nbformat is not installed",
                              about=GRADER_SIDE) from None
    try:
        from nbformat.v3.rwbase import rejoin_lines

        node = rejoin_lines(nbformat.from_dict(obj))  # v3 files store text as lists of lines
        converted = nbformat.convert(node, 4)
    except Exception as exc:  # nbformat raises several kinds on malformed input
        raise SubmissionError(f"{path}: broken nbformat 3 notebook ({type(exc).__name__}: {exc})") from None
    return converted


class SourceMemo(Generic[_V]):
    """A bounded per-process memo of a pure function of text (a cell's or a block's source).

    The cells a course's template puts in every notebook (imports, test cells,
    markdown) are identical across a class, and so is much of the code students
    leave unchanged; parsing and classifying them once per process instead of
    once per notebook is most of the saving.  Only pure functions of the key
    may be memoised (the key is the whole input, so one notebook's result can
    never be another's unless their text is identical); values are shared
    between callers and must be treated as read-only (tuples, frozen
    dataclasses, ASTs that no caller mutates).

    Bounded in entries and in size: at most ``max_entries`` entries holding
    at most ``max_chars`` characters of text in all, the least recently used
    going first; a text longer than ``max_key_chars`` is computed but never
    stored (a huge cell would pin its AST).  The values' size follows the
    text's, so the bound on text bounds the memory: by default 500,000
    characters, where a course's template cells take a few tens of thousands.
    A memo of syntax trees counts each text for its `tree_weight` instead and
    holds ``TREES_HELD``: a tree takes 15-70 bytes a character of usual code
    but up to 340 of the densest (``a;a;a``: one node a character), so
    500,000 characters could hold 170 MB of trees (tracemalloc; under 30 MB, the
    comment said until the thirty-seventh session).  A value is stored only the second time its arguments
    are seen (the hashes of arguments seen once are remembered, at most
    ``4 * max_entries`` of them): a cell only one student wrote then costs
    neither memory nor garbage-collector time.  A memo whose values are asked for again within
    one submission (a failed part's hints, each reading the same function) keeps a value the
    first time instead (``keep_at_first_sight``): else the first two asks of each submission
    computed it twice.  Safe to share between threads.
    """

    def __init__(self, fn: Callable[..., _V], *, max_entries: int = 2048, max_chars: int = 500_000,
                 max_key_chars: int = 50_000, keep_at_first_sight: bool = False,
                 weigh: Callable[[str], int] = len) -> None:
        """Memoise ``fn(text, *extra)``; ``extra`` must be hashable and is part of the key. An entry
        counts for ``weigh(text)`` characters of ``max_chars`` (at least its length; a tuple of
        texts for the sum of theirs)."""
        self._fn = fn
        self._weigh = weigh
        self.keep_at_first_sight = keep_at_first_sight
        self.max_entries = max_entries
        self.max_chars = max_chars
        self.max_key_chars = min(max_key_chars, max_chars)
        self._store: OrderedDict[Hashable, tuple[int, _V]] = OrderedDict()
        self._seen: OrderedDict[int, None] = OrderedDict()  # hashes of arguments seen once
        self._chars = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __call__(self, text: str | tuple[str, ...], *extra: Hashable) -> _V:
        """``fn(text, *extra)``, from the memo when the same arguments were seen recently.

        ``text`` is a string or a tuple of strings (a cell's outputs); its
        characters count against the bounds.
        """
        return self.via(None, text, *extra)

    def via(self, compute: Callable[[], _V] | None, text: str | tuple[str, ...], *extra: Hashable) -> _V:
        """``self(text, *extra)``, computed on a miss by ``compute()`` instead of the memo's
        function (None: by that function). ``compute`` must return what the function would:
        it lets a caller that already holds part of the work (a cell's statements, parsed once
        for its notebook) not have the function redo it; the memo's rules are the same.
        """
        size = len(text) if isinstance(text, str) else sum(len(t) for t in text)
        if size > self.max_key_chars:
            return self._fn(text, *extra) if compute is None else compute()
        key = (text, *extra) if extra else text
        with self._lock:
            found = self._store.get(key)
            if found is not None:
                self._store.move_to_end(key)
                self.hits += 1
                return found[1]
        value = self._fn(text, *extra) if compute is None else compute()
        digest = hash(key)
        with self._lock:
            self.misses += 1
            if digest not in self._seen and not self.keep_at_first_sight:  # first sight: remember it, no more
                self._seen[digest] = None
                while len(self._seen) > 4 * self.max_entries:
                    self._seen.popitem(last=False)
            elif key not in self._store:
                self._seen.pop(digest, None)
                if self._weigh is not len:
                    size = self._weigh(text) if isinstance(text, str) else sum(map(self._weigh, text))
                self._store[key] = (size, value)
                self._chars += size
                while len(self._store) > self.max_entries or self._chars > self.max_chars:
                    _, (dropped, _) = self._store.popitem(last=False)
                    self._chars -= dropped
        return value

    def __len__(self) -> int:
        """Entries held now."""
        return len(self._store)

    @property
    def chars(self) -> int:
        """Characters of text held now, as weighed (never more than ``max_chars``)."""
        return self._chars

    def clear(self) -> None:
        """Forget every entry (tests and benchmarks; results never depend on it)."""
        with self._lock:
            self._store.clear()
            self._seen.clear()
            self._chars = 0
            self.hits = self.misses = 0


#: A token of code as `tree_weight` counts them: a run of letters, digits and underscores, or any
#: other character but a space or a tab (line ends count: ``a\na`` is two statements).
_TOKEN = re.compile(r"\w+|[^\w \t]")
#: Characters a token counts for in `tree_weight`: a tree takes at most about 340 bytes a token
#: (``a;``, ``1;``, ``-``: one node each, tracemalloc), about 100 a character at this weight, near
#: what usual code takes a character (15-70 bytes; 155 in the densest real cell), which writes
#: 2-4 characters a token and so weighs what its length says.
TOKEN_CHARS = 3.5
#: What a memo of syntax trees holds (``SourceMemo(..., max_chars=TREES_HELD, weigh=tree_weight)``):
#: at most about 30 MB of trees at 100 bytes a weighed character, 300,000 characters of usual code
#: (a real class of 147 kept 276,000 characters of cells read twice in one process).
TREES_HELD = 300_000


def tree_weight(text: str) -> int:
    """Characters the syntax tree of ``text`` counts for in a memo: its length, or `TOKEN_CHARS`
    a token (`_TOKEN`) when that is more (code denser than usual: a tree takes memory by its
    nodes, not by its characters). About 30 ns a character, a tenth of a parse."""
    return max(len(text), int(TOKEN_CHARS * len(_TOKEN.findall(text))))


def without_trailing_comments(source: str) -> str:
    """``source`` without its last lines when they are blank or plain comments.

    For memo keys: a student's note after the template's code (``# tested on
    my machine``) then does not make a cell new.  Only lines that cannot change
    how Python or a line-based reader sees the code before them are dropped:
    blank lines (spaces and tabs) and comments of printable characters without
    quotes (a quote could close a string opened above; a NUL byte or a
    line-separator character is not printable).  When the last kept line ends
    with a backslash (which would continue into the comment), ``source`` is
    returned whole.  Parsing the result gives the same statements, at the same
    lines, as parsing ``source``, and the same syntax errors.
    """
    end = len(source)
    while end > 0:
        start = source.rfind("\n", 0, end) + 1
        line = source[start:end].lstrip(" \t")
        if line and not (line[0] == "#" and line.isprintable() and "'" not in line and '"' not in line):
            break
        end = max(start - 1, 0)
    if end == len(source) or source[:end].endswith("\\"):
        return source
    return source[:end]


def _human(n: int) -> str:
    """A byte count for people: ``"201.0 MB"``."""
    if n >= 2**20:
        return f"{n / 2**20:.1f} MB"
    if n >= 2**10:
        return f"{n / 2**10:.1f} KB"
    return f"{n} bytes"
