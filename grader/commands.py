"""The library behind ``grade.py``: each command as a function with keyword-only options (a class
run's, ``grade_class``, is ``grader.classrun``'s).

``grade.py`` parses arguments and calls these; tests call them directly. The
command line takes its defaults from these functions' signatures
(``default_of``), so the two cannot drift.
"""
from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Any, Callable, TextIO

from grader.classfiles import DEFAULT_RUBRIC
from grader.classrun import grade_class
from grader.exits import CommandError
from grader.gradingcontext import load_context, with_bonus

__all__ = ["default_of", "load_context", "with_bonus", "grade_class", "check_notebook", "student_kit",
           "gradescope"]


def default_of(function: Callable, name: str) -> Any:
    """The default value of keyword ``name`` of ``function`` (for the command line's defaults)."""
    return inspect.signature(function).parameters[name].default


# --------------------------------------------------------------------------- students


def check_notebook(notebook: Path, *, rubric: Path = DEFAULT_RUBRIC, function: str | None = None,
                   stream: TextIO | None = None) -> int:
    """``grade.py --check``: public cases only; the exit status of ``grader.selfcheck.run_check``."""
    try:
        from grader.selfcheck import run_check
    except ImportError as exc:
        raise CommandError(f"--check needs grader.selfcheck, which is not available ({exc})") from None
    return int(run_check(Path(notebook), rubric=Path(rubric), stream=stream or sys.stdout,
                         function=function))


def student_kit(out_dir: Path, *, rubric: Path = DEFAULT_RUBRIC, stream: TextIO | None = None) -> Path:
    """``grade.py --student-kit DIR``: what instructors hand to students (``grader.kit``)."""
    try:
        from grader import kit
    except ImportError as exc:
        raise CommandError(f"--student-kit needs grader.kit, which is not available ({exc})") from None
    earlier = kit.read_kit(Path(out_dir))  # before it is replaced: what changed since, to announce
    try:
        path = Path(kit.write_student_kit(Path(out_dir), rubric=Path(rubric)))
    except getattr(kit, "KitError", CommandError) as exc:
        raise CommandError(str(exc)) from None
    written = kit.read_kit(path)
    since = kit.changes_since(earlier, path)
    (stream or sys.stderr).write(
        f"Student kit written to {path} (version {written.version if written else '?'}"
        f"{f', grader {written.grader}' if written and written.grader else ''}, which its self-check "
        f"prints): hand out the folder whole (a zip of it); students run "
        f"`python3 grade.py --check NOTEBOOK` inside it, as its README.md says (Python 3.10+, "
        f"NumPy and PyYAML). Write it again after every rubric edit.\n" + (f"{since}\n" if since else ""))
    return path


# --------------------------------------------------------------------------- Gradescope


def gradescope(*, root: Path | None = None, rubric: Path = DEFAULT_RUBRIC,
               stream: TextIO | None = None) -> int:
    """``grade.py --gradescope``: grade ``ROOT/submission`` into ``ROOT/results/results.json``."""
    from grader.gradescope import DEFAULT_ROOT, run_gradescope

    return run_gradescope(root=Path(root) if root is not None else DEFAULT_ROOT,
                          rubric=Path(rubric), stream=stream or sys.stdout)
