"""The feedback page's sanitiser against a hostile notebook: twenty-second session's review.
Each test failed on 8e4d40d."""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path

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
