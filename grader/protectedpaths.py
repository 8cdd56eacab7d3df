"""What no child may see in a class run (the inputs, the output folder, logs, the solution), as real
paths resolved once a folder, and the zygotes started before the grading process imports the rest."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Sequence

from grader.classfiles import REPO
from grader.classsummary import entries_at_most
from grader.exits import CommandError


def protected_paths(*roots: Path, out_dir: Path, also: Sequence[Path] = (),
                    reads: Sequence[Path | None] = (), logs: Sequence[Path] | None = None) -> list[Path]:
    """What no child may see in a class run graded from ``roots`` (folders, or a notebook) into
    ``out_dir``: the reference, the rubrics and their fixtures, the output, the folders ``also``
    names (where the students' zips are unpacked), the files and folders of ``reads`` (the
    rubric, the roster, the known solutions: ``protected_inputs``), and the submissions' folder: other
    students' work is none of a child's business. A folder that holds the grader itself (``grade.py .``
    from the repository, a class folder the grader was put in) is hidden whole as any other: the
    zygote covers it and binds back, read-only, what it reads there (the grader's package, a
    virtual environment; ``_child._cover``), and Landlock's rules leave it out but for those.
    Until the thirtieth session its entries were listed here one by one, so that an entry added
    after the start (a late upload copied in) was open to every child where Landlock is absent.
    A folder that holds the system's own (``/``, ``/usr``) or is the interpreter's is refused.

    ``out_dir`` and the folders of ``also`` are made here when missing: a mount hides only what
    exists, and the zygotes are given these paths before the run makes its output folder, so
    where Landlock is absent (a kernel before 5.13) a first run into a new folder left it open to
    every child, a later student's function reading the feedback written for those before it.

    ``logs``: the run's log files as ``log_files`` found them (a class run finds them once for its
    zygotes and its workers: with piped output that reads every process's descriptors in
    ``/proc``); None, found now."""
    root_dirs = []
    for root in roots:  # several: the folders (or zips) of a run of several sources, each hidden
        root_dir = Path(root).resolve() if Path(root).is_dir() else Path(root).resolve().parent
        holds_grader = REPO.is_relative_to(root_dir)
        runtime = _runtime_paths() if holds_grader else frozenset()
        if holds_grader and (root_dir in runtime
                             or any(Path(top).is_relative_to(root_dir) for top in _SYSTEM_FOLDERS)):
            if not Path(root).exists():  # ``grade.py /subs``, a typo, was told its parent / holds the system's
                raise CommandError(f"{root}: no such file or folder")
            raise CommandError(f"{root}: this folder holds the grader's own Python or the system's "
                               f"folders, which the sandbox cannot hide from students' code; put the "
                               f"notebooks in a folder of their own and grade that folder")
        root_dirs.append(root_dir)
    for folder in (out_dir, *also):
        with contextlib.suppress(OSError):  # the run says why it cannot write there (``usable_out_dir``)
            Path(folder).mkdir(parents=True, exist_ok=True)
    return list(dict.fromkeys([REPO / "solution", REPO / "rubrics", out_dir.resolve(),
                               *(Path(folder).resolve() for folder in also), *protected_inputs(reads), *root_dirs,
                               *_temporary_folder(), *(log_files() if logs is None else logs)]))


def log_files() -> list[Path]:
    """The files this process's stdout and stderr write to, where they are files: the run's log an
    instructor redirected (``grade.py class/ > logs/run.log``), which names every student graded
    so far with their score. Until the thirty-second session a child read it where Landlock is
    absent and the log's folder was open to others. Found through ``/proc/self/fd`` (a class run
    needs Linux); where they are pipes, the files the pipes' readers write (``| tee run.log``,
    ``_piped_logs``; until the thirty-third session such a log was open as the other was)."""
    import stat

    found, pipes = [], set()
    for fd in (1, 2):
        try:
            mode = os.fstat(fd).st_mode
            if stat.S_ISREG(mode):
                found.append(Path(os.readlink(f"/proc/self/fd/{fd}")))
            elif stat.S_ISFIFO(mode):
                pipes.add(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            continue
    return found + (_piped_logs(pipes) if pipes else [])


def _piped_logs(pipes: set[str]) -> list[Path]:
    """The regular files open for writing in the other processes that hold one of ``pipes``
    (``"pipe:[12345]"``, as ``/proc/PID/fd`` links name them): ``tee``'s log at the end of
    ``grade.py ... | tee run.log``. Read from ``/proc`` (each process's descriptors: a few
    milliseconds once a run); a process this one may not inspect (another user's, without root) is
    passed over."""
    import stat

    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            links = {fd.name: os.readlink(fd.path) for fd in os.scandir(f"/proc/{entry.name}/fd")}
        except OSError:
            continue
        if not pipes & set(links.values()):
            continue
        for fd, target in links.items():
            try:
                with open(f"/proc/{entry.name}/fdinfo/{fd}", encoding="ascii") as info:
                    flags = next((int(line.split()[1], 8) for line in info if line.startswith("flags:")), 0)
                if flags & os.O_ACCMODE in (os.O_WRONLY, os.O_RDWR) and target.startswith("/") \
                        and stat.S_ISREG(os.stat(target).st_mode):
                    found.append(Path(target))
            except (OSError, ValueError):
                continue
    return found


def _temporary_folder() -> list[Path]:
    """The temporary directory (``TMPDIR``), where this run's folders and other runs' are, as a
    protected path, unless it holds the system's folders (``TMPDIR=/``). As root a zygote covers
    ``/tmp`` and ``/var/tmp`` anyway; until the thirty-first session a ``TMPDIR`` elsewhere
    (``/scratch``) was open where Landlock is absent: a child listed the runs' folders there and
    read what others may read (another program's temporary files)."""
    import tempfile

    folder = Path(tempfile.gettempdir()).resolve()
    if any(Path(top).is_relative_to(folder) for top in _SYSTEM_FOLDERS):
        return []
    return [folder]


def protected_inputs(reads: Sequence[Path | None]) -> list[Path]:
    """What of ``reads`` (a rubric YAML, a roster, known solutions; None: not given) a child must
    not see: each as it is, but a rubric as its folder, where its fixtures and caches are (the
    repository's ``rubrics/``), or, in a folder holding the grader or the system's own
    (``./rnn.yaml`` beside ``grade.py``, ``/etc/rnn.yaml``), as the YAML, its ``fixtures/`` and its
    cache. Until the thirtieth session only the repository's
    ``rubrics/`` was hidden: a course's own rubric's hidden fixtures, the class list and earlier
    years' solutions were open to every child where Landlock is absent."""
    from grader.files import SEALED_CACHE_DIR

    found: list[Path] = []
    for path in reads:
        if path is None:
            continue
        path = Path(path).resolve()
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            found.append(path)
        elif REPO.is_relative_to(path.parent) or any(Path(top).is_relative_to(path.parent) for top in _SYSTEM_FOLDERS):
            found += [path, path.parent / "fixtures", path.parent / SEALED_CACHE_DIR]
        else:
            found.append(path.parent)
    return found


#: What every child reads of the system (the libraries NumPy loads, ``/dev/urandom``, ``/proc``):
#: a submissions folder that holds one of them is refused (``protected_paths``). ``/tmp`` is not
#: among them: a grader cloned under ``/tmp`` grading a notebook in ``/tmp`` itself has the folder's
#: other entries hidden, as any folder holding the grader (``tests/test_lead_s25.py``).
_SYSTEM_FOLDERS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/dev", "/proc", "/sys",
                   "/var")


def _runtime_paths() -> frozenset[Path]:
    """The folders the zygote and its children read that may lie in a folder holding the grader:
    the grader's package, the interpreter's prefixes (a virtual environment in the repository's
    ``.venv``) and the folder NumPy is installed in, resolved."""
    import importlib.util

    paths = {REPO / "grader", *(Path(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix))}
    spec = importlib.util.find_spec("numpy")
    if spec is not None and spec.origin:
        paths.add(Path(spec.origin).parent.parent)
    return frozenset(path.resolve() for path in paths)


class RealPaths:
    """``Path.resolve`` for many files of few folders: each folder is resolved once (a
    resolve costs an ``lstat`` per component of the path), each file checked for being a
    link itself; a link is resolved in full."""

    def __init__(self) -> None:
        """An empty memo of resolved folders."""
        self._folders: dict[Path, Path] = {}
        self._cwd = Path.cwd()

    def __call__(self, path: Path) -> Path:
        """What ``path.resolve()`` gives."""
        path = self._cwd / path  # unchanged when absolute
        if path.is_symlink() or path.name in ("", ".", ".."):
            return path.resolve()
        parent = path.parent
        folder = self._folders.get(parent)
        if folder is None:
            folder = self._folders[parent] = parent.resolve()
        return folder / path.name


def start_zygotes(submissions: Path, *, out_dir: Path, wanted: int, force: bool,
                  stack: contextlib.ExitStack) -> list:
    """The zygotes (``grader.zygote.start_zygotes``) of the workers ``grade_class`` starts at once,
    started now, before this process imports the rest of the grader and loads the rubric and
    fixtures, or none: started only when the pool will be at once (a folder of submissions with
    everything to grade). The pool takes them out of the list and reaps them; those left in it
    when ``stack`` closes are stopped."""
    from grader import zygote

    if not submissions.is_dir():
        return []
    if not force:
        from grader.incremental import has_keys  # (imported after the zygotes' start otherwise)

        if has_keys(out_dir):
            return []
    started: list = []

    def stop_left() -> None:
        """Stop the zygotes no pool took."""
        while started:
            started.pop().stop()
    stack.callback(stop_left)
    try:
        # One interpreter's boot for all of them (the first forks its twins): fewer processes
        # share the cores with this one's imports.
        started.extend(zygote.start_zygotes(min(wanted, entries_at_most(submissions))))
    except OSError:
        stop_left()  # the pool starts its own
    return started
