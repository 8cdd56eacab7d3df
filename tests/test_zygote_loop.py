"""The zygote's loop per child does no avoidable Python: its usual requests read without json, the
children's paths and the Landlock rule of their directory made once, NumPy's key written into the
generator's memory, the spawn's answer sent without ``socket.send_fds``. Every object it touches
while a child lives is a page copied (``benchmarks/bench_zygote.py``: 227 faults a session before,
148 after; "The zygote's cost per child" in docs/performance-history.md). Counted in a zygote whose functions are wrapped
(``bench_zygote.PROBE``), from the end of its set-up."""
from __future__ import annotations

import ctypes
import json
import random
import struct
import sys
import types
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_zygote  # noqa: E402

from grader import _child  # noqa: E402
from grader._child import close_request  # noqa: E402

SESSIONS = 10  # after bench_zygote.serve's 5 to warm up


@pytest.fixture(scope="module")
def served() -> dict:
    """A probed zygote's calls while it served 15 empty sessions (set-up not counted)."""
    return bench_zygote.serve(SESSIONS, probed=True, notebook=None)["calls"]


def test_a_probed_zygote_reports_its_steps(served):
    sessions = SESSIONS + 5
    assert served["_spawn"] == sessions and served["_kill"] == sessions
    assert served["ctrl_recv"] == 2 * sessions + 1  # a spawn and a close request a session, the exit
    assert served["  bare_fork"] + served["  os.fork"] >= sessions  # and the shutdown's uid sweep


def test_the_usual_requests_are_read_without_json(served):
    # the first spawn request of the sandbox is parsed, its bytes then recognised; and the exit
    assert served["json.loads"] <= 2
    assert served["json.dumps"] <= 1  # the set-up's answer; a spawn's is a template, a close has none


def test_numpys_key_is_written_without_set_state(served):
    assert served["  numpy set_state"] == 0 and served["struct.unpack"] == 0


def test_paths_rules_and_environment_are_made_once(served):
    assert served["os.path.join"] <= 1           # c1, once: names repeat
    assert served["ctypes.create_string_buffer"] == 0  # the directory's rule: one buffer rewritten
    assert served["  environ[...] ="] <= 2       # HOME and TMPDIR, for the first c1 only
    assert served["  Landlock.ruleset"] == SESSIONS + 5  # still one ruleset a child


def test_descriptors_are_passed_without_socket_helpers(served):
    assert served["socket.recv_fds"] == 0 and served["socket.send_fds"] == 0


@pytest.mark.parametrize("pid", [0, 7, 123456, 4194304])
@pytest.mark.parametrize("uid", [None, 0, 60001])
def test_a_close_request_reads_as_json_reads_it(pid, uid):
    data = b'{"op":"close","pid":%d,"uid":%s}' % (pid, b"null" if uid is None else b"%d" % uid)
    assert close_request(data) == json.loads(data) == {"op": "close", "pid": pid, "uid": uid}
    assert list(close_request(data)) == list(json.loads(data))


@pytest.mark.parametrize("data", [
    b'{"op":"close","pid":012,"uid":3}', b'{"op":"close","pid":-1,"uid":3}', b'{"op":"close","pid":1,"uid":}',
    b'{"op":"close","pid":1.0,"uid":3}', b'{"op":"close","pid":1,"uid":3,"x":1}', b'{"op":"close","pid":1}',
    b'{"op":"close","pid":1,"uid":3} ', b'{"op":"close","pid": 1,"uid":3}', b'{"op":"close","pid":1,"uid":null',
    b'{"op":"kill","pid":1,"uid":3}', b'{"op":"close","pid":1_0,"uid":3}', b'{"op":"close","pid":\xd9\xa1,"uid":3}',
    b'{"op":"close","pid":1,"uid":"3"}', b'', b'}'])
def test_other_bytes_are_left_to_json(data):
    assert close_request(data) is None


def test_whatever_close_request_reads_json_reads_the_same():
    rng = random.Random(9)
    alphabet = b'{}":,0123456789-. nulopcsikdh_e'
    base = b'{"op":"close","pid":12,"uid":null}'
    for _ in range(20000):
        data = bytearray(base)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(data) + 1)
            if rng.random() < 0.5 and i < len(data):
                del data[i]
            else:
                data[i:i] = bytes([rng.choice(alphabet)])
        data = bytes(data)
        got = close_request(data)
        if got is not None:
            assert got == json.loads(data), data


def test_numpys_key_buffers_set_the_state_set_state_sets():
    buffers = _child.numpy_key()
    if buffers is None:
        pytest.skip("this NumPy's generator has no ctypes interface")
    key, position, holder = buffers
    assert holder is np.random.mtrand._rand._bit_generator
    raw = bytes(range(256)) * 9 + bytes(192)
    key.raw = raw[:_child._MT_KEY_BYTES]
    position.value = 624
    other = np.random.RandomState()
    other.set_state(("MT19937", np.frombuffer(raw[:_child._MT_KEY_BYTES], dtype="<u4").tolist(), 624))
    name, words, pos, has_gauss, gauss = np.random.get_state()
    assert (name, pos, has_gauss, gauss) == ("MT19937", 624, 0, 0.0)
    assert words.tobytes() == raw[:_child._MT_KEY_BYTES]
    assert np.random.random(5).tolist() == other.random(5).tolist()


class MT19937:
    """A bit generator's stand-in (its class's name is what numpy_key checks): its state in a
    buffer of ours, the position `pad` bytes past the key's end (NumPy's layout: 0)."""

    def __init__(self, pad: int) -> None:
        self.memory = ctypes.create_string_buffer(_child._MT_KEY_BYTES + pad + 8)
        self.pos_at = _child._MT_KEY_BYTES + pad
        self.ctypes = types.SimpleNamespace(state_address=ctypes.addressof(self.memory))

    def set_state(self, state: tuple) -> None:
        _, words, pos = state[:3]
        self.memory[:_child._MT_KEY_BYTES] = struct.pack("<624I", *words)
        self.memory[self.pos_at:self.pos_at + 4] = struct.pack("<i", pos)

    def get_state(self) -> tuple:
        words = np.frombuffer(self.memory.raw[:_child._MT_KEY_BYTES], dtype=np.uint32).copy()
        return "MT19937", words, struct.unpack("<i", self.memory.raw[self.pos_at:self.pos_at + 4])[0], 0, 0.0


def _numpy_with(bit_generator: MT19937) -> types.SimpleNamespace:
    """A NumPy whose legacy global generator is `bit_generator` (what numpy_key reads of NumPy)."""
    random_module = types.SimpleNamespace(mtrand=types.SimpleNamespace(_rand=types.SimpleNamespace(
        _bit_generator=bit_generator)), set_state=bit_generator.set_state, get_state=bit_generator.get_state)
    return types.SimpleNamespace(uint32=np.uint32, random=random_module)


def test_numpys_key_buffers_are_taken_where_the_layout_is_numpys(monkeypatch):
    monkeypatch.setitem(sys.modules, "numpy", _numpy_with(MT19937(pad=0)))
    assert _child.numpy_key() is not None


@pytest.mark.parametrize("pad", [4, 8])
def test_a_position_laid_elsewhere_is_caught_by_the_check(monkeypatch, pad):
    # The key where NumPy has it, the position not right after it: the key reads back, the
    # position written does not. (The check's set_state had left it at 624, the value written:
    # read back, it proved nothing.) Taken, the buffers would write 4 bytes of something else.
    bit_generator = MT19937(pad=pad)
    monkeypatch.setitem(sys.modules, "numpy", _numpy_with(bit_generator))
    assert _child.numpy_key() is None
    _, _, pos, _, _ = bit_generator.get_state()
    assert pos == 624  # the fallback's set_state: a fresh key, renewed at the first draw


def test_a_replaced_global_generator_is_not_written(monkeypatch):
    # numpy.random's functions (rand, get_state...) are the original generator's bound methods:
    # another object put in mtrand._rand is not the one the children draw from.
    monkeypatch.setattr(np.random.mtrand, "_rand", np.random.RandomState())
    assert _child.numpy_key() is None
