"""Session 31 hostile review: a student's notebook against the sandbox and the reports, the attacks
no earlier test made. What held, and which test already covered it, is in docs/security.md
("Thirty-first session: hostile review"); these are the holes closed."""
from __future__ import annotations

import errno
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests import notebooks as nbs
from tests.forking import forking
from tests.test_commands_protected_paths import place  # noqa: F401 - a fixture: a folder off /tmp others may enter
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
    def sendfile():
        r, w = os.pipe()
        with open("file", "rb") as f:
            return os.sendfile(w, f.fileno(), 0, 1)
    def copied():  # shutil tries sendfile first, and falls back to read and write
        import shutil
        shutil.copyfile("file", "copy")
        return os.path.getsize("copy")
    return {name: _tried(attempt) for name, attempt in
            (("memfd_create", memfd), ("vmsplice", vmsplice), ("splice", splice), ("tee", tee),
             ("sendfile", sendfile), ("shutil.copyfile", copied))}
'''


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the filter is Linux's seccomp")
def test_a_child_holds_no_memory_outside_its_address_space(sandbox):
    """RLIMIT_AS counts the memory a process maps, not the pages of a memfd it wrote and unmapped
    (60 MiB a process here, 586 MiB for eight forks), nor the pages a pipe holds references to:
    ``vmsplice`` of one byte of each of 256 transparent huge pages (``madvise``) into a pipe of
    1 MiB held 512 MiB after the munmap (MemAvailable 660 MB lower while the child slept), so one
    child of a 2 GiB limit could hold the uid's 16,384 pipe slots' worth, 32 GiB. ``splice`` and
    ``tee`` put page references in a pipe too, and ``sendfile`` into a pipe: 53 one-byte sendfiles
    of a 110 MB library read whole kept 90 MB of its page cache from being evicted. Refused now
    (EPERM); ``shutil.copyfile`` still copies. Before the fix: 4096, 1, 1, 1, 1."""
    if not sandbox.capabilities.seccomp:
        pytest.skip("no seccomp filter on this machine")
    with sandbox.session(_PINNING, filename="attack.py") as session:
        assert session.load.status == "ok", session.load
        outcome = session.call("pin", ())
    assert outcome.status == "ok", outcome
    assert outcome.value == {"memfd_create": "EPERM", "vmsplice": "EPERM", "splice": "EPERM", "tee": "EPERM",
                             "sendfile": "EPERM", "shutil.copyfile": 4096}, outcome.value


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


def _page_text(page: str) -> str:
    """The text of an HTML page as a browser reads it: a carriage return (alone or before a line
    feed) read as a line feed, character references decoded as HTML says, a control character's
    kept (Python's ``html.unescape`` drops them) but for the few HTML maps (C1 as Windows-1252)."""
    import html
    import html.parser
    import re

    class Text(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=False)
            self.parts: list[str] = []

        def handle_data(self, data: str) -> None:
            self.parts.append(data)

        def handle_charref(self, name: str) -> None:
            number = int(name[1:], 16) if name[:1] in "xX" else int(name)
            self.parts.append(html._invalid_charrefs.get(number, chr(number)))

        def handle_entityref(self, name: str) -> None:
            self.parts.append(html.unescape(f"&{name};"))

    reader = Text()
    reader.feed(re.sub("\r\n?", "\n", page))
    reader.close()
    return "".join(reader.parts)


def test_a_feedback_page_holds_nothing_a_terminal_acts_on(tmp_path):
    """feedback.md and the JSON files write a student's control characters out; feedback.html
    kept them as they were, in the case's message, what it printed and the notebook's own
    outputs (ESC ] 52 writes a terminal's clipboard, ESC [ 2J clears it, a carriage return
    rewrites a line, U+202E reverses one), and a TA who runs ``grep -r Raised out/`` or ``cat``
    on a page had them acted on by the terminal. They are character references now, a carriage
    return a line feed, as the browser reads them: the page's text is unchanged. Before the fix:
    the bytes ESC, BEL, CR and U+202E in the file."""
    from grader.feedback_html import write_feedback_html
    from tests.test_report_escaping import hostile_result

    clipboard = "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07"
    path = nbs.write(tmp_path / "ada.ipynb", nbs.notebook([nbs.code_cell(
        "print('hello')", outputs=[nbs.stream(f"hello{clipboard}\r\nsecond\rthird \u202eesrever\n")], count=1)]))
    page = tmp_path / "feedback.html"
    write_feedback_html(hostile_result(), notebook_path=path, out_path=page)
    data = page.read_bytes()
    acted = sorted({chr(b) for b in data if b < 0x20 and b not in b"\t\n" or b == 0x7F})
    assert acted == [] and "\u202e".encode() not in data, acted
    assert b"&#x1b;]52;c;" in data and b"&#x1b;[2J" in data and b"&#x202e;" in data
    from grader.feedback_html import feedback_page

    assert _page_text(data.decode("utf-8")) == _page_text(feedback_page(hostile_result(), notebook_path=path))


_PROCESSES = r'''
import ctypes, os, signal, threading

def start():
    seen = []
    thread = threading.Thread(target=seen.append, args=("thread",))
    thread.start()
    thread.join()
    tried = {"threads": seen}
    try:
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        tried["fork"] = "forked"
    except OSError as exc:
        tried["fork"] = type(exc).__name__
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    clone = {"x86_64": 56, "aarch64": 220}[os.uname().machine]
    pid = libc.syscall(clone, signal.SIGCHLD, 0, 0, 0, 0)  # fork's clone: no CLONE_THREAD
    if pid == 0:
        os._exit(0)
    if pid > 0:
        os.waitpid(pid, 0)
    tried["clone"] = "forked" if pid > 0 else os.strerror(ctypes.get_errno())
    return tried
'''


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the filter is Linux's seccomp")
def test_a_child_is_one_process_unless_its_limits_let_it_fork(sandbox):
    """Memory is bounded per process (``RLIMIT_AS``) and a child could start 32: eight forks of
    200 MiB each held 1.3 GB of MemAvailable for a submission of a 512 MiB limit (a 2 GiB limit:
    64 GiB). A child now adds a filter refusing ``fork``, ``vfork`` and a ``clone`` without
    CLONE_THREAD (EPERM) unless ``Limits.may_fork``; threads share their process's address space
    and still start. Before the fix: forked, forked."""
    if not sandbox.capabilities.seccomp:
        pytest.skip("no seccomp filter on this machine")
    with sandbox.session(_PROCESSES, filename="attack.py") as session:
        refused = session.call("start", ())
    with sandbox.session(_PROCESSES, filename="attack.py", limits=forking(sandbox)) as session:
        allowed = session.call("start", ())
    assert refused.status == "ok" and refused.value == {
        "threads": ["thread"], "fork": "PermissionError", "clone": os.strerror(errno.EPERM)}, refused
    assert allowed.status == "ok" and allowed.value == {"threads": ["thread"], "fork": "forked", "clone": "forked"}, \
        allowed


@pytest.mark.slow
def test_the_class_report_holds_nothing_a_terminal_acts_on(tmp_path):
    """report.html, the instructor's page, shows a flagged pair's code side by side, and a
    student's code may hold any character in a string literal: ESC ] 0 (a window's title),
    ESC [ 2J, BEL and U+202E were in the file as written. Written as character references now,
    as in feedback.html. Before the fix: 4 ESC in report.html."""
    head = "def rnn_cell_forward(xt, a_prev, parameters):\n"
    same = nbs.course_notebook(nbs.mutate("rnn_cell_forward", head,
                                          head + "    note = '\x1b]0;PWNED\x07\x1b[2J\u202e'\n"))
    for name in ("a", "b"):  # two alike: a pair the similarity check flags
        nbs.write(tmp_path / "class" / f"{name}.ipynb", same)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "grade.py", str(tmp_path / "class"), "--out", str(out), "--jobs", "1",
                           "--no-html"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    data = (out / "report.html").read_bytes()
    assert b"&#x1b;]0;PWNED&#x7;&#x1b;[2J&#x202e;" in data, "the pair's code is not shown"
    assert b"\x1b" not in data and b"\x07" not in data and "\u202e".encode() not in data
