"""Step 7 of the normaliser (:mod:`grader.similarity.normalise`): a pre-order walk that emits one
token per node, each with the line of the node it came from; and the token-stream fallback for a
source that does not parse."""
from __future__ import annotations

import ast
import io
import keyword
import textwrap
import tokenize

from grader.similarity.nodetext import (ALIAS, ARG, ASYNC_FUNCTION_DEF, ATTRIBUTE, BUILTINS, COMPARE, CONSTANT,
                                        FUNCTION_DEF, KEYWORD, NAME, NormalisedCode, const_repr, statement_blocks)
from grader.similarity.syntax import CHILD_FIELDS, all_args, ast_classes


_SILENT = (ast.operator, ast.boolop, ast.cmpop, ast.unaryop, ast.expr_context)
#: For each node class that emits a token: its name, the fields walked in order, whether it is a
#: statement, and whether it has an operator (``op``; looking for a missing attribute costs an
#: exception caught inside ``getattr``).
_TOKEN_TABLE = {cls: (cls.__name__, CHILD_FIELDS[cls], issubclass(cls, ast.stmt), "op" in cls._fields)
                for cls in ast_classes() if not issubclass(cls, _SILENT)}


class Tokeniser:
    """Pre-order walk emitting tokens with line numbers, renaming locals (preset spellings, else by first occurrence)."""

    def __init__(self, local: set[str], keep_names: frozenset[str],
                 headers: dict[int, list[ast.arg]] | None = None):
        self.local = local
        self.keep_names = keep_names
        #: The parameters of each def numbered by use (``id`` of the def -> its ``ast.arg`` nodes
        #: in that order, ``parameter_spellings``): its header lists them so, not by position.
        self.headers = headers or {}
        self.names: dict[str, str] = {}
        self.tokens: list[str] = []
        self.lines: list[int] = []

    def rename(self, name: str) -> str:
        """Canonical spelling of ``name``: ``v<i>`` by first occurrence for locals."""
        if name not in self.local:
            return name
        if name not in self.names:
            self.names[name] = "v%d" % len(self.names)
        return self.names[name]

    def preset(self, names: dict[str, str]) -> None:
        """Use the given spellings for these locals (the others keep first-occurrence numbering)."""
        self.names.update(names)

    def emit(self, token: str, line: int) -> None:
        """Append one token."""
        self.tokens.append(token)
        self.lines.append(line)

    def walk(self, node: object, line: int) -> None:
        """Emit the tokens of ``node`` (an AST node or a list of them)."""
        kind = type(node)
        if kind is list:
            for item in node:
                self.walk(item, line)
            return
        entry = _TOKEN_TABLE.get(kind)
        if entry is None:  # not a node, or an operator or context (part of its parent's token)
            return
        line = getattr(node, "lineno", line) or line
        if kind is NAME:
            self.emit("n:" + self.rename(node.id), line)
            return
        if kind is CONSTANT:
            self.emit("c:" + const_repr(node.value)[:40], line)
            return
        if kind is ARG:
            self.emit("a:" + self.rename(node.arg), line)
            return
        if kind is FUNCTION_DEF or kind is ASYNC_FUNCTION_DEF:
            name = "F" if node.name in self.keep_names else self.rename(node.name)
            self.emit("def:" + name, line)
            self.walk(self.headers.get(id(node)) or all_args(node.args), line)
            self.walk(node.args.defaults, line)
            self.walk(node.body, line)
            self.emit("}", line)
            return
        token, fields, is_stmt, has_op = entry
        op = getattr(node, "op", None) if has_op else None
        if op is not None:
            token += ":" + type(op).__name__
        if kind is COMPARE:
            token += ":" + ",".join(type(o).__name__ for o in node.ops)
        elif kind is ATTRIBUTE:
            self.walk(node.value, line)
            self.emit("." + node.attr, line)
            return
        elif kind is KEYWORD:
            token = "kw:" + (node.arg or "**")
        elif kind is ALIAS:
            token = "alias:" + node.name
        self.emit(token, line)
        for field in fields:
            self.walk(getattr(node, field, None), line)
        if is_stmt and statement_blocks(node):
            self.emit("}", line)


def fallback_tokens(source: str, keep_names: frozenset[str]) -> NormalisedCode:
    """Token-stream normalisation for text that does not parse: names renamed by first occurrence."""
    tokens: list[str] = []
    lines: list[int] = []
    names: dict[str, str] = {}
    try:
        stream = list(tokenize.generate_tokens(io.StringIO(textwrap.dedent(source)).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        stream = []
        for lineno, line in enumerate(textwrap.dedent(source).splitlines(), 1):
            for word in line.split("#", 1)[0].split():
                tokens.append(word)
                lines.append(lineno)
        return NormalisedCode(tuple(tokens), tuple(lines), False)
    previous = ""
    for tok in stream:
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                        tokenize.DEDENT, tokenize.ENDMARKER):
            continue
        text = tok.string
        if tok.type == tokenize.NAME and not keyword.iskeyword(text) and previous != ".":
            if text not in keep_names and text not in BUILTINS:
                text = names.setdefault(text, "v%d" % len(names))
        elif tok.type == tokenize.STRING and previous in ("", "\n"):
            continue
        tokens.append(text)
        lines.append(tok.start[0])
        previous = tok.string
    return NormalisedCode(tuple(tokens), tuple(lines), False)
