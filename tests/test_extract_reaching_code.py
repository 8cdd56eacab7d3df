"""Session 27 review: the two ways around ``reach.reaching_code`` that the twenty-sixth session
left (docs/security.md), run through the real grader and sandbox.

- Raw memory through ``np.asarray`` of an object that hands NumPy an ``__array_interface__``
  without the name in its code (a class's ``__getattr__``): a default value moved ``f9``'s code
  pointer into the decoy's function object; the grade was the copy's and the similarity check
  compared the decoy with nothing said.
- A module written by a default value and imported by the graded function: the copy sat in a
  string, what was graded was the module's ``f9``, and the text compared was a three-line
  delegation.
"""
from __future__ import annotations

import sys

import pytest

from grader.similaritystage import function_sources
from grader.models import PASSED
from grader.runner import grade_submission
from tests import notebooks as nbs
from tests.test_sandbox_code_replaced_in_memory import _COPY, _DECOY, _RUN

#: NumPy's protocol for a view of one 8-byte word at an address, handed out by a class's
#: ``__getattr__`` (the name in no code), or by a class ``type`` builds from a name joined at run time.
_BY_GETATTR = ("class _View:\n    def __init__(self, at):\n        self.at = at\n\n"
               "    def __getattr__(self, name):\n        if name.startswith('__array_in'):\n"
               "            return {'data': (self.at, False), 'shape': (1,), 'typestr': '<u8', 'version': 3}\n"
               "        raise AttributeError(name)\n\n\n")
_BY_TYPE = ("def _View(at):\n    key = ''.join(['__array_', 'interface__'])\n"
            "    face = {'data': (at, False), 'shape': (1,), 'typestr': '<u8', 'version': 3}\n"
            "    return type('V', (), {key: face})()\n\n\n")
#: A function object's address: ``id``, its ``hash`` turned back (CPython rotates the address by
#: four bits), or its default ``repr``.
_ADDRESS = {"id": "id(f)", "hash": "((hash(f) % 2 ** 64) << 4 | (hash(f) % 2 ** 64) >> 60) % 2 ** 64",
            "repr": "int(object.__repr__(f).rsplit(' ', 1)[1][:-1], 16)"}
_VIEWS = {"getattr, repr": _BY_GETATTR + "def _at(f):\n    return " + _ADDRESS["repr"] + "\n\n\n",
          "type, id": _BY_TYPE + "def _at(f):\n    return " + _ADDRESS["id"] + "\n\n\n",
          "type, hash": _BY_TYPE + "def _at(f):\n    return " + _ADDRESS["hash"] + "\n\n\n"}
_MOVE = ("def _move(dst, src):\n    d = np.asarray(_View(_at(dst) + 48))\n"
         "    d[0] = np.asarray(_View(_at(src) + 48))[0]\n    return 0\n")


def _graded(tmp_path, context, sandbox, cells: str, name: str):
    """The result of grading the course notebook with ``cells`` in rnn_cell_forward's place, and
    the text the similarity check compares for rnn_cell_forward."""
    path = nbs.write(tmp_path / f"{name}.ipynb", nbs.course_notebook({"rnn_cell_forward": cells}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    source = result.extra["sources"]["rnn_cell_forward"]
    assert source == function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"]
    return result, source


@pytest.mark.skipif(sys.implementation.name != "cpython" or sys.version_info[:2] not in ((3, 11), (3, 12)),
                    reason="the offset of a function's code pointer is CPython 3.11's and 3.12's")
@pytest.mark.parametrize("how", sorted(_VIEWS))
def test_code_moved_through_an_array_interface_spelt_nowhere_is_noted(tmp_path, context, sandbox, how):
    # Before: passed (f9's code ran) and the decoy compared with no note, in each way.
    result, source = _graded(tmp_path, context, sandbox, f"{_COPY}\n{_DECOY}\n{_VIEWS[how]}{_MOVE}\n{_RUN}", "view")
    assert result.part("rnn_cell_forward").status == PASSED  # f9's code is what ran
    first, rest = source.split("\n", 1)
    assert first.startswith("# grader: the notebook's code uses `") and "(cell " in first, first
    assert rest.startswith("def rnn_cell_forward(") and "np.tanh" not in rest


#: The copy and a helper as a string, written to ``_m.py`` by a default value while the program
#: loads, and a decoy that runs that file and hands its work to what it defines.
_WRITE = f"def _z(_=open('_m.py', 'w').write({(nbs.ALT_CELLS['helpers'] + chr(10) + _COPY)!r})):\n    return 1\n\n"
_DELEGATE = "def rnn_cell_forward(xt, a_prev, parameters):\n    if xt is None:\n        _z()\n"
_RUN_FILE = {"sys.path": "    import sys\n    sys.path.insert(0, '.')\n    import _m\n    f = _m.f9\n",
             "os.sys.path": "    import os\n    os.sys.path.insert(0, '.')\n    import _m\n    f = _m.f9\n",
             "runpy": "    import runpy\n    f = runpy.run_path('_m.py')['f9']\n"}


@pytest.mark.parametrize("how", ["sys.path", "os.sys.path"])
def test_a_module_written_by_the_notebook_is_not_imported(tmp_path, context, sandbox, how):
    # Before: passed (the module's f9 ran), the three-line delegation compared with no note. The
    # child's import system now reads no module from its own folder (_child.import_guard).
    cells = f"{_WRITE}{_DELEGATE}{_RUN_FILE[how]}    return f(xt, a_prev, parameters)\n"
    result, _ = _graded(tmp_path, context, sandbox, cells, "written")
    part = result.part("rnn_cell_forward")
    assert part.status != PASSED
    assert "No module named '_m'" in " ".join(c.message for c in part.cases), part.cases[0].message


def test_a_module_written_by_the_notebook_and_run_by_runpy_is_refused_and_noted(tmp_path, context, sandbox):
    # Before: passed, no note. runpy asks the import system for the file's importer, which the
    # guard refuses too; and the notebook's use of runpy is noted.
    cells = f"{_WRITE}{_DELEGATE}{_RUN_FILE['runpy']}    return f(xt, a_prev, parameters)\n"
    result, source = _graded(tmp_path, context, sandbox, cells, "runpy")
    assert result.part("rnn_cell_forward").status != PASSED
    first = source.split("\n", 1)[0]
    assert first.startswith("# grader: the notebook's code uses `runpy` (cell "), first


def test_a_function_still_imports_the_standard_library_when_called(tmp_path, context, sandbox):
    # What the guard must leave alone: a module of the interpreter's, first imported by a call.
    body = "    import colorsys\n    assert colorsys.rgb_to_hsv(0, 0, 0)[2] == 0\n"
    head = "def rnn_cell_forward(xt, a_prev, parameters):\n"
    result, _ = _graded(tmp_path, context, sandbox,
                        nbs.COURSE_CELLS["rnn_cell_forward"].replace(head, head + body), "colorsys")
    assert result.part("rnn_cell_forward").status == PASSED


class _RunsInFreshGlobals:
    """Unpickled, ``exec`` of ``code`` in a dictionary of its own (what a pickle may call)."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __reduce__(self):
        return (exec, (self.code, {}))


#: Code in a pickle that defines the copy and rebinds the program's rnn_cell_forward to it, found
#: by walking up the frames to the globals that hold that name.
_REBIND = (nbs.ALT_CELLS["helpers"] + "\n" + _COPY + "\nimport sys as _s\n_f = _s._getframe(0)\n"
           "while _f is not None and 'rnn_cell_forward' not in _f.f_globals:\n    _f = _f.f_back\n"
           "_f.f_globals['rnn_cell_forward'] = f9\n")
_UNPICKLE = {"np.load by position": ("", "np.load('w.bin', None, True)"),
             "_pickle": ("import _pickle\n\n", "_pickle.loads(open('w.bin', 'rb').read())")}


@pytest.mark.parametrize("how", sorted(_UNPICKLE))
def test_a_pickle_the_notebook_writes_and_loads_calls_nothing(tmp_path, context, sandbox, how):
    # Before: passed (the pickle's exec rebound rnn_cell_forward to the copy in its string), the
    # decoy compared with no note (neither `allow_pickle` nor `pickle` is in the text). The child
    # now unpickles NumPy's array parts only (_child.numpy_pickles_only), so the decoy is graded.
    import pickle

    head, load = _UNPICKLE[how]
    payload = pickle.dumps(_RunsInFreshGlobals(_REBIND), protocol=2)
    cells = (f"{head}{_DECOY}\n"
             f"def _z(_=open('w.bin', 'wb').write({payload!r}), _l={load}):\n    return 1\n")
    result, _ = _graded(tmp_path, context, sandbox, cells, "pickled")
    assert result.part("rnn_cell_forward").status != PASSED


_STRING_RUN = {"code": ("import code\n\n", "code.InteractiveInterpreter({}).runcode(SRC)"),
               "profile": ("import profile\n\n", "profile.Profile().runctx(SRC, {}, {})")}


@pytest.mark.parametrize("how", sorted(_STRING_RUN))
def test_code_run_from_a_string_by_a_module_of_the_standard_library_is_noted(tmp_path, context, sandbox, how):
    # Before: no note (with `code`, passed: the string's code rebound rnn_cell_forward to its copy): the
    # modules are named for their imports only (`np.trace` and a `.code` attribute are no such thing).
    head, run = _STRING_RUN[how]
    cells = f"{head}{_DECOY}\ndef _z(_={run.replace('SRC', repr(_REBIND))}):\n    return 1\n"
    result, source = _graded(tmp_path, context, sandbox, cells, "string")
    if how == "code":  # (profile's run ends in an error in the child, whatever it holds)
        assert result.part("rnn_cell_forward").status == PASSED
    first = source.split("\n", 1)[0]
    assert first.startswith(f"# grader: the notebook's code uses `import {how}` (cell "), first


#: The code pointer moved through ``_ctypes`` (the C module under ctypes, imported by its own
#: name), at addresses read from the functions' default ``repr``.
_BY_C_MODULE = ("import _ctypes\n\n\nclass _Q(_ctypes._SimpleCData):\n    _type_ = 'Q'\n\n\n"
                "class _W(_ctypes.Array):\n    _type_ = _Q\n    _length_ = 1\n\n\n"
                "def _at(f):\n    return " + _ADDRESS["repr"] + "\n\n\n"
                "def _move(dst, src):\n    _W.from_address(_at(dst) + 48)[0] = _W.from_address(_at(src) + 48)[0]\n"
                "    return 0\n")


@pytest.mark.skipif(sys.implementation.name != "cpython" or sys.version_info[:2] not in ((3, 11), (3, 12)),
                    reason="the offset of a function's code pointer is CPython 3.11's and 3.12's")
def test_code_moved_through_the_c_module_under_ctypes_is_noted(tmp_path, context, sandbox):
    # Before: passed (f9's code ran), the decoy compared with no note ('_ctypes' is not 'ctypes').
    result, source = _graded(tmp_path, context, sandbox, f"{_COPY}\n{_DECOY}\n{_BY_C_MODULE}\n{_RUN}", "c")
    assert result.part("rnn_cell_forward").status == PASSED
    first = source.split("\n", 1)[0]
    assert first.startswith("# grader: the notebook's code uses `import _ctypes` (cell "), first


def test_a_module_written_by_the_notebook_and_loaded_by_a_loader_is_noted(tmp_path, context, sandbox):
    # A loader reads the file by its path, past the child's import guard: graded in full as the
    # module's f9, and before this the three lines compared with no note.
    cells = (f"{_WRITE}{_DELEGATE}    f = type(np.__loader__)('_m', '_m.py').load_module().f9\n"
             "    return f(xt, a_prev, parameters)\n")
    result, source = _graded(tmp_path, context, sandbox, cells, "loader")
    assert result.part("rnn_cell_forward").status == PASSED
    first = source.split("\n", 1)[0]
    assert first.startswith("# grader: the notebook's code uses `__loader__` (cell "), first
