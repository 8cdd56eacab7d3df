"""Session 31 hostile review: a student's notebook against the sandbox and the reports, the attacks
no earlier test made. What held, and which test already covered it, is in docs/security.md
("Thirty-first session: hostile review"); these are the holes closed."""
from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests import notebooks as nbs
from tests.test_hostile_s29_protected import place  # noqa: F401 - a fixture: a folder off /tmp others may enter
from tests.test_hostile_s30 import NO_LANDLOCK, _reader_of

REPO = Path(__file__).resolve().parent.parent


#: Each route to memory a child holds outside its address space (RLIMIT_AS), tried once: what it
#: gave, or the name of the error that refused it.
_PINNING = r'''
import ctypes, errno, os

class _Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]

def _tried(attempt):
    try:
        return attempt()
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc.errno))

def _libc_call(name, *args):
    libc = ctypes.CDLL(None, use_errno=True)
    done = getattr(libc, name)(*args)
    if done < 0:
        raise OSError(ctypes.get_errno(), name)
    return done

def pin():
    def memfd():
        fd = os.memfd_create("held")
        return os.write(fd, b"x" * 4096)
    def vmsplice():
        r, w = os.pipe()
        page = ctypes.create_string_buffer(b"x" * 4096)
        iov = _Iovec(ctypes.addressof(page), 1)
        return _libc_call("vmsplice", w, ctypes.byref(iov), 1, 0)
    def splice():
        with open("file", "wb") as f:
            f.write(b"x" * 4096)
        r, w = os.pipe()
        with open("file", "rb") as f:
            return os.splice(f.fileno(), w, 1)
    def tee():
        r1, w1 = os.pipe()
        r2, w2 = os.pipe()
        os.write(w1, b"x")
        return _libc_call("tee", r1, w2, 1, 0)
    return {name: _tried(attempt) for name, attempt in
            (("memfd_create", memfd), ("vmsplice", vmsplice), ("splice", splice), ("tee", tee))}
'''


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the filter is Linux's seccomp")
def test_a_child_holds_no_memory_outside_its_address_space(sandbox):
    """RLIMIT_AS counts the memory a process maps, not the pages of a memfd it wrote and unmapped
    (60 MiB a process here, 586 MiB for eight forks), nor the pages a pipe holds references to:
    ``vmsplice`` of one byte of each of 256 transparent huge pages (``madvise``) into a pipe of
    1 MiB held 512 MiB after the munmap (MemAvailable 660 MB lower while the child slept), so one
    child of a 2 GiB limit could hold the uid's 16,384 pipe slots' worth, 32 GiB. ``splice`` and
    ``tee`` put page references in a pipe too. Refused now (EPERM). Before the fix: 4096, 1, 1, 1."""
    if not sandbox.capabilities.seccomp:
        pytest.skip("no seccomp filter on this machine")
    with sandbox.session(_PINNING, filename="attack.py") as session:
        assert session.load.status == "ok", session.load
        outcome = session.call("pin", ())
    assert outcome.status == "ok", outcome
    assert outcome.value == {"memfd_create": "EPERM", "vmsplice": "EPERM", "splice": "EPERM", "tee": "EPERM"}, \
        outcome.value


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="the mounts that hide the protected paths need root")
@pytest.mark.skipif(platform.machine() != "x86_64", reason="the filter names x86-64 system calls")
def test_a_temporary_directory_off_tmp_is_hidden_from_the_children(place):
    """As root a zygote covers ``/tmp`` and ``/var/tmp`` with tmpfs of its own; a ``TMPDIR``
    elsewhere (``/scratch``, where this run and others unpack the students' zips) was open where
    Landlock is absent: a student's function listed the runs' folders there and read what others
    may read (a file another program left). Another run's folder itself is its user's, mode 0700:
    refused to the slot uid before as now. Before the fix: 'SAW grade-unzip-...,notes.txt |
    REFUSED PermissionError | SAW 'marks of another course''."""
    scratch = place / "scratch"
    scratch.mkdir(mode=0o755)
    scratch.chmod(0o755)
    other_run = Path(tempfile.mkdtemp(prefix="grade-unzip-", dir=scratch))
    nbs.write(other_run / "alice.ipynb", nbs.course_notebook())
    left = scratch / "notes.txt"
    left.write_text("marks of another course")
    left.chmod(0o644)
    klass = place / "class"
    nbs.write(klass / "b.ipynb", nbs.course_notebook(_reader_of([scratch, other_run, left])))
    for path in klass.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    out = Path(tempfile.mkdtemp(prefix="s31-out-"))
    try:
        done = subprocess.run([sys.executable, "-c", NO_LANDLOCK, sys.executable, "grade.py", str(klass),
                               "--out", str(out), "--jobs", "1", "--no-html"], cwd=REPO,
                              env={**os.environ, "TMPDIR": str(scratch)}, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        feedback = (out / "b" / "feedback.md").read_text()
    finally:
        shutil.rmtree(out, ignore_errors=True)
    assert "SAW" not in feedback, feedback
    assert feedback.count("REFUSED ") == 3, feedback
