"""Landlock: the files a zygote's children may read and write, restricted by the kernel.

Where the kernel has Landlock (:func:`landlock_abi` > 0), a zygote builds one ruleset
(:class:`Landlock`) from the folders its children may read (Python, NumPy, the grader's own
runtime) and the few they may write, and each child restricts itself to it
(:func:`landlock_restrict_self`) before it runs a student's code; anything else (other
students' notebooks, the fixtures, the reference solution) cannot be opened. Without
Landlock the zygote's mounts hide what they can (``grader._child``; docs/security.md).
"""

from __future__ import annotations

import ctypes
import os
import struct

from grader.linux import checked, libc


_LL_FS = [(1 << 13) - 1, 1 << 13, 1 << 14, 0, 1 << 15]  # rights added by ABI 1, 2, 3, 4, 5
_LL_READ = 1 | 4 | 8  # EXECUTE | READ_FILE | READ_DIR
_LL_FILE_RIGHTS = 1 | 2 | 4 | (1 << 14) | (1 << 15)
_LL_RULE = struct.Struct("<Qi")  # struct landlock_path_beneath_attr: allowed_access, parent_fd (packed)


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when unavailable."""
    v = libc.syscall(444, None, 0, 1)
    return max(int(v), 0)


class Landlock:
    """Builds each child's Landlock ruleset in the zygote: read access to `read_paths`, read and
    write access to `rw_paths` and to the child's own directory; no TCP, scoped signals.

    The fixed part is prepared once: the ruleset's attributes, and the rules of `read_paths`
    and `rw_paths` with those paths held open (``O_PATH``, close-on-exec) for the zygote's
    lifetime; a path that cannot be opened gets no rule. A child only calls
    ``restrict_self`` with the ruleset the zygote made for it (building it in the child cost
    about 0.5 ms: Python and ctypes code run once per child, with their page faults).
    """

    def __init__(self, abi: int, *, read_paths: list[str], rw_paths: list[str]) -> None:
        """Prepare the rules for Landlock ABI `abi` (at least 1)."""
        fs = 0
        for version, rights in enumerate(_LL_FS, start=1):
            if abi >= version:
                fs |= rights
        net = 3 if abi >= 4 else 0      # BIND_TCP | CONNECT_TCP, with no rule allowing any port
        scoped = 3 if abi >= 6 else 0   # ABSTRACT_UNIX_SOCKET | SIGNAL
        self.abi = abi
        self.fs = fs
        self.size = 24 if abi >= 6 else 16 if abi >= 4 else 8
        self.attr = ctypes.create_string_buffer(struct.pack("<QQQ", fs, net, scoped)[:self.size], self.size)
        self.fds: list[int] = []
        self.rules: list = []
        self.dir_rule = self._rule(-1, fs)  # each child's directory's rule, its fd written in (see ruleset)
        for paths, rights in ((read_paths, _LL_READ), (rw_paths, fs)):
            for path in paths:
                try:
                    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue
                self.fds.append(fd)
                self.rules.append(self._rule(fd, rights if os.path.isdir(path) else rights & _LL_FILE_RIGHTS))

    def _rule(self, fd: int, rights: int):
        """struct landlock_path_beneath_attr for `fd` (packed: 12 bytes)."""
        return ctypes.create_string_buffer(_LL_RULE.pack(rights & self.fs, fd), 12)

    def ruleset(self, directory: str) -> int:
        """A new ruleset (its fd, close-on-exec) holding the prepared rules and full access to
        `directory`; the caller closes it."""
        ruleset = libc.syscall(444, self.attr, self.size, 0)
        checked(ruleset, "landlock_create_ruleset")
        try:
            syscall = libc.syscall
            for rule in self.rules:
                checked(syscall(445, ruleset, 1, rule, 0), "landlock_add_rule")
            fd = os.open(directory, os.O_PATH | os.O_CLOEXEC)
            try:
                # The kernel reads the rule during the call: one buffer serves every child.
                _LL_RULE.pack_into(self.dir_rule, 0, self.fs, fd)
                checked(syscall(445, ruleset, 1, self.dir_rule, 0), f"landlock_add_rule {directory}")
            finally:
                os.close(fd)
        except BaseException:
            os.close(ruleset)
            raise
        return ruleset


def landlock_restrict_self(ruleset: int) -> None:
    """Put this process (and its future children) under `ruleset` for good; needs no_new_privs
    (or CAP_SYS_ADMIN)."""
    checked(libc.syscall(446, ruleset, 0), "landlock_restrict_self")
