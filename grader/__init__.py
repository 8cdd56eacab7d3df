"""Autograder of recurrent-network notebooks.

The one name exported here is :func:`check`, the self-check students call in
Jupyter (``from grader import check; check()``).  It imports its machinery
(NumPy, the engine) only when called, so ``import grader`` stays light.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Mapping, TextIO

__all__ = ["check"]


def check(function: str | None = None, *, namespace: Mapping[str, Any] | None = None,
          rubric: str | Path | None = None, stream: TextIO | None = None) -> Any:
    """Self-check the functions defined in your notebook on the public cases.

    ``check()`` checks every graded function, ``check("rnn_forward")`` one of
    them.  Prints a verdict per function (passed, failed, not implemented,
    missing, error) with what went wrong, and returns a small summary whose
    ``.ok`` is True when every public case passed.  ``namespace`` defaults to
    the caller's globals (the notebook's), ``rubric`` to ``rubrics/rnn.yaml``
    beside this package.
    """
    from grader.live import check as live_check

    if namespace is None:
        namespace = sys._getframe(1).f_globals
    return live_check(function, namespace=namespace, rubric=Path(rubric) if rubric else None,
                      stream=stream)
