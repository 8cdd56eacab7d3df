"""grader/childruntime.Runtime.where: the child's answer to the grading process's SIGUSR1 (where a
call out of time was). A signal that came while a stub's request was being written was dropped, and
the grading process, which skips that request and waits 0.2 s for the answer, told the student no
place: one self-check in eight of a `while` loop calling `rnn_cell_forward` at every step."""
from __future__ import annotations

import json
import signal
import socket
import sys

from grader.childruntime import FRAME, Runtime


def _messages(sock: socket.socket) -> list[bytes]:
    sock.settimeout(1.0)
    data = b""
    try:
        while True:
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, BlockingIOError):
        pass
    frames = []
    while len(data) >= FRAME.size:
        (n,) = FRAME.unpack_from(data)
        frames.append(data[FRAME.size:FRAME.size + n])
        data = data[FRAME.size + n:]
    return frames


class _SignalMidWrite:
    """The runtime's socket, with the grader's signal arriving in the middle of each ``sendall``."""

    def __init__(self, sock: socket.socket, runtime: Runtime) -> None:
        self.sock, self.runtime, self.signalled = sock, runtime, 0

    def sendall(self, data: bytes) -> None:
        if self.runtime.sending and not self.signalled:
            self.signalled += 1
            self.runtime.where(signal.SIGUSR1, sys._getframe())
        self.sock.sendall(data)

    def __getattr__(self, name: str):
        return getattr(self.sock, name)


def test_a_signal_while_a_stub_request_is_written_is_answered_once_the_request_is_whole():
    ours, theirs = socket.socketpair()
    try:
        runtime = Runtime(ours, max_bytes=1 << 20)
        runtime.calling, runtime.seq = True, 7
        reply = json.dumps({"seq": 7}).encode("ascii")
        theirs.sendall(FRAME.pack(len(reply)) + reply)  # the stub's answer, ready: a value of None
        runtime.sock = _SignalMidWrite(ours, runtime)
        stub = runtime._proxy("rnn_cell_forward", None)
        assert stub(1.5) is None
        assert runtime.sock.signalled == 1
        frames = _messages(theirs)
        # The request (its head, its arguments), whole, then the answer to the signal.
        assert len(frames) == 3, frames
        assert b'"rnn_cell_forward"' in frames[0]
        where = json.loads(frames[2])
        assert where["kind"] == "where" and where["seq"] == 7 and isinstance(where["frames"], list), where
        assert runtime.where_held is None
    finally:
        ours.close()
        theirs.close()


def test_a_signal_outside_a_call_is_not_answered():
    # Control: no call runs (calling False): nothing is written, nothing held.
    ours, theirs = socket.socketpair()
    try:
        runtime = Runtime(ours, max_bytes=1 << 20)
        runtime.where(signal.SIGUSR1, sys._getframe())
        assert _messages(theirs) == [] and runtime.where_held is None
    finally:
        ours.close()
        theirs.close()
