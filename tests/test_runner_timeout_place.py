"""A case out of time names where the student's code was when it was stopped (thirty-fourth
session): the child, asked by the grading process with SIGUSR1 before it is ended
(``conversation.where``, ``childruntime.Runtime.where``), sends its frames in the program; the runner
says the cell, the line and the loop holding it, in the batch's feedback and the self-check alike.
Before: "`rnn_forward` did not return within 0.5 s: look for a loop that never ends in it", no line.
"""
from __future__ import annotations

import io
import os
import re

from grader.runner import grade_submission
from tests import notebooks as nbs

# rnn_forward's loop over the steps written as a `while` whose counter is never increased.
# The loop keeps one cache, not millions: a list growing for 0.5 s (its copies as it grows) put the
# time-out at `caches.append` (line 19) as well as in the call, under load; the test is about the loop.
_ENDLESS = {"rnn_forward": nbs.COURSE_CELLS["rnn_forward"].replace(
    "    for t in range(T_x):\n", "    t = 0\n    while t < T_x:\n        t = t\n", 1).replace(
    "        caches.append(cache)\n", "        caches[:] = [cache]\n", 1)}


def _timed_out(result, function: str):
    return next(c for c in result.part(function).cases if c.status == "timeout")


def test_a_loop_that_never_ends_is_told_its_cell_line_and_loop(tmp_path, context, sandbox):
    source = nbs.course_notebook(_ENDLESS)
    result = grade_submission(nbs.write(tmp_path / "loop.ipynb", source), context=context, sandbox=sandbox)
    case = _timed_out(result, "rnn_forward")
    cell = nbs.COURSE_CELLS["rnn_forward"].replace("    for t in range(T_x):\n", "    t = 0\n    while t < T_x:\n        t = t\n")
    loop_line = 1 + cell.splitlines().index("    while t < T_x:")
    # Where the time runs out in the loop's body is the machine's: mostly in the call (its NumPy work),
    # but under load sometimes at `caches.append` (a list growing to millions) or the loop's own lines.
    # Every place names the loop; a stop in the call names the call too (the child's frames in order).
    assert case.location is not None and case.location.cell == 6, case.location
    line = case.location.line
    assert loop_line <= line <= loop_line + 5, case.location
    head = (f"`rnn_forward` did not return within {case.message.split('within ')[1].split(' s')[0]} s. When the time "
            f"ran out it was running cell 7 (In [4]), line {line}, in rnn_forward, in the `while` loop of line "
            f"{loop_line} (`while t < T_x:`)")
    assert case.message.startswith(head), case.message
    if ", in its call of" in case.message:  # stopped inside the call (the line's arguments are evaluated there too)
        assert line == loop_line + 2 and case.message.startswith(head + ", in its call of `rnn_cell_forward` (cell 4 (In [2]), line "), \
            case.message
    assert "): look there for a loop that never ends" in case.message, case.message


def test_the_self_check_gives_the_same_sentence(tmp_path):
    from grader.classfiles import DEFAULT_RUBRIC
    from grader.selfcheck import run_check

    path = nbs.write(tmp_path / "loop.ipynb", nbs.course_notebook(_ENDLESS))
    out = io.StringIO()
    run_check(path, rubric=DEFAULT_RUBRIC, stream=out, function="rnn_forward")
    text = out.getvalue()
    # The line in the loop's body is the machine's (the test above): the same one in both sentences.
    said = re.search(r"When the time ran out it was running cell 7 \(In \[4\]\), line (1[4-9]), in rnn_forward, in the "
                     r"`while` loop of line 14 \(`while t < T_x:`\)", text)
    assert said, text
    # said once (thirty-seventh session: an "at" line below the message said the place again), its code quoted
    assert text.count(f"cell 7 (In [4]), line {said.group(1)}") == 1 and "\n      >   " in text, text


def test_a_call_that_does_not_say_where_it_was_keeps_the_words_without_a_place(tmp_path, context, sandbox):
    # Control: a function that ignores SIGUSR1 is ended all the same and told as before, with no place.
    cells = nbs.mutate("rnn_forward", "    for t in range(T_x):\n",
                       "    import signal\n    signal.signal(signal.SIGUSR1, signal.SIG_IGN)\n    while True:\n"
                       "        pass\n    for t in range(T_x):\n")
    result = grade_submission(nbs.write(tmp_path / "deaf.ipynb", nbs.course_notebook(cells)),
                              context=context, sandbox=sandbox)
    case = _timed_out(result, "rnn_forward")
    assert "When the time ran out" not in case.message and "look for a loop that never ends in it" in case.message, \
        case.message
    assert case.location is None
    # The next submission's child hears the signal again (a fresh child, the handler in place).
    again = grade_submission(nbs.write(tmp_path / "loop.ipynb", nbs.course_notebook(_ENDLESS)),
                             context=context, sandbox=sandbox)
    assert "When the time ran out it was running cell 7 (In [4])" in _timed_out(again, "rnn_forward").message


def test_an_answer_nested_past_the_decoder_s_depth_is_no_place_and_no_grader_error(tmp_path, context, sandbox):
    # The student's own SIGUSR1 handler writes a message of 200,000 nested lists on the session's
    # socket: json.loads raised RecursionError in the grading worker, past `except ValueError` (the
    # lead's review). The case is out of time, told as when the child says nothing.
    cells = nbs.mutate("rnn_forward", "    for t in range(T_x):\n",
                       "    import os, signal, socket, struct\n"
                       "    socks = [fd for fd in range(3, 64) if os.path.exists(f'/proc/self/fd/{fd}')]\n"
                       "    def answer(signum, frame):\n"
                       "        body = b'[' * 200000\n"
                       "        for fd in socks:\n"
                       "            try:\n"
                       "                os.write(fd, struct.pack('>Q', len(body)) + body)\n"
                       "            except OSError:\n"
                       "                pass\n"
                       "    signal.signal(signal.SIGUSR1, answer)\n    while True:\n"
                       "        pass\n    for t in range(T_x):\n")
    result = grade_submission(nbs.write(tmp_path / "deep.ipynb", nbs.course_notebook(cells)),
                              context=context, sandbox=sandbox)
    case = _timed_out(result, "rnn_forward")
    assert "When the time ran out" not in case.message and "look for a loop that never ends in it" in case.message, \
        case.message


# Thirty-fifth session, helper fb: a call out of time stopped at a line that nothing repeats spent its
# time in one call there (a loop inside NumPy, a sleep): "look there for a loop that never ends" sent
# the student to a loop that was not there.

def test_one_long_call_outside_any_loop_is_not_told_to_look_for_a_loop(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_cell_forward", "    a_next = np.tanh(",
                       "    w = np.linalg.matrix_power(np.ones((1200, 1200)) / 1200, 2 ** 50)\n    a_next = np.tanh(")
    result = grade_submission(nbs.write(tmp_path / "power.ipynb", nbs.course_notebook(cells)),
                              context=context, sandbox=sandbox)
    case = _timed_out(result, "rnn_cell_forward")
    assert "When the time ran out it was running cell 4 (In [2]), line 14, in rnn_cell_forward, which no loop of " \
           "yours repeats: one call made on that line took the time." in case.message, case.message
    assert "loop that never ends" not in case.message, case.message


def test_a_slow_line_inside_a_loop_or_a_recursion_keeps_the_loop_words(tmp_path, context, sandbox):
    # Controls: a sleep inside the loop is told its loop; a helper of the notebook that calls itself
    # (no loop, but its line runs again and again) is not said to be one call.
    cells = {**nbs.mutate("rnn_forward", "        caches.append(cache)\n",
                          "        caches.append(cache)\n        import time\n        time.sleep(0.2)\n"),
             **nbs.mutate("rnn_cell_forward", "    a_next = np.tanh(", "    deep(40)\n    a_next = np.tanh(")}
    helper = nbs.code_cell("def deep(k):\n    return 1 if k == 0 else deep(k - 1) + deep(k - 1)\n", count=20)
    result = grade_submission(nbs.write(tmp_path / "slow.ipynb", nbs.course_notebook(cells, extra_cells=[helper])),
                              context=context, sandbox=sandbox)
    loop, recursion = _timed_out(result, "rnn_forward").message, _timed_out(result, "rnn_cell_forward").message
    assert "in the `for` loop of line" in loop and "which no loop of yours repeats" not in loop, loop
    assert "When the time ran out it was running cell 21 (In [20]), line " in recursion, recursion
    assert "which no loop of yours repeats" not in recursion and "look there for a loop" in recursion, recursion


def test_a_child_writing_faster_than_the_grader_reads_is_read_no_further_than_the_bound(monkeypatch):
    """Thirty-fifth session (hostile): ``where`` read "whatever the socket holds" before it looked
    at the 1 MB bound of an answer, and a child whose threads keep the socket full (its own SIGUSR1
    handler starting them) is never empty: with two writer threads the grading process read 5-87 MB
    in one gulp, and nothing bounded it. Here a socket that is never empty stands for them: what
    ``where`` reads is bounded by one answer's size, and it ends within its wait."""
    import signal
    import socket
    import time
    import types

    from grader import conversation
    from grader.childruntime import FRAME

    class Endless:
        """A socket that a faster writer never lets run dry: an answer announced at just under
        1 MB, then bytes for ever."""

        def __init__(self) -> None:
            self.ready, self.peer = socket.socketpair()
            self.peer.send(b"x")  # readable for select
            self.given = 0

        def fileno(self) -> int:
            return self.ready.fileno()

        def recv(self, n: int) -> bytes:
            if self.given > 64 << 20:
                raise AssertionError(f"read {self.given} bytes of one answer")
            data = FRAME.pack((1 << 20) - 1) if self.given == 0 else b"x" * min(n, 1 << 16)
            self.given += len(data)
            return data

    sock = Endless()
    child = types.SimpleNamespace(pidfd=None, pid=os.getpid(), gone=lambda: False)
    before = signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    try:
        started = time.monotonic()
        assert conversation.where(child, sock, 1) == ""
        took = time.monotonic() - started
    finally:
        signal.signal(signal.SIGUSR1, before)
        sock.ready.close()
        sock.peer.close()
    assert sock.given <= (1 << 20) + 2 * FRAME.size + (1 << 16), sock.given
    assert took < 1.0, took
