"""What a student's function sees of the process it runs in, in the self-check and in a class run
(thirty-eighth session, hostile: can a submission tell it is being graded, and behave otherwise?).

As root on Linux the two children are alike but for their process ids and which slot's uid they
run as (each a free one, 61000 and up): the environment, the ids' kind,
the folder and what it holds, the host name, argv, ``sys.path`` and ``sys.flags``, the modules
loaded, the callers' frames, the limits, the signal handlers and threads. On a student's laptop
(not root) the ids and the kit's paths differ, so a function can tell; it gains nothing by it: the
grading process compares every value with expected ones the child never sees, and a function that
behaves otherwise when graded only spoils its own grade (docs/security.md, Thirty-eighth session)."""
from __future__ import annotations

import io
import re

import pytest

from grader import commands
from tests import notebooks as nbs
from tests.test_commands_regrade import grade

#: Printed by the student's function: a digest of what it sees, and the digest's fields one by one.
_PROBE = r'''
    import hashlib as _h, json as _j, os as _o, resource as _r, signal as _sg, socket as _so, sys as _s
    import threading as _t
    def _seen():
        def tried(fn):
            try:
                return fn()
            except BaseException as exc:
                return "refused " + type(exc).__name__
        limits = ("RLIMIT_CPU", "RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_FSIZE", "RLIMIT_CORE")
        # The slot's uid and the descriptor argv names are the free ones (other runs hold some): their kind
        return {"env": dict(_o.environ), "ids": (_o.getuid() > 60000, _o.getuid() == _o.getgid(), _o.getgroups()),
                "cwd": _o.getcwd(),
                "here": tried(lambda: sorted(_o.listdir("."))), "root": tried(lambda: sorted(_o.listdir("/"))),
                "proc": tried(lambda: open("/proc/self/status").read(10)), "host": _so.gethostname(),
                "argv": [a if not a.isdigit() else "N" for a in _s.argv], "exe": _s.executable, "path": _s.path, "flags": str(_s.flags),
                "modules": sorted(_s.modules), "callers": [_s._getframe(k).f_code.co_name for k in range(1, 3)],
                "limits": [_r.getrlimit(getattr(_r, n)) for n in limits], "cpus": len(_o.sched_getaffinity(0)),
                "signals": [str(_sg.getsignal(s))[:40] for s in (_sg.SIGUSR1, _sg.SIGALRM, _sg.SIGTERM)],
                "threads": [t.name for t in _t.enumerate()], "umask": _o.umask(0o22), "name": __name__,
                "recursion": _s.getrecursionlimit()}
    _fields = _seen()
    print("SEEN " + _h.sha256(_j.dumps(_fields, sort_keys=True, default=str).encode()).hexdigest()[:16])
'''


def test_a_function_sees_the_same_process_in_the_self_check_and_in_a_class_run(tmp_path):
    import os

    if os.geteuid() != 0:
        pytest.skip("as root only: without it the self-check's child runs as this user, as a class run's does")
    # The public case fails (no bias), so that both show what it printed.
    cell = nbs.COURSE_CELLS["rnn_cell_forward"].replace("+ ba)", ")").replace(
        '    """One time step of the basic RNN cell."""\n', '    """One time step of the basic RNN cell."""\n' + _PROBE)
    notebook = nbs.write(tmp_path / "subs" / "probe.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    said = io.StringIO()
    commands.check_notebook(notebook, function="rnn_cell_forward", stream=said)
    grade(tmp_path / "subs", tmp_path / "out", similarity=False)
    feedback = (tmp_path / "out" / "probe" / "feedback.md").read_text(encoding="utf-8")
    checked, graded = re.findall(r"SEEN (\w{16})", said.getvalue()), re.findall(r"SEEN (\w{16})", feedback)
    assert checked and graded, (said.getvalue(), feedback)
    assert checked[0] == graded[0], (said.getvalue(), feedback)
