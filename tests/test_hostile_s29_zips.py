"""Session 29 hostile review: a student's uploaded zip under ``--gradescope`` (and a class run's
``StudentZips``), attacked as its author. What held is in docs/security.md ("Twenty-ninth
session: hostile review"); these are the holes closed."""
from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

from grader.gradescope import find_submission

NOTEBOOK = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()
MIB = 2**20


def _zeros_member(zf: zipfile.ZipFile, name: str, size: int) -> None:
    """A member of ``size`` zero bytes, written in chunks (the test never holds it whole)."""
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with zf.open(info, "w", force_zip64=True) as out:
        chunk = bytes(8 * MIB)
        for _ in range(size // len(chunk)):
            out.write(chunk)


def _written(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_zip_of_notebooks_larger_than_grading_reads_is_refused_unwritten(tmp_path):
    """Grading reads one notebook of at most 200 MiB (``notebook.DEFAULT_MAX_BYTES``) and report
    files of at most 256 KB; a student's zips were allowed 1 GiB, so a 1 MB upload of four
    256 MiB notebooks of zeros wrote 1 GiB into the grader's folder, about 4.7 s (1.2 s for each
    256 MiB measured), for a submission no grading could use (four notebooks). Now a student's
    zips expand to 256 MiB at most, and a zip whose members say they are larger is refused before
    anything is written. Here: two notebooks of 160 MiB (320 MiB), unpacked whole before."""
    submission = tmp_path / "submission"
    submission.mkdir()
    with zipfile.ZipFile(submission / "upload.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name in ("a.ipynb", "b.ipynb"):
            _zeros_member(zf, name, 160 * MIB)
    assert (submission / "upload.zip").stat().st_size < 2 * MIB
    unpack = tmp_path / "out" / ".unpacked"
    started = time.perf_counter()
    found = find_submission(submission, unpack_into=unpack)
    seconds = time.perf_counter() - started
    notes = " ".join(found.notes)
    assert "upload.zip was not unpacked" in notes, notes
    assert "over the limit of 268,435,456" in notes, notes
    assert _written(tmp_path / "out") == 0
    assert seconds < 1.0, seconds  # refused from the zip's directory, nothing decompressed


def test_zip_of_one_notebook_within_the_limit_is_still_unpacked(tmp_path):
    """The limit leaves room for what grading reads: a notebook at its 200 MiB bound and the
    report files beside it."""
    submission = tmp_path / "submission"
    submission.mkdir()
    with zipfile.ZipFile(submission / "upload.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        _zeros_member(zf, "big.ipynb", 200 * MIB)
        zf.writestr("imdb_report.json", json.dumps({"accuracy": 0.5}))
    found = find_submission(submission, unpack_into=tmp_path / "out" / ".unpacked")
    assert found.path.name == "big.ipynb", (found.path, found.notes)
    assert _written(tmp_path / "out") == 200 * MIB + len(json.dumps({"accuracy": 0.5}))
