"""Hostile submissions: each test is an attack and fails if the attack works.

Runs in whatever mode the test process has.  Root-only protections are
skipped with a reason when not root; tests/test_sandbox_nonroot.py runs this
file again as an unprivileged user to prove the degraded mode.
"""

from __future__ import annotations

import errno
import json
import math
import os
import secrets
import signal
import socket
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox import Limits, Sandbox
from tests.forking import forking

REPO = Path(__file__).resolve().parents[1]
IS_ROOT = os.geteuid() == 0

# A "fixture" held by the grading process: it must never be visible to a child.
SECRET = "SECRET-FIXTURE-" + secrets.token_hex(16)
EXPECTED = np.frombuffer(SECRET.encode(), dtype=np.uint8).copy()


@pytest.fixture(scope="module")
def secret_files(tmp_path_factory):
    """A fixtures folder and an output folder with secret content, as the grader would have them."""
    base = tmp_path_factory.mktemp("grading")
    fixtures = base / "fixtures"
    fixtures.mkdir()
    (fixtures / "rnn_forward.json").write_text(json.dumps({"expected": SECRET}))
    out = base / "out"
    out.mkdir()
    (out / "results.json").write_text(json.dumps({"grade": 0}))
    for p in (base, fixtures, out):
        p.chmod(0o755)
    for f in (fixtures / "rnn_forward.json", out / "results.json"):
        f.chmod(0o644)  # world-readable on purpose: permissions alone would not protect them
    return fixtures, out


@pytest.fixture(scope="module")
def sandbox(secret_files):
    """One sandbox for the module, hiding the repository's secrets and the test's folders."""
    fixtures, out = secret_files
    os.environ["GRADER_TEST_SECRET"] = SECRET
    try:
        with Sandbox(limits=Limits(call_timeout=3.0, submission_timeout=60.0, memory_bytes=2**30),
                     protected_paths=[REPO / "solution", REPO / "rubrics", fixtures, out]) as sb:
            yield sb
    finally:
        os.environ.pop("GRADER_TEST_SECRET", None)


def run(sandbox, program: str, function: str, *args, **kw):
    """Load `program` in a fresh session and call one function."""
    with sandbox.session(textwrap.dedent(program), filename="attack.py") as s:
        assert s.load.status == "ok", s.load
        return s.call(function, args, **kw)


def files_hidden(sandbox) -> bool:
    """Whether file reads outside the interpreter are denied (mount namespace or Landlock)."""
    caps = sandbox.capabilities
    return caps.mount_namespace or caps.landlock_abi > 0


def _gone(pids, timeout=5.0) -> list[int]:
    """Pids still present (not even zombies allowed) after waiting up to `timeout`."""
    deadline = time.monotonic() + timeout
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if os.path.exists(f"/proc/{p}")]
        time.sleep(0.05)
    return alive


# ---------------------------------------------------------------- forged comparisons


def test_monkeypatched_numpy_and_math_do_not_change_the_parents_comparisons(sandbox):
    program = """
        import math, builtins
        import numpy as np
        np.allclose = lambda *a, **k: True
        np.array_equal = lambda *a, **k: True
        np.isclose = lambda *a, **k: np.True_
        np.testing.assert_allclose = lambda *a, **k: None
        math.isclose = lambda *a, **k: True
        builtins.abs = lambda x: 0
        np.ndarray_real_sum = np.sum
        def answer():
            return np.zeros(3), np.allclose(1, 2), math.isclose(1, 2)
    """
    out = run(sandbox, program, "answer")
    assert out.status == "ok"
    value, child_allclose, child_isclose = out.value
    assert child_allclose is True and child_isclose is True  # the patch was live in the child...
    np.testing.assert_array_equal(value, np.zeros(3))          # ...but only real data came back
    assert type(value) is np.ndarray
    assert not np.allclose(value, np.ones(3))                  # and the parent's numpy is untouched
    assert not math.isclose(0.0, 1.0)
    assert abs(-2) == 2


def test_patches_made_during_a_call_do_not_leak_into_the_next_call(sandbox):
    program = """
        import sys, types, math
        import numpy as np
        def patch():
            np.sum = lambda *a, **k: 42
            math.sqrt = lambda x: -1.0
            fake = types.ModuleType("numpy")
            fake.sum = lambda *a, **k: 42
            sys.modules["numpy"] = fake
            sys.path.insert(0, "/nowhere")
            return np.sum([1, 2])
        def check():
            import numpy
            return float(numpy.sum([1.0, 2.0])), math.sqrt(4.0), "/nowhere" in sys.path
    """
    with sandbox.session(textwrap.dedent(program)) as s:
        assert s.call("patch", ()).value == 42
        assert s.call("check", ()).value == (3.0, 2.0, False)


def test_forged_result_on_stdout_changes_nothing(sandbox):
    program = """
        import json, sys
        import numpy as np
        from grader import wire
        def answer():
            fake = {"kind": "outcome", "status": "ok", "value": 1.0, "args_after": None, "aliases": [],
                    "error_type": "", "message": "", "frames": []}
            print(json.dumps({"status": "ok", "value": [1.0, 2.0, 3.0], "score": 100}))
            sys.stdout.flush()
            payload = wire.encode(fake)
            sys.stdout.buffer.write(len(payload).to_bytes(8, "big") + payload)
            sys.stdout.flush()
            return -1.0
    """
    out = run(sandbox, program, "answer")
    assert out.status == "ok"
    assert out.value == -1.0
    assert '"score": 100' in out.output


def test_garbage_on_the_protocol_channel_is_bad_output_for_that_call_only(sandbox):
    program = """
        import os
        def garbage():
            os.write(3, b"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x10not wire data!!")
            import time; time.sleep(1)
        def huge_frame():
            os.write(3, (2**62).to_bytes(8, "big"))
            import time; time.sleep(1)
        def fine():
            return "still graded"
    """
    with sandbox.session(textwrap.dedent(program)) as s:
        assert s.call("garbage", ()).status == "bad_output"
        assert s.call("fine", ()).value == "still graded"
        assert s.call("huge_frame", ()).status == "bad_output"
        assert s.call("fine", ()).value == "still graded"


def test_a_forked_copy_of_the_runtime_cannot_answer_in_place_of_the_child(sandbox):
    program = """
        import os, time
        def twice():
            pid = os.fork()
            if pid == 0:
                return "from the copy"
            time.sleep(0.2)   # let the copy try to answer first
            return "from the child"
        def stale():
            if os.fork() == 0:
                time.sleep(0.3)
                return "late answer"
            return "now"
        def fine():
            time.sleep(0.5)
            return "graded"
    """
    with sandbox.session(textwrap.dedent(program), limits=forking(sandbox)) as s:
        assert s.call("twice", ()).value == "from the child"
        assert s.call("stale", ()).value == "now"
        assert s.call("fine", ()).value == "graded"


def test_forged_result_files_cannot_be_written_where_the_grader_looks(sandbox, secret_files):
    if not files_hidden(sandbox):
        pytest.skip("needs root (mount namespace) or Landlock")
    _, out_dir = secret_files
    program = """
        import os
        def forge(out_dir, repo):
            written = []
            for target in (os.path.join(out_dir, "results.json"), os.path.join(out_dir, "new.json"),
                           os.path.join(repo, "forged.json"), os.path.join(repo, "rubrics", "x.yaml")):
                try:
                    with open(target, "w") as f:
                        f.write('{"grade": 100}')
                    written.append(target)
                except OSError:
                    pass
            with open("results.json", "w") as f:   # its own private directory is fine
                f.write('{"grade": 100}')
            return written, os.getcwd()
    """
    out = run(sandbox, program, "forge", str(out_dir), str(REPO))
    assert out.status == "ok"
    written, cwd = out.value
    assert written == []
    assert json.loads((out_dir / "results.json").read_text()) == {"grade": 0}
    assert sorted(p.name for p in out_dir.iterdir()) == ["results.json"]
    assert not (REPO / "forged.json").exists()
    assert not cwd.startswith(str(REPO))


# ---------------------------------------------------------------- reading the reference and fixtures


def test_the_reference_solution_cannot_be_imported(sandbox):
    program = """
        import sys, os
        def steal():
            inherited = [m for m in sys.modules if m.startswith(("solution", "tests", "pytest", "_pytest"))]
            found = []
            try:
                import solution.rnn
                found.append("import solution.rnn")
            except Exception:
                pass
            import grader
            root = os.path.dirname(os.path.dirname(os.path.abspath(grader.__path__[0])))
            for base in (root, os.path.dirname(os.path.abspath(grader.__path__[0])), os.getcwd()):
                sys.path.insert(0, base)
            sys.modules.pop("solution", None)
            try:
                import solution.rnn
                found.append("import via grader.__path__")
            except Exception:
                pass
            return found, inherited
    """
    out = run(sandbox, program, "steal")
    assert out.status == "ok"
    found, modules = out.value
    assert modules == [], "the child inherited modules of the grading process"
    if files_hidden(sandbox):
        assert found == []
    elif IS_ROOT:
        pytest.fail("root without mount namespace: the reference is importable")


def test_reference_and_fixtures_cannot_be_read_by_path(sandbox, secret_files):
    if not files_hidden(sandbox):
        pytest.skip("needs root (mount namespace) or Landlock")
    fixtures, _ = secret_files
    program = """
        import os
        def steal(repo, fixtures):
            import grader
            walked = os.path.dirname(os.path.abspath(grader.__path__[0]))
            candidates = [os.path.join(repo, "solution", "rnn.py"), os.path.join(walked, "solution", "rnn.py"),
                          os.path.join(fixtures, "rnn_forward.json"), os.path.join(repo, "rubrics")]
            here = os.getcwd()
            for _ in range(8):
                candidates.append(os.path.join(here, "solution", "rnn.py"))
                here = os.path.dirname(here)
            got = []
            for path in candidates:
                try:
                    if os.path.isdir(path):
                        if os.listdir(path):
                            got.append(path)
                    else:
                        with open(path) as f:
                            if f.read(1):
                                got.append(path)
                except OSError:
                    pass
            return got
    """
    out = run(sandbox, program, "steal", str(REPO), str(fixtures))
    assert out.status == "ok"
    assert out.value == [], f"read protected files: {out.value}"
    assert (REPO / "solution" / "rnn.py").exists()  # they exist: the child just cannot see them


def test_grading_process_cannot_be_read_through_proc(sandbox):
    program = """
        import os
        def steal(pid):
            got = []
            for target in ("cmdline", "environ", "maps", "mem", "status", "cwd/solution/rnn.py",
                           "root/etc/hostname", "fd/0", "task"):
                for p in (pid, os.getppid(), 1):
                    path = f"/proc/{p}/{target}"
                    try:
                        if os.path.isdir(path):
                            os.listdir(path)
                        else:
                            with open(path, "rb") as f:
                                f.read(16)
                        got.append(path)
                    except OSError:
                        pass
            return got
    """
    out = run(sandbox, program, "steal", os.getpid())
    assert out.status == "ok"
    if IS_ROOT and not sandbox.capabilities.proc_hidepid:
        pytest.skip("no hidepid /proc here")
    if not IS_ROOT and not sandbox.capabilities.landlock_abi:
        pytest.skip("without root and Landlock /proc of the same user is readable")
    assert out.value == []


def test_nothing_of_the_grading_process_is_in_the_childs_memory(sandbox):
    program = r"""
        import gc, os, re
        def scan():
            pattern = re.compile(rb"SECRET-FIXTURE-[0-9a-f]{32}")
            found = set()
            try:
                with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", 0) as mem:
                    for line in maps:
                        addr, perms = line.split()[:2]
                        if "r" not in perms or "[v" in line:
                            continue
                        lo, hi = (int(x, 16) for x in addr.split("-"))
                        try:
                            mem.seek(lo)
                            found.update(m.decode() for m in pattern.findall(mem.read(hi - lo)))
                        except (OSError, OverflowError, ValueError):
                            pass
                method = "memory"
            except OSError:
                method = "objects"
            for obj in gc.get_objects():
                if isinstance(obj, dict):
                    for v in obj.values():
                        if isinstance(v, str) and pattern.search(v.encode()):
                            found.add(v)
            found.update(v for v in os.environ.values() if pattern.search(v.encode()))
            return method, sorted(found)
    """
    out = run(sandbox, program, "scan", timeout=20.0)
    assert out.status == "ok", out
    method, found = out.value
    assert SECRET not in found and SECRET not in str(found)
    assert found == []
    assert os.environ["GRADER_TEST_SECRET"] == SECRET and EXPECTED.size  # the parent does hold them


# ---------------------------------------------------------------- resource attacks


def test_memory_bomb_is_stopped_and_the_next_call_works(sandbox):
    program = """
        import numpy as np
        def bomb_numpy():
            return np.ones((100_000, 100_000)).sum()
        def bomb_list():
            chunks = []
            while True:
                chunks.append(bytearray(50 * 2**20))
        def fine():
            return 1
    """
    limits = Limits(memory_bytes=512 * 2**20, call_timeout=10.0)
    with sandbox.session(textwrap.dedent(program), limits=limits) as s:
        first = s.call("bomb_numpy", ())
        assert first.status == "memory" and first.error_type in ("MemoryError", "_ArrayMemoryError")
        second = s.call("bomb_list", ())
        assert second.status in ("memory", "crashed")
        assert s.call("fine", ()).value == 1


def test_fork_bomb_is_bounded_and_cleaned_up(sandbox):
    program = """
        import os, time
        def bomb():
            pids = []
            for _ in range(500):
                try:
                    pid = os.fork()
                except OSError:
                    break
                if pid == 0:
                    time.sleep(120)
                    os._exit(0)
                pids.append(pid)
            return pids
        def real_bomb():
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
    """
    with sandbox.session(textwrap.dedent(program), limits=forking(sandbox)) as s:
        out = s.call("bomb", ())
        assert out.status == "ok"
        pids = out.value
        limit = sandbox.limits.max_processes
        assert 0 < len(pids) < limit
        assert s.call("real_bomb", (), timeout=1.0).status == "timeout"
    assert _gone(pids) == []


def test_infinite_loop_times_out_once(sandbox):
    program = "def spin():\n    while True:\n        pass\n"
    t0 = time.monotonic()
    out = run(sandbox, program, "spin", timeout=0.5)
    assert out.status == "timeout" and out.seconds == 0.5
    # a child kept waiting for a CPU may have up to four times its timeout in wall time
    assert time.monotonic() - t0 < 4 * 0.5 + 1.0


@pytest.mark.parametrize("body, status, error_type", [
    ("os._exit(3)", "crashed", "Exit"),
    ("sys.exit(2)", "error", "SystemExit"),
    ("raise SystemExit", "error", "SystemExit"),
    ("raise KeyboardInterrupt", "error", "KeyboardInterrupt"),
    ("os.kill(os.getpid(), signal.SIGINT); time.sleep(1)", "error", "KeyboardInterrupt"),
    ("os.kill(os.getpid(), signal.SIGTERM); time.sleep(1)", "crashed", "SIGTERM"),
    ("os.kill(os.getpid(), signal.SIGKILL)", "crashed", "SIGKILL"),
    ("ctypes.string_at(0)", "crashed", "SIGSEGV"),
    ("os.abort()", "crashed", "SIGABRT"),
    ("os.close(3)", "crashed", "Exit"),
])
def test_exits_signals_and_segfaults_affect_only_their_call(sandbox, body, status, error_type):
    program = f"""
        import ctypes, os, signal, sys, time
        def attack():
            {body}
        def fine():
            return "graded"
    """
    with sandbox.session(textwrap.dedent(program)) as s:
        out = s.call("attack", ())
        assert out.status == status, out
        if status == "crashed" and body == "os.close(3)":
            pass  # the child's runtime cannot answer any more: whatever exit it takes, it is a crash
        else:
            assert out.error_type == error_type, out
        assert s.call("fine", ()).value == "graded"


def test_detached_children_and_double_forked_grandchildren_do_not_outlive_the_session(sandbox):
    program = """
        import os, time
        def sleeper(new_session):
            # forked, not a program started: the child's filter refuses execve since s29
            pid = os.fork()
            if pid == 0:
                if new_session:
                    os.setsid()
                time.sleep(1000)
                os._exit(0)
            return pid
        def spawn():
            pids = [sleeper(False), sleeper(True)]
            r, w = os.pipe()
            if os.fork() == 0:          # double fork + setsid: escapes any process-group kill
                os.setsid()
                if os.fork() == 0:
                    os.write(w, str(os.getpid()).encode().ljust(16))
                    os.closerange(0, 64)
                    time.sleep(1000)
                os._exit(0)
            pids.append(int(os.read(r, 16)))
            if os.fork() == 0:          # a child that ignores SIGTERM and SIGHUP
                import signal
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                signal.signal(signal.SIGHUP, signal.SIG_IGN)
                time.sleep(1000)
            return pids
        def crash_leaving_children():
            pids = spawn()
            os.write(1, (" ".join(map(str, pids)) + "\\n").encode())
            os._exit(1)
    """
    with sandbox.session(textwrap.dedent(program), limits=forking(sandbox)) as s:
        out = s.call("spawn", ())
        assert out.status == "ok", out
        pids = out.value
        assert len(pids) == 3 and all(os.path.exists(f"/proc/{p}") for p in pids)
        crashed = s.call("crash_leaving_children", ())
        assert crashed.status == "crashed"
        left_by_crash = [int(p) for p in crashed.output.split()]
        assert len(left_by_crash) == 3
        assert _gone(left_by_crash) == [], "processes of a dead child survived its restart"
    assert _gone(pids) == [], "processes survived the session"


def test_huge_output_is_truncated_and_costs_little(sandbox):
    program = """
        import os, sys
        def shout():
            for _ in range(200):
                print("x" * 100_000)
            os.write(2, b"y" * 5_000_000)
            return "done"
    """
    # the bound on its cost: the sandbox's own timeout (it leaves out waits for a CPU), not wall time
    out = run(sandbox, program, "shout", timeout=3.0)
    assert out.status == "ok" and out.value == "done"
    assert len(out.output) < sandbox.limits.output_bytes + 200
    assert "more bytes of output not shown" in out.output


# ---------------------------------------------------------------- network and signals


def test_network_access_is_refused(sandbox, tmp_path):
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    tcp.settimeout(0.5)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(0.5)
    sock_dir = tmp_path / "public"
    sock_dir.mkdir()
    sock_dir.chmod(0o777)
    tmp_path.chmod(0o755)
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(str(sock_dir / "s"))
    os.chmod(sock_dir / "s", 0o777)
    unix.listen(8)
    unix.settimeout(0.5)
    program = """
        import socket
        def reach(tcp_port, udp_port, unix_path):
            ok = []
            try:
                s = socket.create_connection(("127.0.0.1", tcp_port), timeout=1)
                s.sendall(b"stolen")
                ok.append("tcp")
            except OSError:
                pass
            try:
                u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                u.sendto(b"stolen", ("127.0.0.1", udp_port))
                ok.append("udp")
            except OSError:
                pass
            try:
                x = socket.socket(socket.AF_UNIX)
                x.connect(unix_path)
                x.sendall(b"stolen")
                ok.append("unix")
            except OSError:
                pass
            return ok
    """
    try:
        out = run(sandbox, program, "reach", tcp.getsockname()[1], udp.getsockname()[1], str(sock_dir / "s"))
        caps = sandbox.capabilities
        if not (caps.network_namespace or caps.seccomp or caps.landlock_abi >= 4):
            pytest.skip("no network isolation available here")
        assert out.status == "ok"
        assert out.value == []
        with pytest.raises(OSError):
            tcp.accept()
        with pytest.raises(OSError):
            udp.recv(16)
        with pytest.raises(OSError):
            unix.accept()
    finally:
        tcp.close()
        udp.close()
        unix.close()


def test_the_child_cannot_signal_the_grader_or_the_zygote(sandbox):
    program = """
        import os, signal
        def hit(pid, zygote):
            hits = []
            for target in (pid, zygote, os.getppid()):
                try:
                    os.kill(target, signal.SIGSTOP)
                    hits.append(target)
                except OSError:
                    pass
            return hits
    """
    out = run(sandbox, program, "hit", os.getpid(), sandbox.zygote_pid)
    caps = sandbox.capabilities
    if not (caps.uid_drop or caps.landlock_abi >= 6):
        for pid in (os.getpid(), sandbox.zygote_pid):
            os.kill(pid, signal.SIGCONT)
        pytest.skip("without root or Landlock scoping the child may signal its own user's processes")
    assert out.status == "ok" and out.value == []
    with sandbox.session("def f():\n    return 1\n") as s:
        assert s.call("f", ()).value == 1


def test_child_runs_as_an_unprivileged_user_in_a_private_directory(sandbox):
    program = """
        import os
        def who():
            return os.getuid(), os.geteuid(), os.getgid(), os.getgroups(), os.getcwd(), os.listdir(".")
    """
    out = run(sandbox, program, "who")
    uid, euid, gid, groups, cwd, listing = out.value
    assert listing == []
    assert not cwd.startswith(str(REPO))
    if not IS_ROOT:
        pytest.skip("uid drop needs root")
    assert uid == euid == gid and uid >= 61000 and groups == []


def test_signals_to_the_grader_are_not_needed_for_timeouts(sandbox):
    """A child that blocks SIGINT/SIGTERM and catches everything is still stopped by the timeout."""
    program = """
        import signal, time
        def stubborn():
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_IGN)
            while True:
                try:
                    time.sleep(10)
                except BaseException:
                    pass
    """
    out = run(sandbox, program, "stubborn", timeout=0.5)
    assert out.status == "timeout"


def test_sandbox_start_does_not_import_the_graders_modules_into_the_zygote(sandbox):
    cmdline = Path(f"/proc/{sandbox.zygote_pid}/cmdline").read_bytes().split(b"\0")
    assert b"-I" in cmdline  # isolated mode: no cwd, no PYTHONPATH, no user site
    assert "pytest" in sys.modules  # the grading process has it; the child check is in test_the_reference...


def test_a_forged_outcome_with_malformed_value_bytes_is_never_accepted(sandbox):
    """The child writes its own outcome for the pending call straight onto the protocol
    socket: a header that announces a value frame, then bytes that are not wire data. Asked
    for the raw value, the grader gets the bytes, the shortcut refuses them and decoding
    raises; asked for a decoded value, the call is bad_output."""
    from grader.fastcheck import WireExpectation
    from grader.wire import WireError

    program = """
        import json, os, time
        def forge():
            head = json.dumps({"kind": "outcome", "status": "ok", "args_same": True, "aliases": [],
                               "error_type": "", "message": "", "frames": [], "seq": 2,
                               "frames_after": ["value"]}).encode()
            body = b"GW1\\n" + (10).to_bytes(4, "big") + b'{"root":1}' + b"junk"
            os.write(3, len(head).to_bytes(8, "big") + head + len(body).to_bytes(8, "big") + body)
            time.sleep(5)
    """
    with sandbox.session(textwrap.dedent(program), filename="attack.py") as s:
        out = s.call("forge", (), raw_value=True, timeout=2.0)
        assert out.status == "ok" and isinstance(out.raw, bytes)
        assert not WireExpectation.of(1.0).accepts(out.raw, rtol=1e-5, atol=1e-7)
        with pytest.raises(WireError):
            s.decode_value(out)
    with sandbox.session(textwrap.dedent(program), filename="attack.py") as s:
        assert s.call("forge", (), timeout=2.0).status == "bad_output"


def test_a_header_nested_beyond_reason_is_bad_output_not_a_crash(sandbox):
    program = """
        import os, time
        def bomb():
            head = b'{"a":' + b"[" * 100000 + b"]" * 100000 + b"}"  # valid JSON, too deep to parse
            os.write(3, len(head).to_bytes(8, "big") + head)
            time.sleep(5)
        def fine():
            return "still graded"
    """
    with sandbox.session(textwrap.dedent(program), filename="attack.py") as s:
        assert s.call("bomb", (), timeout=2.0).status == "bad_output"
        assert s.call("fine", ()).value == "still graded"


def test_an_oversized_json_header_is_refused_before_it_is_parsed(sandbox):
    """Headers are JSON parsed by the grader: 20 MB of numbers in one would cost it hundreds
    of megabytes as Python objects. Anything beyond the wire format's header limit is
    refused unread (bad_output), and the submission's next call is graded."""
    program = """
        import os, time
        def flood():
            head = b'{"kind":"outcome","pad":[' + b"1," * 10_000_000 + b'1]}'
            os.write(3, len(head).to_bytes(8, "big") + head)
            time.sleep(5)
        def fine():
            return "still graded"
    """
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with sandbox.session(textwrap.dedent(program), filename="attack.py") as s:
        assert s.call("flood", (), timeout=3.0).status == "bad_output"
        assert s.call("fine", ()).value == "still graded"
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100, grown_mb


def test_headers_that_are_not_utf8_are_bad_output_not_a_crash(sandbox):
    """Outcome headers are parsed as UTF-8 JSON (no guessing of the encoding): bytes that are
    not UTF-8, or JSON in UTF-16, make the call bad_output and the next call is graded."""
    program = """
        import os, time
        def raw(head):
            os.write(3, len(head).to_bytes(8, "big") + head)
            time.sleep(5)
        def fine():
            return "still graded"
    """
    heads = [b'{"kind":"outcome","status":"\\xff\\xfe"}',
             '{"kind":"outcome","status":"ok","seq":2}'.encode("utf-16-le")]
    for head in heads:
        with sandbox.session(textwrap.dedent(program), filename="attack.py") as s:
            out = s.call("raw", (head,), timeout=2.0)
            assert out.status == "bad_output" and out.error_type == "ProtocolError"
            assert s.call("fine", ()).value == "still graded"


def test_a_coalesced_forged_answer_stream_spoils_only_its_own_submission(sandbox):
    """During a run of pipelined calls the first call writes, in one go, made-up answers for
    all three requests and then returns: the grader may take the forged answers, but the
    child's own answers that follow are then answers to earlier requests (bad_output, child
    replaced) and nothing hangs; another submission graded next is unaffected."""
    program = """
        import json, os
        def forge():
            frames = b""
            for seq in (2, 3, 4):
                head = json.dumps({"kind": "outcome", "status": "error", "aliases": [], "error_type": "X",
                                   "message": "forged", "frames": [], "seq": seq}).encode()
                frames += len(head).to_bytes(8, "big") + head
            os.write(3, frames)
            return 1
        def fine():
            return "still graded"
    """
    t0 = time.monotonic()
    with sandbox.session(textwrap.dedent(program), filename="attack.py") as s:
        outs = s.call_many([("forge", (), 1.0), ("fine", (), 1.0), ("fine", (), 1.0)])
        assert all(o is None or o.status in ("error", "ok", "bad_output") for o in outs)
        after = s.call("fine", ())
        assert after.status in ("bad_output", "ok")
        assert s.call("fine", ()).value == "still graded"
    with sandbox.session("def f():\n    return 7\n") as other:
        assert [o.value for o in other.call_many([("f", (), 1.0)] * 3)] == [7, 7, 7]
    assert time.monotonic() - t0 < 10.0


def test_a_process_left_behind_cannot_plant_files_for_the_next_child_given_the_same_name(sandbox):
    # Children's directories are named by the lowest free number (Zygote._child_directory), so the
    # next child is given the last one's name. A student's detached grandchild that keeps writing
    # into that path must not reach the next student's directory: it is killed before the
    # directory goes, and the name is then a new directory of the next child's own.
    planter = """
        import os, time
        def plant():
            here = os.getcwd()
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    for i in range(2000):
                        for path in (os.path.join(here, f"planted-{i}"), os.path.join(here, "solution.py")):
                            try:
                                with open(path, "w") as f:
                                    f.write("def rnn_forward(*a): return 'forged'")
                            except OSError:
                                pass
                        time.sleep(0.005)
                    os._exit(0)
                os._exit(0)
            for _ in range(400):  # until the grandchild has planted (a loaded machine starts it late)
                if os.path.exists(os.path.join(here, "solution.py")):
                    break
                time.sleep(0.005)
            return here, sorted(os.listdir(here))
    """
    looker = """
        import os, time
        found_at_load = sorted(os.listdir("."))
        def look():
            time.sleep(0.3)   # long enough for a surviving planter to write again
            return os.getcwd(), found_at_load, sorted(os.listdir("."))
    """
    with sandbox.session(textwrap.dedent(planter), limits=forking(sandbox)) as s:
        out = s.call("plant", ())
        assert out.status == "ok", out
        first_dir, planted = out.value
        assert "solution.py" in planted  # the planter ran while its child was alive
    with sandbox.session(textwrap.dedent(looker)) as s:
        out = s.call("look", ())
        assert out.status == "ok", out
        second_dir, at_load, later = out.value
    assert second_dir == first_dir  # the same name: this is the case under test
    assert at_load == [] and later == []


def test_nothing_kept_by_the_kernel_for_a_uid_or_a_namespace_reaches_the_next_child(sandbox):
    # A SysV shared memory segment outlives its process (until IPC_RMID, or the IPC namespace,
    # the zygote's, goes), and so does a key in the user keyring of the slot's uid (on the host,
    # for good: the next run's child of that slot finds it). Both let one student leave data
    # for the next (and a segment's pages count against no child's RLIMIT_AS: a call pinned
    # 2 GB of memory for the rest of the run under a 256 MB limit). The seccomp filter denies
    # them: the planter gets errors, the next child finds nothing.
    tag = secrets.randbits(30)
    planter = f"""
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.shmat.restype = ctypes.c_void_p
        def plant():
            made = []
            sid = libc.shmget({tag}, 4096, 0o1666)
            if sid >= 0:
                p = libc.shmat(sid, None, 0)
                if p not in (None, ctypes.c_void_p(-1).value):
                    ctypes.memmove(p, b"planted", 7)
                    libc.shmdt(ctypes.c_void_p(p))
                    made.append("shm")
            if libc.msgget({tag}, 0o1666) >= 0:
                made.append("msg")
            if libc.semget({tag}, 1, 0o1666) >= 0:
                made.append("sem")
            if libc.syscall({_KEY_CALLS[0]}, b"user", b"k{tag}", b"planted", 7, -4) >= 0:  # add_key, user keyring
                made.append("key")
            return made
    """
    looker = f"""
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.shmat.restype = ctypes.c_void_p
        def look():
            found = []
            sid = libc.shmget({tag}, 0, 0)
            if sid >= 0:
                found.append("shm")
                libc.shmctl(sid, 0, None)  # IPC_RMID: leave nothing behind, whatever this test finds
            mid = libc.msgget({tag}, 0)
            if mid >= 0:
                found.append("msg")
                libc.msgctl(mid, 0, None)
            semid = libc.semget({tag}, 0, 0)
            if semid >= 0:
                found.append("sem")
                libc.semctl(semid, 0, 0)
            key = libc.syscall({_KEY_CALLS[1]}, 10, -4, b"user", b"k{tag}", 0)  # keyctl(KEYCTL_SEARCH)
            if key >= 0:
                found.append("key")
                libc.syscall({_KEY_CALLS[1]}, 9, -4, key)  # KEYCTL_UNLINK
            return found
    """
    planted = run(sandbox, planter, "plant")
    found = run(sandbox, looker, "look")
    assert planted.status == "ok" and found.status == "ok", (planted, found)
    if not sandbox.capabilities.seccomp:
        pytest.skip("no seccomp here: the kernel's objects are not denied")
    assert found.value == [] and planted.value == []


#: (add_key, keyctl) by machine
_KEY_CALLS = {"x86_64": (248, 250), "aarch64": (217, 219)}.get(os.uname().machine, (-1, -1))


def test_a_child_directory_nested_beyond_the_recursion_limit_is_removed_with_its_child(sandbox):
    # The zygote removes a dead child's directory; shutil.rmtree recursed once per level and
    # gave up (RecursionError) on a chain of 1,100 directories, leaving the whole tree (and
    # any number of files beside it, a few hundred bytes of kernel memory each) for the rest of
    # the run, its name out of use. Removed, the name is the next child's again.
    planter = """
        import os
        def plant():
            here = os.getcwd()
            for i in range(50):
                open(f"f{i}", "w").close()
            for _ in range(1100):
                os.mkdir("d")
                os.chdir("d")
            open("deepest", "w").close()
            os.chdir(here)
            return here
    """
    _next_child_finds_an_empty_directory(sandbox, planter)


def test_remove_tree_follows_no_link_and_reaches_any_depth(tmp_path):
    from grader._child import remove_tree

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not the child's")
    tree = tmp_path / "c1"
    tree.mkdir()
    (tree / "link").symlink_to(outside)
    (tree / "\x011").mkdir()  # a name like those the removal gives the entries it moves up
    (tree / "\x011" / "x").write_text("x")
    fd = os.open(tree, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(1100):
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
        os.symlink(str(outside), "deep-link", dir_fd=fd)
    finally:
        os.close(fd)
    remove_tree(str(tree))
    assert not tree.exists()
    assert (outside / "keep.txt").read_text() == "not the child's"



def test_remove_tree_empties_directories_left_without_read_write_or_search(tmp_path):
    # Without root the zygote is the children's user: a child that took the permissions off a
    # directory (chmod 000, or no w, or no x), its own included, left it and everything in it on
    # the machine's disk for good (as shutil.rmtree did before). Run as an unprivileged user.
    import tempfile

    from grader._child import remove_tree

    if os.geteuid() == 0:  # pytest's folders are root's own (0700): one the unprivileged user reaches
        tmp_path = Path(tempfile.mkdtemp(prefix="remove-tree-"))
        os.chmod(tmp_path, 0o777)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            left = []
            for mode_inner, mode_top in ((0o000, 0o700), (0o500, 0o700), (0o600, 0o700), (0o700, 0o000), (0o000, 0o300)):
                tree = tmp_path / f"c{mode_inner:o}-{mode_top:o}"
                (tree / "a" / "b").mkdir(parents=True)
                (tree / "a" / "b" / "f").write_text("x")
                (tree / "a" / "g").write_text("x")
                os.chmod(tree / "a", mode_inner)
                os.chmod(tree, mode_top)
                remove_tree(str(tree))
                if os.path.lexists(tree):
                    left.append(tree.name)
            print(left)
            code = 0 if not left else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
    assert os.listdir(tmp_path) == []
    if os.geteuid() == 0:
        os.rmdir(tmp_path)


def test_a_child_directory_stripped_of_its_permissions_is_removed_with_its_child(sandbox):
    # The child can chmod its own directory and those in it; removed, the name is the next
    # child's again (a name left is kept out of use, but the files stayed on disk). (Without
    # root a child may change no file's mode since the twenty-first session: refused, EPERM.)
    planter = """
        import os
        def plant():
            here = os.getcwd()
            os.makedirs("a/b")
            open("a/b/f", "w").close()
            try:
                os.chmod("a", 0)
                os.chmod(here, 0)
            except PermissionError:
                pass
            return here
    """
    _next_child_finds_an_empty_directory(sandbox, planter)


def test_a_child_cannot_fill_the_kernels_memory_with_empty_files(sandbox):
    # The tmpfs that holds the children's directories (root: the zygote's /tmp) bounds the bytes
    # of files (size=256m), and now their number too: empty files cost no byte but 0.85 kB of
    # kernel memory each, and a child made 95,000 a second (3 million, 2.6 GB, in a submission).
    if not sandbox.capabilities.mount_namespace:
        pytest.skip("without root the children's directories are on the machine's own file system")
    program = """
        import os
        def fill():
            for i in range(70_000):
                try:
                    os.close(os.open(str(i), os.O_CREAT | os.O_WRONLY))
                except OSError as exc:
                    return i, exc.errno
            return 70_000, 0
    """
    out = run(sandbox, textwrap.dedent(program), "fill")
    assert out.status == "ok", out
    made, error = out.value
    assert made < 65_536 and error == errno.ENOSPC


_LOOKER = """
import os
def look():
    return os.getcwd(), os.listdir(".")
"""


def _next_child_finds_an_empty_directory(sandbox, planter: str) -> None:
    """Run ``planter``'s ``plant()`` (which returns its directory) in one child, then check that
    the next child, given the same directory, finds it empty."""
    first = run(sandbox, textwrap.dedent(planter), "plant")
    assert first.status == "ok", first
    second = run(sandbox, _LOOKER, "look")
    assert second.status == "ok", second
    assert second.value == (first.value, [])


def test_a_childs_arguments_name_nothing_of_the_run_and_it_dumps_no_core(sandbox, secret_files):
    """What a child holds from its start besides its program and its four descriptors
    (``tests/test_review_session4.py``): an argv and ``orig_argv`` that are the zygote's boot
    command, naming no protected path and holding none of the grader's environment (the
    configuration travels on the socket); core dumps off for good (``RLIMIT_CORE`` 0, hard too,
    so that a crash writes none of its memory where another could read it). Thirty-second
    session's review: held, no test looked at either."""
    fixtures, out = secret_files
    program = """
        import resource, sys
        def started():
            return "\\0".join(sys.argv + list(getattr(sys, "orig_argv", []))), \\
                list(resource.getrlimit(resource.RLIMIT_CORE))
    """
    outcome = run(sandbox, program, "started")
    assert outcome.status == "ok", outcome
    argv, core = outcome.value
    assert "grader" in argv, argv  # the boot command is there to look at
    for secret in (SECRET, str(fixtures), str(out), str(REPO / "solution"), str(REPO / "rubrics")):
        assert secret not in argv, (secret, argv)
    assert core == [0, 0], core
