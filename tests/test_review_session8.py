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
