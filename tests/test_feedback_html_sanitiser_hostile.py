"""The feedback page's sanitiser against a hostile notebook: twenty-second session's review.
Each test failed on 8e4d40d."""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from grader import feedback_html
from grader.models import SubmissionResult

_PNG = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()


def _page(tmp_path: Path, cells: list[dict]) -> str:
    """The feedback page of a notebook of ``cells`` (a result of no parts)."""
    path = tmp_path / "hostile.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}), "utf-8")
    result = SubmissionResult("mallory", str(path), "graded", 0.0, 1.0, ())
    return feedback_html.feedback_page(result, notebook_path=path)


def test_an_image_cannot_make_the_page_a_hundred_million_pixels_tall(tmp_path):
    # Kept as written, <img height=99999999> pushed everything after it out of reach; the
    # sizes a notebook's images use stay.
    huge = f'<img src="{_PNG}" height="99999999" width="&#57;99999999">'
    usual = f'<img src="{_PNG}" width="400" height="50%">'
    output = {"output_type": "display_data", "metadata": {},
              "data": {"text/html": huge, "text/plain": "image"}}
    page = _page(tmp_path, [{"cell_type": "markdown", "metadata": {}, "source": huge + "\n\n" + usual},
                            {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": "show()",
                             "outputs": [output]}])
    sizes = re.findall(r'<img [^>]*>', page)
    assert len(sizes) == 3, sizes
    assert not any("99999999" in tag for tag in sizes), sizes
    assert any('width="400"' in tag and 'height="50%"' in tag for tag in sizes), sizes
    assert feedback_html.sanitize_html('<img width="2001" height="101%">') == "<img>"
    assert feedback_html.sanitize_html('<img width=" 2000px " height="100%">') == \
        '<img width=" 2000px " height="100%">'


def _reopened(count: int, paragraphs: int, seed: int = 0) -> str:
    """``count`` formatting elements left open (distinct attributes: the parser keeps them all),
    then ``paragraphs`` new paragraphs, each of which closes them and has them opened again."""
    return "<p>" + "".join(f"<i data-n={seed}-{k}>" for k in range(count)) + "<p>x" * paragraphs


def test_formatting_elements_opened_again_at_every_paragraph_are_shown_as_text(tmp_path):
    # 500 open <i>, then <p>x 5,000 times (24 kB): 2.5 million elements on the page. On
    # 8e4d40d three outputs of 100 kB each cost the grading process 20 s and wrote a 250 MB page.
    output = {"output_type": "display_data", "metadata": {},
              "data": {"text/html": _reopened(500, 5_000), "text/plain": "x"}}
    page = _page(tmp_path, [{"cell_type": "code", "metadata": {}, "execution_count": 1, "source": "show()",
                             "outputs": [output]}])
    assert len(page) < 1_000_000, len(page)
    assert "&lt;i data-n=0-499&gt;" in page
    # What markdown and tidy HTML open at once stays markup: a link to bold italic code (four).
    nested = '<p><a href="https://x.example"><em><strong><code>code</code></strong></em></a></p>' * 3
    assert feedback_html.sanitize_html(nested) == nested
    assert feedback_html.sanitize_html(_reopened(4, 100)).startswith("<p><i><i><i><i></i></i></i></i></p>")
    assert feedback_html.sanitize_html(_reopened(5, 100)).startswith("&lt;p&gt;&lt;i data-n=0-0&gt;")
    # An a or nobr start tag closes the one open: many unclosed links are one open element.
    links = '<a href="https://x.example">x' * 50
    assert feedback_html.sanitize_html(links).count("<a ") == 50


@pytest.mark.parametrize("ignored", [
    "<table><td></b></td></table>", "<select></b></select>", "<textarea></b></textarea>", "<!-- </b> -->",
    "<span title='x>y</b>'></span>", "<span title=</b>></span>", "<span </b>></span>"])
def test_end_tags_the_parser_ignores_do_not_hide_open_formatting_elements(ignored):
    # Each </b> here is text, or beyond a table cell, for the parser, which keeps every <b>
    # open: 200 of them, then <p>x 20,000 times, cost 4 s and made 32 MB of page when these
    # end tags were counted as closing them.
    fragment = "<div>" + "".join(f"<b data-n={k}>{ignored}" for k in range(200)) + "</div>" + "<p>x" * 20_000
    out = feedback_html.sanitize_html(fragment)
    assert len(out) < 3 * len(fragment) and out.startswith("&lt;div&gt;")  # escaped: 2.5 times
    # A start tag written so that this reading cannot follow it counts as open.
    unfollowed = "<div>" + "".join(f'<b data-n="{k}"c=2>' for k in range(200)) + "</div>" + "<p>x" * 20_000
    assert feedback_html.sanitize_html(unfollowed).startswith("&lt;div&gt;")
    # Tidy markup with the same constructs stays markup.
    tidy = "<table><tr><td><b>x</b></td></tr></table><!-- note --><p>" + "<code>x</code>" * 10 + "</p>"
    assert feedback_html.sanitize_html(tidy).count("<code>") == 10


def test_a_link_definition_used_a_thousand_times_is_shown_as_text(tmp_path):
    # A reference link's URL is written again at each use: 10 cells of one 5,000-character URL
    # and 833 uses each made a 42 MB page (1.6 s of the grading process) on 8e4d40d.
    def cell(seed: int) -> dict:
        url = "https://x.example/" + "a" * 4_980 + str(seed)
        return {"cell_type": "markdown", "metadata": {}, "source": f"[r]: {url}\n\n" + "[x][r]" * 830}

    page = _page(tmp_path, [cell(k) for k in range(3)])
    assert len(page) < 200_000, len(page)
    assert page.count("[x][r]") == 3 * 830  # the student's markdown, as text
    # Highlighted code in markdown, the markup that grows most (22 times), stays markup.
    dense = "```python\n" + "a=b+c*d-e/f\n" * 300 + "```\n"
    page = _page(tmp_path, [{"cell_type": "markdown", "metadata": {}, "source": dense}])
    assert page.count("<span") > 300 * 10
