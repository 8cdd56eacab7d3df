"""grade.py's start and end as a process: what a class run imports before its zygotes start (the
thirty-eighth session's perf helper)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _run(code: str, *args: str) -> subprocess.CompletedProcess:
    """``code`` run by this Python in a fresh process, the repository importable, its standard
    output buffered as a pipe's is (without ``PYTHONUNBUFFERED``, which some machines set)."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=str(REPO),
                          capture_output=True, text=True, timeout=120, env=env)


def test_a_class_run_imports_neither_the_self_check_nor_logging(tmp_path):
    # grade.py imported grader.selfcheck (and with it logging, 4-6 ms) to read one path with
    # spaces, before the zygotes started; sandbox.py keeps logging out of the grading process.
    (tmp_path / "class").mkdir()
    done = _run("""
        import sys
        import grade

        status = grade.main(sys.argv[1:])
        print(status, "grader.selfcheck" in sys.modules, "logging" in sys.modules)
    """, str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--jobs", "2")
    assert done.stdout.split() == ["2", "False", "False"], done.stderr  # 2: no submissions found
    assert "no submissions" in done.stderr


def test_a_path_cut_at_its_spaces_is_still_said_for_a_class_run_and_for_check(tmp_path):
    folder = tmp_path / "my class"
    folder.mkdir()
    for flag in ([], ["--check"]):
        done = subprocess.run([sys.executable, "grade.py", *flag, *str(folder).split(" ")], cwd=str(REPO),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2
        said = done.stderr.split("put the path in quotes: ", 1)[1]
        assert ("grade.py --check '" if flag else "grade.py '") in said  # after this Python's command
        assert said.rstrip().endswith("my class'")
