"""The lead's tests of the twenty-sixth session.

Python 3.6 (Ubuntu 18.04's python3) could not read grade.py, the kit's grade.py or the grader
package's ``__init__``: their ``from __future__ import annotations`` (a 3.7 feature) is a
SyntaxError there, so a student or a lab machine got a traceback and exit status 1 ("a public
case failed") instead of the sentence saying which Python the grader needs.
"""
from __future__ import annotations

import ast
import glob
import io
import subprocess
from pathlib import Path

import pytest

from grader import commands
from grader import exits
from grader.classfiles import DEFAULT_RUBRIC
from grader.kit import write_student_kit
from tests import notebooks as nbs
from tests.test_live import course_module  # noqa: F401 - a fixture: rnn_utils importable

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    return write_student_kit(tmp_path_factory.mktemp("kit") / "kit", rubric=DEFAULT_RUBRIC)


def _preambles(kit: Path) -> dict[str, tuple[str, str | None]]:
    """Each file an old Python reads before it is told to use a newer one -> (its text, the
    first top-level statement no old Python runs, or None when it runs every def)."""
    return {"grade.py": ((REPO / "grade.py").read_text(encoding="utf-8"), "_TOO_OLD"),
            "kit grade.py": ((kit / "grade.py").read_text(encoding="utf-8"), None),
            "grader/__init__.py": ((REPO / "grader" / "__init__.py").read_text(encoding="utf-8"), None)}


def _defs_run(tree: ast.Module, stop: str | None) -> list[ast.FunctionDef]:
    """The top-level defs whose annotations an old Python evaluates (those before ``stop``)."""
    defs = []
    for node in tree.body:
        if stop and isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == stop for t in node.targets):
            break
        if isinstance(node, ast.FunctionDef):
            defs.append(node)
    return defs


def test_what_an_old_python_reads_parses_and_defines_on_3_6(kit):
    for name, (text, stop) in _preambles(kit).items():
        tree = ast.parse(text, feature_version=(3, 6))
        futures = {a.name for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "__future__"
                   for a in n.names}
        assert "annotations" not in futures, name
        for node in _defs_run(tree, stop):
            args = node.args
            annotations = [a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
            annotations += [node.returns]
            for note in filter(None, annotations):
                # evaluated when the def runs: a name (tuple, Any) is fine on 3.6, `str | None` or
                # `list[str]` is not, unless written as a string
                assert isinstance(note, (ast.Name, ast.Attribute)) or (
                    isinstance(note, ast.Constant) and isinstance(note.value, str)), (
                    name, node.name, ast.unparse(note))


def _oldest_python() -> str | None:
    for path in sorted(glob.glob("/root/.pyenv/versions/3.[6789].*/bin/python3")):
        probe = subprocess.run([path, "-c", "import sys; print(sys.version_info < (3, 10))"],
                               capture_output=True, text=True, timeout=30)
        if probe.returncode == 0 and probe.stdout.strip() == "True":
            return path
    return None


@pytest.mark.skipif(_oldest_python() is None, reason="no pyenv Python older than 3.10 here")
def test_the_oldest_python_here_is_told_by_each_entry(kit, tmp_path):
    """Run for real with the oldest pyenv Python (3.6.15 on the lead's machine, where all three
    stopped with "SyntaxError: future feature annotations is not defined")."""
    python = _oldest_python()
    notebook = tmp_path / "mine.ipynb"
    notebook.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}\n',
                        encoding="utf-8")
    for folder in (REPO, kit):
        done = subprocess.run([python, "grade.py", "--check", str(notebook)], cwd=folder,
                              capture_output=True, text=True, timeout=60)
        said = done.stdout + done.stderr
        assert done.returncode == 2 and "needs Python 3.10 or newer" in said, said
        assert "Traceback" not in said
    done = subprocess.run([python, "-c", "import grader; grader.check()"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "check() cannot run" in done.stdout, done.stdout + done.stderr


def test_the_log_of_a_failed_report_step_is_the_owner_s_only(tmp_path):
    """grader-errors.txt was created 0644 under the usual umask, where every other output is
    0600 (the TA helper's left item); appending keeps what an earlier step logged."""
    import os

    from grader.batch import HOOK_ERRORS, log_problem

    old = os.umask(0o022)
    try:
        log_problem(tmp_path / "s1", "Traceback: first\n")
        log_problem(tmp_path / "s1", "Traceback: second")
    finally:
        os.umask(old)
    path = tmp_path / "s1" / HOOK_ERRORS
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_text(encoding="utf-8") == "Traceback: first\nTraceback: second\n"


@pytest.mark.parametrize("cell", ["right", "wrong"])
@pytest.mark.parametrize("annotation", ["object", "'Callable[..., tuple]'", "staticmethod"])
def test_an_annotated_member_set_after_the_class_is_set_as_the_kernel_sets_it(
        tmp_path, course_module, sandbox, cell, annotation):  # noqa: F811
    # `RNN.cell: object = staticmethod(rnn_cell_forward)` is an annotated assignment, which the
    # kernel runs like the plain one; the grader looked at plain ones only, so a right rnn_forward
    # calling RNN.cell(...) was 'error' in the grade and passed in check() (the review helper's
    # left item).
    from tests.test_review_s24 import WRONG_CELL, _check_and_grade

    before = f"class RNN:\n    pass\n\n\nRNN.cell: {annotation} = staticmethod(rnn_cell_forward)\n\n\n"
    forward = (nbs.COURSE_CELLS["rnn_forward"]
               .replace("def rnn_forward(x, a0, parameters):", before + "def rnn_forward(x, a0, parameters):")
               .replace("= rnn_cell_forward(", "= RNN.cell("))
    overrides = {"rnn_forward": forward} | ({"rnn_cell_forward": WRONG_CELL} if cell == "wrong" else {})
    live, graded, _namespace = _check_and_grade(nbs.course_notebook(overrides), tmp_path, sandbox)
    assert ("rnn_forward", "passed") in graded, graded
    assert ("rnn_cell_forward", "passed" if cell == "right" else "failed") in graded
    assert live == graded


def test_a_name_from_nowhere_beside_a_star_import_keeps_the_advice_under_its_function(tmp_path, context, sandbox):
    # With `from X import *` of a module the grader cannot see, extraction's note ends "so it
    # will raise NameError (unless it comes from `from X import *`)." and slipped past the test of
    # that ending, so it became the part's note in place of "compute it inside or pass it in" (the
    # review helper's left item). The part's note is the advice, with the star's hint kept.
    from tests.test_review_s23 import _grade

    cell = nbs.COURSE_CELLS["rnn_cell_forward"]
    assert cell.count("np.tanh(") == 1
    notebook = nbs.course_notebook({"rnn_cell_forward": "from course_helpers_nobody_has import *\n\n"
                                    + cell.replace("np.tanh(", "fast_tanh(")})
    result = _grade(tmp_path, notebook, context, sandbox)
    notes = [n for n in result.part("rnn_cell_forward").notes if n.startswith("`rnn_cell_forward` uses `fast_tanh`")]
    assert notes == ["`rnn_cell_forward` uses `fast_tanh`, which nothing in the notebook defines (neither the "
                     "function nor a cell's top level): "
                     "compute it inside or pass it in (unless it comes from "
                     "`from course_helpers_nobody_has import *`)."], notes


@pytest.mark.parametrize("how", ["does not parse", "does not compile"])
def test_a_def_with_a_syntax_error_is_an_error_whether_it_parses_or_not(tmp_path, context, sandbox, how):
    # A def that parses but does not compile (`break` outside a loop) was 'missing' in the grade,
    # one that does not parse 'error', both with a "Syntax error" message (the review helper's left
    # item). Both are the student's syntax error: 'error', with the message and the place.
    from tests.test_review_s23 import _grade

    cell = nbs.COURSE_CELLS["rnn_cell_forward"]
    bad = "    return a_next, yt_pred, cache\n    break\n" if how == "does not compile" else "    return a_next,, yt_pred\n"
    assert cell.count("    return a_next, yt_pred, cache\n") == 1
    notebook = nbs.course_notebook({"rnn_cell_forward": cell.replace("    return a_next, yt_pred, cache\n", bad)})
    part = _grade(tmp_path, notebook, context, sandbox).part("rnn_cell_forward")
    assert part.status == "error" and part.points == 0, part
    assert all(case.status == "error" and "yntax error" in case.message for case in part.cases), part.cases
    assert part.location is not None and part.location.cell is not None, part


def test_an_interrupted_force_run_keeps_the_earlier_results_in_its_gradebook(tmp_path, monkeypatch):
    # With --force nothing was read from the earlier run, so Ctrl-C before a student was
    # regraded left them out of grades.csv, though their earlier result still held for their key
    # (the TA helper's left item): a gradebook uploaded then missed students. They are listed
    # with that result, as a run without --force lists them.
    import csv

    from grader.batch import BatchInterrupted, WorkerPool
    from tests.test_commands_class_runs import run, small_class

    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    run(subs, out)
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        before = {row["submission"]: row["score"] for row in csv.DictReader(handle)}

    def interrupted(self, *args, **kwargs):
        raise BatchInterrupted([])

    monkeypatch.setattr(WorkerPool, "run", interrupted)
    summary, printed = run(subs, out, force=True)
    assert summary.interrupted
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        after = {row["submission"]: row["score"] for row in csv.DictReader(handle)}
    assert after == before == {"alice": after["alice"], "bob": after["bob"]}, printed


def test_a_copy_set_by_an_annotated_member_is_what_the_similarity_check_compares(tmp_path):
    # A hostile reading of c019cdf: `RNN.cell: object = staticmethod(f9)` is now graded (as f9);
    # the text compared must be f9 too, not `class RNN: pass` (as 8db0f21 made it for the plain set).
    from grader.extract import extract_file
    from grader.gradedsource import graded_source

    copied = nbs.COURSE_CELLS["rnn_cell_forward"]
    hidden = (copied.replace("def rnn_cell_forward(", "def f9(")
              + "\n\nclass RNN:\n    pass\n\n\nRNN.cell: 'Callable' = staticmethod(f9)\nrnn_cell_forward = RNN.cell\n")
    extraction = extract_file(nbs.write(tmp_path / "hidden.ipynb", nbs.course_notebook({"rnn_cell_forward": hidden})))
    compared = graded_source(extraction.functions, "rnn_cell_forward", graded=["rnn_cell_forward"])
    assert "def f9(" in compared and "np.tanh(" in compared, compared
    _assert_flagged_with_its_source(compared, copied)


def test_a_full_disk_in_the_workers_is_said_once_without_their_tracebacks(tmp_path, monkeypatch, capfd):
    # Since the TA helper's 27248ba a full disk ends the run with one message, but each forked
    # worker that met it first printed its own traceback (multiprocessing's, of the write in
    # batch._graded) above that message (the helper's left item). A worker now ends quietly with
    # a status the grading process reads as the full disk.
    import errno

    from tests.test_commands_class_runs import small_class

    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("grader.batch.write_submission_record", full)  # inherited by the forked workers
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    with pytest.raises(exits.CommandError) as raised:
        commands.grade_class(subs, out_dir=out, jobs=2, progress_bar=False, stream=io.StringIO(),
                             similarity=False)
    assert "the disk filled up" in str(raised.value)
    printed = capfd.readouterr()
    assert "Traceback" not in printed.err + printed.out, printed.err



def test_a_def_given_a_member_set_s_line_is_not_told_it_was_defined_again(tmp_path):
    # `class RNN: pass`, `def f9`, `rnn_cell_forward = f9`, `RNN.cell = staticmethod(f9)`: the set's
    # line was attached to f9's definition (a new object), which the alias's test of identity took
    # for f9 defined again: the student was told "`rnn_cell_forward = f9` names the `f9` defined in
    # cell 4, line 7, which cell 4 defines again later" of a notebook defining it once.
    from grader.extract import extract_file

    right = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def f9(")
    cell = "class RNN:\n    pass\n\n\n" + right + "\n\nrnn_cell_forward = f9\nRNN.cell = staticmethod(f9)\n"
    extraction = extract_file(nbs.write(tmp_path / "once.ipynb", nbs.course_notebook({"rnn_cell_forward": cell})))
    assert not [d.message for d in extraction.diagnostics if "defines again" in d.message]


@pytest.mark.parametrize("later", ["the function", "the class"])
@pytest.mark.parametrize("first", ["wrong", "right"])
def test_an_alias_of_a_member_set_holds_the_function_as_it_was_then(tmp_path, course_module, sandbox, later, first):  # noqa: F811
    # `def f9`, `class RNN: pass`, `RNN.cell = staticmethod(f9)`, `rnn_cell_forward = RNN.cell`,
    # then f9 (or the class) defined again: Python's rnn_cell_forward is the first f9. The program
    # set the member after the last definitions, after the alias: 'missing' in the grade, where
    # check() graded the kernel's function (older than this session).
    from tests.test_review_s24 import WRONG_CELL, _check_and_grade

    right = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def f9(")
    wrong = WRONG_CELL.replace("def rnn_cell_forward(", "def f9(")
    held, other = (wrong, right) if first == "wrong" else (right, wrong)
    cell = held + "\n\nclass RNN:\n    pass\n\n\nRNN.cell = staticmethod(f9)\nrnn_cell_forward = RNN.cell\n\n\n"
    cell += other if later == "the function" else "class RNN:\n    cell = None\n"
    live, graded, _namespace = _check_and_grade(nbs.course_notebook({"rnn_cell_forward": cell}), tmp_path, sandbox)
    assert ("rnn_cell_forward", "failed" if first == "wrong" else "passed") in graded, graded
    assert live == graded


@pytest.mark.parametrize("later", ["the function", "the class"])
def test_a_copy_held_by_an_alias_of_a_member_set_is_what_the_similarity_check_compares(tmp_path, later):
    # The hostile reading of _member_aliases_held: `f9` (a copy) set as RNN.cell, `rnn_cell_forward =
    # RNN.cell`, then a decoy `def f9` or `class RNN` after it. The copy is now graded (it was
    # 'missing'), so the copy must be the text compared, not the decoy.
    from grader.extract import extract_file
    from grader.gradedsource import graded_source

    copied = nbs.COURSE_CELLS["rnn_cell_forward"]
    decoy = "def f9(xt, a_prev, parameters):\n    return xt, a_prev, parameters\n"
    hidden = (copied.replace("def rnn_cell_forward(", "def f9(")
              + "\n\nclass RNN:\n    pass\n\n\nRNN.cell = staticmethod(f9)\nrnn_cell_forward = RNN.cell\n\n\n"
              + (decoy if later == "the function" else "class RNN:\n    cell = None\n"))
    extraction = extract_file(nbs.write(tmp_path / "hidden.ipynb", nbs.course_notebook({"rnn_cell_forward": hidden})))
    compared = graded_source(extraction.functions, "rnn_cell_forward", graded=["rnn_cell_forward"])
    assert "np.tanh(" in compared, compared
    _assert_flagged_with_its_source(compared, copied)


def _assert_flagged_with_its_source(compared: str, copied: str) -> None:
    """The similarity check flags the text ``compared`` for a submission against ``copied``'s."""
    from grader.similarity import find_similar

    report = find_similar({"hider": {"rnn_cell_forward": compared},
                           "source": {"rnn_cell_forward": copied},
                           "other": {"rnn_cell_forward": "def rnn_cell_forward(xt, a_prev, parameters):\n"
                                                         "    return xt, a_prev, parameters\n"}},
                          common_fraction=1.0)
    assert any({p.a, p.b} == {"hider", "source"} and p.flagged for p in report.pairs), report.pairs
