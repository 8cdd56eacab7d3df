"""``preexec_fn`` helpers that run a test's subprocess as another user or without /proc (root only)."""
from __future__ import annotations

import os
import sys

from grader import _child

#: The unprivileged user tests drop to.
NOBODY = 65534


def isolated(*, hide_proc: bool = False, nobody: bool = True):
    """A preexec_fn: a private mount namespace where, for ``nobody``, an empty /root holds only
    the interpreter's directories (bound back), ``/proc`` is an empty tmpfs if ``hide_proc``,
    then the uid drop to nobody if asked."""
    def preexec() -> None:
        c = _child
        c.unshare(c.CLONE_NEWNS)
        c.mount(None, "/", None, c.MS_REC | c.MS_PRIVATE)
        if nobody:
            prefixes = sorted({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})
            handles = [(p, os.open(p, os.O_PATH)) for p in prefixes if p.startswith("/root/")]
            if handles:
                c.mount("tmpfs", "/root", "tmpfs", c.MS_NOSUID | c.MS_NODEV, "mode=0755")
                for path, fd in handles:
                    os.makedirs(path, exist_ok=True)
                    c.mount(f"/proc/self/fd/{fd}", path, None, c.MS_BIND | c.MS_REC)
                    os.close(fd)
        if hide_proc:
            c.mount("tmpfs", "/proc", "tmpfs", c.MS_NOSUID | c.MS_NODEV, "size=4k,mode=0555")
        if nobody:
            os.setgroups([])
            os.setresgid(NOBODY, NOBODY, NOBODY)
            os.setresuid(NOBODY, NOBODY, NOBODY)
    return preexec
