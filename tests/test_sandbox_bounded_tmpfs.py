"""Twenty-fourth session: without root, the children's directories on a bounded tmpfs.

Without root the children's directories were on the machine's ``/tmp``: ``RLIMIT_FSIZE`` bounds
one file, not how many, so a call could write 1 MiB files until its time limit ended and fill
that file system (a laptop's root file system, often). Where the kernel lets an unprivileged
process make a user namespace, the zygote now mounts a tmpfs of its own over ``/tmp``
(``grader._child.private_tmp``, ``PRIVATE_TMP_OPTIONS``); where it refuses, the old place and a
note. Each test runs its sandbox without root (as ``nobody`` when the tests run as root, the
interpreter under ``/root`` exposed by ``tests.isolation``).
"""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.isolation import isolated

REPO = Path(__file__).resolve().parents[1]
#: Where the repository or the interpreter is under /tmp (a clone in /tmp, as a CI job may make),
#: the tmpfs is refused for that before anything else is tried (``_child.private_tmp``): the
#: refusals the tests below simulate are then never reached, and this is the note said instead.
_UNDER_TMP = any(str(p) == "/tmp" or str(p).startswith("/tmp/") for p in (REPO, Path(sys.prefix).resolve()))
_UNDER_TMP_WHY = "the interpreter or the grader is under /tmp, which the tmpfs would hide"
MiB = 1 << 20
#: PRIVATE_TMP_OPTIONS's size.
BOUND = 64 * MiB


def _run_without_root(script: str, *args: str, hide_proc: bool = False) -> dict:
    """``script`` run with ``args`` by this interpreter without root (as nobody when root), the
    repository on its path, from ``/`` (``/proc`` an empty tmpfs if ``hide_proc``: root needed);
    its last line of output, JSON, is returned."""
    if os.geteuid() == 0 and [p for p in (REPO, *REPO.parents) if not p.stat().st_mode & stat.S_IXOTH]:
        pytest.skip("nobody cannot reach the repository")
    if hide_proc and os.geteuid() != 0:
        pytest.skip("needs root to hide /proc")
    proc = subprocess.run([sys.executable, "-c", script, *args], cwd="/",
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"},
                          preexec_fn=isolated(hide_proc=hide_proc) if os.geteuid() == 0 else None,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


#: A student's functions: where its directory is, and a loop writing 1 MiB files until the time
#: limit. The loop stops by itself past the bound and a margin (320 MiB), so that without the
#: tmpfs it does not write gigabytes to the machine's disk before its time limit.
_PROGRAM = '''
import os

def where():
    st = os.statvfs(".")
    return {"cwd": os.getcwd(), "dev": os.stat(".").st_dev, "size": st.f_blocks * st.f_frsize,
            "uid": os.getuid(), "mode": os.stat(".").st_mode & 0o7777, "owner": os.stat(".").st_uid}

def fill():
    chunk = b"x" * (1 << 20)
    written = 0
    while written < 320 << 20:
        with open("f%d" % (written >> 20), "wb") as f:
            f.write(chunk)
        written += 1 << 20
    return written

def held():
    return sum(os.stat(name).st_size for name in os.listdir("."))

def free():
    st = os.statvfs(".")
    return [os.getcwd(), os.listdir("."), st.f_bfree * st.f_frsize]
'''

_FILL = f"""
import json, os
from grader.sandbox import Limits, Sandbox
program = {_PROGRAM!r}

def mount_namespaces():
    # Those of the processes this user may look at (a zygote's, while it lives).
    found = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            found.add(os.readlink("/proc/%s/ns/mnt" % pid))
        except OSError:
            pass
    return found

out = {{}}
with Sandbox(limits=Limits(call_timeout=60.0, submission_timeout=120.0)) as box:
    caps = box.capabilities
    out["private_tmp"] = getattr(caps, "private_tmp", False)
    out["notes"] = list(caps.notes)
    with box.session(program) as session:
        assert session.load.status == "ok", session.load
        out["where"] = session.call("where", ()).value
        fill = session.call("fill", ())
        out["fill"] = [fill.status, fill.error_type, fill.message, fill.value]
        out["held"] = session.call("held", ()).value
    with box.session(program) as session:  # the next child: the first one's files are gone
        out["next"] = session.call("free", ()).value
    zygote_ns = os.readlink("/proc/%d/ns/mnt" % box.zygote_pid)
out["ns_gone"] = zygote_ns not in mount_namespaces()  # the tmpfs went with the zygote's namespace
out["tmp_dev"] = os.stat("/tmp").st_dev
out["uid"] = os.getuid()
out["left"] = os.path.exists(os.path.dirname(out["where"]["cwd"]))
print(json.dumps(out))
"""


@pytest.mark.slow
def test_a_call_that_writes_files_until_its_time_limit_stops_at_the_bound_off_the_machines_tmp():
    # Before the fix: the child's directory was /tmp/grader-sandbox-*/c1 on the machine's /tmp
    # (same device), whose size is the disk's, and the loop wrote its 320 MiB there ("ok").
    out = _run_without_root(_FILL)
    refused = [n for n in out["notes"] if n.startswith("children's directories on the machine's /tmp")]
    if refused:
        pytest.skip(f"the kernel refuses here: {refused[0]}")
    where = out["where"]
    assert out["private_tmp"] is True, out
    assert where["cwd"] == "/tmp/grader/c1", where
    assert where["dev"] != out["tmp_dev"], out  # not the machine's /tmp
    assert where["size"] == BOUND, where
    status, error_type, message, value = out["fill"]
    assert (status, error_type) == ("error", "OSError") and "No space left on device" in message, out["fill"]
    assert BOUND - 2 * MiB <= out["held"] <= BOUND, out["held"]  # the tmpfs full, never more
    cwd, entries, free = out["next"]
    assert cwd == "/tmp/grader/c1" and entries == [] and free >= BOUND - 2 * MiB, out["next"]
    # The uid the child sees is the user's own; its directory is its own, 0700; the mount and the
    # directories went with the zygote (the machine's /tmp never had /tmp/grader).
    assert where["uid"] == out["uid"] == where["owner"] and where["mode"] == 0o700, out
    assert out["left"] is False and out["ns_gone"] is True, out


#: In the zygote, run after grader._child is imported (its boot script, ``grader.zygote._BOOT``):
#: unshare refusing a user namespace (as a container's seccomp profile or
#: kernel.unprivileged_userns_clone = 0 would), or Ubuntu's AppArmor switch on (then unshare must
#: not be called: a namespace made there could not map the uid).
_UNSHARE_REFUSES = '''
import errno as _errno
_real_unshare = grader._child.unshare
def _refusing(flags):
    if flags & 0x10000000:
        raise OSError(_errno.EPERM, "unshare: Operation not permitted")
    _real_unshare(flags)
grader._child.unshare = _refusing
'''
_APPARMOR_ON = '''
_real_sysctl, _real_unshare = grader._child._sysctl, grader._child.unshare
def _switch(path):
    return "1" if path.endswith("apparmor_restrict_unprivileged_userns") else _real_sysctl(path)
def _never(flags):
    if flags & 0x10000000:
        raise SystemExit("unshare(CLONE_NEWUSER) called with AppArmor's switch on")
    _real_unshare(flags)
grader._child._sysctl, grader._child.unshare = _switch, _never
'''
#: A security module that lets ``unshare`` pass but refuses this uid's map (the probe's case).
_MAP_REFUSED = '''
import errno as _errno
def _no_map():
    raise OSError(_errno.EPERM, "uid_map: Operation not permitted")
grader._child._write_id_maps = _no_map
'''

#: Like _FILL's start, with ``hook`` (sys.argv[1]) run in the zygote.
_REFUSED = """
import json, os, sys
import grader.zygote
from grader.sandbox import Limits, Sandbox
line = "import grader.wire, grader._child\\n"
assert line in grader.zygote._BOOT
grader.zygote._BOOT = grader.zygote._BOOT.replace(line, line + sys.argv[1])
program = "import os\\ndef where():\\n    return [os.getcwd(), os.stat('.').st_dev]\\n"
out = {}
with Sandbox(limits=Limits(call_timeout=10.0, submission_timeout=30.0)) as box:
    caps = box.capabilities
    out["private_tmp"] = getattr(caps, "private_tmp", False)
    out["notes"] = list(caps.notes)
    out["missing"] = list(caps.missing())
    with box.session(program) as session:
        out["where"] = session.call("where", ()).value
out["tmp_dev"] = os.stat("/tmp").st_dev
print(json.dumps(out))
"""


@pytest.mark.slow
@pytest.mark.parametrize("hook, why", [
    (_UNSHARE_REFUSES, "user namespaces refused (unshare: Operation not permitted; "),
    (_APPARMOR_ON, "AppArmor denies unprivileged user namespaces their capabilities "
                   "(kernel.apparmor_restrict_unprivileged_userns = 1)"),
    (_MAP_REFUSED, "a user namespace where this uid cannot be mapped or a tmpfs mounted "
                   "([Errno 1] uid_map: Operation not permitted)"),
], ids=["unshare-refused", "apparmor-switch", "map-refused"])
def test_where_user_namespaces_are_refused_the_old_place_and_a_note_say_so(hook, why):
    # Before the fix nothing said that the children's files were on the machine's /tmp.
    out = _run_without_root(_REFUSED, hook)
    cwd, dev = out["where"]
    assert out["private_tmp"] is False
    assert cwd.startswith("/tmp/grader-sandbox-") and dev == out["tmp_dev"], out  # as before
    why = _UNDER_TMP_WHY if _UNDER_TMP else why
    assert f"children's directories on the machine's /tmp: {why}" in " ".join(out["notes"]), out
    assert "children's files on the machine's /tmp (each file bounded, not their total)" in out["missing"], out


#: The self-check's sandbox (degraded_ok) on Linux without /proc (a container that does not mount it).
_NO_PROC = """
import json, os
from grader.sandbox import Sandbox
program = "import os\\ndef where():\\n    return os.getcwd()\\n"
with Sandbox(degraded_ok=True) as box:
    notes = list(box.capabilities.notes)
    with box.session(program) as session:
        where = session.call("where", ()).value
print(json.dumps({"notes": notes, "where": where}))
"""


@pytest.mark.slow
def test_without_proc_the_self_checks_sandbox_still_starts_on_the_machines_tmp():
    # The id maps are written through /proc/self: a namespace made without /proc could map no
    # uid, and the zygote could make no file. Not made there; the old place and a note.
    out = _run_without_root(_NO_PROC, hide_proc=True)
    assert out["where"].startswith("/tmp/grader-sandbox-"), out
    why = _UNDER_TMP_WHY if _UNDER_TMP else "no /proc/self/uid_map"
    assert [n for n in out["notes"] if n.startswith(f"children's directories on the machine's /tmp: {why}")], out


#: What a child holds in the user namespace: its capabilities (capget, the kernel's word), and
#: how many processes it may start (RLIMIT_NPROC, counted by the kernel among the namespace's
#: processes only) while 24 other processes of its user live outside the namespace.
_INSIDE = """
import json, os, signal, time
from grader.sandbox import Limits, Sandbox
program = '''
import ctypes, os, time

class Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

class Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

def capabilities():
    data = (Data * 2)()
    assert ctypes.CDLL(None).capget(ctypes.byref(Header(0x20080522, 0)), data) == 0
    return [[d.effective, d.permitted, d.inheritable] for d in data]

def forks():
    pids = []
    try:
        for _ in range(60):
            pid = os.fork()
            if pid == 0:
                time.sleep(20)
                os._exit(0)
            pids.append(pid)
    except OSError:
        pass
    for pid in pids:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    return len(pids)
'''
others = []
for _ in range(24):
    pid = os.fork()
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    others.append(pid)
out = {}
try:
    with Sandbox(limits=Limits(call_timeout=20.0, submission_timeout=60.0, max_processes=6, may_fork=True)) as box:
        out["private_tmp"] = getattr(box.capabilities, "private_tmp", False)
        out["notes"] = list(box.capabilities.notes)
        with box.session(program) as session:
            out["caps"] = session.call("capabilities", ()).value
            out["forks"] = session.call("forks", ()).value
finally:
    for pid in others:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
print(json.dumps(out))
"""


@pytest.mark.slow
def test_a_child_in_the_user_namespace_holds_no_capability_and_its_processes_stay_bounded():
    # Without drop_capabilities the child held every capability of the namespace (effective
    # 0x1ffffffffff: enough to unmount the tmpfs in a mount namespace of its own); with the
    # user's process count as the base of RLIMIT_NPROC, which the kernel counts in the namespace
    # only, it started all 60 processes (the 24 others outside plus 6 was its bound).
    out = _run_without_root(_INSIDE)
    refused = [n for n in out["notes"] if n.startswith("children's directories on the machine's /tmp")]
    if refused:
        pytest.skip(f"the kernel refuses here: {refused[0]}")
    assert out["private_tmp"] is True, out
    assert out["caps"] == [[0, 0, 0], [0, 0, 0]], out
    assert 1 <= out["forks"] <= 6, out


def test_as_root_nothing_changes():
    # The root mode keeps its own tmpfs over /tmp (the mount namespace): no private_tmp, no note,
    # no new gap.
    if os.geteuid() != 0:
        pytest.skip("needs root")
    from grader.sandbox import Sandbox

    with Sandbox() as box:
        caps = box.capabilities
    assert caps.private_tmp is False
    assert not [n for n in caps.notes if "/tmp" in n], caps.notes
    assert not [g for g in caps.missing() if "/tmp" in g], caps.missing()
