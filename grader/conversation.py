"""The grading process's side of one exchange with a sandbox child.

A :class:`Conversation` sends a batch of requests to a child (pipelined), reads its answers,
answers the stub calls it makes meanwhile, keeps its capture pipe from filling, and times each
request out, with the time the child spent waiting for a CPU added (a loaded machine is not the
student's fault). It ends with one :class:`Exchange` per answer, the last one saying how the
conversation ended if the child did not answer (``"eof"``, ``"timeout"``, ``"bad"``).

The child's messages are framed (``childruntime.FRAME``): an outcome header as JSON, then the
frames it announces (``"value"``, ``"args_after"``) as wire data; the child's usual answer and its
stub requests are recognised by their bytes (``USUAL_ANSWER``, ``STUB_REQUEST``). Nothing a child
sends is trusted: sizes are bounded by ``max_bytes``, headers by ``wire.MAX_HEADER``, request
numbers must match, and anything unexpected ends the conversation as ``"bad"``.

:func:`where` asks a child out of time where it was; :func:`answer_stub` runs a stub handler of
the grading process on a child's arguments. :class:`grader.sandbox.Session` holds the child and
turns exchanges into outcomes. See docs/security.md (the wire) and docs/performance.md (timeouts).
"""

from __future__ import annotations

import json
import os
import pickle
import select
import signal
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from grader import wire
from grader._child import PLATFORM
from grader.childruntime import FRAME, STUB_REQUEST, USUAL_ANSWER

if TYPE_CHECKING:
    from grader.sandbox import _Child, _Request

__all__ = ["ANSWER_TOO_LARGE", "FALLBACK", "Conversation", "Exchange", "answer_stub", "decode_message",
           "msg_seq", "read_available", "where", "where_frames"]

FALLBACK = object()
"""Returned by a stub handler: the child calls the student's own function instead."""

#: The detail of a bad_output whose answer was over the wire's bound (``failtexts.bad_output_text`` words it).
ANSWER_TOO_LARGE = "message larger than the limit"

#: The events of a wait for a child's answer: epoll's where there is one (Linux: fewer steps per
#: wait), else the selectors module's (kqueue on macOS, poll), behind the same interface
#: (``sandbox._Selector``).
if PLATFORM.epoll:
    IN, OUT = select.EPOLLIN, select.EPOLLOUT
else:
    import selectors
    IN, OUT = selectors.EVENT_READ, selectors.EVENT_WRITE

#: Longest time the capture pipe goes unread while waiting for an answer (seconds); a child
#: printing more than the pipe holds (``sandbox._PIPE_BYTES``, asked of the kernel) waits that long.
OUTPUT_SLICE = 0.02
#: Bytes asked of the socket per read: more than a usual message, little enough to be taken
#: from the heap (asking 1 MB cost an mmap, mremap and munmap per read, about 25 us).
_RECV_BYTES = 1 << 16
#: Bytes read from the socket once its child has died: more than a dead writer can have left in it
#: (what a child's socket holds is its send buffer, 208 KiB by default, which its filter keeps it
#: from raising). A process it forked (``Limits.may_fork``) may hold the socket open and keep writing,
#: so "whatever it holds" had no end (thirty-sixth session).
_AFTER_DEATH_BYTES = 8 << 20
#: A request's time, its waits for a CPU added, is never more than this many times its own.
_MOST_EXTENSION = 4

_FRAMES_AFTER = ("value", "args_after")
#: The child's usual answer (``grader.childruntime.USUAL_ANSWER``: ok, the arguments found as they were
#: sent, no memory-sharing pairs or none asked, the value in a frame after it) and its stub
#: requests (``STUB_REQUEST``) are recognised by their bytes: no parsing, no checks to repeat.
_STUB_VALUE = {"kind": "stub_reply", "fallback": False, "value": True}  # a stub's answer, its value follows
_STUB_VALUE_HEAD = json.dumps(_STUB_VALUE).encode()
_VALUE_ONLY = ["value"]


@dataclass
class Exchange:
    """Result of waiting for the child's answer."""

    kind: str                 # "outcome" | "eof" | "timeout" | "bad"
    msg: dict = field(default_factory=dict)
    detail: str = ""
    raw: dict = field(default_factory=dict)   # frames after an outcome: "value", "args_after"
    seconds: float = 0.0
    seq: int = 0
    usual: bool = False       # the child's usual answer (see USUAL_ANSWER): msg is empty


class Conversation:
    """Send ``requests`` to ``child`` (pipelined), answer its stub requests with ``stubs``, collect
    its output, until every answer came or the child died or ran out of time (:meth:`run`).

    Each request's time starts when the previous answer arrived (the first when sent); when it
    runs out, the time the child spent waiting for a CPU since then (a loaded machine is not the
    student's fault) is added, up to 4 times the request's time in all. That wait is counted from
    the request's start (not the child's: the waits of its earlier calls are not this one's), and
    each extension moves the deadline itself, not the time it was noticed, so a loop gets its time
    in CPU, not that plus the grading process's lateness.

    ``waived``: the session's seconds not charged to the student so far; :attr:`waived` adds this
    conversation's (waits for a CPU, the grader's own time past a timeout). ``pending`` receives
    the exceptions of stub handlers (grader bugs, re-raised by the session after the call). One
    conversation serves one :meth:`run`: it holds that run's state.
    """

    __slots__ = ("child", "requests", "stubs", "pending", "raw_value", "max_bytes", "decoder", "waived",
                 "sock", "sock_fd", "poller", "seqs", "outbuf", "writing", "inbuf", "done", "dead",
                 "started", "drained", "waived_before", "sched_from", "want", "deadline", "header",
                 "usual", "raw", "needed", "stub_heads")

    def __init__(self, child: _Child, requests: Sequence[_Request], *, stubs: Mapping[str, Callable],
                 pending: list, raw_value: bool, max_bytes: int, decoder: wire.Decoder,
                 waived: float) -> None:
        """A conversation not started yet (see the class)."""
        self.child, self.requests, self.stubs, self.pending = child, requests, stubs, pending
        self.raw_value, self.max_bytes, self.decoder, self.waived = raw_value, max_bytes, decoder, waived
        self.done: list[Exchange] = []
        self.dead = False
        self.inbuf = bytearray()
        self.want = _RECV_BYTES
        self.header: dict | None = None  # an outcome whose frames are still coming
        self.usual = False  # the header is the usual answer's (USUAL_ANSWER)
        self.raw: dict = {}
        self.needed: list[str] = []

    # -- the conversation, step by step

    def run(self) -> list[Exchange]:
        """Talk until it ends; one :class:`Exchange` per answer, the last one saying how it ended
        if the child did not answer."""
        child = self.child
        if not self._send_requests():
            return self._close_out("eof")
        read_frames, wait, monotonic = self._read_frames, self._wait, time.monotonic  # looked up once
        inbuf = self.inbuf
        try:
            while True:
                if len(inbuf) >= FRAME.size:
                    ended = read_frames()
                    if ended is not None:
                        return ended
                if self.dead:
                    return self._close_out("eof")
                remaining = self.deadline - monotonic()
                if remaining <= 0:
                    ended = self._out_of_time()
                    if ended is not None:
                        return ended
                    continue
                ended = wait(remaining)
                if ended is not None:
                    return ended
        finally:
            if self.writing and not child.closed:
                try:
                    self.poller.modify(self.sock_fd, IN)
                except (KeyError, ValueError, OSError):
                    pass

    def _send_requests(self) -> bool:
        """Frame the requests, start the clocks, and send what the socket takes at once; False if
        the socket is closed."""
        child, requests = self.child, self.requests
        self.seqs, chunks = [], []
        last = requests[-1]
        for req in requests:
            seq = child.next_seq()
            self.seqs.append(seq)
            # The last request's output needs no end marker: the pipe is read after its answer.
            payload = req.payload(seq, req is last)  # plain: JSON
            chunks.append(FRAME.pack(len(payload)) + payload + req.frame)
        child.output.expect(self.seqs)
        sock = self.sock = child.sock
        if sock.getblocking():  # once per child: each call of setblocking is a system call
            sock.setblocking(False)
        self.poller = child.selector()
        self.sock_fd = sock.fileno()
        self.started = self.drained = time.monotonic()
        self.waived_before = self.waived  # what this request's waits for a CPU add to it: see _out_of_time
        self.sched_from = child.schedstat()  # the child's wait for a CPU so far: this request's from it
        self.deadline = self.started + requests[0].timeout
        # The headers of the stub requests this call may make, as the child writes them: recognised
        # by their bytes (a part graded in isolation makes one per time step).
        self.stub_heads = {STUB_REQUEST % (json.dumps(name).encode("ascii"), self.seqs[0]): name
                           for name in self.stubs} if self.stubs and len(requests) == 1 else {}
        outbuf = memoryview(b"".join(chunks))
        self.writing = False
        try:  # most often the requests fit in the socket's buffer: no need to wait to write
            outbuf = outbuf[sock.send(outbuf):]
        except BlockingIOError:
            pass
        except OSError:
            return False
        self.outbuf = outbuf
        self.writing = bool(outbuf)
        if self.writing:
            self.poller.modify(self.sock_fd, IN | OUT)
        return True

    def _close_out(self, kind: str, detail: str = "") -> list[Exchange]:
        """End with an exchange of ``kind`` for the request being answered."""
        child = self.child
        seconds = time.monotonic() - self.started
        if not child.closed:  # the markers of the answers before it are in the pipe
            child.output.drain(child.out)
        done = self.done
        done.append(Exchange(kind, detail=detail, seconds=seconds, seq=self.seqs[len(done)]))
        return done

    def _read_frames(self) -> list[Exchange] | None:
        """Take every whole frame the input holds; the exchanges if that ended the conversation."""
        inbuf = self.inbuf
        while len(inbuf) >= FRAME.size:
            (n,) = FRAME.unpack_from(inbuf)
            if n > self.max_bytes:
                return self._close_out("bad", ANSWER_TOO_LARGE)
            if len(inbuf) < FRAME.size + n:
                return None
            data = bytes(inbuf[FRAME.size:FRAME.size + n])
            del inbuf[:FRAME.size + n]
            ended = self._on_frame(data)
            if ended is not None:
                return ended
        return None

    def _on_frame(self, data: bytes) -> list[Exchange] | None:
        """One frame: a frame an earlier header announced, the usual answer, a stub request, or a
        message to decode; the exchanges if it ended the conversation."""
        header = self.header
        if header is not None:
            needed = self.needed
            self.raw[needed.pop(0)] = data
            if needed:
                return None
            if header.get("kind") == "stub":
                return self._stub_called()
            return self._answered()
        if data == USUAL_ANSWER % self.seqs[len(self.done)]:  # its bytes say all: nothing to parse
            self.header, self.usual, self.raw, self.needed = {}, True, {}, _VALUE_ONLY[:]
            return None
        if data in self.stub_heads:  # likewise a stub request; its arguments follow
            self.header, self.raw, self.needed = {"kind": "stub", "name": self.stub_heads[data]}, {}, ["args"]
            return None
        ended = self._on_message(data)
        header = self.header
        if ended is not None or header.get("kind") == "stub" or self.needed:
            return ended
        return self._answered()  # an outcome announcing no frames

    def _on_message(self, data: bytes) -> list[Exchange] | None:
        """A header to decode: an outcome (its frames follow) or a stub request; anything else, or
        an answer to another request, ends the conversation as "bad"."""
        try:
            msg = decode_message(data, self.max_bytes)
        except wire.WireError as exc:
            return self._close_out("bad", str(exc))
        kind = msg.get("kind") if type(msg) is dict else None
        if msg_seq(msg) != self.seqs[len(self.done)]:
            return self._close_out("bad", "an answer to an earlier request")
        if kind == "outcome":
            after = msg.pop("frames_after", [])
            # Names first: set() of an unhashable one would raise here. The value and the
            # arguments come only as frames, never in the header: JSON would bypass
            # wire.decode's limits (depth, nodes) on them.
            if "value" in msg or "args_after" in msg or (
                    after != _VALUE_ONLY and (
                        type(after) is not list or any(name not in _FRAMES_AFTER for name in after)
                        or len(set(after)) != len(after))):
                return self._close_out("bad", "unexpected message from the child")
            self.header, self.raw, self.needed = msg, {}, list(after)
            return None
        if (kind == "stub" and len(self.requests) == 1 and msg.get("name") in self.stubs
                and msg.get("frames_after") == ["args"]):
            self.header, self.raw, self.needed = msg, {}, ["args"]  # its arguments follow
            return None
        return self._close_out("bad", "unexpected message from the child")

    def _stub_called(self) -> list[Exchange] | None:
        """Answer a stub request whose arguments came: the grader's time is not the student's."""
        t_stub = time.monotonic()
        reply = answer_stub(self.stubs[self.header["name"]], self.raw["args"], self.pending, self.max_bytes,
                            self.decoder)
        self.deadline += time.monotonic() - t_stub
        self.header, self.raw = None, {}
        if reply is None:
            return self._close_out("bad", "malformed arguments of a stub call")
        sock = self.sock
        try:  # most often the reply fits the socket's buffer: no mode switches
            sent = sock.send(reply)
        except BlockingIOError:
            sent = 0
        except OSError:
            return self._close_out("eof")
        if sent < len(reply):
            try:
                sock.setblocking(True)
                sock.settimeout(max(self.deadline - time.monotonic(), 0.001))
                sock.sendall(memoryview(reply)[sent:])
            except (OSError, socket.timeout):
                return self._close_out("eof")
            finally:
                sock.setblocking(False)
        return None

    def _answered(self) -> list[Exchange] | None:
        """An outcome whose frames all came: decode them, record the exchange, and start the next
        request's clock; the exchanges once every request is answered (or on a bad frame)."""
        header, raw, decoder, max_bytes = self.header, self.raw, self.decoder, self.max_bytes
        if not self.raw_value and "value" in raw:
            try:
                header["value"] = decoder.decode(raw.pop("value"), max_bytes=max_bytes)
            except wire.WireError as exc:
                return self._close_out("bad", str(exc))
        if "args_after" in raw:
            try:
                header["args_after"] = decoder.decode(raw.pop("args_after"), max_bytes=max_bytes)
            except wire.WireError as exc:
                return self._close_out("bad", str(exc))
        now = time.monotonic()
        done, child = self.done, self.child
        done.append(Exchange("outcome", header, raw=raw, seconds=now - self.started,
                             seq=self.seqs[len(done)], usual=self.usual))
        self.header, self.usual, self.raw = None, False, {}
        if len(done) == len(self.requests):
            child.output.drain(child.out)  # every answer's marker is in the pipe now
            return done
        if now - self.drained >= OUTPUT_SLICE:  # a chatty child's pipe is emptied this often
            child.output.drain(child.out)
            self.drained = now
        self.started, self.waived_before = now, self.waived
        self.sched_from = child.schedstat()
        self.deadline = now + self.requests[len(done)].timeout
        return None

    def _out_of_time(self) -> list[Exchange] | None:
        """The deadline passed: the exchanges ending in a timeout, or None with the deadline moved
        by the time the child waited for a CPU since the request started."""
        child = self.child
        delay, before = child.run_delay(child.schedstat()), child.run_delay(self.sched_from)
        wait = 0.0 if delay is None or before is None else delay - before  # this request's
        now = time.monotonic()
        started = self.started
        waited = now - started
        timeout = self.requests[len(self.done)].timeout
        due = started + timeout + wait  # its time, and its wait for a CPU added
        # Out of time when even with the wait added the deadline has passed: the child also waits
        # while the grading process checks (waits_by_itself reads /proc), and granting that wait
        # again and again would let a loop run to the cap.
        if due - now < 0.002 or waited >= _MOST_EXTENSION * timeout or child.waits_by_itself():
            # A call that times out costs the submission its timeout, no more: what this wait ran
            # past it (the grading process noticing late on a busy machine, or a child still short
            # of CPU at the cap) is the machine's, not the student's.
            self.waived += max(waited - (self.waived - self.waived_before) - timeout, 0.0)
            asked = time.monotonic()  # the wait for where it was is the grader's, not charged
            at = (where(child, self.sock, self.seqs[len(self.done)], bytes(self.inbuf))
                  if self.header is None else "")
            self.waived += time.monotonic() - asked
            return self._close_out("timeout", at)
        self.waived = self.waived_before + wait
        self.deadline = min(due, started + _MOST_EXTENSION * timeout)
        return None

    def _wait(self, remaining: float) -> list[Exchange] | None:
        """Wait up to ``remaining`` seconds (one output slice at most) for the socket or the child's
        end; write what is left to send, read what came; the exchanges if the socket closed."""
        child, inbuf, sock_fd = self.child, self.inbuf, self.sock_fd
        if len(inbuf) >= FRAME.size:  # a long message is read in larger pieces
            self.want = _RECV_BYTES if FRAME.size + FRAME.unpack_from(inbuf)[0] - len(inbuf) <= _RECV_BYTES \
                else 1 << 20
        ready = self.poller.poll(min(remaining, OUTPUT_SLICE))
        if not ready:  # a quiet slice: empty the capture pipe so that a chatty child never blocks long
            child.output.drain(child.out)
            self.drained = time.monotonic()
            if child.pidfd is None and child.gone():  # what the pidfd says, where there is none
                self.dead = True
                inbuf += read_available(self.sock, limit=_AFTER_DEATH_BYTES)
            return None
        for fd, events in ready:
            if fd != sock_fd:  # the pidfd: read what the child sent before dying, then stop
                self.dead = True
                self.poller.unregister(fd)
                inbuf += read_available(self.sock, limit=_AFTER_DEATH_BYTES)
                continue
            # as the selectors module reads epoll: anything but "writable" may be read, and
            # anything but "readable" (an error, a hang-up) may be written
            if events & ~IN and self.writing:
                try:
                    sent = self.sock.send(self.outbuf)
                except BlockingIOError:
                    sent = 0
                except OSError:
                    return self._close_out("eof")
                self.outbuf = self.outbuf[sent:]
                if not self.outbuf:
                    self.writing = False
                    self.poller.modify(sock_fd, IN)
            if events & ~OUT:
                try:
                    chunk = self.sock.recv(self.want)
                except BlockingIOError:
                    continue
                except OSError:
                    chunk = b""
                if not chunk:
                    return self._close_out("eof")
                inbuf += chunk
        return None


def answer_stub(handler: Callable, raw_args: bytes, pending: list, max_bytes: int,
                decoder: wire.Decoder) -> bytes | None:
    """Run a stub handler in the grading process on the wire bytes of the child's arguments
    and frame its answer (a JSON header, then the value pickled: it goes to the child, which
    trusts the grader); None if the arguments are malformed.

    A handler with a ``quick(raw_args)`` method may answer from the bytes alone (the pickled
    value, or None to be called with the decoded arguments as usual).
    """
    def framed(head: dict, value_frame: bytes = b"") -> bytes:
        text = _STUB_VALUE_HEAD if head is _STUB_VALUE else json.dumps(head).encode()
        out = FRAME.pack(len(text)) + text
        return out + FRAME.pack(len(value_frame)) + value_frame if head.get("value") else out

    try:
        quick = getattr(handler, "quick", None)
        frame = quick(raw_args) if quick is not None else None
        if frame is not None:
            return framed(_STUB_VALUE, frame)
        try:
            args = decoder.decode(raw_args, max_bytes=max_bytes)
        except wire.WireError:
            return None
        if type(args) is not tuple:
            return None
        value = handler(args)
        if value is FALLBACK:
            return framed({"kind": "stub_reply", "fallback": True})
        return framed(_STUB_VALUE, pickle.dumps(value, protocol=4))
    except BaseException as exc:  # re-raised after the call: a grader bug, not the student's
        pending.append(exc)
        return framed({"kind": "stub_reply", "fallback": False, "error": "internal grader error"})


def _no_constant(name: str) -> None:
    """JSON's NaN and Infinity have no place in a header from the child."""
    raise ValueError(f"{name} in a header")


# json.loads of bytes first guesses their encoding; NaN and Infinity are refused (int(inf) raises).
_JSON_DECODE = json.JSONDecoder(parse_constant=_no_constant).decode


def decode_message(data: bytes, max_bytes: int) -> object:
    """A message from the child: an outcome header as JSON (it starts with ``{``), anything
    else (stub requests, which carry arrays) as wire data; WireError if it is neither."""
    if data[:1] == b"{":
        if len(data) > wire.MAX_HEADER:  # statuses and messages; bulk data travels as wire frames
            raise wire.WireError("message header too large")
        try:
            return _JSON_DECODE(data.decode("utf-8"))  # UnicodeDecodeError is a ValueError
        except (ValueError, RecursionError) as exc:
            raise wire.WireError(f"malformed message: {type(exc).__name__}") from None
    return wire.decode(data, max_bytes=max_bytes)


def msg_seq(msg: object) -> object:
    """The request number a child's message answers (None if absent)."""
    return msg.get("seq") if type(msg) is dict else None


#: How long the grading process waits for a child out of time to say where it was (``where``).
_WHERE_WAIT = 0.2
#: The longest message ``where`` reads (an answer, or a stub request it skips).
_WHERE_MAX = 1 << 20


def where(child: _Child, sock: socket.socket, seq: int, pending: bytes = b"") -> str:
    """Where a child whose call ran out of time was, as JSON of its frames (``[[line, name],
    ...]``, innermost last), or "": asked with SIGUSR1 (``childruntime.Runtime.where``) through the
    child's pidfd, or its pid where there is none and it is still there, answered within
    ``_WHERE_WAIT`` seconds or not at all (a loop inside one NumPy call hears no signal until it
    returns). ``pending``: what the socket gave and was not read yet. A stub's request (its header
    and its arguments) before the answer is skipped: a child calling a stub at every step waits
    for its answer. Only a "where" message of this request counts, its frames only lines and names,
    which the runner reads as a failure's (``runner._locate``: the student's own code only); any
    other message, or one over 1 MB, ends the wait. Thirty-fourth session: the time-limit message
    named no line."""
    try:
        if child.pidfd is not None and hasattr(signal, "pidfd_send_signal"):
            signal.pidfd_send_signal(child.pidfd, signal.SIGUSR1)
        elif not child.gone():
            # No pidfd (macOS, the self-check): the pid of a child still looping, which its zygote
            # reaps only when it exits or is killed on our request (after this), so it names that
            # child still; the self-check then says what Linux says (tests/test_portability.py).
            os.kill(child.pid, signal.SIGUSR1)
        else:
            return ""
    except OSError:
        return ""
    buf = bytearray(pending)
    end = time.monotonic() + _WHERE_WAIT
    skip = False  # the next frame is a stub request's arguments
    for _ in range(16):  # messages read at most
        while len(buf) < FRAME.size or len(buf) < FRAME.size + FRAME.unpack_from(buf)[0]:
            if len(buf) >= FRAME.size and FRAME.unpack_from(buf)[0] > _WHERE_MAX:
                return ""
            left = end - time.monotonic()
            try:
                ready = select.select([sock], [], [], left)[0] if left > 0 else []
            except (OSError, ValueError):
                return ""
            # no further than one answer and the next header: a child whose threads keep the
            # socket full is never empty (5-87 MB read in one gulp, thirty-fifth session)
            chunk = read_available(sock, limit=_WHERE_MAX + 2 * FRAME.size - len(buf)) if ready else b""
            if not chunk:  # closed, or nothing in time
                return ""
            buf += chunk
        n = FRAME.unpack_from(buf)[0]
        data = bytes(buf[FRAME.size:FRAME.size + n])
        del buf[:FRAME.size + n]
        if skip:
            skip = False
            continue
        try:  # the decoder of every message a child sends (nested past its depth, NaN: refused)
            msg = decode_message(data, 0) if data[:1] == b"{" else None
        except wire.WireError:
            return ""
        if type(msg) is not dict or msg.get("seq") != seq:
            return ""
        if msg.get("kind") == "stub":
            skip = True
            continue
        return json.dumps(where_frames(msg.get("frames"))) if msg.get("kind") == "where" else ""
    return ""


def where_frames(frames: Any) -> list[list]:
    """The ``[line, name]`` pairs of ``frames`` (JSON text or a list) that are an int and a short
    string, 20 at most; [] for anything else."""
    if isinstance(frames, str):
        if not frames:
            return []
        try:
            frames = json.loads(frames)
        except (ValueError, RecursionError):
            return []
    if type(frames) is not list:
        return []
    return [[f[0], f[1][:100]] for f in frames[-20:]
            if type(f) is list and len(f) == 2 and type(f[0]) is int and type(f[1]) is str]


def read_available(sock: socket.socket, *, limit: int) -> bytes:
    """Whatever a non-blocking socket holds right now, ``limit`` bytes at most (the child, or a
    process it forked, may still be writing: a faster writer never lets the socket run dry)."""
    chunks, got = [], 0
    while got < limit:
        try:
            chunk = sock.recv(min(1 << 20, limit - got))
        except (BlockingIOError, OSError):
            break
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
