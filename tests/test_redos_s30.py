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


@pytest.mark.parametrize("line", [" " * 19_990 + "LSTM x", "LSTM" + " " * 19_990 + "x", "(" * 19_990 + "LSTM x"])
def test_a_long_line_naming_a_model_is_read_in_linear_time(line):
    # The label-and-number pattern read the leading spaces greedily, then gave them back one by
    # one to the label: 2,000 spaces before "LSTM x" took 13 s, a printed line of 20,000 (the
    # longest read) about 20 minutes (grade.py was stopped after 90 s). Twenty such lines are
    # the notebook's budget of 400,000 characters of lines.
    from grader.imdb.outputs import parse_events

    start = time.perf_counter()
    parse_events([line] * 20, accuracy_context=True)
    assert time.perf_counter() - start < 3.0


@pytest.mark.parametrize("line, acc", [("LSTM 0.85", 0.85), ("  (LSTM) - 85 %  ", 0.85),
                                       ("== GRU == .8637", 0.8637), ("LSTM\t\t0.5", 0.5),
                                       ("bi-LSTM (2 layers): 86.1 %", 0.861),
                                       ("LSTM" + " " * 60 + "0.9", 0.9)])
def test_a_label_and_a_number_are_read_as_before(line, acc):
    # Control: the lines the pattern is for still give their accuracy.
    from grader.imdb.outputs import AccuracyPrint, parse_events

    events = [e for e in parse_events([line], accuracy_context=True) if isinstance(e, AccuracyPrint)]
    assert [round(e.acc.value, 4) for e in events] == [acc], events
