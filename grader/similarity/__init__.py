"""Copied-code detection across a class (see docs/similarity.md).

Public API::

    find_similar(submissions, *, template=None, known=None, threshold=..., common_fraction=...) -> SimilarityReport
    write_similarity_csv(report, path) -> None
    render_similarity_html(report, submissions, *, top=10, known=None) -> str

A flag is evidence for a human to read, never a grade change.
"""
from grader.similarity.detect import (
    DEFAULT_COMMON_FRACTION,
    DEFAULT_K,
    DEFAULT_MIN_SHARED,
    DEFAULT_THRESHOLD,
    DEFAULT_WINDOW,
    KNOWN_PREFIX,
    PairMatch,
    Regions,
    SimilarityReport,
    find_similar,
)
from grader.similarity.normalise import NormalisedCode, normalise_function
from grader.similarity.output import CSV_COLUMNS, render_similarity_html, write_similarity_csv

__all__ = [
    "DEFAULT_COMMON_FRACTION", "DEFAULT_K", "DEFAULT_MIN_SHARED", "DEFAULT_THRESHOLD", "DEFAULT_WINDOW",
    "KNOWN_PREFIX", "CSV_COLUMNS", "PairMatch", "Regions", "SimilarityReport", "NormalisedCode",
    "find_similar", "normalise_function", "render_similarity_html", "write_similarity_csv",
]
