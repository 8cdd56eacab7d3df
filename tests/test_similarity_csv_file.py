"""similarity.csv is written as every other class output: atomically and readable by its owner only."""
from __future__ import annotations

import csv
import dataclasses
import os
import stat

import pytest

from grader.similarity import find_similar, write_similarity_csv
from grader.similarity import output as similarity_output

SOURCE = '''def f(x, y):
    total = 0
    for i in range(x):
        total += i * y
        if total > 100:
            total -= y
    return total
'''


def _report():
    subs = {f"s{i}": {"f": SOURCE.replace("total", f"t{i}")} for i in range(3)}
    report = find_similar(subs, threshold=0.1, min_shared=1, common_fraction=1.0)
    assert len(report.pairs) == 3 and all(p.flagged for p in report.pairs)
    return report


def test_similarity_csv_is_private_like_the_gradebook(tmp_path):
    """Under the usual umask (022) the gradebook is 0600; the similarity report, which names
    students suspected of copying, was 0644 (written with ``open``)."""
    old = os.umask(0o022)
    try:
        write_similarity_csv(_report(), tmp_path / "similarity.csv")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "similarity.csv").stat().st_mode)
    assert mode == 0o600, oct(mode)


def test_a_failed_write_keeps_the_earlier_report_whole(tmp_path, monkeypatch):
    """A write that fails half-way (here the third row; a full disk, Ctrl-C) leaves the earlier
    run's file as it was, not a truncated list that reads as the whole report."""
    path = tmp_path / "similarity.csv"
    report = _report()
    write_similarity_csv(report, path)
    before = path.read_bytes()
    assert before.count(b"\n") == 4

    real = similarity_output.spreadsheet_text
    seen = []

    def failing(value):
        seen.append(value)
        if len(seen) > 4:
            raise OSError("No space left on device")
        return real(value)

    monkeypatch.setattr(similarity_output, "spreadsheet_text", failing)
    changed = dataclasses.replace(report, pairs=tuple(reversed(report.pairs)))
    with pytest.raises(OSError):
        write_similarity_csv(changed, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["similarity.csv"]  # no temporary left
    with open(path, newline="", encoding="utf-8") as handle:
        assert len(list(csv.reader(handle))) == 4
