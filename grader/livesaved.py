"""What ``check()`` in Jupyter says of a graded function whose cell, in the notebook file as last
saved, is not the definition the kernel runs: a cell edited and not run again, or a notebook not
saved since the cell ran (:func:`saved_notes`).

``check()`` grades the functions the kernel holds; the instructor grades the file. A student who
edits a cell and calls ``check()`` without running it read "passed" of the old definition, or the
error they had just fixed (thirty-eighth session). The kernel knows the notebook's file where the
front end says it: ``__vsc_ipynb_file__`` (VS Code), ``__session__`` (ipykernel, from Jupyter
Server's ``JPY_SESSION_NAME``, the notebook's path when the kernel started; absolute, or relative to
the server's folder), or the path given to ``check(notebook=...)``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Collection, Mapping

from grader.models import cell_words

#: The globals a front end sets to the notebook's path, in the order they are trusted.
_PATH_GLOBALS = ("__vsc_ipynb_file__", "__session__")


def notebook_on_disk(namespace: Mapping[str, Any], given: str | os.PathLike[str] | None = None) -> Path | None:
    """The notebook file the kernel of ``namespace`` was opened from (``given`` alone when given: one
    not found is not replaced by the front end's, which may be the name before a rename), when it is
    an existing ``.ipynb`` file; None when no front end says which (a console, Colab, nbconvert)."""
    said = [given] if given is not None else (
        [namespace.get(name) for name in _PATH_GLOBALS] + [os.environ.get("JPY_SESSION_NAME")])
    for value in said:
        if not isinstance(value, (str, os.PathLike)) or not str(value).endswith(".ipynb"):
            continue
        path = Path(os.path.expanduser(os.fspath(value)))
        for candidate in (path, Path.cwd() / path.name) if not path.is_absolute() else (path,):
            try:
                if candidate.is_file():
                    return candidate
            except OSError:  # a path the kernel cannot look at: as if none were said
                continue
    return None


def unfound_note(namespace: Mapping[str, Any], given: str | os.PathLike[str] | None = None) -> str | None:
    """What ``check()`` says when ``notebook_on_disk`` found no file although one was named: by the
    student (``check(notebook=...)``, a typo or a Colab path not mounted), or by the front end when
    the kernel started (ipykernel sets ``__session__`` once, from ``JPY_SESSION_NAME``: renamed since,
    the note on a cell edited and not run again was missed without a word; a restart renews it only with
    a Jupyter Server newer than 2023's jupyter_server#1341, so the note names the argument, not a restart). None
    where nothing names a file (Colab, a console): nothing is compared, and nothing is claimed."""
    if given is not None:
        return (f"check(notebook={os.fspath(given)!r}) names no notebook file (.ipynb) this kernel finds (its "
                f"folder is {Path.cwd()}), so check() could not see whether a cell there was edited "
                f"and not run again. Give the path of your .ipynb file, as the file browser shows it.")
    said = [value for value in [namespace.get(name) for name in _PATH_GLOBALS] + [os.environ.get("JPY_SESSION_NAME")]
            if isinstance(value, (str, os.PathLike)) and str(value).endswith(".ipynb")]
    if not said:
        return None
    return (f"This notebook was {Path(os.fspath(said[0])).name} when its kernel started, and no file of that "
            f"name is there now (renamed or moved since?), so check() could not see whether a cell was edited and "
            f"not run again. Name the file: check(notebook=\"NEW NAME.ipynb\").")


def _lines(source: str) -> tuple[str, ...]:
    """``source``'s lines without trailing blanks and without blank lines at its ends: what a
    definition is, whatever the cell's spacing."""
    return tuple(line.rstrip() for line in source.strip("\n").split("\n"))


def saved_notes(path: Path, kernel: Mapping[str, tuple[str, int | None]], *,
                functions: Collection[str], named_at_start: bool = False) -> tuple[str, ...]:
    """The notes on the graded ``functions`` whose last definition in the notebook file ``path``
    differs from the kernel's: ``kernel`` maps a function's name to its source as the kernel ran it
    and the execution count of the cell that ran it (None when unknown). A file that cannot be read
    gives no note (check() says nothing of a file it could not read). ``named_at_start``: ``path`` is
    the name the front end gave when the kernel started, not one the student gave; a notebook saved
    under another name since leaves it behind, and the note to save says so."""
    from grader.extract import extract
    from grader.notebook import SubmissionError, load

    try:
        saved = extract(load(path))
    except (SubmissionError, OSError, ValueError):
        return ()
    notes = []
    for name in functions:
        if name not in kernel or name not in saved.functions:
            continue
        source, count = kernel[name]
        held = saved.functions[name]
        if not source or _lines(held.source) == _lines(source):
            continue
        prompt = saved.prompts.get(held.cell_index) if held.cell_index is not None else None
        cell = cell_words(held.cell_index, prompt) if held.cell_index is not None else "its cell"
        ran = f"In [{count}]" if count is not None else "a cell"
        if count is not None and prompt == count:
            notes.append(f"`{name}` in {cell} of {path.name}, as last saved, is not the definition this kernel "
                         f"ran as {ran}: the cell was edited and not run again, and check() checked the "
                         f"definition the kernel holds. Run {cell} (Shift-Enter), then check() again: "
                         f"your instructor grades the file.")
        else:
            notes.append(f"`{name}` in {cell} of {path.name}, as last saved, is not the definition this kernel "
                         f"ran as {ran}, which check() checked: run that cell again if you edited it, and save "
                         f"the notebook (Ctrl-S) before you submit: your instructor grades the file."
                         + (f" (If you have renamed the notebook or saved it under another name since this kernel "
                            f"started, check() read the old file: give yours, check(notebook=\"NEW NAME.ipynb\").)"
                            if named_at_start else ""))
    return tuple(notes)
