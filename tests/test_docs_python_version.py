"""docs/students.md and the kit's README ask for Python 3.10 or newer. On an older one (macOS's
own python3 is 3.9, Ubuntu 20.04's 3.8) ``grade.py --check`` stopped with a traceback about
dataclasses and exit status 1, which the docs read as "a public case failed". Both grade.py
files now say what to do, with exit status 2 (the check cannot run)."""
from __future__ import annotations

import functools
import glob
import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

import grade
from grader.classfiles import DEFAULT_RUBRIC
from grader.kit import write_student_kit

REPO = Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=None)
def old_python() -> str | None:
    """An interpreter older than 3.10 on this machine that runs, if any (pyenv's, or on the
    PATH; a pyenv shim of a version not selected is found but does not run)."""
    found = sorted(glob.glob("/root/.pyenv/versions/3.[789].*/bin/python3"), reverse=True)
    found += [shutil.which(f"python3.{minor}") for minor in (9, 8, 7)]
    for path in filter(None, found):
        probe = subprocess.run([path, "-c", "import sys; print(sys.version_info < (3, 10))"],
                               capture_output=True, text=True, timeout=30)
        if probe.returncode == 0 and probe.stdout.strip() == "True":
            return path
    return None


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    return write_student_kit(tmp_path_factory.mktemp("kit") / "kit", rubric=DEFAULT_RUBRIC)


def kit_module(kit: Path):
    spec = importlib.util.spec_from_file_location("kit_grade", kit / "grade.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("which", ["repository", "kit"])
def test_the_version_s_check_says_what_to_do(kit, which):
    module = grade if which == "repository" else kit_module(kit)
    text = module.python_too_old((3, 9, 18, "final", 0))
    assert "needs Python 3.10 or newer" in text and "is 3.9.18" in text
    # the newest first: Homebrew's Python on macOS, whose own python3 is 3.9, is python3.13 (thirty-fifth session)
    assert "`python3.13 --version` (or python3.12, python3.11, python3.10)" in text
    assert module.python_too_old((3, 10, 0, "final", 0)) is None
    assert module.python_too_old((3, 13, 1, "final", 0)) is None
    assert module.python_too_old() is None  # this one runs the tests


@pytest.mark.skipif(old_python() is None, reason="no Python older than 3.10 here")
@pytest.mark.parametrize("which", ["repository", "kit"])
def test_an_older_python_is_told_so_with_exit_status_2(kit, tmp_path, which):
    folder = REPO if which == "repository" else kit
    notebook = tmp_path / "mine.ipynb"
    notebook.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}\n',
                        encoding="utf-8")
    done = subprocess.run([old_python(), "grade.py", "--check", str(notebook)], cwd=folder,
                          capture_output=True, text=True, timeout=60)
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    assert "needs Python 3.10 or newer" in said and "Traceback" not in said
