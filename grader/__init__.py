"""Autograder of recurrent-network notebooks.

The one name exported here is :func:`check`, the self-check students call in
Jupyter (``from grader import check; check()``).  It imports its machinery
(NumPy, the engine) only when called, so ``import grader`` stays light.
"""
import sys
from pathlib import Path
from typing import Any, Mapping, TextIO

__all__ = ["check", "exit_status_of", "exit_at_once"]


# Read by grade.py, the kit's grade.py and a kernel's ``import grader`` before anything tells
# an old Python why it cannot run the grader, so this module parses and runs on any Python
# from 3.6 on (Ubuntu 18.04's python3): no ``from __future__ import annotations`` (3.7), and
# annotations evaluated when a def runs written as strings (``str | None`` is 3.10's).

#: The oldest Python the grader runs on (``pyproject.toml``'s ``requires-python``): its modules
#: use dataclasses' ``kw_only``, which an older one fails to import with a traceback.
OLDEST_PYTHON = (3, 10)


def older_than_supported(version: tuple) -> "str | None":
    """``version`` (``sys.version_info``) as "3.9.18" when it is older than ``OLDEST_PYTHON``,
    None when the grader runs on it: one test for ``grade.py``, the kit's ``grade.py`` and
    ``check()``, each of which says it in its own words before importing the grader's modules
    (this package's ``__init__`` imports nothing an old Python refuses)."""
    if tuple(version[:2]) >= OLDEST_PYTHON:
        return None
    return ".".join(map(str, version[:3]))


def value_left_out(argv: "list", option: str) -> bool:
    """Whether ``option`` (``--check``) is in ``argv`` (``sys.argv[1:]``) with no value: last, before
    another option, or ``--check=``. ``grade.py`` and the kit's ``grade.py`` ask it before argparse,
    whose "expected one argument" they replace with the command to copy: the option takes one value
    (``nargs="?"`` had made ``--help`` say ``--check [NOTEBOOK]``, as if the notebook were optional).
    An abbreviation argparse takes (``--chec``) counts as the option."""
    for at, word in enumerate(argv):
        if word == "--":  # what follows is positional
            return False
        if word == option + "=":
            return True
        if len(word) > 3 and option.startswith(word):
            after = argv[at + 1] if at + 1 < len(argv) else None
            if after is None or (after.startswith("-") and after != "-"):
                return True
    return False


def exit_status_of(main: "Any") -> int:
    """``main()``'s exit status for ``grade.py`` and the kit's ``grade.py``, where output piped into
    a reader that stopped early (``| head``, ``| less`` quit before the end) ends the run quietly,
    status 1: the check printed "Self-check failed because of a problem in the checker", then
    BrokenPipeError's traceback twice, for a student who had only stopped reading (thirty-fourth
    session)."""
    import os

    try:
        status = main()
        sys.stdout.flush()  # here, not at exit, where a closed pipe is one more traceback
        return status
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the interpreter's last flush
        return 1


def exit_at_once(status: int) -> "None":
    """Leave the process now with ``status``, without the interpreter's teardown: ``grade.py``'s
    last step. Freeing every module and object one by one (NumPy's, the grader's, the fixtures)
    took 20-60 ms after a class run's last line (thirty-eighth session), memory the operating
    system takes back at once. What an exit does that matters is done first: the ``atexit``
    functions (``multiprocessing``'s, ``logging``'s, a coverage tool's), then the standard streams
    flushed. Where a thread other than a daemon still runs (the interpreter would wait for it), or a
    stream cannot be flushed (the interpreter reports that), it exits as usual."""
    import atexit
    import os
    import threading

    main = threading.main_thread()
    run_exit_functions = getattr(atexit, "_run_exitfuncs", None)
    if (not isinstance(status, int) or run_exit_functions is None
            or any(thread is not main and not thread.daemon and thread.is_alive()
                   for thread in threading.enumerate())):
        sys.exit(status)
    run_exit_functions()  # each once: the interpreter's exit would find none left
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        sys.exit(status)
    os._exit(status)


def _python_too_old(version: tuple) -> "str | None":
    """What ``check()`` says in a kernel whose Python is older than 3.10 (macOS's own python3 is
    3.9), None in a newer one: importing the engine there stopped with a traceback about
    dataclasses."""
    old = older_than_supported(version)
    if old is None:
        return None
    return (f"check() cannot run: it needs Python 3.10 or newer, and this kernel runs Python "
            f"{old}. Start the notebook with a newer Python (the kernel menu, or a recent "
            f"Anaconda or Jupyter), then call check() again.")


def check(function: "str | None" = None, *, namespace: "Mapping[str, Any] | None" = None,
          rubric: "str | Path | None" = None, stream: "TextIO | None" = None,
          notebook: "str | Path | None" = None) -> Any:
    """Self-check the functions defined in your notebook on the public cases.

    ``check()`` checks every graded function, ``check("rnn_forward")`` one of
    them.  Prints a verdict per function (passed, failed, not implemented,
    missing, raised an error, timed out, crashed) with what went wrong, and returns a small summary whose
    ``.ok`` is True when every public case passed.  ``namespace`` defaults to
    the caller's globals (the notebook's), ``rubric`` to ``rubrics/rnn.yaml``
    beside this package. ``notebook`` is the notebook's file where the front end does not
    say it (Colab): a function whose cell there is not the one the kernel ran (edited and not run
    again, or not saved) is said first.

    In a kernel without NumPy or PyYAML it prints what to install (``%pip install ...``)
    and returns None instead of failing with an import error's traceback; when the checker
    itself fails it prints so, then the lines to send to the instructor, and returns None.
    """
    too_old = _python_too_old(sys.version_info)
    if too_old is not None:
        print(too_old, file=stream or sys.stdout)
        return None
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
                      stream=stream, notebook=notebook)
