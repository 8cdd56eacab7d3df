"""Identical own work: a digest of what a student wrote in a notebook, to find exact copies.

The fingerprint comparison (``detect.py``) ignores code that more than ``common_fraction`` of
the class holds, so two students who hand in the same notebook whose functions are the
course's usual solution share nothing it counts. This module gives each notebook a digest of
its *own work*: its code and markdown cells as text, outputs, execution counts, metadata and
cell ids ignored, whitespace at line ends and blank lines dropped, minus the cells identical to
the starter notebook's. Two submissions with the same digest handed in the same notebook (a
byte copy, or a copy Jupyter saved again).

The work is split so that each notebook is read once, by the worker that grades it:

* ``notebook_cells(notebook)`` (worker): ``(digest, characters)`` of each own-work cell, in
  notebook order, stored in ``OUT/<id>/functions.json`` (``OWN_WORK_FIELD``);
* ``own_work_digest(cells, template=...)`` (grading process): the digest of the cells left
  once the starter notebook's are taken out, or None when nothing worth comparing is left.

Nothing here runs or parses student code; cell text is only normalised and hashed.
"""
from __future__ import annotations

import hashlib
import re
from typing import Any, Iterable, Sequence

__all__ = ["OWN_WORK_KINDS", "MIN_OWN_CHARS", "IDENTICAL_REASON", "OWN_WORK_FIELD", "UNSEEN_NOTE", "REACHED_TAIL", "CellDigest",
           "normalise_cell_text", "cell_digest", "notebook_cells", "cells_from_json", "own_work_digest"]

#: The cell kinds that hold a student's own work (raw cells and outputs are not).
OWN_WORK_KINDS = ("code", "markdown")
#: Own work shorter than this many non-whitespace characters is not compared: a few lines are
#: too easily the same by chance (a judgement, not a measurement; about three lines of code).
MIN_OWN_CHARS = 200
#: What ``similarity.csv`` and the report say of a pair whose own work is identical.
IDENTICAL_REASON = "identical own work"
#: The key of ``OUT/<id>/functions.json`` that holds ``{"cells": [[digest, chars], ...], "attempted": bool}``.
OWN_WORK_FIELD = "own_work"
#: How a compared source begins when the code graded may not be the text compared, and how that
#: line ends when the text holds the functions the code reaches: ``grader.runner``'s, spelt again
#: here because the student kit holds the runner and not this package, and the class store's
#: entries do not depend on them (``tests/test_similarity_unseen_code.py`` keeps the two the same).
#: Read by the similarity check to score such a source by containment (``detect._noted_terms``)
#: and by the class report to list it (``output._unseen_html``).
UNSEEN_NOTE = "# grader: "
REACHED_TAIL = "; compared with the notebook's functions it reaches"
#: Hex length of a cell digest (BLAKE2b, 16 bytes).
_DIGEST_HEX = 32
_HEX = re.compile("[0-9a-f]{%d}" % _DIGEST_HEX)

#: ``(hex digest of the cell's kind and normalised text, its non-whitespace characters)``.
CellDigest = tuple[str, int]


def normalise_cell_text(source: str) -> str:
    """``source`` with line endings unified, whitespace at line ends removed and blank lines
    dropped: what a Jupyter re-save, an editor or a copy by hand may change without changing
    the work. Indentation and spaces within a line are kept."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line for line in (raw.rstrip() for raw in lines) if line)


def cell_digest(kind: str, source: str) -> CellDigest | None:
    """The ``CellDigest`` of one cell of ``kind`` (``"code"`` or ``"markdown"``), or None when
    its text is empty once normalised (such a cell is no work)."""
    text = normalise_cell_text(source)
    if not text:
        return None
    # surrogatepass: a notebook's JSON may hold a lone surrogate ("\ud800"), which strict UTF-8
    # refuses; it is hashed as it is, never an error.
    data = kind.encode("ascii") + b"\x00" + text.encode("utf-8", "surrogatepass")
    chars = len(text) - sum(text.count(c) for c in " \t\n\f\v")
    return hashlib.blake2b(data, digest_size=_DIGEST_HEX // 2).hexdigest(), chars


def notebook_cells(notebook: Any) -> tuple[CellDigest, ...]:
    """``CellDigest`` of each code and markdown cell of ``notebook`` (a ``grader.notebook.Notebook``),
    in notebook order, empty cells left out."""
    out = []
    for cell in notebook.cells:
        if cell.kind in OWN_WORK_KINDS:
            found = cell_digest(cell.kind, cell.source)
            if found is not None:
                out.append(found)
    return tuple(out)


def cells_from_json(value: Any) -> tuple[CellDigest, ...] | None:
    """The cell digests stored in ``functions.json`` (a list of ``[hex digest, chars]``), or None
    when ``value`` is not exactly that shape: the file is the grader's, but it is read as data
    that may be damaged, never trusted to be well formed."""
    if not isinstance(value, list):
        return None
    out = []
    for item in value:
        if not (isinstance(item, list) and len(item) == 2):
            return None
        digest, chars = item
        if not (isinstance(digest, str) and _HEX.fullmatch(digest)):
            return None
        if not (isinstance(chars, int) and not isinstance(chars, bool) and chars >= 0):
            return None
        out.append((digest, chars))
    return tuple(out)


def own_work_digest(cells: Sequence[CellDigest], *, template: Iterable[str] = (),
                    min_chars: int = MIN_OWN_CHARS) -> str | None:
    """The digest of a notebook's own work: its ``cells`` (``notebook_cells``) in order, without
    those whose digest is among ``template`` (the starter notebook's cell digests). None when
    what is left holds fewer than ``min_chars`` non-whitespace characters (an untouched
    template has none), so that it is never compared."""
    skip = frozenset(template)
    own = [(digest, chars) for digest, chars in cells if digest not in skip]
    if not own or sum(chars for _, chars in own) < min_chars:
        return None
    return hashlib.blake2b(",".join(digest for digest, _ in own).encode("ascii"), digest_size=16).hexdigest()
