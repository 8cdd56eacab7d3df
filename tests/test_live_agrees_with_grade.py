"""Session 23, consistency: check() in Jupyter and the grade must say the same things.

The alias message (``runner._alias_problem``) names the first pair of memory-sharing paths that
explains a wrong value, so the pairs must come in one order on both sides: check() sorted each
pair as text (``result[10]`` before ``result[2]``, ``args[0]`` before ``result[11]``), the
sandbox's child keeps walk order."""
from __future__ import annotations

import linecache
from pathlib import Path

import numpy as np

from grader.live import LiveProgram, LiveSession

_VIEWS = ("import numpy as np\n\n"
          "def views(a):\n"
          "    base = np.zeros(4)\n"
          "    out = [np.ones(1) for _ in range(11)]\n"
          "    out[2], out[10] = base, base[1:]\n"
          "    out.append(a)\n"
          "    return out\n")


def _live_session(code: str, folder: Path) -> LiveSession:
    """A live session (check()'s) over the namespace of ``code`` run as one cell."""
    filename = str(folder / "cell-0.py")
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    namespace: dict = {"__name__": "student_code"}
    exec(compile(code, filename, "exec"), namespace)
    return LiveSession(namespace, program=LiveProgram(), student_files=frozenset({filename}))


def test_check_reports_memory_sharing_pairs_in_the_grades_order(tmp_path, sandbox):
    arg = np.arange(3.0)
    live = _live_session(_VIEWS, tmp_path).call("views", (arg,))
    with sandbox.session(_VIEWS, filename="submission.py") as session:
        graded = session.call("views", (arg,))
    assert live.status == graded.status == "ok"
    assert graded.aliases == (("result[11]", "args[0]"), ("result[2]", "result[10]"))
    assert live.aliases == graded.aliases
