"""sanitize_html's shortcut: markup it returns as it is (``is_plain_markup``) is exactly what the
cleaner (nh3) would write for it, and anything else still goes through the cleaner."""
from __future__ import annotations

import random

import pytest

from grader import feedback_html
from grader.feedback_html import is_plain_markup, sanitize_html

#: Text pieces: plain words, the characters the shortcut refuses (markup, entities, controls,
#: no-break space, surrogate-free noncharacters) and some it keeps (quotes, tabs, non-ASCII).
_TEXTS = ["x", "word and more", " ", "\n", "\t", "'quoted' \"twice\"", "é ✓ 名", "javascript:alert(1)",
          "50 %", "(student 3)", "", "`x`", "\u2028", "\U0001f600"]
_REFUSED_TEXTS = ["a > b", "a < b", "AT&T", "&amp;", "&#10003;", "\x00", "\x0c", "\r", "\x7f", "\x85",
                  "\xa0", "\ufffe", "-->", "<!--"]
_INLINE = ["em", "strong", "code"]
_BLOCKS = ["p", "h1", "h3", "h6"]


def _inline(rng: random.Random, depth: int = 0) -> str:
    """Text with inline tags around some of it."""
    out = []
    for _ in range(rng.randint(0, 3)):
        if depth < 2 and rng.random() < 0.4:
            tag = rng.choice(_INLINE)
            out.append(f"<{tag}>{_inline(rng, depth + 1)}</{tag}>")
        else:
            out.append(rng.choice(_REFUSED_TEXTS if rng.random() < 0.05 else _TEXTS))
    return "".join(out)


def _list(rng: random.Random, depth: int) -> str:
    """A list, its items holding text, paragraphs or another list."""
    tag = rng.choice(["ul", "ol"])
    items = []
    for _ in range(rng.randint(1, 3)):
        roll = rng.random()
        if roll < 0.2 and depth < 2:
            inner = _list(rng, depth + 1)
        elif roll < 0.4:
            inner = f"\n<p>{_inline(rng)}</p>\n"
        else:
            inner = _inline(rng)
        items.append(f"<li>{inner}</li>")
    return f"<{tag}>\n" + "\n".join(items) + f"\n</{tag}>"


def _fragment(rng: random.Random) -> str:
    """Markup the way the markdown renderer writes it (blocks, lists, inline), mostly plain."""
    out = []
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if roll < 0.5:
            tag = rng.choice(_BLOCKS)
            out.append(f"<{tag}>{_inline(rng)}</{tag}>\n")
        elif roll < 0.75:
            out.append(_list(rng, 0) + "\n")
        else:
            out.append(_inline(rng))
    return "".join(out)


def _mutated(rng: random.Random, fragment: str) -> str:
    """``fragment`` with one change that may make it not plain: a tag dropped, swapped, nested
    where the parser would move it, or given an attribute; or a foreign tag put in."""
    roll = rng.random()
    if roll < 0.2 and "</" in fragment:
        at = fragment.index("</")
        return fragment[:at] + fragment[fragment.index(">", at) + 1:]
    if roll < 0.4:
        at = rng.randrange(len(fragment) + 1)
        return fragment[:at] + rng.choice(["<p>", "</p>", "<h3>", "<li>", "</ul>", "<em>", "</code>",
                                           "<br />", "<hr>", "<pre>\n", "<b>", "<script>"]) + fragment[at:]
    if roll < 0.6:
        return fragment.replace("<p>", '<p class="grader-x">', 1).replace("<h3>", '<h3 id="a">', 1)
    if roll < 0.8:
        tag = rng.choice(_BLOCKS + ["ul", "li"])
        return f"<em><{tag}>x</{tag}></em>" + fragment
    return fragment.replace("</p>", "</P>", 1) + rng.choice(["<p><p>x</p></p>", "<h3><h3>x</h3></h3>",
                                                               "<li>x</li>", "<ul>x<em>y</em></ul>"])


def test_plain_markup_is_what_the_cleaner_writes():
    """Thousands of fragments, plain and altered: whenever the shortcut takes one, the cleaner
    gives it back byte for byte; and the shortcut does take most plain ones."""
    rng = random.Random(20261126)
    cleaner = feedback_html._cleaner()
    taken = checked = 0
    for number in range(4000):
        fragment = _fragment(rng)
        if number % 2:
            fragment = _mutated(rng, fragment)
        checked += 1
        if is_plain_markup(fragment):
            taken += 1
            assert cleaner.clean(fragment) == fragment, repr(fragment)
        assert sanitize_html(fragment) == cleaner.clean(fragment), repr(fragment)
    assert taken > checked // 5


@pytest.mark.parametrize("fragment", [
    "<h3>My checks (student 0)</h3>\n",
    "<p>Some <em>notes</em> with <code>x = 1</code> and <strong>bold</strong>.</p>\n",
    "<ul>\n<li>one</li>\n<li><p>two</p>\n<ol>\n<li>three</li>\n</ol>\n</li>\n</ul>\n",
    "",
    "plain text only",
])
def test_markdown_shaped_markup_takes_the_shortcut(fragment):
    assert is_plain_markup(fragment) and feedback_html._cleaner().clean(fragment) == fragment


@pytest.mark.parametrize("fragment", [
    '<p onclick="x()">a</p>', "<script>alert(1)</script>", "<p>a &amp; b</p>", "<!-- c --><p>a</p>",
    "<p>a<br />b</p>", "<pre>\nx</pre>", "<p><p>a</p></p>", "<h3><h3>a</h3></h3>", "<p>a",
    "<p>a</h3>", "<em><p>a</p></em>", "<ul><em>a</em></ul>", "<li>a</li>", "<p>a\x00b</p>",
    "<p>a\rb</p>", "<p>a\xa0b</p>", "<P>a</P>", "<p >a</p>", "<img src=x>", "a > b", "</p>",
])
def test_anything_else_goes_through_the_cleaner(fragment):
    assert not is_plain_markup(fragment)
    assert sanitize_html(fragment) == feedback_html._cleaner().clean(fragment)


def test_every_character_the_shortcut_lets_through_is_written_back_by_the_cleaner():
    """Character by character, as the cleaner's parser reads them: every code point the
    shortcut's text test lets through comes back unchanged inside a paragraph (the whole
    range, in runs of 2,048), and at the very start of a fragment (a sample of 20,000 and the
    characters parsers treat apart). A byte-order mark at the start is dropped by nh3's
    parser; the shortcut refuses it (found when bleach gave way to nh3)."""
    from grader.feedback_html import _NOT_PLAIN_TEXT

    clean = feedback_html._cleaner().clean
    let_through = [chr(cp) for cp in range(0x110000)
                   if not 0xD800 <= cp <= 0xDFFF and not _NOT_PLAIN_TEXT.search(chr(cp))]
    assert len(let_through) > 1_000_000
    for at in range(0, len(let_through), 2048):
        fragment = "<p>" + "".join(let_through[at:at + 2048]) + "</p>"
        assert clean(fragment) == fragment, at
    rng = random.Random(21)
    starts = rng.sample(let_through, 20_000) + ["\u2028", "\u200b", "\u00ad", "\U0010fffd", " ", "\t"]
    for ch in starts:
        assert clean(ch + "x") == ch + "x", hex(ord(ch))
    assert not is_plain_markup("\ufeffa") and sanitize_html("\ufeffa") == clean("\ufeffa") == "a"
