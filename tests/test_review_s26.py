"""Session 26 review (correctness and consistency) of the twenty-fifth session's changes.

Each test here failed on the code it was written against (0fc66f7) and passes with its fix.
"""
from __future__ import annotations

import json
import sys
from typing import Callable, TypeVar

import pytest

from grader.extract import Extraction, clear_memos, extract
from grader.notebook import loads
from tests import notebooks as nbs
from tests.budgets import public_context
from tests.test_live import course_module  # noqa: F401 - a fixture: rnn_utils importable

T = TypeVar("T")


def _called_deeper(frames: int, call: Callable[[], T]) -> T:
    """``call()`` made ``frames`` Python frames below this one (a worker, ``--check`` and
    ``check()`` in a Jupyter kernel each extract at a depth of their own)."""
    return _called_deeper(frames - 1, call) if frames else call()


def _scaled_cell_notebook(terms: int):
    """The course's notebook whose ``rnn_cell_forward`` multiplies by ``SCALE``, a constant of
    another cell written as a sum of ``terms`` ones: a tree ``terms`` levels deep, which the
    extraction's check of a constant walks one level (one frame) at a time."""
    cell = nbs.COURSE_CELLS["rnn_cell_forward"].replace("return a_next, yt_pred, cache",
                                                        "return a_next * SCALE, yt_pred, cache")
    assert "SCALE" in cell
    scale = "SCALE = (" + " + ".join(["1"] * terms) + ") // %d\n" % terms
    nb = nbs.course_notebook({"rnn_cell_forward": cell}, extra_cells=[nbs.code_cell(scale)])
    return loads(json.dumps(nb).encode(), path="scaled.ipynb")


def _facts(extraction: Extraction) -> tuple:
    """What the grade is made from: the program, and what the extraction says of the function."""
    return (extraction.program().source, extraction.functions["rnn_cell_forward"].free_names,
            [d.message for d in extraction.diagnostics])


def _extracted(notebook, frames: int, limit: int | None = None) -> tuple:
    """``_facts`` of ``notebook`` extracted ``frames`` frames deeper, under the recursion limit
    ``limit`` (the caller's when None), with the memos cleared (a fresh worker)."""
    previous = sys.getrecursionlimit()
    clear_memos()
    try:
        if limit is not None:
            sys.setrecursionlimit(limit)
        return _called_deeper(frames, lambda: _facts(extract(notebook)))
    finally:
        sys.setrecursionlimit(previous)
        clear_memos()


def test_a_deep_constant_is_extracted_the_same_at_any_caller_depth():
    """``_is_constant_expr`` walks a constant's value recursively and a RecursionError drops the
    constant from the program; that depth was counted from the caller's: about 920 to 990 terms
    were kept at depth 0 and left out 80 frames deeper, where the function reading ``SCALE`` then
    raises NameError. A worker and check() in a kernel extract at depths of their own."""
    for terms in range(880, 1040, 10):
        notebook = _scaled_cell_notebook(terms)
        assert _extracted(notebook, 80) == _extracted(notebook, 0), terms


def test_a_deep_constant_is_extracted_the_same_under_a_raised_recursion_limit():
    """A kernel whose notebook ran ``sys.setrecursionlimit(5000)`` (students do, for recursive
    code) gave check()'s extraction room the grade's never had: a constant of 1,500 terms was kept
    by one and left out by the other."""
    notebook = _scaled_cell_notebook(1500)
    assert _extracted(notebook, 0, limit=5000) == _extracted(notebook, 0)


# --------------------------------------------------------------------------- check() against the grade

#: Where ``class RNN: pass`` and ``RNN.cell = staticmethod(rnn_cell_forward)`` stand: both in the
#: cell's of rnn_cell_forward (the def the later of the two), or before rnn_forward (the class).
_SET_WHERE = ("with the cell", "with the composite")


@pytest.mark.parametrize("where", _SET_WHERE)
def test_check_and_the_grade_agree_on_a_member_set_whose_function_is_defined_again(
        tmp_path, course_module, sandbox, where):  # noqa: F811
    """``RNN.cell = staticmethod(rnn_cell_forward)``, then rnn_cell_forward defined again in a
    later cell (the same right code, run again). The program's member-set line followed the later
    of the class and the def when the set was read: a def taken out of the program by the later
    one (the line with it), or the class, where the line ran before the function's last def
    (NameError, guarded). Either way RNN had no ``cell``: rnn_forward 'error', 0 / 15, where
    check() (the kernel, which holds the member) said it passed."""
    from tests.test_review_s24 import _check_and_grade

    right = nbs.COURSE_CELLS["rnn_cell_forward"]
    member = "class RNN:\n    pass\n\n\n", "\n\nRNN.cell = staticmethod(rnn_cell_forward)\n\n\n"
    cells = {"rnn_cell_forward": member[0] + right + member[1]} if where == "with the cell" else {}
    before = "" if cells else member[0] + member[1]
    cells["rnn_forward"] = (nbs.COURSE_CELLS["rnn_forward"]
                            .replace("def rnn_forward(x, a0, parameters):", before + "def rnn_forward(x, a0, parameters):")
                            .replace("= rnn_cell_forward(", "= RNN.cell("))
    assert "RNN.cell(" in cells["rnn_forward"]
    again = nbs.code_cell(right.replace("# GRADED FUNCTION: rnn_cell_forward", "# the cell, run again"))
    live, graded, _namespace = _check_and_grade(nbs.course_notebook(cells, extra_cells=[again]), tmp_path, sandbox)
    assert ("rnn_forward", "passed") in graded, graded
    assert live == graded


def test_check_and_the_grade_agree_on_a_member_set_spaced_around_its_dot(tmp_path, course_module, sandbox):  # noqa: F811
    """``RNN .cell = staticmethod(rnn_cell_forward)``, as Python allows: the fast path's pattern
    of a member set wanted the dot against both names and skipped the statement (the careful path,
    taken for a cell with IPython syntax, set it), so a right rnn_forward calling ``RNN.cell(...)``
    was 'error', 0 / 15, where check() said it passed."""
    from tests.test_review_s24 import _check_and_grade

    before = "class RNN:\n    pass\n\n\nRNN .cell = staticmethod(rnn_cell_forward)\n\n\n"
    forward = (nbs.COURSE_CELLS["rnn_forward"]
               .replace("def rnn_forward(x, a0, parameters):", before + "def rnn_forward(x, a0, parameters):")
               .replace("= rnn_cell_forward(", "= RNN.cell("))
    live, graded, _namespace = _check_and_grade(nbs.course_notebook({"rnn_forward": forward}), tmp_path, sandbox)
    assert ("rnn_forward", "passed") in graded, graded
    assert live == graded


def _kernel_that_ran(sources: list[str], folder) -> dict:
    """The user namespace of a kernel that ran each of ``sources`` as a cell, IPython's ``In``
    included; a cell that raises (a syntax error) is reported by the kernel and the next one runs."""
    import linecache

    namespace: dict = {"__name__": "student_notebook"}
    for i, source in enumerate(sources):
        filename = str(folder / f"cell-{i}.py")
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        try:
            exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - the test's own cells
        except Exception:  # noqa: BLE001 - as a kernel: shown, and the next cell runs
            pass
    namespace["In"] = ["", *sources]
    return namespace


def _broken_dependency() -> dict:
    """``lstm_cell_forward``'s cell does not parse; ``lstm_forward`` is right (d4e3c59's case)."""
    from tests.test_lead_s25 import _broken_cell_notebook

    return _broken_cell_notebook()


def _assigned_by_a_statement() -> dict:
    """``CELLS = {"rnn": rnn_cell_forward}``, a statement the grader does not run (579a9f6's case)."""
    return nbs.course_notebook({"rnn_forward": nbs.COURSE_CELLS["rnn_forward"]
                                .replace("def rnn_forward(x, a0, parameters):",
                                         'CELLS = {"rnn": rnn_cell_forward}\n\n\ndef rnn_forward(x, a0, parameters):')
                                .replace("= rnn_cell_forward(", '= CELLS["rnn"](')})


@pytest.mark.parametrize("case", [_broken_dependency, _assigned_by_a_statement])
def test_check_in_jupyter_says_what_the_grade_says_of_a_name_from_outside(tmp_path, course_module, sandbox, case):  # noqa: F811
    """d4e3c59 and 579a9f6 made the part's note about a name read from outside the extraction's
    own where it knows more (the name's def has a syntax error: fix that; a statement the grader
    does not run assigns it), read from the extraction's diagnostics, which check() in Jupyter
    did not pass on: it still said "defined outside the function (or nowhere): compute it inside
    or pass it in", and called the function whose cell does not parse 'missing' ("No function
    named ... was found") where the grade says 'error' with the syntax error. Cell numbers
    differ (the notebook's cells, the kernel's In [n]); the words and statuses agree."""
    import re

    from grader.live import grade_live
    from tests.test_review_s24 import _grade

    nb = case()
    public = public_context()
    namespace = _kernel_that_ran(["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"], tmp_path)
    live, _ = grade_live(namespace, context=public)
    graded = _grade(tmp_path, nb, public, sandbox)
    assert [(p.name, p.status) for p in live.parts] == [(p.name, p.status) for p in graded.parts]

    def said(result) -> list[tuple[str, tuple[str, ...]]]:
        # The graded file also names each cell's saved prompt ("cell 21 (In [14])"); the kernel's
        # notes name its cells by their prompt alone ("In [14]", since s29's a52ce4c).
        return [(p.name, tuple(re.sub(r"\d+", "N", re.sub(r"\bIn \[(\d+)\]", r"cell \1",
                                                          re.sub(r" \(In \[\d+\]\)", "", n))) for n in p.notes))
                for p in result.parts]

    assert said(live) == said(graded)
    assert any("does not run" in n or "its own definition has an error" in n for p in live.parts for n in p.notes)


# --------------------------------------------------------------------------- --check given a folder

def test_the_command_check_suggests_for_a_folder_can_be_typed_as_shown(tmp_path):
    """``--check FOLDER`` answers with the command for a notebook of it (5bf70fd); Jupyter names a
    downloaded copy "Assignment 4 (1).ipynb", and the command printed its path as it is: typed as
    shown, the shell split it at the spaces and stopped at the parenthesis."""
    import io
    import shlex

    from grader.classfiles import DEFAULT_RUBRIC
    from grader.selfcheck import run_check

    folder = tmp_path / "my work"
    notebook = nbs.write(folder / "Assignment 4 (1).ipynb", nbs.course_notebook())
    out = io.StringIO()
    assert run_check(folder, rubric=DEFAULT_RUBRIC, stream=out) == 2
    command = out.getvalue().split("for example: ", 1)[1].split(" (the folder holds", 1)[0]
    assert shlex.split(command) == ["python3", "grade.py", "--check", str(notebook)], command


def test_check_isolates_a_composite_from_a_member_that_holds_an_earlier_def_of_the_cell(
        tmp_path, course_module, sandbox):  # noqa: F811
    """A wrong cell, ``RNN.cell = staticmethod(rnn_cell_forward)``, then the cell defined again,
    right. The kernel's member holds the first, wrong, def; the program sets the member after the
    last def, calling the global name, where the trace stub stands (the composite isolated, as
    everywhere). check() stood the stub in for the member only when it held the def the name holds
    now: rnn_forward 'failed' in check(), 'passed' in the grade."""
    from tests.test_review_s24 import WRONG_CELL, _check_and_grade

    forward = (nbs.COURSE_CELLS["rnn_forward"]
               .replace("def rnn_forward(x, a0, parameters):",
                        "class RNN:\n    pass\n\n\nRNN.cell = staticmethod(rnn_cell_forward)\n\n\n"
                        "def rnn_forward(x, a0, parameters):")
               .replace("= rnn_cell_forward(", "= RNN.cell("))
    again = nbs.code_cell(nbs.COURSE_CELLS["rnn_cell_forward"].replace("# GRADED FUNCTION: rnn_cell_forward",
                                                                       "# the cell, mended"))
    nb = nbs.course_notebook({"rnn_cell_forward": WRONG_CELL, "rnn_forward": forward}, extra_cells=[again])
    live, graded, namespace = _check_and_grade(nb, tmp_path, sandbox)
    assert ("rnn_forward", "passed") in graded and ("rnn_cell_forward", "passed") in graded, graded
    assert live == graded
    held = vars(namespace["RNN"])["cell"].__func__
    assert held is not namespace["rnn_cell_forward"], "the kernel's member is put back as it was"


#: A composite reaching the cell through something that reads it when its own statement runs:
#: (what stands before ``def rnn_forward``, how rnn_forward calls the cell).
_READ_WHEN_DEFINED = {
    "default": ("def _step(xt, a, parameters, cell=rnn_cell_forward):\n    return cell(xt, a, parameters)\n\n\n",
                "_step("),
    "class body": ("class RNN:\n    cell = staticmethod(rnn_cell_forward)\n\n\n", "RNN.cell("),
    "decorator": ("def tagged(f):\n    return lambda fn: fn\n\n\n@tagged(rnn_cell_forward)\n"
                  "def _step(xt, a, parameters):\n    return rnn_cell_forward(xt, a, parameters)\n\n\n", "_step("),
}


def _cell_defined_again(how: str, first: str, again: str) -> dict:
    """The course notebook whose rnn_forward reaches the cell as ``_READ_WHEN_DEFINED[how]``, with
    the cell ``first`` in its place and ``again`` in a cell after everything."""
    before, call = _READ_WHEN_DEFINED[how]
    forward = (nbs.COURSE_CELLS["rnn_forward"]
               .replace("def rnn_forward(x, a0, parameters):", before + "def rnn_forward(x, a0, parameters):")
               .replace("= rnn_cell_forward(", "= " + call))
    assert call in forward
    extra = nbs.code_cell(again.replace("# GRADED FUNCTION: rnn_cell_forward", "# the cell, run again"))
    return nbs.course_notebook({"rnn_forward": forward, "rnn_cell_forward": first}, extra_cells=[extra])


@pytest.mark.parametrize("how", sorted(_READ_WHEN_DEFINED))
def test_a_helper_reading_the_cell_when_defined_survives_the_cell_defined_again(
        tmp_path, course_module, sandbox, how):  # noqa: F811
    """``def _step(..., cell=rnn_cell_forward)`` (or a class body, or a decorator, reading the cell
    when its statement runs), then the cell defined again further down: the program runs the
    definitions in the order of their last one, so _step's statement met no rnn_cell_forward
    (NameError, left out) and a right rnn_forward was 'error', 0 / 15, in the grade and in
    check() alike, for a notebook that runs."""
    from tests.test_review_s24 import _check_and_grade

    right = nbs.COURSE_CELLS["rnn_cell_forward"]
    live, graded, _namespace = _check_and_grade(_cell_defined_again(how, right, right), tmp_path, sandbox)
    assert ("rnn_forward", "passed") in graded and ("rnn_cell_forward", "passed") in graded, graded
    assert live == graded


@pytest.mark.parametrize("how", sorted(_READ_WHEN_DEFINED))
def test_check_isolates_a_composite_from_an_earlier_def_of_the_cell_read_when_defined(
        tmp_path, course_module, sandbox, how):  # noqa: F811
    """A wrong cell, the helper (or class, or decorated def) reading it when defined, then the
    cell mended in a later cell: the kernel's default holds the first, wrong, def. The program
    runs that def before the helper, and the default's line makes it call the global name, where
    the trace stub stands: the grade isolates rnn_forward. check() stood the stub in for a
    default only when it held the def the name holds now: 'failed' in check(), 'passed' graded."""
    from tests.test_review_s24 import WRONG_CELL, _check_and_grade

    nb = _cell_defined_again(how, WRONG_CELL, nbs.COURSE_CELLS["rnn_cell_forward"])
    live, graded, _namespace = _check_and_grade(nb, tmp_path, sandbox)
    assert ("rnn_forward", "passed") in graded and ("rnn_cell_forward", "passed") in graded, graded
    assert live == graded


def test_an_earlier_def_that_does_not_compile_is_not_run_before_the_helper(tmp_path, sandbox):
    """The first cell's def does not compile (``break`` outside a loop): in the notebook it never
    existed, the helper's cell raised NameError, and so does the program's (rnn_forward 'error').
    Run before the helper, the def was one more statement that failed, said to the student as
    "Running the notebook's definitions failed: SyntaxError ..." of a cell the extraction already
    reports."""
    from tests.test_review_s24 import _grade

    right = nbs.COURSE_CELLS["rnn_cell_forward"]
    broken = right.replace("    # store values", "    break\n    # store values")
    assert broken != right
    graded = _grade(tmp_path, _cell_defined_again("default", broken, right), public_context(),
                    sandbox)
    assert ("rnn_forward", "error") in [(p.name, p.status) for p in graded.parts]
    assert not [m for m in graded.messages if "definitions failed: SyntaxError" in m], graded.messages


@pytest.mark.parametrize("held", ["default", "class body"])
def test_a_copy_held_as_it_was_defined_is_what_the_similarity_check_compares(tmp_path, held):
    """df45f48 runs a definition as it was when a statement read it (``impl=functools.partial(_impl)``,
    ``_impl`` a copy, defined again later as a decoy): the graded function ran the copy (full
    points) while the text compared was the wrapper and the last ``_impl``, the decoy. Before
    df45f48 the wrapper raised NameError (0 points); the copy is now compared, after a note."""
    from grader.extract import extract_file
    from grader.gradedsource import graded_source
    from grader.similarity import find_similar

    copied = nbs.COURSE_CELLS["rnn_cell_forward"]
    wrapper = ("def rnn_cell_forward(xt, a_prev, parameters, impl=functools.partial(_impl)):\n"
               "    return impl(xt, a_prev, parameters)\n" if held == "default" else
               "class Cell:\n    impl = functools.partial(_impl)\n\n\n"
               "def rnn_cell_forward(xt, a_prev, parameters):\n    return Cell.impl(xt, a_prev, parameters)\n")
    hider = "import functools\n\n" + copied.replace("def rnn_cell_forward(", "def _impl(") + "\n\n" + wrapper
    decoy = nbs.code_cell("def _impl(xt, a_prev, parameters):\n    return xt, a_prev, parameters\n")
    extraction = extract_file(nbs.write(tmp_path / "hider.ipynb",
                                        nbs.course_notebook({"rnn_cell_forward": hider}, extra_cells=[decoy])))
    compared = graded_source(extraction.functions, "rnn_cell_forward", graded=["rnn_cell_forward"])
    assert "np.tanh(" in compared, compared
    report = find_similar({"hider": {"rnn_cell_forward": compared},
                           "source": {"rnn_cell_forward": copied},
                           "other": {"rnn_cell_forward": "def rnn_cell_forward(xt, a_prev, parameters):\n"
                                                         "    return xt, a_prev, parameters\n"}},
                          common_fraction=1.0)
    assert any({p.a, p.b} == {"hider", "source"} and p.flagged for p in report.pairs), report.pairs


def test_an_alias_that_replaces_a_def_keeps_nothing_of_what_that_def_read():
    """``def helper(cell=g)``, then ``helper = other`` (an alias: the last binding of ``helper``),
    then ``g`` defined again: what the replaced def read when defined was kept by name and given to
    the alias, which the program then ran after the first ``g`` and compared with it."""
    cells = ["def g(x):\n    return x\n",
             "def other(x):\n    return x\n",
             "def helper(x, cell=g):\n    return cell(x)\n",
             "helper = other\n",
             "def g(x):\n    return -x\n"]
    nb = nbs.notebook([nbs.code_cell(c) for c in cells])
    extraction = extract(loads(json.dumps(nb).encode(), path="alias.ipynb"))
    assert extraction.functions["helper"].read_then == ()
    assert extraction.program().source.count("def g(") == 1
