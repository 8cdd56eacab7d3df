"""check() in Jupyter tells a cell edited and not run again, or a notebook not saved since the
cell ran, from the notebook file the front end names (``grader.livesaved``): it grades the kernel's
definition, the instructor the file's (thirty-eighth session)."""
from __future__ import annotations

import io
import linecache
from pathlib import Path

import numpy as np
import pytest

from grader import live
from grader.live import check
from grader.livesaved import notebook_on_disk
from tests import notebooks as nbs

_RIGHT = nbs.COURSE_CELLS["rnn_cell_backward"]
_WRONG = _RIGHT.replace("np.dot(Wax.T, dtanh)", "np.dot(Wax, dtanh)")


def _kernel(monkeypatch, ran: str, count: int, folder: Path) -> dict:
    """A kernel that ran ``ran`` as In [count], its cell's source where IPython keeps it."""
    filename = str(folder / f"ipykernel_{count}.py")
    linecache.cache[filename] = (len(ran), None, ran.splitlines(True), filename)
    monkeypatch.setattr(live, "_ipython_cells", lambda: {filename: count})
    namespace = {"__name__": "__main__", "np": np, "In": ["", "import numpy as np\n"] + [""] * (count - 2) + [ran]}
    exec(compile(ran, filename, "exec"), namespace)  # noqa: S102 - the kernel ran that cell
    return namespace


def _saved(folder: Path, source: str, prompt: int | None) -> Path:
    """The notebook file as last saved: the function's cell with ``source`` and its prompt."""
    cells = [nbs.code_cell("import numpy as np\n", count=1), nbs.code_cell(source, count=prompt)]
    return nbs.write(folder / "rnn hw.ipynb", nbs.notebook(cells))


@pytest.mark.parametrize("how", ["vscode", "session", "argument"])
def test_a_cell_fixed_in_the_file_but_not_run_again_is_said(tmp_path, monkeypatch, how):
    # The student fixed the transpose, saved (Jupyter keeps the prompt: In [7]), did not run the cell.
    namespace = _kernel(monkeypatch, _WRONG, 7, tmp_path)
    path = _saved(tmp_path, _RIGHT, 7)
    given = None
    if how == "vscode":
        namespace["__vsc_ipynb_file__"] = str(path)
    elif how == "session":
        namespace["__session__"] = str(path)
    else:
        given = path
    out = io.StringIO()
    summary = check("rnn_cell_backward", namespace=namespace, stream=out, notebook=given)
    report = out.getvalue()
    assert summary.verdict("rnn_cell_backward") == "raised an error", report  # the kernel's, as said
    note = report.split("About the notebook:")[1]
    assert ("`rnn_cell_backward` in cell 2 (In [7]) of rnn hw.ipynb, as last saved, is not the definition "
            "this kernel ran as In [7]: the cell was edited and not run again") in " ".join(note.split()), report
    assert "Run cell 2 (In [7]) (Shift-Enter), then check() again" in " ".join(note.split()), report


def test_a_notebook_not_saved_since_the_cell_ran_is_told_to_save(tmp_path, monkeypatch):
    namespace = _kernel(monkeypatch, _RIGHT, 9, tmp_path)
    namespace["__session__"] = str(_saved(tmp_path, _WRONG, 7))  # the file still holds the old cell
    out = io.StringIO()
    summary = check("rnn_cell_backward", namespace=namespace, stream=out)
    report = " ".join(out.getvalue().split())
    assert summary.ok, report
    assert "is not the definition this kernel ran as In [9], which check() checked" in report, report
    assert "save the notebook (Ctrl-S) before you submit" in report, report


def test_the_same_definition_says_nothing_and_no_file_says_nothing(tmp_path, monkeypatch):
    namespace = _kernel(monkeypatch, _RIGHT, 7, tmp_path)
    namespace["__session__"] = str(_saved(tmp_path, _RIGHT + "\n\n", 7))  # spacing aside, the same
    out = io.StringIO()
    assert check("rnn_cell_backward", namespace=namespace, stream=out).ok
    assert "as last saved" not in out.getvalue(), out.getvalue()
    namespace["__session__"] = str(tmp_path / "gone.ipynb")
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert notebook_on_disk(namespace) is None
    out = io.StringIO()
    assert check("rnn_cell_backward", namespace=namespace, stream=out).ok
    assert "as last saved" not in out.getvalue(), out.getvalue()


def test_a_relative_session_name_is_found_in_the_kernel_s_folder(tmp_path, monkeypatch):
    # Jupyter Server's JPY_SESSION_NAME may be relative to its own folder; the kernel runs in the
    # notebook's folder.
    path = _saved(tmp_path, _RIGHT, 1)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JPY_SESSION_NAME", "course/week4/rnn hw.ipynb")
    assert notebook_on_disk({}) == tmp_path / "rnn hw.ipynb" == path


def test_a_notebook_renamed_since_the_kernel_started_is_said_not_missed(tmp_path, monkeypatch):
    # JupyterLab's __session__ is the notebook's name when the kernel started: renamed since, the file is
    # gone, and check() compared nothing and said nothing (thirty-eighth session); now it says why, and
    # check(notebook="new name") finds the cell edited and not run again.
    namespace = _kernel(monkeypatch, _WRONG, 7, tmp_path)
    path = _saved(tmp_path, _RIGHT, 7).rename(tmp_path / "rnn final.ipynb")
    namespace["__session__"] = str(tmp_path / "rnn hw.ipynb")
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    check("rnn_cell_backward", namespace=namespace, stream=out)
    report = " ".join(out.getvalue().split())
    assert ("This notebook was rnn hw.ipynb when its kernel started, and no file of that name is there now "
            "(renamed or moved since?)") in report, report
    assert report.count('check(notebook="NEW NAME.ipynb")') == 1 and "as last saved" not in report, report
    assert "restart" not in report, report  # an older Jupyter Server keeps the old name across a restart
    out = io.StringIO()
    check("rnn_cell_backward", namespace=namespace, stream=out, notebook=path.name)
    report = " ".join(out.getvalue().split())
    assert "of rnn final.ipynb, as last saved, is not the definition this kernel ran as In [7]: the cell was " \
           "edited and not run again" in report, report
    assert "when its kernel started" not in report, report


def test_a_notebook_saved_under_another_name_says_the_old_file_was_read(tmp_path, monkeypatch):
    # Saved as another name since the kernel started: __session__'s file is still there, older; the note
    # to save names it and says how to give the new one. One the student gives says no such thing.
    namespace = _kernel(monkeypatch, _RIGHT, 9, tmp_path)
    old = _saved(tmp_path, _WRONG, 7)
    namespace["__session__"] = str(old)
    out = io.StringIO()
    check("rnn_cell_backward", namespace=namespace, stream=out)
    report = " ".join(out.getvalue().split())
    assert "of rnn hw.ipynb, as last saved" in report and "check() read the old file" in report, report
    out = io.StringIO()
    check("rnn_cell_backward", namespace=namespace, stream=out, notebook=old)
    report = " ".join(out.getvalue().split())
    assert "of rnn hw.ipynb, as last saved" in report and "check() read the old file" not in report, report


@pytest.mark.parametrize("front_end", ["colab", "console"])
def test_where_no_file_is_named_nothing_is_claimed_and_a_named_one_is_compared(tmp_path, monkeypatch, front_end):
    # Colab (working folder /content, no __session__, ipykernel 5) and a plain IPython console name no
    # notebook: check() grades the kernel's definitions and claims nothing of a file, neither "edited and
    # not run" nor "renamed". Given check(notebook=...), it compares; given a wrong path, it says so.
    namespace = _kernel(monkeypatch, _WRONG, 7, tmp_path)
    drive = tmp_path / "drive" / "MyDrive" / "Colab Notebooks"
    drive.mkdir(parents=True)
    path = _saved(drive, _RIGHT, 7)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    if front_end == "colab":
        (tmp_path / "content").mkdir()
        monkeypatch.chdir(tmp_path / "content")
    else:
        monkeypatch.chdir(drive)  # a console started in the notebook's folder still names no notebook
    out = io.StringIO()
    summary = check("rnn_cell_backward", namespace=namespace, stream=out)
    assert summary.verdict("rnn_cell_backward") == "raised an error"
    assert "About the notebook" not in out.getvalue(), out.getvalue()
    out = io.StringIO()
    check("rnn_cell_backward", namespace=namespace, stream=out, notebook=str(path))
    assert "the cell was edited and not run again" in " ".join(out.getvalue().split()), out.getvalue()
    out = io.StringIO()
    check("rnn_cell_backward", namespace=namespace, stream=out, notebook="rnn.ipynb")
    report = " ".join(out.getvalue().split())
    assert "check(notebook='rnn.ipynb') names no notebook file (.ipynb) this kernel finds" in report, report
    assert "as last saved" not in report, report
