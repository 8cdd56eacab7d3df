"""A Python launcher that runs ``argv[1:]`` under a seccomp filter refusing some system calls, for
tests that play a machine without a kernel feature (Landlock, user namespaces). Written once here:
the Gradescope container test (s21) and the protected-paths test (s29) each carried a copy."""
from __future__ import annotations

from typing import Mapping

_TEMPLATE = r"""
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
class Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]
class Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Filter))]
prog = [(0x20, 0, 0, 0)]
for nr, err in %(denied)r:
    prog += [(0x15, 0, 1, nr), (0x06, 0, 0, 0x50000 | err)]
prog.append((0x06, 0, 0, 0x7FFF0000))
rules = (Filter * len(prog))(*[Filter(*p) for p in prog])
fprog = Prog(len(prog), rules)
if (%(no_new_privs)r and libc.prctl(ctypes.c_int(38), 1, 0, 0, 0)) or libc.prctl(
        ctypes.c_int(22), ctypes.c_ulong(2), ctypes.byref(fprog), ctypes.c_ulong(0), ctypes.c_ulong(0)):
    sys.exit(f"seccomp: errno {ctypes.get_errno()}")
os.execv(sys.argv[1], sys.argv[1:])
"""


def launcher(denied: Mapping[int, int], *, no_new_privs: bool = False) -> str:
    """The launcher's source (``python3 -c SOURCE PROGRAM ARGS...``): x86-64 system call number ->
    the errno it gets instead of running, every other call allowed; ``no_new_privs`` sets it first
    (as a process without root must)."""
    return _TEMPLATE % {"denied": tuple(denied.items()), "no_new_privs": no_new_privs}
