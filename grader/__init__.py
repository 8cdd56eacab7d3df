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

    In a kernel without NumPy or PyYAML it prints what to install (``%pip install ...``)
    and returns None instead of failing with an import error's traceback; when the checker
    itself fails it prints so, then the lines to send to the instructor, and returns None.
    """
    from grader.selfcheck import missing_requirements

    lacking = missing_requirements()
    if lacking is not None:
        print(f"check() cannot run: {lacking}\nIn Jupyter, run `%pip install numpy pyyaml` in a cell, "
              f"restart the kernel, then call check() again.", file=stream or sys.stdout)
        return None
    from grader.live import check as live_check

    if namespace is None:
        namespace = sys._getframe(1).f_globals
    return live_check(function, namespace=namespace, rubric=Path(rubric) if rubric else None,
                      stream=stream)
