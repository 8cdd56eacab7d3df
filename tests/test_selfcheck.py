"""``grader.selfcheck.run_check``: public cases only, verdicts per function, exit statuses."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader.classfiles import DEFAULT_RUBRIC
from grader.rubric import load_rubric
from grader.selfcheck import (
    EXIT_FAILED, EXIT_PASSED, EXIT_UNUSABLE, CheckSummary, load_public_context, run_check,
)
from tests import notebooks as nbs

REPO = Path(__file__).resolve().parents[1]
SUBMISSIONS = REPO / "submissions"


def check(path: Path, **kw) -> tuple[int, str]:
    """``run_check`` on ``path`` (default rubric): exit status and printed text."""
    out = io.StringIO()
    code = run_check(path, rubric=kw.pop("rubric", DEFAULT_RUBRIC), stream=out, **kw)
    return code, out.getvalue()


def verdict_lines(text: str) -> dict[str, str]:
    """``{function: verdict}`` from the unindented lines of the report."""
    functions = {p.function for p in load_rubric(DEFAULT_RUBRIC).parts}
    found = {}
    for line in text.splitlines():
        words = line.split()
        if words and words[0] in functions and not line.startswith(" "):
            found[words[0]] = line[len(words[0]):].strip().split("  (")[0]
    return found


def test_correct_notebook_passes_every_public_case_and_exits_0():
    code, text = check(SUBMISSIONS / "ada_correct.ipynb")
    assert code == EXIT_PASSED, text
    verdicts = verdict_lines(text)
    assert set(verdicts) == {p.function for p in load_rubric(DEFAULT_RUBRIC).parts}
    assert set(verdicts.values()) == {"passed"}
    assert "6 of 6 public case(s) passed" in text


def test_only_public_cases_are_run():
    context = load_public_context(DEFAULT_RUBRIC)
    assert context.rubric.cases and all(c.visibility == "public" for c in context.rubric.cases)
    assert set(context.fixtures) == {c.id for c in context.rubric.cases}
    hidden = {c.id for c in load_rubric(DEFAULT_RUBRIC).cases if c.visibility == "hidden"}
    assert hidden and not hidden & set(context.fixtures)


def test_wrong_functions_fail_with_the_diagnosed_mistake_and_exit_1():
    code, text = check(SUBMISSIONS / "alan_partly_wrong.ipynb")
    assert code == EXIT_FAILED
    verdicts = verdict_lines(text)
    assert verdicts["rnn_cell_forward"] == "failed"
    assert verdicts["rnn_forward"] == "passed"  # graded in isolation: a wrong cell costs once
    assert "likely mistake: Your hidden state leaves out the bias ba" in text
    assert "`a_next` has the right shape but" in text


def test_placeholders_are_not_implemented_with_their_line():
    code, text = check(SUBMISSIONS / "edsger_unfinished.ipynb")
    assert code == EXIT_FAILED
    verdicts = verdict_lines(text)
    assert verdicts["lstm_cell_forward"] == "not implemented"
    assert "cct = None" in text


def test_missing_function_is_named_with_a_hint(tmp_path):
    renamed = nbs.COURSE_CELLS["rnn_forward"].replace("def rnn_forward(", "def rnn_foward(")
    path = nbs.write(tmp_path / "typo.ipynb", nbs.course_notebook({"rnn_forward": renamed}))
    code, text = check(path)
    assert code == EXIT_FAILED
    assert verdict_lines(text)["rnn_forward"] == "missing"
    assert "Did you mean to name `rnn_foward` `rnn_forward`?" in text


def test_exception_shows_the_cell_the_line_and_the_code(tmp_path):
    nb = nbs.course_notebook(nbs.mutate("rnn_cell_backward", "dxt = np.dot(Wax.T, dtanh)",
                                        "dxt = np.dot(Wax, dtanh)"))
    path = nbs.write(tmp_path / "raises.ipynb", nb)
    code, text = check(path, function="rnn_cell_backward")
    assert code == EXIT_FAILED
    assert verdict_lines(text) == {"rnn_cell_backward": "raised an error"}
    assert "Raised ValueError" in text
    cell = next(c for c in __import__("grader.notebook", fromlist=["load"]).load(path).cells
                if "def rnn_cell_backward" in c.source)
    assert cell.prompt is not None  # the course notebook is saved as run: its prompt is said too
    assert f"at cell {cell.index + 1} (In [{cell.prompt}]), line " in text
    assert ">   dxt = np.dot(Wax, dtanh)" in text


def test_one_function_only(tmp_path):
    code, text = check(SUBMISSIONS / "alan_partly_wrong.ipynb", function="rnn_forward")
    assert code == EXIT_PASSED  # the wrong rnn_cell_forward is not checked
    assert verdict_lines(text) == {"rnn_forward": "passed"}


def test_unknown_function_and_unreadable_notebook_exit_2():
    code, text = check(SUBMISSIONS / "ada_correct.ipynb", function="gru_forward")
    assert code == EXIT_UNUSABLE and "gru_forward" in text and "rnn_forward" in text
    code, text = check(SUBMISSIONS / "donald_truncated.ipynb")
    assert code == EXIT_UNUSABLE and "truncated" in text


def test_a_missing_rubric_exits_2(tmp_path):
    code, text = check(SUBMISSIONS / "ada_correct.ipynb", rubric=tmp_path / "none.yaml")
    assert code == EXIT_UNUSABLE and "none.yaml" in text


def started_sandboxes(monkeypatch) -> list:
    """The ``grader.sandbox.Sandbox`` objects started from now on (in any thread)."""
    from grader import sandbox

    started: list = []
    real_init = sandbox.Sandbox.__init__

    def init(self, **options) -> None:
        real_init(self, **options)
        started.append(self)

    monkeypatch.setattr(sandbox.Sandbox, "__init__", init)
    return started


def test_a_check_that_cannot_run_stops_the_sandbox_started_meanwhile(tmp_path, monkeypatch):
    """The sandbox starts while the rubric, the fixtures and the notebook are read; when one of
    them is unusable, its zygote is stopped all the same."""
    started = started_sandboxes(monkeypatch)
    assert check(SUBMISSIONS / "donald_truncated.ipynb")[0] == EXIT_UNUSABLE
    assert check(SUBMISSIONS / "ada_correct.ipynb", rubric=tmp_path / "none.yaml")[0] == EXIT_UNUSABLE
    assert check(SUBMISSIONS / "ada_correct.ipynb", function="gru_forward")[0] == EXIT_UNUSABLE
    assert len(started) == 3
    for box in started:
        with pytest.raises(ProcessLookupError):
            os.kill(box.zygote_pid, 0)


def test_works_without_the_hidden_fixture_file(tmp_path):
    (tmp_path / "fixtures").mkdir()
    shutil.copyfile(DEFAULT_RUBRIC, tmp_path / DEFAULT_RUBRIC.name)
    shutil.copyfile(DEFAULT_RUBRIC.parent / "fixtures" / "rnn.public.json", tmp_path / "fixtures" / "rnn.public.json")
    code, text = check(SUBMISSIONS / "ada_correct.ipynb", rubric=tmp_path / DEFAULT_RUBRIC.name)
    assert code == EXIT_PASSED, text
    code, _ = check(SUBMISSIONS / "alan_partly_wrong.ipynb", rubric=tmp_path / DEFAULT_RUBRIC.name)
    assert code == EXIT_FAILED


def test_summary_is_frozen_and_says_ok():
    summary = CheckSummary(verdicts=(("f", "passed"),), cases_passed=1, cases_total=1)
    assert summary.ok and summary.verdict("f") == "passed" and summary.verdict("g") is None
    assert not CheckSummary(verdicts=(), cases_passed=0, cases_total=0).ok
    with pytest.raises(AttributeError):
        summary.cases_passed = 0  # type: ignore[misc]


def test_imports_neither_matplotlib_nor_nbconvert_nor_tensorflow():
    script = (
        "import io, sys\nfrom pathlib import Path\nfrom grader.selfcheck import run_check\n"
        f"code = run_check(Path({str(SUBMISSIONS / 'ada_correct.ipynb')!r}), rubric=Path({str(DEFAULT_RUBRIC)!r}),"
        " stream=io.StringIO())\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'nbconvert', 'tensorflow', 'keras', 'solution'))\n"
        "print(code, heavy)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "0 []", done.stderr


@pytest.mark.slow
def test_endless_loop_is_an_error_of_that_function_only():
    code, text = check(SUBMISSIONS / "barbara_loops_forever.ipynb")
    assert code == EXIT_FAILED
    verdicts = verdict_lines(text)
    assert verdicts["rnn_forward"] == "timed out"
    assert "did not return within" in text
    assert [f for f, v in verdicts.items() if v != "passed"] == ["rnn_forward"]


@pytest.mark.slow
def test_student_kit_self_check_works_as_an_unprivileged_user():
    """As nobody, in a world-readable copy of the kit: the sandbox runs in its degraded mode.

    ``setpriv --reuid=65534`` alone cannot be used here: the interpreter lives
    under /root (mode 0700), so nobody cannot import NumPy from it.  The
    preexec of tests/test_sandbox_nonroot.py gives the process a private mount
    namespace exposing only the interpreter's directory, then drops to nobody.
    """
    if os.geteuid() != 0:
        pytest.skip("already unprivileged: the other tests of this file run without root")
    from grader.kit import write_student_kit
    from tests.test_sandbox_nonroot import _become_nobody

    with tempfile.TemporaryDirectory(prefix="kit-nonroot-") as tmp:
        base = Path(tmp)
        os.chmod(base, 0o755)
        kit = write_student_kit(base / "kit", rubric=DEFAULT_RUBRIC)
        for name in ("ada_correct.ipynb", "alan_partly_wrong.ipynb"):
            shutil.copyfile(SUBMISSIONS / name, base / name)
        for path in base.rglob("*"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        env = {"PATH": "/usr/bin:/bin", "HOME": tmp, "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
        results = {}
        for name in ("ada_correct.ipynb", "alan_partly_wrong.ipynb"):
            done = subprocess.run(
                [sys.executable, "grade.py", "--check", str(base / name)], cwd=kit, env=env,
                preexec_fn=_become_nobody, capture_output=True, text=True, timeout=120)
            results[name] = done
        probe = subprocess.run([sys.executable, "-c", "import os; print(os.geteuid())"], env=env,
                               preexec_fn=_become_nobody, capture_output=True, text=True, timeout=60)
    assert probe.stdout.strip() == "65534"
    ok, wrong = results["ada_correct.ipynb"], results["alan_partly_wrong.ipynb"]
    assert ok.returncode == EXIT_PASSED, ok.stdout + ok.stderr
    assert "6 of 6 public case(s) passed" in ok.stdout
    assert wrong.returncode == EXIT_FAILED, wrong.stdout + wrong.stderr
    assert "likely mistake" in wrong.stdout


def test_an_unimplemented_parts_lines_are_said_as_lines_of_its_cell(tmp_path):
    """The placeholder note counts from the cell's top ("line 29"); "defined at cell 10 (In [6]),
    line 5" under it read as a second, contradicting count."""
    source = "# my helper import\nimport numpy as np\n" + nbs.COURSE_CELLS["lstm_cell_forward"].replace(
        "c_next = ", "c_next = None #", 1)
    path = nbs.write(tmp_path / "ada.ipynb", nbs.course_notebook({"lstm_cell_forward": source}))
    code, text = check(path)
    assert code == EXIT_FAILED
    line = 1 + source.splitlines().index("    c_next = None #ft * c_prev + it * cct")
    assert f"still holds the template's placeholders (line {line}: `c_next = None`)" in text, text
    assert ("    line numbers are those of cell 10 (In [6]), where `def lstm_cell_forward` is line 5\n"
            in text), text
    assert "defined at" not in text


def test_an_unimplemented_part_of_a_file_or_an_unknown_line_keeps_its_words():
    from grader.models import Location
    from grader.selfcheck import _defined_at

    assert _defined_at(Location(None, 4, "f"), Location.describe) == "    `def f` is line 4 of the file\n"
    assert _defined_at(Location(2, None, "f"), Location.describe) == "    defined at cell 3, in f\n"
