"""A notebook cell's text read as Python: IPython's syntax set aside, parses numbered in the cell.

Notebooks hold more than Python: ``%magic`` and ``!shell`` lines, ``x = !cmd``, ``obj?`` help,
Colab's automagics without ``%`` (``pip install x``), cell magics (``%%time``), and pasted
``>>>`` / ``In [3]:`` prompts. :func:`rewrite_ipython` blanks such lines by the project's own
rules, keeping the line count; :func:`ipython_transform` asks IPython itself (only when it is
installed and :func:`ipython_might_help` says the failing line looks like IPython: the import
costs ~0.4 s). :func:`parses_at` and :func:`parsed_or_error` parse a block of a cell numbered as
in the cell, and :func:`top_level_starts` / :func:`starts_inside_strings` find where a cell's
top-level statements begin, so that extraction (:mod:`grader.extract`) can salvage the blocks
of a cell that does not parse whole. Nothing here runs student code.
"""

from __future__ import annotations

import ast
import re


_CELL_MAGICS_WITH_PYTHON_BODY = frozenset({"time", "timeit", "capture", "prun", "debug", "memit"})
_AUTOMAGICS = frozenset({
    "cd", "ls", "pwd", "pip", "conda", "env", "cat", "cp", "mv", "rm", "rmdir", "mkdir",
    "ll", "lf", "lk", "lx", "ldir", "man", "clear", "history", "load_ext", "reload_ext",
    "matplotlib", "time", "timeit", "run", "reset", "who", "whos", "who_ls", "load",
    "precision", "pdb", "autoreload", "aimport", "tensorflow_version", "bookmark",
    "dhist", "alias", "unalias", "rehashx", "sx", "system", "xmode", "pinfo", "psearch",
})
# A word followed by this is Python, not an automagic: `ls = 3`, `cd(x)`, `pip.main`, `time - t0`.
_AUTOMAGIC_RE = re.compile(
    r"^(\s*)([A-Za-z_]\w*)(?:\s*$|\s+(?![-+*/%<>=!&|^@]=?\s|=|\(|\[|\.\w|:|,|"
    r"(?:in|is|and|or|if|else|for|not)\b))"
)
_HELP_RE = re.compile(r"^\s*(?:\?{1,2}\s*[\w.]+(?:\(\))?|[\w.\[\]'\"()]+\?{1,2})\s*$")
# One repeat (spaces are in it): a second one for the indent took n² steps on a line of spaces.
_ASSIGN_ESCAPE_RE = re.compile(r"^[\w.,\s\[\]]+=\s*[!%]")


_COL0_RE = re.compile(r"^[^\s#].*", re.MULTILINE)
_CONTINUATION_RE = re.compile(r"^(?:else|elif|except|finally)\b|^[)\]}]")


def parses(text: str) -> ast.Module | None:
    """``ast.parse(text)`` or None on any syntax problem."""
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def parsed_or_error(text: str, line: int) -> tuple[ast.Module | None, tuple[str, int] | None]:
    """``(tree, None)`` for :func:`parses_at`, or ``(None, (message, line))``: the syntax error
    that compiling ``"\\n" * (line - 1) + text`` reports, numbered in the cell.

    Far down a cell, ``text`` is compiled alone (as in :func:`parses_at`) and the line numbers
    are moved, in the error's line and in the two forms of message that quote one (a bracket
    closed by another opened on line N, a string still open when detected at line N): reporting
    each block of a long cell that does not parse after its blank lines cost the whole cell
    again per block (n² steps)."""
    padded = line - 1 <= 20 * len(text)
    try:
        tree = ast.parse("\n" * (line - 1) + text if padded else text)
    except SyntaxError as exc:
        if padded:
            return None, (exc.msg, exc.lineno or line)
        msg = _QUOTED_LINE_RE.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + line - 1}", exc.msg)
        return None, (msg, exc.lineno + line - 1 if exc.lineno else line)
    except (ValueError, MemoryError, RecursionError) as exc:
        return None, (str(exc) or type(exc).__name__, line)
    if not padded:
        ast.increment_lineno(tree, line - 1)
    return tree, None


_QUOTED_LINE_RE = re.compile(r"(on line |detected at line )(\d+)")


def parses_at(text: str, line: int) -> ast.Module | None:
    """``parses("\\n" * (line - 1) + text)``: the tree of ``text`` numbered as if it began at
    ``line`` of its cell.

    The parser reads a blank line in about 30 ns and ``ast.increment_lineno``
    renumbers a node in about 1.2 µs (a node takes 2-6 characters of code), so
    a block is parsed after blank lines while they are fewer than 20 per
    character of it, and renumbered after its own parse beyond: the usual
    block near the top of its cell costs what it did, and a cell of thousands
    of blocks no longer costs the square of its length.
    """
    if line - 1 <= 20 * len(text):
        return parses("\n" * (line - 1) + text)
    tree = parses(text)
    if tree is not None:
        ast.increment_lineno(tree, line - 1)
    return tree


def rewrite_ipython(source: str) -> tuple[str, list[str]]:
    """Replace IPython-only lines with ``pass`` (same line count), by own rules.

    Handles ``%magic``, ``!shell``, ``x = !cmd``, ``obj?``/``?obj`` help, Colab
    automagics without ``%`` (``cd '/content/drive'``, ``pip install x``) and
    cell magics (``%%time`` keeps its Python body; ``%%bash`` and others blank
    the whole cell).  Returns the new text and the kinds of syntax found.
    """
    lines = source.split("\n")
    found: list[str] = []
    continued = False
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        magic = lines[first].lstrip()[2:].split(None, 1)
        name = magic[0] if magic else ""
        if name not in _CELL_MAGICS_WITH_PYTHON_BODY:
            return "\n".join("" for _ in lines), [f"%%{name} cell"]
        lines[first] = ""
        found.append(f"%%{name}")
    for i, line in enumerate(lines):
        if continued:  # a backslash continued the escaped line before
            continued = line.endswith("\\")
            lines[i] = ""
            continue
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = line[: len(line) - len(stripped)]
        before = len(found)
        if stripped[0] in "%!":
            lines[i] = indent + "pass"
            found.append("magic" if stripped[0] == "%" else "shell")
        elif _ASSIGN_ESCAPE_RE.match(line) and not _line_compiles(stripped):
            lines[i] = indent + "pass"
            found.append("shell")
        elif "?" in stripped and _HELP_RE.match(line):
            lines[i] = indent + "pass"
            found.append("help")
        else:
            m = _AUTOMAGIC_RE.match(line)
            if m and m.group(2) in _AUTOMAGICS and not _line_compiles(stripped):
                lines[i] = indent + "pass"
                found.append("automagic")
        continued = len(found) > before and line.endswith("\\")
    return "\n".join(lines), found


def _line_compiles(line: str) -> bool:
    """True when one stripped line is a complete Python statement on its own."""
    try:
        compile(line, "<line>", "exec", ast.PyCF_ONLY_AST)
    except (SyntaxError, ValueError):
        return False
    return True


def ipython_might_help(source: str, rewritten: str) -> bool:
    """Is the line where ``rewritten`` fails to parse IPython-like in ``source``?

    IPython costs ~0.4 s to import; a plain Python syntax error (`def f(:`)
    is not worth it.
    """
    try:
        compile(rewritten, "<cell>", "exec", ast.PyCF_ONLY_AST)
        return False
    except SyntaxError as exc:
        lineno = exc.lineno or 1
    except (ValueError, RecursionError, MemoryError):
        return False
    lines = source.split("\n")
    first = lineno - 1
    while first > 0 and lines[first - 1].endswith("\\"):
        first -= 1
    nearby = "\n".join(lines[first:lineno])
    return bool(_IPYTHON_HINT_RE.search(nearby) or _PROMPT_RE.search(nearby))


def ipython_transform(source: str) -> str | None:
    """IPython's own transformation of a cell, or None when IPython is unavailable."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except Exception:  # ImportError, or a broken IPython install
        return None
    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # the transformer can fail on garbage input
        return None


def top_level_starts(source: str) -> list[int]:
    """0-based indices of lines that begin a top-level statement (heuristic).

    A statement starts at a column-0 line that is not a comment, not a
    continuation clause (``else:``, ``except``, a closing bracket), does not
    follow a backslash continuation, and is not a def right after its decorator.
    The first line always starts a block.
    """
    starts: list[int] = [0]
    line_no = 0
    pos = 0
    prev_decorator = False
    for m in _COL0_RE.finditer(source):
        line_no += source.count("\n", pos, m.start())
        pos = m.start()
        if pos >= 2 and source[pos - 2] == "\\":
            continue
        text = m.group()
        if _CONTINUATION_RE.match(text):
            continue
        if not prev_decorator and line_no != 0:
            starts.append(line_no)
        prev_decorator = text.startswith("@")
    return starts


# Only cells with something IPython-like are worth importing IPython for (~0.4 s).
_IPYTHON_HINT_RE = re.compile(r"^[ \t]*(?:[%!]|>>>|In \[|\?)|\?[ \t]*$|=[ \t]*[!%]", re.MULTILINE)


_PROMPT_RE = re.compile(r"^(?:>>>|In \[\d*\]:)", re.MULTILINE)


def has_prompt(source: str) -> bool:
    """``_PROMPT_RE.search(source)``, looked for only in a text holding one of its two literals
    (a substring test: the pattern, anchored at every line's start, tries each position)."""
    return (">>>" in source or "In [" in source) and _PROMPT_RE.search(source) is not None


def starts_inside_strings(lines: list[str], starts: list[int]) -> list[bool]:
    """For each block start, whether an odd number of triple quotes precede it.

    An odd count means the column-0 line that seemed to start a statement is
    inside a multi-line string (approximate: quotes in comments count too,
    which only costs a fall-back to the careful path).
    """
    result: list[bool] = []
    dq = sq = 0
    line = 0
    for start in starts[:-1]:
        while line < start:
            text = lines[line]
            if "'''" in text or '"""' in text:
                dq += text.count('"""')
                sq += text.count("'''")
            line += 1
        result.append(bool(dq % 2 or sq % 2))
    # A string still open at the end of the cell also means a split went wrong.
    if result:
        while line < len(lines):
            dq += lines[line].count('"""')
            sq += lines[line].count("'''")
            line += 1
        if dq % 2 or sq % 2:
            result[-1] = True
    return result
