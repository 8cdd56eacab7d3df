"""A graded function's code replaced through NumPy's view of raw memory (``as_strided`` with
strides that reach two function objects from an array's buffer), or its global name rebound
through ``string.Formatter().get_field``, while the program loads: twenty-fifth session's review. On 551ee54 each notebook was graded in full as a copied ``f9``
while the similarity check compared the decoy with nothing said (none of the names
``reach.reaching_code`` looks for was used); each test failed there. The child alone sees what
runs, so this is a note, as for ``setattr(..., '__code__', ...)``."""
from __future__ import annotations

import sys

import pytest

from grader.similaritystage import function_sources
from grader.models import PASSED
from grader.runner import grade_submission
from tests import notebooks as nbs

_COPY = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def f9(")
# A decoy that reads `_z` (so that the program keeps it) on a branch it never takes.
_DECOY = ("def rnn_cell_forward(xt, a_prev, parameters):\n    if xt is None:\n        _z()\n"
          "    a_next = xt * 2\n    return a_next, None, (a_next, a_prev, xt, parameters)\n")
# Copies the code pointer of one function object to another (CPython 3.11-3.12: 48 bytes in),
# through a view whose strides reach both from a one-element array's buffer.
_MOVE = ("def _move(dst, src):\n    a = np.zeros(1, np.uint64)\n    base = a.__array_interface__['data'][0]\n"
         "    v = STRIDED(a, shape=(2, 2), strides=(id(dst) + 48 - base, id(src) + 48 - base))\n"
         "    v[1, 0] = v[0, 1]\n    return 0\n")
_RUN = "def _z(_=_move(rnn_cell_forward, f9)):\n    return 1\n"

_CELLS = {
    "attribute": f"{_COPY}\n{_DECOY}\n{_MOVE.replace('STRIDED', 'np.lib.stride_tricks.as_strided')}\n{_RUN}",
    "imported": ("from numpy.lib.stride_tricks import as_strided as _s\n\n"
                 f"{_COPY}\n{_DECOY}\n{_MOVE.replace('STRIDED', '_s')}\n{_RUN}"),
    "module": ("from numpy.lib import stride_tricks as _t\n\n"
               f"{_COPY}\n{_DECOY}\n{_MOVE.replace('STRIDED', '_t.as_strided')}\n{_RUN}"),
}


@pytest.mark.skipif(sys.implementation.name != "cpython" or sys.version_info[:2] not in ((3, 11), (3, 12)),
                    reason="the offset of a function's code pointer is CPython 3.11's and 3.12's")
@pytest.mark.parametrize("how", sorted(_CELLS))
def test_code_moved_through_numpy_memory_is_noted(tmp_path, context, sandbox, how):
    path = nbs.write(tmp_path / f"{how}.ipynb", nbs.course_notebook({"rnn_cell_forward": _CELLS[how]}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED  # f9's code is what ran
    source = result.extra["sources"]["rnn_cell_forward"]
    assert source == function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"]
    first, rest = source.split("\n", 1)
    assert first.startswith("# grader: the notebook's code uses `") and "(cell " in first, first
    assert rest.startswith("def rnn_cell_forward(") and "np.tanh" not in rest


def test_numpy_as_students_use_it_is_not_noted(tmp_path):
    # np.lib's other helpers, a reshape, an array's strides read: no note, the sources as before.
    body = ("    w = np.lib.pad(xt, 0)\n    s = w.strides\n    xt = np.reshape(w, xt.shape)\n")
    head = "def rnn_cell_forward(xt, a_prev, parameters):\n"
    overrides = {"rnn_cell_forward": nbs.COURSE_CELLS["rnn_cell_forward"].replace(head, head + body)}
    path = nbs.write(tmp_path / "usual.ipynb", nbs.course_notebook(overrides))
    assert function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"].startswith(head)


#: The program's globals reached through ``string.Formatter().get_field``, which follows an
#: attribute path spelt as a string ("0.__globals__") and returns the object itself.
_FORMATTER = {
    "module": ("import string\n\n" + f"{_COPY}\n{_DECOY}\n"
               "def _z(_=string.Formatter().get_field('0.__glo' + 'bals__', (f9,), {})[0].update(rnn_cell_forward=f9)):\n"
               "    return 1\n"),
    "imported": ("from string import Formatter as _F\n\n" + f"{_COPY}\n{_DECOY}\n"
                 "def _z(_=_F().get_field('0.__glo' + 'bals__', (f9,), {})[0].update(rnn_cell_forward=f9)):\n"
                 "    return 1\n"),
}


@pytest.mark.parametrize("how", sorted(_FORMATTER))
def test_globals_reached_through_a_format_field_are_noted(tmp_path, context, sandbox, how):
    # Graded in full as f9 on 551ee54 (the global name rebound while the program loads), the decoy
    # compared with no note.
    path = nbs.write(tmp_path / f"{how}.ipynb", nbs.course_notebook({"rnn_cell_forward": _FORMATTER[how]}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED
    first = result.extra["sources"]["rnn_cell_forward"].split("\n", 1)[0]
    assert first.startswith("# grader: the notebook's code uses `get_field` (cell "), first
