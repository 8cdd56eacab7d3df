"""Session 30's small fixes, each pinned by a test that failed before it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "submissions" / "ada_correct.ipynb"
SITE = Path(__import__("numpy").__file__).resolve().parent.parent


def _check(python: str, pythonpath: Path, **kw) -> subprocess.CompletedProcess:
    """``grade.py --check`` on a correct notebook by ``python`` with ``pythonpath`` first."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(pythonpath),
           "HOME": str(pythonpath)}
    return subprocess.run([python, str(REPO / "grade.py"), "--check", str(NOTEBOOK)], env=env,
                          cwd=str(pythonpath), capture_output=True, text=True, timeout=120, **kw)


def _fake_numpy(folder: Path, init: str) -> Path:
    """A folder for PYTHONPATH holding PyYAML (linked) and a numpy package of ``init``."""
    (folder / "numpy").mkdir(parents=True)
    (folder / "numpy" / "__init__.py").write_text(init)
    (folder / "yaml").symlink_to(SITE / "yaml")
    return folder


def _venv(folder: Path) -> str:
    """The Python of a new virtual environment in ``folder``: no NumPy, no PyYAML."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    return str(folder / "bin" / "python3")


def test_a_broken_numpy_is_said_as_such_with_its_import_error(tmp_path):
    """Was a traceback of grader/wire.py ending in the ImportError."""
    libs = _fake_numpy(tmp_path, 'raise ImportError("libopenblas64_.so.0: cannot open shared object file")\n')
    done = _check(sys.executable, libs)
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert "Traceback" not in out and "does not have" not in out, out
    assert "numpy is installed but could not be imported (ImportError: libopenblas64_.so.0: " in out, out
    assert "-m pip install --force-reinstall numpy pyyaml" in out and "-m venv ~/rnn-check" in out, out


def test_a_numpy_only_on_pythonpath_is_said_to_be_out_of_reach_of_the_isolated_process(tmp_path):
    """The parent imports NumPy from PYTHONPATH, the zygote (python -I) cannot: was "the separate
    process could not start ... send this message to your instructor" with a traceback."""
    venv = _venv(tmp_path / "venv")
    libs = tmp_path / "libs"
    libs.mkdir()
    for name in ("numpy", "yaml"):
        (libs / name).symlink_to(SITE / name)
    done = _check(venv, libs)
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert ("numpy could not be imported in the separate process that runs your functions "
            "(ModuleNotFoundError: No module named 'numpy')") in out, out
    assert "PYTHONPATH" in out and "-m venv ~/rnn-check" in out, out
    assert "send this message to your instructor" not in out and "Traceback" not in out, out


def test_a_numpy_folder_this_user_cannot_read_is_not_said_to_be_absent():
    """As nobody, a root-owned numpy folder of mode 700 imports as an empty namespace package:
    was an AttributeError traceback (np.dtype). In a virtual environment without NumPy: where
    another NumPy follows on the path, Python imports that one."""
    from tests.isolation import isolated
    from tests.test_sandbox_nonroot import _nobody_folder

    with _nobody_folder("needs root to become nobody") as folder:
        libs = _fake_numpy(folder / "libs", "x = 1\n")
        libs.chmod(0o755)
        (libs / "numpy").chmod(0o700)
        done = _check(_venv(folder / "venv"), libs, preexec_fn=isolated(nobody=True))
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert f"numpy is installed but could not be imported (its folder {libs / 'numpy'} holds no file" in out, out
    assert "Traceback" not in out, out


def test_check_says_plural_cells_in_jupyter_words():
    """check()'s notes say "In [n]" for "cell n" (`_in_jupyter_words`): a plural was left as
    "cells 2 and 3", numbers a student counting the kernel's prompts could not find."""
    from grader.live import _in_jupyter_words
    from grader.models import CaseResult, PartResult

    message = ("`f` is defined in cells 2, 3 and 5; then cell 4; cells 10 and 11; cells 6, 7, and 8; "
               "cell 9 (In [3]) is the graded path's own words")
    case = CaseResult("rnn_forward/0", "assignment example", "public", "failed", 0.0, 1.0, message=message)
    part = PartResult("rnn_forward", "rnn_forward", "failed", 0.0, 1.0, cases=(case,),
                      notes=("`rnn_forward` is defined twice (cells 3 and 5).",))
    said = _in_jupyter_words(part)
    assert said.notes == ("`rnn_forward` is defined twice (In [3] and In [5]).",)
    assert said.cases[0].message == (
        "`f` is defined in In [2], In [3] and In [5]; then In [4]; In [10] and In [11]; "
        "In [6], In [7], and In [8]; cell 9 (In [3]) is the graded path's own words")


def test_a_partly_graded_notebook_says_why_cases_were_not_run_once_and_keeps_its_sentences_plain(
        tmp_path, context, sandbox):
    """One function loops forever, one ends its process, two are missing. feedback.md showed the
    crash's whole sentence as a code span, backticks and all (its bare "os._exit" is not plain
    Markdown). The hidden cases skipped after the time-out say why once (main's da621ee, which
    fixed it while this branch did too: its version kept), in feedback.md and feedback.html."""
    from grader.feedback_html import write_feedback_html
    from grader.report import feedback_markdown
    from grader.runner import grade_submission
    from tests import notebooks as nbs

    cells = {**nbs.mutate("rnn_forward", "    return a, y_pred, caches", "    while True:\n        pass\n"),
             **nbs.mutate("lstm_cell_forward", "    return a_next, c_next, yt_pred, cache", "    import os\n    os._exit(3)\n"),
             "lstm_forward": "# YOUR CODE HERE\n", "rnn_backward": "# not done yet\n"}
    path = nbs.write(tmp_path / "grace.ipynb", nbs.course_notebook(cells))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert [p.status for p in result.parts][:4] == ["passed", "timeout", "crashed", "missing"], result.parts
    md = feedback_markdown(result)
    assert "\n  The process running `lstm_cell_forward` stopped: " in md and "(`os._exit`).\n" in md, md
    assert "``" not in md, md
    reason = "Not run: an earlier case of this function ran out of time."  # main's da621ee says it once
    assert md.count(reason) == 1 and "hidden case 1: not run (0 / 4)\n  " + reason in md, md
    page = write_feedback_html(result, notebook_path=path, out_path=tmp_path / "feedback.html").read_text()
    assert page.count(reason) == 1, page
