"""Session 28, polish: the small things students and TAs meet.

NumPy's own words for a call made the wrong way ("only integer scalar arrays can be converted to
a scalar index" for ``np.concatenate(a_prev, xt)``) were all a student was told; each case here
is a one-line mistake of this assignment, graded through the real grader, whose message must say
what went wrong on the student's line and how to write it.
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from grader.classfiles import DEFAULT_RUBRIC
from grader.runner import grade_submission
from grader.selfcheck import run_check
from tests import notebooks as nbs
from tests.test_live import course_module  # noqa: F401 - a fixture: rnn_utils importable

_CONCAT = ("concat = np.zeros((n_a + n_x, m))\n    concat[: n_a, :] = a_prev\n    concat[n_a :, :] = xt")


def _first_case(tmp_path: Path, cells: dict, part: str, context, sandbox):
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(cells))
    return grade_submission(path, context=context, sandbox=sandbox).part(part).cases[0]


@pytest.mark.parametrize("call", ["np.concatenate(a_prev, xt)", "np.concat(a_prev, xt)",
                                  "np.concatenate(a_prev, xt, axis=0)"])
def test_two_arrays_given_to_concatenate_as_two_arguments_are_told_the_tuple(tmp_path, context, sandbox, call):
    cells = nbs.mutate("lstm_cell_forward", _CONCAT, f"concat = {call}")
    case = _first_case(tmp_path, cells, "lstm_cell_forward", context, sandbox)
    assert case.status == "error" and "TypeError" in case.message, case.message
    assert "in one tuple" in case.message and "`np.concatenate((a_prev, xt), axis=0)`" in case.message, case.message


def test_a_shape_given_to_np_zeros_as_separate_numbers_is_told_the_tuple(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_forward", "a = np.zeros((n_a, m, T_x))", "a = np.zeros(n_a, m, T_x)")
    case = _first_case(tmp_path, cells, "rnn_forward", context, sandbox)
    assert case.status == "error", case.message
    assert "`np.zeros((n_a, m, T_x))`" in case.message and "data type" in case.message, case.message


def test_a_matrix_product_in_the_wrong_order_is_told_which_sizes_must_agree(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_cell_forward", "np.dot(Waa, a_prev)", "np.dot(a_prev, Waa)")
    case = _first_case(tmp_path, cells, "rnn_cell_forward", context, sandbox)
    assert case.status == "error" and "not aligned" in case.message, case.message
    # Two products on the line: the rule, with the assignment's own example.
    assert "columns of the first" in case.message and "`np.dot(Waa, a_prev)`, not" in case.message, case.message
    for wrong in ("np.dot(dtanh, Wax.T)", "dtanh @ Wax.T"):
        cells = nbs.mutate("rnn_cell_backward", "np.dot(Wax.T, dtanh)", wrong)
        case = _first_case(tmp_path, cells, "rnn_cell_backward", context, sandbox)
        assert case.status == "error", case.message
        assert "check the order of `dtanh` and `Wax.T`" in case.message, case.message


def test_an_elementwise_product_where_the_matrix_product_is_meant_is_told_so(tmp_path, context, sandbox):
    for wrong in ("Wax * xt", "np.multiply(Wax, xt)"):
        cells = nbs.mutate("rnn_cell_forward", "np.dot(Wax, xt)", wrong)
        case = _first_case(tmp_path, cells, "rnn_cell_forward", context, sandbox)
        assert case.status == "error" and "broadcast" in case.message, case.message
        assert "element by element" in case.message and "`np.dot(a, b)` or `a @ b`" in case.message, case.message
        assert "(3,10) (cell 4" in case.message, case.message  # NumPy's trailing space dropped


def test_two_indices_in_one_bracket_on_a_list_are_told_to_index_twice(tmp_path, context, sandbox):
    cells = nbs.mutate("rnn_backward", "(a1, a0, x1, parameters) = caches[0]",
                       "(a1, a0, x1, parameters) = caches[0, :]")
    case = _first_case(tmp_path, cells, "rnn_backward", context, sandbox)
    assert case.status == "error" and "indices must be integers" in case.message, case.message
    assert "one index at a time" in case.message and "`caches[i][j]`" in case.message, case.message


def test_check_words_the_concatenate_mistake_as_the_grade_does(tmp_path):
    cells = nbs.mutate("lstm_cell_forward", _CONCAT, "concat = np.concatenate(a_prev, xt)")
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(cells))
    out = io.StringIO()
    run_check(path, rubric=DEFAULT_RUBRIC, stream=out, function="lstm_cell_forward")
    text = " ".join(out.getvalue().split())
    assert "`np.concatenate((a_prev, xt), axis=0)`" in text, out.getvalue()


# --------------------------------------------------------------------------- a student's words in --check

def test_a_check_whose_process_cannot_start_says_so_without_the_word_sandbox(tmp_path, monkeypatch):
    # `grade.py --check` told a student "the sandbox did not work on this machine": a word of the
    # grader's, not the course's. The detail stays, for the instructor the student sends it to.
    import contextlib

    from grader import selfcheck
    from grader.sandbox import SandboxError

    @contextlib.contextmanager
    def broken(rubric):
        raise SandboxError("sandbox zygote exited; no log")
        yield  # pragma: no cover - a generator, never reached

    monkeypatch.setattr(selfcheck, "_sandbox_started", broken)
    out = io.StringIO()
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook())
    code = run_check(path, rubric=DEFAULT_RUBRIC, stream=out)
    first, _, rest = out.getvalue().partition("\n")
    assert code == selfcheck.EXIT_UNUSABLE, out.getvalue()
    assert first.startswith("Self-check cannot run:") and "sandbox" not in first.lower(), first
    assert "not a problem in your code" in first and "your instructor" in first, first
    assert "sandbox zygote exited; no log" in rest, out.getvalue()


def test_a_case_the_kit_lacks_is_told_without_the_word_fixtures():
    from tests.test_selfcheck_messages import kit_lacks_case_text

    text = kit_lacks_case_text()
    assert "fixture" not in text.lower() and "expected values of this case" in text, text
    assert "not your code's fault" in text and "hand out the kit again" in text, text


# --------------------------------------------------------------------------- the grader's own folder

REPO = Path(__file__).resolve().parents[1]


def _grader_copy(folder: Path) -> Path:
    """A runnable copy of the grader (grade.py, grader/, rubrics/) in ``folder``."""
    import shutil

    folder.mkdir(parents=True)
    shutil.copy2(REPO / "grade.py", folder / "grade.py")
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPO / "grader", folder / "grader", ignore=ignore)
    shutil.copytree(REPO / "rubrics", folder / "rubrics", ignore=ignore)
    return folder / "grade.py"


def test_the_graders_own_folder_in_the_class_folder_is_no_submission(tmp_path):
    # A TA cloned the grader into the class folder ("app") and graded the class folder: the run
    # listed "app: 0/100 (unreadable)" and "Unreadable submissions: app".
    import os
    import subprocess
    import sys

    grade_py = _grader_copy(tmp_path / "class" / "app")
    nbs.write(tmp_path / "class" / "ada.ipynb", nbs.course_notebook())
    done = subprocess.run([sys.executable, str(grade_py), str(tmp_path / "class"), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "CI": "true"})
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert "Grading 1 of 1 submission(s)" in said and "app: " not in said and "Unreadable" not in said, said
    assert said.count("app") == 1 and "the grader's own folder" in said, said


def test_a_students_folder_holding_a_copy_of_the_kit_is_still_a_submission(tmp_path):
    # Only the running grader's folder is skipped: a student may hand in their folder with the
    # self-check kit (grade.py, grader/) beside the notebook.
    from grader.discover import find_submissions, own_folder_in

    student = tmp_path / "class" / "bob"
    nbs.write(student / "rnn.ipynb", nbs.course_notebook())
    (student / "grade.py").write_text("print('kit')\n")
    (student / "grader").mkdir()
    (student / "grader" / "__init__.py").write_text("")
    assert [s.id for s in find_submissions(tmp_path / "class")] == ["bob"]
    assert own_folder_in(tmp_path / "class") is None


# --------------------------------------------------------------------------- two lambdas on one line

_GOOD = ('lambda xt, a_prev, p: (lambda a: (a, softmax(np.dot(p["Wya"], a) + p["by"]), (a, a_prev, xt, p)))'
         '(np.tanh(np.dot(p["Waa"], a_prev) + np.dot(p["Wax"], xt) + p["ba"]))')
_BAD = 'lambda xt, a_prev, p: (a_prev, a_prev, (a_prev, a_prev, xt, p))'


@pytest.mark.parametrize("cell, full", [
    # Python binds the last statement of the line: the grader graded the first (the second,
    # not at the start of its line, was dropped): 10 / 10 for a notebook whose function is wrong,
    # 0 / 10 for one whose function is right.
    (f"rnn_cell_forward = {_GOOD}; rnn_cell_forward = {_BAD}\n", False),
    (f"rnn_cell_forward = {_BAD}; rnn_cell_forward = {_GOOD}\n", True),
    (f"f = {_BAD}; f = {_GOOD}\nrnn_cell_forward = f\n", True),
    # An alias between two lambdas of one name on one line names the first (`_same_definition`
    # took the two for one statement: same name, cell and line).
    (f"f = {_GOOD}; rnn_cell_forward = f; f = {_BAD}\n", True),
    (f"f = {_BAD}; rnn_cell_forward = f; f = {_GOOD}\n", False),
    (f"g = {_BAD}; f = {_GOOD}; rnn_cell_forward = f\n", True),
])
def test_statements_after_a_semicolon_are_graded_as_python_runs_them(tmp_path, context, sandbox, cell, full):
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    part = grade_submission(path, context=context, sandbox=sandbox).part("rnn_cell_forward")
    assert (part.points == part.max_points) is full, (part.points, part.notes, part.cases[0].message)


# --------------------------------------------------------------------------- the memory route left by s27

_FACE = "{'data': (at, False), 'shape': (1,), 'typestr': '<u8', 'version': 3}"
_KEY = "    key = ''.join(['__array_', 'interface__'])\n"
#: NumPy's protocol for a view of one 8-byte word at an address, in an attribute a library class
#: sets from a name joined at run time (no `__getattr__`, no `type`, no `setattr` in the code).
_LIBRARY_VIEWS = {
    "argparse.Namespace": f"import argparse\n\ndef _View(at):\n{_KEY}    return argparse.Namespace(**{{key: {_FACE}}})\n\n\n",
    "from argparse import Namespace as": (f"from argparse import Namespace as _N\n\ndef _View(at):\n{_KEY}"
                                          f"    return _N(**{{key: {_FACE}}})\n\n\n"),
    "dataclasses.make_dataclass": (f"import dataclasses\n\ndef _View(at):\n{_KEY}"
                                   f"    return dataclasses.make_dataclass('C', [(key, dict)])({_FACE})\n\n\n"),
}
#: A function object's address from its default repr, through `format` and `%r` (no `id`, `hash`).
_ADDRESSES = {"format": "int(format(f).rsplit(' ', 1)[1][:-1], 16)",
              "%r": "int(('%r' % (f,)).rsplit(' ', 1)[1][:-1], 16)"}
_MOVE_VIEW = ("def _move(dst, src):\n    d = np.asarray(_View(_at(dst) + 48))\n"
              "    d[0] = np.asarray(_View(_at(src) + 48))[0]\n    return 0\n")


@pytest.mark.skipif(sys.implementation.name != "cpython" or sys.version_info[:2] not in ((3, 11), (3, 12)),
                    reason="the offset of a function's code pointer is CPython 3.11's and 3.12's")
@pytest.mark.parametrize("view, address", [("argparse.Namespace", "format"), ("from argparse import Namespace as", "%r"),
                                           ("dataclasses.make_dataclass", "format")])
def test_code_moved_through_a_library_class_holding_the_array_interface_is_noted(tmp_path, context, sandbox,
                                                                              view, address):
    # Before: passed 10/10 (f9's code ran: the decoy alone scores 0) and the decoy was compared
    # with no note: the twenty-seventh review's "Left", tried through the grader.
    from grader.similaritystage import function_sources
    from tests.test_sandbox_code_replaced_in_memory import _COPY, _DECOY, _RUN

    cells = (f"{_COPY}\n{_DECOY}\n{_LIBRARY_VIEWS[view]}def _at(f):\n    return {_ADDRESSES[address]}\n\n\n"
             f"{_MOVE_VIEW}\n{_RUN}")
    path = nbs.write(tmp_path / "view.ipynb", nbs.course_notebook({"rnn_cell_forward": cells}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    source = result.extra["sources"]["rnn_cell_forward"]
    assert source == function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"]
    first = source.split("\n", 1)[0]
    assert first.startswith("# grader: the notebook's code uses `") and "(cell " in first, first
    assert ("Namespace" if "Namespace" in view else "make_dataclass") in first, first


@pytest.mark.parametrize("call", ["np.concatenate((a_prev, xt), axis=1)", "np.hstack((a_prev, xt))"])
def test_arrays_joined_along_the_wrong_axis_are_told_the_axis(tmp_path, context, sandbox, call):
    # NumPy: "all the input array dimensions except for the concatenation axis must match exactly,
    # but along dimension 0, ...", and nothing on which axis stacks a_prev over xt.
    cells = nbs.mutate("lstm_cell_forward", _CONCAT, f"concat = {call}")
    case = _first_case(tmp_path, cells, "lstm_cell_forward", context, sandbox)
    assert case.status == "error" and "concatenation axis" in case.message, case.message
    assert "every other size must match" in case.message, case.message
    assert "`np.concatenate((a_prev, xt), axis=0)`" in case.message, case.message


def test_check_in_jupyter_words_the_concatenate_mistake_as_the_grade_does(tmp_path, course_module, sandbox):
    # check() grades the kernel's own functions with the same _Grader: the same hint, on the
    # student's line as the kernel ran it.
    from grader.live import grade_live
    from tests.budgets import public_context
    from tests.test_review_s22 import _kernel_namespace

    cells = nbs.mutate("lstm_cell_forward", _CONCAT, "concat = np.concatenate(a_prev, xt)")
    nb = nbs.course_notebook(cells)
    namespace = _kernel_namespace(["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"], tmp_path)
    live, _ = grade_live(namespace, context=public_context())  # a wall-time limit is not the subject
    message = live.part("lstm_cell_forward").cases[0].message
    assert "`np.concatenate((a_prev, xt), axis=0)`" in message, message
