"""grade.py's command line: exit statuses, defaults from the library, zip input, --check, --student-kit."""
from __future__ import annotations

import csv
import functools
import inspect
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import grade
from grader import commands
from grader import exits
from tests import notebooks as nbs

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def steady_grader(monkeypatch):
    """Edits to grader/ by others during a test must not make the keys stale (see test_batch)."""
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")


def test_defaults_come_from_the_library():
    args = grade.build_parser().parse_args(["subs"])
    params = inspect.signature(commands.grade_class).parameters
    assert args.out == params["out_dir"].default
    assert args.rubric == params["rubric"].default
    assert args.jobs == params["jobs"].default
    assert args.template == params["template"].default and args.known == params["known"].default
    assert args.similarity is params["similarity"].default is None  # the folder's, else the check runs
    assert args.feedback_html is params["feedback_html"].default is True
    assert args.force is params["force"].default is False
    assert args.gradescope_root == inspect.signature(commands.gradescope).parameters["root"].default


def test_exit_codes_are_named_and_distinct():
    codes = [exits.EXIT_OK, exits.EXIT_CHECK_FAILED, exits.EXIT_USAGE,
             exits.EXIT_INTERRUPTED]
    assert codes == [0, 1, 2, 130]


def test_harness_cannot_run_is_nonzero_with_the_reason(tmp_path, capsys, monkeypatch):
    (tmp_path / "empty").mkdir()
    assert grade.main([str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == exits.EXIT_USAGE
    assert "no submissions" in capsys.readouterr().err
    assert grade.main([str(tmp_path / "nowhere")]) == exits.EXIT_USAGE
    assert "no such file" in capsys.readouterr().err

    nbs.write(tmp_path / "subs" / "a.ipynb", nbs.course_notebook())
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: bad\ntitle: Bad\nparts: []\ntypo_key: 1\n")
    code = grade.main([str(tmp_path / "subs"), "--rubric", str(bad), "--out", str(tmp_path / "o")])
    assert code == exits.EXIT_USAGE
    err = capsys.readouterr().err
    assert f"{bad}:5" in err or "bad.yaml:5" in err

    broken_zip = tmp_path / "class.zip"
    with zipfile.ZipFile(broken_zip, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(4):
            zf.writestr(f"s{i}.ipynb", b"{}")
    # a class zip over an archive's limit (here 3 members) is refused as a whole, with the reason
    from grader import archive

    with monkeypatch.context() as patch:
        patch.setattr(archive, "extract_archive", functools.partial(
            archive.extract_archive, limits=archive.ArchiveLimits(max_members=3)))
        assert grade.main([str(broken_zip), "--out", str(tmp_path / "o")]) == exits.EXIT_USAGE
    assert "more than 3 members; refused" in capsys.readouterr().err
    broken_zip.write_bytes(b"PK\x03\x04 not a zip after all")
    assert grade.main([str(broken_zip), "--out", str(tmp_path / "o")]) == exits.EXIT_USAGE
    assert "class.zip: not a zip that can be read" in capsys.readouterr().err


def test_usage_errors(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        grade.main([])
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path), "--function", "rnn_forward"])
    assert "--function goes with --check" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        grade.main(["--check", "a.ipynb", "--gradescope"])  # mutually exclusive


@pytest.mark.parametrize("argv", [["--check"], ["--check", "--function", "rnn_forward"], ["--check="]])
def test_check_without_a_notebook_says_the_command_to_copy(capsys, argv):
    """Thirty-eighth session: ``grade.py --check`` with no notebook after it gave argparse's bare
    "argument --check: expected one argument", where the kit's bare ``grade.py`` prints the command to
    copy: both say it now."""
    from grader.selfcheck import check_command

    with pytest.raises(SystemExit) as stopped:
        grade.main(argv)
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and f"give your notebook: {check_command()} NOTEBOOK" in err, err
    assert "expected one argument" not in err, err


@pytest.mark.parametrize("argv, left_out", [
    (["--check"], True), (["--check="], True), (["--chec"], True), (["--check", "--function", "f"], True),
    (["--function", "f", "--check"], True), (["--check", "nb.ipynb"], False), (["--check", "-"], False),
    (["--check=nb.ipynb"], False), (["nb.ipynb"], False), ([], False), (["--", "--check"], False),
    (["--c"], False)])  # too short to be taken for --check here (argparse may take it: its own message)
def test_value_left_out(argv, left_out):
    """``grader.value_left_out``: --check with no notebook, asked before argparse (whose ``nargs="?"`` had
    made ``--help`` say ``--check [NOTEBOOK]``)."""
    from grader import value_left_out

    assert value_left_out(argv, "--check") is left_out


@pytest.mark.parametrize("mode", [["SUBS"], ["--student-kit", "KIT"]])
def test_gradescope_root_without_gradescope_is_refused_not_ignored(tmp_path, capsys, mode):
    """Thirty-fifth session, the options tried as --help describes them: ``--gradescope-root DIR``
    ("with --gradescope: the autograder root") given to a class run or a kit was ignored without a
    word (the class graded into grading-output), where ``--function`` without ``--check`` is refused."""
    args = [str(tmp_path / "subs") if a == "SUBS" else str(tmp_path / "kit") if a == "KIT" else a for a in mode]
    with pytest.raises(SystemExit) as stopped:
        grade.main([*args, "--out", str(tmp_path / "out"), "--gradescope-root", str(tmp_path / "gs")])
    assert stopped.value.code == 2
    assert "--gradescope-root goes with --gradescope" in capsys.readouterr().err
    assert not any((tmp_path / name).exists() for name in ("out", "kit", "gs"))


def canvas_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("smithjane_12345_67890_Assignment4.ipynb",
                    (nbs.write(path.parent / "tmp1.ipynb", nbs.course_notebook())).read_bytes())
        zf.writestr("doejohn_LATE_222_333_rnn.ipynb",
                    (nbs.write(path.parent / "tmp2.ipynb", nbs.course_notebook(
                        nbs.mutate("rnn_cell_forward", "+ ba)", ")")))).read_bytes())
        zf.writestr("__MACOSX/._smithjane_12345_67890_Assignment4.ipynb", b"junk")
    return path


@pytest.mark.slow
def test_canvas_zip_is_graded_with_canvas_ids(tmp_path, capsys):
    archive = canvas_zip(tmp_path / "submissions.zip")
    out = tmp_path / "out"
    code = grade.main([str(archive), "--out", str(out), "--jobs", "1", "--no-similarity", "--no-html"])
    assert code == exits.EXIT_OK
    with open(out / "grades.csv", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = {row["submission"]: row for row in reader}
        columns = reader.fieldnames
    assert set(rows) == {"smithjane_12345", "doejohn_222"}
    assert columns[:3] == ["submission", "score", "max_score"]
    assert columns[3:9] == ["rnn_cell_forward", "rnn_forward", "lstm_cell_forward", "lstm_forward",
                            "rnn_cell_backward", "rnn_backward"]
    assert float(rows["doejohn_222"]["rnn_cell_forward"]) < float(rows["smithjane_12345"]["rnn_cell_forward"])
    assert (out / "smithjane_12345" / "results.json").is_file()
    assert (out / "smithjane_12345" / "feedback.md").is_file()
    err = capsys.readouterr().err
    assert "Extracted 2 file(s) from submissions.zip" in err
    # The temporary extraction is gone; a second run of the same zip grades nothing again.
    code = grade.main([str(archive), "--out", str(out), "--jobs", "1", "--no-similarity", "--no-html"])
    assert code == exits.EXIT_OK and "Skipping 2 unchanged" in capsys.readouterr().err


def test_check_exit_status(tmp_path, capsys):
    pytest.importorskip("grader.selfcheck")
    good = nbs.write(tmp_path / "good.ipynb", nbs.course_notebook())
    bad = nbs.write(tmp_path / "bad.ipynb", nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    assert grade.main(["--check", str(good)]) == 0
    assert grade.main(["--check", str(bad)]) == 1
    assert "rnn_cell_forward" in capsys.readouterr().out
    assert grade.main(["--check", str(bad), "--function", "lstm_forward"]) == 0


def test_student_kit_and_its_check(tmp_path, capsys):
    pytest.importorskip("grader.kit")
    kit = tmp_path / "kit"
    assert grade.main(["--student-kit", str(kit)]) == exits.EXIT_OK
    # Thirty-second session: it said only "Student kit written to DIR"; now what to do with it.
    assert "hand out the folder whole" in capsys.readouterr().err
    assert (kit / "grade.py").is_file()
    assert not (kit / "solution").exists()
    good = nbs.write(tmp_path / "good.ipynb", nbs.course_notebook())
    done = subprocess.run([sys.executable, "grade.py", "--check", str(good)], cwd=kit,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_example_class_end_to_end(tmp_path):
    """The README's main command on the shipped example submissions."""
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "grade.py", "submissions/", "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Graded 5 of 6" in done.stderr and "Unreadable submissions (0 points each in grades.csv, and in report.html's figures): donald_truncated" in done.stderr
    for name in ("grades.csv", "similarity.csv", "report.html"):
        assert (out / name).is_file(), name
    assert (out / "ada_correct" / "feedback.html").is_file()


@pytest.mark.skipif((os.cpu_count() or 1) < 2 or not Path("/proc/self/task").is_dir(),
                    reason="OpenBLAS starts no pool on one CPU; threads are counted in /proc")
def test_the_command_line_process_keeps_one_blas_thread(tmp_path):
    """grade.py run as a command sets OPENBLAS_NUM_THREADS=1 (unless the caller chose a count)
    before numpy is imported: an OpenBLAS pool thread spins for about 0.1 s of CPU after the
    import, in the grading process and its figure process, for linear algebra they never do.
    The process's threads are counted after a whole command ran (the kit imports numpy), by an
    exit function: grade.py leaves through ``grader.exit_at_once``, which runs them."""
    grade_py = Path(grade.__file__).resolve()
    script = (
        "import atexit, os, runpy, sys\n"
        "def count():\n"
        "    import numpy\n"
        "    print(len(os.listdir('/proc/self/task')), os.environ.get('OPENBLAS_NUM_THREADS'), flush=True)\n"
        "atexit.register(count)\n"
        f"sys.argv = ['grade.py', '--student-kit', {str(tmp_path / 'kit')!r}]\n"
        f"runpy.run_path({str(grade_py)!r}, run_name='__main__')\n")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=grade_py.parent,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "1"]
    chosen = subprocess.run([sys.executable, "-c", script], cwd=grade_py.parent, timeout=120,
                            env=dict(env, OPENBLAS_NUM_THREADS="2"), capture_output=True, text=True)
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stdout.split() == ["2", "2"]  # the caller's choice is kept


@pytest.mark.parametrize("value, says", [("0", "at least 1 worker, not 0"), ("-3", "at least 1 worker, not -3"),
                                          ("two", "a whole number of parallel workers, not 'two'")])
def test_jobs_below_one_is_refused_with_the_reason(value, says, capsys):
    # Thirty-second session: --jobs -3 and --jobs 0 graded the class without a word.
    with pytest.raises(SystemExit) as raised:
        grade.build_parser().parse_args(["subs", "--jobs", value])
    assert raised.value.code == exits.EXIT_USAGE
    assert says in capsys.readouterr().err
    assert grade.build_parser().parse_args(["subs", "--jobs", "3"]).jobs == 3


def test_several_notebooks_given_are_said_not_dropped(tmp_path, capsys):
    # Thirty-second session: `--check a.ipynb b.ipynb` checked a.ipynb and dropped b.ipynb (taken
    # for a class to grade) without a word; `grade.py subs/*.ipynb` said "unrecognized arguments".
    a = nbs.write(tmp_path / "a.ipynb", nbs.course_notebook())
    b = nbs.write(tmp_path / "b.ipynb", nbs.course_notebook())
    for argv, says in ((["--check", str(a), str(b)], f"{b}: --check, --student-kit and --gradescope grade no class"),
                       ([str(a), str(b), "--out", str(tmp_path / "o")], "2 notebooks given"),
                       ([str(a), "--out", str(tmp_path / "o"), str(b)], "give the folder (submissions/)"),
                       (["--check", str(a), "--bogus"], "unrecognized arguments: --bogus")):
        with pytest.raises(SystemExit) as raised:
            grade.main(argv)
        assert raised.value.code == exits.EXIT_USAGE
        assert says in capsys.readouterr().err, argv
    assert not (tmp_path / "o").exists()


def test_a_bare_grade_py_is_a_usage_error_even_where_the_default_folder_remembers_a_class(tmp_path, capsys,
                                                                                         monkeypatch):
    """Since the output folder remembers its class's SUBMISSIONS (thirty-sixth session), `grade.py --out OUT`
    alone grades them again; a bare `grade.py` in a folder whose grading-output/ remembers a class ran
    that class again (the fresh clone's test run after the README's first command: test_usage_errors
    failed). It is refused, and the message names the --out that would grade them again."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "grading-output").mkdir()
    (tmp_path / "grading-output" / "grading-options.json").write_text("{}\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        grade.main([])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "give the submissions to grade" in err
    assert "or --out grading-output to grade again the submissions its class was graded from" in err, err
