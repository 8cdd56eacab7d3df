"""What a child can hold outside its address space (``RLIMIT_AS``): kernel buffers it fills and keeps,
which no limit of its process counts and which the OOM killer does not see as its. Each test fills
one kind as far as the kernel lets it, as a student's function may, and bounds what it got. The
thirty-second session's hostile review measured each (docs/security.md)."""
from __future__ import annotations

import sys

import pytest

#: Fill every kind of kernel buffer a child can make, as far as it goes: pipes (each raised to the
#: largest size an unprivileged process may ask, ``fcntl(F_SETPIPE_SZ)``, then written until full;
#: the write end closed, the read end kept, so that one descriptor holds each) and socket pairs
#: (their send buffers raised with ``SO_SNDBUF``, each end written until full). Returns the bytes
#: each kind took, and how each was refused.
_FILL = r'''
import errno, fcntl, os, socket

held = []

def _reason(exc):
    return errno.errorcode.get(exc.errno, str(exc.errno))

def _written(write):
    total = 0
    try:
        while True:
            total += write(b"x" * 65536)
    except (BlockingIOError, OSError):
        return total

def pipes():
    total, grown = 0, "grown"
    while True:
        try:
            r, w = os.pipe()
        except OSError as exc:
            return {"bytes": total, "stopped": _reason(exc), "F_SETPIPE_SZ": grown}
        try:
            fcntl.fcntl(w, 1031, 1 << 20)  # F_SETPIPE_SZ
        except OSError as exc:
            grown = _reason(exc)
        os.set_blocking(w, False)
        total += _written(lambda data: os.write(w, data))
        os.close(w)
        held.append(r)

def sockets():
    total = 0
    while True:
        try:
            a, b = socket.socketpair()
        except OSError as exc:
            return {"bytes": total, "stopped": _reason(exc)}
        for end in (a, b):
            end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 30)
            end.setblocking(False)
        total += _written(a.send) + _written(b.send)
        held.append((a, b))
'''

MiB = 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the filter is Linux's seccomp")
def test_a_child_holds_few_pipe_and_socket_buffers(sandbox):
    """A pipe holds what is written into it until it is read, and a socket pair what each end sent,
    outside any address space. A child raised 59 pipes to 1 MiB each (``F_SETPIPE_SZ``; then the
    uid's 64 MiB, ``pipe-user-pages-soft``, shrinks new ones) and filled them: 62 MB. Thirty socket
    pairs (``socketpair``; ``socket`` was refused already) with their send buffers raised to the
    machine's ``wmem_max`` held 494 MB, 447 MB of MemAvailable while the child slept, for a child
    of a 2 GiB limit; sent through another pair's ends as descriptors in flight, 543 MB more. A
    child's filter now refuses ``socketpair`` and ``fcntl(F_SETPIPE_SZ)`` (EPERM; Python and NumPy
    use neither, the zygote makes the child's pairs and pipes before it forks): each pipe keeps the
    default 64 KiB, 4 MiB for the 64 descriptors. Before the fix: 61,865,984 and 493,712,640 bytes."""
    if not sandbox.capabilities.seccomp:
        pytest.skip("no seccomp filter on this machine")
    with sandbox.session(_FILL, filename="attack.py") as session:
        pipes = session.call("pipes", ())
    with sandbox.session(_FILL, filename="attack.py") as session:
        sockets = session.call("sockets", ())
    assert pipes.status == "ok" and sockets.status == "ok", (pipes, sockets)
    assert pipes.value["F_SETPIPE_SZ"] == "EPERM" and pipes.value["stopped"] == "EMFILE", pipes.value
    assert pipes.value["bytes"] <= 64 * 65536, pipes.value
    assert sockets.value == {"bytes": 0, "stopped": "EPERM"}, sockets.value


#: Fill the child's directory: files of 1 MiB (its RLIMIT_FSIZE) until the file system is full, then
#: empty files (an inode each, which ``size`` does not count) until none is left.
_FILES = r'''
import errno, os

def fill():
    written = 0
    while True:
        try:
            with open(f"f{written}", "wb") as handle:
                handle.write(b"x" * 2**20)
            written += 1
        except OSError as exc:
            full = errno.errorcode.get(exc.errno, str(exc.errno))
            break
    os.mkdir("d")
    made = 0
    while True:
        try:
            os.close(os.open(f"d/{made}", os.O_CREAT | os.O_WRONLY))
            made += 1
        except OSError as exc:
            return {"MiB": written, "full": full, "files": made, "none left": errno.errorcode.get(exc.errno)}
'''


def test_a_child_holds_little_in_its_directory(sandbox):
    """The children's directories are on a tmpfs of the zygote's own (``/tmp``, as root; without root
    where a user namespace may mount one), whose pages are memory outside any address space until
    the session ends. It held 256 MiB of files and 65,536 inodes (0.9 kB of kernel memory each: 58 MB
    of SUnreclaim measured), 314 MB for a child of the default 2 GiB limit, beside its 2 GiB. Now
    64 MiB and 32,768 inodes (``_child.PRIVATE_TMP_BOUNDS``, both modes): 64 files of the default
    ``file_size_bytes``. Before the fix: 256 MiB, 65,532 files."""
    if not sandbox.capabilities.mount_namespace and "private tmpfs" not in sandbox.capabilities.describe():
        pytest.skip("the children's directories are on the machine's own file system here")
    with sandbox.session(_FILES, filename="attack.py") as session:
        outcome = session.call("fill", ())
    assert outcome.status == "ok", outcome
    assert outcome.value["full"] == "ENOSPC" and outcome.value["none left"] == "ENOSPC", outcome.value
    assert outcome.value["MiB"] <= 64 and outcome.value["files"] <= 32_768, outcome.value


_BPF = r'''
import ctypes, errno, os

def bpf():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    nr = {"x86_64": 321, "aarch64": 280}[os.uname().machine]
    done = libc.syscall(nr, 0, None, 4097)  # BPF_MAP_CREATE with an oversized attribute size
    return errno.errorcode.get(ctypes.get_errno()) if done < 0 else done
'''


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the filter is Linux's seccomp")
def test_a_child_cannot_call_bpf(sandbox):
    """A BPF map is kernel memory no rlimit counts (memory cgroups do, since Linux 5.11): where
    ``kernel.unprivileged_bpf_disabled`` is 0 a child could make maps of any size. Refused by the
    zygote's filter now (EPERM). Before the fix the call reached the kernel, which read its size
    argument first: E2BIG (Linux 6.5 on; before, EPERM here too, where the sysctl refuses)."""
    if not sandbox.capabilities.seccomp:
        pytest.skip("no seccomp filter on this machine")
    with sandbox.session(_BPF, filename="attack.py") as session:
        outcome = session.call("bpf", ())
    assert outcome.status == "ok" and outcome.value == "EPERM", outcome


_LOCKS = r'''
import errno, fcntl, os, struct

def lock():
    tried = {}
    for name, command in (("F_SETLK", fcntl.F_SETLK), ("F_SETLKW", fcntl.F_SETLKW),
                          ("F_OFD_SETLK", 37), ("F_OFD_SETLKW", 38), ("F_GETLK", fcntl.F_GETLK)):
        fd = os.open(name, os.O_CREAT | os.O_RDWR)  # a file each: an OFD lock waits for a POSIX one
        try:
            fcntl.fcntl(fd, command, struct.pack("hhqqi", fcntl.F_WRLCK, 0, 0, 1, 0))
            tried[name] = "done"
        except OSError as exc:
            tried[name] = errno.errorcode.get(exc.errno, str(exc.errno))
    fcntl.flock(fd, fcntl.LOCK_EX)  # one a descriptor: still allowed
    return tried
'''


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the filter is Linux's seccomp")
def test_a_child_takes_no_byte_range_locks(sandbox):
    """A byte-range lock (``fcntl`` F_SETLK, F_OFD_SETLK) is kernel memory no rlimit counts, one
    for every range: 180,000 locks on 60 files held 34 MB for 7 s of a call's time, some 80 MB
    for a submission's 60 s (each file's list is scanned on every lock). Refused in a child now
    (EPERM; NumPy and the course's code take none); ``flock``, one a descriptor, and F_GETLK work.
    Before the fix: done, done, done, done."""
    if not sandbox.capabilities.seccomp:
        pytest.skip("no seccomp filter on this machine")
    with sandbox.session(_LOCKS, filename="attack.py") as session:
        outcome = session.call("lock", ())
    assert outcome.status == "ok", outcome
    assert outcome.value == {"F_SETLK": "EPERM", "F_SETLKW": "EPERM", "F_OFD_SETLK": "EPERM",
                             "F_OFD_SETLKW": "EPERM", "F_GETLK": "done"}, outcome.value


_PROTOCOL_BUFFER = r'''
import errno, os, socket

def raise_send_buffer():
    end = socket.socket(fileno=os.dup(3))  # the protocol socket, fd 3
    try:
        end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 30)
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc.errno))
    finally:
        size = end.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        end.close()
    return size
'''


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the filter is Linux's seccomp")
def test_a_child_cannot_raise_its_protocol_sockets_send_buffer(sandbox):
    """What a child writes into its protocol socket (fd 3) is held in the kernel until the grading
    process reads it, up to the socket's send buffer: 208 KiB by default, and a child raised it to
    twice ``wmem_max`` (8 MiB here) with ``SO_SNDBUF``; written as one-byte messages, 12 MiB of
    MemAvailable. A child's filter now refuses ``setsockopt`` (EPERM; Python and NumPy call it on no
    socket a child has, and the child makes none). Before the fix (against d963ff1): 8388608."""
    if not sandbox.capabilities.seccomp:
        pytest.skip("no seccomp filter on this machine")
    with sandbox.session(_PROTOCOL_BUFFER, filename="attack.py") as session:
        out = session.call("raise_send_buffer", ())
    assert out.status == "ok" and out.value == "EPERM", out
