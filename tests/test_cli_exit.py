"""grade.py's start and end as a process: what a class run imports before its zygotes start, and
``grader.exit_at_once``, its last step (the thirty-eighth session's perf helper)."""
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


def test_exit_at_once_runs_the_exit_functions_flushes_and_skips_the_teardown(tmp_path):
    marker = tmp_path / "atexit.txt"
    done = _run(f"""
        import atexit, sys
        from grader import exit_at_once

        class Teardown:
            def __del__(self):
                print("torn down", file=sys.stderr)

        kept = Teardown()  # a module global: freed only by the interpreter's teardown
        atexit.register(lambda: open({str(marker)!r}, "a").write("ran\\n"))
        sys.stdout.write("x" * 200_000)  # buffered, not yet written to the pipe
        print("last line", file=sys.stderr)
        exit_at_once(3)
        print("not reached")
    """)
    assert done.returncode == 3
    assert done.stdout == "x" * 200_000  # flushed before leaving
    assert done.stderr == "last line\n"  # no teardown ("torn down"), no traceback
    assert marker.read_text() == "ran\n"  # once


def test_exit_at_once_exits_as_usual_while_a_thread_still_runs():
    done = _run("""
        import sys, threading, time
        from grader import exit_at_once

        def late():
            time.sleep(0.3)
            print("the thread finished", flush=True)

        threading.Thread(target=late).start()  # not a daemon: the interpreter waits for it
        exit_at_once(0)
    """)
    assert done.returncode == 0
    assert done.stdout == "the thread finished\n"


def test_exit_at_once_leaves_a_closed_pipe_to_the_interpreter_as_before():
    # A reader that stopped early: the same status and message as the interpreter's own exit.
    code = """
        import os, sys
        from grader import exit_at_once

        sys.stdout.write("y" * 10)  # still in the buffer
        read, write = os.pipe()
        os.dup2(write, sys.stdout.fileno())
        os.close(read)  # the reader is gone: writing raises BrokenPipeError
        {last}
    """
    usual = _run(code.format(last="sys.exit(0)"))
    ours = _run(code.format(last="exit_at_once(0)"))
    assert (ours.returncode, ours.stderr) == (usual.returncode, usual.stderr)
    assert usual.returncode != 0 and "Exception ignored" in usual.stderr


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


def test_an_error_after_a_class_run_s_summary_exits_as_before(tmp_path):
    """grade.py run as a program whose class run raises after its summary (a grader bug writing the
    last file): the interpreter's own exit, as before exit_at_once, status 1 and the traceback
    after what was printed, every exit function run once; Ctrl-C after the summary: 130, the line."""
    marker = tmp_path / "atexit.txt"
    for raised, status, said in (("RuntimeError('after the summary')", 1, "RuntimeError: after the summary\n"),
                                 ("KeyboardInterrupt()", 130, "grade.py: interrupted\n")):
        done = _run(f"""
            import atexit, functools, runpy, sys
            from grader import commands

            @functools.wraps(commands.grade_class)  # grade.py reads its defaults
            def grade_class(*args, **kwargs):
                print("Gradebook: OUT/grades.csv")
                raise {raised}

            commands.grade_class = grade_class
            atexit.register(lambda: open({str(marker)!r}, "a").write("ran\\n"))
            sys.argv = ["grade.py", {str(tmp_path)!r}, "--out", {str(tmp_path / "out")!r}]
            runpy.run_path("grade.py", run_name="__main__")
        """)
        assert done.returncode == status, done.stderr
        assert done.stdout == "Gradebook: OUT/grades.csv\n"
        assert done.stderr.endswith(said), done.stderr
    assert marker.read_text() == "ran\nran\n"
