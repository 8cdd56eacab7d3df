"""The nh3 sanitiser on what real notebooks hold (session 21): tags it does not know as HTML.

Markdown passes raw HTML through, and students write angle brackets as text: ``List<int>``,
``a<t>``, ``x<sum>``. A browser (and bleach, the sanitiser before nh3) makes an unknown element
of ``<int>`` and shows the text inside it; ammonia, behind nh3, drops an element whose name is
an SVG or MathML element's (``int``, ``sum``, ``exp``, ``tanh``, ``mi``, ``text``...) with
everything inside it, so the rest of the student's paragraph vanished from the page.
"""
from __future__ import annotations

import pytest

from grader.feedback_html import sanitize_html


@pytest.mark.parametrize("fragment, kept", [
    ("<p>Each state is a List<int> of ids, kept per step</p>", "of ids, kept per step"),
    ("<p>the cell applies <tanh> then the output layer</p>", "then the output layer"),
    ("the loss is x<sum> over all time steps", "over all time steps"),
    ("<div>we take <exp> of the scores<br>and normalise them</div>", "and normalise them"),
    ("<p>matrix <mi>W</mi> times the input</p>", "matrix W times the input"),
    ("<ul><li>first <set>item</set> here</li><li>second</li></ul>", "item here"),
])
def test_text_after_a_tag_named_like_svg_or_mathml_is_kept(fragment: str, kept: str) -> None:
    """The tag goes, the text stays, as with any other tag outside the allowlist."""
    cleaned = sanitize_html(fragment)
    assert kept in cleaned
    assert "<tanh" not in cleaned and "<sum" not in cleaned and "<mi" not in cleaned


def test_svg_text_is_kept_as_text_and_its_markup_goes() -> None:
    """An inline SVG shows its labels as text (as bleach did), and nothing of SVG survives."""
    cleaned = sanitize_html('<svg width="9"><g><text x="1">hidden size</text></g>'
                            '<a href="javascript:alert(1)"><text>go</text></a></svg>')
    assert "hidden size" in cleaned and "go" in cleaned
    for needle in ("<svg", "<g", "<text", "href", "javascript"):
        assert needle not in cleaned


@pytest.mark.parametrize("fragment", [
    "<script>alert(1)</script>",
    "<style>p{color:red}</style>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><style>@import 'http://evil.example/a.css';</style></svg>",
    "<math><mi><style><img src=x onerror=alert(1)></style></mi></math>",
    "<template><script>alert(1)</script></template>",
])
def test_script_and_style_still_go_with_their_content(fragment: str) -> None:
    """What the renaming must not bring back: the text of scripts and style sheets."""
    cleaned = sanitize_html(fragment)
    assert "alert" not in cleaned and "color" not in cleaned and "import" not in cleaned
    assert "onerror" not in cleaned and "<img" not in cleaned.replace("<img>", "")


@pytest.mark.parametrize("fragment", [
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>">',
    '<svg><foreignObject><p class="grader-pass" onclick="x()">forged</p></foreignObject></svg>',
    '<int onclick="alert(1)" class="grader-fail" style="color:red">text</int>',
    '<SUM CLASS=Grader-pass>text</SUM>',
])
def test_renamed_tags_carry_nothing_active(fragment: str) -> None:
    """Whatever the input, the output holds no handler, script URL, style or grader- class."""
    cleaned = sanitize_html(fragment).lower()
    for needle in ("onclick", "onerror", "javascript", "style", "grader-", "<svg", "<math", "<x-"):
        assert needle not in cleaned


def test_known_html_and_plain_text_are_unchanged() -> None:
    """Names HTML knows are left to the allowlist as before; text with no tag is untouched."""
    assert sanitize_html("<p>a <b>bold</b> <font color=red>word</font></p>") == (
        "<p>a <b>bold</b> word</p>")
    assert sanitize_html("<p>x &lt; y and a<t>b</t></p>") == "<p>x &lt; y and ab</p>"
