"""A notebook's images and other rich outputs are left out before its JSON is decoded.

A 147 MB notebook of images peaked at 475 MB in the self-check (thirty-fifth session): the file's
bytes, their text (two bytes a character, for one non-ASCII character in a cell) and the parsed
image strings together, though no :class:`grader.notebook.Cell` holds an image.
"""
from __future__ import annotations

import base64
import json
import random
import tracemalloc

import pytest

from grader.notebook import SubmissionError, _parse_ipynb, _rich_outputs_blanked, loads
from tests import notebooks as nbs


def _image(k: int, size: int) -> str:
    return base64.b64encode(random.Random(k).randbytes(size)).decode()


def _rich_notebook(images: int, size: int) -> dict:
    """The course notebook (a "≈" in it: not ASCII) and ``images`` cells showing an image, an SVG
    (a list of lines), an HTML table with quotes and backslashes, and their text."""
    nb = nbs.course_notebook()
    svg = ["<svg>\n"] + [f'<path d="M{k} 0" stroke=\\"x\\"/>\n' for k in range(300)] + ["</svg>\n"]
    for k in range(images):
        nb["cells"].append(nbs.code_cell(f"show({k})", count=100 + k, outputs=[
            {"output_type": "display_data", "metadata": {"image/png": {"width": 640}},
             "data": {"image/png": _image(k, size), "text/plain": [f"<Figure {k}>"]}},
            {"output_type": "execute_result", "execution_count": 100 + k, "metadata": {},
             "data": {"image/svg+xml": svg, "text/html": '<td class="a\\b">' * 600 + "é",
                      "text/plain": f'"quoted" \\ text {k}'}}]))
    # A cell whose source quotes a MIME bundle: text inside a string, never taken for a key.
    nb["cells"].append(nbs.code_cell('out = {"image/png": "' + "A" * 5000 + '"}\nprint(out)\n', count=999))
    return nb


def _as_before(data: bytes, path: str) -> object:
    """What the reader made of ``data`` before: the whole text parsed."""
    return _parse_ipynb(data.decode("utf-8-sig"), len(data), path)


def test_a_notebook_read_without_its_images_is_the_notebook_read_whole():
    data = json.dumps(_rich_notebook(3, 20_000), indent=1, ensure_ascii=False).encode()
    read = loads(data, path="rich.ipynb")
    assert read == _as_before(data, "rich.ipynb")
    slim = _rich_outputs_blanked(data)
    assert slim.count(b'"image/png": ""') == slim.count(b'"image/svg+xml": ""') == slim.count(b'"text/html": ""') == 3
    assert read.cells[-1].source.startswith('out = {"image/png": "AAAA') and len(read.cells[-1].source) > 5000
    assert read.cells[-2].outputs == ("<Figure 2>", '"quoted" \\ text 2')


def test_a_notebook_of_images_is_read_in_little_more_than_its_bytes():
    data = json.dumps(_rich_notebook(20, 400_000), indent=1, ensure_ascii=False).encode()  # 11 MB
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        loads(data, path="images.ipynb")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < len(data) / 10, (peak, len(data))  # three times the file's size before


@pytest.mark.parametrize("cut", [0.5, 0.9999])
def test_a_notebook_cut_inside_an_image_is_said_truncated_as_before(cut):
    whole = json.dumps(_rich_notebook(2, 20_000), indent=1, ensure_ascii=False).encode()
    data = whole[:int(len(whole) * cut)]
    with pytest.raises(SubmissionError) as before:
        _as_before(data, "cut.ipynb")
    with pytest.raises(SubmissionError) as now:
        loads(data, path="cut.ipynb")
    assert str(now.value) == str(before.value)
    assert "truncated" in str(now.value)


def test_rich_values_of_many_tiny_strings_cost_the_read_little():
    """The lead's review (thirty-fifth session): lists of tiny strings under rich keys were walked
    item by item in Python, 1.2 s for 10 MB where json.loads takes 0.08 s (a notebook may be 200
    MB). Matched by the pattern engine now, a list of at most 50,000 strings, and the blanking,
    which only saves memory, stops after its 0.25 s: the cells are the same."""
    from tests.cpu import cpu_budget

    item = '{"output_type": "display_data", "metadata": {}, "data": {"text/html": [' + '"",' * 40000 + '"x"]}}'
    outputs = ",".join([item] * 300)  # 36 MB
    text = ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", '
            '"execution_count": 1, "metadata": {}, "id": "a", "source": "x = 1\\n", "outputs": [' + outputs + ']}]}')
    data = text.encode()
    with cpu_budget(2.0):
        nb = loads(data, path="tiny.ipynb")
    assert [cell.source for cell in nb.cells] == ["x = 1\n"]
