"""How a command of ``grade.py`` ends: its exit statuses, and the error a command raises when it cannot
run at all (the message says why)."""
from __future__ import annotations


#: Exit statuses of grade.py.
EXIT_OK = 0  # the batch was graded, whatever the students scored
EXIT_CHECK_FAILED = 1  # --check: some public case failed
EXIT_USAGE = 2  # bad arguments, bad rubric, no submissions: the harness could not run
EXIT_INTERRUPTED = 130  # Ctrl-C: what was graded is kept, the gradebook lists it


class CommandError(Exception):
    """The command cannot run at all (bad rubric, no submissions...); the message says why."""
