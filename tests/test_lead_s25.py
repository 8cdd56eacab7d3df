"""The twenty-fifth session's lead: a notebook graded from /tmp itself, and the note about a
function whose dependency's own cell does not parse.

- ``grade.py /tmp/student.ipynb`` (a TA grading one download where it landed) stopped with a
  traceback, "sandbox did not start: Read-only file system: '/tmp/grader'": the notebook's folder,
  /tmp, is protected, and the read-only mount over it left the zygote no /tmp for its children's
  directories. /tmp is already a fresh tmpfs of the zygote's own (``SYSTEM_HIDDEN``).
- When ``lstm_cell_forward``'s cell had a syntax error, ``lstm_forward``'s note said it "uses
  ``lstm_cell_forward``, which is defined outside the function (or nowhere): compute it inside or
  pass it in", and the extraction said it "will raise NameError": both sent the student to the
  wrong cell (found by the docs helper). Every test here fails before its fix.
"""
from __future__ import annotations

import io
import tempfile
import uuid
from pathlib import Path

import pytest

from grader import commands
from tests import notebooks as nbs
from tests.test_live import course_module  # noqa: F401 - a fixture: rnn_utils importable

_SECRET = "not for children"

#: A right cell that first tries to read a file beside the notebook, in /tmp: a wrong answer if
#: it can.
_PEEKING_CELL = nbs.COURSE_CELLS["rnn_cell_forward"].replace(
    '    """One time step of the basic RNN cell."""\n',
    '    """One time step of the basic RNN cell."""\n'
    "    try:\n"
    "        with open(SECRET_PATH) as handle:\n"
    "            if handle.read():\n"
    "                return None\n"
    "    except OSError:\n"
    "        pass\n")


@pytest.fixture
def in_tmp():
    """A notebook's path directly in the temporary folder, and a file beside it; both removed."""
    base = Path(tempfile.gettempdir())
    tag = uuid.uuid4().hex[:10]
    notebook, secret = base / f"s25-{tag}.ipynb", base / f"s25-{tag}-secret.txt"
    secret.write_text(_SECRET, encoding="utf-8")
    yield notebook, secret
    for path in (notebook, secret):
        path.unlink(missing_ok=True)


@pytest.mark.slow
def test_a_notebook_graded_from_tmp_itself_grades_and_its_neighbours_stay_unseen(in_tmp, tmp_path):
    notebook, secret = in_tmp
    cell = _PEEKING_CELL.replace("SECRET_PATH", repr(str(secret)))
    nbs.write(notebook, nbs.course_notebook({"rnn_cell_forward": cell}))
    stream = io.StringIO()
    summary = commands.grade_class(notebook, out_dir=tmp_path / "out", similarity=False,
                                   class_report=False, stream=stream, jobs=1)
    assert summary.graded == 1 and not summary.harness_failures, stream.getvalue()
    assert summary.scores == (100,), stream.getvalue()  # the cell did not read its neighbour


def _broken_cell_notebook() -> dict:
    """``lstm_cell_forward``'s cell does not parse; ``lstm_forward`` is right."""
    cell = nbs.COURSE_CELLS["lstm_cell_forward"]
    broken = cell.replace("c_next = ", "c_next = (", 1)
    assert broken != cell
    return nbs.course_notebook({"lstm_cell_forward": broken})


def test_a_dependency_whose_cell_does_not_parse_is_named_as_the_thing_to_fix(tmp_path):
    from grader.extract import extract_file

    extraction = extract_file(nbs.write(tmp_path / "student.ipynb", _broken_cell_notebook()))
    said = [d.message for d in extraction.diagnostics if "`lstm_forward` uses `lstm_cell_forward`" in d.message]
    assert len(said) == 1, said
    assert "its own definition has an error" in said[0] and "NameError" not in said[0], said[0]
    syntax = [d for d in extraction.diagnostics if d.severity == "error" and d.function == "lstm_cell_forward"]
    assert syntax and f"cell {syntax[0].cell_index + 1}" in said[0], (said[0], syntax)


@pytest.mark.slow
def test_the_composites_note_in_the_self_check_points_at_the_dependencys_error(tmp_path):
    notebook = nbs.write(tmp_path / "student.ipynb", _broken_cell_notebook())
    out = io.StringIO()
    commands.check_notebook(notebook, stream=out)
    text = out.getvalue()
    assert "lstm_cell_forward`, which is not defined because its own definition has an error" in text, text
    assert "defined outside the function (or nowhere)" not in text, text


def test_a_function_that_returns_nothing_is_told_so_once(tmp_path, context, sandbox):
    # Said three times before, once an output: "`a_next` is missing from what `rnn_cell_forward`
    # returned (a NoneType)." (found by the docs helper).
    from tests.test_review_s23 import _grade

    cell = nbs.COURSE_CELLS["rnn_cell_forward"]
    lines = [line for line in cell.split("\n") if not line.strip().startswith("return ")]
    assert len(lines) == len(cell.split("\n")) - 1
    result = _grade(tmp_path, nbs.course_notebook({"rnn_cell_forward": "\n".join(lines)}), context, sandbox)
    part = result.part("rnn_cell_forward")
    assert part.points == 0
    public = next(case for case in part.cases if case.visibility == "public")
    said = [check.message for check in public.checks if not check.passed and check.message]
    assert said == ["`rnn_cell_forward` returned None: it must return `a_next`, `yt_pred`, `cache`. "
                    "Is its `return` statement missing, or not reached?"], said
    assert all(not check.passed for check in public.checks) and len(public.checks) == 3
    composite = result.part("rnn_forward")
    assert composite.points == composite.max_points  # isolated from the cell, as before


def test_a_name_from_outside_is_said_under_its_function_not_again_at_the_top(tmp_path, context, sandbox):
    # The extraction's "`rnn_cell_forward` uses `Wya`, which is not defined ... will raise
    # NameError" stood at the top of every report, the part's note with what to do under the
    # function, and the case's NameError a third time (the docs helper de-duplicated --check only).
    from tests.test_review_s23 import _grade

    cell = nbs.COURSE_CELLS["rnn_cell_forward"]
    lines = [line for line in cell.split("\n") if 'Wya = parameters["Wya"]' not in line]
    assert len(lines) == len(cell.split("\n")) - 1
    result = _grade(tmp_path, nbs.course_notebook({"rnn_cell_forward": "\n".join(lines)}), context, sandbox)
    head = "`rnn_cell_forward` uses `Wya`"
    assert [n for n in result.part("rnn_cell_forward").notes if n.startswith(head)], result.part("rnn_cell_forward")
    assert not [m for m in result.messages if m.startswith(head)], result.messages


def test_a_run_folder_where_the_file_system_has_no_flock_is_made_unlocked(monkeypatch, tmp_path):
    # On a TMPDIR whose file system does not lock (NFS without a lock manager: ENOLCK), the run
    # folder's lock raised and the class run failed, where TemporaryDirectory had worked (found by
    # the review helper, by reading). The folder is now one that holds no lock: a sweep leaves it
    # a day (UNLOCKED_AGE).
    import errno
    import fcntl

    from grader import files

    def no_flock(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(fcntl, "flock", no_flock)
    with files.run_folder("grade-unzip-") as folder:
        assert folder.is_dir() and folder.parent == tmp_path
        assert sorted(p.name for p in folder.iterdir()) == []  # no lock file, and no .new left
        assert files.sweep_run_folders("grade-unzip-").removed == 0 and folder.is_dir()
    assert not folder.exists()

    def other_error(fd, operation):
        raise OSError(errno.EBADF, "Bad file descriptor")

    monkeypatch.setattr(fcntl, "flock", other_error)
    with pytest.raises(OSError):
        with files.run_folder("grade-unzip-"):
            pass
    assert list(tmp_path.iterdir()) == []


#: ``RNN.cell = ...`` after an empty class body: how the member is set.
_MEMBER_SETS = {"static method": "staticmethod(rnn_cell_forward)", "plain": "rnn_cell_forward"}


@pytest.mark.parametrize("cell", ["right", "wrong"])
@pytest.mark.parametrize("how", sorted(_MEMBER_SETS))
def test_check_and_the_grade_agree_on_a_member_set_after_the_class(tmp_path, course_module, sandbox, how, cell):  # noqa: F811
    # The statement was dropped from the program (of a cell's top level the grader runs
    # definitions), so a right rnn_forward calling RNN.cell(...) raised AttributeError in the
    # grade, 0 / 15, where check() said it passed (found by the review helper). The member is now
    # set, and a wrong cell is isolated from rnn_forward as when the class body holds it.
    from tests.test_review_s24 import WRONG_CELL, _check_and_grade

    before = f"class RNN:\n    pass\n\n\nRNN.cell = {_MEMBER_SETS[how]}\n\n\n"
    forward = (nbs.COURSE_CELLS["rnn_forward"]
               .replace("def rnn_forward(x, a0, parameters):", before + "def rnn_forward(x, a0, parameters):")
               .replace("= rnn_cell_forward(", "= RNN.cell("))
    assert "RNN.cell(" in forward
    overrides = {"rnn_forward": forward} | ({"rnn_cell_forward": WRONG_CELL} if cell == "wrong" else {})
    live, graded, _namespace = _check_and_grade(nbs.course_notebook(overrides), tmp_path, sandbox)
    assert ("rnn_forward", "passed") in graded, graded
    assert ("rnn_cell_forward", "passed" if cell == "right" else "failed") in graded
    assert live == graded


@pytest.mark.parametrize("cell", ["right", "wrong"])
def test_a_graded_name_bound_to_a_member_set_after_the_class_is_found(tmp_path, course_module, sandbox, cell):  # noqa: F811
    # `def _impl`, `class RNN: pass`, `RNN.cell = staticmethod(_impl)`, `rnn_cell_forward = RNN.cell`:
    # the program set the member, but left out _impl, which nothing it kept read ("RNN has no
    # attribute cell": missing, where check() said passed).
    from tests.test_review_s24 import WRONG_CELL, _check_and_grade

    source = WRONG_CELL if cell == "wrong" else nbs.COURSE_CELLS["rnn_cell_forward"]
    held = (source.replace("def rnn_cell_forward(", "def _impl(")
            + "\n\nclass RNN:\n    pass\n\n\nRNN.cell = staticmethod(_impl)\nrnn_cell_forward = RNN.cell\n")
    live, graded, _namespace = _check_and_grade(nbs.course_notebook({"rnn_cell_forward": held}), tmp_path, sandbox)
    assert ("rnn_cell_forward", "passed" if cell == "right" else "failed") in graded, graded
    assert live == graded


def test_check_in_a_kernel_older_than_3_10_says_so():
    # `from grader import check; check()` in a Python 3.9 kernel stopped with a traceback about
    # dataclasses' kw_only (noted by the docs helper, which mended grade.py --check only).
    import grader

    said = grader._python_too_old((3, 9, 18, "final", 0))
    assert said.startswith("check() cannot run: it needs Python 3.10 or newer") and "3.9.18" in said
    assert grader._python_too_old((3, 10, 0, "final", 0)) is None


@pytest.mark.slow
def test_check_in_an_old_python_prints_the_sentence_not_a_traceback():
    import subprocess

    from tests.test_docs_python_version import REPO, old_python

    python = old_python()
    if python is None:
        pytest.skip("no Python older than 3.10 here")
    probe = subprocess.run([python, "-c", "from grader import check; print(check(namespace={}))"],
                           cwd=REPO, capture_output=True, text=True, timeout=120)
    assert probe.returncode == 0, probe.stderr
    assert "Traceback" not in probe.stderr
    assert probe.stdout.startswith("check() cannot run: it needs Python 3.10 or newer"), probe.stdout


def test_a_name_a_dropped_statement_assigns_is_explained_under_its_function(tmp_path, context, sandbox):
    # `CELLS = {"rnn": rnn_cell_forward}` is a statement the grader does not run; extraction says
    # so ("only assigned outside the functions of cell 7, by a statement the grader does not run"),
    # the part said only "defined outside the function (or nowhere)", and 9fbb631 left the part's
    # note alone in the reports. The part's note is now extraction's, said once.
    from tests.test_review_s23 import _grade

    forward = (nbs.COURSE_CELLS["rnn_forward"]
               .replace("def rnn_forward(x, a0, parameters):",
                        'CELLS = {"rnn": rnn_cell_forward}\n\n\ndef rnn_forward(x, a0, parameters):')
               .replace("= rnn_cell_forward(", '= CELLS["rnn"]('))
    result = _grade(tmp_path, nbs.course_notebook({"rnn_forward": forward}), context, sandbox)
    head = "`rnn_forward` uses `CELLS`"
    notes = [n for n in result.part("rnn_forward").notes if n.startswith(head)]
    assert len(notes) == 1 and "by a statement the grader does not run" in notes[0], notes
    assert not [m for m in result.messages if m.startswith(head)], result.messages


def test_a_copy_set_as_a_member_after_its_class_is_what_the_similarity_check_compares(tmp_path):
    # 8c58bf6 grades `rnn_cell_forward = RNN.cell` after `RNN.cell = staticmethod(f9)` as f9 (full
    # points for a copied f9), while the text compared for similarity was `class RNN: pass`: the
    # member read from the class body only. Before 8c58bf6 the notebook had 0 for the function.
    from grader.extract import extract_file
    from grader.gradedsource import graded_source
    from grader.similarity import find_similar

    copied = nbs.COURSE_CELLS["rnn_cell_forward"]
    hidden = (copied.replace("def rnn_cell_forward(", "def f9(")
              + "\n\nclass RNN:\n    pass\n\n\nRNN.cell = staticmethod(f9)\nrnn_cell_forward = RNN.cell\n")
    extraction = extract_file(nbs.write(tmp_path / "hidden.ipynb", nbs.course_notebook({"rnn_cell_forward": hidden})))
    compared = graded_source(extraction.functions, "rnn_cell_forward", graded=["rnn_cell_forward"])
    assert "def f9(" in compared and "np.tanh(" in compared, compared
    report = find_similar({"hider": {"rnn_cell_forward": compared},
                           "source": {"rnn_cell_forward": copied},
                           "other": {"rnn_cell_forward": "def rnn_cell_forward(xt, a_prev, parameters):\n"
                                                         "    return xt, a_prev, parameters\n"}},
                          common_fraction=1.0)
    assert any({p.a, p.b} == {"hider", "source"} and p.flagged for p in report.pairs), report.pairs
