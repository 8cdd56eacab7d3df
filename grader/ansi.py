"""Printed text (streams, plain-text results, traceback lines) as HTML for ``feedback.html``.

The text is escaped, then its ANSI "select graphic rendition" escapes (colours, bold,
underline, inverse) become ``<span>`` elements with the classes JupyterLab's stylesheet
names (``ansi-red-fg``, ``ansi-green-intense-bg``, ``ansi-bold``...; our CSS styles the
common ones), and 24-bit or 256-colour codes an inline ``color``/``background-color``. Every
other ``ESC [`` sequence is dropped. The markup is the one nbconvert's ``ansi2html`` filter
writes (the pages were rendered by it before; the tests compare the two), so a page looks
the same: the classes, the order of a span's classes and styles, and which codes count.

Nothing of the student's text reaches the page unescaped: the escapes are read from the
escaped text, and the tags around it are built from numbers only. What is left that a
terminal acts on (another escape, ``ESC ] 52`` writing a clipboard, a bell, a carriage
return, a bidi override) is written as the browser reads it (``grader.files.inert_text``),
so that the HTML is safe on a terminal without ``files.html_utf8`` (thirty-second session's
hostile review); nbconvert kept them.
"""
from __future__ import annotations

import collections
import dataclasses
import functools
import re

from grader.files import inert_text

__all__ = ["ansi_to_html", "escape_text"]

#: An escape sequence: ESC [ parameters final byte. Read on the escaped text, as nbconvert
#: reads it (an escaped quote or ampersand in the parameters makes them unreadable, not the
#: sequence longer); a sequence does not span lines.
_SEQUENCE = re.compile("\x1b\\[(.*?)([@-~])")
_NAMES = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
#: The five characters escaped, and what they become (the entities markupsafe writes).
_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("'", "&#39;"), ('"', "&#34;"))


def escape_text(text: str) -> str:
    """``text`` with ``& < > ' "`` written as character references."""
    for char, entity in _ENTITIES:
        if char in text:
            text = text.replace(char, entity)
    return text


def _colour_class(index: int) -> str:
    """The class stem of colour ``index`` (0-7 normal, 8-15 intense)."""
    return f"ansi-{_NAMES[index % 8]}" + ("-intense" if index >= 8 else "")


@dataclasses.dataclass(frozen=True)
class Rendition:
    """The graphic state that applies to the text: foreground and background (None, a
    colour index 0-15 or an RGB triple), bold, underline, inverse."""

    fg: int | tuple[int, int, int] | None = None
    bg: int | tuple[int, int, int] | None = None
    bold: bool = False
    underline: bool = False
    inverse: bool = False

    @functools.lru_cache(maxsize=1024)  # the same few sequences recur in a text
    def after_short(self, codes: tuple[int, ...]) -> "Rendition":
        """``after``, remembered: for the sequences of a few codes (a long one would hold its
        codes in the memo)."""
        return self.after(codes)

    def after(self, codes: tuple[int, ...]) -> "Rendition":
        """The state once ``codes`` (one sequence's parameters, in order) are applied; unknown
        codes are ignored, and a malformed extended colour ends the sequence."""
        state = dataclasses.asdict(self)
        left = collections.deque(codes)  # taken from the front: linear in a long sequence
        while left:
            code = left.popleft()
            if code == 0:
                state = dataclasses.asdict(Rendition())
            elif code in (1, 5):  # bold; blinking is shown bold too
                state["bold"] = True
            elif code == 4:
                state["underline"] = True
            elif code == 7:
                state["inverse"] = True
            elif code in (21, 22):
                state["bold"] = False
            elif code == 24:
                state["underline"] = False
            elif code == 27:
                state["inverse"] = False
            elif 30 <= code <= 37 or 90 <= code <= 97:
                state["fg"] = code - 30 if code < 90 else code - 90 + 8
            elif 40 <= code <= 47 or 100 <= code <= 107:
                state["bg"] = code - 40 if code < 100 else code - 100 + 8
            elif code in (39, 49):
                state["fg" if code == 39 else "bg"] = None
            elif code in (38, 48):
                colour = _extended_colour(left)
                if colour is None:
                    left.clear()
                else:
                    state["fg" if code == 38 else "bg"] = colour
        return Rendition(**state)

    @functools.lru_cache(maxsize=256)  # a handful of states recur in a class's tracebacks
    def tags(self) -> tuple[str, str]:
        """The start and end tags around text in this state ("" and "" in the default one)."""
        if self == _PLAIN:
            return "", ""
        fg = self.fg + 8 if self.bold and isinstance(self.fg, int) and 0 <= self.fg < 8 else self.fg
        bg = self.bg
        if self.inverse:
            fg, bg = bg, fg
        classes, styles = [], []
        for colour, side, css in ((fg, "fg", "color"), (bg, "bg", "background-color")):
            if isinstance(colour, int):
                classes.append(f"{_colour_class(colour)}-{side}")
            elif colour:
                styles.append(f"{css}: rgb({colour[0]},{colour[1]},{colour[2]})")
            elif self.inverse:
                classes.append(f"ansi-default-inverse-{side}")
        if self.bold:
            classes.append("ansi-bold")
        if self.underline:
            classes.append("ansi-underline")
        start = "<span"
        if classes:
            start += f' class="{" ".join(classes)}"'
        if styles:
            start += f' style="{"; ".join(styles)}"'
        return start + ">", "</span>"


_PLAIN = Rendition()


def _extended_colour(codes: collections.deque[int]) -> int | tuple[int, int, int] | None:
    """The colour of a ``38``/``48`` code, taken from the front of ``codes``: ``5;n`` (256
    colours: 0-15 the indexed ones, then the 6x6x6 cube and the greys as RGB) or ``2;r;g;b``;
    None when malformed (out of range, too few numbers). A ``38`` with nothing after it is
    ignored here; nbconvert's filter raises ``IndexError`` there (and the page fell back to
    the results alone), see docs/reports.md."""
    if not codes:
        return None
    kind = codes.popleft()
    if kind == 2 and len(codes) >= 3:
        rgb = (codes.popleft(), codes.popleft(), codes.popleft())
        return rgb if all(0 <= c <= 255 for c in rgb) else None
    if kind == 5 and codes:
        index = codes.popleft()
        if index < 0 or index > 255:
            return None
        if index < 16:
            return index
        if index < 232:
            cube = index - 16
            return tuple(55 + 40 * level if level else 0
                         for level in (cube // 36, cube % 36 // 6, cube % 6))  # type: ignore[return-value]
        grey = (index - 232) * 10 + 8
        return grey, grey, grey
    return None


def _codes(parameters: str, final: str) -> tuple[int, ...] | None:
    """The codes of one sequence, or None when it is not a readable colour sequence (another
    command, or parameters that are not numbers: both change nothing). An empty code is 0."""
    if final != "m":
        return None
    return _short_codes(parameters) if len(parameters) <= SHORT_PARAMETERS else _read_codes(parameters)


#: Parameters of at most this many characters (every real colour sequence) are read once per
#: process and their effect on a state remembered: a text's sequences repeat, and each cost
#: 27 us to apply anew (3 times nbconvert's filter on a text of resets); longer ones, which only
#: a hostile text holds, are read each time, so that the memos stay small.
SHORT_PARAMETERS = 24


def _read_codes(parameters: str) -> tuple[int, ...] | None:
    """The numbers of an ``m`` sequence's ``parameters``, or None when one is not a number."""
    try:
        return tuple(int(n) if n else 0 for n in parameters.split(";"))
    except ValueError:
        return None


#: ``_read_codes`` of short parameters, remembered.
_short_codes = functools.lru_cache(maxsize=1024)(_read_codes)


def ansi_to_html(text: str) -> str:
    """``text`` escaped, with its colour escapes as spans, its other ``ESC [`` sequences dropped and
    the rest of what a terminal acts on inert (``inert_text``)."""
    text = escape_text(text)
    if "\x1b" not in text:
        return inert_text(text)
    out: list[str] = []
    state = _PLAIN
    position = 0
    for match in _SEQUENCE.finditer(text):
        if match.start() > position:
            start, end = state.tags()
            out.extend((start, text[position:match.start()], end))
        parameters = match.group(1)
        codes = _codes(parameters, match.group(2))
        if codes:
            state = state.after_short(codes) if len(parameters) <= SHORT_PARAMETERS else state.after(codes)
        position = match.end()
    if position < len(text):
        start, end = state.tags()
        out.extend((start, text[position:], end))
    return inert_text("".join(out))
