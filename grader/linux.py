"""The Linux system calls the sandbox makes through the C library (ctypes): prctl, unshare, mount.

Python 3.11 has no ``os.unshare`` or ``os.mount``; :mod:`grader._child` (the zygote and its
children), :mod:`grader.seccomp` and :mod:`grader.landlock` call them from here. Where the C
library cannot be opened by name (Windows) or has no such function (macOS), ``libc`` is None or
``LINUX_CALLS`` holds None for it: the self-check then runs without the sandbox's layers
(``grader._child.detect_platform``).
"""

from __future__ import annotations

import ctypes
import os


def _open_libc() -> tuple:
    """The C library, twice: released and holding the GIL around calls (see bare_fork); (None, None)
    where it cannot be opened by name (Windows)."""
    try:
        return ctypes.CDLL(None, use_errno=True), ctypes.PyDLL(None, use_errno=True)
    except (OSError, TypeError):
        return None, None


libc, libc_gil = _open_libc()
#: The Linux system calls of this module, each None where the C library has no such function
#: (macOS has no prctl or unshare; its syscall numbers are not Linux's, see ``detect_platform``).
LINUX_CALLS = {name: getattr(libc, name, None) if libc is not None else None
                for name in ("prctl", "unshare", "mount", "syscall")}
if libc_gil is not None:
    libc_gil.fork.restype = ctypes.c_int
    libc_gil.fork.argtypes = ()
if LINUX_CALLS["syscall"] is not None:
    LINUX_CALLS["syscall"].restype = ctypes.c_long
if LINUX_CALLS["mount"] is not None:
    LINUX_CALLS["mount"].argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                                      ctypes.c_char_p)
if LINUX_CALLS["prctl"] is not None:
    LINUX_CALLS["prctl"].argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
                                      ctypes.c_ulong)

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_THREAD = 0x00010000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_SECCOMP = 1, 4, 22
PR_SET_NO_NEW_PRIVS, PR_SET_CHILD_SUBREAPER = 38, 36


def checked(ret: int, what: str) -> None:
    """Raise OSError with errno if a libc call failed."""
    if ret < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def prctl(option: int, arg: int = 0) -> None:
    """prctl(2) with one argument."""
    checked(libc.prctl(option, arg, 0, 0, 0), f"prctl({option})")


def unshare(flags: int) -> None:
    """unshare(2); Python 3.11 has no os.unshare."""
    checked(libc.unshare(flags), "unshare")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    """mount(2)."""
    enc = (lambda s: None if s is None else s.encode())
    checked(libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")
