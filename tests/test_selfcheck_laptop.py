"""Twenty-seventh session: ``grade.py --check`` as a student runs it on a laptop (the kit, a fresh
virtual environment of NumPy and PyYAML, Python 3.10, 3.12 and 3.13, as ``nobody``). What it said
that a student could not act on, each failing before its fix."""
from __future__ import annotations

import io
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import pytest

import grader.checks
import grader.sandbox
from grader import copycommands, selfcheck
from grader.classfiles import DEFAULT_RUBRIC
from grader.kit import write_student_kit
from grader.selfcheck import EXIT_UNUSABLE, run_check
from tests import notebooks as nbs


def _check(notebook: Path) -> tuple[int, str]:
    out = io.StringIO()
    return run_check(notebook, rubric=DEFAULT_RUBRIC, stream=out), out.getvalue()


def test_a_python_without_the_packages_gets_the_virtual_environment_to_copy(tmp_path, monkeypatch):
    # Debian's and Ubuntu's python3 refuse pip ("externally-managed-environment"): the sentence sent
    # the student to "docs/students.md", which no kit holds, instead of the three commands.
    monkeypatch.setitem(sys.modules, "yaml", None)
    notebook = nbs.write(tmp_path / "my notebook.ipynb", nbs.course_notebook())
    monkeypatch.chdir(tmp_path)  # the check is run from anywhere; grade.py is then named by its path
    code, text = _check(notebook)
    assert code == EXIT_UNUSABLE
    assert f"{sys.executable} -m pip install numpy pyyaml" in text, text
    assert f"{sys.executable} -m venv ~/rnn-check\n" in text, text
    assert ("    ~/rnn-check/bin/python3 -m pip install --upgrade pip\n"
            "    ~/rnn-check/bin/python3 -m pip install numpy pyyaml\n") in text, text
    grade_py = Path(selfcheck.__file__).resolve().parent.parent / "grade.py"
    assert f"    ~/rnn-check/bin/python3 {grade_py} --check '{notebook}'\n" in text, text
    assert "docs/students.md" not in text and "Traceback" not in text, text


def test_a_path_where_no_notebook_is_says_so_once_and_names_the_notebooks_there(tmp_path, monkeypatch):
    nbs.write(tmp_path / "Assignment 4 (1).ipynb", nbs.course_notebook())
    code, text = _check(tmp_path / "Assignment 4.ipynb")
    assert code == EXIT_UNUSABLE
    assert text.count("cannot read") == 1, text  # was "cannot read ...: cannot read (No such file ...)"
    # Jupyter's copy, the one close name, is named with the command (since the thirty-eighth session)
    assert (f"No such file in {tmp_path}; the notebook 'Assignment 4 (1).ipynb' is. Check it with: "
            f"python3 grade.py --check '{tmp_path}/Assignment 4 (1).ipynb'") in text, text
    assert "Open it in Jupyter, save it" not in text, text  # that advice is for a damaged file

    monkeypatch.chdir(tmp_path)  # a bare name: its folder is the working one, said "here", not "."
    code, text = _check(Path("Assignment 4.ipynb"))
    assert "No such file here; the notebook 'Assignment 4 (1).ipynb' is." in text, text

    code, text = _check(tmp_path / "nowhere" / "x.ipynb")
    assert code == EXIT_UNUSABLE and "No such file or folder. Check the path." in text, text


def test_the_kit_readme_says_what_to_do_where_venv_is_not_available(tmp_path):
    # --check's sentence refers to README.md for this; the kit's README only had the venv.
    write_student_kit(tmp_path / "kit", rubric=DEFAULT_RUBRIC)
    readme = (tmp_path / "kit" / "README.md").read_text(encoding="utf-8")
    assert "ensurepip is not available" in readme and "%pip install pyyaml" in readme, readme
    assert "sys.executable" in readme


def test_a_function_that_ends_its_process_is_told_in_one_sentence_and_what_to_do(tmp_path):
    # "stopped: Exit the program ended its process (exit status 3)": the kind stood before the
    # sandbox's sentence, and nothing said what to change.
    nb = nbs.course_notebook(nbs.mutate("rnn_forward", "caches = []", "import os; os._exit(3)\n    caches = []"))
    code, text = _check(nbs.write(tmp_path / "leaves.ipynb", nb))
    assert code == 1
    assert ("The process running `rnn_forward` stopped: the program ended its process (exit status 3). "
            "A graded function must return its result") in text, text
    assert "Exit the program" not in text, text


def test_a_signal_is_said_once():
    from types import SimpleNamespace

    from grader.failtexts import crash_text

    died = SimpleNamespace(error_type="SIGSEGV", message="the process died with signal SIGSEGV")
    assert crash_text("rnn_forward", died) == "The process running `rnn_forward` stopped: the process died with signal SIGSEGV."
    silent = SimpleNamespace(error_type="SIGKILL", message="")
    assert crash_text("f", silent) == "The process running `f` stopped: it crashed (SIGKILL)."


def test_one_function_checked_is_named_when_it_passes(tmp_path):
    # `--check NOTEBOOK --function rnn_forward`, as docs/students.md shows: "all 1 function(s) pass".
    notebook = nbs.write(tmp_path / "right.ipynb", nbs.course_notebook())
    out = io.StringIO()
    assert run_check(notebook, rubric=DEFAULT_RUBRIC, stream=out, function="rnn_forward") == 0
    assert "passed, 3 of their 3 points; `rnn_forward` passes its public case.\n" in out.getvalue(), out.getvalue()
    assert "Building a Recurrent Neural Network (1 function)\n" in out.getvalue()  # was "(1 function(s))"
    code, text = _check(notebook)
    assert code == 0 and "points; all 6 functions pass their public cases.\n" in text, text


def test_a_windows_path_given_in_wsl_is_answered_with_the_path_wsl_knows(tmp_path, monkeypatch):
    # Thirty-third session: a student in WSL pasted the notebook's path from Windows' Explorer and was
    # told "No such file, and no notebook (.ipynb) is here", of the folder they were in.
    monkeypatch.setattr(selfcheck, "WINDOWS_DRIVES", tmp_path)
    nbs.write(tmp_path / "c" / "Users" / "ana" / "rnn" / "Assignment 4.ipynb", nbs.course_notebook())
    code, text = _check(Path("C:\\Users\\ana\\rnn\\Assignment 4.ipynb"))
    assert code == EXIT_UNUSABLE
    assert (f"No such file: it is a Windows path, and in WSL Windows' C: drive is {tmp_path / 'c'}. Check it "
            f"with: python3 grade.py --check '{tmp_path}/c/Users/ana/rnn/Assignment 4.ipynb'\n") in text, text
    code, text = _check(Path("D:\\work\\x.ipynb"))  # nothing there either: the mapping is said all the same
    assert f"Windows' D: drive is {tmp_path / 'd'}, and {tmp_path}/d/work/x.ipynb is not a file either" in text, text


def test_windows_separators_and_a_quoted_tilde_are_answered_with_the_path_meant(tmp_path, monkeypatch):
    nbs.write(tmp_path / "rnn" / "mine.ipynb", nbs.course_notebook())
    monkeypatch.chdir(tmp_path)
    code, text = _check(Path(".\\rnn\\mine.ipynb"))
    assert code == EXIT_UNUSABLE
    grade_py = copycommands.GRADE_PY  # outside the folder checked from: its path (thirty-fifth session)
    assert (f"separate folders with / (\\ is Windows' separator). Check it with: python3 {grade_py} --check "
            f"rnn/mine.ipynb") in text, text
    monkeypatch.setenv("HOME", str(tmp_path))
    code, text = _check(Path("~/rnn/mine.ipynb"))  # "~/rnn/mine.ipynb" in quotes: the shell left the ~
    assert f"not inside quotes). Check it with: python3 {grade_py} --check {tmp_path}/rnn/mine.ipynb" in text, text


@pytest.mark.parametrize("landlock", [7, 0])
def test_a_check_whose_process_could_reach_the_students_files_says_so(tmp_path, monkeypatch, landlock):
    # Without root, Landlock keeps the functions' process from the student's files; without it
    # (Linux before 5.13, macOS) the check ran them with the student's rights and did not say so.
    real = grader.sandbox.Sandbox

    class Laptop(real):
        def __init__(self, *args, **kw):
            super().__init__(*args, **kw)
            self.capabilities = replace(self.capabilities, running_as_root=False, uid_drop=False,
                                        mount_namespace=False, landlock_abi=landlock)

    monkeypatch.setattr(grader.sandbox, "Sandbox", Laptop)
    code, text = _check(nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook()))
    assert code == 0, text
    said = "this system cannot fence it off from your files (no Landlock" in text
    assert said == (landlock == 0), text
    assert not said or text.endswith("they could read and change what you can.\n")


def test_the_kit_readme_says_what_the_check_may_do_on_the_students_machine(tmp_path):
    write_student_kit(tmp_path / "kit", rubric=DEFAULT_RUBRIC)
    readme = (tmp_path / "kit" / "README.md").read_text(encoding="utf-8")
    assert "## What the check may do on your machine" in readme
    assert "where the kernel has no Landlock" in readme and "with your own rights" in readme, readme


def test_the_kit_readme_says_the_bonus_is_not_checked_when_the_rubric_has_one(tmp_path):
    # A student who did the IMDB bonus ran the check and read nothing of it, anywhere.
    repo = Path(__file__).resolve().parents[1]
    for rubric, bonus in ((DEFAULT_RUBRIC, True), (repo / "rubrics" / "rnn_extended.yaml", False)):
        write_student_kit(tmp_path / rubric.stem, rubric=rubric)
        readme = (tmp_path / rubric.stem / "README.md").read_text(encoding="utf-8")
        assert ("The bonus is not checked here: your instructor scores it from your notebook's code and\n"
                "stored outputs" in readme) == bonus, readme


def test_a_warning_of_the_checkers_own_process_is_not_printed_to_the_student(tmp_path, monkeypatch):
    # With NumPy 1.21 to 1.23 each check of a notebook with a mistake began with two lines of
    # "grader/checks.py:82: VisibleDeprecationWarning: Creating an ndarray from ragged nested
    # sequences ...": the grader's own comparison, printed above the verdicts as if it were theirs.
    real = grader.checks._as_array
    probed = []

    def as_old_numpy_does(value):
        probed.append(1)
        warnings.warn("Creating an ndarray from ragged nested sequences", DeprecationWarning, stacklevel=1)
        return real(value)

    monkeypatch.setattr(grader.checks, "_as_array", as_old_numpy_does)
    notebook = nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        code, text = _check(notebook)
    assert code == 1 and probed, text
    assert not [w for w in seen if "ragged" in str(w.message)]


def test_the_kit_readme_says_to_save_first_and_where_wsl_keeps_windows_files(tmp_path):
    # The check reads the file as last saved (a student who edited and did not save checked the old
    # code), and a Windows student in WSL looks for their notebook under C:\.
    write_student_kit(tmp_path / "kit", rubric=DEFAULT_RUBRIC)
    readme = (tmp_path / "kit" / "README.md").read_text(encoding="utf-8")
    assert "It checks the notebook as\nlast saved: save it in Jupyter first (Ctrl-S)." in readme, readme
    assert "Windows' `C:` drive is `/mnt/c` there" in readme, readme


def test_a_path_with_spaces_typed_without_quotes_is_answered_with_the_quoted_command(tmp_path, capsys):
    """``--check My Notebooks/rnn hw.ipynb`` (the shell cut one path into three words) said "3
    notebooks given (...): check them one at a time" in the kit and "a class run takes one folder"
    in grade.py, for the one notebook the student meant (thirty-fourth session, as a student)."""
    import grade

    notebook = nbs.write(tmp_path / "My Notebooks" / "rnn hw (1).ipynb", nbs.course_notebook())
    words = [str(tmp_path / "My"), "Notebooks/rnn", "hw", "(1).ipynb"]
    said = selfcheck.unquoted_path(words, command="python3 grade.py --check")
    assert said == (f"{notebook} has spaces in its path, and the shell cut it into 4 words at them: put the "
                    f"path in quotes: python3 grade.py --check '{notebook}'"), said
    assert selfcheck.unquoted_path([str(notebook), str(notebook)], command="x") is None  # two notebooks
    assert selfcheck.unquoted_path([str(notebook)], command="x") is None
    with pytest.raises(SystemExit):
        grade.main(["--check", *words])
    assert f"put the path in quotes: python3 grade.py --check '{notebook}'" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # a class's folder, likewise
        grade.main([str(tmp_path / "My"), "Notebooks"])
    assert f"put the path in quotes: python3 grade.py '{tmp_path / 'My Notebooks'}'" in capsys.readouterr().err


def test_the_commands_to_copy_name_the_python_that_ran_the_check(tmp_path, monkeypatch):
    """Thirty-fifth session, as a student checking with a virtual environment's Python not on the
    PATH (``~/rnn-check/bin/python3 grade.py --check``, as README.md says): the command to copy for a
    folder, a misspelt path or a zip said ``python3 grade.py --check``, whose Python has no NumPy."""
    venv_python = tmp_path / "rnn check" / "bin" / "python3"
    monkeypatch.setattr(sys, "executable", str(venv_python))
    nbs.write(tmp_path / "rnn" / "mine.ipynb", nbs.course_notebook())
    _, text = _check(tmp_path / "rnn")
    assert f"for example: '{venv_python}' grade.py --check {tmp_path}/rnn/mine.ipynb" in text, text
    monkeypatch.setenv("HOME", str(tmp_path))
    _, text = _check(Path("~/rnn/mine.ipynb"))
    assert f"Check it with: '{venv_python}' grade.py --check {tmp_path}/rnn/mine.ipynb" in text, text
    monkeypatch.setenv("PATH", str(venv_python.parent))  # an activated environment: its python3 is the PATH's
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text("#!/bin/sh\n")
    venv_python.chmod(0o755)
    assert selfcheck.check_command() == "python3 grade.py --check"


def test_grade_pys_own_messages_name_the_python_that_ran_it(tmp_path, monkeypatch, capsys):
    """The commands to copy named the Python that ran the check since the thirty-fifth session, but
    ``grade.py``'s own messages still said ``python3 grade.py`` (thirty-sixth session): a class folder
    with spaces typed without quotes, the kit's ``grade.py`` given no notebook, the sentence on
    the separate process's isolated Python, and the command that regenerates stale fixtures
    (``grader.copycommands``)."""
    import os
    import subprocess

    import grade

    venv_python = tmp_path / "rnn check" / "bin" / "python3"
    monkeypatch.setattr(sys, "executable", str(venv_python))
    (tmp_path / "My class").mkdir()
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path / "My"), "class"])
    said = capsys.readouterr().err
    assert f"put the path in quotes: '{venv_python}' grade.py '{tmp_path / 'My class'}'" in said, said
    said = selfcheck._zygote_import_error("Traceback ...\nModuleNotFoundError: No module named 'numpy'")
    assert f"runs this Python isolated ('{venv_python}' -I)" in said, said
    # An instructor's stale fixtures: the command names this Python, and the rubric's path quoted.
    from types import SimpleNamespace

    from grader import fixtures

    said = fixtures._regenerate_hint(SimpleNamespace(path=Path("rubrics/mid term.yaml")))
    assert said == f"run: '{venv_python}' -m grader.regenerate 'rubrics/mid term.yaml'", said
    monkeypatch.undo()
    # The kit's grade.py run by a Python that is not the PATH's python3 (a link named otherwise).
    kit = write_student_kit(tmp_path / "kit", rubric=DEFAULT_RUBRIC)
    other = tmp_path / "bin" / "py"
    other.parent.mkdir()
    other.symlink_to(sys.executable)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run([str(other), "grade.py"], cwd=kit, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and f"give your notebook: {other} grade.py --check NOTEBOOK" in done.stderr, done


@pytest.mark.parametrize("pip, old", [("19.2.3", True), ("20.2.4", True), ("20.3", False), ("23.0.1", False)])
def test_an_old_pip_is_upgraded_first(monkeypatch, pip, old):
    # As stu37 with pip 19.2.3 in a Python 3.10 venv and no C compiler, `pip install numpy pyyaml` took
    # NumPy 2.2.6's source and failed after 43 s: "Unable to get gcc pre-processor defines".
    from importlib import metadata

    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: pip if name == "pip" else real(name))
    monkeypatch.setitem(sys.modules, "numpy", None)
    text = selfcheck.missing_requirements()
    upgrade = f"    {sys.executable} -m pip install --upgrade pip\n    {sys.executable} -m pip install numpy pyyaml\n"
    assert (upgrade in text) is old, text
    assert (f"this Python's pip, {pip}, does not take NumPy's ready-made packages" in text) is old, text
    assert f"    {sys.executable} -m pip install numpy pyyaml\n" in text, text
