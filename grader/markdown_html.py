"""A notebook's markdown as HTML for ``feedback.html``, the way Jupyter's HTML export shows it.

Parsed by mistune (CommonMark with tables, strikethrough, task lists, definition lists and
bare URLs) with TeX kept for the reader: ``$...$``, ``$$...$$``, ``\\\\(...\\\\)``,
``\\\\[...\\\\]`` and ``\\begin{env}...\\end{env}`` are taken out before markdown reads them
(an underscore or asterisk inside is not emphasis, a blank line inside does not end a
paragraph) and written back escaped with their delimiters. Headings need no space after
``#``; fenced code with a language Pygments knows is highlighted by Pygments. This is what
nbconvert's ``markdown2html`` filter writes for the lab template (the pages were rendered by
it before; the tests compare the two on many inputs), written for the grader so that the
grading process does not import nbconvert (0.8 s of CPU).

The HTML is not safe: raw HTML passes through (``escape=False``, as in Jupyter). The caller
sanitises it (``grader.feedback_html.sanitize_html``).
"""
from __future__ import annotations

import html
import re
import mistune
from mistune import BlockParser, BlockState, HTMLRenderer, InlineParser, InlineState

__all__ = ["InvalidNotebook", "MarkdownToHTML", "strip_files_prefix", "unclosed_tex"]

#: mistune's plugins the notebook's markdown is read with (Jupyter's set).
PLUGINS = ("strikethrough", "table", "url", "task_lists", "def_list")


class InvalidNotebook(Exception):
    """The markdown refers to a cell attachment (``attachment:name``), which the cleaned
    notebook does not hold (nbconvert raises its own ``InvalidNotebook`` there, and the page
    falls back to the results alone: the same here, under the same name)."""


def _tex(pattern: str) -> str:
    """``pattern`` with ``.`` matching newlines too (TeX spans lines)."""
    return f"(?s:{pattern})"


#: Display maths and environments read as one paragraph by the block parser, so that the
#: blank lines, ``#``, ``-`` or ``>`` inside them do not start blocks of their own.
_BLOCK_TEX = _tex(
    r"(?<!\\)\$\$.*?(?<!\\)\$\$"
    r"|\\\\\[.*?\\\\\]"
    r"|\\begin\{(?P<tex_block_env>[a-z]*\*?)\}.*?\\end\{(?P=tex_block_env)\}")

#: An ATX heading whose text needs no space after its ``#`` (``#Title``), as Jupyter reads it.
_ATX_HEADING = r"^ {0,3}(?P<atx_1>#{1,6})(?!#)(?P<atx_2>.*?)$"

#: Display maths in either delimiter (``$$ x $$``, ``\\[ x \\]``: two backslashes, as a
#: notebook's markdown escapes them), unless the opening one is escaped.
_DISPLAY_MATH = _tex(
    r"(?<!\\)\$\$(?P<tex_display_tex>.*?)(?<!\\)\$\$"
    r"|(?<!\\)\\\\\[(?P<tex_display_latex>.*?)(?<!\\)\\\\\]")
#: Inline maths: ``$ x $`` (not empty, neither dollar next to another or escaped) or ``\\( x \\)``.
_INLINE_MATH = _tex(
    r"(?<![$\\])\$(?P<tex_inline_tex>.+?)(?<![$\\])\$"
    r"|(?<!\\)\\\\\((?P<tex_inline_latex>.*?)(?<!\\)\\\\\)")
#: A LaTeX environment with a lower-case name (``\begin{align*} ... \end{align*}``).
_ENVIRONMENT = _tex(r"\\begin\{(?P<tex_env>[a-z]*\*?)\}(?P<tex_env_body>.*?)\\end\{(?P=tex_env)\}")


#: Openings of the TeX rules above whose closing one is searched for (``.*?``) to the text's end
#: when it is missing, and the closings that end them (escaped ones do not).
_OPENINGS = re.compile(r"\\\\(\[|\()|\\begin\{([a-z]*\*?)\}")
_CLOSINGS = re.compile(r"(?<!\\)\\\\(\]|\))|\\end\{([a-z]*\*?)\}")
_CLOSING_OF = {"[": "]", "(": ")"}


def unclosed_tex(text: str) -> int:
    """How many TeX openings in ``text`` (``\\\\[``, ``\\\\(``, ``\\begin{name}``) have no closing
    one after them. The rules above search from each such opening to the text's end, so the
    parse costs about this number times the text's length: a cell of thousands of them cost
    the grading process about a second (``grader.feedback_html`` shows such a text as plain
    text). Linear in ``text``; counts an opening the rules would not take too (never fewer)."""
    if "\\" not in text:  # every opening starts with a backslash (most cells hold none)
        return 0
    last: dict[str, int] = {}
    for m in _CLOSINGS.finditer(text):
        last[m.group(1) or "env:" + m.group(2)] = m.start()
    count = 0
    for m in _OPENINGS.finditer(text):
        kind = _CLOSING_OF[m.group(1)] if m.group(1) else "env:" + m.group(2)
        count += last.get(kind, -1) < m.end()
    return count


class _BlockParser(BlockParser):
    """mistune's block parser with TeX blocks kept whole and headings without a space."""

    SPECIFICATION = {**BlockParser.SPECIFICATION, "atx_heading": _ATX_HEADING, "tex_block": _BLOCK_TEX}
    #: TeX first: before a list or a heading could take a line of it.
    DEFAULT_RULES = ("tex_block", *BlockParser.DEFAULT_RULES)

    def parse_tex_block(self, m: re.Match[str], state: BlockState) -> int:
        """The TeX as a paragraph of its own, for the inline parser to read."""
        state.add_paragraph(m.group(0))
        return m.end()


class _InlineParser(InlineParser):
    """mistune's inline parser reading TeX before anything else (so that ``_`` and ``*``
    inside it are not emphasis). Its rules' names are unknown to mistune's shortcut for
    plain text, which is therefore not taken: every position is searched, as nbconvert's
    parser does."""

    SPECIFICATION = {**InlineParser.SPECIFICATION, "tex_display": _DISPLAY_MATH,
                     "tex_inline": _INLINE_MATH, "tex_environment": _ENVIRONMENT}
    DEFAULT_RULES = ("tex_display", "tex_inline", "tex_environment", *InlineParser.DEFAULT_RULES)

    def parse_tex_display(self, m: re.Match[str], state: InlineState) -> int:
        """``$$ x $$`` or ``\\[ x \\]``: a display-maths token."""
        body = m.group("tex_display_tex")
        state.append_token({"type": "tex_display", "raw": m.group("tex_display_latex") if body is None else body})
        return m.end()

    def parse_tex_inline(self, m: re.Match[str], state: InlineState) -> int:
        """``$ x $`` or ``\\( x \\)``: an inline-maths token."""
        body = m.group("tex_inline_tex")
        state.append_token({"type": "tex_inline", "raw": m.group("tex_inline_latex") if body is None else body})
        return m.end()

    def parse_tex_environment(self, m: re.Match[str], state: InlineState) -> int:
        """``\\begin{name} ... \\end{name}``: an environment token."""
        state.append_token({"type": "tex_environment", "raw": m.group("tex_env_body"),
                            "attrs": {"name": m.group("tex_env")}})
        return m.end()


def _escaped(text: str) -> str:
    """``text`` with ``& < >`` escaped (quotes kept: TeX is element text here)."""
    return html.escape(text, quote=False)


class _Renderer(HTMLRenderer):
    """mistune's HTML renderer (raw HTML kept, every link protocol kept: the sanitiser decides)
    with TeX written back between its delimiters, Pygments for fenced code in a language it
    knows, mermaid diagrams as their text, and no heading anchors."""

    def __init__(self) -> None:
        """Raw HTML and links unfiltered here (see the module's docstring)."""
        super().__init__(escape=False, allow_harmful_protocols=True)

    def tex_display(self, body: str) -> str:
        """Display maths, always between ``$$`` (MathJax reads either)."""
        return f"$${_escaped(body)}$$"

    def tex_inline(self, body: str) -> str:
        """Inline maths, always between ``$``."""
        return f"${_escaped(body)}$"

    def tex_environment(self, body: str, name: str) -> str:
        """An environment as written."""
        name = _escaped(name)
        return f"\\begin{{{name}}}{_escaped(body)}\\end{{{name}}}"

    def block_code(self, code: str, info: str | None = None) -> str:
        """Fenced code: a mermaid diagram's text in its box; code in a language Pygments
        knows highlighted by Pygments; otherwise mistune's ``<pre><code>`` (with the unknown
        language's name as the code's first line, as Jupyter's export writes it)."""
        words = info.split() if info else []
        if info and info.startswith("mermaid"):
            return f'<div class="jp-Mermaid"><pre class="mermaid">\n{code.strip()}\n</pre></div>'
        if words:
            from pygments import highlight
            from pygments.formatters import HtmlFormatter
            from pygments.lexers import get_lexer_by_name
            from pygments.util import ClassNotFound

            try:
                lexer = get_lexer_by_name(words[0])
            except ClassNotFound:
                return super().block_code(f"{words[0]}\n{code}", info=info)
            return highlight(code, lexer, HtmlFormatter())
        return super().block_code(code, info=info)

    def image(self, text: str, url: str, title: str | None = None) -> str:
        """An image; one from a cell attachment cannot be shown (see ``InvalidNotebook``)."""
        if url.startswith("attachment:"):
            raise InvalidNotebook(f"missing attachment: {url[len('attachment:'):]}")
        return super().image(text, url, title)


#: Markdown that is one line of plain words, optionally an ATX heading: a letter first, then
#: letters, digits, ``( ) , . ?`` and single spaces, nothing before or after (``### My checks
#: (student 12)``, ``Tests``). None of these characters starts or ends anything in markdown
#: (emphasis, code, links, TeX, HTML, entities, lists, tables, URLs) nor is escaped in HTML, so
#: the parser writes such a line as it is inside ``<hN>`` or ``<p>``: a student's own markdown cell
#: is most often such a heading, and the parse (mistune's block and inline passes over one line)
#: cost the grading process about 0.2 ms of a page's 2.
_PLAIN_LINE = re.compile(r"(?:(#{1,6}) )?([A-Za-z][A-Za-z0-9(),.?]*(?: [A-Za-z0-9(),.?]+)*)")


class MarkdownToHTML:
    """Markdown to HTML (see the module's docstring). One parser serves every call: a parse
    keeps its state (link references, footnotes) in objects of its own, so nothing of one
    text reaches the next. A line of plain words (``_PLAIN_LINE``) is written without the
    parser: the same HTML."""

    def __init__(self) -> None:
        """Build the parser and its plugins once (as costly as parsing a short cell)."""
        self._markdown = mistune.Markdown(
            renderer=_Renderer(), block=_BlockParser(), inline=_InlineParser(hard_wrap=False),
            plugins=[mistune.import_plugin(name) for name in PLUGINS])

    def __call__(self, source: str) -> str:
        """The HTML of ``source``."""
        plain = _PLAIN_LINE.fullmatch(source)
        if plain is not None:
            hashes, text = plain.groups()
            return f"<h{len(hashes)}>{text}</h{len(hashes)}>\n" if hashes else f"<p>{text}</p>\n"
        return str(self._markdown(source))


#: Links and images to ``files/...`` (the notebook server's prefix for the notebook's folder),
#: in HTML attributes and in markdown that reached the HTML as text.
_FILES_ATTRIBUTE = re.compile(r"""(src|href)=(["']?)/?files/""")
_FILES_TARGET = re.compile(r"\]\(/?files/")


def _strip_markdown_files(text: str) -> str:
    """``text`` with ``/?files/`` taken out of each ``[...](/?files/...)`` on one line: what
    ``re.sub(r"(\\[[^\\n]*?\\]\\()/?files/([^\\n]*?\\))", r"\\1\\2", text)`` writes (the
    pattern used until the thirty-first session, nbconvert's in effect), in one scan. That
    pattern scanned the rest of the line from every ``[`` that starts no link (quadratic: a
    line of 62,000 ``[``, a link title repeated by references within the markdown's growth
    limit, cost 10 s). Here a line is left at its first ``[`` once the
    first ``](files/`` after it has no ``)`` after it: no later ``[`` of the line can match."""
    pieces = []
    done = start = 0
    line_end = -1
    while (opening := text.find("[", start)) >= 0:
        if opening > line_end:  # a line not yet measured (each is measured once)
            line_end = text.find("\n", opening)
            line_end = len(text) if line_end < 0 else line_end
        target = _FILES_TARGET.search(text, opening + 1, line_end)
        closing = text.find(")", target.end(), line_end) if target is not None else -1
        if closing < 0:
            start = line_end + 1
            continue
        pieces += (text[done:target.start() + 2], text[target.end():closing + 1])
        done = start = closing + 1
    return "".join(pieces) + text[done:] if pieces else text


def strip_files_prefix(text: str) -> str:
    """``text`` with the ``files/`` (or ``/files/``) prefix taken off links and images, in
    attributes (``src="files/a.png"``) and in markdown left as text (``[a](files/b)``), as
    Jupyter's export does for a markdown cell."""
    if "files/" not in text:
        return text
    return _strip_markdown_files(_FILES_ATTRIBUTE.sub(r"\1=\2", text))

