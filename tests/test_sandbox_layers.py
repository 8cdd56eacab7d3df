"""Isolation layers the zygote now prepares once for all its children, and the bare fork.

The zygote installs the seccomp filter on itself (inherited by every child), builds
each child's Landlock ruleset before the fork (the child only restricts itself with
it), makes the child's directory, environment and standard streams, and forks
without Python's at-fork handlers when it can. Each test checks that a child still
cannot do what the moved layer forbids, in more than one child, so that a layer set
up once cannot silently cover only the first. tests/test_sandbox_nonroot.py runs this
file again as an unprivileged user, where Landlock and seccomp are the main layers.
"""

from __future__ import annotations

import errno
import os
import textwrap

import pytest

from grader import _child, seccomp
from grader.sandbox import Limits, Sandbox
from tests.forking import forking


@pytest.fixture(scope="module")
def sandbox():
    """One sandbox for the module."""
    with Sandbox(limits=Limits(call_timeout=5.0, submission_timeout=60.0)) as sb:
        yield sb


def call(sandbox, program: str, function: str, *args):
    """Load `program` in a fresh session and return the decoded value of one call."""
    with sandbox.session(textwrap.dedent(program), filename="attack.py") as s:
        assert s.load.status == "ok", s.load
        out = s.call(function, args)
        assert out.status == "ok", out
        return out.value


SYSCALLS = """
    import ctypes, os
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long

    def attempt(numbers):
        '''errno of each raw system call (0 when it succeeded).'''
        out = {}
        for name, (nr, args) in numbers.items():
            ctypes.set_errno(0)
            ret = libc.syscall(nr, *args)
            out[name] = ctypes.get_errno() if ret == -1 else 0
            if ret >= 0 and name == "socket":
                os.close(ret)
        return out
"""


def test_every_child_is_under_the_seccomp_filter_installed_once_in_the_zygote(sandbox):
    if not sandbox.capabilities.seccomp:
        pytest.skip("seccomp is not available here")
    _, nr_socket, nr_ptrace, nr_readv, _ = seccomp._SECCOMP_ARCH[os.uname().machine]
    numbers = {
        "socket": (nr_socket, (1, 1, 0)),                 # AF_UNIX, SOCK_STREAM: allowed by every other layer
        "ptrace": (nr_ptrace, (0, 0, 0, 0)),              # PTRACE_TRACEME succeeds without the filter
        "process_vm_readv": (nr_readv, (os.getpid(), 0, 0, 0, 0, 0)),
        "io_uring_setup": (425, (1, 0)),
        "x32 getpid": (0x40000000 | 39, ()),
    }
    for _ in range(3):
        errs = call(sandbox, SYSCALLS, "attempt", numbers)
        assert errs == {name: errno.EPERM for name in numbers}


def test_a_grandchild_inherits_the_filter(sandbox):
    if not sandbox.capabilities.seccomp:
        pytest.skip("seccomp is not available here")
    program = SYSCALLS + """
    def in_grandchild(nr):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            ctypes.set_errno(0)
            ret = libc.syscall(nr, 1, 1, 0)
            os.write(w, str(ctypes.get_errno() if ret == -1 else 0).encode())
            os._exit(0)
        os.waitpid(pid, 0)
        return int(os.read(r, 16))
    """
    with sandbox.session(textwrap.dedent(program), filename="attack.py", limits=forking(sandbox)) as s:
        out = s.call("in_grandchild", (seccomp._SECCOMP_ARCH[os.uname().machine][1],))
    assert out.status == "ok" and out.value == errno.EPERM, out


def test_every_child_has_no_new_privs_set_once_in_the_zygote(sandbox):
    # The zygote sets it at set-up, for itself and every child (inherited); no child sets it
    # itself any more. As root the seccomp filter does not need it (CAP_SYS_ADMIN), so only
    # this test sees it missing.
    if not _child.PLATFORM.linux:
        pytest.skip("no_new_privs is Linux's")
    program = """
        import ctypes

        def no_new_privs():
            return ctypes.CDLL(None, use_errno=True).prctl(39, 0, 0, 0, 0)   # PR_GET_NO_NEW_PRIVS
    """
    assert [call(sandbox, program, "no_new_privs") for _ in range(3)] == [1, 1, 1]


FILES = """
    import os

    def probe(other_dir):
        '''What this child may open, and where it is.'''
        out = {"cwd": os.getcwd(), "home": os.environ.get("HOME"), "tmpdir": os.environ.get("TMPDIR"),
               "found": sorted(os.listdir("."))}
        for key, path, mode in (("read /etc/hostname", "/etc/hostname", "r"),
                                ("write /dev/zero", "/dev/zero", "wb"),
                                ("write own dir", "mine.txt", "w"),
                                ("write /dev/null", "/dev/null", "w"),
                                ("write other dir", os.path.join(other_dir, "theirs.txt") if other_dir else "", "w")):
            if not path:
                continue
            try:
                with open(path, mode):
                    pass
                out[key] = "ok"
            except OSError as exc:
                out[key] = type(exc).__name__
        return out
"""


def test_each_child_gets_its_own_landlock_ruleset_from_the_zygote(sandbox):
    if not sandbox.capabilities.landlock_abi:
        pytest.skip("Landlock is not available here")
    if not os.access("/etc/hostname", os.R_OK) or not (os.stat("/etc/hostname").st_mode & 0o004):
        pytest.skip("no world-readable /etc/hostname to try")
    program = textwrap.dedent(FILES)
    with sandbox.session(program, filename="a.py") as first, sandbox.session(program, filename="b.py") as second:
        a = first.call("probe", ("",)).value
        b = second.call("probe", (a["cwd"],)).value
    for seen in (a, b):
        assert seen["read /etc/hostname"] == "PermissionError"   # not in the read rules
        assert seen["write /dev/zero"] == "PermissionError"      # world-writable, not in the rules
        assert seen["write own dir"] == "ok" and seen["write /dev/null"] == "ok"
        assert seen["home"] == seen["tmpdir"] == seen["cwd"]
    assert a["cwd"] != b["cwd"]
    assert b["write other dir"] == "PermissionError"             # a live neighbour's directory
    # A later child may be given a dead child's directory name (Zygote._child_directory), but
    # never its directory: a new one, empty, that its own ruleset lets it write.
    third = call(sandbox, FILES, "probe", "")
    assert third["write own dir"] == "ok" and third["found"] == []
    assert a["found"] == b["found"] == []


def test_children_have_fresh_random_state_and_working_threads(sandbox):
    program = """
        import random, threading

        def draw():
            box = []
            worker = threading.Thread(target=lambda: box.append(threading.get_ident()))
            worker.start()
            worker.join()
            return [random.random() for _ in range(4)], box != [], threading.current_thread() is threading.main_thread()
    """
    draws = [call(sandbox, program, "draw") for _ in range(3)]
    assert all(thread_ran and is_main for _, thread_ran, is_main in draws)
    assert len({tuple(numbers) for numbers, _, _ in draws}) == 3   # random is reseeded in every child


def test_the_zygote_forks_without_pythons_at_fork_handlers_here(sandbox):
    # The zygote has one thread and only threading's and random's handlers are registered.
    assert sandbox.capabilities.bare_fork


def test_bare_fork_is_used_only_when_every_handler_is_known_to_be_safe():
    import random
    import threading

    seed = {"after_in_child": random.seed}
    threads = {"after_in_child": threading._after_fork}
    assert _child._bare_fork_handlers([seed, threads], threads=1) == [random.seed]
    assert _child._bare_fork_handlers([threads], threads=1) == []
    assert _child._bare_fork_handlers([seed, threads], threads=2) is None           # another thread may hold a lock
    assert _child._bare_fork_handlers(None, threads=1) is None                      # registrations unknown
    assert _child._bare_fork_handlers([seed, {"before": print}], threads=1) is None  # a lock taken before the fork
    assert _child._bare_fork_handlers([{"after_in_child": print, "after_in_parent": print}], threads=1) is None
