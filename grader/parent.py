"""Waiting in a forked grading worker for its parent's next message, without outliving that
parent.

When the grading process is killed outright (SIGKILL, the OOM killer) its end of a pipe is not
seen to close while other processes it forked still hold copies of that end, as every worker
does; its pid changing (the worker is adopted by another process) is seen.
"""
from __future__ import annotations

import os
from typing import Any

#: How often a waiting worker checks that its parent is still there.
PARENT_CHECK_SECONDS = 1.0


def wait_for_parent(conn: Any, parent: int, *, every: float = PARENT_CHECK_SECONDS) -> bool:
    """Wait until ``conn`` (a ``multiprocessing`` connection) has something to read, a message or
    its end closed (True), or the process ``parent`` is gone (False), checked every ``every``
    seconds."""
    while not conn.poll(every):
        if os.getppid() != parent:
            return False
    return True
