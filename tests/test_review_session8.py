"""Hostile review of session 8's changes: each test is a case that went wrong before its fix."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.discover import MAX_EXTRA_FILES, find_submissions


def test_a_report_file_is_read_whatever_else_the_folder_holds(tmp_path: Path):
    """The 64-file bound (``discover.MAX_EXTRA_FILES``) kept the shallowest files, then by
    name: a report beside a notebook in ``hw3/`` came after the ``data/`` files of the same
    depth (``"data/..." < "hw3/..."``) and was silently not read, so the IMDB bonus lost its
    claims and validation statement (and the student was not told). The files the grader
    reads by name (the bonus's report files) now come first."""
    folder = tmp_path / "eve"
    (folder / "data").mkdir(parents=True)
    (folder / "hw3").mkdir()
    (folder / "hw3" / "work.ipynb").write_text("{}")
    (folder / "hw3" / "imdb_report.json").write_text('{"LSTM": 0.85}')
    for k in range(MAX_EXTRA_FILES + 6):
        (folder / "data" / f"part{k:03d}.csv").write_text("1,2\n")
    (sub,) = find_submissions(tmp_path)
    read = sub.read_extra_files()
    assert len(read) == MAX_EXTRA_FILES
    assert read.get("hw3/imdb_report.json") == b'{"LSTM": 0.85}'


def test_the_report_names_read_first_are_the_bonus_s(tmp_path: Path):
    """One list of report names: what discover reads first is what the bonus looks for."""
    from grader.discover import REPORT_FILES as read_first
    from grader.imdb.claims import REPORT_FILES

    assert tuple(read_first) == tuple(REPORT_FILES)


def test_a_quote_inside_a_plain_value_is_not_blamed_for_a_later_syntax_error():
    """``title: a 5" screen`` is valid YAML (a quote inside a plain value opens nothing), but
    ``rubric._unclosed_quote`` took every line with an odd number of double quotes for a string
    left open: an indentation mistake two lines below was reported at the title's line, with
    the advice to close a quote that needs no closing. Only a quote that starts a value counts."""
    from grader.rubric import RubricError, parse_rubric

    text = 'version: 1\nname: rnn\ntitle: a 5" screen\nparts: 3\n bad: 1\n'
    with pytest.raises(RubricError) as info:
        parse_rubric(text, path="r.yaml")
    assert info.value.line == 5, str(info.value)
    assert "quote opened" not in str(info.value) and "close it" not in str(info.value), str(info.value)


def test_the_keys_of_a_file_that_is_not_a_rubric_are_quoted_short():
    """"this file is not a rubric ... (its keys: ...)" wrote each key in full: a YAML file whose
    key is 5,000 characters (an explicit ``? key``) gave a 5,200-character message. Each key is
    now cut as the quoted lines are (``rubric._shown``, 100 characters)."""
    from grader.rubric import RubricError, parse_rubric

    with pytest.raises(RubricError) as info:
        parse_rubric("? " + "k" * 5000 + "\n: 1\nother: 2\n", path="r.yaml")
    message = str(info.value)
    assert "not a rubric" in message and "other" in message, message[:300]
    assert len(message) < 600, len(message)
