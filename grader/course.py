"""Course-provided support code that submissions import but do not contain.

The assignment's notebook starts with ``from rnn_utils import *``; the graded
functions then call ``softmax`` and ``sigmoid`` from that module.  The
module itself is not part of a submission, so the extractor inlines the
source below into the program the sandbox runs.  A student's own ``softmax``
or ``sigmoid`` defined in the notebook takes precedence.

Test-helper modules (``public_tests`` and the like) are only used by test
cells, which are never graded; they are listed here so that the extractor can
drop them silently.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

__all__ = ["COURSE_ARITY", "COURSE_MODULES", "COURSE_PARAMETERS", "TEST_HELPER_MODULES", "is_test_helper_module"]

#: The course's headers of the graded functions: their parameters, which the grader passes by position
#: (the similarity check reads a call naming them as one passing them so: ``similarity.rewrite``).
COURSE_PARAMETERS = {
    "rnn_cell_forward": ("xt", "a_prev", "parameters"), "rnn_forward": ("x", "a0", "parameters"),
    "lstm_cell_forward": ("xt", "a_prev", "c_prev", "parameters"), "lstm_forward": ("x", "a0", "parameters"),
    "rnn_cell_backward": ("da_next", "cache"), "rnn_backward": ("da", "caches"),
    "lstm_cell_backward": ("da_next", "dc_next", "cache"), "lstm_backward": ("da", "caches")}
#: How many arguments the grader passes each graded function, by position (the course's headers).
COURSE_ARITY = {name: len(parameters) for name, parameters in COURSE_PARAMETERS.items()}

_SOFTMAX = '''\
def softmax(x):
    """Column-wise softmax, stable against overflow.

    x: array of shape (n, m) (or any shape; the softmax is taken over axis 0).
    Returns an array of the same shape whose columns sum to 1.
    """
    e_x = np.exp(x - np.max(x, axis=0, keepdims=True))
    return e_x / np.sum(e_x, axis=0, keepdims=True)
'''

_SIGMOID = '''\
def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), element-wise; same shape as x."""
    return 1 / (1 + np.exp(-x))
'''

#: module name -> {function name -> source}.  Sources use ``np`` for NumPy;
#: the extractor makes sure ``import numpy as np`` precedes them.
COURSE_MODULES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "rnn_utils": MappingProxyType({"softmax": _SOFTMAX, "sigmoid": _SIGMOID}),
    }
)

#: Every course helper's name (``softmax``, ``sigmoid``): what the grader provides whatever a cell does.
COURSE_HELPERS: frozenset[str] = frozenset(name for helpers in COURSE_MODULES.values() for name in helpers)

#: Modules that only serve the notebook's own test cells.
TEST_HELPER_MODULES: frozenset[str] = frozenset(
    {
        "public_tests",
        "test_utils",
        "tests",
        "outputs",
        "testCases",
        "testCases_v2",
        "testCases_v3",
        "testCases_v4",
        "testcases",
        "test_cases",
        "dlai_tools",
    }
)


def is_test_helper_module(module: str) -> bool:
    """True when ``module`` (dotted name allowed) is a notebook test helper.

    Besides the names listed in :data:`TEST_HELPER_MODULES`, any top-level
    package whose name starts with ``test`` or ends with ``_test``/``_tests``
    counts.
    """
    top = module.split(".", 1)[0]
    if top in TEST_HELPER_MODULES:
        return True
    low = top.lower()
    return low.startswith("test") or low.endswith(("_test", "_tests")) or low.startswith("public_test")
