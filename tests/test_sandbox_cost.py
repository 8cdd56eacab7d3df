"""grader.sandbox / grader._child: what was moved out of the child to make it cheaper
behaves as before (the program compiled by the grader, the guarded dictionaries copied once
in the zygote)."""

from __future__ import annotations

import marshal
import socket
import textwrap

import numpy as np
import pytest

from grader.childruntime import Baseline, Runtime, _dict_version_reader, guarded_dicts
from grader.sandbox import Limits, Sandbox, _compiled


@pytest.fixture(scope="module")
def sandbox():
    """One sandbox for the module."""
    with Sandbox(limits=Limits(call_timeout=3.0, submission_timeout=30.0)) as sb:
        yield sb


def test_the_grader_compiles_plain_programs_and_leaves_the_rest_to_the_child():
    code = marshal.loads(_compiled("x = 1\ndef f():\n    return x\n", "prog.py"))
    assert code.co_filename == "prog.py"
    namespace: dict = {}
    exec(code, namespace)
    assert namespace["f"]() == 1
    assert _compiled("def f(:\n", "prog.py") is None            # syntax error: the child reports it
    assert _compiled("x = 1\0\n", "prog.py") is None            # NUL byte: likewise
    assert _compiled("assert (1, 'always')\n", "prog.py") is None  # a warning: the child prints it
    assert _compiled("x = '\\d'\n", "prog.py") is None          # DeprecationWarning of an escape
    # compiled as the zygote compiles: no -O (asserts kept), no __future__ of the grader's module
    code = marshal.loads(_compiled("def f():\n    assert False, 'kept'\n", "p.py"))
    namespace = {}
    exec(code, namespace)
    with pytest.raises(AssertionError, match="kept"):
        namespace["f"]()
    code = marshal.loads(_compiled("def g(x: undefined_name):\n    return x\n", "p.py"))
    with pytest.raises(NameError):  # annotations evaluated: `from __future__ import annotations` not inherited
        exec(code, {})


def test_a_program_compiled_by_the_grader_reports_its_own_lines(sandbox):
    program = "import numpy as np\n\ndef f(x):\n    y = x + 1\n    raise ValueError('no')\n"
    assert _compiled(program, "sub.py") is not None
    with sandbox.session(program, filename="sub.py") as s:
        assert s.load.status == "ok"
        outcome = s.call("f", (np.ones(2),))
        assert outcome.status == "error" and outcome.frames == ((5, "f"),)


def test_compile_warnings_and_errors_still_reach_the_student(sandbox):
    with sandbox.session("assert (1, 'always true')\ndef f():\n    return 2\n", filename="w.py") as s:
        assert s.load.status == "ok" and "SyntaxWarning" in s.load.output
        assert s.call("f", ()).value == 2
    with sandbox.session("def f(:\n    pass\n", filename="broken.py") as s:
        assert s.load.status == "error" and s.load.error_type == "SyntaxError"
        assert s.load.frames[-1][0] == 1


def test_a_restarted_child_runs_the_same_compiled_program(sandbox):
    program = "import os\nN = 5\ndef die():\n    os._exit(3)\ndef n():\n    return N\n"
    with sandbox.session(program) as s:
        assert s.call("die", ()).status == "crashed"
        assert s.call("n", ()).value == 5


def test_the_childs_snapshot_uses_the_zygotes_copy_of_unchanged_dictionaries():
    if _dict_version_reader() is None:
        pytest.skip("no version tags on this interpreter")
    ours, theirs = socket.socketpair()
    try:
        inherited = Baseline.take()
        runtime = Runtime(ours, max_bytes=1 << 20, inherited=inherited)
        snaps = runtime._snapshot()
        index = [i for i, d in enumerate(guarded_dicts()) if d is vars(np)][0]
        assert snaps[index][1] is inherited.copies[index]
        np.sandbox_cost_probe = 1  # numpy's dictionary changed since the zygote copied it
        try:
            snaps = runtime._snapshot()
            assert snaps[index][1] is not inherited.copies[index]
            assert snaps[index][1]["sandbox_cost_probe"] == 1
        finally:
            del np.sandbox_cost_probe
    finally:
        ours.close()
        theirs.close()


def test_patches_of_the_top_level_stay_and_those_of_calls_are_undone(sandbox):
    program = textwrap.dedent('''
        import math
        import numpy as np
        np.course_constant = 42          # the top level's changes are the baseline
        def read():
            return getattr(np, "course_constant", None), float(np.sum([1.0, 2.0])), math.sqrt(4.0)
        def patch():
            np.sum = lambda *a, **k: 0.0
            math.sqrt = lambda x: -1.0
            if hasattr(np, "course_constant"):
                del np.course_constant
            return float(np.sum([1.0])) + math.sqrt(4.0)
    ''')
    with sandbox.session(program) as s:
        outs = s.call_many([("read", (), 1.0), ("patch", (), 1.0), ("read", (), 1.0)])
        assert [o.value for o in outs] == [(42, 3.0, 2.0), -1.0, (42, 3.0, 2.0)]
    with sandbox.session(program.replace("np.course_constant = 42", "pass")) as s:  # inherited copies
        outs = s.call_many([("read", (), 1.0), ("patch", (), 1.0), ("read", (), 1.0)])
        assert [o.value for o in outs] == [(None, 3.0, 2.0), -1.0, (None, 3.0, 2.0)]


_WARM_CHECK = """
import importlib, sys
sys.path.insert(0, sys.argv[1])
from grader import zygote_site
zygote_site.set_up()
from grader import _child, childruntime, wire  # as the zygote's boot script imports them
for name in _child.PRELOAD:
    importlib.import_module(name)
guarded = childruntime.guarded_dicts()
before = [dict(d) for d in guarded]
modules = set(sys.modules)
statuses = []
send = childruntime.Runtime.send_outcome
def record(self, msg):
    statuses.append((msg["status"], msg["args_same"]))
    return send(self, msg)
childruntime.Runtime.send_outcome = record
_child._warm_up(1 << 20)
print(set(sys.modules) - modules)
print([sorted(k for k in set(b) | set(d) if b.get(k, b) is not d.get(k, d)) for b, d in zip(before, guarded)])
print(statuses == [("ok", True)] * _child._WARM_ROUNDS)
import gc
gc.collect()
print(sum(isinstance(o, childruntime.Runtime) for o in gc.get_objects()))
"""


def test_the_zygotes_warm_up_answers_its_calls_and_changes_nothing_a_child_inherits():
    # run as the zygote runs (-I -S, the preloaded modules): no module imported, no guarded
    # dictionary changed (the zygote's copies of them are taken after it), every call answered
    import subprocess
    import sys
    from pathlib import Path
    repo = str(Path(__file__).resolve().parents[1])
    out = subprocess.run([sys.executable, "-I", "-S", "-c", _WARM_CHECK, repo], capture_output=True,
                         text=True, timeout=120, check=True).stdout.splitlines()
    assert out[:3] == ["set()", "[[], [], [], [], [], [], [], []]", "True"]  # the eight guarded_dicts()
    # Nothing keeps the throwaway Runtime (its SIGUSR1 handler did, thirty-fourth session): each
    # child then freed it when its own attached, about 400 copy-on-write page faults a child.
    assert out[3:] == ["0"], out


_QUICKENED_CHECK = """
import sys
sys.path.insert(0, sys.argv[1])
import site
site.main()
from grader import _child, childruntime, wire
_child._warm_up(1 << 20)
path = (childruntime.Runtime.call, childruntime.Runtime.recv, childruntime.Runtime.recv_args, childruntime.Runtime.answer,
        wire.Encoder.encode)
print([f.__qualname__ for f in path if f.__code__._co_code_adaptive == f.__code__.co_code])
"""


def test_the_zygotes_warm_up_quickens_the_call_path_it_runs_once_a_call():
    """What the warm-up is for: the code a child runs once per call (the request, the call, the
    answer's encoding) already rewritten by CPython before the fork (3.11 quickens a code object
    at its 8th call), so that no child does it. Fails with fewer rounds than that."""
    import subprocess
    import sys
    from pathlib import Path
    if not hasattr(Runtime.call.__code__, "_co_code_adaptive"):
        pytest.skip("no adaptive bytecode on this interpreter")
    repo = str(Path(__file__).resolve().parents[1])
    out = subprocess.run([sys.executable, "-I", "-S", "-c", _QUICKENED_CHECK, repo], capture_output=True,
                         text=True, timeout=120, check=True).stdout.splitlines()
    assert out == ["[]"]


def test_the_warm_up_runs_before_the_configuration_once_for_a_zygote_and_its_twins(monkeypatch):
    """``_before_config`` (run while the zygote waits for its configuration, before it forks its
    twins) serves the warm-up; the set-up after the configuration does not serve it again."""
    import gc
    import inspect

    from grader import _child
    served = []
    monkeypatch.setattr(_child, "_warm_up", lambda max_bytes: served.append(max_bytes))
    try:
        _child._before_config()
    finally:
        gc.unfreeze()  # _before_config froze this process's heap, as the zygote's
    assert len(served) == 1 and served[0] >= 1 << 20
    assert "_warm_up(" not in inspect.getsource(_child.Zygote.setup)


def test_every_child_attaches_the_zygotes_unattached_runtime(sandbox):
    program = "import os, sys\ndef look():\n" \
              "    runtime = sys._getframe(1).f_locals['self']  # the caller: Runtime.call\n" \
              "    return type(runtime).__name__, runtime.pid == os.getpid(), runtime.sock.fileno(), " \
              "sorted(runtime.recent)\n"
    for _ in range(2):  # a fresh copy in every child: nothing of an earlier session in it
        with sandbox.session(program) as s:
            assert s.call("look", ()).value == ("Runtime", True, 3, [])


def test_a_child_copies_none_of_the_guarded_dictionaries(sandbox):
    # the zygote set every child's streams up as its own before copying them, sys's included
    program = "import sys\ndef look():\n" \
              "    runtime = sys._getframe(1).f_locals['self']  # the caller: Runtime.call\n" \
              "    copies = runtime.inherited.copies if runtime.inherited is not None else []\n" \
              "    return [saved is copy for (_, saved), copy in zip(runtime.baseline, copies)], " \
              "sys.stdout is sys.__stdout__, sys.stdout.fileno()\n"
    if _dict_version_reader() is None:
        pytest.skip("no version tags on this interpreter")
    with sandbox.session(program) as s:
        assert s.call("look", ()).value == ([True] * len(guarded_dicts()), True, 1)


def test_every_child_starts_numpys_generator_from_a_whole_state_of_its_own(sandbox):
    program = "import numpy as np\ndef state():\n" \
              "    name, key, pos, has_gauss, gauss = np.random.get_state()\n" \
              "    return name, key.tobytes().hex(), pos, has_gauss, gauss, float(np.random.randn())\n"
    states = []
    for _ in range(3):
        with sandbox.session(program) as s:
            states.append(s.call("state", ()).value)
    assert [st[0] for st in states] == ["MT19937"] * 3
    assert len({st[1] for st in states}) == 3 and len({st[5] for st in states}) == 3
    assert [st[2:5] for st in states] == [(624, 0, 0.0)] * 3  # renewed at the first draw, nothing cached


def test_what_a_child_leaves_in_numpys_generator_reaches_no_other_child(sandbox):
    # Each child leaves a Gaussian cached (odd draws) or the generator seeded: the zygote writes
    # only the key and the position before each fork, so nothing of the generator may come back.
    program = "import numpy as np\ndef state(leave):\n" \
              "    name, key, pos, has_gauss, gauss = np.random.get_state()\n" \
              "    drawn = np.random.rand(3).tolist()\n" \
              "    np.random.seed(0) if leave == 'seed' else np.random.standard_normal()\n" \
              "    return name, key.tobytes().hex(), pos, has_gauss, gauss, drawn, np.random.get_state()[3]\n"
    states = []
    for leave in ["gauss", "seed", "gauss", "gauss", "seed"]:
        with sandbox.session(program) as s:
            states.append(s.call("state", (leave,)).value)
    assert [st[6] for st in states] == [1, 0, 1, 1, 0]  # the child did leave its Gaussian
    assert len({st[1] for st in states}) == len(states)
    for name, key, pos, has_gauss, gauss, drawn, _ in states:
        assert (name, pos, has_gauss, gauss) == ("MT19937", 624, 0, 0.0)
        own = np.random.RandomState()
        own.set_state(("MT19937", np.frombuffer(bytes.fromhex(key), dtype=np.uint32), 624))
        assert own.rand(3).tolist() == drawn  # the draws are the reported state's
