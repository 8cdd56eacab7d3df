"""A class run's files while it runs: the last finished run's class files set aside, and a note
saying so, until this run finishes and writes its own.

A run killed outright (``kill -9``, the OOM killer, a power cut) left the earlier run's
``grades.csv``, ``report.html`` and ``similarity.csv`` in the folder, reading as current, even
after a rubric change: a TA at midnight uploaded them. Now a run, once it starts grading, renames
each class file ``NAME`` to ``previous-NAME`` and writes ``UNFINISHED_NOTE``; when it finishes
(Ctrl-C included: it writes what it graded) it writes its own files and removes both. Killed, it
leaves no ``grades.csv`` at all, the last finished run's gradebook under a name that says what it
is, and a note that says what happened and what to do; the next run reads the earlier gradebook
from there (``earlier``) and finishes the job.
"""
from __future__ import annotations

import contextlib
import os
import socket
import time
from pathlib import Path
from typing import Sequence

#: What a run writes in the output folder while it grades, and removes when it finishes.
UNFINISHED_NOTE = "GRADING-NOT-FINISHED.txt"
#: The prefix of a class file of the last finished run while a run after it grades.
PREVIOUS = "previous-"


def previous(out_dir: Path, name: str) -> Path:
    """Where the last finished run's class file ``name`` is while a run grades (or after it died)."""
    return Path(out_dir) / f"{PREVIOUS}{name}"


def earlier(out_dir: Path, name: str) -> Path:
    """The last finished run's class file ``name``: ``OUT/name``, or ``OUT/previous-name`` when a
    run killed since set it aside (``OUT/name`` then names the file, which does not exist)."""
    path = Path(out_dir) / name
    if not path.is_file() and previous(out_dir, name).is_file():
        return previous(out_dir, name)
    return path


def set_aside(out_dir: Path, *, names: Sequence[str], command: str = "grade.py") -> str | None:
    """Rename each class file ``names`` of ``out_dir`` to ``previous-NAME`` (one a killed run set
    aside already is kept: it is the last finished run's) and write ``UNFINISHED_NOTE``; return the
    line the run says of it (None when there was nothing to set aside and no note of a killed run)."""
    out_dir = Path(out_dir)
    killed = (out_dir / UNFINISHED_NOTE).is_file()
    moved = []
    for name in names:
        path = out_dir / name
        # A folder under the name (a student's, made by a grader before the thirty-fourth session,
        # whose ids could be these names) is not replaced: the class file stays where it is.
        if path.is_file() and not path.is_symlink() and not _is_folder(previous(out_dir, name)):
            os.replace(path, previous(out_dir, name))
            moved.append(name)
    aside = [name for name in names if previous(out_dir, name).is_file()]
    when = _finished_at(out_dir, aside)
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime())
    shown = ", ".join(f"{PREVIOUS}{name}" for name in aside) or "(none: no run had finished here)"
    from grader.files import write_atomic

    if _is_folder(out_dir / UNFINISHED_NOTE):  # as above: no note, rather than no run
        return None if not moved else f"The last run's class files are {shown} until this run finishes"
    write_atomic(out_dir / UNFINISHED_NOTE, (
        f"A run ({command}, process {os.getpid()} on {socket.gethostname()}, started {started}) is "
        f"grading into this folder, or was stopped before it finished (kill -9, a power cut, the "
        f"machine out of memory).\n\n"
        f"A run writes grades.csv, report.html and its other class files when it finishes, and "
        f"then removes this file and the files below. Until then, these are the last FINISHED "
        f"run's{when}, not this one's; submissions graded since are not in them:\n  {shown}\n\n"
        f"If no run is going on (a second run into this folder says whether one is), run the same "
        f"command again: what was graded is kept, and it writes the class files.\n"), mode=0o644)
    if killed:
        return (f"The run before this one into {out_dir} did not finish ({UNFINISHED_NOTE} was "
                f"there): what it graded is kept; this run writes the class files it did not. "
                f"Until this run finishes, {shown} are the last finished run's")
    if not moved:
        return None
    return f"The last run's class files are {shown} until this run finishes ({UNFINISHED_NOTE})"


def finished(out_dir: Path, *, names: Sequence[str]) -> None:
    """The run has written its class files: remove the last finished run's (``previous-NAME``)
    and ``UNFINISHED_NOTE``."""
    for path in [previous(out_dir, name) for name in names] + [Path(out_dir) / UNFINISHED_NOTE]:
        if not _is_folder(path):  # a folder under the name is a student's (``set_aside``)
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def _is_folder(path: Path) -> bool:
    """Whether ``path`` is a folder itself (not a link to one)."""
    return path.is_dir() and not path.is_symlink()


def _finished_at(out_dir: Path, names: Sequence[str]) -> str:
    """`` (finished YYYY-MM-DD HH:MM)``: when the newest of the set-aside files was written."""
    times = []
    for name in names:
        with contextlib.suppress(OSError):
            times.append(previous(out_dir, name).stat().st_mtime)
    if not times:
        return ""
    return f" (finished {time.strftime('%Y-%m-%d %H:%M', time.localtime(max(times)))})"
