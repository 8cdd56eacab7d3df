"""Session 27 review: a submissions folder that holds the grader itself.

``protectedpaths.protected_paths`` left such a folder (``grade.py .`` from the repository, or a class
folder the grader was put in) unprotected, so where the grader sits under a path a child may read
(``/usr/src/app``, the python image's working directory, under ``/usr``) a student's function read
the other notebooks beside it, as root (no mount hid them) and without root (Landlock grants
``/usr``). Now the folder's entries are hidden, all but the grader's package and the interpreter.
The end-to-end tests copy the grader under ``/usr/src`` and need root.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader import exits
from grader import protectedpaths
from tests import notebooks as nbs
from tests.isolation import isolated

REPO = Path(__file__).resolve().parent.parent
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0 or not Path("/usr/src").is_dir(),
                               reason="copies the grader under /usr/src and grades as root and as nobody")


def _reader_of(victim: Path) -> str:
    """A right rnn_cell_forward that zeroes its hidden state when it can read ``victim``'s code."""
    return nbs.COURSE_CELLS["rnn_cell_forward"].replace(
        "    return a_next, yt_pred, cache",
        f"    try:\n        if 'def' in open({str(victim)!r}).read():\n            a_next = a_next * 0\n"
        f"    except OSError:\n        pass\n    return a_next, yt_pred, cache")


@pytest.fixture
def class_holding_the_grader():
    """A class folder under /usr/src holding alice's notebook, mallory's (which reads alice's)
    and a copy of the grader in ``app/``; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="review-s27-", dir="/usr/src"))
    try:
        app = folder / "app"
        app.mkdir()
        shutil.copy(REPO / "grade.py", app / "grade.py")
        for name in ("grader", "rubrics"):
            shutil.copytree(REPO / name, app / name, ignore=shutil.ignore_patterns(".cache"))
        nbs.write(folder / "alice.ipynb", nbs.course_notebook())
        nbs.write(folder / "mallory.ipynb",
                  nbs.course_notebook({"rnn_cell_forward": _reader_of(folder / "alice.ipynb")}))
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield folder
    finally:
        shutil.rmtree(folder)


def _cell_points(folder: Path, *, nobody: bool) -> float:
    """mallory's points on rnn_cell_forward when the class folder is graded by its own grader
    (into a folder nobody may write in: pytest's are root's alone)."""
    out = Path(tempfile.mkdtemp(prefix="review-s27-out-"))
    out.chmod(0o777)
    try:
        return _graded_points(folder, out, nobody=nobody)
    finally:
        shutil.rmtree(out)


def _graded_points(folder: Path, out: Path, *, nobody: bool) -> float:
    """``_cell_points`` into ``out``."""
    run = subprocess.run([sys.executable, str(folder / "app" / "grade.py"), str(folder), "--out", str(out),
                          "--jobs", "1", "--no-html"], capture_output=True, text=True, timeout=600,
                         preexec_fn=isolated(nobody=True) if nobody else None)
    assert run.returncode == 0, run.stderr
    assert ("sandbox (root)" in run.stdout + run.stderr) != nobody, run.stderr  # the mode asked for
    tests = json.loads((out / "mallory" / "results.json").read_text(encoding="utf-8"))["tests"]
    return sum(t["score"] for t in tests if t["name"].startswith("rnn_cell_forward:"))


@ROOT_ONLY
@pytest.mark.parametrize("nobody", [False, True], ids=["root", "nobody"])
def test_a_child_cannot_read_the_notebooks_beside_the_grader(class_holding_the_grader, nobody):
    # Before the fix mallory read alice's notebook (9.6 of 10 points: the read zeroed a_next in
    # the cases that check it); a child that finds it hidden keeps every point.
    assert _cell_points(class_holding_the_grader, nobody=nobody) == 10


def test_the_repository_graded_whole_is_hidden_whole_but_the_grader_and_the_interpreter(tmp_path):
    # Since the thirtieth session the folder itself is protected (its entries were, one by one,
    # which left an entry made later open where Landlock is absent: tests/test_hostile_s30.py);
    # the zygote covers it and binds back what it reads there (_child._cover).
    protected = set(protectedpaths.protected_paths(REPO, out_dir=tmp_path / "out"))
    assert REPO in protected and REPO / "grader" not in protected
    from grader import _child
    venv = str(REPO / ".venv" / "lib")
    assert _child._inside([_child.GRADER_DIR, venv, "/usr/lib", str(REPO)], str(REPO)) == sorted(
        [venv, _child.GRADER_DIR])
    # Landlock's rules leave such a folder out but for what the zygote reads in it (/usr/src/app
    # with its .venv, under /usr): the nested read path is kept, the folder's other entries not.
    klass, other = tmp_path / "usr" / "app", tmp_path / "usr" / "other"
    for folder in (klass / ".venv", klass / "notebooks", other):
        folder.mkdir(parents=True)
    read = _child.readable_without([str(tmp_path / "usr"), str(klass / ".venv")], [str(klass)])
    assert read == [str(klass / ".venv"), str(other)]


def test_the_readme_command_still_hides_the_submissions_folder_whole(tmp_path):
    protected = protectedpaths.protected_paths(REPO / "submissions", out_dir=tmp_path / "out")
    assert REPO / "submissions" in protected and REPO / "tests" not in protected


def test_a_folder_holding_the_system_is_refused_with_what_to_do(tmp_path):
    with pytest.raises(exits.CommandError, match="put the notebooks in a folder of their own"):
        protectedpaths.protected_paths(Path("/"), out_dir=tmp_path / "out")


def test_a_missing_folder_at_the_top_is_said_missing(tmp_path, capsys):
    """Thirty-fourth session: ``grade.py /subs`` where /subs does not exist (a typo) was told "this
    folder holds the grader's own Python or the system's folders": its parent, /, was looked at."""
    import grade

    assert grade.main(["/no-such-submissions-folder", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "grade.py: /no-such-submissions-folder: no such file or folder" in err, err


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_submissions_that_are_no_file_nor_folder_are_refused_with_a_sentence(tmp_path, capsys, kind):
    """Thirty-seventh session: ``grade.py x.ipynb`` where ``x.ipynb`` is a FIFO (a named pipe), or a
    device (``/dev/null``), or such a path remembered as the class's SUBMISSIONS in its
    grading-options.json, ended in a traceback (NotADirectoryError, listing it as a folder)."""
    import os

    import grade

    if kind == "fifo":
        path = tmp_path / "x.ipynb"
        os.mkfifo(path)
    else:
        path = Path("/dev/null")
    assert grade.main([str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"grade.py: {path}: not a notebook, a zip or a folder" in err, err
