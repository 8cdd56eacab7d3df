"""grader.sandbox / grader._child: a session's start and end (the spawn and close requests, the
zygote's reply, the child's set-up) do what they did with fewer system calls: the control
socket's timeout is set once, not per request; the requests and the reply read as the same
JSON; the child's limits are those asked for."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import time

import pytest

from grader._child import _proc_children
from grader.sandbox import _CTRL_TIMEOUT, Limits, Sandbox

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox's Linux set-up")

LIMITS = Limits(call_timeout=3.0, submission_timeout=30.0, cpu_seconds=17, memory_bytes=3 * 2**30,
                max_processes=29, file_size_bytes=3 * 2**20, open_files=61)


@pytest.fixture(scope="module")
def sandbox():
    """One sandbox for the module."""
    with Sandbox(limits=LIMITS) as sb:
        yield sb


def test_sessions_set_the_control_sockets_timeout_only_when_it_changes(sandbox, monkeypatch):
    with sandbox.session("") as s:  # the timeout of every session's requests is set by now
        assert s.load.status == "ok"
    calls = []
    real = socket.socket.settimeout

    def counting(sock, timeout):
        if sock is sandbox._ctrl:
            calls.append(timeout)
        return real(sock, timeout)

    monkeypatch.setattr(socket.socket, "settimeout", counting)
    for _ in range(5):
        with sandbox.session("x = 1\n") as s:
            assert s.load.status == "ok"
    assert calls == []  # was 2 a session (the spawn request and the close)
    assert sandbox._ctrl.gettimeout() == _CTRL_TIMEOUT


def test_the_spawn_request_is_the_same_json_made_once_per_uid_and_limits(sandbox):
    first = sandbox._spawn_request(61005, LIMITS)
    assert json.loads(first) == {"op": "spawn", "uid": 61005, "limits": {
        "cpu_seconds": 17, "memory_bytes": 3 * 2**30, "max_processes": 29, "may_fork": False,
        "file_size_bytes": 3 * 2**20,
        "open_files": 61, "output_bytes": Limits().output_bytes}}
    assert sandbox._spawn_request(61005, LIMITS) is first
    assert json.loads(sandbox._spawn_request(None, Limits()))["uid"] is None
    assert json.loads(sandbox._spawn_request(None, Limits()))["limits"]["open_files"] == Limits().open_files


def test_the_childs_limits_are_those_asked_for(sandbox):
    program = ("import resource\n"
               "def limits():\n"
               "    return [list(resource.getrlimit(getattr(resource, 'RLIMIT_' + name)))\n"
               "            for name in ('CPU', 'AS', 'FSIZE', 'NOFILE', 'CORE')]\n")
    with sandbox.session(program) as s:
        got = s.call("limits", ()).value
    assert got == [[17, 18], [3 * 2**30] * 2, [3 * 2**20] * 2, [61, 61], [0, 0]]


def test_a_child_closed_and_another_started_after_it_both_answer(sandbox):
    """The close (sent without waiting) and the next spawn's reply keep their order on the socket."""
    pids = []
    for _ in range(4):
        with sandbox.session("import os\ndef pid():\n    return os.getpid()\n") as s:
            pids.append(s.call("pid", ()).value)
    assert len(set(pids)) == 4


def test_proc_children_lists_the_callers_children():
    pids = []
    try:
        for _ in range(2):
            pid = os.fork()
            if pid == 0:
                time.sleep(30)
                os._exit(0)
            pids.append(pid)
        assert set(pids) <= set(_proc_children(os.getpid()))
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    assert not set(pids) & set(_proc_children(os.getpid()))
