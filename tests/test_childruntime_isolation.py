"""grader.childruntime: what one call of a student's functions changes of its process's state is
undone before the next call, so that each function is graded as if alone (the top level's changes
stay: they are the program's, for every function)."""
from __future__ import annotations

import numpy as np
import pytest

_PROGRAM = r'''
import numpy as np

np.set_printoptions(precision=3)  # the top level's: kept for every call

def debugged(x):
    np.seterr(all="raise")  # left in a function while debugging it
    np.set_printoptions(precision=1, formatter={"float": lambda v: "HIDDEN"})
    return x

def sigmoid_of(x):
    print(x[1:2] / 3)
    return 1 / (1 + np.exp(-x))
'''


@pytest.mark.skipif(int(np.__version__.split(".")[0]) < 2,
                    reason="NumPy 1 keeps its error state per thread and its print options in a module dict, not per context")
def test_numpy_error_state_and_print_options_set_in_a_call_end_with_it(sandbox):
    """NumPy's error state and print options are the process's, not a module dictionary's (which
    the runtime puts back after each call): a function that called ``np.seterr(all="raise")`` made
    the student's right ``sigmoid_of`` raise FloatingPointError on an input that overflows, the
    mistake costing twice, and its print options changed what the next function printed in the
    feedback. Each call now runs in a copy of the process's context (NumPy 2 keeps both there):
    0.16 us a call. Before the fix: FloatingPointError 'overflow encountered in exp' and
    '[HIDDEN]'."""
    x = np.array([-800.0, 0.5, 800.0])
    with sandbox.session(_PROGRAM, filename="attack.py") as session:
        assert session.call("debugged", (x,)).status == "ok"
        outcome = session.call("sigmoid_of", (x,))
    assert outcome.status == "ok", outcome
    assert np.allclose(outcome.value, [0.0, 0.62245933, 1.0]), outcome.value
    assert outcome.output.startswith("[0.167]\n"), outcome.output  # the top level's precision, 3


_PROCESS = r'''
import sys, warnings
import numpy as np

warnings.filterwarnings("ignore", message="the top level's")  # kept for every call

def spoiled():
    warnings.simplefilter("error")  # a warning made an exception, for every later call
    sys.setrecursionlimit(60)
    sys.settrace(lambda *args: None)
    sys.setprofile(lambda *args: None)
    return 1

def sigmoid_of(x):
    warnings.warn("the top level's filter still holds")
    return 1 / (1 + np.exp(-x))

def depth(n):
    return 0 if n == 0 else 1 + depth(n - 1)

def state():
    return [sys.gettrace() is None, sys.getprofile() is None, sys.getrecursionlimit()]
'''


def test_warning_filters_recursion_limit_and_tracers_set_in_a_call_end_with_it(sandbox):
    """The module dictionaries were put back after each call, not what a call changed in place or
    in the interpreter: ``warnings.simplefilter("error")`` in one function made the student's next,
    right, function fail with RuntimeWarning ("overflow encountered in exp") where NumPy warns;
    ``sys.setrecursionlimit(60)`` failed a right recursive one with RecursionError; a trace or
    profile function ran in every later call. Each is now the top level's again after every call
    (the warnings module's dictionary and its filter list guarded as ``sys.path`` is). Before the
    fix: error RuntimeWarning, error RecursionError, [False, False, 60]."""
    x = np.array([-800.0, 0.5, 800.0])
    with sandbox.session(_PROCESS, filename="attack.py") as session:
        assert session.call("spoiled", ()).status == "ok"
        right = session.call("sigmoid_of", (x,))
        deep = session.call("depth", (200,))
        state = session.call("state", ())
    assert right.status == "ok", right
    assert "the top level's filter" not in right.output, right.output
    assert deep.status == "ok" and deep.value == 200, deep
    assert state.value == [True, True, 1000], state
