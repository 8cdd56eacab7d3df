"""grader.highlight: the visible text is exactly the escaped source; Pygments' class names; the line memo."""
from __future__ import annotations

import html
import re

import pytest

from grader.highlight import (
    HIGHLIGHT_PREFIX, HIGHLIGHT_SUFFIX, LineMemo, escape, highlight_code, normalise,
)
from tests import notebooks as nbs
from tests.pages import parse

TRICKY = [
    "",
    "\n\n\n",
    "   ",
    "x = 'it''s' + \"say \\\"hi\\\"\" + 'a\"b' + \"c'd\"\n",
    "s = f\"{x!r:>{width}} {y['k']} {{literal}}\" + rb'\\x00' + Rb\"raw\" + u'u' + F'{z}'\n",
    "t = f\"{a[\"nested\"]}\"  # 3.12 nesting\n",
    "bad = 'unterminated\nnext = \"also unterminated\nfine = 1\n",
    "doc = '''never closed\n\nstill in it \\\\",
    "x = 1 \\\n    + 2\n",
    "s = 'line one \\\nline two'\n",
    "html = '<script>alert(1)</script>'  # <script>alert(2)</script> & </pre>\n",
    "\"\"\"</pre></div><script>alert(3)</script>\"\"\"\n",
    "if a < b and c > d or e & f: pass\n",
    "\tdef\ttabbed(x):\n\t\treturn x\t# tab\n",
    "a = 1\r\nb = 2\rc = 3\r\n",
    "\ufeffbom = 1\n",
    "π = 3.14159  # ünïcödé ✓ 😀\nnaïve_名前 = 'ß'\n",
    "%matplotlib inline\n%%time\n!pip install numpy  # '''\nx = 1\n",
    "  %timeit f(x)\n",
    "@decorator.attr(arg=1)\n@other\nclass Model(Base, metaclass=Meta):\n    \"\"\"Doc\n    string.\"\"\"\n",
    "from a.b import (c,\n    d as e)\nimport numpy as np, os.path\n",
    "raise ValueError('x') from None\nyield from gen()\n",
    "n = [0x1F, 0o17, 0b1010, 1_000, 1.5e-3, .5, 5., 3j, 1E10, 0xDEAD_BEEF]\n",
    "w = x@y; x @= z; f = lambda *a, **k: a -> None; q := 1\n",
    "weird = $ ? ` \\ \x00 \x0c\n",
    "'''a''' '''b''''\n",
    "x = '''\nline\n''' + \"\"\"\nother\n\"\"\"; y = 2\n",
    "print('#not a comment') # a 'comment' with \"quotes\"\n",
    "x = \"a\" # \"\"\"\ny = 2 \"\"\"\n\"\"\"\n",
]


def course_sources() -> list[str]:
    """The source of every code cell of the notebooks tests/notebooks.py writes."""
    notebooks = [nbs.course_notebook(extra_cells=nbs.imdb_cells()), nbs.alt_notebook(),
                 nbs.course_notebook({**nbs.mutate("rnn_cell_forward", "+ ba)", ")"),
                                      **nbs.mutate("lstm_forward", "for t in range(T_x):", "for t in range(None):")})]
    sources = ["".join(c["source"]) for nb in notebooks for c in nb["cells"] if c["cell_type"] == "code"]
    return sources + list(nbs.COURSE_CELLS.values()) + list(nbs.ALT_CELLS.values())


ALL = TRICKY + course_sources()


def body(markup: str) -> str:
    """The markup between the wrapper's prefix and suffix (asserting they are there)."""
    assert markup.startswith(HIGHLIGHT_PREFIX) and markup.endswith(HIGHLIGHT_SUFFIX)
    return markup[len(HIGHLIGHT_PREFIX):-len(HIGHLIGHT_SUFFIX)]


def strip_tags(markup: str) -> str:
    """``markup`` without its tags (the entities left as they are)."""
    return re.sub(r"<[^>]*>", "", markup)


@pytest.mark.parametrize("source", ALL)
def test_text_is_exactly_the_escaped_source(source):
    assert strip_tags(body(highlight_code(source))) == escape(normalise(source))


@pytest.mark.parametrize("source", ALL)
def test_only_our_span_tags_and_no_markup_from_the_source(source):
    page = parse(highlight_code(source))
    assert [t for t, _ in page.tags[:2]] == ["div", "pre"]
    for tag, attrs in page.tags[2:]:
        assert tag == "span" and list(attrs) in ([], ["class"]), (tag, attrs)
        assert re.fullmatch(r"[a-z0-9]{0,2}", attrs.get("class", "")), attrs
    # No span crosses a line (as Pygments writes them).
    for line in body(highlight_code(source)).split("\n"):
        assert line.count("<span") == line.count("</span>")


def test_normalise_is_what_pygments_lexes():
    assert normalise("") == " \n"
    assert normalise("\n\nx\n\n") == "x\n"
    assert normalise("a\r\nb\rc") == "a\nb\nc\n"
    assert normalise("\ufeffx") == "x\n"
    assert normalise("\tx  ") == "\tx  \n"


def test_visible_text_is_the_same_as_with_pygments():
    from nbconvert.filters.highlight import Highlight2HTML

    pygments = Highlight2HTML(pygments_lexer="ipython3")
    for source in ALL:
        ours = html.unescape(strip_tags(highlight_code(source)))
        theirs = html.unescape(strip_tags(pygments(source if source else " ")))
        assert ours == theirs, source


def classes(source: str) -> list[tuple[str, str]]:
    """(class, text) of every span of the highlighted ``source``."""
    return [(c, html.unescape(t)) for c, t in
            re.findall(r'<span class="([a-z0-9]+)">([^<]*)</span>', highlight_code(source))]


def test_pygments_class_names():
    found = classes(
        "import numpy as np\nfrom a.b import c\n@dec\ndef f(x=1.5, *a):\n"
        "    \"\"\"doc\"\"\"\n    s = 'q' + \"d\" + r'raw'  # note\n"
        "    return None, True, self, print(len(x)), ValueError, 0x1f, 10, x.print\n"
        "class A(B): pass\n%matplotlib inline\n!ls\nif x in y and not z: pass\n")
    for cls, text in [("kn", "import"), ("nn", "numpy"), ("k", "as"), ("nn", "np"), ("kn", "from"),
                      ("nn", "a"), ("nn", "b"), ("n", "c"), ("nd", "@dec"), ("k", "def"), ("nf", "f"),
                      ("mf", "1.5"), ("sd", '"""doc"""'), ("s1", "'q'"), ("s2", '"d"'), ("sa", "r"),
                      ("s1", "'raw'"), ("c1", "# note"), ("k", "return"), ("kc", "None"), ("kc", "True"),
                      ("bp", "self"), ("nb", "print"), ("nb", "len"), ("ne", "ValueError"),
                      ("mh", "0x1f"), ("mi", "10"), ("k", "class"), ("nc", "A"), ("n", "B"),
                      ("k", "pass"), ("o", "%"), ("k", "matplotlib"), ("o", "!"), ("ow", "in"),
                      ("ow", "and"), ("ow", "not")]:
        assert (cls, text) in found, (cls, text)
    assert ("n", "print") in found  # an attribute named like a builtin is a plain name


def test_strings_hide_what_looks_like_code_and_comments():
    found = classes("s = \"# not a comment\" + 'def x'  # 'not a string'\n")
    assert ("s2", '"# not a comment"') in found and ("s1", "'def x'") in found
    assert ("c1", "# 'not a string'") in found
    assert not any(c in ("k", "nf") for c, _ in found)


def test_other_language_is_escaped_without_colours():
    out = highlight_code("<b>x</b>", "html")
    assert out == '<div class=" highlight hl-html"><pre><span></span>&lt;b&gt;x&lt;/b&gt;\n</pre></div>\n'


@pytest.mark.parametrize("source", ALL)
def test_line_memo_gives_the_same_markup(source):
    memo = LineMemo()
    first = highlight_code(source, memo=memo)
    assert first == highlight_code(source)
    assert highlight_code(source, memo=memo) == first  # now from the memo


def test_line_memo_gives_the_same_markup_on_random_code():
    """Random code of the pieces that start, end or hide strings spanning lines (quotes, triple
    quotes, backslashes before a break, comments, magics): the lines put together from the memo
    are the whole cell's markup, also when the cell has none of the marks a spanning string
    needs (its lines are then taken one by one without scanning for strings)."""
    import random

    pieces = ['"', "'", '"""', "'''", "\\", "\n", "#", "%", "!", " ", "\t", "r", "b", "f", "x",
              "=", "(", ")", "\\\n", "\n%", "\n!", '"a"', "u'", "def ", "import ", "."]
    rng = random.Random(11)
    for _ in range(3000):
        source = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        assert highlight_code(source, memo=LineMemo()) == highlight_code(source), repr(source)


def test_line_memo_is_shared_across_cells_and_bounded():
    memo = LineMemo(max_bytes=20_000)
    for k in range(500):
        source = f"def f{k}(x):\n    \"\"\"Doc {k}\n    more.\"\"\"\n    return x + {k}  # <{k}>\n"
        assert highlight_code(source, memo=memo) == highlight_code(source)
        assert memo.nbytes <= memo.max_bytes
    assert 0 < len(memo) < 500 * 3
    # A line met before is found again: the same markup without highlighting it anew.
    shared = LineMemo()
    highlight_code("x = 1\ny = 2\n", memo=shared)
    held = len(shared)
    highlight_code("y = 2\nx = 1\n", memo=shared)
    assert len(shared) == held


def test_many_strings_spanning_lines_cost_the_cell_length_not_its_square():
    """A hostile cell of many multi-line strings (and magics and comments between them): the
    lines the strings span were found by counting line breaks from the cell's start for each
    string, which made such a cell of 800 kB cost about a minute of the grading process.
    Signal: a scaling test (CPU at 2,500 and 20,000 units, tests/scaling.py), not seconds."""
    from tests.scaling import assert_linear

    unit = '"""\n"""\ns = \'a\\\nb\'\n%time x\n# c\n'
    source = unit * 20_000
    assert highlight_code(source, memo=LineMemo()) == highlight_code(source)
    assert_linear(lambda text: highlight_code(text, memo=LineMemo()), lambda n: unit * n, 2500,
                  what="highlighting n multi-line strings")


def _merged_lines(text: str, spans) -> list[list[int]]:
    """The [first, last] lines of the spans (start, end) of ``text`` that hold a line break
    (one that starts a span, before a magic, not counted), overlapping ones merged."""
    out: list[list[int]] = []
    for start, end in spans:
        if text[start:start + 1] == "\n":
            start += 1
        if text.find("\n", start, end) == -1:
            continue
        first, last = text.count("\n", 0, start), text.count("\n", 0, end)
        if out and first <= out[-1][1]:
            out[-1][1] = max(out[-1][1], last)
        else:
            out.append([first, last])
    return out


def test_the_scan_for_strings_spanning_lines_finds_the_lines_of_the_full_lexer():
    """The quick scan that groups a cell's lines (``_spanning``: strings from their quote, a
    magic at the cell's start apart) finds exactly the lines that the full lexer's tokens
    spanning lines cover, on random code of quotes, string prefixes, comments and magics."""
    import random

    from grader.highlight import _TOKENS, _spanning

    pieces = ['"', "'", '"""', "'''", "\\", "\n", "#", "%", "!", " ", "\t", "r", "b", "f", "x",
              "=", "(", ")", "\\\n", "\n%", "\n!", '"a"', "u'", "rb'''", 'f"""', "def ", "."]
    rng = random.Random(5)
    for _ in range(5000):
        text = normalise("".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))))
        expected = _merged_lines(text, (m.span() for m in _TOKENS.finditer(text)))
        assert _merged_lines(text, (m.span() for m in _spanning(text))) == expected, repr(text)
