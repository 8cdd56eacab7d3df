"""grade.py --gradescope in Gradescope's layout (in tmp_path), and the autograder zip."""
from __future__ import annotations

import io
import json
import os
import subprocess
import zipfile
from pathlib import Path

from grader.exits import EXIT_OK, EXIT_USAGE
from grader.gradescope import build_autograder_zip, run_gradescope
from tests import notebooks as nbs

REPO = Path(__file__).resolve().parent.parent
#: results.json keys documented by Gradescope ("Autograder Specifications").
TOP_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
            "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output",
             "output_format", "tags", "visibility", "extra_data"}


def layout(tmp_path: Path, files: dict[str, dict]) -> Path:
    root = tmp_path / "autograder"
    for name, nb in files.items():
        nbs.write(root / "submission" / name, nb)
    (root / "submission").mkdir(parents=True, exist_ok=True)
    return root


def check_format(payload: dict) -> None:
    assert set(payload) <= TOP_KEYS
    assert isinstance(payload["score"], (int, float))
    for test in payload["tests"]:
        assert set(test) <= TEST_KEYS
        if "score" not in test:  # a part's notes without a case to hold them: informational, no status
            assert set(test) == {"name", "output", "visibility"} and ":" not in test["name"]
            continue
        assert {"name", "score", "max_score", "status", "output"} <= set(test)
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "hidden", "after_due_date", "after_published")


def test_correct_notebook_full_marks(tmp_path):
    root = layout(tmp_path, {"RNN_assignment.ipynb": nbs.course_notebook()})
    stream = io.StringIO()
    assert run_gradescope(root=root, stream=stream) == EXIT_OK
    payload = json.loads((root / "results" / "results.json").read_text())
    check_format(payload)
    numpy_tests = [t for t in payload["tests"] if not t["name"].startswith("imdb_report")]
    assert numpy_tests and all(t["status"] == "passed" for t in numpy_tests)
    assert payload["score"] >= sum(t["max_score"] for t in numpy_tests)
    assert payload["execution_time"] > 0 and payload["output_format"] == "md"
    assert "Score:" in payload["output"]
    hidden = [t for t in payload["tests"] if "hidden case" in t["name"]]
    assert hidden and all(t["output"].startswith("hidden case") for t in hidden)
    assert "submission:" in stream.getvalue()


def test_wrong_notebook_loses_points_and_says_why(tmp_path):
    wrong = nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")"))
    root = layout(tmp_path, {"work.ipynb": wrong})
    assert run_gradescope(root=root, stream=io.StringIO()) == EXIT_OK
    payload = json.loads((root / "results" / "results.json").read_text())
    failed = [t for t in payload["tests"] if t.get("status") == "failed"]
    assert any(t["name"].startswith("rnn_cell_forward") for t in failed)
    assert all(t["score"] < t["max_score"] for t in failed)


def test_two_notebooks_score_zero_with_a_message(tmp_path):
    root = layout(tmp_path, {"a.ipynb": nbs.course_notebook(), "b.ipynb": nbs.alt_notebook()})  # the same bytes are one
    assert run_gradescope(root=root, stream=io.StringIO()) == EXIT_OK
    payload = json.loads((root / "results" / "results.json").read_text())
    check_format(payload)
    assert payload["score"] == 0
    assert "2 notebooks" in payload["output"] and "a.ipynb" in payload["output"]
    assert "a.ipynb and b.ipynb both define graded functions" in payload["output"]


def test_an_untitled_notebook_beside_the_work_is_left_and_the_work_graded(tmp_path):
    """Thirty-second session: an empty Untitled.ipynb uploaded with the work scored 0."""
    empty = nbs.notebook([nbs.code_cell("")])
    root = layout(tmp_path, {"rnn.ipynb": nbs.course_notebook(), "Untitled.ipynb": empty})
    assert run_gradescope(root=root, stream=io.StringIO()) == EXIT_OK
    payload = json.loads((root / "results" / "results.json").read_text())
    check_format(payload)
    assert payload["score"] > 0 and "rnn.ipynb was graded, not Untitled.ipynb" in payload["output"]


def test_harness_failure_writes_no_score(tmp_path):
    root = layout(tmp_path, {"a.ipynb": nbs.course_notebook()})
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: x\ntitle: X\nparts: []\nbogus: 1\n")
    stream = io.StringIO()
    assert run_gradescope(root=root, rubric=bad, stream=stream) == EXIT_USAGE
    assert not (root / "results" / "results.json").exists()
    assert "bad.yaml:" in stream.getvalue()


def test_a_bad_rubric_stops_the_sandbox_started_meanwhile(tmp_path, monkeypatch):
    """The sandbox starts while the rubric and the fixtures load; when they cannot, its zygote
    is stopped and no score is written."""
    from grader import sandbox

    started = []
    real_init = sandbox.Sandbox.__init__

    def init(self, **options):
        real_init(self, **options)
        started.append(self)

    monkeypatch.setattr(sandbox.Sandbox, "__init__", init)
    root = layout(tmp_path, {"a.ipynb": nbs.course_notebook()})
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: x\ntitle: X\nparts: []\nbogus: 1\n")
    assert run_gradescope(root=root, rubric=bad, stream=io.StringIO()) == EXIT_USAGE
    assert not (root / "results" / "results.json").exists()
    assert len(started) == 1
    try:
        os.kill(started[0].zygote_pid, 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError("the zygote of the sandbox started meanwhile is still running")


def test_autograder_zip_holds_no_solution_and_executable_scripts(tmp_path):
    path = build_autograder_zip(tmp_path / "autograder.zip")
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
    assert names[:2] == ["setup.sh", "run_autograder"]
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert "grade.py" in names and "requirements.txt" in names
    assert any(n.startswith("rubrics/fixtures/") for n in names)
    assert not any(n.startswith(("solution/", "tests/", "submissions/")) for n in names)
    assert not any("__pycache__" in n for n in names)


def test_run_autograder_script_in_a_copy_of_the_layout(tmp_path):
    """The zip unpacked as Gradescope does, run by its own run_autograder (setup.sh's venv skipped:
    the packages are already installed here)."""
    root = layout(tmp_path, {"nb.ipynb": nbs.course_notebook()})
    with zipfile.ZipFile(build_autograder_zip(tmp_path / "autograder.zip")) as zf:
        zf.extractall(root / "source")
    script = root / "source" / "run_autograder"
    script.chmod(0o755)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root)}
    done = subprocess.run([str(script)], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    payload = json.loads((root / "results" / "results.json").read_text())
    check_format(payload)
    assert payload["score"] >= 100
    assert "results.json" in done.stdout
    bash = subprocess.run(["bash", "-n", str(REPO / "docs" / "gradescope" / "setup.sh")],
                          capture_output=True, text=True)
    assert bash.returncode == 0, bash.stderr


def test_a_grader_failure_gives_the_instructor_the_traceback_and_the_student_one_sentence(tmp_path, monkeypatch):
    """The autograder's log (instructor-only) holds the grader's traceback; results.json,
    which the student reads, holds neither it nor the exception's text."""
    from grader import batch

    def broken(*args, **kwargs):
        raise RuntimeError("grader bug reading /srv/instructor-only/secret.json")

    monkeypatch.setattr(batch, "grade_submission", broken)
    root = layout(tmp_path, {"work.ipynb": nbs.course_notebook()})
    stream = io.StringIO()
    assert run_gradescope(root=root, stream=stream) == EXIT_OK
    log = stream.getvalue()
    assert "harness failure, traceback below" in log
    assert "Traceback (most recent call last)" in log and "secret.json" in log
    text = (root / "results" / "results.json").read_text()
    assert "secret.json" not in text and "Traceback" not in text and "RuntimeError" not in text
    assert batch.GRADER_FAILED.split(":")[0] in json.loads(text)["output"]


def test_cases_lost_to_missing_fixtures_are_explained_in_the_log_only(tmp_path, monkeypatch):
    """A rubric whose fixtures lack a case: the student's results.json gets the kind sentence,
    the autograder's log (instructor-only) the case, its name and the regenerate command."""
    from grader import commands
    from grader import classfiles
    from grader.fixtures import Fixtures
    from grader.models import CASE_GRADER_FAILED
    from grader.runner import GradingContext

    real = commands.load_context(classfiles.DEFAULT_RUBRIC)
    case = next(c for c in real.rubric.part("rnn_cell_forward").cases if c.visibility == "public")
    lacking = GradingContext(
        rubric=real.rubric, mutant_messages=real.mutant_messages, imdb_config=real.imdb_config,
        fixtures=Fixtures({k: v for k, v in real.fixtures.items() if k != case.id},
                          real.fixtures.mutant_messages))
    monkeypatch.setattr(commands, "load_context", lambda path: lacking)
    root = layout(tmp_path, {"work.ipynb": nbs.course_notebook()})
    stream = io.StringIO()
    assert run_gradescope(root=root, stream=stream) == EXIT_OK
    log = stream.getvalue()
    assert "Cases the grader could not grade" in log and "grader.regenerate" in log, log
    text = (root / "results" / "results.json").read_text()
    assert "regenerate" not in text and "No fixture" not in text
    assert any(CASE_GRADER_FAILED in test["output"] for test in json.loads(text)["tests"])


def _repo_with_a_quiz(tmp_path: Path) -> Path:
    """A copy of the parts of the repository the zip holds, with rubrics/quiz.yaml: the default
    rubric's first part alone (its name, and so its fixtures, the default's)."""
    import shutil

    repo = tmp_path / "repo"
    for name in ("grade.py", "requirements.txt", "docs/gradescope/setup.sh", "docs/gradescope/run_autograder"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / name, repo / name)
    for folder in ("grader", "rubrics"):
        shutil.copytree(REPO / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__", ".cache"))
    text = (REPO / "rubrics" / "rnn.yaml").read_text(encoding="utf-8")
    (repo / "rubrics" / "quiz.yaml").write_text(text[:text.index("  - function: rnn_forward")], encoding="utf-8")
    return repo


def test_build_with_another_rubric_names_it_in_both_scripts(tmp_path):
    # Thirty-second session: the page said to edit run_autograder by hand to grade with another
    # rubric, and setup.sh went on checking rubrics/rnn.yaml when the image was built.
    from grader import gradescope

    repo = _repo_with_a_quiz(tmp_path)
    zip_path = build_autograder_zip(tmp_path / "autograder.zip", repo=repo, rubric=repo / "rubrics" / "quiz.yaml")
    root = layout(tmp_path, {"nb.ipynb": nbs.course_notebook()})
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
    source = root / "source"
    assert (source / "run_autograder").read_text().rstrip().endswith('--rubric "rubrics/quiz.yaml"')
    assert "context = load_context('rubrics/quiz.yaml')" in (source / "setup.sh").read_text()
    (source / "run_autograder").chmod(0o755)
    done = subprocess.run([str(source / "run_autograder")], cwd=root, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "AUTOGRADER_ROOT": str(root)})
    assert done.returncode == 0, done.stdout + done.stderr
    payload = json.loads((root / "results" / "results.json").read_text())
    assert payload["score"] == 10, payload["score"]  # the quiz's 10 points, not the default's 110
    # A rubric outside rubrics/ (not in the zip) or with stale fixtures stops the build, exit 2.
    outside = tmp_path / "quiz.yaml"
    outside.write_text((repo / "rubrics" / "quiz.yaml").read_text())
    err = io.StringIO()
    from contextlib import redirect_stderr

    with redirect_stderr(err):
        assert gradescope.main(["build", str(tmp_path / "b.zip"), "--rubric", str(outside)]) == EXIT_USAGE
    assert "the zip holds the rubrics of" in err.getvalue() and not (tmp_path / "b.zip").exists()
    (repo / "rubrics" / "quiz.yaml").write_text(
        (repo / "rubrics" / "quiz.yaml").read_text().replace("seed: 7,", "seed: 8,"))
    import pytest

    from grader.exits import CommandError

    with pytest.raises(CommandError, match=r"quiz\.yaml:\d+: the fixture of case .* is stale"):
        build_autograder_zip(tmp_path / "c.zip", repo=repo, rubric=repo / "rubrics" / "quiz.yaml")


def test_outside_gradescope_a_missing_root_is_said_and_nothing_is_made(tmp_path):
    # Thirty-second session: `grade.py --gradescope` on a TA's machine (as root) made
    # /autograder/results/results.json, a zero for a submission that was not there.
    stream = io.StringIO()
    root = tmp_path / "autograder"
    assert run_gradescope(root=root, stream=stream) == EXIT_USAGE
    assert f"{root} is no folder: --gradescope grades inside Gradescope's autograder" in stream.getvalue()
    assert not root.exists()
