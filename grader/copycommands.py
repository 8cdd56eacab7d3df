"""Commands to copy: the Python that runs the grader and the ``grade.py`` beside this package,
written as a shell wants them typed. A message that tells what to run names this Python (a
virtual environment's, not the PATH's ``python3``, which may lack NumPy) and this ``grade.py``
(by its path when run from another folder); ``grade.py``'s and the self-check's messages alike.
Standard library only: the student kit carries it."""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Sequence

__all__ = ["GRADE_PY", "grade_command", "module_command", "python_command", "quoted", "shown_path",
           "unquoted_path"]

#: The ``grade.py`` beside this package: the kit's, or the instructors' repository's.
GRADE_PY = Path(__file__).resolve().parent.parent / "grade.py"


def quoted(path: str) -> str:
    """``path`` as a shell would need it typed (quoted when it holds spaces: Windows' or macOS's
    "Program Files", "Application Support")."""
    return subprocess.list2cmdline([path]) if os.name == "nt" else shlex.quote(path)


def shown_path(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it (``grade.py`` from the
    kit's folder), else as it is."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def python_command() -> str:
    """``python3`` when that is this Python on the PATH (an activated venv's too), else this
    Python's path, quoted for the shell."""
    here = sys.executable or "python3"
    found = shutil.which("python3")
    return "python3" if found is not None and os.path.abspath(found) == os.path.abspath(here) else quoted(here)


def grade_command() -> str:
    """The command that runs this ``grade.py`` with this Python: ``grade.py``'s own messages said
    ``python3 grade.py`` whatever Python ran it (thirty-sixth session)."""
    return f"{python_command()} {quoted(shown_path(GRADE_PY))}"


def module_command(module: str) -> str:
    """The command that runs ``module`` (``grader.regenerate``) with this Python."""
    return f"{python_command()} -m {module}"


def unquoted_path(words: Sequence[str | Path], *, command: str) -> str | None:
    """What to say when ``words`` (the paths of a command line) are one path with spaces that
    the shell cut at its spaces, typed without quotes (``--check My Notebooks/rnn hw.ipynb``), or
    None: the words joined by single spaces name a file or folder that exists. They were told
    "3 notebooks given (...): check them one at a time" (``grade.py`` said "a class run takes one
    folder", also after ``--check``), for the one notebook the student meant. ``command`` is what
    goes before the path in the command to copy (``python3 grade.py --check``)."""
    texts = [str(word) for word in words]
    if len(texts) < 2:
        return None
    joined = " ".join(texts)
    try:
        if not Path(joined).exists():
            return None
    except (OSError, ValueError):  # a name too long for the system, a NUL
        return None
    return (f"{joined} has spaces in its path, and the shell cut it into {len(texts)} words at them: "
            f"put the path in quotes: {command} {quoted(joined)}")
