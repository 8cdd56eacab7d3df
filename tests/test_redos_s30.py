"""Student text the grader reads with regular expressions costs it linear time (session 30, "redos")."""
from __future__ import annotations

import html
import time

import pytest

from grader.feedback_html import _formatting_open_beyond, sanitize_html


@pytest.mark.parametrize("unit", ["a<", "<a", "<p a=b", '<p a="'])
def test_an_unclosed_tag_repeated_in_html_output_is_read_in_linear_time(unit):
    # Five <b> open more formatting elements than the page allows, so every tag was read with
    # findall: a tag name running to the end (no ">") was scanned again from each "<". 100,000
    # characters of "a<" in a text/html output took 101 s through grade.py (73 s here).
    text = "<b>" * 5 + (unit * 100_000)[:100_000]
    start = time.perf_counter()
    shown = sanitize_html(text)
    assert time.perf_counter() - start < 3.0
    assert shown == html.escape(text, quote=False)  # shown as text, as before


def test_formatting_elements_are_counted_as_before():
    # Controls: closed ones do not count; a failed tag or a sixth open one does.
    assert not _formatting_open_beyond("<b>x</b>" * 6 + "<i>y</i>", 4)
    assert _formatting_open_beyond("<b>" * 5 + "x", 4)
    assert _formatting_open_beyond("<b>x</b>" * 5 + "<a<a", 4)
    assert not _formatting_open_beyond("<b>x</b>" * 5 + "<a href=x>y</a>", 4)
    assert sanitize_html("<b>bold</b> <i>it</i>") == "<b>bold</b> <i>it</i>"
