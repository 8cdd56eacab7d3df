"""Without root, a child regaining in a user namespace of its own what the zygote dropped:
twenty-fifth session's review. The zygote's tmpfs is bounded (256 MiB) and the zygote drops
every capability its namespace gave, so that where Landlock is missing (which refuses a
restricted process any mount) a child could not mount anything. But seccomp let a child call
``unshare(CLONE_NEWUSER | CLONE_NEWNS)``: there it held every capability again, mapped its uid to
itself and mounted a tmpfs of its own, bounded by nothing (on 551ee54, with Landlock hidden from
the zygote, a call wrote 300 MiB on it). A child's own filter without root now refuses a new user
namespace (``unshare`` or ``clone`` with ``CLONE_NEWUSER``: EPERM; ``clone3``, whose flags a filter
cannot read: ENOSYS, so that glibc falls back to ``clone``)."""
from __future__ import annotations

import pytest

from tests.test_sandbox_bounded_tmpfs import _run_without_root

#: Like test_sandbox_bounded_tmpfs's _REFUSED: the sandbox's zygote with ``hook`` (sys.argv[1]) in its boot
#: script; the call's outcome printed.
_SCRIPT = """
import json, sys
import grader.zygote
from grader.sandbox import Limits, Sandbox
line = "import grader.wire, grader._child\\n"
assert line in grader.zygote._BOOT
grader.zygote._BOOT = grader.zygote._BOOT.replace(line, line + sys.argv[1])
program = sys.argv[2]
out = {}
with Sandbox(limits=Limits(call_timeout=60.0, submission_timeout=120.0)) as box:
    out["private_tmp"] = box.capabilities.private_tmp
    out["landlock"] = box.capabilities.landlock_abi
    with box.session(program) as session:
        assert session.load.status == "ok", session.load
        call = session.call(sys.argv[3], ())
        out["call"] = [call.status, call.message, call.value]
print(json.dumps(out))
"""

#: Landlock hidden from the zygote, as on a kernel without it.
_NO_LANDLOCK = "grader._child.landlock_abi = lambda: 0\n"

_PROGRAM = r'''
import ctypes, os, threading

libc = ctypes.CDLL(None, use_errno=True)

def own_tmpfs():
    """A user and mount namespace of its own, its uid mapped, a tmpfs of 1 GiB, 300 MiB written."""
    if libc.unshare(0x10000000 | 0x00020000) != 0:
        return ["unshare", os.strerror(ctypes.get_errno())]
    for name, value in (("setgroups", "deny"), ("uid_map", f"{os.getuid()} {os.getuid()} 1"),
                        ("gid_map", f"{os.getgid()} {os.getgid()} 1")):
        with open(f"/proc/self/{name}", "w") as f:
            f.write(value)
    os.mkdir("big")
    if libc.mount(b"tmpfs", b"big", b"tmpfs", 0, b"size=1g") != 0:
        return ["mount", os.strerror(ctypes.get_errno())]
    chunk, written = b"x" * (1 << 20), 0
    while written < 300:
        with open(f"big/f{written}", "wb") as f:
            f.write(chunk)
        written += 1
    return ["written", written]

def usual():
    """What a student's code may do: a thread, a fork."""
    seen = []
    thread = threading.Thread(target=seen.append, args=("thread",))
    thread.start()
    thread.join()
    pid = os.fork()
    if pid == 0:
        os._exit(7)
    _, status = os.waitpid(pid, 0)
    return [seen, os.waitstatus_to_exitcode(status)]
'''


@pytest.mark.slow
def test_without_landlock_a_child_cannot_mount_a_tmpfs_of_its_own():
    out = _run_without_root(_SCRIPT, _NO_LANDLOCK, _PROGRAM, "own_tmpfs")
    if not out["private_tmp"]:
        pytest.skip("no private tmpfs here (user namespaces refused)")
    assert out["landlock"] == 0
    status, message, value = out["call"]
    # Before: ["written", 300], 300 MiB past the zygote's 256 MiB bound.
    assert status == "ok" and value == ["unshare", "Operation not permitted"], out["call"]


@pytest.mark.slow
def test_a_child_still_starts_threads_and_forks():
    out = _run_without_root(_SCRIPT, "", _PROGRAM, "usual")
    assert out["call"][0] == "ok" and out["call"][2] == [["thread"], 7], out["call"]
