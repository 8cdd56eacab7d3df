"""The IMDB bonus's report file against the grading process: twenty-third session's review.
Each test failed on baac9f1."""
from __future__ import annotations

import json
import threading

from grader.imdb import load_imdb_config, score_imdb
from grader.imdb.claims import claims_from_report
from grader.notebook import loads
from tests import notebooks as nbs


def _deep_report(depth: int) -> bytes:
    return ('{"validation_split": {"x": ' + "[" * depth + "]" * depth + "}}").encode()


def test_a_report_nested_just_too_deep_to_write_again_gives_no_claims(default_recursion_limit):
    # json.loads reads imdb_report.json's lists a few levels deeper than json.dumps writes the
    # validation statement back from the claims' frames: one depth (988 in the grading worker)
    # raised RecursionError out of grade_submission. Every depth is tried, in a thread of its own
    # so that the window does not depend on the test runner's frames.
    nb = loads(json.dumps(nbs.course_notebook(extra_cells=nbs.imdb_cells())).encode(), path="x.ipynb")
    config = load_imdb_config(None)
    plain = score_imdb(nb, config=config, extra_files={}).points
    raised: list[tuple[int, str]] = []

    def scan() -> None:
        for depth in range(900, 1000):
            try:
                points = score_imdb(nb, config=config, extra_files={"imdb_report.json": _deep_report(depth)}).points
            except RecursionError as exc:
                raised.append((depth, type(exc).__name__))
            else:
                assert points == plain, (depth, points, plain)

    thread = threading.Thread(target=scan)
    thread.start()
    thread.join()
    assert raised == []


def test_claims_of_a_report_too_deep_to_write_are_none():
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    assert claims_from_report({"validation_split": {"x": deep}}, "imdb_report.json") == ([], [])
