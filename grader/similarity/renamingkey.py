"""The renaming key of a source (:func:`renaming_key`): the text with comments and blank lines
dropped and renamable identifiers numbered, a cheap key under which two sources that differ only by
names, comments and spacing meet before the normaliser runs (:mod:`grader.similarity.normalise`)."""
from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from grader.similarity.nodetext import BUILTINS, DEFAULT_KEEP_NAMES


#: Splits a source into other text (even items) and string literals, comments and
#: identifiers (odd items) for ``renaming_key``. A string left open is taken to the end of its
#: line (the source's end for a triple-quoted one), as Python's tokenizer reads it before it gives
#: up, so that each opening quote is scanned once: where the pattern needed the closing quote, an
#: opening that had none was scanned to the end, and then again from the next quote (lines
#: ``s = \\'''`` of an unparseable source: 4.7 s for 65,000 characters). ``_open_string``
#: tells such a piece.
_KEY_SPLIT = re.compile(
    r"""([rRbBuUfF]{0,2}(?:'''(?:[^\\]|\\.)*?(?:'''|\Z)|\"\"\"(?:[^\\]|\\.)*?(?:\"\"\"|\Z)"""
    r"""|'(?:[^'\\\n]|\\.)*'?|"(?:[^"\\\n]|\\.)*"?)"""
    r"""|\#[^\n]*|\b[A-Za-z_]\w*)""",
    re.S,
)


_QUOTES = ("'", '"')


def _open_string(word: str) -> bool:
    """Whether ``word``, a string literal of ``_KEY_SPLIT``, is left open (its closing quote
    missing, or escaped by an odd run of backslashes): the source does not parse."""
    body = word.lstrip("rRbBuUfF")
    quote = body[:3] if body[:3] in ("'''", '"""') else body[:1]
    if len(body) < 2 * len(quote) or not body.endswith(quote):
        return True
    end = len(body) - len(quote)
    start = end
    while start > len(quote) and body[start - 1] == "\\":
        start -= 1
    return (end - start) % 2 == 1


_KEYWORD_ARG = re.compile(r"\s*=(?!=)")
#: Spaces next to a bracket or comma (never leading indentation): they do not change the tokens.
_KEY_SPACES = re.compile(r"(?<=[,()\[\]{}])[ \t]+|(?<=\S)[ \t]+(?=[,()\[\]{}])")
#: Identifiers whose spelling reaches the tokens other than through renaming
#: (import aliases, ``global`` names, exception and pattern names, class bodies):
#: a source using one of these words as code gets no renaming key.
_KEY_GUARDS = frozenset({"import", "global", "nonlocal", "except", "class", "match", "case"})
_KEY_VERBATIM = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | BUILTINS


@dataclass(frozen=True)
class RenamingKey:
    """``renaming_key`` of a source: the key text and, per line of the key, the source line it came from."""

    text: str
    lines: tuple[int, ...]


def renaming_key(source: str, keep_names: frozenset[str] = DEFAULT_KEEP_NAMES) -> RenamingKey | None:
    """The source with comments and blank lines dropped and renamable identifiers numbered, or None.

    Two sources with the same key text differ only by a consistent
    (one-to-one) renaming of local identifiers, by comments, by blank
    lines and by spaces next to brackets and commas; ``normalise_function`` gives them the same tokens, and lines that
    correspond through ``RenamingKey.lines``, because its output never depends
    on how a local is spelled nor on comments. Kept verbatim: string literals
    (their line breaks included), attribute names, names before ``=`` inside
    brackets (``f(axis=0)``, defaults), keywords, builtins, ``keep_names`` and
    the layout of the remaining lines. None when the source uses a construct
    whose names reach the tokens (``import``, ``global``, ``except``,
    ``class``, ``match``...) or a backslash outside string literals, and when it
    holds a carriage return: Python ends a line there, the key's patterns do not, so
    the code after ``#...\\r`` was read as a comment (keys equal, tokens not) and the
    rest of the source out of step (100,000 characters of lines ``\\'''`` then cost
    15 s). Extraction writes none (a cell's line ends are made ``\\n``); read in step,
    a parseable source opens no string it does not close, so the patterns try each
    opening once.
    """
    if "\r" in source:
        return None
    pieces = _KEY_SPLIT.split(source)
    names: dict[str, str] = {}
    depth = 0
    out: list[str] = []
    append = out.append
    verbatim = _KEY_VERBATIM
    last = len(pieces) - 1
    counted = 0  # the bracket depth counts the other text of pieces[:counted] (worked out when needed)
    for i in range(0, len(pieces), 2):
        other = pieces[i]
        if other:
            if "\\" in other:
                return None
            append(_KEY_SPACES.sub("", other) if " " in other or "\t" in other else other)
        if i == last:
            break
        word = pieces[i + 1]
        first = word[0]
        if first == "#":
            continue
        if first in "'\"" or word[-1] in "'\"" or word[1:2] in _QUOTES or word[2:3] in _QUOTES:
            # a string literal (possibly prefixed; one left open does not end with its quote)
            if _open_string(word):
                return None
            append(word.replace("\n", "\x01"))
            continue
        if word in _KEY_GUARDS:
            return None
        if word in keep_names or word in verbatim or other.rstrip().endswith("."):
            append(word)
            continue
        if _KEYWORD_ARG.match(pieces[i + 2]) is not None:  # a keyword argument if inside brackets
            between = "".join(pieces[counted:i + 1:2])
            depth += between.count("(") + between.count("[") + between.count("{")
            depth -= between.count(")") + between.count("]") + between.count("}")
            counted = i + 2
            if depth > 0:
                append(word)
                continue
        spelled = names.get(word)
        if spelled is None:
            spelled = names[word] = "\x00%d\x00" % len(names)
        append(spelled)
    kept: list[str] = []
    lines: list[int] = []
    line = 1
    for text in "".join(out).split("\n"):
        stripped = text.rstrip()
        if stripped:
            kept.append(stripped)
            lines.append(line)
        line += 1 + text.count("\x01")
    return RenamingKey("\n".join(kept), tuple(lines))
