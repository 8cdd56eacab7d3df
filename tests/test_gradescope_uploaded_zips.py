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
    started = time.process_time()  # CPU: a loaded machine's wait is not the subject
    found = find_submission(submission, unpack_into=unpack)
    seconds = time.process_time() - started
    notes = " ".join(found.notes)
    assert "upload.zip was not unpacked" in notes, notes
    assert "over the limit of 268,435,456" in notes, notes
    assert _written(tmp_path / "out") == 0
    # refused from the zip's directory, nothing decompressed: 0.01 s of CPU; unpacking both
    # members costs 0.76 s (2026-11-29); the refusal took 1.8 s of wall time at nice 19 beside two busy loops
    assert seconds < 0.5, seconds


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


def test_zip_whose_directory_is_larger_than_any_class_zip_is_refused_unparsed(tmp_path):
    """The member limit (50,000) bounded how many names a zip's directory lists, not how long
    they are: 49,000 empty members of 2,000-character names (a 191 MB upload) cost
    ``find_submission`` 2.7 s and 350 MB to parse before the one notebook in it was unpacked,
    and the class run as much again for its key. A directory over 32 MiB (650 bytes a member at
    the limit; a name over 255 bytes is never written) is now refused unparsed. Here: 40 MB."""
    submission = tmp_path / "submission"
    submission.mkdir()
    with zipfile.ZipFile(submission / "upload.zip", "w", zipfile.ZIP_STORED) as zf:
        for number in range(20_000):
            zf.writestr(f"{number:06d}{'n' * 2000}.txt", b"")
        zf.writestr("rnn.ipynb", NOTEBOOK)
    started = time.process_time()  # CPU: a loaded machine's wait is not the subject
    found = find_submission(submission, unpack_into=tmp_path / "out")
    seconds = time.process_time() - started
    notes = " ".join(found.notes)
    assert "upload.zip was not unpacked" in notes and "directory" in notes, notes
    assert not (tmp_path / "out").exists() or _written(tmp_path / "out") == 0
    assert seconds < 0.5, seconds


def test_zip_directory_over_the_limit_keys_by_its_bytes(tmp_path, monkeypatch):
    """The class run's key of such a zip is its bytes (it is never unpacked), not a parse of
    its directory: ``zip_digest`` refuses it as ``StudentZips`` does."""
    import grader.archive as archive

    path = tmp_path / "upload.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("rnn.ipynb", NOTEBOOK)
    parsed = archive.zip_digest(path)
    assert archive.MAX_DIRECTORY_BYTES == 32 * MIB
    monkeypatch.setattr(archive, "MAX_DIRECTORY_BYTES", 10)  # the one member's entry is more
    assert archive.zip_digest(path) != parsed
