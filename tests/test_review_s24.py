"""Session 24 review (correctness and consistency) of the twenty-third session's similarity changes.

Each test here failed on the code it was written against (b557f47) and passes with its fix.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from grader.similarity import detect
from tests.test_similarity_corpus import TEMPLATE, make_corpus


def _pairs(report) -> list[tuple]:
    """What a report lists, as plain values (the timing left out)."""
    stats = {name: value for name, value in report.stats.items() if name != "seconds"}
    return [(p.a, p.b, dict(p.scores), p.overall, p.flagged, p.shared, p.reason) for p in report.pairs] + [
        report.clusters, stats]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full to stand for a full disk")
def test_a_full_tmp_leaves_the_batches_to_this_process(tmp_path: Path, monkeypatch):
    """The helpers' batches go through a file in the temporary folder (b3b45ae). When it cannot be
    written (a full /tmp: unpacked zips live there too), the report is the one a single process
    makes, as the docstring promises ("the report does not depend on the helpers"); before, the
    OSError ended find_similar, and grade.py printed "Similarity check failed" with no report."""
    corpus = make_corpus(seed=4, n_independent=60, copies_per_disguise=1)  # over _POOL_MIN sources
    alone = detect.find_similar(corpus.submissions, template=TEMPLATE)
    named = tmp_path / "grader-similarity-batches.marshal"
    make = tempfile.mkstemp

    def full_disk(*args, **kwargs) -> tuple[int, str]:
        if kwargs.get("prefix") != "grader-similarity-":  # multiprocessing's shared memory, say
            return make(*args, **kwargs)
        named.touch()  # the batches' file is made, and every write to it finds no room
        return os.open("/dev/full", os.O_WRONLY), str(named)

    monkeypatch.setattr(tempfile, "mkstemp", full_disk)
    two = detect.find_similar(corpus.submissions, template=TEMPLATE, workers=2)
    assert alone.flagged
    assert _pairs(two) == _pairs(alone)
    assert not named.exists()  # what was made of the file is removed
