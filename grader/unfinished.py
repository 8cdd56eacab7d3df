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
    run killed or interrupted since set it aside (``OUT/name`` is then that run's, of part of the
    class, or names no file)."""
    path = Path(out_dir) / name
    unfinished = (Path(out_dir) / UNFINISHED_NOTE).is_file()
    if (unfinished or not path.is_file()) and previous(out_dir, name).is_file():
        return previous(out_dir, name)
    return path


def set_aside(out_dir: Path, *, names: Sequence[str], command: str = "grade.py") -> str | None:
    """Rename each class file ``names`` of ``out_dir`` to ``previous-NAME`` (one a killed run set
    aside already is kept: it is the last finished run's) and write ``UNFINISHED_NOTE``; return the
    line the run says of it, None when nothing needs saying now. A run that finishes puts its own
    files in their place, and one that stops says where the set-aside ones are (``still_aside``,
    ``stopped``): every run, a routine regrade too, said "The last run's class files are
    previous-... until this run finishes" until the thirty-fifth session. Said are a killed run's
    files (they are not this run's doing) and a move no note records (a folder under its name)."""
    out_dir = Path(out_dir)
    killed = (out_dir / UNFINISHED_NOTE).is_file()
    moved = []
    for name in names:
        path = out_dir / name
        if not path.is_file() or path.is_symlink():
            continue
        if killed:  # that run's own (an interrupted run's gradebook of part of the class): not the
            path.unlink()  # last finished run's, which stays as it is, or is none
        # A folder under the previous- name (a student's, made by a grader before the thirty-fourth
        # session, whose ids could be these names) is not replaced: the class file stays where it is.
        elif not _is_folder(previous(out_dir, name)):
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
        f"grading into this folder, or was stopped before it finished (Ctrl-C, kill -9, a power "
        f"cut, the machine out of memory).\n\n"
        f"A run writes grades.csv, report.html and its other class files when it finishes, and "
        f"then removes this file and the files below (a run interrupted with Ctrl-C writes the "
        f"grades.csv of the part of the class it graded, and leaves them). Until then, these are "
        f"the last FINISHED run's{when}, not this one's; submissions graded since are not in "
        f"them:\n  {shown}\n\n"
        f"If no run is going on (a second run into this folder says whether one is), run the same "
        f"command again: what was graded is kept, and it writes the class files.\n"), mode=0o644)
    if killed:
        return (f"The run before this one into {out_dir} did not finish ({UNFINISHED_NOTE} was "
                f"there): what it graded is kept; this run writes the class files it did not. "
                f"Until this run finishes, {shown} are the last finished run's")
    return None


def still_aside(out_dir: Path, *, names: Sequence[str]) -> str:
    """What a run interrupted before it graded everyone says of the last finished run's class files
    ``names``, which it leaves set aside with the note: where they are ("" for none)."""
    aside = [name for name in names if previous(out_dir, name).is_file()]
    if not aside:
        return ""
    return (f"The last finished run's class files stay, as {', '.join(f'{PREVIOUS}{n}' for n in aside)}"
            f"{_finished_at(Path(out_dir), aside)}, until a run finishes ({UNFINISHED_NOTE})")


def stopped(out_dir: Path, *, names: Sequence[str]) -> str:
    """What a run stopped before it wrote its class files (a crash, Ctrl-C while it wrote them, a
    full disk) says of ``out_dir``: what was graded is kept, the note, which of the last finished
    run's class files ``names`` are there as ``previous-NAME``, and what to run next; "" when no
    note is there (the run had not set anything aside, or had finished). Until the thirty-fourth
    session these stops said nothing of the note and the files it left."""
    out_dir = Path(out_dir)
    if not (out_dir / UNFINISHED_NOTE).is_file():
        return ""
    aside = [name for name in names if previous(out_dir, name).is_file()]
    kept = (f"the last finished run's class files are {', '.join(str(previous(out_dir, n)) for n in aside)}"
            f"{_finished_at(out_dir, aside)}" if aside
            else "no run had finished in this folder before, so it holds no gradebook yet")
    return (f"The run stopped before it wrote its class files: what it graded is kept (each student's "
            f"folder with its grading-key.json); {out_dir / UNFINISHED_NOTE} says so, and {kept}. "
            f"Upload nothing else from the folder: run the same command again, which grades what is "
            f"left and writes the gradebook and the class report")


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
