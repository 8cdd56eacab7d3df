"""``feedback.html``: the student's own notebook with the grader's results beside each graded function.

The notebook is written in JupyterLab's cell markup (the markup nbconvert's HTML export writes
for its "lab" template, which rendered these pages before; the tests compare the two) inside
our own compact ``<head>``, with no script and no network: code highlighted by
:mod:`grader.highlight`, markdown by :mod:`grader.markdown_html` (mistune), printed text by
:mod:`grader.ansi`; nbconvert is not imported. Cells are written one by one with a memo of
rendered cells (see :class:`FeedbackRenderer`: the template's cells repeat across a class), and
after the cell that defines each graded function (``PartResult.location.cell``) comes a block
with its points, what passed, what failed and why, the diagnosed mistake and, for a crash, the
student's line quoted from that cell.
A summary table sits at the top, with the parts whose function is missing.

Everything that comes from the student (code, markdown, outputs, ids, messages quoting their
code) is hostile. The notebook is rebuilt from its JSON keeping only cell types, sources and a
whitelist of output types, with no metadata; markdown and HTML outputs go through an nh3
allowlist with no scripts, no event handlers, no styles, no remote images; everything we write
ourselves goes through ``html.escape``. A Content-Security-Policy forbids scripts outright.

Hidden cases say only "hidden case k: <verdict>", the diagnosed mistake and, for a crash, the
student's own line: never their names, inputs, expected values, messages or printed output.

When the notebook cannot be read or converted (a truncated file, a ``.py`` submission), a
standalone page of the results is written instead (with the source of a ``.py`` file).
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import html
import json
import re
import secrets
import string
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Any, Sequence

from grader.models import (
    CRASHED, ERROR, HIDDEN, MISSING, NOT_ATTEMPTED, NOT_IMPLEMENTED, PASSED,
    CaseResult, Location, PartResult, SubmissionResult, bonus_mark,
)
from grader.ansi import ansi_to_html
from grader.files import html_utf8, write_atomic
from grader.highlight import LineMemo, highlight_code
from grader.markdown_html import MarkdownToHTML, strip_files_prefix, unclosed_tex
from grader.notebook import SIZE_LIMITS, SizeLimits, SkippedCode, skipped_code, trim_v3_cells
from grader.report import (
    SAME_MISTAKE, STATUS_WORDS, all_cases_line, part_verdict, said_before, student_notes, why_not_run,
)

__all__ = ["write_feedback_html", "FeedbackRenderer", "sanitize_html", "is_plain_markup", "default_renderer"]

#: Notebooks larger than this are not rendered (the results page is written instead).
MAX_NOTEBOOK_BYTES = 50 * 2**20
#: Longest printed output quoted for a public case.
MAX_OUTPUT_CHARS = 2000
#: Longest text of one output (or traceback line, or merged stream) rendered from the notebook.
MAX_TEXT_CHARS = 100_000
#: Markdown (a cell's source, or a text/markdown output) longer than this, or beyond the second
#: limit for the whole notebook, is shown as plain text: the markdown renderer (mistune)
#: is quadratic on some inputs (64 kB of ``[a](`` cost 11 s of CPU, 16 kB 0.65 s), and the pages
#: are rendered in the grading process. The course's own notebook has markdown cells of at most
#: 4.3 kB, 26 kB in all.
MAX_MARKDOWN_CHARS = 10_000
MAX_MARKDOWN_TOTAL = 100_000
#: Markdown with more TeX openings than this that no closing one follows (``\\[`` with no
#: ``\\]`` after it: :func:`grader.markdown_html.unclosed_tex`) is shown as plain text too: the
#: parser searches from each to the text's end (ten cells of 10,000 characters of ``\\[``
#: cost the grading process 9 s of CPU). A notebook's maths closes what it opens.
MAX_UNCLOSED_TEX = 50
#: Markdown holding this many spaces in a row is shown as plain text too: the inline parser
#: searches every position (see ``grader.markdown_html._InlineParser``) and its line-break rule
#: runs to a run's end from each space of it, so a run costs its square (a cell of "a", 9,998
#: spaces and "b" cost 0.4-0.6 s, ten of them 4-6 s of the grading process). Runs of 199 cost
#: a 10,000-character cell 12 ms, prose 7 ms.
LONG_SPACE_RUN = " " * 200
#: How many times longer than its markdown a cell's HTML may be (plus 4 kB), or the markdown is
#: shown as text: a link definition's URL is written again at each use, so 10 cells of one
#: 5,000-character URL and 833 uses each (the notebook's 100,000 characters of markdown) made a
#: 42 MB page and cost the grading process 1.6 s. Code highlighted in markdown grows the most
#: (``a=b+c*d-e/f`` 22 times), a table of one-character cells 6 times, the rest 1-5 times.
MARKDOWN_GROWTH = 32
#: Output MIME types kept from the student's notebook, in the order of preference of the one
#: an output shows (JupyterLab's); everything else (JavaScript, widgets, SVG, mermaid, LaTeX
#: needing MathJax...) is dropped.
KEPT_MIME = ("text/html", "text/markdown", "image/png", "image/jpeg", "text/plain")
#: Code shown of a cell the grader did not read for its size (``grader.notebook.skipped_code``):
#: its first lines, at most this many characters, then a note; highlighting megabytes of it
#: cost the grading process seconds.
SHOWN_SKIPPED_CHARS = 2_000
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]*$")

e = html.escape
#: A run of backticks: a code span of the grader's sentences, as Markdown writes one, is a run,
#: text on the same line, and the next run of the same length (``prose``).
_BACKTICKS = re.compile(r"`+")


def prose(text: str) -> str:
    """``text`` escaped, its code spans (`` `rnn_forward` ``, as the grader's sentences and
    feedback.md write them) shown as code: the page showed their backticks. The text inside a
    span is escaped like the rest, so a student's name there is as inert as elsewhere.

    Spans are found in one pass over the runs: the pattern this replaced
    (``(?<!`)(`+)(?!`)(.+?)(?<!`)\\1(?!`)``, whose results these are) scanned the rest of the
    line from each run that nothing closes, and a hint quoting a student's string of runs of
    growing length (100,000 characters) cost 1.3 s a sentence."""
    text = e(text)
    if "`" not in text:
        return text
    runs = [match.span() for match in _BACKTICKS.finditer(text)]
    closer = [0] * len(runs)  # the next run of the same length on the same line (0: none)
    line, end, last = 0, len(text), {}
    for k in range(len(runs) - 1, -1, -1):
        start, stop = runs[k]
        if "\n" in text[stop:end]:
            line += 1
        end = start
        closer[k] = last.get((line, stop - start), 0)
        last[(line, stop - start)] = k
    pieces, done, k = [], 0, 0
    while k < len(runs):
        j = closer[k]
        if not j:
            k += 1
            continue
        pieces += (text[done:runs[k][0]], "<code>", text[runs[k][1]:runs[j][0]], "</code>")
        done = runs[j][1]
        k = j + 1
    return "".join(pieces) + text[done:]

CSS = """
body{margin:0;background:#fafafa;color:#1f1f1f;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
.grader-page{max-width:1100px;margin:0 auto;padding:16px 20px 60px;background:#fff}
.grader-page h1{font-size:1.6em;margin:.3em 0}
.grader-summary table{border-collapse:collapse;margin:.5em 0 1em}
.grader-summary th,.grader-summary td{border:1px solid #ddd;padding:3px 10px;text-align:left}
.grader-summary td.num{text-align:right;font-variant-numeric:tabular-nums}
.grader-score{font-size:1.3em;font-weight:600}
.grader-msg{background:#fff8e1;border-left:4px solid #f0b400;padding:.4em .8em;margin:.4em 0;white-space:pre-wrap}
.grader-result{border:1px solid #ccc;border-left:6px solid #999;border-radius:4px;margin:8px 0 22px 0;padding:6px 14px;background:#fcfcfc}
.grader-result.grader-ok{border-left-color:#2e7d32;background:#f3faf3}
.grader-result.grader-bad{border-left-color:#c62828;background:#fdf4f4}
.grader-result.grader-info{border-left-color:#607d8b;background:#f5f7f8}
.grader-result h3{margin:.2em 0 .4em;font-size:1.1em}
.grader-result ul.grader-cases{list-style:none;padding-left:0;margin:.3em 0}
.grader-result ul.grader-cases>li{margin:.35em 0}
.grader-mark{display:inline-block;width:1.4em;font-weight:bold}
.grader-pass .grader-mark{color:#2e7d32}
.grader-fail .grader-mark{color:#c62828}
.grader-skip .grader-mark{color:#607d8b}
.grader-detail{margin:.15em 0 .15em 1.4em;white-space:pre-wrap;font-size:.95em}
ul.grader-detail{white-space:normal;padding-left:1.2em}
.grader-diag{margin:.15em 0 .15em 1.4em;color:#6a1b9a}
.grader-pts{color:#555;font-variant-numeric:tabular-nums}
pre.grader-quote{margin:.3em 0 .3em 1.4em;background:#f5f5f5;border:1px solid #ddd;padding:4px 0;font-size:13px;overflow-x:auto}
pre.grader-quote span{display:block;padding:0 8px;white-space:pre}
pre.grader-quote span.grader-hit{background:#ffd6d6;font-weight:600}
pre.grader-quote b{display:inline-block;width:3.2em;color:#888;font-weight:normal;user-select:none}
pre.grader-out{margin:.2em 0 .2em 1.4em;background:#f7f7f7;border:1px dashed #ccc;padding:4px 8px;font-size:13px;max-height:20em;overflow:auto;white-space:pre-wrap}
.grader-notebook{margin-top:1.5em;border-top:2px solid #eee;padding-top:.5em}
.jp-Cell{margin:6px 0;display:block}
.jp-Cell-inputWrapper,.jp-Cell-outputWrapper{display:flex;flex-direction:column}
.jp-InputArea,.jp-OutputArea-child{display:flex;gap:6px}
.jp-InputPrompt,.jp-OutputPrompt{flex:0 0 5.5em;color:#307fc1;font:12px/1.6 monospace;text-align:right;padding-top:5px}
.jp-OutputPrompt{color:#bf5b3d}
.jp-InputArea-editor{flex:1 1 auto;min-width:0;background:#f7f7f7;border:1px solid #e0e0e0;border-radius:2px}
.jp-InputArea-editor pre{margin:0;padding:5px 8px;font-size:13px;line-height:1.4;overflow-x:auto}
.jp-OutputArea-output{flex:1 1 auto;min-width:0;overflow-x:auto}
.jp-OutputArea-output pre{margin:0;padding:4px 8px;font-size:13px;line-height:1.35;white-space:pre-wrap}
.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]{background:#fdd}
.jp-RenderedMarkdown{flex:1 1 auto;min-width:0;padding:0 8px}
.jp-MarkdownCell .jp-InputPrompt{visibility:hidden}
.jp-RenderedImage img{max-width:100%}
.jp-Collapser{display:none}
table.dataframe{border-collapse:collapse}
table.dataframe td,table.dataframe th{border:1px solid #ddd;padding:2px 6px}
.ansi-red-fg{color:#c62828}.ansi-green-fg{color:#2e7d32}.ansi-yellow-fg{color:#a07800}
.ansi-blue-fg{color:#1565c0}.ansi-cyan-fg{color:#00838f}.ansi-magenta-fg{color:#6a1b9a}.ansi-bold{font-weight:bold}
"""

# --------------------------------------------------------------------------- sanitising

_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s",
    "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "u", "ul",
})


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """The sanitiser's attribute filter: a short allowlist; images only as ``data:`` URIs, links
    never to one.

    ``class`` is kept (Pygments highlighting in markdown code uses it) except our own
    ``grader-`` classes, so that a student cannot dress their markdown up as a result block.
    """
    if name == "class":
        return "grader" not in value.lower()
    if tag == "a" and name == "href":
        return not _is_data_url(value)
    if tag == "a" and name == "title":
        return True
    if tag == "img" and name == "src":
        return value.startswith("data:image/png;base64,") or value.startswith("data:image/jpeg;base64,")
    if tag == "img" and name in ("width", "height"):
        return _is_image_size(value)
    if tag == "img" and name in ("alt", "title"):
        return True
    if tag in ("td", "th") and name in ("colspan", "rowspan", "align"):
        return True
    return False


#: An image's ``width`` or ``height`` kept: whole pixels or a percentage, at most
#: ``MAX_IMAGE_PIXELS`` or 100 % (anything else is dropped, and the image keeps its own size).
#: ``<img height=99999999>`` made the page 100 million pixels tall, the results below it out of
#: reach.
_IMAGE_SIZE = re.compile(r"\s*(\d{1,9})(%|px)?\s*")
MAX_IMAGE_PIXELS = 2000


def _is_image_size(value: str) -> bool:
    """Whether an image's ``width`` or ``height`` is a size kept (see ``_IMAGE_SIZE``)."""
    match = _IMAGE_SIZE.fullmatch(value)
    return match is not None and int(match[1]) <= (100 if match[2] == "%" else MAX_IMAGE_PIXELS)


#: What a browser (and the sanitiser) ignores in a URL before reading its scheme.
_URL_IGNORED = re.compile(r"[`\x00-\x20\x7f-\xa0\s\ufffd]+")


def _is_data_url(value: str) -> bool:
    """Whether a link's ``href`` is a ``data:`` URL, read as browsers read it
    (character references decoded, spaces and control characters dropped, any case).

    ``data:`` is among the cleaner's protocols for the images, but a link to a ``data:`` page
    opens the student's own HTML and script outside this page and its Content-Security-Policy
    (a "log in again" form under the feedback's name): links keep ``http``, ``https``,
    ``mailto`` and in-page targets only.
    """
    return _URL_IGNORED.sub("", html.unescape(value)).lower().startswith("data:")


#: The attributes the sanitiser hands to ``_allowed_attribute``, by tag (``*``: any tag);
#: every other attribute is dropped before the filter sees it.
_ATTRIBUTES = {
    "*": {"class"},
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "title"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
}


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    """``_allowed_attribute`` in the form nh3 calls: the value kept, or None to drop it."""
    return value if _allowed_attribute(tag, name, value) else None


@functools.lru_cache(maxsize=1)
def _cleaner() -> Any:
    """The sanitiser, one per process (building it costs more than cleaning a cell): nh3
    (Rust's ammonia: an html5ever parse and serialisation) with the allowlist above.
    ``script``, ``style`` and the other tags whose text is not text (ammonia's
    ``clean_content_tags``) go with their content; other tags outside the list are stripped and
    their text kept; comments are dropped; no ``rel`` is added to links (the page runs no
    script and opens no window); URLs keep the ``http``, ``https``, ``mailto`` and ``data``
    schemes, which ``_allowed_attribute`` narrows further; a filter that raised would drop its
    attribute."""
    import nh3

    return nh3.Cleaner(tags=set(_TAGS), attributes=_ATTRIBUTES, attribute_filter=_attribute_filter,
                       strip_comments=True, link_rel=None, clean_content_tags=set(_CONTENT_DROPPED),
                       url_schemes={"http", "https", "mailto", "data"})


#: The tags that go with their content (their text is code, not prose): ammonia's default.
_CONTENT_DROPPED = frozenset({"script", "style"})
#: A start or end tag's name as a tokenizer reads it, for the renaming below.
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])")


@functools.lru_cache(maxsize=1024)
def _content_dropped(name: str) -> bool:
    """Whether the cleaner drops an element of this (lower-case) name with everything inside it:
    ammonia does so for the names of SVG and MathML elements (``int``, ``sum``, ``exp``, ``tanh``,
    ``mi``, ``text``, ``g``...), even when the parser made an unknown HTML element of them. Asked
    of the cleaner itself (2 us, once per name), so that a new nh3 with other lists is followed."""
    return name not in _CONTENT_DROPPED and "x" not in _cleaner().clean(f"<{name}>x")


#: The tags that switch the parser into SVG or MathML content, renamed too (see below).
_FOREIGN_ROOTS = frozenset({"svg", "math"})


def _rename_dropping_tag(match: re.Match[str]) -> str:
    name = match.group(2).lower()
    if name in _TAGS or (name not in _FOREIGN_ROOTS and not _content_dropped(name)):
        return match.group(0)
    return f"<{match.group(1)}x-{name}"


def _keep_text_of_foreign_names(fragment: str) -> str:
    """``fragment`` with the tags the cleaner would drop with their content renamed ``x-NAME``:
    an unknown HTML element, which the cleaner strips and whose text it keeps, as a browser and
    bleach show ``List<int> of ids`` as "List of ids" (ammonia showed "List"). No parse enters SVG
    or MathML content any more; what comes out is still the cleaner's, safe for any input. The
    renaming also reaches ``<`` inside attribute values and ``textarea`` text, which the page
    then shows with the ``x-``; script and style are not renamed."""
    if "<" not in fragment:
        return fragment
    return _TAG_NAME.sub(_rename_dropping_tag, fragment)


def sanitize_html(fragment: str) -> str:
    """``fragment`` with every tag and attribute outside a short allowlist removed.

    No ``<script>``, ``<style>``, ``<iframe>``, event handlers, inline styles, ids, forms or
    remote images survive; text content is kept (escaped).
    """
    if isinstance(fragment, bytes):
        fragment = fragment.decode("utf-8", "replace")
    fragment = str(fragment)
    if is_plain_markup(fragment):  # what the cleaner would write back unchanged
        return fragment
    if _nested_deeper_than(fragment, MAX_HTML_DEPTH) or _formatting_open_beyond(fragment, MAX_OPEN_FORMATTING):
        return html.escape(fragment, quote=False)
    return _cleaner().clean(_keep_text_of_foreign_names(fragment))


#: Elements nested deeper are shown as text: a browser builds no deeper DOM (Chromium stops at
#: 512), and the cleaner's parser checks its stack of open elements at each tag, n² steps.
MAX_HTML_DEPTH = 512
_TAG_OPEN_CLOSE = re.compile(r"<(/?)([A-Za-z][^\s/>]*)")
#: Elements that hold nothing, or that the next sibling closes: they do not deepen the tree.
_FLAT_ELEMENTS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option",
})


def _nested_deeper_than(fragment: str, limit: int) -> bool:
    """Whether ``fragment``'s elements, read as an HTML parser reads them, may nest more than
    ``limit`` deep: a start tag opens one (``<div/>`` too; ``<p>``, ``<li>`` and the like are
    closed by their next sibling), an end tag closes the innermost open element of its name
    and those inside it, and is ignored when none is open. Counts in excess are harmless (the
    fragment is shown as text); tags inside comments and attributes count."""
    if fragment.count("<") <= limit:
        return False
    stack: list[str] = []
    open_by_name: dict[str, int] = {}
    for closing, tag in _TAG_OPEN_CLOSE.findall(fragment):
        name = tag.lower()
        if closing:
            if open_by_name.get(name):
                while True:
                    top = stack.pop()
                    open_by_name[top] -= 1
                    if top == name:
                        break
        elif name not in _FLAT_ELEMENTS:
            stack.append(name)
            open_by_name[name] = open_by_name.get(name, 0) + 1
            if len(stack) > limit:
                return True
    return False


#: Formatting elements open at once (see ``_formatting_open_beyond``) beyond which a fragment is
#: shown as text. The parser keeps each open formatting element (``b``, ``i``, ``a``...) in a list
#: until its own end tag, and when an ancestor's end, or a new ``<p>``, closes it, it opens it again
#: around the next text or element: ``<p>``, 500 ``<i a=N>`` (distinct, so the parser keeps them
#: all) then ``<p>x`` 25,000 times, 100 kB of an HTML output, became 12.5 million elements, 84 MB of
#: page and 10 s of the grading process's CPU (three such outputs: 20 s, 250 MB). With at most
#: this many open, an element written is at most this many more in the page: 100 kB of ``<p>x``
#: after four cost 0.12 s, the same without them 0.04 s. A markdown link to bold italic code
#: (``[***`code`***](url)``) opens four: ``a``, ``em``, ``strong``, ``code``.
MAX_OPEN_FORMATTING = 4
#: The parser's formatting elements (the HTML standard's "list of active formatting elements").
_FORMATTING = frozenset({"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike",
                         "strong", "tt", "u"})
#: A formatting element's start tag, as a tokenizer reads its name.
_FORMATTING_START = re.compile(rf"<(?:{'|'.join(sorted(_FORMATTING))})(?=[\s/>])", re.IGNORECASE)
#: The elements past which an end tag does not reach a formatting element (a table, the parser's
#: markers); ending one of the markers (not ``table``) drops what was opened inside it.
_BARRIERS = frozenset({"td", "th", "caption", "table", "template", "applet", "object", "marquee"})
#: The tokenizer's whitespace (not Python's ``\s``, which also holds ``\v`` and Unicode spaces).
_WS = "\t\n\f\r "
#: A tag's attributes as the tokenizer reads them (quoted values may hold ``<`` and ``>``).
_TAG_REST = (rf"(?:[{_WS}/]+[^{_WS}/>=]+(?:[{_WS}]*=[{_WS}]*(?:\"[^\"]*\"|'[^']*'|[^{_WS}>\"'][^{_WS}>]*))?)*"
               rf"[{_WS}/]*>")
#: What the tokenizer reads at a ``<``, left to right, each alternative whole: an element whose
#: content is text to its end tag (or to the end), skipped; ``<plaintext>`` (the rest is text:
#: group 2); a comment, closed or running to the end; a bogus comment (``<!DOCTYPE``, ``<?``,
#: ``</1``) to its ``>``; a tag (group 3 its ``/``, group 4 its name when it matters here:
#: formatting elements, barriers, and ``noscript`` and ``select``, whose content this reading does
#: not follow; else group 5 its name, read whole: ``(?=(X*))\5``, a possessive ``X*+`` that Python
#: 3.10 reads too); the start of a tag this reading does not follow (group 6); text.
_MARKUP = re.compile(
    rf"<(script|style|xmp|iframe|noembed|noframes|textarea|title)(?=[{_WS}/>]){_TAG_REST}"
    rf"[\s\S]*?(?:</\1(?=[{_WS}/>])|\Z)"
    rf"|(<plaintext(?=[{_WS}/>]){_TAG_REST})"
    r"|<!--(?:>|->|[\s\S]*?--!?>|[\s\S]*)"
    r"|<[!?][^>]*>?|</(?![A-Za-z])[^>]*>?"
    r"|<(/?)(?:(a|b|big|code|em|font|i|nobr|s|small|strike|strong|tt|u|td|th|caption|table|template|applet|"
    rf"object|marquee|noscript|select)(?=[{_WS}/>])|[A-Za-z](?=([^{_WS}/>]*))\5){_TAG_REST}"
    r"|(<[A-Za-z/])|<", re.IGNORECASE)


def _formatting_open_beyond(fragment: str, limit: int) -> bool:
    """Whether more than ``limit`` formatting elements may be open at once in ``fragment``, as
    the parser keeps them: a start tag opens one until an end tag of its name with no barrier
    (``_BARRIERS``) opened since (an ``a`` or ``nobr`` start tag first closes one of its name);
    a barrier's end tag closes it only when one of its name is open; comments and the text of
    ``script``, ``textarea`` and the like hold no tags. A fragment with more than ``limit``
    formatting start tags and a tag this reading does not follow, or a ``noscript`` or
    ``select`` (whose content it does not follow), is counted as over. What else closes one is
    not modelled: counts in excess are harmless (the fragment is shown as text). End tags
    counted as closing across a table cell, inside a comment, a textarea or an attribute let
    200 ``<b>`` through: 4 s and 32 MB of page."""
    if len(_FORMATTING_START.findall(fragment)) <= limit:
        return False
    barriers: list[str] = []
    depths: dict[str, list[int]] = {}  # name -> the barriers open at each open one's start tag
    total = 0  # formatting elements open
    for match in _MARKUP.finditer(fragment):  # not findall: stop at the first failed tag
        _raw, stop, closing, tag, _name, failed = match.groups()
        if not tag:
            if stop:
                break
            if failed:
                return True
            continue
        name = tag.lower()
        if name in _FORMATTING:
            mine = depths.setdefault(name, [])
            if (closing or name in ("a", "nobr")) and mine and mine[-1] == len(barriers):
                mine.pop()
                total -= 1
            if closing:
                continue
            mine.append(len(barriers))
            total += 1
            if total > limit:
                return True
        elif name in _BARRIERS:
            if not closing:
                barriers.append(name)
            elif name in barriers:
                del barriers[len(barriers) - 1 - barriers[::-1].index(name):]
                if name != "table":  # a table's own (foster-parented) ones stay in the list
                    for mine in depths.values():
                        kept = [depth for depth in mine if depth <= len(barriers)]
                        total -= len(mine) - len(kept)
                        mine[:] = kept
        elif not closing:  # noscript, select
            return True
    return False


#: The tags of plain markup (see ``is_plain_markup``), without attributes.
_PLAIN_TAG = re.compile(r"<(/?)(p|h[1-6]|ul|ol|li|em|strong|code)>")
#: What the text of plain markup may not hold: markup characters and entities, and the
#: characters the HTML parser or the cleaner rewrite (controls, surrogates, noncharacters,
#: the no-break space, a byte-order mark, which the parser drops at the start).
_NOT_PLAIN_TEXT = re.compile("[<>&\x00-\x08\x0b-\x1f\x7f-\xa0\ud800-\udfff\ufdd0-\ufdef\ufeff\ufffe\uffff]")
_BLOCK_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol"})


def is_plain_markup(fragment: str) -> bool:
    """True when ``fragment`` is markup that ``sanitize_html``'s cleaner would give back
    unchanged, so that it can skip the cleaner (an HTML parse and serialisation, most of the
    cost of a short markdown cell): only paragraphs, headings, lists, emphasis and code, with
    no attribute, each closed in order, blocks at the top or in a list item, list items in
    lists, inline tags outside lists' own level; text without ``& < >`` and without the
    characters the parser or the cleaner rewrite. Anything else (an attribute, another tag, an
    entity, a comment, ``<br />``) goes through the cleaner."""
    pieces = _PLAIN_TAG.split(fragment)
    stack: list[str] = []
    for index in range(0, len(pieces), 3):
        if _NOT_PLAIN_TEXT.search(pieces[index]):
            return False
        if index + 2 >= len(pieces):
            break
        closing, tag = pieces[index + 1], pieces[index + 2]
        if closing:
            if not stack or stack.pop() != tag:
                return False
            continue
        parent = stack[-1] if stack else None
        if tag == "li":
            allowed = parent in ("ul", "ol")
        elif tag in _BLOCK_TAGS:
            allowed = parent is None or parent == "li"
        else:  # em, strong, code
            allowed = parent not in ("ul", "ol")
        if not allowed:
            return False
        stack.append(tag)
    return not stack


# --------------------------------------------------------------------------- the notebook


class NotebookUnavailable(Exception):
    """The submission cannot be rendered as a notebook; the message says why."""


def _text(value: Any) -> str:
    """An nbformat multiline string (str or list of str) as one string; anything else as ''."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        try:
            return "".join(value)  # a list of lines, as nbformat writes them
        except TypeError:  # something else among them: only the strings count
            return "".join(v for v in value if isinstance(v, str))
    return ""


def _cut(text: str) -> str:
    """``text`` cut to ``MAX_TEXT_CHARS`` with a note of how much was left out."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    return text[:MAX_TEXT_CHARS] + f"\n… ({len(text) - MAX_TEXT_CHARS} more characters not shown)\n"


def _clean_output(out: Any) -> dict | None:
    """One output rebuilt from plain fields only (no metadata, whitelisted MIME types), or None."""
    if not isinstance(out, dict):
        return None
    kind = out.get("output_type")
    if kind == "stream":
        name = out.get("name") if out.get("name") in ("stdout", "stderr") else "stdout"
        return {"output_type": "stream", "name": name, "text": _text(out.get("text"))}
    if kind == "error":
        trace = out.get("traceback")
        trace = [_cut(t) for t in trace[:200] if isinstance(t, str)] if isinstance(trace, list) else []
        return {"output_type": "error", "ename": _cut(_text(out.get("ename"))) or "Error",
                "evalue": _cut(_text(out.get("evalue"))), "traceback": trace}
    if kind in ("execute_result", "display_data"):
        raw = out.get("data") if isinstance(out.get("data"), dict) else {}
        data = {}
        for mime in KEPT_MIME:
            value = _text(raw.get(mime))
            if not value:
                continue
            if mime.startswith("image/"):
                if not _BASE64.match(value):
                    continue
                value = re.sub(r"\s+", "", value)
            else:
                value = _cut(value)
            data[mime] = value
        if not data:
            return None
        node = {"output_type": kind, "data": data, "metadata": {}}
        if kind == "execute_result":
            count = out.get("execution_count")
            node["execution_count"] = count if isinstance(count, int) and not isinstance(count, bool) else None
        return node
    return None


def _coalesce(outputs: list[dict]) -> list[dict]:
    """Consecutive stream outputs of the same stream joined into one (Keras logs write hundreds).

    The texts of a run are joined once at the end: adding each to the text so far copied it
    again every time (20,000 outputs of 1 kB in one cell cost the grading process 150 s)."""
    merged: list[dict] = []
    runs: dict[int, list[str]] = {}  # id of a merged stream output -> the texts of its run
    for out in outputs:
        last = merged[-1] if merged else None
        if (last is not None and out["output_type"] == "stream" and last["output_type"] == "stream"
                and last["name"] == out["name"]):
            runs.setdefault(id(last), [last["text"]]).append(out["text"])
        else:
            merged.append(out)
    for out in merged:
        if out["output_type"] == "stream":
            texts = runs.get(id(out))
            out["text"] = _cut("".join(texts) if texts else out["text"])
    return merged


def clean_cells(raw: Any, *, limits: SizeLimits = SIZE_LIMITS, cells_left_out: int = 0) -> list[dict]:
    """The cells of ``raw`` (parsed notebook JSON) rebuilt as plain dicts holding only what we
    render: cell type, source, whitelisted outputs (long texts cut), our own id ``c<index>``
    and ``metadata.grader_index`` (the cell's index in the file, the index ``Location.cell``
    uses); the student's metadata, ids and attachments are dropped, raw and unknown cells
    become markdown code blocks, and so does markdown beyond ``MAX_MARKDOWN_CHARS`` (a
    text/markdown output beyond it is shown as its plain text). Raises :class:`NotebookUnavailable` if ``raw`` is not a notebook.

    What the grader did not read for the notebook's size (``limits``, as ``grader.notebook``
    and ``grader.extract`` apply them) is shown short: a code cell over the limits as its first
    ``SHOWN_SKIPPED_CHARS`` characters and a note, the cells after the first
    ``limits.max_cells`` (and ``cells_left_out`` more, cut from a version-3 notebook before
    its conversion) as one note at the end.
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise NotebookUnavailable("not a version-4 notebook")
    cells = []
    budget = _MarkdownBudget()
    raw_cells = raw["cells"][:limits.max_cells]
    for index, cell in enumerate(raw_cells):
        if not isinstance(cell, dict):
            raise NotebookUnavailable(f"cell {index} is not an object")
    kinds = [cell.get("cell_type") for cell in raw_cells]
    sources = [_text(cell.get("source")) for cell in raw_cells]  # each joined once
    skipped = {s.index: s for s in skipped_code(
        [(index, len(sources[index])) for index, kind in enumerate(kinds) if kind == "code"], limits)}
    for index, cell in enumerate(raw_cells):
        kind, source = kinds[index], sources[index]
        if index in skipped:
            source = _shortened(source, skipped[index])
        # A safe id of ours, never the student's; no metadata of theirs (tags, hidden sources...).
        node: dict = {"id": f"c{index}", "metadata": {"grader_index": index}}
        if kind == "code":
            outputs = cell.get("outputs") if isinstance(cell.get("outputs"), list) else []
            count = cell.get("execution_count")
            node.update(cell_type="code", source=source,
                        execution_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
                        outputs=_coalesce([o for o in (_clean_output(x) for x in outputs) if o is not None]))
            for out in node["outputs"]:
                data = out.get("data", {})
                if "text/markdown" in data and not budget.take(data["text/markdown"]):
                    shown = data.pop("text/markdown")
                    data.setdefault("text/plain", shown)
        elif kind == "markdown" and budget.take(source):
            node.update(cell_type="markdown", source=source)
        else:  # raw and unknown cells, and markdown over the budget: shown as plain text
            node.update(cell_type="markdown", source=budget.plain(source))
        cells.append(node)
    left_out = len(raw["cells"]) - len(raw_cells) + cells_left_out
    if left_out:
        index = len(raw_cells)
        cells.append({"id": f"c{index}", "metadata": {"grader_index": index}, "cell_type": "markdown",
                      "source": f"*({left_out:,} more cells not shown: the grader reads the first "
                                f"{limits.max_cells:,} cells of a notebook.)*"})
    return cells


def _shortened(source: str, skipped: SkippedCode, *, python_file: bool = False) -> str:
    """Code ``source``, which the grader did not read (``skipped``), as its first lines (at most
    ``SHOWN_SKIPPED_CHARS`` characters) and a comment saying so."""
    note = skipped.message(python_file=python_file)
    if len(source) <= SHOWN_SKIPPED_CHARS:
        return f"{source.rstrip()}\n# [{note}]"
    shown = source[:SHOWN_SKIPPED_CHARS]
    end = shown.rfind("\n")
    if end > 0:
        shown = shown[:end]
    return f"{shown.rstrip()}\n# [{len(source) - len(shown):,} more characters not shown. {note}]"


class _MarkdownBudget:
    """How much of a notebook's markdown goes through the markdown renderer (see
    ``MAX_MARKDOWN_CHARS``): each text at most the one limit, all of them the other, none with
    more than ``MAX_UNCLOSED_TEX`` unclosed TeX openings; and how much is shown as plain text
    instead.

    A markdown cell's HTML, plain text too, also goes through
    :func:`grader.markdown_html.strip_files_prefix`, whose pattern scanned each line from every
    ``[`` in it (quadratic in a line's length; one scan since the thirty-first session), so the
    plain text is cut (``MAX_TEXT_CHARS``), its lines are broken every ``PLAIN_LINE_CHARS``
    characters, and past ``MAX_PLAIN_TOTAL`` characters a cell only says how long it is."""

    PLAIN_LINE_CHARS = 1000
    MAX_PLAIN_TOTAL = 1_000_000

    def __init__(self) -> None:
        """The whole notebook's allowances, unspent."""
        self.left = MAX_MARKDOWN_TOTAL
        self.plain_left = self.MAX_PLAIN_TOTAL

    def take(self, text: str) -> bool:
        """Whether ``text`` may be rendered as markdown (its length is then spent)."""
        if (len(text) > MAX_MARKDOWN_CHARS or len(text) > self.left or unclosed_tex(text) > MAX_UNCLOSED_TEX
                or LONG_SPACE_RUN in text):
            return False
        self.left -= len(text)
        return True

    def plain(self, text: str) -> str:
        """``text`` as a markdown code block (cut, long lines broken), or a note of its length."""
        if len(text) > self.plain_left:
            self.plain_left = 0
            return f"*({len(text)} characters not shown)*"
        text = _cut(text)
        self.plain_left -= len(text)
        width = self.PLAIN_LINE_CHARS
        lines = [line[i:i + width] if line else line for line in text.split("\n")
                 for i in range(0, max(len(line), 1), width)]
        return "```\n" + "\n".join(lines).replace("```", "` ` `") + "\n```"


def read_cells(path: Path, *, limits: SizeLimits = SIZE_LIMITS) -> list[dict]:
    """The cleaned cells (:func:`clean_cells`, within ``limits``) of the notebook at ``path``
    (nbformat 4, or 3 converted); raises ``NotebookUnavailable``."""
    path = Path(path)
    if path.suffix.lower() != ".ipynb":
        raise NotebookUnavailable(f"{path.name} is not a notebook")
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise NotebookUnavailable(f"{path.name} is too big to render")
        text = path.read_bytes().decode("utf-8-sig")
        raw = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise NotebookUnavailable(f"{path.name} cannot be read ({type(exc).__name__})") from None
    left_out = 0
    if isinstance(raw, dict) and raw.get("nbformat") == 3:
        left_out = trim_v3_cells(raw, limits.max_cells)  # before nbformat converts (and validates) them
        if left_out:
            text = json.dumps(raw)
        try:
            import nbformat

            raw = json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))
        except Exception as exc:  # nbformat raises many kinds on malformed v3 files
            raise NotebookUnavailable(f"{path.name}: broken version-3 notebook ({type(exc).__name__})") from None
    elif not isinstance(raw, dict) or raw.get("nbformat") != 4:
        raise NotebookUnavailable(f"{path.name} is not a version-4 notebook")
    return clean_cells(raw, limits=limits, cells_left_out=left_out)


class FragmentMemo:
    """A memo of rendered cells, least recently used first out, bounded in bytes.

    Keys are digests of a cell's content; values are the cell's HTML as a pair of strings
    (before and after the place of our result blocks). ``nbytes`` counts the memory of the
    strings held (``sys.getsizeof``) plus a fixed overhead per entry; a value bigger than the
    whole budget is not kept.
    """

    ENTRY_OVERHEAD = 200

    def __init__(self, max_bytes: int) -> None:
        """An empty memo that holds at most ``max_bytes``."""
        self.max_bytes = max_bytes
        self.nbytes = 0
        self._entries: OrderedDict[bytes, tuple[str, str]] = OrderedDict()

    def __len__(self) -> int:
        """Number of cells held."""
        return len(self._entries)

    def _cost(self, key: bytes, value: tuple[str, str]) -> int:
        """Bytes an entry counts for."""
        return sys.getsizeof(key) + sys.getsizeof(value[0]) + sys.getsizeof(value[1]) + self.ENTRY_OVERHEAD

    def get(self, key: bytes) -> tuple[str, str] | None:
        """The value of ``key`` (now the most recently used), or None."""
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: bytes, value: tuple[str, str]) -> None:
        """Keep ``value`` under ``key``, dropping the least recently used entries to stay in budget."""
        cost = self._cost(key, value)
        if cost > self.max_bytes:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self.nbytes -= self._cost(key, old)
        while self._entries and self.nbytes + cost > self.max_bytes:
            dropped_key, dropped = self._entries.popitem(last=False)
            self.nbytes -= self._cost(dropped_key, dropped)
        self._entries[key] = value
        self.nbytes += cost

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()
        self.nbytes = 0


#: The JSON of a cell with outputs for its memo key: ``json.dumps`` with options builds an
#: encoder at each call (a few per page), this one is made once (same text).
_KEY_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def cell_key(cell: dict) -> bytes:
    """Digest of what a cleaned cell's HTML depends on, apart from its position and execution
    count (filled in when a page is assembled): its type, source and outputs.

    A cell without outputs (most cells) is digested from its type and source alone, tagged
    apart from the JSON form of the others (a type is one of a few words without NUL), so no
    two different cells share a key."""
    outputs = cell.get("outputs")
    kind, source = cell.get("cell_type"), cell.get("source")
    if not outputs and isinstance(kind, str) and "\0" not in kind and isinstance(source, str):
        text = f"\0{kind}\0{source}"
    else:
        if outputs:
            outputs = [{k: v for k, v in out.items() if k != "execution_count"} for out in outputs]
        text = _KEY_JSON.encode([kind, source, outputs])
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=32).digest()


#: Default budget of a renderer's memo of rendered cells (cells are kept from their second
#: rendering on: the 400 notebooks of the benchmark's class leave 23 cells, 40 kB, in it; before,
#: every cell was kept and they filled 14 MB, almost all of it cells no other student has).
MEMO_BYTES = 16 * 2**20

#: The page around the cells: JupyterLab's cell markup inside our own compact ``<head>`` (no
#: script at all: no require.js, MathJax, mermaid or widget loaders, which would need the
#: network). ``{css}`` is the renderer's stylesheet; the title, the summary and the cells go
#: between the pieces.
PAGE_HEAD = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n"
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
             "style-src 'unsafe-inline'; img-src data:\">\n<title>")
PAGE_AFTER_TITLE = "</title>\n<style>{css}</style>\n</head><body>\n<main class=\"grader-page\">\n"
PAGE_BEFORE_CELLS = "\n<div class=\"jp-Notebook grader-notebook\">"
PAGE_TAIL = "</div>\n</main>\n</body></html>"


class _Template:
    """A ``str.format`` template of named fields, filled (``fill``) by joining its text between
    the fields and their values: the same text as ``format`` for string values, in a third of
    its time for a student's code cell, which ``format`` parses the template for at every call
    and, past the first character beyond Latin-1 in a value (the template's "≈" in a student's
    function cell), copies into a wider string."""

    def __init__(self, text: str) -> None:
        """``text``, a template whose fields are names (``{code}``) without format specs."""
        self.text = text
        self._pieces = tuple((literal, name) for literal, name, _, _ in string.Formatter().parse(text))

    def fill(self, **values: str) -> str:
        """``text.format(**values)``."""
        out = []
        for literal, name in self._pieces:
            out.append(literal)
            if name is not None:
                out.append(values[name])
        return "".join(out)


_COLLAPSER = '<div class="jp-Collapser jp-{0}Collapser jp-Cell-{1}Collapser">\n</div>\n'
_MARKDOWN_CELL = _Template(
    '\n\n<div id="cell-id={id}" class="jp-Cell jp-MarkdownCell jp-Notebook-cell">\n'
    '<div class="jp-Cell-inputWrapper">\n' + _COLLAPSER.format("Input", "input")
    + '<div class="jp-InputArea jp-Cell-inputArea"><div class="jp-InputPrompt jp-InputArea-prompt">\n'
    '</div><div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput " '
    'data-mime-type="text/markdown">\n{html}\n</div>\n</div>\n</div>\n</div>')
_CODE_CELL = _Template(
    '\n<div id="cell-id={id}" class="jp-Cell jp-CodeCell jp-Notebook-cell {no_outputs}  ">\n'
    '<div class="jp-Cell-inputWrapper">\n' + _COLLAPSER.format("Input", "input")
    + '<div class="jp-InputArea jp-Cell-inputArea">\n'
    '<div class="jp-InputPrompt jp-InputArea-prompt">In&nbsp;{prompt}</div>\n'
    '<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor" data-type="inline">\n'
    '<div class="cm-editor cm-s-jupyter">\n{code}\n</div>\n</div>\n</div>\n</div>\n{outputs}\n</div>')
_OUTPUT_AREA = _Template(
    '\n<div class="jp-Cell-outputWrapper">\n' + _COLLAPSER.format("Output", "output")
    + '\n\n<div class="jp-OutputArea jp-Cell-outputArea">\n{children}\n\n</div>\n\n</div>\n')
#: One output: its box, prompt (``Out[n]:`` for a result), then the output itself. A printed
#: output (stream, traceback) ends sooner than a displayed one (the blank lines of nbconvert's
#: template, kept: the pages are the same bytes as before).
_OUTPUT = _Template('<div class="jp-OutputArea-child{result}">\n    \n'
                    '    <div class="jp-OutputPrompt jp-OutputArea-prompt">{prompt}</div>\n\n\n{body}\n</div>')
_PRINTED = _Template('<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="{mime}">\n<pre>{text}</pre>\n</div>')
_STDERR = "application/vnd.jupyter.stderr"
#: A displayed value of each kept MIME type (``{extra}`` marks a result, ``Out[n]``).
_DISPLAYED = {
    "text/html": _Template('\n<div class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output {extra}" '
                           'data-mime-type="text/html">\n{value}\n</div>\n'),
    "text/markdown": _Template('\n\n<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-OutputArea-output {extra}" '
                               'data-mime-type="text/markdown">\n{value}\n</div>\n'),
    "image/png": _Template('\n\n<div class="jp-RenderedImage jp-OutputArea-output {extra}">\n'
                           '<img src="data:image/png;base64,{value}"\nclass="\n"\n>\n</div>\n'),
    "image/jpeg": _Template('\n\n<div class="jp-RenderedImage jp-OutputArea-output {extra}">\n'
                            '<img src="data:image/jpeg;base64,{value}"\nclass="\n"\n>\n</div>\n'),
    "text/plain": _Template('\n\n<div class="jp-RenderedText jp-OutputArea-output {extra}" '
                            'data-mime-type="text/plain">\n<pre>{value}</pre>\n</div>\n'),
}


class FeedbackRenderer:
    """Writes the page of a cleaned notebook (:func:`clean_cells`) with our result blocks, and
    keeps a memo of rendered cells.

    Each cell is written in JupyterLab's cell markup, the markup nbconvert's "lab" template
    writes (the pages were rendered by nbconvert before; the tests compare the pages with
    that template's rendering, and grading never imports nbconvert): code highlighted by
    :func:`grader.highlight.highlight_code`, markdown by :class:`grader.markdown_html.MarkdownToHTML`
    then :func:`sanitize_html`, printed text by :func:`grader.ansi.ansi_to_html`, HTML outputs
    through :func:`sanitize_html`. The template cells of an assignment repeat across a class:
    a cell met again is taken from the memo, written with this renderer's placeholders (random
    tokens no notebook can guess) where its id and execution count go.

    Build one per process (``default_renderer()`` caches it; it may be built before forking
    workers: it holds no open file nor thread) and call :meth:`render` per student.
    """

    #: Keys of cells rendered once that are remembered (32-byte digests: about 3 MB), see ``_keep``.
    SEEN_MAX = 20_000

    def __init__(self, *, memo_bytes: int = MEMO_BYTES) -> None:
        """Build the stylesheet (ours and Pygments' colours) and the markdown parser. The memo
        of rendered cells holds up to ``memo_bytes``, the memo of highlighted lines a quarter of it."""
        from pygments.formatters import HtmlFormatter

        self.css = CSS + HtmlFormatter(style="default").get_style_defs(".highlight")
        token = secrets.token_hex(12)
        self._cell_id = f"x{token}"  # where a memoised cell's id goes...
        self._count = f"[{secrets.randbits(60) | 1 << 60}]:"  # ...and its execution count
        self.memo = FragmentMemo(memo_bytes)
        self._seen: set[bytes] = set()  # keys of cells rendered once and not kept (see _keep)
        self.lines = LineMemo(max(memo_bytes // 4, 1))  # highlighted lines of code
        self.markdown_to_html = MarkdownToHTML()
        self._warm_up()

    def _warm_up(self) -> None:
        """Render a small notebook once (imports the sanitiser, compiles the markdown parser's
        patterns: 0.1 s of CPU), so that the first page, and the first of every forked
        worker, costs no more than the others. Its fenced code names a language whose lexer
        costs nothing to build: Pygments' Python lexer (0.06 s of CPU) is left to the pages
        that need it."""
        self._fragments(clean_cells({"cells": [
            {"cell_type": "markdown", "source": "# T\n\n*x* `y` <b>b</b> $x$\n\n```text\nx = 1\n```\n"},
            {"cell_type": "code", "source": "def f(x):\n    return 'a' # b\n", "execution_count": 1,
             "outputs": [{"output_type": "stream", "name": "stdout", "text": "\x1b[31mx\x1b[0m\n"},
                         {"output_type": "execute_result", "execution_count": 1,
                          "data": {"text/plain": "1", "text/html": "<b>1</b>"}, "metadata": {}}]}]}))
        self.memo.clear()
        self._seen.clear()
        self.lines = LineMemo(self.lines.max_bytes)

    def _markdown(self, source: str, *, cell: bool = True) -> str:
        """The sanitised HTML of markdown ``source`` (a cell's, with links to ``files/`` made
        relative, as Jupyter does for cells only, or a text/markdown output's)."""
        html_text = self.markdown_to_html(source)
        if len(html_text) > MARKDOWN_GROWTH * len(source) + 4096:
            return "<pre><code>" + e(source, quote=False) + "</code></pre>"
        return sanitize_html(strip_files_prefix(html_text) if cell else html_text)

    def _output(self, out: dict) -> str:
        """One output of a code cell (cleaned: see ``_clean_output``)."""
        kind = out["output_type"]
        if kind == "stream":
            body = _PRINTED.fill(mime="text/plain" if out["name"] == "stdout" else _STDERR,
                                 text=ansi_to_html(out["text"]))
            return _OUTPUT.fill(result="", prompt="", body=body)
        if kind == "error":
            text = "".join("\n" + ansi_to_html(line) for line in out["traceback"])
            return _OUTPUT.fill(result="", prompt="", body=_PRINTED.fill(mime=_STDERR, text=text))
        data = out["data"]
        mime = next(m for m in KEPT_MIME if m in data)  # the first of them shows
        value = data[mime]
        if mime == "text/html":
            value = sanitize_html(value)
        elif mime == "text/markdown":
            value = self._markdown(value, cell=False)
        elif mime == "text/plain":
            value = ansi_to_html(value)  # images: base64 only (``_clean_output``), nothing to escape
        result = kind == "execute_result"
        extra = "jp-OutputArea-executeResult" if result else ""
        body = _DISPLAYED[mime].fill(extra=extra, value=value)
        return _OUTPUT.fill(result=" " + extra if result else "", prompt=f"Out{self._count}" if result else "",
                            body=body)

    def _cell(self, cell: dict) -> tuple[str, str]:
        """The HTML of one cleaned cell, as (before, after) the place of our result blocks,
        with this renderer's placeholders for its id and execution count."""
        if cell["cell_type"] == "markdown":
            return _MARKDOWN_CELL.fill(id=self._cell_id, html=self._markdown(cell["source"])), "\n"
        outputs = cell["outputs"]
        area = _OUTPUT_AREA.fill(children="\n".join(map(self._output, outputs))) if outputs else ""
        return _CODE_CELL.fill(id=self._cell_id, no_outputs="" if outputs else "jp-mod-noOutputs",
                               prompt=self._count, code=highlight_code(cell["source"], memo=self.lines),
                               outputs=area), "\n"

    def _fragments(self, cells: list[dict]) -> list[tuple[str, str]]:
        """The (before, after) HTML of every cell: from the memo, or else written (and kept, see
        ``_keep``); a cell repeated in the notebook is written once."""
        out = []
        made: dict[bytes, tuple[str, str]] = {}
        for cell in cells:
            key = cell_key(cell)
            value = self.memo.get(key) or made.get(key)
            if value is None:
                value = made[key] = self._cell(cell)
                self._keep(key, value)
            out.append(value)
        return out

    def _keep(self, key: bytes, value: tuple[str, str]) -> None:
        """Keep a rendered cell in the memo from the second time it is rendered on: most cells
        of a class are one student's own and never come back (2,900 of the 2,930 distinct
        cells of the benchmark's 400 notebooks), and keeping them filled the memo with 14 MB
        of pages that were never read again; the template's cells, met on every page, are
        rendered twice instead of once. The keys seen once are forgotten past ``SEEN_MAX``."""
        if key in self._seen:
            self.memo.put(key, value)
            return
        if len(self._seen) >= self.SEEN_MAX:
            self._seen.clear()
        self._seen.add(key)

    def render(self, nb: Any, *, title: str, top: str, after: dict[int, str]) -> str:
        """The HTML page of cleaned notebook ``nb`` (a dict with the ``cells`` of
        :func:`clean_cells`) with ``top`` before it and ``after[i]`` after cell i.

        ``title`` is plain text; ``top`` and ``after`` are HTML we built (already escaped).
        """
        return "".join(self.pieces(nb, title=title, top=top, after=after))

    def pieces(self, nb: Any, *, title: str, top: str, after: dict[int, str]) -> list[str]:
        """The page of :meth:`render` as the pieces it is joined from, in order (see
        :func:`grader.files.html_utf8`)."""
        cells = nb["cells"]
        out = [PAGE_HEAD, e(title), PAGE_AFTER_TITLE.format(css=self.css), top, PAGE_BEFORE_CELLS]
        count_mark, id_mark = self._count, f'"cell-id={self._cell_id}"'
        for index, (cell, (before, rest)) in enumerate(zip(cells, self._fragments(cells))):
            count = cell.get("execution_count")
            prompt = f"[{'&nbsp;' if count is None else count}]:"
            out.append(before.replace(id_mark, f'"cell-id={e(str(cell.get("id", "")))}"').replace(count_mark, prompt))
            blocks = after.get(index)
            if blocks:
                out.append("\n" + blocks)
            out.append(rest)
        out.append(PAGE_TAIL)
        return out


@functools.lru_cache(maxsize=1)
def default_renderer() -> FeedbackRenderer:
    """The process's renderer, built on first use (the stylesheet, the markdown parser).
    Build it before forking workers and they share it."""
    return FeedbackRenderer()


# --------------------------------------------------------------------------- result blocks


def _points(value: float) -> str:
    """Points as people write them: 2.5, 10, not 10.0."""
    return f"{value:g}"


def _quote(cells: Sequence[str], location: Location | None, *, context: int = 2) -> str:
    """The student's line at ``location`` with ``context`` lines around it, highlighted, or ''."""
    if location is None or location.cell is None or location.line is None:
        return ""
    if not 0 <= location.cell < len(cells):
        return ""
    lines = cells[location.cell].split("\n")
    target = location.line
    if not 1 <= target <= len(lines):
        return ""
    first, last = max(1, target - context), min(len(lines), target + context)
    out = []
    for number in range(first, last + 1):
        cls = ' class="grader-hit"' if number == target else ""
        out.append(f"<span{cls}><b>{number}</b>{e(lines[number - 1])}</span>")
    return '<pre class="grader-quote">' + "".join(out) + "</pre>"


@functools.lru_cache(maxsize=4096)
def _passed_case_html(name: str | None, hidden_number: int, points: float, max_points: float) -> str:
    """The ``<li>`` of a passed case (``name`` None for a hidden one): the same for every
    student who passes it, so made once."""
    title = f"hidden case {hidden_number}" if name is None else e(name)
    pts = f' <span class="grader-pts">({_points(points)} / {_points(max_points)})</span>'
    return (f'<li class="grader-pass"><span class="grader-mark">&#10003;</span>{title}: '
            f'{e(STATUS_WORDS.get(PASSED, PASSED))}{pts}</li>')


def _case_html(case: CaseResult, hidden_number: int, cells: Sequence[str], *, again: bool = False,
               say_why: bool = False) -> str:
    """One ``<li>`` for a case; a hidden case shows only its number, verdict, diagnosis and line
    (and, the first not run, why: ``say_why``, ``report.why_not_run``); a diagnosis a case
    above named (``again``) is not written out twice (``report.SAME_MISTAKE``)."""
    if case.status == PASSED and isinstance(case.name, str):
        return _passed_case_html(None if case.visibility == HIDDEN else case.name, hidden_number,
                                 case.points, case.max_points)
    ok = case.status == PASSED
    verdict = STATUS_WORDS.get(case.status, case.status)
    mark = "&#10003;" if ok else "&ndash;" if case.status == NOT_ATTEMPTED else "&#10007;"
    cls = "grader-pass" if ok else "grader-skip" if case.status == NOT_ATTEMPTED else "grader-fail"
    pts = f' <span class="grader-pts">({_points(case.points)} / {_points(case.max_points)})</span>'
    hidden = case.visibility == HIDDEN
    title = f"hidden case {hidden_number}" if hidden else e(case.name)
    parts = [f'<li class="{cls}"><span class="grader-mark">{mark}</span>{title}: {e(verdict)}{pts}']
    if not ok:
        failed_checks = [c for c in case.checks if not c.passed and c.message]
        if not hidden and failed_checks:
            parts.append('<ul class="grader-detail">' + "".join(
                f"<li>{prose(c.message)}</li>" for c in failed_checks) + "</ul>")
        elif (not hidden or say_why) and case.message:
            parts.append(f'<div class="grader-detail">{prose(case.message)}</div>')
        if hidden and case.status in (ERROR, CRASHED) and case.location:
            parts.append(f'<div class="grader-detail">At {e(case.location.describe())}.</div>')
        if case.diagnosis:
            said = SAME_MISTAKE if again else f"Likely mistake: {case.diagnosis.message}"
            parts.append(f'<div class="grader-diag">{prose(said)}</div>')
        if case.status in (ERROR, CRASHED) and case.location:
            if not hidden:
                parts.append(f'<div class="grader-detail">At {e(case.location.describe())}:</div>')
            parts.append(_quote(cells, case.location))
        if not hidden and case.output:
            text = case.output[:MAX_OUTPUT_CHARS]
            more = "\n…" if len(case.output) > MAX_OUTPUT_CHARS else ""
            parts.append(f'<div class="grader-detail">It printed:</div><pre class="grader-out">{e(text + more)}</pre>')
    parts.append("</li>")
    return "".join(parts)


def part_anchor(part: PartResult) -> str:
    """The HTML id of a part's result block (safe characters only)."""
    return _anchor(part.name)


@functools.lru_cache(maxsize=256)
def _anchor(name: str) -> str:
    """``part_anchor`` of a part named ``name``: the rubric's few names, each made once (twice
    a part on every page)."""
    return "grader-part-" + re.sub(r"[^A-Za-z0-9_-]", "_", name)


def part_block(part: PartResult, cells: Sequence[str], *, told: Sequence[str] = (),
               read: bool = True) -> str:
    """The result block of one part: heading with points and verdict, notes, one line per case;
    a case's message that ``told`` holds (the submission's messages, at the top of the page) or
    that is one of the part's notes (shown above its cases) is not repeated. ``read``: False when
    the submission could not be read (``report.part_verdict``: the words feedback.md says)."""
    verdict = part_verdict(part, read=read)
    cls = {PASSED: "grader-ok", NOT_ATTEMPTED: "grader-info"}.get(part.status, "grader-bad")
    where = ""
    if part.location and part.location.cell is not None:
        where = (f' <span class="grader-pts">(defined {"at" if part.location.script else "in"} '
                 f'{e(part.location.cell_label())})</span>')
    out = [f'<section class="grader-result {cls}" id="{part_anchor(part)}">',
           f"<h3><code>{e(part.name)}</code>{bonus_mark(part)}: {_points(part.points)} / {_points(part.max_points)}, "
           f"{e(verdict)}{where}</h3>"]
    notes = [n for n in student_notes(part) if n]
    if notes:
        out.append("<ul>" + "".join(f"<li>{prose(n)}</li>" for n in notes) + "</ul>")
    shown_cases = part.cases
    if part.status in (MISSING, NOT_IMPLEMENTED, NOT_ATTEMPTED) and notes:
        # Every case repeats the part's note; one line per case with its verdict suffices.
        shown_cases = tuple(dataclasses.replace(c, message="") for c in part.cases)
    elif told or notes:  # said once: a grader failure, an unreadable file at the top of the
        # page; a def's syntax error in the part's notes just above (as feedback.md does)
        said = (*told, *notes)
        shown_cases = tuple(dataclasses.replace(c, message="") if c.message in said else c
                            for c in part.cases)
    together = all_cases_line(part)
    if together:  # one line for cases none of which ran (report.all_cases_line)
        message = part.cases[0].message  # the cases' one message, unless said above (as feedback.md)
        detail = (f'<div class="grader-detail">{prose(message)}</div>'
                  if message and message not in (*told, *notes) else "")
        item = ('<li class="grader-skip"><span class="grader-mark">&ndash;</span>' if part.status == NOT_ATTEMPTED
                else '<li class="grader-fail"><span class="grader-mark">&#10007;</span>')  # a bonus left out
        out.append(f'<ul class="grader-cases">{item}{e(together)}{detail}</li></ul></section>')
        return "".join(out)
    hidden_number = 0
    items = []
    said: set[str] = set()  # sentences written above in this part (report.said_before, why_not_run)
    for case in shown_cases:
        if case.visibility == HIDDEN:
            hidden_number += 1
        items.append(_case_html(case, hidden_number, cells, again=said_before(case, said),
                                say_why=why_not_run(case, said)))
    if items:
        out.append('<ul class="grader-cases">' + "".join(items) + "</ul>")
    out.append("</section>")
    return "".join(out)


def _is_placed(part: PartResult, n_cells: int) -> bool:
    """Whether the part's block can go after the cell that defines its function."""
    loc = part.location
    return loc is not None and loc.cell is not None and 0 <= loc.cell < n_cells


def summary_html(result: SubmissionResult, *, placed: set[str], extra: str = "") -> str:
    """The top of the page: score, messages, a table of parts (linked to their blocks), and the
    blocks of parts not tied to a cell (functions missing from the notebook, the IMDB bonus).
    Verdicts are feedback.md's words (``report.part_verdict``)."""
    # Its functions were not looked for (a file that could not be read, a grader failure): not
    # "missing", and no block of cases each.
    read = result.graded
    out = [f'<header class="grader-summary"><h1>Feedback for {e(result.submission_id)}</h1>',
           f'<p class="grader-score">Score: {_points(result.points)} / {_points(result.max_points)}</p>']
    for message in result.messages:
        out.append(f'<div class="grader-msg">{prose(message)}</div>')
    if extra:
        out.append(extra)
    if result.parts:
        # An unread notebook's parts have no block to point to: no "where" column.
        head = "<th>where</th>" if read else ""
        out.append(f"<table><thead><tr><th>part</th><th>points</th><th>verdict</th>{head}</tr></thead><tbody>")
        for part in result.parts:
            verdict = part_verdict(part, read=read)
            if part.name in placed:
                where = f'<td><a href="#{part_anchor(part)}">{e(part.location.cell_label())}</a></td>'
            elif read:
                where = f'<td><a href="#{part_anchor(part)}">below</a></td>'
            else:
                where = ""
            out.append(f"<tr><td><code>{e(part.name)}</code>{bonus_mark(part)}</td>"
                       f'<td class="num">{_points(part.points)} / {_points(part.max_points)}</td>'
                       f"<td>{e(verdict)}</td>{where}</tr>")
        out.append("</tbody></table>")
    unplaced = [p for p in result.parts if p.name not in placed]
    if unplaced:
        missing = [p for p in unplaced if read and p.status == MISSING and p.location is None]
        others = [p for p in unplaced if p not in missing]
        if missing:
            out.append("<h2>Missing</h2>")
            out.extend(part_block(p, (), told=result.messages) for p in missing)
        if others and read:  # an unread notebook's parts: the table says all (not graded)
            out.append("<h2>Other results</h2>")
            out.extend(part_block(p, (), told=result.messages, read=read) for p in others)
    if placed:
        out.append("<p>The results of each function follow the cell that defines it in your notebook below.</p>")
    out.append("</header>")
    return "".join(out)


# --------------------------------------------------------------------------- pages


def results_page(result: SubmissionResult, *, reason: str = "", source: str | None = None) -> str:
    """A standalone results page (no notebook), with ``source`` (a ``.py`` file) shown if given."""
    # An unreadable submission's message already says why (the page cannot show it either).
    note = (f'<div class="grader-msg">Your notebook could not be shown: {e(reason)}</div>'
            if reason and result.status != "unreadable" else "")
    body = ""
    placed: set[str] = set()
    if source is not None:  # a .py file is "cell 0": its parts' blocks can quote its lines
        placed = {p.name for p in result.parts if _is_placed(p, 1)}
        blocks = "".join(part_block(p, (source,), told=result.messages) for p in result.parts
                         if p.name in placed)
        numbered = "".join(f"<span><b>{i}</b>{e(line)}</span>"
                           for i, line in enumerate(source.split("\n"), 1))
        body = (f'<h2>Your file</h2><pre class="grader-quote">{numbered}</pre>'
                f"<h2>Results</h2>{blocks}")
    top = summary_html(result, placed=placed, extra=note)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; img-src data:\">"
            f"<title>{e(result.submission_id)}</title><style>{CSS}</style></head>"
            f'<body><main class="grader-page">{top}{body}</main></body></html>\n')


def _read_source(path: Path) -> str | None:
    """The text of a ``.py`` submission as the grader reads it (NUL bytes kept: they count
    towards its size, see ``feedback_page``), or None if it cannot be read."""
    try:
        data = Path(path).read_bytes()[:MAX_NOTEBOOK_BYTES]
    except OSError:
        return None
    return data.decode("utf-8", "replace")


def feedback_page(result: SubmissionResult, *, notebook_path: Path,
                  renderer: FeedbackRenderer | None = None, limits: SizeLimits = SIZE_LIMITS) -> str:
    """The HTML of the feedback page (``write_feedback_html`` writes it); code over ``limits``
    is shown short (:func:`clean_cells`)."""
    return "".join(_page_pieces(result, notebook_path=notebook_path, renderer=renderer, limits=limits))


def _page_pieces(result: SubmissionResult, *, notebook_path: Path,
                 renderer: FeedbackRenderer | None = None,
                 limits: SizeLimits = SIZE_LIMITS) -> list[str]:
    """``feedback_page`` as the pieces it is joined from (:meth:`FeedbackRenderer.pieces`, or
    the whole of a standalone results page)."""
    notebook_path = Path(notebook_path)
    if notebook_path.suffix.lower() == ".py":
        source = _read_source(notebook_path)
        if source is not None:
            skipped = skipped_code([(0, len(source) - source.startswith("\ufeff"))], limits)
            source = source.replace("\x00", "")  # counted above, as the grader counts them
            if skipped:  # not read by the grader either (``grader.extract``): shown short
                source = _shortened(source, skipped[0], python_file=True)
        return [results_page(result, source=source)]
    try:
        cells = read_cells(notebook_path, limits=limits)
    except NotebookUnavailable as exc:
        return [results_page(result, reason=str(exc))]
    sources = [cell["source"] for cell in cells]
    placed = {p.name for p in result.parts if _is_placed(p, len(cells))}
    after: dict[int, str] = {}
    for part in result.parts:
        if part.name in placed:
            after[part.location.cell] = (after.get(part.location.cell, "")
                                         + part_block(part, sources, told=result.messages))
    renderer = renderer or default_renderer()
    try:
        return renderer.pieces({"cells": cells}, title=f"Feedback for {result.submission_id}",
                               top=summary_html(result, placed=placed), after=after)
    except Exception as exc:  # a hostile notebook (or a missing attachment): fall back, never fail the batch
        return [results_page(result, reason=f"the notebook could not be converted ({type(exc).__name__})")]


def write_feedback_html(result: SubmissionResult, *, notebook_path: Path, out_path: Path,
                        digests: dict[str, list] | None = None) -> Path:
    """Write the student's feedback page to ``out_path`` (atomically) and return ``out_path``.

    The page is ``notebook_path`` rendered with the results beside each graded function, or a
    standalone results page when the notebook cannot be rendered. Never raises for a bad
    submission; raises ``OSError`` only if ``out_path`` cannot be written. ``digests``, when
    given, receives ``[size, sha256]`` of the bytes written under the file's name.
    """
    out_path = Path(out_path)
    write_atomic(out_path, html_utf8(_page_pieces(result, notebook_path=notebook_path)), digests=digests)
    return out_path
