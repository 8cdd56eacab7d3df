"""A fast syntax highlighter for the code cells of ``feedback.html``.

Pygments' ``ipython3`` lexer costs about 10 ms per student cell, most of a feedback page. This
module does the same job with one compiled regular expression over the whole cell (strings,
comments, numbers, names, operators, IPython ``%magic`` and ``!shell`` lines) and a short loop
that classifies names (keywords, builtins, the names after ``def``, ``class`` and ``import``).
It writes Pygments' markup and CSS class names (``k``, ``kn``, ``kc``, ``ow``, ``nf``, ``nc``,
``nn``, ``nd``, ``nb``, ``ne``, ``bp``, ``s1``, ``s2``, ``sd``, ``sa``, ``c1``, ``mi``, ``mf``,
``mh``, ``mb``, ``mo``, ``o``, ``p``) inside the same ``<div class=" highlight hl-ipython3">
<pre>`` wrapper, so Pygments' style sheet applies unchanged.

The contract that matters for a page built from hostile code: with its tags removed, the output
is exactly ``escape(normalise(source))`` -- every character of the (normalised) source once, in
order, HTML-escaped; only our own ``<span class="...">`` tags are added. ``normalise`` applies the
same normalisation Pygments applies before lexing (byte-order mark dropped, CR LF and CR turned
into LF, leading and trailing blank lines stripped, a final newline ensured), so the visible text
of a cell is the same as with Pygments.
"""
from __future__ import annotations

import builtins
import itertools
import keyword
import re

__all__ = ["highlight_code", "normalise", "escape", "LineMemo", "HIGHLIGHT_PREFIX", "HIGHLIGHT_SUFFIX"]

#: The wrapper nbconvert's ``Highlight2HTML`` writes around Pygments' output (language ipython3).
HIGHLIGHT_PREFIX = '<div class=" highlight hl-ipython3"><pre><span></span>'
HIGHLIGHT_SUFFIX = "</pre></div>\n"

_TOKENS = re.compile(
    r"""
    (?P<deco>(?P<dws>(?:\A|\n)[ \t]*)@[^\W\d][\w.]*)                              # @decorator at line start
  | (?P<magic>(?P<mws>(?:\A|\n)[ \t]*)(?P<msig>%%?|!)(?P<mname>[^\W\d][\w.]*)?(?P<mrest>[^\n]*))  # %magic, !shell
  | (?P<doc>(?P<tws>(?:\A|\n)[ \t]*)(?P<dpre>[rRuU]{0,2})
        (?:\"\"\"[^"\\]*(?:(?:\\(?:.|\Z)|"(?!""))[^"\\]*)*(?:\"\"\"|\Z)
          |'''[^'\\]*(?:(?:\\(?:.|\Z)|'(?!''))[^'\\]*)*(?:'''|\Z)))       # docstring-like string
  | (?P<name>(?![rRbBuUfF]{1,2}["'])[^\W\d]\w*)                         # a name, not a string prefix
  | (?P<nl>\n)
  | (?P<p>[()\[\]{},:;]+[^\S\n]*)
  | (?P<tstr>(?P<tpre>[rRbBuUfF]{0,2})
        (?:\"\"\"[^"\\]*(?:(?:\\(?:.|\Z)|"(?!""))[^"\\]*)*(?:\"\"\"|\Z)
          |'''[^'\\]*(?:(?:\\(?:.|\Z)|'(?!''))[^'\\]*)*(?:'''|\Z)))       # other triple-quoted string
  | (?P<str>(?P<spre>[rRbBuUfF]{0,2})
        (?:"(?:[^"\\\n]|\\(?:.|\Z))*(?:"|(?=\n)|\Z)
          |'(?:[^'\\\n]|\\(?:.|\Z))*(?:'|(?=\n)|\Z)))                   # one-line string (may be unterminated)
  | (?P<com>\#[^\n]*)
  | (?P<num>0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+
        |(?:\d(?:_?\d)*\.(?:\d(?:_?\d)*)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?[jJ]?
        |\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?[jJ]?)
  | (?P<op>[^\S\n]*(?:\*\*=?|//=?|>>=?|<<=?|->|:=|[-+*/%@&|^~<>=!]=?|\.)[^\S\n]*)  # with the spaces around
  | (?P<ws>[^\S\n]+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def _name_classes() -> dict[str, str]:
    """Pygments' class for each name that is not a plain ``n``: keywords, constants, word
    operators, builtins, exceptions and the pseudo-builtins."""
    classes: dict[str, str] = {}
    for name in dir(builtins):
        if name.startswith("_"):
            continue
        value = getattr(builtins, name)
        if isinstance(value, type) and issubclass(value, BaseException):
            classes[name] = "ne"
        else:
            classes[name] = "nb"
    classes["__import__"] = "nb"
    for word in ("self", "cls", "Ellipsis", "NotImplemented"):
        classes[word] = "bp"
    for word in keyword.kwlist:
        classes[word] = "k"
    for word in ("True", "False", "None"):
        classes[word] = "kc"
    for word in ("and", "or", "not", "in", "is"):
        classes[word] = "ow"
    for word in ("import", "from"):
        classes[word] = "kn"
    return classes


_NAMES = _name_classes()
#: Names after which the next names are classified differently (the state they start).
_STATE_WORDS = {"def": "def", "class": "class", "import": "import", "from": ""}


def escape(text: str) -> str:
    """``text`` with ``& < > " '`` escaped, as Pygments' HTML formatter writes them."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "'" in text:
        text = text.replace("'", "&#39;")
    return text


def normalise(source: str) -> str:
    """``source`` as Pygments lexes it after nbconvert's ``highlight_code``: a blank source
    becomes one space, a leading byte-order mark is dropped, CR LF and CR become LF, leading
    and trailing newlines are stripped and one final newline is added."""
    text = source if source else " "
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip("\n")
    return text + "\n"


def _span(cls: str, text: str) -> str:
    """``text`` (already escaped) in a span of class ``cls``, one span per line as Pygments
    writes multi-line tokens (so that no span crosses a line break)."""
    if "\n" not in text:
        return f'<span class="{cls}">{text}</span>'
    return "\n".join(f'<span class="{cls}">{line}</span>' if line else "" for line in text.split("\n"))


class LineMemo:
    """A memo of highlighted lines (and of the groups of lines a string spans), bounded in bytes.

    The lines of an assignment's template (comments, docstrings, the given code) recur in
    every student's cells, so most lines of a new cell have been highlighted before. When the
    budget is reached the memo starts again empty (the recurring lines come back at once).
    """

    def __init__(self, max_bytes: int = 8 * 2**20) -> None:
        """An empty memo that holds at most about ``max_bytes``."""
        self.max_bytes = max_bytes
        self.nbytes = 0
        self._entries: dict[str, str] = {}

    def __len__(self) -> int:
        """Number of entries held."""
        return len(self._entries)

    def markup(self, text: str) -> str:
        """The markup of ``text`` (lines that start and end outside any string), memoised."""
        found = self._entries.get(text)
        if found is None:
            found = _markup(text)
            cost = 2 * (len(text) + len(found)) + 120
            if self.nbytes + cost > self.max_bytes:
                self._entries.clear()
                self.nbytes = 0
            if cost <= self.max_bytes:
                self._entries[text] = found
                self.nbytes += cost
        return found


#: What may carry a line break inside one token: strings (a triple-quoted one, or one with a
#: backslash before the break) -- scanned together with what can hide a quote (comments,
#: %magic and !shell lines), in the same left-to-right order as the full lexer. Every
#: alternative starts with one given character (a string from its quote: the prefix letters
#: before it, ``rb`` or ``f``, hold no line break and change neither where the string ends nor
#: its lines), so the engine skips the other characters by that set of first characters alone;
#: a lookahead that let letters and spaces through (for the prefixes, and for a magic at the
#: cell's start) made it try every alternative at each of them: the scan was most of a
#: student's function cell's highlighting, and twice what it is now. A magic at the very
#: start is ``_SPANNING_START``'s.
_SPANNING = re.compile(
    r"""
    \n[ \t]*(?:%%?|!)[^\n]*
  | \#[^\n]*
  | \"\"\"[^"\\]*(?:(?:\\(?:.|\Z)|"(?!""))[^"\\]*)*(?:\"\"\"|\Z)
  | '''[^'\\]*(?:(?:\\(?:.|\Z)|'(?!''))[^'\\]*)*(?:'''|\Z)
  | "(?:[^"\\\n]|\\(?:.|\Z))*(?:"|(?=\n)|\Z)
  | '(?:[^'\\\n]|\\(?:.|\Z))*(?:'|(?=\n)|\Z)
    """,
    re.VERBOSE | re.DOTALL,
)
_SPANNING_START = re.compile(r"[ \t]*(?:%%?|!)[^\n]*")


def _spanning(text: str):
    """The matches of ``_SPANNING`` in ``text`` from left to right, after a magic line at its
    start (``_SPANNING_START``) when there is one."""
    first = _SPANNING_START.match(text)
    if first is None:
        return _SPANNING.finditer(text)
    return itertools.chain((first,), _SPANNING.finditer(text, first.end()))


def _markup_by_lines(text: str, memo: LineMemo) -> str:
    """The markup of ``text`` put together from the memoised markup of its lines: each line on
    its own (the lexer starts every line afresh), except the lines a string spans, together."""
    lines = text.split("\n")
    groups: list[list[int]] = []  # [first line, last line] of the strings that span lines
    seen, seen_line = 0, 0  # line breaks counted up to ``seen`` (each counted once: a cell of
    # many multi-line strings costs its length, not its length times their number)
    # Every token spanning lines holds one of these: without any, each line stands alone.
    spans = _spanning(text) if '"""' in text or "'''" in text or "\\\n" in text else ()
    for m in spans:
        start, end = m.span()
        if text.find("\n", start + 1, end) == -1:
            continue
        # (a magic line is matched from the line break before it)
        first = seen_line + text.count("\n", seen, start) + (text[start] == "\n")
        last = seen_line + text.count("\n", seen, end)
        seen, seen_line = end, last
        if groups and first <= groups[-1][1]:
            groups[-1][1] = max(groups[-1][1], last)
        else:
            groups.append([first, last])
    # A line seen before is looked up in the memo's dict directly (a method call per line was
    # a third of a cell's time); the memo's own method handles the rest (an empty line too).
    known, markup = memo._entries.get, memo.markup
    if not groups:
        return "\n".join([known(line) or markup(line) for line in lines])
    out: list[str] = []
    done = 0
    for first, last in groups:
        out.extend([known(line) or markup(line) for line in lines[done:first]])
        out.append(markup("\n".join(lines[first:last + 1])))
        done = last + 1
    out.extend([known(line) or markup(line) for line in lines[done:]])
    return "\n".join(out)


def highlight_code(source: str, language: str | None = None, metadata: object = None, *,
                   memo: LineMemo | None = None) -> str:
    """``source`` highlighted as Python/IPython, in the markup of nbconvert's ``highlight_code``.

    ``language`` and ``metadata`` are accepted for the filter's signature: a language other
    than Python (or none) is escaped without colours, inside the same wrapper. With ``memo``,
    lines highlighted before are taken from it (the markup is the same).
    The result is ``HIGHLIGHT_PREFIX + body + HIGHLIGHT_SUFFIX`` where ``body`` with its tags
    removed is exactly ``escape(normalise(source))``.
    """
    text = normalise(source if isinstance(source, str) else str(source))
    if language and language not in ("ipython3", "ipython", "python", "python3", "ipython2"):
        lang = escape(str(language))
        return f'<div class=" highlight hl-{lang}"><pre><span></span>{escape(text)}</pre></div>\n'
    body = _markup(text) if memo is None else _markup_by_lines(text, memo)
    return HIGHLIGHT_PREFIX + body + HIGHLIGHT_SUFFIX


def _markup(text: str) -> str:
    """The highlighted markup of ``text``, without the wrapper."""
    out: list[str] = []
    add = out.append
    names = _NAMES
    spans: dict[str, str] = {}  # token text -> its markup, for names, punctuation and operators
    state = ""          # "def", "class", "from", "import", "names" (after from ... import), "dot"
    line_start = True   # only whitespace since the start of the line
    for m in _TOKENS.finditer(text):
        kind = m.lastgroup
        token = m.group()
        if kind == "name":
            if not state:
                markup = spans.get(token)
                if markup is None:
                    markup = spans[token] = f'<span class="{names.get(token, "n")}">{token}</span>'
                add(markup)
                if token in _STATE_WORDS:
                    state = "from" if token == "from" and line_start else _STATE_WORDS[token]
            elif state == "dot" or state == "names":
                add(f'<span class="n">{token}</span>')
                if state == "dot":
                    state = ""
            elif state == "def" or state == "class":
                add(f'<span class="{"nf" if state == "def" else "nc"}">{token}</span>')
                state = ""
            else:  # "from" or "import": module names
                if token == "import":
                    add('<span class="kn">import</span>')
                    state = "names" if state == "from" else "import"
                elif token == "as":
                    add('<span class="k">as</span>')
                else:
                    add(f'<span class="nn">{token}</span>')
            line_start = False
        elif kind == "p" or kind == "op":
            if kind == "op" and state in ("from", "import") and token == ".":
                add('<span class="nn">.</span>')
            else:
                markup = spans.get(token)
                if markup is None:
                    markup = spans[token] = f'<span class="{"p" if kind == "p" else "o"}">{escape(token)}</span>'
                add(markup)
                if kind == "op":
                    state = "dot" if token.strip() == "." else ""
                elif state != "names" and state != "import":
                    state = ""
            line_start = False
        elif kind == "nl":
            add(token)
            state = ""
            line_start = True
        elif kind == "ws":
            add(token)
        elif kind == "str" or kind == "tstr":
            prefix = m.group("spre" if kind == "str" else "tpre")
            if prefix:
                add(f'<span class="sa">{prefix}</span>')
                token = token[len(prefix):]
            add(_span("s1" if token[:1] == "'" else "s2", escape(token)))
            state = ""
            line_start = False
        elif kind == "com":
            add(_span("c1", escape(token)))
        elif kind == "num":
            head = token[:2].lower()
            if head == "0x":
                cls = "mh"
            elif head == "0b":
                cls = "mb"
            elif head == "0o":
                cls = "mo"
            elif "." in token or "e" in token or "E" in token or token[-1] in "jJ":
                cls = "mf"
            else:
                cls = "mi"
            add(f'<span class="{cls}">{token}</span>')
            state = ""
            line_start = False
        elif kind == "doc":
            lead, prefix = m.group("tws"), m.group("dpre")
            add(lead)
            if prefix:
                add(f'<span class="sa">{prefix}</span>')
            add(_span("sd", escape(token[len(lead) + len(prefix):])))
            state = ""
            line_start = False
        elif kind == "deco":
            lead = m.group("dws")
            add(lead)
            add(_span("nd", token[len(lead):]))
            state = ""
            line_start = False
        elif kind == "magic":
            add(m.group("mws"))
            add(f'<span class="o">{escape(m.group("msig"))}</span>')
            if m.group("mname"):
                add(f'<span class="k">{m.group("mname")}</span>')
            add(escape(m.group("mrest")))
            state = ""
            line_start = False
        else:  # "other": a backslash continuation, "$", "?", a symbol outside Python's syntax
            add(escape(token))
            line_start = False
    return "".join(out)
