"""Copied-code detection across a class (see docs/similarity.md).

Public API::

    find_similar(submissions, *, template=None, known=None, threshold=..., common_fraction=...,
                 own_work=None) -> SimilarityReport
    write_similarity_csv(report, path) -> None
    render_similarity_html(report, submissions, *, top=10, known=None) -> str
    notebook_cells(notebook) -> cells; own_work_digest(cells, *, template=()) -> str | None

A flag is evidence for a human to read, never a grade change.

The names are imported on first use (PEP 562): a grading worker imports only
``grader.similarity.ownwork`` (hashlib) to digest a notebook's own work, not the
normaliser and NumPy-backed detection (about 70 ms per process).
"""
from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the submodule that defines it.
_WHERE = {
    "DEFAULT_COMMON_FRACTION": "detect", "DEFAULT_K": "detect", "DEFAULT_MEASURE": "detect", "DEFAULT_MIN_SHARED": "detect",
    "DEFAULT_THRESHOLD": "detect", "DEFAULT_WINDOW": "detect", "KNOWN_PREFIX": "detect",
    "SIMILAR_REASON": "detect", "PairMatch": "detect", "Regions": "detect", "SimilarityReport": "detect",
    "find_similar": "detect",
    "NormalisedCode": "normalise", "normalise_function": "normalise",
    "IDENTICAL_REASON": "ownwork", "MIN_OWN_CHARS": "ownwork", "notebook_cells": "ownwork",
    "own_work_digest": "ownwork",
    "CSV_COLUMNS": "output", "render_similarity_html": "output", "write_similarity_csv": "output",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    """The public name ``name`` from its submodule, imported now (then cached in this module)."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names with the module's own."""
    return sorted(set(globals()) | set(_WHERE))
