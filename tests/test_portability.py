"""The sandbox and the students' self-check where Linux's facilities are missing (macOS), and
the clear refusal where there is no ``os.fork`` (Windows).

There is no Mac here, so macOS is simulated on Linux, in a subprocess started through a launcher
that removes, before anything of the grader is imported, what macOS lacks and Python lets us take
away: ``select.epoll``, ``os.pidfd_open``, ``os.unshare``, ``os.pipe2``, ``os.setresuid``,
``os.sched_getaffinity``, ``os.memfd_create``, ``os.eventfd``, ``socket.SOCK_SEQPACKET``,
``socket.SOCK_CLOEXEC``, ``fcntl.F_SETPIPE_SZ``; the C library's ``prctl``, ``unshare``,
``mount``, ``syscall`` (the entry points of seccomp, Landlock and the namespaces in
``grader._child``); ``os.uname()`` says Darwin; ``RLIMIT_AS`` is accepted and ignored, as on
macOS. The same removals run first in the sandbox's zygote (its boot script is prefixed with
them), and, as root, the subprocess gets a mount namespace whose ``/proc`` is an empty tmpfs.
Each self-check runs as root and as ``nobody`` and must print exactly what it prints on Linux.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from grader import _child
from grader.selfcheck import UNFENCED
from tests import notebooks as nbs
from tests.isolation import isolated

REPO = Path(__file__).resolve().parents[1]
NOBODY = 65534

#: Run first in the launcher and in the zygote: what macOS has not, taken away. ``select`` goes
#: first: ``import socket`` imports ``selectors``, which picks its default from ``select`` once.
MACOS = r'''
import select as _sel
for _n in ("epoll", "EPOLLIN", "EPOLLOUT"):
    if hasattr(_sel, _n):
        delattr(_sel, _n)
import ctypes as _ct, fcntl as _fc, os as _os, resource as _rs, socket as _so
for _m, _names in ((_os, ("pidfd_open", "unshare", "setns", "sched_getaffinity", "memfd_create", "eventfd",
                          "pipe2", "setresuid", "setresgid", "getresuid")),
                   (_so, ("SOCK_CLOEXEC", "SOCK_NONBLOCK", "SOCK_SEQPACKET")),
                   (_fc, ("F_SETPIPE_SZ", "F_GETPIPE_SZ"))):
    for _n in _names:
        if hasattr(_m, _n):
            delattr(_m, _n)
_real_uname = _os.uname
_os.uname = lambda: _os.uname_result(("Darwin",) + tuple(_real_uname())[1:4] + ("arm64",))
_real_getattr = _ct.CDLL.__getattr__
def _no_linux_calls(self, name, _get=_real_getattr):
    if name in ("prctl", "unshare", "mount", "syscall", "setns", "pidfd_open", "malloc_trim"):
        raise AttributeError(name)
    return _get(self, name)
_ct.CDLL.__getattr__ = _no_linux_calls
_real_setrlimit = _rs.setrlimit
def _setrlimit(res, limits, _set=_real_setrlimit):
    if res == _rs.RLIMIT_AS:
        return None  # accepted, not enforced
    return _set(res, limits)
_rs.setrlimit = _setrlimit
'''

#: What Windows has not (for the self-check's purposes): fork, Unix sockets, fcntl, resource, a
#: C library opened by name, interval timers.
WINDOWS = r'''
import ctypes as _ct, os as _os, signal as _sig, socket as _so, sys as _sys
for _m, _names in ((_os, ("fork", "forkpty", "setsid", "killpg", "pipe2", "register_at_fork")),
                   (_so, ("AF_UNIX", "CMSG_LEN")), (_sig, ("setitimer", "SIGALRM", "ITIMER_REAL"))):
    for _n in _names:
        if hasattr(_m, _n):
            delattr(_m, _n)
_sys.modules["fcntl"] = None
_sys.modules["resource"] = None
_real_init = _ct.CDLL.__init__
def _no_libc(self, name, *args, _init=_real_init, **kwargs):
    if name is None:
        raise TypeError("expected str, bytes or os.PathLike object, not NoneType")
    _init(self, name, *args, **kwargs)
_ct.CDLL.__init__ = _no_libc
'''

#: The launcher: ``python3 launcher.py SYSTEM ROOT grade.py ARGS...`` or ``... ROOT live NOTEBOOK``.
#: SYSTEM is "linux" (nothing removed), "macos" or "windows"; ROOT holds grade.py and grader/.
LAUNCHER = r'''
import json, os, runpy, sys
system, root, what = sys.argv[1], sys.argv[2], sys.argv[3]
prelude = {"linux": "", "macos": MACOS, "windows": WINDOWS}[system]
exec(prelude)
sys.path.insert(0, root)
os.chdir(root)
if system == "macos":
    import grader.zygote
    grader.zygote._BOOT = prelude + grader.zygote._BOOT  # the zygote lacks the same
if what == "grade.py":
    sys.argv = ["grade.py"] + sys.argv[4:]
    runpy.run_path("grade.py", run_name="__main__")
else:  # check() on a namespace holding what the notebook's cells define, as a kernel would
    import contextlib, io
    sys.path.insert(0, os.path.dirname(sys.argv[4]))  # rnn_utils beside the notebook
    namespace = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in json.load(open(sys.argv[4]))["cells"]:
            if cell["cell_type"] == "code":
                try:
                    exec("".join(cell["source"]), namespace)
                except Exception:
                    pass
    from grader import check
    summary = check(namespace=namespace)
    print("summary ok:", summary.ok)
'''

#: One notebook with one of each: a crash, an endless loop, a memory hog that asks for too much
#: at once, one that grows until it has too much, an exception with its line, a correct function.
HOSTILE = {
    **nbs.mutate("rnn_cell_forward", "    # Retrieve parameters",
                 "    import os\n    os._exit(3)\n    # Retrieve parameters"),
    **nbs.mutate("rnn_forward", "    caches = (caches, x)", "    while True:\n        pass\n    caches = (caches, x)"),
    **nbs.mutate("lstm_cell_forward", "    Wf = parameters", "    huge = np.ones((10**5, 10**5))\n    Wf = parameters"),
    **nbs.mutate("lstm_forward", "    caches = []", "    kept = []\n    while True:\n"
                 "        kept.append(np.empty(2**24))\n    caches = []"),
    **nbs.mutate("rnn_cell_backward", "dxt = np.dot(Wax.T, dtanh)", "dxt = np.dot(Wax, dtanh)"),
}


def _isolate(*, hide_proc: bool, nobody: bool):
    """See ``tests.isolation.isolated``."""
    return isolated(hide_proc=hide_proc, nobody=nobody)


@pytest.fixture(scope="module")
def kit():
    """The student kit, world-readable, with the launcher, the course's helper module and the
    notebooks: ada's (correct) and a hostile one."""
    if os.geteuid() != 0:
        pytest.skip("the simulation needs root (a mount namespace for /proc, and the drop to nobody)")
    from grader.classfiles import DEFAULT_RUBRIC
    from grader.course import COURSE_MODULES
    from grader.kit import write_student_kit

    with tempfile.TemporaryDirectory(prefix="portability-") as tmp:
        base = Path(tmp)
        root = write_student_kit(base / "kit", rubric=DEFAULT_RUBRIC)
        (base / "launcher.py").write_text(f"MACOS = {MACOS!r}\nWINDOWS = {WINDOWS!r}\n" + LAUNCHER)
        shutil.copyfile(REPO / "submissions" / "ada_correct.ipynb", base / "ada.ipynb")
        nbs.write(base / "correct.ipynb", nbs.course_notebook())  # no bonus cells: nothing imports TensorFlow
        nbs.write(base / "wrong.ipynb", nbs.course_notebook({  # for check(), which runs in its caller's process
            **nbs.mutate("rnn_cell_forward", "+ ba)", ")"),
            **{k: HOSTILE[k] for k in ("rnn_forward", "rnn_cell_backward")}}))
        nbs.write(base / "hostile.ipynb", nbs.course_notebook(HOSTILE))
        (base / "rnn_utils.py").write_text("import numpy as np\n\n" + "\n\n".join(COURSE_MODULES["rnn_utils"].values()))
        for path in [base, *base.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        yield base, Path(root)


def _run(kit, system: str, *args: str, user: str = "root", hide_proc: bool = False,
         timeout: float = 180) -> subprocess.CompletedProcess:
    """The launcher in a subprocess: ``system`` simulated, as ``user`` ("root" or "nobody")."""
    base, root = kit
    env = {"PATH": "/usr/bin:/bin", "HOME": str(base), "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    preexec = _isolate(hide_proc=hide_proc, nobody=user == "nobody") if hide_proc or user == "nobody" else None
    return subprocess.run([sys.executable, str(base / "launcher.py"), system, str(root), *args],
                          cwd=base, env=env, preexec_fn=preexec, capture_output=True, text=True,
                          timeout=timeout)


# --------------------------------------------------------------------------- fast: in this process


def test_platform_is_detected_once_and_linux_here_has_everything():
    """This machine (Linux) has every facility; the Linux sandbox loses nothing."""
    if not sys.platform.startswith("linux"):
        pytest.skip("a Linux test")
    platform = _child.PLATFORM
    assert platform == _child.detect_platform()
    assert all(platform[:1] + platform[2:])  # every facility but /proc, which a container may lack
    assert platform.lost() == () or all(gap.startswith("no /proc: ") for gap in platform.lost())


def test_control_messages_keep_their_boundaries_and_descriptors_on_a_stream():
    """The zygote's control channel where there is no SEQPACKET: two messages sent back to back,
    the first with a descriptor, read one at a time with the descriptor on the first."""
    import socket

    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    r, w = _child.cloexec_pipe()
    try:
        _child.ctrl_send(a, b'{"op": "spawn"}', [w], framed=True)
        _child.ctrl_send(a, b'{"op": "close"}' * 1000, framed=True)
        first, fds = _child.ctrl_recv(b, 1 << 20, framed=True)
        assert first == b'{"op": "spawn"}' and len(fds) == 1
        os.write(fds[0], b"x")
        os.close(fds[0])
        assert os.read(r, 1) == b"x"
        second, more = _child.ctrl_recv(b, 1 << 20, framed=True)
        assert second == b'{"op": "close"}' * 1000 and more == []
        _child.ctrl_send(a, b"x" * 100, framed=True)
        with pytest.raises(OSError):
            _child.ctrl_recv(b, 10, framed=True)  # longer than allowed: refused, not read
        c, d = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        c.close()
        assert _child.ctrl_recv(d, 1 << 20, framed=True)[0] == b""  # end of stream
        d.close()
    finally:
        for fd in (r, w):
            os.close(fd)
        a.close()
        b.close()


def test_a_pipe_without_pipe2_is_close_on_exec_and_nonblocking_as_asked(monkeypatch):
    monkeypatch.setattr(_child, "PLATFORM", _child.PLATFORM._replace(pipe2=False))
    monkeypatch.delattr(os, "pipe2", raising=False)
    r, w = _child.cloexec_pipe(nonblocking=True)
    try:
        assert not os.get_inheritable(r) and not os.get_inheritable(w)
        assert not os.get_blocking(r) and not os.get_blocking(w)
    finally:
        os.close(r)
        os.close(w)


def test_the_class_sandbox_refuses_without_linux_and_the_self_checks_degrades(monkeypatch):
    """Sandbox() refuses to start on a system without Linux's facilities unless the caller accepts
    the degraded sandbox (only the self-check does); the reason names what is missing."""
    from grader import sandbox, zygote

    for module in (sandbox, zygote):
        monkeypatch.setattr(module, "PLATFORM", _child.PLATFORM._replace(linux=False))
    reason = sandbox.unprotected_reason()
    assert reason is not None and "needs Linux" in reason and "seccomp" in reason
    with pytest.raises(sandbox.UnprotectedPlatform, match="needs Linux's protections"):
        sandbox.Sandbox()
    for module in (sandbox, zygote):
        monkeypatch.setattr(module, "PLATFORM", _child.PLATFORM)
    monkeypatch.setattr(zygote, "_BOOT", zygote._BOOT.replace(
        "import grader.wire, grader._child\n",
        "import grader.wire, grader._child\ngrader._child.PLATFORM = grader._child.PLATFORM._replace(linux=False)\n"))
    with pytest.raises(sandbox.UnprotectedPlatform):  # the zygote's own finding counts too
        sandbox.Sandbox()
    sandbox.Sandbox(degraded_ok=True).close()
    assert sandbox.unprotected_reason() is None


def test_the_self_check_says_what_windows_lacks_before_anything_runs(monkeypatch):
    import io

    from grader import selfcheck
    from grader.classfiles import DEFAULT_RUBRIC

    assert selfcheck.unsupported_system() is None  # here: Linux
    monkeypatch.delattr(os, "fork")
    out = io.StringIO()
    code = selfcheck.run_check(REPO / "submissions" / "ada_correct.ipynb", rubric=DEFAULT_RUBRIC, stream=out)
    assert code == selfcheck.EXIT_UNUSABLE
    assert "needs Linux or macOS" in out.getvalue() and "os.fork" in out.getvalue()
    assert "WSL" in out.getvalue()


def test_without_a_timer_signal_a_watchdog_thread_stops_an_endless_loop(monkeypatch):
    """check()'s time limit where there is no signal.setitimer (Windows): a watchdog thread
    raises in the loop; a body that ends in time, even just in time, never gets it later."""
    import signal
    import time

    from grader import live

    monkeypatch.delattr(signal, "setitimer")
    t0 = time.monotonic()
    with pytest.raises(live._Timeout):
        with live._alarm(0.2):
            while True:
                pass
    assert 0.15 < time.monotonic() - t0 < 2.0
    for _ in range(100):  # ending around the limit: a _Timeout inside the block or none at all
        try:
            with live._alarm(0.001):
                t = time.perf_counter()
                while time.perf_counter() - t < 0.001:
                    pass
        except live._Timeout:
            pass
    total = 0
    for i in range(200_000):  # time for a stray exception to arrive: none may
        total += i
    assert total == sum(range(200_000))


def test_a_reservation_leaves_only_the_room_asked_for():
    """Where RLIMIT_AS is not enforced, a child reserves the address space beyond its memory
    limit: afterwards an allocation larger than the room fails with MemoryError, one within it
    works. Run in a subprocess (the reservation lasts as long as the process)."""
    script = textwrap.dedent("""
        import numpy as np
        from grader._child import reserve_address_space
        held = reserve_address_space(256 * 2**20)
        small = np.ones(16 * 2**20 // 8)
        try:
            np.ones(512 * 2**20 // 8)
        except MemoryError as exc:
            print("refused:", exc)
        print("held", len(held), "small", small.sum() == small.size)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert "refused: Unable to allocate 512. MiB" in done.stdout, done.stdout + done.stderr
    assert "small True" in done.stdout


# --------------------------------------------------------------------------- slow: simulated systems


def _same_text(linux: subprocess.CompletedProcess, other: subprocess.CompletedProcess) -> None:
    """The same exit status and the same printed report."""
    assert other.returncode == linux.returncode, other.stdout[-3000:] + other.stderr[-3000:]
    assert other.stdout == linux.stdout, other.stderr[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("user", ["root", "nobody"])
def test_self_check_on_simulated_macos_prints_what_linux_prints(kit, user):
    """``grade.py --check`` in the kit: a correct notebook (exit 0) and a hostile one (a crash,
    an endless loop, two memory hogs, an exception) give the Linux report word for word."""
    for notebook, status in (("ada.ipynb", 0), ("hostile.ipynb", 1)):
        args = ("grade.py", "--check", str(kit[0] / notebook))
        linux = _run(kit, "linux", *args, user=user)
        assert linux.returncode == status, linux.stdout[-3000:] + linux.stderr[-3000:]
        macos = _run(kit, "macos", *args, user=user, hide_proc=True)
        # Word for word, and then the one sentence macOS adds: its lack of Landlock (selfcheck.UNFENCED).
        assert macos.returncode == linux.returncode, macos.stdout[-3000:] + macos.stderr[-3000:]
        assert macos.stdout == linux.stdout + UNFENCED, macos.stderr[-3000:]
    report = linux.stdout
    assert ": crashed\n" in report and "exit status 3" in report
    assert "timed out" in report
    assert report.count("Ran out of memory") == 2 and ">   huge = np.ones((10**5, 10**5))" in report
    assert ">   kept.append(np.empty(2**24))" in report
    assert "rnn_backward       passed" in report


@pytest.mark.slow
def test_the_simulation_reaches_the_zygote_and_the_child():
    """The degraded sandbox really runs: the zygote reports the facilities missing, the child
    has no address-space limit (its reservation stands for it, see the hostile notebook), and a
    child that dies while a process it started holds its socket is seen dead without a pidfd."""
    if os.geteuid() != 0:
        pytest.skip("needs root for the empty /proc")
    script = MACOS + textwrap.dedent(f"""
        import resource, sys, time
        sys.path.insert(0, {str(REPO)!r})
        import grader.sandbox as sandbox
        import grader.zygote
        grader.zygote._BOOT = {MACOS!r} + grader.zygote._BOOT
        print(sandbox.PLATFORM)
        program = ("import os, resource, time\\n"
                   "def limit():\\n    return resource.getrlimit(resource.RLIMIT_AS)[0]\\n"
                   "def leave_a_holder():\\n    if os.fork() == 0:\\n        time.sleep(30)\\n"
                   "        os._exit(0)\\n    os._exit(4)\\n")
        with sandbox.Sandbox(degraded_ok=True) as box:
            caps = box.capabilities
            print("caps", caps.seccomp, caps.landlock_abi, caps.subreaper, caps.mount_namespace, caps.rlimits[1])
            with box.session(program) as session:
                print("as limit", session.call("limit", ()).value == resource.RLIM_INFINITY)
                t0 = time.monotonic()
                died = session.call("leave_a_holder", (), timeout=5.0)
                print("died", died.status, died.message, time.monotonic() - t0 < 2.0)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120,
                          preexec_fn=_isolate(hide_proc=True, nobody=False))
    assert ("Platform(linux=False, proc=False, epoll=False, pidfd=False, seqpacket=False, pipe2=False, "
            "setresuid=False)") in done.stdout, \
        done.stdout + done.stderr
    assert "caps False 0 False False AS (by reserving the address space beyond it)" in done.stdout, done.stderr
    assert "as limit True" in done.stdout
    # its grandchild holds its socket open: without a pidfd the death is still seen at once
    assert "died crashed the program ended its process (exit status 4) True" in done.stdout, done.stdout


@pytest.mark.slow
def test_check_in_jupyter_on_simulated_macos_and_windows_prints_what_linux_prints(kit):
    """``check()`` imports nothing that macOS or Windows lacks: the same report as on Linux, for a
    correct notebook and one with a known mistake, an endless loop (stopped by a watchdog thread
    on Windows, which has no SIGALRM) and an exception (no crash or hog: check() runs in its
    caller's process)."""
    for notebook, ok in (("correct.ipynb", True), ("wrong.ipynb", False)):
        linux = _run(kit, "linux", "live", str(kit[0] / notebook))
        assert linux.returncode == 0 and f"summary ok: {ok}" in linux.stdout, linux.stderr[-3000:]
        assert ok or "rnn_forward        timed out" in linux.stdout
        for system in ("macos", "windows"):
            _same_text(linux, _run(kit, system, "live", str(kit[0] / notebook)))


@pytest.mark.slow
def test_self_check_on_simulated_windows_says_what_to_use_instead(kit):
    done = _run(kit, "windows", "grade.py", "--check", str(kit[0] / "ada.ipynb"))
    assert done.returncode == 2, done.stderr[-3000:]
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.startswith("Self-check cannot run on this system: it needs Linux or macOS")
    assert "os.fork" in done.stdout and "WSL" in done.stdout


@pytest.mark.slow
def test_a_class_run_on_simulated_macos_refuses_and_grades_nothing(tmp_path):
    """The instructors' grading keeps every protection: without Linux it stops before any
    student code runs, saying why, and writes no grade."""
    if os.geteuid() != 0:
        pytest.skip("needs root for the empty /proc")
    submissions = tmp_path / "class"
    submissions.mkdir()
    shutil.copyfile(REPO / "submissions" / "ada_correct.ipynb", submissions / "ada.ipynb")
    launcher = tmp_path / "launcher.py"
    launcher.write_text(f"MACOS = {MACOS!r}\nWINDOWS = {WINDOWS!r}\n" + LAUNCHER)
    out = tmp_path / "out"
    for jobs in ("1", "2"):
        done = subprocess.run(
            [sys.executable, str(launcher), "macos", str(REPO), "grade.py", str(submissions), "--out", str(out),
             "--force", "--no-similarity", "--jobs", jobs], cwd=REPO, capture_output=True, text=True,
            timeout=120, preexec_fn=_isolate(hide_proc=True, nobody=False))
        assert done.returncode != 0
        assert "grading a class needs Linux's protections" in done.stderr, done.stderr[-3000:]
        assert "Traceback" not in done.stderr, done.stderr[-3000:]  # a message, not a crash
        assert not (out / "grades.csv").exists() and not list(out.rglob("results.json"))
